/* Authorization decisions for access tokens. The policies of a tenant are
 * compiled into a snapshot shared by all workers (reference-counted, swapped
 * when the tenant's access version in the store moves); a decision then
 * costs the version read, the memberships it needs, and a pure evaluation. */
#include "authz.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../base/mem.h"
#include "../store/access.h"
#include "audit.h"
#include "portal.h"
#include "policy.h"

/* Calls a user token may make on its own record without any policy. */
static const char *const self_ops[] = {
    "UserGet", "UserUpdate", "UserPatch", "UserDelete", "UserListVersions",
    "UserDeleteRequest", "UserUpdateRequest", "UserPatchRequest", "UserRequestListUserRequests",
    "AppdataCreate", "AppdataGet", "AppdataUpdate", "AppdataDelete", "AppdataListUserAppNames",
    "AppdataListVersions", "AppdataUpdateRequest", "AgreementAccept", "AgreementGet",
    "AgreementListUserAgreements", "AgreementCancel", "AgreementCancelRequest",
    "AuditListUserEvents", "GroupListUserGroups", "SessionListUserSessions",
};

static int
is_self_op(const char *op)
{
    for (size_t i = 0; op != NULL && i < sizeof self_ops / sizeof self_ops[0]; i++) {
        if (strcmp(self_ops[i], op) == 0)
            return 1;
    }
    return 0;
}

/* What part of the target an operation touches, for Resource matching. */
static enum policy_part
op_part(const char *op)
{
    if (op == NULL)
        return POLICY_PART_ALL;
    if (strncmp(op, "Appdata", 7) == 0)
        return POLICY_PART_APPDATA;
    if (strncmp(op, "Agreement", 9) == 0 || strncmp(op, "Consent", 7) == 0)
        return POLICY_PART_CONSENT;
    if (strncmp(op, "Group", 5) == 0)
        return POLICY_PART_GROUP;
    return POLICY_PART_PROFILE;
}

/* Operations that need the whole record, never a masked view of it. */
static int
needs_whole(const char *op)
{
    return op != NULL && (strcmp(op, "UserDelete") == 0 || strcmp(op, "UserDeleteRequest") == 0 ||
                          strcmp(op, "XTokenCreateForUser") == 0);
}

int
authz_bypass(const struct ctx *c)
{
    return c->caller == CALLER_ROOT || c->caller == CALLER_TENANT || c->caller == CALLER_NONE;
}

/* ------------------------------------------------------------ snapshots */

struct snap_policy {
    int64_t id;
    struct policy *p;
};

struct snapshot {
    int64_t tenant;
    int64_t version;
    unsigned refs;
    int needs_members;
    size_t n, cap;
    struct snap_policy *pols;
    size_t nlinks, links_cap;
    int64_t (*links)[2];          /* role id, policy id */
};

#define SNAP_SLOTS 16

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *snaps[SNAP_SLOTS];

static void
snapshot_free(struct snapshot *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        policy_free(s->pols[i].p);
    mem_free(s->pols);
    mem_free(s->links);
    mem_free(s);
}

static void
snapshot_put(struct snapshot *s)
{
    int last;

    if (s == NULL)
        return;
    pthread_mutex_lock(&snap_lock);
    last = --s->refs == 0;
    pthread_mutex_unlock(&snap_lock);
    if (last)
        snapshot_free(s);
}

void
authz_cache_clear(void)
{
    for (int i = 0; i < SNAP_SLOTS; i++) {
        struct snapshot *s;

        pthread_mutex_lock(&snap_lock);
        s = snaps[i];
        snaps[i] = NULL;
        pthread_mutex_unlock(&snap_lock);
        snapshot_put(s);
    }
}

