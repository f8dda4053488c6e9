/* /v1 adapters for app data: path and body in, the appdata service, the
 * open-source API's reply shapes out. */
#include "v1_appdata.h"

#include "../core/appdata.h"
#include "params.h"

static enum bk_err
path_ref(struct ctx *c, const struct route_match *m, struct user_ref *ref)
{
    return params_ref_path(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1], ref);
}

/* Write <body> as the app data the path names with <save> (appdata_put or
 * appdata_update); an empty reply. */
static enum bk_err
save_app(struct ctx *c, const struct route_match *m, const json_t *body,
         enum bk_err (*save)(struct ctx *c, const struct user_ref *ref, const char *appname,
                             size_t appname_len, const json_t *data),
         json_t **reply)
{
    struct user_ref ref;
    enum bk_err err = path_ref(c, m, &ref);

    if (err == BK_OK)
        err = save(c, &ref, m->param[2], m->param_len[2], body);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v1_userapp_put(struct ctx *c, const struct api_req *req, const struct route_match *m,
               json_t *body, json_t **reply, struct api_reply *raw)
{
    (void)req, (void)raw;
    return save_app(c, m, body, appdata_put, reply);
}

static enum bk_err
v1_userapp_update(struct ctx *c, const struct api_req *req, const struct route_match *m,
                  json_t *body, json_t **reply, struct api_reply *raw)
{
    (void)req, (void)raw;
    return save_app(c, m, body, appdata_update, reply);
}

static enum bk_err
v1_userapp_get(struct ctx *c, const struct api_req *req, const struct route_match *m,
               json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    json_t *data = NULL;
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = path_ref(c, m, &ref);
    if (err == BK_OK)
        err = appdata_get(c, &ref, m->param[2], m->param_len[2], &data);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "data", data);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v1_userapp_delete(struct ctx *c, const struct api_req *req, const struct route_match *m,
                  json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = path_ref(c, m, &ref);
    if (err == BK_OK)
        err = appdata_delete(c, &ref, m->param[2], m->param_len[2]);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v1_userapp_list_user(struct ctx *c, const struct api_req *req, const struct route_match *m,
                     json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    json_t *names = NULL;
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = path_ref(c, m, &ref);
    if (err == BK_OK)
        err = appdata_list_user(c, &ref, &names);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "apps", names);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v1_userapp_list_all(struct ctx *c, const struct api_req *req, const struct route_match *m,
                    json_t *body, json_t **reply, struct api_reply *raw)
{
    json_t *names = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)body, (void)raw;
    err = appdata_list_all(c, &names);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "apps", names);
    return *reply ? BK_OK : BK_ENOMEM;
}

#define JF (ROUTE_BODY_JSON | ROUTE_BODY_FORM)
#define APP "/v1/userapp/{mode}/{identity}/{appname}"

const struct route v1_appdata_routes[] = {
    { "POST", APP, v1_userapp_put, JF, "AppdataCreate" },
    { "PUT", APP, v1_userapp_update, JF, "AppdataUpdate" },
    { "GET", APP, v1_userapp_get, 0, "AppdataGet" },
    { "DELETE", APP, v1_userapp_delete, 0, "AppdataDelete" },
    { "GET", "/v1/userapp/{mode}/{identity}", v1_userapp_list_user, 0,
      "AppdataListUserAppNames" },
    { "GET", "/v1/userapps", v1_userapp_list_all, 0, "AppdataListAppNames" },
    { NULL, NULL, NULL, 0, NULL },
};
