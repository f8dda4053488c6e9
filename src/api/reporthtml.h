/* The user report (core/report.h) as a self-contained HTML page. Any JSON
 * shape renders (objects as tables, arrays as lists), so a section a family
 * adds appears without changes here. Every text is HTML-escaped. */
#ifndef BK_REPORTHTML_H
#define BK_REPORTHTML_H

#include <stddef.h>

#include <jansson.h>

#include "../base/err.h"

/* A new NUL-terminated page in *out (mem_free()), its length in *out_len. */
enum bk_err reporthtml_render(const json_t *report, char **out, size_t *out_len);

#endif
