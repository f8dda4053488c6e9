/* SQLite: the portal family (login codes, portal sessions, rate counters).
 * Every statement binds its parameters and, but for the expiry sweep,
 * filters on the tenant. */
#include "sqlite.h"

#include <string.h>

#include <sqlite3.h>

#include "portal.h"
#include "sqlite_int.h"

static const char sql_code_put[] =
    "INSERT INTO portal_codes (tenant, ident_hash, user_token, code_hash, created, expires, "
    "attempts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tenant, ident_hash) DO UPDATE "
    "SET user_token = excluded.user_token, code_hash = excluded.code_hash, "
    "created = excluded.created, expires = excluded.expires, attempts = excluded.attempts";
static const char sql_code_get[] =
    "SELECT user_token, code_hash, created, expires, attempts FROM portal_codes "
    "WHERE tenant = ?1 AND ident_hash = ?2";
static const char sql_code_attempt[] =
    "UPDATE portal_codes SET attempts = attempts + 1 WHERE tenant = ?1 AND ident_hash = ?2";
static const char sql_code_remove[] =
    "DELETE FROM portal_codes WHERE tenant = ?1 AND ident_hash = ?2";
static const char sql_session_put[] =
    "INSERT INTO portal_sessions (tenant, token_hash, user_token, created, expires) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_session_get[] =
    "SELECT user_token FROM portal_sessions WHERE tenant = ?1 AND token_hash = ?2 "
    "AND expires > ?3";
static const char sql_session_remove[] =
    "DELETE FROM portal_sessions WHERE tenant = ?1 AND token_hash = ?2";
static const char sql_delete_user_codes[] =
    "DELETE FROM portal_codes WHERE tenant = ?1 AND user_token = ?2";
static const char sql_delete_user_sessions[] =
    "DELETE FROM portal_sessions WHERE tenant = ?1 AND user_token = ?2";
static const char sql_hit[] =
    "INSERT INTO portal_hits (tenant, key_hash, window_start, count) VALUES (?1, ?2, ?3, 1) "
    "ON CONFLICT (tenant, key_hash) DO UPDATE SET "
    "count = CASE WHEN window_start <= ?3 - ?4 THEN 1 ELSE count + 1 END, "
    "window_start = CASE WHEN window_start <= ?3 - ?4 THEN ?3 ELSE window_start END "
    "RETURNING count";
static const char sql_purge_codes[] =
    "DELETE FROM portal_codes WHERE id IN (SELECT id FROM portal_codes WHERE expires <= ?1 "
    "LIMIT ?2)";
static const char sql_purge_sessions[] =
    "DELETE FROM portal_sessions WHERE id IN (SELECT id FROM portal_sessions "
    "WHERE expires <= ?1 LIMIT ?2)";
static const char sql_purge_hits[] =
    "DELETE FROM portal_hits WHERE rowid IN (SELECT rowid FROM portal_hits "
    "WHERE window_start < ?1 LIMIT ?2)";

static enum bk_err
po_code_put(void *conn, int64_t tenant, const struct portal_code_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_code_put, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_blob(st, 2, row->ident_hash, STORE_HASH_LEN);
    sq_bind_text(st, 3, row->user_token[0] != '\0' ? row->user_token : NULL);
    sq_bind_blob(st, 4, row->code_hash, STORE_HASH_LEN);
    sqlite3_bind_int64(st, 5, row->created);
    sqlite3_bind_int64(st, 6, row->expires);
    sqlite3_bind_int64(st, 7, row->attempts);
    return sq_exec_done(c, st);
}

