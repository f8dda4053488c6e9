"""A write that cannot finish holds up only its own connection: with every
connection on its own thread (server.thread_per_connection, the default), a read
on another connection answers while a create waits for the database. The server
runs with one pool thread (server.threads: 1) so that in pool mode every
connection would share the blocked worker; the second test shows that mode does
hold the read, so the first one would notice a regression.

The write is blocked honestly: this test holds SQLite's write lock from outside
(BEGIN IMMEDIATE on the same file), so the server's create waits inside its
request, exactly as it waits for a group commit's fsync; WAL readers are not
held by that lock."""

import socket
import sqlite3
import threading
import time

import pytest

import bunkerlib as bl

pytestmark = pytest.mark.skipif(bl.store_kind() != "sqlite",
                                reason="holds the SQLite write lock from outside")

BLOCKED_FOR = 3.0           # seconds the write lock is held


class WriteLock:
    """The database's write lock, held by this process until release()."""

    def __init__(self, path):
        self.db = sqlite3.connect(str(path), timeout=10, isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("BEGIN IMMEDIATE")

    def release(self):
        if self.db is not None:
            self.db.execute("ROLLBACK")
            self.db.close()
            self.db = None


def start_create(srv, result):
    """POST /v1/user on its own connection in a thread; its answer goes in <result>."""
    def run():
        c = srv.client()
        try:
            result["r"] = c.post("/v1/user", json=bl.profile(), timeout=30)
        except Exception as e:      # reported by the caller's assertions
            result["error"] = repr(e)
        finally:
            result["done"] = time.monotonic()
            c.s.close()
    t = threading.Thread(target=run)
    t.start()
    return t


def blocked_write(srv):
    """Create a user, then block the database's writes and start a create that
    waits; returns (lock, thread, result, a readable user's token)."""
    api = srv.client()
    tok = api.create_user(bl.profile())
    bl.assert_ok(api.get_user("token", tok))
    api.s.close()
    lock = WriteLock(srv.db_path)
    result = {}
    t = start_create(srv, result)
    time.sleep(0.5)
    return lock, t, result, tok


def test_read_answers_while_a_write_is_blocked(server_factory):
    srv = bl.started(server_factory, "server:\n  threads: 1\n")
    lock, t, result, tok = blocked_write(srv)
    try:
        assert "done" not in result, f"the create did not wait for the lock: {result}"
        reader = srv.client()
        t0 = time.monotonic()
        for _ in range(5):      # several reads, each answered while the write waits
            b = bl.assert_ok(reader.get_user("token", tok, timeout=BLOCKED_FOR / 2))
            assert b["token"] == tok
        bl.assert_ok(reader.get("/status", timeout=BLOCKED_FOR / 2))
        took = time.monotonic() - t0
        assert "done" not in result, "the write finished early: the test proves nothing"
        assert took < BLOCKED_FOR, f"reads took {took:.2f} s behind a blocked write"
        reader.s.close()
    finally:
        lock.release()
        t.join(30)
    assert "error" not in result, result
    b = bl.assert_ok(result["r"])        # the blocked create completes once the lock is gone
    bl.assert_uuid4(b["token"], result["r"])


def test_pool_mode_holds_reads_behind_a_blocked_write(server_factory):
    """The contrast: one pool worker serves both connections, so the read waits
    until the write is released (what thread_per_connection removes)."""
    srv = bl.started(server_factory,
                     "server:\n  threads: 1\n  thread_per_connection: false\n")
    lock, t, result, tok = blocked_write(srv)
    released = None
    try:
        assert "done" not in result, f"the create did not wait for the lock: {result}"

        def release_later():
            nonlocal released
            time.sleep(BLOCKED_FOR)
            released = time.monotonic()
            lock.release()
        rel = threading.Thread(target=release_later)
        rel.start()
        reader = srv.client()
        r = reader.get_user("token", tok, timeout=30)
        answered = time.monotonic()
        rel.join()
        bl.assert_ok(r)
        assert answered >= released, "the read answered while the only worker was blocked"
        reader.s.close()
    finally:
        lock.release()
        t.join(30)
    assert "error" not in result, result
    bl.assert_ok(result["r"])


def server_threads(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def test_connection_limit_and_threads_per_connection(server_factory):
    """Thread per connection keeps server.max_connections (connections past it
    get no answer), and a connection's thread ends when the connection does."""
    srv = bl.started(server_factory, "server:\n  threads: 2\n  max_connections: 8\n"
                                     "  per_ip_connection_limit: 0\n")
    time.sleep(0.3)
    base = server_threads(srv.proc.pid)
    socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=3) for _ in range(12)]
    try:
        served = bl.status_served(socks)
        assert served == 8, f"{served} of 12 connections served with max_connections 8"
        assert server_threads(srv.proc.pid) >= base + 8
    finally:
        for s in socks:
            s.close()
    assert bl.wait_until(lambda: server_threads(srv.proc.pid) <= base or None, timeout=5.0), \
        f"{server_threads(srv.proc.pid)} threads after the connections closed, {base} before"
    assert srv.client().status_ok()
