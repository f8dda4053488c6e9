/* The access-control family (store/access.h) on MySQL/MariaDB: the
 * statements of sqlite_access.c with the same ordering and conflicts. MySQL
 * counts only the rows an UPDATE really changed, so the updates that answer
 * BK_ENOTFOUND ask first whether their row exists. */
#include <string.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "access.h"
#include "mysql.h"
#include "mysql_int.h"

#define USER_COLS "u.id, u.tenant, u.token, u.status, u.dek, u.body, u.version, u.created, " \
                  "u.updated"
#define AUDIT_COLS "id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, " \
                   "prev_hash, hash"

static const char sql_version_get[] = "SELECT version FROM access_version WHERE tenant = ?";
static const char sql_version_bump[] =
    "INSERT INTO access_version (tenant, version) VALUES (?, 1) "
    "ON DUPLICATE KEY UPDATE version = version + 1";
static const char sql_role_insert[] =
    "INSERT INTO access_roles (tenant, name, descr, created) VALUES (?, ?, ?, ?)";
static const char sql_role_by_id[] =
    "SELECT id, name, descr, '' FROM access_roles WHERE tenant = ? AND id = ?";
static const char sql_role_by_name[] =
    "SELECT id, name, descr, '' FROM access_roles WHERE tenant = ? AND name = ?";
static const char sql_role_exists[] =
    "SELECT count(*) FROM access_roles WHERE tenant = ? AND id = ?";
static const char sql_role_update[] =
    "UPDATE access_roles SET name = coalesce(?, name), descr = coalesce(?, descr) "
    "WHERE tenant = ? AND id = ?";
static const char sql_policy_insert[] =
    "INSERT INTO access_policies (tenant, name, descr, body, created, updated) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_policy_by_id[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = ? AND id = ?";
