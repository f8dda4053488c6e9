/* Encoding of audit events for both APIs. */
#include "auditjson.h"

#include <time.h>

#include "../core/users.h"

static void
iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
put_details(json_t *o, const struct audit_view *v, int full)
{
    const char *names[] = { "identity", "before", "after" };

    for (int i = 0; i < (full ? 3 : 1); i++) {
        json_t *d = v->details ? json_object_get(v->details, names[i]) : NULL;
        if (d != NULL)
            json_object_set(o, names[i], d);
        else if (i == 0)   /* shredded or never kept: the field is there, empty */
            json_object_set_new(o, names[i], json_null());
    }
}

json_t *
auditjson_v1(const struct audit_view *v, int full)
{
    const struct audit_row *r = &v->row;
    json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "atoken", r->atoken,
                          "when", (json_int_t)r->when, "who", r->who, "mode", r->mode, "record",
                          r->record, "title", r->action, "status", r->status, "msg", r->msg);

    if (o != NULL)
        put_details(o, v, full);
    return o;
}

json_t *
auditjson_v2(const struct audit_view *v, int full)
{
    const struct audit_row *r = &v->row;
    char ts[32];
    json_t *o, *details;

    iso_time(r->when, ts);
    if (!full) {
        o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "auditeventuuid", r->atoken,
                      "eventtype", r->action, "timestamp", ts, "when", (json_int_t)r->when,
                      "who", r->who, "mode", r->mode, "record", r->record, "status", r->status);
        if (o != NULL)
            put_details(o, v, 0);
        return o;
    }
    details = json_pack("{s:s, s:s, s:s, s:s, s:s}", "who", r->who, "mode", r->mode, "record",
                        r->record, "status", r->status, "msg", r->msg);
    if (details == NULL)
        return NULL;
    put_details(details, v, 1);
    o = json_pack("{s:s, s:s, s:s, s:I, s:o}", "auditeventuuid", r->atoken, "eventtype",
                  r->action, "timestamp", ts, "when", (json_int_t)r->when, "details", details);
    return o;
}

enum bk_err
auditjson_collect(void *arg, const struct audit_view *v)
{
    struct auditjson_list *l = arg;
    json_t *o = l->v2 ? auditjson_v2(v, 0) : auditjson_v1(v, 0);

    if (o == NULL || json_array_append_new(l->rows, o) != 0)
        return BK_ENOMEM;
    return BK_OK;
}

enum bk_err
auditjson_user_page(struct ctx *c, const struct user_ref *ref, int64_t offset, int64_t limit,
                    int v2, json_t **reply)
{
    struct auditjson_list l = { NULL, v2 };
    int64_t total = 0;
    char token[37];
    enum bk_err err = users_resolve_token(c, ref, token);

    if (err != BK_OK)
        return err;
    l.rows = json_array();
    if (l.rows == NULL)
        return BK_ENOMEM;
    err = audit_list_user(c, token, offset, limit, 1, &total, auditjson_collect, &l);
    if (err != BK_OK) {
        json_decref(l.rows);
        return err;
    }
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)total, "rows", l.rows);
    return *reply ? BK_OK : BK_ENOMEM;
}
