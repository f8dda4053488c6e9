/* Start-up replay of the erasure ledger: whoever was forgotten stays
 * forgotten, even after an older copy of the database was restored. */
#ifndef BK_ERASURE_H
#define BK_ERASURE_H

#include <stddef.h>

#include "ctx.h"

/* Forget again every user in app->ledger that the store holds as active,
 * each in its own transaction with an audit event. *reapplied counts them.
 * Any store failure stops the replay and is returned: the server must not
 * serve a database that would show forgotten users. */
enum bk_err erasure_replay(const struct app *app, size_t *reapplied);

#endif
