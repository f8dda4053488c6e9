"""Shared records: SharedRecordCreate/SharedRecordGet (/v2) and
POST /v1/sharedrecord/{mode}/{identity}, GET /v1/get/{record} (/v1). Only the
chosen fields are shown, read from the current profile, app data record
(appname; "app" on /v1) or session (session); nothing after the expiry, the
policy cap, the user's deletion or the record's."""

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
    # made after <rec>, maybe a second later on a loaded machine
    assert bl.wait_until(lambda: v1_get(ssrv, r1).status_code == 404, timeout=3)
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
    assert bl.wait_until(lambda: v2_get(api, dflt).status_code == 404, timeout=3)
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


# ---------------------------------------------------------------- app data and sessions

APP = {"cart": 3, "card": {"last4": "4242", "holder": "A B"}, "secret": "s3cr3t"}


def app_user(api, appname="shop", data=None):
    tok = api.create_user(bl.profile())
    assert_ok(api.v2("AppdataCreate", {"mode": "token", "identity": tok, "appname": appname,
                                       "appdata": data or APP}))
    return tok


def session_of(api, tok, data, **extra):
    sid = str(uuid.uuid4())
    body = dict({"mode": "token", "identity": tok, "sessionuuid": sid, "sessiondata": data},
                **extra)
    assert_ok(api.v2("SessionUpsert", body))
    return sid


def last_event(api, tok, title):
    return next(r for r in api.audit_rows(tok)["rows"] if r["title"] == title)


def test_v2_app_share_only_chosen_fields(api):
    tok = app_user(api)
    rec = v2_share(api, tok, "cart, card.last4,token,missing", appname="shop", partner="acme")
    b = assert_ok(v2_get(api, rec))
    assert b == {"status": "ok", "data": {"cart": 3, "card.last4": "4242", "token": tok}}
    # the profile's fields are not the app's: a profile field is not shown
    rec = v2_share(api, tok, ["card", "email"], appname="shop")
    assert assert_ok(v2_get(api, rec))["data"] == {"card": APP["card"]}
    # audited in the user's trail, the app named, the shared data sealed in the event
    ev = last_event(api, tok, "SharedRecordGet")
    assert (ev["status"], ev["msg"], ev["record"]) == ("ok", "shop", tok)
    assert bl.maybe_json(assert_ok(api.audit_get(ev["atoken"]))["event"]["after"]) == {
        "card": APP["card"]}
    ev = last_event(api, tok, "SharedRecordCreate")
    assert (ev["status"], ev["msg"], ev["mode"]) == ("ok", "shop", "token")


@pytest.mark.parametrize("key", ["app", "appname"])
def test_v1_app_share_json_and_form(server, api, key):
    tok = app_user(api, "crm-2")
    b = assert_ok(api.post(f"/v1/sharedrecord/token/{tok}", json={"fields": "cart", key: "crm-2"}))
    assert set(b) == {"status", "record"}
    assert assert_ok(v1_get(server, b["record"])) == {"status": "ok", "data": {"cart": 3}}
    r = api.raw("POST", f"/v1/sharedrecord/token/{tok}", f"fields=secret%2Ccard&{key}=crm-2",
                ctype="application/x-www-form-urlencoded")
    rec = assert_ok(r)["record"]
    assert assert_ok(v1_get(server, rec))["data"] == {"secret": "s3cr3t", "card": APP["card"]}
    assert assert_ok(v2_get(api, rec))["data"] == {"secret": "s3cr3t", "card": APP["card"]}


