/* One request through the API layer: route, authenticate, decode the body
 * within its limits, call the handler, encode the reply. */
#include "dispatch.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/hex.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../core/auth.h"
#include "../core/authz.h"
#include "../core/tenants.h"
#include "../vault/kdf.h"
#include "codec.h"
#include "errmap.h"
#include "metrics.h"
#include "routes.h"

static const char json_media[] = CODEC_JSON_MEDIA;

void
api_reply_cleanup(struct api_reply *r)
{
    mem_free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

size_t
dispatch_body_limit(const struct app *app, const char *method, const char *path)
{
    struct route_match m;
    size_t limit = 0;

    switch (routes_find(method, path, &m)) {
    case ROUTE_FOUND:
        break;
    case ROUTE_NO_MEMORY:
        /* Unknown whether a body belongs here: read it under the usual cap
         * rather than drop it, so that a body is never taken for an empty one. */
        return app->conf->body_max_bytes;
    default:
        return 0;
    }
    if (m.route->flags & (ROUTE_BODY_JSON | ROUTE_BODY_FORM))
        limit = m.route->flags & ROUTE_BODY_BULK ? app->conf->bulk_body_max_bytes
                                                  : app->conf->body_max_bytes;
    route_match_cleanup(&m);
    return limit;
}

int
dispatch_has_path(const char *path)
{
    struct route_match m;
    enum route_result r = routes_find("GET", path, &m);

    if (r == ROUTE_FOUND)
        route_match_cleanup(&m);
    return r != ROUTE_NO_PATH;
}

/* A JSON reply from <obj>; falls back to a fixed text if encoding fails. */
static void
reply_json(struct api_reply *out, unsigned status, const json_t *obj)
{
    static const char oom[] = "{\"status\":\"error\",\"message\":\"internal error\"}";

    out->status = status;
    out->content_type = json_media;
    if (codec_json_encode(obj, &out->body, &out->body_len) != BK_OK) {
        out->status = 500;
        out->body = mem_strdup(oom);
        out->body_len = out->body ? sizeof oom - 1 : 0;
    }
}

static void
reply_error(struct api_reply *out, unsigned status, const char *msg)
{
    json_t *o = json_pack("{s:s, s:s}", "status", "error", "message", msg);

    reply_json(out, status, o);
    json_decref(o);
}

static void
reply_err(struct api_reply *out, enum bk_err err, int v2, const char *msg)
{
    const char *dflt;
    unsigned status = errmap_status(err, v2, &dflt);

    /* Messages of unexpected failures stay in the log; a 501 names what is
     * not provided. */
    reply_error(out, status, (status >= 500 && status != 501) || msg == NULL ? dflt : msg);
}

/* The media type of <ct> without parameters is <want>. */
static int
media_is(const char *ct, const char *want)
{
    size_t n = strlen(want);

    while (*ct == ' ')
        ct++;
    return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum bk_err
decode_body(const struct app *app, const struct api_req *req, unsigned flags, json_t **out,
            const char **errmsg)
{
    struct codec_limits lim = { app->conf->json_max_depth,
                                (flags & ROUTE_BODY_BULK) ? app->conf->bulk_json_max_fields
                                                          : app->conf->json_max_fields };
    const char *ct = req->content_type;
    size_t i = 0;

    *out = NULL;
    if (!(flags & (ROUTE_BODY_JSON | ROUTE_BODY_FORM)))
        return BK_OK;
    /* (strchr finds the terminator too: a NUL byte is not white space) */
    while (i < req->body_len && req->body[i] != '\0' && strchr(" \t\r\n", req->body[i]) != NULL)
        i++;
    if (i == req->body_len) {
        /* An empty body is the same as {} (published clients send it). */
        *out = json_object();
        return *out ? BK_OK : BK_ENOMEM;
    }
    /* The RPC API takes JSON; its own examples use curl -d, which labels the
     * JSON body as a form. */
    if ((flags & ROUTE_V2) && ct != NULL && media_is(ct, "application/x-www-form-urlencoded"))
        return codec_json_decode(req->body, req->body_len, &lim, out, errmsg);
    if ((flags & ROUTE_BODY_FORM) && ct != NULL &&
        media_is(ct, "application/x-www-form-urlencoded"))
        return codec_form_decode(req->body, req->body_len, &lim, out, errmsg);
    if (ct == NULL || media_is(ct, "application/json") || media_is(ct, "text/json"))
        return codec_json_decode(req->body, req->body_len, &lim, out, errmsg);
    *errmsg = "unsupported content type: send application/json";
    return BK_EMEDIA;
}

static void
ctx_init(struct ctx *c, const struct app *app, const struct api_req *req)
{
    uint8_t r[8];

    memset(c, 0, sizeof *c);
    c->app = app;
    c->client_ip = req->client_ip;
    c->now = (int64_t)time(NULL);
    if (kdf_random(r, sizeof r) == BK_OK)
        hex_encode(r, sizeof r, c->rid);
    else
        snprintf(c->rid, sizeof c->rid, "norandom");
}

static void
handle_found(const struct app *app, const struct api_req *req, struct route_match *m,
             struct api_reply *out)
{
    const struct route *r = m->route;
    int v2 = (r->flags & ROUTE_V2) != 0;
    struct ctx c;
    json_t *body = NULL, *reply = NULL, *full = NULL;
    const char *errmsg = NULL;
    enum bk_err err;

    ctx_init(&c, app, req);
    /* The connection first: the tenant and the token may be looked up. */
    err = store_acquire((struct store *)&app->store, &c.db);
    if (err == BK_OK)
        err = tenants_select(&c, req->tenant, req->host);
    if (err != BK_OK) {
        LOG_WARN(c.rid, "api", "%s %s failed: %s", req->method, r->pattern, bk_err_str(err));
        reply_err(out, err, v2, NULL);
        goto out;
    }
    if (!(r->flags & ROUTE_NO_AUTH)) {
        err = auth_identify(&c, req->token, req->token_len);
        if (err == BK_EAUTH && req->token == NULL && (r->flags & ROUTE_ANON_CREATE) &&
            auth_anonymous_create_allowed(&c)) {
            c.errmsg = NULL;
            err = BK_OK;
        }
        if (err == BK_OK)
            err = authz_call(&c, r->op);
        if (err != BK_OK) {
            LOG_INFO(c.rid, "auth", "%s %s refused: %s", req->method, r->pattern,
                     c.errmsg ? c.errmsg : bk_err_str(err));
            reply_err(out, err, v2, c.errmsg);
            goto out;
        }
    } else {
        /* No token asked for: the audit trail names the caller by the socket's peer address
         * (libmicrohttpd's, never a header the client sets). */
        snprintf(c.who, sizeof c.who, "anonymous %s", c.client_ip ? c.client_ip : "unknown");
    }
    if (c.tenant_unknown) {
        reply_err(out, BK_ENOTFOUND, v2, "unknown tenant");
        goto out;
    }
    err = decode_body(app, req, r->flags, &body, &errmsg);
    if (err != BK_OK) {
        reply_err(out, err, v2, errmsg);
        goto out;
    }
    if ((r->flags & ROUTE_V2) && !json_is_object(body)) {
        json_decref(body);
        reply_err(out, BK_EINVAL, v2, "request body must be a JSON object");
        goto out;
    }
    err = r->handler(&c, req, m, body, &reply, out);
    if (err == BK_EFORBID)
        authz_refused(&c);
    store_release(&c.db);
    tenants_ctx_cleanup(&c);
    authz_ctx_cleanup(&c);
    json_decref(body);
    if (err != BK_OK) {
        if (err != BK_EINVAL && err != BK_ENOTFOUND && err != BK_ECONFLICT && err != BK_EAUTH &&
            err != BK_EFORBID)
            LOG_WARN(c.rid, "api", "%s %s failed: %s", req->method, r->pattern, bk_err_str(err));
        json_decref(reply);
        api_reply_cleanup(out);
        reply_err(out, err, v2, c.errmsg);
        return;
    }
    if (reply == NULL)
        return;   /* the handler filled a raw reply */
    full = json_pack("{s:s}", "status", "ok");
    if (full == NULL || json_object_update(full, reply) != 0) {
        json_decref(full);
        json_decref(reply);
        reply_err(out, BK_ENOMEM, v2, NULL);
        return;
    }
    reply_json(out, 200, full);
    json_decref(full);
    json_decref(reply);
    return;
out:
    store_release(&c.db);
    tenants_ctx_cleanup(&c);
    authz_ctx_cleanup(&c);
}

void
dispatch_request(const struct app *app, const struct api_req *req, struct api_reply *out)
{
    struct route_match m;
    uint64_t start = metrics_now_ns();

    memset(out, 0, sizeof *out);
    switch (routes_find(req->method, req->path, &m)) {
    case ROUTE_FOUND:
        handle_found(app, req, &m, out);
        metrics_observe(m.route, out->status, metrics_now_ns() - start);
        route_match_cleanup(&m);
        return;
    case ROUTE_NO_METHOD:
        reply_error(out, 405, "method not allowed");
        break;
    case ROUTE_BAD_PATH:
        reply_error(out, 400, "bad characters in the request path");
        break;
    case ROUTE_NO_MEMORY:
        reply_error(out, 503, "service busy, retry");
        break;
    case ROUTE_NO_PATH:
        reply_error(out, 404, "not found");
        break;
    }
    metrics_observe(NULL, out->status, metrics_now_ns() - start);
}

void
dispatch_count_refused(const char *method, const char *path, unsigned status)
{
    struct route_match m;

    if (routes_find(method, path, &m) == ROUTE_FOUND) {
        metrics_observe(m.route, status, 0);
        route_match_cleanup(&m);
        return;
    }
    metrics_observe(NULL, status, 0);
}
