/* Pure rules of consent management, without store or keys: which names a
 * legal basis or a processing activity may have, how agreement times and
 * statuses are written by clients, and what status an agreement reports at
 * a given time. */
#ifndef BK_CONSENTVAL_H
#define BK_CONSENTVAL_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

#define CONSENTVAL_NAME_MAX 64

/* 1 when <s> (<len> bytes) is a valid brief or activity name: 1 to 64 of
 * [a-z0-9-]. */
int consentval_name(const char *s, size_t len);

/* A time as clients write it: unix seconds ("1700000000"), a duration from
 * <now> ("45s", "30m", "12h", "10d", "2w", "1y"), or a UTC date
 * "YYYY-MM-DD[THH:MM[:SS]][Z]". "" and "0" are 0 (no time). BK_EINVAL
 * otherwise. */
enum bk_err consentval_time(const char *s, size_t len, int64_t now, int64_t *out);

/* A status as clients write it, as stored: "accept" (accept, yes, agree,
 * active, ok, true, 1) or "cancel" (cancel, no, withdraw, withdrawn,
 * disagree, false, 0). *out is a static string. BK_EINVAL otherwise. */
enum bk_err consentval_status(const char *s, size_t len, const char **out);

/* The status an agreement reports at <now>: an accepted one before its
 * start time is "pending", after its end time "expired"; any other is
 * <stored> as it is. */
const char *consentval_effective(const char *stored, int64_t starttime, int64_t endtime,
                                 int64_t now);

#endif
