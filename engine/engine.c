/*
 * engine.c — the engine's lifecycle: rule set reloads (build aside, test,
 * swap one pointer, keep the old set on failure) and channel slots. The
 * build touches nothing of the engine, so the server runs it on a thread
 * of its own; the install is on the engine's thread.
 */
#include "engine.h"

#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Joins the load errors into one text, one "file:line: message" per line. */
static void join_errors(const dn_rule_errors *errs, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < errs->n; i++) {
        int w = snprintf(out + used, size - used, "%s%s", i ? "\n" : "", errs->items[i]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

void engine_rules_build(const char *dir, dn_rules_build *b)
{
    char *report_text = NULL;
    size_t report_size = 0;
    FILE *report = NULL;
    dn_rule_errors *errs = calloc(1, sizeof *errs);

    memset(b, 0, sizeof *b);
    dn_strlcpy(b->dir, dir, sizeof b->dir);
    if (!errs) {
        b->rc = dn_err_set(&b->err, -ENOMEM, NULL, "out of memory");
        goto done;
    }
    b->rc = rules_load(dir, &b->rules, errs);
    if (b->rc) {
        join_errors(errs, b->error, sizeof b->error);
        dn_err_set(&b->err, b->rc, errs->n ? errs->items[0] : dir,
                   "rule set refused: %d error(s)", errs->n);
        goto done;
    }
    report = open_memstream(&report_text, &report_size);
    if (!report) {
        b->rc = dn_err_set(&b->err, -ENOMEM, NULL, "out of memory");
        goto done;
    }
    rules_run_tests(b->rules, report, &b->tests_passed, &b->tests_failed);
    fclose(report);
    report = NULL;
    if (b->tests_failed) {
        snprintf(b->error, sizeof b->error, "rule tests failed:\n%s",
                 report_text ? report_text : "");
        b->rc = dn_err_set(&b->err, -EINVAL, "tests",
                           "rule set refused: %d rule test(s) failed", b->tests_failed);
    }
done:
    if (b->rc && b->rules) {
        rules_release(b->rules);
        b->rules = NULL;
    }
    if (report)
        fclose(report);
    free(report_text);
    free(errs);
}

int engine_rules_install(dn_engine *e, dn_rules_build *b, bool *changed, dn_err *err)
{
    *changed = false;
    e->rules_reloads++;
    if (b->rc) {
        e->rules_reload_failures++;
        dn_strlcpy(e->rules_last_error, b->error, sizeof e->rules_last_error);
        if (err)
            *err = b->err;
        dn_log(DN_LOG_ERROR, "rules", "rule set at %s refused; %s keeps running: %s", b->dir,
               e->rules ? rules_version(e->rules) : "no set", e->rules_last_error);
        return b->rc;
    }
    /* first load: the store knows which version ran before this start */
    bool new_version = e->rules && strcmp(rules_version(e->rules), rules_version(b->rules)) != 0;
    dn_ruleset *old = e->rules;
    bool first = old == NULL;
    e->rules = b->rules;                  /* the swap: one pointer */
    b->rules = NULL;
    if (old)
        rules_release(old);
    dn_strlcpy(e->rules_dir, b->dir, sizeof e->rules_dir);
    e->rules_loaded_at = engine_now(e);
    e->rules_last_error[0] = '\0';
    json_t *files = rules_files_json(e->rules);
    if (e->store.ops && e->store.ops->record_ruleset &&
        e->store.ops->record_ruleset(e->store.ctx, rules_version(e->rules), files, NULL) == 0 &&
        first)
        new_version = true;
    json_decref(files);
    /* a new version re-evaluates everyone at the next pass */
    if (new_version && e->store.ops && e->store.ops->touch_all)
        e->store.ops->touch_all(e->store.ctx, engine_now(e), NULL);
    dn_log(DN_LOG_INFO, "rules", "rule set %s loaded from %s (%d tests passed)",
           rules_version(e->rules), b->dir, b->tests_passed);
    *changed = new_version;
    return 0;
}

int engine_load_rules(dn_engine *e, const char *dir, dn_err *err)
{
    dn_rules_build *b = malloc(sizeof *b);
    bool changed;
    if (!b)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    engine_rules_build(dir, b);
    int rc = engine_rules_install(e, b, &changed, err);
    free(b);
    return rc;
}

/* Reads the common keys of one instance config into slot (channel.h). */
static int slot_limits(dn_channel_slot *slot, json_t *conf, dn_err *err)
{
    long concurrency = 32, max_attempts = 5, backoff = 60, max_backoff = 3600;
    long failover_after = 3;
    long per_message = 0, per_part = 0;
    int rc = channel_conf_int(conf, "concurrency", 1, 100000, &concurrency, err);
    if (rc == 0)
        rc = channel_conf_int(conf, "failover_after", 0, 1000, &failover_after, err);
    if (rc)
        return rc;
    json_t *rate = json_object_get(conf, "rate_per_second");
    if (rate && (!json_is_number(rate) || json_number_value(rate) < 0 ||
                 json_number_value(rate) > 1e6))
        return dn_err_set(err, -EINVAL, "rate_per_second",
                          "channel %s: \"rate_per_second\" must be a number 0..1000000 "
                          "(0 = unlimited)", slot->instance);
    slot->rate_per_second = rate ? json_number_value(rate) : 0;
    char posting[16] = "recorded";
    if ((rc = channel_conf_string(conf, "posting", false, posting, sizeof posting, err)))
        return rc;
    if (strcmp(posting, "recorded") != 0 &&
        (strcmp(posting, "on_write") != 0 || strcmp(slot->name, "letter") != 0))
        return dn_err_set(err, -EINVAL, "posting", "channel %s: \"posting\" is \"recorded\" "
                          "or, for letters, \"on_write\"", slot->instance);
    slot->posts_on_write = strcmp(posting, "on_write") == 0;
    json_t *retry = json_object_get(conf, "retry");
    if (retry) {
        static const char *const keys[] = { "max_attempts", "backoff_seconds",
                                            "max_backoff_seconds", NULL };
        if (!json_is_object(retry))
            return dn_err_set(err, -EINVAL, "retry", "channel %s: \"retry\" must be an object",
                              slot->instance);
        if ((rc = channel_conf_known_keys(retry, "retry", keys, err)) ||
            (rc = channel_conf_int(retry, "max_attempts", 1, 100, &max_attempts, err)) ||
            (rc = channel_conf_int(retry, "backoff_seconds", 1, 86400, &backoff, err)) ||
            (rc = channel_conf_int(retry, "max_backoff_seconds", 1, 7 * 86400, &max_backoff,
                                   err)))
            return rc;
    }
    json_t *cost = json_object_get(conf, "cost");
    slot->currency[0] = '\0';
    if (cost) {
        static const char *const keys[] = { "per_message_minor", "per_part_minor", "currency",
                                            NULL };
        if (!json_is_object(cost))
            return dn_err_set(err, -EINVAL, "cost", "channel %s: \"cost\" must be an object",
                              slot->instance);
        if ((rc = channel_conf_known_keys(cost, "cost", keys, err)) ||
            (rc = channel_conf_int(cost, "per_message_minor", 0, 1000000000, &per_message,
                                   err)) ||
            (rc = channel_conf_int(cost, "per_part_minor", 0, 1000000000, &per_part, err)) ||
            (rc = channel_conf_string(cost, "currency", true, slot->currency,
                                      sizeof slot->currency, err)))
            return rc;
        for (int i = 0; i < 3; i++)
            if (slot->currency[i] < 'A' || slot->currency[i] > 'Z' || !slot->currency[2])
                return dn_err_set(err, -EINVAL, "currency", "channel %s: cost currency must "
                                  "be an ISO 4217 code like \"EUR\"", slot->instance);
    }
    slot->concurrency = (int)concurrency;
    slot->failover_after = (int)failover_after;
    slot->max_attempts = (int)max_attempts;
    slot->backoff_seconds = (int)backoff;
    slot->max_backoff_seconds = (int)(max_backoff < backoff ? backoff : max_backoff);
    slot->cost_per_message_minor = per_message;
    slot->cost_per_part_minor = per_part;
    slot->tokens = slot->rate_per_second > 1 ? slot->rate_per_second : 1;
    slot->tokens_at = -1;
    return 0;
}

/* Opens one instance of channel `name` from conf (borrowed). */
static int open_slot(dn_engine *e, struct event_base *base, const char *name, json_t *conf,
                     size_t index, dn_err *err)
{
    if (e->n_channels >= DN_MAX_CHANNELS)
        return dn_err_set(err, -E2BIG, name, "more than %d channel instances configured",
                          DN_MAX_CHANNELS);
    if (!json_is_object(conf))
        return dn_err_set(err, -EINVAL, name, "channel %s: an instance must be an object", name);
    const char *driver_name = json_string_value(json_object_get(conf, "driver"));
    const dn_channel_driver *drv = driver_name ? channel_driver_find(driver_name) : NULL;
    if (!drv)
        return dn_err_set(err, -EINVAL, name, "channel %s: unknown driver \"%s\"", name,
                          driver_name ? driver_name : "(none)");
    dn_channel_slot *slot = &e->channels[e->n_channels];
    memset(slot, 0, sizeof *slot);
    dn_strlcpy(slot->name, name, sizeof slot->name);
    char instance_name[32] = "";
    int rc = channel_conf_string(conf, "instance", false, instance_name, sizeof instance_name,
                                 err);
    if (rc)
        return rc;
    if (instance_name[0])
        snprintf(slot->instance, sizeof slot->instance, "%s/%s", name, instance_name);
    else if (index > 0)
        snprintf(slot->instance, sizeof slot->instance, "%s/%zu", name, index + 1);
    else
        dn_strlcpy(slot->instance, name, sizeof slot->instance);
    rc = slot_limits(slot, conf, err);
    if (rc)
        return rc;
    slot->driver = drv;
    rc = drv->init(&slot->ctx, base, conf, err);
    if (rc) {
        char field[sizeof err->field];
        dn_strlcpy(field, err->field, sizeof field);
        snprintf(err->field, sizeof err->field, "channels.%s.%s", name, field);
        return rc;
    }
    slot->deduplicates = drv->deduplicates && drv->deduplicates(slot->ctx);
    e->n_channels++;
    return 0;
}

int engine_open_channels(dn_engine *e, struct event_base *base, json_t *channels,
                         const char *outbox_dir, dn_err *err)
{
    static const char *const all[] = { "sms", "email", "voice", "chat", "letter", "crm",
                                       "agent" };
    if (channels) {
        const char *key;
        json_t *v;
        json_object_foreach(channels, key, v) {
            bool known = false;
            for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
                known |= strcmp(all[i], key) == 0;
            if (!known)
                return dn_err_set(err, -EINVAL, key, "unknown channel \"%s\" in \"channels\" "
                                  "(sms, email, voice, chat, letter, crm, agent)", key);
        }
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        json_t *conf = channels ? json_object_get(channels, all[i]) : NULL;
        int rc;
        if (!conf) {
            json_t *owned = json_pack("{s:s, s:s}", "driver", "file", "dir", outbox_dir);
            if (!owned)
                return dn_err_set(err, -ENOMEM, NULL, "out of memory");
            rc = open_slot(e, base, all[i], owned, 0, err);
            json_decref(owned);
        } else if (json_is_array(conf)) {
            if (json_array_size(conf) == 0)
                return dn_err_set(err, -EINVAL, all[i], "channel %s: an empty list of "
                                  "instances", all[i]);
            size_t k;
            json_t *one;
            rc = 0;
            json_array_foreach(conf, k, one) {
                rc = open_slot(e, base, all[i], one, k, err);
                if (rc)
                    break;
            }
        } else {
            rc = open_slot(e, base, all[i], conf, 0, err);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int engine_set_profiles(dn_engine *e, json_t *profiles, dn_err *err)
{
    for (int i = 0; i < e->n_profiles; i++)
        guard_profile_free(e->profiles[i]);
    e->n_profiles = 0;
    if (!profiles)
        return 0;
    if (!json_is_object(profiles))
        return dn_err_set(err, -EINVAL, "guard_profiles", "guard_profiles must be an object");
    const char *country;
    json_t *obj;
    json_object_foreach(profiles, country, obj) {
        if (e->n_profiles >= (int)(sizeof e->profiles / sizeof e->profiles[0]))
            return dn_err_set(err, -E2BIG, "guard_profiles", "more than %zu guard profiles",
                              sizeof e->profiles / sizeof e->profiles[0]);
        if (!dn_strlcpy(e->profile_country[e->n_profiles], country,
                        sizeof e->profile_country[0]))
            return dn_err_set(err, -EINVAL, "guard_profiles", "bad country \"%.20s\"", country);
        int rc = guard_profile_from_json(obj, &e->profiles[e->n_profiles], err);
        if (rc)
            return rc;
        e->n_profiles++;
    }
    return 0;
}

int engine_set_holidays(dn_engine *e, json_t *holidays, dn_err *err)
{
    (void)e;
    calendar_clear_added();
    const char *country, *day;
    json_t *days, *name;
    json_object_foreach(holidays, country, days) {
        json_object_foreach(days, day, name) {
            dn_date d;
            int rc = dn_date_parse(day, &d);
            if (rc == 0)
                rc = calendar_add_holiday(country, d, json_string_value(name));
            if (rc && rc != -EEXIST)
                return dn_err_set(err, rc, "holidays", "holidays.%.8s.%.20s: %s", country, day,
                                  rc == -ENOMEM ? "out of memory" : "invalid");
        }
    }
    return 0;
}

void engine_close(dn_engine *e)
{
    engine_set_profiles(e, NULL, NULL);
    calendar_clear_added();
    /* closing a driver completes its sends still in flight (aborted) */
    for (int i = 0; i < e->n_channels; i++)
        if (e->channels[i].driver->close)
            e->channels[i].driver->close(e->channels[i].ctx);
    if (e->store.ops)
        dispatch_flush(e);
    e->n_channels = 0;
    if (e->rules)
        rules_release(e->rules);
    e->rules = NULL;
    pass_buffers_free(e);
    if (e->store.ops)
        dn_store_close(&e->store);
}
