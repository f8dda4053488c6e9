/* The access-control family of the store: roles, policies, groups and their
 * members, access tokens for users and roles, bulk unlock ids, the fuzzy
 * search n-gram index, and the listings bulk calls need. Backends see names,
 * ids, hashes and policy texts; never a token or a search term in clear. */
#ifndef BK_STORE_ACCESS_H
#define BK_STORE_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define ACCESS_NAME_MAX 128     /* longest role, group or policy name, in bytes */
#define ACCESS_DESC_MAX 1024    /* longest description, in bytes */

/* A role, policy or group as stored; strings are owned: access_named_cleanup(). */
struct access_named {
    int64_t id;
    char *name;
    char *descr;
    char *extra;            /* policies: the policy JSON text; groups: the type */
};

/* One membership of a user in a group, with the role it holds there (role_id
 * 0 and role_name "" for none). Strings are borrowed for the callback only. */
struct access_member {
    int64_t group_id;
    int64_t user_id;
    int64_t role_id;
    const char *group_name;
    const char *group_descr;
    const char *role_name;
};

enum access_xtoken_kind { XTOKEN_USER = 3, XTOKEN_ROLE = 4 };

struct access_xtoken {
    int64_t id;
    int64_t tenant;
    uint8_t hash[STORE_HASH_LEN];
    int kind;               /* enum access_xtoken_kind */
    int64_t user_id;        /* XTOKEN_USER */
    int64_t role_id;        /* XTOKEN_ROLE */
    int64_t created;
    int64_t finaltime;      /* unix seconds; 0: none */
    int64_t slidingtime;    /* seconds of idleness allowed; 0: none */
    int64_t lastused;
    /* xtoken_by_hash: the token's holder, read in the same query; holder_id 0
     * when the user or role is gone */
    int64_t holder_id;
    int64_t user_status;    /* XTOKEN_USER */
    char user_token[37];    /* XTOKEN_USER */
    char role_name[ACCESS_NAME_MAX + 1];   /* XTOKEN_ROLE */
};

struct access_unlock {
    char owner[48];
    char purpose[160];      /* "" until the first use binds it */
    int64_t expires;
};

typedef enum bk_err (*store_named_fn)(void *arg, const struct access_named *row);
typedef enum bk_err (*store_member_fn)(void *arg, const struct access_member *m);
typedef enum bk_err (*store_link_fn)(void *arg, int64_t role_id, int64_t policy_id);
typedef enum bk_err (*store_user_fn)(void *arg, const struct user_row *row);
typedef enum bk_err (*store_gram_fn)(void *arg, int64_t user_id, int64_t shared);
/* One pending row: the grams of <user_id>'s value of <kind>. */
typedef enum bk_err (*store_pend_fn)(void *arg, int64_t user_id, int kind, const int64_t *grams,
                                     size_t n);
/* A tenant with pending rows of <users> users, the oldest written at <oldest_ms>. */
typedef enum bk_err (*store_pend_stat_fn)(void *arg, int64_t tenant, int64_t users,
                                          int64_t oldest_ms);

/* Postings are keyed (tenant, kind, bucket, gram, user_id) with bucket =
 * user_id >> STORE_GRAM_BUCKET_SHIFT: the postings of new users (the highest
 * ids) land in a small, hot part of the index instead of one random leaf page
 * each, so a commit of many creates dirties few pages. A gram's posting list
 * is read bucket by bucket, which keeps user order. 16,384 users a bucket,
 * chosen by measurement: 4,096 made a search at 50,000 users half as dear
 * again as before buckets (a seek per bucket per gram read), with no gain for
 * creates, whose postings the merge sorts into the newest bucket anyway.
 * Migration 0014 of every backend computes the bucket of existing postings
 * with the same shift. */
#define STORE_GRAM_BUCKET_SHIFT 14

static inline int64_t
store_gram_bucket(int64_t user_id)
{
    return user_id >> STORE_GRAM_BUCKET_SHIFT;
}

