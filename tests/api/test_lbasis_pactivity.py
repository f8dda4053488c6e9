"""Legal bases and processing activities on both APIs: /v2 LegalBasis*,
ProcessingActivity*, and the released server's /v1/lbasis, /v1/pactivity."""

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok

LB_KEYS = {"brief", "status", "module", "shortdesc", "fulldesc", "basistype", "requiredmsg",
           "requiredflag", "usercontrol", "created", "updated"}
PA_KEYS = {"activity", "title", "script", "fulldesc", "applicableto", "legalbasis", "created",
           "updated"}


def lbases(api):
    b = assert_ok(api.v2("LegalBasisListAgreements", {}))
    assert b["total"] == len(b["rows"])
    return {r["brief"]: r for r in b["rows"]}


def activities(api):
    b = assert_ok(api.v2("ProcessingActivityListActivities", {}))
    assert b["total"] == len(b["rows"])
    return {r["activity"]: r for r in b["rows"]}


# ---------------------------------------------------------------- legal bases, /v2

def test_legal_basis_create_and_list(api):
    brief = bl.brief()
    r = api.v2("LegalBasisCreate", {"brief": brief, "status": "active", "module": "signup",
                                    "fulldesc": "Full text", "shortdesc": "Short",
                                    "basistype": "contract", "requiredmsg": "Needed",
                                    "requiredflag": True, "request_metadata": {"x": 1}})
    assert assert_ok(r) == {"status": "ok"}
    lb = lbases(api)[brief]
    assert set(lb) == LB_KEYS
    assert (lb["status"], lb["module"], lb["fulldesc"], lb["shortdesc"], lb["basistype"],
            lb["requiredmsg"], lb["requiredflag"], lb["usercontrol"]) == \
        ("active", "signup", "Full text", "Short", "contract", "Needed", True, True)
    assert_error(api.v2("LegalBasisCreate", {"brief": brief}), 409)
    # v1 lists the same
    rows = assert_ok(api.get("/v1/lbasis"))["rows"]
    assert [x for x in rows if x["brief"] == brief] == [lb]


def test_legal_basis_defaults(api):
    brief = bl.brief()
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief}))
    lb = lbases(api)[brief]
    assert lb["status"] == "active" and lb["basistype"] == "consent"
    assert lb["requiredflag"] is False and lb["usercontrol"] is True
    assert lb["module"] == lb["fulldesc"] == lb["shortdesc"] == lb["requiredmsg"] == ""


@pytest.mark.parametrize("body", [
    {}, {"brief": ""}, {"brief": "Has-Upper"}, {"brief": "sp ace"}, {"brief": "x" * 65},
    {"brief": 5}, {"brief": "ok-brief", "status": "sleeping"},
    {"brief": "ok-brief", "requiredflag": "maybe"}, {"brief": "ok-brief", "module": 3},
])
def test_legal_basis_create_bad_input(api, body):
    assert_error(api.v2("LegalBasisCreate", body), 400)
    assert "ok-brief" not in lbases(api)


def test_legal_basis_update_merge_and_rename(api):
    brief = bl.brief()
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief, "module": "m1", "shortdesc": "s1"}))
    created = lbases(api)[brief]["created"]
    # without newbrief: fields only
    assert_ok(api.v2("LegalBasisUpdate", {"brief": brief, "shortdesc": "s2",
                                          "status": "inactive"}))
    lb = lbases(api)[brief]
    assert (lb["module"], lb["shortdesc"], lb["status"]) == ("m1", "s2", "inactive")
    # rename
    new = bl.brief()
    assert_ok(api.v2("LegalBasisUpdate", {"brief": brief, "newbrief": new}))
    all_ = lbases(api)
    assert brief not in all_ and all_[new]["shortdesc"] == "s2"
    assert all_[new]["created"] == created
    # newbrief equal to brief is no rename
    assert_ok(api.v2("LegalBasisUpdate", {"brief": new, "newbrief": new, "module": "m3"}))
    assert lbases(api)[new]["module"] == "m3"


def test_legal_basis_rename_keeps_agreements_and_links(api):
    tok = api.create_user(bl.profile())
    brief, act = bl.brief(), bl.brief("act")
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief}))
    assert_ok(api.v2("ProcessingActivityCreate", {"activity": act}))
    assert_ok(api.v2("ProcessingActivityLinkLegalBasis", {"activity": act, "brief": brief}))
    assert_ok(api.v2("AgreementAccept", {"mode": "token", "identity": tok, "brief": brief}))
    new = bl.brief()
    assert_ok(api.v2("LegalBasisUpdate", {"brief": brief, "newbrief": new}))
    a = assert_ok(api.v2("AgreementGet", {"mode": "token", "identity": tok,
                                          "brief": new}))["agreement"]
    assert a["brief"] == new and a["status"] == "accept"
    assert_not_found(api.v2("AgreementGet", {"mode": "token", "identity": tok, "brief": brief}))
    assert activities(api)[act]["legalbasis"] == [new]


