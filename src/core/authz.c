/* Operation-level authorization. The root token may run everything; a tenant
 * admin token everything within its tenant except managing tenants (which
 * core/tenants.c narrows further); anonymous callers reach only routes
 * marked open. */
#include "authz.h"

#include <string.h>

/* Operations over all tenants: root only. */
static const char *const root_only_ops[] = { "TenantCreate", "TenantListTenants",
                                             "TenantDelete", NULL };

enum bk_err
authz_call(struct ctx *c, const char *op)
{
    if (c->caller == CALLER_ROOT || c->caller == CALLER_NONE)
        return BK_OK;
    if (c->caller == CALLER_TENANT) {
        for (size_t i = 0; op != NULL && root_only_ops[i] != NULL; i++) {
            if (strcmp(op, root_only_ops[i]) == 0)
                return ctx_fail(c, BK_EFORBID, "access denied");
        }
        return BK_OK;
    }
    return ctx_fail(c, BK_EFORBID, "access denied");
}
