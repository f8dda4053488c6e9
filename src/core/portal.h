/* The end-user portal: one-time-code login by email or phone (prelogin sends
 * a code, login checks it and opens a portal session), captchas, logout, and
 * what a portal session may do. A portal session token authenticates an end
 * user for self-service calls on their own record only: core/auth.c asks
 * portal_identify(), core/authz.c asks portal_authz(), and users.c refuses
 * any other target for such a caller. */
#ifndef BK_PORTAL_H
#define BK_PORTAL_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#define PORTAL_CAPTCHA_ID_MAX 128

/* If <token_hash> (keys_token_hash of the presented token) is a live portal
 * session, make <c> its caller (CALLER_PORTAL, c->self_token). BK_ENOTFOUND
 * when it is not one. */
enum bk_err portal_identify(struct ctx *c, const uint8_t token_hash[KEYS_LEN]);

/* May the portal caller of <c> run <op>? Self-service operations only;
 * BK_EFORBID otherwise. */
enum bk_err portal_authz(struct ctx *c, const char *op);

/* Start a login for <mode> ("email" or "phone") and <identity>: make a code,
 * keep its hash for code_ttl_s and send it (demo mode: the demo identities'
 * code is 4444 and nothing is sent). The answer is the same whether or not
 * the identity names a user. With login.captcha, <captcha_answer> must be
 * the digits of the captcha <captcha_id> (BK_EINVAL "wrong captcha").
 * BK_EINVAL for a bad mode or identity, BK_ELIMIT when rate limited. */
enum bk_err portal_prelogin(struct ctx *c, const char *mode, size_t mode_len,
                            const char *identity, size_t identity_len,
                            const char *captcha_answer, size_t answer_len,
                            const char *captcha_id, size_t id_len);

/* Check <code> for <mode>/<identity>. On success a new portal session token
 * is in <xtoken_out> and the user's token in <token_out>. BK_EAUTH ("wrong
 * or expired code") for a wrong, expired or used-up code and for an identity
 * that names no user alike; BK_ELIMIT when rate limited. */
enum bk_err portal_login(struct ctx *c, const char *mode, size_t mode_len,
                         const char *identity, size_t identity_len, const char *code,
                         size_t code_len, char xtoken_out[37], char token_out[37]);

/* End the portal session <xtoken> (the caller's own). */
enum bk_err portal_logout(struct ctx *c, const char *xtoken, size_t len);

/* A new captcha: its opaque id (hex, NUL-terminated) in <id_out>. */
enum bk_err portal_captcha_create(struct ctx *c, char id_out[PORTAL_CAPTCHA_ID_MAX + 1]);

/* The PNG picture of captcha <id> in *png (mem_free()). BK_ENOTFOUND for an
 * unknown or expired id. */
enum bk_err portal_captcha_image(struct ctx *c, const char *id, size_t id_len, uint8_t **png,
                                 size_t *png_len);

/* Forget hook: the user's codes and portal sessions. */
enum bk_err portal_forget_user(struct ctx *c, const struct user_row *user);

/* Sweep: expired codes and sessions, old rate counters. */
enum bk_err portal_sweep(struct ctx *c);

#endif
