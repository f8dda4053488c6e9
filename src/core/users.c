/* The user service. Every path: resolve the user, open their data key, do
 * the change, write the audit event, commit; on any failure roll back, so
 * nothing half-done is ever visible. */
#include "users.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../store/system.h"
#include "../vault/blindidx.h"
#include "../vault/secbuf.h"
#include "audit.h"
#include "authz.h"
#include "expiration.h"
#include "forget.h"
#include "ledger.h"
#include "normalize.h"
#include "record.h"
#include "search.h"
#include "versions.h"

#define KINDS 5   /* index kinds 1..4 */

static const char *const mode_names[KINDS] = { "token", "email", "phone", "login", "custom" };

enum bk_err
users_mode_parse(const char *name, size_t len, enum user_mode *out)
{
    for (int i = 0; i < KINDS; i++) {
        if (strlen(mode_names[i]) == len && memcmp(mode_names[i], name, len) == 0) {
            *out = (enum user_mode)i;
            return BK_OK;
        }
    }
    return BK_EINVAL;
}

const char *
users_mode_name(enum user_mode m)
{
    return (unsigned)m < KINDS ? mode_names[m] : "?";
}

int
users_token_valid(const char *s, size_t len)
{
    if (len != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

/* The normalized index values of a profile and their blind hashes. */
struct index_set {
    int present[KINDS];
    uint8_t hash[KINDS][BLINDIDX_LEN];
};

static const char *const bad_value_msg[KINDS] = {
    "", "invalid email", "invalid phone", "invalid login", "invalid custom index",
};

static enum bk_err
hash_identity(struct ctx *c, int kind, const char *v, size_t len, uint8_t out[BLINDIDX_LEN])
{
    char norm[NORMALIZE_MAX + 1];
    size_t norm_len = 0;
    enum bk_err err;

    if (len > NORMALIZE_MAX)
        return ctx_fail(c, BK_EINVAL, "identity too long");
    err = normalize_identity((enum index_kind)kind, v, len, c->app->conf->default_country, norm,
                             &norm_len);
    if (err == BK_ETOOBIG)
        return ctx_fail(c, BK_EINVAL, "identity too long");
    if (err != BK_OK)
        return ctx_fail(c, BK_EINVAL, bad_value_msg[kind]);
    err = blindidx_compute(ctx_vault(c), c->tenant, kind, norm, norm_len, out);
    secbuf_wipe(norm, sizeof norm);
    return err;
}

static enum bk_err
index_set_build(struct ctx *c, const json_t *profile, struct index_set *out)
{
    memset(out, 0, sizeof *out);
    for (int kind = INDEX_EMAIL; kind <= INDEX_CUSTOM; kind++) {
        const json_t *v = json_object_get(profile, mode_names[kind]);
        char num[32];
        const char *s;
        size_t len;
        enum bk_err err;

        if (v == NULL || json_is_null(v))
            continue;
        if (json_is_string(v)) {
            s = json_string_value(v);
            len = json_string_length(v);
        } else if (json_is_integer(v) && kind != INDEX_EMAIL) {
            int n = snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            s = num;
            len = n > 0 ? (size_t)n : 0;
        } else {
            return ctx_fail(c, BK_EINVAL, bad_value_msg[kind]);
        }
        if (len == 0)
            continue;
        err = hash_identity(c, kind, s, len, out->hash[kind]);
        if (err != BK_OK)
            return err;
        out->present[kind] = 1;
    }
    return BK_OK;
}

static const char *const dup_msg[KINDS] = {
    "", "user with this email already exists", "user with this phone already exists",
    "user with this login already exists", "user with this custom index already exists",
};

/* Make the stored indexes of <user_id> equal <want>, given they were <have>. */
static enum bk_err
index_apply(struct ctx *c, int64_t user_id, const struct index_set *have,
            const struct index_set *want)
{
    for (int kind = INDEX_EMAIL; kind <= INDEX_CUSTOM; kind++) {
        int same = have->present[kind] == want->present[kind] &&
                   (!want->present[kind] ||
                    memcmp(have->hash[kind], want->hash[kind], BLINDIDX_LEN) == 0);
        enum bk_err err;

        if (same)
            continue;
        if (have->present[kind]) {
            err = store_index_delete(&c->db, c->tenant, kind, user_id);
            if (err != BK_OK)
                return err;
        }
        if (want->present[kind]) {
            err = store_index_put(&c->db, c->tenant, kind, want->hash[kind], user_id);
            if (err == BK_ECONFLICT)
                return ctx_fail(c, err, dup_msg[kind]);
            if (err != BK_OK)
                return err;
        }
    }
    return BK_OK;
}

static enum bk_err
check_profile(struct ctx *c, const json_t *profile)
{
    if (!json_is_object(profile))
        return ctx_fail(c, BK_EINVAL, "user profile must be a JSON object");
    return BK_OK;
}

/* A user ready to insert: token, wrapped key, sealed profile, index hashes. */
struct new_user {
    struct user_row row;
    struct index_set idx;
    uint8_t dek[KEYS_LEN];
};

static void
new_user_cleanup(struct new_user *nu)
{
    secbuf_wipe(nu->dek, sizeof nu->dek);
    store_user_row_cleanup(&nu->row);
}

static enum bk_err
new_user_prepare(struct ctx *c, const json_t *profile, struct new_user *nu)
{
    enum bk_err err;

    memset(nu, 0, sizeof *nu);
    err = check_profile(c, profile);
    if (err == BK_OK)
        err = index_set_build(c, profile, &nu->idx);
    if (err == BK_OK)
        err = keys_uuid(nu->row.token);
    if (err == BK_OK)
        err = record_dek_new(c, nu->row.token, nu->dek, &nu->row.dek);
    if (err != BK_OK)
        return err;
    nu->row.dek_len = KEYS_DEK_BOX_LEN;
    nu->row.tenant = c->tenant;
    nu->row.status = USER_ACTIVE;
    nu->row.version = 1;
    nu->row.created = nu->row.updated = c->now;
    return record_seal(c, nu->dek, "user", nu->row.token, nu->row.version, profile,
                       &nu->row.body, &nu->row.body_len);
}

/* Insert within the open write transaction; <hook> (may be NULL) adds what
 * the caller keeps beside the user before the caller's rights are checked.
 * The search index and the audit event follow for the whole batch. */
static enum bk_err
new_user_insert(struct ctx *c, struct new_user *nu, const json_t *profile,
                const struct users_create_opts *opts)
{
    static const struct index_set none;
    enum bk_err err = store_user_insert(&c->db, &nu->row);

    if (err == BK_OK)
        err = index_apply(c, nu->row.id, &none, &nu->idx);
    if (err == BK_OK)
        err = versions_user_write(c, &nu->row, nu->dek, NULL, profile);
    if (err == BK_OK && opts != NULL && opts->exp != NULL)
        err = expiration_user_created(c, &nu->row, nu->dek, opts->exp);
    if (err == BK_OK && opts != NULL && opts->hook != NULL)
        err = opts->hook(c, &nu->row, opts->hook_arg);
    if (err == BK_OK)
        err = authz_target(c, &nu->row);
    return err;
}

/* The UserCreate events of the <n> users about to be inserted, sealed
 * before the write lock is taken (audit_rows_free()). */
static enum bk_err
new_users_events(struct ctx *c, const struct new_user *nu, const json_t *const *profiles,
                 size_t n, struct audit_row **out)
{
    struct audit_event *evs = mem_calloc(n, sizeof *evs);
    enum bk_err err;

    *out = NULL;
    if (evs == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; i < n; i++)
        evs[i] = (struct audit_event){
            .action = "UserCreate", .mode = "token", .record = nu[i].row.token,
            .identity = nu[i].row.token, .dek = nu[i].dek, .after = profiles[i],
        };
    err = audit_rows_prepare(c, evs, n, out);
    mem_free(evs);
    return err;
}

/* The n-grams and the UserCreate events of the <n> users inserted. */
static enum bk_err
new_users_finish(struct ctx *c, const struct new_user *nu, size_t n,
                 const struct search_batch *grams, struct audit_row *events)
{
    int64_t *ids = mem_calloc(n, sizeof *ids);
    enum bk_err err = ids != NULL ? BK_OK : BK_ENOMEM;

    for (size_t i = 0; i < n && err == BK_OK; i++)
        ids[i] = nu[i].row.id;
    if (err == BK_OK)
        err = search_batch_insert(c, grams, ids);
    if (err == BK_OK)
        err = audit_write_rows(c, events, n);
    mem_free(ids);
    return err;
}

/* <opts> is NULL or holds one entry per profile. */
static enum bk_err
create_many(struct ctx *c, const json_t *const *profiles, size_t n,
            const struct users_create_opts *opts, char (*tokens_out)[37], size_t *failed_at)
{
    struct new_user *nu;
    struct search_batch *grams = NULL;
    struct audit_row *events = NULL;
    size_t i, ready = 0;
    enum bk_err err = BK_OK;

    *failed_at = 0;
    if (n == 0)
        return BK_OK;
    nu = mem_calloc(n, sizeof *nu);
    if (nu == NULL)
        return BK_ENOMEM;
    for (i = 0; i < n && err == BK_OK; i++, ready++) {
        err = new_user_prepare(c, profiles[i], &nu[i]);
        if (err != BK_OK)
            *failed_at = i;
    }
    /* The key work is done before the write lock is taken. */
    if (err == BK_OK)
        err = search_batch_build(c, profiles, n, &grams);
    if (err == BK_OK)
        err = new_users_events(c, nu, profiles, n, &events);
    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err == BK_OK) {
        for (i = 0; i < n && err == BK_OK; i++) {
            err = new_user_insert(c, &nu[i], profiles[i], opts != NULL ? &opts[i] : NULL);
            if (err != BK_OK)
                *failed_at = i;
        }
        if (err == BK_OK)
            err = new_users_finish(c, nu, n, grams, events);
        err = store_end(&c->db, err);
    }
    for (i = 0; i < n && err == BK_OK; i++)
        memcpy(tokens_out[i], nu[i].row.token, 37);
    for (i = 0; i < ready; i++)
        new_user_cleanup(&nu[i]);
    mem_free(nu);
    search_batch_free(grams);
    audit_rows_free(events, n);
    return err;
}

enum bk_err
users_create_many(struct ctx *c, const json_t *const *profiles,
                  const struct users_create_opts *opts, size_t n, char (*tokens_out)[37],
                  size_t *failed_at)
{
    return create_many(c, profiles, n, opts, tokens_out, failed_at);
}

enum bk_err
users_create_with(struct ctx *c, const json_t *profile, const struct users_create_opts *opts,
                  char token_out[37])
{
    size_t failed_at;

    token_out[0] = '\0';
    return create_many(c, &profile, 1, opts, (char(*)[37])token_out, &failed_at);
}

enum bk_err
users_create(struct ctx *c, const json_t *profile, char token_out[37])
{
    return users_create_with(c, profile, NULL, token_out);
}

/* Find the user <ref> names, within the open transaction. Deleted users are
 * found only when <allow_deleted>. */
static enum bk_err
resolve(struct ctx *c, const struct user_ref *ref, int allow_deleted, struct user_row *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    if (ref->identity == NULL || ref->identity_len == 0)
        return ctx_fail(c, BK_EINVAL, "missing identity");
    if (ref->identity_len > NORMALIZE_MAX)
        return ctx_fail(c, BK_EINVAL, "identity too long");
    if (ref->mode == MODE_TOKEN) {
        char token[37];

        if (!users_token_valid(ref->identity, ref->identity_len))
            return ctx_fail(c, BK_EINVAL, "bad token format");
        for (size_t i = 0; i < 36; i++)
            token[i] = (char)tolower((unsigned char)ref->identity[i]);
        token[36] = '\0';
        err = store_user_by_token(&c->db, c->tenant, token, out);
    } else {
        uint8_t h[BLINDIDX_LEN];

        err = hash_identity(c, (int)ref->mode, ref->identity, ref->identity_len, h);
        if (err != BK_OK)
            return err;
        err = store_user_by_index(&c->db, c->tenant, (int)ref->mode, h, out);
    }
    if (err == BK_OK && out->status != USER_ACTIVE && !allow_deleted) {
        store_user_row_cleanup(out);
        err = BK_ENOTFOUND;
    }
    /* An end user in the portal reaches their own record only; another
     * user's and a missing one look alike. */
    if (c->caller == CALLER_PORTAL && (err == BK_ENOTFOUND ||
                                       (err == BK_OK && strcmp(out->token, c->self_token) != 0))) {
        store_user_row_cleanup(out);
        return ctx_fail(c, BK_EFORBID, "access denied");
    }
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err == BK_OK && (err = authz_target(c, out)) != BK_OK)
        store_user_row_cleanup(out);
    return err;
}

