/* The server's configuration: defaults, then databunker.yaml, then the
 * environment. Read once at start-up; read-only afterwards, so every worker
 * may share one struct conf without locks. */
#ifndef BK_CONF_H
#define BK_CONF_H

#include <stddef.h>

#include "../base/err.h"

struct conf {
    /* server: */
    char *host;                       /* server.host, env BUNKER_HOST; default "0.0.0.0" */
    int port;                         /* server.port, env BUNKER_PORT; default 3000 */
    unsigned threads;                 /* server.threads; default 8 per core */
    /* generic: */
    int create_user_without_access_token; /* generic.create_user_without_access_token */
    char *default_country;            /* generic.default_country, digits, may be NULL */
    unsigned sweep_interval_ms;       /* generic.sweep_interval_ms: how often expired data is
                                         removed; default 1000 */
    /* policy: retention periods as given ("1m", "30d"); NULL when unset */
    char *max_audit_retention_period;
    char *max_session_retention_period;
    char *max_shareable_record_retention_period;
    /* versioning: kept versions of user records (off by default) */
    int versioning_enabled;           /* versioning.enabled */
    unsigned max_versions;            /* versioning.max_versions; 0: no limit */
    char *max_version_retention_period; /* versioning.max_version_retention_period, e.g. "1m";
                                           NULL: no limit */


    /* bulk: listing many records needs an unlock id (BulkListUnlock) */
    int bulk_enabled;                 /* bulk.enabled; default true */
    unsigned bulk_unlock_ttl_s;       /* bulk.unlock_ttl_seconds: how long an unlock id
                                         lives; default 60 */
    /* ssl: */
    char *ssl_certificate;            /* ssl.ssl_certificate */
    char *ssl_certificate_key;        /* ssl.ssl_certificate_key */
    /* limits (section "limits"): */
    size_t body_max_bytes;            /* limits.body_max_bytes; default 1 MiB */
    size_t bulk_body_max_bytes;       /* limits.bulk_body_max_bytes; default 64 MiB */
    unsigned json_max_depth;          /* limits.json_max_depth; default 32 */
    unsigned json_max_fields;         /* limits.json_max_fields; default 10000 */
    unsigned bulk_json_max_fields;    /* limits.bulk_json_max_fields: the same for bulk routes;
                                         default 2000000 */
    /* metrics (GET /metrics; /v1/metrics always takes the root token): */
    char *metrics_token;              /* metrics.token: a bearer token for scrapers, or NULL */
    char *metrics_allow;              /* metrics.allow: comma-separated client IPs let in
                                         without a token, or NULL */
    /* database: */
    char *db_path;                    /* SQLite file; env DATABUNKER_DB_PATH */
    char *db_type;                    /* database.type: sqlite|pgsql|mysql; NULL: chosen by
                                         which of PGSQL_HOST / MYSQL_HOST is set */
    char *db_sslmode;                 /* database.sslmode: disable|prefer|require|verify-ca|
                                         verify-full; NULL: the client library's default */
    char *db_ssl_ca;                  /* database.ssl_ca: CA bundle (PEM) to verify the server */
    char *db_ssl_cert;                /* database.ssl_cert: client certificate (PEM) */
    char *db_ssl_key;                 /* database.ssl_key: client key (PEM) */
    unsigned lazy_sync_ms;            /* database.lazy_sync_ms: SQLite: the audit events of
                                       * reads reach the disk within this many ms (0: before
                                       * the answer, like every write) */
    unsigned journal_import_ms;       /* database.journal_import_ms: SQLite: reads' audit
                                       * events wait in the read journal at most about this
                                       * long before a batch imports them (default 100) */
    unsigned journal_backlog;         /* database.journal_backlog: SQLite: waiting read
                                         events past which reads wait for the importer */
    unsigned search_merge_users;      /* search.merge_users: pending postings are merged once
                                         this many users wait; default 512 */
    unsigned search_merge_after_ms;   /* search.merge_after_ms: ... or once the oldest waited
                                         this long; default 1000 */
    unsigned search_merge_batch_rows; /* search.merge_batch_rows: pending rows one merge
                                         transaction moves at most (the writer is free
                                         between two); default 8192 */
    char *log_level;                  /* log.level: error|warn|info|debug; default info */
    /* connection limits (section "server"): */
    unsigned connection_timeout_s;    /* server.connection_timeout_s: idle/slow client; 30 */
    unsigned max_connections;         /* server.max_connections; default 4096 */
    unsigned per_ip_connection_limit; /* server.per_ip_connection_limit; 0: none; default 256 */
    int thread_per_connection;        /* server.thread_per_connection: each connection its
                                         own thread (a write waiting for its commit holds
                                         up no one else); false: a pool of <threads>
                                         workers; default true */
    /* rate limits (section "ratelimit"), token buckets kept per process, so
     * per instance when several run; 0 switches a limit off (the default): */
    unsigned ratelimit_ip_per_s;      /* ratelimit.per_ip_per_second */
    unsigned ratelimit_ip_burst;      /* ratelimit.per_ip_burst; 0: twice the rate */
    unsigned ratelimit_token_per_s;   /* ratelimit.per_token_per_second */
    unsigned ratelimit_token_burst;   /* ratelimit.per_token_burst; 0: twice the rate */
    /* erasure ledger (section "erasure"): */
    char *erasure_ledger;             /* erasure.ledger_path; default <database>.erasures */




