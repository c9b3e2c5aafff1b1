/*
 * engine.c — the engine's lifecycle: rule set reloads (build aside, test,
 * swap one pointer, keep the old set on failure) and channel slots.
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

int engine_load_rules(dn_engine *e, const char *dir, dn_err *err)
{
    int rc;
    dn_ruleset *rs = NULL;
    char *report_text = NULL;
    size_t report_size = 0;
    FILE *report = NULL;
    dn_rule_errors *errs = calloc(1, sizeof *errs);
    if (!errs)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");

    e->rules_reloads++;
    rc = rules_load(dir, &rs, errs);
    if (rc) {
        join_errors(errs, e->rules_last_error, sizeof e->rules_last_error);
        dn_err_set(err, rc, errs->n ? errs->items[0] : dir, "rule set refused: %d error(s)",
                   errs->n);
        goto fail;
    }
    report = open_memstream(&report_text, &report_size);
    if (!report) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto fail;
    }
    int passed = 0, failed = 0;
    rules_run_tests(rs, report, &passed, &failed);
    fclose(report);
    report = NULL;
    if (failed) {
        snprintf(e->rules_last_error, sizeof e->rules_last_error, "rule tests failed:\n%s",
                 report_text ? report_text : "");
        rc = dn_err_set(err, -EINVAL, "tests", "rule set refused: %d rule test(s) failed",
                        failed);
        goto fail;
    }
    /* first load: the store knows which version ran before this start */
    bool changed = e->rules && strcmp(rules_version(e->rules), rules_version(rs)) != 0;
    dn_ruleset *old = e->rules;
    bool first = old == NULL;
    e->rules = rs;                        /* the swap: one pointer */
    rs = NULL;
    if (old)
        rules_release(old);
    dn_strlcpy(e->rules_dir, dir, sizeof e->rules_dir);
    e->rules_loaded_at = engine_now(e);
    e->rules_last_error[0] = '\0';
    json_t *files = rules_files_json(e->rules);
    if (e->store.ops && e->store.ops->record_ruleset &&
        e->store.ops->record_ruleset(e->store.ctx, rules_version(e->rules), files, NULL) == 0 &&
        first)
        changed = true;
    json_decref(files);
    /* a new version re-evaluates everyone at the next pass */
    if (changed && e->store.ops && e->store.ops->touch_all)
        e->store.ops->touch_all(e->store.ctx, engine_now(e), NULL);
    dn_log(DN_LOG_INFO, "rules", "rule set %s loaded from %s (%d tests passed)",
           rules_version(e->rules), dir, passed);
    rc = 0;
    goto done;
fail:
    e->rules_reload_failures++;
    dn_log(DN_LOG_ERROR, "rules", "rule set at %s refused; %s keeps running: %s", dir,
           e->rules ? rules_version(e->rules) : "no set", e->rules_last_error);
    if (rs)
        rules_release(rs);
done:
    if (report)
        fclose(report);
    free(report_text);
    free(errs);
    return rc;
}

int engine_open_channels(dn_engine *e, struct event_base *base, json_t *channels,
                         const char *outbox_dir, dn_err *err)
{
    static const char *const all[] = { "sms", "email", "voice", "chat", "letter", "crm",
                                       "agent" };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        json_t *conf = channels ? json_object_get(channels, all[i]) : NULL;
        json_t *owned = NULL;
        if (!conf) {
            owned = json_pack("{s:s, s:s}", "driver", "file", "dir", outbox_dir);
            conf = owned;
        }
        const char *driver_name = json_string_value(json_object_get(conf, "driver"));
        const dn_channel_driver *drv = driver_name ? channel_driver_find(driver_name) : NULL;
        if (!drv) {
            json_decref(owned);
            return dn_err_set(err, -EINVAL, all[i], "channel %s: unknown driver \"%s\"",
                              all[i], driver_name ? driver_name : "(none)");
        }
        dn_channel_slot *slot = &e->channels[e->n_channels];
        memset(slot, 0, sizeof *slot);
        dn_strlcpy(slot->name, all[i], sizeof slot->name);
        slot->driver = drv;
        int rc = drv->init(&slot->ctx, base, conf, err);
        json_decref(owned);
        if (rc)
            return rc;
        e->n_channels++;
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
    for (int i = 0; i < e->n_channels; i++)
        if (e->channels[i].driver->close)
            e->channels[i].driver->close(e->channels[i].ctx);
    e->n_channels = 0;
    if (e->rules)
        rules_release(e->rules);
    e->rules = NULL;
    if (e->store.ops)
        dn_store_close(&e->store);
}
