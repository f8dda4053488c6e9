/* /v2 adapters for bulk user calls (UserCreateBulk, UserDeleteBulk,
 * BulkListUnlock) and the System* operations. */
#include "v2_system.h"

#include <string.h>

#include "../base/mem.h"
#include "../core/report.h"
#include "../core/system.h"
#include "../core/bulk.h"
#include "../core/groups.h"
#include "../core/users.h"
#include "../core/wrapkey.h"
#include "../vault/secbuf.h"
#include "params.h"
#include "v2_user.h"
#include "reporthtml.h"

/* A non-empty array member <name>; messages name it. */
static enum bk_err
nonempty_array(struct ctx *c, const json_t *body, const char *name, const char *missing,
               const char *empty, json_t **out)
{
    json_t *a = json_object_get(body, name);

    *out = NULL;
    if (a == NULL || json_is_null(a))
        return ctx_fail(c, BK_EINVAL, missing);
    if (!json_is_array(a))
        return ctx_fail(c, BK_EINVAL, "bulk list must be a JSON array");
    if (json_array_size(a) == 0)
        return ctx_fail(c, BK_EINVAL, empty);
    *out = a;
    return BK_OK;
}

static int
present(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);

    return v != NULL && !json_is_null(v);
}

/* What "records" asks for, checked before anything is written: the profiles
 * in order, and each record's group and role (shared expiration <exp>). */
struct bulk_create {
    const json_t **profiles;
    struct groups_sel *sels;
    struct users_create_opts *opts;
};

static void
bulk_create_cleanup(struct bulk_create *b)
{
    mem_free(b->profiles);
    mem_free(b->sels);
    mem_free(b->opts);
}

static enum bk_err
bulk_records(struct ctx *c, const json_t *records, const struct expiry_req *exp,
             struct bulk_create *out)
{
    size_t n = json_array_size(records);

    out->profiles = mem_calloc(n, sizeof *out->profiles);
    out->sels = mem_calloc(n, sizeof *out->sels);
    out->opts = mem_calloc(n, sizeof *out->opts);
    if (out->profiles == NULL || out->sels == NULL || out->opts == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *rec = json_array_get(records, i);
        enum bk_err err;

        c->errmsg = NULL;
        if (!json_is_object(rec))
            return ctx_fail_at(c, BK_EINVAL, "records", i, "must be an object with a profile");
        out->profiles[i] = json_object_get(rec, "profile");
        if (out->profiles[i] == NULL || !json_is_object(out->profiles[i]))
            return ctx_fail_at(c, BK_EINVAL, "records", i, "profile must be a JSON object");
        out->opts[i].exp = exp;
        err = v2_user_create_sel(c, rec, &out->sels[i], &out->opts[i]);
        if (err != BK_OK)
            return ctx_fail_at(c, err, "records", i, "bad group or role");
    }
    return BK_OK;
}

V2_HANDLER(v2_user_create_bulk)
{
    json_t *records, *created = NULL;
    struct bulk_create bc = { NULL, NULL, NULL };
    struct expiry_req exp;
    char (*tokens)[37] = NULL;
    size_t n, failed_at = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = nonempty_array(c, body, "records", "missing records", "records must not be empty",
                         &records);
    if (err == BK_OK)
        err = params_expiry(c, body, &exp);
    if (err == BK_OK)
        err = bulk_records(c, records, &exp, &bc);
    if (err != BK_OK)
        goto out;
    n = json_array_size(records);
    tokens = mem_calloc(n, sizeof *tokens);
    created = json_array();
    if (tokens == NULL || created == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    c->errmsg = NULL;
    err = users_create_many(c, bc.profiles, bc.opts, n, tokens, &failed_at);
    if (err != BK_OK) {
        if (err == BK_EINVAL || err == BK_ECONFLICT || err == BK_ENOTFOUND)
            ctx_fail_at(c, err, "records", failed_at,
                        err == BK_ECONFLICT ? "duplicate"
                        : err == BK_ENOTFOUND ? "not found" : "bad profile");
        goto out;
    }
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        json_t *one = json_pack("{s:s, s:O}", "token", tokens[i], "profile", bc.profiles[i]);

        if (one == NULL || json_array_append_new(created, one) != 0)
            err = BK_ENOMEM;
    }
    if (err == BK_OK) {
        *reply = json_pack("{s:o}", "created", created);
        created = NULL;
        if (*reply == NULL)
            err = BK_ENOMEM;
    }
out:
    json_decref(created);
    mem_free(tokens);
    bulk_create_cleanup(&bc);
    return err;
}

/* The users a UserDeleteBulk names: "users" [{mode, identity}] or "tokens"
 * ["..."], not both. */
