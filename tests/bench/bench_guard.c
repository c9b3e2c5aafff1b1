/*
 * bench_guard.c — guard verdicts per second on one core, each customer with
 * a full contact history (DN_FACT_CONTACTS contacts over the last 90 days),
 * asked at every minute of a day on every channel (so about 40% of the
 * verdicts are DEFERs that search forward for the next lawful minute).
 * Every customer has a phone number in their own zone, so the phone is
 * cross-checked with the zone on every verdict.
 * Target: at least 1,000,000 verdicts/s in a Release build. Also times one
 * 7-day contactability answer (GET /v1/customers/{id}/contactability).
 * Not run by ctest.
 *
 * Usage: bench_guard [VERDICTS [RESULTS_FILE]]
 *   VERDICTS per round (default 5,000,000), 5 rounds, the median reported;
 *   RESULTS_FILE (default tests/bench/results/guard.md in the source tree)
 *   gets the figures with the date, the machine and its load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "contactability.h"
#include "guard.h"
#include "tz.h"

#define ROUNDS 5

#define CUSTOMERS 64

static const char *const zones[] = { "Europe/Riga", "America/New_York", "Europe/London",
                                     "America/Los_Angeles" };
static const char *const countries[] = { "LV", "US", "UK", "US" };
/* each customer's phone points at their own zone (as most do) */
static const char *const phones[] = { "+37120000001", "+12125550100", "+442079460000",
                                      "+12135550100" };
static const char *const channels[] = { "sms", "email", "voice", "chat", "agent", "letter" };
static const char *const outcomes[] = { "no_answer", "voicemail", "busy", "conversation", "" };

/* CPU time of this thread: "per core" even on a busy machine */
static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 5000000L;
    const char *results = argc > 2 ? argv[2] : DN_SOURCE_DIR "/tests/bench/results/guard.md";
    if (total <= 0 || argc > 3) {
        fprintf(stderr, "usage: bench_guard [VERDICTS [RESULTS_FILE]]\n");
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
        snprintf(c->phone, sizeof c->phone, "%s", phones[i % 4]);
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
    double rates[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        counts[0] = counts[1] = counts[2] = 0;
        double start = seconds_now();
        for (long n = 0; n < total; n++) {
            int i = (int)(n % CUSTOMERS);
            dn_time at = now + (n % 1440) * 60;     /* every minute of a day */
            guard_check(profiles[i], &facts[i], &d[n % 6], at, &v);
            counts[v.kind]++;
        }
        double elapsed = seconds_now() - start;
        rates[round] = (double)total / elapsed;
        printf("guard: %ld verdicts in %.3f s CPU = %.0f verdicts/s (allow %ld, defer %ld, "
               "refuse %ld)\n", total, elapsed, rates[round], counts[0], counts[1], counts[2]);
    }
    qsort(rates, ROUNDS, sizeof rates[0], compare_double);
    double median = rates[ROUNDS / 2];

    /* contactability: 7 days x 6 channels, a minute at a time */
    int answers = 20;
    double start = seconds_now();
    for (int k = 0; k < answers; k++) {
        json_t *out = NULL;
        if (contactability_json(profiles[k % CUSTOMERS], &facts[k % CUSTOMERS], now, 7, &out,
                                NULL)) {
            fprintf(stderr, "contactability failed\n");
            return 1;
        }
        json_decref(out);
    }
    double per_answer_ms = (seconds_now() - start) * 1000.0 / answers;
    printf("contactability: %.1f ms CPU per 7-day answer\n", per_answer_ms);
    printf("median: %.0f verdicts/s (target 1000000: %s)\n", median,
           median >= 1e6 ? "met" : "NOT met");

    FILE *out = fopen(results, "w");
    if (!out) {
        perror(results);
    } else {
        struct utsname u;
        uname(&u);
        double load[3] = { 0, 0, 0 };
        getloadavg(load, 3);
        time_t wall = time(NULL);
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
        fprintf(out, "# bench_guard results\n\n"
                "Written by `build/bench_guard %ld` (tests/bench/bench_guard.c), Release build.\n\n"
                "| what | value |\n|---|---|\n"
                "| date | %s |\n| machine | %s %s, %ld CPUs, load average %.2f %.2f %.2f |\n"
                "| history per customer | %d contacts over 90 days |\n"
                "| guard verdicts per CPU-second, median of %d rounds | %.0f |\n"
                "| rounds (sorted) | %.0f, %.0f, %.0f, %.0f, %.0f |\n"
                "| target | 1 000 000: %s |\n"
                "| one 7-day contactability answer (6 channels) | %.1f ms CPU |\n",
                total, when, u.sysname, u.machine, sysconf(_SC_NPROCESSORS_ONLN), load[0],
                load[1], load[2], DN_FACT_CONTACTS, ROUNDS, median, rates[0], rates[1], rates[2],
                rates[3], rates[4], median >= 1e6 ? "met" : "NOT met", per_answer_ms);
        fclose(out);
        printf("results written to %s\n", results);
    }
    free(facts);
    tz_cache_clear();
    return median >= 1e6 ? 0 : 1;
}
