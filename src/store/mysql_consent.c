/* The consent family on MySQL/MariaDB: the statements of sqlite_consent.c
 * (utf8mb4_bin sorts names by code point, as SQLite's BINARY does). MySQL
 * counts only the rows an UPDATE changed, so updates ask first whether
 * their row exists. */
#include <string.h>

#include "consent.h"
#include "mysql.h"
#include "mysql_int.h"

#define LB_COLS "id, tenant, brief, status, doc, created, updated"
#define AG_COLS "a.id, a.tenant, a.user_id, a.lbasis_id, l.brief, u.token, a.status, " \
                "a.starttime, a.endtime, a.created, a.updated, a.version, a.sealed"
#define AG_FROM " FROM agreements a JOIN legal_basis l ON l.id = a.lbasis_id " \
                "JOIN users u ON u.id = a.user_id "
#define PA_COLS "id, tenant, activity, doc, created, updated"

static const char sql_lb_get[] =
    "SELECT " LB_COLS " FROM legal_basis WHERE tenant = ? AND brief = ?";
static const char sql_lb_insert[] =
    "INSERT INTO legal_basis (tenant, brief, status, doc, created, updated) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_lb_exists[] =
    "SELECT count(*) FROM legal_basis WHERE tenant = ? AND id = ?";
static const char sql_lb_update[] =
    "UPDATE legal_basis SET brief = ?, status = ?, doc = ?, updated = ? "
    "WHERE tenant = ? AND id = ?";
static const char sql_lb_delete[] = "DELETE FROM legal_basis WHERE tenant = ? AND id = ?";
static const char sql_lb_list[] =
    "SELECT " LB_COLS " FROM legal_basis WHERE tenant = ? ORDER BY brief";

