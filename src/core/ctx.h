/* The request context passed down explicitly from the API adapters into
 * every service call, and the long-lived application state it points to.
 * Services never see HTTP; adapters never see the store. */
#ifndef BK_CTX_H
#define BK_CTX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/err.h"
#include "../store/store.h"
#include "../vault/keys.h"
#include "conf.h"
#include "policy.h"

struct ledger;
struct authz_memo;
struct journal;

/* Long-lived state shared read-only by all workers; owned by main(). */
struct app {
    const struct conf *conf;
    struct vault vault;
    struct store store;
    uint8_t root_token_hash[KEYS_LEN];
    int has_root_token;
    struct ledger *ledger;       /* erasure ledger (core/ledger.h); NULL: none */
    struct audit_queue *audit_queue;  /* core/audit.c: events of reads, written together;
                                         NULL: each in a transaction of its own */
    struct journal *journal;     /* core/journal.h: SQLite's journal of reads' events, used
                                    instead of the queue; NULL: none */
    struct search_merger *merger;     /* core/search.c: merges pending postings; NULL: none */
};

/* ROOT and TENANT (a tenant's admin token) bypass policies; USER and ROLE
 * are access tokens made by XTokenCreateForUser and XTokenCreateForRole;
 * PORTAL is an end user's login session. */
enum caller_kind {
    CALLER_NONE = 0,
    CALLER_ROOT = 1,
    CALLER_TENANT = 2,
    CALLER_USER = 3,
    CALLER_ROLE = 4,
    CALLER_PORTAL = 10,          /* an end user logged in to the portal (core/portal.c):
                                    self-service on <self_token> only */
};

/* Who an access token speaks for, and what core/authz.c decided. */
struct ctx_access {
    int64_t xtoken_id;
    int64_t user_id;             /* CALLER_USER: the token's user */
    char user_token[37];
    int64_t role_id;             /* CALLER_ROLE: the token's role */
    char role_name[POLICY_NAME_MAX + 1];
    const char *op;              /* the operation running (its Pro name) */
    int limited;                 /* 1: only <view> of the last target may be seen */
    struct policy_view view;
    int refused;                 /* a policy refused the target <refused_record> */
    char refused_record[37];
    struct authz_memo *memo;     /* core/authz.c: shared by the request's decisions;
                                    authz_ctx_cleanup() */
};

struct ctx {
    const struct app *app;
    struct store_conn db;        /* borrowed for this request */
    int64_t tenant;              /* 0: the default tenant */
    enum caller_kind caller;
    char who[64];                /* who the audit trail names */
    char rid[17];                /* request id for logs */
    const char *client_ip;       /* borrowed */
    int64_t now;                 /* unix seconds at the request's start */
    const char *errmsg;          /* static text for the client when a call fails */
    char msgbuf[160];            /* room for an errmsg composed per call (ctx_fail_at, JSON
                                    Patch) */
    struct ctx_access access;    /* set by core/auth.c and core/authz.c */
    /* tenants (core/tenants.c): */
    int tenant_named;            /* chosen by X-Bunker-Tenant or the host's subdomain */
    int tenant_unknown;          /* X-Bunker-Tenant named no tenant */
    const struct vault *vault;   /* the tenant's keys; NULL: the default tenant's */
    struct vault tenant_vault;   /* storage for them, wiped when the request ends */
    char self_token[37];         /* CALLER_PORTAL: the user the caller is */
};

/* The keys of the request's tenant: every blind index and data key of a
 * tenant is made and opened with these, never with another tenant's. */
static inline const struct vault *
ctx_vault(const struct ctx *c)
{
    return c->vault != NULL ? c->vault : &c->app->vault;
}

/* The second from which an object made in this request with a life of <ttl> seconds is
 * refused (at and after it; every ttl'd object compares "now >= expires" in whole seconds).
 * c->now is the request's start truncated to the second, so the extra second makes a life
 * of at least <ttl> seconds and at most <ttl> + 1, wherever in its second the object was
 * made. */
static inline int64_t
ctx_ttl_end(const struct ctx *c, int64_t ttl)
{
    return c->now + ttl + 1;
}

/* A context for work of the server's own (a background thread named <name>,
 * which it is audited and logged as), holding a store connection of <app>'s
 * marked store_background() (no read waits for its writes: core/journal.c):
 * store_release(&c->db) when done. */
static inline enum bk_err
ctx_background(struct ctx *c, const struct app *app, const char *name)
{
    enum bk_err err;

    memset(c, 0, sizeof *c);
    c->app = app;
    c->now = (int64_t)time(NULL);
    snprintf(c->rid, sizeof c->rid, "%s", name);
    snprintf(c->who, sizeof c->who, "%s", name);
    err = store_acquire((struct store *)&app->store, &c->db);
    if (err == BK_OK)
        store_background(&c->db);
    return err;
}

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
