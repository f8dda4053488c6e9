/* /v2 adapters for app data: {mode, identity, appname, appdata} in, the
 * same appdata service /v1 calls, the Pro spec's fields out. */
#include "v2_appdata.h"

#include "../core/appdata.h"
#include "params.h"
#include "v2_user.h"

/* mode, identity and appname of <body>. */
static enum bk_err
target(struct ctx *c, const json_t *body, struct user_ref *ref, const char **app,
       size_t *app_len)
{
    enum bk_err err = params_ref_body(c, body, ref);

    if (err != BK_OK)
        return err;
    err = params_str(c, body, "appname", app, app_len);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing appname");
    return err;
}

static enum bk_err
appdata_member(struct ctx *c, const json_t *body, const json_t **out)
{
    *out = json_object_get(body, "appdata");
    if (*out == NULL || json_is_null(*out))
        return ctx_fail(c, BK_EINVAL, "missing appdata");
    if (!json_is_object(*out))
        return ctx_fail(c, BK_EINVAL, "app data must be a JSON object");
    return BK_OK;
}

/* Write the "appdata" member of <body> with <save> (appdata_put or
 * appdata_update); an empty reply. */
static enum bk_err
save_app(struct ctx *c, const json_t *body,
         enum bk_err (*save)(struct ctx *c, const struct user_ref *ref, const char *appname,
                             size_t appname_len, const json_t *data),
         json_t **reply)
{
    struct user_ref ref;
    const char *app;
    size_t app_len;
    const json_t *data;
    enum bk_err err = target(c, body, &ref, &app, &app_len);

    if (err == BK_OK)
        err = appdata_member(c, body, &data);
    if (err == BK_OK)
        err = save(c, &ref, app, app_len, data);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_appdata_create)
{
    (void)req, (void)m, (void)raw;
    return save_app(c, body, appdata_put, reply);
}

static V2_HANDLER(v2_appdata_update)
{
    (void)req, (void)m, (void)raw;
    return save_app(c, body, appdata_update, reply);
}

static V2_HANDLER(v2_appdata_get)
{
    struct user_ref ref;
    const char *app;
    size_t app_len;
    int64_t version;
    json_t *data = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = target(c, body, &ref, &app, &app_len);
    if (err == BK_OK)
        err = params_int(c, body, "version", 0, 1, INT32_MAX, &version);
    if (err == BK_OK)
        err = appdata_get_version(c, &ref, app, app_len, version, &data);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "appdata", data);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_appdata_list_versions)
{
    struct user_ref ref;
    const char *app;
    size_t app_len;
    json_t *versions = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = target(c, body, &ref, &app, &app_len);
    if (err == BK_OK)
        err = appdata_list_versions(c, &ref, app, app_len, &versions);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "versions", versions);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_appdata_delete)
{
    struct user_ref ref;
    const char *app;
    size_t app_len;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = target(c, body, &ref, &app, &app_len);
    if (err == BK_OK)
        err = appdata_delete(c, &ref, app, app_len);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_appdata_list_user)
{
    struct user_ref ref;
    json_t *names = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = appdata_list_user(c, &ref, &names);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "apps", names);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_appdata_list_all)
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

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_appdata_routes[] = {
    { "POST", "/v2/AppdataCreate", v2_appdata_create, V2, "AppdataCreate" },
    { "POST", "/v2/AppdataGet", v2_appdata_get, V2, "AppdataGet" },
    { "POST", "/v2/AppdataUpdate", v2_appdata_update, V2, "AppdataUpdate" },
    { "POST", "/v2/AppdataDelete", v2_appdata_delete, V2, "AppdataDelete" },
    { "POST", "/v2/AppdataListVersions", v2_appdata_list_versions, V2, "AppdataListVersions" },
    { "POST", "/v2/AppdataListUserAppNames", v2_appdata_list_user, V2,
      "AppdataListUserAppNames" },
    { "POST", "/v2/AppdataListAppNames", v2_appdata_list_all, V2, "AppdataListAppNames" },
    { NULL, NULL, NULL, 0, NULL },
};
