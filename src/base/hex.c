/* Hex encoding. */
#include "hex.h"

void
hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int
nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum bk_err
hex_decode(const char *in, size_t len, uint8_t *out, size_t out_max, size_t *out_len)
{
    if (len % 2 != 0 || len / 2 > out_max)
        return BK_EINVAL;
    for (size_t i = 0; i < len; i += 2) {
        int hi = nibble(in[i]), lo = nibble(in[i + 1]);
        if (hi < 0 || lo < 0)
            return BK_EINVAL;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = len / 2;
    return BK_OK;
}
