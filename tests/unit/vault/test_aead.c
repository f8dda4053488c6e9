/* AES-256-GCM: the NIST known answers (McGrew-Viega test cases 13-18, the
 * 256-bit key ones), sealed-box round trips, and every kind of tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/hex.h"
#include "base/mem.h"
#include "vault/aead.h"
#include "vault/secbuf.h"

struct kat {
    const char *key, *iv, *pt, *ad, *ct, *tag;
};

#define TC_KEY "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
#define TC_PT60                                                                    \
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"             \
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define TC_AD "feedfacedeadbeeffeedfacedeadbeefabaddad2"

static const struct kat kats[] = {
    /* test case 13: empty plaintext, zero key and IV */
    { "0000000000000000000000000000000000000000000000000000000000000000",
      "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
    /* test case 14: one zero block */
    { "0000000000000000000000000000000000000000000000000000000000000000",
      "000000000000000000000000", "00000000000000000000000000000000", "",
      "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
    /* test case 15: four blocks, no associated data */
    { TC_KEY, "cafebabefacedbaddecaf888", TC_PT60 "1aafd255", "",
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
      "b094dac5d93471bdec1a502270e3cc6c" },
    /* test case 16: partial last block, with associated data */
    { TC_KEY, "cafebabefacedbaddecaf888", TC_PT60, TC_AD,
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
      "76fc6ece0f4e1768cddf8853bb2d551b" },
    /* test case 17: 64-bit IV */
    { TC_KEY, "cafebabefacedbad", TC_PT60, TC_AD,
      "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0"
      "feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f",
      "3a337dbf46a792c45e454913fe2ea8f2" },
    /* test case 18: 60-byte IV */
    { TC_KEY,
      "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
      "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
      TC_PT60, TC_AD,
      "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4"
      "0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f",
      "a44a8266ee1c8eb0c8b5d4cf5ae9f19a" },
};

static size_t
unhex(const char *hex, uint8_t *out, size_t out_max)
{
    size_t n = 0;

    assert_int_equal(hex_decode(hex, strlen(hex), out, out_max, &n), BK_OK);
    return n;
}

static void
test_gcm_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        const struct kat *t = &kats[i];
        uint8_t key[32], iv[64], pt[64], ad[32], ct[64], tag[16];
        uint8_t got_ct[64], got_tag[16], got_pt[64];
        size_t iv_len, pt_len, ad_len, ct_len;

        assert_int_equal(unhex(t->key, key, sizeof key), 32);
        iv_len = unhex(t->iv, iv, sizeof iv);
        pt_len = unhex(t->pt, pt, sizeof pt);
        ad_len = unhex(t->ad, ad, sizeof ad);
        ct_len = unhex(t->ct, ct, sizeof ct);
        assert_int_equal(unhex(t->tag, tag, sizeof tag), 16);
        assert_int_equal(ct_len, pt_len);

        memset(got_tag, 0, sizeof got_tag);
        assert_int_equal(aead_gcm_encrypt(key, iv, iv_len, ad, ad_len, pt, pt_len, got_ct,
                                          got_tag),
                         BK_OK);
        assert_memory_equal(got_ct, ct, ct_len);
        assert_memory_equal(got_tag, tag, 16);

        memset(got_pt, 0xaa, sizeof got_pt);
        assert_int_equal(aead_gcm_decrypt(key, iv, iv_len, ad, ad_len, ct, ct_len, tag, got_pt),
                         BK_OK);
        assert_memory_equal(got_pt, pt, pt_len);

        /* the same vector with one tag bit changed does not verify */
        tag[15] ^= 0x01;
        assert_int_equal(aead_gcm_decrypt(key, iv, iv_len, ad, ad_len, ct, ct_len, tag, got_pt),
                         BK_ECORRUPT);
        tag[15] ^= 0x01;
        /* nor with the associated data dropped or added */
        if (ad_len > 0)
            assert_int_equal(aead_gcm_decrypt(key, iv, iv_len, NULL, 0, ct, ct_len, tag, got_pt),
                             BK_ECORRUPT);
        else
            assert_int_equal(aead_gcm_decrypt(key, iv, iv_len, "x", 1, ct, ct_len, tag, got_pt),
                             BK_ECORRUPT);
    }
}

static const uint8_t key_a[AEAD_KEY_LEN] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
static const char ad_a[] = "tenant=1;kind=user;token=6a1f";
static const char pt_a[] = "{\"email\":\"user@example.com\",\"name\":\"A\"}";

