/* api.c — the HTTP API on evhttp (see api.h and schema/openapi.yaml).
 *
 * One generic callback receives every request, finds its route in
 * api_routes[], checks the token, the query, the body's type, size, depth
 * and syntax, and only then calls the route's handler with everything
 * parsed. A handler's contract: it must send exactly one reply (through
 * reply_json, reply_text or reply_error) before it returns, or defer it to
 * the engine (the rules reload, dn_api_pending); the dispatcher sends a 500
 * if a handler broke that rule. */
#include "api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "bounces.h"
#include "callback_sign.h"
#include "import.h"
#include "json_codec.h"

#define API_LIMIT_DEFAULT 100
#define API_LIMIT_MAX     1000
#define API_PATH_SEGMENTS 8

struct dn_api {
    struct evhttp              *http;
    struct evhttp_bound_socket *socket;
    dn_store                   *store;
    char                      **tokens;
    int                         n_tokens;
    size_t                      max_body, max_bulk_body;
    int                         max_depth;
    dn_api_hooks                hooks;
    void                       *hooks_arg;
    int                         port;
    long                        requests_total;
    long                        responses_by_class[6];   /* index = status / 100 */
};

/* BODY_RAW: any media type, at most API_RAW_BODY_MAX bytes, kept raw
 * (forms posted by mail clients and gateways). BODY_MESSAGE: a mail message
 * (message/rfc822), at most max_body bytes, kept raw. */
typedef enum body_kind { BODY_NONE, BODY_JSON, BODY_BULK, BODY_RAW, BODY_MESSAGE } body_kind;
#define API_RAW_BODY_MAX 8192

/* Everything a handler gets: the request, the decoded path parameter, the
 * query, and the body (parsed JSON for BODY_JSON routes; raw bytes and
 * media type for BODY_BULK). */
typedef struct api_request {
    dn_api                *api;
    struct evhttp_request *req;
    char                   id[DN_ID_MAX];      /* the {id} path segment, decoded */
    struct evkeyvalq       query;
    json_t                *body;
    const char            *raw;
    size_t                 raw_len;
    char                   media_type[64];
    bool                   replied;
    bool                   deferred;           /* the engine replies later (dn_api_pending) */
    const struct api_route *route;             /* the route being served */
} api_request;

/* A reply left to the engine (api.h): the request stays open until then. */
struct dn_api_pending {
    dn_api                *api;
    struct evhttp_request *req;
};

/* Contract for every handler: send exactly one reply before returning, or
 * (the rules reload only) mark the request deferred and hand it to the
 * engine as a dn_api_pending that it answers later. */
typedef void (*api_handler)(api_request *r);

typedef struct api_route {
    enum evhttp_cmd_type method;
    const char          *path;      /* "{id}" matches one non-empty segment */
    api_handler          handler;
    bool                 open;      /* no token needed */
    body_kind            body;
} api_route;

static void handle_healthz(api_request *r);
static void handle_metrics(api_request *r);
static void handle_customer_create(api_request *r);
static void handle_customer_list(api_request *r);
static void handle_customer_get(api_request *r);
static void handle_customer_update(api_request *r);
static void handle_customer_timeline(api_request *r);
static void handle_customer_preview(api_request *r);
static void handle_customer_contactability(api_request *r);
static void handle_customer_promise(api_request *r);
static void handle_customer_invoices(api_request *r);
static void handle_customer_payments(api_request *r);
static void handle_invoice_create(api_request *r);
static void handle_invoice_get(api_request *r);
static void handle_invoice_update(api_request *r);
static void handle_payment_create(api_request *r);
static void handle_import(api_request *r);
static void handle_decision_list(api_request *r);
static void handle_contact_list(api_request *r);
static void handle_rules_get(api_request *r);
static void handle_rules_reload(api_request *r);
static void handle_callback_kannel(api_request *r);
static void handle_callback_sms(api_request *r);
static void handle_callback_email(api_request *r);
static void handle_bounce(api_request *r);
static void handle_unsubscribe_page(api_request *r);
static void handle_unsubscribe(api_request *r);
static void handle_extension(api_request *r);
static void handle_voice_events(api_request *r);

/* The engine's clock (hooks.now), or the wall clock without one. */
static dn_time api_now(const dn_api *api)
{
    return api->hooks.now ? api->hooks.now(api->hooks_arg) : dn_now();
}

/* The one list of routes (tests/integration/test_openapi_routes.py reads it
 * and compares it with schema/openapi.yaml). */
