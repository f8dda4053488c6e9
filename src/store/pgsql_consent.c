/* The consent family on PostgreSQL: the statements of sqlite_consent.c, run
 * with the tenant set for row-level security. Names sort by code point
 * (COLLATE "C"), as SQLite's BINARY collation does. */
#include <string.h>

#include "consent.h"
#include "pgsql.h"
#include "pgsql_int.h"

#define LB_COLS "id, tenant, brief, status, doc, created, updated"
#define AG_COLS "a.id, a.tenant, a.user_id, a.lbasis_id, l.brief, u.token, a.status, " \
                "a.starttime, a.endtime, a.created, a.updated, a.version, a.sealed"
#define AG_FROM " FROM agreements a JOIN legal_basis l ON l.id = a.lbasis_id " \
                "JOIN users u ON u.id = a.user_id "
#define PA_COLS "id, tenant, activity, doc, created, updated"

static const char sql_lb_get[] =
    "SELECT " LB_COLS " FROM legal_basis WHERE tenant = $1 AND brief = $2";
static const char sql_lb_insert[] =
    "INSERT INTO legal_basis (tenant, brief, status, doc, created, updated) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char sql_lb_update[] =
    "UPDATE legal_basis SET brief = $3, status = $4, doc = $5, updated = $6 "
    "WHERE tenant = $1 AND id = $2";
static const char sql_lb_delete[] = "DELETE FROM legal_basis WHERE tenant = $1 AND id = $2";
static const char sql_lb_list[] =
    "SELECT " LB_COLS " FROM legal_basis WHERE tenant = $1 ORDER BY brief COLLATE \"C\"";

