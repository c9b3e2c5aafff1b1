/* config.c — the JSON configuration file. */
#include "config.h"

#include "calendar.h"
#include "guard.h"
#include "location.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DN_SOURCE_DIR
#define DN_SOURCE_DIR "."
#endif

void dn_config_defaults(dn_config *c)
{
    memset(c, 0, sizeof *c);
    dn_strlcpy(c->listen, "127.0.0.1:8080", sizeof c->listen);
    dn_strlcpy(c->store, "sqlite:var/dunning.db", sizeof c->store);
    dn_strlcpy(c->schema_dir, DN_SOURCE_DIR "/schema", sizeof c->schema_dir);
    dn_strlcpy(c->rules, "rules", sizeof c->rules);
    dn_strlcpy(c->outbox_dir, "var/outbox", sizeof c->outbox_dir);
    c->pass_interval_seconds = 60;
    c->dispatch_interval_ms = 1000;
    c->batch_size = 500;
    c->lease_seconds = 300;
    dn_strlcpy(c->default_country, "LV", sizeof c->default_country);
    c->watch_rules = true;
    c->log_level = DN_LOG_INFO;
}

void dn_config_free(dn_config *c)
{
    json_decref(c->channels);
    c->channels = NULL;
    json_decref(c->guard_profiles);
    c->guard_profiles = NULL;
    json_decref(c->holidays);
    c->holidays = NULL;
    json_decref(c->modules);
    c->modules = NULL;
}

/* "holidays": {"LV": {"2023-05-29": "Ice hockey bronze"}}: one-off public
 * holidays by country, added to the computed calendars. */
static int check_holidays(json_t *v, dn_err *err)
{
    if (!json_is_object(v))
        return dn_err_set(err, -EINVAL, "holidays", "config key \"holidays\" must be an object "
                          "of countries, each an object of \"YYYY-MM-DD\": \"name\"");
    size_t total = 0;
    const char *country, *day;
    json_t *days, *name;
    json_object_foreach(v, country, days) {
        char field[96];
        snprintf(field, sizeof field, "holidays.%.40s", country);
        if (!location_country_known(country))
            return dn_err_set(err, -EINVAL, field, "%s: \"%.40s\" is not an ISO 3166 country "
                              "code (LV, US, ...)", field, country);
        if (!json_is_object(days))
            return dn_err_set(err, -EINVAL, field, "%s must be an object of "
                              "\"YYYY-MM-DD\": \"name\"", field);
        json_object_foreach(days, day, name) {
            dn_date d;
            snprintf(field, sizeof field, "holidays.%s.%.20s", country, day);
            if (dn_date_parse(day, &d) < 0)
                return dn_err_set(err, -EINVAL, field, "%s: not a date YYYY-MM-DD", field);
            if (!json_is_string(name) || !*json_string_value(name))
                return dn_err_set(err, -EINVAL, field, "%s: the holiday needs a name", field);
            if (strlen(json_string_value(name)) >= DN_HOLIDAY_NAME_MAX)
                return dn_err_set(err, -EINVAL, field, "%s: the name is longer than %d bytes",
                                  field, DN_HOLIDAY_NAME_MAX - 1);
            if (++total > DN_CONFIG_HOLIDAYS)
                return dn_err_set(err, -EINVAL, "holidays", "at most %d one-off holidays",
                                  DN_CONFIG_HOLIDAYS);
        }
    }
    return 0;
}

/* "guard_profiles": {"LV": {...}, "default": {...}}: every profile is
 * loaded once here so that a bad one stops the start with its member named
 * ("guard_profiles.LV.windows.mon"); the engine loads them again. Run
 * after every other key: a profile's calendar may be in "holidays". */
