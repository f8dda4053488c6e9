/* The command line: parse arguments, build the layers, run. No domain logic
 * lives here. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/hex.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/audit.h"
#include "core/auditverify.h"
#include "core/bootstrap.h"
#include "core/conf.h"
#include "core/erasure.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "core/search.h"
#include "core/sweeper.h"
#include "http/server.h"
#include "core/sendcode.h"
#include "core/wrapkey.h"
#include "vault/kdf.h"
#include "vault/secbuf.h"

enum command {
    CMD_NONE, CMD_DEMO, CMD_INIT, CMD_START, CMD_HELP, CMD_VERSION, CMD_AUDIT_VERIFY,
    CMD_WRAP_RECOVER, CMD_WRAP_ROTATE
};

struct args {
    enum command cmd;
    const char *db;
    const char *conf;
    const char *host;
    const char *store;
    int port;
    int wrapped;        /* -init -wrapped */
};

static void
usage(FILE *f)
{
    fprintf(f,
"Usage: databunker COMMAND [OPTIONS]\n"
"\n"
"A vault for personal records: encrypts them, indexes them by blind hashes,\n"
"and answers the Databunker /v1 REST and /v2 RPC APIs.\n"
"\n"
"Commands:\n"
"  demo            Start a demo vault: SQLite file data/demo.db, root token DEMO,\n"
"                  port 3000. The demo key is kept in data/demo.key unless\n"
"                  DATABUNKER_MASTERKEY is set. Not for production.\n"
"  -init           Create the schema and the keys, print generated secrets once.\n"
"                  With a wrapping key (DATABUNKER_WRAPPINGKEY, or -wrapped) the\n"
"                  master key is stored only wrapped, and the wrapping key's 5\n"
"                  Shamir shares (any 3 rebuild it) are printed once.\n"
"  -start          Serve an initialized vault.\n"
"  audit-verify    Check the audit trail offline (server stopped or not): every\n"
"                  hash chain and its signed head. Names the first broken link;\n"
"                  exit 0 when intact, 1 when broken, 2 when it cannot be read.\n"
"  wrapping-key-recover\n"
"                  Read 3 of the 5 wrapping key shares from stdin, one per line,\n"
"                  and print the wrapping key. With -db (or -store/-conf) the key\n"
"                  is checked first: it must open that vault's master key.\n"
"  rotate-wrapping-key\n"
"                  Rewrap the master key under a new wrapping key (from\n"
"                  DATABUNKER_NEW_WRAPPINGKEY, else generated) in one transaction\n"
"                  and print its 5 shares. Needs the current key in\n"
"                  DATABUNKER_WRAPPINGKEY, or, to start wrapping a vault whose\n"
"                  master key is given directly, DATABUNKER_MASTERKEY. Restart the\n"
"                  servers with the new key; the old key and shares stop working.\n"
"  -h, --help      This text.   -version   Print the version.\n"
"\n"
"Options:\n"
"  -db NAME        SQLite: a path, or a name stored as data/NAME.db (default\n"
"                  data/databunker.db). PostgreSQL and MariaDB: the database\n"
"                  name (default databunker); the database must exist.\n"
"  -store TYPE     Storage backend: sqlite, pgsql or mysql (overrides the\n"
"                  config key database.type). Default: pgsql when PGSQL_HOST\n"
"                  is set, else mysql when MYSQL_HOST is set, else sqlite.\n"
"  -conf FILE      YAML configuration (see databunker.yaml in the sources).\n"
"  -host ADDR      Listen address (overrides server.host).\n"
"  -port N         Listen port (overrides server.port).\n"
"  -wrapped        With -init: keep the master key only wrapped, under a new\n"
"                  wrapping key printed once when DATABUNKER_WRAPPINGKEY is unset.\n"
"\n"
"Environment:\n"
"  DATABUNKER_MASTERKEY    master key, 48 or 64 hex digits. -init generates one\n"
"                          when unset and prints it.\n"
"  DATABUNKER_WRAPPINGKEY  64 hex digits. When set at -init, the master key is\n"
"                          stored wrapped by it, and -start needs only this key.\n"
"  DATABUNKER_NEW_WRAPPINGKEY\n"
"                          the key rotate-wrapping-key moves to (else generated).\n"
"  DATABUNKER_ROOTTOKEN    root access token to set at -init (else generated).\n"
"  PGSQL_HOST, PGSQL_PORT, PGSQL_USER_NAME, PGSQL_USER_PASS\n"
"                          PostgreSQL server and account (backend pgsql).\n"
"  MYSQL_HOST, MYSQL_PORT, MYSQL_USER_NAME, MYSQL_USER_PASS\n"
"                          MySQL/MariaDB server and account (backend mysql).\n"
"                          TLS to either: config database.sslmode (disable,\n"
"                          prefer, require, verify-ca, verify-full), ssl_ca,\n"
"                          ssl_cert, ssl_key.\n"
"  BUNKER_HOST, BUNKER_PORT, DATABUNKER_DB_PATH, DATABUNKER_LOG_LEVEL\n"
"                          override the configuration file.\n"
"\n"
"Requests authenticate with the header X-Bunker-Token. Example:\n"
"  curl -s http://localhost:3000/v1/user -X POST -H 'X-Bunker-Token: DEMO' \\\n"
"    -H 'Content-Type: application/json' -d '{\"login\":\"john\",\"email\":\"user@gmail.com\"}'\n");
}

