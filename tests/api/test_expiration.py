"""User expiration: UserCreate's slidingtime and finaltime, the /v1/exp flow
with its browser links (HTML, or JSON on Accept: application/json), the
compatibility routes by mode, and the sweep that forgets expired users."""

import time
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, q

MODES = ["token", "email", "phone", "login", "custom"]
SWEEP_CONF = "generic:\n  sweep_interval_ms: 200\n"
JSON = {"Accept": "application/json"}


@pytest.fixture
def esrv(server_factory):
    return bl.started(server_factory, SWEEP_CONF)


def create(api, p, **extra):
    r = api.v2("UserCreate", dict({"profile": p}, **extra))
    return assert_ok(r)["token"]


def v2get(api, tok):
    return api.v2("UserGet", {"mode": "token", "identity": tok})


def status(api, tok):
    b = assert_ok(api.get(f"/v1/exp/status/{tok}"))
    assert set(b) == {"status", "expstatus", "exptime", "exptoken"}
    return b


def start(api, tok, expiration="10d"):
    r = api.post(f"/v1/exp/start/{tok}", json={"expiration": expiration})
    b = assert_ok(r)
    assert set(b) == {"status", "exptoken"}
    bl.assert_uuid4(b["exptoken"], r)
    return b["exptoken"]


def link(srv, verb, exptoken, headers=None):
    """The browser link, without any token."""
    return srv.client(token=None).get(f"/v1/exp/{verb}/{q(exptoken)}", headers=headers)


def assert_page(r, status, *words):
    assert r.status_code == status, bl.describe(r)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8", bl.describe(r)
    assert r.text.startswith("<!DOCTYPE html>") and "</html>" in r.text, bl.describe(r)
    for w in words:
        assert w in r.text, bl.describe(r)


# ---------------------------------------------------------------- UserCreate times

def test_no_expiration_reports_zeros_and_none(esrv):
    api = esrv.client()
    tok = create(api, bl.profile())
    b = assert_ok(v2get(api, tok))
    assert (b["finaltime"], b["slidingtime"], b["expirationtime"]) == (0, 0, 0)
    assert status(api, tok) == {"status": "ok", "expstatus": "none", "exptime": 0,
                                "exptoken": ""}


def test_sliding_time_extends_on_access_then_expires(esrv):
    api = esrv.client()
    p = bl.profile()
    t0 = int(time.time())
    tok = create(api, p, slidingtime="2s")
    b = assert_ok(v2get(api, tok))
    assert b["finaltime"] == 0
    assert t0 + 1 <= b["slidingtime"] <= int(time.time()) + 2
    assert b["expirationtime"] == b["slidingtime"]
    assert status(api, tok)["expstatus"] == "expiring"
    # reading keeps it alive past its first deadline
    first = b["expirationtime"]
    for _ in range(4):
        time.sleep(0.8)
        b = assert_ok(v2get(api, tok))
    assert b["expirationtime"] > first
    assert b["profile"] == p
    # left alone, it goes
    time.sleep(2.6)
    gone = bl.wait_until(lambda: api.get_user("token", tok).status_code == 404, timeout=5)
    assert gone
    assert_not_found(v2get(api, tok))
    assert_not_found(api.get_user("email", p["email"]))
    st = status(api, tok)
    assert st["expstatus"] == "expired" and st["exptoken"] == ""
    # forgotten as user delete does: indexes free again, audited as the sweeper
    create(api, {"email": p["email"]})
    rows = api.audit_rows(tok)["rows"]
    assert any(r["title"] == "UserDelete" and r["who"] == "sweeper" for r in rows), rows


def test_final_time_is_not_extended(esrv):
    api = esrv.client()
    tok = create(api, {"login": bl.login()}, finaltime="2s", slidingtime="1y")
    b = assert_ok(v2get(api, tok))
    assert b["expirationtime"] == b["finaltime"] <= int(time.time()) + 2
    assert b["slidingtime"] > b["finaltime"]
    assert bl.wait_until(lambda: v2get(api, tok).status_code == 404, timeout=8)
    assert status(api, tok)["expstatus"] == "expired"


def test_final_time_as_unix_time(esrv):
    api = esrv.client()
    at = int(time.time()) + 3600
    for v in (at, str(at)):
        tok = create(api, {"login": bl.login()}, finaltime=v)
        b = assert_ok(v2get(api, tok))
        assert b["finaltime"] == b["expirationtime"] == at and b["slidingtime"] == 0


