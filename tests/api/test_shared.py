"""Shared records: SharedRecordCreate/SharedRecordGet (/v2) and
POST /v1/sharedrecord/{mode}/{identity}, GET /v1/get/{record} (/v1). Only the
chosen fields are shown, read from the current profile; nothing after the
expiry, the policy cap or the user's deletion."""

import time
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, q

MODES = ["token", "email", "phone", "login", "custom"]


@pytest.fixture
def ssrv(server_factory):
    return bl.started(server_factory, "generic:\n  sweep_interval_ms: 200\n")


def v2_share(api, tok, fields, **extra):
    r = api.v2("SharedRecordCreate", dict({"mode": "token", "identity": tok, "fields": fields},
                                          **extra))
    b = assert_ok(r)
    assert set(b) == {"status", "recorduuid"}
    bl.assert_uuid4(b["recorduuid"], r)
    return b["recorduuid"]


def v2_get(api, rec, **kw):
    return api.v2("SharedRecordGet", {"recorduuid": rec}, **kw)


def v1_get(srv, rec):
    return srv.client(token=None).get(f"/v1/get/{q(rec)}")


def test_v2_only_chosen_fields(api):
    p = bl.profile()
    tok = api.create_user(p)
    rec = v2_share(api, tok, "fname, email,address.city,token,missing", partner="acme")
    b = assert_ok(v2_get(api, rec))
    assert b == {"status": "ok", "data": {"fname": p["fname"], "email": p["email"],
                                          "address.city": "Paris", "token": tok}}


def test_v2_fields_as_array_and_whole_object(api):
    p = bl.profile()
    tok = api.create_user(p)
    rec = v2_share(api, tok, ["address", "tags"])
    assert assert_ok(v2_get(api, rec))["data"] == {"address": p["address"], "tags": p["tags"]}


