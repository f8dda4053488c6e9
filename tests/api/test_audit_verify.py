"""`databunker audit-verify`: the audit hash chains and their signed heads are
checked offline; every kind of tampering with the raw SQLite file (edit,
delete, reorder, truncate the newest events, rewrite the whole chain, touch
the head) is caught and named by event id and atoken."""

import hashlib
import sqlite3
import struct

import pytest

import bunkerlib as bl
from bunkerlib import assert_ok

pytestmark = pytest.mark.slow

# Tampering edits a copy of the SQLite file; on PostgreSQL and MariaDB the
# verifier itself runs (an intact trail, a running server), the edits do not.
sqlite_only = pytest.mark.skipif(bl.store_kind() != "sqlite",
                                 reason="tampers with a copy of the raw SQLite file")


@pytest.fixture(scope="module")
def trail(tmp_path_factory):
    """A stopped server whose database holds a few dozen audit events."""
    srv = bl.Server(tmp_path_factory.mktemp("auditverify"))
    srv.init()
    srv.start()
    api = srv.client()
    toks = []
    for i in range(5):
        p = bl.profile()
        tok = api.create_user(p)
        toks.append(tok)
        assert_ok(api.get_user("email", p["email"]))
        assert_ok(api.put_user("token", tok, {"fname": f"n{i}"}))
    assert_ok(api.delete_user("token", toks[0]))
    srv.stop()
    yield srv


def _copy(trail, tmp_path):
    dst = tmp_path / "copy.db"
    bl.sqlite_copy(trail.db_path, dst)
    return dst


def _ids(db):
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute("SELECT id FROM audit ORDER BY id")]


def _atoken(db, i):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT atoken FROM audit WHERE id = ?", (i,)).fetchone()[0]


def _sql(db, *stmts):
    c = sqlite3.connect(db)
    try:
        for s, *args in stmts:
            c.execute(s, *args)
        c.commit()
    finally:
        c.close()


def _broken(trail, db):
    rc, out = bl.audit_verify(trail, db)
    assert rc == 1, f"tampering not caught: rc={rc}\n{out}"
    assert "BROKEN" in out, out
    return out


def test_intact_trail_verifies(trail, tmp_path):
    rc, out = bl.audit_verify_own(trail)
    assert rc == 0, out
    assert "intact" in out
    if bl.store_kind() != "sqlite":
        return
    db = _copy(trail, tmp_path)
    assert len(_ids(db)) >= 16
    rc, out = bl.audit_verify(trail, db)
    assert rc == 0, out


@sqlite_only
def test_edited_event_is_named(trail, tmp_path):
    db = _copy(trail, tmp_path)
    ids = _ids(db)
    victim = ids[len(ids) // 2]
    _sql(db, ("UPDATE audit SET action = 'UserGet' WHERE id = ?", (victim,)),
         ("UPDATE audit SET status = 'error' WHERE id = ?", (victim,)))
    out = _broken(trail, db)
    assert f"event {victim} " in out and _atoken(db, victim) in out and "edited" in out


@sqlite_only
def test_edited_sealed_details_are_caught(trail, tmp_path):
    db = _copy(trail, tmp_path)
    ids = _ids(db)
    victim = ids[1]
    _sql(db, ("UPDATE audit SET sealed = zeroblob(40) WHERE id = ?", (victim,)))
    out = _broken(trail, db)
    assert f"event {victim} " in out and "edited" in out


@sqlite_only
def test_deleted_event_in_the_middle(trail, tmp_path):
    db = _copy(trail, tmp_path)
    ids = _ids(db)
    victim, nxt, before = ids[5], ids[6], ids[4]
    nxt_atoken = _atoken(db, nxt)
    _sql(db, ("DELETE FROM audit WHERE id = ?", (victim,)))
    out = _broken(trail, db)
    assert f"event {nxt} (atoken {nxt_atoken}) does not follow event {before}" in out, out


@sqlite_only
def test_deleted_first_event(trail, tmp_path):
    db = _copy(trail, tmp_path)
    ids = _ids(db)
    _sql(db, ("DELETE FROM audit WHERE id = ?", (ids[0],)))
    out = _broken(trail, db)
    assert f"event {ids[1]} " in out and "not the start of the chain" in out


@sqlite_only
def test_reordered_events(trail, tmp_path):
    db = _copy(trail, tmp_path)
    ids = _ids(db)
    a, b = ids[3], ids[7]
    _sql(db, ("UPDATE audit SET id = -1 WHERE id = ?", (a,)),
         ("UPDATE audit SET id = ? WHERE id = ?", (a, b)),
         ("UPDATE audit SET id = ? WHERE id = -1", (b,)))
    out = _broken(trail, db)
    assert f"event {a} " in out and "does not follow" in out


@sqlite_only
def test_truncated_tail_is_caught_by_the_signed_head(trail, tmp_path):
    db = _copy(trail, tmp_path)
    ids = _ids(db)
    _sql(db, ("DELETE FROM audit WHERE id >= ?", (ids[-3],)))
    out = _broken(trail, db)
    assert f"newest event is {ids[-4]} (atoken {_atoken(db, ids[-4])})" in out, out
    assert "newest events were removed" in out


@sqlite_only
def test_all_events_deleted(trail, tmp_path):
    db = _copy(trail, tmp_path)
    _sql(db, ("DELETE FROM audit",))
    out = _broken(trail, db)
    assert "every event was removed" in out


@sqlite_only
def test_head_deleted_or_forged(trail, tmp_path):
    db = _copy(trail, tmp_path)
    _sql(db, ("DELETE FROM audit_head",))
    assert "head is missing" in _broken(trail, db)
    db2 = tmp_path / "copy2.db"
    bl.sqlite_copy(trail.db_path, db2)
    _sql(db2, ("UPDATE audit_head SET mac = zeroblob(32)",))
    assert "does not verify" in _broken(trail, db2)


def _feed(h, b):
    h.update(struct.pack(">Q", len(b)))
    h.update(b)


def _row_hash(row, prev):
    (tenant, atoken, record, at, action, who, mode, status, msg, sealed) = row
    h = hashlib.sha256()
    _feed(h, prev)
    _feed(h, struct.pack(">q", tenant))
    for s in (atoken, record):
        _feed(h, s.encode())
    _feed(h, struct.pack(">q", at))
    for s in (action, who, mode, status, msg):
        _feed(h, s.encode())
    _feed(h, sealed or b"")
    return h.digest()


@sqlite_only
def test_rewritten_chain_is_caught_by_the_signed_head(trail, tmp_path):
    """An attacker who edits an event and recomputes every later hash (SHA-256
    needs no key) leaves a consistent chain: only the signed head, which needs
    the audit key, shows it."""
    db = _copy(trail, tmp_path)
    c = sqlite3.connect(db)
    rows = c.execute("SELECT id, tenant, atoken, record, at, action, who, mode, status, msg, "
                     "sealed FROM audit ORDER BY id").fetchall()
    # first make sure the Python hash is the server's: recomputing changes nothing
    prev = bytes(32)
    for r in rows:
        stored = c.execute("SELECT hash FROM audit WHERE id = ?", (r[0],)).fetchone()[0]
        prev = _row_hash(r[1:], prev)
        assert prev == stored
    c.execute("UPDATE audit SET who = 'someone-else' WHERE id = ?", (rows[2][0],))
    prev = bytes(32)
    for r in c.execute("SELECT id, tenant, atoken, record, at, action, who, mode, status, msg, "
                       "sealed FROM audit ORDER BY id").fetchall():
        h = _row_hash(r[1:], prev)
        c.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, r[0]))
        prev = h
    c.commit()
    c.close()
    out = _broken(trail, db)
    assert "chain was rewritten" in out, out


