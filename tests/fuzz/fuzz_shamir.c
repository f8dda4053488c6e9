/* Fuzz target: Shamir key share text (what SystemGenerateWrappingKey and
 * wrapping-key-recover read). A share that parses must format back to the
 * same share, and three that parse must combine or be refused cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "vault/shamir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shamir_share sh[3], again;
    char text[SHAMIR_TEXT_MAX];
    uint8_t out[SHAMIR_SECRET_MAX];
    size_t n = 0, start = 0, got = 0;
    const char *why = NULL;

    fuzz_init();
    /* up to three shares separated by newlines */
    for (size_t i = 0; i <= size && got < 3; i++) {
        if (i < size && data[i] != '\n')
            continue;
        if (shamir_share_parse((const char *)data + start, i - start, &sh[got], &why) == BK_OK) {
            if (shamir_share_format(&sh[got], text) != BK_OK ||
                shamir_share_parse(text, strlen(text), &again, &why) != BK_OK ||
                memcmp(&again, &sh[got], sizeof again) != 0)
                __builtin_trap();
            got++;
        } else if (why == NULL) {
            __builtin_trap();
        }
        start = i + 1;
    }
    if (got >= 2 && shamir_combine(sh, got, out, sizeof out, &n, &why) == BK_OK &&
        n != sh[0].len)
        __builtin_trap();
    return 0;
}
