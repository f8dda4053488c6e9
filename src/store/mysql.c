/* MySQL/MariaDB backend (libmariadb). A pool of connections, one per worker,
 * each with its statements prepared once (mysql_stmt_*); READ COMMITTED
 * transactions on InnoDB. A connection that fails is rebuilt on its next use
 * (never by the library's silent auto-reconnect, which would lose a
 * transaction), so the vault resumes by itself after the database restarts.
 * Tenants are kept apart by the tenant column in every statement. Knows rows
 * and bytes, never JSON or keys. */
#include "mysql.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "migrations.h"
#include "mysql_int.h"

struct my_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned n;
    struct my_conn *conns;
    char *host, *user, *password, *dbname, *sslmode, *ssl_ca, *ssl_cert, *ssl_key;
    unsigned port;
    unsigned connect_timeout_s;
};

static const char sql_session[] =
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
static const char sql_sql_mode[] =
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE'";
static const char sql_begin[] = "START TRANSACTION";

static const char sql_meta_get[] = "SELECT value FROM meta WHERE `key` = ?";
static const char sql_meta_put[] =
    "INSERT INTO meta (`key`, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)";

#define USER_COLS "id, tenant, token, status, dek, body, version, created, updated"
static const char sql_user_insert[] =
    "INSERT INTO users (tenant, token, status, dek, body, version, created, updated) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
/* Reads bring the user's expiration along (struct user_row's exp_ fields; NULLs when the
 * user has none): a read checks it without a second round trip. */
#define USER_EXP_COLS "u.id, u.tenant, u.token, u.status, u.dek, u.body, u.version, " \
                      "u.created, u.updated, e.state, e.sliding, e.finaltime, e.endtime, e.touched"
#define USER_EXP_JOIN "LEFT JOIN user_expiry e ON e.user_id = u.id AND e.tenant = u.tenant "
static const char sql_user_by_token[] =
    "SELECT " USER_EXP_COLS " FROM users u " USER_EXP_JOIN "WHERE u.tenant = ? AND u.token = ?";
static const char sql_user_by_index[] =
    "SELECT " USER_EXP_COLS " FROM user_index i JOIN users u ON u.id = i.user_id "
    USER_EXP_JOIN "WHERE i.tenant = ? AND i.kind = ? AND i.hash = ?";
/* In a write transaction the user is read with its row locked, and as last committed (a
 * locking read is not the snapshot): writers of one user queue here instead of all but one
 * failing the version check at the end and starting over, which under load ran out of
 * tries (409 from the version check, 503 from an index row not yet in the snapshot). */
static const char sql_user_by_token_lock[] =
    "SELECT " USER_COLS " FROM users WHERE tenant = ? AND token = ? FOR UPDATE";
static const char sql_user_by_index_lock[] =
    "SELECT u.id, u.tenant, u.token, u.status, u.dek, u.body, u.version, u.created, u.updated "
    "FROM user_index i JOIN users u ON u.id = i.user_id "
    "WHERE i.tenant = ? AND i.kind = ? AND i.hash = ? FOR UPDATE";
static const char sql_user_update[] =
    "UPDATE users SET body = ?, version = ?, updated = ? "
    "WHERE id = ? AND tenant = ? AND version = ? AND status = 1";
static const char sql_user_shred[] =
    "UPDATE users SET status = 2, dek = NULL, body = NULL, version = version + 1, updated = ? "
    "WHERE id = ? AND tenant = ?";
static const char sql_index_put[] =
    "INSERT INTO user_index (tenant, kind, hash, user_id) VALUES (?, ?, ?, ?)";
static const char sql_index_owner[] =
    "SELECT user_id FROM user_index WHERE tenant = ? AND kind = ? AND hash = ?";
static const char sql_index_delete[] =
    "DELETE FROM user_index WHERE tenant = ? AND kind = ? AND user_id = ?";

#define AUDIT_COLS "id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, " \
                   "prev_hash, hash"
static const char sql_audit_head[] =
    "INSERT INTO audit_head (tenant, n) VALUES (?, 1) ON DUPLICATE KEY UPDATE n = n + 1";
static const char sql_audit_last[] =
    "SELECT hash FROM audit WHERE tenant = ? ORDER BY id DESC LIMIT 1";
static const char sql_audit_insert[] =
    "INSERT INTO audit (tenant, atoken, record, at, action, who, mode, status, msg, sealed, "
    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* A run of up to AUDIT_ROWS_MAX events in one statement, one text per row
 * count: the rows in the statement's order, so the AUTO_INCREMENT ids (and
 * the chain) follow it. */
#define AUDIT_INSERT_INTO \
    "INSERT INTO audit (tenant, atoken, record, at, action, who, mode, status, msg, sealed, " \
    "prev_hash, hash) VALUES "
