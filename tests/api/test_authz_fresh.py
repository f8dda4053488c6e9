"""Authorization state is never stale: compiled policies are cached in memory
(per tenant, behind the access version in the store) and each request shares
one lookup of the principal among its decisions, so every change that moves
a decision -- PolicyUpdate, RoleLinkPolicy, GroupAddUser, GroupDeleteUser,
revoking the holder of a token -- must take effect on the very next call,
also when the change is made through another instance on the same database.
And the cheaper token lookup (token and holder in one read, access tokens
tried before tenant admin tokens and portal sessions) still tells each kind
of token apart."""

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok, v2_ok


def uniq(prefix):
    return f"{prefix}-{bl.uid()}"


def person(api, group=None, role=None):
    p = {"name": uniq("Name"), "email": bl.email(), "ssn": uniq("ssn")}
    body = {"profile": p}
    if group:
        body["groupname"] = group
    if role:
        body["rolename"] = role
    return v2_ok(api, "UserCreate", body)["token"], p


def get(client, tok):
    return client.v2("UserGet", {"mode": "token", "identity": tok})


def family_policy(parent, child, resource="profile"):
    return {"Effect": "Allow", "Principal": {"Role": parent}, "Action": ["UserGet"],
            "Resource": [f"${{target_group_members:role/{child}}}.{resource}"],
            "Condition": {"StringEquals": {"${principal_group_id}": "${target_group_id}"}}}


def family(api):
    """A group with a parent and a child, a policy letting parents read their
    children's profile, and a client holding the parent's access token."""
    parent, child, fam = uniq("parent"), uniq("child"), uniq("fam")
    v2_ok(api, "GroupCreate", {"groupname": fam})
    pid = v2_ok(api, "PolicyCreate", {"policyname": uniq("pol"),
                                      "policy": family_policy(parent, child)})["policyid"]
    mom, _ = person(api, fam, parent)
    kid, kidp = person(api, fam, child)
    return {"parent": parent, "child": child, "fam": fam, "pid": pid, "mom": mom, "kid": kid,
            "kidp": kidp, "xt": bl.xtoken_for_user(api, mom)}


def test_policy_update_takes_effect_on_next_call(api, server):
    f = family(api)
    mom = server.client(f["xt"])
    assert assert_ok(get(mom, f["kid"]))["profile"] == f["kidp"]
    # narrowed to one field: the very next call sees only that field
    narrowed = family_policy(f["parent"], f["child"], "profile.name")
    assert_ok(api.v2("PolicyUpdate", {"policyid": f["pid"], "policy": narrowed}))
    assert assert_ok(get(mom, f["kid"]))["profile"] == {"name": f["kidp"]["name"]}
    # a Deny statement added: refused at once
    deny = {"Statement": [narrowed, {"Effect": "Deny", "Principal": {"Role": f["parent"]},
                                     "Action": ["UserGet"], "Resource": ["*"]}]}
    assert_ok(api.v2("PolicyUpdate", {"policyid": f["pid"], "policy": deny}))
    assert_error(get(mom, f["kid"]), 403)
    # and back
    assert_ok(api.v2("PolicyUpdate", {"policyid": f["pid"],
                                      "policy": family_policy(f["parent"], f["child"])}))
    assert assert_ok(get(mom, f["kid"]))["profile"] == f["kidp"]


def test_role_link_policy_takes_effect_on_next_call(api, server):
    reader = uniq("reader")
    v2_ok(api, "RoleCreate", {"rolename": reader})
    # a policy without a Principal applies only through a role it is linked to
    pid = v2_ok(api, "PolicyCreate", {"policyname": uniq("pol"), "policy": {
        "Effect": "Allow", "Action": ["UserGet"], "Resource": ["profile"]}})["policyid"]
    target, tp = person(api)
    rc = server.client(bl.xtoken_for_role(api, reader))
    assert_error(get(rc, target), 403)
    assert_ok(api.v2("RoleLinkPolicy", {"rolename": reader, "policyid": pid}))
    assert assert_ok(get(rc, target))["profile"] == tp


