#!/usr/bin/env bash
# make bench: builds a durable vault with UserCreateBulk, then runs wrk against
# each operation and prints a table: operation, clients, requests/s, p50, p99,
# errors, ratio to the HTTP ceiling of our own stack (GET /v1/status).
#   BENCH_STORES   backends to run, in order (default "sqlite pgsql")
#   BENCH_USERS    users created by UserCreateBulk before the reads (default 100000)
#   BENCH_SECONDS  length of each wrk run (default 10)
#   BENCH_ONLY     "search": after the build, run only the UserSearch benchmark
# SQLite runs WAL with synchronous=FULL; PostgreSQL runs with fsync on.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${BENCH_SECONDS:-10}
users=${BENCH_USERS:-100000}
stores=${BENCH_STORES:-sqlite pgsql}
bin="$root/build/databunker"
work=$(mktemp -d /tmp/databunker-bench.XXXXXX)
out="$root/test-output/bench"
mkdir -p "$out"
export BENCH_DIR="$root/bench"
pid=""
stop_server() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    pid=""
}
cleanup() {
    stop_server
    [ -d "$work/pg" ] && bash scripts/pg-up.sh stop "$work/pg" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
printf 'bulk:\n  unlock_ttl_seconds: 3600\n' >"$work/bench.yaml"

run_wrk() {   # store name clients script -> one table row
    local line
    line=$(wrk -t2 -c"$3" -d"${secs}s" --timeout 10s -s "bench/$4" "http://127.0.0.1:$port" \
           | grep '^RESULT' || echo "RESULT 0 0 0 -1 0")
    rows+=("$1|$2|$3|$line")
    echo "  [$1] $2 c=$3: $line"
}

rows=()
summary=()
for store in $stores; do
    unset PGSQL_HOST PGSQL_PORT PGSQL_USER_NAME PGSQL_USER_PASS
    db="$work/$store.db"
    if [ "$store" = pgsql ]; then
        eval "$(bash scripts/pg-up.sh start "$work/pg")"
        db=databunker
    fi
    export DATABUNKER_MASTERKEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    export DATABUNKER_ROOTTOKEN="bench-root-token" BENCH_TOKEN="bench-root-token"
    port=$(free_port)
    "$bin" -init -store "$store" -db "$db" >/dev/null
    "$bin" -start -store "$store" -db "$db" -host 127.0.0.1 -port "$port" -conf "$work/bench.yaml" \
        2>"$out/server-$store.log" &
    pid=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/status" >/dev/null && break
        sleep 0.1
    done
    rss_idle=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
    echo "[$store] building a vault of $users users with UserCreateBulk..."
    bulk=$(/usr/bin/python3 bench/bulk.py "$port" "$BENCH_TOKEN" "$users" "$work/tokens" \
           "$work/emails" | grep '^BULK')
    read -r _ made bsecs brate <<<"$bulk"
    export BENCH_TOKENS="$work/tokens" BENCH_EMAILS="$work/emails"
    run_wrk "$store" "GET /v1/status (ceiling)" 64 status.lua
    if [ "${BENCH_ONLY:-}" != search ]; then
        run_wrk "$store" "POST /v1/user (create)" 64 create.lua
        for c in 16 64; do
            run_wrk "$store" "GET /v1/user/token" "$c" get_token.lua
            run_wrk "$store" "GET /v1/user/email" "$c" get_email.lua
            run_wrk "$store" "POST /v2/UserGet (token)" "$c" v2_get.lua
        done
    fi
    if [ "$store" = sqlite ] && [ "${BENCH_ONLY:-}" != search ]; then
        kids="$work/kids"
        xt=$(/usr/bin/python3 bench/policy_setup.py "$port" "$BENCH_TOKEN" 1000 "$kids")
        BENCH_TOKENS="$kids" run_wrk "$store" "POST /v2/UserGet (root, policy users)" 16 v2_get.lua
        BENCH_TOKENS="$kids" BENCH_TOKEN="$xt" \
            run_wrk "$store" "POST /v2/UserGet (policy-checked)" 16 v2_get.lua
    fi
    unlock=$(curl -s -X POST -H "X-Bunker-Token: $BENCH_TOKEN" -d '{}' \
             "http://127.0.0.1:$port/v2/BulkListUnlock" | sed 's/.*"unlockuuid":"\([^"]*\)".*/\1/')
    BENCH_UNLOCK="$unlock" run_wrk "$store" "POST /v2/UserSearch (typo, $made users)" 16 search.lua
    rss_end=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
    summary+=("[$store] UserCreateBulk: $made users in ${bsecs} s = $brate records/s; server RSS idle ${rss_idle} KiB, end ${rss_end} KiB")
    stop_server
    [ "$store" = pgsql ] && bash scripts/pg-up.sh stop "$work/pg" >/dev/null 2>&1
done

{
    echo "| store | operation | clients | requests/s | p50 ms | p99 ms | errors | ratio to ceiling |"
    echo "|---|---|---|---|---|---|---|---|"
    declare -A ceiling
    for r in "${rows[@]}"; do
        IFS='|' read -r store name clients line <<<"$r"
        read -r _ rps _ <<<"$line"
        case "$name" in "GET /v1/status (ceiling)") ceiling[$store]=$rps ;; esac
    done
    for r in "${rows[@]}"; do
        IFS='|' read -r store name clients line <<<"$r"
        read -r _ rps p50 p99 errs _ <<<"$line"
        ratio=$(awk -v a="$rps" -v b="${ceiling[$store]:-0}" 'BEGIN{ if (b > 0) printf "%.3f", a/b; else print "-" }')
        echo "| $store | $name | $clients | $rps | $p50 | $p99 | $errs | $ratio |"
    done
    echo
    for s in "${summary[@]}"; do echo "$s"; done
    echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "command: make bench (BENCH_STORES=\"$stores\" BENCH_USERS=$users BENCH_SECONDS=$secs), wrk -t2"
} | tee "$out/results.md"
