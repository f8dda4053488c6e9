"""/v2 Agreement*: AgreementAccept, AgreementGet, AgreementListUserAgreements,
AgreementCancel, AgreementRevokeAll."""

import time

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok

MODES = ["token", "email", "phone", "login", "custom"]


def new_user(api):
    p = bl.profile()
    return api.create_user(p), p


def new_lbasis(api, **fields):
    brief = bl.brief()
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief, **fields}))
    return brief


@pytest.mark.parametrize("mode", MODES)
def test_accept_get_list_cancel_by_each_mode(api, mode):
    tok, p = new_user(api)
    who = {"mode": mode, "identity": bl.user_ident(mode, tok, p)}
    brief = new_lbasis(api)
    r = api.v2("AgreementAccept", {**who, "brief": brief, "agreementmethod": "web-form",
                                   "referencecode": "R-1", "finaltime": "2d",
                                   "lastmodifiedby": "app", "status": "active"})
    assert assert_ok(r) == {"status": "ok"}
    a = assert_ok(api.v2("AgreementGet", {**who, "brief": brief}))["agreement"]
    assert a["brief"] == brief and a["status"] == "accept" and a["token"] == tok
    assert a["agreementmethod"] == "web-form" and a["referencecode"] == "R-1"
    assert a["lastmodifiedby"] == "app"
    assert abs(a["endtime"] - (int(time.time()) + 2 * 86400)) < 10
    lst = assert_ok(api.v2("AgreementListUserAgreements", who))
    assert lst["total"] == 1 and lst["rows"] == [a]
    assert assert_ok(api.v2("AgreementCancel", {**who, "brief": brief})) == {"status": "ok"}
    a2 = assert_ok(api.v2("AgreementGet", {**who, "brief": brief}))["agreement"]
    assert a2["status"] == "cancel" and a2["referencecode"] == "R-1"
    assert a2["created"] == a["created"]
    titles = bl.audit_titles(api, tok)
    assert titles[:5] == ["AgreementGet", "AgreementCancel", "AgreementListUserAgreements",
                          "AgreementGet", "AgreementAccept"]


def test_list_is_by_brief_and_empty_for_new_user(api):
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    assert assert_ok(api.v2("AgreementListUserAgreements", who)) == {"status": "ok", "total": 0,
                                                                    "rows": []}
    briefs = sorted(new_lbasis(api) for _ in range(3))
    for b in reversed(briefs):
        assert_ok(api.v2("AgreementAccept", {**who, "brief": b}))
    rows = assert_ok(api.v2("AgreementListUserAgreements", who))["rows"]
    assert [r["brief"] for r in rows] == briefs


def test_accept_unknown_brief_is_404_and_creates_nothing(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    assert_not_found(api.v2("AgreementAccept", {"mode": "token", "identity": tok,
                                                "brief": brief}))
    rows = assert_ok(api.v2("LegalBasisListAgreements", {}))["rows"]
    assert brief not in [r["brief"] for r in rows]
    assert "AgreementAccept" in bl.audit_titles(api, tok)   # the refusal is audited


def test_not_found(api):
    tok, _ = new_user(api)
    brief = new_lbasis(api)
    nobody = {"mode": "email", "identity": "nobody-" + bl.uid() + "@example.com"}
    for op in ("AgreementAccept", "AgreementGet", "AgreementCancel"):
        assert_not_found(api.v2(op, {**nobody, "brief": brief}))
    assert_not_found(api.v2("AgreementListUserAgreements", nobody))
    assert_not_found(api.v2("AgreementGet", {"mode": "token", "identity": tok, "brief": brief}))
    assert_not_found(api.v2("AgreementCancel", {"mode": "token", "identity": tok,
                                                "brief": brief}))
    assert_not_found(api.v2("AgreementRevokeAll", {"brief": bl.brief()}))


@pytest.mark.parametrize("body", [
    {}, {"mode": "token"}, {"identity": "x", "brief": "b"},
    {"mode": "nosuch", "identity": "x", "brief": "abc"},
    {"mode": "token", "identity": "not-a-uuid", "brief": "abc"},
    {"mode": "email", "identity": "a@b.c", "brief": 7},
    {"mode": "email", "identity": "a@b.c", "brief": "Upper"},
    {"mode": "email", "identity": "a@b.c"},
])
def test_bad_requests_are_400(api, body):
    for op in ("AgreementAccept", "AgreementGet", "AgreementCancel"):
        assert_error(api.v2(op, body), 400)


def test_bad_fields_change_nothing(api):
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    brief = new_lbasis(api)
    for extra in ({"status": "perhaps"}, {"finaltime": "x1"}, {"referencecode": 12}):
        assert_error(api.v2("AgreementAccept", {**who, "brief": brief, **extra}), 400)
    assert_not_found(api.v2("AgreementGet", {**who, "brief": brief}))
    assert_ok(api.v2("AgreementAccept", {**who, "brief": brief}))
    assert_error(api.v2("AgreementCancel", {**who, "brief": brief, "lastmodifiedby": 1}), 400)
    a = assert_ok(api.v2("AgreementGet", {**who, "brief": brief}))["agreement"]
    assert a["status"] == "accept"


def test_revoke_all(api):
    brief = new_lbasis(api)
    users = [new_user(api)[0] for _ in range(2)]
    for t in users:
        assert_ok(api.v2("AgreementAccept", {"mode": "token", "identity": t, "brief": brief}))
    assert assert_ok(api.v2("AgreementRevokeAll", {"brief": brief})) == {"status": "ok",
                                                                          "revoked": 2}
    for t in users:
        a = assert_ok(api.v2("AgreementGet", {"mode": "token", "identity": t,
                                              "brief": brief}))["agreement"]
        assert a["status"] == "revoked"
        assert bl.audit_titles(api, t)[1] == "AgreementRevokeAll"
    # again: nothing left to revoke
    assert assert_ok(api.v2("AgreementRevokeAll", {"brief": brief}))["revoked"] == 0
    # a user may agree again afterwards
    assert_ok(api.v2("AgreementAccept", {"mode": "token", "identity": users[0], "brief": brief}))
    assert_error(api.v2("AgreementRevokeAll", {}), 400)
    assert_error(api.v2("AgreementRevokeAll", {"brief": "no spaces"}), 400)


def test_auth_is_403(api):
    tok, _ = new_user(api)
    brief = new_lbasis(api)
    body = {"mode": "token", "identity": tok, "brief": brief}
    for token in (None, "00000000-0000-4000-8000-000000000000"):
        for op in ("AgreementAccept", "AgreementGet", "AgreementListUserAgreements",
                   "AgreementCancel", "AgreementRevokeAll"):
            assert_error(api.v2(op, body, token=token), 403)
    assert_not_found(api.v2("AgreementGet", body))


def test_cancel_request_is_a_data_subject_request(api):
    # AgreementCancelRequest belongs to data-subject requests (test_requests_targets.py)
    r = api.v2("AgreementCancelRequest", {"mode": "token", "identity": "x", "brief": "b"})
    assert r.status_code == 400
