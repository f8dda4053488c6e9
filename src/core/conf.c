/* Configuration: defaults, databunker.yaml (libyaml's document API) and the
 * environment. Each loader works on a copy and replaces <c> only when all of
 * its input is valid, so a failed load leaves the previous values in place.
 * Values are never echoed into messages: a config file may hold secrets. */
#include "conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "../base/mem.h"

#define THREADS_MAX 1024

enum vtype {
    V_STRING = 1,   /* required, non-empty */
    V_OPTSTRING,    /* null or "" leaves it unset (NULL) */
    V_COUNTRY,      /* optional, 1 to 3 digits */
    V_LEVEL,        /* error|warn|info|debug */
    V_PORT,         /* int 1..65535 */
    V_THREADS,      /* unsigned 0..THREADS_MAX, 0: the default (8 per core) */
    V_UINT,         /* unsigned 1..UINT_MAX */
    V_SIZE,         /* size_t 1..SIZE_MAX */
    V_BOOL,         /* true/false/yes/no */
    V_UINT0,        /* unsigned 0..UINT_MAX */
};

struct key {
    const char *section;
    const char *name;
    enum vtype type;
    size_t off;
};

static const struct key keys[] = {
    { "server", "host", V_STRING, offsetof(struct conf, host) },
    { "server", "port", V_PORT, offsetof(struct conf, port) },
    { "server", "threads", V_THREADS, offsetof(struct conf, threads) },
    { "generic", "create_user_without_access_token", V_BOOL,
      offsetof(struct conf, create_user_without_access_token) },
    { "generic", "default_country", V_COUNTRY, offsetof(struct conf, default_country) },
    { "generic", "sweep_interval_ms", V_UINT, offsetof(struct conf, sweep_interval_ms) },
    { "policy", "max_audit_retention_period", V_OPTSTRING,
      offsetof(struct conf, max_audit_retention_period) },
    { "policy", "max_session_retention_period", V_OPTSTRING,
      offsetof(struct conf, max_session_retention_period) },
    { "policy", "max_shareable_record_retention_period", V_OPTSTRING,
      offsetof(struct conf, max_shareable_record_retention_period) },
    { "versioning", "enabled", V_BOOL, offsetof(struct conf, versioning_enabled) },
    { "versioning", "max_versions", V_UINT, offsetof(struct conf, max_versions) },
    { "versioning", "max_version_retention_period", V_OPTSTRING,
      offsetof(struct conf, max_version_retention_period) },


    { "bulk", "enabled", V_BOOL, offsetof(struct conf, bulk_enabled) },
    { "bulk", "unlock_ttl_seconds", V_UINT, offsetof(struct conf, bulk_unlock_ttl_s) },
    { "ssl", "ssl_certificate", V_OPTSTRING, offsetof(struct conf, ssl_certificate) },
    { "ssl", "ssl_certificate_key", V_OPTSTRING, offsetof(struct conf, ssl_certificate_key) },
    { "limits", "body_max_bytes", V_SIZE, offsetof(struct conf, body_max_bytes) },
    { "limits", "bulk_body_max_bytes", V_SIZE, offsetof(struct conf, bulk_body_max_bytes) },
    { "limits", "json_max_depth", V_UINT, offsetof(struct conf, json_max_depth) },
    { "limits", "json_max_fields", V_UINT, offsetof(struct conf, json_max_fields) },
    { "limits", "bulk_json_max_fields", V_UINT, offsetof(struct conf, bulk_json_max_fields) },
    { "metrics", "token", V_OPTSTRING, offsetof(struct conf, metrics_token) },
    { "metrics", "allow", V_OPTSTRING, offsetof(struct conf, metrics_allow) },
    { "log", "level", V_LEVEL, offsetof(struct conf, log_level) },
    { "server", "connection_timeout_s", V_UINT, offsetof(struct conf, connection_timeout_s) },
    { "server", "max_connections", V_UINT, offsetof(struct conf, max_connections) },
    { "server", "thread_per_connection", V_BOOL, offsetof(struct conf, thread_per_connection) },
    { "server", "per_ip_connection_limit", V_UINT0,
      offsetof(struct conf, per_ip_connection_limit) },
    { "ratelimit", "per_ip_per_second", V_UINT0, offsetof(struct conf, ratelimit_ip_per_s) },
    { "ratelimit", "per_ip_burst", V_UINT0, offsetof(struct conf, ratelimit_ip_burst) },
    { "ratelimit", "per_token_per_second", V_UINT0,
      offsetof(struct conf, ratelimit_token_per_s) },
    { "ratelimit", "per_token_burst", V_UINT0, offsetof(struct conf, ratelimit_token_burst) },
    { "erasure", "ledger_path", V_OPTSTRING, offsetof(struct conf, erasure_ledger) },


    { "database", "type", V_OPTSTRING, offsetof(struct conf, db_type) },
    { "database", "sslmode", V_OPTSTRING, offsetof(struct conf, db_sslmode) },
    { "database", "ssl_ca", V_OPTSTRING, offsetof(struct conf, db_ssl_ca) },
    { "database", "ssl_cert", V_OPTSTRING, offsetof(struct conf, db_ssl_cert) },
    { "database", "ssl_key", V_OPTSTRING, offsetof(struct conf, db_ssl_key) },
    { "database", "lazy_sync_ms", V_UINT0, offsetof(struct conf, lazy_sync_ms) },
    { "database", "journal_import_ms", V_UINT0, offsetof(struct conf, journal_import_ms) },
    { "database", "journal_backlog", V_UINT0, offsetof(struct conf, journal_backlog) },
    { "search", "merge_users", V_UINT, offsetof(struct conf, search_merge_users) },
    { "search", "merge_after_ms", V_UINT, offsetof(struct conf, search_merge_after_ms) },
    { "search", "merge_batch_rows", V_UINT, offsetof(struct conf, search_merge_batch_rows) },


#define UI_KEY(k) { "ui", #k, V_OPTSTRING, offsetof(struct conf, ui.k) }
    UI_KEY(logo_link), UI_KEY(company_title), UI_KEY(company_vat), UI_KEY(company_city),
    UI_KEY(company_link), UI_KEY(company_country), UI_KEY(company_address),
    UI_KEY(term_of_service_title), UI_KEY(term_of_service_link), UI_KEY(privacy_policy_title),
    UI_KEY(privacy_policy_link), UI_KEY(custom_css_link),
#undef UI_KEY
    { "smtp", "server", V_OPTSTRING, offsetof(struct conf, smtp.server) },
    { "smtp", "port", V_PORT, offsetof(struct conf, smtp.port) },
    { "smtp", "user", V_OPTSTRING, offsetof(struct conf, smtp.user) },
    { "smtp", "pass", V_OPTSTRING, offsetof(struct conf, smtp.pass) },
    { "smtp", "sender", V_OPTSTRING, offsetof(struct conf, smtp.sender) },
    { "smtp", "require_tls", V_BOOL, offsetof(struct conf, smtp.require_tls) },
    { "sms", "url", V_OPTSTRING, offsetof(struct conf, sms.url) },
    { "sms", "from", V_OPTSTRING, offsetof(struct conf, sms.from) },
    { "sms", "body", V_OPTSTRING, offsetof(struct conf, sms.body) },
    { "sms", "token", V_OPTSTRING, offsetof(struct conf, sms.token) },
    { "sms", "basic_auth", V_OPTSTRING, offsetof(struct conf, sms.basic_auth) },
    { "sms", "content_type", V_OPTSTRING, offsetof(struct conf, sms.content_type) },
    { "sms", "custom_header", V_OPTSTRING, offsetof(struct conf, sms.custom_header) },
    { "login", "captcha", V_BOOL, offsetof(struct conf, login.captcha) },
    { "login", "code_ttl_s", V_UINT, offsetof(struct conf, login.code_ttl_s) },
    { "login", "session_ttl_s", V_UINT, offsetof(struct conf, login.session_ttl_s) },
    { "login", "max_attempts", V_UINT, offsetof(struct conf, login.max_attempts) },
    { "login", "window_s", V_UINT, offsetof(struct conf, login.window_s) },
    { "login", "max_per_identity", V_UINT, offsetof(struct conf, login.max_per_identity) },
    { "login", "max_per_ip", V_UINT, offsetof(struct conf, login.max_per_ip) },
};

