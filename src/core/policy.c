/* Policy compilation and decisions. A compiled statement keeps its actions,
 * resources and conditions in fixed arrays, so a decision allocates only the
 * id sets its conditions compare. */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"

#define ACTIONS_MAX 64
#define ACTION_LEN 64
#define RESOURCES_MAX 32
#define CONDS_MAX 16
#define STMTS_MAX 16
#define LITERAL_LEN 128

enum scope { SCOPE_ANY = 0, SCOPE_TARGET_MEMBERS = 1 };

struct resource {
    enum scope scope;
    char role[POLICY_NAME_MAX + 1];      /* "": any role */
    enum policy_part part;
    char field[POLICY_FIELD_MAX];        /* "": the whole part */
};

enum var {
    VAR_LITERAL = 0,
    VAR_PRINCIPAL_GROUP_ID,
    VAR_TARGET_GROUP_ID,
    VAR_PRINCIPAL_MEMBERS,
    VAR_TARGET_MEMBERS,
    VAR_PRINCIPAL_ID,
    VAR_TARGET_ID,
    VAR_PRINCIPAL_ROLE,
};

struct operand {
    enum var var;
    char text[LITERAL_LEN];              /* the literal, or the role/ filter of a members var */
    int numeric;                         /* literal only: it is an integer */
    int64_t num;
};

enum cond_op { COND_EQUALS = 1, COND_NOT_EQUALS, COND_INTERSECT };

struct cond {
    enum cond_op op;
    struct operand a, b;
};

struct stmt {
    int deny;
    char principal[POLICY_NAME_MAX + 1]; /* "": applies only through a link */
    size_t nactions;
    char actions[ACTIONS_MAX][ACTION_LEN];
    size_t nres;
    struct resource res[RESOURCES_MAX];
    size_t nconds;
    struct cond conds[CONDS_MAX];
};

struct policy {
    size_t nstmts;
    int needs_members;
    struct stmt stmts[];
};

/* ------------------------------------------------------------ compiling */

static int
copy_str(char *dst, size_t n, const char *src, size_t len)
{
    if (len >= n)
        return 0;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 1;
}

static int
name_ok(const char *s, size_t len)
{
    if (len == 0 || len > POLICY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f || ch == '}' || ch == '/' || ch == '$' || ch == '{')
            return 0;
    }
    return 1;
}

/* Parse "${name}" or "${name:role/R}" at <s> (<len> bytes, without what
 * follows the closing brace). */
static int
parse_var(const char *s, size_t len, enum var *var, char *role, size_t role_size)
{
    static const struct {
        const char *name;
        enum var var;
        int takes_role;
    } names[] = {
        { "principal_group_id", VAR_PRINCIPAL_GROUP_ID, 0 },
        { "user_group_id", VAR_PRINCIPAL_GROUP_ID, 0 },
        { "target_group_id", VAR_TARGET_GROUP_ID, 0 },
        { "principal_group_members", VAR_PRINCIPAL_MEMBERS, 1 },
        { "user_group_members", VAR_PRINCIPAL_MEMBERS, 1 },
        { "target_group_members", VAR_TARGET_MEMBERS, 1 },
        { "principal_id", VAR_PRINCIPAL_ID, 0 },
        { "user_id", VAR_PRINCIPAL_ID, 0 },
        { "target_id", VAR_TARGET_ID, 0 },
        { "principal_role", VAR_PRINCIPAL_ROLE, 0 },
    };
    const char *colon;
    size_t nlen;

    if (len < 4 || s[0] != '$' || s[1] != '{' || s[len - 1] != '}')
        return 0;
    s += 2;
    len -= 3;
    colon = memchr(s, ':', len);
    nlen = colon ? (size_t)(colon - s) : len;
    role[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) != nlen || memcmp(names[i].name, s, nlen) != 0)
            continue;
        *var = names[i].var;
        if (colon == NULL)
            return 1;
        if (!names[i].takes_role)
            return 0;
        colon++;
        len -= nlen + 1;
        if (len < 6 || memcmp(colon, "role/", 5) != 0 || !name_ok(colon + 5, len - 5))
            return 0;
        return copy_str(role, role_size, colon + 5, len - 5);
    }
    return 0;
}

