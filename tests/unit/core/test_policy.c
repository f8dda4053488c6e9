/* The CRBAC policy engine: compilation and its refusals, action wildcards,
 * every policy example of the docs as a decision (allowed, refused outside
 * the condition, fields masked), Deny winning, and the views. Also the
 * pure helpers of fuzzy search and token durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/normalize.h"
#include "core/policy.h"
#include "core/search.h"
#include "core/xtokens.h"

static struct policy *
compile(const char *text)
{
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    struct policy *p = NULL;
    const char *msg = NULL;

    assert_non_null(doc);
    assert_int_equal(policy_compile(doc, &p, &msg), BK_OK);
    json_decref(doc);
    return p;
}

static const char *
refusal(const char *text)
{
    json_t *doc = json_loads(text, 0, NULL);
    struct policy *p = NULL;
    const char *msg = NULL;

    assert_non_null(doc);
    assert_int_equal(policy_compile(doc, &p, &msg), BK_EINVAL);
    assert_null(p);
    assert_non_null(msg);
    json_decref(doc);
    return msg;
}

static const char parent_child[] =
    "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"parent\"},"
    "\"Action\":[\"UserGet\",\"UserUpdate\",\"BulkListGroupUsers\"],"
    "\"Resource\":[\"${target_group_members:role/child}.profile\","
    "\"${target_group_members:role/child}.consent\"],"
    "\"Condition\":{\"StringEquals\":{\"${principal_group_id}\":\"${target_group_id}\"}}}";

static const char teacher_parent[] =
    "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"teacher\"},"
    "\"Action\":[\"UserGet\",\"BulkListGroupUsers\"],"
    "\"Resource\":[\"${target_group_members:role/parent}.profile.name\","
    "\"${target_group_members:role/parent}.profile.phone\"],"
    "\"Condition\":{\"ListIntersect\":{\"${principal_group_members:role/student}\":"
    "\"${target_group_members:role/child}\"}}}";

static const char manager[] =
    "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"manager\"},"
    "\"Action\":[\"UserGet\",\"BulkListGroupUsers\"],"
    "\"Resource\":[\"${target_group_members:role/team-member}.profile.name\","
    "\"${target_group_members:role/team-member}.profile.phone\","
    "\"${target_group_members:role/team-member}.group\"],"
    "\"Condition\":{\"StringEquals\":{\"${user_group_id}\":\"${target_group_id}\"}}}";

static const char subaccount[] =
    "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"group-admin\"},"
    "\"Action\":[\"UserGet\",\"UserCreate\",\"UserUpdate\",\"UserDelete\","
    "\"BulkListGroupUsers\",\"BulkListUnlock\",\"GroupListUserGroups\"],"
    "\"Resource\":[\"${target_group_members}.profile\",\"${target_group_members}.consent\","
    "\"${target_group_members}.appdata\"],"
    "\"Condition\":{\"StringEquals\":{\"${principal_group_id}\":\"${target_group_id}\"}}}";

/* A small world: family 10 (parent 1, child 2), family 11 (parent 3, child 4),
 * class 20 (teacher 5, students 2 and 6), team 30 (manager 7, members 8, 9). */
static const struct policy_membership world[] = {
    { 10, 1, "parent" }, { 10, 2, "child" },   { 11, 3, "parent" }, { 11, 4, "child" },
    { 20, 5, "teacher" }, { 20, 2, "student" }, { 20, 6, "student" },
    { 30, 7, "manager" }, { 30, 8, "team-member" }, { 30, 9, "team-member" },
    { 40, 11, "group-admin" }, { 40, 12, "member" }, { 41, 13, "member" },
};

#define NWORLD (sizeof world / sizeof world[0])

/* Memberships of <user> in the world, into <out>. */
static size_t
of(int64_t user, struct policy_membership *out)
{
    size_t n = 0;

    for (size_t i = 0; i < NWORLD; i++) {
        if (world[i].user == user)
            out[n++] = world[i];
    }
    return n;
}

