/*
 * server.c — the event loop of `dunningd serve`.
 *
 * Everything runs on one thread but the rules reload. A pass is cut into
 * batches; after each batch the loop serves pending HTTP requests before
 * the next batch runs. A pass holds a reference to the rule set it started
 * with, so a reload in the middle never mixes two versions in one pass.
 *
 * A reload (SIGHUP, the API, the directory watch) builds and tests the new
 * set on a worker thread with its own Lua states (engine_rules_build),
 * while the loop goes on serving; the worker signals an eventfd and the
 * loop installs the result (the swap) and answers the API requests that
 * asked for it. One build runs at a time: a request during a build starts
 * one more build after it (the files may have changed since it began).
 */
#include "server.h"

#include <event2/event.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "contactability.h"
#include "callback_sign.h"
#include "channels_api.h"
#include "engine.h"

/* An API request waiting for a reload's result. */
typedef struct reload_waiter {
    dn_api_pending       *pending;
    struct reload_waiter *next;
} reload_waiter;

typedef struct dn_server {
    struct event_base *base;
    const dn_config   *cfg;
    dn_engine          engine;
    dn_api            *api;
    dn_channels       *channels;          /* agent queue, replies, webhooks */
    struct event *pass_timer, *pass_step, *pass_soon, *dispatch_timer, *dispatch_soon,
                 *recover_timer, *sig_hup, *sig_term, *sig_int;
    struct event *watch_event, *watch_debounce;
    int           inotify_fd;
    /* the rules reload: one build at a time on its own thread */
    bool          reload_running;         /* reload_thread builds reload_build */
    bool          reload_again;           /* asked for during the build: one more after it */
    pthread_t     reload_thread;
    dn_rules_build *reload_build;
    int           reload_fd;              /* eventfd: the worker's "done" */
    struct event *reload_done;
    reload_waiter *waiting, *waiting_next;  /* for the build running / the next one */
    /* the pass in progress */
    bool          pass_running;
    bool          pass_wanted;            /* a start came while one ran: start again after it */
    dn_ruleset   *pass_rules;
    dn_time       pass_now;
    struct timespec pass_started;
    dn_pass_stats pass_stats;
    dn_pass_stats last_stats;
    dn_dispatch_stats dispatch_stats;
    bool          stopping;
} dn_server;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void pass_finish(dn_server *s)
{
    dn_engine *e = &s->engine;
    e->last_pass_seconds = seconds_since(&s->pass_started);
    e->passes++;
    s->last_stats = s->pass_stats;
    dn_log(DN_LOG_INFO, "pass",
           "pass done in %.2fs: %ld customers, %ld contacts planned, %ld deferred, "
           "%ld waits, %ld nothing owed, %ld skipped, %ld rule errors, %ld duplicates",
           e->last_pass_seconds, s->pass_stats.customers, s->pass_stats.contacts,
           s->pass_stats.deferred, s->pass_stats.waits, s->pass_stats.nones,
           s->pass_stats.skips, s->pass_stats.errors, s->pass_stats.duplicates);
    rules_release(s->pass_rules);
    s->pass_rules = NULL;
    s->pass_running = false;
    /* a tick or an event that came while the pass ran is not lost: the
     * customers it made due are taken by a pass that starts now */
    if (s->pass_wanted && !s->stopping) {
        struct timeval now = { 0, 0 };
        s->pass_wanted = false;
        evtimer_add(s->pass_soon, &now);
    }
}

/* One batch of the pass in progress; re-arms itself until nothing is due. */
static void on_pass_step(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    if (s->pass_rules != s->engine.rules && !s->stopping) {
        /* a new rule set was swapped in: the pass ends here, and the next
         * one starts at once with the new set (which made everyone due) */
        dn_log(DN_LOG_INFO, "pass", "rules changed: the pass stops after %ld customers; "
               "a new pass starts with the new set", s->pass_stats.customers);
        pass_finish(s);
        struct timeval now = { 0, 0 };
        evtimer_add(s->pass_soon, &now);
        return;
    }
    dn_err err;
    dn_err_clear(&err);
    int n = pass_batch(&s->engine, s->pass_rules, s->pass_now, s->engine.batch_size,
                       &s->pass_stats, &err);
    if (n < 0)
        dn_log(DN_LOG_ERROR, "pass", "batch failed: %s", err.msg);
    if (n <= 0 || s->stopping) {
        pass_finish(s);
        return;
    }
    struct timeval now = { 0, 0 };
    event_add(s->pass_step, &now);
}