def test_running_server_keeps_the_trail_verifiable(fresh_server):
    api = fresh_server.client()
    for _ in range(3):
        tok = api.create_user(bl.profile())
        assert_ok(api.get_user("token", tok))
    rc, out = bl.audit_verify_own(fresh_server)
    assert rc == 0, out


def test_verify_of_uninitialized_db_is_exit_2(server_factory, tmp_path):
    srv = server_factory()
    if bl.store_kind() == "sqlite":
        rc, out = bl.audit_verify(srv, tmp_path / "nothing.db")
    else:
        rc, out = bl.audit_verify_own(srv)     # a new, empty database
    assert rc == 2, out


# ---------------------------------------------------------------- PostgreSQL and MariaDB

server_db_only = pytest.mark.skipif(bl.store_kind() == "sqlite",
                                    reason="edits the database server's tables")


def _server_sql(srv, sql):
    """<sql> as the vault's account; on PostgreSQL with the default tenant's
    row-level security setting, as the vault itself runs."""
    pre = "SET app.tenant = '0'; " if srv.store == "pgsql" else ""
    return bl.sql_as_vault_role(srv, pre + sql)


def _server_trail(srv):
    api = srv.client()
    for i in range(3):
        tok = api.create_user(bl.profile())
        assert_ok(api.get_user("token", tok))
        assert_ok(api.put_user("token", tok, {"fname": f"n{i}"}))
    rc, out = bl.audit_verify_own(srv)
    assert rc == 0 and "intact" in out, out
    out = _server_sql(srv, "SELECT id FROM audit ORDER BY id")
    ids = [int(x) for x in out.split() if x.isdigit()]     # psql echoes "SET" first
    assert len(ids) >= 9, ids
    return ids


@server_db_only
def test_server_db_edited_event_is_named(fresh_server):
    ids = _server_trail(fresh_server)
    victim = ids[len(ids) // 2]
    _server_sql(fresh_server,
                f"UPDATE audit SET action = 'UserGet', status = 'error' WHERE id = {victim}")
    rc, out = bl.audit_verify_own(fresh_server)
    assert rc == 1 and "BROKEN" in out, out
    assert f"event {victim} " in out and "edited" in out, out


@server_db_only
def test_server_db_truncated_tail_is_caught_by_the_signed_head(fresh_server):
    ids = _server_trail(fresh_server)
    _server_sql(fresh_server, f"DELETE FROM audit WHERE id >= {ids[-3]}")
    rc, out = bl.audit_verify_own(fresh_server)
    assert rc == 1 and "BROKEN" in out, out
    assert f"newest event is {ids[-4]} " in out and "newest events were removed" in out, out
