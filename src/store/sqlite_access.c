/* SQLite implementation of the access-control family (store/access.h).
 * Every statement is static text with bound parameters and filters on the
 * tenant. */
#include "sqlite.h"

#include <string.h>

#include <sqlite3.h>

#include "../base/mem.h"
#include "access.h"
#include "gramlist.h"
#include "sqlite_int.h"

#define USER_COLS "u.id, u.tenant, u.token, u.status, u.dek, u.body, u.version, u.created, " \
                  "u.updated"
#define AUDIT_COLS "id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, " \
                   "prev_hash, hash"

static const char sql_version_get[] = "SELECT version FROM access_version WHERE tenant = ?1";
static const char sql_version_bump[] =
    "INSERT INTO access_version (tenant, version) VALUES (?1, 1) "
    "ON CONFLICT (tenant) DO UPDATE SET version = version + 1";
static const char sql_role_insert[] =
    "INSERT INTO access_roles (tenant, name, descr, created) VALUES (?1, ?2, ?3, ?4)";
static const char sql_role_by_id[] =
    "SELECT id, name, descr, '' FROM access_roles WHERE tenant = ?1 AND id = ?2";
static const char sql_role_by_name[] =
    "SELECT id, name, descr, '' FROM access_roles WHERE tenant = ?1 AND name = ?2";
static const char sql_role_update[] =
    "UPDATE access_roles SET name = coalesce(?3, name), descr = coalesce(?4, descr) "
    "WHERE tenant = ?1 AND id = ?2";
static const char sql_policy_insert[] =
    "INSERT INTO access_policies (tenant, name, descr, body, created, updated) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
