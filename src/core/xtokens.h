/* Access tokens for a user (XTokenCreateForUser) and for a role
 * (XTokenCreateForRole). Kept only as keyed hashes; a token can have a final
 * expiry (absolute) and a sliding one (idle time allowed, extended on use). */
#ifndef BK_XTOKENS_H
#define BK_XTOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "users.h"

#define XTOKENS_DEFAULT_TTL_S (24 * 3600)   /* finaltime when neither time is given */
#define XTOKENS_EXPIRED_KEEP_S 3600               /* expired tokens swept after this */
#define XTOKENS_MAX_TTL_S (10LL * 366 * 24 * 3600)

/* Seconds in a duration: digits with an optional unit s, m (minutes), h, d, w
 * or y ("30d", "15m", "3600"). BK_EINVAL for anything else, 0 or more than
 * XTOKENS_MAX_TTL_S. */
enum bk_err xtokens_parse_duration(const char *s, size_t len, int64_t *out);

/* A new token for the user <ref> names; BK_ENOTFOUND when there is none.
 * <final_s> and <sliding_s> are durations in seconds (0: none; both 0: the
 * default final time). The token is written once into <xtoken_out>. */
enum bk_err xtokens_create_for_user(struct ctx *c, const struct user_ref *ref, int64_t final_s,
                                    int64_t sliding_s, char xtoken_out[37]);

/* A new token for the role with id <role_id>, or named <role_name> when it
 * is not NULL; BK_ENOTFOUND when there is no such role. */
enum bk_err xtokens_create_for_role(struct ctx *c, int64_t role_id, const char *role_name,
                                    int64_t final_s, int64_t sliding_s, char xtoken_out[37]);

/* Identify the access token whose keyed hash is <hash>: sets c->caller,
 * c->who and c->access. BK_ENOTFOUND when <hash> is no access token,
 * BK_EAUTH when it expired or was revoked. Borrows a store connection for
 * the lookup when <c> holds none. */
enum bk_err xtokens_authenticate(struct ctx *c, const uint8_t hash[KEYS_LEN]);

/* Forget hook: the user's tokens stop working. */
enum bk_err xtokens_forget_user(struct ctx *c, const struct user_row *user);

/* Sweep: remove expired tokens and unlock ids. */
enum bk_err xtokens_sweep(struct ctx *c);

#endif
