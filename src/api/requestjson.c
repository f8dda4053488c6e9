/* Encoding of request rows for both APIs. */
#include "requestjson.h"

#include <string.h>

/* The target's name: an app for app data, a brief for an agreement. */
static const char *
target_key(const struct request_row *row, int v2)
{
    if (row->target[0] == '\0')
        return NULL;
    if (strcmp(row->type, REQUEST_APPDATA_UPDATE) == 0)
        return v2 ? "appname" : "app";
    return "brief";
}

static json_t *
encode(const struct request_row *row, int v2)
{
    const char *tk = target_key(row, v2);
    json_t *o;

    if (v2)
        o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "requestuuid", row->rtoken, "requesttype",
                      row->type, "token", row->user_token, "status", row->status,
                      "creationtime", (json_int_t)row->created, "when",
                      (json_int_t)row->updated);
    else
        o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "rtoken", row->rtoken, "token",
                      row->user_token, "action", row->type, "status", row->status,
                      "creationtime", (json_int_t)row->created, "when", (json_int_t)row->updated,
                      "more", strcmp(row->type, REQUEST_USER_DELETE) != 0);
    if (o != NULL && tk != NULL && json_object_set_new(o, tk, json_string(row->target)) != 0) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

json_t *
requestjson_v1(const struct request_row *row)
{
    return encode(row, 0);
}

json_t *
requestjson_v2(const struct request_row *row)
{
    return encode(row, 1);
}

enum bk_err
requestjson_collect(void *arg, const struct request_row *row)
{
    struct requestjson_list *l = arg;
    json_t *o = encode(row, l->v2);

    if (o == NULL || json_array_append_new(l->rows, o) != 0)
        return BK_ENOMEM;
    return BK_OK;
}
