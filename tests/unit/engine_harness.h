/*
 * engine_harness.h — the real engine over a temporary folder, for the unit
 * tests that drive passes and the dispatcher (test_one_step_a_day.c,
 * test_send_time_text.c): an SQLite store, a rule set written by the test,
 * the file sink. Include after cmocka.h; everything is static.
 */
#ifndef DN_ENGINE_HARNESS_H
#define DN_ENGINE_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Writes text into dir/name. */
static void harness_write(const char *dir, const char *name, const char *text)
{
    char path[900];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    assert_true(fputs(text, out) >= 0);
    fclose(out);
}

static dn_time harness_time(const char *text)
{
    dn_time t = 0;
    assert_int_equal(dn_time_parse(text, &t), 0);
    return t;
}

/* Opens e on dir: store dir/store.db, the rules at `rules`, every channel
 * into the file sink dir/outbox. */
static void harness_open(dn_engine *e, const char *dir, const char *rules)
{
    char dsn[700], schema[600], outbox[700];
    const char *source = getenv("DN_SOURCE_DIR");
    dn_err err;
    if (!source || !*source)
        source = DN_SOURCE_DIR;
    snprintf(dsn, sizeof dsn, "sqlite:%s/store.db", dir);
    snprintf(schema, sizeof schema, "%s/schema", source);
    snprintf(outbox, sizeof outbox, "%s/outbox", dir);
    memset(e, 0, sizeof *e);
    dn_err_clear(&err);
    e->batch_size = 100;
    e->lease_seconds = 300;
    e->default_country = "LV";
    if (dn_store_open(&e->store, dsn, schema, &err))
        fail_msg("store: %s", err.msg);
    if (engine_load_rules(e, rules, &err))
        fail_msg("rules: %s", e->rules_last_error);
    if (engine_open_channels(e, NULL, NULL, outbox, &err))
        fail_msg("channels: %s", err.msg);
}

/* Closes e and removes dir with everything in it. */
static void harness_close(dn_engine *e, const char *dir)
{
    char cmd[700];
    engine_close(e);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

#endif
