"""The read journal (SQLite): a read's audit event is appended to
<db>.journal.<gen> and imported into the audit table in batches. Every
guarantee of the audit trail holds: listings right after reads show them, a
read before a write of the same user stays before it in the chain, a SIGKILL
loses no acknowledged read and imports none twice, a torn record is skipped,
a failed journal write fails the read, backup and tenant delete see the
journaled events, and the file holds sealed events only."""

import os
import random
import sqlite3
import threading
import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok

# Nothing is imported in the background during a test unless it says so:
# whatever an assertion finds imported came through the path under test.
SLOW_IMPORT = "database:\n  journal_import_ms: 600000\n"


@pytest.fixture(autouse=True)
def _sqlite_only():
    if bl.store_kind() != "sqlite":
        pytest.skip("the read journal is SQLite's; the database servers keep the audit queue")


def _started(server_factory, conf=SLOW_IMPORT):
    srv = server_factory(conf=conf)
    srv.init()
    srv.start()
    return srv


def _kill(srv):
    srv.proc.kill()
    srv.proc.wait(timeout=10)
    srv._close_files()


def _titles(api, tok, headers=None):
    """The user's audit titles, oldest first."""
    r = api.get(f"/v1/audit/list/{bl.q(tok)}?offset=0&limit=1000", headers=headers)
    return [x["title"] for x in reversed(assert_ok(r)["rows"])]


def _gets(api, tok, headers=None):
    return _titles(api, tok, headers).count("UserGet")


def _audit_rows(srv, tenant=None):
    if tenant is None:
        return bl.db_query(srv, "SELECT atoken, tenant, action FROM audit")
    return bl.db_query(srv, "SELECT atoken, tenant, action FROM audit WHERE tenant = ?",
                       (tenant,))


def test_journal_files_are_private_and_fill_with_reads(server_factory):
    srv = _started(server_factory)
    api = srv.client()
    tok = api.create_user(bl.profile())
    before = sum(f.stat().st_size for f in bl.journal_files(srv))
    for _ in range(5):
        assert_ok(api.get_user("token", tok))
    files = bl.journal_files(srv)
    assert files, "no journal file beside the database"
    assert sum(f.stat().st_size for f in files) > before
    for f in files + [bl.journal_lock_file(srv)]:
        assert (f.stat().st_mode & 0o777) == 0o600, (f, oct(f.stat().st_mode))


def test_listings_right_after_reads_show_them(server_factory):
    srv = _started(server_factory)
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    for i in range(1, 6):
        assert_ok(api.get_user("token", tok))
        assert_ok(api.get_user("email", p["email"]))
        assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))
        # every listing path, right after the reads
        assert _gets(api, tok) == 3 * i
    b = assert_ok(api.v2("AuditListUserEvents", {"mode": "token", "identity": tok,
                                                 "offset": 0, "limit": 100}))
    assert sum(1 for r in b["rows"] if r.get("eventtype") == "UserGet") == 15, b
    # AuditGet of a read journaled a moment ago: its token comes from a
    # listing, which imports it; then AuditGet alone after further reads
    assert_ok(api.get_user("token", tok))
    newest = assert_ok(api.get(f"/v1/audit/list/{tok}?offset=0&limit=1"))["rows"][0]
    assert newest["title"] == "UserGet"
    for _ in range(3):
        assert_ok(api.get_user("token", tok))
    ev = assert_ok(api.audit_get(newest["atoken"]))["event"]
    assert ev["title"] == "UserGet" and ev["atoken"] == newest["atoken"]
    assert ev["identity"] == tok if "identity" in ev else True
    assert _gets(api, tok) == 19


def test_user_report_shows_journaled_reads(server_factory):
    srv = _started(server_factory)
    api = srv.client()
    tok = api.create_user(bl.profile())
    for _ in range(4):
        assert_ok(api.get_user("token", tok))
    b = assert_ok(api.v2("SystemGetUserReport", {"mode": "token", "identity": tok}))
    events = b["report"]["audit"]["events"]
    assert sum(1 for e in events if e["action"] == "UserGet") == 4, events


