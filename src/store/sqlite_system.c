/* SQLite backend of the "system" family: cross-tenant counts and status
 * changes, and the SQL dump. The dump is the one place that
 * prepares statements from text not written here: table names read from
 * sqlite_master (the schema, never client input), quoted as identifiers. */
#include "sqlite.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "sqlite_int.h"

static const char sql_tenants[] = "SELECT DISTINCT tenant FROM users ORDER BY tenant";
static const char sql_count_all[] = "SELECT count(*) FROM users WHERE status = 1";
static const char sql_count_tenants[] = "SELECT count(DISTINCT tenant) FROM users";
/* indexed by STORE_COUNT_* */
static const char *const sql_count_rows[] = {
    "SELECT count(*) FROM sessions WHERE expires > ?1",
    "SELECT count(*) FROM agreements",
    "SELECT count(*) FROM requests WHERE status = 'open'",
    "SELECT count(*) FROM access_xtokens WHERE ?1 IS NOT NULL",
};
static const char sql_set_status[] = "UPDATE users SET status = ?4, updated = ?5 "
                                     "WHERE tenant = ?1 AND id = ?2 AND status = ?3";
static const char sql_schema_tables[] =
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
    "AND (name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR name = 'sqlite_sequence') ORDER BY rowid";
static const char sql_schema_rest[] =
    "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger', 'view') "
    "AND sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid";

#define DUMP_CHUNK (64 * 1024)   /* rows are handed over in pieces of about this size */

static enum bk_err
sys_tenant_list(void *conn, store_tenant_id_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_tenants, &st);
    int rc;

    if (err != BK_OK)
        return err;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        err = fn(arg, sqlite3_column_int64(st, 0));
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
count(struct sq_conn *c, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql, &st);

    *out = 0;
    return err == BK_OK ? sq_step_int64(c, st, out) : err;
}

static enum bk_err
sys_count_all_users(void *conn, int64_t *out)
{
    return count(conn, sql_count_all, out);
}

static enum bk_err
sys_count_tenants(void *conn, int64_t *out)
{
    return count(conn, sql_count_tenants, out);
}

static enum bk_err
sys_count_rows(void *conn, int what, int64_t now, int64_t *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;

    *out = 0;
    if (what < 0 || (size_t)what >= sizeof sql_count_rows / sizeof sql_count_rows[0])
        return BK_EINVAL;
    err = sq_prepare(c, sql_count_rows[what], &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, now);
    return sq_step_int64(c, st, out);
}

static enum bk_err
sys_user_set_status(void *conn, int64_t tenant, int64_t id, int from, int to, int64_t when)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql_set_status, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int(st, 3, from);
    sqlite3_bind_int(st, 4, to);
    sqlite3_bind_int64(st, 5, when);
    err = sq_exec_done(c, st);
    if (err == BK_OK && sqlite3_changes(c->db) != 1)
        err = BK_ENOTFOUND;
    return err;
}

/* ---- the dump ---- */

struct dump {
    struct sq_conn *c;
    struct buf out;          /* pending text, handed to fn at DUMP_CHUNK */
    store_text_fn fn;
    void *arg;
};

static enum bk_err
flush(struct dump *d, int force)
{
    enum bk_err err = BK_OK;

    if (d->out.len == 0 || (!force && d->out.len < DUMP_CHUNK))
        return BK_OK;
    err = d->fn(d->arg, d->out.ptr, d->out.len);
    d->out.len = 0;
    return err;
}

/* <s> (<n> bytes) between double quotes, inner quotes doubled. */
static enum bk_err
put_ident(struct buf *b, const char *s, size_t n)
{
    enum bk_err err = buf_append(b, "\"", 1);

    for (size_t i = 0; i < n && err == BK_OK; i++)
        err = buf_append(b, s[i] == '"' ? "\"\"" : &s[i], s[i] == '"' ? 2 : 1);
    return err == BK_OK ? buf_append(b, "\"", 1) : err;
}

static enum bk_err
put_hex(struct buf *b, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char pair[2];
    enum bk_err err = BK_OK;

    for (size_t i = 0; i < n && err == BK_OK; i++) {
        pair[0] = digits[p[i] >> 4];
        pair[1] = digits[p[i] & 15];
        err = buf_append(b, pair, 2);
    }
    return err;
}

