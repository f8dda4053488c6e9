/* Agreements. Each call: validate the input, open a write transaction,
 * resolve the user and open their data key, do the work, write the audit
 * event, commit; a failure after the user was identified is audited on its
 * own. */
#include "agreements.h"

#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "consentval.h"
#include "lbasis.h"
#include "record.h"

/* The sealed fields, all strings. */
static const char *const text_fields[] = {
    "message", "freetext", "who", "lawfulbasis", "module", "agreementmethod",
    "referencecode", "lastmodifiedby", NULL,
};

static const char *const start_names[] = { "starttime", NULL };
static const char *const end_names[] = { "endtime", "finaltime", "expiration", NULL };

static enum bk_err
check_brief(struct ctx *c, const char *brief, size_t len)
{
    if (brief == NULL || len == 0)
        return ctx_fail(c, BK_EINVAL, "missing brief");
    if (!consentval_name(brief, len))
        return ctx_fail(c, BK_EINVAL, "bad brief: use 1 to 64 of a-z, 0-9 and -");
    return BK_OK;
}

/* The body member for text field <name>, or for its alias. */
static const json_t *
text_member(const json_t *body, const char *name)
{
    const json_t *v = json_object_get(body, name);

    if ((v == NULL || json_is_null(v)) && strcmp(name, "agreementmethod") == 0)
        v = json_object_get(body, "consentmethod");
    return v != NULL && !json_is_null(v) ? v : NULL;
}

static enum bk_err
text_check(struct ctx *c, const json_t *body)
{
    if (!json_is_object(body))
        return ctx_fail(c, BK_EINVAL, "request body must be an object");
    for (size_t i = 0; text_fields[i] != NULL; i++) {
        const json_t *v = text_member(body, text_fields[i]);

        if (v != NULL && !json_is_string(v))
            return ctx_fail(c, BK_EINVAL, "agreement fields must be strings");
    }
    return BK_OK;
}

/* Set the text fields <body> gives on <doc> (checked by text_check()). */
static enum bk_err
text_apply(json_t *doc, const json_t *body)
{
    for (size_t i = 0; text_fields[i] != NULL; i++) {
        const json_t *v = text_member(body, text_fields[i]);

        if (v != NULL && json_object_set(doc, text_fields[i], (json_t *)v) != 0)
            return BK_ENOMEM;
    }
    return BK_OK;
}

static enum bk_err
time_member(struct ctx *c, const json_t *body, const char *const *names, int64_t *out)
{
    *out = 0;
    for (size_t i = 0; names[i] != NULL; i++) {
        const json_t *v = json_object_get(body, names[i]);

        if (v == NULL || json_is_null(v))
            continue;
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
            *out = (int64_t)json_integer_value(v);
            return BK_OK;
        }
        if (json_is_string(v) && consentval_time(json_string_value(v), json_string_length(v),
                                                 c->now, out) == BK_OK)
            return BK_OK;
        return ctx_fail(c, BK_EINVAL, "bad starttime or endtime: use unix time or a duration "
                                      "such as 10d");
    }
    return BK_OK;
}

/* What an accept asks for. */
struct accept_in {
    const char *status;
    int64_t starttime;
    int64_t endtime;
    json_t *doc;
};

static enum bk_err
accept_parse(struct ctx *c, const json_t *body, struct accept_in *in)
{
    const json_t *v;
    enum bk_err err;

    memset(in, 0, sizeof *in);
    in->status = "accept";
    err = text_check(c, body);
    if (err != BK_OK)
        return err;
    v = json_object_get(body, "status");
    if (v != NULL && !json_is_null(v) &&
        (!json_is_string(v) ||
         consentval_status(json_string_value(v), json_string_length(v), &in->status) != BK_OK))
        return ctx_fail(c, BK_EINVAL, "bad status: use accept or cancel");
    err = time_member(c, body, start_names, &in->starttime);
    if (err == BK_OK)
        err = time_member(c, body, end_names, &in->endtime);
    if (err != BK_OK)
        return err;
    if (in->endtime != 0 && in->starttime != 0 && in->endtime < in->starttime)
        return ctx_fail(c, BK_EINVAL, "endtime is before starttime");
    in->doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "message", "", "freetext",
                        "", "who", "", "lawfulbasis", "consent", "module", "api",
                        "agreementmethod", "", "referencecode", "", "lastmodifiedby", "");
    if (in->doc == NULL)
        return BK_ENOMEM;
    err = text_apply(in->doc, body);
    if (err != BK_OK) {
        json_decref(in->doc);
        in->doc = NULL;
    }
    return err;
}

