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
    unsigned threads;                 /* server.threads; default: number of cores */
    /* generic: */
    int create_user_without_access_token; /* generic.create_user_without_access_token */
    char *default_country;            /* generic.default_country, digits, may be NULL */
    unsigned sweep_interval_ms;       /* generic.sweep_interval_ms: how often expired data is
                                         removed; default 1000 */
    /* policy: retention periods as given ("1m", "30d"); NULL when unset */
    char *max_audit_retention_period;
    char *max_session_retention_period;
    char *max_shareable_record_retention_period;
    /* ssl: */
    char *ssl_certificate;            /* ssl.ssl_certificate */
    char *ssl_certificate_key;        /* ssl.ssl_certificate_key */
    /* limits (section "limits"): */
    size_t body_max_bytes;            /* limits.body_max_bytes; default 1 MiB */
    size_t bulk_body_max_bytes;       /* limits.bulk_body_max_bytes; default 64 MiB */
    unsigned json_max_depth;          /* limits.json_max_depth; default 32 */
    unsigned json_max_fields;         /* limits.json_max_fields; default 10000 */
    /* database: */
    char *db_path;                    /* SQLite file; env DATABUNKER_DB_PATH */
    char *db_type;                    /* database.type: sqlite|pgsql|mysql; NULL: chosen by
                                         which of PGSQL_HOST / MYSQL_HOST is set */
    char *db_sslmode;                 /* database.sslmode: disable|prefer|require|verify-ca|
                                         verify-full; NULL: the client library's default */
    char *db_ssl_ca;                  /* database.ssl_ca: CA bundle (PEM) to verify the server */
    char *db_ssl_cert;                /* database.ssl_cert: client certificate (PEM) */
    char *db_ssl_key;                 /* database.ssl_key: client key (PEM) */
    char *log_level;                  /* log.level: error|warn|info|debug; default info */
    /* ui: branding for the web UI (TenantGetUIConf); NULL when unset */
    char *ui_logo_link;               /* ui.logo_link */
    char *ui_company_title;           /* ui.company_title */
    char *ui_company_vat;             /* ui.company_vat */
    char *ui_company_city;            /* ui.company_city */
    char *ui_company_link;            /* ui.company_link */
    char *ui_custom_css_link;         /* ui.custom_css_link */
    char *ui_privacy_policy_link;     /* ui.privacy_policy_link */
    char *ui_term_of_service_link;    /* ui.term_of_service_link */
    int ui_magic_lookup;              /* ui.magic_lookup: sign-in by email/phone link */
};

/* Fill <c> with the defaults (allocating its strings). */
enum bk_err conf_defaults(struct conf *c);
/* Read the YAML file at <path> over <c>; unknown keys are ignored, a
 * malformed file or a value of the wrong type is BK_EINVAL with a message in
 * <errbuf> (of <errbuf_len> bytes) naming the line. */
enum bk_err conf_load_file(struct conf *c, const char *path, char *errbuf, size_t errbuf_len);
/* Apply environment overrides (BUNKER_HOST, BUNKER_PORT, DATABUNKER_DB_PATH,
 * DATABUNKER_LOG_LEVEL, DATABUNKER_CREATE_USER_WITHOUT_TOKEN) over <c>.
 * BK_EINVAL for a value that does not parse. */
enum bk_err conf_load_env(struct conf *c, char *errbuf, size_t errbuf_len);
/* Free the strings <c> holds. */
void conf_cleanup(struct conf *c);

#endif
