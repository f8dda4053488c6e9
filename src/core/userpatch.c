/* UserPatch over users_modify(); the patch logic itself is core/jsonpatch.c. */
#include "userpatch.h"

#include "jsonpatch.h"

_Static_assert(sizeof(((struct ctx *)0)->msgbuf) >= JSONPATCH_MSG_MAX,
               "ctx.msgbuf holds a JSON Patch message");

enum bk_err
userpatch_check(struct ctx *c, const json_t *patch)
{
    enum bk_err err = jsonpatch_check(patch, c->msgbuf);

    return err == BK_OK ? BK_OK : ctx_fail(c, err, c->msgbuf);
}

enum bk_err
userpatch_transform(struct ctx *c, const json_t *before, void *arg, json_t **after_out)
{
    enum bk_err err = jsonpatch_apply(before, arg, after_out, c->msgbuf);

    if (err == BK_ENOMEM)
        return err;
    if (err != BK_OK)
        return ctx_fail(c, err, c->msgbuf);
    if (!json_is_object(*after_out)) {
        json_decref(*after_out);
        *after_out = NULL;
        return ctx_fail(c, BK_EINVAL, "patched user profile must be a JSON object");
    }
    return BK_OK;
}

enum bk_err
userpatch_apply(struct ctx *c, const struct user_ref *ref, const json_t *patch,
                const char *action, char token_out[37])
{
    enum bk_err err;

    token_out[0] = '\0';
    err = userpatch_check(c, patch);
    if (err != BK_OK)
        return err;
    return users_modify(c, ref, action, userpatch_transform, (void *)patch, token_out);
}
