"""/v2 UserPatch: RFC 6902 JSON Patch on a user's profile."""

import json

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok

MODES = ["token", "email", "phone", "login", "custom"]


def create(api, p):
    return api.create_user(p)


def patch(api, mode, identity, ops, **kw):
    return api.v2("UserPatch", {"mode": mode, "identity": identity, "patch": ops}, **kw)


def profile_of(api, tok):
    return bl.jbody(api.v2("UserGet", {"mode": "token", "identity": tok}))["profile"]


def ident(mode, tok, p):
    return tok if mode == "token" else p[mode]


@pytest.mark.parametrize("mode", MODES)
def test_patch_by_each_mode(api, mode):
    p = bl.profile()
    tok = create(api, p)
    r = patch(api, mode, ident(mode, tok, p), [
        {"op": "add", "path": "/city", "value": "Oslo"},
        {"op": "replace", "path": "/fname", "value": "Patched"},
        {"op": "remove", "path": "/age"},
    ])
    b = assert_ok(r)
    assert b == {"status": "ok", "token": tok}
    want = dict(p, city="Oslo", fname="Patched")
    del want["age"]
    assert profile_of(api, tok) == want


# ---- RFC 6902 appendix A through the API (the profile is the document)

def test_rfc_a1_add_member(api):
    tok = create(api, {"foo": "bar"})
    assert_ok(patch(api, "token", tok, [{"op": "add", "path": "/baz", "value": "qux"}]))
    assert profile_of(api, tok) == {"foo": "bar", "baz": "qux"}


def test_rfc_a4_remove_array_element(api):
    tok = create(api, {"foo": ["bar", "qux", "baz"]})
    assert_ok(patch(api, "token", tok, [{"op": "remove", "path": "/foo/1"}]))
    assert profile_of(api, tok) == {"foo": ["bar", "baz"]}


def test_rfc_a6_move_value(api):
    tok = create(api, {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}})
    assert_ok(patch(api, "token", tok, [{"op": "move", "from": "/foo/waldo",
                                         "path": "/qux/thud"}]))
    assert profile_of(api, tok) == {"foo": {"bar": "baz"},
                                    "qux": {"corge": "grault", "thud": "fred"}}


def test_rfc_a8_test_success(api):
    doc = {"baz": "qux", "foo": ["a", 2, "c"]}
    tok = create(api, doc)
    assert_ok(patch(api, "token", tok, [{"op": "test", "path": "/baz", "value": "qux"},
                                        {"op": "test", "path": "/foo/1", "value": 2}]))
    assert profile_of(api, tok) == doc


def test_rfc_a9_failed_test_changes_nothing(api):
    tok = create(api, {"baz": "qux", "n": 1})
    r = patch(api, "token", tok, [{"op": "replace", "path": "/n", "value": 2},
                                  {"op": "test", "path": "/baz", "value": "bar"}])
    b = assert_error(r, 400)
    assert b["message"] == "patch[1] (test) failed: values differ"
    assert profile_of(api, tok) == {"baz": "qux", "n": 1}


def test_rfc_a12_add_to_nonexistent_target(api):
    tok = create(api, {"foo": "bar"})
    r = patch(api, "token", tok, [{"op": "add", "path": "/baz/bat", "value": "qux"}])
    b = assert_error(r, 400)
    assert b["message"] == "patch[0] (add) failed: the target's parent does not exist"
    assert profile_of(api, tok) == {"foo": "bar"}


def test_rfc_a13_two_op_members_refused(api):
    tok = create(api, {"foo": "bar"})
    body = ('{"mode":"token","identity":"%s","patch":'
            '[{"op":"add","path":"/baz","value":"qux","op":"remove"}]}' % tok)
    r = api.raw("POST", "/v2/UserPatch", body)
    assert_error(r, 400)
    assert profile_of(api, tok) == {"foo": "bar"}


def test_rfc_a15_string_is_not_number(api):
    tok = create(api, {"/": 9, "~1": 10})
    assert_ok(patch(api, "token", tok, [{"op": "test", "path": "/~01", "value": 10}]))
    r = patch(api, "token", tok, [{"op": "test", "path": "/~01", "value": "10"}])
    assert assert_error(r, 400)["message"] == "patch[0] (test) failed: values differ"


def test_rfc_a16_add_array_value(api):
    tok = create(api, {"foo": ["bar"]})
    assert_ok(patch(api, "token", tok, [{"op": "add", "path": "/foo/-",
                                         "value": ["abc", "def"]}]))
    assert profile_of(api, tok) == {"foo": ["bar", ["abc", "def"]]}


# ---- indexes follow the patch

def test_patch_moves_indexes(api):
    p = bl.profile()
    tok = create(api, p)
    new_email = bl.email("patched")
    assert_ok(patch(api, "email", p["email"], [
        {"op": "replace", "path": "/email", "value": new_email},
        {"op": "remove", "path": "/login"},
    ]))
    assert_not_found(api.get_user("email", p["email"]))
    assert_not_found(api.get_user("login", p["login"]))
    assert assert_ok(api.get_user("email", new_email))["token"] == tok


def test_patch_duplicate_email_409_changes_nothing(api):
    a, b = bl.profile(), bl.profile()
    create(api, a)
    tok = create(api, b)
    r = patch(api, "token", tok, [{"op": "replace", "path": "/email", "value": a["email"]}])
    assert assert_error(r, 409)["message"] == "user with this email already exists"
    assert profile_of(api, tok) == b


def test_patch_invalid_index_value_400(api):
    p = bl.profile()
    tok = create(api, p)
    r = patch(api, "token", tok, [{"op": "replace", "path": "/email", "value": "not-an-email"}])
    assert_error(r, 400)
    assert profile_of(api, tok) == p