static int
contains(const uint8_t *hay, size_t hay_len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= hay_len; i++) {
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    }
    return 0;
}

static void
seal_a(uint8_t **box, size_t *box_len)
{
    assert_int_equal(aead_seal(key_a, ad_a, strlen(ad_a), pt_a, strlen(pt_a), box, box_len),
                     BK_OK);
    assert_non_null(*box);
}

static void
expect_open_fails(const uint8_t *key, const void *ad, size_t ad_len, const uint8_t *box,
                  size_t box_len)
{
    uint8_t *out = (uint8_t *)"sentinel";
    size_t out_len = 99;

    assert_int_equal(aead_open(key, ad, ad_len, box, box_len, &out, &out_len), BK_ECORRUPT);
    assert_null(out);
    assert_int_equal(out_len, 0);
}

static void
test_seal_open_round_trip(void **state)
{
    uint8_t *box = NULL, *box2 = NULL, *out = NULL;
    size_t box_len = 0, box2_len = 0, out_len = 0;

    (void)state;
    seal_a(&box, &box_len);
    assert_int_equal(box_len, strlen(pt_a) + AEAD_OVERHEAD);
    assert_int_equal(box[0], AEAD_VERSION);
    /* the plaintext does not appear in the box */
    assert_false(contains(box, box_len, "user@example.com"));
    assert_int_equal(aead_open(key_a, ad_a, strlen(ad_a), box, box_len, &out, &out_len), BK_OK);
    assert_int_equal(out_len, strlen(pt_a));
    assert_memory_equal(out, pt_a, out_len);
    assert_int_equal(out[out_len], '\0');
    secbuf_free(out, out_len + 1);

    /* a fresh nonce each time: the same input seals differently */
    seal_a(&box2, &box2_len);
    assert_int_equal(box2_len, box_len);
    assert_memory_not_equal(box + 1, box2 + 1, AEAD_NONCE_LEN);
    assert_memory_not_equal(box + 1 + AEAD_NONCE_LEN, box2 + 1 + AEAD_NONCE_LEN,
                            box_len - 1 - AEAD_NONCE_LEN);
    mem_free(box);
    mem_free(box2);
}

static void
test_empty_plaintext(void **state)
{
    uint8_t *box = NULL, *out = NULL;
    size_t box_len = 0, out_len = 7;

    (void)state;
    assert_int_equal(aead_seal(key_a, ad_a, strlen(ad_a), "", 0, &box, &box_len), BK_OK);
    assert_int_equal(box_len, AEAD_OVERHEAD);
    assert_int_equal(aead_open(key_a, ad_a, strlen(ad_a), box, box_len, &out, &out_len), BK_OK);
    assert_non_null(out);
    assert_int_equal(out_len, 0);
    assert_int_equal(out[0], '\0');
    secbuf_free(out, 1);
    /* even an empty box is authenticated */
    box[box_len - 1] ^= 0x80;
    expect_open_fails(key_a, ad_a, strlen(ad_a), box, box_len);
    mem_free(box);

    /* and without associated data at all */
    assert_int_equal(aead_seal(key_a, NULL, 0, "", 0, &box, &box_len), BK_OK);
    assert_int_equal(aead_open(key_a, NULL, 0, box, box_len, &out, &out_len), BK_OK);
    assert_int_equal(out_len, 0);
    secbuf_free(out, 1);
    mem_free(box);
}

static void
test_large_plaintext(void **state)
{
    size_t n = 300000;
    uint8_t *pt = mem_alloc(n), *box = NULL, *out = NULL;
    size_t box_len = 0, out_len = 0;

    (void)state;
    assert_non_null(pt);
    for (size_t i = 0; i < n; i++)
        pt[i] = (uint8_t)(i * 31 + 7);
    assert_int_equal(aead_seal(key_a, ad_a, strlen(ad_a), pt, n, &box, &box_len), BK_OK);
    assert_int_equal(box_len, n + AEAD_OVERHEAD);
    assert_int_equal(aead_open(key_a, ad_a, strlen(ad_a), box, box_len, &out, &out_len), BK_OK);
    assert_int_equal(out_len, n);
    assert_memory_equal(out, pt, n);
    secbuf_free(out, out_len + 1);
    mem_free(box);
    mem_free(pt);
}

