"""App data: /v1/userapp/... (spec and released-server routes) and the /v2
Appdata* calls; audit events, forgetting, and no plaintext on disk."""

import pytest

import bunkerlib as bl
from bunkerlib import app_path, assert_error, assert_not_found, assert_ok, maybe_json

MODES = ("token", "email", "phone", "login")


@pytest.fixture
def user(api):
    p = bl.profile()
    tok = api.create_user(p)
    return tok, p


def ident(user, mode):
    tok, p = user
    return tok if mode == "token" else p[mode]


def get_app(api, user, mode, app):
    r = api.get(app_path(mode, ident(user, mode), app))
    b = assert_ok(r)
    assert set(b) == {"status", "data"}, bl.describe(r)
    return b["data"]


# ---------------------------------------------------------------- /v1

@pytest.mark.parametrize("mode", MODES)
def test_v1_create_get_each_mode(api, user, mode):
    app = "shop-" + mode
    rec = {"country": "UK", "address": "123 Main St", "n": 7, "nested": {"a": [1, 2]}}
    r = api.post(app_path(mode, ident(user, mode), app), json=rec)
    assert assert_ok(r) == {"status": "ok"}
    for m in MODES:
        assert get_app(api, user, m, app) == rec


def test_v1_post_overwrites(api, user):
    path = app_path("token", user[0], "shipping")
    assert_ok(api.post(path, json={"a": "1", "b": "2"}))
    assert_ok(api.post(path, json={"c": "3"}))
    assert get_app(api, user, "token", "shipping") == {"c": "3"}


def test_v1_form_urlencoded(api, user):
    path = app_path("email", user[1]["email"], "formapp")
    r = api.raw("POST", path, "city=London&zip=N1+9GU", ctype="application/x-www-form-urlencoded")
    assert_ok(r)
    assert get_app(api, user, "token", "formapp") == {"city": "London", "zip": "N1 9GU"}
    r = api.raw("PUT", path, "zip=E1", ctype="application/x-www-form-urlencoded")
    assert_ok(r)
    assert get_app(api, user, "token", "formapp") == {"city": "London", "zip": "E1"}


def test_v1_put_merges_and_null_removes(api, user):
    path = app_path("login", user[1]["login"], "prefs")
    assert_ok(api.post(path, json={"theme": "dark", "lang": "en", "size": 3}))
    r = api.put(path, json={"lang": None, "size": 4, "new": True})
    assert assert_ok(r) == {"status": "ok"}
    assert get_app(api, user, "token", "prefs") == {"theme": "dark", "size": 4, "new": True}


def test_v1_put_missing_record_404(api, user):
    assert_not_found(api.put(app_path("token", user[0], "never-made"), json={"a": 1}))


def test_v1_delete(api, user):
    path = app_path("phone", user[1]["phone"], "todelete")
    assert_ok(api.post(path, json={"x": "y"}))
    r = api.delete(path)
    assert assert_ok(r) == {"status": "ok"}
    assert_not_found(api.get(path))
    assert_not_found(api.delete(path))


def test_v1_unknown_user_and_record_404(api, user):
    assert_not_found(api.get(app_path("token", user[0], "nosuchapp")))
    for mode, who in (("token", "00000000-0000-4000-8000-000000000000"),
                      ("email", "nobody.%s@example.com" % bl.uid()),
                      ("phone", "19999" + bl.phone()[5:]), ("login", "nobody-" + bl.uid())):
        path = app_path(mode, who, "shop")
        assert_not_found(api.get(path))
        assert_not_found(api.post(path, json={"a": 1}))
        assert_not_found(api.put(path, json={"a": 1}))
        assert_not_found(api.delete(path))
        assert_not_found(api.get(f"/v1/userapp/{mode}/{bl.q(who)}"))


@pytest.mark.parametrize("name", ["Shop", "shop_1", "shop.x", "shop app", "\u00e9t\u00e9",
                                  "a" * 65])
