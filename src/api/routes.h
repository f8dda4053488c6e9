/* The table of contents of both APIs: one route table per resource family,
 * listed in routes.c. */
#ifndef BK_ROUTES_H
#define BK_ROUTES_H

#include "route.h"

/* Find <method> <path> in every family's table. ROUTE_NO_METHOD only when no
 * table has the path with that method but some table has the path. */
enum route_result routes_find(const char *method, const char *path, struct route_match *out);

#endif
