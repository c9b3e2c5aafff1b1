/*
 * main.c — the dunningd command: serve, check-rules, test-rules, import,
 * pass, preview, migrate, migrate-store. Each command has its own --help.
 */
#include <event2/event.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback_sign.h"
#include "config.h"
#include "engine.h"
#include "import.h"
#include "migrate_store.h"
#include "progress.h"
#include "server.h"
#include "store_mariadb.h"

#define DN_VERSION "0.1.0"

static const char usage_main[] =
    "usage: dunningd COMMAND [OPTIONS]\n"
    "\n"
    "A debt-collection contact engine: Lua segment rules decide when, how often,\n"
    "in which language, through which channel and in what tone to contact each\n"
    "customer; a compliance guard keeps every contact lawful.\n"
    "\n"
    "commands:\n"
    "  serve        run the HTTP API, periodic evaluation passes and dispatch\n"
    "  check-rules  load a rules directory and report every error (file:line)\n"
    "  test-rules   run the analysts' rule tests of a rules directory\n"
    "  import       import an NDJSON portfolio (customers, invoices, payments)\n"
    "  pass         run one evaluation pass at a given time (and dispatch)\n"
    "  preview      show what the rules decide for one customer, no side effects\n"
    "  migrate      create or upgrade the store's schema\n"
    "  voice-samples  render every voice and tone of the voice robot to WAV files\n"
    "  migrate-store  copy an SQLite store into an empty MariaDB database\n"
    "\n"
    "`dunningd COMMAND --help` describes each command. Version " DN_VERSION ".\n";

static const char usage_serve[] =
    "usage: dunningd serve [--config FILE] [OPTIONS]\n"
    "\n"
    "Runs the HTTP API, an evaluation pass every pass_interval_seconds and the\n"
    "dispatcher on one event loop. SIGHUP reloads the rules (so do\n"
    "POST /v1/rules/reload and edits in the rules folder); SIGTERM/SIGINT finish\n"
    "the batch in flight and stop.\n"
    "\n"
    "  --config FILE        JSON configuration (docs/operations.md lists every key)\n"
    "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080)\n"
    "  --store DSN          sqlite:PATH (default sqlite:var/dunning.db) or\n"
    "                       mariadb://USER:PASSWORD@HOST:PORT/DATABASE[?socket=PATH]\n"
    "  --rules DIR          rules directory (default rules)\n"
    "  --outbox DIR         folder of the file-sink channel (default var/outbox)\n"
    "  --token TOKEN        an API bearer token (repeatable; at least 8 characters)\n"
    "  --now TIME           start the engine's clock at TIME (RFC 3339); it runs from\n"
    "                       there (demos, tests)\n"
    "  --pass-interval S    seconds between passes (default 60)\n"
    "  --log-level LEVEL    debug, info, warn or error (default info)\n";

static const char usage_check[] =
    "usage: dunningd check-rules DIR\n"
    "\n"
    "Loads the rule set in DIR in the sandbox and checks every reference\n"
    "(segments, channels, templates per language, tones, template variables).\n"
    "Prints every error as file:line: message. Exit 0 when the set is valid,\n"
    "1 when it has errors, 2 on a usage error.\n";

static const char usage_test[] =
    "usage: dunningd test-rules DIR\n"
    "\n"
    "Loads the rule set in DIR and runs its rule tests (DIR/tests/*.lua): each\n"
    "a customer fixture and a time with the expected decision. Prints every\n"
    "failure and 'N passed, M failed'. Exit 0 when all pass, 1 otherwise.\n";

static const char usage_import[] =
    "usage: dunningd import [--store DSN] [--config FILE] FILE...\n"
    "\n"
    "Imports NDJSON records ({\"type\":\"customer\"|\"invoice\"|\"payment\", ...}, one\n"
    "per line; \"-\" reads standard input). Bad lines are reported with their\n"
    "line number and field and never block good ones; re-importing the same\n"
    "file changes nothing, a changed row updates its record. A payment dated\n"
    "more than one day after today (the engine's clock: --now or the config's\n"
    "\"now\") is rejected. Shows progress on a terminal. Exit 0 when every line\n"
    "was accepted, 1 when some were rejected, 2 on a usage or store error.\n";

