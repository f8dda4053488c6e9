#!/usr/bin/env bash
# Starts a throwaway MariaDB server for tests and benchmarks, and prints the
# environment that points databunker at it.
#
#   eval "$(scripts/mysql-up.sh start DIR [--fast])"  # prints export lines
#   scripts/mysql-up.sh restart DIR                    # stop and start again, same port
#   scripts/mysql-up.sh stop DIR
#   scripts/mysql-up.sh resume DIR                     # start a stopped one again
#
# DIR is a new or empty directory for the data, the socket and the log. The
# server listens on 127.0.0.1 on a random free port and runs as the user
# "mysql" when started as root. The vault's account (bunker) may create
# databases, so each test server can have its own. --fast relaxes flushing
# (test data only).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
fast=${3:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|restart|stop|resume DIR [--fast]" >&2
    exit 2
fi
for b in mariadbd mariadb-install-db mariadb-admin mariadb; do
    if ! command -v "$b" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$b" ]; then
        echo "mysql-up: $b not found (install mariadb-server and mariadb-client)" >&2
        exit 1
    fi
done
mariadbd=$(command -v mariadbd 2>/dev/null || echo /usr/sbin/mariadbd)

owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then owner=mysql; fi

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

launch() {
    local port
    port=$(cat "$dir/port")
    local opts=(--no-defaults --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1
                --socket="$dir/mysql.sock" --pid-file="$dir/mysqld.pid" --user="$owner"
                --log-error="$dir/server.log" --skip-log-bin --innodb-buffer-pool-size=64M
                --max-connections=300 --character-set-server=utf8mb4
                --collation-server=utf8mb4_bin)
    if [ -f "$dir/fast" ]; then
        opts+=(--innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --innodb-doublewrite=0)
    fi
    "$mariadbd" "${opts[@]}" >/dev/null 2>&1 </dev/null &
    for _ in $(seq 1 300); do
        if mariadb-admin --no-defaults --socket="$dir/mysql.sock" -uroot ping >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    tail -30 "$dir/server.log" >&2
    return 1
}

halt() {
    local pid
    [ -f "$dir/mysqld.pid" ] || return 0
    pid=$(cat "$dir/mysqld.pid")
    mariadb-admin --no-defaults --socket="$dir/mysql.sock" -uroot shutdown >/dev/null 2>&1 ||
        kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$dir/mysqld.pid"; return 0; }
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/mysqld.pid"
}

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        chown mysql: "$dir"
        p="$dir"
        while p=$(dirname "$p") && [ "$p" != "/" ]; do
            [ "$(stat -c %U "$p")" = root ] && chmod o+x "$p" 2>/dev/null || true
        done
    fi
    [ "$fast" = "--fast" ] && touch "$dir/fast"
    free_port >"$dir/port"
    pass=$(openssl rand -hex 16)
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$owner" \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
    launch
    mariadb --no-defaults --socket="$dir/mysql.sock" -uroot -e "
        CREATE USER 'bunker'@'127.0.0.1' IDENTIFIED BY '$pass';
        CREATE USER 'bunker'@'localhost' IDENTIFIED BY '$pass';
        GRANT ALL PRIVILEGES ON *.* TO 'bunker'@'127.0.0.1';
        GRANT ALL PRIVILEGES ON *.* TO 'bunker'@'localhost';
        CREATE DATABASE databunker;"
    echo "export MYSQL_HOST=127.0.0.1"
    echo "export MYSQL_PORT=$(cat "$dir/port")"
    echo "export MYSQL_USER_NAME=bunker"
    echo "export MYSQL_USER_PASS=$pass"
    echo "export MYSQLUP_DIR=$dir"
    ;;
restart)
    halt
    launch
    ;;
resume)
    launch
    ;;
stop)
    halt
    ;;
*)
    echo "usage: $0 start|restart|stop|resume DIR [--fast]" >&2
    exit 2
    ;;
esac
