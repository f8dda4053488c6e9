/* /v1 system routes: GET /v1/sys/backup, GET /v1/metrics, GET /metrics. */
#ifndef BK_V1_SYSTEM_H
#define BK_V1_SYSTEM_H

#include "route.h"

extern const struct route v1_system_routes[];

/* The database as SQL (application/sql); root token only, else 403. */
enum bk_err v1_sys_backup(struct ctx *c, const struct api_req *req, const struct route_match *m,
                          json_t *body, json_t **reply, struct api_reply *raw);
/* Prometheus text; root token only. */
enum bk_err v1_metrics(struct ctx *c, const struct api_req *req, const struct route_match *m,
                       json_t *body, json_t **reply, struct api_reply *raw);
/* Prometheus text for scrapers: a client address in metrics.allow, the
 * metrics.token (X-Bunker-Token or Authorization: Bearer) or the root token;
 * else 401. */
enum bk_err v1_metrics_open(struct ctx *c, const struct api_req *req,
                            const struct route_match *m, json_t *body, json_t **reply,
                            struct api_reply *raw);

#endif