def test_legal_basis_update_errors(api):
    a, b = bl.brief(), bl.brief()
    for x in (a, b):
        assert_ok(api.v2("LegalBasisCreate", {"brief": x}))
    assert_error(api.v2("LegalBasisUpdate", {"brief": a, "newbrief": b}), 409)
    assert_not_found(api.v2("LegalBasisUpdate", {"brief": bl.brief(), "module": "x"}))
    assert_error(api.v2("LegalBasisUpdate", {"brief": a, "newbrief": "Bad"}), 400)
    assert_error(api.v2("LegalBasisUpdate", {"newbrief": a}), 400)
    assert_error(api.v2("LegalBasisUpdate", {"brief": a, "status": "gone"}), 400)
    assert set(lbases(api)) >= {a, b}


def test_legal_basis_delete(api):
    brief = bl.brief()
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief}))
    assert assert_ok(api.v2("LegalBasisDelete", {"brief": brief})) == {"status": "ok",
                                                                        "revoked": 0}
    assert brief not in lbases(api)
    assert_not_found(api.v2("LegalBasisDelete", {"brief": brief}))
    assert_error(api.v2("LegalBasisDelete", {}), 400)
    # the brief is free again
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief}))


def test_legal_basis_delete_with_agreements_revokes_them(api):
    toks = [api.create_user(bl.profile()) for _ in range(2)]
    brief = bl.brief()
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief}))
    for t in toks:
        assert_ok(api.v2("AgreementAccept", {"mode": "token", "identity": t, "brief": brief}))
    assert assert_ok(api.v2("LegalBasisDelete", {"brief": brief}))["revoked"] == 2
    assert brief not in lbases(api)
    for t in toks:
        a = assert_ok(api.v2("AgreementGet", {"mode": "token", "identity": t,
                                              "brief": brief}))["agreement"]
        assert a["status"] == "revoked"
        assert "LegalBasisDelete" in bl.audit_titles(api, t)
    # accepting needs it to exist; creating it again brings it back
    assert_not_found(api.v2("AgreementAccept", {"mode": "token", "identity": toks[0],
                                                "brief": brief}))
    assert_ok(api.v2("LegalBasisCreate", {"brief": brief, "module": "again"}))
    assert lbases(api)[brief]["module"] == "again"
    assert_ok(api.v2("AgreementAccept", {"mode": "token", "identity": toks[0], "brief": brief}))


def test_legal_basis_auth_is_403(api):
    for token in (None, "00000000-0000-4000-8000-000000000000"):
        for op, body in (("LegalBasisCreate", {"brief": "x"}),
                         ("LegalBasisUpdate", {"brief": "x"}),
                         ("LegalBasisDelete", {"brief": "x"}),
                         ("LegalBasisListAgreements", {})):
            assert_error(api.v2(op, body, token=token), 403)


# ---------------------------------------------------------------- legal bases, /v1

def test_v1_lbasis_create_update_delete(api):
    brief = bl.brief()
    assert assert_ok(api.post(f"/v1/lbasis/{brief}", data={
        "module": "form", "shortdesc": "short", "requiredflag": "true",
        "usercontrol": "false"})) == {"status": "ok"}
    lb = lbases(api)[brief]
    assert (lb["module"], lb["shortdesc"], lb["requiredflag"], lb["usercontrol"]) == \
        ("form", "short", True, False)
    # POST again updates (merge)
    assert_ok(api.post(f"/v1/lbasis/{brief}", json={"fulldesc": "full"}))
    lb = lbases(api)[brief]
    assert (lb["module"], lb["fulldesc"]) == ("form", "full")
    b = assert_ok(api.get("/v1/lbasis"))
    assert b["total"] == len(b["rows"]) and brief in [r["brief"] for r in b["rows"]]
    assert assert_ok(api.delete(f"/v1/lbasis/{brief}")) == {"status": "ok", "revoked": 0}
    assert_not_found(api.delete(f"/v1/lbasis/{brief}"))
    assert brief not in lbases(api)


