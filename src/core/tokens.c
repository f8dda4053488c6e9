/* Format-preserving tokens: made by core/fptoken.c, sealed under a data key
 * of their own wrapped under the tenant's keys, found by keyed hashes of the
 * token value or the record, expired by time. Never stores or audits a record
 * or a token value in clear. */
#include "tokens.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../store/tokens.h"
#include "../vault/blindidx.h"
#include "../vault/kdf.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "purge.h"
#include "record.h"
#include "users.h"

#define KIND_RECORD 96          /* blind-index kinds: + type for records; users use 1..4, */
#define KIND_BASE 104           /* sessions 64, portal 72.. and 80 */
#define SEAL_KIND "fptoken"
#define BASE_TRIES 16           /* fresh values drawn when one is taken already */
#define CONFLICT_TRIES 3        /* transactions retried after losing a race */

static enum bk_err
rnd(void *arg, void *out, size_t n)
{
    (void)arg;
    return kdf_random(out, n);
}

/* The end of a token's life from its sliding period and final time: refused from that
 * second on; a sliding period of N seconds ends one second late (as ctx_ttl_end), <now>
 * being a truncated second. */
static int64_t
end_of(int64_t sliding, int64_t final, int64_t now)
{
    int64_t end = sliding > 0 ? now + sliding + 1 : 0;

    if (final > 0 && (end == 0 || final < end))
        end = final;
    return end;
}

static int
expired(const struct ctx *c, const struct token_row *row)
{
    return row->expires > 0 && c->now >= row->expires;
}

static size_t
dek_place(const struct ctx *c, const char *uuid, char *p, size_t n)
{
    int w = snprintf(p, n, "tdek:%lld:%s", (long long)c->tenant, uuid);

    return w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
}

/* Open the sealed {"record","tokenbase"} of <row> into *doc (json_decref()). */
static enum bk_err
open_row(struct ctx *c, const struct token_row *row, json_t **doc)
{
    uint8_t dek[KEYS_LEN];
    char p[96];
    enum bk_err err;

    *doc = NULL;
    err = keys_dek_open(ctx_vault(c), p, dek_place(c, row->uuid, p, sizeof p), row->dek,
                        row->dek_len, dek);
    if (err == BK_OK)
        err = record_open(c, dek, SEAL_KIND, row->uuid, 0, row->body, row->body_len, doc);
    secbuf_wipe(dek, sizeof dek);
    if (err == BK_OK && (!json_is_string(json_object_get(*doc, "record")) ||
                         !json_is_string(json_object_get(*doc, "tokenbase")) ||
                         json_string_length(json_object_get(*doc, "tokenbase")) >
                             FPTOKEN_TOKEN_MAX)) {
        json_decref(*doc);
        *doc = NULL;
        err = BK_ECORRUPT;
    }
    if (err != BK_OK && err != BK_ENOMEM) {
        LOG_ERR(c->rid, "tokens", "stored token does not open: %s", bk_err_str(err));
        err = BK_ECORRUPT;
    }
    return err;
}

/* Find the token <tok> names, within the open transaction: a uuid, or else a
 * token value. Expired tokens are BK_ENOTFOUND. */
static enum bk_err
find(struct ctx *c, struct slice tok, struct token_row *out)
{
    uint8_t h[BLINDIDX_LEN];
    enum bk_err err;

    memset(out, 0, sizeof *out);
    if (tok.ptr == NULL || tok.len == 0)
        return ctx_fail(c, BK_EINVAL, "missing token");
    if (tok.len > FPTOKEN_RECORD_MAX)
        return ctx_fail(c, BK_EINVAL, "bad token: too long");
    if (users_token_valid(tok.ptr, tok.len)) {
        char uuid[37];

        for (size_t i = 0; i < 36; i++)
            uuid[i] = (char)tolower((unsigned char)tok.ptr[i]);
        uuid[36] = '\0';
        err = store_tokens_get_uuid(&c->db, c->tenant, uuid, out);
    } else {
        err = blindidx_compute(ctx_vault(c), c->tenant, KIND_BASE, tok.ptr, tok.len, h);
        if (err == BK_OK)
            err = store_tokens_get_base(&c->db, c->tenant, h, out);
    }
    if (err == BK_OK && expired(c, out)) {
        store_token_row_cleanup(out);
        err = BK_ENOTFOUND;
    }
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    return err;
}

