/* The tokens family on PostgreSQL: the statements of sqlite_tokens.c, run
 * with the tenant set for row-level security. The expiry sweep works across
 * tenants; row-level security shows one tenant at a time, so it runs for each
 * tenant (pg_for_tenants), sharing the batch limit. */
#include <string.h>

#include "pgsql.h"
#include "pgsql_int.h"
#include "tokens.h"

#define TOKEN_COLS "id, tenant, uuid, type, base_hash, record_hash, dek, body, created, " \
                   "expires, sliding, final"

static const char sql_insert[] =
    "INSERT INTO tokens (tenant, uuid, type, base_hash, record_hash, dek, body, created, "
    "expires, sliding, final) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
static const char sql_get_uuid[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = $1 AND uuid = $2";
static const char sql_get_base[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = $1 AND base_hash = $2";
static const char sql_get_record[] =
    "SELECT " TOKEN_COLS " FROM tokens WHERE tenant = $1 AND record_hash = $2";
static const char sql_set_expiry[] =
    "UPDATE tokens SET expires = $3, sliding = $4, final = $5 WHERE tenant = $1 AND id = $2";
static const char sql_remove[] = "DELETE FROM tokens WHERE tenant = $1 AND id = $2";
static const char sql_purge[] =
    "DELETE FROM tokens WHERE id IN (SELECT id FROM tokens WHERE tenant = $1 "
    "AND expires > 0 AND expires <= $2 LIMIT $3)";

static enum bk_err
read_row(const PGresult *r, int i, void *arg)
{
    struct token_row *out = arg;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    pg_col_text(r, i, 2, out->uuid, sizeof out->uuid);
    out->type = (int)pg_col_int(r, i, 3);
    if (PQgetlength(r, i, 4) != STORE_HASH_LEN)
        return BK_ECORRUPT;
    memcpy(out->base_hash, PQgetvalue(r, i, 4), STORE_HASH_LEN);
    if (!PQgetisnull(r, i, 5)) {
        if (PQgetlength(r, i, 5) != STORE_HASH_LEN)
            return BK_ECORRUPT;
        memcpy(out->record_hash, PQgetvalue(r, i, 5), STORE_HASH_LEN);
        out->has_record_hash = 1;
    }
    out->created = pg_col_int(r, i, 8);
    out->expires = pg_col_int(r, i, 9);
    out->sliding = pg_col_int(r, i, 10);
    out->final = pg_col_int(r, i, 11);
    err = pg_col_blob(r, i, 6, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = pg_col_blob(r, i, 7, &out->body, &out->body_len);
    if (err != BK_OK)
        store_token_row_cleanup(out);
    return err;
}

static enum bk_err
tk_insert(void *conn, struct token_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_text(&p, row->uuid);
    pgp_int(&p, row->type);
    pgp_blob(&p, row->base_hash, STORE_HASH_LEN);
    pgp_blob(&p, row->has_record_hash ? row->record_hash : NULL,
             row->has_record_hash ? STORE_HASH_LEN : 0);
    pgp_blob(&p, row->dek, row->dek_len);
    pgp_blob(&p, row->body, row->body_len);
    pgp_int(&p, row->created);
    pgp_int(&p, row->expires);
    pgp_int(&p, row->sliding);
    pgp_int(&p, row->final);
    return pg_exec(conn, row->tenant, sql_insert, &p, NULL);
}

/* One row by the statement <sql> whose second parameter is text or a hash. */
static enum bk_err
get_one(struct pg_conn *c, const char *sql, int64_t tenant, const char *text,
        const uint8_t *hash, struct token_row *out)
{
    struct pg_params p = { 0 };

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    if (text != NULL)
        pgp_text(&p, text);
    else
        pgp_blob(&p, hash, STORE_HASH_LEN);
    return pg_run_row(c, tenant, sql, &p, read_row, out);
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
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    pgp_int(&p, expires);
    pgp_int(&p, sliding);
    pgp_int(&p, final);
    return pg_exec_found(conn, tenant, sql_set_expiry, &p);
}

static enum bk_err
tk_remove(void *conn, int64_t tenant, int64_t id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    return pg_exec_found(conn, tenant, sql_remove, &p);
}

struct purge {
    struct pg_conn *c;
    int64_t now, limit, deleted;
};

/* Delete at most what is left of the batch limit of <tenant>'s expired rows. */
static enum bk_err
purge_tenant(void *arg, int64_t tenant)
{
    struct purge *pu = arg;
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    if (pu->deleted >= pu->limit)
        return BK_OK;
    pgp_int(&p, tenant);
    pgp_int(&p, pu->now);
    pgp_int(&p, pu->limit - pu->deleted);
    err = pg_exec(pu->c, tenant, sql_purge, &p, &n);
    if (err == BK_OK)
        pu->deleted += n;
    return err;
}

static enum bk_err
tk_purge_expired(void *conn, int64_t now, int64_t limit, int64_t *deleted)
{
    struct purge pu = { conn, now, limit, 0 };
    enum bk_err err = pg_for_tenants(conn, purge_tenant, &pu);

    *deleted = pu.deleted;
    return err;
}

const struct store_tokens_ops pgsql_tokens_ops = {
    .insert = tk_insert,
    .get_uuid = tk_get_uuid,
    .get_base = tk_get_base,
    .get_record = tk_get_record,
    .set_expiry = tk_set_expiry,
    .remove = tk_remove,
    .purge_expired = tk_purge_expired,
};
