"""Checkpoints beside the writer: the WAL is copied into the database file by
the background syncer, kicked by the writer every 2048 pages of WAL, not by
the writer inside a commit that holds the write lock (before, SQLite's own
hook had the writer copy it at 1000 pages). The syncer's interval is set to
ten minutes here, so only the kick can explain a checkpoint."""

import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_ok

pytestmark = pytest.mark.slow

PAGE = 4096 + 24                  # one WAL frame: a 4 KiB page and its header
CONF = "database:\n  lazy_sync_ms: 600000\n"


def _wait(cond, secs=10.0):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def _grow_wal(api, db, wal, base, pages, users):
    """Create users with large profiles until the WAL holds <pages> pages or
    the database file grew (a checkpoint copied the WAL into it)."""
    while wal.stat().st_size < pages * PAGE and db.stat().st_size == base and len(users) < 1000:
        p = bl.profile(notes="n" * 3000)
        users.append((api.create_user(p), p))


def test_wal_is_checkpointed_by_the_syncer_not_the_writer(server_factory):
    srv = server_factory(conf=CONF)
    srv.init()
    srv.start()
    api = srv.client()
    db = srv.db_path
    wal = db.with_name(db.name + "-wal")
    base = db.stat().st_size
    users = []
    # past the 1000 pages at which the writer used to copy the WAL itself
    _grow_wal(api, db, wal, base, 1500, users)
    assert db.stat().st_size == base, \
        f"a commit checkpointed: WAL {wal.stat().st_size // PAGE} pages, {len(users)} users"
    # past the step, the writer kicks the syncer, which copies the WAL at once
    _grow_wal(api, db, wal, base, 2100, users)
    assert _wait(lambda: db.stat().st_size > base), \
        f"no checkpoint: db {db.stat().st_size} bytes, WAL {wal.stat().st_size // PAGE} pages"
    # what was copied is whole, also after a restart
    for tok, p in users[::25]:
        assert assert_ok(api.get_user("token", tok))["data"] == p
    srv.stop()
    srv.start()
    api = srv.client()
    for tok, p in users[::25]:
        assert assert_ok(api.get_user("token", tok))["data"] == p


def test_wal_stays_bounded_under_sustained_writes(server_factory):
    """However many pages are written, the WAL starts over rather than grow
    with them (the writer's own checkpoint is only a far backstop)."""
    srv = server_factory(conf=CONF)
    srv.init()
    srv.start()
    api = srv.client()
    wal = srv.db_path.with_name(srv.db_path.name + "-wal")
    for _ in range(600):
        api.create_user(bl.profile(notes="n" * 3000))
    # ~600 creates write ~11,000 pages: the WAL starts over within a few
    # steps of 2048 pages instead of growing with them
    assert wal.stat().st_size < 6144 * PAGE, wal.stat().st_size // PAGE
