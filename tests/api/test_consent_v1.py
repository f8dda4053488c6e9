"""/v1 consents (the spec's /v1/consent routes) and the released server's
/v1/agreement, /v1/agreements routes."""

import calendar
import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, maybe_json, q

MODES = ["token", "email", "phone", "login", "custom"]
TEXT = ["message", "freetext", "who", "lawfulbasis", "module", "agreementmethod",
        "referencecode", "lastmodifiedby"]
CONSENT_KEYS = {"brief", "status", "token", "starttime", "endtime", "created", "updated",
                "when", *TEXT}


def new_user(api):
    p = bl.profile()
    return api.create_user(p), p


def get_consent(api, mode, ident, brief):
    r = api.get(bl.consent_path(mode, ident, brief))
    return assert_ok(r)["consent"]


@pytest.mark.parametrize("mode", MODES)
def test_accept_get_list_by_each_mode(api, mode):
    tok, p = new_user(api)
    ident = bl.user_ident(mode, tok, p)
    brief = bl.brief()
    before = int(time.time())
    b = assert_ok(api.post(bl.consent_path(mode, ident, brief),
                           json={"message": "Optional long text here", "who": "web"}))
    assert b == {"status": "ok"}
    c = get_consent(api, mode, ident, brief)
    assert set(c) == CONSENT_KEYS
    assert c["brief"] == brief
    assert c["status"] == "accept"
    assert c["token"] == tok
    assert c["message"] == "Optional long text here"
    assert c["who"] == "web"
    assert c["lawfulbasis"] == "consent"
    assert c["module"] == "api"
    assert c["freetext"] == c["referencecode"] == c["lastmodifiedby"] == ""
    assert c["starttime"] == 0 and c["endtime"] == 0
    assert before - 2 <= c["created"] <= int(time.time()) + 2
    assert c["updated"] == c["when"] == c["created"]
    lst = assert_ok(api.get(bl.consent_path(mode, ident)))
    assert lst["total"] == 1
    assert lst["consents"] == [c]


def test_form_body_with_every_field(api):
    tok, p = new_user(api)
    brief = bl.brief()
    start = int(time.time()) - 100
    form = {"status": "accept", "message": "form message", "freetext": "form free",
            "who": "call-center", "starttime": str(start), "endtime": "10d",
            "lawfulbasis": "contract-agreement", "module": "phone-consent",
            "referencecode": "REF-1", "lastmodifiedby": "agent smith",
            "agreementmethod": "checkbox"}
    now = int(time.time())
    assert_ok(api.post(bl.consent_path("email", p["email"], brief), data=form))
    c = get_consent(api, "login", p["login"], brief)
    for k in ("message", "freetext", "who", "lawfulbasis", "module", "referencecode",
              "lastmodifiedby", "agreementmethod"):
        assert c[k] == form[k], k
    assert c["status"] == "accept"
    assert c["starttime"] == start
    assert now + 10 * 86400 - 5 <= c["endtime"] <= now + 10 * 86400 + 5


def test_json_times_as_numbers_and_iso_date(api):
    tok, p = new_user(api)
    b1, b2 = bl.brief(), bl.brief()
    end = int(time.time()) + 3600
    assert_ok(api.post(bl.consent_path("token", tok, b1), json={"endtime": end}))
    assert get_consent(api, "token", tok, b1)["endtime"] == end
    assert_ok(api.post(bl.consent_path("token", tok, b2), json={"endtime": "2099-01-02T03:04:05Z"}))
    assert get_consent(api, "token", tok, b2)["endtime"] == calendar.timegm((2099, 1, 2, 3, 4, 5))