static void on_pass_timer(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    if (s->pass_running && !s->stopping)
        s->pass_wanted = true;
    if (s->pass_running || !s->engine.rules || s->stopping)
        return;
    s->pass_running = true;
    s->pass_rules = s->engine.rules;
    rules_retain(s->pass_rules);
    s->pass_now = engine_now(&s->engine);
    memset(&s->pass_stats, 0, sizeof s->pass_stats);
    clock_gettime(CLOCK_MONOTONIC, &s->pass_started);
    struct timeval now = { 0, 0 };
    event_add(s->pass_step, &now);
}

#define DISPATCH_BATCH_MAX 500     /* contacts claimed per loop turn */

static void kick_dispatch(void *arg);

static void on_dispatch_timer(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    dn_err err;
    dn_err_clear(&err);
    if (s->stopping)
        return;
    int n = dispatch_batch(&s->engine, engine_now(&s->engine), DISPATCH_BATCH_MAX,
                           &s->dispatch_stats, &err);
    if (n < 0)
        dn_log(DN_LOG_ERROR, "dispatch", "batch failed: %s", err.msg);
    /* a full batch means more is due: go on right after serving the loop */
    if (n == DISPATCH_BATCH_MAX)
        kick_dispatch(s);
}

/* engine.kick: a send completed and capacity freed up; dispatch again on
 * the next loop turn (many completions in one turn coalesce into one). */
static void kick_dispatch(void *arg)
{
    dn_server *s = arg;
    if (!s->stopping && !evtimer_pending(s->dispatch_soon, NULL)) {
        struct timeval now = { 0, 0 };
        evtimer_add(s->dispatch_soon, &now);
    }
}

/* Every lease: contacts a dead engine left in "sending" (its lease over)
 * are settled (re-queued or in doubt) even when it died just before this
 * one started; our own sends in flight are never touched. */
static void on_recover_timer(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    if (!s->stopping)
        dispatch_recover(&s->engine, engine_now(&s->engine));
}

/* A write through the API made customers due: start a pass shortly (a
 * burst of writes coalesces into one pass). */
static void hook_changed(void *arg)
{
    dn_server *s = arg;
    if (!evtimer_pending(s->pass_soon, NULL)) {
        struct timeval soon = { 1, 0 };
        evtimer_add(s->pass_soon, &soon);
    }
}

/* ---- rules reload off the loop ---- */

static json_t *hook_rules_status(void *arg);

#define RELOAD_NICE 10              /* the build yields the CPU to the loop */

/* The reload worker: builds and tests the set, then wakes the loop. It
 * touches nothing but s->reload_build until the loop joins it, and runs at
 * a lower CPU priority than the loop (Linux nices threads one by one), so
 * the loop wins the CPU whenever both want it. */
static void *reload_worker(void *arg)
{
    dn_server *s = arg;
    uint64_t one = 1;
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), RELOAD_NICE) < 0)
        dn_log(DN_LOG_DEBUG, "rules", "reload worker keeps its priority: %s", strerror(errno));
    engine_rules_build(s->cfg->rules, s->reload_build);
    if (write(s->reload_fd, &one, sizeof one) != (ssize_t)sizeof one)
        dn_log(DN_LOG_ERROR, "rules", "reload worker cannot wake the loop: %s", strerror(errno));
    return NULL;
}

/* Answers every waiter of the finished build and frees the list. */
static void reload_answer(reload_waiter *list, int rc, json_t *(*status)(void *), void *arg,
                          const dn_err *err)
{
    while (list) {
        reload_waiter *w = list;
        list = w->next;
        api_reply_rules_reload(w->pending, rc, status(arg), err);
        free(w);
    }
}