def test_v1_lbasis_errors(api):
    assert_error(api.post("/v1/lbasis/Bad_Brief", json={}), 400)
    assert_error(api.post(f"/v1/lbasis/{bl.brief()}", json={"status": "nope"}), 400)
    assert_error(api.delete("/v1/lbasis/" + "y" * 65), 400)
    for token in (None, "00000000-0000-4000-8000-000000000000"):
        assert_error(api.get("/v1/lbasis", token=token), 401)
        assert_error(api.post(f"/v1/lbasis/{bl.brief()}", json={}, token=token), 401)
        assert_error(api.delete(f"/v1/lbasis/{bl.brief()}", token=token), 401)


# ---------------------------------------------------------------- activities, /v2

def test_activity_create_list_update_delete(api):
    act = bl.brief("act")
    r = api.v2("ProcessingActivityCreate", {"activity": act, "title": "Newsletter",
                                            "script": "send weekly", "fulldesc": "Full",
                                            "applicableto": "customers"})
    assert assert_ok(r) == {"status": "ok"}
    a = activities(api)[act]
    assert set(a) == PA_KEYS
    assert (a["title"], a["script"], a["fulldesc"], a["applicableto"], a["legalbasis"]) == \
        ("Newsletter", "send weekly", "Full", "customers", [])
    assert_error(api.v2("ProcessingActivityCreate", {"activity": act}), 409)
    assert_ok(api.v2("ProcessingActivityUpdate", {"activity": act, "title": "Weekly"}))
    a = activities(api)[act]
    assert (a["title"], a["script"]) == ("Weekly", "send weekly")
    new = bl.brief("act")
    assert_ok(api.v2("ProcessingActivityUpdate", {"activity": act, "newactivity": new}))
    all_ = activities(api)
    assert act not in all_ and all_[new]["title"] == "Weekly"
    assert_ok(api.v2("ProcessingActivityDelete", {"activity": new}))
    assert new not in activities(api)
    assert_not_found(api.v2("ProcessingActivityDelete", {"activity": new}))
    assert_not_found(api.v2("ProcessingActivityUpdate", {"activity": new, "title": "x"}))


def test_activity_errors(api):
    a, b = bl.brief("act"), bl.brief("act")
    for x in (a, b):
        assert_ok(api.v2("ProcessingActivityCreate", {"activity": x}))
    assert_error(api.v2("ProcessingActivityUpdate", {"activity": a, "newactivity": b}), 409)
    for body in ({}, {"activity": "UPPER"}, {"activity": 1}, {"activity": "ok", "title": 5}):
        assert_error(api.v2("ProcessingActivityCreate", body), 400)
    assert_error(api.v2("ProcessingActivityUpdate", {"activity": a, "newactivity": "Bad"}), 400)
    for token in (None, "00000000-0000-4000-8000-000000000000"):
        for op in ("ProcessingActivityCreate", "ProcessingActivityUpdate",
                   "ProcessingActivityDelete", "ProcessingActivityListActivities",
                   "ProcessingActivityLinkLegalBasis", "ProcessingActivityUnlinkLegalBasis"):
            assert_error(api.v2(op, {"activity": a, "brief": "x"}, token=token), 403)
    assert {a, b} <= set(activities(api))


def test_activity_link_unlink(api):
    act = bl.brief("act")
    b1, b2 = sorted([bl.brief(), bl.brief()])
    assert_ok(api.v2("ProcessingActivityCreate", {"activity": act}))
    for b in (b1, b2):
        assert_ok(api.v2("LegalBasisCreate", {"brief": b}))
    assert_ok(api.v2("ProcessingActivityLinkLegalBasis", {"activity": act, "brief": b2}))
    assert_ok(api.v2("ProcessingActivityLinkLegalBasis", {"activity": act, "brief": b1}))
    assert_ok(api.v2("ProcessingActivityLinkLegalBasis", {"activity": act, "brief": b1}))
    assert activities(api)[act]["legalbasis"] == [b1, b2]
    assert_ok(api.v2("ProcessingActivityUnlinkLegalBasis", {"activity": act, "brief": b2}))
    assert activities(api)[act]["legalbasis"] == [b1]
    assert_ok(api.v2("ProcessingActivityUnlinkLegalBasis", {"activity": act, "brief": b2}))
    # unknown ends
    for body in ({"activity": bl.brief("act"), "brief": b1}, {"activity": act,
                                                             "brief": bl.brief()}):
        assert_not_found(api.v2("ProcessingActivityLinkLegalBasis", body))
        assert_not_found(api.v2("ProcessingActivityUnlinkLegalBasis", body))
    assert_error(api.v2("ProcessingActivityLinkLegalBasis", {"activity": act}), 400)
    assert_error(api.v2("ProcessingActivityLinkLegalBasis", {"brief": b1}), 400)
    # deleting the legal basis drops the link
    assert_ok(api.v2("LegalBasisDelete", {"brief": b1}))
    assert activities(api)[act]["legalbasis"] == []