/* The identity as the audit trail keeps it: NUL-terminated copy (mem_free()). */
static char *
identity_copy(const struct user_ref *ref)
{
    return mem_strndup(ref->identity, ref->identity_len);
}

static enum bk_err
open_profile(struct ctx *c, const struct user_row *row, uint8_t dek[KEYS_LEN], json_t **out)
{
    enum bk_err err = record_dek(c, row, dek);

    if (err == BK_OK)
        err = record_open(c, dek, "user", row->token, row->version, row->body, row->body_len,
                          out);
    if (err == BK_OK && !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        err = BK_ECORRUPT;
    }
    if (err != BK_OK)
        LOG_ERR(c->rid, "users", "stored record does not open: %s", bk_err_str(err));
    return err == BK_ENOTFOUND ? BK_ECORRUPT : err;
}

enum bk_err
users_find_any(struct ctx *c, const struct user_ref *ref, int allow_deleted,
               struct user_row *out)
{
    return resolve(c, ref, allow_deleted, out);
}

enum bk_err
users_get(struct ctx *c, const struct user_ref *ref, char token_out[37], json_t **profile_out)
{
    struct user_meta meta;

    return users_get_meta(c, ref, 0, token_out, &meta, profile_out);
}

/* The current profile as its sealed text, when the caller sees all of it: an
 * authentic box holds what record_seal wrote from an object, so only its
 * first byte is checked instead of parsing it (and encoding it again). */