static const api_route api_routes[] = {
    { EVHTTP_REQ_GET,  "/healthz",                      handle_healthz,           true,  BODY_NONE },
    { EVHTTP_REQ_GET,  "/metrics",                      handle_metrics,           true,  BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/customers",                 handle_customer_create,   false, BODY_JSON },
    { EVHTTP_REQ_GET,  "/v1/customers",                 handle_customer_list,     false, BODY_NONE },
    { EVHTTP_REQ_GET,  "/v1/customers/{id}",            handle_customer_get,      false, BODY_NONE },
    { EVHTTP_REQ_PUT,  "/v1/customers/{id}",            handle_customer_update,   false, BODY_JSON },
    { EVHTTP_REQ_PATCH, "/v1/customers/{id}",           handle_customer_update,   false, BODY_JSON },
    { EVHTTP_REQ_GET,  "/v1/customers/{id}/timeline",   handle_customer_timeline, false, BODY_NONE },
    { EVHTTP_REQ_GET,  "/v1/customers/{id}/preview",    handle_customer_preview,  false, BODY_NONE },
    { EVHTTP_REQ_GET,  "/v1/customers/{id}/contactability", handle_customer_contactability, false, BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/customers/{id}/promises",   handle_customer_promise,  false, BODY_JSON },
    { EVHTTP_REQ_GET,  "/v1/customers/{id}/invoices",   handle_customer_invoices, false, BODY_NONE },
    { EVHTTP_REQ_GET,  "/v1/customers/{id}/payments",   handle_customer_payments, false, BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/invoices",                  handle_invoice_create,    false, BODY_JSON },
    { EVHTTP_REQ_GET,  "/v1/invoices/{id}",             handle_invoice_get,       false, BODY_NONE },
    { EVHTTP_REQ_PUT,  "/v1/invoices/{id}",             handle_invoice_update,    false, BODY_JSON },
    { EVHTTP_REQ_PATCH, "/v1/invoices/{id}",            handle_invoice_update,    false, BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/payments",                  handle_payment_create,    false, BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/import",                    handle_import,            false, BODY_BULK },
    { EVHTTP_REQ_GET,  "/v1/decisions",                 handle_decision_list,     false, BODY_NONE },
    { EVHTTP_REQ_GET,  "/v1/contacts",                  handle_contact_list,      false, BODY_NONE },
    { EVHTTP_REQ_GET,  "/v1/rules",                     handle_rules_get,         false, BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/rules/reload",              handle_rules_reload,      false, BODY_NONE },
    { EVHTTP_REQ_GET,  "/v1/callbacks/kannel",          handle_callback_kannel,   true,  BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/callbacks/sms",             handle_callback_sms,      true,  BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/callbacks/email",           handle_callback_email,    false, BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/bounces",                   handle_bounce,            false, BODY_MESSAGE },
    { EVHTTP_REQ_GET,  "/v1/unsubscribe",               handle_unsubscribe_page,  true,  BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/unsubscribe",               handle_unsubscribe,       true,  BODY_RAW },
    /* served by the channel modules through hooks.extension */
    { EVHTTP_REQ_GET,  "/v1/agent/tasks",               handle_extension,         false, BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/agent/tasks/take",          handle_extension,         false, BODY_JSON },
    { EVHTTP_REQ_GET,  "/v1/agent/tasks/{id}",          handle_extension,         false, BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/agent/tasks/{id}/complete", handle_extension,         false, BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/agent/tasks/{id}/snooze",   handle_extension,         false, BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/agent/tasks/{id}/release",  handle_extension,         false, BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/replies",                   handle_extension,         false, BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/voice/events",              handle_voice_events,      true,  BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/chat/telegram/webhook",     handle_extension,         true,  BODY_JSON },
    { EVHTTP_REQ_POST, "/v1/letters/{id}/posted",       handle_extension,         false, BODY_JSON },
    { EVHTTP_REQ_GET,  "/v1/webhooks/deliveries",       handle_extension,         false, BODY_NONE },
    { EVHTTP_REQ_POST, "/v1/webhooks/deliveries/{id}/replay", handle_extension,   false, BODY_NONE },
};
#define API_ROUTE_COUNT (sizeof api_routes / sizeof api_routes[0])

/* ---- replies ---- */

static const char *status_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 503: return "Service Unavailable";
    default:  return "Internal Server Error";
    }
}

static const char *method_name(enum evhttp_cmd_type method)
{
    switch (method) {
    case EVHTTP_REQ_GET:     return "GET";
    case EVHTTP_REQ_POST:    return "POST";
    case EVHTTP_REQ_PUT:     return "PUT";
    case EVHTTP_REQ_DELETE:  return "DELETE";
    case EVHTTP_REQ_HEAD:    return "HEAD";
    case EVHTTP_REQ_PATCH:   return "PATCH";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    default:                 return "OTHER";
    }
}

/* Sends status with the buffer's bytes (taken) as content_type. */
static void send_buffer(api_request *r, int status, const char *content_type,
                        struct evbuffer *out)
{
    struct evkeyvalq *headers = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(headers, "Content-Type", content_type);
    evhttp_add_header(headers, "Cache-Control", "no-store");
    evhttp_send_reply(r->req, status, status_reason(status), out);
    r->api->responses_by_class[status / 100 < 6 ? status / 100 : 5]++;
    r->replied = true;
    dn_log(status >= 500 ? DN_LOG_WARN : DN_LOG_DEBUG, "api", "%s %s -> %d",
           method_name(evhttp_request_get_command(r->req)), evhttp_request_get_uri(r->req),
           status);
}

/* Frees a dumped JSON text once the reply buffer is done with it. */
static void free_dump(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)data);
}

/* Replies with body (a reference taken) as JSON. A NULL body (an encoder
 * ran out of memory) becomes a 500. */
static void reply_json(api_request *r, int status, json_t *body)
{
    struct evbuffer *out = evbuffer_new();
    /* one text, handed to the buffer without a copy (a callback per token
     * costs a buffer append for every brace and comma) */
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    if (out && text && evbuffer_add_reference(out, text, strlen(text), free_dump, NULL) == 0) {
        text = NULL;                       /* the buffer owns it now */
    } else {
        free(text);
        if (out)
            evbuffer_drain(out, evbuffer_get_length(out));
        status = 500;
        if (out)
            evbuffer_add_printf(out, "{\"error\":{\"code\":\"internal\",\"message\":\"out of "
                                     "memory\",\"field\":\"\"}}");
    }
    if (out) {
        evbuffer_add(out, "\n", 1);
        send_buffer(r, status, "application/json", out);
        evbuffer_free(out);
    } else {
        evhttp_send_error(r->req, 500, NULL);
        r->replied = true;
    }
    json_decref(body);
}

/* The error reply: {"error":{"code","message","field"}} plus extra's
 * members (taken; may be NULL) inside "error". */
static void reply_error_extra(api_request *r, int status, const char *code, const char *field,
                              json_t *extra, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void reply_error_extra(api_request *r, int status, const char *code, const char *field,
                              json_t *extra, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_t *error = json_pack("{s:s, s:s, s:s}", "code", code, "message", message, "field",
                              field ? field : "");
    if (error && extra)
        json_object_update(error, extra);
    json_decref(extra);
    if (status == 401)
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "WWW-Authenticate",
                          "Bearer");
    reply_json(r, status, error ? json_pack("{s:o}", "error", error) : NULL);
}

#define reply_error(r, status, code, field, ...) \
    reply_error_extra(r, status, code, field, NULL, __VA_ARGS__)

/* Maps a negative errno from the store, the codec or the importer to the
 * HTTP status and error code the API promises. */
static void reply_failure(api_request *r, int rc, const dn_err *err)
{
    const char *field = err ? err->field : "";
    const char *message = err && err->msg[0] ? err->msg : strerror(-rc);
    switch (rc) {
    case -ENOENT:
        reply_error(r, 404, "not_found", field, "%s", message);
        break;
    case -EEXIST:
        reply_error(r, 409, "conflict", field, "%s", message);
        break;
    case -EINVAL: case -E2BIG: case -ENODATA:
        reply_error(r, 422, json_codec_error_code(rc), field, "%s", message);
        break;
    default:
        dn_log(DN_LOG_ERROR, "api", "store failure: %s (%s)", message, field);
        reply_error(r, 500, "internal", field, "%s", message);
        break;
    }
}

/* A write that names a record that must exist elsewhere (an invoice's
 * customer) is a 422, not a 404: the URL itself was found. */
static void reply_write_failure(api_request *r, int rc, const dn_err *err)
{
    if (rc == -ENOENT)
        reply_error(r, 422, "unknown_reference", err->field, "%s", err->msg);
    else
        reply_failure(r, rc, err);
}

/* ---- query parameters ---- */

/* Reads ?limit= (1..API_LIMIT_MAX, default API_LIMIT_DEFAULT). Replies 422
 * and returns false when it is not a plain number in range. */
static bool query_limit(api_request *r, int *limit)
{
    const char *text = evhttp_find_header(&r->query, "limit");
    *limit = API_LIMIT_DEFAULT;
    if (!text)
        return true;
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 1 || v > API_LIMIT_MAX) {
        reply_error(r, 422, "invalid", "limit", "limit must be an integer from 1 to %d",
                    API_LIMIT_MAX);
        return false;
    }
    *limit = (int)v;
    return true;
}

/* Reads ?after= as an external id cursor ("" = from the start). */
static bool query_after_id(api_request *r, char after[DN_ID_MAX])
{
    const char *text = evhttp_find_header(&r->query, "after");
    if (!dn_strlcpy(after, text ? text : "", DN_ID_MAX)) {
        reply_error(r, 422, "invalid", "after", "after is not a cursor this API returned");
        return false;
    }
    return true;
}

/* ---- pagination ---- */

/* Turns one store row (column names) into the API's shape of the record
 * (json_codec.h encoders), so a list item looks like the single GET. */
typedef json_t *(*row_normalizer)(api_request *r, const json_t *row);

static json_t *customer_from_row(api_request *r, const json_t *row)
{
    dn_customer c;
    const char *id = json_string_value(json_object_get(row, "external_id"));
    if (!id || r->api->store->ops->get_customer(r->api->store->ctx, id, &c, NULL) < 0)
        return NULL;
    return customer_to_json(&c);
}

static json_t *invoice_from_row(api_request *r, const json_t *row)
{
    dn_invoice inv;
    const char *id = json_string_value(json_object_get(row, "external_id"));
    if (!id || r->api->store->ops->get_invoice(r->api->store->ctx, id, &inv, NULL) < 0)
        return NULL;
    return invoice_to_json(&inv);
}

/* Payments have no single-record read in store.h: map the row's columns. */
static json_t *payment_from_row(api_request *r, const json_t *row)
{
    dn_payment p;
    const char *invoice = json_string_value(json_object_get(row, "invoice_external_id"));
    const char *kind = json_string_value(json_object_get(row, "kind"));
    memset(&p, 0, sizeof p);
    dn_strlcpy(p.external_id, json_string_value(json_object_get(row, "external_id")) ?: "",
               sizeof p.external_id);
    dn_strlcpy(p.customer_external_id,
               json_string_value(json_object_get(row, "customer_external_id")) ?: "",
               sizeof p.customer_external_id);
    dn_strlcpy(p.invoice_external_id, invoice ? invoice : "", sizeof p.invoice_external_id);
    dn_strlcpy(p.currency, json_string_value(json_object_get(row, "currency")) ?: "",
               sizeof p.currency);
    p.amount_minor = json_integer_value(json_object_get(row, "amount_minor"));
    p.is_credit_note = kind && strcmp(kind, "credit_note") == 0;
    if (dn_date_parse(json_string_value(json_object_get(row, "paid_on")), &p.paid_on) < 0)
        p.paid_on = DN_NO_DATE;
    json_t *out = payment_to_json(&p);
    const json_t *allocated = json_object_get(row, "allocated_minor");
    if (out && json_is_integer(allocated))
        json_object_set_new(out, "allocated_minor", json_copy((json_t *)allocated));
    return out;
}

/* Replies {"items": page, "next": cursor|null} from a store page fetched
 * with limit + 1 rows: the extra row only tells that there is a next page,
 * whose cursor is the key of the last row shown. normalize (may be NULL)
 * reshapes each item. */
static void reply_page(api_request *r, json_t *rows, int limit, const char *key,
                       row_normalizer normalize)
{
    json_t *next = json_null();
    if (!json_is_array(rows)) {
        json_decref(rows);
        json_decref(next);
        reply_error(r, 500, "internal", "", "the store returned no list");
        return;
    }
    for (size_t i = 0; normalize && i < json_array_size(rows) && i < (size_t)limit; i++) {
        json_t *item = normalize(r, json_array_get(rows, i));
        if (!item || json_array_set_new(rows, i, item) < 0) {
            json_decref(rows);
            json_decref(next);
            reply_error(r, 500, "internal", "", "a listed record could not be read back");
            return;
        }
    }
    if (json_array_size(rows) > (size_t)limit) {
        json_t *last = json_object_get(json_array_get(rows, (size_t)limit - 1), key);
        json_decref(next);
        if (json_is_integer(last)) {
            char text[24];
            snprintf(text, sizeof text, "%lld", (long long)json_integer_value(last));
            next = json_string(text);
        } else {
            next = json_is_string(last) ? json_copy(last) : NULL;
        }
        while (json_array_size(rows) > (size_t)limit)
            json_array_remove(rows, json_array_size(rows) - 1);
    }
    reply_json(r, 200, next ? json_pack("{s:o, s:o}", "items", rows, "next", next) : NULL);
    if (!next)
        json_decref(rows);
}

/* ---- handlers: health and metrics ---- */

static void handle_healthz(api_request *r)
{
    int version = 0;
    dn_err err;
    dn_err_clear(&err);
    dn_store *s = r->api->store;
    json_t *rules = r->api->hooks.rules_status ? r->api->hooks.rules_status(r->api->hooks_arg)
                                               : NULL;
    json_t *rules_version = json_object_get(rules, "version");
    json_t *version_value = json_is_string(rules_version) ? json_copy(rules_version) : json_null();
    json_decref(rules);
    if (s->ops->schema_version(s->ctx, &version, &err) < 0) {
        reply_json(r, 503, json_pack("{s:s, s:s, s:o, s:s}", "status", "error", "store",
                                     s->ops->name, "rules_version", version_value, "message",
                                     err.msg));
        return;
    }
    reply_json(r, 200, json_pack("{s:s, s:s, s:o}", "status", "ok", "store", s->ops->name,
                                 "rules_version", version_value));
}

/* Metric and label names keep [A-Za-z0-9_]; anything else becomes '_'. */
static void metric_name(const char *key, char *out, size_t size)
{
    snprintf(out, size, "dunningd_%s", key);
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
}

/* The label that splits a nested counter: contacts by state, decisions by
 * action, channels by channel; anything else by "kind". */
static const char *metric_label(const char *key)
{
    static const struct { const char *key, *label; } labels[] = {
        { "contacts", "state" }, { "decisions", "action" }, { "channels", "channel" },
        { "guard", "verdict" }, { "channel_in_flight", "instance" },
        { "channel_sent_total", "instance" }, { "channel_failed_total", "instance" },
        { "channel_retried_total", "instance" }, { "channel_in_doubt_total", "instance" },
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].key, key) == 0)
            return labels[i].label;
    return "kind";
}