static enum bk_err
delete_refs(struct ctx *c, const json_t *body, struct user_ref **out, size_t *n_out,
            const char **list_out)
{
    int has_users = present(body, "users"), has_tokens = present(body, "tokens");
    const char *name = has_users ? "users" : "tokens";
    struct user_ref *refs;
    json_t *list;
    size_t n;
    enum bk_err err;

    *out = NULL;
    *n_out = 0;
    *list_out = name;
    if (has_users && has_tokens)
        return ctx_fail(c, BK_EINVAL, "give users or tokens, not both");
    err = nonempty_array(c, body, name, "missing users (a list of {mode, identity}) or tokens",
                         has_users ? "users must not be empty" : "tokens must not be empty",
                         &list);
    if (err != BK_OK)
        return err;
    n = json_array_size(list);
    refs = mem_calloc(n, sizeof *refs);
    if (refs == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(list, i);

        if (has_users) {
            err = json_is_object(v) ? params_ref_body(c, v, &refs[i])
                                    : ctx_fail(c, BK_EINVAL, "must be an object {mode, identity}");
        } else if (json_is_string(v)) {
            refs[i].mode = MODE_TOKEN;
            refs[i].identity = json_string_value(v);
            refs[i].identity_len = json_string_length(v);
            err = users_token_valid(refs[i].identity, refs[i].identity_len)
                      ? BK_OK : ctx_fail(c, BK_EINVAL, "bad token format");
        } else {
            err = ctx_fail(c, BK_EINVAL, "must be a token string");
        }
        if (err != BK_OK) {
            mem_free(refs);
            return ctx_fail_at(c, err, name, i, "bad entry");
        }
    }
    *out = refs;
    *n_out = n;
    return BK_OK;
}

V2_HANDLER(v2_user_delete_bulk)
{
    struct user_ref *refs = NULL;
    char (*tokens)[37] = NULL;
    const char *list = "users";
    json_t *deleted = NULL;
    size_t n = 0, failed_at = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = delete_refs(c, body, &refs, &n, &list);
    if (err != BK_OK)
        return err;
    tokens = mem_calloc(n, sizeof *tokens);
    deleted = json_array();
    if (tokens == NULL || deleted == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    err = users_delete_many(c, refs, n, tokens, &failed_at);
    if (err == BK_EINVAL || err == BK_ENOTFOUND)
        ctx_fail_at(c, err, list, failed_at, err == BK_ENOTFOUND ? "not found" : "bad entry");
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        json_t *one = json_pack("{s:s}", "token", tokens[i]);

        if (one == NULL || json_array_append_new(deleted, one) != 0)
            err = BK_ENOMEM;
    }
    if (err == BK_OK) {
        *reply = json_pack("{s:o}", "deleted", deleted);
        deleted = NULL;
        if (*reply == NULL)
            err = BK_ENOMEM;
    }
out:
    json_decref(deleted);
    mem_free(tokens);
    mem_free(refs);
    return err;
}

V2_HANDLER(v2_system_generate_wrapping_key)
{
    static const char *const names[WRAPKEY_THRESHOLD] = { "key1", "key2", "key3" };
    static const char *const missing[WRAPKEY_THRESHOLD] = { "missing key1", "missing key2",
                                                            "missing key3" };
    static const char *const not_str[WRAPKEY_THRESHOLD] = { "key1 must be a string",
                                                            "key2 must be a string",
                                                            "key3 must be a string" };
    const char *texts[WRAPKEY_THRESHOLD];
    size_t lens[WRAPKEY_THRESHOLD];
    char key[WRAPKEY_HEX_LEN + 1];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    /* The caller is checked before the body is looked at. */
    err = system_admin_check(c);
    for (int i = 0; i < WRAPKEY_THRESHOLD && err == BK_OK; i++) {
        err = params_str(c, body, names[i], &texts[i], &lens[i]);
        if (err == BK_ENOTFOUND || (err == BK_OK && lens[i] == 0))
            err = ctx_fail(c, BK_EINVAL, missing[i]);
        else if (err != BK_OK)
            err = ctx_fail(c, BK_EINVAL, not_str[i]);
    }
    if (err == BK_OK)
        err = wrapkey_recover(c, texts, lens, key);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "wrappingkey", key);
    secbuf_wipe(key, sizeof key);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_system_get_system_stats)
{
    json_t *stats = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)body, (void)raw;
    err = system_admin_check(c);
    if (err == BK_OK)
        err = system_stats(c, &stats);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "stats", stats);
    return *reply ? BK_OK : BK_ENOMEM;
}

/* The admin check and the unlock id every cross-tenant call needs. */
static enum bk_err
admin_unlocked(struct ctx *c, const json_t *body, const char *op)
{
    const char *u = NULL;
    size_t len = 0;
    enum bk_err err = system_admin_check(c);

    if (err != BK_OK)
        return err;
    err = params_str(c, body, "unlockuuid", &u, &len);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing unlockuuid: call BulkListUnlock first");
    if (err != BK_OK)
        return err;
    return bulk_unlock_check(c, u, len, op);
}

