/* SQLite backend. A pool of connections to one WAL database, each with its
 * statements prepared once. Every statement binds its parameters; no SQL is
 * built from input. Knows rows and bytes, never JSON or keys. */
#include "sqlite.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <string.h>

#include <sqlite3.h>

#include "../base/clock.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "migrations.h"
#include "proof.h"
#include "sqlite_int.h"


enum stmt_id {
    ST_BEGIN_READ,
    ST_BEGIN_WRITE,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_META_GET,
    ST_META_PUT,
    ST_USER_INSERT,
    ST_USER_BY_TOKEN,
    ST_USER_BY_INDEX,
    ST_USER_UPDATE,
    ST_USER_SHRED,
    ST_INDEX_PUT,
    ST_INDEX_OWNER,
    ST_INDEX_DELETE,
    ST_AUDIT_LAST,
    ST_AUDIT_INSERT,
    ST_AUDIT_GET,
    ST_AUDIT_COUNT_USER,
    ST_AUDIT_LIST_USER,
    ST_COUNT_USERS,
    ST_COUNT
};

#define USER_COLS "id, tenant, token, status, dek, body, version, created, updated"
#define AUDIT_COLS "id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, " \
                   "prev_hash, hash"

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN_READ] = "BEGIN",
    [ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_PUT] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [ST_USER_INSERT] = "INSERT INTO users (tenant, token, status, dek, body, version, created, "
                       "updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_USER_BY_TOKEN] = "SELECT " USER_COLS " FROM users WHERE tenant = ?1 AND token = ?2",
    [ST_USER_BY_INDEX] = "SELECT u.id, u.tenant, u.token, u.status, u.dek, u.body, u.version, "
                         "u.created, u.updated FROM user_index i JOIN users u ON u.id = i.user_id "
                         "WHERE i.tenant = ?1 AND i.kind = ?2 AND i.hash = ?3",
    [ST_USER_UPDATE] = "UPDATE users SET body = ?1, version = ?2, updated = ?3 "
                       "WHERE id = ?4 AND tenant = ?5 AND version = ?6 AND status = 1",
    [ST_USER_SHRED] = "UPDATE users SET status = 2, dek = NULL, body = NULL, "
                      "version = version + 1, updated = ?3 WHERE id = ?1 AND tenant = ?2",
    [ST_INDEX_PUT] = "INSERT INTO user_index (tenant, kind, hash, user_id) VALUES (?1, ?2, ?3, ?4) "
                     "ON CONFLICT (tenant, kind, hash) DO NOTHING",
    [ST_INDEX_OWNER] = "SELECT user_id FROM user_index WHERE tenant = ?1 AND kind = ?2 "
                       "AND hash = ?3",
    [ST_INDEX_DELETE] = "DELETE FROM user_index WHERE tenant = ?1 AND kind = ?2 AND user_id = ?3",
    [ST_AUDIT_LAST] = "SELECT hash FROM audit WHERE tenant = ?1 ORDER BY id DESC LIMIT 1",
    [ST_AUDIT_INSERT] = "INSERT INTO audit (tenant, atoken, record, at, action, who, mode, status, "
                        "msg, sealed, prev_hash, hash) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [ST_AUDIT_GET] = "SELECT " AUDIT_COLS " FROM audit WHERE tenant = ?1 AND atoken = ?2",
    [ST_AUDIT_COUNT_USER] = "SELECT count(*) FROM audit WHERE tenant = ?1 AND record = ?2",
    [ST_AUDIT_LIST_USER] = "SELECT " AUDIT_COLS " FROM audit WHERE tenant = ?1 AND record = ?2 "
                           "ORDER BY id DESC LIMIT ?3 OFFSET ?4",
    [ST_COUNT_USERS] = "SELECT count(*) FROM users WHERE tenant = ?1 AND status = 1",
};


#define GC_RESULTS 1024          /* remembered batch results (a ring) */
#define GC_MAX_JOBS 256          /* a batch commits once it holds this many writes */
#define GC_MAX_WAIT_US 4000      /* ... or once its oldest write waited this long */
#define GC_HOLD_MAX_US 2000      /* the longest a durable batch is held open for more writes */
#define SQ_CHECKPOINT_STEP_PAGES 2048   /* WAL pages written between the syncer's checkpoints */
#define SQ_WRITER_CHECKPOINT_PAGES 8192 /* a WAL this long: the writer checkpoints itself */

/* Group commit: every write transaction runs inside a savepoint on one shared
 * writer connection, under <wlock>. The last writer of a burst (nobody else
 * waiting for <wlock>) commits the whole batch with one fsync; the others wait
 * for that commit before they answer. A failed commit fails every write in
 * the batch, none of which was acknowledged.
 * A batch is durable (synchronous=FULL) or lazy (synchronous=NORMAL: no fsync
 * at commit; the syncer fsyncs within its interval). Lazy writes join any
 * batch; a durable write never joins a lazy batch: that one commits first. */
