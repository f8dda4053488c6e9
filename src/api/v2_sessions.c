/* /v2 adapters for sessions: {sessionuuid, sessiondata, slidingtime,
 * finaltime} and, per NOTES.md, optional {mode, identity} tying the session
 * to a user. The services are the ones /v1 calls. */
#include "v2_sessions.h"

#include "../core/sessions.h"
#include "params.h"
#include "v2_user.h"

static enum bk_err
sid_member(struct ctx *c, const json_t *body, const char **sid, size_t *len)
{
    enum bk_err err = params_str(c, body, "sessionuuid", sid, len);

    if (err == BK_ENOTFOUND)
        return ctx_fail(c, BK_EINVAL, "missing sessionuuid");
    return err;
}

static V2_HANDLER(v2_session_upsert)
{
    struct user_ref ref;
    struct session_times t = { 0, 0 };
    const json_t *data = json_object_get(body, "sessiondata");
    const char *sid;
    size_t sid_len;
    int tie = json_object_get(body, "mode") != NULL || json_object_get(body, "identity") != NULL;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = sid_member(c, body, &sid, &sid_len);
    if (err == BK_OK && (data == NULL || json_is_null(data)))
        err = ctx_fail(c, BK_EINVAL, "missing sessiondata");
    if (err == BK_OK && !json_is_object(data))
        err = ctx_fail(c, BK_EINVAL, "session data must be a JSON object");
    if (err == BK_OK)
        err = sessions_duration(c, json_object_get(body, "slidingtime"), "slidingtime", &t.ttl);
    if (err == BK_OK)
        err = sessions_duration(c, json_object_get(body, "finaltime"), "finaltime",
                                &t.final_ttl);
    if (err == BK_OK && tie)
        err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = sessions_upsert(c, sid, sid_len, tie ? &ref : NULL, data, &t, "SessionUpsert");
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_session_get)
{
    struct session_view v;
    const char *sid;
    size_t sid_len;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = sid_member(c, body, &sid, &sid_len);
    if (err == BK_OK)
        err = sessions_get(c, sid, sid_len, &v);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:O}", "sessiondata", v.data);
    sessions_view_cleanup(&v);
    return *reply ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_session_delete)
{
    const char *sid;
    size_t sid_len;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = sid_member(c, body, &sid, &sid_len);
    if (err == BK_OK)
        err = sessions_delete(c, sid, sid_len);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
collect(void *arg, const struct session_view *v)
{
    json_t *o = json_pack("{s:s, s:O}", "sessionuuid", v->sid, "sessiondata", v->data);

    return o != NULL && json_array_append_new(arg, o) == 0 ? BK_OK : BK_ENOMEM;
}

static V2_HANDLER(v2_session_list_user)
{
    struct user_ref ref;
    json_t *rows;
    int64_t total = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err != BK_OK)
        return err;
    rows = json_array();
    if (rows == NULL)
        return BK_ENOMEM;
    err = sessions_list_user(c, &ref, collect, rows, &total);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    *reply = json_pack("{s:o}", "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_sessions_routes[] = {
    { "POST", "/v2/SessionUpsert", v2_session_upsert, V2, "SessionUpsert" },
    { "POST", "/v2/SessionGet", v2_session_get, V2, "SessionGet" },
    { "POST", "/v2/SessionDelete", v2_session_delete, V2, "SessionDelete" },
    { "POST", "/v2/SessionListUserSessions", v2_session_list_user, V2,
      "SessionListUserSessions" },
    { NULL, NULL, NULL, 0, NULL },
};
