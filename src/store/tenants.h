/* The tenants family: the registry of tenants (global, not itself per
 * tenant). A tenant row holds the random salt its keys are derived with and
 * the keyed hash of its admin token; deleting the row destroys the keys. */
#ifndef BK_STORE_TENANTS_H
#define BK_STORE_TENANTS_H

#include <stdint.h>

#include "store.h"

#define TENANT_NAME_MAX 64
#define TENANT_ORG_MAX 128

struct tenant_row {
    int64_t id;                         /* 1.. (0 is the default tenant, never stored) */
    char name[TENANT_NAME_MAX + 1];
    char org[TENANT_ORG_MAX + 1];
    uint8_t salt[STORE_HASH_LEN];       /* random: the tenant's keys derive from it */
    uint8_t admin_hash[STORE_HASH_LEN]; /* keyed hash of the tenant admin token */
    int64_t created;
};

/* Every table that holds rows of a tenant (a "tenant" column), children
 * before the tables they refer to: what removing a tenant deletes, on every
 * backend, before the tenant row itself. A family that adds a table adds it
 * here; tests/api/test_tenants.py fails on a tenant table left out. */
#define STORE_TENANT_TABLES(X) \
    X(pactivity_lbasis) X(agreements) X(legal_basis) X(pactivity) \
    X(access_role_policies) X(access_members) X(access_xtokens) X(access_unlocks) \
    X(access_roles) X(access_policies) X(access_groups) X(access_version) X(search_grams) \
    X(search_pending) \
    X(appdata) X(sessions) X(requests) X(record_versions) X(user_expiry) X(shared_records) \
    X(portal_codes) X(portal_sessions) X(portal_hits) X(tokens) \
    X(user_index) X(audit) X(audit_head) X(users)

/* Called for each tenant a listing finds; the row is borrowed for the call. */
typedef enum bk_err (*store_tenant_fn)(void *arg, const struct tenant_row *row);

struct store_tenants_ops {
    /* BK_ECONFLICT when the name is taken; sets row->id */
    enum bk_err (*insert)(void *conn, struct tenant_row *row);
    enum bk_err (*by_id)(void *conn, int64_t id, struct tenant_row *out);
    enum bk_err (*by_name)(void *conn, const char *name, struct tenant_row *out);
    enum bk_err (*by_admin)(void *conn, const uint8_t hash[STORE_HASH_LEN],
                            struct tenant_row *out);
    /* rename / new org; BK_ECONFLICT when the name is taken, BK_ENOTFOUND */
    enum bk_err (*update)(void *conn, int64_t id, const char *name, const char *org);
    enum bk_err (*list)(void *conn, int64_t offset, int64_t limit, int64_t *total,
                        store_tenant_fn fn, void *arg);
    /* the tenant row and every row of the tenant (STORE_TENANT_TABLES);
     * BK_ENOTFOUND when there is no such tenant */
    enum bk_err (*remove)(void *conn, int64_t id);
};

#define STORE_TENANTS(c) (STORE_OPS(c)->tenants)

static inline enum bk_err
store_tenants_insert(struct store_conn *c, struct tenant_row *row)
{
    return STORE_TENANTS(c) ? STORE_TENANTS(c)->insert(c->conn, row) : BK_ENOTIMPL;
}

static inline enum bk_err
store_tenants_by_id(struct store_conn *c, int64_t id, struct tenant_row *out)
{
    return STORE_TENANTS(c) ? STORE_TENANTS(c)->by_id(c->conn, id, out) : BK_ENOTIMPL;
}

static inline enum bk_err
store_tenants_by_name(struct store_conn *c, const char *name, struct tenant_row *out)
{
    return STORE_TENANTS(c) ? STORE_TENANTS(c)->by_name(c->conn, name, out) : BK_ENOTIMPL;
}

static inline enum bk_err
store_tenants_by_admin(struct store_conn *c, const uint8_t hash[STORE_HASH_LEN],
                       struct tenant_row *out)
{
    return STORE_TENANTS(c) ? STORE_TENANTS(c)->by_admin(c->conn, hash, out) : BK_ENOTIMPL;
}

static inline enum bk_err
store_tenants_update(struct store_conn *c, int64_t id, const char *name, const char *org)
{
    return STORE_TENANTS(c) ? STORE_TENANTS(c)->update(c->conn, id, name, org) : BK_ENOTIMPL;
}

static inline enum bk_err
store_tenants_list(struct store_conn *c, int64_t offset, int64_t limit, int64_t *total,
                   store_tenant_fn fn, void *arg)
{
    return STORE_TENANTS(c) ? STORE_TENANTS(c)->list(c->conn, offset, limit, total, fn, arg)
                            : BK_ENOTIMPL;
}

static inline enum bk_err
store_tenants_remove(struct store_conn *c, int64_t id)
{
    return STORE_TENANTS(c) ? STORE_TENANTS(c)->remove(c->conn, id) : BK_ENOTIMPL;
}

#endif