static const char usage_pass[] =
    "usage: dunningd pass [--store DSN] [--rules DIR] [--at TIME] [--dispatch] [--outbox DIR]\n"
    "\n"
    "Evaluates every customer due at TIME (default now; the engine's clock starts\n"
    "there and runs while the command does) with the rules and\n"
    "plans contacts; with --dispatch, then sends what is due through the\n"
    "channels (by default the file sink writing one file per message into\n"
    "--outbox). Repeating a pass plans nothing twice.\n";

static const char usage_preview[] =
    "usage: dunningd preview [--store DSN] [--rules DIR] [--at TIME] CUSTOMER_ID\n"
    "\n"
    "Prints, as JSON, what the rules and the guard decide for one customer at\n"
    "TIME (default now), and the rendered message. Changes nothing.\n";

static const char usage_migrate_store[] =
    "usage: dunningd migrate-store SRC_DSN DST_DSN\n"
    "\n"
    "Copies the SQLite store SRC_DSN (sqlite:PATH, opened read-only) into the\n"
    "MariaDB database DST_DSN (mariadb://USER:PASSWORD@HOST:PORT/DATABASE), which\n"
    "must exist and hold no rows. Its schema is created first; both stores must\n"
    "be at the same schema version (run `dunningd migrate` on the source first).\n"
    "Every row keeps its id; the copy is one transaction, so a row MariaDB\n"
    "refuses (named with its table, id and column) leaves the destination empty.\n"
    "Stop the engines writing to the source before copying. Prints the rows\n"
    "copied per table: every table, the channel modules' (agent queue, replies,\n"
    "webhooks) included.\n"
    "Exit 0 when copied, 1 when refused, 2 on a usage error.\n";

static const char usage_migrate[] =
    "usage: dunningd migrate [--store DSN]\n"
    "\n"
    "Creates the store or applies pending schema migrations, then prints the\n"
    "schema version.\n";

enum { OPT_CONFIG = 256, OPT_LISTEN, OPT_STORE, OPT_RULES, OPT_OUTBOX, OPT_TOKEN, OPT_NOW,
       OPT_PASS_INTERVAL, OPT_LOG_LEVEL, OPT_AT, OPT_DISPATCH, OPT_HELP };

static const struct option long_options[] = {
    { "config", required_argument, NULL, OPT_CONFIG },
    { "listen", required_argument, NULL, OPT_LISTEN },
    { "store", required_argument, NULL, OPT_STORE },
    { "rules", required_argument, NULL, OPT_RULES },
    { "outbox", required_argument, NULL, OPT_OUTBOX },
    { "token", required_argument, NULL, OPT_TOKEN },
    { "now", required_argument, NULL, OPT_NOW },
    { "pass-interval", required_argument, NULL, OPT_PASS_INTERVAL },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "at", required_argument, NULL, OPT_AT },
    { "dispatch", no_argument, NULL, OPT_DISPATCH },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

typedef struct cli {
    dn_config cfg;
    dn_time   at;
    bool      dispatch;
} cli;

/* Parses the options shared by all commands into c. Returns 0, 1 if --help
 * was asked (usage printed), or 2 on a usage error (message printed). */