static const char sql_policy_by_id[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = ?1 AND id = ?2";
static const char sql_policy_by_name[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = ?1 AND name = ?2";
static const char sql_policy_update[] =
    "UPDATE access_policies SET name = coalesce(?3, name), descr = coalesce(?4, descr), "
    "body = coalesce(?5, body), updated = ?6 WHERE tenant = ?1 AND id = ?2";
static const char sql_policy_list[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = ?1 ORDER BY id";
static const char sql_role_link[] =
    "INSERT INTO access_role_policies (tenant, role_id, policy_id) VALUES (?1, ?2, ?3)";
static const char sql_role_links[] =
    "SELECT role_id, policy_id FROM access_role_policies WHERE tenant = ?1";
static const char sql_group_insert[] =
    "INSERT INTO access_groups (tenant, name, descr, gtype, created) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_group_by_id[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = ?1 AND id = ?2";
static const char sql_group_by_name[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = ?1 AND name = ?2";
static const char sql_group_update[] =
    "UPDATE access_groups SET name = coalesce(?3, name), descr = coalesce(?4, descr), "
    "gtype = coalesce(?5, gtype) WHERE tenant = ?1 AND id = ?2";
static const char sql_group_delete[] = "DELETE FROM access_groups WHERE tenant = ?1 AND id = ?2";
static const char sql_group_delete_members[] =
    "DELETE FROM access_members WHERE tenant = ?1 AND group_id = ?2";
static const char sql_group_list[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = ?1 ORDER BY id";
static const char sql_member_add[] =
    "INSERT INTO access_members (tenant, group_id, user_id, role_id) VALUES (?1, ?2, ?3, ?4)";
static const char sql_member_delete[] =
    "DELETE FROM access_members WHERE tenant = ?1 AND group_id = ?2 AND user_id = ?3";
static const char sql_member_purge[] =
    "DELETE FROM access_members WHERE tenant = ?1 AND user_id = ?2";
static const char sql_members_of_user[] =
    "SELECT m.group_id, m.user_id, m.role_id, g.name, g.descr, coalesce(r.name, '') "
    "FROM access_members m JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = ?1 AND m.user_id = ?2 ORDER BY m.group_id, m.role_id";
static const char sql_members_of_group[] =
    "SELECT m.group_id, m.user_id, m.role_id, g.name, g.descr, coalesce(r.name, '') "
    "FROM access_members m JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = ?1 AND m.group_id = ?2 ORDER BY m.user_id, m.role_id";
static const char sql_group_users_count[] =
    "SELECT count(DISTINCT m.user_id) FROM access_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.tenant = ?1 AND m.group_id = ?2 AND u.tenant = ?1 AND u.status = 1";
static const char sql_group_users_page[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = ?1 AND u.status = 1 AND u.id IN "
    "(SELECT user_id FROM access_members WHERE tenant = ?1 AND group_id = ?2) "
    "ORDER BY u.id LIMIT ?3 OFFSET ?4";
static const char sql_xtoken_insert[] =
    "INSERT INTO access_xtokens (tenant, hash, kind, user_id, role_id, created, finaltime, "
    "slidingtime, lastused) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
/* The token and its holder (users or roles by id) in one indexed read. */
static const char sql_xtoken_by_hash[] =
    "SELECT x.id, x.tenant, x.hash, x.kind, x.user_id, x.role_id, x.created, x.finaltime, "
    "x.slidingtime, x.lastused, coalesce(u.id, r.id, 0), coalesce(u.status, 0), "
    "coalesce(u.token, ''), coalesce(r.name, '') FROM access_xtokens x "
    "LEFT JOIN users u ON x.kind = 3 AND u.tenant = x.tenant AND u.id = x.user_id "
    "LEFT JOIN access_roles r ON x.kind = 4 AND r.tenant = x.tenant AND r.id = x.role_id "
    "WHERE x.tenant = ?1 AND x.hash = ?2";
static const char sql_xtoken_touch[] =
    "UPDATE access_xtokens SET lastused = ?3 WHERE tenant = ?1 AND id = ?2 AND lastused < ?3";
static const char sql_xtoken_purge[] =
    "DELETE FROM access_xtokens WHERE tenant = ?1 AND kind = 3 AND user_id = ?2";
static const char sql_xtoken_sweep[] =
    "DELETE FROM access_xtokens WHERE tenant = ?1 AND ((finaltime > 0 AND finaltime <= ?2) OR "
    "(slidingtime > 0 AND lastused + slidingtime <= ?2))";
static const char sql_unlock_insert[] =
    "INSERT INTO access_unlocks (tenant, hash, owner, purpose, expires) "
    "VALUES (?1, ?2, ?3, '', ?4)";
static const char sql_unlock_get[] =
    "SELECT owner, purpose, expires FROM access_unlocks WHERE tenant = ?1 AND hash = ?2";
static const char sql_unlock_bind[] =
    "UPDATE access_unlocks SET purpose = ?3 WHERE tenant = ?1 AND hash = ?2 AND purpose = ''";
static const char sql_unlock_sweep[] =
    "DELETE FROM access_unlocks WHERE tenant = ?1 AND expires <= ?2";
static const char sql_users_count[] =
    "SELECT count(*) FROM users WHERE tenant = ?1 AND status = 1";
static const char sql_users_page[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = ?1 AND u.status = 1 ORDER BY u.id "
    "LIMIT ?2 OFFSET ?3";
static const char sql_user_by_id[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = ?1 AND u.id = ?2";
static const char sql_audit_count[] = "SELECT count(*) FROM audit WHERE tenant = ?1";
static const char sql_audit_page[] =
    "SELECT " AUDIT_COLS " FROM audit WHERE tenant = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3";
/* Postings as lists (gramlist.h): a row per (tenant, kind, bucket, gram).
 * Putting merges the new offsets into the list (bk_ids_union), in one
 * statement for GRAM_LISTS_PER_STMT lists: ?1 is the tenant; list i binds
 * kind, bucket, gram and its offsets at 2 + 4i .. 5 + 4i (a bare ? numbers
 * on from the largest yet). */
#define GRAM_LISTS_PER_STMT 32
#define GRAM_ROW "(?1, ?, ?, ?, ?)"
#define GRAM_ROWS4 GRAM_ROW ", " GRAM_ROW ", " GRAM_ROW ", " GRAM_ROW
#define GRAM_ROWS16 GRAM_ROWS4 ", " GRAM_ROWS4 ", " GRAM_ROWS4 ", " GRAM_ROWS4
#define GRAM_UPSERT \
    " ON CONFLICT (tenant, kind, bucket, gram) DO UPDATE SET " \
    "ids = bk_ids_union(search_grams.ids, excluded.ids)"
static const char sql_gram_put[] =
    "INSERT INTO search_grams (tenant, kind, bucket, gram, ids) VALUES " GRAM_ROW GRAM_UPSERT;
static const char sql_gram_put_rows[] =
    "INSERT INTO search_grams (tenant, kind, bucket, gram, ids) VALUES "
    GRAM_ROWS16 ", " GRAM_ROWS16 GRAM_UPSERT;
/* Removing: the list without the offsets, then the row if nothing is left. */
static const char sql_gram_cut[] =
    "UPDATE search_grams SET ids = bk_ids_minus(ids, ?5) WHERE tenant = ?1 AND kind = ?2 "
    "AND bucket = ?3 AND gram = ?4 RETURNING length(ids)";
static const char sql_gram_drop[] =
    "DELETE FROM search_grams WHERE tenant = ?1 AND kind = ?2 AND bucket = ?3 AND gram = ?4 "
    "AND length(ids) = 0";
/* The user's bucket of each kind, not the whole index: every list holding
 * its offset ?2 loses it (?4: the offset as a list), then the emptied go. */
static const char sql_gram_purge[] =
    "UPDATE search_grams SET ids = bk_ids_minus(ids, ?4) WHERE tenant = ?1 "
    "AND kind IN (1, 2, 3, 4) AND bucket = ?3 AND bk_ids_has(ids, ?2)";
static const char sql_gram_purge_empty[] =
    "DELETE FROM search_grams WHERE tenant = ?1 AND kind IN (1, 2, 3, 4) AND bucket = ?2 "
    "AND length(ids) = 0";
/* The buckets in use for a kind: two seeks on the primary key (SQLite
 * seeks for a lone min() or max(), but scans for both in one query). */
static const char sql_gram_buckets[] =
    "SELECT (SELECT min(bucket) FROM search_grams WHERE tenant = ?1 AND kind = ?2), "
    "(SELECT max(bucket) FROM search_grams WHERE tenant = ?1 AND kind = ?2)";
/* One gram's lists, bucket by bucket in one statement: the series of
 * buckets drives a nested loop (CROSS JOIN keeps it outside) of seeks on the
 * primary key, so lists come in bucket order, and so their users in user
 * order; the reader stops at its cap. */
static const char sql_gram_postings[] =
    "WITH RECURSIVE b(n) AS (SELECT ?3 UNION ALL SELECT n + 1 FROM b WHERE n < ?4) "
    "SELECT s.bucket, s.ids FROM b CROSS JOIN search_grams s WHERE s.tenant = ?1 "
    "AND s.kind = ?2 AND s.bucket = b.n AND s.gram = ?5";

static const char sql_pend_put[] =
    "INSERT OR REPLACE INTO search_pending (tenant, user_id, kind, created, grams) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_pend_get[] =
    "SELECT grams FROM search_pending WHERE tenant = ?1 AND user_id = ?2 AND kind = ?3";
static const char sql_pend_delete[] =
    "DELETE FROM search_pending WHERE tenant = ?1 AND user_id = ?2 AND (?3 = 0 OR kind = ?3)";
static const char sql_pend_delete_through[] =
    "DELETE FROM search_pending WHERE tenant = ?1 AND (user_id, kind) <= (?2, ?3)";
static const char sql_pend_list[] =
    "SELECT user_id, kind, grams FROM search_pending WHERE tenant = ?1 AND (?2 = 0 OR kind = ?2) "
    "ORDER BY user_id, kind LIMIT ?3";
static const char sql_pend_count[] = "SELECT count(*) FROM search_pending WHERE tenant = ?1";
/* Across tenants: the merger's look at what is waiting. */
static const char sql_pend_tenants[] =
    "SELECT tenant, count(DISTINCT user_id), min(created) FROM search_pending GROUP BY tenant";

/* Prepare <sql> on <conn>; the caller binds and steps. */
static enum bk_err
prep(void *conn, const char *sql, sqlite3_stmt **st)
{
    return sq_prepare(conn, sql, st);
}

static enum bk_err
exec_changes(struct sq_conn *c, sqlite3_stmt *st, int want_change)
{
    enum bk_err err = sq_exec_done(c, st);

    if (err == BK_OK && want_change && sqlite3_changes(c->db) == 0)
        err = BK_ENOTFOUND;
    return err;
}

static enum bk_err
exec_tenant_id(struct sq_conn *c, const char *sql, int64_t tenant, int64_t id, int want_change)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    return exec_changes(c, st, want_change);
}

/* <sql> with three integer parameters, run once. */
static enum bk_err
exec_ids3(struct sq_conn *c, const char *sql, int64_t a, int64_t b, int64_t c3, int want_change)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    sqlite3_bind_int64(st, 3, c3);
    return exec_changes(c, st, want_change);
}

static enum bk_err
count_one(struct sq_conn *c, const char *sql, int64_t tenant, int64_t id, int bind_id,
          int64_t *out)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql, &st);

    *out = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    if (bind_id)
        sqlite3_bind_int64(st, 2, id);
    return sq_step_int64(c, st, out);
}

static enum bk_err
a_version_get(void *conn, int64_t tenant, int64_t *out)
{
    enum bk_err err = count_one(conn, sql_version_get, tenant, 0, 0, out);

    if (err == BK_ENOTFOUND) {
        *out = 0;
        err = BK_OK;
    }
    return err;
}

static enum bk_err
a_version_bump(void *conn, int64_t tenant)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_version_bump, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    return sq_exec_done(conn, st);
}

/* Insert with (tenant, name, descr, extra?, when); *id_out from the rowid. */
static enum bk_err
insert_named(struct sq_conn *c, const char *sql, int64_t tenant, const char *name,
             const char *descr, const char *extra, int64_t when, int64_t *id_out)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql, &st);
    int i = 4;

    *id_out = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sq_bind_text(st, 2, name);
    sq_bind_text(st, 3, descr ? descr : "");
    if (extra != NULL)
        sq_bind_text(st, i++, extra);
    sqlite3_bind_int64(st, i, when);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        *id_out = sqlite3_last_insert_rowid(c->db);
    return err;
}

static enum bk_err
get_named(struct sq_conn *c, const char *by_id, const char *by_name, int64_t tenant, int64_t id,
          const char *name, struct access_named *out)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, name ? by_name : by_id, &st);
    int rc;

    memset(out, 0, sizeof *out);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    if (name)
        sq_bind_text(st, 2, name);
    else
        sqlite3_bind_int64(st, 2, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        err = sq_col_strdup(st, 1, &out->name);
        if (err == BK_OK)
            err = sq_col_strdup(st, 2, &out->descr);
        if (err == BK_OK)
            err = sq_col_strdup(st, 3, &out->extra);
        if (err != BK_OK)
            access_named_cleanup(out);
    } else {
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    }
    sq_done(st);
    return err;
}

