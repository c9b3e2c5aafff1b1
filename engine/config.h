/*
 * config.h — the server's configuration: one JSON file (docs/operations.md
 * lists every key), overridable by command-line flags. Unknown keys are
 * errors naming the key, so a typo never silently falls back to a default.
 */
#ifndef DN_CONFIG_H
#define DN_CONFIG_H

#include <jansson.h>

#include "common.h"

#define DN_MAX_TOKENS 16
#define DN_ENGINE_PROFILES 16                /* configured guard profiles at most */
#define DN_CONFIG_HOLIDAYS 256               /* one-off holidays at most */

typedef struct dn_config {
    char    listen[128];                 /* "127.0.0.1:8080" */
    char    store[512];                  /* "sqlite:var/dunning.db" */
    char    schema_dir[512];             /* folder holding sqlite/, mariadb/ */
    char    rules[512];                  /* rules directory */
    char    outbox_dir[512];             /* file-sink folder */
    char    tokens[DN_MAX_TOKENS][128];  /* API bearer tokens */
    int     n_tokens;
    int     pass_interval_seconds;       /* how often a pass starts */
    int     dispatch_interval_ms;        /* how often the outbox is polled */
    int     batch_size;                  /* customers per batch */
    int     lease_seconds;               /* claim lease (several instances) */
    char    default_country[3];          /* guard profile when unknown */
    bool    watch_rules;                 /* reload when the rules folder changes */
    dn_time fixed_now;                   /* pinned clock (demo, tests); 0 = wall clock */
    dn_log_level log_level;
    char    callback_secret[65];         /* signs callback URLs; "" = random per start */
    json_t *channels;                    /* {"sms": {"driver": ...}} or NULL (owned) */
    json_t *guard_profiles;              /* {"LV": {"base": "LV", ...}} or NULL (owned);
                                            checked by dn_config_load */
    json_t *holidays;                    /* one-off public holidays {"LV": {"2023-05-29":
                                            "name"}} or NULL (owned); checked */
    json_t *modules;                     /* {"agent_queue": {..}, "replies": {..}, "webhooks":
                                            {..}} as given, checked by channels_open (owned) */
} dn_config;

void dn_config_defaults(dn_config *c);
/* Reads a JSON config file over the defaults; -EINVAL naming the key. */
int  dn_config_load(dn_config *c, const char *path, dn_err *err);
void dn_config_free(dn_config *c);
/* Splits "host:port"; -EINVAL if malformed. */
int  dn_config_split_listen(const char *listen, char *host, size_t size, int *port);

#endif
