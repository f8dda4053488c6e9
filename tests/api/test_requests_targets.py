"""Data-subject requests on app data and agreements: AppdataUpdateRequest and
AgreementCancelRequest, approved or cancelled through UserRequestApprove and
UserRequestCancel; approval applies the change exactly as AppdataUpdate and
AgreementCancel do, in the same transaction."""

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok, assert_uuid4

MODES = ["token", "email", "phone", "login", "custom"]
NOSUCH = "00000000-0000-4000-8000-000000000000"


def new_user(api):
    p = bl.profile()
    return api.create_user(p), p


def new_request(api, op, body):
    r = api.v2(op, body)
    b = assert_ok(r)
    assert set(b) == {"status", "requestuuid"}, bl.describe(r)
    assert_uuid4(b["requestuuid"], r)
    return b["requestuuid"]


def get_request(api, rt):
    return assert_ok(api.v2("UserRequestGet", {"requestuuid": rt}))["request"]


def appdata(api, tok, app):
    r = api.v2("AppdataGet", {"mode": "token", "identity": tok, "appname": app})
    return assert_ok(r)["appdata"]


def agreement(api, tok, brief):
    r = api.v2("AgreementGet", {"mode": "token", "identity": tok, "brief": brief})
    return assert_ok(r)["agreement"]


def accepted(api, tok):
    brief = bl.brief()
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief}))
    assert_ok(api.v2("AgreementAccept", {"mode": "token", "identity": tok, "brief": brief,
                                         "referencecode": "R-7"}))
    return brief


# ---- AppdataUpdateRequest

@pytest.mark.parametrize("mode", MODES)
def test_appdata_request_approve_merges(api, mode):
    tok, p = new_user(api)
    who = {"mode": mode, "identity": bl.user_ident(mode, tok, p)}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "shop", "appdata": {"a": 1, "b": 2}}))
    rt = new_request(api, "AppdataUpdateRequest",
                     {**who, "appname": "shop", "appdata": {"a": None, "c": "three"}})
    req = get_request(api, rt)
    assert req["status"] == "open" and req["requesttype"] == "change-app-data"
    assert req["appname"] == "shop" and req["token"] == tok
    assert req["change"] == {"a": None, "c": "three"}
    assert appdata(api, tok, "shop") == {"a": 1, "b": 2}          # nothing applied yet
    assert assert_ok(api.v2("UserRequestApprove", {"requestuuid": rt})) == {"status": "ok"}
    assert appdata(api, tok, "shop") == {"b": 2, "c": "three"}
    assert get_request(api, rt)["status"] == "approved"
    titles = bl.audit_titles(api, tok)
    assert "AppdataUpdateRequest" in titles
    assert titles.index("UserRequestApprove") < titles.index("AppdataUpdateRequest")
    assert "AppdataUpdate" in titles


def test_appdata_request_approve_twice_409(api):
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "shop", "appdata": {"a": 1}}))
    rt = new_request(api, "AppdataUpdateRequest", {**who, "appname": "shop",
                                                   "appdata": {"a": 2}})
    assert_ok(api.v2("UserRequestApprove", {"requestuuid": rt}))
    b = assert_error(api.v2("UserRequestApprove", {"requestuuid": rt}), 409)
    assert b["message"] == "request is already approved"
    assert_error(api.v2("UserRequestCancel", {"requestuuid": rt}), 409)
    assert appdata(api, tok, "shop") == {"a": 2}


def test_appdata_request_cancel_changes_nothing(api):
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "shop", "appdata": {"a": 1}}))
    rt = new_request(api, "AppdataUpdateRequest", {**who, "appname": "shop",
                                                   "appdata": {"a": 2}})
    assert assert_ok(api.v2("UserRequestCancel", {"requestuuid": rt, "reason": "no"})) == \
        {"status": "ok"}
    req = get_request(api, rt)
    assert req["status"] == "cancelled" and req["reason"] == "no"
    b = assert_error(api.v2("UserRequestApprove", {"requestuuid": rt}), 409)
    assert b["message"] == "request is cancelled"
    assert appdata(api, tok, "shop") == {"a": 1}


def test_appdata_request_missing_record_stays_open(api):
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    rt = new_request(api, "AppdataUpdateRequest", {**who, "appname": "none",
                                                   "appdata": {"a": 2}})
    assert_not_found(api.v2("UserRequestApprove", {"requestuuid": rt}))
    assert get_request(api, rt)["status"] == "open"


