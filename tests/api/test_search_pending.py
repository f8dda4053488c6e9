"""Pending postings (SQLite): a create writes its users' grams as one pending
row per (user, kind) with the user, a search counts them at once, and the
merger moves them into the index once search.merge_users users wait or the
oldest waited search.merge_after_ms, in one transaction per batch. Stores
that keep nothing pending (PostgreSQL, MariaDB for now) write postings
directly: there the same searches hold and the pending table stays empty."""
import re

import bunkerlib as bl
from bunkerlib import v2_ok
from test_search_postings import expected, merged, pending, postings, search, user_id

HELD_CONF = "search:\n  merge_users: 100000\n  merge_after_ms: 600000\n"


def all_pending(srv):
    return bl.store_rows(srv, "SELECT count(*) FROM search_pending")[0][0]


def test_created_user_is_found_while_pending(server_factory):
    srv = bl.started(server_factory, HELD_CONF)
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    uid = user_id(srv, tok)
    if srv.store == "sqlite":
        # one row per indexed value, nothing in the index yet
        rows = bl.store_rows(srv, "SELECT kind FROM search_pending WHERE user_id = ? "
                                  "ORDER BY kind", (uid,))
        assert [k for (k,) in rows] == sorted(expected(p))
        assert merged(srv, uid) == {}
    assert postings(srv, uid) == expected(p)
    for mode in ("login", "email", "phone", "custom"):
        assert search(api, p[mode], mode)[0] == tok
    # a near miss finds the pending user too
    assert search(api, p["login"][:-1], "login")[0] == tok


def test_merge_moves_everything_once_enough_users_wait(server_factory):
    srv = bl.started(server_factory, "search:\n  merge_users: 20\n  merge_after_ms: 600000\n")
    api = srv.client()
    people = [bl.profile() for _ in range(30)]
    created = v2_ok(api, "UserCreateBulk", {"records": [{"profile": p} for p in people]})
    toks = [c["token"] for c in created["created"]]
    assert bl.wait_until(lambda: all_pending(srv) == 0, timeout=10)
    for p, t in zip(people, toks):
        uid = user_id(srv, t)
        assert pending(srv, uid) == {}
        assert merged(srv, uid) == expected(p)
    for i in (0, 13, 29):
        assert search(api, people[i]["login"], "login")[0] == toks[i]
        assert search(api, people[i]["email"], "email")[0] == toks[i]


def test_few_users_are_merged_once_old_enough(server_factory):
    srv = bl.started(server_factory, "search:\n  merge_users: 100000\n  merge_after_ms: 300\n")
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    uid = user_id(srv, tok)
    assert bl.wait_until(lambda: pending(srv, uid) == {}, timeout=10)
    assert merged(srv, uid) == expected(p)
    assert search(api, p["login"], "login")[0] == tok


def test_pending_rows_survive_a_crash(server_factory):
    # pending rows commit with their user: after a kill the user is found,
    # and a restart with a quick merge moves them
    srv = bl.started(server_factory, HELD_CONF)
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    uid = user_id(srv, tok)
    srv.proc.kill()
    srv.proc.wait(timeout=10)
    srv.stop()
    srv.start()
    api = srv.client()
    assert postings(srv, uid) == expected(p)
    assert search(api, p["login"], "login")[0] == tok
    srv.stop()
    srv.conf_path.write_text("search:\n  merge_users: 100000\n  merge_after_ms: 100\n")
    srv.start()
    api = srv.client()
    assert bl.wait_until(lambda: all_pending(srv) == 0, timeout=10)
    assert merged(srv, uid) == expected(p)
    assert search(api, p["login"], "login")[0] == tok


def test_forgotten_pending_user_leaves_nothing(server_factory):
    srv = bl.started(server_factory, HELD_CONF)
    api = srv.client()
    people = [bl.profile() for _ in range(3)]
    toks = [api.create_user(p) for p in people]
    ids = [user_id(srv, t) for t in toks]
    v2_ok(api, "UserDelete", {"mode": "token", "identity": toks[0]})
    v2_ok(api, "UserDeleteBulk", {"tokens": toks[1:2]})
    for uid in ids[:2]:
        assert postings(srv, uid) == {}
    assert all_pending(srv) == (len(expected(people[2])) if srv.store == "sqlite" else 0)
    for p, t in zip(people[:2], toks[:2]):
        assert t not in search(api, p["login"], "login")
    assert search(api, people[2]["login"], "login")[0] == toks[2]


def test_each_tenant_searches_and_merges_its_own(server_factory):
    # the same login in two tenants: each search finds its tenant's user,
    # while pending and after the merger went through every tenant
    srv = bl.started(server_factory, "search:\n  merge_users: 100000\n  merge_after_ms: 500\n")
    api = srv.client()
    name, tid, xtoken = bl.create_tenant(api)
    admin = srv.client(token=xtoken)
    login = f"tenanted{bl.uid()[:8]}"
    t0 = api.create_user({"login": login})
    ta = v2_ok(admin, "UserCreate", {"profile": {"login": login}})["token"]
    for _ in range(2):
        assert search(api, login, "login") == [t0]
        assert search(admin, login, "login") == [ta]
        assert bl.wait_until(lambda: all_pending(srv) == 0, timeout=10)
    tenants = bl.store_rows(srv, "SELECT DISTINCT tenant FROM search_grams ORDER BY tenant")
    assert [t for (t,) in tenants] == sorted({0, tid})


def test_merge_in_slices_splits_users_between_transactions(server_factory):
    # search.merge_batch_rows: a merge moves that many pending rows per
    # transaction; slices of 3 rows end inside a user's values (each user has
    # four), so the rows a slice removes must be exactly the ones it merged
    srv = bl.started(server_factory, "search:\n  merge_users: 20\n  merge_after_ms: 600000\n"
                                     "  merge_batch_rows: 3\nlog:\n  level: debug\n")
    api = srv.client()
    people = [bl.profile() for _ in range(25)]
    created = v2_ok(api, "UserCreateBulk", {"records": [{"profile": p} for p in people]})
    toks = [c["token"] for c in created["created"]]
    assert bl.wait_until(lambda: all_pending(srv) == 0, timeout=20)
    for p, t in zip(people, toks):
        uid = user_id(srv, t)
        assert pending(srv, uid) == {}
        assert merged(srv, uid) == expected(p)
    for i in (0, 1, 12, 24):
        assert search(api, people[i]["login"], "login")[0] == toks[i]
        assert search(api, people[i]["phone"], "phone")[0] == toks[i]
    if srv.store == "sqlite":
        # the merger says how many transactions it took: ceil(rows / 3)
        rows = sum(len(expected(p)) for p in people)
        said = re.findall(r"merged (\d+) pending rows of tenant 0 in (\d+) transactions",
                          srv.log_path.read_text(errors="replace"))
        assert sum(int(n) for n, _ in said) == rows
        assert all(int(t) == -(-int(n) // 3) for n, t in said)


def test_merge_batch_rows_must_be_positive(server_factory):
    srv = server_factory(conf="search:\n  merge_batch_rows: 0\n")
    srv.init()
    rc, log, served = srv.start_expect_exit(timeout=10)
    assert rc not in (None, 0) and not served
    assert "merge_batch_rows" in log