static enum bk_err
list_named(struct sq_conn *c, const char *sql, int64_t tenant, store_named_fn fn, void *arg)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql, &st);
    int rc;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct access_named n = {
            .id = sqlite3_column_int64(st, 0),
            .name = (char *)sqlite3_column_text(st, 1),
            .descr = (char *)sqlite3_column_text(st, 2),
            .extra = (char *)sqlite3_column_text(st, 3),
        };
        err = fn(arg, &n);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
a_role_insert(void *conn, int64_t tenant, const char *name, const char *descr, int64_t when,
              int64_t *id_out)
{
    return insert_named(conn, sql_role_insert, tenant, name, descr, NULL, when, id_out);
}

static enum bk_err
a_role_get(void *conn, int64_t tenant, int64_t id, const char *name, struct access_named *out)
{
    return get_named(conn, sql_role_by_id, sql_role_by_name, tenant, id, name, out);
}

static enum bk_err
a_role_update(void *conn, int64_t tenant, int64_t id, const char *name, const char *descr)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_role_update, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    sq_bind_text(st, 3, name);
    sq_bind_text(st, 4, descr);
    return exec_changes(conn, st, 1);
}

static enum bk_err
a_policy_insert(void *conn, int64_t tenant, const char *name, const char *descr,
                const char *body, int64_t when, int64_t *id_out)
{
    return insert_named(conn, sql_policy_insert, tenant, name, descr, body, when, id_out);
}

