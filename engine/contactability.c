/*
 * contactability.c — the guard asked minute by minute where it allows, and
 * once per blocked stretch where it does not (contactability.h).
 *
 * Every whole minute of the period is asked (after `now` itself): windows,
 * blackouts, caps and spacing may begin or end at any minute, a hold with a
 * date ends at a local midnight, and the code of a block is the guard's
 * first reason at that minute, so quiet hours followed by a holiday show
 * as two blocks with their own codes. 7 days x 1440 minutes x 6 channels
 * is about 60 000 verdicts, some 50 ms (tests/bench/bench_guard.c).
 */
#include "contactability.h"

#include "location.h"

#include <stdio.h>
#include <string.h>

static const char *const channels[] = { "sms", "email", "voice", "chat", "letter", "agent" };

static json_t *time_json(dn_time t)
{
    char text[21];
    dn_time_format(t, text);
    return json_string(text);
}

/* Appends {"from", "to"} plus, for a block, its code, reason, the zone
 * whose local time blocks and how many contacts behind it are not sent
 * yet; for a window, the zones whose local time opens and closes it. */
typedef struct span {
    dn_time from;
    char code[32], reason[200];
    const char *zone, *closed_by;     /* borrowed from the tz cache */
    int unsent;
} span;

static int append_span(json_t *list, const span *s, dn_time to, bool block)
{
    json_t *o = json_object();
    bool failed = !o || json_object_set_new(o, "from", time_json(s->from)) ||
                  json_object_set_new(o, "to", time_json(to));
    if (!failed && block)
        failed = json_object_set_new(o, "code", json_string(s->code)) ||
                 json_object_set_new(o, "reason", json_string(s->reason)) ||
                 (s->zone && json_object_set_new(o, "zone", json_string(s->zone))) ||
                 (s->unsent && json_object_set_new(o, "unsent", json_integer(s->unsent)));
    if (!failed && !block)
        failed = (s->zone && json_object_set_new(o, "opened_by", json_string(s->zone))) ||
                 (s->closed_by && json_object_set_new(o, "closed_by", json_string(s->closed_by)));
    if (failed || json_array_append_new(list, o)) {
        json_decref(o);
        return -ENOMEM;
    }
    return 0;
}

static json_t *verdict_json(const dn_verdict *v)
{
    return json_pack("{s:s, s:s, s:s, s:o}", "verdict", dn_verdict_names[v->kind], "code",
                     v->code, "reason", v->reason, "next_allowed",
                     v->kind == DN_GUARD_DEFER ? time_json(v->defer_until) : json_null());
}

/* Fills one channel's {"now", "windows", "blocks"}. */
static int channel_json(const dn_guard_profile *p, const dn_facts *f, const char *channel,
                        dn_time now, dn_time end, json_t **out)
{
    dn_decision d;
    memset(&d, 0, sizeof d);
    d.action = DN_ACT_CONTACT;
    dn_strlcpy(d.channel, channel, sizeof d.channel);
    dn_strlcpy(d.tone, "gentle", sizeof d.tone);
    d.purpose = DN_PURPOSE_REMINDER;
    d.hours_from = d.hours_to = -1;

    json_t *o = json_object(), *windows = json_array(), *blocks = json_array();
    dn_verdict v;
    int rc = -ENOMEM;
    if (!o || !windows || !blocks)
        goto fail;
    guard_check(p, f, &d, now, &v);
    if (json_object_set_new(o, "now", verdict_json(&v)))
        goto fail;

    /* the open window's opened_by is the zone of the block before it */
    span window = { .from = -1 }, blocked = { .from = -1 };
    const char *last_block_zone = NULL;
    dn_time t = now;
    while (t < end) {
        if (t != now)
            guard_check(p, f, &d, t, &v);
        if (v.kind == DN_GUARD_ALLOW) {
            if (blocked.from >= 0 && append_span(blocks, &blocked, t, true))
                goto fail;
            blocked.from = -1;
            if (window.from < 0)
                window = (span){ .from = t, .zone = last_block_zone };
            t = (t / 60 + 1) * 60;      /* the next whole minute */
            continue;
        }
        if (window.from >= 0) {
            window.closed_by = v.zone;
            if (append_span(windows, &window, t, false))
                goto fail;
        }
        window.from = -1;
        if (blocked.from < 0 || strcmp(blocked.code, v.code) != 0) {
            if (blocked.from >= 0 && append_span(blocks, &blocked, t, true))
                goto fail;
            blocked.from = t;
            memcpy(blocked.code, v.code, sizeof blocked.code);
            memcpy(blocked.reason, v.reason, sizeof blocked.reason);
            blocked.zone = v.zone;
            blocked.unsent = v.unsent;
        }
        last_block_zone = v.zone;
        t = (t / 60 + 1) * 60;
    }
    if (window.from >= 0 && append_span(windows, &window, end, false))
        goto fail;
    if (blocked.from >= 0 && append_span(blocks, &blocked, end, true))
        goto fail;
    /* json_object_set_new consumes the value even when it fails */
    int set = json_object_set_new(o, "windows", windows);
    windows = NULL;
    if (set)
        goto fail;
    set = json_object_set_new(o, "blocks", blocks);
    blocks = NULL;
    if (set)
        goto fail;
    *out = o;
    return 0;
fail:
    json_decref(windows);
    json_decref(blocks);
    json_decref(o);
    return rc;
}