static int check_guard_profiles(json_t *v, json_t *holidays, dn_err *err)
{
    if (!json_is_object(v) || json_object_size(v) > DN_ENGINE_PROFILES)
        return dn_err_set(err, -EINVAL, "guard_profiles",
                          "config key \"guard_profiles\" must be an object of at most %d "
                          "profiles keyed by country code", DN_ENGINE_PROFILES);
    const char *country;
    json_t *obj;
    json_object_foreach(v, country, obj) {
        char key[64];
        snprintf(key, sizeof key, "guard_profiles.%.40s", country);
        if (!location_country_known(country) && strcmp(country, "default") != 0)
            return dn_err_set(err, -EINVAL, key,
                              "%s: \"%.40s\" is not an ISO 3166 country code (LV, US, ...) "
                              "or \"default\"", key, country);
        dn_guard_profile *p = NULL;
        dn_err inner;
        dn_err_clear(&inner);
        int rc = guard_profile_from_json(obj, &p, &inner);
        if (rc) {
            char field[96];
            snprintf(field, sizeof field, "guard_profiles.%s.%.60s", country, inner.field);
            return dn_err_set(err, rc, field, "%s: %s", field, inner.msg);
        }
        /* a profile that forbids holidays needs a calendar: a built-in one,
         * or one-off days under "holidays" */
        const char *calendar = guard_profile_holiday_country(p);
        if (calendar && !calendar[0] && strcmp(country, "default") != 0)
            calendar = country;
        if (calendar && calendar[0] && !calendar_builtin(calendar) &&
            !json_object_get(holidays, calendar)) {
            char field[96];
            snprintf(field, sizeof field, "guard_profiles.%s.holidays_forbidden", country);
            rc = dn_err_set(err, -EINVAL, field, "%s: no public holidays are known for %s: list "
                            "them under \"holidays\": {\"%s\": {...}} or set "
                            "holidays_forbidden to false", field, calendar, calendar);
        }
        guard_profile_free(p);
        if (rc)
            return rc;
    }
    return 0;
}

static int set_string(json_t *v, const char *key, char *dst, size_t size, dn_err *err)
{
    if (!json_is_string(v))
        return dn_err_set(err, -EINVAL, key, "config key \"%s\" must be a string", key);
    if (!dn_strlcpy(dst, json_string_value(v), size))
        return dn_err_set(err, -EINVAL, key, "config key \"%s\" is longer than %zu bytes", key,
                          size - 1);
    return 0;
}

static int set_int(json_t *v, const char *key, int min, int max, int *dst, dn_err *err)
{
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return dn_err_set(err, -EINVAL, key, "config key \"%s\" must be an integer %d..%d",
                          key, min, max);
    *dst = (int)json_integer_value(v);
    return 0;
}