/* Every string member, for copying and freeing. */
static const size_t string_members[] = {
    offsetof(struct conf, host),
    offsetof(struct conf, default_country),
    offsetof(struct conf, max_audit_retention_period),
    offsetof(struct conf, max_session_retention_period),
    offsetof(struct conf, max_shareable_record_retention_period),
    offsetof(struct conf, max_version_retention_period),
    offsetof(struct conf, ssl_certificate),
    offsetof(struct conf, ssl_certificate_key),
    offsetof(struct conf, db_path),
    offsetof(struct conf, log_level),
    offsetof(struct conf, metrics_token),
    offsetof(struct conf, metrics_allow),
    offsetof(struct conf, erasure_ledger),


    offsetof(struct conf, db_type),
    offsetof(struct conf, db_sslmode),
    offsetof(struct conf, db_ssl_ca),
    offsetof(struct conf, db_ssl_cert),
    offsetof(struct conf, db_ssl_key),


    offsetof(struct conf, ui.logo_link),
    offsetof(struct conf, ui.company_title),
    offsetof(struct conf, ui.company_vat),
    offsetof(struct conf, ui.company_city),
    offsetof(struct conf, ui.company_link),
    offsetof(struct conf, ui.company_country),
    offsetof(struct conf, ui.company_address),
    offsetof(struct conf, ui.term_of_service_title),
    offsetof(struct conf, ui.term_of_service_link),
    offsetof(struct conf, ui.privacy_policy_title),
    offsetof(struct conf, ui.privacy_policy_link),
    offsetof(struct conf, ui.custom_css_link),
    offsetof(struct conf, smtp.server),
    offsetof(struct conf, smtp.user),
    offsetof(struct conf, smtp.pass),
    offsetof(struct conf, smtp.sender),
    offsetof(struct conf, sms.url),
    offsetof(struct conf, sms.from),
    offsetof(struct conf, sms.body),
    offsetof(struct conf, sms.token),
    offsetof(struct conf, sms.basic_auth),
    offsetof(struct conf, sms.content_type),
    offsetof(struct conf, sms.custom_header),
};

