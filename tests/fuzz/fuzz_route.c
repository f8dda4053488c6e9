/* Fuzz target: the router over the real route tables. The first byte picks
 * the method, the rest is the raw request path (as the transport hands it
 * over, still percent-encoded). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/routes.h"
#include "base/mem.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD" };
    struct route_match m;
    char *path;

    if (size < 1)
        return 0;
    fuzz_init();
    path = mem_strndup((const char *)data + 1, size - 1);
    if (path == NULL)
        return 0;
    if (routes_find(methods[data[0] % 6], path, &m) == ROUTE_FOUND) {
        for (int i = 0; i < m.nparams; i++) {
            /* every captured parameter is a NUL-terminated string of its length */
            if (strlen(m.param[i]) != m.param_len[i])
                __builtin_trap();
        }
        route_match_cleanup(&m);
    }
    mem_free(path);
    return 0;
}
