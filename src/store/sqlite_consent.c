/* SQLite rows of the consent family: legal bases, agreements, processing
 * activities and their links. Every statement is static text with bound
 * parameters and every one filters on the tenant. */
#include <string.h>

#include <sqlite3.h>

#include "consent.h"
#include "sqlite.h"
#include "sqlite_int.h"

#define LB_COLS "id, tenant, brief, status, doc, created, updated"
#define AG_COLS "a.id, a.tenant, a.user_id, a.lbasis_id, l.brief, u.token, a.status, " \
                "a.starttime, a.endtime, a.created, a.updated, a.version, a.sealed"
#define AG_FROM " FROM agreements a JOIN legal_basis l ON l.id = a.lbasis_id " \
                "JOIN users u ON u.id = a.user_id "
#define PA_COLS "id, tenant, activity, doc, created, updated"

static const char sql_lb_get[] =
    "SELECT " LB_COLS " FROM legal_basis WHERE tenant = ?1 AND brief = ?2";
static const char sql_lb_insert[] =
    "INSERT INTO legal_basis (tenant, brief, status, doc, created, updated) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_lb_update[] =
    "UPDATE legal_basis SET brief = ?3, status = ?4, doc = ?5, updated = ?6 "
    "WHERE tenant = ?1 AND id = ?2";
static const char sql_lb_delete[] = "DELETE FROM legal_basis WHERE tenant = ?1 AND id = ?2";
static const char sql_lb_list[] =
    "SELECT " LB_COLS " FROM legal_basis WHERE tenant = ?1 ORDER BY brief";

