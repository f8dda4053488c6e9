/* Row cleanup for the access-control family, shared by every backend. */
#include "access.h"

#include "../base/mem.h"

void
access_named_cleanup(struct access_named *n)
{
    mem_free(n->name);
    mem_free(n->descr);
    mem_free(n->extra);
    n->name = n->descr = n->extra = NULL;
}
