/* Roles and policies. Each change is one write transaction: the row, the
 * access version bump and the audit event commit together. */
#include "roles.h"

#include <string.h>

#include "../base/mem.h"
#include "audit.h"
#include "policy.h"

int
roles_name_valid(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > POLICY_NAME_MAX || strlen(s) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '$' || ch == '{' || ch == '}')
            return 0;
    }
    return 1;
}

/* Run <fn> in a write transaction with an audit event named <action>. */
static enum bk_err
in_write(struct ctx *c, const char *action, enum bk_err (*fn)(struct ctx *c, void *arg),
         void *arg)
{
    struct audit_event ev = { .action = action };
    enum bk_err err = store_begin(&c->db, 1);

    if (err != BK_OK)
        return err;
    err = fn(c, arg);
    if (err == BK_OK)
        err = store_access_version_bump(&c->db, c->tenant);
    if (err == BK_OK)
        err = audit_write(c, &ev);
    err = store_end(&c->db, err);
    return err;
}

static enum bk_err
named_err(struct ctx *c, enum bk_err err, const char *dup_msg)
{
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err == BK_ECONFLICT)
        return ctx_fail(c, err, dup_msg);
    return err;
}

struct role_args {
    int64_t id;
    const char *name, *descr;
    int64_t *id_out;
};

static enum bk_err
do_role_create(struct ctx *c, void *arg)
{
    struct role_args *a = arg;

    return named_err(c, store_access_role_insert(&c->db, c->tenant, a->name, a->descr, c->now,
                                                 a->id_out),
                     "role with this name already exists");
}

enum bk_err
roles_create(struct ctx *c, const char *name, const char *descr, int64_t *id_out)
{
    struct role_args a = { 0, name, descr, id_out };

    *id_out = 0;
    if (!roles_name_valid(name, name ? strlen(name) : 0))
        return ctx_fail(c, BK_EINVAL, "bad rolename: 1 to 128 characters, none of / $ { }");
    if (descr != NULL && strlen(descr) > ACCESS_DESC_MAX)
        return ctx_fail(c, BK_EINVAL, "roledesc too long");
    return in_write(c, "RoleCreate", do_role_create, &a);
}

static enum bk_err
do_role_update(struct ctx *c, void *arg)
{
    struct role_args *a = arg;

    return named_err(c, store_access_role_update(&c->db, c->tenant, a->id, a->name, a->descr),
                     "role with this name already exists");
}

enum bk_err
roles_update(struct ctx *c, int64_t id, const char *name, const char *descr)
{
    struct role_args a = { id, name, descr, NULL };

    if (name != NULL && !roles_name_valid(name, strlen(name)))
        return ctx_fail(c, BK_EINVAL, "bad rolename: 1 to 128 characters, none of / $ { }");
    if (descr != NULL && strlen(descr) > ACCESS_DESC_MAX)
        return ctx_fail(c, BK_EINVAL, "roledesc too long");
    return in_write(c, "RoleUpdate", do_role_update, &a);
}

enum bk_err
roles_resolve(struct ctx *c, int64_t id, const char *name, int create, int64_t *id_out)
{
    struct access_named r;
    enum bk_err err;

    *id_out = 0;
    if (name != NULL && !roles_name_valid(name, strlen(name)))
        return ctx_fail(c, BK_EINVAL, "bad rolename: 1 to 128 characters, none of / $ { }");
    err = store_access_role_get(&c->db, c->tenant, id, name, &r);
    if (err == BK_OK) {
        *id_out = r.id;
        access_named_cleanup(&r);
        return BK_OK;
    }
    if (err == BK_ENOTFOUND && create && name != NULL) {
        err = store_access_role_insert(&c->db, c->tenant, name, "", c->now, id_out);
        if (err == BK_OK)
            err = store_access_version_bump(&c->db, c->tenant);
        return err;
    }
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    return err;
}

struct link_args {
    int64_t role_id, policy_id;
    const char *role_name, *policy_name;
};

