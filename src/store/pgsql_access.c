/* The access-control family (store/access.h) on PostgreSQL: the statements
 * of sqlite_access.c with the same parameters, ordering and conflicts. Every
 * statement runs with its tenant set, so row-level security applies. */
#include <string.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "access.h"
#include "pgsql.h"
#include "pgsql_int.h"

#define USER_COLS "u.id, u.tenant, u.token, u.status, u.dek, u.body, u.version, u.created, " \
                  "u.updated"
#define AUDIT_COLS "id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, " \
                   "prev_hash, hash"

static const char sql_version_get[] = "SELECT version FROM access_version WHERE tenant = $1";
static const char sql_version_bump[] =
    "INSERT INTO access_version (tenant, version) VALUES ($1, 1) "
    "ON CONFLICT (tenant) DO UPDATE SET version = access_version.version + 1";
static const char sql_role_insert[] =
    "INSERT INTO access_roles (tenant, name, descr, created) VALUES ($1, $2, $3, $4) "
    "RETURNING id";
static const char sql_role_by_id[] =
    "SELECT id, name, descr, '' FROM access_roles WHERE tenant = $1 AND id = $2";
static const char sql_role_by_name[] =
    "SELECT id, name, descr, '' FROM access_roles WHERE tenant = $1 AND name = $2";
static const char sql_role_update[] =
    "UPDATE access_roles SET name = coalesce($3, name), descr = coalesce($4, descr) "
    "WHERE tenant = $1 AND id = $2";
static const char sql_policy_insert[] =
    "INSERT INTO access_policies (tenant, name, descr, body, created, updated) "
    "VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