static int
part_parse(const char *s, size_t len, enum policy_part *out)
{
    static const struct {
        const char *name;
        enum policy_part part;
    } parts[] = {
        { "*", POLICY_PART_ALL },         { "profile", POLICY_PART_PROFILE },
        { "consent", POLICY_PART_CONSENT }, { "appdata", POLICY_PART_APPDATA },
        { "group", POLICY_PART_GROUP },
    };

    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (strlen(parts[i].name) == len && memcmp(parts[i].name, s, len) == 0) {
            *out = parts[i].part;
            return 1;
        }
    }
    return 0;
}

/* "*", "profile[.field]", "${target_group_members[:role/R]}[.part[.field]]" */
static const char *
resource_parse(const char *s, size_t len, struct resource *r)
{
    const char *dot;
    size_t plen;

    memset(r, 0, sizeof *r);
    if (len == 1 && s[0] == '*')
        return NULL;
    if (len >= 2 && s[0] == '$' && s[1] == '{') {
        const char *close = memchr(s, '}', len);
        enum var var;

        if (close == NULL ||
            !parse_var(s, (size_t)(close - s) + 1, &var, r->role, sizeof r->role) ||
            var != VAR_TARGET_MEMBERS)
            return "policy Resource: use ${target_group_members} or "
                   "${target_group_members:role/NAME}";
        r->scope = SCOPE_TARGET_MEMBERS;
        len -= (size_t)(close - s) + 1;
        s = close + 1;
        if (len == 0)
            return NULL;
        if (s[0] != '.')
            return "policy Resource: expected '.' after the variable";
        s++;
        len--;
    }
    dot = memchr(s, '.', len);
    plen = dot ? (size_t)(dot - s) : len;
    if (!part_parse(s, plen, &r->part))
        return "policy Resource: the part must be profile, consent, appdata, group or *";
    if (dot == NULL)
        return NULL;
    if (r->part != POLICY_PART_PROFILE)
        return "policy Resource: only profile has fields";
    len -= plen + 1;
    s = dot + 1;
    if (len == 0 || !copy_str(r->field, sizeof r->field, s, len))
        return "policy Resource: bad or too long field path";
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 || (s[i] == '.' && (i == 0 || i + 1 == len ||
                                                           s[i + 1] == '.')))
            return "policy Resource: bad field path";
    }
    return NULL;
}

static const char *
operand_parse(const char *s, size_t len, struct operand *o)
{
    memset(o, 0, sizeof *o);
    if (len >= 2 && s[0] == '$' && s[1] == '{') {
        if (!parse_var(s, len, &o->var, o->text, sizeof o->text))
            return "policy Condition: unknown variable";
        return NULL;
    }
    o->var = VAR_LITERAL;
    if (!copy_str(o->text, sizeof o->text, s, len))
        return "policy Condition: value too long";
    if (len > 0 && len < 20 && strspn(s, "0123456789") == len) {
        o->numeric = 1;
        o->num = strtoll(o->text, NULL, 10);
    }
    return NULL;
}