static const char sql_ag_get[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = ?1 AND a.user_id = ?2 AND a.lbasis_id = ?3";
static const char sql_ag_put[] =
    "INSERT INTO agreements (tenant, user_id, lbasis_id, status, starttime, endtime, created, "
    "updated, version, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (tenant, user_id, lbasis_id) DO UPDATE SET status = excluded.status, "
    "starttime = excluded.starttime, endtime = excluded.endtime, updated = excluded.updated, "
    "version = excluded.version, sealed = excluded.sealed";
static const char sql_ag_list_user[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = ?1 AND a.user_id = ?2 ORDER BY l.brief";
static const char sql_ag_list_lbasis[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = ?1 AND a.lbasis_id = ?2 AND a.status = ?3 "
    "ORDER BY a.id";
static const char sql_ag_set_status[] =
    "UPDATE agreements SET status = ?4, updated = ?5 "
    "WHERE tenant = ?1 AND lbasis_id = ?2 AND status = ?3";
static const char sql_ag_count[] =
    "SELECT count(*) FROM agreements WHERE tenant = ?1 AND lbasis_id = ?2";
static const char sql_ag_delete_user[] =
    "DELETE FROM agreements WHERE tenant = ?1 AND user_id = ?2";

static const char sql_pa_get[] =
    "SELECT " PA_COLS " FROM pactivity WHERE tenant = ?1 AND activity = ?2";
static const char sql_pa_insert[] =
    "INSERT INTO pactivity (tenant, activity, doc, created, updated) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_pa_update[] =
    "UPDATE pactivity SET activity = ?3, doc = ?4, updated = ?5 WHERE tenant = ?1 AND id = ?2";
static const char sql_pa_delete[] = "DELETE FROM pactivity WHERE tenant = ?1 AND id = ?2";
static const char sql_pa_list[] =
    "SELECT " PA_COLS " FROM pactivity WHERE tenant = ?1 ORDER BY activity";
static const char sql_pa_link[] =
    "INSERT INTO pactivity_lbasis (tenant, activity_id, lbasis_id) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (activity_id, lbasis_id) DO NOTHING";
static const char sql_pa_unlink[] =
    "DELETE FROM pactivity_lbasis WHERE tenant = ?1 AND activity_id = ?2 AND lbasis_id = ?3";
static const char sql_pa_unlink_lbasis[] =
    "DELETE FROM pactivity_lbasis WHERE tenant = ?1 AND lbasis_id = ?2";
static const char sql_pa_links[] =
    "SELECT p.activity_id, l.brief FROM pactivity_lbasis p "
    "JOIN legal_basis l ON l.id = p.lbasis_id WHERE p.tenant = ?1 "
    "ORDER BY p.activity_id, l.brief";

/* ---------------------------------------------------------------- legal bases */

static enum bk_err
read_lbasis(sqlite3_stmt *st, void *arg)
{
    struct lbasis_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, out->brief, sizeof out->brief);
    sq_col_text(st, 3, out->status, sizeof out->status);
    out->created = sqlite3_column_int64(st, 5);
    out->updated = sqlite3_column_int64(st, 6);
    return sq_col_strdup(st, 4, &out->doc);
}

static enum bk_err
sq_lb_get(void *conn, int64_t tenant, const char *brief, struct lbasis_row *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = sq_row_by_text(conn, sql_lb_get, tenant, brief, read_lbasis, out);
    if (err != BK_OK)
        store_lbasis_row_cleanup(out);
    return err;
}

static enum bk_err
sq_lb_insert(void *conn, struct lbasis_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_lb_insert, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sq_bind_text(st, 2, row->brief);
    sq_bind_text(st, 3, row->status);
    sq_bind_text(st, 4, row->doc);
    sqlite3_bind_int64(st, 5, row->created);
    sqlite3_bind_int64(st, 6, row->updated);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        row->id = sqlite3_last_insert_rowid(c->db);
    return err;
}

static enum bk_err
sq_lb_update(void *conn, const struct lbasis_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_lb_update, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sqlite3_bind_int64(st, 2, row->id);
    sq_bind_text(st, 3, row->brief);
    sq_bind_text(st, 4, row->status);
    sq_bind_text(st, 5, row->doc);
    sqlite3_bind_int64(st, 6, row->updated);
    return sq_exec_found(c, st);
}

static enum bk_err
sq_lb_delete(void *conn, int64_t tenant, int64_t id)
{
    return sq_exec_ids(conn, sql_lb_delete, tenant, id);
}

static enum bk_err
sq_lb_list(void *conn, int64_t tenant, store_lbasis_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_lb_list, &st);
    int rc = SQLITE_DONE;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct lbasis_row row;

        err = read_lbasis(st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_lbasis_row_cleanup(&row);
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

/* ---------------------------------------------------------------- agreements */

static enum bk_err
read_agreement(sqlite3_stmt *st, void *arg)
{
    struct agreement_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    out->user_id = sqlite3_column_int64(st, 2);
    out->lbasis_id = sqlite3_column_int64(st, 3);
    sq_col_text(st, 4, out->brief, sizeof out->brief);
    sq_col_text(st, 5, out->user_token, sizeof out->user_token);
    sq_col_text(st, 6, out->status, sizeof out->status);
    out->starttime = sqlite3_column_int64(st, 7);
    out->endtime = sqlite3_column_int64(st, 8);
    out->created = sqlite3_column_int64(st, 9);
    out->updated = sqlite3_column_int64(st, 10);
    out->version = sqlite3_column_int64(st, 11);
    return sq_col_blob(st, 12, &out->sealed, &out->sealed_len);
}

static enum bk_err
sq_ag_get(void *conn, int64_t tenant, int64_t user_id, int64_t lbasis_id,
          struct agreement_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_ag_get, &st);

    memset(out, 0, sizeof *out);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, lbasis_id);
    err = sq_step_row(c, st, read_agreement, out);
    if (err != BK_OK)
        store_agreement_row_cleanup(out);
    return err;
}

static enum bk_err
sq_ag_put(void *conn, const struct agreement_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_ag_put, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sqlite3_bind_int64(st, 2, row->user_id);
    sqlite3_bind_int64(st, 3, row->lbasis_id);
    sq_bind_text(st, 4, row->status);
    sqlite3_bind_int64(st, 5, row->starttime);
    sqlite3_bind_int64(st, 6, row->endtime);
    sqlite3_bind_int64(st, 7, row->created);
    sqlite3_bind_int64(st, 8, row->updated);
    sqlite3_bind_int64(st, 9, row->version);
    sq_bind_blob(st, 10, row->sealed, row->sealed_len);
    return sq_exec_done(c, st);
}

static enum bk_err
list_agreements(struct sq_conn *c, sqlite3_stmt *st, store_agreement_fn fn, void *arg)
{
    enum bk_err err = BK_OK;
    int rc = SQLITE_DONE;

    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct agreement_row row;

        err = read_agreement(st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_agreement_row_cleanup(&row);
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
sq_ag_list_user(void *conn, int64_t tenant, int64_t user_id, store_agreement_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_ag_list_user, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    return list_agreements(c, st, fn, arg);
}

static enum bk_err
sq_ag_list_lbasis(void *conn, int64_t tenant, int64_t lbasis_id, const char *status,
                  store_agreement_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_ag_list_lbasis, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, lbasis_id);
    sq_bind_text(st, 3, status);
    return list_agreements(c, st, fn, arg);
}

static enum bk_err
sq_ag_set_status(void *conn, int64_t tenant, int64_t lbasis_id, const char *from,
                 const char *to, int64_t when)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_ag_set_status, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, lbasis_id);
    sq_bind_text(st, 3, from);
    sq_bind_text(st, 4, to);
    sqlite3_bind_int64(st, 5, when);
    return sq_exec_done(c, st);
}

