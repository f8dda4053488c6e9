"""Record versioning of app data (docs: Record versioning, "Application
Data"): AppdataListVersions and AppdataGet with "version", kept by
core/versions.c under the kind "appdata"."""

import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok

MODES = ["token", "email", "phone", "login", "custom"]
NOSUCH = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def vsrv(server_factory):
    return bl.started(server_factory, "versioning:\n  enabled: true\n  max_versions: 10\n")


def new_user(api):
    p = bl.profile()
    return api.create_user(p), p


def versions(api, who, app):
    b = assert_ok(api.v2("AppdataListVersions", {**who, "appname": app}))
    assert set(b) == {"status", "versions"}
    return b["versions"]


def get_version(api, who, app, version):
    return api.v2("AppdataGet", {**who, "appname": app, "version": version})


def test_docs_walkthrough(vsrv):
    api = vsrv.client()
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    docs = [{"theme": "light", "lang": "en"}, {"theme": "dark", "lang": "en"},
            {"theme": "dark", "lang": "fr"}]
    t0 = int(time.time())
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "settings", "appdata": docs[0]}))
    assert_ok(api.v2("AppdataUpdate", {**who, "appname": "settings",
                                       "appdata": {"theme": "dark"}}))
    assert_ok(api.v2("AppdataUpdate", {**who, "appname": "settings", "appdata": {"lang": "fr"}}))
    vs = versions(api, who, "settings")
    assert [v["version"] for v in vs] == [1, 2, 3]
    for v, doc in zip(vs, docs):
        assert set(v) == {"version", "optime", "md5"}
        assert t0 - 2 <= v["optime"] <= int(time.time()) + 2
        assert v["md5"] == bl.canonical_md5(doc)
    assert assert_ok(get_version(api, who, "settings", 1)) == {"status": "ok",
                                                               "appdata": docs[0]}
    assert assert_ok(get_version(api, who, "settings", 2))["appdata"] == docs[1]
    assert assert_ok(get_version(api, who, "settings", 3))["appdata"] == docs[2]
    assert assert_ok(api.v2("AppdataGet", {**who, "appname": "settings"}))["appdata"] == docs[2]
    titles = bl.audit_titles(api, tok)
    assert titles[:2] == ["AppdataGet", "AppdataGet"] and "AppdataListVersions" in titles


@pytest.mark.parametrize("mode", MODES)
def test_each_mode(vsrv, mode):
    api = vsrv.client()
    tok, p = new_user(api)
    who = {"mode": mode, "identity": bl.user_ident(mode, tok, p)}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "a", "appdata": {"x": 1}}))
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "a", "appdata": {"x": 2}}))
    assert [v["version"] for v in versions(api, who, "a")] == [1, 2]
    assert assert_ok(get_version(api, who, "a", 1))["appdata"] == {"x": 1}


def test_apps_are_versioned_apart_and_v1_writes_count(vsrv):
    api = vsrv.client()
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "one", "appdata": {"n": 1}}))
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "two", "appdata": {"n": 2}}))
    assert_ok(api.request("PUT", bl.app_path("token", tok, "two"), json={"n": 3}))
    assert [v["version"] for v in versions(api, who, "one")] == [1]
    assert [v["version"] for v in versions(api, who, "two")] == [1, 2]
    assert assert_ok(get_version(api, who, "two", 1))["appdata"] == {"n": 2}


def test_unknown_version_record_user(vsrv):
    api = vsrv.client()
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "a", "appdata": {"x": 1}}))
    assert_not_found(get_version(api, who, "a", 7))
    assert_not_found(api.v2("AppdataListVersions", {**who, "appname": "none"}))
    assert_not_found(api.v2("AppdataListVersions", {"mode": "token", "identity": NOSUCH,
                                                    "appname": "a"}))
    for token in (None, NOSUCH):
        assert_error(api.v2("AppdataListVersions", {**who, "appname": "a"}, token=token), 403)


@pytest.mark.parametrize("body", [{"version": 0}, {"version": -1}, {"version": "x"},
                                  {"version": 1.5}, {"appname": "BAD"}, {"appname": None}])
def test_bad_input_400(vsrv, body):
    api = vsrv.client()
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "a", "appdata": {"x": 1}}))
    assert_error(api.v2("AppdataGet", {**who, "appname": "a", **body}), 400)
    if "appname" in body:
        assert_error(api.v2("AppdataListVersions", {**who, **body}), 400)


def test_delete_drops_versions_and_forget_too(vsrv):
    api = vsrv.client()
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "a", "appdata": {"x": 1}}))
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "a", "appdata": {"x": 2}}))
    assert_ok(api.v2("AppdataDelete", {**who, "appname": "a"}))
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "a", "appdata": {"x": 9}}))
    assert [v["version"] for v in versions(api, who, "a")] == [1]
    assert assert_ok(get_version(api, who, "a", 1))["appdata"] == {"x": 9}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "a", "appdata": {"x": 10}}))
    before = bl.db_count(vsrv, "record_versions")
    assert_ok(api.delete_user("token", tok))
    assert before == 3 and bl.db_count(vsrv, "record_versions") == 0   # profile v1 too


def test_old_versions_not_in_plaintext(vsrv):
    api = vsrv.client()
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    marker = "appver" + bl.uid()
    for i in range(3):
        assert_ok(api.v2("AppdataCreate", {**who, "appname": "a",
                                           "appdata": {"v": f"{marker}-{i}"}}))
    assert len(versions(api, who, "a")) == 3
    assert bl.scan_db(vsrv, [marker]) == []
