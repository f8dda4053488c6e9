/* /v1 adapters for consents, agreements, legal bases and processing
 * activities: names from the path, fields from a JSON or form body. */
#include "v1_consent.h"

#include "../core/agreements.h"
#include "../core/lbasis.h"
#include "../core/pactivity.h"
#include "params.h"

#define HANDLER(name)                                                                   \
    static enum bk_err name(struct ctx *c, const struct api_req *req,                   \
                            const struct route_match *m, json_t *body, json_t **reply, \
                            struct api_reply *raw)

#define UNUSED_ARGS() ((void)req, (void)raw)

static enum bk_err
empty(json_t **reply)
{
    *reply = json_object();
    return *reply ? BK_OK : BK_ENOMEM;
}

static enum bk_err
rows_reply(json_t *rows, const char *name, json_t **reply)
{
    *reply = json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(rows), name, rows);
    return *reply ? BK_OK : BK_ENOMEM;
}

/* The user named by path parameters <mi> (mode) and <mi> + 1 (identity). */
static enum bk_err
ref_at(struct ctx *c, const struct route_match *m, int mi, struct user_ref *ref)
{
    return params_ref_path(c, m->param[mi], m->param_len[mi], m->param[mi + 1],
                           m->param_len[mi + 1], ref);
}

/* /v1/consent/{mode}/{identity}/{brief}: brief is parameter 2. */
HANDLER(consent_accept)
{
    struct user_ref ref;
    enum bk_err err = ref_at(c, m, 0, &ref);

    UNUSED_ARGS();
    if (err == BK_OK)
        err = agreements_accept(c, &ref, m->param[2], m->param_len[2], body, 1, NULL);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(consent_get)
{
    struct user_ref ref;
    json_t *v = NULL;
    enum bk_err err = ref_at(c, m, 0, &ref);

    UNUSED_ARGS();
    (void)body;
    if (err == BK_OK)
        err = agreements_get(c, &ref, m->param[2], m->param_len[2], &v);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "consent", v);
    return *reply ? BK_OK : BK_ENOMEM;
}

HANDLER(consent_withdraw)
{
    struct user_ref ref;
    enum bk_err err = ref_at(c, m, 0, &ref);

    UNUSED_ARGS();
    if (err == BK_OK)
        err = agreements_cancel(c, &ref, m->param[2], m->param_len[2], body);
    return err == BK_OK ? empty(reply) : err;
}

static enum bk_err
list_user(struct ctx *c, const struct route_match *m, int mi, const char *name, json_t **reply)
{
    struct user_ref ref;
    json_t *rows = NULL;
    enum bk_err err = ref_at(c, m, mi, &ref);

    if (err == BK_OK)
        err = agreements_list(c, &ref, &rows);
    return err == BK_OK ? rows_reply(rows, name, reply) : err;
}

HANDLER(consent_list)
{
    UNUSED_ARGS();
    (void)body;
    return list_user(c, m, 0, "consents", reply);
}

/* /v1/agreement/{brief}/{mode}/{identity}: brief is parameter 0. */
HANDLER(agreement_accept)
{
    struct user_ref ref;
    enum bk_err err = ref_at(c, m, 1, &ref);

    UNUSED_ARGS();
    if (err == BK_OK)
        err = agreements_accept(c, &ref, m->param[0], m->param_len[0], body, 0, NULL);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(agreement_get)
{
    struct user_ref ref;
    json_t *v = NULL;
    enum bk_err err = ref_at(c, m, 1, &ref);

    UNUSED_ARGS();
    (void)body;
    if (err == BK_OK)
        err = agreements_get(c, &ref, m->param[0], m->param_len[0], &v);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:o}", "data", v);
    return *reply ? BK_OK : BK_ENOMEM;
}

HANDLER(agreement_withdraw)
{
    struct user_ref ref;
    enum bk_err err = ref_at(c, m, 1, &ref);

    UNUSED_ARGS();
    if (err == BK_OK)
        err = agreements_cancel(c, &ref, m->param[0], m->param_len[0], body);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(agreement_revoke_all)
{
    int64_t n = 0;
    enum bk_err err;

    UNUSED_ARGS();
    (void)body;
    err = agreements_revoke_all(c, m->param[0], m->param_len[0], &n);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:I}", "revoked", (json_int_t)n);
    return *reply ? BK_OK : BK_ENOMEM;
}

HANDLER(agreements_list_user)
{
    UNUSED_ARGS();
    (void)body;
    return list_user(c, m, 0, "rows", reply);
}