static void metric_value(struct evbuffer *out, const json_t *v)
{
    if (json_is_integer(v))
        evbuffer_add_printf(out, " %lld\n", (long long)json_integer_value(v));
    else if (json_is_real(v))
        evbuffer_add_printf(out, " %.6f\n", json_real_value(v));
    else
        evbuffer_add_printf(out, " %d\n", json_is_true(v) ? 1 : 0);
}

/* A label value with \\, " and newline escaped as the text format wants. */
static void label_escape(struct evbuffer *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            evbuffer_add(out, "\\n", 2);
        else if (*p == '"' || *p == '\\')
            evbuffer_add_printf(out, "\\%c", *p);
        else
            evbuffer_add(out, p, 1);
    }
}

/* Writes every member of counters in Prometheus text format. */
static void metrics_render(struct evbuffer *out, const json_t *counters)
{
    const char *key;
    json_t *value;
    char name[128];
    json_object_foreach((json_t *)counters, key, value) {
        metric_name(key, name, sizeof name);
        size_t n = strlen(name);
        bool counter = n > 6 && strcmp(name + n - 6, "_total") == 0;
        if (json_is_number(value) || json_is_boolean(value)) {
            evbuffer_add_printf(out, "# TYPE %s %s\n%s", name, counter ? "counter" : "gauge",
                                name);
            metric_value(out, value);
        } else if (json_is_string(value)) {
            /* a text fact (a version) as an info series with the value as label */
            evbuffer_add_printf(out, "# TYPE %s gauge\n%s{value=\"", name, name);
            label_escape(out, json_string_value(value));
            evbuffer_add_printf(out, "\"} 1\n");
        } else if (json_is_object(value)) {
            const char *label_value;
            json_t *member;
            evbuffer_add_printf(out, "# TYPE %s %s\n", name, counter ? "counter" : "gauge");
            json_object_foreach(value, label_value, member) {
                if (!json_is_number(member))
                    continue;
                evbuffer_add_printf(out, "%s{%s=\"", name, metric_label(key));
                label_escape(out, label_value);
                evbuffer_add(out, "\"}", 2);
                metric_value(out, member);
            }
        }
    }
}

static void handle_metrics(api_request *r)
{
    dn_err err;
    json_t *stats = NULL;
    dn_store *s = r->api->store;
    dn_err_clear(&err);
    int rc = s->ops->stats(s->ctx, &stats, &err);
    if (rc < 0) {
        reply_failure(r, rc, &err);
        return;
    }
    struct evbuffer *out = evbuffer_new();
    if (!out) {
        json_decref(stats);
        reply_json(r, 500, NULL);
        return;
    }
    metrics_render(out, stats);
    json_decref(stats);
    if (r->api->hooks.metrics_extra) {
        json_t *extra = r->api->hooks.metrics_extra(r->api->hooks_arg);
        metrics_render(out, extra);
        json_decref(extra);
    }
    evbuffer_add_printf(out,
                        "# TYPE dunningd_api_requests_total counter\n"
                        "dunningd_api_requests_total %ld\n"
                        "# TYPE dunningd_api_responses_total counter\n",
                        r->api->requests_total);
    for (int c = 2; c <= 5; c++)
        evbuffer_add_printf(out, "dunningd_api_responses_total{class=\"%dxx\"} %ld\n", c,
                            r->api->responses_by_class[c]);
    send_buffer(r, 200, "text/plain; version=0.0.4; charset=utf-8", out);
    evbuffer_free(out);
}

/* ---- handlers: customers ---- */

/* Replies with the stored customer (status 200 or 201). */
static void reply_customer(api_request *r, int status, const char *external_id)
{
    dn_customer c;
    dn_err err;
    dn_err_clear(&err);
    int rc = r->api->store->ops->get_customer(r->api->store->ctx, external_id, &c, &err);
    if (rc < 0)
        reply_failure(r, rc, &err);
    else
        reply_json(r, status, customer_to_json(&c));
}

/* Decodes body as a record of type and writes it (mode: a POST creates, a
 * PUT or PATCH updates; import.h); replies on failure and returns false,
 * else fills rec and *outcome. */
static bool decode_and_write(api_request *r, dn_record_type type, const json_t *body,
                             dn_write_mode mode, dn_record *rec, dn_upsert_outcome *outcome)
{
    dn_err err;
    dn_err_clear(&err);
    int rc = json_to_record(type, body, rec, &err);
    if (rc < 0) {
        reply_error(r, 422, json_codec_error_code(rc), err.field, "%s", err.msg);
        return false;
    }
    rc = import_write_record(r->api->store, rec, mode, api_now(r->api), outcome, &err);
    if (rc < 0) {
        reply_write_failure(r, rc, &err);
        return false;
    }
    if (*outcome != DN_UPSERT_SAME && r->api->hooks.changed)
        r->api->hooks.changed(r->api->hooks_arg);
    return true;
}

static void handle_customer_create(api_request *r)
{
    dn_record rec;
    dn_upsert_outcome outcome;
    if (decode_and_write(r, DN_RECORD_CUSTOMER, r->body, DN_WRITE_CREATE, &rec, &outcome))
        reply_customer(r, outcome == DN_UPSERT_CREATED ? 201 : 200, rec.as.customer.external_id);
}

static void handle_customer_list(api_request *r)
{
    char after[DN_ID_MAX];
    int limit;
    json_t *rows = NULL;
    dn_err err;
    dn_err_clear(&err);
    if (!query_limit(r, &limit) || !query_after_id(r, after))
        return;
    int rc = r->api->store->ops->list_customers(r->api->store->ctx, after, limit + 1, &rows, &err);
    if (rc < 0)
        reply_failure(r, rc, &err);
    else
        reply_page(r, rows, limit, "external_id", customer_from_row);
}

static void handle_customer_get(api_request *r)
{
    reply_customer(r, 200, r->id);
}

/* Merges the body over current (a record as its encoder wrote it) for a
 * PUT or PATCH: keys in the body replace those in current; an external_id in the
 * body must be the one in the path. Replies and returns false on a
 * mismatch. */
static bool merge_update(api_request *r, json_t *current)
{
    const json_t *body_id = json_object_get(r->body, "external_id");
    if (!json_is_object(r->body)) {
        reply_error(r, 422, "invalid", "", "the body must be a JSON object");
        return false;
    }
    if (body_id && !(json_is_string(body_id) && strcmp(json_string_value(body_id), r->id) == 0)) {
        reply_error(r, 422, "invalid", "external_id",
                    "external_id in the body must match the id in the path");
        return false;
    }
    if (json_object_update(current, r->body) < 0) {
        reply_json(r, 500, NULL);
        return false;
    }
    return true;
}

static void handle_customer_update(api_request *r)
{
    dn_customer current;
    dn_record rec;
    dn_upsert_outcome outcome;
    dn_err err;
    dn_err_clear(&err);
    int rc = r->api->store->ops->get_customer(r->api->store->ctx, r->id, &current, &err);
    if (rc < 0) {
        reply_failure(r, rc, &err);
        return;
    }
    json_t *merged = customer_to_json(&current);
    if (!merged) {
        reply_json(r, 500, NULL);
        return;
    }
    /* left out, the store's marks stay — except for an address the update
     * changes (record_keep_absent) */
    if (!json_object_get(r->body, "undeliverable"))
        json_object_del(merged, "undeliverable");
    if (merge_update(r, merged) &&
        decode_and_write(r, DN_RECORD_CUSTOMER, merged, DN_WRITE_UPSERT, &rec, &outcome))
        reply_customer(r, 200, r->id);
    json_decref(merged);
}

static void handle_customer_timeline(api_request *r)
{
    json_t *out = NULL;
    dn_err err;
    dn_err_clear(&err);
    int rc = r->api->store->ops->timeline(r->api->store->ctx, r->id, &out, &err);
    if (rc < 0)
        reply_failure(r, rc, &err);
    else
        reply_json(r, 200, out);
}

