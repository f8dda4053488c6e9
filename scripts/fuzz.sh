#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, build-fuzz/) and runs each
# for SECONDS (default $FUZZ_SECONDS or 60). With a second argument, writes a
# JUnit XML report there (one test case per target) so scripts/junit_sum.py
# counts a crash as a failure. New inputs found go to build-fuzz/corpus/<t>/;
# the checked-in seeds in tests/fuzz/corpus/<t>/ are only read. A crashing
# input is left in build-fuzz/artifacts/<t>/.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-${FUZZ_SECONDS:-60}}
junit=${2:-}
bdir="$root/build-fuzz"

cmake -S . -B "$bdir" -DFUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
    >/dev/null || exit 1
cmake --build "$bdir" -j2 >"$bdir/build.log" 2>&1 || { tail -40 "$bdir/build.log"; exit 1; }

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cases=""
total=0
failures=0
for bin in "$bdir"/fuzz_*; do
    [ -x "$bin" ] || continue
    t=$(basename "$bin")
    t=${t#fuzz_}
    seeds="$root/tests/fuzz/corpus/$t"
    work="$bdir/corpus/$t"
    art="$bdir/artifacts/$t"
    mkdir -p "$work" "$art"
    log="$bdir/fuzz_$t.log"
    start=$(date +%s.%N)
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$art/" "$work" "$seeds" >"$log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    total=$((total + ${execs:-0}))
    el=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -eq 0 ]; then
        echo "fuzz $t: ok, ${execs:-0} executions in ${el}s"
        cases+="<testcase classname=\"fuzz\" name=\"$t\" time=\"$el\"/>"
    else
        failures=$((failures + 1))
        echo "fuzz $t: FAILED (rc $rc), crashing input in $art/"
        grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$log" | head -8
        msg=$(grep -E "ERROR|runtime error|SUMMARY" "$log" | head -3 | tr -d '<>&"' | tr '\n' ' ')
        cases+="<testcase classname=\"fuzz\" name=\"$t\" time=\"$el\">"
        cases+="<failure message=\"rc $rc: $msg\"/></testcase>"
    fi
done
n=$(ls "$bdir"/fuzz_* 2>/dev/null | grep -c -v '\.log$')
echo "fuzz: $total executions over $n targets, $failures crashed"
if [ -n "$junit" ]; then
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="fuzz" tests="%d" failures="%d">%s</testsuite>\n' \
        "$n" "$failures" "$cases" >"$junit"
fi
[ $failures -eq 0 ]
