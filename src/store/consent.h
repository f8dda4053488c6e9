/* Store family "consent": legal bases, users' agreements to them, and
 * processing activities with their links to legal bases. Legal bases and
 * activities are tenant-wide definitions kept in clear (their descriptive
 * fields as opaque JSON text); an agreement names its user by internal id
 * and keeps its personal fields only as a sealed box. */
#ifndef BK_STORE_CONSENT_H
#define BK_STORE_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/mem.h"
#include "store.h"

#define STORE_CONSENT_NAME_MAX 64     /* a brief or an activity name */

/* A legal basis. <doc> is owned: store_lbasis_row_cleanup(). */
struct lbasis_row {
    int64_t id;
    int64_t tenant;
    char brief[STORE_CONSENT_NAME_MAX + 1];
    char status[16];                  /* active, inactive, deleted */
    char *doc;                        /* JSON text of the descriptive fields */
    int64_t created;
    int64_t updated;
};

/* A user's agreement to a legal basis. <sealed> is owned:
 * store_agreement_row_cleanup(). <brief> and <user_token> are filled on
 * reads only. */
struct agreement_row {
    int64_t id;
    int64_t tenant;
    int64_t user_id;
    int64_t lbasis_id;
    char brief[STORE_CONSENT_NAME_MAX + 1];
    char user_token[37];
    char status[16];                  /* accept, cancel, revoked */
    int64_t starttime;                /* unix seconds; 0: none */
    int64_t endtime;                  /* unix seconds; 0: none */
    int64_t created;
    int64_t updated;
    int64_t version;                  /* bumped on every change; part of the seal */
    uint8_t *sealed;
    size_t sealed_len;
};

/* A processing activity. <doc> is owned: store_pactivity_row_cleanup(). */
struct pactivity_row {
    int64_t id;
    int64_t tenant;
    char activity[STORE_CONSENT_NAME_MAX + 1];
    char *doc;                        /* JSON text of the descriptive fields */
    int64_t created;
    int64_t updated;
};

/* Listing callbacks: the row is borrowed for the call only; non-BK_OK stops. */
typedef enum bk_err (*store_lbasis_fn)(void *arg, const struct lbasis_row *row);
typedef enum bk_err (*store_agreement_fn)(void *arg, const struct agreement_row *row);
typedef enum bk_err (*store_pactivity_fn)(void *arg, const struct pactivity_row *row);
typedef enum bk_err (*store_pactivity_link_fn)(void *arg, int64_t activity_id,
                                               const char *brief);

struct store_consent_ops {
    /* legal bases; insert and update answer BK_ECONFLICT for a taken brief */
    enum bk_err (*lbasis_get)(void *conn, int64_t tenant, const char *brief,
                              struct lbasis_row *out);
    enum bk_err (*lbasis_insert)(void *conn, struct lbasis_row *row);     /* sets row->id */
    enum bk_err (*lbasis_update)(void *conn, const struct lbasis_row *row);
    enum bk_err (*lbasis_delete)(void *conn, int64_t tenant, int64_t id);
    enum bk_err (*lbasis_list)(void *conn, int64_t tenant, store_lbasis_fn fn, void *arg);
    /* agreements */
    enum bk_err (*agreement_get)(void *conn, int64_t tenant, int64_t user_id, int64_t lbasis_id,
                                 struct agreement_row *out);
    /* insert, or replace the one of the same user and legal basis */
    enum bk_err (*agreement_put)(void *conn, const struct agreement_row *row);
    enum bk_err (*agreement_list_user)(void *conn, int64_t tenant, int64_t user_id,
                                       store_agreement_fn fn, void *arg);
    /* agreements to <lbasis_id> in <status>, with their user tokens */
    enum bk_err (*agreement_list_lbasis)(void *conn, int64_t tenant, int64_t lbasis_id,
                                         const char *status, store_agreement_fn fn, void *arg);
    /* set <to> on every agreement to <lbasis_id> in status <from> */
    enum bk_err (*agreement_set_status_lbasis)(void *conn, int64_t tenant, int64_t lbasis_id,
                                               const char *from, const char *to, int64_t when);
    enum bk_err (*agreement_count_lbasis)(void *conn, int64_t tenant, int64_t lbasis_id,
                                          int64_t *out);
    enum bk_err (*agreement_delete_user)(void *conn, int64_t tenant, int64_t user_id);
    /* processing activities; insert and update answer BK_ECONFLICT for a taken name */
    enum bk_err (*pactivity_get)(void *conn, int64_t tenant, const char *activity,
                                 struct pactivity_row *out);
    enum bk_err (*pactivity_insert)(void *conn, struct pactivity_row *row);  /* sets row->id */
    enum bk_err (*pactivity_update)(void *conn, const struct pactivity_row *row);
    enum bk_err (*pactivity_delete)(void *conn, int64_t tenant, int64_t id);
    enum bk_err (*pactivity_list)(void *conn, int64_t tenant, store_pactivity_fn fn, void *arg);
    /* links; linking twice is no error, unlinking what is not linked neither */
    enum bk_err (*pactivity_link)(void *conn, int64_t tenant, int64_t activity_id,
                                  int64_t lbasis_id);
    enum bk_err (*pactivity_unlink)(void *conn, int64_t tenant, int64_t activity_id,
                                    int64_t lbasis_id);
    enum bk_err (*pactivity_unlink_lbasis)(void *conn, int64_t tenant, int64_t lbasis_id);
    /* every link of the tenant, ordered by activity */
    enum bk_err (*pactivity_list_links)(void *conn, int64_t tenant, store_pactivity_link_fn fn,
                                        void *arg);
};

