"""Sessions: the spec's /v1/session routes, the routes of the published
session-store client, /v2 Session*; expiry on read, the sweeper, the
retention cap, forgetting, and no plaintext on disk."""

import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, q

MODES = ("token", "email", "phone", "login")
UNKNOWN = {"token": "00000000-0000-4000-8000-000000000000",
           "email": "ghost@nowhere.example", "phone": "19998887766", "login": "ghost-login"}


@pytest.fixture
def user(api):
    p = bl.profile()
    return api.create_user(p), p


def ident(user, mode):
    return user[0] if mode == "token" else user[1][mode]


def create(api, user, mode="token", body=None):
    r = api.post(f"/v1/session/{mode}/{q(ident(user, mode))}", json=body or {})
    b = assert_ok(r)
    assert set(b) == {"status", "session"}, bl.describe(r)
    bl.assert_uuid4(b["session"], r)
    return b["session"]


def get(api, sid):
    r = api.get(f"/v1/session/session/{q(sid)}")
    b = assert_ok(r)
    assert set(b) == {"status", "session", "when", "data"}, bl.describe(r)
    assert b["session"] == sid
    assert isinstance(b["when"], int) and abs(b["when"] - time.time()) < 120
    return b["data"]


def listing(api, user, mode="token", compat=False):
    base = "/v1/sessions" if compat else "/v1/session"
    r = api.get(f"{base}/{mode}/{q(ident(user, mode))}")
    b = assert_ok(r)
    assert set(b) == {"status", "total", "rows"}, bl.describe(r)
    assert b["total"] == len(b["rows"])
    for row in b["rows"]:
        assert set(row) == {"session", "when", "data"}, row
    return b["rows"]


# ---------------------------------------------------------------- /v1 spec routes

@pytest.mark.parametrize("mode", MODES)
def test_v1_create_get_list_each_mode(api, user, mode):
    sid = create(api, user, mode, {"expiration": "3d", "clientip": "1.1.1.1",
                                   "x-forwarded-for": "2.2.2.2", "info": mode})
    assert get(api, sid) == {"clientip": "1.1.1.1", "x-forwarded-for": "2.2.2.2", "info": mode}
    for m in MODES:
        rows = listing(api, user, m)
        assert [r["session"] for r in rows] == [sid]
        assert rows[0]["data"]["info"] == mode
        assert listing(api, user, m, compat=True) == rows


def test_v1_list_many_oldest_first(api, user):
    sids = [create(api, user, body={"n": i}) for i in range(3)]
    rows = listing(api, user)
    assert sorted(r["session"] for r in rows) == sorted(sids)
    assert [r["data"]["n"] for r in rows] == [0, 1, 2]
    fresh = api.create_user(bl.profile())
    assert listing(api, (fresh, {})) == []


def test_v1_form_urlencoded_create(api, user):
    r = api.raw("POST", f"/v1/session/login/{q(user[1]['login'])}",
                "expiration=2h&clientip=10.0.0.1&info=form", ctype="application/x-www-form-urlencoded")
    sid = assert_ok(r)["session"]
    assert get(api, sid) == {"clientip": "10.0.0.1", "info": "form"}


def test_v1_delete(api, user):
    sid = create(api, user, body={"a": 1})
    r = api.delete(f"/v1/session/session/{sid}")
    assert assert_ok(r) == {"status": "ok"}
    assert_not_found(api.get(f"/v1/session/session/{sid}"))
    assert_not_found(api.delete(f"/v1/session/session/{sid}"))
    assert listing(api, user) == []


def test_v1_not_found(api):
    sid = "11111111-2222-4333-8444-555555555555"
    assert_not_found(api.get(f"/v1/session/session/{sid}"))
    assert_not_found(api.delete(f"/v1/session/session/{sid}"))
    for mode, who in UNKNOWN.items():
        assert_not_found(api.post(f"/v1/session/{mode}/{q(who)}", json={"a": 1}))
        assert_not_found(api.get(f"/v1/session/{mode}/{q(who)}"))
        assert_not_found(api.get(f"/v1/sessions/{mode}/{q(who)}"))