def test_v1_bad_appname_400(api, user, name):
    path = app_path("token", user[0], name)
    for method in ("POST", "PUT", "GET", "DELETE"):
        r = api.request(method, path, json={"a": 1} if method in ("POST", "PUT") else None)
        b = assert_error(r, 400)
        assert "application name" in b["message"], bl.describe(r)
    assert get_apps(api, user) == []


def test_v1_appname_64_chars_ok(api, user):
    name = "a-" + "0" * 62
    assert_ok(api.post(app_path("token", user[0], name), json={"k": "v"}))
    assert get_app(api, user, "token", name) == {"k": "v"}


def test_v1_bad_input_400(api, user):
    path = app_path("token", user[0], "badinput")
    assert_error(api.raw("POST", path, "[1,2]"), 400)
    assert_error(api.raw("POST", path, '{"a":'), 400)
    assert_error(api.raw("POST", path, '{"a":1,"a":2}'), 400)
    assert_error(api.post(app_path("bogus", user[0], "badinput"), json={"a": 1}), 400)
    assert_error(api.post(app_path("token", "not-a-token", "badinput"), json={"a": 1}), 400)
    assert_error(api.post(app_path("email", "not-an-email", "badinput"), json={"a": 1}), 400)
    assert_not_found(api.get(path))


def test_v1_auth_401(api, user):
    path = app_path("token", user[0], "authapp")
    for token in (None, "wrong-token"):
        for method in ("POST", "PUT", "GET", "DELETE"):
            assert_error(api.request(method, path, token=token, json={"a": 1}), 401)
        assert_error(api.get(f"/v1/userapp/token/{user[0]}", token=token), 401)
        assert_error(api.get("/v1/userapps", token=token), 401)
    assert_not_found(api.get(path))


def get_apps(api, user, mode="token"):
    r = api.get(f"/v1/userapp/{mode}/{bl.q(ident(user, mode))}")
    b = assert_ok(r)
    assert set(b) == {"status", "apps"}, bl.describe(r)
    return b["apps"]


def test_v1_list_user_and_all_apps(api, user):
    other = api.create_user(bl.profile())
    mark = bl.uid()
    names = [f"zz-{mark}-b", f"zz-{mark}-a", f"zz-{mark}-c"]
    for n in names:
        assert_ok(api.post(app_path("token", user[0], n), json={"v": n}))
    assert_ok(api.post(app_path("token", other, names[0]), json={"v": "other"}))
    assert_ok(api.post(app_path("token", other, f"zz-{mark}-d"), json={"v": "other"}))
    for mode in MODES:
        assert get_apps(api, user, mode) == sorted(names)
    r = api.get("/v1/userapps")
    b = assert_ok(r)
    assert set(b) == {"status", "apps"}
    mine = [a for a in b["apps"] if a.startswith(f"zz-{mark}-")]
    assert mine == sorted(names + [f"zz-{mark}-d"])   # each name once
    assert b["apps"] == sorted(b["apps"])
    fresh = api.create_user(bl.profile())
    assert get_apps(api, (fresh, {}), "token") == []


# ---------------------------------------------------------------- /v2

def v2_ref(user, mode="token"):
    return {"mode": mode, "identity": ident(user, mode)}


@pytest.mark.parametrize("mode", MODES)
def test_v2_full_cycle(api, user, mode):
    app = "v2app-" + mode
    ref = v2_ref(user, mode)
    r = api.v2("AppdataCreate", dict(ref, appname=app, appdata={"a": 1, "b": "two"}))
    assert assert_ok(r) == {"status": "ok"}
    r = api.v2("AppdataGet", dict(ref, appname=app))
    assert assert_ok(r) == {"status": "ok", "appdata": {"a": 1, "b": "two"}}
    r = api.v2("AppdataUpdate", dict(ref, appname=app, appdata={"a": None, "c": [3]}))
    assert assert_ok(r) == {"status": "ok"}
    assert get_app(api, user, "token", app) == {"b": "two", "c": [3]}
    r = api.v2("AppdataListUserAppNames", ref)
    assert assert_ok(r) == {"status": "ok", "apps": [app]}
    r = api.v2("AppdataListAppNames", {})
    b = assert_ok(r)
    assert set(b) == {"status", "apps"} and app in b["apps"]
    r = api.v2("AppdataDelete", dict(ref, appname=app))
    assert assert_ok(r) == {"status": "ok"}
    assert_not_found(api.v2("AppdataGet", dict(ref, appname=app)))
    assert_not_found(api.v2("AppdataDelete", dict(ref, appname=app)))
    assert_not_found(api.v2("AppdataUpdate", dict(ref, appname=app, appdata={"a": 1})))


