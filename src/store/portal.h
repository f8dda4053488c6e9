/* Store family "portal": one-time login codes, portal sessions and rate
 * counters of the end-user portal. Rows hold only keyed hashes, user tokens
 * and times. */
#ifndef BK_STORE_PORTAL_H
#define BK_STORE_PORTAL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct portal_code_row {
    uint8_t ident_hash[STORE_HASH_LEN];
    char user_token[37];     /* "" when the identity names no user */
    uint8_t code_hash[STORE_HASH_LEN];
    int64_t created;
    int64_t expires;
    int64_t attempts;
};

struct store_portal_ops {
    /* insert or replace the code of row->ident_hash, attempts as given */
    enum bk_err (*code_put)(void *conn, int64_t tenant, const struct portal_code_row *row);
    /* BK_ENOTFOUND when there is none (expired rows are returned) */
    enum bk_err (*code_get)(void *conn, int64_t tenant, const uint8_t ident_hash[STORE_HASH_LEN],
                            struct portal_code_row *out);
    /* attempts + 1 */
    enum bk_err (*code_attempt)(void *conn, int64_t tenant,
                                const uint8_t ident_hash[STORE_HASH_LEN]);
    enum bk_err (*code_remove)(void *conn, int64_t tenant,
                               const uint8_t ident_hash[STORE_HASH_LEN]);
    enum bk_err (*session_put)(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN],
                               const char *user_token, int64_t created, int64_t expires);
    /* BK_ENOTFOUND when there is none or it expired at or before <now> */
    enum bk_err (*session_get)(void *conn, int64_t tenant,
                               const uint8_t token_hash[STORE_HASH_LEN], int64_t now,
                               char user_token_out[37]);
    /* BK_ENOTFOUND when there was none */
    enum bk_err (*session_remove)(void *conn, int64_t tenant,
                                  const uint8_t token_hash[STORE_HASH_LEN]);
    /* every code and session of the user (forgetting the user) */
    enum bk_err (*delete_user)(void *conn, int64_t tenant, const char *user_token);
    /* count one hit on <key_hash> in the window of <window_s> seconds that
     * holds <now> (a window older than that starts over); *count is the
     * count after this hit */
    enum bk_err (*hit)(void *conn, int64_t tenant, const uint8_t key_hash[STORE_HASH_LEN],
                       int64_t now, int64_t window_s, int64_t *count);
    /* delete at most <limit> expired codes and sessions (expires <= <now>)
     * and counters whose window started before <hits_before>, of any tenant */
    enum bk_err (*purge_expired)(void *conn, int64_t now, int64_t hits_before, int64_t limit,
                                 int64_t *deleted);
};

#define STORE_PORTAL(c) ((c)->store->ops->portal)

static inline enum bk_err
store_portal_code_put(struct store_conn *c, int64_t tenant, const struct portal_code_row *row)
{
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->code_put(c->conn, tenant, row);
}

static inline enum bk_err
store_portal_code_get(struct store_conn *c, int64_t tenant,
                      const uint8_t ident_hash[STORE_HASH_LEN], struct portal_code_row *out)
{
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->code_get(c->conn, tenant, ident_hash, out);
}

static inline enum bk_err
store_portal_code_attempt(struct store_conn *c, int64_t tenant,
                          const uint8_t ident_hash[STORE_HASH_LEN])
{
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->code_attempt(c->conn, tenant, ident_hash);
}

static inline enum bk_err
store_portal_code_remove(struct store_conn *c, int64_t tenant,
                         const uint8_t ident_hash[STORE_HASH_LEN])
{
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->code_remove(c->conn, tenant, ident_hash);
}

static inline enum bk_err
store_portal_session_put(struct store_conn *c, int64_t tenant,
                         const uint8_t token_hash[STORE_HASH_LEN], const char *user_token,
                         int64_t created, int64_t expires)
{
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->session_put(c->conn, tenant, token_hash, user_token, created,
                                        expires);
}

static inline enum bk_err
store_portal_session_get(struct store_conn *c, int64_t tenant,
                         const uint8_t token_hash[STORE_HASH_LEN], int64_t now,
                         char user_token_out[37])
{
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->session_get(c->conn, tenant, token_hash, now, user_token_out);
}

static inline enum bk_err
store_portal_session_remove(struct store_conn *c, int64_t tenant,
                            const uint8_t token_hash[STORE_HASH_LEN])
{
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->session_remove(c->conn, tenant, token_hash);
}

static inline enum bk_err
store_portal_delete_user(struct store_conn *c, int64_t tenant, const char *user_token)
{
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->delete_user(c->conn, tenant, user_token);
}

static inline enum bk_err
store_portal_hit(struct store_conn *c, int64_t tenant, const uint8_t key_hash[STORE_HASH_LEN],
                 int64_t now, int64_t window_s, int64_t *count)
{
    *count = 0;
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->hit(c->conn, tenant, key_hash, now, window_s, count);
}

static inline enum bk_err
store_portal_purge_expired(struct store_conn *c, int64_t now, int64_t hits_before, int64_t limit,
                           int64_t *deleted)
{
    *deleted = 0;
    if (STORE_PORTAL(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PORTAL(c)->purge_expired(c->conn, now, hits_before, limit, deleted);
}

#endif
