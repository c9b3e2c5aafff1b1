/*
 * http_async.h — libcurl's multi socket interface driven by a libevent
 * loop: every HTTP(S) or SMTP transfer of the channel drivers runs here, so
 * a slow or dead provider never blocks the loop, the API or the other
 * channels.
 *
 * One dn_http is one curl multi handle (its own connection pool) on one
 * event base; each driver instance owns one. A transfer is an easy handle
 * the driver has configured (URL, method, headers, body, timeouts); the
 * module adds the response capture, takes ownership of everything handed
 * to it, and calls the completion callback exactly once from the loop —
 * never from inside http_async_start.
 */
#ifndef DN_HTTP_ASYNC_H
#define DN_HTTP_ASYNC_H

#include <curl/curl.h>

#include "common.h"

struct event_base;

typedef struct dn_http dn_http;

/* The response kept for a transfer: at most DN_HTTP_BODY_MAX bytes of
 * body (longer bodies are cut and body_truncated set); NUL-terminated. */
#define DN_HTTP_BODY_MAX 16384

typedef struct dn_http_result {
    CURLcode    curl_code;             /* CURLE_OK when a response arrived */
    long        status;                /* HTTP status or SMTP reply code; 0 if none */
    const char *body;                  /* valid only during the callback */
    size_t      body_len;
    bool        body_truncated;
    bool        request_sent;          /* the request reached the peer (for the
                                          "may have been accepted" question) */
    const char *error;                 /* curl's error text, "" when none */
} dn_http_result;

/* Completion: called exactly once per started transfer, from the loop —
 * or from http_async_free for a transfer still running then, with
 * curl_code CURLE_ABORTED_BY_CALLBACK (request_sent tells whether the
 * provider may have it). The callback must not start transfers then. */
typedef void (*dn_http_done_fn)(void *arg, const dn_http_result *result);

/* Creates a multi handle driven by base. Returns 0 or -ENOMEM. */
int  http_async_new(struct event_base *base, dn_http **out, dn_err *err);
/* Aborts running transfers, calling each one's completion as said above,
 * and frees everything; NULL is fine. */
void http_async_free(dn_http *h);

/* Starts a transfer. Takes ownership of easy, headers (may be NULL; set as
 * CURLOPT_HTTPHEADER or CURLOPT_MAIL_RCPT by the caller beforehand) and
 * owned (a buffer freed when the transfer ends, e.g. a POST body the easy
 * handle points at; may be NULL). upload/upload_len, when upload is not
 * NULL, is sent as the request body through a read callback (SMTP DATA);
 * upload must point into owned. On failure (-ENOMEM, -EIO) everything
 * handed over is freed and done is not called. */
int  http_async_start(dn_http *h, CURL *easy, struct curl_slist *headers, void *owned,
                      const char *upload, size_t upload_len, dn_http_done_fn done, void *arg,
                      dn_err *err);

/* Transfers running now. */
int  http_async_running(const dn_http *h);

/* What an HTTP provider's status says about a message, in channel.h's
 * terms, for every HTTP driver alike: 0 accepted (2xx); -EAGAIN not
 * accepted, may be retried — the provider's state, not the message's: 5xx,
 * 408, 429, and 401/407 (it did not accept our credentials: every message
 * would fail the same way, so the instance counts a failure and the
 * channel's other instances take over, rather than each message failing
 * for good); -EPERM refused for good (any other 4xx, or anything else). */
int  http_status_outcome(long status);

/* The delivery outcome of an HTTP provider's reply: http_status_outcome
 * for a response; for none, -EAGAIN when nothing reached the provider
 * (could not resolve or connect) or the instance's set-up failed (a
 * malformed URL, a denied login, TLS required but refused), else
 * -ETIMEDOUT (unknown: the request went out but no complete answer came
 * back, it may have been accepted). detail gets a short explanation. */
int  http_async_classify(const dn_http_result *r, char *detail, size_t size);

#endif
