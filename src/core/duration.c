/* Duration strings to seconds, refusing anything not exactly <digits><unit>. */
#include "duration.h"

static int64_t
unit_seconds(char u)
{
    switch (u) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    case 'w': return 7 * 86400;
    default:  return 0;
    }
}

enum bk_err
duration_parse(const char *s, size_t len, int64_t *seconds_out)
{
    int64_t n = 0, unit;

    *seconds_out = 0;
    if (s == NULL || len < 2)
        return BK_EINVAL;
    unit = unit_seconds(s[len - 1]);
    if (unit == 0)
        return BK_EINVAL;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return BK_EINVAL;
        n = n * 10 + (s[i] - '0');
        if (n > DURATION_MAX_SECONDS)
            return BK_EINVAL;
    }
    if (n == 0 || n > DURATION_MAX_SECONDS / unit)
        return BK_EINVAL;
    *seconds_out = n * unit;
    return BK_OK;
}
