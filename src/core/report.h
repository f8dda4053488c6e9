/* The personal-data report of one user (SystemGetUserReport and its HTML
 * form): what the vault holds about them, section by section. Each resource
 * family adds its section to the list in report.c with one line; the report
 * is read in one transaction and its reading is itself audited. */
#ifndef BK_REPORT_H
#define BK_REPORT_H

#include <jansson.h>

#include "ctx.h"
#include "users.h"

/* Fills one section of the report about <user> (its data key in <dek>) into
 * *out (a new JSON value), or leaves *out NULL to omit the section. Runs in
 * the report's open transaction. */
typedef enum bk_err (*report_section_fn)(struct ctx *c, const struct user_row *user,
                                         const uint8_t dek[KEYS_LEN], json_t **out);

/* The report about the active user <ref> names: a new object {token,
 * created, updated, <section>: ...} with the sections in their list order. */
enum bk_err report_user(struct ctx *c, const struct user_ref *ref, const char *action,
                        json_t **out);

#endif
