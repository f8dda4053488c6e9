/* Format-preserving token values: Luhn-valid card numbers of the input's shape
 * and random email addresses. Must not keep more of a card number than the
 * header says, and must never return the input as its own token. */
#include "fptoken.h"

#include <stdint.h>
#include <string.h>

#define MAKE_TRIES 64   /* redraws before giving up on a token that equals its input */
#define DRAW_ROUNDS 64  /* refills of random bytes before a source is deemed broken */

static const char *const type_names[] = { "", "creditcard", "email" };

enum bk_err
fptoken_type_parse(const char *s, size_t len, enum fptoken_type *out)
{
    for (int t = FPTOKEN_CREDITCARD; t <= FPTOKEN_EMAIL; t++) {
        if (s != NULL && len == strlen(type_names[t]) && memcmp(s, type_names[t], len) == 0) {
            *out = (enum fptoken_type)t;
            return BK_OK;
        }
    }
    return BK_EINVAL;
}

const char *
fptoken_type_name(enum fptoken_type t)
{
    return t == FPTOKEN_CREDITCARD || t == FPTOKEN_EMAIL ? type_names[t] : "";
}

/* What digit <d> adds to the Luhn sum at a position that is doubled or not. */
static int
luhn_part(int d, int doubled)
{
    if (!doubled)
        return d;
    return 2 * d > 9 ? 2 * d - 9 : 2 * d;
}

int
fptoken_luhn_valid(const char *digits, size_t n)
{
    int sum = 0;

    if (digits == NULL || n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return 0;
        sum += luhn_part(digits[i] - '0', (n - 1 - i) % 2 == 1);
    }
    return sum % 10 == 0;
}

/* The digits of a card number as written, into <digits> (FPTOKEN_CARD_MAX + 1). */
static enum bk_err
card_digits(const char *in, size_t len, char *digits, size_t *n_out)
{
    size_t n = 0;

    *n_out = 0;
    digits[0] = '\0';
    if (in == NULL || len == 0 || len > FPTOKEN_CARD_TEXT_MAX)
        return BK_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (in[i] >= '0' && in[i] <= '9') {
            if (n == FPTOKEN_CARD_MAX)
                return BK_EINVAL;
            digits[n++] = in[i];
        } else if (in[i] != ' ' && in[i] != '-') {
            return BK_EINVAL;
        }
    }
    digits[n] = '\0';
    if (n < FPTOKEN_CARD_MIN || !fptoken_luhn_valid(digits, n))
        return BK_EINVAL;
    *n_out = n;
    return BK_OK;
}

enum bk_err
fptoken_normalize(enum fptoken_type t, const char *in, size_t len, char *out, size_t *out_len)
{
    enum bk_err err = BK_EINVAL;

    out[0] = '\0';
    *out_len = 0;
    if (t == FPTOKEN_CREDITCARD)
        err = card_digits(in, len, out, out_len);
    else if (t == FPTOKEN_EMAIL && in != NULL && len <= FPTOKEN_RECORD_MAX)
        err = normalize_email(in, len, out, out_len) == BK_OK ? BK_OK : BK_EINVAL;
    if (err != BK_OK) {
        out[0] = '\0';
        *out_len = 0;
    }
    return err;
}

/* <n> values below <range> (at most 256), without modulo bias. */
static enum bk_err
draw(fptoken_rand_fn rnd, void *arg, unsigned range, uint8_t *vals, size_t n)
{
    unsigned limit = 256 - 256 % range;
    uint8_t buf[32];
    size_t got = 0;

    for (int round = 0; got < n; round++) {
        enum bk_err err = round < DRAW_ROUNDS ? rnd(arg, buf, sizeof buf) : BK_ECRYPTO;

        if (err != BK_OK)
            return err;
        for (size_t i = 0; i < sizeof buf && got < n; i++) {
            if (buf[i] < limit)
                vals[got++] = (uint8_t)(buf[i] % range);
        }
    }
    return BK_OK;
}

static enum bk_err
make_card(const char *in, size_t len, fptoken_rand_fn rnd, void *arg, char *out,
          size_t *out_len)
{
    char digits[FPTOKEN_CARD_MAX + 1], tok[FPTOKEN_CARD_MAX + 1];
    uint8_t r[FPTOKEN_CARD_MAX];
    size_t n, fix;
    enum bk_err err = card_digits(in, len, digits, &n);

    if (err != BK_OK)
        return err;
    fix = n - 5;                 /* the digit before the kept last four */
    for (int tries = 0; tries < MAKE_TRIES; tries++) {
        int sum = 0;

        err = draw(rnd, arg, 10, r, n);
        if (err != BK_OK)
            return err;
        memcpy(tok, digits, n + 1);
        for (size_t i = 1; i < fix; i++)
            tok[i] = (char)('0' + r[i]);
        for (size_t i = 0; i < n; i++) {
            if (i != fix)
                sum += luhn_part(tok[i] - '0', (n - 1 - i) % 2 == 1);
        }
        for (int d = 0; d <= 9; d++) {
            if ((sum + luhn_part(d, (n - 1 - fix) % 2 == 1)) % 10 == 0) {
                tok[fix] = (char)('0' + d);
                break;
            }
        }
        if (memcmp(tok, digits, n) == 0)
            continue;
        for (size_t i = 0, k = 0; i < len; i++)
            out[i] = in[i] >= '0' && in[i] <= '9' ? tok[k++] : in[i];
        out[len] = '\0';
        *out_len = len;
        return BK_OK;
    }
    return BK_ECRYPTO;           /* the random source keeps repeating the input */
}

static enum bk_err
make_email(fptoken_rand_fn rnd, void *arg, char *out, size_t *out_len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t r[FPTOKEN_EMAIL_LOCAL];
    size_t dl = strlen(FPTOKEN_EMAIL_DOMAIN);
    enum bk_err err = draw(rnd, arg, 36, r, sizeof r);

    if (err != BK_OK)
        return err;
    for (size_t i = 0; i < sizeof r; i++)
        out[i] = alphabet[r[i]];
    out[FPTOKEN_EMAIL_LOCAL] = '@';
    memcpy(out + FPTOKEN_EMAIL_LOCAL + 1, FPTOKEN_EMAIL_DOMAIN, dl + 1);
    *out_len = FPTOKEN_EMAIL_LOCAL + 1 + dl;
    return BK_OK;
}

enum bk_err
fptoken_make(enum fptoken_type t, const char *in, size_t len, fptoken_rand_fn rnd, void *rnd_arg,
             char *out, size_t *out_len)
{
    char norm[FPTOKEN_RECORD_MAX + 1];
    size_t norm_len;
    enum bk_err err;

    out[0] = '\0';
    *out_len = 0;
    err = fptoken_normalize(t, in, len, norm, &norm_len);
    if (err != BK_OK)
        return err;
    if (t == FPTOKEN_CREDITCARD)
        err = make_card(in, len, rnd, rnd_arg, out, out_len);
    for (int tries = 0; t == FPTOKEN_EMAIL && tries < MAKE_TRIES; tries++) {
        err = make_email(rnd, rnd_arg, out, out_len);
        if (err != BK_OK || *out_len != norm_len || memcmp(out, norm, norm_len) != 0)
            break;
        err = BK_ECRYPTO;        /* drew the input itself: draw again */
    }
    if (err != BK_OK) {
        out[0] = '\0';
        *out_len = 0;
    }
    return err;
}
