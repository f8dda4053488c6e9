"""UserCreateBulk and UserDeleteBulk: request order, all-or-nothing, the
failing index named, the bulk body and field limits."""

import json
import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, v2_ok


def _recs(n, **extra):
    return [{"profile": bl.profile(**extra)} for _ in range(n)]


def test_create_bulk_answers_in_request_order(api):
    recs = _recs(5)
    r = api.v2("UserCreateBulk", {"records": recs})
    b = assert_ok(r)
    assert set(b) == {"status", "created"}
    assert len(b["created"]) == 5
    for rec, got in zip(recs, b["created"]):
        assert set(got) == {"token", "profile"}
        bl.assert_uuid4(got["token"], r)
        assert got["profile"] == rec["profile"]
        # each user is stored and found by token and by every index
        assert api.user_data("token", got["token"]) == rec["profile"]
        assert api.user_data("email", rec["profile"]["email"]) == rec["profile"]
        assert api.user_data("login", rec["profile"]["login"]) == rec["profile"]
    assert len({c["token"] for c in b["created"]}) == 5


def test_create_bulk_writes_an_audit_event_per_user(api):
    b = assert_ok(api.v2("UserCreateBulk", {"records": _recs(2)}))
    for c in b["created"]:
        b = api.audit_rows(c["token"])
        assert b["total"] == 1
        assert b["rows"][0]["title"] == "UserCreate"


@pytest.mark.parametrize("body,needle", [
    ({}, "missing records"),
    ({"records": None}, "missing records"),
    ({"records": []}, "must not be empty"),
    ({"records": {"profile": {}}}, "array"),
    ({"records": "x"}, "array"),
])
def test_create_bulk_bad_list_is_400(api, body, needle):
    b = assert_error(api.v2("UserCreateBulk", body), 400)
    assert needle in b["message"]


@pytest.mark.parametrize("bad", [5, "str", None, [1], {"noprofile": 1}, {"profile": [1]},
                                 {"profile": "x"}, {"profile": None}])
def test_create_bulk_non_object_at_index_k_is_400_naming_k(api, bad):
    recs = _recs(4)
    recs.insert(2, bad)
    emails = [r["profile"]["email"] for r in recs if isinstance(r, dict) and "profile" in r
              and isinstance(r["profile"], dict)]
    b = assert_error(api.v2("UserCreateBulk", {"records": recs}), 400)
    assert b["message"].startswith("records[2]:"), b
    for e in emails:
        assert_not_found(api.get_user("email", e))


def test_create_bulk_bad_index_value_names_k(api):
    recs = _recs(3)
    recs[1]["profile"]["email"] = "not-an-email"
    b = assert_error(api.v2("UserCreateBulk", {"records": recs}), 400)
    assert b["message"] == "records[1]: invalid email"
    assert_not_found(api.get_user("email", recs[0]["profile"]["email"]))


def test_create_bulk_duplicate_inside_batch_is_409_and_creates_nothing(api):
    recs = _recs(4)
    recs[3]["profile"]["login"] = recs[1]["profile"]["login"]
    b = assert_error(api.v2("UserCreateBulk", {"records": recs}), 409)
    assert b["message"] == "records[3]: user with this login already exists"
    for rec in recs:
        assert_not_found(api.get_user("email", rec["profile"]["email"]))
        assert_not_found(api.get_user("custom", rec["profile"]["custom"]))


def test_create_bulk_duplicate_of_existing_user_is_409_and_creates_nothing(api):
    existing = bl.profile()
    tok = api.create_user(existing)
    recs = _recs(3)
    recs[2]["profile"]["email"] = existing["email"].upper()
    b = assert_error(api.v2("UserCreateBulk", {"records": recs}), 409)
    assert b["message"] == "records[2]: user with this email already exists"
    for rec in recs[:2]:
        assert_not_found(api.get_user("login", rec["profile"]["login"]))
    assert api.user_data("token", tok) == existing