static int parse_options(int argc, char **argv, const char *usage, cli *c)
{
    dn_err err;
    dn_err_clear(&err);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        switch (opt) {
        case OPT_CONFIG:
            if (dn_config_load(&c->cfg, optarg, &err)) {
                fprintf(stderr, "dunningd: %s\n", err.msg);
                return 2;
            }
            break;
        case OPT_LISTEN: dn_strlcpy(c->cfg.listen, optarg, sizeof c->cfg.listen); break;
        case OPT_STORE: dn_strlcpy(c->cfg.store, optarg, sizeof c->cfg.store); break;
        case OPT_RULES: dn_strlcpy(c->cfg.rules, optarg, sizeof c->cfg.rules); break;
        case OPT_OUTBOX: dn_strlcpy(c->cfg.outbox_dir, optarg, sizeof c->cfg.outbox_dir); break;
        case OPT_TOKEN:
            if (c->cfg.n_tokens >= DN_MAX_TOKENS || strlen(optarg) < 8 ||
                !dn_strlcpy(c->cfg.tokens[c->cfg.n_tokens], optarg, sizeof c->cfg.tokens[0])) {
                fprintf(stderr, "dunningd: --token must be 8..127 characters (at most %d tokens)\n",
                        DN_MAX_TOKENS);
                return 2;
            }
            c->cfg.n_tokens++;
            break;
        case OPT_NOW:
        case OPT_AT: {
            dn_time t;
            if (dn_time_parse(optarg, &t)) {
                fprintf(stderr, "dunningd: %s: not an RFC 3339 time (e.g. 2005-10-05T09:00:00Z)\n",
                        optarg);
                return 2;
            }
            if (opt == OPT_NOW)
                c->cfg.fixed_now = t;
            else
                c->at = t;
            break;
        }
        case OPT_PASS_INTERVAL: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 86400) {
                fprintf(stderr, "dunningd: --pass-interval must be 1..86400 seconds\n");
                return 2;
            }
            c->cfg.pass_interval_seconds = (int)v;
            break;
        }
        case OPT_LOG_LEVEL: {
            static const char *const names[] = { "debug", "info", "warn", "error" };
            int found = -1;
            for (int i = 0; i < 4; i++)
                if (strcmp(optarg, names[i]) == 0)
                    found = i;
            if (found < 0) {
                fprintf(stderr, "dunningd: --log-level must be debug, info, warn or error\n");
                return 2;
            }
            c->cfg.log_level = (dn_log_level)found;
            break;
        }
        case OPT_DISPATCH: c->dispatch = true; break;
        case 'h':
        case OPT_HELP: fputs(usage, stdout); return 1;
        default: fputs(usage, stderr); return 2;
        }
    }
    dn_log_set_level(c->cfg.log_level);
    return 0;
}

/* Parses the options of check-rules / test-rules and loads DIR. Returns -1
 * with *rs set when loaded, or the exit code to return: 0 after --help, 2
 * for a usage error, 1 when the rule set is refused (every error printed,
 * then a summary line: for test-rules a set that does not load counts as
 * one failed test). */
static int load_rules_cli(int argc, char **argv, const char *usage, cli *c, bool testing,
                          dn_ruleset **rs)
{
    int rc = parse_options(argc, argv, usage, c);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return 2;
    }
    dn_rule_errors *errs = calloc(1, sizeof *errs);
    if (!errs)
        return 2;
    rc = rules_load(argv[optind], rs, errs);
    if (rc) {
        for (int i = 0; i < errs->n; i++)
            printf("%s\n", errs->items[i]);
        if (testing)
            printf("0 passed, 1 failed\n");
        else
            printf("%s: %d error(s); the rule set is refused\n", argv[optind], errs->n);
        free(errs);
        return 1;
    }
    free(errs);
    return -1;
}

static int cmd_check_rules(int argc, char **argv, cli *c)
{
    dn_ruleset *rs = NULL;
    int rc = load_rules_cli(argc, argv, usage_check, c, false, &rs);
    if (rc >= 0)
        return rc;
    printf("%s: rule set %s is valid\n", argv[optind], rules_version(rs));
    rules_release(rs);
    return 0;
}

static int cmd_test_rules(int argc, char **argv, cli *c)
{
    dn_ruleset *rs = NULL;
    int rc = load_rules_cli(argc, argv, usage_test, c, true, &rs);
    if (rc >= 0)
        return rc;
    int passed = 0, failed = 0;
    rules_run_tests(rs, stdout, &passed, &failed);
    rules_release(rs);
    return failed ? 1 : 0;
}