# ---------------------------------------------------------------- activities, /v1

def test_v1_pactivity_routes(api):
    act, brief = bl.brief("act"), bl.brief()
    assert_ok(api.post(f"/v1/lbasis/{brief}", json={}))
    assert assert_ok(api.post(f"/v1/pactivity/{act}", data={"title": "Form title",
                                                            "applicableto": "staff"})) == \
        {"status": "ok"}
    assert_ok(api.post(f"/v1/pactivity/{act}", json={"script": "run"}))
    b = assert_ok(api.get("/v1/pactivity"))
    a = {r["activity"]: r for r in b["rows"]}[act]
    assert (a["title"], a["applicableto"], a["script"]) == ("Form title", "staff", "run")
    assert_ok(api.post(f"/v1/pactivity/{act}/{brief}"))
    assert activities(api)[act]["legalbasis"] == [brief]
    assert_ok(api.delete(f"/v1/pactivity/{act}/{brief}"))
    assert activities(api)[act]["legalbasis"] == []
    assert_not_found(api.post(f"/v1/pactivity/{act}/{bl.brief()}"))
    assert_not_found(api.post(f"/v1/pactivity/{bl.brief('act')}/{brief}"))
    assert_ok(api.delete(f"/v1/pactivity/{act}"))
    assert_not_found(api.delete(f"/v1/pactivity/{act}"))
    assert_error(api.post("/v1/pactivity/Bad_Name", json={}), 400)
    assert_error(api.post(f"/v1/pactivity/{act}/Bad_Brief"), 400)
    for token in (None, "00000000-0000-4000-8000-000000000000"):
        assert_error(api.get("/v1/pactivity", token=token), 401)
        assert_error(api.post(f"/v1/pactivity/{act}", json={}, token=token), 401)
        assert_error(api.delete(f"/v1/pactivity/{act}", token=token), 401)
        assert_error(api.post(f"/v1/pactivity/{act}/{brief}", token=token), 401)
        assert_error(api.delete(f"/v1/pactivity/{act}/{brief}", token=token), 401)
    assert act not in activities(api)


# ---------------------------------------------------------------- PostgreSQL RLS

@pytest.mark.skipif(bl.store_kind() != "pgsql", reason="row-level security is PostgreSQL's")
def test_row_level_security_fences_consent_appdata_sessions(fresh_server):
    srv = fresh_server
    api = srv.client()
    _, id_a, xa = bl.create_tenant(api)
    _, id_b, _ = bl.create_tenant(api)
    ca = srv.client(token=xa)
    tok = ca.create_user(bl.profile())
    brief, act = bl.brief(), "act" + bl.uid()[:8]
    assert_ok(ca.v2("LegalBasisCreate", {"brief": brief}))
    assert_ok(ca.v2("ProcessingActivityCreate", {"activity": act}))
    assert_ok(ca.v2("ProcessingActivityLinkLegalBasis", {"activity": act, "brief": brief}))
    assert_ok(ca.v2("AgreementAccept", {"mode": "token", "identity": tok, "brief": brief}))
    assert_ok(ca.post(bl.app_path("token", tok, "rlsapp"), json={"a": 1}))
    assert_ok(ca.v2("SessionUpsert", {"sessionuuid": "rls-" + bl.uid(), "sessiondata": {}}))

    def q(tenant, sql):
        setting = f"SET app.tenant = '{tenant}'; " if tenant is not None else ""
        return bl.sql_as_vault_role(srv, setting + sql).strip().splitlines()[-1]

    for table in ("legal_basis", "agreements", "pactivity", "pactivity_lbasis", "appdata",
                  "sessions"):
        assert q(id_b, f"SELECT count(*) FROM {table} WHERE tenant = {id_a}") == "0", table
        assert q(id_a, f"SELECT count(*) FROM {table} WHERE tenant = {id_a}") == "1", table
        assert q(None, f"SELECT count(*) FROM {table}") == "0", table
    with pytest.raises(AssertionError, match="row-level security"):
        bl.sql_as_vault_role(srv, f"SET app.tenant = '{id_b}'; INSERT INTO legal_basis "
                             f"(tenant, brief, status, doc, created, updated) VALUES "
                             f"({id_a}, 'x', 'active', '{{}}', 0, 0)")
