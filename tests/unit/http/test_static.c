/* The embedded UI: lookup, app-route fallback, refusal of traversal and
 * escapes, content types and the Content-Security-Policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/static.h"

static void
test_lookup(void **state)
{
    const struct static_file *idx = static_find("/");

    (void)state;
    assert_non_null(idx);
    assert_string_equal(idx->path, "/index.html");
    assert_true(idx->len > 100);
    assert_int_equal(idx->data[idx->len], 0);
    assert_ptr_equal(static_find("/index.html"), idx);
    assert_ptr_equal(static_find("/portal"), idx);
    assert_ptr_equal(static_find("/admin/users"), idx);
    assert_ptr_equal(static_find("/admin"), idx);
    assert_null(static_find("/adminx"));
    assert_null(static_find("/nope"));
    assert_non_null(static_find("/js/main.js"));
    assert_non_null(static_find("/app.css"));
    assert_null(static_find("/nope.js"));
    assert_null(static_find("/js/../index.html"));
    assert_null(static_find("/../etc/passwd"));
    assert_null(static_find("/%2e%2e/x"));
    assert_null(static_find("//etc/passwd"));
    assert_null(static_find("/js\\main.js"));
    assert_null(static_find("js/main.js"));
    assert_null(static_find(NULL));
}

static void
test_ui_requests(void **state)
{
    (void)state;
    assert_true(static_is_ui_request("GET", "/"));
    assert_true(static_is_ui_request("HEAD", "/app.css"));
    assert_false(static_is_ui_request("POST", "/"));
    assert_false(static_is_ui_request("GET", "/v1/user"));
    assert_false(static_is_ui_request("GET", "/v2/UserGet"));
    assert_false(static_is_ui_request("GET", "/v1"));
}

static void
test_types(void **state)
{
    (void)state;
    assert_string_equal(static_content_type("/index.html"), "text/html; charset=utf-8");
    assert_string_equal(static_content_type("/js/a.js"), "text/javascript; charset=utf-8");
    assert_string_equal(static_content_type("/a.CSS"), "text/css; charset=utf-8");
    assert_string_equal(static_content_type("/f.svg"), "image/svg+xml");
    assert_string_equal(static_content_type("/x"), "application/octet-stream");
    assert_string_equal(static_content_type("/a.b/c"), "application/octet-stream");
}

static void
test_csp(void **state)
{
    char csp[800];

    (void)state;
    static_csp(NULL, NULL, csp, sizeof csp);
    assert_non_null(strstr(csp, "default-src 'self';"));
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
    assert_non_null(strstr(csp, "img-src 'self' data:;"));
    static_csp("https://cdn.example.com/logo.png", "http://css.example.com:8080/a.css", csp,
               sizeof csp);
    assert_non_null(strstr(csp, "img-src 'self' data: https://cdn.example.com;"));
    assert_non_null(strstr(csp, "style-src 'self' http://css.example.com:8080;"));
    /* relative links and anything that could smuggle a directive add nothing */
    static_csp("/site/logo.png", "https://evil.example.com;script-src *", csp, sizeof csp);
    assert_non_null(strstr(csp, "img-src 'self' data:;"));
    assert_non_null(strstr(csp, "style-src 'self';"));
    assert_null(strstr(csp, "script-src"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_ui_requests),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_csp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
