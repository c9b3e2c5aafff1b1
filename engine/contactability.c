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

#include <stdio.h>
#include <string.h>

static const char *const channels[] = { "sms", "email", "voice", "chat", "letter", "agent" };

static json_t *time_json(dn_time t)
{
    char text[21];
    dn_time_format(t, text);
    return json_string(text);
}

static int append_span(json_t *list, dn_time from, dn_time to, const char *code,
                       const char *reason)
{
    json_t *o = json_object();
    if (!o || json_object_set_new(o, "from", time_json(from)) ||
        json_object_set_new(o, "to", time_json(to)) ||
        (code && json_object_set_new(o, "code", json_string(code))) ||
        (reason && json_object_set_new(o, "reason", json_string(reason))) ||
        json_array_append_new(list, o)) {
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

    dn_time t = now, window_from = -1, block_from = -1;
    char block_code[sizeof v.code] = "", block_reason[sizeof v.reason] = "";
    while (t < end) {
        if (t != now)
            guard_check(p, f, &d, t, &v);
        if (v.kind == DN_GUARD_ALLOW) {
            if (block_from >= 0 && append_span(blocks, block_from, t, block_code, block_reason))
                goto fail;
            block_from = -1;
            if (window_from < 0)
                window_from = t;
            t = (t / 60 + 1) * 60;      /* the next whole minute */
            continue;
        }
        if (window_from >= 0 && append_span(windows, window_from, t, NULL, NULL))
            goto fail;
        window_from = -1;
        if (block_from < 0 || strcmp(block_code, v.code) != 0) {
            if (block_from >= 0 && append_span(blocks, block_from, t, block_code, block_reason))
                goto fail;
            block_from = t;
            memcpy(block_code, v.code, sizeof block_code);
            memcpy(block_reason, v.reason, sizeof block_reason);
        }
        t = (t / 60 + 1) * 60;
    }
    if (window_from >= 0 && append_span(windows, window_from, end, NULL, NULL))
        goto fail;
    if (block_from >= 0 && append_span(blocks, block_from, end, block_code, block_reason))
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

int contactability_json(const dn_guard_profile *p, const dn_facts *f, dn_time now, int days,
                        json_t **out, dn_err *err)
{
    *out = NULL;
    if (days < 1 || days > DN_CONTACTABILITY_DAYS_MAX)
        return dn_err_set(err, -EINVAL, "days", "days must be from 1 to %d",
                          DN_CONTACTABILITY_DAYS_MAX);
    const char *zone_names[16];
    int n_zones = p ? guard_candidate_zones(p, &f->customer, zone_names, 16) : 0;
    dn_time end = now + (dn_time)days * 86400;
    json_t *o = json_object(), *zones = json_array(), *by_channel = json_object();
    if (!o || !zones || !by_channel)
        goto oom;
    for (int i = 0; i < n_zones; i++)
        if (json_array_append_new(zones, json_string(zone_names[i])))
            goto oom;
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
    json_decref(by_channel);
    json_decref(o);
    return dn_err_set(err, -ENOMEM, NULL, "out of memory");
}