def _groups(api, tok):
    b = v2_ok(api, "GroupListUserGroups", {"mode": "token", "identity": tok})
    return [(r["groupid"], r["groupname"], r["roleid"], r["rolename"]) for r in b["rows"]]


def test_create_bulk_puts_each_record_in_its_group_and_role(api):
    gn, gn2, rn, newrole = (f"g-{bl.uid()}", f"g-{bl.uid()}", f"r-{bl.uid()}",
                            f"r-{bl.uid()}")
    gid = v2_ok(api, "GroupCreate", {"groupname": gn})["groupid"]
    gid2 = v2_ok(api, "GroupCreate", {"groupname": gn2})["groupid"]
    rid = v2_ok(api, "RoleCreate", {"rolename": rn})["roleid"]
    recs = _recs(6)
    recs[0].update(groupname=gn, rolename=rn)
    recs[1].update(groupid=gid, roleid=rid)
    recs[2].update(groupid=gid2)
    recs[3].update(groupname=gn2, rolename=newrole)     # a role named here is created
    recs[4].update(groupid=gid, groupname="ignored", roleid=rid, rolename="ignored")
    b = assert_ok(api.v2("UserCreateBulk", {"records": recs}))
    toks = [c["token"] for c in b["created"]]
    assert [c["profile"] for c in b["created"]] == [r["profile"] for r in recs]
    assert _groups(api, toks[0]) == [(gid, gn, rid, rn)]
    assert _groups(api, toks[1]) == [(gid, gn, rid, rn)]
    assert _groups(api, toks[2]) == [(gid2, gn2, 0, "")]
    (g, name, newid, role), = _groups(api, toks[3])
    assert (g, name, role) == (gid2, gn2, newrole) and newid > 0
    assert _groups(api, toks[4]) == [(gid, gn, rid, rn)]
    assert _groups(api, toks[5]) == []
    # the members as the group lists them
    u = bl.unlock(api)
    rows = v2_ok(api, "BulkListGroupUsers", {"unlockuuid": u, "groupid": gid})["rows"]
    assert sorted(r["token"] for r in rows) == sorted([toks[0], toks[1], toks[4]])
    # every user is whole: profile, indexes, one UserCreate event
    for rec, tok in zip(recs, toks):
        assert api.user_data("login", rec["profile"]["login"]) == rec["profile"]
        assert [r["title"] for r in api.audit_rows(tok)["rows"]].count("UserCreate") == 1


def _assert_none_created(api, recs):
    for rec in recs:
        if isinstance(rec, dict) and isinstance(rec.get("profile"), dict):
            assert_not_found(api.get_user("login", rec["profile"]["login"]))
            assert_not_found(api.get_user("email", rec["profile"]["email"]))


@pytest.mark.parametrize("bad,status,message", [
    ({"groupname": "no-such-group"}, 404, "records[7]: not found"),
    ({"groupid": 99999999}, 404, "records[7]: not found"),
    ({"groupid": "GID", "roleid": 99999999}, 404, "records[7]: not found"),
    ({"rolename": "child"}, 400, "records[7]: a role needs a group: add groupid or groupname"),
    ({"roleid": "RID"}, 400, "records[7]: a role needs a group: add groupid or groupname"),
    ({"groupid": "x"}, 400, None),
    ({"groupid": 0}, 400, None),
    ({"groupid": -3}, 400, None),
    ({"groupid": 1.5}, 400, None),
    ({"groupname": ["g"]}, 400, None),
    ({"groupname": "GN", "roleid": "x"}, 400, None),
    ({"groupname": "GN", "rolename": {"a": 1}}, 400, None),
])
def test_create_bulk_bad_group_or_role_in_record_7_creates_nothing(api, bad, status, message):
    gn, rn = f"g-{bl.uid()}", f"r-{bl.uid()}"
    gid = v2_ok(api, "GroupCreate", {"groupname": gn})["groupid"]
    rid = v2_ok(api, "RoleCreate", {"rolename": rn})["roleid"]
    fill = {"GID": gid, "RID": rid, "GN": gn}
    bad = {k: fill.get(v, v) if isinstance(v, str) else v for k, v in bad.items()}
    recs = _recs(10)
    for r in recs[:7]:
        r.update(groupid=gid, roleid=rid)        # good memberships before the bad one
    recs[3]["rolename"] = f"fresh-{bl.uid()}"    # would create a role: rolled back too
    recs[3].pop("roleid")
    recs[7].update(bad)
    b = assert_error(api.v2("UserCreateBulk", {"records": recs}), status)
    assert b["message"].startswith("records[7]: "), b
    if message is not None:
        assert b["message"] == message
    _assert_none_created(api, recs)
    u = bl.unlock(api)
    assert v2_ok(api, "BulkListGroupUsers", {"unlockuuid": u, "groupid": gid})["rows"] == []
    assert_not_found(api.v2("XTokenCreateForRole", {"rolename": recs[3]["rolename"]}))
    # the same records without the bad one go in
    recs[7] = {"profile": recs[7]["profile"]}
    assert_ok(api.v2("UserCreateBulk", {"records": recs}))
    assert len(v2_ok(api, "BulkListGroupUsers", {"unlockuuid": u, "groupid": gid})["rows"]) == 7


