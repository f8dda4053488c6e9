/* PostgreSQL: the "run a statement, read its first row / check it changed a
 * row" steps every family file repeats. */
#include "pgsql_int.h"

enum bk_err
pg_run_row(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
           pg_read_fn read, void *out)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    if (err == BK_OK)
        err = PQntuples(res) > 0 ? read(res, 0, out) : BK_ENOTFOUND;
    PQclear(res);
    return err;
}

enum bk_err
pg_exec_found(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p)
{
    int64_t n = 0;
    enum bk_err err = pg_exec(c, tenant, sql, p, &n);

    return err == BK_OK && n == 0 ? BK_ENOTFOUND : err;
}
