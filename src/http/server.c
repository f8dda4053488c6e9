/* libmicrohttpd glue. The access handler collects the body into a capped
 * buffer (413 as soon as the cap is passed), then hands a struct api_req to
 * dispatch_request() and queues its reply. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "../api/dispatch.h"
#include "../base/buf.h"
#include "../base/clock.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "ratelimit.h"
#include "static.h"

/* Stack of a connection's thread: requests use a few tens of KiB (no large
 * frames, no recursion beyond the JSON depth limit); the sanitizers' frames
 * are several times larger. Only touched pages are resident. */
#if defined(__SANITIZE_ADDRESS__)
#define HTTP_STACK_SIZE ((intptr_t)4 << 20)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HTTP_STACK_SIZE ((intptr_t)4 << 20)
#endif
#endif
#ifndef HTTP_STACK_SIZE
#define HTTP_STACK_SIZE ((intptr_t)512 << 10)
#endif

struct http_server {
    struct MHD_Daemon *daemon;
    const struct app *app;
    char *cert;
    char *key;
    struct ratelimit *rl_ip;
    struct ratelimit *rl_token;
    char csp[800];               /* Content-Security-Policy of UI pages */
};

struct reqstate {
    struct buf body;
    size_t limit;
    int too_big;
    int limited;                /* over a rate limit: answer 429 */
    int answered;               /* refused at the first call: ignore the rest */
    char ip[INET6_ADDRSTRLEN];
};

/* Paths and query values reach the API layer still percent-encoded: it
 * decodes each segment itself and refuses NUL bytes and bad escapes. */
static size_t
unescape_none(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls, (void)conn;
    return strlen(s);
}

static const char *
query_arg(void *cls, const char *name)
{
    return MHD_lookup_connection_value(cls, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result
send_reply(struct MHD_Connection *conn, struct api_reply *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    const char *ct;
    char *body = r->body;

    r->body = NULL;
    resp = MHD_create_response_from_buffer_with_free_callback(r->body_len, body, mem_free);
    if (resp == NULL) {
        mem_free(body);
        return MHD_NO;
    }
    ct = r->content_type ? r->content_type : "application/json";
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
    /* Security headers on every answer; pages get a policy that still lets
     * them load their own scripts and styles, API answers one that loads
     * nothing. Neither may be framed. */
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            strncmp(ct, "text/html", 9) == 0
                                ? "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                                  "form-action 'self'"
                                : "default-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->status == 429)
        MHD_add_response_header(resp, "Retry-After", "1");
    ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result
send_static_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    struct api_reply r = { status, "application/json", NULL, 0 };
    struct buf b;

    buf_init(&b, 256);
    if (buf_printf(&b, "{\"status\":\"error\",\"message\":\"%s\"}", msg) != BK_OK) {
        buf_cleanup(&b);
        return MHD_NO;
    }
    r.body = buf_steal(&b, &r.body_len);
    return send_reply(conn, &r);
}

/* File <f> of the built-in UI with the UI's security headers. The bytes are
 * static: libmicrohttpd sends them without a copy. */
static enum MHD_Result
send_static(struct http_server *srv, struct MHD_Connection *conn, const struct static_file *f)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    resp = MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, static_content_type(f->path));
    MHD_add_response_header(resp, "Content-Security-Policy", srv->csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    /* index.html names the current assets; the assets change with the binary */
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void
client_ip(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

    snprintf(out, n, "unknown");
    if (ci == NULL || ci->client_addr == NULL)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  (socklen_t)n);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out,
                  (socklen_t)n);
}

struct hdrscan {
    unsigned content_length;
    unsigned transfer_encoding;
    int bad;
};

/* Headers that smuggle: a NUL inside a name or value, white space in a name
 * ("Content-Length : 5"), a repeated Content-Length, Transfer-Encoding other
 * than plain chunked, or both Transfer-Encoding and Content-Length (RFC 9112
 * 6.1: a front end and this server could disagree on where the body ends). */