/* <user_id>'s place in its bucket, 0 .. (1 << STORE_GRAM_BUCKET_SHIFT) - 1. */
static inline unsigned
store_gram_offset(int64_t user_id)
{
    return (unsigned)(user_id & (((int64_t)1 << STORE_GRAM_BUCKET_SHIFT) - 1));
}

/* One posting of the search index: user <user_id> holds <gram> of <kind>. */
struct store_gram_row {
    int kind;
    int64_t gram;
    int64_t user_id;
};

struct store_access_ops {
    /* the tenant's access version, bumped by every change to roles,
     * policies or links, so caches of compiled policies know when to reload */
    enum bk_err (*version_get)(void *conn, int64_t tenant, int64_t *out);
    enum bk_err (*version_bump)(void *conn, int64_t tenant);
    /* roles; *_get by <id> when <name> is NULL; BK_ECONFLICT on a taken name */
    enum bk_err (*role_insert)(void *conn, int64_t tenant, const char *name, const char *descr,
                               int64_t when, int64_t *id_out);
    enum bk_err (*role_get)(void *conn, int64_t tenant, int64_t id, const char *name,
                            struct access_named *out);
    enum bk_err (*role_update)(void *conn, int64_t tenant, int64_t id, const char *name,
                               const char *descr);
    /* policies */
    enum bk_err (*policy_insert)(void *conn, int64_t tenant, const char *name, const char *descr,
                                 const char *body, int64_t when, int64_t *id_out);
    enum bk_err (*policy_get)(void *conn, int64_t tenant, int64_t id, const char *name,
                              struct access_named *out);
    enum bk_err (*policy_update)(void *conn, int64_t tenant, int64_t id, const char *name,
                                 const char *descr, const char *body, int64_t when);
    enum bk_err (*policy_list)(void *conn, int64_t tenant, store_named_fn fn, void *arg);
    enum bk_err (*role_link)(void *conn, int64_t tenant, int64_t role_id, int64_t policy_id);
    enum bk_err (*role_links)(void *conn, int64_t tenant, store_link_fn fn, void *arg);
    /* groups; *_get by <id> when <name> is NULL */
    enum bk_err (*group_insert)(void *conn, int64_t tenant, const char *name, const char *descr,
                                const char *gtype, int64_t when, int64_t *id_out);
    enum bk_err (*group_get)(void *conn, int64_t tenant, int64_t id, const char *name,
                             struct access_named *out);
    enum bk_err (*group_update)(void *conn, int64_t tenant, int64_t id, const char *name,
                                const char *descr, const char *gtype);
    enum bk_err (*group_delete)(void *conn, int64_t tenant, int64_t id);   /* and its members */
    enum bk_err (*group_list)(void *conn, int64_t tenant, store_named_fn fn, void *arg);
    /* members: BK_ECONFLICT when (group, user, role) exists; delete removes
     * every role of the user in the group, BK_ENOTFOUND when there was none */
    enum bk_err (*member_add)(void *conn, int64_t tenant, int64_t group_id, int64_t user_id,
                              int64_t role_id);
    enum bk_err (*member_delete)(void *conn, int64_t tenant, int64_t group_id, int64_t user_id);
    enum bk_err (*member_purge_user)(void *conn, int64_t tenant, int64_t user_id);
    enum bk_err (*members_of_user)(void *conn, int64_t tenant, int64_t user_id,
                                   store_member_fn fn, void *arg);
    enum bk_err (*members_of_group)(void *conn, int64_t tenant, int64_t group_id,
                                    store_member_fn fn, void *arg);
    /* the active users of a group, one row each, by user id */
    enum bk_err (*group_users_page)(void *conn, int64_t tenant, int64_t group_id, int64_t offset,
                                    int64_t limit, int64_t *total, store_user_fn fn, void *arg);
    /* access tokens */
    enum bk_err (*xtoken_insert)(void *conn, struct access_xtoken *t);    /* sets t->id */
    enum bk_err (*xtoken_by_hash)(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                                  struct access_xtoken *out);
    enum bk_err (*xtoken_touch)(void *conn, int64_t tenant, int64_t id, int64_t lastused);
    enum bk_err (*xtoken_purge_user)(void *conn, int64_t tenant, int64_t user_id);
    enum bk_err (*xtoken_sweep)(void *conn, int64_t tenant, int64_t now);
    /* bulk unlock ids: bind sets the purpose only while it is still "" */
    enum bk_err (*unlock_insert)(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                                 const char *owner, int64_t expires);
    enum bk_err (*unlock_get)(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                              struct access_unlock *out);
    enum bk_err (*unlock_bind)(void *conn, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                               const char *purpose);
    enum bk_err (*unlock_sweep)(void *conn, int64_t tenant, int64_t now);
    /* listings for bulk calls */
    enum bk_err (*users_page)(void *conn, int64_t tenant, int64_t offset, int64_t limit,
                              int64_t *total, store_user_fn fn, void *arg);
    enum bk_err (*user_by_id)(void *conn, int64_t tenant, int64_t id, struct user_row *out);
    enum bk_err (*audit_page)(void *conn, int64_t tenant, int64_t offset, int64_t limit,
                              int64_t *total, store_audit_fn fn, void *arg);
    /* fuzzy search n-grams (keyed 64-bit hashes) */
    enum bk_err (*gram_put)(void *conn, int64_t tenant, int kind, int64_t gram, int64_t user_id);
    /* <n> (at most STORE_GRAMS_PER_CALL) postings in one statement (NULL:
     * store_access_gram_put_many() puts them one by one); postings already
     * there are kept */
    enum bk_err (*gram_put_many)(void *conn, int64_t tenant, const struct store_gram_row *rows,
                                 size_t n);
    /* <n> (at most STORE_GRAMS_PER_CALL) postings removed by their primary
     * key (the index has no other); postings not there are skipped */
    enum bk_err (*gram_delete_many)(void *conn, int64_t tenant, const struct store_gram_row *rows,
                                    size_t n);
    /* every posting of <user_id>: a scan of the tenant's postings, only for
     * a user whose profile (which names the postings) no longer opens */
    enum bk_err (*gram_purge_user)(void *conn, int64_t tenant, int64_t user_id);
    /* the users holding most of the <n> distinct <grams>, best first, at most
     * <limit>; fn gets each with how many it holds. The grams counted are the
     * <rarest> rarest of those held by between 1 and <common> - 1 users (ties
     * by gram value); when there are none, every gram held by some user, each
     * counting its <common> lowest user ids. Users holding fewer than a
     * quarter of the counted grams are left out; ties go to the lower user
     * id. Every backend answers it with access_gram_match() over its own
     * posting reader. */
    enum bk_err (*gram_match)(void *conn, int64_t tenant, int kind, const int64_t *grams,
                              size_t n, int64_t common, int64_t rarest, int64_t limit,
                              store_gram_fn fn, void *arg);
    /* membership tests for policies: into *user_out the lowest user id >= <from> that is a
     * member of group <group_id> (of an existing group), holding there the role named <role>
     * ("" or NULL: any role, or none); BK_ENOTFOUND when there is none. One seek on the
     * members' primary key: "is X a member" is member_seek(X) == X, and two groups meet by
     * seeking each from the other's last answer */
    enum bk_err (*member_seek)(void *conn, int64_t tenant, int64_t group_id, const char *role,
                               int64_t from, int64_t *user_out);
    /* Pending postings (all optional; NULL: postings are written directly).
     * A create writes the grams of each of its users' values as one row per
     * (user, kind), keyed (tenant, user_id, kind): one or two pages a commit
     * instead of one leaf page per posting. A merge (core/search.c) moves
     * them into the postings in one write transaction. A user's postings of
     * a kind are either all pending or all merged, never both. */
    /* put (or replace) <user_id>'s pending row of <kind>; <n> <= STORE_PEND_GRAMS_MAX */
    enum bk_err (*pend_put)(void *conn, int64_t tenant, int64_t user_id, int kind,
                            int64_t created_ms, const int64_t *grams, size_t n);
    /* into <grams> (room for STORE_PEND_GRAMS_MAX) the pending row of
     * (<user_id>, <kind>); BK_ENOTFOUND when there is none */
    enum bk_err (*pend_get)(void *conn, int64_t tenant, int64_t user_id, int kind,
                            int64_t *grams, size_t *n_out);
    /* <user_id>'s pending row of <kind> (0: of every kind); none is no error */
    enum bk_err (*pend_delete)(void *conn, int64_t tenant, int64_t user_id, int kind);
    /* the tenant's pending rows keyed (user_id, kind) up to and including
     * (<user_id>, <kind>): what a pend_list of every kind returned, in one
     * statement (NULL: pend_delete row by row) */
    enum bk_err (*pend_delete_through)(void *conn, int64_t tenant, int64_t user_id, int kind);
    /* the tenant's pending rows of <kind> (0: every kind) by user id, at most <limit> */
    enum bk_err (*pend_list)(void *conn, int64_t tenant, int kind, int64_t limit,
                             store_pend_fn fn, void *arg);
    /* how many pending rows the tenant has */
    enum bk_err (*pend_count)(void *conn, int64_t tenant, int64_t *rows);
    /* every tenant with pending rows (for the merger, across tenants) */
    enum bk_err (*pend_tenants)(void *conn, store_pend_stat_fn fn, void *arg);
};

