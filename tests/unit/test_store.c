/*
 * test_store.c — the store contract: the same tests, with the same expected
 * values, against whichever backend DN_TEST_STORE_DSN names:
 *   unset or "sqlite"   a fresh SQLite file per test;
 *   mariadb://...       a fresh database per test on that server (the DSN's
 *                       user must be allowed to create and drop databases;
 *                       scripts/mariadb-test-server.sh starts such a server).
 * Every expected value is worked out by hand in the table next to it:
 * allocation follows "oldest due first, no due date last, only open
 * invoices of the payment's currency"; the pass writes one contact per
 * (customer, case, step day); events are append-only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mysql.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_mariadb.h"
#include "store_modules.h"

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

typedef struct fixture {
    bool mariadb;
    char dir[64];              /* SQLite: the test's folder */
    char path[128];            /* SQLite: its database file */
    char database[64];         /* MariaDB: the test's database */
    char dsn[1024];            /* what dn_store_open was given */
    dn_store store;
} fixture;

static void schema_root(char *out, size_t size)
{
    const char *source = getenv("DN_SOURCE_DIR");
    snprintf(out, size, "%s/schema", source && *source ? source : DN_SOURCE_DIR);
}

static const char *backend_dsn(void)
{
    const char *dsn = getenv("DN_TEST_STORE_DSN");
    return dsn && strncmp(dsn, "mariadb://", 10) == 0 ? dsn : NULL;
}

/* A connection to the MariaDB server of DN_TEST_STORE_DSN, in database
 * (NULL: none). */
static MYSQL *maria_connect(const char *database)
{
    dn_mariadb_dsn d;
    dn_err err = { 0 };
    assert_int_equal(dn_mariadb_dsn_parse(backend_dsn(), &d, &err), 0);
    MYSQL *db = mysql_init(NULL);
    assert_non_null(db);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(db, d.socket[0] ? "localhost" : d.host, d.user,
                            d.password[0] ? d.password : NULL, database, d.port,
                            d.socket[0] ? d.socket : NULL, 0))
        fail_msg("cannot connect to the test server: %s", mysql_error(db));
    return db;
}

/* Runs one statement on the admin connection; fails the test on error. */
static void maria_admin(const char *sql)
{
    MYSQL *db = maria_connect(NULL);
    if (mysql_query(db, sql))
        fail_msg("%s: %s", sql, mysql_error(db));
    mysql_close(db);
}

static int setup(void **state)
{
    static int serial;
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    const char *base = backend_dsn();
    if (base) {
        f->mariadb = true;
        snprintf(f->database, sizeof f->database, "dn_contract_%d_%d", (int)getpid(), ++serial);
        char sql[160];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                 f->database);
        maria_admin(sql);
        /* the base DSN with its database swapped for the test's */
        const char *slash = strchr(base + 10, '/');
        assert_non_null(slash);
        const char *query = strchr(slash, '?');
        snprintf(f->dsn, sizeof f->dsn, "%.*s/%s%s", (int)(slash - base), base, f->database,
                 query ? query : "");
    } else {
        snprintf(f->dir, sizeof f->dir, "/tmp/dn-store-test-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof f->path, "%s/store.db", f->dir);
        snprintf(f->dsn, sizeof f->dsn, "sqlite:%s", f->path);
    }
    char schema[4096];
    schema_root(schema, sizeof schema);
    dn_err err = { 0 };
    int rc = dn_store_open(&f->store, f->dsn, schema, &err);
    if (rc < 0)
        print_error("open: %s (%s)\n", err.msg, err.field);
    assert_int_equal(rc, 0);
    assert_string_equal(f->store.ops->name, f->mariadb ? "mariadb" : "sqlite");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    dn_store_close(&f->store);
    if (f->mariadb) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE %s", f->database);
        maria_admin(sql);
    } else {
        for (size_t i = 0; i < COUNT(suffixes); i++) {
            char file[160];
            snprintf(file, sizeof file, "%s%s", f->path, suffixes[i]);
            unlink(file);
        }
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

/* Runs one SQL statement on a second connection to the test's database:
 * true when the database accepted it. */
static bool raw_sql(fixture *f, const char *sql)
{
    if (f->mariadb) {
        MYSQL *db = maria_connect(f->database);
        bool ok = mysql_query(db, sql) == 0;
        mysql_close(db);
        return ok;
    }
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK;
}

static dn_date day(const char *ymd)
{
    dn_date d = DN_NO_DATE;
    if (ymd)
        assert_int_equal(dn_date_parse(ymd, &d), 0);
    return d;
}

static int64_t add_customer(fixture *f, const char *external_id, const char *name)
{
    dn_customer c = { .age = 40, .hold_until = DN_NO_DATE };
    dn_strlcpy(c.external_id, external_id, sizeof c.external_id);
    dn_strlcpy(c.name, name, sizeof c.name);
    dn_strlcpy(c.language, "lv", sizeof c.language);
    dn_strlcpy(c.timezone, "Europe/Riga", sizeof c.timezone);
    dn_strlcpy(c.country, "LV", sizeof c.country);
    dn_strlcpy(c.phone, "+37120000000", sizeof c.phone);
    dn_upsert_outcome outcome;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    assert_int_equal(outcome, DN_UPSERT_CREATED);
    assert_true(c.id > 0);
    return c.id;
}

static int put_invoice(fixture *f, const char *external_id, const char *customer,
                       const char *currency, int64_t amount, const char *due,
                       dn_invoice_status status, dn_upsert_outcome *outcome, dn_err *err)
{
    dn_invoice inv = { .amount_minor = amount, .issued = DN_NO_DATE, .due = day(due),
                       .status = status };
    dn_strlcpy(inv.external_id, external_id, sizeof inv.external_id);
    dn_strlcpy(inv.customer_external_id, customer, sizeof inv.customer_external_id);
    dn_strlcpy(inv.currency, currency, sizeof inv.currency);
    return f->store.ops->upsert_invoice(f->store.ctx, &inv, outcome, err);
}

static void add_invoice(fixture *f, const char *external_id, const char *customer,
                        const char *currency, int64_t amount, const char *due,
                        dn_invoice_status status)
{
    dn_upsert_outcome outcome;
    dn_err err = { 0 };
    assert_int_equal(put_invoice(f, external_id, customer, currency, amount, due, status,
                                 &outcome, &err), 0);
    assert_int_equal(outcome, DN_UPSERT_CREATED);
}

static int pay(fixture *f, const char *external_id, const char *customer, const char *invoice,
               const char *currency, int64_t amount, const char *paid_on,
               dn_upsert_outcome *outcome, dn_err *err)
{
    dn_payment p = { .amount_minor = amount, .paid_on = day(paid_on) };
    dn_strlcpy(p.external_id, external_id, sizeof p.external_id);
    dn_strlcpy(p.customer_external_id, customer, sizeof p.customer_external_id);
    dn_strlcpy(p.invoice_external_id, invoice ? invoice : "", sizeof p.invoice_external_id);
    dn_strlcpy(p.currency, currency, sizeof p.currency);
    return f->store.ops->add_payment(f->store.ctx, &p, outcome, err);
}

/* Writes a decision for one customer: a contact on step_day when plan is
 * true (idempotency key built by the store), otherwise a wait. */
static int record(fixture *f, int64_t customer_id, bool plan, int step_day, dn_time now,
                  dn_time scheduled_at, const char *body, bool *duplicate)
{
    dn_decision d = { .action = plan ? DN_ACT_CONTACT : DN_ACT_WAIT, .step_day = step_day,
                      .step_index = 1 };
    dn_strlcpy(d.ruleset_version, "0123456789abcdef", sizeof d.ruleset_version);
    dn_strlcpy(d.segment, "friendly", sizeof d.segment);
    dn_strlcpy(d.persona, "friendly", sizeof d.persona);
    dn_strlcpy(d.channel, "sms", sizeof d.channel);
    dn_strlcpy(d.template_name, "overdue", sizeof d.template_name);
    dn_strlcpy(d.where, "segments/friendly.lua:4", sizeof d.where);
    dn_strlcpy(d.reason, "day 1 step", sizeof d.reason);
    char text[64];
    dn_strlcpy(text, body ? body : "", sizeof text);
    dn_contact_plan c = { .scheduled_at = scheduled_at, .body = text, .sms_parts = 1 };
    dn_strlcpy(c.channel, "sms", sizeof c.channel);
    dn_strlcpy(c.address, "+37120000000", sizeof c.address);
    dn_strlcpy(c.template_name, "overdue", sizeof c.template_name);
    dn_strlcpy(c.sms_encoding, "gsm7", sizeof c.sms_encoding);
    dn_pass_result r = { .customer_id = customer_id, .decision = &d, .guard_verdict = "allow",
                         .contact = plan ? &c : NULL, .open_case = true,
                         .anchor_due = day("2024-01-10"), .next_evaluation_at = now };
    dn_err err = { 0 };
    dn_record_outcome outcome;
    int rc = f->store.ops->record_results(f->store.ctx, &r, 1, now, &outcome, &err);
    if (rc == 0)
        rc = outcome.rc;
    if (rc < 0)
        print_error("record_results: %s\n", rc == outcome.rc ? outcome.err.msg : err.msg);
    else if (duplicate)
        *duplicate = outcome.duplicate;
    return rc;
}

/* record_results for one prepared result: 0 when written (or a duplicate,
 * *duplicate set), else the result's own error in err. */
static int record_one(fixture *f, const dn_pass_result *r, dn_time now, bool *duplicate,
                      dn_err *err)
{
    dn_record_outcome outcome;
    int rc = f->store.ops->record_results(f->store.ctx, r, 1, now, &outcome, err);
    if (rc == 0 && outcome.rc < 0) {
        *err = outcome.err;
        rc = outcome.rc;
    }
    if (rc == 0)
        *duplicate = outcome.duplicate;
    return rc;
}

static json_t *timeline(fixture *f, const char *external_id)
{
    json_t *t = NULL;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->timeline(f->store.ctx, external_id, &t, &err), 0);
    return t;
}

static int count_events(json_t *t, const char *kind)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(t, "events"), i, e)
        if (strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0)
            n++;
    return n;
}

/* ---- decisions ---- */

/* A decision records its step day only when it has a step (a contact, a
 * skip of one); a wait, "nothing owed" or an error has none (NULL), which
 * is not the due-date step (day 0). */
static void test_decision_step_day(void **state)
{
    fixture *f = *state;
    static const struct {
        dn_action action;
        int step_day;               /* as the decision carries it */
        const char *segment;
        bool null_day;              /* expected: step_day NULL */
    } rows[] = {
        { DN_ACT_NONE, 0, "(nothing owed)", true },
        { DN_ACT_WAIT, 0, "friendly", true },
        { DN_ACT_ERROR, 0, "friendly", true },
        { DN_ACT_SKIP, 7, "friendly", false },
        { DN_ACT_SKIP, 0, "friendly", false },
    };
    int64_t id = add_customer(f, "D1", "Dana");
    dn_time now = (dn_time)day("2026-03-02") * 86400;
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_decision d = { .action = rows[i].action, .step_day = rows[i].step_day };
        dn_strlcpy(d.ruleset_version, "0123456789abcdef", sizeof d.ruleset_version);
        dn_strlcpy(d.segment, rows[i].segment, sizeof d.segment);
        dn_strlcpy(d.reason, "row", sizeof d.reason);
        dn_pass_result r = { .customer_id = id, .decision = &d, .anchor_due = DN_NO_DATE,
                             .next_evaluation_at = now + 86400 };
        dn_err err = { 0 };
        bool duplicate = false;
        assert_int_equal(record_one(f, &r, now, &duplicate, &err), 0);
    }
    json_t *list = NULL;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->list_rows(f->store.ctx, "decisions", 0, 100, &list, &err), 0);
    assert_int_equal(json_array_size(list), COUNT(rows));
    for (size_t i = 0; i < COUNT(rows); i++) {
        json_t *row = json_array_get(list, i);
        json_t *step = json_object_get(row, "step_day");
        print_message("row %zu: %s\n", i, dn_action_names[rows[i].action]);
        assert_string_equal(json_string_value(json_object_get(row, "segment")), rows[i].segment);
        if (rows[i].null_day)
            assert_true(json_is_null(step));
        else
            assert_int_equal(json_integer_value(step), rows[i].step_day);
    }
    json_decref(list);
}

/* ---- open ---- */

static void test_open_dsn(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *dsn;
        int rc;
        const char *field;
    } rows[] = {
        { "mariadb://user@localhost", -EINVAL, "dsn" },            /* no database */
        { "mariadb://user@localhost:99999/dunning", -EINVAL, "dsn" },
        { "mariadb://user@localhost/dun-ning", -EINVAL, "dsn" },
        { "mariadb://user@localhost/dunning?colour=red", -EINVAL, "dsn" },
        { "mariadb://user@localhost/dunning?read_timeout=0", -EINVAL, "dsn" },
        { "mariadb://u:p%4@localhost/dunning", -EINVAL, "dsn" },  /* cut escape */
        { "", -EINVAL, "dsn" },
        { "sqlite:", -EINVAL, "dsn" },
        /* a scheme of no backend is refused, never taken for a file name */
        { "foo:bar", -EINVAL, "dsn" },
        { "mysql://user@localhost/dunning", -EINVAL, "dsn" },
        { "mariadb:/user@localhost/dunning", -EINVAL, "dsn" },
        { "SQLITE:var/x.db", -EINVAL, "dsn" },
    };
    char schema[4096];
    schema_root(schema, sizeof schema);
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_store s;
        dn_err err = { 0 };
        print_message("row %zu: %s\n", i, rows[i].dsn);
        assert_int_equal(dn_store_open(&s, rows[i].dsn, schema, &err), rows[i].rc);
        assert_string_equal(err.field, rows[i].field);
        assert_null(s.ops);
    }
    assert_int_equal(access("foo:bar", F_OK), -1);   /* no SQLite file of that name */
    /* schema/sqlite and schema/mariadb hold the same versions: 001 to 004,
     * 010 (agent queue), 011 and 012 (webhooks), 013 (inbound messages),
     * 014 (opt-out confirmations carried over), 015 (channel feedback:
     * posting days, undeliverable addresses), 016 (a contact's
     * transliteration). The fixture's store is at the last one; opening it
     * again applies nothing */
    const int last_version = 16;
    int version = 0;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->schema_version(f->store.ctx, &version, &err), 0);
    assert_int_equal(version, last_version);
    dn_store again;
    assert_int_equal(dn_store_open(&again, f->dsn, schema, &err), 0);
    assert_int_equal(again.ops->schema_version(again.ctx, &version, &err), 0);
    assert_int_equal(version, last_version);
    dn_store_close(&again);
}

/* ---- idempotency ---- */

/* The guard's customer settings survive a write and a read, and a change
 * to one of them is an update (facts at send time see it). */
static void test_customer_guard_settings(void **state)
{
    fixture *f = *state;
    dn_customer c = { .hold_until = DN_NO_DATE };
    dn_strlcpy(c.external_id, "G1", sizeof c.external_id);
    dn_strlcpy(c.name, "Guarded", sizeof c.name);
    c.holds = DN_HOLD_PAUSE;
    assert_int_equal(dn_date_parse("2026-07-01", &c.hold_until), 0);
    c.opt_out = DN_OPTOUT_SMS;
    c.opt_out_confirmed = DN_OPTOUT_SMS;
    c.third_party = DN_OPTOUT_EMAIL;
    c.consent = DN_OPTOUT_VOICE | DN_OPTOUT_CHAT;
    c.blackout[0] = (dn_blackout){ 0x3e, 15 * 60, 17 * 60, 0 };
    c.blackout[1] = (dn_blackout){ 0x7f, 0, 14 * 60, DN_OPTOUT_VOICE };
    c.n_blackout = 2;
    dn_upsert_outcome outcome;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    assert_int_equal(outcome, DN_UPSERT_CREATED);
    assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    assert_int_equal(outcome, DN_UPSERT_SAME);
    dn_customer back;
    assert_int_equal(f->store.ops->get_customer(f->store.ctx, "G1", &back, &err), 0);
    assert_int_equal(back.holds, DN_HOLD_PAUSE);
    assert_int_equal(back.hold_until, c.hold_until);
    assert_int_equal(back.opt_out, 1);
    assert_int_equal(back.opt_out_confirmed, 1);
    assert_int_equal(back.third_party, 2);
    assert_int_equal(back.consent, 4 | 8);
    assert_int_equal(back.n_blackout, 2);
    assert_int_equal(back.blackout[0].weekdays, 0x3e);
    assert_int_equal(back.blackout[0].from, 900);
    assert_int_equal(back.blackout[0].to, 1020);
    assert_int_equal(back.blackout[0].channels, 0);
    assert_int_equal(back.blackout[1].weekdays, 0x7f);
    assert_int_equal(back.blackout[1].to, 840);
    assert_int_equal(back.blackout[1].channels, DN_OPTOUT_VOICE);
    /* the facts the dispatcher re-checks with carry them too */
    dn_facts *facts = malloc(sizeof *facts);
    assert_non_null(facts);
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, back.id, 1780000000, facts, &err), 0);
    assert_int_equal(facts->customer.third_party, 2);
    assert_int_equal(facts->customer.n_blackout, 2);
    assert_int_equal(facts->customer.blackout[1].channels, DN_OPTOUT_VOICE);
    free(facts);
    c.n_blackout = 1;
    assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    assert_int_equal(outcome, DN_UPSERT_UPDATED);
    assert_int_equal(f->store.ops->get_customer(f->store.ctx, "G1", &back, &err), 0);
    assert_int_equal(back.n_blackout, 1);
}

