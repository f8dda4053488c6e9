#!/usr/bin/env bash
# make bench: builds a durable vault with UserCreateBulk, then runs wrk against
# each operation and prints a table: operation, clients, requests/s, p50, p99,
# errors, ratio to the HTTP ceiling of our own stack (GET /v1/status).
#   BENCH_STORES   backends to run, in order (default "sqlite pgsql")
#   BENCH_USERS    users created by UserCreateBulk before the reads (default 100000;
#                  1000000 builds the million-user vault, progress on stderr)
#   BENCH_SECONDS  length of each wrk run (default 10)
#   BENCH_BIN      the server binary (default build/databunker)
#   BENCH_ONLY     "policy": only the authorization comparison (SQLite): root
#                  versus policy-checked UserGet at 16 clients, interleaved
#                  BENCH_ROUNDS times (default 3); the medians go in the table
# SQLite runs WAL with synchronous=FULL; PostgreSQL runs with fsync on.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${BENCH_SECONDS:-10}
users=${BENCH_USERS:-100000}
stores=${BENCH_STORES:-sqlite pgsql}
only=${BENCH_ONLY:-}
rounds=${BENCH_ROUNDS:-3}
[ "$only" = policy ] && stores=sqlite
bin=${BENCH_BIN:-$root/build/databunker}
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

cpu_ticks() {   # user+system clock ticks the server has used so far
    awk '{print $14 + $15}' "/proc/$pid/stat"
}

run_wrk() {   # store name clients script -> one table row
    local line t0 t1 cpu
    t0=$(cpu_ticks)
    line=$(wrk -t2 -c"$3" -d"${secs}s" --timeout 10s -s "bench/$4" "http://127.0.0.1:$port" \
           | grep '^RESULT' || echo "RESULT 0 0 0 -1 0")
    t1=$(cpu_ticks)
    # server CPU per request in microseconds: steadier than latency on a busy machine
    cpu=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$(awk '{print $6}' <<<"$line")" \
          'BEGIN{ if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "-" }')
    line="$line $cpu"
    rows+=("$1|$2|$3|$line")
    echo "  [$1] $2 c=$3: $line"
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'
}

