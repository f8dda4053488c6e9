/* The built-in web UI: files from ui/ compiled into the binary (see
 * CMakeLists.txt bk_embed_ui), looked up by exact path. Nothing is read from
 * the file system, so no request path can reach outside ui/. */
#ifndef BK_STATIC_H
#define BK_STATIC_H

#include <stddef.h>

struct static_file {
    const char *path;            /* "/index.html" */
    const unsigned char *data;   /* NUL-terminated copy of the file's bytes */
    size_t len;
};

/* The generated table, terminated by a NULL path. */
extern const struct static_file static_files[];

/* 1 when <method> <path> is for the UI rather than the API: GET or HEAD on a
 * path outside /v1/ and /v2/ that no API route claims (the caller decides the
 * last part). */
int static_is_ui_request(const char *method, const char *path);

/* The file to answer for <path> (the raw request path): "/" is index.html,
 * and so are the app's entry routes /admin[/...] and /portal[/...]; anything
 * else must match a file exactly. NULL: not a UI file (the API layer answers
 * its JSON 404). Paths with "..", "//", percent escapes or backslashes never
 * match. */
const struct static_file *static_find(const char *path);

/* The Content-Type for <path>, from its extension; never NULL. */
const char *static_content_type(const char *path);

/* Write into <out> (<n> bytes) the Content-Security-Policy for UI pages:
 * default-src 'self', frame-ancestors 'none', plus the origins of <logo_link>
 * (img-src) and <css_link> (style-src) when they are absolute http(s) URLs.
 * Either may be NULL. */
void static_csp(const char *logo_link, const char *css_link, char *out, size_t n);

#endif