static void test_customer_idempotency(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *external_id, *name, *email;
        int age;
        int rc;
        dn_upsert_outcome outcome;   /* when rc == 0 */
        const char *field;           /* when rc != 0 */
    } rows[] = {
        { "C1", "Anna", "", 30, 0, DN_UPSERT_CREATED, NULL },
        { "C1", "Anna", "", 30, 0, DN_UPSERT_SAME, NULL },
        { "C1", "Anna Berzina", "", 30, 0, DN_UPSERT_UPDATED, NULL },
        { "C1", "Anna Berzina", "", 30, 0, DN_UPSERT_SAME, NULL },
        { "C1", "Anna Berzina", "a@example.com", 30, 0, DN_UPSERT_UPDATED, NULL },
        { "C1", "Anna Berzina", "a@example.com", 31, 0, DN_UPSERT_UPDATED, NULL },
        { "C2", "Anna Berzina", "a@example.com", 31, 0, DN_UPSERT_CREATED, NULL },
        { "", "Nobody", "", 30, -EINVAL, 0, "external_id" },
        { "C3", "Bad \xC3\x28 name", "", 30, -EINVAL, 0, "name" },
        { "C3", "Fine", "bad\xFF@example.com", 30, -EINVAL, 0, "email" },
        { "C3", "Fine", "", -1, -EINVAL, 0, "age" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s %s\n", i, rows[i].external_id, rows[i].name);
        dn_customer c = { .age = rows[i].age, .hold_until = DN_NO_DATE };
        dn_strlcpy(c.external_id, rows[i].external_id, sizeof c.external_id);
        dn_strlcpy(c.name, rows[i].name, sizeof c.name);
        dn_strlcpy(c.email, rows[i].email, sizeof c.email);
        dn_upsert_outcome outcome = (dn_upsert_outcome)-1;
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err),
                         rows[i].rc);
        if (rows[i].rc == 0)
            assert_int_equal(outcome, rows[i].outcome);
        else
            assert_string_equal(err.field, rows[i].field);
    }
    /* C1 was created, then updated three times */
    json_t *t = timeline(f, "C1");
    assert_int_equal(count_events(t, "customer_created"), 1);
    assert_int_equal(count_events(t, "customer_updated"), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "customer"), "age")), 31);
    json_decref(t);
}

static void test_invoice_idempotency(void **state)
{
    fixture *f = *state;
    add_customer(f, "C1", "Anna");
    add_customer(f, "C2", "Boris");
    static const struct {
        const char *external_id, *customer, *currency;
        int64_t amount;
        const char *due;
        dn_invoice_status status;
        int rc;
        dn_upsert_outcome outcome;
        const char *field;
    } rows[] = {
        { "I1", "C1", "EUR", 10000, "2024-01-10", DN_INV_OPEN, 0, DN_UPSERT_CREATED, NULL },
        { "I1", "C1", "EUR", 10000, "2024-01-10", DN_INV_OPEN, 0, DN_UPSERT_SAME, NULL },
        { "I1", "C1", "EUR", 10000, "2024-01-10", DN_INV_DISPUTED, 0, DN_UPSERT_UPDATED, NULL },
        { "I1", "C1", "EUR", 10000, "2024-01-20", DN_INV_DISPUTED, 0, DN_UPSERT_UPDATED, NULL },
        { "I1", "C1", "EUR", 10000, NULL, DN_INV_DISPUTED, 0, DN_UPSERT_UPDATED, NULL },
        { "I1", "C1", "EUR", 10000, NULL, DN_INV_DISPUTED, 0, DN_UPSERT_SAME, NULL },
        { "I1", "C1", "EUR", 9999, NULL, DN_INV_DISPUTED, -EEXIST, 0, "amount_minor" },
        { "I1", "C1", "USD", 10000, NULL, DN_INV_DISPUTED, -EEXIST, 0, "currency" },
        { "I1", "C2", "EUR", 10000, NULL, DN_INV_DISPUTED, -EEXIST, 0, "customer_id" },
        { "I2", "C9", "EUR", 10000, NULL, DN_INV_OPEN, -ENOENT, 0, "customer_id" },
        { "I2", "C1", "eur", 10000, NULL, DN_INV_OPEN, -EINVAL, 0, "currency" },
        { "I2", "C1", "EUR", 0, NULL, DN_INV_OPEN, -EINVAL, 0, "amount_minor" },
        { "I2", "C1", "EUR", -5, NULL, DN_INV_OPEN, -EINVAL, 0, "amount_minor" },
        { "", "C1", "EUR", 100, NULL, DN_INV_OPEN, -EINVAL, 0, "external_id" },
        { "I2", "C2", "EUR", 100, NULL, DN_INV_OPEN, 0, DN_UPSERT_CREATED, NULL },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].external_id);
        dn_upsert_outcome outcome = (dn_upsert_outcome)-1;
        dn_err err = { 0 };
        assert_int_equal(put_invoice(f, rows[i].external_id, rows[i].customer, rows[i].currency,
                                     rows[i].amount, rows[i].due, rows[i].status, &outcome,
                                     &err),
                         rows[i].rc);
        if (rows[i].rc == 0)
            assert_int_equal(outcome, rows[i].outcome);
        else
            assert_string_equal(err.field, rows[i].field);
    }
    dn_invoice inv;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->get_invoice(f->store.ctx, "I1", &inv, &err), 0);
    assert_int_equal(inv.status, DN_INV_DISPUTED);
    assert_int_equal(inv.due, DN_NO_DATE);
    assert_string_equal(inv.customer_external_id, "C1");
    assert_int_equal(f->store.ops->get_invoice(f->store.ctx, "nope", &inv, &err), -ENOENT);
}

/* ---- payments ---- */

static void test_allocation(void **state)
{
    fixture *f = *state;
    add_customer(f, "C1", "Anna");
    add_customer(f, "C2", "Boris");
    /* index: 0 A, 1 B, 2 C (no due), 3 D (USD), 4 E (disputed), 5 F (other customer) */
    static const char *const invoices[] = { "A", "B", "C", "D", "E", "F" };
    add_invoice(f, "B", "C1", "EUR", 5000, "2024-02-10", DN_INV_OPEN);
    add_invoice(f, "C", "C1", "EUR", 3000, NULL, DN_INV_OPEN);
    add_invoice(f, "A", "C1", "EUR", 10000, "2024-01-10", DN_INV_OPEN);
    add_invoice(f, "D", "C1", "USD", 2000, "2023-12-01", DN_INV_OPEN);
    add_invoice(f, "E", "C1", "EUR", 4000, "2023-11-01", DN_INV_DISPUTED);
    add_invoice(f, "F", "C2", "EUR", 1000, "2023-10-01", DN_INV_OPEN);
    static const struct {
        const char *external_id, *customer, *invoice, *currency;
        int64_t amount;
        int rc;
        dn_upsert_outcome outcome;
        const char *field;
        int64_t paid[6];              /* paid_minor of A..F afterwards */
        dn_invoice_status status[6];  /* status of A..F afterwards */
    } rows[] = {
        /* oldest open EUR first: A (due 01-10) takes 10000, B (02-10) the other 2000;
         * E is older but disputed, D is USD, F is someone else's */
        { "P1", "C1", NULL, "EUR", 12000, 0, DN_UPSERT_CREATED, NULL,
          { 10000, 2000, 0, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        /* the same payment again changes nothing */
        { "P1", "C1", NULL, "EUR", 12000, 0, DN_UPSERT_SAME, NULL,
          { 10000, 2000, 0, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        { "P1", "C1", NULL, "EUR", 1, -EEXIST, 0, "amount_minor",
          { 10000, 2000, 0, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        { "P1", "C1", NULL, "USD", 12000, -EEXIST, 0, "currency",
          { 10000, 2000, 0, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        /* B needs 3000 more, then C (no due date, last) takes 2000 of 3000 */
        { "P2", "C1", NULL, "EUR", 5000, 0, DN_UPSERT_CREATED, NULL,
          { 10000, 5000, 2000, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        /* a named invoice must be in the payment's currency and customer */
        { "P3", "C1", "D", "EUR", 500, -EINVAL, 0, "currency",
          { 10000, 5000, 2000, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        { "P3", "C1", "F", "EUR", 500, -EINVAL, 0, "invoice_external_id",
          { 10000, 5000, 2000, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        { "P3", "C1", "Z", "EUR", 500, -ENOENT, 0, "invoice_external_id",
          { 10000, 5000, 2000, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        { "P3", "C9", NULL, "EUR", 500, -ENOENT, 0, "customer_id",
          { 10000, 5000, 2000, 0, 0, 0 },
          { DN_INV_PAID, DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        /* named USD payment to D: 500 of 2000 */
        { "P3", "C1", "D", "USD", 500, 0, DN_UPSERT_CREATED, NULL,
          { 10000, 5000, 2000, 500, 0, 0 },
          { DN_INV_PAID, DN_INV_PAID, DN_INV_OPEN, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        /* overpayment: C takes its last 1000, 8999 stay unallocated; E stays disputed */
        { "P4", "C1", NULL, "EUR", 9999, 0, DN_UPSERT_CREATED, NULL,
          { 10000, 5000, 3000, 500, 0, 0 },
          { DN_INV_PAID, DN_INV_PAID, DN_INV_PAID, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_OPEN } },
        /* a named disputed invoice is allocated explicitly */
        { "P5", "C1", "E", "EUR", 4000, 0, DN_UPSERT_CREATED, NULL,
          { 10000, 5000, 3000, 500, 4000, 0 },
          { DN_INV_PAID, DN_INV_PAID, DN_INV_PAID, DN_INV_OPEN, DN_INV_PAID, DN_INV_OPEN } },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].external_id);
        dn_upsert_outcome outcome = (dn_upsert_outcome)-1;
        dn_err err = { 0 };
        assert_int_equal(pay(f, rows[i].external_id, rows[i].customer, rows[i].invoice,
                             rows[i].currency, rows[i].amount, "2024-01-15", &outcome, &err),
                         rows[i].rc);
        if (rows[i].rc == 0)
            assert_int_equal(outcome, rows[i].outcome);
        else
            assert_string_equal(err.field, rows[i].field);
        for (size_t k = 0; k < COUNT(invoices); k++) {
            dn_invoice inv;
            assert_int_equal(f->store.ops->get_invoice(f->store.ctx, invoices[k], &inv, &err), 0);
            assert_int_equal(inv.paid_minor, rows[i].paid[k]);
            assert_int_equal(inv.status, rows[i].status[k]);
        }
    }
    /* P4 recorded its whole amount with 8999 unallocated */
    json_t *list = NULL;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->list_payments(f->store.ctx, "C1", "P3", 10, &list, &err), 0);
    assert_int_equal(json_array_size(list), 2);
    json_t *p4 = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(p4, "external_id")), "P4");
    assert_int_equal(json_integer_value(json_object_get(p4, "amount_minor")), 9999);
    assert_int_equal(json_integer_value(json_object_get(p4, "allocated_minor")), 1000);
    json_decref(list);
}

/* Standing credit: what payments and credit notes left unallocated goes to
 * invoices of its currency written as open later, oldest credit first,
 * oldest due first; the same invoice again changes nothing. Each row is
 * one write; the amounts after it are worked out by hand in the comment. */
static void test_standing_credit(void **state)
{
    fixture *f = *state;
    enum { INVOICE, PAY, CREDIT_NOTE };
    static const struct {
        int kind;
        const char *id, *currency, *due, *paid_on;
        int64_t amount;
        dn_invoice_status status;     /* INVOICE: as written */
        dn_upsert_outcome outcome;
        const char *check;            /* invoice checked afterwards */
        int64_t paid;                 /* its paid_minor */
        dn_invoice_status now;        /* its status */
    } rows[] = {
        { INVOICE, "A", "EUR", "2024-01-10", NULL, 10000, DN_INV_OPEN, DN_UPSERT_CREATED,
          "A", 0, DN_INV_OPEN },
        /* A takes 10000 of 15000: 5000 credit */
        { PAY, "P1", "EUR", NULL, "2024-01-12", 15000, 0, DN_UPSERT_CREATED, "A", 10000,
          DN_INV_PAID },
        /* B takes the 5000 at once: 3000 left to pay */
        { INVOICE, "B", "EUR", "2024-02-10", NULL, 8000, DN_INV_OPEN, DN_UPSERT_CREATED,
          "B", 5000, DN_INV_OPEN },
        /* the same invoice again: nothing more (no credit is left anyway) */
        { INVOICE, "B", "EUR", "2024-02-10", NULL, 8000, DN_INV_OPEN, DN_UPSERT_SAME,
          "B", 5000, DN_INV_OPEN },
        /* a credit note of 12000: B's 3000, 9000 credit */
        { CREDIT_NOTE, "CN1", "EUR", NULL, "2024-02-01", 12000, 0, DN_UPSERT_CREATED, "B", 8000,
          DN_INV_PAID },
        /* a disputed invoice takes no credit ... */
        { INVOICE, "C", "EUR", "2024-02-20", NULL, 2000, DN_INV_DISPUTED, DN_UPSERT_CREATED,
          "C", 0, DN_INV_DISPUTED },
        /* ... until it is open again: 2000 of the 9000, 7000 left */
        { INVOICE, "C", "EUR", "2024-02-20", NULL, 2000, DN_INV_OPEN, DN_UPSERT_UPDATED,
          "C", 2000, DN_INV_PAID },
        /* a payment in a currency with no invoice is credit in that currency */
        { PAY, "P2", "USD", NULL, "2024-02-05", 4000, 0, DN_UPSERT_CREATED, "A", 10000,
          DN_INV_PAID },
        { INVOICE, "D", "USD", "2024-03-01", NULL, 3000, DN_INV_OPEN, DN_UPSERT_CREATED,
          "D", 3000, DN_INV_PAID },
        /* EUR credit 7000 (CN1: 12000 - 3000 - 2000) of E's 9000: 2000 owed */
        { INVOICE, "E", "EUR", "2024-03-10", NULL, 9000, DN_INV_OPEN, DN_UPSERT_CREATED,
          "E", 7000, DN_INV_OPEN },
        /* two GBP credits: the older payment (P4, paid 01-03) is spent first */
        { PAY, "P3", "GBP", NULL, "2024-01-05", 300, 0, DN_UPSERT_CREATED, "E", 7000,
          DN_INV_OPEN },
        { PAY, "P4", "GBP", NULL, "2024-01-03", 200, 0, DN_UPSERT_CREATED, "E", 7000,
          DN_INV_OPEN },
        { INVOICE, "F", "GBP", "2024-03-15", NULL, 400, DN_INV_OPEN, DN_UPSERT_CREATED,
          "F", 400, DN_INV_PAID },
    };
    add_customer(f, "K1", "Kārlis");
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_upsert_outcome outcome = (dn_upsert_outcome)-1;
        dn_err err = { 0 };
        int rc;
        print_message("row %zu: %s\n", i, rows[i].id);
        if (rows[i].kind == INVOICE) {
            rc = put_invoice(f, rows[i].id, "K1", rows[i].currency, rows[i].amount, rows[i].due,
                             rows[i].status, &outcome, &err);
        } else {
            dn_payment p = { .amount_minor = rows[i].amount, .paid_on = day(rows[i].paid_on),
                             .is_credit_note = rows[i].kind == CREDIT_NOTE };
            dn_strlcpy(p.external_id, rows[i].id, sizeof p.external_id);
            dn_strlcpy(p.customer_external_id, "K1", sizeof p.customer_external_id);
            dn_strlcpy(p.currency, rows[i].currency, sizeof p.currency);
            rc = f->store.ops->add_payment(f->store.ctx, &p, &outcome, &err);
        }
        if (rc)
            fail_msg("row %zu: %s (%s)", i, err.msg, err.field);
        assert_int_equal(outcome, rows[i].outcome);
        dn_invoice inv;
        assert_int_equal(f->store.ops->get_invoice(f->store.ctx, rows[i].check, &inv, &err), 0);
        assert_int_equal(inv.paid_minor, rows[i].paid);
        assert_int_equal(inv.status, rows[i].now);
    }
    /* what the rules see: 2000 EUR owed (E), nothing in USD or GBP */
    dn_customer c;
    dn_facts *facts = calloc(1, sizeof *facts);
    dn_err err = { 0 };
    assert_non_null(facts);
    assert_int_equal(f->store.ops->get_customer(f->store.ctx, "K1", &c, &err), 0);
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, c.id, 1780000000, facts, &err), 0);
    assert_int_equal(facts->n_balance, 1);
    assert_string_equal(facts->balance[0].currency, "EUR");
    assert_int_equal(facts->balance[0].amount_minor, 2000);
    free(facts);
    /* allocated per payment: P1 15000 (A 10000 + B 5000), CN1 3000 + 2000 + 7000,
     * P2 3000 of 4000, P3 200 of 300, P4 200 */
    static const struct { const char *id; int64_t allocated; } allocated[] = {
        { "CN1", 12000 }, { "P1", 15000 }, { "P2", 3000 }, { "P3", 200 }, { "P4", 200 },
    };
    json_t *list = NULL;
    assert_int_equal(f->store.ops->list_payments(f->store.ctx, "K1", "", 10, &list, &err), 0);
    assert_int_equal(json_array_size(list), COUNT(allocated));
    for (size_t i = 0; i < COUNT(allocated); i++) {
        json_t *p = json_array_get(list, i);
        assert_string_equal(json_string_value(json_object_get(p, "external_id")), allocated[i].id);
        assert_int_equal(json_integer_value(json_object_get(p, "allocated_minor")),
                         allocated[i].allocated);
    }
    json_decref(list);
    /* one credit_applied event per share: B, C, D, E, F twice (P4 then P3) */
    json_t *timeline = NULL;
    assert_int_equal(f->store.ops->timeline(f->store.ctx, "K1", &timeline, &err), 0);
    int applied = 0;
    size_t k;
    json_t *event;
    json_array_foreach(json_object_get(timeline, "events"), k, event)
        applied += strcmp(json_string_value(json_object_get(event, "kind")), "credit_applied") == 0;
    assert_int_equal(applied, 6);
    json_decref(timeline);
}

/* ---- cases ---- */

static void test_case_open_close(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *label;
        int64_t amount;
        int64_t paid;                /* paid by a payment after the case opens, 0 = none */
        dn_invoice_status new_status; /* status sent afterwards (DN_INV_OPEN = unchanged) */
        bool open_after;
    } rows[] = {
        { "partly paid keeps the case", 5000, 4999, DN_INV_OPEN, true },
        { "fully paid closes it", 5000, 5000, DN_INV_OPEN, false },
        { "disputed keeps it", 5000, 0, DN_INV_DISPUTED, true },
        { "on hold keeps it", 5000, 0, DN_INV_ON_HOLD, true },
        { "credited closes it", 5000, 0, DN_INV_CREDITED, false },
        { "written off closes it", 5000, 0, DN_INV_WRITTEN_OFF, false },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].label);
        char customer[16], invoice[16], payment[16];
        snprintf(customer, sizeof customer, "C%zu", i);
        snprintf(invoice, sizeof invoice, "I%zu", i);
        snprintf(payment, sizeof payment, "P%zu", i);
        int64_t id = add_customer(f, customer, "Case Person");
        add_invoice(f, invoice, customer, "EUR", rows[i].amount, "2024-01-10", DN_INV_OPEN);

        dn_facts facts;
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 1000, &facts, &err), 0);
        assert_int_equal(facts.case_id, 0);
        assert_int_equal(facts.stage_day, INT32_MIN);
        bool duplicate = true;
        assert_int_equal(record(f, id, false, 0, 1000, 0, NULL, &duplicate), 0);
        assert_false(duplicate);
        assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 1000, &facts, &err), 0);
        assert_true(facts.case_id > 0);
        assert_int_equal(facts.case_anchor_due, day("2024-01-10"));
        int64_t case_id = facts.case_id;
        /* a second result with open_case keeps the same case */
        assert_int_equal(record(f, id, false, 0, 1001, 0, NULL, &duplicate), 0);
        assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 1001, &facts, &err), 0);
        assert_int_equal(facts.case_id, case_id);

        dn_upsert_outcome outcome;
        if (rows[i].paid)
            assert_int_equal(pay(f, payment, customer, NULL, "EUR", rows[i].paid, "2024-01-20",
                                 &outcome, &err), 0);
        if (rows[i].new_status != DN_INV_OPEN) {
            assert_int_equal(put_invoice(f, invoice, customer, "EUR", rows[i].amount,
                                         "2024-01-10", rows[i].new_status, &outcome, &err), 0);
            assert_int_equal(outcome, DN_UPSERT_UPDATED);
        }
        assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 1002, &facts, &err), 0);
        assert_int_equal(facts.case_id, rows[i].open_after ? case_id : 0);
        json_t *t = timeline(f, customer);
        json_t *cases = json_object_get(t, "cases");
        assert_int_equal(json_array_size(cases), 1);
        assert_int_equal(json_is_null(json_object_get(json_array_get(cases, 0), "closed_at")),
                         rows[i].open_after);
        assert_int_equal(count_events(t, "case_closed"), rows[i].open_after ? 0 : 1);
        json_decref(t);
    }
}

/* ---- the pass ---- */

static void test_claim_due(void **state)
{
    fixture *f = *state;
    int64_t ids[4];
    static const dn_time next[4] = { 100, 200, 300, 200 };
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "C%d", i);
        ids[i] = add_customer(f, name, "Due Person");
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->touch_customer(f->store.ctx, ids[i], next[i], &err), 0);
    }
    /* expected: indexes into ids in claim order, -1 ends the list */
    static const struct {
        dn_time now;
        int lease, max;
        int expect[5];
    } rows[] = {
        { 50, 60, 10, { -1 } },                 /* nobody is due yet */
        { 250, 60, 10, { 0, 1, 3, -1 } },       /* 100, 200, 200 (ids tie-break) */
        { 250, 60, 10, { -1 } },                /* all leased until 310 */
        { 310, 60, 10, { 2, -1 } },             /* leases end after 310; C2 due at 300 */
        { 311, 60, 2, { 0, 1, -1 } },           /* max 2 of the three free ones */
        { 311, 60, 10, { 3, -1 } },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: now %lld\n", i, (long long)rows[i].now);
        dn_facts out[10];
        int n = -1;
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->claim_due(f->store.ctx, rows[i].now, rows[i].lease, out,
                                                 rows[i].max, &n, &err), 0);
        int expected = 0;
        while (rows[i].expect[expected] >= 0)
            expected++;
        assert_int_equal(n, expected);
        for (int k = 0; k < n; k++)
            assert_int_equal(out[k].customer.id, ids[rows[i].expect[k]]);
    }
    /* record_result clears the lease and sets the next time */
    bool duplicate;
    assert_int_equal(record(f, ids[3], false, 0, 312, 0, NULL, &duplicate), 0);
    dn_facts out[4];
    int n = 0;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->claim_due(f->store.ctx, 312, 60, out, 4, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].customer.id, ids[3]);
    assert_string_equal(out[0].persona, "friendly");
}

