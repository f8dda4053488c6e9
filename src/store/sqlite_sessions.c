/* SQLite: the sessions family. Rows and bytes only; every statement binds
 * its parameters. All but the expiry sweep filter on the tenant: the sweep
 * removes by expiry time alone, across tenants. */
#include "sqlite.h"

#include <string.h>

#include <sqlite3.h>

#include "sessions.h"
#include "sqlite_int.h"

#define SESSION_COLS "id, tenant, sid_hash, user_token, dek, body, version, created, updated, " \
                     "expires, final"

static const char sql_get[] =
    "SELECT " SESSION_COLS " FROM sessions WHERE tenant = ?1 AND sid_hash = ?2";
static const char sql_put[] =
    "INSERT INTO sessions (tenant, sid_hash, user_token, dek, body, version, created, updated, "
    "expires, final) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (tenant, sid_hash) DO UPDATE SET user_token = excluded.user_token, "
    "dek = excluded.dek, body = excluded.body, version = excluded.version, "
    "created = excluded.created, updated = excluded.updated, expires = excluded.expires, "
    "final = excluded.final";
static const char sql_remove[] = "DELETE FROM sessions WHERE tenant = ?1 AND sid_hash = ?2";
static const char sql_list_user[] =
    "SELECT " SESSION_COLS " FROM sessions WHERE tenant = ?1 AND user_token = ?2 "
    "AND expires > ?3 ORDER BY created, id";
static const char sql_delete_user[] =
    "DELETE FROM sessions WHERE tenant = ?1 AND user_token = ?2";
static const char sql_purge[] =
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires <= ?1 LIMIT ?2)";

static enum bk_err
read_row(sqlite3_stmt *st, void *arg)
{
    struct session_row *out = arg;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    if (sqlite3_column_bytes(st, 2) != STORE_HASH_LEN)
        return BK_ECORRUPT;
    memcpy(out->sid_hash, sqlite3_column_blob(st, 2), STORE_HASH_LEN);
    sq_col_text(st, 3, out->user_token, sizeof out->user_token);
    out->version = sqlite3_column_int64(st, 6);
    out->created = sqlite3_column_int64(st, 7);
    out->updated = sqlite3_column_int64(st, 8);
    out->expires = sqlite3_column_int64(st, 9);
    out->final = sqlite3_column_int64(st, 10);
    err = sq_col_blob(st, 4, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = sq_col_blob(st, 5, &out->body, &out->body_len);
    if (err != BK_OK)
        store_session_row_cleanup(out);
    return err;
}

static enum bk_err
se_get(void *conn, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN],
       struct session_row *out)
{
    memset(out, 0, sizeof *out);
    return sq_row_by_hash(conn, sql_get, tenant, sid_hash, read_row, out);
}

static enum bk_err
se_put(void *conn, const struct session_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_put, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sq_bind_blob(st, 2, row->sid_hash, STORE_HASH_LEN);
    sq_bind_text(st, 3, row->user_token[0] != '\0' ? row->user_token : NULL);
    sq_bind_blob(st, 4, row->dek, row->dek_len);
    sq_bind_blob(st, 5, row->body, row->body_len);
    sqlite3_bind_int64(st, 6, row->version);
    sqlite3_bind_int64(st, 7, row->created);
    sqlite3_bind_int64(st, 8, row->updated);
    sqlite3_bind_int64(st, 9, row->expires);
    sqlite3_bind_int64(st, 10, row->final);
    return sq_exec_done(c, st);
}

static enum bk_err
se_remove(void *conn, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN])
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_remove, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_blob(st, 2, sid_hash, STORE_HASH_LEN);
    return sq_exec_found(c, st);
}

static enum bk_err
se_list_user(void *conn, int64_t tenant, const char *user_token, int64_t now,
             store_session_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_list_user, &st);
    int rc;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_text(st, 2, user_token);
    sqlite3_bind_int64(st, 3, now);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct session_row row;

        err = read_row(st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_session_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
se_delete_user(void *conn, int64_t tenant, const char *user_token)
{
    return sq_exec_id_text(conn, sql_delete_user, tenant, user_token);
}

static enum bk_err
se_purge_expired(void *conn, int64_t now, int64_t limit, int64_t *deleted)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_purge, &st);

    *deleted = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, limit);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        *deleted = sqlite3_changes(c->db);
    return err;
}

const struct store_sessions_ops sqlite_sessions_ops = {
    .get = se_get,
    .put = se_put,
    .remove = se_remove,
    .list_user = se_list_user,
    .delete_user = se_delete_user,
    .purge_expired = se_purge_expired,
};