def test_read_then_write_keeps_order_across_tenants(server_factory):
    """Sequential reads and writes of several users in three tenants, in a
    random interleaving: each user's trail lists them in the order they were
    answered, and the chains verify."""
    srv = _started(server_factory)
    api = srv.client()
    tenants = [None]
    for _ in range(2):
        name, _, _ = bl.create_tenant(api)
        tenants.append({"X-Bunker-Tenant": name})
    users = []
    for h in tenants:
        for _ in range(2):
            r = api.post("/v1/user", json=bl.profile(), headers=h)
            users.append((assert_ok(r)["token"], h, ["UserCreate"]))
    rnd = random.Random(7)
    for step in range(120):
        tok, h, seq = rnd.choice(users)
        if rnd.random() < 0.65:
            assert_ok(api.get(f"/v1/user/token/{tok}", headers=h))
            seq.append("UserGet")
        else:
            r = api.put(f"/v1/user/token/{tok}", json={"fname": f"N{step}"}, headers=h)
            assert_ok(r)
            seq.append("UserUpdate")
    for tok, h, seq in users:
        got = [t for t in _titles(api, tok, h) if t in ("UserCreate", "UserGet", "UserUpdate")]
        assert got == seq, (tok, got, seq)
    rc, out = bl.audit_verify_own(srv)
    assert rc == 0, out


def test_read_then_write_keeps_order_under_concurrency(server_factory):
    """Each thread reads and writes its own user in a random sequence while
    the others do the same (group commit batches their writes together, and
    the background importer runs): every user's trail is that sequence."""
    srv = _started(server_factory, conf="database:\n  journal_import_ms: 5\n")
    api = srv.client()
    name, _, _ = bl.create_tenant(api)
    hdrs = [None, {"X-Bunker-Tenant": name}]
    users, errors = [], []
    for i in range(8):
        h = hdrs[i % 2]
        r = api.post("/v1/user", json=bl.profile(), headers=h)
        users.append((assert_ok(r)["token"], h, ["UserCreate"]))

    def work(i):
        c = srv.client()
        tok, h, seq = users[i]
        rnd = random.Random(i)
        for step in range(40):
            if rnd.random() < 0.7:
                r = c.get(f"/v1/user/token/{tok}", headers=h)
                t = "UserGet"
            else:
                r = c.put(f"/v1/user/token/{tok}", json={"fname": f"T{i}x{step}"}, headers=h)
                t = "UserUpdate"
            if r.status_code != 200:
                errors.append(bl.describe(r))
                return
            seq.append(t)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors[:3]
    for tok, h, seq in users:
        got = [t for t in _titles(api, tok, h) if t in ("UserCreate", "UserGet", "UserUpdate")]
        assert got == seq, (tok, got, seq)
    srv.stop()
    rc, out = bl.audit_verify(srv)
    assert rc == 0, out
    assert not bl.journal_events_left(srv)


@pytest.mark.parametrize("conf", [SLOW_IMPORT, SLOW_IMPORT + "  lazy_sync_ms: 0\n",
                                  "database:\n  journal_import_ms: 20\n"])
def test_sigkill_after_acknowledged_reads_loses_none_and_doubles_none(server_factory, conf):
    srv = _started(server_factory, conf)
    api = srv.client()
    name, _, _ = bl.create_tenant(api)
    h = {"X-Bunker-Tenant": name}
    tok0 = api.create_user(bl.profile())
    tok1 = assert_ok(api.post("/v1/user", json=bl.profile(), headers=h))["token"]
    # some imported (a listing settles them), then more that stay journaled
    for _ in range(7):
        assert_ok(api.get_user("token", tok0))
    assert _gets(api, tok0) == 7
    n0, n1, lock, errors = [7], [0], threading.Lock(), []

    def reader(i):
        c = srv.client()
        for k in range(25):
            if (i + k) % 2:
                r, cnt = c.get_user("token", tok0), n0
            else:
                r, cnt = c.get(f"/v1/user/token/{tok1}", headers=h), n1
            if r.status_code != 200:
                errors.append(bl.describe(r))
                return
            with lock:
                cnt[0] += 1

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    _kill(srv)
    # audit-verify on the stopped server imports the journal first
    rc, out = bl.audit_verify(srv)
    assert rc == 0, out
    srv.start()
    api = srv.client()
    assert _gets(api, tok0) == n0[0]
    assert _gets(api, tok1, h) == n1[0]
    rows = _audit_rows(srv)
    assert len({r[0] for r in rows}) == len(rows)
    _kill(srv)
    srv.start()
    api = srv.client()
    assert _gets(api, tok0) == n0[0]
    assert _gets(api, tok1, h) == n1[0]
    srv.stop()
    rc, out = bl.audit_verify(srv)
    assert rc == 0, out


