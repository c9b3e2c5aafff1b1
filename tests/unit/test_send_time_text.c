/*
 * test_send_time_text.c — the message states what is owed at the moment it
 * is sent, not when it was planned: between the pass and the dispatcher a
 * partial payment, a new invoice, the older bill being paid or a day going
 * by change the text, which the dispatcher renders again from the
 * contact's template with the facts it re-reads (and stores, so the contact
 * holds what went out). A template the live rule set no longer has cancels
 * the contact instead of sending a stale text.
 *
 * The real engine: SQLite store, the rule set below, the file sink. Ann
 * (English) owes bill I1, 100.00 EUR due Wednesday 2026-06-03; the pass at
 * 2026-06-08T09:00Z (day 5, 12:00 in Riga) plans the SMS; the dispatcher
 * runs at 10:00Z the same day unless the row says otherwise. Every expected
 * text is written out by hand from the template (en money "€60.00", en
 * dates "3 June 2026"; Latvian "60,00 €" folded to GSM-7: ā → a, ē → e,
 * ķ → k).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_harness.h"

static const char rules_lua[] =
    "return {\n"
    "  name = \"send time\", default_language = \"en\", languages = { \"en\", \"lv\" },\n"
    "  company = { name = \"Test Co\", pay_link = \"https://pay.test/{customer_id}\" },\n"
    "  segments = {\n"
    "    { name = \"latvian\", match = function(c) return c.language == \"lv\" end },\n"
    "    { name = \"standard\", match = function(c) return true end },\n"
    "  },\n"
    "}\n";
static const char personas_lua[] =
    "return { classify = function(c) return \"friendly\" end }\n";
static const char standard_lua[] =
    "return { ladder = { { day = 3, channel = \"sms\", template = \"owed\", tone = \"neutral\" } } }\n";
static const char latvian_lua[] =
    "return { ladder = { { day = 3, channel = \"sms\", template = \"owed\", tone = \"neutral\",\n"
    "                      transliterate = true } } }\n";
static const char en_lua[] =
    "return { _opt_out = \"STOP\", owed = { sms = { neutral =\n"
    "  \"{first_name}: {amount} of bill {invoice_id} due {due_date}, {invoices_count} bill(s) "
    "open, day {days_overdue}.\" } } }\n";
static const char lv_lua[] =
    "return { _opt_out = \"STOP\", owed = { sms = { neutral =\n"
    "  \"{first_name}: {amount} par rēķinu {invoice_id}.\" } } }\n";
/* a new version whose ladder uses another template, without "owed" (a
 * reload between plan and send) */
static const char gone_segment_lua[] =
    "return { ladder = { { day = 3, channel = \"sms\", template = \"other\", tone = \"neutral\" } } }\n";
static const char gone_templates_lua[] =
    "return { _opt_out = \"STOP\", other = { sms = { neutral = \"{amount}\" } } }\n";

typedef enum change {
    NOTHING, PARTLY_PAID, SECOND_INVOICE, OLDER_PAID, TEMPLATE_GONE
} change;

typedef struct text_row {
    const char *name;
    const char *language;          /* of the customer */
    bool        two_bills;         /* I2, 50.00 EUR due 2026-06-05, open from the start */
    change      change;            /* between the pass and the dispatcher */
    const char *send_at;
    const char *sent;              /* the text that went out, NULL: nothing */
    const char *cancel_reason;     /* in the cancelled contact's reason */
} text_row;

