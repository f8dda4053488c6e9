/* The tenants family on SQLite. */
#include <string.h>

#include "../base/mem.h"
#include "sqlite.h"
#include "sqlite_int.h"
#include "tenants.h"

#define TENANT_COLS "id, name, org, salt, admin_hash, created"

static const char sql_insert[] =
    "INSERT INTO tenants (name, org, salt, admin_hash, created) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_by_id[] = "SELECT " TENANT_COLS " FROM tenants WHERE id = ?1";
static const char sql_by_name[] = "SELECT " TENANT_COLS " FROM tenants WHERE name = ?1";
static const char sql_by_admin[] = "SELECT " TENANT_COLS " FROM tenants WHERE admin_hash = ?1";
static const char sql_update[] =
    "UPDATE tenants SET name = coalesce(?2, name), org = coalesce(?3, org) WHERE id = ?1";
static const char sql_count[] = "SELECT count(*) FROM tenants";
static const char sql_list[] =
    "SELECT " TENANT_COLS " FROM tenants ORDER BY id LIMIT ?1 OFFSET ?2";
#define RM_SQL(t) "DELETE FROM " #t " WHERE tenant = ?1",
static const char *const sql_remove[] = {
    STORE_TENANT_TABLES(RM_SQL)
    "DELETE FROM tenants WHERE id = ?1",
};

static enum bk_err
read_row(sqlite3_stmt *st, void *arg)
{
    struct tenant_row *out = arg;

    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    sq_col_text(st, 1, out->name, sizeof out->name);
    sq_col_text(st, 2, out->org, sizeof out->org);
    if (sqlite3_column_bytes(st, 3) == STORE_HASH_LEN)
        memcpy(out->salt, sqlite3_column_blob(st, 3), STORE_HASH_LEN);
    if (sqlite3_column_bytes(st, 4) == STORE_HASH_LEN)
        memcpy(out->admin_hash, sqlite3_column_blob(st, 4), STORE_HASH_LEN);
    out->created = sqlite3_column_int64(st, 5);
    return BK_OK;
}

static enum bk_err
t_insert(void *conn, struct tenant_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_insert, &st);

    if (err != BK_OK)
        return err;
    sq_bind_text(st, 1, row->name);
    sq_bind_text(st, 2, row->org);
    sq_bind_blob(st, 3, row->salt, STORE_HASH_LEN);
    sq_bind_blob(st, 4, row->admin_hash, STORE_HASH_LEN);
    sqlite3_bind_int64(st, 5, row->created);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        row->id = sqlite3_last_insert_rowid(c->db);
    return err;
}

static enum bk_err
t_by_id(void *conn, int64_t id, struct tenant_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_by_id, &st);

    memset(out, 0, sizeof *out);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, id);
    return sq_step_row(c, st, read_row, out);
}

static enum bk_err
t_by_name(void *conn, const char *name, struct tenant_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_by_name, &st);

    memset(out, 0, sizeof *out);
    if (err != BK_OK)
        return err;
    sq_bind_text(st, 1, name);
    return sq_step_row(c, st, read_row, out);
}

static enum bk_err
t_by_admin(void *conn, const uint8_t hash[STORE_HASH_LEN], struct tenant_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_by_admin, &st);

    memset(out, 0, sizeof *out);
    if (err != BK_OK)
        return err;
    sq_bind_blob(st, 1, hash, STORE_HASH_LEN);
    return sq_step_row(c, st, read_row, out);
}

static enum bk_err
t_update(void *conn, int64_t id, const char *name, const char *org)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_update, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, id);
    sq_bind_text(st, 2, name);
    sq_bind_text(st, 3, org);
    err = sq_exec_done(c, st);
    if (err == BK_OK && sqlite3_changes(c->db) != 1)
        err = BK_ENOTFOUND;
    return err;
}

static enum bk_err
t_list(void *conn, int64_t offset, int64_t limit, int64_t *total, store_tenant_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_count, &st);
    int rc;

    *total = 0;
    if (err == BK_OK)
        err = sq_step_int64(c, st, total);
    if (err == BK_OK)
        err = sq_prepare(c, sql_list, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tenant_row row;

        (void)read_row(st, &row);
        err = fn(arg, &row);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
t_remove(void *conn, int64_t id)
{
    struct sq_conn *c = conn;
    enum bk_err err = BK_OK;

    for (size_t i = 0; i < sizeof sql_remove / sizeof sql_remove[0] && err == BK_OK; i++) {
        sqlite3_stmt *st = NULL;

        err = sq_prepare(c, sql_remove[i], &st);
        if (err != BK_OK)
            break;
        sqlite3_bind_int64(st, 1, id);
        err = sq_exec_done(c, st);
        if (err == BK_OK && i + 1 == sizeof sql_remove / sizeof sql_remove[0] &&
            sqlite3_changes(c->db) != 1)
            err = BK_ENOTFOUND;
    }
    return err;
}

const struct store_tenants_ops sqlite_tenants_ops = {
    .insert = t_insert,
    .by_id = t_by_id,
    .by_name = t_by_name,
    .by_admin = t_by_admin,
    .update = t_update,
    .list = t_list,
    .remove = t_remove,
};
