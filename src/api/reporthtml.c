/* JSON to HTML for the user report. Nesting is bounded by the request limits
 * the report was built from, plus the report's own few levels. */
#include "reporthtml.h"

#include <stdio.h>
#include <string.h>

#include "../base/buf.h"

#define HTML_MAX_BYTES ((size_t)256 << 20)
#define HTML_MAX_DEPTH 64

static enum bk_err
esc(struct buf *b, const char *s, size_t n)
{
    enum bk_err err = BK_OK;

    for (size_t i = 0; i < n && err == BK_OK; i++) {
        switch (s[i]) {
        case '&': err = buf_append_str(b, "&amp;"); break;
        case '<': err = buf_append_str(b, "&lt;"); break;
        case '>': err = buf_append_str(b, "&gt;"); break;
        case '"': err = buf_append_str(b, "&quot;"); break;
        case '\'': err = buf_append_str(b, "&#39;"); break;
        default: err = buf_append(b, &s[i], 1); break;
        }
    }
    return err;
}

static enum bk_err
value(struct buf *b, const json_t *v, int depth)
{
    enum bk_err err = BK_OK;
    const char *key;
    json_t *item;
    size_t i;
    char num[64];

    if (depth > HTML_MAX_DEPTH)
        return buf_append_str(b, "&hellip;");
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        err = buf_append_str(b, "<table>\n");
        json_object_foreach((json_t *)v, key, item) {
            if (err == BK_OK)
                err = buf_append_str(b, "<tr><th>");
            if (err == BK_OK)
                err = esc(b, key, strlen(key));
            if (err == BK_OK)
                err = buf_append_str(b, "</th><td>");
            if (err == BK_OK)
                err = value(b, item, depth + 1);
            if (err == BK_OK)
                err = buf_append_str(b, "</td></tr>\n");
        }
        return err == BK_OK ? buf_append_str(b, "</table>") : err;
    case JSON_ARRAY:
        if (json_array_size(v) == 0)
            return buf_append_str(b, "<em>none</em>");
        err = buf_append_str(b, "<ol>\n");
        json_array_foreach(v, i, item) {
            if (err == BK_OK)
                err = buf_append_str(b, "<li>");
            if (err == BK_OK)
                err = value(b, item, depth + 1);
            if (err == BK_OK)
                err = buf_append_str(b, "</li>\n");
        }
        return err == BK_OK ? buf_append_str(b, "</ol>") : err;
    case JSON_STRING:
        return esc(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return buf_printf(b, "%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        return buf_append_str(b, num);
    case JSON_TRUE:
        return buf_append_str(b, "true");
    case JSON_FALSE:
        return buf_append_str(b, "false");
    case JSON_NULL:
        return buf_append_str(b, "<em>null</em>");
    }
    return BK_OK;
}

enum bk_err
reporthtml_render(const json_t *report, char **out, size_t *out_len)
{
    struct buf b;
    const char *key;
    json_t *item;
    enum bk_err err;

    *out = NULL;
    *out_len = 0;
    buf_init(&b, HTML_MAX_BYTES);
    err = buf_append_str(&b,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<title>Personal data report</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
        "</style></head>\n<body>\n<h1>Personal data report</h1>\n");
    /* scalar members first (token, times), then one heading per section */
    if (err == BK_OK)
        err = buf_append_str(&b, "<table>\n");
    json_object_foreach((json_t *)report, key, item) {
        if (err != BK_OK || json_is_object(item) || json_is_array(item))
            continue;
        err = buf_append_str(&b, "<tr><th>");
        if (err == BK_OK)
            err = esc(&b, key, strlen(key));
        if (err == BK_OK)
            err = buf_append_str(&b, "</th><td>");
        if (err == BK_OK)
            err = value(&b, item, 1);
        if (err == BK_OK)
            err = buf_append_str(&b, "</td></tr>\n");
    }
    if (err == BK_OK)
        err = buf_append_str(&b, "</table>\n");
    json_object_foreach((json_t *)report, key, item) {
        if (err != BK_OK || !(json_is_object(item) || json_is_array(item)))
            continue;
        err = buf_append_str(&b, "<h2>");
        if (err == BK_OK)
            err = esc(&b, key, strlen(key));
        if (err == BK_OK)
            err = buf_append_str(&b, "</h2>\n");
        if (err == BK_OK)
            err = value(&b, item, 1);
        if (err == BK_OK)
            err = buf_append_str(&b, "\n");
    }
    if (err == BK_OK)
        err = buf_append_str(&b, "</body></html>\n");
    if (err != BK_OK) {
        buf_cleanup(&b);
        return err;
    }
    *out = buf_steal(&b, out_len);
    return *out ? BK_OK : BK_ENOMEM;
}
