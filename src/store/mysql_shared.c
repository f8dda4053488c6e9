/* The shared family on MySQL/MariaDB (shared_records). */
#include <string.h>

#include "../base/mem.h"
#include "mysql.h"
#include "mysql_int.h"
#include "shared.h"

static const char sql_insert[] =
    "INSERT INTO shared_records (tenant, hash, user_id, record, created, expires, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_get[] =
    "SELECT tenant, hash, user_id, record, created, expires, body FROM shared_records "
    "WHERE tenant = ? AND hash = ?";
static const char sql_purge_expired[] = "DELETE FROM shared_records WHERE expires <= ?";
static const char sql_purge_user[] =
    "DELETE FROM shared_records WHERE tenant = ? AND user_id = ?";

static enum bk_err
s_insert(void *conn, const struct shared_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_blob(&p, row->hash, STORE_HASH_LEN);
    myp_int(&p, row->user_id);
    myp_text(&p, row->record);
    myp_int(&p, row->created);
    myp_int(&p, row->expires);
    myp_blob(&p, row->body ? row->body : (const uint8_t *)"", row->body_len);
    return my_exec(conn, sql_insert, &p, NULL);
}

static enum bk_err
s_get(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN], struct shared_row *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    uint8_t *h = NULL;
    size_t h_len = 0;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_blob(&p, hash, STORE_HASH_LEN);
    err = my_query(conn, sql_get, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK) {
        out->tenant = my_col_int(&r, 0);
        err = my_col_blob(&r, 1, &h, &h_len);
    }
    if (err == BK_OK) {
        if (h != NULL && h_len == STORE_HASH_LEN)
            memcpy(out->hash, h, STORE_HASH_LEN);
        out->user_id = my_col_int(&r, 2);
        my_col_text(&r, 3, out->record, sizeof out->record);
        out->created = my_col_int(&r, 4);
        out->expires = my_col_int(&r, 5);
        err = my_col_blob(&r, 6, &out->body, &out->body_len);
    }
    mem_free(h);
    my_done(&r);
    return err;
}

static enum bk_err
s_purge_expired(void *conn, int64_t now, int64_t *removed)
{
    struct my_params p = { 0 };

    myp_int(&p, now);
    return my_exec(conn, sql_purge_expired, &p, removed);
}

static enum bk_err
s_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, user_id);
    return my_exec(conn, sql_purge_user, &p, NULL);
}

const struct store_shared_ops mysql_shared_ops = {
    .insert = s_insert,
    .get = s_get,
    .purge_expired = s_purge_expired,
    .purge_user = s_purge_user,
};
