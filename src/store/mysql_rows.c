/* MySQL/MariaDB: the "run a statement, read one row / one count / check it
 * changed a row" steps every family file repeats (my_query_int was mysql.c's
 * static query_int). */
#include "mysql_int.h"

enum bk_err
my_query_row(struct my_conn *c, const char *sql, struct my_params *p, my_read_fn read,
             void *out)
{
    struct my_result r;
    enum bk_err err = my_query(c, sql, p, &r);

    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        err = read(&r, out);
    my_done(&r);
    return err;
}

static enum bk_err
read_int(struct my_result *r, void *out)
{
    *(int64_t *)out = my_col_int(r, 0);
    return BK_OK;
}

enum bk_err
my_query_int(struct my_conn *c, const char *sql, struct my_params *p, int64_t *out)
{
    *out = 0;
    return my_query_row(c, sql, p, read_int, out);
}

enum bk_err
my_exec_found(struct my_conn *c, const char *sql, struct my_params *p)
{
    int64_t n = 0;
    enum bk_err err = my_exec(c, sql, p, &n);

    return err == BK_OK && n == 0 ? BK_ENOTFOUND : err;
}
