/* Wrapping key shares: split into 5 texts, any 3 rebuild the key, and the
 * rebuilt key is accepted only when it opens the wrapped master key given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "core/wrapkey.h"
#include "vault/keys.h"

static void
pick(const struct wrapkey_shares *s, int a, int b, int c, const char *t[3], size_t l[3])
{
    int idx[3] = { a, b, c };

    for (int i = 0; i < 3; i++) {
        t[i] = s->text[idx[i]];
        l[i] = strlen(t[i]);
    }
}

static void
test_split_combine_check(void **state)
{
    char wk[WRAPKEY_HEX_LEN + 1], other[WRAPKEY_HEX_LEN + 1], got[WRAPKEY_HEX_LEN + 1];
    uint8_t mk[32] = { 7 }, *box = NULL, *box2 = NULL;
    size_t box_len = 0, box2_len = 0, l[3];
    struct wrapkey_shares s, o;
    struct wrapkey_report rep;
    const char *t[3];

    (void)state;
    assert_int_equal(wrapkey_new(wk), BK_OK);
    assert_int_equal(strlen(wk), 64);
    assert_int_equal(wrapkey_new(other), BK_OK);
    assert_string_not_equal(wk, other);
    assert_int_equal(keys_wrap_master(wk, mk, sizeof mk, &box, &box_len), BK_OK);
    assert_int_equal(keys_wrap_master(other, mk, sizeof mk, &box2, &box2_len), BK_OK);
    assert_int_equal(wrapkey_split(wk, &s), BK_OK);
    assert_int_equal(wrapkey_split(other, &o), BK_OK);
    for (int a = 0; a < 5; a++) {
        for (int b = a + 1; b < 5; b++) {
            for (int c = b + 1; c < 5; c++) {
                pick(&s, c, a, b, t, l);
                assert_int_equal(wrapkey_combine(t, l, 3, box, box_len, got, &rep), BK_OK);
                assert_string_equal(got, wk);
                assert_int_equal(rep.x[0], c + 1);
                assert_int_equal(rep.x[1], a + 1);
            }
        }
    }
    /* without a box: any consistent set; with another vault's box: refused */
    pick(&o, 0, 1, 2, t, l);
    assert_int_equal(wrapkey_combine(t, l, 3, NULL, 0, got, &rep), BK_OK);
    assert_string_equal(got, other);
    assert_int_equal(wrapkey_combine(t, l, 3, box, box_len, got, &rep), BK_EINVAL);
    assert_string_equal(rep.why, "shares do not reconstruct this vault's wrapping key");
    assert_int_equal(rep.index, -1);
    assert_string_equal(got, "");
    /* the share at fault is named */
    pick(&s, 0, 1, 2, t, l);
    l[1] -= 1;
    assert_int_equal(wrapkey_combine(t, l, 3, box, box_len, got, &rep), BK_EINVAL);
    assert_int_equal(rep.index, 1);
    assert_int_equal(wrapkey_combine(t, l, 2, box, box_len, got, &rep), BK_EINVAL);
    assert_string_equal(rep.why, "exactly 3 key shares are needed");
    assert_int_equal(wrapkey_split("abc", &s), BK_EINVAL);
    wrapkey_shares_wipe(&s);
    wrapkey_shares_wipe(&o);
    mem_free(box);
    mem_free(box2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_combine_check),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
