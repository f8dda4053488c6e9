/* Formats and writes log lines; escapes anything that could forge a line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum log_level log_threshold = LOG_LEVEL_INFO;

static const char *const level_names[] = { "ERROR", "WARN", "INFO", "DEBUG" };

void
log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(name, level_names[i]) == 0 ||
            (i == 0 && strcasecmp(name, "err") == 0)) {
            log_threshold = (enum log_level)i;
            return;
        }
    }
}

void
log_write(enum log_level lvl, const char *rid, const char *area, const char *fmt, ...)
{
    char msg[1024], line[2200], stamp[32];
    size_t o = 0;
    va_list ap;
    struct tm tm;
    time_t now = time(NULL);

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < sizeof line; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            o += (size_t)snprintf(line + o, sizeof line - o, "\\x%02x", *p);
        } else {
            line[o++] = (char)*p;
        }
    }
    line[o] = '\0';
    fprintf(stderr, "%s %s [%s] %s: %s\n", stamp, level_names[lvl], rid ? rid : "-", area, line);
}