static enum MHD_Result
scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
            const char *value, size_t value_size)
{
    struct hdrscan *h = cls;

    (void)kind;
    if (key == NULL || strlen(key) != key_size || (value && strlen(value) != value_size) ||
        strpbrk(key, " \t") != NULL) {
        h->bad = 1;
        return MHD_YES;
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        h->content_length++;
    if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        h->transfer_encoding++;
        if (value == NULL || strcasecmp(value, "chunked") != 0)
            h->bad = 1;
    }
    return MHD_YES;
}

static int
headers_ambiguous(struct MHD_Connection *conn)
{
    struct hdrscan h = { 0, 0, 0 };

    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &h);
    return h.bad || h.content_length > 1 || h.transfer_encoding > 1 ||
           (h.transfer_encoding && h.content_length);
}

/* Whether the client's address and access token both have a token left. */
static int
within_rate(struct http_server *srv, struct MHD_Connection *conn, const char *ip)
{
    const char *tok;
    int64_t t;

    if (srv->rl_ip == NULL && srv->rl_token == NULL)
        return 1;
    t = clock_mono_ms();
    if (!ratelimit_allow(srv->rl_ip, ip, strlen(ip), t))
        return 0;
    tok = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Bunker-Token");
    return tok == NULL || ratelimit_allow(srv->rl_token, tok, strlen(tok), t);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size,
           void **con_cls)
{
    struct http_server *srv = cls;
    struct reqstate *st = *con_cls;
    struct api_req req;
    struct api_reply reply;
    enum MHD_Result ret;

    (void)version;
    if (st == NULL) {
        const char *cl;

        st = mem_calloc(1, sizeof *st);
        if (st == NULL)
            return MHD_NO;
        st->limit = dispatch_body_limit(srv->app, method, url);
        buf_init(&st->body, st->limit);
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && st->limit > 0) {
            char *end = NULL;
            unsigned long long n;

            errno = 0;
            n = strtoull(cl, &end, 10);
            if (errno != 0 || end == cl || *end != '\0' || n > st->limit)
                st->too_big = 1;
        }
        client_ip(conn, st->ip, sizeof st->ip);
        *con_cls = st;
        if (headers_ambiguous(conn)) {
            /* answered before any body is read; MHD closes the connection after */
            LOG_INFO(NULL, "http", "refused a request with ambiguous framing headers");
            st->answered = 1;
            st->limit = 0;
            return send_static_error(conn, 400, "malformed request headers");
        }
        st->limited = !within_rate(srv, conn, st->ip);
        if (st->limited)
            st->limit = 0;      /* the body is not read */
        *con_cls = st;
        return MHD_YES;
    }
    if (st->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        if (st->limit == 0) {
            /* a route without a body: what was sent is not read into memory */
        } else if (!st->too_big && buf_append(&st->body, upload_data, *upload_data_size) != BK_OK) {
            st->too_big = 1;
            buf_cleanup(&st->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->limited) {
        dispatch_count_refused(method, url, 429);
        return send_static_error(conn, 429, "too many requests");
    }
    if (st->too_big) {
        dispatch_count_refused(method, url, 413);
        return send_static_error(conn, 413, "request body too large");
    }
    if (static_is_ui_request(method, url) && !dispatch_has_path(url)) {
        const struct static_file *f = static_find(url);

        if (f != NULL)
            return send_static(srv, conn, f);
    }

    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = url;
    req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    req.token = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Bunker-Token");
    req.token_len = req.token ? strlen(req.token) : 0;
    req.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_AUTHORIZATION);
    req.tenant = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Bunker-Tenant");
    req.host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    req.client_ip = st->ip;
    req.body = st->body.ptr ? st->body.ptr : "";
    req.body_len = st->body.len;
    req.query = query_arg;
    req.query_cls = conn;
    dispatch_request(srv->app, &req, &reply);
    ret = send_reply(conn, &reply);
    api_reply_cleanup(&reply);
    return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct reqstate *st = *con_cls;

    (void)cls, (void)conn, (void)toe;
    if (st == NULL)
        return;
    buf_cleanup(&st->body);
    mem_free(st);
    *con_cls = NULL;
}

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[4096];
    size_t n;

    if (f == NULL)
        return NULL;
    buf_init(&b, 1 << 20);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(&b, chunk, n) != BK_OK) {
            buf_cleanup(&b);
            fclose(f);
            return NULL;
        }
    }
    fclose(f);
    return buf_steal(&b, NULL);
}

