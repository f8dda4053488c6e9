/* The read journal's record format (journalrec.h). */
#include "journalrec.h"

#include <pthread.h>
#include <string.h>

#include "../base/mem.h"

#define JOURNAL_MAGIC 0x314a4b42u     /* "BKJ1" little-endian */
#define JOURNAL_HEAD_LEN 12           /* magic, payload length, CRC-32 */
#define JOURNAL_RECORD_MAX (16u << 20)

/* CRC-32 (IEEE 802.3, reflected). */
static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;

        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t
crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    pthread_once(&crc_once, crc_init);
    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

/* <v> into <n> bytes at <p>, little-endian. */
void
journalrec_put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The little-endian number in <n> bytes at <p>. */
static uint64_t
get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The strings of a row in the order they are stored. */
#define ROW_STRINGS(r, X) \
    X((r)->atoken) X((r)->record) X((r)->action) X((r)->who) X((r)->mode) X((r)->status) \
    X((r)->msg)

enum bk_err
journal_encode(const struct audit_row *row, uint8_t **out, size_t *len_out)
{
    size_t n = 16 + 4 + row->sealed_len, off;
    uint8_t *buf;

    *out = NULL;
    *len_out = 0;
#define LEN(s) n += 2 + strnlen(s, sizeof(s) - 1);
    ROW_STRINGS(row, LEN)
#undef LEN
    if (n > JOURNAL_RECORD_MAX)
        return BK_ETOOBIG;
    buf = mem_alloc(JOURNAL_HEAD_LEN + n);
    if (buf == NULL)
        return BK_ENOMEM;
    off = JOURNAL_HEAD_LEN;
    journalrec_put_le(buf + off, (uint64_t)row->tenant, 8);
    journalrec_put_le(buf + off + 8, (uint64_t)row->when, 8);
    off += 16;
#define PUT(s) do { \
        size_t l_ = strnlen(s, sizeof(s) - 1); \
        buf[off] = (uint8_t)l_; \
        buf[off + 1] = (uint8_t)(l_ >> 8); \
        memcpy(buf + off + 2, s, l_); \
        off += 2 + l_; \
    } while (0);
    ROW_STRINGS(row, PUT)
#undef PUT
    journalrec_put_le(buf + off, (uint32_t)row->sealed_len, 4);
    off += 4;
    if (row->sealed_len > 0)
        memcpy(buf + off, row->sealed, row->sealed_len);
    journalrec_put_le(buf, JOURNAL_MAGIC, 4);
    journalrec_put_le(buf + 4, (uint32_t)n, 4);
    journalrec_put_le(buf + 8, crc32(buf + JOURNAL_HEAD_LEN, n), 4);
    *out = buf;
    *len_out = JOURNAL_HEAD_LEN + n;
    return BK_OK;
}

/* Copy a length-prefixed string at <p> (<end> the payload's end) into <dst>
 * of <n> bytes; the bytes it took, or 0 when it does not fit. */
static size_t
get_str(const uint8_t *p, const uint8_t *end, char *dst, size_t n)
{
    size_t l;

    if (end - p < 2)
        return 0;
    l = (size_t)p[0] | (size_t)p[1] << 8;
    if (l >= n || (size_t)(end - p - 2) < l || memchr(p + 2, '\0', l) != NULL)
        return 0;
    memcpy(dst, p + 2, l);
    dst[l] = '\0';
    return 2 + l;
}

enum bk_err
journal_decode(const uint8_t *buf, size_t len, struct audit_row *out, size_t *used_out)
{
    const uint8_t *p, *end;
    uint32_t n, sealed_len;
    size_t took;

    memset(out, 0, sizeof *out);
    *used_out = 0;
    if (len < JOURNAL_HEAD_LEN || (uint32_t)get_le(buf, 4) != JOURNAL_MAGIC)
        return BK_ECORRUPT;
    n = (uint32_t)get_le(buf + 4, 4);
    if (n > JOURNAL_RECORD_MAX || n > len - JOURNAL_HEAD_LEN ||
        crc32(buf + JOURNAL_HEAD_LEN, n) != (uint32_t)get_le(buf + 8, 4))
        return BK_ECORRUPT;
    p = buf + JOURNAL_HEAD_LEN;
    end = p + n;
    if (n < 16)
        return BK_ECORRUPT;
    out->tenant = (int64_t)get_le(p, 8);
    out->when = (int64_t)get_le(p + 8, 8);
    p += 16;
#define GET(s) \
    if ((took = get_str(p, end, s, sizeof(s))) == 0) \
        goto bad; \
    p += took;
    ROW_STRINGS(out, GET)
#undef GET
    if (end - p < 4)
        goto bad;
    sealed_len = (uint32_t)get_le(p, 4);
    p += 4;
    if ((size_t)(end - p) != sealed_len)
        goto bad;
    if (sealed_len > 0) {
        out->sealed = mem_alloc(sealed_len);
        if (out->sealed == NULL)
            return BK_ENOMEM;
        memcpy(out->sealed, p, sealed_len);
        out->sealed_len = sealed_len;
    }
    if (out->atoken[0] == '\0' || out->action[0] == '\0')
        goto bad;
    *used_out = JOURNAL_HEAD_LEN + n;
    return BK_OK;
bad:
    store_audit_row_cleanup(out);
    memset(out, 0, sizeof *out);
    return BK_ECORRUPT;
}
