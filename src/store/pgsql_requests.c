/* The requests family on PostgreSQL: src/store/sqlite_requests.c's
 * statements, each run with the row's tenant set for row-level security. */
#include <string.h>

#include "pgsql.h"
#include "pgsql_int.h"
#include "requests.h"

#define REQ_COLS "id, tenant, rtoken, user_id, user_token, type, target, status, sealed, " \
                 "version, created, updated"

static const char sql_insert[] =
    "INSERT INTO requests (tenant, rtoken, user_id, user_token, type, target, status, sealed, "
    "version, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "RETURNING id";
static const char sql_get[] = "SELECT " REQ_COLS " FROM requests WHERE tenant = $1 AND rtoken = $2";
static const char sql_find_open[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = $1 AND user_id = $2 AND type = $3 "
    "AND target = $4 AND status = 'open' ORDER BY id DESC LIMIT 1";
static const char sql_update[] =
    "UPDATE requests SET status = $1, sealed = $2, version = $3, updated = $4 "
    "WHERE tenant = $5 AND id = $6 AND version = $7";
static const char sql_count_user[] =
    "SELECT count(*) FROM requests WHERE tenant = $1 AND user_id = $2";
static const char sql_list_user[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = $1 AND user_id = $2 "
    "ORDER BY id DESC LIMIT $3 OFFSET $4";
static const char sql_count[] =
    "SELECT count(*) FROM requests WHERE tenant = $1 AND ($2::text IS NULL OR status = $2)";
static const char sql_list[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = $1 AND ($2::text IS NULL OR status = $2) "
    "ORDER BY id DESC LIMIT $3 OFFSET $4";
static const char sql_purge[] =
    "DELETE FROM requests WHERE tenant = $1 AND user_id = $2 "
    "AND NOT (type = 'forget-me' AND status = 'approved')";
static const char sql_purge_sealed[] =
    "UPDATE requests SET sealed = NULL WHERE tenant = $1 AND user_id = $2";

static enum bk_err
read_row(const PGresult *r, int i, void *arg)
{
    struct request_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    pg_col_text(r, i, 2, out->rtoken, sizeof out->rtoken);
    out->user_id = pg_col_int(r, i, 3);
    pg_col_text(r, i, 4, out->user_token, sizeof out->user_token);
    pg_col_text(r, i, 5, out->type, sizeof out->type);
    pg_col_text(r, i, 6, out->target, sizeof out->target);
    pg_col_text(r, i, 7, out->status, sizeof out->status);
    out->version = pg_col_int(r, i, 9);
    out->created = pg_col_int(r, i, 10);
    out->updated = pg_col_int(r, i, 11);
    return pg_col_blob(r, i, 8, &out->sealed, &out->sealed_len);
}

static enum bk_err
one_row(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
        struct request_row *out)
{
    memset(out, 0, sizeof *out);
    return pg_run_row(c, tenant, sql, p, read_row, out);
}

static enum bk_err
rq_insert(void *conn, struct request_row *row)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, row->tenant);
    pgp_text(&p, row->rtoken);
    pgp_int(&p, row->user_id);
    pgp_text(&p, row->user_token);
    pgp_text(&p, row->type);
    pgp_text(&p, row->target);
    pgp_text(&p, row->status);
    pgp_blob(&p, row->sealed, row->sealed_len);
    pgp_int(&p, row->version);
    pgp_int(&p, row->created);
    pgp_int(&p, row->updated);
    err = pg_run(conn, row->tenant, sql_insert, &p, &res);
    if (err == BK_OK)
        row->id = PQntuples(res) > 0 ? pg_col_int(res, 0, 0) : 0;
    PQclear(res);
    return err;
}

static enum bk_err
rq_get(void *conn, int64_t tenant, const char *rtoken, struct request_row *out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_text(&p, rtoken);
    return one_row(conn, tenant, sql_get, &p, out);
}

static enum bk_err
rq_find_open(void *conn, int64_t tenant, int64_t user_id, const char *type, const char *target,
             struct request_row *out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    pgp_text(&p, type);
    pgp_text(&p, target);
    return one_row(conn, tenant, sql_find_open, &p, out);
}

static enum bk_err
rq_update(void *conn, const struct request_row *row)
{
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_text(&p, row->status);
    pgp_blob(&p, row->sealed, row->sealed_len);
    pgp_int(&p, row->version);
    pgp_int(&p, row->updated);
    pgp_int(&p, row->tenant);
    pgp_int(&p, row->id);
    pgp_int(&p, row->version - 1);
    err = pg_exec(conn, row->tenant, sql_update, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ECONFLICT;
    return err;
}

/* Count with <count_sql>, then call <fn> on each row of <list_sql>; <p>
 * holds the two filter parameters, the list's LIMIT/OFFSET follow them. */
static enum bk_err
count_and_list(struct pg_conn *c, int64_t tenant, const char *count_sql, const char *list_sql,
               struct pg_params *p, int64_t offset, int64_t limit, int64_t *total,
               store_request_fn fn, void *arg)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, count_sql, p, &res);

    *total = 0;
    if (err == BK_OK && PQntuples(res) > 0)
        *total = pg_col_int(res, 0, 0);
    PQclear(res);
    res = NULL;
    if (err != BK_OK)
        return err;
    pgp_int(p, limit);
    pgp_int(p, offset);
    err = pg_run(c, tenant, list_sql, p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct request_row row;

        err = read_row(res, i, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_request_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
rq_list_user(void *conn, int64_t tenant, int64_t user_id, int64_t offset, int64_t limit,
             int64_t *total, store_request_fn fn, void *arg)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    return count_and_list(conn, tenant, sql_count_user, sql_list_user, &p, offset, limit, total,
                          fn, arg);
}

static enum bk_err
rq_list(void *conn, int64_t tenant, const char *status, int64_t offset, int64_t limit,
        int64_t *total, store_request_fn fn, void *arg)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_text(&p, status);
    return count_and_list(conn, tenant, sql_count, sql_list, &p, offset, limit, total, fn, arg);
}

static enum bk_err
rq_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct pg_params p = { 0 };
    enum bk_err err;

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    err = pg_exec(conn, tenant, sql_purge, &p, NULL);
    return err == BK_OK ? pg_exec(conn, tenant, sql_purge_sealed, &p, NULL) : err;
}

const struct store_requests_ops pgsql_requests_ops = {
    .insert = rq_insert,
    .get = rq_get,
    .find_open = rq_find_open,
    .update = rq_update,
    .list_user = rq_list_user,
    .list = rq_list,
    .purge_user = rq_purge_user,
};
