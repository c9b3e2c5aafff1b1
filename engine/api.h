/*
 * api.h — the HTTP API (JSON over libevent's evhttp) for integrators and
 * agents: customers, invoices, payments, bulk import, decisions, contacts,
 * rules status and reload, health and Prometheus metrics. The routes and
 * their shapes are described in schema/openapi.yaml; the route table in
 * api.c is the single list of routes (tests compare the two).
 *
 * Runs on the caller's event loop thread; every store call is synchronous
 * on that thread. Errors are replied as
 *   {"error": {"code": "...", "message": "...", "field": "..."}}.
 * Everything except GET /healthz and GET /metrics needs
 * "Authorization: Bearer <token>" with one of the configured tokens; with
 * no token configured nothing but those two routes can be used.
 */
#ifndef DN_API_H
#define DN_API_H

#include <jansson.h>

#include "store.h"

struct event_base;

typedef struct dn_api dn_api;

/* A reply the API leaves to the engine: a rules reload is built and tested
 * off the loop, and answered when it is done. The engine answers each
 * pending reply exactly once, on the loop thread, with
 * api_reply_rules_reload, and before api_stop. */
typedef struct dn_api_pending dn_api_pending;

typedef struct dn_api_config {
    const char **tokens;          /* copied by api_start */
    int          n_tokens;
    size_t       max_body;        /* single-record bodies; 0 = 1 MiB */
    size_t       max_bulk_body;   /* POST /v1/import; 0 = 64 MiB. evhttp itself refuses
                                     anything larger (with its own 413 page) */
    int          max_depth;       /* JSON nesting allowed in a body; 0 = 32 */
} dn_api_config;

#define DN_API_MAX_BODY_DEFAULT      ((size_t)1 << 20)
#define DN_API_MAX_BULK_BODY_DEFAULT ((size_t)64 << 20)
#define DN_API_MAX_DEPTH_DEFAULT     32

/* Fills cfg with no tokens and the default limits above. */
void api_config_defaults(dn_api_config *cfg);

/* What the API needs from the engine; the server fills these in. Any hook
 * may be NULL: its routes then answer 503 "unavailable". Hooks run on the
 * loop thread and return before the reply is sent. */
typedef struct dn_api_hooks {
    /* The engine's clock (engine_now): the time every write the API makes
     * is recorded at, the default `at` of preview, and the today a payment
     * may not be dated after. NULL = the wall clock. */
    dn_time (*now)(void *arg);
    /* The decision the rules would make for customer_id at `at`, with no
     * side effects. *out is a new object on success. -ENOENT for an unknown
     * customer. */
    int (*preview)(void *arg, const char *customer_id, dn_time at, json_t **out, dn_err *err);
    /* {"version":..,"loaded_at":..,"dir":..,"last_error":..,"files":[..]} as a
     * new reference, or NULL when out of memory. */
    json_t *(*rules_status)(void *arg);
    /* When the guard lets us contact customer_id, per channel, from `at`
     * (0 = the engine's now) for 7 days (contactability.h). *out is a new
     * object on success; -ENOENT for an unknown customer. */
    int (*contactability)(void *arg, const char *customer_id, dn_time at, json_t **out,
                          dn_err *err);
    /* Starts loading and testing the rules again, off the loop. Returns 0
     * when it is under way — the engine then answers pending with
     * api_reply_rules_reload — or a negative errno with err filled (the
     * API replies 503 at once and frees pending). */
    int (*rules_reload)(void *arg, dn_api_pending *pending, dn_err *err);
    /* Engine counters for /metrics as a new object: each key a number
     * (dunningd_<key>) or an object of numbers (one labelled series per
     * member), e.g. {"rules_reloads_total":2,"pass_duration_seconds":0.4}. */
    json_t *(*metrics_extra)(void *arg);
    /* Called after a write that makes customers due (a record created or
     * changed, a payment, an import): the engine evaluates them soon
     * instead of at the next scheduled pass. May be NULL. */
    void (*changed)(void *arg);
    /* Routes served by the channel modules (agent queue, inbound replies,
     * CRM webhooks; engine/channels_api.c). route is the route table's
     * "METHOD /path/{id}" pattern, id the decoded {id} segment ("" if
     * none), query the query parameters and headers the request headers
     * (names lowercased) as objects of strings, and body the parsed JSON
     * body or NULL (all borrowed). Open routes (no bearer token) must
     * authenticate the caller themselves (e.g. a webhook secret header). Returns the HTTP status
     * (2xx) with *reply a new reference, or a negative errno with err
     * filled: -ENOENT → 404 when err->field is "id" or "", else 422
     * unknown_reference; -EEXIST → 409; -EINVAL → 422; -ENOTSUP → 503;
     * -EACCES → 401. */
    int (*extension)(void *arg, const char *route, const char *id, json_t *query,
                     json_t *headers, json_t *body, json_t **reply, dn_err *err);
} dn_api_hooks;

/* Starts serving on addr:port (port 0 = any free port; see api_port) on
 * base. store and hooks_arg are borrowed and must outlive the API; cfg and
 * hooks are copied. Returns 0 with *out set, or a negative errno (-EADDRINUSE,
 * -ENOMEM, -EINVAL) with err filled. */
int  api_start(struct event_base *base, const char *addr, int port, dn_store *store,
               const dn_api_config *cfg, const dn_api_hooks *hooks, void *hooks_arg,
               dn_api **out, dn_err *err);
/* The port actually bound. */
int  api_port(const dn_api *api);
/* Answers a POST /v1/rules/reload left pending (hooks.rules_reload) and
 * frees pending: rc 0 → 200 with rules (the live set, as rules_status);
 * otherwise the old set stays live → 422 "rules_invalid" for a refused set
 * (-EINVAL and the loader's other codes), 503 "unavailable" for a reload
 * that could not run (-ENOMEM, -ECANCELED: the server stopping), with err
 * and the rules state as error.rules. rules is taken (may be NULL). */
void api_reply_rules_reload(dn_api_pending *pending, int rc, json_t *rules, const dn_err *err);

/* Stops listening, drops open connections and frees the API; NULL is fine. */
void api_stop(dn_api *api);

#endif
