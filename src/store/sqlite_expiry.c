/* SQLite: the user_expiry table. */
#include "expiry.h"

#include <string.h>

#include "sqlite.h"
#include "sqlite_int.h"

#define EXPIRY_COLS "user_id, tenant, record, state, sliding, finaltime, endtime, touched, " \
                    "exptoken_hash, exptoken_box"

static const char sql_get[] =
    "SELECT " EXPIRY_COLS " FROM user_expiry WHERE tenant = ?1 AND user_id = ?2";
static const char sql_by_token[] =
    "SELECT " EXPIRY_COLS " FROM user_expiry WHERE tenant = ?1 AND exptoken_hash = ?2";
static const char sql_put[] =
    "INSERT INTO user_expiry (" EXPIRY_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, sliding = excluded.sliding, "
    "finaltime = excluded.finaltime, endtime = excluded.endtime, touched = excluded.touched, "
    "exptoken_hash = excluded.exptoken_hash, exptoken_box = excluded.exptoken_box "
    "WHERE user_expiry.tenant = excluded.tenant";
static const char sql_due[] =
    "SELECT e.tenant, u.token, e.user_id FROM user_expiry AS e JOIN users AS u ON u.id = e.user_id "
    "WHERE ((e.state = 1 AND e.endtime > 0 AND e.endtime <= ?1) OR e.state = 3) "
    "AND u.status = 1 "
    "ORDER BY e.endtime LIMIT ?2";

static enum bk_err
read_row(sqlite3_stmt *st, void *arg)
{
    struct expiry_row *out = arg;

    out->user_id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, out->record, sizeof out->record);
    out->state = sqlite3_column_int(st, 3);
    out->sliding = sqlite3_column_int64(st, 4);
    out->finaltime = sqlite3_column_int64(st, 5);
    out->endtime = sqlite3_column_int64(st, 6);
    out->touched = sqlite3_column_int64(st, 7);
    if (sqlite3_column_bytes(st, 8) == STORE_HASH_LEN) {
        memcpy(out->exptoken_hash, sqlite3_column_blob(st, 8), STORE_HASH_LEN);
        out->has_exptoken = 1;
    }
    return sq_col_blob(st, 9, &out->exptoken_box, &out->exptoken_box_len);
}

static enum bk_err
e_get(void *conn, int64_t tenant, int64_t user_id, struct expiry_row *out)
{
    memset(out, 0, sizeof *out);
    return sq_row_by_id(conn, sql_get, tenant, user_id, read_row, out);
}

static enum bk_err
e_by_exptoken(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
              struct expiry_row *out)
{
    memset(out, 0, sizeof *out);
    return sq_row_by_hash(conn, sql_by_token, tenant, hash, read_row, out);
}

static enum bk_err
e_put(void *conn, const struct expiry_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_put, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->user_id);
    sqlite3_bind_int64(st, 2, row->tenant);
    sq_bind_text(st, 3, row->record);
    sqlite3_bind_int(st, 4, row->state);
    sqlite3_bind_int64(st, 5, row->sliding);
    sqlite3_bind_int64(st, 6, row->finaltime);
    sqlite3_bind_int64(st, 7, row->endtime);
    sqlite3_bind_int64(st, 8, row->touched);
    sq_bind_blob(st, 9, row->has_exptoken ? row->exptoken_hash : NULL, STORE_HASH_LEN);
    sq_bind_blob(st, 10, row->exptoken_box, row->exptoken_box_len);
    err = sq_exec_done(c, st);
    if (err == BK_OK && sqlite3_changes(c->db) != 1)
        err = BK_ECONFLICT;
    return err;
}

static enum bk_err
e_due(void *conn, int64_t now, struct expiry_due *out, size_t max, size_t *n_out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_due, &st);
    size_t n = 0;
    int rc = SQLITE_DONE;

    *n_out = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, (int64_t)max);
    while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        out[n].tenant = sqlite3_column_int64(st, 0);
        sq_col_text(st, 1, out[n].token, sizeof out[n].token);
        out[n].user_id = sqlite3_column_int64(st, 2);
        n++;
    }
    if (n < max && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    *n_out = err == BK_OK ? n : 0;
    return err;
}

const struct store_expiry_ops sqlite_expiry_ops = {
    .get = e_get,
    .by_exptoken = e_by_exptoken,
    .put = e_put,
    .due = e_due,
};
