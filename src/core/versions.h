/* Record versioning (off unless versioning.enabled): every write of a record
 * keeps the previous and the new content as numbered versions, sealed under
 * the owner's data key exactly like the record, so forgetting the owner
 * shreds them too. Generic over the kind of record ("user", "appdata"); the list
 * reports each version's number, operation time and md5. */
#ifndef BK_VERSIONS_H
#define BK_VERSIONS_H

#include <stdint.h>

#include <jansson.h>

#include "ctx.h"
#include "users.h"

#define VERSIONS_KIND_USER "user"

/* 1 when versioning is switched on in the configuration. */
int versions_enabled(const struct ctx *c);

/* Keep versions of one record, within the open write transaction of <c>:
 * <before> (borrowed; NULL at creation) as version <version> - 1 unless it is
 * kept already, and <after> as <version>; then drop the oldest past
 * versioning.max_versions. Does nothing when versioning is off. <record> is
 * the record's id within <kind>, <user_id> its owner. */
enum bk_err versions_write(struct ctx *c, const char *kind, const char *record, int64_t user_id,
                           const uint8_t dek[KEYS_LEN], const json_t *before, int64_t version,
                           const json_t *after);

/* The one call users.c makes on every profile write: versions_write() for
 * the user <row> (its version already the new one). */
enum bk_err versions_user_write(struct ctx *c, const struct user_row *row,
                                const uint8_t dek[KEYS_LEN], const json_t *before,
                                const json_t *after);

/* Open version <version> of a record into *out (a new reference), within an
 * open transaction. BK_EINVAL ("record versioning is not enabled") when off,
 * BK_ENOTFOUND ("not found") when that version is not kept. */
enum bk_err versions_open(struct ctx *c, const char *kind, const char *record,
                          const uint8_t dek[KEYS_LEN], int64_t version, json_t **out);

/* The versions of a record as a new JSON array of {"version","optime","md5"},
 * oldest first, within an open transaction. The md5 is the hex MD5 of the
 * version's canonical JSON text (compact, keys sorted, UTF-8). */
enum bk_err versions_list(struct ctx *c, const char *kind, const char *record,
                          const uint8_t dek[KEYS_LEN], json_t **out);

/* UserListVersions: resolve <ref>, list its versions (audited). BK_EINVAL
 * ("record versioning is not enabled") when off. */
enum bk_err versions_user_list(struct ctx *c, const struct user_ref *ref, char token_out[37],
                               json_t **versions_out);

/* MD5 of the canonical JSON text of <doc> as 32 hex digits and a NUL. */
enum bk_err versions_md5(const json_t *doc, char out[33]);

/* Forget hook: drop every version <user> owns. */
enum bk_err versions_forget(struct ctx *c, const struct user_row *user);

/* Sweep: drop versions older than versioning.max_version_retention_period,
 * keeping each record's newest. */
enum bk_err versions_sweep(struct ctx *c);

#endif