struct sq_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned n;
    struct sq_conn *conns;
    struct sq_conn writer;
    pthread_mutex_t wlock;
    atomic_int wwaiting;
    atomic_int rwaiting;         /* of <wwaiting>, the writes not marked background */
    int txn_open;
    uint64_t batch;
    unsigned batch_jobs;
    int64_t batch_started_us;
    /* Adaptive hold: a durable batch is held open for the next write when
     * writes arrive faster than a commit takes (both moving averages, in
     * microseconds), so one fsync serves more of them. Guarded by <wlock>. */
    int64_t last_arrival_us;
    int64_t arrival_avg_us;
    int64_t commit_avg_us;
    atomic_llong hold_us;        /* how long a held batch's writers wait before committing it */
    int batch_broken;            /* a write hit an I/O error: the batch cannot commit */
    int batch_lazy;              /* the open batch commits without an fsync */
    int writer_full;             /* the writer connection's synchronous is FULL */
    int wal_kicked_at;           /* the WAL's length when the syncer was last asked to copy it */
    unsigned lazy_sync_ms;       /* 0: lazy writes are durable like the others */
    struct sq_syncer syncer;
    pthread_mutex_t glock;       /* guards done_batch and results */
    pthread_cond_t gdone;
    uint64_t done_batch;
    enum bk_err results[GC_RESULTS];
    char *path;
};

/* Set when a statement on this thread's borrowed connection failed with an
 * I/O error (a failed write or fsync): after that SQLite's view of the file
 * cannot be trusted, so the connection is closed and opened afresh when it
 * is given back, and the failed transaction is never retried on it. A
 * connection is used by one thread between acquire and release. */
static _Thread_local int io_failed;

enum bk_err
sq_err(sqlite3 *db, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return BK_ERETRY;
    case SQLITE_CONSTRAINT:
        return BK_ECONFLICT;
    case SQLITE_NOMEM:
        return BK_ENOMEM;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        LOG_ERR(NULL, "sqlite", "database corrupt: %s", sqlite3_errmsg(db));
        return BK_ECORRUPT;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        io_failed = 1;
        LOG_ERR(NULL, "sqlite", "I/O failure: %s", sqlite3_errmsg(db));
        return BK_EUNAVAIL;
    default:
        LOG_ERR(NULL, "sqlite", "error %d: %s", rc, sqlite3_errmsg(db));
        return BK_EBACKEND;
    }
}

static void
conn_close(struct sq_conn *c)
{
    for (int i = 0; i < SQ_CACHE_SLOTS; i++) {
        sqlite3_finalize(c->own_cache[i].st);
        c->own_cache[i].st = NULL;
        c->own_cache[i].sql = NULL;
    }
    sqlite3_close_v2(c->own_db);
    c->own_db = c->db = NULL;
}

static enum bk_err
conn_open(const char *path, struct sq_conn *c)
{
    static const char *const pragmas[] = {
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 10000",
        NULL,
    };
    int rc;

    memset(c, 0, sizeof *c);
    rc = sqlite3_open_v2(path, &c->own_db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    c->db = c->own_db;
    c->cache = c->own_cache;
    if (rc != SQLITE_OK) {
        LOG_ERR(NULL, "sqlite", "cannot open %s: %s", path,
                c->db ? sqlite3_errmsg(c->db) : "out of memory");
        conn_close(c);
        return BK_EUNAVAIL;
    }
    sqlite3_extended_result_codes(c->db, 1);
    if (sq_gramfn_register(c->db) != BK_OK) {
        conn_close(c);
        return BK_ENOMEM;
    }
    for (size_t i = 0; pragmas[i] != NULL; i++) {
        rc = sqlite3_exec(c->db, pragmas[i], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            enum bk_err err = sq_err(c->db, rc);
            conn_close(c);
            return err;
        }
    }
    return BK_OK;
}

enum bk_err
sq_prepare(struct sq_conn *c, const char *sql, sqlite3_stmt **out)
{
    size_t h = ((uintptr_t)sql >> 3) * 0x9e3779b97f4a7c15ULL;

    *out = NULL;
    for (size_t n = 0; n < SQ_CACHE_SLOTS; n++) {
        struct sq_cached *slot = &c->cache[(h + n) & (SQ_CACHE_SLOTS - 1)];

        if (slot->sql == sql) {
            *out = slot->st;
            return BK_OK;
        }
        if (slot->sql == NULL) {
            int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->st,
                                        NULL);
            if (rc != SQLITE_OK) {
                slot->st = NULL;
                return sq_err(c->db, rc);
            }
            slot->sql = sql;
            *out = slot->st;
            return BK_OK;
        }
    }
    return BK_EINTERNAL;
}

/* Statements are prepared after the migrations ran, on first use. */
static enum bk_err
stmt(struct sq_conn *c, enum stmt_id id, sqlite3_stmt **out)
{
    return sq_prepare(c, stmt_sql[id], out);
}

void
sq_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

enum bk_err
sq_exec_done(struct sq_conn *c, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    enum bk_err err = rc == SQLITE_DONE ? BK_OK : sq_err(c->db, rc);

    sq_done(st);
    return err;
}

/* How run_key() binds ?2. */
enum sq_key_kind {
    SQ_KEY_ID = 1,          /* the integer <b> */
    SQ_KEY_TEXT,            /* the text <key> */
    SQ_KEY_HASH,            /* the STORE_HASH_LEN bytes at <key> */
};

