/* Store family "appdata": one sealed JSON document per (tenant, user,
 * application name). The name is plain metadata; the body is ciphertext the
 * store never opens. */
#ifndef BK_STORE_APPDATA_H
#define BK_STORE_APPDATA_H

#include <stddef.h>
#include <stdint.h>

#include "../base/mem.h"
#include "store.h"

#define STORE_APPNAME_MAX 64

/* A row as stored. <body> is owned by the row: store_appdata_row_cleanup(). */
struct appdata_row {
    int64_t id;
    int64_t tenant;
    int64_t user_id;
    char appname[STORE_APPNAME_MAX + 1];
    uint8_t *body;
    size_t body_len;
    int64_t version;       /* 1 on creation, bumped on every write */
    int64_t created;
    int64_t updated;
};

/* Called once per application name; <name> is borrowed for the call. */
typedef enum bk_err (*store_appname_fn)(void *arg, const char *name);

struct store_appdata_ops {
    /* BK_ENOTFOUND when the user has no record for <appname> */
    enum bk_err (*get)(void *conn, int64_t tenant, int64_t user_id, const char *appname,
                       struct appdata_row *out);
    /* insert, or replace the row of (tenant, user_id, appname) */
    enum bk_err (*put)(void *conn, const struct appdata_row *row);
    /* BK_ENOTFOUND when there was nothing to delete */
    enum bk_err (*remove)(void *conn, int64_t tenant, int64_t user_id, const char *appname);
    /* the user's application names, sorted */
    enum bk_err (*list_user)(void *conn, int64_t tenant, int64_t user_id, store_appname_fn fn,
                             void *arg);
    /* every application name in the tenant, once each, sorted */
    enum bk_err (*list_all)(void *conn, int64_t tenant, store_appname_fn fn, void *arg);
    /* all of a user's rows (forgetting the user) */
    enum bk_err (*delete_user)(void *conn, int64_t tenant, int64_t user_id);
};

static inline void
store_appdata_row_cleanup(struct appdata_row *row)
{
    mem_free(row->body);
    row->body = NULL;
    row->body_len = 0;
}

#define STORE_APPDATA(c) ((c)->store->ops->appdata)

static inline enum bk_err
store_appdata_get(struct store_conn *c, int64_t tenant, int64_t user_id, const char *appname,
                  struct appdata_row *out)
{
    if (STORE_APPDATA(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_APPDATA(c)->get(c->conn, tenant, user_id, appname, out);
}

static inline enum bk_err
store_appdata_put(struct store_conn *c, const struct appdata_row *row)
{
    if (STORE_APPDATA(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_APPDATA(c)->put(c->conn, row);
}

static inline enum bk_err
store_appdata_remove(struct store_conn *c, int64_t tenant, int64_t user_id, const char *appname)
{
    if (STORE_APPDATA(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_APPDATA(c)->remove(c->conn, tenant, user_id, appname);
}

static inline enum bk_err
store_appdata_list_user(struct store_conn *c, int64_t tenant, int64_t user_id,
                        store_appname_fn fn, void *arg)
{
    if (STORE_APPDATA(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_APPDATA(c)->list_user(c->conn, tenant, user_id, fn, arg);
}

static inline enum bk_err
store_appdata_list_all(struct store_conn *c, int64_t tenant, store_appname_fn fn, void *arg)
{
    if (STORE_APPDATA(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_APPDATA(c)->list_all(c->conn, tenant, fn, arg);
}

static inline enum bk_err
store_appdata_delete_user(struct store_conn *c, int64_t tenant, int64_t user_id)
{
    if (STORE_APPDATA(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_APPDATA(c)->delete_user(c->conn, tenant, user_id);
}

#endif
