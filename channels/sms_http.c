/*
 * sms_http.c — the "http_sms" channel driver: a generic HTTP SMS provider
 * API, one POST per message as JSON or as an HTML form.
 *
 * Config (besides the common keys of channel.h):
 *   "url"            required, the provider's send endpoint
 *   "format"         "json" (default) or "form"
 *   "from"           sender id (optional; sent as from_field)
 *   "to_field", "text_field", "from_field", "reference_field"
 *                    names of the request members; defaults "to", "text",
 *                    "from", "reference" (the contact's idempotency key)
 *   "status_url"     dunningd's status callback (POST /v1/callbacks/sms);
 *                    when set, sent as status_field (default "status_url")
 *                    with c=<contact id>&s=<signature> added
 *   "status_field"
 *   "headers"        {"Name": "value"} added to every request (API keys)
 *   "idempotency_header"  e.g. "Idempotency-Key": the idempotency key is
 *                    sent in it, and the instance counts as deduplicating
 *                    (crash recovery and unknown outcomes send again with
 *                    the same key)
 *   "id_field"       member of a JSON reply holding the provider's message
 *                    id (default "id"; a number or a string)
 *   "timeout_ms", "connect_timeout_ms"  default 10000 / 3000
 */
#include "channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback_sign.h"
#include "http_async.h"

#define SMS_HTTP_HEADERS_MAX 16

typedef struct http_sms {
    dn_http *http;
    char url[512];
    bool form;
    char from[32];
    char to_field[32], text_field[32], from_field[32], reference_field[32];
    char status_url[512], status_field[32];
    char idempotency_header[64];
    char id_field[32];
    char headers[SMS_HTTP_HEADERS_MAX][256];   /* "Name: value" */
    int  n_headers;
    long timeout_ms, connect_timeout_ms;
} http_sms;

typedef struct http_sms_send {
    dn_channel_done_fn done;
    void   *arg;
    int64_t contact_id;
    char    id_field[32];
} http_sms_send;

static void http_sms_close(void *ctx)
{
    http_sms *h = ctx;
    if (!h)
        return;
    http_async_free(h->http);
    free(h);
}

/* A header name is a token; a value has no CR, LF or NUL. */
static bool header_ok(const char *name, const char *value)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (*p <= ' ' || *p == ':' || *p >= 127)
            return false;
    return strpbrk(value, "\r\n") == NULL;
}

static int http_sms_init(void **ctx, struct event_base *base, json_t *conf, dn_err *err)
{
    static const char *const known[] = { "url", "format", "from", "to_field", "text_field",
                                         "from_field", "reference_field", "status_url",
                                         "status_field", "headers", "idempotency_header",
                                         "id_field", "timeout_ms", "connect_timeout_ms", NULL };
    *ctx = NULL;
    if (!base)
        return dn_err_set(err, -EINVAL, "driver", "the http_sms driver needs an event loop");
    http_sms *h = calloc(1, sizeof *h);
    if (!h)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    char format[8] = "json";
    dn_strlcpy(h->to_field, "to", sizeof h->to_field);
    dn_strlcpy(h->text_field, "text", sizeof h->text_field);
    dn_strlcpy(h->from_field, "from", sizeof h->from_field);
    dn_strlcpy(h->reference_field, "reference", sizeof h->reference_field);
    dn_strlcpy(h->status_field, "status_url", sizeof h->status_field);
    dn_strlcpy(h->id_field, "id", sizeof h->id_field);
    h->timeout_ms = 10000;
    h->connect_timeout_ms = 3000;
    int rc;
    if ((rc = channel_conf_known_keys(conf, "http_sms", known, err)) ||
        (rc = channel_conf_string(conf, "url", true, h->url, sizeof h->url, err)) ||
        (rc = channel_conf_string(conf, "format", false, format, sizeof format, err)) ||
        (rc = channel_conf_string(conf, "from", false, h->from, sizeof h->from, err)) ||
        (rc = channel_conf_string(conf, "to_field", false, h->to_field, sizeof h->to_field,
                                  err)) ||
        (rc = channel_conf_string(conf, "text_field", false, h->text_field,
                                  sizeof h->text_field, err)) ||
        (rc = channel_conf_string(conf, "from_field", false, h->from_field,
                                  sizeof h->from_field, err)) ||
        (rc = channel_conf_string(conf, "reference_field", false, h->reference_field,
                                  sizeof h->reference_field, err)) ||
        (rc = channel_conf_string(conf, "status_url", false, h->status_url,
                                  sizeof h->status_url, err)) ||
        (rc = channel_conf_string(conf, "status_field", false, h->status_field,
                                  sizeof h->status_field, err)) ||
        (rc = channel_conf_string(conf, "idempotency_header", false, h->idempotency_header,
                                  sizeof h->idempotency_header, err)) ||
        (rc = channel_conf_string(conf, "id_field", false, h->id_field, sizeof h->id_field,
                                  err)) ||
        (rc = channel_conf_int(conf, "timeout_ms", 100, 600000, &h->timeout_ms, err)) ||
        (rc = channel_conf_int(conf, "connect_timeout_ms", 50, 600000, &h->connect_timeout_ms,
                               err)))
        goto fail;
    if (strcmp(format, "json") != 0 && strcmp(format, "form") != 0) {
        rc = dn_err_set(err, -EINVAL, "format", "http_sms \"format\" must be \"json\" or "
                        "\"form\", not \"%s\"", format);
        goto fail;
    }
    h->form = strcmp(format, "form") == 0;
    if (h->idempotency_header[0] && !header_ok(h->idempotency_header, "")) {
        rc = dn_err_set(err, -EINVAL, "idempotency_header", "\"%s\" is not a header name",
                        h->idempotency_header);
        goto fail;
    }
    json_t *headers = json_object_get(conf, "headers");
    if (headers) {
        const char *name;
        json_t *value;
        if (!json_is_object(headers) || json_object_size(headers) > SMS_HTTP_HEADERS_MAX) {
            rc = dn_err_set(err, -EINVAL, "headers", "http_sms \"headers\" must be an object "
                            "of at most %d strings", SMS_HTTP_HEADERS_MAX);
            goto fail;
        }
        json_object_foreach(headers, name, value) {
            if (!json_is_string(value) || !header_ok(name, json_string_value(value)) ||
                snprintf(h->headers[h->n_headers], sizeof h->headers[0], "%s: %s", name,
                         json_string_value(value)) >= (int)sizeof h->headers[0]) {
                rc = dn_err_set(err, -EINVAL, "headers", "header \"%s\" must be a valid name "
                                "with a string value under 256 bytes", name);
                goto fail;
            }
            h->n_headers++;
        }
    }
    if ((rc = http_async_new(base, &h->http, err)))
        goto fail;
    *ctx = h;
    return 0;
fail:
    http_sms_close(h);
    return rc;
}

