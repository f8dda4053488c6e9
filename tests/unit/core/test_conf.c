/* Configuration: defaults, the YAML file (every key, wrong types, malformed
 * input, the original Databunker layout), environment overrides, and
 * allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/mem.h"
#include "core/conf.h"

static char tmp_path[256];

/* Write <text> into a fresh temporary file whose name is left in tmp_path. */
static const char *
write_yaml(const char *text)
{
    const char *dir = getenv("TMPDIR");
    size_t n = strlen(text);
    FILE *f;
    int fd;

    snprintf(tmp_path, sizeof tmp_path, "%s/bk_conf_XXXXXX", dir && dir[0] ? dir : "/tmp");
    fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return tmp_path;
}

static enum bk_err
load_text(struct conf *c, const char *text, char *errbuf, size_t errbuf_len)
{
    enum bk_err err = conf_load_file(c, write_yaml(text), errbuf, errbuf_len);

    unlink(tmp_path);
    return err;
}

static unsigned
core_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        n = 1;
    n *= 8;   /* the default: 8 workers per core */
    return n > 1024 ? 1024 : (unsigned)n;
}

static void
expect_defaults(const struct conf *c)
{
    assert_string_equal(c->host, "0.0.0.0");
    assert_int_equal(c->port, 3000);
    assert_int_equal(c->threads, core_count());
    assert_true(c->threads >= 1);
    assert_int_equal(c->thread_per_connection, 1);
    assert_int_equal(c->create_user_without_access_token, 0);
    assert_null(c->default_country);
    assert_null(c->max_audit_retention_period);
    assert_null(c->max_session_retention_period);
    assert_null(c->max_shareable_record_retention_period);
    assert_null(c->ssl_certificate);
    assert_null(c->ssl_certificate_key);
    assert_int_equal(c->body_max_bytes, 1048576);
    assert_int_equal(c->bulk_body_max_bytes, 67108864);
    assert_int_equal(c->json_max_depth, 32);
    assert_int_equal(c->json_max_fields, 10000);
    assert_null(c->db_path);
    assert_string_equal(c->log_level, "info");
}

static void
test_defaults(void **state)
{
    struct conf c;

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    expect_defaults(&c);
    conf_cleanup(&c);
    assert_null(c.host);
    assert_null(c.log_level);
    conf_cleanup(&c);           /* twice is harmless */
}

static const char full_yaml[] =
    "server:\n"
    "  host: \"127.0.0.1\"\n"
    "  port: 8443\n"
    "  threads: 7\n"
    "generic:\n"
    "  create_user_without_access_token: true\n"
    "  default_country: \"44\"\n"
    "policy:\n"
    "  max_audit_retention_period: \"6m\"\n"
    "  max_session_retention_period: 1h\n"
    "  max_shareable_record_retention_period: '30d'\n"
    "ssl:\n"
    "  ssl_certificate: /etc/databunker/server.cer\n"
    "  ssl_certificate_key: \"/etc/databunker/server.key\"\n"
    "limits:\n"
    "  body_max_bytes: 2048\n"
    "  bulk_body_max_bytes: 18446744073709551615\n"
    "  json_max_depth: 8\n"
    "  json_max_fields: 4294967295\n"
    "log:\n"
    "  level: debug\n";

static void
test_load_every_key(void **state)
{
    struct conf c;
    char err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    assert_int_equal(load_text(&c, full_yaml, err, sizeof err), BK_OK);
    assert_string_equal(err, "");
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 8443);
    assert_int_equal(c.threads, 7);
    assert_int_equal(c.create_user_without_access_token, 1);
    assert_string_equal(c.default_country, "44");
    assert_string_equal(c.max_audit_retention_period, "6m");
    assert_string_equal(c.max_session_retention_period, "1h");
    assert_string_equal(c.max_shareable_record_retention_period, "30d");
    assert_string_equal(c.ssl_certificate, "/etc/databunker/server.cer");
    assert_string_equal(c.ssl_certificate_key, "/etc/databunker/server.key");
    assert_int_equal(c.body_max_bytes, 2048);
    assert_true(c.bulk_body_max_bytes == SIZE_MAX);
    assert_int_equal(c.json_max_depth, 8);
    assert_int_equal(c.json_max_fields, 4294967295u);
    assert_null(c.db_path);
    assert_string_equal(c.log_level, "debug");

    /* a second file overrides only what it names; null and "" unset optional strings */
    assert_int_equal(load_text(&c,
                               "server:\n  port: 3001\n"
                               "generic:\n  default_country: ~\n"
                               "ssl:\n  ssl_certificate: \"\"\n  ssl_certificate_key:\n",
                               err, sizeof err),
                     BK_OK);
    assert_int_equal(c.port, 3001);
    assert_string_equal(c.host, "127.0.0.1");
    assert_null(c.default_country);
    assert_null(c.ssl_certificate);
    assert_null(c.ssl_certificate_key);
    assert_string_equal(c.max_audit_retention_period, "6m");
    conf_cleanup(&c);
}