static const char sql_policy_by_name[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = ? AND name = ?";
static const char sql_policy_exists[] =
    "SELECT count(*) FROM access_policies WHERE tenant = ? AND id = ?";
static const char sql_policy_update[] =
    "UPDATE access_policies SET name = coalesce(?, name), descr = coalesce(?, descr), "
    "body = coalesce(?, body), updated = ? WHERE tenant = ? AND id = ?";
static const char sql_policy_list[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = ? ORDER BY id";
static const char sql_role_link[] =
    "INSERT INTO access_role_policies (tenant, role_id, policy_id) VALUES (?, ?, ?)";
static const char sql_role_links[] =
    "SELECT role_id, policy_id FROM access_role_policies WHERE tenant = ?";
static const char sql_group_insert[] =
    "INSERT INTO access_groups (tenant, name, descr, gtype, created) VALUES (?, ?, ?, ?, ?)";
static const char sql_group_by_id[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = ? AND id = ?";
static const char sql_group_by_name[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = ? AND name = ?";
static const char sql_group_exists[] =
    "SELECT count(*) FROM access_groups WHERE tenant = ? AND id = ?";
static const char sql_group_update[] =
    "UPDATE access_groups SET name = coalesce(?, name), descr = coalesce(?, descr), "
    "gtype = coalesce(?, gtype) WHERE tenant = ? AND id = ?";
static const char sql_group_delete[] = "DELETE FROM access_groups WHERE tenant = ? AND id = ?";
static const char sql_group_delete_members[] =
    "DELETE FROM access_members WHERE tenant = ? AND group_id = ?";
static const char sql_group_list[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = ? ORDER BY id";
static const char sql_member_add[] =
    "INSERT INTO access_members (tenant, group_id, user_id, role_id) VALUES (?, ?, ?, ?)";
static const char sql_member_delete[] =
    "DELETE FROM access_members WHERE tenant = ? AND group_id = ? AND user_id = ?";
static const char sql_member_purge[] =
    "DELETE FROM access_members WHERE tenant = ? AND user_id = ?";
static const char sql_members_of_user[] =
    "SELECT m.group_id, m.user_id, m.role_id, g.name, g.descr, coalesce(r.name, '') "
    "FROM access_members m JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = ? AND m.user_id = ? ORDER BY m.group_id, m.role_id";
static const char sql_members_of_group[] =
    "SELECT m.group_id, m.user_id, m.role_id, g.name, g.descr, coalesce(r.name, '') "
    "FROM access_members m JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = ? AND m.group_id = ? ORDER BY m.user_id, m.role_id";
static const char sql_group_users_count[] =
    "SELECT count(DISTINCT m.user_id) FROM access_members m JOIN users u ON u.id = m.user_id "
    "AND u.tenant = m.tenant WHERE m.tenant = ? AND m.group_id = ? AND u.status = 1";
static const char sql_group_users_page[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = ? AND u.status = 1 AND u.id IN "
    "(SELECT user_id FROM access_members WHERE tenant = u.tenant AND group_id = ?) "
    "ORDER BY u.id LIMIT ? OFFSET ?";
static const char sql_xtoken_insert[] =
    "INSERT INTO access_xtokens (tenant, hash, kind, user_id, role_id, created, finaltime, "
    "slidingtime, lastused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* The token and its holder (users or roles by id) in one indexed read. */
static const char sql_xtoken_by_hash[] =
    "SELECT x.id, x.tenant, x.hash, x.kind, x.user_id, x.role_id, x.created, x.finaltime, "
    "x.slidingtime, x.lastused, coalesce(u.id, r.id, 0), coalesce(u.status, 0), "
    "coalesce(u.token, ''), coalesce(r.name, '') FROM access_xtokens x "
    "LEFT JOIN users u ON x.kind = 3 AND u.tenant = x.tenant AND u.id = x.user_id "
    "LEFT JOIN access_roles r ON x.kind = 4 AND r.tenant = x.tenant AND r.id = x.role_id "
    "WHERE x.tenant = ? AND x.hash = ?";
static const char sql_xtoken_touch[] =
    "UPDATE access_xtokens SET lastused = ? WHERE tenant = ? AND id = ? AND lastused < ?";
static const char sql_xtoken_purge[] =
    "DELETE FROM access_xtokens WHERE tenant = ? AND kind = 3 AND user_id = ?";
static const char sql_xtoken_sweep[] =
    "DELETE FROM access_xtokens WHERE tenant = ? AND ((finaltime > 0 AND finaltime <= ?) OR "
    "(slidingtime > 0 AND lastused + slidingtime <= ?))";
static const char sql_unlock_insert[] =
    "INSERT INTO access_unlocks (tenant, hash, owner, purpose, expires) VALUES (?, ?, ?, '', ?)";
static const char sql_unlock_get[] =
    "SELECT owner, purpose, expires FROM access_unlocks WHERE tenant = ? AND hash = ?";
static const char sql_unlock_unbound[] =
    "SELECT count(*) FROM access_unlocks WHERE tenant = ? AND hash = ? AND purpose = ''";
static const char sql_unlock_bind[] =
    "UPDATE access_unlocks SET purpose = ? WHERE tenant = ? AND hash = ? AND purpose = ''";
static const char sql_unlock_sweep[] =
    "DELETE FROM access_unlocks WHERE tenant = ? AND expires <= ?";
static const char sql_users_count[] =
    "SELECT count(*) FROM users WHERE tenant = ? AND status = 1";
static const char sql_users_page[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = ? AND u.status = 1 ORDER BY u.id "
    "LIMIT ? OFFSET ?";
static const char sql_user_by_id[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = ? AND u.id = ?";
static const char sql_audit_count[] = "SELECT count(*) FROM audit WHERE tenant = ?";
static const char sql_audit_page[] =
    "SELECT " AUDIT_COLS " FROM audit WHERE tenant = ? ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_gram_put[] =
    "INSERT INTO search_grams (tenant, kind, bucket, gram, user_id) VALUES (?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE user_id = user_id";
/* Many postings in one round trip: a JSON array of [kind, gram, user] rows,
 * numbers written as strings so 64-bit grams convert exactly (a bound
 * parameter, never spliced into the SQL); the bucket is the user id shifted
 * right by the second parameter (STORE_GRAM_BUCKET_SHIFT). */
static const char sql_gram_put_many[] =
    "INSERT INTO search_grams (tenant, kind, bucket, gram, user_id) "
    "SELECT ?, j.k, j.u >> ?, j.g, j.u FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "k BIGINT PATH '$[0]', g BIGINT PATH '$[1]', u BIGINT PATH '$[2]')) AS j "
    "ON DUPLICATE KEY UPDATE gram = search_grams.gram";
static const char sql_gram_delete[] =
    "DELETE FROM search_grams WHERE tenant = ? AND kind = ? AND bucket = ? AND gram = ? "
    "AND user_id = ?";
/* The user's bucket of each kind, not the whole index. */
static const char sql_gram_purge[] =
    "DELETE FROM search_grams WHERE tenant = ? AND kind IN (1, 2, 3, 4) AND bucket = ? "
    "AND user_id = ?";
/* The buckets in use for a kind: two seeks on the primary key. */
static const char sql_gram_buckets[] =
    "SELECT coalesce(min(bucket), 0), coalesce(max(bucket), -1) FROM search_grams "
    "WHERE tenant = ? AND kind = ?";
/* One gram's posting list, bucket by bucket in one statement: the series of
 * buckets (in order) drives a nested loop of seeks on the primary key
 * (STRAIGHT_JOIN keeps it outside), so rows come in user order and the limit
 * stops at the first <cap>. */
static const char sql_gram_postings[] =
    "WITH RECURSIVE b (n) AS (SELECT CAST(? AS SIGNED) UNION ALL SELECT n + 1 FROM b "
    "WHERE n < ?) SELECT STRAIGHT_JOIN s.user_id FROM b JOIN search_grams s "
    "ON s.tenant = ? AND s.kind = ? AND s.bucket = b.n AND s.gram = ? LIMIT ?";
/* One gram's postings in one bucket, read from the primary key in user order:
 * what the reader falls back to should a plan lose that order. */
static const char sql_gram_postings_bucket[] =
    "SELECT user_id FROM search_grams WHERE tenant = ? AND kind = ? AND bucket = ? "
    "AND gram = ? ORDER BY user_id LIMIT ?";

/* The first column of the first row; BK_ENOTFOUND without a row. */
static enum bk_err
first_int(struct my_conn *c, const char *sql, struct my_params *p, int64_t *out)
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

static enum bk_err
count_one(struct my_conn *c, const char *sql, int64_t tenant, int64_t id, int bind_id,
          int64_t *out)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    if (bind_id)
        myp_int(&p, id);
    return first_int(c, sql, &p, out);
}

/* BK_ENOTFOUND unless the count query <sql> on (tenant, id) finds a row. */
static enum bk_err
must_exist(struct my_conn *c, const char *sql, int64_t tenant, int64_t id)
{
    int64_t n = 0;
    enum bk_err err = count_one(c, sql, tenant, id, 1, &n);

    return err == BK_OK && n == 0 ? BK_ENOTFOUND : err;
}

static enum bk_err
exec_tenant_id(struct my_conn *c, const char *sql, int64_t tenant, int64_t id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, id);
    return my_exec(c, sql, &p, NULL);
}

/* A new NUL-terminated copy of column <col> ("" for NULL). */
static enum bk_err
col_str(struct my_result *r, unsigned col, char **out)
{
    uint8_t *b = NULL;
    size_t n = 0;
    enum bk_err err = my_col_blob(r, col, &b, &n);

    *out = NULL;
    if (err != BK_OK)
        return err;
    if (b == NULL) {
        *out = mem_strdup("");
        return *out == NULL ? BK_ENOMEM : BK_OK;
    }
    b[n] = '\0';
    *out = (char *)b;
    return BK_OK;
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
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    return my_exec(conn, sql_version_bump, &p, NULL);
}

/* Insert with (tenant, name, descr, extra?, when[, when]); *id_out from
 * AUTO_INCREMENT. */
static enum bk_err
insert_named(struct my_conn *c, const char *sql, int64_t tenant, const char *name,
             const char *descr, const char *extra, int64_t when, int when_twice, int64_t *id_out)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_text(&p, name);
    myp_text(&p, descr ? descr : "");
    if (extra != NULL)
        myp_text(&p, extra);
    myp_int(&p, when);
    if (when_twice)
        myp_int(&p, when);
    return my_exec_id(c, sql, &p, id_out);
}

static enum bk_err
read_named(struct my_result *r, struct access_named *out)
{
    enum bk_err err;

    out->id = my_col_int(r, 0);
    err = col_str(r, 1, &out->name);
    if (err == BK_OK)
        err = col_str(r, 2, &out->descr);
    if (err == BK_OK)
        err = col_str(r, 3, &out->extra);
    return err;
}

static enum bk_err
get_named(struct my_conn *c, const char *by_id, const char *by_name, int64_t tenant, int64_t id,
          const char *name, struct access_named *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    if (name)
        myp_text(&p, name);
    else
        myp_int(&p, id);
    err = my_query(c, name ? by_name : by_id, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        err = read_named(&r, out);
    if (err != BK_OK)
        access_named_cleanup(out);
    my_done(&r);
    return err;
}

static enum bk_err
list_named(struct my_conn *c, const char *sql, int64_t tenant, store_named_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    myp_int(&p, tenant);
    err = my_query(c, sql, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct access_named n = { 0 };

        err = read_named(&r, &n);
        if (err == BK_OK)
            err = fn(arg, &n);
        access_named_cleanup(&n);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
a_role_insert(void *conn, int64_t tenant, const char *name, const char *descr, int64_t when,
              int64_t *id_out)
{
    return insert_named(conn, sql_role_insert, tenant, name, descr, NULL, when, 0, id_out);
}

static enum bk_err
a_role_get(void *conn, int64_t tenant, int64_t id, const char *name, struct access_named *out)
{
    return get_named(conn, sql_role_by_id, sql_role_by_name, tenant, id, name, out);
}

static enum bk_err
a_role_update(void *conn, int64_t tenant, int64_t id, const char *name, const char *descr)
{
    struct my_params p = { 0 };
    enum bk_err err = must_exist(conn, sql_role_exists, tenant, id);

    if (err != BK_OK)
        return err;
    myp_text(&p, name);
    myp_text(&p, descr);
    myp_int(&p, tenant);
    myp_int(&p, id);
    return my_exec(conn, sql_role_update, &p, NULL);
}

static enum bk_err
a_policy_insert(void *conn, int64_t tenant, const char *name, const char *descr,
                const char *body, int64_t when, int64_t *id_out)
{
    return insert_named(conn, sql_policy_insert, tenant, name, descr, body, when, 1, id_out);
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
    struct my_params p = { 0 };
    enum bk_err err = must_exist(conn, sql_policy_exists, tenant, id);

    if (err != BK_OK)
        return err;
    myp_text(&p, name);
    myp_text(&p, descr);
    myp_text(&p, body);
    myp_int(&p, when);
    myp_int(&p, tenant);
    myp_int(&p, id);
    return my_exec(conn, sql_policy_update, &p, NULL);
}

static enum bk_err
a_policy_list(void *conn, int64_t tenant, store_named_fn fn, void *arg)
{
    return list_named(conn, sql_policy_list, tenant, fn, arg);
}

static enum bk_err
a_role_link(void *conn, int64_t tenant, int64_t role_id, int64_t policy_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, role_id);
    myp_int(&p, policy_id);
    return my_exec(conn, sql_role_link, &p, NULL);
}

static enum bk_err
a_role_links(void *conn, int64_t tenant, store_link_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    myp_int(&p, tenant);
    err = my_query(conn, sql_role_links, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        err = fn(arg, my_col_int(&r, 0), my_col_int(&r, 1));
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
a_group_insert(void *conn, int64_t tenant, const char *name, const char *descr,
               const char *gtype, int64_t when, int64_t *id_out)
{
    return insert_named(conn, sql_group_insert, tenant, name, descr, gtype ? gtype : "", when, 0,
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
    struct my_params p = { 0 };
    enum bk_err err = must_exist(conn, sql_group_exists, tenant, id);

    if (err != BK_OK)
        return err;
    myp_text(&p, name);
    myp_text(&p, descr);
    myp_text(&p, gtype);
    myp_int(&p, tenant);
    myp_int(&p, id);
    return my_exec(conn, sql_group_update, &p, NULL);
}

static enum bk_err
a_group_delete(void *conn, int64_t tenant, int64_t id)
{
    struct my_params p = { 0 };
    int64_t n = 0;
    enum bk_err err = exec_tenant_id(conn, sql_group_delete_members, tenant, id);

    if (err != BK_OK)
        return err;
    myp_int(&p, tenant);
    myp_int(&p, id);
    err = my_exec(conn, sql_group_delete, &p, &n);
    return err == BK_OK && n == 0 ? BK_ENOTFOUND : err;
}

static enum bk_err
a_group_list(void *conn, int64_t tenant, store_named_fn fn, void *arg)
{
    return list_named(conn, sql_group_list, tenant, fn, arg);
}

static enum bk_err
a_member_add(void *conn, int64_t tenant, int64_t group_id, int64_t user_id, int64_t role_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, group_id);
    myp_int(&p, user_id);
    myp_int(&p, role_id);
    return my_exec(conn, sql_member_add, &p, NULL);
}

static enum bk_err
a_member_delete(void *conn, int64_t tenant, int64_t group_id, int64_t user_id)
{
    struct my_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    myp_int(&p, tenant);
    myp_int(&p, group_id);
    myp_int(&p, user_id);
    err = my_exec(conn, sql_member_delete, &p, &n);
    return err == BK_OK && n == 0 ? BK_ENOTFOUND : err;
}

static enum bk_err
a_member_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    return exec_tenant_id(conn, sql_member_purge, tenant, user_id);
}

static enum bk_err
list_members(struct my_conn *c, const char *sql, int64_t tenant, int64_t id, store_member_fn fn,
             void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    myp_int(&p, tenant);
    myp_int(&p, id);
    err = my_query(c, sql, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        char *gname = NULL, *gdescr = NULL, *rname = NULL;

        err = col_str(&r, 3, &gname);
        if (err == BK_OK)
            err = col_str(&r, 4, &gdescr);
        if (err == BK_OK)
            err = col_str(&r, 5, &rname);
        if (err == BK_OK) {
            struct access_member m = {
                .group_id = my_col_int(&r, 0),
                .user_id = my_col_int(&r, 1),
                .role_id = my_col_int(&r, 2),
                .group_name = gname,
                .group_descr = gdescr,
                .role_name = rname,
            };
            err = fn(arg, &m);
        }
        mem_free(gname);
        mem_free(gdescr);
        mem_free(rname);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
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

static enum bk_err
read_user(struct my_result *r, struct user_row *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    my_col_text(r, 2, out->token, sizeof out->token);
    out->status = (int)my_col_int(r, 3);
    out->version = my_col_int(r, 6);
    out->created = my_col_int(r, 7);
    out->updated = my_col_int(r, 8);
    err = my_col_blob(r, 4, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = my_col_blob(r, 5, &out->body, &out->body_len);
    if (err != BK_OK)
        store_user_row_cleanup(out);
    return err;
}

/* Run <sql> and pass each user row to <fn>. */
static enum bk_err
each_user(struct my_conn *c, const char *sql, struct my_params *p, store_user_fn fn, void *arg)
{
    struct my_result r;
    enum bk_err err = my_query(c, sql, p, &r);

    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct user_row row;

        err = read_user(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_user_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
a_group_users_page(void *conn, int64_t tenant, int64_t group_id, int64_t offset, int64_t limit,
                   int64_t *total, store_user_fn fn, void *arg)
{
    struct my_params p = { 0 };
    enum bk_err err = count_one(conn, sql_group_users_count, tenant, group_id, 1, total);

    if (err != BK_OK)
        return err;
    myp_int(&p, tenant);
    myp_int(&p, group_id);
    myp_int(&p, limit);
    myp_int(&p, offset);
    return each_user(conn, sql_group_users_page, &p, fn, arg);
}

static enum bk_err
a_xtoken_insert(void *conn, struct access_xtoken *t)
{
    struct my_params p = { 0 };

    myp_int(&p, t->tenant);
    myp_blob(&p, t->hash, STORE_HASH_LEN);
    myp_int(&p, t->kind);
    myp_int(&p, t->user_id);
    myp_int(&p, t->role_id);
    myp_int(&p, t->created);
    myp_int(&p, t->finaltime);
    myp_int(&p, t->slidingtime);
    myp_int(&p, t->lastused);
    return my_exec_id(conn, sql_xtoken_insert, &p, &t->id);
}

/* Copy a 32-byte column; a value of another length leaves zeros. */
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
a_xtoken_by_hash(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                 struct access_xtoken *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_blob(&p, hash, STORE_HASH_LEN);
    err = my_query(conn, sql_xtoken_by_hash, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK) {
        out->id = my_col_int(&r, 0);
        out->tenant = my_col_int(&r, 1);
        err = col_hash(&r, 2, out->hash);
        out->kind = (int)my_col_int(&r, 3);
        out->user_id = my_col_int(&r, 4);
        out->role_id = my_col_int(&r, 5);
        out->created = my_col_int(&r, 6);
        out->finaltime = my_col_int(&r, 7);
        out->slidingtime = my_col_int(&r, 8);
        out->lastused = my_col_int(&r, 9);
        out->holder_id = my_col_int(&r, 10);
        out->user_status = my_col_int(&r, 11);
        my_col_text(&r, 12, out->user_token, sizeof out->user_token);
        my_col_text(&r, 13, out->role_name, sizeof out->role_name);
    }
    my_done(&r);
    return err;
}

static enum bk_err
a_xtoken_touch(void *conn, int64_t tenant, int64_t id, int64_t lastused)
{
    struct my_params p = { 0 };

    myp_int(&p, lastused);
    myp_int(&p, tenant);
    myp_int(&p, id);
    myp_int(&p, lastused);
    return my_exec(conn, sql_xtoken_touch, &p, NULL);
}

static enum bk_err
a_xtoken_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    return exec_tenant_id(conn, sql_xtoken_purge, tenant, user_id);
}

static enum bk_err
a_xtoken_sweep(void *conn, int64_t tenant, int64_t now)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, now);
    myp_int(&p, now);
    return my_exec(conn, sql_xtoken_sweep, &p, NULL);
}

static enum bk_err
a_unlock_insert(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                const char *owner, int64_t expires)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_blob(&p, hash, STORE_HASH_LEN);
    myp_text(&p, owner);
    myp_int(&p, expires);
    return my_exec(conn, sql_unlock_insert, &p, NULL);
}

static enum bk_err
a_unlock_get(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
             struct access_unlock *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_blob(&p, hash, STORE_HASH_LEN);
    err = my_query(conn, sql_unlock_get, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK) {
        my_col_text(&r, 0, out->owner, sizeof out->owner);
        my_col_text(&r, 1, out->purpose, sizeof out->purpose);
        out->expires = my_col_int(&r, 2);
    }
    my_done(&r);
    return err;
}

static enum bk_err
a_unlock_bind(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
              const char *purpose)
{
    struct my_params p = { 0 }, q = { 0 };
    int64_t n = 0;
    enum bk_err err;

    myp_int(&q, tenant);
    myp_blob(&q, hash, STORE_HASH_LEN);
    err = first_int(conn, sql_unlock_unbound, &q, &n);
    if (err == BK_OK && n == 0)
        err = BK_ENOTFOUND;
    if (err != BK_OK)
        return err;
    myp_text(&p, purpose);
    myp_int(&p, tenant);
    myp_blob(&p, hash, STORE_HASH_LEN);
    return my_exec(conn, sql_unlock_bind, &p, NULL);
}

static enum bk_err
a_unlock_sweep(void *conn, int64_t tenant, int64_t now)
{
    return exec_tenant_id(conn, sql_unlock_sweep, tenant, now);
}

static enum bk_err
a_users_page(void *conn, int64_t tenant, int64_t offset, int64_t limit, int64_t *total,
             store_user_fn fn, void *arg)
{
    struct my_params p = { 0 };
    enum bk_err err = count_one(conn, sql_users_count, tenant, 0, 0, total);

    if (err != BK_OK)
        return err;
    myp_int(&p, tenant);
    myp_int(&p, limit);
    myp_int(&p, offset);
    return each_user(conn, sql_users_page, &p, fn, arg);
}

static enum bk_err
a_user_by_id(void *conn, int64_t tenant, int64_t id, struct user_row *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_int(&p, id);
    err = my_query(conn, sql_user_by_id, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        err = read_user(&r, out);
    my_done(&r);
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
    /* bulk listings never open the sealed details */
    return err;
}

static enum bk_err
a_audit_page(void *conn, int64_t tenant, int64_t offset, int64_t limit, int64_t *total,
             store_audit_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err = count_one(conn, sql_audit_count, tenant, 0, 0, total);

    if (err != BK_OK)
        return err;
    myp_int(&p, tenant);
    myp_int(&p, limit);
    myp_int(&p, offset);
    err = my_query(conn, sql_audit_page, &p, &r);
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
a_gram_put(void *conn, int64_t tenant, int kind, int64_t gram, int64_t user_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, kind);
    myp_int(&p, store_gram_bucket(user_id));
    myp_int(&p, gram);
    myp_int(&p, user_id);
    return my_exec(conn, sql_gram_put, &p, NULL);
}

static enum bk_err
a_gram_put_many(void *conn, int64_t tenant, const struct store_gram_row *rows, size_t n)
{
    struct my_conn *c = conn;
    struct buf js;
    struct my_params p = { 0 };
    enum bk_err err = BK_OK;

    buf_init(&js, 72 * n + 16);
    for (size_t i = 0; i < n && err == BK_OK; i++)
        err = buf_printf(&js, "%s[\"%d\",\"%lld\",\"%lld\"]", i ? "," : "[", rows[i].kind,
                         (long long)rows[i].gram, (long long)rows[i].user_id);
    if (err == BK_OK)
        err = buf_append(&js, "]", 2);          /* with the NUL */
    if (err == BK_OK) {
        myp_int(&p, tenant);
        myp_int(&p, STORE_GRAM_BUCKET_SHIFT);
        myp_text(&p, js.ptr);
        err = my_exec(c, sql_gram_put_many, &p, NULL);
    }
    buf_cleanup(&js);
    return err;
}


static enum bk_err
a_gram_delete_many(void *conn, int64_t tenant, const struct store_gram_row *rows, size_t n)
{
    enum bk_err err = BK_OK;

    for (size_t i = 0; i < n && err == BK_OK; i++) {
        struct my_params p = { 0 };

        myp_int(&p, tenant);
        myp_int(&p, rows[i].kind);
        myp_int(&p, store_gram_bucket(rows[i].user_id));
        myp_int(&p, rows[i].gram);
        myp_int(&p, rows[i].user_id);
        err = my_exec(conn, sql_gram_delete, &p, NULL);
    }
    return err;
}

static enum bk_err
a_gram_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, store_gram_bucket(user_id));
    myp_int(&p, user_id);
    return my_exec(conn, sql_gram_purge, &p, NULL);
}

/* The connection and the buckets one search reads, read once per search. */
struct gram_scope {
    struct my_conn *c;
    int64_t lo, hi;         /* hi < lo: no postings */
};

static enum bk_err
gram_scope_read(struct my_conn *c, int64_t tenant, int kind, struct gram_scope *s)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    s->c = c;
    s->lo = 0;
    s->hi = -1;
    myp_int(&p, tenant);
    myp_int(&p, kind);
    err = my_query(c, sql_gram_buckets, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK) {
        s->lo = my_col_int(&r, 0);
        s->hi = my_col_int(&r, 1);
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

/* The posting reader over a gram_scope, one bucket a statement, lowest first,
 * so the ids come out ascending. */
static enum bk_err
gram_postings_by_bucket(struct gram_scope *s, int64_t tenant, int kind, int64_t gram,
                        int64_t cap, int64_t *ids, size_t *n_out)
{
    enum bk_err err = BK_OK;
    size_t n = 0;

    *n_out = 0;
    for (int64_t b = s->lo; b <= s->hi && (int64_t)n < cap && err == BK_OK; b++) {
        struct my_params p = { 0 };
        struct my_result r;

        myp_int(&p, tenant);
        myp_int(&p, kind);
        myp_int(&p, b);
        myp_int(&p, gram);
        myp_int(&p, cap - (int64_t)n);
        err = my_query(s->c, sql_gram_postings_bucket, &p, &r);
        if (err != BK_OK)
            break;
        while ((int64_t)n < cap && (err = my_next(&r)) == BK_OK)
            ids[n++] = my_col_int(&r, 0);
        my_done(&r);
        if (err == BK_ENOTFOUND)
            err = BK_OK;
    }
    *n_out = err == BK_OK ? n : 0;
    return err;
}

/* The posting reader over a gram_scope: every bucket in one statement; when
 * its rows do not come ascending, bucket by bucket. */
static enum bk_err
gram_postings(void *arg, int64_t tenant, int kind, int64_t gram, int64_t cap, int64_t *ids,
              size_t *n_out)
{
    struct gram_scope *s = arg;
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;
    size_t n = 0;
    int ordered = 1;

    *n_out = 0;
    if (s->hi < s->lo)
        return BK_OK;
    myp_int(&p, s->lo);
    myp_int(&p, s->hi);
    myp_int(&p, tenant);
    myp_int(&p, kind);
    myp_int(&p, gram);
    myp_int(&p, cap);
    err = my_query(s->c, sql_gram_postings, &p, &r);
    if (err != BK_OK)
        return err;
    while ((int64_t)n < cap && (err = my_next(&r)) == BK_OK) {
        ids[n] = my_col_int(&r, 0);
        ordered = ordered && (n == 0 || ids[n] > ids[n - 1]);
        n++;
    }
    my_done(&r);
    if (err == BK_ENOTFOUND)
        err = BK_OK;
    if (err == BK_OK && !ordered)
        return gram_postings_by_bucket(s, tenant, kind, gram, cap, ids, n_out);
    *n_out = err == BK_OK ? n : 0;
    return err;
}

static enum bk_err
a_gram_match(void *conn, int64_t tenant, int kind, const int64_t *grams, size_t n,
             int64_t common, int64_t rarest, int64_t limit, store_gram_fn fn, void *arg)
{
    struct gram_scope s;
    enum bk_err err = gram_scope_read(conn, tenant, kind, &s);

    if (err != BK_OK)
        return err;
    return access_gram_match(&s, gram_postings, NULL, tenant, kind, grams, n, common, rarest,
                             limit, fn, arg);
}

/* ------------------------------------------------------------ membership tests */

/* A range seek on the primary key (tenant, group_id, user_id, role_id); the role's name
 * decides as in members_of_group ("" when the role is gone or none). */
static const char sql_member_seek[] =
    "SELECT m.user_id FROM access_members m FORCE INDEX (PRIMARY) "
    "JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = ? AND m.group_id = ? AND m.user_id >= ? "
    "AND (? = '' OR coalesce(r.name, '') = ?) ORDER BY m.user_id LIMIT 1";

static enum bk_err
a_member_seek(void *conn, int64_t tenant, int64_t group_id, const char *role, int64_t from,
              int64_t *user_out)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, group_id);
    myp_int(&p, from);
    myp_text(&p, role ? role : "");
    myp_text(&p, role ? role : "");
    return first_int(conn, sql_member_seek, &p, user_out);
}

const struct store_access_ops mysql_access_ops = {
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
    .member_seek = a_member_seek,
};
