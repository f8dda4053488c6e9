#!/usr/bin/env bash
# Runs every test suite: the unit tests (under ASan+UBSan) and the API suite
# against the release build and against the sanitizer build. Its last line
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

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "== unit tests (ASan+UBSan) =="
(cd build-asan && ctest --output-on-failure --output-junit "$out/unit.xml")

echo "== API tests: release build =="
DATABUNKER_BIN="$root/build/databunker" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    tests/api --junitxml="$out/api-release.xml"

echo "== API tests: ASan+UBSan build =="
DATABUNKER_BIN="$root/build-asan/databunker" DATABUNKER_SANITIZED=1 \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api --junitxml="$out/api-asan.xml"

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

/usr/bin/python3 scripts/junit_sum.py "$out"/unit.xml "$out"/api-release.xml "$out"/api-asan.xml \
    "$out"/ui.xml $(ls "$out"/ui-run.xml 2>/dev/null)