static void
test_booleans_and_threads(void **state)
{
    static const struct {
        const char *text;
        int want;
    } cases[] = {
        { "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 },
        { "True", 1 }, { "FALSE", 0 }, { "Yes", 1 }, { "NO", 0 },
    };
    struct conf c;
    char yaml[128], err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c.create_user_without_access_token = !cases[i].want;
        snprintf(yaml, sizeof yaml, "generic:\n  create_user_without_access_token: %s\n",
                 cases[i].text);
        assert_int_equal(load_text(&c, yaml, err, sizeof err), BK_OK);
        assert_int_equal(c.create_user_without_access_token, cases[i].want);
    }
    assert_int_equal(load_text(&c, "server:\n  threads: 1024\n", err, sizeof err), BK_OK);
    assert_int_equal(c.threads, 1024);
    assert_int_equal(load_text(&c, "server:\n  threads: 0\n", err, sizeof err), BK_OK);
    assert_int_equal(c.threads, core_count());
    assert_int_equal(load_text(&c, "server:\n  thread_per_connection: false\n", err, sizeof err),
                     BK_OK);
    assert_int_equal(c.thread_per_connection, 0);
    assert_int_equal(load_text(&c, "server:\n  port: 65535\n", err, sizeof err), BK_OK);
    assert_int_equal(c.port, 65535);
    assert_int_equal(load_text(&c, "server:\n  port: 1\n", err, sizeof err), BK_OK);
    assert_int_equal(c.port, 1);
    assert_int_equal(load_text(&c, "log:\n  level: WARN\n", err, sizeof err), BK_OK);
    assert_string_equal(c.log_level, "WARN");
    conf_cleanup(&c);
}

static void
test_wrong_types(void **state)
{
    static const struct {
        const char *yaml;
        const char *key;    /* must appear in the message */
        const char *line;   /* likewise */
    } cases[] = {
        { "server:\n  port: abc\n", "server.port", "line 2" },
        { "server:\n  port: \"3000\"\n", "server.port", "line 2" },
        { "server:\n  port: 0\n", "server.port", "line 2" },
        { "server:\n  port: 65536\n", "server.port", "line 2" },
        { "server:\n  port: -1\n", "server.port", "line 2" },
        { "server:\n  port: +80\n", "server.port", "line 2" },
        { "server:\n  port: 80x\n", "server.port", "line 2" },
        { "server:\n  port: 0x50\n", "server.port", "line 2" },
        { "server:\n  port: 3000.0\n", "server.port", "line 2" },
        { "server:\n  port:\n", "server.port", "line 2" },
        { "server:\n  port: [1, 2]\n", "server.port", "line 2" },
        { "server:\n  port:\n    a: 1\n", "server.port", "line 3" },
        { "\n\nserver:\n  host: x\n  port: 99999999999999999999999\n", "server.port", "line 5" },
        { "server:\n  host: [a, b]\n", "server.host", "line 2" },
        { "server:\n  host: ~\n", "server.host", "line 2" },
        { "server:\n  host: \"\"\n", "server.host", "line 2" },
        { "server:\n  host: \"a\\0b\"\n", "server.host", "line 2" },
        { "server:\n  host: \"a\\nb\"\n", "server.host", "line 2" },
        { "server:\n  threads: 1025\n", "server.threads", "line 2" },
        { "server:\n  threads: -2\n", "server.threads", "line 2" },
        { "generic:\n  create_user_without_access_token: maybe\n",
          "generic.create_user_without_access_token", "line 2" },
        { "generic:\n  create_user_without_access_token: 1\n",
          "generic.create_user_without_access_token", "line 2" },
        { "generic:\n  create_user_without_access_token: \"true\"\n",
          "generic.create_user_without_access_token", "line 2" },
        { "generic:\n  default_country: GB\n", "generic.default_country", "line 2" },
        { "generic:\n  default_country: \"1234\"\n", "generic.default_country", "line 2" },
        { "policy:\n  max_audit_retention_period: [1m]\n",
          "policy.max_audit_retention_period", "line 2" },
        { "ssl:\n  ssl_certificate: {a: b}\n", "ssl.ssl_certificate", "line 2" },
        { "limits:\n  body_max_bytes: 0\n", "limits.body_max_bytes", "line 2" },
        { "limits:\n  body_max_bytes: 1MiB\n", "limits.body_max_bytes", "line 2" },
        { "limits:\n  bulk_body_max_bytes: 18446744073709551616\n",
          "limits.bulk_body_max_bytes", "line 2" },
        { "limits:\n  json_max_depth: 0\n", "limits.json_max_depth", "line 2" },
        { "limits:\n  json_max_fields: 4294967296\n", "limits.json_max_fields", "line 2" },
        { "log:\n  level: verbose\n", "log.level", "line 2" },
        { "log:\n  level:\n", "log.level", "line 2" },
        { "server: 3000\n", "server", "line 1" },
        { "limits: [1, 2]\n", "limits", "line 1" },
        { "just a string\n", "mapping", "line 1" },
        { "- server\n- port\n", "mapping", "line 1" },
    };
    struct conf c;
    char err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        if (load_text(&c, cases[i].yaml, err, sizeof err) != BK_EINVAL)
            fail_msg("case %zu accepted: %s", i, cases[i].yaml);
        if (strstr(err, cases[i].key) == NULL || strstr(err, cases[i].line) == NULL)
            fail_msg("case %zu: message \"%s\" lacks \"%s\" or \"%s\"", i, err, cases[i].key,
                     cases[i].line);
    }
    /* nothing was changed by the failed loads */
    expect_defaults(&c);
    conf_cleanup(&c);
}

