"""System* calls: stats, cross-tenant profiles (get, search, delete, restore)
behind a bulk unlock id, the user report (JSON and HTML), and the wrapping
key call on a vault without a wrapping key (test_wrapping.py has the rest)."""

import time
import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok


@pytest.fixture
def unlocks(request):
    """For tests behind a bulk unlock id: on a database server whose access
    family (BulkListUnlock) is not ported yet, skip with that reason instead
    of failing; SQLite always runs them."""
    if bl.store_kind() != "sqlite":
        r = request.getfixturevalue("api").v2("BulkListUnlock", {})
        if r.status_code == 501:
            pytest.skip(f"BulkListUnlock (the access family) is not ported to "
                        f"{bl.store_kind()} yet")


def test_stats_counts_users(fresh_server):
    # a server of its own: the shared one holds the tenants other files made
    server = fresh_server
    api = server.client()
    b = assert_ok(api.v2("SystemGetSystemStats", {}))
    assert set(b) == {"status", "stats"}
    # every backend counts every family
    assert set(b["stats"]) == {"numusers", "numtenants", "numsessions", "numagreements",
                               "numopenrequests", "numtokens"}
    n = b["stats"]["numusers"]
    assert b["stats"]["numtenants"] == 1
    api.create_user(bl.profile())
    tok = api.create_user(bl.profile())
    assert assert_ok(api.v2("SystemGetSystemStats", {}))["stats"]["numusers"] == n + 2
    assert_ok(api.delete_user("token", tok))
    assert assert_ok(api.v2("SystemGetSystemStats", {}))["stats"]["numusers"] == n + 1
    # an empty body is {}
    assert_ok(api.raw("POST", "/v2/SystemGetSystemStats", b""))
    for c in (server.client(token=None), server.client(token="nope")):
        assert_error(c.v2("SystemGetSystemStats", {}), 403)


def make_family_rows(c, users, sessions, expired, agreements, requests, cancelled, xtokens):
    """Through client <c> (one tenant): <users> users, and on them <sessions>
    live sessions plus <expired> ones that expire in a second, <agreements>
    agreements, <requests> update requests of which <cancelled> are cancelled,
    <xtokens> user access tokens. Returns the user tokens."""
    toks = [c.create_user(bl.profile()) for _ in range(users)]
    brief = bl.brief()
    assert_ok(c.v2("LegalBasisCreate", {"brief": brief}))
    for i in range(sessions + expired):
        body = {"mode": "token", "identity": toks[i % users], "sessiondata": {"n": i},
                "sessionuuid": str(uuid.uuid4())}
        if i >= sessions:
            body["slidingtime"] = "1s"
        assert_ok(c.v2("SessionUpsert", body))
    for i in range(agreements):
        assert_ok(c.v2("AgreementAccept", {"mode": "token", "identity": toks[i],
                                           "brief": brief}))
    for i in range(requests):
        r = assert_ok(c.v2("UserUpdateRequest", {"mode": "token", "identity": toks[i % users],
                                                 "profile": {"fname": f"F{i}"}}))
        if i < cancelled:
            assert_ok(c.v2("UserRequestCancel", {"requestuuid": r["requestuuid"]}))
    for i in range(xtokens):
        bl.xtoken_for_user(c, toks[i % users])
    return toks


def test_stats_family_counts_exact(fresh_server):
    """The per-family counters on every backend, summed over the tenants
    (on PostgreSQL one tenant at a time under row-level security)."""
    srv = fresh_server
    api = srv.client()
    zero = {"numusers": 0, "numtenants": 1, "numsessions": 0, "numagreements": 0,
            "numopenrequests": 0, "numtokens": 0}
    assert assert_ok(api.v2("SystemGetSystemStats", {}))["stats"] == zero
    toks = make_family_rows(api, users=3, sessions=4, expired=2, agreements=3, requests=3,
                            cancelled=1, xtokens=2)
    _, _, xt = bl.create_tenant(api)
    make_family_rows(srv.client(token=xt), users=2, sessions=1, expired=1, agreements=2,
                     requests=2, cancelled=0, xtokens=1)
    time.sleep(2.2)      # a 1 s life ends within 2 s
    want = {"numusers": 5, "numtenants": 2, "numsessions": 5, "numagreements": 5,
            "numopenrequests": 4, "numtokens": 3}
    assert assert_ok(api.v2("SystemGetSystemStats", {}))["stats"] == want
    # the counts follow the data: a forgotten user takes their rows with them
    assert_ok(api.delete_user("token", toks[0]))
    # (its sessions 0 and 3, its agreement, its cancelled request, its token)
    want.update(numusers=4, numsessions=3, numagreements=4, numtokens=2)
    assert assert_ok(api.v2("SystemGetSystemStats", {}))["stats"] == want


