"""SQLite keeps the search index as posting lists (migration 0015,
src/store/gramlist.h): one row per (tenant, kind, bucket, gram) whose ids are
the bucket's users as 16-bit offsets, big-endian, strictly ascending. Every
list stays well formed and non-empty through creates, updates and deletes; a
list that is not well formed fails the search and the merge loudly (nothing
repaired or lost behind the caller's back); and a vault migrated from rows to
lists keeps every posting."""
import pytest

import bunkerlib as bl
from bunkerlib import v2_ok

BUCKET_SHIFT = 14
LOGIN = 3                   # the kind of login grams (core/search.c)
FAST_MERGE = "search:\n  merge_after_ms: 50\n"


@pytest.fixture(autouse=True)
def sqlite_only(request):
    if bl.store_kind() != "sqlite":
        pytest.skip("posting lists are SQLite's layout; the servers keep a row per posting")


search = bl.search_tokens
user_id = bl.user_row_id


def merged_all(srv, timeout=20):
    return bl.wait_until(lambda: bl.store_rows(srv, "SELECT count(*) FROM search_pending")
                         == [(0,)], timeout=timeout)


def offsets(ids):
    assert len(ids) % 2 == 0, ids
    return [int.from_bytes(ids[i:i + 2], "big") for i in range(0, len(ids), 2)]


def check_lists(srv):
    """Every list well formed and non-empty; returns the postings."""
    got = set()
    for tenant, kind, bucket, gram, ids in bl.store_rows(
            srv, "SELECT tenant, kind, bucket, gram, ids FROM search_grams"):
        offs = offsets(ids)
        assert offs, ("an empty list stays", tenant, kind, bucket, gram)
        assert offs == sorted(set(offs)), offs
        assert offs[-1] < 1 << BUCKET_SHIFT
        got |= {(tenant, kind, gram, (bucket << BUCKET_SHIFT) + o) for o in offs}
    return got


def create_many(api, n, login, domain):
    recs = [{"profile": {"login": login(i), "email": f"user{i}@{domain}"}} for i in range(n)]
    return [c["token"] for c in v2_ok(api, "UserCreateBulk", {"records": recs})["created"]]


def test_lists_hold_every_user_once(server_factory):
    srv = bl.started(server_factory, FAST_MERGE)
    api = srv.client()
    m = bl.uid()[:6]
    toks = create_many(api, 300, lambda i: f"list{m}{i:04d}", f"shared{m}.example")
    assert merged_all(srv)
    got = check_lists(srv)
    ids = {user_id(srv, t) for t in toks}
    # the shared domain's grams: one list each, holding all 300 users
    rows = bl.store_rows(srv, "SELECT gram, user_id FROM search_postings WHERE kind = 1")
    by_gram = {}
    for gram, uid in rows:
        by_gram.setdefault(gram, set()).add(uid)
    assert sum(1 for users in by_gram.values() if users == ids) >= 5
    assert {u for (_, _, _, u) in got} >= ids
    # two bytes a posting
    size = bl.store_rows(srv, "SELECT sum(length(ids)) FROM search_grams")[0][0]
    assert size == 2 * len(got)
    for i in (0, 150, 299):
        assert search(api, f"list{m}{i:04d}", "login")[0] == toks[i]


def test_updates_and_deletes_leave_no_empty_list(server_factory):
    srv = bl.started(server_factory, FAST_MERGE)
    api = srv.client()
    m = bl.uid()[:8]
    keep = api.create_user({"login": f"keep{m}", "email": f"keep{m}@example.org"})
    gone = api.create_user({"login": f"qzx{m}", "email": f"gone{m}@example.org"})
    moved = api.create_user({"login": f"wvy{m}", "email": f"moved{m}@example.org"})
    assert merged_all(srv)
    gid, mid = user_id(srv, gone), user_id(srv, moved)
    before = check_lists(srv)
    assert any(u == gid for (_, _, _, u) in before)
    v2_ok(api, "UserDelete", {"mode": "token", "identity": gone})
    v2_ok(api, "UserUpdate", {"mode": "token", "identity": moved,
                              "profile": {"login": f"renamed{m}"}})
    assert merged_all(srv)
    after = check_lists(srv)
    assert not any(u == gid for (_, _, _, u) in after)
    # the old login's grams of the moved user are gone, the email's stay
    old_login = {g for (_, k, g, u) in before if u == mid and k == LOGIN}
    new_login = {g for (_, k, g, u) in after if u == mid and k == LOGIN}
    assert old_login and new_login and old_login != new_login
    assert bl.store_rows(srv, "SELECT count(*) FROM search_grams WHERE length(ids) = 0") \
        == [(0,)]
    assert search(api, f"keep{m}", "login")[0] == keep
    assert search(api, f"renamed{m}", "login")[0] == moved
    assert gone not in search(api, f"qzx{m}", "login")


def lists_of(srv, uid, kind):
    """(bucket, gram, ids) of the lists of <kind> that hold user <uid>."""
    b, off = uid >> BUCKET_SHIFT, uid & ((1 << BUCKET_SHIFT) - 1)
    rows = bl.store_rows(srv, "SELECT bucket, gram, ids FROM search_grams "
                              "WHERE kind = ? AND bucket = ?", (kind, b))
    return [(bk, g, ids) for bk, g, ids in rows if off in offsets(ids)]


def rewrite(srv, kind, lists, blob):
    for bucket, gram, ids in lists:
        bl.store_exec(srv, "UPDATE search_grams SET ids = ? WHERE kind = ? AND bucket = ? "
                           "AND gram = ?", (blob(ids), kind, bucket, gram))


@pytest.mark.parametrize("damage", ["odd length", "unsorted"])
def test_malformed_list_fails_loudly_and_loses_nothing(server_factory, damage):
    srv = bl.started(server_factory, FAST_MERGE)
    api = srv.client()
    m = bl.uid()[:8]
    tok = api.create_user({"login": f"dmg{m}"})
    assert merged_all(srv)
    uid = user_id(srv, tok)
    mine = lists_of(srv, uid, LOGIN)
    assert mine
    srv.stop()
    if damage == "odd length":
        rewrite(srv, LOGIN, mine, lambda ids: ids + b"\x00")
    else:
        rewrite(srv, LOGIN, mine, lambda ids: b"\x00\x05" + ids + b"\x00\x04")
    srv.start()
    api = srv.client()
    r = api.v2("UserSearch", {"identity": f"dmg{m}", "mode": "login",
                              "unlockuuid": bl.unlock(api)})
    assert r.status_code == 500, bl.describe(r)
    assert r.json()["status"] == "error"
    # a new user sharing those grams: its merge fails and keeps it pending
    twin = api.create_user({"login": f"dmg{m}x"})
    tid = user_id(srv, twin)
    assert not bl.wait_until(lambda: bl.store_rows(
        srv, "SELECT count(*) FROM search_pending WHERE user_id = ?", (tid,)) == [(0,)],
        timeout=1.5)
    assert api.get("/v1/status").status_code == 200
    assert api.user_data("token", tok)["login"] == f"dmg{m}"
    assert "malformed posting list" in srv.log_path.read_text(errors="replace")
    # repaired, the merge goes through and both are found
    srv.stop()
    rewrite(srv, LOGIN, mine, lambda ids: ids)
    srv.start()
    api = srv.client()
    assert merged_all(srv)
    check_lists(srv)
    found = search(api, f"dmg{m}", "login")
    assert found[:2] == [tok, twin] or set(found[:2]) == {tok, twin}