static int
parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(s, "demo") == 0 || strcmp(s, "-demo") == 0) {
            a->cmd = CMD_DEMO;
        } else if (strcmp(s, "-init") == 0 || strcmp(s, "--init") == 0) {
            a->cmd = CMD_INIT;
        } else if (strcmp(s, "-start") == 0 || strcmp(s, "--start") == 0) {
            a->cmd = CMD_START;
        } else if (strcmp(s, "audit-verify") == 0 || strcmp(s, "-audit-verify") == 0) {
            a->cmd = CMD_AUDIT_VERIFY;
        } else if (strcmp(s, "wrapping-key-recover") == 0) {
            a->cmd = CMD_WRAP_RECOVER;
        } else if (strcmp(s, "rotate-wrapping-key") == 0) {
            a->cmd = CMD_WRAP_ROTATE;
        } else if (strcmp(s, "-wrapped") == 0 || strcmp(s, "--wrapped") == 0) {
            a->wrapped = 1;
        } else if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0 || strcmp(s, "-help") == 0) {
            a->cmd = CMD_HELP;
        } else if (strcmp(s, "-version") == 0 || strcmp(s, "--version") == 0) {
            a->cmd = CMD_VERSION;
        } else if ((strcmp(s, "-db") == 0 || strcmp(s, "-conf") == 0 || strcmp(s, "-host") == 0 ||
                    strcmp(s, "-port") == 0 || strcmp(s, "-store") == 0) && next != NULL) {
            if (strcmp(s, "-store") == 0) {
                a->store = next;
            } else if (strcmp(s, "-db") == 0) {
                a->db = next;
            } else if (strcmp(s, "-conf") == 0) {
                a->conf = next;
            } else if (strcmp(s, "-host") == 0) {
                a->host = next;
            } else {
                char *end = NULL;
                long p;

                errno = 0;
                p = strtol(next, &end, 10);
                if (errno != 0 || end == next || *end != '\0' || p <= 0 || p > 65535) {
                    fprintf(stderr, "databunker: bad port: %s\n", next);
                    return -1;
                }
                a->port = (int)p;
            }
            i++;
        } else {
            fprintf(stderr, "databunker: unknown argument: %s (try --help)\n", s);
            return -1;
        }
    }
    if (a->wrapped && a->cmd != CMD_INIT) {
        fprintf(stderr, "databunker: -wrapped goes with -init\n");
        return -1;
    }
    return 0;
}