static enum bk_err
open_profile_text(struct ctx *c, const struct user_row *row, uint8_t dek[KEYS_LEN],
                  char **text_out, size_t *len_out)
{
    enum bk_err err = record_dek(c, row, dek);

    if (err == BK_OK)
        err = record_open_text(c, dek, "user", row->token, row->version, row->body,
                               row->body_len, text_out, len_out);
    if (err == BK_OK && (*len_out < 2 || (*text_out)[0] != '{')) {
        secbuf_free(*text_out, *len_out + 1);
        *text_out = NULL;
        *len_out = 0;
        err = BK_ECORRUPT;
    }
    if (err != BK_OK)
        LOG_ERR(c->rid, "users", "stored record does not open: %s", bk_err_str(err));
    return err == BK_ENOTFOUND ? BK_ECORRUPT : err;
}

/* users_get_meta(); with <text_out>, the current profile of a caller whose
 * view is not limited comes back as text instead of an object. */
static enum bk_err
get_user(struct ctx *c, const struct user_ref *ref, int64_t version, char token_out[37],
         struct user_meta *meta_out, json_t **profile_out, char **text_out, size_t *text_len)
{
    struct user_row row;
    char vmsg[32];
    uint8_t dek[KEYS_LEN];
    json_t *profile = NULL;
    char *text = NULL;
    size_t len = 0;
    char *ident = identity_copy(ref);
    struct audit_event ev = { .action = "UserGet", .mode = users_mode_name(ref->mode) };
    int touch = 0;
    enum bk_err err;

