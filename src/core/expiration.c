/* User expiration: the times kept per user, the /v1 flow and its links, and
 * the sweep that forgets expired users through users_delete(). */
#include "expiration.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../store/expiry.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "period.h"
#include "record.h"

#define SWEEP_BATCH 32
#define SWEEP_BATCHES 8

/* The end time from a sliding period counted from <now> and a final time. */
static int64_t
end_of(int64_t sliding, int64_t finaltime, int64_t now)
{
    int64_t end = sliding > 0 ? now + sliding : 0;

    if (finaltime > 0 && (end == 0 || finaltime < end))
        end = finaltime;
    return end;
}

/* The keyed hash an expiration token is found by; the token is lower-cased
 * first, as users may type it either way. */
static enum bk_err
exptoken_hash(struct ctx *c, const char *tok, uint8_t out[STORE_HASH_LEN])
{
    char buf[9 + 37];

    memcpy(buf, "exptoken:", 9);
    for (size_t i = 0; i < 36; i++)
        buf[9 + i] = (char)tolower((unsigned char)tok[i]);
    buf[45] = '\0';
    return keys_token_hash(&c->app->vault, buf, 45, out);
}

/* A new expiration token for <e>: its hash and its box under <dek>. */
static enum bk_err
exptoken_new(struct ctx *c, const uint8_t dek[KEYS_LEN], struct expiry_row *e, char out[37])
{
    json_t *s;
    enum bk_err err = keys_uuid(out);

    if (err == BK_OK)
        err = exptoken_hash(c, out, e->exptoken_hash);
    if (err != BK_OK)
        return err;
    s = json_string(out);
    if (s == NULL)
        return BK_ENOMEM;
    store_expiry_row_cleanup(e);
    err = record_seal(c, dek, "exptoken", e->record, 0, s, &e->exptoken_box,
                      &e->exptoken_box_len);
    json_decref(s);
    e->has_exptoken = err == BK_OK;
    return err;
}

static void
clear_token(struct expiry_row *e)
{
    store_expiry_row_cleanup(e);
    e->has_exptoken = 0;
    memset(e->exptoken_hash, 0, sizeof e->exptoken_hash);
}

/* The row of <user>, or a fresh one (state none) when it has none. */
static enum bk_err
row_for(struct ctx *c, const struct user_row *user, struct expiry_row *out)
{
    enum bk_err err = store_expiry_get(&c->db, c->tenant, user->id, out);

    if (err == BK_ENOTFOUND) {
        memset(out, 0, sizeof *out);
        out->user_id = user->id;
        out->tenant = c->tenant;
        memcpy(out->record, user->token, sizeof out->record);
        out->state = EXPIRY_NONE;
        err = BK_OK;
    }
    return err;
}

enum bk_err
expiration_user_created(struct ctx *c, const struct user_row *row, const uint8_t dek[KEYS_LEN],
                        const struct expiry_req *req)
{
    struct expiry_row e;
    enum bk_err err;

    (void)dek;
    if (req->sliding <= 0 && req->finaltime <= 0)
        return BK_OK;
    memset(&e, 0, sizeof e);
    e.user_id = row->id;
    e.tenant = c->tenant;
    memcpy(e.record, row->token, sizeof e.record);
    e.state = EXPIRY_WAIT;
    e.sliding = req->sliding > 0 ? req->sliding : 0;
    e.finaltime = req->finaltime > 0 ? req->finaltime : 0;
    e.endtime = end_of(e.sliding, e.finaltime, c->now);
    e.touched = c->now;
    err = store_expiry_put(&c->db, &e);
    store_expiry_row_cleanup(&e);
    return err;
}

static void
times_of(const struct expiry_row *e, struct expiry_times *out)
{
    memset(out, 0, sizeof *out);
    if (e->state != EXPIRY_WAIT)
        return;
    out->finaltime = e->finaltime;
    out->slidingtime = e->sliding > 0 ? e->touched + e->sliding : 0;
    out->expirationtime = e->endtime;
}

/* Whether a read of a record with expiration <e> finds it expired. */
static int
expired(const struct ctx *c, const struct expiry_row *e)
{
    return e->state == EXPIRY_EXPIRED ||
           (e->state == EXPIRY_WAIT && e->endtime > 0 && e->endtime <= c->now);
}

/* Whether a read now moves the sliding end of <e>. */
static int
slides(const struct ctx *c, const struct expiry_row *e)
{
    return e->state == EXPIRY_WAIT && e->sliding > 0 && e->touched != c->now;
}

/* The expiration of <row> for a check: the one its lookup brought along
 * (struct user_row's exp_ fields; no exptoken, which a check does not use),
 * else the row the expiry family finds. BK_ENOTFOUND when it has none. */
