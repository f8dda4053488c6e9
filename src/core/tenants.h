/* Tenants: which tenant a request acts in (X-Bunker-Tenant, else the host's
 * subdomain, else the default tenant 0), the tenant admin token, and the
 * tenant operations. Each tenant has its own keys (vault/keys.c,
 * keys_for_tenant), so its indexes and records are apart from every other's. */
#ifndef BK_TENANTS_H
#define BK_TENANTS_H

#include <stddef.h>
#include <stdint.h>

#include "../store/tenants.h"
#include "ctx.h"

/* A tenant name: 1 to TENANT_NAME_MAX of [a-z0-9]. */
int tenants_name_valid(const char *s, size_t len);

/* Choose the tenant of request <c> (c->db acquired) from the X-Bunker-Tenant
 * header <header> or the Host header <host> (either may be NULL). An unknown
 * name in the header leaves c->tenant_unknown set; an unknown subdomain means
 * the default tenant. */
enum bk_err tenants_select(struct ctx *c, const char *header, const char *host);

/* Is <hash> (a keyed token hash) the admin token of a tenant the request may
 * act in? Then the request acts in that tenant as CALLER_TENANT. BK_ENOTFOUND
 * when it is no tenant's token; BK_EAUTH when it is another tenant's than the
 * one the request named. */
enum bk_err tenants_auth_admin(struct ctx *c, const uint8_t hash[KEYS_LEN]);

/* Wipe the tenant keys held by <c>. */
void tenants_ctx_cleanup(struct ctx *c);

/* Create tenant <name> (org may be ""): *id_out and its admin token. Root only. */
enum bk_err tenants_create(struct ctx *c, const char *name, const char *org, int64_t *id_out,
                           char xtoken_out[37]);
/* The tenant <id>, or the request's own when <id> is 0. A tenant admin sees
 * only its own. */
enum bk_err tenants_get(struct ctx *c, int64_t id, struct tenant_row *out);
/* Rename (<name> may be NULL) and/or change the org (<org> may be NULL). */
enum bk_err tenants_update(struct ctx *c, int64_t id, const char *name, const char *org);
/* Root only. */
enum bk_err tenants_list(struct ctx *c, int64_t offset, int64_t limit, int64_t *total,
                         store_tenant_fn fn, void *arg);
/* Destroy tenant <id>: its keys (the salt) and every row it has, per user
 * and tenant-wide (legal bases, activities, roles, policies, groups, audit),
 * in one transaction; a tenant created later under the same name starts
 * empty. Root only; BK_ENOTFOUND for an unknown id. */
enum bk_err tenants_delete(struct ctx *c, int64_t id);

#endif
