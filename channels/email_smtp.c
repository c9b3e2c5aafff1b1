/*
 * email_smtp.c — the "smtp" channel driver: e-mail over SMTP with libcurl,
 * run through http_async (the loop never waits for a mail server).
 *
 * Config (besides the common keys of channel.h):
 *   "url"          required: "smtp://host:port" (STARTTLS per "tls") or
 *                  "smtps://host:port" (TLS from the first byte)
 *   "tls"          "none", "starttls" (use it when offered) or
 *                  "starttls_required" (default "starttls")
 *   "ca_file"      CA bundle for verifying the server (default: system)
 *   "username", "password"  SMTP AUTH (optional)
 *   "from"         required sender address, "from_name" its display name
 *   "domain"       right-hand side of Message-IDs (default: from's domain)
 *   "unsubscribe_url"  dunningd's one-click endpoint, e.g.
 *                  "https://dunning.example.com/v1/unsubscribe"; when set,
 *                  every message carries List-Unsubscribe with c=<contact
 *                  id>&s=<signature> and List-Unsubscribe-Post (RFC 8058)
 *   "unsubscribe_mailto"  an extra mailto: address for List-Unsubscribe
 *   "timeout_ms", "connect_timeout_ms"  default 30000 / 5000
 *
 * The message (RFC 5322 + MIME): Date, From, To, Subject (RFC 2047
 * encoded-words when not plain ASCII), Message-ID
 * <idempotency key.contact id@domain> (so the same contact always has the
 * same id; bounces name it), MIME-Version, the List-Unsubscribe pair, and
 * multipart/alternative with text/plain and text/html parts, both UTF-8 in
 * base64. The HTML part is the text escaped, paragraphs on blank lines.
 * The provider id recorded is the Message-ID. SMTP has no idempotency key,
 * so the driver does not deduplicate.
 */
#include "channel.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callback_sign.h"
#include "http_async.h"

typedef struct smtp {
    dn_http *http;
    char url[512];
    long use_ssl;                    /* CURLUSESSL_* */
    char ca_file[512];
    char username[128], password[128];
    char from[256], from_name[128], domain[128];
    char unsubscribe_url[512], unsubscribe_mailto[256];
    long timeout_ms, connect_timeout_ms;
} smtp;

typedef struct smtp_send {
    dn_channel_done_fn done;
    void   *arg;
    int64_t contact_id;
    char    message_id[300];
} smtp_send;

static void smtp_close(void *ctx)
{
    smtp *s = ctx;
    if (!s)
        return;
    http_async_free(s->http);
    free(s);
}

/* An address usable in a header and an SMTP command: local@domain with no
 * space, control character, angle bracket, comma or quote. */
static bool address_ok(const char *a)
{
    const char *at = strchr(a, '@');
    if (!at || at == a || !at[1] || strchr(at + 1, '@'))
        return false;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= ' ' || *p == 127 || strchr("<>,;\"()[]\\", *p))
            return false;
    return true;
}