@pytest.mark.parametrize("body,msg", [
    ({"appdata": {"a": 1}}, "missing appname"),
    ({"appname": "BAD", "appdata": {"a": 1}}, None),
    ({"appname": "x" * 65, "appdata": {"a": 1}}, None),
    ({"appname": "shop"}, "missing appdata"),
    ({"appname": "shop", "appdata": [1]}, "app data must be a JSON object"),
    ({"appname": "shop", "appdata": "x"}, "app data must be a JSON object"),
])
def test_appdata_request_bad_input_400(api, body, msg):
    tok, _ = new_user(api)
    b = assert_error(api.v2("AppdataUpdateRequest", {"mode": "token", "identity": tok, **body}),
                     400)
    if msg is not None:
        assert b["message"] == msg
    r = api.v2("UserRequestListUserRequests", {"mode": "token", "identity": tok})
    assert assert_ok(r)["total"] == 0


# ---- AgreementCancelRequest

@pytest.mark.parametrize("mode", MODES)
def test_agreement_request_approve_cancels(api, mode):
    tok, p = new_user(api)
    who = {"mode": mode, "identity": bl.user_ident(mode, tok, p)}
    brief = accepted(api, tok)
    rt = new_request(api, "AgreementCancelRequest", {**who, "brief": brief})
    req = get_request(api, rt)
    assert req["status"] == "open" and req["requesttype"] == "agreement-withdraw"
    assert req["brief"] == brief
    assert agreement(api, tok, brief)["status"] == "accept"
    assert_ok(api.v2("UserRequestApprove", {"requestuuid": rt, "reason": "ok"}))
    a = agreement(api, tok, brief)
    assert a["status"] == "cancel" and a["referencecode"] == "R-7"
    req = get_request(api, rt)
    assert req["status"] == "approved" and req["reason"] == "ok"
    titles = bl.audit_titles(api, tok)
    assert "AgreementCancelRequest" in titles and "AgreementCancel" in titles


def test_agreement_request_same_open_one_answered_again(api):
    tok, _ = new_user(api)
    brief = accepted(api, tok)
    body = {"mode": "token", "identity": tok, "brief": brief}
    rt = new_request(api, "AgreementCancelRequest", body)
    assert new_request(api, "AgreementCancelRequest", body) == rt
    other = accepted(api, tok)
    assert new_request(api, "AgreementCancelRequest", dict(body, brief=other)) != rt


def test_agreement_request_approve_twice_and_cancel(api):
    tok, _ = new_user(api)
    brief = accepted(api, tok)
    rt = new_request(api, "AgreementCancelRequest", {"mode": "token", "identity": tok,
                                                    "brief": brief})
    assert_ok(api.v2("UserRequestApprove", {"requestuuid": rt}))
    assert_error(api.v2("UserRequestApprove", {"requestuuid": rt}), 409)
    brief2 = accepted(api, tok)
    rt2 = new_request(api, "AgreementCancelRequest", {"mode": "token", "identity": tok,
                                                     "brief": brief2})
    assert_ok(api.v2("UserRequestCancel", {"requestuuid": rt2}))
    assert agreement(api, tok, brief2)["status"] == "accept"
    assert_error(api.v2("UserRequestApprove", {"requestuuid": rt2}), 409)


def test_agreement_request_without_agreement_stays_open(api):
    tok, _ = new_user(api)
    brief = bl.brief()
    rt = new_request(api, "AgreementCancelRequest", {"mode": "token", "identity": tok,
                                                    "brief": brief})
    assert_not_found(api.v2("UserRequestApprove", {"requestuuid": rt}))
    assert get_request(api, rt)["status"] == "open"


@pytest.mark.parametrize("body,msg", [
    ({}, "missing brief"),
    ({"brief": ""}, "missing brief"),
    ({"brief": "Bad Brief"}, "bad brief: use 1 to 64 of a-z, 0-9 and -"),
    ({"brief": 5}, None),
])
def test_agreement_request_bad_input_400(api, body, msg):
    tok, _ = new_user(api)
    b = assert_error(api.v2("AgreementCancelRequest", {"mode": "token", "identity": tok, **body}),
                     400)
    if msg is not None:
        assert b["message"] == msg


# ---- both

@pytest.mark.parametrize("op,body", [
    ("AppdataUpdateRequest", {"appname": "shop", "appdata": {"a": 1}}),
    ("AgreementCancelRequest", {"brief": "marketing"}),
])
def test_unknown_user_404_and_auth_403(api, op, body):
    assert_not_found(api.v2(op, {"mode": "token", "identity": NOSUCH, **body}))
    tok, _ = new_user(api)
    for token in (None, "", NOSUCH):
        assert_error(api.v2(op, {"mode": "token", "identity": tok, **body}, token=token), 403)
    r = api.v2("UserRequestListUserRequests", {"mode": "token", "identity": tok})
    assert assert_ok(r)["total"] == 0


def test_appdata_request_change_not_in_plaintext(api, server):
    tok, _ = new_user(api)
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "shop", "appdata": {"a": 1}}))
    secret = "Zq-appdata-request-" + bl.uid()
    new_request(api, "AppdataUpdateRequest", {**who, "appname": "shop",
                                              "appdata": {"s": secret}})
    assert bl.scan_db(server, [secret]) == []
