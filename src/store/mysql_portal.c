/* The portal family (store/portal.h) on MySQL/MariaDB: login codes, portal
 * sessions and rate counters, as in sqlite_portal.c. */
#include <string.h>

#include "../base/mem.h"
#include "mysql.h"
#include "mysql_int.h"
#include "portal.h"

static const char sql_code_put[] =
    "INSERT INTO portal_codes (tenant, ident_hash, user_token, code_hash, created, expires, "
    "attempts) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "user_token = VALUES(user_token), code_hash = VALUES(code_hash), "
    "created = VALUES(created), expires = VALUES(expires), attempts = VALUES(attempts)";
static const char sql_code_get[] =
    "SELECT user_token, code_hash, created, expires, attempts FROM portal_codes "
    "WHERE tenant = ? AND ident_hash = ?";
static const char sql_code_attempt[] =
    "UPDATE portal_codes SET attempts = attempts + 1 WHERE tenant = ? AND ident_hash = ?";
static const char sql_code_remove[] =
    "DELETE FROM portal_codes WHERE tenant = ? AND ident_hash = ?";
static const char sql_session_put[] =
    "INSERT INTO portal_sessions (tenant, token_hash, user_token, created, expires) "
    "VALUES (?, ?, ?, ?, ?)";
static const char sql_session_get[] =
    "SELECT user_token FROM portal_sessions WHERE tenant = ? AND token_hash = ? "
    "AND expires > ?";
static const char sql_session_remove[] =
    "DELETE FROM portal_sessions WHERE tenant = ? AND token_hash = ?";
static const char sql_delete_user_codes[] =
    "DELETE FROM portal_codes WHERE tenant = ? AND user_token = ?";
static const char sql_delete_user_sessions[] =
    "DELETE FROM portal_sessions WHERE tenant = ? AND user_token = ?";
/* The assignments read the row's old window_start: count is set first, and
 * window_start's own expression reads itself. */
static const char sql_hit[] =
    "INSERT INTO portal_hits (tenant, key_hash, window_start, `count`) VALUES (?, ?, ?, 1) "
    "ON DUPLICATE KEY UPDATE "
    "`count` = CASE WHEN window_start <= ? - ? THEN 1 ELSE `count` + 1 END, "
    "window_start = CASE WHEN window_start <= ? - ? THEN ? ELSE window_start END";
static const char sql_hit_count[] =
    "SELECT `count` FROM portal_hits WHERE tenant = ? AND key_hash = ?";
static const char sql_purge_codes[] = "DELETE FROM portal_codes WHERE expires <= ? LIMIT ?";
static const char sql_purge_sessions[] =
    "DELETE FROM portal_sessions WHERE expires <= ? LIMIT ?";
static const char sql_purge_hits[] = "DELETE FROM portal_hits WHERE window_start < ? LIMIT ?";

static enum bk_err
po_code_put(void *conn, int64_t tenant, const struct portal_code_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_blob(&p, row->ident_hash, STORE_HASH_LEN);
    myp_text(&p, row->user_token[0] != '\0' ? row->user_token : NULL);
    myp_blob(&p, row->code_hash, STORE_HASH_LEN);
    myp_int(&p, row->created);
    myp_int(&p, row->expires);
    myp_int(&p, row->attempts);
    return my_exec(conn, sql_code_put, &p, NULL);
}

static enum bk_err
po_code_get(void *conn, int64_t tenant, const uint8_t ident_hash[STORE_HASH_LEN],
            struct portal_code_row *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    uint8_t *b = NULL;
    size_t n = 0;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_blob(&p, ident_hash, STORE_HASH_LEN);
    err = my_query(conn, sql_code_get, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK) {
        memcpy(out->ident_hash, ident_hash, STORE_HASH_LEN);
        my_col_text(&r, 0, out->user_token, sizeof out->user_token);
        err = my_col_blob(&r, 1, &b, &n);
        if (err == BK_OK && n == STORE_HASH_LEN)
            memcpy(out->code_hash, b, STORE_HASH_LEN);
        else if (err == BK_OK)
            err = BK_ECORRUPT;
        mem_free(b);
        out->created = my_col_int(&r, 2);
        out->expires = my_col_int(&r, 3);
        out->attempts = my_col_int(&r, 4);
    }
    my_done(&r);
    return err;
}