static void handle_customer_preview(api_request *r)
{
    const char *at_text = evhttp_find_header(&r->query, "at");
    dn_time at = api_now(r->api);
    json_t *out = NULL;
    dn_customer c;
    dn_err err;
    dn_err_clear(&err);
    if (at_text && dn_time_parse(at_text, &at) < 0) {
        reply_error(r, 422, "invalid", "at", "at must be an RFC 3339 time from "
                    "%d-01-01T00:00:00Z to %d-12-31T23:59:59Z, such as 2026-03-01T09:00:00Z",
                    DN_TIME_YEAR_MIN, DN_TIME_YEAR_MAX);
        return;
    }
    int rc = r->api->store->ops->get_customer(r->api->store->ctx, r->id, &c, &err);
    if (rc < 0) {
        reply_failure(r, rc, &err);
        return;
    }
    if (!r->api->hooks.preview) {
        reply_error(r, 503, "unavailable", "", "preview is not available in this process");
        return;
    }
    rc = r->api->hooks.preview(r->api->hooks_arg, r->id, at, &out, &err);
    if (rc < 0)
        reply_failure(r, rc, &err);
    else
        reply_json(r, 200, out);
}

/* GET /v1/customers/{id}/contactability[?at=RFC3339]: the guard's windows
 * and blocks per channel for the next 7 days. */
static void handle_customer_contactability(api_request *r)
{
    const char *at_text = evhttp_find_header(&r->query, "at");
    dn_time at = 0;
    json_t *out = NULL;
    dn_err err;
    dn_err_clear(&err);
    /* before 1970 the contact history (and its "never" of 0) means nothing */
    if (at_text && (dn_time_parse(at_text, &at) < 0 || at < 0)) {
        reply_error(r, 422, "invalid", "at", "at must be an RFC 3339 time from "
                    "1970-01-01T00:00:00Z to %d-12-31T23:59:59Z, such as 2026-03-01T09:00:00Z",
                    DN_TIME_YEAR_MAX);
        return;
    }
    if (!r->api->hooks.contactability) {
        reply_error(r, 503, "unavailable", "", "contactability is not available in this process");
        return;
    }
    int rc = r->api->hooks.contactability(r->api->hooks_arg, r->id, at, &out, &err);
    if (rc < 0)
        reply_failure(r, rc, &err);
    else
        reply_json(r, 200, out);
}

/* POST /v1/customers/{id}/promises {"amount_minor", "currency", "due"}: a
 * promise to pay, pending until its due date; 201 with the promise. */
static void handle_customer_promise(api_request *r)
{
    static const char *const fields[] = { "amount_minor", "currency", "due" };
    const char *key;
    json_t *v;
    if (!json_is_object(r->body)) {
        reply_error(r, 422, "invalid", "", "the body must be a JSON object");
        return;
    }
    json_object_foreach(r->body, key, v) {
        bool known = false;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            known = known || strcmp(key, fields[i]) == 0;
        if (!known) {
            reply_error(r, 422, "invalid", key, "\"%.60s\" is not a field of a promise", key);
            return;
        }
    }
    json_t *amount = json_object_get(r->body, "amount_minor");
    json_t *currency = json_object_get(r->body, "currency");
    json_t *due_v = json_object_get(r->body, "due");
    dn_date due;
    if (!amount) {
        reply_error(r, 422, "required", "amount_minor", "amount_minor is required");
        return;
    }
    if (!json_is_integer(amount) || json_integer_value(amount) <= 0) {
        reply_error(r, 422, "invalid", "amount_minor",
                    "amount_minor must be an integer greater than zero (minor units)");
        return;
    }
    if (!currency) {
        reply_error(r, 422, "required", "currency", "currency is required");
        return;
    }
    if (!json_is_string(currency)) {
        reply_error(r, 422, "invalid", "currency", "currency must be an ISO 4217 code");
        return;
    }
    if (!due_v) {
        reply_error(r, 422, "required", "due", "due is required");
        return;
    }
    if (!json_is_string(due_v) || dn_date_parse(json_string_value(due_v), &due) < 0) {
        reply_error(r, 422, "invalid", "due", "due must be a date YYYY-MM-DD");
        return;
    }
    int64_t id = 0;
    dn_err err;
    dn_err_clear(&err);
    int rc = r->api->store->ops->add_promise(r->api->store->ctx, r->id,
                                             (int64_t)json_integer_value(amount),
                                             json_string_value(currency), due,
                                             api_now(r->api), &id, &err);
    if (rc < 0) {
        reply_failure(r, rc, &err);
        return;
    }
    if (r->api->hooks.changed)
        r->api->hooks.changed(r->api->hooks_arg);
    reply_json(r, 201, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)id,
                                 "customer_id", r->id, "amount_minor",
                                 json_integer_value(amount), "currency",
                                 json_string_value(currency), "due",
                                 json_string_value(due_v), "state", "pending"));
}

/* GET /v1/customers/{id}/invoices and /payments: 404 for an unknown
 * customer, else one page. */
static void customer_sublist(api_request *r, bool invoices)
{
    char after[DN_ID_MAX];
    int limit;
    json_t *rows = NULL;
    dn_customer c;
    dn_err err;
    dn_err_clear(&err);
    dn_store *s = r->api->store;
    if (!query_limit(r, &limit) || !query_after_id(r, after))
        return;
    int rc = s->ops->get_customer(s->ctx, r->id, &c, &err);
    if (rc == 0)
        rc = invoices ? s->ops->list_invoices(s->ctx, r->id, after, limit + 1, &rows, &err)
                      : s->ops->list_payments(s->ctx, r->id, after, limit + 1, &rows, &err);
    if (rc < 0)
        reply_failure(r, rc, &err);
    else
        reply_page(r, rows, limit, "external_id", invoices ? invoice_from_row : payment_from_row);
}

static void handle_customer_invoices(api_request *r)
{
    customer_sublist(r, true);
}

static void handle_customer_payments(api_request *r)
{
    customer_sublist(r, false);
}

/* ---- handlers: invoices and payments ---- */

static void reply_invoice(api_request *r, int status, const char *external_id)
{
    dn_invoice inv;
    dn_err err;
    dn_err_clear(&err);
    int rc = r->api->store->ops->get_invoice(r->api->store->ctx, external_id, &inv, &err);
    if (rc < 0)
        reply_failure(r, rc, &err);
    else
        reply_json(r, status, invoice_to_json(&inv));
}

static void handle_invoice_create(api_request *r)
{
    dn_record rec;
    dn_upsert_outcome outcome;
    if (decode_and_write(r, DN_RECORD_INVOICE, r->body, DN_WRITE_CREATE, &rec, &outcome))
        reply_invoice(r, outcome == DN_UPSERT_CREATED ? 201 : 200, rec.as.invoice.external_id);
}

static void handle_invoice_get(api_request *r)
{
    reply_invoice(r, 200, r->id);
}

static void handle_invoice_update(api_request *r)
{
    dn_invoice current;
    dn_record rec;
    dn_upsert_outcome outcome;
    dn_err err;
    dn_err_clear(&err);
    int rc = r->api->store->ops->get_invoice(r->api->store->ctx, r->id, &current, &err);
    if (rc < 0) {
        reply_failure(r, rc, &err);
        return;
    }
    json_t *merged = invoice_to_json(&current);
    if (!merged) {
        reply_json(r, 500, NULL);
        return;
    }
    json_object_del(merged, "paid_minor");    /* read-only: the store keeps it */
    if (merge_update(r, merged) &&
        decode_and_write(r, DN_RECORD_INVOICE, merged, DN_WRITE_UPSERT, &rec, &outcome))
        reply_invoice(r, 200, r->id);
    json_decref(merged);
}

static void handle_payment_create(api_request *r)
{
    dn_record rec;
    dn_upsert_outcome outcome;
    if (decode_and_write(r, DN_RECORD_PAYMENT, r->body, DN_WRITE_CREATE, &rec, &outcome))
        reply_json(r, outcome == DN_UPSERT_CREATED ? 201 : 200, payment_to_json(&rec.as.payment));
}

/* ---- handlers: bulk import ---- */

static void handle_import(api_request *r)
{
    dn_import_report report;
    dn_record_type type;
    dn_err err;
    int rc;
    dn_err_clear(&err);
    import_report_init(&report);
    if (strcmp(r->media_type, "text/csv") == 0) {
        const char *type_text = evhttp_find_header(&r->query, "type");
        if (json_codec_record_type_parse(type_text, &type) < 0) {
            reply_error(r, 422, type_text ? "invalid" : "required", "type",
                        "a CSV import needs ?type=customer, invoice or payment");
            goto done;
        }
        rc = import_csv_buffer(r->api->store, type, r->raw, r->raw_len, api_now(r->api), &report,
                               &err);
    } else {
        rc = import_ndjson_buffer(r->api->store, r->raw, r->raw_len, r->api->max_depth,
                                  api_now(r->api), &report, &err);
    }
    if (rc < 0) {
        reply_failure(r, rc, &err);
    } else {
        if ((report.created || report.updated) && r->api->hooks.changed)
            r->api->hooks.changed(r->api->hooks_arg);
        reply_json(r, 200, import_report_json(&report));
    }
done:
    import_report_free(&report);
}

