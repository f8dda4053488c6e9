/* /v2 shared-record adapters; the services are the ones /v1 calls. */
#include "v2_shared.h"

#include "../core/shared.h"
#include "params.h"

static enum bk_err
v2_shared_record_create(struct ctx *c, const struct api_req *req, const struct route_match *m,
                        json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    struct shared_source src = { 0 };
    char token[37], uuid[37], num[32];
    const char *partner = NULL, *exp = NULL;
    size_t partner_len, exp_len = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err != BK_OK)
        return err;
    /* "session" is not in the Pro spec; /v1 has it, and both share one service */
    err = params_str(c, body, "appname", &src.appname, &src.appname_len);
    if (err == BK_OK || err == BK_ENOTFOUND)
        err = params_str(c, body, "session", &src.session, &src.session_len);
    if (err == BK_OK || err == BK_ENOTFOUND)
        err = params_str(c, body, "partner", &partner, &partner_len);
    if (err == BK_ENOTFOUND)
        err = BK_OK;
    if (err == BK_OK)
        err = params_str_or_int(c, body, "finaltime", num, sizeof num, &exp, &exp_len);
    if (err == BK_OK)
        err = shared_create(c, &ref, &src, json_object_get(body, "fields"), partner, exp,
                            exp_len, token, uuid);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "recorduuid", uuid);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v2_shared_record_get(struct ctx *c, const struct api_req *req, const struct route_match *m,
                     json_t *body, json_t **reply, struct api_reply *raw)
{
    const char *uuid;
    size_t len;
    json_t *data = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_str(c, body, "recorduuid", &uuid, &len);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing recorduuid");
    if (err == BK_OK)
        err = shared_get(c, uuid, len, &data);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "data", data);
    return *reply ? BK_OK : BK_ENOMEM;
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_shared_routes[] = {
    { "POST", "/v2/SharedRecordCreate", v2_shared_record_create, V2, "SharedRecordCreate" },
    { "POST", "/v2/SharedRecordGet", v2_shared_record_get, V2, "SharedRecordGet" },
    { NULL, NULL, NULL, 0, NULL },
};
