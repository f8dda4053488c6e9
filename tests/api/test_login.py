"""End-user portal login: prelogin/login/logout on /v1 and /v2, captchas,
codes delivered by email (to a local SMTP sink, aiosmtpd) and by SMS (to a
local fake HTTP gateway), expiry, attempt and rate limits, unknown
identities answered like known ones, and portal sessions limited to the
user's own record."""

import http.client
import json
import re
import statistics
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

import bunkerlib as bl

try:
    from aiosmtpd.controller import Controller
except ImportError:  # pragma: no cover - deps.sh installs python3-aiosmtpd
    Controller = None


# ---------------------------------------------------------------- local peers

class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message it receives."""

    def __init__(self):
        self.messages = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.content.decode("utf-8", "replace")))
                return "250 OK"

        self.port = bl.free_port()
        self.ctl = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.ctl.start()

    def stop(self):
        self.ctl.stop()


class SmsGateway:
    """A fake SMS gateway on 127.0.0.1 recording every request."""

    def __init__(self):
        self.requests = []
        gw = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                gw.requests.append({"path": self.path, "headers": dict(self.headers),
                                    "body": self.rfile.read(n).decode()})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok":true}')

            def log_message(self, *a):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def smtp():
    if Controller is None:
        pytest.fail("python3-aiosmtpd is missing (scripts/deps.sh installs it)")
    s = SmtpSink()
    yield s
    s.stop()


@pytest.fixture
def sms():
    g = SmsGateway()
    yield g
    g.stop()


def conf_text(smtp=None, sms=None, **login):
    lines = []
    if smtp is not None:
        lines += ["smtp:", '  server: "127.0.0.1"', f"  port: {smtp.port}",
                  '  sender: "Privacy <privacy@example.com>"']
    if sms is not None:
        lines += ["sms:", f'  url: "http://127.0.0.1:{sms.port}/send?to={{phone}}"',
                  '  from: "Bunker"', '  token: "gw-secret"', '  custom_header: "X-Test: yes"']
    lines.append("login:")
    settings = {"max_per_ip": 1000, "max_per_identity": 100}
    settings.update(login)
    for k, v in settings.items():
        lines.append(f"  {k}: {str(v).lower() if isinstance(v, bool) else v}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def portal(server_factory, smtp, sms):
    """A server that sends codes to the local SMTP sink and SMS gateway."""
    def make(**login):
        srv = server_factory(conf=conf_text(smtp, sms, **login))
        srv.init()
        srv.start()
        return srv
    return make


def wait_for(pred, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def email_code(smtp, addr, n_before=0):
    msgs = wait_for(lambda: [m for m in smtp.messages[n_before:] if f"<{addr}>" in m[2] or addr in m[1]])
    m = re.search(r"login code is (\d{6})", msgs[-1][2])
    assert m, msgs[-1][2]
    return m.group(1)


def sms_code(sms, n_before=0):
    reqs = wait_for(lambda: sms.requests[n_before:])
    m = re.search(r"login code is (\d{6})", reqs[-1]["body"])
    assert m, reqs[-1]
    return m.group(1)


def assert_login_refused(r, v2=False):
    b = bl.assert_error(r, 403 if v2 else 401)
    assert b["message"] == "wrong or expired code"


# ---------------------------------------------------------------- email and SMS

def test_email_code_login_v1(portal, smtp):
    srv = portal()
    c = srv.client()
    addr = bl.email("portal")
    tok = c.create_user({"email": addr, "fname": "Eve"})
    r = c.get(f"/v1/prelogin/email/{bl.q(addr.upper())}", token=None)
    assert bl.assert_ok(r) == {"status": "ok", "result": "done"}
    code = email_code(smtp, addr)
    mail_from, rcpts, content = smtp.messages[-1]
    assert mail_from == "privacy@example.com"
    assert rcpts == [addr]
    assert "Subject: Your login code" in content
    r = c.get(f"/v1/login/email/{bl.q(addr)}/{code}", token=None)
    b = bl.assert_ok(r)
    assert set(b) == {"status", "xtoken", "token"}
    assert b["token"] == tok
    bl.assert_uuid4(b["xtoken"], r)
    me = srv.client(token=b["xtoken"])
    assert bl.assert_ok(me.get_user("token", tok))["data"]["fname"] == "Eve"
    # the code is used up
    assert_login_refused(c.get(f"/v1/login/email/{bl.q(addr)}/{code}", token=None))


def test_sms_code_login_v2(portal, sms):
    srv = portal()
    c = srv.client()
    phone = bl.phone()
    tok = c.create_user({"phone": phone, "fname": "Sam"})
    r = c.v2("UserPrelogin", {"mode": "phone", "identity": phone}, token=None)
    assert bl.assert_ok(r) == {"status": "ok", "result": "done"}
    code = sms_code(sms)
    req = sms.requests[-1]
    assert req["path"] == f"/send?to={phone}"
    assert req["headers"]["Authorization"] == "Bearer gw-secret"
    assert req["headers"]["X-Test"] == "yes"
    assert req["headers"]["Content-Type"] == "application/json"
    body = json.loads(req["body"])
    assert body["to"] == phone and body["from"] == "Bunker"
    r = c.v2("UserLogin", {"mode": "phone", "identity": phone, "smscode": code}, token=None)
    b = bl.assert_ok(r)
    assert b["token"] == tok
    me = srv.client(token=b["xtoken"])
    got = bl.assert_ok(me.v2("UserGet", {"mode": "token", "identity": tok}))
    assert got["profile"]["fname"] == "Sam"


# ---------------------------------------------------------------- refusals

def test_wrong_code_refused_both_apis(portal, sms):
    srv = portal()
    c = srv.client()
    phone = bl.phone()
    c.create_user({"phone": phone})
    bl.assert_ok(c.get(f"/v1/prelogin/phone/{phone}", token=None))
    code = sms_code(sms)
    wrong = "000000" if code != "000000" else "111111"
    assert_login_refused(c.get(f"/v1/login/phone/{phone}/{wrong}", token=None))
    assert_login_refused(c.v2("UserLogin", {"mode": "phone", "identity": phone, "code": wrong},
                              token=None), v2=True)
    # the right code still works within the attempt limit
    bl.assert_ok(c.get(f"/v1/login/phone/{phone}/{code}", token=None))


def test_attempt_limit_voids_the_code(portal, sms):
    srv = portal(max_attempts=2)
    c = srv.client()
    phone = bl.phone()
    c.create_user({"phone": phone})
    bl.assert_ok(c.get(f"/v1/prelogin/phone/{phone}", token=None))
    code = sms_code(sms)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        assert_login_refused(c.get(f"/v1/login/phone/{phone}/{wrong}", token=None))
    assert_login_refused(c.get(f"/v1/login/phone/{phone}/{code}", token=None))


def test_expired_code_refused(portal, sms):
    srv = portal(code_ttl_s=2)
    c = srv.client()
    phone = bl.phone()
    c.create_user({"phone": phone})
    bl.assert_ok(c.get(f"/v1/prelogin/phone/{phone}", token=None))
    code = sms_code(sms)
    time.sleep(3.1)
    assert_login_refused(c.get(f"/v1/login/phone/{phone}/{code}", token=None))


def test_rate_limit_per_identity_429(portal, sms):
    srv = portal(max_per_identity=3)
    c = srv.client()
    phone = bl.phone()
    c.create_user({"phone": phone})
    for _ in range(3):
        bl.assert_ok(c.get(f"/v1/prelogin/phone/{phone}", token=None))
    r = c.get(f"/v1/prelogin/phone/{phone}", token=None)
    b = bl.assert_error(r, 429)
    assert "too many" in b["message"]
    bl.assert_error(c.get(f"/v1/login/phone/{phone}/123456", token=None), 429)
    bl.assert_error(c.v2("UserLogin", {"mode": "phone", "identity": phone, "code": "123456"},
                         token=None), 429)
    # another identity is not affected
    bl.assert_ok(c.get(f"/v1/prelogin/phone/{bl.phone()}", token=None))


def test_rate_limit_per_ip_429(portal):
    srv = portal(max_per_ip=4)
    c = srv.client()
    for _ in range(4):
        bl.assert_ok(c.get(f"/v1/prelogin/email/{bl.q(bl.email())}", token=None))
    bl.assert_error(c.get(f"/v1/prelogin/email/{bl.q(bl.email())}", token=None), 429)


def test_unknown_identity_indistinguishable(portal, smtp, sms):
    srv = portal()
    c = srv.client()
    known = bl.email("known")
    c.create_user({"email": known})
    unknown = bl.email("unknown")
    rk = c.get(f"/v1/prelogin/email/{bl.q(known)}", token=None)
    ru = c.get(f"/v1/prelogin/email/{bl.q(unknown)}", token=None)
    assert (rk.status_code, rk.json()) == (ru.status_code, ru.json()) == \
        (200, {"status": "ok", "result": "done"})
    rk = c.get(f"/v1/login/email/{bl.q(known)}/123456", token=None)
    ru = c.get(f"/v1/login/email/{bl.q(unknown)}/123456", token=None)
    rn = c.get(f"/v1/login/email/{bl.q(bl.email('never'))}/123456", token=None)
    for r in (rk, ru, rn):
        assert_login_refused(r)
    assert rk.json() == ru.json() == rn.json()
    # similar timing: medians of a few tries each
    def med(addr):
        ts = []
        for _ in range(5):
            t = time.monotonic()
            c.get(f"/v1/login/email/{bl.q(addr)}/123456", token=None)
            ts.append(time.monotonic() - t)
        return statistics.median(ts)
    tk, tu = med(known), med(unknown)
    assert abs(tk - tu) < 0.25, (tk, tu)
    # no mail went to the unknown address
    time.sleep(0.3)
    assert not any(unknown in m[1] for m in smtp.messages)


def test_bad_input(portal):
    srv = portal()
    c = srv.client()
    b = bl.assert_error(c.get("/v1/prelogin/login/john", token=None), 400)
    assert b["message"] == "bad mode: use email or phone"
    bl.assert_error(c.get("/v1/prelogin/email/not-an-email", token=None), 400)
    bl.assert_error(c.get(f"/v1/login/email/{bl.q(bl.email())}/12ab", token=None), 400)
    bl.assert_error(c.v2("UserPrelogin", {"mode": "email"}, token=None), 400)
    bl.assert_error(c.v2("UserLogin", {"mode": "email", "identity": bl.email()}, token=None), 400)
    bl.assert_error(c.v2("UserLogin", {"mode": 5, "identity": "x", "code": "1"}, token=None), 400)


def test_demo_codes_only_in_demo_mode(portal):
    srv = portal()
    c = srv.client()
    c.create_user({"phone": "4444", "email": "test@securitybunker.io"})
    bl.assert_ok(c.get("/v1/prelogin/phone/4444", token=None))
    assert_login_refused(c.get("/v1/login/phone/4444/4444", token=None))
    bl.assert_ok(c.get(f"/v1/prelogin/email/{bl.q('test@securitybunker.io')}", token=None))
    assert_login_refused(c.get(f"/v1/login/email/{bl.q('test@securitybunker.io')}/4444",
                               token=None))


# ---------------------------------------------------------------- portal sessions

def login(srv, sms, phone):
    c = srv.client()
    n = len(sms.requests)
    bl.assert_ok(c.get(f"/v1/prelogin/phone/{phone}", token=None))
    code = sms_code(sms, n)
    return bl.assert_ok(c.get(f"/v1/login/phone/{phone}/{code}", token=None))["xtoken"]


def test_session_only_on_own_record(portal, sms):
    srv = portal()
    root = srv.client()
    mine, theirs = bl.phone(), bl.phone()
    my_tok = root.create_user({"phone": mine, "fname": "Me"})
    their_tok = root.create_user({"phone": theirs, "fname": "Them", "email": bl.email()})
    root.post(f"/v1/userapp/token/{their_tok}/shop", json={"x": 1})
    me = srv.client(token=login(srv, sms, mine))
    # own record: read, update, app data, sessions, consents, audit
    bl.assert_ok(me.get_user("token", my_tok))
    bl.assert_ok(me.get_user("phone", mine))
    bl.assert_ok(me.put_user("token", my_tok, {"city": "Oslo"}))
    assert root.user_data("token", my_tok)["city"] == "Oslo"
    for r in (me.get(f"/v1/userapp/token/{my_tok}"), me.get(f"/v1/sessions/token/{my_tok}"),
              me.get(f"/v1/agreements/token/{my_tok}")):
        bl.assert_ok(r)
    rows = bl.assert_ok(me.get(f"/v1/audit/list/{my_tok}?limit=100"))["rows"]
    assert any(r["title"] == "UserLogin" for r in rows)
    # another user's record: refused, and alike for a user that does not exist
    for r in (me.get_user("token", their_tok), me.get_user("phone", theirs),
              me.put_user("token", their_tok, {"city": "x"}),
              me.delete_user("token", their_tok),
              me.get(f"/v1/userapp/token/{their_tok}"),
              me.get(f"/v1/userapp/token/{their_tok}/shop"),
              me.get(f"/v1/sessions/token/{their_tok}"),
              me.get(f"/v1/agreements/token/{their_tok}"),
              me.get(f"/v1/audit/list/{their_tok}"),
              me.get_user("token", "00000000-0000-4000-8000-000000000000")):
        b = bl.assert_error(r, 403)
        assert b["message"] == "access denied"
    bl.assert_error(me.v2("UserGet", {"mode": "token", "identity": their_tok}), 403)
    # admin operations: refused
    bl.assert_error(me.post("/v1/user", json={"email": bl.email()}), 403)
    bl.assert_error(me.get("/v1/userapps"), 403)
    bl.assert_error(me.post("/v1/lbasis/x", json={}), 403)
    assert root.user_data("token", their_tok)["fname"] == "Them"


def test_logout_ends_the_session(portal, sms):
    srv = portal()
    root = srv.client()
    phone = bl.phone()
    tok = root.create_user({"phone": phone})
    x = login(srv, sms, phone)
    me = srv.client(token=x)
    bl.assert_ok(me.get_user("token", tok))
    assert bl.assert_ok(me.post("/v1/logout", json={})) == {"status": "ok", "result": "done"}
    bl.assert_error(me.get_user("token", tok), 401)
    bl.assert_error(me.v2("UserGet", {"mode": "token", "identity": tok}), 403)
    # v2 logout too
    me2 = srv.client(token=login(srv, sms, phone))
    bl.assert_ok(me2.v2("UserLogout", {}))
    bl.assert_error(me2.get_user("token", tok), 401)
    # the root token cannot "log out"
    bl.assert_error(root.post("/v1/logout", json={}), 400)


def test_forget_ends_portal_sessions(portal, sms):
    srv = portal()
    root = srv.client()
    phone = bl.phone()
    tok = root.create_user({"phone": phone})
    me = srv.client(token=login(srv, sms, phone))
    bl.assert_ok(me.delete_user("token", tok))
    bl.assert_error(me.get_user("token", tok), 401)
    bl.assert_not_found(root.get_user("token", tok))


def test_session_expires(portal, sms):
    srv = portal(session_ttl_s=3)
    root = srv.client()
    phone = bl.phone()
    tok = root.create_user({"phone": phone})
    me = srv.client(token=login(srv, sms, phone))
    bl.assert_ok(me.get_user("token", tok))
    time.sleep(4.1)
    bl.assert_error(me.get_user("token", tok), 401)


def test_nothing_in_clear_in_the_db(portal, sms, smtp):
    srv = portal()
    root = srv.client()
    phone = bl.phone()
    addr = bl.email("scan")
    root.create_user({"phone": phone, "email": addr})
    x = login(srv, sms, phone)
    n = len(smtp.messages)
    bl.assert_ok(root.get(f"/v1/prelogin/email/{bl.q(addr)}", token=None))
    code = email_code(smtp, addr, n)
    srv.stop()
    blob = b"".join(p.read_bytes() for p in srv.db_files())
    for secret in (x, code, phone, addr):
        assert secret.encode() not in blob, secret


# ---------------------------------------------------------------- captcha

FONT = {
    "0": [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e], "1": [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
    "2": [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f], "3": [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
    "4": [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02], "5": [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
    "6": [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e], "7": [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    "8": [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e], "9": [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
}


def read_captcha(png):
    """Reads the digits back from the server's captcha picture (its own font)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, w, h, idat = 8, 0, 0, b""
    while pos < len(png):
        n = int.from_bytes(png[pos:pos + 4], "big")
        kind = png[pos + 4:pos + 8]
        data = png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h = int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    raw = zlib.decompress(idat)
    px = [raw[y * (w + 1) + 1:(y + 1) * (w + 1)] for y in range(h)]
    dark = lambda x, y: px[y][x] < 100  # noqa: E731
    cols = [x for x in range(w) if any(dark(x, y) for y in range(h))]
    digits, x = "", 10
    while x + 20 <= w:
        if not any(dark(xx, y) for xx in range(x, x + 20) for y in range(h)):
            x += 28
            continue
        top = min(y for y in range(h) for xx in range(x, x + 20) if dark(xx, y))
        glyph = [sum(1 << (4 - gx) for gx in range(5) if dark(x + gx * 4 + 1, top + gy * 4 + 1))
                 for gy in range(7)]
        # a glyph whose top row is empty starts lower: try the offsets that fit
        for d, rows in FONT.items():
            for shift in range(0, 2):
                if [r for r in rows[shift:]] == glyph[:7 - shift]:
                    digits += d
                    break
            else:
                continue
            break
        x += 28
    assert cols
    return digits


