/* SQLite implementation of the "requests" store family. Every statement is
 * static SQL with bound parameters and filters on the tenant. */
#include <string.h>

#include <sqlite3.h>

#include "requests.h"
#include "sqlite.h"
#include "sqlite_int.h"

#define REQ_COLS "id, tenant, rtoken, user_id, user_token, type, target, status, sealed, " \
                 "version, created, updated"

static const char sql_insert[] =
    "INSERT INTO requests (tenant, rtoken, user_id, user_token, type, target, status, sealed, "
    "version, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char sql_get[] = "SELECT " REQ_COLS " FROM requests WHERE tenant = ?1 AND rtoken = ?2";
static const char sql_find_open[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = ?1 AND user_id = ?2 AND type = ?3 "
    "AND target = ?4 AND status = 'open' ORDER BY id DESC LIMIT 1";
static const char sql_update[] =
    "UPDATE requests SET status = ?1, sealed = ?2, version = ?3, updated = ?4 "
    "WHERE tenant = ?5 AND id = ?6 AND version = ?7";
static const char sql_count_user[] =
    "SELECT count(*) FROM requests WHERE tenant = ?1 AND user_id = ?2";
static const char sql_list_user[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = ?1 AND user_id = ?2 "
    "ORDER BY id DESC LIMIT ?3 OFFSET ?4";
static const char sql_count[] =
    "SELECT count(*) FROM requests WHERE tenant = ?1 AND (?2 IS NULL OR status = ?2)";
static const char sql_list[] =
    "SELECT " REQ_COLS " FROM requests WHERE tenant = ?1 AND (?2 IS NULL OR status = ?2) "
    "ORDER BY id DESC LIMIT ?3 OFFSET ?4";
static const char sql_purge[] =
    "DELETE FROM requests WHERE tenant = ?1 AND user_id = ?2 "
    "AND NOT (type = 'forget-me' AND status = 'approved')";
static const char sql_purge_sealed[] =
    "UPDATE requests SET sealed = NULL WHERE tenant = ?1 AND user_id = ?2";

static enum bk_err
read_row(sqlite3_stmt *st, void *arg)
{
    struct request_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, out->rtoken, sizeof out->rtoken);
    out->user_id = sqlite3_column_int64(st, 3);
    sq_col_text(st, 4, out->user_token, sizeof out->user_token);
    sq_col_text(st, 5, out->type, sizeof out->type);
    sq_col_text(st, 6, out->target, sizeof out->target);
    sq_col_text(st, 7, out->status, sizeof out->status);
    out->version = sqlite3_column_int64(st, 9);
    out->created = sqlite3_column_int64(st, 10);
    out->updated = sqlite3_column_int64(st, 11);
    return sq_col_blob(st, 8, &out->sealed, &out->sealed_len);
}

static enum bk_err
rq_insert(void *conn, struct request_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_insert, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sq_bind_text(st, 2, row->rtoken);
    sqlite3_bind_int64(st, 3, row->user_id);
    sq_bind_text(st, 4, row->user_token);
    sq_bind_text(st, 5, row->type);
    sq_bind_text(st, 6, row->target);
    sq_bind_text(st, 7, row->status);
    sq_bind_blob(st, 8, row->sealed, row->sealed_len);
    sqlite3_bind_int64(st, 9, row->version);
    sqlite3_bind_int64(st, 10, row->created);
    sqlite3_bind_int64(st, 11, row->updated);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        row->id = sqlite3_last_insert_rowid(c->db);
    return err;
}

static enum bk_err
rq_get(void *conn, int64_t tenant, const char *rtoken, struct request_row *out)
{
    memset(out, 0, sizeof *out);
    return sq_row_by_text(conn, sql_get, tenant, rtoken, read_row, out);
}

static enum bk_err
rq_find_open(void *conn, int64_t tenant, int64_t user_id, const char *type, const char *target,
             struct request_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = sq_prepare(c, sql_find_open, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    sq_bind_text(st, 3, type);
    sq_bind_text(st, 4, target);
    return sq_step_row(c, st, read_row, out);
}

static enum bk_err
rq_update(void *conn, const struct request_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_update, &st);

    if (err != BK_OK)
        return err;
    sq_bind_text(st, 1, row->status);
    sq_bind_blob(st, 2, row->sealed, row->sealed_len);
    sqlite3_bind_int64(st, 3, row->version);
    sqlite3_bind_int64(st, 4, row->updated);
    sqlite3_bind_int64(st, 5, row->tenant);
    sqlite3_bind_int64(st, 6, row->id);
    sqlite3_bind_int64(st, 7, row->version - 1);
    err = sq_exec_done(c, st);
    if (err == BK_OK && sqlite3_changes(c->db) != 1)
        err = BK_ECONFLICT;
    return err;
}

/* Count with <count_st>, then call <fn> on each row of <list_st>; both have
 * their filter parameters bound already, the list's LIMIT/OFFSET at 3 and 4. */
static enum bk_err
count_and_list(struct sq_conn *c, sqlite3_stmt *count_st, sqlite3_stmt *list_st, int64_t offset,
               int64_t limit, int64_t *total, store_request_fn fn, void *arg)
{
    enum bk_err err = sq_step_int64(c, count_st, total);
    int rc;

    if (err != BK_OK) {
        sq_done(list_st);
        return err;
    }
    sqlite3_bind_int64(list_st, 3, limit);
    sqlite3_bind_int64(list_st, 4, offset);
    while ((rc = sqlite3_step(list_st)) == SQLITE_ROW) {
        struct request_row row;

        err = read_row(list_st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_request_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(list_st);
    return err;
}

static enum bk_err
rq_list_user(void *conn, int64_t tenant, int64_t user_id, int64_t offset, int64_t limit,
             int64_t *total, store_request_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *cst = NULL, *lst = NULL;
    enum bk_err err;

    *total = 0;
    err = sq_prepare(c, sql_count_user, &cst);
    if (err == BK_OK)
        err = sq_prepare(c, sql_list_user, &lst);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(cst, 1, tenant);
    sqlite3_bind_int64(cst, 2, user_id);
    sqlite3_bind_int64(lst, 1, tenant);
    sqlite3_bind_int64(lst, 2, user_id);
    return count_and_list(c, cst, lst, offset, limit, total, fn, arg);
}

static enum bk_err
rq_list(void *conn, int64_t tenant, const char *status, int64_t offset, int64_t limit,
        int64_t *total, store_request_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *cst = NULL, *lst = NULL;
    enum bk_err err;

    *total = 0;
    err = sq_prepare(c, sql_count, &cst);
    if (err == BK_OK)
        err = sq_prepare(c, sql_list, &lst);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(cst, 1, tenant);
    sq_bind_text(cst, 2, status);
    sqlite3_bind_int64(lst, 1, tenant);
    sq_bind_text(lst, 2, status);
    return count_and_list(c, cst, lst, offset, limit, total, fn, arg);
}

static enum bk_err
rq_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_purge, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        err = sq_prepare(c, sql_purge_sealed, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    return sq_exec_done(c, st);
}

const struct store_requests_ops sqlite_requests_ops = {
    .insert = rq_insert,
    .get = rq_get,
    .find_open = rq_find_open,
    .update = rq_update,
    .list_user = rq_list_user,
    .list = rq_list,
    .purge_user = rq_purge_user,
};