static const text_row rows[] = {
    { "nothing changed: the planned text", "en", false, NOTHING, "2026-06-08T10:00:00Z",
      "Ann: €100.00 of bill I1 due 3 June 2026, 1 bill(s) open, day 5.", NULL },
    { "a partial payment of 40.00: 60.00 owed", "en", false, PARTLY_PAID,
      "2026-06-08T10:00:00Z",
      "Ann: €60.00 of bill I1 due 3 June 2026, 1 bill(s) open, day 5.", NULL },
    { "a second invoice meanwhile: two bills open", "en", false, SECOND_INVOICE,
      "2026-06-08T10:00:00Z",
      "Ann: €100.00 of bill I1 due 3 June 2026, 2 bill(s) open, day 5.", NULL },
    /* I1 paid: I2 is the anchor, due 06-05, so day 3 on 06-08 */
    { "the older bill paid: the newer one is stated", "en", true, OLDER_PAID,
      "2026-06-08T10:00:00Z",
      "Ann: €50.00 of bill I2 due 5 June 2026, 1 bill(s) open, day 3.", NULL },
    { "sent a day later: day 6", "en", false, NOTHING, "2026-06-09T09:00:00Z",
      "Ann: €100.00 of bill I1 due 3 June 2026, 1 bill(s) open, day 6.", NULL },
    { "a transliterated Latvian SMS after a partial payment", "lv", false, PARTLY_PAID,
      "2026-06-08T10:00:00Z", "Ann: 60,00 € par rekinu I1.", NULL },
    { "the template gone from the live set: cancelled, not sent stale", "en", false,
      TEMPLATE_GONE, "2026-06-08T10:00:00Z", NULL,
      "the text cannot be rendered at send time (en/owed/sms/neutral" },
};

/* A rule set in dir/name: the one above, or (gone) its new version. */
static void write_rules(const char *dir, const char *name, bool gone)
{
    char path[600], sub[640];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(mkdir(path, 0700), 0);
    harness_write(path, "rules.lua", rules_lua);
    harness_write(path, "personas.lua", personas_lua);
    snprintf(sub, sizeof sub, "%s/segments", path);
    assert_int_equal(mkdir(sub, 0700), 0);
    harness_write(sub, "standard.lua", gone ? gone_segment_lua : standard_lua);
    harness_write(sub, "latvian.lua", gone ? gone_segment_lua : latvian_lua);
    snprintf(sub, sizeof sub, "%s/templates", path);
    assert_int_equal(mkdir(sub, 0700), 0);
    harness_write(sub, "en.lua", gone ? gone_templates_lua : en_lua);
    harness_write(sub, "lv.lua", gone ? gone_templates_lua : lv_lua);
}

static void put_invoice(dn_engine *e, const char *id, int64_t amount, const char *due)
{
    dn_invoice inv = { .amount_minor = amount, .status = DN_INV_OPEN, .issued = DN_NO_DATE };
    dn_upsert_outcome outcome;
    dn_err err;
    dn_err_clear(&err);
    dn_strlcpy(inv.external_id, id, sizeof inv.external_id);
    dn_strlcpy(inv.customer_external_id, "C1", sizeof inv.customer_external_id);
    dn_strlcpy(inv.currency, "EUR", sizeof inv.currency);
    assert_int_equal(dn_date_parse(due, &inv.due), 0);
    if (e->store.ops->upsert_invoice(e->store.ctx, &inv, &outcome, &err))
        fail_msg("invoice %s: %s", id, err.msg);
}

static void pay(dn_engine *e, const char *invoice, int64_t amount)
{
    dn_payment p = { .amount_minor = amount };
    dn_upsert_outcome outcome;
    dn_err err;
    dn_err_clear(&err);
    dn_strlcpy(p.external_id, "P1", sizeof p.external_id);
    dn_strlcpy(p.customer_external_id, "C1", sizeof p.customer_external_id);
    dn_strlcpy(p.invoice_external_id, invoice ? invoice : "", sizeof p.invoice_external_id);
    dn_strlcpy(p.currency, "EUR", sizeof p.currency);
    assert_int_equal(dn_date_parse("2026-06-08", &p.paid_on), 0);
    if (e->store.ops->add_payment(e->store.ctx, &p, &outcome, &err))
        fail_msg("payment: %s", err.msg);
}

/* The body of the one message file in outbox ("" when there is none). */
static void sent_text(const char *outbox, char *out, size_t size)
{
    out[0] = '\0';
    DIR *d = opendir(outbox);
    if (!d)
        return;
    for (struct dirent *ent; (ent = readdir(d));) {
        if (ent->d_name[0] == '.')
            continue;
        char path[900], text[4096];
        snprintf(path, sizeof path, "%s/%s", outbox, ent->d_name);
        FILE *in = fopen(path, "r");
        assert_non_null(in);
        size_t n = fread(text, 1, sizeof text - 1, in);
        fclose(in);
        text[n] = '\0';
        const char *body = strstr(text, "\n\n");   /* after the header block */
        dn_strlcpy(out, body ? body + 2 : "", size);
    }
    closedir(d);
}