#define STORE_PEND_GRAMS_MAX 512    /* grams a pending row holds at most */

void access_named_cleanup(struct access_named *n);

/* A backend's posting reader: into <ids> the ids of the users holding <gram>,
 * ascending (the lowest <cap>), at most <cap>; *n_out says how many. <conn> is
 * what access_gram_match() was given (a backend passes its connection with
 * the buckets one search reads). */
typedef enum bk_err (*access_postings_fn)(void *conn, int64_t tenant, int kind, int64_t gram,
                                          int64_t cap, int64_t *ids, size_t *n_out);

/* The pending postings of one tenant and kind, as (gram, user) pairs: a
 * search counts them with the merged ones. */
struct access_pending {
    struct store_gram_row *rows;    /* sorted by gram, then user, after access_pending_seal() */
    size_t n, cap;
};

/* Add the <n> <grams> of <user_id> (a store_pend_fn: <arg> is the pending set). */
enum bk_err access_pending_add(void *arg, int64_t user_id, int kind, const int64_t *grams,
                               size_t n);
/* Sort <n> postings into the order of the index's key: (kind, bucket, gram,
 * user), so inserts walk the index once instead of jumping. */
void access_postings_sort(struct store_gram_row *rows, size_t n);
/* Whether <rows> are already in access_postings_sort()'s order. */
int access_postings_sorted(const struct store_gram_row *rows, size_t n);
void access_pending_seal(struct access_pending *p);
void access_pending_cleanup(struct access_pending *p);

