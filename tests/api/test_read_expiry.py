"""A read of a user checks the user's expiration. On PostgreSQL and MariaDB
the statement that finds the user brings its user_expiry row along (LEFT
JOIN, store/pgsql.c and store/mysql.c sql_user_by_token/_by_index; struct
user_row's exp_ fields), so expiration_check() sends no statement of its
own: a read is one round trip fewer, counted here in the database server's
own statistics. SQLite keeps its two in-process lookups.

The expiration a read sees must not change at all, on every backend, by
token and through an index (email, /v2 UserGet): an expiry row marked
expired hides the user, one past its end hides them before the sweep has
forgotten them, a retained or cancelled one shows zeros, and a row whose
columns make no sense (an unknown state, a bad token hash or box) answers
as before: the user, with no expiration."""

import os
import subprocess
import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_not_found, assert_ok

# no sweep during a test: it would forget users, and its statements would count
CONF = "generic:\n  sweep_interval_ms: 3600000\n"
FAR = 4102444800    # 2100-01-01
READS = 40


@pytest.fixture
def srv(server_factory):
    return bl.started(server_factory, CONF)


def create(api, p, **extra):
    return assert_ok(api.v2("UserCreate", dict({"profile": p}, **extra)))["token"]


def reads(api, tok, p):
    """The user's three reads: by token, by email (an index), /v2 by token;
    each answer's (finaltime, slidingtime, expirationtime) from /v2."""
    assert api.user_data("token", tok) == p
    assert api.user_data("email", p["email"]) == p
    b = assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))
    assert b["profile"] == p
    e = assert_ok(api.v2("UserGet", {"mode": "email", "identity": p["email"]}))
    assert e["profile"] == p
    times = (b["finaltime"], b["slidingtime"], b["expirationtime"])
    assert (e["finaltime"], e["slidingtime"], e["expirationtime"]) == times
    return times


def all_not_found(api, tok, p):
    assert_not_found(api.get_user("token", tok))
    assert_not_found(api.get_user("email", p["email"]))
    assert_not_found(api.v2("UserGet", {"mode": "token", "identity": tok}))
    assert_not_found(api.v2("UserGet", {"mode": "email", "identity": p["email"]}))


def set_expiry(srv, tok, **cols):
    names = sorted(cols)
    bl.store_exec(srv, "UPDATE user_expiry SET " + ", ".join(f"{n} = ?" for n in names) +
                  " WHERE record = ?", tuple(cols[n] for n in names) + (tok,))


# ---------------------------------------------------------------- what a read sees

def test_no_expiration_reads_zeros(srv):
    api = srv.client()
    p = bl.profile()
    tok = create(api, p)
    assert reads(api, tok, p) == (0, 0, 0)


def test_final_time_read_with_the_user(srv):
    api = srv.client()
    p = bl.profile()
    tok = create(api, p, finaltime=FAR)
    assert reads(api, tok, p) == (FAR, 0, FAR)


def test_sliding_time_read_and_moved(srv):
    api = srv.client()
    p = bl.profile()
    t0 = int(time.time())
    tok = create(api, p, slidingtime="1h")
    f, s, e = reads(api, tok, p)
    assert f == 0 and t0 + 3600 <= s == e <= int(time.time()) + 3600
    # the read moved the stored end along (expiration_touch's write)
    time.sleep(1.1)
    f2, s2, e2 = reads(api, tok, p)
    assert s2 > s and e2 == s2
    assert bl.store_rows(srv, "SELECT endtime FROM user_expiry WHERE record = ?",
                         (tok,)) == [(e2,)]


def test_marked_expired_hides_the_user(srv):
    api = srv.client()
    p = bl.profile()
    tok = create(api, p, finaltime=FAR)
    assert reads(api, tok, p) == (FAR, 0, FAR)
    set_expiry(srv, tok, state=3)       # EXPIRY_EXPIRED, the sweep not done yet
    all_not_found(api, tok, p)


def test_past_its_end_hides_the_user_before_the_sweep(srv):
    api = srv.client()
    p = bl.profile()
    tok = create(api, p, finaltime=FAR)
    past = int(time.time()) - 10
    set_expiry(srv, tok, finaltime=past, endtime=past)
    all_not_found(api, tok, p)
    # not forgotten yet: the sweep does that
    assert bl.store_rows(srv, "SELECT status FROM users WHERE token = ?", (tok,)) == [(1,)]


def test_flow_start_cancel_retain_as_reads_see_them(srv):
    api = srv.client()
    p = bl.profile()
    tok = create(api, p, slidingtime="1h")
    assert reads(api, tok, p)[1] > 0
    b = assert_ok(api.post(f"/v1/exp/start/{tok}", json={"expiration": "10d"}))
    f, s, e = reads(api, tok, p)
    assert f == 0 and s == 0 and int(time.time()) + 10 * 86400 - 5 <= e
    assert_ok(srv.client(token=None).get(f"/v1/exp/retain/{b['exptoken']}",
                                         headers={"Accept": "application/json"}))
    assert reads(api, tok, p) == (0, 0, 0)
    assert_ok(api.post(f"/v1/exp/start/{tok}", json={"expiration": "10d"}))
    assert reads(api, tok, p)[2] > 0
    assert_ok(api.post(f"/v1/exp/cancel/{tok}"))
    assert reads(api, tok, p) == (0, 0, 0)


def test_forgotten_by_its_link_is_not_found(srv):
    api = srv.client()
    p = bl.profile()
    tok = create(api, p, finaltime=FAR)
    b = assert_ok(api.post(f"/v1/exp/start/{tok}", json={"expiration": "10d"}))
    r = srv.client(token=None).get(f"/v1/exp/delete/{b['exptoken']}",
                                   headers={"Accept": "application/json"})
    assert_ok(r)
    all_not_found(api, tok, p)