def test_v2_list_app_names_empty_body(api):
    r = api.raw("POST", "/v2/AppdataListAppNames", "")
    b = assert_ok(r)
    assert isinstance(b["apps"], list)


def test_v2_version_not_enabled_400(api, user):
    # versioning is off by default (test_appdata_versions.py switches it on)
    ref = v2_ref(user)
    assert_ok(api.v2("AppdataCreate", dict(ref, appname="ver", appdata={"a": 1})))
    assert_ok(api.v2("AppdataUpdate", dict(ref, appname="ver", appdata={"a": 2})))
    b = assert_error(api.v2("AppdataGet", dict(ref, appname="ver", version=1)), 400)
    assert b["message"] == "record versioning is not enabled"
    assert assert_ok(api.v2("AppdataGet", dict(ref, appname="ver", version=2)))["appdata"] == \
        {"a": 2}
    assert_ok(api.v2("AppdataGet", dict(ref, appname="ver", version=None)))
    b = assert_error(api.v2("AppdataListVersions", dict(ref, appname="ver")), 400)
    assert b["message"] == "record versioning is not enabled"


def test_v2_bad_input_400(api, user):
    ref = v2_ref(user)
    cases = [
        ("AppdataCreate", dict(ref, appdata={"a": 1})),
        ("AppdataCreate", dict(ref, appname="x")),
        ("AppdataCreate", dict(ref, appname="x", appdata=[1])),
        ("AppdataCreate", dict(ref, appname="x", appdata="text")),
        ("AppdataCreate", dict(ref, appname="BAD", appdata={"a": 1})),
        ("AppdataCreate", dict(ref, appname=5, appdata={"a": 1})),
        ("AppdataCreate", {"identity": user[0], "appname": "x", "appdata": {}}),
        ("AppdataCreate", {"mode": "token", "appname": "x", "appdata": {}}),
        ("AppdataCreate", {"mode": "nope", "identity": user[0], "appname": "x", "appdata": {}}),
        ("AppdataGet", dict(ref)),
        ("AppdataGet", dict(ref, appname="x" * 65)),
        ("AppdataUpdate", dict(ref, appname="x")),
        ("AppdataUpdate", dict(ref, appname="x", appdata=None)),
        ("AppdataDelete", dict(ref)),
        ("AppdataListUserAppNames", {"mode": "token"}),
    ]
    for op, body in cases:
        assert_error(api.v2(op, body), 400)
    assert_error(api.raw("POST", "/v2/AppdataGet", "[]"), 400)
    assert_not_found(api.v2("AppdataGet", dict(ref, appname="x")))


def test_v2_unknown_user_404(api):
    ref = {"mode": "email", "identity": f"ghost.{bl.uid()}@example.com"}
    assert_not_found(api.v2("AppdataCreate", dict(ref, appname="x", appdata={})))
    assert_not_found(api.v2("AppdataGet", dict(ref, appname="x")))
    assert_not_found(api.v2("AppdataUpdate", dict(ref, appname="x", appdata={})))
    assert_not_found(api.v2("AppdataDelete", dict(ref, appname="x")))
    assert_not_found(api.v2("AppdataListUserAppNames", ref))


