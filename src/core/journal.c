/* The read journal: appending, reading back, importing (design in journal.h). */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/clock.h"
#include "../base/fsdir.h"
#include "../base/log.h"
#include "../base/thread.h"
#include "../base/mem.h"
#include "../store/tenants.h"
#include "audit.h"
#include "journalrec.h"

#define JOURNAL_IMPORT_EVENTS 512     /* an import starts once this many events wait */
#define JOURNAL_RETRY_MS 500          /* after a failed import, the next try */
#define JOURNAL_PENDING_MAX 100000    /* past this many events waiting, reads are refused */
#define JOURNAL_FREE_WRITERS 128      /* FREE events past which an append waits for a take,
                                         while writers wait for the write lock */
#define JOURNAL_WAIT_MAX_MS 5000      /* the longest an append waits for a take */
#define JOURNAL_WAIT_STEP_MS 10       /* it looks again this often */
#define JOURNAL_BACKLOG_WAIT_MS 2000  /* the longest an append waits for the importer */

enum jstate {
    JSTATE_FREE = 1,                  /* in no transaction */
    JSTATE_TAKEN = 2,                 /* inserted by a transaction of unknown outcome */
    JSTATE_COMMITTED = 3,             /* in the table, maybe not fsync'd yet */
};

/* One pending event. */
struct jnode {
    struct audit_row row;
    uint64_t seq;                     /* appending order, from 1 */
    uint64_t gen;                     /* the file that holds it */
    int64_t at_ms;                    /* when it was journaled (monotonic) */
    int state;                        /* enum jstate; under <take> */
    struct jnode *next;
};

/* A file no longer appended to, kept until its events are durable in the
 * database. */
struct jfile {
    uint64_t gen;
    int fd;                           /* -1: read back at start, closed */
    int dirty;                        /* written since its last fdatasync */
    struct jfile *next;
};

struct journal {
    char *base;                       /* <db>.journal: the lock file */
    int lock_fd;
    unsigned sync_ms;
    unsigned import_ms;               /* the oldest event waits at most this long */
    const struct app *app;
    pthread_mutex_t take;             /* node states; the list's head (with <lock>) */
    pthread_mutex_t lock;             /* appends: the list's tail, counts, the file */
    pthread_cond_t wake;              /* the thread */
    pthread_cond_t synced;            /* appenders waiting for a sync (sync_ms 0) */
    pthread_cond_t drained;           /* appenders waiting for a take (<free> fell) */
    pthread_cond_t retired;           /* appenders waiting for the importer (backlog) */
    size_t backlog;                   /* pending events past which appends wait (0: never) */
    int importing;                    /* the importer holds its store connection */
    struct jnode *head, *last;
    size_t count;                     /* pending events */
    size_t committed;                 /* of which COMMITTED */
    size_t free;                      /* of which FREE: in no write's transaction yet */
    unsigned blocked;                 /* appends waiting for a take */
    uint64_t seq;                     /* the last event's seq */
    int fd;                           /* the file appended to, generation <gen> */
    uint64_t gen;
    off_t size;
    int dirty;
    int64_t dirty_ms;
    uint64_t synced_seq;              /* sync_ms 0: events up to this one are synced */
    int syncing;
    struct jfile *old;                /* oldest first */
    int64_t retry_ms;                 /* no import before this after a failure */
    pthread_t thread;
    int running;
    int stop;
};

static void
node_free(struct jnode *n)
{
    store_audit_row_cleanup(&n->row);
    mem_free(n);
}

/* The path of generation <gen>, into <buf>. */
static int
gen_path(const struct journal *j, uint64_t gen, char *buf, size_t n)
{
    int r = snprintf(buf, n, "%s.%llu", j->base, (unsigned long long)gen);

    return r > 0 && (size_t)r < n;
}

/* Create generation <gen>, empty, mode 0600. */
static int
gen_create(const struct journal *j, uint64_t gen)
{
    char path[4200];
    int fd;

    if (!gen_path(j, gen, path, sizeof path))
        return -1;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0)
        fsdir_sync_parent(path);
    return fd;
}

static void
gen_unlink(const struct journal *j, uint64_t gen)
{
    char path[4200];

    if (gen_path(j, gen, path, sizeof path) && unlink(path) != 0 && errno != ENOENT)
        LOG_WARN(NULL, "journal", "cannot remove an imported journal file: %s", strerror(errno));
}

