/* webhooks.c — signed, ordered, retried CRM webhooks (webhooks.h). */
#include "webhooks.h"

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_ext.h"

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
    int                in_flight;
};

/* One delivery in flight; freed by its completion (or by stop). */
typedef struct delivery {
    dn_webhooks *w;
    int64_t      id;
    int          attempts;          /* including this one */
} delivery;

/* Webhook delivery runs on the wall clock, not the engine's business clock
 * (engine.h): retries are transport timing shared by every instance through
 * the deliveries table, and the signature's timestamp is checked by the
 * receiver against its own wall clock (a pinned demo clock would make every
 * signature look stale). */
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
    return 0;
}

/* The configured endpoints become the enabled rows; others are disabled. */
static int sync_endpoints(dn_webhooks *w, sqlite3 *db, dn_err *err)
{
    dn_ext_tx tx;
    sqlite3_stmt *st;
    int rc = store_ext_begin(db, &tx, err);
    if (rc)
        return rc;
    if ((rc = store_ext_prepare(db, "UPDATE webhook_endpoints SET enabled = 0", &st,
                                "webhooks: endpoints", err)) ||
        (rc = store_ext_run(db, st, "webhooks: endpoints", err)))
        goto fail;
    for (int i = 0; i < w->n_endpoints; i++) {
        rc = store_ext_prepare(db,
                               "INSERT INTO webhook_endpoints (name, url, enabled) VALUES (?1, "
                               "?2, 1) ON CONFLICT (name) DO UPDATE SET url = excluded.url, "
                               "enabled = 1",
                               &st, "webhooks: endpoints", err);
        if (rc)
            goto fail;
        sqlite3_bind_text(st, 1, w->endpoints[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, w->endpoints[i].url, -1, SQLITE_STATIC);
        if ((rc = store_ext_run(db, st, "webhooks: endpoints", err)))
            goto fail;
    }
    /* in flight when the engine stopped: send again (at least once) */
    if ((rc = store_ext_prepare(db,
                                "UPDATE webhook_deliveries SET state = 'pending' WHERE state = "
                                "'sending'",
                                &st, "webhooks: recover", err)) ||
        (rc = store_ext_run(db, st, "webhooks: recover", err)))
        goto fail;
    return store_ext_commit(&tx, err);
fail:
    store_ext_abort(&tx);
    return rc;
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

/* Records the outcome of one attempt. */
static void on_delivered(void *arg, long status, const char *body, const char *error)
{
    delivery *d = arg;
    dn_webhooks *w = d->w;
    if (status == DN_HTTP_CANCELLED) {   /* stopping: it stays 'sending', sent again at start */
        free(d);
        return;
    }
    dn_err err;
    dn_err_clear(&err);
    sqlite3 *db = store_sqlite_db(w->store);
    bool ok = !error && status >= 200 && status < 300;
    char why[300];
    if (error)
        snprintf(why, sizeof why, "%s", error);
    else
        snprintf(why, sizeof why, "HTTP status %ld", status);
    int64_t now = wall_ms();
    long delay = w->backoff_initial_ms;
    for (int i = 1; i < d->attempts && delay < w->backoff_max_ms; i++)
        delay *= 2;
    if (delay > w->backoff_max_ms)
        delay = w->backoff_max_ms;
    const char *state = ok ? "delivered" : d->attempts >= w->max_attempts ? "dead" : "pending";
    sqlite3_stmt *st;
    if (db && store_ext_prepare(db,
                                "UPDATE webhook_deliveries SET state = ?2, last_status = ?3, "
                                "last_error = ?4, next_attempt_at = ?5, delivered_at = CASE WHEN "
                                "?2 = 'delivered' THEN ?6 ELSE delivered_at END, updated_at = ?6 "
                                "WHERE id = ?1",
                                &st, "webhooks: record", &err) == 0) {
        sqlite3_bind_int64(st, 1, d->id);
        sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
        if (error)
            sqlite3_bind_null(st, 3);
        else
            sqlite3_bind_int64(st, 3, status);
        if (ok)
            sqlite3_bind_null(st, 4);
        else
            sqlite3_bind_text(st, 4, why, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, now + delay);
        sqlite3_bind_int64(st, 6, now / 1000);
        store_ext_run(db, st, "webhooks: record", &err);
    }
    if (err.code)
        dn_log(DN_LOG_ERROR, "webhooks", "delivery %lld: outcome not recorded: %s",
               (long long)d->id, err.msg);
    if (!ok)
        dn_log(strcmp(state, "dead") == 0 ? DN_LOG_WARN : DN_LOG_DEBUG, "webhooks",
               "delivery %lld attempt %d failed (%s)%s", (long long)d->id, d->attempts, why,
               strcmp(state, "dead") == 0 ? ": dead letter" : "");
    w->in_flight--;
    free(d);
    if (ok)
        schedule_poll(w, 0);   /* the customer's next event may go now */
}

/* Builds the body of one delivery from its row and posts it. */
static int send_one(dn_webhooks *w, sqlite3 *db, sqlite3_stmt *row, dn_err *err)
{
    int64_t id = sqlite3_column_int64(row, 0);
    const char *name = (const char *)sqlite3_column_text(row, 1);
    const endpoint *ep = endpoint_named(w, name ? name : "");
    if (!ep)
        return 0;
    json_t *data = json_loads((const char *)sqlite3_column_text(row, 6), 0, NULL);
    char at[21];
    dn_time_format(sqlite3_column_int64(row, 5), at);
    const char *customer = (const char *)sqlite3_column_text(row, 7);
    json_t *body = json_pack("{s:I, s:s, s:s?, s:s, s:o}", "id",
                             (json_int_t)sqlite3_column_int64(row, 2), "type",
                             (const char *)sqlite3_column_text(row, 4), "customer_id", customer,
                             "at", at, "data", data ? data : json_object());
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    delivery *d = text ? calloc(1, sizeof *d) : NULL;
    if (!d) {
        free(text);
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    }
    d->w = w;
    d->id = id;
    d->attempts = sqlite3_column_int(row, 3) + 1;
    char signature[128], event_header[64], signature_header[160];
    webhook_signature(ep->secret, dn_now(), text, strlen(text), signature, sizeof signature);
    snprintf(signature_header, sizeof signature_header, "X-Dunning-Signature: %s", signature);
    snprintf(event_header, sizeof event_header, "X-Dunning-Event-Id: %lld",
             (long long)sqlite3_column_int64(row, 2));
    const char *headers[] = { "Content-Type: application/json", event_header,
                              signature_header, "Expect:", NULL };
    /* taken before the request leaves: a crash now means "send again" */
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               "UPDATE webhook_deliveries SET state = 'sending', attempts = "
                               "attempts + 1, updated_at = ?2 WHERE id = ?1",
                               &st, "webhooks: take", err);
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, wall_ms() / 1000);
        rc = store_ext_run(db, st, "webhooks: take", err);
    }
    if (rc == 0)
        rc = http_post(w->http, ep->url, headers, text, strlen(text), w->timeout_ms,
                       on_delivered, d, err);
    free(text);
    if (rc) {
        free(d);
        return rc;
    }
    w->in_flight++;
    return 0;
}

