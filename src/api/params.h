/* Reading named parameters from decoded bodies and from the query string,
 * with type and range checks. Messages are static strings for the client. */
#ifndef BK_PARAMS_H
#define BK_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../core/ctx.h"
#include "../core/users.h"
#include "api.h"

/* Borrow the string member <name> of <body>. BK_ENOTFOUND when absent or
 * null; BK_EINVAL (with c->errmsg set) when not a string. */
enum bk_err params_str(struct ctx *c, const json_t *body, const char *name, const char **out,
                       size_t *out_len);

/* The integer member <name> of <body>, or <dflt> when absent or null; refused
 * outside [<min>, <max>] or when not an integer. */
enum bk_err params_int(struct ctx *c, const json_t *body, const char *name, int64_t dflt,
                       int64_t min, int64_t max, int64_t *out);

/* The query argument <name> as an integer, same rules. */
enum bk_err params_query_int(struct ctx *c, const struct api_req *req, const char *name,
                             int64_t dflt, int64_t min, int64_t max, int64_t *out);

/* A user reference from path parameters <mode> and <identity>. */
enum bk_err params_ref_path(struct ctx *c, const char *mode, size_t mode_len,
                            const char *identity, size_t identity_len, struct user_ref *out);

/* A user reference from the members "mode" and "identity" of <body>. */
enum bk_err params_ref_body(struct ctx *c, const json_t *body, struct user_ref *out);

/* The expiration members "slidingtime" (a period such as "30d", or seconds as
 * an integer) and "finaltime" (a period from now, or a unix time as digits or
 * an integer) of <body>; absent ones stay 0. BK_EINVAL for a bad value. */
enum bk_err params_expiry(struct ctx *c, const json_t *body, struct expiry_req *out);

/* Borrow the member <name> of <body> when it is a non-empty string or, as its
 * decimal text in <num> (of <num_size> bytes), an integer; *out is NULL when
 * absent or null. BK_EINVAL for another type. */
enum bk_err params_str_or_int(struct ctx *c, const json_t *body, const char *name, char *num,
                              size_t num_size, const char **out, size_t *out_len);

#endif