    /* ui: company branding for the built-in web UI (the released server's keys);
     * NULL when unset */
    struct {
        char *logo_link;
        char *company_title;
        char *company_vat;
        char *company_city;
        char *company_link;
        char *company_country;
        char *company_address;
        char *term_of_service_title;
        char *term_of_service_link;
        char *privacy_policy_title;
        char *privacy_policy_link;
        char *custom_css_link;
    } ui;
    /* smtp: where one-time login codes go by email; no server: email codes
     * cannot be sent (logged as a warning) */
    struct {
        char *server;
        int port;                     /* default 25; 465 means implicit TLS */
        char *user;
        char *pass;
        char *sender;
        int require_tls;              /* refuse to send without STARTTLS/TLS */
    } smtp;
    /* sms: an HTTP gateway for one-time codes by SMS. {phone}, {code} and
     * {from} in url and body are replaced. */
    struct {
        char *url;
        char *from;
        char *body;
        char *token;                  /* sent as Authorization: Bearer */
        char *basic_auth;             /* "user:password" */
        char *content_type;           /* default application/json */
        char *custom_header;          /* one "Name: value" header */
    } sms;
    /* login: the end-user portal's one-time-code login */
    struct {
        int captcha;                  /* prelogin needs a solved captcha; default false */
        unsigned code_ttl_s;          /* a code lives this long; default 300 */
        unsigned session_ttl_s;       /* a portal session lives this long; default 3600 */
        unsigned max_attempts;        /* wrong codes before a code is void; default 5 */
        unsigned window_s;            /* rate-limit window; default 600 */
        unsigned max_per_identity;    /* prelogins and logins per identity per window; 10 */
        unsigned max_per_ip;          /* prelogins and logins per client IP per window; 60 */
    } login;
    int demo;                         /* set by `databunker demo`: demo login codes work */
};

/* Fill <c> with the defaults (allocating its strings). */
enum bk_err conf_defaults(struct conf *c);
/* Read the YAML file at <path> over <c>; unknown keys are ignored, a
 * malformed file or a value of the wrong type is BK_EINVAL with a message in
 * <errbuf> (of <errbuf_len> bytes) naming the line. */
enum bk_err conf_load_file(struct conf *c, const char *path, char *errbuf, size_t errbuf_len);
/* The same for YAML text <text> of <len> bytes held in memory (borrowed). */
enum bk_err conf_load_buffer(struct conf *c, const char *text, size_t len, char *errbuf,
                             size_t errbuf_len);
/* Apply environment overrides (BUNKER_HOST, BUNKER_PORT, DATABUNKER_DB_PATH,
 * DATABUNKER_LOG_LEVEL, DATABUNKER_CREATE_USER_WITHOUT_TOKEN) over <c>.
 * BK_EINVAL for a value that does not parse. */
enum bk_err conf_load_env(struct conf *c, char *errbuf, size_t errbuf_len);
/* Free the strings <c> holds. */
void conf_cleanup(struct conf *c);

#endif
