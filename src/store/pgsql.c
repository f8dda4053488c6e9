/* PostgreSQL backend (libpq). A pool of connections, one per worker, each
 * with its statements prepared once; parameters and results in binary form.
 * A connection that fails is rebuilt on its next use, so the vault resumes by
 * itself after the database restarts; calls during the outage fail with
 * BK_EUNAVAIL. Tenants are isolated by row-level security on top of the
 * tenant column: app.tenant is set before any tenant's rows are touched.
 * Knows rows and bytes, never JSON or keys. */
#include "pgsql.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "migrations.h"
#include "pgsql_int.h"

#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
#define OID_BYTEA_ARRAY 1001
#define OID_TEXT_ARRAY 1009
#define OID_INT8_ARRAY 1016

/* Advisory lock keys: one for migrations, one namespace for audit chains. */
#define LOCK_MIGRATE 0x4442554e4b4d4947LL
#define LOCK_AUDIT_NS 0x41554454LL

struct pg_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned n;
    struct pg_conn *conns;
    const char *keys[16];
    const char *vals[16];
    char *strings[16];       /* owned copies of the values */
};

static const char sql_begin[] = "BEGIN";
/* A lazy write's commit does not wait for the WAL flush; PostgreSQL's WAL
 * writer flushes it within wal_writer_delay. BEGIN and the setting travel
 * with the transaction's first statement (pgs_begin): in the same pipeline,
 * or as one simple-protocol query string of both. */
static const char sql_lazy_commit[] = "SET LOCAL synchronous_commit = off";
static const char sql_begin_lazy[] = "BEGIN; SET LOCAL synchronous_commit = off";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_tenant_local[] = "SELECT set_config('app.tenant', $1, true)";
static const char sql_tenant_session[] = "SELECT set_config('app.tenant', $1, false)";

static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = $1";
static const char sql_meta_put[] =
    "INSERT INTO meta (key, value) VALUES ($1, $2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

#define USER_COLS "id, tenant, token, status, dek, body, version, created, updated"
static const char sql_user_insert[] =
    "INSERT INTO users (tenant, token, status, dek, body, version, created, updated) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
/* Reads bring the user's expiration along (struct user_row's exp_ fields; NULLs when the
 * user has none): a read checks it without a second round trip. */
#define USER_EXP_COLS "u.id, u.tenant, u.token, u.status, u.dek, u.body, u.version, " \
                      "u.created, u.updated, e.state, e.sliding, e.finaltime, e.endtime, e.touched"
#define USER_EXP_JOIN "LEFT JOIN user_expiry e ON e.user_id = u.id AND e.tenant = u.tenant "
static const char sql_user_by_token[] =
    "SELECT " USER_EXP_COLS " FROM users u " USER_EXP_JOIN "WHERE u.tenant = $1 AND u.token = $2";
static const char sql_user_by_index[] =
    "SELECT " USER_EXP_COLS " FROM user_index i JOIN users u ON u.id = i.user_id "
    USER_EXP_JOIN "WHERE i.tenant = $1 AND i.kind = $2 AND i.hash = $3";
/* In a write transaction the user is read with its row locked: writers of one user queue
 * here instead of all but one failing the version check at the end and starting over,
 * which under load ran out of tries (409). */
static const char sql_user_by_token_lock[] =
    "SELECT " USER_COLS " FROM users WHERE tenant = $1 AND token = $2 FOR UPDATE";
static const char sql_user_by_index_lock[] =
    "SELECT u.id, u.tenant, u.token, u.status, u.dek, u.body, u.version, u.created, u.updated "
    "FROM user_index i JOIN users u ON u.id = i.user_id "
    "WHERE i.tenant = $1 AND i.kind = $2 AND i.hash = $3 FOR UPDATE OF u";
static const char sql_user_update[] =
    "UPDATE users SET body = $1, version = $2, updated = $3 "
    "WHERE id = $4 AND tenant = $5 AND version = $6 AND status = 1";
static const char sql_user_shred[] =
    "UPDATE users SET status = 2, dek = NULL, body = NULL, version = version + 1, updated = $3 "
    "WHERE id = $1 AND tenant = $2";
static const char sql_index_put[] =
    "INSERT INTO user_index (tenant, kind, hash, user_id) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (tenant, kind, hash) DO NOTHING";
static const char sql_index_owner[] =
    "SELECT user_id FROM user_index WHERE tenant = $1 AND kind = $2 AND hash = $3";
static const char sql_index_delete[] =
    "DELETE FROM user_index WHERE tenant = $1 AND kind = $2 AND user_id = $3";

#define AUDIT_COLS "id, tenant, atoken, record, at, action, who, mode, status, msg, sealed, " \
                   "prev_hash, hash"
static const char sql_audit_lock[] = "SELECT pg_advisory_xact_lock($1)";
static const char sql_audit_last[] =
    "SELECT hash FROM audit WHERE tenant = $1 ORDER BY id DESC LIMIT 1";
static const char sql_audit_insert[] =
    "INSERT INTO audit (tenant, atoken, record, at, action, who, mode, status, msg, sealed, "
    "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
/* A run of events in one statement: one array per column, the rows taken
 * in the arrays' order, so the ids (and the chain) follow it. */
static const char sql_audit_insert_many[] =
    "INSERT INTO audit (tenant, atoken, record, at, action, who, mode, status, msg, sealed, "
    "prev_hash, hash) SELECT tenant, atoken, record, at, action, who, mode, status, msg, sealed, "
    "prev_hash, hash FROM unnest($1::int8[], $2::text[], $3::text[], $4::int8[], $5::text[], "
    "$6::text[], $7::text[], $8::text[], $9::text[], $10::bytea[], $11::bytea[], $12::bytea[]) "
    "WITH ORDINALITY AS r(tenant, atoken, record, at, action, who, mode, status, msg, sealed, "
    "prev_hash, hash, n) ORDER BY n";
