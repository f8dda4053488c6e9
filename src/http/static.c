/* Lookup of the embedded UI files and the headers that go with them. Pure
 * functions over the generated table; the transport sends the bytes. */
#include "static.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ORIGIN_MAX 200

int
static_is_ui_request(const char *method, const char *path)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return 0;
    if (path[0] != '/')
        return 0;
    if (strncmp(path, "/v1/", 4) == 0 || strncmp(path, "/v2/", 4) == 0 ||
        strcmp(path, "/v1") == 0 || strcmp(path, "/v2") == 0)
        return 0;
    return 1;
}

static const struct static_file *
lookup(const char *path)
{
    for (size_t i = 0; static_files[i].path != NULL; i++) {
        if (strcmp(static_files[i].path, path) == 0)
            return &static_files[i];
    }
    return NULL;
}

const struct static_file *
static_find(const char *path)
{
    static const char *const app_routes[] = { "/admin", "/portal", NULL };

    if (path == NULL || path[0] != '/' || strstr(path, "..") != NULL ||
        strchr(path, '%') != NULL || strchr(path, '\\') != NULL || strstr(path, "//") != NULL)
        return NULL;
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
        return lookup("/index.html");
    for (size_t i = 0; app_routes[i] != NULL; i++) {
        size_t n = strlen(app_routes[i]);

        if (strncmp(path, app_routes[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return lookup("/index.html");
    }
    return lookup(path);
}

const char *
static_content_type(const char *path)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        { ".html", "text/html; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".mjs", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
        { ".ico", "image/x-icon" },
        { ".json", "application/json; charset=utf-8" },
        { ".txt", "text/plain; charset=utf-8" },
        { ".woff2", "font/woff2" },
    };
    const char *dot = strrchr(path, '.');

    if (dot != NULL && strchr(dot, '/') == NULL) {
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            if (strcasecmp(dot, types[i].ext) == 0)
                return types[i].type;
        }
    }
    return "application/octet-stream";
}

/* The scheme://host[:port] of an absolute http(s) URL, into <out>; "" when
 * <url> is not one or holds characters a policy must not carry. */
static void
origin_of(const char *url, char *out, size_t n)
{
    const char *p, *end;
    size_t len;

    out[0] = '\0';
    if (url == NULL)
        return;
    if (strncmp(url, "https://", 8) == 0)
        p = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        p = url + 7;
    else
        return;
    end = p + strcspn(p, "/?#");
    if (end == p)
        return;
    for (const char *q = p; q < end; q++) {
        char ch = *q;

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '-' || ch == ':'))
            return;
    }
    len = (size_t)(end - url);
    if (len >= n || len >= ORIGIN_MAX)
        return;
    memcpy(out, url, len);
    out[len] = '\0';
}

void
static_csp(const char *logo_link, const char *css_link, char *out, size_t n)
{
    char img[ORIGIN_MAX + 1], css[ORIGIN_MAX + 1];

    origin_of(logo_link, img, sizeof img);
    origin_of(css_link, css, sizeof css);
    snprintf(out, n,
             "default-src 'self'; img-src 'self' data:%s%s; style-src 'self'%s%s; "
             "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
             img[0] ? " " : "", img, css[0] ? " " : "", css);
}
