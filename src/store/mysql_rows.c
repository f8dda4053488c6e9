/* MySQL/MariaDB: the "run a statement, read one row / one count / check it
 * changed a row" steps every family file repeats. */
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

enum bk_err
my_query_int(struct my_conn *c, const char *sql, struct my_params *p, int64_t *out)
{
    struct my_result r;
    enum bk_err err = my_query(c, sql, p, &r);

    *out = 0;
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        *out = my_col_int(&r, 0);
    my_done(&r);
    return err;
}

enum bk_err
my_exec_found(struct my_conn *c, const char *sql, struct my_params *p)
{
    int64_t n = 0;
    enum bk_err err = my_exec(c, sql, p, &n);

    return err == BK_OK && n == 0 ? BK_ENOTFOUND : err;
}
