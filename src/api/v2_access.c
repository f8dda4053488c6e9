/* /v2 adapters for access control: access tokens, roles, policies, groups
 * and memberships. Each reads its parameters and calls one service. */
#include "v2_access.h"

#include <string.h>

#include "../core/groups.h"
#include "../core/roles.h"
#include "../core/xtokens.h"
#include "params.h"

/* The optional string <name>: NULL when absent or null. */
static enum bk_err
opt_str(struct ctx *c, const json_t *body, const char *name, const char **out)
{
    size_t len;
    enum bk_err err = params_str(c, body, name, out, &len);

    if (err == BK_ENOTFOUND) {
        *out = NULL;
        return BK_OK;
    }
    if (err == BK_OK && strlen(*out) != len)
        return ctx_fail(c, BK_EINVAL, "parameter must not contain NUL");
    return err;
}

/* The optional id <name>: 0 when absent. */
static enum bk_err
opt_id(struct ctx *c, const json_t *body, const char *name, int64_t *out)
{
    return params_int(c, body, name, 0, 1, INT64_MAX, out);
}

/* An object named by id <idname> or by name <namename>; one is required. */
static enum bk_err
id_or_name(struct ctx *c, const json_t *body, const char *idname, const char *namename,
           const char *missing, int64_t *id, const char **name)
{
    enum bk_err err = opt_id(c, body, idname, id);

    if (err == BK_OK)
        err = opt_str(c, body, namename, name);
    if (err == BK_OK && *id == 0 && *name == NULL)
        return ctx_fail(c, BK_EINVAL, missing);
    if (*id != 0)
        *name = NULL;   /* the id wins */
    return err;
}

static enum bk_err
duration(struct ctx *c, const json_t *body, const char *name, int64_t *out)
{
    const json_t *v = json_object_get(body, name);

    *out = 0;
    if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
        return BK_OK;
    if (json_is_integer(v)) {
        if (json_integer_value(v) <= 0 || json_integer_value(v) > XTOKENS_MAX_TTL_S)
            return ctx_fail(c, BK_EINVAL, "bad finaltime or slidingtime");
        *out = (int64_t)json_integer_value(v);
        return BK_OK;
    }
    if (!json_is_string(v) ||
        xtokens_parse_duration(json_string_value(v), json_string_length(v), out) != BK_OK)
        return ctx_fail(c, BK_EINVAL,
                        "bad finaltime or slidingtime: use a duration like 30s, 15m, 12h, 30d");
    return BK_OK;
}

