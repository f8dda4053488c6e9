#!/usr/bin/env bash
# Runs every test suite: the unit tests (under ASan+UBSan); the API suite
# against the release build and against the sanitizer build on SQLite; the
# API suite's storage-independent core against a real PostgreSQL (release and
# sanitizer builds) and a real MariaDB (sanitizer build), started here
# (scripts/pg-up.sh, scripts/mysql-up.sh) in a throwaway directory and stopped
# at the end whatever happens; and a short smoke run of every fuzz target
# (scripts/fuzz.sh). Its last line
# sums them up as "N passed, N failed".
#
# Where the time goes, and what runs side by side (2 cores): the test tools,
# database servers, clang and chromium install (scripts/deps.sh) while the
# two builds run; each API run spreads its test files over $API_JOBS
# pytest-xdist workers (default 3: most tests wait on the server, on sleeps or
# on expiry, not on the CPU), each worker with its own session server and,
# on PostgreSQL and MariaDB, its own database server; the fuzz targets build
# and run their smoke test beside the API runs. Output of the side jobs is
# printed where it used to be, in the same order.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/test-output"
rm -rf "$out"
mkdir -p "$out"
API_JOBS=${API_JOBS:-3}

# The build needs only the build tools (the Makefile's test target installs
# them). What the API, database and fuzz tests need installs while the two
# builds run; the browser and Node.js (the UI tests, last) while the API runs go.
bash scripts/deps.sh build || exit 1
deps_pid=""
deps_start() {
    bash scripts/deps.sh "$1" >"$out/deps-$1.log" 2>&1 &
    deps_pid=$!
    deps_stage=$1
}
deps_done() {
    [ -n "$deps_pid" ] || return 0
    local rc=0
    wait "$deps_pid" || rc=1
    deps_pid=""
    cat "$out/deps-$deps_stage.log" >&2
    [ $rc -eq 0 ] && return 0
    echo "cannot install the test dependencies (scripts/deps.sh $deps_stage)"
    return 1
}
build() {
    cmake -S . -B "$1" "${@:3}" >/dev/null &&
        cmake --build "$1" -j2 >"$out/$2.log" 2>&1 && return 0
    tail -50 "$out/$2.log" 2>/dev/null
    deps_done
    exit 1
}
deps_start server
build build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
build build-asan build-asan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON
deps_done || exit 1
deps_start all

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
SERVER_DB_TESTS+=(test_tokens.py test_authz_fresh.py)
SERVER_DB_TESTS+=(test_write_race.py test_authz_large_group.py test_ttl.py)
SERVER_DB_TESTS+=(test_abuse.py test_search_postings.py test_dbserver_reads.py)
SERVER_DB_TESTS+=(test_audit_batch_insert.py)
SERVER_DB_TESTS+=(test_read_expiry.py)
# Run on PostgreSQL only: SIGKILL under concurrent writes (issue: crash safety).
PG_ONLY_TESTS=(tests/api/test_crash.py)

# One PostgreSQL and one MariaDB per API worker (test_storage.py stops and
# restarts the one it runs on), started side by side in the background.
dbdir=$(mktemp -d /tmp/databunker-test-db.XXXXXX)
fuzz_pid=""
stop_dbs() {
    # the fuzz job runs in a process group of its own (setsid)
    [ -n "$fuzz_pid" ] && kill -- "-$fuzz_pid" 2>/dev/null
    wait
    for ((i = 0; i < API_JOBS; i++)); do
        bash "$root/scripts/pg-up.sh" stop "$dbdir/pg-$i" >/dev/null 2>&1 &
        bash "$root/scripts/mysql-up.sh" stop "$dbdir/mysql-$i" >/dev/null 2>&1 &
    done
    wait
    rm -rf "$dbdir"
}
trap stop_dbs EXIT
trap 'exit 130' INT TERM
db_start() {
    # pg|mysql N: a server in $dbdir/<kind>-N, its environment in <kind>-N.env;
    # once more if the first try fails (its free port taken meanwhile, say).
    local up="scripts/$1-up.sh" d="$dbdir/$1-$2"
    bash "$up" start "$d" --fast >"$d.env" 2>"$d.err" && return 0
    bash "$up" stop "$d" >/dev/null 2>&1
    rm -rf "$d"
    bash "$up" start "$d" --fast >"$d.env" 2>>"$d.err"
}
db_pids=()
for ((i = 0; i < API_JOBS; i++)); do
    db_start pg "$i" &
    db_pids+=($!)
    db_start mysql "$i" &
    db_pids+=($!)
