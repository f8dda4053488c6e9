"""The docs' CRBAC policy examples, end to end: parent/child, teacher/parent,
manager (select security) and the sub-account group admin. For each: the
allowed call succeeds, the same call on a user outside the condition gets 403,
and fields outside the allowed resources are absent."""

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok, v2_ok


def uniq(prefix):
    return f"{prefix}-{bl.uid()}"


def person(api, group=None, role=None, **extra):
    p = {"name": uniq("Name"), "phone": bl.phone(), "email": bl.email(), "ssn": uniq("ssn")}
    p.update(extra)
    body = {"profile": p}
    if group:
        body["groupname"] = group
    if role:
        body["rolename"] = role
    return v2_ok(api, "UserCreate", body)["token"], p


def get(client, tok):
    return client.v2("UserGet", {"mode": "token", "identity": tok})


def policy(api, body, link_role=None):
    pid = v2_ok(api, "PolicyCreate", {"policyname": uniq("pol"), "policy": body})["policyid"]
    if link_role:
        assert_ok(api.v2("RoleLinkPolicy", {"rolename": link_role, "policyid": pid}))
    return pid


def group(api):
    g = uniq("grp")
    v2_ok(api, "GroupCreate", {"groupname": g})
    return g


def test_parent_child(api, server):
    parent_role, child_role = uniq("parent"), uniq("child")
    policy(api, {
        "Effect": "Allow", "Principal": {"Role": parent_role},
        "Action": ["UserGet", "UserUpdate", "BulkListGroupUsers"],
        "Resource": [f"${{target_group_members:role/{child_role}}}.profile",
                     f"${{target_group_members:role/{child_role}}}.consent"],
        "Condition": {"StringEquals": {"${principal_group_id}": "${target_group_id}"}}})
    fam1, fam2 = group(api), group(api)
    p1, _ = person(api, fam1, parent_role)
    c1, c1p = person(api, fam1, child_role)
    p2, _ = person(api, fam2, parent_role)
    c2, _ = person(api, fam2, child_role)
    mom = server.client(bl.xtoken_for_user(api, p1))
    # own child: whole profile, read and write
    assert assert_ok(get(mom, c1))["profile"] == c1p
    assert_ok(mom.v2("UserUpdate", {"mode": "token", "identity": c1,
                                    "profile": {"bedtime": "20:00"}}))
    assert v2_ok(api, "UserGet", {"mode": "token", "identity": c1})["profile"]["bedtime"] == "20:00"
    assert assert_ok(mom.get_user("token", c1))["data"]["bedtime"] == "20:00"
    # another family's child, the other parent, the co-parent's record: 403
    assert_error(get(mom, c2), 403)
    assert_error(mom.get_user("token", c2), 403)
    assert_error(get(mom, p2), 403)
    assert_error(mom.v2("UserUpdate", {"mode": "token", "identity": c2,
                                       "profile": {"x": 1}}), 403)
    # actions outside the policy
    assert_error(mom.v2("UserDelete", {"mode": "token", "identity": c1}), 403)
    assert_error(mom.v2("BulkListAllUsers", {"unlockuuid": bl.unlock(api)}), 403)
    # listing the family shows the children only
    u = bl.unlock(mom)
    rows = v2_ok(mom, "BulkListGroupUsers", {"unlockuuid": u, "groupname": fam1})["rows"]
    assert [r["token"] for r in rows] == [c1]
    assert_error(mom.v2("BulkListGroupUsers", {"unlockuuid": u, "groupname": fam2}), 403)
    rows = v2_ok(mom, "BulkListGroupUsers", {"unlockuuid": bl.unlock(mom),
                                             "groupname": fam2})["rows"]
    assert rows == []


def test_teacher_parent(api, server):
    teacher, student, parent, child = (uniq(r) for r in ("teacher", "student", "parent",
                                                           "child"))
    policy(api, {
        "Effect": "Allow", "Principal": {"Role": teacher},
        "Action": ["UserGet", "BulkListGroupUsers"],
        "Resource": [f"${{target_group_members:role/{parent}}}.profile.name",
                     f"${{target_group_members:role/{parent}}}.profile.phone"],
        "Condition": {"ListIntersect": {
            f"${{principal_group_members:role/{student}}}":
                f"${{target_group_members:role/{child}}}"}}})
    klass, fam1, fam2 = group(api), group(api), group(api)
    t, _ = person(api, klass, teacher)
    p1, p1p = person(api, fam1, parent)
    kid1, _ = person(api, fam1, child)
    assert_ok(api.v2("GroupAddUser", {"groupname": klass, "mode": "token", "identity": kid1,
                                      "rolename": student}))
    p2, _ = person(api, fam2, parent)
    person(api, fam2, child)             # not in the class
    tc = server.client(bl.xtoken_for_user(api, t))
    b = assert_ok(get(tc, p1))
    assert b["profile"] == {"name": p1p["name"], "phone": p1p["phone"]}
    assert assert_ok(tc.get_user("token", p1))["data"] == {"name": p1p["name"],
                                                           "phone": p1p["phone"]}
    assert_error(get(tc, p2), 403)
    assert_error(get(tc, kid1), 403)          # a child is not a parent
    assert_error(tc.v2("UserUpdate", {"mode": "token", "identity": p1,
                                      "profile": {"name": "x"}}), 403)
    rows = v2_ok(tc, "BulkListGroupUsers", {"unlockuuid": bl.unlock(tc),
                                            "groupname": fam1})["rows"]
    assert rows == [{"token": p1, "profile": {"name": p1p["name"], "phone": p1p["phone"]},
                     "version": 1}]