static int smtp_init(void **ctx, struct event_base *base, json_t *conf, dn_err *err)
{
    static const char *const known[] = { "url", "tls", "ca_file", "username", "password",
                                         "from", "from_name", "domain", "unsubscribe_url",
                                         "unsubscribe_mailto", "timeout_ms",
                                         "connect_timeout_ms", NULL };
    *ctx = NULL;
    if (!base)
        return dn_err_set(err, -EINVAL, "driver", "the smtp driver needs an event loop");
    smtp *s = calloc(1, sizeof *s);
    if (!s)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    char tls[24] = "starttls";
    s->timeout_ms = 30000;
    s->connect_timeout_ms = 5000;
    int rc;
    if ((rc = channel_conf_known_keys(conf, "smtp", known, err)) ||
        (rc = channel_conf_string(conf, "url", true, s->url, sizeof s->url, err)) ||
        (rc = channel_conf_string(conf, "tls", false, tls, sizeof tls, err)) ||
        (rc = channel_conf_string(conf, "ca_file", false, s->ca_file, sizeof s->ca_file, err)) ||
        (rc = channel_conf_string(conf, "username", false, s->username, sizeof s->username,
                                  err)) ||
        (rc = channel_conf_string(conf, "password", false, s->password, sizeof s->password,
                                  err)) ||
        (rc = channel_conf_string(conf, "from", true, s->from, sizeof s->from, err)) ||
        (rc = channel_conf_string(conf, "from_name", false, s->from_name, sizeof s->from_name,
                                  err)) ||
        (rc = channel_conf_string(conf, "domain", false, s->domain, sizeof s->domain, err)) ||
        (rc = channel_conf_string(conf, "unsubscribe_url", false, s->unsubscribe_url,
                                  sizeof s->unsubscribe_url, err)) ||
        (rc = channel_conf_string(conf, "unsubscribe_mailto", false, s->unsubscribe_mailto,
                                  sizeof s->unsubscribe_mailto, err)) ||
        (rc = channel_conf_int(conf, "timeout_ms", 100, 600000, &s->timeout_ms, err)) ||
        (rc = channel_conf_int(conf, "connect_timeout_ms", 50, 600000, &s->connect_timeout_ms,
                               err)))
        goto fail;
    if (strncmp(s->url, "smtp://", 7) != 0 && strncmp(s->url, "smtps://", 8) != 0) {
        rc = dn_err_set(err, -EINVAL, "url", "smtp \"url\" must start with smtp:// or smtps://");
        goto fail;
    }
    if (strcmp(tls, "none") == 0)
        s->use_ssl = CURLUSESSL_NONE;
    else if (strcmp(tls, "starttls") == 0)
        s->use_ssl = CURLUSESSL_TRY;
    else if (strcmp(tls, "starttls_required") == 0)
        s->use_ssl = CURLUSESSL_ALL;
    else {
        rc = dn_err_set(err, -EINVAL, "tls", "smtp \"tls\" must be none, starttls or "
                        "starttls_required, not \"%s\"", tls);
        goto fail;
    }
    if (!address_ok(s->from) ||
        (s->unsubscribe_mailto[0] && !address_ok(s->unsubscribe_mailto))) {
        rc = dn_err_set(err, -EINVAL, address_ok(s->from) ? "unsubscribe_mailto" : "from",
                        "not a plain e-mail address (local@domain)");
        goto fail;
    }
    if (strpbrk(s->from_name, "\r\n") || strpbrk(s->unsubscribe_url, "\r\n <>,")) {
        rc = dn_err_set(err, -EINVAL, s->from_name[0] && strpbrk(s->from_name, "\r\n") ?
                        "from_name" : "unsubscribe_url", "line breaks or delimiters in a "
                        "header value");
        goto fail;
    }
    if (!s->domain[0])
        dn_strlcpy(s->domain, strchr(s->from, '@') + 1, sizeof s->domain);
    if ((rc = http_async_new(base, &s->http, err)))
        goto fail;
    *ctx = s;
    return 0;
fail:
    smtp_close(s);
    return rc;
}

/* True when text needs no encoding in a header: printable ASCII only. */
static bool plain_ascii(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < ' ' || *p > '~')
            return false;
    return true;
}

/* Writes text as RFC 2047 "B" encoded-words of at most 75 characters
 * (45 input bytes each, cut only between UTF-8 characters), separated by
 * folding white space. CR and LF in text become spaces. */
static void write_encoded_words(FILE *out, const char *text)
{
    size_t len = strlen(text);
    size_t at = 0;
    bool first = true;
    if (len == 0)
        return;
    while (at < len) {
        size_t n = len - at > 45 ? 45 : len - at;
        while (n > 0 && at + n < len && ((unsigned char)text[at + n] & 0xC0) == 0x80)
            n--;                           /* do not split a character */
        unsigned char chunk[45];
        unsigned char encoded[64];
        for (size_t i = 0; i < n; i++)
            chunk[i] = text[at + i] == '\r' || text[at + i] == '\n' ? ' ' : (unsigned char)text[at + i];
        EVP_EncodeBlock(encoded, chunk, (int)n);
        fprintf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", encoded);
        first = false;
        at += n;
    }
}

/* Writes a header value that is plain ASCII as is, else encoded-words. */
static void write_header_text(FILE *out, const char *name, const char *text)
{
    fprintf(out, "%s: ", name);
    if (plain_ascii(text))
        fputs(text, out);
    else
        write_encoded_words(out, text);
    fputs("\r\n", out);
}

