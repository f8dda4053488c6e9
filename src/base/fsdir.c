/* Directory durability (fsdir.h). */
#include "fsdir.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void
fsdir_sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash != NULL ? (size_t)(slash - path) : 1;
    int fd;

    if (n == 0)
        n = 1;   /* a file in "/" */
    if (n >= sizeof dir)
        return;
    memcpy(dir, slash != NULL ? path : ".", n);
    dir[n] = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}
