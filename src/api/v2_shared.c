/* /v2 shared-record adapters; the services are the ones /v1 calls. */
#include "v2_shared.h"

#include "../core/shared.h"
#include "params.h"
#include "v1_shared.h"

static enum bk_err
v2_shared_record_create(struct ctx *c, const struct api_req *req, const struct route_match *m,
                        json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    char uuid[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    /* "session" is not in the Pro spec; /v1 has it, and both share one service */
    if (err == BK_OK)
        err = v1_shared_create(c, &ref, body, "appname", "finaltime", uuid);
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