static bool http_sms_deduplicates(void *ctx)
{
    return ((http_sms *)ctx)->idempotency_header[0] != '\0';
}

static void on_done(void *arg, const dn_http_result *r)
{
    http_sms_send *hs = arg;
    char detail[300], id[128] = "";
    int rc = http_async_classify(r, detail, sizeof detail);
    if (rc == 0 && r->body_len) {
        json_t *reply = json_loadb(r->body, r->body_len, 0, NULL);
        json_t *v = json_object_get(reply, hs->id_field);
        if (json_is_string(v))
            dn_strlcpy(id, json_string_value(v), sizeof id);
        else if (json_is_integer(v))
            snprintf(id, sizeof id, "%lld", (long long)json_integer_value(v));
        json_decref(reply);
    }
    hs->done(hs->arg, hs->contact_id, rc, id[0] ? id : NULL, detail);
    free(hs);
}

/* The request body: JSON object or form fields (owned by the caller). */
static char *build_body(const http_sms *h, CURL *easy, const dn_message *m, const char *status)
{
    const char *names[] = { h->to_field, h->text_field, h->from_field, h->reference_field,
                            h->status_field };
    const char *values[] = { m->address, m->body, h->from, m->idem_key, status };
    if (!h->form) {
        json_t *o = json_object();
        for (size_t i = 0; o && i < 5; i++)
            if (values[i] && *values[i] && json_object_set_new(o, names[i],
                                                               json_string(values[i])) < 0) {
                json_decref(o);
                return NULL;
            }
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        return text;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    bool first = true, ok = true;
    for (size_t i = 0; i < 5 && ok; i++) {
        if (!values[i] || !*values[i])
            continue;
        char *escaped = curl_easy_escape(easy, values[i], 0);
        ok = escaped != NULL;
        if (ok)
            fprintf(out, "%s%s=%s", first ? "" : "&", names[i], escaped);
        first = false;
        curl_free(escaped);
    }
    if (fclose(out) != 0 || !ok) {
        free(text);
        return NULL;
    }
    return text;
}

/* Starts the POST for m; 0, or a negative errno with done not called. */
static int http_sms_send_message(void *ctx, const dn_message *m, dn_channel_done_fn done,
                                 void *arg, dn_err *err)
{
    http_sms *h = ctx;
    if (!m->address || !*m->address)
        return dn_err_set(err, -EPERM, "address", "no phone number");
    char status[sizeof h->status_url + 96] = "";
    if (h->status_url[0]) {
        char sig[DN_CALLBACK_SIG_HEX];
        callback_sign("dlr", m->contact_id, sig);
        snprintf(status, sizeof status, "%s%cc=%lld&s=%s", h->status_url,
                 strchr(h->status_url, '?') ? '&' : '?', (long long)m->contact_id, sig);
    }
    CURL *easy = curl_easy_init();
    http_sms_send *hs = malloc(sizeof *hs);
    char *body = easy ? build_body(h, easy, m, status) : NULL;
    struct curl_slist *headers = NULL;
    bool ok = easy && hs && body;
    char line[300];
    snprintf(line, sizeof line, "Content-Type: %s",
             h->form ? "application/x-www-form-urlencoded" : "application/json");
    for (int i = -1; ok && i <= h->n_headers; i++) {
        const char *text = i < 0 ? line : i < h->n_headers ? h->headers[i] : NULL;
        char idem[256];
        if (i == h->n_headers) {
            if (!h->idempotency_header[0])
                break;
            snprintf(idem, sizeof idem, "%s: %s", h->idempotency_header, m->idem_key);
            text = idem;
        }
        struct curl_slist *grown = curl_slist_append(headers, text);
        ok = grown != NULL;
        if (ok)
            headers = grown;
    }
    if (!ok) {
        curl_slist_free_all(headers);
        if (easy)
            curl_easy_cleanup(easy);
        free(body);
        free(hs);
        return dn_err_set(err, -ENOMEM, NULL, "out of memory building the SMS request");
    }
    curl_easy_setopt(easy, CURLOPT_URL, h->url);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, h->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
    *hs = (http_sms_send){ .done = done, .arg = arg, .contact_id = m->contact_id };
    dn_strlcpy(hs->id_field, h->id_field, sizeof hs->id_field);
    int rc = http_async_start(h->http, easy, headers, body, NULL, 0, on_done, hs, err);
    if (rc)
        free(hs);
    return rc;
}

const dn_channel_driver dn_channel_http_sms = {
    .name = "http_sms",
    .init = http_sms_init,
    .send = http_sms_send_message,
    .close = http_sms_close,
    .deduplicates = http_sms_deduplicates,
};
