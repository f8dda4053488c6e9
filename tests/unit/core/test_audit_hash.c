/* An audit event's chain hash is a fixed function of its fields: known
 * answers computed with the definition every stored chain was written with
 * (SHA-256 over prev_hash, tenant, atoken, record, when, action, who, mode,
 * status, msg and sealed, each preceded by its length as 8 bytes big-endian).
 * A change of how it is computed must not change a single answer, or every
 * existing vault would fail audit-verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/audit.h"

/* computed by the function as it was at b0f7788 */
#define KA_READ "eb3468ba6583b8f8fcf95fe1cef297c7c5037a7b039612c1548fa019c7177921"
#define KA_NO_SEALED "c51bed486dc4e8e1353acf3ea30f077b2331fa2a2168d8004d83efdebc5ca835"
#define KA_BIG "8e72f02fb92d25eff2703fe6ddf3258a63ba8fe49d0d2d6b6c3440f02e3a3f80"
#define KA_LONGEST "6ef8613c77d7016691207425ab6a9464a1ff6910382dcfe7d5c3ed128117e316"
#define KA_EMPTY "3d6b3431b3511e91ddfa3621dd1633e29fb7a3eff7870d67acb01d09af72a18c"

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
    for (int i = 0; i < STORE_HASH_LEN; i++)
        r->prev_hash[i] = (uint8_t)(i * 7 + 1);
    r->sealed = sealed;
    r->sealed_len = sealed_len;
}

static void
hex(const uint8_t *h, char out[2 * STORE_HASH_LEN + 1])
{
    for (int i = 0; i < STORE_HASH_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void
check(const struct audit_row *r, const char *want)
{
    uint8_t h[STORE_HASH_LEN];
    char got[2 * STORE_HASH_LEN + 1];

    assert_int_equal(audit_row_hash(r, h), BK_OK);
    hex(h, got);
    assert_string_equal(got, want);
}

static uint8_t big[70000];

static void
test_known_answers(void **state)
{
    struct audit_row r;
    uint8_t sealed[100];

    (void)state;
    for (size_t i = 0; i < sizeof sealed; i++)
        sealed[i] = (uint8_t)(255 - i);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 31);
    sample(&r, sealed, sizeof sealed);
    check(&r, KA_READ);
    sample(&r, NULL, 0);
    check(&r, KA_NO_SEALED);
    sample(&r, big, sizeof big);
    check(&r, KA_BIG);
    /* every field at its longest */
    sample(&r, sealed, 1);
    memset(r.action, 'a', sizeof r.action - 1);
    memset(r.who, 'w', sizeof r.who - 1);
    memset(r.mode, 'm', sizeof r.mode - 1);
    memset(r.status, 's', sizeof r.status - 1);
    memset(r.msg, 'g', sizeof r.msg - 1);
    r.tenant = -1;
    r.when = INT64_MIN;
    check(&r, KA_LONGEST);
    /* empty strings */
    sample(&r, sealed, 3);
    r.record[0] = r.msg[0] = r.who[0] = '\0';
    check(&r, KA_EMPTY);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