static enum bk_err
a_policy_get(void *conn, int64_t tenant, int64_t id, const char *name, struct access_named *out)
{
    return get_named(conn, sql_policy_by_id, sql_policy_by_name, tenant, id, name, out);
}

static enum bk_err
a_policy_update(void *conn, int64_t tenant, int64_t id, const char *name, const char *descr,
                const char *body, int64_t when)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_policy_update, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    sq_bind_text(st, 3, name);
    sq_bind_text(st, 4, descr);
    sq_bind_text(st, 5, body);
    sqlite3_bind_int64(st, 6, when);
    return exec_changes(conn, st, 1);
}

static enum bk_err
a_policy_list(void *conn, int64_t tenant, store_named_fn fn, void *arg)
{
    return list_named(conn, sql_policy_list, tenant, fn, arg);
}

static enum bk_err
a_role_link(void *conn, int64_t tenant, int64_t role_id, int64_t policy_id)
{
    return exec_ids3(conn, sql_role_link, tenant, role_id, policy_id, 0);
}

static enum bk_err
a_role_links(void *conn, int64_t tenant, store_link_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_role_links, &st);
    int rc;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        err = fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
a_group_insert(void *conn, int64_t tenant, const char *name, const char *descr,
               const char *gtype, int64_t when, int64_t *id_out)
{
    return insert_named(conn, sql_group_insert, tenant, name, descr, gtype ? gtype : "", when,
                        id_out);
}

static enum bk_err
a_group_get(void *conn, int64_t tenant, int64_t id, const char *name, struct access_named *out)
{
    return get_named(conn, sql_group_by_id, sql_group_by_name, tenant, id, name, out);
}

static enum bk_err
a_group_update(void *conn, int64_t tenant, int64_t id, const char *name, const char *descr,
               const char *gtype)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_group_update, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    sq_bind_text(st, 3, name);
    sq_bind_text(st, 4, descr);
    sq_bind_text(st, 5, gtype);
    return exec_changes(conn, st, 1);
}


static enum bk_err
a_group_delete(void *conn, int64_t tenant, int64_t id)
{
    enum bk_err err = exec_tenant_id(conn, sql_group_delete_members, tenant, id, 0);

    return err == BK_OK ? exec_tenant_id(conn, sql_group_delete, tenant, id, 1) : err;
}

static enum bk_err
a_group_list(void *conn, int64_t tenant, store_named_fn fn, void *arg)
{
    return list_named(conn, sql_group_list, tenant, fn, arg);
}

static enum bk_err
a_member_add(void *conn, int64_t tenant, int64_t group_id, int64_t user_id, int64_t role_id)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_member_add, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, group_id);
    sqlite3_bind_int64(st, 3, user_id);
    sqlite3_bind_int64(st, 4, role_id);
    return sq_exec_done(conn, st);
}

static enum bk_err
a_member_delete(void *conn, int64_t tenant, int64_t group_id, int64_t user_id)
{
    return exec_ids3(conn, sql_member_delete, tenant, group_id, user_id, 1);
}

static enum bk_err
a_member_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    return exec_tenant_id(conn, sql_member_purge, tenant, user_id, 0);
}

static enum bk_err
list_members(struct sq_conn *c, const char *sql, int64_t tenant, int64_t id, store_member_fn fn,
             void *arg)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql, &st);
    int rc;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct access_member m = {
            .group_id = sqlite3_column_int64(st, 0),
            .user_id = sqlite3_column_int64(st, 1),
            .role_id = sqlite3_column_int64(st, 2),
            .group_name = (const char *)sqlite3_column_text(st, 3),
            .group_descr = (const char *)sqlite3_column_text(st, 4),
            .role_name = (const char *)sqlite3_column_text(st, 5),
        };
        err = fn(arg, &m);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
a_members_of_user(void *conn, int64_t tenant, int64_t user_id, store_member_fn fn, void *arg)
{
    return list_members(conn, sql_members_of_user, tenant, user_id, fn, arg);
}

static enum bk_err
a_members_of_group(void *conn, int64_t tenant, int64_t group_id, store_member_fn fn, void *arg)
{
    return list_members(conn, sql_members_of_group, tenant, group_id, fn, arg);
}

