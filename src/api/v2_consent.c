/* /v2 adapters for legal bases, agreements and processing activities: every
 * call is POST with a JSON object; the services are the ones /v1 calls. */
#include "v2_consent.h"

#include "../core/agreements.h"
#include "../core/lbasis.h"
#include "../core/pactivity.h"
#include "params.h"

#define HANDLER(name)                                                                   \
    static enum bk_err name(struct ctx *c, const struct api_req *req,                   \
                            const struct route_match *m, json_t *body, json_t **reply, \
                            struct api_reply *raw)

#define UNUSED_ARGS() ((void)req, (void)m, (void)raw)

static enum bk_err
empty(json_t **reply)
{
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
rows_reply(json_t *rows, json_t **reply)
{
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), "rows", rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

/* The required string member <name>; "missing <name>" (<missing>) if absent. */
static enum bk_err
required(struct ctx *c, const json_t *body, const char *name, const char *missing,
         const char **out, size_t *len)
{
    enum bk_err err = params_str(c, body, name, out, len);

    return err == BK_ENOTFOUND ? ctx_fail(c, BK_EINVAL, missing) : err;
}

/* An optional string member; *out is NULL when absent. */
static enum bk_err
optional(struct ctx *c, const json_t *body, const char *name, const char **out, size_t *len)
{
    enum bk_err err = params_str(c, body, name, out, len);

    return err == BK_ENOTFOUND ? BK_OK : err;
}

#define BRIEF(out, len) required(c, body, "brief", "missing brief", out, len)
#define ACTIVITY(out, len) required(c, body, "activity", "missing activity", out, len)

/* A consent object named by one string member: a legal basis by "brief", a
 * processing activity by "activity"; the calls that create and update it. */
struct named {
    const char *field, *newfield, *missing;
    enum bk_err (*create)(struct ctx *c, const char *name, size_t len, const json_t *body);
    enum bk_err (*update)(struct ctx *c, const char *name, size_t len, const char *newname,
                          size_t newlen, const json_t *body);
    enum bk_err (*list)(struct ctx *c, json_t **rows_out);
};

static const struct named named_lbasis = {
    "brief", "newbrief", "missing brief", lbasis_create, lbasis_update, lbasis_list,
};
static const struct named named_activity = {
    "activity", "newactivity", "missing activity", pactivity_create, pactivity_update,
    pactivity_list,
};

static enum bk_err
named_create(struct ctx *c, const json_t *body, const struct named *k, json_t **reply)
{
    const char *name;
    size_t len;
    enum bk_err err = required(c, body, k->field, k->missing, &name, &len);

    if (err == BK_OK)
        err = k->create(c, name, len, body);
    return err == BK_OK ? empty(reply) : err;
}

static enum bk_err
named_update(struct ctx *c, const json_t *body, const struct named *k, json_t **reply)
{
    const char *name, *newname;
    size_t len, newlen;
    enum bk_err err = required(c, body, k->field, k->missing, &name, &len);

    if (err == BK_OK)
        err = optional(c, body, k->newfield, &newname, &newlen);
    if (err == BK_OK)
        err = k->update(c, name, len, newname, newlen, body);
    return err == BK_OK ? empty(reply) : err;
}

static enum bk_err
named_list(struct ctx *c, const struct named *k, json_t **reply)
{
    json_t *rows = NULL;
    enum bk_err err = k->list(c, &rows);

    return err == BK_OK ? rows_reply(rows, reply) : err;
}

HANDLER(legal_basis_create)
{
    UNUSED_ARGS();
    return named_create(c, body, &named_lbasis, reply);
}

HANDLER(legal_basis_update)
{
    UNUSED_ARGS();
    return named_update(c, body, &named_lbasis, reply);
}

/* Call <revoke> on the "brief" of <body>; the reply counts the agreements
 * it revoked. */
static enum bk_err
revoke_brief(struct ctx *c, const json_t *body,
             enum bk_err (*revoke)(struct ctx *c, const char *brief, size_t len, int64_t *n),
             json_t **reply)
{
    const char *brief;
    size_t len;
    int64_t n = 0;
    enum bk_err err = BRIEF(&brief, &len);

    if (err == BK_OK)
        err = revoke(c, brief, len, &n);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:I}", "revoked", (json_int_t)n);
    return *reply ? BK_OK : BK_ENOMEM;
}

HANDLER(legal_basis_delete)
{
    UNUSED_ARGS();
    return revoke_brief(c, body, lbasis_delete, reply);
}

HANDLER(legal_basis_list)
{
    UNUSED_ARGS();
    (void)body;
    return named_list(c, &named_lbasis, reply);
}

/* The user and brief of an agreement call. */
static enum bk_err
user_brief(struct ctx *c, const json_t *body, struct user_ref *ref, const char **brief,
           size_t *len)
{
    enum bk_err err = params_ref_body(c, body, ref);

    return err == BK_OK ? BRIEF(brief, len) : err;
}

