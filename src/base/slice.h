/* A borrowed pointer and its length. It owns nothing. */
#ifndef BK_SLICE_H
#define BK_SLICE_H

#include <stddef.h>
#include <string.h>

struct slice {
    const char *ptr;
    size_t len;
};

static inline struct slice
slice_of(const char *s)
{
    struct slice sl = { s, s ? strlen(s) : 0 };
    return sl;
}

static inline int
slice_eq(struct slice a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && memcmp(a.ptr, s, n) == 0;
}

#endif