#define NKEYS (sizeof keys / sizeof keys[0])
#define NSTRINGS (sizeof string_members / sizeof string_members[0])

static void *
member(struct conf *c, size_t off)
{
    return (char *)c + off;
}

static void
say(char *errbuf, size_t errbuf_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
say(char *errbuf, size_t errbuf_len, const char *fmt, ...)
{
    va_list ap;

    if (errbuf == NULL || errbuf_len == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errbuf_len, fmt, ap);
    va_end(ap);
}

/* The default worker count: 8 per core, at least 8. Workers spend most of a
 * write waiting for the group commit's fsync, so more of them than cores
 * lets one fsync carry many writes. */
static unsigned
default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        n = 1;
    n *= 8;
    return n > THREADS_MAX ? THREADS_MAX : (unsigned)n;
}

void
conf_cleanup(struct conf *c)
{
    for (size_t i = 0; i < NSTRINGS; i++) {
        char **s = member(c, string_members[i]);

        mem_free(*s);
        *s = NULL;
    }
}

enum bk_err
conf_defaults(struct conf *c)
{
    memset(c, 0, sizeof *c);
    c->port = 3000;
    c->threads = default_threads();
    c->create_user_without_access_token = 0;
    c->sweep_interval_ms = 1000;
    c->lazy_sync_ms = 200;
    c->journal_import_ms = 100;
    c->journal_backlog = 50000;
    c->search_merge_users = 512;
    c->search_merge_after_ms = 1000;
    c->search_merge_batch_rows = 8192;
    c->bulk_enabled = 1;
    c->bulk_unlock_ttl_s = 60;
    c->body_max_bytes = (size_t)1 << 20;
    c->bulk_body_max_bytes = (size_t)64 << 20;
    c->json_max_depth = 32;
    c->json_max_fields = 10000;
    c->bulk_json_max_fields = 2000000;
    c->connection_timeout_s = 30;
    c->max_connections = 4096;
    c->per_ip_connection_limit = 256;
    c->thread_per_connection = 1;


    c->bulk_unlock_ttl_s = 60;
    c->smtp.port = 25;
    c->login.code_ttl_s = 300;
    c->login.session_ttl_s = 3600;
    c->login.max_attempts = 5;
    c->login.window_s = 600;
    c->login.max_per_identity = 10;
    c->login.max_per_ip = 60;
    c->host = mem_strdup("0.0.0.0");
    c->log_level = mem_strdup("info");
    if (c->host == NULL || c->log_level == NULL) {
        conf_cleanup(c);
        return BK_ENOMEM;
    }
    return BK_OK;
}

/* A deep copy of <src> into <dst>; on failure <dst> holds nothing. */
static enum bk_err
copy(struct conf *dst, const struct conf *src)
{
    *dst = *src;
    for (size_t i = 0; i < NSTRINGS; i++)
        *(char **)member(dst, string_members[i]) = NULL;
    for (size_t i = 0; i < NSTRINGS; i++) {
        const char *s = *(char *const *)((const char *)src + string_members[i]);
        char **d = member(dst, string_members[i]);

        if (s == NULL)
            continue;
        *d = mem_strdup(s);
        if (*d == NULL) {
            conf_cleanup(dst);
            return BK_ENOMEM;
        }
    }
    return BK_OK;
}