static enum bk_err
audit_token(struct ctx *c, const char *action, const char *uuid, const char *msg)
{
    struct audit_event ev = { .action = action, .record = uuid, .msg = msg };

    return audit_write(c, &ev);
}

enum bk_err
tokens_check(struct ctx *c, const struct tokens_new *rec)
{
    char norm[FPTOKEN_RECORD_MAX + 1];
    size_t n;

    if (rec->record.ptr == NULL || rec->record.len == 0)
        return ctx_fail(c, BK_EINVAL, "missing record");
    if (fptoken_normalize(rec->type, rec->record.ptr, rec->record.len, norm, &n) == BK_OK) {
        secbuf_wipe(norm, sizeof norm);
        return BK_OK;
    }
    return ctx_fail(c, BK_EINVAL, rec->type == FPTOKEN_CREDITCARD
                                      ? "bad record: a card number has 12 to 19 digits "
                                        "(spaces and dashes allowed) and passes the Luhn check"
                                      : "bad record: not an email address");
}

/* A record checked and hashed before the transaction. */
struct prepared {
    int has_hash;
    uint8_t hash[BLINDIDX_LEN];
};

static enum bk_err
prepare(struct ctx *c, const struct tokens_new *rec, const struct tokens_opts *o,
        struct prepared *out)
{
    char norm[FPTOKEN_RECORD_MAX + 1];
    size_t n;
    enum bk_err err = tokens_check(c, rec);

    memset(out, 0, sizeof *out);
    if (err != BK_OK || o->fresh)
        return err;
    err = fptoken_normalize(rec->type, rec->record.ptr, rec->record.len, norm, &n);
    if (err == BK_OK)
        err = blindidx_compute(ctx_vault(c), c->tenant, KIND_RECORD + (int)rec->type, norm, n,
                               out->hash);
    secbuf_wipe(norm, sizeof norm);
    out->has_hash = err == BK_OK;
    return err;
}

/* The shared token of an equal record, when there is one that has not
 * expired: its expiry restarted, *found set. An expired one is removed so
 * that a new one can take its place. */
static enum bk_err
reuse(struct ctx *c, const struct prepared *pr, const struct tokens_opts *o, const char *action,
      struct tokens_made *out, int *found)
{
    struct token_row row;
    json_t *doc = NULL;
    int64_t sliding, final;
    enum bk_err err;

    *found = 0;
    err = store_tokens_get_record(&c->db, c->tenant, pr->hash, &row);
    if (err == BK_ENOTFOUND)
        return BK_OK;
    if (err != BK_OK)
        return err;
    if (expired(c, &row)) {
        err = store_tokens_remove(&c->db, c->tenant, row.id);
        store_token_row_cleanup(&row);
        return err;
    }
    err = open_row(c, &row, &doc);
    sliding = o->exp.sliding > 0 ? o->exp.sliding : row.sliding;
    final = o->exp.finaltime > 0 ? o->exp.finaltime : row.final;
    if (err == BK_OK && (sliding > 0 || final > 0))
        err = store_tokens_set_expiry(&c->db, c->tenant, row.id, end_of(sliding, final, c->now),
                                      sliding, final);
    if (err == BK_OK)
        err = audit_token(c, action, row.uuid, "existing token");
    if (err == BK_OK) {
        memcpy(out->uuid, row.uuid, sizeof out->uuid);
        snprintf(out->base, sizeof out->base, "%s",
                 json_string_value(json_object_get(doc, "tokenbase")));
        out->reused = 1;
        *found = 1;
    }
    json_decref(doc);
    store_token_row_cleanup(&row);
    return err;
}

