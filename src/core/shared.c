/* Shared records: creating, reading through the capability uuid, purging. */
#include "shared.h"

#include <ctype.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../store/shared.h"
#include "../vault/secbuf.h"
#include "appdata.h"
#include "audit.h"
#include "expiration.h"
#include "period.h"
#include "record.h"
#include "sessions.h"

static enum bk_err
add_field(struct ctx *c, json_t *list, const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0)
        return BK_OK;
    if (len > SHARED_FIELD_MAX)
        return ctx_fail(c, BK_EINVAL, "field name too long");
    if (memchr(s, '\0', len) != NULL)
        return ctx_fail(c, BK_EINVAL, "bad field name");
    if (json_array_size(list) >= SHARED_FIELDS_MAX)
        return ctx_fail(c, BK_EINVAL, "too many fields");
    return json_array_append_new(list, json_stringn(s, len)) == 0 ? BK_OK : BK_ENOMEM;
}

/* The field names of <fields> as a new array of strings. */
static enum bk_err
parse_fields(struct ctx *c, const json_t *fields, json_t **out)
{
    json_t *list = json_array();
    enum bk_err err = BK_OK;

    *out = NULL;
    if (list == NULL)
        return BK_ENOMEM;
    if (json_is_string(fields)) {
        const char *s = json_string_value(fields), *end = s + json_string_length(fields);

        while (err == BK_OK && s <= end) {
            const char *comma = memchr(s, ',', (size_t)(end - s));
            const char *stop = comma ? comma : end;

            err = add_field(c, list, s, (size_t)(stop - s));
            s = stop + 1;
        }
    } else if (json_is_array(fields)) {
        size_t i;
        json_t *v;

        json_array_foreach(fields, i, v) {
            if (!json_is_string(v)) {
                err = ctx_fail(c, BK_EINVAL, "fields must be names");
                break;
            }
            err = add_field(c, list, json_string_value(v), json_string_length(v));
            if (err != BK_OK)
                break;
        }
    } else if (fields != NULL && !json_is_null(fields)) {
        err = ctx_fail(c, BK_EINVAL,
                       "fields must be a comma-separated string or an array of names");
    }
    if (err == BK_OK && json_array_size(list) == 0)
        err = ctx_fail(c, BK_EINVAL, "missing fields: name the profile fields to share");
    if (err != BK_OK) {
        json_decref(list);
        return err;
    }
    *out = list;
    return BK_OK;
}

/* The policy cap in seconds, or 0 when none is set (or it does not parse). */
static int64_t
policy_cap(struct ctx *c)
{
    const char *p = c->app->conf->max_shareable_record_retention_period;
    int64_t v;

    if (p == NULL || p[0] == '\0')
        return 0;
    if (period_parse(p, strlen(p), &v) != BK_OK) {
        LOG_WARN(c->rid, "shared", "policy.max_shareable_record_retention_period is not a "
                 "period such as 30d: not applied");
        return 0;
    }
    return v;
}

static enum bk_err
expiry_of(struct ctx *c, const char *expiration, size_t len, int64_t *out)
{
    int64_t cap = policy_cap(c);

    if (expiration == NULL || len == 0) {
        int64_t dflt;

        if (period_parse(SHARED_DEFAULT_PERIOD, strlen(SHARED_DEFAULT_PERIOD), &dflt) != BK_OK)
            return BK_EINTERNAL;
        *out = ctx_ttl_end(c, cap > 0 ? cap : dflt);
        return BK_OK;
    }
    if (period_ttl_end(expiration, len, c->now, out) != BK_OK)
        return ctx_fail(c, BK_EINVAL, "bad expiration: give a period such as 30d or a future "
                        "unix time");
    if (cap > 0 && *out > ctx_ttl_end(c, cap))
        *out = ctx_ttl_end(c, cap);
    return BK_OK;
}

/* Check <src> before any work and name its record in <doc> ("app" or
 * "session"); <what> becomes the audit message: the app name, or "session"
 * (the id is a bearer secret: never in clear). */
static enum bk_err
source_put(struct ctx *c, const struct shared_source *src, json_t *doc, const char **what)
{
    const char *key = "app", *v = src->appname;
    size_t len = src->appname_len;

    *what = NULL;
    if (src->appname != NULL && src->session != NULL)
        return ctx_fail(c, BK_EINVAL, "give an app name or a session, not both");
    if (src->appname != NULL && !appdata_name_valid(src->appname, src->appname_len))
        return ctx_fail(c, BK_EINVAL, "bad application name: use a-z, 0-9 and '-', "
                                      "at most 64 characters");
    if (src->session != NULL) {
        if (!sessions_id_valid(src->session, src->session_len))
            return ctx_fail(c, BK_EINVAL, "bad session id");
        key = "session";
        v = src->session;
        len = src->session_len;
    }
    if (v == NULL)
        return BK_OK;
    if (json_object_set_new(doc, key, json_stringn(v, len)) != 0)
        return BK_ENOMEM;
    *what = src->session != NULL ? "session" : json_string_value(json_object_get(doc, key));
    return BK_OK;
}

