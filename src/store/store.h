/* The storage interface: one ops table per backend, reached only through the
 * inline wrappers below. Backends see opaque ciphertext, index hashes and
 * plain metadata; they never parse JSON or see a key. A `struct store` is
 * shared by all workers; each worker borrows a `struct store_conn` from it
 * for the length of one request. */
#ifndef BK_STORE_H
#define BK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

#define STORE_HASH_LEN 32

struct store_tenants_ops;
struct store_tokens_ops;

enum user_status { USER_ACTIVE = 1, USER_DELETED = 2 };

/* A user row as stored. Pointers are owned by the row: store_user_row_cleanup(). */
struct user_row {
    int64_t id;
    int64_t tenant;
    char token[37];
    int status;            /* enum user_status */
    uint8_t *dek;          /* wrapped data key; NULL once shredded */
    size_t dek_len;
    uint8_t *body;         /* sealed profile; NULL once shredded */
    size_t body_len;
    int64_t version;       /* bumped on every change */
    int64_t created;
    int64_t updated;
    /* The user's expiration, when the lookup brought it along in the same
     * statement (PostgreSQL and MariaDB reads outside a write transaction:
     * LEFT JOIN user_expiry), so a read needs no second round trip for it.
     * exp_known: USER_EXP_UNKNOWN (not read: ask the expiry family),
     * USER_EXP_NONE (the user has no user_expiry row), USER_EXP_ROW (the
     * exp_ fields hold its row's columns of the same names). */
    int exp_known;
    int exp_state;
    int64_t exp_sliding;
    int64_t exp_finaltime;
    int64_t exp_endtime;
    int64_t exp_touched;
};

#define USER_EXP_UNKNOWN 0
#define USER_EXP_NONE 1
#define USER_EXP_ROW 2

/* An audit event as stored. The personal parts (identity, before, after) are
 * sealed under the user's data key, so shredding the key erases them. */
struct audit_row {
    int64_t id;
    int64_t tenant;
    char atoken[37];
    char record[37];       /* the user token, or "" */
    int64_t when;
    char action[48];       /* the operation, e.g. "UserCreate" */
    char who[64];          /* the caller: "root", or a token hash prefix; holds "anonymous "
                              and an IPv6 address */
    char mode[16];
    char status[8];        /* "ok" or "error" */
    char msg[128];
    uint8_t *sealed;       /* sealed JSON {identity, before, after}; may be NULL */
    size_t sealed_len;
    uint8_t prev_hash[STORE_HASH_LEN];
    uint8_t hash[STORE_HASH_LEN];
};

/* Called for each row a listing finds; the row is borrowed for the call only.
 * Returning non-BK_OK stops the listing and is passed back. */
typedef enum bk_err (*store_audit_fn)(void *arg, const struct audit_row *row);

struct store_system_ops;

struct store_conf {
    const char *path;      /* SQLite: the database file */
    unsigned pool_size;    /* connections to open (one per worker) */
    /* SQLite: STORE_WRITE_LAZY commits reach the disk within this many ms
     * (0: they are durable at commit like every other write) */
    unsigned lazy_sync_ms;
    /* PostgreSQL and MariaDB (NULL: the client library's default) */
    const char *host;
    const char *port;
    const char *user;
    const char *password;
    const char *dbname;
    /* TLS to the database: "disable", "prefer", "require", "verify-ca" or
     * "verify-full" (libpq's sslmode names; MariaDB maps them onto
     * MYSQL_OPT_SSL_*). CA, client certificate and key are PEM files. */
    const char *sslmode;
    const char *ssl_ca;
    const char *ssl_cert;
    const char *ssl_key;
    unsigned connect_timeout_s; /* 0: 5 seconds */
};

struct store_proof_ops;

/* begin's <write>. STORE_WRITE: commit returns once the transaction is
 * durable (fsync'd). STORE_WRITE_LAZY, for records of reads (the audit event
 * of a UserGet): commit returns once the transaction is committed and visible
 * and survives a crash of the process, and it becomes durable against a power
 * cut within the store's sync interval or with the next durable commit. */
#define STORE_READ 0
#define STORE_WRITE 1
#define STORE_WRITE_LAZY 2