/* A new token for <rec>, within the open transaction. */
static enum bk_err
make(struct ctx *c, const struct tokens_new *rec, const struct prepared *pr,
     const struct tokens_opts *o, const char *action, struct tokens_made *out)
{
    struct token_row row, other;
    uint8_t dek[KEYS_LEN];
    size_t blen = 0;
    char p[96];
    json_t *doc = NULL;
    enum bk_err err;
    int tries;

    memset(&row, 0, sizeof row);
    memset(dek, 0, sizeof dek);
    err = keys_uuid(row.uuid);
    for (tries = 0; err == BK_OK && tries < BASE_TRIES; tries++) {
        err = fptoken_make(rec->type, rec->record.ptr, rec->record.len, rnd, NULL, out->base,
                           &blen);
        if (err == BK_OK)
            err = blindidx_compute(ctx_vault(c), c->tenant, KIND_BASE, out->base, blen,
                                   row.base_hash);
        if (err == BK_OK)
            err = store_tokens_get_base(&c->db, c->tenant, row.base_hash, &other);
        if (err == BK_OK) {
            store_token_row_cleanup(&other);   /* taken: draw another value */
            continue;
        }
        if (err == BK_ENOTFOUND)
            err = BK_OK;
        break;
    }
    if (err == BK_OK && tries == BASE_TRIES)
        err = ctx_fail(c, BK_ECONFLICT, "no free token value for this record: try again");
    if (err != BK_OK)
        goto out;
    row.tenant = c->tenant;
    row.type = (int)rec->type;
    row.has_record_hash = pr->has_hash;
    memcpy(row.record_hash, pr->hash, sizeof row.record_hash);
    row.created = c->now;
    row.sliding = o->exp.sliding;
    row.final = o->exp.finaltime;
    row.expires = end_of(row.sliding, row.final, c->now);
    row.dek = mem_alloc(KEYS_DEK_BOX_LEN);
    doc = json_pack("{s:s%, s:s%}", "record", rec->record.ptr, rec->record.len, "tokenbase",
                    out->base, blen);
    if (row.dek == NULL || doc == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    row.dek_len = KEYS_DEK_BOX_LEN;
    err = keys_dek_new(ctx_vault(c), p, dek_place(c, row.uuid, p, sizeof p), dek, row.dek);
    if (err == BK_OK)
        err = record_seal(c, dek, SEAL_KIND, row.uuid, 0, doc, &row.body, &row.body_len);
    if (err == BK_OK)
        err = store_tokens_insert(&c->db, &row);
    if (err == BK_OK)
        err = audit_token(c, action, row.uuid, fptoken_type_name(rec->type));
    if (err == BK_OK) {
        memcpy(out->uuid, row.uuid, sizeof out->uuid);
        out->reused = 0;
    }
out:
    if (err != BK_OK)
        secbuf_wipe(out->base, sizeof out->base);
    json_decref(doc);
    secbuf_wipe(dek, sizeof dek);
    store_token_row_cleanup(&row);
    return err;
}

static enum bk_err
create_once(struct ctx *c, const struct tokens_new *recs, const struct prepared *pr, size_t n,
            const struct tokens_opts *o, const char *action, struct tokens_made *out,
            size_t *failed_at)
{
    enum bk_err err = store_begin(&c->db, 1);

    for (size_t i = 0; i < n && err == BK_OK; i++) {
        int found = 0;

        if (pr[i].has_hash)
            err = reuse(c, &pr[i], o, action, &out[i], &found);
        if (err == BK_OK && !found)
            err = make(c, &recs[i], &pr[i], o, action, &out[i]);
        if (err != BK_OK)
            *failed_at = i;
    }
    return store_end(&c->db, err);
}

enum bk_err
tokens_create(struct ctx *c, const struct tokens_new *recs, size_t n,
              const struct tokens_opts *o, const char *action, struct tokens_made *out,
              size_t *failed_at)
{
    struct prepared *pr;
    enum bk_err err = BK_OK;

    *failed_at = 0;
    if (n == 0)
        return ctx_fail(c, BK_EINVAL, "records must not be empty");
    if (n > TOKENS_BULK_MAX)
        return ctx_fail(c, BK_ETOOBIG, "too many records in one call");
    pr = mem_calloc(n, sizeof *pr);
    if (pr == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        err = prepare(c, &recs[i], o, &pr[i]);
        if (err != BK_OK)
            *failed_at = i;
    }
    /* Two calls tokenizing one record at once: the loser's insert conflicts
     * on the record hash, and its next attempt finds the winner's token. */
    for (int t = 0; err == BK_OK && t < CONFLICT_TRIES; t++) {
        err = create_once(c, recs, pr, n, o, action, out, failed_at);
        if (err != BK_ECONFLICT || c->errmsg != NULL)
            break;
        err = t + 1 < CONFLICT_TRIES ? BK_OK : ctx_fail(c, BK_ECONFLICT, "token conflict: "
                                                                         "try again");
    }
    if (err != BK_OK)
        for (size_t i = 0; i < n; i++)
            secbuf_wipe(out[i].base, sizeof out[i].base);
    secbuf_wipe(pr, n * sizeof *pr);
    mem_free(pr);
    return err;
}

/* Show <row> to <fn>: open it, and pass its parts. */
static enum bk_err
show(struct ctx *c, const struct token_row *row, tokens_fn fn, void *arg)
{
    json_t *doc = NULL;
    const json_t *rec;
    enum bk_err err = open_row(c, row, &doc);

    if (err != BK_OK)
        return err;
    rec = json_object_get(doc, "record");
    err = fn(arg, row->uuid, (enum fptoken_type)row->type,
             json_string_value(json_object_get(doc, "tokenbase")), json_string_value(rec),
             json_string_length(rec));
    json_decref(doc);
    return err;
}

/* The event of a read of <row>, with the move of its sliding expiration when
 * it has one: committed before the answer, synced lazily (like UserGet). */
static enum bk_err
read_recorded(struct ctx *c, const struct token_row *row)
{
    struct audit_event ev = { .action = "TokenGet", .record = row->uuid };
    enum bk_err err;

    if (row->sliding <= 0)
        return audit_write_alone(c, &ev);
    err = store_begin(&c->db, STORE_WRITE_LAZY);
    if (err != BK_OK)
        return err;
    err = store_tokens_set_expiry(&c->db, c->tenant, row->id,
                                  end_of(row->sliding, row->final, c->now), row->sliding,
                                  row->final);
    if (err == BK_OK)
        err = audit_write(c, &ev);
    err = store_end(&c->db, err);
    return err;
}

enum bk_err
tokens_get(struct ctx *c, struct slice token, tokens_fn fn, void *arg)
{
    struct token_row row;
    enum bk_err err = store_begin(&c->db, 0);

    if (err != BK_OK)
        return err;
    err = find(c, token, &row);
    store_rollback(&c->db);
    /* <fn> fills the caller's answer, which an error after it discards */
    if (err == BK_OK)
        err = show(c, &row, fn, arg);
    if (err == BK_OK)
        err = read_recorded(c, &row);
    store_token_row_cleanup(&row);
    return err;
}

enum bk_err
tokens_delete(struct ctx *c, struct slice token)
{
    struct token_row row;
    enum bk_err err = store_begin(&c->db, 1);

    if (err != BK_OK)
        return err;
    err = find(c, token, &row);
    if (err == BK_OK)
        err = store_tokens_remove(&c->db, c->tenant, row.id);
    if (err == BK_OK)
        err = audit_token(c, "TokenDelete", row.uuid, NULL);
    err = store_end(&c->db, err);
    store_token_row_cleanup(&row);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    return err;
}

/* Run <each> on every token <toks> name that exists, in one write
 * transaction, with an audit event each. */
static enum bk_err
for_each(struct ctx *c, const struct slice *toks, size_t n, const char *action,
         enum bk_err (*each)(struct ctx *c, const struct token_row *row, void *arg), void *arg)
{
    enum bk_err err;

    if (n > TOKENS_LIST_MAX)
        return ctx_fail(c, BK_EINVAL, "too many tokens in one call");
    err = store_begin(&c->db, 1);
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        struct token_row row;

        err = find(c, toks[i], &row);
        if (err == BK_ENOTFOUND) {
            c->errmsg = NULL;
            err = BK_OK;
            continue;
        }
        if (err == BK_OK)
            err = each(c, &row, arg);
        if (err == BK_OK)
            err = audit_token(c, action, row.uuid, NULL);
        store_token_row_cleanup(&row);
    }
    return store_end(&c->db, err);
}

struct show_arg {
    tokens_fn fn;
    void *arg;
};

static enum bk_err
list_one(struct ctx *c, const struct token_row *row, void *arg)
{
    struct show_arg *s = arg;

    return show(c, row, s->fn, s->arg);
}

enum bk_err
tokens_list(struct ctx *c, const struct slice *toks, size_t n, const char *action, tokens_fn fn,
            void *arg)
{
    struct show_arg s = { fn, arg };

    return for_each(c, toks, n, action, list_one, &s);
}

static enum bk_err
delete_one(struct ctx *c, const struct token_row *row, void *arg)
{
    enum bk_err err = store_tokens_remove(&c->db, c->tenant, row->id);

    if (err == BK_OK)
        (*(int64_t *)arg)++;
    return err;
}

enum bk_err
tokens_delete_many(struct ctx *c, const struct slice *toks, size_t n, const char *action,
                   int64_t *deleted)
{
    enum bk_err err;

    *deleted = 0;
    err = for_each(c, toks, n, action, delete_one, deleted);
    if (err != BK_OK)
        *deleted = 0;
    return err;
}

enum bk_err
tokens_sweep(struct ctx *c)
{
    return purge_expired(c, store_tokens_purge_expired, "tokens");
}
