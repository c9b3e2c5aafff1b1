/*
 * engine.h — the running engine as the pass, the dispatcher, the server and
 * the CLI share it: a store, the live rule set, the guard profiles and the
 * channel drivers. One engine lives on one thread (the libevent loop, or
 * the CLI's main thread); nothing here is thread-safe.
 */
#ifndef DN_ENGINE_H
#define DN_ENGINE_H

#include <jansson.h>

#include "channel.h"
#include "guard.h"
#include "rules.h"
#include "store.h"

struct event_base;

#define DN_MAX_CHANNELS 32

/* One configured driver instance serving a channel name (a channel may
 * have several: two SMS gateways). The limits come from the instance's
 * common keys (channel.h); counters are since start. */
typedef struct dn_channel_slot {
    char name[16];                        /* sms, email, voice, chat, letter, crm, agent */
    char instance[48];                    /* "sms", or "sms/kannel-a" */
    const dn_channel_driver *driver;
    void *ctx;
    bool deduplicates;                    /* provider dedups by idempotency key */
    bool posts_on_write;                  /* letters: posted the day written ("posting") */
    int  concurrency;                     /* sends in flight at most */
    int  in_flight;
    double rate_per_second;               /* 0 = unlimited */
    double tokens;                        /* token bucket, burst = max(1, rate) */
    double tokens_at;                     /* monotonic seconds of the last refill */
    int  max_attempts;                    /* hand-overs before giving up */
    int  backoff_seconds, max_backoff_seconds;
    int  failover_after;                  /* consecutive failures that rest it; 0 = never */
    int  consecutive_failures;
    double resting_until;                 /* monotonic seconds; takes nothing before */
    int64_t cost_per_message_minor, cost_per_part_minor;
    char currency[4];                     /* "" = no cost recorded */
    long sent, failed, retried, in_doubt;
} dn_channel_slot;

typedef struct dn_engine {
    dn_store    store;
    dn_ruleset *rules;                    /* live set, owned (one reference) */
    char        rules_dir[512];
    dn_time     rules_loaded_at;
    char        rules_last_error[1024];
    long        rules_reloads, rules_reload_failures;
    const char *default_country;          /* profile when a customer has none */
    int         batch_size;               /* customers per store round trip */
    int         lease_seconds;
    dn_channel_slot channels[DN_MAX_CHANNELS];
    int         n_channels;
    /* the engine's one business clock (engine_now): the wall clock, or,
     * with `now` in the config (or pass --at), a clock that starts at
     * clock_origin and runs at wall speed (engine_set_clock) */
    dn_time     clock_origin;             /* 0 = the wall clock */
    double      clock_origin_mono;        /* monotonic seconds when it was set */
    /* guard profiles from configuration, by country ("default" too); they
     * replace the built-in one of that country (engine_set_profiles) */
    dn_guard_profile *profiles[16];
    char        profile_country[16][8];
    int         n_profiles;
    /* called when a send completes and capacity frees up (the server
     * dispatches again soon); may be NULL */
    void      (*kick)(void *arg);
    void       *kick_arg;
    /* completed sends whose outcome is not recorded yet (dispatch_flush) */
    struct dn_send_context *done_head, *done_tail;
    /* last pass, for /metrics */
    double      last_pass_seconds;
    long        passes;
    /* a batch's working memory, kept from one batch to the next (pass.c;
     * freed by engine_close) */
    struct dn_pass_buffers *pass_buffers;
} dn_engine;

/* What one pass did. */
typedef struct dn_pass_stats {
    long customers, contacts, deferred, waits, nones, skips, errors, duplicates;
    double guard_seconds;                 /* wall time inside guard_check */
    long store_errors;
} dn_pass_stats;

typedef void (*dn_progress_fn)(void *arg, long done, long total);

/* The engine's clock: what every business time is taken from — decisions,
 * schedules and retries of contacts, guard windows, the e-mail's Date, the
 * letter's date, callbacks, replies and promises. Only leases (who holds a
 * customer or a contact being sent) and transport timers (webhook retries,
 * rate limits, instance rests) stay on the wall or monotonic clock, because
 * they must agree between processes and with real elapsed time
 * (docs/operations.md, "The engine's clock"). */
dn_time engine_now(const dn_engine *e);
/* Starts the engine's clock at origin (it then advances with real time, so
 * a retry 60 s ahead comes due 60 s later); 0 = the wall clock. */
void    engine_set_clock(dn_engine *e, dn_time origin);