/* Step <st> (bound already) and pass each user row to <fn>. */
static enum bk_err
each_user(struct sq_conn *c, sqlite3_stmt *st, store_user_fn fn, void *arg)
{
    enum bk_err err = BK_OK;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct user_row row;

        err = sq_read_user(st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_user_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
a_group_users_page(void *conn, int64_t tenant, int64_t group_id, int64_t offset, int64_t limit,
                   int64_t *total, store_user_fn fn, void *arg)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = count_one(conn, sql_group_users_count, tenant, group_id, 1, total);

    if (err == BK_OK)
        err = prep(conn, sql_group_users_page, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, group_id);
    sqlite3_bind_int64(st, 3, limit);
    sqlite3_bind_int64(st, 4, offset);
    return each_user(conn, st, fn, arg);
}

static enum bk_err
a_xtoken_insert(void *conn, struct access_xtoken *t)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_xtoken_insert, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, t->tenant);
    sqlite3_bind_blob(st, 2, t->hash, STORE_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, t->kind);
    sqlite3_bind_int64(st, 4, t->user_id);
    sqlite3_bind_int64(st, 5, t->role_id);
    sqlite3_bind_int64(st, 6, t->created);
    sqlite3_bind_int64(st, 7, t->finaltime);
    sqlite3_bind_int64(st, 8, t->slidingtime);
    sqlite3_bind_int64(st, 9, t->lastused);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        t->id = sqlite3_last_insert_rowid(c->db);
    return err;
}

static enum bk_err
a_xtoken_by_hash(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                 struct access_xtoken *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_xtoken_by_hash, &st);
    int rc;

    memset(out, 0, sizeof *out);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_blob(st, 2, hash, STORE_HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->tenant = sqlite3_column_int64(st, 1);
        if (sqlite3_column_bytes(st, 2) == STORE_HASH_LEN)
            memcpy(out->hash, sqlite3_column_blob(st, 2), STORE_HASH_LEN);
        out->kind = sqlite3_column_int(st, 3);
        out->user_id = sqlite3_column_int64(st, 4);
        out->role_id = sqlite3_column_int64(st, 5);
        out->created = sqlite3_column_int64(st, 6);
        out->finaltime = sqlite3_column_int64(st, 7);
        out->slidingtime = sqlite3_column_int64(st, 8);
        out->lastused = sqlite3_column_int64(st, 9);
        out->holder_id = sqlite3_column_int64(st, 10);
        out->user_status = sqlite3_column_int64(st, 11);
        sq_col_text(st, 12, out->user_token, sizeof out->user_token);
        sq_col_text(st, 13, out->role_name, sizeof out->role_name);
    } else {
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    }
    sq_done(st);
    return err;
}

static enum bk_err
a_xtoken_touch(void *conn, int64_t tenant, int64_t id, int64_t lastused)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_xtoken_touch, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, lastused);
    return sq_exec_done(conn, st);
}

static enum bk_err
a_xtoken_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    return exec_tenant_id(conn, sql_xtoken_purge, tenant, user_id, 0);
}

static enum bk_err
a_xtoken_sweep(void *conn, int64_t tenant, int64_t now)
{
    return exec_tenant_id(conn, sql_xtoken_sweep, tenant, now, 0);
}

static enum bk_err
a_unlock_insert(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                const char *owner, int64_t expires)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_unlock_insert, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_blob(st, 2, hash, STORE_HASH_LEN, SQLITE_STATIC);
    sq_bind_text(st, 3, owner);
    sqlite3_bind_int64(st, 4, expires);
    return sq_exec_done(conn, st);
}

static enum bk_err
a_unlock_get(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
             struct access_unlock *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_unlock_get, &st);
    int rc;

    memset(out, 0, sizeof *out);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_blob(st, 2, hash, STORE_HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        sq_col_text(st, 0, out->owner, sizeof out->owner);
        sq_col_text(st, 1, out->purpose, sizeof out->purpose);
        out->expires = sqlite3_column_int64(st, 2);
    } else {
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    }
    sq_done(st);
    return err;
}

static enum bk_err
a_unlock_bind(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
              const char *purpose)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_unlock_bind, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_blob(st, 2, hash, STORE_HASH_LEN, SQLITE_STATIC);
    sq_bind_text(st, 3, purpose);
    return exec_changes(conn, st, 1);
}

static enum bk_err
a_unlock_sweep(void *conn, int64_t tenant, int64_t now)
{
    return exec_tenant_id(conn, sql_unlock_sweep, tenant, now, 0);
}

static enum bk_err
a_users_page(void *conn, int64_t tenant, int64_t offset, int64_t limit, int64_t *total,
             store_user_fn fn, void *arg)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = count_one(conn, sql_users_count, tenant, 0, 0, total);

    if (err == BK_OK)
        err = prep(conn, sql_users_page, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset);
    return each_user(conn, st, fn, arg);
}

static enum bk_err
a_user_by_id(void *conn, int64_t tenant, int64_t id, struct user_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_user_by_id, &st);
    int rc;

    memset(out, 0, sizeof *out);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = sq_read_user(st, out);
    else
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
a_audit_page(void *conn, int64_t tenant, int64_t offset, int64_t limit, int64_t *total,
             store_audit_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = count_one(c, sql_audit_count, tenant, 0, 0, total);
    int rc;

    if (err == BK_OK)
        err = prep(c, sql_audit_page, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset);
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

/* ------------------------------------------------------------ pending postings */

/* Grams travel as a blob of 8-byte big-endian values. */
static void
grams_pack(const int64_t *grams, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 8; k++)
            out[8 * i + (size_t)k] = (uint8_t)((uint64_t)grams[i] >> (56 - 8 * k));
    }
}

