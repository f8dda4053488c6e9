/* Fuzzy search over the indexed identities (email, phone, login, custom)
 * without a plaintext index: each normalized value is cut into padded
 * trigrams, and only a keyed 64-bit hash of each trigram is stored (HMAC
 * with a search key derived from the master key, bound to tenant and kind).
 * A search hashes the query's trigrams the same way, takes the users sharing
 * the most of its rarest ones (store/access.h, gram_match), decrypts only
 * those and ranks them by edit distance. */
#ifndef BK_SEARCH_H
#define BK_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctx.h"

#define SEARCH_VALUE_MAX 256      /* bytes of a value that are indexed and compared */
#define SEARCH_CANDIDATES 32      /* users decrypted per search: twice the caller's limit, */
#define SEARCH_CANDIDATES_MAX 128 /* at least SEARCH_CANDIDATES, at most this */
#define SEARCH_MIN_SCORE 0.66     /* similarity below which a candidate is dropped */
#define SEARCH_GRAM_COMMON 2000   /* users holding a gram that make it too common to count */
#define SEARCH_GRAM_RAREST 8      /* grams counted per search, the rarest of the query's */

/* Keep the n-grams of <user_id> equal to its profile <after> (NULL: none),
 * given they were built from <before> (NULL: none); kinds whose value did not
 * change are left alone. Runs inside the caller's write transaction. */
enum bk_err search_index_update(struct ctx *c, int64_t user_id, const json_t *before,
                                const json_t *after);

/* Delete the n-grams of the user <row> (being forgotten), named by its
 * profile; one that does not open has its postings found by a scan. */
enum bk_err search_forget_user(struct ctx *c, const struct user_row *row);

/* The n-grams of <n> new users, built (keyed hashes, in index order) before
 * the write transaction; search_batch_insert() stores them for the users
 * <user_ids> (in the order of <profiles>) inside it, as search_index_update()
 * with no <before> would. */
struct search_batch;
enum bk_err search_batch_build(struct ctx *c, const json_t *const *profiles, size_t n,
                               struct search_batch **out);
enum bk_err search_batch_insert(struct ctx *c, const struct search_batch *b,
                                const int64_t *user_ids);
void search_batch_free(struct search_batch *b);

/* Pending postings (store/access.h): creates write them, the merger moves
 * them into the index. search_merge() moves at most <max_rows> pending rows
 * of c->tenant in one write transaction; *moved says how many. */
#define SEARCH_PENDING_HARD_CAP 16  /* times search.merge_users pending rows: a search
                                       merges them first */
enum bk_err search_merge(struct ctx *c, int64_t max_rows, size_t *moved);
/* Merge every tenant whose pending rows are due (search.merge_users,
 * search.merge_after_ms). */
enum bk_err search_merge_due(const struct app *app);
/* The merger thread: woken by creates (search_merger_note(), <m> may be
 * NULL), and every MERGE_POLL_MS to merge what is due. */
struct search_merger;
enum bk_err search_merger_start(const struct app *app, struct search_merger **out);
void search_merger_note(struct search_merger *m, size_t users);
void search_merger_stop(struct search_merger *m);

/* The kind (INDEX_EMAIL, INDEX_PHONE, INDEX_LOGIN) a query without a mode
 * means: '@' is email, only digits and "+-() ." is phone, else login. */
int search_infer_kind(const char *s, size_t len);

/* The search form of a value: ASCII lower-cased and trimmed; phone numbers
 * reduced to their digits. Writes at most SEARCH_VALUE_MAX bytes and a NUL
 * into <out>; returns the length (0: nothing to index). */
size_t search_normalize(int kind, const char *in, size_t len, char *out);

/* Similarity in [0, 1] of query <q> to value <v> (both normalized): the best
 * of the whole-string edit similarity and, slightly discounted, the best
 * match of <q> inside <v> (typed prefixes and parts). */
double search_similarity(const char *q, size_t qlen, const char *v, size_t vlen);

/* One hit: the row, its profile as the caller may see it, and its score. */
typedef enum bk_err (*search_hit_fn)(void *arg, const struct user_row *row,
                                     const json_t *profile, double score);

/* Users whose <kind> value is like <identity>, best first, at most <limit>;
 * kind 0: inferred. Users the caller may not see are skipped. BK_EINVAL for
 * an empty query. Writes one audit event (without the query). */
enum bk_err search_users(struct ctx *c, int kind, const char *identity, size_t len,
                         size_t limit, search_hit_fn fn, void *arg);

#endif