/* The backend: -store, else database.type, else by which server env is set. */
static const char *
store_name(const struct args *a, const struct conf *c)
{
    const char *pg = getenv("PGSQL_HOST"), *my = getenv("MYSQL_HOST");

    if (a->store != NULL)
        return a->store;
    if (c->db_type != NULL)
        return c->db_type;
    if (pg != NULL && *pg != '\0')
        return "pgsql";
    if (my != NULL && *my != '\0')
        return "mysql";
    return "sqlite";
}

static const char *
env_or_null(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && *v != '\0' ? v : NULL;
}

/* Connection settings of a database server backend from its environment. */
static void
server_conf(const char *backend, const struct args *a, const struct conf *c,
            struct store_conf *sc)
{
    int pg = strcmp(backend, "pgsql") == 0;

    sc->host = env_or_null(pg ? "PGSQL_HOST" : "MYSQL_HOST");
    sc->port = env_or_null(pg ? "PGSQL_PORT" : "MYSQL_PORT");
    sc->user = env_or_null(pg ? "PGSQL_USER_NAME" : "MYSQL_USER_NAME");
    sc->password = env_or_null(pg ? "PGSQL_USER_PASS" : "MYSQL_USER_PASS");
    sc->dbname = a->db ? a->db : "databunker";
    sc->sslmode = c->db_sslmode;
    sc->ssl_ca = c->db_ssl_ca;
    sc->ssl_cert = c->db_ssl_cert;
    sc->ssl_key = c->db_ssl_key;
}

/* The SQLite path for -db NAME: a path as given, or data/NAME.db. */
static char *
db_path(const struct args *a, const struct conf *c)
{
    char buf[4096];
    const char *name = a->db;

    if (name == NULL && c->db_path != NULL)
        return mem_strdup(c->db_path);
    if (name == NULL)
        name = a->cmd == CMD_DEMO ? "demo" : "databunker";
    if (strchr(name, '/') != NULL || strstr(name, ".db") != NULL)
        return mem_strdup(name);
    if ((size_t)snprintf(buf, sizeof buf, "data/%s.db", name) >= sizeof buf)
        return NULL;
    return mem_strdup(buf);
}

static int
ensure_parent_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n;

    if (slash == NULL)
        return 0;
    n = (size_t)(slash - path);
    if (n == 0 || n >= sizeof dir)
        return 0;
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "databunker: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Demo key material: from the environment, or kept beside the demo database. */
static int
demo_key(const char *dbpath, char out[65])
{
    char keypath[4200];
    FILE *f;
    const char *env = getenv("DATABUNKER_MASTERKEY");
    uint8_t raw[24];

    if (env != NULL) {
        snprintf(out, 65, "%s", env);
        return 0;
    }
    snprintf(keypath, sizeof keypath, "%s.key", dbpath);
    f = fopen(keypath, "r");
    if (f != NULL) {
        size_t n = fread(out, 1, 64, f);
        fclose(f);
        while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
            n--;
        out[n] = '\0';
        return 0;
    }
    if (kdf_random(raw, sizeof raw) != BK_OK)
        return -1;
    hex_encode(raw, sizeof raw, out);
    secbuf_wipe(raw, sizeof raw);
    umask(077);
    f = fopen(keypath, "w");
    if (f == NULL || fprintf(f, "%s\n", out) < 0 || fclose(f) != 0) {
        fprintf(stderr, "databunker: cannot write %s\n", keypath);
        return -1;
    }
    return 0;
}

/* SQLite: open the read journal (core/journal.h) beside the database and
 * import what an earlier run left in it. Held by another process (a second
 * server on the same file): reads' events go through the audit queue, and
 * audit-verify checks the table as it stands. */