/* Within the open transaction: the record <spec> shares, of <user>, as a new
 * object in *out: the app record, the session's data or the profile. <dek>
 * is the user's data key (set here for the profile). */
static enum bk_err
source_read(struct ctx *c, const json_t *spec, const struct user_row *user,
            uint8_t dek[KEYS_LEN], json_t **out)
{
    const json_t *app = json_object_get(spec, "app"), *sid = json_object_get(spec, "session");

    *out = NULL;
    if ((app != NULL && !json_is_string(app)) || (sid != NULL && !json_is_string(sid)))
        return BK_ECORRUPT;
    if (app != NULL)
        return appdata_read(c, user, dek, json_string_value(app), out);
    if (sid != NULL)
        return sessions_read_tied(c, user, dek, json_string_value(sid), json_string_length(sid),
                                  out);
    return users_open(c, user, dek, out);
}

/* A refusal (400, 404) once the user is known gets an audit event of its own,
 * as the call's transaction was rolled back. */
static void
audit_refusal(struct ctx *c, struct audit_event *ev, enum bk_err err)
{
    const char *msg = c->errmsg;

    if (ev->record == NULL || (err != BK_EINVAL && err != BK_ENOTFOUND))
        return;
    ev->result = err;
    ev->after = NULL;
    ev->msg = msg;
    audit_write_alone(c, ev);
    c->errmsg = msg;
}

static enum bk_err
share_hash(struct ctx *c, const char *uuid, uint8_t out[STORE_HASH_LEN])
{
    char buf[6 + 37];

    memcpy(buf, "share:", 6);
    for (size_t i = 0; i < 36; i++)
        buf[6 + i] = (char)tolower((unsigned char)uuid[i]);
    buf[42] = '\0';
    return keys_token_hash(&c->app->vault, buf, 42, out);
}

enum bk_err
shared_create(struct ctx *c, const struct user_ref *ref, const struct shared_source *src,
              const json_t *fields, const char *partner, const char *expiration,
              size_t expiration_len, char token_out[37], char uuid_out[37])
{
    struct user_row user;
    struct shared_row row;
    uint8_t dek[KEYS_LEN];
    json_t *list = NULL, *doc = NULL, *shown = NULL;
    char *ident = NULL;
    struct audit_event ev = { .action = "SharedRecordCreate", .mode = users_mode_name(ref->mode) };
    enum bk_err err;

    token_out[0] = uuid_out[0] = '\0';
    memset(&user, 0, sizeof user);
    memset(&row, 0, sizeof row);
    memset(dek, 0, sizeof dek);
    err = parse_fields(c, fields, &list);
    if (err == BK_OK)
        err = expiry_of(c, expiration, expiration_len, &row.expires);
    if (err != BK_OK)
        goto out;
    doc = json_pack("{s:O}", "fields", list);
    ident = mem_strndup(ref->identity ? ref->identity : "", ref->identity_len);
    if (doc == NULL || ident == NULL ||
        (partner != NULL && json_object_set_new(doc, "partner", json_string(partner)) != 0)) {
        err = BK_ENOMEM;
        goto out;
    }
    err = source_put(c, src, doc, &ev.msg);
    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = users_find(c, ref, &user);
    if (err == BK_OK) {
        ev.record = user.token;
        ev.identity = ident;
        err = record_dek(c, &user, dek);
    }
    if (err == BK_OK)
        ev.dek = dek;
    /* the app record or session must exist: the share names something real */
    if (err == BK_OK && ev.msg != NULL) {
        err = source_read(c, doc, &user, dek, &shown);
        if (err == BK_ENOTFOUND)
            err = ctx_fail(c, err, "not found");
    }
    if (err == BK_OK)
        err = keys_uuid(uuid_out);
    if (err == BK_OK)
        err = share_hash(c, uuid_out, row.hash);
    if (err == BK_OK)
        err = record_seal(c, dek, "share", uuid_out, 0, doc, &row.body, &row.body_len);
    if (err == BK_OK) {
        row.tenant = c->tenant;
        row.user_id = user.id;
        memcpy(row.record, user.token, sizeof row.record);
        row.created = c->now;
        err = store_shared_insert(&c->db, &row);
    }
    if (err == BK_OK)
        err = audit_write(c, &ev);
    err = store_end(&c->db, err);
    if (err == BK_OK) {
        memcpy(token_out, user.token, 37);
    } else {
        uuid_out[0] = '\0';
        audit_refusal(c, &ev, err);
    }
out:
    json_decref(list);
    json_decref(doc);
    json_decref(shown);
    mem_free(ident);
    secbuf_wipe(dek, sizeof dek);
    store_shared_row_cleanup(&row);
    store_user_row_cleanup(&user);
    return err;
}