static enum bk_err
reply_xtoken(json_t **reply, const char *xtoken)
{
    *reply = json_pack("{s:s}", "xtoken", xtoken);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_ACCESS_HANDLER(v2_xtoken_create_for_user)
{
    struct user_ref ref;
    int64_t final_s = 0, sliding_s = 0;
    char xtoken[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = duration(c, body, "finaltime", &final_s);
    if (err == BK_OK)
        err = duration(c, body, "slidingtime", &sliding_s);
    if (err == BK_OK)
        err = xtokens_create_for_user(c, &ref, final_s, sliding_s, xtoken);
    return err == BK_OK ? reply_xtoken(reply, xtoken) : err;
}

V2_ACCESS_HANDLER(v2_xtoken_create_for_role)
{
    int64_t id, final_s = 0, sliding_s = 0;
    const char *name;
    char xtoken[37];
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = id_or_name(c, body, "roleid", "rolename", "missing roleid or rolename", &id, &name);
    if (err == BK_OK)
        err = duration(c, body, "finaltime", &final_s);
    if (err == BK_OK)
        err = duration(c, body, "slidingtime", &sliding_s);
    if (err == BK_OK)
        err = xtokens_create_for_role(c, id, name, final_s, sliding_s, xtoken);
    return err == BK_OK ? reply_xtoken(reply, xtoken) : err;
}

static enum bk_err
reply_empty(json_t **reply)
{
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
reply_id(json_t **reply, const char *key, int64_t id)
{
    *reply = json_pack("{s:I}", key, (json_int_t)id);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_ACCESS_HANDLER(v2_role_create)
{
    const char *name = NULL, *descr = NULL;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = opt_str(c, body, "rolename", &name);
    if (err == BK_OK && name == NULL)
        err = ctx_fail(c, BK_EINVAL, "missing rolename");
    if (err == BK_OK)
        err = opt_str(c, body, "roledesc", &descr);
    if (err == BK_OK)
        err = roles_create(c, name, descr, &id);
    return err == BK_OK ? reply_id(reply, "roleid", id) : err;
}

V2_ACCESS_HANDLER(v2_role_update)
{
    const char *name = NULL, *descr = NULL;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = opt_id(c, body, "roleid", &id);
    if (err == BK_OK && id == 0)
        err = ctx_fail(c, BK_EINVAL, "missing roleid");
    if (err == BK_OK)
        err = opt_str(c, body, "rolename", &name);
    if (err == BK_OK)
        err = opt_str(c, body, "roledesc", &descr);
    if (err == BK_OK)
        err = roles_update(c, id, name, descr);
    return err == BK_OK ? reply_empty(reply) : err;
}

V2_ACCESS_HANDLER(v2_role_link_policy)
{
    const char *rname, *pname;
    int64_t rid, pid;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = id_or_name(c, body, "roleid", "rolename", "missing roleid or rolename", &rid, &rname);
    if (err == BK_OK)
        err = id_or_name(c, body, "policyid", "policyname", "missing policyid or policyname",
                         &pid, &pname);
    if (err == BK_OK)
        err = roles_link_policy(c, rid, rname, pid, pname);
    return err == BK_OK ? reply_empty(reply) : err;
}

static enum bk_err
policy_member(struct ctx *c, const json_t *body, int required, const json_t **out)
{
    *out = json_object_get(body, "policy");
    if (*out == NULL || json_is_null(*out)) {
        *out = NULL;
        return required ? ctx_fail(c, BK_EINVAL, "missing policy") : BK_OK;
    }
    if (!json_is_object(*out))
        return ctx_fail(c, BK_EINVAL, "policy must be a JSON object");
    return BK_OK;
}

V2_ACCESS_HANDLER(v2_policy_create)
{
    const char *name = NULL, *descr = NULL;
    const json_t *policy = NULL;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = opt_str(c, body, "policyname", &name);
    if (err == BK_OK && name == NULL)
        err = ctx_fail(c, BK_EINVAL, "missing policyname");
    if (err == BK_OK)
        err = opt_str(c, body, "policydesc", &descr);
    if (err == BK_OK)
        err = policy_member(c, body, 1, &policy);
    if (err == BK_OK)
        err = policies_create(c, name, descr, policy, &id);
    return err == BK_OK ? reply_id(reply, "policyid", id) : err;
}

V2_ACCESS_HANDLER(v2_policy_update)
{
    const char *name = NULL, *descr = NULL;
    const json_t *policy = NULL;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = opt_id(c, body, "policyid", &id);
    if (err == BK_OK && id == 0)
        err = ctx_fail(c, BK_EINVAL, "missing policyid");
    if (err == BK_OK)
        err = opt_str(c, body, "policyname", &name);
    if (err == BK_OK)
        err = opt_str(c, body, "policydesc", &descr);
    if (err == BK_OK)
        err = policy_member(c, body, 0, &policy);
    if (err == BK_OK)
        err = policies_update(c, id, name, descr, policy);
    return err == BK_OK ? reply_empty(reply) : err;
}

/* {policyid, policyname, policydesc[, policy]} for <n>. */
static json_t *
policy_json(const struct access_named *n, int with_policy)
{
    json_t *o = json_pack("{s:I, s:s, s:s}", "policyid", (json_int_t)n->id, "policyname",
                          n->name ? n->name : "", "policydesc", n->descr ? n->descr : "");

    if (o != NULL && with_policy) {
        json_t *p = json_loads(n->extra ? n->extra : "{}", 0, NULL);

        if (p == NULL || json_object_set_new(o, "policy", p) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static enum bk_err
reply_rows(json_t **reply, json_t *rows)
{
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

V2_ACCESS_HANDLER(v2_group_create)
{
    const char *name = NULL, *descr = NULL, *gtype = NULL;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = opt_str(c, body, "groupname", &name);
    if (err == BK_OK && name == NULL)
        err = ctx_fail(c, BK_EINVAL, "missing groupname");
    if (err == BK_OK)
        err = opt_str(c, body, "groupdesc", &descr);
    if (err == BK_OK && descr == NULL)
        err = opt_str(c, body, "description", &descr);   /* the docs' examples */
    if (err == BK_OK)
        err = opt_str(c, body, "grouptype", &gtype);
    if (err == BK_OK)
        err = groups_create(c, name, descr, gtype, &id);
    return err == BK_OK ? reply_id(reply, "groupid", id) : err;
}

/* {groupid, groupname, groupdesc, grouptype} for <n>, in full or listed. */
static json_t *
group_json(const struct access_named *n, int full)
{
    (void)full;
    return json_pack("{s:I, s:s, s:s, s:s}", "groupid", (json_int_t)n->id, "groupname",
                     n->name ? n->name : "", "groupdesc", n->descr ? n->descr : "", "grouptype",
                     n->extra ? n->extra : "");
}

/* Policies and groups: fetched by id or name, listed whole, shown by <json>
 * (in full for a get, shorter in a listing). */
struct named_kind {
    const char *idname, *namename, *missing;
    enum bk_err (*get)(struct ctx *c, int64_t id, const char *name, struct access_named *out);
    enum bk_err (*list)(struct ctx *c, store_named_fn fn, void *arg);
    json_t *(*json)(const struct access_named *n, int full);
};

static const struct named_kind kind_policy = {
    "policyid", "policyname", "missing policyid or policyname", policies_get, policies_list,
    policy_json,
};
static const struct named_kind kind_group = {
    "groupid", "groupname", "missing groupid or groupname", groups_get, groups_list, group_json,
};

static enum bk_err
named_get(struct ctx *c, const json_t *body, const struct named_kind *k, json_t **reply)
{
    struct access_named n = { 0 };
    const char *name;
    int64_t id;
    enum bk_err err = id_or_name(c, body, k->idname, k->namename, k->missing, &id, &name);

    if (err == BK_OK)
        err = k->get(c, id, name, &n);
    if (err != BK_OK)
        return err;
    *reply = k->json(&n, 1);
    access_named_cleanup(&n);
    return *reply ? BK_OK : BK_ENOMEM;
}

struct named_rows {
    const struct named_kind *k;
    json_t *rows;
};

static enum bk_err
collect_named(void *arg, const struct access_named *n)
{
    struct named_rows *l = arg;
    json_t *o = l->k->json(n, 0);

    if (o == NULL || json_array_append_new(l->rows, o) != 0)
        return BK_ENOMEM;
    return BK_OK;
}

static enum bk_err
named_list(struct ctx *c, const struct named_kind *k, json_t **reply)
{
    struct named_rows l = { k, json_array() };
    enum bk_err err;

    if (l.rows == NULL)
        return BK_ENOMEM;
    err = k->list(c, collect_named, &l);
    if (err != BK_OK) {
        json_decref(l.rows);
        return err;
    }
    return reply_rows(reply, l.rows);
}

V2_ACCESS_HANDLER(v2_policy_get)
{
    (void)req, (void)m, (void)raw;
    return named_get(c, body, &kind_policy, reply);
}

V2_ACCESS_HANDLER(v2_policy_list_all)
{
    (void)req, (void)m, (void)raw, (void)body;
    return named_list(c, &kind_policy, reply);
}

V2_ACCESS_HANDLER(v2_group_get)
{
    (void)req, (void)m, (void)raw;
    return named_get(c, body, &kind_group, reply);
}

V2_ACCESS_HANDLER(v2_group_update)
{
    const char *name = NULL, *descr = NULL, *gtype = NULL;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = opt_id(c, body, "groupid", &id);
    if (err == BK_OK && id == 0)
        err = ctx_fail(c, BK_EINVAL, "missing groupid");
    if (err == BK_OK)
        err = opt_str(c, body, "groupname", &name);
    if (err == BK_OK)
        err = opt_str(c, body, "groupdesc", &descr);
    if (err == BK_OK)
        err = opt_str(c, body, "grouptype", &gtype);
    if (err == BK_OK)
        err = groups_update(c, id, name, descr, gtype);
    return err == BK_OK ? reply_empty(reply) : err;
}

V2_ACCESS_HANDLER(v2_group_delete)
{
    const char *name = NULL;
    int64_t id = 0;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = opt_id(c, body, "groupid", &id);
    if (err == BK_OK && id == 0)
        err = ctx_fail(c, BK_EINVAL, "missing groupid");
    if (err == BK_OK)
        err = opt_str(c, body, "groupname", &name);
    if (err == BK_OK)
        err = groups_delete(c, id, name);
    return err == BK_OK ? reply_empty(reply) : err;
}

V2_ACCESS_HANDLER(v2_group_list_all)
{
    (void)req, (void)m, (void)raw, (void)body;
    return named_list(c, &kind_group, reply);
}

static enum bk_err
collect_membership(void *arg, const struct access_member *mb)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:s}", "groupid", (json_int_t)mb->group_id,
                          "groupname", mb->group_name ? mb->group_name : "", "groupdesc",
                          mb->group_descr ? mb->group_descr : "", "roleid",
                          (json_int_t)mb->role_id, "rolename", mb->role_name ? mb->role_name : "");

    if (o == NULL || json_array_append_new(arg, o) != 0)
        return BK_ENOMEM;
    return BK_OK;
}

V2_ACCESS_HANDLER(v2_group_list_user_groups)
{
    struct user_ref ref;
    json_t *rows;
    enum bk_err err;

    (void)req, (void)m, (void)raw;
    err = params_ref_body(c, body, &ref);
    if (err != BK_OK)
        return err;
    rows = json_array();
    if (rows == NULL)
        return BK_ENOMEM;
    err = groups_list_user(c, &ref, collect_membership, rows);
    if (err != BK_OK) {
        json_decref(rows);
        return err;
    }
    return reply_rows(reply, rows);
}

enum bk_err
v2_access_group_sel(struct ctx *c, const json_t *body, int need_group, struct groups_sel *sel)
{
    enum bk_err err;

    memset(sel, 0, sizeof *sel);
    err = opt_id(c, body, "groupid", &sel->group_id);
    if (err == BK_OK)
        err = opt_str(c, body, "groupname", &sel->group_name);
    if (err == BK_OK && sel->group_id != 0)
        sel->group_name = NULL;
    if (err == BK_OK && need_group && sel->group_id == 0 && sel->group_name == NULL)
        err = ctx_fail(c, BK_EINVAL, "missing groupid or groupname");
    if (err == BK_OK)
        err = opt_id(c, body, "roleid", &sel->role_id);
    if (err == BK_OK)
        err = opt_str(c, body, "rolename", &sel->role_name);
    if (err == BK_OK && sel->role_name == NULL)
        err = opt_str(c, body, "role", &sel->role_name);   /* the docs' examples */
    if (err == BK_OK && sel->role_id != 0)
        sel->role_name = NULL;
    if (err == BK_OK)
        sel->has_role = sel->role_id != 0 || sel->role_name != NULL;
    return err;
}

/* Put the user of <body> into, or take it out of, the group (and role) it
 * names, with <op> (groups_add_user or groups_delete_user). */
static enum bk_err
membership(struct ctx *c, const json_t *body,
           enum bk_err (*op)(struct ctx *c, const struct groups_sel *sel,
                             const struct user_ref *ref),
           json_t **reply)
{
    struct user_ref ref;
    struct groups_sel sel;
    enum bk_err err = params_ref_body(c, body, &ref);

    if (err == BK_OK)
        err = v2_access_group_sel(c, body, 1, &sel);
    if (err == BK_OK)
        err = op(c, &sel, &ref);
    return err == BK_OK ? reply_empty(reply) : err;
}

V2_ACCESS_HANDLER(v2_group_add_user)
{
    (void)req, (void)m, (void)raw;
    return membership(c, body, groups_add_user, reply);
}

V2_ACCESS_HANDLER(v2_group_delete_user)
{
    (void)req, (void)m, (void)raw;
    return membership(c, body, groups_delete_user, reply);
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_access_routes[] = {
    { "POST", "/v2/XTokenCreateForUser", v2_xtoken_create_for_user, V2, "XTokenCreateForUser" },
    { "POST", "/v2/XTokenCreateForRole", v2_xtoken_create_for_role, V2, "XTokenCreateForRole" },
    { "POST", "/v2/RoleCreate", v2_role_create, V2, "RoleCreate" },
    { "POST", "/v2/RoleUpdate", v2_role_update, V2, "RoleUpdate" },
    { "POST", "/v2/RoleLinkPolicy", v2_role_link_policy, V2, "RoleLinkPolicy" },
    { "POST", "/v2/PolicyCreate", v2_policy_create, V2, "PolicyCreate" },
    { "POST", "/v2/PolicyGet", v2_policy_get, V2, "PolicyGet" },
    { "POST", "/v2/PolicyUpdate", v2_policy_update, V2, "PolicyUpdate" },
    { "POST", "/v2/PolicyListAllPolicies", v2_policy_list_all, V2, "PolicyListAllPolicies" },
    { "POST", "/v2/GroupCreate", v2_group_create, V2, "GroupCreate" },
    { "POST", "/v2/GroupGet", v2_group_get, V2, "GroupGet" },
    { "POST", "/v2/GroupUpdate", v2_group_update, V2, "GroupUpdate" },
    { "POST", "/v2/GroupDelete", v2_group_delete, V2, "GroupDelete" },
    { "POST", "/v2/GroupListAllGroups", v2_group_list_all, V2, "GroupListAllGroups" },
    { "POST", "/v2/GroupListUserGroups", v2_group_list_user_groups, V2, "GroupListUserGroups" },
    { "POST", "/v2/GroupAddUser", v2_group_add_user, V2, "GroupAddUser" },
    { "POST", "/v2/GroupDeleteUser", v2_group_delete_user, V2, "GroupDeleteUser" },
    { NULL, NULL, NULL, 0, NULL },
};
