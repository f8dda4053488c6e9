/* Fuzz target: percent-decoding of path segments (plus kept) and form
 * fields (plus as space). The output must fit in len + 1 bytes, hold no NUL
 * and be valid UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/codec.h"
#include "base/mem.h"
#include "core/normalize.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out;

    fuzz_init();
    out = mem_alloc(size + 1);
    if (out == NULL)
        return 0;
    for (int plus = 0; plus < 2; plus++) {
        size_t n = 0;

        if (codec_percent_decode((const char *)data, size, plus, out, &n) != BK_OK)
            continue;
        if (n > size || out[n] != '\0' || memchr(out, '\0', n) != NULL ||
            !normalize_utf8_valid(out, n))
            __builtin_trap();
    }
    mem_free(out);
    return 0;
}
