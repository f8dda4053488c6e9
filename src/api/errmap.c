/* bk_err -> HTTP. Anything unexpected is a 500 whose detail stays in the log. */
#include "errmap.h"

#include <stddef.h>

static const struct {
    enum bk_err err;
    unsigned v1;
    unsigned v2;
    const char *msg;
} table[] = {
    { BK_EINVAL,    400, 400, "bad request" },
    { BK_EAUTH,     401, 403, "access denied" },
    { BK_EFORBID,   403, 403, "forbidden" },
    { BK_ENOTFOUND, 404, 404, "not found" },
    { BK_ECONFLICT, 409, 409, "conflict" },
    { BK_ETOOBIG,   413, 413, "request too large" },
    { BK_EMEDIA,    415, 415, "unsupported content type" },
    { BK_ERETRY,    503, 503, "service busy, retry" },
    { BK_EUNAVAIL,  503, 503, "storage unavailable" },
    { BK_ENOTIMPL,  501, 501, "not implemented" },
    { BK_ELIMIT,    429, 429, "too many requests" },
};

unsigned
errmap_status(enum bk_err err, int v2, const char **msg)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].err == err) {
            *msg = table[i].msg;
            return v2 ? table[i].v2 : table[i].v1;
        }
    }
    *msg = "internal error";
    return 500;
}
