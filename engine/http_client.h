/*
 * http_client.h — a small asynchronous HTTP POST client: libcurl's multi
 * socket interface driven by the libevent loop (one event per socket, one
 * timer, finished transfers drained after every action), as a plain "POST
 * this, call me back" for the channel modules (voice, chat, CRM webhooks).
 * It is a thin layer over channels/http_async.c, the one transport every
 * driver shares.
 *
 * Runs on the loop's thread only.
 */
#ifndef DN_HTTP_CLIENT_H
#define DN_HTTP_CLIENT_H

#include <stddef.h>

#include "common.h"

struct event_base;

typedef struct dn_http_client dn_http_client;

/* Completion of one request: status is the HTTP status when a response
 * arrived (error NULL) and body its first bytes (at most
 * 16 KiB, NUL-terminated, valid during the call only), else 0
 * with body "" and error saying what failed (connection refused, timeout).
 * Called exactly once per accepted request, always from the event loop
 * (never from inside http_post). When the client is freed with requests
 * pending, each gets status DN_HTTP_CANCELLED: the owner frees its state
 * and does nothing else (the loop and its peers are going away). */
#define DN_HTTP_CANCELLED (-1L)
/* status when the request went out but no complete answer came back (a
 * timeout after sending, a dropped connection): the peer may have acted on
 * it, so a sender must not repeat it blindly. error says what happened. */
#define DN_HTTP_UNKNOWN (-2L)
typedef void (*dn_http_post_fn)(void *arg, long status, const char *body, const char *error);

int  http_client_new(dn_http_client **out, struct event_base *base, dn_err *err);
/* Cancels every pending request (DN_HTTP_CANCELLED) and frees the client. */
void http_client_free(dn_http_client *h);
/* POSTs len bytes of body (copied) to url with headers (NULL-terminated
 * list of "Name: value", copied); the response body is kept up to
 * 16 KiB (the rest is read and dropped). A
 * request that takes longer than timeout_ms fails with a timeout. */
int  http_post(dn_http_client *h, const char *url, const char *const *headers, const char *body,
               size_t len, long timeout_ms, dn_http_post_fn done, void *arg, dn_err *err);
/* Requests in flight. */
int  http_in_flight(const dn_http_client *h);

#endif
