/* Clock readings: monotonic (for intervals and deadlines) and wall-clock
 * (for times that are stored or shown). */
#ifndef BK_CLOCK_H
#define BK_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
clock_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t
clock_mono_ms(void)
{
    return clock_mono_us() / 1000;
}

/* Milliseconds since the Unix epoch. */
static inline int64_t
clock_real_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
