/* Store family "sessions": sealed JSON documents found by a keyed hash of
 * their session id, each with an expiry time kept in clear so that expired
 * rows can be swept without opening them. */
#ifndef BK_STORE_SESSIONS_H
#define BK_STORE_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/mem.h"
#include "store.h"

/* A row as stored. Pointers are owned by the row: store_session_row_cleanup(). */
struct session_row {
    int64_t id;
    int64_t tenant;
    uint8_t sid_hash[STORE_HASH_LEN];
    char user_token[37];   /* "" when the session is not tied to a user */
    uint8_t *dek;          /* its own wrapped key when not tied; else NULL */
    size_t dek_len;
    uint8_t *body;         /* sealed {"id","data"} */
    size_t body_len;
    int64_t version;       /* bumped on every write */
    int64_t created;
    int64_t updated;
    int64_t expires;       /* unix seconds; gone at and after this time */
    int64_t final;         /* hard deadline no write may pass; 0: none */
};

/* Called for each row a listing finds; the row is borrowed for the call. */
typedef enum bk_err (*store_session_fn)(void *arg, const struct session_row *row);

struct store_sessions_ops {
    /* BK_ENOTFOUND when there is no row (expired rows are returned: the
     * caller decides) */
    enum bk_err (*get)(void *conn, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN],
                       struct session_row *out);
    /* insert, or replace every column of the row with the same sid_hash */
    enum bk_err (*put)(void *conn, const struct session_row *row);
    /* BK_ENOTFOUND when there was nothing to delete */
    enum bk_err (*remove)(void *conn, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN]);
    /* the user's sessions that expire after <now>, oldest first */
    enum bk_err (*list_user)(void *conn, int64_t tenant, const char *user_token, int64_t now,
                             store_session_fn fn, void *arg);
    /* all of a user's sessions (forgetting the user) */
    enum bk_err (*delete_user)(void *conn, int64_t tenant, const char *user_token);
    /* delete at most <limit> rows of any tenant with expires <= <now>;
     * *deleted says how many went */
    enum bk_err (*purge_expired)(void *conn, int64_t now, int64_t limit, int64_t *deleted);
};

static inline void
store_session_row_cleanup(struct session_row *row)
{
    mem_free(row->dek);
    mem_free(row->body);
    row->dek = NULL;
    row->body = NULL;
    row->dek_len = row->body_len = 0;
}

#define STORE_SESSIONS(c) ((c)->store->ops->sessions)

static inline enum bk_err
store_sessions_get(struct store_conn *c, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN],
                   struct session_row *out)
{
    if (STORE_SESSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SESSIONS(c)->get(c->conn, tenant, sid_hash, out);
}

static inline enum bk_err
store_sessions_put(struct store_conn *c, const struct session_row *row)
{
    if (STORE_SESSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SESSIONS(c)->put(c->conn, row);
}

static inline enum bk_err
store_sessions_remove(struct store_conn *c, int64_t tenant,
                      const uint8_t sid_hash[STORE_HASH_LEN])
{
    if (STORE_SESSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SESSIONS(c)->remove(c->conn, tenant, sid_hash);
}

static inline enum bk_err
store_sessions_list_user(struct store_conn *c, int64_t tenant, const char *user_token,
                         int64_t now, store_session_fn fn, void *arg)
{
    if (STORE_SESSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SESSIONS(c)->list_user(c->conn, tenant, user_token, now, fn, arg);
}

static inline enum bk_err
store_sessions_delete_user(struct store_conn *c, int64_t tenant, const char *user_token)
{
    if (STORE_SESSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SESSIONS(c)->delete_user(c->conn, tenant, user_token);
}

static inline enum bk_err
store_sessions_purge_expired(struct store_conn *c, int64_t now, int64_t limit, int64_t *deleted)
{
    *deleted = 0;
    if (STORE_SESSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_SESSIONS(c)->purge_expired(c->conn, now, limit, deleted);
}

#endif
