/* Store family "requests": data-subject requests awaiting approval. A row is
 * generic: a type ("forget-me", "change-profile", ...), an optional target
 * (an app name, an agreement brief), a status, and the requested change
 * sealed under the user's data key (the store sees only the box). */
#ifndef BK_STORE_REQUESTS_H
#define BK_STORE_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/mem.h"
#include "store.h"

#define STORE_REQUEST_TARGET_MAX 128

struct request_row {
    int64_t id;
    int64_t tenant;
    char rtoken[37];           /* the request's UUID */
    int64_t user_id;
    char user_token[37];
    char type[24];
    char target[STORE_REQUEST_TARGET_MAX + 1];   /* "" when the type has none */
    char status[12];           /* "open", "approved", "cancelled" */
    uint8_t *sealed;           /* sealed {change, reason}; NULL when none or shredded */
    size_t sealed_len;
    int64_t version;           /* bumped on every change of the row */
    int64_t created;
    int64_t updated;
};

/* Called for each row a listing finds; the row is borrowed for the call. A
 * non-BK_OK return stops the listing and is passed back. */
typedef enum bk_err (*store_request_fn)(void *arg, const struct request_row *row);

struct store_requests_ops {
    /* sets row->id; BK_ECONFLICT when the rtoken exists */
    enum bk_err (*insert)(void *conn, struct request_row *row);
    enum bk_err (*get)(void *conn, int64_t tenant, const char *rtoken, struct request_row *out);
    /* the newest open request of <user_id> with this type and target */
    enum bk_err (*find_open)(void *conn, int64_t tenant, int64_t user_id, const char *type,
                             const char *target, struct request_row *out);
    /* store status, sealed, version and updated where the stored version is
     * still <row->version - 1>; BK_ECONFLICT otherwise */
    enum bk_err (*update)(void *conn, const struct request_row *row);
    /* newest first; <total> counts all matches */
    enum bk_err (*list_user)(void *conn, int64_t tenant, int64_t user_id, int64_t offset,
                             int64_t limit, int64_t *total, store_request_fn fn, void *arg);
    /* every user's, newest first; <status> NULL for all statuses */
    enum bk_err (*list)(void *conn, int64_t tenant, const char *status, int64_t offset,
                        int64_t limit, int64_t *total, store_request_fn fn, void *arg);
    /* remove <user_id>'s rows except approved "forget-me" ones, whose sealed
     * part is dropped: the record that the user was forgotten on request */
    enum bk_err (*purge_user)(void *conn, int64_t tenant, int64_t user_id);
};

static inline void
store_request_row_cleanup(struct request_row *row)
{
    mem_free(row->sealed);
    row->sealed = NULL;
    row->sealed_len = 0;
}

#define STORE_REQUESTS(c) ((c)->store->ops->requests)

static inline enum bk_err
store_requests_insert(struct store_conn *c, struct request_row *row)
{
    if (STORE_REQUESTS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_REQUESTS(c)->insert(c->conn, row);
}

static inline enum bk_err
store_requests_get(struct store_conn *c, int64_t tenant, const char *rtoken,
                   struct request_row *out)
{
    if (STORE_REQUESTS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_REQUESTS(c)->get(c->conn, tenant, rtoken, out);
}

static inline enum bk_err
store_requests_find_open(struct store_conn *c, int64_t tenant, int64_t user_id,
                         const char *type, const char *target, struct request_row *out)
{
    if (STORE_REQUESTS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_REQUESTS(c)->find_open(c->conn, tenant, user_id, type, target, out);
}

static inline enum bk_err
store_requests_update(struct store_conn *c, const struct request_row *row)
{
    if (STORE_REQUESTS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_REQUESTS(c)->update(c->conn, row);
}

static inline enum bk_err
store_requests_list_user(struct store_conn *c, int64_t tenant, int64_t user_id, int64_t offset,
                         int64_t limit, int64_t *total, store_request_fn fn, void *arg)
{
    if (STORE_REQUESTS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_REQUESTS(c)->list_user(c->conn, tenant, user_id, offset, limit, total, fn, arg);
}

static inline enum bk_err
store_requests_list(struct store_conn *c, int64_t tenant, const char *status, int64_t offset,
                    int64_t limit, int64_t *total, store_request_fn fn, void *arg)
{
    if (STORE_REQUESTS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_REQUESTS(c)->list(c->conn, tenant, status, offset, limit, total, fn, arg);
}

static inline enum bk_err
store_requests_purge_user(struct store_conn *c, int64_t tenant, int64_t user_id)
{
    if (STORE_REQUESTS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_REQUESTS(c)->purge_user(c->conn, tenant, user_id);
}

#endif