static void run_row(const text_row *row)
{
    char dir[] = "/tmp/dn-send-text-XXXXXX", rules[600], gone[600], outbox[600];
    assert_non_null(mkdtemp(dir));
    write_rules(dir, "rules", false);
    write_rules(dir, "gone", true);
    snprintf(rules, sizeof rules, "%s/rules", dir);
    snprintf(gone, sizeof gone, "%s/gone", dir);
    snprintf(outbox, sizeof outbox, "%s/outbox", dir);

    dn_engine e;
    dn_err err;
    dn_err_clear(&err);
    harness_open(&e, dir, rules);
    dn_customer c = { .hold_until = DN_NO_DATE };
    dn_upsert_outcome outcome;
    dn_strlcpy(c.external_id, "C1", sizeof c.external_id);
    dn_strlcpy(c.name, "Ann Lee", sizeof c.name);
    dn_strlcpy(c.language, row->language, sizeof c.language);
    dn_strlcpy(c.timezone, "Europe/Riga", sizeof c.timezone);
    dn_strlcpy(c.country, "LV", sizeof c.country);
    dn_strlcpy(c.phone, "+37120000001", sizeof c.phone);
    assert_int_equal(e.store.ops->upsert_customer(e.store.ctx, &c, &outcome, &err), 0);
    put_invoice(&e, "I1", 10000, "2026-06-03");
    if (row->two_bills)
        put_invoice(&e, "I2", 5000, "2026-06-05");

    dn_time planned_at = harness_time("2026-06-08T09:00:00Z");
    engine_set_clock(&e, planned_at);
    dn_pass_stats st = { 0 };
    if (pass_run(&e, planned_at, &st, NULL, NULL, &err))
        fail_msg("pass: %s", err.msg);
    assert_int_equal(st.contacts, 1);
    switch (row->change) {
    case PARTLY_PAID:    pay(&e, NULL, 4000); break;
    case SECOND_INVOICE: put_invoice(&e, "I2", 5000, "2026-06-05"); break;
    case OLDER_PAID:     pay(&e, "I1", 10000); break;
    case TEMPLATE_GONE:
        if (engine_load_rules(&e, gone, &err))
            fail_msg("reload: %s", e.rules_last_error);
        break;
    case NOTHING: break;
    }
    dn_time send_at = harness_time(row->send_at);
    engine_set_clock(&e, send_at);
    dn_dispatch_stats ds = { 0 };
    while (dispatch_batch(&e, send_at, 100, &ds, &err) > 0)
        ;
    dispatch_flush(&e);

    char sent[4096];
    sent_text(outbox, sent, sizeof sent);
    json_t *contacts = NULL;
    assert_int_equal(e.store.ops->list_rows(e.store.ctx, "contacts", 0, 10, &contacts, &err), 0);
    assert_int_equal(json_array_size(contacts), 1);
    json_t *contact = json_array_get(contacts, 0);
    const char *state = json_string_value(json_object_get(contact, "state"));
    const char *body = json_string_value(json_object_get(contact, "body"));
    const char *reason = json_string_value(json_object_get(contact, "state_reason"));
    print_message("%s: %s, sent \"%s\" (%s)\n", row->name, state, sent, reason ? reason : "");
    if (row->sent) {
        assert_string_equal(state, "sent");
        assert_string_equal(sent, row->sent);
        assert_string_equal(body, row->sent);      /* the contact holds what went out */
    } else {
        assert_string_equal(state, "cancelled");
        assert_string_equal(sent, "");
        if (!reason || !strstr(reason, row->cancel_reason))
            fail_msg("%s: reason '%s' lacks '%s'", row->name, reason ? reason : "",
                     row->cancel_reason);
    }
    json_decref(contacts);
    harness_close(&e, dir);
}

static void test_text_states_what_is_owed_when_sent(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        run_row(&rows[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_states_what_is_owed_when_sent),
    };
    dn_log_set_level(DN_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
