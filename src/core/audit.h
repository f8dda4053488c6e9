/* The audit trail: one event per call that touches a user record, written in
 * the caller's open transaction so the change and its record commit together
 * (fail-closed). Events form a hash chain per tenant. The personal parts
 * (identity, before, after) are sealed under the user's data key, so
 * forgetting the user makes them unreadable. */
#ifndef BK_AUDIT_H
#define BK_AUDIT_H

#include <stdint.h>

#include <jansson.h>

#include "ctx.h"

/* One event to write. Borrowed pointers; any may be NULL except action. */
struct audit_event {
    const char *action;          /* operation name, e.g. "UserCreate" */
    const char *mode;            /* how the user was named */
    const char *identity;        /* the identity as given (personal data) */
    const char *record;          /* user token */
    const uint8_t *dek;          /* the user's data key; NULL: nothing personal kept */
    const json_t *before;
    const json_t *after;
    enum bk_err result;
    const char *msg;
};

/* Append <ev> within the open write transaction of <c>. Any failure must fail
 * the caller's transaction too. */
enum bk_err audit_write(struct ctx *c, const struct audit_event *ev);

/* Append <ev> outside any transaction, for calls that changed nothing
 * (reads, and calls that failed after the user was identified): committed
 * before it returns, synced to disk lazily (STORE_WRITE_LAZY). With the
 * app's audit queue, the events of concurrent calls share one transaction. */
enum bk_err audit_write_alone(struct ctx *c, const struct audit_event *ev);

/* The end of a call that only read, in a read transaction (store_begin(.., 0)):
 * the transaction ends, and when <err> is BK_OK the call's event <ev> is
 * written (audit_write_alone()); returns <err> or the event's failure. */
enum bk_err audit_read_end(struct ctx *c, enum bk_err err, const struct audit_event *ev);

/* The queue audit_write_alone() gathers concurrent events in (struct app);
 * audit_queue_free() when no call runs any more. */
enum bk_err audit_queue_new(struct audit_queue **out);
void audit_queue_free(struct audit_queue *q);

/* An event as read back. <details> is a new object {"identity","before",
 * "after"} when the user's key still exists, else NULL; the view owns it. */
struct audit_view {
    struct audit_row row;
    json_t *details;
};

typedef enum bk_err (*audit_view_fn)(void *arg, const struct audit_view *v);

/* Events of the user with token <record>, newest first. With <with_details>
 * zero the sealed parts are not opened (listing is cheaper). */
enum bk_err audit_list_user(struct ctx *c, const char *record, int64_t offset, int64_t limit,
                            int with_details, int64_t *total, audit_view_fn fn, void *arg);

/* One event by its atoken, details opened when possible; the caller calls
 * audit_view_cleanup(). BK_ENOTFOUND when there is none. */
enum bk_err audit_get(struct ctx *c, const char *atoken, struct audit_view *out);
void audit_view_cleanup(struct audit_view *v);

/* audit_write() of <n> events in order, as one run of the chain: its last
 * hash is read once and the signed head moved once, to the last event. */
enum bk_err audit_write_many(struct ctx *c, const struct audit_event *evs, size_t n);

/* audit_write_many() in two halves, so a caller can seal its events before it
 * takes the write lock: audit_rows_prepare() makes the rows of <n> events
 * (sealed, each given its atoken; free them with audit_rows_free()), and
 * audit_write_rows() chains them within the open write transaction. */
enum bk_err audit_rows_prepare(struct ctx *c, const struct audit_event *evs, size_t n,
                               struct audit_row **out);
void audit_rows_free(struct audit_row *rows, size_t n);
enum bk_err audit_write_rows(struct ctx *c, struct audit_row *rows, size_t n);

/* Insert the prepared rows <rows> (their place in the chain left to fill) in
 * their order, within the open write transaction of <c>: one run of each
 * tenant's chain, its head moved once. */
enum bk_err audit_insert_runs(struct ctx *c, struct audit_row *const *rows, size_t n);

/* The chain hash of <row> given its prev_hash: what audit_write stores. */
enum bk_err audit_row_hash(const struct audit_row *row, uint8_t out[STORE_HASH_LEN]);

/* The MAC of a tenant's chain head (the hash of its newest event) under the
 * audit key: kept beside the chain so that removing the newest events, which
 * leaves a valid but shorter chain, is detected by whoever holds the key. */
enum bk_err audit_head_mac(const struct vault *v, int64_t tenant,
                           const uint8_t hash[STORE_HASH_LEN], uint8_t out[STORE_HASH_LEN]);

#endif
