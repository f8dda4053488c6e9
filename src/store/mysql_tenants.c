/* The tenants family on MySQL/MariaDB. */
#include <string.h>

#include "../base/mem.h"
#include "mysql.h"
#include "mysql_int.h"
#include "tenants.h"

#define TENANT_COLS "id, name, org, salt, admin_hash, created"

static const char sql_insert[] =
    "INSERT INTO tenants (name, org, salt, admin_hash, created) VALUES (?, ?, ?, ?, ?)";
static const char sql_by_id[] = "SELECT " TENANT_COLS " FROM tenants WHERE id = ?";
static const char sql_by_name[] = "SELECT " TENANT_COLS " FROM tenants WHERE name = ?";
static const char sql_by_admin[] = "SELECT " TENANT_COLS " FROM tenants WHERE admin_hash = ?";
static const char sql_exists[] = "SELECT count(*) FROM tenants WHERE id = ?";
static const char sql_update[] =
    "UPDATE tenants SET name = coalesce(?, name), org = coalesce(?, org) WHERE id = ?";
static const char sql_count[] = "SELECT count(*) FROM tenants";
static const char sql_list[] =
    "SELECT " TENANT_COLS " FROM tenants ORDER BY id LIMIT ? OFFSET ?";
#define RM_SQL(t) "DELETE FROM " #t " WHERE tenant = ?",
static const char *const sql_remove[] = {
    STORE_TENANT_TABLES(RM_SQL)
    "DELETE FROM tenants WHERE id = ?",
};

static enum bk_err
read_row(struct my_result *r, void *arg)
{
    struct tenant_row *out = arg;
    uint8_t *b = NULL;
    size_t n = 0;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    my_col_text(r, 1, out->name, sizeof out->name);
    my_col_text(r, 2, out->org, sizeof out->org);
    out->created = my_col_int(r, 5);
    for (unsigned col = 3; col <= 4; col++) {
        err = my_col_blob(r, col, &b, &n);
        if (err != BK_OK)
            return err;
        if (n == STORE_HASH_LEN)
            memcpy(col == 3 ? out->salt : out->admin_hash, b, STORE_HASH_LEN);
        mem_free(b);
        b = NULL;
    }
    return BK_OK;
}

static enum bk_err
one_row(struct my_conn *c, const char *sql, struct my_params *p, struct tenant_row *out)
{
    memset(out, 0, sizeof *out);
    return my_query_row(c, sql, p, read_row, out);
}

static enum bk_err
count(struct my_conn *c, const char *sql, struct my_params *p, int64_t *out)
{
    return my_query_int(c, sql, p, out);
}

static enum bk_err
t_insert(void *conn, struct tenant_row *row)
{
    struct my_params p = { 0 };

    myp_text(&p, row->name);
    myp_text(&p, row->org);
    myp_blob(&p, row->salt, STORE_HASH_LEN);
    myp_blob(&p, row->admin_hash, STORE_HASH_LEN);
    myp_int(&p, row->created);
    return my_exec_id(conn, sql_insert, &p, &row->id);
}

static enum bk_err
t_by_id(void *conn, int64_t id, struct tenant_row *out)
{
    struct my_params p = { 0 };

    myp_int(&p, id);
    return one_row(conn, sql_by_id, &p, out);
}

static enum bk_err
t_by_name(void *conn, const char *name, struct tenant_row *out)
{
    struct my_params p = { 0 };

    myp_text(&p, name);
    return one_row(conn, sql_by_name, &p, out);
}

static enum bk_err
t_by_admin(void *conn, const uint8_t hash[STORE_HASH_LEN], struct tenant_row *out)
{
    struct my_params p = { 0 };

    myp_blob(&p, hash, STORE_HASH_LEN);
    return one_row(conn, sql_by_admin, &p, out);
}

static enum bk_err
t_update(void *conn, int64_t id, const char *name, const char *org)
{
    struct my_params p = { 0 }, q = { 0 };
    int64_t n = 0;
    enum bk_err err;

    /* MySQL counts only rows that changed: ask whether the tenant exists. */
    myp_int(&q, id);
    err = count(conn, sql_exists, &q, &n);
    if (err == BK_OK && n != 1)
        return BK_ENOTFOUND;
    if (err != BK_OK)
        return err;
    myp_text(&p, name);
    myp_text(&p, org);
    myp_int(&p, id);
    return my_exec(conn, sql_update, &p, NULL);
}

static enum bk_err
t_list(void *conn, int64_t offset, int64_t limit, int64_t *total, store_tenant_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err = count(conn, sql_count, NULL, total);

    if (err != BK_OK)
        return err;
    myp_int(&p, limit);
    myp_int(&p, offset);
    err = my_query(conn, sql_list, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct tenant_row row;

        err = read_row(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
t_remove(void *conn, int64_t id)
{
    size_t last = sizeof sql_remove / sizeof sql_remove[0] - 1;
    enum bk_err err = BK_OK;

    for (size_t i = 0; i <= last && err == BK_OK; i++) {
        struct my_params p = { 0 };
        int64_t n = 0;

        myp_int(&p, id);
        err = my_exec(conn, sql_remove[i], &p, &n);
        if (err == BK_OK && i == last && n != 1)
            err = BK_ENOTFOUND;
    }
    return err;
}

const struct store_tenants_ops mysql_tenants_ops = {
    .insert = t_insert,
    .by_id = t_by_id,
    .by_name = t_by_name,
    .by_admin = t_by_admin,
    .update = t_update,
    .list = t_list,
    .remove = t_remove,
};
