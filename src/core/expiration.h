/* User expiration. A user may expire by a sliding period (each read moves the
 * end), a final time, or the /v1 expiration flow (start -> the user is asked
 * through two browser links to retain or delete -> a sweep forgets whoever
 * did not answer in time). Forgetting is users_delete(), audited as the
 * caller (the sweeper, or the link). Expiration tokens are capabilities:
 * stored as a keyed hash for lookup and sealed under the user's data key for
 * the status call. */
#ifndef BK_EXPIRATION_H
#define BK_EXPIRATION_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "expiration-t.h"
#include "users.h"

/* Record the expiration <req> of the new user <row> within the open write
 * transaction (users.c calls this). All-zero <req>: nothing to do. */
enum bk_err expiration_user_created(struct ctx *c, const struct user_row *row,
                                    const uint8_t dek[KEYS_LEN], const struct expiry_req *req);

/* expiration_touch() without the write, within any transaction: the same
 * BK_ENOTFOUND, and *touch set when the read must move the sliding end (then
 * call expiration_touch() in a write transaction; *out is left zero). When
 * the lookup of <row> brought its expiration along (row->exp_known), no
 * statement is sent; otherwise the expiry family is asked. */
enum bk_err expiration_check(struct ctx *c, const struct user_row *row, struct expiry_times *out,
                             int *touch);

/* On each read of <row>, within the open write transaction: BK_ENOTFOUND
 * ("not found") when its expiration time has passed; otherwise the sliding
 * end moves and *out says the times (all 0 without an expiration). */
enum bk_err expiration_touch(struct ctx *c, const struct user_row *row,
                             struct expiry_times *out);

/* The flow's state, as /v1/exp/status reports it. */
struct expiration_status {
    const char *expstatus;      /* "none", "expiring", "active" (retained), "expired" */
    int64_t exptime;            /* the end time, 0: none */
    char exptoken[37];          /* "" when there is none, or it cannot be opened any more */
};

/* Start the flow for <ref>: the user expires <period> (e.g. "10d", borrowed)
 * from now, or at the final time if that is earlier; a new expiration token
 * in <exptoken_out>. BK_EINVAL for a bad period. */
enum bk_err expiration_start(struct ctx *c, const struct user_ref *ref, const char *period,
                             size_t period_len, char token_out[37], char exptoken_out[37]);
/* The state for <ref>; forgotten users are found by token. */
enum bk_err expiration_status(struct ctx *c, const struct user_ref *ref, char token_out[37],
                              struct expiration_status *out);
/* Cancel any expiration of <ref> (flow, sliding and final); links stop working. */
enum bk_err expiration_cancel(struct ctx *c, const struct user_ref *ref, char token_out[37]);

/* The browser links, by expiration token: retain keeps the record (the
 * expiration is cancelled), delete forgets the user now. BK_EINVAL for a
 * malformed token, BK_ENOTFOUND for an unknown one, or (retain) when the
 * user is gone already. Deleting again is fine. */
enum bk_err expiration_retain(struct ctx *c, const char *exptoken, size_t len);
enum bk_err expiration_delete(struct ctx *c, const char *exptoken, size_t len);

/* Sweep: forget every user whose expiration time has passed. */
enum bk_err expiration_sweep(struct ctx *c);
/* Forget hook: a forgotten user's pending expiration ends (an expired one
 * stays expired). */
enum bk_err expiration_forget(struct ctx *c, const struct user_row *user);

#endif
