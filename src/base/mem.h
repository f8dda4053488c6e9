/* The one allocator every module uses, so tests can fail the N-th
 * allocation. Sizes are checked for overflow; failures return NULL. */
#ifndef BK_MEM_H
#define BK_MEM_H

#include <stddef.h>

/* Allocate <n> bytes; NULL on failure. The caller frees with mem_free(). */
void *mem_alloc(size_t n);
/* Allocate <count> * <size> zeroed bytes; NULL on overflow or failure. */
void *mem_calloc(size_t count, size_t size);
/* Resize <p> to <n> bytes; on failure NULL is returned and <p> is untouched. */
void *mem_realloc(void *p, size_t n);
/* Free <p>; NULL is fine. */
void mem_free(void *p);
/* A new NUL-terminated copy of <s> (or of its first <n> bytes); mem_free() it. */
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

/* Fault injection for tests: the <n>-th allocation from now on fails (and
 * every one after it when <sticky>); 0 switches it off. */
void mem_fail_after(unsigned long n, int sticky);
/* 1 while an armed failure has not happened yet (the countdown runs). */
int mem_fail_pending(void);
/* How many allocations have failed on this thread so far (injected or real).
 * Lets a caller of a library that reports allocation failure as a parse
 * error (jansson) tell the two apart: compare before and after the call. */
unsigned long mem_failures(void);

#endif