HANDLER(lbasis_list_all)
{
    json_t *rows = NULL;
    enum bk_err err;

    UNUSED_ARGS();
    (void)m, (void)body;
    err = lbasis_list(c, &rows);
    return err == BK_OK ? rows_reply(rows, "rows", reply) : err;
}

HANDLER(lbasis_save)
{
    enum bk_err err;

    UNUSED_ARGS();
    err = lbasis_upsert(c, m->param[0], m->param_len[0], body);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(lbasis_remove)
{
    int64_t n = 0;
    enum bk_err err;

    UNUSED_ARGS();
    (void)body;
    err = lbasis_delete(c, m->param[0], m->param_len[0], &n);
    if (err != BK_OK)
        return err;
    *reply = json_pack("{s:I}", "revoked", (json_int_t)n);
    return *reply ? BK_OK : BK_ENOMEM;
}

HANDLER(pactivity_list_all)
{
    json_t *rows = NULL;
    enum bk_err err;

    UNUSED_ARGS();
    (void)m, (void)body;
    err = pactivity_list(c, &rows);
    return err == BK_OK ? rows_reply(rows, "rows", reply) : err;
}

HANDLER(pactivity_save)
{
    enum bk_err err;

    UNUSED_ARGS();
    err = pactivity_upsert(c, m->param[0], m->param_len[0], body);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(pactivity_remove)
{
    enum bk_err err;

    UNUSED_ARGS();
    (void)body;
    err = pactivity_delete(c, m->param[0], m->param_len[0]);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(pactivity_link_lbasis)
{
    enum bk_err err;

    UNUSED_ARGS();
    (void)body;
    err = pactivity_link(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1]);
    return err == BK_OK ? empty(reply) : err;
}

HANDLER(pactivity_unlink_lbasis)
{
    enum bk_err err;

    UNUSED_ARGS();
    (void)body;
    err = pactivity_unlink(c, m->param[0], m->param_len[0], m->param[1], m->param_len[1]);
    return err == BK_OK ? empty(reply) : err;
}

#define JF (ROUTE_BODY_JSON | ROUTE_BODY_FORM)

const struct route v1_consent_routes[] = {
    /* the spec's routes */
    { "POST", "/v1/consent/{mode}/{identity}/{brief}", consent_accept, JF, "AgreementAccept" },
    { "GET", "/v1/consent/{mode}/{identity}/{brief}", consent_get, 0, "AgreementGet" },
    { "DELETE", "/v1/consent/{mode}/{identity}/{brief}", consent_withdraw, JF,
      "AgreementCancel" },
    { "GET", "/v1/consent/{mode}/{identity}", consent_list, 0, "AgreementListUserAgreements" },
    /* the released server's routes */
    { "POST", "/v1/agreement/{brief}/{mode}/{identity}", agreement_accept, JF,
      "AgreementAccept" },
    { "GET", "/v1/agreement/{brief}/{mode}/{identity}", agreement_get, 0, "AgreementGet" },
    { "DELETE", "/v1/agreement/{brief}/{mode}/{identity}", agreement_withdraw, JF,
      "AgreementCancel" },
    { "DELETE", "/v1/agreement/{brief}", agreement_revoke_all, 0, "AgreementRevokeAll" },
    { "GET", "/v1/agreements/{mode}/{identity}", agreements_list_user, 0,
      "AgreementListUserAgreements" },
    { "GET", "/v1/lbasis", lbasis_list_all, 0, "LegalBasisListAgreements" },
    { "POST", "/v1/lbasis/{brief}", lbasis_save, JF, "LegalBasisCreate" },
    { "DELETE", "/v1/lbasis/{brief}", lbasis_remove, 0, "LegalBasisDelete" },
    { "GET", "/v1/pactivity", pactivity_list_all, 0, "ProcessingActivityListActivities" },
    { "POST", "/v1/pactivity/{activity}", pactivity_save, JF, "ProcessingActivityCreate" },
    { "DELETE", "/v1/pactivity/{activity}", pactivity_remove, 0, "ProcessingActivityDelete" },
    { "POST", "/v1/pactivity/{activity}/{brief}", pactivity_link_lbasis, JF,
      "ProcessingActivityLinkLegalBasis" },
    { "DELETE", "/v1/pactivity/{activity}/{brief}", pactivity_unlink_lbasis, 0,
      "ProcessingActivityUnlinkLegalBasis" },
    { NULL, NULL, NULL, 0, NULL },
};
