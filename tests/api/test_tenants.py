"""Tenants: TenantCreate/Get/Update/ListTenants/Delete/GetUIConf, selection by
X-Bunker-Tenant or the host's subdomain, tenant admin tokens confined to their
tenant (users and audit), separate indexes and keys per tenant, and on
PostgreSQL the row-level security that fences tenants in the database."""

import uuid

import pytest

import bunkerlib as bl
from bunkerlib import assert_error, assert_not_found, assert_ok


def hdr(name):
    return {"X-Bunker-Tenant": name}


# ---------------------------------------------------------------- TenantCreate

def test_create_returns_token_and_id(api):
    name, tid, xtoken = bl.create_tenant(api)
    b = assert_ok(api.v2("TenantGet", {"tenantid": tid}))
    assert b == {"status": "ok", "tenantid": tid, "tenantname": name, "tenantorg": "org"}


def test_create_accepts_docs_names(api):
    name = bl.tenant_name()
    b = assert_ok(api.v2("TenantCreate", {"name": name, "org": "docsorg"}))
    got = assert_ok(api.v2("TenantGet", {"tenantid": b["tenantid"]}))
    assert (got["tenantname"], got["tenantorg"]) == (name, "docsorg")


def test_create_without_org(api):
    name = bl.tenant_name()
    b = assert_ok(api.v2("TenantCreate", {"tenantname": name}))
    assert assert_ok(api.v2("TenantGet", {"tenantid": b["tenantid"]}))["tenantorg"] == ""


@pytest.mark.parametrize("body", [
    {}, {"tenantorg": "x"}, {"tenantname": ""}, {"tenantname": "Upper"},
    {"tenantname": "with-dash"}, {"tenantname": "sp ace"}, {"tenantname": "a" * 65},
    {"tenantname": 12}, {"tenantname": "ok1", "tenantorg": 5}, {"tenantname": "nul\u0000x"},
])
def test_create_invalid(api, body):
    before = assert_ok(api.v2("TenantListTenants", {"limit": 1000}))["total"]
    assert_error(api.v2("TenantCreate", body), 400)
    assert assert_ok(api.v2("TenantListTenants", {"limit": 1000}))["total"] == before


def test_create_duplicate_409(api):
    name, _, _ = bl.create_tenant(api)
    assert_error(api.v2("TenantCreate", {"tenantname": name, "tenantorg": "again"}), 409)


def test_create_needs_root(server, api):
    _, _, xtoken = bl.create_tenant(api)
    assert_error(server.client(token=xtoken).v2("TenantCreate",
                                                {"tenantname": bl.tenant_name()}), 403)
    assert_error(server.client(token=None).v2("TenantCreate",
                                              {"tenantname": bl.tenant_name()}), 403)
    assert_error(server.client(token=str(uuid.uuid4())).v2(
        "TenantCreate", {"tenantname": bl.tenant_name()}), 403)


# ---------------------------------------------------------------- Get / Update

def test_get_unknown_and_missing(api):
    assert_not_found(api.v2("TenantGet", {"tenantid": 987654321}))
    assert_error(api.v2("TenantGet", {}), 400)     # root in the default tenant names none
    assert_error(api.v2("TenantGet", {"tenantid": "abc"}), 400)
    assert_error(api.v2("TenantGet", {"tenantid": -1}), 400)


def test_tenant_admin_sees_only_its_tenant(server, api):
    name_a, id_a, x_a = bl.create_tenant(api)
    _, id_b, _ = bl.create_tenant(api)
    ta = server.client(token=x_a)
    b = assert_ok(ta.v2("TenantGet", {}))
    assert (b["tenantid"], b["tenantname"]) == (id_a, name_a)
    assert assert_ok(ta.v2("TenantGet", {"tenantid": id_a}))["tenantname"] == name_a
    assert_error(ta.v2("TenantGet", {"tenantid": id_b}), 403)
    assert_error(ta.v2("TenantListTenants", {}), 403)
    assert_error(ta.v2("TenantDelete", {"tenantid": id_b}), 403)
    assert_error(ta.v2("TenantUpdate", {"tenantid": id_b, "tenantname": bl.tenant_name()}), 403)


