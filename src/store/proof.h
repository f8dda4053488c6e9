/* Store operations for the integrity checks: reading the whole audit trail
 * in chain order, and the signed chain head kept per tenant. */
#ifndef BK_STORE_PROOF_H
#define BK_STORE_PROOF_H

#include <stdint.h>

#include "store.h"

/* A tenant's signed chain head: the hash of its newest audit event and an
 * HMAC over it under the audit key (computed by core/audit.c). */
struct audit_head {
    int64_t tenant;
    uint8_t hash[STORE_HASH_LEN];
    uint8_t mac[STORE_HASH_LEN];
};

typedef enum bk_err (*store_head_fn)(void *arg, const struct audit_head *head);

struct store_proof_ops {
    /* every audit event of every tenant, ordered by tenant then id */
    enum bk_err (*audit_scan)(void *conn, store_audit_fn fn, void *arg);
    /* the head of <tenant>; BK_ENOTFOUND when none was written */
    enum bk_err (*head_get)(void *conn, int64_t tenant, struct audit_head *out);
    /* replace the head of head->tenant (within the open write transaction) */
    enum bk_err (*head_put)(void *conn, const struct audit_head *head);
    /* every stored head, by tenant */
    enum bk_err (*head_scan)(void *conn, store_head_fn fn, void *arg);
};

#define STORE_PROOF(c) ((c)->store->ops->proof)

static inline enum bk_err
store_proof_audit_scan(struct store_conn *c, store_audit_fn fn, void *arg)
{
    if (STORE_PROOF(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PROOF(c)->audit_scan(c->conn, fn, arg);
}

static inline enum bk_err
store_proof_head_get(struct store_conn *c, int64_t tenant, struct audit_head *out)
{
    if (STORE_PROOF(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PROOF(c)->head_get(c->conn, tenant, out);
}

static inline enum bk_err
store_proof_head_put(struct store_conn *c, const struct audit_head *head)
{
    if (STORE_PROOF(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PROOF(c)->head_put(c->conn, head);
}

static inline enum bk_err
store_proof_head_scan(struct store_conn *c, store_head_fn fn, void *arg)
{
    if (STORE_PROOF(c) == NULL)
        return BK_ENOTIMPL;
    return STORE_PROOF(c)->head_scan(c->conn, fn, arg);
}

#endif