static const char sql_audit_get[] =
    "SELECT " AUDIT_COLS " FROM audit WHERE tenant = $1 AND atoken = $2";
static const char sql_audit_count_user[] =
    "SELECT count(*) FROM audit WHERE tenant = $1 AND record = $2";
static const char sql_audit_list_user[] =
    "SELECT " AUDIT_COLS " FROM audit WHERE tenant = $1 AND record = $2 "
    "ORDER BY id DESC LIMIT $3 OFFSET $4";
static const char sql_count_users[] =
    "SELECT count(*) FROM users WHERE tenant = $1 AND status = 1";

static const char sql_mig_lock[] = "SELECT pg_advisory_lock($1)";
static const char sql_mig_unlock[] = "SELECT pg_advisory_unlock($1)";
static const char sql_mig_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
    "applied BIGINT NOT NULL)";
static const char sql_mig_applied[] =
    "SELECT count(*) FROM schema_migrations WHERE version = $1";
static const char sql_mig_mark[] =
    "INSERT INTO schema_migrations (version, applied) "
    "VALUES ($1, extract(epoch from now())::bigint)";
static const char sql_role_check[] =
    "SELECT count(*) FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)";

/* ------------------------------------------------------------ parameters */

static void
put_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

void
pgp_int(struct pg_params *p, int64_t v)
{
    int i = p->n++;

    put_be64(p->ibuf[i], (uint64_t)v);
    p->val[i] = (const char *)p->ibuf[i];
    p->len[i] = 8;
    p->fmt[i] = 1;
    p->type[i] = OID_INT8;
}

void
pgp_text(struct pg_params *p, const char *s)
{
    int i = p->n++;

    p->val[i] = s;
    p->len[i] = s ? (int)strlen(s) : 0;
    p->fmt[i] = 1;
    p->type[i] = OID_TEXT;
}

void
pgp_blob(struct pg_params *p, const uint8_t *b, size_t n)
{
    int i = p->n++;

    p->val[i] = (const char *)b;
    p->len[i] = b ? (int)n : 0;
    p->fmt[i] = 1;
    p->type[i] = OID_BYTEA;
}

/* ------------------------------------------------------------ results */

int64_t
pg_col_int(const PGresult *r, int row, int col)
{
    const uint8_t *p;
    int n;
    uint64_t v = 0;

    if (PQgetisnull(r, row, col))
        return 0;
    p = (const uint8_t *)PQgetvalue(r, row, col);
    n = PQgetlength(r, row, col);
    if (n != 2 && n != 4 && n != 8)
        return 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    if (n == 2)
        return (int16_t)(uint16_t)v;
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

void
pg_col_text(const PGresult *r, int row, int col, char *out, size_t out_size)
{
    size_t n = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);

    if (n >= out_size)
        n = out_size - 1;
    if (n)
        memcpy(out, PQgetvalue(r, row, col), n);
    out[n] = '\0';
}

enum bk_err
pg_col_blob(const PGresult *r, int row, int col, uint8_t **out, size_t *out_len)
{
    size_t n;

    *out = NULL;
    *out_len = 0;
    if (PQgetisnull(r, row, col))
        return BK_OK;
    n = (size_t)PQgetlength(r, row, col);
    *out = mem_alloc(n + 1);
    if (*out == NULL)
        return BK_ENOMEM;
    if (n)
        memcpy(*out, PQgetvalue(r, row, col), n);
    *out_len = n;
    return BK_OK;
}

/* ------------------------------------------------------------ errors */

static enum bk_err
fail(struct pg_conn *c, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);

    if (PQstatus(c->pg) != CONNECTION_OK || state == NULL || strncmp(state, "08", 2) == 0 ||
        strncmp(state, "57P", 3) == 0 || strncmp(state, "53", 2) == 0) {
        c->broken = 1;
        LOG_WARN(NULL, "pgsql", "connection lost: %s", msg);
        return BK_EUNAVAIL;
    }
    if (strcmp(state, "23505") == 0)
        return BK_ECONFLICT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0)
        return BK_ERETRY;
    LOG_ERR(NULL, "pgsql", "error %s: %s", state, msg);
    return BK_EBACKEND;
}

/* ------------------------------------------------------------ connections */

static void
conn_disconnect(struct pg_conn *c)
{
    PQfinish(c->pg);
    c->pg = NULL;
    memset(c->cache, 0, sizeof c->cache);
    c->in_tx = 0;
    c->begin_pending = 0;
    c->tenant_known = 0;
    c->tenant_local = 0;
}

static void
on_notice(void *arg, const char *message)
{
    (void)arg;
    LOG_DEBUG(NULL, "pgsql", "%s", message);
}

static enum bk_err
conn_connect(struct pg_conn *c)
{
    const struct pg_pool *p = c->pool;

    conn_disconnect(c);
    c->broken = 0;
    c->pg = PQconnectdbParams(p->keys, p->vals, 0);
    if (c->pg == NULL)
        return BK_ENOMEM;
    if (PQstatus(c->pg) != CONNECTION_OK) {
        LOG_WARN(NULL, "pgsql", "cannot connect: %s", PQerrorMessage(c->pg));
        conn_disconnect(c);
        c->broken = 1;
        return BK_EUNAVAIL;
    }
    PQsetNoticeProcessor(c->pg, on_notice, NULL);
    return BK_OK;
}

/* The name of the prepared statement for <sql>, preparing it on first use. */
static enum bk_err
prepared(struct pg_conn *c, const char *sql, const struct pg_params *p, char name[16])
{
    size_t h = ((uintptr_t)sql >> 3) * 0x9e3779b97f4a7c15ULL;

    for (size_t n = 0; n < PG_CACHE_SLOTS; n++) {
        size_t slot = (h + n) & (PG_CACHE_SLOTS - 1);
        struct pg_cached *e = &c->cache[slot];
        PGresult *res;
        enum bk_err err = BK_OK;

        snprintf(name, 16, "bk%zu", slot);
        if (e->sql == sql)
            return BK_OK;
        if (e->sql != NULL)
            continue;
        res = PQprepare(c->pg, name, sql, p ? p->n : 0, p ? p->type : NULL);
        if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
            err = fail(c, res);
        else
            e->sql = sql;
        PQclear(res);
        return err;
    }
    return BK_EINTERNAL;
}

