/* The user report: a fixed header, then one member per registered section. */
#include "report.h"

#include <string.h>

#include "../base/mem.h"
#include "../vault/secbuf.h"
#include "agreements.h"
#include "appdata.h"
#include "audit.h"
#include "journal.h"
#include "record.h"
#include "requests.h"
#include "sessions.h"

#define REPORT_AUDIT_MAX 10000   /* most recent events included */

static enum bk_err
section_profile(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
                json_t **out)
{
    enum bk_err err = record_open(c, dek, "user", user->token, user->version, user->body,
                                  user->body_len, out);

    return err == BK_ENOTFOUND ? BK_ECORRUPT : err;
}

struct audit_acc {
    struct ctx *c;
    const uint8_t *dek;
    json_t *rows;
};

static enum bk_err
audit_row_add(void *arg, const struct audit_row *row)
{
    struct audit_acc *a = arg;
    json_t *ev = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "atoken", row->atoken, "when",
                           (json_int_t)row->when, "action", row->action, "who", row->who,
                           "mode", row->mode, "status", row->status);
    json_t *details = NULL;

    if (ev == NULL)
        return BK_ENOMEM;
    if (row->msg[0] != '\0' && json_object_set_new(ev, "msg", json_string(row->msg)) != 0)
        goto oom;
    if (row->sealed != NULL &&
        record_open(a->c, a->dek, "audit", row->atoken, 0, row->sealed, row->sealed_len,
                    &details) == BK_OK &&
        json_object_set_new(ev, "details", details) != 0)
        goto oom;
    if (json_array_append_new(a->rows, ev) != 0)
        return BK_ENOMEM;
    return BK_OK;
oom:
    json_decref(ev);
    return BK_ENOMEM;
}

static enum bk_err
section_audit(struct ctx *c, const struct user_row *user, const uint8_t dek[KEYS_LEN],
              json_t **out)
{
    struct audit_acc a = { c, dek, json_array() };
    int64_t total = 0;
    enum bk_err err;

    *out = NULL;
    if (a.rows == NULL)
        return BK_ENOMEM;
    /* the events of earlier reads too (in this write transaction) */
    err = journal_take(c);
    if (err != BK_OK) {
        json_decref(a.rows);
        return err;
    }
    err = store_audit_list_user(&c->db, c->tenant, user->token, 0, REPORT_AUDIT_MAX, &total,
                                audit_row_add, &a);
    if (err == BK_OK)
        *out = json_pack("{s:I, s:o}", "total", (json_int_t)total, "events", a.rows);
    else
        json_decref(a.rows);
    if (err == BK_OK && *out == NULL)
        err = BK_ENOMEM;
    return err;
}

/* The sections, in report order. Families add one line each. */
static const struct {
    const char *name;
    report_section_fn fn;
} sections[] = {
    { "profile", section_profile },
    { "appdata", appdata_report },
    { "sessions", sessions_report },
    { "agreements", agreements_report },
    { "requests", requests_report },
    { "audit", section_audit },
    { NULL, NULL },
};

enum bk_err
report_user(struct ctx *c, const struct user_ref *ref, const char *action, json_t **out)
{
    struct user_row row;
    uint8_t dek[KEYS_LEN];
    json_t *rep = NULL;
    char *ident = mem_strndup(ref->identity ? ref->identity : "", ref->identity_len);
    struct audit_event ev = { .action = action, .mode = users_mode_name(ref->mode) };
    enum bk_err err;

    *out = NULL;
    memset(dek, 0, sizeof dek);
    memset(&row, 0, sizeof row);
    if (ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = users_lookup(c, ref, 0, &row);
    if (err == BK_OK)
        err = record_dek(c, &row, dek);
    if (err == BK_OK) {
        rep = json_pack("{s:s, s:I, s:I}", "token", row.token, "created", (json_int_t)row.created,
                        "updated", (json_int_t)row.updated);
        if (rep == NULL)
            err = BK_ENOMEM;
    }
    for (size_t i = 0; err == BK_OK && sections[i].name != NULL; i++) {
        json_t *part = NULL;

        err = sections[i].fn(c, &row, dek, &part);
        if (err == BK_ENOTIMPL) {
            /* a family this backend does not store yet: no section */
            json_decref(part);
            err = BK_OK;
            continue;
        }
        if (err == BK_OK && part != NULL && json_object_set_new(rep, sections[i].name, part) != 0)
            err = BK_ENOMEM;
    }
    if (err == BK_OK) {
        /* written after the audit section was read: the report shows the
         * trail as it stood when it was asked for */
        ev.record = row.token;
        ev.identity = ident;
        ev.dek = dek;
        err = audit_write(c, &ev);
    }
    err = store_end(&c->db, err);
    if (err == BK_OK) {
        *out = rep;
        rep = NULL;
    }
out:
    json_decref(rep);
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&row);
    mem_free(ident);
    return err;
}
