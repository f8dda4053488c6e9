/* The system family on MySQL/MariaDB: cross-tenant counts and status
 * changes. The SQL dump (backup_sql) is SQLite's: here it stays NULL, the
 * backup route answers 501 and docs/OPERATIONS.md describes mariadb-dump. */
#include "mysql.h"
#include "mysql_int.h"
#include "system.h"

#define TENANT_BATCH 64

static const char sql_tenants[] =
    "SELECT DISTINCT tenant FROM users WHERE tenant > ? ORDER BY tenant LIMIT 64";
static const char sql_count_all[] = "SELECT count(*) FROM users WHERE status = 1";
static const char sql_count_tenants[] = "SELECT count(DISTINCT tenant) FROM users";
/* indexed by STORE_COUNT_*; only live sessions depend on the time */
static const char *const sql_count_rows[] = {
    "SELECT count(*) FROM sessions WHERE expires > ?", "SELECT count(*) FROM agreements",
    "SELECT count(*) FROM requests WHERE status = 'open'", "SELECT count(*) FROM access_xtokens",
};
static const char sql_exists[] =
    "SELECT count(*) FROM users WHERE tenant = ? AND id = ? AND status = ?";
static const char sql_set_status[] = "UPDATE users SET status = ?, updated = ? "
                                     "WHERE tenant = ? AND id = ? AND status = ?";

static enum bk_err
count(struct my_conn *c, const char *sql, struct my_params *p, int64_t *out)
{
    return my_query_int(c, sql, p, out);
}

static enum bk_err
sys_tenant_list(void *conn, store_tenant_id_fn fn, void *arg)
{
    int64_t ids[TENANT_BATCH], after = -1;
    size_t n = TENANT_BATCH;
    enum bk_err err = BK_OK;

    /* in batches read whole before <fn> runs: it may use this connection */
    while (err == BK_OK && n == TENANT_BATCH) {
        struct my_params p = { 0 };
        struct my_result r;

        n = 0;
        myp_int(&p, after);
        err = my_query(conn, sql_tenants, &p, &r);
        if (err != BK_OK)
            return err;
        while (n < TENANT_BATCH && (err = my_next(&r)) == BK_OK)
            ids[n++] = my_col_int(&r, 0);
        my_done(&r);
        if (err == BK_ENOTFOUND || n == TENANT_BATCH)
            err = BK_OK;
        for (size_t i = 0; i < n && err == BK_OK; i++)
            err = fn(arg, ids[i]);
        if (n > 0)
            after = ids[n - 1];
    }
    return err;
}

static enum bk_err
sys_count_all_users(void *conn, int64_t *out)
{
    return count(conn, sql_count_all, NULL, out);
}

static enum bk_err
sys_count_tenants(void *conn, int64_t *out)
{
    return count(conn, sql_count_tenants, NULL, out);
}

static enum bk_err
sys_count_rows(void *conn, int what, int64_t now, int64_t *out)
{
    struct my_params p = { 0 };

    *out = 0;
    if (what < 0 || (size_t)what >= sizeof sql_count_rows / sizeof sql_count_rows[0])
        return BK_EINVAL;
    if (what == STORE_COUNT_SESSIONS)
        myp_int(&p, now);
    return count(conn, sql_count_rows[what], &p, out);
}

static enum bk_err
sys_user_set_status(void *conn, int64_t tenant, int64_t id, int from, int to, int64_t when)
{
    struct my_params q = { 0 }, p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    /* MySQL counts only changed rows: ask whether the user is in <from> */
    myp_int(&q, tenant);
    myp_int(&q, id);
    myp_int(&q, from);
    err = count(conn, sql_exists, &q, &n);
    if (err != BK_OK)
        return err;
    if (n != 1)
        return BK_ENOTFOUND;
    myp_int(&p, to);
    myp_int(&p, when);
    myp_int(&p, tenant);
    myp_int(&p, id);
    myp_int(&p, from);
    return my_exec(conn, sql_set_status, &p, NULL);
}

const struct store_system_ops mysql_system_ops = {
    .backup_sql = NULL,
    .tenant_list = sys_tenant_list,
    .count_all_users = sys_count_all_users,
    .count_tenants = sys_count_tenants,
    .user_set_status = sys_user_set_status,
    .count_rows = sys_count_rows,
};