static const char sql_ag_get[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = $1 AND a.user_id = $2 AND a.lbasis_id = $3";
static const char sql_ag_put[] =
    "INSERT INTO agreements (tenant, user_id, lbasis_id, status, starttime, endtime, created, "
    "updated, version, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (tenant, user_id, lbasis_id) DO UPDATE SET status = excluded.status, "
    "starttime = excluded.starttime, endtime = excluded.endtime, updated = excluded.updated, "
    "version = excluded.version, sealed = excluded.sealed";
static const char sql_ag_list_user[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = $1 AND a.user_id = $2 "
    "ORDER BY l.brief COLLATE \"C\"";
static const char sql_ag_list_lbasis[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = $1 AND a.lbasis_id = $2 AND a.status = $3 "
    "ORDER BY a.id";
static const char sql_ag_set_status[] =
    "UPDATE agreements SET status = $4, updated = $5 "
    "WHERE tenant = $1 AND lbasis_id = $2 AND status = $3";
static const char sql_ag_count[] =
    "SELECT count(*) FROM agreements WHERE tenant = $1 AND lbasis_id = $2";
static const char sql_ag_delete_user[] =
    "DELETE FROM agreements WHERE tenant = $1 AND user_id = $2";

static const char sql_pa_get[] =
    "SELECT " PA_COLS " FROM pactivity WHERE tenant = $1 AND activity = $2";
static const char sql_pa_insert[] =
    "INSERT INTO pactivity (tenant, activity, doc, created, updated) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
static const char sql_pa_update[] =
    "UPDATE pactivity SET activity = $3, doc = $4, updated = $5 WHERE tenant = $1 AND id = $2";
static const char sql_pa_delete[] = "DELETE FROM pactivity WHERE tenant = $1 AND id = $2";
static const char sql_pa_list[] =
    "SELECT " PA_COLS " FROM pactivity WHERE tenant = $1 ORDER BY activity COLLATE \"C\"";
static const char sql_pa_link[] =
    "INSERT INTO pactivity_lbasis (tenant, activity_id, lbasis_id) VALUES ($1, $2, $3) "
    "ON CONFLICT (activity_id, lbasis_id) DO NOTHING";
static const char sql_pa_unlink[] =
    "DELETE FROM pactivity_lbasis WHERE tenant = $1 AND activity_id = $2 AND lbasis_id = $3";
static const char sql_pa_unlink_lbasis[] =
    "DELETE FROM pactivity_lbasis WHERE tenant = $1 AND lbasis_id = $2";
static const char sql_pa_links[] =
    "SELECT p.activity_id, l.brief FROM pactivity_lbasis p "
    "JOIN legal_basis l ON l.id = p.lbasis_id WHERE p.tenant = $1 "
    "ORDER BY p.activity_id, l.brief COLLATE \"C\"";

/* A new NUL-terminated copy of text column <col> (mem_free()). */
static enum bk_err
col_strdup(const PGresult *r, int row, int col, char **out)
{
    uint8_t *b = NULL;
    size_t n = 0;
    enum bk_err err = pg_col_blob(r, row, col, &b, &n);

    *out = NULL;
    if (err != BK_OK)
        return err;
    if (b == NULL) {
        *out = mem_strdup("");
        return *out ? BK_OK : BK_ENOMEM;
    }
    b[n] = '\0';
    *out = (char *)b;
    return BK_OK;
}

/* Run <sql> (tenant = $1, id = $2) expecting no row. */
static enum bk_err
by_tenant_id(struct pg_conn *c, const char *sql, int64_t tenant, int64_t id, int64_t *n)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    return pg_exec(c, tenant, sql, &p, n);
}

/* Run an INSERT ... RETURNING id. */
static enum bk_err
insert_id(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
          int64_t *id)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    if (err == BK_OK)
        *id = PQntuples(res) > 0 ? pg_col_int(res, 0, 0) : 0;
    PQclear(res);
    return err;
}

/* ---------------------------------------------------------------- legal bases */

static enum bk_err
read_lbasis(const PGresult *r, int i, void *arg)
{
    struct lbasis_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    pg_col_text(r, i, 2, out->brief, sizeof out->brief);
    pg_col_text(r, i, 3, out->status, sizeof out->status);
    out->created = pg_col_int(r, i, 5);
    out->updated = pg_col_int(r, i, 6);
    return col_strdup(r, i, 4, &out->doc);
}

static enum bk_err
pc_lb_get(void *conn, int64_t tenant, const char *brief, struct lbasis_row *out)
{
    struct pg_params p = { 0 };
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_text(&p, brief);
    err = pg_run_row(conn, tenant, sql_lb_get, &p, read_lbasis, out);
    if (err != BK_OK)
        store_lbasis_row_cleanup(out);
    return err;
}

static enum bk_err
pc_lb_insert(void *conn, struct lbasis_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_text(&p, row->brief);
    pgp_text(&p, row->status);
    pgp_text(&p, row->doc);
    pgp_int(&p, row->created);
    pgp_int(&p, row->updated);
    return insert_id(conn, row->tenant, sql_lb_insert, &p, &row->id);
}

static enum bk_err
pc_lb_update(void *conn, const struct lbasis_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_int(&p, row->id);
    pgp_text(&p, row->brief);
    pgp_text(&p, row->status);
    pgp_text(&p, row->doc);
    pgp_int(&p, row->updated);
    return pg_exec_found(conn, row->tenant, sql_lb_update, &p);
}

static enum bk_err
pc_lb_delete(void *conn, int64_t tenant, int64_t id)
{
    return by_tenant_id(conn, sql_lb_delete, tenant, id, NULL);
}

static enum bk_err
pc_lb_list(void *conn, int64_t tenant, store_lbasis_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    err = pg_run(conn, tenant, sql_lb_list, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct lbasis_row row;

        err = read_lbasis(res, i, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_lbasis_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

/* ---------------------------------------------------------------- agreements */

static enum bk_err
read_agreement(const PGresult *r, int i, void *arg)
{
    struct agreement_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    out->user_id = pg_col_int(r, i, 2);
    out->lbasis_id = pg_col_int(r, i, 3);
    pg_col_text(r, i, 4, out->brief, sizeof out->brief);
    pg_col_text(r, i, 5, out->user_token, sizeof out->user_token);
    pg_col_text(r, i, 6, out->status, sizeof out->status);
    out->starttime = pg_col_int(r, i, 7);
    out->endtime = pg_col_int(r, i, 8);
    out->created = pg_col_int(r, i, 9);
    out->updated = pg_col_int(r, i, 10);
    out->version = pg_col_int(r, i, 11);
    return pg_col_blob(r, i, 12, &out->sealed, &out->sealed_len);
}

/* Run an agreement query, calling <fn> for each row. */
static enum bk_err
list_agreements(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
                store_agreement_fn fn, void *arg)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct agreement_row row;

        err = read_agreement(res, i, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_agreement_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
pc_ag_get(void *conn, int64_t tenant, int64_t user_id, int64_t lbasis_id,
          struct agreement_row *out)
{
    struct pg_params p = { 0 };
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    pgp_int(&p, lbasis_id);
    err = pg_run_row(conn, tenant, sql_ag_get, &p, read_agreement, out);
    if (err != BK_OK)
        store_agreement_row_cleanup(out);
    return err;
}

static enum bk_err
pc_ag_put(void *conn, const struct agreement_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_int(&p, row->user_id);
    pgp_int(&p, row->lbasis_id);
    pgp_text(&p, row->status);
    pgp_int(&p, row->starttime);
    pgp_int(&p, row->endtime);
    pgp_int(&p, row->created);
    pgp_int(&p, row->updated);
    pgp_int(&p, row->version);
    pgp_blob(&p, row->sealed, row->sealed_len);
    return pg_exec(conn, row->tenant, sql_ag_put, &p, NULL);
}

static enum bk_err
pc_ag_list_user(void *conn, int64_t tenant, int64_t user_id, store_agreement_fn fn, void *arg)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    return list_agreements(conn, tenant, sql_ag_list_user, &p, fn, arg);
}

static enum bk_err
pc_ag_list_lbasis(void *conn, int64_t tenant, int64_t lbasis_id, const char *status,
                  store_agreement_fn fn, void *arg)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, lbasis_id);
    pgp_text(&p, status);
    return list_agreements(conn, tenant, sql_ag_list_lbasis, &p, fn, arg);
}

static enum bk_err
pc_ag_set_status(void *conn, int64_t tenant, int64_t lbasis_id, const char *from,
                 const char *to, int64_t when)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, lbasis_id);
    pgp_text(&p, from);
    pgp_text(&p, to);
    pgp_int(&p, when);
    return pg_exec(conn, tenant, sql_ag_set_status, &p, NULL);
}