static const char sql_ag_get[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = ? AND a.user_id = ? AND a.lbasis_id = ?";
static const char sql_ag_put[] =
    "INSERT INTO agreements (tenant, user_id, lbasis_id, status, starttime, endtime, created, "
    "updated, version, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE status = VALUES(status), starttime = VALUES(starttime), "
    "endtime = VALUES(endtime), updated = VALUES(updated), version = VALUES(version), "
    "sealed = VALUES(sealed)";
static const char sql_ag_list_user[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = ? AND a.user_id = ? ORDER BY l.brief";
static const char sql_ag_list_lbasis[] =
    "SELECT " AG_COLS AG_FROM "WHERE a.tenant = ? AND a.lbasis_id = ? AND a.status = ? "
    "ORDER BY a.id";
static const char sql_ag_set_status[] =
    "UPDATE agreements SET status = ?, updated = ? "
    "WHERE tenant = ? AND lbasis_id = ? AND status = ?";
static const char sql_ag_count[] =
    "SELECT count(*) FROM agreements WHERE tenant = ? AND lbasis_id = ?";
static const char sql_ag_delete_user[] = "DELETE FROM agreements WHERE tenant = ? AND user_id = ?";

static const char sql_pa_get[] =
    "SELECT " PA_COLS " FROM pactivity WHERE tenant = ? AND activity = ?";
static const char sql_pa_insert[] =
    "INSERT INTO pactivity (tenant, activity, doc, created, updated) VALUES (?, ?, ?, ?, ?)";
static const char sql_pa_exists[] = "SELECT count(*) FROM pactivity WHERE tenant = ? AND id = ?";
static const char sql_pa_update[] =
    "UPDATE pactivity SET activity = ?, doc = ?, updated = ? WHERE tenant = ? AND id = ?";
static const char sql_pa_delete[] = "DELETE FROM pactivity WHERE tenant = ? AND id = ?";
static const char sql_pa_list[] =
    "SELECT " PA_COLS " FROM pactivity WHERE tenant = ? ORDER BY activity";
/* A taken key only (no IGNORE: that would hide a foreign-key failure too). */
static const char sql_pa_link[] =
    "INSERT INTO pactivity_lbasis (tenant, activity_id, lbasis_id) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE tenant = tenant";
static const char sql_pa_unlink[] =
    "DELETE FROM pactivity_lbasis WHERE tenant = ? AND activity_id = ? AND lbasis_id = ?";
static const char sql_pa_unlink_lbasis[] =
    "DELETE FROM pactivity_lbasis WHERE tenant = ? AND lbasis_id = ?";
static const char sql_pa_links[] =
    "SELECT p.activity_id, l.brief FROM pactivity_lbasis p "
    "JOIN legal_basis l ON l.id = p.lbasis_id WHERE p.tenant = ? "
    "ORDER BY p.activity_id, l.brief";

/* A new NUL-terminated copy of text column <col> (mem_free()). */
static enum bk_err
col_strdup(struct my_result *r, unsigned col, char **out)
{
    uint8_t *b = NULL;
    size_t n = 0;
    enum bk_err err = my_col_blob(r, col, &b, &n);

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

/* Run <sql> (tenant = ?, id = ?) expecting no row. */
static enum bk_err
by_tenant_id(struct my_conn *c, const char *sql, int64_t tenant, int64_t id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, id);
    return my_exec(c, sql, &p, NULL);
}

/* The first column of the first row of <sql> (tenant = ?, id = ?). */
static enum bk_err
count_tenant_id(struct my_conn *c, const char *sql, int64_t tenant, int64_t id, int64_t *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    *out = 0;
    myp_int(&p, tenant);
    myp_int(&p, id);
    err = my_query(c, sql, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        *out = my_col_int(&r, 0);
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

/* ---------------------------------------------------------------- legal bases */

static enum bk_err
read_lbasis(struct my_result *r, void *arg)
{
    struct lbasis_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    my_col_text(r, 2, out->brief, sizeof out->brief);
    my_col_text(r, 3, out->status, sizeof out->status);
    out->created = my_col_int(r, 5);
    out->updated = my_col_int(r, 6);
    return col_strdup(r, 4, &out->doc);
}

static enum bk_err
mc_lb_get(void *conn, int64_t tenant, const char *brief, struct lbasis_row *out)
{
    struct my_params p = { 0 };
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_text(&p, brief);
    err = my_query_row(conn, sql_lb_get, &p, read_lbasis, out);
    if (err != BK_OK)
        store_lbasis_row_cleanup(out);
    return err;
}

static enum bk_err
mc_lb_insert(void *conn, struct lbasis_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_text(&p, row->brief);
    myp_text(&p, row->status);
    myp_text(&p, row->doc);
    myp_int(&p, row->created);
    myp_int(&p, row->updated);
    return my_exec_id(conn, sql_lb_insert, &p, &row->id);
}

static enum bk_err
mc_lb_update(void *conn, const struct lbasis_row *row)
{
    struct my_params p = { 0 };
    int64_t n = 0;
    enum bk_err err = count_tenant_id(conn, sql_lb_exists, row->tenant, row->id, &n);

    if (err != BK_OK)
        return err;
    if (n == 0)
        return BK_ENOTFOUND;
    myp_text(&p, row->brief);
    myp_text(&p, row->status);
    myp_text(&p, row->doc);
    myp_int(&p, row->updated);
    myp_int(&p, row->tenant);
    myp_int(&p, row->id);
    return my_exec(conn, sql_lb_update, &p, NULL);
}

static enum bk_err
mc_lb_delete(void *conn, int64_t tenant, int64_t id)
{
    return by_tenant_id(conn, sql_lb_delete, tenant, id);
}

static enum bk_err
mc_lb_list(void *conn, int64_t tenant, store_lbasis_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    myp_int(&p, tenant);
    err = my_query(conn, sql_lb_list, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct lbasis_row row;

        err = read_lbasis(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_lbasis_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

/* ---------------------------------------------------------------- agreements */

static enum bk_err
read_agreement(struct my_result *r, void *arg)
{
    struct agreement_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    out->user_id = my_col_int(r, 2);
    out->lbasis_id = my_col_int(r, 3);
    my_col_text(r, 4, out->brief, sizeof out->brief);
    my_col_text(r, 5, out->user_token, sizeof out->user_token);
    my_col_text(r, 6, out->status, sizeof out->status);
    out->starttime = my_col_int(r, 7);
    out->endtime = my_col_int(r, 8);
    out->created = my_col_int(r, 9);
    out->updated = my_col_int(r, 10);
    out->version = my_col_int(r, 11);
    return my_col_blob(r, 12, &out->sealed, &out->sealed_len);
}

/* Run an agreement query, calling <fn> for each row. */
static enum bk_err
list_agreements(struct my_conn *c, const char *sql, struct my_params *p, store_agreement_fn fn,
                void *arg)
{
    struct my_result r;
    enum bk_err err = my_query(c, sql, p, &r);

    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct agreement_row row;

        err = read_agreement(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_agreement_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
mc_ag_get(void *conn, int64_t tenant, int64_t user_id, int64_t lbasis_id,
          struct agreement_row *out)
{
    struct my_params p = { 0 };
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_int(&p, user_id);
    myp_int(&p, lbasis_id);
    err = my_query_row(conn, sql_ag_get, &p, read_agreement, out);
    if (err != BK_OK)
        store_agreement_row_cleanup(out);
    return err;
}

static enum bk_err
mc_ag_put(void *conn, const struct agreement_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_int(&p, row->user_id);
    myp_int(&p, row->lbasis_id);
    myp_text(&p, row->status);
    myp_int(&p, row->starttime);
    myp_int(&p, row->endtime);
    myp_int(&p, row->created);
    myp_int(&p, row->updated);
    myp_int(&p, row->version);
    myp_blob(&p, row->sealed, row->sealed_len);
    return my_exec(conn, sql_ag_put, &p, NULL);
}

static enum bk_err
mc_ag_list_user(void *conn, int64_t tenant, int64_t user_id, store_agreement_fn fn, void *arg)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    return list_agreements(conn, sql_ag_list_user, &p, fn, arg);
}

static enum bk_err
mc_ag_list_lbasis(void *conn, int64_t tenant, int64_t lbasis_id, const char *status,
                  store_agreement_fn fn, void *arg)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, lbasis_id);
    myp_text(&p, status);
    return list_agreements(conn, sql_ag_list_lbasis, &p, fn, arg);
}

static enum bk_err
mc_ag_set_status(void *conn, int64_t tenant, int64_t lbasis_id, const char *from,
                 const char *to, int64_t when)
{
    struct my_params p = { 0 };

    myp_text(&p, to);
    myp_int(&p, when);
    myp_int(&p, tenant);
    myp_int(&p, lbasis_id);
    myp_text(&p, from);
    return my_exec(conn, sql_ag_set_status, &p, NULL);
}

static enum bk_err
mc_ag_count(void *conn, int64_t tenant, int64_t lbasis_id, int64_t *out)
{
    return count_tenant_id(conn, sql_ag_count, tenant, lbasis_id, out);
}

static enum bk_err
mc_ag_delete_user(void *conn, int64_t tenant, int64_t user_id)
{
    return by_tenant_id(conn, sql_ag_delete_user, tenant, user_id);
}

/* ---------------------------------------------------------------- activities */

static enum bk_err
read_pactivity(struct my_result *r, void *arg)
{
    struct pactivity_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    my_col_text(r, 2, out->activity, sizeof out->activity);
    out->created = my_col_int(r, 4);
    out->updated = my_col_int(r, 5);
    return col_strdup(r, 3, &out->doc);
}

static enum bk_err
mc_pa_get(void *conn, int64_t tenant, const char *activity, struct pactivity_row *out)
{
    struct my_params p = { 0 };
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_text(&p, activity);
    err = my_query_row(conn, sql_pa_get, &p, read_pactivity, out);
    if (err != BK_OK)
        store_pactivity_row_cleanup(out);
    return err;
}

static enum bk_err
mc_pa_insert(void *conn, struct pactivity_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_text(&p, row->activity);
    myp_text(&p, row->doc);
    myp_int(&p, row->created);
    myp_int(&p, row->updated);
    return my_exec_id(conn, sql_pa_insert, &p, &row->id);
}

static enum bk_err
mc_pa_update(void *conn, const struct pactivity_row *row)
{
    struct my_params p = { 0 };
    int64_t n = 0;
    enum bk_err err = count_tenant_id(conn, sql_pa_exists, row->tenant, row->id, &n);

    if (err != BK_OK)
        return err;
    if (n == 0)
        return BK_ENOTFOUND;
    myp_text(&p, row->activity);
    myp_text(&p, row->doc);
    myp_int(&p, row->updated);
    myp_int(&p, row->tenant);
    myp_int(&p, row->id);
    return my_exec(conn, sql_pa_update, &p, NULL);
}

static enum bk_err
mc_pa_delete(void *conn, int64_t tenant, int64_t id)
{
    return by_tenant_id(conn, sql_pa_delete, tenant, id);
}

static enum bk_err
mc_pa_list(void *conn, int64_t tenant, store_pactivity_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    myp_int(&p, tenant);
    err = my_query(conn, sql_pa_list, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct pactivity_row row;

        err = read_pactivity(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_pactivity_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
link_stmt(struct my_conn *c, const char *sql, int64_t tenant, int64_t activity_id,
          int64_t lbasis_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, activity_id);
    myp_int(&p, lbasis_id);
    return my_exec(c, sql, &p, NULL);
}

static enum bk_err
mc_pa_link(void *conn, int64_t tenant, int64_t activity_id, int64_t lbasis_id)
{
    return link_stmt(conn, sql_pa_link, tenant, activity_id, lbasis_id);
}

static enum bk_err
mc_pa_unlink(void *conn, int64_t tenant, int64_t activity_id, int64_t lbasis_id)
{
    return link_stmt(conn, sql_pa_unlink, tenant, activity_id, lbasis_id);
}

static enum bk_err
mc_pa_unlink_lbasis(void *conn, int64_t tenant, int64_t lbasis_id)
{
    return by_tenant_id(conn, sql_pa_unlink_lbasis, tenant, lbasis_id);
}

static enum bk_err
mc_pa_links(void *conn, int64_t tenant, store_pactivity_link_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    myp_int(&p, tenant);
    err = my_query(conn, sql_pa_links, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        char brief[STORE_CONSENT_NAME_MAX + 1];

        my_col_text(&r, 1, brief, sizeof brief);
        err = fn(arg, my_col_int(&r, 0), brief);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

const struct store_consent_ops mysql_consent_ops = {
    .lbasis_get = mc_lb_get,
    .lbasis_insert = mc_lb_insert,
    .lbasis_update = mc_lb_update,
    .lbasis_delete = mc_lb_delete,
    .lbasis_list = mc_lb_list,
    .agreement_get = mc_ag_get,
    .agreement_put = mc_ag_put,
    .agreement_list_user = mc_ag_list_user,
    .agreement_list_lbasis = mc_ag_list_lbasis,
    .agreement_set_status_lbasis = mc_ag_set_status,
    .agreement_count_lbasis = mc_ag_count,
    .agreement_delete_user = mc_ag_delete_user,
    .pactivity_get = mc_pa_get,
    .pactivity_insert = mc_pa_insert,
    .pactivity_update = mc_pa_update,
    .pactivity_delete = mc_pa_delete,
    .pactivity_list = mc_pa_list,
    .pactivity_link = mc_pa_link,
    .pactivity_unlink = mc_pa_unlink,
    .pactivity_unlink_lbasis = mc_pa_unlink_lbasis,
    .pactivity_list_links = mc_pa_links,
};
