/* /v2 tenant adapters. Names are taken as the spec (tenantname, tenantorg)
 * and the docs (name, org) give them; the services are in core/tenants.c. */
#include "v2_tenants.h"

#include <string.h>

#include "../core/tenants.h"
#include "params.h"
#include "v2_user.h"

#define TENANT_PAGE_MAX 1000

/* An optional string parameter known by two names; NULL when absent. */
static enum bk_err
either_str(struct ctx *c, const json_t *body, const char *a, const char *b, const char **out)
{
    size_t len = 0;
    enum bk_err err = params_str(c, body, a, out, &len);

    if (err == BK_ENOTFOUND)
        err = params_str(c, body, b, out, &len);
    if (err == BK_ENOTFOUND) {
        *out = NULL;
        return BK_OK;
    }
    if (err == BK_OK && strlen(*out) != len)
        return ctx_fail(c, BK_EINVAL, "parameter contains a NUL character");
    return err;
}

static json_t *
tenant_json(const struct tenant_row *t)
{
    return json_pack("{s:I, s:s, s:s}", "tenantid", (json_int_t)t->id, "tenantname", t->name,
                     "tenantorg", t->org);
}

static V2_HANDLER(v2_tenant_create)
{
    const char *name = NULL, *org = NULL;
    char xtoken[37];
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = either_str(c, body, "tenantname", "name", &name);
    if (err == BK_OK && name == NULL)
        err = ctx_fail(c, BK_EINVAL, "missing tenantname");
    if (err == BK_OK)
        err = either_str(c, body, "tenantorg", "org", &org);
    if (err == BK_OK)
        err = tenants_create(c, name, org ? org : "", &id, xtoken);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s, s:I}", "xtoken", xtoken, "tenantid", (json_int_t)id);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_tenant_get)
{
    struct tenant_row t;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_int(c, body, "tenantid", 0, 1, INT64_MAX, &id);
    if (err == BK_OK)
        err = tenants_get(c, id, &t);
    if (err != BK_OK)
        return err;
    *reply = tenant_json(&t);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_tenant_update)
{
    const char *name = NULL, *org = NULL;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_int(c, body, "tenantid", 0, 1, INT64_MAX, &id);
    if (err == BK_OK)
        err = either_str(c, body, "tenantname", "name", &name);
    if (err == BK_OK)
        err = either_str(c, body, "tenantorg", "org", &org);
    if (err == BK_OK)
        err = tenants_update(c, id, name, org);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
collect(void *arg, const struct tenant_row *t)
{
    json_t *o = tenant_json(t);

    return o != NULL && json_array_append_new(arg, o) == 0 ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_tenant_list)
{
    int64_t offset = 0, limit = 10, total = 0;
    json_t *rows;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_int(c, body, "offset", 0, 0, INT32_MAX, &offset);
    if (err == BK_OK)
        err = params_int(c, body, "limit", 10, 1, TENANT_PAGE_MAX, &limit);
    if (err != BK_OK)
        return err;
    rows = json_array();
    if (rows == NULL)
        return BK_ENOMEM;
    err = tenants_list(c, offset, limit, &total, collect, rows);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_tenant_delete)
{
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_int(c, body, "tenantid", 0, 1, INT64_MAX, &id);
    if (err == BK_OK && id == 0)
        err = ctx_fail(c, BK_EINVAL, "missing tenantid");
    if (err == BK_OK)
        err = tenants_delete(c, id);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_tenants_routes[] = {
    { "POST", "/v2/TenantCreate", v2_tenant_create, V2, "TenantCreate" },
    { "POST", "/v2/TenantGet", v2_tenant_get, V2, "TenantGet" },
    { "POST", "/v2/TenantUpdate", v2_tenant_update, V2, "TenantUpdate" },
    { "POST", "/v2/TenantListTenants", v2_tenant_list, V2, "TenantListTenants" },
    { "POST", "/v2/TenantDelete", v2_tenant_delete, V2, "TenantDelete" },
    { NULL, NULL, NULL, 0, NULL },
};
