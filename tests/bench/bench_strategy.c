/*
 * bench_strategy.c — the reference strategy (/work/shared/bench/strategy.md)
 * evaluated by dunningd's rules runtime and by a hand-written C function,
 * for tests/bench/compare.sh, which sets them side by side with
 * json-rules-engine and a standalone Lua / LuaJIT script.
 *
 *   bench_strategy rules RULES_DIR CSV [RUNS]   rules_decide_batch() over every row
 *   bench_strategy c CSV [RUNS]                 the hand-written C function
 *
 * Reading the CSV and preparing the inputs is not timed; only evaluation is.
 * Every run evaluates every row; RUNS defaults to 5. Output, one item a line
 * (the same format as strategy/js/bench.js and strategy/lua/bench.lua):
 *   rate N          decisions per second of one run
 *   median N        the median of the runs
 *   count ACTION TONE TEMPLATE LANGUAGE N   decisions per outcome
 * ACTION is wait|sms|email|voice|chat|agent; a wait has tone and template
 * "none"; LANGUAGE is the customer's, or lv when empty. Exit status 0, or 1
 * on bad input or when a decision is not one the strategy can make (an
 * error, "none", or runs that disagree). Not run by ctest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules.h"

#define BATCH        1024      /* facts prepared, then decided under the clock */
#define MAX_OUTCOMES 128
#define LINE_MAX_BYTES 256
#define DEFAULT_RUNS 5
#define MAX_RUNS     50
#define MIN_SECONDS  0.3       /* least time of one run of the C function */

/* The evaluation moment; each customer's due date is counted back from it. */
static const char bench_now[] = "2026-03-16T10:00:00Z";

typedef enum persona { PERSONA_FRIENDLY, PERSONA_BUSINESSMAN, PERSONA_INVISIBLE,
                       PERSONA_FIGHTER, PERSONA_COUNT } persona;
static const char *const persona_names[PERSONA_COUNT] = { "friendly", "businessman",
                                                          "invisible", "fighter" };

/* One CSV row, as parsed (not timed). */
typedef struct customer_row {
    long    id;
    int     days_overdue;
    int64_t balance_cents;
    persona persona;
    char    language[DN_LANG_MAX];      /* "" when the column is empty */
    int     age;
    bool    promise_pending;
    int     broken_promises;
    bool    has_phone, has_email, has_chat;
} customer_row;

typedef struct customer_table {
    customer_row *rows;
    long n, capacity;
} customer_table;

/* One outcome of the strategy and how many decisions had it. */
typedef struct outcome {
    char action[16], tone[16], template_name[DN_TOKEN_MAX], language[DN_LANG_MAX];
    long count;
} outcome;

typedef struct outcome_counts {
    outcome items[MAX_OUTCOMES];
    int n;
} outcome_counts;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- input ---- */

/* Splits line in place at commas into at most max fields; returns how many. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max; n++) {
        fields[n] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            return n + 1;
        *comma = '\0';
        p = comma + 1;
    }
    return n + 1;   /* more fields than max */
}

/* Parses a whole decimal integer in [min, max] into *out; false otherwise. */
static bool parse_integer(const char *text, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || value < min || value > max)
        return false;
    *out = value;
    return true;
}

static bool parse_flag(const char *text, bool *out)
{
    long value;
    if (!parse_integer(text, 0, 1, &value))
        return false;
    *out = value == 1;
    return true;
}

/* Parses one data line into row; false on any malformed column. */
static bool parse_row(char *line, customer_row *row)
{
    char *fields[12];
    long id, days, balance, age, promise, broken;

    if (split_fields(line, fields, 12) != 11)
        return false;
    if (!parse_integer(fields[0], 1, 1000000000L, &id) ||
        !parse_integer(fields[1], -100000, 100000, &days) ||
        !parse_integer(fields[2], 1, 1000000000000L, &balance) ||
        !parse_integer(fields[5], 0, 200, &age) ||
        !parse_integer(fields[6], 0, 1, &promise) ||
        !parse_integer(fields[7], 0, 1000, &broken) ||
        !parse_flag(fields[8], &row->has_phone) || !parse_flag(fields[9], &row->has_email) ||
        !parse_flag(fields[10], &row->has_chat))
        return false;
    int p = 0;
    while (p < PERSONA_COUNT && strcmp(fields[3], persona_names[p]) != 0)
        p++;
    if (p == PERSONA_COUNT || !dn_strlcpy(row->language, fields[4], sizeof row->language))
        return false;
    row->id = id;
    row->days_overdue = (int)days;
    row->balance_cents = balance;
    row->persona = (persona)p;
    row->age = (int)age;
    row->promise_pending = promise == 1;
    row->broken_promises = (int)broken;
    return true;
}

