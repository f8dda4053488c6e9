/* Lock-free request metrics. Routes are static table entries, so a route's
 * address identifies it: slots are claimed by compare-and-swap on that
 * address and never released; every counter is a relaxed atomic. */
#include "metrics.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define SLOTS 1024   /* a power of two, above the number of routes */

static const unsigned codes[] = { 200, 400, 401, 403, 404, 405, 409, 413, 415, 429,
                                  500, 501, 503 };
#define NCODES (sizeof codes / sizeof codes[0])
#define NSTATUS (NCODES + 1)   /* the last counts any other status */

/* upper bounds in microseconds; a last +Inf bucket follows */
static const uint64_t bounds_us[] = { 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
                                      250000, 500000, 1000000, 2500000, 5000000, 10000000 };
static const char *const bounds_txt[] = { "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
                                          "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10" };
#define NBOUNDS (sizeof bounds_us / sizeof bounds_us[0])

struct slot {
    _Atomic(const struct route *) route;
    _Atomic uint64_t status[NSTATUS];
    _Atomic uint64_t other_code;                /* the last other status seen */
    _Atomic uint64_t bucket[NBOUNDS + 1];       /* not cumulative; summed when rendered */
    _Atomic uint64_t sum_us;
    _Atomic uint64_t count;
};

static struct slot slots[SLOTS];
static struct slot unmatched;

uint64_t
metrics_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct slot *
slot_for(const struct route *r)
{
    size_t h;

    if (r == NULL)
        return &unmatched;
    h = (size_t)(((uintptr_t)r >> 4) * 0x9e3779b97f4a7c15ULL);
    for (size_t n = 0; n < SLOTS; n++) {
        struct slot *s = &slots[(h + n) & (SLOTS - 1)];
        const struct route *cur = atomic_load_explicit(&s->route, memory_order_acquire);

        if (cur == r)
            return s;
        if (cur == NULL) {
            const struct route *expect = NULL;

            if (atomic_compare_exchange_strong_explicit(&s->route, &expect, r,
                                                        memory_order_acq_rel,
                                                        memory_order_acquire) ||
                expect == r)
                return s;
        }
    }
    return &unmatched;   /* table full: cannot happen with SLOTS above the route count */
}

void
metrics_observe(const struct route *r, unsigned status, uint64_t elapsed_ns)
{
    struct slot *s = slot_for(r);
    uint64_t us = elapsed_ns / 1000;
    size_t i, b;

    for (i = 0; i < NCODES && codes[i] != status; i++)
        ;
    if (i == NCODES)
        atomic_store_explicit(&s->other_code, status, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->status[i], 1, memory_order_relaxed);
    for (b = 0; b < NBOUNDS && us > bounds_us[b]; b++)
        ;
    atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, us, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

/* A label value with \, " and newline escaped as the format asks. */
static enum bk_err
put_label(struct buf *out, const char *s)
{
    enum bk_err err = BK_OK;

    for (; *s != '\0' && err == BK_OK; s++) {
        if (*s == '\\' || *s == '"')
            err = buf_printf(out, "\\%c", *s);
        else if (*s == '\n')
            err = buf_append_str(out, "\\n");
        else
            err = buf_append(out, s, 1);
    }
    return err;
}

static enum bk_err
put_labels(struct buf *out, const struct route *r)
{
    enum bk_err err = buf_append_str(out, "method=\"");

    if (err == BK_OK)
        err = put_label(out, r ? r->method : "");
    if (err == BK_OK)
        err = buf_append_str(out, "\",route=\"");
    if (err == BK_OK)
        err = put_label(out, r ? r->pattern : "unmatched");
    if (err == BK_OK)
        err = buf_append_str(out, "\",op=\"");
    if (err == BK_OK)
        err = put_label(out, r && r->op ? r->op : "");
    return err == BK_OK ? buf_append_str(out, "\"") : err;
}

static enum bk_err
render_counts(struct buf *out, struct slot *s, const struct route *r)
{
    enum bk_err err = BK_OK;

    for (size_t i = 0; i < NSTATUS && err == BK_OK; i++) {
        uint64_t n = atomic_load_explicit(&s->status[i], memory_order_relaxed);
        unsigned code = i < NCODES ? codes[i]
                                   : (unsigned)atomic_load_explicit(&s->other_code,
                                                                    memory_order_relaxed);

        if (n == 0)
            continue;
        err = buf_append_str(out, "databunker_http_requests_total{");
        if (err == BK_OK)
            err = put_labels(out, r);
        if (err == BK_OK)
            err = buf_printf(out, ",status=\"%u\"} %llu\n", code, (unsigned long long)n);
    }
    return err;
}

static enum bk_err
render_histogram(struct buf *out, struct slot *s, const struct route *r)
{
    uint64_t cum = 0, count = atomic_load_explicit(&s->count, memory_order_relaxed);
    enum bk_err err = BK_OK;

    if (count == 0)
        return BK_OK;
    for (size_t b = 0; b <= NBOUNDS && err == BK_OK; b++) {
        cum += atomic_load_explicit(&s->bucket[b], memory_order_relaxed);
        err = buf_append_str(out, "databunker_http_request_duration_seconds_bucket{");
        if (err == BK_OK)
            err = put_labels(out, r);
        if (err == BK_OK)
            err = buf_printf(out, ",le=\"%s\"} %llu\n", b < NBOUNDS ? bounds_txt[b] : "+Inf",
                             (unsigned long long)cum);
    }
    /* the buckets were read one by one while requests went on: keep the
     * count equal to the +Inf bucket, as the format requires */
    count = cum;
    if (err == BK_OK)
        err = buf_append_str(out, "databunker_http_request_duration_seconds_sum{");
    if (err == BK_OK)
        err = put_labels(out, r);
    if (err == BK_OK) {
        uint64_t us = atomic_load_explicit(&s->sum_us, memory_order_relaxed);

        err = buf_printf(out, "} %llu.%06llu\n", (unsigned long long)(us / 1000000),
                         (unsigned long long)(us % 1000000));
    }
    if (err == BK_OK)
        err = buf_append_str(out, "databunker_http_request_duration_seconds_count{");
    if (err == BK_OK)
        err = put_labels(out, r);
    if (err == BK_OK)
        err = buf_printf(out, "} %llu\n", (unsigned long long)count);
    return err;
}

typedef enum bk_err (*render_fn)(struct buf *out, struct slot *s, const struct route *r);

static enum bk_err
render_all(struct buf *out, render_fn fn)
{
    enum bk_err err = BK_OK;

    for (size_t i = 0; i < SLOTS && err == BK_OK; i++) {
        const struct route *r = atomic_load_explicit(&slots[i].route, memory_order_acquire);

        if (r != NULL)
            err = fn(out, &slots[i], r);
    }
    return err == BK_OK ? fn(out, &unmatched, NULL) : err;
}

enum bk_err
metrics_render(struct buf *out)
{
    enum bk_err err = buf_append_str(out,
        "# HELP databunker_http_requests_total HTTP requests by route and status.\n"
        "# TYPE databunker_http_requests_total counter\n");

    if (err == BK_OK)
        err = render_all(out, render_counts);
    if (err == BK_OK)
        err = buf_append_str(out,
            "# HELP databunker_http_request_duration_seconds Time to answer a request.\n"
            "# TYPE databunker_http_request_duration_seconds histogram\n");
    if (err == BK_OK)
        err = render_all(out, render_histogram);
    return err;
}
