/* The shared family on PostgreSQL (shared_records). Expired rows are purged
 * tenant by tenant (pg_for_tenants): row-level security shows one tenant's
 * rows at a time. */
#include <string.h>

#include "pgsql.h"
#include "pgsql_int.h"
#include "shared.h"

static const char sql_insert[] =
    "INSERT INTO shared_records (tenant, hash, user_id, record, created, expires, body) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char sql_get[] =
    "SELECT tenant, hash, user_id, record, created, expires, body FROM shared_records "
    "WHERE tenant = $1 AND hash = $2";
static const char sql_purge_expired[] =
    "DELETE FROM shared_records WHERE tenant = $2 AND expires <= $1";
static const char sql_purge_user[] =
    "DELETE FROM shared_records WHERE tenant = $1 AND user_id = $2";

static enum bk_err
s_insert(void *conn, const struct shared_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_blob(&p, row->hash, STORE_HASH_LEN);
    pgp_int(&p, row->user_id);
    pgp_text(&p, row->record);
    pgp_int(&p, row->created);
    pgp_int(&p, row->expires);
    pgp_blob(&p, row->body ? row->body : (const uint8_t *)"", row->body_len);
    return pg_exec(conn, row->tenant, sql_insert, &p, NULL);
}

static enum bk_err
read_row(const PGresult *r, int i, void *arg)
{
    struct shared_row *out = arg;

    out->tenant = pg_col_int(r, i, 0);
    if (PQgetlength(r, i, 1) == STORE_HASH_LEN)
        memcpy(out->hash, PQgetvalue(r, i, 1), STORE_HASH_LEN);
    out->user_id = pg_col_int(r, i, 2);
    pg_col_text(r, i, 3, out->record, sizeof out->record);
    out->created = pg_col_int(r, i, 4);
    out->expires = pg_col_int(r, i, 5);
    return pg_col_blob(r, i, 6, &out->body, &out->body_len);
}

static enum bk_err
s_get(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN], struct shared_row *out)
{
    struct pg_params p = { 0 };

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    return pg_run_row(conn, tenant, sql_get, &p, read_row, out);
}

struct purge {
    struct pg_conn *c;
    int64_t now;
    int64_t removed;
};

static enum bk_err
purge_tenant(void *arg, int64_t tenant)
{
    struct purge *pu = arg;
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_int(&p, pu->now);
    pgp_int(&p, tenant);
    err = pg_exec(pu->c, tenant, sql_purge_expired, &p, &n);
    pu->removed += n;
    return err;
}

static enum bk_err
s_purge_expired(void *conn, int64_t now, int64_t *removed)
{
    struct purge pu = { .c = conn, .now = now };
    enum bk_err err = pg_for_tenants(conn, purge_tenant, &pu);

    *removed = err == BK_OK ? pu.removed : 0;
    return err;
}

static enum bk_err
s_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    return pg_exec(conn, tenant, sql_purge_user, &p, NULL);
}

const struct store_shared_ops pgsql_shared_ops = {
    .insert = s_insert,
    .get = s_get,
    .purge_expired = s_purge_expired,
    .purge_user = s_purge_user,
};