static void append(fixture *f, int64_t customer_id, const char *kind, dn_time at)
{
    dn_err err = { 0 };
    json_t *payload = json_pack("{s:s}", "text", "hello");
    assert_int_equal(f->store.ops->append_event(f->store.ctx, customer_id, kind, payload, at,
                                                NULL, &err), 0);
    json_decref(payload);
}

static void test_facts(void **state)
{
    fixture *f = *state;
    const dn_time now = (dn_time)day("2024-02-01") * 86400;
    const dn_time d = 86400;
    int64_t id = add_customer(f, "C1", "Facts Person");
    add_invoice(f, "A", "C1", "EUR", 10000, "2024-01-10", DN_INV_OPEN);
    add_invoice(f, "B", "C1", "EUR", 3000, NULL, DN_INV_OPEN);
    add_invoice(f, "U", "C1", "USD", 700, "2024-03-01", DN_INV_DISPUTED);
    add_invoice(f, "X", "C1", "EUR", 900, "2023-01-01", DN_INV_CREDITED);
    add_invoice(f, "H", "C1", "EUR", 1200, "2023-12-01", DN_INV_ON_HOLD);
    dn_upsert_outcome outcome;
    dn_err err = { 0 };
    /* P1 → A (H is on hold): 5 days late; P2 → B (no due date, not in the
     * average); P3 → U, 9 days early counts as 0. Average (5 + 0) / 2 → 2. */
    assert_int_equal(pay(f, "P1", "C1", NULL, "EUR", 2500, "2024-01-15", &outcome, &err), 0);
    assert_int_equal(pay(f, "P2", "C1", "B", "EUR", 3000, "2024-01-01", &outcome, &err), 0);
    assert_int_equal(pay(f, "P3", "C1", "U", "USD", 100, "2024-02-20", &outcome, &err), 0);
    append(f, id, "reply", now - 10 * d);
    append(f, id, "reply", now - 100 * d);      /* outside the 90 days */
    append(f, id, "dispute", now - 200 * d);
    assert_true(raw_sql(f,
        "INSERT INTO promises (customer_id, amount_minor, currency, due, state, created_at) VALUES "
        "(1, 100, 'EUR', '2023-11-01', 'kept', 0), (1, 100, 'EUR', '2023-12-01', 'kept', 0), "
        "(1, 100, 'EUR', '2023-12-15', 'broken', 0), (1, 100, 'EUR', '2024-02-05', 'pending', 0), "
        "(1, 100, 'EUR', '2024-02-03', 'pending', 0)"));
    bool duplicate;
    assert_int_equal(record(f, id, true, 1, now, now - 40 * d, "one", &duplicate), 0);
    assert_int_equal(record(f, id, true, 7, now, now - 3 * d, "seven", &duplicate), 0);
    assert_int_equal(record(f, id, true, 14, now, now + 3600, "fourteen", &duplicate), 0);

    dn_facts claimed[2], loaded;
    int n = 0;
    assert_int_equal(f->store.ops->claim_due(f->store.ctx, now, 60, claimed, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, now, &loaded, &err), 0);
    const dn_facts *both[] = { &claimed[0], &loaded };
    for (size_t i = 0; i < COUNT(both); i++) {
        const dn_facts *x = both[i];
        print_message("facts from %s\n", i == 0 ? "claim_due" : "load_facts");
        assert_string_equal(x->customer.external_id, "C1");
        assert_string_equal(x->customer.name, "Facts Person");
        assert_string_equal(x->persona, "friendly");
        /* unpaid open/disputed/on_hold, due order: H 2023-12-01, A 2024-01-10, U 2024-03-01 */
        static const struct { const char *id; int64_t paid; } invoices[] = {
            { "H", 0 }, { "A", 2500 }, { "U", 100 },
        };
        assert_int_equal(x->n_invoices, COUNT(invoices));
        for (size_t k = 0; k < COUNT(invoices); k++) {
            assert_string_equal(x->invoices[k].external_id, invoices[k].id);
            assert_int_equal(x->invoices[k].paid_minor, invoices[k].paid);
        }
        /* balance counts open invoices only: A 10000 - 2500 */
        assert_int_equal(x->n_balance, 1);
        assert_string_equal(x->balance[0].currency, "EUR");
        assert_int_equal(x->balance[0].amount_minor, 7500);
        assert_true(x->case_id > 0);
        assert_int_equal(x->case_anchor_due, day("2024-01-10"));
        assert_int_equal(x->stage_day, 14);
        assert_int_equal(x->promises_kept, 2);
        assert_int_equal(x->promises_broken, 1);
        assert_true(x->promise_pending);
        assert_int_equal(x->promise_due, day("2024-02-03"));
        assert_int_equal(x->replies, 1);
        assert_int_equal(x->disputes, 1);
        assert_int_equal(x->payments_count, 3);
        assert_int_equal(x->avg_days_late, 2);
        /* the day-1 contact is 40 days old; newest first */
        assert_int_equal(x->n_contacts, 2);
        assert_int_equal(x->contacts[0].step_day, 14);
        assert_int_equal(x->contacts[0].at, now + 3600);
        assert_int_equal(x->contacts[1].step_day, 7);
        assert_string_equal(x->contacts[1].state, "planned");
        assert_string_equal(x->contacts[1].channel, "sms");
        assert_string_equal(x->contacts[1].template_name, "overdue");
        assert_int_equal(x->contacts[1].case_id, x->case_id);
    }
}

/* More unpaid invoices than the facts hold: the DN_FACT_INVOICES oldest, in
 * due order (equal dates by age, none last), whatever order they were
 * written in; the balance still counts every one. */
static void test_facts_keep_oldest_invoices(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Many Invoices");
    static const struct { const char *id, *due; } written[] = {
        { "I01", "2024-01-18" }, { "I02", NULL }, { "I03", "2024-01-05" },
        { "I04", "2024-01-12" }, { "I05", NULL }, { "I06", "2024-01-01" },
        { "I07", "2024-01-15" }, { "I08", "2024-01-09" }, { "I09", "2024-01-03" },
        { "I10", "2024-01-14" }, { "I11", "2024-01-07" }, { "I12", "2024-01-11" },
        { "I13", "2024-01-02" }, { "I14", "2024-01-16" }, { "I15", "2024-01-08" },
        { "I16", "2024-01-13" }, { "I17", "2024-01-05" }, { "I18", "2024-01-10" },
    };
    for (size_t i = 0; i < COUNT(written); i++)
        add_invoice(f, written[i].id, "C1", "EUR", 100, written[i].due, DN_INV_OPEN);
    static const char *const kept[DN_FACT_INVOICES] = {
        "I06", "I13", "I09", "I03", "I17", "I11", "I15", "I08",
        "I18", "I12", "I04", "I16", "I10", "I07", "I14", "I01",
    };
    static dn_facts facts;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 1000, &facts, &err), 0);
    assert_int_equal(facts.n_invoices, DN_FACT_INVOICES);
    for (int k = 0; k < DN_FACT_INVOICES; k++)
        assert_string_equal(facts.invoices[k].external_id, kept[k]);
    assert_int_equal(facts.n_balance, 1);
    assert_int_equal(facts.balance[0].amount_minor, 1800);
}

static void test_pass_plans_once(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Pass Person");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    static const struct {
        int step_day;
        bool duplicate;
        int planned, contact_decisions;   /* counts afterwards */
    } passes[] = {
        { 1, false, 1, 1 }, { 1, true, 1, 1 }, { 1, true, 1, 1 }, { 1, true, 1, 1 },
        { 7, false, 2, 2 }, { 7, true, 2, 2 },
    };
    for (size_t i = 0; i < COUNT(passes); i++) {
        print_message("pass %zu: day %d\n", i, passes[i].step_day);
        dn_time now = 1000 + (dn_time)i;
        dn_facts facts[4];
        int n = 0;
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->claim_due(f->store.ctx, now, 60, facts, 4, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(facts[0].customer.id, id);
        bool duplicate = !passes[i].duplicate;
        assert_int_equal(record(f, id, true, passes[i].step_day, now, now, "pay please",
                                &duplicate), 0);
        assert_int_equal(duplicate, passes[i].duplicate);
        json_t *stats = NULL;
        assert_int_equal(f->store.ops->stats(f->store.ctx, &stats, &err), 0);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "contacts"),
                                                            "planned")), passes[i].planned);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "decisions"),
                                                            "contact")),
                         passes[i].contact_decisions);
        assert_int_equal(json_integer_value(json_object_get(stats, "cases_open")), 1);
        assert_int_equal(json_integer_value(json_object_get(stats, "customers")), 1);
        assert_int_equal(json_integer_value(json_object_get(stats, "invoices_open")), 1);
        json_decref(stats);
    }
    json_t *rows = NULL;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->list_rows(f->store.ctx, "contacts", 0, 10, &rows, &err), 0);
    assert_int_equal(json_array_size(rows), 2);
    char key[64];
    snprintf(key, sizeof key, "cu%lld-ca1-d1", (long long)id);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "idem_key")),
                        key);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0),
                                                          "customer_external_id")), "C1");
    json_decref(rows);
    assert_int_equal(f->store.ops->list_rows(f->store.ctx, "events", 0, 10, &rows, &err),
                     -EINVAL);
    assert_string_equal(err.field, "table");
}

/* One batch of record_results in which some customers fail: each row is
 * one customer of the batch and what must become of it; the failing ones
 * leave nothing behind and never cost the others theirs. */
