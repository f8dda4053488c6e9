/* Path matching by segments. Literal segments compare byte for byte; {name}
 * segments capture one decoded, non-empty-or-empty segment each. */
#include "route.h"

#include <string.h>

#include "../base/mem.h"
#include "codec.h"

struct seg {
    const char *p;
    size_t n;
};

/* Split <path> into segments; -1 when there are too many. */
static int
split(const char *path, size_t len, struct seg *out, int max)
{
    int n = 0;
    size_t i = 0;

    if (len == 0 || path[0] != '/')
        return -1;
    i = 1;
    if (len == 1)
        return 0;
    while (i <= len) {
        size_t start = i;

        while (i < len && path[i] != '/')
            i++;
        if (n == max)
            return -1;
        out[n].p = path + start;
        out[n].n = i - start;
        n++;
        i++;
    }
    return n;
}

static int
pattern_matches(const char *pattern, const struct seg *segs, int nsegs)
{
    struct seg pat[ROUTE_MAX_SEGMENTS];
    int np = split(pattern, strlen(pattern), pat, ROUTE_MAX_SEGMENTS);

    if (np != nsegs)
        return 0;
    for (int i = 0; i < np; i++) {
        if (pat[i].n > 0 && pat[i].p[0] == '{')
            continue;
        if (pat[i].n != segs[i].n || memcmp(pat[i].p, segs[i].p, pat[i].n) != 0)
            return 0;
    }
    return 1;
}

void
route_match_cleanup(struct route_match *m)
{
    for (int i = 0; i < m->nparams; i++) {
        mem_free(m->param[i]);
        m->param[i] = NULL;
    }
    m->nparams = 0;
}

static enum route_result
capture(const char *pattern, const struct seg *segs, struct route_match *out)
{
    struct seg pat[ROUTE_MAX_SEGMENTS];
    int np = split(pattern, strlen(pattern), pat, ROUTE_MAX_SEGMENTS);

    for (int i = 0; i < np; i++) {
        char *dec;
        size_t dec_len = 0;

        if (!(pat[i].n > 0 && pat[i].p[0] == '{'))
            continue;
        if (out->nparams == ROUTE_MAX_PARAMS || segs[i].n > ROUTE_PARAM_MAX * 3)
            return ROUTE_BAD_PATH;
        dec = mem_alloc(segs[i].n + 1);
        if (dec == NULL)
            return ROUTE_NO_MEMORY;
        if (codec_percent_decode(segs[i].p, segs[i].n, 0, dec, &dec_len) != BK_OK ||
            dec_len > ROUTE_PARAM_MAX) {
            mem_free(dec);
            return ROUTE_BAD_PATH;
        }
        out->param[out->nparams] = dec;
        out->param_len[out->nparams] = dec_len;
        out->nparams++;
    }
    return ROUTE_FOUND;
}

enum route_result
route_find(const struct route *routes, const char *method, const char *path,
           struct route_match *out)
{
    struct seg segs[ROUTE_MAX_SEGMENTS];
    size_t len = strlen(path);
    int nsegs, path_seen = 0;
    enum route_result res;

    memset(out, 0, sizeof *out);
    if (len > 1 && path[len - 1] == '/')
        len--;
    nsegs = split(path, len, segs, ROUTE_MAX_SEGMENTS);
    if (nsegs < 0)
        return ROUTE_NO_PATH;
    for (const struct route *r = routes; r->method != NULL; r++) {
        if (!pattern_matches(r->pattern, segs, nsegs))
            continue;
        path_seen = 1;
        if (strcmp(r->method, method) != 0)
            continue;
        out->route = r;
        res = capture(r->pattern, segs, out);
        if (res != ROUTE_FOUND) {
            route_match_cleanup(out);
            out->route = NULL;
            return res;
        }
        return ROUTE_FOUND;
    }
    return path_seen ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}