static int open_store(cli *c, dn_store *store)
{
    dn_err err;
    dn_err_clear(&err);
    if (dn_store_open(store, c->cfg.store, c->cfg.schema_dir, &err)) {
        char shown[1024];
        dn_mariadb_dsn_redact(c->cfg.store, shown, sizeof shown);
        fprintf(stderr, "dunningd: store %s: %s\n", shown, err.msg);
        return 2;
    }
    return 0;
}

static void on_import_progress(void *arg, long done, long long bytes_read, long long total)
{
    (void)done;
    progress_update(arg, (long)(bytes_read / 1024), total >= 0 ? (long)(total / 1024) : 0);
}

/* The import summary and every kept error, one per line, on stderr. */
static void print_import_report(const dn_import_report *rep, const char *file)
{
    for (int i = 0; i < rep->n_errors; i++) {
        const dn_import_error *e = &rep->errors[i];
        fprintf(stderr, "%s: line %ld: %s%s%s (%s)\n", file, e->line, e->field,
                e->field[0] ? ": " : "", e->message, e->code);
    }
    if (rep->rejected > rep->n_errors)
        fprintf(stderr, "%s: … and %ld more rejected lines\n", file,
                rep->rejected - rep->n_errors);
    fprintf(stderr, "%s: %ld accepted (%ld created, %ld updated, %ld unchanged), %ld rejected\n",
            file, rep->accepted, rep->created, rep->updated, rep->unchanged, rep->rejected);
}

static int cmd_import(int argc, char **argv, cli *c)
{
    int rc = parse_options(argc, argv, usage_import, c);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (optind >= argc) {
        fputs(usage_import, stderr);
        return 2;
    }
    dn_store store;
    if (open_store(c, &store))
        return 2;
    int status = 0;
    for (int i = optind; i < argc; i++) {
        FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
        if (!in) {
            fprintf(stderr, "dunningd: %s: %s\n", argv[i], strerror(errno));
            status = 2;
            continue;
        }
        dn_import_report rep;
        import_report_init(&rep);
        dn_progress p;
        progress_start(&p, "import", "KiB");
        /* the engine's clock: a payment dated after its today is refused */
        rc = import_ndjson_stream(&store, in, c->cfg.fixed_now ? c->cfg.fixed_now : dn_now(),
                                  &rep, on_import_progress, &p);
        double secs = progress_finish(&p);
        if (in != stdin)
            fclose(in);
        print_import_report(&rep, argv[i]);
        fprintf(stderr, "%s: %.1fs\n", argv[i], secs);
        long rejected = rep.rejected;
        import_report_free(&rep);
        if (rc < 0)
            status = 2;
        else if (rejected && status == 0)
            status = 1;
    }
    dn_store_close(&store);
    return status;
}

static void print_pass_summary(const dn_pass_stats *st, double secs)
{
    fprintf(stderr,
            "pass: %ld customers in %.2fs (%.0f/s): %ld contacts planned, %ld deferred by the "
            "guard, %ld waiting, %ld with nothing owed, %ld skipped, %ld rule errors, %ld "
            "already planned before; %.3fs (%.1f%%) in the compliance guard\n",
            st->customers, secs, secs > 0 ? (double)st->customers / secs : 0.0, st->contacts,
            st->deferred, st->waits, st->nones, st->skips, st->errors, st->duplicates,
            st->guard_seconds, secs > 0 ? 100.0 * st->guard_seconds / secs : 0.0);
}

static void on_pass_progress(void *arg, long done, long total)
{
    progress_update(arg, done, total);
}