/* 1: decide() gives ${..._group_members} to world_seek instead of listing the world. */
static int use_seek;

/* The store's member_seek over the world: the lowest member >= <from> of <group> with
 * <role> ("": any). */
static enum bk_err
world_seek(void *arg, int64_t group, const char *role, int64_t from, int64_t *out)
{
    int found = 0;

    (void)arg;
    for (size_t i = 0; i < NWORLD; i++) {
        if (world[i].group == group && world[i].user >= from &&
            (role[0] == '\0' || strcmp(world[i].role, role) == 0) &&
            (!found || world[i].user < *out)) {
            *out = world[i].user;
            found = 1;
        }
    }
    return found ? BK_OK : BK_ENOTFOUND;
}

static enum policy_decision
decide(const struct policy *p, const char *linked, int64_t principal, const char *op,
       enum policy_part part, int64_t target, struct policy_view *view)
{
    struct policy_membership pm[8], tm[8];
    const char *roles[8];
    struct policy_grant g = { p, linked };
    struct policy_subject s;
    enum policy_decision d;
    size_t nroles = 0;

    memset(&s, 0, sizeof s);
    s.principal = principal;
    s.npm = of(principal, pm);
    s.pm = pm;
    for (size_t i = 0; i < s.npm; i++)
        roles[nroles++] = pm[i].role;
    s.roles = roles;
    s.nroles = nroles;
    s.target = target;
    s.ntm = target ? of(target, tm) : 0;
    s.tm = tm;
    s.gm = world;       /* a superset of the members of the groups involved */
    s.ngm = NWORLD;
    if (use_seek) {
        s.gm = NULL;
        s.ngm = 0;
        s.member_seek = world_seek;
    }
    assert_int_equal(policy_decide(&g, 1, op, part, &s, &d, view), BK_OK);
    return d;
}

static void
test_compile_refusals(void **state)
{
    (void)state;
    assert_non_null(strstr(refusal("[]"), "object"));
    assert_non_null(strstr(refusal("{\"Action\":[\"UserGet\"]}"), "Effect"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Maybe\",\"Action\":[\"UserGet\"]}"), "Effect"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\"}"), "Action"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\",\"Action\":[]}"), "Action"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\",\"Action\":[\"User Get\"]}"), "Action"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\",\"Action\":\"UserGet\","
                                   "\"Resource\":[\"${nope}.profile\"]}"), "Resource"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\",\"Action\":\"UserGet\","
                                   "\"Resource\":[\"profiles\"]}"), "Resource"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\",\"Action\":\"UserGet\","
                                   "\"Resource\":[\"consent.x\"]}"), "fields"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\",\"Action\":\"UserGet\","
                                   "\"Condition\":{\"Like\":{\"a\":\"b\"}}}"), "Condition"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\",\"Action\":\"UserGet\","
                                   "\"Condition\":{\"StringEquals\":{\"${x}\":\"b\"}}}"),
                           "variable"));
    assert_non_null(strstr(refusal("{\"Effect\":\"Allow\",\"Action\":\"UserGet\","
                                   "\"Principal\":{\"Role\":\"a/b\"}}"), "Principal"));
    assert_non_null(strstr(refusal("{\"Statement\":[]}"), "Statement"));
}

static void
test_docs_examples_compile(void **state)
{
    const char *docs[] = { parent_child, teacher_parent, manager, subaccount };

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct policy *p = compile(docs[i]);
        assert_int_equal(policy_needs_members(p), i == 1);
        policy_free(p);
    }
}

