/* One-time-code login and portal sessions. Identities, codes and session
 * tokens are kept only as keyed hashes; an identity that names no user gets
 * a code row of its own (never sent), so prelogin and login answer alike for
 * known and unknown identities. Rate counters live in the store. */
#include "portal.h"

#include <stdio.h>
#include <string.h>

#include "../base/hex.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../store/portal.h"
#include "../vault/aead.h"
#include "../vault/blindidx.h"
#include "../vault/kdf.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "captcha.h"
#include "normalize.h"
#include "sendcode.h"
#include "users.h"

#define KIND_IDENT 72          /* blind-index kinds: users use 1..4, sessions 64 */
#define KIND_IP 80
#define CODE_DIGITS 6
#define CODE_MAX 12
#define CAPTCHA_DIGITS 6
#define CAPTCHA_TTL_S 300
#define SWEEP_BATCH 500
#define DEMO_CODE "4444"

static const char wrong_code[] = "wrong or expired code";

/* Operations a portal session may run; each resolves its target through
 * users.c, which refuses any user but the caller. */
static const char *const self_ops[] = {
    "UserGet",
    "UserUpdate",
    "UserDelete",
    "UserUpdateRequest",
    "UserDeleteRequest",
    "UserRequestListUserRequests",
    "AppdataGet",
    "AppdataListUserAppNames",
    "SessionListUserSessions",
    "AgreementGet",
    "AgreementListUserAgreements",
    "AgreementCancel",
    "AuditListUserEvents",
    "LegalBasisListAgreements",
    "UserLogout",
    "TenantGetUIConf",
    NULL,
};

enum bk_err
portal_authz(struct ctx *c, const char *op)
{
    for (size_t i = 0; op != NULL && self_ops[i] != NULL; i++) {
        if (strcmp(op, self_ops[i]) == 0)
            return BK_OK;
    }
    return ctx_fail(c, BK_EFORBID, "access denied");
}

enum bk_err
portal_identify(struct ctx *c, const uint8_t token_hash[KEYS_LEN])
{
    struct store_conn db;
    char user[37];
    enum bk_err err;

    err = store_acquire((struct store *)&c->app->store, &db);
    if (err != BK_OK)
        return err;
    err = store_begin(&db, 0);
    if (err == BK_OK) {
        err = store_portal_session_get(&db, c->tenant, token_hash, c->now, user);
        store_rollback(&db);
    }
    store_release(&db);
    if (err == BK_ENOTIMPL)
        err = BK_ENOTFOUND;
    if (err != BK_OK)
        return err;
    c->caller = CALLER_PORTAL;
    memcpy(c->self_token, user, sizeof c->self_token);
    snprintf(c->who, sizeof c->who, "user:%.36s", user);
    return BK_OK;
}

/* A checked login identity: its mode and keyed hash. */
struct ident {
    enum user_mode mode;
    char norm[NORMALIZE_MAX + 1];
    size_t norm_len;
    uint8_t hash[STORE_HASH_LEN];
};

static enum bk_err
ident_init(struct ctx *c, const char *mode, size_t mode_len, const char *identity,
           size_t identity_len, struct ident *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    if (mode_len == 5 && memcmp(mode, "email", 5) == 0)
        out->mode = MODE_EMAIL;
    else if (mode_len == 5 && memcmp(mode, "phone", 5) == 0)
        out->mode = MODE_PHONE;
    else
        return ctx_fail(c, BK_EINVAL, "bad mode: use email or phone");
    if (identity == NULL || identity_len == 0)
        return ctx_fail(c, BK_EINVAL, "missing identity");
    err = normalize_identity((enum index_kind)out->mode, identity, identity_len,
                             c->app->conf->default_country, out->norm, &out->norm_len);
    if (err != BK_OK)
        return ctx_fail(c, err == BK_ETOOBIG ? BK_ETOOBIG : BK_EINVAL,
                        out->mode == MODE_EMAIL ? "bad email address" : "bad phone number");
    return blindidx_compute(&c->app->vault, c->tenant, KIND_IDENT + (int)out->mode, out->norm,
                            out->norm_len, out->hash);
}

