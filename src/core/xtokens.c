/* Access tokens: creation, identification with expiry, revocation. The token
 * itself exists only in the reply that creates it and in the client's hands. */
#include "xtokens.h"

#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../store/access.h"
#include "../vault/secbuf.h"
#include "audit.h"

enum bk_err
xtokens_parse_duration(const char *s, size_t len, int64_t *out)
{
    static const struct {
        char unit;
        int64_t seconds;
    } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 },
        { 'y', 365 * 86400 },
    };
    int64_t n = 0, mult = 1;
    size_t digits = len;

    *out = 0;
    if (len == 0 || len > 16)
        return BK_EINVAL;
    if (s[len - 1] < '0' || s[len - 1] > '9') {
        size_t i;

        for (i = 0; i < sizeof units / sizeof units[0]; i++) {
            if (units[i].unit == s[len - 1])
                break;
        }
        if (i == sizeof units / sizeof units[0])
            return BK_EINVAL;
        mult = units[i].seconds;
        digits = len - 1;
    }
    if (digits == 0 || digits > 12)
        return BK_EINVAL;
    for (size_t i = 0; i < digits; i++) {
        if (s[i] < '0' || s[i] > '9')
            return BK_EINVAL;
        n = n * 10 + (s[i] - '0');
    }
    if (n == 0 || n > XTOKENS_MAX_TTL_S / mult)
        return BK_EINVAL;
    *out = n * mult;
    return BK_OK;
}

static void
fill_times(struct ctx *c, struct access_xtoken *t, int64_t final_s, int64_t sliding_s)
{
    if (final_s == 0 && sliding_s == 0)
        final_s = XTOKENS_DEFAULT_TTL_S;
    t->tenant = c->tenant;
    t->created = t->lastused = c->now;
    t->finaltime = final_s ? ctx_ttl_end(c, final_s) : 0;
    t->slidingtime = sliding_s;
}

/* A fresh token into <out> and its hash into t->hash. */
static enum bk_err
new_token(struct ctx *c, struct access_xtoken *t, char out[37])
{
    enum bk_err err = keys_uuid(out);

    if (err == BK_OK)
        err = keys_token_hash(&c->app->vault, out, 36, t->hash);
    return err;
}

