/* Internals shared by the MySQL/MariaDB backend's files (mysql.c for the core
 * tables, mysql_<family>.c for each resource family). Not for use outside
 * src/store. Every statement is a server-side prepared statement
 * (mysql_stmt_*), prepared once per connection and cached by the address of
 * its static SQL text. */
#ifndef BK_STORE_MYSQL_INT_H
#define BK_STORE_MYSQL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mysql.h>

#include "../base/err.h"

#define MY_CACHE_SLOTS 256   /* a power of two, above the number of statements */
#define MY_MAX_PARAMS 16
#define MY_MAX_COLS 24

struct my_cached {
    const char *sql;         /* the static SQL text: its address is the key */
    MYSQL_STMT *st;
};

struct my_conn {
    MYSQL *db;
    struct my_cached cache[MY_CACHE_SLOTS];
    int in_use;
    int in_tx;
    int write_tx;            /* the open transaction writes: user reads lock the row */
    int read_tx;             /* between begin and end of a read: no transaction (mys_begin) */
    int read_fresh;          /* ... that has run no statement yet */
    int broken;              /* the connection failed: reconnect before use */
    const struct my_pool *pool;
};

/* Parameters of one call: built with myp_*(), in the statement's order. */
struct my_params {
    int n;
    MYSQL_BIND b[MY_MAX_PARAMS];
    long long ints[MY_MAX_PARAMS];
    unsigned long lens[MY_MAX_PARAMS];
    my_bool nulls[MY_MAX_PARAMS];
};

void myp_int(struct my_params *p, int64_t v);
/* <s> or NULL, borrowed until the call ran. */
void myp_text(struct my_params *p, const char *s);
/* <b> (<n> bytes) or NULL, borrowed until the call ran. */
void myp_blob(struct my_params *p, const uint8_t *b, size_t n);

/* The rows of one executed statement, read column by column. */
struct my_result {
    MYSQL_STMT *st;
    unsigned ncols;
    MYSQL_BIND b[MY_MAX_COLS];
    unsigned long len[MY_MAX_COLS];
    my_bool null[MY_MAX_COLS];
    my_bool trunc[MY_MAX_COLS];
    struct my_conn *c;
};

/* Run the statement <sql> (static storage) with <p> (may be NULL);
 * *affected (may be NULL) receives the number of rows it changed. */
enum bk_err my_exec(struct my_conn *c, const char *sql, struct my_params *p, int64_t *affected);
/* Run a query; read its rows with my_next() and the my_col_*() readers, then
 * my_done(). */
enum bk_err my_query(struct my_conn *c, const char *sql, struct my_params *p,
                     struct my_result *r);
/* BK_OK with a row, BK_ENOTFOUND after the last one, or an error. */
enum bk_err my_next(struct my_result *r);
void my_done(struct my_result *r);
int64_t my_col_int(struct my_result *r, unsigned col);
void my_col_text(struct my_result *r, unsigned col, char *out, size_t out_size);
/* A new copy of column <col> (mem_free()); NULL for SQL NULL. */
enum bk_err my_col_blob(struct my_result *r, unsigned col, uint8_t **out, size_t *out_len);
/* my_exec() for an INSERT; *id receives the AUTO_INCREMENT value it made. */
enum bk_err my_exec_id(struct my_conn *c, const char *sql, struct my_params *p, int64_t *id);

/* mysql_rows.c: */
/* Reads the row at the cursor of <r> into <out>, a family's row. */
typedef enum bk_err (*my_read_fn)(struct my_result *r, void *out);
/* Run <sql> with <p> and read its first row into <out> with <read>
 * (BK_ENOTFOUND without a row). */
enum bk_err my_query_row(struct my_conn *c, const char *sql, struct my_params *p, my_read_fn read,
                         void *out);
/* Run <sql> with <p> for one integer in column 0 (BK_ENOTFOUND, *out 0,
 * without a row). */
enum bk_err my_query_int(struct my_conn *c, const char *sql, struct my_params *p, int64_t *out);
/* my_exec(), but BK_ENOTFOUND when the statement changed no row. */
enum bk_err my_exec_found(struct my_conn *c, const char *sql, struct my_params *p);

#endif
