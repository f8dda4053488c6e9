/* Blind indexes: a keyed hash of a normalized value, so the store can find
 * and enforce uniqueness of an email, phone, login or custom value without
 * ever seeing it. Callers normalize first (core/normalize.h). */
#ifndef BK_BLINDIDX_H
#define BK_BLINDIDX_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "keys.h"

#define BLINDIDX_LEN 32

/* out = HMAC-SHA256(index key, tenant || kind || value). */
enum bk_err blindidx_compute(const struct vault *v, int64_t tenant, int kind, const char *value,
                             size_t value_len, uint8_t out[BLINDIDX_LEN]);

#endif