def test_v2_auth_403(api, user):
    ref = v2_ref(user)
    for token in (None, "wrong-token"):
        for op, body in (("AppdataCreate", dict(ref, appname="x", appdata={})),
                         ("AppdataGet", dict(ref, appname="x")),
                         ("AppdataUpdate", dict(ref, appname="x", appdata={})),
                         ("AppdataDelete", dict(ref, appname="x")),
                         ("AppdataListUserAppNames", ref),
                         ("AppdataListAppNames", {})):
            assert_error(api.v2(op, body, token=token), 403)
    assert get_apps(api, user) == []


def test_v1_and_v2_share_records(api, user):
    assert_ok(api.post(app_path("token", user[0], "shared"), json={"from": "v1"}))
    r = api.v2("AppdataGet", dict(v2_ref(user, "email"), appname="shared"))
    assert assert_ok(r)["appdata"] == {"from": "v1"}


# ---------------------------------------------------------------- audit, forget, disk

def events(api, tok):
    return assert_ok(api.audit_list(tok, 0, 100))["rows"]


def test_audit_events_named_by_operation(api, user):
    tok = user[0]
    path = app_path("token", tok, "audited")
    assert_ok(api.post(path, json={"v": "before-value"}))
    assert_ok(api.put(path, json={"v": "after-value"}))
    assert_ok(api.get(path))
    assert_ok(api.get(f"/v1/userapp/token/{tok}"))
    assert_ok(api.delete(path))
    assert_not_found(api.get(path))
    rows = events(api, tok)
    titles = [r["title"] for r in rows][:6]
    assert titles == ["AppdataGet", "AppdataDelete", "AppdataListUserAppNames", "AppdataGet",
                      "AppdataUpdate", "AppdataCreate"], titles
    assert rows[0]["status"] == "error" and rows[1]["status"] == "ok"
    upd = rows[4]
    assert upd["record"] == tok and upd["mode"] == "token" and upd["identity"] == tok
    ev = assert_ok(api.audit_get(upd["atoken"]))["event"]
    assert maybe_json(ev["before"]) == {"v": "before-value"}
    assert maybe_json(ev["after"]) == {"v": "after-value"}
    ev = assert_ok(api.audit_get(rows[1]["atoken"]))["event"]
    assert maybe_json(ev["before"]) == {"v": "after-value"}


def test_forget_user_removes_app_data(fresh_server):
    srv = fresh_server
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    keep = api.create_user(bl.profile())
    assert_ok(api.post(app_path("token", tok, "only-forgotten"), json={"a": 1}))
    assert_ok(api.post(app_path("token", tok, "both"), json={"a": 2}))
    assert_ok(api.post(app_path("token", keep, "both"), json={"a": 3}))
    assert bl.store_rows(srv, "SELECT count(*) FROM appdata")[0][0] == 3
    assert_ok(api.delete_user("token", tok))
    assert bl.store_rows(srv, "SELECT count(*) FROM appdata")[0][0] == 1
    assert assert_ok(api.get("/v1/userapps"))["apps"] == ["both"]
    assert_not_found(api.get(app_path("token", tok, "both")))
    assert assert_ok(api.get(app_path("token", keep, "both")))["data"] == {"a": 3}


def test_no_plaintext_app_data_on_disk(fresh_server):
    srv = fresh_server
    api = srv.client()
    mark = bl.uid()
    needles = []
    for i in range(3):
        tok = api.create_user(bl.profile())
        rec = {"street": f"Hidden{mark}Lane{i}", "card": f"4111{mark}{i}",
               "note": f"secretnote-{mark}-{i}"}
        needles += list(rec.values())
        path = app_path("token", tok, f"app{i}")
        assert_ok(api.post(path, json=rec))
        extra = f"mergedsecret{mark}{i}"
        needles.append(extra)
        assert_ok(api.put(path, json={"extra": extra}))
        assert_ok(api.v2("AppdataGet", {"mode": "token", "identity": tok, "appname": f"app{i}"}))
        for row in events(api, tok):
            assert_ok(api.audit_get(row["atoken"]))
    found = bl.store_scan(srv, needles)
    assert not found, f"plaintext app data on disk while running: {found}"
    srv.stop()
    found = bl.store_scan(srv, needles)
    assert not found, f"plaintext app data on disk after shutdown: {found}"
