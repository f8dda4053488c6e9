/* User records: create, read, merge-update and forget, each with its audit
 * event in the same transaction. Profiles are JSON objects; the indexed
 * fields (email, phone, login, custom) are normalized, blind-indexed and
 * unique per tenant. */
#ifndef BK_USERS_H
#define BK_USERS_H

#include <stddef.h>

#include <jansson.h>

#include "ctx.h"

enum user_mode {
    MODE_TOKEN = 0,
    MODE_EMAIL = 1,      /* equal to the index kinds of normalize.h */
    MODE_PHONE = 2,
    MODE_LOGIN = 3,
    MODE_CUSTOM = 4,
};

/* Parse a mode name (token, email, phone, login, custom); BK_EINVAL otherwise. */
enum bk_err users_mode_parse(const char *name, size_t len, enum user_mode *out);
const char *users_mode_name(enum user_mode m);

/* Who a call is about: a mode and the identity as given (borrowed). */
struct user_ref {
    enum user_mode mode;
    const char *identity;
    size_t identity_len;
};

/* Create a user from <profile> (borrowed; must be an object). Writes the new
 * token into <token_out>. BK_EINVAL for a bad profile or index value,
 * BK_ECONFLICT when an index value is taken. */
enum bk_err users_create(struct ctx *c, const json_t *profile, char token_out[37]);

/* Create <n> users at once, all or nothing, in one transaction; tokens in
 * request order in <tokens_out>. On failure *failed_at is the index of the
 * profile that was refused. */
enum bk_err users_create_many(struct ctx *c, const json_t *const *profiles, size_t n,
                              char (*tokens_out)[37], size_t *failed_at);

/* Computes the new profile from <before> (borrowed) into *after_out (a new
 * reference), or refuses with an error (c->errmsg set). */
typedef enum bk_err (*users_transform_fn)(struct ctx *c, const json_t *before, void *arg,
                                          json_t **after_out);

/* Read-modify-write of one user in one transaction: <transform> computes the
 * new profile, indexes follow it, the audit event named <action> records
 * before and after. users_update() is this with a merge. */
enum bk_err users_modify(struct ctx *c, const struct user_ref *ref, const char *action,
                         users_transform_fn transform, void *arg, char token_out[37]);

/* Read a user; *profile_out is a new reference (json_decref()). */
enum bk_err users_get(struct ctx *c, const struct user_ref *ref, char token_out[37],
                      json_t **profile_out);

/* Merge <changes> (borrowed object) into the profile: a null value removes the
 * field, anything else replaces it. Indexes follow. */
enum bk_err users_update(struct ctx *c, const struct user_ref *ref, const json_t *changes,
                         char token_out[37]);

/* Forget a user: indexes removed, profile and data key destroyed; the token
 * stays known as deleted. */
enum bk_err users_delete(struct ctx *c, const struct user_ref *ref, char token_out[37]);

/* Forget the user with <token> again if it is active: what start-up does for
 * each erasure in the ledger after an older database copy was restored. The
 * audit event says so. *applied is 1 when the user had come back. */
enum bk_err users_forget_again(struct ctx *c, const char *token, int *applied);

/* Resolve <ref> to a user token without reading the profile and without an
 * audit event; deleted users resolve by token only. */
enum bk_err users_resolve_token(struct ctx *c, const struct user_ref *ref, char token_out[37]);

/* 1 when <s> is a canonical lower-case or upper-case UUID. */
int users_token_valid(const char *s, size_t len);

#endif
