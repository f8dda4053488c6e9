/* The tokens family on MySQL/MariaDB: the statements of sqlite_tokens.c.
 * The expiry sweep removes by expiry time alone, across tenants. */
#include <string.h>

#include "mysql.h"
#include "mysql_int.h"
#include "tokens.h"

#define TOKEN_COLS "id, tenant, uuid, type, base_hash, record_hash, dek, body, created, " \
                   "expires, sliding, final"

static const char sql_insert[] =
    "INSERT INTO tokens (tenant, uuid, type, base_hash, record_hash, dek, body, created, "
    "expires, sliding, final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_get_uuid[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = ? AND uuid = ?";
static const char sql_get_base[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = ? AND base_hash = ?";
static const char sql_get_record[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = ? AND record_hash = ?";
static const char sql_set_expiry[] =
    "UPDATE tokens SET expires = ?, sliding = ?, final = ? WHERE tenant = ? AND id = ?";
static const char sql_remove[] = "DELETE FROM tokens WHERE tenant = ? AND id = ?";
static const char sql_purge[] =
    "DELETE FROM tokens WHERE expires > 0 AND expires <= ? LIMIT ?";

/* A 32-byte hash column into <out>; *present is 0 for SQL NULL. */
static enum bk_err
col_hash(struct my_result *r, unsigned col, uint8_t out[STORE_HASH_LEN], int *present)
{
    uint8_t *h = NULL;
    size_t n = 0;
    enum bk_err err = my_col_blob(r, col, &h, &n);

    *present = 0;
    if (err != BK_OK)
        return err;
    if (h == NULL)
        return BK_OK;
    if (n != STORE_HASH_LEN) {
        mem_free(h);
        return BK_ECORRUPT;
    }
    memcpy(out, h, STORE_HASH_LEN);
    mem_free(h);
    *present = 1;
    return BK_OK;
}

static enum bk_err
read_row(struct my_result *r, void *arg)
{
    struct token_row *out = arg;
    int has_base = 0;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    my_col_text(r, 2, out->uuid, sizeof out->uuid);
    out->type = (int)my_col_int(r, 3);
    out->created = my_col_int(r, 8);
    out->expires = my_col_int(r, 9);
    out->sliding = my_col_int(r, 10);
    out->final = my_col_int(r, 11);
    err = col_hash(r, 4, out->base_hash, &has_base);
    if (err == BK_OK && !has_base)
        err = BK_ECORRUPT;
    if (err == BK_OK)
        err = col_hash(r, 5, out->record_hash, &out->has_record_hash);
    if (err == BK_OK)
        err = my_col_blob(r, 6, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = my_col_blob(r, 7, &out->body, &out->body_len);
    if (err != BK_OK)
        store_token_row_cleanup(out);
    return err;
}

static enum bk_err
tk_insert(void *conn, struct token_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_text(&p, row->uuid);
    myp_int(&p, row->type);
    myp_blob(&p, row->base_hash, STORE_HASH_LEN);
    myp_blob(&p, row->has_record_hash ? row->record_hash : NULL,
             row->has_record_hash ? STORE_HASH_LEN : 0);
    myp_blob(&p, row->dek, row->dek_len);
    myp_blob(&p, row->body, row->body_len);
    myp_int(&p, row->created);
    myp_int(&p, row->expires);
    myp_int(&p, row->sliding);
    myp_int(&p, row->final);
    return my_exec(conn, sql_insert, &p, NULL);
}

/* One row by the statement <sql> whose second parameter is text or a hash. */
static enum bk_err
get_one(struct my_conn *c, const char *sql, int64_t tenant, const char *text,
        const uint8_t *hash, struct token_row *out)
{
    struct my_params p = { 0 };

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    if (text != NULL)
        myp_text(&p, text);
    else
        myp_blob(&p, hash, STORE_HASH_LEN);
    return my_query_row(c, sql, &p, read_row, out);
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
    struct my_params p = { 0 };

    myp_int(&p, expires);
    myp_int(&p, sliding);
    myp_int(&p, final);
    myp_int(&p, tenant);
    myp_int(&p, id);
    /* MariaDB counts changed rows, not matched ones: an unchanged row is not
     * missing, so no BK_ENOTFOUND here (the caller read the row in this
     * transaction). */
    return my_exec(conn, sql_set_expiry, &p, NULL);
}

static enum bk_err
tk_remove(void *conn, int64_t tenant, int64_t id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, id);
    return my_exec_found(conn, sql_remove, &p);
}

static enum bk_err
tk_purge_expired(void *conn, int64_t now, int64_t limit, int64_t *deleted)
{
    struct my_params p = { 0 };

    *deleted = 0;
    myp_int(&p, now);
    myp_int(&p, limit);
    return my_exec(conn, sql_purge, &p, deleted);
}

const struct store_tokens_ops mysql_tokens_ops = {
    .insert = tk_insert,
    .get_uuid = tk_get_uuid,
    .get_base = tk_get_base,
    .get_record = tk_get_record,
    .set_expiry = tk_set_expiry,
    .remove = tk_remove,
    .purge_expired = tk_purge_expired,
};
