/*
 * test_http_async.c — the delivery outcome of a provider's reply
 * (http_async_classify), one row per case, and real transfers through the
 * curl multi + libevent module against an in-process evhttp server: a
 * 200 with a body, a 503, a refused connection (nothing listening) and a
 * server that accepts but never answers (timeout after the request went
 * out: outcome unknown). Expected outcomes follow channel.h's contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_async.h"

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

static void test_classify_table(void **state)
{
    static const struct {
        CURLcode code;
        long status;
        bool sent;
        int expected;
    } rows[] = {
        { CURLE_OK, 200, true, 0 },
        { CURLE_OK, 202, true, 0 },
        { CURLE_OK, 204, true, 0 },
        { CURLE_OK, 400, true, -EPERM },
        /* our credentials refused (RFC 9110 15.5.2, 15.5.8): the provider's
         * answer to every message alike, so the instance fails, not the message */
        { CURLE_OK, 401, true, -EAGAIN },
        { CURLE_OK, 407, true, -EAGAIN },
        { CURLE_OK, 403, true, -EPERM },
        { CURLE_OK, 404, true, -EPERM },
        { CURLE_OK, 408, true, -EAGAIN },      /* request timeout: retry */
        { CURLE_OK, 422, true, -EPERM },
        { CURLE_OK, 429, true, -EAGAIN },      /* rate limited: retry */
        { CURLE_OK, 500, true, -EAGAIN },
        { CURLE_OK, 503, true, -EAGAIN },
        { CURLE_OK, 301, true, -EPERM },       /* no redirects followed */
        { CURLE_COULDNT_CONNECT, 0, false, -EAGAIN },
        { CURLE_COULDNT_RESOLVE_HOST, 0, false, -EAGAIN },
        /* the instance's set-up: it fails and rests, another may take it */
        { CURLE_URL_MALFORMAT, 0, false, -EAGAIN },
        { CURLE_LOGIN_DENIED, 0, false, -EAGAIN },
        { CURLE_USE_SSL_FAILED, 0, false, -EAGAIN },
        { CURLE_OPERATION_TIMEDOUT, 0, false, -EAGAIN },   /* timed out connecting */
        { CURLE_OPERATION_TIMEDOUT, 0, true, -ETIMEDOUT }, /* sent, no answer */
        { CURLE_GOT_NOTHING, 0, true, -ETIMEDOUT },
        { CURLE_RECV_ERROR, 0, true, -ETIMEDOUT },
        { CURLE_ABORTED_BY_CALLBACK, 0, false, -EAGAIN },
        { CURLE_ABORTED_BY_CALLBACK, 0, true, -ETIMEDOUT },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_http_result r = { .curl_code = rows[i].code, .status = rows[i].status,
                             .body = "x", .body_len = 1, .request_sent = rows[i].sent,
                             .error = "e" };
        char detail[128];
        print_message("row %zu: curl %d, status %ld\n", i, (int)rows[i].code, rows[i].status);
        assert_int_equal(http_async_classify(&r, detail, sizeof detail), rows[i].expected);
        assert_true(detail[0] != '\0');
    }
}

/* ---- real transfers ---- */

typedef struct outcome {
    int  calls;
    int  classified;
    long status;
    char body[64];
} outcome;

static void on_done(void *arg, const dn_http_result *r)
{
    outcome *o = arg;
    char detail[256];
    o->calls++;
    o->classified = http_async_classify(r, detail, sizeof detail);
    o->status = r->status;
    snprintf(o->body, sizeof o->body, "%s", r->body);
}

static void serve(struct evhttp_request *req, void *arg)
{
    const char *uri = evhttp_request_get_uri(req);
    struct evbuffer *out = evbuffer_new();
    if (strcmp(uri, "/ok") == 0) {
        evbuffer_add_printf(out, "{\"id\":\"m1\"}");
        evhttp_send_reply(req, 200, "OK", out);
    } else {
        evhttp_send_reply(req, 503, "Busy", out);
    }
    evbuffer_free(out);
}

static int bound_port(int fd)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    getsockname(fd, (struct sockaddr *)&sin, &len);
    return ntohs(sin.sin_port);
}

static CURL *get(const char *url, long timeout_ms)
{
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    return easy;
}

static void test_transfers_on_the_loop(void **state)
{
    struct event_base *base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, serve, NULL);
    struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
    assert_non_null(bound);
    int port = bound_port(evhttp_bound_socket_get_fd(bound));
    /* a listener that never accepts: connections complete, nothing answers */
    int silent = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(silent, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(listen(silent, 16), 0);
    int silent_port = bound_port(silent);
    /* a port with nothing listening: bind, read the port, close */
    int closed = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(closed, (struct sockaddr *)&sin, sizeof sin), 0);
    int closed_port = bound_port(closed);
    close(closed);

    dn_http *h = NULL;
    dn_err err;
    dn_err_clear(&err);
    assert_int_equal(http_async_new(base, &h, &err), 0);
    outcome ok = { 0 }, busy = { 0 }, refused = { 0 }, hanging = { 0 };
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", port);
    assert_int_equal(http_async_start(h, get(url, 5000), NULL, NULL, NULL, 0, on_done, &ok,
                                      &err), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/busy", port);
    assert_int_equal(http_async_start(h, get(url, 5000), NULL, NULL, NULL, 0, on_done, &busy,
                                      &err), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", closed_port);
    assert_int_equal(http_async_start(h, get(url, 5000), NULL, NULL, NULL, 0, on_done,
                                      &refused, &err), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", silent_port);
    assert_int_equal(http_async_start(h, get(url, 300), NULL, NULL, NULL, 0, on_done,
                                      &hanging, &err), 0);
    /* nothing completes inside start: the callbacks come from the loop */
    assert_int_equal(ok.calls + busy.calls + refused.calls + hanging.calls, 0);
    assert_int_equal(http_async_running(h), 4);
    for (int turns = 0; turns < 10000 && http_async_running(h) > 0; turns++)
        event_base_loop(base, EVLOOP_ONCE);
    assert_int_equal(http_async_running(h), 0);
    assert_int_equal(ok.calls, 1);
    assert_int_equal(ok.classified, 0);
    assert_int_equal(ok.status, 200);
    assert_string_equal(ok.body, "{\"id\":\"m1\"}");
    assert_int_equal(busy.calls, 1);
    assert_int_equal(busy.classified, -EAGAIN);
    assert_int_equal(busy.status, 503);
    assert_int_equal(refused.calls, 1);
    assert_int_equal(refused.classified, -EAGAIN);
    assert_int_equal(hanging.calls, 1);
    assert_int_equal(hanging.classified, -ETIMEDOUT);

    /* a transfer still running when the module is freed completes as aborted */
    outcome aborted = { 0 };
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", silent_port);
    assert_int_equal(http_async_start(h, get(url, 60000), NULL, NULL, NULL, 0, on_done,
                                      &aborted, &err), 0);
    for (int turns = 0; turns < 20; turns++)
        event_base_loop(base, EVLOOP_NONBLOCK);
    http_async_free(h);
    assert_int_equal(aborted.calls, 1);
    assert_true(aborted.classified == -ETIMEDOUT || aborted.classified == -EAGAIN);

    close(silent);
    evhttp_free(http);
    event_base_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_table),
        cmocka_unit_test(test_transfers_on_the_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