static void reload_finish(dn_server *s);

/* Starts a build on the worker thread; without a thread (none could be
 * made) it builds on the loop, which only delays the API. */
static void reload_start(dn_server *s)
{
    s->reload_build = malloc(sizeof *s->reload_build);
    if (!s->reload_build) {
        dn_err err;
        dn_err_set(&err, -ENOMEM, NULL, "out of memory for a rules reload");
        reload_answer(s->waiting, -ENOMEM, hook_rules_status, s, &err);
        s->waiting = NULL;
        return;
    }
    s->reload_running = true;
    int rc = pthread_create(&s->reload_thread, NULL, reload_worker, s);
    if (rc == 0)
        return;
    dn_log(DN_LOG_WARN, "rules", "no reload thread (%s): building on the loop", strerror(rc));
    engine_rules_build(s->cfg->rules, s->reload_build);
    s->reload_running = false;
    reload_finish(s);
}

/* On the loop: installs the finished build, starts a pass at once when the
 * version changed and no pass runs (a running one stops after its batch
 * and the next starts with the new set: on_pass_step), answers the
 * waiters, and starts the build asked for meanwhile. */
static void reload_finish(dn_server *s)
{
    dn_err err;
    bool changed = false;
    dn_err_clear(&err);
    int rc = engine_rules_install(&s->engine, s->reload_build, &changed, &err);
    free(s->reload_build);
    s->reload_build = NULL;
    if (rc == 0 && changed && !s->pass_running && !s->stopping) {
        struct timeval now = { 0, 0 };
        evtimer_add(s->pass_soon, &now);
    }
    reload_answer(s->waiting, rc, hook_rules_status, s, &err);
    s->waiting = s->waiting_next;
    s->waiting_next = NULL;
    if (s->reload_again && !s->stopping) {
        s->reload_again = false;
        reload_start(s);
    }
}

static void on_reload_done(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    uint64_t n;
    if (read(fd, &n, sizeof n) != (ssize_t)sizeof n || !s->reload_running)
        return;
    pthread_join(s->reload_thread, NULL);
    s->reload_running = false;
    reload_finish(s);
}

/* Asks for a reload; pending (may be NULL) is answered when the build that
 * reads the files from now on is installed or refused. */
static int reload_request(dn_server *s, dn_api_pending *pending, dn_err *err)
{
    if (s->stopping)
        return dn_err_set(err, -ECANCELED, "", "the server is stopping");
    if (pending) {
        reload_waiter *w = malloc(sizeof *w);
        if (!w)
            return dn_err_set(err, -ENOMEM, "", "out of memory");
        w->pending = pending;
        w->next = NULL;
        reload_waiter **tail = s->reload_running ? &s->waiting_next : &s->waiting;
        while (*tail)
            tail = &(*tail)->next;
        *tail = w;
    }
    if (s->reload_running)
        s->reload_again = true;
    else
        reload_start(s);
    return 0;
}

/* At stop: waits for a build in flight and drops it (the live set stays);
 * every waiter is answered (their connections close with the API). */
static void reload_stop(dn_server *s)
{
    dn_err err;
    if (s->reload_running) {
        pthread_join(s->reload_thread, NULL);
        s->reload_running = false;
        if (s->reload_build && s->reload_build->rules)
            rules_release(s->reload_build->rules);
        free(s->reload_build);
        s->reload_build = NULL;
    }
    dn_err_set(&err, -ECANCELED, "", "the server is stopping; the reload was not installed");
    reload_answer(s->waiting, -ECANCELED, hook_rules_status, s, &err);
    reload_answer(s->waiting_next, -ECANCELED, hook_rules_status, s, &err);
    s->waiting = s->waiting_next = NULL;
}

static void on_sighup(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    dn_err err;
    dn_err_clear(&err);
    dn_log(DN_LOG_INFO, "rules", "SIGHUP: reloading %s", s->cfg->rules);
    reload_request(s, NULL, &err);
}

