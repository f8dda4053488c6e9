/* Store family: shared records. A row is found by a keyed hash of its uuid
 * (the uuid itself is a capability and is never stored); it names the
 * owner and holds the shared field list sealed under the owner's data key. */
#ifndef BK_STORE_SHARED_H
#define BK_STORE_SHARED_H

#include "../base/mem.h"
#include "store.h"

/* Owned pointers: store_shared_row_cleanup(). */
struct shared_row {
    int64_t tenant;
    uint8_t hash[STORE_HASH_LEN];
    int64_t user_id;
    char record[37];            /* the owner's user token */
    int64_t created;
    int64_t expires;
    uint8_t *body;
    size_t body_len;
};

static inline void
store_shared_row_cleanup(struct shared_row *row)
{
    mem_free(row->body);
    row->body = NULL;
    row->body_len = 0;
}

struct store_shared_ops {
    enum bk_err (*insert)(void *conn, const struct shared_row *row);
    /* BK_ENOTFOUND when there is none. */
    enum bk_err (*get)(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                       struct shared_row *out);
    /* Every tenant: drop rows with expires <= <now>. */
    enum bk_err (*purge_expired)(void *conn, int64_t now, int64_t *removed);
    enum bk_err (*purge_user)(void *conn, int64_t tenant, int64_t user_id);
};

#define STORE_SHARED(c) (STORE_OPS(c)->shared)

static inline enum bk_err
store_shared_insert(struct store_conn *c, const struct shared_row *row)
{
    if (STORE_SHARED(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SHARED(c)->insert(c->conn, row);
}

static inline enum bk_err
store_shared_get(struct store_conn *c, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                 struct shared_row *out)
{
    if (STORE_SHARED(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SHARED(c)->get(c->conn, tenant, hash, out);
}

static inline enum bk_err
store_shared_purge_expired(struct store_conn *c, int64_t now, int64_t *removed)
{
    if (STORE_SHARED(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SHARED(c)->purge_expired(c->conn, now, removed);
}

static inline enum bk_err
store_shared_purge_user(struct store_conn *c, int64_t tenant, int64_t user_id)
{
    if (STORE_SHARED(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SHARED(c)->purge_user(c->conn, tenant, user_id);
}

#endif