static int cmd_pass(int argc, char **argv, cli *c)
{
    int rc = parse_options(argc, argv, usage_pass, c);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (optind != argc) {
        fputs(usage_pass, stderr);
        return 2;
    }
    dn_engine e;
    memset(&e, 0, sizeof e);
    e.batch_size = c->cfg.batch_size;
    e.lease_seconds = c->cfg.lease_seconds;
    e.default_country = c->cfg.default_country;
    engine_set_clock(&e, c->at ? c->at : c->cfg.fixed_now);
    dn_err err;
    dn_err_clear(&err);
    int status = 0;
    struct event_base *base = NULL;
    if (engine_set_profiles(&e, c->cfg.guard_profiles, &err) ||
        engine_set_holidays(&e, c->cfg.holidays, &err)) {
        fprintf(stderr, "dunningd: %s: %s\n", err.field, err.msg);
        engine_close(&e);
        return 2;
    }
    if (open_store(c, &e.store)) {
        engine_close(&e);
        return 2;
    }
    if (engine_load_rules(&e, c->cfg.rules, &err)) {
        fprintf(stderr, "dunningd: rules %s refused:\n%s\n", c->cfg.rules, e.rules_last_error);
        status = 2;
        goto done;
    }
    dn_time now = engine_now(&e);
    char when[21];
    dn_time_format(now, when);
    dn_pass_stats st;
    memset(&st, 0, sizeof st);
    dn_progress p;
    progress_start(&p, "pass", "customers");
    rc = pass_run(&e, now, &st, on_pass_progress, &p, &err);
    double secs = progress_finish(&p);
    fprintf(stderr, "pass at %s with rules %s\n", when, rules_version(e.rules));
    print_pass_summary(&st, secs);
    if (rc) {
        fprintf(stderr, "dunningd: pass failed: %s\n", err.msg);
        status = 2;
        goto done;
    }
    if (c->dispatch) {
        /* drivers talking to providers need a loop; run it until every
         * send handed over has completed */
        base = event_base_new();
        if (!base) {
            fprintf(stderr, "dunningd: cannot create the event loop\n");
            status = 2;
            goto done;
        }
        if (callback_secret_set(c->cfg.callback_secret[0] ? c->cfg.callback_secret : NULL,
                                &err) ||
            engine_open_channels(&e, base, c->cfg.channels, c->cfg.outbox_dir, &err)) {
            fprintf(stderr, "dunningd: channels: %s (%s)\n", err.msg, err.field);
            status = 2;
            goto done;
        }
        dispatch_recover(&e, now);
        dn_dispatch_stats ds;
        memset(&ds, 0, sizeof ds);
        for (;;) {
            rc = dispatch_batch(&e, now, 500, &ds, &err);
            if (rc < 0 || (rc == 0 && dispatch_in_flight(&e) == 0))
                break;
            if (dispatch_in_flight(&e) > 0)
                event_base_loop(base, EVLOOP_ONCE);
        }
        if (rc < 0) {
            fprintf(stderr, "dunningd: dispatch failed: %s\n", err.msg);
            status = 2;
        }
        fprintf(stderr,
                "dispatch: %ld taken, %ld sent, %ld cancelled at send time, %ld deferred, "
                "%ld failed (outbox: %s)\n",
                ds.taken, ds.sent, ds.cancelled, ds.deferred, ds.failed, c->cfg.outbox_dir);
    }
done:
    engine_close(&e);
    if (base)
        event_base_free(base);
    return status;
}

