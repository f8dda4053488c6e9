/* The appdata family on MySQL/MariaDB: the statements of sqlite_appdata.c
 * (utf8mb4_bin sorts names by code point, as SQLite's BINARY does). */
#include <string.h>

#include "appdata.h"
#include "mysql.h"
#include "mysql_int.h"

static const char sql_get[] =
    "SELECT id, tenant, user_id, appname, body, version, created, updated FROM appdata "
    "WHERE tenant = ? AND user_id = ? AND appname = ?";
static const char sql_put[] =
    "INSERT INTO appdata (tenant, user_id, appname, body, version, created, updated) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "body = VALUES(body), version = VALUES(version), updated = VALUES(updated)";
static const char sql_remove[] =
    "DELETE FROM appdata WHERE tenant = ? AND user_id = ? AND appname = ?";
static const char sql_list_user[] =
    "SELECT appname FROM appdata WHERE tenant = ? AND user_id = ? ORDER BY appname";
static const char sql_list_all[] =
    "SELECT DISTINCT appname FROM appdata WHERE tenant = ? ORDER BY appname";
static const char sql_delete_user[] = "DELETE FROM appdata WHERE tenant = ? AND user_id = ?";

static enum bk_err
read_row(struct my_result *r, void *arg)
{
    struct appdata_row *out = arg;

    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    out->user_id = my_col_int(r, 2);
    my_col_text(r, 3, out->appname, sizeof out->appname);
    out->version = my_col_int(r, 5);
    out->created = my_col_int(r, 6);
    out->updated = my_col_int(r, 7);
    return my_col_blob(r, 4, &out->body, &out->body_len);
}

static enum bk_err
ad_get(void *conn, int64_t tenant, int64_t user_id, const char *appname, struct appdata_row *out)
{
    struct my_params p = { 0 };

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_int(&p, user_id);
    myp_text(&p, appname);
    return my_query_row(conn, sql_get, &p, read_row, out);
}

static enum bk_err
ad_put(void *conn, const struct appdata_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_int(&p, row->user_id);
    myp_text(&p, row->appname);
    myp_blob(&p, row->body, row->body_len);
    myp_int(&p, row->version);
    myp_int(&p, row->created);
    myp_int(&p, row->updated);
    return my_exec(conn, sql_put, &p, NULL);
}

static enum bk_err
ad_remove(void *conn, int64_t tenant, int64_t user_id, const char *appname)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    myp_text(&p, appname);
    return my_exec_found(conn, sql_remove, &p);
}

/* Run <sql> calling <fn> with column 0 of each row. */
static enum bk_err
each_name(struct my_conn *c, const char *sql, struct my_params *p, store_appname_fn fn,
          void *arg)
{
    struct my_result r;
    enum bk_err err = my_query(c, sql, p, &r);

    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        char name[STORE_APPNAME_MAX + 1];

        my_col_text(&r, 0, name, sizeof name);
        err = fn(arg, name);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
ad_list_user(void *conn, int64_t tenant, int64_t user_id, store_appname_fn fn, void *arg)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    return each_name(conn, sql_list_user, &p, fn, arg);
}

static enum bk_err
ad_list_all(void *conn, int64_t tenant, store_appname_fn fn, void *arg)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    return each_name(conn, sql_list_all, &p, fn, arg);
}

static enum bk_err
ad_delete_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    return my_exec(conn, sql_delete_user, &p, NULL);
}

const struct store_appdata_ops mysql_appdata_ops = {
    .get = ad_get,
    .put = ad_put,
    .remove = ad_remove,
    .list_user = ad_list_user,
    .list_all = ad_list_all,
    .delete_user = ad_delete_user,
};