static void test_record_batch_isolates_failures(void **state)
{
    fixture *f = *state;
    int64_t c1 = add_customer(f, "C1", "First");
    int64_t c2 = add_customer(f, "C2", "Second");
    int64_t c3 = add_customer(f, "C3", "Third");
    add_invoice(f, "A1", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    add_invoice(f, "A2", "C2", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    add_invoice(f, "A3", "C3", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate = true;
    assert_int_equal(record(f, c2, true, 1, 900, 900, "planned before", &duplicate), 0);
    assert_false(duplicate);

    static const struct {
        const char *what;
        int         customer;       /* 1..3, or 0 for an id no customer has */
        const char *reason;
        int         rc;
        bool        duplicate;
    } rows[] = {
        { "a new contact",                 1, "day 1 step", 0,       false },
        { "an unknown customer",           0, "day 1 step", -ENOENT, false },
        { "the step planned before",       2, "day 1 step", 0,       true  },
        { "a reason that is not UTF-8",    3, "bad \xff",   -EINVAL, false },
    };
    const int64_t ids[] = { 999999, c1, c2, c3 };
    dn_decision d[COUNT(rows)];
    dn_contact_plan c[COUNT(rows)];
    dn_pass_result r[COUNT(rows)];
    dn_record_outcome outcomes[COUNT(rows)];
    char body[] = "pay please";
    for (size_t i = 0; i < COUNT(rows); i++) {
        d[i] = (dn_decision){ .action = DN_ACT_CONTACT, .step_day = 1, .step_index = 1 };
        dn_strlcpy(d[i].ruleset_version, "0123456789abcdef", sizeof d[i].ruleset_version);
        dn_strlcpy(d[i].segment, "friendly", sizeof d[i].segment);
        dn_strlcpy(d[i].channel, "sms", sizeof d[i].channel);
        dn_strlcpy(d[i].reason, rows[i].reason, sizeof d[i].reason);
        c[i] = (dn_contact_plan){ .scheduled_at = 1000, .body = body, .sms_parts = 1 };
        dn_strlcpy(c[i].channel, "sms", sizeof c[i].channel);
        dn_strlcpy(c[i].address, "+37120000000", sizeof c[i].address);
        r[i] = (dn_pass_result){ .customer_id = ids[rows[i].customer], .decision = &d[i],
                                 .guard_verdict = "allow", .contact = &c[i], .open_case = true,
                                 .anchor_due = day("2024-01-10"), .next_evaluation_at = 5000 };
    }
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->record_results(f->store.ctx, r, (int)COUNT(rows), 1000,
                                                  outcomes, &err), 0);
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].what);
        assert_int_equal(outcomes[i].rc, rows[i].rc);
        assert_int_equal(outcomes[i].duplicate, rows[i].duplicate);
    }
    /* C2's earlier contact and C1's new one; C3 and the unknown id wrote nothing */
    json_t *stats = NULL;
    assert_int_equal(f->store.ops->stats(f->store.ctx, &stats, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "contacts"),
                                                        "planned")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "decisions"),
                                                        "contact")), 2);
    assert_int_equal(json_integer_value(json_object_get(stats, "cases_open")), 2);
    json_decref(stats);
    /* due at 4999: only C3, whose result was refused (C1 and C2 sleep until 5000) */
    dn_facts due[4];
    int n = 0;
    assert_int_equal(f->store.ops->claim_due(f->store.ctx, 4999, 60, due, 4, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(due[0].customer.id, c3);
}

static void test_utf8(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *text;
        bool valid;
    } rows[] = {
        { "O'Brien & S\xC3\xB8n", true },            /* ø */
        { "\xE5\xBC\xA0\xE4\xBC\x9F", true },        /* 张伟 */
        { "Anna \xF0\x9F\x8C\xB7", true },           /* 🌷 */
        { "Zo\xC3\xAB \"quoted\" \\ back", true },
        { "\xF4\x8F\xBF\xBF", true },                /* U+10FFFF, the last one */
        { "", true },
        { "\xC3\x28", false },                       /* lead without continuation */
        { "\x80", false },                           /* stray continuation */
        { "\xC0\xAF", false },                       /* overlong '/' */
        { "\xE0\x80\xAF", false },                   /* overlong '/' in 3 bytes */
        { "\xED\xA0\x80", false },                   /* surrogate U+D800 */
        { "\xF4\x90\x80\x80", false },               /* U+110000 */
        { "\xE5\xBC", false },                       /* cut short */
        { "\xFF", false },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu\n", i);
        assert_int_equal(dn_utf8_valid(rows[i].text), rows[i].valid);
        char external_id[16];
        snprintf(external_id, sizeof external_id, "U%zu", i);
        dn_customer c = { .hold_until = DN_NO_DATE };
        dn_strlcpy(c.external_id, external_id, sizeof c.external_id);
        dn_strlcpy(c.name, rows[i].text, sizeof c.name);
        dn_upsert_outcome outcome;
        dn_err err = { 0 };
        int rc = f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err);
        if (!rows[i].valid) {
            assert_int_equal(rc, -EINVAL);
            assert_string_equal(err.field, "name");
            continue;
        }
        assert_int_equal(rc, 0);
        dn_customer back;
        assert_int_equal(f->store.ops->get_customer(f->store.ctx, external_id, &back, &err), 0);
        assert_string_equal(back.name, rows[i].text);
        json_t *t = timeline(f, external_id);
        assert_string_equal(json_string_value(json_object_get(json_object_get(t, "customer"),
                                                              "name")), rows[i].text);
        json_decref(t);
    }
}

static void test_events_append_only(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Audit Person");   /* logs customer_created */
    static const struct {
        const char *sql;
        bool accepted;
    } rows[] = {
        { "UPDATE events SET kind = 'edited'", false },
        { "UPDATE events SET payload = '{}' WHERE id = 1", false },
        { "DELETE FROM events", false },
        { "DELETE FROM events WHERE id = 1", false },
        { "INSERT INTO events (customer_id, at, kind, payload) VALUES (1, 5, 'note', '{}')", true },
        { "INSERT INTO events (customer_id, at, kind, payload) VALUES (1, 5, 'note', 'not json')",
          false },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].sql);
        assert_int_equal(raw_sql(f, rows[i].sql), rows[i].accepted);
    }
    json_t *t = timeline(f, "C1");
    assert_int_equal(count_events(t, "customer_created"), 1);
    assert_int_equal(count_events(t, "note"), 1);
    json_t *first = json_array_get(json_object_get(t, "events"), 0);
    assert_true(json_is_object(json_object_get(first, "payload")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(first, "payload"),
                                                          "external_id")), "C1");
    json_decref(t);
    dn_err err = { 0 };
    json_t *array = json_array();
    assert_int_equal(f->store.ops->append_event(f->store.ctx, id, "note", array, 1, NULL, &err),
                     -EINVAL);
    json_decref(array);
}

/* A contact's debt and purpose are stored and read back where the guard
 * looks: the facts (calls per debt, reminders of the case however old) and
 * the outbox item the dispatcher re-checks. */
static void test_contact_debt_and_case_reminders(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Debt Person");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    dn_decision d = { .action = DN_ACT_CONTACT, .step_day = 1, .step_index = 1 };
    dn_strlcpy(d.ruleset_version, "0123456789abcdef", sizeof d.ruleset_version);
    dn_strlcpy(d.channel, "voice", sizeof d.channel);
    dn_strlcpy(d.template_name, "overdue", sizeof d.template_name);
    char text[] = "call";
    dn_contact_plan c = { .scheduled_at = 100, .body = text, .purpose = DN_PURPOSE_REMINDER };
    dn_strlcpy(c.channel, "voice", sizeof c.channel);
    dn_strlcpy(c.address, "+37120000000", sizeof c.address);
    dn_strlcpy(c.template_name, "overdue", sizeof c.template_name);
    dn_strlcpy(c.debt_ref, "ACC-9", sizeof c.debt_ref);
    dn_pass_result r = { .customer_id = id, .decision = &d, .guard_verdict = "allow",
                         .contact = &c, .open_case = true, .anchor_due = day("2024-01-10"),
                         .next_evaluation_at = 50 };
    dn_err err = { 0 };
    dn_record_outcome outcome;
    assert_int_equal(f->store.ops->record_results(f->store.ctx, &r, 1, 50, &outcome, &err), 0);
    assert_int_equal(outcome.rc, 0);

    /* 100 days later: the contact is out of the facts' recent history, but
     * the case still counts its reminder */
    static dn_facts facts;
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 60, &facts, &err), 0);
    assert_int_equal(facts.n_contacts, 1);
    assert_string_equal(facts.contacts[0].debt_ref, "ACC-9");
    assert_int_equal(facts.case_reminders, 1);
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 100 * 86400, &facts, &err), 0);
    assert_int_equal(facts.n_contacts, 0);
    assert_int_equal(facts.case_reminders, 1);

    dn_outbox_item *items = NULL;
    int n = 0;
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 150, &items, 10, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].debt_ref, "ACC-9");
    assert_int_equal(items[0].purpose, DN_PURPOSE_REMINDER);
    int64_t contact_id = items[0].id;
    dn_outbox_items_free(items, n);
    /* planned for 100, taken at 150: it counts from the moment it is sent */
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 155, &facts, &err), 0);
    assert_int_equal(facts.contacts[0].at, 150);
    /* deferred again: back to its new planned time */
    assert_int_equal(f->store.ops->reschedule_contact(f->store.ctx, contact_id, 140, "test",
                                                      155, &err), 0);
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 155, &facts, &err), 0);
    assert_int_equal(facts.contacts[0].at, 140);
    /* a cancelled reminder is not one the customer got */
    assert_int_equal(f->store.ops->set_contact_state(f->store.ctx, contact_id, "cancelled", NULL,
                                                     "test", 160, &err), 0);
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 170, &facts, &err), 0);
    assert_int_equal(facts.case_reminders, 0);
}

/* The facts' contact history keeps the contacts the guard counts: after a
 * burst of contacts stopped at the re-check (cancelled), older planned
 * ones still count, so no cap can be passed by crowding them out. */
static void test_facts_keep_counted_contacts(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Busy");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    dn_err err = { 0 };
    for (int k = 0; k < 70; k++)
        assert_int_equal(record(f, id, true, 10 + k, 50, 5000 + k * 60, "stopped", &duplicate),
                         0);
    dn_outbox_item *items = NULL;
    int n = 0;
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 10000, &items, 100, &n, &err), 0);
    assert_int_equal(n, 70);
    for (int k = 0; k < n; k++)
        assert_int_equal(f->store.ops->set_contact_state(f->store.ctx, items[k].id, "cancelled",
                                                         NULL, "paid", 10000, &err), 0);
    dn_outbox_items_free(items, n);
    for (int k = 0; k < 3; k++)
        assert_int_equal(record(f, id, true, 1 + k, 50, 1000 + k * 60, "counted", &duplicate), 0);
    static dn_facts facts;
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 20000, &facts, &err), 0);
    assert_int_equal(facts.n_contacts, DN_FACT_CONTACTS);
    /* most recent first: 61 of the cancelled ones, then the three planned */
    assert_string_equal(facts.contacts[0].state, "cancelled");
    assert_int_equal(facts.contacts[0].at, 10000);
    const dn_time planned_at[3] = { 1120, 1060, 1000 };
    for (int k = 0; k < 3; k++) {
        const dn_fact_contact *c = &facts.contacts[DN_FACT_CONTACTS - 3 + k];
        assert_string_equal(c->state, "planned");
        assert_int_equal(c->at, planned_at[k]);
    }
}

/* The one opt-out confirmation going out (accepted by the provider, or
 * reported delivered) is recorded on the customer, who the guard reads;
 * other contacts change nothing; opting in again clears it. */
static void test_confirmation_sent_is_stored(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Stopped");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    dn_decision d = { .action = DN_ACT_CONTACT, .step_day = 1, .step_index = 1 };
    dn_strlcpy(d.ruleset_version, "0123456789abcdef", sizeof d.ruleset_version);
    char text[] = "confirmed";
    const struct { const char *channel; dn_purpose purpose; int step; } plans[] = {
        { "email", DN_PURPOSE_REMINDER, 1 }, { "sms", DN_PURPOSE_OPTOUT_CONFIRM, 2 },
        { "chat", DN_PURPOSE_OPTOUT_CONFIRM, 3 },
    };
    dn_err err = { 0 };
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        dn_contact_plan c = { .scheduled_at = 100, .body = text, .purpose = plans[i].purpose };
        dn_strlcpy(c.channel, plans[i].channel, sizeof c.channel);
        dn_strlcpy(c.address, "+37120000000", sizeof c.address);
        dn_strlcpy(c.template_name, "optout_confirm", sizeof c.template_name);
        dn_strlcpy(d.channel, plans[i].channel, sizeof d.channel);
        d.step_day = plans[i].step;
        dn_pass_result r = { .customer_id = id, .decision = &d, .guard_verdict = "allow",
                             .contact = &c, .open_case = true, .anchor_due = day("2024-01-10"),
                             .next_evaluation_at = 50 };
        bool duplicate;
        assert_int_equal(record_one(f, &r, 50, &duplicate, &err), 0);
    }
    dn_outbox_item *items = NULL;
    int n = 0;
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 150, &items, 10, &n, &err), 0);
    assert_int_equal(n, 3);
    dn_send_record sent = { .instance = "test" };
    for (int k = 0; k < n; k++) {
        if (strcmp(items[k].channel, "chat") == 0)   /* its report comes first */
            assert_int_equal(f->store.ops->record_receipt(f->store.ctx, items[k].id, NULL,
                                                          "delivered", NULL, 160, &err), 0);
        else
            assert_int_equal(f->store.ops->record_sent(f->store.ctx, items[k].id, &sent, 160,
                                                       &err), 0);
    }
    dn_outbox_items_free(items, n);
    dn_customer back;
    assert_int_equal(f->store.ops->get_customer(f->store.ctx, "C1", &back, &err), 0);
    assert_int_equal(back.opt_out_confirmed, DN_OPTOUT_SMS | DN_OPTOUT_CHAT);
    /* opted out of sms only: the chat one belongs to no opt-out in force */
    back.opt_out = DN_OPTOUT_SMS;
    dn_upsert_outcome outcome;
    assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &back, &outcome, &err), 0);
    assert_int_equal(f->store.ops->get_customer(f->store.ctx, "C1", &back, &err), 0);
    assert_int_equal(back.opt_out_confirmed, DN_OPTOUT_SMS);
}

/* The first contact row of a customer's timeline (caller decrefs t). */
static json_t *first_contact(json_t *t)
{
    return json_array_get(json_object_get(t, "contacts"), 0);
}

/* A promise to pay: refused input names its field; a kept one is pending
 * in the facts, attached to the open case, and makes the customer due. */
