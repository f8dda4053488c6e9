/* Shared set-up for the fuzz targets: jansson allocates through mem_alloc, as
 * in the server. */
#ifndef BK_FUZZ_COMMON_H
#define BK_FUZZ_COMMON_H

#include <jansson.h>

#include "base/log.h"
#include "base/mem.h"

static inline void
fuzz_init(void)
{
    static int done;

    if (!done) {
        json_set_alloc_funcs(mem_alloc, mem_free);
        log_set_level("error");
        done = 1;
    }
}

#endif
