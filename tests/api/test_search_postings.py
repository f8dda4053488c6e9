"""The search index holds exactly the postings of each user's current profile,
counted in the database on every backend (pending or merged, never both): a
create adds one posting per
distinct padded trigram of each indexed value, an update replaces only what
changed, and every way of forgetting a user (UserDelete, DELETE /v1/user,
UserDeleteBulk, expiry) removes them all, so that nothing is left to delete by
a second index by user (migration 0013 drops it)."""

import pytest

import bunkerlib as bl
from bunkerlib import assert_ok, v2_ok

KINDS = {"email": 1, "phone": 2, "login": 3, "custom": 4}
SWEEP_CONF = "generic:\n  sweep_interval_ms: 200\n"


def normalized(field, value):
    v = value.strip(" \t\r\n")
    if field == "phone":
        v = "".join(ch for ch in v if ch.isdigit())
    return "".join(ch.lower() for ch in v if ord(ch) >= 0x20)[:256]


def gram_count(field, value):
    """Distinct padded trigrams of the value as search.c indexes it."""
    v = normalized(field, value)
    padded = "\x01\x01" + v + "\x02"
    return len({padded[i:i + 3] for i in range(len(v) + 1)}) if v else 0


def user_id(srv, tok):
    rows = bl.store_rows(srv, "SELECT id FROM users WHERE token = ?", (tok,))
    assert len(rows) == 1, rows
    return rows[0][0]


def merged(srv, uid):
    """{kind: count} of the postings of user <uid> in the index."""
    rows = bl.store_rows(srv, "SELECT kind, count(*) FROM search_postings WHERE user_id = ? "
                              "GROUP BY kind", (uid,))
    return {k: n for k, n in rows}


