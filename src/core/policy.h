/* The CRBAC policy engine: compiles a policy document (AWS-IAM-like: Effect,
 * Principal, Action, Resource, Condition) into a compact form once, and
 * decides calls against it. Pure functions: no store, no clock, no globals;
 * the caller supplies the group memberships the decision needs. */
#ifndef BK_POLICY_H
#define BK_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"

#define POLICY_NAME_MAX 128      /* role names in Principal and role/ filters */
#define POLICY_FIELD_MAX 64      /* a field path inside a part, e.g. "name" or "address.city" */
#define POLICY_VIEW_MAX 16       /* distinct field paths one decision can grant */

/* What part of a user's data an operation reads or writes. */
enum policy_part {
    POLICY_PART_ALL = 0,         /* "*": everything */
    POLICY_PART_PROFILE = 1,
    POLICY_PART_CONSENT = 2,
    POLICY_PART_APPDATA = 3,
    POLICY_PART_GROUP = 4,
};

struct policy;                   /* compiled; policy_free() */

/* Compile <doc>: one statement {"Effect","Principal","Action","Resource",
 * "Condition"} or {"Statement":[...]} of them. On BK_EINVAL *errmsg is a
 * static text for the client. *out is new (policy_free()). */
enum bk_err policy_compile(const json_t *doc, struct policy **out, const char **errmsg);
void policy_free(struct policy *p);

/* 1 when some statement of <p> reads the members of groups (a
 * ${..._group_members} variable), so the caller must supply them. */
int policy_needs_members(const struct policy *p);

/* 1 when the Action pattern <pat> (with '*' wildcards) matches <op>. */
int policy_action_match(const char *pat, const char *op);

/* A membership: <user> is in <group> with role <role> ("" for none). */
struct policy_membership {
    int64_t group;
    int64_t user;
    const char *role;
};

/* Who asks, about whom. Arrays are borrowed. */
struct policy_subject {
    int64_t principal;                       /* user id of a user token; 0 for a role token */
    const char *const *roles;                /* role names the principal holds */
    size_t nroles;
    const struct policy_membership *pm;      /* the principal's memberships */
    size_t npm;
    int64_t target;                          /* the target user's id; 0: none (call level) */
    const struct policy_membership *tm;      /* the target's memberships */
    size_t ntm;
    const struct policy_membership *gm;      /* every member of the groups in pm and tm, when
                                                policy_needs_members() and no member_seek */
    size_t ngm;
    /* When set, ${..._group_members} are asked of it instead of read from gm: into *user_out
     * the lowest user id >= <from> that is a member of <group> holding role <role> ("": any);
     * BK_ENOTFOUND when none (store_access_member_seek). Other errors fail the decision. */
    enum bk_err (*member_seek)(void *arg, int64_t group, const char *role, int64_t from,
                               int64_t *user_out);
    void *member_arg;
};

/* A policy that applies to the principal, and the role it applies through
 * when an administrator linked it to that role (RoleLinkPolicy); NULL when
 * it applies only through its own Principal. */
struct policy_grant {
    const struct policy *p;
    const char *linked_role;
};

/* What a decision allows of the target's data. */
struct policy_view {
    int all;                                 /* the whole part (and every part for "*") */
    int nfields;                             /* else these field paths of the profile */
    char fields[POLICY_VIEW_MAX][POLICY_FIELD_MAX];
    int ndeny;                               /* field paths a Deny statement removes */
    char deny[POLICY_VIEW_MAX][POLICY_FIELD_MAX];
};

enum policy_decision { POLICY_NOMATCH = 0, POLICY_ALLOWED = 1, POLICY_DENIED = 2 };

/* Decide <op> on <part> for <s> under <grants>. With s->target == 0 only
 * actions and principals count (call level: Deny wins when unconditional);
 * with a target, resources and conditions count too, Deny wins, and *view
 * says what is visible. BK_ENOMEM or BK_ETOOBIG (more than POLICY_VIEW_MAX
 * fields) fail closed. */
enum bk_err policy_decide(const struct policy_grant *grants, size_t ngrants, const char *op,
                          enum policy_part part, const struct policy_subject *s,
                          enum policy_decision *out, struct policy_view *view);

/* A new object: <profile> reduced to what <v> allows (deep copies). NULL on OOM. */
json_t *policy_view_apply(const struct policy_view *v, const json_t *profile);

/* A new object: what of <profile> <v> does not allow (the complement of
 * policy_view_apply). A change is within <v> when this part is unchanged. */
json_t *policy_view_strip(const struct policy_view *v, const json_t *profile);

#endif
