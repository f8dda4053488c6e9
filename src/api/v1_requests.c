/* /v1 adapters for data-subject requests; the services are the ones /v2
 * calls (core/requests.c). Replies keep the released server's shapes. */
#include "v1_requests.h"

#include <string.h>

#include "../core/requests.h"
#include "codec.h"
#include "params.h"
#include "requestjson.h"
#include "v2_user.h"

#define REQUEST_PAGE_MAX 1000

/* The optional "reason" of an approve or cancel body (JSON or form). */
static enum bk_err
reason_member(struct ctx *c, const json_t *body, const char **out)
{
    size_t len;
    enum bk_err err;

    *out = NULL;
    if (body == NULL)
        return BK_OK;
    err = params_str(c, body, "reason", out, &len);
    if (err == BK_ENOTFOUND) {
        *out = NULL;
        return BK_OK;
    }
    if (err == BK_OK && strlen(*out) != len)
        return ctx_fail(c, BK_EINVAL, "reason must not contain NUL");
    return err;
}

static V2_HANDLER(v1_request_get)
{
    struct request_view v;
    json_t *o, *r;
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = requests_get(c, m->param[0], m->param_len[0], &v);
    if (err != BK_OK)
        return err;
    r = requestjson_v1(&v.row);
    o = json_object();
    if (r != NULL && o != NULL) {
        if (v.reason != NULL)
            json_object_set(r, "reason", v.reason);
        if (json_object_get(r, "app") != NULL)
            json_object_set(o, "app", json_object_get(r, "app"));
        if (json_object_get(r, "brief") != NULL)
            json_object_set(o, "brief", json_object_get(r, "brief"));
        if (v.original != NULL)
            json_object_set(o, "original", v.original);
        if (v.change != NULL)
            json_object_set(o, "change", v.change);
        if (json_object_set(o, "request", r) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    json_decref(r);
    requests_view_cleanup(&v);
    if (o == NULL)
        return BK_ENOMEM;
    *reply = o;
    return BK_OK;
}

static V2_HANDLER(v1_request_approve)
{
    const char *reason;
    char token[37];
    enum bk_err err;

    (void)req, (void)raw;
    err = reason_member(c, body, &reason);
    if (err == BK_OK)
        err = requests_approve(c, m->param[0], m->param_len[0], reason, token);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "result", "done");
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v1_request_cancel)
{
    const char *reason;
    enum bk_err err;

    (void)req, (void)raw;
    err = reason_member(c, body, &reason);
    if (err == BK_OK)
        err = requests_cancel(c, m->param[0], m->param_len[0], reason);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "result", "done");
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
page(struct ctx *c, const struct api_req *req, int64_t *offset, int64_t *limit)
{
    enum bk_err err = params_query_int(c, req, "offset", 0, 0, INT32_MAX, offset);

    if (err == BK_OK)
        err = params_query_int(c, req, "limit", 10, 1, REQUEST_PAGE_MAX, limit);
    return err;
}

static enum bk_err
list_reply(struct requestjson_list *l, int64_t total, json_t **reply)
{
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", l->rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v1_requests_user)
{
    struct user_ref ref;
    struct requestjson_list l = { NULL, 0 };
    int64_t offset, limit, total = 0;
    enum bk_err err;

    (void)body, (void)raw;
    err = params_ref_path(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1], &ref);
    if (err == BK_OK)
        err = page(c, req, &offset, &limit);
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
    return list_reply(&l, total, reply);
}

/* The ?status= filter: NULL for all; the released spelling "canceled" too. */
static enum bk_err
status_query(struct ctx *c, const struct api_req *req, char buf[16], const char **out)
{
    const char *raw = req->query ? req->query(req->query_cls, "status") : NULL;
    size_t len = 0;

    *out = NULL;
    if (raw == NULL || raw[0] == '\0')
        return BK_OK;
    if (strlen(raw) >= 16 || codec_percent_decode(raw, strlen(raw), 1, buf, &len) != BK_OK ||
        len >= 16)
        return ctx_fail(c, BK_EINVAL, "bad status: use open, approved or cancelled");
    buf[len] = '\0';
    *out = strcmp(buf, "canceled") == 0 ? "cancelled" : buf;
    return BK_OK;
}

static V2_HANDLER(v1_requests_all)
{
    struct requestjson_list l = { NULL, 0 };
    int64_t offset, limit, total = 0;
    char buf[16];
    const char *status;
    enum bk_err err;

    (void)m, (void)body, (void)raw;
    if (c->caller != CALLER_ROOT)
        return ctx_fail(c, BK_EAUTH, "root token required");
    err = page(c, req, &offset, &limit);
    if (err == BK_OK)
        err = status_query(c, req, buf, &status);
    if (err != BK_OK)
        return err;
    l.rows = json_array();
    if (l.rows == NULL)
        return BK_ENOMEM;
    err = requests_list(c, status, offset, limit, &total, requestjson_collect, &l);
    if (err != BK_OK) {
        json_decref(l.rows);
        return err;
    }
    return list_reply(&l, total, reply);
}

#define JF (ROUTE_BODY_JSON | ROUTE_BODY_FORM)

const struct route v1_requests_routes[] = {
    { "GET", "/v1/request/{request}", v1_request_get, 0, "UserRequestGet" },
    { "POST", "/v1/request/{request}", v1_request_approve, JF, "UserRequestApprove" },
    { "DELETE", "/v1/request/{request}", v1_request_cancel, JF, "UserRequestCancel" },
    { "GET", "/v1/requests/{mode}/{identity}", v1_requests_user, 0,
      "UserRequestListUserRequests" },
    { "GET", "/v1/requests", v1_requests_all, 0, "BulkListAllUserRequests" },
    { NULL, NULL, NULL, 0, NULL },
};
