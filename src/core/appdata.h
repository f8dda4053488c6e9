/* App data: one JSON object per user and application name, sealed under the
 * user's data key with the place "appdata:<tenant>:<token>/<appname>:<version>".
 * The application name is metadata, kept in clear; the content never is.
 * Every call writes an audit event named after its Pro operation. */
#ifndef BK_APPDATA_H
#define BK_APPDATA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctx.h"
#include "users.h"

/* 1 when <name> (<len> bytes) matches ^[a-z0-9-]+$ and has at most 64 bytes. */
int appdata_name_valid(const char *name, size_t len);

/* Create or overwrite the record <appname> of the user <ref> with <data>
 * (borrowed; must be an object). BK_EINVAL for a bad name or data,
 * BK_ENOTFOUND for an unknown user. Audited as "AppdataCreate". */
enum bk_err appdata_put(struct ctx *c, const struct user_ref *ref, const char *appname,
                        size_t appname_len, const json_t *data);

/* Merge <changes> (borrowed object) into the existing record: a null value
 * removes the field. BK_ENOTFOUND when the user or the record is missing.
 * Audited as "AppdataUpdate". */
enum bk_err appdata_update(struct ctx *c, const struct user_ref *ref, const char *appname,
                           size_t appname_len, const json_t *changes);

/* Runs inside a write transaction once the change is applied, before the
 * audit event and the commit; a non-BK_OK return rolls everything back. */
typedef enum bk_err (*appdata_hook_fn)(struct ctx *c, void *arg);

/* appdata_update() with <hook> (may be NULL) run in the same transaction, so
 * a caller's own bookkeeping (an approved request) commits with the change
 * or not at all. */
enum bk_err appdata_update_with(struct ctx *c, const struct user_ref *ref, const char *appname,
                                size_t appname_len, const json_t *changes, appdata_hook_fn hook,
                                void *arg);

/* The record as a new reference in *data_out (json_decref()). "AppdataGet". */
enum bk_err appdata_get(struct ctx *c, const struct user_ref *ref, const char *appname,
                        size_t appname_len, json_t **data_out);

/* appdata_get() of version <version> (0: the current one) kept by record
 * versioning (core/versions.c, kind "appdata"). The current version can
 * always be named; another one needs versioning.enabled (BK_EINVAL
 * otherwise) and answers "not found" when it is not kept. */
enum bk_err appdata_get_version(struct ctx *c, const struct user_ref *ref, const char *appname,
                                size_t appname_len, int64_t version, json_t **data_out);

/* The kept versions of the record as a new array of {version, optime, md5},
 * oldest first. BK_EINVAL when versioning is off. "AppdataListVersions". */
enum bk_err appdata_list_versions(struct ctx *c, const struct user_ref *ref, const char *appname,
                                  size_t appname_len, json_t **versions_out);

/* Remove the record and its kept versions. BK_ENOTFOUND when there is none.
 * "AppdataDelete". */
enum bk_err appdata_delete(struct ctx *c, const struct user_ref *ref, const char *appname,
                           size_t appname_len);

/* The user's application names as a new JSON array of strings, sorted.
 * "AppdataListUserAppNames". */
enum bk_err appdata_list_user(struct ctx *c, const struct user_ref *ref, json_t **names_out);

/* Every application name in the tenant, once each, sorted, as a new JSON
 * array. "AppdataListAppNames". */
enum bk_err appdata_list_all(struct ctx *c, json_t **names_out);

/* The report section (core/report.c): every record of <user> as a new
 * object {appname: data}, within the report's transaction. */
enum bk_err appdata_report(struct ctx *c, const struct user_row *user,
                           const uint8_t dek[KEYS_LEN], json_t **out);

/* Within the caller's open transaction and without an audit event of its
 * own: the record <appname> (a valid name) of <user>, opened with the user's
 * data key <dek>, as a new object in *out. BK_ENOTFOUND when the user has no
 * such record. */
enum bk_err appdata_read(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
                         const char *appname, json_t **out);

/* Forget hook: remove every record of <user> within the open transaction. */
enum bk_err appdata_forget_user(struct ctx *c, const struct user_row *user);

#endif
