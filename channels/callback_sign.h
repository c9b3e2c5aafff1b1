/*
 * callback_sign.h — the signatures that make dunningd's public callback
 * URLs (delivery reports, one-click unsubscribe) unforgeable: a URL names a
 * contact id and carries HMAC-SHA256(secret, "<purpose>:<contact id>"),
 * cut to 128 bits, as 32 hex digits. Anyone can see a URL they were sent;
 * nobody can make one for another contact.
 *
 * The secret is process-wide: config key "callback_secret" (see
 * docs/operations.md); without one a random secret is drawn at start, and
 * URLs handed out before a restart stop verifying after it.
 */
#ifndef DN_CALLBACK_SIGN_H
#define DN_CALLBACK_SIGN_H

#include <stdint.h>

#include "common.h"

#define DN_CALLBACK_SIG_HEX 33            /* 32 hex digits + NUL */

/* Sets the secret (copied; at least 16 bytes) or, with NULL, draws a random
 * one. -EINVAL for a short secret, -EIO when no randomness is available. */
int  callback_secret_set(const char *secret, dn_err *err);
/* Signs purpose ("dlr", "unsubscribe") + contact id into out. */
void callback_sign(const char *purpose, int64_t contact_id, char out[DN_CALLBACK_SIG_HEX]);
/* Compares in constant time; false for NULL or a wrong length. */
bool callback_verify(const char *purpose, int64_t contact_id, const char *signature);

#endif