/* BK_ECORRUPT for a blob that is no whole number of grams, or too many. */
static enum bk_err
grams_unpack(const uint8_t *b, size_t len, int64_t *grams, size_t *n_out)
{
    size_t n = len / 8;

    *n_out = 0;
    if (len % 8 != 0 || n > STORE_PEND_GRAMS_MAX || (len > 0 && b == NULL))
        return BK_ECORRUPT;
    for (size_t i = 0; i < n; i++) {
        uint64_t g = 0;

        for (int k = 0; k < 8; k++)
            g = g << 8 | b[8 * i + (size_t)k];
        grams[i] = (int64_t)g;
    }
    *n_out = n;
    return BK_OK;
}

static enum bk_err
a_pend_put(void *conn, int64_t tenant, int64_t user_id, int kind, int64_t created_ms,
           const int64_t *grams, size_t n)
{
    uint8_t blob[8 * STORE_PEND_GRAMS_MAX];
    sqlite3_stmt *st = NULL;
    enum bk_err err;

    if (n > STORE_PEND_GRAMS_MAX)
        return BK_EINVAL;
    err = prep(conn, sql_pend_put, &st);
    if (err != BK_OK)
        return err;
    grams_pack(grams, n, blob);
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int(st, 3, kind);
    sqlite3_bind_int64(st, 4, created_ms);
    sqlite3_bind_blob(st, 5, blob, (int)(8 * n), SQLITE_TRANSIENT);
    return sq_exec_done(conn, st);
}

static enum bk_err
a_pend_get(void *conn, int64_t tenant, int64_t user_id, int kind, int64_t *grams,
           size_t *n_out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_pend_get, &st);
    int rc;

    *n_out = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int(st, 3, kind);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = grams_unpack(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                           grams, n_out);
    else
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
a_pend_delete(void *conn, int64_t tenant, int64_t user_id, int kind)
{
    return exec_ids3(conn, sql_pend_delete, tenant, user_id, kind, 0);
}

static enum bk_err
a_pend_delete_through(void *conn, int64_t tenant, int64_t user_id, int kind)
{
    return exec_ids3(conn, sql_pend_delete_through, tenant, user_id, kind, 0);
}

static enum bk_err
a_pend_list(void *conn, int64_t tenant, int kind, int64_t limit, store_pend_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    int64_t grams[STORE_PEND_GRAMS_MAX];
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_pend_list, &st);
    int rc = SQLITE_DONE;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int64(st, 3, limit);
    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t n = 0;

        err = grams_unpack(sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
                           grams, &n);
        if (err == BK_OK)
            err = fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1), grams, n);
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
a_pend_count(void *conn, int64_t tenant, int64_t *rows)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_pend_count, &st);

    *rows = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    return sq_step_int64(conn, st, rows);
}

static enum bk_err
a_pend_tenants(void *conn, store_pend_stat_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_pend_tenants, &st);
    int rc = SQLITE_DONE;

    if (err != BK_OK)
        return err;
    while (err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        err = fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                 sqlite3_column_int64(st, 2));
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

/* ------------------------------------------------------------ postings */

/* A call's postings grouped by list: a run of one (kind, bucket, gram),
 * its users' offsets (deduplicated, ascending) a slice of <arena>. */
struct gram_run {
    int kind;
    int64_t bucket, gram;
    const uint8_t *ids;
    size_t len;
};

struct gram_runs {
    struct gram_run *runs;
    size_t n;
    uint8_t *arena;
    struct store_gram_row *sorted;  /* a sorted copy, when the rows came unsorted */
};

static void
gram_runs_free(struct gram_runs *g)
{
    mem_free(g->runs);
    mem_free(g->arena);
    mem_free(g->sorted);
}

/* Group <n> postings into <g> (gram_runs_free() it, also on failure). */
static enum bk_err
gram_runs_make(const struct store_gram_row *rows, size_t n, struct gram_runs *g)
{
    size_t o = 0;

    memset(g, 0, sizeof *g);
    if (n == 0)
        return BK_OK;
    if (!access_postings_sorted(rows, n)) {
        g->sorted = mem_alloc(n * sizeof *rows);
        if (g->sorted == NULL)
            return BK_ENOMEM;
        memcpy(g->sorted, rows, n * sizeof *rows);
        access_postings_sort(g->sorted, n);
        rows = g->sorted;
    }
    g->runs = mem_alloc(n * sizeof *g->runs);
    g->arena = mem_alloc(n * GRAMLIST_ENTRY);
    if (g->runs == NULL || g->arena == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct store_gram_row *r = &rows[i];
        int64_t bucket = store_gram_bucket(r->user_id);
        unsigned off = store_gram_offset(r->user_id);
        struct gram_run *run = g->n > 0 ? &g->runs[g->n - 1] : NULL;

        if (r->user_id < 0)
            return BK_EINVAL;
        if (run == NULL || run->kind != r->kind || run->bucket != bucket ||
            run->gram != r->gram) {
            run = &g->runs[g->n++];
            run->kind = r->kind;
            run->bucket = bucket;
            run->gram = r->gram;
            run->ids = g->arena + o;
            run->len = 0;
        } else if (gramlist_at(run->ids, gramlist_count(run->len) - 1) == off) {
            continue;       /* the same posting twice */
        }
        gramlist_put(g->arena + o, off);
        o += GRAMLIST_ENTRY;
        run->len += GRAMLIST_ENTRY;
    }
    return BK_OK;
}

