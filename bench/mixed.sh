#!/usr/bin/env bash
# Mixed-load probe: reads (bench/get_token.lua, 16 clients) and, at the same
# time, creates (bench/create.lua, 4 clients) against one server; each wrk's
# requests/s, p50 and p99 (ms), medians of the rounds. A 50,000-user vault is
# built once with bench/bulk.py and copied for every run, so each run starts
# from the same files. Variants A and B run interleaved (A, B, A, B, ...) so a
# busy machine disturbs both alike: compare them within one run, not across.
#   bench/mixed.sh [BIN_A [BIN_B]]   default build/databunker for both
#   MIXED_YAML_A, MIXED_YAML_B  extra configuration of each variant (printf
#                 escapes), e.g. MIXED_YAML_B='server:\n  thread_per_connection: false\n'
#   MIXED_LOADS   what to run per round, default "mixed"; also "get16", "get64",
#                 "create64" (pure reads at 16 and 64 clients, pure creates at 64)
#   MIXED_USERS (50000), MIXED_SECONDS (10), MIXED_ROUNDS (3)
# Server CPU microseconds per request (all requests of the run) are printed
# too: steadier than rates while others use the machine. About
# rounds x variants x loads x (seconds + 3) seconds after the build; not part of
# `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
A=${1:-$root/build/databunker}
B=${2:-$A}
users=${MIXED_USERS:-50000}
secs=${MIXED_SECONDS:-10}
rounds=${MIXED_ROUNDS:-3}
loads=${MIXED_LOADS:-mixed}
work=$(mktemp -d /tmp/databunker-mixed.XXXXXX)
pid=""
stop_server() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT
export DATABUNKER_MASTERKEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DATABUNKER_ROOTTOKEN="bench-root-token" BENCH_TOKEN="bench-root-token"
export BENCH_DIR="$root/bench" BENCH_PROGRESS=0
port=$(/usr/bin/python3 -c \
    'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base='bulk:\n  unlock_ttl_seconds: 3600\n'
printf "$base" >"$work/build.yaml"
printf "$base${MIXED_YAML_A:-}" >"$work/A.yaml"
printf "$base${MIXED_YAML_B:-}" >"$work/B.yaml"

start() {   # binary directory yaml
    "$1" -start -store sqlite -db "$2/s.db" -host 127.0.0.1 -port "$port" -conf "$3" \
        2>>"$work/log" &
    pid=$!
    for _ in $(seq 200); do
        curl -sf "http://127.0.0.1:$port/status" >/dev/null && return
        sleep 0.1
    done
    echo "server did not start; log:" >&2; tail "$work/log" >&2; exit 1
}
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
wrk_run() {   # clients script seconds -> RESULT line
    wrk -t2 -c"$1" -d"$3s" --timeout 10s -s "bench/$2" "http://127.0.0.1:$port" \
        | grep '^RESULT' || echo "RESULT 0 0 0 -1 0"
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }

mkdir "$work/vault"
"$A" -init -store sqlite -db "$work/vault/s.db" >/dev/null 2>&1
start "$A" "$work/vault" "$work/build.yaml"
/usr/bin/python3 bench/bulk.py "$port" "$BENCH_TOKEN" "$users" "$work/tokens" "$work/emails" \
    | grep '^BULK'
stop_server
export BENCH_TOKENS="$work/tokens" BENCH_EMAILS="$work/emails"

declare -A res   # "variant load part" -> list of "rps p50 p99 cpu"
hz=$(getconf CLK_TCK)
for r in $(seq "$rounds"); do
    for load in $loads; do
        for X in A B; do
            rm -rf "$work/run"
            cp -a "$work/vault" "$work/run"
            start "${!X}" "$work/run" "$work/$X.yaml"
            wrk -t2 -c4 -d1s -s bench/get_token.lua "http://127.0.0.1:$port" >/dev/null
            t0=$(ticks)
            case $load in
            mixed)
                wrk_run 16 get_token.lua "$secs" >"$work/get.out" &
                w1=$!
                wrk_run 4 create.lua "$secs" >"$work/create.out" &
                w2=$!
                wait $w1 $w2
                parts="get create" ;;
            get16) wrk_run 16 get_token.lua "$secs" >"$work/get.out"; parts=get ;;
            get64) wrk_run 64 get_token.lua "$secs" >"$work/get.out"; parts=get ;;
            create64) wrk_run 64 create.lua "$secs" >"$work/create.out"; parts=create ;;
            *) echo "unknown load $load" >&2; exit 2 ;;
            esac
            t1=$(ticks)
            stop_server
            n=0
            for p in $parts; do n=$((n + $(awk '{print $6}' "$work/$p.out"))); done
            cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$n" \
                  'BEGIN{ if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "-" }')
            for p in $parts; do
                read -r _ rps p50 p99 err _ <"$work/$p.out"
                echo "r$r $X $load $p: rps=$rps p50=$p50 p99=$p99 err=$err cpu_us/req=$cpu"
                res["$X $load $p"]+="$rps $p50 $p99 $cpu;"
            done
        done
    done
done

echo "MEDIANS of $rounds rounds (rps, p50 ms, p99 ms, server CPU us/request of the run):"
for load in $loads; do
    for p in get create; do
        for X in A B; do
            v=${res["$X $load $p"]:-}
            [ -n "$v" ] || continue
            col() { tr ';' '\n' <<<"$v" | awk -v i="$1" 'NF{print $i}'; }
            printf 'MEDIAN %s %-8s %-6s rps=%s p50=%s p99=%s cpu_us/req=%s\n' "$X" "$load" "$p" \
                "$(median $(col 1))" "$(median $(col 2))" "$(median $(col 3))" \
                "$(median $(col 4))"
        done
    done
done
