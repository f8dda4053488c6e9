/* The requests family on MySQL/MariaDB: src/store/sqlite_requests.c's
 * statements with positional parameters (bound again where SQLite reuses
 * one). */
#include <string.h>

#include "mysql.h"
#include "mysql_int.h"
#include "requests.h"

#define REQ_COLS "id, tenant, rtoken, user_id, user_token, type, target, status, sealed, " \
                 "version, created, updated"

static const char sql_insert[] =
    "INSERT INTO requests (tenant, rtoken, user_id, user_token, type, target, status, sealed, "
    "version, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_get[] = "SELECT " REQ_COLS " FROM requests WHERE tenant = ? AND rtoken = ?";
static const char sql_find_open[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = ? AND user_id = ? AND type = ? "
    "AND target = ? AND status = 'open' ORDER BY id DESC LIMIT 1";
static const char sql_update[] =
    "UPDATE requests SET status = ?, sealed = ?, version = ?, updated = ? "
    "WHERE tenant = ? AND id = ? AND version = ?";
static const char sql_count_user[] =
    "SELECT count(*) FROM requests WHERE tenant = ? AND user_id = ?";
static const char sql_list_user[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = ? AND user_id = ? "
    "ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_count[] =
    "SELECT count(*) FROM requests WHERE tenant = ? AND (? IS NULL OR status = ?)";
static const char sql_list[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = ? AND (? IS NULL OR status = ?) "
    "ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_purge[] =
    "DELETE FROM requests WHERE tenant = ? AND user_id = ? "
    "AND NOT (type = 'forget-me' AND status = 'approved')";
static const char sql_purge_sealed[] =
    "UPDATE requests SET sealed = NULL WHERE tenant = ? AND user_id = ?";

static enum bk_err
read_row(struct my_result *r, void *arg)
{
    struct request_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    my_col_text(r, 2, out->rtoken, sizeof out->rtoken);
    out->user_id = my_col_int(r, 3);
    my_col_text(r, 4, out->user_token, sizeof out->user_token);
    my_col_text(r, 5, out->type, sizeof out->type);
    my_col_text(r, 6, out->target, sizeof out->target);
    my_col_text(r, 7, out->status, sizeof out->status);
    out->version = my_col_int(r, 9);
    out->created = my_col_int(r, 10);
    out->updated = my_col_int(r, 11);
    return my_col_blob(r, 8, &out->sealed, &out->sealed_len);
}

static enum bk_err
one_row(struct my_conn *c, const char *sql, struct my_params *p, struct request_row *out)
{
    memset(out, 0, sizeof *out);
    return my_query_row(c, sql, p, read_row, out);
}

static enum bk_err
rq_insert(void *conn, struct request_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_text(&p, row->rtoken);
    myp_int(&p, row->user_id);
    myp_text(&p, row->user_token);
    myp_text(&p, row->type);
    myp_text(&p, row->target);
    myp_text(&p, row->status);
    myp_blob(&p, row->sealed, row->sealed_len);
    myp_int(&p, row->version);
    myp_int(&p, row->created);
    myp_int(&p, row->updated);
    return my_exec_id(conn, sql_insert, &p, &row->id);
}

static enum bk_err
rq_get(void *conn, int64_t tenant, const char *rtoken, struct request_row *out)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_text(&p, rtoken);
    return one_row(conn, sql_get, &p, out);
}

static enum bk_err
rq_find_open(void *conn, int64_t tenant, int64_t user_id, const char *type, const char *target,
             struct request_row *out)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    myp_text(&p, type);
    myp_text(&p, target);
    return one_row(conn, sql_find_open, &p, out);
}

static enum bk_err
rq_update(void *conn, const struct request_row *row)
{
    struct my_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    /* the version always moves, so a matched row is a changed row */
    myp_text(&p, row->status);
    myp_blob(&p, row->sealed, row->sealed_len);
    myp_int(&p, row->version);
    myp_int(&p, row->updated);
    myp_int(&p, row->tenant);
    myp_int(&p, row->id);
    myp_int(&p, row->version - 1);
    err = my_exec(conn, sql_update, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ECONFLICT;
    return err;
}

/* Count with <count_sql> and <cp>, then call <fn> on each row of <list_sql>
 * with <lp> (its filter parameters bound, LIMIT/OFFSET added here). */
static enum bk_err
count_and_list(struct my_conn *c, const char *count_sql, struct my_params *cp,
               const char *list_sql, struct my_params *lp, int64_t offset, int64_t limit,
               int64_t *total, store_request_fn fn, void *arg)
{
    struct my_result r;
    enum bk_err err = my_query_int(c, count_sql, cp, total);

    if (err != BK_OK)
        return err;
    myp_int(lp, limit);
    myp_int(lp, offset);
    err = my_query(c, list_sql, lp, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct request_row row;

        err = read_row(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_request_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
rq_list_user(void *conn, int64_t tenant, int64_t user_id, int64_t offset, int64_t limit,
             int64_t *total, store_request_fn fn, void *arg)
{
    struct my_params cp = { 0 }, lp = { 0 };

    myp_int(&cp, tenant);
    myp_int(&cp, user_id);
    myp_int(&lp, tenant);
    myp_int(&lp, user_id);
    return count_and_list(conn, sql_count_user, &cp, sql_list_user, &lp, offset, limit, total,
                          fn, arg);
}

static enum bk_err
rq_list(void *conn, int64_t tenant, const char *status, int64_t offset, int64_t limit,
        int64_t *total, store_request_fn fn, void *arg)
{
    struct my_params cp = { 0 }, lp = { 0 };

    myp_int(&cp, tenant);
    myp_text(&cp, status);
    myp_text(&cp, status);
    myp_int(&lp, tenant);
    myp_text(&lp, status);
    myp_text(&lp, status);
    return count_and_list(conn, sql_count, &cp, sql_list, &lp, offset, limit, total, fn, arg);
}

static enum bk_err
rq_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct my_params p = { 0 }, q = { 0 };
    enum bk_err err;

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    err = my_exec(conn, sql_purge, &p, NULL);
    if (err != BK_OK)
        return err;
    myp_int(&q, tenant);
    myp_int(&q, user_id);
    return my_exec(conn, sql_purge_sealed, &q, NULL);
}

const struct store_requests_ops mysql_requests_ops = {
    .insert = rq_insert,
    .get = rq_get,
    .find_open = rq_find_open,
    .update = rq_update,
    .list_user = rq_list_user,
    .list = rq_list,
    .purge_user = rq_purge_user,
};
