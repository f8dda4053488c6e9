/* The "system" store family: what administration needs across the tenants
 * (counts, the tenants that hold users, soft-delete status changes) and the
 * SQL dump behind GET /v1/sys/backup. */
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
typedef enum bk_err (*store_tenant_id_fn)(void *arg, int64_t tenant);

struct store_system_ops {
    /* The whole database as SQL text that restores into an empty database,
     * taken in one read transaction (a consistent snapshot). */
    enum bk_err (*backup_sql)(void *conn, store_text_fn fn, void *arg);
    /* Every tenant that holds at least one user row, ascending. */
    enum bk_err (*tenant_list)(void *conn, store_tenant_id_fn fn, void *arg);
    /* Active users in all tenants; tenants holding users. */
    enum bk_err (*count_all_users)(void *conn, int64_t *out);
    enum bk_err (*count_tenants)(void *conn, int64_t *out);
    /* Move user <id> from status <from> to <to>; BK_ENOTFOUND when it is not
     * in <from>. */
    enum bk_err (*user_set_status)(void *conn, int64_t tenant, int64_t id, int from, int to,
                                   int64_t when);
    /* Rows of one family in all tenants (SystemGetSystemStats, metrics);
     * <what> is one of STORE_COUNT_*, <now> the time that decides what is
     * live. NULL in a backend that does not count them: the wrapper answers
     * BK_ENOTIMPL and the count is left out. */
    enum bk_err (*count_rows)(void *conn, int what, int64_t now, int64_t *out);
};

/* What count_rows counts: live sessions, agreements, data-subject requests
 * still open, access tokens (xtokens). */
enum { STORE_COUNT_SESSIONS, STORE_COUNT_AGREEMENTS, STORE_COUNT_OPEN_REQUESTS,
       STORE_COUNT_XTOKENS };

#define STORE_SYSTEM(c) ((c)->store->ops->system)

static inline enum bk_err
store_system_backup_sql(struct store_conn *c, store_text_fn fn, void *arg)
{
    if (STORE_SYSTEM(c) == NULL || STORE_SYSTEM(c)->backup_sql == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->backup_sql(c->conn, fn, arg);
}

static inline enum bk_err
store_system_tenant_list(struct store_conn *c, store_tenant_id_fn fn, void *arg)
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
store_system_count_rows(struct store_conn *c, int what, int64_t now, int64_t *out)
{
    if (STORE_SYSTEM(c) == NULL || STORE_SYSTEM(c)->count_rows == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->count_rows(c->conn, what, now, out);
}

static inline enum bk_err
store_system_user_set_status(struct store_conn *c, int64_t tenant, int64_t id, int from, int to,
                             int64_t when)
{
    if (STORE_SYSTEM(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SYSTEM(c)->user_set_status(c->conn, tenant, id, from, to, when);
}


#endif
