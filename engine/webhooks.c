/* webhooks.c — signed, ordered, retried CRM webhooks (webhooks.h). */
#include "webhooks.h"

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_modules.h"

#define WEBHOOK_ENDPOINTS_MAX 8
#define WEBHOOK_URL_MAX       512
#define WEBHOOK_SECRET_MAX    256

typedef struct endpoint {
    char name[DN_TOKEN_MAX];
    char url[WEBHOOK_URL_MAX];
    char secret[WEBHOOK_SECRET_MAX];
} endpoint;

struct dn_webhooks {
    struct event_base *base;
    dn_store          *store;
    dn_http_client    *http;
    struct event      *poll;
    endpoint           endpoints[WEBHOOK_ENDPOINTS_MAX];
    int                n_endpoints;
    int                max_attempts, max_in_flight;
    long               backoff_initial_ms, backoff_max_ms, timeout_ms, poll_ms;
    int                lease_seconds;     /* of the claims (the config's lease_seconds) */
    int                in_flight;
};

/* One delivery in flight; freed by its completion (or by stop). */
typedef struct delivery {
    dn_webhooks *w;
    int64_t      id;
    int          attempts;          /* including this one */
} delivery;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void webhook_signature(const char *secret, dn_time t, const char *body, size_t len, char *out,
                       size_t size)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char prefix[32];
    int plen = snprintf(prefix, sizeof prefix, "%lld.", (long long)t);
    /* HMAC over "<t>." then the body, without copying the body */
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    size_t out_len = 0;
    bool ok = ctx && EVP_MAC_init(ctx, (const unsigned char *)secret, strlen(secret), params) &&
              EVP_MAC_update(ctx, (const unsigned char *)prefix, (size_t)plen) &&
              EVP_MAC_update(ctx, (const unsigned char *)body, len) &&
              EVP_MAC_final(ctx, md, &out_len, sizeof md);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    md_len = ok ? (unsigned)out_len : 0;
    char digest[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned i = 0; i < md_len; i++) {
        digest[2 * i] = hex[md[i] >> 4];
        digest[2 * i + 1] = hex[md[i] & 15];
    }
    digest[2 * md_len] = '\0';
    snprintf(out, size, "t=%lld,v1=%s", (long long)t, digest);
}

/* ---- configuration ---- */

static int config_long(json_t *config, const char *key, long min, long max, long *dst,
                       dn_err *err)
{
    json_t *v = json_object_get(config, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return dn_err_set(err, -EINVAL, key, "webhooks.%s must be an integer from %ld to %ld",
                          key, min, max);
    *dst = (long)json_integer_value(v);
    return 0;
}

static int config_endpoint(json_t *ep, size_t i, endpoint *out, dn_err *err)
{
    char field[64];
    snprintf(field, sizeof field, "webhooks.endpoints[%zu]", i);
    if (!json_is_object(ep))
        return dn_err_set(err, -EINVAL, field, "%s must be an object", field);
    const char *key;
    json_t *v;
    json_object_foreach(ep, key, v)
        if (strcmp(key, "name") && strcmp(key, "url") && strcmp(key, "secret"))
            return dn_err_set(err, -EINVAL, field, "%s: unknown key \"%s\"", field, key);
    const char *name = json_string_value(json_object_get(ep, "name"));
    const char *url = json_string_value(json_object_get(ep, "url"));
    const char *secret = json_string_value(json_object_get(ep, "secret"));
    if (!name || !name[0] || !dn_strlcpy(out->name, name, sizeof out->name))
        return dn_err_set(err, -EINVAL, field, "%s.name must be text of 1..%d bytes", field,
                          DN_TOKEN_MAX - 1);
    if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) ||
        !dn_strlcpy(out->url, url, sizeof out->url))
        return dn_err_set(err, -EINVAL, field, "%s.url must be an http:// or https:// URL of "
                          "at most %d bytes", field, WEBHOOK_URL_MAX - 1);
    if (!secret || strlen(secret) < 16 || !dn_strlcpy(out->secret, secret, sizeof out->secret))
        return dn_err_set(err, -EINVAL, field, "%s.secret must be text of 16..%d bytes", field,
                          WEBHOOK_SECRET_MAX - 1);
    return 0;
}

