/* A 5x7 digit font scaled 4x, each digit shifted up or down a little, on a
 * light background with lighter noise, written as an uncompressed PNG
 * (zlib stored blocks), so nothing beyond the C library is needed. */
#include "captcha.h"

#include <string.h>

#include "../base/mem.h"

#define SCALE 4
#define GLYPH_W 5
#define GLYPH_H 7
#define GAP 8
#define MARGIN 10
#define JITTER 6

/* Rows of each digit, bit 4 the leftmost column. */
static const uint8_t font[10][GLYPH_H] = {
    { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e }, /* 0 */
    { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e }, /* 1 */
    { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f }, /* 2 */
    { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e }, /* 3 */
    { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 }, /* 4 */
    { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e }, /* 5 */
    { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e }, /* 6 */
    { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 }, /* 7 */
    { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e }, /* 8 */
    { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c }, /* 9 */
};

static uint32_t
crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Append a chunk of <type> with <data> at <out> + *pos. */
static void
chunk(uint8_t *out, size_t *pos, const char *type, const uint8_t *data, size_t n)
{
    uint8_t *start = out + *pos;

    put32(start, (uint32_t)n);
    memcpy(start + 4, type, 4);
    if (n > 0)
        memcpy(start + 8, data, n);
    put32(start + 8 + n, crc32_update(0, start + 4, n + 4));
    *pos += n + 12;
}

/* A small deterministic generator over the seed, for jitter and noise. */
struct rng {
    uint32_t s;
};

static uint32_t
rng_next(struct rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 17;
    r->s ^= r->s << 5;
    return r->s;
}

enum bk_err
captcha_png(const char *digits, size_t n, const uint8_t *seed, size_t seed_len, uint8_t **out,
            size_t *out_len)
{
    size_t w, h, raw_len, zlen, nblocks, png_len, pos = 0;
    uint8_t *raw = NULL, *z = NULL, *png = NULL, ihdr[13];
    uint32_t a = 1, b = 0;
    struct rng r = { 0x9e3779b9u };
    enum bk_err err = BK_ENOMEM;

    *out = NULL;
    *out_len = 0;
    if (n == 0 || n > CAPTCHA_DIGITS_MAX)
        return BK_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return BK_EINVAL;
    }
    for (size_t i = 0; i < seed_len; i++)
        r.s = (r.s ^ seed[i]) * 16777619u;
    if (r.s == 0)
        r.s = 1;
    w = 2 * MARGIN + n * GLYPH_W * SCALE + (n - 1) * GAP;
    h = 2 * MARGIN + GLYPH_H * SCALE + JITTER;
    raw_len = h * (w + 1);
    raw = mem_alloc(raw_len);
    if (raw == NULL)
        goto out;
    /* background and noise: never darker than 150, digits never lighter than 60 */
    for (size_t y = 0; y < h; y++) {
        raw[y * (w + 1)] = 0;   /* filter: none */
        for (size_t x = 0; x < w; x++)
            raw[y * (w + 1) + 1 + x] = (uint8_t)(235 + rng_next(&r) % 20);
    }
    for (size_t k = 0; k < w * h / 12; k++) {
        size_t x = rng_next(&r) % w, y = rng_next(&r) % h;

        raw[y * (w + 1) + 1 + x] = (uint8_t)(150 + rng_next(&r) % 60);
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *g = font[digits[i] - '0'];
        size_t x0 = MARGIN + i * (GLYPH_W * SCALE + GAP);
        size_t y0 = MARGIN + rng_next(&r) % (JITTER + 1);
        uint8_t ink = (uint8_t)(rng_next(&r) % 60);

        for (size_t gy = 0; gy < GLYPH_H; gy++) {
            for (size_t gx = 0; gx < GLYPH_W; gx++) {
                if (!(g[gy] & (0x10 >> gx)))
                    continue;
                for (size_t dy = 0; dy < SCALE; dy++) {
                    for (size_t dx = 0; dx < SCALE; dx++) {
                        size_t y = y0 + gy * SCALE + dy, x = x0 + gx * SCALE + dx;

                        raw[y * (w + 1) + 1 + x] = ink;
                    }
                }
            }
        }
    }
    /* zlib stream of stored blocks */
    nblocks = (raw_len + 65534) / 65535;
    zlen = 2 + nblocks * 5 + raw_len + 4;
    z = mem_alloc(zlen);
    if (z == NULL)
        goto out;
    z[0] = 0x78;
    z[1] = 0x01;
    {
        size_t zp = 2, left = raw_len, off = 0;

        while (left > 0) {
            size_t len = left > 65535 ? 65535 : left;

            z[zp++] = left == len ? 1 : 0;
            z[zp++] = (uint8_t)(len & 0xff);
            z[zp++] = (uint8_t)(len >> 8);
            z[zp++] = (uint8_t)(~len & 0xff);
            z[zp++] = (uint8_t)((~len >> 8) & 0xff);
            memcpy(z + zp, raw + off, len);
            zp += len;
            off += len;
            left -= len;
        }
        for (size_t i = 0; i < raw_len; i++) {
            a = (a + raw[i]) % 65521u;
            b = (b + a) % 65521u;
        }
        put32(z + zp, (b << 16) | a);
    }
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;    /* bit depth */
    ihdr[9] = 0;    /* grayscale */
    ihdr[10] = 0;
    ihdr[11] = 0;
    ihdr[12] = 0;
    png_len = 8 + (12 + 13) + (12 + zlen) + 12;
    png = mem_alloc(png_len);
    if (png == NULL)
        goto out;
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    pos = 8;
    chunk(png, &pos, "IHDR", ihdr, sizeof ihdr);
    chunk(png, &pos, "IDAT", z, zlen);
    chunk(png, &pos, "IEND", NULL, 0);
    *out = png;
    *out_len = pos;
    png = NULL;
    err = BK_OK;
out:
    mem_free(raw);
    mem_free(z);
    mem_free(png);
    return err;
}
