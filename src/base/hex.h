/* Lower-case hex encoding and strict decoding. */
#ifndef BK_HEX_H
#define BK_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Write 2*n hex digits and a NUL into <out> (2*n+1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);
/* Decode exactly <len> hex digits (even, upper or lower case) into <out> of
 * <out_max> bytes; BK_EINVAL for odd length, a non-hex byte or too long. */
enum bk_err hex_decode(const char *in, size_t len, uint8_t *out, size_t out_max,
                       size_t *out_len);

#endif