/* Prepare <sql>, bind ?1 = <a> and ?2 as <kind> says, and run it: with
 * <read>, sq_step_row() into <out>; without, sq_exec_done(). */
static enum bk_err
run_key(struct sq_conn *c, const char *sql, int64_t a, enum sq_key_kind kind, int64_t b,
        const void *key, sq_read_fn read, void *out)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, a);
    if (kind == SQ_KEY_TEXT)
        sq_bind_text(st, 2, key);
    else if (kind == SQ_KEY_HASH)
        sq_bind_blob(st, 2, key, STORE_HASH_LEN);
    else
        sqlite3_bind_int64(st, 2, b);
    return read != NULL ? sq_step_row(c, st, read, out) : sq_exec_done(c, st);
}

enum bk_err
sq_exec_ids(struct sq_conn *c, const char *sql, int64_t a, int64_t b)
{
    return run_key(c, sql, a, SQ_KEY_ID, b, NULL, NULL, NULL);
}

enum bk_err
sq_exec_id_text(struct sq_conn *c, const char *sql, int64_t a, const char *text)
{
    return run_key(c, sql, a, SQ_KEY_TEXT, 0, text, NULL, NULL);
}

enum bk_err
sq_exec_id_changes(struct sq_conn *c, const char *sql, int64_t a, int64_t *changes)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(c, sql, &st);

    *changes = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, a);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        *changes = sqlite3_changes(c->db);
    return err;
}

enum bk_err
sq_step_int64(struct sq_conn *c, sqlite3_stmt *st, int64_t *out)
{
    int rc = sqlite3_step(st);
    enum bk_err err = BK_OK;

    *out = 0;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

enum bk_err
sq_step_row(struct sq_conn *c, sqlite3_stmt *st, sq_read_fn read, void *out)
{
    int rc = sqlite3_step(st);
    enum bk_err err;

    if (rc == SQLITE_ROW)
        err = read(st, out);
    else
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

enum bk_err
sq_exec_found(struct sq_conn *c, sqlite3_stmt *st)
{
    enum bk_err err = sq_exec_done(c, st);

    if (err == BK_OK && sqlite3_changes(c->db) == 0)
        err = BK_ENOTFOUND;
    return err;
}

enum bk_err
sq_row_by_text(struct sq_conn *c, const char *sql, int64_t tenant, const char *text,
               sq_read_fn read, void *out)
{
    return run_key(c, sql, tenant, SQ_KEY_TEXT, 0, text, read, out);
}

enum bk_err
sq_row_by_hash(struct sq_conn *c, const char *sql, int64_t tenant, const uint8_t *hash,
               sq_read_fn read, void *out)
{
    return run_key(c, sql, tenant, SQ_KEY_HASH, 0, hash, read, out);
}

enum bk_err
sq_row_by_id(struct sq_conn *c, const char *sql, int64_t tenant, int64_t id, sq_read_fn read,
             void *out)
{
    return run_key(c, sql, tenant, SQ_KEY_ID, id, NULL, read, out);
}

/* The writer's WAL hook (in place of SQLite's, which checkpoints at 1000
 * pages), called after each commit with the WAL's length in pages. Copying
 * the WAL into the database file (a checkpoint) inside the commit holds the
 * writer lock for the copy and its two fsyncs, so every
 * SQ_CHECKPOINT_STEP_PAGES the syncer is asked to copy it on its own
 * connection, beside the writer. While writes never pause, such a passive
 * checkpoint never catches up with the WAL's end, and the WAL can start over
 * only once everything in it was copied: the writer's own checkpoint past
 * SQ_WRITER_CHECKPOINT_PAGES does that, finding only what the syncer's last
 * pass left (7-10 such per 9 s of creates, ~16 ms each, instead of ~110 of
 * ~11 ms at 1000 pages). */
static int
writer_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sq_pool *p = arg;

    if (pages >= SQ_WRITER_CHECKPOINT_PAGES) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        p->wal_kicked_at = 0;
        return SQLITE_OK;
    }
    if (pages < p->wal_kicked_at)
        p->wal_kicked_at = 0;   /* the WAL started over */
    if (pages - p->wal_kicked_at >= SQ_CHECKPOINT_STEP_PAGES) {
        p->wal_kicked_at = pages;
        sq_syncer_kick(&p->syncer);
    }
    return SQLITE_OK;
}

/* The writer holds a whole batch of writes in one transaction: a page cache
 * of 64 MiB keeps their dirty pages in memory until the commit writes each
 * once, instead of spilling them to the WAL midway; and each write's
 * savepoint journal (the pages as they were before it) stays in memory
 * instead of going to a temporary file once it passes 64 KiB. */