enum bk_err
http_server_start(const struct app *app, const struct http_conf *hc, struct http_server **out)
{
    struct http_server *s;
    struct sockaddr_in addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    int tpc = hc->thread_per_connection;

    *out = NULL;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)hc->port);
    if (hc->port <= 0 || hc->port > 65535)
        return BK_EINVAL;
    if (hc->host == NULL || hc->host[0] == '\0' || strcmp(hc->host, "0.0.0.0") == 0)
        addr.sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(hc->host, "localhost") == 0)
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, hc->host, &addr.sin_addr) != 1)
        return BK_EINVAL;
    s = mem_calloc(1, sizeof *s);
    if (s == NULL)
        return BK_ENOMEM;
    s->app = app;
    if (ratelimit_new(hc->rate_ip_per_s, hc->rate_ip_burst, &s->rl_ip) != BK_OK ||
        ratelimit_new(hc->rate_token_per_s, hc->rate_token_burst, &s->rl_token) != BK_OK) {
        http_server_stop(s);
        return BK_ENOMEM;
    }
    static_csp(app->conf->ui.logo_link, app->conf->ui.custom_css_link, s->csp, sizeof s->csp);
    if (hc->cert_path != NULL && hc->key_path != NULL) {
        s->cert = read_file(hc->cert_path);
        s->key = read_file(hc->key_path);
        if (s->cert == NULL || s->key == NULL) {
            LOG_ERR(NULL, "http", "cannot read the TLS certificate or key");
            http_server_stop(s);
            return BK_EINVAL;
        }
        flags |= MHD_USE_TLS;
    }
    /* Thread per connection: a request that waits (a write for its group
     * commit's fsync) blocks only its own connection; in the pool each worker
     * serves many connections and all of them wait with it. poll(), not
     * select(): descriptors above FD_SETSIZE at a thousand connections. */
    flags |= tpc ? MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL : MHD_USE_EPOLL;
    {
        struct MHD_OptionItem opts[] = {
            { MHD_OPTION_SOCK_ADDR, 0, &addr },
            { tpc ? MHD_OPTION_THREAD_STACK_SIZE : MHD_OPTION_THREAD_POOL_SIZE,
              tpc ? HTTP_STACK_SIZE : (hc->threads ? hc->threads : 2), NULL },
            { MHD_OPTION_CONNECTION_TIMEOUT, hc->timeout_s, NULL },
            { MHD_OPTION_CONNECTION_LIMIT, hc->max_connections, NULL },
            { MHD_OPTION_PER_IP_CONNECTION_LIMIT, hc->per_ip_connections, NULL },
            { MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 * 1024, NULL },
            { MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape_none, NULL },
            { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL },
            { s->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert },
            { s->key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->key },
            { MHD_OPTION_END, 0, NULL },
        };
        s->daemon = MHD_start_daemon(flags, (uint16_t)hc->port, NULL, NULL, on_request, s,
                                     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    }
    if (s->daemon == NULL) {
        http_server_stop(s);
        return BK_EUNAVAIL;
    }
    *out = s;
    return BK_OK;
}

void
http_server_stop(struct http_server *s)
{
    if (s == NULL)
        return;
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon);
    if (s->key != NULL)
        memset(s->key, 0, strlen(s->key));
    mem_free(s->cert);
    mem_free(s->key);
    ratelimit_free(s->rl_ip);
    ratelimit_free(s->rl_token);
    mem_free(s);
}