static const char sql_policy_by_id[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = $1 AND id = $2";
static const char sql_policy_by_name[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = $1 AND name = $2";
static const char sql_policy_update[] =
    "UPDATE access_policies SET name = coalesce($3, name), descr = coalesce($4, descr), "
    "body = coalesce($5, body), updated = $6 WHERE tenant = $1 AND id = $2";
static const char sql_policy_list[] =
    "SELECT id, name, descr, body FROM access_policies WHERE tenant = $1 ORDER BY id";
static const char sql_role_link[] =
    "INSERT INTO access_role_policies (tenant, role_id, policy_id) VALUES ($1, $2, $3)";
static const char sql_role_links[] =
    "SELECT role_id, policy_id FROM access_role_policies WHERE tenant = $1";
static const char sql_group_insert[] =
    "INSERT INTO access_groups (tenant, name, descr, gtype, created) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
static const char sql_group_by_id[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = $1 AND id = $2";
static const char sql_group_by_name[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = $1 AND name = $2";
static const char sql_group_update[] =
    "UPDATE access_groups SET name = coalesce($3, name), descr = coalesce($4, descr), "
    "gtype = coalesce($5, gtype) WHERE tenant = $1 AND id = $2";
static const char sql_group_delete[] = "DELETE FROM access_groups WHERE tenant = $1 AND id = $2";
static const char sql_group_delete_members[] =
    "DELETE FROM access_members WHERE tenant = $1 AND group_id = $2";
static const char sql_group_list[] =
    "SELECT id, name, descr, gtype FROM access_groups WHERE tenant = $1 ORDER BY id";
static const char sql_member_add[] =
    "INSERT INTO access_members (tenant, group_id, user_id, role_id) VALUES ($1, $2, $3, $4)";
static const char sql_member_delete[] =
    "DELETE FROM access_members WHERE tenant = $1 AND group_id = $2 AND user_id = $3";
static const char sql_member_purge[] =
    "DELETE FROM access_members WHERE tenant = $1 AND user_id = $2";
static const char sql_members_of_user[] =
    "SELECT m.group_id, m.user_id, m.role_id, g.name, g.descr, coalesce(r.name, '') "
    "FROM access_members m JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = $1 AND m.user_id = $2 ORDER BY m.group_id, m.role_id";
static const char sql_members_of_group[] =
    "SELECT m.group_id, m.user_id, m.role_id, g.name, g.descr, coalesce(r.name, '') "
    "FROM access_members m JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = $1 AND m.group_id = $2 ORDER BY m.user_id, m.role_id";
static const char sql_group_users_count[] =
    "SELECT count(DISTINCT m.user_id) FROM access_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.tenant = $1 AND m.group_id = $2 AND u.tenant = $1 AND u.status = 1";
static const char sql_group_users_page[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = $1 AND u.status = 1 AND u.id IN "
    "(SELECT user_id FROM access_members WHERE tenant = $1 AND group_id = $2) "
    "ORDER BY u.id LIMIT $3 OFFSET $4";
static const char sql_xtoken_insert[] =
    "INSERT INTO access_xtokens (tenant, hash, kind, user_id, role_id, created, finaltime, "
    "slidingtime, lastused) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
/* The token and its holder (users or roles by id) in one indexed read. */
static const char sql_xtoken_by_hash[] =
    "SELECT x.id, x.tenant, x.hash, x.kind, x.user_id, x.role_id, x.created, x.finaltime, "
    "x.slidingtime, x.lastused, coalesce(u.id, r.id, 0), coalesce(u.status, 0), "
    "coalesce(u.token, ''), coalesce(r.name, '') FROM access_xtokens x "
    "LEFT JOIN users u ON x.kind = 3 AND u.tenant = x.tenant AND u.id = x.user_id "
    "LEFT JOIN access_roles r ON x.kind = 4 AND r.tenant = x.tenant AND r.id = x.role_id "
    "WHERE x.tenant = $1 AND x.hash = $2";
static const char sql_xtoken_touch[] =
    "UPDATE access_xtokens SET lastused = $3 WHERE tenant = $1 AND id = $2 AND lastused < $3";
static const char sql_xtoken_purge[] =
    "DELETE FROM access_xtokens WHERE tenant = $1 AND kind = 3 AND user_id = $2";
static const char sql_xtoken_sweep[] =
    "DELETE FROM access_xtokens WHERE tenant = $1 AND ((finaltime > 0 AND finaltime <= $2) OR "
    "(slidingtime > 0 AND lastused + slidingtime <= $2))";
static const char sql_unlock_insert[] =
    "INSERT INTO access_unlocks (tenant, hash, owner, purpose, expires) "
    "VALUES ($1, $2, $3, '', $4)";
static const char sql_unlock_get[] =
    "SELECT owner, purpose, expires FROM access_unlocks WHERE tenant = $1 AND hash = $2";
static const char sql_unlock_bind[] =
    "UPDATE access_unlocks SET purpose = $3 WHERE tenant = $1 AND hash = $2 AND purpose = ''";
static const char sql_unlock_sweep[] =
    "DELETE FROM access_unlocks WHERE tenant = $1 AND expires <= $2";
static const char sql_users_count[] =
    "SELECT count(*) FROM users WHERE tenant = $1 AND status = 1";
static const char sql_users_page[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = $1 AND u.status = 1 ORDER BY u.id "
    "LIMIT $2 OFFSET $3";
static const char sql_user_by_id[] =
    "SELECT " USER_COLS " FROM users u WHERE u.tenant = $1 AND u.id = $2";
static const char sql_audit_count[] = "SELECT count(*) FROM audit WHERE tenant = $1";
static const char sql_audit_page[] =
    "SELECT " AUDIT_COLS " FROM audit WHERE tenant = $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
/* The bucket of a posting is its user id shifted right by the last
 * parameter (STORE_GRAM_BUCKET_SHIFT). */
static const char sql_gram_put[] =
    "INSERT INTO search_grams (tenant, kind, bucket, gram, user_id) "
    "VALUES ($1, $2, $4 >> $5::int, $3, $4) ON CONFLICT DO NOTHING";
/* Many postings in one round trip: three parallel arrays, given as array
 * literals of numbers (bound parameters, never spliced into the SQL). */
static const char sql_gram_put_many[] =
    "INSERT INTO search_grams (tenant, kind, bucket, gram, user_id) "
    "SELECT $1, t.k, t.u >> $5::int, t.g, t.u "
    "FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS t(k, g, u) ON CONFLICT DO NOTHING";
/* Many postings by their primary key, given like sql_gram_put_many's. */
static const char sql_gram_delete_many[] =
    "DELETE FROM search_grams s USING unnest($2::bigint[], $3::bigint[], $4::bigint[]) "
    "AS t(k, g, u) WHERE s.tenant = $1 AND s.kind = t.k AND s.bucket = t.u >> $5::int "
    "AND s.gram = t.g AND s.user_id = t.u";
/* The user's bucket of each kind, not the whole index. */
static const char sql_gram_purge[] =
    "DELETE FROM search_grams WHERE tenant = $1 AND kind IN (1, 2, 3, 4) "
    "AND bucket = $2 >> $3::int AND user_id = $2";
/* The buckets in use for a kind: two seeks on the primary key. */
static const char sql_gram_buckets[] =
    "SELECT coalesce(min(bucket), 0), coalesce(max(bucket), -1) FROM search_grams "
    "WHERE tenant = $1 AND kind = $2";
/* One gram's posting list, bucket by bucket in one statement: the series
 * drives a nested loop over the primary key, so rows come in user order and
 * the outer limit stops at the first <cap>. */
static const char sql_gram_postings[] =
    "SELECT s.user_id FROM generate_series($3::bigint, $4::bigint) AS b(n) "
    "CROSS JOIN LATERAL (SELECT user_id FROM search_grams WHERE tenant = $1 AND kind = $2 "
    "AND bucket = b.n AND gram = $5 ORDER BY user_id LIMIT $6) AS s LIMIT $6";

/* Run <sql>; BK_ENOTFOUND when <want_change> and no row changed. */
static enum bk_err
exec_changes(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
             int want_change)
{
    int64_t n = 0;
    enum bk_err err = pg_exec(c, tenant, sql, p, &n);

    if (err == BK_OK && want_change && n == 0)
        err = BK_ENOTFOUND;
    return err;
}

static enum bk_err
exec_tenant_id(struct pg_conn *c, const char *sql, int64_t tenant, int64_t id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    return pg_exec(c, tenant, sql, &p, NULL);
}

/* The first column of the first row; BK_ENOTFOUND without a row. */
static enum bk_err
first_int(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
          int64_t *out)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    *out = 0;
    if (err == BK_OK) {
        if (PQntuples(res) > 0)
            *out = pg_col_int(res, 0, 0);
        else
            err = BK_ENOTFOUND;
    }
    PQclear(res);
    return err;
}

static enum bk_err
count_one(struct pg_conn *c, const char *sql, int64_t tenant, int64_t id, int bind_id,
          int64_t *out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    if (bind_id)
        pgp_int(&p, id);
    return first_int(c, tenant, sql, &p, out);
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
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    return pg_exec(conn, tenant, sql_version_bump, &p, NULL);
}

/* Insert with (tenant, name, descr, extra?, when); *id_out from RETURNING id. */
static enum bk_err
insert_named(struct pg_conn *c, const char *sql, int64_t tenant, const char *name,
             const char *descr, const char *extra, int64_t when, int64_t *id_out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_text(&p, name);
    pgp_text(&p, descr ? descr : "");
    if (extra != NULL)
        pgp_text(&p, extra);
    pgp_int(&p, when);
    return first_int(c, tenant, sql, &p, id_out);
}

static enum bk_err
dup_col(const PGresult *r, int row, int col, char **out)
{
    *out = mem_strdup(PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
    return *out == NULL ? BK_ENOMEM : BK_OK;
}

static enum bk_err
get_named(struct pg_conn *c, const char *by_id, const char *by_name, int64_t tenant, int64_t id,
          const char *name, struct access_named *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    if (name)
        pgp_text(&p, name);
    else
        pgp_int(&p, id);
    err = pg_run(c, tenant, name ? by_name : by_id, &p, &res);
    if (err == BK_OK && PQntuples(res) == 0)
        err = BK_ENOTFOUND;
    if (err == BK_OK) {
        out->id = pg_col_int(res, 0, 0);
        err = dup_col(res, 0, 1, &out->name);
        if (err == BK_OK)
            err = dup_col(res, 0, 2, &out->descr);
        if (err == BK_OK)
            err = dup_col(res, 0, 3, &out->extra);
        if (err != BK_OK)
            access_named_cleanup(out);
    }
    PQclear(res);
    return err;
}

static enum bk_err
list_named(struct pg_conn *c, const char *sql, int64_t tenant, store_named_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    err = pg_run(c, tenant, sql, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct access_named n = {
            .id = pg_col_int(res, i, 0),
            .name = PQgetvalue(res, i, 1),
            .descr = PQgetvalue(res, i, 2),
            .extra = PQgetvalue(res, i, 3),
        };
        err = fn(arg, &n);
    }
    PQclear(res);
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
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    pgp_text(&p, name);
    pgp_text(&p, descr);
    return exec_changes(conn, tenant, sql_role_update, &p, 1);
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
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    pgp_text(&p, name);
    pgp_text(&p, descr);
    pgp_text(&p, body);
    pgp_int(&p, when);
    return exec_changes(conn, tenant, sql_policy_update, &p, 1);
}

static enum bk_err
a_policy_list(void *conn, int64_t tenant, store_named_fn fn, void *arg)
{
    return list_named(conn, sql_policy_list, tenant, fn, arg);
}

static enum bk_err
a_role_link(void *conn, int64_t tenant, int64_t role_id, int64_t policy_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, role_id);
    pgp_int(&p, policy_id);
    return pg_exec(conn, tenant, sql_role_link, &p, NULL);
}

static enum bk_err
a_role_links(void *conn, int64_t tenant, store_link_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    err = pg_run(conn, tenant, sql_role_links, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++)
        err = fn(arg, pg_col_int(res, i, 0), pg_col_int(res, i, 1));
    PQclear(res);
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
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    pgp_text(&p, name);
    pgp_text(&p, descr);
    pgp_text(&p, gtype);
    return exec_changes(conn, tenant, sql_group_update, &p, 1);
}

static enum bk_err
a_group_delete(void *conn, int64_t tenant, int64_t id)
{
    struct pg_params p = { 0 };
    enum bk_err err = exec_tenant_id(conn, sql_group_delete_members, tenant, id);

    if (err != BK_OK)
        return err;
    pgp_int(&p, tenant);
    pgp_int(&p, id);
    return exec_changes(conn, tenant, sql_group_delete, &p, 1);
}

static enum bk_err
a_group_list(void *conn, int64_t tenant, store_named_fn fn, void *arg)
{
    return list_named(conn, sql_group_list, tenant, fn, arg);
}

static enum bk_err
a_member_add(void *conn, int64_t tenant, int64_t group_id, int64_t user_id, int64_t role_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, group_id);
    pgp_int(&p, user_id);
    pgp_int(&p, role_id);
    return pg_exec(conn, tenant, sql_member_add, &p, NULL);
}

static enum bk_err
a_member_delete(void *conn, int64_t tenant, int64_t group_id, int64_t user_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, group_id);
    pgp_int(&p, user_id);
    return exec_changes(conn, tenant, sql_member_delete, &p, 1);
}

static enum bk_err
a_member_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    return exec_tenant_id(conn, sql_member_purge, tenant, user_id);
}

static enum bk_err
list_members(struct pg_conn *c, const char *sql, int64_t tenant, int64_t id, store_member_fn fn,
             void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    err = pg_run(c, tenant, sql, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct access_member m = {
            .group_id = pg_col_int(res, i, 0),
            .user_id = pg_col_int(res, i, 1),
            .role_id = pg_col_int(res, i, 2),
            .group_name = PQgetvalue(res, i, 3),
            .group_descr = PQgetvalue(res, i, 4),
            .role_name = PQgetvalue(res, i, 5),
        };
        err = fn(arg, &m);
    }
    PQclear(res);
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

static enum bk_err
read_user(const PGresult *r, int i, struct user_row *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    pg_col_text(r, i, 2, out->token, sizeof out->token);
    out->status = (int)pg_col_int(r, i, 3);
    out->version = pg_col_int(r, i, 6);
    out->created = pg_col_int(r, i, 7);
    out->updated = pg_col_int(r, i, 8);
    err = pg_col_blob(r, i, 4, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = pg_col_blob(r, i, 5, &out->body, &out->body_len);
    if (err != BK_OK)
        store_user_row_cleanup(out);
    return err;
}

/* Run <sql> and pass each user row to <fn>. */
static enum bk_err
each_user(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
          store_user_fn fn, void *arg)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct user_row row;

        err = read_user(res, i, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_user_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
a_group_users_page(void *conn, int64_t tenant, int64_t group_id, int64_t offset, int64_t limit,
                   int64_t *total, store_user_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    enum bk_err err = count_one(conn, sql_group_users_count, tenant, group_id, 1, total);

    if (err != BK_OK)
        return err;
    pgp_int(&p, tenant);
    pgp_int(&p, group_id);
    pgp_int(&p, limit);
    pgp_int(&p, offset);
    return each_user(conn, tenant, sql_group_users_page, &p, fn, arg);
}

static enum bk_err
a_xtoken_insert(void *conn, struct access_xtoken *t)
{
    struct pg_params p = { 0 };

    pgp_int(&p, t->tenant);
    pgp_blob(&p, t->hash, STORE_HASH_LEN);
    pgp_int(&p, t->kind);
    pgp_int(&p, t->user_id);
    pgp_int(&p, t->role_id);
    pgp_int(&p, t->created);
    pgp_int(&p, t->finaltime);
    pgp_int(&p, t->slidingtime);
    pgp_int(&p, t->lastused);
    return first_int(conn, t->tenant, sql_xtoken_insert, &p, &t->id);
}

static enum bk_err
a_xtoken_by_hash(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                 struct access_xtoken *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    err = pg_run(conn, tenant, sql_xtoken_by_hash, &p, &res);
    if (err == BK_OK && PQntuples(res) == 0)
        err = BK_ENOTFOUND;
    if (err == BK_OK) {
        out->id = pg_col_int(res, 0, 0);
        out->tenant = pg_col_int(res, 0, 1);
        if (PQgetlength(res, 0, 2) == STORE_HASH_LEN)
            memcpy(out->hash, PQgetvalue(res, 0, 2), STORE_HASH_LEN);
        out->kind = (int)pg_col_int(res, 0, 3);
        out->user_id = pg_col_int(res, 0, 4);
        out->role_id = pg_col_int(res, 0, 5);
        out->created = pg_col_int(res, 0, 6);
        out->finaltime = pg_col_int(res, 0, 7);
        out->slidingtime = pg_col_int(res, 0, 8);
        out->lastused = pg_col_int(res, 0, 9);
        out->holder_id = pg_col_int(res, 0, 10);
        out->user_status = pg_col_int(res, 0, 11);
        pg_col_text(res, 0, 12, out->user_token, sizeof out->user_token);
        pg_col_text(res, 0, 13, out->role_name, sizeof out->role_name);
    }
    PQclear(res);
    return err;
}

static enum bk_err
a_xtoken_touch(void *conn, int64_t tenant, int64_t id, int64_t lastused)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, id);
    pgp_int(&p, lastused);
    return pg_exec(conn, tenant, sql_xtoken_touch, &p, NULL);
}

static enum bk_err
a_xtoken_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    return exec_tenant_id(conn, sql_xtoken_purge, tenant, user_id);
}

static enum bk_err
a_xtoken_sweep(void *conn, int64_t tenant, int64_t now)
{
    return exec_tenant_id(conn, sql_xtoken_sweep, tenant, now);
}

static enum bk_err
a_unlock_insert(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                const char *owner, int64_t expires)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    pgp_text(&p, owner);
    pgp_int(&p, expires);
    return pg_exec(conn, tenant, sql_unlock_insert, &p, NULL);
}

static enum bk_err
a_unlock_get(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
             struct access_unlock *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    err = pg_run(conn, tenant, sql_unlock_get, &p, &res);
    if (err == BK_OK && PQntuples(res) == 0)
        err = BK_ENOTFOUND;
    if (err == BK_OK) {
        pg_col_text(res, 0, 0, out->owner, sizeof out->owner);
        pg_col_text(res, 0, 1, out->purpose, sizeof out->purpose);
        out->expires = pg_col_int(res, 0, 2);
    }
    PQclear(res);
    return err;
}

static enum bk_err
a_unlock_bind(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
              const char *purpose)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    pgp_text(&p, purpose);
    return exec_changes(conn, tenant, sql_unlock_bind, &p, 1);
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
    struct pg_params p = { 0 };
    enum bk_err err = count_one(conn, sql_users_count, tenant, 0, 0, total);

    if (err != BK_OK)
        return err;
    pgp_int(&p, tenant);
    pgp_int(&p, limit);
    pgp_int(&p, offset);
    return each_user(conn, tenant, sql_users_page, &p, fn, arg);
}

