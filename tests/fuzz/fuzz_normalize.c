/* Fuzz target: the identity normalizers (email, phone with and without a
 * default country, login, custom) and the UTF-8 check. A normalized value is
 * a fixed point: normalizing it again gives the same bytes. For phones that
 * holds for the international form "+<digits>": a bare "00..." result is
 * read again as an international prefix, as it should be. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/normalize.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const countries[] = { NULL, "1", "44", "380" };
    char out[NORMALIZE_MAX + 1], again[NORMALIZE_MAX + 1], intl[NORMALIZE_MAX + 2];
    const char *in;

    if (size < 1)
        return 0;
    fuzz_init();
    in = (const char *)data + 1;
    size--;
    (void)normalize_utf8_valid(in, size);
    for (int kind = INDEX_EMAIL; kind <= INDEX_CUSTOM; kind++) {
        const char *cc = countries[data[0] % 4];
        size_t n = 0, m = 0;

        if (normalize_identity((enum index_kind)kind, in, size, cc, out, &n) != BK_OK)
            continue;
        if (n > NORMALIZE_MAX || out[n] != '\0')
            __builtin_trap();
        if (kind == INDEX_PHONE) {
            for (size_t i = 0; i < n; i++) {
                if (out[i] < '0' || out[i] > '9')
                    __builtin_trap();
            }
            if (n == NORMALIZE_MAX)
                continue;
            intl[0] = '+';
            memcpy(intl + 1, out, n);
            if (normalize_identity(INDEX_PHONE, intl, n + 1, cc, again, &m) != BK_OK ||
                m != n || memcmp(out, again, n) != 0)
                __builtin_trap();
            continue;
        }
        if (normalize_identity((enum index_kind)kind, out, n, cc, again, &m) != BK_OK ||
            m != n || memcmp(out, again, n) != 0)
            __builtin_trap();
    }
    return 0;
}
