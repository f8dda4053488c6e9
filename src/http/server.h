/* The HTTP transport: a libmicrohttpd daemon with a thread per connection (or
 * a pool of workers), bodies read under per-route caps, and the API layer
 * called once a request is complete.
 * Knows nothing of users or JSON semantics. */
#ifndef BK_HTTP_SERVER_H
#define BK_HTTP_SERVER_H

#include "../core/ctx.h"

struct http_server;

struct http_conf {
    const char *host;            /* IPv4 address or "localhost"; NULL: all */
    int port;
    unsigned threads;            /* pool workers when not thread_per_connection */
    int thread_per_connection;   /* one thread per connection instead of the pool */
    const char *cert_path;       /* both set: HTTPS only */
    const char *key_path;
    unsigned timeout_s;          /* idle connection timeout */
    unsigned max_connections;
    unsigned per_ip_connections; /* 0: no per-address limit */
    unsigned rate_ip_per_s;      /* requests a second per client address; 0: off */
    unsigned rate_ip_burst;
    unsigned rate_token_per_s;   /* requests a second per access token; 0: off */
    unsigned rate_token_burst;
};

/* Start serving <app> (borrowed; must outlive the server). *out is the new
 * server; http_server_stop() ends it. BK_EINVAL for a bad address or
 * unreadable certificate, BK_EUNAVAIL when the port cannot be bound. */
enum bk_err http_server_start(const struct app *app, const struct http_conf *hc,
                              struct http_server **out);
void http_server_stop(struct http_server *s);

#endif
