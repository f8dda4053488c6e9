/* What the HTTP transport hands to the API layer and gets back. The
 * transport fills a struct api_req from the wire; the API layer never sees
 * the HTTP library. */
#ifndef BK_API_H
#define BK_API_H

#include <stddef.h>

#include "../core/ctx.h"

struct api_req {
    const char *method;
    const char *path;           /* raw, still percent-encoded, without the query */
    const char *content_type;   /* NULL when absent */
    const char *token;          /* X-Bunker-Token, NULL when absent */
    size_t token_len;
    const char *accept;         /* Accept header, NULL when absent */
    const char *authorization;  /* Authorization header, NULL when absent */
    const char *client_ip;
    const char *body;
    size_t body_len;
    /* raw (percent-encoded) query argument <name>, or NULL */
    const char *(*query)(void *cls, const char *name);
    void *query_cls;
};

struct api_reply {
    unsigned status;
    const char *content_type;   /* static string */
    char *body;                 /* mem_alloc()'d, owned by the reply */
    size_t body_len;
};

/* Free the reply's body. */
void api_reply_cleanup(struct api_reply *r);

#endif
