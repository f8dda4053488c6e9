/* Data-subject requests. A request row keeps its change sealed under the
 * user's data key ({"change":..., "reason":...}, bound to the row's UUID and
 * version). Approval runs the direct call's own code (users_modify,
 * users_delete_with) and marks the row approved inside that call's
 * transaction, so the change and the status commit together or not at all. */
#include "requests.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../base/mem.h"
#include "../vault/secbuf.h"
#include "agreements.h"
#include "appdata.h"
#include "audit.h"
#include "record.h"
#include "userpatch.h"

static const char st_open[] = "open";
static const char st_approved[] = "approved";
static const char st_cancelled[] = "cancelled";

void
requests_view_cleanup(struct request_view *v)
{
    store_request_row_cleanup(&v->row);
    json_decref(v->change);
    json_decref(v->reason);
    json_decref(v->original);
    v->change = v->reason = v->original = NULL;
}

static enum bk_err
rtoken_norm(struct ctx *c, const char *s, size_t len, char out[37])
{
    if (s == NULL || !users_token_valid(s, len))
        return ctx_fail(c, BK_EINVAL, "bad request uuid");
    for (size_t i = 0; i < 36; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[36] = '\0';
    return BK_OK;
}

static enum bk_err
reason_check(struct ctx *c, const char *reason)
{
    if (reason != NULL && strlen(reason) > REQUEST_REASON_MAX)
        return ctx_fail(c, BK_EINVAL, "reason too long");
    return BK_OK;
}

static void
set_status(struct request_row *row, const char *status)
{
    snprintf(row->status, sizeof row->status, "%s", status);
}

static enum bk_err
check_open(struct ctx *c, const struct request_row *row)
{
    if (strcmp(row->status, st_open) == 0)
        return BK_OK;
    if (strcmp(row->status, st_approved) == 0)
        return ctx_fail(c, BK_ECONFLICT, "request is already approved");
    return ctx_fail(c, BK_ECONFLICT, "request is cancelled");
}

static enum bk_err
get_row(struct ctx *c, const char *rtoken, struct request_row *out)
{
    enum bk_err err = store_requests_get(&c->db, c->tenant, rtoken, out);

    return err == BK_ENOTFOUND ? ctx_fail(c, err, "not found") : err;
}

/* The user with token <token> and, while it exists, their data key
 * (*have_dek), within the open transaction. */
static enum bk_err
user_key(struct ctx *c, const char *token, int allow_deleted, struct user_row *user,
         uint8_t dek[KEYS_LEN], int *have_dek)
{
    struct user_ref ref = { MODE_TOKEN, token, strlen(token) };
    enum bk_err err = users_row_get(c, &ref, allow_deleted, user);

    *have_dek = 0;
    if (err != BK_OK || user->dek == NULL)
        return err;
    err = record_dek(c, user, dek);
    if (err == BK_OK)
        *have_dek = 1;
    return err == BK_ENOTFOUND ? BK_OK : err;
}

/* The sealed part of <row> as a new object ({} when there is none). */
static enum bk_err
open_sealed(struct ctx *c, const uint8_t dek[KEYS_LEN], const struct request_row *row,
            json_t **out)
{
    enum bk_err err;

    *out = NULL;
    if (row->sealed == NULL) {
        *out = json_object();
        return *out ? BK_OK : BK_ENOMEM;
    }
    err = record_open(c, dek, "request", row->rtoken, row->version, row->sealed,
                      row->sealed_len, out);
    if (err == BK_OK && !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        err = BK_ECORRUPT;
    }
    return err;
}

/* Replace the sealed part of <row> by <doc> sealed under <dek> for the row's
 * current version; nothing is kept when <dek> is NULL or <doc> empty. */
static enum bk_err
reseal(struct ctx *c, const uint8_t *dek, struct request_row *row, const json_t *doc)
{
    mem_free(row->sealed);
    row->sealed = NULL;
    row->sealed_len = 0;
    if (dek == NULL || doc == NULL || json_object_size(doc) == 0)
        return BK_OK;
    return record_seal(c, dek, "request", row->rtoken, row->version, doc, &row->sealed,
                       &row->sealed_len);
}

static enum bk_err
check_change(struct ctx *c, const char *type, const json_t *change)
{
    if (strcmp(type, REQUEST_USER_DELETE) == 0)
        return BK_OK;
    if (strcmp(type, REQUEST_USER_UPDATE) == 0) {
        if (!json_is_object(change))
            return ctx_fail(c, BK_EINVAL, "user profile must be a JSON object");
        return BK_OK;
    }
    if (strcmp(type, REQUEST_USER_PATCH) == 0)
        return userpatch_check(c, change);
    if (strcmp(type, REQUEST_APPDATA_UPDATE) == 0) {
        if (!json_is_object(change))
            return ctx_fail(c, BK_EINVAL, "app data must be a JSON object");
        return BK_OK;
    }
    if (strcmp(type, REQUEST_AGREEMENT_CANCEL) == 0) {
        if (change != NULL && !json_is_object(change))
            return ctx_fail(c, BK_EINVAL, "agreement fields must be an object");
        return BK_OK;
    }
    return ctx_fail(c, BK_EINVAL, "unknown request type");
}

/* The target a request of <type> names: an app name for app data, a brief
 * for an agreement, nothing for the user's own record. */
static enum bk_err
check_target(struct ctx *c, const char *type, const char *target)
{
    size_t len = target != NULL ? strlen(target) : 0;

    if (strcmp(type, REQUEST_APPDATA_UPDATE) == 0) {
        if (!appdata_name_valid(target, len))
            return ctx_fail(c, BK_EINVAL, "bad application name: use a-z, 0-9 and '-', "
                                          "at most 64 characters");
        return BK_OK;
    }
    if (strcmp(type, REQUEST_AGREEMENT_CANCEL) == 0) {
        if (len == 0)
            return ctx_fail(c, BK_EINVAL, "missing brief");
        if (!agreements_brief_valid(target, len))
            return ctx_fail(c, BK_EINVAL, "bad brief: use 1 to 64 of a-z, 0-9 and -");
        return BK_OK;
    }
    if (len != 0)
        return BK_EINTERNAL;
    return BK_OK;
}

/* 1 for the types whose open request is answered again rather than opened
 * twice: the same withdrawal or deletion asked for again. */
static int
type_dedup(const char *type)
{
    return strcmp(type, REQUEST_USER_DELETE) == 0 || strcmp(type, REQUEST_AGREEMENT_CANCEL) == 0;
}

/* 1 for the types requests_approve() can apply. */
static int
type_known(const char *type)
{
    return strcmp(type, REQUEST_USER_DELETE) == 0 || strcmp(type, REQUEST_USER_UPDATE) == 0 ||
           strcmp(type, REQUEST_USER_PATCH) == 0 || strcmp(type, REQUEST_APPDATA_UPDATE) == 0 ||
           strcmp(type, REQUEST_AGREEMENT_CANCEL) == 0;
}

enum bk_err
requests_create(struct ctx *c, const struct user_ref *ref, const char *type, const char *target,
                const json_t *change, const char *action, char rtoken_out[37], int *existed)
{
    struct user_row user;
    struct request_row row;
    uint8_t dek[KEYS_LEN];
    json_t *doc = NULL;
    char *ident = NULL;
    struct audit_event ev = { .action = action, .mode = users_mode_name(ref->mode) };
    enum bk_err err;

    rtoken_out[0] = '\0';
    *existed = 0;
    memset(&user, 0, sizeof user);
    memset(&row, 0, sizeof row);
    memset(dek, 0, sizeof dek);
    if (target == NULL)
        target = "";
    err = check_change(c, type, change);
    if (err == BK_OK)
        err = check_target(c, type, target);
    if (err != BK_OK)
        return err;
    ident = mem_strndup(ref->identity ? ref->identity : "", ref->identity_len);
    if (ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = users_row_get(c, ref, 0, &user);
    if (err == BK_OK)
        err = record_dek(c, &user, dek);
    if (err == BK_OK && type_dedup(type)) {
        err = store_requests_find_open(&c->db, c->tenant, user.id, type, target, &row);
        if (err == BK_OK)
            *existed = 1;
        else if (err == BK_ENOTFOUND)
            err = BK_OK;
    }
    if (err == BK_OK && !*existed) {
        row.tenant = c->tenant;
        row.user_id = user.id;
        memcpy(row.user_token, user.token, sizeof row.user_token);
        snprintf(row.type, sizeof row.type, "%s", type);
        snprintf(row.target, sizeof row.target, "%s", target);
        set_status(&row, st_open);
        row.version = 1;
        row.created = row.updated = c->now;
        err = keys_uuid(row.rtoken);
        if (err == BK_OK && change != NULL) {
            doc = json_pack("{s:O}", "change", change);
            err = doc ? reseal(c, dek, &row, doc) : BK_ENOMEM;
        }
        if (err == BK_OK)
            err = store_requests_insert(&c->db, &row);
    }
    if (err == BK_OK) {
        ev.record = user.token;
        ev.identity = ident;
        ev.dek = dek;
        ev.after = change;
        ev.msg = row.rtoken;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    if (err == BK_OK)
        memcpy(rtoken_out, row.rtoken, 37);
out:
    json_decref(doc);
    secbuf_wipe(dek, sizeof dek);
    store_request_row_cleanup(&row);
    store_user_row_cleanup(&user);
    mem_free(ident);
    return err;
}

/* The current profile of an active <user>, or NULL. */
static json_t *
current_profile(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN])
{
    json_t *p = NULL;

    if (user->status != USER_ACTIVE || user->body == NULL)
        return NULL;
    if (record_open(c, dek, "user", user->token, user->version, user->body, user->body_len,
                    &p) != BK_OK)
        return NULL;
    return p;
}

enum bk_err
requests_get(struct ctx *c, const char *rtoken_in, size_t rtoken_len, struct request_view *out)
{
    struct user_row user;
    uint8_t dek[KEYS_LEN];
    char rtoken[37];
    json_t *doc = NULL;
    int have_dek = 0;
    struct audit_event ev = { .action = "UserRequestGet", .mode = "request" };
    enum bk_err err;

    memset(out, 0, sizeof *out);
    memset(&user, 0, sizeof user);
    memset(dek, 0, sizeof dek);
    err = rtoken_norm(c, rtoken_in, rtoken_len, rtoken);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        return err;
    err = get_row(c, rtoken, &out->row);
    if (err == BK_OK)
        err = user_key(c, out->row.user_token, 1, &user, dek, &have_dek);
    if (err == BK_OK && have_dek)
        err = open_sealed(c, dek, &out->row, &doc);
    if (err == BK_OK && doc != NULL) {
        out->change = json_incref(json_object_get(doc, "change"));
        out->reason = json_incref(json_object_get(doc, "reason"));
        out->original = current_profile(c, &user, dek);
    }
    if (err == BK_OK) {
        ev.record = out->row.user_token;
        ev.identity = rtoken;
        ev.dek = have_dek ? dek : NULL;
        ev.msg = rtoken;
    }
    err = audit_read_end(c, err, &ev);
    if (err != BK_OK)
        requests_view_cleanup(out);
    json_decref(doc);
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&user);
    return err;
}

enum bk_err
requests_list_user(struct ctx *c, const struct user_ref *ref, int64_t offset, int64_t limit,
                   int64_t *total, store_request_fn fn, void *arg)
{
    struct user_row user;
    uint8_t dek[KEYS_LEN];
    char *ident = NULL;
    struct audit_event ev = { .action = "UserRequestListUserRequests",
                              .mode = users_mode_name(ref->mode) };
    int have_dek = 0;
    enum bk_err err;

    *total = 0;
    memset(&user, 0, sizeof user);
    memset(dek, 0, sizeof dek);
    ident = mem_strndup(ref->identity ? ref->identity : "", ref->identity_len);
    if (ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        goto out;
    /* By token, a forgotten user's approved delete request stays listable. */
    err = users_row_get(c, ref, ref->mode == MODE_TOKEN, &user);
    if (err == BK_OK && user.dek != NULL) {
        err = record_dek(c, &user, dek);
        have_dek = err == BK_OK;
    }
    if (err == BK_OK)
        err = store_requests_list_user(&c->db, c->tenant, user.id, offset, limit, total, fn, arg);
    if (err == BK_OK) {
        ev.record = user.token;
        ev.identity = ident;
        ev.dek = have_dek ? dek : NULL;
    }
    err = audit_read_end(c, err, &ev);
out:
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&user);
    mem_free(ident);
    return err;
}

enum bk_err
requests_list(struct ctx *c, const char *status, int64_t offset, int64_t limit, int64_t *total,
              store_request_fn fn, void *arg)
{
    return requests_list_as(c, "UserRequestListAll", status, offset, limit, total, fn, arg);
}

enum bk_err
requests_list_as(struct ctx *c, const char *action, const char *status, int64_t offset,
                 int64_t limit, int64_t *total, store_request_fn fn, void *arg)
{
    struct audit_event ev = { .action = action, .mode = "request" };
    enum bk_err err;

    *total = 0;
    if (status != NULL && strcmp(status, st_open) != 0 && strcmp(status, st_approved) != 0 &&
        strcmp(status, st_cancelled) != 0)
        return ctx_fail(c, BK_EINVAL, "bad status: use open, approved or cancelled");
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        return err;
    err = store_requests_list(&c->db, c->tenant, status, offset, limit, total, fn, arg);
    err = audit_read_end(c, err, &ev);
    return err;
}

/* A refused step on an existing request <row>, on the record in a
 * transaction of its own; keeps c->errmsg. Nothing personal is kept. */
static void
audit_refusal(struct ctx *c, const char *action, const struct request_row *row,
              enum bk_err result)
{
    const char *msg = c->errmsg;
    struct audit_event ev = { .action = action, .mode = "request", .record = row->user_token,
                              .identity = row->rtoken, .result = result, .msg = msg };

    audit_write_alone(c, &ev);
    c->errmsg = msg;
}

/* What approval carries into the change's transaction. */
struct approve_state {
    struct request_row row;    /* as read before the change */
    uint8_t dek[KEYS_LEN];
    json_t *doc;               /* the opened sealed part */
    const char *reason;
    users_transform_fn transform;   /* profile requests: users_merge, userpatch_transform */
    json_type change_type;          /* what that transform takes */
};

/* Inside the change's transaction: the request is still the open one we
 * read; mark it approved and audit that. <keep> keeps the sealed part (the
 * user's key survives); a forgotten user's request keeps its metadata only. */
static enum bk_err
mark_approved(struct ctx *c, struct approve_state *st, int keep)
{
    struct request_row cur;
    struct audit_event ev = { .action = "UserRequestApprove", .mode = "request" };
    enum bk_err err = get_row(c, st->row.rtoken, &cur);

    if (err == BK_OK)
        err = check_open(c, &cur);
    if (err == BK_OK && cur.version != st->row.version)
        err = ctx_fail(c, BK_ECONFLICT, "request changed meanwhile: retry");
    if (err == BK_OK) {
        set_status(&cur, st_approved);
        cur.version++;
        cur.updated = c->now;
        if (keep && st->reason != NULL &&
            json_object_set_new(st->doc, "reason", json_string(st->reason)) != 0)
            err = BK_ENOMEM;
    }
    if (err == BK_OK)
        err = reseal(c, keep ? st->dek : NULL, &cur, st->doc);
    if (err == BK_OK)
        err = store_requests_update(&c->db, &cur);
    if (err == BK_OK) {
        ev.record = cur.user_token;
        ev.identity = cur.rtoken;
        ev.dek = keep ? st->dek : NULL;
        ev.msg = cur.rtoken;
        err = audit_write(c, &ev);
    }
    store_request_row_cleanup(&cur);
    return err;
}

/* The users_modify() transform of a profile request: the direct call's own
 * transform (st->transform: merge an object, apply a patch array) on the
 * stored change, then the request marked approved. */
static enum bk_err
approve_profile(struct ctx *c, const json_t *before, void *arg, json_t **after_out)
{
    struct approve_state *st = arg;
    json_t *change = json_object_get(st->doc, "change");
    enum bk_err err;

    *after_out = NULL;
    if (change == NULL || json_typeof(change) != st->change_type)
        return BK_ECORRUPT;
    err = st->transform(c, before, change, after_out);
    if (err == BK_OK)
        err = mark_approved(c, st, 1);
    return err;
}

/* The app data and agreement calls run this once their change is applied. */
static enum bk_err
approve_hook(struct ctx *c, void *arg)
{
    return mark_approved(c, arg, 1);
}

static enum bk_err
approve_delete(struct ctx *c, const struct user_row *row, void *arg)
{
    (void)row;
    /* The data key dies with this transaction: the row keeps only metadata. */
    return mark_approved(c, arg, 0);
}

/* Read the open request and its sealed part into <st>, in a read transaction. */
static enum bk_err
approve_load(struct ctx *c, const char *rtoken, struct approve_state *st)
{
    struct user_row user;
    int have_dek = 0;
    enum bk_err err = store_begin(&c->db, 0);

    memset(&user, 0, sizeof user);
    if (err != BK_OK)
        return err;
    err = get_row(c, rtoken, &st->row);
    if (err == BK_OK)
        err = check_open(c, &st->row);
    if (err == BK_OK && !type_known(st->row.type))
        err = ctx_fail(c, BK_ENOTIMPL, "this server does not know the stored request's type");
    if (err == BK_OK)
        err = user_key(c, st->row.user_token, 0, &user, st->dek, &have_dek);
    if (err == BK_OK && !have_dek)
        err = BK_ECORRUPT;
    if (err == BK_OK)
        err = open_sealed(c, st->dek, &st->row, &st->doc);
    store_rollback(&c->db);
    store_user_row_cleanup(&user);
    return err;
}

/* Approve a request on app data or an agreement through the family's own
 * call, the request marked approved inside its transaction. */
static enum bk_err
approve_target(struct ctx *c, const struct user_ref *ref, struct approve_state *st,
               char token[37])
{
    const json_t *change = json_object_get(st->doc, "change");
    json_t *none = NULL;
    enum bk_err err;

    if (strcmp(st->row.type, REQUEST_APPDATA_UPDATE) == 0) {
        if (!json_is_object(change))
            return BK_ECORRUPT;
        err = appdata_update_with(c, ref, st->row.target, strlen(st->row.target), change,
                                  approve_hook, st);
    } else {
        if (change == NULL)
            change = none = json_object();
        if (change == NULL)
            return BK_ENOMEM;
        err = agreements_cancel_with(c, ref, st->row.target, strlen(st->row.target), change,
                                     approve_hook, st);
    }
    json_decref(none);
    if (err == BK_OK)
        memcpy(token, st->row.user_token, 37);
    return err;
}

enum bk_err
requests_approve(struct ctx *c, const char *rtoken_in, size_t rtoken_len, const char *reason,
                 char user_token_out[37])
{
    struct approve_state st;
    struct user_ref ref = { MODE_TOKEN, NULL, 36 };
    char rtoken[37], token[37];
    enum bk_err err;

    user_token_out[0] = '\0';
    memset(&st, 0, sizeof st);
    st.reason = reason;
    err = rtoken_norm(c, rtoken_in, rtoken_len, rtoken);
    if (err == BK_OK)
        err = reason_check(c, reason);
    if (err == BK_OK)
        err = approve_load(c, rtoken, &st);
    ref.identity = st.row.user_token;
    if (err == BK_OK && strcmp(st.row.type, REQUEST_USER_DELETE) == 0)
        err = users_delete_with(c, &ref, approve_delete, &st, token);
    else if (err == BK_OK && strcmp(st.row.type, REQUEST_USER_UPDATE) == 0) {
        st.transform = users_merge;
        st.change_type = JSON_OBJECT;
        err = users_modify(c, &ref, "UserUpdate", approve_profile, &st, token);
    } else if (err == BK_OK && strcmp(st.row.type, REQUEST_USER_PATCH) == 0) {
        st.transform = userpatch_transform;
        st.change_type = JSON_ARRAY;
        err = users_modify(c, &ref, "UserPatch", approve_profile, &st, token);
    }
    else if (err == BK_OK)
        err = approve_target(c, &ref, &st, token);
    if (err == BK_OK)
        memcpy(user_token_out, token, 37);
    else if (st.row.user_token[0] != '\0')
        audit_refusal(c, "UserRequestApprove", &st.row, err);   /* the request is unchanged */
    json_decref(st.doc);
    secbuf_wipe(st.dek, sizeof st.dek);
    store_request_row_cleanup(&st.row);
    return err;
}

enum bk_err
requests_cancel(struct ctx *c, const char *rtoken_in, size_t rtoken_len, const char *reason)
{
    struct request_row row;
    struct user_row user;
    uint8_t dek[KEYS_LEN];
    char rtoken[37];
    json_t *doc = NULL, *after = NULL;
    int have_dek = 0;
    struct audit_event ev = { .action = "UserRequestCancel", .mode = "request" };
    enum bk_err err;

    memset(&row, 0, sizeof row);
    memset(&user, 0, sizeof user);
    memset(dek, 0, sizeof dek);
    err = rtoken_norm(c, rtoken_in, rtoken_len, rtoken);
    if (err == BK_OK)
        err = reason_check(c, reason);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = get_row(c, rtoken, &row);
    if (err == BK_OK)
        err = check_open(c, &row);
    if (err == BK_OK)
        err = user_key(c, row.user_token, 1, &user, dek, &have_dek);
    if (err == BK_OK && have_dek)
        err = open_sealed(c, dek, &row, &doc);
    if (err == BK_OK && doc != NULL && reason != NULL &&
        json_object_set_new(doc, "reason", json_string(reason)) != 0)
        err = BK_ENOMEM;
    if (err == BK_OK) {
        set_status(&row, st_cancelled);
        row.version++;
        row.updated = c->now;
        err = reseal(c, have_dek ? dek : NULL, &row, doc);
    }
    if (err == BK_OK)
        err = store_requests_update(&c->db, &row);
    if (err == BK_OK && reason != NULL) {
        after = json_pack("{s:s}", "reason", reason);
        if (after == NULL)
            err = BK_ENOMEM;
    }
    if (err == BK_OK) {
        ev.record = row.user_token;
        ev.identity = rtoken;
        ev.dek = have_dek ? dek : NULL;
        ev.after = after;
        ev.msg = rtoken;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    if (err == BK_ECONFLICT)
        audit_refusal(c, "UserRequestCancel", &row, err);
    json_decref(doc);
    json_decref(after);
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&user);
    store_request_row_cleanup(&row);
    return err;
}

struct report_state {
    struct ctx *c;
    const uint8_t *dek;
    json_t *rows;
};

static enum bk_err
report_one(void *arg, const struct request_row *row)
{
    struct report_state *s = arg;
    json_t *doc = NULL, *o;
    enum bk_err err = open_sealed(s->c, s->dek, row, &doc);

    if (err != BK_OK)
        return err;
    o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "requestuuid", row->rtoken, "requesttype",
                  row->type, "status", row->status, "creationtime", (json_int_t)row->created,
                  "when", (json_int_t)row->updated);
    if (o != NULL && row->target[0] != '\0' &&
        json_object_set_new(o, "target", json_string(row->target)) != 0)
        err = BK_ENOMEM;
    if (o != NULL && err == BK_OK && json_object_update(o, doc) != 0)
        err = BK_ENOMEM;
    json_decref(doc);
    if (o == NULL || err != BK_OK || json_array_append_new(s->rows, o) != 0) {
        json_decref(o);
        return BK_ENOMEM;
    }
    return BK_OK;
}

enum bk_err
requests_report(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
                json_t **out)
{
    struct report_state s = { c, dek, json_array() };
    int64_t total = 0;
    enum bk_err err;

    *out = NULL;
    if (s.rows == NULL)
        return BK_ENOMEM;
    err = store_requests_list_user(&c->db, c->tenant, user->id, 0, REQUEST_REPORT_MAX, &total,
                                   report_one, &s);
    if (err != BK_OK) {
        json_decref(s.rows);
        return err;
    }
    *out = s.rows;
    return BK_OK;
}

enum bk_err
requests_forget_user(struct ctx *c, const struct user_row *user)
{
    enum bk_err err = store_requests_purge_user(&c->db, c->tenant, user->id);

    return err == BK_ENOTIMPL ? BK_OK : err;
}
