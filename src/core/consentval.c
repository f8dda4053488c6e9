/* Consent names, times and statuses: parsing only, no I/O. */
#include "consentval.h"

#include <string.h>
#include <time.h>

int
consentval_name(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > CONSENTVAL_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return 0;
    }
    return 1;
}

/* Digits s[*i..] as a number below 10^15; advances *i. 0 when none. */
static int
digits(const char *s, size_t len, size_t *i, size_t max_digits, int64_t *out)
{
    size_t start = *i;
    int64_t v = 0;

    while (*i < len && s[*i] >= '0' && s[*i] <= '9' && *i - start < max_digits) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    *out = v;
    return *i > start;
}

/* "YYYY-MM-DD[THH:MM[:SS]][Z]" in UTC. */
static enum bk_err
parse_date(const char *s, size_t len, int64_t *out)
{
    struct tm tm;
    int64_t y, mo, d, h = 0, mi = 0, sec = 0;
    size_t i = 0;
    time_t t;

    memset(&tm, 0, sizeof tm);
    if (!digits(s, len, &i, 4, &y) || i != 4 || i >= len || s[i++] != '-' ||
        !digits(s, len, &i, 2, &mo) || i != 7 || i >= len || s[i++] != '-' ||
        !digits(s, len, &i, 2, &d) || i != 10)
        return BK_EINVAL;
    if (i < len && (s[i] == 'T' || s[i] == ' ')) {
        i++;
        if (!digits(s, len, &i, 2, &h) || i != 13 || i >= len || s[i++] != ':' ||
            !digits(s, len, &i, 2, &mi) || i != 16)
            return BK_EINVAL;
        if (i < len && s[i] == ':') {
            i++;
            if (!digits(s, len, &i, 2, &sec) || i != 19)
                return BK_EINVAL;
        }
    }
    if (i < len && s[i] == 'Z')
        i++;
    if (i != len || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return BK_EINVAL;
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = (int)(mo - 1);
    tm.tm_mday = (int)d;
    tm.tm_hour = (int)h;
    tm.tm_min = (int)mi;
    tm.tm_sec = (int)sec;
    t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != (int)d)   /* timegm normalizes 31 Feb */
        return BK_EINVAL;
    *out = (int64_t)t;
    return BK_OK;
}

enum bk_err
consentval_time(const char *s, size_t len, int64_t now, int64_t *out)
{
    static const struct { char unit; int64_t secs; } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 },
        { 'y', 365 * 86400 },
    };
    size_t i = 0;
    int64_t n;

    *out = 0;
    if (len == 0)
        return BK_OK;
    if (len >= 10 && s[4] == '-')
        return parse_date(s, len, out);
    if (!digits(s, len, &i, 12, &n))
        return BK_EINVAL;
    if (i == len) {
        *out = n;
        return BK_OK;
    }
    if (i + 1 != len || n > 1000000)
        return BK_EINVAL;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        if (s[i] == units[u].unit) {
            *out = now + n * units[u].secs;
            return BK_OK;
        }
    }
    return BK_EINVAL;
}

static int
word_in(const char *s, size_t len, const char *const *words)
{
    for (size_t i = 0; words[i] != NULL; i++) {
        if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
            return 1;
    }
    return 0;
}

enum bk_err
consentval_status(const char *s, size_t len, const char **out)
{
    static const char *const yes[] = {
        "accept", "accepted", "yes", "agree", "active", "ok", "true", "1", NULL,
    };
    static const char *const no[] = {
        "cancel", "cancelled", "canceled", "no", "withdraw", "withdrawn", "disagree",
        "false", "0", NULL,
    };

    *out = NULL;
    if (word_in(s, len, yes))
        *out = "accept";
    else if (word_in(s, len, no))
        *out = "cancel";
    return *out ? BK_OK : BK_EINVAL;
}

const char *
consentval_effective(const char *stored, int64_t starttime, int64_t endtime, int64_t now)
{
    if (strcmp(stored, "accept") != 0)
        return stored;
    if (endtime > 0 && endtime <= now)
        return "expired";
    if (starttime > now)
        return "pending";
    return stored;
}