def _v2get(api, tok):
    return assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))


def _exp_status(api, tok):
    return assert_ok(api.get(f"/v1/exp/status/{tok}"))


def test_create_bulk_sliding_and_final_time_apply_to_every_record(api):
    t0 = int(time.time())
    recs = _recs(3)
    b = assert_ok(api.v2("UserCreateBulk", {"records": recs, "slidingtime": "1h",
                                            "finaltime": "1d"}))
    for c in b["created"]:
        g = _v2get(api, c["token"])
        assert t0 + 3600 <= g["slidingtime"] <= int(time.time()) + 3600
        assert t0 + 86400 <= g["finaltime"] <= int(time.time()) + 86400
        assert g["expirationtime"] == g["slidingtime"]
        st = _exp_status(api, c["token"])
        assert (st["expstatus"], st["exptime"]) == ("expiring", g["expirationtime"])
    # each option alone, and a unix time
    at = int(time.time()) + 7200
    for extra, want in (({"slidingtime": "2d"}, ("sliding", 2 * 86400)),
                        ({"finaltime": at}, ("final", at)),
                        ({"finaltime": str(at)}, ("final", at)),
                        ({"slidingtime": 600}, ("sliding", 600))):
        t0 = int(time.time())
        b = assert_ok(api.v2("UserCreateBulk", dict({"records": _recs(2)}, **extra)))
        for c in b["created"]:
            g = _v2get(api, c["token"])
            if want[0] == "sliding":
                assert g["finaltime"] == 0
                assert t0 + want[1] <= g["slidingtime"] <= int(time.time()) + want[1]
            else:
                assert (g["finaltime"], g["slidingtime"]) == (want[1], 0)
            assert _exp_status(api, c["token"])["expstatus"] == "expiring"
    # none asked: none kept
    b = assert_ok(api.v2("UserCreateBulk", {"records": _recs(1), "slidingtime": "",
                                            "finaltime": None}))
    tok = b["created"][0]["token"]
    g = _v2get(api, tok)
    assert (g["finaltime"], g["slidingtime"], g["expirationtime"]) == (0, 0, 0)
    assert _exp_status(api, tok)["expstatus"] == "none"


@pytest.mark.parametrize("extra,needle", [
    ({"slidingtime": "-5s"}, "bad slidingtime"),
    ({"slidingtime": "soon"}, "bad slidingtime"),
    ({"slidingtime": 0}, "bad slidingtime"),
    ({"slidingtime": [1]}, "wrong type"),
    ({"finaltime": "soon"}, "bad finaltime"),
    ({"finaltime": 0}, "bad finaltime"),
    ({"finaltime": 1000}, "bad finaltime"),
    ({"finaltime": {"a": 1}}, "wrong type"),
])
def test_create_bulk_bad_times_are_400_and_create_nothing(api, extra, needle):
    recs = _recs(3)
    b = assert_error(api.v2("UserCreateBulk", dict({"records": recs}, **extra)), 400)
    assert needle in b["message"], b
    _assert_none_created(api, recs)


