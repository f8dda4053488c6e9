"""Audit events: /v1/audit/list, /v1/audit/get, /v2/AuditListUserEvents,
/v2/AuditGetEvent."""

import datetime
import json
import time
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, maybe_json

ROW_FIELDS = {"atoken", "when", "who", "mode", "identity", "record", "title", "status"}
USER_OPS = {"UserCreate", "UserGet", "UserUpdate", "UserDelete"}


def list_all(api, tok, limit=100):
    r = api.audit_list(tok, 0, limit)
    b = assert_ok(r)
    assert isinstance(b.get("total"), int), bl.describe(r)
    assert isinstance(b.get("rows"), list), bl.describe(r)
    return b


def get_event(api, atoken):
    r = api.audit_get(atoken)
    b = assert_ok(r)
    assert isinstance(b.get("event"), dict), bl.describe(r)
    return b["event"]


def v2_list(api, mode, identity, offset=0, limit=100):
    r = api.v2("AuditListUserEvents", {"mode": mode, "identity": identity,
                                       "offset": offset, "limit": limit})
    b = assert_ok(r)
    assert isinstance(b.get("total"), int), bl.describe(r)
    assert isinstance(b.get("rows"), list), bl.describe(r)
    return b


def ts(v):
    """v2 timestamps: an integer, a string of digits, or an ISO 8601 UTC time
    such as "2026-11-28T13:45:37Z" (the spec only says string). Returns unix
    seconds."""
    if isinstance(v, str):
        if v.isdigit():
            return int(v)
        try:
            dt = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise AssertionError(f"timestamp is neither unix seconds nor ISO 8601: {v!r}")
        assert dt.tzinfo is not None, f"timestamp without time zone: {v!r}"
        return int(dt.timestamp())
    assert isinstance(v, int) and not isinstance(v, bool), v
    return v


def check_row(row, tok, t0):
    assert ROW_FIELDS <= set(row), f"row lacks {ROW_FIELDS - set(row)}: {row}"
    bl.assert_uuid7(row["atoken"], row["when"])
    assert isinstance(row["when"], int), row
    assert t0 - 5 <= row["when"] <= time.time() + 5, row
    assert row["record"] == tok, row
    assert row["status"] in ("ok", "error"), row
    assert isinstance(row["title"], str) and row["title"], row


def test_events_written_for_create_get_update_delete(api):
    t0 = int(time.time())
    p = bl.profile()
    tok = api.create_user(p)
    b = list_all(api, tok)
    assert b["total"] >= 1
    n = b["total"]

    assert_ok(api.get_user("token", tok))
    n_get = list_all(api, tok)["total"]
    assert n_get >= n + 1

    assert_ok(api.get_user("email", p["email"]))
    n_get2 = list_all(api, tok)["total"]
    assert n_get2 >= n_get + 1

    assert_ok(api.put_user("token", tok, {"fname": "Upd"}))
    n_upd = list_all(api, tok)["total"]
    assert n_upd >= n_get2 + 1

    assert_ok(api.delete_user("token", tok))
    b = list_all(api, tok)
    assert b["total"] >= n_upd + 1
    assert len(b["rows"]) == b["total"]
    for row in b["rows"]:
        check_row(row, tok, t0)
    assert all(row["status"] == "ok" for row in b["rows"])
    atokens = [row["atoken"] for row in b["rows"]]
    assert len(set(atokens)) == len(atokens)


def test_rows_newest_first(api):
    tok = api.create_user(bl.profile())
    assert_ok(api.get_user("token", tok))
    time.sleep(1.1)
    assert_ok(api.put_user("token", tok, {"x": 1}))
    rows = list_all(api, tok)["rows"]
    whens = [row["when"] for row in rows]
    assert whens == sorted(whens, reverse=True)
    assert whens[0] > whens[-1]


