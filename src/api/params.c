/* Parameter extraction shared by the v1 and v2 adapters. */
#include "params.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/period.h"
#include "codec.h"

enum bk_err
params_str(struct ctx *c, const json_t *body, const char *name, const char **out,
           size_t *out_len)
{
    const json_t *v = json_object_get(body, name);

    *out = NULL;
    *out_len = 0;
    if (v == NULL || json_is_null(v))
        return BK_ENOTFOUND;
    if (!json_is_string(v))
        return ctx_fail(c, BK_EINVAL, "parameter has the wrong type: expected a string");
    *out = json_string_value(v);
    *out_len = json_string_length(v);
    return BK_OK;
}

enum bk_err
params_int(struct ctx *c, const json_t *body, const char *name, int64_t dflt, int64_t min,
           int64_t max, int64_t *out)
{
    const json_t *v = json_object_get(body, name);
    int64_t n;

    *out = dflt;
    if (v == NULL || json_is_null(v))
        return BK_OK;
    if (json_is_integer(v)) {
        n = (int64_t)json_integer_value(v);
    } else if (json_is_string(v)) {
        char *end = NULL;
        const char *s = json_string_value(v);

        errno = 0;
        n = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0')
            return ctx_fail(c, BK_EINVAL, "parameter has the wrong type: expected an integer");
    } else {
        return ctx_fail(c, BK_EINVAL, "parameter has the wrong type: expected an integer");
    }
    if (n < min || n > max)
        return ctx_fail(c, BK_EINVAL, "parameter out of range");
    *out = n;
    return BK_OK;
}

enum bk_err
params_query_int(struct ctx *c, const struct api_req *req, const char *name, int64_t dflt,
                 int64_t min, int64_t max, int64_t *out)
{
    const char *raw = req->query ? req->query(req->query_cls, name) : NULL;
    char buf[32], *end = NULL;
    size_t len = 0;
    long long n;

    *out = dflt;
    if (raw == NULL || raw[0] == '\0')
        return BK_OK;
    if (strlen(raw) >= sizeof buf ||
        codec_percent_decode(raw, strlen(raw), 1, buf, &len) != BK_OK)
        return ctx_fail(c, BK_EINVAL, "bad query parameter");
    errno = 0;
    n = strtoll(buf, &end, 10);
    if (errno != 0 || end == buf || *end != '\0')
        return ctx_fail(c, BK_EINVAL, "bad query parameter: expected an integer");
    if (n < min || n > max)
        return ctx_fail(c, BK_EINVAL, "query parameter out of range");
    *out = n;
    return BK_OK;
}

enum bk_err
params_ref_path(struct ctx *c, const char *mode, size_t mode_len, const char *identity,
                size_t identity_len, struct user_ref *out)
{
    if (users_mode_parse(mode, mode_len, &out->mode) != BK_OK)
        return ctx_fail(c, BK_EINVAL, "bad mode: use token, email, phone, login or custom");
    out->identity = identity;
    out->identity_len = identity_len;
    return BK_OK;
}

enum bk_err
params_ref_body(struct ctx *c, const json_t *body, struct user_ref *out)
{
    const char *mode, *identity;
    size_t mode_len, identity_len;
    enum bk_err err = params_str(c, body, "mode", &mode, &mode_len);

    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing mode");
    if (err != BK_OK)
        return err;
    err = params_str(c, body, "identity", &identity, &identity_len);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing identity");
    if (err != BK_OK)
        return err;
    return params_ref_path(c, mode, mode_len, identity, identity_len, out);
}

enum bk_err
params_str_or_int(struct ctx *c, const json_t *body, const char *name, char *num,
                  size_t num_size, const char **out, size_t *out_len)
{
    const json_t *v = json_object_get(body, name);
    int n;

    *out = NULL;
    *out_len = 0;
    if (v == NULL || json_is_null(v))
        return BK_OK;
    if (json_is_string(v)) {
        *out = json_string_value(v);
        *out_len = json_string_length(v);
        if (*out_len == 0)
            *out = NULL;
        return BK_OK;
    }
    if (!json_is_integer(v))
        return ctx_fail(c, BK_EINVAL, "parameter has the wrong type: expected a string");
    n = snprintf(num, num_size, "%lld", (long long)json_integer_value(v));
    if (n <= 0 || (size_t)n >= num_size)
        return ctx_fail(c, BK_EINVAL, "parameter out of range");
    *out = num;
    *out_len = (size_t)n;
    return BK_OK;
}

enum bk_err
params_expiry(struct ctx *c, const json_t *body, struct expiry_req *out)
{
    char num[32];
    const char *s;
    size_t len;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = params_str_or_int(c, body, "slidingtime", num, sizeof num, &s, &len);
    if (err != BK_OK)
        return err;
    if (s != NULL) {
        if (json_is_integer(json_object_get(body, "slidingtime"))) {
            out->sliding = (int64_t)json_integer_value(json_object_get(body, "slidingtime"));
            if (out->sliding <= 0 || out->sliding > PERIOD_MAX_SECONDS)
                return ctx_fail(c, BK_EINVAL, "bad slidingtime: give a period such as 30d");
        } else if (period_parse(s, len, &out->sliding) != BK_OK) {
            return ctx_fail(c, BK_EINVAL, "bad slidingtime: give a period such as 30d");
        }
    }
    err = params_str_or_int(c, body, "finaltime", num, sizeof num, &s, &len);
    if (err != BK_OK)
        return err;
    if (s != NULL && period_deadline(s, len, c->now, &out->finaltime) != BK_OK)
        return ctx_fail(c, BK_EINVAL,
                        "bad finaltime: give a period such as 1y or a future unix time");
    return BK_OK;
}