    *profile_out = NULL;
    if (text_out != NULL) {
        *text_out = NULL;
        *text_len = 0;
    }
    token_out[0] = '\0';
    memset(meta_out, 0, sizeof *meta_out);
    memset(&row, 0, sizeof row);
    memset(dek, 0, sizeof dek);
    if (ident == NULL)
        return BK_ENOMEM;
    /* Read in a read transaction; only the audit event takes the write path. */
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        goto out;
    err = resolve(c, ref, 0, &row);
    if (err == BK_OK)
        err = expiration_check(c, &row, &meta_out->exp, &touch);
    /* (c->access.limited is known once resolve() has asked about the target) */
    if (err == BK_OK && text_out != NULL && version == 0 && !c->access.limited)
        err = open_profile_text(c, &row, dek, &text, &len);
    else if (err == BK_OK)
        err = open_profile(c, &row, dek, &profile);
    if (err == BK_OK && version != 0 && version != row.version) {
        json_decref(profile);
        profile = NULL;
        err = versions_open(c, VERSIONS_KIND_USER, row.token, dek, version, &profile);
    }
    store_rollback(&c->db);
    if (err != BK_OK)
        goto out;
    meta_out->version = version != 0 ? version : row.version;
    if (version != 0) {
        snprintf(vmsg, sizeof vmsg, "version %lld", (long long)version);
        ev.msg = vmsg;
    }
    ev.record = row.token;
    ev.identity = ident;
    ev.dek = dek;
    /* A read changes nothing but its audit event (and a sliding expiration):
     * committed before the answer, synced to disk by the store's syncer. */
    if (!touch) {
        err = audit_write_alone(c, &ev);
    } else {
        err = store_begin(&c->db, STORE_WRITE_LAZY);
        if (err != BK_OK)
            goto out;
        /* The sliding expiration moves (or, since the check, has passed). */
        err = expiration_touch(c, &row, &meta_out->exp);
        if (err == BK_OK)
            err = audit_write(c, &ev);
        err = store_end(&c->db, err);
    }
    if (err == BK_OK && text != NULL) {
        memcpy(token_out, row.token, 37);
        *text_out = text;
        *text_len = len;
        text = NULL;
    } else if (err == BK_OK) {
        memcpy(token_out, row.token, 37);
        *profile_out = authz_mask(c, profile);
        profile = NULL;
        if (*profile_out == NULL)
            err = BK_ENOMEM;
    }
out:
    json_decref(profile);
    if (text != NULL)
        secbuf_free(text, len + 1);
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&row);
    mem_free(ident);
    return err;
}