static enum bk_err
a_user_by_id(void *conn, int64_t tenant, int64_t id, struct user_row *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_int(&p, id);
    err = pg_run(conn, tenant, sql_user_by_id, &p, &res);
    if (err == BK_OK)
        err = PQntuples(res) > 0 ? read_user(res, 0, out) : BK_ENOTFOUND;
    PQclear(res);
    return err;
}

static void
read_audit(const PGresult *r, int i, struct audit_row *out)
{
    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, i, 0);
    out->tenant = pg_col_int(r, i, 1);
    pg_col_text(r, i, 2, out->atoken, sizeof out->atoken);
    pg_col_text(r, i, 3, out->record, sizeof out->record);
    out->when = pg_col_int(r, i, 4);
    pg_col_text(r, i, 5, out->action, sizeof out->action);
    pg_col_text(r, i, 6, out->who, sizeof out->who);
    pg_col_text(r, i, 7, out->mode, sizeof out->mode);
    pg_col_text(r, i, 8, out->status, sizeof out->status);
    pg_col_text(r, i, 9, out->msg, sizeof out->msg);
    if (PQgetlength(r, i, 11) == STORE_HASH_LEN)
        memcpy(out->prev_hash, PQgetvalue(r, i, 11), STORE_HASH_LEN);
    if (PQgetlength(r, i, 12) == STORE_HASH_LEN)
        memcpy(out->hash, PQgetvalue(r, i, 12), STORE_HASH_LEN);
    /* bulk listings never open the sealed details */
}

