/*
 * sms_kannel.c — the "kannel" channel driver: SMS through a Kannel gateway's
 * smsbox HTTP interface (GET /cgi-bin/sendsms), with a delivery-report URL
 * pointing back at dunningd (GET /v1/callbacks/kannel, api.c).
 *
 * Config (besides the common keys of channel.h):
 *   "sendsms_url"  required, e.g. "http://127.0.0.1:13013/cgi-bin/sendsms"
 *   "username", "password"  the smsbox sendsms-user
 *   "from"         sender id (optional)
 *   "dlr_url"      required: dunningd's callback, e.g.
 *                  "http://127.0.0.1:8080/v1/callbacks/kannel"; the driver
 *                  adds c=<contact id>, s=<signature> and Kannel's escape
 *                  codes type=%d (the report type), mid=%F (the SMSC's
 *                  message id: smsbox answers a send with no id, so the
 *                  provider id arrives with the reports) and reply=%A (the
 *                  SMSC's words, kept as the reason)
 *   "dlr_mask"     Kannel dlr-mask, default 27 (delivered 1, failed 2,
 *                  accepted by the SMSC 8, rejected by it 16)
 *   "timeout_ms", "connect_timeout_ms"  default 10000 / 3000
 *
 * The text goes out as UTF-8 with coding=0 (GSM-7, Kannel converts) when
 * sms.c finds it fits the GSM-7 alphabet, else coding=2 (UCS-2). smsbox's
 * answer "0: Accepted for delivery" / "3: Queued for later delivery" (HTTP
 * 202) is acceptance; http_async_classify maps everything else, except
 * smsbox's refusals that are about the gateway's set-up rather than the
 * message ("Authorization failed for sendsms", 403; "Sender missing and no
 * global set", 400): every message would get them, so they count as the
 * instance failing (retried, failover) instead of each message failing for
 * good. smsbox has no idempotency key, so this driver does not deduplicate.
 */
#include "channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback_sign.h"
#include "http_async.h"
#include "sms.h"

typedef struct kannel {
    dn_http *http;
    char sendsms_url[512];
    char username[128], password[128], from[32];
    char dlr_url[512];
    long dlr_mask, timeout_ms, connect_timeout_ms;
} kannel;

/* One send in flight (freed in on_done). */
typedef struct kannel_send {
    dn_channel_done_fn done;
    void   *arg;
    int64_t contact_id;
} kannel_send;

static void kannel_close(void *ctx)
{
    kannel *k = ctx;
    if (!k)
        return;
    http_async_free(k->http);
    free(k);
}

static int kannel_init(void **ctx, struct event_base *base, json_t *conf, dn_err *err)
{
    static const char *const known[] = { "sendsms_url", "username", "password", "from",
                                         "dlr_url", "dlr_mask", "timeout_ms",
                                         "connect_timeout_ms", NULL };
    *ctx = NULL;
    if (!base)
        return dn_err_set(err, -EINVAL, "driver", "the kannel driver needs an event loop");
    kannel *k = calloc(1, sizeof *k);
    if (!k)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    k->dlr_mask = 27;
    k->timeout_ms = 10000;
    k->connect_timeout_ms = 3000;
    int rc;
    if ((rc = channel_conf_known_keys(conf, "kannel", known, err)) ||
        (rc = channel_conf_string(conf, "sendsms_url", true, k->sendsms_url,
                                  sizeof k->sendsms_url, err)) ||
        (rc = channel_conf_string(conf, "username", false, k->username, sizeof k->username,
                                  err)) ||
        (rc = channel_conf_string(conf, "password", false, k->password, sizeof k->password,
                                  err)) ||
        (rc = channel_conf_string(conf, "from", false, k->from, sizeof k->from, err)) ||
        (rc = channel_conf_string(conf, "dlr_url", true, k->dlr_url, sizeof k->dlr_url, err)) ||
        (rc = channel_conf_int(conf, "dlr_mask", 0, 63, &k->dlr_mask, err)) ||
        (rc = channel_conf_int(conf, "timeout_ms", 100, 600000, &k->timeout_ms, err)) ||
        (rc = channel_conf_int(conf, "connect_timeout_ms", 50, 600000, &k->connect_timeout_ms,
                               err)) ||
        (rc = http_async_new(base, &k->http, err))) {
        kannel_close(k);
        return rc;
    }
    *ctx = k;
    return 0;
}