static void on_stop_signal(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    dn_log(DN_LOG_INFO, "server", "signal %d: finishing in-flight work and stopping", (int)fd);
    s->stopping = true;
    event_base_loopexit(s->base, NULL);
}

/* ---- rules directory watch (inotify), debounced ---- */
static void on_watch_debounce(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    dn_err err;
    dn_err_clear(&err);
    dn_log(DN_LOG_INFO, "rules", "%s changed: reloading", s->cfg->rules);
    reload_request(s, NULL, &err);
}

static void on_watch(evutil_socket_t fd, short what, void *arg)
{
    dn_server *s = arg;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (read(fd, buf, sizeof buf) > 0)
        ;
    struct timeval settle = { 0, 300000 };   /* editors write in several steps */
    event_add(s->watch_debounce, &settle);
}

static void watch_rules_dir(dn_server *s)
{
    static const char *const subdirs[] = { "", "/segments", "/templates", "/tests" };
    s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (s->inotify_fd < 0) {
        dn_log(DN_LOG_WARN, "rules", "no directory watch (inotify): %s", strerror(errno));
        return;
    }
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s%s", s->cfg->rules, subdirs[i]);
        inotify_add_watch(s->inotify_fd, path,
                          IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE);
    }
    s->watch_event = event_new(s->base, s->inotify_fd, EV_READ | EV_PERSIST, on_watch, s);
    s->watch_debounce = evtimer_new(s->base, on_watch_debounce, s);
    event_add(s->watch_event, NULL);
}

/* ---- hooks the API calls into ---- */
static dn_time hook_now(void *arg)
{
    dn_server *s = arg;
    return engine_now(&s->engine);
}

static int hook_preview(void *arg, const char *customer_id, dn_time at, json_t **out,
                        dn_err *err)
{
    dn_server *s = arg;
    return pass_preview(&s->engine, customer_id, at ? at : engine_now(&s->engine), out, err);
}

static int hook_contactability(void *arg, const char *customer_id, dn_time at, json_t **out,
                               dn_err *err)
{
    dn_server *s = arg;
    dn_engine *e = &s->engine;
    dn_customer c;
    int rc = e->store.ops->get_customer(e->store.ctx, customer_id, &c, err);
    if (rc < 0)
        return rc;
    dn_facts *f = malloc(sizeof *f);
    if (!f)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    if (!at)
        at = engine_now(e);
    rc = e->store.ops->load_facts(e->store.ctx, c.id, at, f, err);
    if (rc == 0)
        rc = contactability_json(engine_profile_for(e, &f->customer), f, at, 7, out, err);
    free(f);
    return rc;
}

static json_t *hook_rules_status(void *arg)
{
    dn_server *s = arg;
    dn_engine *e = &s->engine;
    char loaded[21] = "";
    if (e->rules_loaded_at)
        dn_time_format(e->rules_loaded_at, loaded);
    json_t *o = json_object();
    json_object_set_new(o, "version", e->rules ? json_string(rules_version(e->rules)) : json_null());
    json_object_set_new(o, "loaded_at", loaded[0] ? json_string(loaded) : json_null());
    json_object_set_new(o, "dir", json_string(s->cfg->rules));
    json_object_set_new(o, "last_error",
                        e->rules_last_error[0] ? json_string(e->rules_last_error) : json_null());
    json_object_set_new(o, "reloads", json_integer(e->rules_reloads));
    json_object_set_new(o, "reloading", json_boolean(s->reload_running));
    json_object_set_new(o, "reload_failures", json_integer(e->rules_reload_failures));
    json_object_set_new(o, "files", e->rules ? rules_files_json(e->rules) : json_array());
    return o;
}

static int hook_rules_reload(void *arg, dn_api_pending *pending, dn_err *err)
{
    return reload_request(arg, pending, err);
}

static int hook_extension(void *arg, const char *route, const char *id, json_t *query,
                          json_t *headers, json_t *body, json_t **reply, dn_err *err)
{
    dn_server *s = arg;
    return channels_api_handle(s->channels, route, id, query, headers, body, reply, err);
}

