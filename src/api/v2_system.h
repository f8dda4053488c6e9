/* /v2 (Pro RPC) adapters for bulk user calls and system operations. */
#ifndef BK_V2_SYSTEM_H
#define BK_V2_SYSTEM_H

#include "route.h"
#include "v2_user.h"

/* Routes of UserCreateBulk, UserDeleteBulk, BulkListUnlock and System*. */
extern const struct route v2_system_routes[];

V2_HANDLER(v2_user_create_bulk);
V2_HANDLER(v2_user_delete_bulk);
V2_HANDLER(v2_bulk_list_unlock);
V2_HANDLER(v2_system_generate_wrapping_key);
V2_HANDLER(v2_system_get_system_stats);
V2_HANDLER(v2_system_get_user_profiles);
V2_HANDLER(v2_system_search_user_profiles);
V2_HANDLER(v2_system_delete_user_profiles);
V2_HANDLER(v2_system_restore_user_profile);
V2_HANDLER(v2_system_get_user_report);
V2_HANDLER(v2_system_get_user_html_report);

#endif
