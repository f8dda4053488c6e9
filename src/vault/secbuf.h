/* Buffers for key material and plaintext: wiped before they are freed, and a
 * constant-time comparison for secrets. */
#ifndef BK_SECBUF_H
#define BK_SECBUF_H

#include <stddef.h>

/* Overwrite <n> bytes at <p> so the compiler cannot skip it. */
void secbuf_wipe(void *p, size_t n);
/* Wipe <n> bytes at <p> and mem_free() it; NULL is fine. */
void secbuf_free(void *p, size_t n);
/* 1 when the <n> bytes at <a> and <b> are equal, in time that depends only on <n>. */
int secbuf_equal(const void *a, const void *b, size_t n);

#endif
