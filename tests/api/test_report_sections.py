"""The user report's family sections (app data, sessions, agreements,
requests) in SystemGetUserReport and SystemGetUserHTMLReport, and the
family counters of SystemGetSystemStats and the metrics."""

import pytest

import bunkerlib as bl
from bunkerlib import assert_ok


def stats(api):
    return assert_ok(api.v2("SystemGetSystemStats", {}))["stats"]


def test_report_has_every_family(api):
    p = bl.profile()
    tok = api.create_user(p)
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "shop", "appdata": {"cart": [1, 2]}}))
    assert_ok(api.v2("AppdataCreate", {**who, "appname": "blog", "appdata": {"nick": "n"}}))
    sid = bl.uid()
    assert_ok(api.v2("SessionUpsert", {**who, "sessionuuid": sid,
                                       "sessiondata": {"ip": "10.1.2.3"}}))
    brief = bl.brief()
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief}))
    assert_ok(api.v2("AgreementAccept", {**who, "brief": brief, "referencecode": "R-9"}))
    rt = assert_ok(api.v2("UserUpdateRequest", {**who, "profile": {"fname": "Req"}}))
    rep = assert_ok(api.v2("SystemGetUserReport", who))["report"]
    assert list(rep) == ["token", "created", "updated", "profile", "appdata", "sessions",
                         "agreements", "requests", "audit"]
    assert rep["appdata"] == {"blog": {"nick": "n"}, "shop": {"cart": [1, 2]}}
    assert len(rep["sessions"]) == 1
    s = rep["sessions"][0]
    assert s["sessionuuid"] == sid and s["data"] == {"ip": "10.1.2.3"}
    assert s["expires"] > s["when"]
    assert [(a["brief"], a["status"], a["referencecode"]) for a in rep["agreements"]] == \
        [(brief, "accept", "R-9")]
    r = rep["requests"]
    assert len(r) == 1 and r[0]["requestuuid"] == rt["requestuuid"]
    assert r[0]["requesttype"] == "change-profile" and r[0]["status"] == "open"
    assert r[0]["change"] == {"fname": "Req"}
    html = assert_ok(api.v2("SystemGetUserHTMLReport", who))["html"]
    for h in ("profile", "appdata", "sessions", "agreements", "requests", "audit"):
        assert f"<h2>{h}</h2>" in html
    assert "10.1.2.3" in html and brief in html


def test_report_sections_empty_for_new_user(api):
    tok = api.create_user(bl.profile())
    rep = assert_ok(api.v2("SystemGetUserReport", {"mode": "token", "identity": tok}))["report"]
    assert rep["appdata"] == {} and rep["sessions"] == [] and rep["agreements"] == []
    assert rep["requests"] == []


def test_stats_count_families(fresh_server):
    api = fresh_server.client()
    s0 = stats(api)
    assert s0["numsessions"] == s0["numagreements"] == s0["numopenrequests"] == 0
    tok = api.create_user(bl.profile())
    who = {"mode": "token", "identity": tok}
    assert_ok(api.v2("SessionUpsert", {**who, "sessionuuid": bl.uid(), "sessiondata": {"a": 1}}))
    brief = bl.brief()
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief}))
    assert_ok(api.v2("AgreementAccept", {**who, "brief": brief}))
    rt = assert_ok(api.v2("UserUpdateRequest", {**who, "profile": {"a": 2}}))["requestuuid"]
    tokens = s0["numtokens"]
    assert_ok(api.v2("XTokenCreateForUser", who))
    s1 = stats(api)
    assert s1["numsessions"] == 1 and s1["numagreements"] == 1
    assert s1["numopenrequests"] == 1 and s1["numtokens"] == tokens + 1
    assert_ok(api.v2("UserRequestCancel", {"requestuuid": rt}))
    assert stats(api)["numopenrequests"] == 0
    text = api.get("/metrics").text
    assert 'databunker_records{kind="sessions"} 1' in text
    assert 'databunker_records{kind="agreements"} 1' in text
