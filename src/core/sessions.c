/* The session service: find by keyed hash of the id, seal under the tied
 * user's key or the session's own wrapped key, check expiry on every read,
 * audit every call in its transaction. */
#include "sessions.h"

#include <stdio.h>
#include <string.h>

#include "../base/hex.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../store/sessions.h"
#include "../vault/blindidx.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "duration.h"
#include "purge.h"
#include "record.h"

#define SID_KIND 64              /* blind-index kind of session ids; users use 1..4 */

/* A session id checked and hashed. */
struct sid {
    const char *p;
    size_t len;
    uint8_t hash[STORE_HASH_LEN];
    char hex[2 * STORE_HASH_LEN + 1];
};

int
sessions_id_valid(const char *sid, size_t len)
{
    if (sid == NULL || len == 0 || len > SESSIONS_ID_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = sid[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.' || ch == '~'))
            return 0;
    }
    return 1;
}

enum bk_err
sessions_duration(struct ctx *c, const json_t *v, const char *what, int64_t *out)
{
    static const char *const msgs[][2] = {
        { "expiration", "bad expiration: use a number and s, m, h, d or w, e.g. \"3d\"" },
        { "slidingtime", "bad slidingtime: use a number and s, m, h, d or w, e.g. \"30m\"" },
        { "finaltime", "bad finaltime: use a number and s, m, h, d or w, e.g. \"7d\"" },
    };
    const char *msg = msgs[0][1];

    *out = 0;
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        if (strcmp(msgs[i][0], what) == 0)
            msg = msgs[i][1];
    }
    if (v == NULL || json_is_null(v))
        return BK_OK;
    if (!json_is_string(v) ||
        duration_parse(json_string_value(v), json_string_length(v), out) != BK_OK) {
        *out = 0;
        return ctx_fail(c, BK_EINVAL, msg);
    }
    return BK_OK;
}

static enum bk_err
sid_init(struct ctx *c, const char *p, size_t len, struct sid *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    if (!sessions_id_valid(p, len))
        return ctx_fail(c, BK_EINVAL, "bad session id");
    out->p = p;
    out->len = len;
    err = blindidx_compute(ctx_vault(c), c->tenant, SID_KIND, p, len, out->hash);
    if (err == BK_OK)
        hex_encode(out->hash, sizeof out->hash, out->hex);
    return err;
}

static size_t
own_key_place(const struct ctx *c, const char *hex, char *p, size_t n)
{
    int w = snprintf(p, n, "sdek:%lld:%s", (long long)c->tenant, hex);

    return w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
}

/* The key that opens <row>: the tied user's data key (the user row goes to
 * <user>) or the session's own. BK_ENOTFOUND when the tied user is gone. */
static enum bk_err
row_key(struct ctx *c, const struct session_row *row, struct user_row *user,
        uint8_t dek[KEYS_LEN])
{
    char hex[2 * STORE_HASH_LEN + 1], p[128];
    enum bk_err err;

    memset(user, 0, sizeof *user);
    if (row->user_token[0] != '\0') {
        err = store_user_by_token(&c->db, c->tenant, row->user_token, user);
        if (err == BK_OK && user->status != USER_ACTIVE)
            err = BK_ENOTFOUND;
        if (err == BK_OK)
            err = record_dek(c, user, dek);
        return err;
    }
    if (row->dek == NULL)
        return BK_ECORRUPT;
    hex_encode(row->sid_hash, STORE_HASH_LEN, hex);
    return keys_dek_open(ctx_vault(c), p, own_key_place(c, hex, p, sizeof p), row->dek,
                         row->dek_len, dek);
}

/* Open the sealed {"id","data"} of <row> with <dek>; *doc_out is new. */
static enum bk_err
open_doc(struct ctx *c, const struct session_row *row, const uint8_t dek[KEYS_LEN],
         json_t **doc_out)
{
    char hex[2 * STORE_HASH_LEN + 1];
    json_t *doc = NULL;
    enum bk_err err;

    *doc_out = NULL;
    hex_encode(row->sid_hash, STORE_HASH_LEN, hex);
    err = record_open(c, dek, "session", hex, row->version, row->body, row->body_len, &doc);
    if (err == BK_OK && (!json_is_string(json_object_get(doc, "id")) ||
                         !json_is_object(json_object_get(doc, "data"))))
        err = BK_ECORRUPT;
    if (err != BK_OK) {
        json_decref(doc);
        LOG_ERR(c->rid, "sessions", "stored session does not open: %s", bk_err_str(err));
        return BK_ECORRUPT;
    }
    *doc_out = doc;
    return BK_OK;
}