static enum bk_err
po_code_get(void *conn, int64_t tenant, const uint8_t ident_hash[STORE_HASH_LEN],
            struct portal_code_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    int rc;

    memset(out, 0, sizeof *out);
    err = sq_prepare(c, sql_code_get, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_blob(st, 2, ident_hash, STORE_HASH_LEN);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memcpy(out->ident_hash, ident_hash, STORE_HASH_LEN);
        sq_col_text(st, 0, out->user_token, sizeof out->user_token);
        if (sqlite3_column_bytes(st, 1) == STORE_HASH_LEN)
            memcpy(out->code_hash, sqlite3_column_blob(st, 1), STORE_HASH_LEN);
        else
            err = BK_ECORRUPT;
        out->created = sqlite3_column_int64(st, 2);
        out->expires = sqlite3_column_int64(st, 3);
        out->attempts = sqlite3_column_int64(st, 4);
    } else {
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    }
    sq_done(st);
    return err;
}

/* Run <sql> with (tenant, hash) bound. */
static enum bk_err
by_hash(struct sq_conn *c, const char *sql, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
        int must_change)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_blob(st, 2, hash, STORE_HASH_LEN);
    return must_change ? sq_exec_found(c, st) : sq_exec_done(c, st);
}

static enum bk_err
po_code_attempt(void *conn, int64_t tenant, const uint8_t ident_hash[STORE_HASH_LEN])
{
    return by_hash(conn, sql_code_attempt, tenant, ident_hash, 1);
}

static enum bk_err
po_code_remove(void *conn, int64_t tenant, const uint8_t ident_hash[STORE_HASH_LEN])
{
    return by_hash(conn, sql_code_remove, tenant, ident_hash, 0);
}

static enum bk_err
po_session_put(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN],
               const char *user_token, int64_t created, int64_t expires)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_session_put, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_blob(st, 2, token_hash, STORE_HASH_LEN);
    sq_bind_text(st, 3, user_token);
    sqlite3_bind_int64(st, 4, created);
    sqlite3_bind_int64(st, 5, expires);
    return sq_exec_done(c, st);
}

static enum bk_err
po_session_get(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN], int64_t now,
               char user_token_out[37])
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    int rc;

    user_token_out[0] = '\0';
    err = sq_prepare(c, sql_session_get, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_blob(st, 2, token_hash, STORE_HASH_LEN);
    sqlite3_bind_int64(st, 3, now);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        sq_col_text(st, 0, user_token_out, 37);
    else
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
po_session_remove(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN])
{
    return by_hash(conn, sql_session_remove, tenant, token_hash, 1);
}

static enum bk_err
po_delete_user(void *conn, int64_t tenant, const char *user_token)
{
    enum bk_err err = sq_exec_id_text(conn, sql_delete_user_codes, tenant, user_token);

    if (err == BK_OK)
        err = sq_exec_id_text(conn, sql_delete_user_sessions, tenant, user_token);
    return err;
}

static enum bk_err
po_hit(void *conn, int64_t tenant, const uint8_t key_hash[STORE_HASH_LEN], int64_t now,
       int64_t window_s, int64_t *count)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_hit, &st);

    *count = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_blob(st, 2, key_hash, STORE_HASH_LEN);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, window_s);
    return sq_step_int64(c, st, count);
}

static enum bk_err
purge_one(struct sq_conn *c, const char *sql, int64_t before, int64_t limit, int64_t *deleted)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int64(st, 2, limit);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        *deleted += sqlite3_changes(c->db);
    return err;
}

static enum bk_err
po_purge_expired(void *conn, int64_t now, int64_t hits_before, int64_t limit, int64_t *deleted)
{
    enum bk_err err;

    *deleted = 0;
    err = purge_one(conn, sql_purge_codes, now, limit, deleted);
    if (err == BK_OK)
        err = purge_one(conn, sql_purge_sessions, now, limit, deleted);
    if (err == BK_OK)
        err = purge_one(conn, sql_purge_hits, hits_before, limit, deleted);
    return err;
}

const struct store_portal_ops sqlite_portal_ops = {
    .code_put = po_code_put,
    .code_get = po_code_get,
    .code_attempt = po_code_attempt,
    .code_remove = po_code_remove,
    .session_put = po_session_put,
    .session_get = po_session_get,
    .session_remove = po_session_remove,
    .delete_user = po_delete_user,
    .hit = po_hit,
    .purge_expired = po_purge_expired,
};
