/* Time periods as the configuration and the APIs write them: "30d", "1y",
 * "2s". Units: s seconds, h hours, d days, w weeks, m or M months (31 days,
 * as the released server counts them), y years (365 days). Pure functions. */
#ifndef BK_PERIOD_H
#define BK_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

#define PERIOD_MAX_SECONDS ((int64_t)200 * 365 * 86400)

/* The number of seconds <s> (<len> bytes) names: digits, then one unit
 * letter. BK_EINVAL for anything else, for zero, and for more than
 * PERIOD_MAX_SECONDS. */
enum bk_err period_parse(const char *s, size_t len, int64_t *seconds_out);

/* An absolute deadline from <s>: digits alone are a unix time (which must be
 * after <now>), a period is counted from <now>. BK_EINVAL otherwise. */
enum bk_err period_deadline(const char *s, size_t len, int64_t now, int64_t *out);

#endif
