"""Size limits: body size (1 MiB), identity length (1024 bytes), nesting
depth (32), many fields."""

import json

import pytest
import requests

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, upath

MiB = 1024 * 1024


def _post_big(api, path, body, ctype="application/json", method="POST"):
    try:
        return api.raw(method, path, body, ctype)
    except requests.exceptions.ConnectionError as e:
        pytest.fail(f"{method} {path} with a {len(body)}-byte body: connection failed instead of "
                    f"an HTTP 413 answer: {e}", pytrace=False)


def test_body_over_1mib_is_413(api):
    lg = bl.login("big")
    body = json.dumps({"login": lg, "blob": "x" * (MiB + 1000)}).encode()
    r = _post_big(api, "/v1/user", body)
    assert_error(r, 413)
    assert_not_found(api.get_user("login", lg))
    assert api.status_ok()


def test_form_body_over_1mib_is_413(api):
    lg = bl.login("bigform")
    body = f"login={lg}&blob={'y' * (MiB + 1000)}".encode()
    r = _post_big(api, "/v1/user", body, "application/x-www-form-urlencoded")
    assert_error(r, 413)
    assert_not_found(api.get_user("login", lg))


def test_put_body_over_1mib_is_413_and_changes_nothing(api):
    p = bl.profile()
    tok = api.create_user(p)
    body = json.dumps({"fname": "Huge", "blob": "z" * (2 * MiB)}).encode()
    r = _post_big(api, upath("token", tok), body, method="PUT")
    assert_error(r, 413)
    assert api.user_data("token", tok) == p


def test_v2_body_over_1mib_is_413(api):
    lg = bl.login("bigv2")
    body = json.dumps({"profile": {"login": lg, "blob": "x" * (MiB + 1000)}}).encode()
    r = _post_big(api, "/v2/UserCreate", body)
    assert_error(r, 413)
    assert_not_found(api.get_user("login", lg))


def test_body_well_under_1mib_is_accepted(api):
    p = {"login": bl.login("half"), "blob": "h" * (MiB // 2)}
    tok = api.create_user(p)
    assert api.user_data("token", tok) == p


def test_many_fields(api):
    p = {f"field{i:04d}": f"value {i}" for i in range(500)}
    p["login"] = bl.login("many")
    tok = api.create_user(p)
    assert api.user_data("token", tok) == p


@pytest.mark.parametrize("mode", ["email", "phone", "login", "custom"])
def test_identity_over_1024_bytes_is_400(api, mode):
    if mode == "email":
        ident = "a" * 1020 + "@x.io"
    elif mode == "phone":
        ident = "1" * 1025
    else:
        ident = "l" * 1025
    assert len(ident.encode()) > 1024
    assert_error(api.get_user(mode, ident), 400)
    assert_error(api.put_user(mode, ident, {"a": 1}), 400)
    assert_error(api.delete_user(mode, ident), 400)
    assert_error(api.v2("UserGet", {"mode": mode, "identity": ident}), 400)


def test_identity_of_1024_multibyte_bytes_boundary(api):
    ident = "\u00e9" * 513  # 1026 bytes, 513 characters
    assert_error(api.get_user("login", ident), 400)


def test_identity_at_1024_bytes_is_accepted(api):
    lg = "L" * 1000 + bl.uid() * 2  # 1024 bytes
    assert len(lg) == 1024
    tok = api.create_user({"login": lg})
    assert assert_ok(api.get_user("login", lg))["token"] == tok


def test_create_with_indexed_value_over_1024_bytes_is_400(api):
    lg = bl.login()
    assert_error(api.post("/v1/user", json={"login": "x" * 2000, "custom": lg}), 400)
    assert_not_found(api.get_user("custom", lg))
    assert_error(api.post("/v1/user", json={"email": "e" * 1100 + "@example.com",
                                            "custom": lg}), 400)
    assert_not_found(api.get_user("custom", lg))


def test_very_long_url_is_4xx(api):
    r = api.get("/v1/user/login/" + "u" * 100000)
    assert 400 <= r.status_code < 500, bl.describe(r)
    assert api.status_ok()


def _nested(levels):
    v = 1
    for _ in range(levels):
        v = {"a": v}
    return v


def test_nesting_limit(api):
    ok = {"login": bl.login("nest"), "x": _nested(25)}
    tok = api.create_user(ok)
    assert api.user_data("token", tok) == ok
    lg = bl.login("deep")
    assert_error(api.post("/v1/user", json={"login": lg, "x": _nested(34)}), 400)
    assert_not_found(api.get_user("login", lg))


def test_pathological_nesting_does_not_crash(api):
    lg = bl.login("deeper")
    for body in (b"[" * 200000, b'{"a":' * 100000, f'{{"login":"{lg}","x":'.encode() + b"[" * 50000
                 + b"]" * 50000 + b"}"):
        r = api.raw("POST", "/v1/user", body)
        assert_error(r, 400)
    assert_not_found(api.get_user("login", lg))
    assert api.status_ok()


def test_huge_number_and_long_key_do_not_crash(api):
    r = api.post("/v1/user", json={"login": bl.login(), "k" * 5000: "long key"})
    assert r.status_code < 500, bl.describe(r)
    r = api.raw("POST", "/v1/user", b'{"n":' + b"9" * 5000 + b"}")
    assert r.status_code < 500, bl.describe(r)
    assert api.status_ok()


def test_chunked_body_over_1mib_is_413(api):
    lg = bl.login("bigchunk")
    head = json.dumps({"login": lg, "blob": ""}).encode()[:-2]  # ... "blob": "

    def gen():
        yield head
        for _ in range(20):
            yield b"c" * (128 * 1024)
        yield b'"}'

    try:
        r = api.request("POST", "/v1/user", data=gen(), headers={"Content-Type": "application/json"})
    except requests.exceptions.ConnectionError as e:
        pytest.fail(f"chunked 2.5 MiB body: connection failed instead of 413: {e}", pytrace=False)
    assert_error(r, 413)
    assert_not_found(api.get_user("login", lg))
    assert api.status_ok()
