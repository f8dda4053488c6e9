/* Audit events as JSON, in the shapes of the two APIs. */
#ifndef BK_AUDITJSON_H
#define BK_AUDITJSON_H

#include <jansson.h>

#include "../core/audit.h"

/* A new object for <v> in the /v1 shape (atoken, when, who, mode, identity,
 * record, title, status, msg; before/after when <full>). NULL on OOM. */
json_t *auditjson_v1(const struct audit_view *v, int full);
/* A new object for <v> in the /v2 shape (auditeventuuid, eventtype,
 * timestamp, ...; details when <full>). NULL on OOM. */
json_t *auditjson_v2(const struct audit_view *v, int full);

/* Collects rows into a JSON array for audit_list_user(); <arg> is a struct
 * auditjson_list. */
struct auditjson_list {
    json_t *rows;
    int v2;
};
enum bk_err auditjson_collect(void *arg, const struct audit_view *v);

/* The page <offset>, <limit> of the audit events of the user <ref> names, in
 * the /v2 shape when <v2>, as a new reply {total, rows} in *reply. */
struct user_ref;
enum bk_err auditjson_user_page(struct ctx *c, const struct user_ref *ref, int64_t offset,
                                int64_t limit, int v2, json_t **reply);

#endif
