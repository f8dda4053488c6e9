"""Data-subject requests with approval: /v2 UserDeleteRequest,
UserUpdateRequest, UserPatchRequest, UserRequestGet, UserRequestListUserRequests,
UserRequestApprove, UserRequestCancel, and the released /v1 routes
/v1/request/{request} and /v1/requests[/{mode}/{identity}]."""

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, assert_uuid4

MODES = ["token", "email", "phone", "login", "custom"]
NOSUCH = "00000000-0000-4000-8000-000000000000"


def ident(mode, tok, p):
    return tok if mode == "token" else p[mode]


def profile_of(api, tok):
    return assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))["profile"]


def new_request(api, op, body):
    r = api.v2(op, body)
    b = assert_ok(r)
    assert set(b) == {"status", "requestuuid"}, bl.describe(r)
    assert_uuid4(b["requestuuid"], r)
    return b["requestuuid"]


def update_request(api, mode, identity, prof):
    return new_request(api, "UserUpdateRequest", {"mode": mode, "identity": identity,
                                                  "profile": prof})


def patch_request(api, mode, identity, ops):
    return new_request(api, "UserPatchRequest", {"mode": mode, "identity": identity,
                                                 "patch": ops})


def delete_request(api, mode, identity):
    return new_request(api, "UserDeleteRequest", {"mode": mode, "identity": identity})


def get(api, rt):
    r = api.v2("UserRequestGet", {"requestuuid": rt})
    b = assert_ok(r)
    assert set(b) == {"status", "request"}, bl.describe(r)
    return b["request"]


def approve(api, rt, **kw):
    return api.v2("UserRequestApprove", dict({"requestuuid": rt}, **kw))


def cancel(api, rt, **kw):
    return api.v2("UserRequestCancel", dict({"requestuuid": rt}, **kw))


def user_list(api, mode, identity, **kw):
    return api.v2("UserRequestListUserRequests", dict({"mode": mode, "identity": identity}, **kw))


def audit_titles(api, tok):
    return [r["title"] for r in api.audit_rows(tok)["rows"]]


# ---- the full flow, per request type