/* Sends the head of every (endpoint, customer) queue that is due. */
static void on_poll(evutil_socket_t fd, short what, void *arg)
{
    dn_webhooks *w = arg;
    dn_err err;
    dn_err_clear(&err);
    sqlite3 *db = store_sqlite_db(w->store);
    int room = w->max_in_flight - w->in_flight;
    if (db && room > 0 && w->n_endpoints > 0) {
        sqlite3_stmt *st;
        if (store_ext_prepare(db,
                              "SELECT d.id, d.endpoint, d.event_id, d.attempts, e.kind, e.at, "
                              "e.payload, c.external_id FROM webhook_deliveries d "
                              "JOIN webhook_endpoints w ON w.name = d.endpoint AND w.enabled = 1 "
                              "JOIN events e ON e.id = d.event_id "
                              "LEFT JOIN customers c ON c.id = d.customer_id "
                              "WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 "
                              "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE "
                              "p.endpoint = d.endpoint AND p.customer_id IS d.customer_id AND "
                              "p.state IN ('pending', 'sending') AND p.id < d.id) "
                              "ORDER BY d.id LIMIT ?2",
                              &st, "webhooks: due", &err) == 0) {
            sqlite3_bind_int64(st, 1, wall_ms());
            sqlite3_bind_int(st, 2, room);
            /* collect first: the rows are updated while sending */
            int64_t ids[1000];
            int n = 0, step;
            while (n < room && n < 1000 && (step = sqlite3_step(st)) == SQLITE_ROW)
                ids[n++] = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            for (int i = 0; i < n && !err.code; i++) {
                if (store_ext_prepare(db,
                                      "SELECT d.id, d.endpoint, d.event_id, d.attempts, e.kind, "
                                      "e.at, e.payload, c.external_id FROM webhook_deliveries d "
                                      "JOIN events e ON e.id = d.event_id LEFT JOIN customers c "
                                      "ON c.id = d.customer_id WHERE d.id = ?1",
                                      &st, "webhooks: read", &err))
                    break;
                sqlite3_bind_int64(st, 1, ids[i]);
                if (sqlite3_step(st) == SQLITE_ROW)
                    send_one(w, db, st, &err);
                sqlite3_finalize(st);
            }
        }
    }
    if (err.code)
        dn_log(DN_LOG_ERROR, "webhooks", "poll: %s", err.msg);
    schedule_poll(w, w->poll_ms);
}

int webhooks_start(dn_webhooks **out, struct event_base *base, dn_store *store,
                   json_t *config, dn_err *err)
{
    *out = NULL;
    sqlite3 *db = store_ext_db(store, "webhooks", err);
    if (!db)
        return -ENOTSUP;
    dn_webhooks *w = calloc(1, sizeof *w);
    if (!w)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    w->base = base;
    w->store = store;
    int rc = configure(w, config, err);
    if (rc == 0)
        rc = sync_endpoints(w, db, err);
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
    /* deliveries in flight stay 'sending' and go again at the next start */
    http_client_free(w->http);
    free(w);
}

