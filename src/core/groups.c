/* Groups and memberships. Changes that name a user go through
 * users_find(), so the caller's rights on that user are checked, and
 * write an audit event on that user in the same transaction. */
#include "groups.h"

#include <string.h>

#include "audit.h"
#include "roles.h"

static enum bk_err
check_names(struct ctx *c, const char *name, const char *descr, const char *gtype)
{
    size_t len = name ? strlen(name) : 0;

    if (name != NULL && (len == 0 || len > ACCESS_NAME_MAX))
        return ctx_fail(c, BK_EINVAL, "bad groupname: 1 to 128 characters");
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return ctx_fail(c, BK_EINVAL, "bad groupname: control characters");
    }
    if (descr != NULL && strlen(descr) > ACCESS_DESC_MAX)
        return ctx_fail(c, BK_EINVAL, "groupdesc too long");
    if (gtype != NULL && strlen(gtype) > ACCESS_NAME_MAX)
        return ctx_fail(c, BK_EINVAL, "grouptype too long");
    return BK_OK;
}

static enum bk_err
finish(struct ctx *c, enum bk_err err, const struct audit_event *ev)
{
    if (err == BK_OK)
        err = audit_write(c, ev);
    err = store_end(&c->db, err);
    return err;
}

static enum bk_err
group_err(struct ctx *c, enum bk_err err)
{
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err == BK_ECONFLICT)
        return ctx_fail(c, err, "group with this name already exists");
    return err;
}

enum bk_err
groups_create(struct ctx *c, const char *name, const char *descr, const char *gtype,
              int64_t *id_out)
{
    struct audit_event ev = { .action = "GroupCreate" };
    enum bk_err err;

    *id_out = 0;
    if (name == NULL)
        return ctx_fail(c, BK_EINVAL, "missing groupname");
    err = check_names(c, name, descr, gtype);
    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = group_err(c, store_access_group_insert(&c->db, c->tenant, name, descr, gtype, c->now,
                                                 id_out));
    return finish(c, err, &ev);
}

enum bk_err
groups_get(struct ctx *c, int64_t id, const char *name, struct access_named *out)
{
    return group_err(c, store_access_group_get(&c->db, c->tenant, id, name, out));
}

enum bk_err
groups_update(struct ctx *c, int64_t id, const char *name, const char *descr,
              const char *gtype)
{
    struct audit_event ev = { .action = "GroupUpdate" };
    enum bk_err err = check_names(c, name, descr, gtype);

    if (err == BK_OK)
        err = store_begin(&c->db, 1);
    if (err != BK_OK)
        return err;
    err = group_err(c, store_access_group_update(&c->db, c->tenant, id, name, descr, gtype));
    return finish(c, err, &ev);
}

enum bk_err
groups_delete(struct ctx *c, int64_t id, const char *name)
{
    struct audit_event ev = { .action = "GroupDelete" };
    struct access_named g = { 0 };
    enum bk_err err = store_begin(&c->db, 1);

    if (err != BK_OK)
        return err;
    err = group_err(c, store_access_group_get(&c->db, c->tenant, id, NULL, &g));
    if (err == BK_OK && name != NULL && strcmp(name, g.name) != 0)
        err = ctx_fail(c, BK_EINVAL, "groupname does not match groupid");
    if (err == BK_OK)
        err = group_err(c, store_access_group_delete(&c->db, c->tenant, id));
    access_named_cleanup(&g);
    return finish(c, err, &ev);
}

enum bk_err
groups_list(struct ctx *c, store_named_fn fn, void *arg)
{
    return store_access_group_list(&c->db, c->tenant, fn, arg);
}

enum bk_err
groups_resolve(struct ctx *c, const struct groups_sel *sel, int64_t *id_out)
{
    struct access_named g;
    enum bk_err err;

    *id_out = 0;
    if (sel->group_name == NULL && sel->group_id <= 0)
        return ctx_fail(c, BK_EINVAL, "missing groupid or groupname");
    err = store_access_group_get(&c->db, c->tenant, sel->group_id, sel->group_name, &g);
    if (err == BK_ENOTFOUND)
        return ctx_fail(c, err, "not found");
    if (err != BK_OK)
        return err;
    *id_out = g.id;
    access_named_cleanup(&g);
    return BK_OK;
}

/* Add <user_id> to the group and role of <sel>, inside the open transaction. */
static enum bk_err
add_member(struct ctx *c, const struct groups_sel *sel, int64_t user_id)
{
    int64_t group, role = 0;
    enum bk_err err = groups_resolve(c, sel, &group);

    if (err == BK_OK && sel->has_role)
        err = roles_resolve(c, sel->role_id, sel->role_name, 1, &role);
    if (err == BK_OK)
        err = store_access_member_add(&c->db, c->tenant, group, user_id, role);
    if (err == BK_ECONFLICT)
        return ctx_fail(c, err, "user already holds this role in the group");
    return err;
}

enum bk_err
groups_on_user_created(struct ctx *c, const struct user_row *row, void *arg)
{
    return add_member(c, arg, row->id);
}

enum bk_err
groups_add_user(struct ctx *c, const struct groups_sel *sel, const struct user_ref *ref)
{
    struct user_row row;
    struct audit_event ev = { .action = "GroupAddUser", .mode = users_mode_name(ref->mode) };
    enum bk_err err = store_begin(&c->db, 1);

    memset(&row, 0, sizeof row);
    if (err != BK_OK)
        return err;
    err = users_find(c, ref, &row);
    if (err == BK_OK)
        err = add_member(c, sel, row.id);
    ev.record = row.token;
    err = finish(c, err, &ev);
    store_user_row_cleanup(&row);
    return err;
}

enum bk_err
groups_delete_user(struct ctx *c, const struct groups_sel *sel, const struct user_ref *ref)
{
    struct user_row row;
    struct audit_event ev = { .action = "GroupDeleteUser", .mode = users_mode_name(ref->mode) };
    int64_t group = 0;
    enum bk_err err = store_begin(&c->db, 1);

    memset(&row, 0, sizeof row);
    if (err != BK_OK)
        return err;
    err = groups_resolve(c, sel, &group);
    if (err == BK_OK)
        err = users_find(c, ref, &row);
    if (err == BK_OK) {
        err = store_access_member_delete(&c->db, c->tenant, group, row.id);
        if (err == BK_ENOTFOUND)
            ctx_fail(c, err, "not found");
    }
    ev.record = row.token;
    err = finish(c, err, &ev);
    store_user_row_cleanup(&row);
    return err;
}

enum bk_err
groups_list_user(struct ctx *c, const struct user_ref *ref, store_member_fn fn, void *arg)
{
    struct user_row row;
    struct audit_event ev = { .action = "GroupListUserGroups", .mode = users_mode_name(ref->mode) };
    enum bk_err err = store_begin(&c->db, 0);

    memset(&row, 0, sizeof row);
    if (err != BK_OK)
        return err;
    err = users_find(c, ref, &row);
    if (err == BK_OK)
        err = store_access_members_of_user(&c->db, c->tenant, row.id, fn, arg);
    ev.record = row.token;
    err = audit_read_end(c, err, &ev);
    store_user_row_cleanup(&row);
    return err;
}
