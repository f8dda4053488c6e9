/* The versions family on PostgreSQL (record_versions). Rows hold sealed
 * bytes and plain numbers only. The age pruning spans all tenants: it runs
 * once per tenant (pg_for_tenants) because row-level security shows one
 * tenant's rows at a time. */
#include <string.h>

#include "pgsql.h"
#include "pgsql_int.h"
#include "versions.h"

static const char sql_put[] =
    "INSERT INTO record_versions (tenant, kind, record, user_id, version, optime, body) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (tenant, kind, record, version) DO NOTHING";
static const char sql_get[] =
    "SELECT version, optime, body FROM record_versions "
    "WHERE tenant = $1 AND kind = $2 AND record = $3 AND version = $4";
static const char sql_list[] =
    "SELECT version, optime, body FROM record_versions "
    "WHERE tenant = $1 AND kind = $2 AND record = $3 ORDER BY version";
static const char sql_prune_count[] =
    "DELETE FROM record_versions WHERE tenant = $1 AND kind = $2 AND record = $3 "
    "AND version <= (SELECT max(version) FROM record_versions "
    "WHERE tenant = $1 AND kind = $2 AND record = $3) - $4";
static const char sql_prune_age[] =
    "DELETE FROM record_versions AS v WHERE v.tenant = $2 AND v.optime < $1 AND v.version < "
    "(SELECT max(n.version) FROM record_versions AS n WHERE n.tenant = v.tenant "
    "AND n.kind = v.kind AND n.record = v.record)";
static const char sql_purge_user[] =
    "DELETE FROM record_versions WHERE tenant = $1 AND user_id = $2";

static void
key_params(struct pg_params *p, int64_t tenant, const char *kind, const char *record)
{
    pgp_int(p, tenant);
    pgp_text(p, kind);
    pgp_text(p, record);
}

static enum bk_err
v_put(void *conn, int64_t tenant, const char *kind, const char *record, int64_t user_id,
      const struct version_row *row)
{
    struct pg_params p = { 0 };

    key_params(&p, tenant, kind, record);
    pgp_int(&p, user_id);
    pgp_int(&p, row->version);
    pgp_int(&p, row->optime);
    /* body is NOT NULL: an empty body is stored as empty bytes */
    pgp_blob(&p, row->body ? row->body : (const uint8_t *)"", row->body_len);
    return pg_exec(conn, tenant, sql_put, &p, NULL);
}

static enum bk_err
read_row(const PGresult *r, int i, void *arg)
{
    struct version_row *out = arg;

    out->version = pg_col_int(r, i, 0);
    out->optime = pg_col_int(r, i, 1);
    return pg_col_blob(r, i, 2, &out->body, &out->body_len);
}

static enum bk_err
v_get(void *conn, int64_t tenant, const char *kind, const char *record, int64_t version,
      struct version_row *out)
{
    struct pg_params p = { 0 };

    memset(out, 0, sizeof *out);
    key_params(&p, tenant, kind, record);
    pgp_int(&p, version);
    return pg_run_row(conn, tenant, sql_get, &p, read_row, out);
}

static enum bk_err
v_list(void *conn, int64_t tenant, const char *kind, const char *record, store_version_fn fn,
       void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    key_params(&p, tenant, kind, record);
    err = pg_run(conn, tenant, sql_list, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct version_row row;

        memset(&row, 0, sizeof row);
        row.version = pg_col_int(res, i, 0);
        row.optime = pg_col_int(res, i, 1);
        err = pg_col_blob(res, i, 2, &row.body, &row.body_len);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_version_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
v_prune_count(void *conn, int64_t tenant, const char *kind, const char *record, int64_t keep)
{
    struct pg_params p = { 0 };

    key_params(&p, tenant, kind, record);
    pgp_int(&p, keep);
    return pg_exec(conn, tenant, sql_prune_count, &p, NULL);
}

struct prune {
    struct pg_conn *c;
    int64_t cutoff;
    int64_t removed;
};

static enum bk_err
prune_tenant(void *arg, int64_t tenant)
{
    struct prune *pr = arg;
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_int(&p, pr->cutoff);
    pgp_int(&p, tenant);
    err = pg_exec(pr->c, tenant, sql_prune_age, &p, &n);
    pr->removed += n;
    return err;
}

static enum bk_err
v_prune_age(void *conn, int64_t cutoff, int64_t *removed)
{
    struct prune pr = { .c = conn, .cutoff = cutoff };
    enum bk_err err = pg_for_tenants(conn, prune_tenant, &pr);

    *removed = err == BK_OK ? pr.removed : 0;
    return err;
}

static enum bk_err
v_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    return pg_exec(conn, tenant, sql_purge_user, &p, NULL);
}

const struct store_versions_ops pgsql_versions_ops = {
    .put = v_put,
    .get = v_get,
    .list = v_list,
    .prune_count = v_prune_count,
    .prune_age = v_prune_age,
    .purge_user = v_purge_user,
};
