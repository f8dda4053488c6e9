/* /v2 record versioning calls (UserListVersions; UserGet's "version" is in
 * v2_user.c). */
#ifndef BK_V2_VERSIONS_H
#define BK_V2_VERSIONS_H

#include "route.h"

extern const struct route v2_versions_routes[];

#endif
