/* /v2 adapters: every call is POST with a JSON object; replies as the Pro
 * spec lists them. The services are the same ones /v1 calls. */
#include "v2_user.h"

#include <stdio.h>
#include <string.h>

#include "../core/audit.h"
#include "../core/users.h"
#include "../vault/secbuf.h"
#include "codec.h"
#include "v2_access.h"
#include "auditjson.h"
#include "params.h"

#define AUDIT_PAGE_MAX 1000

static enum bk_err
profile_member(struct ctx *c, const json_t *body, const json_t **out)
{
    *out = json_object_get(body, "profile");
    if (*out == NULL || json_is_null(*out))
        return ctx_fail(c, BK_EINVAL, "missing profile");
    if (!json_is_object(*out))
        return ctx_fail(c, BK_EINVAL, "user profile must be a JSON object");
    return BK_OK;
}

enum bk_err
v2_user_create_sel(struct ctx *c, const json_t *rec, struct groups_sel *sel,
                   struct users_create_opts *out)
{
    enum bk_err err = v2_access_group_sel(c, rec, 0, sel);

    if (err != BK_OK)
        return err;
    if (sel->has_role && sel->group_id == 0 && sel->group_name == NULL)
        return ctx_fail(c, BK_EINVAL, "a role needs a group: add groupid or groupname");
    out->hook = sel->group_id || sel->group_name ? groups_on_user_created : NULL;
    out->hook_arg = sel;
    return BK_OK;
}

V2_HANDLER(v2_user_create)
{
    struct expiry_req exp;
    const json_t *profile;
    struct groups_sel sel;
    struct users_create_opts opts = { .exp = &exp };
    char token[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = profile_member(c, body, &profile);
    if (err == BK_OK)
        err = params_expiry(c, body, &exp);
    if (err == BK_OK)
        err = v2_user_create_sel(c, body, &sel, &opts);
    if (err == BK_OK)
        err = users_create_with(c, profile, &opts, token);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "token", token);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_user_get)
{
    struct user_ref ref;
    struct user_meta meta;
    int64_t version;
    char token[37];
    json_t *profile = NULL;
    char *text = NULL;
    size_t len = 0;
    enum bk_err err;

    (void)req, (void)m;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = params_int(c, body, "version", 0, 1, INT32_MAX, &version);
    if (err == BK_OK)
        err = users_get_text(c, &ref, version, token, &meta, &profile, &text, &len);
    if (err != BK_OK)
        return err;
    if (text != NULL) {
        /* the reply dispatch would build, with the profile's text as it is */
        char tail[160];
        int n = snprintf(tail, sizeof tail, ",\"version\":%lld,\"finaltime\":%lld,"
                         "\"slidingtime\":%lld,\"expirationtime\":%lld}",
                         (long long)meta.version, (long long)meta.exp.finaltime,
                         (long long)meta.exp.slidingtime, (long long)meta.exp.expirationtime);
        struct slice parts[] = {
            slice_of("{\"status\":\"ok\",\"token\":\""), slice_of(token),
            slice_of("\",\"profile\":"), { text, len }, { tail, n > 0 ? (size_t)n : 0 },
        };

        err = n > 0 && (size_t)n < sizeof tail
                  ? codec_json_join(parts, sizeof parts / sizeof parts[0], &raw->body,
                                    &raw->body_len)
                  : BK_EINTERNAL;
        secbuf_free(text, len + 1);
        raw->status = 200;
        raw->content_type = CODEC_JSON_MEDIA;
        return err;
    }
    *reply = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I}", "token", token, "profile", profile,
                       "version", (json_int_t)meta.version, "finaltime",
                       (json_int_t)meta.exp.finaltime, "slidingtime",
                       (json_int_t)meta.exp.slidingtime, "expirationtime",
                       (json_int_t)meta.exp.expirationtime);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_user_update)
{
    struct user_ref ref;
    const json_t *profile;
    char token[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = profile_member(c, body, &profile);
    if (err == BK_OK)
        err = users_update(c, &ref, profile, token);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "token", token);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_user_delete)
{
    struct user_ref ref;
    char token[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = users_delete(c, &ref, token);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "token", token);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_HANDLER(v2_audit_list_user_events)
{
    struct user_ref ref;
    int64_t offset, limit;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = params_int(c, body, "offset", 0, 0, INT32_MAX, &offset);
    if (err == BK_OK)
        err = params_int(c, body, "limit", 10, 1, AUDIT_PAGE_MAX, &limit);
    if (err != BK_OK)
        return err;
    return auditjson_user_page(c, &ref, offset, limit, 1, reply);
}

V2_HANDLER(v2_audit_get_event)
{
    struct audit_view v;
    const char *atoken;
    size_t len;
    json_t *ev;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_str(c, body, "auditeventuuid", &atoken, &len);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing auditeventuuid");
    if (err != BK_OK)
        return err;
    if (!users_token_valid(atoken, len))
        return ctx_fail(c, BK_EINVAL, "bad auditeventuuid");
    err = audit_get(c, atoken, &v);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err != BK_OK)
        return err;
    ev = auditjson_v2(&v, 1);
    audit_view_cleanup(&v);
    if (ev == NULL)
        return BK_ENOMEM;
    *reply = ev;
    return BK_OK;
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_user_routes[] = {
    { "POST", "/v2/UserCreate", v2_user_create, V2 | ROUTE_ANON_CREATE, "UserCreate" },
    { "POST", "/v2/UserGet", v2_user_get, V2, "UserGet" },
    { "POST", "/v2/UserUpdate", v2_user_update, V2, "UserUpdate" },
    { "POST", "/v2/UserDelete", v2_user_delete, V2, "UserDelete" },
    { "POST", "/v2/AuditListUserEvents", v2_audit_list_user_events, V2, "AuditListUserEvents" },
    { "POST", "/v2/AuditGetEvent", v2_audit_get_event, V2, "AuditGetEvent" },
    { NULL, NULL, NULL, 0, NULL },
};
