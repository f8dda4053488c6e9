/* Encoding of data-subject requests for both APIs: /v1 with the released
 * server's names (rtoken, action, creationtime, when), /v2 with the Pro
 * spec's (requestuuid, requesttype). */
#ifndef BK_REQUESTJSON_H
#define BK_REQUESTJSON_H

#include <jansson.h>

#include "../core/requests.h"

/* A new object describing <row> (no change, nothing personal); NULL on OOM. */
json_t *requestjson_v1(const struct request_row *row);
json_t *requestjson_v2(const struct request_row *row);

/* The state of a listing: the rows array and which encoding to use. */
struct requestjson_list {
    json_t *rows;
    int v2;
};

/* A store_request_fn appending each row to the requestjson_list <arg>. */
enum bk_err requestjson_collect(void *arg, const struct request_row *row);

#endif
