/* /v1/exp adapters. The links answer a small HTML page, or JSON when the
 * client's Accept header asks for application/json. */
#include "v1_exp.h"

#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../core/expiration.h"
#include "params.h"

#define PAGE_MAX_BYTES 4096

static const char html_media[] = "text/html; charset=utf-8";

/* By token: /v1/exp/<verb>/{token}; by mode: /v1/exp/<verb>/{mode}/{identity}. */
static enum bk_err
ref_of(struct ctx *c, const struct route_match *m, struct user_ref *ref)
{
    if (m->nparams == 1) {
        ref->mode = MODE_TOKEN;
        ref->identity = m->param[0];
        ref->identity_len = m->param_len[0];
        return BK_OK;
    }
    return params_ref_path(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1], ref);
}

static enum bk_err
exp_start(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
          json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    char token[37], exptoken[37], num[32];
    const char *period = NULL;
    size_t len = 0;
    enum bk_err err;

    (void)req, (void)raw;
    err = ref_of(c, m, &ref);
    if (err == BK_OK)
        err = params_str_or_int(c, body, "expiration", num, sizeof num, &period, &len);
    if (err == BK_OK)
        err = expiration_start(c, &ref, period, len, token, exptoken);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "exptoken", exptoken);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
exp_status(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
           json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    struct expiration_status st;
    char token[37];
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = ref_of(c, m, &ref);
    if (err == BK_OK)
        err = expiration_status(c, &ref, token, &st);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s, s:I, s:s}", "expstatus", st.expstatus, "exptime",
                       (json_int_t)st.exptime, "exptoken", st.exptoken);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
exp_cancel(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
           json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    char token[37];
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = ref_of(c, m, &ref);
    if (err == BK_OK)
        err = expiration_cancel(c, &ref, token);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

/* Whether the client asked for JSON rather than a page. */
static int
wants_json(const struct api_req *req)
{
    const char *a = req->accept;

    for (; a != NULL && *a != '\0'; a++) {
        if (strncasecmp(a, "application/json", 16) == 0)
            return 1;
    }
    return 0;
}

static enum bk_err
append_escaped(struct buf *b, const char *s)
{
    enum bk_err err = BK_OK;

    for (; *s != '\0' && err == BK_OK; s++) {
        switch (*s) {
        case '&':  err = buf_append_str(b, "&amp;"); break;
        case '<':  err = buf_append_str(b, "&lt;"); break;
        case '>':  err = buf_append_str(b, "&gt;"); break;
        case '"':  err = buf_append_str(b, "&quot;"); break;
        case '\'': err = buf_append_str(b, "&#39;"); break;
        default:   err = buf_append(b, s, 1); break;
        }
    }
    return err;
}

/* A small page with <title> and <text>, every interpolated string escaped. */
static enum bk_err
page(struct api_reply *raw, unsigned status, const char *title, const char *text)
{
    struct buf b;
    enum bk_err err;

    buf_init(&b, PAGE_MAX_BYTES);
    err = buf_append_str(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                             "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    if (err == BK_OK)
        err = append_escaped(&b, title);
    if (err == BK_OK)
        err = buf_append_str(&b, "</title></head>\n<body style=\"font-family:sans-serif;"
                                 "max-width:40em;margin:3em auto\"><h1>");
    if (err == BK_OK)
        err = append_escaped(&b, title);
    if (err == BK_OK)
        err = buf_append_str(&b, "</h1><p>");
    if (err == BK_OK)
        err = append_escaped(&b, text);
    if (err == BK_OK)
        err = buf_append_str(&b, "</p></body></html>\n");
    if (err != BK_OK) {
        buf_cleanup(&b);
        return err;
    }
    raw->status = status;
    raw->content_type = html_media;
    raw->body = buf_steal(&b, &raw->body_len);
    return raw->body != NULL ? BK_OK : BK_ENOMEM;
}

/* The answer of a link: JSON through the dispatcher, or a page. */
static enum bk_err
link_reply(struct ctx *c, const struct api_req *req, enum bk_err err, const char *result,
           const char *title, const char *text, json_t **reply, struct api_reply *raw)
{
    if (wants_json(req)) {
        if (err != BK_OK)
            return err;
        *reply = json_pack("{s:s}", "result", result);
        return *reply ? BK_OK : BK_ENOMEM;
    }
    (void)c;
    switch (err) {
    case BK_OK:
        return page(raw, 200, title, text);
    case BK_EINVAL:
        return page(raw, 400, "Invalid link", "This link is not valid. Please check that you "
                                              "copied all of it.");
    case BK_ENOTFOUND:
        return page(raw, 404, "Link expired", "This link is not valid any more: the request "
                                              "was cancelled or the data is gone.");
    default:
        return page(raw, 500, "Something went wrong", "Your request could not be completed. "
                                                      "Please try again later.");
    }
}

static enum bk_err
exp_retain(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
           json_t **reply, struct api_reply *raw)
{
    enum bk_err err = expiration_retain(c, m->param[0], m->param_len[0]);

    (void)body;
    return link_reply(c, req, err, "retained", "Your data is kept",
                      "Thank you. Your personal data will be kept and will not be deleted.",
                      reply, raw);
}

static enum bk_err
exp_delete(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
           json_t **reply, struct api_reply *raw)
{
    enum bk_err err = expiration_delete(c, m->param[0], m->param_len[0]);

    (void)body;
    return link_reply(c, req, err, "deleted", "Your data is deleted",
                      "Your personal data has been deleted.", reply, raw);
}

#define JF (ROUTE_BODY_JSON | ROUTE_BODY_FORM)

const struct route v1_exp_routes[] = {
    { "POST", "/v1/exp/start/{token}", exp_start, JF, "ExpirationStart" },
    { "GET", "/v1/exp/status/{token}", exp_status, 0, "ExpirationStatus" },
    { "POST", "/v1/exp/cancel/{token}", exp_cancel, JF, "ExpirationCancel" },
    { "GET", "/v1/exp/retain/{exptoken}", exp_retain, ROUTE_NO_AUTH, "ExpirationRetain" },
    { "GET", "/v1/exp/delete/{exptoken}", exp_delete, ROUTE_NO_AUTH, "ExpirationDelete" },
    { "GET", "/v1/exp/status/{mode}/{identity}", exp_status, 0, "ExpirationStatus" },
    { "POST", "/v1/exp/start/{mode}/{identity}", exp_start, JF, "ExpirationStart" },
    { "DELETE", "/v1/exp/cancel/{mode}/{identity}", exp_cancel, 0, "ExpirationCancel" },
    { NULL, NULL, NULL, 0, NULL },
};
