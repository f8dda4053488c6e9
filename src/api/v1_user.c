/* /v1 adapters: decode path and body, call the user and audit services,
 * shape the reply as the open-source API documents it. */
#include "v1_user.h"

#include <string.h>

#include "../core/audit.h"
#include "../core/users.h"
#include "../vault/secbuf.h"
#include "auditjson.h"
#include "codec.h"
#include "params.h"

#define AUDIT_PAGE_MAX 1000

enum bk_err
v1_status(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
          json_t **reply, struct api_reply *raw)
{
    (void)c, (void)req, (void)m, (void)body, (void)raw;
    *reply = json_pack("{s:s}", "version", DATABUNKER_VERSION);
    return *reply ? BK_OK : BK_ENOMEM;
}

enum bk_err
v1_user_create(struct ctx *c, const struct api_req *req, const struct route_match *m,
               json_t *body, json_t **reply, struct api_reply *raw)
{
    char token[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = users_create(c, body, token);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "token", token);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
path_ref(struct ctx *c, const struct route_match *m, struct user_ref *ref)
{
    return params_ref_path(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1], ref);
}

enum bk_err
v1_user_get(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
            json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    struct user_meta meta;
    char token[37];
    json_t *profile = NULL;
    char *text = NULL;
    size_t len = 0;
    enum bk_err err;

    (void)req, (void)body;
    err = path_ref(c, m, &ref);
    if (err == BK_OK)
        err = users_get_text(c, &ref, 0, token, &meta, &profile, &text, &len);
    if (err != BK_OK)
        return err;
    if (text != NULL) {
        /* the reply dispatch would build, with the profile's text as it is */
        struct slice parts[] = {
            slice_of("{\"status\":\"ok\",\"token\":\""), slice_of(token),
            slice_of("\",\"data\":"), { text, len }, slice_of("}"),
        };

        err = codec_json_join(parts, sizeof parts / sizeof parts[0], &raw->body,
                              &raw->body_len);
        secbuf_free(text, len + 1);
        raw->status = 200;
        raw->content_type = CODEC_JSON_MEDIA;
        return err;
    }
    *reply = json_pack("{s:s, s:o}", "token", token, "data", profile);
    return *reply ? BK_OK : BK_ENOMEM;
}

enum bk_err
v1_user_update(struct ctx *c, const struct api_req *req, const struct route_match *m,
               json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    char token[37];
    enum bk_err err;

    (void)req, (void)raw;
    err = path_ref(c, m, &ref);
    if (err == BK_OK)
        err = users_update(c, &ref, body, token);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "token", token);
    return *reply ? BK_OK : BK_ENOMEM;
}

enum bk_err
v1_user_delete(struct ctx *c, const struct api_req *req, const struct route_match *m,
               json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    char token[37];
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = path_ref(c, m, &ref);
    if (err == BK_OK)
        err = users_delete(c, &ref, token);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s, s:s}", "result", "done", "token", token);
    return *reply ? BK_OK : BK_ENOMEM;
}

enum bk_err
v1_audit_list(struct ctx *c, const struct api_req *req, const struct route_match *m,
              json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref = { MODE_TOKEN, m->param[0], m->param_len[0] };
    int64_t offset, limit;
    enum bk_err err;

    (void)body, (void)raw;
    err = params_query_int(c, req, "offset", 0, 0, INT32_MAX, &offset);
    if (err == BK_OK)
        err = params_query_int(c, req, "limit", 10, 1, AUDIT_PAGE_MAX, &limit);
    if (err != BK_OK)
        return err;
    return auditjson_user_page(c, &ref, offset, limit, 0, reply);
}

enum bk_err
v1_audit_get(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
             json_t **reply, struct api_reply *raw)
{
    struct audit_view v;
    json_t *ev;
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    if (!users_token_valid(m->param[0], m->param_len[0]))
        return ctx_fail(c, BK_EINVAL, "bad audit event token");
    err = audit_get(c, m->param[0], &v);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err != BK_OK)
        return err;
    ev = auditjson_v1(&v, 1);
    audit_view_cleanup(&v);
    if (ev == NULL)
        return BK_ENOMEM;
    *reply = json_pack("{s:o}", "event", ev);
    return *reply ? BK_OK : BK_ENOMEM;
}

#define JF (ROUTE_BODY_JSON | ROUTE_BODY_FORM)

const struct route v1_user_routes[] = {
    { "GET", "/status", v1_status, ROUTE_NO_AUTH, "Status" },
    { "GET", "/v1/status", v1_status, ROUTE_NO_AUTH, "Status" },
    { "POST", "/v1/user", v1_user_create, JF | ROUTE_ANON_CREATE, "UserCreate" },
    { "GET", "/v1/user/{mode}/{identity}", v1_user_get, 0, "UserGet" },
    { "PUT", "/v1/user/{mode}/{identity}", v1_user_update, JF, "UserUpdate" },
    { "DELETE", "/v1/user/{mode}/{identity}", v1_user_delete, 0, "UserDelete" },
    { "GET", "/v1/audit/list/{token}", v1_audit_list, 0, "AuditListUserEvents" },
    { "GET", "/v1/audit/get/{atoken}", v1_audit_get, 0, "AuditGetEvent" },
    { NULL, NULL, NULL, 0, NULL },
};