static void
writer_setup(struct sq_pool *p)
{
    p->writer_full = 1;
    sqlite3_exec(p->writer.own_db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
    sqlite3_exec(p->writer.own_db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
    /* The syncer checkpoints on its own connection within its interval after
     * any commit, and at once every SQ_CHECKPOINT_STEP_PAGES of WAL. */
    p->wal_kicked_at = 0;
    sqlite3_wal_hook(p->writer.own_db, writer_wal_hook, p);
}

static void
sq_close(void *cls)
{
    struct sq_pool *p = cls;

    if (p == NULL)
        return;
    sq_syncer_stop(&p->syncer);
    for (unsigned i = 0; i < p->n; i++)
        conn_close(&p->conns[i]);
    conn_close(&p->writer);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->wlock);
    pthread_mutex_destroy(&p->glock);
    pthread_cond_destroy(&p->gdone);
    mem_free(p->conns);
    mem_free(p->path);
    mem_free(p);
}

static enum bk_err
sq_open(const struct store_conf *conf, void **cls)
{
    struct sq_pool *p;
    enum bk_err err = BK_OK;
    unsigned n = conf->pool_size ? conf->pool_size : 1;

    *cls = NULL;
    if (sqlite3_threadsafe() == 0)
        return BK_EBACKEND;
    /* Its allocation counters cost one process-wide mutex around every
     * allocation of every connection; nothing reads them (before any open). */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    p = mem_calloc(1, sizeof *p);
    if (p == NULL)
        return BK_ENOMEM;
    p->conns = mem_calloc(n, sizeof *p->conns);
    if (p->conns == NULL) {
        mem_free(p);
        return BK_ENOMEM;
    }
    p->path = mem_strdup(conf->path);
    if (p->path == NULL) {
        mem_free(p->conns);
        mem_free(p);
        return BK_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    pthread_mutex_init(&p->wlock, NULL);
    pthread_mutex_init(&p->glock, NULL);
    pthread_cond_init(&p->gdone, NULL);
    atomic_init(&p->hold_us, GC_HOLD_MAX_US);
    p->lazy_sync_ms = conf->lazy_sync_ms;
    err = conn_open(conf->path, &p->writer);
    if (err == BK_OK)
        writer_setup(p);
    if (err == BK_OK)
        err = sq_syncer_start(&p->syncer, p->path, p->lazy_sync_ms);
    for (p->n = 0; err == BK_OK && p->n < n; p->n++) {
        err = conn_open(conf->path, &p->conns[p->n]);
        p->conns[p->n].pool = p;
        if (err != BK_OK)
            break;
    }
    if (err != BK_OK) {
        sq_close(p);
        return err;
    }
    *cls = p;
    return BK_OK;
}


static void sq_rollback(void *conn);

/* Close <c> and open it again on <p>'s file; on failure c->db stays NULL and
 * the next acquire tries again. */
static enum bk_err
conn_reopen(struct sq_pool *p, struct sq_conn *c)
{
    enum bk_err err;

    int in_use = c->in_use;

    if (c->own_db != NULL)
        conn_close(c);
    err = conn_open(p->path, c);
    if (err == BK_OK && c == &p->writer)
        writer_setup(p);
    c->pool = c == &p->writer ? NULL : p;
    c->in_use = in_use;
    if (err != BK_OK)
        LOG_ERR(NULL, "sqlite", "cannot reopen the database after an I/O error: %s",
                bk_err_str(err));
    return err;
}

static void sq_release(void *cls, void *conn);

static enum bk_err
sq_acquire(void *cls, void **conn)
{
    struct sq_pool *p = cls;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        for (unsigned i = 0; i < p->n; i++) {
            if (!p->conns[i].in_use) {
                p->conns[i].in_use = 1;
                pthread_mutex_unlock(&p->lock);
                io_failed = 0;
                if (p->conns[i].own_db == NULL && conn_reopen(p, &p->conns[i]) != BK_OK) {
                    sq_release(p, &p->conns[i]);
                    return BK_EUNAVAIL;
                }
                *conn = &p->conns[i];
                return BK_OK;
            }
        }
        pthread_cond_wait(&p->freed, &p->lock);
    }
}

static void
sq_release(void *cls, void *conn)
{
    struct sq_pool *p = cls;
    struct sq_conn *c = conn;

    if (c->in_write)
        sq_rollback(c);     /* a caller that forgot: its write is undone */
    if (c->own_db != NULL && !sqlite3_get_autocommit(c->own_db))
        sqlite3_exec(c->own_db, "ROLLBACK", NULL, NULL, NULL);
    if (io_failed && c->own_db != NULL) {
        LOG_WARN(NULL, "sqlite", "reopening a connection after an I/O error");
        conn_reopen(p, c);
    }
    io_failed = 0;
    c->background = 0;
    pthread_mutex_lock(&p->lock);
    c->in_use = 0;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

static enum bk_err
sq_migrate(void *conn)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *ver = NULL, *mark = NULL;
    enum bk_err err = BK_OK;
    int rc;

    rc = sqlite3_exec(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sq_err(c->db, rc);
    rc = sqlite3_prepare_v2(c->db, "SELECT count(*) FROM schema_migrations WHERE version = ?1",
                            -1, &ver, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(c->db, "INSERT INTO schema_migrations (version, applied) "
                                       "VALUES (?1, strftime('%s', 'now'))", -1, &mark, NULL);
    if (rc != SQLITE_OK) {
        err = sq_err(c->db, rc);
        goto out;
    }
    for (const struct migration *mg = sqlite_migrations; mg->version != 0 && err == BK_OK; mg++) {
        int applied;

        sqlite3_bind_int(ver, 1, mg->version);
        if (sqlite3_step(ver) != SQLITE_ROW) {
            err = sq_err(c->db, sqlite3_errcode(c->db));
            break;
        }
        applied = sqlite3_column_int(ver, 0);
        sqlite3_reset(ver);
        if (applied)
            continue;
        rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, mg->sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int(mark, 1, mg->version);
            rc = sqlite3_step(mark) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(c->db);
            sqlite3_reset(mark);
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            err = sq_err(c->db, rc);
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        } else {
            LOG_INFO(NULL, "sqlite", "applied migration %s", mg->name);
        }
    }
out:
    sqlite3_finalize(ver);
    sqlite3_finalize(mark);
    return err;
}

/* Run <sql> (a static string) on the writer connection, prepared once. */
static int
wexec(struct sq_pool *p, const char *sql)
{
    sqlite3_stmt *st = NULL;
    enum bk_err err = sq_prepare(&p->writer, sql, &st);
    int rc;

    if (err != BK_OK)
        return err == BK_ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static enum bk_err conn_reopen(struct sq_pool *p, struct sq_conn *c);

/* Commit the open batch; called with <wlock> held. A batch in which a write
 * hit an I/O error is rolled back whole, and after any I/O error the writer
 * connection is reopened rather than trusted again. */
static enum bk_err
batch_commit(struct sq_pool *p)
{
    enum bk_err err;
    int rc;

    if (p->batch_broken) {
        err = BK_EUNAVAIL;
    } else {
        int64_t t0 = clock_mono_us();

        io_failed = 0;
        rc = wexec(p, "COMMIT");
        err = rc == SQLITE_OK ? BK_OK : sq_err(p->writer.own_db, rc);
        if (!p->batch_lazy) {
            p->commit_avg_us += (clock_mono_us() - t0 - p->commit_avg_us) / 8;
            atomic_store(&p->hold_us, p->commit_avg_us < 100 ? 100 :
                         p->commit_avg_us > GC_HOLD_MAX_US ? GC_HOLD_MAX_US : p->commit_avg_us);
        }
    }
    /* A failed COMMIT (I/O error, failed fsync) is fatal to the batch: roll
     * back, never retry it as if nothing happened. */
    if (err != BK_OK) {
        LOG_ERR(NULL, "sqlite", "group commit of %u writes failed: %s", p->batch_jobs,
                bk_err_str(err));
        if (!sqlite3_get_autocommit(p->writer.own_db))
            wexec(p, "ROLLBACK");
    }
    if (p->batch_broken || io_failed) {
        LOG_WARN(NULL, "sqlite", "reopening the writer connection after an I/O error");
        conn_reopen(p, &p->writer);
        p->batch_broken = 0;
        io_failed = 0;
    }
    /* The syncer checkpoints in the background after any commit, so the
     * writer's own checkpoints find the WAL already copied; after a lazy
     * commit its fsync of the WAL is what makes the commit durable. */
    if (err == BK_OK)
        sq_syncer_note(&p->syncer);
    p->txn_open = 0;
    pthread_mutex_lock(&p->glock);
    p->results[p->batch % GC_RESULTS] = err;
    p->done_batch = p->batch;
    pthread_cond_broadcast(&p->gdone);
    pthread_mutex_unlock(&p->glock);
    return err;
}

static enum bk_err
batch_wait(struct sq_pool *p, uint64_t batch)
{
    enum bk_err err;

    pthread_mutex_lock(&p->glock);
    while (p->done_batch < batch) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)atomic_load(&p->hold_us) * 1000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&p->gdone, &p->glock, &until) == 0 || p->done_batch >= batch)
            continue;
        /* Nobody committed our batch in time: do it ourselves. */
        pthread_mutex_unlock(&p->glock);
        pthread_mutex_lock(&p->wlock);
        if (p->txn_open && p->batch == batch)
            batch_commit(p);
        pthread_mutex_unlock(&p->wlock);
        pthread_mutex_lock(&p->glock);
    }
    err = p->done_batch - batch < GC_RESULTS ? p->results[batch % GC_RESULTS] : BK_OK;
    pthread_mutex_unlock(&p->glock);
    return err;
}