/* Count this attempt against the identity and the client address, in a
 * transaction of its own so that refused attempts count too. */
static enum bk_err
rate_check(struct ctx *c, const struct ident *id)
{
    const struct conf *cf = c->app->conf;
    const char *ip = c->client_ip ? c->client_ip : "unknown";
    uint8_t iph[STORE_HASH_LEN];
    int64_t n_id = 0, n_ip = 0;
    enum bk_err err;

    err = blindidx_compute(&c->app->vault, c->tenant, KIND_IP, ip, strlen(ip), iph);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_portal_hit(&c->db, c->tenant, id->hash, c->now, cf->login.window_s, &n_id);
    if (err == BK_OK)
        err = store_portal_hit(&c->db, c->tenant, iph, c->now, cf->login.window_s, &n_ip);
    err = store_end(&c->db, err);
    if (err != BK_OK)
        return err;
    if (n_id > (int64_t)cf->login.max_per_identity || n_ip > (int64_t)cf->login.max_per_ip) {
        LOG_INFO(c->rid, "portal", "login rate limited");
        return ctx_fail(c, BK_ELIMIT, "too many login attempts: try again later");
    }
    return BK_OK;
}

static enum bk_err
code_hash(struct ctx *c, const struct ident *id, const char *code, size_t code_len,
          uint8_t out[STORE_HASH_LEN])
{
    char buf[2 * STORE_HASH_LEN + CODE_MAX + 8];
    size_t n = 0;
    enum bk_err err;

    if (code_len > CODE_MAX)
        return BK_EINVAL;
    memcpy(buf, "code:", 5);
    n = 5;
    hex_encode(id->hash, STORE_HASH_LEN, buf + n);
    n += 2 * STORE_HASH_LEN;
    buf[n++] = ':';
    memcpy(buf + n, code, code_len);
    n += code_len;
    err = keys_token_hash(&c->app->vault, buf, n, out);
    secbuf_wipe(buf, sizeof buf);
    return err;
}

/* <n> random decimal digits and a NUL into <out>. */
static enum bk_err
random_digits(char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b;

        do {
            if (kdf_random(&b, 1) != BK_OK)
                return BK_ECRYPTO;
        } while (b >= 250);
        out[i] = (char)('0' + b % 10);
    }
    out[n] = '\0';
    return BK_OK;
}

static int
is_demo_identity(const struct ctx *c, const struct ident *id)
{
    if (!c->app->conf->demo)
        return 0;
    if (id->mode == MODE_PHONE)
        return strcmp(id->norm, "4444") == 0;
    return strcmp(id->norm, "test@securitybunker.io") == 0;
}