static enum bk_err
carried(struct ctx *c, const struct user_row *row, struct expiry_row *out)
{
    if (row->exp_known == USER_EXP_UNKNOWN)
        return store_expiry_get(&c->db, c->tenant, row->id, out);
    memset(out, 0, sizeof *out);
    if (row->exp_known != USER_EXP_ROW)
        return BK_ENOTFOUND;
    out->user_id = row->id;
    out->tenant = row->tenant;
    memcpy(out->record, row->token, sizeof out->record);
    out->state = row->exp_state;
    out->sliding = row->exp_sliding;
    out->finaltime = row->exp_finaltime;
    out->endtime = row->exp_endtime;
    out->touched = row->exp_touched;
    return BK_OK;
}

enum bk_err
expiration_check(struct ctx *c, const struct user_row *row, struct expiry_times *out,
                 int *touch)
{
    struct expiry_row e;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    *touch = 0;
    err = carried(c, row, &e);
    if (err == BK_ENOTFOUND || err == BK_ENOTIMPL)
        return BK_OK;
    if (err != BK_OK)
        return err;
    if (expired(c, &e))
        err = ctx_fail(c, BK_ENOTFOUND, "not found");
    else if (slides(c, &e))
        *touch = 1;
    else
        times_of(&e, out);
    store_expiry_row_cleanup(&e);
    return err;
}

enum bk_err
expiration_touch(struct ctx *c, const struct user_row *row, struct expiry_times *out)
{
    struct expiry_row e;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = store_expiry_get(&c->db, c->tenant, row->id, &e);
    if (err == BK_ENOTFOUND || err == BK_ENOTIMPL)
        return BK_OK;
    if (err != BK_OK)
        return err;
    if (expired(c, &e)) {
        err = ctx_fail(c, BK_ENOTFOUND, "not found");
    } else if (slides(c, &e)) {
        e.endtime = end_of(e.sliding, e.finaltime, c->now);
        e.touched = c->now;
        err = store_expiry_put(&c->db, &e);
    }
    if (err == BK_OK)
        times_of(&e, out);
    store_expiry_row_cleanup(&e);
    return err;
}

/* The common frame of the flow's calls on a user named by <ref>: one write
 * transaction, the user found, the data key open, <fn> does the work, the
 * event <action> is written. */
typedef enum bk_err (*flow_fn)(struct ctx *c, const struct user_row *user,
                               const uint8_t dek[KEYS_LEN], int have_dek, void *arg);

static enum bk_err
flow(struct ctx *c, const struct user_ref *ref, int allow_deleted, const char *action,
     flow_fn fn, void *arg, char token_out[37])
{
    struct user_row row;
    uint8_t dek[KEYS_LEN];
    int have_dek = 0;
    char *ident = mem_strndup(ref->identity ? ref->identity : "", ref->identity_len);
    struct audit_event ev = { .action = action, .mode = users_mode_name(ref->mode) };
    enum bk_err err;

    token_out[0] = '\0';
    memset(&row, 0, sizeof row);
    memset(dek, 0, sizeof dek);
    if (ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = users_find_any(c, ref, allow_deleted, &row);
    if (err == BK_OK && row.status == USER_ACTIVE) {
        err = record_dek(c, &row, dek);
        have_dek = err == BK_OK;
    }
    if (err == BK_OK)
        err = fn(c, &row, dek, have_dek, arg);
    if (err == BK_OK) {
        ev.record = row.token;
        ev.identity = have_dek ? ident : NULL;
        ev.dek = have_dek ? dek : NULL;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    if (err == BK_OK)
        memcpy(token_out, row.token, 37);
out:
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&row);
    mem_free(ident);
    return err;
}

struct start_arg {
    int64_t deadline;
    char *exptoken;
};

static enum bk_err
do_start(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN], int have_dek,
         void *arg)
{
    struct start_arg *a = arg;
    struct expiry_row e;
    enum bk_err err;

    if (!have_dek)
        return BK_ECORRUPT;
    err = row_for(c, user, &e);
    if (err == BK_OK) {
        e.state = EXPIRY_WAIT;
        e.sliding = 0;             /* the flow's end is fixed: reads do not move it */
        e.endtime = e.finaltime > 0 && e.finaltime < a->deadline ? e.finaltime : a->deadline;
        e.touched = c->now;
        err = exptoken_new(c, dek, &e, a->exptoken);
    }
    if (err == BK_OK)
        err = store_expiry_put(&c->db, &e);
    store_expiry_row_cleanup(&e);
    return err;
}

