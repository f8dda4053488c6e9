/* The portal family (store/portal.h) on PostgreSQL: login codes, portal
 * sessions and rate counters, as in sqlite_portal.c. Every statement runs
 * with its tenant set (row-level security); the expiry sweep visits the
 * tenants one by one. */
#include <string.h>

#include "pgsql.h"
#include "pgsql_int.h"
#include "portal.h"

static const char sql_code_put[] =
    "INSERT INTO portal_codes (tenant, ident_hash, user_token, code_hash, created, expires, "
    "attempts) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant, ident_hash) DO UPDATE "
    "SET user_token = excluded.user_token, code_hash = excluded.code_hash, "
    "created = excluded.created, expires = excluded.expires, attempts = excluded.attempts";
static const char sql_code_get[] =
    "SELECT user_token, code_hash, created, expires, attempts FROM portal_codes "
    "WHERE tenant = $1 AND ident_hash = $2";
static const char sql_code_attempt[] =
    "UPDATE portal_codes SET attempts = attempts + 1 WHERE tenant = $1 AND ident_hash = $2";
static const char sql_code_remove[] =
    "DELETE FROM portal_codes WHERE tenant = $1 AND ident_hash = $2";
static const char sql_session_put[] =
    "INSERT INTO portal_sessions (tenant, token_hash, user_token, created, expires) "
    "VALUES ($1, $2, $3, $4, $5)";
static const char sql_session_get[] =
    "SELECT user_token FROM portal_sessions WHERE tenant = $1 AND token_hash = $2 "
    "AND expires > $3";
static const char sql_session_remove[] =
    "DELETE FROM portal_sessions WHERE tenant = $1 AND token_hash = $2";
static const char sql_delete_user_codes[] =
    "DELETE FROM portal_codes WHERE tenant = $1 AND user_token = $2";
static const char sql_delete_user_sessions[] =
    "DELETE FROM portal_sessions WHERE tenant = $1 AND user_token = $2";
static const char sql_hit[] =
    "INSERT INTO portal_hits (tenant, key_hash, window_start, count) VALUES ($1, $2, $3, 1) "
    "ON CONFLICT (tenant, key_hash) DO UPDATE SET "
    "count = CASE WHEN portal_hits.window_start <= $3 - $4 THEN 1 "
    "ELSE portal_hits.count + 1 END, "
    "window_start = CASE WHEN portal_hits.window_start <= $3 - $4 THEN $3 "
    "ELSE portal_hits.window_start END "
    "RETURNING count";
static const char sql_purge_codes[] =
    "DELETE FROM portal_codes WHERE id IN (SELECT id FROM portal_codes WHERE tenant = $1 "
    "AND expires <= $2 LIMIT $3)";
static const char sql_purge_sessions[] =
    "DELETE FROM portal_sessions WHERE id IN (SELECT id FROM portal_sessions "
    "WHERE tenant = $1 AND expires <= $2 LIMIT $3)";
static const char sql_purge_hits[] =
    "DELETE FROM portal_hits WHERE tenant = $1 AND key_hash IN (SELECT key_hash "
    "FROM portal_hits WHERE tenant = $1 AND window_start < $2 LIMIT $3)";

static enum bk_err
po_code_put(void *conn, int64_t tenant, const struct portal_code_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_blob(&p, row->ident_hash, STORE_HASH_LEN);
    pgp_text(&p, row->user_token[0] != '\0' ? row->user_token : NULL);
    pgp_blob(&p, row->code_hash, STORE_HASH_LEN);
    pgp_int(&p, row->created);
    pgp_int(&p, row->expires);
    pgp_int(&p, row->attempts);
    return pg_exec(conn, tenant, sql_code_put, &p, NULL);
}