struct store_ops {
    const char *name;
    unsigned version;
    enum bk_err (*open)(const struct store_conf *conf, void **cls);
    void (*close)(void *cls);
    /* schema */
    enum bk_err (*migrate)(void *conn);
    /* connections: one per worker, borrowed per request */
    enum bk_err (*conn_acquire)(void *cls, void **conn);
    void (*conn_release)(void *cls, void *conn);
    /* transactions: begin takes the write lock when <write> is STORE_WRITE or
     * STORE_WRITE_LAZY (see there) */
    enum bk_err (*begin)(void *conn, int write);
    enum bk_err (*commit)(void *conn);
    void (*rollback)(void *conn);
    /* metadata (keys' check values, wrapped master key, root token hash) */
    enum bk_err (*meta_get)(void *conn, const char *key, uint8_t **val, size_t *val_len);
    enum bk_err (*meta_put)(void *conn, const char *key, const uint8_t *val, size_t val_len);
    /* users */
    enum bk_err (*user_insert)(void *conn, struct user_row *row);   /* sets row->id */
    enum bk_err (*user_by_token)(void *conn, int64_t tenant, const char *token,
                                 struct user_row *out);
    enum bk_err (*user_by_index)(void *conn, int64_t tenant, int kind,
                                 const uint8_t hash[STORE_HASH_LEN], struct user_row *out);
    /* store new body where the stored version is still <row->version - 1> */
    enum bk_err (*user_update)(void *conn, const struct user_row *row);
    enum bk_err (*user_shred)(void *conn, int64_t tenant, int64_t id, int64_t when);
    /* indexes: BK_ECONFLICT when the hash is taken by another user */
    enum bk_err (*index_put)(void *conn, int64_t tenant, int kind,
                             const uint8_t hash[STORE_HASH_LEN], int64_t user_id);
    enum bk_err (*index_delete)(void *conn, int64_t tenant, int kind, int64_t user_id);
    /* audit */
    enum bk_err (*audit_last_hash)(void *conn, int64_t tenant, uint8_t out[STORE_HASH_LEN]);
    enum bk_err (*audit_insert)(void *conn, const struct audit_row *row);
    enum bk_err (*audit_get)(void *conn, int64_t tenant, const char *atoken,
                             struct audit_row *out);
    enum bk_err (*audit_list_user)(void *conn, int64_t tenant, const char *record,
                                   int64_t offset, int64_t limit, int64_t *total,
                                   store_audit_fn fn, void *arg);
    /* optional: insert <n> rows of one tenant's chain, in order, in one
     * statement where the backend can (NULL: audit_insert for each) */
    enum bk_err (*audit_insert_many)(void *conn, const struct audit_row *const *rows, size_t n);
    /* counts for /status and metrics */
    enum bk_err (*count_users)(void *conn, int64_t tenant, int64_t *out);

    /* Resource families: each has its own ops table declared in store/<family>.h,
     * with inline wrappers store_<family>_<verb>() there; a backend that lacks a
     * family leaves its pointer NULL and the wrappers answer BK_ENOTIMPL. */
    const struct store_system_ops *system;
    const struct store_consent_ops *consent;
    const struct store_appdata_ops *appdata;
    const struct store_sessions_ops *sessions;
    const struct store_requests_ops *requests;
    const struct store_versions_ops *versions;
    const struct store_expiry_ops *expiry;
    const struct store_shared_ops *shared;
    const struct store_access_ops *access;
    const struct store_proof_ops *proof;    /* store/proof.h */
    const struct store_tenants_ops *tenants;
    const struct store_portal_ops *portal;
    const struct store_tokens_ops *tokens;  /* store/tokens.h */
    /* How many writes of requests wait for the write lock right now (a
     * hint, read without a lock; writes on a connection marked by
     * <background> are not counted), or -1 when <conn> holds it; NULL: the
     * backend does not tell. */
    int (*writers_waiting)(void *cls, void *conn);
    /* Mark <conn>, until it is released, as the server's own background
     * work's (NULL: the backend does not tell writers apart). */
    void (*background)(void *conn);
};

struct store {
    const struct store_ops *ops;
    void *cls;
};

/* A connection borrowed from <store> for one request. */
struct store_conn {
    struct store *store;
    void *conn;
};

/* Open the backend called <name> ("sqlite", "pgsql", "mysql"); *out is filled on success.
 * BK_EINVAL for an unknown name. */
enum bk_err store_open(const char *name, const struct store_conf *conf, struct store *out);
void store_close(struct store *s);

void store_user_row_cleanup(struct user_row *row);
void store_audit_row_cleanup(struct audit_row *row);

/* Wait a little before try <attempt> + 2 of a transaction that lost a race
 * (BK_ERETRY, or a version check): randomized, growing, at most ~20 ms. */
void store_backoff(int attempt);

static inline enum bk_err
store_acquire(struct store *s, struct store_conn *out)
{
    out->store = s;
    out->conn = NULL;
    return s->ops->conn_acquire(s->cls, &out->conn);
}

static inline void
store_release(struct store_conn *c)
{
    if (c->conn != NULL)
        c->store->ops->conn_release(c->store->cls, c->conn);
    c->conn = NULL;
}

#define STORE_OPS(c) ((c)->store->ops)

/* How many writes of requests (not of connections marked by
 * store_background()) wait for the write lock of <c>'s store now, -1 when <c>
 * holds it (0 when the backend does not tell). */
