/* libcurl senders. A job owns copies of the address and the code; the
 * configuration is borrowed (it lives as long as the process). Secrets and
 * addresses are never logged. */
#include "sendcode.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "../base/buf.h"
#include "../base/log.h"
#include "../base/mem.h"
#include "../vault/secbuf.h"

#define IN_FLIGHT_MAX 32
#define SEND_TIMEOUT_S 20L
#define MSG_MAX 4096

enum channel { CH_EMAIL = 1, CH_SMS = 2 };

struct job {
    enum channel ch;
    const struct conf *conf;
    char *to;
    char code[16];
};

static pthread_mutex_t flight_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned in_flight;

enum bk_err
sendcode_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? BK_OK : BK_EINTERNAL;
}

/* The bare address of a sender written as "Name <addr>" or "addr". */
static void
bare_address(const char *s, char *out, size_t n)
{
    const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;

    if (lt != NULL && gt != NULL && (size_t)(gt - lt) < n)
        snprintf(out, n, "<%.*s>", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(out, n, "<%s>", s);
}

struct upload {
    const char *p;
    size_t left;
};

static size_t
read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nmemb;

    if (n > u->left)
        n = u->left;
    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static size_t
discard_cb(char *p, size_t size, size_t nmemb, void *arg)
{
    (void)p, (void)arg;
    return size * nmemb;
}

static void
send_email(const struct job *j)
{
    const struct conf *cf = j->conf;
    struct curl_slist *rcpt = NULL;
    struct buf msg, url;
    struct upload up;
    char from[320], to[320], date[64];
    time_t now = time(NULL);
    struct tm tm;
    CURL *h = NULL;
    CURLcode rc;

    buf_init(&msg, MSG_MAX);
    buf_init(&url, 1024);
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    bare_address(cf->smtp.sender ? cf->smtp.sender : "databunker@localhost", from, sizeof from);
    snprintf(to, sizeof to, "<%s>", j->to);
    if (buf_printf(&url, "%s://%s:%d", cf->smtp.port == 465 ? "smtps" : "smtp", cf->smtp.server,
                   cf->smtp.port) != BK_OK ||
        buf_printf(&msg,
                   "Date: %s\r\nTo: %s\r\nFrom: %s\r\nSubject: Your login code\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                   "Your login code is %s\r\n\r\nIt is valid for %u minutes. If you did not ask "
                   "for it, ignore this message.\r\n",
                   date, to, cf->smtp.sender ? cf->smtp.sender : from, j->code,
                   (cf->login.code_ttl_s + 59) / 60) != BK_OK)
        goto out;
    h = curl_easy_init();
    rcpt = curl_slist_append(NULL, to);
    if (h == NULL || rcpt == NULL)
        goto out;
    up.p = msg.ptr;
    up.left = msg.len;
    curl_easy_setopt(h, CURLOPT_URL, url.ptr);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, SEND_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USE_SSL, cf->smtp.require_tls ? (long)CURLUSESSL_ALL
                                                              : (long)CURLUSESSL_TRY);
    if (cf->smtp.user != NULL)
        curl_easy_setopt(h, CURLOPT_USERNAME, cf->smtp.user);
    if (cf->smtp.pass != NULL)
        curl_easy_setopt(h, CURLOPT_PASSWORD, cf->smtp.pass);
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK)
        LOG_WARN(NULL, "sendcode", "email not sent: %s", curl_easy_strerror(rc));
    else
        LOG_INFO(NULL, "sendcode", "login code sent by email");
out:
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    secbuf_wipe(msg.ptr, msg.len);
    buf_cleanup(&msg);
    buf_cleanup(&url);
}

/* <tpl> with {phone}, {code} and {from} replaced; <escape> URL-encodes them. */
static enum bk_err
expand(CURL *h, const char *tpl, const struct job *j, int escape, struct buf *out)
{
    const char *from = j->conf->sms.from ? j->conf->sms.from : "";
    enum bk_err err = BK_OK;

    while (*tpl != '\0' && err == BK_OK) {
        const char *val = NULL;
        size_t skip = 0;

        if (strncmp(tpl, "{phone}", 7) == 0) {
            val = j->to;
            skip = 7;
        } else if (strncmp(tpl, "{code}", 6) == 0) {
            val = j->code;
            skip = 6;
        } else if (strncmp(tpl, "{from}", 6) == 0) {
            val = from;
            skip = 6;
        }
        if (val == NULL) {
            err = buf_append(out, tpl, 1);
            tpl++;
            continue;
        }
        if (escape) {
            char *e = curl_easy_escape(h, val, 0);

            err = e ? buf_append_str(out, e) : BK_ENOMEM;
            curl_free(e);
        } else {
            err = buf_append_str(out, val);
        }
        tpl += skip;
    }
    return err;
}