V2_HANDLER(v2_system_get_user_profiles)
{
    struct user_ref ref;
    json_t *rows = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = admin_unlocked(c, body, "SystemGetUserProfiles");
    if (err == BK_OK)
        err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = system_profiles_get(c, &ref, &rows);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_system_search_user_profiles)
{
    const char *identity;
    size_t len;
    json_t *rows = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = admin_unlocked(c, body, "SystemSearchUserProfiles");
    if (err == BK_OK) {
        err = params_str(c, body, "identity", &identity, &len);
        if (err == BK_ENOTFOUND || (err == BK_OK && len == 0))
            err = ctx_fail(c, BK_EINVAL, "missing identity");
    }
    if (err == BK_OK)
        err = system_profiles_search(c, identity, len, &rows);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

/* The tenant named by "tenantid" or "tenantname" (*out -1 when neither). */
static enum bk_err
tenant_param(struct ctx *c, const json_t *body, int64_t *out)
{
    const char *name;
    size_t len;
    int64_t id = -1, by_name = -1;
    enum bk_err err = params_int(c, body, "tenantid", -1, 0, INT64_MAX, &id);

    *out = -1;
    if (err != BK_OK)
        return err;
    err = params_str(c, body, "tenantname", &name, &len);
    if (err == BK_OK) {
        if (strlen(name) != len || system_tenant_by_name(name, &by_name) != BK_OK)
            return ctx_fail(c, BK_ENOTFOUND, "no such tenant");
        if (id >= 0 && id != by_name)
            return ctx_fail(c, BK_EINVAL, "tenantid and tenantname name different tenants");
        id = by_name;
    } else if (err != BK_ENOTFOUND) {
        return err;
    }
    *out = id;
    return BK_OK;
}

V2_HANDLER(v2_system_delete_user_profiles)
{
    struct user_ref ref;
    int64_t only = -1;
    json_t *rows = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = admin_unlocked(c, body, "SystemDeleteUserProfiles");
    if (err == BK_OK)
        err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = tenant_param(c, body, &only);
    if (err == BK_OK)
        err = system_profiles_delete(c, &ref, only, &rows);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_system_restore_user_profile)
{
    const char *token = NULL;
    size_t len = 0;
    int64_t tenant = -1;
    json_t *profile = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = admin_unlocked(c, body, "SystemRestoreUserProfile");
    if (err == BK_OK) {
        err = params_str(c, body, "token", &token, &len);
        if (err == BK_ENOTFOUND)
            err = ctx_fail(c, BK_EINVAL, "missing token");
    }
    if (err == BK_OK && !users_token_valid(token, len))
        err = ctx_fail(c, BK_EINVAL, "bad token format");
    if (err == BK_OK)
        err = tenant_param(c, body, &tenant);
    if (err == BK_OK && tenant < 0)
        err = ctx_fail(c, BK_EINVAL, "missing tenantid or tenantname");
    if (err == BK_OK)
        err = system_profile_restore(c, token, len, tenant, &profile);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s, s:s, s:o}", "result", "restored", "token", token, "profile",
                       profile);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_system_get_user_report)
{
    struct user_ref ref;
    json_t *rep = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = report_user(c, &ref, "SystemGetUserReport", &rep);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "report", rep);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_system_get_user_html_report)
{
    struct user_ref ref;
    json_t *rep = NULL;
    char *html = NULL;
    size_t html_len = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = report_user(c, &ref, "SystemGetUserHTMLReport", &rep);
    if (err == BK_OK)
        err = reporthtml_render(rep, &html, &html_len);
    json_decref(rep);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s%}", "html", html, html_len);
    mem_free(html);
    return *reply ? BK_OK : BK_ENOMEM;
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_system_routes[] = {
    { "POST", "/v2/UserCreateBulk", v2_user_create_bulk, V2 | ROUTE_BODY_BULK, "UserCreateBulk" },
    { "POST", "/v2/UserDeleteBulk", v2_user_delete_bulk, V2 | ROUTE_BODY_BULK, "UserDeleteBulk" },
    { "POST", "/v2/SystemGenerateWrappingKey", v2_system_generate_wrapping_key, V2,
      "SystemGenerateWrappingKey" },
    { "POST", "/v2/SystemGetSystemStats", v2_system_get_system_stats, V2,
      "SystemGetSystemStats" },
    { "POST", "/v2/SystemGetUserProfiles", v2_system_get_user_profiles, V2,
      "SystemGetUserProfiles" },
    { "POST", "/v2/SystemSearchUserProfiles", v2_system_search_user_profiles, V2,
      "SystemSearchUserProfiles" },
    { "POST", "/v2/SystemDeleteUserProfiles", v2_system_delete_user_profiles, V2,
      "SystemDeleteUserProfiles" },
    { "POST", "/v2/SystemRestoreUserProfile", v2_system_restore_user_profile, V2,
      "SystemRestoreUserProfile" },
    { "POST", "/v2/SystemGetUserReport", v2_system_get_user_report, V2, "SystemGetUserReport" },
    { "POST", "/v2/SystemGetUserHTMLReport", v2_system_get_user_html_report, V2,
      "SystemGetUserHTMLReport" },
    { NULL, NULL, NULL, 0, NULL },
};