def test_create_bulk_final_time_forgets_every_record(server_factory):
    srv = bl.started(server_factory, "generic:\n  sweep_interval_ms: 200\n")
    api = srv.client()
    gid = v2_ok(api, "GroupCreate", {"groupname": f"g-{bl.uid()}"})["groupid"]
    recs = _recs(3)
    for r in recs:
        r["groupid"] = gid
    keep = _recs(1)
    b = assert_ok(api.v2("UserCreateBulk", {"records": recs, "finaltime": "2s"}))
    kept = assert_ok(api.v2("UserCreateBulk", {"records": keep}))["created"][0]["token"]
    toks = [c["token"] for c in b["created"]]
    u = bl.unlock(api)

    def members():
        return v2_ok(api, "BulkListGroupUsers", {"unlockuuid": u, "groupid": gid})["rows"]

    # the sweep forgets them: memberships go with the users
    assert bl.wait_until(lambda: members() == [] and all(
        _exp_status(api, t)["expstatus"] == "expired" for t in toks), timeout=15)
    for t, rec in zip(toks, recs):
        assert_not_found(api.get_user("token", t))
        assert_not_found(api.get_user("email", rec["profile"]["email"]))
    assert api.user_data("token", kept) == keep[0]["profile"]


def test_create_bulk_auth(api, server):
    body = {"records": _recs(1)}
    assert_error(server.client(token=None).v2("UserCreateBulk", body), 403)
    assert_error(server.client(token="wrong").v2("UserCreateBulk", body), 403)
    assert_not_found(api.get_user("login", body["records"][0]["profile"]["login"]))


def test_create_bulk_4000_profiles_of_120_fields(api):
    tag = bl.uid()
    recs = []
    for i in range(4000):
        p = {f"field{k:03d}": f"v{i}-{k}-{tag}" for k in range(117)}
        p["email"] = f"bulk{i}.{tag}@example.com"
        p["login"] = f"bulk{i}-{tag}"
        p["custom"] = f"bc{i}-{tag}"
        recs.append({"profile": p})
    body = json.dumps({"records": recs}).encode()
    assert len(body) > 12_000_000
    t0 = time.monotonic()
    r = api.raw("POST", "/v2/UserCreateBulk", body, timeout=600)
    took = time.monotonic() - t0
    b = assert_ok(r)
    assert len(b["created"]) == 4000
    print(f"UserCreateBulk 4000x120 ({len(body)} bytes): {took:.2f} s")
    for i in (0, 1234, 3999):
        assert b["created"][i]["profile"] == recs[i]["profile"]
        assert api.user_data("login", f"bulk{i}-{tag}") == recs[i]["profile"]
        assert api.user_data("token", b["created"][i]["token"]) == recs[i]["profile"]


def test_bulk_body_limit_and_field_limit(server_factory):
    srv = server_factory(conf="limits:\n  bulk_body_max_bytes: 20000\n"
                              "  bulk_json_max_fields: 300\n  json_max_fields: 50\n")
    srv.init()
    srv.start()
    api = srv.client()
    # over the bulk byte limit: 413 before anything is created
    recs = _recs(80)
    body = json.dumps({"records": recs}).encode()
    assert len(body) > 20000
    assert_error(api.raw("POST", "/v2/UserCreateBulk", body), 413)
    assert_not_found(api.get_user("login", recs[0]["profile"]["login"]))
    # more fields than the single-record limit, fewer than the bulk one: accepted
    recs = _recs(8)
    b = assert_ok(api.v2("UserCreateBulk", {"records": recs}))
    assert len(b["created"]) == 8
    # the single-record limit still applies to UserCreate
    big = {f"k{i}": i for i in range(60)}
    assert_error(api.v2("UserCreate", {"profile": big}), 413)
    # over the bulk field limit: 413
    recs = [{"profile": {f"k{i}": i for i in range(40)}} for _ in range(9)]
    assert_error(api.v2("UserCreateBulk", {"records": recs}), 413)