static void
send_sms(const struct job *j)
{
    static const char dflt_body[] =
        "{\"to\":\"{phone}\",\"from\":\"{from}\",\"text\":\"Your login code is {code}\"}";
    const struct conf *cf = j->conf;
    struct curl_slist *hdrs = NULL;
    struct buf url, body, line;
    CURL *h = curl_easy_init();
    long status = 0;
    CURLcode rc;

    buf_init(&url, 4096);
    buf_init(&body, MSG_MAX);
    buf_init(&line, 4096);
    if (h == NULL)
        goto out;
    if (expand(h, cf->sms.url, j, 1, &url) != BK_OK ||
        expand(h, cf->sms.body ? cf->sms.body : dflt_body, j, 0, &body) != BK_OK)
        goto out;
    if (buf_printf(&line, "Content-Type: %s",
                   cf->sms.content_type ? cf->sms.content_type : "application/json") != BK_OK)
        goto out;
    hdrs = curl_slist_append(hdrs, line.ptr);
    if (cf->sms.token != NULL) {
        buf_cleanup(&line);
        buf_init(&line, 4096);
        if (buf_printf(&line, "Authorization: Bearer %s", cf->sms.token) != BK_OK)
            goto out;
        hdrs = curl_slist_append(hdrs, line.ptr);
    }
    if (cf->sms.custom_header != NULL)
        hdrs = curl_slist_append(hdrs, cf->sms.custom_header);
    if (hdrs == NULL)
        goto out;
    curl_easy_setopt(h, CURLOPT_URL, url.ptr);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.ptr ? body.ptr : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body.len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, SEND_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (cf->sms.basic_auth != NULL) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERPWD, cf->sms.basic_auth);
    }
    rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK)
        LOG_WARN(NULL, "sendcode", "SMS not sent: %s", curl_easy_strerror(rc));
    else if (status < 200 || status > 299)
        LOG_WARN(NULL, "sendcode", "SMS gateway answered %ld", status);
    else
        LOG_INFO(NULL, "sendcode", "login code sent by SMS");
out:
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    secbuf_wipe(body.ptr, body.len);
    secbuf_wipe(url.ptr, url.len);
    buf_cleanup(&url);
    buf_cleanup(&body);
    buf_cleanup(&line);
}

static void *
run(void *arg)
{
    struct job *j = arg;

    if (j->ch == CH_EMAIL)
        send_email(j);
    else
        send_sms(j);
    secbuf_wipe(j->code, sizeof j->code);
    mem_free(j->to);
    mem_free(j);
    pthread_mutex_lock(&flight_lock);
    in_flight--;
    pthread_mutex_unlock(&flight_lock);
    return NULL;
}

static enum bk_err
start(enum channel ch, const struct conf *conf, const char *to, const char *code)
{
    pthread_attr_t attr;
    pthread_t t;
    struct job *j;
    int ok;

    if (strlen(code) >= sizeof j->code)
        return BK_EINVAL;
    pthread_mutex_lock(&flight_lock);
    ok = in_flight < IN_FLIGHT_MAX;
    if (ok)
        in_flight++;
    pthread_mutex_unlock(&flight_lock);
    if (!ok)
        return BK_ELIMIT;
    j = mem_calloc(1, sizeof *j);
    if (j != NULL)
        j->to = mem_strdup(to);
    if (j == NULL || j->to == NULL)
        goto fail;
    j->ch = ch;
    j->conf = conf;
    snprintf(j->code, sizeof j->code, "%s", code);
    if (pthread_attr_init(&attr) != 0)
        goto fail;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    ok = pthread_create(&t, &attr, run, j) == 0;
    pthread_attr_destroy(&attr);
    if (ok)
        return BK_OK;
fail:
    if (j != NULL) {
        mem_free(j->to);
        secbuf_wipe(j->code, sizeof j->code);
    }
    mem_free(j);
    pthread_mutex_lock(&flight_lock);
    in_flight--;
    pthread_mutex_unlock(&flight_lock);
    return BK_ENOMEM;
}

enum bk_err
sendcode_email(const struct conf *conf, const char *to, const char *code)
{
    if (conf->smtp.server == NULL)
        return BK_ENOTIMPL;
    return start(CH_EMAIL, conf, to, code);
}

enum bk_err
sendcode_sms(const struct conf *conf, const char *to, const char *code)
{
    if (conf->sms.url == NULL)
        return BK_ENOTIMPL;
    return start(CH_SMS, conf, to, code);
}