static void
bind_run(sqlite3_stmt *st, int at, const struct gram_run *run)
{
    sqlite3_bind_int(st, at, run->kind);
    sqlite3_bind_int64(st, at + 1, run->bucket);
    sqlite3_bind_int64(st, at + 2, run->gram);
    sqlite3_bind_blob(st, at + 3, run->ids, (int)run->len, SQLITE_STATIC);
}

/* Full statements of GRAM_LISTS_PER_STMT lists, the rest one by one. */
static enum bk_err
a_gram_put_many(void *conn, int64_t tenant, const struct store_gram_row *rows, size_t n)
{
    struct gram_runs g;
    sqlite3_stmt *st = NULL;
    enum bk_err err = gram_runs_make(rows, n, &g);
    size_t i = 0;

    if (err == BK_OK && g.n >= GRAM_LISTS_PER_STMT)
        err = prep(conn, sql_gram_put_rows, &st);
    for (; err == BK_OK && g.n - i >= GRAM_LISTS_PER_STMT; i += GRAM_LISTS_PER_STMT) {
        sqlite3_bind_int64(st, 1, tenant);
        for (int k = 0; k < GRAM_LISTS_PER_STMT; k++)
            bind_run(st, 2 + 4 * k, &g.runs[i + (size_t)k]);
        err = sq_exec_done(conn, st);
    }
    if (err == BK_OK && i < g.n)
        err = prep(conn, sql_gram_put, &st);
    for (; err == BK_OK && i < g.n; i++) {
        sqlite3_bind_int64(st, 1, tenant);
        bind_run(st, 2, &g.runs[i]);
        err = sq_exec_done(conn, st);
    }
    gram_runs_free(&g);
    return err;
}

static enum bk_err
a_gram_put(void *conn, int64_t tenant, int kind, int64_t gram, int64_t user_id)
{
    struct store_gram_row row = { .kind = kind, .gram = gram, .user_id = user_id };

    return a_gram_put_many(conn, tenant, &row, 1);
}

static enum bk_err
a_gram_delete_many(void *conn, int64_t tenant, const struct store_gram_row *rows, size_t n)
{
    struct gram_runs g;
    sqlite3_stmt *cut = NULL, *drop = NULL;
    enum bk_err err = gram_runs_make(rows, n, &g);

    if (err == BK_OK && g.n > 0)
        err = prep(conn, sql_gram_cut, &cut);
    if (err == BK_OK && g.n > 0)
        err = prep(conn, sql_gram_drop, &drop);
    for (size_t i = 0; i < g.n && err == BK_OK; i++) {
        int64_t left = 0;

        sqlite3_bind_int64(cut, 1, tenant);
        bind_run(cut, 2, &g.runs[i]);
        err = sq_step_int64(conn, cut, &left);
        if (err == BK_ENOTFOUND) {
            err = BK_OK;    /* no such list: nothing to remove */
            continue;
        }
        if (err != BK_OK || left > 0)
            continue;
        sqlite3_bind_int64(drop, 1, tenant);
        sqlite3_bind_int(drop, 2, g.runs[i].kind);
        sqlite3_bind_int64(drop, 3, g.runs[i].bucket);
        sqlite3_bind_int64(drop, 4, g.runs[i].gram);
        err = sq_exec_done(conn, drop);
    }
    gram_runs_free(&g);
    return err;
}

static enum bk_err
a_gram_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    sqlite3_stmt *st = NULL;
    int64_t bucket = store_gram_bucket(user_id);
    unsigned off = store_gram_offset(user_id);
    uint8_t one[GRAMLIST_ENTRY];
    enum bk_err err;

    if (user_id < 0)
        return BK_EINVAL;
    gramlist_put(one, off);
    err = prep(conn, sql_gram_purge, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, off);
    sqlite3_bind_int64(st, 3, bucket);
    sqlite3_bind_blob(st, 4, one, (int)sizeof one, SQLITE_STATIC);
    err = sq_exec_done(conn, st);
    return err == BK_OK ? sq_exec_ids(conn, sql_gram_purge_empty, tenant, bucket) : err;
}

/* The connection and the buckets one search reads, read once per search. */
struct gram_scope {
    struct sq_conn *c;
    int64_t lo, hi;         /* hi < lo: no postings */
};

static enum bk_err
gram_scope_read(struct sq_conn *c, int64_t tenant, int kind, struct gram_scope *s)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(c, sql_gram_buckets, &st);
    int rc;

    s->c = c;
    s->lo = 0;
    s->hi = -1;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int(st, 2, kind);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        s->lo = sqlite3_column_int64(st, 0);
        s->hi = sqlite3_column_int64(st, 1);
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err = sq_err(c->db, rc);
    }
    sq_done(st);
    return err;
}

/* The posting reader over a gram_scope: bucket by bucket, lowest first, so
 * the ids come out ascending. */