static enum bk_err
a_audit_page(void *conn, int64_t tenant, int64_t offset, int64_t limit, int64_t *total,
             store_audit_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err = count_one(conn, sql_audit_count, tenant, 0, 0, total);

    if (err != BK_OK)
        return err;
    pgp_int(&p, tenant);
    pgp_int(&p, limit);
    pgp_int(&p, offset);
    err = pg_run(conn, tenant, sql_audit_page, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct audit_row row;

        read_audit(res, i, &row);
        err = fn(arg, &row);
        store_audit_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
a_gram_put(void *conn, int64_t tenant, int kind, int64_t gram, int64_t user_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, kind);
    pgp_int(&p, gram);
    pgp_int(&p, user_id);
    pgp_int(&p, STORE_GRAM_BUCKET_SHIFT);
    return pg_exec(conn, tenant, sql_gram_put, &p, NULL);
}

/* <sql> over <rows> as three parallel arrays: kinds, grams, users. */
static enum bk_err
grams_exec(void *conn, const char *sql, int64_t tenant, const struct store_gram_row *rows,
           size_t n)
{
    struct pg_conn *c = conn;
    struct buf a[3];
    struct pg_params p = { 0 };
    enum bk_err err = BK_OK;

    for (int k = 0; k < 3; k++)
        buf_init(&a[k], 24 * n + 16);
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        const char *sep = i ? "," : "{";

        err = buf_printf(&a[0], "%s%d", sep, rows[i].kind);
        if (err == BK_OK)
            err = buf_printf(&a[1], "%s%lld", sep, (long long)rows[i].gram);
        if (err == BK_OK)
            err = buf_printf(&a[2], "%s%lld", sep, (long long)rows[i].user_id);
    }
    for (int k = 0; k < 3 && err == BK_OK; k++)
        err = buf_append(&a[k], "}", 2);        /* with the NUL */
    if (err == BK_OK) {
        pgp_int(&p, tenant);
        for (int k = 0; k < 3; k++)
            pgp_text(&p, a[k].ptr);
        pgp_int(&p, STORE_GRAM_BUCKET_SHIFT);
        err = pg_exec(c, tenant, sql, &p, NULL);
    }
    for (int k = 0; k < 3; k++)
        buf_cleanup(&a[k]);
    return err;
}