enum bk_err
users_get_meta(struct ctx *c, const struct user_ref *ref, int64_t version, char token_out[37],
               struct user_meta *meta_out, json_t **profile_out)
{
    return get_user(c, ref, version, token_out, meta_out, profile_out, NULL, NULL);
}

enum bk_err
users_get_text(struct ctx *c, const struct user_ref *ref, int64_t version, char token_out[37],
               struct user_meta *meta_out, json_t **profile_out, char **text_out,
               size_t *text_len)
{
    return get_user(c, ref, version, token_out, meta_out, profile_out, text_out, text_len);
}

/* A new object: <base> with <changes> merged in (null removes). */
static enum bk_err
merge(struct ctx *c, const json_t *base, void *arg, json_t **out)
{
    const json_t *changes = arg;
    const char *key;
    json_t *v;

    unsigned long failed = mem_failures();

    (void)c;
    *out = json_deep_copy(base);
    if (*out != NULL && mem_failures() != failed) {
        /* a copy made while an allocation failed may lack members */
        json_decref(*out);
        *out = NULL;
    }
    if (*out == NULL)
        return BK_ENOMEM;
    json_object_foreach((json_t *)changes, key, v) {
        int rc = json_is_null(v) ? (json_object_del(*out, key), 0)
                                 : json_object_set(*out, key, v);
        if (rc != 0) {
            json_decref(*out);
            *out = NULL;
            return BK_ENOMEM;
        }
    }
    return BK_OK;
}

