"""BulkListAllUserRequests: every data-subject request of the tenant behind
an unlock id, newest first, paged, optionally by status, audited."""

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok, v2_ok


def open_requests(api, n):
    out = []
    for i in range(n):
        tok = api.create_user(bl.profile())
        b = v2_ok(api, "UserUpdateRequest", {"mode": "token", "identity": tok,
                                             "profile": {"n": i}})
        out.append((tok, b["requestuuid"]))
    return out


def test_list_paged_newest_first(fresh_server):
    api = fresh_server.client()
    made = open_requests(api, 5)
    u = bl.unlock(api)
    seen = []
    for off in (0, 2, 4):
        b = v2_ok(api, "BulkListAllUserRequests", {"unlockuuid": u, "offset": off, "limit": 2})
        assert set(b) == {"status", "total", "rows"} and b["total"] == 5
        seen += b["rows"]
    assert [r["requestuuid"] for r in seen] == [rt for _, rt in reversed(made)]
    row = seen[0]
    assert set(row) == {"requestuuid", "requesttype", "token", "status", "creationtime", "when"}
    assert row["token"] == made[-1][0] and row["status"] == "open"
    assert row["requesttype"] == "change-profile"
    # the default page is 10
    assert len(v2_ok(api, "BulkListAllUserRequests", {"unlockuuid": u})["rows"]) == 5


def test_status_filter_and_targets(fresh_server):
    api = fresh_server.client()
    made = open_requests(api, 3)
    assert_ok(api.v2("UserRequestCancel", {"requestuuid": made[0][1]}))
    assert_ok(api.v2("UserRequestApprove", {"requestuuid": made[1][1]}))
    tok = made[2][0]
    assert_ok(api.v2("AppdataCreate", {"mode": "token", "identity": tok, "appname": "shop",
                                       "appdata": {"a": 1}}))
    v2_ok(api, "AppdataUpdateRequest", {"mode": "token", "identity": tok, "appname": "shop",
                                        "appdata": {"a": 2}})
    u = bl.unlock(api)
    b = v2_ok(api, "BulkListAllUserRequests", {"unlockuuid": u, "status": "open"})
    assert b["total"] == 2
    assert b["rows"][0]["requesttype"] == "change-app-data" and b["rows"][0]["appname"] == "shop"
    b = v2_ok(api, "BulkListAllUserRequests", {"unlockuuid": u, "status": "cancelled"})
    assert [r["requestuuid"] for r in b["rows"]] == [made[0][1]]
    b = v2_ok(api, "BulkListAllUserRequests", {"unlockuuid": u, "status": "approved"})
    assert [r["requestuuid"] for r in b["rows"]] == [made[1][1]]
    b = assert_error(api.v2("BulkListAllUserRequests", {"unlockuuid": u, "status": "nope"}), 400)
    assert b["message"] == "bad status: use open, approved or cancelled"


def test_needs_unlock_of_its_own_purpose(api):
    b = assert_error(api.v2("BulkListAllUserRequests", {}), 400)
    assert b["message"] == "missing unlockuuid: call BulkListUnlock first"
    assert_error(api.v2("BulkListAllUserRequests", {"unlockuuid": "nope"}), 400)
    b = assert_error(api.v2("BulkListAllUserRequests",
                            {"unlockuuid": "00000000-0000-4000-8000-000000000000"}), 403)
    assert b["message"] == "bulk list is locked: unlockuuid is unknown or expired"
    u = bl.unlock(api)
    v2_ok(api, "BulkListAllUsers", {"unlockuuid": u, "limit": 1})
    b = assert_error(api.v2("BulkListAllUserRequests", {"unlockuuid": u}), 403)
    assert b["message"] == "unlockuuid was issued for another operation: request a new one"
    assert_error(api.v2("BulkListAllUserRequests", {"unlockuuid": bl.unlock(api)}, token=None),
                 403)


@pytest.mark.parametrize("body", [{"offset": -1}, {"limit": 0}, {"limit": "x"},
                                  {"status": 5}])
def test_bad_paging_400(api, body):
    assert_error(api.v2("BulkListAllUserRequests", {"unlockuuid": bl.unlock(api), **body}), 400)


def test_listing_is_audited(api):
    v2_ok(api, "BulkListAllUserRequests", {"unlockuuid": bl.unlock(api), "limit": 3})
    rows = v2_ok(api, "BulkListAllAuditEvents", {"unlockuuid": bl.unlock(api), "limit": 5})["rows"]
    assert "BulkListAllUserRequests" in [r["eventtype"] for r in rows]
