"""Bulk listings behind unlock ids: pagination, the unlock id's life (expiry,
one purpose, one caller, shared by instances on one store), the switch in
databunker.yaml, and the calls that are not built yet (501)."""

import time
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, v2_ok


def make_users(api, n):
    return [api.create_user(bl.profile()) for _ in range(n)]


def test_unlock_and_list_all_users_paged(fresh_server):
    api = fresh_server.client()
    toks = make_users(api, 5)
    u = bl.unlock(api)
    b = v2_ok(api, "BulkListAllUsers", {"unlockuuid": u, "offset": 0, "limit": 2})
    assert b["total"] == 5 and len(b["rows"]) == 2
    seen = [r["token"] for r in b["rows"]]
    # further pages with the same unlock id
    b = v2_ok(api, "BulkListAllUsers", {"unlockuuid": u, "offset": 2, "limit": 2})
    seen += [r["token"] for r in b["rows"]]
    b = v2_ok(api, "BulkListAllUsers", {"unlockuuid": u, "offset": 4, "limit": 2})
    seen += [r["token"] for r in b["rows"]]
    assert seen == toks
    row = b["rows"][0]
    assert set(row) == {"token", "profile", "version"} and row["version"] == 1
    assert row["profile"] == v2_ok(api, "UserGet", {"mode": "token",
                                                    "identity": row["token"]})["profile"]
    # default page is 10
    assert len(v2_ok(api, "BulkListAllUsers", {"unlockuuid": u})["rows"]) == 5
    # deleted users are not listed
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": toks[0]}))
    b = v2_ok(api, "BulkListAllUsers", {"unlockuuid": u})
    assert b["total"] == 4 and toks[0] not in [r["token"] for r in b["rows"]]


@pytest.mark.parametrize("op", ["BulkListAllUsers", "BulkListAllAuditEvents"])
def test_unlock_id_required_and_checked(api, op):
    assert_error(api.v2(op, {}), 400)
    assert_error(api.v2(op, {"unlockuuid": "not-a-uuid"}), 400)
    assert_error(api.v2(op, {"unlockuuid": 5}), 400)
    b = assert_error(api.v2(op, {"unlockuuid": str(uuid.uuid4())}), 403)
    assert "locked" in b["message"]
    u = bl.unlock(api)
    assert_error(api.v2(op, {"unlockuuid": u, "limit": 0}), 400)
    assert_error(api.v2(op, {"unlockuuid": u, "limit": 100000}), 400)
    assert_error(api.v2(op, {"unlockuuid": u, "offset": -1}), 400)
    assert_ok(api.v2(op, {"unlockuuid": u.upper()}))


def test_unlock_id_serves_one_operation(api):
    u = bl.unlock(api)
    assert_ok(api.v2("BulkListAllUsers", {"unlockuuid": u}))
    b = assert_error(api.v2("BulkListAllAuditEvents", {"unlockuuid": u}), 403)
    assert "another operation" in b["message"]
    assert_error(api.v2("UserSearch", {"unlockuuid": u, "identity": "abc"}), 403)
    assert_ok(api.v2("BulkListAllUsers", {"unlockuuid": u}))


def test_unlock_id_belongs_to_its_caller(api, server):
    tok = api.create_user(bl.profile())
    other = server.client(bl.xtoken_for_user(api, tok))
    u = bl.unlock(api)
    assert_error(other.v2("BulkListAllUsers", {"unlockuuid": u}), 403)


def test_unlock_id_expires(server_factory):
    # a 2 s ttl lives at least 2 s and at most 3 (whole seconds; test_ttl.py)
    srv = server_factory(conf="bulk:\n  unlock_ttl_seconds: 2\n")
    srv.init()
    srv.start()
    api = srv.client()
    make_users(api, 1)
    u = bl.unlock(api)
    assert_ok(api.v2("BulkListAllUsers", {"unlockuuid": u}))
    u2 = bl.unlock(api)
    time.sleep(3.1)
    for x in (u, u2):
        b = assert_error(api.v2("BulkListAllUsers", {"unlockuuid": x}), 403)
        assert "expired" in b["message"]


def test_bulk_disabled(server_factory):
    srv = server_factory(conf="bulk:\n  enabled: false\n")
    srv.init()
    srv.start()
    api = srv.client()
    b = assert_error(api.v2("BulkListUnlock", {}), 403)
    assert "disabled" in b["message"]
    assert_error(api.v2("BulkListAllUsers", {"unlockuuid": str(uuid.uuid4())}), 403)
    assert_error(api.v2("UserSearch", {"unlockuuid": str(uuid.uuid4()), "identity": "x"}), 403)


