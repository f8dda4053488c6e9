"""Access tokens (XTokenCreateForUser/ForRole), roles, policies, groups and
memberships: every operation's happy path, its 400/403/404/409 answers, token
expiry (final and sliding), revocation, and tokens kept only as hashes."""

import time
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, v2_ok

RANDOM = str(uuid.uuid4())

OPS = [
    ("XTokenCreateForUser", {"mode": "token", "identity": RANDOM}),
    ("XTokenCreateForRole", {"rolename": "nobody"}),
    ("RoleCreate", {"rolename": "r"}),
    ("RoleUpdate", {"roleid": 1, "rolename": "r2"}),
    ("RoleLinkPolicy", {"roleid": 1, "policyid": 1}),
    ("PolicyCreate", {"policyname": "p", "policy": {"Effect": "Allow", "Action": "UserGet"}}),
    ("PolicyGet", {"policyid": 1}),
    ("PolicyUpdate", {"policyid": 1, "policydesc": "x"}),
    ("PolicyListAllPolicies", {}),
    ("GroupCreate", {"groupname": "g"}),
    ("GroupGet", {"groupid": 1}),
    ("GroupUpdate", {"groupid": 1, "groupdesc": "x"}),
    ("GroupDelete", {"groupid": 1}),
    ("GroupListAllGroups", {}),
    ("GroupListUserGroups", {"mode": "token", "identity": RANDOM}),
    ("GroupAddUser", {"groupid": 1, "mode": "token", "identity": RANDOM}),
    ("GroupDeleteUser", {"groupid": 1, "mode": "token", "identity": RANDOM}),
    ("BulkListUnlock", {}),
    ("BulkListAllUsers", {"unlockuuid": RANDOM}),
    ("BulkListUsers", {"unlockuuid": RANDOM, "users": []}),
    ("BulkListGroupUsers", {"unlockuuid": RANDOM, "groupid": 1}),
    ("BulkListAllAuditEvents", {"unlockuuid": RANDOM}),
    ("UserSearch", {"unlockuuid": RANDOM, "identity": "x"}),
]


@pytest.mark.parametrize("op,body", OPS, ids=[o for o, _ in OPS])
def test_missing_or_wrong_token_is_403(api, op, body):
    for tok in (None, "", str(uuid.uuid4()), "DEMO"):
        assert_error(api.v2(op, body, token=tok), 403)


def name(prefix):
    return f"{prefix}-{bl.uid()}"


# ------------------------------------------------------------------ roles

def test_role_create_update(api):
    rn = name("role")
    b = v2_ok(api, "RoleCreate", {"rolename": rn, "roledesc": "first"})
    assert isinstance(b["roleid"], int) and b["roleid"] > 0
    assert set(b) == {"status", "roleid"}
    assert_error(api.v2("RoleCreate", {"rolename": rn}), 409)
    rn2 = name("role")
    assert_ok(api.v2("RoleUpdate", {"roleid": b["roleid"], "rolename": rn2, "roledesc": "x"}))
    # the old name is free again, the new one is taken
    assert_ok(api.v2("RoleCreate", {"rolename": rn}))
    assert_error(api.v2("RoleCreate", {"rolename": rn2}), 409)
    assert_error(api.v2("RoleUpdate", {"roleid": b["roleid"], "rolename": rn}), 409)
    assert_not_found(api.v2("RoleUpdate", {"roleid": 99999999, "roledesc": "x"}))


@pytest.mark.parametrize("body", [
    {}, {"rolename": ""}, {"rolename": "a/b"}, {"rolename": "${x}"}, {"rolename": 5},
    {"rolename": "x" * 129}, {"rolename": "ok", "roledesc": 3},
])
def test_role_create_bad_input(api, body):
    assert_error(api.v2("RoleCreate", body), 400)


@pytest.mark.parametrize("body", [{}, {"roleid": 0}, {"roleid": "abc"}, {"roleid": -1},
                                  {"roleid": 1, "rolename": "a/b"}])
def test_role_update_bad_input(api, body):
    assert_error(api.v2("RoleUpdate", body), 400)


# ------------------------------------------------------------------ policies

