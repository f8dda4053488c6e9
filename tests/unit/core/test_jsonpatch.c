/* JSON Patch: every example of RFC 6902 appendix A, the pointer rules of RFC
 * 6901, atomicity, error messages and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "core/jsonpatch.h"

static char msg[JSONPATCH_MSG_MAX];

static json_t *
load(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);

    if (j == NULL)
        fail_msg("bad test JSON %s: %s", s, e.text);
    return j;
}

/* Apply <patch> to <doc>; expect <want> (NULL: expect failure <err>). The
 * input document must come out unchanged either way. */
static void
check(const char *doc, const char *patch, const char *want, enum bk_err err)
{
    json_t *d = load(doc), *p = load(patch), *orig = json_deep_copy(d), *out = NULL;
    enum bk_err got = jsonpatch_apply(d, p, &out, msg);

    if (want != NULL) {
        json_t *w = load(want);

        if (got != BK_OK)
            fail_msg("patch %s failed: %s", patch, msg);
        if (!jsonpatch_equal(out, w) || !json_equal(out, w)) {
            char *s = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
            fail_msg("patch %s gave %s, want %s", patch, s, want);
        }
        json_decref(w);
    } else {
        assert_int_equal(got, err);
        assert_null(out);
        assert_true(msg[0] != '\0');
    }
    assert_true(json_equal(d, orig));
    json_decref(out);
    json_decref(orig);
    json_decref(d);
    json_decref(p);
}

/* ---- RFC 6902 appendix A ---- */

static void
test_a1_add_object_member(void **state)
{
    (void)state;
    check("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
          "{\"baz\":\"qux\",\"foo\":\"bar\"}", BK_OK);
}

static void
test_a2_add_array_element(void **state)
{
    (void)state;
    check("{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
          "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", BK_OK);
}

static void
test_a3_remove_object_member(void **state)
{
    (void)state;
    check("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
          "{\"foo\":\"bar\"}", BK_OK);
}

static void
test_a4_remove_array_element(void **state)
{
    (void)state;
    check("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
          "{\"foo\":[\"bar\",\"baz\"]}", BK_OK);
}

static void
test_a5_replace(void **state)
{
    (void)state;
    check("{\"baz\":\"qux\",\"foo\":\"bar\"}",
          "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
          "{\"baz\":\"boo\",\"foo\":\"bar\"}", BK_OK);
}

static void
test_a6_move_value(void **state)
{
    (void)state;
    check("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
          "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
          "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", BK_OK);
}

static void
test_a7_move_array_element(void **state)
{
    (void)state;
    check("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
          "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
          "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", BK_OK);
}

static void
test_a8_test_success(void **state)
{
    (void)state;
    check("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
          "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
          "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
          "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", BK_OK);
}

static void
test_a9_test_error(void **state)
{
    (void)state;
    check("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL,
          BK_EINVAL);
    assert_string_equal(msg, "patch[0] (test) failed: values differ");
}

static void
test_a10_add_nested_member(void **state)
{
    (void)state;
    check("{\"foo\":\"bar\"}",
          "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
          "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}", BK_OK);
}

static void
test_a11_ignore_unrecognized_members(void **state)
{
    (void)state;
    check("{\"foo\":\"bar\"}",
          "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
          "{\"foo\":\"bar\",\"baz\":\"qux\"}", BK_OK);
}

static void
test_a12_add_to_nonexistent_target(void **state)
{
    (void)state;
    check("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", NULL,
          BK_EINVAL);
    assert_string_equal(msg, "patch[0] (add) failed: the target's parent does not exist");
}

/* A.13: an operation object with two "op" members is not a valid patch. The
 * API decodes bodies refusing duplicate keys (api/codec.c), the same way
 * this strict parse does, so the patch never reaches jsonpatch_apply. */
static void
test_a13_invalid_patch_document(void **state)
{
    json_error_t e;
    json_t *p;

    (void)state;
    p = json_loads("[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]",
                   JSON_REJECT_DUPLICATES, &e);
    assert_null(p);
    assert_int_equal(json_error_code(&e), json_error_duplicate_key);
}

static void
test_a14_tilde_escape_ordering(void **state)
{
    (void)state;
    check("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
          "{\"/\":9,\"~1\":10}", BK_OK);
}

static void
test_a15_compare_string_and_number(void **state)
{
    (void)state;
    check("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", NULL,
          BK_EINVAL);
    assert_string_equal(msg, "patch[0] (test) failed: values differ");
}

