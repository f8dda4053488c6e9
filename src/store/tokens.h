/* Store family "tokens": format-preserving tokens (TokenCreate). A row holds
 * the token's uuid, its type, a keyed hash of its value (tokenbase), for
 * tokens shared by equal records a keyed hash of the record, its own wrapped
 * data key and the sealed {record, tokenbase}; expiry in clear so that expired
 * rows can be swept without opening them. No plaintext reaches the store. */
#ifndef BK_STORE_TOKENS_H
#define BK_STORE_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/mem.h"
#include "store.h"

/* A row as stored. Pointers are owned by the row: store_token_row_cleanup(). */
struct token_row {
    int64_t id;
    int64_t tenant;
    char uuid[37];
    int type;                               /* enum fptoken_type */
    uint8_t base_hash[STORE_HASH_LEN];      /* keyed hash of the token value */
    int has_record_hash;                    /* 0: the token is not shared (unique) */
    uint8_t record_hash[STORE_HASH_LEN];    /* keyed hash of type and normalized record */
    uint8_t *dek;                           /* the token's own wrapped data key */
    size_t dek_len;
    uint8_t *body;                          /* sealed {"record","tokenbase"} */
    size_t body_len;
    int64_t created;
    int64_t expires;                        /* unix seconds, gone at and after; 0: never */
    int64_t sliding;                        /* seconds each read extends it by; 0: none */
    int64_t final;                          /* unix seconds it may not outlive; 0: none */
};

struct store_tokens_ops {
    /* BK_ECONFLICT when the tenant has a row with the same uuid, base_hash or
     * record_hash */
    enum bk_err (*insert)(void *conn, struct token_row *row);
    /* BK_ENOTFOUND when there is no row (expired rows are returned: the
     * caller decides) */
    enum bk_err (*get_uuid)(void *conn, int64_t tenant, const char *uuid,
                            struct token_row *out);
    enum bk_err (*get_base)(void *conn, int64_t tenant, const uint8_t base_hash[STORE_HASH_LEN],
                            struct token_row *out);
    enum bk_err (*get_record)(void *conn, int64_t tenant,
                              const uint8_t record_hash[STORE_HASH_LEN], struct token_row *out);
    /* set the expiry columns of row <id>; BK_ENOTFOUND when it is gone */
    enum bk_err (*set_expiry)(void *conn, int64_t tenant, int64_t id, int64_t expires,
                              int64_t sliding, int64_t final);
    /* BK_ENOTFOUND when there was nothing to delete */
    enum bk_err (*remove)(void *conn, int64_t tenant, int64_t id);
    /* delete at most <limit> rows of any tenant with 0 < expires <= <now>;
     * *deleted says how many went */
    enum bk_err (*purge_expired)(void *conn, int64_t now, int64_t limit, int64_t *deleted);
};

static inline void
store_token_row_cleanup(struct token_row *row)
{
    mem_free(row->dek);
    mem_free(row->body);
    row->dek = NULL;
    row->body = NULL;
    row->dek_len = row->body_len = 0;
}

#define STORE_TOKENS(c) ((c)->store->ops->tokens)

static inline enum bk_err
store_tokens_insert(struct store_conn *c, struct token_row *row)
{
    if (STORE_TOKENS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_TOKENS(c)->insert(c->conn, row);
}

static inline enum bk_err
store_tokens_get_uuid(struct store_conn *c, int64_t tenant, const char *uuid,
                      struct token_row *out)
{
    if (STORE_TOKENS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_TOKENS(c)->get_uuid(c->conn, tenant, uuid, out);
}

static inline enum bk_err
store_tokens_get_base(struct store_conn *c, int64_t tenant,
                      const uint8_t base_hash[STORE_HASH_LEN], struct token_row *out)
{
    if (STORE_TOKENS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_TOKENS(c)->get_base(c->conn, tenant, base_hash, out);
}

static inline enum bk_err
store_tokens_get_record(struct store_conn *c, int64_t tenant,
                        const uint8_t record_hash[STORE_HASH_LEN], struct token_row *out)
{
    if (STORE_TOKENS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_TOKENS(c)->get_record(c->conn, tenant, record_hash, out);
}

static inline enum bk_err
store_tokens_set_expiry(struct store_conn *c, int64_t tenant, int64_t id, int64_t expires,
                        int64_t sliding, int64_t final)
{
    if (STORE_TOKENS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_TOKENS(c)->set_expiry(c->conn, tenant, id, expires, sliding, final);
}

static inline enum bk_err
store_tokens_remove(struct store_conn *c, int64_t tenant, int64_t id)
{
    if (STORE_TOKENS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_TOKENS(c)->remove(c->conn, tenant, id);
}

static inline enum bk_err
store_tokens_purge_expired(struct store_conn *c, int64_t now, int64_t limit, int64_t *deleted)
{
    *deleted = 0;
    if (STORE_TOKENS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_TOKENS(c)->purge_expired(c->conn, now, limit, deleted);
}

#endif
