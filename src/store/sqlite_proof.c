/* SQLite side of the integrity checks: the audit trail in chain order and
 * the signed chain heads (table audit_head, migration 0009). */
#include "proof.h"

#include <string.h>

#include "sqlite.h"
#include "sqlite_int.h"

static const char sql_audit_scan[] =
    "SELECT id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, "
    "prev_hash, hash FROM audit ORDER BY tenant, id";
static const char sql_head_get[] = "SELECT hash, mac FROM audit_head WHERE tenant = ?1";
static const char sql_head_put[] =
    "INSERT INTO audit_head (tenant, hash, mac) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (tenant) DO UPDATE SET hash = excluded.hash, mac = excluded.mac";
static const char sql_head_scan[] = "SELECT tenant, hash, mac FROM audit_head ORDER BY tenant";

static enum bk_err
audit_scan(void *conn, store_audit_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_audit_scan, &st);
    int rc;

    if (err != BK_OK)
        return err;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct audit_row row;

        err = sq_read_audit(st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_audit_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

/* Copy a 32-byte blob column; a stored value of another length reads as zeros,
 * which no MAC check accepts. */
static void
col_hash(sqlite3_stmt *st, int col, uint8_t out[STORE_HASH_LEN])
{
    memset(out, 0, STORE_HASH_LEN);
    if (sqlite3_column_bytes(st, col) == STORE_HASH_LEN)
        memcpy(out, sqlite3_column_blob(st, col), STORE_HASH_LEN);
}

static enum bk_err
head_get(void *conn, int64_t tenant, struct audit_head *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_head_get, &st);
    int rc;

    memset(out, 0, sizeof *out);
    out->tenant = tenant;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        col_hash(st, 0, out->hash);
        col_hash(st, 1, out->mac);
    } else {
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    }
    sq_done(st);
    return err;
}

static enum bk_err
head_put(void *conn, const struct audit_head *head)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_head_put, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, head->tenant);
    sqlite3_bind_blob(st, 2, head->hash, STORE_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, head->mac, STORE_HASH_LEN, SQLITE_STATIC);
    return sq_exec_done(c, st);
}

static enum bk_err
head_scan(void *conn, store_head_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_head_scan, &st);
    int rc;

    if (err != BK_OK)
        return err;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct audit_head h;

        h.tenant = sqlite3_column_int64(st, 0);
        col_hash(st, 1, h.hash);
        col_hash(st, 2, h.mac);
        err = fn(arg, &h);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

const struct store_proof_ops sqlite_proof_ops = {
    .audit_scan = audit_scan,
    .head_get = head_get,
    .head_put = head_put,
    .head_scan = head_scan,
};