static void test_add_promise(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Promising");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, id, true, 1, 50, 100, "first", &duplicate), 0);
    static const struct {
        const char *customer, *currency, *due;
        int64_t amount;
        int rc;
        const char *field;
    } rows[] = {
        { "NOBODY", "EUR", "2024-02-01", 1000, -ENOENT, "customer_id" },
        { "C1", "EUR", "2024-02-01", 0, -EINVAL, "amount_minor" },
        { "C1", "eur", "2024-02-01", 1000, -EINVAL, "currency" },
        { "C1", "EURO", "2024-02-01", 1000, -EINVAL, "currency" },
        { "C1", "EUR", NULL, 1000, -EINVAL, "due" },
        { "C\xFF", "EUR", "2024-02-01", 1000, -EINVAL, "customer_id" },
        { "C1", "EUR", "2024-02-01", 1000, 0, NULL },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s %lld %s\n", i, rows[i].customer, (long long)rows[i].amount,
                      rows[i].currency);
        int64_t promise_id = 0;
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->add_promise(f->store.ctx, rows[i].customer,
                                                   rows[i].amount, rows[i].currency,
                                                   day(rows[i].due), 200, &promise_id, &err),
                         rows[i].rc);
        if (rows[i].rc == 0)
            assert_true(promise_id > 0);
        else
            assert_string_equal(err.field, rows[i].field);
    }
    static dn_facts facts;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, 300, &facts, &err), 0);
    assert_true(facts.promise_pending);
    assert_int_equal(facts.promise_due, day("2024-02-01"));
    /* due now, whatever it was planned for */
    dn_facts due[2];
    int n = 0;
    assert_int_equal(f->store.ops->claim_due(f->store.ctx, 1, 60, due, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    json_t *t = timeline(f, "C1");
    assert_int_equal(count_events(t, "promise_made"), 1);
    json_decref(t);
}

/* Delivery: a claim per channel counts attempts; a provider's acceptance,
 * delivery reports (also one that overtakes the acceptance) and opt-outs
 * by contact, with every refusal the contract names. */
static void test_delivery(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Delivered");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, id, true, 1, 50, 100, "first", &duplicate), 0);
    assert_int_equal(record(f, id, true, 7, 50, 100, "second", &duplicate), 0);

    dn_outbox_item *items = NULL;
    int n = -1;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->claim_outbox_channel(f->store.ctx, 150, "email", &items, 10,
                                                        &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(f->store.ops->claim_outbox_channel(f->store.ctx, 150, "sms", &items, 10,
                                                        &n, &err), 0);
    assert_int_equal(n, 2);
    int64_t first = items[0].id, second = items[1].id;
    char first_key[sizeof items[0].idem_key], second_key[sizeof items[1].idem_key];
    dn_strlcpy(first_key, items[0].idem_key, sizeof first_key);
    dn_strlcpy(second_key, items[1].idem_key, sizeof second_key);
    for (int k = 0; k < n; k++) {
        assert_int_equal(items[k].attempts, 1);
        assert_int_equal(items[k].sms_parts, 1);
        assert_string_equal(items[k].sms_encoding, "gsm7");
        assert_string_equal(items[k].debt_ref, "");
    }
    dn_outbox_items_free(items, n);

    /* the second's delivery report overtakes its acceptance */
    assert_int_equal(f->store.ops->record_receipt(f->store.ctx, second, NULL, "delivered",
                                                  "DLR type 1", 160, &err), 0);
    /* ...and names the provider's message id (Kannel's DLR does: smsbox
     * gives none at send time) */
    assert_int_equal(f->store.ops->record_provider_id(f->store.ctx, second, "m-2a", 165, &err),
                     0);
    const struct {
        int64_t *contact;
        const char *provider_id, *currency, *instance;
        int parts;
        const char *encoding;
        int rc;
        const char *field;
    } sends[] = {
        { &first, "p-1", "EUR", "sms/kannel-a", 3, "ucs2", 0, NULL },
        { &first, "p-1", "EUR", "sms/kannel-a", 0, NULL, -ENOENT, "contact_id" },   /* sent */
        /* keeps delivered, and the id the report named */
        { &second, NULL, "", "sms/kannel-a", 0, NULL, 0, NULL },
        { &second, "bad \xFF", "", "sms", 0, NULL, -EINVAL, "provider_id" },
        { &second, "p-2", "EUR", "bad \xFF", 0, NULL, -EINVAL, "instance" },
    };
    for (size_t i = 0; i < COUNT(sends); i++) {
        print_message("send row %zu\n", i);
        dn_send_record r = { .provider_id = sends[i].provider_id, .instance = sends[i].instance,
                             .cost_minor = 5, .cost_currency = sends[i].currency,
                             .sms_parts = sends[i].parts, .sms_encoding = sends[i].encoding,
                             .detail = "accepted" };
        dn_err e = { 0 };
        assert_int_equal(f->store.ops->record_sent(f->store.ctx, *sends[i].contact, &r, 170, &e),
                         sends[i].rc);
        if (sends[i].rc)
            assert_string_equal(e.field, sends[i].field);
    }
    /* provider ids named by reports: a list of the distinct ones, bounded */
    char long_id[DN_PROVIDER_ID_MAX + 2], id_100[101];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    memset(id_100, 'y', sizeof id_100 - 1);
    id_100[sizeof id_100 - 1] = '\0';
    int64_t unknown = 999999;
    const struct {
        int64_t *contact;
        const char *provider_id;
        int rc;
        const char *field;
    } provider_ids[] = {
        { &second, "m-2b", 0, NULL },
        { &second, "m-2a", 0, NULL },                /* named before: nothing changes */
        { &second, "", -EINVAL, "provider_id" },
        { &second, "m 2", -EINVAL, "provider_id" },
        { &second, "bad \xFF", -EINVAL, "provider_id" },
        { &second, long_id, -EINVAL, "provider_id" },
        { &unknown, "m-9", -ENOENT, "contact_id" },
        { &first, id_100, 0, NULL },                 /* "p-1 " + 100 = 104 bytes */
        { &first, id_100 + 1, 0, NULL },             /* + " " + 99 = 204 bytes */
        { &first, "z123456789z123456789z123456789z123456789z123456789z", -ENOSPC,
          "provider_id" },                           /* + " " + 51 = 256 > 255 */
    };
    for (size_t i = 0; i < COUNT(provider_ids); i++) {
        print_message("provider id row %zu\n", i);
        dn_err e = { 0 };
        assert_int_equal(f->store.ops->record_provider_id(f->store.ctx, *provider_ids[i].contact,
                                                          provider_ids[i].provider_id, 175, &e),
                         provider_ids[i].rc);
        if (provider_ids[i].rc)
            assert_string_equal(e.field, provider_ids[i].field);
    }
    const struct {
        int64_t *contact;          /* NULL: by key alone */
        const char *key, *state;
        int rc;
        const char *field;
    } receipts[] = {
        { &first, NULL, "sent", -EINVAL, "state" },
        { &first, "no-such-key", "delivered", -ENOENT, "contact_id" },
        { NULL, "key \xFF", "delivered", -EINVAL, "idem_key" },
        { NULL, NULL, "delivered", -EINVAL, "contact" },
        { NULL, first_key, "failed", 0, NULL },
        { &first, first_key, "failed", 0, NULL },            /* the same again: nothing */
        { &first, NULL, "delivered", -EALREADY, "state" },
        { &second, second_key, "delivered", 0, NULL },
    };
    for (size_t i = 0; i < COUNT(receipts); i++) {
        print_message("receipt row %zu\n", i);
        dn_err e = { 0 };
        assert_int_equal(f->store.ops->record_receipt(f->store.ctx,
                                                      receipts[i].contact ? *receipts[i].contact
                                                                          : 0,
                                                      receipts[i].key, receipts[i].state,
                                                      "report", 180, &e),
                         receipts[i].rc);
        if (receipts[i].rc)
            assert_string_equal(e.field, receipts[i].field);
    }
    /* the provider's late answer (a timeout: in doubt; a refusal: failed)
     * never overrides what a report settled */
    const struct {
        int64_t *contact;
        const char *state;
        int rc;
        const char *field;
    } late[] = {
        { &second, "in_doubt", -EALREADY, "state" },
        { &first, "failed", -EALREADY, "state" },
        { &unknown, "in_doubt", -ENOENT, "contact_id" },
    };
    for (size_t i = 0; i < COUNT(late); i++) {
        print_message("late outcome row %zu\n", i);
        dn_err e = { 0 };
        assert_int_equal(f->store.ops->set_contact_state(f->store.ctx, *late[i].contact,
                                                         late[i].state, NULL, "late", 185, &e),
                         late[i].rc);
        assert_string_equal(e.field, late[i].field);
    }
    const struct {
        int64_t *contact;
        const char *key;
        unsigned bits;
        int rc;
        const char *field;
    } opt_outs[] = {
        { NULL, second_key, DN_OPTOUT_SMS, 0, NULL },
        { &first, NULL, DN_OPTOUT_EMAIL, 0, NULL },
        { &first, NULL, 0, -EINVAL, "channel" },
        { NULL, "no-such-key", DN_OPTOUT_SMS, -ENOENT, "idem_key" },
        { NULL, "key \xFF", DN_OPTOUT_SMS, -EINVAL, "idem_key" },
    };
    for (size_t i = 0; i < COUNT(opt_outs); i++) {
        print_message("opt-out row %zu\n", i);
        dn_err e = { 0 };
        assert_int_equal(f->store.ops->opt_out_by_contact(f->store.ctx,
                                                          opt_outs[i].contact
                                                              ? *opt_outs[i].contact : 0,
                                                          opt_outs[i].key, opt_outs[i].bits,
                                                          "STOP", 190, &e),
                         opt_outs[i].rc);
        if (opt_outs[i].rc)
            assert_string_equal(e.field, opt_outs[i].field);
    }
    dn_customer c;
    assert_int_equal(f->store.ops->get_customer(f->store.ctx, "C1", &c, &err), 0);
    assert_int_equal(c.opt_out, DN_OPTOUT_SMS | DN_OPTOUT_EMAIL);

    json_t *t = timeline(f, "C1");
    assert_int_equal(count_events(t, "contact_sent"), 2);
    assert_int_equal(count_events(t, "contact_delivered"), 1);
    assert_int_equal(count_events(t, "contact_failed"), 1);
    assert_int_equal(count_events(t, "opt_out"), 2);
    json_t *contact = first_contact(t);
    assert_int_equal(json_integer_value(json_object_get(contact, "id")), first);
    assert_string_equal(json_string_value(json_object_get(contact, "state")), "failed");
    char expected_ids[DN_PROVIDER_IDS_MAX + 1];
    snprintf(expected_ids, sizeof expected_ids, "p-1 %s %s", id_100, id_100 + 1);
    assert_string_equal(json_string_value(json_object_get(contact, "provider_id")),
                        expected_ids);
    assert_int_equal(json_integer_value(json_object_get(contact, "sms_parts")), 3);
    assert_string_equal(json_string_value(json_object_get(contact, "sms_encoding")), "ucs2");
    assert_string_equal(json_string_value(json_object_get(contact, "instance")), "sms/kannel-a");
    assert_int_equal(json_integer_value(json_object_get(contact, "cost_minor")), 5);
    assert_string_equal(json_string_value(json_object_get(contact, "cost_currency")), "EUR");
    assert_int_equal(json_integer_value(json_object_get(contact, "attempts")), 1);
    assert_int_equal(json_integer_value(json_object_get(contact, "sent_at")), 170);
    assert_int_equal(json_integer_value(json_object_get(contact, "final_at")), 180);
    contact = json_array_get(json_object_get(t, "contacts"), 1);
    assert_string_equal(json_string_value(json_object_get(contact, "state")), "delivered");
    assert_true(json_is_null(json_object_get(contact, "cost_currency")));
    assert_string_equal(json_string_value(json_object_get(contact, "provider_id")), "m-2a m-2b");
    /* the report's reason, not the late send record's */
    assert_string_equal(json_string_value(json_object_get(contact, "state_reason")),
                        "DLR type 1");
    assert_int_equal(json_integer_value(json_object_get(contact, "sms_parts")), 1);
    assert_string_equal(json_string_value(json_object_get(contact, "sms_encoding")), "gsm7");
    json_decref(t);
}

/* After a restart: contacts another engine left in "sending" are sent
 * again (requeue_sending) or put in doubt (mark_in_doubt); a store never
 * takes the contacts it is sending itself for a dead engine's. */
static void test_sending_recovery(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Recovered");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, id, true, 1, 50, 100, "first", &duplicate), 0);
    assert_int_equal(record(f, id, true, 7, 50, 100, "second", &duplicate), 0);
    dn_outbox_item *items = NULL;
    int n = -1;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 150, &items, 10, &n, &err), 0);
    assert_int_equal(n, 2);
    dn_outbox_items_free(items, n);

    char schema[4096];
    schema_root(schema, sizeof schema);
    dn_store other;
    assert_int_equal(dn_store_open(&other, f->dsn, schema, &err), 0);
    dn_time later = dn_now() + 60;   /* claims stamp the wall clock */
    static const struct {
        bool own;                    /* this fixture's store (it took them) */
        bool in_doubt;               /* mark_in_doubt, else requeue_sending */
        const char *channel;
        int rc, n;
    } rows[] = {
        { true, false, "sms", 0, 0 },
        { true, true, NULL, 0, 0 },
        { false, false, "", -EINVAL, 0 },
        { false, false, "email", 0, 0 },
        { false, false, "sms", 0, 2 },
        { false, false, "sms", 0, 0 },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu\n", i);
        dn_store *s = rows[i].own ? &f->store : &other;
        int count = -1;
        dn_err e = { 0 };
        int rc = rows[i].in_doubt
                     ? s->ops->mark_in_doubt(s->ctx, later, 200, &count, &e)
                     : s->ops->requeue_sending(s->ctx, rows[i].channel, later, 200, &count, &e);
        assert_int_equal(rc, rows[i].rc);
        if (rc == 0)
            assert_int_equal(count, rows[i].n);
    }
    /* requeued: planned again at 200, taken again (a second attempt) */
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 199, &items, 10, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 200, &items, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].attempts, 2);
    dn_outbox_items_free(items, n);
    int count = -1;
    assert_int_equal(f->store.ops->mark_in_doubt(f->store.ctx, dn_now() + 60, 210, &count, &err),
                     0);
    assert_int_equal(count, 0);
    assert_int_equal(other.ops->mark_in_doubt(other.ctx, dn_now() + 60, 210, &count, &err), 0);
    assert_int_equal(count, 1);
    dn_store_close(&other);
    json_t *t = timeline(f, "C1");
    assert_int_equal(count_events(t, "contact_requeued"), 2);
    assert_int_equal(count_events(t, "contact_in_doubt"), 1);
    json_decref(t);
}

/* A contact taken for dispatch gets the text rendered at send time: the
 * plan's transliterate comes back with the claim, and rewrite_contact
 * replaces subject, body and SMS parts of a contact being sent only. */
static void test_contact_rewrite(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "R1", "Rita");
    add_invoice(f, "RA", "R1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    dn_decision d = { .action = DN_ACT_CONTACT, .step_day = 5, .step_index = 2 };
    dn_strlcpy(d.ruleset_version, "0123456789abcdef", sizeof d.ruleset_version);
    dn_strlcpy(d.segment, "friendly", sizeof d.segment);
    char body[] = "planned 50.00";
    dn_contact_plan c = { .scheduled_at = 100, .body = body, .sms_parts = 1,
                          .transliterate = true };
    dn_strlcpy(c.channel, "sms", sizeof c.channel);
    dn_strlcpy(c.address, "+37120000000", sizeof c.address);
    dn_strlcpy(c.template_name, "overdue", sizeof c.template_name);
    dn_strlcpy(c.sms_encoding, "gsm7", sizeof c.sms_encoding);
    dn_pass_result r = { .customer_id = id, .decision = &d, .contact = &c, .open_case = true,
                         .anchor_due = day("2024-01-10"), .next_evaluation_at = 200 };
    dn_err err = { 0 };
    bool duplicate = false;
    assert_int_equal(record_one(f, &r, 100, &duplicate, &err), 0);
    dn_outbox_item *items = NULL;
    int n = 0;
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 150, &items, 10, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_true(items[0].transliterate);
    int64_t contact = items[0].id;
    dn_outbox_items_free(items, n);
    static const struct {
        int64_t contact_id;              /* 0 = the claimed one */
        const char *body;
        const char *state_before;        /* moved to first, NULL = as it is */
        int rc;
    } rows[] = {
        { 0, "now 30.00 \xE2\x82\xAC", NULL, 0 },
        { 0, "bad \xFF", NULL, -EINVAL },
        { 999, "x", NULL, -ENOENT },
        { 0, "too late", "sent", -ENOENT },   /* only a contact being sent */
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu\n", i);
        if (rows[i].state_before)
            assert_int_equal(f->store.ops->set_contact_state(f->store.ctx, contact,
                                                             rows[i].state_before, NULL, NULL,
                                                             300, &err), 0);
        assert_int_equal(f->store.ops->rewrite_contact(f->store.ctx,
                                                       rows[i].contact_id ? rows[i].contact_id
                                                                          : contact,
                                                       "Subject 2", rows[i].body, 2, "ucs2",
                                                       250, &err), rows[i].rc);
    }
    json_t *t = timeline(f, "R1");
    json_t *row = json_array_get(json_object_get(t, "contacts"), 0);
    assert_string_equal(json_string_value(json_object_get(row, "body")), "now 30.00 \xE2\x82\xAC");
    assert_string_equal(json_string_value(json_object_get(row, "subject")), "Subject 2");
    assert_int_equal(json_integer_value(json_object_get(row, "sms_parts")), 2);
    assert_string_equal(json_string_value(json_object_get(row, "sms_encoding")), "ucs2");
    json_decref(t);
}

static void test_claim_outbox(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Outbox Person");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, id, true, 1, 50, 100, "first", &duplicate), 0);
    assert_int_equal(record(f, id, true, 7, 50, 200, "second \xE2\x82\xAC", &duplicate), 0);
    static const struct {
        dn_time now;
        int max;
        const char *bodies[3];   /* NULL-terminated, in claim order */
    } rows[] = {
        { 99, 10, { NULL } },
        { 150, 10, { "first", NULL } },
        { 150, 10, { NULL } },             /* already sending: never twice */
        { 250, 10, { "second \xE2\x82\xAC", NULL } },
        { 250, 10, { NULL } },
    };
    int64_t first_id = 0;
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: now %lld\n", i, (long long)rows[i].now);
        dn_outbox_item *items = NULL;
        int n = -1;
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, rows[i].now, &items,
                                                    rows[i].max, &n, &err), 0);
        int expected = 0;
        while (rows[i].bodies[expected])
            expected++;
        assert_int_equal(n, expected);
        for (int k = 0; k < n; k++) {
            assert_string_equal(items[k].body, rows[i].bodies[k]);
            assert_string_equal(items[k].customer_external_id, "C1");
            assert_string_equal(items[k].channel, "sms");
            assert_true(items[k].case_id > 0);
            if (!first_id)
                first_id = items[k].id;
        }
        dn_outbox_items_free(items, n);
    }
    static const struct {
        int64_t contact_id;   /* 0 = the first claimed one */
        const char *state;
        int rc;
    } moves[] = {
        { 0, "sent", 0 }, { 0, "delivered", 0 }, { 0, "bogus", -EINVAL }, { 999, "sent", -ENOENT },
    };
    for (size_t i = 0; i < COUNT(moves); i++) {
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->set_contact_state(f->store.ctx,
                                                         moves[i].contact_id ? moves[i].contact_id
                                                                             : first_id,
                                                         moves[i].state, "prov-1", NULL, 300,
                                                         &err),
                         moves[i].rc);
    }
    json_t *t = timeline(f, "C1");
    assert_int_equal(count_events(t, "contact_sent"), 1);
    assert_int_equal(count_events(t, "contact_delivered"), 1);
    json_t *contact = json_array_get(json_object_get(t, "contacts"), 0);
    assert_string_equal(json_string_value(json_object_get(contact, "state")), "delivered");
    assert_string_equal(json_string_value(json_object_get(contact, "provider_id")), "prov-1");
    size_t i;
    json_t *event;
    int checked = 0;
    json_array_foreach(json_object_get(t, "events"), i, event) {
        if (strcmp(json_string_value(json_object_get(event, "kind")), "contact_sent") != 0)
            continue;
        json_t *payload = json_object_get(event, "payload");
        assert_string_equal(json_string_value(json_object_get(payload, "provider_id")), "prov-1");
        assert_int_equal(json_integer_value(json_object_get(payload, "contact_id")), first_id);
        assert_null(json_object_get(payload, "reason"));
        checked++;
    }
    assert_int_equal(checked, 1);
    json_decref(t);
}

static void test_lists(void **state)
{
    fixture *f = *state;
    static const char *const customers[] = { "C3", "C1", "C2" };
    for (size_t i = 0; i < COUNT(customers); i++)
        add_customer(f, customers[i], "List Person");
    static const struct {
        const char *after;
        int limit;
        int rc;
        const char *expect[4];
    } rows[] = {
        { "", 2, 0, { "C1", "C2", NULL } },
        { "C2", 2, 0, { "C3", NULL } },
        { "C3", 2, 0, { NULL } },
        { "", 0, -EINVAL, { NULL } },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: after '%s'\n", i, rows[i].after);
        json_t *list = NULL;
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->list_customers(f->store.ctx, rows[i].after,
                                                      rows[i].limit, &list, &err), rows[i].rc);
        if (rows[i].rc < 0)
            continue;
        size_t expected = 0;
        while (rows[i].expect[expected])
            expected++;
        assert_int_equal(json_array_size(list), expected);
        for (size_t k = 0; k < expected; k++) {
            json_t *c = json_array_get(list, k);
            assert_string_equal(json_string_value(json_object_get(c, "external_id")),
                                rows[i].expect[k]);
            assert_true(json_is_integer(json_object_get(c, "next_evaluation_at")));
            assert_true(json_is_null(json_object_get(c, "hold_until")));
        }
        json_decref(list);
    }
    json_t *out = NULL;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->timeline(f->store.ctx, "nobody", &out, &err), -ENOENT);
    assert_int_equal(f->store.ops->list_invoices(f->store.ctx, "nobody", "", 5, &out, &err),
                     -ENOENT);
    json_t *t = timeline(f, "C2");
    static const char *const keys[] = { "customer", "invoices", "payments", "cases",
                                        "decisions", "contacts", "events" };
    for (size_t i = 0; i < COUNT(keys); i++)
        assert_non_null(json_object_get(t, keys[i]));
    json_decref(t);
    json_t *files = json_pack("[{s:s}]", "file", "rules.lua");
    /* new → 0; the same again (a restart on the same rules) → 1; another
     * version → 0; back to the first → 0 (it differs from the one loaded last) */
    assert_int_equal(f->store.ops->record_ruleset(f->store.ctx, "0123456789abcdef", files, &err), 0);
    assert_int_equal(f->store.ops->record_ruleset(f->store.ctx, "0123456789abcdef", files, &err), 1);
    assert_int_equal(f->store.ops->record_ruleset(f->store.ctx, "fedcba9876543210", files, &err), 0);
    assert_int_equal(f->store.ops->record_ruleset(f->store.ctx, "0123456789abcdef", files, &err), 0);
    assert_int_equal(f->store.ops->record_ruleset(f->store.ctx, "0123456789abcdef", files, &err), 1);
    json_decref(files);
}

