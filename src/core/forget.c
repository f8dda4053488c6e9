/* The list of per-user purges run when a user is forgotten. */
#include "forget.h"

#include <stddef.h>

#include "agreements.h"
#include "appdata.h"
#include "portal.h"
#include "sessions.h"
#include "requests.h"
#include "search.h"
#include "expiration.h"
#include "shared.h"
#include "versions.h"
#include "xtokens.h"

typedef enum bk_err (*forget_fn)(struct ctx *c, const struct user_row *user);

static const forget_fn purges[] = {
    agreements_forget,
    appdata_forget_user,
    sessions_forget_user,
    requests_forget_user,
    versions_forget,
    shared_forget,
    expiration_forget,
    xtokens_forget_user,
    portal_forget_user,
    search_forget_user,
    NULL,
};

enum bk_err
forget_user_data(struct ctx *c, const struct user_row *user)
{
    for (size_t i = 0; purges[i] != NULL; i++) {
        enum bk_err err = purges[i](c, user);

        /* A backend without the family has none of its rows to purge. */
        if (err != BK_OK && err != BK_ENOTIMPL)
            return err;
    }
    return BK_OK;
}