def test_sigkill_then_restart_imports_at_start(server_factory):
    srv = _started(server_factory)
    api = srv.client()
    tok = api.create_user(bl.profile())
    for _ in range(30):
        assert_ok(api.get_user("token", tok))
    _kill(srv)
    assert bl.journal_events_left(srv), "the reads were imported before the kill"
    imported = len(_audit_rows(srv))
    srv.start()
    assert len(_audit_rows(srv)) == imported + 30
    assert not bl.journal_events_left(srv)
    assert _gets(srv.client(), tok) == 30


def _killed_after_reads(server_factory, n):
    """A server killed right after <n> reads of one user: it, the user's
    token, and the newest journal file holding events."""
    srv = _started(server_factory)
    api = srv.client()
    tok = api.create_user(bl.profile())
    for _ in range(n):
        assert_ok(api.get_user("token", tok))
    _kill(srv)
    f = max((f for f in bl.journal_files(srv) if f.stat().st_size > 0),
            key=lambda f: f.stat().st_mtime_ns)
    return srv, tok, f


@pytest.mark.parametrize("cut", ["tail", "garbage"])
def test_torn_journal_tail_is_skipped_and_the_server_starts(server_factory, cut):
    srv, tok, f = _killed_after_reads(server_factory, 10)
    data = f.read_bytes()
    if cut == "tail":
        # cut the last record in half
        f.write_bytes(data[:len(data) - 40])
        expect = 9
    else:
        # a record that never finished, then junk, at the end
        f.write_bytes(data + data[:30] + os.urandom(50))
        expect = 10
    srv.start()
    api = srv.client()
    assert _gets(api, tok) == expect
    assert_ok(api.get_user("token", tok))
    assert _gets(api, tok) == expect + 1
    srv.stop()
    rc, out = bl.audit_verify(srv)
    assert rc == 0, out


def test_corrupt_record_in_the_middle_skips_only_it(server_factory):
    srv, tok, f = _killed_after_reads(server_factory, 10)
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    srv.start()
    assert _gets(srv.client(), tok) == 9


def test_backup_includes_journaled_reads(server_factory):
    srv = _started(server_factory)
    api = srv.client()
    tok = api.create_user(bl.profile())
    before = api.get("/v1/sys/backup")
    assert before.status_code == 200, bl.describe(before)
    for _ in range(6):
        assert_ok(api.get_user("token", tok))
    after = api.get("/v1/sys/backup")
    assert after.status_code == 200, bl.describe(after)
    assert after.text.count("'UserGet'") == before.text.count("'UserGet'") + 6


def test_tenant_delete_leaves_no_journaled_events(server_factory):
    srv = _started(server_factory)
    api = srv.client()
    name, tid, _ = bl.create_tenant(api)
    h = {"X-Bunker-Tenant": name}
    tok = assert_ok(api.post("/v1/user", json=bl.profile(), headers=h))["token"]
    for _ in range(8):
        assert_ok(api.get(f"/v1/user/token/{tok}", headers=h))
    other = api.create_user(bl.profile())
    assert_ok(api.get_user("token", other))
    assert_ok(api.v2("TenantDelete", {"tenantid": tid}))
    assert _audit_rows(srv, tid) == []
    _kill(srv)
    srv.start()
    assert _audit_rows(srv, tid) == []
    assert _gets(srv.client(), other) == 1
    srv.stop()
    assert _audit_rows(srv, tid) == []
    rc, out = bl.audit_verify(srv)
    assert rc == 0, out


def test_journal_holds_no_plaintext(server_factory):
    srv = _started(server_factory)
    api = srv.client()
    marker = bl.uid()
    needles, people = [], []
    for i in range(3):
        p = {"fname": f"Zebulon{marker}{i}", "lname": f"Quimby{marker}{i}",
             "email": f"zq{marker}{i}@example.org", "phone": bl.phone(),
             "login": f"zqlogin{marker}{i}"}
        tok = api.create_user(p)
        people.append((tok, p))
        needles += [p["fname"], p["lname"], p["email"], p["login"], p["phone"]]
    for tok, p in people:
        for mode in ("token", "email", "login", "phone"):
            ident = tok if mode == "token" else p[mode]
            assert_ok(api.get_user(mode, ident))
    _kill(srv)
    files = bl.journal_files(srv)
    assert sum(f.stat().st_size for f in files) > 0
    found = [(f.name, n) for f in files for n in needles
             if n.encode() in f.read_bytes() or n.lower().encode() in f.read_bytes()]
    assert not found, found