/* Whether the open batch should wait for more writes before it commits:
 * others are queued for the writer, or (a durable batch that already holds
 * concurrent writes) the next write is expected sooner than a commit takes
 * and the batch is younger than a commit. A lone writer never waits. */
static int
hold_open(struct sq_pool *p)
{
    if (atomic_load(&p->wwaiting) > 0)
        return 1;
    if (p->batch_lazy || p->batch_jobs < 2 || p->arrival_avg_us >= p->commit_avg_us)
        return 0;
    return clock_mono_us() - p->batch_started_us < atomic_load(&p->hold_us);
}

/* A write left its savepoint; called with <wlock> held, which it releases.
 * Commits the batch when nobody else is queued for it or it is full. */
static enum bk_err
job_finish(struct sq_pool *p, uint64_t batch, int wait)
{
    enum bk_err err = BK_OK;

    if (!hold_open(p) || p->batch_jobs >= GC_MAX_JOBS ||
        clock_mono_us() - p->batch_started_us > GC_MAX_WAIT_US) {
        err = batch_commit(p);
        pthread_mutex_unlock(&p->wlock);
        return wait ? err : BK_OK;
    }
    pthread_mutex_unlock(&p->wlock);
    return wait ? batch_wait(p, batch) : BK_OK;
}

static int
sq_writers_waiting(void *cls, void *conn)
{
    struct sq_pool *p = cls;
    const struct sq_conn *c = conn;

    if (c != NULL && c->in_write)
        return -1;
    return atomic_load(&p->rwaiting);
}