#define AUDIT_V1 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define AUDIT_V2 AUDIT_V1 ", " AUDIT_V1
#define AUDIT_V4 AUDIT_V2 ", " AUDIT_V2
#define AUDIT_V8 AUDIT_V4 ", " AUDIT_V4
#define AUDIT_NCOLS 12
#define AUDIT_ROWS_MAX 16
static const char *const sql_audit_insert_rows[AUDIT_ROWS_MAX + 1] = {
    [2] = AUDIT_INSERT_INTO AUDIT_V2,
    [3] = AUDIT_INSERT_INTO AUDIT_V2 ", " AUDIT_V1,
    [4] = AUDIT_INSERT_INTO AUDIT_V4,
    [5] = AUDIT_INSERT_INTO AUDIT_V4 ", " AUDIT_V1,
    [6] = AUDIT_INSERT_INTO AUDIT_V4 ", " AUDIT_V2,
    [7] = AUDIT_INSERT_INTO AUDIT_V4 ", " AUDIT_V2 ", " AUDIT_V1,
    [8] = AUDIT_INSERT_INTO AUDIT_V8,
    [9] = AUDIT_INSERT_INTO AUDIT_V8 ", " AUDIT_V1,
    [10] = AUDIT_INSERT_INTO AUDIT_V8 ", " AUDIT_V2,
    [11] = AUDIT_INSERT_INTO AUDIT_V8 ", " AUDIT_V2 ", " AUDIT_V1,
    [12] = AUDIT_INSERT_INTO AUDIT_V8 ", " AUDIT_V4,
    [13] = AUDIT_INSERT_INTO AUDIT_V8 ", " AUDIT_V4 ", " AUDIT_V1,
    [14] = AUDIT_INSERT_INTO AUDIT_V8 ", " AUDIT_V4 ", " AUDIT_V2,
    [15] = AUDIT_INSERT_INTO AUDIT_V8 ", " AUDIT_V4 ", " AUDIT_V2 ", " AUDIT_V1,
    [16] = AUDIT_INSERT_INTO AUDIT_V8 ", " AUDIT_V8,
};
static const char sql_audit_get[] =
    "SELECT " AUDIT_COLS " FROM audit WHERE tenant = ? AND atoken = ?";
static const char sql_audit_count_user[] =
    "SELECT count(*) FROM audit WHERE tenant = ? AND record = ?";
static const char sql_audit_list_user[] =
    "SELECT " AUDIT_COLS " FROM audit WHERE tenant = ? AND record = ? "
    "ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_count_users[] =
    "SELECT count(*) FROM users WHERE tenant = ? AND status = 1";

static const char sql_mig_lock[] = "SELECT GET_LOCK('databunker_migrate', 60)";
static const char sql_mig_unlock[] = "SELECT RELEASE_LOCK('databunker_migrate')";
static const char sql_mig_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, "
    "applied BIGINT NOT NULL) ENGINE=InnoDB";
static const char sql_mig_applied[] =
    "SELECT count(*) FROM schema_migrations WHERE version = ?";
static const char sql_mig_mark[] =
    "INSERT INTO schema_migrations (version, applied) VALUES (?, UNIX_TIMESTAMP())";

/* ------------------------------------------------------------ parameters */

static MYSQL_BIND *
param(struct my_params *p)
{
    int i = p->n++;
    MYSQL_BIND *b = &p->b[i];

    memset(b, 0, sizeof *b);
    p->nulls[i] = 0;
    b->is_null = &p->nulls[i];
    b->length = &p->lens[i];
    return b;
}

void
myp_int(struct my_params *p, int64_t v)
{
    MYSQL_BIND *b = param(p);

    p->ints[p->n - 1] = v;
    b->buffer_type = MYSQL_TYPE_LONGLONG;
    b->buffer = &p->ints[p->n - 1];
    b->length = NULL;
}

void
myp_text(struct my_params *p, const char *s)
{
    MYSQL_BIND *b = param(p);

    b->buffer_type = MYSQL_TYPE_STRING;
    b->buffer = (void *)s;
    p->lens[p->n - 1] = s ? (unsigned long)strlen(s) : 0;
    p->nulls[p->n - 1] = s == NULL;
}

void
myp_blob(struct my_params *p, const uint8_t *b, size_t n)
{
    MYSQL_BIND *x = param(p);

    x->buffer_type = MYSQL_TYPE_BLOB;
    x->buffer = (void *)b;
    p->lens[p->n - 1] = b ? (unsigned long)n : 0;
    p->nulls[p->n - 1] = b == NULL;
}

/* ------------------------------------------------------------ errors */

static enum bk_err
map_errno(struct my_conn *c, unsigned no, const char *msg)
{
    switch (no) {
    case ER_DUP_ENTRY:
    case ER_DUP_KEY:
        return BK_ECONFLICT;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
        return BK_ERETRY;
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_COMMANDS_OUT_OF_SYNC:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case ER_QUERY_INTERRUPTED:
    case 4031:               /* ER_CLIENT_INTERACTION_TIMEOUT */
        c->broken = 1;
        LOG_WARN(NULL, "mysql", "connection lost: %u %s", no, msg);
        return BK_EUNAVAIL;
    default:
        if (c->db == NULL || mysql_ping(c->db) != 0) {
            c->broken = 1;
            LOG_WARN(NULL, "mysql", "connection lost: %u %s", no, msg);
            return BK_EUNAVAIL;
        }
        LOG_ERR(NULL, "mysql", "error %u: %s", no, msg);
        return BK_EBACKEND;
    }
}

static enum bk_err
stmt_fail(struct my_conn *c, MYSQL_STMT *st)
{
    return map_errno(c, mysql_stmt_errno(st), mysql_stmt_error(st));
}

static enum bk_err
db_fail(struct my_conn *c)
{
    return map_errno(c, mysql_errno(c->db), mysql_error(c->db));
}

/* ------------------------------------------------------------ connections */

