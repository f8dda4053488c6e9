"""UserGet answers with the profile's sealed text spliced into the reply when the
caller may see all of it (no parse and re-encode); that reply must be byte for byte
the one the parse-and-encode path gives, which a read of an explicit version takes."""

import bunkerlib as bl
from bunkerlib import assert_ok

ODD = {
    "name": "Zoë \u00e9\u4e2d\u6587 \U0001F600",
    "quote": "she said \"hi\"\\ / </script>",
    "ctl": "tab\there\nnew\u2028line\u0001",
    "num": 12345678901234,
    "neg": -7,
    "real": 0.1,
    "big": 1.5e300,
    "yes": True,
    "no": False,
    "nothing": None,
    "empty": {},
    "list": [1, "two", [3], {"four": 4}],
    "nested": {"a": {"b": {"c": "deep"}}},
}


def odd_profile():
    p = bl.profile()
    p.update(ODD)
    return p


def test_v2_spliced_reply_is_byte_for_byte_the_encoded_one(api):
    p = odd_profile()
    tok = assert_ok(api.v2("UserCreate", {"profile": p}))["token"]
    fast = api.v2("UserGet", {"mode": "token", "identity": tok})
    b = assert_ok(fast)
    assert b["profile"] == p
    # an explicit version is read by parsing the profile and encoding the reply
    slow = api.v2("UserGet", {"mode": "token", "identity": tok, "version": b["version"]})
    assert_ok(slow)
    assert fast.content == slow.content
    assert fast.headers["Content-Type"] == slow.headers["Content-Type"]
    assert list(b.keys()) == ["status", "token", "profile", "version", "finaltime",
                              "slidingtime", "expirationtime"]


def test_v1_spliced_reply_matches_the_profile(api):
    p = odd_profile()
    tok = api.create_user(p)
    for mode, ident in (("token", tok), ("email", p["email"]), ("login", p["login"])):
        r = api.get_user(mode, ident)
        b = assert_ok(r)
        assert list(b.keys()) == ["status", "token", "data"]
        assert b["token"] == tok
        assert b["data"] == p
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        # compact, like every other reply: no space after a separator outside strings
        assert r.content.startswith(b'{"status":"ok","token":"' + tok.encode() + b'","data":{')


def test_v1_spliced_reply_after_an_update(api):
    p = odd_profile()
    tok = api.create_user(p)
    assert_ok(api.put_user("token", tok, {"name": "Ana", "nothing": "x"}))
    p.update({"name": "Ana", "nothing": "x"})
    assert api.user_data("token", tok) == p
    v2 = assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))
    assert v2["profile"] == p and v2["version"] == 2


def test_every_spliced_read_is_audited(api):
    tok = api.create_user(odd_profile())
    for _ in range(3):
        assert_ok(api.get_user("token", tok))
    assert_ok(api.v2("UserGet", {"mode": "token", "identity": tok}))
    titles = bl.audit_titles(api, tok)
    assert titles.count("UserGet") == 4
