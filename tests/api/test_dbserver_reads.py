"""On PostgreSQL and MariaDB a read opens no transaction (store/pgsql.c
pgs_begin, store/mysql.c mys_begin): at READ COMMITTED every statement of a
transaction takes a snapshot of its own anyway, so BEGIN READ ONLY and its
ROLLBACK bought nothing but two round trips a read. Counted in the database
server's own statistics: reads add commits (their audit events) and no
rollbacks. Reads still answer after the database
server restarted under the vault's pooled connections (the first statement
of a read connects again), and a read of a missing user is still a 404."""

import time

import pytest

import bunkerlib as bl
from bunkerlib import v2_ok

pytestmark = pytest.mark.skipif(bl.store_kind() == "sqlite",
                                reason="the transactions of a database server")

READS = 60


def xacts(srv):
    """(commits, rollbacks) the database server has counted: PostgreSQL per
    database, MariaDB server-wide (one server per test worker)."""
    if srv.store == "pgsql":
        out = bl.sql_as_vault_role(srv, "SELECT xact_commit, xact_rollback FROM "
                                        "pg_stat_database WHERE datname = current_database()")
        commits, rollbacks = out.strip().split("|")
        return int(commits), int(rollbacks)
    out = bl.sql_as_vault_role(srv, "SHOW GLOBAL STATUS WHERE Variable_name IN "
                                    "('Com_commit', 'Com_rollback')")
    counts = dict(line.split("\t") for line in out.strip().splitlines())
    return int(counts["Com_commit"]), int(counts["Com_rollback"])


def settled(srv, commits_at_least):
    """The counters once the vault's connections have reported at least
    <commits_at_least> commits, and a moment later (a backend reports its
    counts when it goes idle, within a second or so, not at once)."""
    deadline = time.monotonic() + 30
    while xacts(srv)[0] < commits_at_least and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)
    return xacts(srv)


def test_reads_open_no_transaction(fresh_server):
    api = fresh_server.client()
    users = []
    for _ in range(5):
        p = bl.profile()
        users.append((api.create_user(p), p))
    c0, r0 = settled(fresh_server, 0)
    for i in range(READS):
        tok, p = users[i % len(users)]
        if i % 3 == 0:
            assert api.user_data("token", tok) == p
        elif i % 3 == 1:
            assert api.user_data("email", p["email"]) == p
        else:
            assert v2_ok(api, "UserGet", {"mode": "token", "identity": tok})["profile"] == p
    # every read commits its audit event (one transaction per read here: they
    # come one at a time), so the counts have come in once READS more commits have
    c1, r1 = settled(fresh_server, c0 + READS)
    assert c1 - c0 >= READS, (c0, c1)
    assert r1 - r0 < READS // 4, f"{r1 - r0} rollbacks for {READS} reads"


def test_reads_answer_after_the_database_restarts(fresh_server):
    api = fresh_server.client()
    p = bl.profile()
    tok = api.create_user(p)
    assert api.user_data("token", tok) == p
    bl.db_server_restart()
    # every pooled connection was closed by the server: each read connects again
    for _ in range(3):
        assert api.user_data("token", tok) == p
        assert api.user_data("email", p["email"]) == p
    bl.assert_not_found(api.get_user("token", "00000000-0000-4000-8000-000000000000"))
