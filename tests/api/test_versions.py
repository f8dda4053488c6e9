"""Record versioning of user profiles: UserListVersions and UserGet with
"version" (docs: Record versioning), max_versions, the retention sweep, and
the off-by-default answer."""

import time
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok

MODES = ["token", "email", "phone", "login", "custom"]
OFF_MSG = "record versioning is not enabled"


@pytest.fixture
def vsrv(server_factory):
    return bl.started(server_factory, "versioning:\n  enabled: true\n  max_versions: 10\n"
                                      "  max_version_retention_period: \"30d\"\n")


def create(api, p):
    b = assert_ok(api.v2("UserCreate", {"profile": p}))
    return b["token"]


def versions(api, mode, identity):
    b = assert_ok(api.v2("UserListVersions", {"mode": mode, "identity": identity}))
    assert set(b) == {"status", "versions"}
    return b["versions"]


def get_version(api, mode, identity, version):
    return api.v2("UserGet", {"mode": mode, "identity": identity, "version": version})


def test_docs_walkthrough(vsrv):
    api = vsrv.client()
    login = bl.login("versionuser")
    e1, e2, e3 = bl.email("v1"), bl.email("v2"), bl.email("v3")
    p1 = {"login": login, "email": e1}
    t0 = int(time.time())
    tok = create(api, p1)
    assert_ok(api.v2("UserUpdate", {"mode": "token", "identity": tok,
                                    "profile": {"login": login, "email": e2}}))
    assert_ok(api.v2("UserUpdate", {"mode": "token", "identity": tok,
                                    "profile": {"login": login, "email": e3}}))
    vs = versions(api, "token", tok)
    assert [v["version"] for v in vs] == [1, 2, 3]
    for v, email in zip(vs, (e1, e2, e3)):
        assert set(v) == {"version", "optime", "md5"}
        assert isinstance(v["optime"], int) and t0 - 2 <= v["optime"] <= int(time.time()) + 2
        assert v["md5"] == bl.canonical_md5({"login": login, "email": email})
    b = assert_ok(get_version(api, "token", tok, 1))
    assert b["token"] == tok and b["version"] == 1
    assert b["profile"] == {"login": login, "email": e1}
    b = assert_ok(get_version(api, "token", tok, 2))
    assert b["profile"]["email"] == e2 and b["version"] == 2
    b = assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))
    assert b["profile"]["email"] == e3 and b["version"] == 3
    # the current profile is unchanged by reading old versions
    assert api.user_data("token", tok) == {"login": login, "email": e3}


@pytest.mark.parametrize("mode", MODES)
def test_each_mode(vsrv, mode):
    api = vsrv.client()
    p = bl.profile()
    tok = create(api, p)
    assert_ok(api.put_user("token", tok, {"fname": "Changed"}))
    ident = tok if mode == "token" else p[mode]
    vs = versions(api, mode, ident)
    assert [v["version"] for v in vs] == [1, 2]
    assert assert_ok(get_version(api, mode, ident, 1))["profile"] == p
    assert assert_ok(get_version(api, mode, ident, 2))["profile"] == dict(p, fname="Changed")


def test_v1_writes_are_versioned_too(vsrv):
    api = vsrv.client()
    p = {"login": bl.login(), "note": "one"}
    tok = api.create_user(p)
    assert_ok(api.put_user("token", tok, {"note": "two"}))
    assert_ok(api.put_user("token", tok, {"note": None}))
    vs = versions(api, "token", tok)
    assert [v["version"] for v in vs] == [1, 2, 3]
    assert assert_ok(get_version(api, "token", tok, 3))["profile"] == {"login": p["login"]}
    assert assert_ok(get_version(api, "token", tok, 2))["profile"]["note"] == "two"


def test_refused_update_keeps_no_version(vsrv):
    api = vsrv.client()
    a, b = bl.profile(), bl.profile()
    create(api, a)
    tb = create(api, b)
    assert_error(api.v2("UserUpdate", {"mode": "token", "identity": tb,
                                       "profile": {"email": a["email"]}}), 409)
    assert [v["version"] for v in versions(api, "token", tb)] == [1]


def test_unknown_version_and_user(vsrv):
    api = vsrv.client()
    tok = create(api, bl.profile())
    assert_not_found(get_version(api, "token", tok, 2))
    assert_not_found(api.v2("UserListVersions", {"mode": "token", "identity": str(uuid.uuid4())}))
    assert_not_found(api.v2("UserListVersions", {"mode": "email", "identity": bl.email("nobody")}))
    assert_not_found(get_version(api, "login", bl.login("nobody"), 1))


