"""Fuzzy search (UserSearch): typos and partial input find the user, unrelated
text does not, results are ranked, the index follows updates and deletes,
policies filter and mask results, and no plaintext of the searched values or
of the queries reaches the database files."""

import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok, v2_ok


def search(api, identity, mode=None, **kw):
    body = {"identity": identity, "unlockuuid": bl.unlock(api)}
    if mode is not None:
        body["mode"] = mode
    body.update(kw)
    return v2_ok(api, "UserSearch", body)["rows"]


def tokens(rows):
    return [r["token"] for r in rows]


@pytest.fixture(scope="module")
def people(server):
    api = server.client()
    m = bl.uid()[:6]
    ps = {
        "alice": {"login": f"alicewonder{m}", "email": f"alice.wonder.{m}@examplemail.com",
                  "phone": "+44 20 7946 0958", "custom": f"CUST-{m}-ALICE", "name": "Alice"},
        "bob": {"login": f"bobbuilder{m}", "email": f"bob.builder.{m}@constructs.org",
                "phone": "+1 (212) 555-0199", "custom": f"CUST-{m}-BOB", "name": "Bob"},
        "carol": {"login": f"carolsinger{m}", "email": f"carol.{m}@musichall.net",
                  "custom": f"CUST-{m}-CAROL", "name": "Carol"},
    }
    toks = {k: api.create_user(p) for k, p in ps.items()}
    return m, ps, toks


def test_exact_typo_and_prefix_find_the_user(api, people):
    m, ps, toks = people
    login = ps["alice"]["login"]
    assert tokens(search(api, login, "login"))[0] == toks["alice"]
    typo = login.replace("wonder", "wander")                  # one letter wrong
    assert tokens(search(api, typo, "login"))[0] == toks["alice"]
    missing = login.replace("wonder", "wonde")                # one letter missing
    assert tokens(search(api, missing, "login"))[0] == toks["alice"]
    assert toks["alice"] in tokens(search(api, "alicewon", "login"))    # prefix
    assert toks["bob"] in tokens(search(api, f"BobBuilder{m}", "login"))  # case
    row = search(api, login, "login")[0]
    assert row["profile"] == ps["alice"] and row["version"] == 1 and row["score"] > 0.99


def test_email_phone_custom_and_inferred_mode(api, people):
    m, ps, toks = people
    assert tokens(search(api, f"bob.bulder.{m}@constructs.org", "email"))[0] == toks["bob"]
    assert tokens(search(api, f"bob.builder.{m}@constructs.org"))[0] == toks["bob"]   # '@'
    assert tokens(search(api, "2125550199", "phone"))[0] == toks["bob"]
    assert tokens(search(api, "(212) 555-0199"))[0] == toks["bob"]                     # digits
    assert tokens(search(api, "207946095"))[0] == toks["alice"]          # partial, inferred
    assert tokens(search(api, f"cust-{m}-carl", "custom"))[0] == toks["carol"]
    assert tokens(search(api, f"carolsingr{m}"))[0] == toks["carol"]     # login inferred


def test_unrelated_text_finds_nothing(api, people):
    m, ps, toks = people
    for q in ("zzqqxxjj", "mortimer", "9999999999"):
        found = set(tokens(search(api, q)))
        assert not found & set(toks.values()), q


def test_ranking_best_first(api):
    m = bl.uid()[:6]
    exact = api.create_user({"login": f"rankuser{m}"})
    near = api.create_user({"login": f"rankuserx{m}"})
    rows = search(api, f"rankuser{m}", "login")
    assert tokens(rows)[:2] == [exact, near]
    assert rows[0]["score"] > rows[1]["score"]
    assert len(search(api, f"rankuser{m}", "login", limit=1)) == 1


def test_index_follows_update_and_delete(api):
    old, new = f"aardvark{bl.uid()[:6]}", f"quokkazest{bl.uid()[:6]}"
    tok = api.create_user({"login": old})
    assert tok in tokens(search(api, old, "login"))
    assert_ok(api.v2("UserUpdate", {"mode": "token", "identity": tok,
                                    "profile": {"login": new}}))
    assert tok not in tokens(search(api, old, "login"))
    assert tok in tokens(search(api, new, "login"))
    # an update that does not touch the login keeps it searchable
    assert_ok(api.put_user("token", tok, {"note": "x"}))
    assert tok in tokens(search(api, new, "login"))
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": tok}))
    assert tok not in tokens(search(api, new, "login"))