HANDLER(agreement_accept)
{
    struct user_ref ref;
    const char *brief;
    size_t len;
    enum bk_err err;

    UNUSED_ARGS();
    err = user_brief(c, body, &ref, &brief, &len);
    if (err == BK_OK)
        err = agreements_accept(c, &ref, brief, len, body, 0, NULL);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(agreement_get)
{
    struct user_ref ref;
    const char *brief;
    size_t len;
    json_t *v = NULL;
    enum bk_err err;

    UNUSED_ARGS();
    err = user_brief(c, body, &ref, &brief, &len);
    if (err == BK_OK)
        err = agreements_get(c, &ref, brief, len, &v);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "agreement", v);
    return *reply ? BK_OK : BK_ENOMEM;
}

HANDLER(agreement_list_user)
{
    struct user_ref ref;
    json_t *rows = NULL;
    enum bk_err err;

    UNUSED_ARGS();
    err = params_ref_body(c, body, &ref);
    if (err == BK_OK)
        err = agreements_list(c, &ref, &rows);
    return err == BK_OK ? rows_reply(rows, reply) : err;
}

HANDLER(agreement_cancel)
{
    struct user_ref ref;
    const char *brief;
    size_t len;
    enum bk_err err;

    UNUSED_ARGS();
    err = user_brief(c, body, &ref, &brief, &len);
    if (err == BK_OK)
        err = agreements_cancel(c, &ref, brief, len, body);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(agreement_revoke_all)
{
    UNUSED_ARGS();
    return revoke_brief(c, body, agreements_revoke_all, reply);
}

HANDLER(activity_create)
{
    UNUSED_ARGS();
    return named_create(c, body, &named_activity, reply);
}

HANDLER(activity_update)
{
    UNUSED_ARGS();
    return named_update(c, body, &named_activity, reply);
}

HANDLER(activity_delete)
{
    const char *activity;
    size_t len;
    enum bk_err err;

    UNUSED_ARGS();
    err = ACTIVITY(&activity, &len);
    if (err == BK_OK)
        err = pactivity_delete(c, activity, len);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(activity_list)
{
    UNUSED_ARGS();
    (void)body;
    return named_list(c, &named_activity, reply);
}

static enum bk_err
relink(struct ctx *c, const json_t *body, int link, json_t **reply)
{
    const char *activity, *brief;
    size_t len, brief_len;
    enum bk_err err = ACTIVITY(&activity, &len);

    if (err == BK_OK)
        err = BRIEF(&brief, &brief_len);
    if (err == BK_OK)
        err = link ? pactivity_link(c, activity, len, brief, brief_len)
                   : pactivity_unlink(c, activity, len, brief, brief_len);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(activity_link)
{
    UNUSED_ARGS();
    return relink(c, body, 1, reply);
}

HANDLER(activity_unlink)
{
    UNUSED_ARGS();
    return relink(c, body, 0, reply);
}

#define V2 (ROUTE_BODY_JSON | ROUTE_V2)

const struct route v2_consent_routes[] = {
    { "POST", "/v2/LegalBasisCreate", legal_basis_create, V2, "LegalBasisCreate" },
    { "POST", "/v2/LegalBasisUpdate", legal_basis_update, V2, "LegalBasisUpdate" },
    { "POST", "/v2/LegalBasisDelete", legal_basis_delete, V2, "LegalBasisDelete" },
    { "POST", "/v2/LegalBasisListAgreements", legal_basis_list, V2, "LegalBasisListAgreements" },
    { "POST", "/v2/AgreementAccept", agreement_accept, V2, "AgreementAccept" },
    { "POST", "/v2/AgreementGet", agreement_get, V2, "AgreementGet" },
    { "POST", "/v2/AgreementListUserAgreements", agreement_list_user, V2,
      "AgreementListUserAgreements" },
    { "POST", "/v2/AgreementCancel", agreement_cancel, V2, "AgreementCancel" },
    { "POST", "/v2/AgreementRevokeAll", agreement_revoke_all, V2, "AgreementRevokeAll" },
    { "POST", "/v2/ProcessingActivityCreate", activity_create, V2, "ProcessingActivityCreate" },
    { "POST", "/v2/ProcessingActivityUpdate", activity_update, V2, "ProcessingActivityUpdate" },
    { "POST", "/v2/ProcessingActivityDelete", activity_delete, V2, "ProcessingActivityDelete" },
    { "POST", "/v2/ProcessingActivityListActivities", activity_list, V2,
      "ProcessingActivityListActivities" },
    { "POST", "/v2/ProcessingActivityLinkLegalBasis", activity_link, V2,
      "ProcessingActivityLinkLegalBasis" },
    { "POST", "/v2/ProcessingActivityUnlinkLegalBasis", activity_unlink, V2,
      "ProcessingActivityUnlinkLegalBasis" },
    { NULL, NULL, NULL, 0, NULL },
};
