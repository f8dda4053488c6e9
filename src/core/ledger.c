/* Erasure ledger file: one line per forgotten user,
 *     E1 <tenant> <token> <unix time> <hmac hex>\n
 * where the HMAC covers the previous line's HMAC (zeros for the first) and
 * this line's text before the HMAC. Appends are written with one write() on
 * an O_APPEND descriptor and made durable with fdatasync(). */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fsdir.h"
#include "../base/hex.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../vault/kdf.h"
#include "../vault/secbuf.h"

#define LINE_MAX_BYTES 256

struct entry {
    int64_t tenant;
    int64_t when;
    char token[37];
};

struct ledger {
    pthread_mutex_t lock;
    int fd;
    int broken;                     /* a failed append could not be undone */
    off_t size;                     /* bytes of complete, verified lines */
    uint8_t key[KDF_HASH_LEN];
    uint8_t last_mac[KDF_HASH_LEN];
    struct entry *entries;
    size_t n;
};

static enum bk_err
line_mac(const struct ledger *l, const char *text, size_t len, uint8_t out[KDF_HASH_LEN])
{
    uint8_t msg[KDF_HASH_LEN + LINE_MAX_BYTES];

    if (len > LINE_MAX_BYTES)
        return BK_EINVAL;
    memcpy(msg, l->last_mac, KDF_HASH_LEN);
    memcpy(msg + KDF_HASH_LEN, text, len);
    return kdf_hmac(l->key, sizeof l->key, msg, KDF_HASH_LEN + len, out);
}

/* A strict decimal integer, optionally negative, of <len> bytes. */
static int
parse_i64(const char *s, size_t len, int64_t *out)
{
    char buf[24];
    char *end = NULL;
    long long v;

    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    for (size_t i = buf[0] == '-' ? 1 : 0; i < len; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return 0;
    }
    errno = 0;
    v = strtoll(buf, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    *out = (int64_t)v;
    return 1;
}

/* Check and take one complete line (without its newline). */
static enum bk_err
take_line(struct ledger *l, const char *line, size_t len)
{
    const char *f[5];
    size_t flen[5], nf = 0, i = 0;
    uint8_t mac[KDF_HASH_LEN], want[KDF_HASH_LEN];
    size_t mac_len = 0;
    struct entry e;
    struct entry *grown;

    while (i < len && nf < 5) {
        size_t start = i;

        while (i < len && line[i] != ' ')
            i++;
        f[nf] = line + start;
        flen[nf++] = i - start;
        i++;
    }
    if (nf != 5 || i < len || flen[0] != 2 || memcmp(f[0], "E1", 2) != 0 || flen[2] != 36 ||
        !parse_i64(f[1], flen[1], &e.tenant) || !parse_i64(f[3], flen[3], &e.when) ||
        flen[4] != 2 * KDF_HASH_LEN ||
        hex_decode(f[4], flen[4], mac, sizeof mac, &mac_len) != BK_OK || mac_len != KDF_HASH_LEN)
        return BK_ECORRUPT;
    if (line_mac(l, line, (size_t)(f[4] - line), want) != BK_OK ||
        !secbuf_equal(want, mac, KDF_HASH_LEN))
        return BK_ECORRUPT;
    memcpy(e.token, f[2], 36);
    e.token[36] = '\0';
    grown = mem_realloc(l->entries, (l->n + 1) * sizeof *grown);
    if (grown == NULL)
        return BK_ENOMEM;
    l->entries = grown;
    l->entries[l->n++] = e;
    memcpy(l->last_mac, mac, KDF_HASH_LEN);
    return BK_OK;
}

static enum bk_err
load(struct ledger *l)
{
    char buf[4096], line[LINE_MAX_BYTES + 1];
    size_t ll = 0;
    off_t done = 0;
    ssize_t got;
    enum bk_err err = BK_OK;

    while ((got = read(l->fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] != '\n') {
                if (ll == LINE_MAX_BYTES)
                    return BK_ECORRUPT;
                line[ll++] = buf[i];
                continue;
            }
            err = take_line(l, line, ll);
            if (err != BK_OK)
                return err;
            done += (off_t)ll + 1;
            ll = 0;
        }
    }
    if (got < 0)
        return BK_EUNAVAIL;
    l->size = done;
    if (ll > 0) {
        /* torn tail: an append that never completed, so was never acknowledged */
        LOG_WARN(NULL, "ledger", "cutting an incomplete last line (%zu bytes)", ll);
        if (ftruncate(l->fd, done) != 0 || fdatasync(l->fd) != 0)
            return BK_EUNAVAIL;
    }
    return BK_OK;
}