/* One call about one user. */
struct call {
    char *ident;
    struct user_row user;
    uint8_t dek[KEYS_LEN];
    int resolved;
    struct audit_event ev;
};

static enum bk_err
call_begin(struct ctx *c, struct call *k, const char *action, const struct user_ref *ref)
{
    enum bk_err err;

    memset(k, 0, sizeof *k);
    k->ev.action = action;
    k->ev.mode = users_mode_name(ref->mode);
    k->ident = mem_strndup(ref->identity ? ref->identity : "", ref->identity_len);
    if (k->ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 1);
    if (err == BK_OK)
        err = users_find(c, ref, &k->user);
    if (err == BK_OK) {
        err = record_dek(c, &k->user, k->dek);
        if (err == BK_ENOTFOUND)
            err = BK_ECORRUPT;
    }
    if (err == BK_OK) {
        k->resolved = 1;
        k->ev.record = k->user.token;
        k->ev.identity = k->ident;
        k->ev.dek = k->dek;
    }
    return err;
}

/* Audit, commit or roll back, and release what the call held. */
static enum bk_err
call_end(struct ctx *c, struct call *k, enum bk_err err)
{
    const char *msg;

    if (err == BK_OK)
        err = audit_write(c, &k->ev);
    err = store_end(&c->db, err);
    msg = c->errmsg;
    if (err != BK_OK && k->resolved &&
        (err == BK_ENOTFOUND || err == BK_EINVAL || err == BK_ECONFLICT)) {
        k->ev.result = err;
        k->ev.msg = msg;
        k->ev.before = NULL;
        k->ev.after = NULL;
        audit_write_alone(c, &k->ev);
    }
    c->errmsg = msg;
    mem_free(k->ident);
    k->ident = NULL;
    secbuf_wipe(k->dek, sizeof k->dek);
    store_user_row_cleanup(&k->user);
    return err;
}

/* The place a sealed agreement is bound to: its user and legal basis. */
static void
place_id(const char *user_token, int64_t lbasis_id, char out[64])
{
    snprintf(out, 64, "%s.%lld", user_token, (long long)lbasis_id);
}

static enum bk_err
agreement_open(struct ctx *c, const struct call *k, const struct agreement_row *row,
               json_t **out)
{
    char id[64];
    enum bk_err err;

    place_id(k->user.token, row->lbasis_id, id);
    err = record_open(c, k->dek, "agreement", id, row->version, row->sealed, row->sealed_len,
                      out);
    if (err == BK_OK && !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        err = BK_ECORRUPT;
    }
    if (err != BK_OK) {
        LOG_ERR(c->rid, "agreements", "stored agreement does not open: %s", bk_err_str(err));
        err = BK_ECORRUPT;
    }
    return err;
}

static enum bk_err
agreement_seal(struct ctx *c, const struct call *k, struct agreement_row *row, const json_t *doc)
{
    char id[64];

    place_id(k->user.token, row->lbasis_id, id);
    return record_seal(c, k->dek, "agreement", id, row->version, doc, &row->sealed,
                       &row->sealed_len);
}