static int configure(dn_webhooks *w, json_t *config, dn_err *err)
{
    static const char *const keys[] = { "endpoints", "max_attempts", "backoff_initial_ms",
                                        "backoff_max_ms", "timeout_ms", "poll_ms",
                                        "max_in_flight", NULL };
    long max_attempts = 10, max_in_flight = 16;
    w->backoff_initial_ms = 1000;
    w->backoff_max_ms = 60000;
    w->timeout_ms = 5000;
    w->poll_ms = 500;
    if (!config)
        goto done;
    const char *key;
    json_t *v;
    json_object_foreach(config, key, v) {
        bool known = false;
        for (int i = 0; keys[i]; i++)
            known |= strcmp(key, keys[i]) == 0;
        if (!known)
            return dn_err_set(err, -EINVAL, key, "webhooks: unknown key \"%s\"", key);
    }
    int rc;
    if ((rc = config_long(config, "max_attempts", 1, 100, &max_attempts, err)) ||
        (rc = config_long(config, "backoff_initial_ms", 10, 3600000, &w->backoff_initial_ms,
                          err)) ||
        (rc = config_long(config, "backoff_max_ms", 10, 86400000, &w->backoff_max_ms, err)) ||
        (rc = config_long(config, "timeout_ms", 100, 600000, &w->timeout_ms, err)) ||
        (rc = config_long(config, "poll_ms", 10, 60000, &w->poll_ms, err)) ||
        (rc = config_long(config, "max_in_flight", 1, 1000, &max_in_flight, err)))
        return rc;
    json_t *eps = json_object_get(config, "endpoints");
    if (eps && (!json_is_array(eps) || json_array_size(eps) > WEBHOOK_ENDPOINTS_MAX))
        return dn_err_set(err, -EINVAL, "webhooks.endpoints",
                          "webhooks.endpoints must be an array of at most %d endpoints",
                          WEBHOOK_ENDPOINTS_MAX);
    size_t i;
    json_t *ep;
    json_array_foreach(eps, i, ep) {
        if ((rc = config_endpoint(ep, i, &w->endpoints[i], err)))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(w->endpoints[j].name, w->endpoints[i].name) == 0)
                return dn_err_set(err, -EINVAL, "webhooks.endpoints",
                                  "two webhook endpoints are named %s", w->endpoints[i].name);
        w->n_endpoints++;
    }
done:
    w->max_attempts = (int)max_attempts;
    w->max_in_flight = (int)max_in_flight;
    /* a claim must outlast its request, or a live engine's delivery would be
     * taken for a dead one's and sent twice at once */
    if (w->n_endpoints > 0 && w->timeout_ms >= (long)w->lease_seconds * 1000)
        return dn_err_set(err, -EINVAL, "timeout_ms", "webhooks.timeout_ms (%ld) must be shorter "
                          "than lease_seconds (%d s), which the deliveries' claims last",
                          w->timeout_ms, w->lease_seconds);
    return 0;
}

/* The configured endpoints become the enabled rows; others are disabled. */
static int sync_endpoints(dn_webhooks *w, dn_err *err)
{
    const char *names[WEBHOOK_ENDPOINTS_MAX], *urls[WEBHOOK_ENDPOINTS_MAX];
    for (int i = 0; i < w->n_endpoints; i++) {
        names[i] = w->endpoints[i].name;
        urls[i] = w->endpoints[i].url;
    }
    return w->store->ops->modules->webhook_endpoints(w->store->ctx, names, urls, w->n_endpoints,
                                                    err);
}

/* ---- delivering ---- */

static void schedule_poll(dn_webhooks *w, long ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    evtimer_del(w->poll);
    evtimer_add(w->poll, &tv);
}

static const endpoint *endpoint_named(const dn_webhooks *w, const char *name)
{
    for (int i = 0; i < w->n_endpoints; i++)
        if (strcmp(w->endpoints[i].name, name) == 0)
            return &w->endpoints[i];
    return NULL;
}

/* Records the outcome of one attempt (error: why it failed before an HTTP
 * status, NULL when there is a status). */
