/*
 * test_rules_ladder.c — the ladder as docs/rules-guide.md describes it, on
 * tests/fixtures/rules-ladder, with the cases of
 * /work/shared/cases/dunning-failures.md: 2 (stage order when an older
 * invoice is paid), 4 (day boundaries in the customer's zone, across DST),
 * 5 (offsets before/after the due date; an invoice without a due date),
 * 6 (a rule error for one customer only); plus the catch-up rule, segment
 * order, decide() and check-rules errors (tests/fixtures/rules-broken).
 * Expected values are worked out by hand in each row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rules.h"

#define LADDER DN_SOURCE_DIR "/tests/fixtures/rules-ladder"
#define BROKEN DN_SOURCE_DIR "/tests/fixtures/rules-broken"
#define NONE   INT32_MIN

typedef struct invoice_row {
    const char *due;            /* NULL: no due date */
    dn_invoice_status status;
} invoice_row;

typedef struct ladder_row {
    const char *name;
    const char *id;
    const char *timezone;
    const char *language;
    int         age;
    int         stage;          /* NONE = no step done yet */
    bool        promise;
    const char *now;
    invoice_row invoices[2];    /* amount 45.00 EUR each; due NULL and status 0 ends */
    int         n_invoices;
    /* expected */
    dn_action   action;
    const char *segment;
    int         day;            /* step day for CONTACT */
    const char *channel;
    const char *tone;
    const char *language_out;
    const char *reason;         /* substring, or NULL */
    const char *where;          /* prefix, or NULL */
} ladder_row;

#define OPEN(due) { due, DN_INV_OPEN }
#define PAID(due) { due, DN_INV_PAID }

