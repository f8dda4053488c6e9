/* The integrity checks' store family (store/proof.h) on PostgreSQL: the
 * audit trail in chain order and the signed chain heads (migration 0009).
 * Row-level security shows one tenant at a time, so the scans over every
 * tenant walk the tenant registry (pg_for_tenants). */
#include <string.h>

#include "../base/mem.h"
#include "pgsql.h"
#include "pgsql_int.h"
#include "proof.h"

static const char sql_audit_scan[] =
    "SELECT id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, "
    "prev_hash, hash FROM audit WHERE tenant = $1 ORDER BY id";
static const char sql_head_get[] = "SELECT hash, mac FROM audit_head WHERE tenant = $1";
static const char sql_head_put[] =
    "INSERT INTO audit_head (tenant, hash, mac) VALUES ($1, $2, $3) "
    "ON CONFLICT (tenant) DO UPDATE SET hash = excluded.hash, mac = excluded.mac";
static const char sql_head_scan[] = "SELECT tenant, hash, mac FROM audit_head WHERE tenant = $1";

struct scan {
    struct pg_conn *c;
    store_audit_fn audit_fn;
    store_head_fn head_fn;
    void *arg;
};

static enum bk_err
read_audit(const PGresult *r, int i, struct audit_row *out)
{
    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    pg_col_text(r, i, 2, out->atoken, sizeof out->atoken);
    pg_col_text(r, i, 3, out->record, sizeof out->record);
    out->when = pg_col_int(r, i, 4);
    pg_col_text(r, i, 5, out->action, sizeof out->action);
    pg_col_text(r, i, 6, out->who, sizeof out->who);
    pg_col_text(r, i, 7, out->mode, sizeof out->mode);
    pg_col_text(r, i, 8, out->status, sizeof out->status);
    pg_col_text(r, i, 9, out->msg, sizeof out->msg);
    if (PQgetlength(r, i, 11) == STORE_HASH_LEN)
        memcpy(out->prev_hash, PQgetvalue(r, i, 11), STORE_HASH_LEN);
    if (PQgetlength(r, i, 12) == STORE_HASH_LEN)
        memcpy(out->hash, PQgetvalue(r, i, 12), STORE_HASH_LEN);
    return pg_col_blob(r, i, 10, &out->sealed, &out->sealed_len);
}

static enum bk_err
audit_scan_tenant(void *arg, int64_t tenant)
{
    struct scan *s = arg;
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    err = pg_run(s->c, tenant, sql_audit_scan, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct audit_row row;

        err = read_audit(res, i, &row);
        if (err == BK_OK)
            err = s->audit_fn(s->arg, &row);
        store_audit_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
audit_scan(void *conn, store_audit_fn fn, void *arg)
{
    struct scan s = { .c = conn, .audit_fn = fn, .arg = arg };

    return pg_for_tenants(conn, audit_scan_tenant, &s);
}

/* Copy a 32-byte bytea column; a stored value of another length reads as
 * zeros, which no MAC check accepts. */
static void
col_hash(const PGresult *r, int i, int col, uint8_t out[STORE_HASH_LEN])
{
    memset(out, 0, STORE_HASH_LEN);
    if (PQgetlength(r, i, col) == STORE_HASH_LEN)
        memcpy(out, PQgetvalue(r, i, col), STORE_HASH_LEN);
}

static enum bk_err
head_get(void *conn, int64_t tenant, struct audit_head *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->tenant = tenant;
    pgp_int(&p, tenant);
    err = pg_run(conn, tenant, sql_head_get, &p, &res);
    if (err == BK_OK && PQntuples(res) == 0)
        err = BK_ENOTFOUND;
    if (err == BK_OK) {
        col_hash(res, 0, 0, out->hash);
        col_hash(res, 0, 1, out->mac);
    }
    PQclear(res);
    return err;
}

static enum bk_err
head_put(void *conn, const struct audit_head *head)
{
    struct pg_params p = { 0 };

    pgp_int(&p, head->tenant);
    pgp_blob(&p, head->hash, STORE_HASH_LEN);
    pgp_blob(&p, head->mac, STORE_HASH_LEN);
    return pg_exec(conn, head->tenant, sql_head_put, &p, NULL);
}

static enum bk_err
head_scan_tenant(void *arg, int64_t tenant)
{
    struct scan *s = arg;
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    err = pg_run(s->c, tenant, sql_head_scan, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct audit_head h;

        h.tenant = pg_col_int(res, i, 0);
        col_hash(res, i, 1, h.hash);
        col_hash(res, i, 2, h.mac);
        err = s->head_fn(s->arg, &h);
    }
    PQclear(res);
    return err;
}

static enum bk_err
head_scan(void *conn, store_head_fn fn, void *arg)
{
    struct scan s = { .c = conn, .head_fn = fn, .arg = arg };

    return pg_for_tenants(conn, head_scan_tenant, &s);
}

const struct store_proof_ops pgsql_proof_ops = {
    .audit_scan = audit_scan,
    .head_get = head_get,
    .head_put = head_put,
    .head_scan = head_scan,
};