/* The value of field <name> in <profile> (borrowed), or NULL: the name
 * itself first, then as a dotted path into nested objects. */
static json_t *
pick(const json_t *profile, const char *name)
{
    json_t *v = json_object_get(profile, name);
    const char *s = name;

    if (v != NULL)
        return v;
    v = (json_t *)profile;
    while (v != NULL) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);

        if (!json_is_object(v) || n == 0)
            return NULL;
        v = json_object_getn(v, s, n);
        if (dot == NULL)
            return v;
        s = dot + 1;
    }
    return NULL;
}

static enum bk_err
build(const json_t *profile, const json_t *spec, const char *token, json_t **out)
{
    const json_t *fields = json_object_get(spec, "fields");
    json_t *data = json_object(), *f;
    size_t i;

    *out = NULL;
    if (data == NULL)
        return BK_ENOMEM;
    if (!json_is_array(fields)) {
        json_decref(data);
        return BK_ECORRUPT;
    }
    json_array_foreach(fields, i, f) {
        const char *name = json_string_value(f);
        json_t *v;
        int rc = 0;

        if (name == NULL)
            continue;
        if (strcmp(name, "token") == 0)
            rc = json_object_set_new(data, name, json_string(token));
        else if ((v = pick(profile, name)) != NULL)
            rc = json_object_set(data, name, v);
        if (rc != 0) {
            json_decref(data);
            return BK_ENOMEM;
        }
    }
    *out = data;
    return BK_OK;
}

enum bk_err
shared_get(struct ctx *c, const char *uuid, size_t uuid_len, json_t **data_out)
{
    struct shared_row row;
    struct user_row user;
    struct expiry_times times;
    uint8_t hash[STORE_HASH_LEN];
    uint8_t dek[KEYS_LEN];
    json_t *spec = NULL, *source = NULL, *data = NULL;
    const json_t *app;
    struct audit_event ev = { .action = "SharedRecordGet", .mode = "record" };
    enum bk_err err;

    *data_out = NULL;
    memset(&row, 0, sizeof row);
    memset(&user, 0, sizeof user);
    memset(dek, 0, sizeof dek);
    if (!users_token_valid(uuid, uuid_len))
        return ctx_fail(c, BK_EINVAL, "bad record uuid");
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = share_hash(c, uuid, hash);
    if (err == BK_OK)
        err = store_shared_get(&c->db, c->tenant, hash, &row);
    if (err == BK_OK && row.expires <= c->now)
        err = BK_ENOTFOUND;
    if (err == BK_OK)
        err = store_user_by_token(&c->db, c->tenant, row.record, &user);
    if (err == BK_OK && (user.status != USER_ACTIVE || user.dek == NULL))
        err = BK_ENOTFOUND;
    if (err == BK_OK)
        err = expiration_touch(c, &user, &times);
    if (err == BK_OK)
        err = record_dek(c, &user, dek);
    if (err == BK_OK) {
        char lower[37];

        for (size_t i = 0; i < 37; i++)
            lower[i] = (char)tolower((unsigned char)uuid[i]);
        err = record_open(c, dek, "share", lower, 0, row.body, row.body_len, &spec);
        if (err != BK_OK)
            err = BK_ECORRUPT;
    }
    if (err == BK_OK) {
        app = json_object_get(spec, "app");
        ev.msg = json_is_string(app) ? json_string_value(app) :
                 json_object_get(spec, "session") != NULL ? "session" : NULL;
        ev.record = user.token;
        ev.dek = dek;
        err = source_read(c, spec, &user, dek, &source);
    }
    if (err == BK_OK)
        err = build(source, spec, user.token, &data);
    if (err == BK_OK) {
        ev.after = data;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    if (err == BK_OK) {
        *data_out = data;
        data = NULL;
    } else {
        if (err == BK_ENOTFOUND)
            ctx_fail(c, err, "not found");
        /* the share was valid, what it shows is gone */
        audit_refusal(c, &ev, err);
    }
    json_decref(spec);
    json_decref(source);
    json_decref(data);
    secbuf_wipe(dek, sizeof dek);
    store_shared_row_cleanup(&row);
    store_user_row_cleanup(&user);
    return err;
}

enum bk_err
shared_sweep(struct ctx *c)
{
    int64_t removed = 0;
    enum bk_err err = store_begin(&c->db, 1);

    if (err != BK_OK)
        return err;
    err = store_shared_purge_expired(&c->db, c->now, &removed);
    err = store_end(&c->db, err);
    if (err == BK_ENOTIMPL)
        return BK_OK;
    if (err == BK_OK && removed > 0)
        LOG_INFO(c->rid, "shared", "removed %lld expired shared records", (long long)removed);
    return err;
}

enum bk_err
shared_forget(struct ctx *c, const struct user_row *user)
{
    enum bk_err err = store_shared_purge_user(&c->db, c->tenant, user->id);

    return err == BK_ENOTIMPL ? BK_OK : err;
}