static void
test_a16_add_array_value(void **state)
{
    (void)state;
    check("{\"foo\":[\"bar\"]}",
          "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
          "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", BK_OK);
}

/* ---- RFC 6901 pointers ---- */

static void
test_pointer_escapes(void **state)
{
    (void)state;
    /* "~1" is "/", "~0" is "~", decoded in that order (so "~01" is "~1") */
    check("{\"a/b\":1,\"m~n\":2}",
          "[{\"op\":\"test\",\"path\":\"/a~1b\",\"value\":1},"
          "{\"op\":\"test\",\"path\":\"/m~0n\",\"value\":2},"
          "{\"op\":\"add\",\"path\":\"/~01\",\"value\":3}]",
          "{\"a/b\":1,\"m~n\":2,\"~1\":3}", BK_OK);
    /* the empty key and a key with a space */
    check("{\"\":0,\" \":7}",
          "[{\"op\":\"test\",\"path\":\"/\",\"value\":0},"
          "{\"op\":\"test\",\"path\":\"/ \",\"value\":7}]",
          "{\"\":0,\" \":7}", BK_OK);
    /* a '~' not followed by 0 or 1 */
    check("{\"a~b\":1}", "[{\"op\":\"remove\",\"path\":\"/a~b\"}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (remove) failed: bad '~' escape in a JSON pointer "
                             "(use ~0 or ~1)");
    check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/a~\"}]", NULL, BK_EINVAL);
    /* a pointer must start with '/' */
    check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (remove) failed: a JSON pointer must be empty or "
                             "start with '/'");
}

static void
test_pointer_array_indexes(void **state)
{
    (void)state;
    /* leading zeros are refused */
    check("{\"a\":[1,2,3]}", "[{\"op\":\"remove\",\"path\":\"/a/01\"}]", NULL, BK_EINVAL);
    check("{\"a\":[1,2,3]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":0}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (add) failed: bad array index");
    check("{\"a\":[1,2,3]}", "[{\"op\":\"test\",\"path\":\"/a/00\",\"value\":1}]", NULL,
          BK_EINVAL);
    /* "0" is fine, signs and letters are not */
    check("{\"a\":[1,2,3]}", "[{\"op\":\"remove\",\"path\":\"/a/0\"}]", "{\"a\":[2,3]}", BK_OK);
    check("{\"a\":[1,2,3]}", "[{\"op\":\"remove\",\"path\":\"/a/-1\"}]", NULL, BK_EINVAL);
    check("{\"a\":[1,2,3]}", "[{\"op\":\"remove\",\"path\":\"/a/+1\"}]", NULL, BK_EINVAL);
    check("{\"a\":[1,2,3]}", "[{\"op\":\"remove\",\"path\":\"/a/x\"}]", NULL, BK_EINVAL);
    check("{\"a\":[1,2,3]}", "[{\"op\":\"remove\",\"path\":\"/a/99999999999999999999\"}]", NULL,
          BK_EINVAL);
    /* add may append at index == size, not beyond */
    check("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/1\",\"value\":2}]", "{\"a\":[1,2]}",
          BK_OK);
    check("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":2}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (add) failed: array index out of range");
    /* "-" is the end of an array for add, and nothing for the others */
    check("{\"a\":[]}", "[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":1}]", "{\"a\":[1]}", BK_OK);
    check("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/-\"}]", NULL, BK_EINVAL);
    check("{\"a\":[1]}", "[{\"op\":\"replace\",\"path\":\"/a/-\",\"value\":2}]", NULL, BK_EINVAL);
    check("{\"a\":[1]}", "[{\"op\":\"test\",\"path\":\"/a/-\",\"value\":1}]", NULL, BK_EINVAL);
    /* in an object, "-" and "01" are ordinary keys */
    check("{\"-\":1,\"01\":2}",
          "[{\"op\":\"remove\",\"path\":\"/-\"},{\"op\":\"replace\",\"path\":\"/01\",\"value\":3}]",
          "{\"01\":3}", BK_OK);
}

static void
test_pointer_root(void **state)
{
    (void)state;
    check("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"b\":2}}]", "{\"b\":2}",
          BK_OK);
    check("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":[1]}]", "[1]", BK_OK);
    check("{\"a\":1}", "[{\"op\":\"test\",\"path\":\"\",\"value\":{\"a\":1.0}}]", "{\"a\":1}",
          BK_OK);
    check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (remove) failed: cannot remove the whole document");
}

