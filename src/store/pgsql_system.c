/* The system family on PostgreSQL: cross-tenant counts and status changes.
 * Row-level security shows one tenant's rows at a time, so work across the
 * tenants asks each candidate tenant in turn (pg_for_tenants: the default
 * tenant 0 and every registered tenant). The SQL dump (backup_sql) is
 * SQLite's: here it stays NULL, the backup route answers 501 and
 * docs/OPERATIONS.md describes pg_dump. */
#include <string.h>

#include "../base/mem.h"
#include "pgsql.h"
#include "pgsql_int.h"
#include "system.h"

static const char sql_has_users[] =
    "SELECT count(*) FROM (SELECT 1 FROM users WHERE tenant = $1 LIMIT 1) AS u";
static const char sql_count_active[] =
    "SELECT count(*) FROM users WHERE tenant = $1 AND status = 1";
/* indexed by STORE_COUNT_*, each for one tenant ($1); only live sessions
 * depend on the time ($2) */
static const char *const sql_count_rows[] = {
    "SELECT count(*) FROM sessions WHERE tenant = $1 AND expires > $2",
    "SELECT count(*) FROM agreements WHERE tenant = $1",
    "SELECT count(*) FROM requests WHERE tenant = $1 AND status = 'open'",
    "SELECT count(*) FROM access_xtokens WHERE tenant = $1",
};
static const char sql_set_status[] = "UPDATE users SET status = $4, updated = $5 "
                                     "WHERE tenant = $1 AND id = $2 AND status = $3";

/* The count <sql> answers for <tenant> ($1), and <*now> ($2) when not NULL. */
static enum bk_err
tenant_int(struct pg_conn *c, int64_t tenant, const char *sql, const int64_t *now, int64_t *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    if (now != NULL)
        pgp_int(&p, *now);
    err = pg_run(c, tenant, sql, &p, &res);
    *out = err == BK_OK && PQntuples(res) > 0 ? pg_col_int(res, 0, 0) : 0;
    PQclear(res);
    return err;
}

struct walk {
    struct pg_conn *c;
    int what;                /* count_rows: STORE_COUNT_* */
    int64_t now;
    store_tenant_id_fn fn;
    void *arg;
    int64_t total;
};

static enum bk_err
list_one(void *arg, int64_t tenant)
{
    struct walk *w = arg;
    int64_t has = 0;
    enum bk_err err = tenant_int(w->c, tenant, sql_has_users, NULL, &has);

    if (err == BK_OK && has > 0)
        err = w->fn(w->arg, tenant);
    return err;
}

static enum bk_err
sys_tenant_list(void *conn, store_tenant_id_fn fn, void *arg)
{
    struct walk w = { .c = conn, .fn = fn, .arg = arg };

    return pg_for_tenants(conn, list_one, &w);
}

static enum bk_err
count_active(void *arg, int64_t tenant)
{
    struct walk *w = arg;
    int64_t n = 0;
    enum bk_err err = tenant_int(w->c, tenant, sql_count_active, NULL, &n);

    w->total += n;
    return err;
}

static enum bk_err
count_holding(void *arg, int64_t tenant)
{
    struct walk *w = arg;
    int64_t has = 0;
    enum bk_err err = tenant_int(w->c, tenant, sql_has_users, NULL, &has);

    w->total += has > 0;
    return err;
}

static enum bk_err
sys_count_all_users(void *conn, int64_t *out)
{
    struct walk w = { .c = conn };
    enum bk_err err = pg_for_tenants(conn, count_active, &w);

    *out = err == BK_OK ? w.total : 0;
    return err;
}

static enum bk_err
sys_count_tenants(void *conn, int64_t *out)
{
    struct walk w = { .c = conn };
    enum bk_err err = pg_for_tenants(conn, count_holding, &w);

    *out = err == BK_OK ? w.total : 0;
    return err;
}

static enum bk_err
count_rows_one(void *arg, int64_t tenant)
{
    struct walk *w = arg;
    int64_t n = 0;
    enum bk_err err = tenant_int(w->c, tenant, sql_count_rows[w->what],
                                 w->what == STORE_COUNT_SESSIONS ? &w->now : NULL, &n);

    w->total += n;
    return err;
}

static enum bk_err
sys_count_rows(void *conn, int what, int64_t now, int64_t *out)
{
    struct walk w = { .c = conn, .what = what, .now = now };
    enum bk_err err;

    *out = 0;
    if (what < 0 || (size_t)what >= sizeof sql_count_rows / sizeof sql_count_rows[0])
        return BK_EINVAL;
    err = pg_for_tenants(conn, count_rows_one, &w);
    *out = err == BK_OK ? w.total : 0;
    return err;
}

static enum bk_err
sys_user_set_status(void *conn, int64_t tenant, int64_t id, int from, int to, int64_t when)
{
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    pgp_int(&p, from);
    pgp_int(&p, to);
    pgp_int(&p, when);
    err = pg_exec(conn, tenant, sql_set_status, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ENOTFOUND;
    return err;
}

const struct store_system_ops pgsql_system_ops = {
    .backup_sql = NULL,
    .tenant_list = sys_tenant_list,
    .count_all_users = sys_count_all_users,
    .count_tenants = sys_count_tenants,
    .user_set_status = sys_user_set_status,
    .count_rows = sys_count_rows,
};