static void
test_failed_load_changes_nothing(void **state)
{
    struct conf c;
    char err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    assert_int_equal(load_text(&c,
                               "server:\n  host: h\n  port: 4000\n"
                               "ssl:\n  ssl_certificate: /x\n"
                               "log:\n  level: loud\n",
                               err, sizeof err),
                     BK_EINVAL);
    assert_non_null(strstr(err, "log.level"));
    assert_non_null(strstr(err, "line 7"));
    expect_defaults(&c);
    conf_cleanup(&c);
}

static void
test_malformed_yaml(void **state)
{
    static const char *const cases[] = {
        "server:\n  port: [1, 2\n",
        "server:\n  port: 1\n host: x\n",
        "server:\n\tport: 1\n",
        "a: b: c\n",
        "server:\n  host: \"unterminated\n",
        "key: *undefined_alias\n",
        "--- a\n--- b\n",
        "server:\n  port: 1\n---\nserver:\n  port: 2\n",
        "server:\n  host: \xff\n",
        "server:\n  host: \"\xc3\x28\"\n",
    };
    struct conf c;
    char err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        if (load_text(&c, cases[i], err, sizeof err) != BK_EINVAL)
            fail_msg("malformed case %zu accepted", i);
        if (strstr(err, "line ") == NULL && strstr(err, "byte ") == NULL)
            fail_msg("case %zu: message \"%s\" names no position", i, err);
    }
    expect_defaults(&c);
    conf_cleanup(&c);
}

static void
test_missing_and_empty_file(void **state)
{
    struct conf c;
    char err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    assert_int_equal(conf_load_file(&c, "/nonexistent/dir/databunker.yaml", err, sizeof err),
                     BK_ENOTFOUND);
    assert_non_null(strstr(err, "cannot open"));
    assert_int_equal(load_text(&c, "", err, sizeof err), BK_OK);
    assert_int_equal(load_text(&c, "# only a comment\n", err, sizeof err), BK_OK);
    assert_int_equal(load_text(&c, "---\n...\n", err, sizeof err), BK_OK);
    /* no error buffer at all */
    assert_int_equal(load_text(&c, "server:\n  port: x\n", NULL, 0), BK_EINVAL);
    assert_int_equal(load_text(&c, "server:\n  port: 3000\n", NULL, 0), BK_OK);
    expect_defaults(&c);
    conf_cleanup(&c);
}

/* The layout the original Databunker ships: other sections, sequences, null
 * sections, and sms.default_country as a region name, all ignored. */
