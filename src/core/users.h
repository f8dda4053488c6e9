/* User records: create, read, merge-update and forget, each with its audit
 * event in the same transaction. Profiles are JSON objects; the indexed
 * fields (email, phone, login, custom) are normalized, blind-indexed and
 * unique per tenant. */
#ifndef BK_USERS_H
#define BK_USERS_H

#include <stddef.h>

#include <jansson.h>

#include "ctx.h"
#include "expiration-t.h"

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

struct users_create_opts;

/* Create <n> users at once, all or nothing, in one transaction; tokens in
 * request order in <tokens_out>. <opts> is NULL or holds <n> entries, one per
 * profile (see users_create_with). On failure *failed_at is the index of the
 * profile that was refused. */
enum bk_err users_create_many(struct ctx *c, const json_t *const *profiles,
                              const struct users_create_opts *opts, size_t n,
                              char (*tokens_out)[37], size_t *failed_at);

/* Called inside the creation transaction of <row>, before the caller's
 * rights on the new user are checked (core/authz.c), to add what is kept
 * beside the user (group memberships). A failure rolls the creation back. */
typedef enum bk_err (*users_created_fn)(struct ctx *c, const struct user_row *row, void *arg);

/* Computes the new profile from <before> (borrowed) into *after_out (a new
 * reference), or refuses with an error (c->errmsg set). */
typedef enum bk_err (*users_transform_fn)(struct ctx *c, const json_t *before, void *arg,
                                          json_t **after_out);

/* Read-modify-write of one user in one transaction: <transform> computes the
 * new profile, indexes follow it, the audit event named <action> records
 * before and after. users_update() is this with a merge. */
enum bk_err users_modify(struct ctx *c, const struct user_ref *ref, const char *action,
                         users_transform_fn transform, void *arg, char token_out[37]);

/* The transform users_update() uses: <arg> (a borrowed object) merged into
 * <before>, a null value removing the field. */
enum bk_err users_merge(struct ctx *c, const json_t *before, void *arg, json_t **after_out);

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

/* Forget several users at once, all or nothing, in one transaction; tokens in
 * request order in <tokens_out>. On failure *failed_at is the index of the
 * reference that was refused (unknown user: BK_ENOTFOUND). */
enum bk_err users_delete_many(struct ctx *c, const struct user_ref *refs, size_t n,
                              char (*tokens_out)[37], size_t *failed_at);

/* Runs inside users_delete_with()'s write transaction once the user <row>
 * is found, before anything is forgotten; a non-BK_OK return rolls the
 * delete back. */
typedef enum bk_err (*users_delete_hook_fn)(struct ctx *c, const struct user_row *row, void *arg);

/* users_delete() with <hook> (may be NULL) run in the same transaction, so a
 * caller's own bookkeeping commits with the delete or not at all. */
enum bk_err users_delete_with(struct ctx *c, const struct user_ref *ref, users_delete_hook_fn hook,
                              void *arg, char token_out[37]);

/* Within the caller's open transaction: the row of the user <ref> names
 * (deleted users too when <allow_deleted>, by token only). The caller calls
 * store_user_row_cleanup(). BK_ENOTFOUND ("not found"), BK_EINVAL. */
enum bk_err users_row_get(struct ctx *c, const struct user_ref *ref, int allow_deleted,
                          struct user_row *out);


/* Forget the user with <token> again if it is active: what start-up does for
 * each erasure in the ledger after an older database copy was restored. The
 * audit event says so. *applied is 1 when the user had come back. */
enum bk_err users_forget_again(struct ctx *c, const char *token, int *applied);

/* Resolve <ref> to a user token without reading the profile and without an
 * audit event; deleted users resolve by token only. */
enum bk_err users_resolve_token(struct ctx *c, const struct user_ref *ref, char token_out[37]);

/* For the system service (cross-tenant administration). These work inside the
 * caller's open transaction (write where they change something), on the
 * tenant c->tenant names; the caller commits or rolls back.
 *
 * users_lookup: the user row <ref> names (store_user_row_cleanup() it); with
 * <any_status> a removed or forgotten user is found too (by token only, as
 * their indexes are gone). users_open: open its profile (*out: a new
 * reference; wipe <dek> after use); BK_ENOTFOUND once forgotten.
 * users_remove: the soft delete of SystemDeleteUserProfiles: indexes dropped,
 * status USER_REMOVED, profile and data key kept; audit event <action>.
 * users_restore: back from USER_REMOVED to active, indexes rebuilt
 * (BK_ECONFLICT when another user took a value meanwhile); *profile_out is the
 * restored profile. */
enum bk_err users_lookup(struct ctx *c, const struct user_ref *ref, int any_status,
                         struct user_row *out);
enum bk_err users_open(struct ctx *c, const struct user_row *row, uint8_t dek[KEYS_LEN],
                       json_t **out);
enum bk_err users_remove(struct ctx *c, const struct user_row *row, const char *action);
enum bk_err users_restore(struct ctx *c, const struct user_row *row, const char *action,
                          json_t **profile_out);

/* What a create does besides the profile: an expiration (<exp>, borrowed; NULL
 * or all zero: none) and <hook> (may be NULL), run in the creating
 * transaction to add what the caller keeps beside the user (group
 * memberships) before the caller's rights on the new user are checked. */
struct users_create_opts {
    const struct expiry_req *exp;
    users_created_fn hook;
    void *hook_arg;
};

/* users_create() with <opts> (may be NULL). */
enum bk_err users_create_with(struct ctx *c, const json_t *profile,
                              const struct users_create_opts *opts, char token_out[37]);

/* What a read returns besides the profile. */
struct user_meta {
    int64_t version;            /* the version returned */
    struct expiry_times exp;
};

/* users_get of version <version> (0: the current one), with *meta_out filled.
 * An older version needs versioning (BK_EINVAL otherwise); one not kept is
 * BK_ENOTFOUND. A user whose expiration time has passed is not found. */
enum bk_err users_get_meta(struct ctx *c, const struct user_ref *ref, int64_t version,
                           char token_out[37], struct user_meta *meta_out,
                           json_t **profile_out);

/* users_get_meta() for a reply that embeds the profile as text: when the
 * current version is read by a caller who may see all of it, *text_out is the
 * profile's sealed text itself (compact JSON of an object, NUL-terminated,
 * *text_len bytes; secbuf_free(text, len + 1)) and *profile_out stays NULL;
 * otherwise *profile_out is set as by users_get_meta() and *text_out NULL. */
enum bk_err users_get_text(struct ctx *c, const struct user_ref *ref, int64_t version,
                           char token_out[37], struct user_meta *meta_out,
                           json_t **profile_out, char **text_out, size_t *text_len);

/* users_find(), and deleted users too (by token only) when <allow_deleted>. */
enum bk_err users_find_any(struct ctx *c, const struct user_ref *ref, int allow_deleted,
                           struct user_row *out);


/* 1 when <s> is a canonical lower-case or upper-case UUID. */
int users_token_valid(const char *s, size_t len);

/* Within the open transaction of <c>: the active user <ref> names, as stored
 * (store_user_row_cleanup()), with the caller's rights on that user checked
 * (core/authz.c). BK_ENOTFOUND ("not found") for an unknown or deleted user,
 * BK_EINVAL for a malformed identity, BK_EFORBID; c->errmsg says which.
 * Writes no audit event: the caller does. */
enum bk_err users_find(struct ctx *c, const struct user_ref *ref, struct user_row *out);

#endif
