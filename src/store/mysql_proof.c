/* The integrity checks' store family (store/proof.h) on MySQL/MariaDB: the
 * audit trail in chain order, and the signed chain heads kept in the
 * audit_head row whose lock already serializes a tenant's audit writers
 * (migration 0009 adds its hash and mac columns; NULL: no head signed yet). */
#include <string.h>

#include "../base/mem.h"
#include "mysql.h"
#include "mysql_int.h"
#include "proof.h"

static const char sql_audit_scan[] =
    "SELECT id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, "
    "prev_hash, hash FROM audit ORDER BY tenant, id";
static const char sql_head_get[] =
    "SELECT hash, mac FROM audit_head WHERE tenant = ? AND hash IS NOT NULL";
static const char sql_head_put[] =
    "INSERT INTO audit_head (tenant, n, hash, mac) VALUES (?, 1, ?, ?) "
    "ON DUPLICATE KEY UPDATE hash = VALUES(hash), mac = VALUES(mac)";
static const char sql_head_scan[] =
    "SELECT tenant, hash, mac FROM audit_head WHERE hash IS NOT NULL ORDER BY tenant";

/* Copy a 32-byte column; a stored value of another length reads as zeros,
 * which no MAC check accepts. */
static enum bk_err
col_hash(struct my_result *r, unsigned col, uint8_t out[STORE_HASH_LEN])
{
    uint8_t *b = NULL;
    size_t n = 0;
    enum bk_err err = my_col_blob(r, col, &b, &n);

    memset(out, 0, STORE_HASH_LEN);
    if (err == BK_OK && n == STORE_HASH_LEN)
        memcpy(out, b, STORE_HASH_LEN);
    mem_free(b);
    return err;
}

static enum bk_err
read_audit(struct my_result *r, struct audit_row *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    my_col_text(r, 2, out->atoken, sizeof out->atoken);
    my_col_text(r, 3, out->record, sizeof out->record);
    out->when = my_col_int(r, 4);
    my_col_text(r, 5, out->action, sizeof out->action);
    my_col_text(r, 6, out->who, sizeof out->who);
    my_col_text(r, 7, out->mode, sizeof out->mode);
    my_col_text(r, 8, out->status, sizeof out->status);
    my_col_text(r, 9, out->msg, sizeof out->msg);
    err = col_hash(r, 11, out->prev_hash);
    if (err == BK_OK)
        err = col_hash(r, 12, out->hash);
    if (err == BK_OK)
        err = my_col_blob(r, 10, &out->sealed, &out->sealed_len);
    return err;
}

static enum bk_err
audit_scan(void *conn, store_audit_fn fn, void *arg)
{
    struct my_result r;
    enum bk_err err = my_query(conn, sql_audit_scan, NULL, &r);

    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct audit_row row;

        err = read_audit(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_audit_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
head_get(void *conn, int64_t tenant, struct audit_head *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->tenant = tenant;
    myp_int(&p, tenant);
    err = my_query(conn, sql_head_get, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        err = col_hash(&r, 0, out->hash);
    if (err == BK_OK)
        err = col_hash(&r, 1, out->mac);
    my_done(&r);
    return err;
}

static enum bk_err
head_put(void *conn, const struct audit_head *head)
{
    struct my_params p = { 0 };

    myp_int(&p, head->tenant);
    myp_blob(&p, head->hash, STORE_HASH_LEN);
    myp_blob(&p, head->mac, STORE_HASH_LEN);
    return my_exec(conn, sql_head_put, &p, NULL);
}

static enum bk_err
head_scan(void *conn, store_head_fn fn, void *arg)
{
    struct my_result r;
    enum bk_err err = my_query(conn, sql_head_scan, NULL, &r);

    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct audit_head h;

        h.tenant = my_col_int(&r, 0);
        err = col_hash(&r, 1, h.hash);
        if (err == BK_OK)
            err = col_hash(&r, 2, h.mac);
        if (err == BK_OK)
            err = fn(arg, &h);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

const struct store_proof_ops mysql_proof_ops = {
    .audit_scan = audit_scan,
    .head_get = head_get,
    .head_put = head_put,
    .head_scan = head_scan,
};