@pytest.mark.parametrize("mode", MODES)
def test_create_by_each_mode(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    ident = tok if mode == "token" else p[mode]
    b = assert_ok(api.v2("SharedRecordCreate", {"mode": mode, "identity": ident,
                                                "fields": "lname"}))
    assert assert_ok(v2_get(api, b["recorduuid"]))["data"] == {"lname": p["lname"]}
    b = assert_ok(api.post(f"/v1/sharedrecord/{mode}/{q(ident)}", json={"fields": "lname"}))
    assert set(b) == {"status", "record"}
    assert assert_ok(api.get(f"/v1/get/{b['record']}"))["data"] == {"lname": p["lname"]}


def test_v1_link_needs_no_token_and_form_body(server, api):
    p = bl.profile()
    tok = api.create_user(p)
    r = api.raw("POST", f"/v1/sharedrecord/token/{tok}", "fields=email%2Cphone&partner=x",
                ctype="application/x-www-form-urlencoded")
    rec = assert_ok(r)["record"]
    b = assert_ok(v1_get(server, rec))
    assert b == {"status": "ok", "data": {"email": p["email"], "phone": p["phone"]}}
    assert assert_ok(v1_get(server, rec.upper()))["data"]["email"] == p["email"]


def test_reads_the_current_profile(api):
    p = bl.profile()
    tok = api.create_user(p)
    rec = v2_share(api, tok, "fname")
    assert_ok(api.put_user("token", tok, {"fname": "Renamed"}))
    assert assert_ok(v2_get(api, rec))["data"] == {"fname": "Renamed"}
    assert_ok(api.put_user("token", tok, {"fname": None}))
    assert assert_ok(v2_get(api, rec))["data"] == {}


def test_expiry_then_404_and_sweep(ssrv):
    api = ssrv.client()
    tok = api.create_user(bl.profile())
    rec = v2_share(api, tok, "email", finaltime="2s")
    r1 = assert_ok(api.post(f"/v1/sharedrecord/token/{tok}",
                            json={"fields": "email", "expiration": "2s"}))["record"]
    keep = v2_share(api, tok, "email", finaltime=str(int(time.time()) + 3600))
    assert_ok(v2_get(api, rec))
    assert_ok(v1_get(ssrv, r1))
    assert bl.wait_until(lambda: v2_get(api, rec).status_code == 404, timeout=6)
    assert_not_found(v2_get(api, rec))
    assert_not_found(v1_get(ssrv, r1))
    assert bl.wait_until(lambda: bl.db_rows(ssrv, "shared_records") == 1, timeout=5)
    assert_ok(v2_get(api, keep))


def test_policy_caps_expiry(server_factory):
    srv = bl.started(server_factory, "generic:\n  sweep_interval_ms: 200\npolicy:\n"
                                     "  max_shareable_record_retention_period: \"2s\"\n")
    api = srv.client()
    tok = api.create_user(bl.profile())
    capped = v2_share(api, tok, "email", finaltime="1y")
    dflt = v2_share(api, tok, "email")
    assert_ok(v2_get(api, capped))
    assert bl.wait_until(lambda: v2_get(api, capped).status_code == 404, timeout=6)
    assert_not_found(v2_get(api, dflt))


def test_forgotten_user_shares_404(api, server):
    tok = api.create_user(bl.profile())
    rec = v2_share(api, tok, "email")
    assert_ok(api.delete_user("token", tok))
    assert_not_found(v2_get(api, rec))
    assert_not_found(v1_get(server, rec))


def test_unknown_record_and_user_404(api, server):
    assert_not_found(v2_get(api, str(uuid.uuid4())))
    assert_not_found(v1_get(server, str(uuid.uuid4())))
    assert_not_found(api.v2("SharedRecordCreate", {"mode": "token", "identity": str(uuid.uuid4()),
                                                   "fields": "email"}))
    assert_not_found(api.post(f"/v1/sharedrecord/email/{q(bl.email('nobody'))}",
                              json={"fields": "email"}))


@pytest.mark.parametrize("extra", [
    {"fields": None}, {"fields": ""}, {"fields": " , ,"}, {"fields": 5}, {"fields": [1]},
    {"fields": "a" * 300}, {"fields": ",".join(f"f{i}" for i in range(101))},
    {"fields": "email", "finaltime": "whenever"}, {"fields": "email", "finaltime": "0s"},
    {"fields": "email", "finaltime": "1000"}, {"fields": "email", "partner": 5},
])
def test_v2_create_bad_params_400(api, extra):
    tok = api.create_user(bl.profile())
    assert_error(api.v2("SharedRecordCreate", dict({"mode": "token", "identity": tok}, **extra)),
                 400)


@pytest.mark.parametrize("body", [{}, {"mode": "token"}, {"mode": "bogus", "identity": "x"},
                                  {"mode": "token", "identity": "not-a-uuid", "fields": "a"}])
def test_v2_create_bad_identity_400(api, body):
    assert_error(api.v2("SharedRecordCreate", body), 400)


def test_v1_create_bad_params_400(api):
    tok = api.create_user(bl.profile())
    assert_error(api.post(f"/v1/sharedrecord/token/{tok}", json={}), 400)
    assert_error(api.post(f"/v1/sharedrecord/token/{tok}",
                          json={"fields": "a", "expiration": "x"}), 400)
    assert_error(api.post(f"/v1/sharedrecord/bogus/{tok}", json={"fields": "a"}), 400)


def test_get_bad_uuid_400(api, server):
    assert_error(v2_get(api, "not-a-uuid"), 400)
    assert_error(api.v2("SharedRecordGet", {}), 400)
    assert_error(api.v2("SharedRecordGet", {"recorduuid": 5}), 400)
    assert_error(v1_get(server, "not-a-uuid"), 400)


def test_app_data_shares_not_implemented(api):
    tok = api.create_user(bl.profile())
    r = api.v2("SharedRecordCreate", {"mode": "token", "identity": tok, "fields": "a",
                                      "appname": "shop"})
    assert_error(r, 501)
    assert_error(api.post(f"/v1/sharedrecord/token/{tok}", json={"fields": "a", "app": "x"}), 501)


@pytest.mark.parametrize("token", [None, "wrong-token", "00000000-0000-4000-8000-000000000000"])
def test_tokens_needed(api, token):
    tok = api.create_user(bl.profile())
    rec = v2_share(api, tok, "email")
    assert_error(api.v2("SharedRecordCreate", {"mode": "token", "identity": tok,
                                               "fields": "email"}, token=token), 403)
    assert_error(v2_get(api, rec, token=token), 403)
    assert_error(api.post(f"/v1/sharedrecord/token/{tok}", json={"fields": "email"},
                          token=token), 401)


def test_shares_not_in_plaintext_on_disk(ssrv):
    from test_security import scan
    api = ssrv.client()
    marker = bl.uid()
    p = {"login": f"shlogin{marker}", "secretfield": f"secretvalue{marker}"}
    tok = api.create_user(p)
    partner = f"partner{marker}"
    fieldname = f"fieldname{marker}"
    recs = [v2_share(api, tok, f"secretfield,{fieldname}", partner=partner) for _ in range(3)]
    for rec in recs:
        assert assert_ok(v2_get(api, rec))["data"] == {"secretfield": p["secretfield"]}
    needles = [marker, partner, fieldname, p["secretfield"]] + recs + [r.upper() for r in recs]
    time.sleep(0.3)
    assert not scan(ssrv, needles)
    ssrv.stop()
    assert not scan(ssrv, needles)