@pytest.mark.parametrize("exp", ["3x", "10", "-1s", "0s", "1.5h", "1h30m", " 1h", "", 5, True,
                                 {"a": 1}])
def test_v1_bad_expiration_400(api, user, exp):
    r = api.post(f"/v1/session/token/{user[0]}", json={"expiration": exp, "a": 1})
    b = assert_error(r, 400)
    assert "expiration" in b["message"]
    assert listing(api, user) == []


def test_v1_bad_input_400(api, user):
    assert_error(api.post("/v1/session/bogus/x", json={}), 400)
    assert_error(api.post("/v1/session/token/not-a-token", json={}), 400)
    assert_error(api.post("/v1/session/email/no-at-sign", json={}), 400)
    assert_error(api.raw("POST", f"/v1/session/token/{user[0]}", "[1]"), 400)
    assert_error(api.raw("POST", f"/v1/session/token/{user[0]}", "{bad"), 400)
    assert_error(api.get("/v1/session/session/bad%21id"), 400)
    assert_error(api.get("/v1/session/session/" + "a" * 129), 400)
    assert_error(api.get("/v1/session/bogus/x"), 400)
    assert listing(api, user) == []


def test_v1_auth_401(api, user):
    sid = create(api, user, body={"a": 1})
    for token in (None, "wrong-token"):
        assert_error(api.post(f"/v1/session/token/{user[0]}", json={}, token=token), 401)
        assert_error(api.get(f"/v1/session/token/{user[0]}", token=token), 401)
        assert_error(api.get(f"/v1/session/session/{sid}", token=token), 401)
        assert_error(api.delete(f"/v1/session/session/{sid}", token=token), 401)
        assert_error(api.get(f"/v1/session/{sid}", token=token), 401)
        assert_error(api.post(f"/v1/session/{sid}", json={}, token=token), 401)
        assert_error(api.delete(f"/v1/session/{sid}", token=token), 401)
        assert_error(api.get(f"/v1/sessions/token/{user[0]}", token=token), 401)
    assert get(api, sid) == {"a": 1}


# ---------------------------------------------------------------- session-store client routes

def test_compat_session_store_cycle(api):
    sid = "Xk2_-pQ9vT" + bl.uid()   # express-session style id, not a UUID
    data = {"cookie": {"originalMaxAge": 3600000, "httpOnly": True, "path": "/"},
            "user": "someone"}
    r = api.post(f"/v1/session/{sid}", json=data)
    assert assert_ok(r) == {"status": "ok", "session": sid}
    r = api.get(f"/v1/session/{sid}")
    b = assert_ok(r)
    assert b["data"] == data and b["session"] == sid
    data["user"] = "changed"
    assert_ok(api.post(f"/v1/session/{sid}", json=data))   # touch / set again
    assert assert_ok(api.get(f"/v1/session/{sid}"))["data"] == data
    assert get(api, sid) == data                             # spec route sees it too
    r = api.delete(f"/v1/session/{sid}")
    assert assert_ok(r) == {"status": "ok"}
    r = api.get(f"/v1/session/{sid}")
    assert_not_found(r)
    assert_not_found(api.delete(f"/v1/session/{sid}"))


def test_compat_upsert_keeps_user_tie(api, user):
    sid = create(api, user, body={"v": 1})
    assert_ok(api.post(f"/v1/session/{sid}", json={"v": 2, "expiration": "1h"}))
    rows = listing(api, user)
    assert [(r["session"], r["data"]) for r in rows] == [(sid, {"v": 2})]


def test_compat_form_and_bad_id(api):
    sid = "form-" + bl.uid()
    r = api.raw("POST", f"/v1/session/{sid}", "a=1&b=two", ctype="application/x-www-form-urlencoded")
    assert_ok(r)
    assert assert_ok(api.get(f"/v1/session/{sid}"))["data"] == {"a": "1", "b": "two"}
    assert_error(api.post("/v1/session/has%20space", json={}), 400)
    assert_error(api.post(f"/v1/session/{sid}", json={"expiration": "forever"}), 400)
    assert_error(api.raw("POST", f"/v1/session/{sid}", '"text"'), 400)


