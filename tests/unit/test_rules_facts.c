/*
 * test_rules_facts.c — the customer facts as rules see them
 * (docs/rules-guide.md, section 8), one table row per promise: every field
 * of `c`, its records, lists and items, and `ctx`; nil (not 1970) for
 * absent dates; read-only everywhere with the field named; `#`, ipairs and
 * pairs; the facts following the customer being decided. Also the decide()
 * result read back with every optional field.
 *
 * The code of each row runs as the name of the customer "EVAL" through
 * tests/fixtures/rules-facts/segments/probe.lua, with c and ctx as its
 * arguments: true makes the decision a contact, an error makes it an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define FIXTURE DN_SOURCE_DIR "/tests/fixtures/rules-facts"
#define LADDER_FIXTURE DN_SOURCE_DIR "/tests/fixtures/rules-ladder"

static dn_time at(const char *text)
{
    dn_time t = 0;
    assert_int_equal(dn_time_parse(text, &t), 0);
    return t;
}

static dn_date day(const char *text)
{
    dn_date d = 0;
    assert_int_equal(dn_date_parse(text, &d), 0);
    return d;
}

/* A customer with everything the facts can show, decided on 2026-03-01 at
 * 12:00 in Riga: two open invoices (EUR 12.50 with 2.50 paid, due 02-20;
 * USD 50.00 without dates), a pending promise, two contacts, a phone only,
 * a vulnerability hold, age unknown. */
static void rich_customer(dn_facts *f, const char *code)
{
    memset(f, 0, sizeof *f);
    dn_customer *cu = &f->customer;
    dn_strlcpy(cu->external_id, "EVAL", sizeof cu->external_id);
    assert_true(dn_strlcpy(cu->name, code, sizeof cu->name));
    dn_strlcpy(cu->language, "en", sizeof cu->language);
    dn_strlcpy(cu->timezone, "Europe/Riga", sizeof cu->timezone);
    dn_strlcpy(cu->country, "LV", sizeof cu->country);
    dn_strlcpy(cu->phone, "+37120000001", sizeof cu->phone);
    cu->holds = DN_HOLD_VULNERABLE;
    cu->hold_until = DN_NO_DATE;
    f->case_id = 17;
    f->case_anchor_due = day("2026-02-20");
    f->stage_day = -3;
    f->promises_kept = 2;
    f->promises_broken = 1;
    f->promise_pending = true;
    f->promise_due = day("2026-03-20");
    f->replies = 3;
    f->case_reminders = 1;
    f->notice_posted = true;
    f->notice_posted_on = day("2026-02-27");
    f->payments_count = 12;
    f->avg_days_late = 4;

    f->n_invoices = 2;
    dn_fact_invoice *eur = &f->invoices[0], *usd = &f->invoices[1];
    dn_strlcpy(eur->external_id, "I1", sizeof eur->external_id);
    dn_strlcpy(eur->currency, "EUR", sizeof eur->currency);
    eur->amount_minor = 1250;
    eur->paid_minor = 250;
    eur->due = day("2026-02-20");
    eur->issued = day("2026-02-01");
    eur->status = DN_INV_OPEN;
    dn_strlcpy(usd->external_id, "I2", sizeof usd->external_id);
    dn_strlcpy(usd->currency, "USD", sizeof usd->currency);
    usd->amount_minor = 5000;
    usd->due = usd->issued = DN_NO_DATE;
    usd->status = DN_INV_OPEN;
    f->n_balance = 2;
    dn_strlcpy(f->balance[0].currency, "EUR", sizeof f->balance[0].currency);
    f->balance[0].amount_minor = 1000;
    dn_strlcpy(f->balance[1].currency, "USD", sizeof f->balance[1].currency);
    f->balance[1].amount_minor = 5000;

    f->n_contacts = 2;
    dn_fact_contact *call = &f->contacts[0], *sms = &f->contacts[1];
    call->at = at("2026-02-28T09:00:00Z");
    dn_strlcpy(call->channel, "voice", sizeof call->channel);
    dn_strlcpy(call->state, "sent", sizeof call->state);
    dn_strlcpy(call->outcome, "no_answer", sizeof call->outcome);
    dn_strlcpy(call->template_name, "reminder", sizeof call->template_name);
    call->step_day = 7;
    sms->at = at("2026-02-21T08:00:00Z");
    dn_strlcpy(sms->channel, "sms", sizeof sms->channel);
    dn_strlcpy(sms->state, "delivered", sizeof sms->state);
    sms->step_day = 1;
}

typedef struct fact_row {
    const char *name;
    const char *code;           /* Lua run with c, ctx as its arguments */
    dn_action   action;         /* CONTACT when the code returns true, or ERROR */
    const char *reason;         /* substring of the reason for ERROR rows */
} fact_row;

