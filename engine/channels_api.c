/* channels_api.c — configuration and HTTP routes of the channel modules
 * (channels_api.h). Each handler checks its input completely before any
 * write, so a bad request changes nothing. */
#include "channels_api.h"

#include <stdlib.h>
#include <string.h>

#include "agent_queue.h"
#include "chat_telegram.h"
#include "letters.h"
#include "voice.h"
#include "voice_events.h"
#include "replies.h"
#include "webhooks.h"

#define LIST_LIMIT_DEFAULT 100
#define LIST_LIMIT_MAX     1000

struct dn_channels {
    dn_engine   *engine;
    dn_webhooks *webhooks;
    int          agent_lease_seconds;
    int          reply_promise_days;
    void       (*changed)(void *arg);
    void        *changed_arg;
};

/* Reads an integer member of a module's config object. */
static int module_int(json_t *obj, const char *module, const char *key, int min, int max,
                      int *dst, dn_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return dn_err_set(err, -EINVAL, key, "%s.%s must be an integer from %d to %d", module,
                          key, min, max);
    *dst = (int)json_integer_value(v);
    return 0;
}

static int only_keys(json_t *obj, const char *module, const char *const *keys, dn_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool known = false;
        for (int i = 0; keys[i]; i++)
            known |= strcmp(key, keys[i]) == 0;
        if (!known)
            return dn_err_set(err, -EINVAL, key, "%s: unknown key \"%s\"", module, key);
    }
    return 0;
}

int channels_open(dn_channels **out, struct event_base *base, dn_engine *e, json_t *modules,
                  void (*changed)(void *arg), void *arg, dn_err *err)
{
    static const char *const agent_keys[] = { "lease_seconds", NULL };
    static const char *const reply_keys[] = { "promise_days", NULL };
    *out = NULL;
    dn_channels *ch = calloc(1, sizeof *ch);
    if (!ch)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    ch->engine = e;
    ch->changed = changed;
    ch->changed_arg = arg;
    ch->agent_lease_seconds = 1800;
    ch->reply_promise_days = 7;
    json_t *agent = json_object_get(modules, "agent_queue");
    json_t *replies = json_object_get(modules, "replies");
    int rc;
    if ((rc = only_keys(agent, "agent_queue", agent_keys, err)) ||
        (rc = module_int(agent, "agent_queue", "lease_seconds", 60, 86400,
                         &ch->agent_lease_seconds, err)) ||
        (rc = only_keys(replies, "replies", reply_keys, err)) ||
        (rc = module_int(replies, "replies", "promise_days", 1, 90, &ch->reply_promise_days,
                         err)))
        goto fail;
    rc = webhooks_start(&ch->webhooks, base, &e->store, json_object_get(modules, "webhooks"),
                        e->lease_seconds, err);
    if (rc)
        goto fail;
    *out = ch;
    return 0;
fail:
    channels_close(ch);
    return rc;
}

void channels_close(dn_channels *ch)
{
    if (!ch)
        return;
    webhooks_stop(ch->webhooks);
    free(ch);
}

/* ---- request helpers ---- */

static int parse_id(const char *text, int64_t *id, dn_err *err)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || v <= 0)
        return dn_err_set(err, -ENOENT, "id", "no such record: %s", text);
    *id = v;
    return 0;
}

static int query_limit(json_t *query, int *limit, dn_err *err)
{
    const char *text = json_string_value(json_object_get(query, "limit"));
    *limit = LIST_LIMIT_DEFAULT;
    if (!text)
        return 0;
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 1 || v > LIST_LIMIT_MAX)
        return dn_err_set(err, -EINVAL, "limit", "limit must be an integer from 1 to %d",
                          LIST_LIMIT_MAX);
    *limit = (int)v;
    return 0;
}