def test_rename_by_tenant_admin_via_its_host(server, api):
    old, tid, xtoken = bl.create_tenant(api)
    new = bl.tenant_name("r")
    ta = server.client(token=xtoken)
    # the docs' example: the tenant admin renames through the tenant's own host
    assert_ok(ta.v2("TenantUpdate", {"tenantname": new},
                    headers={"Host": f"{old}.databunker.example.com"}))
    assert assert_ok(api.v2("TenantGet", {"tenantid": tid}))["tenantname"] == new
    assert_ok(ta.v2("TenantGet", {}, headers=hdr(new)))
    b = assert_error(api.v2("TenantGet", {"tenantid": tid}, headers=hdr(old)), 404)
    assert b["message"] == "unknown tenant"


def test_update_by_root(api):
    name, tid, _ = bl.create_tenant(api)
    assert_ok(api.v2("TenantUpdate", {"tenantid": tid, "tenantorg": "neworg"}))
    b = assert_ok(api.v2("TenantGet", {"tenantid": tid}))
    assert (b["tenantname"], b["tenantorg"]) == (name, "neworg")
    new = bl.tenant_name()
    assert_ok(api.v2("TenantUpdate", {"tenantid": tid, "name": new}))
    assert assert_ok(api.v2("TenantGet", {"tenantid": tid}))["tenantname"] == new


def test_update_errors(api):
    name, tid, _ = bl.create_tenant(api)
    other, _, _ = bl.create_tenant(api)
    assert_error(api.v2("TenantUpdate", {"tenantid": tid, "tenantname": other}), 409)
    assert_error(api.v2("TenantUpdate", {"tenantid": tid, "tenantname": "Bad-Name"}), 400)
    assert_error(api.v2("TenantUpdate", {"tenantid": tid}), 400)
    assert_error(api.v2("TenantUpdate", {"tenantname": bl.tenant_name()}), 400)
    assert_not_found(api.v2("TenantUpdate", {"tenantid": 987654321,
                                             "tenantname": bl.tenant_name()}))
    assert assert_ok(api.v2("TenantGet", {"tenantid": tid}))["tenantname"] == name


# ---------------------------------------------------------------- List

def test_list_pages(api):
    made = [bl.create_tenant(api) for _ in range(3)]
    b = assert_ok(api.v2("TenantListTenants", {"offset": 0, "limit": 1000}))
    assert b["total"] >= 3 and len(b["rows"]) == b["total"]
    rows = {r["tenantid"]: r for r in b["rows"]}
    for name, tid, _ in made:
        assert rows[tid] == {"tenantid": tid, "tenantname": name, "tenantorg": "org"}
    page = assert_ok(api.v2("TenantListTenants", {"offset": 1, "limit": 2}))
    assert page["total"] == b["total"]
    assert page["rows"] == b["rows"][1:3]
    assert len(assert_ok(api.v2("TenantListTenants", {}))["rows"]) == min(10, b["total"])
    assert_error(api.v2("TenantListTenants", {"limit": 0}), 400)
    assert_error(api.v2("TenantListTenants", {"offset": -1}), 400)


# ---------------------------------------------------------------- selection

def test_unknown_tenant_header(server, api):
    b = assert_error(api.v2("UserGet", {"mode": "email", "identity": "x@example.com"},
                            headers=hdr("nosuchtenant" + bl.uid())), 404)
    assert b["message"] == "unknown tenant"
    assert_error(api.get("/v1/user/email/x@example.com", headers=hdr("Bad-Name")), 404)
    _, _, xtoken = bl.create_tenant(api)
    assert_error(server.client(token=xtoken).v2("UserGet", {"mode": "token",
                                                            "identity": str(uuid.uuid4())},
                                                headers=hdr("nosuchtenant")), 403)


def test_same_email_in_three_tenants(server, api):
    a, _, xa = bl.create_tenant(api)
    b, _, xb = bl.create_tenant(api)
    mail = bl.email("shared")
    t0 = api.create_user({"email": mail, "where": "default"})
    ta = assert_ok(api.post("/v1/user", json={"email": mail, "where": "a"}, headers=hdr(a)))
    tb = assert_ok(server.client(token=xb).v2("UserCreate",
                                              {"profile": {"email": mail, "where": "b"}}))
    assert len({t0, ta["token"], tb["token"]}) == 3
    assert api.user_data("email", mail)["where"] == "default"
    got = assert_ok(api.get(bl.upath("email", mail), headers=hdr(a)))
    assert (got["token"], got["data"]["where"]) == (ta["token"], "a")
    got = assert_ok(server.client(token=xb).get(bl.upath("email", mail)))
    assert (got["token"], got["data"]["where"]) == (tb["token"], "b")
    got = assert_ok(server.client(token=xa).v2("UserGet", {"mode": "email", "identity": mail}))
    assert got["profile"]["where"] == "a"
    # still unique within a tenant
    assert_error(server.client(token=xa).post("/v1/user", json={"email": mail}), 409)


