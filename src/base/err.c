/* Names of the error codes, for log lines. */
#include "err.h"

const char *
bk_err_str(enum bk_err err)
{
    switch (err) {
    case BK_OK:        return "ok";
    case BK_EINVAL:    return "invalid input";
    case BK_EAUTH:     return "authentication failed";
    case BK_EFORBID:   return "forbidden";
    case BK_ENOTFOUND: return "not found";
    case BK_ECONFLICT: return "conflict";
    case BK_ETOOBIG:   return "too big";
    case BK_ENOMEM:    return "out of memory";
    case BK_ECORRUPT:  return "corrupt data";
    case BK_EBACKEND:  return "store failure";
    case BK_ERETRY:    return "store busy";
    case BK_EUNAVAIL:  return "store unavailable";
    case BK_ECRYPTO:   return "crypto failure";
    case BK_ENOTIMPL:  return "not implemented";
    case BK_EMEDIA:    return "unsupported media type";
    case BK_EINTERNAL: return "internal error";
    case BK_ELIMIT:    return "rate limited";
    }
    return "unknown error";
}