static enum bk_err
load_policy(void *arg, const struct access_named *row)
{
    struct snapshot *s = arg;
    const char *msg = NULL;
    struct policy *p = NULL;
    json_t *doc = json_loads(row->extra ? row->extra : "", JSON_REJECT_DUPLICATES, NULL);
    enum bk_err err = doc ? policy_compile(doc, &p, &msg) : BK_ECORRUPT;

    json_decref(doc);
    if (err == BK_ENOMEM)
        return err;
    if (err != BK_OK) {
        /* Stored policies were compiled when written; one that no longer
         * compiles grants nothing. */
        LOG_ERR(NULL, "authz", "stored policy %lld does not compile", (long long)row->id);
        return BK_OK;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        struct snap_policy *np = mem_realloc(s->pols, cap * sizeof *np);

        if (np == NULL) {
            policy_free(p);
            return BK_ENOMEM;
        }
        s->pols = np;
        s->cap = cap;
    }
    s->pols[s->n].id = row->id;
    s->pols[s->n++].p = p;
    s->needs_members |= policy_needs_members(p);
    return BK_OK;
}

static enum bk_err
load_link(void *arg, int64_t role_id, int64_t policy_id)
{
    struct snapshot *s = arg;

    if (s->nlinks == s->links_cap) {
        size_t cap = s->links_cap ? 2 * s->links_cap : 8;
        int64_t(*nl)[2] = mem_realloc(s->links, cap * sizeof *nl);

        if (nl == NULL)
            return BK_ENOMEM;
        s->links = nl;
        s->links_cap = cap;
    }
    s->links[s->nlinks][0] = role_id;
    s->links[s->nlinks++][1] = policy_id;
    return BK_OK;
}

/* The compiled policies of c->tenant, current with the store; the caller
 * owns one reference (snapshot_put()). */
static enum bk_err
snapshot_get(struct ctx *c, struct snapshot **out)
{
    struct snapshot *s = NULL, *old, *dead = NULL;
    size_t slot = (size_t)((uint64_t)c->tenant % SNAP_SLOTS);
    int64_t version = 0;
    enum bk_err err;

    *out = NULL;
    err = store_access_version_get(&c->db, c->tenant, &version);
    if (err != BK_OK)
        return err;
    pthread_mutex_lock(&snap_lock);
    s = snaps[slot];
    if (s != NULL && s->tenant == c->tenant && s->version == version) {
        s->refs++;
        *out = s;
    }
    pthread_mutex_unlock(&snap_lock);
    if (*out != NULL)
        return BK_OK;
    s = mem_calloc(1, sizeof *s);
    if (s == NULL)
        return BK_ENOMEM;
    s->tenant = c->tenant;
    s->version = version;
    s->refs = 1;
    err = store_access_policy_list(&c->db, c->tenant, load_policy, s);
    if (err == BK_OK)
        err = store_access_role_links(&c->db, c->tenant, load_link, s);
    if (err != BK_OK) {
        snapshot_free(s);
        return err;
    }
    pthread_mutex_lock(&snap_lock);
    old = snaps[slot];
    if (old == NULL || old->tenant != c->tenant || old->version <= version) {
        snaps[slot] = s;
        s->refs++;
        if (old != NULL && --old->refs == 0)
            dead = old;
    }
    pthread_mutex_unlock(&snap_lock);
    snapshot_free(dead);
    *out = s;
    return BK_OK;
}

/* ------------------------------------------------------------ memberships */

struct mlist {
    struct policy_membership *m;
    int64_t *role_ids;
    size_t n, cap;
};

static void
mlist_cleanup(struct mlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        mem_free((char *)l->m[i].role);
    mem_free(l->m);
    mem_free(l->role_ids);
    memset(l, 0, sizeof *l);
}

static enum bk_err
mlist_add(void *arg, const struct access_member *am)
{
    struct mlist *l = arg;
    char *role;

    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        struct policy_membership *nm = mem_realloc(l->m, cap * sizeof *nm);
        int64_t *nr;

        if (nm == NULL)
            return BK_ENOMEM;
        l->m = nm;
        nr = mem_realloc(l->role_ids, cap * sizeof *nr);
        if (nr == NULL)
            return BK_ENOMEM;
        l->role_ids = nr;
        l->cap = cap;
    }
    role = mem_strdup(am->role_name ? am->role_name : "");
    if (role == NULL)
        return BK_ENOMEM;
    l->m[l->n].group = am->group_id;
    l->m[l->n].user = am->user_id;
    l->m[l->n].role = role;
    l->role_ids[l->n++] = am->role_id;
    return BK_OK;
}

