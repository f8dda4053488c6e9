"""/v1/user: create, get by each mode, update (merge, null, indexes), delete,
normalization, uniqueness, and bad input that must change nothing."""

import json
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, assert_uuid4, upath

MODES = ["token", "email", "phone", "login", "custom"]
INDEXED = ["email", "phone", "login", "custom"]


def ident(mode, tok, p):
    return tok if mode == "token" else p[mode]


# ---------------------------------------------------------------- create

def test_create_json_returns_uuid4_token(api):
    p = bl.profile()
    r = api.post("/v1/user", json=p)
    b = assert_ok(r)
    assert set(b) >= {"status", "token"}
    assert_uuid4(b["token"], r)
    assert "message" not in b


def test_create_trailing_slash(api):
    p = bl.profile()
    r = api.post("/v1/user/", json=p)
    b = assert_ok(r)
    assert_uuid4(b["token"], r)
    assert api.user_data("token", b["token"]) == p


def test_tokens_are_distinct(api):
    toks = {api.create_user({"fname": "T", "login": bl.login()}) for _ in range(5)}
    assert len(toks) == 5


def test_create_form_urlencoded(api):
    e, lg = bl.email(), bl.login()
    form = {"fname": "Form", "lname": "Encoded & Co", "email": e, "login": lg, "age": "41"}
    r = api.post("/v1/user", data=form)
    b = assert_ok(r)
    assert_uuid4(b["token"], r)
    # form fields become string values
    assert api.user_data("token", b["token"]) == form
    assert api.user_data("login", lg) == form


def test_create_profile_without_indexed_fields(api):
    p = {"fname": "Solo", "note": "no index " + bl.uid(), "n": 7}
    tok = api.create_user(p)
    assert api.user_data("token", tok) == p