/* Reads the CSV at path (header line first) into table, which the caller
 * frees with free(table->rows). Returns 0, or -1 after printing why. */
static int table_load(const char *path, customer_table *table)
{
    char line[LINE_MAX_BYTES];
    long line_number = 1;
    int rc = -1;
    FILE *file = fopen(path, "r");

    memset(table, 0, sizeof *table);
    if (!file) {
        fprintf(stderr, "bench_strategy: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!fgets(line, sizeof line, file) || strncmp(line, "id,days_overdue,", 16) != 0) {
        fprintf(stderr, "bench_strategy: %s: not the strategy's CSV header\n", path);
        goto done;
    }
    while (fgets(line, sizeof line, file)) {
        line_number++;
        if (!strchr(line, '\n') && !feof(file)) {
            fprintf(stderr, "bench_strategy: %s:%ld: line too long\n", path, line_number);
            goto done;
        }
        if (table->n == table->capacity) {
            long capacity = table->capacity ? table->capacity * 2 : 65536;
            customer_row *rows = realloc(table->rows, (size_t)capacity * sizeof *rows);
            if (!rows) {
                fprintf(stderr, "bench_strategy: out of memory\n");
                goto done;
            }
            table->rows = rows;
            table->capacity = capacity;
        }
        if (!parse_row(line, &table->rows[table->n])) {
            fprintf(stderr, "bench_strategy: %s:%ld: malformed row\n", path, line_number);
            goto done;
        }
        table->n++;
    }
    if (ferror(file) || table->n == 0) {
        fprintf(stderr, "bench_strategy: %s: read error or no rows\n", path);
        goto done;
    }
    rc = 0;
done:
    fclose(file);
    if (rc < 0) {
        free(table->rows);
        table->rows = NULL;
        table->n = 0;
    }
    return rc;
}

/* ---- counting ---- */

/* Adds one decision to counts; false when there are too many outcomes. */
static bool counts_add(outcome_counts *counts, const char *action, const char *tone,
                       const char *template_name, const char *language)
{
    for (int i = 0; i < counts->n; i++) {
        outcome *o = &counts->items[i];
        if (strcmp(o->action, action) == 0 && strcmp(o->tone, tone) == 0 &&
            strcmp(o->template_name, template_name) == 0 && strcmp(o->language, language) == 0) {
            o->count++;
            return true;
        }
    }
    if (counts->n == MAX_OUTCOMES) {
        fprintf(stderr, "bench_strategy: more than %d different outcomes\n", MAX_OUTCOMES);
        return false;
    }
    outcome *o = &counts->items[counts->n++];
    dn_strlcpy(o->action, action, sizeof o->action);
    dn_strlcpy(o->tone, tone, sizeof o->tone);
    dn_strlcpy(o->template_name, template_name, sizeof o->template_name);
    dn_strlcpy(o->language, language, sizeof o->language);
    o->count = 1;
    return true;
}

static bool counts_equal(const outcome_counts *a, const outcome_counts *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++) {
        int j = 0;
        while (j < b->n && (strcmp(a->items[i].action, b->items[j].action) != 0 ||
                            strcmp(a->items[i].tone, b->items[j].tone) != 0 ||
                            strcmp(a->items[i].template_name, b->items[j].template_name) != 0 ||
                            strcmp(a->items[i].language, b->items[j].language) != 0))
            j++;
        if (j == b->n || a->items[i].count != b->items[j].count)
            return false;
    }
    return true;
}

static const char *row_language(const customer_row *row)
{
    return row->language[0] ? row->language : "lv";
}

/* ---- dunningd: rules_decide_batch ---- */

/* Fills the parts of f the strategy depends on; f was zeroed once and only
 * ever holds bench rows, so the other fields stay empty. The persona goes
 * into the name: see strategy/rules/personas.lua. */
