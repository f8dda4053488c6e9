/* Posting lists of the search index (format in gramlist.h). */
#include "gramlist.h"

#include <string.h>

int
gramlist_valid(const uint8_t *p, size_t len)
{
    size_t n = gramlist_count(len);

    if (len % GRAMLIST_ENTRY != 0 || n > GRAMLIST_MAX || (len > 0 && p == NULL))
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (gramlist_at(p, i) <= gramlist_at(p, i - 1))
            return 0;
    }
    return n == 0 || gramlist_at(p, n - 1) < GRAMLIST_MAX;
}

size_t
gramlist_union(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out)
{
    size_t na = gramlist_count(alen), nb = gramlist_count(blen), i = 0, k = 0, o = 0;

    while (i < na && k < nb) {
        unsigned x = gramlist_at(a, i), y = gramlist_at(b, k);

        gramlist_put(out + o, x <= y ? x : y);
        o += GRAMLIST_ENTRY;
        i += x <= y;
        k += y <= x;
    }
    /* one of the two is used up: the other's rest follows as it is */
    if (i < na) {
        memcpy(out + o, a + GRAMLIST_ENTRY * i, GRAMLIST_ENTRY * (na - i));
        o += GRAMLIST_ENTRY * (na - i);
    }
    if (k < nb) {
        memcpy(out + o, b + GRAMLIST_ENTRY * k, GRAMLIST_ENTRY * (nb - k));
        o += GRAMLIST_ENTRY * (nb - k);
    }
    return o;
}

size_t
gramlist_minus(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out)
{
    size_t na = gramlist_count(alen), nb = gramlist_count(blen), k = 0, o = 0;

    for (size_t i = 0; i < na; i++) {
        unsigned x = gramlist_at(a, i);

        while (k < nb && gramlist_at(b, k) < x)
            k++;
        if (k < nb && gramlist_at(b, k) == x)
            continue;
        gramlist_put(out + o, x);
        o += GRAMLIST_ENTRY;
    }
    return o;
}

int
gramlist_has(const uint8_t *a, size_t alen, unsigned off)
{
    size_t lo = 0, hi = gramlist_count(alen);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        unsigned x = gramlist_at(a, mid);

        if (x == off)
            return 1;
        if (x < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

size_t
gramlist_sort_unique(uint16_t *offs, size_t n)
{
    uint64_t seen[GRAMLIST_MAX / 64];
    size_t m = 0;

    if (n <= 32) {
        /* insertion sort: a merge's run for one gram is short and sorted */
        for (size_t i = 1; i < n; i++) {
            uint16_t t = offs[i];
            size_t k = i;

            for (; k > 0 && offs[k - 1] > t; k--)
                offs[k] = offs[k - 1];
            offs[k] = t;
        }
        for (size_t i = 0; i < n; i++) {
            if (m == 0 || offs[i] != offs[m - 1])
                offs[m++] = offs[i];
        }
        return m;
    }
    /* longer: one bit an offset, read back in order */
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < n; i++)
        seen[(offs[i] % GRAMLIST_MAX) / 64] |= (uint64_t)1 << (offs[i] % 64);
    for (size_t w = 0; w < GRAMLIST_MAX / 64; w++) {
        for (uint64_t bits = seen[w]; bits != 0; bits &= bits - 1)
            offs[m++] = (uint16_t)(w * 64 + (size_t)__builtin_ctzll(bits));
    }
    return m;
}
