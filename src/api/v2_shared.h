/* /v2 SharedRecordCreate and SharedRecordGet. */
#ifndef BK_V2_SHARED_H
#define BK_V2_SHARED_H

#include "route.h"

extern const struct route v2_shared_routes[];

#endif
