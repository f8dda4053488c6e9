/* Periods for expirations and retention: core/duration's grammar ("10s",
 * "30m" minutes, "2h", "3d", "1w") plus the longer units the Pro API and
 * the docs use: "M" months (31 days) and "y" years (365 days), e.g. "30d",
 * "6M", "1y". And deadlines: a period from now, or a unix time. Pure. */
#ifndef BK_PERIOD_H
#define BK_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "duration.h"

#define PERIOD_MAX_SECONDS DURATION_MAX_SECONDS

/* The number of seconds <s> (<len> bytes) names: digits, then one unit
 * letter. BK_EINVAL for anything else, for zero, and for more than
 * PERIOD_MAX_SECONDS. */
enum bk_err period_parse(const char *s, size_t len, int64_t *seconds_out);

/* An absolute deadline from <s>: digits alone are a unix time (which must be
 * after <now>), a period is counted from <now>. BK_EINVAL otherwise. */
enum bk_err period_deadline(const char *s, size_t len, int64_t now, int64_t *out);

/* Like period_deadline for the end of a life (a ttl) begun at <now>, a whole second: a period
 * of N seconds ends at now + N + 1, the first second at which the object is refused, so that
 * it lives at least N seconds (see ctx_ttl_end); a unix time is kept as given. */
enum bk_err period_ttl_end(const char *s, size_t len, int64_t now, int64_t *out);

#endif
