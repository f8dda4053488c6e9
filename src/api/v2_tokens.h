/* /v2 (Pro RPC) adapters for format-preserving tokenization: TokenCreate,
 * TokenGet, TokenDelete, TokenCreateBulk. BulkListTokens and BulkDeleteTokens
 * live with the other unlock-id listings in v2_bulk.c. */
#ifndef BK_V2_TOKENS_H
#define BK_V2_TOKENS_H

#include "../base/slice.h"
#include "../core/fptoken.h"
#include "route.h"

extern const struct route v2_tokens_routes[];

/* The member "tokens" of <body>: an array of at most TOKENS_LIST_MAX non-empty
 * strings (token uuids or values), borrowed into a new array *out of *n_out
 * slices (mem_free() it; NULL when empty). BK_EINVAL for anything else. */
enum bk_err v2_tokens_list_param(struct ctx *c, const json_t *body, struct slice **out,
                                 size_t *n_out);

/* The reply row of one token: {tokenuuid, tokenbase, record, tokentype},
 * appended to the JSON array <arg> (a core/tokens.h tokens_fn). */
enum bk_err v2_tokens_collect(void *arg, const char *uuid, enum fptoken_type type,
                              const char *base, const char *record, size_t record_len);

#endif
