#!/usr/bin/env bash
# make bench: starts a durable SQLite server (synchronous=FULL) on a temp
# database, seeds users, runs wrk against each operation and prints a table:
# operation, clients, requests/s, p50, p99, errors, ratio to the HTTP ceiling.
# BENCH_SECONDS (default 10) and BENCH_SEED (default 20000) scale the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${BENCH_SECONDS:-10}
seed=${BENCH_SEED:-20000}
bin="$root/build/databunker"
work=$(mktemp -d /tmp/databunker-bench.XXXXXX)
out="$root/test-output/bench"
mkdir -p "$out"
export BENCH_DIR="$root/bench"
export BENCH_TOKEN="bench-root-token"
export DATABUNKER_MASTERKEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DATABUNKER_ROOTTOKEN="$BENCH_TOKEN"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin" -init -db "$work/bench.db" >/dev/null
"$bin" -start -db "$work/bench.db" ${BENCH_CONF:+-conf "$BENCH_CONF"} -host 127.0.0.1 -port "$port" 2>"$out/server.log" &
pid=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/status" >/dev/null && break
    sleep 0.1
done
rss() { awk '/VmRSS/{print $2}' "/proc/$pid/status"; }
rss_idle=$(rss)

echo "seeding $seed users..."
t0=$(date +%s.%N)
/usr/bin/python3 bench/seed.py "$port" "$BENCH_TOKEN" "$seed" "$work/tokens" "$work/emails"
t1=$(date +%s.%N)
export BENCH_TOKENS="$work/tokens" BENCH_EMAILS="$work/emails"

results=()
run() {   # name clients script
    local line
    line=$(wrk -t2 -c"$2" -d"${secs}s" --timeout 10s -s "bench/$3" "http://127.0.0.1:$port" \
           | grep '^RESULT')
    results+=("$1|$2|$line")
    echo "  $1 c=$2: $line"
}
run "GET /v1/status (ceiling)" 64 status.lua
run "POST /v1/user (create)" 64 create.lua
run "GET /v1/user/token" 16 get_token.lua
run "GET /v1/user/token" 64 get_token.lua
run "GET /v1/user/email" 16 get_email.lua
run "GET /v1/user/email" 64 get_email.lua
run "POST /v2/UserGet (token)" 16 v2_get.lua
rss_end=$(rss)

ceiling=$(echo "${results[0]}" | awk -F'|' '{split($3,a," "); print a[2]}')
{
    echo "| operation | clients | requests/s | p50 ms | p99 ms | errors | ratio to ceiling |"
    echo "|---|---|---|---|---|---|---|"
    for r in "${results[@]}"; do
        IFS='|' read -r name clients line <<<"$r"
        read -r _ rps p50 p99 errs _ <<<"$line"
        ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN{printf "%.3f", a/b}')
        echo "| $name | $clients | $rps | $p50 | $p99 | $errs | $ratio |"
    done
    echo
    awk -v n="$seed" -v a="$t0" -v b="$t1" 'BEGIN{printf "seed: %d users in %.1f s with 8 clients (%.0f creates/s)\n", n, b-a, n/(b-a)}'
    echo "server RSS: idle ${rss_idle} KiB, end ${rss_end} KiB"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "command: make bench (BENCH_SECONDS=$secs BENCH_SEED=$seed), wrk -t2, SQLite WAL synchronous=FULL"
} | tee "$out/results.md"
