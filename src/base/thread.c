/* Thread names (pthread_setname_np is a GNU extension). */
#define _GNU_SOURCE
#include "thread.h"

#include <pthread.h>
#include <string.h>

void
thread_name(const char *name)
{
    char n[16];
    size_t len = strlen(name);

    if (len >= sizeof n)
        len = sizeof n - 1;
    memcpy(n, name, len);
    n[len] = '\0';
    (void)pthread_setname_np(pthread_self(), n);
}
