/* Shamir secret sharing over GF(2^8), written from the construction: the
 * field is GF(2)[x] modulo x^8 + x^4 + x^3 + x + 1 (AES's), addition is XOR,
 * products are shift-and-add with masks instead of log/exp tables, so no
 * memory access or branch depends on a secret byte. Intermediates are wiped. */
#include "shamir.h"

#include <string.h>

#include "kdf.h"
#include "secbuf.h"

#define SHAMIR_TAG "dbs1"

uint8_t
shamir_gf_mul(uint8_t a, uint8_t b)
{
    unsigned r = 0, x = a, y = b;

    /* Russian-peasant product: for each bit of <y> add <x> under a mask,
     * then multiply <x> by the generator, reducing by 0x11b under a mask. */
    for (int i = 0; i < 8; i++) {
        r ^= x & (0u - (y & 1u));
        y >>= 1;
        x = ((x << 1) ^ (0x11bu & (0u - ((x >> 7) & 1u)))) & 0xffu;
    }
    return (uint8_t)r;
}

/* a^254, the inverse of a non-zero <a> (a^255 = 1), by a fixed sequence of
 * squarings and products: 254 = 2 + 4 + ... + 128. */
static uint8_t
gf_inv(uint8_t a)
{
    uint8_t sq = a, r = 1;

    for (int i = 1; i < 8; i++) {
        sq = shamir_gf_mul(sq, sq);
        r = shamir_gf_mul(r, sq);
    }
    return r;
}

void
shamir_share_wipe(struct shamir_share *s, size_t n)
{
    secbuf_wipe(s, n * sizeof *s);
}

enum bk_err
shamir_split(const uint8_t *secret, size_t len, unsigned threshold, unsigned n,
             struct shamir_share *out)
{
    uint8_t coef[SHAMIR_SHARES_MAX], set[SHAMIR_SET_LEN];
    enum bk_err err = BK_OK;

    if (len == 0 || len > SHAMIR_SECRET_MAX || threshold < 2 || threshold > n ||
        n > SHAMIR_SHARES_MAX)
        return BK_EINVAL;
    shamir_share_wipe(out, n);
    err = kdf_random(set, sizeof set);
    for (unsigned i = 0; i < n && err == BK_OK; i++) {
        out[i].x = (uint8_t)(i + 1);
        memcpy(out[i].set, set, sizeof set);
        out[i].len = len;
    }
    for (size_t b = 0; b < len && err == BK_OK; b++) {
        /* coef[0] is the secret byte, coef[1..threshold-1] uniformly random
         * (a zero leading coefficient included: that is what makes any
         * threshold-1 shares uniform whatever the secret). */
        coef[0] = secret[b];
        err = kdf_random(coef + 1, threshold - 1);
        for (unsigned i = 0; i < n && err == BK_OK; i++) {
            uint8_t y = coef[threshold - 1];

            for (unsigned d = threshold - 1; d > 0; d--)
                y = (uint8_t)(shamir_gf_mul(y, out[i].x) ^ coef[d - 1]);
            out[i].y[b] = y;
        }
    }
    secbuf_wipe(coef, sizeof coef);
    if (err != BK_OK)
        shamir_share_wipe(out, n);
    return err;
}

static enum bk_err
refuse(const char **why, const char *msg)
{
    if (why != NULL)
        *why = msg;
    return BK_EINVAL;
}

