/* An LD_PRELOAD shim that makes write, pwrite, fsync and fdatasync fail on
 * chosen files, switched on and off while the process runs. Test-only.
 *
 * IOFAIL_CONTROL names a control file, read on every intercepted call. Empty
 * or missing: no faults. Otherwise one line:
 *     <ops> <errno> <path-part>
 * <ops>: comma-separated from write, pwrite, fsync, fdatasync (or "all");
 * <errno>: EIO or ENOSPC; <path-part>: only descriptors whose file path
 * contains it fail (e.g. the database's directory), so logging still works.
 * Every failure is counted in "<control file>.hits" (one byte per failure). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

enum op { OP_WRITE = 1, OP_PWRITE = 2, OP_FSYNC = 4, OP_FDATASYNC = 8 };

ssize_t write(int fd, const void *buf, size_t n);
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off);
int fsync(int fd);
int fdatasync(int fd);

/* Raw system calls: the shim must not call what it intercepts. */
static ssize_t
raw_read_file(const char *path, char *buf, size_t n)
{
    long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    ssize_t got;

    if (fd < 0)
        return -1;
    got = syscall(SYS_read, (int)fd, buf, n);
    syscall(SYS_close, (int)fd);
    return got;
}

static void
note_hit(const char *ctl)
{
    char path[4200];
    long fd;

    if (snprintf(path, sizeof path, "%s.hits", ctl) >= (int)sizeof path)
        return;
    fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    syscall(SYS_write, (int)fd, "x", 1);
    syscall(SYS_close, (int)fd);
}

/* Copy the <i>-th space-separated word of <s> into <out>; 0 when missing or
 * too long. */
static int
word(const char *s, int i, char *out, size_t n)
{
    size_t len;

    for (;;) {
        s += strspn(s, " \t\r\n");
        len = strcspn(s, " \t\r\n");
        if (len == 0)
            return 0;
        if (i-- == 0)
            break;
        s += len;
    }
    if (len >= n)
        return 0;
    memcpy(out, s, len);
    out[len] = '\0';
    return 1;
}

/* The errno to fail <op> on <fd> with, or 0. */
static int
fault_for(enum op op, int fd)
{
    const char *ctl = getenv("IOFAIL_CONTROL");
    char line[1024], ops[128], err[32], part[900], link[64], target[4096];
    unsigned mask = 0;
    ssize_t n;
    int e;

    if (ctl == NULL || ctl[0] == '\0')
        return 0;
    n = raw_read_file(ctl, line, sizeof line - 1);
    if (n <= 0)
        return 0;
    line[n] = '\0';
    if (!word(line, 0, ops, sizeof ops) || !word(line, 1, err, sizeof err) ||
        !word(line, 2, part, sizeof part))
        return 0;
    if (strstr(ops, "all") != NULL)
        mask = OP_WRITE | OP_PWRITE | OP_FSYNC | OP_FDATASYNC;
    if (strstr(ops, "write") != NULL && strstr(ops, "pwrite") != ops)
        mask |= OP_WRITE;
    if (strstr(ops, "pwrite") != NULL)
        mask |= OP_PWRITE;
    if (strstr(ops, "fsync") != NULL)
        mask |= OP_FSYNC;
    if (strstr(ops, "fdatasync") != NULL)
        mask |= OP_FDATASYNC;
    if (!(mask & op))
        return 0;
    e = strcmp(err, "ENOSPC") == 0 ? ENOSPC : EIO;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    if (strstr(target, part) == NULL)
        return 0;
    note_hit(ctl);
    return e;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*sync_fn)(int);

#define REAL(name, type) \
    static type real_##name; \
    if (real_##name == NULL) \
        real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t
write(int fd, const void *buf, size_t n)
{
    int e = fault_for(OP_WRITE, fd);
    REAL(write, write_fn);

    if (e != 0) {
        errno = e;
        return -1;
    }
    return real_write(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
    int e = fault_for(OP_PWRITE, fd);
    REAL(pwrite, pwrite_fn);

    if (e != 0) {
        errno = e;
        return -1;
    }
    return real_pwrite(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    int e = fault_for(OP_PWRITE, fd);
    REAL(pwrite64, pwrite_fn);

    if (e != 0) {
        errno = e;
        return -1;
    }
    return real_pwrite64(fd, buf, n, off);
}

int
fsync(int fd)
{
    int e = fault_for(OP_FSYNC, fd);
    REAL(fsync, sync_fn);

    if (e != 0) {
        errno = e;
        return -1;
    }
    return real_fsync(fd);
}

int
fdatasync(int fd)
{
    int e = fault_for(OP_FDATASYNC, fd);
    REAL(fdatasync, sync_fn);

    if (e != 0) {
        errno = e;
        return -1;
    }
    return real_fdatasync(fd);
}
