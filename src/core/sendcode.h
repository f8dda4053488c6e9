/* Delivery of one-time login codes: by email over SMTP and by SMS through a
 * configurable HTTP gateway, both with libcurl, each on a short-lived
 * detached thread so that the caller's answer (and its timing) does not
 * depend on the delivery. */
#ifndef BK_SENDCODE_H
#define BK_SENDCODE_H

#include "../base/err.h"
#include "conf.h"

/* Once at start-up, before any thread sends. */
enum bk_err sendcode_global_init(void);

/* Queue the delivery of <code> to the email address or phone digits <to>
 * using <conf> (borrowed; must outlive the process's senders). BK_ENOTIMPL
 * when the channel is not configured, BK_ELIMIT when too many deliveries are
 * in flight; delivery failures are logged, not returned. */
enum bk_err sendcode_email(const struct conf *conf, const char *to, const char *code);
enum bk_err sendcode_sms(const struct conf *conf, const char *to, const char *code);

#endif