static int cmd_preview(int argc, char **argv, cli *c)
{
    int rc = parse_options(argc, argv, usage_preview, c);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (optind != argc - 1) {
        fputs(usage_preview, stderr);
        return 2;
    }
    dn_engine e;
    memset(&e, 0, sizeof e);
    e.batch_size = c->cfg.batch_size;
    e.default_country = c->cfg.default_country;
    engine_set_clock(&e, c->at ? c->at : c->cfg.fixed_now);
    dn_err err;
    dn_err_clear(&err);
    int status = 0;
    if (engine_set_profiles(&e, c->cfg.guard_profiles, &err) ||
        engine_set_holidays(&e, c->cfg.holidays, &err)) {
        fprintf(stderr, "dunningd: %s: %s\n", err.field, err.msg);
        engine_close(&e);
        return 2;
    }
    if (open_store(c, &e.store)) {
        engine_close(&e);
        return 2;
    }
    if (engine_load_rules(&e, c->cfg.rules, &err)) {
        fprintf(stderr, "dunningd: rules %s refused:\n%s\n", c->cfg.rules, e.rules_last_error);
        status = 2;
        goto done;
    }
    json_t *out = NULL;
    if (pass_preview(&e, argv[optind], engine_now(&e), &out, &err)) {
        fprintf(stderr, "dunningd: %s\n", err.msg);
        status = 1;
        goto done;
    }
    json_dumpf(out, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(out);
done:
    engine_close(&e);
    return status;
}

static int cmd_migrate(int argc, char **argv, cli *c)
{
    int rc = parse_options(argc, argv, usage_migrate, c);
    if (rc)
        return rc == 1 ? 0 : 2;
    dn_store store;
    if (open_store(c, &store))
        return 2;
    int version = 0;
    dn_err err;
    dn_err_clear(&err);
    store.ops->schema_version(store.ctx, &version, &err);
    char shown[1024];
    dn_mariadb_dsn_redact(c->cfg.store, shown, sizeof shown);
    printf("%s: schema version %d\n", shown, version);
    dn_store_close(&store);
    return 0;
}

static int cmd_migrate_store(int argc, char **argv, cli *c)
{
    int rc = parse_options(argc, argv, usage_migrate_store, c);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (argc - optind != 2) {
        fputs(usage_migrate_store, stderr);
        return 2;
    }
    const char *src = argv[optind], *dst = argv[optind + 1];
    char shown[1024];
    dn_mariadb_dsn_redact(dst, shown, sizeof shown);
    dn_migrate_stats stats;
    dn_err err;
    dn_err_clear(&err);
    rc = dn_migrate_store(src, dst, c->cfg.schema_dir, &stats, &err);
    if (rc < 0) {
        fprintf(stderr, "dunningd: migrate-store %s -> %s refused (nothing copied): %s%s%s%s\n",
                src, shown, err.msg, err.field[0] ? " [" : "", err.field,
                err.field[0] ? "]" : "");
        return 1;
    }
    long long total = 0;
    for (int i = 0; i < stats.n_tables; i++) {
        printf("%-20s %lld\n", stats.table[i], stats.rows[i]);
        total += stats.rows[i];
    }
    printf("copied %lld rows from %s to %s\n", total, src, shown);
    return 0;
}

static int cmd_serve(int argc, char **argv, cli *c)
{
    int rc = parse_options(argc, argv, usage_serve, c);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (optind != argc) {
        fputs(usage_serve, stderr);
        return 2;
    }
    dn_err err;
    dn_err_clear(&err);
    if (server_run(&c->cfg, &err)) {
        fprintf(stderr, "dunningd: %s%s%s\n", err.field[0] ? err.field : "",
                err.field[0] ? ": " : "", err.msg);
        return 2;
    }
    return 0;
}

int cli_voice_samples(int argc, char **argv);   /* cli_channels.c */

static int cmd_voice_samples(int argc, char **argv, cli *c)
{
    return cli_voice_samples(argc, argv);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **, cli *);
    } commands[] = {
        { "serve", cmd_serve },     { "check-rules", cmd_check_rules },
        { "test-rules", cmd_test_rules }, { "import", cmd_import },
        { "pass", cmd_pass },       { "preview", cmd_preview },
        { "migrate", cmd_migrate }, { "voice-samples", cmd_voice_samples },
        { "migrate-store", cmd_migrate_store },
    };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("dunningd %s\n", DN_VERSION);
        return 0;
    }
    cli *c = calloc(1, sizeof *c);
    if (!c)
        return 2;
    dn_config_defaults(&c->cfg);
    int status = -1;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            status = commands[i].run(argc - 1, argv + 1, c);
    if (status < 0) {
        fprintf(stderr, "dunningd: unknown command \"%s\"\n\n%s", argv[1], usage_main);
        status = 2;
    }
    dn_config_free(&c->cfg);
    free(c);
    return status;
}
