/* Fuzz target: databunker.yaml through libyaml and the key table. A refused
 * document must leave the previous configuration untouched. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/conf.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conf c;
    char errbuf[256];

    fuzz_init();
    if (conf_defaults(&c) != BK_OK)
        return 0;
    if (conf_load_buffer(&c, (const char *)data, size, errbuf, sizeof errbuf) != BK_OK) {
        if (c.port != 3000 || c.host == NULL || strcmp(c.host, "0.0.0.0") != 0 ||
            errbuf[0] == '\0')
            __builtin_trap();
    }
    conf_cleanup(&c);
    return 0;
}
