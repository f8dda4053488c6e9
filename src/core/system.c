/* Cross-tenant administration. Each call runs in one transaction over all
 * tenants, switching c->tenant to the tenant at hand so that every lookup,
 * key and audit event stays within that tenant; c->tenant is put back after. */
#include "system.h"

#include <string.h>

#include "../base/mem.h"
#include "../store/system.h"
#include "../vault/secbuf.h"
#include "audit.h"

typedef enum bk_err (*count_fn)(struct ctx *c, int64_t *out);

static enum bk_err
count_users(struct ctx *c, int64_t *out)
{
    return store_system_count_all_users(&c->db, out);
}

static enum bk_err
count_tenants(struct ctx *c, int64_t *out)
{
    enum bk_err err = store_system_count_tenants(&c->db, out);

    /* the main tenant exists even before it holds a user */
    if (err == BK_OK && *out < 1)
        *out = 1;
    return err;
}

static enum bk_err
count_sessions(struct ctx *c, int64_t *out)
{
    return store_system_count_rows(&c->db, STORE_COUNT_SESSIONS, c->now, out);
}

static enum bk_err
count_agreements(struct ctx *c, int64_t *out)
{
    return store_system_count_rows(&c->db, STORE_COUNT_AGREEMENTS, c->now, out);
}

static enum bk_err
count_open_requests(struct ctx *c, int64_t *out)
{
    return store_system_count_rows(&c->db, STORE_COUNT_OPEN_REQUESTS, c->now, out);
}

static enum bk_err
count_xtokens(struct ctx *c, int64_t *out)
{
    return store_system_count_rows(&c->db, STORE_COUNT_XTOKENS, c->now, out);
}

/* What SystemGetSystemStats and the metrics count. Families add a line:
 * { "numsessions", "sessions", count_sessions }. <stat> or <kind> may be NULL
 * when a count belongs to only one of them. A count the backend cannot make
 * (BK_ENOTIMPL) is left out. */
static const struct {
    const char *stat;    /* SystemGetSystemStats member */
    const char *kind;    /* metrics: databunker_records{kind=...} */
    count_fn fn;
} counters[] = {
    { "numusers", "users", count_users },
    { "numtenants", NULL, count_tenants },
    { "numsessions", "sessions", count_sessions },
    { "numagreements", "agreements", count_agreements },
    { "numopenrequests", "open_requests", count_open_requests },
    { "numtokens", "tokens", count_xtokens },
    { NULL, NULL, NULL },
};

enum bk_err
system_admin_check(struct ctx *c)
{
    if (c->caller != CALLER_ROOT || c->tenant != 0)
        return ctx_fail(c, BK_EFORBID, "only the main tenant's administrator may do this");
    return BK_OK;
}

enum bk_err
system_stats(struct ctx *c, json_t **out)
{
    json_t *o = json_object();
    enum bk_err err;

    *out = NULL;
    if (o == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 0);
    for (size_t i = 0; err == BK_OK && counters[i].fn != NULL; i++) {
        int64_t n = 0;

        if (counters[i].stat == NULL)
            continue;
        err = counters[i].fn(c, &n);
        if (err == BK_ENOTIMPL) {
            err = BK_OK;
            continue;
        }
        if (err == BK_OK && json_object_set_new(o, counters[i].stat, json_integer(n)) != 0)
            err = BK_ENOMEM;
    }
    store_rollback(&c->db);
    if (err != BK_OK) {
        json_decref(o);
        return err;
    }
    *out = o;
    return BK_OK;
}

enum bk_err
system_record_counts(struct ctx *c, system_count_fn fn, void *arg)
{
    enum bk_err err = store_begin(&c->db, 0);

    for (size_t i = 0; err == BK_OK && counters[i].fn != NULL; i++) {
        int64_t n = 0;

        if (counters[i].kind == NULL)
            continue;
        err = counters[i].fn(c, &n);
        if (err == BK_ENOTIMPL) {
            err = BK_OK;
            continue;
        }
        if (err == BK_OK)
            err = fn(arg, counters[i].kind, n);
    }
    store_rollback(&c->db);
    return err;
}