/* Call <fn> on each string of <v> (a string or an array of strings). */
static const char *
strings_each(const json_t *v, const char *what, size_t max, size_t *count,
             const char *(*fn)(void *arg, size_t i, const char *s, size_t len), void *arg)
{
    size_t i;
    json_t *e;

    *count = 0;
    if (json_is_string(v)) {
        *count = 1;
        return fn(arg, 0, json_string_value(v), json_string_length(v));
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return what;
    if (json_array_size(v) > max)
        return "policy has too many Action or Resource entries";
    json_array_foreach(v, i, e) {
        const char *msg;

        if (!json_is_string(e))
            return what;
        msg = fn(arg, i, json_string_value(e), json_string_length(e));
        if (msg != NULL)
            return msg;
    }
    *count = json_array_size(v);
    return NULL;
}

static const char *
add_action(void *arg, size_t i, const char *s, size_t len)
{
    struct stmt *st = arg;

    if (len == 0 || !copy_str(st->actions[i], ACTION_LEN, s, len))
        return "policy Action: empty or too long";
    for (size_t k = 0; k < len; k++) {
        if (!(s[k] == '*' || (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
              (s[k] >= '0' && s[k] <= '9')))
            return "policy Action: operation names are letters, digits and *";
    }
    return NULL;
}

static const char *
add_resource(void *arg, size_t i, const char *s, size_t len)
{
    struct stmt *st = arg;

    return resource_parse(s, len, &st->res[i]);
}

static const char *
conds_parse(const json_t *c, struct stmt *st, int *needs_members)
{
    static const struct {
        const char *name;
        enum cond_op op;
    } ops[] = {
        { "StringEquals", COND_EQUALS },
        { "StringNotEquals", COND_NOT_EQUALS },
        { "ListIntersect", COND_INTERSECT },
    };
    const char *opname, *key;
    json_t *pairs, *v;

    if (!json_is_object(c))
        return "policy Condition must be an object";
    json_object_foreach((json_t *)c, opname, pairs) {
        enum cond_op op = 0;

        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            if (strcmp(ops[i].name, opname) == 0)
                op = ops[i].op;
        }
        if (op == 0)
            return "policy Condition: use StringEquals, StringNotEquals or ListIntersect";
        if (!json_is_object(pairs))
            return "policy Condition: each operator takes an object";
        json_object_foreach(pairs, key, v) {
            struct cond *cd;
            const char *msg;

            if (st->nconds == CONDS_MAX)
                return "policy Condition: too many conditions";
            if (!json_is_string(v))
                return "policy Condition: values must be strings";
            cd = &st->conds[st->nconds++];
            cd->op = op;
            msg = operand_parse(key, strlen(key), &cd->a);
            if (msg == NULL)
                msg = operand_parse(json_string_value(v), json_string_length(v), &cd->b);
            if (msg != NULL)
                return msg;
            if (cd->a.var == VAR_PRINCIPAL_MEMBERS || cd->a.var == VAR_TARGET_MEMBERS ||
                cd->b.var == VAR_PRINCIPAL_MEMBERS || cd->b.var == VAR_TARGET_MEMBERS)
                *needs_members = 1;
        }
    }
    return NULL;
}

static const char *
stmt_parse(const json_t *d, struct stmt *st, int *needs_members)
{
    const json_t *effect = json_object_get(d, "Effect");
    const json_t *principal = json_object_get(d, "Principal");
    const json_t *res = json_object_get(d, "Resource");
    const json_t *cond = json_object_get(d, "Condition");
    const char *msg;

    if (!json_is_object(d))
        return "policy statement must be an object";
    if (json_is_string(effect) && strcmp(json_string_value(effect), "Allow") == 0)
        st->deny = 0;
    else if (json_is_string(effect) && strcmp(json_string_value(effect), "Deny") == 0)
        st->deny = 1;
    else
        return "policy Effect must be Allow or Deny";
    if (principal != NULL && !json_is_null(principal)) {
        const json_t *role = json_object_get(principal, "Role");

        if (!json_is_object(principal) || !json_is_string(role) ||
            !name_ok(json_string_value(role), json_string_length(role)))
            return "policy Principal must be {\"Role\": \"name\"}";
        copy_str(st->principal, sizeof st->principal, json_string_value(role),
                 json_string_length(role));
    }
    msg = strings_each(json_object_get(d, "Action"), "policy Action must list operations",
                       ACTIONS_MAX, &st->nactions, add_action, st);
    if (msg != NULL)
        return msg;
    if (res == NULL || json_is_null(res)) {
        st->nres = 1;   /* "*" */
    } else {
        msg = strings_each(res, "policy Resource must list resources", RESOURCES_MAX, &st->nres,
                           add_resource, st);
        if (msg != NULL)
            return msg;
    }
    if (cond != NULL && !json_is_null(cond))
        return conds_parse(cond, st, needs_members);
    return NULL;
}

enum bk_err
policy_compile(const json_t *doc, struct policy **out, const char **errmsg)
{
    const json_t *list = json_object_get(doc, "Statement");
    size_t n = 1;
    struct policy *p;

    *out = NULL;
    *errmsg = NULL;
    if (!json_is_object(doc)) {
        *errmsg = "policy must be a JSON object";
        return BK_EINVAL;
    }
    if (list != NULL) {
        if (!json_is_array(list) || json_array_size(list) == 0) {
            *errmsg = "policy Statement must be a non-empty array";
            return BK_EINVAL;
        }
        n = json_array_size(list);
        if (n > STMTS_MAX) {
            *errmsg = "policy has too many statements";
            return BK_EINVAL;
        }
    }
    p = mem_calloc(1, sizeof *p + n * sizeof p->stmts[0]);
    if (p == NULL)
        return BK_ENOMEM;
    p->nstmts = n;
    for (size_t i = 0; i < n; i++) {
        *errmsg = stmt_parse(list ? json_array_get(list, i) : doc, &p->stmts[i],
                             &p->needs_members);
        if (*errmsg != NULL) {
            mem_free(p);
            return BK_EINVAL;
        }
    }
    *out = p;
    return BK_OK;
}

void
policy_free(struct policy *p)
{
    mem_free(p);
}

int
policy_needs_members(const struct policy *p)
{
    return p->needs_members;
}

int
policy_action_match(const char *pat, const char *op)
{
    /* Iterative glob with backtracking to the last '*'. */
    const char *star = NULL, *resume = NULL;

    while (*op != '\0') {
        if (*pat == '*') {
            star = pat++;
            resume = op;
        } else if (*pat == *op) {
            pat++;
            op++;
        } else if (star != NULL) {
            pat = star + 1;
            op = ++resume;
        } else {
            return 0;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

/* ------------------------------------------------------------ deciding */

/* A set of values: ids, or strings (literals and role names), or the members (with role
 * <role>) of <groups>, left to s->member_seek to test. */
struct vset {
    int64_t *ids;
    size_t nids;
    const char *const *strs;
    size_t nstrs;
    const char *one;       /* a single string literal */
    int lazy;              /* the members of <groups>: never listed */
    const int64_t *groups;
    size_t ngroups;
    const char *role;
};

struct scratch {
    int64_t *pg, *tg, *a, *b;
    size_t npg, ntg;
    size_t cap;
    enum bk_err err;       /* a failed membership test: the decision fails closed */
};

static int
holds(const struct policy_subject *s, const char *role)
{
    for (size_t i = 0; i < s->nroles; i++) {
        if (strcmp(s->roles[i], role) == 0)
            return 1;
    }
    return 0;
}

static int
has_id(const int64_t *ids, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == v)
            return 1;
    }
    return 0;
}

static size_t
add_id(int64_t *ids, size_t n, int64_t v)
{
    if (!has_id(ids, n, v))
        ids[n++] = v;
    return n;
}

/* Groups of <user> in <m> where the role is <role> ("" or NULL: any). */
static size_t
groups_of(const struct policy_membership *m, size_t nm, int64_t user, const char *role,
          int64_t *out)
{
    size_t n = 0;

    for (size_t i = 0; i < nm; i++) {
        if (m[i].user == user && (role == NULL || role[0] == '\0' ||
                                  strcmp(m[i].role ? m[i].role : "", role) == 0))
            n = add_id(out, n, m[i].group);
    }
    return n;
}

/* Members of <groups> (few) in <m> (possibly a whole large group): one pass,
 * duplicates kept, since intersects() sorts rather than needing a set; <out>
 * holds at least <nm>. */
static size_t
members_of(const struct policy_membership *m, size_t nm, const int64_t *groups, size_t ngroups,
           const char *role, int64_t *out)
{
    size_t n = 0;

    for (size_t i = 0; i < nm; i++) {
        if (has_id(groups, ngroups, m[i].group) &&
            (role[0] == '\0' || strcmp(m[i].role ? m[i].role : "", role) == 0))
            out[n++] = m[i].user;
    }
    return n;
}

static void
operand_set(const struct operand *o, const struct policy_subject *s, struct scratch *w,
            int64_t *buf, struct vset *out)
{
    memset(out, 0, sizeof *out);
    out->ids = buf;
    switch (o->var) {
    case VAR_LITERAL:
        if (o->numeric) {
            buf[0] = o->num;
            out->nids = 1;
        } else {
            out->one = o->text;
        }
        break;
    case VAR_PRINCIPAL_GROUP_ID:
        memcpy(buf, w->pg, w->npg * sizeof *buf);
        out->nids = w->npg;
        break;
    case VAR_TARGET_GROUP_ID:
        memcpy(buf, w->tg, w->ntg * sizeof *buf);
        out->nids = w->ntg;
        break;
    case VAR_PRINCIPAL_MEMBERS:
    case VAR_TARGET_MEMBERS:
        if (s->member_seek != NULL) {
            out->lazy = 1;
            out->groups = o->var == VAR_PRINCIPAL_MEMBERS ? w->pg : w->tg;
            out->ngroups = o->var == VAR_PRINCIPAL_MEMBERS ? w->npg : w->ntg;
            out->role = o->text;
        } else if (o->var == VAR_PRINCIPAL_MEMBERS) {
            out->nids = members_of(s->gm, s->ngm, w->pg, w->npg, o->text, buf);
        } else {
            out->nids = members_of(s->gm, s->ngm, w->tg, w->ntg, o->text, buf);
        }
        break;
    case VAR_PRINCIPAL_ID:
        if (s->principal != 0) {
            buf[0] = s->principal;
            out->nids = 1;
        }
        break;
    case VAR_TARGET_ID:
        if (s->target != 0) {
            buf[0] = s->target;
            out->nids = 1;
        }
        break;
    case VAR_PRINCIPAL_ROLE:
        out->strs = s->roles;
        out->nstrs = s->nroles;
        break;
    }
}

static int
cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static int
intersects(struct vset *a, const struct vset *b)
{
    if (a->nids > 0 && b->nids > 0) {
        qsort(a->ids, a->nids, sizeof *a->ids, cmp_id);
        for (size_t i = 0; i < b->nids; i++) {
            if (bsearch(&b->ids[i], a->ids, a->nids, sizeof *a->ids, cmp_id) != NULL)
                return 1;
        }
    }
    if (a->one != NULL && b->one != NULL && strcmp(a->one, b->one) == 0)
        return 1;
    for (size_t i = 0; i < a->nstrs; i++) {
        if (b->one != NULL && strcmp(a->strs[i], b->one) == 0)
            return 1;
        for (size_t k = 0; k < b->nstrs; k++) {
            if (strcmp(a->strs[i], b->strs[k]) == 0)
                return 1;
        }
    }
    for (size_t k = 0; a->one != NULL && k < b->nstrs; k++) {
        if (strcmp(a->one, b->strs[k]) == 0)
            return 1;
    }
    return 0;
}

/* Whether user <x> is among the members <m> (lazy); -1 when the store failed (w->err). */
static int
lazy_has(const struct vset *m, int64_t x, const struct policy_subject *s, struct scratch *w)
{
    for (size_t g = 0; g < m->ngroups; g++) {
        int64_t y = 0;
        enum bk_err err = s->member_seek(s->member_arg, m->groups[g], m->role, x, &y);

        if (err == BK_OK && y == x)
            return 1;
        if (err != BK_OK && err != BK_ENOTFOUND) {
            w->err = err;
            return -1;
        }
    }
    return 0;
}

/* Whether groups <g1> (role <r1>) and <g2> (role <r2>) have a member in common: each side
 * seeks from the other's last answer (a leapfrog join over the members in user order), so
 * the seeks are bounded by the smaller side, not the larger. -1 on a store failure. */
static int
groups_meet(int64_t g1, const char *r1, int64_t g2, const char *r2,
            const struct policy_subject *s, struct scratch *w)
{
    int64_t x = INT64_MIN, y = INT64_MIN;
    enum bk_err err = BK_OK;

    for (;;) {
        err = s->member_seek(s->member_arg, g1, r1, y, &x);
        if (err == BK_OK)
            err = s->member_seek(s->member_arg, g2, r2, x, &y);
        if (err != BK_OK || x == y)
            break;
    }
    if (err == BK_ENOTFOUND)
        return 0;
    if (err != BK_OK) {
        w->err = err;
        return -1;
    }
    return 1;
}

/* intersects() when <a> or <b> is a lazy member set: member ids only meet ids. */
static int
lazy_meets(const struct vset *a, const struct vset *b, const struct policy_subject *s,
           struct scratch *w)
{
    int hit = 0;

    if (!a->lazy) {
        const struct vset *t = a;

        a = b;
        b = t;
    }
    if (!b->lazy) {
        for (size_t i = 0; i < b->nids && hit == 0; i++)
            hit = lazy_has(a, b->ids[i], s, w);
        return hit;
    }
    for (size_t i = 0; i < a->ngroups && hit == 0; i++) {
        for (size_t k = 0; k < b->ngroups && hit == 0; k++)
            hit = groups_meet(a->groups[i], a->role, b->groups[k], b->role, s, w);
    }
    return hit;
}

static int
conds_hold(const struct stmt *st, const struct policy_subject *s, struct scratch *w)
{
    for (size_t i = 0; i < st->nconds; i++) {
        const struct cond *cd = &st->conds[i];
        struct vset a, b;
        int hit;

        operand_set(&cd->a, s, w, w->a, &a);
        operand_set(&cd->b, s, w, w->b, &b);
        hit = a.lazy || b.lazy ? lazy_meets(&a, &b, s, w) : intersects(&a, &b);
        if (hit < 0)
            return 0;
        if (cd->op == COND_NOT_EQUALS ? hit : !hit)
            return 0;
    }
    return 1;
}

/* Whether resource <r> covers <need>. Group listings are also covered by the
 * whole profile: the docs' sub-account policy grants GroupListUserGroups
 * with profile, consent and appdata resources only. */
static int
covers(const struct resource *r, enum policy_part need)
{
    return r->part == POLICY_PART_ALL || r->part == need ||
           (need == POLICY_PART_GROUP && r->part == POLICY_PART_PROFILE && r->field[0] == '\0');
}

static int
unconditional_everything(const struct stmt *st)
{
    if (st->nconds != 0)
        return 0;
    for (size_t i = 0; i < st->nres; i++) {
        if (st->res[i].scope != SCOPE_ANY || st->res[i].part != POLICY_PART_ALL)
            return 0;
    }
    return 1;
}

static enum bk_err
view_add(char (*list)[POLICY_FIELD_MAX], int *n, const char *field)
{
    for (int i = 0; i < *n; i++) {
        if (strcmp(list[i], field) == 0)
            return BK_OK;
    }
    if (*n == POLICY_VIEW_MAX)
        return BK_ETOOBIG;
    copy_str(list[*n], POLICY_FIELD_MAX, field, strlen(field));
    (*n)++;
    return BK_OK;
}

static int
action_listed(const struct stmt *st, const char *op)
{
    for (size_t i = 0; i < st->nactions; i++) {
        if (policy_action_match(st->actions[i], op))
            return 1;
    }
    return 0;
}

/* The role through which <st> of <g> applies to <s>, or NULL. */
static const char *
applies(const struct stmt *st, const struct policy_grant *g, const struct policy_subject *s)
{
    if (st->principal[0] != '\0' && holds(s, st->principal))
        return st->principal;
    return g->linked_role;
}

/* One statement against a target: NOMATCH, ALLOWED (view extended) or DENIED. */
static enum bk_err
stmt_target(const struct stmt *st, const char *via, enum policy_part part,
            const struct policy_subject *s, struct scratch *w, enum policy_decision *out,
            struct policy_view *view)
{
    enum bk_err err = BK_OK;

    *out = POLICY_NOMATCH;
    w->npg = s->principal ? groups_of(s->pm, s->npm, s->principal, via, w->pg) : 0;
    for (size_t i = 0; i < st->nres; i++) {
        const struct resource *r = &st->res[i];

        if (!covers(r, part))
            continue;
        w->ntg = groups_of(s->tm, s->ntm, s->target,
                           r->scope == SCOPE_TARGET_MEMBERS ? r->role : NULL, w->tg);
        if (r->scope == SCOPE_TARGET_MEMBERS && w->ntg == 0)
            continue;
        if (!conds_hold(st, s, w)) {
            if (w->err != BK_OK)
                return w->err;
            continue;
        }
        if (st->deny) {
            if (r->field[0] == '\0') {
                *out = POLICY_DENIED;
                return BK_OK;
            }
            err = view_add(view->deny, &view->ndeny, r->field);
        } else {
            *out = POLICY_ALLOWED;
            if (r->field[0] == '\0')
                view->all = 1;
            else
                err = view_add(view->fields, &view->nfields, r->field);
        }
        if (err != BK_OK)
            return err;
    }
    return BK_OK;
}

enum bk_err
policy_decide(const struct policy_grant *grants, size_t ngrants, const char *op,
              enum policy_part part, const struct policy_subject *s,
              enum policy_decision *out, struct policy_view *view)
{
    struct scratch w;
    int allowed = 0;
    enum bk_err err = BK_OK;

    *out = POLICY_NOMATCH;
    memset(view, 0, sizeof *view);
    memset(&w, 0, sizeof w);
    if (s->target != 0) {
        w.cap = s->npm + s->ntm + s->ngm + s->nroles + 2;
        w.pg = mem_calloc(4 * w.cap, sizeof *w.pg);
        if (w.pg == NULL)
            return BK_ENOMEM;
        w.tg = w.pg + w.cap;
        w.a = w.tg + w.cap;
        w.b = w.a + w.cap;
    }
    for (size_t g = 0; g < ngrants && err == BK_OK; g++) {
        const struct policy *p = grants[g].p;

        for (size_t i = 0; i < p->nstmts && err == BK_OK; i++) {
            const struct stmt *st = &p->stmts[i];
            const char *via = applies(st, &grants[g], s);
            enum policy_decision d;

            if (via == NULL || !action_listed(st, op))
                continue;
            if (s->target == 0) {
                if (st->deny && unconditional_everything(st)) {
                    *out = POLICY_DENIED;
                    goto out;
                }
                allowed |= !st->deny;
                continue;
            }
            err = stmt_target(st, via, part, s, &w, &d, view);
            if (err == BK_OK && d == POLICY_DENIED) {
                *out = POLICY_DENIED;
                goto out;
            }
            allowed |= d == POLICY_ALLOWED;
        }
    }
    if (err == BK_OK && allowed)
        *out = POLICY_ALLOWED;
out:
    mem_free(w.pg);
    if (err != BK_OK || *out != POLICY_ALLOWED) {
        memset(view, 0, sizeof *view);
        if (err != BK_OK)
            *out = POLICY_DENIED;
    }
    return err;
}

/* ------------------------------------------------------------ views */

/* Copy the value at dotted <path> of <src> into <dst>, creating objects. */
static int
copy_path(json_t *dst, const json_t *src, const char *path)
{
    const char *dot = strchr(path, '.');
    char key[POLICY_FIELD_MAX];
    size_t klen = dot ? (size_t)(dot - path) : strlen(path);
    json_t *v, *sub;

    if (!copy_str(key, sizeof key, path, klen))
        return 0;
    v = json_object_get(src, key);
    if (v == NULL)
        return 0;
    if (dot == NULL)
        return json_object_set_new(dst, key, json_deep_copy(v)) == 0 ? 0 : -1;
    if (!json_is_object(v))
        return 0;
    sub = json_object_get(dst, key);
    if (sub == NULL) {
        sub = json_object();
        if (sub == NULL || json_object_set_new(dst, key, sub) != 0)
            return -1;
    }
    return copy_path(sub, v, dot + 1);
}

static void
remove_path(json_t *obj, const char *path)
{
    const char *dot = strchr(path, '.');
    char key[POLICY_FIELD_MAX];
    size_t klen = dot ? (size_t)(dot - path) : strlen(path);

    if (!json_is_object(obj) || !copy_str(key, sizeof key, path, klen))
        return;
    if (dot == NULL)
        json_object_del(obj, key);
    else
        remove_path(json_object_get(obj, key), dot + 1);
}

json_t *
policy_view_apply(const struct policy_view *v, const json_t *profile)
{
    json_t *out;

    if (v->all) {
        out = json_deep_copy(profile);
    } else {
        out = json_object();
        for (int i = 0; out != NULL && i < v->nfields; i++) {
            if (copy_path(out, profile, v->fields[i]) < 0) {
                json_decref(out);
                out = NULL;
            }
        }
    }
    for (int i = 0; out != NULL && i < v->ndeny; i++)
        remove_path(out, v->deny[i]);
    return out;
}

json_t *
policy_view_strip(const struct policy_view *v, const json_t *profile)
{
    json_t *out;

    if (v->all) {
        out = json_object();
        for (int i = 0; out != NULL && i < v->ndeny; i++) {
            if (copy_path(out, profile, v->deny[i]) < 0) {
                json_decref(out);
                out = NULL;
            }
        }
        return out;
    }
    out = json_deep_copy(profile);
    for (int i = 0; out != NULL && i < v->nfields; i++) {
        int denied = 0;

        for (int k = 0; k < v->ndeny; k++)
            denied |= strcmp(v->deny[k], v->fields[i]) == 0;
        if (!denied)
            remove_path(out, v->fields[i]);
    }
    return out;
}