/* Writes bytes as base64 in lines of 76 characters (57 bytes each). */
static void write_base64(FILE *out, const char *data, size_t len)
{
    unsigned char line[80];
    for (size_t at = 0; at < len; at += 57) {
        size_t n = len - at > 57 ? 57 : len - at;
        EVP_EncodeBlock(line, (const unsigned char *)data + at, (int)n);
        fprintf(out, "%s\r\n", line);
    }
}

/* The HTML alternative: the text escaped, a paragraph per blank-line
 * separated block, line breaks kept; an unsubscribe link at the end. */
static char *html_part(const char *text, const char *unsubscribe)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    fputs("<!DOCTYPE html>\n<html><body>\n<p>", out);
    for (const char *p = text; *p; p++) {
        if (p[0] == '\n' && p[1] == '\n') {
            fputs("</p>\n<p>", out);
            while (p[1] == '\n')
                p++;
        } else if (*p == '\n') {
            fputs("<br>\n", out);
        } else if (*p == '&') {
            fputs("&amp;", out);
        } else if (*p == '<') {
            fputs("&lt;", out);
        } else if (*p == '>') {
            fputs("&gt;", out);
        } else if (*p == '"') {
            fputs("&quot;", out);
        } else if (*p != '\r') {
            fputc(*p, out);
        }
    }
    fputs("</p>\n", out);
    if (unsubscribe && *unsubscribe)
        fprintf(out, "<p style=\"font-size:small\"><a href=\"%s\">Unsubscribe</a></p>\n",
                unsubscribe);
    fputs("</body></html>\n", out);
    if (fclose(out) != 0) {
        free(html);
        return NULL;
    }
    return html;
}

/* Builds the whole message into a new buffer (*len bytes); NULL when out
 * of memory. message_id gets "<...>". */
static char *build_message(const smtp *s, const dn_message *m, size_t *len,
                           char *message_id, size_t id_size)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    char unsubscribe[sizeof s->unsubscribe_url + 96] = "";
    char sig[DN_CALLBACK_SIG_HEX];
    callback_sign("unsubscribe", m->contact_id, sig);
    if (s->unsubscribe_url[0])
        snprintf(unsubscribe, sizeof unsubscribe, "%s%cc=%lld&s=%s", s->unsubscribe_url,
                 strchr(s->unsubscribe_url, '?') ? '&' : '?', (long long)m->contact_id, sig);
    char key[130];
    size_t k = 0;
    for (const char *p = m->idem_key ? m->idem_key : ""; *p && k + 1 < sizeof key; p++) {
        bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        key[k++] = keep ? *p : '_';
    }
    key[k] = '\0';
    snprintf(message_id, id_size, "<%s.%lld@%s>", key[0] ? key : "contact",
             (long long)m->contact_id, s->domain);
    char *html = html_part(m->body ? m->body : "", unsubscribe);
    if (!html)
        return NULL;
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    if (!out) {
        free(html);
        return NULL;
    }
    time_t now = (time_t)m->now;
    struct tm tm;
    gmtime_r(&now, &tm);
    fprintf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
            tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
            tm.tm_sec);
    if (s->from_name[0]) {
        fputs("From: ", out);
        if (plain_ascii(s->from_name) && !strpbrk(s->from_name, "\"\\"))
            fprintf(out, "\"%s\"", s->from_name);
        else
            write_encoded_words(out, s->from_name);
        fprintf(out, " <%s>\r\n", s->from);
    } else {
        fprintf(out, "From: <%s>\r\n", s->from);
    }
    fprintf(out, "To: <%s>\r\n", m->address);
    write_header_text(out, "Subject", m->subject ? m->subject : "");
    fprintf(out, "Message-ID: %s\r\n", message_id);
    fputs("MIME-Version: 1.0\r\n", out);
    if (unsubscribe[0]) {
        fprintf(out, "List-Unsubscribe: <%s>", unsubscribe);
        if (s->unsubscribe_mailto[0])
            fprintf(out, ",\r\n <mailto:%s?subject=unsubscribe>", s->unsubscribe_mailto);
        fputs("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", out);
    }
    fprintf(out, "Content-Type: multipart/alternative; boundary=\"dn-%s\"\r\n\r\n", sig);
    fprintf(out, "--dn-%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n", sig);
    write_base64(out, m->body ? m->body : "", m->body ? strlen(m->body) : 0);
    fprintf(out, "--dn-%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n", sig);
    write_base64(out, html, strlen(html));
    fprintf(out, "--dn-%s--\r\n", sig);
    free(html);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* True when the server refused the session rather than this message: a
 * reply to EHLO, STARTTLS, AUTH or MAIL FROM (libcurl's "Command failed",
 * "STARTTLS denied", "Authentication failed", "MAIL failed"), a denied
 * login, TLS required but refused. Every message would get it. */
