"""No secrets or personal data in logs. Named to run after the rest of the API
suite: it scans the session server's log, by then written by every other test,
for e-mail addresses, phone numbers, names, logins and custom indexes of the
shapes bunkerlib creates, and for the root token and master key. A second
server at log level debug runs every user call, good and bad, and its log is
held to the same rule."""

import re

import bunkerlib as bl
from bunkerlib import assert_ok

PII = [
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}")),
    ("phone", re.compile(r"(?<![0-9A-Za-z])1[0-9]{10}(?![0-9A-Za-z])")),  # not inside a hex request id
    ("last name", re.compile(r"User-[0-9a-f]{12}")),
    ("login", re.compile(r"login-[0-9a-f]{12}")),
    ("custom index", re.compile(r"cust-[0-9a-f]{12}")),
]


def leaks(srv, text):
    found = []
    for what, rx in PII:
        found += [f"{what}: {m}" for m in rx.findall(text)[:5]]
    for what, secret in (("root token", srv.token), ("master key", srv.masterkey)):
        if secret and secret.lower() in text.lower():
            found.append(what)
    return found


def all_logs(srv):
    return "\n".join(p.read_text(errors="replace")
                     for p in sorted(srv.workdir.glob("server-*.log")) +
                     sorted(srv.workdir.glob("server-*.out")))


def test_session_server_log_has_no_pii_or_secrets(server, api):
    # make sure the log has seen personal data in this very session
    p = bl.profile()
    tok = api.create_user(p)
    assert_ok(api.get_user("email", p["email"]))
    bl.assert_error(api.post("/v1/user", json={"email": p["email"]}), 409)
    text = all_logs(server)
    assert text.strip(), "the session server wrote no log at all"
    assert not leaks(server, text), leaks(server, text)
    assert_ok(api.delete_user("token", tok))


def test_debug_log_has_no_pii_or_secrets(server_factory):
    srv = server_factory(conf="log:\n  level: debug\n")
    srv.init()
    srv.start()
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    for mode in ("token", "email", "phone", "login", "custom"):
        assert_ok(api.get_user(mode, tok if mode == "token" else p[mode]))
    assert_ok(api.put_user("email", p["email"], {"fname": "Changed"}))
    bl.assert_error(api.post("/v1/user", json={"email": p["email"]}), 409)
    bl.assert_error(api.put_user("token", tok, {"phone": "not a phone"}), 400)
    bl.assert_not_found(api.get_user("email", bl.email()))
    bl.assert_error(api.get_user("email", p["email"], token=bl.uid()), 401)
    bl.assert_error(api.post("/v1/user", data=b"{bad", headers={"Content-Type":
                                                                  "application/json"}), 400)
    assert_ok(api.v2("UserGet", {"mode": "login", "identity": p["login"]}))
    assert_ok(api.delete_user("login", p["login"]))
    srv.stop()
    text = all_logs(srv)
    assert not leaks(srv, text), leaks(srv, text)
