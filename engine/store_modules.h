/*
 * store_modules.h — the store operations of the channel modules: the agent
 * queue, inbound replies, voice callbacks, letters and CRM webhooks. Every
 * backend provides them in a second ops table next to its dn_store_ops
 * (dn_store_ops.modules), over the tables of schema/<backend>/010 to 013.
 *
 * Why a table of its own: dn_store_ops is what the engine core needs
 * (portfolio, pass, dispatch); these operations serve modules with rows of
 * their own. Apart, each contract stays readable, and a backend keeps its
 * module SQL in one section, away from the pass path.
 *
 * Conventions, as store.h: no SQL outside the backends; 0 or a negative
 * errno with err filled. Lookups (*_find, *_get, *_lock) return 1 when the
 * row exists, 0 when it does not (the module words the "not found"), or a
 * negative errno. The operations are building blocks: a module composes
 * several of them (and core operations: append_event, touch_customer,
 * add_promise, load_facts) between the store's begin() and commit(), so its
 * writes land together or not at all; "in the caller's transaction" marks
 * the ones that must run there. The others run as a unit of their own
 * (inside the caller's transaction when one is open). Times are Unix
 * seconds, _ms ones milliseconds of the wall clock. JSON comes back owned
 * by the caller, with the API's keys and times as integers (null for none;
 * dn_store_times_as_text formats them).
 *
 * Several instances on one database: agent tasks are taken race-free
 * (task_take), webhook deliveries are claimed with leases that expire when
 * an instance dies (webhook_claim), and inbound messages are applied once
 * through a unique key (inbound_claim).
 */
#ifndef DN_STORE_MODULES_H
#define DN_STORE_MODULES_H

#include <jansson.h>

#include "model.h"

struct dn_contact_plan;

/* A new agent task. */
typedef struct dn_task_new {
    int64_t     customer_id;
    int64_t     contact_id;          /* the decision's contact; 0 = none */
    const char *source;              /* "rules", "reply" or "voice" */
    const char *reason;              /* "" for none */
    int         priority;
} dn_task_new;

/* What a module checks before acting on a task (task_lock). */
typedef struct dn_task_row {
    int64_t customer_id;
    int64_t contact_id;              /* 0 = none */
    char    state[8];                /* "open", "taken", "done" */
    char    agent[DN_TOKEN_MAX];     /* "" = none */
    dn_time taken_until;             /* 0 = none */
} dn_task_row;

/* One contact as the callbacks find it (contact_find). */
typedef struct dn_contact_ref {
    int64_t id;
    int64_t customer_id;
    char    customer_external_id[DN_ID_MAX];
    char    state[16];
    dn_time created_at, updated_at;
} dn_contact_ref;

/* A webhook delivery claimed for sending (webhook_claim). */
typedef struct dn_webhook_delivery {
    int64_t id;
    char    endpoint[DN_TOKEN_MAX];
    int64_t event_id;
    int     attempts;                /* this one included */
    char    kind[64];                /* the event's */
    dn_time at;
    bool    has_customer;
    char    customer_external_id[DN_ID_MAX];
    char   *payload;                 /* the event's JSON text; freed with the list */
} dn_webhook_delivery;
void dn_webhook_deliveries_free(dn_webhook_delivery *list, int n);

/* Replaces each integer member of obj named in keys (NULL-terminated) by
 * its RFC 3339 text, the value being in units of 1/per_second seconds (1
 * for seconds, 1000 for milliseconds); 0, null and absent members become
 * null. For the API shape of the JSON these operations return. */
void dn_store_times_as_text(json_t *obj, const char *const *keys, int per_second);

/* The digest inbound_claim keys a message by: hex SHA-256 of key (a JSON
 * array of what identifies the message, compact) into out (65 bytes). */
int  dn_store_inbound_digest(json_t *key, char out[65], dn_err *err);

