/* Heap allocation behind one door, with a counter that tests can arm to fail
 * the N-th allocation. Nothing else in the tree calls malloc/free directly. */
#include "mem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong fail_countdown;   /* 0: off */
static _Thread_local unsigned long failures;

unsigned long
mem_failures(void)
{
    return failures;
}
static atomic_int fail_sticky;

void
mem_fail_after(unsigned long n, int sticky)
{
    atomic_store(&fail_sticky, sticky);
    atomic_store(&fail_countdown, n);
}

int
mem_fail_pending(void)
{
    return atomic_load(&fail_countdown) != 0;
}

static int
should_fail(void)
{
    unsigned long n = atomic_load(&fail_countdown);

    if (n == 0)
        return 0;
    if (n == 1) {
        if (!atomic_load(&fail_sticky))
            atomic_store(&fail_countdown, 0);
        return 1;
    }
    atomic_fetch_sub(&fail_countdown, 1);
    return 0;
}

/* Count <p> as a failure when NULL. */
static void *
counted(void *p)
{
    if (p == NULL)
        failures++;
    return p;
}

void *
mem_alloc(size_t n)
{
    if (should_fail())
        return counted(NULL);
    return counted(malloc(n ? n : 1));
}

void *
mem_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    if (should_fail())
        return counted(NULL);
    return counted(calloc(count ? count : 1, size ? size : 1));
}

void *
mem_realloc(void *p, size_t n)
{
    if (should_fail())
        return counted(NULL);
    return counted(realloc(p, n ? n : 1));
}

void
mem_free(void *p)
{
    free(p);
}

char *
mem_strndup(const char *s, size_t n)
{
    char *d = mem_alloc(n + 1);

    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *
mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}
