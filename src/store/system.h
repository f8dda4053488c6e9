/* The "system" store family: what administration needs across the tenants
 * (counts, the tenants that hold users, soft-delete status changes), bulk
 * unlock ids, and the SQL dump behind GET /v1/sys/backup. */
#ifndef BK_STORE_SYSTEM_H
#define BK_STORE_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A user removed by SystemDeleteUserProfiles: indexes gone, profile and data
 * key kept, so SystemRestoreUserProfile can bring it back. */
#define USER_REMOVED 3

/* Receives the dump text piece by piece; non-BK_OK stops the dump. */
typedef enum bk_err (*store_text_fn)(void *arg, const char *text, size_t len);
/* Receives each tenant id; non-BK_OK stops the listing. */
typedef enum bk_err (*store_tenant_fn)(void *arg, int64_t tenant);

struct store_system_ops {
    /* The whole database as SQL text that restores into an empty database,
     * taken in one read transaction (a consistent snapshot). */
    enum bk_err (*backup_sql)(void *conn, store_text_fn fn, void *arg);
    /* Every tenant that holds at least one user row, ascending. */
    enum bk_err (*tenant_list)(void *conn, store_tenant_fn fn, void *arg);
    /* Active users in all tenants; tenants holding users. */
    enum bk_err (*count_all_users)(void *conn, int64_t *out);
    enum bk_err (*count_tenants)(void *conn, int64_t *out);
    /* Move user <id> from status <from> to <to>; BK_ENOTFOUND when it is not
     * in <from>. */
    enum bk_err (*user_set_status)(void *conn, int64_t tenant, int64_t id, int from, int to,
                                   int64_t when);
    /* Bulk unlock ids, kept as keyed hashes: store one (dropping expired
     * ones), and check one is stored and unexpired at <now>. */
    enum bk_err (*unlock_put)(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                              int64_t expires, int64_t now);
    enum bk_err (*unlock_check)(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                                int64_t now);
};

#define STORE_SYSTEM(c) ((c)->store->ops->system)

static inline enum bk_err
store_system_backup_sql(struct store_conn *c, store_text_fn fn, void *arg)
{
    if (STORE_SYSTEM(c) == NULL || STORE_SYSTEM(c)->backup_sql == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->backup_sql(c->conn, fn, arg);
}

static inline enum bk_err
store_system_tenant_list(struct store_conn *c, store_tenant_fn fn, void *arg)
{
    if (STORE_SYSTEM(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->tenant_list(c->conn, fn, arg);
}

static inline enum bk_err
store_system_count_all_users(struct store_conn *c, int64_t *out)
{
    if (STORE_SYSTEM(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->count_all_users(c->conn, out);
}

static inline enum bk_err
store_system_count_tenants(struct store_conn *c, int64_t *out)
{
    if (STORE_SYSTEM(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->count_tenants(c->conn, out);
}

static inline enum bk_err
store_system_user_set_status(struct store_conn *c, int64_t tenant, int64_t id, int from, int to,
                             int64_t when)
{
    if (STORE_SYSTEM(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->user_set_status(c->conn, tenant, id, from, to, when);
}

static inline enum bk_err
store_system_unlock_put(struct store_conn *c, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                        int64_t expires, int64_t now)
{
    if (STORE_SYSTEM(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->unlock_put(c->conn, tenant, hash, expires, now);
}

static inline enum bk_err
store_system_unlock_check(struct store_conn *c, int64_t tenant,
                          const uint8_t hash[STORE_HASH_LEN], int64_t now)
{
    if (STORE_SYSTEM(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->unlock_check(c->conn, tenant, hash, now);
}

#endif