/* A body member that must be a string (or absent when optional). */
static int body_string(json_t *body, const char *key, bool required, const char **out,
                       dn_err *err)
{
    json_t *v = json_object_get(body, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return dn_err_set(err, -EINVAL, key, "%s is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return dn_err_set(err, -EINVAL, key, "%s must be a string", key);
    *out = json_string_value(v);
    return 0;
}

static int body_keys(json_t *body, const char *const *keys, dn_err *err)
{
    if (!json_is_object(body))
        return dn_err_set(err, -EINVAL, "", "the body must be a JSON object");
    return only_keys(body, "body", keys, err);
}

static void changed(dn_channels *ch)
{
    if (ch->changed)
        ch->changed(ch->changed_arg);
}

/* ---- routes ---- */

static int tasks_list(dn_channels *ch, json_t *query, json_t **reply, dn_err *err)
{
    int limit, rc;
    const char *state = json_string_value(json_object_get(query, "state"));
    json_t *items = NULL;
    if ((rc = query_limit(query, &limit, err)) ||
        (rc = agent_task_list(&ch->engine->store, state ? state : "open", limit, &items, err)))
        return rc;
    *reply = json_pack("{s:o}", "items", items);
    return 200;
}

static int task_take(dn_channels *ch, json_t *body, json_t **reply, dn_err *err)
{
    static const char *const keys[] = { "agent", NULL };
    const char *agent;
    int rc;
    if ((rc = body_keys(body, keys, err)) || (rc = body_string(body, "agent", true, &agent, err)))
        return rc;
    rc = agent_task_take(&ch->engine->store, agent, ch->agent_lease_seconds,
                         engine_now(ch->engine), reply, err);
    return rc ? rc : 200;
}

static int task_complete(dn_channels *ch, int64_t id, json_t *body, json_t **reply,
                         dn_err *err)
{
    static const char *const keys[] = { "agent", "outcome", "note", "promise", NULL };
    const char *agent, *outcome, *note;
    int rc;
    if ((rc = body_keys(body, keys, err)) || (rc = body_string(body, "agent", true, &agent, err)) ||
        (rc = body_string(body, "outcome", true, &outcome, err)) ||
        (rc = body_string(body, "note", false, &note, err)))
        return rc;
    rc = agent_task_complete(&ch->engine->store, id, agent, outcome, note,
                             json_object_get(body, "promise"), engine_now(ch->engine), reply,
                             err);
    if (rc)
        return rc;
    changed(ch);
    return 200;
}

static int task_snooze(dn_channels *ch, int64_t id, json_t *body, json_t **reply, dn_err *err)
{
    static const char *const keys[] = { "agent", "until", "minutes", NULL };
    const char *agent, *until_text;
    dn_time now = engine_now(ch->engine), until = 0;
    int rc;
    if ((rc = body_keys(body, keys, err)) || (rc = body_string(body, "agent", true, &agent, err)) ||
        (rc = body_string(body, "until", false, &until_text, err)))
        return rc;
    json_t *minutes = json_object_get(body, "minutes");
    if ((until_text != NULL) == (minutes != NULL))
        return dn_err_set(err, -EINVAL, "until", "give either until (RFC 3339) or minutes");
    if (until_text && dn_time_parse(until_text, &until) < 0)
        return dn_err_set(err, -EINVAL, "until", "until must be an RFC 3339 time");
    if (minutes) {
        if (!json_is_integer(minutes) || json_integer_value(minutes) < 1 ||
            json_integer_value(minutes) > 30 * 24 * 60)
            return dn_err_set(err, -EINVAL, "minutes",
                              "minutes must be an integer from 1 to 43200");
        until = now + (dn_time)json_integer_value(minutes) * 60;
    }
    rc = agent_task_snooze(&ch->engine->store, id, agent, until, now, reply, err);
    return rc ? rc : 200;
}

static int task_release(dn_channels *ch, int64_t id, json_t *body, json_t **reply, dn_err *err)
{
    static const char *const keys[] = { "agent", NULL };
    const char *agent;
    int rc;
    if ((rc = body_keys(body, keys, err)) || (rc = body_string(body, "agent", true, &agent, err)))
        return rc;
    rc = agent_task_release(&ch->engine->store, id, agent, engine_now(ch->engine), reply, err);
    return rc ? rc : 200;
}

static int reply_post(dn_channels *ch, json_t *body, json_t **reply, dn_err *err)
{
    static const char *const keys[] = { "channel", "from", "customer_id", "text",
                                        "provider_id", NULL };
    dn_reply_in in;
    int rc;
    memset(&in, 0, sizeof in);
    if ((rc = body_keys(body, keys, err)) ||
        (rc = body_string(body, "channel", true, &in.channel, err)) ||
        (rc = body_string(body, "from", false, &in.from, err)) ||
        (rc = body_string(body, "customer_id", false, &in.customer_id, err)) ||
        (rc = body_string(body, "text", true, &in.text, err)) ||
        (rc = body_string(body, "provider_id", false, &in.provider_id, err)))
        return rc;
    if ((!in.from || !in.from[0]) && (!in.customer_id || !in.customer_id[0]))
        return dn_err_set(err, -EINVAL, "from", "from (or customer_id) is required");
    rc = reply_receive(&ch->engine->store, &in, ch->reply_promise_days, engine_now(ch->engine),
                       reply, err);
    if (rc)
        return rc;
    changed(ch);
    return json_is_true(json_object_get(*reply, "duplicate")) ? 200 : 201;
}

/* The promise days of the configured voice robot (7 without one). */
static int voice_promise_days(const dn_engine *e)
{
    for (int i = 0; i < e->n_channels; i++)
        if (e->channels[i].driver == &dn_channel_voice)
            return voice_driver_promise_days(e->channels[i].ctx);
    return 7;
}

static int voice_event_post(dn_channels *ch, json_t *body, json_t **reply, dn_err *err)
{
    static const char *const keys[] = { "contact_id", "call_id", "status", "digits", NULL };
    dn_call_event ev;
    int rc;
    memset(&ev, 0, sizeof ev);
    if ((rc = body_keys(body, keys, err)) ||
        (rc = body_string(body, "call_id", false, &ev.call_id, err)) ||
        (rc = body_string(body, "status", true, &ev.status, err)) ||
        (rc = body_string(body, "digits", false, &ev.digits, err)))
        return rc;
    json_t *id = json_object_get(body, "contact_id");
    if (id && (!json_is_integer(id) || json_integer_value(id) <= 0))
        return dn_err_set(err, -EINVAL, "contact_id", "contact_id must be a positive integer");
    ev.contact_id = id ? json_integer_value(id) : 0;
    rc = voice_event_receive(&ch->engine->store, &ev, voice_promise_days(ch->engine),
                             engine_now(ch->engine), reply, err);
    if (rc)
        return rc;
    changed(ch);
    return json_is_true(json_object_get(*reply, "duplicate")) ? 200 : 201;
}

static int deliveries_list(dn_channels *ch, json_t *query, json_t **reply, dn_err *err)
{
    int limit, rc;
    const char *state = json_string_value(json_object_get(query, "state"));
    const char *after_text = json_string_value(json_object_get(query, "after"));
    long long after = 0;
    if (after_text) {
        char *end = NULL;
        errno = 0;
        after = strtoll(after_text, &end, 10);
        if (!*after_text || *end || errno || after < 0)
            return dn_err_set(err, -EINVAL, "after", "after is not a cursor this API returned");
    }
    json_t *items = NULL;
    if ((rc = query_limit(query, &limit, err)) ||
        (rc = webhooks_list(&ch->engine->store, state ? state : "", after, limit + 1, &items,
                            err)))
        return rc;
    json_t *next = json_null();
    if (json_array_size(items) > (size_t)limit) {
        json_array_remove(items, (size_t)limit);
        next = json_sprintf("%lld", (long long)json_integer_value(
                                        json_object_get(json_array_get(items, limit - 1), "id")));
    }
    *reply = json_pack("{s:o, s:o}", "items", items, "next", next);
    return 200;
}

/* Compares in time independent of where the strings differ. */
static bool secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* A Telegram Update: a text message becomes an inbound chat reply. Anything
 * the engine cannot use (no text, unknown chat) is answered 200 with
 * "ignored" so the bot API does not retry it forever. */
static int telegram_update(dn_channels *ch, json_t *headers, json_t *body, json_t **reply,
                           dn_err *err)
{
    const char *secret = NULL;
    for (int i = 0; i < ch->engine->n_channels; i++)
        if (ch->engine->channels[i].driver == &dn_channel_telegram)
            secret = telegram_webhook_secret(ch->engine->channels[i].ctx);
    if (!secret)
        return dn_err_set(err, -ENOTSUP, "", "no chat channel with driver telegram is configured");
    const char *given = json_string_value(json_object_get(headers,
                                                          "x-telegram-bot-api-secret-token"));
    if (!secret[0] || !given || !secret_equal(given, secret))
        return dn_err_set(err, -EACCES, "X-Telegram-Bot-Api-Secret-Token",
                          "the webhook secret is missing or wrong");
    if (!json_is_object(body))
        return dn_err_set(err, -EINVAL, "", "the body must be a Telegram Update object");
    json_t *update_id = json_object_get(body, "update_id");
    if (!json_is_integer(update_id))
        return dn_err_set(err, -EINVAL, "update_id", "update_id must be an integer");
    json_t *message = json_object_get(body, "message");
    json_t *chat_id = json_object_get(json_object_get(message, "chat"), "id");
    const char *text = json_string_value(json_object_get(message, "text"));
    if (!json_is_integer(chat_id) || !text) {
        *reply = json_pack("{s:s}", "ignored", "not a text message");
        return 200;
    }
    char from[32], provider[48];
    snprintf(from, sizeof from, "%lld", (long long)json_integer_value(chat_id));
    snprintf(provider, sizeof provider, "tg-update-%lld",
             (long long)json_integer_value(update_id));
    dn_reply_in in = { .channel = "chat", .from = from, .customer_id = "", .text = text,
                       .provider_id = provider };
    int rc = reply_receive(&ch->engine->store, &in, ch->reply_promise_days,
                           engine_now(ch->engine), reply, err);
    if (rc == -ENOENT || rc == -EINVAL) {
        *reply = json_pack("{s:s}", "ignored", err->msg);
        dn_err_clear(err);
        return 200;
    }
    if (rc)
        return rc;
    changed(ch);
    return 200;
}

int channels_api_handle(void *arg, const char *route, const char *id_text, json_t *query,
                        json_t *headers, json_t *body, json_t **reply, dn_err *err)
{
    dn_channels *ch = arg;
    int64_t id = 0;
    *reply = NULL;
    if (!ch)
        return dn_err_set(err, -ENOTSUP, "", "the channel modules are not running");
    if (id_text[0] && parse_id(id_text, &id, err))
        return -ENOENT;
    if (strcmp(route, "GET /v1/agent/tasks") == 0)
        return tasks_list(ch, query, reply, err);
    if (strcmp(route, "POST /v1/agent/tasks/take") == 0)
        return task_take(ch, body, reply, err);
    if (strcmp(route, "GET /v1/agent/tasks/{id}") == 0) {
        int rc = agent_task_get(&ch->engine->store, id, reply, err);
        return rc ? rc : 200;
    }
    if (strcmp(route, "POST /v1/agent/tasks/{id}/complete") == 0)
        return task_complete(ch, id, body, reply, err);
    if (strcmp(route, "POST /v1/agent/tasks/{id}/snooze") == 0)
        return task_snooze(ch, id, body, reply, err);
    if (strcmp(route, "POST /v1/agent/tasks/{id}/release") == 0)
        return task_release(ch, id, body, reply, err);
    if (strcmp(route, "POST /v1/replies") == 0)
        return reply_post(ch, body, reply, err);
    if (strcmp(route, "POST /v1/chat/telegram/webhook") == 0)
        return telegram_update(ch, headers, body, reply, err);
    if (strcmp(route, "POST /v1/letters/{id}/posted") == 0) {
        static const char *const keys[] = { "posted_on", NULL };
        const char *day;
        dn_date posted_on;
        int rc;
        if ((rc = body_keys(body, keys, err)) ||
            (rc = body_string(body, "posted_on", true, &day, err)))
            return rc;
        if (dn_date_parse(day, &posted_on) < 0)
            return dn_err_set(err, -EINVAL, "posted_on", "posted_on must be a date YYYY-MM-DD");
        rc = letter_record_posted(&ch->engine->store, id, posted_on, engine_now(ch->engine),
                                  reply, err);
        if (rc)
            return rc;
        changed(ch);
        return 200;
    }
    if (strcmp(route, "POST /v1/voice/events") == 0)
        return voice_event_post(ch, body, reply, err);
    if (strcmp(route, "GET /v1/webhooks/deliveries") == 0)
        return deliveries_list(ch, query, reply, err);
    if (strcmp(route, "POST /v1/webhooks/deliveries/{id}/replay") == 0) {
        int rc = webhooks_replay(&ch->engine->store, id, reply, err);
        return rc ? rc : 200;
    }
    return dn_err_set(err, -ENOENT, "", "no such route: %s", route);
}