static int
open_journal(struct app *app, const struct conf *conf, const char *dbpath,
             const struct args *a)
{
    struct journal *j = NULL;
    enum bk_err err = journal_open(dbpath, conf->lazy_sync_ms, conf->journal_import_ms, &j);

    if (err == BK_ECONFLICT) {
        if (a->cmd == CMD_AUDIT_VERIFY)
            fprintf(stderr, "databunker: a running server holds the read journal: the events "
                            "it has not imported yet are not checked\n");
        else
            LOG_WARN(NULL, "main", "another process holds the read journal of %s: reads' "
                     "audit events are written one transaction at a time", dbpath);
        return 0;
    }
    if (err == BK_OK)
        err = journal_import(j, app);
    if (err != BK_OK) {
        fprintf(stderr, "databunker: cannot %s the read journal of %s (%s.journal*): %s\n",
                j == NULL ? "open" : "import", dbpath, dbpath, bk_err_str(err));
        journal_close(j);
        return -1;
    }
    if (a->cmd == CMD_AUDIT_VERIFY) {
        journal_close(j);
        return 0;
    }
    journal_set_backlog(j, conf->journal_backlog);
    app->journal = j;
    return 0;
}

/* Open the erasure ledger (erasure.ledger_path, else <db>.erasures) and
 * forget again whoever a restored database brought back. */
static int
open_ledger(struct app *app, const struct conf *conf, const char *dbpath)
{
    char buf[4200];
    const char *lp = conf->erasure_ledger;
    size_t n = 0;
    enum bk_err err;

    if (lp == NULL) {
        if ((size_t)snprintf(buf, sizeof buf, "%s.erasures", dbpath) >= sizeof buf)
            return -1;
        lp = buf;
    }
    err = ledger_open(lp, &app->vault, &app->ledger);
    if (err == BK_ECORRUPT) {
        fprintf(stderr, "databunker: the erasure ledger %s does not verify under this "
                        "vault's key (altered, or another vault's): refusing to start\n", lp);
        return -1;
    }
    if (err != BK_OK) {
        fprintf(stderr, "databunker: cannot open the erasure ledger %s: %s\n", lp,
                bk_err_str(err));
        return -1;
    }
    err = erasure_replay(app, &n);
    if (err != BK_OK) {
        fprintf(stderr, "databunker: cannot re-apply the erasure ledger: %s\n",
                bk_err_str(err));
        return -1;
    }
    LOG_INFO(NULL, "main", "erasure ledger: %zu entries, %zu re-applied",
             ledger_count(app->ledger), n);
    return 0;
}

static int
audit_verify(const struct app *app)
{
    struct auditverify_report rep;
    enum bk_err err = auditverify_run(app, &rep);

    if (err != BK_OK) {
        fprintf(stderr, "databunker: cannot read the audit trail: %s\n", bk_err_str(err));
        return 2;
    }
    if (rep.broken) {
        printf("audit trail BROKEN: %s\n", rep.msg);
        return 1;
    }
    printf("audit trail intact: %lld events in %lld tenant chains, signed heads verified\n",
           (long long)rep.events, (long long)rep.tenants);
    return 0;
}

/* 1 when <s> is 64 hex digits, the form of a wrapping key. */
static int
hex64_ok(const char *s)
{
    uint8_t raw[32];
    size_t n = 0;
    int ok = s != NULL && strlen(s) == 64 && hex_decode(s, 64, raw, sizeof raw, &n) == BK_OK;

    secbuf_wipe(raw, sizeof raw);
    return ok;
}

#define SHARE_LINE_MAX 512