/* The agreement as both APIs report it. */
static json_t *
view(struct ctx *c, const struct agreement_row *row, const char *brief, const char *user_token,
     const json_t *doc)
{
    json_t *out = json_pack("{s:s, s:s, s:s}", "brief", brief, "status",
                            consentval_effective(row->status, row->starttime, row->endtime,
                                                 c->now),
                            "token", user_token);
    int bad = out == NULL;

    for (size_t i = 0; !bad && text_fields[i] != NULL; i++) {
        json_t *v = json_object_get(doc, text_fields[i]);

        bad = json_object_set_new(out, text_fields[i],
                                  json_is_string(v) ? json_copy(v) : json_string("")) != 0;
    }
    if (!bad)
        bad = json_object_set_new(out, "starttime", json_integer(row->starttime)) != 0 ||
              json_object_set_new(out, "endtime", json_integer(row->endtime)) != 0 ||
              json_object_set_new(out, "created", json_integer(row->created)) != 0 ||
              json_object_set_new(out, "updated", json_integer(row->updated)) != 0 ||
              json_object_set_new(out, "when", json_integer(row->updated)) != 0;
    if (bad) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static enum bk_err
view_new(struct ctx *c, const struct agreement_row *row, const char *brief,
         const char *user_token, const json_t *doc, json_t **out)
{
    *out = view(c, row, brief, user_token, doc);
    return *out ? BK_OK : BK_ENOMEM;
}

/* The legal basis <brief> in any state, or "not found". */
static enum bk_err
lbasis_any(struct ctx *c, const char *brief, struct lbasis_row *out)
{
    enum bk_err err = store_consent_lbasis_get(&c->db, c->tenant, brief, out);

    return err == BK_ENOTFOUND ? ctx_fail(c, err, "not found") : err;
}

/* The agreement of the call's user to <lb>, opened; "not found" if none. */
static enum bk_err
agreement_find(struct ctx *c, const struct call *k, const struct lbasis_row *lb,
               struct agreement_row *row, json_t **doc)
{
    enum bk_err err = store_consent_agreement_get(&c->db, c->tenant, k->user.id, lb->id, row);

    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err == BK_OK)
        err = agreement_open(c, k, row, doc);
    return err;
}

enum bk_err
agreements_accept(struct ctx *c, const struct user_ref *ref, const char *brief, size_t brief_len,
                  const json_t *body, int implicit, json_t **out)
{
    struct accept_in in;
    struct call k;
    struct lbasis_row lb;
    struct agreement_row old, row;
    json_t *old_doc = NULL, *before = NULL, *after = NULL;
    int have_old = 0;
    enum bk_err err;

    if (out != NULL)
        *out = NULL;
    memset(&lb, 0, sizeof lb);
    memset(&old, 0, sizeof old);
    memset(&row, 0, sizeof row);
    err = check_brief(c, brief, brief_len);
    if (err == BK_OK)
        err = accept_parse(c, body, &in);
    if (err != BK_OK)
        return err;
    err = call_begin(c, &k, "AgreementAccept", ref);
    if (err == BK_OK)
        err = lbasis_require(c, brief, implicit, body, &lb);
    if (err == BK_OK) {
        err = store_consent_agreement_get(&c->db, c->tenant, k.user.id, lb.id, &old);
        have_old = err == BK_OK;
        if (err == BK_ENOTFOUND)
            err = BK_OK;
    }
    if (err == BK_OK && have_old) {
        err = agreement_open(c, &k, &old, &old_doc);
        if (err == BK_OK)
            err = view_new(c, &old, lb.brief, k.user.token, old_doc, &before);
    }
    if (err == BK_OK) {
        row.tenant = c->tenant;
        row.user_id = k.user.id;
        row.lbasis_id = lb.id;
        snprintf(row.status, sizeof row.status, "%s", in.status);
        row.starttime = in.starttime;
        row.endtime = in.endtime;
        row.created = have_old ? old.created : c->now;
        row.updated = c->now;
        row.version = have_old ? old.version + 1 : 1;
        err = agreement_seal(c, &k, &row, in.doc);
    }
    if (err == BK_OK)
        err = store_consent_agreement_put(&c->db, &row);
    if (err == BK_OK)
        err = view_new(c, &row, lb.brief, k.user.token, in.doc, &after);
    k.ev.before = before;
    k.ev.after = after;
    k.ev.msg = brief;
    err = call_end(c, &k, err);
    if (err == BK_OK && out != NULL) {
        *out = after;
        after = NULL;
    }
    json_decref(in.doc);
    json_decref(old_doc);
    json_decref(before);
    json_decref(after);
    store_lbasis_row_cleanup(&lb);
    store_agreement_row_cleanup(&old);
    store_agreement_row_cleanup(&row);
    return err;
}