POLICY = {"Effect": "Allow", "Principal": {"Role": "reader"}, "Action": ["UserGet"],
          "Resource": ["profile.name"]}


def test_policy_create_get_update_list(api):
    pn = name("pol")
    b = v2_ok(api, "PolicyCreate", {"policyname": pn, "policydesc": "d1", "policy": POLICY})
    pid = b["policyid"]
    assert isinstance(pid, int)
    assert_error(api.v2("PolicyCreate", {"policyname": pn, "policy": POLICY}), 409)
    for sel in ({"policyid": pid}, {"policyname": pn}):
        g = v2_ok(api, "PolicyGet", sel)
        assert g["policyid"] == pid and g["policyname"] == pn and g["policydesc"] == "d1"
        assert g["policy"] == POLICY
    newpol = dict(POLICY, Action=["UserGet", "UserUpdate"])
    assert_ok(api.v2("PolicyUpdate", {"policyid": pid, "policydesc": "d2", "policy": newpol}))
    g = v2_ok(api, "PolicyGet", {"policyid": pid})
    assert g["policydesc"] == "d2" and g["policy"] == newpol and g["policyname"] == pn
    rows = v2_ok(api, "PolicyListAllPolicies", {})["rows"]
    mine = [r for r in rows if r["policyid"] == pid]
    assert mine == [{"policyid": pid, "policyname": pn, "policydesc": "d2"}]
    assert_not_found(api.v2("PolicyGet", {"policyid": 99999999}))
    assert_not_found(api.v2("PolicyGet", {"policyname": name("none")}))
    assert_not_found(api.v2("PolicyUpdate", {"policyid": 99999999, "policydesc": "x"}))
    # a bad update changes nothing
    assert_error(api.v2("PolicyUpdate", {"policyid": pid, "policy": {"Effect": "Perhaps"}}), 400)
    assert v2_ok(api, "PolicyGet", {"policyid": pid})["policy"] == newpol


@pytest.mark.parametrize("policy,word", [
    ({"Action": ["UserGet"]}, "Effect"),
    ({"Effect": "Allow"}, "Action"),
    ({"Effect": "Allow", "Action": "UserGet", "Resource": ["${nothing}.profile"]}, "Resource"),
    ({"Effect": "Allow", "Action": "UserGet", "Condition": {"Regex": {"a": "b"}}}, "Condition"),
    ({"Effect": "Allow", "Action": "UserGet",
      "Condition": {"StringEquals": {"${who_knows}": "x"}}}, "variable"),
    ({"Effect": "Allow", "Action": "UserGet", "Principal": "parent"}, "Principal"),
])
def test_policy_create_refuses_bad_policy_with_reason(api, policy, word):
    b = assert_error(api.v2("PolicyCreate", {"policyname": name("bad"), "policy": policy}), 400)
    assert word in b["message"]


@pytest.mark.parametrize("body", [
    {"policy": POLICY}, {"policyname": "x"}, {"policyname": "x", "policy": [1]},
    {"policyname": "", "policy": POLICY}, {"policyname": "x", "policy": "text"},
])
def test_policy_create_bad_input(api, body):
    assert_error(api.v2("PolicyCreate", body), 400)


def test_policy_get_update_bad_input(api):
    assert_error(api.v2("PolicyGet", {}), 400)
    assert_error(api.v2("PolicyUpdate", {}), 400)
    assert_error(api.v2("PolicyUpdate", {"policyid": "x"}), 400)


def test_role_link_policy(api):
    rn, pn = name("role"), name("pol")
    rid = v2_ok(api, "RoleCreate", {"rolename": rn})["roleid"]
    pid = v2_ok(api, "PolicyCreate", {"policyname": pn, "policy": POLICY})["policyid"]
    assert_ok(api.v2("RoleLinkPolicy", {"roleid": rid, "policyid": pid}))
    assert_error(api.v2("RoleLinkPolicy", {"rolename": rn, "policyname": pn}), 409)
    pn2 = name("pol")
    v2_ok(api, "PolicyCreate", {"policyname": pn2, "policy": POLICY})
    assert_ok(api.v2("RoleLinkPolicy", {"rolename": rn, "policyname": pn2}))
    assert_error(api.v2("RoleLinkPolicy", {"roleid": 99999999, "policyid": pid}), 404)
    assert_error(api.v2("RoleLinkPolicy", {"roleid": rid, "policyid": 99999999}), 404)
    assert_error(api.v2("RoleLinkPolicy", {"policyid": pid}), 400)
    assert_error(api.v2("RoleLinkPolicy", {"roleid": rid}), 400)