int dn_config_load(dn_config *c, const char *path, dn_err *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return dn_err_set(err, -EINVAL, path, "%s:%d:%d: %s", path, jerr.line, jerr.column,
                          jerr.text);
    int rc = 0;
    if (!json_is_object(root)) {
        rc = dn_err_set(err, -EINVAL, path, "%s: the configuration must be a JSON object",
                        path);
        goto done;
    }
    const char *key;
    json_t *v, *profiles = NULL;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "listen") == 0)
            rc = set_string(v, key, c->listen, sizeof c->listen, err);
        else if (strcmp(key, "store") == 0)
            rc = set_string(v, key, c->store, sizeof c->store, err);
        else if (strcmp(key, "schema_dir") == 0)
            rc = set_string(v, key, c->schema_dir, sizeof c->schema_dir, err);
        else if (strcmp(key, "rules") == 0)
            rc = set_string(v, key, c->rules, sizeof c->rules, err);
        else if (strcmp(key, "outbox_dir") == 0)
            rc = set_string(v, key, c->outbox_dir, sizeof c->outbox_dir, err);
        else if (strcmp(key, "callback_secret") == 0) {
            rc = set_string(v, key, c->callback_secret, sizeof c->callback_secret, err);
            if (rc == 0 && strlen(c->callback_secret) < 16)
                rc = dn_err_set(err, -EINVAL, key, "config key \"callback_secret\" must be "
                                "16..64 characters");
        } else if (strcmp(key, "default_country") == 0) {
            rc = set_string(v, key, c->default_country, sizeof c->default_country, err);
            if (rc == 0 && c->default_country[0] && !location_country_known(c->default_country))
                rc = dn_err_set(err, -EINVAL, key, "config key \"default_country\" must be \"\" "
                                "or an ISO 3166 country code such as LV, not \"%s\"",
                                c->default_country);
        }
        else if (strcmp(key, "pass_interval_seconds") == 0)
            rc = set_int(v, key, 1, 86400, &c->pass_interval_seconds, err);
        else if (strcmp(key, "dispatch_interval_ms") == 0)
            rc = set_int(v, key, 10, 600000, &c->dispatch_interval_ms, err);
        else if (strcmp(key, "batch_size") == 0)
            rc = set_int(v, key, 1, 100000, &c->batch_size, err);
        else if (strcmp(key, "lease_seconds") == 0)
            rc = set_int(v, key, 1, 86400, &c->lease_seconds, err);
        else if (strcmp(key, "watch_rules") == 0) {
            if (!json_is_boolean(v))
                rc = dn_err_set(err, -EINVAL, key, "config key \"watch_rules\" must be true or false");
            else
                c->watch_rules = json_is_true(v);
        } else if (strcmp(key, "now") == 0) {
            if (!json_is_string(v) || dn_time_parse(json_string_value(v), &c->fixed_now))
                rc = dn_err_set(err, -EINVAL, key,
                                "config key \"now\" must be an RFC 3339 time like 2005-10-05T09:00:00Z");
        } else if (strcmp(key, "log_level") == 0) {
            static const char *const names[] = { "debug", "info", "warn", "error" };
            const char *s = json_string_value(v);
            int found = -1;
            for (int i = 0; s && i < 4; i++)
                if (strcmp(s, names[i]) == 0)
                    found = i;
            if (found < 0)
                rc = dn_err_set(err, -EINVAL, key,
                                "config key \"log_level\" must be debug, info, warn or error");
            else
                c->log_level = (dn_log_level)found;
        } else if (strcmp(key, "tokens") == 0) {
            size_t i;
            json_t *t;
            if (!json_is_array(v) || json_array_size(v) > DN_MAX_TOKENS) {
                rc = dn_err_set(err, -EINVAL, key,
                                "config key \"tokens\" must be an array of at most %d strings",
                                DN_MAX_TOKENS);
                break;
            }
            c->n_tokens = 0;
            json_array_foreach(v, i, t) {
                if (!json_is_string(t) || strlen(json_string_value(t)) < 8 ||
                    !dn_strlcpy(c->tokens[c->n_tokens], json_string_value(t),
                                sizeof c->tokens[0])) {
                    rc = dn_err_set(err, -EINVAL, key,
                                    "tokens[%zu] must be a string of 8..127 characters", i);
                    break;
                }
                c->n_tokens++;
            }
        } else if (strcmp(key, "holidays") == 0) {
            rc = check_holidays(v, err);
            if (rc == 0) {
                json_decref(c->holidays);
                c->holidays = json_incref(v);
            }
        } else if (strcmp(key, "guard_profiles") == 0) {
            profiles = v;       /* checked below, once "holidays" is read too */
        } else if (strcmp(key, "channels") == 0) {
            if (!json_is_object(v)) {
                rc = dn_err_set(err, -EINVAL, key, "config key \"channels\" must be an object");
            } else {
                json_decref(c->channels);
                c->channels = json_incref(v);
            }
        } else if (strcmp(key, "agent_queue") == 0 || strcmp(key, "replies") == 0 ||
                   strcmp(key, "webhooks") == 0) {
            /* the channel modules check their own keys (channels_api.c) */
            if (!json_is_object(v))
                rc = dn_err_set(err, -EINVAL, key, "config key \"%s\" must be an object", key);
            else if (!c->modules && !(c->modules = json_object()))
                rc = dn_err_set(err, -ENOMEM, key, "out of memory");
            else
                json_object_set(c->modules, key, v);
        } else {
            rc = dn_err_set(err, -EINVAL, key, "%s: unknown config key \"%s\"", path, key);
        }
        if (rc)
            break;
    }
    if (rc == 0 && profiles) {
        rc = check_guard_profiles(profiles, c->holidays, err);
        if (rc == 0) {
            json_decref(c->guard_profiles);
            c->guard_profiles = json_incref(profiles);
        }
    }
done:
    json_decref(root);
    return rc;
}

int dn_config_split_listen(const char *listen, char *host, size_t size, int *port)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= size)
        return -EINVAL;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535)
        return -EINVAL;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    *port = (int)p;
    return 0;
}