@pytest.mark.parametrize("mode", MODES)
def test_get_by_each_mode(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    r = api.get_user(mode, ident(mode, tok, p))
    b = assert_ok(r)
    assert b["token"] == tok
    assert b["data"] == p


def test_values_with_special_characters_roundtrip(api):
    p = {
        "login": "' OR 1=1 -- " + bl.uid(),
        "custom": '"}{"x":1} ' + bl.uid(),
        "fname": "Robert'); DROP TABLE users;--",
        "lname": "\u00c9milie \U0001F600 \u05e9\u05dc\u05d5\u05dd",
        "quote": "a\"b\\c\n\t/",
        "empty": "",
        "zero": 0,
        "neg": -12.25,
        "nul": None,
        "list": [1, "two", None, {"x": [True, False]}],
    }
    tok = api.create_user(p)
    # "nul": null in a create: either stored as null or dropped; everything else exact
    data = api.user_data("token", tok)
    stored = {k: v for k, v in data.items() if k != "nul"}
    expect = {k: v for k, v in p.items() if k != "nul"}
    assert stored == expect
    assert data.get("nul") is None
    assert api.user_data("login", p["login"]) == data
    assert api.user_data("custom", p["custom"]) == data


# ---------------------------------------------------------------- normalization

def test_email_normalized_lowercase_and_trimmed(api):
    base = f"mixed.{bl.uid()}@example.com"
    tok = api.create_user({"fname": "Mixed", "email": f"  {base.upper()}  "})
    for lookup in (base, base.upper(), base.capitalize()):
        b = assert_ok(api.get_user("email", lookup))
        assert b["token"] == tok
    assert_error(api.post("/v1/user", json={"email": base}), 409)
    assert_error(api.post("/v1/user", json={"email": base.title()}), 409)


def test_phone_normalized_to_digits(api):
    d = bl.phone()
    formatted = f"+{d[0]} ({d[1:4]}) {d[4:7]}-{d[7:]}"
    tok = api.create_user({"fname": "Phone", "phone": formatted})
    for lookup in (d, formatted, f"{d[0]}-{d[1:4]}-{d[4:7]}-{d[7:]}", "+" + d):
        b = assert_ok(api.get_user("phone", lookup))
        assert b["token"] == tok, lookup
    assert_error(api.post("/v1/user", json={"phone": d}), 409)


def test_phone_example_from_spec(fresh_server):
    api = fresh_server.client()
    tok = api.create_user({"phone": "+1 (415) 555-0123"})
    assert assert_ok(api.get_user("phone", "14155550123"))["token"] == tok
    assert_error(api.post("/v1/user", json={"phone": "14155550123"}), 409)


def test_login_trimmed(api):
    lg = bl.login()
    tok = api.create_user({"fname": "Trim", "login": f"  {lg}\t"})
    assert assert_ok(api.get_user("login", lg))["token"] == tok
    assert_error(api.post("/v1/user", json={"login": lg}), 409)


# ---------------------------------------------------------------- uniqueness

@pytest.mark.parametrize("field", INDEXED)
def test_duplicate_index_is_409_and_creates_nothing(api, field):
    p = bl.profile()
    tok = api.create_user(p)
    # a second user sharing only <field>; its other indexed values are fresh
    q = bl.profile(**{field: p[field]})
    r = api.post("/v1/user", json=q)
    assert_error(r, 409)
    for other in INDEXED:
        if other != field:
            assert_not_found(api.get_user(other, q[other]))
    assert assert_ok(api.get_user(field, p[field]))["token"] == tok
    assert api.user_data("token", tok) == p


def test_invalid_email_is_400_and_creates_nothing(api):
    lg = bl.login()
    for bad in ("no-at-sign-" + bl.uid(), "@nolocal.example", "nodomain@", "two@@at.example",
                "with space@example.com"):
        r = api.post("/v1/user", json={"email": bad, "login": lg})
        assert_error(r, 400)
    assert_not_found(api.get_user("login", lg))


# ---------------------------------------------------------------- update

def test_put_merges(api):
    p = bl.profile()
    tok = api.create_user(p)
    r = api.put_user("token", tok, {"lname": "Changed", "city": "Rome"})
    b = assert_ok(r)
    assert b["token"] == tok
    expect = dict(p, lname="Changed", city="Rome")
    assert api.user_data("token", tok) == expect


def test_put_null_removes_field(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert_ok(api.put_user("token", tok, {"age": None, "address": None, "vip": False}))
    expect = {k: v for k, v in p.items() if k not in ("age", "address")}
    expect["vip"] = False
    data = api.user_data("token", tok)
    assert data == expect
    assert "age" not in data and "address" not in data


@pytest.mark.parametrize("mode", ["email", "phone", "login", "custom"])
def test_put_by_each_mode(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    r = api.put_user(mode, p[mode], {"note": "via " + mode})
    b = assert_ok(r)
    assert b["token"] == tok
    assert api.user_data("token", tok) == dict(p, note="via " + mode)


def test_put_form_urlencoded(api):
    p = bl.profile()
    tok = api.create_user(p)
    r = api.put(upath("token", tok), data={"city": "Oslo", "age": "50"})
    assert assert_ok(r)["token"] == tok
    assert api.user_data("token", tok) == dict(p, city="Oslo", age="50")


@pytest.mark.parametrize("field,newval", [
    ("email", lambda: bl.email("new")),
    ("phone", bl.phone),
    ("login", lambda: bl.login("new")),
    ("custom", lambda: bl.custom("new")),
])
def test_put_index_follows_change(api, field, newval):
    p = bl.profile()
    tok = api.create_user(p)
    old, new = p[field], newval()
    assert assert_ok(api.put_user("token", tok, {field: new}))["token"] == tok
    assert_not_found(api.get_user(field, old))
    b = assert_ok(api.get_user(field, new))
    assert b["token"] == tok
    assert b["data"] == dict(p, **{field: new})
    # the old value is free again
    tok2 = api.create_user({field: old})
    assert tok2 != tok
    assert assert_ok(api.get_user(field, old))["token"] == tok2


def test_put_null_on_indexed_field_drops_index(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert_ok(api.put_user("token", tok, {"login": None}))
    assert_not_found(api.get_user("login", p["login"]))
    data = api.user_data("token", tok)
    assert "login" not in data
    api.create_user({"login": p["login"]})  # free again


def test_put_email_normalized_index(api):
    p = bl.profile()
    tok = api.create_user(p)
    new = bl.email("upd")
    assert_ok(api.put_user("token", tok, {"email": "  " + new.upper() + " "}))
    assert assert_ok(api.get_user("email", new))["token"] == tok


@pytest.mark.parametrize("field", INDEXED)
def test_put_to_another_users_value_is_409_and_changes_nothing(api, field):
    a, b = bl.profile(), bl.profile()
    ta, tb = api.create_user(a), api.create_user(b)
    r = api.put_user("token", tb, {field: a[field], "fname": "ShouldNotApply"})
    assert_error(r, 409)
    assert api.user_data("token", tb) == b
    assert api.user_data("token", ta) == a
    assert assert_ok(api.get_user(field, a[field]))["token"] == ta
    assert assert_ok(api.get_user(field, b[field]))["token"] == tb


def test_put_invalid_email_is_400_and_changes_nothing(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert_error(api.put_user("token", tok, {"email": "not-an-email", "fname": "X"}), 400)
    assert api.user_data("token", tok) == p
    assert assert_ok(api.get_user("email", p["email"]))["token"] == tok


def test_put_unknown_user_is_404(api):
    assert_not_found(api.put_user("token", str(uuid.uuid4()), {"a": 1}))
    assert_not_found(api.put_user("email", bl.email(), {"a": 1}))
    assert_not_found(api.put_user("login", bl.login(), {"a": 1}))


# ---------------------------------------------------------------- delete

def test_delete_semantics(api):
    p = bl.profile()
    tok = api.create_user(p)
    r = api.delete_user("token", tok)
    b = assert_ok(r)
    assert b["result"] == "done"
    for mode in MODES:
        assert_not_found(api.get_user(mode, ident(mode, tok, p)))
    assert_not_found(api.put_user("token", tok, {"a": 1}))
    assert_not_found(api.delete_user("token", tok))
    # the indexed values are free again
    tok2 = api.create_user(dict(p, fname="Again"))
    assert tok2 != tok
    assert api.user_data("email", p["email"]) == dict(p, fname="Again")
    # the old token stays known to the audit
    assert_ok(api.audit_list(tok))


@pytest.mark.parametrize("mode", ["email", "phone", "login", "custom"])
def test_delete_by_each_mode(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    b = assert_ok(api.delete_user(mode, p[mode]))
    assert b["result"] == "done"
    assert_not_found(api.get_user("token", tok))
    assert_not_found(api.get_user(mode, p[mode]))
    assert_not_found(api.delete_user(mode, p[mode]))


def test_delete_unknown_user_is_404(api):
    assert_not_found(api.delete_user("token", str(uuid.uuid4())))
    assert_not_found(api.delete_user("email", bl.email()))


def test_delete_leaves_other_users_alone(api):
    a, b = bl.profile(), bl.profile()
    ta, tb = api.create_user(a), api.create_user(b)
    assert_ok(api.delete_user("token", ta))
    assert api.user_data("token", tb) == b


# ---------------------------------------------------------------- lookups that fail

@pytest.mark.parametrize("mode,identity", [
    ("token", str(uuid.uuid4())),
    ("email", "nobody." + bl.uid() + "@example.com"),
    ("phone", bl.phone()),
    ("login", "nobody-" + bl.uid()),
    ("custom", "nobody-" + bl.uid()),
])
def test_unknown_user_is_404_not_found(api, mode, identity):
    r = api.get_user(mode, identity)
    b = assert_not_found(r)
    assert b == {"status": "error", "message": "not found"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_mode_is_400(api, method):
    r = api.request(method, "/v1/user/bogus/someone",
                    json={"a": 1} if method == "PUT" else None)
    assert_error(r, 400)


@pytest.mark.parametrize("bad", ["not-a-uuid", "12345", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
                                 str(uuid.uuid4()) + "0", str(uuid.uuid4())[:-1]])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_token_not_uuid_is_400(api, method, bad):
    r = api.request(method, upath("token", bad), json={"a": 1} if method == "PUT" else None)
    assert_error(r, 400)


# ---------------------------------------------------------------- bad bodies

def _deep(levels):
    return "{" + '"a":{' * (levels - 1) + '"b":1' + "}" * levels


def bad_bodies(lg):
    """(id, bytes, content-type, expected status). Each carries login <lg>, so
    that a wrongly accepted create would be findable."""
    L = json.dumps(lg)
    return [
        ("malformed", f'{{"login":{L},"fname":'.encode(), "application/json", 400),
        ("trailing-garbage", f'{{"login":{L}}} xyz'.encode(), "application/json", 400),
        ("single-quotes", ("{'login':'" + lg + "'}").encode(), "application/json", 400),
        ("text-plain", json.dumps({"login": lg}).encode(), "text/plain", 415),
        ("octet-stream", json.dumps({"login": lg}).encode(), "application/octet-stream", 415),
        ("array", json.dumps([{"login": lg}]).encode(), "application/json", 400),
        ("string", json.dumps(lg).encode(), "application/json", 400),
        ("number", b"42", "application/json", 400),
        ("bool", b"true", "application/json", 400),
        ("invalid-utf8", f'{{"login":{L},"fname":"'.encode() + b"\xff\xfe\xc3" + b'"}',
         "application/json", 400),
        ("invalid-utf8-in-key", f'{{"login":{L},"'.encode() + b"\xc0\xaf" + b'":"x"}',
         "application/json", 400),
        ("overlong-utf8", f'{{"login":{L},"fname":"'.encode() + b"\xe0\x80\xaf" + b'"}',
         "application/json", 400),
        ("duplicate-keys", f'{{"login":{L},"fname":"a","fname":"b"}}'.encode(),
         "application/json", 400),
        ("duplicate-index-key", f'{{"login":{L},"login":{json.dumps(lg + "-2")}}}'.encode(),
         "application/json", 400),
        ("duplicate-nested-keys", f'{{"login":{L},"x":{{"k":1,"k":2}}}}'.encode(),
         "application/json", 400),
        ("deep-40", f'{{"login":{L},"x":'.encode() + _deep(40).encode() + b"}",
         "application/json", 400),
        ("deep-array-100", f'{{"login":{L},"x":'.encode() + b"[" * 100 + b"]" * 100 + b"}",
         "application/json", 400),
        ("nan", f'{{"login":{L},"n":NaN}}'.encode(), "application/json", 400),
        ("nul-in-string", f'{{"login":{L},"fname":"a\\u0000b"}}'.encode(), "application/json",
         range(200, 500)),  # may be accepted or refused, must not crash; see test
    ]


_BAD_IDS = [b[0] for b in bad_bodies("x")]


@pytest.mark.parametrize("case", _BAD_IDS)
@pytest.mark.parametrize("path", ["/v1/user", "/v1/user/"])
def test_bad_create_body_changes_nothing(api, case, path):
    lg = bl.login("bad")
    _, body, ctype, expect = next(b for b in bad_bodies(lg) if b[0] == case)
    r = api.raw("POST", path, body, ctype)
    if case == "nul-in-string":
        assert r.status_code < 500, bl.describe(r)
        if r.status_code != 200:
            assert_error(r, range(400, 500))
        assert api.status_ok()
        return
    assert_error(r, expect)
    assert_not_found(api.get_user("login", lg))
    if case == "duplicate-index-key":
        assert_not_found(api.get_user("login", lg + "-2"))
    assert api.status_ok()


@pytest.mark.parametrize("case", [c for c in _BAD_IDS if c != "nul-in-string"])
def test_bad_update_body_changes_nothing(api, case):
    p = bl.profile()
    tok = api.create_user(p)
    newlogin = bl.login("bad")
    _, body, ctype, expect = next(b for b in bad_bodies(newlogin) if b[0] == case)
    r = api.raw("PUT", upath("token", tok), body, ctype)
    assert_error(r, expect)
    assert api.user_data("token", tok) == p
    assert_not_found(api.get_user("login", newlogin))
    assert assert_ok(api.get_user("login", p["login"]))["token"] == tok


def test_form_with_invalid_email_changes_nothing(api):
    lg = bl.login()
    assert_error(api.post("/v1/user", data={"email": "bad", "login": lg}), 400)
    assert_not_found(api.get_user("login", lg))


def test_moderate_nesting_is_accepted(api):
    p = {"login": bl.login(), "x": json.loads(_deep(10))}
    tok = api.create_user(p)
    assert api.user_data("token", tok) == p


# ---------------------------------------------------------------- hostile identities

def test_empty_identity(api):
    p = bl.profile()
    tok = api.create_user(p)
    for mode in ("email", "phone", "login", "custom", "token"):
        for ident_ in ("%20", "%20%20%09"):
            r = api.get(f"/v1/user/{mode}/{ident_}")
            assert_error(r, range(400, 500))
            r = api.put(f"/v1/user/{mode}/{ident_}", json={"fname": "X"})
            assert_error(r, range(400, 500))
            r = api.delete(f"/v1/user/{mode}/{ident_}")
            assert_error(r, range(400, 500))
        r = api.get(f"/v1/user/{mode}/")
        assert_error(r, range(400, 500))
    assert api.user_data("token", tok) == p


INJECTIONS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "\" OR \"\"=\"",
    '"}',
    '{"$ne":null}',
    "admin'--",
    "1; DROP TABLE users; --",
    "*",
    "%",
    "_",
    "../../../../etc/passwd",
    "\\",
    "\\u0000",
    "a\nb",
    "<script>alert(1)</script>",
    "${jndi:ldap://x/a}",
    "user@example.com' OR 1=1 --",
]


@pytest.mark.parametrize("mode", MODES)
def test_injection_identities_are_4xx(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    for s in INJECTIONS:
        for method in ("GET", "PUT", "DELETE"):
            r = api.request(method, upath(mode, s),
                            json={"fname": "Injected"} if method == "PUT" else None)
            assert 400 <= r.status_code < 500, bl.describe(r)
            assert_error(r, range(400, 500))
    # raw %00 (a NUL byte after decoding) and %2500 (a literal "%00")
    for raw in ("%00", "abc%00def", "%2500", "%00%27%20OR%201%3D1"):
        for method in ("GET", "DELETE"):
            r = api.request(method, f"/v1/user/{mode}/{raw}")
            assert_error(r, range(400, 500))
    assert api.status_ok()
    assert api.user_data("token", tok) == p


def test_injection_in_v2_identity_is_4xx(api):
    p = bl.profile()
    tok = api.create_user(p)
    for mode in MODES:
        for s in INJECTIONS + ["\x00", "a\x00b"]:
            for op in ("UserGet", "UserDelete"):
                r = api.v2(op, {"mode": mode, "identity": s})
                assert_error(r, range(400, 500))
            r = api.v2("UserUpdate", {"mode": mode, "identity": s, "profile": {"fname": "X"}})
            assert_error(r, range(400, 500))
    assert api.status_ok()
    assert api.user_data("token", tok) == p


def test_identity_wildcards_do_not_match(api):
    """A LIKE-style wildcard must not find an existing user."""
    p = bl.profile()
    api.create_user(p)
    local = p["email"].split("@")[0]
    for pattern in ("%@example.com", local[:-1] + "_@example.com", "*@example.com"):
        r = api.get_user("email", pattern)
        assert_error(r, range(400, 500))
    for pattern in (p["login"][:-1] + "%", p["login"][:-1] + "_", "%"):
        assert_not_found(api.get_user("login", pattern))


# ---------------------------------------------------------------- more edges

def test_put_empty_object_changes_nothing(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert assert_ok(api.put_user("token", tok, {}))["token"] == tok
    assert api.user_data("token", tok) == p


def test_put_own_indexed_value_again_is_not_a_conflict(api):
    p = bl.profile()
    tok = api.create_user(p)
    r = api.put_user("token", tok, {"email": p["email"].upper(), "login": p["login"],
                                    "phone": "+" + p["phone"], "custom": p["custom"]})
    assert assert_ok(r)["token"] == tok
    assert assert_ok(api.get_user("email", p["email"]))["token"] == tok
    assert assert_ok(api.get_user("phone", p["phone"]))["token"] == tok


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "application/json;charset=UTF-8",
                                   "Application/JSON"])
def test_json_content_type_variants_accepted(api, ctype):
    p = {"login": bl.login(), "fname": "Ctype"}
    r = api.raw("POST", "/v1/user", json.dumps(p).encode(), ctype)
    tok = assert_ok(r)["token"]
    assert api.user_data("token", tok) == p


def test_form_with_invalid_utf8_is_400(api):
    lg = bl.login()
    r = api.raw("POST", "/v1/user", f"login={lg}&fname=%FF%FE".encode(),
                "application/x-www-form-urlencoded")
    assert_error(r, 400)
    assert_not_found(api.get_user("login", lg))


def test_chunked_body_accepted(api):
    p = {"login": bl.login("chunk"), "fname": "Chunked"}
    data = json.dumps(p).encode()

    def gen():
        for i in range(0, len(data), 7):
            yield data[i:i + 7]

    r = api.request("POST", "/v1/user", data=gen(), headers={"Content-Type": "application/json"})
    tok = assert_ok(r)["token"]
    assert api.user_data("token", tok) == p