/* The first WRAPKEY_THRESHOLD non-blank lines of stdin. 0 on success. */
static int
read_shares(char lines[WRAPKEY_THRESHOLD][SHARE_LINE_MAX], size_t lens[WRAPKEY_THRESHOLD])
{
    char buf[SHARE_LINE_MAX];
    size_t got = 0;
    int rc = 0;

    if (isatty(STDIN_FILENO))
        fprintf(stderr, "Enter %d of the %d wrapping key shares, one per line:\n",
                WRAPKEY_THRESHOLD, WRAPKEY_SHARES);
    while (got < WRAPKEY_THRESHOLD && fgets(buf, sizeof buf, stdin) != NULL) {
        size_t n = strlen(buf), k = 0;

        if (n == sizeof buf - 1 && buf[n - 1] != '\n') {
            fprintf(stderr, "databunker: share %zu: line too long for a key share\n", got + 1);
            rc = -1;
            break;
        }
        while (k < n && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r' || buf[k] == '\n'))
            k++;
        if (k == n)
            continue;
        memcpy(lines[got], buf, n + 1);
        lens[got++] = n;
    }
    if (rc == 0 && got < WRAPKEY_THRESHOLD) {
        fprintf(stderr, "databunker: %zu share%s read: %d are needed, one per line\n", got,
                got == 1 ? "" : "s", WRAPKEY_THRESHOLD);
        rc = -1;
    }
    secbuf_wipe(buf, sizeof buf);
    return rc;
}

/* wrapping-key-recover: the key from 3 shares on stdin, checked against the
 * vault behind <store> when it is not NULL. */
static int
recover_cmd(struct store *store, const char *path)
{
    char lines[WRAPKEY_THRESHOLD][SHARE_LINE_MAX], key[WRAPKEY_HEX_LEN + 1];
    const char *texts[WRAPKEY_THRESHOLD];
    size_t lens[WRAPKEY_THRESHOLD];
    struct store_conn c = { 0 };
    struct wrapkey_report rep;
    uint8_t *box = NULL;
    size_t box_len = 0;
    int rc = 1;
    enum bk_err err;

    if (read_shares(lines, lens) != 0)
        goto out;
    for (int i = 0; i < WRAPKEY_THRESHOLD; i++)
        texts[i] = lines[i];
    if (store != NULL) {
        err = store_acquire(store, &c);
        if (err == BK_OK)
            err = wrapkey_box_get(&c, &box, &box_len);
        if (err == BK_ENOTFOUND) {
            fprintf(stderr, "databunker: %s keeps no wrapped master key (not initialized, or "
                            "its master key is given directly): nothing to check against\n",
                    path);
            goto out;
        }
        if (err != BK_OK) {
            fprintf(stderr, "databunker: cannot read %s: %s\n", path, bk_err_str(err));
            goto out;
        }
    }
    err = wrapkey_combine(texts, lens, WRAPKEY_THRESHOLD, box, box_len, key, &rep);
    if (err == BK_EINVAL && rep.index >= 0) {
        fprintf(stderr, "databunker: share %d: %s\n", rep.index + 1, rep.why);
        goto out;
    }
    if (err == BK_EINVAL) {
        fprintf(stderr, "databunker: %s\n", rep.why);
        goto out;
    }
    if (err != BK_OK) {
        fprintf(stderr, "databunker: cannot combine the shares: %s\n", bk_err_str(err));
        goto out;
    }
    printf("%s\n", key);
    fflush(stdout);
    if (store != NULL)
        fprintf(stderr, "databunker: checked: this key opens the master key of %s\n", path);
    else
        fprintf(stderr, "databunker: not checked against a vault (give -db, with -store or "
                        "-conf as needed, to check)\n");
    rc = 0;
out:
    secbuf_wipe(lines, sizeof lines);
    secbuf_wipe(key, sizeof key);
    mem_free(box);
    store_release(&c);
    return rc;
}

/* rotate-wrapping-key: rewrap the master key of the vault in <app> under a
 * new wrapping key and print its shares. */
static int
rotate_cmd(struct app *app, const char *path)
{
    struct wrapkey_rotation r = {
        .wrapping_hex = env_or_null("DATABUNKER_WRAPPINGKEY"),
        .master_hex = env_or_null("DATABUNKER_MASTERKEY"),
    };
    const char *given = env_or_null("DATABUNKER_NEW_WRAPPINGKEY"), *why = NULL;
    char newhex[WRAPKEY_HEX_LEN + 1] = "";
    struct wrapkey_shares shares;
    int rc = 1;
    enum bk_err err;

    memset(&shares, 0, sizeof shares);
    if (given != NULL && !hex64_ok(given)) {
        fprintf(stderr, "databunker: DATABUNKER_NEW_WRAPPINGKEY must be 64 hex digits\n");
        goto out;
    }
    if (given != NULL)
        memcpy(newhex, given, sizeof newhex);
    else if (wrapkey_new(newhex) != BK_OK)
        goto out;
    /* Shares first: the key is never changed without them in hand. */
    if (wrapkey_split(newhex, &shares) != BK_OK)
        goto out;
    r.new_hex = newhex;
    err = wrapkey_rotate(app, &r, &why);
    if (err != BK_OK) {
        fprintf(stderr, "databunker: cannot rotate the wrapping key of %s: %s\n", path,
                why != NULL ? why : bk_err_str(err));
        goto out;
    }
    printf("The master key of %s is now wrapped by the new wrapping key.\n", path);
    if (given == NULL)
        printf("New wrapping key: %s\n", newhex);
    wrapkey_shares_print(stdout, &shares);
    printf("Restart every server of this vault with DATABUNKER_WRAPPINGKEY set to the new key: "
           "the old key and its shares no longer open it.\n");
    fflush(stdout);
    rc = 0;
out:
    secbuf_wipe(newhex, sizeof newhex);
    wrapkey_shares_wipe(&shares);
    return rc;
}

static int
serve(struct app *app, const struct conf *conf, const struct args *a)
{
    struct http_conf hc = {
        .host = a->host ? a->host : conf->host,
        .port = a->port ? a->port : conf->port,
        .threads = conf->threads,
        .thread_per_connection = conf->thread_per_connection,
        .cert_path = conf->ssl_certificate,
        .key_path = conf->ssl_certificate_key,
        .timeout_s = conf->connection_timeout_s,
        .max_connections = conf->max_connections,
        .per_ip_connections = conf->per_ip_connection_limit,
        .rate_ip_per_s = conf->ratelimit_ip_per_s,
        .rate_ip_burst = conf->ratelimit_ip_burst,
        .rate_token_per_s = conf->ratelimit_token_per_s,
        .rate_token_burst = conf->ratelimit_token_burst,
    };
    struct http_server *srv = NULL;
    struct sweeper *sw = NULL;
    sigset_t set;
    int sig = 0;
    enum bk_err err;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    err = sweeper_start(app, conf->sweep_interval_ms, &sw);
    if (err != BK_OK) {
        LOG_ERR(NULL, "main", "cannot start the sweeper: %s", bk_err_str(err));
        return 1;
    }
    if (app->journal != NULL && journal_start(app->journal, app) != BK_OK) {
        LOG_ERR(NULL, "main", "cannot start the journal's importer");
        sweeper_stop(sw);
        return 1;
    }
    err = search_merger_start(app, &app->merger);
    if (err != BK_OK) {
        LOG_ERR(NULL, "main", "cannot start the search merger: %s", bk_err_str(err));
        journal_stop(app->journal);
        sweeper_stop(sw);
        return 1;
    }
    err = http_server_start(app, &hc, &srv);
    if (err != BK_OK) {
        LOG_ERR(NULL, "main", "cannot listen on %s:%d: %s", hc.host ? hc.host : "*", hc.port,
                bk_err_str(err));
        search_merger_stop(app->merger);
        app->merger = NULL;
        journal_stop(app->journal);
        sweeper_stop(sw);
        return 1;
    }
    LOG_INFO(NULL, "main", "Databunker listening on %s://%s:%d/",
             hc.cert_path && hc.key_path ? "https" : "http",
             hc.host && strcmp(hc.host, "0.0.0.0") != 0 ? hc.host : "localhost", hc.port);
    sigwait(&set, &sig);
    LOG_INFO(NULL, "main", "signal %d: stopping", sig);
    http_server_stop(srv);
    search_merger_stop(app->merger);
    app->merger = NULL;
    journal_stop(app->journal);
    sweeper_stop(sw);
    return 0;
}

int
main(int argc, char **argv)
{
    struct args a;
    struct conf conf;
    struct app app;
    struct bootstrap_keys keys;
    struct store_conf sc;
    char errbuf[256] = "", demo_hex[65] = "";
    char *path = NULL;
    const char *backend;
    int rc = 1;
    enum bk_err err;

    json_set_alloc_funcs(mem_alloc, mem_free);
    if (sendcode_global_init() != BK_OK) {
        fprintf(stderr, "databunker: cannot initialize libcurl\n");
        return 1;
    }
    if (parse_args(argc, argv, &a) != 0)
        return 2;
    if (a.cmd == CMD_HELP || a.cmd == CMD_NONE) {
        usage(a.cmd == CMD_HELP ? stdout : stderr);
        return a.cmd == CMD_HELP ? 0 : 2;
    }
    if (a.cmd == CMD_VERSION) {
        printf("databunker %s\n", DATABUNKER_VERSION);
        return 0;
    }
    if (a.cmd == CMD_AUDIT_VERIFY)
        rc = 2;     /* 1 means "broken" there: a failure to read is another answer */
    memset(&app, 0, sizeof app);
    if (conf_defaults(&conf) != BK_OK) {
        fprintf(stderr, "databunker: out of memory\n");
        return 1;
    }
    if (a.conf != NULL && conf_load_file(&conf, a.conf, errbuf, sizeof errbuf) != BK_OK) {
        fprintf(stderr, "databunker: %s: %s\n", a.conf, errbuf);
        goto out;
    }
    if (conf_load_env(&conf, errbuf, sizeof errbuf) != BK_OK) {
        fprintf(stderr, "databunker: %s\n", errbuf);
        goto out;
    }
    if (conf.log_level != NULL)
        log_set_level(conf.log_level);
    app.conf = &conf;
    if (a.cmd == CMD_WRAP_RECOVER && a.db == NULL && a.conf == NULL && a.store == NULL) {
        rc = recover_cmd(NULL, NULL);
        goto out;
    }
    memset(&sc, 0, sizeof sc);
    backend = store_name(&a, &conf);
    if (strcmp(backend, "sqlite") == 0) {
        struct stat st;

        path = db_path(&a, &conf);
        if (path == NULL || ensure_parent_dir(path) != 0)
            goto out;
        if ((a.cmd == CMD_WRAP_RECOVER || a.cmd == CMD_WRAP_ROTATE) && stat(path, &st) != 0) {
            fprintf(stderr, "databunker: no database at %s\n", path);
            goto out;
        }
        sc.path = path;
    } else if (strcmp(backend, "pgsql") == 0 || strcmp(backend, "mysql") == 0) {
        if (a.cmd == CMD_DEMO) {
            fprintf(stderr, "databunker: demo runs on SQLite only\n");
            goto out;
        }
        server_conf(backend, &a, &conf, &sc);
        path = mem_strdup(sc.dbname);
        if (path == NULL)
            goto out;
    } else {
        fprintf(stderr, "databunker: unknown storage backend %s: use sqlite, pgsql or mysql\n",
                backend);
        goto out;
    }
    /* One connection per worker, one for the background sweeper, one for the
     * read journal's importer, one for the search merger. */
    sc.pool_size = conf.threads + 3;
    sc.lazy_sync_ms = conf.lazy_sync_ms;
    err = store_open(backend, &sc, &app.store);
    if (err != BK_OK) {
        fprintf(stderr, "databunker: cannot open %s database %s: %s\n", backend, path,
                bk_err_str(err));
        goto out;
    }
    if (a.cmd == CMD_WRAP_RECOVER) {
        rc = recover_cmd(&app.store, path);
        goto out;
    }
    if (a.cmd == CMD_WRAP_ROTATE) {
        rc = rotate_cmd(&app, path);
        goto out;
    }
    keys.master_hex = getenv("DATABUNKER_MASTERKEY");
    keys.wrapping_hex = getenv("DATABUNKER_WRAPPINGKEY");
    keys.root_token = getenv("DATABUNKER_ROOTTOKEN");
    keys.wrapped = a.wrapped;
    if (a.cmd == CMD_INIT && keys.wrapping_hex != NULL && !hex64_ok(keys.wrapping_hex)) {
        fprintf(stderr, "databunker: DATABUNKER_WRAPPINGKEY must be 64 hex digits\n");
        goto out;
    }
    if (a.cmd == CMD_DEMO) {
        conf.demo = 1;
        if (demo_key(path, demo_hex) != 0)
            goto out;
        keys.master_hex = demo_hex;
        keys.wrapping_hex = NULL;
        keys.root_token = "DEMO";
        err = bootstrap_open(&app, &keys);
        if (err == BK_ENOTFOUND)
            err = bootstrap_init(&app, &keys, stdout);
    } else if (a.cmd == CMD_INIT) {
        err = bootstrap_init(&app, &keys, stdout);
        if (err == BK_ECONFLICT) {
            fprintf(stderr, "databunker: %s is already initialized\n", path);
            goto out;
        }
    } else {
        err = bootstrap_open(&app, &keys);
        if (err == BK_ENOTFOUND) {
            fprintf(stderr, "databunker: %s is not initialized: run databunker -init first\n",
                    path);
            goto out;
        }
    }
    if ((err == BK_EAUTH || err == BK_EINVAL) && keys.wrapping_hex != NULL) {
        fprintf(stderr, "databunker: DATABUNKER_WRAPPINGKEY does not open this vault's master "
                        "key: a wrong key, one replaced by rotate-wrapping-key, or a vault "
                        "whose master key is given directly (DATABUNKER_MASTERKEY). Lost it? "
                        "Rebuild it from 3 shares: databunker wrapping-key-recover\n");
        goto out;
    }
    if (err == BK_EAUTH || err == BK_EINVAL) {
        fprintf(stderr, "databunker: wrong or missing master key: set DATABUNKER_MASTERKEY "
                        "(or DATABUNKER_WRAPPINGKEY) to the key this database was "
                        "initialized with\n");
        goto out;
    }
    if (err != BK_OK) {
        fprintf(stderr, "databunker: cannot open the vault: %s\n", bk_err_str(err));
        goto out;
    }
    if (a.cmd == CMD_INIT) {
        fprintf(stdout, "Database %s initialized.\n", path);
        fflush(stdout);
        rc = 0;
        goto out;
    }
    if (strcmp(backend, "sqlite") == 0 && open_journal(&app, &conf, path, &a) != 0)
        goto out;
    if (a.cmd == CMD_AUDIT_VERIFY) {
        rc = audit_verify(&app);
        goto out;
    }
    if (open_ledger(&app, &conf, path) != 0)
        goto out;
    if (audit_queue_new(&app.audit_queue) != BK_OK)
        goto out;
    if (a.cmd == CMD_DEMO)
        LOG_INFO(NULL, "main", "demo mode: root token DEMO, database %s", path);
    rc = serve(&app, &conf, &a);
out:
    secbuf_wipe(demo_hex, sizeof demo_hex);
    journal_close(app.journal);
    ledger_close(app.ledger);
    audit_queue_free(app.audit_queue);
    keys_wipe(&app.vault);
    kdf_hmac_forget();          /* its keyed templates hold the vault's keys too */
    store_close(&app.store);
    mem_free(path);
    conf_cleanup(&conf);
    return rc;
}