#define OK(name, code) { name, "local c, ctx = ... return " code, DN_ACT_CONTACT, NULL }
#define FAILS(name, code, reason) { name, "local c, ctx = ... " code, DN_ACT_ERROR, reason }

static const fact_row fact_rows[] = {
    /* the fields of c */
    OK("customer fields",
       "c.id == 'EVAL' and c.language == 'en' and c.timezone == 'Europe/Riga' "
       "and c.country == 'LV' and c.age == nil and c.replies == 3 and c.disputes == 0 "
       "and c.stage_day == -3 and c.case_id == 17"),
    OK("the case's reminders and its notice", "c.case_reminders == 1 "
       "and c.notice_posted_on == '2026-02-27'"),
    OK("persona is known after classify", "c.persona == 'friendly'"),
    OK("anchor invoice", "c.days_overdue == 9 and c.due_date == '2026-02-20' "
                         "and c.currency == 'EUR' and c.amount_due == 1000"),
    OK("promises and payments", "c.promises.kept == 2 and c.promises.broken == 1 "
                                "and c.promises.pending == true and c.promises.due == '2026-03-20' "
                                "and c.payments.count == 12 and c.payments.avg_days_late == 4"),
    OK("reachable and holds", "c.reachable.sms and c.reachable.voice and not c.reachable.email "
                              "and not c.reachable.chat and c.holds.vulnerable "
                              "and c.holds.dispute == false and c.holds.breathing_space == false"),
    OK("balance per currency", "c.balance.EUR == 1000 and c.balance.USD == 5000 "
                               "and c.balance.GBP == nil"),
    OK("an invoice", "c.invoices[1].id == 'I1' and c.invoices[1].currency == 'EUR' "
                     "and c.invoices[1].amount == 1250 and c.invoices[1].paid == 250"),
    OK("an invoice's dates", "c.invoices[1].due == '2026-02-20' "
                             "and c.invoices[1].issued == '2026-02-01' "
                             "and c.invoices[1].status == 'open' and c.invoices[1].days_overdue == 9"),
    OK("an invoice without dates: nil, not 1970",
       "c.invoices[2].due == nil and c.invoices[2].issued == nil "
       "and c.invoices[2].days_overdue == nil and c.invoices[2].currency == 'USD'"),
    OK("contacts, newest first", "c.contacts[1].channel == 'voice' and c.contacts[1].state == 'sent' "
                                 "and c.contacts[1].outcome == 'no_answer' "
                                 "and c.contacts[1].template == 'reminder' and c.contacts[1].day == 7"),
    OK("a contact's time; nil for no outcome or template",
       "c.contacts[1].at == '2026-02-28T09:00:00Z' and c.contacts[2].channel == 'sms' "
       "and c.contacts[2].outcome == nil and c.contacts[2].template == nil"),
    OK("last_contact is contacts[1]", "c.last_contact == c.contacts[1] "
                                      "and c.last_contact.channel == 'voice'"),
    OK("ctx", "ctx.now == '2026-03-01T10:00:00Z' and ctx.today == '2026-03-01' and ctx.hour == 12 "
              "and ctx.weekday == 7 and #ctx.version == 16"),
    OK("unknown fields are nil", "c.nope == nil and c[1] == nil and c.promises.nope == nil "
                                 "and c.invoices.nope == nil and c.invoices[0] == nil "
                                 "and c.invoices[3] == nil and c.contacts[1].nope == nil "
                                 "and ctx.nope == nil and c.balance[1] == nil"),
    OK("list positions: integral floats only", "c.contacts[1.0] == c.contacts[1] "
                                               "and c.contacts['1'] == nil and c.contacts[1.5] == nil"),
    /* # , ipairs and pairs */
    OK("# and ipairs on the lists",
       "#c.invoices == 2 and #c.contacts == 2 and (function() local n = 0 "
       "for i, inv in ipairs(c.invoices) do n = n + 1 assert(inv == c.invoices[i]) end "
       "return n end)() == 2"),
    OK("pairs over c lists every fact that is not nil",
       "(function() local s, n = {}, 0 for k, v in pairs(c) do s[k] = v n = n + 1 end "
       "return s.id == 'EVAL' and s.days_overdue == 9 and s.promises == c.promises "
       "and s.persona == 'friendly' and s.contacts == c.contacts and n == 25 end)()"),
    OK("pairs over c.balance",
       "(function() local sum, n = 0, 0 for currency, owed in pairs(c.balance) do "
       "n = n + 1 sum = sum + owed end return n == 2 and sum == 6000 end)()"),
    OK("pairs over records, items, lists and ctx",
       "(function() local function n(t) local k = 0 for _ in pairs(t) do k = k + 1 end "
       "return k end return n(c.holds) == 7 and n(c.promises) == 4 "
       "and n(c.invoices[2]) == 5 and n(c.invoices) == 2 and n(ctx) == 5 end)()"),
    OK("the proxies are empty tables", "type(c) == 'table' and next(c) == nil "
                                       "and rawget(c, 'id') == nil and rawlen(c.invoices) == 0"),
    OK("metatables hidden", "getmetatable(c) == 'read-only' and getmetatable(c.holds) == 'read-only' "
                            "and getmetatable(c.invoices) == 'read-only' "
                            "and getmetatable(c.invoices[1]) == 'read-only'"),
    OK("metatables hidden, balance and ctx", "getmetatable(c.balance) == 'read-only' "
                                             "and getmetatable(ctx) == 'read-only'"),
    /* read-only, with the field named */
    FAILS("c read-only", "c.age = 1 return true", "read-only (field 'age')"),
    FAILS("c read-only, new field", "c.mine = 1 return true", "read-only (field 'mine')"),
    FAILS("records read-only", "c.promises.kept = 0 return true", "read-only (field 'kept')"),
    FAILS("holds read-only", "c.holds.vulnerable = false return true",
          "read-only (field 'vulnerable')"),
    FAILS("lists read-only", "c.contacts[3] = {} return true", "read-only"),
    FAILS("list items read-only", "c.invoices[1].amount = 0 return true",
          "read-only (field 'amount')"),
    FAILS("balance read-only", "c.balance.EUR = 0 return true", "read-only (field 'EUR')"),
    FAILS("ctx read-only", "ctx.hour = 1 return true", "read-only (field 'hour')"),
    FAILS("metatable cannot be replaced", "setmetatable(c, {}) return true",
          "protected metatable"),
};

