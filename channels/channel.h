/*
 * channel.h — the channel driver interface. Adding a channel is one new
 * file channels/NAME.c defining a dn_channel_driver and one line in
 * channels/registry.c.
 *
 * send() is asynchronous: it must return quickly and eventually call done()
 * exactly once (possibly before send returns, e.g. the file sink), with
 * rc 0 (accepted; provider_id set if the provider gave one), a negative
 * errno for a transient failure (retry later), or -EPERM for a permanent
 * one (do not retry). The message and its strings are valid only during
 * the send() call: a driver that completes later copies what it needs.
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
} dn_channel_driver;

/* Looks a driver up by name in the registry; NULL if unknown. */
const dn_channel_driver *channel_driver_find(const char *name);

#endif
