/* Record versions: sealing, listing, pruning. Each version is sealed under
 * the owner's data key with associated data naming its place
 * ("v-<kind>", tenant, record, version), so a version cannot be read as the
 * current record, as another version, or as another record's. */
#include "versions.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "../base/hex.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../store/versions.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "period.h"
#include "record.h"

int
versions_enabled(const struct ctx *c)
{
    return c->app->conf->versioning_enabled != 0;
}

/* The associated-data kind of a version of <kind>: "v-<kind>". */
static int
place_kind(const char *kind, char out[32])
{
    int n = snprintf(out, 32, "v-%s", kind);

    return n > 0 && n < 32;
}

static enum bk_err
keep(struct ctx *c, const char *kind, const char *record, int64_t user_id,
     const uint8_t dek[KEYS_LEN], int64_t version, const json_t *doc)
{
    struct version_row row = { .version = version, .optime = c->now };
    char pk[32];
    enum bk_err err;

    if (!place_kind(kind, pk))
        return BK_EINTERNAL;
    err = record_seal(c, dek, pk, record, version, doc, &row.body, &row.body_len);
    if (err == BK_OK)
        err = store_versions_put(&c->db, c->tenant, kind, record, user_id, &row);
    store_version_row_cleanup(&row);
    return err;
}

enum bk_err
versions_write(struct ctx *c, const char *kind, const char *record, int64_t user_id,
               const uint8_t dek[KEYS_LEN], const json_t *before, int64_t version,
               const json_t *after)
{
    enum bk_err err = BK_OK;

    if (!versions_enabled(c))
        return BK_OK;
    /* The previous content is kept too, in case versioning was switched on
     * after it was written; an existing version is left as it is. */
    if (before != NULL && version > 1)
        err = keep(c, kind, record, user_id, dek, version - 1, before);
    if (err == BK_OK)
        err = keep(c, kind, record, user_id, dek, version, after);
    if (err == BK_OK && c->app->conf->max_versions > 0)
        err = store_versions_prune_count(&c->db, c->tenant, kind, record,
                                         (int64_t)c->app->conf->max_versions);
    if (err != BK_OK)
        LOG_ERR(c->rid, "versions", "cannot keep a version: %s", bk_err_str(err));
    return err;
}

enum bk_err
versions_user_write(struct ctx *c, const struct user_row *row, const uint8_t dek[KEYS_LEN],
                    const json_t *before, const json_t *after)
{
    return versions_write(c, VERSIONS_KIND_USER, row->token, row->id, dek, before, row->version,
                          after);
}

static enum bk_err
open_row(struct ctx *c, const char *kind, const char *record, const uint8_t dek[KEYS_LEN],
         const struct version_row *row, json_t **out)
{
    char pk[32];
    enum bk_err err;

    if (!place_kind(kind, pk))
        return BK_EINTERNAL;
    err = record_open(c, dek, pk, record, row->version, row->body, row->body_len, out);
    if (err != BK_OK) {
        LOG_ERR(c->rid, "versions", "stored version does not open: %s", bk_err_str(err));
        return BK_ECORRUPT;
    }
    return BK_OK;
}

enum bk_err
versions_open(struct ctx *c, const char *kind, const char *record, const uint8_t dek[KEYS_LEN],
              int64_t version, json_t **out)
{
    struct version_row row;
    enum bk_err err;

    *out = NULL;
    if (!versions_enabled(c))
        return ctx_fail(c, BK_EINVAL, "record versioning is not enabled");
    err = store_versions_get(&c->db, c->tenant, kind, record, version, &row);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err == BK_OK)
        err = open_row(c, kind, record, dek, &row, out);
    store_version_row_cleanup(&row);
    return err;
}

enum bk_err
versions_md5(const json_t *doc, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    size_t len;
    int ok;

    out[0] = '\0';
    if (text == NULL)
        return BK_ENOMEM;
    len = strlen(text);
    ok = EVP_Digest(text, len, md, &md_len, EVP_md5(), NULL) == 1 && md_len == 16;
    secbuf_wipe(text, len);
    mem_free(text);
    if (!ok)
        return BK_ECRYPTO;
    hex_encode(md, 16, out);
    return BK_OK;
}