# ---------------------------------------------------------------- /v2

def test_v2_untied_cycle(api):
    sid = bl.uid() + "-v2"
    r = api.v2("SessionUpsert", {"sessionuuid": sid, "sessiondata": {"k": "v"}})
    assert assert_ok(r) == {"status": "ok"}
    r = api.v2("SessionGet", {"sessionuuid": sid})
    assert assert_ok(r) == {"status": "ok", "sessiondata": {"k": "v"}}
    assert_ok(api.v2("SessionUpsert", {"sessionuuid": sid, "sessiondata": {"k": "w"},
                                       "slidingtime": "30m", "finaltime": "1d"}))
    assert assert_ok(api.v2("SessionGet", {"sessionuuid": sid}))["sessiondata"] == {"k": "w"}
    r = api.v2("SessionDelete", {"sessionuuid": sid})
    assert assert_ok(r) == {"status": "ok"}
    assert_not_found(api.v2("SessionGet", {"sessionuuid": sid}))
    assert_not_found(api.v2("SessionDelete", {"sessionuuid": sid}))


@pytest.mark.parametrize("mode", MODES)
def test_v2_tied_and_listed(api, user, mode):
    sid = f"{bl.uid()}-{mode}"
    ref = {"mode": mode, "identity": ident(user, mode)}
    assert_ok(api.v2("SessionUpsert", dict(ref, sessionuuid=sid, sessiondata={"m": mode})))
    r = api.v2("SessionListUserSessions", ref)
    assert assert_ok(r) == {"status": "ok",
                            "rows": [{"sessionuuid": sid, "sessiondata": {"m": mode}}]}
    assert [x["session"] for x in listing(api, user)] == [sid]


def test_v2_bad_input_400(api, user):
    cases = [
        ("SessionUpsert", {"sessiondata": {}}),
        ("SessionUpsert", {"sessionuuid": "abc"}),
        ("SessionUpsert", {"sessionuuid": "abc", "sessiondata": [1]}),
        ("SessionUpsert", {"sessionuuid": 5, "sessiondata": {}}),
        ("SessionUpsert", {"sessionuuid": "a b", "sessiondata": {}}),
        ("SessionUpsert", {"sessionuuid": "abc", "sessiondata": {}, "slidingtime": "soon"}),
        ("SessionUpsert", {"sessionuuid": "abc", "sessiondata": {}, "finaltime": 10}),
        ("SessionUpsert", {"sessionuuid": "abc", "sessiondata": {}, "mode": "token"}),
        ("SessionUpsert", {"sessionuuid": "abc", "sessiondata": {}, "mode": "x",
                           "identity": user[0]}),
        ("SessionGet", {}),
        ("SessionGet", {"sessionuuid": "x" * 129}),
        ("SessionDelete", {}),
        ("SessionListUserSessions", {"mode": "token"}),
        ("SessionListUserSessions", {"identity": user[0]}),
    ]
    for op, body in cases:
        assert_error(api.v2(op, body), 400)
    assert_not_found(api.v2("SessionGet", {"sessionuuid": "abc"}))


def test_v2_unknown_user_404(api):
    for mode, who in UNKNOWN.items():
        ref = {"mode": mode, "identity": who}
        assert_not_found(api.v2("SessionUpsert", dict(ref, sessionuuid="nouser-" + mode,
                                                      sessiondata={})))
        assert_not_found(api.v2("SessionListUserSessions", ref))
        assert_not_found(api.v2("SessionGet", {"sessionuuid": "nouser-" + mode}))


def test_v2_auth_403(api, user):
    for token in (None, "wrong-token"):
        for op, body in (("SessionUpsert", {"sessionuuid": "auth1", "sessiondata": {}}),
                         ("SessionGet", {"sessionuuid": "auth1"}),
                         ("SessionDelete", {"sessionuuid": "auth1"}),
                         ("SessionListUserSessions", {"mode": "token", "identity": user[0]})):
            assert_error(api.v2(op, body, token=token), 403)
    assert_not_found(api.v2("SessionGet", {"sessionuuid": "auth1"}))


