"""/v2 UserCreate, UserGet, UserUpdate, UserDelete."""

import json
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, assert_uuid4

MODES = ["token", "email", "phone", "login", "custom"]
INDEXED = ["email", "phone", "login", "custom"]


def v2_create(api, p):
    r = api.v2("UserCreate", {"profile": p})
    b = assert_ok(r)
    assert_uuid4(b.get("token"), r)
    return b["token"]


def v2_get(api, mode, identity):
    return api.v2("UserGet", {"mode": mode, "identity": identity})


def v2_profile(api, mode, identity):
    r = v2_get(api, mode, identity)
    b = assert_ok(r)
    return b["profile"]


def ident(mode, tok, p):
    return tok if mode == "token" else p[mode]


def test_create_returns_token(api):
    r = api.v2("UserCreate", {"profile": bl.profile()})
    b = assert_ok(r)
    assert_uuid4(b["token"], r)
    assert "message" not in b


@pytest.mark.parametrize("mode", MODES)
def test_get_by_each_mode(api, mode):
    p = bl.profile()
    tok = v2_create(api, p)
    r = v2_get(api, mode, ident(mode, tok, p))
    b = assert_ok(r)
    assert b["token"] == tok
    assert b["profile"] == p


def test_get_ignores_unknown_fields_and_null_optionals(api):
    p = bl.profile()
    tok = v2_create(api, p)
    r = api.v2("UserGet", {"mode": "token", "identity": tok, "request_metadata": None,
                           "somethingelse": 1})
    assert assert_ok(r)["profile"] == p


def test_v1_and_v2_see_the_same_records(api):
    p1, p2 = bl.profile(), bl.profile()
    t1 = api.create_user(p1)
    t2 = v2_create(api, p2)
    assert v2_profile(api, "email", p1["email"]) == p1
    assert api.user_data("login", p2["login"]) == p2
    assert assert_ok(v2_get(api, "token", t1))["token"] == t1
    assert assert_ok(api.get_user("token", t2))["token"] == t2


def test_update_merges_and_null_removes(api):
    p = bl.profile()
    tok = v2_create(api, p)
    r = api.v2("UserUpdate", {"mode": "token", "identity": tok,
                              "profile": {"lname": "Merged", "city": "Lima", "age": None}})
    b = assert_ok(r)
    assert b["status"] == "ok"
    expect = {k: v for k, v in p.items() if k != "age"}
    expect.update(lname="Merged", city="Lima")
    assert v2_profile(api, "token", tok) == expect


@pytest.mark.parametrize("mode", ["email", "phone", "login", "custom"])
def test_update_by_each_mode(api, mode):
    p = bl.profile()
    tok = v2_create(api, p)
    assert_ok(api.v2("UserUpdate", {"mode": mode, "identity": p[mode],
                                    "profile": {"note": "v2 " + mode}}))
    assert v2_profile(api, "token", tok) == dict(p, note="v2 " + mode)


def test_update_index_follows(api):
    p = bl.profile()
    tok = v2_create(api, p)
    new = bl.email("v2new")
    assert_ok(api.v2("UserUpdate", {"mode": "email", "identity": p["email"],
                                    "profile": {"email": new}}))
    assert_not_found(v2_get(api, "email", p["email"]))
    assert assert_ok(v2_get(api, "email", new))["token"] == tok


@pytest.mark.parametrize("field", INDEXED)
def test_update_conflict_is_409_and_changes_nothing(api, field):
    a, b = bl.profile(), bl.profile()
    ta, tb = v2_create(api, a), v2_create(api, b)
    r = api.v2("UserUpdate", {"mode": "token", "identity": tb,
                              "profile": {field: a[field], "fname": "Nope"}})
    assert_error(r, 409)
    assert v2_profile(api, "token", tb) == b
    assert v2_profile(api, "token", ta) == a


@pytest.mark.parametrize("field", INDEXED)
def test_create_duplicate_is_409(api, field):
    p = bl.profile()
    tok = v2_create(api, p)
    q = bl.profile(**{field: p[field]})
    assert_error(api.v2("UserCreate", {"profile": q}), 409)
    other = "login" if field != "login" else "email"
    assert_not_found(v2_get(api, other, q[other]))
    assert v2_profile(api, "token", tok) == p


def test_delete(api):
    p = bl.profile()
    tok = v2_create(api, p)
    r = api.v2("UserDelete", {"mode": "login", "identity": p["login"]})
    assert assert_ok(r)["status"] == "ok"
    for mode in MODES:
        assert_not_found(v2_get(api, mode, ident(mode, tok, p)))
    assert_not_found(api.v2("UserDelete", {"mode": "token", "identity": tok}))
    assert_not_found(api.v2("UserUpdate", {"mode": "token", "identity": tok,
                                           "profile": {"a": 1}}))
    # values free again
    tok2 = v2_create(api, p)
    assert tok2 != tok


