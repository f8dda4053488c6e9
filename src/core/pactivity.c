/* Processing activities: validation, the descriptive document, changes with
 * an audit event in the same transaction, links to legal bases. */
#include "pactivity.h"

#include <string.h>

#include "../base/mem.h"
#include "../store/consent.h"
#include "audit.h"
#include "consentval.h"

static const char *const text_fields[] = { "title", "script", "fulldesc", "applicableto", NULL };

static enum bk_err
check_name(struct ctx *c, const char *s, size_t len, const char *missing, const char *bad)
{
    if (s == NULL || len == 0)
        return ctx_fail(c, BK_EINVAL, missing);
    if (!consentval_name(s, len))
        return ctx_fail(c, BK_EINVAL, bad);
    return BK_OK;
}

static enum bk_err
check_activity(struct ctx *c, const char *s, size_t len)
{
    return check_name(c, s, len, "missing activity",
                      "bad activity: use 1 to 64 of a-z, 0-9 and -");
}

static enum bk_err
check_brief(struct ctx *c, const char *s, size_t len)
{
    return check_name(c, s, len, "missing brief", "bad brief: use 1 to 64 of a-z, 0-9 and -");
}

static enum bk_err
check_body(struct ctx *c, const json_t *body)
{
    if (!json_is_object(body))
        return ctx_fail(c, BK_EINVAL, "request body must be an object");
    for (size_t i = 0; text_fields[i] != NULL; i++) {
        const json_t *v = json_object_get(body, text_fields[i]);

        if (v != NULL && !json_is_null(v) && !json_is_string(v))
            return ctx_fail(c, BK_EINVAL, "processing activity fields must be strings");
    }
    return BK_OK;
}

/* row->doc becomes its old fields (or the defaults) with <body>'s applied. */
static enum bk_err
doc_merge(struct pactivity_row *row, const json_t *body)
{
    json_t *doc = NULL;
    char *text;

    if (row->doc != NULL)
        doc = json_loads(row->doc, JSON_REJECT_DUPLICATES, NULL);
    else
        doc = json_pack("{s:s, s:s, s:s, s:s}", "title", "", "script", "", "fulldesc", "",
                        "applicableto", "");
    if (doc == NULL || !json_is_object(doc)) {
        json_decref(doc);
        return row->doc != NULL ? BK_ECORRUPT : BK_ENOMEM;
    }
    for (size_t i = 0; text_fields[i] != NULL; i++) {
        json_t *v = json_object_get(body, text_fields[i]);

        if (v != NULL && !json_is_null(v) && json_object_set(doc, text_fields[i], v) != 0) {
            json_decref(doc);
            return BK_ENOMEM;
        }
    }
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (text == NULL)
        return BK_ENOMEM;
    mem_free(row->doc);
    row->doc = text;     /* jansson allocates through mem_alloc() */
    return BK_OK;
}

static void
set_name(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);

    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static enum bk_err
finish(struct ctx *c, enum bk_err err, const char *action, const char *name)
{
    struct audit_event ev = { .action = action, .mode = "", .msg = name };
    const char *msg;

    if (err == BK_OK)
        err = audit_write(c, &ev);
    msg = c->errmsg;
    err = store_end(&c->db, err);
    c->errmsg = msg;
    return err;
}

enum { WANT_CREATE = 1, WANT_UPDATE = 2 };

static enum bk_err
save(struct ctx *c, const char *activity, size_t len, const char *newname, size_t newlen,
     const json_t *body, int want, const char *action)
{
    struct pactivity_row row;
    enum bk_err err;

    memset(&row, 0, sizeof row);
    err = check_activity(c, activity, len);
    if (err == BK_OK && newname != NULL)
        err = check_activity(c, newname, newlen);
    if (err == BK_OK)
        err = check_body(c, body);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_consent_pactivity_get(&c->db, c->tenant, activity, &row);
    if (err == BK_OK) {
        if (want == WANT_CREATE) {
            err = ctx_fail(c, BK_ECONFLICT, "processing activity already exists");
        } else {
            err = doc_merge(&row, body);
            if (err == BK_OK && newname != NULL)
                set_name(row.activity, sizeof row.activity, newname);
            row.updated = c->now;
            if (err == BK_OK)
                err = store_consent_pactivity_update(&c->db, &row);
            if (err == BK_ECONFLICT)
                err = ctx_fail(c, err, "a processing activity with the new name already exists");
        }
    } else if (err == BK_ENOTFOUND && want == WANT_UPDATE) {
        err = ctx_fail(c, err, "not found");
    } else if (err == BK_ENOTFOUND) {
        memset(&row, 0, sizeof row);
        row.tenant = c->tenant;
        set_name(row.activity, sizeof row.activity, activity);
        row.created = row.updated = c->now;
        err = doc_merge(&row, body);
        if (err == BK_OK)
            err = store_consent_pactivity_insert(&c->db, &row);
        if (err == BK_ECONFLICT)
            err = ctx_fail(c, err, "processing activity already exists");
    }
    store_pactivity_row_cleanup(&row);
    return finish(c, err, action, activity);
}

enum bk_err
pactivity_create(struct ctx *c, const char *activity, size_t len, const json_t *body)
{
    return save(c, activity, len, NULL, 0, body, WANT_CREATE, "ProcessingActivityCreate");
}

enum bk_err
pactivity_update(struct ctx *c, const char *activity, size_t len, const char *newactivity,
                 size_t newlen, const json_t *body)
{
    return save(c, activity, len, newactivity, newlen, body, WANT_UPDATE,
                "ProcessingActivityUpdate");
}