enum bk_err
users_merge(struct ctx *c, const json_t *before, void *arg, json_t **after_out)
{
    return merge(c, before, arg, after_out);
}

/* One attempt of users_modify(). When another writer changed the user since
 * it was read (the version check failed) or the store asks for a retry, and
 * this is not the <last> attempt, *again is set and nothing is recorded. */
static enum bk_err
modify_once(struct ctx *c, const struct user_ref *ref, const char *action,
            users_transform_fn transform, void *arg, char token_out[37], int last, int *again)
{
    struct user_row row;
    struct index_set have, want;
    uint8_t dek[KEYS_LEN];
    json_t *before = NULL, *after = NULL;
    char *ident = identity_copy(ref);
    struct audit_event ev = { .action = action, .mode = users_mode_name(ref->mode) };
    uint8_t *newbody = NULL;
    size_t newbody_len = 0;
    int resolved = 0;
    enum bk_err err;

    token_out[0] = '\0';
    memset(&row, 0, sizeof row);
    memset(dek, 0, sizeof dek);
    if (ident == NULL)
        return BK_ENOMEM;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        goto out;
    err = resolve(c, ref, 0, &row);
    if (err == BK_OK) {
        resolved = 1;
        err = open_profile(c, &row, dek, &before);
    }
    if (err == BK_OK)
        err = transform(c, before, arg, &after);
    if (err == BK_OK)
        err = check_profile(c, after);
    if (err == BK_OK)
        err = authz_check_change(c, before, after);
    if (err == BK_OK)
        err = index_set_build(c, before, &have);
    if (err == BK_OK)
        err = index_set_build(c, after, &want);
    if (err == BK_OK)
        err = index_apply(c, row.id, &have, &want);
    if (err == BK_OK)
        err = search_index_update(c, row.id, before, after);
    if (err == BK_OK) {
        row.version++;
        row.updated = c->now;
        err = record_seal(c, dek, "user", row.token, row.version, after, &newbody, &newbody_len);
    }
    if (err == BK_OK) {
        mem_free(row.body);
        row.body = newbody;
        row.body_len = newbody_len;
        newbody = NULL;
        err = store_user_update(&c->db, &row);
        if (err == BK_ECONFLICT && !last)
            *again = 1;
    }
    if (err == BK_OK)
        err = versions_user_write(c, &row, dek, before, after);
    ev.record = row.token;
    ev.identity = ident;
    ev.dek = resolved ? dek : NULL;
    ev.before = before;
    ev.after = after;
    if (err == BK_OK)
        err = audit_write(c, &ev);
    err = store_end(&c->db, err);
    if (err == BK_ERETRY && !last)
        *again = 1;
    if (err == BK_OK) {
        memcpy(token_out, row.token, 37);
    } else if (resolved && !*again && (err == BK_ECONFLICT || err == BK_EINVAL)) {
        const char *msg = c->errmsg;

        ev.result = err;
        ev.after = NULL;
        ev.msg = msg;
        audit_write_alone(c, &ev);
        c->errmsg = msg;
    }
out:
    json_decref(before);
    json_decref(after);
    mem_free(newbody);
    secbuf_wipe(dek, sizeof dek);
    store_user_row_cleanup(&row);
    mem_free(ident);
    return err;
}

/* Concurrent writers of one user (several workers, or several instances on
 * one database) meet at the version check: the loser reads the user again
 * and reapplies its change, a bounded number of times, so no update is lost
 * and none is refused only because another came first. */
#define MODIFY_TRIES 32

enum bk_err
users_modify(struct ctx *c, const struct user_ref *ref, const char *action,
             users_transform_fn transform, void *arg, char token_out[37])
{
    enum bk_err err = BK_OK;

    for (int i = 0; i < MODIFY_TRIES; i++) {
        int again = 0;

        c->errmsg = NULL;
        err = modify_once(c, ref, action, transform, arg, token_out, i + 1 == MODIFY_TRIES,
                          &again);
        if (!again)
            break;
        LOG_DEBUG(c->rid, "users", "%s: concurrent change, try %d", action, i + 2);
        store_backoff(i);
    }
    return err;
}

