/* Fuzz target: format-preserving token values. Byte 0 picks the type (and
 * seeds the random source), the rest is the record. A record the checks accept
 * gives a token of the promised shape: for a card the same length, separators
 * in place, first digit and last four kept, Luhn-valid, not the input; for an
 * email a valid address that is not the input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/fptoken.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A deterministic source: a counter from the seed, so every byte value comes. */
static enum bk_err
counter(void *arg, void *out, size_t n)
{
    uint8_t *ctr = arg, *o = out;

    for (size_t i = 0; i < n; i++)
        o[i] = (*ctr)++;
    return BK_OK;
}

static void
check_card(const char *in, size_t len, const char *tok, size_t tlen)
{
    char a[FPTOKEN_CARD_MAX + 1], b[FPTOKEN_CARD_MAX + 1];
    size_t n = 0, first = len;

    if (tlen != len)
        __builtin_trap();
    for (size_t i = 0; i < len; i++) {
        int d = in[i] >= '0' && in[i] <= '9';

        if (!d && tok[i] != in[i])
            __builtin_trap();
        if (d && (tok[i] < '0' || tok[i] > '9'))
            __builtin_trap();
        if (d) {
            if (first == len)
                first = i;
            a[n] = in[i];
            b[n++] = tok[i];
        }
    }
    if (n < FPTOKEN_CARD_MIN || tok[first] != in[first] || memcmp(a + n - 4, b + n - 4, 4) != 0 ||
        !fptoken_luhn_valid(b, n) || memcmp(a, b, n) == 0)
        __builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char norm[FPTOKEN_RECORD_MAX + 1], tok[FPTOKEN_TOKEN_MAX + 1], again[FPTOKEN_RECORD_MAX + 1];
    enum fptoken_type t;
    uint8_t ctr;
    size_t n = 0, tn = 0, an = 0;
    const char *in;

    if (size < 1)
        return 0;
    fuzz_init();
    t = data[0] & 1 ? FPTOKEN_CREDITCARD : FPTOKEN_EMAIL;
    ctr = data[0];
    in = (const char *)data + 1;
    size--;
    (void)fptoken_luhn_valid(in, size);
    if (fptoken_normalize(t, in, size, norm, &n) != BK_OK) {
        if (fptoken_make(t, in, size, counter, &ctr, tok, &tn) != BK_EINVAL || tn != 0)
            __builtin_trap();
        return 0;
    }
    if (n > FPTOKEN_RECORD_MAX || norm[n] != '\0')
        __builtin_trap();
    if (fptoken_make(t, in, size, counter, &ctr, tok, &tn) != BK_OK)
        return 0;   /* the counter source may repeat the input until the tries run out */
    if (tn > FPTOKEN_TOKEN_MAX || tok[tn] != '\0')
        __builtin_trap();
    if (t == FPTOKEN_CREDITCARD) {
        check_card(in, size, tok, tn);
        return 0;
    }
    if (fptoken_normalize(FPTOKEN_EMAIL, tok, tn, again, &an) != BK_OK || an != tn ||
        (an == n && memcmp(again, norm, n) == 0))
        __builtin_trap();
    return 0;
}