/* Everything one decision needs about the principal. */
struct principal {
    struct mlist pm;
    const char **roles;            /* distinct role names held */
    int64_t *role_ids;
    size_t nroles;
};

static void
principal_cleanup(struct principal *p)
{
    mlist_cleanup(&p->pm);
    mem_free(p->roles);
    mem_free(p->role_ids);
    memset(p, 0, sizeof *p);
}

static enum bk_err
principal_load(struct ctx *c, struct principal *p)
{
    enum bk_err err = BK_OK;
    size_t cap;

    memset(p, 0, sizeof *p);
    if (c->caller == CALLER_USER)
        err = store_access_members_of_user(&c->db, c->tenant, c->access.user_id, mlist_add,
                                           &p->pm);
    if (err != BK_OK)
        return err;
    cap = p->pm.n + 1;
    p->roles = mem_calloc(cap, sizeof *p->roles);
    p->role_ids = mem_calloc(cap, sizeof *p->role_ids);
    if (p->roles == NULL || p->role_ids == NULL)
        return BK_ENOMEM;
    if (c->caller == CALLER_ROLE) {
        p->roles[0] = c->access.role_name;
        p->role_ids[0] = c->access.role_id;
        p->nroles = 1;
    }
    for (size_t i = 0; i < p->pm.n; i++) {
        int seen = p->pm.role_ids[i] == 0;

        for (size_t k = 0; k < p->nroles && !seen; k++)
            seen = p->role_ids[k] == p->pm.role_ids[i];
        if (!seen) {
            p->roles[p->nroles] = p->pm.m[i].role;
            p->role_ids[p->nroles++] = p->pm.role_ids[i];
        }
    }
    return BK_OK;
}

/* Grants: every policy of the snapshot, with the principal's role it is
 * linked to, if any. A new array (mem_free()). */
static enum bk_err
grants_build(const struct snapshot *s, const struct principal *p, struct policy_grant **out)
{
    struct policy_grant *g = mem_calloc(s->n + 1, sizeof *g);

    *out = g;
    if (g == NULL)
        return BK_ENOMEM;
    for (size_t i = 0; i < s->n; i++) {
        g[i].p = s->pols[i].p;
        for (size_t l = 0; l < s->nlinks && g[i].linked_role == NULL; l++) {
            if (s->links[l][1] != s->pols[i].id)
                continue;
            for (size_t r = 0; r < p->nroles; r++) {
                if (p->role_ids[r] == s->links[l][0])
                    g[i].linked_role = p->roles[r];
            }
        }
    }
    return BK_OK;
}

static void
subject_init(struct ctx *c, const struct principal *p, struct policy_subject *s)
{
    memset(s, 0, sizeof *s);
    s->principal = c->caller == CALLER_USER ? c->access.user_id : 0;
    s->roles = p->roles;
    s->nroles = p->nroles;
    s->pm = p->pm.m;
    s->npm = p->pm.n;
}

/* ------------------------------------------------------------ per request */

/* What every decision of one request shares: the principal's memberships,
 * the tenant's compiled policies (the access version is read once per
 * request), and the grants built from both. Made by the first decision,
 * dropped by authz_ctx_cleanup() when the request ends: a change committed
 * by another request is seen by the next request, never halfway through
 * this one. */
struct authz_memo {
    struct principal p;
    struct snapshot *s;
    struct policy_grant *g;
};

static void
memo_free(struct authz_memo *m)
{
    if (m == NULL)
        return;
    mem_free(m->g);
    snapshot_put(m->s);
    principal_cleanup(&m->p);
    mem_free(m);
}

void
authz_ctx_cleanup(struct ctx *c)
{
    memo_free(c->access.memo);
    c->access.memo = NULL;
}