static json_t *hook_metrics(void *arg)
{
    dn_server *s = arg;
    dn_engine *e = &s->engine;
    json_t *o = json_object();
    json_object_set_new(o, "passes_total", json_integer(e->passes));
    json_object_set_new(o, "pass_duration_seconds", json_real(e->last_pass_seconds));
    json_object_set_new(o, "pass_running", json_integer(s->pass_running));
    json_object_set_new(o, "last_pass_customers", json_integer(s->last_stats.customers));
    json_object_set_new(o, "last_pass_contacts", json_integer(s->last_stats.contacts));
    json_object_set_new(o, "last_pass_rule_errors", json_integer(s->last_stats.errors));
    json_object_set_new(o, "rules_reloads_total", json_integer(e->rules_reloads));
    json_object_set_new(o, "rules_reload_failures_total", json_integer(e->rules_reload_failures));
    json_object_set_new(o, "dispatch_sent_total", json_integer(s->dispatch_stats.sent));
    json_object_set_new(o, "dispatch_cancelled_total", json_integer(s->dispatch_stats.cancelled));
    json_object_set_new(o, "dispatch_deferred_total", json_integer(s->dispatch_stats.deferred));
    json_object_set_new(o, "dispatch_failed_total", json_integer(s->dispatch_stats.failed));
    json_object_set_new(o, "rules_version",
                        e->rules ? json_string(rules_version(e->rules)) : json_null());
    dispatch_metrics(e, o);
    return o;
}

