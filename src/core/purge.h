/* Deleting expired rows in short batches: each batch its own write
 * transaction, so a sweep never holds the writer for long and a crash mid-way
 * leaves every row either there or gone. */
#ifndef BK_PURGE_H
#define BK_PURGE_H

#include "ctx.h"

#define PURGE_BATCH 100          /* rows per transaction */
#define PURGE_BATCHES_MAX 1000   /* per run, so one run cannot hold the sweeper */

/* Delete at most <limit> rows expired at <now>; *deleted says how many. */
typedef enum bk_err (*purge_fn)(struct store_conn *db, int64_t now, int64_t limit,
                                int64_t *deleted);

/* Run <fn> batch after batch until a batch deletes fewer than PURGE_BATCH
 * rows; logs how many of <what> went. A backend without the family
 * (BK_ENOTIMPL) has nothing to purge. */
enum bk_err purge_expired(struct ctx *c, purge_fn fn, const char *what);

#endif