static void record_outcome(dn_webhooks *w, int64_t id, int attempts, long status,
                           const char *error)
{
    dn_err err;
    dn_err_clear(&err);
    bool ok = !error && status >= 200 && status < 300;
    char why[300];
    if (error)
        snprintf(why, sizeof why, "%s", error);
    else
        snprintf(why, sizeof why, "HTTP status %ld", status);
    int64_t now = wall_ms();
    long delay = w->backoff_initial_ms;
    for (int i = 1; i < attempts && delay < w->backoff_max_ms; i++)
        delay *= 2;
    if (delay > w->backoff_max_ms)
        delay = w->backoff_max_ms;
    const char *state = ok ? "delivered" : attempts >= w->max_attempts ? "dead" : "pending";
    int rc = w->store->ops->modules->webhook_record(w->store->ctx, id, state,
                                                    error ? -1 : status, ok ? NULL : why,
                                                    now + delay, now / 1000, &err);
    if (rc < 0)
        dn_log(DN_LOG_ERROR, "webhooks", "delivery %lld: outcome not recorded: %s",
               (long long)id, err.msg);
    else if (rc == 0)
        dn_log(DN_LOG_WARN, "webhooks", "delivery %lld: its claim ended before the answer came; "
               "the engine that took it over records it", (long long)id);
    if (!ok)
        dn_log(strcmp(state, "dead") == 0 ? DN_LOG_WARN : DN_LOG_DEBUG, "webhooks",
               "delivery %lld attempt %d failed (%s)%s", (long long)id, attempts, why,
               strcmp(state, "dead") == 0 ? ": dead letter" : "");
}

static void on_delivered(void *arg, long status, const char *body, const char *error)
{
    delivery *d = arg;
    dn_webhooks *w = d->w;
    if (status == DN_HTTP_CANCELLED) {   /* stopping: webhooks_stop releases the claim */
        free(d);
        return;
    }
    bool ok = !error && status >= 200 && status < 300;
    record_outcome(w, d->id, d->attempts, status, error);
    w->in_flight--;
    free(d);
    if (ok)
        schedule_poll(w, 0);   /* the customer's next event may go now */
}

/* Builds the body of one claimed delivery and posts it; a delivery that
 * cannot be posted counts as a failed attempt. */
static void send_one(dn_webhooks *w, const dn_webhook_delivery *dl)
{
    dn_err err;
    dn_err_clear(&err);
    const endpoint *ep = endpoint_named(w, dl->endpoint);
    json_t *data = json_loads(dl->payload, 0, NULL);
    char at[21];
    dn_time_format(dl->at, at);
    json_t *body = ep ? json_pack("{s:I, s:s, s:s?, s:s, s:o}", "id", (json_int_t)dl->event_id,
                                  "type", dl->kind, "customer_id",
                                  dl->has_customer ? dl->customer_external_id : NULL, "at", at,
                                  "data", data ? data : json_object())
                      : NULL;
    if (!ep)
        json_decref(data);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    delivery *d = text ? calloc(1, sizeof *d) : NULL;
    int rc = d ? 0 : dn_err_set(&err, -ENOMEM, NULL, ep ? "out of memory" : "its endpoint is "
                                "not configured here");
    if (rc == 0) {
        d->w = w;
        d->id = dl->id;
        d->attempts = dl->attempts;
        char signature[128], event_header[64], signature_header[160];
        webhook_signature(ep->secret, dn_now(), text, strlen(text), signature, sizeof signature);
        snprintf(signature_header, sizeof signature_header, "X-Dunning-Signature: %s", signature);
        snprintf(event_header, sizeof event_header, "X-Dunning-Event-Id: %lld",
                 (long long)dl->event_id);
        const char *headers[] = { "Content-Type: application/json", event_header,
                                  signature_header, "Expect:", NULL };
        rc = http_post(w->http, ep->url, headers, text, strlen(text), w->timeout_ms,
                       on_delivered, d, &err);
    }
    free(text);
    if (rc) {
        free(d);
        record_outcome(w, dl->id, dl->attempts, -1, err.msg);
        return;
    }
    w->in_flight++;
}

/* Claims the heads of the (endpoint, customer) queues that are due and
 * sends them. */