enum bk_err
xtokens_create_for_user(struct ctx *c, const struct user_ref *ref, int64_t final_s,
                        int64_t sliding_s, char xtoken_out[37])
{
    struct access_xtoken t;
    struct user_row row;
    struct audit_event ev = { .action = "XTokenCreateForUser", .mode = users_mode_name(ref->mode) };
    char tok[37];
    enum bk_err err;

    xtoken_out[0] = '\0';
    memset(&t, 0, sizeof t);
    memset(&row, 0, sizeof row);
    err = new_token(c, &t, tok);
    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = users_find(c, ref, &row);
    if (err == BK_OK) {
        fill_times(c, &t, final_s, sliding_s);
        t.kind = XTOKEN_USER;
        t.user_id = row.id;
        err = store_access_xtoken_insert(&c->db, &t);
    }
    if (err == BK_OK) {
        ev.record = row.token;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    if (err == BK_OK)
        memcpy(xtoken_out, tok, 37);
out:
    secbuf_wipe(tok, sizeof tok);
    store_user_row_cleanup(&row);
    return err;
}

enum bk_err
xtokens_create_for_role(struct ctx *c, int64_t role_id, const char *role_name, int64_t final_s,
                        int64_t sliding_s, char xtoken_out[37])
{
    struct access_xtoken t;
    struct access_named role = { 0 };
    struct audit_event ev = { .action = "XTokenCreateForRole", .mode = "role" };
    char tok[37];
    enum bk_err err;

    xtoken_out[0] = '\0';
    memset(&t, 0, sizeof t);
    err = new_token(c, &t, tok);
    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = store_access_role_get(&c->db, c->tenant, role_id, role_name, &role);
    if (err == BK_ENOTFOUND)
        ctx_fail(c, err, "not found");
    if (err == BK_OK) {
        fill_times(c, &t, final_s, sliding_s);
        t.kind = XTOKEN_ROLE;
        t.role_id = role.id;
        err = store_access_xtoken_insert(&c->db, &t);
    }
    if (err == BK_OK) {
        ev.msg = role.name;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    if (err == BK_OK)
        memcpy(xtoken_out, tok, 37);
out:
    secbuf_wipe(tok, sizeof tok);
    access_named_cleanup(&role);
    return err;
}

/* How stale lastused may get before a use writes it again: a small part of
 * the sliding window, so a busy token does not cost a write per request. */
static int64_t
touch_every(int64_t sliding)
{
    int64_t g = sliding / 32;

    return g < 1 ? 1 : g > 300 ? 300 : g;
}

/* One indexed read finds the token and its holder (the user's status and
 * token, or the role's name). BK_ENOTFOUND: <hash> is no access token. */
static enum bk_err
identify(struct ctx *c, const uint8_t hash[KEYS_LEN])
{
    struct access_xtoken t;
    enum bk_err err = store_access_xtoken_by_hash(&c->db, c->tenant, hash, &t);

    if (err == BK_ENOTIMPL)
        err = BK_ENOTFOUND;
    if (err != BK_OK)
        return err;
    if ((t.finaltime > 0 && c->now >= t.finaltime) ||
        (t.slidingtime > 0 && c->now >= t.lastused + t.slidingtime + 1))
        return ctx_fail(c, BK_EAUTH, "access token expired");
    if (t.kind != XTOKEN_USER && t.kind != XTOKEN_ROLE)
        return BK_ECORRUPT;
    if (t.holder_id == 0 || (t.kind == XTOKEN_USER && t.user_status != USER_ACTIVE))
        return ctx_fail(c, BK_EAUTH, "access token revoked");
    if (t.kind == XTOKEN_USER) {
        memcpy(c->access.user_token, t.user_token, 37);
        c->access.user_id = t.user_id;
        c->caller = CALLER_USER;
        snprintf(c->who, sizeof c->who, "user:%s", t.user_token);
    } else {
        c->access.role_id = t.role_id;
        snprintf(c->access.role_name, sizeof c->access.role_name, "%s", t.role_name);
        c->caller = CALLER_ROLE;
        snprintf(c->who, sizeof c->who, "role:%.42s", t.role_name);
    }
    c->access.xtoken_id = t.id;
    if (t.slidingtime > 0 && c->now - t.lastused >= touch_every(t.slidingtime)) {
        err = store_access_xtoken_touch(&c->db, c->tenant, t.id, c->now);
        if (err != BK_OK)
            LOG_WARN(c->rid, "auth", "sliding expiry not extended: %s", bk_err_str(err));
    }
    return BK_OK;
}

enum bk_err
xtokens_authenticate(struct ctx *c, const uint8_t hash[KEYS_LEN])
{
    int borrowed = c->db.conn == NULL;
    enum bk_err err = BK_OK;

    if (borrowed)
        err = store_acquire((struct store *)&c->app->store, &c->db);
    if (err == BK_OK)
        err = identify(c, hash);
    if (err != BK_OK) {
        c->caller = CALLER_NONE;
        memset(&c->access, 0, sizeof c->access);
    }
    if (borrowed)
        store_release(&c->db);
    return err;
}

enum bk_err
xtokens_forget_user(struct ctx *c, const struct user_row *user)
{
    enum bk_err err = store_access_xtoken_purge_user(&c->db, c->tenant, user->id);

    if (err == BK_OK)
        err = store_access_member_purge_user(&c->db, c->tenant, user->id);
    return err == BK_ENOTIMPL ? BK_OK : err;
}

enum bk_err
xtokens_sweep(struct ctx *c)
{
    enum bk_err err = store_begin(&c->db, 1);

    if (err != BK_OK)
        return err;
    /* Expired tokens stay an hour, so their holders hear "expired". */
    err = store_access_xtoken_sweep(&c->db, c->tenant, c->now - XTOKENS_EXPIRED_KEEP_S);
    if (err == BK_OK)
        err = store_access_unlock_sweep(&c->db, c->tenant, c->now);
    err = store_end(&c->db, err);
    return err == BK_ENOTIMPL ? BK_OK : err;
}
