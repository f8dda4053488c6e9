/* SQLite: the appdata family. Rows and bytes only; every statement binds
 * its parameters and filters on the tenant. */
#include "sqlite.h"

#include <string.h>

#include <sqlite3.h>

#include "appdata.h"
#include "sqlite_int.h"

static const char sql_get[] =
    "SELECT id, tenant, user_id, appname, body, version, created, updated FROM appdata "
    "WHERE tenant = ?1 AND user_id = ?2 AND appname = ?3";
static const char sql_put[] =
    "INSERT INTO appdata (tenant, user_id, appname, body, version, created, updated) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tenant, user_id, appname) DO UPDATE SET "
    "body = excluded.body, version = excluded.version, updated = excluded.updated";
static const char sql_remove[] =
    "DELETE FROM appdata WHERE tenant = ?1 AND user_id = ?2 AND appname = ?3";
static const char sql_list_user[] =
    "SELECT appname FROM appdata WHERE tenant = ?1 AND user_id = ?2 ORDER BY appname";
static const char sql_list_all[] =
    "SELECT DISTINCT appname FROM appdata WHERE tenant = ?1 ORDER BY appname";
static const char sql_delete_user[] = "DELETE FROM appdata WHERE tenant = ?1 AND user_id = ?2";

static enum bk_err
read_row(sqlite3_stmt *st, void *arg)
{
    struct appdata_row *out = arg;

    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    out->user_id = sqlite3_column_int64(st, 2);
    sq_col_text(st, 3, out->appname, sizeof out->appname);
    out->version = sqlite3_column_int64(st, 5);
    out->created = sqlite3_column_int64(st, 6);
    out->updated = sqlite3_column_int64(st, 7);
    return sq_col_blob(st, 4, &out->body, &out->body_len);
}

static enum bk_err
ad_get(void *conn, int64_t tenant, int64_t user_id, const char *appname, struct appdata_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = sq_prepare(c, sql_get, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    sq_bind_text(st, 3, appname);
    return sq_step_row(c, st, read_row, out);
}

static enum bk_err
ad_put(void *conn, const struct appdata_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_put, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sqlite3_bind_int64(st, 2, row->user_id);
    sq_bind_text(st, 3, row->appname);
    sq_bind_blob(st, 4, row->body, row->body_len);
    sqlite3_bind_int64(st, 5, row->version);
    sqlite3_bind_int64(st, 6, row->created);
    sqlite3_bind_int64(st, 7, row->updated);
    return sq_exec_done(c, st);
}

static enum bk_err
ad_remove(void *conn, int64_t tenant, int64_t user_id, const char *appname)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_remove, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    sq_bind_text(st, 3, appname);
    return sq_exec_found(c, st);
}

/* Step <st> (bound) calling <fn> with column 0 of each row, then reset it. */
static enum bk_err
each_name(struct sq_conn *c, sqlite3_stmt *st, store_appname_fn fn, void *arg)
{
    enum bk_err err = BK_OK;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(st, 0);

        err = fn(arg, name ? (const char *)name : "");
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
ad_list_user(void *conn, int64_t tenant, int64_t user_id, store_appname_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_list_user, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    return each_name(c, st, fn, arg);
}

static enum bk_err
ad_list_all(void *conn, int64_t tenant, store_appname_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_list_all, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    return each_name(c, st, fn, arg);
}

static enum bk_err
ad_delete_user(void *conn, int64_t tenant, int64_t user_id)
{
    return sq_exec_ids(conn, sql_delete_user, tenant, user_id);
}

const struct store_appdata_ops sqlite_appdata_ops = {
    .get = ad_get,
    .put = ad_put,
    .remove = ad_remove,
    .list_user = ad_list_user,
    .list_all = ad_list_all,
    .delete_user = ad_delete_user,
};