/* Tenant names come from the tenants family once it exists; until then only
 * the main tenant (id 0) has one. */
const char *
system_tenant_name(int64_t id)
{
    return id == 0 ? "default" : NULL;
}

enum bk_err
system_tenant_by_name(const char *name, int64_t *out)
{
    *out = -1;
    if (strcmp(name, "default") != 0)
        return BK_ENOTFOUND;
    *out = 0;
    return BK_OK;
}

/* ---- the tenants holding users ---- */

struct tenants {
    int64_t *ids;
    size_t n, cap;
};

static enum bk_err
tenants_add(void *arg, int64_t id)
{
    struct tenants *t = arg;

    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        int64_t *p = mem_realloc(t->ids, cap * sizeof *p);

        if (p == NULL)
            return BK_ENOMEM;
        t->ids = p;
        t->cap = cap;
    }
    t->ids[t->n++] = id;
    return BK_OK;
}

static json_t *
row_new(int64_t tenant, const char *token, json_t *profile)
{
    const char *name = system_tenant_name(tenant);
    json_t *r = json_pack("{s:s, s:I}", "token", token, "tenantid", (json_int_t)tenant);

    if (r == NULL)
        return NULL;
    if ((profile != NULL && json_object_set(r, "profile", profile) != 0) ||
        (name != NULL && json_object_set_new(r, "tenantname", json_string(name)) != 0)) {
        json_decref(r);
        return NULL;
    }
    return r;
}

/* Read the active user <ref> names in c->tenant into <rows> (absent: nothing
 * added), with an audit event; <seen> dedupes by row id within the tenant. */
static enum bk_err
read_one(struct ctx *c, const struct user_ref *ref, const char *action, int lenient,
         json_t *rows, int64_t *seen, size_t *nseen)
{
    struct user_row row;
    uint8_t dek[KEYS_LEN];
    json_t *profile = NULL, *r;
    struct audit_event ev = { .action = action, .mode = users_mode_name(ref->mode) };
    char *ident = mem_strndup(ref->identity, ref->identity_len);
    enum bk_err err;

    memset(dek, 0, sizeof dek);
    if (ident == NULL)
        return BK_ENOMEM;
    err = users_lookup(c, ref, 0, &row);
    if (err != BK_OK) {
        mem_free(ident);
        if (err == BK_ENOTFOUND || (err == BK_EINVAL && lenient)) {
            /* absent from this tenant, or not a value of this kind (search) */
            c->errmsg = NULL;
            return BK_OK;
        }
        return err;
    }
    for (size_t i = 0; seen != NULL && i < *nseen; i++) {
        if (seen[i] == row.id)
            goto out;
    }
    if (seen != NULL)
        seen[(*nseen)++] = row.id;
    err = users_open(c, &row, dek, &profile);
    if (err == BK_OK) {
        ev.record = row.token;
        ev.identity = ident;
        ev.dek = dek;
        err = audit_write(c, &ev);
    }
    if (err == BK_OK) {
        r = row_new(c->tenant, row.token, profile);
        if (r == NULL || json_array_append_new(rows, r) != 0)
            err = BK_ENOMEM;
    }
out:
    json_decref(profile);
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&row);
    mem_free(ident);
    return err;
}

/* Run <kinds> lookups of <identity> over every tenant in one write
 * transaction, collecting rows. */
static enum bk_err
read_all(struct ctx *c, const enum user_mode *kinds, size_t nkinds, const char *identity,
         size_t len, const char *action, int lenient, json_t **rows_out)
{
    struct tenants t = { NULL, 0, 0 };
    int64_t home = c->tenant, seen[8];
    json_t *rows = json_array();
    enum bk_err err;

    *rows_out = NULL;
    if (rows == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 1);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    err = store_system_tenant_list(&c->db, tenants_add, &t);
    for (size_t i = 0; err == BK_OK && i < t.n; i++) {
        size_t nseen = 0;

        c->tenant = t.ids[i];
        for (size_t k = 0; err == BK_OK && k < nkinds; k++) {
            struct user_ref ref = { kinds[k], identity, len };

            err = read_one(c, &ref, action, lenient, rows, seen, &nseen);
        }
    }
    c->tenant = home;
    err = store_end(&c->db, err);
    mem_free(t.ids);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    *rows_out = rows;
    return BK_OK;
}

