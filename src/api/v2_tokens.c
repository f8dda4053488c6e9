/* /v2 format-preserving tokenization adapters: read and check the body, call
 * core/tokens.c, shape the reply. The spec's tokentype/slidingtime/finaltime
 * and the docs' type/expiration are accepted alike (NOTES.md). */
#include "v2_tokens.h"

#include <string.h>

#include "../base/mem.h"
#include "../core/period.h"
#include "../core/tokens.h"
#include "../vault/secbuf.h"
#include "params.h"

#define V2_TOKENS_HANDLER(name)                                                            \
    static enum bk_err name(struct ctx *c, const struct api_req *req,                      \
                            const struct route_match *m, json_t *body, json_t **reply,     \
                            struct api_reply *raw)

/* "tokentype", or the docs' "type"; both given must agree. */
static enum bk_err
type_param(struct ctx *c, const json_t *obj, enum fptoken_type *out)
{
    static const char bad[] = "bad tokentype: use creditcard or email";
    const char *s = NULL, *d = NULL;
    size_t n = 0, dn = 0;
    enum bk_err err = params_str(c, obj, "tokentype", &s, &n);
    enum bk_err derr = err == BK_OK || err == BK_ENOTFOUND ? params_str(c, obj, "type", &d, &dn)
                                                           : err;

    if (err != BK_OK && err != BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, bad);
    if (derr != BK_OK && derr != BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, bad);
    if (err == BK_ENOTFOUND && derr == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing tokentype");
    if (err == BK_OK && derr == BK_OK && (n != dn || memcmp(s, d, n) != 0))
        return ctx_fail(c, BK_EINVAL, "tokentype and type disagree");
    if (err != BK_OK) {
        s = d;
        n = dn;
    }
    return fptoken_type_parse(s, n, out) == BK_OK ? BK_OK : ctx_fail(c, BK_EINVAL, bad);
}

static enum bk_err
record_param(struct ctx *c, const json_t *obj, struct tokens_new *out)
{
    enum bk_err err = type_param(c, obj, &out->type);

    if (err != BK_OK)
        return err;
    err = params_str(c, obj, "record", &out->record.ptr, &out->record.len);
    if (err == BK_ENOTFOUND || (err == BK_OK && out->record.len == 0))
        return ctx_fail(c, BK_EINVAL, "missing record");
    if (err != BK_OK)
        return ctx_fail(c, BK_EINVAL, "record must be a string");
    return tokens_check(c, out);
}

/* "unique", "slidingtime", "finaltime" and the docs' "expiration" (a
 * lifetime: the same as finaltime, which may not be given with it). */
static enum bk_err
opts_param(struct ctx *c, const json_t *body, struct tokens_opts *o)
{
    const json_t *u = json_object_get(body, "unique");
    const char *s = NULL, *f = NULL;
    size_t len = 0, flen = 0;
    char num[32], fnum[32];
    enum bk_err err;

    memset(o, 0, sizeof *o);
    /* The docs' "Unique Record Support": unique true deduplicates (equal
     * records share one token); without it every call makes a new token. */
    o->fresh = 1;
    if (u != NULL && !json_is_null(u)) {
        if (!json_is_boolean(u))
            return ctx_fail(c, BK_EINVAL, "unique must be true or false");
        o->fresh = !json_is_true(u);
    }
    err = params_expiry(c, body, &o->exp);
    if (err != BK_OK)
        return err;
    err = params_str_or_int(c, body, "expiration", num, sizeof num, &s, &len);
    if (err == BK_OK)
        err = params_str_or_int(c, body, "finaltime", fnum, sizeof fnum, &f, &flen);
    if (err != BK_OK)
        return ctx_fail(c, BK_EINVAL, "bad expiration: give a period such as 30d");
    if (s != NULL && f != NULL)
        return ctx_fail(c, BK_EINVAL, "give finaltime or expiration, not both");
    if (s != NULL && period_ttl_end(s, len, c->now, &o->exp.finaltime) != BK_OK)
        return ctx_fail(c, BK_EINVAL,
                        "bad expiration: give a period such as 30d or a future unix time");
    /* a token's life: a period lives at least that long (params_expiry counted it as a
     * user's deadline, from c->now) */
    if (f != NULL && period_ttl_end(f, flen, c->now, &o->exp.finaltime) != BK_OK)
        return ctx_fail(c, BK_EINVAL,
                        "bad finaltime: give a period such as 1y or a future unix time");
    return BK_OK;
}

V2_TOKENS_HANDLER(v2_token_create)
{
    struct tokens_new rec;
    struct tokens_opts o;
    struct tokens_made made;
    size_t failed_at;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    memset(&made, 0, sizeof made);
    err = record_param(c, body, &rec);
    if (err == BK_OK)
        err = opts_param(c, body, &o);
    if (err == BK_OK)
        err = tokens_create(c, &rec, 1, &o, "TokenCreate", &made, &failed_at);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s, s:s}", "tokenbase", made.base, "tokenuuid", made.uuid);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
token_param(struct ctx *c, const json_t *body, struct slice *out)
{
    enum bk_err err = params_str(c, body, "token", &out->ptr, &out->len);

    if (err == BK_ENOTFOUND || (err == BK_OK && out->len == 0))
        return ctx_fail(c, BK_EINVAL, "missing token");
    if (err != BK_OK)
        return ctx_fail(c, BK_EINVAL, "token must be a string");
    return BK_OK;
}

enum bk_err
v2_tokens_collect(void *arg, const char *uuid, enum fptoken_type type, const char *base,
                  const char *record, size_t record_len)
{
    json_t *o = json_pack("{s:s, s:s, s:s%, s:s}", "tokenuuid", uuid, "tokenbase", base,
                          "record", record, record_len, "tokentype", fptoken_type_name(type));

    if (o == NULL || json_array_append_new(arg, o) != 0)
        return BK_ENOMEM;
    return BK_OK;
}

V2_TOKENS_HANDLER(v2_token_get)
{
    struct slice tok;
    json_t *rows;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = token_param(c, body, &tok);
    if (err != BK_OK)
        return err;
    rows = json_array();
    if (rows == NULL)
        return BK_ENOMEM;
    err = tokens_get(c, tok, v2_tokens_collect, rows);
    if (err == BK_OK && json_array_size(rows) == 1) {
        *reply = json_deep_copy(json_array_get(rows, 0));
        if (*reply == NULL)
            err = BK_ENOMEM;
    } else if (err == BK_OK) {
        err = BK_ECORRUPT;
    }
    json_decref(rows);
    return err;
}

V2_TOKENS_HANDLER(v2_token_delete)
{
    struct slice tok;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = token_param(c, body, &tok);
    if (err == BK_OK)
        err = tokens_delete(c, tok);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
bulk_reply(const struct tokens_new *recs, const struct tokens_made *made, size_t n,
           json_t **reply)
{
    json_t *created = json_array();
    size_t reused = 0;
    enum bk_err err = created ? BK_OK : BK_ENOMEM;

    for (size_t i = 0; i < n && err == BK_OK; i++) {
        json_t *one = json_pack("{s:s, s:s, s:s%}", "tokenbase", made[i].base, "tokenuuid",
                                made[i].uuid, "record", recs[i].record.ptr, recs[i].record.len);

        reused += made[i].reused != 0;
        if (one == NULL || json_array_append_new(created, one) != 0)
            err = BK_ENOMEM;
    }
    if (err == BK_OK)
        *reply = json_pack("{s:o, s:I, s:{s:I, s:I, s:I, s:I}}", "created", created, "num",
                           (json_int_t)n, "summary", "created", (json_int_t)(n - reused),
                           "duplicates", (json_int_t)reused, "errors", (json_int_t)0, "total",
                           (json_int_t)n);
    else
        json_decref(created);
    return err == BK_OK && *reply == NULL ? BK_ENOMEM : err;
}

V2_TOKENS_HANDLER(v2_token_create_bulk)
{
    const json_t *records = json_object_get(body, "records");
    struct tokens_new *recs = NULL;
    struct tokens_made *made = NULL;
    struct tokens_opts o;
    size_t n, failed_at = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    if (records == NULL || json_is_null(records))
        return ctx_fail(c, BK_EINVAL, "missing records");
    if (!json_is_array(records))
        return ctx_fail(c, BK_EINVAL, "records must be an array of {tokentype, record}");
    n = json_array_size(records);
    if (n == 0)
        return ctx_fail(c, BK_EINVAL, "records must not be empty");
    if (n > TOKENS_BULK_MAX)
        return ctx_fail(c, BK_ETOOBIG, "too many records in one call");
    err = opts_param(c, body, &o);
    if (err != BK_OK)
        return err;
    recs = mem_calloc(n, sizeof *recs);
    made = mem_calloc(n, sizeof *made);
    if (recs == NULL || made == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        const json_t *r = json_array_get(records, i);

        c->errmsg = NULL;
        err = json_is_object(r) ? record_param(c, r, &recs[i])
                                : ctx_fail(c, BK_EINVAL, "must be an object");
        if (err != BK_OK)
            ctx_fail_at(c, err, "records", i, "bad record");
    }
    if (err == BK_OK) {
        err = tokens_create(c, recs, n, &o, "TokenCreateBulk", made, &failed_at);
        if (err == BK_EINVAL)
            ctx_fail_at(c, err, "records", failed_at, "bad record");
    }
    if (err == BK_OK)
        err = bulk_reply(recs, made, n, reply);
out:
    if (made != NULL)
        secbuf_wipe(made, n * sizeof *made);
    mem_free(made);
    mem_free(recs);
    return err;
}

enum bk_err
v2_tokens_list_param(struct ctx *c, const json_t *body, struct slice **out, size_t *n_out)
{
    static const char bad[] = "tokens must be an array of token uuids or values";
    const json_t *a = json_object_get(body, "tokens"), *v;
    struct slice *s;
    size_t i, n;

    *out = NULL;
    *n_out = 0;
    if (a == NULL || json_is_null(a))
        return ctx_fail(c, BK_EINVAL, "missing tokens");
    if (!json_is_array(a))
        return ctx_fail(c, BK_EINVAL, bad);
    n = json_array_size(a);
    if (n > TOKENS_LIST_MAX)
        return ctx_fail(c, BK_EINVAL, "too many tokens in one call");
    if (n == 0)
        return BK_OK;
    s = mem_calloc(n, sizeof *s);
    if (s == NULL)
        return BK_ENOMEM;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > FPTOKEN_RECORD_MAX) {
            mem_free(s);
            return ctx_fail(c, BK_EINVAL, bad);
        }
        s[i].ptr = json_string_value(v);
        s[i].len = json_string_length(v);
    }
    *out = s;
    *n_out = n;
    return BK_OK;
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_tokens_routes[] = {
    { "POST", "/v2/TokenCreate", v2_token_create, V2, "TokenCreate" },
    { "POST", "/v2/TokenGet", v2_token_get, V2, "TokenGet" },
    { "POST", "/v2/TokenDelete", v2_token_delete, V2, "TokenDelete" },
    { "POST", "/v2/TokenCreateBulk", v2_token_create_bulk, V2 | ROUTE_BODY_BULK,
      "TokenCreateBulk" },
    { NULL, NULL, NULL, 0, NULL },
};