static int
digits_only(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

/* The key that seals captcha ids, derived from the token key. */
static enum bk_err
captcha_key(struct ctx *c, uint8_t out[KEYS_LEN])
{
    static const char label[] = "databunker captcha key v1";

    return keys_token_hash(&c->app->vault, label, sizeof label - 1, out);
}

/* The digits of captcha <id>, if it is ours and fresh. */
static enum bk_err
captcha_open(struct ctx *c, const char *id, size_t id_len, char digits[CAPTCHA_DIGITS + 1])
{
    uint8_t box[PORTAL_CAPTCHA_ID_MAX / 2], key[KEYS_LEN], *pt = NULL;
    size_t box_len = 0, pt_len = 0;
    long long when = 0;
    enum bk_err err;

    digits[0] = '\0';
    if (id == NULL || id_len == 0 || id_len > PORTAL_CAPTCHA_ID_MAX ||
        hex_decode(id, id_len, box, sizeof box, &box_len) != BK_OK)
        return BK_ENOTFOUND;
    err = captcha_key(c, key);
    if (err != BK_OK)
        return err;
    err = aead_open(key, "captcha", 7, box, box_len, &pt, &pt_len);
    secbuf_wipe(key, sizeof key);
    if (err != BK_OK)
        return BK_ENOTFOUND;
    if (pt_len > CAPTCHA_DIGITS + 1 && pt[CAPTCHA_DIGITS] == ':' &&
        digits_only((const char *)pt, CAPTCHA_DIGITS)) {
        for (size_t i = CAPTCHA_DIGITS + 1; i < pt_len && pt[i] >= '0' && pt[i] <= '9'; i++)
            when = when * 10 + (pt[i] - '0');
        memcpy(digits, pt, CAPTCHA_DIGITS);
        digits[CAPTCHA_DIGITS] = '\0';
    }
    secbuf_free(pt, pt_len + 1);
    if (digits[0] == '\0' || when > c->now + 5 || when + CAPTCHA_TTL_S < c->now) {
        digits[0] = '\0';
        return BK_ENOTFOUND;
    }
    return BK_OK;
}

enum bk_err
portal_captcha_create(struct ctx *c, char id_out[PORTAL_CAPTCHA_ID_MAX + 1])
{
    char pt[CAPTCHA_DIGITS + 24];
    uint8_t key[KEYS_LEN], *box = NULL;
    size_t box_len = 0;
    int n;
    enum bk_err err;

    id_out[0] = '\0';
    err = random_digits(pt, CAPTCHA_DIGITS);
    if (err != BK_OK)
        return err;
    n = snprintf(pt + CAPTCHA_DIGITS, sizeof pt - CAPTCHA_DIGITS, ":%lld", (long long)c->now);
    err = captcha_key(c, key);
    if (err == BK_OK)
        err = aead_seal(key, "captcha", 7, pt, CAPTCHA_DIGITS + (size_t)n, &box, &box_len);
    secbuf_wipe(key, sizeof key);
    secbuf_wipe(pt, sizeof pt);
    if (err != BK_OK)
        return err;
    if (2 * box_len > PORTAL_CAPTCHA_ID_MAX) {
        mem_free(box);
        return BK_EINTERNAL;
    }
    hex_encode(box, box_len, id_out);
    mem_free(box);
    return BK_OK;
}

enum bk_err
portal_captcha_image(struct ctx *c, const char *id, size_t id_len, uint8_t **png,
                     size_t *png_len)
{
    char digits[CAPTCHA_DIGITS + 1];
    enum bk_err err = captcha_open(c, id, id_len, digits);

    *png = NULL;
    *png_len = 0;
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err != BK_OK)
        return err;
    err = captcha_png(digits, CAPTCHA_DIGITS, (const uint8_t *)id, id_len, png, png_len);
    secbuf_wipe(digits, sizeof digits);
    return err;
}

static enum bk_err
captcha_check(struct ctx *c, const char *answer, size_t answer_len, const char *id, size_t id_len)
{
    char digits[CAPTCHA_DIGITS + 1];
    enum bk_err err;
    int ok;

    if (answer == NULL || id == NULL)
        return ctx_fail(c, BK_EINVAL, "captcha required");
    err = captcha_open(c, id, id_len, digits);
    if (err != BK_OK && err != BK_ENOTFOUND)
        return err;
    ok = err == BK_OK && answer_len == CAPTCHA_DIGITS &&
         secbuf_equal(answer, digits, CAPTCHA_DIGITS);
    secbuf_wipe(digits, sizeof digits);
    return ok ? BK_OK : ctx_fail(c, BK_EINVAL, "wrong captcha");
}