@pytest.mark.parametrize("extra", [
    {"slidingtime": "abc"}, {"slidingtime": "0d"}, {"slidingtime": "5x"}, {"slidingtime": "d"},
    {"slidingtime": -5}, {"slidingtime": True}, {"finaltime": "1000"}, {"finaltime": 5},
    {"finaltime": "soon"}, {"finaltime": {"a": 1}},
])
def test_bad_times_refused_and_nothing_created(esrv, extra):
    api = esrv.client()
    p = {"login": bl.login()}
    assert_error(api.v2("UserCreate", dict({"profile": p}, **extra)), 400)
    assert_not_found(api.get_user("login", p["login"]))
    create(api, p)


# ---------------------------------------------------------------- the /v1 flow

def test_flow_start_status_retain(esrv):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    t0 = int(time.time())
    et = start(api, tok, "10d")
    st = status(api, tok)
    assert st["expstatus"] == "expiring" and st["exptoken"] == et
    assert t0 + 10 * 86400 - 2 <= st["exptime"] <= int(time.time()) + 10 * 86400 + 2
    assert assert_ok(v2get(api, tok))["expirationtime"] == st["exptime"]
    r = link(esrv, "retain", et)
    assert_page(r, 200, "kept")
    st = status(api, tok)
    assert st["expstatus"] == "active" and st["exptime"] == 0
    # retaining again is fine; the JSON variant
    r = link(esrv, "retain", et, JSON)
    assert assert_ok(r) == {"status": "ok", "result": "retained"}
    assert_ok(api.get_user("token", tok))


def test_flow_delete_link_forgets_user(esrv):
    api = esrv.client()
    p = bl.profile()
    tok = api.create_user(p)
    et = start(api, tok)
    r = link(esrv, "delete", et)
    assert_page(r, 200, "deleted")
    assert_not_found(api.get_user("token", tok))
    assert_not_found(api.get_user("login", p["login"]))
    st = status(api, tok)
    assert st["expstatus"] == "expired" and st["exptoken"] == ""
    assert abs(st["exptime"] - time.time()) < 5
    rows = api.audit_rows(tok)["rows"]
    assert any(r["title"] == "UserDelete" and r["who"] == "expiration link" for r in rows), rows
    # deleting again is fine, retaining is too late
    assert assert_ok(link(esrv, "delete", et, JSON)) == {"status": "ok", "result": "deleted"}
    assert_page(link(esrv, "delete", et), 200, "deleted")
    assert_page(link(esrv, "retain", et), 404)
    assert_not_found(link(esrv, "retain", et, JSON))


def test_flow_delete_link_json(esrv):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    et = start(api, tok)
    assert assert_ok(link(esrv, "delete", et.upper(), JSON)) == {"status": "ok",
                                                                  "result": "deleted"}
    assert_not_found(api.get_user("token", tok))


def test_flow_expires_by_sweep(esrv):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    start(api, tok, "2s")
    assert status(api, tok)["expstatus"] == "expiring"
    assert bl.wait_until(lambda: status(api, tok)["expstatus"] == "expired", timeout=8)
    assert_not_found(api.get_user("token", tok))


def test_flow_start_form_and_unix_time(esrv):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    r = api.raw("POST", f"/v1/exp/start/{tok}", "expiration=3d",
                ctype="application/x-www-form-urlencoded")
    assert_ok(r)
    assert status(api, tok)["exptime"] >= int(time.time()) + 3 * 86400 - 2
    at = int(time.time()) + 7200
    start(api, tok, str(at))
    assert status(api, tok)["exptime"] == at


def test_restart_gives_new_token_old_link_dead(esrv):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    et1 = start(api, tok)
    et2 = start(api, tok)
    assert et1 != et2
    assert_page(link(esrv, "retain", et1), 404)
    assert_page(link(esrv, "retain", et2), 200)


def test_cancel(esrv):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    et = start(api, tok, "2s")
    assert assert_ok(api.post(f"/v1/exp/cancel/{tok}")) == {"status": "ok"}
    assert status(api, tok) == {"status": "ok", "expstatus": "none", "exptime": 0,
                                "exptoken": ""}
    assert_page(link(esrv, "delete", et), 404)
    assert_page(link(esrv, "retain", et), 404)
    time.sleep(2.6)
    assert_ok(api.get_user("token", tok))
    # cancelling also ends a sliding expiration
    t2 = create(api, {"login": bl.login()}, slidingtime="1d")
    assert_ok(api.post(f"/v1/exp/cancel/{t2}"))
    assert assert_ok(v2get(api, t2))["expirationtime"] == 0


