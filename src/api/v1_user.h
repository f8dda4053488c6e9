/* /v1 user records and their audit trail (the open-source REST API). */
#ifndef BK_V1_USER_H
#define BK_V1_USER_H

#include "route.h"

/* Routes of /status, /v1/user and /v1/audit. */
extern const struct route v1_user_routes[];

enum bk_err v1_user_create(struct ctx *c, const struct api_req *req, const struct route_match *m,
                           json_t *body, json_t **reply, struct api_reply *raw);
enum bk_err v1_user_get(struct ctx *c, const struct api_req *req, const struct route_match *m,
                        json_t *body, json_t **reply, struct api_reply *raw);
enum bk_err v1_user_update(struct ctx *c, const struct api_req *req, const struct route_match *m,
                           json_t *body, json_t **reply, struct api_reply *raw);
enum bk_err v1_user_delete(struct ctx *c, const struct api_req *req, const struct route_match *m,
                           json_t *body, json_t **reply, struct api_reply *raw);
enum bk_err v1_audit_list(struct ctx *c, const struct api_req *req, const struct route_match *m,
                          json_t *body, json_t **reply, struct api_reply *raw);
enum bk_err v1_audit_get(struct ctx *c, const struct api_req *req, const struct route_match *m,
                         json_t *body, json_t **reply, struct api_reply *raw);
enum bk_err v1_status(struct ctx *c, const struct api_req *req, const struct route_match *m,
                      json_t *body, json_t **reply, struct api_reply *raw);

#endif