static void facts_fill(dn_facts *f, const customer_row *row, dn_date today)
{
    dn_customer *customer = &f->customer;
    dn_fact_invoice *invoice = &f->invoices[0];

    snprintf(customer->external_id, sizeof customer->external_id, "C%ld", row->id);
    dn_strlcpy(customer->name, persona_names[row->persona], sizeof customer->name);
    dn_strlcpy(customer->language, row->language, sizeof customer->language);
    dn_strlcpy(customer->timezone, "UTC", sizeof customer->timezone);
    customer->age = row->age;
    customer->hold_until = DN_NO_DATE;
    dn_strlcpy(customer->phone, row->has_phone ? "+37120000000" : "", sizeof customer->phone);
    dn_strlcpy(customer->email, row->has_email ? "customer@example.lv" : "",
               sizeof customer->email);
    dn_strlcpy(customer->chat, row->has_chat ? "customer-chat" : "", sizeof customer->chat);

    snprintf(invoice->external_id, sizeof invoice->external_id, "I%ld", row->id);
    dn_strlcpy(invoice->currency, "EUR", sizeof invoice->currency);
    invoice->amount_minor = row->balance_cents;
    invoice->paid_minor = 0;
    invoice->issued = DN_NO_DATE;
    invoice->due = today - row->days_overdue;
    invoice->status = DN_INV_OPEN;
    f->n_invoices = 1;
    dn_strlcpy(f->balance[0].currency, "EUR", sizeof f->balance[0].currency);
    f->balance[0].amount_minor = row->balance_cents;
    f->n_balance = 1;

    f->case_id = 0;
    f->case_anchor_due = DN_NO_DATE;
    f->stage_day = INT32_MIN;
    f->promise_pending = row->promise_pending;
    f->promise_due = DN_NO_DATE;
    f->promises_broken = row->broken_promises;
}

/* Counts one dunningd decision as the strategy's outcome; false (after
 * printing why) when it is not one the strategy can make. */
static bool count_decision(outcome_counts *counts, const dn_decision *d, const customer_row *row)
{
    if (d->action == DN_ACT_WAIT)
        return counts_add(counts, "wait", "none", "none", row_language(row));
    if (d->action == DN_ACT_CONTACT)
        return counts_add(counts, d->channel, d->tone, d->template_name, d->language);
    fprintf(stderr, "bench_strategy: customer %ld: %s decision: %s (%s)\n", row->id,
            dn_action_names[d->action], d->reason, d->where);
    return false;
}

/* Times rules_decide_batch over every row once, batch by batch (as a pass
 * decides): the facts of a batch are prepared off the clock, the decisions
 * counted off the clock.
 * Returns the decisions per second, or a negative number on failure. */
static double run_rules(dn_ruleset *rules, const customer_table *table, dn_facts *facts,
                        dn_decision *decisions, dn_time now, dn_date today,
                        outcome_counts *counts)
{
    double timed = 0;

    memset(counts, 0, sizeof *counts);
    for (long start = 0; start < table->n; start += BATCH) {
        long n = table->n - start < BATCH ? table->n - start : BATCH;
        for (long i = 0; i < n; i++)
            facts_fill(&facts[i], &table->rows[start + i], today);
        double begin = seconds_now();
        if (rules_decide_batch(rules, facts, (int)n, now, decisions) < 0)
            return -1;
        timed += seconds_now() - begin;
        for (long i = 0; i < n; i++)
            if (!count_decision(counts, &decisions[i], &table->rows[start + i]))
                return -1;
    }
    return (double)table->n / timed;
}

/* ---- the practical limit: the strategy as a plain C function ---- */

typedef struct verdict {
    const char *action, *tone, *template_name, *language;
} verdict;

/* The seven rules of strategy.md, first that applies decides. */
static void decide_by_hand(const customer_row *row, verdict *out)
{
    int days = row->days_overdue;

    out->language = row->language[0] ? row->language : "lv";
    out->action = "wait";
    out->tone = out->template_name = "none";
    if (row->promise_pending)
        return;
    if (days >= -3 && days <= -1) {
        if (row->persona != PERSONA_INVISIBLE) {
            out->action = "sms";
            out->tone = "friendly";
            out->template_name = "pre_due";
        }
    } else if (days >= 1 && days <= 6) {
        out->action = row->has_email ? "email" : "sms";
        out->tone = "friendly";
        out->template_name = "overdue_1";
    } else if (days >= 7 && days <= 13) {
        if (row->has_phone && row->age >= 60)
            out->action = "voice";
        else if (row->has_chat && row->age < 35)
            out->action = "chat";
        else
            out->action = "sms";
        out->tone = row->broken_promises > 0 ? "firm" : "neutral";
        out->template_name = "overdue_2";
    } else if (days >= 14 && days <= 29) {
        out->action = row->persona == PERSONA_FIGHTER ? "agent" : "sms";
        out->tone = "firm";
        out->template_name = "overdue_3";
    } else if (days >= 30) {
        bool large = row->balance_cents >= 5000;
        out->action = large ? "agent" : "sms";
        out->tone = large ? "urgent" : "firm";
        out->template_name = "final";
    }
}