def test_search_sees_users_created_and_forgotten_between_searches(api):
    # the server remembers how many users hold each gram for a few minutes;
    # a search that found nobody must not hide the user created next, and a
    # forgotten user's grams must not hide the one who holds them now
    m = bl.uid()[:6]
    login = f"latecomerzq{m}"
    assert tokens(search(api, login, "login")) == []
    first = api.create_user({"login": login})
    assert tokens(search(api, login, "login"))[0] == first
    assert tokens(search(api, login.replace("comer", "comr"), "login"))[0] == first
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": first}))
    assert first not in tokens(search(api, login, "login"))
    second = api.create_user({"login": login + "x"})
    rows = search(api, login, "login")
    assert tokens(rows)[0] == second and rows[0]["score"] > 0.9


def test_search_bad_input(api):
    u = bl.unlock(api)
    assert_error(api.v2("UserSearch", {"unlockuuid": u}), 400)
    assert_error(api.v2("UserSearch", {"unlockuuid": u, "identity": ""}), 400)
    assert_error(api.v2("UserSearch", {"unlockuuid": u, "identity": "   "}), 400)
    assert_error(api.v2("UserSearch", {"unlockuuid": u, "identity": 5}), 400)
    assert_error(api.v2("UserSearch", {"unlockuuid": u, "identity": "x", "mode": "token"}), 400)
    assert_error(api.v2("UserSearch", {"unlockuuid": u, "identity": "x", "mode": "nope"}), 400)
    assert_error(api.v2("UserSearch", {"unlockuuid": u, "identity": "x", "limit": 0}), 400)
    assert_error(api.v2("UserSearch", {"unlockuuid": u, "identity": "x" * 2000}), 400)
    assert_error(api.v2("UserSearch", {"identity": "x"}), 400)
    assert_error(api.v2("UserSearch", {"identity": "x", "unlockuuid": "00000000-0000-4000-8000-"
                                                                      "000000000000"}), 403)


def test_search_is_audited(api, people):
    m, ps, toks = people
    search(api, ps["bob"]["login"])
    rows = v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": bl.unlock(api), "limit": 5})["rows"]
    ev = [r for r in rows if r["eventtype"] == "UserSearch"]
    assert ev and ev[0]["who"] == "root" and ev[0]["status"] == "ok"


def test_search_respects_policies(api, server):
    m = bl.uid()[:6]
    role = f"searcher-{m}"
    grp = f"searchgrp-{m}"
    v2_ok(api, "GroupCreate", {"groupname": grp})
    v2_ok(api, "PolicyCreate", {"policyname": f"searchpol-{m}", "policy": {
        "Effect": "Allow", "Principal": {"Role": role}, "Action": ["UserSearch"],
        "Resource": ["${target_group_members}.profile.login"],
        "Condition": {"StringEquals": {"${principal_group_id}": "${target_group_id}"}}}})
    me = v2_ok(api, "UserCreate", {"profile": {"login": f"agent{m}"}, "groupname": grp,
                                   "rolename": role})["token"]
    inside = v2_ok(api, "UserCreate", {"profile": {"login": f"findme{m}", "ssn": "1"},
                                       "groupname": grp})["token"]
    outside = api.create_user({"login": f"findme{m}x"})
    mc = server.client(bl.xtoken_for_user(api, me))
    rows = search(mc, f"findme{m}", "login")
    assert tokens(rows) == [inside]
    assert rows[0]["profile"] == {"login": f"findme{m}"}
    assert outside in tokens(search(api, f"findme{m}", "login"))


def test_no_plaintext_search_terms_on_disk(fresh_server):
    srv = fresh_server
    api = srv.client()
    m = bl.uid()
    vals = {"login": f"secretlogin{m}", "email": f"secret.mail.{m}@hidden.example",
            "custom": f"secretcustom{m}", "phone": "+1 (650) 555-0123"}
    tok = api.create_user(vals)
    queries = [f"secretlogn{m}", f"secret.mail.{m}", f"secretcustom{m[:6]}", "6505550123"]
    for q in queries:
        search(api, q)
    assert tok in tokens(search(api, vals["login"]))
    time.sleep(0.3)
    srv.stop()
    needles = list(vals.values()) + queries + [m, "6505550123", "16505550123"]
    # trigrams of the distinctive marker, too
    needles += [m[i:i + 3] + m[i + 3:i + 6] for i in range(0, len(m) - 6)]
    found = []
    for f in srv.db_files():
        data = f.read_bytes()
        found += [(f.name, n) for n in needles if n.encode() in data or n.lower().encode() in data]
    assert not found, found
