/*
 * bench_dispatch.c — how fast the dispatcher hands contacts to an HTTP
 * provider over loopback, and what one send in flight costs in memory.
 *
 *   bench_dispatch [MESSAGES [IN_FLIGHT]]     (default 20000 and 1000)
 *
 * Not timed: MESSAGES customers are written into a temporary SQLite store
 * and one real pass with tests/integration/rules-channels plans one SMS
 * each. A loopback HTTP sink (libevent evhttp on its own thread and event
 * base, so on the other core) answers every POST with 200 {"id":"…"}.
 * Timed: the dispatcher with one http_sms instance of concurrency
 * IN_FLIGHT — claim, re-check (facts, guard), POST through curl multi on
 * the libevent loop, record "sent" — until every contact is sent. Prints
 * messages per second (wall clock), messages per CPU second of the
 * dispatcher's thread (what a busy shared machine distorts least), the
 * peak in flight, and the heap (main arena, the dispatcher's thread) per
 * send in flight at the peak. Not run by ctest.
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

#ifndef DN_SOURCE_DIR
#define DN_SOURCE_DIR "."
#endif

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct sink {
    struct event_base *base;
    struct evhttp *http;
    struct event *stop_event;
    int stop_pipe[2];        /* main writes a byte: the sink's loop ends */
    int port;
    long requests;
} sink;

static void sink_stop(evutil_socket_t fd, short what, void *arg)
{
    sink *s = arg;
    event_base_loopbreak(s->base);
}

static void sink_reply(struct evhttp_request *req, void *arg)
{
    sink *s = arg;
    struct evbuffer *out = evbuffer_new();
    evbuffer_add_printf(out, "{\"id\":\"s%ld\"}", ++s->requests);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json");
    evhttp_send_reply(req, 200, "OK", out);
    evbuffer_free(out);
}

static void *sink_thread(void *arg)
{
    sink *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

/* CPU time of the calling thread (the dispatcher's), which a busy
 * machine does not inflate the way it inflates the wall clock. */
static double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, const dn_err *err)
{
    fprintf(stderr, "bench_dispatch: %s: %s (%s)\n", what, err->msg, err->field);
    return 1;
}