/* Times decide_by_hand over every row, whole passes repeated until at least
 * MIN_SECONDS have gone by (one pass takes about a millisecond). Returns
 * decisions per second, or a negative number on failure. */
static double run_by_hand(const customer_table *table, verdict *verdicts,
                          outcome_counts *counts)
{
    long passes = 0;
    double begin = seconds_now(), timed;

    memset(counts, 0, sizeof *counts);
    do {
        for (long i = 0; i < table->n; i++)
            decide_by_hand(&table->rows[i], &verdicts[i]);
        passes++;
        timed = seconds_now() - begin;
    } while (timed < MIN_SECONDS);
    for (long i = 0; i < table->n; i++)
        if (!counts_add(counts, verdicts[i].action, verdicts[i].tone, verdicts[i].template_name,
                        verdicts[i].language))
            return -1;
    return (double)table->n * (double)passes / timed;
}

/* ---- main ---- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_results(double *rates, int runs, const outcome_counts *counts)
{
    for (int i = 0; i < runs; i++)
        printf("rate %.0f\n", rates[i]);
    qsort(rates, (size_t)runs, sizeof *rates, compare_doubles);
    double median = runs % 2 ? rates[runs / 2] : (rates[runs / 2 - 1] + rates[runs / 2]) / 2;
    printf("median %.0f\n", median);
    for (int i = 0; i < counts->n; i++)
        printf("count %s %s %s %s %ld\n", counts->items[i].action, counts->items[i].tone,
               counts->items[i].template_name, counts->items[i].language,
               counts->items[i].count);
}

static int usage(void)
{
    fputs("usage: bench_strategy rules RULES_DIR CSV [RUNS]\n"
          "       bench_strategy c CSV [RUNS]\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    bool by_rules = argc >= 4 && strcmp(argv[1], "rules") == 0;
    bool by_hand = argc >= 3 && strcmp(argv[1], "c") == 0;
    const char *csv = by_rules ? argv[3] : argv[2];
    int runs_arg = by_rules ? 4 : 3;
    long runs = DEFAULT_RUNS;
    customer_table table = { 0 };
    dn_ruleset *rules = NULL;
    dn_rule_errors *errors = NULL;
    dn_facts *facts = NULL;
    dn_decision *decisions = NULL;
    verdict *verdicts = NULL;
    outcome_counts *counts = calloc(2, sizeof *counts);   /* [0] first run, [1] this run */
    double rates[MAX_RUNS];
    dn_time now = 0;
    dn_date today;
    int rc = 1;

    if ((!by_rules && !by_hand) || argc > runs_arg + 1 ||
        (argc == runs_arg + 1 && !parse_integer(argv[runs_arg], 1, MAX_RUNS, &runs))) {
        free(counts);
        return usage();
    }
    if (!counts || table_load(csv, &table) < 0)
        goto done;
    if (dn_time_parse(bench_now, &now) < 0)
        goto done;
    today = (dn_date)(now / 86400);   /* the customers live in UTC */

    if (by_rules) {
        errors = calloc(1, sizeof *errors);
        facts = calloc(BATCH, sizeof *facts);
        decisions = calloc(BATCH, sizeof *decisions);
        if (!errors || !facts || !decisions)
            goto done;
        if (rules_load(argv[2], &rules, errors) < 0) {
            for (int i = 0; i < errors->n; i++)
                fprintf(stderr, "%s\n", errors->items[i]);
            goto done;
        }
        printf("# dunningd rules %s (version %s), %ld customers\n", argv[2],
               rules_version(rules), table.n);
    } else {
        verdicts = calloc((size_t)table.n, sizeof *verdicts);
        if (!verdicts)
            goto done;
        printf("# hand-written C, %ld customers\n", table.n);
    }
    for (int run = 0; run < runs; run++) {
        outcome_counts *these = &counts[run == 0 ? 0 : 1];
        rates[run] = by_rules
                         ? run_rules(rules, &table, facts, decisions, now, today, these)
                         : run_by_hand(&table, verdicts, these);
        if (rates[run] < 0)
            goto done;
        if (run > 0 && !counts_equal(&counts[0], these)) {
            fprintf(stderr, "bench_strategy: run %d decided differently from run 1\n", run + 1);
            goto done;
        }
    }
    print_results(rates, (int)runs, &counts[0]);
    rc = 0;
done:
    if (rules)
        rules_release(rules);
    free(errors);
    free(facts);
    free(decisions);
    free(verdicts);
    free(table.rows);
    free(counts);
    return rc;
}
