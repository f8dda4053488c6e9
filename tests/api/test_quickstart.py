"""The documentation's quickstart, exactly, on a fresh server with root token DEMO."""

import bunkerlib as bl
from bunkerlib import assert_ok


def test_quickstart(server_factory):
    srv = server_factory(roottoken="DEMO")
    srv.init()
    srv.start()
    api = srv.client()
    assert api.token == "DEMO"

    body = '{"first":"John","last":"Doe","login":"john","phone":"4444","email":"user@gmail.com"}'
    r = api.raw("POST", "/v1/user", body.encode(), "application/json")
    b = assert_ok(r)
    tok = b["token"]
    bl.assert_uuid4(tok, r)
    expect = {"first": "John", "last": "Doe", "login": "john", "phone": "4444",
              "email": "user@gmail.com"}

    for path in (f"/v1/user/token/{tok}", "/v1/user/email/user@gmail.com",
                 "/v1/user/login/john"):
        r = api.get(path)
        b = assert_ok(r)
        assert b["token"] == tok
        assert b["data"] == expect
    # the same again through the phone, as the portal does
    b = assert_ok(api.get("/v1/user/phone/4444"))
    assert b["token"] == tok