static void
test_deep_pointers(void **state)
{
    char doc[1024], path[1024], want[1024], patch[4096];
    size_t d = 0, p = 0;
    int depth = 60;

    (void)state;
    /* {"a":{"a":...{"a":1}...}} nested <depth> levels; /a/a/.../a reaches the 1 */
    for (int i = 0; i < depth; i++) {
        d += (size_t)snprintf(doc + d, sizeof doc - d, "{\"a\":");
        p += (size_t)snprintf(path + p, sizeof path - p, "/a");
    }
    d += (size_t)snprintf(doc + d, sizeof doc - d, "1");
    for (int i = 0; i < depth; i++)
        d += (size_t)snprintf(doc + d, sizeof doc - d, "}");
    snprintf(patch, sizeof patch, "[{\"op\":\"test\",\"path\":\"%s\",\"value\":1},"
                                  "{\"op\":\"replace\",\"path\":\"%s\",\"value\":2}]", path, path);
    memcpy(want, doc, d + 1);
    want[strlen(want) - depth - 1] = '2';
    check(doc, patch, want, BK_OK);
    /* one level further than the document goes */
    snprintf(patch, sizeof patch, "[{\"op\":\"add\",\"path\":\"%s/a/b\",\"value\":1}]", path);
    check(doc, patch, NULL, BK_EINVAL);
    /* a pointer with thousands of tokens over a flat document */
    {
        static char longp[12000], big[12100];
        size_t n = 0;

        for (int i = 0; i < 5000; i++)
            n += (size_t)snprintf(longp + n, sizeof longp - n, "/x");
        snprintf(big, sizeof big, "[{\"op\":\"remove\",\"path\":\"%s\"}]", longp);
        check("{\"x\":1}", big, NULL, BK_EINVAL);
    }
}

/* ---- operations ---- */

static void
test_atomic_on_failure(void **state)
{
    (void)state;
    /* the first operations apply to the copy, the last fails: nothing changes */
    check("{\"a\":1,\"b\":[1,2]}",
          "[{\"op\":\"add\",\"path\":\"/c\",\"value\":3},"
          "{\"op\":\"remove\",\"path\":\"/a\"},"
          "{\"op\":\"add\",\"path\":\"/b/0\",\"value\":0},"
          "{\"op\":\"test\",\"path\":\"/c\",\"value\":4}]",
          NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[3] (test) failed: values differ");
}

static void
test_malformed_operations(void **state)
{
    (void)state;
    check("{}", "{\"op\":\"add\"}", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch must be an array of operations");
    check("{}", "[1]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (?) failed: an operation must be a JSON object");
    check("{}", "[{\"path\":\"/a\"}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (?) failed: missing \"op\"");
    check("{}", "[{\"op\":\"merge\",\"path\":\"/a\"}]", NULL, BK_EINVAL);
    check("{}", "[{\"op\":\"ADD\",\"path\":\"/a\",\"value\":1}]", NULL, BK_EINVAL);
    check("{}", "[{\"op\":\"add\",\"value\":1}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (add) failed: missing \"path\"");
    check("{}", "[{\"op\":\"add\",\"path\":5,\"value\":1}]", NULL, BK_EINVAL);
    check("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (add) failed: missing \"value\"");
    check("{}", "[{\"op\":\"test\",\"path\":\"/a\"}]", NULL, BK_EINVAL);
    check("{\"a\":1}", "[{\"op\":\"move\",\"path\":\"/b\"}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (move) failed: missing \"from\"");
    check("{\"a\":1}", "[{\"op\":\"copy\",\"path\":\"/b\",\"from\":1}]", NULL, BK_EINVAL);
    /* a JSON null is a value */
    check("{}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":null}]", "{\"a\":null}", BK_OK);
    /* the empty patch changes nothing */
    check("{\"a\":1}", "[]", "{\"a\":1}", BK_OK);
}

static void
test_remove_replace_missing(void **state)
{
    (void)state;
    check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (remove) failed: the target does not exist");
    check("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/1\"}]", NULL, BK_EINVAL);
    check("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":1}]", NULL, BK_EINVAL);
    check("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]", NULL, BK_EINVAL);
    assert_string_equal(msg,
                        "patch[0] (add) failed: the target's parent is not an object or array");
    /* add replaces an existing member */
    check("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":2}]", "{\"a\":2}", BK_OK);
    /* replace keeps the member's place and an element's index */
    check("{\"a\":1,\"b\":2,\"c\":[1,2,3]}",
          "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":9},"
          "{\"op\":\"replace\",\"path\":\"/c/1\",\"value\":9}]",
          "{\"a\":9,\"b\":2,\"c\":[1,9,3]}", BK_OK);
}

