"""Limits and abuse: security headers on every answer, framing headers that
could smuggle a second request, more than 200 malformed or hostile requests
(each a 4xx, the server stays up, the database unchanged), per-address
connection limits, slow clients, and rate limits answering 429."""

import hashlib
import json
import socket
import time
import urllib.parse

import pytest
import requests

import bunkerlib as bl
from bunkerlib import assert_error, assert_ok

SQLI = ["' OR '1'='1", "'; DROP TABLE users; --", "\" OR 1=1 --", "1; SELECT * FROM meta",
        "admin'--", "' UNION SELECT key, value FROM meta --", "%' OR 1=1 --", "\\'; --"]
JSONI = ['{"$ne": null}', '","admin":true,"x":"', '\\u0000', '{"__proto__":{"a":1}}',
         "[1,2,3]", '"}]}]}', "null"]


def snapshot(srv):
    """Everything a request could change, in a comparable form, on any backend."""
    hx = "encode({}, 'hex')" if srv.store == "pgsql" else "hex({})"
    users = bl.store_rows(srv, "SELECT id, tenant, token, status, " + hx.format("dek") + ", " +
                          hx.format("body") + ", version, created, updated FROM users "
                          "ORDER BY id")
    idx = bl.store_rows(srv, "SELECT tenant, kind, " + hx.format("hash") + ", user_id "
                             "FROM user_index ORDER BY tenant, kind, hash")
    audit = bl.store_rows(srv, "SELECT count(*), max(id) FROM audit")
    key = "`key`" if srv.store == "mysql" else '"key"'
    meta = bl.store_rows(srv, "SELECT " + key + ", " + hx.format("value") + " FROM meta "
                              "ORDER BY " + key)
    return hashlib.sha256(repr((users, idx, audit, meta)).encode()).hexdigest(), len(users)


