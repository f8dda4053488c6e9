/* /v2 adapters for bulk listings behind unlock ids, and fuzzy search. */
#include <stdio.h>
#include <string.h>

#include "../base/mem.h"
#include "../core/bulk.h"
#include "../core/groups.h"
#include "../core/normalize.h"
#include "../core/requests.h"
#include "../core/search.h"
#include "../core/tokens.h"
#include "auditjson.h"
#include "params.h"
#include "requestjson.h"
#include "v2_access.h"
#include "v2_tokens.h"

#define SEARCH_LIMIT_MAX 100

static enum bk_err
unlock(struct ctx *c, const json_t *body, const char *purpose)
{
    const char *id;
    size_t len;
    enum bk_err err = params_str(c, body, "unlockuuid", &id, &len);

    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing unlockuuid: call BulkListUnlock first");
    if (err != BK_OK)
        return err;
    return bulk_unlock_check(c, id, len, purpose);
}

static enum bk_err
page(struct ctx *c, const json_t *body, int64_t *offset, int64_t *limit)
{
    enum bk_err err = params_int(c, body, "offset", 0, 0, INT32_MAX, offset);

    return err == BK_OK ? params_int(c, body, "limit", 10, 1, BULK_PAGE_MAX, limit) : err;
}

static json_t *
user_json(const struct user_row *row, const json_t *profile)
{
    return json_pack("{s:s, s:O, s:I}", "token", row->token, "profile", profile, "version",
                     (json_int_t)row->version);
}

static enum bk_err
collect_user(void *arg, const struct user_row *row, const json_t *profile)
{
    json_t *o = user_json(row, profile);

    if (o == NULL || json_array_append_new(arg, o) != 0)
        return BK_ENOMEM;
    return BK_OK;
}

