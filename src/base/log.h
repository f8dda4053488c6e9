/* One-line log records on stderr. Levels are tested before formatting; text
 * that came from a client must be passed through log_escape() first. Never
 * log secrets or personal data: tokens appear as a short hash prefix. */
#ifndef BK_LOG_H
#define BK_LOG_H

#include <stddef.h>

enum log_level { LOG_LEVEL_ERR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

extern enum log_level log_threshold;

/* Write one line "<time> <LEVEL> [<rid>] <area>: <message>". <rid> may be NULL.
 * CR, LF and control bytes in the formatted message are escaped. */
void log_write(enum log_level lvl, const char *rid, const char *area, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set the threshold from a name (error, warn, info, debug); unknown names are ignored. */
void log_set_level(const char *name);

#define LOG_AT(lvl, rid, area, ...)                                   \
    do {                                                              \
        if ((lvl) <= log_threshold)                                   \
            log_write((lvl), (rid), (area), __VA_ARGS__);             \
    } while (0)
#define LOG_ERR(rid, area, ...)   LOG_AT(LOG_LEVEL_ERR, rid, area, __VA_ARGS__)
#define LOG_WARN(rid, area, ...)  LOG_AT(LOG_LEVEL_WARN, rid, area, __VA_ARGS__)
#define LOG_INFO(rid, area, ...)  LOG_AT(LOG_LEVEL_INFO, rid, area, __VA_ARGS__)
#define LOG_DEBUG(rid, area, ...) LOG_AT(LOG_LEVEL_DEBUG, rid, area, __VA_ARGS__)

#endif