# ------------------------------------------------------------------ groups

def test_group_crud(api):
    gn = name("grp")
    gid = v2_ok(api, "GroupCreate", {"groupname": gn, "groupdesc": "d", "grouptype": "family"})[
        "groupid"]
    assert isinstance(gid, int)
    assert_error(api.v2("GroupCreate", {"groupname": gn}), 409)
    want = {"status": "ok", "groupid": gid, "groupname": gn, "groupdesc": "d", "grouptype": "family"}
    assert v2_ok(api, "GroupGet", {"groupid": gid}) == want
    assert v2_ok(api, "GroupGet", {"groupname": gn}) == want
    rows = v2_ok(api, "GroupListAllGroups", {})["rows"]
    assert [r for r in rows if r["groupid"] == gid] == [
        {"groupid": gid, "groupname": gn, "groupdesc": "d", "grouptype": "family"}]
    gn2 = name("grp")
    assert_ok(api.v2("GroupUpdate", {"groupid": gid, "groupname": gn2, "groupdesc": "e"}))
    g = v2_ok(api, "GroupGet", {"groupid": gid})
    assert (g["groupname"], g["groupdesc"], g["grouptype"]) == (gn2, "e", "family")
    other = v2_ok(api, "GroupCreate", {"groupname": gn})["groupid"]
    assert_error(api.v2("GroupUpdate", {"groupid": other, "groupname": gn2}), 409)
    assert_error(api.v2("GroupDelete", {"groupid": gid, "groupname": gn}), 400)
    assert_ok(api.v2("GroupDelete", {"groupid": gid, "groupname": gn2}))
    assert_not_found(api.v2("GroupGet", {"groupid": gid}))
    assert_not_found(api.v2("GroupDelete", {"groupid": gid}))
    assert_not_found(api.v2("GroupUpdate", {"groupid": gid, "groupdesc": "x"}))
    assert_not_found(api.v2("GroupGet", {"groupname": name("none")}))


@pytest.mark.parametrize("op,body", [
    ("GroupCreate", {}), ("GroupCreate", {"groupname": ""}), ("GroupCreate", {"groupname": 1}),
    ("GroupCreate", {"groupname": "a\u0001b"}), ("GroupCreate", {"groupname": "x" * 129}),
    ("GroupGet", {}), ("GroupUpdate", {}), ("GroupUpdate", {"groupid": "one"}),
    ("GroupDelete", {}), ("GroupAddUser", {"mode": "token", "identity": RANDOM}),
    ("GroupAddUser", {"groupid": 1}), ("GroupAddUser", {"groupid": 1, "mode": "x",
                                                         "identity": "y"}),
    ("GroupDeleteUser", {"mode": "token", "identity": RANDOM}),
    ("GroupListUserGroups", {}), ("GroupListUserGroups", {"mode": "token", "identity": "bad"}),
])
def test_group_bad_input(api, op, body):
    assert_error(api.v2(op, body), 400)


