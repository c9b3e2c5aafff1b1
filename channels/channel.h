/*
 * channel.h — the channel driver interface. Adding a channel is one new
 * file channels/NAME.c defining a dn_channel_driver and one line in
 * channels/registry.c.
 *
 * send() is asynchronous: it must return quickly and eventually call done()
 * exactly once (possibly before send returns, e.g. the file sink), with
 *   0           accepted (provider_id set if the provider gave one);
 *   -EPERM      refused for good (do not retry);
 *   -ETIMEDOUT  outcome unknown: the request went out but no answer came
 *               back, so the provider may have accepted it (the dispatcher
 *               retries only when the instance deduplicates by idempotency
 *               key, and marks the contact in_doubt otherwise);
 *   another negative errno: not accepted, may be retried later.
 * When send() itself returns non-zero (it could not even start), done is
 * not called. The message and its strings are valid only during the send()
 * call: a driver that completes later copies what it needs.
 *
 * Instances: the config of a channel is one driver instance object or an
 * array of them (two SMS gateways). Keys every instance may carry, read by
 * the dispatcher rather than the driver (channel_key_is_common):
 *   "driver", "instance" (a name for logs and the contact row),
 *   "concurrency" (sends in flight at once), "rate_per_second",
 *   "retry": {"max_attempts", "backoff_seconds", "max_backoff_seconds"},
 *   "cost": {"per_message_minor", "per_part_minor", "currency"},
 *   "failover_after" (consecutive failures after which the instance rests
 *   for retry.backoff_seconds and the channel's other instances take over),
 *   "posting" (letter instances only: "recorded", the default — the print
 *   room records each letter's posting day through the API — or
 *   "on_write": the instance hands every letter to the post the day it
 *   writes it, like a hybrid-mail service, so that day is recorded).
 * Drivers talking HTTP or SMTP run their transfers through http_async.h.
 */
#ifndef DN_CHANNEL_H
#define DN_CHANNEL_H

#include <jansson.h>

#include "common.h"

struct event_base;

typedef struct dn_message {
    int64_t     contact_id;
    const char *idem_key;          /* pass to providers that accept one */
    const char *customer_external_id;
    const char *channel;
    const char *address;           /* phone, e-mail, chat handle */
    const char *language;
    const char *tone;
    const char *voice;
    const char *template_name;
    const char *subject;           /* "" if none */
    const char *body;
    int         sms_parts;         /* as planned (sms.c); 0 if not SMS */
    dn_time     now;               /* the engine's clock at the hand-over: what a
                                      driver dates the message with (e-mail Date,
                                      the letter's date), never the wall clock */
} dn_message;

typedef void (*dn_channel_done_fn)(void *arg, int64_t contact_id, int rc,
                                   const char *provider_id, const char *detail);

typedef struct dn_channel_driver {
    const char *name;              /* "file", "kannel", "smtp", ... */
    /* config is the driver instance's JSON object (borrowed). */
    int  (*init)(void **ctx, struct event_base *base, json_t *config, dn_err *err);
    int  (*send)(void *ctx, const dn_message *m, dn_channel_done_fn done, void *arg,
                 dn_err *err);
    void (*close)(void *ctx);
    /* May be NULL (= false): true when this instance's provider
     * deduplicates sends by the idempotency key, so sending a contact again
     * with the same key is safe (crash recovery, unknown outcomes). */
    bool (*deduplicates)(void *ctx);
} dn_channel_driver;

/* Looks a driver up by name in the registry; NULL if unknown. */
const dn_channel_driver *channel_driver_find(const char *name);

/* True for the instance keys the dispatcher reads (listed above); a driver
 * refusing unknown keys skips these. */
bool channel_key_is_common(const char *key);

/* Config helpers for drivers: each returns 0 or -EINVAL naming the key.
 * A missing optional key leaves *out at the default the caller set. */
int channel_conf_string(const json_t *conf, const char *key, bool required, char *out,
                        size_t size, dn_err *err);
int channel_conf_int(const json_t *conf, const char *key, long min, long max, long *out,
                     dn_err *err);
/* Refuses any key that is neither common nor in known (NULL-terminated). */
int channel_conf_known_keys(const json_t *conf, const char *driver,
                            const char *const *known, dn_err *err);

#endif