/* smsbox's answers (1.4) that refuse every message alike: a set-up fault. */
static bool gateway_refusal(const dn_http_result *r)
{
    static const char *const setup[] = { "Authorization failed", "Sender missing" };
    for (size_t i = 0; r->body && i < sizeof setup / sizeof setup[0]; i++)
        if (strncmp(r->body, setup[i], strlen(setup[i])) == 0)
            return true;
    return false;
}

static void on_done(void *arg, const dn_http_result *r)
{
    kannel_send *ks = arg;
    char detail[300];
    int rc = http_async_classify(r, detail, sizeof detail);
    if (rc == -EPERM && r->curl_code == CURLE_OK && gateway_refusal(r))
        rc = -EAGAIN;
    if (rc == 0) {
        /* keep smsbox's own words ("0: Accepted for delivery") */
        snprintf(detail, sizeof detail, "kannel: %.200s", r->body);
        detail[strcspn(detail, "\r\n")] = '\0';
    }
    ks->done(ks->arg, ks->contact_id, rc, NULL, detail);
    free(ks);
}

/* Appends "&name=<escaped value>" (or "?" first) to the growing URL. */
static int add_param(FILE *url, CURL *easy, bool *first, const char *name, const char *value)
{
    char *escaped = curl_easy_escape(easy, value, 0);
    if (!escaped)
        return -ENOMEM;
    fprintf(url, "%c%s=%s", *first ? '?' : '&', name, escaped);
    *first = false;
    curl_free(escaped);
    return 0;
}

/*
 * Starts GET sendsms for m. Returns 0 (done will be called from the loop)
 * or a negative errno with err filled (done not called): -EINVAL for text
 * that is not UTF-8 or a missing phone number, -ENOMEM.
 */
static int kannel_send_message(void *ctx, const dn_message *m, dn_channel_done_fn done,
                               void *arg, dn_err *err)
{
    kannel *k = ctx;
    dn_sms_info info;
    if (!m->address || !*m->address)
        return dn_err_set(err, -EPERM, "address", "no phone number");
    if (sms_analyse(m->body, &info) < 0)
        return dn_err_set(err, -EPERM, "body", "the SMS text is not valid UTF-8");
    CURL *easy = curl_easy_init();
    kannel_send *ks = malloc(sizeof *ks);
    char *url = NULL;
    size_t url_len = 0;
    FILE *out = open_memstream(&url, &url_len);
    int rc = -ENOMEM;
    if (!easy || !ks || !out)
        goto fail;
    char dlr[sizeof k->dlr_url + 96], sig[DN_CALLBACK_SIG_HEX], number[24];
    callback_sign("dlr", m->contact_id, sig);
    snprintf(dlr, sizeof dlr, "%s%cc=%lld&s=%s&type=%%d&mid=%%F&reply=%%A", k->dlr_url,
             strchr(k->dlr_url, '?') ? '&' : '?', (long long)m->contact_id, sig);
    snprintf(number, sizeof number, "%ld", k->dlr_mask);
    bool first = strchr(k->sendsms_url, '?') == NULL;
    fputs(k->sendsms_url, out);
    if ((k->username[0] && add_param(out, easy, &first, "username", k->username)) ||
        (k->password[0] && add_param(out, easy, &first, "password", k->password)) ||
        (k->from[0] && add_param(out, easy, &first, "from", k->from)) ||
        add_param(out, easy, &first, "to", m->address) ||
        add_param(out, easy, &first, "text", m->body) ||
        add_param(out, easy, &first, "charset", "UTF-8") ||
        add_param(out, easy, &first, "coding", info.coding == DN_SMS_UCS2 ? "2" : "0") ||
        add_param(out, easy, &first, "dlr-mask", number) ||
        add_param(out, easy, &first, "dlr-url", dlr))
        goto fail;
    if (fclose(out) != 0) {
        out = NULL;
        goto fail;
    }
    out = NULL;
    curl_easy_setopt(easy, CURLOPT_URL, url);          /* curl copies it */
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, k->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, k->connect_timeout_ms);
    free(url);
    url = NULL;
    *ks = (kannel_send){ .done = done, .arg = arg, .contact_id = m->contact_id };
    rc = http_async_start(k->http, easy, NULL, NULL, NULL, 0, on_done, ks, err);
    if (rc) {
        free(ks);
        return rc;                          /* easy already freed by http_async_start */
    }
    return 0;
fail:
    if (out)
        fclose(out);
    free(url);
    free(ks);
    if (easy)
        curl_easy_cleanup(easy);
    return dn_err_set(err, rc, NULL, "out of memory building the sendsms request");
}

const dn_channel_driver dn_channel_kannel = {
    .name = "kannel",
    .init = kannel_init,
    .send = kannel_send_message,
    .close = kannel_close,
};
