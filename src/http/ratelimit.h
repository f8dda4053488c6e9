/* Token buckets keyed by a client's address or access token, kept in this
 * process's memory: with several instances behind a load balancer each
 * enforces its own share. A fixed table; keys that collide share a bucket. */
#ifndef BK_HTTP_RATELIMIT_H
#define BK_HTTP_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

struct ratelimit;

/* A limiter allowing <per_s> requests a second with bursts of <burst> (0:
 * twice <per_s>). *out is NULL when <per_s> is 0 (no limit). */
enum bk_err ratelimit_new(unsigned per_s, unsigned burst, struct ratelimit **out);
void ratelimit_free(struct ratelimit *rl);

/* 1 when a request by <key> (<key_len> bytes, hashed, never stored) may go on
 * at <now_ms>, taking a token; 0 when its bucket is empty. A NULL <rl>
 * allows everything. */
int ratelimit_allow(struct ratelimit *rl, const void *key, size_t key_len, int64_t now_ms);

#endif