enum bk_err
users_update(struct ctx *c, const struct user_ref *ref, const json_t *changes,
             char token_out[37])
{
    token_out[0] = '\0';
    if (!json_is_object(changes))
        return ctx_fail(c, BK_EINVAL, "user profile must be a JSON object");
    return users_modify(c, ref, "UserUpdate", merge, (void *)changes, token_out);
}

/* Forget <row> within the open write transaction: indexes, every family's
 * rows, the data key and profile; then the audit event. With <ledger_too> the
 * erasure is first made durable in the erasure ledger, so that a restored
 * older database copy cannot bring the user back. */
static enum bk_err
forget_row(struct ctx *c, const struct user_row *row, const char *mode, int ledger_too,
           const char *msg)
{
    struct audit_event ev = { .action = "UserDelete", .mode = mode, .record = row->token,
                              .msg = msg };
    enum bk_err err = BK_OK;

    for (int kind = INDEX_EMAIL; err == BK_OK && kind <= INDEX_CUSTOM; kind++)
        err = store_index_delete(&c->db, c->tenant, kind, row->id);
    if (err == BK_OK)
        err = forget_user_data(c, row);
    if (err == BK_OK)
        err = store_user_shred(&c->db, c->tenant, row->id, c->now);
    if (err == BK_OK && ledger_too && c->app->ledger != NULL)
        err = ledger_append(c->app->ledger, c->tenant, row->token, c->now);
    /* No data key any more: the event keeps nothing personal. */
    if (err == BK_OK)
        err = audit_write(c, &ev);
    return err;
}

enum bk_err
users_row_get(struct ctx *c, const struct user_ref *ref, int allow_deleted, struct user_row *out)
{
    return resolve(c, ref, allow_deleted, out);
}

/* Forget the user <ref> names within the open write transaction; a user
 * removed by SystemDeleteUserProfiles is forgotten too (by token). <hook>
 * (may be NULL) runs once the user is found, before anything is forgotten. */
static enum bk_err
forget_tx(struct ctx *c, const struct user_ref *ref, users_delete_hook_fn hook, void *arg,
          char token_out[37])
{
    struct user_row row;
    enum bk_err err;

    token_out[0] = '\0';
    err = resolve(c, ref, ref->mode == MODE_TOKEN, &row);
    if (err == BK_OK && row.status == USER_DELETED) {
        store_user_row_cleanup(&row);
        return ctx_fail(c, BK_ENOTFOUND, "not found");
    }
    if (err == BK_OK && hook != NULL)
        err = hook(c, &row, arg);
    if (err == BK_OK)
        err = forget_row(c, &row, users_mode_name(ref->mode), 1, NULL);
    if (err == BK_OK)
        memcpy(token_out, row.token, 37);
    store_user_row_cleanup(&row);
    return err;
}

enum bk_err
users_delete_with(struct ctx *c, const struct user_ref *ref, users_delete_hook_fn hook, void *arg,
                  char token_out[37])
{
    enum bk_err err;

    token_out[0] = '\0';
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = forget_tx(c, ref, hook, arg, token_out);
    err = store_end(&c->db, err);
    if (err != BK_OK)
        token_out[0] = '\0';
    return err;
}

enum bk_err
users_delete(struct ctx *c, const struct user_ref *ref, char token_out[37])
{
    return users_delete_with(c, ref, NULL, NULL, token_out);
}

enum bk_err
users_delete_many(struct ctx *c, const struct user_ref *refs, size_t n, char (*tokens_out)[37],
                  size_t *failed_at)
{
    enum bk_err err;
    size_t i;

    *failed_at = 0;
    if (n == 0)
        return BK_OK;
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    for (i = 0; i < n && err == BK_OK; i++) {
        err = forget_tx(c, &refs[i], NULL, NULL, tokens_out[i]);
        if (err != BK_OK)
            *failed_at = i;
    }
    err = store_end(&c->db, err);
    return err;
}