def test_implicit_legal_basis_with_defaults(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    assert_ok(api.post(bl.consent_path("token", tok, brief),
                       json={"lawfulbasis": "legal-obligations", "module": "web-consent"}))
    rows = assert_ok(api.get("/v1/lbasis"))["rows"]
    lb = [r for r in rows if r["brief"] == brief]
    assert len(lb) == 1
    lb = lb[0]
    assert lb["status"] == "active"
    assert lb["basistype"] == "legal-obligations"
    assert lb["module"] == "web-consent"
    assert lb["requiredflag"] is False and lb["usercontrol"] is True
    assert lb["shortdesc"] == lb["fulldesc"] == lb["requiredmsg"] == ""


def test_reaccept_replaces_and_keeps_created(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    assert_ok(api.post(bl.consent_path("token", tok, brief), json={"message": "first",
                                                                    "who": "a"}))
    c1 = get_consent(api, "token", tok, brief)
    assert_ok(api.post(bl.consent_path("token", tok, brief), json={"message": "second"}))
    c2 = get_consent(api, "token", tok, brief)
    assert c2["message"] == "second"
    assert c2["who"] == ""
    assert c2["created"] == c1["created"]
    assert assert_ok(api.get(bl.consent_path("token", tok)))["total"] == 1


def test_post_with_status_cancel(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    assert_ok(api.post(bl.consent_path("token", tok, brief), json={"status": "cancel"}))
    assert get_consent(api, "token", tok, brief)["status"] == "cancel"


def test_expired_and_pending_on_read(api):
    tok, _ = new_user(api)
    now = int(time.time())
    old, future = bl.brief(), bl.brief()
    assert_ok(api.post(bl.consent_path("token", tok, old),
                       json={"starttime": now - 100, "endtime": now - 10}))
    assert_ok(api.post(bl.consent_path("token", tok, future),
                       json={"starttime": str(now + 3600)}))
    assert get_consent(api, "token", tok, old)["status"] == "expired"
    assert get_consent(api, "token", tok, future)["status"] == "pending"
    rows = assert_ok(api.get(bl.consent_path("token", tok)))["consents"]
    assert {r["brief"]: r["status"] for r in rows} == {old: "expired", future: "pending"}
    r = api.v2("AgreementGet", {"mode": "token", "identity": tok, "brief": old})
    assert assert_ok(r)["agreement"]["status"] == "expired"


@pytest.mark.parametrize("mode", ["token", "email", "phone", "login"])
def test_withdraw_keeps_record_and_is_audited(api, mode):
    tok, p = new_user(api)
    ident = bl.user_ident(mode, tok, p)
    brief = bl.brief()
    assert_ok(api.post(bl.consent_path(mode, ident, brief), json={"message": "keep me"}))
    r = api.delete(bl.consent_path(mode, ident, brief), json={"lastmodifiedby": "dpo"})
    assert assert_ok(r) == {"status": "ok"}
    c = get_consent(api, mode, ident, brief)
    assert c["status"] == "cancel"
    assert c["message"] == "keep me"
    assert c["lastmodifiedby"] == "dpo"
    rows = assert_ok(api.audit_list(tok))["rows"]
    wd = [e for e in rows if e["title"] == "AgreementCancel"]
    assert len(wd) == 1 and wd[0]["status"] == "ok" and wd[0]["record"] == tok
    ev = assert_ok(api.audit_get(wd[0]["atoken"]))["event"]
    assert maybe_json(ev["before"])["status"] == "accept"
    assert maybe_json(ev["after"])["status"] == "cancel"
    assert maybe_json(ev["after"])["brief"] == brief


def test_withdraw_form_and_without_body(api):
    tok, p = new_user(api)
    b1, b2 = bl.brief(), bl.brief()
    for b in (b1, b2):
        assert_ok(api.post(bl.consent_path("token", tok, b), json={}))
    assert_ok(api.delete(bl.consent_path("token", tok, b1), data={"lastmodifiedby": "form"}))
    assert_ok(api.delete(bl.consent_path("token", tok, b2)))
    assert get_consent(api, "token", tok, b1)["lastmodifiedby"] == "form"
    assert get_consent(api, "token", tok, b2)["status"] == "cancel"


def test_every_consent_call_is_audited(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    assert_ok(api.post(bl.consent_path("token", tok, brief), json={}))
    assert_ok(api.get(bl.consent_path("token", tok, brief)))
    assert_ok(api.get(bl.consent_path("token", tok)))
    assert_ok(api.delete(bl.consent_path("token", tok, brief)))
    titles = bl.audit_titles(api, tok)
    assert titles[:4] == ["AgreementCancel", "AgreementListUserAgreements", "AgreementGet",
                          "AgreementAccept"]


def test_not_found_cases(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    # an unknown user, by each mode
    for mode, ident in (("token", "9b1b2c3d-0000-4000-8000-000000000000"),
                        ("email", "nobody-" + bl.uid() + "@example.com"),
                        ("phone", bl.phone()), ("login", bl.login())):
        assert_not_found(api.post(bl.consent_path(mode, ident, brief), json={}))
        assert_not_found(api.get(bl.consent_path(mode, ident, brief)))
        assert_not_found(api.delete(bl.consent_path(mode, ident, brief)))
        assert_not_found(api.get(bl.consent_path(mode, ident)))
    # a known user without that consent
    assert_not_found(api.get(bl.consent_path("token", tok, brief)))
    assert_not_found(api.delete(bl.consent_path("token", tok, brief)))
    assert_ok(api.post(bl.consent_path("token", tok, bl.brief()), json={}))
    assert_not_found(api.get(bl.consent_path("token", tok, brief)))
    assert assert_ok(api.get(bl.consent_path("token", tok)))["total"] == 1


@pytest.mark.parametrize("bad", ["Send-SMS", "a_b", "a.b", "x" * 65, "caf\u00e9"])
def test_bad_brief_is_400_and_changes_nothing(api, bad):
    tok, _ = new_user(api)
    assert_error(api.post(bl.consent_path("token", tok, bad), json={}), 400)
    assert_error(api.get(bl.consent_path("token", tok, bad)), 400)
    assert_error(api.delete(bl.consent_path("token", tok, bad)), 400)
    assert assert_ok(api.get(bl.consent_path("token", tok)))["total"] == 0


def test_brief_of_64_characters_is_fine(api):
    tok, _ = new_user(api)
    brief = ("b" + bl.uid() + "x" * 64)[:64]
    assert_ok(api.post(bl.consent_path("token", tok, brief), json={}))
    assert get_consent(api, "token", tok, brief)["brief"] == brief


@pytest.mark.parametrize("body", [
    {"status": "maybe"}, {"status": 1}, {"endtime": "10x"}, {"endtime": "soon"},
    {"starttime": -5}, {"endtime": {"d": 1}}, {"message": 5}, {"who": ["a"]},
    {"starttime": 2000, "endtime": 1000},
])
def test_bad_fields_are_400_and_change_nothing(api, body):
    tok, _ = new_user(api)
    brief = bl.brief()
    assert_error(api.post(bl.consent_path("token", tok, brief), json=body), 400)
    assert_not_found(api.get(bl.consent_path("token", tok, brief)))
    assert brief not in [r["brief"] for r in assert_ok(api.get("/v1/lbasis"))["rows"]]


def test_bad_mode_and_token_format(api):
    brief = bl.brief()
    assert_error(api.post(bl.consent_path("nosuchmode", "x", brief), json={}), 400)
    assert_error(api.get(bl.consent_path("nosuchmode", "x")), 400)
    assert_error(api.post(bl.consent_path("token", "not-a-uuid", brief), json={}), 400)


def test_auth_is_401(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    for token in (None, "00000000-0000-4000-8000-000000000000"):
        assert_error(api.post(bl.consent_path("token", tok, brief), json={}, token=token), 401)
        assert_error(api.get(bl.consent_path("token", tok, brief), token=token), 401)
        assert_error(api.delete(bl.consent_path("token", tok, brief), token=token), 401)
        assert_error(api.get(bl.consent_path("token", tok), token=token), 401)
        assert_error(api.post(bl.agreement_path(brief, "token", tok), json={}, token=token), 401)
        assert_error(api.get(bl.agreement_path(brief, "token", tok), token=token), 401)
        assert_error(api.delete(bl.agreement_path(brief, "token", tok), token=token), 401)
        assert_error(api.delete(f"/v1/agreement/{brief}", token=token), 401)
        assert_error(api.get(f"/v1/agreements/token/{tok}", token=token), 401)
    assert_not_found(api.get(bl.consent_path("token", tok, brief)))


# ---------------------------------------------------------------- /v1/agreement (released)

def make_lbasis(api, brief, **fields):
    assert_ok(api.post(f"/v1/lbasis/{brief}", json=fields))


@pytest.mark.parametrize("mode", MODES)
def test_agreement_routes_by_each_mode(api, mode):
    tok, p = new_user(api)
    ident = bl.user_ident(mode, tok, p)
    brief = bl.brief()
    # the released server needs the legal basis first
    assert_not_found(api.post(bl.agreement_path(brief, mode, ident), json={}))
    make_lbasis(api, brief)
    assert_ok(api.post(bl.agreement_path(brief, mode, ident),
                       json={"agreementmethod": "signature", "referencecode": "C-7",
                             "expiration": "1h"}))
    d = assert_ok(api.get(bl.agreement_path(brief, mode, ident)))["data"]
    assert d["brief"] == brief and d["status"] == "accept" and d["token"] == tok
    assert d["agreementmethod"] == "signature" and d["referencecode"] == "C-7"
    assert abs(d["endtime"] - (int(time.time()) + 3600)) < 10
    lst = assert_ok(api.get(f"/v1/agreements/{mode}/{q(ident)}"))
    assert lst["total"] == 1 and lst["rows"] == [d]
    assert_ok(api.delete(bl.agreement_path(brief, mode, ident)))
    assert assert_ok(api.get(bl.agreement_path(brief, mode, ident)))["data"]["status"] == "cancel"


def test_agreement_form_body(api):
    tok, p = new_user(api)
    brief = bl.brief()
    make_lbasis(api, brief)
    assert_ok(api.post(bl.agreement_path(brief, "email", p["email"]),
                       data={"status": "yes", "lastmodifiedby": "form-user"}))
    d = assert_ok(api.get(bl.agreement_path(brief, "token", tok)))["data"]
    assert d["status"] == "accept" and d["lastmodifiedby"] == "form-user"


def test_revoke_all_for_everyone(api):
    brief, other = bl.brief(), bl.brief()
    make_lbasis(api, brief)
    make_lbasis(api, other)
    users = [new_user(api)[0] for _ in range(3)]
    for t in users:
        assert_ok(api.post(bl.agreement_path(brief, "token", t), json={}))
        assert_ok(api.post(bl.agreement_path(other, "token", t), json={}))
    # one of them had withdrawn already: it stays withdrawn
    assert_ok(api.delete(bl.agreement_path(brief, "token", users[2])))
    b = assert_ok(api.delete(f"/v1/agreement/{brief}"))
    assert b == {"status": "ok", "revoked": 2}
    for t, want in zip(users, ["revoked", "revoked", "cancel"]):
        assert assert_ok(api.get(bl.agreement_path(brief, "token", t)))["data"]["status"] == want
        d = assert_ok(api.get(bl.agreement_path(other, "token", t)))["data"]
        assert d["status"] == "accept"
    for t in users[:2]:
        assert "AgreementRevokeAll" in bl.audit_titles(api, t)
    assert "AgreementRevokeAll" not in bl.audit_titles(api, users[2])
    assert_not_found(api.delete(f"/v1/agreement/{bl.brief()}"))
    assert_error(api.delete("/v1/agreement/Bad_Brief"), 400)


def test_agreement_not_found_and_bad_input(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    make_lbasis(api, brief)
    assert_not_found(api.get(bl.agreement_path(brief, "token", tok)))
    assert_not_found(api.delete(bl.agreement_path(brief, "token", tok)))
    assert_not_found(api.get(bl.agreement_path(bl.brief(), "token", tok)))
    assert_not_found(api.post(bl.agreement_path(brief, "email", "no-" + bl.uid() + "@x.org"),
                              json={}))
    assert_not_found(api.get(f"/v1/agreements/login/{bl.login()}"))
    assert_error(api.post(bl.agreement_path("BAD", "token", tok), json={}), 400)
    assert_error(api.post(bl.agreement_path(brief, "bogus", tok), json={}), 400)
    assert_error(api.post(bl.agreement_path(brief, "token", tok), json={"status": "x"}), 400)
    assert_error(api.get("/v1/agreements/bogus/x"), 400)


def test_inactive_legal_basis_refuses_new_agreements(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    make_lbasis(api, brief, status="inactive")
    assert_error(api.post(bl.agreement_path(brief, "token", tok), json={}), 400)
    assert_error(api.post(bl.consent_path("token", tok, brief), json={}), 400)
    make_lbasis(api, brief, status="active")
    assert_ok(api.post(bl.agreement_path(brief, "token", tok), json={}))


def test_forgetting_a_user_removes_agreements(api, server):
    tok, p = new_user(api)
    brief = bl.brief()
    assert_ok(api.post(bl.consent_path("token", tok, brief), json={"message": "bye"}))
    q_ = ("SELECT count(*) FROM agreements a JOIN users u ON u.id = a.user_id "
          "WHERE u.token = ?")
    assert bl.store_rows(server, q_, (tok,))[0][0] == 1
    assert_ok(api.delete_user("token", tok))
    assert bl.store_rows(server, q_, (tok,))[0][0] == 0
    assert_not_found(api.get(bl.consent_path("token", tok, brief)))
    assert_not_found(api.get(bl.consent_path("email", p["email"])))
    # the legal basis is not personal and stays
    assert brief in [r["brief"] for r in assert_ok(api.get("/v1/lbasis"))["rows"]]