static void
sq_background(void *conn)
{
    struct sq_conn *c = conn;

    c->background = 1;
}

static enum bk_err
sq_begin(void *conn, int write)
{
    struct sq_conn *c = conn;
    struct sq_pool *p = c->pool;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    int rc, lazy;

    if (!write || p == NULL) {
        err = stmt(c, write ? ST_BEGIN_WRITE : ST_BEGIN_READ, &st);
        return err == BK_OK ? sq_exec_done(c, st) : err;
    }
    lazy = write == STORE_WRITE_LAZY && p->lazy_sync_ms > 0;
    atomic_fetch_add(&p->wwaiting, 1);
    if (!c->background)
        atomic_fetch_add(&p->rwaiting, 1);
    pthread_mutex_lock(&p->wlock);
    if (!c->background)
        atomic_fetch_sub(&p->rwaiting, 1);
    atomic_fetch_sub(&p->wwaiting, 1);
    if (!lazy) {
        int64_t t = clock_mono_us();

        if (p->last_arrival_us != 0)
            p->arrival_avg_us += (t - p->last_arrival_us - p->arrival_avg_us) / 8;
        p->last_arrival_us = t;
    }
    /* A durable write does not wait behind a lazy batch's fsync that never
     * comes: that batch commits now. */
    if (p->txn_open && p->batch_lazy && !lazy)
        batch_commit(p);
    if (!p->txn_open) {
        rc = SQLITE_OK;
        if (p->writer_full == lazy) {
            rc = wexec(p, lazy ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
            if (rc == SQLITE_OK)
                p->writer_full = !lazy;
        }
        if (rc == SQLITE_OK)
            rc = wexec(p, "BEGIN IMMEDIATE");
        if (rc != SQLITE_OK) {
            err = sq_err(p->writer.own_db, rc);
            if (err == BK_EUNAVAIL)
                conn_reopen(p, &p->writer);
            pthread_mutex_unlock(&p->wlock);
            return err;
        }
        p->txn_open = 1;
        p->batch_lazy = lazy;
        p->batch++;
        p->batch_jobs = 0;
        p->batch_started_us = clock_mono_us();
    }
    rc = wexec(p, "SAVEPOINT job");
    if (rc != SQLITE_OK) {
        err = sq_err(p->writer.own_db, rc);
        job_finish(p, p->batch, 0);
        return err;
    }
    p->batch_jobs++;
    c->db = p->writer.own_db;
    c->cache = p->writer.own_cache;
    c->in_write = 1;
    c->batch = p->batch;
    return BK_OK;
}

static void
write_leave(struct sq_conn *c)
{
    c->db = c->own_db;
    c->cache = c->own_cache;
    c->in_write = 0;
}

static enum bk_err
sq_commit(void *conn)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    int rc;

    if (c->in_write) {
        struct sq_pool *p = c->pool;

        write_leave(c);
        if (io_failed)
            p->batch_broken = 1;
        rc = wexec(p, "RELEASE job");
        if (rc != SQLITE_OK) {
            err = sq_err(p->writer.own_db, rc);
            wexec(p, "ROLLBACK TO job");
            wexec(p, "RELEASE job");
            job_finish(p, c->batch, 0);
            return err;
        }
        return job_finish(p, c->batch, 1);
    }
    err = stmt(c, ST_COMMIT, &st);
    if (err == BK_OK)
        err = sq_exec_done(c, st);
    if (err != BK_OK && !sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

static void
sq_rollback(void *conn)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;

    if (c->in_write) {
        struct sq_pool *p = c->pool;

        write_leave(c);
        if (io_failed)
            p->batch_broken = 1;
        wexec(p, "ROLLBACK TO job");
        wexec(p, "RELEASE job");
        job_finish(p, c->batch, 0);
        return;
    }
    if (sqlite3_get_autocommit(c->db))
        return;
    if (stmt(c, ST_ROLLBACK, &st) == BK_OK)
        sq_exec_done(c, st);
}

enum bk_err
sq_col_blob(sqlite3_stmt *st, int col, uint8_t **out, size_t *out_len)
{
    const void *p;
    int n;

    *out = NULL;
    *out_len = 0;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return BK_OK;
    p = sqlite3_column_blob(st, col);
    n = sqlite3_column_bytes(st, col);
    *out = mem_alloc((size_t)n + 1);
    if (*out == NULL)
        return BK_ENOMEM;
    if (n > 0)
        memcpy(*out, p, (size_t)n);
    *out_len = (size_t)n;
    return BK_OK;
}

void
sq_col_text(sqlite3_stmt *st, int col, char *out, size_t out_size)
{
    const unsigned char *p = sqlite3_column_text(st, col);
    size_t n = p ? (size_t)sqlite3_column_bytes(st, col) : 0;

    if (n >= out_size)
        n = out_size - 1;
    if (n)
        memcpy(out, p, n);
    out[n] = '\0';
}

enum bk_err
sq_col_strdup(sqlite3_stmt *st, int col, char **out)
{
    const unsigned char *p;

    *out = NULL;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return BK_OK;
    p = sqlite3_column_text(st, col);
    *out = mem_strndup((const char *)p, (size_t)sqlite3_column_bytes(st, col));
    return *out ? BK_OK : BK_ENOMEM;
}

int
sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s == NULL)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static enum bk_err
sq_meta_get(void *conn, const char *key, uint8_t **val, size_t *val_len)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    int rc;

    *val = NULL;
    *val_len = 0;
    err = stmt(c, ST_META_GET, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = sq_col_blob(st, 0, val, val_len);
    else
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
sq_meta_put(void *conn, const char *key, const uint8_t *val, size_t val_len)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_META_PUT, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, val, (int)val_len, SQLITE_STATIC);
    return sq_exec_done(c, st);
}

