/* Captcha pictures for the portal's prelogin: a few digits drawn as a small
 * grayscale PNG with jitter and noise. Pure functions; no I/O, no keys. */
#ifndef BK_CAPTCHA_H
#define BK_CAPTCHA_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

#define CAPTCHA_DIGITS_MAX 8

/* Draw <digits> (<n> of '0'..'9', 1 to CAPTCHA_DIGITS_MAX) into a new PNG in
 * *out (mem_free() it) of *out_len bytes. <seed> bytes (any number) vary the
 * jitter and noise. BK_EINVAL for anything but digits. */
enum bk_err captcha_png(const char *digits, size_t n, const uint8_t *seed, size_t seed_len,
                        uint8_t **out, size_t *out_len);

#endif
