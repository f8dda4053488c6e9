/* The app data service. One path for every per-user call: resolve the user,
 * open their data key, read the record, do the operation, write the audit
 * event, commit; on failure roll back and audit the refusal when the user
 * was identified. */
#include "appdata.h"

#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../store/appdata.h"
#include "../store/versions.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "record.h"
#include "versions.h"

#define APPDATA_KIND "appdata"

int
appdata_name_valid(const char *name, size_t len)
{
    if (name == NULL || len == 0 || len > STORE_APPNAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return 0;
    }
    return 1;
}

enum op { OP_PUT, OP_MERGE, OP_GET, OP_DELETE, OP_LIST, OP_VERSIONS };

static const char *const op_action[] = {
    [OP_PUT] = "AppdataCreate",
    [OP_MERGE] = "AppdataUpdate",
    [OP_GET] = "AppdataGet",
    [OP_DELETE] = "AppdataDelete",
    [OP_LIST] = "AppdataListUserAppNames",
    [OP_VERSIONS] = "AppdataListVersions",
};

/* What one call works on. */
struct call {
    enum op op;
    const struct user_ref *ref;
    char appname[STORE_APPNAME_MAX + 1];
    const json_t *in;            /* PUT: the record; MERGE: the changes */
    int64_t version;             /* GET: a kept version; 0 for the current one */
    json_t *result;              /* GET: the record; LIST: the names; VERSIONS: the list */
    appdata_hook_fn hook;        /* MERGE: run in the transaction once applied */
    void *hook_arg;
};

static enum bk_err
name_append(void *arg, const char *name)
{
    return json_array_append_new(arg, json_string(name)) == 0 ? BK_OK : BK_ENOMEM;
}

