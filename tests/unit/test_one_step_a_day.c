/*
 * test_one_step_a_day.c — a case gets at most one ladder step per local day
 * of the customer, whatever makes the customer due again the same day (a
 * reload making everyone due, a re-import, an event), and no step while the
 * previous one has not gone out (docs/rules-guide.md, sections 6 and 18:
 * "a catch-up plans one step a day at most").
 *
 * The real engine (SQLite store, the file sink) runs the ladder below with
 * the Latvian rule the shipped ladders follow: the notice letter on day 7
 * unless sent, formal steps on days 14 and 21 once it is. A customer first
 * seen on day 30 gets the letter (the catch-up); the letter makes days 14
 * and 21 eligible at once, and before the fix a second look the same day
 * planned day 21 hours after the letter.
 *
 * Customer in Riga (UTC+3 in summer), bill due Monday 2026-06-01: day 30 is
 * Wednesday 2026-07-01, day 31 Thursday 07-02. Passes at 09:00 and 15:00
 * UTC are 12:00 and 18:00 in Riga, inside the guard's hours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_harness.h"

static const char rules_lua[] =
    "return {\n"
    "  name = \"one step a day\", default_language = \"en\", languages = { \"en\" },\n"
    "  company = { name = \"Test Co\", pay_link = \"https://pay.test/{customer_id}\" },\n"
    "  segments = { { name = \"standard\", match = function(c) return true end } },\n"
    "}\n";
static const char personas_lua[] =
    "return { classify = function(c) return \"friendly\" end }\n";
static const char segment_lua[] =
    "local function notice_sent(c) return c.stage_day ~= nil and c.stage_day >= 7 end\n"
    "return {\n"
    "  ladder = {\n"
    "    { day = 1, channel = \"sms\", template = \"t\", tone = \"friendly\" },\n"
    "    { day = 7, channel = \"letter\", template = \"t\", tone = \"firm\", purpose = \"notice\",\n"
    "      when = function(c) return not notice_sent(c) end },\n"
    "    { day = 14, channel = \"sms\", template = \"t\", tone = \"firm\", purpose = \"formal\",\n"
    "      when = notice_sent },\n"
    "    { day = 21, channel = \"sms\", template = \"t\", tone = \"urgent\", purpose = \"formal\",\n"
    "      when = notice_sent },\n"
    "  },\n"
    "}\n";
static const char en_lua[] =
    "return { _opt_out = \"STOP\", t = {\n"
    "  sms = { friendly = \"{amount} {opt_out}\", firm = \"{amount} {opt_out}\",\n"
    "          urgent = \"{amount} {opt_out}\" },\n"
    "  letter = { firm = \"{amount}\" } } }\n";

/* The print room posts every letter written, the day it was written
 * (the letter instance here records posting days, as production does:
 * the notice counts from the day recorded). */
static void post_letters(dn_engine *e, dn_time now)
{
    json_t *contacts = NULL;
    dn_err err = { 0 };
    assert_int_equal(e->store.ops->list_rows(e->store.ctx, "contacts", 0, 100, &contacts, &err),
                     0);
    size_t i;
    json_t *c;
    json_array_foreach(contacts, i, c) {
        if (strcmp(json_string_value(json_object_get(c, "channel")), "letter") != 0 ||
            strcmp(json_string_value(json_object_get(c, "state")), "sent") != 0)
            continue;
        char customer[DN_ID_MAX];
        int rc = e->store.ops->record_letter_posted(
            e->store.ctx, json_integer_value(json_object_get(c, "id")),
            (dn_date)(now / 86400), now, customer, &err);
        if (rc < 0)
            fail_msg("posting the letter: %s", err.msg);
    }
    json_decref(contacts);
}

/* What happens to the customer, in order. */
typedef enum event_kind {
    PASS,            /* a pass at `at` */
    DISPATCH,        /* the dispatcher at `at` */
    MAKE_DUE,        /* a reload of a new version: everyone due (touch_all) */
    REIMPORT,        /* the customer re-imported with a changed name */
    END
} event_kind;

typedef struct event {
    event_kind  kind;
    const char *at;
    int         contacts;       /* PASS: contacts of the customer afterwards */
    int         last_day;       /* PASS: step day of the newest contact */
    const char *reason;         /* PASS: in the newest decision's reason, or NULL */
} event;

typedef struct day_row {
    const char *name;
    event       events[8];
} day_row;

static const day_row rows[] = {
    { "catch-up on day 30, everyone due again the same afternoon (a reload)", {
        { PASS, "2026-07-01T09:00:00Z", 1, 7, NULL },
        { DISPATCH, "2026-07-01T09:00:00Z", 0, 0, NULL },
        { MAKE_DUE, "2026-07-01T15:00:00Z", 0, 0, NULL },
        { PASS, "2026-07-01T15:00:00Z", 1, 7, "one step a day: the day 7 step (t) went out "
          "today at 2026-07-01T09:00:00Z" },
        /* the next day the next step (21 beats 14: the highest that passes) */
        { PASS, "2026-07-02T09:00:00Z", 2, 21, NULL },
        { END, NULL, 0, 0, NULL } } },
    { "catch-up, then the customer re-imported the same day", {
        { PASS, "2026-07-01T09:00:00Z", 1, 7, NULL },
        { DISPATCH, "2026-07-01T09:00:00Z", 0, 0, NULL },
        { REIMPORT, "2026-07-01T15:00:00Z", 0, 0, NULL },
        { PASS, "2026-07-01T15:00:00Z", 1, 7, "one step a day" },
        { END, NULL, 0, 0, NULL } } },
    { "the letter not sent yet: no step after it, not even the next day", {
        { PASS, "2026-07-01T09:00:00Z", 1, 7, NULL },
        { MAKE_DUE, "2026-07-01T15:00:00Z", 0, 0, NULL },
        { PASS, "2026-07-01T15:00:00Z", 1, 7, "has not gone out yet (planned for "
          "2026-07-01T09:00:00Z); no later step before it has" },
        { PASS, "2026-07-02T09:00:00Z", 1, 7, "has not gone out yet" },
        /* sent on day 31: the next step waits for day 32 */
        { DISPATCH, "2026-07-02T09:30:00Z", 0, 0, NULL },
        { MAKE_DUE, "2026-07-02T15:00:00Z", 0, 0, NULL },
        { PASS, "2026-07-02T15:00:00Z", 1, 7, "went out today at 2026-07-02T09:30:00Z" },
        { PASS, "2026-07-03T09:00:00Z", 2, 21, NULL } } },
    /* control: sent yesterday, so today's step is planned at once */
    { "a step yesterday does not hold today's", {
        { PASS, "2026-06-02T09:00:00Z", 1, 1, NULL },
        { DISPATCH, "2026-06-02T09:00:00Z", 0, 0, NULL },
        { PASS, "2026-06-08T09:00:00Z", 2, 7, NULL },
        { END, NULL, 0, 0, NULL } } },
};