@pytest.mark.parametrize("op,body", [
    ("UserGet", {"mode": "token", "identity": None}),
    ("UserGet", {"mode": "email", "identity": "nobody.{u}@example.com"}),
    ("UserGet", {"mode": "login", "identity": "nobody-{u}"}),
    ("UserGet", {"mode": "phone", "identity": "1999{u}"}),
    ("UserGet", {"mode": "custom", "identity": "nobody-{u}"}),
    ("UserUpdate", {"mode": "token", "identity": None, "profile": {"a": 1}}),
    ("UserUpdate", {"mode": "login", "identity": "nobody-{u}", "profile": {"a": 1}}),
    ("UserDelete", {"mode": "token", "identity": None}),
    ("UserDelete", {"mode": "email", "identity": "nobody.{u}@example.com"}),
])
def test_unknown_user_is_404(api, op, body):
    body = dict(body)
    if body["identity"] is None:
        body["identity"] = str(uuid.uuid4())
    else:
        digits = "".join(c for c in uuid.uuid4().hex if c.isdigit())[:6].ljust(6, "0")
        body["identity"] = body["identity"].replace(
            "{u}", digits if body["mode"] == "phone" else bl.uid())
    assert_not_found(api.v2(op, body))


BAD_REQUESTS = [
    ("UserCreate", {}),
    ("UserCreate", {"profile": None}),
    ("UserCreate", {"profile": "john"}),
    ("UserCreate", {"profile": ["john"]}),
    ("UserCreate", {"profile": 42}),
    ("UserCreate", {"profile": True}),
    ("UserCreate", {"login": "flat-not-wrapped"}),
    ("UserGet", {}),
    ("UserGet", {"mode": "token"}),
    ("UserGet", {"identity": "x"}),
    ("UserGet", {"mode": "bogus", "identity": "x"}),
    ("UserGet", {"mode": "token", "identity": "not-a-uuid"}),
    ("UserGet", {"mode": 1, "identity": "x"}),
    ("UserGet", {"mode": "login", "identity": 5}),
    ("UserGet", {"mode": "login", "identity": ""}),
    ("UserGet", {"mode": "email", "identity": "no-at-sign"}),
    ("UserUpdate", {"mode": "token", "identity": "<tok>"}),
    ("UserUpdate", {"mode": "token", "identity": "<tok>", "profile": None}),
    ("UserUpdate", {"mode": "token", "identity": "<tok>", "profile": "x"}),
    ("UserUpdate", {"mode": "token", "identity": "<tok>", "profile": [{"fname": "x"}]}),
    ("UserUpdate", {"identity": "<tok>", "profile": {"fname": "x"}}),
    ("UserUpdate", {"mode": "token", "profile": {"fname": "x"}}),
    ("UserUpdate", {"mode": "bogus", "identity": "<tok>", "profile": {"fname": "x"}}),
    ("UserUpdate", {"mode": "token", "identity": "<tok>", "profile": {"email": "bad"}}),
    ("UserDelete", {}),
    ("UserDelete", {"mode": "token"}),
    ("UserDelete", {"identity": "<tok>"}),
    ("UserDelete", {"mode": "bogus", "identity": "<tok>"}),
]


@pytest.mark.parametrize("op,body", BAD_REQUESTS,
                         ids=[f"{op}-{json.dumps(b)}" for op, b in BAD_REQUESTS])
def test_bad_request_is_400_and_changes_nothing(api, op, body):
    p = bl.profile()
    tok = v2_create(api, p)
    body = json.loads(json.dumps(body).replace("<tok>", tok))
    r = api.v2(op, body)
    assert_error(r, 400)
    assert v2_profile(api, "token", tok) == p
    if op == "UserCreate":
        assert_not_found(v2_get(api, "login", "flat-not-wrapped"))


@pytest.mark.parametrize("op", ["UserCreate", "UserGet", "UserUpdate", "UserDelete"])
def test_bad_bodies(api, op):
    p = bl.profile()
    tok = v2_create(api, p)
    lg = bl.login()
    body = {"mode": "token", "identity": tok, "profile": {"login": lg}}
    good = json.dumps(body)
    cases = [
        (good[:-3].encode(), "application/json", 400),
        (good.encode(), "text/plain", 415),
        (json.dumps([body]).encode(), "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (good[:-1].encode() + b',"x":"\xff"}', "application/json", 400),
        (good[:-1].encode() + b',"mode":"login"}', "application/json", 400),
        (good[:-1].encode() + b',"x":' + b"[" * 50 + b"]" * 50 + b"}", "application/json", 400),
    ]
    for raw, ctype, code in cases:
        r = api.raw("POST", f"/v2/{op}", raw, ctype)
        assert_error(r, code)
    assert v2_profile(api, "token", tok) == p
    assert_not_found(v2_get(api, "login", lg))
    assert api.status_ok()


def test_json_body_labelled_as_form_is_read_as_json(api):
    """The Pro spec's curl examples send JSON with curl -d, labelled as a form."""
    p = bl.profile()
    r = api.raw("POST", "/v2/UserCreate", json.dumps({"profile": p}).encode(),
                "application/x-www-form-urlencoded")
    assert r.status_code == 200, r.text
    tok = r.json()["token"]
    assert v2_profile(api, "token", tok) == p
