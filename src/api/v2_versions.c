/* UserListVersions: the versions kept of a user's profile. */
#include "v2_versions.h"

#include "../core/versions.h"
#include "params.h"

static enum bk_err
v2_user_list_versions(struct ctx *c, const struct api_req *req, const struct route_match *m,
                      json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    char token[37];
    json_t *versions = NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = versions_user_list(c, &ref, token, &versions);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "versions", versions);
    return *reply ? BK_OK : BK_ENOMEM;
}

const struct route v2_versions_routes[] = {
    { "POST", "/v2/UserListVersions", v2_user_list_versions, ROUTE_BODY_JSON | ROUTE_V2,
      "UserListVersions" },
    { NULL, NULL, NULL, 0, NULL },
};