@pytest.mark.usefixtures("unlocks")
def test_bulk_unlock_ids_are_fresh_uuids(api, server):
    a, b = bl.bulk_unlock(api), bl.bulk_unlock(api)
    assert a != b
    assert_error(server.client(token=None).v2("BulkListUnlock", {}), 403)


@pytest.mark.usefixtures("unlocks")
def test_get_user_profiles(api):
    p = bl.profile()
    tok = api.create_user(p)
    u = bl.bulk_unlock(api)
    for mode in ("email", "phone", "login", "custom"):
        b = assert_ok(api.v2("SystemGetUserProfiles",
                             {"mode": mode, "identity": p[mode], "unlockuuid": u}))
        assert set(b) == {"status", "total", "rows"}
        assert b["total"] == 1
        assert b["rows"] == [{"token": tok, "profile": p, "tenantid": 0,
                              "tenantname": "default"}]
    # the read is audited in the user's trail
    titles = [e["title"] for e in api.audit_rows(tok)["rows"]]
    assert titles.count("SystemGetUserProfiles") == 4
    # nobody with that identity: an empty answer, not an error
    b = assert_ok(api.v2("SystemGetUserProfiles",
                         {"mode": "email", "identity": bl.email("none"), "unlockuuid": u}))
    assert b["total"] == 0 and b["rows"] == []


@pytest.mark.parametrize("body,status,needle", [
    ({"mode": "token", "identity": "0a8ac2a7-cc40-4b88-a48e-2f3c0bd1d2c1"}, 400, "token mode"),
    ({"mode": "bogus", "identity": "x"}, 400, "bad mode"),
    ({"mode": "email"}, 400, "missing identity"),
    ({"mode": "email", "identity": "not-an-email"}, 400, "invalid email"),
])
@pytest.mark.usefixtures("unlocks")
def test_get_user_profiles_bad_input(api, body, status, needle):
    body = dict(body, unlockuuid=bl.bulk_unlock(api))
    b = assert_error(api.v2("SystemGetUserProfiles", body), status)
    assert needle in b["message"], b


@pytest.mark.usefixtures("unlocks")
def test_unlock_is_required_and_checked(api, server):
    p = bl.profile()
    api.create_user(p)
    q = {"mode": "email", "identity": p["email"]}
    b = assert_error(api.v2("SystemGetUserProfiles", q), 400)
    assert "unlockuuid" in b["message"]
    assert_error(api.v2("SystemGetUserProfiles", dict(q, unlockuuid="x")), 400)
    b = assert_error(api.v2("SystemGetUserProfiles",
                            dict(q, unlockuuid="0a8ac2a7-cc40-4b88-a48e-2f3c0bd1d2c1")), 403)
    assert "unknown or expired" in b["message"]
    for call in ("SystemSearchUserProfiles", "SystemDeleteUserProfiles",
                 "SystemRestoreUserProfile"):
        assert_error(api.v2(call, {"identity": p["email"], "mode": "email",
                                   "token": "0a8ac2a7-cc40-4b88-a48e-2f3c0bd1d2c1",
                                   "tenantid": 0}), 400)
    # the unlock id does not replace the token
    u = bl.bulk_unlock(api)
    assert_error(server.client(token=None).v2("SystemGetUserProfiles", dict(q, unlockuuid=u)),
                 403)


@pytest.mark.usefixtures("unlocks")
def test_unlock_expires(server_factory):
    # a 2 s ttl lives at least 2 s and at most 3 (whole seconds; test_ttl.py)
    srv = server_factory(conf="bulk:\n  unlock_ttl_seconds: 2\n")
    srv.init()
    srv.start()
    api = srv.client()
    p = bl.profile()
    api.create_user(p)
    u = bl.bulk_unlock(api)
    q = {"mode": "login", "identity": p["login"], "unlockuuid": u}
    assert assert_ok(api.v2("SystemGetUserProfiles", q))["total"] == 1
    time.sleep(3.2)
    b = assert_error(api.v2("SystemGetUserProfiles", q), 403)
    assert "expired" in b["message"]