static enum bk_err
pc_ag_count(void *conn, int64_t tenant, int64_t lbasis_id, int64_t *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    *out = 0;
    pgp_int(&p, tenant);
    pgp_int(&p, lbasis_id);
    err = pg_run(conn, tenant, sql_ag_count, &p, &res);
    if (err == BK_OK && PQntuples(res) > 0)
        *out = pg_col_int(res, 0, 0);
    PQclear(res);
    return err;
}

static enum bk_err
pc_ag_delete_user(void *conn, int64_t tenant, int64_t user_id)
{
    return by_tenant_id(conn, sql_ag_delete_user, tenant, user_id, NULL);
}

/* ---------------------------------------------------------------- activities */

static enum bk_err
read_pactivity(const PGresult *r, int i, void *arg)
{
    struct pactivity_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    pg_col_text(r, i, 2, out->activity, sizeof out->activity);
    out->created = pg_col_int(r, i, 4);
    out->updated = pg_col_int(r, i, 5);
    return col_strdup(r, i, 3, &out->doc);
}

static enum bk_err
pc_pa_get(void *conn, int64_t tenant, const char *activity, struct pactivity_row *out)
{
    struct pg_params p = { 0 };
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_text(&p, activity);
    err = pg_run_row(conn, tenant, sql_pa_get, &p, read_pactivity, out);
    if (err != BK_OK)
        store_pactivity_row_cleanup(out);
    return err;
}