/* ---- handlers: decisions and contacts ---- */

static void row_list(api_request *r, const char *table)
{
    const char *after_text = evhttp_find_header(&r->query, "after");
    long long after = 0;
    int limit;
    json_t *rows = NULL;
    dn_err err;
    dn_err_clear(&err);
    if (!query_limit(r, &limit))
        return;
    if (after_text) {
        char *end = NULL;
        errno = 0;
        after = strtoll(after_text, &end, 10);
        if (!*after_text || *end || errno || after < 0) {
            reply_error(r, 422, "invalid", "after", "after is not a cursor this API returned");
            return;
        }
    }
    int rc = r->api->store->ops->list_rows(r->api->store->ctx, table, (int64_t)after, limit + 1,
                                           &rows, &err);
    if (rc < 0)
        reply_failure(r, rc, &err);
    else
        reply_page(r, rows, limit, "id", NULL);
}

static void handle_decision_list(api_request *r)
{
    row_list(r, "decisions");
}

static void handle_contact_list(api_request *r)
{
    row_list(r, "contacts");
}

/* ---- handlers: rules ---- */

static void handle_rules_get(api_request *r)
{
    if (!r->api->hooks.rules_status) {
        reply_error(r, 503, "unavailable", "", "rules status is not available in this process");
        return;
    }
    reply_json(r, 200, r->api->hooks.rules_status(r->api->hooks_arg));
}

/* POST /v1/rules/reload: the new set is built and tested off the loop
 * (the API goes on meanwhile); the reply comes when it is live or refused
 * (api_reply_rules_reload). */
static void handle_rules_reload(api_request *r)
{
    dn_err err;
    dn_err_clear(&err);
    if (!r->api->hooks.rules_reload) {
        reply_error(r, 503, "unavailable", "", "rules reload is not available in this process");
        return;
    }
    dn_api_pending *pending = malloc(sizeof *pending);
    if (!pending) {
        reply_json(r, 500, NULL);
        return;
    }
    pending->api = r->api;
    pending->req = r->req;
    if (r->api->hooks.rules_reload(r->api->hooks_arg, pending, &err) < 0) {
        free(pending);
        reply_error(r, 503, "unavailable", err.field, "%s", err.msg);
        return;
    }
    r->deferred = true;
}

void api_reply_rules_reload(dn_api_pending *pending, int rc, json_t *rules, const dn_err *err)
{
    api_request r;
    memset(&r, 0, sizeof r);
    r.api = pending->api;
    r.req = pending->req;
    free(pending);
    if (rc == 0) {
        reply_json(&r, 200, rules);
        return;
    }
    json_t *extra = rules ? json_pack("{s:o}", "rules", rules) : NULL;
    /* a refused set is the caller's to mend (422); a reload that could not
     * run (out of memory, the server stopping) may be asked for again */
    bool refused = rc == -EINVAL || rc == -E2BIG || rc == -ENOENT || rc == -EIO;
    reply_error_extra(&r, refused ? 422 : 503, refused ? "rules_invalid" : "unavailable",
                      err ? err->field : "", extra, "%s",
                      err && err->msg[0] ? err->msg
                                         : "the rule set did not load; the old one stays live");
}

/* ---- handlers: delivery callbacks and opt-outs ---- */

/* Reads ?c=<contact id>&s=<signature> of a signed callback URL
 * (callback_sign.h). Replies 422 (missing or malformed) or 403 (a
 * signature that does not match) and returns false. */
static bool signed_contact(api_request *r, const char *purpose, int64_t *contact_id)
{
    const char *c = evhttp_find_header(&r->query, "c");
    const char *sig = evhttp_find_header(&r->query, "s");
    char *end = NULL;
    if (!c || !sig) {
        reply_error(r, 422, "required", c ? "s" : "c", "the callback URL needs c (contact id) "
                    "and s (signature), as dunningd issued it");
        return false;
    }
    errno = 0;
    long long id = strtoll(c, &end, 10);
    if (!*c || *end || errno || id <= 0) {
        reply_error(r, 422, "invalid", "c", "c must be a positive contact id");
        return false;
    }
    if (!callback_verify(purpose, id, sig)) {
        reply_error(r, 403, "forbidden", "s", "the signature does not match contact %lld", id);
        return false;
    }
    *contact_id = id;
    return true;
}

/* After a write a report asked for: replies 409 (it contradicts what the
 * contact already is) or the store's failure and returns false; else tells
 * the engine a customer is due and returns true (the caller replies). */
static bool report_written(api_request *r, int rc, dn_err *err)
{
    if (rc == -EALREADY) {
        reply_error(r, 409, "conflict", err->field, "%s", err->msg);
        return false;
    }
    if (rc < 0) {
        reply_failure(r, rc, err);
        return false;
    }
    if (r->api->hooks.changed)
        r->api->hooks.changed(r->api->hooks_arg);
    return true;
}

/* Settles the contact from a report: 200 {"contact_id", "state"}; 404 for
 * an unknown contact, 409 when it is already settled otherwise. */
static void apply_receipt(api_request *r, int64_t contact_id, const char *idem_key,
                          const char *state, const char *reason)
{
    dn_err err;
    dn_err_clear(&err);
    dn_store *s = r->api->store;
    int rc = s->ops->record_receipt(s->ctx, contact_id, idem_key, state, reason,
                                    api_now(r->api), &err);
    if (!report_written(r, rc, &err))
        return;
    reply_json(r, 200, json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id, "state",
                                 state));
}

/* GET /v1/callbacks/kannel?c=&s=&type=N&mid=&reply= — Kannel's delivery
 * report (the dlr-url the kannel driver gave: type %d, mid %F, reply %A).
 * Types are bits: 1 delivered; 2 failed, 16 rejected by the SMSC (also
 * with 32/64 set: expired, unknown) settle the contact; 4 (buffered) and 8
 * (accepted by the SMSC) are intermediate. Every report may name the SMSC's
 * message id (one per part of a long SMS), recorded as the provider id
 * whatever the order: a report that overtakes the send record, or repeats,
 * changes nothing twice. The SMSC's reply is kept in the reason. */
static void handle_callback_kannel(api_request *r)
{
    int64_t contact_id;
    if (!signed_contact(r, "dlr", &contact_id))
        return;
    const char *type_text = evhttp_find_header(&r->query, "type");
    const char *mid = evhttp_find_header(&r->query, "mid");
    const char *smsc_reply = evhttp_find_header(&r->query, "reply");
    char *end = NULL;
    long type = type_text ? strtol(type_text, &end, 10) : -1;
    if (!type_text || !*type_text || *end || type < 0 || type > 255) {
        reply_error(r, 422, type_text ? "invalid" : "required", "type",
                    "type must be Kannel's DLR type (1, 2, 4, 8, 16, ...)");
        return;
    }
    dn_err err;
    dn_err_clear(&err);
    dn_store *s = r->api->store;
    if (mid && *mid) {
        int rc = s->ops->record_provider_id(s->ctx, contact_id, mid, api_now(r->api), &err);
        if (rc == -ENOSPC || rc == -EINVAL) {
            /* the report still settles the contact; the id is only logged */
            dn_log(DN_LOG_WARN, "api", "contact %lld: SMSC message id not recorded: %s",
                   (long long)contact_id, err.msg);
            dn_err_clear(&err);
        } else if (rc < 0) {
            reply_failure(r, rc, &err);
            return;
        }
    }
    char reason[300];
    if (smsc_reply && *smsc_reply && dn_utf8_valid(smsc_reply))
        snprintf(reason, sizeof reason, "kannel delivery report type %ld: %.200s", type,
                 smsc_reply);
    else
        snprintf(reason, sizeof reason, "kannel delivery report type %ld", type);
    if (type & 1)
        apply_receipt(r, contact_id, NULL, "delivered", reason);
    else if (type & (2 | 16))
        apply_receipt(r, contact_id, NULL, "failed", reason);
    else
        reply_json(r, 200, json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id,
                                     "state", "unchanged"));
}

/* POST /v1/callbacks/sms?c=&s= {"status": "delivered"|"failed", "reason"}
 * — the status callback of the http_sms driver's providers. */
static void handle_callback_sms(api_request *r)
{
    int64_t contact_id;
    if (!signed_contact(r, "dlr", &contact_id))
        return;
    const char *status = json_string_value(json_object_get(r->body, "status"));
    json_t *reason = json_object_get(r->body, "reason");
    if (!status || (strcmp(status, "delivered") != 0 && strcmp(status, "failed") != 0)) {
        reply_error(r, 422, status ? "invalid" : "required", "status",
                    "status must be \"delivered\" or \"failed\"");
        return;
    }
    if (reason && !json_is_string(reason)) {
        reply_error(r, 422, "invalid", "reason", "reason must be a string");
        return;
    }
    apply_receipt(r, contact_id, NULL, status, reason ? json_string_value(reason) : NULL);
}

/* Splits a Message-ID the smtp driver made, "<key.ID@domain>", into the
 * contact id; false when it is not one of ours. */