static enum bk_err
sq_ag_count(void *conn, int64_t tenant, int64_t lbasis_id, int64_t *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_ag_count, &st);

    *out = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, lbasis_id);
    return sq_step_int64(c, st, out);
}

static enum bk_err
sq_ag_delete_user(void *conn, int64_t tenant, int64_t user_id)
{
    return sq_exec_ids(conn, sql_ag_delete_user, tenant, user_id);
}

/* ---------------------------------------------------------------- activities */

static enum bk_err
read_pactivity(sqlite3_stmt *st, void *arg)
{
    struct pactivity_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, out->activity, sizeof out->activity);
    out->created = sqlite3_column_int64(st, 4);
    out->updated = sqlite3_column_int64(st, 5);
    return sq_col_strdup(st, 3, &out->doc);
}

static enum bk_err
sq_pa_get(void *conn, int64_t tenant, const char *activity, struct pactivity_row *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = sq_row_by_text(conn, sql_pa_get, tenant, activity, read_pactivity, out);
    if (err != BK_OK)
        store_pactivity_row_cleanup(out);
    return err;
}

static enum bk_err
sq_pa_insert(void *conn, struct pactivity_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_pa_insert, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sq_bind_text(st, 2, row->activity);
    sq_bind_text(st, 3, row->doc);
    sqlite3_bind_int64(st, 4, row->created);
    sqlite3_bind_int64(st, 5, row->updated);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        row->id = sqlite3_last_insert_rowid(c->db);
    return err;
}

static enum bk_err
sq_pa_update(void *conn, const struct pactivity_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_pa_update, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sqlite3_bind_int64(st, 2, row->id);
    sq_bind_text(st, 3, row->activity);
    sq_bind_text(st, 4, row->doc);
    sqlite3_bind_int64(st, 5, row->updated);
    return sq_exec_found(c, st);
}

static enum bk_err
sq_pa_delete(void *conn, int64_t tenant, int64_t id)
{
    return sq_exec_ids(conn, sql_pa_delete, tenant, id);
}

static enum bk_err
sq_pa_list(void *conn, int64_t tenant, store_pactivity_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_pa_list, &st);
    int rc = SQLITE_DONE;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct pactivity_row row;

        err = read_pactivity(st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_pactivity_row_cleanup(&row);
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
link_stmt(struct sq_conn *c, const char *sql, int64_t tenant, int64_t activity_id,
          int64_t lbasis_id)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, activity_id);
    sqlite3_bind_int64(st, 3, lbasis_id);
    return sq_exec_done(c, st);
}

static enum bk_err
sq_pa_link(void *conn, int64_t tenant, int64_t activity_id, int64_t lbasis_id)
{
    return link_stmt(conn, sql_pa_link, tenant, activity_id, lbasis_id);
}

static enum bk_err
sq_pa_unlink(void *conn, int64_t tenant, int64_t activity_id, int64_t lbasis_id)
{
    return link_stmt(conn, sql_pa_unlink, tenant, activity_id, lbasis_id);
}

static enum bk_err
sq_pa_unlink_lbasis(void *conn, int64_t tenant, int64_t lbasis_id)
{
    return sq_exec_ids(conn, sql_pa_unlink_lbasis, tenant, lbasis_id);
}

static enum bk_err
sq_pa_links(void *conn, int64_t tenant, store_pactivity_link_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_pa_links, &st);
    int rc = SQLITE_DONE;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char brief[STORE_CONSENT_NAME_MAX + 1];

        sq_col_text(st, 1, brief, sizeof brief);
        err = fn(arg, sqlite3_column_int64(st, 0), brief);
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

const struct store_consent_ops sqlite_consent_ops = {
    .lbasis_get = sq_lb_get,
    .lbasis_insert = sq_lb_insert,
    .lbasis_update = sq_lb_update,
    .lbasis_delete = sq_lb_delete,
    .lbasis_list = sq_lb_list,
    .agreement_get = sq_ag_get,
    .agreement_put = sq_ag_put,
    .agreement_list_user = sq_ag_list_user,
    .agreement_list_lbasis = sq_ag_list_lbasis,
    .agreement_set_status_lbasis = sq_ag_set_status,
    .agreement_count_lbasis = sq_ag_count,
    .agreement_delete_user = sq_ag_delete_user,
    .pactivity_get = sq_pa_get,
    .pactivity_insert = sq_pa_insert,
    .pactivity_update = sq_pa_update,
    .pactivity_delete = sq_pa_delete,
    .pactivity_list = sq_pa_list,
    .pactivity_link = sq_pa_link,
    .pactivity_unlink = sq_pa_unlink,
    .pactivity_unlink_lbasis = sq_pa_unlink_lbasis,
    .pactivity_list_links = sq_pa_links,
};