/* Strict unsigned decimal: digits only, no sign, no space, no suffix. */
static int
parse_uint(const char *s, size_t len, unsigned long long max, unsigned long long *out)
{
    unsigned long long v;
    char *end = NULL;

    if (len == 0 || len > 20)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end != s + len || v > max)
        return 0;
    *out = v;
    return 1;
}

static int
parse_bool(const char *s, int *out)
{
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0) {
        *out = 1;
        return 1;
    }
    if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0) {
        *out = 0;
        return 1;
    }
    return 0;
}

static int
valid_level(const char *s)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(s, names[i]) == 0)
            return 1;
    }
    return 0;
}

static int
has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 1;
    }
    return 0;
}

static int
all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

static const char *
expected(enum vtype t)
{
    switch (t) {
    case V_STRING:    return "a non-empty string";
    case V_OPTSTRING: return "a string";
    case V_COUNTRY:   return "a calling code of 1 to 3 digits";
    case V_LEVEL:     return "one of error, warn, info, debug";
    case V_PORT:      return "a whole number from 1 to 65535";
    case V_THREADS:   return "a whole number from 0 to 1024 (0: 8 per core)";
    case V_UINT:      return "a whole number from 1 to 4294967295";
    case V_SIZE:      return "a whole number of bytes, at least 1";
    case V_BOOL:      return "true, false, yes or no";
    case V_UINT0:     return "a whole number from 0 to 4294967295";
    }
    return "another value";
}

/* Store text <s> (<len> bytes, NUL-terminated; <is_null> for a YAML null or an
 * unset value) into the member <k> names. BK_EINVAL when it does not fit the
 * type; <quoted> scalars are strings, never numbers or booleans. */
static enum bk_err
set_value(struct conf *c, const struct key *k, const char *s, size_t len, int quoted,
          int is_null)
{
    unsigned long long v = 0;
    char **str;
    char *dup;

    switch (k->type) {
    case V_STRING:
    case V_LEVEL:
    case V_OPTSTRING:
    case V_COUNTRY:
        str = member(c, k->off);
        if (is_null || len == 0) {
            if (k->type == V_STRING || k->type == V_LEVEL)
                return BK_EINVAL;
            mem_free(*str);
            *str = NULL;
            return BK_OK;
        }
        if (strlen(s) != len || has_control(s, len))
            return BK_EINVAL;
        if (k->type == V_LEVEL && !valid_level(s))
            return BK_EINVAL;
        if (k->type == V_COUNTRY && (len > 3 || !all_digits(s, len)))
            return BK_EINVAL;
        dup = mem_strndup(s, len);
        if (dup == NULL)
            return BK_ENOMEM;
        mem_free(*str);
        *str = dup;
        return BK_OK;
    case V_BOOL:
        if (quoted || is_null || !parse_bool(s, member(c, k->off)))
            return BK_EINVAL;
        return BK_OK;
    case V_PORT:
        if (quoted || is_null || !parse_uint(s, len, 65535, &v) || v == 0)
            return BK_EINVAL;
        *(int *)member(c, k->off) = (int)v;
        return BK_OK;
    case V_THREADS:
        if (quoted || is_null || !parse_uint(s, len, THREADS_MAX, &v))
            return BK_EINVAL;
        *(unsigned *)member(c, k->off) = v == 0 ? default_threads() : (unsigned)v;
        return BK_OK;
    case V_UINT:
        if (quoted || is_null || !parse_uint(s, len, 0xffffffffULL, &v) || v == 0)
            return BK_EINVAL;
        *(unsigned *)member(c, k->off) = (unsigned)v;
        return BK_OK;
    case V_UINT0:
        if (quoted || is_null || !parse_uint(s, len, 0xffffffffULL, &v))
            return BK_EINVAL;
        *(unsigned *)member(c, k->off) = (unsigned)v;
        return BK_OK;
    case V_SIZE:
        if (quoted || is_null || !parse_uint(s, len, SIZE_MAX, &v) || v == 0)
            return BK_EINVAL;
        *(size_t *)member(c, k->off) = (size_t)v;
        return BK_OK;
    }
    return BK_EINTERNAL;
}