static inline int
store_writers_waiting(const struct store_conn *c)
{
    if (c->store->ops->writers_waiting == NULL)
        return 0;
    return c->store->ops->writers_waiting(c->store->cls, c->conn);
}

/* Mark <c>, until store_release(), as the server's own background work's
 * (ctx_background(): the journal's importer, the sweeper, the search merger):
 * its writes waiting for the write lock do not count in
 * store_writers_waiting(), since no request waits for them. */
static inline void
store_background(struct store_conn *c)
{
    if (c->store->ops->background != NULL)
        c->store->ops->background(c->conn);
}

static inline enum bk_err
store_migrate(struct store_conn *c)
{
    return STORE_OPS(c)->migrate(c->conn);
}

static inline enum bk_err
store_begin(struct store_conn *c, int write)
{
    return STORE_OPS(c)->begin(c->conn, write);
}

static inline enum bk_err
store_commit(struct store_conn *c)
{
    return STORE_OPS(c)->commit(c->conn);
}

static inline void
store_rollback(struct store_conn *c)
{
    STORE_OPS(c)->rollback(c->conn);
}

/* End the open transaction as <err> says: commit it when BK_OK (returning the
 * commit's result), else roll it back and return <err>. */
static inline enum bk_err
store_end(struct store_conn *c, enum bk_err err)
{
    if (err != BK_OK) {
        store_rollback(c);
        return err;
    }
    return store_commit(c);
}

static inline enum bk_err
store_meta_get(struct store_conn *c, const char *key, uint8_t **val, size_t *val_len)
{
    return STORE_OPS(c)->meta_get(c->conn, key, val, val_len);
}

static inline enum bk_err
store_meta_put(struct store_conn *c, const char *key, const uint8_t *val, size_t val_len)
{
    return STORE_OPS(c)->meta_put(c->conn, key, val, val_len);
}

static inline enum bk_err
store_user_insert(struct store_conn *c, struct user_row *row)
{
    return STORE_OPS(c)->user_insert(c->conn, row);
}

static inline enum bk_err
store_user_by_token(struct store_conn *c, int64_t tenant, const char *token,
                    struct user_row *out)
{
    return STORE_OPS(c)->user_by_token(c->conn, tenant, token, out);
}

static inline enum bk_err
store_user_by_index(struct store_conn *c, int64_t tenant, int kind,
                    const uint8_t hash[STORE_HASH_LEN], struct user_row *out)
{
    return STORE_OPS(c)->user_by_index(c->conn, tenant, kind, hash, out);
}

static inline enum bk_err
store_user_update(struct store_conn *c, const struct user_row *row)
{
    return STORE_OPS(c)->user_update(c->conn, row);
}

static inline enum bk_err
store_user_shred(struct store_conn *c, int64_t tenant, int64_t id, int64_t when)
{
    return STORE_OPS(c)->user_shred(c->conn, tenant, id, when);
}

static inline enum bk_err
store_index_put(struct store_conn *c, int64_t tenant, int kind,
                const uint8_t hash[STORE_HASH_LEN], int64_t user_id)
{
    return STORE_OPS(c)->index_put(c->conn, tenant, kind, hash, user_id);
}

static inline enum bk_err
store_index_delete(struct store_conn *c, int64_t tenant, int kind, int64_t user_id)
{
    return STORE_OPS(c)->index_delete(c->conn, tenant, kind, user_id);
}

static inline enum bk_err
store_audit_last_hash(struct store_conn *c, int64_t tenant, uint8_t out[STORE_HASH_LEN])
{
    return STORE_OPS(c)->audit_last_hash(c->conn, tenant, out);
}

static inline enum bk_err
store_audit_insert(struct store_conn *c, const struct audit_row *row)
{
    return STORE_OPS(c)->audit_insert(c->conn, row);
}

static inline enum bk_err
store_audit_insert_many(struct store_conn *c, const struct audit_row *const *rows, size_t n)
{
    if (STORE_OPS(c)->audit_insert_many == NULL)
        return BK_ENOTIMPL;
    return STORE_OPS(c)->audit_insert_many(c->conn, rows, n);
}

static inline enum bk_err
store_audit_get(struct store_conn *c, int64_t tenant, const char *atoken, struct audit_row *out)
{
    return STORE_OPS(c)->audit_get(c->conn, tenant, atoken, out);
}

static inline enum bk_err
store_audit_list_user(struct store_conn *c, int64_t tenant, const char *record, int64_t offset,
                      int64_t limit, int64_t *total, store_audit_fn fn, void *arg)
{
    return STORE_OPS(c)->audit_list_user(c->conn, tenant, record, offset, limit, total, fn, arg);
}

static inline enum bk_err
store_count_users(struct store_conn *c, int64_t tenant, int64_t *out)
{
    return STORE_OPS(c)->count_users(c->conn, tenant, out);
}

#endif