/* The gram_match contract above, over <postings> and the sealed pending set
 * <pend> (NULL: none) taken together. How many users hold a gram
 * is remembered in memory for a few minutes, so later searches read only the
 * posting lists they count; the grams chosen follow those remembered counts
 * until they expire. */
enum bk_err access_gram_match(void *conn, access_postings_fn postings,
                              const struct access_pending *pend, int64_t tenant, int kind,
                              const int64_t *grams, size_t n, int64_t common, int64_t rarest,
                              int64_t limit, store_gram_fn fn, void *arg);

#define ACCESS_OPS(c) ((c)->store->ops->access)
#define ACCESS_CALL(c, verb, ...) \
    (ACCESS_OPS(c) == NULL ? BK_ENOTIMPL : ACCESS_OPS(c)->verb((c)->conn, __VA_ARGS__))

static inline enum bk_err
store_access_version_get(struct store_conn *c, int64_t tenant, int64_t *out)
{
    return ACCESS_CALL(c, version_get, tenant, out);
}

static inline enum bk_err
store_access_version_bump(struct store_conn *c, int64_t tenant)
{
    return ACCESS_CALL(c, version_bump, tenant);
}

static inline enum bk_err
store_access_role_insert(struct store_conn *c, int64_t tenant, const char *name,
                         const char *descr, int64_t when, int64_t *id_out)
{
    return ACCESS_CALL(c, role_insert, tenant, name, descr, when, id_out);
}