static enum bk_err
gram_postings(void *arg, int64_t tenant, int kind, int64_t gram, int64_t cap, int64_t *ids,
              size_t *n_out)
{
    struct gram_scope *s = arg;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    size_t n = 0;
    int rc = SQLITE_DONE;

    *n_out = 0;
    if (s->hi < s->lo)
        return BK_OK;
    err = prep(s->c, sql_gram_postings, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int64(st, 3, s->lo);
    sqlite3_bind_int64(st, 4, s->hi);
    sqlite3_bind_int64(st, 5, gram);
    while ((int64_t)n < cap && err == BK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t base = sqlite3_column_int64(st, 0) << STORE_GRAM_BUCKET_SHIFT;
        const uint8_t *p = sqlite3_column_blob(st, 1);
        int len = sqlite3_column_bytes(st, 1);

        if (len < 0 || !gramlist_valid(p, (size_t)len)) {
            err = BK_ECORRUPT;
            break;
        }
        for (size_t i = 0; i < gramlist_count((size_t)len) && (int64_t)n < cap; i++) {
            ids[n] = base + gramlist_at(p, i);
            /* the contract is ascending ids: a plan that lost the order fails loudly */
            if (n > 0 && ids[n] <= ids[n - 1])
                err = BK_EINTERNAL;
            n++;
        }
    }
    if (err == BK_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = sq_err(s->c->db, rc);
    sq_done(st);
    *n_out = err == BK_OK ? n : 0;
    return err;
}

static enum bk_err
a_gram_match(void *conn, int64_t tenant, int kind, const int64_t *grams, size_t n,
             int64_t common, int64_t rarest, int64_t limit, store_gram_fn fn, void *arg)
{
    struct gram_scope s;
    struct access_pending pend = { 0 };
    enum bk_err err = gram_scope_read(conn, tenant, kind, &s);

    /* the pending rows are few (the merger keeps them so), read whole */
    if (err == BK_OK)
        err = a_pend_list(conn, tenant, kind, INT64_MAX, access_pending_add, &pend);
    if (err == BK_OK) {
        access_pending_seal(&pend);
        err = access_gram_match(&s, gram_postings, &pend, tenant, kind, grams, n, common, rarest,
                                limit, fn, arg);
    }
    access_pending_cleanup(&pend);
    return err;
}

/* ------------------------------------------------------------ membership tests */

/* A range seek on the primary key (tenant, group_id, user_id, role_id); the role's name
 * decides as in members_of_group ("" when the role is gone or none). */
static const char sql_member_seek[] =
    "SELECT m.user_id FROM access_members m "
    "JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = ?1 AND m.group_id = ?2 AND m.user_id >= ?3 "
    "AND (?4 = '' OR coalesce(r.name, '') = ?4) ORDER BY m.user_id LIMIT 1";

static enum bk_err
a_member_seek(void *conn, int64_t tenant, int64_t group_id, const char *role, int64_t from,
              int64_t *user_out)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = prep(conn, sql_member_seek, &st);

    *user_out = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int64(st, 2, group_id);
    sqlite3_bind_int64(st, 3, from);
    sqlite3_bind_text(st, 4, role ? role : "", -1, SQLITE_STATIC);
    return sq_step_int64(conn, st, user_out);
}

const struct store_access_ops sqlite_access_ops = {
    .version_get = a_version_get,
    .version_bump = a_version_bump,
    .role_insert = a_role_insert,
    .role_get = a_role_get,
    .role_update = a_role_update,
    .policy_insert = a_policy_insert,
    .policy_get = a_policy_get,
    .policy_update = a_policy_update,
    .policy_list = a_policy_list,
    .role_link = a_role_link,
    .role_links = a_role_links,
    .group_insert = a_group_insert,
    .group_get = a_group_get,
    .group_update = a_group_update,
    .group_delete = a_group_delete,
    .group_list = a_group_list,
    .member_add = a_member_add,
    .member_delete = a_member_delete,
    .member_purge_user = a_member_purge_user,
    .members_of_user = a_members_of_user,
    .members_of_group = a_members_of_group,
    .group_users_page = a_group_users_page,
    .xtoken_insert = a_xtoken_insert,
    .xtoken_by_hash = a_xtoken_by_hash,
    .xtoken_touch = a_xtoken_touch,
    .xtoken_purge_user = a_xtoken_purge_user,
    .xtoken_sweep = a_xtoken_sweep,
    .unlock_insert = a_unlock_insert,
    .unlock_get = a_unlock_get,
    .unlock_bind = a_unlock_bind,
    .unlock_sweep = a_unlock_sweep,
    .users_page = a_users_page,
    .user_by_id = a_user_by_id,
    .audit_page = a_audit_page,
    .gram_put = a_gram_put,
    .gram_put_many = a_gram_put_many,
    .gram_delete_many = a_gram_delete_many,
    .gram_purge_user = a_gram_purge_user,
    .gram_match = a_gram_match,
    .pend_put = a_pend_put,
    .pend_get = a_pend_get,
    .pend_delete = a_pend_delete,
    .pend_delete_through = a_pend_delete_through,
    .pend_list = a_pend_list,
    .pend_count = a_pend_count,
    .pend_tenants = a_pend_tenants,
    .member_seek = a_member_seek,
};