enum bk_err
system_profiles_get(struct ctx *c, const struct user_ref *ref, json_t **rows_out)
{
    *rows_out = NULL;
    if (ref->mode == MODE_TOKEN)
        return ctx_fail(c, BK_EINVAL, "token mode is not supported here: tokens differ per tenant");
    if (ref->identity == NULL || ref->identity_len == 0)
        return ctx_fail(c, BK_EINVAL, "missing identity");
    return read_all(c, &ref->mode, 1, ref->identity, ref->identity_len, "SystemGetUserProfiles",
                    0, rows_out);
}

enum bk_err
system_profiles_search(struct ctx *c, const char *identity, size_t len, json_t **rows_out)
{
    static const enum user_mode email[] = { MODE_EMAIL };
    static const enum user_mode other[] = { MODE_LOGIN, MODE_PHONE, MODE_CUSTOM };
    int has_at = memchr(identity, '@', len) != NULL;

    *rows_out = NULL;
    if (len == 0)
        return ctx_fail(c, BK_EINVAL, "missing identity");
    return read_all(c, has_at ? email : other, has_at ? 1 : 3, identity, len,
                    "SystemSearchUserProfiles", 1, rows_out);
}

enum bk_err
system_profiles_delete(struct ctx *c, const struct user_ref *ref, int64_t only,
                       json_t **rows_out)
{
    struct tenants t = { NULL, 0, 0 };
    int64_t home = c->tenant;
    json_t *rows = json_array();
    enum bk_err err;

    *rows_out = NULL;
    if (rows == NULL)
        return BK_ENOMEM;
    if (ref->mode == MODE_TOKEN && only < 0) {
        json_decref(rows);
        return ctx_fail(c, BK_EINVAL, "token mode needs tenantid or tenantname");
    }
    err = store_begin(&c->db, 1);
    if (err == BK_OK)
        err = only >= 0 ? tenants_add(&t, only) : store_system_tenant_list(&c->db, tenants_add, &t);
    for (size_t i = 0; err == BK_OK && i < t.n; i++) {
        struct user_row row;

        c->tenant = t.ids[i];
        err = users_lookup(c, ref, 0, &row);
        if (err == BK_ENOTFOUND) {
            c->errmsg = NULL;
            err = BK_OK;
            continue;
        }
        if (err == BK_OK)
            err = users_remove(c, &row, "SystemDeleteUserProfiles");
        if (err == BK_OK) {
            json_t *r = row_new(c->tenant, row.token, NULL);

            if (r == NULL || json_array_append_new(rows, r) != 0)
                err = BK_ENOMEM;
        }
        store_user_row_cleanup(&row);
    }
    c->tenant = home;
    if (err == BK_OK && json_array_size(rows) == 0)
        err = ctx_fail(c, BK_ENOTFOUND, "not found");
    err = store_end(&c->db, err);
    mem_free(t.ids);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    *rows_out = rows;
    return BK_OK;
}

enum bk_err
system_profile_restore(struct ctx *c, const char *token, size_t len, int64_t tenant,
                       json_t **profile_out)
{
    struct user_ref ref = { MODE_TOKEN, token, len };
    struct user_row row;
    int64_t home = c->tenant;
    enum bk_err err;

    *profile_out = NULL;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    c->tenant = tenant;
    err = users_lookup(c, &ref, 1, &row);
    if (err == BK_OK)
        err = users_restore(c, &row, "SystemRestoreUserProfile", profile_out);
    c->tenant = home;
    err = store_end(&c->db, err);
    if (err != BK_OK) {
        json_decref(*profile_out);
        *profile_out = NULL;
    }
    store_user_row_cleanup(&row);
    return err;
}