static const char original_yaml[] =
    "# Server configurations\n"
    "generic:\n"
    "  create_user_without_access_token: true\n"
    "  # list_users: true\n"
    "  use_separate_app_tables: true\n"
    "selfservice:\n"
    "  forget_me: false\n"
    "  app_record_change: [\"*\"]\n"
    "notification:\n"
    "  # notification_url: \"https://example.com/post\"\n"
    "policy:\n"
    "  max_user_retention_period: \"3m\"\n"
    "  max_audit_retention_period: \"6m\"\n"
    "  max_session_retention_period: \"1h\"\n"
    "  max_shareable_record_retention_period: \"1m\"\n"
    "ssl:\n"
    "  ssl_certificate: \"/databunker/certs/server.cer\"\n"
    "  ssl_certificate_key: \"/databunker/certs/server.key\"\n"
    "sms:\n"
    "  default_country: \"GB\"\n"
    "  method: GET\n"
    "server:\n"
    "  host: \"0.0.0.0\"\n"
    "  port: 3000\n"
    "  unknown_key: {nested: [1, 2, {x: y}]}\n"
    "smtp:\n"
    "  server: \"smtp.example.com\"\n"
    "  port: 587\n"
    "ui:\n"
    "  logo_link: \"/site/img/logo.png\"\n"
    "  custom_css_link: \"\"\n"
    "anchors:\n"
    "  base: &b {port: not-a-number}\n"
    "  copy: *b\n"
    "? [complex, key]\n"
    ": ignored\n";

static void
test_original_layout(void **state)
{
    struct conf c;
    char err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    if (load_text(&c, original_yaml, err, sizeof err) != BK_OK)
        fail_msg("original layout refused: %s", err);
    assert_int_equal(c.create_user_without_access_token, 1);
    assert_string_equal(c.max_audit_retention_period, "6m");
    assert_string_equal(c.max_session_retention_period, "1h");
    assert_string_equal(c.max_shareable_record_retention_period, "1m");
    assert_string_equal(c.ssl_certificate, "/databunker/certs/server.cer");
    assert_string_equal(c.ssl_certificate_key, "/databunker/certs/server.key");
    assert_null(c.default_country);         /* sms.default_country is not ours */
    assert_int_equal(c.port, 3000);         /* smtp.port is not ours */
    assert_string_equal(c.host, "0.0.0.0");
    conf_cleanup(&c);
}

static void
test_repo_example(void **state)
{
    const char *dir = getenv("BK_SOURCE_DIR");
    struct conf c, d;
    char path[1024], err[256];

    (void)state;
    if (dir == NULL || dir[0] == '\0')
        skip();
    snprintf(path, sizeof path, "%s/databunker.yaml", dir);
    assert_int_equal(conf_defaults(&c), BK_OK);
    if (conf_load_file(&c, path, err, sizeof err) != BK_OK)
        fail_msg("%s", err);
    /* the example states the defaults */
    assert_int_equal(conf_defaults(&d), BK_OK);
    expect_defaults(&c);
    assert_int_equal(c.threads, d.threads);
    conf_cleanup(&c);
    conf_cleanup(&d);
}

static const char *const env_names[] = {
    "BUNKER_HOST", "BUNKER_PORT", "DATABUNKER_DB_PATH", "DATABUNKER_LOG_LEVEL",
    "DATABUNKER_CREATE_USER_WITHOUT_TOKEN",
};

static int
clear_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
    return 0;
}

static void
test_env_overrides(void **state)
{
    struct conf c;
    char err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    assert_int_equal(conf_load_env(&c, err, sizeof err), BK_OK);
    expect_defaults(&c);

    setenv("BUNKER_HOST", "10.1.2.3", 1);
    setenv("BUNKER_PORT", "8080", 1);
    setenv("DATABUNKER_DB_PATH", "/var/lib/databunker/db.sqlite", 1);
    setenv("DATABUNKER_LOG_LEVEL", "debug", 1);
    setenv("DATABUNKER_CREATE_USER_WITHOUT_TOKEN", "yes", 1);
    assert_int_equal(conf_load_env(&c, err, sizeof err), BK_OK);
    assert_string_equal(c.host, "10.1.2.3");
    assert_int_equal(c.port, 8080);
    assert_string_equal(c.db_path, "/var/lib/databunker/db.sqlite");
    assert_string_equal(c.log_level, "debug");
    assert_int_equal(c.create_user_without_access_token, 1);

    setenv("DATABUNKER_CREATE_USER_WITHOUT_TOKEN", "false", 1);
    assert_int_equal(conf_load_env(&c, err, sizeof err), BK_OK);
    assert_int_equal(c.create_user_without_access_token, 0);

    /* the environment wins over the file */
    assert_int_equal(load_text(&c, "server:\n  port: 4000\n  host: filehost\n", err, sizeof err),
                     BK_OK);
    assert_int_equal(c.port, 4000);
    assert_int_equal(conf_load_env(&c, err, sizeof err), BK_OK);
    assert_int_equal(c.port, 8080);
    assert_string_equal(c.host, "10.1.2.3");

    /* empty means not given */
    setenv("BUNKER_PORT", "", 1);
    c.port = 1234;
    assert_int_equal(conf_load_env(&c, err, sizeof err), BK_OK);
    assert_int_equal(c.port, 1234);
    conf_cleanup(&c);
    clear_env(NULL);
}

