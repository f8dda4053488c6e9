/* /v2 adapters: UserPatch, creating requests, and the UserRequest* calls.
 * Every call maps onto one core function (core/userpatch.c,
 * core/requests.c); /v1 calls the same ones. */
#include "v2_requests.h"

#include <string.h>

#include "../core/requests.h"
#include "../core/userpatch.h"
#include "params.h"
#include "requestjson.h"
#include "v2_user.h"

#define REQUEST_PAGE_MAX 1000

static enum bk_err
patch_member(struct ctx *c, const json_t *body, const json_t **out)
{
    *out = json_object_get(body, "patch");
    if (*out == NULL || json_is_null(*out))
        return ctx_fail(c, BK_EINVAL, "missing patch");
    if (!json_is_array(*out))
        return ctx_fail(c, BK_EINVAL, "patch must be an array of operations");
    return BK_OK;
}

static enum bk_err
rtoken_member(struct ctx *c, const json_t *body, const char **out, size_t *len)
{
    enum bk_err err = params_str(c, body, "requestuuid", out, len);

    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing requestuuid");
    return err;
}

/* The optional "reason" member, NULL when absent. */
static enum bk_err
reason_member(struct ctx *c, const json_t *body, const char **out)
{
    size_t len;
    enum bk_err err = params_str(c, body, "reason", out, &len);

    if (err == BK_ENOTFOUND) {
        *out = NULL;
        return BK_OK;
    }
    if (err == BK_OK && strlen(*out) != len)
        return ctx_fail(c, BK_EINVAL, "reason must not contain NUL");
    return err;
}

static V2_HANDLER(v2_user_patch)
{
    struct user_ref ref;
    const json_t *patch;
    char token[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = patch_member(c, body, &patch);
    if (err == BK_OK)
        err = userpatch_apply(c, &ref, patch, "UserPatch", token);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "token", token);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
create_for(struct ctx *c, const json_t *body, const char *type, const char *target,
           const json_t *change, const char *action, json_t **reply)
{
    struct user_ref ref;
    char rtoken[37];
    int existed;
    enum bk_err err = params_ref_body(c, body, &ref);

    if (err == BK_OK)
        err = requests_create(c, &ref, type, target, change, action, rtoken, &existed);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "requestuuid", rtoken);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
create(struct ctx *c, const json_t *body, const char *type, const json_t *change,
       const char *action, json_t **reply)
{
    return create_for(c, body, type, NULL, change, action, reply);
}

/* The string member <name> as a NUL-terminated target; <missing> when absent. */
static enum bk_err
target_member(struct ctx *c, const json_t *body, const char *name, const char *missing,
              const char **out)
{
    size_t len;
    enum bk_err err = params_str(c, body, name, out, &len);

    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, missing);
    if (err == BK_OK && strlen(*out) != len)
        return ctx_fail(c, BK_EINVAL, "names must not contain NUL");
    return err;
}

static V2_HANDLER(v2_user_delete_request)
{
    (void)req, (void)m, (void)raw;
    return create(c, body, REQUEST_USER_DELETE, NULL, "UserDeleteRequest", reply);
}

static V2_HANDLER(v2_user_update_request)
{
    const json_t *profile = json_object_get(body, "profile");
    struct user_ref ref;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err != BK_OK)
        return err;
    if (profile == NULL || json_is_null(profile))
        return ctx_fail(c, BK_EINVAL, "missing profile");
    return create(c, body, REQUEST_USER_UPDATE, profile, "UserUpdateRequest", reply);
}

static V2_HANDLER(v2_user_patch_request)
{
    const json_t *patch;
    struct user_ref ref;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = patch_member(c, body, &patch);
    if (err != BK_OK)
        return err;
    return create(c, body, REQUEST_USER_PATCH, patch, "UserPatchRequest", reply);
}

