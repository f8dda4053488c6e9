/* The project's one error vocabulary. Every layer returns enum bk_err; only
 * api/errmap.c turns it into an HTTP status. No project dependencies. */
#ifndef BK_ERR_H
#define BK_ERR_H

enum bk_err {
    BK_OK = 0,
    BK_EINVAL = -1,       /* bad input from the client */
    BK_EAUTH = -2,        /* missing or wrong credentials */
    BK_EFORBID = -3,      /* authenticated, not allowed */
    BK_ENOTFOUND = -4,    /* no such record */
    BK_ECONFLICT = -5,    /* unique value taken, or a concurrent change won */
    BK_ETOOBIG = -6,      /* over a size or count limit */
    BK_ENOMEM = -7,       /* allocation failed */
    BK_ECORRUPT = -8,     /* stored data failed to open or parse */
    BK_EBACKEND = -9,     /* the store failed */
    BK_ERETRY = -10,      /* the store was busy; the whole transaction may be retried */
    BK_EUNAVAIL = -11,    /* the store cannot be reached; nothing was written */
    BK_ECRYPTO = -12,     /* a crypto primitive failed */
    BK_ENOTIMPL = -13,    /* a documented call this build does not provide yet */
    BK_EMEDIA = -14,      /* unsupported content type */
    BK_EINTERNAL = -15,   /* our own bug */
    BK_ELIMIT = -20,      /* rate limited: too many attempts, try later */
};

/* A short static description of <err>, for logs. Never NULL. */
const char *bk_err_str(enum bk_err err);

#endif
