/*
 * registry.c — the table of channel drivers. Adding a channel is one new
 * file channels/NAME.c defining its dn_channel_driver, one extern line and
 * one table row here.
 */
#include "channel.h"

#include <string.h>

extern const dn_channel_driver dn_channel_file;
extern const dn_channel_driver dn_channel_kannel;
extern const dn_channel_driver dn_channel_http_sms;
extern const dn_channel_driver dn_channel_smtp;
extern const dn_channel_driver dn_channel_voice;
extern const dn_channel_driver dn_channel_telegram;
extern const dn_channel_driver dn_channel_letter;

static const dn_channel_driver *const drivers[] = {
    &dn_channel_file,
    &dn_channel_kannel,
    &dn_channel_http_sms,
    &dn_channel_smtp,
    &dn_channel_voice,
    &dn_channel_telegram,
    &dn_channel_letter,
};

/* Returns the driver registered under name, or NULL for an unknown name
 * or NULL. The drivers are static and never freed. */
const dn_channel_driver *channel_driver_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
        if (strcmp(drivers[i]->name, name) == 0)
            return drivers[i];
    return NULL;
}

bool channel_key_is_common(const char *key)
{
    static const char *const common[] = { "driver", "instance", "concurrency",
                                          "rate_per_second", "retry", "cost",
                                          "failover_after", "posting" };
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strcmp(common[i], key) == 0)
            return true;
    return false;
}

int channel_conf_string(const json_t *conf, const char *key, bool required, char *out,
                        size_t size, dn_err *err)
{
    json_t *v = json_object_get(conf, key);
    if (!v) {
        if (required)
            return dn_err_set(err, -EINVAL, key, "channel config needs \"%s\"", key);
        return 0;
    }
    if (!json_is_string(v))
        return dn_err_set(err, -EINVAL, key, "channel config \"%s\" must be a string", key);
    if (!dn_strlcpy(out, json_string_value(v), size))
        return dn_err_set(err, -EINVAL, key, "channel config \"%s\" is longer than %zu bytes",
                          key, size - 1);
    if (required && !*out)
        return dn_err_set(err, -EINVAL, key, "channel config \"%s\" must not be empty", key);
    return 0;
}

int channel_conf_int(const json_t *conf, const char *key, long min, long max, long *out,
                     dn_err *err)
{
    json_t *v = json_object_get(conf, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return dn_err_set(err, -EINVAL, key, "channel config \"%s\" must be an integer "
                          "%ld..%ld", key, min, max);
    *out = (long)json_integer_value(v);
    return 0;
}

int channel_conf_known_keys(const json_t *conf, const char *driver,
                            const char *const *known, dn_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)conf, key, v) {
        bool ok = channel_key_is_common(key);
        for (size_t i = 0; !ok && known[i]; i++)
            ok = strcmp(known[i], key) == 0;
        if (!ok)
            return dn_err_set(err, -EINVAL, key, "%s driver: unknown config key \"%s\"",
                              driver, key);
    }
    return 0;
}
