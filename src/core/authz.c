/* Operation-level authorization. Today every authenticated caller is the
 * root token; anonymous callers reach only routes marked open. */
#include "authz.h"

#include "portal.h"

enum bk_err
authz_call(struct ctx *c, const char *op)
{
    if (c->caller == CALLER_ROOT || c->caller == CALLER_NONE)
        return BK_OK;
    if (c->caller == CALLER_PORTAL)
        return portal_authz(c, op);
    return ctx_fail(c, BK_EFORBID, "access denied");
}
