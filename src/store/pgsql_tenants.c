/* The tenants family on PostgreSQL. The registry is global; removing a
 * tenant deletes its rows with app.tenant set to it, as row-level security
 * requires. */
#include <string.h>

#include "pgsql.h"
#include "pgsql_int.h"
#include "tenants.h"

#define TENANT_COLS "id, name, org, salt, admin_hash, created"

static const char sql_insert[] =
    "INSERT INTO tenants (name, org, salt, admin_hash, created) VALUES ($1, $2, $3, $4, $5) "
    "RETURNING id";
static const char sql_by_id[] = "SELECT " TENANT_COLS " FROM tenants WHERE id = $1";
static const char sql_by_name[] = "SELECT " TENANT_COLS " FROM tenants WHERE name = $1";
static const char sql_by_admin[] = "SELECT " TENANT_COLS " FROM tenants WHERE admin_hash = $1";
static const char sql_update[] =
    "UPDATE tenants SET name = coalesce($2, name), org = coalesce($3, org) WHERE id = $1";
static const char sql_count[] = "SELECT count(*) FROM tenants";
static const char sql_list[] =
    "SELECT " TENANT_COLS " FROM tenants ORDER BY id LIMIT $1 OFFSET $2";
#define RM_SQL(t) "DELETE FROM " #t " WHERE tenant = $1",
/* run with app.tenant set to the tenant, as row-level security requires */
static const char *const sql_remove[] = { STORE_TENANT_TABLES(RM_SQL) };
static const char sql_rm_tenant[] = "DELETE FROM tenants WHERE id = $1";

static void
read_row(const PGresult *r, int i, struct tenant_row *out)
{
    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    pg_col_text(r, i, 1, out->name, sizeof out->name);
    pg_col_text(r, i, 2, out->org, sizeof out->org);
    if (PQgetlength(r, i, 3) == STORE_HASH_LEN)
        memcpy(out->salt, PQgetvalue(r, i, 3), STORE_HASH_LEN);
    if (PQgetlength(r, i, 4) == STORE_HASH_LEN)
        memcpy(out->admin_hash, PQgetvalue(r, i, 4), STORE_HASH_LEN);
    out->created = pg_col_int(r, i, 5);
}

static enum bk_err
one_row(struct pg_conn *c, const char *sql, const struct pg_params *p, struct tenant_row *out)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, PG_NO_TENANT, sql, p, &res);

    memset(out, 0, sizeof *out);
    if (err == BK_OK) {
        if (PQntuples(res) > 0)
            read_row(res, 0, out);
        else
            err = BK_ENOTFOUND;
    }
    PQclear(res);
    return err;
}

static enum bk_err
t_insert(void *conn, struct tenant_row *row)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_text(&p, row->name);
    pgp_text(&p, row->org);
    pgp_blob(&p, row->salt, STORE_HASH_LEN);
    pgp_blob(&p, row->admin_hash, STORE_HASH_LEN);
    pgp_int(&p, row->created);
    err = pg_run(conn, PG_NO_TENANT, sql_insert, &p, &res);
    if (err == BK_OK)
        row->id = PQntuples(res) > 0 ? pg_col_int(res, 0, 0) : 0;
    PQclear(res);
    return err;
}

static enum bk_err
t_by_id(void *conn, int64_t id, struct tenant_row *out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, id);
    return one_row(conn, sql_by_id, &p, out);
}

static enum bk_err
t_by_name(void *conn, const char *name, struct tenant_row *out)
{
    struct pg_params p = { 0 };

    pgp_text(&p, name);
    return one_row(conn, sql_by_name, &p, out);
}

static enum bk_err
t_by_admin(void *conn, const uint8_t hash[STORE_HASH_LEN], struct tenant_row *out)
{
    struct pg_params p = { 0 };

    pgp_blob(&p, hash, STORE_HASH_LEN);
    return one_row(conn, sql_by_admin, &p, out);
}

static enum bk_err
t_update(void *conn, int64_t id, const char *name, const char *org)
{
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_int(&p, id);
    pgp_text(&p, name);
    pgp_text(&p, org);
    err = pg_exec(conn, PG_NO_TENANT, sql_update, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ENOTFOUND;
    return err;
}

static enum bk_err
t_list(void *conn, int64_t offset, int64_t limit, int64_t *total, store_tenant_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    *total = 0;
    err = pg_run(conn, PG_NO_TENANT, sql_count, NULL, &res);
    if (err == BK_OK && PQntuples(res) > 0)
        *total = pg_col_int(res, 0, 0);
    PQclear(res);
    res = NULL;
    if (err != BK_OK)
        return err;
    pgp_int(&p, limit);
    pgp_int(&p, offset);
    err = pg_run(conn, PG_NO_TENANT, sql_list, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct tenant_row row;

        read_row(res, i, &row);
        err = fn(arg, &row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
t_remove(void *conn, int64_t id)
{
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err = BK_OK;

    pgp_int(&p, id);
    for (size_t i = 0; i < sizeof sql_remove / sizeof sql_remove[0] && err == BK_OK; i++)
        err = pg_exec(conn, id, sql_remove[i], &p, NULL);
    if (err == BK_OK)
        err = pg_exec(conn, PG_NO_TENANT, sql_rm_tenant, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ENOTFOUND;
    return err;
}

const struct store_tenants_ops pgsql_tenants_ops = {
    .insert = t_insert,
    .by_id = t_by_id,
    .by_name = t_by_name,
    .by_admin = t_by_admin,
    .update = t_update,
    .list = t_list,
    .remove = t_remove,
};
