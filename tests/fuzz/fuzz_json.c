/* Fuzz target: JSON request bodies through the limits scan and jansson, then
 * encoded back (what a reply would do with the value). */
#include <stddef.h>
#include <stdint.h>

#include "api/codec.h"
#include "base/mem.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct codec_limits lim = { 32, 10000 };
    const char *errmsg = NULL;
    json_t *v = NULL;
    char *text = NULL;
    size_t text_len = 0;
    enum bk_err err;

    fuzz_init();
    err = codec_json_decode((const char *)data, size, &lim, &v, &errmsg);
    if (err == BK_OK) {
        if (v == NULL || errmsg != NULL)
            __builtin_trap();
        if (codec_json_encode(v, &text, &text_len) == BK_OK)
            mem_free(text);
        json_decref(v);
    } else if (v != NULL || (errmsg == NULL && err != BK_ENOMEM)) {
        /* a refusal leaves nothing to free and always says why */
        __builtin_trap();
    }
    return 0;
}