static bool message_id_contact(const char *message_id, int64_t *contact_id, char *key,
                               size_t key_size)
{
    const char *at = message_id ? strrchr(message_id, '@') : NULL;
    if (!at || at == message_id)
        return false;
    const char *dot = at;
    while (dot > message_id && dot[-1] >= '0' && dot[-1] <= '9')
        dot--;
    if (dot == at || dot == message_id || dot[-1] != '.')
        return false;
    long long id = strtoll(dot, NULL, 10);
    if (id <= 0)
        return false;
    /* the idempotency key before ".CONTACT": both must name the same contact */
    const char *start = message_id[0] == '<' ? message_id + 1 : message_id;
    size_t len = (size_t)(dot - 1 - start);
    if (len == 0 || len >= key_size)
        return false;
    memcpy(key, start, len);
    key[len] = '\0';
    *contact_id = id;
    return true;
}

/* POST /v1/callbacks/email {"message_id", "type": "bounce"|"complaint",
 * "permanent": true, "reason"} — bounces and complaints from the mail
 * system (token needed). A permanent bounce fails the contact; a
 * temporary one is only logged as an event; a complaint opts the customer
 * out of e-mail. */
static void handle_callback_email(api_request *r)
{
    const char *message_id = json_string_value(json_object_get(r->body, "message_id"));
    const char *type = json_string_value(json_object_get(r->body, "type"));
    json_t *permanent = json_object_get(r->body, "permanent");
    json_t *reason_value = json_object_get(r->body, "reason");
    int64_t contact_id = 0;
    dn_err err;
    dn_err_clear(&err);
    if (!json_is_object(r->body)) {
        reply_error(r, 422, "invalid", "", "the body must be a JSON object");
        return;
    }
    char idem_key[128];
    if (!message_id_contact(message_id, &contact_id, idem_key, sizeof idem_key)) {
        reply_error(r, 422, message_id ? "invalid" : "required", "message_id",
                    "message_id must be the Message-ID dunningd gave the e-mail, "
                    "like <key.123@example.com>");
        return;
    }
    if (!type || (strcmp(type, "bounce") != 0 && strcmp(type, "complaint") != 0)) {
        reply_error(r, 422, type ? "invalid" : "required", "type",
                    "type must be \"bounce\" or \"complaint\"");
        return;
    }
    if (permanent && !json_is_boolean(permanent)) {
        reply_error(r, 422, "invalid", "permanent", "permanent must be true or false");
        return;
    }
    if (reason_value && !json_is_string(reason_value)) {
        reply_error(r, 422, "invalid", "reason", "reason must be a string");
        return;
    }
    char reason[300];
    snprintf(reason, sizeof reason, "%s%s: %s", type,
             strcmp(type, "bounce") == 0 ? (json_is_false(permanent) ? " (temporary)" : "") : "",
             reason_value ? json_string_value(reason_value) : "no reason given");
    dn_store *s = r->api->store;
    if (strcmp(type, "complaint") == 0) {
        int rc = s->ops->opt_out_by_contact(s->ctx, contact_id, idem_key, DN_OPTOUT_EMAIL,
                                            reason, api_now(r->api), &err);
        if (rc < 0) {
            reply_failure(r, rc, &err);
            return;
        }
        if (r->api->hooks.changed)
            r->api->hooks.changed(r->api->hooks_arg);
        reply_json(r, 200, json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id,
                                     "opt_out", "email"));
        return;
    }
    if (json_is_false(permanent)) {
        reply_json(r, 200, json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id,
                                     "state", "unchanged"));
        return;
    }
    /* a permanent bounce: the address is undeliverable too (as POST /v1/bounces) */
    int rc = s->ops->mark_undeliverable(s->ctx, contact_id, idem_key, reason, api_now(r->api),
                                        &err);
    if (rc < 0) {
        reply_failure(r, rc, &err);
        return;
    }
    apply_receipt(r, contact_id, idem_key, "failed", reason);
}

/* POST /v1/bounces (token; Content-Type message/rfc822): a bounce or a
 * complaint as the mail system delivered it to the sender's address — an
 * MTA hands it over with a pipe to curl (docs/operations.md). bounces.h
 * reads it; the original message's Message-ID names the contact (with its
 * idempotency key, so a guessed id settles nothing). Effects: failed for
 * good (5.x.x) → the contact fails and its address is undeliverable;
 * failed otherwise → the contact fails; delivered → delivered; delayed,
 * relayed, expanded, not-spam → recorded on the customer; a complaint →
 * opt-out of e-mail. 200 {"contact_id", "report", "effect", ...}; 422 for
 * a message that is not such a report (naming the part or field), 404 for
 * an unknown contact, 409 when a report contradicts one before. */
static void handle_bounce(api_request *r)
{
    dn_bounce_report rep;
    dn_err err;
    dn_err_clear(&err);
    int rc = bounce_parse(r->raw, r->raw_len, &rep, &err);
    if (rc == -ENOMEM) {
        reply_failure(r, rc, &err);
        return;
    }
    if (rc < 0) {
        reply_error(r, 422, "invalid", err.field, "%s", err.msg);
        return;
    }
    int64_t contact_id = 0;
    char key[128];
    if (!message_id_contact(rep.message_id, &contact_id, key, sizeof key)) {
        reply_error(r, 422, "unknown_reference", "Message-ID", "the original message <%.200s> "
                    "is not one dunningd sent", rep.message_id);
        return;
    }
    int pick = -1;
    dn_bounce_effect effect = bounce_effect(&rep, &pick);
    const dn_bounce_recipient *to = pick >= 0 ? &rep.recipients[pick] : NULL;
    char reason[400];
    if (to)
        snprintf(reason, sizeof reason, "bounce: %s %s for %s%s%.200s", to->action, to->status,
                 to->final_recipient, to->diagnostic[0] ? ": " : "", to->diagnostic);
    else
        snprintf(reason, sizeof reason, "complaint (%s feedback report)", rep.feedback_type);
    dn_store *s = r->api->store;
    dn_time now = api_now(r->api);
    static const char *const effect_names[] = {
        [DN_BOUNCE_FAILED_PERMANENT] = "failed_address_undeliverable",
        [DN_BOUNCE_FAILED] = "failed", [DN_BOUNCE_DELIVERED] = "delivered",
        [DN_BOUNCE_RECORDED] = "recorded", [DN_BOUNCE_OPT_OUT] = "opt_out",
    };
    switch (effect) {
    case DN_BOUNCE_FAILED_PERMANENT:
        rc = s->ops->record_receipt(s->ctx, contact_id, key, "failed", reason, now, &err);
        if (rc == -EALREADY) {
            /* settled otherwise before; the address is bad all the same */
            dn_err_clear(&err);
            rc = 0;
        }
        if (rc == 0)
            rc = s->ops->mark_undeliverable(s->ctx, contact_id, key, reason, now, &err);
        break;
    case DN_BOUNCE_FAILED:
    case DN_BOUNCE_DELIVERED:
        rc = s->ops->record_receipt(s->ctx, contact_id, key,
                                    effect == DN_BOUNCE_FAILED ? "failed" : "delivered", reason,
                                    now, &err);
        break;
    case DN_BOUNCE_OPT_OUT:
        rc = s->ops->opt_out_by_contact(s->ctx, contact_id, key, DN_OPTOUT_EMAIL, reason, now,
                                        &err);
        break;
    case DN_BOUNCE_RECORDED: {
        json_t *payload = to ? json_pack("{s:s, s:s, s:s, s:s}", "action", to->action,
                                         "status", to->status, "recipient",
                                         to->final_recipient, "diagnostic", to->diagnostic)
                             : json_pack("{s:s}", "feedback_type", rep.feedback_type);
        rc = payload ? s->ops->append_contact_event(s->ctx, contact_id, key,
                                                    to ? "delivery_status" : "feedback_report",
                                                    payload, now, &err)
                     : dn_err_set(&err, -ENOMEM, NULL, "out of memory");
        json_decref(payload);
        break;
    }
    }
    if (!report_written(r, rc, &err))
        return;
    json_t *out = json_pack("{s:I, s:s, s:s}", "contact_id", (json_int_t)contact_id, "report",
                            rep.kind == DN_BOUNCE_DSN ? "delivery-status" : "feedback-report",
                            "effect", effect_names[effect]);
    if (out && to) {
        json_object_set_new(out, "recipient", json_string(to->final_recipient));
        json_object_set_new(out, "action", json_string(to->action));
        json_object_set_new(out, "status", json_string(to->status));
    } else if (out) {
        json_object_set_new(out, "feedback_type", json_string(rep.feedback_type));
    }
    reply_json(r, 200, out);
}

/* GET /v1/unsubscribe?c=&s= — the page a person reaches by clicking the
 * link: a button that POSTs (link scanners that follow every URL must not
 * opt anyone out). */
static void handle_unsubscribe_page(api_request *r)
{
    int64_t contact_id;
    if (!signed_contact(r, "unsubscribe", &contact_id))
        return;
    char sig[DN_CALLBACK_SIG_HEX];
    callback_sign("unsubscribe", contact_id, sig);
    struct evbuffer *out = evbuffer_new();
    if (!out) {
        reply_json(r, 500, NULL);
        return;
    }
    evbuffer_add_printf(out,
                        "<!DOCTYPE html>\n<html><body>\n"
                        "<form method=\"post\" action=\"/v1/unsubscribe?c=%lld&amp;s=%s\">\n"
                        "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\n"
                        "<button type=\"submit\">Unsubscribe from these e-mails</button>\n"
                        "</form>\n</body></html>\n",
                        (long long)contact_id, sig);
    send_buffer(r, 200, "text/html; charset=utf-8", out);
    evbuffer_free(out);
}