def test_manager_select_security(api, server):
    manager, member = uniq("manager"), uniq("team-member")
    policy(api, {
        "Effect": "Allow", "Principal": {"Role": manager},
        "Action": ["UserGet", "BulkListGroupUsers", "GroupListUserGroups"],
        "Resource": [f"${{target_group_members:role/{member}}}.profile.name",
                     f"${{target_group_members:role/{member}}}.profile.phone",
                     f"${{target_group_members:role/{member}}}.group"],
        "Condition": {"StringEquals": {"${user_group_id}": "${target_group_id}"}}})
    team, other = group(api), group(api)
    m, _ = person(api, team, manager)
    e1, e1p = person(api, team, member)
    e2, _ = person(api, other, member)
    mc = server.client(bl.xtoken_for_user(api, m))
    assert assert_ok(get(mc, e1))["profile"] == {"name": e1p["name"], "phone": e1p["phone"]}
    groups = v2_ok(mc, "GroupListUserGroups", {"mode": "token", "identity": e1})["rows"]
    assert [g["groupname"] for g in groups] == [team]
    assert_error(get(mc, e2), 403)
    assert_error(mc.v2("GroupListUserGroups", {"mode": "token", "identity": e2}), 403)
    assert_error(mc.v2("UserUpdate", {"mode": "token", "identity": e1,
                                      "profile": {"name": "x"}}), 403)
    rows = v2_ok(mc, "BulkListGroupUsers", {"unlockuuid": bl.unlock(mc), "groupname": team})
    assert [r["token"] for r in rows["rows"]] == [e1]
    assert rows["rows"][0]["profile"] == {"name": e1p["name"], "phone": e1p["phone"]}


def test_subaccount_group_admin(api, server):
    admin_role = uniq("group-admin")
    policy(api, {
        "Effect": "Allow", "Principal": {"Role": admin_role},
        "Action": ["UserGet", "UserCreate", "UserUpdate", "UserDelete", "BulkListGroupUsers",
                   "BulkListUnlock", "GroupListUserGroups"],
        "Resource": ["${target_group_members}.profile", "${target_group_members}.consent",
                     "${target_group_members}.appdata"],
        "Condition": {"StringEquals": {"${principal_group_id}": "${target_group_id}"}}})
    sub = uniq("subaccount")
    v2_ok(api, "GroupCreate", {"groupname": sub, "description": "Sub-account group"})
    admin, _ = person(api)
    assert_ok(api.v2("GroupAddUser", {"groupname": sub, "mode": "token", "identity": admin,
                                      "role": admin_role}))
    outsider, _ = person(api)
    ac = server.client(bl.xtoken_for_user(api, admin))
    # the admin creates users in the sub-account, and only there
    up = {"login": uniq("user1"), "email": bl.email(), "firstname": "John"}
    u1 = v2_ok(ac, "UserCreate", {"profile": up, "groupname": sub, "rolename": "member"})["token"]
    assert assert_ok(get(ac, u1))["profile"] == up
    lost = {"login": uniq("lost")}
    assert_error(ac.v2("UserCreate", {"profile": lost}), 403)
    assert_error(ac.v2("UserCreate", {"profile": lost, "groupname": group(api)}), 403)
    assert_ok(api.v2("UserCreate", {"profile": lost}))   # the refused creations left nothing
    assert_ok(ac.v2("UserUpdate", {"mode": "token", "identity": u1, "profile": {"n": 1}}))
    assert_error(get(ac, outsider), 403)
    assert_error(ac.v2("UserDelete", {"mode": "token", "identity": outsider}), 403)
    # pulling an outsider into the group is not in the policy
    assert_error(ac.v2("GroupAddUser", {"groupname": sub, "mode": "token",
                                        "identity": outsider}), 403)
    rows = v2_ok(ac, "BulkListGroupUsers", {"unlockuuid": bl.unlock(ac), "groupname": sub})
    assert sorted(r["token"] for r in rows["rows"]) == sorted([admin, u1])
    assert_ok(ac.v2("UserDelete", {"mode": "token", "identity": u1}))
    assert_error(api.v2("UserGet", {"mode": "token", "identity": u1}), 404)


def test_masked_update_and_deny(api, server):
    editor = uniq("editor")
    grp = group(api)
    policy(api, {"Effect": "Allow", "Principal": {"Role": editor},
                 "Action": ["UserGet", "UserUpdate"],
                 "Resource": ["${target_group_members}.profile.name"],
                 "Condition": {"StringEquals": {"${principal_group_id}": "${target_group_id}"}}})
    policy(api, {"Effect": "Deny", "Principal": {"Role": editor}, "Action": ["UserUpdate"],
                 "Resource": ["${target_group_members:role/vip}.profile"]})
    ed, _ = person(api, grp, editor)
    t, tp = person(api, grp, "member")
    vip, _ = person(api, grp, "vip")
    ec = server.client(bl.xtoken_for_user(api, ed))
    assert assert_ok(get(ec, t))["profile"] == {"name": tp["name"]}
    # a change inside the allowed field goes through; outside it is refused, unchanged
    assert_ok(ec.v2("UserUpdate", {"mode": "token", "identity": t, "profile": {"name": "New"}}))
    assert_error(ec.v2("UserUpdate", {"mode": "token", "identity": t,
                                      "profile": {"ssn": "stolen"}}), 403)
    assert_error(ec.v2("UserUpdate", {"mode": "token", "identity": t,
                                      "profile": {"name": "N2", "phone": None}}), 403)
    now = v2_ok(api, "UserGet", {"mode": "token", "identity": t})["profile"]
    assert now == dict(tp, name="New")
    # Deny wins over the Allow for the vip
    assert_ok(get(ec, vip))
    assert_error(ec.v2("UserUpdate", {"mode": "token", "identity": vip,
                                      "profile": {"name": "x"}}), 403)