def test_group_membership(api):
    gn = name("grp")
    gid = v2_ok(api, "GroupCreate", {"groupname": gn})["groupid"]
    p = bl.profile()
    tok = api.create_user(p)
    # every identity mode finds the user
    assert_ok(api.v2("GroupAddUser", {"groupid": gid, "mode": "email", "identity": p["email"],
                                      "rolename": "parent"}))
    assert_error(api.v2("GroupAddUser", {"groupname": gn, "mode": "login",
                                         "identity": p["login"], "rolename": "parent"}), 409)
    assert_ok(api.v2("GroupAddUser", {"groupname": gn, "mode": "phone", "identity": p["phone"],
                                      "role": "teacher"}))
    assert_ok(api.v2("GroupAddUser", {"groupname": gn, "mode": "custom",
                                      "identity": p["custom"]}))
    rows = v2_ok(api, "GroupListUserGroups", {"mode": "token", "identity": tok})["rows"]
    assert sorted(r["rolename"] for r in rows) == ["", "parent", "teacher"]
    for r in rows:
        assert r["groupid"] == gid and r["groupname"] == gn and r["groupdesc"] == ""
    assert_not_found(api.v2("GroupAddUser", {"groupid": 99999999, "mode": "token",
                                             "identity": tok}))
    assert_not_found(api.v2("GroupAddUser", {"groupid": gid, "mode": "token",
                                             "identity": RANDOM}))
    assert_not_found(api.v2("GroupAddUser", {"groupid": gid, "mode": "token", "identity": tok,
                                             "roleid": 99999999}))
    assert_not_found(api.v2("GroupListUserGroups", {"mode": "token", "identity": RANDOM}))
    assert_ok(api.v2("GroupDeleteUser", {"groupid": gid, "mode": "token", "identity": tok}))
    assert v2_ok(api, "GroupListUserGroups", {"mode": "token", "identity": tok})["rows"] == []
    assert_not_found(api.v2("GroupDeleteUser", {"groupid": gid, "mode": "token",
                                                "identity": tok}))
    assert_not_found(api.v2("GroupDeleteUser", {"groupid": 99999999, "mode": "token",
                                                "identity": tok}))
    # deleting a group removes its memberships
    assert_ok(api.v2("GroupAddUser", {"groupid": gid, "mode": "token", "identity": tok}))
    assert_ok(api.v2("GroupDelete", {"groupid": gid}))
    assert v2_ok(api, "GroupListUserGroups", {"mode": "token", "identity": tok})["rows"] == []


def test_user_create_with_group_and_role(api):
    gn = name("grp")
    gid = v2_ok(api, "GroupCreate", {"groupname": gn})["groupid"]
    rid = v2_ok(api, "RoleCreate", {"rolename": name("role")})["roleid"]
    t1 = v2_ok(api, "UserCreate", {"profile": bl.profile(), "groupname": gn,
                                   "rolename": "child"})["token"]
    t2 = v2_ok(api, "UserCreate", {"profile": bl.profile(), "groupid": gid, "roleid": rid})["token"]
    t3 = v2_ok(api, "UserCreate", {"profile": bl.profile(), "groupid": gid})["token"]
    r1 = v2_ok(api, "GroupListUserGroups", {"mode": "token", "identity": t1})["rows"]
    assert [(r["groupid"], r["rolename"]) for r in r1] == [(gid, "child")]
    r2 = v2_ok(api, "GroupListUserGroups", {"mode": "token", "identity": t2})["rows"]
    assert [(r["groupid"], r["roleid"]) for r in r2] == [(gid, rid)]
    r3 = v2_ok(api, "GroupListUserGroups", {"mode": "token", "identity": t3})["rows"]
    assert [(r["groupid"], r["roleid"]) for r in r3] == [(gid, 0)]
    # an unknown group or role refuses the whole creation: the login stays free
    p = bl.profile()
    assert_not_found(api.v2("UserCreate", {"profile": p, "groupname": name("none")}))
    assert_not_found(api.v2("UserCreate", {"profile": p, "groupid": gid, "roleid": 99999999}))
    assert_error(api.v2("UserCreate", {"profile": p, "rolename": "child"}), 400)
    assert_error(api.v2("UserCreate", {"profile": p, "groupid": "x"}), 400)
    assert_ok(api.v2("UserCreate", {"profile": p}))


def test_forgotten_user_leaves_its_groups(api):
    gid = v2_ok(api, "GroupCreate", {"groupname": name("grp")})["groupid"]
    tok = v2_ok(api, "UserCreate", {"profile": bl.profile(), "groupid": gid})["token"]
    keep = v2_ok(api, "UserCreate", {"profile": bl.profile(), "groupid": gid})["token"]
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": tok}))
    u = bl.unlock(api)
    b = v2_ok(api, "BulkListGroupUsers", {"unlockuuid": u, "groupid": gid})
    assert [r["token"] for r in b["rows"]] == [keep] and b["total"] == 1


