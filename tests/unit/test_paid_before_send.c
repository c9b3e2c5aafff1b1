/*
 * test_paid_before_send.c — no reminder is ever sent for an invoice that was
 * paid, credited or disputed before the moment of sending, whenever the
 * change lands:
 *   - during the pass, right after the customer's facts were read (the pass
 *     goes on with stale facts and plans the contact);
 *   - between the pass and the dispatcher;
 *   - during dispatch, after the contact was taken from the outbox and
 *     before the dispatcher re-reads the facts.
 * The store is wrapped so that the change is written at exactly that
 * moment (a proxy of dn_store_ops). The real engine (SQLite store, the
 * integration rule set, the file sink) does the rest. A partial payment is
 * the control row: the reminder does go out, so a test that sends nothing
 * at all cannot pass by accident.
 *
 * The rule set tests/integration/rules-flow sends an e-mail on day 5; the
 * invoice is due Wednesday 2026-06-03, so day 5 is Monday 2026-06-08, at
 * 12:00 in Riga (09:00 UT), a working day that is not a Latvian holiday.
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
#include <unistd.h>

#include "engine.h"

typedef enum change {
    PAID_IN_FULL, CREDIT_NOTE, DISPUTED, CREDITED, PARTLY_PAID,
} change;

typedef enum moment {
    DURING_PASS,            /* after claim_due read the facts */
    BEFORE_DISPATCH,        /* after the pass, before dispatch */
    DURING_DISPATCH,        /* after claim_outbox took the contact */
} moment;

static const char *const change_names[] = { "paid in full", "credit note", "disputed",
                                            "status credited", "partly paid" };
static const char *const moment_names[] = { "during the pass", "before dispatch",
                                            "during dispatch" };

/* the proxy: the real ops, and what to write when */
static const dn_store_ops *real;
static dn_store_ops proxy;
static change pending_change;
static moment pending_moment;
static bool pending;

static void apply_change(void *ctx, change c)
{
    dn_err err;
    dn_err_clear(&err);
    dn_upsert_outcome outcome;
    if (c == DISPUTED || c == CREDITED) {
        dn_invoice inv = { 0 };
        dn_strlcpy(inv.external_id, "I1", sizeof inv.external_id);
        dn_strlcpy(inv.customer_external_id, "C1", sizeof inv.customer_external_id);
        dn_strlcpy(inv.currency, "EUR", sizeof inv.currency);
        inv.amount_minor = 10000;
        assert_int_equal(dn_date_parse("2026-05-01", &inv.issued), 0);
        assert_int_equal(dn_date_parse("2026-06-03", &inv.due), 0);
        inv.status = c == DISPUTED ? DN_INV_DISPUTED : DN_INV_CREDITED;
        if (real->upsert_invoice(ctx, &inv, &outcome, &err))
            fail_msg("invoice change: %s", err.msg);
        return;
    }
    dn_payment p = { 0 };
    dn_strlcpy(p.external_id, "P1", sizeof p.external_id);
    dn_strlcpy(p.customer_external_id, "C1", sizeof p.customer_external_id);
    dn_strlcpy(p.currency, "EUR", sizeof p.currency);
    p.amount_minor = c == PARTLY_PAID ? 4000 : 10000;
    p.is_credit_note = c == CREDIT_NOTE;
    assert_int_equal(dn_date_parse("2026-06-08", &p.paid_on), 0);
    if (real->add_payment(ctx, &p, &outcome, &err))
        fail_msg("payment: %s", err.msg);
}

static int proxy_claim_due(void *ctx, dn_time now, int lease_seconds, dn_facts *out, int max,
                           int *n, dn_err *err)
{
    int rc = real->claim_due(ctx, now, lease_seconds, out, max, n, err);
    if (rc == 0 && *n > 0 && pending && pending_moment == DURING_PASS) {
        apply_change(ctx, pending_change);
        pending = false;
    }
    return rc;
}