def test_captcha_required_when_configured(portal, sms):
    srv = portal(captcha=True)
    c = srv.client()
    phone = bl.phone()
    c.create_user({"phone": phone})
    conf = bl.assert_ok(c.get("/v1/ui/conf", token=None))
    assert conf["login"]["captcha"] is True
    b = bl.assert_error(c.get(f"/v1/prelogin/phone/{phone}", token=None), 400)
    assert b["message"] == "captcha required"
    cap = bl.assert_ok(c.v2("CaptchaCreate", {}, token=None))
    assert set(cap) == {"status", "captchacode", "captchaurl"}
    assert cap["captchaurl"] == "/v1/captcha/" + cap["captchacode"]
    r = c.get(cap["captchaurl"], token=None)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    digits = read_captcha(r.content)
    assert re.fullmatch(r"\d{6}", digits), digits
    wrong = "000000" if digits != "000000" else "111111"
    b = bl.assert_error(c.get(f"/v1/prelogin/phone/{phone}/{wrong}/{cap['captchacode']}",
                              token=None), 400)
    assert b["message"] == "wrong captcha"
    assert not sms.requests
    bl.assert_ok(c.get(f"/v1/prelogin/phone/{phone}/{digits}/{cap['captchacode']}", token=None))
    sms_code(sms)
    bl.assert_ok(c.v2("UserPrelogin", {"mode": "phone", "identity": phone, "code": digits,
                                       "captchacode": cap["captchacode"]}, token=None))
    bl.assert_not_found(c.get("/v1/captcha/abcdef", token=None))
    bl.assert_not_found(c.get("/v1/captcha/" + "00" * 46, token=None))


