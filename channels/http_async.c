/*
 * http_async.c — curl multi on libevent (see http_async.h).
 *
 * The shape: curl tells us, through the socket callback, which sockets it
 * wants watched for what; we keep one persistent libevent event per socket
 * (stored with curl_multi_assign) and re-arm it when curl changes its
 * mind. curl tells us, through the timer callback, when it wants to be
 * woken; we keep one libevent timer. Whenever either fires we call
 * curl_multi_socket_action and then drain curl_multi_info_read, which is
 * where finished transfers are handed back to their drivers.
 */
#include "http_async.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct transfer {
    dn_http           *http;
    CURL              *easy;
    struct curl_slist *headers;
    void              *owned;
    const char        *upload;
    size_t             upload_len, upload_off;
    dn_http_done_fn    done;
    void              *arg;
    char              *body;               /* grows up to DN_HTTP_BODY_MAX + 1 */
    size_t             body_len, body_cap;
    bool               truncated;
    char               error[CURL_ERROR_SIZE];
    struct transfer   *prev, *next;        /* the running list, for http_async_free */
} transfer;

struct dn_http {
    struct event_base *base;
    CURLM             *multi;
    struct event      *timer;
    transfer          *running_list;
    int                running;
};

/* One watched socket: its event, owned through curl_multi_assign. */
typedef struct watched_socket {
    struct event *event;
} watched_socket;

static void transfer_free(transfer *t)
{
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    free(t->owned);
    free(t->body);
    free(t);
}

/* Calls the transfer's completion with what curl knows and frees it (the
 * caller has taken it off the multi handle and the running list). */
static void complete(transfer *t, CURLcode code, const char *error)
{
    dn_http_result r;
    memset(&r, 0, sizeof r);
    r.curl_code = code;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r.status);
    long request_size = 0;
    curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_size);
    r.request_sent = request_size > 0 || t->upload_off > 0;
    r.body = t->body ? t->body : "";
    r.body_len = t->body_len;
    r.body_truncated = t->truncated;
    r.error = error ? error : t->error[0] ? t->error : (code ? curl_easy_strerror(code) : "");
    t->done(t->arg, &r);
    transfer_free(t);
}

/* Hands every finished transfer back to its driver. The callback may start
 * new transfers; the loop keeps reading until curl has no more messages. */
static void drain_finished(dn_http *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        transfer *t = NULL;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
        curl_multi_remove_handle(h->multi, easy);
        if (t->prev)
            t->prev->next = t->next;
        else
            h->running_list = t->next;
        if (t->next)
            t->next->prev = t->prev;
        h->running--;

        complete(t, code, NULL);
    }
}

static void on_timer_event(evutil_socket_t fd, short what, void *arg)
{
    dn_http *h = arg;
    int running = 0;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain_finished(h);
}

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
    dn_http *h = arg;
    int action = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
    int running = 0;
    curl_multi_socket_action(h->multi, fd, action, &running);
    drain_finished(h);
    if (running <= 0 && evtimer_pending(h->timer, NULL))
        evtimer_del(h->timer);
}

/* curl's CURLMOPT_SOCKETFUNCTION: watch s for what (or stop watching). */
static int on_socket_change(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    dn_http *h = userp;
    watched_socket *w = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (w) {
            event_free(w->event);
            free(w);
            curl_multi_assign(h->multi, s, NULL);
        }
        return 0;
    }
    short flags = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) |
                  (what & CURL_POLL_OUT ? EV_WRITE : 0);
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w)
            return -1;
        w->event = event_new(h->base, s, flags, on_socket_event, h);
        if (!w->event) {
            free(w);
            return -1;
        }
        curl_multi_assign(h->multi, s, w);
    } else {
        event_del(w->event);
        event_assign(w->event, h->base, s, flags, on_socket_event, h);
    }
    return event_add(w->event, NULL) == 0 ? 0 : -1;
}

/* curl's CURLMOPT_TIMERFUNCTION: one timer, re-armed or cancelled. */
static int on_timer_change(CURLM *multi, long timeout_ms, void *userp)
{
    dn_http *h = userp;
    if (timeout_ms < 0) {
        evtimer_del(h->timer);
        return 0;
    }
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    return evtimer_add(h->timer, &tv) == 0 ? 0 : -1;
}

