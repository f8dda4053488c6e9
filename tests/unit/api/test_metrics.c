/* Request metrics (counters, histogram buckets, label escaping), the HTML
 * report renderer's escaping, and ctx_fail_at's bounded message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/metrics.h"
#include "api/reporthtml.h"
#include "base/buf.h"
#include "base/mem.h"
#include "core/ctx.h"

static const struct route r1 = { "POST", "/v2/Thing\"x\\y", NULL, 0, "Thing" };
static const struct route r2 = { "GET", "/v1/other", NULL, 0, "Other" };

static char *
render(void)
{
    struct buf b;

    buf_init(&b, 1 << 20);
    assert_int_equal(metrics_render(&b), BK_OK);
    return buf_steal(&b, NULL);
}

static void
test_counts_and_buckets(void **state)
{
    char *text;

    (void)state;
    metrics_observe(&r1, 200, 300000);        /* 0.3 ms: first bucket */
    metrics_observe(&r1, 200, 2000000000ull); /* 2 s */
    metrics_observe(&r1, 409, 1000);
    metrics_observe(&r1, 418, 1000);          /* an unlisted status */
    metrics_observe(&r2, 404, 30000000);      /* 30 ms */
    metrics_observe(NULL, 405, 0);
    text = render();
    /* quotes and backslashes in labels are escaped */
    assert_non_null(strstr(text, "databunker_http_requests_total{method=\"POST\","
                                 "route=\"/v2/Thing\\\"x\\\\y\",op=\"Thing\",status=\"200\"} 2\n"));
    assert_non_null(strstr(text, "status=\"409\"} 1\n"));
    assert_non_null(strstr(text, "status=\"418\"} 1\n"));
    assert_non_null(strstr(text, "route=\"unmatched\",op=\"\",status=\"405\"} 1\n"));
    /* cumulative buckets: 0.0005 holds 3 of r1, 2.5 holds all 4 */
    assert_non_null(strstr(text, "op=\"Thing\",le=\"0.0005\"} 3\n"));
    assert_non_null(strstr(text, "op=\"Thing\",le=\"1\"} 3\n"));
    assert_non_null(strstr(text, "op=\"Thing\",le=\"2.5\"} 4\n"));
    assert_non_null(strstr(text, "op=\"Thing\",le=\"+Inf\"} 4\n"));
    assert_non_null(strstr(text, "_count{method=\"POST\",route=\"/v2/Thing\\\"x\\\\y\","
                                 "op=\"Thing\"} 4\n"));
    assert_non_null(strstr(text, "op=\"Other\",le=\"0.025\"} 0\n"));
    assert_non_null(strstr(text, "op=\"Other\",le=\"0.05\"} 1\n"));
    assert_non_null(strstr(text, "_sum{method=\"GET\",route=\"/v1/other\",op=\"Other\"} "
                                 "0.030000\n"));
    mem_free(text);
}

static void
test_html_escapes(void **state)
{
    json_t *rep = json_pack("{s:s, s:{s:s, s:[i, b, n]}}", "token", "t<1>", "profile", "name",
                            "<b>\"O'Neil\" & co</b>", "list", 1, 1);
    char *html = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(reporthtml_render(rep, &html, &len), BK_OK);
    assert_int_equal(strlen(html), len);
    assert_null(strstr(html, "<b>"));
    assert_non_null(strstr(html, "&lt;b&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;"));
    assert_non_null(strstr(html, "<td>t&lt;1&gt;</td>"));
    assert_non_null(strstr(html, "<h2>profile</h2>"));
    assert_non_null(strstr(html, "<li>1</li>\n<li>true</li>\n<li><em>null</em></li>"));
    mem_free(html);
    json_decref(rep);
}

static void
test_fail_at_is_bounded(void **state)
{
    struct ctx c;
    char longmsg[400];

    (void)state;
    memset(&c, 0, sizeof c);
    c.errmsg = "user with this email already exists";
    assert_int_equal(ctx_fail_at(&c, BK_ECONFLICT, "records", 3999, "x"), BK_ECONFLICT);
    assert_string_equal(c.errmsg, "records[3999]: user with this email already exists");
    c.errmsg = NULL;
    ctx_fail_at(&c, BK_EINVAL, "users", 0, "bad entry");
    assert_string_equal(c.errmsg, "users[0]: bad entry");
    /* the message already in msgbuf is used, not overwritten while read */
    ctx_fail_at(&c, BK_EINVAL, "again", 1, "x");
    assert_string_equal(c.errmsg, "again[1]: users[0]: bad entry");
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    c.errmsg = longmsg;
    ctx_fail_at(&c, BK_EINVAL, "records", 7, "x");
    assert_int_equal(strlen(c.errmsg), sizeof c.msgbuf - 1);
    assert_memory_equal(c.errmsg, "records[7]: mmm", 15);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_buckets),
        cmocka_unit_test(test_html_escapes),
        cmocka_unit_test(test_fail_at_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