static enum bk_err
reply_page(json_t **reply, int64_t total, json_t *rows)
{
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_ACCESS_HANDLER(v2_bulk_unlock)
{
    char id[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw, (void)body;
    err = bulk_unlock_create(c, id);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "unlockuuid", id);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_ACCESS_HANDLER(v2_bulk_list_users)
{
    const json_t *users = json_object_get(body, "users"), *u;
    struct user_ref *refs = NULL;
    int64_t offset, limit;
    json_t *rows = NULL, *slice = NULL;
    size_t i, n;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    if (users == NULL || json_is_null(users))
        return ctx_fail(c, BK_EINVAL, "missing users");
    if (!json_is_array(users))
        return ctx_fail(c, BK_EINVAL, "users must be an array of {mode, identity}");
    n = json_array_size(users);
    if (n > BULK_USERS_MAX)
        return ctx_fail(c, BK_EINVAL, "too many users in one call");
    err = page(c, body, &offset, &limit);
    if (err != BK_OK)
        return err;
    refs = mem_calloc(n + 1, sizeof *refs);
    if (refs == NULL)
        return BK_ENOMEM;
    json_array_foreach(users, i, u) {
        if (!json_is_object(u)) {
            err = ctx_fail(c, BK_EINVAL, "users must be an array of {mode, identity}");
            break;
        }
        err = params_ref_body(c, u, &refs[i]);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK)
        err = unlock(c, body, "BulkListUsers");
    rows = err == BK_OK ? json_array() : NULL;
    if (err == BK_OK && rows == NULL)
        err = BK_ENOMEM;
    if (err == BK_OK)
        err = bulk_list_users(c, refs, n, collect_user, rows);
    if (err == BK_OK) {
        slice = json_array();
        for (size_t k = (size_t)offset; slice != NULL && k < json_array_size(rows) &&
                                        k < (size_t)(offset + limit); k++)
            json_array_append(slice, json_array_get(rows, k));
        if (slice == NULL)
            err = BK_ENOMEM;
    }
    if (err == BK_OK) {
        err = reply_page(reply, (int64_t)json_array_size(rows), slice);
        slice = NULL;
    }
    json_decref(slice);
    json_decref(rows);
    mem_free(refs);
    return err;
}

V2_ACCESS_HANDLER(v2_bulk_list_group_users)
{
    struct groups_sel sel;
    struct access_named g = { 0 };
    int64_t offset, limit, total = 0, gid;
    char purpose[64];
    json_t *rows;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = v2_access_group_sel(c, body, 1, &sel);
    if (err == BK_OK)
        err = page(c, body, &offset, &limit);
    if (err == BK_OK)
        err = groups_get(c, sel.group_id, sel.group_name, &g);
    if (err != BK_OK)
        return err;
    gid = g.id;
    access_named_cleanup(&g);
    snprintf(purpose, sizeof purpose, "BulkListGroupUsers:%lld", (long long)gid);
    err = unlock(c, body, purpose);
    if (err != BK_OK)
        return err;
    rows = json_array();
    if (rows == NULL)
        return BK_ENOMEM;
    err = bulk_list_group_users(c, gid, offset, limit, &total, collect_user, rows);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    return reply_page(reply, total, rows);
}

static enum bk_err
collect_event(void *arg, const struct audit_row *row)
{
    struct audit_view v = { .row = *row, .details = NULL };
    json_t *o = auditjson_v2(&v, 0);

    if (o == NULL)
        return BK_ENOMEM;
    json_object_del(o, "identity");   /* bulk listings carry no personal details */
    if (json_array_append_new(arg, o) != 0)
        return BK_ENOMEM;
    return BK_OK;
}

/* A page of every user (<audit> 0) or every audit event (1) of the tenant,
 * for the unlocked operation <op>. */
static enum bk_err
list_all(struct ctx *c, const json_t *body, const char *op, int audit, json_t **reply)
{
    int64_t offset, limit, total = 0;
    json_t *rows;
    enum bk_err err = page(c, body, &offset, &limit);

    if (err == BK_OK)
        err = unlock(c, body, op);
    if (err != BK_OK)
        return err;
    rows = json_array();
    if (rows == NULL)
        return BK_ENOMEM;
    if (audit)
        err = bulk_list_audit(c, offset, limit, &total, collect_event, rows);
    else
        err = bulk_list_all_users(c, offset, limit, &total, collect_user, rows);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    return reply_page(reply, total, rows);
}

V2_ACCESS_HANDLER(v2_bulk_list_all_users)
{
    (void)req, (void)m, (void)raw;
    return list_all(c, body, "BulkListAllUsers", 0, reply);
}

V2_ACCESS_HANDLER(v2_bulk_list_all_audit_events)
{
    (void)req, (void)m, (void)raw;
    return list_all(c, body, "BulkListAllAuditEvents", 1, reply);
}

/* Every data-subject request of the tenant, newest first; an optional
 * "status" (open, approved, cancelled) narrows the listing. */
V2_ACCESS_HANDLER(v2_bulk_list_all_user_requests)
{
    struct requestjson_list l = { NULL, 1 };
    int64_t offset, limit, total = 0;
    const char *status = NULL;
    size_t status_len = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = page(c, body, &offset, &limit);
    if (err == BK_OK) {
        err = params_str(c, body, "status", &status, &status_len);
        if (err == BK_ENOTFOUND) {
            status = NULL;
            err = BK_OK;
        } else if (err == BK_OK && strlen(status) != status_len) {
            err = ctx_fail(c, BK_EINVAL, "bad status: use open, approved or cancelled");
        }
    }
    if (err == BK_OK)
        err = unlock(c, body, "BulkListAllUserRequests");
    if (err != BK_OK)
        return err;
    l.rows = json_array();
    if (l.rows == NULL)
        return BK_ENOMEM;
    err = requests_list_as(c, "BulkListAllUserRequests", status, offset, limit, &total,
                           requestjson_collect, &l);
    if (err != BK_OK) {
        json_decref(l.rows);
        return err;
    }
    return reply_page(reply, total, l.rows);
}

/* The tokens "tokens" names (uuids or values), in request order; unknown and
 * expired ones are left out. */
V2_ACCESS_HANDLER(v2_bulk_list_tokens)
{
    struct slice *toks = NULL;
    size_t n = 0;
    json_t *rows;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = v2_tokens_list_param(c, body, &toks, &n);
    if (err == BK_OK)
        err = unlock(c, body, "BulkListTokens");
    rows = err == BK_OK ? json_array() : NULL;
    if (err == BK_OK && rows == NULL)
        err = BK_ENOMEM;
    if (err == BK_OK)
        err = tokens_list(c, toks, n, "BulkListTokens", v2_tokens_collect, rows);
    mem_free(toks);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    return reply_page(reply, (int64_t)json_array_size(rows), rows);
}

V2_ACCESS_HANDLER(v2_bulk_delete_tokens)
{
    struct slice *toks = NULL;
    size_t n = 0;
    int64_t deleted = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = v2_tokens_list_param(c, body, &toks, &n);
    if (err == BK_OK)
        err = unlock(c, body, "BulkDeleteTokens");
    if (err == BK_OK)
        err = tokens_delete_many(c, toks, n, "BulkDeleteTokens", &deleted);
    mem_free(toks);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:I}", "deleted", (json_int_t)deleted);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
collect_hit(void *arg, const struct user_row *row, const json_t *profile, double score)
{
    json_t *o = user_json(row, profile);

    if (o == NULL || json_object_set_new(o, "score", json_real(score)) != 0 ||
        json_array_append_new(arg, o) != 0) {
        json_decref(o);
        return BK_ENOMEM;
    }
    return BK_OK;
}

V2_ACCESS_HANDLER(v2_user_search)
{
    const char *mode = NULL, *identity = NULL;
    size_t mode_len = 0, len = 0;
    int64_t limit;
    int kind = 0;
    json_t *rows;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_str(c, body, "identity", &identity, &len);
    if (err == BK_ENOTFOUND || (err == BK_OK && len == 0))
        return ctx_fail(c, BK_EINVAL, "missing identity");
    if (err == BK_OK && len > NORMALIZE_MAX)
        return ctx_fail(c, BK_EINVAL, "identity too long");
    if (err == BK_OK) {
        err = params_str(c, body, "mode", &mode, &mode_len);
        if (err == BK_ENOTFOUND)
            err = BK_OK;
    }
    if (err == BK_OK && mode != NULL && mode_len > 0) {
        enum user_mode um;

        if (users_mode_parse(mode, mode_len, &um) != BK_OK || um == MODE_TOKEN)
            return ctx_fail(c, BK_EINVAL, "bad mode: use email, phone, login or custom");
        kind = (int)um;
    }
    if (err == BK_OK)
        err = params_int(c, body, "limit", 20, 1, SEARCH_LIMIT_MAX, &limit);
    if (err == BK_OK)
        err = unlock(c, body, "UserSearch");
    if (err != BK_OK)
        return err;
    rows = json_array();
    if (rows == NULL)
        return BK_ENOMEM;
    err = search_users(c, kind, identity, len, (size_t)limit, collect_hit, rows);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    return reply_page(reply, (int64_t)json_array_size(rows), rows);
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_bulk_routes[] = {
    { "POST", "/v2/BulkListUnlock", v2_bulk_unlock, V2, "BulkListUnlock" },
    { "POST", "/v2/BulkListAllUsers", v2_bulk_list_all_users, V2, "BulkListAllUsers" },
    { "POST", "/v2/BulkListUsers", v2_bulk_list_users, V2 | ROUTE_BODY_BULK, "BulkListUsers" },
    { "POST", "/v2/BulkListGroupUsers", v2_bulk_list_group_users, V2, "BulkListGroupUsers" },
    { "POST", "/v2/BulkListAllAuditEvents", v2_bulk_list_all_audit_events, V2,
      "BulkListAllAuditEvents" },
    { "POST", "/v2/BulkListAllUserRequests", v2_bulk_list_all_user_requests, V2,
      "BulkListAllUserRequests" },
    { "POST", "/v2/BulkListTokens", v2_bulk_list_tokens, V2 | ROUTE_BODY_BULK, "BulkListTokens" },
    { "POST", "/v2/BulkDeleteTokens", v2_bulk_delete_tokens, V2 | ROUTE_BODY_BULK,
      "BulkDeleteTokens" },
    { "POST", "/v2/UserSearch", v2_user_search, V2, "UserSearch" },
    { NULL, NULL, NULL, 0, NULL },
};
