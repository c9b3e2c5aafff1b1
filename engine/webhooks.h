/*
 * webhooks.h — CRM webhooks: every event, to every configured endpoint, as
 * signed JSON.
 *
 * Capture: a trigger turns each new event row into one delivery per enabled
 * endpoint in the same transaction (schema/sqlite/011_webhooks.sql), so no
 * code path can write an event that is not delivered.
 * Order: per endpoint and customer only the oldest undelivered delivery is
 * ever in flight; the next waits until it is delivered or dead.
 * Several engines on one store: a delivery is claimed by one of them
 * (store_modules.h webhook_claim) until lease_seconds after the claim; only
 * when that lease ends without an outcome (its engine died) does another
 * engine send it again.
 * Retries: a failure (connection error, timeout, non-2xx status) is retried
 * after backoff_initial_ms, doubling up to backoff_max_ms; after
 * max_attempts the delivery is dead (a dead letter) and the customer's next
 * one may go. Dead letters are listed and replayed through the API.
 * Delivery is at least once: a delivery in flight when the engine stopped
 * is sent again (at once after a clean stop, after its lease when the
 * engine died), with the same event id (receivers deduplicate by
 * X-Dunning-Event-Id).
 *
 * Request: POST url, Content-Type application/json, body
 *   {"id": event id, "type": kind, "customer_id": external id or null,
 *    "at": RFC 3339, "data": the event's payload}
 * with headers X-Dunning-Event-Id and
 *   X-Dunning-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>.
 */
#ifndef DN_WEBHOOKS_H
#define DN_WEBHOOKS_H

#include <jansson.h>

#include "http_client.h"
#include "store.h"

struct event_base;

typedef struct dn_webhooks dn_webhooks;

/* The signature header's value for body at time t: "t=<t>,v1=<64 hex>".
 * out must hold at least 96 bytes. Pure. */
void webhook_signature(const char *secret, dn_time t, const char *body, size_t len, char *out,
                       size_t size);

/* Starts delivering. config (borrowed; may be NULL = no endpoints):
 *   {"endpoints": [{"name": "crm", "url": "http://...", "secret": "..."}],
 *    "max_attempts": 10, "backoff_initial_ms": 1000, "backoff_max_ms": 60000,
 *    "timeout_ms": 5000, "poll_ms": 500, "max_in_flight": 16}
 * Endpoints not in the config are disabled (their pending deliveries wait).
 * lease_seconds is how long a claim lasts; with endpoints, timeout_ms
 * must be shorter.
 * Unknown keys and bad values are -EINVAL naming the key. store is
 * borrowed and must outlive the webhooks. */
int  webhooks_start(dn_webhooks **out, struct event_base *base, dn_store *store,
                    json_t *config, int lease_seconds, dn_err *err);
/* Stops: requests in flight are dropped and their claims released, so any
 * engine sends them again. */
void webhooks_stop(dn_webhooks *w);

/* Deliveries in state ("pending", "sending", "delivered", "dead", "" = all)
 * with id > after, oldest first; *out a new array. */
int  webhooks_list(dn_store *store, const char *state, int64_t after, int limit, json_t **out,
                   dn_err *err);
/* Sends a dead (or delivered) delivery again from attempt 1; *out the
 * delivery. -ENOENT unknown id, -EEXIST if it is still pending/sending. */
int  webhooks_replay(dn_store *store, int64_t id, json_t **out, dn_err *err);

#endif