static bool session_refused(const dn_http_result *r)
{
    static const char *const session[] = { "Command failed", "STARTTLS denied",
                                           "Authentication failed", "MAIL failed" };
    if (r->curl_code == CURLE_LOGIN_DENIED || r->curl_code == CURLE_USE_SSL_FAILED)
        return true;
    for (size_t i = 0; r->error && i < sizeof session / sizeof session[0]; i++)
        if (strncmp(r->error, session[i], strlen(session[i])) == 0)
            return true;
    return false;
}

/* SMTP outcome: accepted; refused for good (a 5xx reply to RCPT TO or to
 * the message: the recipient or the message itself); may be retried (4xx,
 * no connection, or the server refusing the session — the instance's
 * set-up, so it fails and rests while other instances take over); or
 * unknown (the message went out, no final reply). */
static void on_done(void *arg, const dn_http_result *r)
{
    smtp_send *ss = arg;
    char detail[300];
    int rc;
    if (r->curl_code == CURLE_OK) {
        rc = 0;
        snprintf(detail, sizeof detail, "smtp %ld", r->status);
    } else {
        snprintf(detail, sizeof detail, "smtp %ld: %s (curl %d)", r->status, r->error,
                 (int)r->curl_code);
        if (session_refused(r))
            rc = -EAGAIN;
        else if (r->status >= 500)
            rc = -EPERM;
        else if (r->status >= 400 || r->curl_code == CURLE_COULDNT_CONNECT ||
                 r->curl_code == CURLE_COULDNT_RESOLVE_HOST)
            rc = -EAGAIN;
        else
            rc = r->request_sent ? -ETIMEDOUT : -EAGAIN;
    }
    ss->done(ss->arg, ss->contact_id, rc, rc == 0 ? ss->message_id : NULL, detail);
    free(ss);
}

/* Starts the SMTP transfer of m; 0, or a negative errno (done not called):
 * -EPERM for an address that cannot be used, -ENOMEM. */
static int smtp_send_message(void *ctx, const dn_message *m, dn_channel_done_fn done, void *arg,
                             dn_err *err)
{
    smtp *s = ctx;
    if (!m->address || !address_ok(m->address))
        return dn_err_set(err, -EPERM, "address", "not a usable e-mail address");
    smtp_send *ss = calloc(1, sizeof *ss);
    CURL *easy = curl_easy_init();
    size_t len = 0;
    char *message = ss ? build_message(s, m, &len, ss->message_id, sizeof ss->message_id)
                       : NULL;
    char angle[300];
    snprintf(angle, sizeof angle, "<%s>", m->address);
    struct curl_slist *rcpt = curl_slist_append(NULL, angle);
    if (!ss || !easy || !message || !rcpt) {
        free(ss);
        if (easy)
            curl_easy_cleanup(easy);
        free(message);
        curl_slist_free_all(rcpt);
        return dn_err_set(err, -ENOMEM, NULL, "out of memory building the e-mail");
    }
    char from[sizeof s->from + 2];
    snprintf(from, sizeof from, "<%s>", s->from);
    curl_easy_setopt(easy, CURLOPT_URL, s->url);
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(easy, CURLOPT_USE_SSL, s->use_ssl);
    if (s->ca_file[0])
        curl_easy_setopt(easy, CURLOPT_CAINFO, s->ca_file);
    if (s->username[0]) {
        curl_easy_setopt(easy, CURLOPT_USERNAME, s->username);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, s->password);
    }
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, s->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
    ss->done = done;
    ss->arg = arg;
    ss->contact_id = m->contact_id;
    int rc = http_async_start(s->http, easy, rcpt, message, message, len, on_done, ss, err);
    if (rc)
        free(ss);
    return rc;
}

const dn_channel_driver dn_channel_smtp = {
    .name = "smtp",
    .init = smtp_init,
    .send = smtp_send_message,
    .close = smtp_close,
};