int server_run(const dn_config *cfg, dn_err *err)
{
    dn_server *s = calloc(1, sizeof *s);
    if (!s)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    int rc;
    s->cfg = cfg;
    s->inotify_fd = -1;
    s->reload_fd = -1;
    dn_engine *e = &s->engine;
    e->batch_size = cfg->batch_size;
    e->lease_seconds = cfg->lease_seconds;
    e->default_country = cfg->default_country;
    rc = engine_set_profiles(e, cfg->guard_profiles, err);
    if (rc == 0)
        rc = engine_set_holidays(e, cfg->holidays, err);
    if (rc)
        goto done;
    engine_set_clock(e, cfg->fixed_now);

    s->base = event_base_new();
    /* three priorities: the default (1) for the API, signals and timers, 2
     * for the next batch of a pass or dispatch: ready I/O always runs
     * before another batch, so a request waits for at most the batch in
     * progress (the store's calls are synchronous; docs/operations.md) */
    if (!s->base || event_base_priority_init(s->base, 3) < 0) {
        rc = dn_err_set(err, -ENOMEM, NULL, "cannot create the event loop");
        goto done;
    }
    rc = dn_store_open(&e->store, cfg->store, cfg->schema_dir, err);
    if (rc)
        goto done;
    rc = engine_load_rules(e, cfg->rules, err);
    if (rc)
        goto done;               /* a server without a valid rule set does not start */
    rc = callback_secret_set(cfg->callback_secret[0] ? cfg->callback_secret : NULL, err);
    if (rc)
        goto done;
    if (!cfg->callback_secret[0])
        dn_log(DN_LOG_WARN, "server", "no callback_secret configured: delivery-report and "
               "unsubscribe URLs issued now stop working after a restart");
    rc = engine_open_channels(e, s->base, cfg->channels, cfg->outbox_dir, err);
    if (rc)
        goto done;
    rc = channels_open(&s->channels, s->base, e, cfg->modules, hook_changed, s, err);
    if (rc)
        goto done;

    char host[128];
    int port;
    if (dn_config_split_listen(cfg->listen, host, sizeof host, &port)) {
        rc = dn_err_set(err, -EINVAL, "listen", "listen must be host:port, got \"%s\"",
                        cfg->listen);
        goto done;
    }
    const char *tokens[DN_MAX_TOKENS];
    for (int i = 0; i < cfg->n_tokens; i++)
        tokens[i] = cfg->tokens[i];
    dn_api_config api_cfg;
    api_config_defaults(&api_cfg);
    api_cfg.tokens = tokens;
    api_cfg.n_tokens = cfg->n_tokens;
    dn_api_hooks hooks = {
        .now = hook_now,
        .preview = hook_preview,
        .contactability = hook_contactability,
        .rules_status = hook_rules_status,
        .rules_reload = hook_rules_reload,
        .metrics_extra = hook_metrics,
        .changed = hook_changed,
        .extension = hook_extension,
    };
    rc = api_start(s->base, host, port, &e->store, &api_cfg, &hooks, s, &s->api, err);
    if (rc)
        goto done;

    dispatch_recover(e, engine_now(e));
    s->pass_timer = event_new(s->base, -1, EV_PERSIST, on_pass_timer, s);
    s->pass_step = evtimer_new(s->base, on_pass_step, s);
    s->pass_soon = evtimer_new(s->base, on_pass_timer, s);
    s->dispatch_timer = event_new(s->base, -1, EV_PERSIST, on_dispatch_timer, s);
    s->dispatch_soon = evtimer_new(s->base, on_dispatch_timer, s);
    s->recover_timer = event_new(s->base, -1, EV_PERSIST, on_recover_timer, s);
    s->reload_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->reload_fd < 0 ||
        !(s->reload_done = event_new(s->base, s->reload_fd, EV_READ | EV_PERSIST, on_reload_done,
                                     s)) ||
        event_add(s->reload_done, NULL) < 0) {
        int code = errno ? -errno : -ENOMEM;
        rc = dn_err_set(err, code, NULL, "cannot set up rules reloads: %s", strerror(-code));
        goto done;
    }
    e->kick = kick_dispatch;
    e->kick_arg = s;
    if (s->pass_step)
        event_priority_set(s->pass_step, 2);
    if (s->dispatch_timer)
        event_priority_set(s->dispatch_timer, 2);
    if (s->dispatch_soon)
        event_priority_set(s->dispatch_soon, 2);
    s->sig_hup = evsignal_new(s->base, SIGHUP, on_sighup, s);
    s->sig_term = evsignal_new(s->base, SIGTERM, on_stop_signal, s);
    s->sig_int = evsignal_new(s->base, SIGINT, on_stop_signal, s);
    struct timeval pass_every = { cfg->pass_interval_seconds, 0 };
    struct timeval dispatch_every = { cfg->dispatch_interval_ms / 1000,
                                      (cfg->dispatch_interval_ms % 1000) * 1000 };
    event_add(s->pass_timer, &pass_every);
    event_add(s->dispatch_timer, &dispatch_every);
    struct timeval recover_every = { cfg->lease_seconds, 0 };
    event_add(s->recover_timer, &recover_every);
    event_add(s->sig_hup, NULL);
    event_add(s->sig_term, NULL);
    event_add(s->sig_int, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (cfg->watch_rules)
        watch_rules_dir(s);
    event_active(s->pass_timer, EV_TIMEOUT, 0);   /* first pass right away */

    dn_log(DN_LOG_INFO, "server", "listening on %s:%d, store %s, rules %s (%s)", host, port,
           e->store.ops->name, cfg->rules, rules_version(e->rules));
    event_base_dispatch(s->base);
    dn_log(DN_LOG_INFO, "server", "stopped");
    rc = 0;
done:
    s->stopping = true;
    if (s->pass_running)
        pass_finish(s);
    reload_stop(s);
    if (s->api)
        api_stop(s->api);
    e->kick = NULL;
    struct event *evs[] = { s->pass_timer, s->pass_step, s->pass_soon, s->dispatch_timer,
                            s->dispatch_soon, s->recover_timer, s->sig_hup,
                            s->sig_term, s->sig_int, s->watch_event, s->watch_debounce,
                            s->reload_done };
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (evs[i])
            event_free(evs[i]);
    if (s->inotify_fd >= 0)
        close(s->inotify_fd);
    if (s->reload_fd >= 0)
        close(s->reload_fd);
    channels_close(s->channels);
    engine_close(e);
    if (s->base)
        event_base_free(s->base);
    free(s);
    return rc;
}
