/* Portal adapters for both APIs. The /v1 routes are the released server's
 * (GET /v1/prelogin/{mode}/{identity}/{code}/{captcha},
 * GET /v1/login/{mode}/{identity}/{tmp}, GET /v1/captcha/{code}); the /v2
 * calls are the ones the published SDKs make (UserPrelogin, UserLogin,
 * CaptchaCreate) with bodies modelled on the /v1 routes. */
#include "portal.h"

#include <string.h>

#include "../base/mem.h"
#include "../core/portal.h"
#include "params.h"

#define HANDLER(name)                                                                      \
    static enum bk_err name(struct ctx *c, const struct api_req *req,                      \
                            const struct route_match *m, json_t *body, json_t **reply,     \
                            struct api_reply *raw)

static enum bk_err
login_reply(const char *xtoken, const char *token, json_t **reply)
{
    *reply = json_pack("{s:s, s:s}", "xtoken", xtoken, "token", token);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
done_reply(json_t **reply)
{
    *reply = json_pack("{s:s}", "result", "done");
    return *reply ? BK_OK : BK_ENOMEM;
}

HANDLER(v1_prelogin)
{
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = portal_prelogin(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1],
                          m->nparams > 2 ? m->param[2] : NULL,
                          m->nparams > 2 ? m->param_len[2] : 0,
                          m->nparams > 3 ? m->param[3] : NULL,
                          m->nparams > 3 ? m->param_len[3] : 0);
    return err == BK_OK ? done_reply(reply) : err;
}

HANDLER(v1_login)
{
    char xtoken[37], token[37];
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = portal_login(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1],
                       m->param[2], m->param_len[2], xtoken, token);
    return err == BK_OK ? login_reply(xtoken, token, reply) : err;
}

HANDLER(captcha_image)
{
    uint8_t *png = NULL;
    size_t len = 0;
    enum bk_err err;

    (void)req, (void)body, (void)reply;
    err = portal_captcha_image(c, m->param[0], m->param_len[0], &png, &len);
    if (err != BK_OK)
        return err;
    raw->status = 200;
    raw->content_type = "image/png";
    raw->body = (char *)png;
    raw->body_len = len;
    return BK_OK;
}

HANDLER(logout)
{
    enum bk_err err;

    (void)m, (void)body, (void)raw;
    err = portal_logout(c, req->token, req->token_len);
    return err == BK_OK ? done_reply(reply) : err;
}

/* One member of the ui section: its value, or null when unset. */
static int
set_opt(json_t *o, const char *name, const char *v)
{
    return json_object_set_new(o, name, v ? json_string(v) : json_null());
}

HANDLER(ui_conf)
{
    const struct conf *cf = c->app->conf;
    json_t *ui = json_object(), *login;
    int bad = ui == NULL;

    (void)req, (void)m, (void)body, (void)raw;
    bad |= set_opt(ui, "logo_link", cf->ui.logo_link);
    bad |= set_opt(ui, "company_title", cf->ui.company_title);
    bad |= set_opt(ui, "company_vat", cf->ui.company_vat);
    bad |= set_opt(ui, "company_city", cf->ui.company_city);
    bad |= set_opt(ui, "company_link", cf->ui.company_link);
    bad |= set_opt(ui, "company_country", cf->ui.company_country);
    bad |= set_opt(ui, "company_address", cf->ui.company_address);
    bad |= set_opt(ui, "term_of_service_title", cf->ui.term_of_service_title);
    bad |= set_opt(ui, "term_of_service_link", cf->ui.term_of_service_link);
    bad |= set_opt(ui, "privacy_policy_title", cf->ui.privacy_policy_title);
    bad |= set_opt(ui, "privacy_policy_link", cf->ui.privacy_policy_link);
    bad |= set_opt(ui, "custom_css_link", cf->ui.custom_css_link);
    login = json_pack("{s:b, s:b, s:b, s:b, s:I}", "captcha", cf->login.captcha, "email",
                      cf->smtp.server != NULL || cf->demo, "phone", cf->sms.url != NULL || cf->demo,
                      "demo", cf->demo, "code_ttl_s", (json_int_t)cf->login.code_ttl_s);
    if (bad || login == NULL) {
        json_decref(ui);
        json_decref(login);
        return BK_ENOMEM;
    }
    *reply = json_pack("{s:o, s:o}", "ui", ui, "login", login);
    return *reply ? BK_OK : BK_ENOMEM;
}