/* open_doc() of the row found for the id <sid>: its sealed id must be <sid>. */
static enum bk_err
open_own(struct ctx *c, const struct session_row *row, const uint8_t dek[KEYS_LEN],
         const char *sid, size_t sid_len, json_t **doc_out)
{
    const json_t *id;
    enum bk_err err = open_doc(c, row, dek, doc_out);

    if (err != BK_OK)
        return err;
    id = json_object_get(*doc_out, "id");
    if (json_string_length(id) != sid_len || memcmp(json_string_value(id), sid, sid_len) != 0) {
        json_decref(*doc_out);
        *doc_out = NULL;
        return BK_ECORRUPT;
    }
    return BK_OK;
}

/* The policy cap in seconds, 0 when unset. */
static enum bk_err
retention_cap(struct ctx *c, int64_t *out)
{
    const char *s = c->app->conf->max_session_retention_period;

    *out = 0;
    if (s == NULL || s[0] == '\0')
        return BK_OK;
    if (duration_parse(s, strlen(s), out) != BK_OK) {
        LOG_ERR(c->rid, "sessions", "policy.max_session_retention_period does not parse");
        return ctx_fail(c, BK_EINTERNAL, "bad policy.max_session_retention_period");
    }
    return BK_OK;
}

/* Expiry and deadline of a write at c->now, given the live row (or NULL). */
static void
times_apply(struct ctx *c, const struct session_times *t, int64_t cap,
            const struct session_row *live, struct session_row *row)
{
    row->created = live ? live->created : c->now;
    /* ends one second late, as ctx_ttl_end: c->now and created are truncated seconds */
    row->final = t->final_ttl ? row->created + t->final_ttl + 1 : live ? live->final : 0;
    row->expires = ctx_ttl_end(c, t->ttl ? t->ttl : SESSIONS_DEFAULT_TTL_SECONDS);
    if (row->final != 0 && row->expires > row->final)
        row->expires = row->final;
    if (cap != 0 && row->expires > ctx_ttl_end(c, cap))
        row->expires = ctx_ttl_end(c, cap);
    row->updated = c->now;
}

/* Seal <data> into <row> under a fresh own key (untied) or <user>'s key. */
static enum bk_err
seal_row(struct ctx *c, const struct sid *s, const struct user_row *user,
         const json_t *data, uint8_t dek[KEYS_LEN], struct session_row *row)
{
    char p[128];
    json_t *doc;
    enum bk_err err;

    if (user != NULL) {
        memcpy(row->user_token, user->token, sizeof row->user_token);
        err = record_dek(c, user, dek);
    } else {
        row->user_token[0] = '\0';
        row->dek = mem_alloc(KEYS_DEK_BOX_LEN);
        if (row->dek == NULL)
            return BK_ENOMEM;
        row->dek_len = KEYS_DEK_BOX_LEN;
        err = keys_dek_new(ctx_vault(c), p, own_key_place(c, s->hex, p, sizeof p), dek,
                           row->dek);
    }
    if (err != BK_OK)
        return err == BK_ENOTFOUND ? BK_ECORRUPT : err;
    doc = json_pack("{s:s%, s:O}", "id", s->p, s->len, "data", (json_t *)data);
    if (doc == NULL)
        return BK_ENOMEM;
    err = record_seal(c, dek, "session", s->hex, row->version, doc, &row->body, &row->body_len);
    json_decref(doc);
    return err;
}

