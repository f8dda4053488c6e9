"""CLI: -init (once only, generated values), restart with the same master key,
refusal of a wrong master key."""

import re
import secrets

import pytest

import bunkerlib as bl
from bunkerlib import assert_ok

pytestmark = pytest.mark.slow


def _populate(api, n=5):
    users = []
    for _ in range(n):
        p = bl.profile()
        tok = api.create_user(p)
        users.append((tok, p))
    tok, p = users[0]
    assert_ok(api.put_user("token", tok, {"fname": "Updated", "age": None}))
    p = dict(p, fname="Updated")
    del p["age"]
    users[0] = (tok, p)
    tok, p = users[-1]
    assert_ok(api.delete_user("token", tok))
    users[-1] = (tok, None)
    return users


def _verify(api, users):
    for tok, p in users:
        if p is None:
            bl.assert_not_found(api.get_user("token", tok))
            continue
        for mode in ("token", "email", "phone", "login", "custom"):
            b = assert_ok(api.get_user(mode, tok if mode == "token" else p[mode]))
            assert b["token"] == tok
            assert b["data"] == p
        assert assert_ok(api.audit_list(tok))["total"] >= 1


def test_data_survives_restart(server_factory):
    srv = server_factory()
    srv.init()
    srv.start()
    users = _populate(srv.client())
    n_audit = assert_ok(srv.client().audit_list(users[0][0]))["total"]
    srv.stop()

    srv.start()
    api = srv.client()
    _verify(api, users)
    assert assert_ok(api.audit_list(users[0][0]))["total"] >= n_audit
    # still writable, uniqueness still enforced across the restart
    bl.assert_error(api.post("/v1/user", json={"email": users[1][1]["email"]}), 409)
    api.create_user(bl.profile())
    srv.stop()

    srv.start()
    _verify(srv.client(), users)


def test_sigterm_stops_server_promptly(server_factory):
    srv = server_factory()
    srv.init()
    srv.start()
    srv.client().create_user(bl.profile())
    rc, killed = srv.stop(timeout=10)
    assert not killed, "server ignored SIGTERM for 10 s"


@pytest.mark.parametrize("kind", ["other-valid-key", "short", "not-hex", "empty", "missing"])
def test_wrong_master_key_exits_with_message(server_factory, kind):
    srv = server_factory()
    srv.init()
    srv.start()
    users = _populate(srv.client(), 3)
    srv.stop()

    wrong = {
        "other-valid-key": secrets.token_hex(32),
        "short": srv.masterkey[:32],
        "not-hex": "zz" * 32,
        "empty": "",
        "missing": None,
    }[kind]
    rc, log, served = srv.start_expect_exit(masterkey=wrong, timeout=10)
    assert rc is not None, "server kept running with a wrong master key"
    assert rc != 0
    assert not served, "server answered /status with a wrong master key"
    assert "master key" in log.lower(), f"stderr does not mention the master key:\n{log}"

    # the db is untouched: the right key still opens it
    srv.start()
    _verify(srv.client(), users)


def test_init_twice_fails_and_keeps_data(server_factory):
    srv = server_factory()
    srv.init()
    srv.start()
    users = _populate(srv.client(), 3)
    srv.stop()

    cp = srv.run_init()
    assert cp.returncode != 0
    assert (cp.stdout + cp.stderr).strip(), "no message from the second -init"
    cp = srv.run_init(masterkey=secrets.token_hex(32), roottoken="other")
    assert cp.returncode != 0

    srv.start()
    _verify(srv.client(), users)
    bl.assert_error(srv.client(token="other").get_user("token", users[0][0]), 401)


def test_init_with_given_values_prints_no_secrets(server_factory):
    srv = server_factory()
    cp = srv.init()
    out = cp.stdout + cp.stderr
    assert "Master key" not in out
    assert "API Root token" not in out
    assert srv.masterkey not in out
    assert srv.token not in out


def test_init_generates_values_when_not_given(server_factory):
    srv = server_factory()
    cp = srv.run_init(masterkey=None, roottoken=None)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    out = cp.stdout + cp.stderr
    assert "Master key" in out, out
    assert "API Root token" in out, out
    mk = re.search(r"Master key\W*([0-9a-fA-F]{48,64})\b", out)
    rt = re.search(r"API Root token\W*([0-9A-Za-z][0-9A-Za-z_\-]{7,})", out)
    assert mk and rt, out
    srv.masterkey = mk.group(1)
    srv.token = rt.group(1)
    srv.start()
    api = srv.client()
    p = bl.profile()
    tok = api.create_user(p)
    assert api.user_data("token", tok) == p
    bl.assert_error(srv.client(token=None).get_user("token", tok), 401)


def test_init_only_given_master_key_generates_token(server_factory):
    srv = server_factory()
    cp = srv.run_init(roottoken=None)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    out = cp.stdout + cp.stderr
    assert "Master key" not in out
    assert srv.masterkey not in out
    rt = re.search(r"API Root token\W*([0-9A-Za-z][0-9A-Za-z_\-]{7,})", out)
    assert rt, out
    srv.token = rt.group(1)
    srv.start()
    srv.client().create_user(bl.profile())
