/* What forgetting a user removes besides the profile: every resource family
 * that keeps rows per user lists its purge function in forget.c. */
#ifndef BK_FORGET_H
#define BK_FORGET_H

#include "../store/store.h"
#include "ctx.h"

/* Remove, within the open write transaction of <c>, every family's rows that
 * belong to <user> (app data, sessions, ...). Their contents are sealed under
 * the user's data key, which the caller destroys in the same transaction. */
enum bk_err forget_user_data(struct ctx *c, const struct user_row *user);

#endif