/* Plans one contact of customer_id on channel to address (a decision of
 * step_day with purpose) at `at`, opening the case on the first, and takes
 * it for dispatch: its contact id. */
static int64_t plan_and_take(fixture *f, int64_t customer_id, const char *channel,
                             const char *address, int step_day, dn_purpose purpose, dn_time at)
{
    dn_decision d = { .action = DN_ACT_CONTACT, .step_day = step_day, .step_index = 1,
                      .purpose = purpose };
    dn_strlcpy(d.ruleset_version, "0123456789abcdef", sizeof d.ruleset_version);
    dn_strlcpy(d.segment, "friendly", sizeof d.segment);
    dn_strlcpy(d.channel, channel, sizeof d.channel);
    char body[] = "formal notice";
    dn_contact_plan c = { .scheduled_at = at, .body = body, .purpose = purpose };
    dn_strlcpy(c.channel, channel, sizeof c.channel);
    dn_strlcpy(c.address, address, sizeof c.address);
    dn_pass_result r = { .customer_id = customer_id, .decision = &d, .contact = &c,
                         .open_case = true, .anchor_due = day("2024-01-10"),
                         .next_evaluation_at = at };
    dn_err err = { 0 };
    bool duplicate = true;
    assert_int_equal(record_one(f, &r, at, &duplicate, &err), 0);
    assert_false(duplicate);
    dn_outbox_item *items = NULL;
    int n = 0;
    assert_int_equal(f->store.ops->claim_outbox_channel(f->store.ctx, at, channel, &items, 4, &n,
                                                        &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].purpose, purpose);
    int64_t id = items[0].id;
    dn_outbox_items_free(items, n);
    return id;
}

/* The formal notice of a case counts as given from the moment its contact
 * is sent (or delivered), on that UTC day — but a letter only from the
 * posting day recorded for it; planned, failed or another case's notice
 * does not count. */
static void test_notice_fact(void **state)
{
    fixture *f = *state;
    const dn_time noon = (dn_time)day("2024-02-01") * 86400 + 12 * 3600;
    static const struct {
        const char *channel;
        const char *state;        /* what the notice contact becomes; NULL = left planned */
        dn_time sent_after;       /* seconds after noon */
        const char *posted;       /* the letter's posting day recorded, or NULL */
        const char *posted_on;    /* the fact; NULL = not given */
        bool at_known;            /* notice_posted_at is the moment it was sent */
    } rows[] = {
        { "letter", "failed", 60, NULL, NULL, false },
        { "letter", "sent", 60, NULL, NULL, false },          /* written, not posted yet */
        { "letter", "sent", 60, "2024-02-03", "2024-02-03", false },
        { "email", "sent", 60, NULL, "2024-02-01", true },
        { "email", "delivered", 13 * 3600, NULL, "2024-02-02", true },   /* 01:00 UTC */
        { "letter", NULL, 0, NULL, NULL, false },             /* last: it stays planned */
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s %s\n", i, rows[i].channel,
                      rows[i].state ? rows[i].state : "planned");
        char customer[16], invoice[16];
        snprintf(customer, sizeof customer, "N%zu", i);
        snprintf(invoice, sizeof invoice, "NI%zu", i);
        int64_t id = add_customer(f, customer, "Notice Person");
        add_invoice(f, invoice, customer, "EUR", 5000, "2024-01-10", DN_INV_OPEN);
        dn_err err = { 0 };
        if (rows[i].state) {
            /* handed to its channel (sent_at) sent_after seconds after noon */
            int64_t contact = plan_and_take(f, id, rows[i].channel, "", 21, DN_PURPOSE_NOTICE,
                                            noon + rows[i].sent_after);
            assert_int_equal(f->store.ops->set_contact_state(f->store.ctx, contact,
                                                             rows[i].state, NULL, NULL,
                                                             noon + rows[i].sent_after, &err), 0);
            char external[DN_ID_MAX];
            if (rows[i].posted)
                assert_int_equal(f->store.ops->record_letter_posted(
                                     f->store.ctx, contact, day(rows[i].posted),
                                     noon + 5 * 86400, external, &err), 0);
        } else {
            dn_decision d = { .action = DN_ACT_CONTACT, .step_day = 21, .step_index = 3,
                              .purpose = DN_PURPOSE_NOTICE };
            dn_strlcpy(d.ruleset_version, "0123456789abcdef", sizeof d.ruleset_version);
            dn_strlcpy(d.segment, "friendly", sizeof d.segment);
            dn_strlcpy(d.channel, "letter", sizeof d.channel);
            char body[] = "formal notice";
            dn_contact_plan c = { .scheduled_at = noon, .body = body,
                                  .purpose = DN_PURPOSE_NOTICE };
            dn_strlcpy(c.channel, "letter", sizeof c.channel);
            dn_pass_result r = { .customer_id = id, .decision = &d, .contact = &c,
                                 .open_case = true, .anchor_due = day("2024-01-10"),
                                 .next_evaluation_at = noon };
            bool duplicate = true;
            assert_int_equal(record_one(f, &r, noon, &duplicate, &err), 0);
        }
        dn_facts facts;
        assert_int_equal(f->store.ops->load_facts(f->store.ctx, id, noon + 6 * 86400, &facts,
                                                   &err), 0);
        assert_true(facts.case_id > 0);
        assert_int_equal(facts.notice_posted, rows[i].posted_on != NULL);
        assert_int_equal(facts.notice_posted_on, rows[i].posted_on ? day(rows[i].posted_on)
                                                                   : DN_NO_DATE);
        assert_int_equal(facts.notice_posted_at,
                         rows[i].at_known ? noon + rows[i].sent_after : 0);
    }
}

/* The print room records the day a letter was posted: not before it was
 * written, not in the future, once (the same day again is fine), for
 * written letters only; the customer is due at once. */