static void
test_move_copy(void **state)
{
    (void)state;
    /* into one of its own children */
    check("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/c\"}]", NULL,
          BK_EINVAL);
    assert_string_equal(msg, "patch[0] (move) failed: cannot move a value into one of its "
                             "children");
    /* to itself: nothing happens */
    check("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]", "{\"a\":1}", BK_OK);
    /* "/ab" is not a child of "/a" */
    check("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/ab\"}]", "{\"ab\":1}", BK_OK);
    check("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/x\",\"path\":\"/b\"}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (move) failed: \"from\" does not exist");
    /* copy is deep: changing the copy leaves the source */
    check("{\"a\":{\"b\":1}}",
          "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"},"
          "{\"op\":\"replace\",\"path\":\"/c/b\",\"value\":2}]",
          "{\"a\":{\"b\":1},\"c\":{\"b\":2}}", BK_OK);
    /* an added value is the patch's own: changing it later leaves the patch */
    check("{}",
          "[{\"op\":\"add\",\"path\":\"/a\",\"value\":{\"b\":1}},"
          "{\"op\":\"add\",\"path\":\"/a/c\",\"value\":2},"
          "{\"op\":\"add\",\"path\":\"/d\",\"value\":{\"b\":1}}]",
          "{\"a\":{\"b\":1,\"c\":2},\"d\":{\"b\":1}}", BK_OK);
    /* copy the whole document into itself */
    check("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"\",\"path\":\"/b\"}]",
          "{\"a\":1,\"b\":{\"a\":1}}", BK_OK);
    check("{\"a\":[1]}", "[{\"op\":\"copy\",\"from\":\"/a/0\",\"path\":\"/a/-\"}]",
          "{\"a\":[1,1]}", BK_OK);
}

static void
test_equality(void **state)
{
    json_t *a, *b;

    (void)state;
    check("{\"n\":1,\"o\":{\"x\":[1,{\"y\":null}],\"z\":true}}",
          "[{\"op\":\"test\",\"path\":\"/n\",\"value\":1.0},"
          "{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"z\":true,\"x\":[1.0,{\"y\":null}]}}]",
          "{\"n\":1,\"o\":{\"x\":[1,{\"y\":null}],\"z\":true}}", BK_OK);
    check("{\"a\":[1,2]}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":[2,1]}]", NULL,
          BK_EINVAL);
    check("{\"a\":{\"x\":1}}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"x\":1,\"y\":2}}]",
          NULL, BK_EINVAL);
    check("{\"a\":true}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]", NULL, BK_EINVAL);
    check("{\"a\":null}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":false}]", NULL, BK_EINVAL);
    check("{}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]", NULL, BK_EINVAL);
    assert_string_equal(msg, "patch[0] (test) failed: the target does not exist");
    a = json_stringn("a\0b", 3);
    b = json_stringn("a\0c", 3);
    assert_false(jsonpatch_equal(a, b));
    assert_true(jsonpatch_equal(a, a));
    json_decref(a);
    json_decref(b);
}

/* ---- limits ---- */

static json_t *
ops(size_t n)
{
    json_t *p = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(p, json_pack("{s:s, s:s, s:i}", "op", "add", "path", "/a", "value",
                                           (int)i));
    return p;
}

static void
test_limit_operations(void **state)
{
    json_t *doc = json_object(), *p = ops(JSONPATCH_MAX_OPS), *out = NULL;

    (void)state;
    assert_int_equal(jsonpatch_apply(doc, p, &out, msg), BK_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "a")), JSONPATCH_MAX_OPS - 1);
    json_decref(out);
    json_decref(p);
    p = ops(JSONPATCH_MAX_OPS + 1);
    assert_int_equal(jsonpatch_apply(doc, p, &out, msg), BK_ETOOBIG);
    assert_null(out);
    assert_string_equal(msg, "patch has more than 1000 operations");
    assert_int_equal(jsonpatch_check(p, msg), BK_ETOOBIG);
    json_decref(p);
    json_decref(doc);
}