def test_group_add_and_delete_user_take_effect_on_next_call(api, server):
    f = family(api)
    mom = server.client(f["xt"])
    other_fam = uniq("fam")
    v2_ok(api, "GroupCreate", {"groupname": other_fam})
    stranger, sp = person(api, other_fam, f["child"])
    assert_error(get(mom, stranger), 403)
    # the stranger joins mom's family as a child: readable at once
    assert_ok(api.v2("GroupAddUser", {"groupname": f["fam"], "mode": "token",
                                      "identity": stranger, "rolename": f["child"]}))
    assert assert_ok(get(mom, stranger))["profile"] == sp
    # and leaves it: refused at once
    assert_ok(api.v2("GroupDeleteUser", {"groupname": f["fam"], "mode": "token",
                                         "identity": stranger}))
    assert_error(get(mom, stranger), 403)
    # the principal's own membership counts the same way: mom leaves, mom is refused
    assert assert_ok(get(mom, f["kid"]))["profile"] == f["kidp"]
    assert_ok(api.v2("GroupDeleteUser", {"groupname": f["fam"], "mode": "token",
                                         "identity": f["mom"]}))
    assert_error(get(mom, f["kid"]), 403)
    assert_ok(api.v2("GroupAddUser", {"groupname": f["fam"], "mode": "token",
                                      "identity": f["mom"], "rolename": f["parent"]}))
    assert assert_ok(get(mom, f["kid"]))["profile"] == f["kidp"]


def test_revoked_holder_and_unknown_tokens(api, server):
    f = family(api)
    mom = server.client(f["xt"])
    assert_ok(get(mom, f["kid"]))
    # a user token whose user is deleted is gone on the next call
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": f["mom"]}))
    assert assert_error(get(mom, f["kid"]), 403)["message"] == "access denied"
    # an unknown token, and the root token, still answer as before
    assert assert_error(get(server.client(bl.uid()), f["kid"]), 403)["message"] == "access denied"
    assert assert_ok(get(api, f["kid"]))["profile"] == f["kidp"]


def test_many_targets_in_one_request(api, server):
    """A bulk listing decides once per row with the request's one lookup of
    the principal and the policies."""
    f = family(api)
    kids = [f["kid"]] + [person(api, f["fam"], f["child"])[0] for _ in range(4)]
    pol = family_policy(f["parent"], f["child"])
    pol["Action"] = ["UserGet", "BulkListGroupUsers"]
    assert_ok(api.v2("PolicyUpdate", {"policyid": f["pid"], "policy": pol}))
    mom = server.client(f["xt"])
    rows = v2_ok(mom, "BulkListGroupUsers", {"unlockuuid": bl.unlock(mom),
                                             "groupname": f["fam"]})["rows"]
    assert sorted(r["token"] for r in rows) == sorted(kids)


@pytest.mark.skipif(bl.store_kind() == "sqlite",
                    reason="two instances share one database on PostgreSQL or MariaDB")
def test_changes_through_another_instance_take_effect_on_next_call(server_factory):
    a = server_factory()
    a.init()
    a.start()
    b = server_factory(masterkey=a.masterkey, roottoken=a.token, db_name=a.db_name)
    b.start()
    ra, rb = a.client(), b.client()
    f = family(ra)
    mom_a, mom_b = a.client(f["xt"]), b.client(f["xt"])
    # both instances compile and cache the policy
    assert assert_ok(get(mom_a, f["kid"]))["profile"] == f["kidp"]
    assert assert_ok(get(mom_b, f["kid"]))["profile"] == f["kidp"]
    # PolicyUpdate on A: B's next call sees it
    narrowed = family_policy(f["parent"], f["child"], "profile.name")
    assert_ok(ra.v2("PolicyUpdate", {"policyid": f["pid"], "policy": narrowed}))
    assert assert_ok(get(mom_b, f["kid"]))["profile"] == {"name": f["kidp"]["name"]}
    # and back on B: A's next call sees it
    assert_ok(rb.v2("PolicyUpdate", {"policyid": f["pid"],
                                     "policy": family_policy(f["parent"], f["child"])}))
    assert assert_ok(get(mom_a, f["kid"]))["profile"] == f["kidp"]
    # GroupDeleteUser on B: A refuses at once; GroupAddUser on A: B allows at once
    assert_ok(rb.v2("GroupDeleteUser", {"groupname": f["fam"], "mode": "token",
                                        "identity": f["kid"]}))
    assert_error(get(mom_a, f["kid"]), 403)
    assert_ok(ra.v2("GroupAddUser", {"groupname": f["fam"], "mode": "token",
                                     "identity": f["kid"], "rolename": f["child"]}))
    assert assert_ok(get(mom_b, f["kid"]))["profile"] == f["kidp"]
    # RoleLinkPolicy on B for a role token used on A
    reader = uniq("reader")
    v2_ok(rb, "RoleCreate", {"rolename": reader})
    rt = a.client(bl.xtoken_for_role(rb, reader))
    assert_error(get(rt, f["kid"]), 403)
    pid = v2_ok(rb, "PolicyCreate", {"policyname": uniq("pol"), "policy": {
        "Effect": "Allow", "Action": ["UserGet"], "Resource": ["profile"]}})["policyid"]
    assert_error(get(rt, f["kid"]), 403)
    assert_ok(rb.v2("RoleLinkPolicy", {"rolename": reader, "policyid": pid}))
    assert assert_ok(get(rt, f["kid"]))["profile"] == f["kidp"]
