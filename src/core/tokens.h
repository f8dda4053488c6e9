/* Format-preserving tokenization (TokenCreate, TokenGet, TokenDelete,
 * TokenCreateBulk, BulkListTokens, BulkDeleteTokens). A token stands for one
 * record (a card number or an email address) and belongs to the tenant, not
 * to a user: the record is sealed under the token's own data key, wrapped
 * under the tenant's keys, and found by keyed hashes of the token value and,
 * for shared tokens, of the record. Every call writes audit events naming the
 * token uuid only. */
#ifndef BK_TOKENS_H
#define BK_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/slice.h"
#include "ctx.h"
#include "expiration-t.h"
#include "fptoken.h"

#define TOKENS_BULK_MAX 10000   /* records in one TokenCreateBulk */
#define TOKENS_LIST_MAX 1000    /* tokens in one BulkListTokens or BulkDeleteTokens */

/* How new tokens are made. */
struct tokens_opts {
    int fresh;                  /* 1: a new token on every call; 0: records equal after
                                   normalization share one token */
    struct expiry_req exp;      /* sliding seconds and finaltime (unix); 0: none */
};

/* One record to tokenize (borrowed). */
struct tokens_new {
    enum fptoken_type type;
    struct slice record;
};

/* A token made or found for a record. */
struct tokens_made {
    char uuid[37];
    char base[FPTOKEN_TOKEN_MAX + 1];
    int reused;                 /* 1: an existing shared token of an equal record */
};

/* A token shown to the caller: its record borrowed for the call only. */
typedef enum bk_err (*tokens_fn)(void *arg, const char *uuid, enum fptoken_type type,
                                 const char *base, const char *record, size_t record_len);

/* BK_OK when <rec>'s record is valid for its type (fptoken_normalize()),
 * else BK_EINVAL with a message naming what is wrong. */
enum bk_err tokens_check(struct ctx *c, const struct tokens_new *rec);

/* Tokenize the <n> records <recs> (1..TOKENS_BULK_MAX) in one transaction:
 * all or nothing. <out> receives <n> results in order. <action> names the
 * audit events ("TokenCreate", "TokenCreateBulk"). A record its type refuses
 * is BK_EINVAL with *failed_at its index, before anything is written. A shared
 * token found again gets the new request's expiry, or, without one, its
 * sliding period restarted. */
enum bk_err tokens_create(struct ctx *c, const struct tokens_new *recs, size_t n,
                          const struct tokens_opts *o, const char *action,
                          struct tokens_made *out, size_t *failed_at);

/* The token <token> names (its uuid or its value): <fn> sees it once. A read
 * moves a sliding expiry on. BK_ENOTFOUND ("not found") when there is none or
 * it has expired; BK_EINVAL for an empty or over-long <token>. */
enum bk_err tokens_get(struct ctx *c, struct slice token, tokens_fn fn, void *arg);

/* Delete the token <token> names; BK_ENOTFOUND as tokens_get. */
enum bk_err tokens_delete(struct ctx *c, struct slice token);

/* The tokens <toks> (<n>, uuids or values) name, in order, one audit event
 * each; unknown and expired ones are left out. <action> names the events. */
enum bk_err tokens_list(struct ctx *c, const struct slice *toks, size_t n, const char *action,
                        tokens_fn fn, void *arg);

/* Delete the tokens <toks> name in one transaction; *deleted counts those
 * that existed (unknown and expired ones are skipped). */
enum bk_err tokens_delete_many(struct ctx *c, const struct slice *toks, size_t n,
                               const char *action, int64_t *deleted);

/* The sweep (core/sweeper.c): remove expired tokens of every tenant. */
enum bk_err tokens_sweep(struct ctx *c);

#endif