static enum bk_err
upsert(struct ctx *c, const struct sid *s, const struct user_ref *ref, const json_t *data,
       const struct session_times *t, const char *action)
{
    struct session_row old, row;
    struct user_row user;
    uint8_t dek[KEYS_LEN];
    char *ident = NULL;
    struct audit_event ev = { .action = action, .mode = "session" };
    int found = 0, live = 0, tied = 0;
    int64_t cap = 0;
    enum bk_err err;

    memset(&old, 0, sizeof old);
    memset(&row, 0, sizeof row);
    memset(&user, 0, sizeof user);
    memset(dek, 0, sizeof dek);
    if (!json_is_object(data))
        return ctx_fail(c, BK_EINVAL, "session data must be a JSON object");
    err = retention_cap(c, &cap);
    if (err != BK_OK)
        return err;
    if (ref != NULL) {
        ident = mem_strndup(ref->identity, ref->identity_len);
        if (ident == NULL)
            return BK_ENOMEM;
        ev.mode = users_mode_name(ref->mode);
        ev.identity = ident;
    }
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = store_sessions_get(&c->db, c->tenant, s->hash, &old);
    if (err == BK_OK) {
        found = 1;
        live = old.expires > c->now;
    } else if (err == BK_ENOTFOUND) {
        err = BK_OK;
    }
    if (err == BK_OK && ref != NULL) {
        err = users_find(c, ref, &user);
        tied = err == BK_OK;
    } else if (err == BK_OK && live && old.user_token[0] != '\0') {
        err = store_user_by_token(&c->db, c->tenant, old.user_token, &user);
        if (err == BK_OK && user.status != USER_ACTIVE)
            err = BK_ENOTFOUND;
        if (err == BK_ENOTFOUND)
            err = BK_ECORRUPT;   /* forgetting the user removes their sessions */
        tied = err == BK_OK;
    }
    if (err == BK_OK) {
        memcpy(row.sid_hash, s->hash, sizeof row.sid_hash);
        row.tenant = c->tenant;
        row.version = (found ? old.version : 0) + 1;
        times_apply(c, t, cap, live ? &old : NULL, &row);
        err = seal_row(c, s, tied ? &user : NULL, data, dek, &row);
    }
    if (err == BK_OK)
        err = store_sessions_put(&c->db, &row);
    if (err == BK_OK) {
        ev.record = row.user_token;
        ev.dek = tied ? dek : NULL;
        ev.after = data;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
out:
    secbuf_wipe(dek, sizeof dek);
    store_session_row_cleanup(&old);
    store_session_row_cleanup(&row);
    store_user_row_cleanup(&user);
    mem_free(ident);
    return err;
}

enum bk_err
sessions_upsert(struct ctx *c, const char *sid, size_t sid_len, const struct user_ref *ref,
                const json_t *data, const struct session_times *t, const char *action)
{
    struct sid s;
    enum bk_err err = sid_init(c, sid, sid_len, &s);

    return err == BK_OK ? upsert(c, &s, ref, data, t, action) : err;
}

enum bk_err
sessions_create(struct ctx *c, const struct user_ref *ref, const json_t *data,
                const struct session_times *t, char sid_out[37])
{
    char sid[37];
    enum bk_err err = keys_uuid(sid);

    sid_out[0] = '\0';
    if (err == BK_OK)
        err = sessions_upsert(c, sid, 36, ref, data, t, "SessionUpsert");
    if (err == BK_OK)
        memcpy(sid_out, sid, sizeof sid);
    return err;
}

void
sessions_view_cleanup(struct session_view *v)
{
    json_decref(v->data);
    v->data = NULL;
}

/* Find the live row of <s> in the open transaction; "not found" otherwise. */
static enum bk_err
find_live(struct ctx *c, const struct sid *s, struct session_row *row)
{
    enum bk_err err = store_sessions_get(&c->db, c->tenant, s->hash, row);

    if (err == BK_OK && row->expires <= c->now) {
        store_session_row_cleanup(row);
        err = BK_ENOTFOUND;
    }
    return err == BK_ENOTFOUND ? ctx_fail(c, err, "not found") : err;
}

enum bk_err
sessions_get(struct ctx *c, const char *sid, size_t sid_len, struct session_view *out)
{
    struct sid s;
    struct session_row row;
    struct user_row user;
    uint8_t dek[KEYS_LEN];
    json_t *doc = NULL;
    struct audit_event ev = { .action = "SessionGet", .mode = "session" };
    enum bk_err err;

    memset(out, 0, sizeof *out);
    memset(&row, 0, sizeof row);
    memset(&user, 0, sizeof user);
    memset(dek, 0, sizeof dek);
    err = sid_init(c, sid, sid_len, &s);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        return err;
    err = find_live(c, &s, &row);
    if (err == BK_OK) {
        err = row_key(c, &row, &user, dek);
        if (err == BK_ENOTFOUND)
            err = ctx_fail(c, err, "not found");
    }
    if (err == BK_OK)
        err = open_own(c, &row, dek, sid, sid_len, &doc);
    if (err == BK_OK) {
        ev.record = row.user_token;
        ev.dek = row.user_token[0] != '\0' ? dek : NULL;
    }
    err = audit_read_end(c, err, &ev);
    if (err == BK_OK) {
        out->sid = sid;
        out->when = row.created;
        out->expires = row.expires;
        out->data = json_incref(json_object_get(doc, "data"));
    }
    json_decref(doc);
    secbuf_wipe(dek, sizeof dek);
    store_session_row_cleanup(&row);
    store_user_row_cleanup(&user);
    return err;
}

enum bk_err
sessions_delete(struct ctx *c, const char *sid, size_t sid_len)
{
    struct sid s;
    struct session_row row;
    struct audit_event ev = { .action = "SessionDelete", .mode = "session" };
    enum bk_err err;

    memset(&row, 0, sizeof row);
    err = sid_init(c, sid, sid_len, &s);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = find_live(c, &s, &row);
    if (err == BK_OK)
        err = store_sessions_remove(&c->db, c->tenant, s.hash);
    if (err == BK_OK) {
        ev.record = row.user_token;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    store_session_row_cleanup(&row);
    return err;
}

struct list_state {
    struct ctx *c;
    const uint8_t *dek;
    sessions_view_fn fn;
    void *arg;
    int64_t total;
};

static enum bk_err
list_row(void *arg, const struct session_row *row)
{
    struct list_state *ls = arg;
    struct session_view v;
    json_t *doc = NULL;
    enum bk_err err = open_doc(ls->c, row, ls->dek, &doc);

    if (err != BK_OK)
        return err;
    v.sid = json_string_value(json_object_get(doc, "id"));
    v.when = row->created;
    v.expires = row->expires;
    v.data = json_object_get(doc, "data");
    err = ls->fn(ls->arg, &v);
    json_decref(doc);
    ls->total++;
    return err;
}

enum bk_err
sessions_list_user(struct ctx *c, const struct user_ref *ref, sessions_view_fn fn, void *arg,
                   int64_t *total)
{
    struct user_row user;
    uint8_t dek[KEYS_LEN];
    struct list_state ls = { .c = c, .dek = dek, .fn = fn, .arg = arg };
    char *ident = mem_strndup(ref->identity, ref->identity_len);
    struct audit_event ev = { .action = "SessionListUserSessions",
                              .mode = users_mode_name(ref->mode) };
    enum bk_err err;

    *total = 0;
    memset(&user, 0, sizeof user);
    memset(dek, 0, sizeof dek);
    if (ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        goto out;
    err = users_find(c, ref, &user);
    if (err == BK_OK) {
        err = record_dek(c, &user, dek);
        if (err == BK_ENOTFOUND)
            err = BK_ECORRUPT;
    }
    if (err == BK_OK)
        err = store_sessions_list_user(&c->db, c->tenant, user.token, c->now, list_row, &ls);
    if (err == BK_OK) {
        ev.record = user.token;
        ev.identity = ident;
        ev.dek = dek;
    }
    err = audit_read_end(c, err, &ev);
    if (err == BK_OK)
        *total = ls.total;
out:
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&user);
    mem_free(ident);
    return err;
}

static enum bk_err
report_one(void *arg, const struct session_view *v)
{
    json_t *o = json_pack("{s:s, s:I, s:I, s:O}", "sessionuuid", v->sid, "when",
                          (json_int_t)v->when, "expires", (json_int_t)v->expires, "data",
                          v->data);

    if (o == NULL || json_array_append_new(arg, o) != 0)
        return BK_ENOMEM;
    return BK_OK;
}

enum bk_err
sessions_report(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
                json_t **out)
{
    struct list_state ls = { .c = c, .dek = dek, .fn = report_one };
    json_t *rows = json_array();
    enum bk_err err;

    *out = NULL;
    if (rows == NULL)
        return BK_ENOMEM;
    ls.arg = rows;
    err = store_sessions_list_user(&c->db, c->tenant, user->token, c->now, list_row, &ls);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    *out = rows;
    return BK_OK;
}

enum bk_err
sessions_read_tied(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
                   const char *sid, size_t sid_len, json_t **data_out)
{
    struct sid s;
    struct session_row row;
    json_t *doc = NULL;
    enum bk_err err;

    *data_out = NULL;
    memset(&row, 0, sizeof row);
    err = sid_init(c, sid, sid_len, &s);
    if (err == BK_OK)
        err = store_sessions_get(&c->db, c->tenant, s.hash, &row);
    if (err == BK_OK &&
        (row.expires <= c->now || strcmp(row.user_token, user->token) != 0))
        err = BK_ENOTFOUND;
    if (err == BK_OK)
        err = open_own(c, &row, dek, sid, sid_len, &doc);
    if (err == BK_OK)
        *data_out = json_incref(json_object_get(doc, "data"));
    json_decref(doc);
    store_session_row_cleanup(&row);
    return err;
}

enum bk_err
sessions_forget_user(struct ctx *c, const struct user_row *user)
{
    return store_sessions_delete_user(&c->db, c->tenant, user->token);
}

enum bk_err
sessions_sweep(struct ctx *c)
{
    return purge_expired(c, store_sessions_purge_expired, "sessions");
}
