/* The sessions family on PostgreSQL: the statements of sqlite_sessions.c,
 * run with the tenant set for row-level security. The expiry sweep works
 * across tenants; row-level security shows one tenant at a time, so it runs
 * once for the default tenant and once for each tenant in the registry,
 * sharing the batch limit. */
#include <string.h>

#include "pgsql.h"
#include "pgsql_int.h"
#include "sessions.h"

#define SESSION_COLS "id, tenant, sid_hash, user_token, dek, body, version, created, updated, " \
                     "expires, final"

static const char sql_get[] =
    "SELECT " SESSION_COLS " FROM sessions WHERE tenant = $1 AND sid_hash = $2";
static const char sql_put[] =
    "INSERT INTO sessions (tenant, sid_hash, user_token, dek, body, version, created, updated, "
    "expires, final) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (tenant, sid_hash) DO UPDATE SET user_token = excluded.user_token, "
    "dek = excluded.dek, body = excluded.body, version = excluded.version, "
    "created = excluded.created, updated = excluded.updated, expires = excluded.expires, "
    "final = excluded.final";
static const char sql_remove[] = "DELETE FROM sessions WHERE tenant = $1 AND sid_hash = $2";
static const char sql_list_user[] =
    "SELECT " SESSION_COLS " FROM sessions WHERE tenant = $1 AND user_token = $2 "
    "AND expires > $3 ORDER BY created, id";
static const char sql_delete_user[] =
    "DELETE FROM sessions WHERE tenant = $1 AND user_token = $2";
static const char sql_purge[] =
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE tenant = $1 "
    "AND expires <= $2 LIMIT $3)";
static const char sql_tenants[] = "SELECT id FROM tenants ORDER BY id";

static enum bk_err
read_row(const PGresult *r, int i, void *arg)
{
    struct session_row *out = arg;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    if (PQgetlength(r, i, 2) != STORE_HASH_LEN)
        return BK_ECORRUPT;
    memcpy(out->sid_hash, PQgetvalue(r, i, 2), STORE_HASH_LEN);
    pg_col_text(r, i, 3, out->user_token, sizeof out->user_token);
    out->version = pg_col_int(r, i, 6);
    out->created = pg_col_int(r, i, 7);
    out->updated = pg_col_int(r, i, 8);
    out->expires = pg_col_int(r, i, 9);
    out->final = pg_col_int(r, i, 10);
    err = pg_col_blob(r, i, 4, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = pg_col_blob(r, i, 5, &out->body, &out->body_len);
    if (err != BK_OK)
        store_session_row_cleanup(out);
    return err;
}

static enum bk_err
se_get(void *conn, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN],
       struct session_row *out)
{
    struct pg_params p = { 0 };

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_blob(&p, sid_hash, STORE_HASH_LEN);
    return pg_run_row(conn, tenant, sql_get, &p, read_row, out);
}

static enum bk_err
se_put(void *conn, const struct session_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_blob(&p, row->sid_hash, STORE_HASH_LEN);
    pgp_text(&p, row->user_token[0] != '\0' ? row->user_token : NULL);
    pgp_blob(&p, row->dek, row->dek_len);
    pgp_blob(&p, row->body, row->body_len);
    pgp_int(&p, row->version);
    pgp_int(&p, row->created);
    pgp_int(&p, row->updated);
    pgp_int(&p, row->expires);
    pgp_int(&p, row->final);
    return pg_exec(conn, row->tenant, sql_put, &p, NULL);
}

static enum bk_err
se_remove(void *conn, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN])
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_blob(&p, sid_hash, STORE_HASH_LEN);
    return pg_exec_found(conn, tenant, sql_remove, &p);
}

static enum bk_err
se_list_user(void *conn, int64_t tenant, const char *user_token, int64_t now,
             store_session_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    pgp_text(&p, user_token);
    pgp_int(&p, now);
    err = pg_run(conn, tenant, sql_list_user, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct session_row row;

        err = read_row(res, i, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_session_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
se_delete_user(void *conn, int64_t tenant, const char *user_token)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_text(&p, user_token);
    return pg_exec(conn, tenant, sql_delete_user, &p, NULL);
}

/* Delete at most <limit> of <tenant>'s expired rows, adding to *deleted. */
static enum bk_err
purge_tenant(struct pg_conn *c, int64_t tenant, int64_t now, int64_t limit, int64_t *deleted)
{
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_int(&p, tenant);
    pgp_int(&p, now);
    pgp_int(&p, limit);
    err = pg_exec(c, tenant, sql_purge, &p, &n);
    if (err == BK_OK)
        *deleted += n;
    return err;
}

static enum bk_err
se_purge_expired(void *conn, int64_t now, int64_t limit, int64_t *deleted)
{
    PGresult *res = NULL;
    enum bk_err err;

    *deleted = 0;
    err = purge_tenant(conn, 0, now, limit, deleted);
    if (err == BK_OK && *deleted < limit)
        err = pg_run(conn, PG_NO_TENANT, sql_tenants, NULL, &res);
    for (int i = 0; err == BK_OK && res != NULL && i < PQntuples(res) && *deleted < limit; i++)
        err = purge_tenant(conn, pg_col_int(res, i, 0), now, limit - *deleted, deleted);
    PQclear(res);
    return err;
}

const struct store_sessions_ops pgsql_sessions_ops = {
    .get = se_get,
    .put = se_put,
    .remove = se_remove,
    .list_user = se_list_user,
    .delete_user = se_delete_user,
    .purge_expired = se_purge_expired,
};
