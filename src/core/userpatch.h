/* UserPatch: a user's profile changed by an RFC 6902 JSON Patch, through the
 * same read-modify-write as every user change (users_modify): indexes follow,
 * the audit event keeps before and after. */
#ifndef BK_USERPATCH_H
#define BK_USERPATCH_H

#include <jansson.h>

#include "ctx.h"
#include "users.h"

/* Check <patch> (borrowed) without applying it: BK_EINVAL or BK_ETOOBIG with
 * c->errmsg saying which operation is malformed. */
enum bk_err userpatch_check(struct ctx *c, const json_t *patch);

/* The users_transform_fn that applies the patch <arg> (a borrowed json_t
 * array) to <before>. Refuses (BK_EINVAL) a failing operation and a result
 * that is not a JSON object. */
enum bk_err userpatch_transform(struct ctx *c, const json_t *before, void *arg,
                                json_t **after_out);

/* Patch the user <ref> names with <patch> (borrowed), audited as <action>
 * ("UserPatch"). Writes the user's token into <token_out>. */
enum bk_err userpatch_apply(struct ctx *c, const struct user_ref *ref, const json_t *patch,
                            const char *action, char token_out[37]);

#endif