static const ladder_row rows[] = {
    /* case 2: A due 2 March paid on day 3, B due 6 March; steps at 5 and 7 */
    { "case 2: day 7 of A, B 3 days overdue: nothing yet", "ESC1", "Europe/Riga", "en", 30, NONE,
      false, "2026-03-09T12:00:00Z", { PAID("2026-03-02"), OPEN("2026-03-06") }, 2,
      DN_ACT_WAIT, "escalate", 0, "", "", "", "next step day 5 in 2 days", "segments/escalate.lua:" },
    { "case 2: day 9: B gets step 1 (day 5)", "ESC1", "Europe/Riga", "en", 30, NONE, false,
      "2026-03-11T12:00:00Z", { PAID("2026-03-02"), OPEN("2026-03-06") }, 2,
      DN_ACT_CONTACT, "escalate", 5, "sms", "firm", "en", NULL, "segments/escalate.lua:4" },
    { "case 2: day 11 after step 5: step 2 (day 7)", "ESC1", "Europe/Riga", "en", 30, 5, false,
      "2026-03-13T12:00:00Z", { PAID("2026-03-02"), OPEN("2026-03-06") }, 2,
      DN_ACT_CONTACT, "escalate", 7, "sms", "firm", "en", "stage before: 5",
      "segments/escalate.lua:5" },
    { "case 2: after step 7 nothing is left", "ESC1", "Europe/Riga", "en", 30, 7, false,
      "2026-03-20T12:00:00Z", { PAID("2026-03-02"), OPEN("2026-03-06") }, 2,
      DN_ACT_WAIT, "escalate", 0, "", "", "", "no further step", NULL },

    /* case 4: Pacific/Auckland, due 31 March (NZDT, UTC+13) */
    { "case 4: Auckland 23:30 on 30 March: -1", "TZ-AKL", "Pacific/Auckland", "en", 0, NONE,
      false, "2026-03-30T10:30:00Z", { OPEN("2026-03-31") }, 1,
      DN_ACT_CONTACT, "zone", -1, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Auckland 00:30 on 31 March: 0", "TZ-AKL", "Pacific/Auckland", "en", 0, NONE,
      false, "2026-03-30T11:30:00Z", { OPEN("2026-03-31") }, 1,
      DN_ACT_CONTACT, "zone", 0, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Auckland 23:30 on 31 March: 0", "TZ-AKL", "Pacific/Auckland", "en", 0, NONE,
      false, "2026-03-31T10:30:00Z", { OPEN("2026-03-31") }, 1,
      DN_ACT_CONTACT, "zone", 0, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Auckland 00:30 on 1 April: 1", "TZ-AKL", "Pacific/Auckland", "en", 0, NONE,
      false, "2026-03-31T11:30:00Z", { OPEN("2026-03-31") }, 1,
      DN_ACT_CONTACT, "zone", 1, "email", "neutral", "en", NULL, NULL },
    /* Auckland, due 5 April 2026, the day DST ends (03:00 NZDT -> 02:00 NZST) */
    { "case 4: Auckland DST end, 00:30 NZDT on 5 April: 0", "TZ-AKL", "Pacific/Auckland", "en",
      0, NONE, false, "2026-04-04T11:30:00Z", { OPEN("2026-04-05") }, 1,
      DN_ACT_CONTACT, "zone", 0, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Auckland DST end, 23:30 NZST on 5 April: 0", "TZ-AKL", "Pacific/Auckland", "en",
      0, NONE, false, "2026-04-05T11:30:00Z", { OPEN("2026-04-05") }, 1,
      DN_ACT_CONTACT, "zone", 0, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Auckland DST end, 00:30 NZST on 6 April: 1", "TZ-AKL", "Pacific/Auckland", "en",
      0, NONE, false, "2026-04-05T12:30:00Z", { OPEN("2026-04-05") }, 1,
      DN_ACT_CONTACT, "zone", 1, "email", "neutral", "en", NULL, NULL },
    /* America/Los_Angeles, due 31 March (PDT, UTC-7) */
    { "case 4: Los Angeles 23:30 on 30 March: -1", "TZ-LAX", "America/Los_Angeles", "en", 0,
      NONE, false, "2026-03-31T06:30:00Z", { OPEN("2026-03-31") }, 1,
      DN_ACT_CONTACT, "zone", -1, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Los Angeles 00:30 on 31 March: 0", "TZ-LAX", "America/Los_Angeles", "en", 0,
      NONE, false, "2026-03-31T07:30:00Z", { OPEN("2026-03-31") }, 1,
      DN_ACT_CONTACT, "zone", 0, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Los Angeles 23:30 on 31 March: 0", "TZ-LAX", "America/Los_Angeles", "en", 0,
      NONE, false, "2026-04-01T06:30:00Z", { OPEN("2026-03-31") }, 1,
      DN_ACT_CONTACT, "zone", 0, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Los Angeles 00:30 on 1 April: 1", "TZ-LAX", "America/Los_Angeles", "en", 0,
      NONE, false, "2026-04-01T07:30:00Z", { OPEN("2026-03-31") }, 1,
      DN_ACT_CONTACT, "zone", 1, "email", "neutral", "en", NULL, NULL },
    /* Los Angeles, due 8 March 2026, the day DST starts (02:00 PST -> 03:00 PDT) */
    { "case 4: Los Angeles DST start, 23:30 PST on 7 March: -1", "TZ-LAX", "America/Los_Angeles",
      "en", 0, NONE, false, "2026-03-08T07:30:00Z", { OPEN("2026-03-08") }, 1,
      DN_ACT_CONTACT, "zone", -1, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Los Angeles DST start, 00:30 PST on 8 March: 0", "TZ-LAX", "America/Los_Angeles",
      "en", 0, NONE, false, "2026-03-08T08:30:00Z", { OPEN("2026-03-08") }, 1,
      DN_ACT_CONTACT, "zone", 0, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Los Angeles DST start, 23:30 PDT on 8 March: 0", "TZ-LAX", "America/Los_Angeles",
      "en", 0, NONE, false, "2026-03-09T06:30:00Z", { OPEN("2026-03-08") }, 1,
      DN_ACT_CONTACT, "zone", 0, "sms", "friendly", "en", NULL, NULL },
    { "case 4: Los Angeles DST start, 00:30 PDT on 9 March: 1", "TZ-LAX", "America/Los_Angeles",
      "en", 0, NONE, false, "2026-03-09T07:30:00Z", { OPEN("2026-03-08") }, 1,
      DN_ACT_CONTACT, "zone", 1, "email", "neutral", "en", NULL, NULL },

    /* case 5: steps at -3 and +60, invoice due 1 June; a second one without a due date */
    { "case 5: 28 May, four days before: nothing yet", "S1", "Europe/Riga", "lv", 30, NONE,
      false, "2026-05-28T10:00:00Z", { OPEN("2026-06-01"), OPEN(NULL) }, 2,
      DN_ACT_WAIT, "standard", 0, "", "", "", "next step day -3 in 1 days", NULL },
    { "case 5: 29 May: the -3 step, friendly", "S1", "Europe/Riga", "lv", 30, NONE, false,
      "2026-05-29T10:00:00Z", { OPEN("2026-06-01"), OPEN(NULL) }, 2,
      DN_ACT_CONTACT, "standard", -3, "sms", "friendly", "lv", "stage before: none",
      "segments/standard.lua:5" },
    { "case 5: 30 July: one day before +60", "S1", "Europe/Riga", "lv", 30, 14, false,
      "2026-07-30T10:00:00Z", { OPEN("2026-06-01"), OPEN(NULL) }, 2,
      DN_ACT_WAIT, "standard", 0, "", "", "", "next step day 60 in 1 days", NULL },
    { "case 5: 31 July: the +60 step", "S1", "Europe/Riga", "lv", 30, 14, false,
      "2026-07-31T10:00:00Z", { OPEN("2026-06-01"), OPEN(NULL) }, 2,
      DN_ACT_CONTACT, "standard", 60, "letter", "urgent", "lv", NULL, "segments/standard.lua:12" },
    { "case 5: only an invoice without a due date: no overdue step", "NODUE-LADDER",
      "Europe/Riga", "en", 30, NONE, false, "2026-07-31T10:00:00Z", { OPEN(NULL) }, 1,
      DN_ACT_WAIT, "nodue", 0, "", "", "", "no unpaid invoice has a due date", NULL },
    { "case 5: Lua sees nil, not 1970", "NODUE-SEE", "Europe/Riga", "en", 30, NONE, false,
      "2026-07-31T10:00:00Z", { OPEN(NULL) }, 1,
      DN_ACT_WAIT, "nodue", 0, "", "", "", "decide: lua saw nil nil nil", "segments/nodue.lua:6" },

    /* case 6: three customers, the middle one's rule raises */
    { "case 6: customer 1 contacted", "C1", "Europe/Riga", "en", 30, NONE, false,
      "2026-03-08T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_CONTACT, "standard", 7, "sms", "firm", "en", NULL, NULL },
    { "case 6: customer 2: the rule error, with its line", "ERR", "Europe/Riga", "en", 30, NONE,
      false, "2026-03-08T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_ERROR, "broken", 0, "", "", "", "no data for ERR", "segments/broken.lua:6" },
    { "case 6: customer 3 contacted", "C3", "Europe/Riga", "en", 30, NONE, false,
      "2026-03-08T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_CONTACT, "standard", 7, "sms", "firm", "en", NULL, NULL },

    /* catch-up after downtime: one step at the current stage */
    { "catch-up: day 20 after step 1: only the day-14 step", "S2", "Europe/Riga", "en", 30, 1,
      false, "2026-03-21T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_CONTACT, "standard", 14, "sms", "firm", "en", "day 20 overdue ≥ step 14 (second); "
      "stage before: 1", "segments/standard.lua:10" },
    { "catch-up: day 20 with nothing done: still only day 14", "S2", "Europe/Riga", "en", 30,
      NONE, false, "2026-03-21T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_CONTACT, "standard", 14, "sms", "firm", "en", NULL, NULL },
    { "catch-up: day 20 after step 14: wait for day 60", "S2", "Europe/Riga", "en", 30, 14,
      false, "2026-03-21T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_WAIT, "standard", 0, "", "", "", "next step day 60 in 40 days", NULL },
    /* when: first passing step of the day in file order */
    { "when: 65 years old on day 7: the voice step", "S3", "Europe/Riga", "en", 65, 1, false,
      "2026-03-08T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_CONTACT, "standard", 7, "voice", "firm", "en", NULL, "segments/standard.lua:7" },
    { "when: 30 years old on day 7: the SMS step", "S3", "Europe/Riga", "en", 30, 1, false,
      "2026-03-08T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_CONTACT, "standard", 7, "sms", "firm", "en", NULL, "segments/standard.lua:9" },
    /* language: the customer's if listed, else the default */
    { "language not in the list: default", "S4", "Europe/Riga", "ru", 30, NONE, false,
      "2026-03-08T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_CONTACT, "standard", 7, "sms", "firm", "en", NULL, NULL },
    /* first matching segment wins */
    { "first match: a pending promise comes before the broken rule", "ERR", "Europe/Riga", "en",
      30, NONE, true, "2026-03-08T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_WAIT, "waiting", 0, "", "", "", "decide: promise pending until 2026-03-25",
      "segments/waiting.lua:4" },
    { "first match: escalate before standard", "ESC2", "Europe/Riga", "en", 30, NONE, false,
      "2026-03-08T10:00:00Z", { OPEN("2026-03-01") }, 1,
      DN_ACT_CONTACT, "escalate", 7, "sms", "firm", "en", NULL, NULL },
    /* decide() returning a step */
    { "decide returns a step with a language", "NODUE-STEP", "Europe/Riga", "en", 30, NONE,
      false, "2026-03-08T10:00:00Z", { OPEN(NULL) }, 1,
      DN_ACT_CONTACT, "nodue", 0, "email", "neutral", "lv", NULL, "segments/nodue.lua:6" },
    /* the template must exist for that channel, tone and language, however
     * often the same name was found before with others */
    { "decide returns a template without that tone", "NODUE-TONE", "Europe/Riga", "en", 30,
      NONE, false, "2026-03-08T10:00:00Z", { OPEN(NULL) }, 1,
      DN_ACT_ERROR, "nodue", 0, "", "", "", "template 'overdue' with no email/firm text",
      "segments/nodue.lua:6" },
    { "decide returns a template only English has, for an English customer", "NODUE-CHAT",
      "Europe/Riga", "en", 30, NONE, false, "2026-03-08T10:00:00Z", { OPEN(NULL) }, 1,
      DN_ACT_CONTACT, "nodue", 0, "chat", "neutral", "en", NULL, "segments/nodue.lua:6" },
    { "the same template for a Latvian customer", "NODUE-CHAT", "Europe/Riga", "lv", 30, NONE,
      false, "2026-03-08T10:00:00Z", { OPEN(NULL) }, 1,
      DN_ACT_ERROR, "nodue", 0, "", "", "", "no chat/neutral text in templates/lv.lua",
      "segments/nodue.lua:" },
    { "and again for the English customer", "NODUE-CHAT", "Europe/Riga", "en", 30, NONE, false,
      "2026-03-08T10:00:00Z", { OPEN(NULL) }, 1,
      DN_ACT_CONTACT, "nodue", 0, "chat", "neutral", "en", NULL, "segments/nodue.lua:6" },
    /* nothing owed */
    { "every invoice paid: nothing owed", "S5", "Europe/Riga", "en", 30, NONE, false,
      "2026-03-08T10:00:00Z", { PAID("2026-03-01") }, 1,
      DN_ACT_NONE, "(nothing owed)", 0, "", "", "", "nothing owed", NULL },
};

static ladder_row find_row(const char *name)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(rows[i].name, name) == 0)
            return rows[i];
    fail_msg("no row '%s'", name);
    return rows[0];
}

static void facts_from_row(const ladder_row *row, dn_facts *f)
{
    memset(f, 0, sizeof *f);
    dn_strlcpy(f->customer.external_id, row->id, sizeof f->customer.external_id);
    dn_strlcpy(f->customer.name, "Anna Ozola", sizeof f->customer.name);
    dn_strlcpy(f->customer.language, row->language, sizeof f->customer.language);
    dn_strlcpy(f->customer.timezone, row->timezone, sizeof f->customer.timezone);
    dn_strlcpy(f->customer.phone, "+37120000001", sizeof f->customer.phone);
    dn_strlcpy(f->customer.email, "anna@example.lv", sizeof f->customer.email);
    f->customer.age = row->age;
    f->customer.hold_until = DN_NO_DATE;
    f->stage_day = row->stage;
    f->case_id = row->stage == NONE ? 0 : 7;
    f->case_anchor_due = DN_NO_DATE;
    f->promise_pending = row->promise;
    f->promise_due = DN_NO_DATE;
    if (row->promise)
        assert_int_equal(dn_date_parse("2026-03-25", &f->promise_due), 0);
    f->n_invoices = row->n_invoices;
    for (int i = 0; i < row->n_invoices; i++) {
        dn_fact_invoice *inv = &f->invoices[i];
        snprintf(inv->external_id, sizeof inv->external_id, "I%d", i + 1);
        dn_strlcpy(inv->currency, "EUR", sizeof inv->currency);
        inv->amount_minor = 4500;
        inv->status = row->invoices[i].status;
        inv->paid_minor = inv->status == DN_INV_PAID ? 4500 : 0;
        inv->issued = DN_NO_DATE;
        inv->due = DN_NO_DATE;
        if (row->invoices[i].due)
            assert_int_equal(dn_date_parse(row->invoices[i].due, &inv->due), 0);
    }
}

static void test_ladder_rows(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    dn_facts *f = calloc(1, sizeof *f);
    (void)state;
    assert_non_null(f);
    if (rules_load(LADDER, &rs, &errs) != 0)
        fail_msg("fixture refused: %s", errs.n ? errs.items[0] : "?");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const ladder_row *row = &rows[i];
        dn_decision d;
        dn_time now;
        facts_from_row(row, f);
        assert_int_equal(dn_time_parse(row->now, &now), 0);
        assert_int_equal(rules_decide(rs, f, now, &d), 0);
        if (d.action != row->action)
            fail_msg("%s: action %s, expected %s (%s)", row->name, dn_action_names[d.action],
                     dn_action_names[row->action], d.reason);
        if (strcmp(d.segment, row->segment) != 0)
            fail_msg("%s: segment '%s', expected '%s'", row->name, d.segment, row->segment);
        if (row->action == DN_ACT_CONTACT &&
            (d.step_day != row->day || strcmp(d.channel, row->channel) != 0 ||
             strcmp(d.tone, row->tone) != 0 || strcmp(d.language, row->language_out) != 0))
            fail_msg("%s: day %d %s %s %s, expected day %d %s %s %s", row->name, d.step_day,
                     d.channel, d.tone, d.language, row->day, row->channel, row->tone,
                     row->language_out);
        if (row->reason && !strstr(d.reason, row->reason))
            fail_msg("%s: reason '%s' lacks '%s'", row->name, d.reason, row->reason);
        if (row->where && strncmp(d.where, row->where, strlen(row->where)) != 0)
            fail_msg("%s: where '%s', expected '%s'", row->name, d.where, row->where);
        assert_string_equal(d.ruleset_version, rules_version(rs));
    }
    free(f);
    rules_release(rs);
}

/* Decision fields beyond the step: hours, fallback, voice, transliterate. */
static void test_step_details(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    dn_facts *f = calloc(1, sizeof *f);
    dn_decision d;
    dn_time now;
    (void)state;
    assert_non_null(f);
    assert_int_equal(rules_load(LADDER, &rs, &errs), 0);

    /* day 14: step hours 10:00-18:00, transliterate */
    ladder_row row = find_row("catch-up: day 20 after step 1: only the day-14 step");
    assert_int_equal(row.day, 14);
    facts_from_row(&row, f);
    assert_int_equal(dn_time_parse(row.now, &now), 0);
    assert_int_equal(rules_decide(rs, f, now, &d), 0);
    assert_int_equal(d.hours_from, 10 * 60);
    assert_int_equal(d.hours_to, 18 * 60);
    assert_true(d.transliterate);
    assert_int_equal(d.step_index, 5);
    assert_string_equal(d.template_name, "second");

    /* day 1: the segment's hours 09:00-20:00, fallback sms */
    row.stage = -3;
    row.now = "2026-03-02T10:00:00Z";
    facts_from_row(&row, f);
    assert_int_equal(dn_time_parse(row.now, &now), 0);
    assert_int_equal(rules_decide(rs, f, now, &d), 0);
    assert_int_equal(d.action, DN_ACT_CONTACT);
    assert_string_equal(d.channel, "email");
    assert_int_equal(d.n_fallback, 1);
    assert_string_equal(d.fallback[0], "sms");
    assert_int_equal(d.hours_from, 9 * 60);
    assert_int_equal(d.hours_to, 20 * 60);
    assert_false(d.transliterate);
    free(f);
    rules_release(rs);
}

/* rules_render: every variable of the rules guide. */
static void test_render(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    dn_facts *f = calloc(1, sizeof *f);
    dn_decision d;
    dn_time now;
    dn_err err;
    char subject[200];
    char *body = NULL;
    (void)state;
    assert_non_null(f);
    assert_int_equal(rules_load(LADDER, &rs, &errs), 0);
    ladder_row row = find_row("case 6: customer 1 contacted");
    row.stage = 5;
    row.now = "2026-03-04T10:00:00Z";   /* day 3: the day-1 e-mail */
    facts_from_row(&row, f);
    assert_int_equal(dn_time_parse(row.now, &now), 0);
    assert_int_equal(rules_decide(rs, f, now, &d), 0);
    f->stage_day = -3;
    assert_int_equal(rules_decide(rs, f, now, &d), 0);
    assert_string_equal(d.template_name, "overdue");
    assert_int_equal(rules_render(rs, &d, f, now, subject, sizeof subject, &body, &err), 0);
    assert_string_equal(subject, "Invoice I1 is overdue");
    assert_string_equal(body, "Dear Anna Ozola, €45.00 is 3 days overdue. https://pay.test/c/C1");
    free(body);

    /* the SMS fallback text: first name and the language's opt-out line */
    dn_strlcpy(d.channel, "sms", sizeof d.channel);
    assert_int_equal(rules_render(rs, &d, f, now, subject, sizeof subject, &body, &err), 0);
    assert_string_equal(subject, "");
    assert_string_equal(body, "Anna, €45.00 is overdue. https://pay.test/c/C1 Reply STOP to opt out.");
    free(body);

    /* letter: customer id, minor units and currency */
    dn_strlcpy(d.channel, "letter", sizeof d.channel);
    dn_strlcpy(d.template_name, "final", sizeof d.template_name);
    dn_strlcpy(d.tone, "urgent", sizeof d.tone);
    assert_int_equal(rules_render(rs, &d, f, now, subject, sizeof subject, &body, &err), 0);
    assert_string_equal(body, "Final notice to Anna Ozola (C1): €45.00 (4500 EUR).");
    free(body);
    free(f);
    rules_release(rs);
}

/* check-rules: every problem reported with file:line, all of them. */
static const char *const broken_expected[] = {
    "segments/syntax.lua:4: '}' expected near 'template'",
    "rules.lua:9: segment 'ghost' has no file segments/ghost.lua",
    "templates/en.lua:3: unknown variable {nosuch}",
    "segments/bad.lua:4: unknown template 'nosuch'",
    "segments/bad.lua:5: unknown tone 'angry'",
    "segments/bad.lua:6: unknown channel 'pigeon'",
    "segments/bad.lua:7: step 4: day must be an integer",
    "segments/bad.lua:8: unknown fallback channel 'fax'",
    "segments/bad.lua:9: template 'overdue' has no email/neutral text",
    "segments/bad.lua:11: hours.from '25:00' is not a time",
};

static void test_check_rules_errors(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    size_t n = sizeof broken_expected / sizeof broken_expected[0];
    (void)state;
    assert_int_equal(rules_load(BROKEN, &rs, &errs), -EINVAL);
    assert_null(rs);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (int k = 0; k < errs.n && !found; k++)
            found = strncmp(errs.items[k], broken_expected[i], strlen(broken_expected[i])) == 0;
        if (!found)
            fail_msg("missing error '%s' (%d reported, first '%s')", broken_expected[i], errs.n,
                     errs.n ? errs.items[0] : "");
    }
    assert_int_equal(errs.n, (int)n);
}

/* The analysts' rule tests of the fixture, and the files list. */
static void test_rule_tests_and_files(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    int passed = -1, failed = -1;
    char report[2048] = "";
    (void)state;
    assert_int_equal(rules_load(LADDER, &rs, &errs), 0);
    FILE *out = fmemopen(report, sizeof report, "w");
    assert_non_null(out);
    assert_int_equal(rules_run_tests(rs, out, &passed, &failed), 0);
    fclose(out);
    assert_int_equal(passed, 2);
    assert_int_equal(failed, 0);
    assert_non_null(strstr(report, "2 passed, 0 failed"));
    const char *version = rules_version(rs);
    assert_int_equal(strlen(version), 16);
    assert_int_equal(strspn(version, "0123456789abcdef"), 16);
    json_t *files = rules_files_json(rs);
    assert_int_equal(json_array_size(files), 11);
    assert_string_equal(json_string_value(json_object_get(json_array_get(files, 0), "file")),
                        "personas.lua");
    assert_int_equal(strlen(json_string_value(json_object_get(json_array_get(files, 0),
                                                               "sha256"))), 64);
    json_decref(files);
    rules_retain(rs);
    rules_release(rs);
    assert_string_equal(rules_version(rs), version);
    rules_release(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ladder_rows),
        cmocka_unit_test(test_step_details),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_check_rules_errors),
        cmocka_unit_test(test_rule_tests_and_files),
    };
    dn_log_set_level(DN_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