static void test_letter_posted(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "L1", "Letter Person");
    add_invoice(f, "LA", "L1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    const dn_time written = (dn_time)day("2024-03-01") * 86400 + 10 * 3600;
    const dn_time now = (dn_time)day("2024-03-05") * 86400 + 8 * 3600;   /* +14 h: still 03-05 */
    dn_err err = { 0 };
    int64_t letter = plan_and_take(f, id, "letter", "", 7, DN_PURPOSE_NOTICE, written);
    dn_send_record sent = { .instance = "letter" };
    assert_int_equal(f->store.ops->record_sent(f->store.ctx, letter, &sent, written, &err), 0);
    int64_t unwritten = plan_and_take(f, id, "letter", "", 8, DN_PURPOSE_REMINDER, written);
    int64_t email = plan_and_take(f, id, "email", "l@example.lv", 9, DN_PURPOSE_REMINDER,
                                  written);
    assert_int_equal(f->store.ops->record_sent(f->store.ctx, email, &sent, written, &err), 0);
    int64_t unknown = 999999;
    const struct {
        int64_t *contact;
        const char *day;
        int rc;
        const char *field;
    } rows[] = {
        { &letter, "2024-02-29", -EINVAL, "posted_on" },      /* before it was written */
        { &letter, "2024-03-06", -EINVAL, "posted_on" },      /* tomorrow */
        { &unwritten, "2024-03-02", -EEXIST, "id" },          /* still being sent */
        { &email, "2024-03-02", -ENOENT, "id" },              /* not a letter */
        { &unknown, "2024-03-02", -ENOENT, "id" },
        { &letter, "2024-03-02", 0, NULL },
        { &letter, "2024-03-02", 0, NULL },                   /* the same again */
        { &letter, "2024-03-03", -EEXIST, "posted_on" },      /* another day */
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("posting row %zu\n", i);
        char external[DN_ID_MAX] = "";
        dn_err e = { 0 };
        assert_int_equal(f->store.ops->record_letter_posted(f->store.ctx, *rows[i].contact,
                                                            day(rows[i].day), now, external, &e),
                         rows[i].rc);
        if (rows[i].rc == 0)
            assert_string_equal(external, "L1");
        else
            assert_string_equal(e.field, rows[i].field);
    }
    json_t *t = timeline(f, "L1");
    assert_int_equal(count_events(t, "letter_posted"), 1);
    json_decref(t);
    dn_facts due[2];
    int n = 0;
    assert_int_equal(f->store.ops->claim_due(f->store.ctx, 1, 60, due, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_true(due[0].notice_posted);
    assert_int_equal(due[0].notice_posted_on, day("2024-03-02"));
}

/* A hard bounce marks the address the contact went to — while it is still
 * the customer's — and makes the customer due; a bounce of a message to a
 * former address marks nothing. */
static void test_mark_undeliverable(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "U1", "Bounce Person");
    add_invoice(f, "UA", "U1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    const dn_time at = (dn_time)day("2024-03-01") * 86400;
    dn_customer c;
    dn_upsert_outcome outcome;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->get_customer(f->store.ctx, "U1", &c, &err), 0);
    dn_strlcpy(c.email, "anna@old.lv", sizeof c.email);
    assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    int64_t to_old = plan_and_take(f, id, "email", "anna@old.lv", 1, DN_PURPOSE_REMINDER, at);
    dn_strlcpy(c.email, "anna@new.lv", sizeof c.email);
    assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    int64_t to_new = plan_and_take(f, id, "email", "anna@new.lv", 2, DN_PURPOSE_REMINDER, at);
    int64_t letter = plan_and_take(f, id, "letter", "", 3, DN_PURPOSE_REMINDER, at);
    int64_t unknown = 999999;
    const struct {
        int64_t *contact;
        const char *key;
        int rc;
        const char *field;
        unsigned after;           /* the customer's undeliverable bits afterwards */
    } rows[] = {
        { &to_old, NULL, 0, NULL, 0 },                       /* a former address: nothing */
        { &to_new, NULL, 0, NULL, DN_OPTOUT_EMAIL },
        { &to_new, NULL, 0, NULL, DN_OPTOUT_EMAIL },         /* again: still marked */
        { &to_new, "not-its-key", -ENOENT, "contact_id", DN_OPTOUT_EMAIL },
        { &letter, NULL, -EINVAL, "channel", DN_OPTOUT_EMAIL },
        { &unknown, NULL, -ENOENT, "contact_id", DN_OPTOUT_EMAIL },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("bounce row %zu\n", i);
        dn_err e = { 0 };
        assert_int_equal(f->store.ops->mark_undeliverable(f->store.ctx, *rows[i].contact,
                                                          rows[i].key, "550 5.1.1 no such user",
                                                          at + 60, &e),
                         rows[i].rc);
        if (rows[i].rc)
            assert_string_equal(e.field, rows[i].field);
        assert_int_equal(f->store.ops->get_customer(f->store.ctx, "U1", &c, &err), 0);
        assert_int_equal(c.undeliverable, rows[i].after);
    }
    /* a report that settles nothing is an event on the contact's customer */
    json_t *delayed = json_pack("{s:s, s:s}", "action", "delayed", "status", "4.4.7");
    json_t *not_object = json_string("delayed");
    const struct {
        int64_t *contact;
        const char *key, *kind;
        json_t *payload;
        int rc;
        const char *field;
    } events[] = {
        { &to_new, NULL, "delivery_status", delayed, 0, NULL },
        { &to_new, "not-its-key", "delivery_status", delayed, -ENOENT, "contact_id" },
        { &unknown, NULL, "delivery_status", delayed, -ENOENT, "contact_id" },
        { &to_new, NULL, "", delayed, -EINVAL, "kind" },
        { &to_new, NULL, "delivery_status", not_object, -EINVAL, "payload" },
    };
    for (size_t i = 0; i < COUNT(events); i++) {
        print_message("contact event row %zu\n", i);
        dn_err e = { 0 };
        assert_int_equal(f->store.ops->append_contact_event(f->store.ctx, *events[i].contact,
                                                            events[i].key, events[i].kind,
                                                            events[i].payload, at + 90, &e),
                         events[i].rc);
        if (events[i].rc)
            assert_string_equal(e.field, events[i].field);
    }
    json_decref(delayed);
    json_decref(not_object);
    json_t *t = timeline(f, "U1");
    assert_int_equal(count_events(t, "address_undeliverable"), 3);
    assert_int_equal(count_events(t, "delivery_status"), 1);
    size_t k;
    json_t *ev;
    json_array_foreach(json_object_get(t, "events"), k, ev)
        if (strcmp(json_string_value(json_object_get(ev, "kind")), "delivery_status") == 0)
            assert_int_equal(json_integer_value(json_object_get(json_object_get(ev, "payload"),
                                                                "contact_id")), to_new);
    json_decref(t);
    dn_facts due[2];
    int n = 0;
    assert_int_equal(f->store.ops->claim_due(f->store.ctx, 1, 60, due, 2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(due[0].customer.undeliverable, DN_OPTOUT_EMAIL);
}

/* Inbound chat messages find their customer by the numeric chat id or the
 * sender's username, case-insensitively and without a leading '@'; the chat
 * id wins, then the oldest customer; nothing matches an empty handle. */
static void test_chat_sender(void **state)
{
    fixture *f = *state;
    static const struct { const char *id, *chat; } customers[] = {
        { "C-AT", "@Anna_B" }, { "C-ID", "4242" }, { "C-CARL", "carl" },
        { "C-NONE", "" }, { "C-DUP1", "@dup" }, { "C-DUP2", "DUP" },
    };
    for (size_t i = 0; i < COUNT(customers); i++) {
        dn_customer c = { .hold_until = DN_NO_DATE };
        dn_strlcpy(c.external_id, customers[i].id, sizeof c.external_id);
        dn_strlcpy(c.name, "Chat Person", sizeof c.name);
        dn_strlcpy(c.language, "lv", sizeof c.language);
        dn_strlcpy(c.chat, customers[i].chat, sizeof c.chat);
        dn_upsert_outcome outcome;
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    }
    static const struct {
        const char *chat_id, *username, *customer;   /* customer NULL: refused */
        int rc;
        const char *field;
    } rows[] = {
        { "4242", NULL, "C-ID", 0, NULL },
        { "999", "anna_b", "C-AT", 0, NULL },
        { "999", "ANNA_B", "C-AT", 0, NULL },
        { "999", "@anna_b", "C-AT", 0, NULL },
        { "4242", "anna_b", "C-ID", 0, NULL },        /* the chat id wins over the older one */
        { "999", "Carl", "C-CARL", 0, NULL },
        { "999", "dup", "C-DUP1", 0, NULL },          /* two handles: the oldest customer */
        { "999", NULL, NULL, -ENOENT, "from" },
        { "999", "", NULL, -ENOENT, "from" },         /* never the customer without a handle */
        { "999", "nobody", NULL, -ENOENT, "from" },
        { "", "anna_b", NULL, -EINVAL, "chat_id" },
        { "999", "bad \xFF", NULL, -EINVAL, "username" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("chat row %zu\n", i);
        char external[DN_ID_MAX] = "";
        dn_err err = { 0 };
        assert_int_equal(f->store.ops->find_chat_customer(f->store.ctx, rows[i].chat_id,
                                                          rows[i].username, external, &err),
                         rows[i].rc);
        if (rows[i].rc == 0)
            assert_string_equal(external, rows[i].customer);
        else
            assert_string_equal(err.field, rows[i].field);
    }
}

/* ---- the channel modules' operations (store_modules.h) ---- */

static const dn_store_module_ops *modules(fixture *f)
{
    return f->store.ops->modules;
}

/* The id of the contact C's first decision planned (record() with a plan). */
static int64_t planned_contact(fixture *f, const char *customer)
{
    json_t *t = timeline(f, customer);
    int64_t id = json_integer_value(json_object_get(first_contact(t), "id"));
    json_decref(t);
    assert_true(id > 0);
    return id;
}

static const char *text_of(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Agent tasks: created once per contact, taken best first (priority, then
 * age) and never twice, back in the queue when a lease ends or a snooze is
 * over, locked and changed by the module, listed undone first. */
static void test_agent_tasks(void **state)
{
    fixture *f = *state;
    int64_t c1 = add_customer(f, "C1", "Anna Ozola");
    int64_t c2 = add_customer(f, "C2", "Boris Petrov");
    int64_t c3 = add_customer(f, "C3", "Cara Lee");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, c1, true, 30, 50, 60, "call brief", &duplicate), 0);
    int64_t contact = planned_contact(f, "C1");
    dn_err err = { 0 };
    const struct {
        int64_t customer, contact;
        const char *source;
        int priority;
        int rc;
    } creates[] = {
        { c1, 0, "reply", 10, 0 },          /* T1 */
        { c2, 0, "reply", 30, 0 },          /* T2 */
        { c3, 0, "voice", 30, 0 },          /* T3: T2's priority, younger */
        { c1, contact, "rules", 20, 0 },    /* T4 */
        { c1, contact, "rules", 20, -EEXIST },  /* queued before: T4 again */
        { c1, 0, "robot", 10, -EINVAL },    /* not a source */
    };
    int64_t task[5] = { 0 };
    for (size_t i = 0; i < COUNT(creates); i++) {
        print_message("create row %zu\n", i);
        dn_task_new t = { creates[i].customer, creates[i].contact, creates[i].source, "why",
                          creates[i].priority };
        int64_t id = 0;
        dn_err e = { 0 };
        assert_int_equal(modules(f)->task_create(f->store.ctx, &t, 100, &id, &e),
                         creates[i].rc);
        if (i < 4)
            task[i + 1] = id;
    }
    for (int i = 2; i <= 4; i++)
        assert_true(task[i] > task[i - 1]);
    /* the duplicate named the task the contact has */
    dn_task_new again = { c1, contact, "rules", "why", 20 };
    int64_t id = 0;
    assert_int_equal(modules(f)->task_create(f->store.ctx, &again, 100, &id, &err), -EEXIST);
    assert_int_equal(id, task[4]);

    static const struct {
        dn_time now;
        const char *agent;
        int lease;
        int expect;          /* task number (T1..T4), 0 = nothing waiting */
    } takes[] = {
        { 100, "a", 60, 2 },       /* priority 30, the older of the two */
        { 100, "b", 600, 3 },
        { 100, "c", 600, 4 },
        { 100, "d", 600, 1 },
        { 100, "e", 600, 0 },      /* everything is taken */
        { 160, "e", 600, 0 },      /* a's lease ends at 160: still a's */
        { 161, "e", 600, 2 },      /* ... and is over at 161 */
        { 161, "f", 600, 0 },
    };
    for (size_t i = 0; i < COUNT(takes); i++) {
        print_message("take row %zu: %s at %lld\n", i, takes[i].agent, (long long)takes[i].now);
        int64_t taken = -1;
        assert_int_equal(modules(f)->task_take(f->store.ctx, takes[i].agent, takes[i].now,
                                               takes[i].lease, &taken, &err), 0);
        assert_int_equal(taken, takes[i].expect ? task[takes[i].expect] : 0);
    }

    dn_task_row row;
    assert_int_equal(modules(f)->task_lock(f->store.ctx, task[2], &row, &err), 1);
    assert_int_equal(row.customer_id, c2);
    assert_int_equal(row.contact_id, 0);
    assert_string_equal(row.state, "taken");
    assert_string_equal(row.agent, "e");
    assert_int_equal(row.taken_until, 761);
    assert_int_equal(modules(f)->task_lock(f->store.ctx, task[4], &row, &err), 1);
    assert_int_equal(row.contact_id, contact);
    assert_int_equal(modules(f)->task_lock(f->store.ctx, 999999, &row, &err), 0);

    /* T3 back in the queue, snoozed until 500 */
    assert_int_equal(modules(f)->task_requeue(f->store.ctx, task[3], 500, 170, &err), 0);
    assert_int_equal(modules(f)->task_lock(f->store.ctx, task[3], &row, &err), 1);
    assert_string_equal(row.state, "open");
    assert_string_equal(row.agent, "");
    assert_int_equal(row.taken_until, 0);
    static const struct { dn_time now; int expect; } snoozed[] = { { 499, 0 }, { 500, 3 } };
    for (size_t i = 0; i < COUNT(snoozed); i++) {
        int64_t taken = -1;
        assert_int_equal(modules(f)->task_take(f->store.ctx, "g", snoozed[i].now, 600, &taken,
                                               &err), 0);
        assert_int_equal(taken, snoozed[i].expect ? task[snoozed[i].expect] : 0);
    }

    /* T4 done: its row as the API shows it */
    assert_int_equal(modules(f)->task_close(f->store.ctx, task[4], "promise", "pays Friday",
                                            180, &err), 0);
    json_t *got = NULL;
    assert_int_equal(modules(f)->task_get(f->store.ctx, task[4], &got, &err), 1);
    assert_int_equal(json_integer_value(json_object_get(got, "id")), task[4]);
    assert_string_equal(text_of(got, "customer_id"), "C1");
    assert_string_equal(text_of(got, "customer_name"), "Anna Ozola");
    assert_string_equal(text_of(got, "language"), "lv");
    assert_string_equal(text_of(got, "phone"), "+37120000000");
    assert_int_equal(json_integer_value(json_object_get(got, "contact_id")), contact);
    assert_string_equal(text_of(got, "source"), "rules");
    assert_string_equal(text_of(got, "reason"), "why");
    assert_int_equal(json_integer_value(json_object_get(got, "priority")), 20);
    assert_string_equal(text_of(got, "state"), "done");
    assert_string_equal(text_of(got, "agent"), "c");
    assert_true(json_is_null(json_object_get(got, "taken_until")));
    assert_int_equal(json_integer_value(json_object_get(got, "snoozed_until")), 0);
    assert_string_equal(text_of(got, "outcome"), "promise");
    assert_string_equal(text_of(got, "note"), "pays Friday");
    assert_int_equal(json_integer_value(json_object_get(got, "created_at")), 100);
    assert_int_equal(json_integer_value(json_object_get(got, "updated_at")), 180);
    json_decref(got);
    got = NULL;
    assert_int_equal(modules(f)->task_get(f->store.ctx, 999999, &got, &err), 0);
    assert_null(got);

    static const struct {
        const char *state;
        int limit, rc;
        int expect[5];       /* task numbers in list order, 0-terminated */
    } lists[] = {
        { "", 10, 0, { 2, 3, 1, 4, 0 } },   /* undone by priority and id, then done */
        { "taken", 10, 0, { 2, 3, 1, 0 } },
        { "done", 10, 0, { 4, 0 } },
        { "open", 10, 0, { 0 } },
        { "", 2, 0, { 2, 3, 0 } },
        { "", 0, -EINVAL, { 0 } },
    };
    for (size_t i = 0; i < COUNT(lists); i++) {
        print_message("list row %zu: '%s'\n", i, lists[i].state);
        json_t *list = NULL;
        dn_err e = { 0 };
        assert_int_equal(modules(f)->task_list(f->store.ctx, lists[i].state, lists[i].limit,
                                               &list, &e), lists[i].rc);
        if (lists[i].rc)
            continue;
        size_t n = 0;
        while (lists[i].expect[n])
            n++;
        assert_int_equal(json_array_size(list), n);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(json_integer_value(json_object_get(json_array_get(list, k), "id")),
                             task[lists[i].expect[k]]);
        json_decref(list);
    }
}

/* A contact's outcome and state as callbacks and agents record them:
 * NULL keeps what is there; an unknown contact is -ENOENT. */
static void test_contact_outcome(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Outcome Person");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, id, true, 1, 50, 60, "body", &duplicate), 0);
    int64_t contact = planned_contact(f, "C1");
    static const struct {
        const char *state, *outcome;
        int rc;
        const char *state_after, *outcome_after;
    } rows[] = {
        { NULL, "no_answer", 0, "planned", "no_answer" },
        { "answered", "conversation", 0, "answered", "conversation" },
        { "failed", NULL, 0, "failed", "conversation" },
        { "lost", NULL, -EINVAL, "failed", "conversation" },   /* not a state */
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu\n", i);
        dn_err err = { 0 };
        assert_int_equal(modules(f)->contact_outcome(f->store.ctx, contact, rows[i].state,
                                                     rows[i].outcome, 70 + (dn_time)i, &err),
                         rows[i].rc);
        json_t *t = timeline(f, "C1");
        assert_string_equal(text_of(first_contact(t), "state"), rows[i].state_after);
        assert_string_equal(text_of(first_contact(t), "outcome"), rows[i].outcome_after);
        json_decref(t);
    }
    dn_err err = { 0 };
    assert_int_equal(modules(f)->contact_outcome(f->store.ctx, 999999, NULL, "busy", 80, &err),
                     -ENOENT);
    /* append_event hands out the id of the event it wrote */
    int64_t event_id = 0;
    assert_int_equal(f->store.ops->append_event(f->store.ctx, id, "note", NULL, 90, &event_id,
                                                &err), 0);
    json_t *t = timeline(f, "C1");
    json_t *events = json_object_get(t, "events");
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    assert_int_equal(json_integer_value(json_object_get(last, "id")), event_id);
    assert_string_equal(text_of(last, "kind"), "note");
    json_decref(t);
}

/* Claims n deliveries on store s at now_ms (lease 10 s); their ids into
 * ids[] and attempts into attempts[] (either may be NULL). */
static int claim_deliveries(dn_store *s, int64_t now_ms, int64_t *ids, int *attempts)
{
    dn_webhook_delivery *list = NULL;
    int n = -1;
    dn_err err = { 0 };
    assert_int_equal(s->ops->modules->webhook_claim(s->ctx, now_ms, 10, 8, &list, &n, &err), 0);
    for (int i = 0; i < n; i++) {
        if (ids)
            ids[i] = list[i].id;
        if (attempts)
            attempts[i] = list[i].attempts;
    }
    dn_webhook_deliveries_free(list, n);
    return n;
}

/* Webhook deliveries: one per event and enabled endpoint; claimed head of
 * their (endpoint, customer) queue only, by one store connection at a time
 * until the lease ends; outcomes count only from the claim's holder;
 * released, listed, replayed. Two connections stand for two engines. */
static void test_webhook_claims(void **state)
{
    fixture *f = *state;
    int64_t c1 = add_customer(f, "C1", "Hook One");
    int64_t c2 = add_customer(f, "C2", "Hook Two");
    dn_err err = { 0 };
    const char *names[] = { "crm" }, *urls[] = { "http://127.0.0.1:9/hook" };
    assert_int_equal(modules(f)->webhook_endpoints(f->store.ctx, names, urls, 1, &err), 0);
    int64_t customers[] = { c1, c2, c1, 0 }, event[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(f->store.ops->append_event(f->store.ctx, customers[i], "note", NULL,
                                                    500 + i, &event[i], &err), 0);
    char schema[4096];
    schema_root(schema, sizeof schema);
    dn_store other;
    assert_int_equal(dn_store_open(&other, f->dsn, schema, &err), 0);

    /* the heads: e1 (C1), e2 (C2), e4 (no customer); e3 waits behind e1 */
    int64_t ids[8];
    int attempts[8];
    assert_int_equal(claim_deliveries(&f->store, 1000, ids, attempts), 3);
    int64_t d1 = ids[0], d2 = ids[1], d4 = ids[2];
    assert_int_equal(attempts[0], 1);
    assert_int_equal(claim_deliveries(&other, 1000, NULL, NULL), 0);
    assert_int_equal(modules(f)->webhook_record(f->store.ctx, d1, "delivered", 200, NULL, 0,
                                                1, &err), 1);
    /* C1's next one may go now, to the other engine */
    assert_int_equal(claim_deliveries(&other, 1001, ids, NULL), 1);
    int64_t d3 = ids[0];
    assert_true(d3 > d2 && d3 < d4);
    const struct {
        bool other;
        int64_t *id;
        const char *state;
        long status;
        const char *error;
        int64_t next_ms;
        int rc;
    } outcomes[] = {
        { false, &d3, "pending", 500, "HTTP status 500", 5000, 0 },   /* not its holder */
        { true, &d3, "pending", 500, "HTTP status 500", 5000, 1 },
        { true, &d3, "pending", 500, "HTTP status 500", 5000, 0 },    /* no longer sending */
    };
    for (size_t i = 0; i < COUNT(outcomes); i++) {
        print_message("outcome row %zu\n", i);
        dn_store *s = outcomes[i].other ? &other : &f->store;
        assert_int_equal(s->ops->modules->webhook_record(s->ctx, *outcomes[i].id,
                                                         outcomes[i].state, outcomes[i].status,
                                                         outcomes[i].error, outcomes[i].next_ms,
                                                         2, &err), outcomes[i].rc);
    }
    /* d3 waits for its retry at 5000; d2 and d4 are the first store's */
    assert_int_equal(claim_deliveries(&other, 4999, NULL, NULL), 0);
    /* the first store's lease (1000 + 10 s) ends: the other engine takes over */
    assert_int_equal(claim_deliveries(&other, 11001, ids, attempts), 3);
    assert_int_equal(ids[0], d2);
    assert_int_equal(ids[1], d3);
    assert_int_equal(ids[2], d4);
    for (int i = 0; i < 3; i++)
        assert_int_equal(attempts[i], 2);
    assert_int_equal(modules(f)->webhook_record(f->store.ctx, d2, "delivered", 200, NULL, 0, 12,
                                                &err), 0);
    assert_int_equal(other.ops->modules->webhook_release(other.ctx, &err), 0);
    dn_store_close(&other);

    static const struct {
        const char *state;
        int64_t after;
        int limit, rc, n;
    } lists[] = {
        { "", 0, 10, 0, 4 }, { "sending", 0, 10, 0, 0 }, { "pending", 0, 10, 0, 3 },
        { "delivered", 0, 10, 0, 1 }, { "", 0, 2, 0, 2 }, { "", 0, 0, -EINVAL, 0 },
    };
    for (size_t i = 0; i < COUNT(lists); i++) {
        print_message("list row %zu: '%s'\n", i, lists[i].state);
        json_t *got = NULL;
        dn_err e = { 0 };
        assert_int_equal(modules(f)->webhook_list(f->store.ctx, lists[i].state, lists[i].after,
                                                  lists[i].limit, &got, &e), lists[i].rc);
        if (lists[i].rc == 0)
            assert_int_equal(json_array_size(got), lists[i].n);
        json_decref(got);
    }
    json_t *got = NULL;
    assert_int_equal(modules(f)->webhook_get(f->store.ctx, d1, &got, &err), 1);
    assert_string_equal(text_of(got, "endpoint"), "crm");
    assert_int_equal(json_integer_value(json_object_get(got, "event_id")), event[0]);
    assert_string_equal(text_of(got, "event_type"), "note");
    assert_string_equal(text_of(got, "customer_id"), "C1");
    assert_string_equal(text_of(got, "state"), "delivered");
    assert_int_equal(json_integer_value(json_object_get(got, "attempts")), 1);
    assert_int_equal(json_integer_value(json_object_get(got, "last_status")), 200);
    assert_true(json_is_null(json_object_get(got, "last_error")));
    assert_int_equal(json_integer_value(json_object_get(got, "delivered_at")), 1);
    json_decref(got);
    got = NULL;
    assert_int_equal(modules(f)->webhook_get(f->store.ctx, d4, &got, &err), 1);
    assert_true(json_is_null(json_object_get(got, "customer_id")));
    json_decref(got);
    assert_int_equal(modules(f)->webhook_get(f->store.ctx, 999999, &got, &err), 0);

    const struct { int64_t *id; int rc; } replays[] = {
        { &d1, 0 },            /* delivered: from attempt 1 again */
        { &d1, -EEXIST },      /* now pending */
        { &d2, -EEXIST },
    };
    for (size_t i = 0; i < COUNT(replays); i++) {
        dn_err e = { 0 };
        assert_int_equal(modules(f)->webhook_replay(f->store.ctx, *replays[i].id, &e),
                         replays[i].rc);
    }
    assert_int_equal(modules(f)->webhook_get(f->store.ctx, d1, &got, &err), 1);
    assert_string_equal(text_of(got, "state"), "pending");
    assert_int_equal(json_integer_value(json_object_get(got, "attempts")), 0);
    json_decref(got);
    /* no endpoint enabled: nothing is claimed, the deliveries wait */
    assert_int_equal(modules(f)->webhook_endpoints(f->store.ctx, names, urls, 0, &err), 0);
    assert_int_equal(claim_deliveries(&f->store, 99000, NULL, NULL), 0);
}

/* What inbound replies need: the sender by phone or chat handle, an
 * opt-out of everyone on one contact point, the one confirmation per key,
 * the last contact marked replied, and a message applied once. */
static void test_reply_operations(void **state)
{
    fixture *f = *state;
    /* add_customer gives everyone the phone +37120000000 */
    int64_t c1 = add_customer(f, "C1", "Shared One");
    int64_t c2 = add_customer(f, "C2", "Shared Two");
    add_customer(f, "C3", "Shared Three");
    dn_err err = { 0 };
    /* one Telegram user, spelled two ways (C3 has no chat handle) */
    const char *handles[] = { "@Anna_B", "anna_b" };
    for (int i = 0; i < 2; i++) {
        dn_customer c;
        dn_upsert_outcome outcome;
        assert_int_equal(f->store.ops->get_customer(f->store.ctx, i ? "C2" : "C1", &c, &err), 0);
        dn_strlcpy(c.chat, handles[i], sizeof c.chat);
        assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    }
    static const struct {
        const char *channel, *address;
        int rc;
        const char *expect;      /* external id found */
    } finds[] = {
        { "sms", "+37120000000", 1, "C1" },    /* the lowest id of those on it */
        { "sms", "37120000000", 0, NULL },     /* the module tries the '+' form itself */
        { "chat", "+37120000000", 0, NULL },
        { "chat", "ANNA_B", 1, "C1" },         /* any case, no '@' */
        { "chat", "@anna_b", 1, "C1" },
        { "chat", "", 0, NULL },               /* never the customer without a handle */
        { "fax", "+37120000000", -EINVAL, NULL },
    };
    for (size_t i = 0; i < COUNT(finds); i++) {
        print_message("find row %zu\n", i);
        dn_customer c;
        dn_err e = { 0 };
        assert_int_equal(modules(f)->customer_find_by_address(f->store.ctx, finds[i].channel,
                                                              finds[i].address, &c, &e),
                         finds[i].rc);
        if (finds[i].rc == 1)
            assert_string_equal(c.external_id, finds[i].expect);
    }
    /* C3 is opted out of SMS already: only C2 is among the others */
    dn_customer c;
    assert_int_equal(f->store.ops->get_customer(f->store.ctx, "C3", &c, &err), 0);
    c.opt_out = DN_OPTOUT_SMS;
    dn_upsert_outcome outcome;
    assert_int_equal(f->store.ops->upsert_customer(f->store.ctx, &c, &outcome, &err), 0);
    static const struct {
        const char *channel, *address;
        int rc;
        bool news;                    /* C1 was not opted out of the channel before */
        size_t others;
        unsigned c1_bits, c2_bits;
    } opt_outs[] = {
        { "chat", "", 0, true, 0, DN_OPTOUT_CHAT, 0 },
        /* the same handle in another spelling is the same contact point */
        { "chat", "@ANNA_B", 0, false, 1, DN_OPTOUT_CHAT, DN_OPTOUT_CHAT },
        { "sms", "+37120000000", 0, true, 1, DN_OPTOUT_CHAT | DN_OPTOUT_SMS,
          DN_OPTOUT_CHAT | DN_OPTOUT_SMS },
        { "sms", "+37120000000", 0, false, 0, DN_OPTOUT_CHAT | DN_OPTOUT_SMS,
          DN_OPTOUT_CHAT | DN_OPTOUT_SMS },
        { "email", "", -EINVAL, false, 0, DN_OPTOUT_CHAT | DN_OPTOUT_SMS,
          DN_OPTOUT_CHAT | DN_OPTOUT_SMS },
    };
    for (size_t i = 0; i < COUNT(opt_outs); i++) {
        print_message("opt-out row %zu\n", i);
        int64_t *others = NULL;
        size_t n = 99;
        bool news = !opt_outs[i].news;
        dn_err e = { 0 };
        assert_int_equal(modules(f)->opt_out_address(f->store.ctx, c1, opt_outs[i].channel,
                                                     opt_outs[i].address, 100, &news, &others,
                                                     &n, &e),
                         opt_outs[i].rc);
        if (opt_outs[i].rc == 0) {
            assert_int_equal(news, opt_outs[i].news);
            assert_int_equal(n, opt_outs[i].others);
            if (n)
                assert_int_equal(others[0], c2);
        }
        free(others);
        dn_customer got;
        assert_int_equal(f->store.ops->get_customer(f->store.ctx, "C1", &got, &err), 0);
        assert_int_equal(got.opt_out, opt_outs[i].c1_bits);
        assert_int_equal(f->store.ops->get_customer(f->store.ctx, "C2", &got, &err), 0);
        assert_int_equal(got.opt_out, opt_outs[i].c2_bits);
    }

    /* the one confirmation per key; the open case is its case */
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, c1, true, 1, 50, 60, "reminder", &duplicate), 0);
    char body[] = "Jūs esat atteicies";
    dn_contact_plan plan = { .body = body, .scheduled_at = 110,
                             .purpose = DN_PURPOSE_OPTOUT_CONFIRM };
    dn_strlcpy(plan.idem_key, "optout-confirm-cu1-sms", sizeof plan.idem_key);
    dn_strlcpy(plan.channel, "sms", sizeof plan.channel);
    dn_strlcpy(plan.address, "+37120000000", sizeof plan.address);
    dn_strlcpy(plan.template_name, "optout_confirm", sizeof plan.template_name);
    dn_strlcpy(plan.language, "lv", sizeof plan.language);
    int64_t first = 0, second = -1;
    assert_int_equal(modules(f)->contact_plan(f->store.ctx, c1, &plan, 110, &first, &err), 0);
    assert_true(first > 0);
    assert_int_equal(modules(f)->contact_plan(f->store.ctx, c1, &plan, 111, &second, &err), 0);
    assert_int_equal(second, 0);
    dn_strlcpy(plan.idem_key, "bad \xFF", sizeof plan.idem_key);
    assert_int_equal(modules(f)->contact_plan(f->store.ctx, c1, &plan, 112, &second, &err),
                     -EINVAL);
    assert_string_equal(err.field, "idem_key");
    /* the reminder (sent) is the one replied to, never the confirmation */
    dn_outbox_item *items = NULL;
    int n = 0;
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 200, &items, 10, &n, &err), 0);
    assert_int_equal(n, 2);
    for (int i = 0; i < n; i++) {
        dn_send_record r = { .provider_id = "p" };
        assert_int_equal(f->store.ops->record_sent(f->store.ctx, items[i].id, &r, 201, &err), 0);
    }
    dn_outbox_items_free(items, n);
    assert_int_equal(modules(f)->contact_mark_replied(f->store.ctx, c1, "sms", 210, &err), 0);
    assert_int_equal(modules(f)->contact_mark_replied(f->store.ctx, c2, "sms", 210, &err), 0);
    json_t *t = timeline(f, "C1");
    json_t *contacts = json_object_get(t, "contacts");
    assert_int_equal(json_array_size(contacts), 2);
    assert_string_equal(text_of(json_array_get(contacts, 0), "state"), "replied");
    assert_string_equal(text_of(json_array_get(contacts, 1), "idem_key"), "optout-confirm-cu1-sms");
    assert_string_equal(text_of(json_array_get(contacts, 1), "state"), "sent");
    assert_true(json_integer_value(json_object_get(json_array_get(contacts, 1), "case_id")) > 0);
    json_decref(t);

    /* applied once: claimed, settled, seen by a second store connection */
    char digest[65];
    json_t *key = json_pack("[s, s, s, s]", "sms", "+37120000000", "", "mo-1");
    assert_int_equal(dn_store_inbound_digest(key, digest, &err), 0);
    json_decref(key);
    assert_int_equal(strlen(digest), 64);
    assert_int_equal(f->store.ops->begin(f->store.ctx, &err), 0);
    json_t *earlier = NULL;
    assert_int_equal(modules(f)->inbound_claim(f->store.ctx, "reply", digest, 300, &earlier,
                                               &err), 0);
    assert_null(earlier);
    json_t *result = json_pack("{s:s, s:I}", "classification", "promise", "event_id", 7);
    assert_int_equal(modules(f)->inbound_settle(f->store.ctx, "reply", digest, c1, result, &err),
                     0);
    json_decref(result);
    assert_int_equal(f->store.ops->commit(f->store.ctx, &err), 0);
    char schema[4096];
    schema_root(schema, sizeof schema);
    dn_store other;
    assert_int_equal(dn_store_open(&other, f->dsn, schema, &err), 0);
    static const struct { const char *source; int rc; } claims[] = {
        { "reply", 1 },          /* the same key: applied before */
        { "call", 0 },           /* another source's key space */
    };
    for (size_t i = 0; i < COUNT(claims); i++) {
        assert_int_equal(other.ops->begin(other.ctx, &err), 0);
        earlier = NULL;
        assert_int_equal(other.ops->modules->inbound_claim(other.ctx, claims[i].source, digest,
                                                           301, &earlier, &err), claims[i].rc);
        if (claims[i].rc == 1) {
            assert_string_equal(text_of(earlier, "classification"), "promise");
            assert_int_equal(json_integer_value(json_object_get(earlier, "event_id")), 7);
        }
        json_decref(earlier);
        other.ops->rollback(other.ctx);
    }
    /* a claim rolled back leaves nothing: the key is new again */
    assert_int_equal(other.ops->begin(other.ctx, &err), 0);
    assert_int_equal(other.ops->modules->inbound_claim(other.ctx, "call", digest, 302, &earlier,
                                                       &err), 0);
    other.ops->rollback(other.ctx);
    dn_store_close(&other);
}

