/* SQLite: the shared_records table. */
#include "shared.h"

#include <string.h>

#include "sqlite.h"
#include "sqlite_int.h"

static const char sql_insert[] =
    "INSERT INTO shared_records (tenant, hash, user_id, record, created, expires, body) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_get[] =
    "SELECT tenant, hash, user_id, record, created, expires, body FROM shared_records "
    "WHERE tenant = ?1 AND hash = ?2";
static const char sql_purge_expired[] = "DELETE FROM shared_records WHERE expires <= ?1";
static const char sql_purge_user[] =
    "DELETE FROM shared_records WHERE tenant = ?1 AND user_id = ?2";

static enum bk_err
read_row(sqlite3_stmt *st, void *arg)
{
    struct shared_row *out = arg;

    out->tenant = sqlite3_column_int64(st, 0);
    if (sqlite3_column_bytes(st, 1) == STORE_HASH_LEN)
        memcpy(out->hash, sqlite3_column_blob(st, 1), STORE_HASH_LEN);
    out->user_id = sqlite3_column_int64(st, 2);
    sq_col_text(st, 3, out->record, sizeof out->record);
    out->created = sqlite3_column_int64(st, 4);
    out->expires = sqlite3_column_int64(st, 5);
    return sq_col_blob(st, 6, &out->body, &out->body_len);
}

static enum bk_err
s_insert(void *conn, const struct shared_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_insert, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sq_bind_blob(st, 2, row->hash, STORE_HASH_LEN);
    sqlite3_bind_int64(st, 3, row->user_id);
    sq_bind_text(st, 4, row->record);
    sqlite3_bind_int64(st, 5, row->created);
    sqlite3_bind_int64(st, 6, row->expires);
    sq_bind_blob(st, 7, row->body, row->body_len);
    return sq_exec_done(c, st);
}

static enum bk_err
s_get(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN], struct shared_row *out)
{
    memset(out, 0, sizeof *out);
    return sq_row_by_hash(conn, sql_get, tenant, hash, read_row, out);
}

static enum bk_err
s_purge_expired(void *conn, int64_t now, int64_t *removed)
{
    return sq_exec_id_changes(conn, sql_purge_expired, now, removed);
}

static enum bk_err
s_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    return sq_exec_ids(conn, sql_purge_user, tenant, user_id);
}

const struct store_shared_ops sqlite_shared_ops = {
    .insert = s_insert,
    .get = s_get,
    .purge_expired = s_purge_expired,
    .purge_user = s_purge_user,
};