# ------------------------------------------------------------------ access tokens

def test_user_token_acts_on_own_record_only(api, server):
    p = bl.profile()
    tok = api.create_user(p)
    other = api.create_user(bl.profile())
    for mode in ("token", "email", "phone", "login", "custom"):
        xt = v2_ok(api, "XTokenCreateForUser", {"mode": mode,
                                                "identity": tok if mode == "token" else p[mode]})
        assert bl.UUID4_RE.match(xt["xtoken"])
    me = server.client(xt["xtoken"])
    b = assert_ok(me.v2("UserGet", {"mode": "token", "identity": tok}))
    assert b["profile"] == p
    assert assert_ok(me.get_user("email", p["email"]))["data"] == p
    assert_ok(me.v2("UserUpdate", {"mode": "token", "identity": tok,
                                   "profile": {"nick": "me"}}))
    assert_ok(me.v2("AuditListUserEvents", {"mode": "token", "identity": tok}))
    assert_ok(me.v2("GroupListUserGroups", {"mode": "token", "identity": tok}))
    # anyone else's record: 403 on both APIs, and the user is not changed
    assert_error(me.v2("UserGet", {"mode": "token", "identity": other}), 403)
    assert_error(me.get_user("token", other), 403)
    assert_error(me.v2("UserUpdate", {"mode": "token", "identity": other,
                                      "profile": {"x": 1}}), 403)
    assert "x" not in v2_ok(api, "UserGet", {"mode": "token", "identity": other})["profile"]
    # no administration
    for op, body in (("RoleCreate", {"rolename": name("r")}), ("GroupCreate", {"groupname": "g"}),
                     ("XTokenCreateForUser", {"mode": "token", "identity": tok}),
                     ("BulkListUnlock", {}), ("UserCreate", {"profile": {"a": 1}})):
        assert_error(me.v2(op, body), 403)


def test_refusals_are_audited(api, server):
    tok = api.create_user(bl.profile())
    other = api.create_user(bl.profile())
    me = server.client(bl.xtoken_for_user(api, tok))
    assert_error(me.v2("UserGet", {"mode": "token", "identity": other}), 403)
    assert_error(me.v2("RoleCreate", {"rolename": name("r")}), 403)
    rows = v2_ok(api, "AuditListUserEvents", {"mode": "token", "identity": other,
                                              "limit": 50})["rows"]
    refused = [r for r in rows if r["eventtype"] == "UserGet" and r["status"] == "error"]
    assert refused and refused[0]["who"] == f"user:{tok}"
    ev = v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": bl.unlock(api), "limit": 20})["rows"]
    assert any(r["eventtype"] == "RoleCreate" and r["status"] == "error"
               and r["who"] == f"user:{tok}" for r in ev)


def test_xtoken_bad_input(api):
    tok = api.create_user(bl.profile())
    for body in ({"mode": "token"}, {"identity": tok}, {"mode": "nope", "identity": tok},
                 {"mode": "token", "identity": tok, "finaltime": "soon"},
                 {"mode": "token", "identity": tok, "slidingtime": "-5s"},
                 {"mode": "token", "identity": tok, "finaltime": 0},
                 {"mode": "token", "identity": tok, "finaltime": "100y"},
                 {"mode": "token", "identity": tok, "slidingtime": [1]}):
        assert_error(api.v2("XTokenCreateForUser", body), 400)
    assert_not_found(api.v2("XTokenCreateForUser", {"mode": "token", "identity": RANDOM}))
    assert_not_found(api.v2("XTokenCreateForUser", {"mode": "email",
                                                    "identity": "no.one@example.com"}))
    assert_error(api.v2("XTokenCreateForRole", {}), 400)
    assert_error(api.v2("XTokenCreateForRole", {"roleid": "x"}), 400)
    assert_not_found(api.v2("XTokenCreateForRole", {"rolename": name("none")}))
    assert_not_found(api.v2("XTokenCreateForRole", {"roleid": 99999999}))


