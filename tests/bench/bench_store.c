/*
 * bench_store.c — how fast the SQLite store carries the evaluation pass.
 *
 *   bench_store [CUSTOMERS [DATABASE]]     (default 100000, a temp file)
 *
 * Loads CUSTOMERS synthetic customers with one overdue invoice each (not
 * timed), then times the pass: claim_due in batches and one record_results
 * per batch planning a contact for each customer, until no
 * customer is due. Prints customers per second. Not run by ctest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

#define BATCH 1000

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, const dn_err *err)
{
    fprintf(stderr, "bench_store: %s: %s (%s)\n", what, err->msg, err->field);
    return 1;
}

/* Inserts customers and invoices in transactions of BATCH rows. */
static int load(dn_store *s, long customers, dn_err *err)
{
    for (long i = 0; i < customers; i++) {
        if (i % BATCH == 0 && s->ops->begin(s->ctx, err) < 0)
            return -1;
        dn_customer c = { .age = (int)(20 + i % 60), .hold_until = DN_NO_DATE };
        snprintf(c.external_id, sizeof c.external_id, "C%08ld", i);
        snprintf(c.name, sizeof c.name, "Customer %ld", i);
        dn_strlcpy(c.language, i % 2 ? "lv" : "en", sizeof c.language);
        dn_strlcpy(c.timezone, "Europe/Riga", sizeof c.timezone);
        dn_strlcpy(c.country, "LV", sizeof c.country);
        snprintf(c.phone, sizeof c.phone, "+3712%07ld", i % 10000000);
        dn_upsert_outcome outcome;
        if (s->ops->upsert_customer(s->ctx, &c, &outcome, err) < 0)
            return -1;
        dn_invoice inv = { .amount_minor = 1000 + i % 50000, .issued = DN_NO_DATE,
                           .due = dn_date_from_ymd(2024, 1, 1 + (int)(i % 28)),
                           .status = DN_INV_OPEN };
        snprintf(inv.external_id, sizeof inv.external_id, "I%08ld", i);
        dn_strlcpy(inv.customer_external_id, c.external_id, sizeof inv.customer_external_id);
        dn_strlcpy(inv.currency, "EUR", sizeof inv.currency);
        if (s->ops->upsert_invoice(s->ctx, &inv, &outcome, err) < 0)
            return -1;
        if ((i % BATCH == BATCH - 1 || i == customers - 1) && s->ops->commit(s->ctx, err) < 0)
            return -1;
    }
    return 0;
}

/* One pass over everyone due at now; returns customers handled or -1. */
static long pass(dn_store *s, dn_facts *facts, dn_time now, dn_err *err)
{
    static dn_contact_plan plans[BATCH];
    static dn_pass_result results[BATCH];
    static dn_record_outcome outcomes[BATCH];
    long handled = 0;
    char body[] = "Your invoice is overdue. Please pay.";
    dn_decision d = { .action = DN_ACT_CONTACT, .step_day = 7, .step_index = 2 };
    dn_strlcpy(d.ruleset_version, "0123456789abcdef", sizeof d.ruleset_version);
    dn_strlcpy(d.segment, "friendly", sizeof d.segment);
    dn_strlcpy(d.persona, "friendly", sizeof d.persona);
    dn_strlcpy(d.channel, "sms", sizeof d.channel);
    dn_strlcpy(d.template_name, "overdue", sizeof d.template_name);
    dn_strlcpy(d.where, "segments/friendly.lua:7", sizeof d.where);
    dn_strlcpy(d.reason, "day 7 step", sizeof d.reason);
    dn_contact_plan plan = { .scheduled_at = now, .body = body, .sms_parts = 1 };
    dn_strlcpy(plan.channel, "sms", sizeof plan.channel);
    dn_strlcpy(plan.template_name, "overdue", sizeof plan.template_name);
    dn_strlcpy(plan.sms_encoding, "gsm7", sizeof plan.sms_encoding);
    for (;;) {
        int n = 0;
        if (s->ops->claim_due(s->ctx, now, 300, facts, BATCH, &n, err) < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            const dn_facts *f = &facts[i];
            plans[i] = plan;
            dn_strlcpy(plans[i].address, f->customer.phone, sizeof plans[i].address);
            results[i] = (dn_pass_result){ .customer_id = f->customer.id, .decision = &d,
                                           .guard_verdict = "allow", .contact = &plans[i],
                                           .open_case = f->case_id == 0,
                                           .anchor_due = f->n_invoices ? f->invoices[0].due
                                                                       : DN_NO_DATE,
                                           .next_evaluation_at = now + 86400 };
        }
        if (s->ops->record_results(s->ctx, results, n, now, outcomes, err) < 0)
            return -1;
        for (int i = 0; i < n; i++)
            if (outcomes[i].rc < 0) {
                *err = outcomes[i].err;
                return -1;
            }
        handled += n;
        if (n < BATCH)
            return handled;
    }
}

int main(int argc, char **argv)
{
    long customers = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    char path[256];
    bool temporary = argc <= 2;
    if (customers <= 0) {
        fprintf(stderr, "usage: bench_store [CUSTOMERS [DATABASE]]\n");
        return 2;
    }
    if (temporary)
        snprintf(path, sizeof path, "/tmp/bench_store_%ld.db", (long)getpid());
    else
        dn_strlcpy(path, argv[2], sizeof path);
    const char *source = getenv("DN_SOURCE_DIR");
    char schema[4096];
    snprintf(schema, sizeof schema, "%s/schema", source && *source ? source : DN_SOURCE_DIR);

    int status = 1;
    dn_store s = { 0 };
    dn_err err = { 0 };
    dn_facts *facts = calloc(BATCH, sizeof *facts);
    if (!facts) {
        fprintf(stderr, "bench_store: out of memory\n");
        return 1;
    }
    if (dn_store_open(&s, path, schema, &err) < 0) {
        status = fail("open", &err);
        goto done;
    }
    double start = seconds_now();
    if (load(&s, customers, &err) < 0) {
        status = fail("load", &err);
        goto done;
    }
    printf("loaded %ld customers in %.1f s\n", customers, seconds_now() - start);
    dn_time now = dn_now();
    start = seconds_now();
    long handled = pass(&s, facts, now, &err);
    double elapsed = seconds_now() - start;
    if (handled < 0) {
        status = fail("pass", &err);
        goto done;
    }
    printf("pass: %ld customers in %.2f s = %.0f customers/s\n", handled, elapsed,
           elapsed > 0 ? (double)handled / elapsed : 0.0);
    status = handled == customers ? 0 : 1;
    if (status)
        fprintf(stderr, "bench_store: expected %ld customers in the pass\n", customers);
done:
    dn_store_close(&s);
    free(facts);
    if (temporary) {
        static const char *const suffixes[] = { "", "-wal", "-shm" };
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            char file[300];
            snprintf(file, sizeof file, "%s%s", path, suffixes[i]);
            unlink(file);
        }
    }
    return status;
}
