"""X-Bunker-Token: /v1 answers 401, /v2 answers 403; the
create_user_without_access_token option."""

import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok, assert_not_found, upath

RANDOM_TOKEN = str(uuid.uuid4())

V1_CALLS = [
    ("POST", "/v1/user", {"fname": "x"}),
    ("POST", "/v1/user/", {"fname": "x"}),
    ("GET", "/v1/user/token/" + RANDOM_TOKEN, None),
    ("GET", "/v1/user/email/nobody@example.com", None),
    ("GET", "/v1/user/login/nobody", None),
    ("GET", "/v1/user/phone/14155550000", None),
    ("GET", "/v1/user/custom/nobody", None),
    ("PUT", "/v1/user/token/" + RANDOM_TOKEN, {"fname": "y"}),
    ("DELETE", "/v1/user/token/" + RANDOM_TOKEN, None),
    ("GET", "/v1/audit/list/" + RANDOM_TOKEN + "?offset=0&limit=10", None),
    ("GET", "/v1/audit/get/" + RANDOM_TOKEN, None),
]

V2_CALLS = [
    ("UserCreate", {"profile": {"fname": "x"}}),
    ("UserGet", {"mode": "token", "identity": RANDOM_TOKEN}),
    ("UserUpdate", {"mode": "token", "identity": RANDOM_TOKEN, "profile": {"a": 1}}),
    ("UserDelete", {"mode": "token", "identity": RANDOM_TOKEN}),
    ("AuditListUserEvents", {"mode": "token", "identity": RANDOM_TOKEN, "offset": 0, "limit": 10}),
    ("AuditGetEvent", {"auditeventuuid": RANDOM_TOKEN}),
]


def _bad_tokens(server):
    return [
        None,                               # header missing
        "",                                 # empty header
        str(uuid.uuid4()),                  # some other uuid
        server.token.upper() if server.token.upper() != server.token else server.token + "x",
        server.token[:-1],                  # prefix
        server.token + "0",                 # extension
        "DEMO",
    ]


@pytest.mark.parametrize("method,path,body", V1_CALLS, ids=[f"{m} {p}" for m, p, _ in V1_CALLS])
def test_v1_missing_or_wrong_token_is_401(server, api, method, path, body):
    for tok in _bad_tokens(server):
        r = api.request(method, path, token=tok, json=body)
        assert_error(r, 401)


@pytest.mark.parametrize("op,body", V2_CALLS, ids=[op for op, _ in V2_CALLS])
def test_v2_missing_or_wrong_token_is_403(server, api, op, body):
    for tok in _bad_tokens(server):
        r = api.v2(op, body, token=tok)
        assert_error(r, 403)


def test_unauthenticated_create_writes_nothing(api):
    lg = bl.login()
    r = api.post("/v1/user", json={"login": lg}, token="wrong")
    assert_error(r, 401)
    r = api.v2("UserCreate", {"profile": {"login": lg}}, token=None)
    assert_error(r, 403)
    assert_not_found(api.get_user("login", lg))


def test_unauthenticated_update_and_delete_change_nothing(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert_error(api.put_user("token", tok, {"fname": "Hacked"}, token=None), 401)
    assert_error(api.put_user("token", tok, {"fname": "Hacked"}, token="bad"), 401)
    assert_error(api.delete_user("token", tok, token=None), 401)
    assert_error(api.v2("UserUpdate", {"mode": "token", "identity": tok,
                                       "profile": {"fname": "Hacked"}}, token="bad"), 403)
    assert_error(api.v2("UserDelete", {"mode": "token", "identity": tok}, token=None), 403)
    assert api.user_data("token", tok) == p


def test_auth_error_does_not_reveal_user_existence(api):
    p = bl.profile()
    api.create_user(p)
    r_known = api.get_user("email", p["email"], token="bad")
    r_unknown = api.get_user("email", bl.email(), token="bad")
    assert_error(r_known, 401)
    assert_error(r_unknown, 401)
    assert r_known.json() == r_unknown.json()


def test_root_token_works(api):
    tok = api.create_user({"fname": "Auth"})
    assert_ok(api.get_user("token", tok))


def test_default_server_refuses_create_without_token(api):
    assert_error(api.post("/v1/user", json={"fname": "x"}, token=None), 401)


def test_create_user_without_access_token_option(server_factory):
    srv = server_factory(conf="generic:\n  create_user_without_access_token: true\n")
    srv.init()
    srv.start()
    anon = srv.client(token=None)
    root = srv.client()

    p = {"fname": "Anon", "email": bl.email(), "login": bl.login()}
    r = anon.post("/v1/user", json=p)
    b = assert_ok(r)
    bl.assert_uuid4(b.get("token"), r)
    tok = b["token"]

    # reading, changing, deleting and the audit still need the token
    assert_error(anon.get_user("token", tok), 401)
    assert_error(anon.get_user("email", p["email"]), 401)
    assert_error(anon.put_user("token", tok, {"fname": "Changed"}), 401)
    assert_error(anon.delete_user("token", tok), 401)
    assert_error(anon.audit_list(tok), 401)

    assert root.user_data("token", tok) == p
    assert root.user_data("login", p["login"]) == p

    # creation with the root token keeps working under the option
    tok2 = root.create_user({"fname": "Root", "login": bl.login()})
    assert tok2 != tok