int
sq_bind_blob(sqlite3_stmt *st, int i, const uint8_t *p, size_t n)
{
    if (p == NULL)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_blob64(st, i, p, n, SQLITE_STATIC);
}

static enum bk_err
sq_user_insert(void *conn, struct user_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_USER_INSERT, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sqlite3_bind_text(st, 2, row->token, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, row->status);
    sq_bind_blob(st, 4, row->dek, row->dek_len);
    sq_bind_blob(st, 5, row->body, row->body_len);
    sqlite3_bind_int64(st, 6, row->version);
    sqlite3_bind_int64(st, 7, row->created);
    sqlite3_bind_int64(st, 8, row->updated);
    err = sq_exec_done(c, st);
    if (err == BK_OK)
        row->id = sqlite3_last_insert_rowid(c->db);
    return err;
}

enum bk_err
sq_read_user(sqlite3_stmt *st, struct user_row *out)
{
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, out->token, sizeof out->token);
    out->status = sqlite3_column_int(st, 3);
    out->version = sqlite3_column_int64(st, 6);
    out->created = sqlite3_column_int64(st, 7);
    out->updated = sqlite3_column_int64(st, 8);
    err = sq_col_blob(st, 4, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = sq_col_blob(st, 5, &out->body, &out->body_len);
    if (err != BK_OK)
        store_user_row_cleanup(out);
    return err;
}

static enum bk_err
step_user(struct sq_conn *c, sqlite3_stmt *st, struct user_row *out)
{
    int rc = sqlite3_step(st);
    enum bk_err err;

    if (rc == SQLITE_ROW)
        err = sq_read_user(st, out);
    else
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
sq_user_by_token(void *conn, int64_t tenant, const char *token, struct user_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = stmt(c, ST_USER_BY_TOKEN, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
    return step_user(c, st, out);
}

static enum bk_err
sq_user_by_index(void *conn, int64_t tenant, int kind, const uint8_t hash[STORE_HASH_LEN],
                 struct user_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    err = stmt(c, ST_USER_BY_INDEX, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_blob(st, 3, hash, STORE_HASH_LEN, SQLITE_STATIC);
    return step_user(c, st, out);
}

static enum bk_err
sq_user_update(void *conn, const struct user_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_USER_UPDATE, &st);

    if (err != BK_OK)
        return err;
    sq_bind_blob(st, 1, row->body, row->body_len);
    sqlite3_bind_int64(st, 2, row->version);
    sqlite3_bind_int64(st, 3, row->updated);
    sqlite3_bind_int64(st, 4, row->id);
    sqlite3_bind_int64(st, 5, row->tenant);
    sqlite3_bind_int64(st, 6, row->version - 1);
    err = sq_exec_done(c, st);
    if (err == BK_OK && sqlite3_changes(c->db) != 1)
        err = BK_ECONFLICT;
    return err;
}

static enum bk_err
sq_user_shred(void *conn, int64_t tenant, int64_t id, int64_t when)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_USER_SHRED, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, tenant);
    sqlite3_bind_int64(st, 3, when);
    err = sq_exec_done(c, st);
    if (err == BK_OK && sqlite3_changes(c->db) != 1)
        err = BK_ENOTFOUND;
    return err;
}

static enum bk_err
sq_index_put(void *conn, int64_t tenant, int kind, const uint8_t hash[STORE_HASH_LEN],
             int64_t user_id)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_INDEX_PUT, &st);
    int rc;

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_blob(st, 3, hash, STORE_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, user_id);
    err = sq_exec_done(c, st);
    if (err != BK_OK || sqlite3_changes(c->db) == 1)
        return err;
    /* The hash exists: fine if it is already this user's, a conflict otherwise. */
    err = stmt(c, ST_INDEX_OWNER, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_blob(st, 3, hash, STORE_HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = sqlite3_column_int64(st, 0) == user_id ? BK_OK : BK_ECONFLICT;
    else
        err = rc == SQLITE_DONE ? BK_ERETRY : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
sq_index_delete(void *conn, int64_t tenant, int kind, int64_t user_id)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_INDEX_DELETE, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int64(st, 3, user_id);
    return sq_exec_done(c, st);
}

static enum bk_err
sq_audit_last_hash(void *conn, int64_t tenant, uint8_t out[STORE_HASH_LEN])
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_AUDIT_LAST, &st);
    int rc;

    memset(out, 0, STORE_HASH_LEN);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) == STORE_HASH_LEN)
            memcpy(out, sqlite3_column_blob(st, 0), STORE_HASH_LEN);
        else
            err = BK_ECORRUPT;
    } else if (rc != SQLITE_DONE) {
        err = sq_err(c->db, rc);
    }
    sq_done(st);
    return err;
}

