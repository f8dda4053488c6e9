#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for tests and benchmarks, and prints the
# environment that points databunker at it.
#
#   eval "$(scripts/pg-up.sh start DIR [--fast])"   # prints export lines
#   scripts/pg-up.sh restart DIR                     # stop and start again, same port
#   scripts/pg-up.sh stop DIR                        # stop it (data stays in DIR)
#   scripts/pg-up.sh resume DIR                      # start a stopped one again
#
# DIR is a new or empty directory that holds the cluster, its socket and its
# log. The server listens on 127.0.0.1 on a random free port. It runs as the
# user "postgres" when started as root (PostgreSQL refuses root). The role it
# creates for the vault (bunker) is an ordinary role with CREATEDB: not a
# superuser, so row-level security applies to it. --fast turns fsync off (test
# data only; never for a benchmark that compares durability).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
fast=${3:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|restart|stop|resume DIR [--fast]" >&2
    exit 2
fi

pgbin=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && pgbin="$d"
done
if [ -z "$pgbin" ]; then
    echo "pg-up: PostgreSQL server binaries not found (install postgresql)" >&2
    exit 1
fi

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pgctl() {
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 "$@" >/dev/null
}

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # Parents made by mktemp are private to root: let postgres pass through.
        p="$dir"
        while p=$(dirname "$p") && [ "$p" != "/" ]; do
            [ "$(stat -c %U "$p")" = root ] && chmod o+x "$p" 2>/dev/null || true
        done
    fi
    port=$(free_port)
    pass=$(openssl rand -hex 16)
    as_pg "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "max_connections = 200"
        echo "shared_buffers = 64MB"
        if [ "$fast" = "--fast" ]; then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } >>"$dir/data/postgresql.conf"
    # Local socket: trust (the admin); TCP: password (the vault's role).
    cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
EOF
    echo "$port" >"$dir/port"
    pgctl start || { tail -20 "$dir/server.log" >&2; exit 1; }
    as_pg "$pgbin/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE bunker LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS PASSWORD '$pass'" \
        -c "CREATE DATABASE databunker OWNER bunker" >/dev/null
    echo "export PGSQL_HOST=127.0.0.1"
    echo "export PGSQL_PORT=$port"
    echo "export PGSQL_USER_NAME=bunker"
    echo "export PGSQL_USER_PASS=$pass"
    echo "export PGUP_DIR=$dir"
    echo "export PGUP_BIN=$pgbin"
    ;;
restart)
    pgctl stop -m fast
    pgctl start
    ;;
resume)
    pgctl start
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        pgctl stop -m fast || pgctl stop -m immediate || true
    fi
    ;;
*)
    echo "usage: $0 start|restart|stop|resume DIR [--fast]" >&2
    exit 2
    ;;
esac