# ---- refusals

@pytest.mark.parametrize("ops", [
    [{"op": "replace", "path": "", "value": [1, 2]}],
    [{"op": "replace", "path": "", "value": "text"}],
    [{"op": "add", "path": "", "value": None}],
])
def test_profile_must_stay_an_object(api, ops):
    p = bl.profile()
    tok = create(api, p)
    b = assert_error(patch(api, "token", tok, ops), 400)
    assert b["message"] == "patched user profile must be a JSON object"
    assert profile_of(api, tok) == p


def test_replace_whole_profile_with_object(api):
    p = bl.profile()
    tok = create(api, p)
    assert_ok(patch(api, "token", tok, [{"op": "replace", "path": "", "value": {"x": 1}}]))
    assert profile_of(api, tok) == {"x": 1}
    assert_not_found(api.get_user("email", p["email"]))


@pytest.mark.parametrize("body,msg", [
    ({"mode": "token"}, "missing patch"),
    ({"mode": "token", "patch": {"op": "add"}}, "patch must be an array of operations"),
    ({"mode": "token", "patch": "[]"}, "patch must be an array of operations"),
    ({"mode": "token", "patch": [{"op": "merge", "path": "/a"}]},
     "patch[0] (?) failed: unknown \"op\" (use add, remove, replace, move, copy or test)"),
    ({"mode": "token", "patch": [{"op": "add", "path": "/a", "value": 1},
                                 {"op": "add", "path": "a", "value": 1}]},
     "patch[1] (add) failed: a JSON pointer must be empty or start with '/'"),
    ({"mode": "token", "patch": [{"op": "remove", "path": "/a/01"}]},
     "patch[0] (remove) failed: the target does not exist"),
    ({"mode": "token", "patch": [{"op": "copy", "path": "/a"}]},
     "patch[0] (copy) failed: missing \"from\""),
    ({"mode": "token", "patch": [{"op": "add", "path": "/a"}]},
     "patch[0] (add) failed: missing \"value\""),
    ({"mode": "token", "patch": [{"op": "remove", "path": "/a~2"}]},
     "patch[0] (remove) failed: bad '~' escape in a JSON pointer (use ~0 or ~1)"),
])
def test_bad_patches_400(api, body, msg):
    tok = create(api, {"a": [1, 2]})
    body = dict(body, identity=tok)
    b = assert_error(api.v2("UserPatch", body), 400)
    assert b["message"] == msg
    assert profile_of(api, tok) == {"a": [1, 2]}


def test_too_many_operations_413(api):
    tok = create(api, {"a": 0})
    ok_ops = [{"op": "replace", "path": "/a", "value": i} for i in range(1000)]
    assert_ok(patch(api, "token", tok, ok_ops))
    assert profile_of(api, tok) == {"a": 999}
    b = assert_error(patch(api, "token", tok, ok_ops + [{"op": "test", "path": "/a",
                                                          "value": 999}]), 413)
    assert b["message"] == "patch has more than 1000 operations"
    assert profile_of(api, tok) == {"a": 999}


def test_copy_growth_refused(api):
    tok = create(api, {"a": "x" * 50})
    ops = [{"op": "copy", "from": "", "path": "/b" if i % 2 else "/c"} for i in range(60)]
    b = assert_error(patch(api, "token", tok, ops), 413)
    assert "too large" in b["message"]
    assert profile_of(api, tok) == {"a": "x" * 50}


def test_unknown_user_404(api):
    assert_not_found(patch(api, "email", bl.email("nobody"), []))
    assert_not_found(patch(api, "token", "00000000-0000-4000-8000-000000000000", []))


def test_bad_mode_and_identity_400(api):
    assert_error(patch(api, "nosuch", "x", []), 400)
    assert_error(patch(api, "token", "not-a-uuid", []), 400)
    assert_error(api.v2("UserPatch", {"identity": "x", "patch": []}), 400)


def test_deleted_user_404(api):
    tok = create(api, bl.profile())
    assert_ok(api.delete_user("token", tok))
    assert_not_found(patch(api, "token", tok, [{"op": "add", "path": "/a", "value": 1}]))


@pytest.mark.parametrize("token", [None, "", "00000000-0000-4000-8000-000000000000", "DEMO"])
def test_auth_403(api, token):
    tok = create(api, {"a": 1})
    r = patch(api, "token", tok, [{"op": "add", "path": "/b", "value": 1}], token=token)
    assert_error(r, 403)
    assert profile_of(api, tok) == {"a": 1}


def test_audited_with_before_and_after(api):
    tok = create(api, {"a": 1})
    assert_ok(patch(api, "token", tok, [{"op": "add", "path": "/b", "value": 2}]))
    assert_error(patch(api, "token", tok, [{"op": "test", "path": "/a", "value": 3}]), 400)
    rows = api.audit_rows(tok)["rows"]
    titles = [r["title"] for r in rows]
    assert titles[:3] == ["UserPatch", "UserPatch", "UserCreate"]
    assert rows[0]["status"] == "error"
    assert rows[1]["status"] == "ok"
    ev = assert_ok(api.audit_get(rows[1]["atoken"]))["event"]
    assert bl.maybe_json(ev["before"]) == {"a": 1}
    assert bl.maybe_json(ev["after"]) == {"a": 1, "b": 2}


def test_v2_form_labelled_json_body(api):
    tok = create(api, {"a": 1})
    body = json.dumps({"mode": "token", "identity": tok,
                       "patch": [{"op": "add", "path": "/b", "value": 2}]})
    assert_ok(api.raw("POST", "/v2/UserPatch", body, ctype="application/x-www-form-urlencoded"))
    assert profile_of(api, tok) == {"a": 1, "b": 2}