enum bk_err
users_forget_again(struct ctx *c, const char *token, int *applied)
{
    struct user_row row;
    enum bk_err err;

    *applied = 0;
    memset(&row, 0, sizeof row);
    err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = store_user_by_token(&c->db, c->tenant, token, &row);
    if (err == BK_ENOTFOUND || (err == BK_OK && row.status != USER_ACTIVE)) {
        store_rollback(&c->db);
        store_user_row_cleanup(&row);
        return BK_OK;
    }
    if (err == BK_OK)
        err = forget_row(c, &row, "token", 0, "re-applied from the erasure ledger");
    err = store_end(&c->db, err);
    if (err == BK_OK)
        *applied = 1;
    store_user_row_cleanup(&row);
    return err;
}

enum bk_err
users_resolve_token(struct ctx *c, const struct user_ref *ref, char token_out[37])
{
    struct user_row row;
    enum bk_err err;

    token_out[0] = '\0';
    err = store_begin(&c->db, 0);
    if (err != BK_OK)
        return err;
    err = resolve(c, ref, ref->mode == MODE_TOKEN, &row);
    store_rollback(&c->db);
    if (err == BK_OK)
        memcpy(token_out, row.token, 37);
    store_user_row_cleanup(&row);
    return err;
}

enum bk_err
users_lookup(struct ctx *c, const struct user_ref *ref, int any_status, struct user_row *out)
{
    return resolve(c, ref, any_status, out);
}

enum bk_err
users_open(struct ctx *c, const struct user_row *row, uint8_t dek[KEYS_LEN], json_t **out)
{
    *out = NULL;
    if (row->dek == NULL || row->body == NULL)
        return ctx_fail(c, BK_ENOTFOUND, "not found");
    return open_profile(c, row, dek, out);
}

enum bk_err
users_remove(struct ctx *c, const struct user_row *row, const char *action)
{
    struct audit_event ev = { .action = action, .mode = "token", .record = row->token };
    enum bk_err err = BK_OK;

    if (row->status != USER_ACTIVE)
        return ctx_fail(c, BK_ENOTFOUND, "not found");
    for (int kind = INDEX_EMAIL; err == BK_OK && kind <= INDEX_CUSTOM; kind++)
        err = store_index_delete(&c->db, c->tenant, kind, row->id);
    if (err == BK_OK)
        err = store_system_user_set_status(&c->db, c->tenant, row->id, USER_ACTIVE, USER_REMOVED,
                                           c->now);
    if (err == BK_OK)
        err = audit_write(c, &ev);
    return err;
}

enum bk_err
users_restore(struct ctx *c, const struct user_row *row, const char *action, json_t **profile_out)
{
    static const struct index_set none;
    struct index_set want;
    uint8_t dek[KEYS_LEN];
    json_t *profile = NULL;
    struct audit_event ev = { .action = action, .mode = "token", .record = row->token,
                              .identity = row->token };
    enum bk_err err;

    *profile_out = NULL;
    memset(dek, 0, sizeof dek);
    if (row->status == USER_ACTIVE)
        return ctx_fail(c, BK_ECONFLICT, "user is not deleted");
    if (row->status != USER_REMOVED)
        return ctx_fail(c, BK_ENOTFOUND, "not found");
    err = users_open(c, row, dek, &profile);
    if (err == BK_OK)
        err = index_set_build(c, profile, &want);
    if (err == BK_OK)
        err = index_apply(c, row->id, &none, &want);
    if (err == BK_OK)
        err = store_system_user_set_status(&c->db, c->tenant, row->id, USER_REMOVED, USER_ACTIVE,
                                           c->now);
    if (err == BK_OK) {
        ev.dek = dek;
        ev.after = profile;
        err = audit_write(c, &ev);
    }
    if (err == BK_OK) {
        *profile_out = profile;
        profile = NULL;
    }
    json_decref(profile);
    secbuf_wipe(dek, sizeof dek);
    return err;
}

enum bk_err
users_find(struct ctx *c, const struct user_ref *ref, struct user_row *out)
{
    return resolve(c, ref, 0, out);
}
