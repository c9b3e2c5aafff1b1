/*
 * bench_rules.c — decisions per second of rules_decide_batch on a ladder-only
 * segment with facts prepared in advance (not run by ctest).
 *
 *   bench_rules [N [RULES_DIR]]   defaults: 200000, tests/fixtures/rules-bench
 *
 * Customers are spread over days -10..120 around their due date, stages and
 * ages vary, so every step of the ladder is taken; the decision
 * counts per action are printed so runs can be compared. At most 8192
 * distinct facts are built (a dn_facts is about 12 KB) and the N decisions
 * cycle through them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules.h"

#define DEFAULT_DIR DN_SOURCE_DIR "/tests/fixtures/rules-bench"

#define BENCH_DISTINCT 8192
#define BENCH_BATCH    1024      /* customers per rules_decide_batch, as in a pass */

static const int stages[] = { INT32_MIN, -3, 1, 7, 14 };

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    const char *dir = argc > 2 ? argv[2] : DEFAULT_DIR;
    dn_rule_errors *errs = calloc(1, sizeof *errs);
    dn_ruleset *rs = NULL;
    dn_facts *facts = NULL;
    dn_decision *decisions = NULL;
    long counts[DN_ACT_ERROR + 1] = { 0 };
    dn_time now;
    dn_date today;
    struct timespec start, end;
    int rc = 1;

    dn_log_set_level(DN_LOG_WARN);
    if (n <= 0 || !errs)
        goto done;
    if (rules_load(dir, &rs, errs) != 0) {
        for (int i = 0; i < errs->n; i++)
            fprintf(stderr, "%s\n", errs->items[i]);
        goto done;
    }
    long distinct = n < BENCH_DISTINCT ? n : BENCH_DISTINCT;
    facts = calloc((size_t)distinct, sizeof *facts);
    if (!facts)
        goto done;
    dn_time_parse("2026-06-15T10:00:00Z", &now);
    dn_date_parse("2026-06-15", &today);
    for (long i = 0; i < distinct; i++) {
        dn_facts *f = &facts[i];
        snprintf(f->customer.external_id, sizeof f->customer.external_id, "B%ld", i);
        snprintf(f->customer.name, sizeof f->customer.name, "Customer %ld", i);
        dn_strlcpy(f->customer.language, i % 3 == 0 ? "lv" : i % 3 == 1 ? "en" : "ru",
                   sizeof f->customer.language);
        dn_strlcpy(f->customer.timezone, "Europe/Riga", sizeof f->customer.timezone);
        dn_strlcpy(f->customer.phone, "+37120000001", sizeof f->customer.phone);
        f->customer.age = 18 + (int)(i % 73);
        f->customer.hold_until = DN_NO_DATE;
        f->stage_day = stages[i % 5];
        f->promise_due = DN_NO_DATE;
        f->case_anchor_due = DN_NO_DATE;
        f->n_invoices = 1;
        dn_strlcpy(f->invoices[0].external_id, "I1", sizeof f->invoices[0].external_id);
        dn_strlcpy(f->invoices[0].currency, "EUR", sizeof f->invoices[0].currency);
        f->invoices[0].amount_minor = 100 + i % 500000;
        f->invoices[0].issued = DN_NO_DATE;
        f->invoices[0].due = today - (dn_date)(i % 131 - 10);
        f->invoices[0].status = DN_INV_OPEN;
    }
    decisions = calloc(BENCH_BATCH, sizeof *decisions);
    if (!decisions)
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < n;) {
        long first = i % distinct;
        long left = n - i < distinct - first ? n - i : distinct - first;
        int batch = (int)(left < BENCH_BATCH ? left : BENCH_BATCH);
        rules_decide_batch(rs, &facts[first], batch, now, decisions);
        for (int k = 0; k < batch; k++)
            counts[decisions[k].action]++;
        i += batch;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%ld decisions in %.3f s: %.0f decisions/s (rule set %s)\n", n, seconds,
           (double)n / seconds, rules_version(rs));
    for (int a = 0; a <= DN_ACT_ERROR; a++)
        printf("  %-8s %ld\n", dn_action_names[a], counts[a]);
    rc = counts[DN_ACT_ERROR] ? 1 : 0;
done:
    free(decisions);
    free(facts);
    if (rs)
        rules_release(rs);
    free(errs);
    return rc;
}
