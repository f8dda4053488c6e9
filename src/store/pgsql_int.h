/* Internals shared by the PostgreSQL backend's files (pgsql.c for the core
 * tables, pgsql_<family>.c for each resource family). Not for use outside
 * src/store. Every statement is prepared once per connection (PQprepare) and
 * run with PQexecPrepared, parameters and results in binary format (a few in
 * one round trip in pipeline mode, pgsql.c run_pipelined(); a lazy write's
 * BEGIN with its setting as one parameterless simple-protocol query). */
#ifndef BK_STORE_PGSQL_INT_H
#define BK_STORE_PGSQL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "../base/err.h"

#define PG_CACHE_SLOTS 256   /* a power of two, above the number of statements */
#define PG_MAX_PARAMS 16
#define PG_NO_TENANT (-1)    /* for statements on global tables (meta, tenants) */

struct pg_cached {
    const char *sql;         /* the static SQL text: its address is the key */
};

struct pg_conn {
    PGconn *pg;
    struct pg_cached cache[PG_CACHE_SLOTS];
    int in_use;
    int in_tx;               /* between begin and commit/rollback */
    int write_tx;            /* the open transaction writes: user reads lock the row */
    int read_tx;             /* between begin and end of a read: no transaction (pgs_begin) */
    int read_fresh;          /* ... that has run no statement yet */
    int begin_pending;       /* a lazy write's BEGIN, not sent yet: it goes with the first
                                statement (pgs_begin) */
    int broken;              /* the connection failed: reconnect before use */
    int tenant_known;        /* app.tenant is set to <tenant> */
    int tenant_local;        /* ... by SET LOCAL inside the open transaction */
    int64_t tenant;
    const struct pg_pool *pool;
};

/* Parameters of one call: built with pgp_*(), in the statement's order. */
struct pg_params {
    int n;
    const char *val[PG_MAX_PARAMS];
    int len[PG_MAX_PARAMS];
    int fmt[PG_MAX_PARAMS];
    Oid type[PG_MAX_PARAMS];
    uint8_t ibuf[PG_MAX_PARAMS][8];
};

void pgp_int(struct pg_params *p, int64_t v);
/* <s> or NULL, borrowed until the call ran. */
void pgp_text(struct pg_params *p, const char *s);
/* <b> (<n> bytes) or NULL as bytea, borrowed until the call ran. */
void pgp_blob(struct pg_params *p, const uint8_t *b, size_t n);

/* Run the statement <sql> (static storage: its address names the prepared
 * statement) with <p>. <tenant> is the tenant whose rows the statement may
 * see (row-level security: app.tenant is set first when it differs), or
 * PG_NO_TENANT. On success *out holds the result (PQclear() it). */
enum bk_err pg_run(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
                   PGresult **out);
/* pg_run() for a statement whose result is not needed; *affected (may be
 * NULL) receives the number of rows it changed. */
enum bk_err pg_exec(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
                    int64_t *affected);

/* Binary-format result readers. NULL values read as 0 / "" / NULL. */
int64_t pg_col_int(const PGresult *r, int row, int col);
void pg_col_text(const PGresult *r, int row, int col, char *out, size_t out_size);
/* A new copy of bytea column <col> (mem_free()); NULL for SQL NULL. */
enum bk_err pg_col_blob(const PGresult *r, int row, int col, uint8_t **out, size_t *out_len);

/* Work across every tenant under row-level security, which shows one
 * tenant's rows at a time: call <fn> with each tenant id that may own rows
 * (the default tenant 0, then every registered tenant, ascending), so that it
 * runs its statements with that tenant set (pg_run() with that tenant). A
 * non-BK_OK return of <fn> stops and is passed back. */
enum bk_err pg_for_tenants(struct pg_conn *c, enum bk_err (*fn)(void *arg, int64_t tenant),
                           void *arg);

/* pgsql_rows.c: */
/* Reads row <row> of <r> into <out>, a family's row. */
typedef enum bk_err (*pg_read_fn)(const PGresult *r, int row, void *out);
/* pg_run() <sql> with <p> and read its first row into <out> with <read>
 * (BK_ENOTFOUND without a row). */
enum bk_err pg_run_row(struct pg_conn *c, int64_t tenant, const char *sql,
                       const struct pg_params *p, pg_read_fn read, void *out);
/* pg_exec(), but BK_ENOTFOUND when the statement changed no row. */
enum bk_err pg_exec_found(struct pg_conn *c, int64_t tenant, const char *sql,
                          const struct pg_params *p);

#endif
