/* The versions family on MySQL/MariaDB (record_versions). The count pruning
 * reads the newest version first: MySQL cannot delete from a table that its
 * own subquery reads. */
#include <string.h>

#include "mysql.h"
#include "mysql_int.h"
#include "versions.h"

static const char sql_put[] =
    "INSERT INTO record_versions (tenant, kind, record, user_id, version, optime, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE version = version";
static const char sql_get[] =
    "SELECT version, optime, body FROM record_versions "
    "WHERE tenant = ? AND kind = ? AND record = ? AND version = ?";
static const char sql_list[] =
    "SELECT version, optime, body FROM record_versions "
    "WHERE tenant = ? AND kind = ? AND record = ? ORDER BY version";
static const char sql_newest[] =
    "SELECT coalesce(max(version), 0), count(*) FROM record_versions "
    "WHERE tenant = ? AND kind = ? AND record = ?";
static const char sql_prune_count[] =
    "DELETE FROM record_versions WHERE tenant = ? AND kind = ? AND record = ? AND version <= ?";
static const char sql_prune_age[] =
    "DELETE v FROM record_versions AS v JOIN (SELECT tenant, kind, record, "
    "max(version) AS newest FROM record_versions GROUP BY tenant, kind, record) AS n "
    "ON n.tenant = v.tenant AND n.kind = v.kind AND n.record = v.record "
    "WHERE v.optime < ? AND v.version < n.newest";
static const char sql_purge_user[] =
    "DELETE FROM record_versions WHERE tenant = ? AND user_id = ?";

static void
key_params(struct my_params *p, int64_t tenant, const char *kind, const char *record)
{
    myp_int(p, tenant);
    myp_text(p, kind);
    myp_text(p, record);
}

static enum bk_err
read_row(struct my_result *r, void *arg)
{
    struct version_row *out = arg;

    out->version = my_col_int(r, 0);
    out->optime = my_col_int(r, 1);
    return my_col_blob(r, 2, &out->body, &out->body_len);
}

static enum bk_err
v_put(void *conn, int64_t tenant, const char *kind, const char *record, int64_t user_id,
      const struct version_row *row)
{
    struct my_params p = { 0 };

    key_params(&p, tenant, kind, record);
    myp_int(&p, user_id);
    myp_int(&p, row->version);
    myp_int(&p, row->optime);
    myp_blob(&p, row->body ? row->body : (const uint8_t *)"", row->body_len);
    return my_exec(conn, sql_put, &p, NULL);
}

static enum bk_err
v_get(void *conn, int64_t tenant, const char *kind, const char *record, int64_t version,
      struct version_row *out)
{
    struct my_params p = { 0 };

    memset(out, 0, sizeof *out);
    key_params(&p, tenant, kind, record);
    myp_int(&p, version);
    return my_query_row(conn, sql_get, &p, read_row, out);
}

static enum bk_err
v_list(void *conn, int64_t tenant, const char *kind, const char *record, store_version_fn fn,
       void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    key_params(&p, tenant, kind, record);
    err = my_query(conn, sql_list, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct version_row row;

        memset(&row, 0, sizeof row);
        err = read_row(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_version_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
v_prune_count(void *conn, int64_t tenant, const char *kind, const char *record, int64_t keep)
{
    struct my_params p = { 0 }, q = { 0 };
    struct my_result r;
    int64_t newest = 0, n = 0;
    enum bk_err err;

    key_params(&p, tenant, kind, record);
    err = my_query(conn, sql_newest, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK) {
        newest = my_col_int(&r, 0);
        n = my_col_int(&r, 1);
    }
    my_done(&r);
    if (err != BK_OK || n == 0)
        return err == BK_ENOTFOUND ? BK_OK : err;
    key_params(&q, tenant, kind, record);
    myp_int(&q, newest - keep);
    return my_exec(conn, sql_prune_count, &q, NULL);
}

static enum bk_err
v_prune_age(void *conn, int64_t cutoff, int64_t *removed)
{
    struct my_params p = { 0 };

    myp_int(&p, cutoff);
    return my_exec(conn, sql_prune_age, &p, removed);
}

static enum bk_err
v_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    return my_exec(conn, sql_purge_user, &p, NULL);
}

const struct store_versions_ops mysql_versions_ops = {
    .put = v_put,
    .get = v_get,
    .list = v_list,
    .prune_count = v_prune_count,
    .prune_age = v_prune_age,
    .purge_user = v_purge_user,
};