typedef struct dn_store_module_ops {
    /* -- agent queue (agent_tasks) -- */
    /* Inserts an open task; sets *id. A contact that has a task already is
     * -EEXIST with *id set to that task (a dispatcher that crashed between
     * the task and the contact's state queues it again). */
    int (*task_create)(void *ctx, const dn_task_new *t, dn_time now, int64_t *id, dn_err *err);
    /* Takes the best waiting task for agent until now + lease_seconds:
     * first every taken task whose lease ended is open again, then the open
     * one with the highest priority (ties: the oldest) whose snooze is over
     * becomes "taken". Two takers, in this process or another instance,
     * never get the same task. *id = 0 when nothing is waiting. */
    int (*task_take)(void *ctx, const char *agent, dn_time now, int lease_seconds,
                     int64_t *id, dn_err *err);
    /* Reads a task for a change in the caller's transaction, locking it
     * until that transaction ends. */
    int (*task_lock)(void *ctx, int64_t id, dn_task_row *row, dn_err *err);
    /* A task done with outcome and note (NULL = none); lease cleared. */
    int (*task_close)(void *ctx, int64_t id, const char *outcome, const char *note,
                      dn_time now, dn_err *err);
    /* A task back in the queue (open, no agent), not taken before until. */
    int (*task_requeue)(void *ctx, int64_t id, dn_time until, dn_time now, dn_err *err);
    /* {"id", "customer_id" (external), "customer_name", "language",
     * "phone", "contact_id", "source", "reason", "priority", "state",
     * "agent", "taken_until", "snoozed_until", "outcome", "note",
     * "created_at", "updated_at"}. */
    int (*task_get)(void *ctx, int64_t id, json_t **task, dn_err *err);
    /* Up to limit tasks in state ("open", "taken", "done"; "" = all), as
     * task_get: undone first, then by priority (highest first) and id. */
    int (*task_list)(void *ctx, const char *state, int limit, json_t **out, dn_err *err);

    /* -- contacts the modules act on -- */
    /* The contact of channel with id contact_id, or (contact_id 0) the
     * latest one whose provider id is provider_id. */
    int (*contact_find)(void *ctx, int64_t contact_id, const char *provider_id,
                        const char *channel, dn_contact_ref *out, dn_err *err);
    /* Sets a contact's state and outcome; NULL keeps either. No event (the
     * module appends its own). -ENOENT for an unknown id. */
    int (*contact_outcome)(void *ctx, int64_t contact_id, const char *state,
                           const char *outcome, dn_time now, dn_err *err);
    /* The customer's latest contact on channel that was sent or delivered
     * (not an opt-out confirmation) becomes "replied"; none is not an error. */
    int (*contact_mark_replied)(void *ctx, int64_t customer_id, const char *channel,
                                dn_time now, dn_err *err);
    /* Plans a contact outside the pass (step day 0, the customer's open
     * case if any, state planned): *contact_id is the new id, or 0 when
     * plan->idem_key exists already (never a second one). */
    int (*contact_plan)(void *ctx, int64_t customer_id, const struct dn_contact_plan *plan,
                        dn_time now, int64_t *contact_id, dn_err *err);
    /* A letter written ("sent") is posted: state "delivered" with
     * updated_at and final_at = posted_at. -EEXIST when it is not a letter
     * in state sent (any more). */
    int (*contact_posted)(void *ctx, int64_t contact_id, dn_time posted_at, dn_err *err);

    /* -- customers by contact point (replies) -- */
    /* The customer (lowest id) whose phone (channel "sms") or chat handle
     * (channel "chat") is address. */
    int (*customer_find_by_address)(void *ctx, const char *channel, const char *address,
                                    dn_customer *out, dn_err *err);
    /* Opts customer_id out of channel ("sms" or "chat"), and with it every
     * other customer whose phone or chat handle on that channel is address
     * ("" = none) and who had not opted out of it yet: *news is whether
     * customer_id was not opted out of it before, *others (malloc'd, the
     * caller frees; NULL when none) lists the others, *n_others counts them.
     * No events (the module appends them). */
    int (*opt_out_address)(void *ctx, int64_t customer_id, const char *channel,
                           const char *address, dn_time now, bool *news, int64_t **others,
                           size_t *n_others, dn_err *err);

    /* -- inbound messages applied once (inbound_seen) -- */
    /* In the caller's transaction: claims (source, digest) for this
     * message: 0 when it is new (the claim stands or falls with the
     * transaction; a second claim of the same key, from any instance, waits
     * for it), 1 when it was applied before, with *earlier = the result
     * inbound_settle stored then (a new reference). */
    int (*inbound_claim)(void *ctx, const char *source, const char *digest, dn_time now,
                         json_t **earlier, dn_err *err);
    /* Stores the result of a claimed message (result borrowed). */
    int (*inbound_settle)(void *ctx, const char *source, const char *digest,
                          int64_t customer_id, json_t *result, dn_err *err);

    /* -- CRM webhooks (webhook_endpoints, webhook_deliveries) -- */
    /* The n configured endpoints become the enabled ones (url updated);
     * every other endpoint is disabled, its deliveries kept waiting. */
    int (*webhook_endpoints)(void *ctx, const char *const *names, const char *const *urls,
                             int n, dn_err *err);
    /* Claims up to max deliveries that are due at now_ms: each the oldest
     * undelivered one of its (endpoint, customer), pending with its next
     * attempt due, or sending under a lease that ended (its instance died).
     * Claimed ones are "sending", attempts + 1, leased to this store
     * connection until now_ms + lease_seconds. While a delivery is pending
     * or sending, no later one of its (endpoint, customer) is claimed, by
     * any instance. *list (caller frees with dn_webhook_deliveries_free,
     * NULL when none) in id order. */
    int (*webhook_claim)(void *ctx, int64_t now_ms, int lease_seconds, int max,
                         dn_webhook_delivery **list, int *n, dn_err *err);
    /* Records the outcome of a claimed delivery: state "delivered",
     * "pending" (again at next_attempt_ms) or "dead"; status is the HTTP
     * status (-1 = none), error the failure (NULL when delivered). 1 when
     * recorded, 0 when the claim is no longer this connection's (its lease
     * ended and another instance took the delivery: its outcome counts). */
    int (*webhook_record)(void *ctx, int64_t id, const char *state, long status,
                          const char *error, int64_t next_attempt_ms, dn_time now,
                          dn_err *err);
    /* This connection's claims go back to pending (stopping: sent again by
     * whichever instance polls first). */
    int (*webhook_release)(void *ctx, dn_err *err);
    /* {"id", "endpoint", "event_id", "event_type", "customer_id"
     * (external or null), "state", "attempts", "next_attempt_at" (ms),
     * "last_status", "last_error", "delivered_at"}. */
    int (*webhook_get)(void *ctx, int64_t id, json_t **out, dn_err *err);
    /* Up to limit deliveries in state ("" = all) with id > after, oldest
     * first, as webhook_get. */
    int (*webhook_list)(void *ctx, const char *state, int64_t after, int limit, json_t **out,
                        dn_err *err);
    /* A dead or delivered delivery is pending again from attempt 1;
     * -EEXIST when it is in neither state. */
    int (*webhook_replay)(void *ctx, int64_t id, dn_err *err);
} dn_store_module_ops;

#endif
