/* Posting lists of the search index, as one blob per (tenant, kind, bucket,
 * gram): the users of the bucket holding the gram, each as its 16-bit offset
 * in the bucket (user_id - (bucket << STORE_GRAM_BUCKET_SHIFT)), big-endian,
 * strictly ascending. A backend that keeps postings this way stores a few
 * bytes a posting instead of a row, and a merge rewrites one row per gram
 * instead of inserting one per posting. Pure functions: no I/O, no locks. */
#ifndef BK_STORE_GRAMLIST_H
#define BK_STORE_GRAMLIST_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"

#define GRAMLIST_ENTRY 2                                  /* bytes an offset takes */
#define GRAMLIST_MAX ((size_t)1 << STORE_GRAM_BUCKET_SHIFT) /* offsets a list holds */
#define GRAMLIST_BYTES_MAX (GRAMLIST_MAX * GRAMLIST_ENTRY)

/* Whether <len> bytes at <p> are a well-formed list: a whole number of
 * entries, at most GRAMLIST_MAX, strictly ascending. */
int gramlist_valid(const uint8_t *p, size_t len);

/* The number of offsets of a well-formed list of <len> bytes. */
static inline size_t
gramlist_count(size_t len)
{
    return len / GRAMLIST_ENTRY;
}

/* The <i>th offset of the list at <p>. */
static inline unsigned
gramlist_at(const uint8_t *p, size_t i)
{
    return (unsigned)p[GRAMLIST_ENTRY * i] << 8 | p[GRAMLIST_ENTRY * i + 1];
}

/* Offset <off> (< GRAMLIST_MAX) into <out> (GRAMLIST_ENTRY bytes). */
static inline void
gramlist_put(uint8_t *out, unsigned off)
{
    out[0] = (uint8_t)(off >> 8);
    out[1] = (uint8_t)off;
}

/* The offsets of lists <a> and <b> (well-formed) in either, into <out>
 * (room for <alen> + <blen> bytes); returns the bytes written. */
size_t gramlist_union(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                      uint8_t *out);

/* The offsets of <a> not in <b> (both well-formed), into <out> (room for
 * <alen> bytes); returns the bytes written. */
size_t gramlist_minus(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                      uint8_t *out);

/* Whether the well-formed list <a> holds <off> (binary search). */
int gramlist_has(const uint8_t *a, size_t alen, unsigned off);

/* Sort <n> offsets (each < GRAMLIST_MAX) and drop repeats, in place; returns
 * how many remain. */
size_t gramlist_sort_unique(uint16_t *offs, size_t n);

#endif