/* ["timezone", "phone"] for the DN_LOC_* bits (a new array, NULL when out
 * of memory). */
static json_t *sources_json(unsigned bits)
{
    char names[64];
    location_source_names(bits, names, sizeof names);
    json_t *list = json_array();
    char *save = NULL;
    for (char *name = strtok_r(names, ",", &save); list && name;
         name = strtok_r(NULL, ",", &save)) {
        if (json_array_append_new(list, json_string(name))) {
            json_decref(list);
            list = NULL;
        }
    }
    return list;
}

int contactability_json(const dn_guard_profile *p, const dn_facts *f, dn_time now, int days,
                        json_t **out, dn_err *err)
{
    *out = NULL;
    if (days < 1 || days > DN_CONTACTABILITY_DAYS_MAX)
        return dn_err_set(err, -EINVAL, "days", "days must be from 1 to %d",
                          DN_CONTACTABILITY_DAYS_MAX);
    dn_location loc = { .n = 0 };
    if (p)
        guard_candidate_zones(p, &f->customer, &loc);
    dn_time end = now + (dn_time)days * 86400;
    json_t *o = json_object(), *zones = json_array(), *signals = json_object(),
           *unsent = json_array(), *by_channel = json_object();
    if (!o || !zones || !signals || !unsent || !by_channel)
        goto oom;
    for (int i = 0; i < loc.n; i++) {
        json_t *list = sources_json(loc.source[i]);
        if (!list || json_array_append_new(zones, json_string(tz_name(loc.zone[i]))) ||
            json_object_set_new(signals, tz_name(loc.zone[i]), list))
            goto oom;
    }
    if (json_object_set_new(o, "zone_signals", signals)) {
        signals = NULL;
        goto oom;
    }
    signals = NULL;
    /* the contacts the guard counts although they are not sent yet */
    for (int i = 0; i < f->n_contacts && i < DN_FACT_CONTACTS; i++) {
        const dn_fact_contact *c = &f->contacts[i];
        if (strcmp(c->state, "planned") && strcmp(c->state, "sending") &&
            strcmp(c->state, "in_doubt"))
            continue;
        if (json_array_append_new(unsent, json_pack("{s:I, s:s, s:o, s:s}", "id",
                                                     (json_int_t)c->id, "channel", c->channel,
                                                     "at", time_json(c->at), "state",
                                                     c->state)))
            goto oom;
    }
    if (json_object_set_new(o, "unsent", unsent)) {
        unsent = NULL;
        goto oom;
    }
    unsent = NULL;
    if (json_object_set_new(o, "profile", p ? json_string(guard_profile_name(p)) : json_null()))
        goto oom;
    int rc = json_object_set_new(o, "zones", zones);
    zones = NULL;                       /* consumed, even on failure */
    if (rc)
        goto oom;
    if (json_object_set_new(o, "from", time_json(now)) ||
        json_object_set_new(o, "to", time_json(end)))
        goto oom;
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        json_t *ch = NULL;
        if (channel_json(p, f, channels[i], now, end, &ch) ||
            json_object_set_new(by_channel, channels[i], ch))
            goto oom;
    }
    if (json_object_set_new(o, "channels", by_channel)) {
        by_channel = NULL;
        goto oom;
    }
    *out = o;
    return 0;
oom:
    json_decref(zones);
    json_decref(signals);
    json_decref(unsent);
    json_decref(by_channel);
    json_decref(o);
    return dn_err_set(err, -ENOMEM, NULL, "out of memory");
}