@pytest.mark.parametrize("body", [
    {"version": 0}, {"version": -1}, {"version": "abc"}, {"version": 1.5}, {"version": [1]},
])
def test_bad_version_400(vsrv, body):
    api = vsrv.client()
    tok = create(api, bl.profile())
    assert_error(api.v2("UserGet", dict({"mode": "token", "identity": tok}, **body)), 400)


@pytest.mark.parametrize("body", [
    {}, {"mode": "token"}, {"mode": "bogus", "identity": "x"},
    {"mode": "token", "identity": "not-a-uuid"}, {"mode": "email", "identity": "no-at"},
])
def test_list_bad_params_400(vsrv, body):
    assert_error(vsrv.client().v2("UserListVersions", body), 400)


@pytest.mark.parametrize("token", [None, "wrong-token", "00000000-0000-4000-8000-000000000000"])
def test_list_needs_token(vsrv, token):
    api = vsrv.client()
    tok = create(api, bl.profile())
    r = api.v2("UserListVersions", {"mode": "token", "identity": tok}, token=token)
    assert_error(r, 403)


def test_max_versions_prunes_oldest(server_factory):
    srv = bl.started(server_factory, "versioning:\n  enabled: true\n  max_versions: 2\n")
    api = srv.client()
    p = {"login": bl.login(), "n": 1}
    tok = create(api, p)
    for n in (2, 3, 4):
        assert_ok(api.put_user("token", tok, {"n": n}))
    vs = versions(api, "token", tok)
    assert [v["version"] for v in vs] == [3, 4]
    assert_not_found(get_version(api, "token", tok, 1))
    assert_not_found(get_version(api, "token", tok, 2))
    assert assert_ok(get_version(api, "token", tok, 3))["profile"]["n"] == 3
    assert bl.db_rows(srv, "record_versions") == 2


def test_retention_period_sweep(server_factory):
    srv = bl.started(server_factory, "generic:\n  sweep_interval_ms: 200\nversioning:\n"
                                     "  enabled: true\n  max_version_retention_period: \"2s\"\n")
    api = srv.client()
    tok = create(api, {"login": bl.login(), "n": 1})
    assert_ok(api.put_user("token", tok, {"n": 2}))
    assert [v["version"] for v in versions(api, "token", tok)] == [1, 2]
    kept = bl.wait_until(lambda: [v["version"] for v in versions(api, "token", tok)] == [2],
                         timeout=10)
    assert kept, versions(api, "token", tok)
    # the newest version stays however old it is
    time.sleep(0.6)
    assert [v["version"] for v in versions(api, "token", tok)] == [2]
    assert_not_found(get_version(api, "token", tok, 1))


def test_forgotten_user_loses_versions(vsrv):
    api = vsrv.client()
    p = bl.profile()
    tok = create(api, p)
    assert_ok(api.put_user("token", tok, {"fname": "X"}))
    before = bl.db_rows(vsrv, "record_versions")
    assert_ok(api.delete_user("token", tok))
    assert bl.db_rows(vsrv, "record_versions") == before - 2
    assert_not_found(api.v2("UserListVersions", {"mode": "token", "identity": tok}))
    assert_not_found(get_version(api, "token", tok, 1))


def test_off_by_default(api):
    p = bl.profile()
    tok = create(api, p)
    b = assert_error(api.v2("UserListVersions", {"mode": "token", "identity": tok}), 400)
    assert b["message"] == OFF_MSG
    # the current version can always be named
    b = assert_ok(get_version(api, "token", tok, 1))
    assert b["profile"] == p and b["version"] == 1
    assert_ok(api.put_user("token", tok, {"fname": "New"}))
    assert assert_error(get_version(api, "token", tok, 1), 400)["message"] == OFF_MSG
    assert assert_ok(get_version(api, "token", tok, 2))["profile"]["fname"] == "New"


def test_user_get_reply_fields(api):
    tok = create(api, bl.profile())
    b = assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))
    assert set(b) == {"status", "token", "profile", "version", "finaltime", "slidingtime",
                      "expirationtime"}
    assert b["version"] == 1
    assert b["finaltime"] == b["slidingtime"] == b["expirationtime"] == 0


def test_old_versions_not_in_plaintext_on_disk(vsrv):
    from test_security import scan
    api = vsrv.client()
    marker = bl.uid()
    olds = [f"oldaddress{marker}{i}" for i in range(3)]
    tok = create(api, {"login": f"vlogin{marker}", "address": olds[0]})
    for a in olds[1:] + [f"final{marker}"]:
        assert_ok(api.put_user("token", tok, {"address": a}))
    assert len(versions(api, "token", tok)) == 4
    for v in (1, 2, 3):
        assert assert_ok(get_version(api, "token", tok, v))["profile"]["address"] == olds[v - 1]
    time.sleep(0.3)
    assert not scan(vsrv, [marker] + olds)
    vsrv.stop()
    assert not scan(vsrv, [marker] + olds)