static void check_row(dn_ruleset *rs, const fact_row *row)
{
    dn_facts *f = calloc(1, sizeof *f);
    dn_decision d;
    assert_non_null(f);
    rich_customer(f, row->code);
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    if (d.action != row->action)
        fail_msg("%s: expected %s got %s (%s)", row->name, dn_action_names[row->action],
                 dn_action_names[d.action], d.reason);
    if (row->action == DN_ACT_ERROR) {
        if (!strstr(d.reason, row->reason))
            fail_msg("%s: reason '%s' lacks '%s'", row->name, d.reason, row->reason);
        if (strncmp(d.where, "segments/probe.lua:", 19) != 0)
            fail_msg("%s: where '%s' is not segments/probe.lua:LINE", row->name, d.where);
    }
    free(f);
}

static void test_fact_rows(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    (void)state;
    if (rules_load(FIXTURE, &rs, &errs) != 0)
        fail_msg("fixture refused: %s", errs.n ? errs.items[0] : "?");
    for (size_t i = 0; i < sizeof fact_rows / sizeof fact_rows[0]; i++)
        check_row(rs, &fact_rows[i]);
    rules_release(rs);
}

/* The same tables answer for every customer: each decision sees its own
 * customer, never the one before (lists shrink, dates go away). */
static void test_facts_follow_the_customer(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    dn_facts *f = calloc(1, sizeof *f);
    dn_decision d;
    (void)state;
    assert_non_null(f);
    assert_int_equal(rules_load(FIXTURE, &rs, &errs), 0);

    rich_customer(f, "local c = ... return c.days_overdue == 9 and #c.contacts == 2 "
                     "and c.promises.pending and c.balance.USD == 5000");
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    assert_int_equal(d.action, DN_ACT_CONTACT);

    rich_customer(f, "local c = ... return c.days_overdue == 4 and #c.contacts == 0 "
                     "and c.last_contact == nil and c.contacts[1] == nil "
                     "and c.promises.pending == false and c.promises.due == nil "
                     "and c.balance.USD == nil and c.invoices[2] == nil and #c.invoices == 1");
    f->invoices[0].due = day("2026-02-25");
    f->n_invoices = 1;
    f->n_balance = 1;
    f->n_contacts = 0;
    f->promise_pending = false;
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    if (d.action != DN_ACT_CONTACT)
        fail_msg("second customer: %s (%s)", dn_action_names[d.action], d.reason);

    /* an error in one decision leaves nothing behind for the next */
    rich_customer(f, "local c = ... error('boom')");
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    assert_int_equal(d.action, DN_ACT_ERROR);
    rich_customer(f, "local c = ... return c.persona == 'friendly' and c.amount_due == 1000");
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    assert_int_equal(d.action, DN_ACT_CONTACT);
    free(f);
    rules_release(rs);
}

