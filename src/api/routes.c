/* The list of route tables. Each family's table lives beside its handlers. */
#include "routes.h"

#include <stddef.h>

#include "v1_consent.h"
#include "v1_system.h"
#include "v1_user.h"
#include "v2_consent.h"
#include "v1_appdata.h"
#include "v1_sessions.h"
#include "v2_appdata.h"
#include "v2_sessions.h"
#include "v2_system.h"
#include "v1_requests.h"
#include "v2_requests.h"
#include "v1_exp.h"
#include "v1_shared.h"
#include "v2_shared.h"
#include "v2_access.h"
#include "v2_tenants.h"
#include "v2_tokens.h"
#include "v2_user.h"
#include "v2_versions.h"
#include "portal.h"

static const struct route *const families[] = {
    v1_user_routes,
    v2_user_routes,
    v1_system_routes,
    v2_system_routes,
    v1_consent_routes,
    v2_consent_routes,
    v1_appdata_routes,
    v2_appdata_routes,
    v1_sessions_routes,
    v2_sessions_routes,
    v1_requests_routes,
    v2_requests_routes,
    v2_versions_routes,
    v1_exp_routes,
    v1_shared_routes,
    v2_shared_routes,
    v2_access_routes,
    v2_bulk_routes,
    v2_tenants_routes,
    v2_tokens_routes,
    v1_portal_routes,
    v2_portal_routes,
    NULL,
};

enum route_result
routes_find(const char *method, const char *path, struct route_match *out)
{
    enum route_result best = ROUTE_NO_PATH;

    for (size_t i = 0; families[i] != NULL; i++) {
        enum route_result r = route_find(families[i], method, path, out);

        if (r == ROUTE_FOUND || r == ROUTE_BAD_PATH || r == ROUTE_NO_MEMORY)
            return r;
        if (r == ROUTE_NO_METHOD)
            best = r;
    }
    return best;
}