@pytest.mark.parametrize("ops,err,conf", [
    ("write,pwrite", "ENOSPC", SLOW_IMPORT),
    ("write,pwrite", "EIO", SLOW_IMPORT),
    ("fdatasync,fsync", "EIO", SLOW_IMPORT + "  lazy_sync_ms: 0\n"),
])
def test_journal_write_failure_fails_the_read_and_recovers(tmp_path, ops, err, conf):
    if not bl.iofail_shim().exists():
        pytest.fail("libiofail.so not built", pytrace=False)
    srv = bl.FaultyServer(tmp_path / "faulty", conf=conf)
    srv.init()
    srv.start()
    try:
        api = srv.client()
        tok = api.create_user(bl.profile())
        for _ in range(3):
            assert_ok(api.get_user("token", tok))
        # only the journal's files fail: the database goes on working
        srv.fault(ops, err, str(srv.db_path) + ".journal")
        for _ in range(4):
            assert_error(api.get_user("token", tok), {500, 503})
        hits = srv.workdir / "iofail.ctl.hits"
        assert hits.exists() and hits.stat().st_size > 0, "the shim never failed a call"
        srv.clear()
        for _ in range(2):
            assert_ok(api.get_user("token", tok))
        n = _gets(api, tok)
        if ops.startswith("write"):
            assert n == 5, n
        else:
            # a failed sync: written but not known to be on disk; the read
            # was refused, its event may stay
            assert 5 <= n <= 9, n
        _kill(srv)
        srv.start()
        assert _gets(srv.client(), tok) == n
        srv.stop()
        rc, out = bl.audit_verify(srv)
        assert rc == 0, out
    finally:
        srv.stop()
        found = srv.sanitizer_findings()
        assert not found, "\n".join(found)


def test_reads_writes_listings_and_imports_race_then_sigkill(server_factory):
    """Reads, writes, listings and the background importer (every 1 ms) all at
    once on two tenants, then a SIGKILL: after the restart every acknowledged
    read is there exactly once per user (reads in flight at the kill may be
    too), each user's writes are in order, and the chains verify."""
    srv = _started(server_factory, conf="database:\n  journal_import_ms: 1\n")
    api = srv.client()
    name, _, _ = bl.create_tenant(api)
    hdrs = [None, {"X-Bunker-Tenant": name}]
    users = []
    for i in range(6):
        h = hdrs[i % 2]
        users.append((assert_ok(api.post("/v1/user", json=bl.profile(), headers=h))["token"], h))
    acked = {tok: [] for tok, _ in users}
    stop, lock, errors = threading.Event(), threading.Lock(), []

    def work(i):
        c = srv.client()
        tok, h = users[i]
        rnd = random.Random(100 + i)
        k = 0
        while not stop.is_set():
            x = rnd.random()
            try:
                if x < 0.6:
                    r, t = c.get(f"/v1/user/token/{tok}", headers=h), "UserGet"
                elif x < 0.85:
                    r = c.put(f"/v1/user/token/{tok}", json={"fname": f"R{i}x{k}"}, headers=h)
                    t = "UserUpdate"
                else:
                    r = c.get(f"/v1/audit/list/{tok}?offset=0&limit=5", headers=h)
                    t = None
            except Exception:           # killed mid-request: not acknowledged
                return
            if r.status_code != 200:
                errors.append(bl.describe(r))
                return
            if t is not None:
                with lock:
                    acked[tok].append(t)
            k += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(users))]
    for t in threads:
        t.start()
    time.sleep(3)
    _kill(srv)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors[:3]
    srv.start()
    api = srv.client()
    for tok, h in users:
        got = [t for t in _titles(api, tok, h) if t in ("UserGet", "UserUpdate")]
        want = acked[tok]
        # the acknowledged calls, in order, then at most the one in flight
        assert got[:len(want)] == want, (tok, len(got), len(want))
        assert len(got) <= len(want) + 1, (tok, len(got), len(want))
    rows = _audit_rows(srv)
    assert len({r[0] for r in rows}) == len(rows)
    srv.stop()
    rc, out = bl.audit_verify(srv)
    assert rc == 0, out