static int
scalar_is(const yaml_node_t *n, const char *s)
{
    size_t len = strlen(s);

    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
           memcmp(n->data.scalar.value, s, len) == 0;
}

/* A plain scalar that YAML reads as null: empty, "~" or "null". */
static int
is_null_node(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (n->data.scalar.length == 0 || scalar_is(n, "~") || scalar_is(n, "null") ||
            scalar_is(n, "Null") || scalar_is(n, "NULL"));
}

static size_t
line_of(const yaml_node_t *n)
{
    return n->start_mark.line + 1;
}

static enum bk_err
load_key(struct conf *c, const struct key *k, yaml_node_t *v, char *errbuf, size_t errbuf_len)
{
    enum bk_err err;

    if (v->type != YAML_SCALAR_NODE) {
        err = BK_EINVAL;
    } else {
        err = set_value(c, k, (const char *)v->data.scalar.value, v->data.scalar.length,
                        v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE, is_null_node(v));
    }
    if (err == BK_EINVAL)
        say(errbuf, errbuf_len, "line %zu: %s.%s: expected %s", line_of(v),
            k->section, k->name, expected(k->type));
    else if (err != BK_OK)
        say(errbuf, errbuf_len, "line %zu: %s.%s: %s", line_of(v), k->section, k->name,
            err == BK_ENOMEM ? "out of memory" : "internal error");
    return err;
}

static enum bk_err
load_section(struct conf *c, yaml_document_t *doc, const yaml_node_t *name, yaml_node_t *sec,
             char *errbuf, size_t errbuf_len)
{
    int known = 0;

    for (size_t i = 0; i < NKEYS; i++) {
        if (scalar_is(name, keys[i].section))
            known = 1;
    }
    if (!known || is_null_node(sec))
        return BK_OK;
    if (sec->type != YAML_MAPPING_NODE) {
        say(errbuf, errbuf_len, "line %zu: %.*s: expected a mapping of keys", line_of(sec),
            (int)name->data.scalar.length, (const char *)name->data.scalar.value);
        return BK_EINVAL;
    }
    for (yaml_node_pair_t *p = sec->data.mapping.pairs.start; p < sec->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(doc, p->value);

        if (kn == NULL || vn == NULL)
            continue;
        for (size_t i = 0; i < NKEYS; i++) {
            enum bk_err err;

            if (!scalar_is(name, keys[i].section) || !scalar_is(kn, keys[i].name))
                continue;
            err = load_key(c, &keys[i], vn, errbuf, errbuf_len);
            if (err != BK_OK)
                return err;
        }
    }
    return BK_OK;
}

static enum bk_err
load_document(struct conf *c, yaml_document_t *doc, char *errbuf, size_t errbuf_len)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);

    if (root == NULL || is_null_node(root))
        return BK_OK;
    if (root->type != YAML_MAPPING_NODE) {
        say(errbuf, errbuf_len, "line %zu: expected a mapping of sections", line_of(root));
        return BK_EINVAL;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(doc, p->value);
        enum bk_err err;

        if (kn == NULL || vn == NULL || kn->type != YAML_SCALAR_NODE)
            continue;
        err = load_section(c, doc, kn, vn, errbuf, errbuf_len);
        if (err != BK_OK)
            return err;
    }
    return BK_OK;
}

static enum bk_err
parser_error(const yaml_parser_t *p, char *errbuf, size_t errbuf_len)
{
    if (p->error == YAML_MEMORY_ERROR) {
        say(errbuf, errbuf_len, "out of memory");
        return BK_ENOMEM;
    }
    if (p->error == YAML_READER_ERROR) {
        say(errbuf, errbuf_len, "byte %zu: %s", p->problem_offset,
            p->problem ? p->problem : "unreadable input");
    } else if (p->context != NULL) {
        say(errbuf, errbuf_len, "line %zu: %s (%s, line %zu)", p->problem_mark.line + 1,
            p->problem ? p->problem : "malformed YAML", p->context,
            p->context_mark.line + 1);
    } else {
        say(errbuf, errbuf_len, "line %zu: %s", p->problem_mark.line + 1,
            p->problem ? p->problem : "malformed YAML");
    }
    return BK_EINVAL;
}