static enum bk_err
put_value(struct buf *b, sqlite3_stmt *st, int col)
{
    const unsigned char *t;
    size_t n;
    double v;
    enum bk_err err;

    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        return buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, col));
    case SQLITE_FLOAT:
        v = sqlite3_column_double(st, col);
        if (isnan(v))
            return buf_append_str(b, "NULL");
        if (isinf(v))
            return buf_append_str(b, v > 0 ? "1e999" : "-1e999");
        return buf_printf(b, "%.17g", v);
    case SQLITE_TEXT:
        t = sqlite3_column_text(st, col);
        n = (size_t)sqlite3_column_bytes(st, col);
        if (t != NULL && memchr(t, '\0', n) != NULL) {
            /* text with NUL bytes does not survive a quoted literal */
            err = buf_append_str(b, "CAST(X'");
            if (err == BK_OK)
                err = put_hex(b, t, n);
            return err == BK_OK ? buf_append_str(b, "' AS TEXT)") : err;
        }
        err = buf_append(b, "'", 1);
        for (size_t i = 0; i < n && err == BK_OK; i++)
            err = buf_append(b, t[i] == '\'' ? "''" : (const char *)&t[i], t[i] == '\'' ? 2 : 1);
        return err == BK_OK ? buf_append(b, "'", 1) : err;
    case SQLITE_BLOB:
        err = buf_append_str(b, "X'");
        if (err == BK_OK)
            err = put_hex(b, sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col));
        return err == BK_OK ? buf_append(b, "'", 1) : err;
    default:
        return buf_append_str(b, "NULL");
    }
}

/* INSERT statements for every row of table <name>. */
static enum bk_err
dump_rows(struct dump *d, const char *name, size_t name_len)
{
    struct buf q;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    int rc, ncol;

    buf_init(&q, 4096);
    err = buf_append_str(&q, "SELECT * FROM ");
    if (err == BK_OK)
        err = put_ident(&q, name, name_len);
    if (err != BK_OK)
        goto out;
    rc = sqlite3_prepare_v2(d->c->db, q.ptr, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        err = sq_err(d->c->db, rc);
        goto out;
    }
    ncol = sqlite3_column_count(st);
    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        err = buf_append_str(&d->out, "INSERT INTO ");
        if (err == BK_OK)
            err = put_ident(&d->out, name, name_len);
        if (err == BK_OK)
            err = buf_append_str(&d->out, " VALUES(");
        for (int i = 0; i < ncol && err == BK_OK; i++) {
            if (i > 0)
                err = buf_append(&d->out, ",", 1);
            if (err == BK_OK)
                err = put_value(&d->out, st, i);
        }
        if (err == BK_OK)
            err = buf_append_str(&d->out, ");\n");
        if (err == BK_OK)
            err = flush(d, 0);
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(d->c->db, rc);
out:
    sqlite3_finalize(st);
    buf_cleanup(&q);
    return err;
}

static enum bk_err
dump_tables(struct dump *d)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(d->c, sql_schema_tables, &st);
    int rc = SQLITE_DONE;

    if (err != BK_OK)
        return err;
    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        size_t name_len = (size_t)sqlite3_column_bytes(st, 0);
        char *copy = mem_strndup(name, name_len);

        if (copy == NULL) {
            err = BK_ENOMEM;
            break;
        }
        if (strcmp(copy, "sqlite_sequence") == 0)
            err = buf_append_str(&d->out, "DELETE FROM sqlite_sequence;\n");
        else
            err = buf_printf(&d->out, "%s;\n", (const char *)sqlite3_column_text(st, 1));
        if (err == BK_OK)
            err = dump_rows(d, copy, name_len);
        mem_free(copy);
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(d->c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
dump_rest(struct dump *d)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(d->c, sql_schema_rest, &st);
    int rc = SQLITE_DONE;

    if (err != BK_OK)
        return err;
    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        err = buf_printf(&d->out, "%s;\n", (const char *)sqlite3_column_text(st, 0));
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(d->c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
sys_backup_sql(void *conn, store_text_fn fn, void *arg)
{
    struct dump d = { .c = conn, .fn = fn, .arg = arg };
    enum bk_err err;
    int rc;

    buf_init(&d.out, (size_t)16 * DUMP_CHUNK);
    rc = sqlite3_exec(d.c->db, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sq_err(d.c->db, rc);
    err = buf_append_str(&d.out, "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n");
    if (err == BK_OK)
        err = dump_tables(&d);
    if (err == BK_OK)
        err = dump_rest(&d);
    if (err == BK_OK)
        err = buf_append_str(&d.out, "COMMIT;\n");
    if (err == BK_OK)
        err = flush(&d, 1);
    sqlite3_exec(d.c->db, "ROLLBACK", NULL, NULL, NULL);
    buf_cleanup(&d.out);
    return err;
}

const struct store_system_ops sqlite_system_ops = {
    .backup_sql = sys_backup_sql,
    .tenant_list = sys_tenant_list,
    .count_all_users = sys_count_all_users,
    .count_tenants = sys_count_tenants,
    .count_rows = sys_count_rows,
    .user_set_status = sys_user_set_status,
};