enum bk_err
shamir_combine(const struct shamir_share *s, size_t k, uint8_t *out, size_t out_max,
               size_t *out_len, const char **why)
{
    uint8_t acc[SHAMIR_SECRET_MAX];
    size_t len;

    *out_len = 0;
    if (k < 2 || k > SHAMIR_SHARES_MAX)
        return refuse(why, "at least 2 key shares are needed");
    len = s[0].len;
    for (size_t j = 0; j < k; j++) {
        if (s[j].x == 0 || s[j].len == 0 || s[j].len > SHAMIR_SECRET_MAX)
            return refuse(why, "malformed key share");
        if (s[j].len != len)
            return refuse(why, "key shares have different lengths");
        if (memcmp(s[j].set, s[0].set, SHAMIR_SET_LEN) != 0)
            return refuse(why, "key shares come from different sets");
        for (size_t m = 0; m < j; m++) {
            if (s[m].x == s[j].x)
                return refuse(why, "the same key share was given twice");
        }
    }
    if (len > out_max)
        return BK_EINVAL;
    memset(acc, 0, sizeof acc);
    for (size_t j = 0; j < k; j++) {
        /* The Lagrange basis polynomial of x_j at 0: the product over m != j
         * of x_m / (x_m - x_j); in characteristic 2, minus is XOR. The x's
         * are public; only the y's are secret. */
        uint8_t num = 1, den = 1, l;

        for (size_t m = 0; m < k; m++) {
            if (m == j)
                continue;
            num = shamir_gf_mul(num, s[m].x);
            den = shamir_gf_mul(den, (uint8_t)(s[m].x ^ s[j].x));
        }
        l = shamir_gf_mul(num, gf_inv(den));
        for (size_t b = 0; b < len; b++)
            acc[b] ^= shamir_gf_mul(l, s[j].y[b]);
    }
    memcpy(out, acc, len);
    *out_len = len;
    secbuf_wipe(acc, sizeof acc);
    return BK_OK;
}

/* ------------------------------------------------------------- text form */

/* Hex of <n> bytes; the digit is picked by arithmetic, not by indexing a
 * table with the secret nibble. */
static void
hex_put(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        for (int h = 0; h < 2; h++) {
            unsigned v = h == 0 ? in[i] >> 4 : in[i] & 0x0fu;
            /* '0' + v, plus 'a' - '0' - 10 when v > 9 */
            unsigned over = ((9u - v) >> 8) & 1u;

            out[2 * i + (size_t)h] = (char)('0' + v + (over * ('a' - '0' - 10)));
        }
    }
}

/* 1 when lo <= c <= hi (all below 256), without a branch. */
static unsigned
in_range(unsigned c, unsigned lo, unsigned hi)
{
    return 1u ^ ((((c - lo) | (hi - c)) >> 31) & 1u);
}

/* Decode 2*n hex digits into <out>; 0 when any is not a hex digit. */
static int
hex_get(const char *in, size_t n, uint8_t *out)
{
    unsigned bad = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;

        for (int h = 0; h < 2; h++) {
            unsigned c = (unsigned char)in[2 * i + (size_t)h];
            unsigned lc = c | 0x20u;
            unsigned is_d = in_range(c, '0', '9'), is_l = in_range(lc, 'a', 'f');

            v = (v << 4) | (((0u - is_d) & (c - '0')) | ((0u - is_l) & (lc - 'a' + 10u)));
            bad |= 1u ^ (is_d | is_l);
        }
        out[i] = (uint8_t)v;
    }
    return bad == 0;
}

static enum bk_err
share_check(const struct shamir_share *s, uint8_t out[SHAMIR_CHECK_LEN])
{
    uint8_t msg[4 + 1 + SHAMIR_SET_LEN + SHAMIR_SECRET_MAX], h[KDF_HASH_LEN];
    size_t n = 0;
    enum bk_err err;

    memcpy(msg, SHAMIR_TAG, 4);
    n = 4;
    msg[n++] = s->x;
    memcpy(msg + n, s->set, SHAMIR_SET_LEN);
    n += SHAMIR_SET_LEN;
    memcpy(msg + n, s->y, s->len);
    n += s->len;
    err = kdf_sha256(msg, n, h);
    if (err == BK_OK)
        memcpy(out, h, SHAMIR_CHECK_LEN);
    secbuf_wipe(msg, sizeof msg);
    secbuf_wipe(h, sizeof h);
    return err;
}

