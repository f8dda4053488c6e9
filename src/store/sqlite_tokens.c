/* SQLite: the tokens family. Rows and bytes only; every statement binds its
 * parameters. All but the expiry sweep filter on the tenant: the sweep
 * removes by expiry time alone, across tenants. */
#include "sqlite.h"

#include <string.h>

#include <sqlite3.h>

#include "sqlite_int.h"
#include "tokens.h"

#define TOKEN_COLS "id, tenant, uuid, type, base_hash, record_hash, dek, body, created, " \
                   "expires, sliding, final"

static const char sql_insert[] =
    "INSERT INTO tokens (tenant, uuid, type, base_hash, record_hash, dek, body, created, "
    "expires, sliding, final) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char sql_get_uuid[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = ?1 AND uuid = ?2";
static const char sql_get_base[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = ?1 AND base_hash = ?2";
static const char sql_get_record[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = ?1 AND record_hash = ?2";
static const char sql_set_expiry[] =
    "UPDATE tokens SET expires = ?3, sliding = ?4, final = ?5 WHERE tenant = ?1 AND id = ?2";
static const char sql_remove[] = "DELETE FROM tokens WHERE tenant = ?1 AND id = ?2";
static const char sql_purge[] =
    "DELETE FROM tokens WHERE id IN (SELECT id FROM tokens WHERE expires > 0 "
    "AND expires <= ?1 LIMIT ?2)";

static enum bk_err
read_row(sqlite3_stmt *st, void *arg)
{
    struct token_row *out = arg;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, out->uuid, sizeof out->uuid);
    out->type = (int)sqlite3_column_int64(st, 3);
    if (sqlite3_column_bytes(st, 4) != STORE_HASH_LEN)
        return BK_ECORRUPT;
    memcpy(out->base_hash, sqlite3_column_blob(st, 4), STORE_HASH_LEN);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
        if (sqlite3_column_bytes(st, 5) != STORE_HASH_LEN)
            return BK_ECORRUPT;
        memcpy(out->record_hash, sqlite3_column_blob(st, 5), STORE_HASH_LEN);
        out->has_record_hash = 1;
    }
    out->created = sqlite3_column_int64(st, 8);
    out->expires = sqlite3_column_int64(st, 9);
    out->sliding = sqlite3_column_int64(st, 10);
    out->final = sqlite3_column_int64(st, 11);
    err = sq_col_blob(st, 6, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = sq_col_blob(st, 7, &out->body, &out->body_len);
    if (err != BK_OK)
        store_token_row_cleanup(out);
    return err;
}

static enum bk_err
tk_insert(void *conn, struct token_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_insert, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sq_bind_text(st, 2, row->uuid);
    sqlite3_bind_int64(st, 3, row->type);
    sq_bind_blob(st, 4, row->base_hash, STORE_HASH_LEN);
    sq_bind_blob(st, 5, row->has_record_hash ? row->record_hash : NULL,
                 row->has_record_hash ? STORE_HASH_LEN : 0);
    sq_bind_blob(st, 6, row->dek, row->dek_len);
    sq_bind_blob(st, 7, row->body, row->body_len);
    sqlite3_bind_int64(st, 8, row->created);
    sqlite3_bind_int64(st, 9, row->expires);
    sqlite3_bind_int64(st, 10, row->sliding);
    sqlite3_bind_int64(st, 11, row->final);
    return sq_exec_done(c, st);
}

/* One row by the statement <sql> whose second parameter is text or a hash. */
static enum bk_err
get_one(struct sq_conn *c, const char *sql, int64_t tenant, const char *text,
        const uint8_t *hash, struct token_row *out)
{
    memset(out, 0, sizeof *out);
    if (text != NULL)
        return sq_row_by_text(c, sql, tenant, text, read_row, out);
    return sq_row_by_hash(c, sql, tenant, hash, read_row, out);
}

static enum bk_err
tk_get_uuid(void *conn, int64_t tenant, const char *uuid, struct token_row *out)
{
    return get_one(conn, sql_get_uuid, tenant, uuid, NULL, out);
}

static enum bk_err
tk_get_base(void *conn, int64_t tenant, const uint8_t base_hash[STORE_HASH_LEN],
            struct token_row *out)
{
    return get_one(conn, sql_get_base, tenant, NULL, base_hash, out);
}

static enum bk_err
tk_get_record(void *conn, int64_t tenant, const uint8_t record_hash[STORE_HASH_LEN],
              struct token_row *out)
{
    return get_one(conn, sql_get_record, tenant, NULL, record_hash, out);
}

static enum bk_err
tk_set_expiry(void *conn, int64_t tenant, int64_t id, int64_t expires, int64_t sliding,
              int64_t final)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_set_expiry, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, expires);
    sqlite3_bind_int64(st, 4, sliding);
    sqlite3_bind_int64(st, 5, final);
    return sq_exec_found(c, st);
}

static enum bk_err
tk_remove(void *conn, int64_t tenant, int64_t id)
{
    struct sq_conn *c = conn;
    int64_t n = 0;
    enum bk_err err;

    err = sq_exec_ids(c, sql_remove, tenant, id);
    if (err == BK_OK)
        n = sqlite3_changes(c->db);
    return err == BK_OK && n == 0 ? BK_ENOTFOUND : err;
}

static enum bk_err
tk_purge_expired(void *conn, int64_t now, int64_t limit, int64_t *deleted)
{
    struct sq_conn *c = conn;
    enum bk_err err = sq_exec_ids(c, sql_purge, now, limit);

    *deleted = err == BK_OK ? sqlite3_changes(c->db) : 0;
    return err;
}

const struct store_tokens_ops sqlite_tokens_ops = {
    .insert = tk_insert,
    .get_uuid = tk_get_uuid,
    .get_base = tk_get_base,
    .get_record = tk_get_record,
    .set_expiry = tk_set_expiry,
    .remove = tk_remove,
    .purge_expired = tk_purge_expired,
};