static enum bk_err
memo_get(struct ctx *c, struct authz_memo **out)
{
    struct authz_memo *m = c->access.memo;
    enum bk_err err;

    *out = m;
    if (m != NULL)
        return BK_OK;
    m = mem_calloc(1, sizeof *m);
    if (m == NULL)
        return BK_ENOMEM;
    err = principal_load(c, &m->p);
    if (err == BK_OK)
        err = snapshot_get(c, &m->s);
    if (err == BK_OK)
        err = grants_build(m->s, &m->p, &m->g);
    if (err != BK_OK) {
        memo_free(m);
        return err;
    }
    c->access.memo = m;
    *out = m;
    return BK_OK;
}

/* ------------------------------------------------------------ refusals */

static void
audit_refusal(struct ctx *c, const char *record)
{
    struct audit_event ev = {
        .action = c->access.op ? c->access.op : "unknown", .mode = "token", .record = record,
        .result = BK_EFORBID, .msg = "forbidden by policy",
    };
    const char *msg = c->errmsg;

    if (audit_write_alone(c, &ev) != BK_OK)
        LOG_ERR(c->rid, "authz", "refusal not audited");
    c->errmsg = msg;
}

void
authz_refused(struct ctx *c)
{
    if (!c->access.refused)
        return;
    c->access.refused = 0;
    audit_refusal(c, c->access.refused_record);
}

static enum bk_err
refuse_target(struct ctx *c, const struct user_row *target)
{
    c->access.refused = 1;
    memcpy(c->access.refused_record, target->token, sizeof c->access.refused_record);
    c->access.limited = 1;
    memset(&c->access.view, 0, sizeof c->access.view);
    return ctx_fail(c, BK_EFORBID, "access denied by policy");
}

/* ------------------------------------------------------------ decisions */

static enum bk_err
decide_call(struct ctx *c, const char *op, enum policy_decision *out)
{
    struct authz_memo *m;
    struct policy_subject subj;
    struct policy_view view;
    enum bk_err err = memo_get(c, &m);

    if (err != BK_OK)
        return err;
    subject_init(c, &m->p, &subj);
    return policy_decide(m->g, m->s->n, op, op_part(op), &subj, out, &view);
}

/* Operations an unlock id serves: whoever may run one of them may ask for
 * an unlock id (the docs' policies list the listing, not always the unlock). */
static const char *const unlock_users[] = {
    "BulkListAllUsers", "BulkListUsers", "BulkListGroupUsers", "BulkListAllAuditEvents",
    "BulkListAllUserRequests", "BulkListTokens", "BulkDeleteTokens", "UserSearch",
};

/* Operations over all tenants: root only, not a tenant's admin token. */
static const char *const root_only_ops[] = { "TenantCreate", "TenantListTenants",
                                             "TenantDelete", "SystemGenerateWrappingKey",
                                             NULL };

static int
is_root_only(const char *op)
{
    for (size_t i = 0; op != NULL && root_only_ops[i] != NULL; i++) {
        if (strcmp(op, root_only_ops[i]) == 0)
            return 1;
    }
    return 0;
}

enum bk_err
authz_call(struct ctx *c, const char *op)
{
    enum policy_decision d = POLICY_NOMATCH;
    int borrowed;
    enum bk_err err;

    c->access.op = op;
    c->access.limited = 0;
    if (c->caller == CALLER_TENANT && is_root_only(op))
        return ctx_fail(c, BK_EFORBID, "access denied");
    if (authz_bypass(c))
        return BK_OK;
    if (c->caller == CALLER_PORTAL)
        return portal_authz(c, op);
    borrowed = c->db.conn == NULL;
    err = borrowed ? store_acquire((struct store *)&c->app->store, &c->db) : BK_OK;
    if (err != BK_OK)
        return err;
    err = decide_call(c, op, &d);
    for (size_t i = 0; err == BK_OK && d == POLICY_NOMATCH && strcmp(op, "BulkListUnlock") == 0 &&
                       i < sizeof unlock_users / sizeof unlock_users[0]; i++)
        err = decide_call(c, unlock_users[i], &d);
    if (err == BK_OK && d == POLICY_NOMATCH && c->caller == CALLER_USER && is_self_op(op))
        d = POLICY_ALLOWED;   /* held to its own record by authz_target() */
    if (err == BK_OK && d != POLICY_ALLOWED) {
        ctx_fail(c, BK_EFORBID, "access denied by policy");
        audit_refusal(c, "");
        err = BK_EFORBID;
    }
    if (borrowed)
        store_release(&c->db);
    return err;
}