static void
test_action_wildcards(void **state)
{
    (void)state;
    assert_true(policy_action_match("UserGet", "UserGet"));
    assert_false(policy_action_match("UserGet", "UserGetX"));
    assert_false(policy_action_match("UserGet", "UserGe"));
    assert_true(policy_action_match("*", "AnyThing"));
    assert_true(policy_action_match("User*", "UserUpdate"));
    assert_false(policy_action_match("User*", "BulkListUsers"));
    assert_true(policy_action_match("Bulk*Users", "BulkListGroupUsers"));
    assert_true(policy_action_match("*Get", "PolicyGet"));
    assert_false(policy_action_match("*Get", "PolicyGetX"));
}

static void
test_parent_child(void **state)
{
    struct policy *p = compile(parent_child);
    struct policy_view v;

    (void)state;
    /* call level: the action is allowed for a parent, not for others */
    assert_int_equal(decide(p, NULL, 1, "UserGet", POLICY_PART_PROFILE, 0, &v), POLICY_ALLOWED);
    assert_int_equal(decide(p, NULL, 1, "UserDelete", POLICY_PART_PROFILE, 0, &v),
                     POLICY_NOMATCH);
    assert_int_equal(decide(p, NULL, 5, "UserGet", POLICY_PART_PROFILE, 0, &v), POLICY_NOMATCH);
    /* own child: the whole profile and the consents */
    assert_int_equal(decide(p, NULL, 1, "UserGet", POLICY_PART_PROFILE, 2, &v), POLICY_ALLOWED);
    assert_true(v.all);
    assert_int_equal(decide(p, NULL, 1, "UserGet", POLICY_PART_CONSENT, 2, &v),
                     POLICY_ALLOWED);
    /* not app data, not another family's child, not the other parent */
    assert_int_equal(decide(p, NULL, 1, "UserGet", POLICY_PART_APPDATA, 2, &v), POLICY_NOMATCH);
    assert_int_equal(decide(p, NULL, 1, "UserGet", POLICY_PART_PROFILE, 4, &v), POLICY_NOMATCH);
    assert_int_equal(decide(p, NULL, 1, "UserGet", POLICY_PART_PROFILE, 3, &v), POLICY_NOMATCH);
    assert_int_equal(decide(p, NULL, 3, "UserGet", POLICY_PART_PROFILE, 4, &v), POLICY_ALLOWED);
    policy_free(p);
}

static void
test_teacher_parent(void **state)
{
    struct policy *p = compile(teacher_parent);
    struct policy_view v;

    (void)state;
    /* teacher 5 teaches child 2 (family 10): sees parent 1's name and phone only */
    assert_int_equal(decide(p, NULL, 5, "UserGet", POLICY_PART_PROFILE, 1, &v), POLICY_ALLOWED);
    assert_false(v.all);
    assert_int_equal(v.nfields, 2);
    assert_string_equal(v.fields[0], "name");
    assert_string_equal(v.fields[1], "phone");
    /* parent 3's child 4 is not in the class */
    assert_int_equal(decide(p, NULL, 5, "UserGet", POLICY_PART_PROFILE, 3, &v), POLICY_NOMATCH);
    /* the child itself is no parent */
    assert_int_equal(decide(p, NULL, 5, "UserGet", POLICY_PART_PROFILE, 2, &v), POLICY_NOMATCH);
    policy_free(p);
}

static void
test_manager(void **state)
{
    struct policy *p = compile(manager);
    struct policy_view v;

    (void)state;
    assert_int_equal(decide(p, NULL, 7, "UserGet", POLICY_PART_PROFILE, 8, &v), POLICY_ALLOWED);
    assert_false(v.all);
    assert_int_equal(v.nfields, 2);
    assert_int_equal(decide(p, NULL, 7, "UserGet", POLICY_PART_GROUP, 9, &v),
                     POLICY_ALLOWED);
    assert_true(v.all);
    assert_int_equal(decide(p, NULL, 7, "UserGet", POLICY_PART_PROFILE, 1, &v), POLICY_NOMATCH);
    assert_int_equal(decide(p, NULL, 7, "UserUpdate", POLICY_PART_PROFILE, 8, &v),
                     POLICY_NOMATCH);
    policy_free(p);
}