@pytest.mark.usefixtures("unlocks")
def test_search_user_profiles(api):
    p = bl.profile()
    tok = api.create_user(p)
    u = bl.bulk_unlock(api)
    for ident in (p["email"], p["email"].upper(), p["login"], p["phone"], p["custom"]):
        b = assert_ok(api.v2("SystemSearchUserProfiles", {"identity": ident, "unlockuuid": u}))
        assert set(b) == {"status", "rows"}
        assert b["rows"] == [{"token": tok, "profile": p, "tenantid": 0,
                              "tenantname": "default"}], ident
    b = assert_ok(api.v2("SystemSearchUserProfiles",
                         {"identity": "nobody-" + bl.uid(), "unlockuuid": u}))
    assert b["rows"] == []
    assert_error(api.v2("SystemSearchUserProfiles", {"unlockuuid": u}), 400)
    assert_error(api.v2("SystemSearchUserProfiles", {"identity": "", "unlockuuid": u}), 400)


@pytest.mark.usefixtures("unlocks")
def test_search_finds_a_user_once_when_two_indexes_match(api):
    same = "same-" + bl.uid()
    p = {"login": same, "custom": same}
    tok = api.create_user(p)
    u = bl.bulk_unlock(api)
    b = assert_ok(api.v2("SystemSearchUserProfiles", {"identity": same, "unlockuuid": u}))
    assert [r["token"] for r in b["rows"]] == [tok]


@pytest.mark.usefixtures("unlocks")
def test_delete_and_restore_user_profiles(api):
    p = bl.profile()
    tok = api.create_user(p)
    u = bl.bulk_unlock(api)
    b = assert_ok(api.v2("SystemDeleteUserProfiles",
                         {"mode": "email", "identity": p["email"], "unlockuuid": u}))
    assert b == {"status": "ok", "total": 1,
                 "rows": [{"token": tok, "tenantid": 0, "tenantname": "default"}]}
    assert_not_found(api.get_user("token", tok))
    assert_not_found(api.get_user("email", p["email"]))
    # the second time nothing matches
    assert_not_found(api.v2("SystemDeleteUserProfiles",
                            {"mode": "email", "identity": p["email"], "unlockuuid": u}))
    # restore by token and tenant
    u = bl.bulk_unlock(api)   # an unlock id serves one operation
    b = assert_ok(api.v2("SystemRestoreUserProfile",
                         {"token": tok, "tenantname": "default", "unlockuuid": u}))
    assert b == {"status": "ok", "result": "restored", "token": tok, "profile": p}
    assert api.user_data("email", p["email"]) == p
    assert api.user_data("token", tok) == p
    # restoring an active user is a conflict
    u = bl.bulk_unlock(api)   # an unlock id serves one operation
    b = assert_error(api.v2("SystemRestoreUserProfile",
                            {"token": tok, "tenantid": 0, "unlockuuid": u}), 409)
    titles = [e["title"] for e in api.audit_rows(tok)["rows"]]
    assert "SystemDeleteUserProfiles" in titles and "SystemRestoreUserProfile" in titles


@pytest.mark.usefixtures("unlocks")
def test_delete_by_token_needs_a_tenant(api):
    p = bl.profile()
    tok = api.create_user(p)
    u = bl.bulk_unlock(api)
    b = assert_error(api.v2("SystemDeleteUserProfiles",
                            {"mode": "token", "identity": tok, "unlockuuid": u}), 400)
    assert "tenantid or tenantname" in b["message"]
    assert_error(api.v2("SystemDeleteUserProfiles",
                        {"mode": "token", "identity": tok, "tenantname": "nosuch",
                         "unlockuuid": u}), 404)
    assert_error(api.v2("SystemDeleteUserProfiles",
                        {"mode": "token", "identity": tok, "tenantid": -1,
                         "unlockuuid": u}), 400)
    assert_error(api.v2("SystemDeleteUserProfiles",
                        {"mode": "token", "identity": tok, "tenantid": 0,
                         "tenantname": "other", "unlockuuid": u}), 404)
    assert api.user_data("token", tok) == p
    assert_ok(api.v2("SystemDeleteUserProfiles",
                     {"mode": "token", "identity": tok, "tenantid": 0, "unlockuuid": u}))
    assert_not_found(api.get_user("token", tok))


@pytest.mark.usefixtures("unlocks")
def test_restore_fails_when_identity_was_taken(api):
    p = bl.profile()
    tok = api.create_user(p)
    u = bl.bulk_unlock(api)
    assert_ok(api.v2("SystemDeleteUserProfiles",
                     {"mode": "login", "identity": p["login"], "unlockuuid": u}))
    other = api.create_user({"login": p["login"]})
    u = bl.bulk_unlock(api)   # an unlock id serves one operation
    b = assert_error(api.v2("SystemRestoreUserProfile",
                            {"token": tok, "tenantid": 0, "unlockuuid": u}), 409)
    assert b["message"] == "user with this login already exists"
    assert_not_found(api.get_user("token", tok))
    assert api.user_data("login", p["login"]) == {"login": p["login"]}
    assert_ok(api.delete_user("token", other))
    u = bl.bulk_unlock(api)   # an unlock id serves one operation
    assert_ok(api.v2("SystemRestoreUserProfile", {"token": tok, "tenantid": 0, "unlockuuid": u}))