# ---------------------------------------------------------------- rows that make no sense

@pytest.mark.parametrize("cols,want", [
    ({"state": 99}, (0, 0, 0)),                           # a state no code writes
    ({"state": -1, "sliding": -7, "endtime": -5, "touched": -3}, (0, 0, 0)),
    ({"sliding": -7, "touched": -3}, (FAR, 0, FAR)),      # waiting, nonsense sliding
    ({"exptoken_hash": b"\x01\x02\x03", "exptoken_box": b"not a box"}, (FAR, 0, FAR)),
    ({"record": "00000000-0000-4000-8000-000000000000"}, (FAR, 0, FAR)),
], ids=["unknown-state", "negative-times", "bad-sliding", "bad-exptoken", "wrong-record"])
def test_a_row_that_makes_no_sense_answers_as_before(srv, cols, want):
    """The row belongs to its user by user_id; a read uses only its state and
    times, as it did when it was a lookup of its own."""
    api = srv.client()
    p = bl.profile()
    tok = create(api, p, finaltime=FAR)
    other = bl.profile()
    otok = create(api, other)
    set_expiry(srv, tok, **cols)
    assert reads(api, tok, p) == want
    assert reads(api, otok, other) == (0, 0, 0)


# ---------------------------------------------------------------- round trips

def statements(srv):
    """What PostgreSQL counts per statement the vault sends outside a
    transaction: each is a transaction of its own, counted in
    pg_stat_database.xact_commit (as are the audit batch's statements)."""
    # asked from another database: this session's own commits would count
    cp = subprocess.run([bl._pg_cmd("psql"), "-h", os.environ["PGUP_DIR"], "-p",
                         os.environ["PGSQL_PORT"], "-U", "postgres", "-d", "postgres",
                         "-At", "-c", "SELECT xact_commit FROM pg_stat_database "
                         f"WHERE datname = '{srv.db_name}'"],
                        capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, cp.stderr
    return int(cp.stdout.strip())


def settled(srv, at_least):
    """The count once it has reached <at_least> (or 30 s passed) and then
    stood still: a PostgreSQL backend reports its counts when it goes idle,
    at most every 10 s, not at once."""
    deadline = time.monotonic() + 30
    n = statements(srv)
    while n < at_least and time.monotonic() < deadline:
        time.sleep(0.5)
        n = statements(srv)
    stable = time.monotonic()
    deadline = stable + 60
    while time.monotonic() - stable < 11 and \
            time.monotonic() < deadline:
        time.sleep(0.5)
        m = statements(srv)
        if m != n:
            n, stable = m, time.monotonic()
    return n


def expiry_users(api):
    users = []
    for i in range(4):
        p = bl.profile()
        users.append((create(api, p, **({"finaltime": FAR} if i % 2 else {})), p, i % 2))
    for tok, p, _ in users:
        assert api.user_data("token", tok) == p
    return users


def read_all(api, users):
    for i in range(READS):
        tok, p, expiring = users[i % len(users)]
        if i % 3:
            assert api.user_data("token", tok) == p
        else:
            b = assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))
            assert b["profile"] == p and b["finaltime"] == (FAR if expiring else 0)


@pytest.mark.skipif(bl.store_kind() != "pgsql", reason="PostgreSQL's per-database counters")
def test_a_read_is_one_statement_for_user_and_expiry(srv):
    """Per read by token (/v1 and /v2), of users with and without an
    expiration: the user with its expiration (1) and the audit event's
    transaction (1); before, the expiry row was a statement of its own (3 in
    all)."""
    api = srv.client()
    users = expiry_users(api)
    before = settled(srv, 0)
    read_all(api, users)
    per_read = (settled(srv, before + 2 * READS) - before) / READS
    assert 1 <= per_read <= 2.5, f"{per_read} statements a read (was 3 with its own expiry)"


def vault_log(srv, where):
    """How many statements <srv>'s own connections (those using its database)
    sent that match <where> over mysql.general_log's columns, in the log."""
    out = bl.sql_as_vault_role(
        srv, "SELECT count(*) FROM mysql.general_log WHERE command_type = 'Execute' "
             "AND thread_id IN (SELECT ID FROM information_schema.PROCESSLIST "
             f"WHERE DB = '{srv.db_name}') AND ({where})")
    return int(out.split()[0])


@pytest.mark.skipif(bl.store_kind() != "mysql", reason="MariaDB's general log")
def test_a_read_sends_no_expiry_statement_of_its_own(srv):
    """The statements the vault's own connections send while it reads (the
    general log, so other vaults on the server do not count): no lookup of
    user_expiry by itself (was one per read), and at most the user with its
    expiration and the audit batch's share per read."""
    api = srv.client()
    users = expiry_users(api)
    bl.sql_as_vault_role(srv, "SET GLOBAL log_output = 'TABLE'; "
                              "TRUNCATE TABLE mysql.general_log; SET GLOBAL general_log = 1")
    try:
        read_all(api, users)
        time.sleep(1)           # the audit queue's last batch
    finally:
        bl.sql_as_vault_role(srv, "SET GLOBAL general_log = 0")
    own = vault_log(srv, "argument LIKE '%FROM user_expiry%'")
    joined = vault_log(srv, "argument LIKE '%LEFT JOIN user_expiry%'")
    selects = vault_log(srv, "argument LIKE 'SELECT%'")
    assert own == 0, f"{own} lookups of user_expiry of their own for {READS} reads"
    assert joined >= READS, (joined, READS)
    assert selects <= 2.5 * READS, f"{selects} SELECTs for {READS} reads"