static void
test_subaccount_admin(void **state)
{
    struct policy *p = compile(subaccount);
    struct policy_view v;

    (void)state;
    assert_int_equal(decide(p, NULL, 11, "UserDelete", POLICY_PART_PROFILE, 12, &v),
                     POLICY_ALLOWED);
    assert_true(v.all);
    assert_int_equal(decide(p, NULL, 11, "UserGet", POLICY_PART_APPDATA, 12, &v),
                     POLICY_ALLOWED);
    assert_int_equal(decide(p, NULL, 11, "GroupListUserGroups", POLICY_PART_GROUP, 12, &v),
                     POLICY_ALLOWED);
    assert_int_equal(decide(p, NULL, 11, "AppdataGet", POLICY_PART_APPDATA, 12, &v),
                     POLICY_NOMATCH);
    assert_int_equal(decide(p, NULL, 11, "UserGet", POLICY_PART_PROFILE, 13, &v),
                     POLICY_NOMATCH);
    assert_int_equal(decide(p, NULL, 12, "UserGet", POLICY_PART_PROFILE, 11, &v),
                     POLICY_NOMATCH);
    policy_free(p);
}

static void
test_linked_role_and_deny(void **state)
{
    struct policy *allow = compile("{\"Effect\":\"Allow\",\"Action\":\"User*\"}");
    struct policy *deny = compile("{\"Effect\":\"Deny\",\"Action\":[\"UserDelete\"]}");
    struct policy *deny_field = compile("{\"Effect\":\"Deny\",\"Action\":\"UserGet\","
                                        "\"Resource\":\"profile.ssn\"}");
    struct policy_grant g[3] = { { allow, "member" }, { deny, "member" }, { deny_field, NULL } };
    struct policy_membership pm[1] = { { 40, 12, "member" } };
    const char *roles[1] = { "member" };
    struct policy_subject s = { .principal = 12, .roles = roles, .nroles = 1, .pm = pm, .npm = 1 };
    struct policy_view v;
    enum policy_decision d;

    (void)state;
    /* without a link, a policy with no Principal applies to nobody */
    assert_int_equal(decide(allow, NULL, 12, "UserGet", POLICY_PART_PROFILE, 0, &v),
                     POLICY_NOMATCH);
    assert_int_equal(decide(allow, "member", 12, "UserGet", POLICY_PART_PROFILE, 0, &v),
                     POLICY_ALLOWED);
    /* Deny wins over Allow, at call level and on a target */
    assert_int_equal(policy_decide(g, 2, "UserDelete", POLICY_PART_PROFILE, &s, &d, &v), BK_OK);
    assert_int_equal(d, POLICY_DENIED);
    s.target = 13;
    assert_int_equal(policy_decide(g, 2, "UserDelete", POLICY_PART_PROFILE, &s, &d, &v), BK_OK);
    assert_int_equal(d, POLICY_DENIED);
    assert_int_equal(policy_decide(g, 2, "UserGet", POLICY_PART_PROFILE, &s, &d, &v), BK_OK);
    assert_int_equal(d, POLICY_ALLOWED);
    /* a field-level Deny (linked this time) removes that field only */
    g[2].linked_role = "member";
    assert_int_equal(policy_decide(g, 3, "UserGet", POLICY_PART_PROFILE, &s, &d, &v), BK_OK);
    assert_int_equal(d, POLICY_ALLOWED);
    assert_true(v.all);
    assert_int_equal(v.ndeny, 1);
    assert_string_equal(v.deny[0], "ssn");
    policy_free(allow);
    policy_free(deny);
    policy_free(deny_field);
}