def test_v2_event_types_newest_first(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert_ok(api.get_user("token", tok))
    assert_ok(api.put_user("token", tok, {"fname": "New"}))
    b = v2_list(api, "token", tok)
    assert b["total"] == len(b["rows"])
    for row in b["rows"]:
        assert {"auditeventuuid", "eventtype", "timestamp"} <= set(row), row
        bl.assert_uuid7(row["auditeventuuid"], time.time())
        assert abs(ts(row["timestamp"]) - time.time()) < 120, row
    types = [row["eventtype"] for row in b["rows"] if row["eventtype"] in USER_OPS]
    assert types == ["UserUpdate", "UserGet", "UserCreate"], [r["eventtype"] for r in b["rows"]]
    # the same list, found by another identity
    b2 = v2_list(api, "email", p["email"])
    assert [r["auditeventuuid"] for r in b2["rows"]][-3:] == \
        [r["auditeventuuid"] for r in b["rows"]][-3:]


def test_v2_event_types_for_v2_calls(api):
    p = bl.profile()
    r = api.v2("UserCreate", {"profile": p})
    tok = assert_ok(r)["token"]
    assert_ok(api.v2("UserGet", {"mode": "login", "identity": p["login"]}))
    assert_ok(api.v2("UserUpdate", {"mode": "token", "identity": tok, "profile": {"a": 1}}))
    assert_ok(api.v2("UserDelete", {"mode": "token", "identity": tok}))
    rows = v2_list(api, "token", tok)["rows"]
    types = [row["eventtype"] for row in rows if row["eventtype"] in USER_OPS]
    assert types == ["UserDelete", "UserUpdate", "UserGet", "UserCreate"]


def test_update_event_has_before_and_after(api):
    before_name, after_name = "Before" + bl.uid(), "After" + bl.uid()
    p = bl.profile(fname=before_name)
    tok = api.create_user(p)
    assert_ok(api.put_user("token", tok, {"fname": after_name}))
    rows = list_all(api, tok)["rows"]
    events = [get_event(api, row["atoken"]) for row in rows]
    for row, ev in zip(rows, events):
        assert ev["atoken"] == row["atoken"]
        for k in ROW_FIELDS:
            assert ev.get(k) == row[k], (k, ev, row)
    changes = [e for e in events if e.get("before") and e.get("after")]
    assert len(changes) == 1, events
    before, after = maybe_json(changes[0]["before"]), maybe_json(changes[0]["after"])
    assert before == p
    assert after == dict(p, fname=after_name)
    # the create event carries the new record as "after"
    creates = [e for e in events if not e.get("before") and e.get("after")]
    assert any(maybe_json(e["after"]) == p for e in creates), events


def test_v2_get_event(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert_ok(api.put_user("token", tok, {"fname": "V2"}))
    rows = v2_list(api, "token", tok)["rows"]
    for row in rows:
        r = api.v2("AuditGetEvent", {"auditeventuuid": row["auditeventuuid"]})
        b = assert_ok(r)
        assert b["eventtype"] == row["eventtype"]
        assert ts(b["timestamp"]) == ts(row["timestamp"])
        assert isinstance(b["details"], dict), bl.describe(r)


def test_failed_update_writes_error_event(api):
    a, b = bl.profile(), bl.profile()
    api.create_user(a)
    tb = api.create_user(b)
    n = list_all(api, tb)["total"]
    assert_error(api.put_user("token", tb, {"email": a["email"]}), 409)
    after = list_all(api, tb)
    assert after["total"] == n + 1, "a refused update (409) wrote no audit event"
    assert after["rows"][0]["status"] == "error"
    ev = get_event(api, after["rows"][0]["atoken"])
    assert ev["status"] == "error"


def test_paging_v1(api):
    tok = api.create_user(bl.profile())
    for _ in range(6):
        assert_ok(api.get_user("token", tok))
    full = list_all(api, tok)
    total = full["total"]
    assert total >= 7
    all_ids = [r["atoken"] for r in full["rows"]]
    assert len(all_ids) == total

    paged = []
    for off in range(0, total, 3):
        r = api.audit_list(tok, off, 3)
        b = assert_ok(r)
        assert b["total"] == total
        assert len(b["rows"]) == min(3, total - off)
        paged += [row["atoken"] for row in b["rows"]]
    assert paged == all_ids

    b = assert_ok(api.audit_list(tok, total, 10))
    assert b["total"] == total
    assert b["rows"] == []

    b = assert_ok(api.audit_list(tok, 0, 1))
    assert [r["atoken"] for r in b["rows"]] == all_ids[:1]


def test_paging_defaults(api):
    tok = api.create_user(bl.profile())
    for _ in range(12):
        assert_ok(api.get_user("token", tok))
    r = api.get(f"/v1/audit/list/{tok}")
    b = assert_ok(r)
    assert b["total"] >= 13
    assert 1 <= len(b["rows"]) <= b["total"]


@pytest.mark.parametrize("query", ["offset=-1&limit=10", "offset=0&limit=-5", "offset=abc&limit=1",
                                   "offset=0&limit=abc"])
def test_paging_bad_parameters(api, query):
    tok = api.create_user(bl.profile())
    r = api.get(f"/v1/audit/list/{tok}?{query}")
    assert r.status_code < 500, bl.describe(r)
    if r.status_code != 200:
        assert_error(r, 400)


def test_paging_v2(api):
    p = bl.profile()
    tok = api.create_user(p)
    for _ in range(5):
        assert_ok(api.get_user("token", tok))
    full = v2_list(api, "login", p["login"])
    total = full["total"]
    assert total >= 6
    ids = [r["auditeventuuid"] for r in full["rows"]]
    paged = []
    for off in range(0, total, 2):
        b = v2_list(api, "login", p["login"], off, 2)
        assert b["total"] == total
        paged += [r["auditeventuuid"] for r in b["rows"]]
    assert paged == ids


def test_after_delete_events_stay_but_personal_data_is_gone(api):
    name1, name2 = "Gone" + bl.uid(), "Gone" + bl.uid()
    mail = bl.email("gone")
    p = bl.profile(fname=name1, email=mail)
    tok = api.create_user(p)
    assert_ok(api.put_user("token", tok, {"fname": name2}))
    rows_before = list_all(api, tok)["rows"]
    # sanity: before deletion the update event does carry the data
    evs = [get_event(api, r["atoken"]) for r in rows_before]
    assert any(e.get("before") for e in evs)

    assert_ok(api.delete_user("token", tok))
    b = list_all(api, tok)
    assert b["total"] >= len(rows_before) + 1
    for row in b["rows"]:
        r = api.audit_get(row["atoken"])
        body = assert_ok(r)
        ev = body["event"]
        assert ev.get("before") in (None, "", {}), ev
        assert ev.get("after") in (None, "", {}), ev
        text = json.dumps(body)
        for secret in (name1, name2, p["lname"], p["custom"]):
            assert secret not in text, f"{secret!r} still readable in {text}"
    # v2 view of the same
    rows = v2_list(api, "token", tok)["rows"]
    assert rows
    for row in rows:
        r = api.v2("AuditGetEvent", {"auditeventuuid": row["auditeventuuid"]})
        body = assert_ok(r)
        text = json.dumps(body)
        for secret in (name1, name2, p["lname"], p["custom"]):
            assert secret not in text, f"{secret!r} still readable in {text}"


def test_unknown_event_is_404(api):
    assert_not_found(api.audit_get(str(uuid.uuid4())))
    assert_not_found(api.v2("AuditGetEvent", {"auditeventuuid": str(uuid.uuid4())}))


@pytest.mark.parametrize("bad", ["not-a-uuid", "' OR 1=1 --", "%00"])
def test_malformed_event_id_is_4xx(api, bad):
    assert_error(api.get(f"/v1/audit/get/{bl.q(bad)}"), range(400, 500))
    assert_error(api.v2("AuditGetEvent", {"auditeventuuid": bad}), range(400, 500))


def test_v2_audit_bad_requests(api):
    assert_error(api.v2("AuditGetEvent", {}), 400)
    assert_error(api.v2("AuditListUserEvents", {}), 400)
    assert_error(api.v2("AuditListUserEvents", {"mode": "token"}), 400)
    assert_error(api.v2("AuditListUserEvents", {"mode": "bogus", "identity": "x"}), 400)
