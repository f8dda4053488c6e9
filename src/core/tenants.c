/* Tenants: selection per request, the tenant admin token, and the tenant
 * operations. A tenant's keys derive from the master key, its id and a random
 * salt kept in its row: deleting the row destroys them, and with them every
 * record, index and audit detail the tenant ever had. */
#include "tenants.h"

#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../vault/kdf.h"
#include "../vault/secbuf.h"

int
tenants_name_valid(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > TENANT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return 0;
    }
    return 1;
}

static enum bk_err
enter(struct ctx *c, const struct tenant_row *row)
{
    enum bk_err err;

    tenants_ctx_cleanup(c);
    err = keys_for_tenant(&c->app->vault, row->id, row->salt, &c->tenant_vault);
    if (err != BK_OK)
        return err;
    c->vault = &c->tenant_vault;
    c->tenant = row->id;
    return BK_OK;
}

/* The first label of <host> when it has a subdomain (three labels or more,
 * not an IP address), without the port. */
static int
subdomain(const char *host, char out[TENANT_NAME_MAX + 1])
{
    size_t n = 0, labels = 1, first = 0;
    int digits_only = 1;

    if (host == NULL || host[0] == '[')
        return 0;
    while (host[n] != '\0' && host[n] != ':') {
        if (host[n] == '.') {
            if (labels == 1)
                first = n;
            labels++;
        } else if (host[n] < '0' || host[n] > '9') {
            digits_only = 0;
        }
        n++;
    }
    if (labels < 3 || digits_only || first == 0 || first > TENANT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < first; i++) {
        char ch = host[i];

        out[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    out[first] = '\0';
    return tenants_name_valid(out, first);
}

enum bk_err
tenants_select(struct ctx *c, const char *header, const char *host)
{
    char name[TENANT_NAME_MAX + 1];
    struct tenant_row row;
    int from_header = header != NULL && header[0] != '\0';
    enum bk_err err;

    c->tenant = 0;
    c->tenant_named = 0;
    c->tenant_unknown = 0;
    if (from_header) {
        size_t len = strlen(header);

        c->tenant_named = 1;
        if (!tenants_name_valid(header, len)) {
            c->tenant_unknown = 1;
            c->tenant = -1;
            return BK_OK;
        }
        memcpy(name, header, len + 1);
    } else if (!subdomain(host, name)) {
        return BK_OK;
    }
    err = store_tenants_by_name(&c->db, name, &row);
    if (err == BK_ENOTFOUND || err == BK_ENOTIMPL) {
        /* A subdomain that is no tenant is just part of the vault's host name. */
        if (from_header) {
            c->tenant_unknown = 1;
            c->tenant = -1;
        }
        return BK_OK;
    }
    if (err != BK_OK)
        return err;
    c->tenant_named = 1;
    err = enter(c, &row);
    secbuf_wipe(&row, sizeof row);
    return err;
}

enum bk_err
tenants_auth_admin(struct ctx *c, const uint8_t hash[KEYS_LEN])
{
    struct tenant_row row;
    enum bk_err err = store_tenants_by_admin(&c->db, hash, &row);

    if (err == BK_ENOTIMPL)
        return BK_ENOTFOUND;
    if (err != BK_OK)
        return err;
    if (c->tenant_named && c->tenant != row.id) {
        err = ctx_fail(c, BK_EAUTH, "access denied");
    } else {
        err = c->tenant_named ? BK_OK : enter(c, &row);
        if (err == BK_OK) {
            c->tenant_named = 1;
            c->caller = CALLER_TENANT;
            snprintf(c->who, sizeof c->who, "tenant:%.39s", row.name);
        }
    }
    secbuf_wipe(&row, sizeof row);
    return err;
}

void
tenants_ctx_cleanup(struct ctx *c)
{
    keys_wipe(&c->tenant_vault);
    c->vault = NULL;
}

static enum bk_err
root_only(struct ctx *c)
{
    return c->caller == CALLER_ROOT ? BK_OK : ctx_fail(c, BK_EFORBID, "access denied");
}

/* The tenant an operation names: <id>, or the request's own for 0. A tenant
 * admin may name only its own. */
static enum bk_err
target(struct ctx *c, int64_t id, int64_t *out)
{
    *out = id != 0 ? id : c->tenant;
    if (*out <= 0)
        return ctx_fail(c, BK_EINVAL, "missing tenantid");
    if (c->caller != CALLER_ROOT && *out != c->tenant)
        return ctx_fail(c, BK_EFORBID, "access denied");
    return BK_OK;
}

enum bk_err
tenants_create(struct ctx *c, const char *name, const char *org, int64_t *id_out,
               char xtoken_out[37])
{
    struct tenant_row row;
    char token[37];
    enum bk_err err;

    *id_out = 0;
    xtoken_out[0] = '\0';
    memset(&row, 0, sizeof row);
    err = root_only(c);
    if (err != BK_OK)
        return err;
    if (!tenants_name_valid(name, strlen(name)))
        return ctx_fail(c, BK_EINVAL, "tenant name must match [a-z0-9]+ (at most 64)");
    if (strlen(org) > TENANT_ORG_MAX)
        return ctx_fail(c, BK_EINVAL, "tenant org too long");
    memcpy(row.name, name, strlen(name) + 1);
    memcpy(row.org, org, strlen(org) + 1);
    row.created = c->now;
    err = kdf_random(row.salt, sizeof row.salt);
    if (err == BK_OK)
        err = keys_uuid(token);
    if (err == BK_OK)
        err = keys_token_hash(&c->app->vault, token, strlen(token), row.admin_hash);
    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = store_tenants_insert(&c->db, &row);
    err = store_end(&c->db, err);
    if (err == BK_ECONFLICT)
        err = ctx_fail(c, err, "tenant with this name already exists");
    if (err == BK_OK) {
        *id_out = row.id;
        memcpy(xtoken_out, token, 37);
        LOG_INFO(c->rid, "tenants", "tenant %lld created", (long long)row.id);
    }
out:
    secbuf_wipe(&row, sizeof row);
    secbuf_wipe(token, sizeof token);
    return err;
}

enum bk_err
tenants_get(struct ctx *c, int64_t id, struct tenant_row *out)
{
    enum bk_err err = target(c, id, &id);

    memset(out, 0, sizeof *out);
    if (err == BK_OK)
        err = store_tenants_by_id(&c->db, id, out);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    return err;
}

enum bk_err
tenants_update(struct ctx *c, int64_t id, const char *name, const char *org)
{
    enum bk_err err = target(c, id, &id);

    if (err != BK_OK)
        return err;
    if (name == NULL && org == NULL)
        return ctx_fail(c, BK_EINVAL, "nothing to change: give tenantname or tenantorg");
    if (name != NULL && !tenants_name_valid(name, strlen(name)))
        return ctx_fail(c, BK_EINVAL, "tenant name must match [a-z0-9]+ (at most 64)");
    if (org != NULL && strlen(org) > TENANT_ORG_MAX)
        return ctx_fail(c, BK_EINVAL, "tenant org too long");
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_tenants_update(&c->db, id, name, org);
    err = store_end(&c->db, err);
    if (err == BK_ECONFLICT)
        return ctx_fail(c, err, "tenant with this name already exists");
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    return err;
}

enum bk_err
tenants_list(struct ctx *c, int64_t offset, int64_t limit, int64_t *total, store_tenant_fn fn,
             void *arg)
{
    enum bk_err err = root_only(c);

    *total = 0;
    return err == BK_OK ? store_tenants_list(&c->db, offset, limit, total, fn, arg) : err;
}

enum bk_err
tenants_delete(struct ctx *c, int64_t id)
{
    enum bk_err err = root_only(c);

    if (err != BK_OK)
        return err;
    if (id <= 0)
        return ctx_fail(c, BK_EINVAL, "missing tenantid");
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    /* every row of the tenant, per-user and tenant-wide, and the tenant row
     * (with its key salt) go in this one transaction; its events still in
     * the read journal are dropped by the import that finds it gone */
    err = store_tenants_remove(&c->db, id);
    err = store_end(&c->db, err);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err == BK_OK)
        LOG_INFO(c->rid, "tenants", "tenant %lld deleted with its keys", (long long)id);
    return err;
}