/* Parse the YAML that <parser> is set up to read into <c>. */
static enum bk_err
load_parser(struct conf *c, yaml_parser_t *parser, char *errbuf, size_t errbuf_len)
{
    yaml_document_t doc, extra;
    struct conf tmp;
    int have_doc = 0, have_tmp = 0;
    enum bk_err err;

    if (yaml_parser_load(parser, &doc) != 1) {
        err = parser_error(parser, errbuf, errbuf_len);
        goto out;
    }
    have_doc = 1;
    if (yaml_document_get_root_node(&doc) != NULL) {
        /* a second document would be silently ignored: refuse it */
        if (yaml_parser_load(parser, &extra) != 1) {
            err = parser_error(parser, errbuf, errbuf_len);
            goto out;
        }
        if (yaml_document_get_root_node(&extra) != NULL) {
            say(errbuf, errbuf_len, "line %zu: more than one YAML document",
                extra.start_mark.line + 1);
            yaml_document_delete(&extra);
            err = BK_EINVAL;
            goto out;
        }
        yaml_document_delete(&extra);
    }
    err = copy(&tmp, c);
    if (err != BK_OK) {
        say(errbuf, errbuf_len, "out of memory");
        goto out;
    }
    have_tmp = 1;
    err = load_document(&tmp, &doc, errbuf, errbuf_len);
    if (err != BK_OK)
        goto out;
    conf_cleanup(c);
    *c = tmp;
    have_tmp = 0;
out:
    if (have_tmp)
        conf_cleanup(&tmp);
    if (have_doc)
        yaml_document_delete(&doc);
    return err;
}

enum bk_err
conf_load_file(struct conf *c, const char *path, char *errbuf, size_t errbuf_len)
{
    yaml_parser_t parser;
    FILE *f = NULL;
    enum bk_err err;

    say(errbuf, errbuf_len, "%s", "");
    f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;

        say(errbuf, errbuf_len, "cannot open: %s", strerror(e));
        return e == ENOENT ? BK_ENOTFOUND : BK_EINVAL;
    }
    if (yaml_parser_initialize(&parser) != 1) {
        say(errbuf, errbuf_len, "out of memory");
        fclose(f);
        return BK_ENOMEM;
    }
    yaml_parser_set_input_file(&parser, f);
    err = load_parser(c, &parser, errbuf, errbuf_len);
    yaml_parser_delete(&parser);
    fclose(f);
    return err;
}

enum bk_err
conf_load_buffer(struct conf *c, const char *text, size_t len, char *errbuf, size_t errbuf_len)
{
    yaml_parser_t parser;
    enum bk_err err;

    say(errbuf, errbuf_len, "%s", "");
    if (yaml_parser_initialize(&parser) != 1) {
        say(errbuf, errbuf_len, "out of memory");
        return BK_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    err = load_parser(c, &parser, errbuf, errbuf_len);
    yaml_parser_delete(&parser);
    return err;
}

struct env_key {
    const char *name;
    struct key key;
};

static const struct env_key env_keys[] = {
    { "BUNKER_HOST", { "server", "host", V_STRING, offsetof(struct conf, host) } },
    { "BUNKER_PORT", { "server", "port", V_PORT, offsetof(struct conf, port) } },
    { "DATABUNKER_DB_PATH", { "database", "path", V_STRING, offsetof(struct conf, db_path) } },
    { "DATABUNKER_LOG_LEVEL", { "log", "level", V_LEVEL, offsetof(struct conf, log_level) } },
    { "DATABUNKER_CREATE_USER_WITHOUT_TOKEN",
      { "generic", "create_user_without_access_token", V_BOOL,
        offsetof(struct conf, create_user_without_access_token) } },
};

enum bk_err
conf_load_env(struct conf *c, char *errbuf, size_t errbuf_len)
{
    struct conf tmp;
    enum bk_err err;

    say(errbuf, errbuf_len, "%s", "");
    err = copy(&tmp, c);
    if (err != BK_OK) {
        say(errbuf, errbuf_len, "environment: out of memory");
        return err;
    }
    for (size_t i = 0; i < sizeof env_keys / sizeof env_keys[0]; i++) {
        const struct env_key *e = &env_keys[i];
        const char *v = getenv(e->name);

        if (v == NULL || v[0] == '\0')
            continue;           /* unset and empty both mean "not given" */
        err = set_value(&tmp, &e->key, v, strlen(v), 0, 0);
        if (err != BK_OK) {
            if (err == BK_EINVAL)
                say(errbuf, errbuf_len, "%s: expected %s", e->name, expected(e->key.type));
            else
                say(errbuf, errbuf_len, "%s: out of memory", e->name);
            conf_cleanup(&tmp);
            return err;
        }
    }
    conf_cleanup(c);
    *c = tmp;
    return BK_OK;
}