/* POST /v1/unsubscribe?c=&s= with "List-Unsubscribe=One-Click" in the
 * body (RFC 8058; a form post or multipart/form-data): the customer of the
 * contact opts out of e-mail; the next decision respects it. */
static void handle_unsubscribe(api_request *r)
{
    int64_t contact_id;
    if (!signed_contact(r, "unsubscribe", &contact_id))
        return;
    bool one_click = false;
    static const char marker[] = "List-Unsubscribe=One-Click";
    if (r->raw_len >= sizeof marker - 1)
        one_click = memmem(r->raw, r->raw_len, marker, sizeof marker - 1) != NULL;
    /* multipart/form-data carries name and value apart */
    if (!one_click && strcmp(r->media_type, "multipart/form-data") == 0)
        one_click = memmem(r->raw, r->raw_len, "List-Unsubscribe", 16) != NULL &&
                    memmem(r->raw, r->raw_len, "One-Click", 9) != NULL;
    if (!one_click) {
        reply_error(r, 422, "required", "List-Unsubscribe", "the body must be "
                    "\"List-Unsubscribe=One-Click\" (RFC 8058)");
        return;
    }
    dn_err err;
    dn_err_clear(&err);
    dn_store *s = r->api->store;
    int rc = s->ops->opt_out_by_contact(s->ctx, contact_id, NULL, DN_OPTOUT_EMAIL,
                                        "one-click unsubscribe (RFC 8058)", api_now(r->api),
                                        &err);
    if (rc < 0) {
        reply_failure(r, rc, &err);
        return;
    }
    if (r->api->hooks.changed)
        r->api->hooks.changed(r->api->hooks_arg);
    reply_json(r, 200, json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id,
                                 "opt_out", "email"));
}

/* ---- handlers: the channel modules (hooks.extension) ---- */

static void handle_extension(api_request *r)
{
    char route[128];
    json_t *reply = NULL;
    dn_err err;
    dn_err_clear(&err);
    if (!r->api->hooks.extension) {
        reply_error(r, 503, "unavailable", "", "this route is not available in this process");
        return;
    }
    json_t *query = json_object();
    struct evkeyval *kv;
    TAILQ_FOREACH(kv, &r->query, next)
        json_object_set_new(query, kv->key, json_string(kv->value));
    json_t *headers = json_object();
    TAILQ_FOREACH(kv, evhttp_request_get_input_headers(r->req), next) {
        char name[64];
        size_t n = 0;
        for (; kv->key[n] && n + 1 < sizeof name; n++)
            name[n] = (char)(kv->key[n] >= 'A' && kv->key[n] <= 'Z' ? kv->key[n] + 32
                                                                    : kv->key[n]);
        name[n] = '\0';
        json_object_set_new(headers, name, json_string(kv->value));
    }
    snprintf(route, sizeof route, "%s %s", method_name(r->route->method), r->route->path);
    int rc = r->api->hooks.extension(r->api->hooks_arg, route, r->id, query, headers, r->body,
                                     &reply, &err);
    json_decref(query);
    json_decref(headers);
    if (rc >= 200 && rc < 300) {
        reply_json(r, rc, reply);
        return;
    }
    json_decref(reply);
    if (rc == -ENOENT && err.field[0] && strcmp(err.field, "id") != 0)
        reply_error(r, 422, "unknown_reference", err.field, "%s", err.msg);
    else if (rc == -ENOTSUP)
        reply_error(r, 503, "unavailable", err.field, "%s", err.msg);
    else if (rc == -EACCES)
        reply_error(r, 401, "unauthorized", err.field, "%s", err.msg);
    else if (rc == -EINVAL)
        reply_error(r, 422, "invalid", err.field, "%s", err.msg);
    else
        reply_failure(r, rc < 0 ? rc : -EIO, &err);
}

static bool authorized(const dn_api *api, struct evhttp_request *req);

/* POST /v1/voice/events: the telephony provider calls back on the URL the
 * voice driver gave it, signed for one contact (?c=&s=, callback_sign.h),
 * so it needs no API token; with a bearer token any call may be reported.
 * A signed callback speaks only for its own contact. */
static void handle_voice_events(api_request *r)
{
    if (!authorized(r->api, r->req)) {
        int64_t contact_id;
        if (!signed_contact(r, "voice", &contact_id))
            return;
        json_t *given = json_object_get(r->body, "contact_id");
        if (given && !(json_is_integer(given) && json_integer_value(given) == contact_id)) {
            reply_error(r, 403, "forbidden", "contact_id",
                        "this callback URL is signed for contact %lld only",
                        (long long)contact_id);
            return;
        }
        if (!given && json_is_object(r->body)) {
            /* a call id of another contact must not ride on this signature */
            json_object_del(r->body, "call_id");
            json_object_set_new(r->body, "contact_id", json_integer(contact_id));
        }
    }
    handle_extension(r);
}

/* ---- dispatch ---- */

typedef enum path_result { PATH_NO_MATCH, PATH_MATCH, PATH_BAD_ID } path_result;

/* Decodes one "{id}" path segment (len bytes at raw) into r->id; NULL when
 * it is an external id, else why not (a phrase after "the id ..."). */
static const char *path_id(const char *segment, size_t len, api_request *r)
{
    char raw[DN_ID_MAX * 3 + 1];
    size_t decoded_size = 0;
    if (len >= sizeof raw)
        return "is longer than 63 bytes";
    memcpy(raw, segment, len);
    raw[len] = '\0';
    char *decoded = evhttp_uridecode(raw, 0, &decoded_size);
    const char *why = NULL;
    if (!decoded)
        why = "cannot be decoded";
    else if (strlen(decoded) != decoded_size)
        why = "must not contain NUL";
    else if (!dn_strlcpy(r->id, decoded, sizeof r->id))
        why = "is longer than 63 bytes";
    else
        why = dn_external_id_problem(r->id);
    free(decoded);
    return why;
}

/* Matches path against pattern segment by segment; "{id}" takes one
 * non-empty segment, percent-decoded into r->id. When the path has the
 * pattern's shape but its id cannot be an external id (too long, NUL, not
 * UTF-8, control characters, white space at either end) the result is
 * PATH_BAD_ID with *why saying what is wrong. */
static path_result path_match(const char *pattern, const char *path, api_request *r,
                              const char **why)
{
    const char *bad = NULL;
    while (*pattern == '/' && *path == '/') {
        pattern++;
        path++;
        size_t plen = strcspn(pattern, "/");
        size_t len = strcspn(path, "/");
        if (plen == 4 && memcmp(pattern, "{id}", 4) == 0) {
            if (len == 0)
                return PATH_NO_MATCH;
            bad = path_id(path, len, r);
        } else if (plen != len || memcmp(pattern, path, len) != 0) {
            return PATH_NO_MATCH;
        }
        pattern += plen;
        path += len;
    }
    if (*pattern != '\0' || *path != '\0')
        return PATH_NO_MATCH;
    if (bad) {
        *why = bad;
        return PATH_BAD_ID;
    }
    return PATH_MATCH;
}

/* The "{id}" segment of a path as sent, for an error message: at most 40
 * bytes, anything but printable ASCII as %XX (the reply must be UTF-8). */
static void path_id_excerpt(const char *pattern, const char *path, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    while (*pattern == '/' && *path == '/') {
        size_t plen = strcspn(pattern + 1, "/"), len = strcspn(path + 1, "/");
        if (plen == 4 && memcmp(pattern + 1, "{id}", 4) == 0) {
            for (size_t i = 0; i < len && i < 40 && used + 4 < size; i++) {
                unsigned char ch = (unsigned char)path[1 + i];
                used += (size_t)snprintf(out + used, size - used,
                                         ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\\'
                                             ? "%c" : "%%%02X", ch);
            }
            if (len > 40 && used + 4 < size)
                snprintf(out + used, size - used, "…");
            return;
        }
        pattern += 1 + plen;
        path += 1 + len;
    }
}