static void
test_role_token_has_no_groups(void **state)
{
    struct policy *p = compile(parent_child);
    struct policy *any = compile("{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"auditor\"},"
                                 "\"Action\":\"UserGet\",\"Resource\":\"profile.email\"}");
    const char *roles[1] = { "parent" };
    struct policy_grant g = { p, NULL };
    struct policy_subject s = { .principal = 0, .roles = roles, .nroles = 1, .target = 2 };
    struct policy_membership tm[1] = { { 10, 2, "child" } };
    struct policy_view v;
    enum policy_decision d;

    (void)state;
    s.tm = tm;
    s.ntm = 1;
    assert_int_equal(policy_decide(&g, 1, "UserGet", POLICY_PART_PROFILE, &s, &d, &v), BK_OK);
    assert_int_equal(d, POLICY_NOMATCH);   /* no principal group can equal the target's */
    roles[0] = "auditor";
    g.p = any;
    assert_int_equal(policy_decide(&g, 1, "UserGet", POLICY_PART_PROFILE, &s, &d, &v), BK_OK);
    assert_int_equal(d, POLICY_ALLOWED);
    assert_int_equal(v.nfields, 1);
    assert_string_equal(v.fields[0], "email");
    policy_free(p);
    policy_free(any);
}

static void
test_views(void **state)
{
    struct policy_view v;
    json_t *prof = json_loads("{\"name\":\"Ann\",\"phone\":\"1\",\"ssn\":\"x\","
                              "\"address\":{\"city\":\"Paris\",\"zip\":\"75\"}}", 0, NULL);
    json_t *out, *rest;
    char *text;

    (void)state;
    memset(&v, 0, sizeof v);
    v.nfields = 2;
    snprintf(v.fields[0], sizeof v.fields[0], "name");
    snprintf(v.fields[1], sizeof v.fields[1], "address.city");
    out = policy_view_apply(&v, prof);
    text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"address\":{\"city\":\"Paris\"},\"name\":\"Ann\"}");
    free(text);
    rest = policy_view_strip(&v, prof);
    assert_null(json_object_get(rest, "name"));
    assert_non_null(json_object_get(rest, "ssn"));
    assert_null(json_object_get(json_object_get(rest, "address"), "city"));
    assert_non_null(json_object_get(json_object_get(rest, "address"), "zip"));
    json_decref(out);
    json_decref(rest);
    memset(&v, 0, sizeof v);
    v.all = 1;
    v.ndeny = 1;
    snprintf(v.deny[0], sizeof v.deny[0], "ssn");
    out = policy_view_apply(&v, prof);
    assert_null(json_object_get(out, "ssn"));
    assert_non_null(json_object_get(out, "address"));
    rest = policy_view_strip(&v, prof);
    assert_int_equal(json_object_size(rest), 1);
    json_decref(out);
    json_decref(rest);
    json_decref(prof);
}

static void
test_decision_cost(void **state)
{
    struct policy *p = compile(teacher_parent);
    struct policy_view v;
    struct timespec a, b;
    const int n = 20000;
    double ns;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++)
        assert_int_equal(decide(p, NULL, 5, "UserGet", POLICY_PART_PROFILE, 1, &v),
                         POLICY_ALLOWED);
    clock_gettime(CLOCK_MONOTONIC, &b);
    ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / n;
    print_message("policy decision (teacher/parent, members condition): %.0f ns\n", ns);
    assert_true(ns < 200000.0);
    policy_free(p);
}

/* A ${..._group_members} condition over a large group: right answers, and
 * linear rather than quadratic in the group's size. */
