/* /v2 tenant management: TenantCreate, TenantGet, TenantUpdate,
 * TenantListTenants, TenantDelete (TenantGetUIConf is served by api/portal.c). */
#ifndef BK_V2_TENANTS_H
#define BK_V2_TENANTS_H

#include "route.h"

extern const struct route v2_tenants_routes[];

#endif