enum bk_err
shamir_share_format(const struct shamir_share *s, char out[SHAMIR_TEXT_MAX])
{
    uint8_t check[SHAMIR_CHECK_LEN];
    size_t n = 0;
    enum bk_err err;

    out[0] = '\0';
    if (s->x == 0 || s->len == 0 || s->len > SHAMIR_SECRET_MAX)
        return BK_EINVAL;
    err = share_check(s, check);
    if (err != BK_OK)
        return err;
    memcpy(out, SHAMIR_TAG "-", 5);
    n = 5;
    if (s->x >= 100)
        out[n++] = (char)('0' + s->x / 100);
    if (s->x >= 10)
        out[n++] = (char)('0' + s->x / 10 % 10);
    out[n++] = (char)('0' + s->x % 10);
    out[n++] = '-';
    hex_put(s->set, SHAMIR_SET_LEN, out + n);
    n += 2 * SHAMIR_SET_LEN;
    out[n++] = '-';
    hex_put(s->y, s->len, out + n);
    n += 2 * s->len;
    out[n++] = '-';
    hex_put(check, SHAMIR_CHECK_LEN, out + n);
    n += 2 * SHAMIR_CHECK_LEN;
    out[n] = '\0';
    return BK_OK;
}

static int
is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* x in decimal: 1..255, no sign, no leading zero. 0 when malformed. */
static unsigned
parse_x(const char *p, size_t n)
{
    unsigned v = 0;

    if (n == 0 || n > 3 || p[0] == '0')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    return v <= 255 ? v : 0;
}

enum bk_err
shamir_share_parse(const char *text, size_t len, struct shamir_share *out, const char **why)
{
    const char *f[5];
    size_t flen[5], nf = 0, start = 0;
    uint8_t check[SHAMIR_CHECK_LEN], want[SHAMIR_CHECK_LEN];
    unsigned x;
    enum bk_err err;

    shamir_share_wipe(out, 1);
    while (len > 0 && is_space(text[0])) {
        text++;
        len--;
    }
    while (len > 0 && is_space(text[len - 1]))
        len--;
    if (len < 4 || memcmp(text, "dbs", 3) != 0 || text[3] < '0' || text[3] > '9')
        return refuse(why, "not a databunker key share (a share starts with dbs1-)");
    if (text[3] != '1' || (len > 4 && text[4] >= '0' && text[4] <= '9'))
        return refuse(why, "unsupported key share version (this version reads dbs1 shares)");
    if (len < 5 || text[4] != '-')
        return refuse(why, "malformed key share: a field is missing");
    if (len > SHAMIR_TEXT_MAX - 1)
        return refuse(why, "malformed key share: too long");
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '-')
            continue;
        if (nf == 5)
            return refuse(why, "malformed key share: too many fields");
        f[nf] = text + start;
        flen[nf++] = i - start;
        start = i + 1;
    }
    if (nf != 5)
        return refuse(why, "malformed key share: a field is missing");
    x = parse_x(f[1], flen[1]);
    if (x == 0)
        return refuse(why, "malformed key share: bad share number");
    if (flen[2] != 2 * SHAMIR_SET_LEN || flen[4] != 2 * SHAMIR_CHECK_LEN ||
        flen[3] == 0 || flen[3] % 2 != 0 || flen[3] > 2 * SHAMIR_SECRET_MAX)
        return refuse(why, "malformed key share: a field has the wrong length");
    out->x = (uint8_t)x;
    out->len = flen[3] / 2;
    if (!hex_get(f[2], SHAMIR_SET_LEN, out->set) || !hex_get(f[3], out->len, out->y) ||
        !hex_get(f[4], SHAMIR_CHECK_LEN, want)) {
        shamir_share_wipe(out, 1);
        return refuse(why, "malformed key share: not hexadecimal");
    }
    err = share_check(out, check);
    if (err == BK_OK && !secbuf_equal(check, want, SHAMIR_CHECK_LEN))
        err = refuse(why, "key share checksum mismatch: mistyped or altered");
    if (err != BK_OK)
        shamir_share_wipe(out, 1);
    return err;
}