# ---------------------------------------------------------------- audit, forget

def test_audit_events(api, user):
    tok = user[0]
    sid = create(api, user, body={"a": "audited"})
    get(api, sid)
    listing(api, user)
    assert_ok(api.delete(f"/v1/session/session/{sid}"))
    rows = assert_ok(api.audit_list(tok, 0, 20))["rows"]
    titles = [r["title"] for r in rows][:4]
    assert titles == ["SessionDelete", "SessionListUserSessions", "SessionGet", "SessionUpsert"]
    assert all(r["record"] == tok and r["status"] == "ok" for r in rows[:4])
    ev = assert_ok(api.audit_get(rows[3]["atoken"]))["event"]
    assert bl.maybe_json(ev["after"]) == {"a": "audited"}


def test_forget_user_removes_tied_sessions(fresh_server):
    srv = fresh_server
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    tied = [create(api, (tok, p), body={"n": i}) for i in range(2)]
    assert_ok(api.v2("SessionUpsert", {"sessionuuid": "untied-1", "sessiondata": {"u": 1}}))
    assert bl.store_rows(srv, "SELECT count(*) FROM sessions")[0][0] == 3
    assert_ok(api.delete_user("token", tok))
    for sid in tied:
        assert_not_found(api.get(f"/v1/session/session/{sid}"))
    assert bl.store_rows(srv, "SELECT count(*) FROM sessions")[0][0] == 1
    assert assert_ok(api.get("/v1/session/untied-1"))["data"] == {"u": 1}


# ---------------------------------------------------------------- expiry

def expiry_of(srv):
    rows = bl.store_rows(srv, "SELECT created, updated, expires, final FROM sessions")
    assert len(rows) == 1, rows
    return rows[0]


def test_default_expiration_one_day(fresh_server):
    srv = fresh_server
    api = srv.client()
    assert_ok(api.post("/v1/session/default-ttl", json={"a": 1}))
    created, updated, expires, final = expiry_of(srv)
    # a ttl ends one second late: times are truncated seconds, the life at least the ttl
    assert expires - updated == 86400 + 1 and final == 0


def test_finaltime_bounds_sliding(fresh_server):
    srv = fresh_server
    api = srv.client()
    body = {"sessionuuid": "final-1", "sessiondata": {}, "slidingtime": "1h", "finaltime": "10m"}
    assert_ok(api.v2("SessionUpsert", body))
    created, updated, expires, final = expiry_of(srv)
    assert final == created + 600 + 1 and expires == final
    body = {"sessionuuid": "final-1", "sessiondata": {"x": 1}, "slidingtime": "2m"}
    assert_ok(api.v2("SessionUpsert", body))
    created2, updated2, expires2, final2 = expiry_of(srv)
    assert (created2, final2) == (created, final) and expires2 == updated2 + 120 + 1


def test_expired_session_gone_and_swept(server_factory):
    conf = "generic:\n  sweep_interval_ms: 200\npolicy:\n  max_session_retention_period: 1h\n"
    srv = server_factory(conf=conf)
    srv.init()
    srv.start()
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    capped = create(api, (tok, p), body={"expiration": "1w", "k": "capped"})
    (updated, expires), = bl.store_rows(srv, "SELECT updated, expires FROM sessions")
    assert expires - updated == 3600 + 1, \
        "policy.max_session_retention_period did not cap expiry"
    short = create(api, (tok, p), body={"expiration": "2s", "k": "short"})
    t_created = time.time()      # the session's clock started no later than this
    assert get(api, short) == {"k": "short"}
    assert bl.store_rows(srv, "SELECT count(*) FROM sessions")[0][0] == 2
    time.sleep(max(0, t_created + 3.05 - time.time()))   # lives 2 s, at most 3
    assert_not_found(api.get(f"/v1/session/session/{short}"))
    assert_not_found(api.get(f"/v1/session/{short}"))
    assert_not_found(api.v2("SessionGet", {"sessionuuid": short}))
    assert_not_found(api.delete(f"/v1/session/{short}"))
    assert [r["session"] for r in listing(api, (tok, p))] == [capped]
    deadline = time.time() + 1.5
    while time.time() < deadline:
        if bl.store_rows(srv, "SELECT count(*) FROM sessions")[0][0] == 1:
            break
        time.sleep(0.05)
    assert bl.store_rows(srv, "SELECT count(*) FROM sessions")[0][0] == 1, \
        "the sweeper did not purge the expired session"
    assert get(api, capped) == {"k": "capped"}
    assert srv.alive()


