#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the benchmarks need.
# Idempotent: packages already present are not fetched again.
#   scripts/deps.sh build   what building and running the server needs (make, make demo)
#   scripts/deps.sh server  also what the API, database server and fuzz tests need
#   scripts/deps.sh         everything: also the browser and benchmark tools
set -euo pipefail

pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libssl-dev
      libsqlite3-dev libyaml-dev libpq-dev libmariadb-dev libcurl4-openssl-dev libcmocka-dev
      curl openssl)
if [ "${1:-all}" != build ]; then
    pkgs+=(python3 python3-pytest python3-pytest-xdist python3-requests python3-aiosmtpd sqlite3
           clang libclang-rt-dev postgresql mariadb-server mariadb-client)
fi
if [ "${1:-all}" = all ]; then
    pkgs+=(wrk chromium nodejs)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: the machine's Node.js may bundle it (NodeSource); Debian ships it apart.
if [ "${1:-all}" = all ] && ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# One package list update per hour is enough (make test runs this three
# times: the build tools first, the rest in two steps beside the builds and tests).
if [ -z "$(find /var/lib/apt/lists -maxdepth 0 -mmin -60 2>/dev/null)" ]; then
    $SUDO apt-get update -q >/dev/null
fi
# No fsync per unpacked file: a machine that crashes mid-install reinstalls.
$SUDO apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io \
    "${missing[@]}" >/dev/null
