/* Store family: user expiration. One row per user that has, or had, an
 * expiration: its state, the sliding period, the final and the computed end
 * time, and the expiration-link token kept as a keyed hash (for lookup) and
 * sealed under the user's data key (for the status call). */
#ifndef BK_STORE_EXPIRY_H
#define BK_STORE_EXPIRY_H

#include "../base/mem.h"
#include "store.h"

enum expiry_state {
    EXPIRY_NONE = 0,       /* no expiration */
    EXPIRY_WAIT = 1,       /* expires at endtime */
    EXPIRY_RETAIN = 2,     /* the user chose to keep the record */
    EXPIRY_EXPIRED = 3,    /* forgotten because it expired */
};

/* Owned pointers: store_expiry_row_cleanup(). */
struct expiry_row {
    int64_t user_id;
    int64_t tenant;
    char record[37];            /* the user token */
    int state;                  /* enum expiry_state */
    int64_t sliding;            /* seconds; 0: none */
    int64_t finaltime;          /* unix seconds; 0: none */
    int64_t endtime;            /* unix seconds; 0: none */
    int64_t touched;            /* last access that moved the sliding end */
    int has_exptoken;
    uint8_t exptoken_hash[STORE_HASH_LEN];
    uint8_t *exptoken_box;      /* sealed expiration token; may be NULL */
    size_t exptoken_box_len;
};

static inline void
store_expiry_row_cleanup(struct expiry_row *row)
{
    mem_free(row->exptoken_box);
    row->exptoken_box = NULL;
    row->exptoken_box_len = 0;
}

/* A user whose expiration is due. */
struct expiry_due {
    int64_t tenant;
    int64_t user_id;
    char token[37];
};

struct store_expiry_ops {
    /* BK_ENOTFOUND when the user has no row. */
    enum bk_err (*get)(void *conn, int64_t tenant, int64_t user_id, struct expiry_row *out);
    /* BK_ENOTFOUND when no row holds that token hash. */
    enum bk_err (*by_exptoken)(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                               struct expiry_row *out);
    /* Insert or replace the row of row->user_id. */
    enum bk_err (*put)(void *conn, const struct expiry_row *row);
    /* Up to <max> users of any tenant that are not forgotten yet and are due:
     * EXPIRY_WAIT with 0 < endtime <= <now>, or EXPIRY_EXPIRED (marked, then
     * interrupted before the forgetting). *n_out says how many. */
    enum bk_err (*due)(void *conn, int64_t now, struct expiry_due *out, size_t max,
                       size_t *n_out);
};

#define STORE_EXPIRY(c) (STORE_OPS(c)->expiry)

static inline enum bk_err
store_expiry_get(struct store_conn *c, int64_t tenant, int64_t user_id, struct expiry_row *out)
{
    if (STORE_EXPIRY(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_EXPIRY(c)->get(c->conn, tenant, user_id, out);
}

static inline enum bk_err
store_expiry_by_exptoken(struct store_conn *c, int64_t tenant,
                         const uint8_t hash[STORE_HASH_LEN], struct expiry_row *out)
{
    if (STORE_EXPIRY(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_EXPIRY(c)->by_exptoken(c->conn, tenant, hash, out);
}

static inline enum bk_err
store_expiry_put(struct store_conn *c, const struct expiry_row *row)
{
    if (STORE_EXPIRY(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_EXPIRY(c)->put(c->conn, row);
}

static inline enum bk_err
store_expiry_due(struct store_conn *c, int64_t now, struct expiry_due *out, size_t max,
                 size_t *n_out)
{
    if (STORE_EXPIRY(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_EXPIRY(c)->due(c->conn, now, out, max, n_out);
}

#endif