/* A rule set loaded, checked and tested aside, not yet live. */
typedef struct dn_rules_build {
    char        dir[512];
    int         rc;                       /* 0: rules is ready to install */
    dn_ruleset *rules;                    /* owned until installed; NULL when refused */
    int         tests_passed, tests_failed;
    char        error[1024];              /* refused: every "file:line: message" */
    dn_err      err;                      /* refused: the first problem */
} dn_rules_build;

/* Loads the rules at dir in a fresh sandbox, checks every reference and
 * runs the rule tests, filling *b. Touches no engine and no store, and the
 * rules runtime keeps no state shared between sets, so it may run on any
 * thread while the engine serves (the server's reload worker). */
void engine_rules_build(const char *dir, dn_rules_build *b);
/* On the engine's thread: a built set goes live (the swap of one pointer;
 * the version recorded in the store; a new version makes every customer
 * due, *changed set); a refused one leaves the live set running, with
 * rules_last_error saying why (err filled, b->rc returned). Takes
 * b->rules either way. */
int  engine_rules_install(dn_engine *e, dn_rules_build *b, bool *changed, dn_err *err);
/* Both at once, on the engine's thread (start-up, the CLI). */
int  engine_load_rules(dn_engine *e, const char *dir, dn_err *err);
/* Opens channel slots from config {"sms": {"driver": "file", ...}, ...};
 * channels not named get the file sink writing to outbox_dir. */
int  engine_open_channels(dn_engine *e, struct event_base *base, json_t *channels,
                          const char *outbox_dir, dn_err *err);
void engine_close(dn_engine *e);

/* Evaluates up to max due customers (one store batch) with rule set rs at
 * `now`. Returns the number evaluated (0 = none due) or a negative errno. */
int  pass_batch(dn_engine *e, dn_ruleset *rs, dn_time now, int max, dn_pass_stats *st,
                dn_err *err);
/* Releases the batch memory pass_batch keeps (engine_close calls it). */
void pass_buffers_free(dn_engine *e);
/* Evaluates everything due at `now` in batches; progress may be NULL. */
int  pass_run(dn_engine *e, dn_time now, dn_pass_stats *st, dn_progress_fn progress,
              void *arg, dn_err *err);
/* The decision for one customer at `at` without side effects (preview). */
int  pass_preview(dn_engine *e, const char *customer_external_id, dn_time at, json_t **out,
                  dn_err *err);

/* Dispatch statistics. */
typedef struct dn_dispatch_stats {
    long taken, sent, cancelled, deferred, failed;
} dn_dispatch_stats;
/* Takes up to max due contacts, re-checks each (paid meanwhile? disputed?
 * opted out? quiet hours?) and hands the rest to their channel driver.
 * Returns the number taken or a negative errno. */
int  dispatch_batch(dn_engine *e, dn_time now, int max, dn_dispatch_stats *st, dn_err *err);
/* At start-up: contacts left in "sending" for longer than a lease by a
 * stopped engine go back to "planned" when every instance of their channel
 * deduplicates by idempotency key (sent again with the same key), else
 * become "in_doubt" (never re-sent blindly). Returns how many. */
int  dispatch_recover(dn_engine *e, dn_time now);
/* Records the outcomes of completed sends in one store transaction;
 * dispatch_batch and engine_close call it first. Returns how many. */
int  dispatch_flush(dn_engine *e);
/* Sends handed to drivers and not yet completed, over all instances. */
int  dispatch_in_flight(const dn_engine *e);
/* Per-instance counters for /metrics: {"channel_in_flight": {inst: n}, ...}
 * merged into o. */
void dispatch_metrics(const dn_engine *e, json_t *o);

json_t *decision_to_json(const dn_decision *d);

/* The customer's address on a channel, or NULL with *why ("opted out",
 * "no phone number", ...). letter/crm/agent need no personal address. */
const char *engine_channel_address(const dn_customer *c, const char *channel, const char **why);
/* The guard profile that applies to a customer: the configured or else the
 * built-in profile of their country, else of the engine's default country,
 * else the configured or built-in "default". */
const dn_guard_profile *engine_profile_for(const dn_engine *e, const dn_customer *c);
/* Loads the configured profiles ({"LV": {...}, ...}, may be NULL) into e,
 * replacing any loaded before. -EINVAL naming the member, -E2BIG past 16. */
int engine_set_profiles(dn_engine *e, json_t *profiles, dn_err *err);
/* Replaces the one-off public holidays of every calendar with the
 * configured ones ({"LV": {"2023-05-29": "name"}}, may be NULL). The
 * calendar is process-wide: call it before any pass. */
int engine_set_holidays(dn_engine *e, json_t *holidays, dn_err *err);

#endif
