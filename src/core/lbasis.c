/* Legal bases: validation, the descriptive document, create/update/delete
 * with an audit event in the same transaction, and listing. */
#include "lbasis.h"

#include <string.h>

#include "../base/mem.h"
#include "agreements.h"
#include "audit.h"
#include "consentval.h"

static const char *const text_fields[] = {
    "module", "shortdesc", "fulldesc", "basistype", "requiredmsg", NULL,
};
static const char *const flag_fields[] = { "requiredflag", "usercontrol", NULL };

static enum bk_err
check_brief(struct ctx *c, const char *brief, size_t len)
{
    if (brief == NULL || len == 0)
        return ctx_fail(c, BK_EINVAL, "missing brief");
    if (!consentval_name(brief, len))
        return ctx_fail(c, BK_EINVAL, "bad brief: use 1 to 64 of a-z, 0-9 and -");
    return BK_OK;
}

/* A boolean as JSON or as a form writes it. */
static int
flag_value(const json_t *v, int *out)
{
    static const char *const yes[] = { "true", "1", "yes", "on", NULL };
    static const char *const no[] = { "false", "0", "no", "off", "", NULL };

    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 1;
    }
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        *out = json_integer_value(v) == 1;
        return 1;
    }
    if (!json_is_string(v))
        return 0;
    for (size_t i = 0; yes[i] != NULL; i++) {
        if (strcmp(json_string_value(v), yes[i]) == 0) {
            *out = 1;
            return 1;
        }
    }
    for (size_t i = 0; no[i] != NULL; i++) {
        if (strcmp(json_string_value(v), no[i]) == 0) {
            *out = 0;
            return 1;
        }
    }
    return 0;
}

/* A new document with every field at its default. */
static json_t *
doc_defaults(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "module", "", "shortdesc", "",
                     "fulldesc", "", "basistype", "consent", "requiredmsg", "", "requiredflag",
                     0, "usercontrol", 1);
}

/* Apply the fields <body> gives onto <doc>; <status> (a static string) is
 * set when the body names one. Changes nothing on error. */
static enum bk_err
doc_apply(struct ctx *c, json_t *doc, const json_t *body, const char **status)
{
    const json_t *v;
    int flag;

    for (size_t i = 0; text_fields[i] != NULL; i++) {
        v = json_object_get(body, text_fields[i]);
        if (v != NULL && !json_is_null(v) && !json_is_string(v))
            return ctx_fail(c, BK_EINVAL, "legal basis fields must be strings");
    }
    for (size_t i = 0; flag_fields[i] != NULL; i++) {
        v = json_object_get(body, flag_fields[i]);
        if (v != NULL && !json_is_null(v) && !flag_value(v, &flag))
            return ctx_fail(c, BK_EINVAL, "requiredflag and usercontrol must be true or false");
    }
    v = json_object_get(body, "status");
    if (v != NULL && !json_is_null(v)) {
        const char *s = json_is_string(v) ? json_string_value(v) : "";

        if (strcmp(s, "active") == 0)
            *status = "active";
        else if (strcmp(s, "inactive") == 0)
            *status = "inactive";
        else
            return ctx_fail(c, BK_EINVAL, "bad status: use active or inactive");
    }
    for (size_t i = 0; text_fields[i] != NULL; i++) {
        v = json_object_get(body, text_fields[i]);
        if (v != NULL && !json_is_null(v) && json_object_set(doc, text_fields[i], (json_t *)v))
            return BK_ENOMEM;
    }
    for (size_t i = 0; flag_fields[i] != NULL; i++) {
        v = json_object_get(body, flag_fields[i]);
        if (v != NULL && !json_is_null(v) && flag_value(v, &flag) &&
            json_object_set_new(doc, flag_fields[i], json_boolean(flag)))
            return BK_ENOMEM;
    }
    return BK_OK;
}

/* Serialize <doc> into row->doc (a new string). */
static enum bk_err
doc_store(json_t *doc, struct lbasis_row *row)
{
    char *text = json_dumps(doc, JSON_COMPACT);

    if (text == NULL)
        return BK_ENOMEM;
    mem_free(row->doc);
    row->doc = text;     /* jansson allocates through mem_alloc() */
    return BK_OK;
}

static enum bk_err
doc_load(const struct lbasis_row *row, json_t **out)
{
    *out = json_loads(row->doc ? row->doc : "{}", JSON_REJECT_DUPLICATES, NULL);
    if (*out == NULL || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return BK_ECORRUPT;
    }
    return BK_OK;
}

static void
set_text(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);

    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static enum bk_err
audit_admin(struct ctx *c, const char *action, const char *name)
{
    struct audit_event ev = { .action = action, .mode = "", .msg = name };

    return audit_write(c, &ev);
}

/* Insert a new legal basis, or bring back the deleted row <old> (NULL when
 * there is none), from the defaults with <body> applied. */
