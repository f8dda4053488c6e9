/* Store family: old versions of records. Generic over the kind of record
 * ("user" today, "appdata" later): a row is (tenant, kind, record, version)
 * with the owner's user id (for forgetting), the time of the operation and
 * the version sealed under the owner's data key. */
#ifndef BK_STORE_VERSIONS_H
#define BK_STORE_VERSIONS_H

#include "../base/mem.h"
#include "store.h"

/* A version as stored; <body> is owned: store_version_row_cleanup(). */
struct version_row {
    int64_t version;
    int64_t optime;
    uint8_t *body;
    size_t body_len;
};

static inline void
store_version_row_cleanup(struct version_row *row)
{
    mem_free(row->body);
    row->body = NULL;
    row->body_len = 0;
}

/* Called for each row of a listing (borrowed for the call only); a result
 * other than BK_OK stops the listing and is passed back. */
typedef enum bk_err (*store_version_fn)(void *arg, const struct version_row *row);

struct store_versions_ops {
    /* Keep <row> for (tenant, kind, record) unless that version is already kept. */
    enum bk_err (*put)(void *conn, int64_t tenant, const char *kind, const char *record,
                       int64_t user_id, const struct version_row *row);
    /* BK_ENOTFOUND when that version is not kept. */
    enum bk_err (*get)(void *conn, int64_t tenant, const char *kind, const char *record,
                       int64_t version, struct version_row *out);
    /* Every kept version, oldest first. */
    enum bk_err (*list)(void *conn, int64_t tenant, const char *kind, const char *record,
                        store_version_fn fn, void *arg);
    /* Drop all but the newest <keep> versions of one record. */
    enum bk_err (*prune_count)(void *conn, int64_t tenant, const char *kind, const char *record,
                               int64_t keep);
    /* Every tenant: drop versions older than <cutoff> except each record's newest. */
    enum bk_err (*prune_age)(void *conn, int64_t cutoff, int64_t *removed);
    /* Drop every version owned by <user_id>. */
    enum bk_err (*purge_user)(void *conn, int64_t tenant, int64_t user_id);
};

#define STORE_VERSIONS(c) (STORE_OPS(c)->versions)

static inline enum bk_err
store_versions_put(struct store_conn *c, int64_t tenant, const char *kind, const char *record,
                   int64_t user_id, const struct version_row *row)
{
    if (STORE_VERSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_VERSIONS(c)->put(c->conn, tenant, kind, record, user_id, row);
}

static inline enum bk_err
store_versions_get(struct store_conn *c, int64_t tenant, const char *kind, const char *record,
                   int64_t version, struct version_row *out)
{
    if (STORE_VERSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_VERSIONS(c)->get(c->conn, tenant, kind, record, version, out);
}

static inline enum bk_err
store_versions_list(struct store_conn *c, int64_t tenant, const char *kind, const char *record,
                    store_version_fn fn, void *arg)
{
    if (STORE_VERSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_VERSIONS(c)->list(c->conn, tenant, kind, record, fn, arg);
}

static inline enum bk_err
store_versions_prune_count(struct store_conn *c, int64_t tenant, const char *kind,
                           const char *record, int64_t keep)
{
    if (STORE_VERSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_VERSIONS(c)->prune_count(c->conn, tenant, kind, record, keep);
}

static inline enum bk_err
store_versions_prune_age(struct store_conn *c, int64_t cutoff, int64_t *removed)
{
    if (STORE_VERSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_VERSIONS(c)->prune_age(c->conn, cutoff, removed);
}

static inline enum bk_err
store_versions_purge_user(struct store_conn *c, int64_t tenant, int64_t user_id)
{
    if (STORE_VERSIONS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_VERSIONS(c)->purge_user(c->conn, tenant, user_id);
}

#endif
