/* A growable byte buffer with a hard cap: appends past the cap fail with
 * BK_ETOOBIG and leave the buffer as it was. Always NUL-terminated. */
#ifndef BK_BUF_H
#define BK_BUF_H

#include <stddef.h>

#include "err.h"

struct buf {
    char *ptr;
    size_t len;
    size_t cap;        /* allocated bytes */
    size_t max_bytes;  /* the content never grows past this */
};

/* Prepare <b> on the caller's storage; nothing is allocated yet. */
void buf_init(struct buf *b, size_t max_bytes);
/* Free what <b> holds; <b> can be reused after buf_init(). */
void buf_cleanup(struct buf *b);
/* Append <n> bytes; BK_ETOOBIG past the cap, BK_ENOMEM on allocation failure. */
enum bk_err buf_append(struct buf *b, const void *data, size_t n);
enum bk_err buf_append_str(struct buf *b, const char *s);
enum bk_err buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the contents (NUL-terminated, mem_free() it); <b> is left empty. */
char *buf_steal(struct buf *b, size_t *len_out);

#endif