static enum bk_err
insert_fresh(struct ctx *c, const char *brief, const json_t *body, struct lbasis_row *old,
             struct lbasis_row *out)
{
    const char *status = "active";
    json_t *doc = doc_defaults();
    enum bk_err err;

    memset(out, 0, sizeof *out);
    if (doc == NULL)
        return BK_ENOMEM;
    err = doc_apply(c, doc, body, &status);
    if (err == BK_OK)
        err = doc_store(doc, out);
    json_decref(doc);
    if (err != BK_OK)
        return err;
    out->tenant = c->tenant;
    set_text(out->brief, sizeof out->brief, brief);
    set_text(out->status, sizeof out->status, status);
    out->created = out->updated = c->now;
    if (old != NULL) {
        out->id = old->id;
        out->created = old->created;
        err = store_consent_lbasis_update(&c->db, out);
    } else {
        err = store_consent_lbasis_insert(&c->db, out);
    }
    if (err == BK_ECONFLICT)
        err = ctx_fail(c, err, "legal basis already exists");
    if (err != BK_OK)
        store_lbasis_row_cleanup(out);
    return err;
}

/* Apply <body> to the existing <row>, renaming it to <newbrief> if given. */
static enum bk_err
modify(struct ctx *c, struct lbasis_row *row, const char *newbrief, const json_t *body)
{
    const char *status = NULL;
    json_t *doc = NULL;
    enum bk_err err = doc_load(row, &doc);

    if (err == BK_OK)
        err = doc_apply(c, doc, body, &status);
    if (err == BK_OK)
        err = doc_store(doc, row);
    json_decref(doc);
    if (err != BK_OK)
        return err;
    if (status != NULL)
        set_text(row->status, sizeof row->status, status);
    if (newbrief != NULL)
        set_text(row->brief, sizeof row->brief, newbrief);
    row->updated = c->now;
    err = store_consent_lbasis_update(&c->db, row);
    if (err == BK_ECONFLICT)
        return ctx_fail(c, err, "a legal basis with the new brief already exists");
    return err;
}

static enum bk_err
finish(struct ctx *c, enum bk_err err)
{
    const char *msg = c->errmsg;

    err = store_end(&c->db, err);
    c->errmsg = msg;
    return err;
}

/* Look <brief> up; a deleted one is reported as absent but kept in *out. */
static enum bk_err
lookup(struct ctx *c, const char *brief, struct lbasis_row *out, int *deleted)
{
    enum bk_err err = store_consent_lbasis_get(&c->db, c->tenant, brief, out);

    *deleted = err == BK_OK && strcmp(out->status, "deleted") == 0;
    if (err == BK_OK && *deleted)
        return BK_ENOTFOUND;
    return err;
}

enum {
    WANT_CREATE = 1,   /* a live one is a conflict */
    WANT_UPDATE = 2,   /* an absent one is "not found" */
};

static enum bk_err
save(struct ctx *c, const char *brief, size_t brief_len, const char *newbrief,
     size_t newbrief_len, const json_t *body, int want, const char *action)
{
    struct lbasis_row row;
    int deleted = 0;
    enum bk_err err;

    memset(&row, 0, sizeof row);
    err = check_brief(c, brief, brief_len);
    if (err == BK_OK && newbrief != NULL)
        err = check_brief(c, newbrief, newbrief_len);
    if (err == BK_OK && !json_is_object(body))
        err = ctx_fail(c, BK_EINVAL, "request body must be an object");
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = lookup(c, brief, &row, &deleted);
    if (err == BK_OK) {
        if (want == WANT_CREATE)
            err = ctx_fail(c, BK_ECONFLICT, "legal basis already exists");
        else if (newbrief != NULL && strcmp(newbrief, brief) != 0)
            err = modify(c, &row, newbrief, body);
        else
            err = modify(c, &row, NULL, body);
    } else if (err == BK_ENOTFOUND) {
        if (want == WANT_UPDATE) {
            err = ctx_fail(c, BK_ENOTFOUND, "not found");
        } else {
            struct lbasis_row fresh;

            err = insert_fresh(c, brief, body, deleted ? &row : NULL, &fresh);
            if (err == BK_OK)
                store_lbasis_row_cleanup(&fresh);
        }
    }
    if (err == BK_OK)
        err = audit_admin(c, action, brief);
    store_lbasis_row_cleanup(&row);
    return finish(c, err);
}

enum bk_err
lbasis_create(struct ctx *c, const char *brief, size_t brief_len, const json_t *body)
{
    return save(c, brief, brief_len, NULL, 0, body, WANT_CREATE, "LegalBasisCreate");
}

enum bk_err
lbasis_update(struct ctx *c, const char *brief, size_t brief_len, const char *newbrief,
              size_t newbrief_len, const json_t *body)
{
    return save(c, brief, brief_len, newbrief, newbrief_len, body, WANT_UPDATE,
                "LegalBasisUpdate");
}

