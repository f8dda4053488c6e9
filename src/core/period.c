/* Periods: core/duration plus months and years, parsed without sscanf or atoi. */
#include "period.h"

/* The units core/duration does not know. */
static int64_t
long_unit_seconds(char u)
{
    switch (u) {
    case 'M': return 31 * 86400;
    case 'y': return 365 * 86400;
    default:  return 0;
    }
}

/* Digits only, at most 12 of them, into *out. */
static int
digits(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;

    if (len == 0 || len > 12)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

enum bk_err
period_parse(const char *s, size_t len, int64_t *seconds_out)
{
    int64_t n, unit;

    *seconds_out = 0;
    if (s == NULL || len < 2)
        return BK_EINVAL;
    if (duration_parse(s, len, seconds_out) == BK_OK)
        return BK_OK;
    *seconds_out = 0;
    unit = long_unit_seconds(s[len - 1]);
    if (unit == 0 || !digits(s, len - 1, &n) || n == 0 || n > PERIOD_MAX_SECONDS / unit)
        return BK_EINVAL;
    *seconds_out = n * unit;
    return BK_OK;
}

enum bk_err
period_deadline(const char *s, size_t len, int64_t now, int64_t *out)
{
    int64_t v;

    *out = 0;
    if (s == NULL || len == 0)
        return BK_EINVAL;
    if (digits(s, len, &v)) {
        if (v <= now)
            return BK_EINVAL;
        *out = v;
        return BK_OK;
    }
    if (period_parse(s, len, &v) != BK_OK)
        return BK_EINVAL;
    *out = now + v;
    return BK_OK;
}

enum bk_err
period_ttl_end(const char *s, size_t len, int64_t now, int64_t *out)
{
    int64_t v;

    if (s != NULL && len > 0 && !digits(s, len, &v) && period_parse(s, len, &v) == BK_OK) {
        *out = now + v + 1;
        return BK_OK;
    }
    return period_deadline(s, len, now, out);
}