def test_subdomain_selects_tenant(server, api):
    name, _, xtoken = bl.create_tenant(api)
    p = bl.profile()
    tok = assert_ok(api.post("/v1/user", json=p,
                             headers={"Host": f"{name}.vault.example.com"}))["token"]
    assert assert_ok(api.get(bl.upath("token", tok), headers=hdr(name)))["data"] == p
    assert_not_found(api.get(bl.upath("token", tok)))
    # a subdomain that is no tenant is part of the host name: default tenant
    assert_not_found(api.get(bl.upath("token", tok),
                             headers={"Host": "www.vault.example.com"}))
    # the header wins over the host
    other, _, _ = bl.create_tenant(api)
    assert_not_found(api.get(bl.upath("token", tok),
                             headers={"Host": f"{name}.vault.example.com", **hdr(other)}))


def test_tenant_admin_confined_to_users_of_its_tenant(server, api):
    a, _, xa = bl.create_tenant(api)
    b, _, xb = bl.create_tenant(api)
    ca, cb = server.client(token=xa), server.client(token=xb)
    pa, p0 = bl.profile(), bl.profile()
    tok_a = ca.create_user(pa)
    tok_0 = api.create_user(p0)
    # b's admin cannot see a's or the default tenant's users, by any mode
    for mode, ident in (("token", tok_a), ("email", pa["email"]), ("login", pa["login"])):
        assert_not_found(cb.get_user(mode, ident))
    assert_not_found(cb.get_user("token", tok_0))
    assert_not_found(ca.get_user("token", tok_0))
    # nor reach into a by naming it
    r = cb.get(bl.upath("token", tok_a), headers=hdr(a))
    assert_error(r, 401)
    assert_error(cb.v2("UserGet", {"mode": "token", "identity": tok_a}, headers=hdr(a)), 403)
    assert_error(cb.put_user("token", tok_a, {"x": 1}, headers=hdr(a)), 401)
    assert_error(cb.delete_user("token", tok_a, headers=hdr(a)), 401)
    assert_not_found(cb.put_user("token", tok_a, {"x": 1}))
    assert_not_found(cb.delete_user("token", tok_a))
    # a's admin has its own users, in full
    assert ca.user_data("token", tok_a) == pa
    assert_ok(ca.put_user("email", pa["email"], {"fname": "Changed"}))
    assert ca.user_data("token", tok_a)["fname"] == "Changed"
    # root reaches a through the header
    assert assert_ok(api.get(bl.upath("token", tok_a), headers=hdr(a)))["data"]["fname"] == \
        "Changed"
    assert_ok(ca.delete_user("token", tok_a))
    assert_not_found(ca.get_user("token", tok_a))


def test_tenant_admin_confined_to_audit_of_its_tenant(server, api):
    a, _, xa = bl.create_tenant(api)
    _, _, xb = bl.create_tenant(api)
    ca, cb = server.client(token=xa), server.client(token=xb)
    tok = ca.create_user(bl.profile())
    rows = assert_ok(ca.audit_list(tok))["rows"]
    assert rows and rows[-1]["title"] == "UserCreate"
    assert rows[-1]["who"] != "root"
    atoken = rows[0]["atoken"]
    assert_ok(ca.audit_get(atoken))
    assert_ok(ca.v2("AuditGetEvent", {"auditeventuuid": atoken}))
    # another tenant, and the default tenant, know nothing of it
    assert_not_found(cb.audit_get(atoken))
    assert_not_found(cb.v2("AuditGetEvent", {"auditeventuuid": atoken}))
    assert_not_found(api.audit_get(atoken))
    assert_not_found(cb.audit_list(tok))
    assert_error(cb.get(f"/v1/audit/get/{atoken}", headers=hdr(a)), 401)
    assert assert_ok(api.get(f"/v1/audit/get/{atoken}", headers=hdr(a)))["event"]["record"] \
        == tok


# ---------------------------------------------------------------- Delete

