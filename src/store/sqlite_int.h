/* Internals shared by the SQLite backend's files (sqlite.c for the core
 * tables, sqlite_<family>.c for each resource family). Not for use outside
 * src/store. */
#ifndef BK_STORE_SQLITE_INT_H
#define BK_STORE_SQLITE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "../base/err.h"

#define SQ_CACHE_SLOTS 512   /* a power of two, above the number of statements */

struct sq_cached {
    const char *sql;         /* the static SQL text: its address is the key */
    sqlite3_stmt *st;
};

struct sq_pool;

/* One connection of the pool. During a write transaction <db> and <cache>
 * point at the pool's shared writer connection (group commit), otherwise at
 * this connection's own; family code uses only <db> and sq_prepare(). */
struct sq_conn {
    sqlite3 *db;
    struct sq_cached *cache;
    sqlite3 *own_db;
    struct sq_cached own_cache[SQ_CACHE_SLOTS];
    struct sq_pool *pool;
    int in_use;
    int in_write;           /* holds the writer lock inside a savepoint */
    int background;         /* store_background(): not counted in <rwaiting> */
    uint64_t batch;         /* the group-commit batch this write joined */
};

/* The background syncer (sqlite_sync.c): a thread with its own connection
 * that, within <interval_ms> of a commit or at once when kicked, checkpoints
 * the WAL (the writer copies it itself only past a far backstop) and fsyncs
 * it (which makes lazy commits durable). */
struct sq_syncer {
    const char *path;       /* borrowed from the pool */
    unsigned interval_ms;
    sqlite3 *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int running, stop, pending;
    int urgent;             /* checkpoint now, without waiting for the interval */
};

enum bk_err sq_syncer_start(struct sq_syncer *s, const char *path, unsigned interval_ms);
/* After a commit (a lazy one is not synced yet). */
void sq_syncer_note(struct sq_syncer *s);
/* The WAL grew by a step: checkpoint and sync it now rather than within the
 * interval. */
void sq_syncer_kick(struct sq_syncer *s);
/* Stop the thread, syncing what is still pending. */
void sq_syncer_stop(struct sq_syncer *s);

/* Register the posting-list functions (bk_ids_union, bk_ids_minus,
 * bk_ids_has, bk_ids_agg: sqlite_gramfn.c) on <db>. */
enum bk_err sq_gramfn_register(sqlite3 *db);
/* The store error for SQLite result <rc> on <db> (BUSY -> BK_ERETRY, ...). */
enum bk_err sq_err(sqlite3 *db, int rc);
/* The prepared statement for <sql>, a string with static storage duration,
 * prepared once per connection and cached by its address. */
enum bk_err sq_prepare(struct sq_conn *c, const char *sql, sqlite3_stmt **out);
/* Reset <st> and clear its bindings after use. */
void sq_done(sqlite3_stmt *st);
/* Step <st> once expecting no row, then sq_done() it. */
enum bk_err sq_exec_done(struct sq_conn *c, sqlite3_stmt *st);
/* Prepare <sql>, bind ?1 = <a> and ?2 = <b>, and run it to completion. */
enum bk_err sq_exec_ids(struct sq_conn *c, const char *sql, int64_t a, int64_t b);
/* Prepare <sql>, bind ?1 = <a> and ?2 = <text>, and run it to completion. */
enum bk_err sq_exec_id_text(struct sq_conn *c, const char *sql, int64_t a, const char *text);
/* Prepare <sql>, bind ?1 = <a>, and run it to completion; *changes is the
 * number of rows it changed (0 when it fails). */
enum bk_err sq_exec_id_changes(struct sq_conn *c, const char *sql, int64_t a, int64_t *changes);
/* Step <st> expecting one integer in column 0 (BK_ENOTFOUND without a row). */
enum bk_err sq_step_int64(struct sq_conn *c, sqlite3_stmt *st, int64_t *out);
/* Reads the row at the cursor of a statement into <out>, a family's row. */
typedef enum bk_err (*sq_read_fn)(sqlite3_stmt *st, void *out);
/* Step <st> once and read its row into <out> with <read> (BK_ENOTFOUND
 * without a row), then sq_done() it. */
enum bk_err sq_step_row(struct sq_conn *c, sqlite3_stmt *st, sq_read_fn read, void *out);
/* sq_exec_done(), but BK_ENOTFOUND when the statement changed no row. */
enum bk_err sq_exec_found(struct sq_conn *c, sqlite3_stmt *st);
/* Prepare <sql>, bind ?1 = <tenant> and ?2 = <text> (or the STORE_HASH_LEN
 * bytes of <hash>; or the integer <id>), and read its row into <out> with
 * sq_step_row(). */
enum bk_err sq_row_by_text(struct sq_conn *c, const char *sql, int64_t tenant, const char *text,
                           sq_read_fn read, void *out);
enum bk_err sq_row_by_hash(struct sq_conn *c, const char *sql, int64_t tenant,
                           const uint8_t *hash, sq_read_fn read, void *out);
enum bk_err sq_row_by_id(struct sq_conn *c, const char *sql, int64_t tenant, int64_t id,
                         sq_read_fn read, void *out);
/* A new copy of column <col> (mem_free()); NULL for SQL NULL. */
enum bk_err sq_col_blob(sqlite3_stmt *st, int col, uint8_t **out, size_t *out_len);
/* Copy text column <col> into <out>, truncated to <out_size> - 1 bytes. */
void sq_col_text(sqlite3_stmt *st, int col, char *out, size_t out_size);
/* A new NUL-terminated copy of text column <col> (mem_free()); NULL for SQL NULL. */
enum bk_err sq_col_strdup(sqlite3_stmt *st, int col, char **out);
/* Read the audit row at the cursor of <st>, whose columns are, in order: id,
 * tenant, atoken, record, at, action, who, mode, status, msg, sealed,
 * prev_hash, hash. store_audit_row_cleanup() it. */
struct audit_row;
enum bk_err sq_read_audit(sqlite3_stmt *st, struct audit_row *out);
struct user_row;
/* A user row from columns id, tenant, token, status, dek, body, version,
 * created, updated (store_user_row_cleanup() it). */
enum bk_err sq_read_user(sqlite3_stmt *st, struct user_row *out);
/* Bind <p> (<n> bytes) or NULL as a blob, without copying. */
int sq_bind_blob(sqlite3_stmt *st, int i, const uint8_t *p, size_t n);
/* Bind <s> or NULL as text, without copying. */
int sq_bind_text(sqlite3_stmt *st, int i, const char *s);

#endif
