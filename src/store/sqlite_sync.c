/* The SQLite backend's background syncer. A lazy commit (STORE_WRITE_LAZY)
 * runs with synchronous=NORMAL: visible and safe from a crash of the process
 * at once, but not yet on the disk. Within the sync interval after any
 * commit this thread, on a connection of its own, checkpoints the WAL
 * passively (which never blocks the writer) and fsyncs it: an fsync through
 * any descriptor of the file flushes the frames every connection wrote. It is
 * also the WAL's usual checkpointer: the writer kicks it each time the WAL
 * grew by a step (sqlite.c, writer_wal_hook), so the copying and its fsyncs
 * run beside the writer instead of inside a commit that holds the writer
 * lock. */
#include "sqlite_int.h"

#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../base/thread.h"

#define SQ_WAL_RESTART_PAGES 1024   /* a WAL this long (4 MiB of 4 KiB pages) starts over */
#define SQ_WAL_RESTART_WAIT_MS 3    /* how long that waits for readers and writers */

static int
open_conn(struct sq_syncer *s)
{
    int rc;

    if (s->db != NULL)
        return SQLITE_OK;
    rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "PRAGMA busy_timeout = 1000", NULL, NULL, NULL);
    /* A first read opens the WAL on this connection: until then it can
     * neither checkpoint nor sync it. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close_v2(s->db);
        s->db = NULL;
    }
    return rc;
}

/* fsync the WAL file. */
static int
sync_wal(struct sq_syncer *s)
{
    sqlite3_file *f = NULL;
    int rc = sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f);

    if (rc != SQLITE_OK)
        return rc;
    if (f == NULL || f->pMethods == NULL)
        return SQLITE_ERROR;
    return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
}

/* Under steady load some reader always holds a snapshot that still needs the
 * WAL, so the WAL never starts over and grows by every commit (a read's
 * audit event adds ~13 KB). Past SQ_WAL_RESTART_PAGES a restarting
 * checkpoint copies what is left and waits a moment for those readers to end
 * (new ones then read the database file), after which the next write starts
 * the WAL from its beginning. Busy: tried again after the next commit. */
static void
restart_wal(struct sq_syncer *s)
{
    int nlog = 0, nckpt = 0;

    sqlite3_busy_timeout(s->db, SQ_WAL_RESTART_WAIT_MS);
    sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_RESTART, &nlog, &nckpt);
    sqlite3_busy_timeout(s->db, 1000);
}

static void
sync_once(struct sq_syncer *s)
{
    int nlog = 0, nckpt = 0, rc;

    rc = open_conn(s);
    if (rc == SQLITE_OK) {
        rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
        if (rc == SQLITE_BUSY)
            rc = SQLITE_OK;
    }
    if (rc == SQLITE_OK)
        rc = sync_wal(s);
    if (rc == SQLITE_OK && nlog > SQ_WAL_RESTART_PAGES)
        restart_wal(s);
    if (rc == SQLITE_OK)
        return;
    /* Like a failed commit's fsync, a failed sync is never taken for done:
     * the connection is opened afresh and the sync tried again. */
    LOG_ERR(NULL, "sqlite", "background sync of the WAL failed (%d): retrying", rc);
    sqlite3_close_v2(s->db);
    s->db = NULL;
    pthread_mutex_lock(&s->lock);
    s->pending = 1;
    pthread_mutex_unlock(&s->lock);
}

static void
add_ms(struct timespec *t, unsigned ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static void *
syncer_main(void *arg)
{
    struct sq_syncer *s = arg;

    thread_name("syncer");
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        struct timespec until;

        if (!s->pending) {
            pthread_cond_wait(&s->wake, &s->lock);
            continue;
        }
        /* Let the interval's lazy commits gather, then sync them at once;
         * a WAL that grew by a step is checkpointed at once. */
        clock_gettime(CLOCK_REALTIME, &until);
        add_ms(&until, s->interval_ms);
        while (!s->stop && !s->urgent &&
               pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
            ;
        s->pending = 0;
        s->urgent = 0;
        pthread_mutex_unlock(&s->lock);
        sync_once(s);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

enum bk_err
sq_syncer_start(struct sq_syncer *s, const char *path, unsigned interval_ms)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->interval_ms = interval_ms ? interval_ms : 1000;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, syncer_main, s) != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        return BK_ENOMEM;
    }
    s->running = 1;
    return BK_OK;
}

void
sq_syncer_note(struct sq_syncer *s)
{
    if (!s->running)
        return;
    pthread_mutex_lock(&s->lock);
    if (!s->pending) {
        s->pending = 1;
        pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->lock);
}

void
sq_syncer_kick(struct sq_syncer *s)
{
    if (!s->running)
        return;
    pthread_mutex_lock(&s->lock);
    s->pending = 1;
    s->urgent = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void
sq_syncer_stop(struct sq_syncer *s)
{
    if (!s->running)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    /* What the last interval committed reaches the disk now. */
    if (s->pending)
        sync_once(s);
    sqlite3_close_v2(s->db);
    s->db = NULL;
    s->running = 0;
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
}
