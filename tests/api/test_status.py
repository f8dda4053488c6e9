"""GET /status, GET /v1/status, unknown routes, wrong methods."""

import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok


@pytest.mark.parametrize("path", ["/status", "/v1/status"])
def test_status_without_token(api, path):
    r = api.get(path, token=None)
    b = assert_ok(r)
    assert b["status"] == "ok"


@pytest.mark.parametrize("path", ["/status", "/v1/status"])
def test_status_with_wrong_token_still_answers(api, path):
    r = api.get(path, token="not-the-root-token")
    assert_ok(r)


@pytest.mark.parametrize("path", [
    "/nope",
    "/v1/nope",
    "/v1/users",
    "/v1/user/token/" + "a" * 8 + "/extra/segments/here",
    "/v3/UserCreate",
])
def test_unknown_route_is_404_json(api, path):
    r = api.get(path)
    assert_error(r, 404)


def test_unknown_v2_operation_is_404_json(api):
    r = api.v2("NoSuchOperation", {})
    assert_error(r, 404)


@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/user"),
    ("DELETE", "/v1/user"),
    ("PATCH", "/v1/user/token/" + str(uuid.UUID(int=1, version=4))),
    ("POST", "/v1/user/token/" + str(uuid.UUID(int=1, version=4))),
    ("GET", "/v2/UserCreate"),
    ("PUT", "/v2/UserGet"),
    ("POST", "/status"),
])
def test_wrong_method_is_405_json(api, method, path):
    r = api.request(method, path, json={} if method in ("POST", "PUT", "PATCH") else None)
    assert_error(r, 405)


def test_server_still_up_after_routing_tests(api):
    assert api.status_ok()