static inline enum bk_err
store_access_role_get(struct store_conn *c, int64_t tenant, int64_t id, const char *name,
                      struct access_named *out)
{
    return ACCESS_CALL(c, role_get, tenant, id, name, out);
}

static inline enum bk_err
store_access_role_update(struct store_conn *c, int64_t tenant, int64_t id, const char *name,
                         const char *descr)
{
    return ACCESS_CALL(c, role_update, tenant, id, name, descr);
}

static inline enum bk_err
store_access_policy_insert(struct store_conn *c, int64_t tenant, const char *name,
                           const char *descr, const char *body, int64_t when, int64_t *id_out)
{
    return ACCESS_CALL(c, policy_insert, tenant, name, descr, body, when, id_out);
}

static inline enum bk_err
store_access_policy_get(struct store_conn *c, int64_t tenant, int64_t id, const char *name,
                        struct access_named *out)
{
    return ACCESS_CALL(c, policy_get, tenant, id, name, out);
}

static inline enum bk_err
store_access_policy_update(struct store_conn *c, int64_t tenant, int64_t id, const char *name,
                           const char *descr, const char *body, int64_t when)
{
    return ACCESS_CALL(c, policy_update, tenant, id, name, descr, body, when);
}

static inline enum bk_err
store_access_policy_list(struct store_conn *c, int64_t tenant, store_named_fn fn, void *arg)
{
    return ACCESS_CALL(c, policy_list, tenant, fn, arg);
}

static inline enum bk_err
store_access_role_link(struct store_conn *c, int64_t tenant, int64_t role_id, int64_t policy_id)
{
    return ACCESS_CALL(c, role_link, tenant, role_id, policy_id);
}

static inline enum bk_err
store_access_role_links(struct store_conn *c, int64_t tenant, store_link_fn fn, void *arg)
{
    return ACCESS_CALL(c, role_links, tenant, fn, arg);
}

static inline enum bk_err
store_access_group_insert(struct store_conn *c, int64_t tenant, const char *name,
                          const char *descr, const char *gtype, int64_t when, int64_t *id_out)
{
    return ACCESS_CALL(c, group_insert, tenant, name, descr, gtype, when, id_out);
}

static inline enum bk_err
store_access_group_get(struct store_conn *c, int64_t tenant, int64_t id, const char *name,
                       struct access_named *out)
{
    return ACCESS_CALL(c, group_get, tenant, id, name, out);
}

static inline enum bk_err
store_access_group_update(struct store_conn *c, int64_t tenant, int64_t id, const char *name,
                          const char *descr, const char *gtype)
{
    return ACCESS_CALL(c, group_update, tenant, id, name, descr, gtype);
}

static inline enum bk_err
store_access_group_delete(struct store_conn *c, int64_t tenant, int64_t id)
{
    return ACCESS_CALL(c, group_delete, tenant, id);
}

static inline enum bk_err
store_access_group_list(struct store_conn *c, int64_t tenant, store_named_fn fn, void *arg)
{
    return ACCESS_CALL(c, group_list, tenant, fn, arg);
}

static inline enum bk_err
store_access_member_add(struct store_conn *c, int64_t tenant, int64_t group_id,
                        int64_t user_id, int64_t role_id)
{
    return ACCESS_CALL(c, member_add, tenant, group_id, user_id, role_id);
}

static inline enum bk_err
store_access_member_delete(struct store_conn *c, int64_t tenant, int64_t group_id,
                           int64_t user_id)
{
    return ACCESS_CALL(c, member_delete, tenant, group_id, user_id);
}

static inline enum bk_err
store_access_member_purge_user(struct store_conn *c, int64_t tenant, int64_t user_id)
{
    return ACCESS_CALL(c, member_purge_user, tenant, user_id);
}

static inline enum bk_err
store_access_members_of_user(struct store_conn *c, int64_t tenant, int64_t user_id,
                             store_member_fn fn, void *arg)
{
    return ACCESS_CALL(c, members_of_user, tenant, user_id, fn, arg);
}