/* A lazy write's pending BEGIN and its setting, for a first statement that
 * does not carry them in a pipeline: one round trip, a simple-protocol
 * query string of both (neither has parameters). A failure leaves the
 * transaction to its caller's rollback. */
static enum bk_err
begin_flush(struct pg_conn *c)
{
    PGresult *res;
    enum bk_err err = BK_OK;

    c->begin_pending = 0;
    res = PQexec(c->pg, sql_begin_lazy);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        err = fail(c, res);
    PQclear(res);
    return err;
}

static enum bk_err
run_raw(struct pg_conn *c, const char *sql, const struct pg_params *p, PGresult **out)
{
    static const struct pg_params none;
    char name[16];
    PGresult *res;
    enum bk_err err;

    *out = NULL;
    if (c->pg == NULL || c->broken)
        return BK_EUNAVAIL;
    if (c->begin_pending) {
        err = begin_flush(c);
        if (err != BK_OK)
            return err;
    }
    if (p == NULL)
        p = &none;
    err = prepared(c, sql, p, name);
    if (err != BK_OK)
        return err;
    res = PQexecPrepared(c->pg, name, p->n, p->val, p->len, p->fmt, 1);
    if (res != NULL &&
        (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK)) {
        *out = res;
        return BK_OK;
    }
    err = fail(c, res);
    PQclear(res);
    return err;
}

#define PG_PIPE_MAX 4

/* Run the statements <sqls> (with <ps>, entries may be NULL) in one round
 * trip, libpq's pipeline mode: the server runs them in order, each with a
 * snapshot of its own taken when it starts, and skips the rest after an
 * error. On success *out holds the last one's result (PQclear() it). A
 * pipeline that does not finish cleanly leaves the connection broken, so it
 * is rebuilt before its next use. */
static enum bk_err
run_pipelined(struct pg_conn *c, size_t n, const char *const *sqls,
              const struct pg_params *const *ps, PGresult **out)
{
    static const struct pg_params none;
    char names[PG_PIPE_MAX][16];
    PGresult *res;
    enum bk_err err = BK_OK;

    *out = NULL;
    if (n == 0 || n > PG_PIPE_MAX)
        return BK_EINTERNAL;
    if (c->pg == NULL || c->broken)
        return BK_EUNAVAIL;
    /* statements are prepared outside the pipeline, once per connection */
    for (size_t i = 0; i < n && err == BK_OK; i++)
        err = prepared(c, sqls[i], ps[i] ? ps[i] : &none, names[i]);
    if (err != BK_OK)
        return err;
    if (PQenterPipelineMode(c->pg) != 1)
        return fail(c, NULL);
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        const struct pg_params *p = ps[i] ? ps[i] : &none;

        if (PQsendQueryPrepared(c->pg, names[i], p->n, p->val, p->len, p->fmt, 1) != 1)
            err = BK_EUNAVAIL;
    }
    if (err == BK_OK && PQpipelineSync(c->pg) != 1)
        err = BK_EUNAVAIL;
    if (err != BK_OK) {
        LOG_WARN(NULL, "pgsql", "cannot send a pipeline: %s", PQerrorMessage(c->pg));
        c->broken = 1;
        return err;
    }
    /* each statement's results, each ended by NULL; then the sync */
    for (size_t i = 0; i < n; i++) {
        while ((res = PQgetResult(c->pg)) != NULL) {
            ExecStatusType st = PQresultStatus(res);

            if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && err == BK_OK)
                err = st == PGRES_PIPELINE_ABORTED ? BK_EBACKEND : fail(c, res);
            if (err == BK_OK && i == n - 1 && *out == NULL)
                *out = res;
            else
                PQclear(res);
        }
    }
    res = PQgetResult(c->pg);
    if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
        c->broken = 1;
        if (err == BK_OK)
            err = BK_EUNAVAIL;
    }
    PQclear(res);
    if (!c->broken && PQexitPipelineMode(c->pg) != 1) {
        LOG_WARN(NULL, "pgsql", "cannot leave pipeline mode: %s", PQerrorMessage(c->pg));
        c->broken = 1;
        if (err == BK_OK)
            err = BK_EUNAVAIL;
    }
    if (err != BK_OK) {
        PQclear(*out);
        *out = NULL;
    }
    return err;
}

/* Make row-level security show <tenant>'s rows: inside a transaction the
 * setting is local to it, outside it lasts for the session. */
static enum bk_err
tenant_use(struct pg_conn *c, int64_t tenant)
{
    struct pg_params p = { 0 };
    char buf[24];
    PGresult *res = NULL;
    enum bk_err err;

    if (tenant == PG_NO_TENANT || (c->tenant_known && c->tenant == tenant))
        return BK_OK;
    snprintf(buf, sizeof buf, "%lld", (long long)tenant);
    pgp_text(&p, buf);
    err = run_raw(c, c->in_tx ? sql_tenant_local : sql_tenant_session, &p, &res);
    PQclear(res);
    if (err != BK_OK)
        return err;
    c->tenant_known = 1;
    c->tenant_local = c->in_tx;
    c->tenant = tenant;
    return BK_OK;
}