static void
test_large_group_members(void **state)
{
    enum { N = 20000 };
    struct policy *p = compile(teacher_parent);
    struct policy_membership *gm = calloc(N + 4, sizeof *gm);
    struct policy_membership pm[1] = { { 20, 5, "teacher" } };
    struct policy_membership tm[1] = { { 10, 1, "parent" } };
    const char *roles[1] = { "teacher" };
    struct policy_grant g = { p, NULL };
    struct policy_subject s;
    struct policy_view v;
    enum policy_decision d;
    struct timespec a, b;
    double ms;
    size_t n = 0;

    (void)state;
    assert_non_null(gm);
    /* class 20: the teacher and N students; family 10: the parent, and
     * child 2 (a student) listed twice, with two roles */
    gm[n++] = (struct policy_membership){ 20, 5, "teacher" };
    for (int64_t i = 0; i < N - 1; i++)
        gm[n++] = (struct policy_membership){ 20, 1000 + i, "student" };
    gm[n++] = (struct policy_membership){ 20, 2, "student" };
    gm[n++] = (struct policy_membership){ 10, 1, "parent" };
    gm[n++] = (struct policy_membership){ 10, 2, "child" };
    gm[n++] = (struct policy_membership){ 10, 2, "child" };
    memset(&s, 0, sizeof s);
    s.principal = 5;
    s.pm = pm;
    s.npm = 1;
    s.roles = roles;
    s.nroles = 1;
    s.target = 1;
    s.tm = tm;
    s.ntm = 1;
    s.gm = gm;
    s.ngm = n;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(policy_decide(&g, 1, "UserGet", POLICY_PART_PROFILE, &s, &d, &v), BK_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_int_equal(d, POLICY_ALLOWED);
    assert_int_equal(v.nfields, 2);
    ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    print_message("policy decision over a group of %d members: %.2f ms\n", N, ms);
    /* quadratic was seconds here; linear is about a millisecond even under ASan */
    assert_true(ms < 200.0);
    /* child 2 leaves the class: no student of the class is the parent's child */
    gm[N].group = 21;
    assert_int_equal(policy_decide(&g, 1, "UserGet", POLICY_PART_PROFILE, &s, &d, &v), BK_OK);
    assert_int_equal(d, POLICY_NOMATCH);
    free(gm);
    policy_free(p);
}

/* Membership tests answered by seeks (the store) decide exactly as the listed members did,
 * for every principal, target and part of the world, under the docs' policies and
 * conditions of each kind over member sets. */
static void
test_seek_matches_listing(void **state)
{
    static const char *const texts[] = {
        parent_child, teacher_parent, manager, subaccount,
        "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"teacher\"},\"Action\":\"UserGet\","
        "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"${target_id}\":"
        "\"${principal_group_members:role/student}\"}}}",
        "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"manager\"},\"Action\":\"UserGet\","
        "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"${target_id}\":"
        "\"${principal_group_members}\"}}}",
        "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"parent\"},\"Action\":\"UserGet\","
        "\"Resource\":\"*\",\"Condition\":{\"ListIntersect\":{\"${target_group_members}\":"
        "\"6\",\"${principal_group_members}\":\"${principal_id}\"}}}",
        "{\"Effect\":\"Allow\",\"Principal\":{\"Role\":\"student\"},\"Action\":\"UserGet\","
        "\"Resource\":\"*\",\"Condition\":{\"ListIntersect\":{\"${principal_group_members}\":"
        "\"${target_group_members}\"},\"StringNotEquals\":{"
        "\"${principal_group_members:role/teacher}\":\"${target_group_members:role/x}\"}}}",
        "{\"Effect\":\"Deny\",\"Principal\":{\"Role\":\"teacher\"},\"Action\":\"UserGet\","
        "\"Resource\":\"profile.phone\",\"Condition\":{\"StringEquals\":{"
        "\"${principal_group_members}\":\"${principal_role}\"}}}",
    };
    static const enum policy_part parts[] = { POLICY_PART_PROFILE, POLICY_PART_CONSENT,
                                              POLICY_PART_APPDATA, POLICY_PART_GROUP };
    int allowed = 0;

    (void)state;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        struct policy *p = compile(texts[t]);

        for (int64_t who = 1; who <= 13; who++) {
            for (int64_t target = 0; target <= 13; target++) {
                for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
                    struct policy_view v1, v2;
                    enum policy_decision d1, d2;

                    use_seek = 0;
                    d1 = decide(p, NULL, who, "UserGet", parts[k], target, &v1);
                    use_seek = 1;
                    d2 = decide(p, NULL, who, "UserGet", parts[k], target, &v2);
                    use_seek = 0;
                    assert_int_equal(d1, d2);
                    assert_memory_equal(&v1, &v2, sizeof v1);
                    allowed += d1 == POLICY_ALLOWED && target != 0;
                }
            }
        }
        policy_free(p);
    }
    assert_true(allowed > 20);   /* the comparison saw both answers */
}