/* Callbacks find their contact by id or by the provider's id, on its
 * channel only. */
static void test_contact_find(void **state)
{
    fixture *f = *state;
    int64_t id = add_customer(f, "C1", "Find Person");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, id, true, 1, 50, 60, "first", &duplicate), 0);
    assert_int_equal(record(f, id, true, 7, 50, 60, "second", &duplicate), 0);
    dn_outbox_item *items = NULL;
    int n = 0;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 100, &items, 10, &n, &err), 0);
    assert_int_equal(n, 2);
    int64_t first = items[0].id, second = items[1].id;
    dn_outbox_items_free(items, n);
    /* both handed to one provider id: the latest is the one it names */
    for (int i = 0; i < 2; i++) {
        dn_send_record r = { .provider_id = "call-9" };
        assert_int_equal(f->store.ops->record_sent(f->store.ctx, i ? second : first, &r, 110,
                                                   &err), 0);
    }
    const struct {
        int64_t *id;
        const char *provider, *channel;
        int rc;
        int64_t *expect;
    } finds[] = {
        { &first, NULL, "sms", 1, &first },
        { &first, NULL, "voice", 0, NULL },      /* another channel's contact */
        { NULL, "call-9", "sms", 1, &second },
        { NULL, "call-8", "sms", 0, NULL },
    };
    for (size_t i = 0; i < COUNT(finds); i++) {
        print_message("find row %zu\n", i);
        dn_contact_ref ref;
        assert_int_equal(modules(f)->contact_find(f->store.ctx, finds[i].id ? *finds[i].id : 0,
                                                  finds[i].provider, finds[i].channel, &ref,
                                                  &err), finds[i].rc);
        if (finds[i].rc == 1) {
            assert_int_equal(ref.id, *finds[i].expect);
            assert_int_equal(ref.customer_id, id);
            assert_string_equal(ref.customer_external_id, "C1");
            assert_string_equal(ref.state, "sent");
            assert_int_equal(ref.created_at, 50);
            assert_int_equal(ref.updated_at, 110);
        }
    }
}

/* ---- MariaDB only: DSN, refused data, reconnection ---- */

static void test_mariadb_dsn(void **state)
{
    (void)state;
    static const struct {
        const char *dsn;
        int rc;
        const char *user, *password, *host, *database, *socket;
        unsigned port, read_timeout;
    } rows[] = {
        { "mariadb://dunning:s3cret@127.0.0.1:3307/dunning", 0,
          "dunning", "s3cret", "127.0.0.1", "dunning", "", 3307, 30 },
        { "mariadb://app:p%40ss%3Aword@db.example/prod_1", 0,
          "app", "p@ss:word", "db.example", "prod_1", "", 0, 30 },
        { "mariadb://root@/dunning?socket=/run/mysqld/mysqld.sock&read_timeout=5", 0,
          "root", "", "", "dunning", "/run/mysqld/mysqld.sock", 0, 5 },
        { "mariadb://localhost/d", 0, "", "", "localhost", "d", "", 0, 30 },
        { "mariadb:///dunning", -EINVAL, NULL, NULL, NULL, NULL, NULL, 0, 0 },  /* no host */
        { "mariadb://h:0/d", -EINVAL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
        { "mariadb://h:33a/d", -EINVAL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
        { "mariadb://h/d?socket=", -EINVAL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
        { "mariadb://h/d?write_timeout=3601", -EINVAL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
        { "mariadb://h/d;drop", -EINVAL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
        { "sqlite:x.db", -EINVAL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].dsn);
        dn_mariadb_dsn d;
        dn_err err = { 0 };
        assert_int_equal(dn_mariadb_dsn_parse(rows[i].dsn, &d, &err), rows[i].rc);
        if (rows[i].rc < 0) {
            assert_string_equal(err.field, "dsn");
            continue;
        }
        assert_string_equal(d.user, rows[i].user);
        assert_string_equal(d.password, rows[i].password);
        assert_string_equal(d.host, rows[i].host);
        assert_string_equal(d.database, rows[i].database);
        assert_string_equal(d.socket, rows[i].socket);
        assert_int_equal(d.port, rows[i].port);
        assert_int_equal(d.read_timeout, rows[i].read_timeout);
        assert_int_equal(d.connect_timeout, 5);
    }
}

/* What the struct buffers let through but a column is too short for comes
 * back as -E2BIG naming the column, and nothing of the write stays. */
static void test_mariadb_refused(void **state)
{
    fixture *f = *state;
    if (!f->mariadb)
        skip();
    int64_t id = add_customer(f, "C1", "Refused Person");
    add_invoice(f, "A", "C1", "EUR", 5000, "2024-01-10", DN_INV_OPEN);
    bool duplicate;
    assert_int_equal(record(f, id, true, 1, 50, 100, "body", &duplicate), 0);
    dn_outbox_item *items = NULL;
    int n = 0;
    dn_err err = { 0 };
    assert_int_equal(f->store.ops->claim_outbox(f->store.ctx, 150, &items, 4, &n, &err), 0);
    assert_int_equal(n, 1);
    int64_t contact_id = items[0].id;
    dn_outbox_items_free(items, n);
    char provider_id[300];
    memset(provider_id, 'x', sizeof provider_id - 1);   /* 299 > VARCHAR(255) */
    provider_id[sizeof provider_id - 1] = '\0';
    char kind[80];
    memset(kind, 'k', sizeof kind - 1);                 /* 79 > VARCHAR(63) */
    kind[sizeof kind - 1] = '\0';
    static const struct { int which; const char *field; } rows[] = {
        { 0, "provider_id" }, { 1, "kind" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].field);
        dn_err_clear(&err);
        int rc = rows[i].which == 0
            ? f->store.ops->set_contact_state(f->store.ctx, contact_id, "sent", provider_id, NULL,
                                              200, &err)
            : f->store.ops->append_event(f->store.ctx, id, kind, NULL, 200, NULL, &err);
        assert_int_equal(rc, -E2BIG);
        assert_string_equal(err.field, rows[i].field);
    }
    /* the refused state change left the contact as it was, with no event */
    json_t *t = timeline(f, "C1");
    json_t *contact = json_array_get(json_object_get(t, "contacts"), 0);
    assert_string_equal(json_string_value(json_object_get(contact, "state")), "sending");
    assert_true(json_is_null(json_object_get(contact, "provider_id")));
    assert_int_equal(count_events(t, "contact_sent"), 0);
    json_decref(t);
}

/* The server drops the store's connection: the next call fails with -EIO,
 * the one after reconnects and works; a caller's transaction that spanned
 * the drop is reported lost at commit. */
static void test_mariadb_reconnect(void **state)
{
    fixture *f = *state;
    if (!f->mariadb)
        skip();
    add_customer(f, "C1", "Reconnect Person");
    static const struct { bool in_transaction; } rows[] = { { false }, { true } };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].in_transaction ? "in a transaction" : "alone");
        dn_err err = { 0 };
        if (rows[i].in_transaction)
            assert_int_equal(f->store.ops->begin(f->store.ctx, &err), 0);
        /* kill every connection to the test's database but this one */
        MYSQL *admin = maria_connect(NULL);
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '%s' "
                 "AND ID <> CONNECTION_ID()", f->database);
        assert_int_equal(mysql_query(admin, sql), 0);
        MYSQL_RES *res = mysql_store_result(admin);
        assert_non_null(res);
        int killed = 0;
        MYSQL_ROW row;
        while ((row = mysql_fetch_row(res))) {
            snprintf(sql, sizeof sql, "KILL CONNECTION %s", row[0]);
            assert_int_equal(mysql_query(admin, sql), 0);
            killed++;
        }
        mysql_free_result(res);
        mysql_close(admin);
        assert_int_equal(killed, 1);
        dn_customer c;
        assert_int_equal(f->store.ops->get_customer(f->store.ctx, "C1", &c, &err), -EIO);
        if (rows[i].in_transaction) {
            /* the rest of the lost transaction is refused, not written alone */
            assert_int_equal(f->store.ops->touch_customer(f->store.ctx, 1, 5, &err), -EIO);
            assert_string_equal(err.field, "store");
            assert_int_equal(f->store.ops->commit(f->store.ctx, &err), -EIO);
            assert_string_equal(err.field, "store");
        }
        assert_int_equal(f->store.ops->get_customer(f->store.ctx, "C1", &c, &err), 0);
        assert_string_equal(c.name, "Reconnect Person");
        json_t *list = NULL;
        assert_int_equal(f->store.ops->list_customers(f->store.ctx, "", 10, &list, &err), 0);
        /* the refused touch (next_evaluation_at 5) never happened */
        assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0),
                                                            "next_evaluation_at")), 0);
        json_decref(list);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_dsn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_customer_idempotency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_customer_guard_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invoice_idempotency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_standing_credit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_open_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_batch_isolates_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facts_keep_oldest_invoices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pass_plans_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact_rewrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact_debt_and_case_reminders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facts_keep_counted_contacts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirmation_sent_is_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_promise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sending_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notice_fact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chat_sender, setup, teardown),
        cmocka_unit_test_setup_teardown(test_letter_posted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_undeliverable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decision_step_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_tasks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact_outcome, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webhook_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_operations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact_find, setup, teardown),
        cmocka_unit_test(test_mariadb_dsn),
        cmocka_unit_test_setup_teardown(test_mariadb_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mariadb_reconnect, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
