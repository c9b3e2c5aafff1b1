/*
 * channels_api.h — the channel modules as the server runs them: the agent
 * queue, inbound replies and CRM webhooks, their configuration keys
 * ("agent_queue", "replies", "webhooks"; docs/operations.md) and their
 * HTTP routes (served through dn_api_hooks.extension).
 */
#ifndef DN_CHANNELS_API_H
#define DN_CHANNELS_API_H

#include <jansson.h>

#include "engine.h"

struct event_base;

typedef struct dn_channels dn_channels;

/* Starts the modules for engine e (borrowed; its store must be open).
 * modules is the config's {"agent_queue":..,"replies":..,"webhooks":..}
 * (borrowed, may be NULL). changed(arg) is called after a write that makes
 * a customer due now. Unknown keys and bad values are -EINVAL naming them. */
int  channels_open(dn_channels **out, struct event_base *base, dn_engine *e, json_t *modules,
                   void (*changed)(void *arg), void *arg, dn_err *err);
void channels_close(dn_channels *ch);

/* The dn_api_hooks.extension contract (api.h). */
int  channels_api_handle(void *arg, const char *route, const char *id, json_t *query,
                         json_t *headers, json_t *body, json_t **reply, dn_err *err);

#endif