struct list_state {
    struct ctx *c;
    const char *kind;
    const char *record;
    const uint8_t *dek;
    json_t *rows;
};

static enum bk_err
list_one(void *arg, const struct version_row *row)
{
    struct list_state *s = arg;
    json_t *doc = NULL, *item;
    char md5[33];
    enum bk_err err = open_row(s->c, s->kind, s->record, s->dek, row, &doc);

    if (err == BK_OK)
        err = versions_md5(doc, md5);
    json_decref(doc);
    if (err != BK_OK)
        return err;
    item = json_pack("{s:I, s:I, s:s}", "version", (json_int_t)row->version, "optime",
                     (json_int_t)row->optime, "md5", md5);
    if (item == NULL || json_array_append_new(s->rows, item) != 0)
        return BK_ENOMEM;
    return BK_OK;
}

enum bk_err
versions_list(struct ctx *c, const char *kind, const char *record, const uint8_t dek[KEYS_LEN],
              json_t **out)
{
    struct list_state s = { c, kind, record, dek, NULL };
    enum bk_err err;

    *out = NULL;
    if (!versions_enabled(c))
        return ctx_fail(c, BK_EINVAL, "record versioning is not enabled");
    s.rows = json_array();
    if (s.rows == NULL)
        return BK_ENOMEM;
    err = store_versions_list(&c->db, c->tenant, kind, record, list_one, &s);
    if (err != BK_OK) {
        json_decref(s.rows);
        return err;
    }
    *out = s.rows;
    return BK_OK;
}

enum bk_err
versions_user_list(struct ctx *c, const struct user_ref *ref, char token_out[37],
                   json_t **versions_out)
{
    struct user_row row;
    uint8_t dek[KEYS_LEN];
    char *ident = NULL;
    json_t *rows = NULL;
    struct audit_event ev = { .action = "UserListVersions", .mode = users_mode_name(ref->mode) };
    enum bk_err err;

    token_out[0] = '\0';
    *versions_out = NULL;
    memset(&row, 0, sizeof row);
    memset(dek, 0, sizeof dek);
    if (!versions_enabled(c))
        return ctx_fail(c, BK_EINVAL, "record versioning is not enabled");
    ident = mem_strndup(ref->identity ? ref->identity : "", ref->identity_len);
    if (ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        goto out;
    err = users_find(c, ref, &row);
    if (err == BK_OK)
        err = record_dek(c, &row, dek);
    if (err == BK_OK)
        err = versions_list(c, VERSIONS_KIND_USER, row.token, dek, &rows);
    if (err == BK_OK) {
        ev.record = row.token;
        ev.identity = ident;
        ev.dek = dek;
    }
    err = audit_read_end(c, err, &ev);
    if (err == BK_OK) {
        memcpy(token_out, row.token, 37);
        *versions_out = rows;
        rows = NULL;
    }
out:
    json_decref(rows);
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&row);
    mem_free(ident);
    return err;
}

enum bk_err
versions_forget(struct ctx *c, const struct user_row *user)
{
    enum bk_err err = store_versions_purge_user(&c->db, c->tenant, user->id);

    return err == BK_ENOTIMPL ? BK_OK : err;
}

enum bk_err
versions_sweep(struct ctx *c)
{
    const char *p = c->app->conf->max_version_retention_period;
    int64_t period, removed = 0;
    enum bk_err err;

    if (!versions_enabled(c) || p == NULL)
        return BK_OK;
    if (period_parse(p, strlen(p), &period) != BK_OK) {
        LOG_WARN(c->rid, "versions", "versioning.max_version_retention_period is not a period "
                 "such as 30d: nothing pruned");
        return BK_OK;
    }
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_versions_prune_age(&c->db, c->now - period, &removed);
    err = store_end(&c->db, err);
    if (err == BK_OK && removed > 0)
        LOG_INFO(c->rid, "versions", "pruned %lld old versions", (long long)removed);
    return err;
}
