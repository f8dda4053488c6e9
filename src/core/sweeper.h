/* Background housekeeping: one thread that runs every registered sweep
 * (expired sessions, retention periods, ...) every interval. Each sweep works
 * in its own short transactions, so a crash mid-sweep leaves either the old
 * or the new state of each record, never half of one. */
#ifndef BK_SWEEPER_H
#define BK_SWEEPER_H

#include "ctx.h"

struct sweeper;

/* Start the thread for <app> (borrowed; must outlive the sweeper), running
 * every <interval_ms>. *out is NULL when there is nothing to sweep. */
enum bk_err sweeper_start(const struct app *app, unsigned interval_ms, struct sweeper **out);
/* Stop the thread and wait for the running sweep to end. NULL is fine. */
void sweeper_stop(struct sweeper *s);

/* Run every sweep once, now, on the calling thread (tests, and the thread). */
enum bk_err sweeper_run_once(const struct app *app);

#endif