@pytest.mark.parametrize("mode", MODES)
def test_compat_routes_by_mode(esrv, mode):
    api = esrv.client()
    p = bl.profile()
    tok = api.create_user(p)
    ident = q(tok if mode == "token" else p[mode])
    b = assert_ok(api.post(f"/v1/exp/start/{mode}/{ident}", json={"expiration": "5d"}))
    et = b["exptoken"]
    b = assert_ok(api.get(f"/v1/exp/status/{mode}/{ident}"))
    assert b["expstatus"] == "expiring" and b["exptoken"] == et
    assert assert_ok(api.delete(f"/v1/exp/cancel/{mode}/{ident}")) == {"status": "ok"}
    assert assert_ok(api.get(f"/v1/exp/status/{mode}/{ident}"))["expstatus"] == "none"


# ---------------------------------------------------------------- errors and auth

@pytest.mark.parametrize("method,path", [
    ("POST", "/v1/exp/start/{t}"), ("GET", "/v1/exp/status/{t}"), ("POST", "/v1/exp/cancel/{t}"),
    ("GET", "/v1/exp/status/token/{t}"), ("POST", "/v1/exp/start/token/{t}"),
    ("DELETE", "/v1/exp/cancel/token/{t}"),
])
@pytest.mark.parametrize("token", [None, "wrong-token", "00000000-0000-4000-8000-000000000000"])
def test_flow_needs_token(esrv, method, path, token):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    r = api.request(method, path.format(t=tok), token=token, json={"expiration": "1d"})
    assert_error(r, 401)
    assert status(api, tok)["expstatus"] == "none"


def test_links_do_not_need_but_accept_a_token(esrv):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    et = start(api, tok)
    r = api.get(f"/v1/exp/retain/{et}", headers=JSON)
    assert assert_ok(r)["result"] == "retained"
    r = esrv.client(token="garbage").get(f"/v1/exp/retain/{et}")
    assert_page(r, 200)


def test_unknown_user_404(esrv):
    api = esrv.client()
    t = str(uuid.uuid4())
    assert_not_found(api.post(f"/v1/exp/start/{t}", json={"expiration": "1d"}))
    assert_not_found(api.post(f"/v1/exp/cancel/{t}"))
    assert_not_found(api.get(f"/v1/exp/status/{t}"))
    assert_not_found(api.get(f"/v1/exp/status/email/{q(bl.email('nobody'))}"))
    assert_not_found(api.delete(f"/v1/exp/cancel/login/{bl.login('nobody')}"))


@pytest.mark.parametrize("body", [{}, {"expiration": ""}, {"expiration": "ten days"},
                                  {"expiration": "0d"}, {"expiration": "1000"},
                                  {"expiration": [1]}])
def test_bad_expiration_400(esrv, body):
    api = esrv.client()
    tok = api.create_user(bl.profile())
    assert_error(api.post(f"/v1/exp/start/{tok}", json=body), 400)
    assert status(api, tok)["expstatus"] == "none"


def test_bad_identities_400(esrv):
    api = esrv.client()
    assert_error(api.get("/v1/exp/status/not-a-uuid"), 400)
    assert_error(api.post("/v1/exp/start/bogus/x", json={"expiration": "1d"}), 400)
    assert_error(api.get("/v1/exp/status/email/no-at-sign"), 400)


def test_link_errors(esrv):
    unknown = str(uuid.uuid4())
    for verb in ("retain", "delete"):
        assert_page(link(esrv, verb, unknown), 404)
        assert_not_found(link(esrv, verb, unknown, JSON))
        r = link(esrv, verb, "not-a-token")
        assert_page(r, 400)
        assert_error(link(esrv, verb, "not-a-token", JSON), 400)


def test_link_page_escapes_and_never_echoes(esrv):
    evil = '<script>alert("x")</script>'
    r = link(esrv, "retain", evil)
    assert_page(r, 400)
    assert "<script" not in r.text and "alert" not in r.text


def test_exptoken_not_on_disk(esrv):
    from test_security import scan
    api = esrv.client()
    tok = api.create_user(bl.profile())
    ets = [start(api, tok)]
    t2 = api.create_user(bl.profile())
    ets.append(start(api, t2))
    assert status(api, tok)["exptoken"] == ets[0]
    needles = ets + [e.upper() for e in ets] + [e.replace("-", "") for e in ets]
    time.sleep(0.3)
    assert not scan(esrv, needles)
    esrv.stop()
    assert not scan(esrv, needles)