enum bk_err
pg_run(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
       PGresult **out)
{
    enum bk_err err;

    *out = NULL;
    err = tenant_use(c, tenant);
    if (err == BK_OK)
        err = run_raw(c, sql, p, out);
    /* The first statement of a read finds a connection the server dropped
     * since it was last used (what BEGIN found before): nothing has been
     * read yet, so connect again and run it once more. */
    if (err == BK_EUNAVAIL && c->read_tx && c->read_fresh) {
        c->read_fresh = 0;
        err = conn_connect(c);
        if (err == BK_OK)
            err = tenant_use(c, tenant);
        if (err == BK_OK)
            err = run_raw(c, sql, p, out);
    }
    c->read_fresh = 0;
    return err;
}

enum bk_err
pg_exec(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
        int64_t *affected)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    if (affected != NULL) {
        const char *n = res ? PQcmdTuples(res) : "";

        *affected = *n ? strtoll(n, NULL, 10) : 0;
    }
    PQclear(res);
    return err;
}

static const char sql_tenant_ids[] = "SELECT id FROM tenants WHERE id > 0 ORDER BY id";

enum bk_err
pg_for_tenants(struct pg_conn *c, enum bk_err (*fn)(void *arg, int64_t tenant), void *arg)
{
    PGresult *res = NULL;
    enum bk_err err = fn(arg, 0);

    if (err == BK_OK)
        err = pg_run(c, PG_NO_TENANT, sql_tenant_ids, NULL, &res);
    /* the result lives on the client: <fn> may run statements meanwhile */
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++)
        err = fn(arg, pg_col_int(res, i, 0));
    PQclear(res);
    return err;
}

/* Run a one-row query and read its first column as an integer. */
static enum bk_err
query_int(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
          int64_t *out)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    *out = 0;
    if (err == BK_OK) {
        if (PQntuples(res) > 0)
            *out = pg_col_int(res, 0, 0);
        else
            err = BK_ENOTFOUND;
    }
    PQclear(res);
    return err;
}

/* ------------------------------------------------------------ pool */

