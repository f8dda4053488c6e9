/* The read journal (SQLite only): the audit events of calls that changed
 * nothing (audit_write_alone(): UserGet and the other reads) are appended,
 * sealed and given their atoken, to a plain file beside the database instead
 * of each taking part in a SQLite transaction, and are imported into the
 * audit table in big batches.
 *
 * Files. <db>.journal is a lock file (flock, held by the one process that
 * owns the journal); the events are in <db>.journal.<gen>, appended to the
 * newest generation only, mode 0600. A record is a magic number, the
 * payload's length, a CRC-32 of the payload, and the payload (the audit row
 * without its chain hashes; the personal parts are sealed under the user's
 * data key as in the table). A record that does not check (a write torn by a
 * crash) is skipped when the files are read back, never imported half.
 *
 * Acknowledged = recorded. journal_append() returns BK_OK only once the
 * record is written whole (a failed or short write is cut off again and
 * fails the call); the journal is fdatasync'd within database.lazy_sync_ms
 * (with 0, before journal_append() returns, one sync shared by concurrent
 * appends), like a lazy commit. While imports keep failing, at most
 * JOURNAL_PENDING_MAX events wait; past that reads fail (BK_EUNAVAIL).
 *
 * Pending events. Every appended event is also kept in memory, in order,
 * until an import has made it durable in the database. Each is FREE (in no
 * transaction), TAKEN (inserted by a transaction whose outcome is not known
 * here: after a rollback it is not in the table) or COMMITTED (known to be in
 * the table, not yet known to be fsync'd). States change only under <take>,
 * which is taken by writers inside their write transaction (SQLite runs one
 * at a time), so whoever holds it sees the table as those states describe.
 * An import walks the pending events in order: a FREE one is inserted, a
 * TAKEN one is looked up by its atoken (the column is unique) and inserted
 * when it is missing, a COMMITTED one is skipped; the inserts are one chain
 * run and one head move per tenant, as the queue writes them.
 *
 * Order. audit_write() (inside every write transaction) first imports every
 * pending event into that same transaction, so an event journaled before a
 * write's own event is chained before it, and commits or rolls back with it
 * (TAKEN covers both outcomes).
 *
 * Back-pressure. What no write has taken yet (FREE events) is what the next
 * write inserts inside its own transaction, under the one write lock; reads
 * are many threads and the lock holder one, so an unbounded backlog starves
 * writes. While a request's write waits for the write lock
 * (store_writers_waiting(), which leaves out the server's own writers of
 * ctx_background(): the importer, the sweeper, the merger), an append
 * therefore waits for a take once JOURNAL_FREE_WRITERS events are FREE;
 * never when its caller holds the write lock, without the importer running,
 * while imports fail, or longer than JOURNAL_WAIT_MAX_MS. The waiting writer
 * holds its store connection already, so appenders waiting with theirs
 * cannot keep it from its take.
 *
 * Visibility. journal_settle() imports pending events in a lazy write
 * transaction of its own (marking them COMMITTED once it commits); readers
 * of the audit table call it first (listings, AuditGet, bulk audit listing,
 * backup); a reader inside a write transaction (the user report) calls
 * journal_take(). An import drops the events of a tenant that no longer
 * exists (deleted: its trail went with it), so a tenant delete needs nothing
 * more, and a file read back after a crash brings none of them back.
 *
 * Batching and retiring files. A thread imports when the journal holds
 * JOURNAL_IMPORT_EVENTS events or its oldest is database.journal_import_ms old: it
 * starts a new generation (appends never wait for the import), imports every
 * pending event in one durable transaction, then drops those events from
 * memory and unlinks the files that hold no pending event any more. At
 * start the files left by a crash are read back with every event TAKEN
 * (imported at most once, thanks to the lookup) and imported before the
 * server answers. */
#ifndef BK_JOURNAL_H
#define BK_JOURNAL_H

#include <stddef.h>

#include "../base/err.h"
#include "../store/store.h"
#include "ctx.h"

struct journal;

/* Open the journal beside the SQLite database <db_path>: take its lock, read
 * back what earlier runs left, and open a new generation to append to.
 * <sync_ms> is database.lazy_sync_ms. BK_ECONFLICT when another process holds
 * the journal. Nothing is imported yet: journal_import() does that. */
enum bk_err journal_open(const char *db_path, unsigned sync_ms, unsigned import_ms,
                         struct journal **out);
/* Appends wait for the importer while <events> or more wait to be imported and
 * an import is running (database.journal_backlog; 0: never), so reads slow down
 * to the importer's pace instead of being refused past 100,000 waiting events. */
void journal_set_backlog(struct journal *j, size_t events);

/* Import every pending event durably, in one transaction on a connection of
 * <app>'s store, and drop what is done (at start, before serving; and at the
 * end). */
enum bk_err journal_import(struct journal *j, const struct app *app);

/* Start and stop the thread that imports in the background and syncs the
 * file; journal_stop() also imports what is left. */
enum bk_err journal_start(struct journal *j, const struct app *app);
void journal_stop(struct journal *j);

/* Close the files and free the pending events (not imported: the files keep
 * them for the next run). NULL is fine. */
void journal_close(struct journal *j);

/* How many events are pending (not yet durable in the database). */
size_t journal_pending(struct journal *j);

/* Append the sealed event <row> (all but its chain hashes); on BK_OK the
 * journal owns row->sealed (set to NULL here). Thread-safe. While too many
 * events wait to be taken by a write (see "Back-pressure" in journal.c), it
 * first waits for a take, unless <db> (the caller's connection; NULL: none)
 * holds the write lock. */
enum bk_err journal_append(struct journal *j, const struct store_conn *db,
                           struct audit_row *row);

/* Within the open write transaction of <c>: insert every pending event not in
 * the table yet. A failure must fail the transaction. No journal: BK_OK. */
enum bk_err journal_take(struct ctx *c);

/* Outside any transaction: make every journaled event visible in the audit
 * table (one lazy write transaction, only when something is pending). */
enum bk_err journal_settle(struct ctx *c);

#endif