/* Run <sql> with (tenant, hash). */
static enum bk_err
by_hash(struct my_conn *c, const char *sql, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
        int must_change)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_blob(&p, hash, STORE_HASH_LEN);
    return must_change ? my_exec_found(c, sql, &p) : my_exec(c, sql, &p, NULL);
}

static enum bk_err
po_code_attempt(void *conn, int64_t tenant, const uint8_t ident_hash[STORE_HASH_LEN])
{
    /* attempts + 1 always changes the row, so the count is exact here */
    return by_hash(conn, sql_code_attempt, tenant, ident_hash, 1);
}

static enum bk_err
po_code_remove(void *conn, int64_t tenant, const uint8_t ident_hash[STORE_HASH_LEN])
{
    return by_hash(conn, sql_code_remove, tenant, ident_hash, 0);
}

static enum bk_err
po_session_put(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN],
               const char *user_token, int64_t created, int64_t expires)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_blob(&p, token_hash, STORE_HASH_LEN);
    myp_text(&p, user_token);
    myp_int(&p, created);
    myp_int(&p, expires);
    return my_exec(conn, sql_session_put, &p, NULL);
}

static enum bk_err
po_session_get(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN], int64_t now,
               char user_token_out[37])
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    user_token_out[0] = '\0';
    myp_int(&p, tenant);
    myp_blob(&p, token_hash, STORE_HASH_LEN);
    myp_int(&p, now);
    err = my_query(conn, sql_session_get, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        my_col_text(&r, 0, user_token_out, 37);
    my_done(&r);
    return err;
}

static enum bk_err
po_session_remove(void *conn, int64_t tenant, const uint8_t token_hash[STORE_HASH_LEN])
{
    return by_hash(conn, sql_session_remove, tenant, token_hash, 1);
}

static enum bk_err
delete_user_in(struct my_conn *c, const char *sql, int64_t tenant, const char *user_token)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_text(&p, user_token);
    return my_exec(c, sql, &p, NULL);
}

static enum bk_err
po_delete_user(void *conn, int64_t tenant, const char *user_token)
{
    enum bk_err err = delete_user_in(conn, sql_delete_user_codes, tenant, user_token);

    if (err == BK_OK)
        err = delete_user_in(conn, sql_delete_user_sessions, tenant, user_token);
    return err;
}

static enum bk_err
po_hit(void *conn, int64_t tenant, const uint8_t key_hash[STORE_HASH_LEN], int64_t now,
       int64_t window_s, int64_t *count)
{
    struct my_params p = { 0 }, q = { 0 };
    enum bk_err err;

    *count = 0;
    myp_int(&p, tenant);
    myp_blob(&p, key_hash, STORE_HASH_LEN);
    myp_int(&p, now);
    myp_int(&p, now);
    myp_int(&p, window_s);
    myp_int(&p, now);
    myp_int(&p, window_s);
    myp_int(&p, now);
    err = my_exec(conn, sql_hit, &p, NULL);
    if (err != BK_OK)
        return err;
    /* the row stays locked by this transaction: its count is this hit's */
    myp_int(&q, tenant);
    myp_blob(&q, key_hash, STORE_HASH_LEN);
    return my_query_int(conn, sql_hit_count, &q, count);
}

static enum bk_err
purge_one(struct my_conn *c, const char *sql, int64_t before, int64_t limit, int64_t *deleted)
{
    struct my_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    myp_int(&p, before);
    myp_int(&p, limit);
    err = my_exec(c, sql, &p, &n);
    if (err == BK_OK)
        *deleted += n;
    return err;
}

static enum bk_err
po_purge_expired(void *conn, int64_t now, int64_t hits_before, int64_t limit, int64_t *deleted)
{
    enum bk_err err;

    *deleted = 0;
    err = purge_one(conn, sql_purge_codes, now, limit, deleted);
    if (err == BK_OK)
        err = purge_one(conn, sql_purge_sessions, now, limit, deleted);
    if (err == BK_OK)
        err = purge_one(conn, sql_purge_hits, hits_before, limit, deleted);
    return err;
}

const struct store_portal_ops mysql_portal_ops = {
    .code_put = po_code_put,
    .code_get = po_code_get,
    .code_attempt = po_code_attempt,
    .code_remove = po_code_remove,
    .session_put = po_session_put,
    .session_get = po_session_get,
    .session_remove = po_session_remove,
    .delete_user = po_delete_user,
    .hit = po_hit,
    .purge_expired = po_purge_expired,
};