/* The fields the rules read often are written into the tables `c` reads
 * through before each decision, chosen by counting reads over 64 decisions
 * every 4 096 (rules_facts.c, "filling the data tables"). Over 4 200
 * customers (the first count, a whole stretch of writing, the next count)
 * every decision must see its own customer's values: an unknown age (every
 * third customer) is nil, and a field only every fifth customer reads is
 * still answered. */
#define FILL_CUSTOMERS 4200
#define FILL_BATCH     100

static void test_filled_fields_follow_every_customer(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    dn_facts *facts = calloc(FILL_BATCH, sizeof *facts);
    dn_decision *decisions = calloc(FILL_BATCH, sizeof *decisions);
    (void)state;
    assert_non_null(facts);
    assert_non_null(decisions);
    assert_int_equal(rules_load(FIXTURE, &rs, &errs), 0);
    for (int first = 0; first < FILL_CUSTOMERS; first += FILL_BATCH) {
        for (int k = 0; k < FILL_BATCH; k++) {
            int i = first + k;
            int age = i % 3 == 0 ? 0 : 20 + i % 70;
            int overdue = i % 50;
            bool pending = i % 2 == 1;
            char code[DN_NAME_MAX], age_text[8] = "nil";
            if (age)
                snprintf(age_text, sizeof age_text, "%d", age);
            /* amount_due: the EUR invoice's 1250 + i less its 250 paid */
            snprintf(code, sizeof code,
                     "local c = ... return c.age == %s and c.days_overdue == %d "
                     "and c.promises.pending == %s and c.amount_due == %d "
                     "and c.first_name == 'local'%s",
                     age_text, overdue, pending ? "true" : "false", 1000 + i,
                     i % 5 == 0 ? " and c.case_id == 17" : "");
            rich_customer(&facts[k], code);
            facts[k].customer.age = age;
            facts[k].promise_pending = pending;
            facts[k].invoices[0].due = day("2026-03-01") - overdue;
            facts[k].invoices[0].amount_minor = 1250 + i;
        }
        assert_int_equal(rules_decide_batch(rs, facts, FILL_BATCH, at("2026-03-01T10:00:00Z"),
                                            decisions), 0);
        for (int k = 0; k < FILL_BATCH; k++)
            if (decisions[k].action != DN_ACT_CONTACT)
                fail_msg("customer %d: %s (%s)", first + k, dn_action_names[decisions[k].action],
                         decisions[k].reason);
    }
    free(facts);
    free(decisions);
    rules_release(rs);
}

/* decide() results with every optional field, four fallbacks included,
 * and one read through its metatable, each field only when needed
 * (tests/fixtures/rules-ladder/segments/nodue.lua, NODUE-FULL, NODUE-META). */
static void test_decide_result_fields(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    dn_facts *f = calloc(1, sizeof *f);
    dn_decision d;
    (void)state;
    assert_non_null(f);
    assert_int_equal(rules_load(LADDER_FIXTURE, &rs, &errs), 0);
    rich_customer(f, "Anna Ozola");
    dn_strlcpy(f->customer.external_id, "NODUE-FULL", sizeof f->customer.external_id);
    f->promise_pending = false;
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    if (d.action != DN_ACT_CONTACT)
        fail_msg("NODUE-FULL: %s (%s)", dn_action_names[d.action], d.reason);
    assert_string_equal(d.channel, "email");
    assert_string_equal(d.template_name, "overdue");
    assert_string_equal(d.tone, "neutral");
    assert_string_equal(d.language, "lv");
    assert_string_equal(d.voice, "calm");
    assert_int_equal(d.step_day, 5);
    assert_int_equal(d.n_fallback, 4);
    assert_string_equal(d.fallback[0], "sms");
    assert_string_equal(d.fallback[3], "email");
    assert_int_equal(d.hours_from, 10 * 60);
    assert_int_equal(d.hours_to, 18 * 60);
    assert_true(d.transliterate);
    assert_int_equal(d.purpose, DN_PURPOSE_NOTICE);
    assert_string_equal(d.reason, "decide: day 5, template overdue");

    /* a result with a metatable is read through it, field by field */
    dn_strlcpy(f->customer.external_id, "NODUE-META", sizeof f->customer.external_id);
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    if (d.action != DN_ACT_CONTACT)
        fail_msg("NODUE-META: %s (%s)", dn_action_names[d.action], d.reason);
    assert_string_equal(d.channel, "email");
    assert_string_equal(d.language, "lv");
    assert_int_equal(d.n_fallback, 0);
    assert_int_equal(d.step_day, 9);
    free(f);
    rules_release(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fact_rows),
        cmocka_unit_test(test_facts_follow_the_customer),
        cmocka_unit_test(test_filled_fields_follow_every_customer),
        cmocka_unit_test(test_decide_result_fields),
    };
    dn_log_set_level(DN_LOG_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
