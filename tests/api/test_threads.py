"""The server's own threads carry names, so per-thread tools (top -H, perf --sort
comm) tell the journal's importer, the search merger, the SQLite syncer and the
sweeper apart from the HTTP workers."""

import os

import pytest

import bunkerlib as bl


def thread_names(pid):
    names = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                names.append(f.read().strip())
        except FileNotFoundError:
            pass                  # a thread that ended meanwhile
    return names


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_background_threads_are_named(server):
    want = {"merger", "sweeper"}
    if bl.store_kind() == "sqlite":
        want |= {"importer", "syncer"}
    names = bl.wait_until(lambda: want <= set(thread_names(server.proc.pid)) or None,
                          timeout=5.0)
    assert names, f"missing {want - set(thread_names(server.proc.pid))}"
    # one each: a name belongs to exactly one thread
    got = thread_names(server.proc.pid)
    for n in want:
        assert got.count(n) == 1, got