static void put_customer(dn_engine *e, const char *name)
{
    dn_customer c = { .hold_until = DN_NO_DATE };
    dn_upsert_outcome outcome;
    dn_err err;
    dn_err_clear(&err);
    dn_strlcpy(c.external_id, "C1", sizeof c.external_id);
    dn_strlcpy(c.name, name, sizeof c.name);
    dn_strlcpy(c.language, "en", sizeof c.language);
    dn_strlcpy(c.timezone, "Europe/Riga", sizeof c.timezone);
    dn_strlcpy(c.country, "LV", sizeof c.country);
    dn_strlcpy(c.phone, "+37120000001", sizeof c.phone);
    if (e->store.ops->upsert_customer(e->store.ctx, &c, &outcome, &err))
        fail_msg("customer: %s", err.msg);
}

static void run_row(const day_row *row)
{
    char dir[] = "/tmp/dn-one-a-day-XXXXXX", path[600];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/rules", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    harness_write(path, "rules.lua", rules_lua);
    harness_write(path, "personas.lua", personas_lua);
    snprintf(path, sizeof path, "%s/rules/segments", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    harness_write(path, "standard.lua", segment_lua);
    snprintf(path, sizeof path, "%s/rules/templates", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    harness_write(path, "en.lua", en_lua);
    snprintf(path, sizeof path, "%s/rules", dir);

    dn_engine e;
    dn_err err;
    dn_err_clear(&err);
    harness_open(&e, dir, path);
    put_customer(&e, "Ann Lee");
    dn_invoice inv = { .amount_minor = 10000, .status = DN_INV_OPEN, .issued = DN_NO_DATE };
    dn_upsert_outcome outcome;
    dn_strlcpy(inv.external_id, "I1", sizeof inv.external_id);
    dn_strlcpy(inv.customer_external_id, "C1", sizeof inv.customer_external_id);
    dn_strlcpy(inv.currency, "EUR", sizeof inv.currency);
    assert_int_equal(dn_date_parse("2026-06-01", &inv.due), 0);
    assert_int_equal(e.store.ops->upsert_invoice(e.store.ctx, &inv, &outcome, &err), 0);

    for (int i = 0; i < 8 && row->events[i].kind != END; i++) {
        const event *ev = &row->events[i];
        dn_time now = harness_time(ev->at);
        engine_set_clock(&e, now);
        if (ev->kind == MAKE_DUE) {
            assert_int_equal(e.store.ops->touch_all(e.store.ctx, now, &err), 0);
        } else if (ev->kind == REIMPORT) {
            put_customer(&e, "Ann Lee-Berzina");
        } else if (ev->kind == DISPATCH) {
            dn_dispatch_stats ds = { 0 };
            while (dispatch_batch(&e, now, 100, &ds, &err) > 0)
                ;
            dispatch_flush(&e);
            post_letters(&e, now);
        } else {
            dn_pass_stats st = { 0 };
            if (pass_run(&e, now, &st, NULL, NULL, &err))
                fail_msg("%s: pass: %s", row->name, err.msg);
            json_t *contacts = NULL, *decisions = NULL;
            assert_int_equal(e.store.ops->list_rows(e.store.ctx, "contacts", 0, 100, &contacts,
                                                    &err), 0);
            assert_int_equal(e.store.ops->list_rows(e.store.ctx, "decisions", 0, 100,
                                                    &decisions, &err), 0);
            int n = (int)json_array_size(contacts);
            json_t *newest = json_array_get(contacts, (size_t)n - 1);
            json_t *decision = json_array_get(decisions, json_array_size(decisions) - 1);
            const char *reason = json_string_value(json_object_get(decision, "reason"));
            print_message("%s, pass %s: %d contacts, newest day %lld; %s\n", row->name, ev->at,
                          n, (long long)json_integer_value(json_object_get(newest, "step_day")),
                          reason);
            if (n != ev->contacts ||
                json_integer_value(json_object_get(newest, "step_day")) != ev->last_day)
                fail_msg("%s, pass at %s: %d contacts (expected %d)", row->name, ev->at, n,
                         ev->contacts);
            if (ev->reason && (!reason || !strstr(reason, ev->reason)))
                fail_msg("%s, pass at %s: reason '%s' lacks '%s'", row->name, ev->at,
                         reason ? reason : "", ev->reason);
            json_decref(contacts);
            json_decref(decisions);
        }
    }
    harness_close(&e, dir);
}

static void test_one_step_a_day(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        run_row(&rows[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_step_a_day),
    };
    dn_log_set_level(DN_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