@pytest.mark.parametrize("mode", MODES)
def test_update_request_flow(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    change = {"fname": "Changed", "age": None, "extra": {"k": [1, 2]}}
    rt = update_request(api, mode, ident(mode, tok, p), change)
    # nothing applied yet
    assert profile_of(api, tok) == p
    # listed for the user, newest first, without the change
    b = assert_ok(user_list(api, mode, ident(mode, tok, p)))
    assert b["total"] == 1
    row = b["rows"][0]
    assert row["requestuuid"] == rt
    assert row["requesttype"] == "change-profile"
    assert row["token"] == tok
    assert row["status"] == "open"
    assert isinstance(row["creationtime"], int) and row["when"] >= row["creationtime"]
    assert "change" not in row
    # the request with its change and the current profile
    req = get(api, rt)
    assert req["requestuuid"] == rt
    assert req["requesttype"] == "change-profile"
    assert req["token"] == tok
    assert req["status"] == "open"
    assert req["change"] == change
    assert req["original"] == p
    assert req["reason"] is None
    # approve applies it exactly as UserUpdate would
    r = approve(api, rt)
    assert assert_ok(r) == {"status": "ok"}
    want = dict(p, fname="Changed", extra={"k": [1, 2]})
    del want["age"]
    assert profile_of(api, tok) == want
    req = get(api, rt)
    assert req["status"] == "approved"
    assert req["change"] == change
    # once only
    b = assert_error(approve(api, rt), 409)
    assert b["message"] == "request is already approved"
    assert profile_of(api, tok) == want
    titles = audit_titles(api, tok)
    for t in ("UserUpdateRequest", "UserRequestListUserRequests", "UserRequestGet",
              "UserRequestApprove", "UserUpdate"):
        assert t in titles, titles


def test_update_request_moves_indexes(api):
    p = bl.profile()
    tok = api.create_user(p)
    new_email = bl.email("approved")
    rt = update_request(api, "token", tok, {"email": new_email})
    assert_ok(approve(api, rt))
    assert_not_found(api.get_user("email", p["email"]))
    assert assert_ok(api.get_user("email", new_email))["token"] == tok


@pytest.mark.parametrize("mode", MODES)
def test_patch_request_flow(api, mode):
    p = bl.profile(tags=["a", "b"])
    tok = api.create_user(p)
    ops = [{"op": "test", "path": "/fname", "value": p["fname"]},
           {"op": "add", "path": "/tags/-", "value": "c"},
           {"op": "remove", "path": "/custom"}]
    rt = patch_request(api, mode, ident(mode, tok, p), ops)
    assert profile_of(api, tok) == p
    req = get(api, rt)
    assert req["requesttype"] == "patch-profile"
    assert req["change"] == ops
    assert req["status"] == "open"
    assert_ok(approve(api, rt))
    want = dict(p, tags=["a", "b", "c"])
    del want["custom"]
    assert profile_of(api, tok) == want
    assert_not_found(api.get_user("custom", p["custom"]))
    assert_error(approve(api, rt), 409)
    assert "UserPatch" in audit_titles(api, tok)


@pytest.mark.parametrize("mode", MODES)
def test_delete_request_flow(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    rt = delete_request(api, mode, ident(mode, tok, p))
    assert profile_of(api, tok) == p
    row = assert_ok(user_list(api, mode, ident(mode, tok, p)))["rows"][0]
    assert row["requesttype"] == "forget-me"
    req = get(api, rt)
    assert req["status"] == "open"
    assert req["change"] is None
    assert req["original"] == p
    assert_ok(approve(api, rt, reason="verified by phone"))
    # the user is forgotten
    assert_not_found(api.v2("UserGet", {"mode": "token", "identity": tok}))
    if mode != "token":
        assert_not_found(api.get_user(mode, p[mode]))
    # the request stays as the record of it: metadata only
    req = get(api, rt)
    assert req["status"] == "approved"
    assert req["token"] == tok
    assert req["change"] is None and req["original"] is None and req["reason"] is None
    assert assert_error(approve(api, rt), 409)["message"] == "request is already approved"
    assert_error(cancel(api, rt), 409)
    # listed by token still
    b = assert_ok(user_list(api, "token", tok))
    assert [r["requestuuid"] for r in b["rows"]] == [rt]
    assert b["rows"][0]["status"] == "approved"
    titles = audit_titles(api, tok)
    assert "UserDelete" in titles and "UserRequestApprove" in titles


def test_delete_request_twice_answers_the_open_one(api):
    tok = api.create_user(bl.profile())
    rt = delete_request(api, "token", tok)
    assert delete_request(api, "token", tok) == rt
    assert assert_ok(user_list(api, "token", tok))["total"] == 1
    assert_ok(cancel(api, rt))
    rt2 = delete_request(api, "token", tok)
    assert rt2 != rt


def test_forget_me_removes_other_requests(api):
    tok = api.create_user(bl.profile())
    upd = update_request(api, "token", tok, {"a": 1})
    can = update_request(api, "token", tok, {"a": 2})
    assert_ok(cancel(api, can))
    dele = delete_request(api, "token", tok)
    assert_ok(approve(api, dele))
    assert_not_found(api.v2("UserRequestGet", {"requestuuid": upd}))
    assert_not_found(api.v2("UserRequestGet", {"requestuuid": can}))
    assert get(api, dele)["status"] == "approved"
    b = assert_ok(user_list(api, "token", tok))
    assert b["total"] == 1 and b["rows"][0]["requestuuid"] == dele


def test_direct_delete_removes_requests(api):
    tok = api.create_user(bl.profile())
    upd = update_request(api, "token", tok, {"a": 1})
    dele = delete_request(api, "token", tok)
    assert_ok(api.delete_user("token", tok))
    for rt in (upd, dele):
        assert_not_found(api.v2("UserRequestGet", {"requestuuid": rt}))
        assert_not_found(approve(api, rt))
        assert_not_found(cancel(api, rt))
    assert assert_ok(user_list(api, "token", tok))["total"] == 0


# ---- approval that fails leaves the request open

def test_approve_duplicate_email_409_stays_open(api):
    a, b = bl.profile(), bl.profile()
    tok = api.create_user(a)
    taken = bl.email("taken")
    rt = update_request(api, "token", tok, {"email": taken, "fname": "New"})
    other = api.create_user(dict(b, email=taken))
    r = approve(api, rt)
    assert assert_error(r, 409)["message"] == "user with this email already exists"
    assert profile_of(api, tok) == a
    assert get(api, rt)["status"] == "open"
    rows = api.audit_rows(tok)["rows"]
    failed = [x for x in rows if x["title"] == "UserRequestApprove"]
    assert failed and failed[0]["status"] == "error"
    # once the email is free again the same request goes through
    assert_ok(api.put_user("token", other, {"email": bl.email("moved")}))
    assert_ok(approve(api, rt))
    assert profile_of(api, tok) == dict(a, email=taken, fname="New")


def test_approve_patch_whose_test_now_fails_400_stays_open(api):
    tok = api.create_user({"n": 1})
    rt = patch_request(api, "token", tok, [{"op": "test", "path": "/n", "value": 1},
                                           {"op": "replace", "path": "/n", "value": 5}])
    assert_ok(api.put_user("token", tok, {"n": 2}))
    b = assert_error(approve(api, rt), 400)
    assert b["message"] == "patch[0] (test) failed: values differ"
    assert get(api, rt)["status"] == "open"
    assert profile_of(api, tok) == {"n": 2}
    assert_ok(api.put_user("token", tok, {"n": 1}))
    assert_ok(approve(api, rt))
    assert profile_of(api, tok) == {"n": 5}


def test_approve_patch_making_profile_not_object_400(api):
    tok = api.create_user({"n": 1})
    rt = patch_request(api, "token", tok, [{"op": "replace", "path": "", "value": [1]}])
    b = assert_error(approve(api, rt), 400)
    assert b["message"] == "patched user profile must be a JSON object"
    assert get(api, rt)["status"] == "open"


# ---- cancel

def test_cancel_with_reason(api):
    p = bl.profile()
    tok = api.create_user(p)
    rt = update_request(api, "token", tok, {"fname": "Nope"})
    assert assert_ok(cancel(api, rt, reason="not the data subject")) == {"status": "ok"}
    req = get(api, rt)
    assert req["status"] == "cancelled"
    assert req["reason"] == "not the data subject"
    assert req["change"] == {"fname": "Nope"}
    assert assert_error(approve(api, rt), 409)["message"] == "request is cancelled"
    assert assert_error(cancel(api, rt), 409)["message"] == "request is cancelled"
    assert profile_of(api, tok) == p
    rows = [r for r in api.audit_rows(tok)["rows"] if r["title"] != "UserGet"]
    assert [(r["title"], r["status"]) for r in rows[:3]] == [
        ("UserRequestCancel", "error"), ("UserRequestApprove", "error"),
        ("UserRequestGet", "ok")]
    assert rows[0]["msg"] == "request is cancelled"
    assert ("UserRequestCancel", "ok") in [(r["title"], r["status"]) for r in rows]


def test_cancel_without_reason(api):
    tok = api.create_user(bl.profile())
    rt = delete_request(api, "token", tok)
    assert_ok(cancel(api, rt))
    req = get(api, rt)
    assert req["status"] == "cancelled" and req["reason"] is None
    assert profile_of(api, tok)


def test_approve_reason_kept(api):
    tok = api.create_user({"a": 1})
    rt = update_request(api, "token", tok, {"a": 2})
    assert_ok(approve(api, rt, reason="checked ID"))
    assert get(api, rt)["reason"] == "checked ID"


# ---- listing and paging

def test_list_paging(api):
    tok = api.create_user(bl.profile())
    rts = [update_request(api, "token", tok, {"n": i}) for i in range(3)]
    b = assert_ok(user_list(api, "token", tok, limit=2))
    assert b["total"] == 3
    assert [r["requestuuid"] for r in b["rows"]] == [rts[2], rts[1]]
    b = assert_ok(user_list(api, "token", tok, offset=2, limit=2))
    assert b["total"] == 3
    assert [r["requestuuid"] for r in b["rows"]] == [rts[0]]
    b = assert_ok(user_list(api, "token", tok, offset=5))
    assert b == {"status": "ok", "total": 3, "rows": []}


def test_list_empty(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert assert_ok(user_list(api, "email", p["email"])) == {"status": "ok", "total": 0,
                                                              "rows": []}
    assert tok


@pytest.mark.parametrize("extra", [{"offset": -1}, {"limit": 0}, {"limit": 1001},
                                   {"offset": "x"}, {"limit": [1]}])
def test_list_bad_paging_400(api, extra):
    tok = api.create_user(bl.profile())
    assert_error(user_list(api, "token", tok, **extra), 400)


# ---- 404, 400, 501

def test_unknown_request_404(api):
    for op in ("UserRequestGet", "UserRequestApprove", "UserRequestCancel"):
        assert_not_found(api.v2(op, {"requestuuid": NOSUCH}))
    assert_not_found(api.get(f"/v1/request/{NOSUCH}"))
    assert_not_found(api.post(f"/v1/request/{NOSUCH}"))
    assert_not_found(api.delete(f"/v1/request/{NOSUCH}"))


def test_unknown_user_404(api):
    e = bl.email("nobody")
    for op, extra in (("UserDeleteRequest", {}), ("UserUpdateRequest", {"profile": {"a": 1}}),
                      ("UserPatchRequest", {"patch": []}),
                      ("UserRequestListUserRequests", {})):
        assert_not_found(api.v2(op, dict({"mode": "email", "identity": e}, **extra)))
        assert_not_found(api.v2(op, dict({"mode": "token", "identity": NOSUCH}, **extra)))
    assert_not_found(api.get(f"/v1/requests/email/{bl.q(e)}"))


def test_deleted_user_cannot_get_new_requests(api):
    tok = api.create_user(bl.profile())
    assert_ok(api.delete_user("token", tok))
    assert_not_found(api.v2("UserDeleteRequest", {"mode": "token", "identity": tok}))
    assert_not_found(api.v2("UserUpdateRequest", {"mode": "token", "identity": tok,
                                                  "profile": {"a": 1}}))


@pytest.mark.parametrize("op,body,msg", [
    ("UserRequestGet", {}, "missing requestuuid"),
    ("UserRequestGet", {"requestuuid": "nope"}, "bad request uuid"),
    ("UserRequestGet", {"requestuuid": 5}, None),
    ("UserRequestApprove", {}, "missing requestuuid"),
    ("UserRequestApprove", {"requestuuid": "nope"}, "bad request uuid"),
    ("UserRequestApprove", {"requestuuid": NOSUCH, "reason": 5}, None),
    ("UserRequestApprove", {"requestuuid": NOSUCH, "reason": "x" * 1025}, "reason too long"),
    ("UserRequestCancel", {}, "missing requestuuid"),
    ("UserRequestCancel", {"requestuuid": NOSUCH + "0"}, "bad request uuid"),
    ("UserDeleteRequest", {"identity": "x"}, "missing mode"),
    ("UserDeleteRequest", {"mode": "nosuch", "identity": "x"}, None),
    ("UserDeleteRequest", {"mode": "token", "identity": "not-a-uuid"}, "bad token format"),
    ("UserUpdateRequest", {"mode": "token", "identity": NOSUCH}, "missing profile"),
    ("UserUpdateRequest", {"mode": "token", "identity": NOSUCH, "profile": [1]},
     "user profile must be a JSON object"),
    ("UserUpdateRequest", {"mode": "token", "identity": NOSUCH, "profile": "a"},
     "user profile must be a JSON object"),
    ("UserPatchRequest", {"mode": "token", "identity": NOSUCH}, "missing patch"),
    ("UserPatchRequest", {"mode": "token", "identity": NOSUCH, "patch": {}},
     "patch must be an array of operations"),
    ("UserPatchRequest", {"mode": "token", "identity": NOSUCH,
                          "patch": [{"op": "nope", "path": "/a"}]},
     "patch[0] (?) failed: unknown \"op\" (use add, remove, replace, move, copy or test)"),
    ("UserRequestListUserRequests", {"mode": "token"}, "missing identity"),
])
def test_bad_input_400(api, op, body, msg):
    b = assert_error(api.v2(op, body), 400)
    if msg is not None:
        assert b["message"] == msg


def test_malformed_patch_refused_at_creation(api):
    tok = api.create_user({"a": 1})
    r = api.v2("UserPatchRequest", {"mode": "token", "identity": tok,
                                    "patch": [{"op": "add", "path": "/b"}]})
    assert assert_error(r, 400)["message"] == "patch[0] (add) failed: missing \"value\""
    assert assert_ok(user_list(api, "token", tok))["total"] == 0
    r = api.v2("UserPatchRequest", {"mode": "token", "identity": tok,
                                    "patch": [{"op": "test", "path": "/a", "value": 1}] * 1001})
    assert_error(r, 413)


def test_request_uuid_case_insensitive(api):
    tok = api.create_user({"a": 1})
    rt = update_request(api, "token", tok, {"a": 2})
    assert get(api, rt.upper())["requestuuid"] == rt


# ---- auth

V2_OPS = ["UserDeleteRequest", "UserUpdateRequest", "UserPatchRequest", "UserRequestGet",
          "UserRequestListUserRequests", "UserRequestApprove", "UserRequestCancel"]


@pytest.mark.parametrize("op", V2_OPS)
@pytest.mark.parametrize("token", [None, "", NOSUCH])
def test_v2_auth_403(api, op, token):
    tok = api.create_user({"a": 1})
    rt = update_request(api, "token", tok, {"a": 2})
    body = {"mode": "token", "identity": tok, "requestuuid": rt, "profile": {"a": 3},
            "patch": []}
    assert_error(api.v2(op, body, token=token), 403)
    req = get(api, rt)
    assert req["status"] == "open"
    assert assert_ok(user_list(api, "token", tok))["total"] == 1
    assert profile_of(api, tok) == {"a": 1}


@pytest.mark.parametrize("token", [None, "", NOSUCH])
def test_v1_auth_401(api, token):
    tok = api.create_user({"a": 1})
    rt = update_request(api, "token", tok, {"a": 2})
    for method, path in (("GET", f"/v1/request/{rt}"), ("POST", f"/v1/request/{rt}"),
                         ("DELETE", f"/v1/request/{rt}"), ("GET", f"/v1/requests/token/{tok}"),
                         ("GET", "/v1/requests"), ("GET", "/v1/requests?status=open")):
        assert_error(api.request(method, path, token=token), 401)
    assert get(api, rt)["status"] == "open"
    assert profile_of(api, tok) == {"a": 1}


# ---- /v1 routes

def test_v1_get_approve(api):
    p = bl.profile()
    tok = api.create_user(p)
    rt = update_request(api, "email", p["email"], {"fname": "V1"})
    b = assert_ok(api.get(f"/v1/request/{rt}"))
    assert b["original"] == p
    assert b["change"] == {"fname": "V1"}
    r = b["request"]
    assert r["rtoken"] == rt and r["token"] == tok and r["action"] == "change-profile"
    assert r["status"] == "open" and r["more"] is True
    assert assert_ok(api.post(f"/v1/request/{rt}")) == {"status": "ok", "result": "done"}
    assert profile_of(api, tok) == dict(p, fname="V1")
    assert assert_error(api.post(f"/v1/request/{rt}"), 409)["message"] == \
        "request is already approved"
    assert assert_ok(api.get(f"/v1/request/{rt}"))["request"]["status"] == "approved"


def test_v1_cancel_form_reason(api):
    tok = api.create_user({"a": 1})
    rt = update_request(api, "token", tok, {"a": 2})
    r = api.raw("DELETE", f"/v1/request/{rt}", "reason=duplicate+request",
                ctype="application/x-www-form-urlencoded")
    assert assert_ok(r) == {"status": "ok", "result": "done"}
    b = assert_ok(api.get(f"/v1/request/{rt}"))
    assert b["request"]["status"] == "cancelled"
    assert b["request"]["reason"] == "duplicate request"
    assert_error(api.delete(f"/v1/request/{rt}"), 409)


def test_v1_approve_json_reason(api):
    tok = api.create_user({"a": 1})
    rt = delete_request(api, "token", tok)
    assert_ok(api.post(f"/v1/request/{rt}", json={"reason": "confirmed"}))
    assert_not_found(api.get_user("token", tok))
    b = assert_ok(api.get(f"/v1/request/{rt}"))
    assert b["request"]["status"] == "approved"
    assert "change" not in b and "original" not in b


def test_v1_bad_request_uuid_400(api):
    for method in ("GET", "POST", "DELETE"):
        assert_error(api.request(method, "/v1/request/not-a-uuid"), 400)


@pytest.mark.parametrize("mode", MODES)
def test_v1_user_requests(api, mode):
    p = bl.profile()
    tok = api.create_user(p)
    rts = [update_request(api, "token", tok, {"n": i}) for i in range(3)]
    path = f"/v1/requests/{mode}/{bl.q(ident(mode, tok, p))}"
    b = assert_ok(api.get(path))
    assert b["total"] == 3
    assert [r["rtoken"] for r in b["rows"]] == rts[::-1]
    row = b["rows"][0]
    assert set(row) == {"rtoken", "token", "action", "status", "creationtime", "when", "more"}
    b = assert_ok(api.get(path + "?offset=1&limit=1"))
    assert b["total"] == 3 and [r["rtoken"] for r in b["rows"]] == [rts[1]]
    assert_error(api.get(path + "?limit=0"), 400)
    assert_error(api.get(path + "?offset=x"), 400)
    assert_error(api.get(f"/v1/requests/nosuch/{tok}"), 400)


def test_v1_all_requests_with_status_filter(fresh_server):
    api = fresh_server.client()
    t1 = api.create_user(bl.profile())
    t2 = api.create_user(bl.profile())
    a = update_request(api, "token", t1, {"a": 1})
    b = update_request(api, "token", t2, {"b": 1})
    c = delete_request(api, "token", t2)
    d = update_request(api, "token", t1, {"d": 1})
    assert_ok(approve(api, a))
    assert_ok(cancel(api, b))
    body = assert_ok(api.get("/v1/requests"))
    assert body["total"] == 4
    assert [r["rtoken"] for r in body["rows"]] == [d, c, b, a]
    body = assert_ok(api.get("/v1/requests?status=open"))
    assert body["total"] == 2 and [r["rtoken"] for r in body["rows"]] == [d, c]
    assert {r["status"] for r in body["rows"]} == {"open"}
    body = assert_ok(api.get("/v1/requests?status=approved"))
    assert [r["rtoken"] for r in body["rows"]] == [a]
    for s in ("cancelled", "canceled"):
        body = assert_ok(api.get(f"/v1/requests?status={s}"))
        assert [r["rtoken"] for r in body["rows"]] == [b]
    body = assert_ok(api.get("/v1/requests?status=open&offset=1&limit=1"))
    assert body["total"] == 2 and [r["rtoken"] for r in body["rows"]] == [c]
    assert_error(api.get("/v1/requests?status=pending"), 400)
    assert_error(api.get("/v1/requests?limit=1001"), 400)
    # forgetting t2 on request keeps only the approved delete request
    assert_ok(approve(api, c))
    body = assert_ok(api.get("/v1/requests"))
    assert [r["rtoken"] for r in body["rows"]] == [d, c, a]
    assert [r["status"] for r in body["rows"]] == ["open", "approved", "approved"]


def test_v1_method_not_allowed(api):
    assert_error(api.put(f"/v1/request/{NOSUCH}", json={}), 405)
    assert_error(api.post("/v1/requests", json={}), 405)


# ---- nothing in plaintext on disk

def test_no_plaintext_requests_on_disk(fresh_server):
    srv = fresh_server
    api = srv.client()
    m = bl.uid()
    needles = []
    for i in range(3):
        p = {"fname": f"Requestor{m}{i}", "email": f"req.{m}{i}@leak.example"}
        tok = api.create_user(p)
        upd = {"fname": f"Updatedname{m}{i}", "address": f"{i} Hidden Lane {m}"}
        ops = [{"op": "add", "path": "/secretnote", "value": f"patchsecret{m}{i}"}]
        r1 = update_request(api, "token", tok, upd)
        r2 = patch_request(api, "email", p["email"], ops)
        r3 = update_request(api, "token", tok, {"ssn": f"ssn{m}{i}"})
        get(api, r1)
        assert_ok(cancel(api, r3, reason=f"cancelreason{m}{i}"))
        assert_ok(approve(api, r1, reason=f"approvereason{m}{i}"))
        assert_ok(api.get(f"/v1/request/{r2}"))
        needles += [p["fname"], p["email"], upd["fname"], upd["address"], f"patchsecret{m}{i}",
                    f"ssn{m}{i}", f"cancelreason{m}{i}", f"approvereason{m}{i}"]
    t = api.create_user({"fname": f"Forgotten{m}"})
    assert_ok(approve(api, delete_request(api, "token", t), reason=f"forgetreason{m}"))
    needles += [f"Forgotten{m}", f"forgetreason{m}"]
    found = []
    for f in srv.db_files():
        data = f.read_bytes()
        for n in needles:
            if n.encode() in data or n.lower().encode() in data:
                found.append((f.name, n))
    assert not found, f"plaintext found on disk: {found}"