static enum bk_err
pc_pa_insert(void *conn, struct pactivity_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_text(&p, row->activity);
    pgp_text(&p, row->doc);
    pgp_int(&p, row->created);
    pgp_int(&p, row->updated);
    return insert_id(conn, row->tenant, sql_pa_insert, &p, &row->id);
}

static enum bk_err
pc_pa_update(void *conn, const struct pactivity_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_int(&p, row->id);
    pgp_text(&p, row->activity);
    pgp_text(&p, row->doc);
    pgp_int(&p, row->updated);
    return pg_exec_found(conn, row->tenant, sql_pa_update, &p);
}

static enum bk_err
pc_pa_delete(void *conn, int64_t tenant, int64_t id)
{
    return by_tenant_id(conn, sql_pa_delete, tenant, id, NULL);
}

static enum bk_err
pc_pa_list(void *conn, int64_t tenant, store_pactivity_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    err = pg_run(conn, tenant, sql_pa_list, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct pactivity_row row;

        err = read_pactivity(res, i, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_pactivity_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
link_stmt(struct pg_conn *c, const char *sql, int64_t tenant, int64_t activity_id,
          int64_t lbasis_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, activity_id);
    pgp_int(&p, lbasis_id);
    return pg_exec(c, tenant, sql, &p, NULL);
}

static enum bk_err
pc_pa_link(void *conn, int64_t tenant, int64_t activity_id, int64_t lbasis_id)
{
    return link_stmt(conn, sql_pa_link, tenant, activity_id, lbasis_id);
}

static enum bk_err
pc_pa_unlink(void *conn, int64_t tenant, int64_t activity_id, int64_t lbasis_id)
{
    return link_stmt(conn, sql_pa_unlink, tenant, activity_id, lbasis_id);
}

static enum bk_err
pc_pa_unlink_lbasis(void *conn, int64_t tenant, int64_t lbasis_id)
{
    return by_tenant_id(conn, sql_pa_unlink_lbasis, tenant, lbasis_id, NULL);
}

static enum bk_err
pc_pa_links(void *conn, int64_t tenant, store_pactivity_link_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    err = pg_run(conn, tenant, sql_pa_links, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        char brief[STORE_CONSENT_NAME_MAX + 1];

        pg_col_text(res, i, 1, brief, sizeof brief);
        err = fn(arg, pg_col_int(res, i, 0), brief);
    }
    PQclear(res);
    return err;
}

const struct store_consent_ops pgsql_consent_ops = {
    .lbasis_get = pc_lb_get,
    .lbasis_insert = pc_lb_insert,
    .lbasis_update = pc_lb_update,
    .lbasis_delete = pc_lb_delete,
    .lbasis_list = pc_lb_list,
    .agreement_get = pc_ag_get,
    .agreement_put = pc_ag_put,
    .agreement_list_user = pc_ag_list_user,
    .agreement_list_lbasis = pc_ag_list_lbasis,
    .agreement_set_status_lbasis = pc_ag_set_status,
    .agreement_count_lbasis = pc_ag_count,
    .agreement_delete_user = pc_ag_delete_user,
    .pactivity_get = pc_pa_get,
    .pactivity_insert = pc_pa_insert,
    .pactivity_update = pc_pa_update,
    .pactivity_delete = pc_pa_delete,
    .pactivity_list = pc_pa_list,
    .pactivity_link = pc_pa_link,
    .pactivity_unlink = pc_pa_unlink,
    .pactivity_unlink_lbasis = pc_pa_unlink_lbasis,
    .pactivity_list_links = pc_pa_links,
};