/* Compares in time independent of where the strings differ. */
static bool token_equal(const char *a, size_t a_len, const char *b)
{
    size_t b_len = strlen(b);
    unsigned char diff = a_len != b_len;
    for (size_t i = 0; i < a_len && i < b_len; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static bool authorized(const dn_api *api, struct evhttp_request *req)
{
    const char *header = evhttp_find_header(evhttp_request_get_input_headers(req),
                                            "Authorization");
    if (!header || strncasecmp(header, "Bearer ", 7) != 0)
        return false;
    const char *token = header + 7;
    while (*token == ' ')
        token++;
    size_t len = strlen(token);
    while (len > 0 && token[len - 1] == ' ')
        len--;
    bool ok = false;
    for (int i = 0; i < api->n_tokens; i++)
        ok |= len > 0 && token_equal(token, len, api->tokens[i]);
    return ok;
}

/* The media type of Content-Type, lowercased, without parameters. */
static void request_media_type(struct evhttp_request *req, char *out, size_t size)
{
    const char *header = evhttp_find_header(evhttp_request_get_input_headers(req),
                                            "Content-Type");
    size_t n = 0;
    out[0] = '\0';
    if (!header)
        return;
    while (*header == ' ')
        header++;
    for (; header[n] && header[n] != ';' && header[n] != ' ' && n + 1 < size; n++)
        out[n] = (char)(header[n] >= 'A' && header[n] <= 'Z' ? header[n] + 32 : header[n]);
    out[n] = '\0';
}

/* Checks the body against the route's kind and parses JSON bodies into
 * r->body. Replies and returns false on any problem. */
static bool read_body(api_request *r, body_kind kind)
{
    struct evbuffer *input = evhttp_request_get_input_buffer(r->req);
    size_t len = evbuffer_get_length(input);
    request_media_type(r->req, r->media_type, sizeof r->media_type);
    if (kind == BODY_NONE)
        return true;
    size_t limit = kind == BODY_BULK ? r->api->max_bulk_body
                 : kind == BODY_RAW ? API_RAW_BODY_MAX : r->api->max_body;
    if (len > limit) {
        reply_error(r, 413, "payload_too_large", "", "the body is %zu bytes; at most %zu are "
                    "accepted here", len, limit);
        return false;
    }
    if (kind == BODY_MESSAGE && strcmp(r->media_type, "message/rfc822") != 0 &&
        strcmp(r->media_type, "message/global") != 0) {
        reply_error(r, 415, "unsupported_media_type", "", "Content-Type must be "
                    "message/rfc822: the message as the mail system delivered it");
        return false;
    }
    if (kind == BODY_RAW || kind == BODY_MESSAGE) {
        r->raw = len ? (const char *)evbuffer_pullup(input, -1) : "";
        r->raw_len = len;
        if (len && !r->raw) {
            reply_json(r, 500, NULL);
            return false;
        }
        return true;
    }
    bool json_type = strcmp(r->media_type, "application/json") == 0;
    bool bulk_type = strcmp(r->media_type, "application/x-ndjson") == 0 ||
                     strcmp(r->media_type, "text/csv") == 0;
    if (kind == BODY_JSON ? !json_type : !bulk_type) {
        reply_error(r, 415, "unsupported_media_type", "", "Content-Type must be %s",
                    kind == BODY_JSON ? "application/json"
                                      : "application/x-ndjson or text/csv");
        return false;
    }
    r->raw = len ? (const char *)evbuffer_pullup(input, -1) : "";
    r->raw_len = len;
    if (len && !r->raw) {
        reply_json(r, 500, NULL);
        return false;
    }
    if (kind == BODY_BULK)
        return true;
    if (json_codec_too_deep(r->raw, len, r->api->max_depth)) {
        reply_error(r, 400, "too_deep", "", "the body nests deeper than %d levels",
                    r->api->max_depth);
        return false;
    }
    json_error_t jerr;
    r->body = json_loadb(r->raw, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!r->body) {
        reply_error_extra(r, 400, "malformed_json", "",
                          json_pack("{s:i, s:i}", "line", jerr.line, "column", jerr.column),
                          "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column,
                          jerr.text);
        return false;
    }
    return true;
}

/* The evhttp callback for every request. */
static void api_dispatch(struct evhttp_request *req, void *arg)
{
    dn_api *api = arg;
    api_request r;
    memset(&r, 0, sizeof r);
    r.api = api;
    r.req = req;
    TAILQ_INIT(&r.query);
    api->requests_total++;

    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    const api_route *route = NULL, *bad_id_route = NULL;
    const char *bad_id = NULL;
    char allow[64] = "";
    if (!path) {
        reply_error(&r, 400, "bad_request", "", "the request URI cannot be parsed");
        goto done;
    }
    for (size_t i = 0; i < API_ROUTE_COUNT && !route; i++) {
        const char *why = NULL;
        path_result match = path_match(api_routes[i].path, path, &r, &why);
        if (match == PATH_BAD_ID && !bad_id_route) {
            bad_id_route = &api_routes[i];
            bad_id = why;
        }
        if (match != PATH_MATCH)
            continue;
        if (api_routes[i].method == method)
            route = &api_routes[i];
        else
            snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s",
                     allow[0] ? ", " : "", method_name(api_routes[i].method));
    }
    if (!route && !allow[0] && bad_id_route) {
        char excerpt[200];
        path_id_excerpt(bad_id_route->path, path, excerpt, sizeof excerpt);
        reply_error(&r, 400, "invalid", "id", "the id \"%s\" in the path %s", excerpt, bad_id);
        goto done;
    }
    if (!route && allow[0]) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
        reply_error(&r, 405, "method_not_allowed", "", "%s is not allowed here; use %s",
                    method_name(method), allow);
        goto done;
    }
    if (!route) {
        reply_error(&r, 404, "not_found", "", "no such route");
        goto done;
    }
    if (!route->open && !authorized(api, req)) {
        reply_error(&r, 401, "unauthorized", "", "a valid \"Authorization: Bearer <token>\" "
                                                 "header is required");
        goto done;
    }
    const char *query = evhttp_uri_get_query(uri);
    if (query && evhttp_parse_query_str(query, &r.query) < 0) {
        reply_error(&r, 400, "bad_request", "", "the query string cannot be parsed");
        goto done;
    }
    if (!read_body(&r, route->body))
        goto done;
    r.route = route;
    route->handler(&r);
    if (!r.replied && !r.deferred) {
        dn_log(DN_LOG_ERROR, "api", "handler for %s %s sent no reply", method_name(method),
               route->path);
        reply_error(&r, 500, "internal", "", "the handler sent no reply");
    }
done:
    evhttp_clear_headers(&r.query);
    json_decref(r.body);
}

int api_start(struct event_base *base, const char *addr, int port, dn_store *store,
              const dn_api_config *cfg, const dn_api_hooks *hooks, void *hooks_arg,
              dn_api **out, dn_err *err)
{
    int rc = 0;
    dn_api *api = calloc(1, sizeof *api);
    if (!api)
        return dn_err_set(err, -ENOMEM, "", "out of memory");
    api->store = store;
    api->max_body = cfg && cfg->max_body ? cfg->max_body : DN_API_MAX_BODY_DEFAULT;
    api->max_bulk_body = cfg && cfg->max_bulk_body ? cfg->max_bulk_body
                                                   : DN_API_MAX_BULK_BODY_DEFAULT;
    api->max_depth = cfg && cfg->max_depth > 0 ? cfg->max_depth : DN_API_MAX_DEPTH_DEFAULT;
    if (hooks)
        api->hooks = *hooks;
    api->hooks_arg = hooks_arg;
    if (cfg && cfg->n_tokens > 0) {
        api->tokens = calloc((size_t)cfg->n_tokens, sizeof *api->tokens);
        if (!api->tokens) {
            rc = dn_err_set(err, -ENOMEM, "", "out of memory");
            goto fail;
        }
        for (int i = 0; i < cfg->n_tokens; i++) {
            if (!cfg->tokens[i] || !cfg->tokens[i][0]) {
                rc = dn_err_set(err, -EINVAL, "tokens", "API token %d is empty", i + 1);
                goto fail;
            }
            api->tokens[api->n_tokens] = strdup(cfg->tokens[i]);
            if (!api->tokens[api->n_tokens++]) {
                rc = dn_err_set(err, -ENOMEM, "", "out of memory");
                goto fail;
            }
        }
    }
    api->http = evhttp_new(base);
    if (!api->http) {
        rc = dn_err_set(err, -ENOMEM, "", "cannot create the HTTP server");
        goto fail;
    }
    evhttp_set_allowed_methods(api->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                              EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                              EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_max_body_size(api->http, (ev_ssize_t)api->max_bulk_body);
    evhttp_set_timeout(api->http, 120);
    evhttp_set_gencb(api->http, api_dispatch, api);
    api->socket = evhttp_bind_socket_with_handle(api->http, addr, (ev_uint16_t)port);
    if (!api->socket) {
        rc = dn_err_set(err, -EADDRINUSE, "listen", "cannot listen on %s:%d", addr, port);
        goto fail;
    }
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    api->port = port;
    if (getsockname(evhttp_bound_socket_get_fd(api->socket), (struct sockaddr *)&bound,
                    &bound_len) == 0)
        api->port = bound.ss_family == AF_INET6
                        ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                        : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    dn_log(DN_LOG_INFO, "api", "listening on %s:%d", addr, api->port);
    *out = api;
    return 0;
fail:
    api_stop(api);
    return rc;
}

void api_config_defaults(dn_api_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_body = DN_API_MAX_BODY_DEFAULT;
    cfg->max_bulk_body = DN_API_MAX_BULK_BODY_DEFAULT;
    cfg->max_depth = DN_API_MAX_DEPTH_DEFAULT;
}

int api_port(const dn_api *api)
{
    return api->port;
}

void api_stop(dn_api *api)
{
    if (!api)
        return;
    if (api->http)
        evhttp_free(api->http);
    for (int i = 0; i < api->n_tokens; i++)
        free(api->tokens[i]);
    free(api->tokens);
    free(api);
    bounces_shutdown();             /* GMime's globals, set up by the first bounce */
}