def pending(srv, uid):
    """{kind: count} of the grams of user <uid> still pending (8 bytes each)."""
    rows = bl.store_rows(srv, "SELECT kind, length(grams) FROM search_pending "
                              "WHERE user_id = ?", (uid,))
    return {k: n // 8 for k, n in rows}


def postings(srv, uid):
    """{kind: count} of the postings of user <uid>, pending or merged: a kind
    is never in both places. One statement, so one snapshot: the merger may
    move the user's rows between two."""
    rows = bl.store_rows(srv, "SELECT 1, kind, count(*) FROM search_postings WHERE user_id = ? "
                              "GROUP BY kind UNION ALL SELECT 2, kind, length(grams) "
                              "FROM search_pending WHERE user_id = ?", (uid, uid))
    m = {k: n for where, k, n in rows if where == 1}
    p = {k: n // 8 for where, k, n in rows if where == 2}
    assert not set(m) & set(p), (m, p)
    return {**m, **p}


def expected(profile):
    want = {KINDS[f]: gram_count(f, profile[f]) for f in KINDS if profile.get(f)}
    return {k: n for k, n in want.items() if n}


def search(api, identity, mode):
    body = {"identity": identity, "mode": mode, "unlockuuid": bl.unlock(api)}
    return [r["token"] for r in v2_ok(api, "UserSearch", body)["rows"]]


def test_second_index_by_user_is_gone(server):
    if server.store == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE name = ?"
    elif server.store == "pgsql":
        sql = "SELECT indexname FROM pg_indexes WHERE indexname = ?"
    else:
        sql = ("SELECT index_name FROM information_schema.statistics "
               "WHERE table_schema = DATABASE() AND index_name = ?")
    assert bl.store_rows(server, sql, ("search_grams_by_user",)) == []
    assert bl.store_rows(server, "SELECT version FROM schema_migrations WHERE version = 13") \
        == [(13,)]


def test_postings_follow_create_and_update(server, api):
    m = bl.uid()[:8]
    p = {"login": f"Postings{m}", "email": f"postings.{m}@example.org",
         "phone": "+" + bl.phone(), "custom": f"CUST-{m}", "name": "P"}
    tok = api.create_user(p)
    uid = user_id(server, tok)
    assert postings(server, uid) == expected(p)
    # a login sharing most trigrams with the old one: only the difference moves
    p["login"] = f"Postings{m}xy"
    assert_ok(api.v2("UserUpdate", {"mode": "token", "identity": tok,
                                    "profile": {"login": p["login"]}}))
    assert postings(server, uid) == expected(p)
    assert search(api, p["login"], "login")[0] == tok
    # an entirely new email: the old one's postings are all gone
    old_email, p["email"] = p["email"], f"zyxwv.{m}@qqq.example"
    assert_ok(api.put_user("token", tok, {"email": p["email"]}))
    assert postings(server, uid) == expected(p)
    assert tok not in search(api, old_email, "email")
    assert search(api, p["email"], "email")[0] == tok
    # a removed value leaves no postings of its kind; others stay
    del p["phone"]
    assert_ok(api.v2("UserUpdate", {"mode": "token", "identity": tok,
                                    "profile": {"phone": None}}))
    assert postings(server, uid) == expected(p)
    assert KINDS["phone"] not in postings(server, uid)
    # a change of a field that is not indexed touches nothing
    assert_ok(api.put_user("token", tok, {"name": "Q"}))
    assert postings(server, uid) == expected(p)
    # a patch that sets the old login again
    p["login"] = f"Postings{m}"
    assert_ok(api.v2("UserPatch", {"mode": "token", "identity": tok, "patch": [
        {"op": "replace", "path": "/login", "value": p["login"]}]}))
    assert postings(server, uid) == expected(p)
    assert search(api, p["login"], "login")[0] == tok


def test_same_value_in_two_kinds(server, api):
    # the same text as login and custom: two kinds, two sets of postings
    v = f"twinvalue{bl.uid()[:6]}"
    tok = api.create_user({"login": v, "custom": v})
    uid = user_id(server, tok)
    assert postings(server, uid) == {3: gram_count("login", v), 4: gram_count("custom", v)}
    assert_ok(api.v2("UserUpdate", {"mode": "token", "identity": tok,
                                    "profile": {"custom": None}}))
    assert postings(server, uid) == {3: gram_count("login", v)}


def test_forget_paths_remove_every_posting(server, api):
    people = [bl.profile() for _ in range(5)]
    toks = [api.create_user(p) for p in people]
    ids = [user_id(server, t) for t in toks]
    for p, uid in zip(people, ids):
        assert postings(server, uid) == expected(p)
    # UserDelete (v2), DELETE /v1/user, UserDeleteBulk
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": toks[0]}))
    assert_ok(api.delete_user("login", people[1]["login"]))
    assert_ok(api.v2("UserDeleteBulk", {"tokens": toks[2:4]}))
    for uid in ids[:4]:
        assert postings(server, uid) == {}
    # the user left alone keeps all of theirs, and is still found
    assert postings(server, ids[4]) == expected(people[4])
    assert search(api, people[4]["login"], "login")[0] == toks[4]
    for p, t in zip(people[:4], toks[:4]):
        assert t not in search(api, p["login"], "login")


def test_updated_then_forgotten_user_leaves_nothing(server, api):
    m = bl.uid()[:8]
    tok = api.create_user({"login": f"before{m}", "email": f"before.{m}@example.org"})
    uid = user_id(server, tok)
    assert_ok(api.put_user("token", tok, {"login": f"after{m}", "email": None}))
    assert postings(server, uid) == {3: gram_count("login", f"after{m}")}
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": tok}))
    assert postings(server, uid) == {}


def test_removed_user_keeps_postings_until_forgotten(server, api):
    # SystemDeleteUserProfiles only hides the user (it can be restored); the
    # search skips hidden users, and forgetting them removes their postings
    p = bl.profile()
    tok = api.create_user(p)
    uid = user_id(server, tok)
    assert_ok(api.v2("SystemDeleteUserProfiles",
                     {"mode": "token", "identity": tok, "tenantname": "default",
                      "unlockuuid": bl.bulk_unlock(api)}))
    assert postings(server, uid) == expected(p)
    assert tok not in search(api, p["login"], "login")
    assert_ok(api.v2("SystemRestoreUserProfile",
                     {"token": tok, "tenantname": "default", "unlockuuid": bl.bulk_unlock(api)}))
    assert search(api, p["login"], "login")[0] == tok
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": tok}))
    assert postings(server, uid) == {}


def test_expired_user_leaves_no_postings(server_factory):
    srv = bl.started(server_factory, SWEEP_CONF)
    api = srv.client()
    p = bl.profile()
    # long enough that the first count surely comes before the expiry, even
    # on a loaded machine with a database server's client to start
    r = api.v2("UserCreate", {"profile": p, "finaltime": "8s"})
    tok = assert_ok(r)["token"]
    uid = user_id(srv, tok)
    assert postings(srv, uid) == expected(p)
    assert bl.wait_until(lambda: postings(srv, uid) == {}, timeout=30)
    assert bl.wait_until(lambda: api.get_user("token", tok).status_code == 404, timeout=5)


# ---------------------------------------------------------------- pending and merged

HELD_CONF = "search:\n  merge_users: 100000\n  merge_after_ms: 600000\n"
QUICK_CONF = "search:\n  merge_users: 100000\n  merge_after_ms: 100\n"


def all_pending(srv):
    return bl.store_rows(srv, "SELECT count(*) FROM search_pending")[0][0]


@pytest.mark.parametrize("quick", [False, True], ids=["pending", "merged"])
def test_update_and_forget_in_both_states(server_factory, quick):
    # the same changes whether the user's grams still wait or were merged
    srv = bl.started(server_factory, QUICK_CONF if quick else HELD_CONF)
    api = srv.client()
    m = bl.uid()[:8]
    p = {"login": f"states{m}", "email": f"states.{m}@example.org", "custom": f"S-{m}"}
    tok = api.create_user(p)
    other = bl.profile()
    otok = api.create_user(other)
    uid, oid = user_id(srv, tok), user_id(srv, otok)
    if not quick and srv.store == "sqlite":
        assert merged(srv, uid) == {} and pending(srv, uid) == expected(p)
    else:
        assert bl.wait_until(lambda: all_pending(srv) == 0, timeout=10)
        assert pending(srv, uid) == {} and merged(srv, uid) == expected(p)
    assert postings(srv, uid) == expected(p)
    # change one value, remove one, add one
    p["login"] = f"states{m}zz"
    del p["custom"]
    p["phone"] = "+" + bl.phone()
    assert_ok(api.v2("UserUpdate", {"mode": "token", "identity": tok, "profile": {
        "login": p["login"], "custom": None, "phone": p["phone"]}}))
    assert postings(srv, uid) == expected(p)
    assert search(api, p["login"], "login")[0] == tok
    assert search(api, p["phone"], "phone")[0] == tok
    assert tok not in search(api, f"S-{m}", "custom")
    # after the merge (if any) the same
    if quick:
        assert bl.wait_until(lambda: all_pending(srv) == 0, timeout=10)
        assert pending(srv, uid) == {}
    assert postings(srv, uid) == expected(p)
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": tok}))
    assert postings(srv, uid) == {}
    assert tok not in search(api, p["login"], "login")
    # the other user keeps everything
    assert postings(srv, oid) == expected(other)
    assert search(api, other["login"], "login")[0] == otok