# ---------------------------------------------------------------- UserDeleteBulk

def test_delete_bulk_by_mode_identity(api):
    people = [bl.profile() for _ in range(5)]
    toks = [api.create_user(p) for p in people]
    users = [{"mode": "token", "identity": toks[0]},
             {"mode": "email", "identity": people[1]["email"]},
             {"mode": "phone", "identity": people[2]["phone"]},
             {"mode": "login", "identity": people[3]["login"]},
             {"mode": "custom", "identity": people[4]["custom"]}]
    b = assert_ok(api.v2("UserDeleteBulk", {"users": users}))
    assert set(b) == {"status", "deleted"}
    assert [d["token"] for d in b["deleted"]] == toks
    for t, p in zip(toks, people):
        assert_not_found(api.get_user("token", t))
        assert_not_found(api.get_user("email", p["email"]))
    # the identities are free again
    api.create_user({"email": people[1]["email"]})


def test_delete_bulk_by_tokens(api):
    toks = [api.create_user(bl.profile()) for _ in range(3)]
    b = assert_ok(api.v2("UserDeleteBulk", {"tokens": [t.upper() for t in toks]}))
    assert [d["token"] for d in b["deleted"]] == toks
    for t in toks:
        assert_not_found(api.get_user("token", t))


def test_delete_bulk_unknown_user_deletes_nothing(api):
    people = [bl.profile() for _ in range(3)]
    toks = [api.create_user(p) for p in people]
    users = [{"mode": "token", "identity": toks[0]},
             {"mode": "email", "identity": bl.email("nobody")},
             {"mode": "token", "identity": toks[2]}]
    b = assert_error(api.v2("UserDeleteBulk", {"users": users}), 404)
    assert b["message"] == "users[1]: not found"
    for t, p in zip(toks, people):
        assert api.user_data("token", t) == p
    # the same user twice: the second is gone by then
    b = assert_error(api.v2("UserDeleteBulk", {"tokens": [toks[0], toks[0]]}), 404)
    assert b["message"] == "tokens[1]: not found"
    assert api.user_data("token", toks[0]) == people[0]


@pytest.mark.parametrize("body,needle", [
    ({}, "missing users"),
    ({"users": []}, "users must not be empty"),
    ({"tokens": []}, "tokens must not be empty"),
    ({"users": [{"mode": "token", "identity": "x"}], "tokens": ["x"]}, "not both"),
    ({"users": "x"}, "array"),
    ({"users": [5]}, "users[0]:"),
    ({"users": [{"mode": "bogus", "identity": "x"}]}, "users[0]: bad mode"),
    ({"users": [{"mode": "email"}]}, "users[0]: missing identity"),
    ({"tokens": ["not-a-token"]}, "tokens[0]: bad token format"),
    ({"tokens": [7]}, "tokens[0]:"),
])
def test_delete_bulk_bad_input_is_400(api, body, needle):
    b = assert_error(api.v2("UserDeleteBulk", body), 400)
    assert needle in b["message"], b


def test_delete_bulk_auth(api, server):
    tok = api.create_user(bl.profile())
    for c in (server.client(token=None), server.client(token="wrong")):
        assert_error(c.v2("UserDeleteBulk", {"tokens": [tok]}), 403)
    assert_ok(api.get_user("token", tok))


def test_bulk_created_users_leave_no_plaintext_on_disk(fresh_server):
    from test_security import scan
    api = fresh_server.client()
    marker = bl.uid()
    recs = [{"profile": {"email": f"bulkleak{marker}{i}@leak.example",
                         "login": f"bulkleaklogin{marker}{i}",
                         "secret": f"Bulksecretvalue{marker}{i}"}} for i in range(20)]
    assert_ok(api.v2("UserCreateBulk", {"records": recs}))
    needles = [v for r in recs for v in r["profile"].values()]
    assert scan(fresh_server, needles) == []