def test_role_token(api, server):
    rn = name("auditor")
    rid = v2_ok(api, "RoleCreate", {"rolename": rn})["roleid"]
    pid = v2_ok(api, "PolicyCreate", {"policyname": name("pol"), "policy": {
        "Effect": "Allow", "Action": ["UserGet", "GroupList*"], "Resource": ["profile.email"]}})[
        "policyid"]
    p = bl.profile()
    tok = api.create_user(p)
    by_id = server.client(bl.xtoken_for_role(api, None, roleid=rid))
    # not linked yet: the policy has no Principal, so it grants nothing
    assert_error(by_id.v2("UserGet", {"mode": "token", "identity": tok}), 403)
    assert_ok(api.v2("RoleLinkPolicy", {"roleid": rid, "policyid": pid}))
    b = assert_ok(by_id.v2("UserGet", {"mode": "token", "identity": tok}))
    assert b["profile"] == {"email": p["email"]}
    assert assert_ok(by_id.get_user("login", p["login"]))["data"] == {"email": p["email"]}
    by_name = server.client(bl.xtoken_for_role(api, rn))
    assert_ok(by_name.v2("GroupListAllGroups", {}))
    assert_error(by_name.v2("UserUpdate", {"mode": "token", "identity": tok,
                                           "profile": {"a": 1}}), 403)
    assert_error(by_name.v2("PolicyCreate", {"policyname": "x", "policy": POLICY}), 403)


def test_final_expiry(api, server):
    tok = api.create_user(bl.profile())
    xt = bl.xtoken_for_user(api, tok, finaltime="2s")
    me = server.client(xt)
    assert_ok(me.v2("UserGet", {"mode": "token", "identity": tok}))
    time.sleep(3.2)             # a 2 s life ends within 3 s: times are whole seconds
    b = assert_error(me.v2("UserGet", {"mode": "token", "identity": tok}), 403)
    assert "expired" in b["message"]
    assert_error(me.get_user("token", tok), 401)
    # integers are seconds too
    xt = bl.xtoken_for_user(api, tok, finaltime=60)
    assert_ok(server.client(xt).v2("UserGet", {"mode": "token", "identity": tok}))


def test_sliding_expiry_extends_on_use(api, server):
    tok = api.create_user(bl.profile())
    me = server.client(bl.xtoken_for_user(api, tok, slidingtime="3s"))
    # used every 1.2 s for longer than the window: still valid
    for _ in range(4):
        assert_ok(me.v2("UserGet", {"mode": "token", "identity": tok}))
        time.sleep(1.2)
    assert_ok(me.v2("UserGet", {"mode": "token", "identity": tok}))
    time.sleep(4.1)
    b = assert_error(me.v2("UserGet", {"mode": "token", "identity": tok}), 403)
    assert "expired" in b["message"]
    assert_error(me.get_user("token", tok), 401)


def test_forgotten_user_token_is_revoked(api, server):
    tok = api.create_user(bl.profile())
    me = server.client(bl.xtoken_for_user(api, tok))
    assert_ok(me.v2("UserGet", {"mode": "token", "identity": tok}))
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": tok}))
    assert_error(me.v2("UserGet", {"mode": "token", "identity": tok}), 403)
    assert_error(me.get_user("token", tok), 401)


def test_tokens_are_stored_only_hashed(fresh_server):
    srv = fresh_server
    api = srv.client()
    tok = api.create_user(bl.profile())
    xts = [bl.xtoken_for_user(api, tok) for _ in range(3)]
    v2_ok(api, "RoleCreate", {"rolename": "hashcheck"})
    xts.append(bl.xtoken_for_role(api, "hashcheck"))
    unlocks = [bl.unlock(api) for _ in range(3)]
    srv.stop()
    needles = []
    for t in xts + unlocks:
        needles += [t, t.upper(), t.replace("-", ""), bytes.fromhex(t.replace("-", ""))]
    found = []
    for f in srv.db_files():
        data = f.read_bytes()
        found += [(f.name, n) for n in needles if (n.encode() if isinstance(n, str) else n) in data]
    assert not found, found
