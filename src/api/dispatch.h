/* The API layer's entry points for the transport: how large a body a request
 * may send, and handling one complete request. */
#ifndef BK_DISPATCH_H
#define BK_DISPATCH_H

#include <stddef.h>

#include "api.h"

/* The largest body <method> <path> may carry (0 when the route takes none or
 * does not exist: the handler will answer 404/405 without reading it). */
size_t dispatch_body_limit(const struct app *app, const char *method, const char *path);

/* 1 when some API route has the path <path> (for any method): the transport
 * serves the UI only for paths the API does not claim. */
int dispatch_has_path(const char *path);

/* Handle <req> completely and fill <out> (api_reply_cleanup() it). Never fails:
 * every error becomes a JSON error reply. */
void dispatch_request(const struct app *app, const struct api_req *req, struct api_reply *out);

/* Count a request the transport answered itself (413 before the body was
 * read) in the metrics of its route. */
void dispatch_count_refused(const char *method, const char *path, unsigned status);

#endif