enum bk_err
lbasis_upsert(struct ctx *c, const char *brief, size_t brief_len, const json_t *body)
{
    return save(c, brief, brief_len, NULL, 0, body, 0, "LegalBasisCreate");
}

enum bk_err
lbasis_delete(struct ctx *c, const char *brief, size_t brief_len, int64_t *revoked_out)
{
    struct lbasis_row row;
    int64_t n = 0;
    int deleted = 0;
    enum bk_err err;

    *revoked_out = 0;
    memset(&row, 0, sizeof row);
    err = check_brief(c, brief, brief_len);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = lookup(c, brief, &row, &deleted);
    if (err == BK_ENOTFOUND)
        err = ctx_fail(c, err, "not found");
    if (err == BK_OK)
        err = store_consent_agreement_count_lbasis(&c->db, c->tenant, row.id, &n);
    if (err == BK_OK)
        err = store_consent_pactivity_unlink_lbasis(&c->db, c->tenant, row.id);
    if (err == BK_OK && n == 0) {
        err = store_consent_lbasis_delete(&c->db, c->tenant, row.id);
    } else if (err == BK_OK) {
        /* Users agreed to it: their agreements are revoked and kept, and so
         * is the legal basis they name. */
        err = agreements_revoke_lbasis(c, &row, "LegalBasisDelete", revoked_out);
        if (err == BK_OK) {
            set_text(row.status, sizeof row.status, "deleted");
            row.updated = c->now;
            err = store_consent_lbasis_update(&c->db, &row);
        }
    }
    if (err == BK_OK)
        err = audit_admin(c, "LegalBasisDelete", brief);
    store_lbasis_row_cleanup(&row);
    return finish(c, err);
}

static json_t *
view(const struct lbasis_row *row)
{
    json_t *doc = NULL, *out;

    if (doc_load(row, &doc) != BK_OK)
        return NULL;
    out = json_pack("{s:s, s:s}", "brief", row->brief, "status", row->status);
    if (out == NULL || json_object_update(out, doc) != 0 ||
        json_object_set_new(out, "created", json_integer(row->created)) != 0 ||
        json_object_set_new(out, "updated", json_integer(row->updated)) != 0) {
        json_decref(out);
        out = NULL;
    }
    json_decref(doc);
    return out;
}

static enum bk_err
collect(void *arg, const struct lbasis_row *row)
{
    json_t *rows = arg;

    if (strcmp(row->status, "deleted") == 0)
        return BK_OK;
    return json_array_append_new(rows, view(row)) == 0 ? BK_OK : BK_ENOMEM;
}

enum bk_err
lbasis_list(struct ctx *c, json_t **rows_out)
{
    json_t *rows = json_array();
    enum bk_err err;

    *rows_out = NULL;
    if (rows == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 0);
    if (err == BK_OK) {
        err = store_consent_lbasis_list(&c->db, c->tenant, collect, rows);
        store_rollback(&c->db);
    }
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    *rows_out = rows;
    return BK_OK;
}

enum bk_err
lbasis_require(struct ctx *c, const char *brief, int implicit, const json_t *fields,
               struct lbasis_row *out)
{
    struct lbasis_row old;
    int deleted = 0;
    enum bk_err err;
    json_t *defaults;
    const json_t *v;

    memset(out, 0, sizeof *out);
    err = lookup(c, brief, out, &deleted);
    if (err == BK_OK) {
        if (strcmp(out->status, "active") != 0) {
            store_lbasis_row_cleanup(out);
            return ctx_fail(c, BK_EINVAL, "legal basis is not active");
        }
        return BK_OK;
    }
    if (err != BK_ENOTFOUND)
        return err;
    if (!implicit) {
        store_lbasis_row_cleanup(out);
        return ctx_fail(c, BK_ENOTFOUND, "not found");
    }
    /* A consent to a brief nobody defined yet defines it (the released
     * server's behaviour for /v1/consent). */
    old = *out;
    defaults = json_object();
    if (defaults == NULL) {
        store_lbasis_row_cleanup(&old);
        return BK_ENOMEM;
    }
    v = json_object_get(fields, "lawfulbasis");
    if (json_is_string(v) && json_string_length(v) > 0)
        json_object_set(defaults, "basistype", (json_t *)v);
    v = json_object_get(fields, "module");
    json_object_set_new(defaults, "module",
                        json_is_string(v) && json_string_length(v) > 0 ? json_copy((json_t *)v)
                                                                       : json_string("api"));
    err = insert_fresh(c, brief, defaults, deleted ? &old : NULL, out);
    if (err == BK_OK)
        err = audit_admin(c, "LegalBasisCreate", brief);
    json_decref(defaults);
    store_lbasis_row_cleanup(&old);
    return err;
}
