/* The sessions family on MySQL/MariaDB: the statements of
 * sqlite_sessions.c. The expiry sweep removes by expiry time alone, across
 * tenants. */
#include <string.h>

#include "mysql.h"
#include "mysql_int.h"
#include "sessions.h"

#define SESSION_COLS "id, tenant, sid_hash, user_token, dek, body, version, created, updated, " \
                     "expires, final"

static const char sql_get[] =
    "SELECT " SESSION_COLS " FROM sessions WHERE tenant = ? AND sid_hash = ?";
static const char sql_put[] =
    "INSERT INTO sessions (tenant, sid_hash, user_token, dek, body, version, created, updated, "
    "expires, final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE user_token = VALUES(user_token), dek = VALUES(dek), "
    "body = VALUES(body), version = VALUES(version), created = VALUES(created), "
    "updated = VALUES(updated), expires = VALUES(expires), final = VALUES(final)";
static const char sql_remove[] = "DELETE FROM sessions WHERE tenant = ? AND sid_hash = ?";
static const char sql_list_user[] =
    "SELECT " SESSION_COLS " FROM sessions WHERE tenant = ? AND user_token = ? "
    "AND expires > ? ORDER BY created, id";
static const char sql_delete_user[] = "DELETE FROM sessions WHERE tenant = ? AND user_token = ?";
static const char sql_purge[] = "DELETE FROM sessions WHERE expires <= ? LIMIT ?";

static enum bk_err
read_row(struct my_result *r, void *arg)
{
    struct session_row *out = arg;
    uint8_t *hash = NULL;
    size_t n = 0;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    err = my_col_blob(r, 2, &hash, &n);
    if (err != BK_OK)
        return err;
    if (n != STORE_HASH_LEN) {
        mem_free(hash);
        return BK_ECORRUPT;
    }
    memcpy(out->sid_hash, hash, STORE_HASH_LEN);
    mem_free(hash);
    my_col_text(r, 3, out->user_token, sizeof out->user_token);
    out->version = my_col_int(r, 6);
    out->created = my_col_int(r, 7);
    out->updated = my_col_int(r, 8);
    out->expires = my_col_int(r, 9);
    out->final = my_col_int(r, 10);
    err = my_col_blob(r, 4, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = my_col_blob(r, 5, &out->body, &out->body_len);
    if (err != BK_OK)
        store_session_row_cleanup(out);
    return err;
}

static enum bk_err
se_get(void *conn, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN],
       struct session_row *out)
{
    struct my_params p = { 0 };

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_blob(&p, sid_hash, STORE_HASH_LEN);
    return my_query_row(conn, sql_get, &p, read_row, out);
}

static enum bk_err
se_put(void *conn, const struct session_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_blob(&p, row->sid_hash, STORE_HASH_LEN);
    myp_text(&p, row->user_token[0] != '\0' ? row->user_token : NULL);
    myp_blob(&p, row->dek, row->dek_len);
    myp_blob(&p, row->body, row->body_len);
    myp_int(&p, row->version);
    myp_int(&p, row->created);
    myp_int(&p, row->updated);
    myp_int(&p, row->expires);
    myp_int(&p, row->final);
    return my_exec(conn, sql_put, &p, NULL);
}

static enum bk_err
se_remove(void *conn, int64_t tenant, const uint8_t sid_hash[STORE_HASH_LEN])
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_blob(&p, sid_hash, STORE_HASH_LEN);
    return my_exec_found(conn, sql_remove, &p);
}

static enum bk_err
se_list_user(void *conn, int64_t tenant, const char *user_token, int64_t now,
             store_session_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    myp_int(&p, tenant);
    myp_text(&p, user_token);
    myp_int(&p, now);
    err = my_query(conn, sql_list_user, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct session_row row;

        err = read_row(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_session_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
se_delete_user(void *conn, int64_t tenant, const char *user_token)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_text(&p, user_token);
    return my_exec(conn, sql_delete_user, &p, NULL);
}

static enum bk_err
se_purge_expired(void *conn, int64_t now, int64_t limit, int64_t *deleted)
{
    struct my_params p = { 0 };

    *deleted = 0;
    myp_int(&p, now);
    myp_int(&p, limit);
    return my_exec(conn, sql_purge, &p, deleted);
}

const struct store_sessions_ops mysql_sessions_ops = {
    .get = se_get,
    .put = se_put,
    .remove = se_remove,
    .list_user = se_list_user,
    .delete_user = se_delete_user,
    .purge_expired = se_purge_expired,
};