/* Link <n> at the tail; called with <lock> held. */
static void
link_node(struct journal *j, struct jnode *n)
{
    n->seq = ++j->seq;
    n->next = NULL;
    if (j->last != NULL)
        j->last->next = n;
    else
        j->head = n;
    j->last = n;
    j->count++;
}

/* Read generation <gen> back: every record that checks becomes a TAKEN
 * event (it may have been imported before the crash); what does not check is
 * skipped up to the next record that does. */
static enum bk_err
gen_load(struct journal *j, uint64_t gen)
{
    char path[4200];
    struct stat st;
    uint8_t *buf = NULL;
    size_t len = 0, pos = 0, skipped = 0, loaded = 0;
    enum bk_err err = BK_OK;
    int fd;

    if (!gen_path(j, gen, path, sizeof path))
        return BK_EINVAL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? BK_OK : BK_EUNAVAIL;
    if (fstat(fd, &st) != 0) {
        err = BK_EUNAVAIL;
        goto out;
    }
    len = (size_t)st.st_size;
    buf = mem_alloc(len ? len : 1);
    if (buf == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    for (size_t got = 0; got < len;) {
        ssize_t r = read(fd, buf + got, len - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            len = got;
            break;
        }
        got += (size_t)r;
    }
    while (pos < len && err == BK_OK) {
        struct jnode *n = mem_calloc(1, sizeof *n);
        size_t used = 0;

        if (n == NULL) {
            err = BK_ENOMEM;
            break;
        }
        err = journal_decode(buf + pos, len - pos, &n->row, &used);
        if (err == BK_ECORRUPT) {
            mem_free(n);
            err = BK_OK;
            pos++;
            skipped++;
            continue;
        }
        if (err != BK_OK) {
            mem_free(n);
            break;
        }
        n->gen = gen;
        n->state = JSTATE_TAKEN;
        n->at_ms = clock_mono_ms();
        link_node(j, n);
        pos += used;
        loaded++;
    }
    if (skipped > 0)
        LOG_WARN(NULL, "journal", "%s: %zu bytes that are no whole record skipped (a write cut "
                 "by a crash)", path, skipped);
    if (loaded > 0)
        LOG_INFO(NULL, "journal", "%s: %zu events read back", path, loaded);
out:
    mem_free(buf);
    close(fd);
    return err;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* The generations on disk, sorted, into a new array. */
static enum bk_err
gens_find(const struct journal *j, uint64_t **out, size_t *n_out)
{
    char dir[4096];
    const char *slash = strrchr(j->base, '/');
    const char *name = slash ? slash + 1 : j->base;
    size_t dn = slash ? (size_t)(slash - j->base) : 1, name_len = strlen(name), n = 0, cap = 0;
    uint64_t *gens = NULL;
    struct dirent *e;
    DIR *d;

    *out = NULL;
    *n_out = 0;
    if (dn == 0)
        dn = 1;
    if (dn >= sizeof dir)
        return BK_EINVAL;
    memcpy(dir, slash ? j->base : ".", dn);
    dir[dn] = '\0';
    d = opendir(dir);
    if (d == NULL)
        return BK_EUNAVAIL;
    while ((e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        char *endp = NULL;
        unsigned long long g;

        if (strncmp(s, name, name_len) != 0 || s[name_len] != '.' ||
            s[name_len + 1] < '0' || s[name_len + 1] > '9')
            continue;
        errno = 0;
        g = strtoull(s + name_len + 1, &endp, 10);
        if (errno != 0 || endp == NULL || *endp != '\0' || g == 0)
            continue;
        if (n == cap) {
            uint64_t *m = mem_realloc(gens, (cap ? cap * 2 : 8) * sizeof *gens);

            if (m == NULL) {
                mem_free(gens);
                closedir(d);
                return BK_ENOMEM;
            }
            gens = m;
            cap = cap ? cap * 2 : 8;
        }
        gens[n++] = g;
    }
    closedir(d);
    if (n > 1)
        qsort(gens, n, sizeof *gens, cmp_u64);
    *out = gens;
    *n_out = n;
    return BK_OK;
}

static void
old_push(struct journal *j, struct jfile *f)
{
    struct jfile **p = &j->old;

    while (*p != NULL)
        p = &(*p)->next;
    f->next = NULL;
    *p = f;
}

enum bk_err
journal_open(const char *db_path, unsigned sync_ms, unsigned import_ms, struct journal **out)
{
    struct journal *j;
    uint64_t *gens = NULL;
    size_t ngens = 0, len = strlen(db_path);
    enum bk_err err;

    *out = NULL;
    j = mem_calloc(1, sizeof *j);
    if (j == NULL)
        return BK_ENOMEM;
    j->fd = -1;
    j->lock_fd = -1;
    j->sync_ms = sync_ms;
    j->import_ms = import_ms;
    pthread_mutex_init(&j->take, NULL);
    pthread_mutex_init(&j->lock, NULL);
    {
        pthread_condattr_t ca;

        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&j->wake, &ca);
        pthread_cond_init(&j->drained, &ca);
        pthread_cond_init(&j->retired, &ca);
        pthread_condattr_destroy(&ca);
    }
    pthread_cond_init(&j->synced, NULL);
    j->base = mem_alloc(len + sizeof ".journal");
    if (j->base == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    memcpy(j->base, db_path, len);
    memcpy(j->base + len, ".journal", sizeof ".journal");
    j->lock_fd = open(j->base, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (j->lock_fd < 0) {
        err = BK_EUNAVAIL;
        goto out;
    }
    if (flock(j->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        err = errno == EWOULDBLOCK ? BK_ECONFLICT : BK_EUNAVAIL;
        goto out;
    }
    err = gens_find(j, &gens, &ngens);
    for (size_t i = 0; i < ngens && err == BK_OK; i++) {
        struct jfile *f = mem_calloc(1, sizeof *f);

        if (f == NULL) {
            err = BK_ENOMEM;
            break;
        }
        f->gen = gens[i];
        f->fd = -1;
        old_push(j, f);
        err = gen_load(j, gens[i]);
    }
    if (err != BK_OK)
        goto out;
    j->gen = ngens > 0 ? gens[ngens - 1] + 1 : 1;
    j->fd = gen_create(j, j->gen);
    if (j->fd < 0)
        err = BK_EUNAVAIL;
out:
    mem_free(gens);
    if (err != BK_OK) {
        journal_close(j);
        return err;
    }
    *out = j;
    return BK_OK;
}

size_t
journal_pending(struct journal *j)
{
    size_t n;

    pthread_mutex_lock(&j->lock);
    n = j->count;
    pthread_mutex_unlock(&j->lock);
    return n;
}

static enum bk_err
write_at(int fd, const uint8_t *p, size_t n, off_t at)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, at);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return BK_EUNAVAIL;
        p += w;
        n -= (size_t)w;
        at += w;
    }
    return BK_OK;
}

/* Back-pressure (journal_append()): the events no write has taken yet are
 * what the next write must insert inside its own transaction, holding the
 * one write lock, before its own event (the order rule). Reads are many
 * threads and the lock holder is one, so under a steady flood of reads the
 * scheduler gives it a small share of the CPU while the backlog each write
 * must insert keeps growing, and writes starve (4 creating clients beside 16
 * reading: ~45 creates/s, each inserting ~260 events, up to ~3,700). So while
 * a request's write waits for the write lock, an append waits (<lock>
 * released) while JOURNAL_FREE_WRITERS or more events are FREE, until a take
 * brings them down: that writer's, next. The server's own writers (the
 * importer, the sweeper, the merger: ctx_background()) do not count: no
 * request waits for them, and counting them stalled pure reads 10-50 ms
 * whenever a sweep's write met an import holding the lock (~150 reads in
 * 10 s of 16 readers, p99 12-15 ms instead of 6). With no request writing
 * nothing changes (pure reads run as before; the importer keeps up in
 * batches). It never waits when the caller holds the write lock, without the
 * importer running, while imports fail, or longer than JOURNAL_WAIT_MAX_MS:
 * it then appends as before (JOURNAL_PENDING_MAX still bounds what piles
 * up). */
static void
drain_wait(struct journal *j, const struct store_conn *db)
{
    int64_t start = 0, now;

    for (;;) {
        if (j->free < JOURNAL_FREE_WRITERS || !j->running || j->stop || j->retry_ms != 0)
            return;
        /* < 0: the caller holds the write lock, no take can come */
        if (db == NULL || db->store == NULL || store_writers_waiting(db) <= 0)
            return;
        now = clock_mono_ms();
        if (start == 0)
            start = now;
        else if (now - start >= JOURNAL_WAIT_MAX_MS)
            return;
        j->blocked++;
        {
            struct timespec t;
            int64_t at = now + JOURNAL_WAIT_STEP_MS;

            t.tv_sec = at / 1000;
            t.tv_nsec = (long)(at % 1000) * 1000000L;
            pthread_cond_timedwait(&j->drained, &j->lock, &t);
        }
        j->blocked--;
    }
}

/* sync_ms 0: return once the event <seq> is fsync'd; one fdatasync serves
 * every append that waits for it. Called with <lock> held. */
static enum bk_err
sync_wait(struct journal *j, uint64_t seq)
{
    while (j->synced_seq < seq) {
        uint64_t target;
        int fd, rc;

        if (j->syncing) {
            pthread_cond_wait(&j->synced, &j->lock);
            continue;
        }
        j->syncing = 1;
        target = j->seq;
        fd = dup(j->fd);
        pthread_mutex_unlock(&j->lock);
        rc = fd >= 0 ? fdatasync(fd) : -1;
        if (fd >= 0)
            close(fd);
        pthread_mutex_lock(&j->lock);
        j->syncing = 0;
        pthread_cond_broadcast(&j->synced);
        if (rc != 0) {
            LOG_ERR(NULL, "journal", "cannot sync the journal: %s", strerror(errno));
            return BK_EUNAVAIL;
        }
        if (target > j->synced_seq)
            j->synced_seq = target;
    }
    return BK_OK;
}

/* Reads outrunning the importer (a large vault's audit index): while
 * <backlog> or more events wait and the importer is inside an import (it
 * holds its store connection, so an appender holding another cannot keep it
 * from finishing), an append waits for it to retire events, at most
 * JOURNAL_BACKLOG_WAIT_MS. Reads then slow down to the importer's pace
 * instead of being refused at JOURNAL_PENDING_MAX. Called with <lock> held. */
static void
backlog_wait(struct journal *j)
{
    int64_t until = 0;

    while (j->backlog > 0 && j->count >= j->backlog && j->importing && !j->stop) {
        int64_t now = clock_mono_ms();
        struct timespec t;

        if (until == 0)
            until = now + JOURNAL_BACKLOG_WAIT_MS;
        else if (now >= until)
            return;
        t.tv_sec = until / 1000;
        t.tv_nsec = (long)(until % 1000) * 1000000L;
        pthread_cond_timedwait(&j->retired, &j->lock, &t);
    }
}

void
journal_set_backlog(struct journal *j, size_t events)
{
    pthread_mutex_lock(&j->lock);
    j->backlog = events;
    pthread_mutex_unlock(&j->lock);
}

static void
set_importing(struct journal *j, int on)
{
    pthread_mutex_lock(&j->lock);
    j->importing = on;
    if (!on)
        pthread_cond_broadcast(&j->retired);
    pthread_mutex_unlock(&j->lock);
}

enum bk_err
journal_append(struct journal *j, const struct store_conn *db, struct audit_row *row)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    struct jnode *n;
    enum bk_err err;

    err = journal_encode(row, &buf, &len);
    if (err != BK_OK)
        return err;
    n = mem_calloc(1, sizeof *n);
    if (n == NULL) {
        mem_free(buf);
        return BK_ENOMEM;
    }
    pthread_mutex_lock(&j->lock);
    backlog_wait(j);
    /* Imports have been failing for a while (the database cannot be
     * written): the events would pile up in memory without bound. */
    if (j->count >= JOURNAL_PENDING_MAX) {
        pthread_mutex_unlock(&j->lock);
        mem_free(n);
        mem_free(buf);
        return BK_EUNAVAIL;
    }
    drain_wait(j, db);
    err = j->fd >= 0 ? write_at(j->fd, buf, len, j->size) : BK_EUNAVAIL;
    if (err != BK_OK) {
        /* Nothing of a failed record stays: the next one starts where it did. */
        if (j->fd >= 0 && ftruncate(j->fd, j->size) != 0)
            LOG_ERR(NULL, "journal", "cannot cut a failed record off: %s", strerror(errno));
        pthread_mutex_unlock(&j->lock);
        mem_free(n);
        mem_free(buf);
        return err;
    }
    j->size += (off_t)len;
    n->row = *row;
    row->sealed = NULL;
    row->sealed_len = 0;
    n->gen = j->gen;
    n->at_ms = clock_mono_ms();
    n->state = JSTATE_FREE;
    link_node(j, n);
    j->free++;
    if (!j->dirty) {
        j->dirty = 1;
        j->dirty_ms = n->at_ms;
        if (j->sync_ms > 0)
            pthread_cond_signal(&j->wake);
    }
    if (j->count == 1 || j->count == JOURNAL_IMPORT_EVENTS)
        pthread_cond_signal(&j->wake);
    if (j->sync_ms == 0)
        err = sync_wait(j, n->seq);
    pthread_mutex_unlock(&j->lock);
    mem_free(buf);
    return err;
}

/* Whether the events of <tenant> still have a trail: a deleted tenant's
 * events (journaled by reads that raced its deletion, or read back from a
 * file after a crash) are dropped, never imported into a trail that is gone.
 * <gone>/<live> remember the answers for one import. */
static enum bk_err
tenant_live(struct ctx *c, int64_t tenant, int64_t *live, int64_t *gone, int *is_live)
{
    struct tenant_row t;
    enum bk_err err;

    *is_live = 1;
    if (tenant == 0 || tenant == *live)
        return BK_OK;
    if (tenant == *gone) {
        *is_live = 0;
        return BK_OK;
    }
    err = store_tenants_by_id(&c->db, tenant, &t);
    if (err == BK_OK || err == BK_ENOTIMPL) {
        *live = tenant;
        return BK_OK;
    }
    if (err != BK_ENOTFOUND)
        return err;
    *gone = tenant;
    *is_live = 0;
    return BK_OK;
}

/* Whether the TAKEN event <e> is in the table (its transaction committed, or
 * is this one). */
static enum bk_err
present(struct ctx *c, const struct jnode *e, int *yes)
{
    struct audit_row found;
    enum bk_err err;

    memset(&found, 0, sizeof found);
    err = store_audit_get(&c->db, e->row.tenant, e->row.atoken, &found);
    store_audit_row_cleanup(&found);
    *yes = err == BK_OK;
    return err == BK_ENOTFOUND ? BK_OK : err;
}

/* Insert every pending event up to the newest not in the table yet, in the
 * open write transaction of <c>; called with <take> held. *upto_out: the seq
 * of the newest event considered; *inserted_out: how many were inserted.
 *
 * The events in the table are always a prefix of the pending events (of
 * live tenants): each import inserts every missing one up to the newest, a
 * rollback goes back to an earlier such prefix, and a tenant's delete takes
 * all of its events out at once. So when the newest TAKEN event is in the
 * table, every TAKEN event is, and one lookup replaces one per event (the
 * common case: each write of a busy vault takes what the reads journaled
 * since the previous one). Otherwise (after a rollback, or at start) each
 * TAKEN event is looked up. */
static enum bk_err
take_locked(struct ctx *c, struct journal *j, uint64_t *upto_out, size_t *inserted_out)
{
    struct jnode *first, **nodes = NULL;
    struct audit_row **rows = NULL;
    uint64_t upto;
    int64_t live = 0, gone = 0;
    size_t n = 0, m = 0, k = 0, last_taken = SIZE_MAX;
    int all_in = 0;
    enum bk_err err = BK_OK;

    pthread_mutex_lock(&j->lock);
    first = j->head;
    upto = j->seq;
    n = j->count - j->committed;
    pthread_mutex_unlock(&j->lock);
    *upto_out = upto;
    *inserted_out = 0;
    if (n == 0)
        return BK_OK;
    nodes = mem_alloc(n * sizeof *nodes);
    rows = mem_alloc(n * sizeof *rows);
    if (nodes == NULL || rows == NULL) {
        err = BK_ENOMEM;
        goto out;
    }
    /* Nodes up to <upto> are linked for good: only appends move the tail
     * (and may be setting the <next> of the node <upto> right now). Every
     * node up to <upto> not COMMITTED is counted in <n>. */
    for (struct jnode *e = first; e != NULL && m < n; e = e->seq < upto ? e->next : NULL) {
        int is_live;

        if (e->state == JSTATE_COMMITTED)
            continue;
        err = tenant_live(c, e->row.tenant, &live, &gone, &is_live);
        if (err != BK_OK)
            goto out;
        if (!is_live)
            continue;
        if (e->state == JSTATE_TAKEN)
            last_taken = m;
        nodes[m++] = e;
    }
    if (last_taken != SIZE_MAX)
        err = present(c, nodes[last_taken], &all_in);
    for (size_t i = 0; i < m && err == BK_OK; i++) {
        int yes = 0;

        if (nodes[i]->state == JSTATE_TAKEN) {
            if (all_in)
                continue;
            if (i != last_taken)
                err = present(c, nodes[i], &yes);
            if (err != BK_OK || yes)
                continue;
        }
        nodes[k] = nodes[i];
        rows[k] = &nodes[i]->row;
        k++;
    }
    if (err == BK_OK)
        err = audit_insert_runs(c, rows, k);
    if (err == BK_OK) {
        size_t freed = 0;

        for (size_t i = 0; i < k; i++) {
            freed += nodes[i]->state == JSTATE_FREE;
            nodes[i]->state = JSTATE_TAKEN;
        }
        *inserted_out = k;
        pthread_mutex_lock(&j->lock);
        j->free -= freed;
        if (j->blocked > 0)
            pthread_cond_broadcast(&j->drained);
        pthread_mutex_unlock(&j->lock);
    }
out:
    mem_free(nodes);
    mem_free(rows);
    return err;
}

/* Whether <j> (NULL: no journal) holds events not known to be in the table. */
static int
unsettled(struct journal *j)
{
    size_t n;

    if (j == NULL)
        return 0;
    pthread_mutex_lock(&j->lock);
    n = j->count - j->committed;
    pthread_mutex_unlock(&j->lock);
    return n > 0;
}

enum bk_err
journal_take(struct ctx *c)
{
    struct journal *j = c->app != NULL ? c->app->journal : NULL;
    uint64_t upto;
    size_t inserted;
    enum bk_err err;

    if (!unsettled(j))
        return BK_OK;
    pthread_mutex_lock(&j->take);
    err = take_locked(c, j, &upto, &inserted);
    pthread_mutex_unlock(&j->take);
    return err;
}

/* After a commit that held every pending event up to <upto>: they are in
 * the table. */
static void
mark_committed(struct journal *j, uint64_t upto)
{
    pthread_mutex_lock(&j->take);
    pthread_mutex_lock(&j->lock);
    for (struct jnode *e = j->head; e != NULL && e->seq <= upto; e = e->next) {
        if (e->state != JSTATE_COMMITTED) {
            e->state = JSTATE_COMMITTED;
            j->committed++;
        }
    }
    pthread_mutex_unlock(&j->lock);
    pthread_mutex_unlock(&j->take);
}

enum bk_err
journal_settle(struct ctx *c)
{
    struct journal *j = c->app != NULL ? c->app->journal : NULL;
    enum bk_err err = BK_ERETRY;
    uint64_t upto = 0;
    size_t inserted;

    if (!unsettled(j))
        return BK_OK;
    for (int attempt = 0; attempt < 5 && err == BK_ERETRY; attempt++) {
        err = store_begin(&c->db, STORE_WRITE_LAZY);
        if (err != BK_OK)
            continue;
        pthread_mutex_lock(&j->take);
        err = take_locked(c, j, &upto, &inserted);
        pthread_mutex_unlock(&j->take);
        err = store_end(&c->db, err);
    }
    if (err == BK_OK)
        mark_committed(j, upto);
    else
        LOG_ERR(c->rid, "journal", "cannot import journaled audit events: %s", bk_err_str(err));
    return err;
}

/* Start a new generation so that appends go on while the older ones are
 * imported. */
static void
rotate(struct journal *j)
{
    struct jfile *f;
    uint64_t gen;
    int fd;

    /* Not while an older file waits (an import failed): one file grows
     * until an import succeeds, rather than one more per try. */
    pthread_mutex_lock(&j->lock);
    gen = j->gen + 1;
    fd = j->size > 0 && j->old == NULL ? 0 : -1;
    pthread_mutex_unlock(&j->lock);
    if (fd < 0)
        return;
    f = mem_calloc(1, sizeof *f);
    fd = f != NULL ? gen_create(j, gen) : -1;
    if (fd < 0) {
        LOG_WARN(NULL, "journal", "cannot start a new journal file: %s", strerror(errno));
        mem_free(f);
        return;
    }
    pthread_mutex_lock(&j->lock);
    while (j->syncing)
        pthread_cond_wait(&j->synced, &j->lock);
    /* sync_ms 0: whoever waits for a sync of the old file gets it here */
    if (j->sync_ms == 0 && j->synced_seq < j->seq) {
        if (fdatasync(j->fd) != 0) {
            LOG_ERR(NULL, "journal", "cannot sync the journal: %s", strerror(errno));
            pthread_mutex_unlock(&j->lock);
            close(fd);
            gen_unlink(j, gen);
            mem_free(f);
            return;
        }
        j->synced_seq = j->seq;
        pthread_cond_broadcast(&j->synced);
    }
    f->gen = j->gen;
    f->fd = j->fd;
    f->dirty = j->dirty;
    old_push(j, f);
    j->fd = fd;
    j->gen = gen;
    j->size = 0;
    j->dirty = 0;
    pthread_mutex_unlock(&j->lock);
}

/* After a durable import of every event up to <upto>: drop them, and the
 * files that hold no pending event any more. */
static void
retire(struct journal *j, uint64_t upto)
{
    struct jnode *done = NULL, **dt = &done;
    struct jfile *gone = NULL, **gt = &gone;
    uint64_t keep;

    pthread_mutex_lock(&j->take);
    pthread_mutex_lock(&j->lock);
    while (j->head != NULL && j->head->seq <= upto) {
        struct jnode *e = j->head;

        j->head = e->next;
        if (e->state == JSTATE_COMMITTED)
            j->committed--;
        else if (e->state == JSTATE_FREE)
            j->free--;
        j->count--;
        *dt = e;
        dt = &e->next;
    }
    *dt = NULL;
    if (j->head == NULL)
        j->last = NULL;
    pthread_cond_broadcast(&j->retired);
    keep = j->head != NULL ? j->head->gen : j->gen;
    while (j->old != NULL && j->old->gen < keep) {
        struct jfile *f = j->old;

        j->old = f->next;
        *gt = f;
        gt = &f->next;
    }
    *gt = NULL;
    pthread_mutex_unlock(&j->lock);
    pthread_mutex_unlock(&j->take);
    while (done != NULL) {
        struct jnode *e = done;

        done = e->next;
        node_free(e);
    }
    while (gone != NULL) {
        struct jfile *f = gone;

        gone = f->next;
        if (f->fd >= 0)
            close(f->fd);
        gen_unlink(j, f->gen);
        mem_free(f);
    }
}

/* One durable import of everything pending. */
static enum bk_err
import_once(struct journal *j, struct ctx *c, uint64_t *upto)
{
    size_t inserted = 0;
    enum bk_err err = store_begin(&c->db, STORE_WRITE);

    if (err != BK_OK)
        return err;
    pthread_mutex_lock(&j->take);
    err = take_locked(c, j, upto, &inserted);
    pthread_mutex_unlock(&j->take);
    /* Events others inserted lazily become durable with this commit's sync:
     * it must write something to sync. */
    if (err == BK_OK && inserted == 0) {
        uint8_t v[8];

        journalrec_put_le(v, *upto, 8);
        err = store_meta_put(&c->db, "audit_journal_seq", v, sizeof v);
    }
    err = store_end(&c->db, err);
    return err;
}

enum bk_err
journal_import(struct journal *j, const struct app *app)
{
    struct ctx c;
    uint64_t upto = 0;
    enum bk_err err;

    if (journal_pending(j) == 0) {
        retire(j, 0);
        return BK_OK;
    }
    rotate(j);
    err = ctx_background(&c, app, "journal");
    if (err != BK_OK)
        return err;
    set_importing(j, 1);
    err = BK_ERETRY;
    for (int attempt = 0; attempt < 5 && err == BK_ERETRY; attempt++)
        err = import_once(j, &c, &upto);
    if (err == BK_OK)
        retire(j, upto);
    set_importing(j, 0);
    store_release(&c.db);
    if (err == BK_OK)
        return BK_OK;
    LOG_ERR(NULL, "journal", "cannot import journaled audit events: %s (kept, tried again)",
            bk_err_str(err));
    /* Until the next try the old files are the events' only durable copy. */
    pthread_mutex_lock(&j->lock);
    for (struct jfile *f = j->old; f != NULL; f = f->next) {
        if (f->fd >= 0 && f->dirty && fdatasync(f->fd) == 0)
            f->dirty = 0;
    }
    pthread_mutex_unlock(&j->lock);
    return err;
}

static void
wait_until(struct journal *j, int64_t at_ms)
{
    struct timespec t;

    t.tv_sec = at_ms / 1000;
    t.tv_nsec = (long)(at_ms % 1000) * 1000000L;
    pthread_cond_timedwait(&j->wake, &j->lock, &t);
}

static void *
run(void *arg)
{
    struct journal *j = arg;

    thread_name("importer");
    pthread_mutex_lock(&j->lock);
    while (!j->stop) {
        int64_t now = clock_mono_ms(), next = now + 1000;

        if (j->count > 0) {
            int64_t due = j->head->at_ms + (int64_t)j->import_ms;

            if (j->count >= JOURNAL_IMPORT_EVENTS && due > now)
                due = now;
            if (due < j->retry_ms)
                due = j->retry_ms;
            if (now >= due) {
                enum bk_err err;

                pthread_mutex_unlock(&j->lock);
                err = journal_import(j, j->app);
                pthread_mutex_lock(&j->lock);
                j->retry_ms = err == BK_OK ? 0 : clock_mono_ms() + JOURNAL_RETRY_MS;
                continue;
            }
            if (due < next)
                next = due;
        }
        if (j->dirty && j->sync_ms > 0) {
            int64_t due = j->dirty_ms + j->sync_ms;

            if (now >= due) {
                int fd = dup(j->fd), rc;

                j->dirty = 0;
                pthread_mutex_unlock(&j->lock);
                rc = fd >= 0 ? fdatasync(fd) : -1;
                if (rc != 0)
                    LOG_ERR(NULL, "journal", "background sync of the journal failed: %s "
                            "(retrying)", strerror(errno));
                if (fd >= 0)
                    close(fd);
                pthread_mutex_lock(&j->lock);
                if (rc != 0 && !j->dirty) {
                    j->dirty = 1;
                    j->dirty_ms = clock_mono_ms();
                }
                continue;
            }
            if (due < next)
                next = due;
        }
        wait_until(j, next);
    }
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

enum bk_err
journal_start(struct journal *j, const struct app *app)
{
    j->app = app;
    j->stop = 0;
    pthread_mutex_lock(&j->lock);
    j->running = 1;
    pthread_mutex_unlock(&j->lock);
    if (pthread_create(&j->thread, NULL, run, j) != 0) {
        j->running = 0;
        return BK_EINTERNAL;
    }
    return BK_OK;
}

void
journal_stop(struct journal *j)
{
    if (j == NULL || !j->running)
        return;
    pthread_mutex_lock(&j->lock);
    j->stop = 1;
    pthread_cond_signal(&j->wake);
    pthread_cond_broadcast(&j->drained);
    pthread_cond_broadcast(&j->retired);
    pthread_mutex_unlock(&j->lock);
    pthread_join(j->thread, NULL);
    pthread_mutex_lock(&j->lock);
    j->running = 0;
    pthread_mutex_unlock(&j->lock);
    if (journal_import(j, j->app) != BK_OK)
        LOG_ERR(NULL, "journal", "%zu audit events stay in the journal for the next start",
                journal_pending(j));
    /* What is left reaches the disk now. */
    pthread_mutex_lock(&j->lock);
    if (j->fd >= 0 && j->dirty && fdatasync(j->fd) == 0)
        j->dirty = 0;
    pthread_mutex_unlock(&j->lock);
}

void
journal_close(struct journal *j)
{
    if (j == NULL)
        return;
    journal_stop(j);
    while (j->head != NULL) {
        struct jnode *e = j->head;

        j->head = e->next;
        node_free(e);
    }
    while (j->old != NULL) {
        struct jfile *f = j->old;

        j->old = f->next;
        if (f->fd >= 0)
            close(f->fd);
        mem_free(f);
    }
    if (j->fd >= 0)
        close(j->fd);
    if (j->lock_fd >= 0)
        close(j->lock_fd);
    pthread_cond_destroy(&j->wake);
    pthread_cond_destroy(&j->synced);
    pthread_cond_destroy(&j->drained);
    pthread_cond_destroy(&j->retired);
    pthread_mutex_destroy(&j->lock);
    pthread_mutex_destroy(&j->take);
    mem_free(j->base);
    mem_free(j);
}