static enum bk_err
a_gram_put_many(void *conn, int64_t tenant, const struct store_gram_row *rows, size_t n)
{
    return grams_exec(conn, sql_gram_put_many, tenant, rows, n);
}

static enum bk_err
a_gram_delete_many(void *conn, int64_t tenant, const struct store_gram_row *rows, size_t n)
{
    return grams_exec(conn, sql_gram_delete_many, tenant, rows, n);
}

static enum bk_err
a_gram_purge_user(void *conn, int64_t tenant, int64_t user_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, user_id);
    pgp_int(&p, STORE_GRAM_BUCKET_SHIFT);
    return pg_exec(conn, tenant, sql_gram_purge, &p, NULL);
}

/* The connection and the buckets one search reads, read once per search. */
struct gram_scope {
    struct pg_conn *c;
    int64_t lo, hi;         /* hi < lo: no postings */
};

static enum bk_err
gram_scope_read(struct pg_conn *c, int64_t tenant, int kind, struct gram_scope *s)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    s->c = c;
    s->lo = 0;
    s->hi = -1;
    pgp_int(&p, tenant);
    pgp_int(&p, kind);
    err = pg_run(c, tenant, sql_gram_buckets, &p, &res);
    if (err == BK_OK && PQntuples(res) == 1) {
        s->lo = pg_col_int(res, 0, 0);
        s->hi = pg_col_int(res, 0, 1);
    }
    PQclear(res);
    return err;
}