def test_unlock_id_shared_by_instances(fresh_server, server_factory):
    api1 = fresh_server.client()
    make_users(api1, 2)
    srv2 = server_factory(masterkey=fresh_server.masterkey, roottoken=fresh_server.token,
                          db_path=fresh_server.db_path, db_name=fresh_server.db_name)
    srv2.start()
    u = bl.unlock(api1)
    b = v2_ok(srv2.client(), "BulkListAllUsers", {"unlockuuid": u})
    assert b["total"] == 2


def test_list_users(api):
    ps = [bl.profile() for _ in range(3)]
    toks = [api.create_user(p) for p in ps]
    u = bl.unlock(api)
    users = [{"mode": "email", "identity": ps[0]["email"]},
             {"mode": "login", "identity": ps[1]["login"]},
             {"mode": "token", "identity": str(uuid.uuid4())},
             {"mode": "phone", "identity": ps[2]["phone"]}]
    b = v2_ok(api, "BulkListUsers", {"unlockuuid": u, "users": users})
    assert b["total"] == 3 and [r["token"] for r in b["rows"]] == toks
    assert [r["profile"] for r in b["rows"]] == ps
    b = v2_ok(api, "BulkListUsers", {"unlockuuid": u, "users": users, "offset": 1, "limit": 1})
    assert b["total"] == 3 and [r["token"] for r in b["rows"]] == toks[1:2]
    assert v2_ok(api, "BulkListUsers", {"unlockuuid": u, "users": []})["rows"] == []
    for bad in (None, "x", [1], [{"mode": "email"}], [{"mode": "x", "identity": "y"}]):
        body = {"unlockuuid": u}
        if bad is not None:
            body["users"] = bad
        assert_error(api.v2("BulkListUsers", body), 400)


def test_list_group_users(api):
    g1, g2 = f"bulkgrp-{bl.uid()}", f"bulkgrp-{bl.uid()}"
    gid = v2_ok(api, "GroupCreate", {"groupname": g1})["groupid"]
    v2_ok(api, "GroupCreate", {"groupname": g2})
    toks = [v2_ok(api, "UserCreate", {"profile": bl.profile(), "groupid": gid,
                                      "rolename": "member"})["token"] for _ in range(3)]
    # a user with two roles in the group is listed once
    assert_ok(api.v2("GroupAddUser", {"groupid": gid, "mode": "token", "identity": toks[0],
                                      "rolename": "lead"}))
    u = bl.unlock(api)
    b = v2_ok(api, "BulkListGroupUsers", {"unlockuuid": u, "groupid": gid, "limit": 2})
    assert b["total"] == 3 and [r["token"] for r in b["rows"]] == toks[:2]
    b = v2_ok(api, "BulkListGroupUsers", {"unlockuuid": u, "groupname": g1, "offset": 2})
    assert [r["token"] for r in b["rows"]] == toks[2:]
    # the unlock id is bound to that group
    assert_error(api.v2("BulkListGroupUsers", {"unlockuuid": u, "groupname": g2}), 403)
    assert_not_found(api.v2("BulkListGroupUsers", {"unlockuuid": bl.unlock(api),
                                                   "groupid": 99999999}))
    assert_error(api.v2("BulkListGroupUsers", {"unlockuuid": bl.unlock(api)}), 400)


def test_list_all_audit_events(api):
    tok = api.create_user(bl.profile())
    u = bl.unlock(api)
    b = v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": u, "limit": 5})
    assert b["total"] >= 3 and len(b["rows"]) == 5
    first = b["rows"][0]
    # newest first: the unlock itself
    assert first["eventtype"] == "BulkListUnlock" and first["who"] == "root"
    for r in b["rows"]:
        assert {"auditeventuuid", "eventtype", "timestamp", "who", "record",
                "status"} <= set(r)
        assert "identity" not in r and "before" not in r and "after" not in r
    b2 = v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": u, "offset": 5, "limit": 5})
    assert len(b2["rows"]) == 5 and b2["rows"][0]["when"] <= first["when"]
    assert any(r["record"] == tok for r in b["rows"] + b2["rows"]
               + v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": u, "limit": 50})["rows"])


def test_bulk_listing_is_audited(api):
    u = bl.unlock(api)
    v2_ok(api, "BulkListAllUsers", {"unlockuuid": u, "limit": 3})
    rows = v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": bl.unlock(api), "limit": 5})["rows"]
    assert "BulkListAllUsers" in [r["eventtype"] for r in rows]