/* ${..._group_members} in conditions: one indexed seek per test, never the members listed
 * (a group may hold many thousands). */
static enum bk_err
member_seek(void *arg, int64_t group, const char *role, int64_t from, int64_t *user_out)
{
    struct ctx *c = arg;

    return store_access_member_seek(&c->db, c->tenant, group, role, from, user_out);
}

enum bk_err
authz_target(struct ctx *c, const struct user_row *target)
{
    struct authz_memo *m;
    struct mlist tm = { 0 };
    struct policy_subject subj;
    enum policy_decision d = POLICY_NOMATCH;
    int own;
    enum bk_err err;

    c->access.limited = 0;
    if (authz_bypass(c))
        return BK_OK;
    memcpy(c->access.refused_record, target->token, sizeof c->access.refused_record);
    if (c->caller == CALLER_USER && target->id == c->access.user_id && is_self_op(c->access.op))
        return BK_OK;
    /* A portal session acts on its own record only; core/portal.c vetted the call. */
    if (c->caller == CALLER_PORTAL)
        return strcmp(target->token, c->self_token) == 0 ? BK_OK : refuse_target(c, target);
    err = memo_get(c, &m);
    own = err == BK_OK && c->caller == CALLER_USER && target->id == c->access.user_id;
    if (own)
        tm = (struct mlist){ .m = m->p.pm.m, .n = m->p.pm.n };   /* borrowed */
    else if (err == BK_OK)
        err = store_access_members_of_user(&c->db, c->tenant, target->id, mlist_add, &tm);
    if (err == BK_OK) {
        subject_init(c, &m->p, &subj);
        subj.target = target->id;
        subj.tm = tm.m;
        subj.ntm = tm.n;
        if (m->s->needs_members) {
            subj.member_seek = member_seek;
            subj.member_arg = c;
        }
        err = policy_decide(m->g, m->s->n, c->access.op, op_part(c->access.op), &subj, &d,
                            &c->access.view);
    }
    if (!own)
        mlist_cleanup(&tm);
    if (err == BK_ETOOBIG)
        err = BK_OK;   /* policy_decide failed closed: d is DENIED */
    if (err != BK_OK)
        return err;
    if (d != POLICY_ALLOWED)
        return refuse_target(c, target);
    c->access.limited = !c->access.view.all || c->access.view.ndeny > 0;
    if (c->access.limited && needs_whole(c->access.op))
        return refuse_target(c, target);
    return BK_OK;
}

json_t *
authz_mask(struct ctx *c, json_t *profile)
{
    json_t *out;

    if (!c->access.limited || profile == NULL)
        return profile;
    out = policy_view_apply(&c->access.view, profile);
    json_decref(profile);
    return out;
}

enum bk_err
authz_check_change(struct ctx *c, const json_t *before, const json_t *after)
{
    json_t *a, *b;
    int same;

    if (!c->access.limited)
        return BK_OK;
    a = policy_view_strip(&c->access.view, before);
    b = policy_view_strip(&c->access.view, after);
    same = a != NULL && b != NULL && json_equal(a, b);
    json_decref(a);
    json_decref(b);
    if (a == NULL || b == NULL)
        return BK_ENOMEM;
    if (same)
        return BK_OK;
    c->access.refused = 1;
    return ctx_fail(c, BK_EFORBID, "access denied by policy: a field outside the allowed "
                                   "resources would change");
}