/* Keeps at most DN_HTTP_BODY_MAX bytes of the response body. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;
    size_t room = DN_HTTP_BODY_MAX - t->body_len;
    size_t keep = n < room ? n : room;
    if (keep < n)
        t->truncated = true;
    if (keep == 0)
        return n;
    if (t->body_len + keep + 1 > t->body_cap) {
        size_t cap = t->body_cap ? t->body_cap : 512;
        while (cap < t->body_len + keep + 1)
            cap *= 2;
        if (cap > DN_HTTP_BODY_MAX + 1)
            cap = DN_HTTP_BODY_MAX + 1;
        char *bigger = realloc(t->body, cap);
        if (!bigger)
            return 0;                      /* curl fails the transfer: CURLE_WRITE_ERROR */
        t->body = bigger;
        t->body_cap = cap;
    }
    memcpy(t->body + t->body_len, data, keep);
    t->body_len += keep;
    t->body[t->body_len] = '\0';
    return n;
}

static size_t on_upload(char *buffer, size_t size, size_t nitems, void *userp)
{
    transfer *t = userp;
    size_t room = size * nitems;
    size_t left = t->upload_len - t->upload_off;
    size_t n = left < room ? left : room;
    memcpy(buffer, t->upload + t->upload_off, n);
    t->upload_off += n;
    return n;
}

int http_async_new(struct event_base *base, dn_http **out, dn_err *err)
{
    static bool curl_ready;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return dn_err_set(err, -EIO, NULL, "libcurl cannot be initialised");
        curl_ready = true;
    }
    dn_http *h = calloc(1, sizeof *h);
    if (!h)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    h->base = base;
    h->multi = curl_multi_init();
    h->timer = evtimer_new(base, on_timer_event, h);
    if (!h->multi || !h->timer) {
        http_async_free(h);
        return dn_err_set(err, -ENOMEM, NULL, "cannot create a curl multi handle");
    }
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket_change);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer_change);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    *out = h;
    return 0;
}

void http_async_free(dn_http *h)
{
    if (!h)
        return;
    while (h->running_list) {
        transfer *t = h->running_list;
        h->running_list = t->next;
        h->running--;
        curl_multi_remove_handle(h->multi, t->easy);   /* closes its sockets (REMOVE) */
        complete(t, CURLE_ABORTED_BY_CALLBACK, "stopped before the provider answered");
    }
    if (h->multi)
        curl_multi_cleanup(h->multi);
    if (h->timer)
        event_free(h->timer);
    free(h);
}

int http_async_start(dn_http *h, CURL *easy, struct curl_slist *headers, void *owned,
                     const char *upload, size_t upload_len, dn_http_done_fn done, void *arg,
                     dn_err *err)
{
    transfer *t = calloc(1, sizeof *t);
    if (!t) {
        curl_easy_cleanup(easy);
        curl_slist_free_all(headers);
        free(owned);
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    }
    t->http = h;
    t->easy = easy;
    t->headers = headers;
    t->owned = owned;
    t->upload = upload;
    t->upload_len = upload_len;
    t->done = done;
    t->arg = arg;
    curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)t);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    if (upload) {
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_upload);
        curl_easy_setopt(easy, CURLOPT_READDATA, t);
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload_len);
    }
    CURLMcode mc = curl_multi_add_handle(h->multi, easy);
    if (mc != CURLM_OK) {
        int rc = dn_err_set(err, -EIO, NULL, "curl cannot start the transfer: %s",
                            curl_multi_strerror(mc));
        transfer_free(t);
        return rc;
    }
    t->next = h->running_list;
    if (t->next)
        t->next->prev = t;
    h->running_list = t;
    h->running++;
    return 0;
}

int http_async_running(const dn_http *h)
{
    return h ? h->running : 0;
}

int http_status_outcome(long status)
{
    if (status >= 200 && status < 300)
        return 0;
    if (status >= 500 || status == 401 || status == 407 || status == 408 || status == 429)
        return -EAGAIN;
    return -EPERM;
}

int http_async_classify(const dn_http_result *r, char *detail, size_t size)
{
    if (r->curl_code == CURLE_OK) {
        int rc = http_status_outcome(r->status);
        if (rc == 0)
            snprintf(detail, size, "HTTP %ld", r->status);
        else
            snprintf(detail, size, "HTTP %ld: %.200s", r->status, r->body ? r->body : "");
        return rc;
    }
    snprintf(detail, size, "%s (curl %d)", r->error, (int)r->curl_code);
    switch (r->curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return -EAGAIN;                    /* nothing reached the provider */
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
        /* the instance's set-up, the same for every message: it fails (and
         * rests), the message may go by another instance */
        return -EAGAIN;
    default:
        return r->request_sent ? -ETIMEDOUT : -EAGAIN;
    }
}
