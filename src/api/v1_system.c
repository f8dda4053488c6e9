/* /v1 system routes: the SQL backup (root only) and the Prometheus metrics,
 * GET /v1/metrics (root token) and GET /metrics (a scrape token or an
 * allowed client address, closed unless configured). */
#include "v1_system.h"

#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../core/auth.h"
#include "../core/journal.h"
#include "../core/system.h"
#include "../store/system.h"
#include "../vault/secbuf.h"
#include "metrics.h"

#define BACKUP_MAX_BYTES ((size_t)4 << 30)   /* the reply is built in memory */
#define METRICS_MAX_BYTES ((size_t)16 << 20)

static const char sql_media[] = "application/sql; charset=utf-8";
static const char prom_media[] = "text/plain; version=0.0.4; charset=utf-8";

static enum bk_err
collect(void *arg, const char *text, size_t len)
{
    return buf_append(arg, text, len);
}

enum bk_err
v1_sys_backup(struct ctx *c, const struct api_req *req, const struct route_match *m,
              json_t *body, json_t **reply, struct api_reply *raw)
{
    struct buf b;
    enum bk_err err;

    (void)req, (void)m, (void)body, (void)reply;
    if (c->caller != CALLER_ROOT)
        return ctx_fail(c, BK_EFORBID, "the backup needs the root token");
    /* the audit events still in the read journal belong in the dump */
    err = journal_settle(c);
    if (err != BK_OK)
        return err;
    buf_init(&b, BACKUP_MAX_BYTES);
    err = store_system_backup_sql(&c->db, collect, &b);
    if (err != BK_OK) {
        buf_cleanup(&b);
        /* The dump is SQLite's; the database servers have their own tools. */
        if (err == BK_ENOTIMPL)
            return ctx_fail(c, err, "the SQL backup is for SQLite only: back up PostgreSQL "
                                    "with pg_dump and MariaDB with mariadb-dump "
                                    "(see docs/OPERATIONS.md)");
        return err;
    }
    LOG_INFO(c->rid, "backup", "database dump of %zu bytes sent to %s", b.len, c->who);
    raw->status = 200;
    raw->content_type = sql_media;
    raw->body = buf_steal(&b, &raw->body_len);
    return raw->body ? BK_OK : BK_ENOMEM;
}

static enum bk_err
add_records(void *arg, const char *kind, int64_t n)
{
    return buf_printf(arg, "databunker_records{kind=\"%s\"} %lld\n", kind, (long long)n);
}

static enum bk_err
render(struct ctx *c, struct api_reply *raw)
{
    struct buf b;
    enum bk_err err;

    buf_init(&b, METRICS_MAX_BYTES);
    err = buf_append_str(&b, "# HELP databunker_records Records stored, by kind.\n"
                             "# TYPE databunker_records gauge\n");
    if (err == BK_OK)
        err = system_record_counts(c, add_records, &b);
    if (err == BK_OK)
        err = metrics_render(&b);
    if (err != BK_OK) {
        buf_cleanup(&b);
        return err;
    }
    raw->status = 200;
    raw->content_type = prom_media;
    raw->body = buf_steal(&b, &raw->body_len);
    return raw->body ? BK_OK : BK_ENOMEM;
}

enum bk_err
v1_metrics(struct ctx *c, const struct api_req *req, const struct route_match *m, json_t *body,
           json_t **reply, struct api_reply *raw)
{
    (void)req, (void)m, (void)body, (void)reply;
    if (c->caller != CALLER_ROOT)
        return ctx_fail(c, BK_EFORBID, "metrics need the root token");
    return render(c, raw);
}

/* <ip> is one of the comma- or space-separated addresses in <list>. */
static int
ip_listed(const char *list, const char *ip)
{
    size_t n = strlen(ip);

    while (list != NULL && *list != '\0') {
        size_t len;

        while (*list == ',' || *list == ' ')
            list++;
        len = strcspn(list, ", ");
        if (len > 0 && len == n && memcmp(list, ip, n) == 0)
            return 1;
        list += len;
    }
    return 0;
}

/* The token a scraper sent: X-Bunker-Token, or Authorization: Bearer. */
static const char *
scrape_token(const struct api_req *req, size_t *len)
{
    const char *a = req->authorization;

    if (req->token != NULL) {
        *len = req->token_len;
        return req->token;
    }
    if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
        a += 7;
        while (*a == ' ')
            a++;
        *len = strlen(a);
        return *len ? a : NULL;
    }
    *len = 0;
    return NULL;
}

static int
token_matches(struct ctx *c, const char *given, size_t len, const char *want)
{
    uint8_t a[KEYS_LEN], b[KEYS_LEN];
    int ok;

    /* compare keyed hashes: constant time whatever the lengths */
    ok = keys_token_hash(&c->app->vault, given, len, a) == BK_OK &&
         keys_token_hash(&c->app->vault, want, strlen(want), b) == BK_OK &&
         secbuf_equal(a, b, sizeof a);
    secbuf_wipe(a, sizeof a);
    secbuf_wipe(b, sizeof b);
    return ok;
}

enum bk_err
v1_metrics_open(struct ctx *c, const struct api_req *req, const struct route_match *m,
                json_t *body, json_t **reply, struct api_reply *raw)
{
    const struct conf *cf = c->app->conf;
    size_t len = 0;
    const char *tok = scrape_token(req, &len);

    (void)m, (void)body, (void)reply;
    if (cf->metrics_allow != NULL && req->client_ip != NULL &&
        ip_listed(cf->metrics_allow, req->client_ip))
        return render(c, raw);
    if (tok == NULL)
        return ctx_fail(c, BK_EAUTH, "metrics need a token or an allowed address");
    if (cf->metrics_token != NULL && token_matches(c, tok, len, cf->metrics_token))
        return render(c, raw);
    if (auth_identify(c, tok, len) == BK_OK && c->caller == CALLER_ROOT)
        return render(c, raw);
    return ctx_fail(c, BK_EAUTH, "access denied");
}

const struct route v1_system_routes[] = {
    { "GET", "/v1/sys/backup", v1_sys_backup, 0, "SystemBackup" },
    { "GET", "/v1/metrics", v1_metrics, 0, "Metrics" },
    { "GET", "/metrics", v1_metrics_open, ROUTE_NO_AUTH, "Metrics" },
    { NULL, NULL, NULL, 0, NULL },
};
