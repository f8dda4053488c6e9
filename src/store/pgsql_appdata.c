/* The appdata family on PostgreSQL: the statements of sqlite_appdata.c, run
 * with the tenant set for row-level security. Names sort by code point
 * (COLLATE "C"), as SQLite's BINARY collation does. */
#include <string.h>

#include "appdata.h"
#include "pgsql.h"
#include "pgsql_int.h"

static const char sql_get[] =
    "SELECT id, tenant, user_id, appname, body, version, created, updated FROM appdata "
    "WHERE tenant = $1 AND user_id = $2 AND appname = $3";
static const char sql_put[] =
    "INSERT INTO appdata (tenant, user_id, appname, body, version, created, updated) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant, user_id, appname) DO UPDATE SET "
    "body = excluded.body, version = excluded.version, updated = excluded.updated";
static const char sql_remove[] =
    "DELETE FROM appdata WHERE tenant = $1 AND user_id = $2 AND appname = $3";
static const char sql_list_user[] =
    "SELECT appname FROM appdata WHERE tenant = $1 AND user_id = $2 "
    "ORDER BY appname COLLATE \"C\"";
static const char sql_list_all[] =
    "SELECT DISTINCT appname COLLATE \"C\" FROM appdata WHERE tenant = $1 "
    "ORDER BY 1";
static const char sql_delete_user[] = "DELETE FROM appdata WHERE tenant = $1 AND user_id = $2";

static enum bk_err
read_row(const PGresult *r, int i, void *arg)
{
    struct appdata_row *out = arg;

    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    out->user_id = pg_col_int(r, i, 2);
    pg_col_text(r, i, 3, out->appname, sizeof out->appname);
    out->version = pg_col_int(r, i, 5);
    out->created = pg_col_int(r, i, 6);
    out->updated = pg_col_int(r, i, 7);
    return pg_col_blob(r, i, 4, &out->body, &out->body_len);
}

static enum bk_err
ad_get(void *conn, int64_t tenant, int64_t user_id, const char *appname, struct appdata_row *out)
{
    struct pg_params p = { 0 };

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    pgp_text(&p, appname);
    return pg_run_row(conn, tenant, sql_get, &p, read_row, out);
}

static enum bk_err
ad_put(void *conn, const struct appdata_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_int(&p, row->user_id);
    pgp_text(&p, row->appname);
    pgp_blob(&p, row->body, row->body_len);
    pgp_int(&p, row->version);
    pgp_int(&p, row->created);
    pgp_int(&p, row->updated);
    return pg_exec(conn, row->tenant, sql_put, &p, NULL);
}

static enum bk_err
ad_remove(void *conn, int64_t tenant, int64_t user_id, const char *appname)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    pgp_text(&p, appname);
    return pg_exec_found(conn, tenant, sql_remove, &p);
}

/* Run <sql> calling <fn> with column 0 of each row. */
static enum bk_err
each_name(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
          store_appname_fn fn, void *arg)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        char name[STORE_APPNAME_MAX + 1];

        pg_col_text(res, i, 0, name, sizeof name);
        err = fn(arg, name);
    }
    PQclear(res);
    return err;
}

static enum bk_err
ad_list_user(void *conn, int64_t tenant, int64_t user_id, store_appname_fn fn, void *arg)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    return each_name(conn, tenant, sql_list_user, &p, fn, arg);
}

static enum bk_err
ad_list_all(void *conn, int64_t tenant, store_appname_fn fn, void *arg)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    return each_name(conn, tenant, sql_list_all, &p, fn, arg);
}

static enum bk_err
ad_delete_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    return pg_exec(conn, tenant, sql_delete_user, &p, NULL);
}

const struct store_appdata_ops pgsql_appdata_ops = {
    .get = ad_get,
    .put = ad_put,
    .remove = ad_remove,
    .list_user = ad_list_user,
    .list_all = ad_list_all,
    .delete_user = ad_delete_user,
};
