"""${..._group_members} conditions over a large group (5,000 members): the store
answers each membership test with one indexed seek instead of listing the group,
and the decisions are those of the small groups in test_crbac.py: a member is
allowed, a non-member, a member holding another role, and a member of another
group are refused; two member sets meet only through a common member."""
import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok, v2_ok

MEMBERS = 5000
CHUNK = 500


def uniq(prefix):
    return f"{prefix}-{bl.uid()}"


def get(client, tok):
    return client.v2("UserGet", {"mode": "token", "identity": tok})


def policy(api, body, role):
    pid = v2_ok(api, "PolicyCreate", {"policyname": uniq("pol"), "policy": body})["policyid"]
    assert_ok(api.v2("RoleLinkPolicy", {"rolename": role, "policyid": pid}))


@pytest.fixture(scope="module")
def big(server):
    """A group of MEMBERS users holding role <staff>; returns (api, names, member tokens)."""
    api = server.client()
    n = {k: uniq(k) for k in ("grp", "staff", "mgr", "other", "teacher", "parent", "child")}
    for r in ("staff", "mgr", "other", "teacher", "parent", "child"):
        v2_ok(api, "RoleCreate", {"rolename": n[r]})
    v2_ok(api, "GroupCreate", {"groupname": n["grp"]})
    toks = []
    for start in range(0, MEMBERS, CHUNK):
        recs = [{"profile": {"email": bl.email("big"), "n": start + i},
                 "groupname": n["grp"], "rolename": n["staff"]} for i in range(CHUNK)]
        toks += [c["token"] for c in v2_ok(api, "UserCreateBulk", {"records": recs})["created"]]
    assert len(toks) == MEMBERS
    return api, n, toks


def person(api, group, role, **profile):
    p = dict({"email": bl.email("p"), "name": uniq("Name"), "phone": bl.phone()}, **profile)
    return v2_ok(api, "UserCreate", {"profile": p, "groupname": group,
                                     "rolename": role})["token"], p


def test_member_of_a_large_group(big, server):
    api, n, toks = big
    policy(api, {
        "Effect": "Allow", "Principal": {"Role": n["mgr"]}, "Action": ["UserGet"],
        "Resource": ["*"],
        "Condition": {"StringEquals": {"${target_id}": f"${{principal_group_members:role/{n['staff']}}}"}}},
        n["mgr"])
    mgr, _ = person(api, n["grp"], n["mgr"])
    other_role, _ = person(api, n["grp"], n["other"])
    other_grp = uniq("grp")
    v2_ok(api, "GroupCreate", {"groupname": other_grp})
    elsewhere, _ = person(api, other_grp, n["staff"])
    outsider = api.create_user(bl.profile())
    me = server.client(bl.xtoken_for_user(api, mgr))
    # members anywhere in the group's order: first, middle, last
    for t in (toks[0], toks[MEMBERS // 2], toks[-1]):
        assert assert_ok(get(me, t))["token"] == t
    assert_ok(me.get_user("token", toks[1234]))
    # not members with that role of the manager's group: refused
    for t in (outsider, other_role, elsewhere):
        assert_error(get(me, t), 403)
    # the membership is read per request: a member removed is refused at once
    gone = toks[MEMBERS // 3]
    assert_ok(get(me, gone))
    assert_ok(api.v2("GroupDeleteUser", {"groupname": n["grp"], "mode": "token",
                                         "identity": gone}))
    assert_error(get(me, gone), 403)
    assert_ok(api.v2("GroupAddUser", {"groupname": n["grp"], "mode": "token", "identity": gone,
                                      "rolename": n["staff"]}))
    assert_ok(get(me, gone))


def test_two_member_sets_meet_through_a_common_member(big, server):
    api, n, toks = big
    # the docs' teacher/parent example with a class of MEMBERS students
    policy(api, {
        "Effect": "Allow", "Principal": {"Role": n["teacher"]}, "Action": ["UserGet"],
        "Resource": [f"${{target_group_members:role/{n['parent']}}}.profile.name"],
        "Condition": {"ListIntersect": {
            f"${{principal_group_members:role/{n['staff']}}}":
                f"${{target_group_members:role/{n['child']}}}"}}}, n["teacher"])
    teacher, _ = person(api, n["grp"], n["teacher"])
    fam1, fam2 = uniq("fam"), uniq("fam")
    for f in (fam1, fam2):
        v2_ok(api, "GroupCreate", {"groupname": f})
    p1, p1p = person(api, fam1, n["parent"])
    # the child in the class sorts after most students: the seeks leap, not walk
    kid1, _ = person(api, fam1, n["child"])
    assert_ok(api.v2("GroupAddUser", {"groupname": n["grp"], "mode": "token", "identity": kid1,
                                      "rolename": n["staff"]}))
    p2, _ = person(api, fam2, n["parent"])
    person(api, fam2, n["child"])             # not in the class
    fam3 = uniq("fam")
    v2_ok(api, "GroupCreate", {"groupname": fam3})
    p3, _ = person(api, fam3, n["parent"])
    # a class member who is not a child of the family: no meeting
    assert_ok(api.v2("GroupAddUser", {"groupname": fam3, "mode": "token", "identity": toks[7],
                                      "rolename": n["parent"]}))
    tc = server.client(bl.xtoken_for_user(api, teacher))
    assert assert_ok(get(tc, p1))["profile"] == {"name": p1p["name"]}
    for t in (p2, p3, kid1):
        assert_error(get(tc, t), 403)