static void
pool_free(struct pg_pool *p)
{
    if (p == NULL)
        return;
    for (unsigned i = 0; i < p->n; i++)
        conn_disconnect(&p->conns[i]);
    for (size_t i = 0; i < sizeof p->strings / sizeof p->strings[0]; i++) {
        if (p->strings[i] != NULL)
            memset(p->strings[i], 0, strlen(p->strings[i]));   /* the password among them */
        mem_free(p->strings[i]);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    mem_free(p->conns);
    mem_free(p);
}

static int
pool_param(struct pg_pool *p, int *k, const char *key, const char *val)
{
    if (val == NULL || *val == '\0')
        return 0;
    p->strings[*k] = mem_strdup(val);
    if (p->strings[*k] == NULL)
        return -1;
    p->keys[*k] = key;
    p->vals[*k] = p->strings[*k];
    (*k)++;
    return 0;
}

static enum bk_err
pool_conninfo(struct pg_pool *p, const struct store_conf *conf)
{
    char timeout[16];
    int k = 0;

    snprintf(timeout, sizeof timeout, "%u", conf->connect_timeout_s ? conf->connect_timeout_s : 5);
    if (pool_param(p, &k, "host", conf->host) || pool_param(p, &k, "port", conf->port) ||
        pool_param(p, &k, "user", conf->user) || pool_param(p, &k, "password", conf->password) ||
        pool_param(p, &k, "dbname", conf->dbname ? conf->dbname : "databunker") ||
        pool_param(p, &k, "sslmode", conf->sslmode ? conf->sslmode : "prefer") ||
        pool_param(p, &k, "sslrootcert", conf->ssl_ca) ||
        pool_param(p, &k, "sslcert", conf->ssl_cert) ||
        pool_param(p, &k, "sslkey", conf->ssl_key) ||
        pool_param(p, &k, "connect_timeout", timeout) ||
        pool_param(p, &k, "application_name", "databunker") ||
        pool_param(p, &k, "keepalives_idle", "30"))
        return BK_ENOMEM;
    p->keys[k] = NULL;
    p->vals[k] = NULL;
    return BK_OK;
}

static void
warn_if_rls_bypassed(struct pg_conn *c)
{
    int64_t n = 0;

    if (query_int(c, PG_NO_TENANT, sql_role_check, NULL, &n) == BK_OK && n > 0)
        LOG_WARN(NULL, "pgsql", "the database role is a superuser or has BYPASSRLS: row-level "
                                "security does not isolate tenants for it; use an ordinary role");
}

static enum bk_err
pgs_open(const struct store_conf *conf, void **cls)
{
    struct pg_pool *p;
    unsigned n = conf->pool_size ? conf->pool_size : 1;
    enum bk_err err;

    *cls = NULL;
    if (PQisthreadsafe() != 1)
        return BK_EBACKEND;
    p = mem_calloc(1, sizeof *p);
    if (p == NULL)
        return BK_ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->conns = mem_calloc(n, sizeof *p->conns);
    err = p->conns ? pool_conninfo(p, conf) : BK_ENOMEM;
    if (err != BK_OK) {
        pool_free(p);
        return err;
    }
    /* The first connection now, so a wrong address or password is reported at
     * start-up; the others on first use. */
    for (p->n = 0; p->n < n; p->n++)
        p->conns[p->n].pool = p;
    err = conn_connect(&p->conns[0]);
    if (err != BK_OK) {
        pool_free(p);
        return err;
    }
    warn_if_rls_bypassed(&p->conns[0]);
    *cls = p;
    return BK_OK;
}

static void
pgs_close(void *cls)
{
    pool_free(cls);
}

/* Whether the server has closed this idle connection (a restart, an
 * administrator's kill): between calls it sends nothing unasked but its
 * goodbye, so a readable socket means it is gone. Costs one poll(), no
 * round trip; a statement outside a transaction would otherwise be the one
 * to find out, and fail. */
static int
conn_gone(struct pg_conn *c)
{
    struct pollfd pfd = { .fd = PQsocket(c->pg), .events = POLLIN };

    if (pfd.fd < 0 || poll(&pfd, 1, 0) != 0) {
        LOG_WARN(NULL, "pgsql", "pooled connection closed by the server: reconnecting");
        return 1;
    }
    return 0;
}

static enum bk_err
pgs_acquire(void *cls, void **conn)
{
    struct pg_pool *p = cls;
    struct pg_conn *c = NULL;
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
    if (c->pg != NULL && !c->broken && conn_gone(c))
        c->broken = 1;
    if (c->pg == NULL || c->broken || PQstatus(c->pg) != CONNECTION_OK)
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

static void pgs_rollback(void *conn);

static void
pgs_release(void *cls, void *conn)
{
    struct pg_pool *p = cls;
    struct pg_conn *c = conn;

    if (c->in_tx || c->read_tx)
        pgs_rollback(c);
    pthread_mutex_lock(&p->lock);
    c->in_use = 0;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* ------------------------------------------------------------ transactions */

static void
tx_ended(struct pg_conn *c)
{
    c->in_tx = 0;
    c->begin_pending = 0;
    if (c->tenant_local)
        c->tenant_known = 0;
    c->tenant_local = 0;
}

/* A read opens no transaction: under READ COMMITTED each statement of a
 * transaction takes a snapshot of its own anyway, so BEGIN READ ONLY and
 * its ROLLBACK bought no consistency and cost two round trips, and outside
 * a transaction the tenant for row-level security is set once for the
 * session rather than again in every transaction: a read is one round trip
 * per statement. Only writes (any <write>) send BEGIN. A lazy write's BEGIN
 * (the audit events of reads) waits for its first statement and travels
 * with it: in the pipeline of pgs_audit_last_hash(), or in one query string
 * with its setting (begin_flush()). */
static enum bk_err
pgs_begin(void *conn, int write)
{
    struct pg_conn *c = conn;
    enum bk_err err;

    if (c->in_tx || c->read_tx)
        return BK_EINTERNAL;
    if (!write) {
        c->read_tx = 1;
        c->read_fresh = 1;
        return BK_OK;
    }
    if (write == STORE_WRITE_LAZY) {
        err = c->pg == NULL || c->broken ? conn_connect(c) : BK_OK;
        if (err == BK_OK) {
            c->in_tx = 1;
            c->write_tx = 1;
            c->begin_pending = 1;
        }
        return err;
    }
    err = pg_exec(c, PG_NO_TENANT, sql_begin, NULL, NULL);
    if (err == BK_EUNAVAIL) {
        /* The server may have restarted since this connection was last used:
         * nothing has been done in this transaction yet, so connect again. */
        err = conn_connect(c);
        if (err == BK_OK)
            err = pg_exec(c, PG_NO_TENANT, sql_begin, NULL, NULL);
    }
    if (err == BK_OK) {
        c->in_tx = 1;
        c->write_tx = write != 0;
    }
    return err;
}

static enum bk_err
pgs_commit(void *conn)
{
    struct pg_conn *c = conn;
    enum bk_err err;

    if (c->read_tx) {
        c->read_tx = 0;
        return BK_OK;
    }
    if (!c->in_tx)
        return BK_EINTERNAL;
    if (c->begin_pending) {
        /* nothing was sent: nothing to commit */
        tx_ended(c);
        return BK_OK;
    }
    if (c->pg != NULL && PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
        /* COMMIT of a failed transaction only rolls back: never report success. */
        pg_exec(c, PG_NO_TENANT, sql_rollback, NULL, NULL);
        tx_ended(c);
        return BK_EBACKEND;
    }
    err = pg_exec(c, PG_NO_TENANT, sql_commit, NULL, NULL);
    tx_ended(c);
    return err;
}

static void
pgs_rollback(void *conn)
{
    struct pg_conn *c = conn;

    c->read_tx = 0;
    if (!c->in_tx)
        return;
    if (c->pg != NULL && !c->broken && !c->begin_pending)
        pg_exec(c, PG_NO_TENANT, sql_rollback, NULL, NULL);
    tx_ended(c);
}

/* ------------------------------------------------------------ migrations */

static enum bk_err
simple_exec(struct pg_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    enum bk_err err = BK_OK;

    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        err = fail(c, res);
    PQclear(res);
    return err;
}

static enum bk_err
pgs_migrate(void *conn)
{
    struct pg_conn *c = conn;
    struct pg_params key = { 0 };
    enum bk_err err;

    pgp_int(&key, LOCK_MIGRATE);
    /* Instances started together take turns: one applies, the others see it done. */
    err = pg_exec(c, PG_NO_TENANT, sql_mig_lock, &key, NULL);
    if (err != BK_OK)
        return err;
    err = pg_exec(c, PG_NO_TENANT, sql_mig_table, NULL, NULL);
    for (const struct migration *mg = pgsql_migrations; mg->version != 0 && err == BK_OK; mg++) {
        struct pg_params p = { 0 };
        int64_t applied = 0;

        pgp_int(&p, mg->version);
        err = query_int(c, PG_NO_TENANT, sql_mig_applied, &p, &applied);
        if (err != BK_OK || applied)
            continue;
        err = pgs_begin(c, 1);
        if (err != BK_OK)
            break;
        /* The migration is static text compiled into the binary, several
         * statements long, so it runs through the simple query protocol. */
        err = simple_exec(c, mg->sql);
        if (err == BK_OK)
            err = pg_exec(c, PG_NO_TENANT, sql_mig_mark, &p, NULL);
        if (err == BK_OK)
            err = pgs_commit(c);
        else
            pgs_rollback(c);
        if (err == BK_OK)
            LOG_INFO(NULL, "pgsql", "applied migration %s", mg->name);
        else
            LOG_ERR(NULL, "pgsql", "migration %s failed", mg->name);
    }
    if (!c->broken)
        pg_exec(c, PG_NO_TENANT, sql_mig_unlock, &key, NULL);
    return err;
}

/* ------------------------------------------------------------ meta */

static enum bk_err
pgs_meta_get(void *conn, const char *key, uint8_t **val, size_t *val_len)
{
    struct pg_conn *c = conn;
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    *val = NULL;
    *val_len = 0;
    pgp_text(&p, key);
    err = pg_run(c, PG_NO_TENANT, sql_meta_get, &p, &res);
    if (err == BK_OK)
        err = PQntuples(res) > 0 ? pg_col_blob(res, 0, 0, val, val_len) : BK_ENOTFOUND;
    PQclear(res);
    return err;
}

static enum bk_err
pgs_meta_put(void *conn, const char *key, const uint8_t *val, size_t val_len)
{
    struct pg_params p = { 0 };

    pgp_text(&p, key);
    pgp_blob(&p, val, val_len);
    return pg_exec(conn, PG_NO_TENANT, sql_meta_put, &p, NULL);
}

/* ------------------------------------------------------------ users */

static enum bk_err
pgs_user_insert(void *conn, struct user_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_text(&p, row->token);
    pgp_int(&p, row->status);
    pgp_blob(&p, row->dek, row->dek_len);
    pgp_blob(&p, row->body, row->body_len);
    pgp_int(&p, row->version);
    pgp_int(&p, row->created);
    pgp_int(&p, row->updated);
    return query_int(conn, row->tenant, sql_user_insert, &p, &row->id);
}

static enum bk_err
read_user(const PGresult *r, struct user_row *out)
{
    enum bk_err err;

    out->id = pg_col_int(r, 0, 0);
    out->tenant = pg_col_int(r, 0, 1);
    pg_col_text(r, 0, 2, out->token, sizeof out->token);
    out->status = (int)pg_col_int(r, 0, 3);
    out->version = pg_col_int(r, 0, 6);
    out->created = pg_col_int(r, 0, 7);
    out->updated = pg_col_int(r, 0, 8);
    if (PQnfields(r) >= 14) {
        out->exp_known = PQgetisnull(r, 0, 9) ? USER_EXP_NONE : USER_EXP_ROW;
        out->exp_state = (int)pg_col_int(r, 0, 9);
        out->exp_sliding = pg_col_int(r, 0, 10);
        out->exp_finaltime = pg_col_int(r, 0, 11);
        out->exp_endtime = pg_col_int(r, 0, 12);
        out->exp_touched = pg_col_int(r, 0, 13);
    }
    err = pg_col_blob(r, 0, 4, &out->dek, &out->dek_len);
    if (err == BK_OK)
        err = pg_col_blob(r, 0, 5, &out->body, &out->body_len);
    if (err != BK_OK)
        store_user_row_cleanup(out);
    return err;
}

static enum bk_err
query_user(struct pg_conn *c, int64_t tenant, const char *sql, const struct pg_params *p,
           struct user_row *out)
{
    PGresult *res = NULL;
    enum bk_err err = pg_run(c, tenant, sql, p, &res);

    if (err == BK_OK)
        err = PQntuples(res) > 0 ? read_user(res, out) : BK_ENOTFOUND;
    PQclear(res);
    return err;
}

/* A user read in an open write transaction locks the row (sql_user_by_token_lock). */
static int
locking(const void *conn)
{
    const struct pg_conn *c = conn;

    return c->in_tx && c->write_tx;
}

static enum bk_err
pgs_user_by_token(void *conn, int64_t tenant, const char *token, struct user_row *out)
{
    struct pg_params p = { 0 };

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_text(&p, token);
    return query_user(conn, tenant, locking(conn) ? sql_user_by_token_lock :
                      sql_user_by_token, &p, out);
}

static enum bk_err
pgs_user_by_index(void *conn, int64_t tenant, int kind, const uint8_t hash[STORE_HASH_LEN],
                  struct user_row *out)
{
    struct pg_params p = { 0 };

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_int(&p, kind);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    return query_user(conn, tenant, locking(conn) ? sql_user_by_index_lock :
                      sql_user_by_index, &p, out);
}

static enum bk_err
pgs_user_update(void *conn, const struct user_row *row)
{
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_blob(&p, row->body, row->body_len);
    pgp_int(&p, row->version);
    pgp_int(&p, row->updated);
    pgp_int(&p, row->id);
    pgp_int(&p, row->tenant);
    pgp_int(&p, row->version - 1);
    err = pg_exec(conn, row->tenant, sql_user_update, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ECONFLICT;
    return err;
}

static enum bk_err
pgs_user_shred(void *conn, int64_t tenant, int64_t id, int64_t when)
{
    struct pg_params p = { 0 };
    int64_t n = 0;
    enum bk_err err;

    pgp_int(&p, id);
    pgp_int(&p, tenant);
    pgp_int(&p, when);
    err = pg_exec(conn, tenant, sql_user_shred, &p, &n);
    if (err == BK_OK && n != 1)
        err = BK_ENOTFOUND;
    return err;
}

/* ------------------------------------------------------------ indexes */

static enum bk_err
pgs_index_put(void *conn, int64_t tenant, int kind, const uint8_t hash[STORE_HASH_LEN],
              int64_t user_id)
{
    struct pg_params p = { 0 };
    int64_t n = 0, owner = 0;
    enum bk_err err;

    pgp_int(&p, tenant);
    pgp_int(&p, kind);
    pgp_blob(&p, hash, STORE_HASH_LEN);
    pgp_int(&p, user_id);
    err = pg_exec(conn, tenant, sql_index_put, &p, &n);
    if (err != BK_OK || n == 1)
        return err;
    /* The hash exists: fine if it is already this user's, a conflict otherwise. */
    p.n = 3;
    err = query_int(conn, tenant, sql_index_owner, &p, &owner);
    if (err == BK_ENOTFOUND)
        return BK_ERETRY;
    if (err != BK_OK)
        return err;
    return owner == user_id ? BK_OK : BK_ECONFLICT;
}

static enum bk_err
pgs_index_delete(void *conn, int64_t tenant, int kind, int64_t user_id)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    pgp_int(&p, kind);
    pgp_int(&p, user_id);
    return pg_exec(conn, tenant, sql_index_delete, &p, NULL);
}

/* ------------------------------------------------------------ audit */

static enum bk_err
pgs_audit_last_hash(void *conn, int64_t tenant, uint8_t out[STORE_HASH_LEN])
{
    struct pg_conn *c = conn;
    struct pg_params lk = { 0 }, p = { 0 };
    const char *sqls[PG_PIPE_MAX];
    const struct pg_params *ps[PG_PIPE_MAX];
    PGresult *res = NULL;
    size_t n = 0;
    enum bk_err err;

    memset(out, 0, STORE_HASH_LEN);
    err = tenant_use(c, tenant);
    if (err != BK_OK)
        return err;
    /* A lazy write's pending BEGIN and its setting go first, in the same
     * round trip. */
    if (c->begin_pending) {
        c->begin_pending = 0;
        sqls[n] = sql_begin;
        ps[n++] = NULL;
        sqls[n] = sql_lazy_commit;
        ps[n++] = NULL;
    }
    /* One chain per tenant: writers of a tenant's events take turns from
     * here to commit, so each event links to the one committed before it.
     * The lock and the read of the last hash in one round trip: in a
     * pipeline each statement still takes its snapshot when it starts, so
     * the read sees every event committed before the lock was granted. */
    pgp_int(&lk, (int64_t)((LOCK_AUDIT_NS << 32) | ((uint64_t)tenant & 0xffffffffu)));
    sqls[n] = sql_audit_lock;
    ps[n++] = &lk;
    pgp_int(&p, tenant);
    sqls[n] = sql_audit_last;
    ps[n++] = &p;
    err = run_pipelined(c, n, sqls, ps, &res);
    if (err == BK_OK && PQntuples(res) > 0) {
        if (PQgetlength(res, 0, 0) == STORE_HASH_LEN)
            memcpy(out, PQgetvalue(res, 0, 0), STORE_HASH_LEN);
        else
            err = BK_ECORRUPT;
    }
    PQclear(res);
    return err;
}

static enum bk_err
pgs_audit_insert(void *conn, const struct audit_row *row)
{
    struct pg_params p = { 0 };

    pgp_int(&p, row->tenant);
    pgp_text(&p, row->atoken);
    pgp_text(&p, row->record);
    pgp_int(&p, row->when);
    pgp_text(&p, row->action);
    pgp_text(&p, row->who);
    pgp_text(&p, row->mode);
    pgp_text(&p, row->status);
    pgp_text(&p, row->msg);
    pgp_blob(&p, row->sealed, row->sealed_len);
    pgp_blob(&p, row->prev_hash, STORE_HASH_LEN);
    pgp_blob(&p, row->hash, STORE_HASH_LEN);
    return pg_exec(conn, row->tenant, sql_audit_insert, &p, NULL);
}

#define AUDIT_NCOLS 12

/* Column <col> of <row> as bound by pgs_audit_insert(): *out (NULL for SQL
 * NULL) and its length; integers big-endian in <ibuf>. */
static void
audit_col(const struct audit_row *row, int col, uint8_t ibuf[8], const uint8_t **out,
          size_t *len)
{
    const char *t = NULL;

    *out = NULL;
    *len = 0;
    switch (col) {
    case 0:
    case 3:
        put_be64(ibuf, (uint64_t)(col == 0 ? row->tenant : row->when));
        *out = ibuf;
        *len = 8;
        return;
    case 1: t = row->atoken; break;
    case 2: t = row->record; break;
    case 4: t = row->action; break;
    case 5: t = row->who; break;
    case 6: t = row->mode; break;
    case 7: t = row->status; break;
    case 8: t = row->msg; break;
    case 9:
        *out = row->sealed;
        *len = row->sealed ? row->sealed_len : 0;
        return;
    case 10: *out = row->prev_hash; *len = STORE_HASH_LEN; return;
    default: *out = row->hash; *len = STORE_HASH_LEN; return;
    }
    *out = (const uint8_t *)t;
    *len = strlen(t);
}

static void
put_be32(uint8_t *out, uint32_t v)
{
    for (int i = 3; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

/* Column <col> of <rows> as a one-dimensional array in PostgreSQL's binary
 * format (array_send): the header, then each element's length (-1 for
 * NULL) and bytes. A new buffer (mem_free()). */
static enum bk_err
audit_col_array(const struct audit_row *const *rows, size_t n, int col, Oid elem,
                uint8_t **out, size_t *out_len)
{
    uint8_t ibuf[8], *b;
    const uint8_t *v;
    size_t len, total = 20, at = 20;
    int nulls = 0;

    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        audit_col(rows[i], col, ibuf, &v, &len);
        total += 4 + (v ? len : 0);
        nulls |= v == NULL;
    }
    if (n > INT32_MAX || total > INT32_MAX)
        return BK_ETOOBIG;
    b = mem_alloc(total);
    if (b == NULL)
        return BK_ENOMEM;
    put_be32(b, 1);
    put_be32(b + 4, (uint32_t)nulls);
    put_be32(b + 8, elem);
    put_be32(b + 12, (uint32_t)n);
    put_be32(b + 16, 1);
    for (size_t i = 0; i < n; i++) {
        audit_col(rows[i], col, ibuf, &v, &len);
        put_be32(b + at, v ? (uint32_t)len : 0xffffffffu);
        at += 4;
        if (v != NULL && len > 0)
            memcpy(b + at, v, len);
        at += v ? len : 0;
    }
    *out = b;
    *out_len = total;
    return BK_OK;
}

/* One statement for a run of one tenant's events: each column bound as an
 * array, unnested in order. */
static enum bk_err
pgs_audit_insert_many(void *conn, const struct audit_row *const *rows, size_t n)
{
    static const Oid elems[AUDIT_NCOLS] = {
        OID_INT8, OID_TEXT, OID_TEXT, OID_INT8, OID_TEXT, OID_TEXT,
        OID_TEXT, OID_TEXT, OID_TEXT, OID_BYTEA, OID_BYTEA, OID_BYTEA,
    };
    struct pg_params p = { 0 };
    uint8_t *bufs[AUDIT_NCOLS] = { 0 };
    enum bk_err err = BK_OK;

    if (n == 0)
        return BK_OK;
    for (int i = 0; i < AUDIT_NCOLS && err == BK_OK; i++) {
        size_t len = 0;

        err = audit_col_array(rows, n, i, elems[i], &bufs[i], &len);
        p.val[i] = (const char *)bufs[i];
        p.len[i] = (int)len;
        p.fmt[i] = 1;
        p.type[i] = elems[i] == OID_INT8   ? OID_INT8_ARRAY
                    : elems[i] == OID_TEXT ? OID_TEXT_ARRAY
                                           : OID_BYTEA_ARRAY;
        p.n = i + 1;
    }
    if (err == BK_OK)
        err = pg_exec(conn, rows[0]->tenant, sql_audit_insert_many, &p, NULL);
    for (int i = 0; i < AUDIT_NCOLS; i++)
        mem_free(bufs[i]);
    return err;
}

static enum bk_err
read_audit(const PGresult *r, int row, struct audit_row *out)
{
    memset(out, 0, sizeof *out);
    out->id = pg_col_int(r, row, 0);
    out->tenant = pg_col_int(r, row, 1);
    pg_col_text(r, row, 2, out->atoken, sizeof out->atoken);
    pg_col_text(r, row, 3, out->record, sizeof out->record);
    out->when = pg_col_int(r, row, 4);
    pg_col_text(r, row, 5, out->action, sizeof out->action);
    pg_col_text(r, row, 6, out->who, sizeof out->who);
    pg_col_text(r, row, 7, out->mode, sizeof out->mode);
    pg_col_text(r, row, 8, out->status, sizeof out->status);
    pg_col_text(r, row, 9, out->msg, sizeof out->msg);
    if (PQgetlength(r, row, 11) == STORE_HASH_LEN)
        memcpy(out->prev_hash, PQgetvalue(r, row, 11), STORE_HASH_LEN);
    if (PQgetlength(r, row, 12) == STORE_HASH_LEN)
        memcpy(out->hash, PQgetvalue(r, row, 12), STORE_HASH_LEN);
    return pg_col_blob(r, row, 10, &out->sealed, &out->sealed_len);
}

static enum bk_err
pgs_audit_get(void *conn, int64_t tenant, const char *atoken, struct audit_row *out)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    memset(out, 0, sizeof *out);
    pgp_int(&p, tenant);
    pgp_text(&p, atoken);
    err = pg_run(conn, tenant, sql_audit_get, &p, &res);
    if (err == BK_OK)
        err = PQntuples(res) > 0 ? read_audit(res, 0, out) : BK_ENOTFOUND;
    PQclear(res);
    return err;
}

static enum bk_err
pgs_audit_list_user(void *conn, int64_t tenant, const char *record, int64_t offset,
                    int64_t limit, int64_t *total, store_audit_fn fn, void *arg)
{
    struct pg_params p = { 0 };
    PGresult *res = NULL;
    enum bk_err err;

    *total = 0;
    pgp_int(&p, tenant);
    pgp_text(&p, record);
    err = query_int(conn, tenant, sql_audit_count_user, &p, total);
    if (err != BK_OK)
        return err;
    pgp_int(&p, limit);
    pgp_int(&p, offset);
    err = pg_run(conn, tenant, sql_audit_list_user, &p, &res);
    for (int i = 0; err == BK_OK && i < PQntuples(res); i++) {
        struct audit_row row;

        err = read_audit(res, i, &row);
        if (err == BK_OK)
            err = fn(arg, &row);
        store_audit_row_cleanup(&row);
    }
    PQclear(res);
    return err;
}

static enum bk_err
pgs_count_users(void *conn, int64_t tenant, int64_t *out)
{
    struct pg_params p = { 0 };

    pgp_int(&p, tenant);
    return query_int(conn, tenant, sql_count_users, &p, out);
}

const struct store_ops store_pgsql_ops = {
    .name = "pgsql",
    .version = 1,
    .open = pgs_open,
    .close = pgs_close,
    .migrate = pgs_migrate,
    .conn_acquire = pgs_acquire,
    .conn_release = pgs_release,
    .begin = pgs_begin,
    .commit = pgs_commit,
    .rollback = pgs_rollback,
    .meta_get = pgs_meta_get,
    .meta_put = pgs_meta_put,
    .user_insert = pgs_user_insert,
    .user_by_token = pgs_user_by_token,
    .user_by_index = pgs_user_by_index,
    .user_update = pgs_user_update,
    .user_shred = pgs_user_shred,
    .index_put = pgs_index_put,
    .index_delete = pgs_index_delete,
    .audit_last_hash = pgs_audit_last_hash,
    .audit_insert = pgs_audit_insert,
    .audit_insert_many = pgs_audit_insert_many,
    .audit_get = pgs_audit_get,
    .audit_list_user = pgs_audit_list_user,
    .count_users = pgs_count_users,
    .consent = &pgsql_consent_ops,
    .appdata = &pgsql_appdata_ops,
    .sessions = &pgsql_sessions_ops,
    .tenants = &pgsql_tenants_ops,
    .access = &pgsql_access_ops,
    .proof = &pgsql_proof_ops,
    .portal = &pgsql_portal_ops,
    .requests = &pgsql_requests_ops,
    .versions = &pgsql_versions_ops,
    .expiry = &pgsql_expiry_ops,
    .shared = &pgsql_shared_ops,
    .system = &pgsql_system_ops,
    .tokens = &pgsql_tokens_ops,
};
