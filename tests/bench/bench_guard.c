/*
 * bench_guard.c — guard verdicts per second on one core, each customer with
 * a full contact history (DN_FACT_CONTACTS contacts over the last 90 days).
 * Target: at least 1,000,000 verdicts/s in a Release build. Not run by
 * ctest. Usage: bench_guard [verdicts]   (default 5,000,000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guard.h"
#include "tz.h"

#define CUSTOMERS 64

static const char *const zones[] = { "Europe/Riga", "America/New_York", "Europe/London",
                                     "America/Los_Angeles" };
static const char *const countries[] = { "LV", "US", "UK", "US" };
static const char *const channels[] = { "sms", "email", "voice", "chat", "agent", "letter" };
static const char *const outcomes[] = { "no_answer", "voicemail", "busy", "conversation", "" };

/* CPU time of this thread: "per core" even on a busy machine */
static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 5000000L;
    if (total <= 0) {
        fprintf(stderr, "usage: bench_guard [verdicts]\n");
        return 2;
    }
    dn_facts *facts = calloc(CUSTOMERS, sizeof *facts);
    if (!facts) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    dn_time now;
    dn_time_parse("2026-06-10T12:00:00Z", &now);
    for (int i = 0; i < CUSTOMERS; i++) {
        dn_facts *f = &facts[i];
        dn_customer *c = &f->customer;
        c->id = i + 1;
        snprintf(c->timezone, sizeof c->timezone, "%s", zones[i % 4]);
        snprintf(c->country, sizeof c->country, "%s", countries[i % 4]);
        c->hold_until = DN_NO_DATE;
        f->invoices[0].amount_minor = 10000;
        f->invoices[0].status = DN_INV_OPEN;
        f->n_invoices = 1;
        f->promise_due = DN_NO_DATE;
        f->notice_posted = true;
        f->notice_posted_on = dn_date_from_ymd(2026, 1, 5);
        for (int k = 0; k < DN_FACT_CONTACTS; k++) {
            dn_fact_contact *fc = &f->contacts[k];
            fc->id = k + 1;
            fc->at = now - (dn_time)(k + 1) * (90 * 86400 / DN_FACT_CONTACTS);
            snprintf(fc->channel, sizeof fc->channel, "%s", channels[(i + k) % 6]);
            snprintf(fc->state, sizeof fc->state, "sent");
            snprintf(fc->outcome, sizeof fc->outcome, "%s", outcomes[(i + k) % 5]);
            snprintf(fc->debt_ref, sizeof fc->debt_ref, "debt-%d", k % 2);
            fc->purpose = DN_PURPOSE_FORMAL;
        }
        f->n_contacts = DN_FACT_CONTACTS;
    }
    dn_decision d[6];
    memset(d, 0, sizeof d);
    for (int k = 0; k < 6; k++) {
        d[k].action = DN_ACT_CONTACT;
        snprintf(d[k].channel, sizeof d[k].channel, "%s", channels[k]);
        snprintf(d[k].tone, sizeof d[k].tone, "neutral");
        snprintf(d[k].debt_ref, sizeof d[k].debt_ref, "debt-%d", k % 2);
        d[k].purpose = DN_PURPOSE_FORMAL;
        d[k].hours_from = d[k].hours_to = -1;
    }
    const dn_guard_profile *profiles[CUSTOMERS];
    for (int i = 0; i < CUSTOMERS; i++)
        profiles[i] = guard_profile_builtin(facts[i].customer.country);

    long counts[3] = { 0, 0, 0 };
    dn_verdict v;
    /* warm the zone cache: no file is read inside the timed loop */
    for (int i = 0; i < CUSTOMERS; i++)
        guard_check(profiles[i], &facts[i], &d[0], now, &v);
    double start = seconds_now();
    for (long n = 0; n < total; n++) {
        int i = (int)(n % CUSTOMERS);
        dn_time at = now + (n % 1440) * 60;     /* every minute of a day */
        guard_check(profiles[i], &facts[i], &d[n % 6], at, &v);
        counts[v.kind]++;
    }
    double elapsed = seconds_now() - start;
    printf("guard: %ld verdicts in %.3f s CPU = %.0f verdicts/s (allow %ld, defer %ld, refuse %ld)\n",
           total, elapsed, (double)total / elapsed, counts[0], counts[1], counts[2]);
    free(facts);
    tz_cache_clear();
    return 0;
}