def raw_http(srv, data, timeout=5):
    """Send raw bytes; return the status code of the first answer (0 when the
    server closed without answering) and all bytes read."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=timeout)
    out = b""
    try:
        s.sendall(data)
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    line = out.split(b"\r\n", 1)[0].split()
    return (int(line[1]) if len(line) >= 2 and line[1].isdigit() else 0), out


def test_security_headers_on_every_answer(api):
    p = bl.profile()
    tok = api.create_user(p)
    for r in (api.get_user("token", tok), api.get("/v1/user/token/nope"),
              api.get("/no/such/path"), api.get("/status"),
              api.raw("POST", "/v1/user", b"{", "application/json"),
              api.get_user("token", tok, token="wrong")):
        h = r.headers
        assert h.get("X-Content-Type-Options") == "nosniff", bl.describe(r)
        assert h.get("X-Frame-Options") == "DENY", bl.describe(r)
        assert h.get("Referrer-Policy") == "no-referrer", bl.describe(r)
        csp = h.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, bl.describe(r)
        assert h.get("Cache-Control") == "no-store"


SMUGGLE = {
    "duplicate Content-Length": b"Content-Length: 17\r\nContent-Length: 5\r\n",
    "same Content-Length twice": b"Content-Length: 17\r\nContent-Length: 17\r\n",
    "Transfer-Encoding with Content-Length": b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
    "unknown Transfer-Encoding": b"Transfer-Encoding: xchunked\r\nContent-Length: 17\r\n",
    "Transfer-Encoding twice": b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
    "space before colon": b"Content-Length : 17\r\n",
    "tab in a header name": b"Content\tLength: 17\r\n",
}


@pytest.mark.parametrize("name", sorted(SMUGGLE))
def test_smuggling_headers_are_refused(server, name):
    lg = bl.login("smuggle")
    body = json.dumps({"login": lg}).encode()
    req = (b"POST /v1/user HTTP/1.1\r\nHost: x\r\nX-Bunker-Token: " + server.token.encode() +
           b"\r\nContent-Type: application/json\r\n" + SMUGGLE[name] +
           b"Connection: close\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    code, out = raw_http(server, req)
    assert 400 <= code < 500, f"{name}: answered {code}: {out[:300]!r}"
    bl.assert_not_found(server.client().get_user("login", lg))
    assert server.alive()


def test_chunked_smuggled_second_request_is_not_run(server):
    lg = bl.login("smuggled")
    inner = json.dumps({"login": lg}).encode()
    req = (b"POST /v1/user HTTP/1.1\r\nHost: x\r\nX-Bunker-Token: " + server.token.encode() +
           b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Length: 80\r\n\r\n0\r\n\r\nPOST /v1/user HTTP/1.1\r\nHost: x\r\n"
           b"X-Bunker-Token: " + server.token.encode() + b"\r\nContent-Length: %d\r\n\r\n"
           % len(inner) + inner)
    code, out = raw_http(server, req)
    assert 400 <= code < 500 and out.count(b"HTTP/1.1 ") == 1, out[:400]
    bl.assert_not_found(server.client().get_user("login", lg))


def test_plain_chunked_body_still_works(server):
    lg = bl.login("chunked")
    body = json.dumps({"login": lg}).encode()
    req = (b"POST /v1/user HTTP/1.1\r\nHost: x\r\nX-Bunker-Token: " + server.token.encode() +
           b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
           b"Connection: close\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    code, out = raw_http(server, req)
    assert code == 200, out[:300]
    assert_ok(server.client().get_user("login", lg))


# ------------------------------------------------------------ hostile requests

def hostile_requests(token):
    """(description, method, path, body bytes or None, content type, headers)
    for requests that must all be refused with a 4xx and change nothing."""
    out = []
    enc = urllib.parse.quote
    # identities in the path: injection strings, traversal, bad escapes, bad UTF-8
    idents = SQLI + JSONI + ["../../etc/passwd", "..%2F..%2Fmeta", "a" * 1100,
                             "\u202e\u0000x", "nobody@example.invalid"]
    for mode in ("email", "phone", "login", "custom", "token"):
        for ident in idents:
            path = f"/v1/user/{mode}/{enc(ident, safe='')}"
            out.append((f"GET {mode} {ident[:20]!r}", "GET", path, None, None, {}))
            out.append((f"DELETE {mode} {ident[:20]!r}", "DELETE", path, None, None, {}))
            out.append((f"PUT {mode} {ident[:20]!r}", "PUT", path,
                        json.dumps({"fname": ident}).encode(), "application/json", {}))
    for raw in ("%", "%G1", "%C3%28", "%FF", "%ED%A0%80", "%00", "a%00b", "%F4%90%80%80",
                "%2e%2e%2f%2e%2e%2f", "..;/", "%C0%AF"):
        out.append((f"raw path {raw}", "GET", f"/v1/user/login/{raw}", None, None, {}))
    for mode in ("../admin", "%2e%2e", "EMAIL", "emails", "", "token%00"):
        out.append((f"mode {mode!r}", "GET", f"/v1/user/{mode}/x", None, None, {}))
    # v2 lookups with injection strings
    for mode in ("email", "phone", "login", "custom", "token"):
        for ident in SQLI + JSONI:
            out.append((f"v2 UserGet {mode} {ident[:15]!r}", "POST", "/v2/UserGet",
                        json.dumps({"mode": mode, "identity": ident}).encode(),
                        "application/json", {}))
    # bodies: bad UTF-8, NUL bytes, numbers out of range, deep nesting, wrong types
    bodies = [
        b'{"login":"\xff\xfe"}', b'{"login":"a\x00b"}', b'{"login":"\xc0\xaf"}',
        b'{"login":"\xed\xa0\x80"}', b'{"a":1e999}', b'{"a":-1e999}',
        b'{"a":123456789012345678901234567890}', b'{"a":' + b"9" * 5000 + b"}",
        b"[" * 100 + b"]" * 100, b'{"a":' * 60 + b"1" + b"}" * 60, b"[]", b'"str"', b"42",
        b"null", b"true", b'{"a":1,"a":2}', b"{", b'{"a":}', b"{'a':1}", b"\x00",
        b'{"email":"not-an-email"}', b'{"email":["x@y.z"]}', b'{"phone":"12ab"}',
        b'{"phone":{"a":1}}', b'{"login":true}', b'{"email":"a@b@c"}', b'{"a":"\\ud800"}',
        b"\xef\xbb\xbf{}", b'{"a":NaN}', b'{"a":Infinity}',
    ]
    for inj in SQLI + JSONI:
        bodies.append(json.dumps({"email": inj}).encode())
        bodies.append(json.dumps({"phone": inj}).encode())
    for b in bodies:
        out.append((f"POST body {b[:30]!r}", "POST", "/v1/user", b, "application/json", {}))
    for b in bodies[:20]:
        out.append((f"v2 body {b[:30]!r}", "POST", "/v2/UserCreate",
                    b'{"profile":' + b + b"}", "application/json", {}))
    forms = [b"login=%ff", b"login=a%00b", b"login=%", b"a=1&a=2", b"=x", b"email=x",
             b"phone=abc", b"login=%C0%AF"]
    for b in forms:
        out.append((f"form {b!r}", "POST", "/v1/user", b, "application/x-www-form-urlencoded",
                    {}))
    for ct in ("text/plain", "application/xml", "multipart/form-data; boundary=x"):
        out.append((f"content type {ct}", "POST", "/v1/user", b'{"login":"x"}', ct, {}))
    # tokens: injection strings, NUL, over-long
    for t in SQLI + ["", "x" * 5000, token + "x", token[:-1]]:
        out.append((f"token {t[:15]!r}", "POST", "/v1/user", b'{"login":"tok"}',
                    "application/json", {"X-Bunker-Token": t}))
    return out


def test_hostile_requests_are_4xx_and_change_nothing(fresh_server):
    srv = fresh_server
    api = srv.client()
    seeded = []
    for _ in range(5):
        p = bl.profile()
        seeded.append((api.create_user(p), p))
    before = snapshot(srv)
    reqs = hostile_requests(srv.token)
    assert len(reqs) >= 200, len(reqs)
    s = requests.Session()
    bad = []
    for desc, method, path, body, ctype, headers in reqs:
        h = {"X-Bunker-Token": srv.token}
        h.update(headers)
        if ctype:
            h["Content-Type"] = ctype
        try:
            r = s.request(method, srv.url + path, data=body, headers=h, timeout=10)
        except requests.RequestException as e:
            bad.append(f"{desc}: {e}")
            continue
        if not 400 <= r.status_code < 500:
            bad.append(f"{desc}: {r.status_code} {r.text[:120]!r}")
    assert not bad, f"{len(bad)} of {len(reqs)} not refused with a 4xx:\n" + "\n".join(bad[:40])
    assert srv.alive()
    assert snapshot(srv) == before, "a refused request changed the database"
    for tok, p in seeded:
        assert api.user_data("token", tok) == p


@pytest.mark.parametrize("value", SQLI + JSONI)
def test_injection_strings_are_stored_literally(api, value):
    """Hostile text in login/custom is still just a value: stored, found by
    itself, never interpreted."""
    p = {"login": value + bl.uid(), "custom": bl.uid() + value, "fname": value}
    tok = api.create_user(p)
    assert api.user_data("login", p["login"]) == p
    assert api.user_data("custom", p["custom"]) == p
    assert_ok(api.delete_user("token", tok))


# ------------------------------------------------------------ connections

def test_per_ip_connection_limit(server_factory):
    srv = server_factory(conf="server:\n  per_ip_connection_limit: 3\n")
    srv.init()
    srv.start()
    time.sleep(0.2)
    socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=3) for _ in range(6)]
    time.sleep(0.3)
    try:
        served = bl.status_served(socks)
    finally:
        for s in socks:
            s.close()
    assert 1 <= served <= 3, f"{served} of 6 simultaneous connections from one address served"
    time.sleep(0.3)
    assert srv.client().status_ok()


def test_slow_client_is_cut_off(server_factory):
    srv = server_factory(conf="server:\n  connection_timeout_s: 1\n")
    srv.init()
    srv.start()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=6)
    s.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n")      # never finished
    t0 = time.monotonic()
    try:
        got = s.recv(100)
    except ConnectionResetError:
        got = b""
    took = time.monotonic() - t0
    s.close()
    assert not got.startswith(b"HTTP/1.1 200")
    assert took < 5, f"slow client kept for {took:.1f}s"
    assert srv.client().status_ok()


# ------------------------------------------------------------ rate limits

def test_rate_limit_per_token(server_factory):
    srv = server_factory(conf="ratelimit:\n  per_token_per_second: 5\n  per_token_burst: 5\n")
    srv.init()
    srv.start()
    api = srv.client()
    tok = api.create_user(bl.profile())
    codes = [api.get_user("token", tok).status_code for _ in range(20)]
    assert 429 in codes and 200 in codes, codes
    r = next(r for r in (api.get_user("token", tok) for _ in range(10)) if r.status_code == 429)
    b = assert_error(r, 429)
    assert b["message"] == "too many requests"
    assert r.headers.get("Retry-After") == "1"
    # another token (a wrong one) has its own bucket: refused for auth, not for rate
    assert_error(api.get_user("token", tok, token="other"), 401)
    time.sleep(1.2)
    assert_ok(api.get_user("token", tok))


def test_rate_limit_per_ip(server_factory):
    srv = server_factory(conf="ratelimit:\n  per_ip_per_second: 10\n  per_ip_burst: 10\n")
    srv.init()
    srv.start()
    s = requests.Session()
    codes = [s.get(srv.url + "/status", timeout=5).status_code for _ in range(30)]
    assert codes.count(429) >= 10 and codes[0] == 200, codes
    time.sleep(1.2)
    assert s.get(srv.url + "/status", timeout=5).status_code == 200


def test_rate_limit_off_by_default(api):
    tok = api.create_user(bl.profile())
    codes = {api.get_user("token", tok).status_code for _ in range(60)}
    assert codes == {200}
