/* /v1 shared-record adapters, as the released server answers them. */
#include "v1_shared.h"

#include "../core/shared.h"
#include "params.h"

enum bk_err
v1_shared_create(struct ctx *c, const struct user_ref *ref, const json_t *body,
                 const char *app_key, const char *exp_key, char uuid_out[37])
{
    struct shared_source src = { 0 };
    char token[37], num[32];
    const char *partner = NULL, *exp = NULL;
    size_t partner_len, exp_len = 0;
    enum bk_err err = params_str(c, body, app_key, &src.appname, &src.appname_len);

    if (err == BK_OK || err == BK_ENOTFOUND)
        err = params_str(c, body, "session", &src.session, &src.session_len);
    if (err == BK_OK || err == BK_ENOTFOUND)
        err = params_str(c, body, "partner", &partner, &partner_len);
    if (err == BK_ENOTFOUND)
        err = BK_OK;
    if (err == BK_OK)
        err = params_str_or_int(c, body, exp_key, num, sizeof num, &exp, &exp_len);
    if (err == BK_OK)
        err = shared_create(c, ref, &src, json_object_get(body, "fields"), partner, exp,
                            exp_len, token, uuid_out);
    return err;
}

static enum bk_err
sharedrecord_create(struct ctx *c, const struct api_req *req, const struct route_match *m,
                    json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    char uuid[37];
    enum bk_err err;

    (void)req, (void)raw;
    err = params_ref_path(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1], &ref);
    /* the released server's name is "app"; "appname" as /v2 calls it */
    if (err == BK_OK)
        err = v1_shared_create(c, &ref, body, json_object_get(body, "app") ? "app" : "appname",
                               "expiration", uuid);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "record", uuid);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
sharedrecord_get(struct ctx *c, const struct api_req *req, const struct route_match *m,
                 json_t *body, json_t **reply, struct api_reply *raw)
{
    json_t *data = NULL;
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = shared_get(c, m->param[0], m->param_len[0], &data);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "data", data);
    return *reply ? BK_OK : BK_ENOMEM;
}

const struct route v1_shared_routes[] = {
    { "POST", "/v1/sharedrecord/{mode}/{identity}", sharedrecord_create,
      ROUTE_BODY_JSON | ROUTE_BODY_FORM, "SharedRecordCreate" },
    { "GET", "/v1/get/{record}", sharedrecord_get, ROUTE_NO_AUTH, "SharedRecordGet" },
    { NULL, NULL, NULL, 0, NULL },
};
