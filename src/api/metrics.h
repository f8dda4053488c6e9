/* Request metrics for Prometheus: requests by route and status (counters)
 * and a latency histogram per route. Counting takes atomics only: no lock on
 * the request path. Process-wide (one table per process). */
#ifndef BK_METRICS_H
#define BK_METRICS_H

#include <stdint.h>

#include "../base/buf.h"
#include "route.h"

/* Count one request to <r> (NULL: no route matched) answered with <status>
 * after <elapsed_ns>. */
void metrics_observe(const struct route *r, unsigned status, uint64_t elapsed_ns);

/* Append the request counters and histograms in the text exposition format
 * (version 0.0.4) to <out>. */
enum bk_err metrics_render(struct buf *out);

/* A monotonic clock reading in nanoseconds. */
uint64_t metrics_now_ns(void);

#endif