static void
conn_disconnect(struct my_conn *c)
{
    for (int i = 0; i < MY_CACHE_SLOTS; i++) {
        if (c->cache[i].st != NULL)
            mysql_stmt_close(c->cache[i].st);
        c->cache[i].st = NULL;
        c->cache[i].sql = NULL;
    }
    if (c->db != NULL)
        mysql_close(c->db);
    c->db = NULL;
    c->in_tx = 0;
}

static void
set_tls(MYSQL *db, const struct my_pool *p)
{
    my_bool yes = 1, no = 0;
    const char *m = p->sslmode;

    if (p->ssl_ca != NULL)
        mysql_optionsv(db, MYSQL_OPT_SSL_CA, p->ssl_ca);
    if (p->ssl_cert != NULL)
        mysql_optionsv(db, MYSQL_OPT_SSL_CERT, p->ssl_cert);
    if (p->ssl_key != NULL)
        mysql_optionsv(db, MYSQL_OPT_SSL_KEY, p->ssl_key);
    if (m == NULL)
        return;
    if (strcmp(m, "require") == 0 || strcmp(m, "verify-ca") == 0 ||
        strcmp(m, "verify-full") == 0)
        mysql_optionsv(db, MYSQL_OPT_SSL_ENFORCE, &yes);
    if (strcmp(m, "verify-ca") == 0 || strcmp(m, "verify-full") == 0)
        mysql_optionsv(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
    else
        mysql_optionsv(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no);
}

static enum bk_err
conn_connect(struct my_conn *c)
{
    const struct my_pool *p = c->pool;
    unsigned timeout = p->connect_timeout_s ? p->connect_timeout_s : 5, rw_timeout = 60;
    my_bool no = 0;
    enum bk_err err;

    conn_disconnect(c);
    c->broken = 1;
    c->db = mysql_init(NULL);
    if (c->db == NULL)
        return BK_ENOMEM;
    mysql_optionsv(c->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(c->db, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
    mysql_optionsv(c->db, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
    mysql_optionsv(c->db, MYSQL_OPT_RECONNECT, &no);
    mysql_optionsv(c->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    set_tls(c->db, p);
    if (mysql_real_connect(c->db, p->host, p->user, p->password, p->dbname, p->port, NULL, 0) ==
        NULL) {
        LOG_WARN(NULL, "mysql", "cannot connect: %s", mysql_error(c->db));
        mysql_close(c->db);
        c->db = NULL;
        return BK_EUNAVAIL;
    }
    c->broken = 0;
    err = my_exec(c, sql_session, NULL, NULL);
    if (err == BK_OK)
        err = my_exec(c, sql_sql_mode, NULL, NULL);
    if (err != BK_OK)
        conn_disconnect(c);
    return err;
}

static enum bk_err
prepared(struct my_conn *c, const char *sql, MYSQL_STMT **out)
{
    size_t h = ((uintptr_t)sql >> 3) * 0x9e3779b97f4a7c15ULL;

    *out = NULL;
    for (size_t n = 0; n < MY_CACHE_SLOTS; n++) {
        struct my_cached *e = &c->cache[(h + n) & (MY_CACHE_SLOTS - 1)];
        MYSQL_STMT *st;

        if (e->sql == sql) {
            *out = e->st;
            return BK_OK;
        }
        if (e->sql != NULL)
            continue;
        st = mysql_stmt_init(c->db);
        if (st == NULL)
            return db_fail(c);
        if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
            enum bk_err err = stmt_fail(c, st);

            mysql_stmt_close(st);
            return err;
        }
        e->sql = sql;
        e->st = st;
        *out = st;
        return BK_OK;
    }
    return BK_EINTERNAL;
}

static enum bk_err
execute_once(struct my_conn *c, const char *sql, struct my_params *p, MYSQL_STMT **out)
{
    MYSQL_STMT *st = NULL;
    enum bk_err err;

    *out = NULL;
    if (c->db == NULL || c->broken)
        return BK_EUNAVAIL;
    err = prepared(c, sql, &st);
    if (err != BK_OK)
        return err;
    if (p != NULL && p->n > 0 && mysql_stmt_bind_param(st, p->b) != 0)
        return stmt_fail(c, st);
    if (mysql_stmt_execute(st) != 0)
        return stmt_fail(c, st);
    *out = st;
    return BK_OK;
}

static enum bk_err
execute(struct my_conn *c, const char *sql, struct my_params *p, MYSQL_STMT **out)
{
    enum bk_err err = execute_once(c, sql, p, out);

    /* The first statement of a read finds a connection the server dropped
     * since it was last used (what START TRANSACTION found before): nothing
     * has been read yet, so connect again and run it once more. */
    if (err == BK_EUNAVAIL && c->read_tx && c->read_fresh) {
        c->read_fresh = 0;
        err = conn_connect(c);
        if (err == BK_OK)
            err = execute_once(c, sql, p, out);
    }
    c->read_fresh = 0;
    return err;
}

enum bk_err
my_exec(struct my_conn *c, const char *sql, struct my_params *p, int64_t *affected)
{
    MYSQL_STMT *st = NULL;
    enum bk_err err = execute(c, sql, p, &st);

    if (affected != NULL)
        *affected = err == BK_OK ? (int64_t)mysql_stmt_affected_rows(st) : 0;
    if (st != NULL && mysql_stmt_field_count(st) > 0)
        mysql_stmt_free_result(st);
    if (st != NULL)
        mysql_stmt_reset(st);
    return err;
}

enum bk_err
my_exec_id(struct my_conn *c, const char *sql, struct my_params *p, int64_t *id)
{
    MYSQL_STMT *st = NULL;
    enum bk_err err = execute(c, sql, p, &st);

    *id = err == BK_OK ? (int64_t)mysql_stmt_insert_id(st) : 0;
    if (st != NULL)
        mysql_stmt_reset(st);
    return err;
}

enum bk_err
my_query(struct my_conn *c, const char *sql, struct my_params *p, struct my_result *r)
{
    enum bk_err err;

    memset(r, 0, sizeof *r);
    r->c = c;
    err = execute(c, sql, p, &r->st);
    if (err != BK_OK)
        return err;
    r->ncols = mysql_stmt_field_count(r->st);
    if (r->ncols > MY_MAX_COLS) {
        my_done(r);
        return BK_EINTERNAL;
    }
    /* Zero-length buffers: each row reports its lengths, columns are then
     * fetched one by one into buffers of the right size. */
    for (unsigned i = 0; i < r->ncols; i++) {
        r->b[i].buffer_type = MYSQL_TYPE_BLOB;
        r->b[i].length = &r->len[i];
        r->b[i].is_null = &r->null[i];
        r->b[i].error = &r->trunc[i];
    }
    if (mysql_stmt_bind_result(r->st, r->b) != 0 || mysql_stmt_store_result(r->st) != 0) {
        err = stmt_fail(c, r->st);
        my_done(r);
        return err;
    }
    return BK_OK;
}

enum bk_err
my_next(struct my_result *r)
{
    int rc = mysql_stmt_fetch(r->st);

    if (rc == 0 || rc == MYSQL_DATA_TRUNCATED)
        return BK_OK;
    if (rc == MYSQL_NO_DATA)
        return BK_ENOTFOUND;
    return stmt_fail(r->c, r->st);
}

void
my_done(struct my_result *r)
{
    if (r->st != NULL) {
        mysql_stmt_free_result(r->st);
        mysql_stmt_reset(r->st);
    }
    r->st = NULL;
}

int64_t
my_col_int(struct my_result *r, unsigned col)
{
    long long v = 0;
    MYSQL_BIND b;

    if (col >= r->ncols || r->null[col])
        return 0;
    memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_LONGLONG;
    b.buffer = &v;
    if (mysql_stmt_fetch_column(r->st, &b, col, 0) != 0)
        return 0;
    return v;
}

void
my_col_text(struct my_result *r, unsigned col, char *out, size_t out_size)
{
    unsigned long n = 0;
    MYSQL_BIND b;

    out[0] = '\0';
    if (col >= r->ncols || r->null[col] || out_size < 2)
        return;
    memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_STRING;
    b.buffer = out;
    b.buffer_length = (unsigned long)out_size - 1;
    b.length = &n;
    if (mysql_stmt_fetch_column(r->st, &b, col, 0) != 0)
        return;
    out[n < out_size - 1 ? n : out_size - 1] = '\0';
}

enum bk_err
my_col_blob(struct my_result *r, unsigned col, uint8_t **out, size_t *out_len)
{
    unsigned long n = 0;
    MYSQL_BIND b;

    *out = NULL;
    *out_len = 0;
    if (col >= r->ncols || r->null[col])
        return BK_OK;
    *out = mem_alloc((size_t)r->len[col] + 1);
    if (*out == NULL)
        return BK_ENOMEM;
    if (r->len[col] > 0) {
        memset(&b, 0, sizeof b);
        b.buffer_type = MYSQL_TYPE_BLOB;
        b.buffer = *out;
        b.buffer_length = r->len[col];
        b.length = &n;
        if (mysql_stmt_fetch_column(r->st, &b, col, 0) != 0) {
            mem_free(*out);
            *out = NULL;
            return stmt_fail(r->c, r->st);
        }
    }
    *out_len = r->len[col];
    return BK_OK;
}

/* ------------------------------------------------------------ pool */

static void
pool_free(struct my_pool *p)
{
    if (p == NULL)
        return;
    for (unsigned i = 0; i < p->n; i++)
        conn_disconnect(&p->conns[i]);
    mem_free(p->host);
    mem_free(p->user);
    if (p->password != NULL)
        memset(p->password, 0, strlen(p->password));
    mem_free(p->password);
    mem_free(p->dbname);
    mem_free(p->sslmode);
    mem_free(p->ssl_ca);
    mem_free(p->ssl_cert);
    mem_free(p->ssl_key);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    mem_free(p->conns);
    mem_free(p);
}

static int
dup_opt(char **dst, const char *src)
{
    if (src == NULL)
        return 0;
    *dst = mem_strdup(src);
    return *dst == NULL ? -1 : 0;
}

static enum bk_err
mys_open(const struct store_conf *conf, void **cls)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct my_pool *p;
    unsigned n = conf->pool_size ? conf->pool_size : 1;
    enum bk_err err;

    *cls = NULL;
    pthread_once(&once, (void (*)(void))mysql_library_init);
    p = mem_calloc(1, sizeof *p);
    if (p == NULL)
        return BK_ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->conns = mem_calloc(n, sizeof *p->conns);
    if (p->conns == NULL || dup_opt(&p->host, conf->host ? conf->host : "127.0.0.1") ||
        dup_opt(&p->user, conf->user) || dup_opt(&p->password, conf->password) ||
        dup_opt(&p->dbname, conf->dbname ? conf->dbname : "databunker") ||
        dup_opt(&p->sslmode, conf->sslmode) || dup_opt(&p->ssl_ca, conf->ssl_ca) ||
        dup_opt(&p->ssl_cert, conf->ssl_cert) || dup_opt(&p->ssl_key, conf->ssl_key)) {
        pool_free(p);
        return BK_ENOMEM;
    }
    if (conf->port != NULL) {
        char *end = NULL;
        long v = strtol(conf->port, &end, 10);

        if (end == conf->port || *end != '\0' || v <= 0 || v > 65535) {
            pool_free(p);
            return BK_EINVAL;
        }
        p->port = (unsigned)v;
    }
    p->connect_timeout_s = conf->connect_timeout_s;
    for (p->n = 0; p->n < n; p->n++)
        p->conns[p->n].pool = p;
    err = conn_connect(&p->conns[0]);
    if (err != BK_OK) {
        pool_free(p);
        return err;
    }
    *cls = p;
    return BK_OK;
}

static void
mys_close(void *cls)
{
    pool_free(cls);
}

/* Whether the server has closed this idle connection (a restart, an idle
 * timeout): between calls the server never sends anything unasked except
 * its goodbye, so a readable socket means it is gone. Costs one poll(), no
 * round trip; a statement outside a transaction would otherwise be the one
 * to find out, and fail. */
static int
conn_gone(struct my_conn *c)
{
    struct pollfd pfd = { .fd = (int)mysql_get_socket(c->db), .events = POLLIN };

    if (pfd.fd < 0 || poll(&pfd, 1, 0) != 0) {
        LOG_WARN(NULL, "mysql", "pooled connection closed by the server: reconnecting");
        return 1;
    }
    return 0;
}

static enum bk_err
mys_acquire(void *cls, void **conn)
{
    struct my_pool *p = cls;
    struct my_conn *c = NULL;
    enum bk_err err = BK_OK;

    *conn = NULL;
    pthread_mutex_lock(&p->lock);
    while (c == NULL) {
        for (unsigned i = 0; i < p->n && c == NULL; i++) {
            if (!p->conns[i].in_use) {
                c = &p->conns[i];
                c->in_use = 1;
            }
        }
        if (c == NULL)
            pthread_cond_wait(&p->freed, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    if (c->db != NULL && !c->broken && conn_gone(c))
        c->broken = 1;
    if (c->db == NULL || c->broken)
        err = conn_connect(c);
    if (err != BK_OK) {
        pthread_mutex_lock(&p->lock);
        c->in_use = 0;
        pthread_cond_signal(&p->freed);
        pthread_mutex_unlock(&p->lock);
        return err;
    }
    *conn = c;
    return BK_OK;
}

static void mys_rollback(void *conn);

static void
mys_release(void *cls, void *conn)
{
    struct my_pool *p = cls;
    struct my_conn *c = conn;

    if (c->in_tx || c->read_tx)
        mys_rollback(c);
    pthread_mutex_lock(&p->lock);
    c->in_use = 0;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* ------------------------------------------------------------ transactions */

static enum bk_err
begin_once(struct my_conn *c)
{
    const char *sql = sql_begin;

    if (c->db == NULL || c->broken)
        return BK_EUNAVAIL;
    /* Transaction control has no parameters: the C API's plain query call. */
    if (mysql_real_query(c->db, sql, (unsigned long)strlen(sql)) != 0)
        return db_fail(c);
    return BK_OK;
}

/* A read opens no transaction: the session is READ COMMITTED, where each
 * statement of a transaction reads a snapshot of its own anyway, so START
 * TRANSACTION READ ONLY and its ROLLBACK bought no consistency and cost two
 * round trips a read. Only writes (any <write>) start a transaction. */
static enum bk_err
mys_begin(void *conn, int write)
{
    struct my_conn *c = conn;
    enum bk_err err;

    if (c->in_tx || c->read_tx)
        return BK_EINTERNAL;
    if (!write) {
        c->read_tx = 1;
        c->read_fresh = 1;
        return BK_OK;
    }
    err = begin_once(c);
    if (err == BK_EUNAVAIL) {
        /* The server may have restarted since this connection was last used:
         * nothing has been done in this transaction yet, so connect again. */
        err = conn_connect(c);
        if (err == BK_OK)
            err = begin_once(c);
    }
    if (err == BK_OK) {
        c->in_tx = 1;
        c->write_tx = write != 0;
    }
    return err;
}

static enum bk_err
mys_commit(void *conn)
{
    struct my_conn *c = conn;
    enum bk_err err = BK_OK;

    if (c->read_tx) {
        c->read_tx = 0;
        return BK_OK;
    }
    if (!c->in_tx)
        return BK_EINTERNAL;
    c->in_tx = 0;
    if (c->db == NULL || c->broken)
        return BK_EUNAVAIL;
    if (mysql_commit(c->db) != 0) {
        err = db_fail(c);
        if (!c->broken)
            mysql_rollback(c->db);
    }
    return err;
}

static void
mys_rollback(void *conn)
{
    struct my_conn *c = conn;

    c->read_tx = 0;
    if (!c->in_tx)
        return;
    c->in_tx = 0;
    if (c->db != NULL && !c->broken && mysql_rollback(c->db) != 0)
        db_fail(c);
}

/* ------------------------------------------------------------ migrations */

/* Run the statements of one migration: static text compiled into the
 * binary, statements separated by a ';' at the end of a line. */
static enum bk_err
run_script(struct my_conn *c, const char *sql)
{
    const char *s = sql;

    while (*s != '\0') {
        const char *end = strstr(s, ";\n");
        size_t n = end ? (size_t)(end - s) : strlen(s);
        size_t i = 0;
        int blank = 1;

        for (i = 0; i < n; i++) {
            if (s[i] == '-' && i + 1 < n && s[i + 1] == '-') {
                while (i < n && s[i] != '\n')
                    i++;
            } else if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r') {
                blank = 0;
                break;
            }
        }
        if (!blank && mysql_real_query(c->db, s, (unsigned long)n) != 0)
            return db_fail(c);
        s += n;
        if (end != NULL)
            s += 2;
    }
    return BK_OK;
}

static enum bk_err
mys_migrate(void *conn)
{
    struct my_conn *c = conn;
    int64_t locked = 0;
    enum bk_err err;

    /* Instances started together take turns: one applies, the others see it done. */
    err = my_query_int(c, sql_mig_lock, NULL, &locked);
    if (err == BK_OK && locked != 1)
        err = BK_ERETRY;
    if (err != BK_OK)
        return err;
    err = my_exec(c, sql_mig_table, NULL, NULL);
    for (const struct migration *mg = mysql_migrations; mg->version != 0 && err == BK_OK; mg++) {
        struct my_params p = { 0 };
        int64_t applied = 0;

        myp_int(&p, mg->version);
        err = my_query_int(c, sql_mig_applied, &p, &applied);
        if (err != BK_OK || applied)
            continue;
        /* MySQL commits DDL as it goes: a migration that fails half-way must
         * be written so that running it again finishes it (IF NOT EXISTS). */
        err = run_script(c, mg->sql);
        if (err == BK_OK)
            err = my_exec(c, sql_mig_mark, &p, NULL);
        if (err == BK_OK)
            LOG_INFO(NULL, "mysql", "applied migration %s", mg->name);
        else
            LOG_ERR(NULL, "mysql", "migration %s failed", mg->name);
    }
    if (!c->broken) {
        int64_t ignored;

        my_query_int(c, sql_mig_unlock, NULL, &ignored);
    }
    return err;
}

/* ------------------------------------------------------------ meta */

static enum bk_err
mys_meta_get(void *conn, const char *key, uint8_t **val, size_t *val_len)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    *val = NULL;
    *val_len = 0;
    myp_text(&p, key);
    err = my_query(conn, sql_meta_get, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        err = my_col_blob(&r, 0, val, val_len);
    my_done(&r);
    return err;
}

static enum bk_err
mys_meta_put(void *conn, const char *key, const uint8_t *val, size_t val_len)
{
    struct my_params p = { 0 };

    myp_text(&p, key);
    myp_blob(&p, val, val_len);
    return my_exec(conn, sql_meta_put, &p, NULL);
}

/* ------------------------------------------------------------ users */

static enum bk_err
mys_user_insert(void *conn, struct user_row *row)
{
    struct my_params p = { 0 };

    myp_int(&p, row->tenant);
    myp_text(&p, row->token);
    myp_int(&p, row->status);
    myp_blob(&p, row->dek, row->dek_len);
    myp_blob(&p, row->body, row->body_len);
    myp_int(&p, row->version);
    myp_int(&p, row->created);
    myp_int(&p, row->updated);
    return my_exec_id(conn, sql_user_insert, &p, &row->id);
}

static enum bk_err
query_user(struct my_conn *c, const char *sql, struct my_params *p, struct user_row *out)
{
    struct my_result r;
    enum bk_err err = my_query(c, sql, p, &r);

    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK) {
        out->id = my_col_int(&r, 0);
        out->tenant = my_col_int(&r, 1);
        my_col_text(&r, 2, out->token, sizeof out->token);
        out->status = (int)my_col_int(&r, 3);
        out->version = my_col_int(&r, 6);
        out->created = my_col_int(&r, 7);
        out->updated = my_col_int(&r, 8);
        if (r.ncols >= 14) {
            out->exp_known = r.null[9] ? USER_EXP_NONE : USER_EXP_ROW;
            out->exp_state = (int)my_col_int(&r, 9);
            out->exp_sliding = my_col_int(&r, 10);
            out->exp_finaltime = my_col_int(&r, 11);
            out->exp_endtime = my_col_int(&r, 12);
            out->exp_touched = my_col_int(&r, 13);
        }
        err = my_col_blob(&r, 4, &out->dek, &out->dek_len);
        if (err == BK_OK)
            err = my_col_blob(&r, 5, &out->body, &out->body_len);
        if (err != BK_OK)
            store_user_row_cleanup(out);
    }
    my_done(&r);
    return err;
}

/* A user read in an open write transaction locks the row (sql_user_by_token_lock). */
static int
locking(const void *conn)
{
    const struct my_conn *c = conn;

    return c->in_tx && c->write_tx;
}

static enum bk_err
mys_user_by_token(void *conn, int64_t tenant, const char *token, struct user_row *out)
{
    struct my_params p = { 0 };

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_text(&p, token);
    return query_user(conn, locking(conn) ? sql_user_by_token_lock :
                      sql_user_by_token, &p, out);
}

static enum bk_err
mys_user_by_index(void *conn, int64_t tenant, int kind, const uint8_t hash[STORE_HASH_LEN],
                  struct user_row *out)
{
    struct my_params p = { 0 };

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_int(&p, kind);
    myp_blob(&p, hash, STORE_HASH_LEN);
    return query_user(conn, locking(conn) ? sql_user_by_index_lock :
                      sql_user_by_index, &p, out);
}

static enum bk_err
mys_user_update(void *conn, const struct user_row *row)
{
    struct my_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    myp_blob(&p, row->body, row->body_len);
    myp_int(&p, row->version);
    myp_int(&p, row->updated);
    myp_int(&p, row->id);
    myp_int(&p, row->tenant);
    myp_int(&p, row->version - 1);
    err = my_exec(conn, sql_user_update, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ECONFLICT;
    return err;
}

static enum bk_err
mys_user_shred(void *conn, int64_t tenant, int64_t id, int64_t when)
{
    struct my_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    myp_int(&p, when);
    myp_int(&p, id);
    myp_int(&p, tenant);
    err = my_exec(conn, sql_user_shred, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ENOTFOUND;
    return err;
}

/* ------------------------------------------------------------ indexes */

static enum bk_err
mys_index_put(void *conn, int64_t tenant, int kind, const uint8_t hash[STORE_HASH_LEN],
              int64_t user_id)
{
    struct my_params p = { 0 }, q = { 0 };
    int64_t owner = 0;
    enum bk_err err;

    myp_int(&p, tenant);
    myp_int(&p, kind);
    myp_blob(&p, hash, STORE_HASH_LEN);
    myp_int(&p, user_id);
    /* A duplicate key fails only this statement in InnoDB, not the transaction. */
    err = my_exec(conn, sql_index_put, &p, NULL);
    if (err != BK_ECONFLICT)
        return err;
    myp_int(&q, tenant);
    myp_int(&q, kind);
    myp_blob(&q, hash, STORE_HASH_LEN);
    err = my_query_int(conn, sql_index_owner, &q, &owner);
    if (err == BK_ENOTFOUND)
        return BK_ERETRY;
    if (err != BK_OK)
        return err;
    return owner == user_id ? BK_OK : BK_ECONFLICT;
}

static enum bk_err
mys_index_delete(void *conn, int64_t tenant, int kind, int64_t user_id)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    myp_int(&p, kind);
    myp_int(&p, user_id);
    return my_exec(conn, sql_index_delete, &p, NULL);
}

/* ------------------------------------------------------------ audit */

static enum bk_err
mys_audit_last_hash(void *conn, int64_t tenant, uint8_t out[STORE_HASH_LEN])
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    memset(out, 0, STORE_HASH_LEN);
    myp_int(&p, tenant);
    /* One chain per tenant: the head row's lock makes writers of a tenant's
     * events take turns from here to commit. */
    err = my_exec(conn, sql_audit_head, &p, NULL);
    if (err == BK_OK)
        err = my_query(conn, sql_audit_last, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK) {
        if (r.len[0] == STORE_HASH_LEN) {
            uint8_t *h = NULL;
            size_t n = 0;

            err = my_col_blob(&r, 0, &h, &n);
            if (err == BK_OK)
                memcpy(out, h, STORE_HASH_LEN);
            mem_free(h);
        } else {
            err = BK_ECORRUPT;
        }
    } else if (err == BK_ENOTFOUND) {
        err = BK_OK;
    }
    my_done(&r);
    return err;
}

static void
audit_params(struct my_params *p, const struct audit_row *row)
{
    myp_int(p, row->tenant);
    myp_text(p, row->atoken);
    myp_text(p, row->record);
    myp_int(p, row->when);
    myp_text(p, row->action);
    myp_text(p, row->who);
    myp_text(p, row->mode);
    myp_text(p, row->status);
    myp_text(p, row->msg);
    myp_blob(p, row->sealed, row->sealed_len);
    myp_blob(p, row->prev_hash, STORE_HASH_LEN);
    myp_blob(p, row->hash, STORE_HASH_LEN);
}

static enum bk_err
mys_audit_insert(void *conn, const struct audit_row *row)
{
    struct my_params p = { 0 };

    audit_params(&p, row);
    return my_exec(conn, sql_audit_insert, &p, NULL);
}

/* <n> (2 to AUDIT_ROWS_MAX) rows in one statement: each row's parameters
 * built as for one, then bound side by side. */
static enum bk_err
insert_rows(struct my_conn *c, const struct audit_row *const *rows, size_t n)
{
    struct my_params *ps = mem_calloc(n, sizeof *ps);
    MYSQL_BIND *b = mem_calloc(n * AUDIT_NCOLS, sizeof *b);
    MYSQL_STMT *st = NULL;
    enum bk_err err = BK_OK;

    if (ps == NULL || b == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        audit_params(&ps[i], rows[i]);
        memcpy(&b[i * AUDIT_NCOLS], ps[i].b, AUDIT_NCOLS * sizeof *b);
    }
    if (c->db == NULL || c->broken) {
        err = BK_EUNAVAIL;
        goto out;
    }
    err = prepared(c, sql_audit_insert_rows[n], &st);
    if (err == BK_OK && mysql_stmt_bind_param(st, b) != 0)
        err = stmt_fail(c, st);
    if (err == BK_OK && mysql_stmt_execute(st) != 0)
        err = stmt_fail(c, st);
    if (err == BK_OK)
        mysql_stmt_reset(st);
out:
    mem_free(b);
    mem_free(ps);
    return err;
}

/* A run of one tenant's events in as few statements as the row counts
 * allow: AUDIT_ROWS_MAX at a time. */
static enum bk_err
mys_audit_insert_many(void *conn, const struct audit_row *const *rows, size_t n)
{
    enum bk_err err = BK_OK;

    while (n > 0 && err == BK_OK) {
        size_t k = n < AUDIT_ROWS_MAX ? n : AUDIT_ROWS_MAX;

        err = k == 1 ? mys_audit_insert(conn, rows[0]) : insert_rows(conn, rows, k);
        rows += k;
        n -= k;
    }
    return err;
}

static enum bk_err
read_audit(struct my_result *r, struct audit_row *out)
{
    uint8_t *h = NULL;
    size_t n = 0;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    out->id = my_col_int(r, 0);
    out->tenant = my_col_int(r, 1);
    my_col_text(r, 2, out->atoken, sizeof out->atoken);
    my_col_text(r, 3, out->record, sizeof out->record);
    out->when = my_col_int(r, 4);
    my_col_text(r, 5, out->action, sizeof out->action);
    my_col_text(r, 6, out->who, sizeof out->who);
    my_col_text(r, 7, out->mode, sizeof out->mode);
    my_col_text(r, 8, out->status, sizeof out->status);
    my_col_text(r, 9, out->msg, sizeof out->msg);
    for (unsigned col = 11; col <= 12; col++) {
        err = my_col_blob(r, col, &h, &n);
        if (err != BK_OK)
            return err;
        if (n == STORE_HASH_LEN)
            memcpy(col == 11 ? out->prev_hash : out->hash, h, STORE_HASH_LEN);
        mem_free(h);
        h = NULL;
    }
    return my_col_blob(r, 10, &out->sealed, &out->sealed_len);
}

static enum bk_err
mys_audit_get(void *conn, int64_t tenant, const char *atoken, struct audit_row *out)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    myp_int(&p, tenant);
    myp_text(&p, atoken);
    err = my_query(conn, sql_audit_get, &p, &r);
    if (err != BK_OK)
        return err;
    err = my_next(&r);
    if (err == BK_OK)
        err = read_audit(&r, out);
    my_done(&r);
    return err;
}

static enum bk_err
mys_audit_list_user(void *conn, int64_t tenant, const char *record, int64_t offset,
                    int64_t limit, int64_t *total, store_audit_fn fn, void *arg)
{
    struct my_params p = { 0 };
    struct my_result r;
    enum bk_err err;

    *total = 0;
    myp_int(&p, tenant);
    myp_text(&p, record);
    err = my_query_int(conn, sql_audit_count_user, &p, total);
    if (err != BK_OK)
        return err;
    myp_int(&p, limit);
    myp_int(&p, offset);
    err = my_query(conn, sql_audit_list_user, &p, &r);
    if (err != BK_OK)
        return err;
    while ((err = my_next(&r)) == BK_OK) {
        struct audit_row row;

        err = read_audit(&r, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_audit_row_cleanup(&row);
        if (err != BK_OK)
            break;
    }
    my_done(&r);
    return err == BK_ENOTFOUND ? BK_OK : err;
}

static enum bk_err
mys_count_users(void *conn, int64_t tenant, int64_t *out)
{
    struct my_params p = { 0 };

    myp_int(&p, tenant);
    return my_query_int(conn, sql_count_users, &p, out);
}

const struct store_ops store_mysql_ops = {
    .name = "mysql",
    .version = 1,
    .open = mys_open,
    .close = mys_close,
    .migrate = mys_migrate,
    .conn_acquire = mys_acquire,
    .conn_release = mys_release,
    .begin = mys_begin,
    .commit = mys_commit,
    .rollback = mys_rollback,
    .meta_get = mys_meta_get,
    .meta_put = mys_meta_put,
    .user_insert = mys_user_insert,
    .user_by_token = mys_user_by_token,
    .user_by_index = mys_user_by_index,
    .user_update = mys_user_update,
    .user_shred = mys_user_shred,
    .index_put = mys_index_put,
    .index_delete = mys_index_delete,
    .audit_last_hash = mys_audit_last_hash,
    .audit_insert = mys_audit_insert,
    .audit_insert_many = mys_audit_insert_many,
    .audit_get = mys_audit_get,
    .audit_list_user = mys_audit_list_user,
    .count_users = mys_count_users,
    .consent = &mysql_consent_ops,
    .appdata = &mysql_appdata_ops,
    .sessions = &mysql_sessions_ops,
    .tenants = &mysql_tenants_ops,
    .access = &mysql_access_ops,
    .proof = &mysql_proof_ops,
    .portal = &mysql_portal_ops,
    .requests = &mysql_requests_ops,
    .versions = &mysql_versions_ops,
    .expiry = &mysql_expiry_ops,
    .shared = &mysql_shared_ops,
    .system = &mysql_system_ops,
    .tokens = &mysql_tokens_ops,
};
