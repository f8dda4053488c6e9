#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the benchmarks need.
# Idempotent: packages already present are not fetched again.
#   scripts/deps.sh build   what building and running the server needs (make, make demo)
#   scripts/deps.sh         everything: also the test, browser and benchmark tools
set -euo pipefail

pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libssl-dev
      libsqlite3-dev libyaml-dev libpq-dev libmariadb-dev libcurl4-openssl-dev libcmocka-dev
      curl openssl)
if [ "${1:-all}" != build ]; then
    pkgs+=(python3 python3-pytest python3-requests python3-aiosmtpd sqlite3 wrk clang
           libclang-rt-dev postgresql mariadb-server mariadb-client chromium nodejs)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: the machine's Node.js may bundle it (NodeSource); Debian ships it apart.
if [ "${1:-all}" != build ] && ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
