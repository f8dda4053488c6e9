/* The expiry family on PostgreSQL (user_expiry). The due listing spans all
 * tenants: it asks each tenant in turn (pg_for_tenants), since row-level
 * security shows one tenant's rows at a time. */
#include <string.h>

#include "expiry.h"
#include "pgsql.h"
#include "pgsql_int.h"

#define EXPIRY_COLS "user_id, tenant, record, state, sliding, finaltime, endtime, touched, " \
                    "exptoken_hash, exptoken_box"

static const char sql_get[] =
    "SELECT " EXPIRY_COLS " FROM user_expiry WHERE tenant = $1 AND user_id = $2";
static const char sql_by_token[] =
    "SELECT " EXPIRY_COLS " FROM user_expiry WHERE tenant = $1 AND exptoken_hash = $2";
static const char sql_put[] =
    "INSERT INTO user_expiry (" EXPIRY_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, sliding = excluded.sliding, "
    "finaltime = excluded.finaltime, endtime = excluded.endtime, touched = excluded.touched, "
    "exptoken_hash = excluded.exptoken_hash, exptoken_box = excluded.exptoken_box "
    "WHERE user_expiry.tenant = excluded.tenant";
static const char sql_due[] =
    "SELECT e.tenant, u.token, e.user_id FROM user_expiry AS e JOIN users AS u ON u.id = e.user_id "
    "WHERE e.tenant = $3 AND ((e.state = 1 AND e.endtime > 0 AND e.endtime <= $1) "
    "OR e.state = 3) AND u.status = 1 "
    "ORDER BY e.endtime LIMIT $2";

static enum bk_err
read_row(const PGresult *r, int i, void *arg)
{
    struct expiry_row *out = arg;

    out->user_id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    pg_col_text(r, i, 2, out->record, sizeof out->record);
    out->state = (int)pg_col_int(r, i, 3);
    out->sliding = pg_col_int(r, i, 4);
    out->finaltime = pg_col_int(r, i, 5);
    out->endtime = pg_col_int(r, i, 6);
    out->touched = pg_col_int(r, i, 7);
    if (!PQgetisnull(r, i, 8) && PQgetlength(r, i, 8) == STORE_HASH_LEN) {
        memcpy(out->exptoken_hash, PQgetvalue(r, i, 8), STORE_HASH_LEN);
        out->has_exptoken = 1;
    }
    return pg_col_blob(r, i, 9, &out->exptoken_box, &out->exptoken_box_len);
}

static enum bk_err
one_row(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
        struct expiry_row *out)
{
    memset(out, 0, sizeof *out);
    return pg_run_row(c, tenant, sql, p, read_row, out);
}

static enum bk_err
e_get(void *conn, int64_t tenant, int64_t user_id, struct expiry_row *out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    return one_row(conn, tenant, sql_get, &p, out);
}

static enum bk_err
e_by_exptoken(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
              struct expiry_row *out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    return one_row(conn, tenant, sql_by_token, &p, out);
}

static enum bk_err
e_put(void *conn, const struct expiry_row *row)
{
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_int(&p, row->user_id);
    pgp_int(&p, row->tenant);
    pgp_text(&p, row->record);
    pgp_int(&p, row->state);
    pgp_int(&p, row->sliding);
    pgp_int(&p, row->finaltime);
    pgp_int(&p, row->endtime);
    pgp_int(&p, row->touched);
    pgp_blob(&p, row->has_exptoken ? row->exptoken_hash : NULL, STORE_HASH_LEN);
    pgp_blob(&p, row->exptoken_box, row->exptoken_box_len);
    err = pg_exec(conn, row->tenant, sql_put, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ECONFLICT;
    return err;
}

struct due {
    struct pg_conn *c;
    int64_t now;
    struct expiry_due *out;
    size_t max;
    size_t n;
};

static enum bk_err
due_tenant(void *arg, int64_t tenant)
{
    struct due *d = arg;
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    if (d->n >= d->max)
        return BK_OK;
    pgp_int(&p, d->now);
    pgp_int(&p, (int64_t)(d->max - d->n));
    pgp_int(&p, tenant);
    err = pg_run(d->c, tenant, sql_due, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res) && d->n < d->max; i++) {
        struct expiry_due *e = &d->out[d->n++];

        e->tenant = pg_col_int(res, i, 0);
        pg_col_text(res, i, 1, e->token, sizeof e->token);
        e->user_id = pg_col_int(res, i, 2);
    }
    PQclear(res);
    return err;
}

static enum bk_err
e_due(void *conn, int64_t now, struct expiry_due *out, size_t max, size_t *n_out)
{
    struct due d = { .c = conn, .now = now, .out = out, .max = max };
    enum bk_err err = pg_for_tenants(conn, due_tenant, &d);

    *n_out = err == BK_OK ? d.n : 0;
    return err;
}

const struct store_expiry_ops pgsql_expiry_ops = {
    .get = e_get,
    .by_exptoken = e_by_exptoken,
    .put = e_put,
    .due = e_due,
};