def test_events_taken_by_a_failed_write_are_imported_by_the_next(tmp_path):
    """Reads journaled, then a write whose transaction takes their events
    fails at commit (the WAL cannot be written): the events are not in the
    table, and the next write imports them, before its own event, once."""
    if not bl.iofail_shim().exists():
        pytest.fail("libiofail.so not built", pytrace=False)
    srv = bl.FaultyServer(tmp_path / "faulty", conf=SLOW_IMPORT)
    srv.init()
    srv.start()
    try:
        api = srv.client()
        tok = api.create_user(bl.profile())
        for _ in range(3):
            assert_ok(api.get_user("token", tok))
        srv.fault("write,pwrite", "ENOSPC", str(srv.db_path) + "-wal")
        assert_error(api.put_user("token", tok, {"fname": "never"}), {500, 503})
        srv.clear()
        for _ in range(2):
            assert_ok(api.get_user("token", tok))
        assert_ok(api.put_user("token", tok, {"fname": "Once"}))
        assert_ok(api.get_user("token", tok))
        got = [t for t in _titles(api, tok) if t in ("UserCreate", "UserGet", "UserUpdate")]
        assert got == ["UserCreate"] + ["UserGet"] * 5 + ["UserUpdate", "UserGet"], got
        _kill(srv)
        srv.start()
        got = [t for t in _titles(srv.client(), tok)
               if t in ("UserCreate", "UserGet", "UserUpdate")]
        assert got == ["UserCreate"] + ["UserGet"] * 5 + ["UserUpdate", "UserGet"], got
        srv.stop()
        rc, out = bl.audit_verify(srv)
        assert rc == 0, out
    finally:
        srv.stop()
        found = srv.sanitizer_findings()
        assert not found, "\n".join(found)


def test_server_refuses_to_start_without_its_journal(server_factory):
    """The journal cannot be opened (here a directory where its lock file
    goes): the server does not start, rather than answer reads unaudited."""
    srv = server_factory()
    srv.init()
    bl.journal_lock_file(srv).mkdir()
    rc, log, served = srv.start_expect_exit()
    assert rc not in (None, 0) and not served, log
    assert "read journal" in log, log


def test_reads_wait_while_a_waiting_write_has_a_full_backlog(server_factory):
    """Back-pressure: a write must insert every read event journaled before
    it, inside its own transaction, so while a write waits for the write lock
    the events no write has taken yet are bounded (128): one read more waits
    before it is journaled, instead of growing what the write must insert.
    Here another process holds the database's write lock, so the importer is
    stuck holding the server's write lock and nothing can take the events; once
    the lock is free the waiting read and the write complete, the trail in
    order and whole."""
    srv = _started(server_factory, conf="database:\n  journal_import_ms: 50\n")
    api = srv.client()
    tok = api.create_user(bl.profile())
    results = {}

    def call(name, fn):
        results[name] = fn()

    ext = sqlite3.connect(str(srv.db_path), isolation_level=None, timeout=30)
    ext.execute("BEGIN IMMEDIATE")
    try:
        assert_ok(api.get_user("token", tok))
        time.sleep(0.5)     # the importer waits for the database, holding the write lock
        writer = threading.Thread(target=call, args=(
            "write", lambda: srv.client().put_user("token", tok, {"fname": "After"})))
        writer.start()
        time.sleep(0.3)     # the write waits for the write lock
        for _ in range(127):
            assert_ok(api.get_user("token", tok))
        reader = threading.Thread(target=call, args=(
            "read", lambda: srv.client().get_user("token", tok)))
        reader.start()
        reader.join(timeout=1.5)
        assert reader.is_alive(), "the read past the bound did not wait"
    finally:
        ext.execute("ROLLBACK")
        ext.close()
    reader.join(timeout=30)
    writer.join(timeout=30)
    assert_ok(results["read"])
    assert_ok(results["write"])
    got = [t for t in _titles(api, tok) if t in ("UserCreate", "UserGet", "UserUpdate")]
    assert got[:129] == ["UserCreate"] + ["UserGet"] * 128, got
    assert sorted(got[129:]) == ["UserGet", "UserUpdate"], got
    srv.stop()
    rc, out = bl.audit_verify(srv)
    assert rc == 0, out
    assert not bl.journal_events_left(srv)