static void
test_limit_growth(void **state)
{
    json_t *doc = json_pack("{s:i}", "a", 1), *p = json_array(), *out = NULL;

    (void)state;
    /* each copy of the root doubles the document: capped long before 2^1000 */
    for (int i = 0; i < 40; i++)
        json_array_append_new(p, json_pack("{s:s, s:s, s:s}", "op", "copy", "from", "", "path",
                                           i % 2 ? "/b" : "/c"));
    assert_int_equal(jsonpatch_apply(doc, p, &out, msg), BK_ETOOBIG);
    assert_null(out);
    assert_non_null(strstr(msg, "too large"));
    json_decref(p);
    /* nesting: copying the root under a deep path repeatedly */
    p = json_array();
    for (int i = 0; i < 200; i++)
        json_array_append_new(p, json_pack("{s:s, s:s, s:s}", "op", "copy", "from", "", "path",
                                           "/a"));
    assert_int_equal(jsonpatch_apply(doc, p, &out, msg), BK_ETOOBIG);
    assert_non_null(strstr(msg, "nested too deeply"));
    json_decref(p);
    json_decref(doc);
}

static void
test_check_only(void **state)
{
    json_t *p = load("[{\"op\":\"add\",\"path\":\"/a\",\"value\":1},"
                     "{\"op\":\"remove\",\"path\":\"/zzz\"}]");

    (void)state;
    /* well-formed though it would fail on this document */
    assert_int_equal(jsonpatch_check(p, msg), BK_OK);
    json_decref(p);
    p = load("[{\"op\":\"add\",\"path\":\"/a\",\"value\":1},{\"op\":\"copy\",\"path\":\"/b\"}]");
    assert_int_equal(jsonpatch_check(p, msg), BK_EINVAL);
    assert_string_equal(msg, "patch[1] (copy) failed: missing \"from\"");
    json_decref(p);
}

static void
test_allocation_failures(void **state)
{
    json_t *doc = load("{\"a\":{\"b\":[1,2,3]},\"c\":\"d\"}");
    json_t *p = load("[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/e\"},"
                     "{\"op\":\"move\",\"from\":\"/a/b/0\",\"path\":\"/f~1g\"},"
                     "{\"op\":\"test\",\"path\":\"/c\",\"value\":\"d\"}]");

    (void)state;
    /* our own allocations fail one by one: errors, never crashes or leaks */
    for (unsigned long n = 1; n < 40; n++) {
        json_t *out = NULL;
        enum bk_err err;

        mem_fail_after(n, 0);
        err = jsonpatch_apply(doc, p, &out, msg);
        mem_fail_after(0, 0);
        assert_true(err == BK_OK || err == BK_ENOMEM);
        assert_true((err == BK_OK) == (out != NULL));
        json_decref(out);
    }
    json_decref(p);
    json_decref(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a1_add_object_member),
        cmocka_unit_test(test_a2_add_array_element),
        cmocka_unit_test(test_a3_remove_object_member),
        cmocka_unit_test(test_a4_remove_array_element),
        cmocka_unit_test(test_a5_replace),
        cmocka_unit_test(test_a6_move_value),
        cmocka_unit_test(test_a7_move_array_element),
        cmocka_unit_test(test_a8_test_success),
        cmocka_unit_test(test_a9_test_error),
        cmocka_unit_test(test_a10_add_nested_member),
        cmocka_unit_test(test_a11_ignore_unrecognized_members),
        cmocka_unit_test(test_a12_add_to_nonexistent_target),
        cmocka_unit_test(test_a13_invalid_patch_document),
        cmocka_unit_test(test_a14_tilde_escape_ordering),
        cmocka_unit_test(test_a15_compare_string_and_number),
        cmocka_unit_test(test_a16_add_array_value),
        cmocka_unit_test(test_pointer_escapes),
        cmocka_unit_test(test_pointer_array_indexes),
        cmocka_unit_test(test_pointer_root),
        cmocka_unit_test(test_deep_pointers),
        cmocka_unit_test(test_atomic_on_failure),
        cmocka_unit_test(test_malformed_operations),
        cmocka_unit_test(test_remove_replace_missing),
        cmocka_unit_test(test_move_copy),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_limit_operations),
        cmocka_unit_test(test_limit_growth),
        cmocka_unit_test(test_check_only),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