def test_ui_conf_branding(server_factory):
    srv = server_factory(conf="ui:\n  company_title: \"Acme Ltd\"\n"
                              "  logo_link: \"https://cdn.acme.test/logo.png\"\n"
                              "  privacy_policy_link: \"https://acme.test/privacy\"\n")
    srv.init()
    srv.start()
    c = srv.client()
    b = bl.assert_ok(c.get("/v1/ui/conf", token=None))
    assert b["ui"]["company_title"] == "Acme Ltd"
    assert b["ui"]["privacy_policy_link"] == "https://acme.test/privacy"
    assert b["ui"]["company_vat"] is None
    assert b["login"]["demo"] is False
    b2 = bl.assert_ok(c.v2("TenantGetUIConf", {}, token=None))
    assert b2 == b
    r = c.get("/", token=None)
    assert "img-src 'self' data: https://cdn.acme.test;" in r.headers["Content-Security-Policy"]


# ---------------------------------------------------------------- static UI

def test_static_ui_served_with_security_headers(api):
    r = api.get("/", token=None)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = r.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self';") and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert '<script type="module" src="/js/main.js">' in r.text
    for path, ctype in (("/js/main.js", "text/javascript; charset=utf-8"),
                        ("/app.css", "text/css; charset=utf-8"),
                        ("/favicon.svg", "image/svg+xml")):
        r = api.get(path, token=None)
        assert r.status_code == 200 and r.headers["Content-Type"] == ctype, path
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    # app routes get the page; unknown files and traversal get 404
    assert api.get("/portal", token=None).text == api.get("/", token=None).text
    assert api.get("/admin/users", token=None).text == api.get("/", token=None).text
    host, port = api.base.split("//")[1].split(":")
    for bad in ("/nope.js", "/js/../index.html", "/../etc/passwd", "/%2e%2e/etc/passwd",
                "/..%2f..%2fetc/passwd", "/js/missing.js", "//etc/passwd", "/js/..\\main.js"):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", bad)
        r = conn.getresponse()
        r.read()
        conn.close()
        assert r.status == 404, bad
    # API paths keep answering as the API
    bl.assert_not_found(api.get("/v1/nosuchthing", token=None))
    assert api.get("/status", token=None).status_code == 200
    assert api.post("/", token=None).status_code in (404, 405)


def test_session_delete_request_on_own_record_only(portal, sms):
    srv = portal()
    root = srv.client()
    mine, theirs = bl.phone(), bl.phone()
    my_tok = root.create_user({"phone": mine})
    their_tok = root.create_user({"phone": theirs})
    me = srv.client(token=login(srv, sms, mine))
    r = me.v2("UserDeleteRequest", {"mode": "token", "identity": my_tok})
    if r.status_code in (404, 501):
        pytest.skip("this server has no data-subject requests")
    bl.assert_ok(r)
    rows = bl.assert_ok(me.get(f"/v1/requests/token/{my_tok}"))["rows"]
    assert [q["action"] for q in rows] == ["forget-me"] or len(rows) == 1
    b = bl.assert_error(me.v2("UserDeleteRequest", {"mode": "token", "identity": their_tok}), 403)
    assert b["message"] == "access denied"
    bl.assert_error(me.get(f"/v1/requests/token/{their_tok}"), 403)
    # approving is for the DPO, not the user
    bl.assert_error(me.post(f"/v1/request/{rows[0]['rtoken']}", json={}), 403)
    bl.assert_error(me.get("/v1/requests?status=open"), 403)
