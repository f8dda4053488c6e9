/* The expiry family on MySQL/MariaDB (user_expiry). */
#include <string.h>

#include "../base/mem.h"
#include "expiry.h"
#include "mysql.h"
#include "mysql_int.h"

#define EXPIRY_COLS "user_id, tenant, record, state, sliding, finaltime, endtime, touched, " \
                    "exptoken_hash, exptoken_box"

static const char sql_get[] =
    "SELECT " EXPIRY_COLS " FROM user_expiry WHERE tenant = ? AND user_id = ?";
static const char sql_by_token[] =
    "SELECT " EXPIRY_COLS " FROM user_expiry WHERE tenant = ? AND exptoken_hash = ?";
static const char sql_other_tenant[] =
    "SELECT count(*) FROM user_expiry WHERE user_id = ? AND tenant <> ?";
static const char sql_put[] =
    "INSERT INTO user_expiry (" EXPIRY_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE state = VALUES(state), sliding = VALUES(sliding), "
    "finaltime = VALUES(finaltime), endtime = VALUES(endtime), touched = VALUES(touched), "
    "exptoken_hash = VALUES(exptoken_hash), exptoken_box = VALUES(exptoken_box)";
static const char sql_due[] =
    "SELECT e.tenant, u.token, e.user_id FROM user_expiry AS e JOIN users AS u ON u.id = e.user_id "
    "WHERE ((e.state = 1 AND e.endtime > 0 AND e.endtime <= ?) OR e.state = 3) "
    "AND u.status = 1 "
    "ORDER BY e.endtime LIMIT ?";

static enum bk_err
read_row(struct my_result *r, void *arg)
{
    struct expiry_row *out = arg;
    uint8_t *hash = NULL;
    size_t hash_len = 0;
    enum bk_err err;

    out->user_id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    my_col_text(r, 2, out->record, sizeof out->record);
    out->state = (int)my_col_int(r, 3);
    out->sliding = my_col_int(r, 4);
    out->finaltime = my_col_int(r, 5);
    out->endtime = my_col_int(r, 6);
    out->touched = my_col_int(r, 7);
    err = my_col_blob(r, 8, &hash, &hash_len);
    if (err != BK_OK)
        return err;
    if (hash != NULL && hash_len == STORE_HASH_LEN) {
        memcpy(out->exptoken_hash, hash, STORE_HASH_LEN);
        out->has_exptoken = 1;
    }
    mem_free(hash);
    return my_col_blob(r, 9, &out->exptoken_box, &out->exptoken_box_len);
}

static enum bk_err
one_row(struct my_conn *c, const char *sql, struct my_params *p, struct expiry_row *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = my_query_row(c, sql, p, read_row, out);
    if (err != BK_OK)
        store_expiry_row_cleanup(out);
    return err;
}

static enum bk_err
e_get(void *conn, int64_t tenant, int64_t user_id, struct expiry_row *out)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    return one_row(conn, sql_get, &p, out);
}

static enum bk_err
e_by_exptoken(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
              struct expiry_row *out)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_blob(&p, hash, STORE_HASH_LEN);
    return one_row(conn, sql_by_token, &p, out);
}

static enum bk_err
e_put(void *conn, const struct expiry_row *row)
{
    struct my_params q = { 0 }, p = { 0 };
    struct my_result r;
    int64_t other = 0;
    enum bk_err err;

    /* SQLite's upsert changes nothing when the user's row is another
     * tenant's: ask first (MySQL reports unchanged rows as 0 affected). */
    myp_int(&q, row->user_id);
    myp_int(&q, row->tenant);
    err = my_query(conn, sql_other_tenant, &q, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        other = my_col_int(&r, 0);
    my_done(&r);
    if (err != BK_OK)
        return err;
    if (other > 0)
        return BK_ECONFLICT;
    myp_int(&p, row->user_id);
    myp_int(&p, row->tenant);
    myp_text(&p, row->record);
    myp_int(&p, row->state);
    myp_int(&p, row->sliding);
    myp_int(&p, row->finaltime);
    myp_int(&p, row->endtime);
    myp_int(&p, row->touched);
    myp_blob(&p, row->has_exptoken ? row->exptoken_hash : NULL, STORE_HASH_LEN);
    myp_blob(&p, row->exptoken_box, row->exptoken_box_len);
    return my_exec(conn, sql_put, &p, NULL);
}

static enum bk_err
e_due(void *conn, int64_t now, struct expiry_due *out, size_t max, size_t *n_out)
{
    struct my_params p = { 0 };
    struct my_result r;
    size_t n = 0;
    enum bk_err err;

    *n_out = 0;
    myp_int(&p, now);
    myp_int(&p, (int64_t)max);
    err = my_query(conn, sql_due, &p, &r);
    if (err != BK_OK)
        return err;
    while (n < max && (err = my_next(&r)) == BK_OK) {
        out[n].tenant = my_col_int(&r, 0);
        my_col_text(&r, 1, out[n].token, sizeof out[n].token);
        out[n].user_id = my_col_int(&r, 2);
        n++;
    }
    my_done(&r);
    if (err == BK_ENOTFOUND)
        err = BK_OK;
    *n_out = err == BK_OK ? n : 0;
    return err;
}

const struct store_expiry_ops mysql_expiry_ops = {
    .get = e_get,
    .by_exptoken = e_by_exptoken,
    .put = e_put,
    .due = e_due,
};
