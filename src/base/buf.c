/* Capped growable buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

void
buf_init(struct buf *b, size_t max_bytes)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max_bytes = max_bytes;
}

void
buf_cleanup(struct buf *b)
{
    mem_free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

static enum bk_err
reserve(struct buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > b->max_bytes || b->len > b->max_bytes - extra)
        return BK_ETOOBIG;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return BK_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    p = mem_realloc(b->ptr, cap);
    if (p == NULL)
        return BK_ENOMEM;
    b->ptr = p;
    b->cap = cap;
    return BK_OK;
}

enum bk_err
buf_append(struct buf *b, const void *data, size_t n)
{
    enum bk_err err = reserve(b, n);

    if (err != BK_OK)
        return err;
    if (n)
        memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return BK_OK;
}

enum bk_err
buf_append_str(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

enum bk_err
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    enum bk_err err;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return BK_EINTERNAL;
    err = reserve(b, (size_t)n);
    if (err != BK_OK)
        return err;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BK_OK;
}

char *
buf_steal(struct buf *b, size_t *len_out)
{
    char *p = b->ptr;

    if (p == NULL) {
        p = mem_alloc(1);
        if (p != NULL)
            p[0] = '\0';
    }
    if (len_out)
        *len_out = b->len;
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}