/* Every single bit of nonce, ciphertext and tag matters. */
static void
test_every_bit_flip_fails(void **state)
{
    uint8_t *box = NULL;
    size_t box_len = 0;

    (void)state;
    seal_a(&box, &box_len);
    for (size_t i = 1; i < box_len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            box[i] ^= (uint8_t)(1u << bit);
            expect_open_fails(key_a, ad_a, strlen(ad_a), box, box_len);
            box[i] ^= (uint8_t)(1u << bit);
        }
    }
    mem_free(box);
}

static void
test_wrong_place_fails(void **state)
{
    static const char other_ad[] = "tenant=2;kind=user;token=6a1f";
    uint8_t *box = NULL, key_b[AEAD_KEY_LEN];
    size_t box_len = 0;
    char ad_flip[sizeof ad_a];

    (void)state;
    seal_a(&box, &box_len);
    /* associated data of another place, none, shorter, longer */
    expect_open_fails(key_a, other_ad, strlen(other_ad), box, box_len);
    expect_open_fails(key_a, NULL, 0, box, box_len);
    expect_open_fails(key_a, ad_a, strlen(ad_a) - 1, box, box_len);
    expect_open_fails(key_a, ad_a, sizeof ad_a, box, box_len);   /* with the NUL */
    /* any one bit of the associated data */
    memcpy(ad_flip, ad_a, sizeof ad_a);
    for (size_t i = 0; i < strlen(ad_a); i++) {
        ad_flip[i] ^= 0x20;
        expect_open_fails(key_a, ad_flip, strlen(ad_a), box, box_len);
        ad_flip[i] ^= 0x20;
    }
    /* another key */
    memcpy(key_b, key_a, sizeof key_b);
    key_b[31] ^= 1;
    expect_open_fails(key_b, ad_a, strlen(ad_a), box, box_len);
    mem_free(box);
}

static void
test_short_and_versioned_boxes_fail(void **state)
{
    uint8_t *box = NULL;
    size_t box_len = 0;

    (void)state;
    seal_a(&box, &box_len);
    /* truncated anywhere, down to nothing */
    for (size_t n = 0; n < box_len; n++)
        expect_open_fails(key_a, ad_a, strlen(ad_a), box, n);
    expect_open_fails(key_a, ad_a, strlen(ad_a), NULL, 0);
    expect_open_fails(key_a, ad_a, strlen(ad_a), NULL, box_len);
    /* a version byte we do not know */
    for (unsigned v = 0; v < 256; v++) {
        if (v == AEAD_VERSION)
            continue;
        box[0] = (uint8_t)v;
        expect_open_fails(key_a, ad_a, strlen(ad_a), box, box_len);
    }
    mem_free(box);
}

static void
test_extended_box_fails(void **state)
{
    uint8_t *box = NULL, *longer;
    size_t box_len = 0;

    (void)state;
    seal_a(&box, &box_len);
    longer = mem_alloc(box_len + 1);
    assert_non_null(longer);
    memcpy(longer, box, box_len);
    longer[box_len] = 0;
    expect_open_fails(key_a, ad_a, strlen(ad_a), longer, box_len + 1);
    mem_free(longer);
    mem_free(box);
}

static void
test_allocation_failure(void **state)
{
    uint8_t *box = NULL, *out = (uint8_t *)"x";
    size_t box_len = 5, out_len = 5;

    (void)state;
    mem_fail_after(1, 0);
    assert_int_equal(aead_seal(key_a, ad_a, strlen(ad_a), pt_a, strlen(pt_a), &box, &box_len),
                     BK_ENOMEM);
    assert_null(box);
    assert_int_equal(box_len, 0);
    seal_a(&box, &box_len);
    mem_fail_after(1, 0);
    assert_int_equal(aead_open(key_a, ad_a, strlen(ad_a), box, box_len, &out, &out_len),
                     BK_ENOMEM);
    mem_fail_after(0, 0);
    assert_null(out);
    assert_int_equal(out_len, 0);
    mem_free(box);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gcm_known_answers),
        cmocka_unit_test(test_seal_open_round_trip),
        cmocka_unit_test(test_empty_plaintext),
        cmocka_unit_test(test_large_plaintext),
        cmocka_unit_test(test_every_bit_flip_fails),
        cmocka_unit_test(test_wrong_place_fails),
        cmocka_unit_test(test_short_and_versioned_boxes_fail),
        cmocka_unit_test(test_extended_box_fails),
        cmocka_unit_test(test_allocation_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