/* A new object: <base> with <changes> merged in (null removes). */
static json_t *
merged(const json_t *base, const json_t *changes)
{
    json_t *out = json_deep_copy(base), *v;
    const char *key;

    if (out == NULL)
        return NULL;
    json_object_foreach((json_t *)changes, key, v) {
        int rc = json_is_null(v) ? (json_object_del(out, key), 0) : json_object_set(out, key, v);

        if (rc != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* The record's id within its kind: "<user token>/<appname>". */
static void
record_id(const struct user_row *user, const char *appname,
          char id[37 + 1 + STORE_APPNAME_MAX + 1])
{
    snprintf(id, 37 + 1 + STORE_APPNAME_MAX + 1, "%s/%s", user->token, appname);
}

/* Seal <doc> as the record's next version and store it; with versioning on,
 * <before> (NULL at creation) and <doc> are kept as numbered versions. */
static enum bk_err
seal_put(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
         struct appdata_row *row, int existed, const json_t *before, const json_t *doc)
{
    char id[37 + 1 + STORE_APPNAME_MAX + 1];
    uint8_t *box = NULL;
    size_t box_len = 0;
    enum bk_err err;

    record_id(user, row->appname, id);
    row->tenant = c->tenant;
    row->user_id = user->id;
    row->version = existed ? row->version + 1 : 1;
    row->updated = c->now;
    if (!existed)
        row->created = c->now;
    err = record_seal(c, dek, "appdata", id, row->version, doc, &box, &box_len);
    if (err != BK_OK)
        return err;
    mem_free(row->body);
    row->body = box;
    row->body_len = box_len;
    err = store_appdata_put(&c->db, row);
    if (err == BK_OK)
        err = versions_write(c, APPDATA_KIND, id, user->id, dek, existed ? before : NULL,
                             row->version, doc);
    return err;
}

/* A removed record's versions go with it: a record created again under the
 * same name starts again at version 1. */
static enum bk_err
drop_versions(struct ctx *c, const struct user_row *user, const char *appname)
{
    char id[37 + 1 + STORE_APPNAME_MAX + 1];
    enum bk_err err;

    record_id(user, appname, id);
    err = store_versions_prune_count(&c->db, c->tenant, APPDATA_KIND, id, 0);
    return err == BK_ENOTIMPL ? BK_OK : err;
}

static enum bk_err
open_record(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
            const struct appdata_row *row, json_t **out)
{
    char id[37 + 1 + STORE_APPNAME_MAX + 1];
    enum bk_err err;

    record_id(user, row->appname, id);
    err = record_open(c, dek, "appdata", id, row->version, row->body, row->body_len, out);
    if (err == BK_OK && !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        err = BK_ECORRUPT;
    }
    if (err != BK_OK)
        LOG_ERR(c->rid, "appdata", "stored app data does not open: %s", bk_err_str(err));
    return err == BK_ENOTFOUND ? BK_ECORRUPT : err;
}

/* The operation itself, within the open transaction, the user resolved. */
static enum bk_err
apply(struct ctx *c, struct call *k, const struct user_row *user, const uint8_t dek[KEYS_LEN],
      struct appdata_row *row, json_t **before, json_t **after)
{
    char id[37 + 1 + STORE_APPNAME_MAX + 1];
    int existed = 0;
    enum bk_err err;

    if (k->op == OP_LIST) {
        k->result = json_array();
        if (k->result == NULL)
            return BK_ENOMEM;
        return store_appdata_list_user(&c->db, c->tenant, user->id, name_append, k->result);
    }
    err = store_appdata_get(&c->db, c->tenant, user->id, k->appname, row);
    if (err == BK_OK) {
        existed = 1;
        err = open_record(c, user, dek, row, before);
    } else if (err == BK_ENOTFOUND && k->op == OP_PUT) {
        memset(row, 0, sizeof *row);
        memcpy(row->appname, k->appname, sizeof row->appname);
        err = BK_OK;
    } else if (err == BK_ENOTFOUND) {
        return ctx_fail(c, err, "not found");
    }
    if (err != BK_OK)
        return err;
    switch (k->op) {
    case OP_PUT:
        *after = json_incref((json_t *)k->in);
        break;
    case OP_MERGE:
        *after = merged(*before, k->in);
        if (*after == NULL)
            return BK_ENOMEM;
        break;
    case OP_GET:
        if (k->version == 0 || k->version == row->version) {
            k->result = json_incref(*before);
            return BK_OK;
        }
        record_id(user, k->appname, id);
        return versions_open(c, APPDATA_KIND, id, dek, k->version, &k->result);
    case OP_VERSIONS:
        record_id(user, k->appname, id);
        return versions_list(c, APPDATA_KIND, id, dek, &k->result);
    case OP_DELETE:
        err = store_appdata_remove(&c->db, c->tenant, user->id, k->appname);
        return err == BK_OK ? drop_versions(c, user, k->appname) : err;
    case OP_LIST:
        break;
    }
    return seal_put(c, user, dek, row, existed, *before, *after);
}

static enum bk_err
run(struct ctx *c, struct call *k)
{
    struct user_row user;
    struct appdata_row row;
    uint8_t dek[KEYS_LEN];
    json_t *before = NULL, *after = NULL;
    char *ident = mem_strndup(k->ref->identity, k->ref->identity_len);
    struct audit_event ev = { .action = op_action[k->op], .mode = users_mode_name(k->ref->mode) };
    char vmsg[STORE_APPNAME_MAX + 40];
    int resolved = 0;
    enum bk_err err;

    memset(&user, 0, sizeof user);
    memset(&row, 0, sizeof row);
    memset(dek, 0, sizeof dek);
    if (ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = users_find(c, k->ref, &user);
    if (err == BK_OK) {
        resolved = 1;
        err = record_dek(c, &user, dek);
        if (err == BK_ENOTFOUND)
            err = BK_ECORRUPT;
    }
    if (err == BK_OK)
        err = apply(c, k, &user, dek, &row, &before, &after);
    if (err == BK_OK && k->hook != NULL)
        err = k->hook(c, k->hook_arg);
    ev.record = user.token;
    ev.identity = ident;
    ev.dek = resolved ? dek : NULL;
    ev.msg = k->appname[0] != '\0' ? k->appname : NULL;
    if (k->op == OP_GET && k->version != 0) {
        snprintf(vmsg, sizeof vmsg, "%s version %lld", k->appname, (long long)k->version);
        ev.msg = vmsg;
    }
    if (k->op != OP_GET && k->op != OP_VERSIONS) {
        ev.before = before;
        ev.after = after;
    }
    if (err == BK_OK)
        err = audit_write(c, &ev);
    err = store_end(&c->db, err);
    if (err != BK_OK && resolved &&
        (err == BK_EINVAL || err == BK_ENOTFOUND || err == BK_ECONFLICT)) {
        const char *msg = c->errmsg;

        ev.result = err;
        ev.before = ev.after = NULL;
        ev.msg = msg;
        audit_write_alone(c, &ev);
        c->errmsg = msg;
    }
out:
    if (err != BK_OK) {
        json_decref(k->result);
        k->result = NULL;
    }
    json_decref(before);
    json_decref(after);
    secbuf_wipe(dek, sizeof dek);
    store_appdata_row_cleanup(&row);
    store_user_row_cleanup(&user);
    mem_free(ident);
    return err;
}

/* Check the name and the input before any work. */
static enum bk_err
call_init(struct ctx *c, struct call *k, enum op op, const struct user_ref *ref,
          const char *appname, size_t appname_len, const json_t *in)
{
    memset(k, 0, sizeof *k);
    k->op = op;
    k->ref = ref;
    k->in = in;
    if (op != OP_LIST) {
        if (!appdata_name_valid(appname, appname_len))
            return ctx_fail(c, BK_EINVAL, "bad application name: use a-z, 0-9 and '-', "
                                          "at most 64 characters");
        memcpy(k->appname, appname, appname_len);
        k->appname[appname_len] = '\0';
    }
    if ((op == OP_PUT || op == OP_MERGE) && !json_is_object(in))
        return ctx_fail(c, BK_EINVAL, "app data must be a JSON object");
    if (op == OP_VERSIONS && !versions_enabled(c))
        return ctx_fail(c, BK_EINVAL, "record versioning is not enabled");
    return BK_OK;
}

enum bk_err
appdata_put(struct ctx *c, const struct user_ref *ref, const char *appname, size_t appname_len,
            const json_t *data)
{
    struct call k;
    enum bk_err err = call_init(c, &k, OP_PUT, ref, appname, appname_len, data);

    return err == BK_OK ? run(c, &k) : err;
}

enum bk_err
appdata_update(struct ctx *c, const struct user_ref *ref, const char *appname,
               size_t appname_len, const json_t *changes)
{
    return appdata_update_with(c, ref, appname, appname_len, changes, NULL, NULL);
}

enum bk_err
appdata_update_with(struct ctx *c, const struct user_ref *ref, const char *appname,
                    size_t appname_len, const json_t *changes, appdata_hook_fn hook, void *arg)
{
    struct call k;
    enum bk_err err = call_init(c, &k, OP_MERGE, ref, appname, appname_len, changes);

    k.hook = hook;
    k.hook_arg = arg;
    return err == BK_OK ? run(c, &k) : err;
}

enum bk_err
appdata_get(struct ctx *c, const struct user_ref *ref, const char *appname, size_t appname_len,
            json_t **data_out)
{
    return appdata_get_version(c, ref, appname, appname_len, 0, data_out);
}

enum bk_err
appdata_get_version(struct ctx *c, const struct user_ref *ref, const char *appname,
                    size_t appname_len, int64_t version, json_t **data_out)
{
    struct call k;
    enum bk_err err = call_init(c, &k, OP_GET, ref, appname, appname_len, NULL);

    k.version = version;
    *data_out = NULL;
    if (err == BK_OK)
        err = run(c, &k);
    if (err == BK_OK)
        *data_out = k.result;
    return err;
}

enum bk_err
appdata_delete(struct ctx *c, const struct user_ref *ref, const char *appname,
               size_t appname_len)
{
    struct call k;
    enum bk_err err = call_init(c, &k, OP_DELETE, ref, appname, appname_len, NULL);

    return err == BK_OK ? run(c, &k) : err;
}

enum bk_err
appdata_list_user(struct ctx *c, const struct user_ref *ref, json_t **names_out)
{
    struct call k;
    enum bk_err err = call_init(c, &k, OP_LIST, ref, NULL, 0, NULL);

    *names_out = NULL;
    if (err == BK_OK)
        err = run(c, &k);
    if (err == BK_OK)
        *names_out = k.result;
    return err;
}

enum bk_err
appdata_list_versions(struct ctx *c, const struct user_ref *ref, const char *appname,
                      size_t appname_len, json_t **versions_out)
{
    struct call k;
    enum bk_err err = call_init(c, &k, OP_VERSIONS, ref, appname, appname_len, NULL);

    *versions_out = NULL;
    if (err == BK_OK)
        err = run(c, &k);
    if (err == BK_OK)
        *versions_out = k.result;
    return err;
}

enum bk_err
appdata_list_all(struct ctx *c, json_t **names_out)
{
    struct audit_event ev = { .action = "AppdataListAppNames" };
    json_t *names = json_array();
    enum bk_err err;

    *names_out = NULL;
    if (names == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 0);
    if (err == BK_OK) {
        err = store_appdata_list_all(&c->db, c->tenant, name_append, names);
        err = audit_read_end(c, err, &ev);
    }
    if (err != BK_OK) {
        json_decref(names);
        return err;
    }
    *names_out = names;
    return BK_OK;
}

enum bk_err
appdata_read(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
             const char *appname, json_t **out)
{
    struct appdata_row row;
    enum bk_err err;

    *out = NULL;
    memset(&row, 0, sizeof row);
    err = store_appdata_get(&c->db, c->tenant, user->id, appname, &row);
    if (err == BK_OK)
        err = open_record(c, user, dek, &row, out);
    store_appdata_row_cleanup(&row);
    return err;
}

enum bk_err
appdata_report(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
               json_t **out)
{
    json_t *names = json_array(), *apps = json_object(), *name;
    size_t i;
    enum bk_err err = names && apps ? BK_OK : BK_ENOMEM;

    *out = NULL;
    /* the names first: no lookup while the listing runs */
    if (err == BK_OK)
        err = store_appdata_list_user(&c->db, c->tenant, user->id, name_append, names);
    json_array_foreach(names, i, name) {
        json_t *doc = NULL;

        if (err != BK_OK)
            break;
        err = appdata_read(c, user, dek, json_string_value(name), &doc);
        if (err == BK_OK && json_object_set_new(apps, json_string_value(name), doc) != 0)
            err = BK_ENOMEM;
    }
    json_decref(names);
    if (err != BK_OK) {
        json_decref(apps);
        return err;
    }
    *out = apps;
    return BK_OK;
}

enum bk_err
appdata_forget_user(struct ctx *c, const struct user_row *user)
{
    return store_appdata_delete_user(&c->db, c->tenant, user->id);
}