done
dbs_up() {
    local p ok=0
    for p in "${db_pids[@]}"; do wait "$p" || ok=1; done
    db_pids=()
    [ $ok -eq 0 ] && return 0
    cat "$dbdir"/*.err
    echo "cannot start PostgreSQL / MariaDB"
    exit 1
}
server_tests=()
for t in "${SERVER_DB_TESTS[@]}"; do
    [ -f "tests/api/$t" ] && server_tests+=("tests/api/$t")
done
# The SQLite runs must not see the database servers' environment.
unset PGSQL_HOST PGSQL_PORT PGSQL_USER_NAME PGSQL_USER_PASS
unset MYSQL_HOST MYSQL_PORT MYSQL_USER_NAME MYSQL_USER_PASS

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# The fuzz targets build (clang, at a lower priority than the API runs) and
# run beside the API runs; their output is shown after the MariaDB run, where
# it always was.
setsid bash -c 'nice -n 10 cmake -S . -B build-fuzz -DFUZZ=ON -DCMAKE_C_COMPILER=clang \
                    -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
                nice -n 10 cmake --build build-fuzz -j2 >/dev/null 2>&1
                exec bash scripts/fuzz.sh 3 "$1"' fuzz "$out/fuzz.xml" >"$out/fuzz.log" 2>&1 &
fuzz_pid=$!

api_run() {
    /usr/bin/python3 -m pytest -q -p no:cacheprovider -n "$API_JOBS" --dist loadfile "$@"
}

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
DATABUNKER_BIN="$root/build/databunker" api_run tests/api --junitxml="$out/api-release.xml"

echo "== API tests: ASan+UBSan build =="
DATABUNKER_BIN="$root/build-asan/databunker" DATABUNKER_SANITIZED=1 \
    api_run tests/api --junitxml="$out/api-asan.xml"

dbs_up
echo "== API tests: PostgreSQL (release build) =="
(eval "$(cat "$dbdir/pg-0.env")"; export DATABUNKER_TEST_DBENV="$dbdir/pg-{n}.env"
 DATABUNKER_TEST_STORE=pgsql DATABUNKER_BIN="$root/build/databunker" \
    api_run "${server_tests[@]}" "${PG_ONLY_TESTS[@]}" --junitxml="$out/api-pgsql.xml")

echo "== API tests: PostgreSQL (ASan+UBSan build) =="
(eval "$(cat "$dbdir/pg-0.env")"; export DATABUNKER_TEST_DBENV="$dbdir/pg-{n}.env"
 DATABUNKER_TEST_STORE=pgsql DATABUNKER_BIN="$root/build-asan/databunker" \
    DATABUNKER_SANITIZED=1 api_run "${server_tests[@]}" --junitxml="$out/api-pgsql-asan.xml")

echo "== API tests: MariaDB (ASan+UBSan build) =="
(eval "$(cat "$dbdir/mysql-0.env")"; export DATABUNKER_TEST_DBENV="$dbdir/mysql-{n}.env"
 DATABUNKER_TEST_STORE=mysql DATABUNKER_BIN="$root/build-asan/databunker" \
    DATABUNKER_SANITIZED=1 api_run "${server_tests[@]}" --junitxml="$out/api-mysql-asan.xml")

echo "== fuzz smoke (3 s per target) =="
wait "$fuzz_pid"
fuzz_pid=""
cat "$out/fuzz.log"

echo "== UI tests: headless chromium (release build) =="
deps_done || exit 1
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