static void on_poll(evutil_socket_t fd, short what, void *arg)
{
    dn_webhooks *w = arg;
    dn_err err;
    dn_err_clear(&err);
    int room = w->max_in_flight - w->in_flight;
    if (room > 0 && w->n_endpoints > 0) {
        dn_webhook_delivery *list = NULL;
        int n = 0;
        if (w->store->ops->modules->webhook_claim(w->store->ctx, wall_ms(), w->lease_seconds,
                                                  room, &list, &n, &err) == 0)
            for (int i = 0; i < n; i++)
                send_one(w, &list[i]);
        dn_webhook_deliveries_free(list, n);
    }
    if (err.code)
        dn_log(DN_LOG_ERROR, "webhooks", "poll: %s", err.msg);
    schedule_poll(w, w->poll_ms);
}

int webhooks_start(dn_webhooks **out, struct event_base *base, dn_store *store,
                   json_t *config, int lease_seconds, dn_err *err)
{
    *out = NULL;
    dn_webhooks *w = calloc(1, sizeof *w);
    if (!w)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    w->base = base;
    w->store = store;
    w->lease_seconds = lease_seconds;
    int rc = configure(w, config, err);
    if (rc == 0)
        rc = sync_endpoints(w, err);
    if (rc == 0)
        rc = http_client_new(&w->http, base, err);
    if (rc == 0 && !(w->poll = evtimer_new(base, on_poll, w)))
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
    if (rc) {
        webhooks_stop(w);
        return rc;
    }
    if (w->n_endpoints)
        schedule_poll(w, 0);
    *out = w;
    return 0;
}

void webhooks_stop(dn_webhooks *w)
{
    if (!w)
        return;
    if (w->poll)
        event_free(w->poll);
    http_client_free(w->http);
    /* the deliveries in flight (just cancelled) go again from any engine */
    dn_err err;
    dn_err_clear(&err);
    if (w->in_flight && w->store->ops->modules->webhook_release(w->store->ctx, &err) < 0)
        dn_log(DN_LOG_ERROR, "webhooks", "claims not released (they end with their lease): %s",
               err.msg);
    free(w);
}

/* ---- API ---- */

/* A delivery's times, integers in the store's rows, as RFC 3339 text. */
static void delivery_times(json_t *d)
{
    static const char *const ms[] = { "next_attempt_at", NULL };
    static const char *const seconds[] = { "delivered_at", NULL };
    dn_store_times_as_text(d, ms, 1000);
    dn_store_times_as_text(d, seconds, 1);
}

int webhooks_list(dn_store *store, const char *state, int64_t after, int limit, json_t **out,
                  dn_err *err)
{
    *out = NULL;
    static const char *const states[] = { "", "pending", "sending", "delivered", "dead", NULL };
    bool known = false;
    for (int i = 0; states[i]; i++)
        known |= strcmp(state, states[i]) == 0;
    if (!known)
        return dn_err_set(err, -EINVAL, "state",
                          "state must be pending, sending, delivered or dead");
    int rc = store->ops->modules->webhook_list(store->ctx, state, after, limit, out, err);
    if (rc)
        return rc;
    size_t i;
    json_t *d;
    json_array_foreach(*out, i, d)
        delivery_times(d);
    return 0;
}

/* One delivery as the API shows it (*out a new object). */
static int read_delivery(dn_store *store, int64_t id, json_t **out, dn_err *err)
{
    int rc = store->ops->modules->webhook_get(store->ctx, id, out, err);
    if (rc == 0)
        return dn_err_set(err, -ENOENT, "id", "no webhook delivery %lld", (long long)id);
    if (rc < 0)
        return rc;
    delivery_times(*out);
    return 0;
}

int webhooks_replay(dn_store *store, int64_t id, json_t **out, dn_err *err)
{
    *out = NULL;
    json_t *d = NULL;
    int rc = read_delivery(store, id, &d, err);
    if (rc)
        return rc;
    const char *state = json_string_value(json_object_get(d, "state"));
    if (strcmp(state, "dead") && strcmp(state, "delivered"))
        rc = dn_err_set(err, -EEXIST, "id", "webhook delivery %lld is %s: it will be sent "
                        "anyway", (long long)id, state);
    json_decref(d);
    if (rc == 0)
        rc = store->ops->modules->webhook_replay(store->ctx, id, err);
    return rc ? rc : read_delivery(store, id, out, err);
}
