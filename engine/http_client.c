/* http_client.c — "POST this, call me back" over the shared transport,
 * channels/http_async.c (http_client.h). */
#include "http_client.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "http_async.h"

struct dn_http_client {
    dn_http *transport;
    int      in_flight;
};

/* One request, owned by the transport from http_post to its completion. */
typedef struct post_req {
    dn_http_client *client;
    dn_http_post_fn done;
    void           *arg;
} post_req;

static void on_done(void *arg, const dn_http_result *res)
{
    post_req *r = arg;
    r->client->in_flight--;
    if (res->curl_code == CURLE_ABORTED_BY_CALLBACK) {
        /* the client is being freed with this request still out */
        r->done(r->arg, DN_HTTP_CANCELLED, "", "cancelled: the client is closing");
    } else if (res->curl_code != CURLE_OK) {
        r->done(r->arg, res->request_sent ? DN_HTTP_UNKNOWN : 0, "",
                res->error[0] ? res->error : curl_easy_strerror(res->curl_code));
    } else {
        r->done(r->arg, res->status, res->body ? res->body : "", NULL);
    }
    free(r);
}

int http_client_new(dn_http_client **out, struct event_base *base, dn_err *err)
{
    dn_http_client *h = calloc(1, sizeof *h);
    if (!h)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    int rc = http_async_new(base, &h->transport, err);
    if (rc) {
        free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void http_client_free(dn_http_client *h)
{
    if (!h)
        return;
    http_async_free(h->transport);      /* completes what is still out: CANCELLED */
    free(h);
}

int http_post(dn_http_client *h, const char *url, const char *const *headers, const char *body,
              size_t len, long timeout_ms, dn_http_post_fn done, void *arg, dn_err *err)
{
    post_req *r = malloc(sizeof *r);
    CURL *easy = curl_easy_init();
    struct curl_slist *list = NULL;
    if (!r || !easy)
        goto nomem;
    for (int i = 0; headers && headers[i]; i++) {
        struct curl_slist *l = curl_slist_append(list, headers[i]);
        if (!l)
            goto nomem;
        list = l;
    }
    *r = (post_req){ .client = h, .done = done, .arg = arg };
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    /* the transport takes easy and list, and frees them on failure too */
    int rc = http_async_start(h->transport, easy, list, NULL, NULL, 0, on_done, r, err);
    if (rc) {
        free(r);
        return rc;
    }
    h->in_flight++;
    return 0;
nomem:
    curl_slist_free_all(list);
    if (easy)
        curl_easy_cleanup(easy);
    free(r);
    return dn_err_set(err, -ENOMEM, NULL, "out of memory");
}

int http_in_flight(const dn_http_client *h)
{
    return h->in_flight;
}
