#!/usr/bin/env bash
# make soak: SOAK_SECONDS (default 600) of mixed load (bench/mixed.lua, 32
# clients) against a durable SQLite server, sampling its RSS and open file
# descriptors every 10 s. Prints the samples, wrk's errors, and start/end RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${SOAK_SECONDS:-600}
bin="$root/build/databunker"
work=$(mktemp -d /tmp/databunker-soak.XXXXXX)
out="$root/test-output/bench"
mkdir -p "$out"
export BENCH_DIR="$root/bench"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
export DATABUNKER_MASTERKEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DATABUNKER_ROOTTOKEN=soak-root BENCH_TOKEN=soak-root
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" -init -db "$work/soak.db" >/dev/null
"$bin" -start -db "$work/soak.db" -host 127.0.0.1 -port "$port" 2>"$out/soak-server.log" &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/status" >/dev/null && break; sleep 0.1; done
/usr/bin/python3 bench/bulk.py "$port" "$BENCH_TOKEN" 10000 "$work/tokens" "$work/emails" >/dev/null
export BENCH_TOKENS="$work/tokens" BENCH_EMAILS="$work/emails"
sample() { echo "$(date +%s) rss_kib=$(awk '/VmRSS/{print $2}' /proc/$pid/status) fds=$(ls /proc/$pid/fd | wc -l)"; }
sample | tee "$out/soak-samples.txt"
start_rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
wrk -t2 -c32 -d"${secs}s" --timeout 10s -s bench/mixed.lua "http://127.0.0.1:$port" \
    >"$out/soak-wrk.txt" &
wpid=$!
while kill -0 "$wpid" 2>/dev/null; do sleep 10; sample | tee -a "$out/soak-samples.txt"; done
wait "$wpid" || true
end_rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
cat "$out/soak-wrk.txt" | grep -E "RESULT|Non-2xx|Socket errors|Requests/sec" || true
echo "soak: ${secs}s mixed load, RSS start ${start_rss} KiB, end ${end_rss} KiB; samples in test-output/bench/soak-samples.txt"
