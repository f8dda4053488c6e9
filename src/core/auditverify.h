/* Offline check of the audit trail: every tenant's hash chain, event by event
 * in id order, and its signed head. Reads only; needs the vault's audit key. */
#ifndef BK_AUDITVERIFY_H
#define BK_AUDITVERIFY_H

#include <stdint.h>

#include "ctx.h"

struct auditverify_report {
    int64_t tenants;            /* tenants whose chain was checked */
    int64_t events;             /* events checked */
    int broken;                 /* 1 when a link is broken */
    char msg[512];              /* the first broken link, named by event id and atoken */
};

/* Walk every chain of <app>'s store. BK_OK when the walk completed, with
 * out->broken telling whether the trail is intact; another error when the
 * store could not be read. */
enum bk_err auditverify_run(const struct app *app, struct auditverify_report *out);

#endif
