/* Routes as data: each API family lists {method, pattern, handler, flags};
 * the matcher splits the raw path into segments, percent-decodes the
 * parameters and tells 404 (no such path) from 405 (wrong method). */
#ifndef BK_ROUTE_H
#define BK_ROUTE_H

#include <stddef.h>

#include <jansson.h>

#include "../base/err.h"
#include "api.h"

#define ROUTE_MAX_PARAMS 4
#define ROUTE_MAX_SEGMENTS 8
#define ROUTE_PARAM_MAX 2048

enum route_flags {
    ROUTE_BODY_JSON = 1 << 0,   /* accepts a JSON body */
    ROUTE_BODY_FORM = 1 << 1,   /* accepts application/x-www-form-urlencoded */
    ROUTE_BODY_BULK = 1 << 2,   /* the large body limit applies */
    ROUTE_NO_AUTH = 1 << 3,     /* no token needed */
    ROUTE_ANON_CREATE = 1 << 4, /* no token needed when create_user_without_access_token */
    ROUTE_V2 = 1 << 5,          /* the RPC family: errors as the Pro spec says */
};

struct route_match;

/* A handler decodes nothing itself: <body> is the decoded JSON object (or NULL
 * when the route takes none). It sets *reply_out to a new object holding the
 * reply fields (the dispatcher adds "status":"ok"), or fills <raw> for a
 * non-JSON reply. */
typedef enum bk_err (*route_handler)(struct ctx *c, const struct api_req *req,
                                     const struct route_match *m, json_t *body,
                                     json_t **reply_out, struct api_reply *raw);

struct route {
    const char *method;
    const char *pattern;        /* "/v1/user/{mode}/{identity}" */
    route_handler handler;
    unsigned flags;
    const char *op;             /* the operation's Pro name ("UserGet"), for policies and
                                   metrics; /v1 routes name their /v2 twin */
};

struct route_match {
    const struct route *route;
    int nparams;
    char *param[ROUTE_MAX_PARAMS];     /* decoded, NUL-terminated, owned */
    size_t param_len[ROUTE_MAX_PARAMS];
};

enum route_result {
    ROUTE_FOUND = 0,
    ROUTE_NO_PATH,
    ROUTE_NO_METHOD,
    ROUTE_BAD_PATH,
    ROUTE_NO_MEMORY,            /* decoding a parameter could not allocate */
};

/* Match <method> and raw <path> against <routes> (terminated by a NULL
 * method). One trailing slash is ignored. ROUTE_BAD_PATH for a parameter that
 * does not decode (bad escape, NUL, invalid UTF-8, too long). On
 * ROUTE_FOUND the caller calls route_match_cleanup(). */
enum route_result route_find(const struct route *routes, const char *method, const char *path,
                             struct route_match *out);
void route_match_cleanup(struct route_match *m);

#endif
