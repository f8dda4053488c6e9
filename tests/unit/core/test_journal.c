/* The read journal's record format: a record encodes and decodes back to the
 * same row; a torn, altered or foreign record never decodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "core/journalrec.h"

static void
sample(struct audit_row *r, uint8_t *sealed, size_t sealed_len)
{
    memset(r, 0, sizeof *r);
    r->tenant = 7;
    r->when = 1764300000;
    memcpy(r->atoken, "01930000-0000-7000-8000-000000000001", 36);
    memcpy(r->record, "5a0a6f1c-3c57-4a3e-9d44-0c1f0d6c2b11", 36);
    memcpy(r->action, "UserGet", 7);
    memcpy(r->who, "root", 4);
    memcpy(r->mode, "email", 5);
    memcpy(r->status, "ok", 2);
    memcpy(r->msg, "version 3", 9);
    r->sealed = sealed;
    r->sealed_len = sealed_len;
}

static void
test_round_trip(void **state)
{
    uint8_t sealed[300], *buf = NULL;
    struct audit_row in, out;
    size_t len = 0, used = 0;

    (void)state;
    for (size_t i = 0; i < sizeof sealed; i++)
        sealed[i] = (uint8_t)(i * 7 + 1);
    sample(&in, sealed, sizeof sealed);
    assert_int_equal(journal_encode(&in, &buf, &len), BK_OK);
    assert_int_equal(journal_decode(buf, len, &out, &used), BK_OK);
    assert_int_equal(used, len);
    assert_int_equal(out.tenant, 7);
    assert_int_equal(out.when, 1764300000);
    assert_string_equal(out.atoken, in.atoken);
    assert_string_equal(out.record, in.record);
    assert_string_equal(out.action, "UserGet");
    assert_string_equal(out.who, "root");
    assert_string_equal(out.mode, "email");
    assert_string_equal(out.status, "ok");
    assert_string_equal(out.msg, "version 3");
    assert_int_equal(out.sealed_len, sizeof sealed);
    assert_memory_equal(out.sealed, sealed, sizeof sealed);
    store_audit_row_cleanup(&out);
    mem_free(buf);
}

static void
test_no_sealed_part(void **state)
{
    struct audit_row in, out;
    uint8_t *buf = NULL;
    size_t len = 0, used = 0;

    (void)state;
    sample(&in, NULL, 0);
    in.record[0] = '\0';
    assert_int_equal(journal_encode(&in, &buf, &len), BK_OK);
    assert_int_equal(journal_decode(buf, len, &out, &used), BK_OK);
    assert_null(out.sealed);
    assert_string_equal(out.record, "");
    store_audit_row_cleanup(&out);
    mem_free(buf);
}

static void
test_torn_and_altered(void **state)
{
    uint8_t sealed[40] = { 1, 2, 3 }, *buf = NULL;
    struct audit_row in, out;
    size_t len = 0, used = 0;

    (void)state;
    sample(&in, sealed, sizeof sealed);
    assert_int_equal(journal_encode(&in, &buf, &len), BK_OK);
    /* every cut short of the whole record */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(journal_decode(buf, cut, &out, &used), BK_ECORRUPT);
    /* any one byte changed */
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x40;
        assert_int_equal(journal_decode(buf, len, &out, &used), BK_ECORRUPT);
        buf[i] ^= 0x40;
    }
    assert_int_equal(journal_decode(buf, len, &out, &used), BK_OK);
    store_audit_row_cleanup(&out);
    mem_free(buf);
}

static void
test_two_records_back_to_back(void **state)
{
    struct audit_row a, b, out;
    uint8_t *ba = NULL, *bb = NULL, both[2048];
    size_t la = 0, lb = 0, used = 0;

    (void)state;
    sample(&a, NULL, 0);
    sample(&b, NULL, 0);
    b.atoken[35] = '2';
    assert_int_equal(journal_encode(&a, &ba, &la), BK_OK);
    assert_int_equal(journal_encode(&b, &bb, &lb), BK_OK);
    assert_true(la + lb <= sizeof both);
    memcpy(both, ba, la);
    memcpy(both + la, bb, lb);
    assert_int_equal(journal_decode(both, la + lb, &out, &used), BK_OK);
    assert_int_equal(used, la);
    assert_string_equal(out.atoken, a.atoken);
    store_audit_row_cleanup(&out);
    assert_int_equal(journal_decode(both + used, la + lb - used, &out, &used), BK_OK);
    assert_string_equal(out.atoken, b.atoken);
    store_audit_row_cleanup(&out);
    mem_free(ba);
    mem_free(bb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_no_sealed_part),
        cmocka_unit_test(test_torn_and_altered),
        cmocka_unit_test(test_two_records_back_to_back),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