static inline enum bk_err
store_access_members_of_group(struct store_conn *c, int64_t tenant, int64_t group_id,
                              store_member_fn fn, void *arg)
{
    return ACCESS_CALL(c, members_of_group, tenant, group_id, fn, arg);
}

static inline enum bk_err
store_access_group_users_page(struct store_conn *c, int64_t tenant, int64_t group_id,
                              int64_t offset, int64_t limit, int64_t *total, store_user_fn fn,
                              void *arg)
{
    return ACCESS_CALL(c, group_users_page, tenant, group_id, offset, limit, total, fn, arg);
}

static inline enum bk_err
store_access_xtoken_insert(struct store_conn *c, struct access_xtoken *t)
{
    return ACCESS_CALL(c, xtoken_insert, t);
}

static inline enum bk_err
store_access_xtoken_by_hash(struct store_conn *c, int64_t tenant,
                            const uint8_t hash[STORE_HASH_LEN], struct access_xtoken *out)
{
    return ACCESS_CALL(c, xtoken_by_hash, tenant, hash, out);
}

static inline enum bk_err
store_access_xtoken_touch(struct store_conn *c, int64_t tenant, int64_t id, int64_t lastused)
{
    return ACCESS_CALL(c, xtoken_touch, tenant, id, lastused);
}

static inline enum bk_err
store_access_xtoken_purge_user(struct store_conn *c, int64_t tenant, int64_t user_id)
{
    return ACCESS_CALL(c, xtoken_purge_user, tenant, user_id);
}

static inline enum bk_err
store_access_xtoken_sweep(struct store_conn *c, int64_t tenant, int64_t now)
{
    return ACCESS_CALL(c, xtoken_sweep, tenant, now);
}

static inline enum bk_err
store_access_unlock_insert(struct store_conn *c, int64_t tenant,
                           const uint8_t hash[STORE_HASH_LEN], const char *owner,
                           int64_t expires)
{
    return ACCESS_CALL(c, unlock_insert, tenant, hash, owner, expires);
}

static inline enum bk_err
store_access_unlock_get(struct store_conn *c, int64_t tenant, const uint8_t hash[STORE_HASH_LEN],
                        struct access_unlock *out)
{
    return ACCESS_CALL(c, unlock_get, tenant, hash, out);
}

static inline enum bk_err
store_access_unlock_bind(struct store_conn *c, int64_t tenant,
                         const uint8_t hash[STORE_HASH_LEN], const char *purpose)
{
    return ACCESS_CALL(c, unlock_bind, tenant, hash, purpose);
}

static inline enum bk_err
store_access_unlock_sweep(struct store_conn *c, int64_t tenant, int64_t now)
{
    return ACCESS_CALL(c, unlock_sweep, tenant, now);
}

static inline enum bk_err
store_access_users_page(struct store_conn *c, int64_t tenant, int64_t offset, int64_t limit,
                        int64_t *total, store_user_fn fn, void *arg)
{
    return ACCESS_CALL(c, users_page, tenant, offset, limit, total, fn, arg);
}

static inline enum bk_err
store_access_user_by_id(struct store_conn *c, int64_t tenant, int64_t id, struct user_row *out)
{
    return ACCESS_CALL(c, user_by_id, tenant, id, out);
}

static inline enum bk_err
store_access_audit_page(struct store_conn *c, int64_t tenant, int64_t offset, int64_t limit,
                        int64_t *total, store_audit_fn fn, void *arg)
{
    return ACCESS_CALL(c, audit_page, tenant, offset, limit, total, fn, arg);
}

static inline enum bk_err
store_access_gram_put(struct store_conn *c, int64_t tenant, int kind, int64_t gram,
                      int64_t user_id)
{
    return ACCESS_CALL(c, gram_put, tenant, kind, gram, user_id);
}

#define STORE_GRAMS_PER_CALL 2000

