/* The read journal's record format: a magic number, the payload's length,
 * a CRC-32 of the payload, and the payload (an audit row without its chain
 * hashes: tenant, time, its strings length-prefixed, the sealed part). */
#ifndef BK_JOURNALREC_H
#define BK_JOURNALREC_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../store/store.h"

/* Encode <row> into a new buffer (mem_free()) of *len_out bytes. */
enum bk_err journal_encode(const struct audit_row *row, uint8_t **out, size_t *len_out);

/* Decode one record at the start of <buf>: BK_OK with its length in
 * *used_out, BK_ECORRUPT when none checks there (torn or not a record),
 * BK_ENOMEM. */
enum bk_err journal_decode(const uint8_t *buf, size_t len, struct audit_row *out,
                           size_t *used_out);

/* <v> into <n> bytes at <p>, little-endian. */
void journalrec_put_le(uint8_t *p, uint64_t v, int n);

#endif
