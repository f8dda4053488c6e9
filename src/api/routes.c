/* The list of route tables. Each family's table lives beside its handlers. */
#include "routes.h"

#include <stddef.h>

#include "v1_user.h"
#include "v2_tenants.h"
#include "v2_user.h"

static const struct route *const families[] = {
    v1_user_routes,
    v2_user_routes,
    v2_tenants_routes,
    NULL,
};

enum route_result
routes_find(const char *method, const char *path, struct route_match *out)
{
    enum route_result best = ROUTE_NO_PATH;

    for (size_t i = 0; families[i] != NULL; i++) {
        enum route_result r = route_find(families[i], method, path, out);

        if (r == ROUTE_FOUND || r == ROUTE_BAD_PATH)
            return r;
        if (r == ROUTE_NO_METHOD)
            best = r;
    }
    return best;
}