# Adds a row per name: the median requests/s and p50 of its "#i" rounds, and
# the policy-checked/root ratios.
median_rows() {
    local name r s n c line rps p50 cpu med_rps med_p50 med_cpu
    declare -A mr mp mc
    for name in "$@"; do
        rps=(); p50=(); cpu=()
        for r in "${rows[@]}"; do
            IFS='|' read -r s n c line <<<"$r"
            case "$n" in "$name #"*)
                read -r _ a b _ _ _ d <<<"$line"; rps+=("$a"); p50+=("$b"); cpu+=("$d") ;;
            esac
        done
        med_rps=$(median "${rps[@]}"); med_p50=$(median "${p50[@]}"); med_cpu=$(median "${cpu[@]}")
        mr[$name]=$med_rps; mp[$name]=$med_p50; mc[$name]=$med_cpu
        rows+=("$store|$name (median of ${#rps[@]})|16|RESULT $med_rps $med_p50 - - - $med_cpu")
    done
    summary+=("[$store] policy-checked/root: p50 $(awk -v a="${mp[$2]}" -v b="${mp[$1]}" \
        'BEGIN{printf "%.3f", a/b}'), requests/s $(awk -v a="${mr[$2]}" -v b="${mr[$1]}" \
        'BEGIN{printf "%.3f", a/b}'), server CPU per request +$(awk -v a="${mc[$2]}" \
        -v b="${mc[$1]}" 'BEGIN{printf "%.1f", a-b}') us (medians of $rounds interleaved runs)")
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
    cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    bulk=$(/usr/bin/python3 bench/bulk.py "$port" "$BENCH_TOKEN" "$users" "$work/tokens" \
           "$work/emails" | grep '^BULK')
    read -r _ made bsecs brate <<<"$bulk"
    # server CPU per record: steadier than records/s on a machine others share
    bcpu=$(awk -v a="$cpu0" -v b="$(awk '{print $14 + $15}' "/proc/$pid/stat")" \
               -v hz="$(getconf CLK_TCK)" -v n="$made" \
               'BEGIN{ if (n > 0) printf "%.0f", (b - a) / hz * 1e6 / n; else print "-" }')
    echo "[$store] UserCreateBulk: $made users in ${bsecs} s = $brate records/s," \
         "server CPU $bcpu us/record"
    export BENCH_TOKENS="$work/tokens" BENCH_EMAILS="$work/emails"
    if [ "$only" = policy ]; then
        kids="$work/kids"
        xt=$(/usr/bin/python3 bench/policy_setup.py "$port" "$BENCH_TOKEN" 1000 "$kids")
        run_wrk "$store" "GET /v1/status (ceiling)" 64 status.lua
        for i in $(seq "$rounds"); do
            BENCH_TOKENS="$kids" run_wrk "$store" "POST /v2/UserGet (root, policy users) #$i" 16 \
                v2_get.lua
            BENCH_TOKENS="$kids" BENCH_TOKEN="$xt" \
                run_wrk "$store" "POST /v2/UserGet (policy-checked) #$i" 16 v2_get.lua
        done
        median_rows "POST /v2/UserGet (root, policy users)" "POST /v2/UserGet (policy-checked)"
        stop_server
        continue
    fi
    run_wrk "$store" "GET /v1/status (ceiling)" 64 status.lua
    run_wrk "$store" "POST /v1/user (create)" 64 create.lua
    for c in 16 64; do
        run_wrk "$store" "GET /v1/user/token" "$c" get_token.lua
        run_wrk "$store" "GET /v1/user/email" "$c" get_email.lua
        run_wrk "$store" "POST /v2/UserGet (token)" "$c" v2_get.lua
    done
    if [ "$store" = sqlite ]; then
        kids="$work/kids"
        xt=$(/usr/bin/python3 bench/policy_setup.py "$port" "$BENCH_TOKEN" 1000 "$kids")
        BENCH_TOKENS="$kids" run_wrk "$store" "POST /v2/UserGet (root, policy users)" 16 v2_get.lua
        BENCH_TOKENS="$kids" BENCH_TOKEN="$xt" \
            run_wrk "$store" "POST /v2/UserGet (policy-checked)" 16 v2_get.lua
        unlock=$(curl -s -X POST -H "X-Bunker-Token: $BENCH_TOKEN" -d '{}' \
                 "http://127.0.0.1:$port/v2/BulkListUnlock" | sed 's/.*"unlockuuid":"\([^"]*\)".*/\1/')
        BENCH_UNLOCK="$unlock" run_wrk "$store" "POST /v2/UserSearch (typo, $made users)" 16 search.lua
    fi
    rss_end=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
    summary+=("[$store] UserCreateBulk: $made users in ${bsecs} s = $brate records/s, server CPU $bcpu us/record; server RSS idle ${rss_idle} KiB, end ${rss_end} KiB")
    stop_server
    [ "$store" = pgsql ] && bash scripts/pg-up.sh stop "$work/pg" >/dev/null 2>&1
done

{
    echo "| store | operation | clients | requests/s | p50 ms | p99 ms | errors | ratio to ceiling | server CPU us/request |"
    echo "|---|---|---|---|---|---|---|---|---|"
    declare -A ceiling
    for r in "${rows[@]}"; do
        IFS='|' read -r store name clients line <<<"$r"
        read -r _ rps _ <<<"$line"
        case "$name" in "GET /v1/status (ceiling)") ceiling[$store]=$rps ;; esac
    done
    for r in "${rows[@]}"; do
        IFS='|' read -r store name clients line <<<"$r"
        read -r _ rps p50 p99 errs _ cpu <<<"$line"
        ratio=$(awk -v a="$rps" -v b="${ceiling[$store]:-0}" 'BEGIN{ if (b > 0) printf "%.3f", a/b; else print "-" }')
        echo "| $store | $name | $clients | $rps | $p50 | $p99 | $errs | $ratio | $cpu |"
    done
    echo
    for s in "${summary[@]}"; do echo "$s"; done
    echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "command: make bench (BENCH_STORES=\"$stores\" BENCH_USERS=$users BENCH_SECONDS=$secs), wrk -t2"
} | tee "$out/results.md"