static enum bk_err
po_code_get(void *conn, int64_t tenant, const uint8_t ident_hash[STORE_HASH_LEN],
            struct portal_code_row *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_blob(&p, ident_hash, STORE_HASH_LEN);
    err = pg_run(conn, tenant, sql_code_get, &p, &res);
    if (err == BK_OK && PQntuples(res) == 0)
        err = BK_ENOTFOUND;
    if (err == BK_OK) {
        memcpy(out->ident_hash, ident_hash, STORE_HASH_LEN);
        pg_col_text(res, 0, 0, out->user_token, sizeof out->user_token);
        if (PQgetlength(res, 0, 1) == STORE_HASH_LEN)
            memcpy(out->code_hash, PQgetvalue(res, 0, 1), STORE_HASH_LEN);
        else
            err = BK_ECORRUPT;
        out->created = pg_col_int(res, 0, 2);
        out->expires = pg_col_int(res, 0, 3);
        out->attempts = pg_col_int(res, 0, 4);
    }
    PQclear(res);
    return err;
}

/* Run <sql> with (tenant, hash). */
static enum bk_err
by_hash(struct pg_conn *c, const char *sql, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
        int must_change)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    return must_change ? pg_exec_found(c, tenant, sql, &p) : pg_exec(c, tenant, sql, &p, NULL);
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
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_blob(&p, token_hash, STORE_HASH_LEN);
    pgp_text(&p, user_token);
    pgp_int(&p, created);
    pgp_int(&p, expires);
    return pg_exec(conn, tenant, sql_session_put, &p, NULL);
}

static enum bk_err
po_session_get(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN], int64_t now,
               char user_token_out[37])
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    user_token_out[0] = '\0';
    pgp_int(&p, tenant);
    pgp_blob(&p, token_hash, STORE_HASH_LEN);
    pgp_int(&p, now);
    err = pg_run(conn, tenant, sql_session_get, &p, &res);
    if (err == BK_OK && PQntuples(res) == 0)
        err = BK_ENOTFOUND;
    if (err == BK_OK)
        pg_col_text(res, 0, 0, user_token_out, 37);
    PQclear(res);
    return err;
}

static enum bk_err
po_session_remove(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN])
{
    return by_hash(conn, sql_session_remove, tenant, token_hash, 1);
}

static enum bk_err
delete_user_in(struct pg_conn *c, const char *sql, int64_t tenant, const char *user_token)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_text(&p, user_token);
    return pg_exec(c, tenant, sql, &p, NULL);
}

static enum bk_err
po_delete_user(void *conn, int64_t tenant, const char *user_token)
{
    enum bk_err err = delete_user_in(conn, sql_delete_user_codes, tenant, user_token);

    if (err == BK_OK)
        err = delete_user_in(conn, sql_delete_user_sessions, tenant, user_token);
    return err;
}

static enum bk_err
po_hit(void *conn, int64_t tenant, const uint8_t key_hash[STORE_HASH_LEN], int64_t now,
       int64_t window_s, int64_t *count)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    *count = 0;
    pgp_int(&p, tenant);
    pgp_blob(&p, key_hash, STORE_HASH_LEN);
    pgp_int(&p, now);
    pgp_int(&p, window_s);
    err = pg_run(conn, tenant, sql_hit, &p, &res);
    if (err == BK_OK)
        *count = PQntuples(res) > 0 ? pg_col_int(res, 0, 0) : 0;
    PQclear(res);
    return err;
}

struct purge {
    struct pg_conn *c;
    const char *sql;
    int64_t before;
    int64_t left;           /* rows this sweep may still delete */
    int64_t *deleted;
};

static enum bk_err
purge_tenant(void *arg, int64_t tenant)
{
    struct purge *pu = arg;
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    if (pu->left <= 0)
        return BK_OK;
    pgp_int(&p, tenant);
    pgp_int(&p, pu->before);
    pgp_int(&p, pu->left);
    err = pg_exec(pu->c, tenant, pu->sql, &p, &n);
    if (err == BK_OK) {
        *pu->deleted += n;
        pu->left -= n;
    }
    return err;
}

static enum bk_err
purge_one(struct pg_conn *c, const char *sql, int64_t before, int64_t limit, int64_t *deleted)
{
    struct purge pu = { .c = c, .sql = sql, .before = before, .left = limit,
                        .deleted = deleted };

    return pg_for_tenants(c, purge_tenant, &pu);
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

const struct store_portal_ops pgsql_portal_ops = {
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