/* Servers take many postings per round trip; an embedded store one by one. */
static inline enum bk_err
store_access_gram_put_many(struct store_conn *c, int64_t tenant, const struct store_gram_row *rows,
                           size_t n)
{
    enum bk_err err = BK_OK;

    if (ACCESS_OPS(c) != NULL && ACCESS_OPS(c)->gram_put_many != NULL) {
        for (size_t i = 0; i < n && err == BK_OK; i += STORE_GRAMS_PER_CALL)
            err = ACCESS_OPS(c)->gram_put_many(c->conn, tenant, rows + i,
                                               n - i < STORE_GRAMS_PER_CALL ?
                                               n - i : STORE_GRAMS_PER_CALL);
        return err;
    }
    for (size_t i = 0; i < n && err == BK_OK; i++)
        err = store_access_gram_put(c, tenant, rows[i].kind, rows[i].gram, rows[i].user_id);
    return err;
}

static inline enum bk_err
store_access_gram_delete_many(struct store_conn *c, int64_t tenant,
                              const struct store_gram_row *rows, size_t n)
{
    enum bk_err err = BK_OK;

    if (ACCESS_OPS(c) == NULL || ACCESS_OPS(c)->gram_delete_many == NULL)
        return BK_ENOTIMPL;
    for (size_t i = 0; i < n && err == BK_OK; i += STORE_GRAMS_PER_CALL)
        err = ACCESS_OPS(c)->gram_delete_many(c->conn, tenant, rows + i,
                                              n - i < STORE_GRAMS_PER_CALL ?
                                              n - i : STORE_GRAMS_PER_CALL);
    return err;
}

static inline enum bk_err
store_access_gram_purge_user(struct store_conn *c, int64_t tenant, int64_t user_id)
{
    return ACCESS_CALL(c, gram_purge_user, tenant, user_id);
}

static inline enum bk_err
store_access_gram_match(struct store_conn *c, int64_t tenant, int kind, const int64_t *grams,
                        size_t n, int64_t common, int64_t rarest, int64_t limit,
                        store_gram_fn fn, void *arg)
{
    return ACCESS_CALL(c, gram_match, tenant, kind, grams, n, common, rarest, limit, fn, arg);
}

#define ACCESS_OPT(c, verb, ...) \
    (ACCESS_OPS(c) == NULL || ACCESS_OPS(c)->verb == NULL ? BK_ENOTIMPL : \
     ACCESS_OPS(c)->verb((c)->conn, __VA_ARGS__))

static inline enum bk_err
store_access_pend_put(struct store_conn *c, int64_t tenant, int64_t user_id, int kind,
                      int64_t created_ms, const int64_t *grams, size_t n)
{
    return ACCESS_OPT(c, pend_put, tenant, user_id, kind, created_ms, grams, n);
}

static inline enum bk_err
store_access_pend_get(struct store_conn *c, int64_t tenant, int64_t user_id, int kind,
                      int64_t *grams, size_t *n_out)
{
    return ACCESS_OPT(c, pend_get, tenant, user_id, kind, grams, n_out);
}

static inline enum bk_err
store_access_pend_delete(struct store_conn *c, int64_t tenant, int64_t user_id, int kind)
{
    return ACCESS_OPT(c, pend_delete, tenant, user_id, kind);
}

static inline enum bk_err
store_access_pend_delete_through(struct store_conn *c, int64_t tenant, int64_t user_id, int kind)
{
    return ACCESS_OPT(c, pend_delete_through, tenant, user_id, kind);
}

static inline enum bk_err
store_access_pend_list(struct store_conn *c, int64_t tenant, int kind, int64_t limit,
                       store_pend_fn fn, void *arg)
{
    return ACCESS_OPT(c, pend_list, tenant, kind, limit, fn, arg);
}

static inline enum bk_err
store_access_pend_count(struct store_conn *c, int64_t tenant, int64_t *rows)
{
    return ACCESS_OPT(c, pend_count, tenant, rows);
}

static inline enum bk_err
store_access_pend_tenants(struct store_conn *c, store_pend_stat_fn fn, void *arg)
{
    return ACCESS_OPT(c, pend_tenants, fn, arg);
}

static inline enum bk_err
store_access_member_seek(struct store_conn *c, int64_t tenant, int64_t group_id, const char *role,
                         int64_t from, int64_t *user_out)
{
    return ACCESS_CALL(c, member_seek, tenant, group_id, role, from, user_out);
}

#endif
