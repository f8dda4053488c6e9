/* SQLite: the record_versions table. Rows hold sealed bytes and plain
 * numbers only. */
#include "versions.h"

#include <string.h>

#include "sqlite.h"
#include "sqlite_int.h"

static const char sql_put[] =
    "INSERT INTO record_versions (tenant, kind, record, user_id, version, optime, body) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (tenant, kind, record, version) DO NOTHING";
static const char sql_get[] =
    "SELECT version, optime, body FROM record_versions "
    "WHERE tenant = ?1 AND kind = ?2 AND record = ?3 AND version = ?4";
static const char sql_list[] =
    "SELECT version, optime, body FROM record_versions "
    "WHERE tenant = ?1 AND kind = ?2 AND record = ?3 ORDER BY version";
static const char sql_prune_count[] =
    "DELETE FROM record_versions WHERE tenant = ?1 AND kind = ?2 AND record = ?3 "
    "AND version <= (SELECT max(version) FROM record_versions "
    "WHERE tenant = ?1 AND kind = ?2 AND record = ?3) - ?4";
static const char sql_prune_age[] =
    "DELETE FROM record_versions AS v WHERE v.optime < ?1 AND v.version < "
    "(SELECT max(n.version) FROM record_versions AS n WHERE n.tenant = v.tenant "
    "AND n.kind = v.kind AND n.record = v.record)";
static const char sql_purge_user[] =
    "DELETE FROM record_versions WHERE tenant = ?1 AND user_id = ?2";

static enum bk_err
read_row(sqlite3_stmt *st, void *arg)
{
    struct version_row *out = arg;

    out->version = sqlite3_column_int64(st, 0);
    out->optime = sqlite3_column_int64(st, 1);
    return sq_col_blob(st, 2, &out->body, &out->body_len);
}

static void
bind_key(sqlite3_stmt *st, int64_t tenant, const char *kind, const char *record)
{
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_text(st, 2, kind);
    sq_bind_text(st, 3, record);
}

static enum bk_err
v_put(void *conn, int64_t tenant, const char *kind, const char *record, int64_t user_id,
      const struct version_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_put, &st);

    if (err != BK_OK)
        return err;
    bind_key(st, tenant, kind, record);
    sqlite3_bind_int64(st, 4, user_id);
    sqlite3_bind_int64(st, 5, row->version);
    sqlite3_bind_int64(st, 6, row->optime);
    sq_bind_blob(st, 7, row->body, row->body_len);
    return sq_exec_done(c, st);
}

static enum bk_err
v_get(void *conn, int64_t tenant, const char *kind, const char *record, int64_t version,
      struct version_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = sq_prepare(c, sql_get, &st);
    if (err != BK_OK)
        return err;
    bind_key(st, tenant, kind, record);
    sqlite3_bind_int64(st, 4, version);
    return sq_step_row(c, st, read_row, out);
}

static enum bk_err
v_list(void *conn, int64_t tenant, const char *kind, const char *record, store_version_fn fn,
       void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_list, &st);
    int rc;

    if (err != BK_OK)
        return err;
    bind_key(st, tenant, kind, record);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct version_row row;

        memset(&row, 0, sizeof row);
        err = read_row(st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_version_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
v_prune_count(void *conn, int64_t tenant, const char *kind, const char *record, int64_t keep)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_prune_count, &st);

    if (err != BK_OK)
        return err;
    bind_key(st, tenant, kind, record);
    sqlite3_bind_int64(st, 4, keep);
    return sq_exec_done(c, st);
}

static enum bk_err
v_prune_age(void *conn, int64_t cutoff, int64_t *removed)
{
    return sq_exec_id_changes(conn, sql_prune_age, cutoff, removed);
}

static enum bk_err
v_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    return sq_exec_ids(conn, sql_purge_user, tenant, user_id);
}

const struct store_versions_ops sqlite_versions_ops = {
    .put = v_put,
    .get = v_get,
    .list = v_list,
    .prune_count = v_prune_count,
    .prune_age = v_prune_age,
    .purge_user = v_purge_user,
};