static enum bk_err
do_link(struct ctx *c, void *arg)
{
    struct link_args *a = arg;
    struct access_named p;
    int64_t role;
    enum bk_err err = roles_resolve(c, a->role_id, a->role_name, 0, &role);

    if (err != BK_OK)
        return err;
    err = store_access_policy_get(&c->db, c->tenant, a->policy_id, a->policy_name, &p);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err != BK_OK)
        return err;
    err = store_access_role_link(&c->db, c->tenant, role, p.id);
    access_named_cleanup(&p);
    return named_err(c, err, "policy is already linked to this role");
}

enum bk_err
roles_link_policy(struct ctx *c, int64_t role_id, const char *role_name, int64_t policy_id,
                  const char *policy_name)
{
    struct link_args a = { role_id, policy_id, role_name, policy_name };

    return in_write(c, "RoleLinkPolicy", do_link, &a);
}

/* The compact JSON text of <policy>, after it compiles. */
static enum bk_err
policy_text(struct ctx *c, const json_t *policy, char **out)
{
    struct policy *p = NULL;
    const char *msg = NULL;
    enum bk_err err = policy_compile(policy, &p, &msg);

    *out = NULL;
    policy_free(p);
    if (err == BK_EINVAL)
        return ctx_fail(c, err, msg);
    if (err != BK_OK)
        return err;
    *out = json_dumps(policy, JSON_COMPACT);
    return *out ? BK_OK : BK_ENOMEM;
}

struct policy_args {
    int64_t id;
    const char *name, *descr, *body;
    int64_t *id_out;
};

static enum bk_err
do_policy_create(struct ctx *c, void *arg)
{
    struct policy_args *a = arg;

    return named_err(c, store_access_policy_insert(&c->db, c->tenant, a->name, a->descr, a->body,
                                                   c->now, a->id_out),
                     "policy with this name already exists");
}

static enum bk_err
check_name(struct ctx *c, const char *name, const char *descr)
{
    size_t len = name ? strlen(name) : 0;

    if (name != NULL && (len == 0 || len > ACCESS_NAME_MAX))
        return ctx_fail(c, BK_EINVAL, "bad policyname: 1 to 128 characters");
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)name[i] < 0x20)
            return ctx_fail(c, BK_EINVAL, "bad policyname: control characters");
    }
    if (descr != NULL && strlen(descr) > ACCESS_DESC_MAX)
        return ctx_fail(c, BK_EINVAL, "policydesc too long");
    return BK_OK;
}

enum bk_err
policies_create(struct ctx *c, const char *name, const char *descr, const json_t *policy,
                int64_t *id_out)
{
    struct policy_args a = { 0, name, descr, NULL, id_out };
    char *body = NULL;
    enum bk_err err;

    *id_out = 0;
    if (name == NULL)
        return ctx_fail(c, BK_EINVAL, "missing policyname");
    err = check_name(c, name, descr);
    if (err == BK_OK)
        err = policy_text(c, policy, &body);
    if (err != BK_OK)
        return err;
    a.body = body;
    err = in_write(c, "PolicyCreate", do_policy_create, &a);
    mem_free(body);
    return err;
}

static enum bk_err
do_policy_update(struct ctx *c, void *arg)
{
    struct policy_args *a = arg;

    return named_err(c, store_access_policy_update(&c->db, c->tenant, a->id, a->name, a->descr,
                                                   a->body, c->now),
                     "policy with this name already exists");
}

enum bk_err
policies_update(struct ctx *c, int64_t id, const char *name, const char *descr,
                const json_t *policy)
{
    struct policy_args a = { id, name, descr, NULL, NULL };
    char *body = NULL;
    enum bk_err err = check_name(c, name, descr);

    if (err == BK_OK && policy != NULL)
        err = policy_text(c, policy, &body);
    if (err != BK_OK)
        return err;
    a.body = body;
    err = in_write(c, "PolicyUpdate", do_policy_update, &a);
    mem_free(body);
    return err;
}

enum bk_err
policies_get(struct ctx *c, int64_t id, const char *name, struct access_named *out)
{
    enum bk_err err = store_access_policy_get(&c->db, c->tenant, id, name, out);

    return err == BK_ENOTFOUND ? ctx_fail(c, err, "not found") : err;
}

enum bk_err
policies_list(struct ctx *c, store_named_fn fn, void *arg)
{
    return store_access_policy_list(&c->db, c->tenant, fn, arg);
}