/* ---- API ---- */

#define DELIVERY_SELECT \
    "SELECT d.id, d.endpoint, d.event_id, e.kind, c.external_id, d.state, d.attempts, " \
    "d.next_attempt_at, d.last_status, d.last_error, d.delivered_at, d.updated_at " \
    "FROM webhook_deliveries d JOIN events e ON e.id = d.event_id " \
    "LEFT JOIN customers c ON c.id = d.customer_id "

static json_t *delivery_from_row(sqlite3_stmt *st)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    char t[21];
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "endpoint", json_string((const char *)sqlite3_column_text(st, 1)));
    json_object_set_new(o, "event_id", json_integer(sqlite3_column_int64(st, 2)));
    json_object_set_new(o, "event_type", json_string((const char *)sqlite3_column_text(st, 3)));
    const char *customer = (const char *)sqlite3_column_text(st, 4);
    json_object_set_new(o, "customer_id", customer ? json_string(customer) : json_null());
    json_object_set_new(o, "state", json_string((const char *)sqlite3_column_text(st, 5)));
    json_object_set_new(o, "attempts", json_integer(sqlite3_column_int(st, 6)));
    if (sqlite3_column_int64(st, 7) > 0) {
        dn_time_format(sqlite3_column_int64(st, 7) / 1000, t);
        json_object_set_new(o, "next_attempt_at", json_string(t));
    } else {
        json_object_set_new(o, "next_attempt_at", json_null());
    }
    json_object_set_new(o, "last_status", sqlite3_column_type(st, 8) == SQLITE_NULL
                                              ? json_null()
                                              : json_integer(sqlite3_column_int(st, 8)));
    const char *error = (const char *)sqlite3_column_text(st, 9);
    json_object_set_new(o, "last_error", error ? json_string(error) : json_null());
    if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
        dn_time_format(sqlite3_column_int64(st, 10), t);
        json_object_set_new(o, "delivered_at", json_string(t));
    } else {
        json_object_set_new(o, "delivered_at", json_null());
    }
    return o;
}

int webhooks_list(dn_store *store, const char *state, int64_t after, int limit, json_t **out,
                  dn_err *err)
{
    *out = NULL;
    sqlite3 *db = store_ext_db(store, "webhooks", err);
    if (!db)
        return -ENOTSUP;
    static const char *const states[] = { "", "pending", "sending", "delivered", "dead", NULL };
    bool known = false;
    for (int i = 0; states[i]; i++)
        known |= strcmp(state, states[i]) == 0;
    if (!known)
        return dn_err_set(err, -EINVAL, "state",
                          "state must be pending, sending, delivered or dead");
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               DELIVERY_SELECT "WHERE (?1 = '' OR d.state = ?1) AND d.id > ?2 "
                               "ORDER BY d.id LIMIT ?3",
                               &st, "webhooks: list", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, limit);
    json_t *list = json_array();
    int step = SQLITE_DONE;
    while (list && (step = sqlite3_step(st)) == SQLITE_ROW)
        if (json_array_append_new(list, delivery_from_row(st)) < 0) {
            json_decref(list);
            list = NULL;
        }
    if (!list)
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
    else if (step != SQLITE_DONE) {
        rc = store_ext_fail(db, step, "webhooks: list", err);
        json_decref(list);
        list = NULL;
    }
    sqlite3_finalize(st);
    *out = list;
    return rc;
}

static int read_delivery(sqlite3 *db, int64_t id, json_t **out, char *state, size_t size,
                         dn_err *err)
{
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db, DELIVERY_SELECT "WHERE d.id = ?1", &st, "webhooks: read",
                               err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        if (state)
            store_ext_column_text(st, 5, state, size);
        if (out && !(*out = delivery_from_row(st)))
            rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = dn_err_set(err, -ENOENT, "id", "no webhook delivery %lld", (long long)id);
    } else {
        rc = store_ext_fail(db, step, "webhooks: read", err);
    }
    sqlite3_finalize(st);
    return rc;
}

int webhooks_replay(dn_store *store, int64_t id, json_t **out, dn_err *err)
{
    *out = NULL;
    sqlite3 *db = store_ext_db(store, "webhooks", err);
    if (!db)
        return -ENOTSUP;
    char state[16];
    int rc = read_delivery(db, id, NULL, state, sizeof state, err);
    if (rc)
        return rc;
    if (strcmp(state, "dead") && strcmp(state, "delivered"))
        return dn_err_set(err, -EEXIST, "id", "webhook delivery %lld is %s: it will be sent "
                          "anyway", (long long)id, state);
    sqlite3_stmt *st;
    rc = store_ext_prepare(db,
                           "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, "
                           "next_attempt_at = 0, last_error = NULL, last_status = NULL WHERE "
                           "id = ?1",
                           &st, "webhooks: replay", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = store_ext_run(db, st, "webhooks: replay", err)))
        return rc;
    return read_delivery(db, id, out, NULL, 0, err);
}