# ---------------------------------------------------------------- disk

def test_no_plaintext_session_data_on_disk(fresh_server):
    srv = fresh_server
    api = srv.client()
    mark = bl.uid()
    p = bl.profile()
    tok = api.create_user(p)
    needles = []
    for i in range(3):
        ip = f"203.{i}.{mark[:3]}.77"
        data = {"clientip": ip, "browser": f"SecretBrowser{mark}{i}", "email": f"s{mark}{i}@x.io"}
        needles += [f"SecretBrowser{mark}{i}", f"s{mark}{i}@x.io"]
        sid = create(api, (tok, p), body=dict(data, expiration="1h"))
        needles.append(sid)
        get(api, sid)
        untied = f"untiedsid{mark}{i}"
        needles += [untied, f"untiedvalue{mark}{i}"]
        assert_ok(api.post(f"/v1/session/{untied}", json={"v": f"untiedvalue{mark}{i}"}))
        assert_ok(api.get(f"/v1/session/{untied}"))
        v2sid = f"v2sid{mark}{i}"
        needles += [v2sid, f"v2value{mark}{i}"]
        assert_ok(api.v2("SessionUpsert", {"sessionuuid": v2sid, "mode": "token", "identity": tok,
                                           "sessiondata": {"v": f"v2value{mark}{i}"}}))
    listing(api, (tok, p))
    found = bl.store_scan(srv, needles)
    assert not found, f"plaintext session data on disk while running: {found}"
    srv.stop()
    found = bl.store_scan(srv, needles)
    assert not found, f"plaintext session data on disk after shutdown: {found}"


# ---------------------------------------------------------------- tenants

def test_sessions_fenced_by_tenant_and_swept_in_every_tenant(server_factory):
    # The sweep runs across tenants (on PostgreSQL row-level security shows
    # one tenant at a time, so the store visits each).
    srv = server_factory(conf="generic:\n  sweep_interval_ms: 200\n")
    srv.init()
    srv.start()
    api = srv.client()
    name, _, xtoken = bl.create_tenant(api)
    hdr = {"X-Bunker-Tenant": name}
    sid = f"tenantsid{bl.uid()}"
    assert_ok(api.post(f"/v1/session/{sid}", json={"where": "tenant", "expiration": "2s"},
                       headers=hdr))
    assert_ok(api.post(f"/v1/session/{sid}", json={"where": "default", "expiration": "1h"}))
    assert assert_ok(api.get(f"/v1/session/{sid}", headers=hdr))["data"]["where"] == "tenant"
    assert assert_ok(srv.client(token=xtoken).get(f"/v1/session/{sid}"))["data"] == \
        {"where": "tenant"}
    assert assert_ok(api.get(f"/v1/session/{sid}"))["data"] == {"where": "default"}
    assert bl.store_rows(srv, "SELECT count(*) FROM sessions")[0][0] == 2
    assert bl.wait_until(
        lambda: bl.store_rows(srv, "SELECT count(*) FROM sessions")[0][0] == 1, timeout=6), \
        "the sweeper did not purge the tenant's expired session"
    assert_not_found(api.get(f"/v1/session/{sid}", headers=hdr))
    assert assert_ok(api.get(f"/v1/session/{sid}"))["data"] == {"where": "default"}
    assert srv.alive()