enum bk_err
expiration_start(struct ctx *c, const struct user_ref *ref, const char *period, size_t period_len,
                 char token_out[37], char exptoken_out[37])
{
    struct start_arg a = { 0, exptoken_out };
    enum bk_err err;

    exptoken_out[0] = '\0';
    token_out[0] = '\0';
    if (period == NULL || period_len == 0)
        return ctx_fail(c, BK_EINVAL, "missing expiration: give a period such as 10d");
    if (period_deadline(period, period_len, c->now, &a.deadline) != BK_OK)
        return ctx_fail(c, BK_EINVAL, "bad expiration: give a period such as 10d");
    err = flow(c, ref, 0, "ExpirationStart", do_start, &a, token_out);
    if (err != BK_OK)
        exptoken_out[0] = '\0';
    return err;
}

/* Past its end time a record is expired, even before the sweep forgets it. */
static const char *
state_name(const struct expiry_row *e, int user_active, int64_t now)
{
    switch (e->state) {
    case EXPIRY_WAIT:
        return user_active && (e->endtime == 0 || e->endtime > now) ? "expiring" : "expired";
    case EXPIRY_RETAIN:  return "active";
    case EXPIRY_EXPIRED: return "expired";
    default:             return "none";
    }
}

static enum bk_err
do_status(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN], int have_dek,
          void *arg)
{
    struct expiration_status *out = arg;
    struct expiry_row e;
    json_t *tok = NULL;
    enum bk_err err = store_expiry_get(&c->db, c->tenant, user->id, &e);

    if (err == BK_ENOTFOUND || err == BK_ENOTIMPL)
        return BK_OK;
    if (err != BK_OK)
        return err;
    out->expstatus = state_name(&e, user->status == USER_ACTIVE, c->now);
    out->exptime = e.state == EXPIRY_WAIT || e.state == EXPIRY_EXPIRED ? e.endtime : 0;
    if (have_dek && e.has_exptoken && e.exptoken_box != NULL &&
        record_open(c, dek, "exptoken", user->token, 0, e.exptoken_box, e.exptoken_box_len,
                    &tok) == BK_OK &&
        json_is_string(tok) && json_string_length(tok) == 36)
        memcpy(out->exptoken, json_string_value(tok), 37);
    json_decref(tok);
    store_expiry_row_cleanup(&e);
    return BK_OK;
}

enum bk_err
expiration_status(struct ctx *c, const struct user_ref *ref, char token_out[37],
                  struct expiration_status *out)
{
    memset(out, 0, sizeof *out);
    out->expstatus = "none";
    return flow(c, ref, ref->mode == MODE_TOKEN, "ExpirationStatus", do_status, out, token_out);
}

static enum bk_err
do_cancel(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN], int have_dek,
          void *arg)
{
    struct expiry_row e;
    enum bk_err err = store_expiry_get(&c->db, c->tenant, user->id, &e);

    (void)dek, (void)have_dek, (void)arg;
    if (err == BK_ENOTFOUND)
        return BK_OK;
    if (err != BK_OK)
        return err;
    e.state = EXPIRY_NONE;
    e.sliding = e.finaltime = e.endtime = 0;
    e.touched = c->now;
    clear_token(&e);
    err = store_expiry_put(&c->db, &e);
    store_expiry_row_cleanup(&e);
    return err;
}

enum bk_err
expiration_cancel(struct ctx *c, const struct user_ref *ref, char token_out[37])
{
    return flow(c, ref, 0, "ExpirationCancel", do_cancel, NULL, token_out);
}

/* Find the row of expiration token <tok> within the open transaction, with
 * its user. */
static enum bk_err
by_link(struct ctx *c, const char *tok, size_t len, struct expiry_row *e, struct user_row *user)
{
    uint8_t h[STORE_HASH_LEN];
    enum bk_err err;

    memset(e, 0, sizeof *e);
    memset(user, 0, sizeof *user);
    if (!users_token_valid(tok, len))
        return ctx_fail(c, BK_EINVAL, "bad expiration token");
    err = exptoken_hash(c, tok, h);
    if (err == BK_OK)
        err = store_expiry_by_exptoken(&c->db, c->tenant, h, e);
    if (err == BK_OK)
        err = store_user_by_token(&c->db, c->tenant, e->record, user);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    return err;
}