enum bk_err
agreements_get(struct ctx *c, const struct user_ref *ref, const char *brief, size_t brief_len,
               json_t **out)
{
    struct call k;
    struct lbasis_row lb;
    struct agreement_row row;
    json_t *doc = NULL, *v = NULL;
    enum bk_err err;

    *out = NULL;
    memset(&lb, 0, sizeof lb);
    memset(&row, 0, sizeof row);
    err = check_brief(c, brief, brief_len);
    if (err != BK_OK)
        return err;
    err = call_begin(c, &k, "AgreementGet", ref);
    if (err == BK_OK)
        err = lbasis_any(c, brief, &lb);
    if (err == BK_OK)
        err = agreement_find(c, &k, &lb, &row, &doc);
    if (err == BK_OK)
        err = view_new(c, &row, lb.brief, k.user.token, doc, &v);
    k.ev.msg = brief;
    err = call_end(c, &k, err);
    if (err == BK_OK) {
        *out = v;
        v = NULL;
    }
    json_decref(doc);
    json_decref(v);
    store_lbasis_row_cleanup(&lb);
    store_agreement_row_cleanup(&row);
    return err;
}

struct list_state {
    struct ctx *c;
    const struct call *k;
    json_t *rows;
};

static enum bk_err
list_one(void *arg, const struct agreement_row *row)
{
    struct list_state *s = arg;
    json_t *doc = NULL;
    enum bk_err err = agreement_open(s->c, s->k, row, &doc);

    if (err == BK_OK && json_array_append_new(s->rows, view(s->c, row, row->brief,
                                                            s->k->user.token, doc)) != 0)
        err = BK_ENOMEM;
    json_decref(doc);
    return err;
}

enum bk_err
agreements_list(struct ctx *c, const struct user_ref *ref, json_t **rows_out)
{
    struct call k;
    struct list_state s = { c, &k, json_array() };
    enum bk_err err;

    *rows_out = NULL;
    if (s.rows == NULL)
        return BK_ENOMEM;
    err = call_begin(c, &k, "AgreementListUserAgreements", ref);
    if (err == BK_OK)
        err = store_consent_agreement_list_user(&c->db, c->tenant, k.user.id, list_one, &s);
    err = call_end(c, &k, err);
    if (err != BK_OK) {
        json_decref(s.rows);
        return err;
    }
    *rows_out = s.rows;
    return BK_OK;
}

enum bk_err
agreements_report(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
                  json_t **out)
{
    struct call k;
    struct list_state s = { c, &k, json_array() };
    enum bk_err err;

    *out = NULL;
    if (s.rows == NULL)
        return BK_ENOMEM;
    /* a call on the report's user: only its token and data key are read */
    memset(&k, 0, sizeof k);
    memcpy(k.user.token, user->token, sizeof k.user.token);
    memcpy(k.dek, dek, KEYS_LEN);
    err = store_consent_agreement_list_user(&c->db, c->tenant, user->id, list_one, &s);
    secbuf_wipe(k.dek, sizeof k.dek);
    if (err != BK_OK) {
        json_decref(s.rows);
        return err;
    }
    *out = s.rows;
    return BK_OK;
}

int
agreements_brief_valid(const char *brief, size_t len)
{
    return brief != NULL && len > 0 && consentval_name(brief, len);
}

enum bk_err
agreements_cancel(struct ctx *c, const struct user_ref *ref, const char *brief, size_t brief_len,
                  const json_t *body)
{
    return agreements_cancel_with(c, ref, brief, brief_len, body, NULL, NULL);
}