static enum bk_err
sq_audit_insert(void *conn, const struct audit_row *row)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_AUDIT_INSERT, &st);

    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, row->tenant);
    sqlite3_bind_text(st, 2, row->atoken, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, row->record, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, row->when);
    sqlite3_bind_text(st, 5, row->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, row->who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, row->mode, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, row->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, row->msg, -1, SQLITE_STATIC);
    sq_bind_blob(st, 10, row->sealed, row->sealed_len);
    sqlite3_bind_blob(st, 11, row->prev_hash, STORE_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 12, row->hash, STORE_HASH_LEN, SQLITE_STATIC);
    return sq_exec_done(c, st);
}

enum bk_err
sq_read_audit(sqlite3_stmt *st, struct audit_row *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->tenant = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, out->atoken, sizeof out->atoken);
    sq_col_text(st, 3, out->record, sizeof out->record);
    out->when = sqlite3_column_int64(st, 4);
    sq_col_text(st, 5, out->action, sizeof out->action);
    sq_col_text(st, 6, out->who, sizeof out->who);
    sq_col_text(st, 7, out->mode, sizeof out->mode);
    sq_col_text(st, 8, out->status, sizeof out->status);
    sq_col_text(st, 9, out->msg, sizeof out->msg);
    if (sqlite3_column_bytes(st, 11) == STORE_HASH_LEN)
        memcpy(out->prev_hash, sqlite3_column_blob(st, 11), STORE_HASH_LEN);
    if (sqlite3_column_bytes(st, 12) == STORE_HASH_LEN)
        memcpy(out->hash, sqlite3_column_blob(st, 12), STORE_HASH_LEN);
    return sq_col_blob(st, 10, &out->sealed, &out->sealed_len);
}

static enum bk_err
sq_audit_get(void *conn, int64_t tenant, const char *atoken, struct audit_row *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    int rc;

    memset(out, 0, sizeof *out);
    err = stmt(c, ST_AUDIT_GET, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_text(st, 2, atoken, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = sq_read_audit(st, out);
    else
        err = rc == SQLITE_DONE ? BK_ENOTFOUND : sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
sq_audit_list_user(void *conn, int64_t tenant, const char *record, int64_t offset, int64_t limit,
                   int64_t *total, store_audit_fn fn, void *arg)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err;
    int rc;

    *total = 0;
    err = stmt(c, ST_AUDIT_COUNT_USER, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_text(st, 2, record, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    else
        err = sq_err(c->db, rc);
    sq_done(st);
    if (err != BK_OK)
        return err;
    err = stmt(c, ST_AUDIT_LIST_USER, &st);
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    sqlite3_bind_text(st, 2, record, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, limit);
    sqlite3_bind_int64(st, 4, offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct audit_row row;

        err = sq_read_audit(st, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_audit_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    if (err == BK_OK && rc != SQLITE_DONE)
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

static enum bk_err
sq_count_users(void *conn, int64_t tenant, int64_t *out)
{
    struct sq_conn *c = conn;
    sqlite3_stmt *st = NULL;
    enum bk_err err = stmt(c, ST_COUNT_USERS, &st);
    int rc;

    *out = 0;
    if (err != BK_OK)
        return err;
    sqlite3_bind_int64(st, 1, tenant);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        err = sq_err(c->db, rc);
    sq_done(st);
    return err;
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .version = 1,
    .open = sq_open,
    .close = sq_close,
    .migrate = sq_migrate,
    .conn_acquire = sq_acquire,
    .conn_release = sq_release,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .meta_get = sq_meta_get,
    .meta_put = sq_meta_put,
    .user_insert = sq_user_insert,
    .user_by_token = sq_user_by_token,
    .user_by_index = sq_user_by_index,
    .user_update = sq_user_update,
    .user_shred = sq_user_shred,
    .index_put = sq_index_put,
    .index_delete = sq_index_delete,
    .audit_last_hash = sq_audit_last_hash,
    .audit_insert = sq_audit_insert,
    .audit_get = sq_audit_get,
    .audit_list_user = sq_audit_list_user,
    .count_users = sq_count_users,
    .system = &sqlite_system_ops,
    .consent = &sqlite_consent_ops,
    .appdata = &sqlite_appdata_ops,
    .sessions = &sqlite_sessions_ops,
    .requests = &sqlite_requests_ops,
    .versions = &sqlite_versions_ops,
    .expiry = &sqlite_expiry_ops,
    .shared = &sqlite_shared_ops,
    .access = &sqlite_access_ops,
    .proof = &sqlite_proof_ops,
    .tenants = &sqlite_tenants_ops,
    .portal = &sqlite_portal_ops,
    .tokens = &sqlite_tokens_ops,
    .writers_waiting = sq_writers_waiting,
    .background = sq_background,
};