@pytest.mark.parametrize("holder", ["sweeper", "importer"])
def test_reads_never_wait_for_the_servers_own_writers(server_factory, holder):
    """Back-pressure bounds what a request's write must insert; the server's
    own writers (the importer, the sweeper) waiting for the write lock hold up
    no read. Here another process holds the database's write lock, so one of
    them (<holder>) is stuck holding the server's write lock and the other
    waits for it, while more reads than the bound (128) come: each answers at
    once (before, the one past the bound waited 5 s for a take that could not
    come). Once the lock is free everything is imported, the trail whole."""
    if holder == "sweeper":
        # it sweeps every 50 ms: stuck before the first read; the importer
        # comes 50 ms after that read and waits
        conf = "database:\n  journal_import_ms: 50\ngeneric:\n  sweep_interval_ms: 50\n"
        settle_before, settle_after = 0.3, 0.3
    else:
        # the importer is stuck 50 ms after the first read; the sweeper comes
        # within its 3 s and waits
        conf = "database:\n  journal_import_ms: 50\ngeneric:\n  sweep_interval_ms: 3000\n"
        settle_before, settle_after = 0, 3.3
    srv = _started(server_factory, conf)
    api = srv.client()
    tok = api.create_user(bl.profile())
    ext = sqlite3.connect(str(srv.db_path), isolation_level=None, timeout=30)
    ext.execute("BEGIN IMMEDIATE")
    out = {}
    try:
        time.sleep(settle_before)
        assert_ok(api.get_user("token", tok))
        time.sleep(settle_after)
        for _ in range(127):
            assert_ok(api.get_user("token", tok))
        t = _read_in_thread(srv, tok, out)
        t.join(2.5)
        assert not t.is_alive(), "a read waited while only the server's own writers did"
    finally:
        ext.execute("ROLLBACK")
        ext.close()
    t.join(30)
    assert "error" not in out, out
    assert_ok(out["r"])
    assert _gets(api, tok) == 129
    srv.stop()
    rc, text = bl.audit_verify(srv)
    assert rc == 0, text
    assert not bl.journal_events_left(srv)


def _import_blocked(server_factory, backlog):
    """A server whose importer is stuck inside an import (another process holds
    the database's write lock) after 25 reads of one user; (srv, api, token,
    the lock's connection: roll it back to let the import through)."""
    import sqlite3
    srv = _started(server_factory,
                   f"database:\n  journal_import_ms: 50\n  journal_backlog: {backlog}\n")
    api = srv.client()
    tok = api.create_user(bl.profile())
    lock = sqlite3.connect(str(srv.db_path), timeout=10, isolation_level=None,
                           check_same_thread=False)
    lock.execute("BEGIN IMMEDIATE")
    for _ in range(25):
        assert_ok(api.get_user("token", tok))
    time.sleep(0.3)             # the importer starts (50 ms) and blocks on the lock
    return srv, api, tok, lock


def _read_in_thread(srv, tok, out):
    def run():
        c = srv.client()
        try:
            out["r"] = c.get_user("token", tok)
        except Exception as e:      # reported by the caller's assertions
            out["error"] = repr(e)
        finally:
            c.s.close()
    t = threading.Thread(target=run)
    t.start()
    return t


def test_reads_past_the_backlog_wait_for_the_import_instead_of_failing(server_factory):
    # Once journal_backlog events wait, a read waits for the running import
    # instead of answering (or, at 100,000, being refused), and answers 200
    # as soon as the import goes through, audited once.
    srv, api, tok, lock = _import_blocked(server_factory, 20)
    reads = 25
    try:
        # once the importer is inside its import (it starts within 50 ms, later
        # on a loaded machine), the next read waits for it
        deadline = time.monotonic() + 10
        while True:
            out = {}
            t = _read_in_thread(srv, tok, out)
            t.join(1.5)
            if t.is_alive():
                break
            assert_ok(out["r"])
            reads += 1
            assert time.monotonic() < deadline, "no read past the backlog waited"
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    t.join(10)
    assert not t.is_alive() and "error" not in out, out
    assert_ok(out["r"])
    assert _gets(api, tok) == reads + 1
    rc, text = bl.audit_verify_own(srv)
    assert rc == 0, text


def test_backlog_zero_never_waits(server_factory):
    srv, api, tok, lock = _import_blocked(server_factory, 0)
    out = {}
    try:
        t = _read_in_thread(srv, tok, out)
        t.join(5)
        assert not t.is_alive(), "a read waited with journal_backlog 0"
        assert_ok(out["r"])
    finally:
        lock.execute("ROLLBACK")
        lock.close()