enum bk_err
expiration_retain(struct ctx *c, const char *exptoken, size_t len)
{
    struct expiry_row e;
    struct user_row user;
    struct audit_event ev = { .action = "ExpirationRetain", .mode = "exptoken" };
    enum bk_err err;

    snprintf(c->who, sizeof c->who, "expiration link");
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = by_link(c, exptoken, len, &e, &user);
    if (err == BK_OK && (user.status != USER_ACTIVE || e.state == EXPIRY_EXPIRED))
        err = ctx_fail(c, BK_ENOTFOUND, "not found");
    if (err == BK_OK) {
        e.state = EXPIRY_RETAIN;
        e.sliding = e.finaltime = e.endtime = 0;
        e.touched = c->now;
        err = store_expiry_put(&c->db, &e);
    }
    if (err == BK_OK) {
        ev.record = user.token;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    store_expiry_row_cleanup(&e);
    store_user_row_cleanup(&user);
    return err;
}

/* Mark the user of <e> expired (within the open transaction); the caller
 * then forgets them. A crash in between leaves the mark, and the sweep
 * finishes the work. */
static enum bk_err
mark_expired(struct ctx *c, struct expiry_row *e)
{
    e->state = EXPIRY_EXPIRED;
    if (e->endtime == 0 || e->endtime > c->now)
        e->endtime = c->now;
    return store_expiry_put(&c->db, e);
}

static enum bk_err
forget_now(struct ctx *c, const char *token)
{
    struct user_ref ref = { MODE_TOKEN, token, strlen(token) };
    char done[37];
    enum bk_err err = users_delete(c, &ref, done);

    /* Someone else forgot the user first: the result is the same. */
    return err == BK_ENOTFOUND ? BK_OK : err;
}

enum bk_err
expiration_delete(struct ctx *c, const char *exptoken, size_t len)
{
    struct expiry_row e;
    struct user_row user;
    char token[37];
    int forget = 0;
    enum bk_err err;

    snprintf(c->who, sizeof c->who, "expiration link");
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = by_link(c, exptoken, len, &e, &user);
    if (err == BK_OK && user.status == USER_ACTIVE) {
        err = mark_expired(c, &e);
        forget = 1;
    } else if (err == BK_OK && e.state != EXPIRY_EXPIRED) {
        err = ctx_fail(c, BK_ENOTFOUND, "not found");
    }
    err = store_end(&c->db, err);
    memcpy(token, user.token, sizeof token);
    store_expiry_row_cleanup(&e);
    store_user_row_cleanup(&user);
    if (err == BK_OK && forget)
        err = forget_now(c, token);
    return err;
}

static enum bk_err
sweep_one(struct ctx *c, const struct expiry_due *d)
{
    struct expiry_row e;
    enum bk_err err;

    c->tenant = d->tenant;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_expiry_get(&c->db, c->tenant, d->user_id, &e);
    if (err == BK_ENOTFOUND) {
        store_rollback(&c->db);
        return BK_OK;
    }
    if (err == BK_OK && e.state == EXPIRY_WAIT)
        err = mark_expired(c, &e);
    err = store_end(&c->db, err);
    store_expiry_row_cleanup(&e);
    if (err == BK_OK)
        err = forget_now(c, d->token);
    return err;
}

enum bk_err
expiration_sweep(struct ctx *c)
{
    struct expiry_due due[SWEEP_BATCH];
    size_t n = SWEEP_BATCH;
    enum bk_err err = BK_OK;

    for (int batch = 0; batch < SWEEP_BATCHES && n == SWEEP_BATCH && err == BK_OK; batch++) {
        c->tenant = 0;
        err = store_expiry_due(&c->db, c->now, due, SWEEP_BATCH, &n);
        if (err == BK_ENOTIMPL)
            return BK_OK;
        for (size_t i = 0; i < n && err == BK_OK; i++) {
            err = sweep_one(c, &due[i]);
            if (err == BK_OK)
                LOG_INFO(c->rid, "expiration", "forgot an expired user");
        }
    }
    c->tenant = 0;
    return err;
}

enum bk_err
expiration_forget(struct ctx *c, const struct user_row *user)
{
    struct expiry_row e;
    enum bk_err err = store_expiry_get(&c->db, c->tenant, user->id, &e);

    if (err == BK_ENOTFOUND || err == BK_ENOTIMPL)
        return BK_OK;
    if (err != BK_OK)
        return err;
    if (e.state == EXPIRY_EXPIRED) {
        /* Keep the state and the link (it answers "deleted"); the sealed
         * token goes with the data key anyway. */
        mem_free(e.exptoken_box);
        e.exptoken_box = NULL;
        e.exptoken_box_len = 0;
    } else {
        e.state = EXPIRY_NONE;
        e.sliding = e.finaltime = e.endtime = 0;
        clear_token(&e);
    }
    err = store_expiry_put(&c->db, &e);
    store_expiry_row_cleanup(&e);
    return err;
}