@pytest.mark.usefixtures("unlocks")
def test_forgetting_a_removed_user_is_final(api):
    p = bl.profile()
    tok = api.create_user(p)
    u = bl.bulk_unlock(api)
    assert_ok(api.v2("SystemDeleteUserProfiles",
                     {"mode": "email", "identity": p["email"], "unlockuuid": u}))
    assert_ok(api.delete_user("token", tok))
    u = bl.bulk_unlock(api)   # an unlock id serves one operation
    assert_not_found(api.v2("SystemRestoreUserProfile",
                            {"token": tok, "tenantid": 0, "unlockuuid": u}))


@pytest.mark.parametrize("body,status", [
    ({}, 400),
    ({"token": "x", "tenantid": 0}, 400),
    ({"token": "0a8ac2a7-cc40-4b88-a48e-2f3c0bd1d2c1"}, 400),
    ({"token": "0a8ac2a7-cc40-4b88-a48e-2f3c0bd1d2c1", "tenantid": 0}, 404),
    ({"token": "0a8ac2a7-cc40-4b88-a48e-2f3c0bd1d2c1", "tenantid": "x"}, 400),
])
@pytest.mark.usefixtures("unlocks")
def test_restore_bad_input(api, body, status):
    r = api.v2("SystemRestoreUserProfile", dict(body, unlockuuid=bl.bulk_unlock(api)))
    b = assert_error(r, status)
    if status == 404:
        assert b["message"] == "not found"


def test_user_report(api):
    p = bl.profile(note="<script>alert('x')</script> & co")
    tok = api.create_user(p)
    assert_ok(api.put_user("token", tok, {"fname": "Changed"}))
    want = dict(p, fname="Changed")
    for mode in ("token", "email", "login"):
        b = assert_ok(api.v2("SystemGetUserReport", {"mode": mode, "identity": want[mode]
                                                     if mode != "token" else tok}))
        rep = b["report"]
        assert list(rep)[:3] == ["token", "created", "updated"]
        assert rep["token"] == tok
        assert rep["profile"] == want
        ev = rep["audit"]["events"]
        assert rep["audit"]["total"] == len(ev)
        assert ev[-1]["action"] == "UserCreate"
        upd = [e for e in ev if e["action"] == "UserUpdate"][0]
        assert upd["details"]["after"]["fname"] == "Changed"
        assert upd["details"]["before"]["fname"] == "Test"
    # the report reads are audited too
    titles = [e["title"] for e in api.audit_rows(tok)["rows"]]
    assert titles.count("SystemGetUserReport") == 3


def test_user_html_report_escapes(api):
    p = bl.profile(note="<script>alert('x')</script> & co")
    tok = api.create_user(p)
    b = assert_ok(api.v2("SystemGetUserHTMLReport", {"mode": "token", "identity": tok}))
    assert set(b) == {"status", "html"}
    html = b["html"]
    assert html.startswith("<!DOCTYPE html>")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert p["email"] in html and tok in html
    assert "<h2>profile</h2>" in html and "<h2>audit</h2>" in html


@pytest.mark.parametrize("call", ["SystemGetUserReport", "SystemGetUserHTMLReport"])
def test_user_report_errors(api, server, call):
    assert_not_found(api.v2(call, {"mode": "email", "identity": bl.email("nobody")}))
    assert_error(api.v2(call, {"mode": "email"}), 400)
    assert_error(api.v2(call, {"mode": "x", "identity": "y"}), 400)
    assert_error(server.client(token=None).v2(call, {"mode": "email", "identity": "a@b.c"}), 403)


def test_report_of_deleted_user_is_404(api):
    p = bl.profile()
    tok = api.create_user(p)
    assert_ok(api.delete_user("token", tok))
    assert_not_found(api.v2("SystemGetUserReport", {"mode": "token", "identity": tok}))


def test_generate_wrapping_key_needs_a_wrapping_key(api, server):
    # the session server's master key is given directly: there are no shares
    body = {"key1": "a", "key2": "b", "key3": "c"}
    b = assert_error(api.v2("SystemGenerateWrappingKey", body), 409)
    assert b["message"].startswith("this vault has no wrapping key")
    assert_error(server.client(token=None).v2("SystemGenerateWrappingKey", body), 403)