enum bk_err
ledger_open(const char *path, const struct vault *v, struct ledger **out)
{
    static const char label[] = "databunker erasure ledger v1";
    struct ledger *l;
    struct stat st;
    int existed = stat(path, &st) == 0;
    enum bk_err err;

    *out = NULL;
    l = mem_calloc(1, sizeof *l);
    if (l == NULL)
        return BK_ENOMEM;
    pthread_mutex_init(&l->lock, NULL);
    l->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (l->fd < 0) {
        LOG_ERR(NULL, "ledger", "cannot open the erasure ledger: %s", strerror(errno));
        ledger_close(l);
        return BK_EUNAVAIL;
    }
    if (!existed)
        fsdir_sync_parent(path);
    err = kdf_hmac(v->audit_key, KEYS_LEN, label, sizeof label - 1, l->key);
    if (err == BK_OK)
        err = load(l);
    if (err != BK_OK) {
        ledger_close(l);
        return err;
    }
    *out = l;
    return BK_OK;
}

void
ledger_close(struct ledger *l)
{
    if (l == NULL)
        return;
    if (l->fd >= 0)
        close(l->fd);
    secbuf_wipe(l->key, sizeof l->key);
    pthread_mutex_destroy(&l->lock);
    mem_free(l->entries);
    mem_free(l);
}

enum bk_err
ledger_append(struct ledger *l, int64_t tenant, const char *token, int64_t when)
{
    char line[LINE_MAX_BYTES + 2 * KDF_HASH_LEN + 2];
    uint8_t mac[KDF_HASH_LEN];
    int n;
    ssize_t w;
    enum bk_err err;

    if (strlen(token) != 36)
        return BK_EINVAL;
    pthread_mutex_lock(&l->lock);
    if (l->broken) {
        err = BK_EUNAVAIL;
        goto out;
    }
    n = snprintf(line, sizeof line, "E1 %lld %s %lld ", (long long)tenant, token,
                 (long long)when);
    if (n < 0 || (size_t)n > LINE_MAX_BYTES) {
        err = BK_EINTERNAL;
        goto out;
    }
    err = line_mac(l, line, (size_t)n, mac);
    if (err != BK_OK)
        goto out;
    hex_encode(mac, sizeof mac, line + n);
    n += 2 * KDF_HASH_LEN;
    line[n++] = '\n';
    w = write(l->fd, line, (size_t)n);
    if (w != n || fdatasync(l->fd) != 0) {
        LOG_ERR(NULL, "ledger", "cannot append to the erasure ledger: %s",
                w < 0 ? strerror(errno) : "short write or failed sync");
        /* take back whatever reached the file; if that fails, stop appending */
        if (ftruncate(l->fd, l->size) != 0 || fdatasync(l->fd) != 0)
            l->broken = 1;
        err = BK_EUNAVAIL;
        goto out;
    }
    l->size += n;
    memcpy(l->last_mac, mac, KDF_HASH_LEN);
    err = BK_OK;
out:
    pthread_mutex_unlock(&l->lock);
    return err;
}

enum bk_err
ledger_each(const struct ledger *l, ledger_fn fn, void *arg)
{
    for (size_t i = 0; i < l->n; i++) {
        enum bk_err err = fn(arg, l->entries[i].tenant, l->entries[i].token, l->entries[i].when);
        if (err != BK_OK)
            return err;
    }
    return BK_OK;
}

size_t
ledger_count(const struct ledger *l)
{
    return l->n;
}
