/* Durations as the API and the configuration write them: a positive decimal
 * count and one unit letter, "10s", "30m", "2h", "3d", "1w". Pure; no I/O. */
#ifndef BK_DURATION_H
#define BK_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

/* The longest duration accepted: 100 years of 365 days, in seconds. */
#define DURATION_MAX_SECONDS ((int64_t)100 * 365 * 86400)

/* Parse <s> (<len> bytes, no NUL needed) into seconds. Units: s seconds,
 * m minutes, h hours, d days, w weeks. Refused with BK_EINVAL: empty, a
 * missing or unknown unit, a sign, spaces, leading "+", more than one unit,
 * a count of zero, or more than DURATION_MAX_SECONDS. */
enum bk_err duration_parse(const char *s, size_t len, int64_t *seconds_out);

#endif