def test_delete_destroys_tenant_and_data(server, api):
    name, tid, xtoken = bl.create_tenant(api)
    ct = server.client(token=xtoken)
    p = bl.profile()
    tok = ct.create_user(p)
    # rows of other families that refer to the tenant's users go with them
    assert_ok(ct.v2("AppdataCreate", {"mode": "token", "identity": tok, "appname": "shop",
                                      "appdata": {"cart": 3}}))
    assert_ok(ct.v2("LegalBasisCreate", {"brief": "newsletter"}))
    assert_ok(ct.v2("AgreementAccept", {"mode": "token", "identity": tok,
                                        "brief": "newsletter"}))
    assert_ok(api.v2("TenantDelete", {"tenantid": tid}))
    assert_not_found(api.v2("TenantGet", {"tenantid": tid}))
    assert_error(api.get(bl.upath("token", tok), headers=hdr(name)), 404)
    assert_error(ct.get_user("token", tok), 401)         # its admin token is gone
    assert_error(ct.v2("TenantGet", {}), 403)
    assert tid not in [r["tenantid"] for r in
                       assert_ok(api.v2("TenantListTenants", {"limit": 1000}))["rows"]]
    # the name can be used again, for a tenant that has nothing of the old one
    _, tid2, x2 = bl.create_tenant(api, name=name)
    assert tid2 != tid
    c2 = server.client(token=x2)
    assert_not_found(c2.get_user("token", tok))
    assert_not_found(c2.get_user("email", p["email"]))
    c2.create_user({"email": p["email"]})
    assert_not_found(api.v2("TenantDelete", {"tenantid": tid}))
    assert_error(api.v2("TenantDelete", {}), 400)


def tenant_tables(srv):
    """Every table of <srv>'s database that has a tenant column."""
    if srv.store == "sqlite":
        sql = ("SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p "
               "WHERE m.type = 'table' AND p.name = 'tenant' ORDER BY 1")
    elif srv.store == "pgsql":
        sql = ("SELECT table_name FROM information_schema.columns WHERE table_schema = "
               "'public' AND column_name = 'tenant' ORDER BY 1")
    else:
        sql = ("SELECT table_name FROM information_schema.columns WHERE table_schema = "
               "database() AND column_name = 'tenant' ORDER BY 1")
    return [r[0] for r in bl.store_rows(srv, sql)]


def rows_of_tenant(srv, tid):
    """{table: rows} of tenant <tid> in every tenant table holding any, and
    its registry row."""
    counts = {t: bl.store_rows(srv, f"SELECT count(*) FROM {t} WHERE tenant = ?", (tid,))[0][0]
              for t in tenant_tables(srv)}
    counts["tenants"] = bl.store_rows(srv, "SELECT count(*) FROM tenants WHERE id = ?",
                                      (tid,))[0][0]
    return {t: n for t, n in counts.items() if n}


def fill_tenant(server, ct):
    """Rows of every kind in the tenant of admin client <ct>: tenant-wide
    definitions and a user's records. Returns (user token, profile)."""
    p = bl.profile()
    tok = ct.create_user(p)
    user = {"mode": "token", "identity": tok}
    assert_ok(ct.v2("AppdataCreate", dict(user, appname="shop", appdata={"cart": 3})))
    assert_ok(ct.v2("LegalBasisCreate", {"brief": "newsletter"}))
    assert_ok(ct.v2("AgreementAccept", dict(user, brief="newsletter")))
    assert_ok(ct.v2("ProcessingActivityCreate", {"activity": "mailing"}))
    assert_ok(ct.v2("ProcessingActivityLinkLegalBasis", {"activity": "mailing",
                                                         "brief": "newsletter"}))
    rid = bl.v2_ok(ct, "RoleCreate", {"rolename": "clerk"})["roleid"]
    pid = bl.v2_ok(ct, "PolicyCreate", {"policyname": "readers", "policy": {
        "Effect": "Allow", "Action": "UserGet"}})["policyid"]
    assert_ok(ct.v2("RoleLinkPolicy", {"roleid": rid, "policyid": pid}))
    gid = bl.v2_ok(ct, "GroupCreate", {"groupname": "staff"})["groupid"]
    assert_ok(ct.v2("GroupAddUser", dict(user, groupid=gid, rolename="clerk")))
    bl.xtoken_for_user(ct, tok)
    bl.xtoken_for_role(ct, "clerk")
    bl.unlock(ct)
    assert_ok(ct.v2("SessionUpsert", dict(user, sessionuuid=str(uuid.uuid4()),
                                          sessiondata={"a": 1})))
    assert_ok(ct.v2("SessionUpsert", {"sessionuuid": str(uuid.uuid4()),
                                      "sessiondata": {"untied": 1}}))
    assert_ok(ct.v2("SharedRecordCreate", dict(user, fields="email")))
    assert_ok(ct.v2("UserUpdateRequest", dict(user, profile={"fname": "X"})))
    return tok, p