@pytest.mark.parametrize("mode", MODES)
def test_app_share_by_each_mode(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    assert_ok(api.v2("AppdataCreate", {"mode": "token", "identity": tok, "appname": "shop",
                                       "appdata": APP}))
    ident = tok if mode == "token" else p[mode]
    b = assert_ok(api.v2("SharedRecordCreate", {"mode": mode, "identity": ident,
                                                "fields": "cart", "appname": "shop"}))
    assert assert_ok(v2_get(api, b["recorduuid"]))["data"] == {"cart": 3}


def test_app_share_reads_the_current_record_and_404_once_gone(server, api):
    tok = app_user(api)
    rec = v2_share(api, tok, "cart", appname="shop")
    assert_ok(api.v2("AppdataUpdate", {"mode": "token", "identity": tok, "appname": "shop",
                                       "appdata": {"cart": 7}}))
    assert assert_ok(v2_get(api, rec))["data"] == {"cart": 7}
    assert_ok(api.v2("AppdataDelete", {"mode": "token", "identity": tok, "appname": "shop"}))
    assert_not_found(v2_get(api, rec))
    assert_not_found(v1_get(server, rec))
    ev = last_event(api, tok, "SharedRecordGet")
    assert (ev["status"], ev["msg"]) == ("error", "not found")
    # a record made again under the name is shown again: the share names the app
    assert_ok(api.v2("AppdataCreate", {"mode": "token", "identity": tok, "appname": "shop",
                                       "appdata": {"cart": 1}}))
    assert assert_ok(v2_get(api, rec))["data"] == {"cart": 1}


def test_session_share_v2_and_v1(server, api):
    tok = api.create_user(bl.profile())
    data = {"ip": "10.1.2.3", "agent": {"name": "curl"}, "csrf": "zzz"}
    sid = session_of(api, tok, data)
    rec = v2_share(api, tok, "ip,agent.name,token", session=sid)
    assert assert_ok(v2_get(api, rec)) == {"status": "ok", "data": {
        "ip": "10.1.2.3", "agent.name": "curl", "token": tok}}
    b = assert_ok(api.post(f"/v1/sharedrecord/token/{tok}", json={"fields": "ip",
                                                                  "session": sid}))
    assert assert_ok(v1_get(server, b["record"]))["data"] == {"ip": "10.1.2.3"}
    r = api.raw("POST", f"/v1/sharedrecord/token/{tok}", f"fields=agent&session={sid}",
                ctype="application/x-www-form-urlencoded")
    assert assert_ok(v1_get(server, assert_ok(r)["record"]))["data"] == {"agent": data["agent"]}
    # audited; the session id, a bearer secret, is not the event's message
    for title in ("SharedRecordCreate", "SharedRecordGet"):
        ev = last_event(api, tok, title)
        assert (ev["status"], ev["msg"], ev["record"]) == ("ok", "session", tok)
    # the current session data is read; a deleted session shows nothing
    assert_ok(api.v2("SessionUpsert", {"sessionuuid": sid, "sessiondata": {"ip": "10.9.9.9"}}))
    assert assert_ok(v2_get(api, rec))["data"] == {"ip": "10.9.9.9", "token": tok}
    assert_ok(api.v2("SessionDelete", {"sessionuuid": sid}))
    assert_not_found(v2_get(api, rec))
    assert_not_found(v1_get(server, b["record"]))


def test_session_share_404_once_the_session_expires(api):
    tok = api.create_user(bl.profile())
    sid = session_of(api, tok, {"ip": "1.1.1.1"})
    rec = v2_share(api, tok, "ip", session=sid)
    assert assert_ok(v2_get(api, rec))["data"] == {"ip": "1.1.1.1"}
    # the session is renewed to live one second more
    assert_ok(api.v2("SessionUpsert", {"sessionuuid": sid, "sessiondata": {"ip": "1.1.1.1"},
                                       "slidingtime": "1s"}))
    assert bl.wait_until(lambda: v2_get(api, rec).status_code == 404, timeout=5)
    assert_not_found(v2_get(api, rec))


def test_unknown_app_or_session_404(server, api):
    tok = app_user(api)
    other = api.create_user(bl.profile())
    theirs = session_of(api, other, {"ip": "2.2.2.2"})
    untied = str(uuid.uuid4())
    assert_ok(api.v2("SessionUpsert", {"sessionuuid": untied, "sessiondata": {"ip": "3"}}))
    ref = {"mode": "token", "identity": tok, "fields": "cart"}
    for extra in ({"appname": "nope"}, {"session": str(uuid.uuid4())}, {"session": theirs},
                  {"session": untied}):
        assert_not_found(api.v2("SharedRecordCreate", dict(ref, **extra)))
        assert_not_found(api.post(f"/v1/sharedrecord/token/{tok}",
                                  json={"fields": "cart", **extra}))
    assert_not_found(api.post(f"/v1/sharedrecord/token/{tok}", json={"fields": "cart",
                                                                     "app": "nope"}))
    # another user's app record is not this user's
    assert_not_found(api.v2("SharedRecordCreate", {"mode": "token", "identity": other,
                                                   "fields": "cart", "appname": "shop"}))
    # an unknown user
    assert_not_found(api.v2("SharedRecordCreate", {"mode": "token", "identity": str(uuid.uuid4()),
                                                   "fields": "cart", "appname": "shop"}))
    # the refusals are in the user's trail, and no share was made
    ev = last_event(api, tok, "SharedRecordCreate")
    assert (ev["status"], ev["msg"]) == ("error", "not found")
    assert [r["status"] for r in api.audit_rows(tok)["rows"]
            if r["title"] == "SharedRecordCreate"] == ["error"] * 9


@pytest.mark.parametrize("extra", [
    {"appname": ""}, {"appname": "Shop"}, {"appname": "a/b"}, {"appname": "x" * 65},
    {"appname": 5}, {"appname": ["shop"]}, {"session": ""}, {"session": "bad id"},
    {"session": "x" * 129}, {"session": 7}, {"appname": "shop", "session": "abc"},
    {"appname": "shop", "fields": ""}, {"appname": "shop", "fields": [1]},
    {"appname": "shop", "fields": None}, {"appname": "shop", "finaltime": "soon"},
])
def test_v2_app_or_session_bad_params_400(api, extra):
    tok = app_user(api)
    body = dict({"mode": "token", "identity": tok, "fields": "cart"}, **extra)
    assert_error(api.v2("SharedRecordCreate", body), 400)


@pytest.mark.parametrize("extra", [
    {"app": "Shop"}, {"appname": "a b"}, {"app": 5}, {"session": "bad id"}, {"session": 1},
    {"app": "shop", "session": "abc"}, {"app": "shop", "fields": " , "},
])
def test_v1_app_or_session_bad_params_400(api, extra):
    tok = app_user(api)
    assert_error(api.post(f"/v1/sharedrecord/token/{tok}", json=dict({"fields": "cart"},
                                                                     **extra)), 400)


def test_app_share_expires_and_is_swept(ssrv):
    api = ssrv.client()
    tok = app_user(api)
    sid = session_of(api, tok, {"ip": "1"})
    short = v2_share(api, tok, "cart", appname="shop", finaltime="3s")
    short_s = v2_share(api, tok, "ip", session=sid, finaltime="3s")
    keep = v2_share(api, tok, "cart", appname="shop")
    assert_ok(v2_get(api, short))
    assert_ok(v2_get(api, short_s))
    assert bl.wait_until(lambda: v2_get(api, short).status_code == 404, timeout=8)
    assert bl.wait_until(lambda: v2_get(api, short_s).status_code == 404, timeout=3)
    assert bl.wait_until(lambda: bl.db_rows(ssrv, "shared_records") == 1, timeout=5)
    assert assert_ok(v2_get(api, keep))["data"] == {"cart": 3}


def test_forgotten_user_app_and_session_shares_404(api):
    tok = app_user(api)
    sid = session_of(api, tok, {"ip": "1"})
    recs = [v2_share(api, tok, "cart", appname="shop"), v2_share(api, tok, "ip", session=sid)]
    assert_ok(api.delete_user("token", tok))
    for rec in recs:
        assert_not_found(v2_get(api, rec))


def test_tokens_needed_for_app_shares(api):
    tok = app_user(api)
    for token in (None, "00000000-0000-4000-8000-000000000000"):
        assert_error(api.v2("SharedRecordCreate", {"mode": "token", "identity": tok,
                                                   "fields": "cart", "appname": "shop"},
                            token=token), 403)
        assert_error(api.post(f"/v1/sharedrecord/token/{tok}",
                              json={"fields": "cart", "app": "shop"}, token=token), 401)


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
    appval, sessval = f"appvalue{marker}", f"sessvalue{marker}"
    assert_ok(api.v2("AppdataCreate", {"mode": "token", "identity": tok, "appname": "vault",
                                       "appdata": {"appfield": appval}}))
    sid = session_of(api, tok, {"sessfield": sessval})
    more = [v2_share(api, tok, "appfield", appname="vault", partner=partner),
            v2_share(api, tok, "sessfield", session=sid)]
    assert assert_ok(v2_get(api, more[0]))["data"] == {"appfield": appval}
    assert assert_ok(v2_get(api, more[1]))["data"] == {"sessfield": sessval}
    recs += more
    needles = [marker, partner, fieldname, p["secretfield"], appval, sessval, sid] + recs + \
        [r.upper() for r in recs]
    time.sleep(0.3)
    assert not scan(ssrv, needles)
    ssrv.stop()
    assert not scan(ssrv, needles)


def test_anonymous_get_names_the_caller_in_the_audit(server, api):
    """/v1/get/{record} needs no token: its event names the caller as anonymous with the
    connection's peer address (never a header the client sends); /v2 names the token."""
    tok = app_user(api)
    rec = v2_share(api, tok, "cart", appname="shop")
    anon = server.client(token=None)
    spoof = {"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}
    assert assert_ok(anon.get(f"/v1/get/{q(rec)}", headers=spoof))["data"] == {"cart": 3}
    ev = last_event(api, tok, "SharedRecordGet")
    assert (ev["status"], ev["who"], ev["msg"]) == ("ok", "anonymous 127.0.0.1", "shop")
    # a token sent to the open link is not looked at: still anonymous
    assert_ok(api.get(f"/v1/get/{q(rec)}"))
    assert last_event(api, tok, "SharedRecordGet")["who"] == "anonymous 127.0.0.1"
    assert_ok(v2_get(api, rec))
    assert last_event(api, tok, "SharedRecordGet")["who"] == "root"
    # a refused read names the caller too
    assert_ok(api.v2("AppdataDelete", {"mode": "token", "identity": tok, "appname": "shop"}))
    assert_not_found(anon.get(f"/v1/get/{q(rec)}"))
    ev = last_event(api, tok, "SharedRecordGet")
    assert (ev["status"], ev["who"]) == ("error", "anonymous 127.0.0.1")
