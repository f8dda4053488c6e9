/* The request context passed down explicitly from the API adapters into
 * every service call, and the long-lived application state it points to.
 * Services never see HTTP; adapters never see the store. */
#ifndef BK_CTX_H
#define BK_CTX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../base/err.h"
#include "../store/store.h"
#include "../vault/keys.h"
#include "conf.h"

/* Long-lived state shared read-only by all workers; owned by main(). */
struct app {
    const struct conf *conf;
    struct vault vault;
    struct store store;
    uint8_t root_token_hash[KEYS_LEN];
    int has_root_token;
};

enum caller_kind {
    CALLER_NONE = 0,
    CALLER_ROOT = 1,
    CALLER_PORTAL = 10,          /* an end user logged in to the portal (core/portal.c):
                                    self-service on <self_token> only */
};

struct ctx {
    const struct app *app;
    struct store_conn db;        /* borrowed for this request */
    int64_t tenant;              /* 0: the default tenant */
    enum caller_kind caller;
    char who[48];                /* who the audit trail names */
    char rid[17];                /* request id for logs */
    const char *client_ip;       /* borrowed */
    int64_t now;                 /* unix seconds at the request's start */
    const char *errmsg;          /* static text for the client when a call fails */
    char msgbuf[160];            /* room for an errmsg composed per call (ctx_fail_at, JSON
                                    Patch) */
    char self_token[37];         /* CALLER_PORTAL: the user the caller is */
};

/* Record <msg> (a static string) as the client-facing reason and return <err>. */
static inline enum bk_err
ctx_fail(struct ctx *c, enum bk_err err, const char *msg)
{
    c->errmsg = msg;
    return err;
}

/* Like ctx_fail with "<prefix>: <c->errmsg or dflt>" formatted into c->msgbuf: names which
 * element of a bulk call failed. The text must hold no personal data. */
static inline enum bk_err
ctx_fail_at(struct ctx *c, enum bk_err err, const char *prefix, size_t index, const char *dflt)
{
    const char *src = c->errmsg != NULL ? c->errmsg : dflt;
    char head[48], why[sizeof c->msgbuf];
    size_t hn, wn = strlen(src);
    int n = snprintf(head, sizeof head, "%.24s[%zu]: ", prefix, index);

    hn = n < 0 ? 0 : (size_t)n >= sizeof head ? sizeof head - 1 : (size_t)n;
    if (wn > sizeof c->msgbuf - 1 - hn)
        wn = sizeof c->msgbuf - 1 - hn;
    memcpy(why, src, wn);            /* src may be c->msgbuf itself */
    memcpy(c->msgbuf, head, hn);
    memcpy(c->msgbuf + hn, why, wn);
    c->msgbuf[hn + wn] = '\0';
    c->errmsg = c->msgbuf;
    return err;
}

#endif