static void
test_search_helpers(void **state)
{
    char out[SEARCH_VALUE_MAX + 1];

    (void)state;
    assert_int_equal(search_infer_kind("a@b", 3), INDEX_EMAIL);
    assert_int_equal(search_infer_kind("+1 (415) 555-0000", 17), INDEX_PHONE);
    assert_int_equal(search_infer_kind("john", 4), INDEX_LOGIN);
    assert_int_equal(search_infer_kind("john1", 5), INDEX_LOGIN);
    assert_int_equal(search_normalize(INDEX_PHONE, " +1 (415) 555-0000 ", 19, out), 11);
    assert_string_equal(out, "14155550000");
    assert_int_equal(search_normalize(INDEX_EMAIL, " John@X.com", 11, out), 10);
    assert_string_equal(out, "john@x.com");
    assert_true(search_similarity("johnsmith", 9, "johnsmith", 9) > 0.99);
    assert_true(search_similarity("johnsmyth", 9, "johnsmith", 9) >= SEARCH_MIN_SCORE);
    assert_true(search_similarity("johns", 5, "johnsmith", 9) >= SEARCH_MIN_SCORE);
    assert_true(search_similarity("qwerty", 6, "johnsmith", 9) < SEARCH_MIN_SCORE);
    assert_true(search_similarity("", 0, "johnsmith", 9) == 0.0);
}

static void
test_durations(void **state)
{
    int64_t s;

    (void)state;
    assert_int_equal(xtokens_parse_duration("30", 2, &s), BK_OK);
    assert_int_equal(s, 30);
    assert_int_equal(xtokens_parse_duration("15m", 3, &s), BK_OK);
    assert_int_equal(s, 900);
    assert_int_equal(xtokens_parse_duration("12h", 3, &s), BK_OK);
    assert_int_equal(s, 43200);
    assert_int_equal(xtokens_parse_duration("30d", 3, &s), BK_OK);
    assert_int_equal(s, 30 * 86400);
    assert_int_equal(xtokens_parse_duration("1y", 2, &s), BK_OK);
    assert_int_equal(xtokens_parse_duration("0s", 2, &s), BK_EINVAL);
    assert_int_equal(xtokens_parse_duration("d", 1, &s), BK_EINVAL);
    assert_int_equal(xtokens_parse_duration("5x", 2, &s), BK_EINVAL);
    assert_int_equal(xtokens_parse_duration("-5s", 3, &s), BK_EINVAL);
    assert_int_equal(xtokens_parse_duration("99y", 3, &s), BK_EINVAL);
    assert_int_equal(xtokens_parse_duration("", 0, &s), BK_EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_refusals),
        cmocka_unit_test(test_docs_examples_compile),
        cmocka_unit_test(test_action_wildcards),
        cmocka_unit_test(test_parent_child),
        cmocka_unit_test(test_teacher_parent),
        cmocka_unit_test(test_manager),
        cmocka_unit_test(test_subaccount_admin),
        cmocka_unit_test(test_linked_role_and_deny),
        cmocka_unit_test(test_role_token_has_no_groups),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_decision_cost),
        cmocka_unit_test(test_large_group_members),
        cmocka_unit_test(test_seek_matches_listing),
        cmocka_unit_test(test_search_helpers),
        cmocka_unit_test(test_durations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