enum bk_err
agreements_cancel_with(struct ctx *c, const struct user_ref *ref, const char *brief,
                       size_t brief_len, const json_t *body, agreements_hook_fn hook, void *arg)
{
    struct call k;
    struct lbasis_row lb;
    struct agreement_row row;
    json_t *doc = NULL, *before = NULL, *after = NULL;
    uint8_t *oldbox;
    enum bk_err err;

    memset(&lb, 0, sizeof lb);
    memset(&row, 0, sizeof row);
    err = check_brief(c, brief, brief_len);
    if (err == BK_OK)
        err = text_check(c, body);
    if (err != BK_OK)
        return err;
    err = call_begin(c, &k, "AgreementCancel", ref);
    if (err == BK_OK)
        err = lbasis_any(c, brief, &lb);
    if (err == BK_OK)
        err = agreement_find(c, &k, &lb, &row, &doc);
    if (err == BK_OK)
        err = view_new(c, &row, lb.brief, k.user.token, doc, &before);
    if (err == BK_OK)
        err = text_apply(doc, body);
    if (err == BK_OK) {
        snprintf(row.status, sizeof row.status, "cancel");
        row.updated = c->now;
        row.version++;
        oldbox = row.sealed;
        row.sealed = NULL;
        mem_free(oldbox);
        err = agreement_seal(c, &k, &row, doc);
    }
    if (err == BK_OK)
        err = store_consent_agreement_put(&c->db, &row);
    if (err == BK_OK)
        err = view_new(c, &row, lb.brief, k.user.token, doc, &after);
    if (err == BK_OK && hook != NULL)
        err = hook(c, arg);
    k.ev.before = before;
    k.ev.after = after;
    k.ev.msg = brief;
    err = call_end(c, &k, err);
    json_decref(doc);
    json_decref(before);
    json_decref(after);
    store_lbasis_row_cleanup(&lb);
    store_agreement_row_cleanup(&row);
    return err;
}

static enum bk_err
collect_token(void *arg, const struct agreement_row *row)
{
    return json_array_append_new(arg, json_string(row->user_token)) == 0 ? BK_OK : BK_ENOMEM;
}

enum bk_err
agreements_revoke_lbasis(struct ctx *c, const struct lbasis_row *lb, const char *action,
                         int64_t *count_out)
{
    json_t *tokens = json_array();
    enum bk_err err;
    size_t i;
    json_t *t;

    *count_out = 0;
    if (tokens == NULL)
        return BK_ENOMEM;
    err = store_consent_agreement_list_lbasis(&c->db, c->tenant, lb->id, "accept", collect_token,
                                              tokens);
    if (err == BK_OK)
        err = store_consent_agreement_set_status_lbasis(&c->db, c->tenant, lb->id, "accept",
                                                        "revoked", c->now);
    json_array_foreach(tokens, i, t) {
        struct audit_event ev = {
            .action = action, .mode = "token", .record = json_string_value(t), .msg = lb->brief,
        };

        if (err != BK_OK)
            break;
        err = audit_write(c, &ev);
    }
    if (err == BK_OK)
        *count_out = (int64_t)json_array_size(tokens);
    json_decref(tokens);
    return err;
}

enum bk_err
agreements_revoke_all(struct ctx *c, const char *brief, size_t brief_len, int64_t *count_out)
{
    struct lbasis_row lb;
    struct audit_event ev = { .action = "AgreementRevokeAll", .mode = "", .msg = brief };
    const char *msg;
    enum bk_err err;

    *count_out = 0;
    memset(&lb, 0, sizeof lb);
    err = check_brief(c, brief, brief_len);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = lbasis_any(c, brief, &lb);
    if (err == BK_OK && strcmp(lb.status, "deleted") == 0)
        err = ctx_fail(c, BK_ENOTFOUND, "not found");
    if (err == BK_OK)
        err = agreements_revoke_lbasis(c, &lb, "AgreementRevokeAll", count_out);
    if (err == BK_OK)
        err = audit_write(c, &ev);
    msg = c->errmsg;
    err = store_end(&c->db, err);
    c->errmsg = msg;
    if (err != BK_OK)
        *count_out = 0;
    store_lbasis_row_cleanup(&lb);
    return err;
}

enum bk_err
agreements_forget(struct ctx *c, const struct user_row *user)
{
    enum bk_err err = store_consent_agreement_delete_user(&c->db, c->tenant, user->id);

    return err == BK_ENOTIMPL ? BK_OK : err;
}