enum bk_err
portal_prelogin(struct ctx *c, const char *mode, size_t mode_len, const char *identity,
                size_t identity_len, const char *captcha_answer, size_t answer_len,
                const char *captcha_id, size_t id_len)
{
    struct ident id;
    struct portal_code_row row;
    struct user_row user;
    struct audit_event ev = { "UserPrelogin", NULL, NULL, NULL, NULL, NULL, NULL, BK_OK, NULL };
    struct user_ref ref;
    char code[CODE_DIGITS + 1];
    int known = 0, demo;
    enum bk_err err;

    memset(&user, 0, sizeof user);
    memset(&row, 0, sizeof row);
    snprintf(c->who, sizeof c->who, "portal");
    err = ident_init(c, mode, mode_len, identity, identity_len, &id);
    if (err == BK_OK)
        err = rate_check(c, &id);
    if (err == BK_OK && c->app->conf->login.captcha)
        err = captcha_check(c, captcha_answer, answer_len, captcha_id, id_len);
    if (err != BK_OK)
        return err;
    demo = is_demo_identity(c, &id);
    if (demo)
        snprintf(code, sizeof code, "%s", DEMO_CODE);
    else if ((err = random_digits(code, CODE_DIGITS)) != BK_OK)
        return err;
    ref.mode = id.mode;
    ref.identity = id.norm;
    ref.identity_len = id.norm_len;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = users_find(c, &ref, &user);
    known = err == BK_OK;
    if (err == BK_ENOTFOUND) {
        c->errmsg = NULL;
        err = BK_OK;
    }
    if (err == BK_OK) {
        memcpy(row.ident_hash, id.hash, STORE_HASH_LEN);
        if (known)
            memcpy(row.user_token, user.token, sizeof row.user_token);
        row.created = c->now;
        row.expires = ctx_ttl_end(c, c->app->conf->login.code_ttl_s);
        row.attempts = 0;
        err = code_hash(c, &id, code, strlen(code), row.code_hash);
    }
    if (err == BK_OK)
        err = store_portal_code_put(&c->db, c->tenant, &row);
    if (err == BK_OK && known) {
        ev.mode = users_mode_name(id.mode);
        ev.record = user.token;
        ev.msg = demo ? "demo code" : "code sent";
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    if (err == BK_OK && known && !demo) {
        enum bk_err serr = id.mode == MODE_EMAIL ? sendcode_email(c->app->conf, id.norm, code)
                                                 : sendcode_sms(c->app->conf, id.norm, code);
        if (serr == BK_ENOTIMPL)
            LOG_WARN(c->rid, "portal", "no %s gateway configured: login code not sent",
                     id.mode == MODE_EMAIL ? "smtp" : "sms");
        else if (serr != BK_OK)
            LOG_WARN(c->rid, "portal", "login code not sent: %s", bk_err_str(serr));
    }
out:
    secbuf_wipe(code, sizeof code);
    store_user_row_cleanup(&user);
    return err;
}

enum bk_err
portal_login(struct ctx *c, const char *mode, size_t mode_len, const char *identity,
             size_t identity_len, const char *code, size_t code_len, char xtoken_out[37],
             char token_out[37])
{
    struct ident id;
    struct portal_code_row row;
    struct user_row user;
    struct user_ref ref;
    struct audit_event ev = { "UserLogin", NULL, NULL, NULL, NULL, NULL, NULL, BK_OK, NULL };
    uint8_t h[STORE_HASH_LEN], th[KEYS_LEN];
    char xtoken[37];
    int good = 0, found;
    enum bk_err err;

    xtoken_out[0] = token_out[0] = '\0';
    memset(&user, 0, sizeof user);
    snprintf(c->who, sizeof c->who, "portal");
    err = ident_init(c, mode, mode_len, identity, identity_len, &id);
    if (err != BK_OK)
        return err;
    if (code == NULL || code_len == 0)
        return ctx_fail(c, BK_EINVAL, "missing code");
    if (!digits_only(code, code_len) || code_len > CODE_MAX)
        return ctx_fail(c, BK_EINVAL, "bad code: digits only");
    err = rate_check(c, &id);
    if (err != BK_OK)
        return err;
    /* computed before looking anything up, so unknown identities cost the same */
    err = code_hash(c, &id, code, code_len, h);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_portal_code_get(&c->db, c->tenant, id.hash, &row);
    found = err == BK_OK;
    if (err == BK_ENOTFOUND) {
        memset(&row, 0, sizeof row);
        err = BK_OK;
    }
    if (err != BK_OK)
        goto fail;
    good = secbuf_equal(h, row.code_hash, STORE_HASH_LEN) && found && row.expires > c->now &&
           row.attempts < (int64_t)c->app->conf->login.max_attempts &&
           row.user_token[0] != '\0';
    if (!good) {
        if (found)
            err = store_portal_code_attempt(&c->db, c->tenant, id.hash);
        if (err == BK_OK && row.user_token[0] != '\0') {
            ev.mode = users_mode_name(id.mode);
            ev.record = row.user_token;
            ev.result = BK_EAUTH;
            ev.msg = wrong_code;
            err = audit_write(c, &ev);
        }
        err = store_end(&c->db, err);
        return err != BK_OK ? err : ctx_fail(c, BK_EAUTH, wrong_code);
    }
    /* the code is used up either way */
    err = store_portal_code_remove(&c->db, c->tenant, id.hash);
    if (err != BK_OK)
        goto fail;
    ref.mode = MODE_TOKEN;
    ref.identity = row.user_token;
    ref.identity_len = strlen(row.user_token);
    err = users_find(c, &ref, &user);
    if (err == BK_ENOTFOUND) {
        /* forgotten since the code was sent */
        err = store_commit(&c->db);
        return err != BK_OK ? err : ctx_fail(c, BK_EAUTH, wrong_code);
    }
    if (err == BK_OK)
        err = keys_uuid(xtoken);
    if (err == BK_OK)
        err = keys_token_hash(&c->app->vault, xtoken, 36, th);
    if (err == BK_OK)
        err = store_portal_session_put(&c->db, c->tenant, th, user.token, c->now,
                                       ctx_ttl_end(c, c->app->conf->login.session_ttl_s));
    if (err == BK_OK) {
        ev.mode = users_mode_name(id.mode);
        ev.record = user.token;
        ev.msg = "portal session opened";
        err = audit_write(c, &ev);
    }
    if (err != BK_OK)
        goto fail;
    err = store_commit(&c->db);
    if (err == BK_OK) {
        memcpy(xtoken_out, xtoken, 37);
        memcpy(token_out, user.token, 37);
    }
    secbuf_wipe(xtoken, sizeof xtoken);
    store_user_row_cleanup(&user);
    return err;
fail:
    store_rollback(&c->db);
    secbuf_wipe(xtoken, sizeof xtoken);
    store_user_row_cleanup(&user);
    return err;
}

enum bk_err
portal_logout(struct ctx *c, const char *xtoken, size_t len)
{
    struct audit_event ev = { "UserLogout", NULL, NULL, NULL, NULL, NULL, NULL, BK_OK, NULL };
    uint8_t th[KEYS_LEN];
    enum bk_err err;

    if (c->caller != CALLER_PORTAL || xtoken == NULL)
        return ctx_fail(c, BK_EINVAL, "only a portal session can log out");
    err = keys_token_hash(&c->app->vault, xtoken, len, th);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_portal_session_remove(&c->db, c->tenant, th);
    if (err == BK_OK) {
        ev.mode = "token";
        ev.record = c->self_token;
        ev.msg = "portal session closed";
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    return err;
}

enum bk_err
portal_forget_user(struct ctx *c, const struct user_row *user)
{
    enum bk_err err = store_portal_delete_user(&c->db, c->tenant, user->token);

    return err == BK_ENOTIMPL ? BK_OK : err;
}

enum bk_err
portal_sweep(struct ctx *c)
{
    int64_t deleted = 0;
    enum bk_err err = store_begin(&c->db, 1);

    if (err != BK_OK)
        return err;
    err = store_portal_purge_expired(&c->db, c->now,
                                     c->now - (int64_t)c->app->conf->login.window_s,
                                     SWEEP_BATCH, &deleted);
    err = store_end(&c->db, err);
    return err == BK_ENOTIMPL ? BK_OK : err;
}