static V2_HANDLER(v2_appdata_update_request)
{
    const json_t *data = json_object_get(body, "appdata");
    const char *appname;
    struct user_ref ref;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = target_member(c, body, "appname", "missing appname", &appname);
    if (err != BK_OK)
        return err;
    if (data == NULL || json_is_null(data))
        return ctx_fail(c, BK_EINVAL, "missing appdata");
    return create_for(c, body, REQUEST_APPDATA_UPDATE, appname, data, "AppdataUpdateRequest",
                      reply);
}

static V2_HANDLER(v2_agreement_cancel_request)
{
    const char *brief;
    struct user_ref ref;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = target_member(c, body, "brief", "missing brief", &brief);
    if (err != BK_OK)
        return err;
    return create_for(c, body, REQUEST_AGREEMENT_CANCEL, brief, NULL, "AgreementCancelRequest",
                      reply);
}

static V2_HANDLER(v2_user_request_get)
{
    struct request_view v;
    const char *rtoken;
    size_t len;
    json_t *o;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = rtoken_member(c, body, &rtoken, &len);
    if (err == BK_OK)
        err = requests_get(c, rtoken, len, &v);
    if (err != BK_OK)
        return err;
    o = requestjson_v2(&v.row);
    if (o != NULL) {
        json_object_set(o, "change", v.change ? v.change : json_null());
        json_object_set(o, "reason", v.reason ? v.reason : json_null());
        json_object_set(o, "original", v.original ? v.original : json_null());
    }
    requests_view_cleanup(&v);
    if (o == NULL)
        return BK_ENOMEM;
    *reply = json_pack("{s:o}", "request", o);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_user_request_list)
{
    struct user_ref ref;
    struct requestjson_list l = { NULL, 1 };
    int64_t offset, limit, total = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = params_int(c, body, "offset", 0, 0, INT32_MAX, &offset);
    if (err == BK_OK)
        err = params_int(c, body, "limit", 10, 1, REQUEST_PAGE_MAX, &limit);
    if (err != BK_OK)
        return err;
    l.rows = json_array();
    if (l.rows == NULL)
        return BK_ENOMEM;
    err = requests_list_user(c, &ref, offset, limit, &total, requestjson_collect, &l);
    if (err != BK_OK) {
        json_decref(l.rows);
        return err;
    }
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", l.rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_user_request_approve)
{
    const char *rtoken, *reason = NULL;
    size_t len;
    char token[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = rtoken_member(c, body, &rtoken, &len);
    if (err == BK_OK)
        err = reason_member(c, body, &reason);
    if (err == BK_OK)
        err = requests_approve(c, rtoken, len, reason, token);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_user_request_cancel)
{
    const char *rtoken, *reason = NULL;
    size_t len;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = rtoken_member(c, body, &rtoken, &len);
    if (err == BK_OK)
        err = reason_member(c, body, &reason);
    if (err == BK_OK)
        err = requests_cancel(c, rtoken, len, reason);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_requests_routes[] = {
    { "POST", "/v2/UserPatch", v2_user_patch, V2, "UserPatch" },
    { "POST", "/v2/UserDeleteRequest", v2_user_delete_request, V2, "UserDeleteRequest" },
    { "POST", "/v2/UserUpdateRequest", v2_user_update_request, V2, "UserUpdateRequest" },
    { "POST", "/v2/UserPatchRequest", v2_user_patch_request, V2, "UserPatchRequest" },
    { "POST", "/v2/UserRequestGet", v2_user_request_get, V2, "UserRequestGet" },
    { "POST", "/v2/UserRequestListUserRequests", v2_user_request_list, V2,
      "UserRequestListUserRequests" },
    { "POST", "/v2/UserRequestApprove", v2_user_request_approve, V2, "UserRequestApprove" },
    { "POST", "/v2/UserRequestCancel", v2_user_request_cancel, V2, "UserRequestCancel" },
    { "POST", "/v2/AppdataUpdateRequest", v2_appdata_update_request, V2,
      "AppdataUpdateRequest" },
    { "POST", "/v2/AgreementCancelRequest", v2_agreement_cancel_request, V2,
      "AgreementCancelRequest" },
    { NULL, NULL, NULL, 0, NULL },
};