/* Customers due for the day -3 SMS at `today` (English: one GSM-7 part). */
static int load(dn_store *st, long n, dn_date due, dn_err *err)
{
    for (long i = 0; i < n; i++) {
        if (i % 1000 == 0 && st->ops->begin(st->ctx, err) < 0)
            return -1;
        dn_customer c = { .age = 40, .hold_until = DN_NO_DATE };
        snprintf(c.external_id, sizeof c.external_id, "B%08ld", i);
        snprintf(c.name, sizeof c.name, "Customer %ld", i);
        dn_strlcpy(c.language, "en", sizeof c.language);
        dn_strlcpy(c.timezone, "Europe/Riga", sizeof c.timezone);
        dn_strlcpy(c.country, "EE", sizeof c.country);
        snprintf(c.phone, sizeof c.phone, "+3725%07ld", i % 10000000);
        dn_upsert_outcome outcome;
        if (st->ops->upsert_customer(st->ctx, &c, &outcome, err) < 0)
            return -1;
        dn_invoice inv = { .amount_minor = 4500, .issued = DN_NO_DATE, .due = due,
                           .status = DN_INV_OPEN };
        snprintf(inv.external_id, sizeof inv.external_id, "BI%08ld", i);
        dn_strlcpy(inv.customer_external_id, c.external_id, sizeof inv.customer_external_id);
        dn_strlcpy(inv.currency, "EUR", sizeof inv.currency);
        if (st->ops->upsert_invoice(st->ctx, &inv, &outcome, err) < 0)
            return -1;
        if ((i % 1000 == 999 || i == n - 1) && st->ops->commit(st->ctx, err) < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000;
    int in_flight = argc > 2 ? atoi(argv[2]) : 1000;
    if (n <= 0 || in_flight <= 0) {
        fprintf(stderr, "usage: bench_dispatch [MESSAGES [IN_FLIGHT]]\n");
        return 2;
    }
    dn_log_set_level(DN_LOG_WARN);
    char dir[] = "/tmp/dunningd-bench-dispatch.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char dsn[sizeof dir + 32];
    snprintf(dsn, sizeof dsn, "sqlite:%s/store.db", dir);
    dn_err err;
    dn_err_clear(&err);
    dn_engine e;
    memset(&e, 0, sizeof e);
    e.batch_size = 1000;
    e.lease_seconds = 300;
    e.default_country = "EE";
    dn_time now;
    dn_time_parse("2026-06-02T09:00:00Z", &now);   /* a Tuesday, 12:00 in Tallinn */
    engine_set_clock(&e, now);
    int status = 1;
    sink s = { .stop_pipe = { -1, -1 } };
    pthread_t thread;
    bool sink_running = false;
    struct event_base *base = NULL;
    json_t *channels = NULL;

    if (dn_store_open(&e.store, dsn, DN_SOURCE_DIR "/schema", &err))
        return fail("store", &err);
    if (engine_load_rules(&e, DN_SOURCE_DIR "/tests/integration/rules-channels", &err)) {
        fail("rules", &err);
        goto done;
    }
    if (load(&e.store, n, dn_date_from_ymd(2026, 6, 5), &err)) {
        fail("load", &err);
        goto done;
    }
    dn_pass_stats ps;
    memset(&ps, 0, sizeof ps);
    if (pass_run(&e, now, &ps, NULL, NULL, &err)) {
        fail("pass", &err);
        goto done;
    }
    if (ps.contacts != n) {
        fprintf(stderr, "bench_dispatch: the pass planned %ld contacts, not %ld\n",
                ps.contacts, n);
        goto done;
    }

    s.base = event_base_new();
    if (pipe(s.stop_pipe) != 0) {
        perror("pipe");
        goto done;
    }
    s.stop_event = event_new(s.base, s.stop_pipe[0], EV_READ, sink_stop, &s);
    event_add(s.stop_event, NULL);
    s.http = evhttp_new(s.base);
    evhttp_set_gencb(s.http, sink_reply, &s);
    struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(s.http, "127.0.0.1", 0);
    if (!bound) {
        fprintf(stderr, "bench_dispatch: the sink cannot listen\n");
        goto done;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &len);
    s.port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    pthread_create(&thread, NULL, sink_thread, &s);
    sink_running = true;

    base = event_base_new();
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/send", s.port);
    channels = json_pack("{s:{s:s, s:s, s:i, s:i}}", "sms", "driver", "http_sms", "url", url,
                         "concurrency", in_flight, "timeout_ms", 30000);
    if (engine_open_channels(&e, base, channels, dir, &err)) {
        fail("channels", &err);
        goto done;
    }

    dn_dispatch_stats ds;
    memset(&ds, 0, sizeof ds);
    size_t heap_before = mallinfo2().uordblks;
    size_t heap_at_peak = heap_before;
    int peak = 0;
    long recorded = 0;
    double t0 = seconds_now();
    double cpu0 = thread_cpu_seconds();
    for (long turns = 0; turns < 100000000; turns++) {
        int taken = dispatch_batch(&e, now, in_flight, &ds, &err);
        if (taken < 0) {
            fail("dispatch", &err);
            goto done;
        }
        int flying = dispatch_in_flight(&e);
        if (flying > peak || (flying == peak && flying > 0 && peak == in_flight &&
                              heap_at_peak == heap_before)) {
            peak = flying;
            heap_at_peak = mallinfo2().uordblks;
        }
        recorded = e.channels[0].sent + e.channels[0].failed;
        if (recorded >= n && flying == 0)
            break;
        if (flying > 0)
            event_base_loop(base, EVLOOP_ONCE);
        else if (taken == 0)
            break;
    }
    double secs = seconds_now() - t0;
    double cpu = thread_cpu_seconds() - cpu0;
    long sent = e.channels[0].sent;
    printf("dispatch: %ld messages in %.3f s = %.0f messages/s (%ld sent, %ld failed)\n", n,
           secs, (double)n / secs, sent, e.channels[0].failed);
    printf("dispatcher thread: %.3f CPU s = %.0f messages per CPU second\n", cpu,
           cpu > 0 ? (double)n / cpu : 0.0);
    printf("in flight: peak %d; heap per send in flight %.0f bytes\n", peak,
           peak ? (double)(heap_at_peak - heap_before) / peak : 0.0);
    printf("sink: %ld requests\n", s.requests);
    status = sent == n ? 0 : 1;
done:
    engine_close(&e);
    json_decref(channels);
    if (base)
        event_base_free(base);
    if (sink_running) {
        if (write(s.stop_pipe[1], "x", 1) != 1)
            perror("write");
        pthread_join(thread, NULL);
    }
    if (s.stop_event)
        event_free(s.stop_event);
    for (int i = 0; i < 2; i++)
        if (s.stop_pipe[i] >= 0)
            close(s.stop_pipe[i]);
    if (s.http)
        evhttp_free(s.http);
    if (s.base)
        event_base_free(s.base);
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_dispatch: could not remove %s\n", dir);
    return status;
}
