/* Fuzz target: application/x-www-form-urlencoded bodies. */
#include <stddef.h>
#include <stdint.h>

#include "api/codec.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct codec_limits lim = { 32, 100 };
    const char *errmsg = NULL;
    json_t *v = NULL;

    fuzz_init();
    if (codec_form_decode((const char *)data, size, &lim, &v, &errmsg) == BK_OK) {
        if (!json_is_object(v))
            __builtin_trap();
        json_decref(v);
    } else if (v != NULL) {
        __builtin_trap();
    }
    return 0;
}