static enum bk_err
gram_postings(void *arg, int64_t tenant, int kind, int64_t gram, int64_t cap, int64_t *ids,
              size_t *n_out)
{
    struct gram_scope *s = arg;
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;
    size_t n = 0;

    *n_out = 0;
    if (s->hi < s->lo)
        return BK_OK;
    pgp_int(&p, tenant);
    pgp_int(&p, kind);
    pgp_int(&p, s->lo);
    pgp_int(&p, s->hi);
    pgp_int(&p, gram);
    pgp_int(&p, cap);
    err = pg_run(s->c, tenant, sql_gram_postings, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res) && (int64_t)n < cap; i++) {
        ids[n] = pg_col_int(res, i, 0);
        /* the contract is ascending ids: a plan that lost the order fails loudly */
        if (n > 0 && ids[n] <= ids[n - 1])
            err = BK_EINTERNAL;
        n++;
    }
    PQclear(res);
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
    "SELECT m.user_id FROM access_members m "
    "JOIN access_groups g ON g.id = m.group_id AND g.tenant = m.tenant "
    "LEFT JOIN access_roles r ON r.id = m.role_id AND r.tenant = m.tenant "
    "WHERE m.tenant = $1 AND m.group_id = $2 AND m.user_id >= $3 "
    "AND ($4 = '' OR coalesce(r.name, '') = $4) ORDER BY m.user_id LIMIT 1";

static enum bk_err
a_member_seek(void *conn, int64_t tenant, int64_t group_id, const char *role, int64_t from,
              int64_t *user_out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, group_id);
    pgp_int(&p, from);
    pgp_text(&p, role ? role : "");
    return first_int(conn, tenant, sql_member_seek, &p, user_out);
}

const struct store_access_ops pgsql_access_ops = {
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
