#!/usr/bin/env bash
# Runs every test suite: the unit tests (under ASan+UBSan); the API suite
# against the release build and against the sanitizer build on SQLite; the
# API suite's storage-independent core against a real PostgreSQL (release and
# sanitizer builds) and a real MariaDB (sanitizer build), started here
# (scripts/pg-up.sh, scripts/mysql-up.sh) in a throwaway directory and stopped
# at the end whatever happens; and a short smoke run of every fuzz target
# (scripts/fuzz.sh). Its last line
# sums them up as "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/test-output"
rm -rf "$out"
mkdir -p "$out"

bash scripts/deps.sh || exit 1
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build build -j2 >"$out/build.log" 2>&1 || { tail -50 "$out/build.log"; exit 1; }
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON >/dev/null || exit 1
cmake --build build-asan -j2 >"$out/build-asan.log" 2>&1 || { tail -50 "$out/build-asan.log"; exit 1; }

# The API test files that run on PostgreSQL and MariaDB too. A resource
# family joins this list once it has pgsql/mysql implementations.
SERVER_DB_TESTS=(test_status.py test_auth.py test_v1_user.py test_v2_user.py test_audit.py
                 test_limits.py test_restart.py test_concurrency.py test_quickstart.py
                 test_security.py test_storage.py test_tenants.py
                 test_access.py test_bulk_list.py test_search.py test_login.py
                 test_audit_verify.py)
SERVER_DB_TESTS+=(test_appdata.py test_sessions.py test_consent_v1.py test_consent_v2.py
                  test_lbasis_pactivity.py)
SERVER_DB_TESTS+=(test_requests.py test_userpatch.py test_versions.py test_expiration.py
                  test_shared.py test_system.py test_bulk.py test_backup.py
                  test_families_at_rest.py)
SERVER_DB_TESTS+=(test_requests_targets.py test_appdata_versions.py test_bulk_requests.py
                  test_report_sections.py test_read_audit.py)
SERVER_DB_TESTS+=(test_wrapping.py)
SERVER_DB_TESTS+=(test_tokens.py)
# Run on PostgreSQL only: SIGKILL under concurrent writes (issue: crash safety).
PG_ONLY_TESTS=(tests/api/test_crash.py)

dbdir=$(mktemp -d /tmp/databunker-test-db.XXXXXX)
stop_dbs() {
    bash "$root/scripts/pg-up.sh" stop "$dbdir/pg" >/dev/null 2>&1
    bash "$root/scripts/mysql-up.sh" stop "$dbdir/mysql" >/dev/null 2>&1
    rm -rf "$dbdir"
}
trap stop_dbs EXIT
trap 'exit 130' INT TERM
pg_env=$(bash scripts/pg-up.sh start "$dbdir/pg" --fast) || { echo "cannot start PostgreSQL"; exit 1; }
my_env=$(bash scripts/mysql-up.sh start "$dbdir/mysql" --fast) || { echo "cannot start MariaDB"; exit 1; }
server_tests=()
for t in "${SERVER_DB_TESTS[@]}"; do
    [ -f "tests/api/$t" ] && server_tests+=("tests/api/$t")
done
# The SQLite runs must not see the database servers' environment.
unset PGSQL_HOST PGSQL_PORT PGSQL_USER_NAME PGSQL_USER_PASS
unset MYSQL_HOST MYSQL_PORT MYSQL_USER_NAME MYSQL_USER_PASS

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "== source checks (scripts/checksrc) =="
if scripts/checksrc; then
    printf '<testsuite name="checksrc" tests="1" failures="0"><testcase name="checksrc"/></testsuite>\n' \
        >"$out/checksrc.xml"
else
    printf '<testsuite name="checksrc" tests="1" failures="1"><testcase name="checksrc">'\
'<failure message="scripts/checksrc found banned calls or style breaches"/></testcase></testsuite>\n' \
        >"$out/checksrc.xml"
fi

echo "== unit tests (ASan+UBSan) =="
(cd build-asan && ctest --output-on-failure --output-junit "$out/unit.xml")

echo "== API tests: release build =="
DATABUNKER_BIN="$root/build/databunker" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    tests/api --junitxml="$out/api-release.xml"

echo "== API tests: ASan+UBSan build =="
DATABUNKER_BIN="$root/build-asan/databunker" DATABUNKER_SANITIZED=1 \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api --junitxml="$out/api-asan.xml"

echo "== API tests: PostgreSQL (release build) =="
(eval "$pg_env"; DATABUNKER_TEST_STORE=pgsql DATABUNKER_BIN="$root/build/databunker" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider "${server_tests[@]}" "${PG_ONLY_TESTS[@]}" \
    --junitxml="$out/api-pgsql.xml")

echo "== API tests: PostgreSQL (ASan+UBSan build) =="
(eval "$pg_env"; DATABUNKER_TEST_STORE=pgsql DATABUNKER_BIN="$root/build-asan/databunker" \
    DATABUNKER_SANITIZED=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    "${server_tests[@]}" --junitxml="$out/api-pgsql-asan.xml")

echo "== API tests: MariaDB (ASan+UBSan build) =="
(eval "$my_env"; DATABUNKER_TEST_STORE=mysql DATABUNKER_BIN="$root/build-asan/databunker" \
    DATABUNKER_SANITIZED=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    "${server_tests[@]}" --junitxml="$out/api-mysql-asan.xml")

echo "== fuzz smoke (3 s per target) =="
bash scripts/fuzz.sh 3 "$out/fuzz.xml"

echo "== UI tests: headless chromium (release build) =="
# playwright-core from npm (the lock file pins it; no browser download),
# driving Debian's chromium. A run that fails before writing its report, or
# fails outside any suite, still counts as a failure.
ui_ok=1
if (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error >"$out/npm-ci.log" 2>&1); then
    DATABUNKER_BIN="$root/build/databunker" node --test --test-reporter=spec \
        --test-reporter-destination=stdout --test-reporter=junit \
        --test-reporter-destination="$out/ui.xml" tests/ui/ || ui_ok=0
else
    cat "$out/npm-ci.log"
    ui_ok=0
fi
if [ "$ui_ok" -eq 0 ] && ! grep -q '<failure' "$out/ui.xml" 2>/dev/null; then
    printf '<testsuite name="ui" tests="1" failures="1"><testcase name="ui run">'\
'<failure message="the UI test run failed"/></testcase></testsuite>\n' >"$out/ui-run.xml"
fi

/usr/bin/python3 scripts/junit_sum.py "$out"/checksrc.xml "$out"/unit.xml "$out"/api-release.xml "$out"/api-asan.xml \
    "$out"/api-pgsql.xml "$out"/api-pgsql-asan.xml "$out"/api-mysql-asan.xml "$out"/fuzz.xml \
    "$out"/ui.xml $(ls "$out"/ui-run.xml 2>/dev/null)