enum bk_err
pactivity_upsert(struct ctx *c, const char *activity, size_t len, const json_t *body)
{
    return save(c, activity, len, NULL, 0, body, 0, "ProcessingActivityCreate");
}

enum bk_err
pactivity_delete(struct ctx *c, const char *activity, size_t len)
{
    struct pactivity_row row;
    enum bk_err err = check_activity(c, activity, len);

    memset(&row, 0, sizeof row);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_consent_pactivity_get(&c->db, c->tenant, activity, &row);
    if (err == BK_ENOTFOUND)
        err = ctx_fail(c, err, "not found");
    if (err == BK_OK)
        err = store_consent_pactivity_delete(&c->db, c->tenant, row.id);
    store_pactivity_row_cleanup(&row);
    return finish(c, err, "ProcessingActivityDelete", activity);
}

/* Both ends of a link, or "not found". A deleted legal basis is absent. */
static enum bk_err
link_ends(struct ctx *c, const char *activity, const char *brief, struct pactivity_row *pa,
          struct lbasis_row *lb)
{
    enum bk_err err;

    memset(pa, 0, sizeof *pa);
    memset(lb, 0, sizeof *lb);
    err = store_consent_pactivity_get(&c->db, c->tenant, activity, pa);
    if (err == BK_OK) {
        err = store_consent_lbasis_get(&c->db, c->tenant, brief, lb);
        if (err == BK_OK && strcmp(lb->status, "deleted") == 0)
            err = BK_ENOTFOUND;
    }
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    return err;
}

static enum bk_err
relink(struct ctx *c, const char *activity, size_t len, const char *brief, size_t brief_len,
       int link)
{
    struct pactivity_row pa;
    struct lbasis_row lb;
    enum bk_err err = check_activity(c, activity, len);

    memset(&pa, 0, sizeof pa);
    memset(&lb, 0, sizeof lb);
    if (err == BK_OK)
        err = check_brief(c, brief, brief_len);
    if (err != BK_OK)
        return err;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = link_ends(c, activity, brief, &pa, &lb);
    if (err == BK_OK && link)
        err = store_consent_pactivity_link(&c->db, c->tenant, pa.id, lb.id);
    else if (err == BK_OK)
        err = store_consent_pactivity_unlink(&c->db, c->tenant, pa.id, lb.id);
    store_pactivity_row_cleanup(&pa);
    store_lbasis_row_cleanup(&lb);
    return finish(c, err,
                  link ? "ProcessingActivityLinkLegalBasis" : "ProcessingActivityUnlinkLegalBasis",
                  activity);
}

enum bk_err
pactivity_link(struct ctx *c, const char *activity, size_t len, const char *brief,
               size_t brief_len)
{
    return relink(c, activity, len, brief, brief_len, 1);
}

enum bk_err
pactivity_unlink(struct ctx *c, const char *activity, size_t len, const char *brief,
                 size_t brief_len)
{
    return relink(c, activity, len, brief, brief_len, 0);
}

/* Rows in listing order, and a map from activity id to its "legalbasis". */
struct list_state {
    json_t *rows;
    json_t *by_id;       /* object: decimal id -> the row's legalbasis array */
};

static enum bk_err
list_one(void *arg, const struct pactivity_row *row)
{
    struct list_state *s = arg;
    json_t *doc = json_loads(row->doc ? row->doc : "{}", JSON_REJECT_DUPLICATES, NULL);
    json_t *out = NULL, *links = json_array();
    char key[24];
    enum bk_err err = BK_ENOMEM;

    if (doc == NULL || !json_is_object(doc)) {
        err = BK_ECORRUPT;
        goto out;
    }
    out = json_pack("{s:s}", "activity", row->activity);
    if (out == NULL || links == NULL || json_object_update(out, doc) != 0)
        goto out;
    if (json_object_set(out, "legalbasis", links) != 0 ||
        json_object_set_new(out, "created", json_integer(row->created)) != 0 ||
        json_object_set_new(out, "updated", json_integer(row->updated)) != 0)
        goto out;
    snprintf(key, sizeof key, "%lld", (long long)row->id);
    if (json_object_set(s->by_id, key, links) != 0 || json_array_append(s->rows, out) != 0)
        goto out;
    err = BK_OK;
out:
    json_decref(doc);
    json_decref(out);
    json_decref(links);
    return err;
}

static enum bk_err
list_link(void *arg, int64_t activity_id, const char *brief)
{
    struct list_state *s = arg;
    char key[24];
    json_t *links;

    snprintf(key, sizeof key, "%lld", (long long)activity_id);
    links = json_object_get(s->by_id, key);
    if (links == NULL)
        return BK_OK;
    return json_array_append_new(links, json_string(brief)) == 0 ? BK_OK : BK_ENOMEM;
}

enum bk_err
pactivity_list(struct ctx *c, json_t **rows_out)
{
    struct list_state s = { json_array(), json_object() };
    enum bk_err err = BK_ENOMEM;

    *rows_out = NULL;
    if (s.rows != NULL && s.by_id != NULL)
        err = store_begin(&c->db, 0);
    if (err == BK_OK) {
        err = store_consent_pactivity_list(&c->db, c->tenant, list_one, &s);
        if (err == BK_OK)
            err = store_consent_pactivity_list_links(&c->db, c->tenant, list_link, &s);
        store_rollback(&c->db);
    }
    json_decref(s.by_id);
    if (err != BK_OK) {
        json_decref(s.rows);
        return err;
    }
    *rows_out = s.rows;
    return BK_OK;
}