def test_delete_leaves_no_row_of_the_tenant(server, api):
    name, tid, xtoken = bl.create_tenant(api)
    ct = server.client(token=xtoken)
    tok, p = fill_tenant(server, ct)
    before = rows_of_tenant(server, tid)
    for t in ("users", "user_index", "audit", "audit_head", "appdata", "legal_basis",
              "agreements", "pactivity", "pactivity_lbasis", "access_roles", "access_policies",
              "access_role_policies", "access_groups", "access_members", "access_xtokens",
              "access_unlocks", "access_version", "sessions", "shared_records", "requests",
              "tenants"):
        assert before.get(t, 0) > 0, (t, before)
    assert_ok(api.v2("TenantDelete", {"tenantid": tid}))
    # nothing of the tenant is left in any table, whatever family it belongs to
    assert rows_of_tenant(server, tid) == {}
    # a tenant made again under the same name sees none of it
    _, tid2, x2 = bl.create_tenant(api, name=name)
    assert tid2 != tid
    c2 = server.client(token=x2)
    assert_not_found(c2.get_user("token", tok))
    assert_not_found(c2.get_user("email", p["email"]))
    assert assert_ok(c2.v2("ProcessingActivityListActivities", {}))["rows"] == []
    assert assert_ok(c2.get("/v1/lbasis"))["rows"] == []
    assert assert_ok(c2.v2("PolicyListAllPolicies", {}))["rows"] == []
    assert assert_ok(c2.v2("GroupListAllGroups", {}))["rows"] == []
    assert assert_ok(c2.v2("AppdataListAppNames", {}))["apps"] == []
    # the same definitions can be made again, and the tenant fills as before
    fill_tenant(server, c2)
    assert rows_of_tenant(server, tid) == {}
    assert set(rows_of_tenant(server, tid2)) == set(before)
    assert_ok(api.v2("TenantDelete", {"tenantid": tid2}))
    assert rows_of_tenant(server, tid2) == {}


# ---------------------------------------------------------------- UI conf

def test_ui_conf_from_config(server_factory):
    conf = ("ui:\n  logo_link: \"https://example.com/logo.png\"\n"
            "  company_title: \"ACME Vault\"\n")
    srv = server_factory(conf=conf)
    srv.init()
    srv.start()
    b = assert_ok(srv.client(token=None).v2("TenantGetUIConf", {}))
    ui = b["ui"]
    assert ui["logo_link"] == "https://example.com/logo.png"
    assert ui["company_title"] == "ACME Vault"
    assert ui["company_vat"] is None


# ---------------------------------------------------------------- PostgreSQL RLS

@pytest.mark.skipif(bl.store_kind() != "pgsql", reason="row-level security is PostgreSQL's")
def test_row_level_security_fences_tenants(fresh_server):
    srv = fresh_server
    api = srv.client()
    a, id_a, xa = bl.create_tenant(api)
    _, id_b, _ = bl.create_tenant(api)
    tok = srv.client(token=xa).create_user(bl.profile())

    def q(tenant, sql):
        setting = f"SET app.tenant = '{tenant}'; " if tenant is not None else ""
        return bl.sql_as_vault_role(srv, setting + sql).strip().splitlines()[-1]

    # the vault's own role, asking for tenant a's rows while set to tenant b: none
    for table in ("users", "user_index", "audit"):
        assert q(id_b, f"SELECT count(*) FROM {table} WHERE tenant = {id_a}") == "0", table
        assert int(q(id_a, f"SELECT count(*) FROM {table} WHERE tenant = {id_a}")) >= 1, table
        assert q(None, f"SELECT count(*) FROM {table}") == "0", table
    assert q(id_b, f"SELECT count(*) FROM users WHERE token = '{tok}'") == "0"
    assert q(id_a, f"SELECT count(*) FROM users WHERE token = '{tok}'") == "1"
    # nor can it write a row into another tenant
    with pytest.raises(AssertionError, match="row-level security"):
        bl.sql_as_vault_role(srv, f"SET app.tenant = '{id_b}'; INSERT INTO users "
                             f"(tenant, token, status, version, created, updated) VALUES "
                             f"({id_a}, 'x', 1, 1, 0, 0)")
    # the role is an ordinary one: RLS binds it
    assert q(None, "SELECT rolsuper OR rolbypassrls FROM pg_roles "
                   "WHERE rolname = current_user") == "f"