static inline void
store_lbasis_row_cleanup(struct lbasis_row *row)
{
    mem_free(row->doc);
    row->doc = NULL;
}

static inline void
store_agreement_row_cleanup(struct agreement_row *row)
{
    mem_free(row->sealed);
    row->sealed = NULL;
    row->sealed_len = 0;
}

static inline void
store_pactivity_row_cleanup(struct pactivity_row *row)
{
    mem_free(row->doc);
    row->doc = NULL;
}

#define STORE_CONSENT_OPS(c) ((c)->store->ops->consent)

static inline enum bk_err
store_consent_lbasis_get(struct store_conn *c, int64_t tenant, const char *brief,
                         struct lbasis_row *out)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->lbasis_get(c->conn, tenant, brief, out);
}

static inline enum bk_err
store_consent_lbasis_insert(struct store_conn *c, struct lbasis_row *row)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->lbasis_insert(c->conn, row);
}

static inline enum bk_err
store_consent_lbasis_update(struct store_conn *c, const struct lbasis_row *row)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->lbasis_update(c->conn, row);
}

static inline enum bk_err
store_consent_lbasis_delete(struct store_conn *c, int64_t tenant, int64_t id)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->lbasis_delete(c->conn, tenant, id);
}

static inline enum bk_err
store_consent_lbasis_list(struct store_conn *c, int64_t tenant, store_lbasis_fn fn, void *arg)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->lbasis_list(c->conn, tenant, fn, arg);
}

static inline enum bk_err
store_consent_agreement_get(struct store_conn *c, int64_t tenant, int64_t user_id,
                            int64_t lbasis_id, struct agreement_row *out)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->agreement_get(c->conn, tenant, user_id, lbasis_id, out);
}

static inline enum bk_err
store_consent_agreement_put(struct store_conn *c, const struct agreement_row *row)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->agreement_put(c->conn, row);
}

static inline enum bk_err
store_consent_agreement_list_user(struct store_conn *c, int64_t tenant, int64_t user_id,
                                  store_agreement_fn fn, void *arg)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->agreement_list_user(c->conn, tenant, user_id, fn, arg);
}

static inline enum bk_err
store_consent_agreement_list_lbasis(struct store_conn *c, int64_t tenant, int64_t lbasis_id,
                                    const char *status, store_agreement_fn fn, void *arg)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->agreement_list_lbasis(c->conn, tenant, lbasis_id, status, fn,
                                                       arg);
}

static inline enum bk_err
store_consent_agreement_set_status_lbasis(struct store_conn *c, int64_t tenant,
                                          int64_t lbasis_id, const char *from, const char *to,
                                          int64_t when)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->agreement_set_status_lbasis(c->conn, tenant, lbasis_id, from,
                                                             to, when);
}

static inline enum bk_err
store_consent_agreement_count_lbasis(struct store_conn *c, int64_t tenant, int64_t lbasis_id,
                                     int64_t *out)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->agreement_count_lbasis(c->conn, tenant, lbasis_id, out);
}

static inline enum bk_err
store_consent_agreement_delete_user(struct store_conn *c, int64_t tenant, int64_t user_id)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->agreement_delete_user(c->conn, tenant, user_id);
}

static inline enum bk_err
store_consent_pactivity_get(struct store_conn *c, int64_t tenant, const char *activity,
                            struct pactivity_row *out)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_get(c->conn, tenant, activity, out);
}

static inline enum bk_err
store_consent_pactivity_insert(struct store_conn *c, struct pactivity_row *row)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_insert(c->conn, row);
}

static inline enum bk_err
store_consent_pactivity_update(struct store_conn *c, const struct pactivity_row *row)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_update(c->conn, row);
}

static inline enum bk_err
store_consent_pactivity_delete(struct store_conn *c, int64_t tenant, int64_t id)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_delete(c->conn, tenant, id);
}

static inline enum bk_err
store_consent_pactivity_list(struct store_conn *c, int64_t tenant, store_pactivity_fn fn,
                             void *arg)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_list(c->conn, tenant, fn, arg);
}

static inline enum bk_err
store_consent_pactivity_link(struct store_conn *c, int64_t tenant, int64_t activity_id,
                             int64_t lbasis_id)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_link(c->conn, tenant, activity_id, lbasis_id);
}

static inline enum bk_err
store_consent_pactivity_unlink(struct store_conn *c, int64_t tenant, int64_t activity_id,
                               int64_t lbasis_id)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_unlink(c->conn, tenant, activity_id, lbasis_id);
}

static inline enum bk_err
store_consent_pactivity_unlink_lbasis(struct store_conn *c, int64_t tenant, int64_t lbasis_id)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_unlink_lbasis(c->conn, tenant, lbasis_id);
}

static inline enum bk_err
store_consent_pactivity_list_links(struct store_conn *c, int64_t tenant,
                                   store_pactivity_link_fn fn, void *arg)
{
    if (STORE_CONSENT_OPS(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_CONSENT_OPS(c)->pactivity_list_links(c->conn, tenant, fn, arg);
}

#endif