static int proxy_claim_outbox(void *ctx, dn_time now, dn_outbox_item **items, int max, int *n,
                              dn_err *err)
{
    int rc = real->claim_outbox(ctx, now, items, max, n, err);
    if (rc == 0 && *n > 0 && pending && pending_moment == DURING_DISPATCH) {
        apply_change(ctx, pending_change);
        pending = false;
    }
    return rc;
}

/* The dispatcher takes contacts per channel: the same moment there. */
static int proxy_claim_outbox_channel(void *ctx, dn_time now, const char *channel,
                                      dn_outbox_item **items, int max, int *n, dn_err *err)
{
    int rc = real->claim_outbox_channel(ctx, now, channel, items, max, n, err);
    if (rc == 0 && *n > 0 && pending && pending_moment == DURING_DISPATCH) {
        apply_change(ctx, pending_change);
        pending = false;
    }
    return rc;
}

static int count_files(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* One row: a fresh store, a customer owing 100.00 EUR, the change at the
 * moment, a pass and a dispatch at day 5. Returns the number of messages
 * the channel received; *planned and *cancelled count contacts. */
static int run_row(change c, moment m, int *planned, int *cancelled, char *reason,
                   size_t reason_size)
{
    const char *source = getenv("DN_SOURCE_DIR");
    if (!source || !*source)
        source = DN_SOURCE_DIR;
    char dir[] = "/tmp/dn-paid-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char dsn[256], schema[512], rules[512], outbox[256];
    snprintf(dsn, sizeof dsn, "sqlite:%s/store.db", dir);
    snprintf(schema, sizeof schema, "%s/schema", source);
    snprintf(rules, sizeof rules, "%s/tests/integration/rules-flow", source);
    snprintf(outbox, sizeof outbox, "%s/outbox", dir);

    dn_engine e;
    memset(&e, 0, sizeof e);
    e.batch_size = 100;
    e.lease_seconds = 300;
    e.default_country = "LV";
    dn_err err;
    dn_err_clear(&err);
    if (dn_store_open(&e.store, dsn, schema, &err))
        fail_msg("store: %s", err.msg);
    real = e.store.ops;
    proxy = *real;
    proxy.claim_due = proxy_claim_due;
    proxy.claim_outbox = proxy_claim_outbox;
    proxy.claim_outbox_channel = proxy_claim_outbox_channel;
    e.store.ops = &proxy;
    if (engine_load_rules(&e, rules, &err))
        fail_msg("rules: %s", e.rules_last_error);
    if (engine_open_channels(&e, NULL, NULL, outbox, &err))
        fail_msg("channels: %s", err.msg);

    dn_customer cu = { .hold_until = DN_NO_DATE };
    dn_strlcpy(cu.external_id, "C1", sizeof cu.external_id);
    dn_strlcpy(cu.name, "Ann Lee", sizeof cu.name);
    dn_strlcpy(cu.language, "en", sizeof cu.language);
    dn_strlcpy(cu.timezone, "Europe/Riga", sizeof cu.timezone);
    dn_strlcpy(cu.country, "LV", sizeof cu.country);
    dn_strlcpy(cu.email, "ann@example.com", sizeof cu.email);
    dn_strlcpy(cu.phone, "+37120000001", sizeof cu.phone);
    dn_upsert_outcome outcome;
    assert_int_equal(real->upsert_customer(e.store.ctx, &cu, &outcome, &err), 0);
    dn_invoice inv = { 0 };
    dn_strlcpy(inv.external_id, "I1", sizeof inv.external_id);
    dn_strlcpy(inv.customer_external_id, "C1", sizeof inv.customer_external_id);
    dn_strlcpy(inv.currency, "EUR", sizeof inv.currency);
    inv.amount_minor = 10000;
    assert_int_equal(dn_date_parse("2026-05-01", &inv.issued), 0);
    assert_int_equal(dn_date_parse("2026-06-03", &inv.due), 0);
    inv.status = DN_INV_OPEN;
    assert_int_equal(real->upsert_invoice(e.store.ctx, &inv, &outcome, &err), 0);

    dn_time now;
    assert_int_equal(dn_time_parse("2026-06-08T09:00:00Z", &now), 0);
    engine_set_clock(&e, now);
    pending_change = c;
    pending_moment = m;
    pending = true;
    dn_pass_stats st;
    memset(&st, 0, sizeof st);
    if (pass_run(&e, now, &st, NULL, NULL, &err))
        fail_msg("pass: %s", err.msg);
    if (pending && m == BEFORE_DISPATCH) {
        apply_change(e.store.ctx, c);
        pending = false;
    }
    dn_dispatch_stats ds;
    memset(&ds, 0, sizeof ds);
    int rc;
    while ((rc = dispatch_batch(&e, now, 100, &ds, &err)) > 0)
        ;
    assert_int_equal(rc, 0);
    assert_false(pending);                      /* the change did land */

    json_t *contacts = NULL;
    assert_int_equal(real->list_rows(e.store.ctx, "contacts", 0, 100, &contacts, &err), 0);
    *planned = (int)json_array_size(contacts);
    *cancelled = 0;
    reason[0] = '\0';
    size_t i;
    json_t *row;
    json_array_foreach(contacts, i, row) {
        const char *state = json_string_value(json_object_get(row, "state"));
        if (state && strcmp(state, "cancelled") == 0) {
            (*cancelled)++;
            const char *why = json_string_value(json_object_get(row, "state_reason"));
            dn_strlcpy(reason, why ? why : "", reason_size);
        }
    }
    json_decref(contacts);
    engine_close(&e);
    int sent = count_files(outbox);
    remove_tree(dir);
    return sent;
}

static void test_nothing_sent_after_payment_credit_or_dispute(void **state)
{
    (void)state;
    static const struct {
        change c;
        moment m;
        int sent;
        const char *reason;      /* in the cancelled contact's reason, or NULL if none */
    } rows[] = {
        /* the change lands while the pass holds stale facts: the contact is
         * planned, the re-check at send time cancels it */
        { PAID_IN_FULL, DURING_PASS, 0, "paid" },
        { CREDIT_NOTE, DURING_PASS, 0, "paid" },
        { DISPUTED, DURING_PASS, 0, "disputed" },
        { CREDITED, DURING_PASS, 0, "paid" },
        { PARTLY_PAID, DURING_PASS, 1, NULL },
        /* between the pass and the dispatcher */
        { PAID_IN_FULL, BEFORE_DISPATCH, 0, "paid" },
        { CREDIT_NOTE, BEFORE_DISPATCH, 0, "paid" },
        { DISPUTED, BEFORE_DISPATCH, 0, "disputed" },
        { CREDITED, BEFORE_DISPATCH, 0, "paid" },
        { PARTLY_PAID, BEFORE_DISPATCH, 1, NULL },
        /* after the dispatcher took the contact, before it re-read the facts */
        { PAID_IN_FULL, DURING_DISPATCH, 0, "paid" },
        { CREDIT_NOTE, DURING_DISPATCH, 0, "paid" },
        { DISPUTED, DURING_DISPATCH, 0, "disputed" },
        { CREDITED, DURING_DISPATCH, 0, "paid" },
        { PARTLY_PAID, DURING_DISPATCH, 1, NULL },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int planned, cancelled;
        char reason[512];
        int sent = run_row(rows[i].c, rows[i].m, &planned, &cancelled, reason, sizeof reason);
        print_message("row %zu: %s %s: %d planned, %d cancelled, %d sent (%s)\n", i,
                      change_names[rows[i].c], moment_names[rows[i].m], planned, cancelled,
                      sent, reason);
        assert_int_equal(sent, rows[i].sent);
        assert_int_equal(planned, 1);            /* the pass did plan it each time */
        if (rows[i].reason) {
            assert_int_equal(cancelled, 1);
            if (!strstr(reason, rows[i].reason))
                fail_msg("row %zu: reason \"%s\" lacks \"%s\"", i, reason, rows[i].reason);
        } else {
            assert_int_equal(cancelled, 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_sent_after_payment_credit_or_dispute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