/* Optional string member: NULL when absent. */
static enum bk_err
opt_str(struct ctx *c, const json_t *body, const char *name, const char **out, size_t *len)
{
    enum bk_err err = params_str(c, body, name, out, len);

    if (err == BK_ENOTFOUND) {
        *out = NULL;
        *len = 0;
        return BK_OK;
    }
    return err;
}

static enum bk_err
req_str(struct ctx *c, const json_t *body, const char *name, const char *missing,
        const char **out, size_t *len)
{
    enum bk_err err = params_str(c, body, name, out, len);

    return err == BK_ENOTFOUND ? ctx_fail(c, BK_EINVAL, missing) : err;
}

HANDLER(v2_prelogin)
{
    const char *mode, *identity, *code, *captcha;
    size_t mode_len, identity_len, code_len, captcha_len;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = req_str(c, body, "mode", "missing mode", &mode, &mode_len);
    if (err == BK_OK)
        err = req_str(c, body, "identity", "missing identity", &identity, &identity_len);
    if (err == BK_OK)
        err = opt_str(c, body, "code", &code, &code_len);
    if (err == BK_OK)
        err = opt_str(c, body, "captchacode", &captcha, &captcha_len);
    if (err == BK_OK)
        err = portal_prelogin(c, mode, mode_len, identity, identity_len, code, code_len, captcha,
                              captcha_len);
    return err == BK_OK ? done_reply(reply) : err;
}

HANDLER(v2_login)
{
    const char *mode, *identity, *code;
    size_t mode_len, identity_len, code_len;
    char xtoken[37], token[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = req_str(c, body, "mode", "missing mode", &mode, &mode_len);
    if (err == BK_OK)
        err = req_str(c, body, "identity", "missing identity", &identity, &identity_len);
    if (err == BK_OK) {
        /* the SDKs send smscode; code is accepted too */
        err = opt_str(c, body, "smscode", &code, &code_len);
        if (err == BK_OK && code == NULL)
            err = req_str(c, body, "code", "missing smscode", &code, &code_len);
    }
    if (err == BK_OK)
        err = portal_login(c, mode, mode_len, identity, identity_len, code, code_len, xtoken,
                           token);
    return err == BK_OK ? login_reply(xtoken, token, reply) : err;
}

HANDLER(v2_captcha_create)
{
    char id[PORTAL_CAPTCHA_ID_MAX + 1], url[PORTAL_CAPTCHA_ID_MAX + 16];
    enum bk_err err;

    (void)req, (void)m, (void)body, (void)raw;
    err = portal_captcha_create(c, id);
    if (err != BK_OK)
        return err;
    memcpy(url, "/v1/captcha/", 12);
    memcpy(url + 12, id, strlen(id) + 1);
    *reply = json_pack("{s:s, s:s}", "captchacode", id, "captchaurl", url);
    return *reply ? BK_OK : BK_ENOMEM;
}

const struct route v1_portal_routes[] = {
    { "GET", "/v1/prelogin/{mode}/{identity}", v1_prelogin, ROUTE_NO_AUTH, "UserPrelogin" },
    { "GET", "/v1/prelogin/{mode}/{identity}/{code}/{captcha}", v1_prelogin, ROUTE_NO_AUTH,
      "UserPrelogin" },
    { "GET", "/v1/login/{mode}/{identity}/{tmp}", v1_login, ROUTE_NO_AUTH, "UserLogin" },
    { "GET", "/v1/captcha/{code}", captcha_image, ROUTE_NO_AUTH, "CaptchaCreate" },
    { "POST", "/v1/logout", logout, ROUTE_BODY_JSON, "UserLogout" },
    { "GET", "/v1/ui/conf", ui_conf, ROUTE_NO_AUTH, "TenantGetUIConf" },
    { NULL, NULL, NULL, 0, NULL },
};

#define V2 (ROUTE_V2 | ROUTE_BODY_JSON)

const struct route v2_portal_routes[] = {
    { "POST", "/v2/UserPrelogin", v2_prelogin, V2 | ROUTE_NO_AUTH, "UserPrelogin" },
    { "POST", "/v2/UserLogin", v2_login, V2 | ROUTE_NO_AUTH, "UserLogin" },
    { "POST", "/v2/CaptchaCreate", v2_captcha_create, V2 | ROUTE_NO_AUTH, "CaptchaCreate" },
    { "POST", "/v2/UserLogout", logout, V2, "UserLogout" },
    { "POST", "/v2/TenantGetUIConf", ui_conf, V2 | ROUTE_NO_AUTH, "TenantGetUIConf" },
    { NULL, NULL, NULL, 0, NULL },
};
