/* http_client.c — libcurl multi on libevent (http_client.h). */
#include "http_client.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

struct dn_http {
    struct event_base *base;
    CURLM             *multi;
    struct event      *timer;
    int                in_flight;
    struct http_req   *pending;       /* every request added and not yet finished */
};

/* One transfer; owned by the client from http_post until its completion. */
typedef struct http_req {
    struct http_req   *next, *prev;
    dn_http           *h;
    CURL              *easy;
    struct curl_slist *headers;
    dn_http_done_fn    done;
    void              *arg;
    char               error[CURL_ERROR_SIZE];
    char               body[DN_HTTP_BODY_MAX + 1];
    size_t             body_len;
} http_req;

/* One socket libcurl asked us to watch. */
typedef struct http_sock {
    struct event *ev;
} http_sock;

static void req_free(http_req *r)
{
    curl_slist_free_all(r->headers);
    curl_easy_cleanup(r->easy);
    free(r);
}

static void unlink_req(http_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        r->h->pending = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->h->in_flight--;
}

/* Drains finished transfers and calls their completions. */
static void drain_done(dn_http *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        http_req *r = NULL;
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
        long status = 0;
        if (result == CURLE_OK)
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        curl_multi_remove_handle(h->multi, easy);
        unlink_req(r);
        const char *error = NULL;
        if (result != CURLE_OK)
            error = r->error[0] ? r->error : curl_easy_strerror(result);
        r->body[r->body_len] = '\0';
        r->done(r->arg, status, error ? "" : r->body, error);
        req_free(r);
    }
}

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
    dn_http *h = arg;
    int action = ((what & EV_READ) ? CURL_CSELECT_IN : 0) |
                 ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(h->multi, fd, action, &running);
    drain_done(h);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    dn_http *h = arg;
    int running;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain_done(h);
}

/* libcurl: watch socket s for `what` (or stop watching it). */
static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    dn_http *h = userp;
    http_sock *sk = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (sk) {
            event_free(sk->ev);
            free(sk);
            curl_multi_assign(h->multi, s, NULL);
        }
        return 0;
    }
    short flags = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
                  ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (!sk) {
        sk = calloc(1, sizeof *sk);
        if (!sk)
            return -1;
        curl_multi_assign(h->multi, s, sk);
    } else {
        event_free(sk->ev);
    }
    sk->ev = event_new(h->base, s, flags, on_socket_event, h);
    if (!sk->ev || event_add(sk->ev, NULL) < 0)
        return -1;
    return 0;
}

/* libcurl: call us back in timeout_ms (-1 = no timer). */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    dn_http *h = userp;
    if (timeout_ms < 0) {
        evtimer_del(h->timer);
        return 0;
    }
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    return evtimer_add(h->timer, &tv) < 0 ? -1 : 0;
}

/* Keeps the first DN_HTTP_BODY_MAX bytes of the response. */
static size_t keep_body(char *data, size_t size, size_t n, void *arg)
{
    http_req *r = arg;
    size_t len = size * n, room = DN_HTTP_BODY_MAX - r->body_len;
    size_t take = len < room ? len : room;
    memcpy(r->body + r->body_len, data, take);
    r->body_len += take;
    return len;
}

int http_client_new(dn_http **out, struct event_base *base, dn_err *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return dn_err_set(err, -EIO, NULL, "libcurl did not initialise");
    dn_http *h = calloc(1, sizeof *h);
    if (!h) {
        curl_global_cleanup();
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    }
    h->base = base;
    h->multi = curl_multi_init();
    h->timer = evtimer_new(base, on_timer, h);
    if (!h->multi || !h->timer) {
        http_client_free(h);
        return dn_err_set(err, -ENOMEM, NULL, "cannot create the HTTP client");
    }
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    *out = h;
    return 0;
}

void http_client_free(dn_http *h)
{
    if (!h)
        return;
    if (h->multi) {
        /* pending transfers: detach, let their owners free their state */
        while (h->pending) {
            http_req *r = h->pending;
            curl_multi_remove_handle(h->multi, r->easy);
            unlink_req(r);
            r->done(r->arg, DN_HTTP_CANCELLED, "", "cancelled: the client is closing");
            req_free(r);
        }
        curl_multi_cleanup(h->multi);
    }
    if (h->timer)
        event_free(h->timer);
    free(h);
    curl_global_cleanup();
}

int http_post(dn_http *h, const char *url, const char *const *headers, const char *body,
              size_t len, long timeout_ms, dn_http_done_fn done, void *arg, dn_err *err)
{
    http_req *r = calloc(1, sizeof *r);
    if (!r)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    r->h = h;
    r->done = done;
    r->arg = arg;
    r->easy = curl_easy_init();
    if (!r->easy)
        goto nomem;
    for (int i = 0; headers && headers[i]; i++) {
        struct curl_slist *l = curl_slist_append(r->headers, headers[i]);
        if (!l)
            goto nomem;
        r->headers = l;
    }
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        req_free(r);
        return dn_err_set(err, -EIO, "url", "libcurl refused the request to %s", url);
    }
    h->in_flight++;
    r->next = h->pending;
    if (h->pending)
        h->pending->prev = r;
    h->pending = r;
    return 0;
nomem:
    req_free(r);
    return dn_err_set(err, -ENOMEM, NULL, "out of memory");
}

int http_in_flight(const dn_http *h)
{
    return h->in_flight;
}
