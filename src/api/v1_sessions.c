/* /v1 adapters for sessions. The body of a create or upsert is the session
 * data itself; its "expiration" member, when present, is taken out of it. */
#include "v1_sessions.h"

#include "../core/sessions.h"
#include "params.h"

/* A copy of <body> without "expiration", whose value goes to <t>. */
static enum bk_err
split_body(struct ctx *c, const json_t *body, struct session_times *t, json_t **data_out)
{
    json_t *data;
    enum bk_err err;

    *data_out = NULL;
    t->ttl = t->final_ttl = 0;
    if (!json_is_object(body))
        return ctx_fail(c, BK_EINVAL, "session data must be a JSON object");
    err = sessions_duration(c, json_object_get(body, "expiration"), "expiration", &t->ttl);
    if (err != BK_OK)
        return err;
    data = json_copy((json_t *)body);
    if (data == NULL)
        return BK_ENOMEM;
    json_object_del(data, "expiration");
    *data_out = data;
    return BK_OK;
}

static json_t *
view_json(const struct session_view *v)
{
    return json_pack("{s:s, s:I, s:O}", "session", v->sid, "when", (json_int_t)v->when, "data",
                     v->data);
}

static enum bk_err
v1_session_create(struct ctx *c, const struct api_req *req, const struct route_match *m,
                  json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    struct session_times t;
    json_t *data = NULL;
    char sid[37];
    enum bk_err err;

    (void)req, (void)raw;
    err = params_ref_path(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1], &ref);
    if (err == BK_OK)
        err = split_body(c, body, &t, &data);
    if (err == BK_OK)
        err = sessions_create(c, &ref, data, &t, sid);
    json_decref(data);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "session", sid);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v1_session_upsert(struct ctx *c, const struct api_req *req, const struct route_match *m,
                  json_t *body, json_t **reply, struct api_reply *raw)
{
    struct session_times t;
    json_t *data = NULL;
    enum bk_err err;

    (void)req, (void)raw;
    err = split_body(c, body, &t, &data);
    if (err == BK_OK)
        err = sessions_upsert(c, m->param[0], m->param_len[0], NULL, data, &t, "SessionUpsert");
    json_decref(data);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:s}", "session", m->param[0]);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v1_session_get(struct ctx *c, const struct api_req *req, const struct route_match *m,
               json_t *body, json_t **reply, struct api_reply *raw)
{
    struct session_view v;
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = sessions_get(c, m->param[0], m->param_len[0], &v);
    if (err != BK_OK)
        return err;
    *reply = view_json(&v);
    sessions_view_cleanup(&v);
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v1_session_delete(struct ctx *c, const struct api_req *req, const struct route_match *m,
                  json_t *body, json_t **reply, struct api_reply *raw)
{
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = sessions_delete(c, m->param[0], m->param_len[0]);
    if (err != BK_OK)
        return err;
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
collect(void *arg, const struct session_view *v)
{
    json_t *o = view_json(v);

    return o != NULL && json_array_append_new(arg, o) == 0 ? BK_OK : BK_ENOMEM;
}

static enum bk_err
v1_session_list(struct ctx *c, const struct api_req *req, const struct route_match *m,
                json_t *body, json_t **reply, struct api_reply *raw)
{
    struct user_ref ref;
    json_t *rows;
    int64_t total = 0;
    enum bk_err err;

    (void)req, (void)body, (void)raw;
    err = params_ref_path(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1], &ref);
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
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

#define JF (ROUTE_BODY_JSON | ROUTE_BODY_FORM)

/* /v1/session/session/{session} precedes /v1/session/{mode}/{identity}: the
 * same number of segments, the first match wins. */
const struct route v1_sessions_routes[] = {
    { "GET", "/v1/session/session/{session}", v1_session_get, 0, "SessionGet" },
    { "DELETE", "/v1/session/session/{session}", v1_session_delete, 0, "SessionDelete" },
    { "POST", "/v1/session/{mode}/{identity}", v1_session_create, JF, "SessionUpsert" },
    { "GET", "/v1/session/{mode}/{identity}", v1_session_list, 0, "SessionListUserSessions" },
    { "GET", "/v1/session/{session}", v1_session_get, 0, "SessionGet" },
    { "POST", "/v1/session/{session}", v1_session_upsert, JF, "SessionUpsert" },
    { "DELETE", "/v1/session/{session}", v1_session_delete, 0, "SessionDelete" },
    { "GET", "/v1/sessions/{mode}/{identity}", v1_session_list, 0, "SessionListUserSessions" },
    { NULL, NULL, NULL, 0, NULL },
};