static void
test_env_invalid(void **state)
{
    static const struct {
        const char *name;
        const char *value;
    } cases[] = {
        { "BUNKER_PORT", "abc" },
        { "BUNKER_PORT", "70000" },
        { "BUNKER_PORT", "0" },
        { "BUNKER_PORT", "-1" },
        { "BUNKER_PORT", "+80" },
        { "BUNKER_PORT", " 80" },
        { "BUNKER_PORT", "80 " },
        { "BUNKER_PORT", "8080x" },
        { "BUNKER_PORT", "99999999999999999999999" },
        { "DATABUNKER_LOG_LEVEL", "loud" },
        { "DATABUNKER_CREATE_USER_WITHOUT_TOKEN", "maybe" },
        { "BUNKER_HOST", "bad\nhost" },
        { "DATABUNKER_DB_PATH", "a\x01" },
    };
    struct conf c;
    char err[256];

    (void)state;
    assert_int_equal(conf_defaults(&c), BK_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clear_env(NULL);
        /* a valid override next to the bad one must not be applied either */
        setenv("BUNKER_HOST", "127.0.0.9", 1);
        setenv(cases[i].name, cases[i].value, 1);
        err[0] = '\0';
        if (conf_load_env(&c, err, sizeof err) != BK_EINVAL)
            fail_msg("%s=%s accepted", cases[i].name, cases[i].value);
        if (strstr(err, cases[i].name) == NULL)
            fail_msg("message \"%s\" does not name %s", err, cases[i].name);
        expect_defaults(&c);
    }
    clear_env(NULL);
    setenv("BUNKER_PORT", "abc", 1);
    assert_int_equal(conf_load_env(&c, NULL, 0), BK_EINVAL);
    assert_int_equal(c.port, 3000);
    conf_cleanup(&c);
    clear_env(NULL);
}

/* Every allocation in turn fails; each failure is BK_ENOMEM and leaks nothing
 * (the sanitizer checks the latter), and <c> keeps its previous values. */
static void
test_allocation_failures(void **state)
{
    struct conf c;
    char err[256];
    enum bk_err e;
    unsigned long n;

    (void)state;
    for (n = 1;; n++) {
        mem_fail_after(n, 1);
        e = conf_defaults(&c);
        mem_fail_after(0, 0);
        if (e == BK_OK)
            break;
        assert_int_equal(e, BK_ENOMEM);
        assert_null(c.host);
        assert_null(c.log_level);
    }
    assert_true(n > 1);
    conf_cleanup(&c);

    for (n = 1;; n++) {
        assert_int_equal(conf_defaults(&c), BK_OK);
        write_yaml(full_yaml);
        mem_fail_after(n, 1);
        e = conf_load_file(&c, tmp_path, err, sizeof err);
        mem_fail_after(0, 0);
        unlink(tmp_path);
        if (e == BK_OK) {
            assert_int_equal(c.port, 8443);
            conf_cleanup(&c);
            break;
        }
        assert_int_equal(e, BK_ENOMEM);
        expect_defaults(&c);
        conf_cleanup(&c);
    }
    assert_true(n > 1);

    setenv("BUNKER_HOST", "10.0.0.1", 1);
    setenv("DATABUNKER_DB_PATH", "/tmp/x.db", 1);
    for (n = 1;; n++) {
        assert_int_equal(conf_defaults(&c), BK_OK);
        mem_fail_after(n, 0);
        e = conf_load_env(&c, err, sizeof err);
        mem_fail_after(0, 0);
        if (e == BK_OK) {
            assert_string_equal(c.db_path, "/tmp/x.db");
            conf_cleanup(&c);
            break;
        }
        assert_int_equal(e, BK_ENOMEM);
        expect_defaults(&c);
        conf_cleanup(&c);
    }
    assert_true(n > 1);
    clear_env(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_load_every_key),
        cmocka_unit_test(test_booleans_and_threads),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_failed_load_changes_nothing),
        cmocka_unit_test(test_malformed_yaml),
        cmocka_unit_test(test_missing_and_empty_file),
        cmocka_unit_test(test_original_layout),
        cmocka_unit_test(test_repo_example),
        cmocka_unit_test(test_env_overrides),
        cmocka_unit_test(test_env_invalid),
        cmocka_unit_test(test_allocation_failures),
    };

    return cmocka_run_group_tests(tests, clear_env, clear_env);
}
