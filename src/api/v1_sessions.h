/* /v1 sessions: the spec's /v1/session/{mode}/{identity} and
 * /v1/session/session/{session}, and the routes of @databunker/session-store
 * and the released server (/v1/session/{session}, /v1/sessions/...). */
#ifndef BK_V1_SESSIONS_H
#define BK_V1_SESSIONS_H

#include "route.h"

extern const struct route v1_sessions_routes[];

#endif
