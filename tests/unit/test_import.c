/*
 * test_import.c — the NDJSON and CSV importers and the per-record checks,
 * against an in-memory store written here (so the importer is tested on
 * its own). The fake store follows store.h's contract: upserts keyed by
 * external id, invoices keep amount/currency, payments are immutable, and
 * begin/rollback restore a snapshot. It can be told to fail a commit or to
 * fail one record with -EIO, to prove a bad chunk never blocks good rows.
 * Expected counts and error lines are worked out by hand from the inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))
/* The engine's clock in these tests: 2026-03-01T12:00:00Z (20513 days). */
#define NOW ((dn_time)20513 * 86400 + 12 * 3600)
#define FAKE_MAX 64

typedef struct fake_data {
    dn_customer customers[FAKE_MAX];
    int         n_customers;
    dn_invoice  invoices[FAKE_MAX];
    int         n_invoices;
    dn_payment  payments[FAKE_MAX];
    int         n_payments;
} fake_data;

typedef struct fake_store {
    fake_data data, snapshot;
    bool      in_transaction;
    int       commits, rollbacks;
    int       fail_commits;        /* commits still to fail */
    const char *io_fail_id;        /* customer external id whose write fails with -EIO */
} fake_store;

static int fake_upsert_customer(void *ctx, dn_customer *c, dn_upsert_outcome *outcome, dn_err *err)
{
    fake_store *f = ctx;
    if (f->io_fail_id && strcmp(c->external_id, f->io_fail_id) == 0)
        return dn_err_set(err, -EIO, NULL, "disk on fire");
    for (int i = 0; i < f->data.n_customers; i++) {
        dn_customer *have = &f->data.customers[i];
        if (strcmp(have->external_id, c->external_id) != 0)
            continue;
        c->id = have->id;
        *outcome = memcmp(have, c, sizeof *c) == 0 ? DN_UPSERT_SAME : DN_UPSERT_UPDATED;
        *have = *c;
        return 0;
    }
    assert_true(f->data.n_customers < FAKE_MAX);
    c->id = f->data.n_customers + 1;
    f->data.customers[f->data.n_customers++] = *c;
    *outcome = DN_UPSERT_CREATED;
    return 0;
}

static int fake_get_customer(void *ctx, const char *id, dn_customer *out, dn_err *err)
{
    fake_store *f = ctx;
    for (int i = 0; i < f->data.n_customers; i++)
        if (strcmp(f->data.customers[i].external_id, id) == 0) {
            *out = f->data.customers[i];
            return 0;
        }
    return dn_err_set(err, -ENOENT, "external_id", "no customer %s", id);
}

static int fake_upsert_invoice(void *ctx, dn_invoice *inv, dn_upsert_outcome *outcome, dn_err *err)
{
    fake_store *f = ctx;
    for (int i = 0; i < f->data.n_invoices; i++) {
        dn_invoice *have = &f->data.invoices[i];
        if (strcmp(have->external_id, inv->external_id) != 0)
            continue;
        if (have->amount_minor != inv->amount_minor)
            return dn_err_set(err, -EEXIST, "amount_minor", "amount differs");
        inv->id = have->id;
        *outcome = have->status == inv->status && have->due == inv->due ? DN_UPSERT_SAME
                                                                        : DN_UPSERT_UPDATED;
        *have = *inv;
        return 0;
    }
    assert_true(f->data.n_invoices < FAKE_MAX);
    inv->id = f->data.n_invoices + 1;
    f->data.invoices[f->data.n_invoices++] = *inv;
    *outcome = DN_UPSERT_CREATED;
    return 0;
}

static int fake_get_invoice(void *ctx, const char *id, dn_invoice *out, dn_err *err)
{
    fake_store *f = ctx;
    for (int i = 0; i < f->data.n_invoices; i++)
        if (strcmp(f->data.invoices[i].external_id, id) == 0) {
            *out = f->data.invoices[i];
            return 0;
        }
    return dn_err_set(err, -ENOENT, "external_id", "no invoice %s", id);
}

static int fake_add_payment(void *ctx, dn_payment *p, dn_upsert_outcome *outcome, dn_err *err)
{
    fake_store *f = ctx;
    for (int i = 0; i < f->data.n_payments; i++) {
        dn_payment *have = &f->data.payments[i];
        if (strcmp(have->external_id, p->external_id) != 0)
            continue;
        if (have->amount_minor != p->amount_minor)
            return dn_err_set(err, -EEXIST, "amount_minor", "payment %s exists", p->external_id);
        *outcome = DN_UPSERT_SAME;
        return 0;
    }
    assert_true(f->data.n_payments < FAKE_MAX);
    f->data.payments[f->data.n_payments++] = *p;
    *outcome = DN_UPSERT_CREATED;
    return 0;
}

static int fake_begin(void *ctx, dn_err *err)
{
    fake_store *f = ctx;
    assert_false(f->in_transaction);
    f->snapshot = f->data;
    f->in_transaction = true;
    return 0;
}

static int fake_commit(void *ctx, dn_err *err)
{
    fake_store *f = ctx;
    assert_true(f->in_transaction);
    if (f->fail_commits > 0) {
        f->fail_commits--;
        return dn_err_set(err, -EIO, NULL, "commit failed");
    }
    f->in_transaction = false;
    f->commits++;
    return 0;
}

static int fake_rollback(void *ctx)
{
    fake_store *f = ctx;
    assert_true(f->in_transaction);
    f->data = f->snapshot;
    f->in_transaction = false;
    f->rollbacks++;
    return 0;
}

static const dn_store_ops fake_ops = {
    .name = "fake",
    .upsert_customer = fake_upsert_customer,
    .get_customer = fake_get_customer,
    .upsert_invoice = fake_upsert_invoice,
    .get_invoice = fake_get_invoice,
    .add_payment = fake_add_payment,
    .begin = fake_begin,
    .commit = fake_commit,
    .rollback = fake_rollback,
};

static fake_store *fake_new(dn_store *s)
{
    fake_store *f = calloc(1, sizeof *f);
    assert_non_null(f);
    s->ops = &fake_ops;
    s->ctx = f;
    return f;
}

typedef struct expected_error {
    long line;
    const char *field;
    const char *code;
} expected_error;

static void check_report(const dn_import_report *rep, long created, long updated, long unchanged,
                         long rejected, const expected_error *errors, size_t n_errors)
{
    assert_int_equal(rep->created, created);
    assert_int_equal(rep->updated, updated);
    assert_int_equal(rep->unchanged, unchanged);
    assert_int_equal(rep->accepted, created + updated + unchanged);
    assert_int_equal(rep->rejected, rejected);
    assert_int_equal(rep->n_errors, (int)n_errors);
    for (size_t i = 0; i < n_errors; i++) {
        print_message("error %zu: line %ld %s %s: %s\n", i, rep->errors[i].line,
                      rep->errors[i].field, rep->errors[i].code, rep->errors[i].message);
        assert_int_equal(rep->errors[i].line, errors[i].line);
        assert_string_equal(rep->errors[i].field, errors[i].field);
        assert_string_equal(rep->errors[i].code, errors[i].code);
    }
}

/* Good rows land, bad rows are reported with their exact line. */
static void test_ndjson_mixed(void **state)
{
    static const char input[] =
        "{\"type\":\"customer\",\"external_id\":\"C1\",\"name\":\"Anna Ozola\"}\n"      /* 1 */
        "{\"type\":\"invoice\",\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":"
        "\"EUR\",\"amount_minor\":10000,\"due\":\"2026-02-01\"}\n"                        /* 2 */
        "\n"                                                                              /* 3 */
        "{\"type\":\"invoice\",\"external_id\":\"I2\",\"customer_id\":\"C1\",\"currency\":"
        "\"EUR\",\"amount_minor\":-5}\n"                                                  /* 4 */
        "{\"type\":\"customer\",\"external_id\":\"C2\",\"name\":\"Zo\xc3\xab\"}\r\n"      /* 5 */
        "{\"type\":\"customer\",\"external_id\":\"C3\",\n"                                /* 6 */
        "{\"external_id\":\"C4\",\"name\":\"X\"}\n"                                       /* 7 */
        "{\"type\":\"debt\",\"external_id\":\"C4\",\"name\":\"X\"}\n"                     /* 8 */
        "{\"type\":\"invoice\",\"external_id\":\"I3\",\"customer_id\":\"C9\",\"currency\":"
        "\"EUR\",\"amount_minor\":100}\n"                                                 /* 9 */
        "{\"type\":\"invoice\",\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":"
        "\"EUR\",\"amount_minor\":999}\n"                                                 /* 10 */
        "{\"type\":\"payment\",\"external_id\":\"P1\",\"customer_id\":\"C1\",\"invoice_id\":"
        "\"I1\",\"currency\":\"EUR\",\"amount_minor\":5000,\"paid_on\":\"2026-02-03\"}\n" /* 11 */
        "{\"type\":\"payment\",\"external_id\":\"P2\",\"customer_id\":\"C1\",\"invoice_id\":"
        "\"I1\",\"currency\":\"USD\",\"amount_minor\":5000,\"paid_on\":\"2026-02-03\"}\n" /* 12 */
        "{\"type\":\"customer\",\"external_id\":\"C1\",\"name\":\"Anna Ozola\"}\n"      /* 13 */
        "{\"type\":\"customer\",\"external_id\":\"C1\",\"name\":\"Anna Ozola-Berzina\"}\n" /* 14 */
        "[1]\n"                                                                           /* 15 */
        "{\"type\":\"customer\",\"external_id\":\"C5\",\"name\":\"A\",\"x\":{\"y\":{}}}\n" /* 16 */
        "{\"type\":\"customer\",\"external_id\":\"C6\",\"name\":\"A\",\"name\":\"B\"}";   /* 17 */
    static const expected_error errors[] = {
        { 4, "amount_minor", "invalid" },
        { 6, "", "malformed_json" },
        { 7, "type", "required" },
        { 8, "type", "invalid" },
        { 9, "customer_id", "unknown_reference" },
        { 10, "amount_minor", "conflict" },
        { 12, "currency", "invalid" },
        { 15, "", "invalid" },
        { 16, "", "too_deep" },
        { 17, "", "malformed_json" },
    };
    dn_store s;
    fake_store *f = fake_new(&s);
    dn_import_report rep;
    dn_err err;
    import_report_init(&rep);
    assert_int_equal(import_ndjson_buffer(&s, input, sizeof input - 1, 2, NOW, &rep, &err), 0);
    /* created C1 I1 C2 P1; unchanged C1 (13); updated C1 (14) */
    check_report(&rep, 4, 1, 1, 10, errors, COUNT(errors));
    assert_int_equal(f->data.n_customers, 2);
    assert_string_equal(f->data.customers[0].name, "Anna Ozola-Berzina");
    assert_string_equal(f->data.customers[1].name, "Zo\xc3\xab");
    assert_int_equal(f->data.invoices[0].amount_minor, 10000);
    assert_int_equal(f->data.n_payments, 1);
    json_t *j = import_report_json(&rep);
    assert_int_equal(json_integer_value(json_object_get(j, "rejected")), 10);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 10);
    json_decref(j);
    import_report_free(&rep);
    free(f);
}

/* A failed commit, or a storage error inside a chunk, rolls the chunk back
 * and writes its rows again one by one: only the broken row is lost. */
static void test_chunk_retry(void **state)
{
    static const char input[] =
        "{\"type\":\"customer\",\"external_id\":\"C1\",\"name\":\"A\"}\n"
        "{\"type\":\"customer\",\"external_id\":\"BAD\",\"name\":\"B\"}\n"
        "{\"type\":\"customer\",\"external_id\":\"C3\",\"name\":\"C\"}\n";
    static const struct {
        int fail_commits;
        const char *io_fail_id;
        long created, rejected;
        int rollbacks;
    } rows[] = {
        { 0, NULL, 3, 0, 0 },
        { 1, NULL, 3, 0, 1 },
        { 0, "BAD", 2, 1, 1 },
        { 1, "BAD", 2, 1, 1 },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_store s;
        fake_store *f = fake_new(&s);
        dn_import_report rep;
        f->fail_commits = rows[i].fail_commits;
        f->io_fail_id = rows[i].io_fail_id;
        import_report_init(&rep);
        print_message("row %zu\n", i);
        assert_int_equal(import_ndjson_buffer(&s, input, sizeof input - 1, 32, NOW, &rep, NULL), 0);
        assert_int_equal(rep.created, rows[i].created);
        assert_int_equal(rep.rejected, rows[i].rejected);
        assert_int_equal(f->rollbacks, rows[i].rollbacks);
        assert_int_equal(f->data.n_customers, rows[i].created);
        assert_false(f->in_transaction);
        if (rows[i].rejected)
            assert_string_equal(rep.errors[0].code, "store_error");
        import_report_free(&rep);
        free(f);
    }
}

static void test_csv(void **state)
{
    static const char customers[] =
        "\xEF\xBB\xBF" "external_id,name,phone,holds,opt_out,age\r\n"               /* 1 */
        "C1,\"O'Brien & S\xc3\xb8n\",+37120000001,dispute;vulnerable,sms,34\r\n"   /* 2 */
        "C2,\"Quote \"\"Q\"\" and, comma\",,,,\r\n"                                 /* 3 */
        "C3,\"Two\nlines\",,,,\r\n"                                                 /* 4-5 */
        "C4,Dana,+371,,,\r\n"                                                       /* 6 */
        "C5,Eve,,,,12.5\r\n"                                                        /* 7 */
        "C6,Fay,,jail,,\r\n"                                                        /* 8 */
        "C7,Gus\r\n"                                                                /* 9 */
        "\r\n"                                                                      /* 10 */
        "C8,Hal,,pause,email;voice,70\r\n"                                         /* 11 */
        "\" C9\",Ian,,,,";                                                           /* 12 */
    static const expected_error errors[] = {
        { 4, "name", "invalid" },            /* a newline is a control character */
        { 6, "phone", "invalid" },
        { 7, "age", "invalid" },
        { 8, "holds", "invalid" },
        { 9, "", "invalid" },
        { 12, "external_id", "invalid" },    /* " C9" is no second "C9" */
    };
    dn_store s;
    fake_store *f = fake_new(&s);
    dn_import_report rep;
    dn_err err;
    import_report_init(&rep);
    assert_int_equal(import_csv_buffer(&s, DN_RECORD_CUSTOMER, customers, sizeof customers - 1,
                                       NOW, &rep, &err), 0);
    check_report(&rep, 3, 0, 0, 6, errors, COUNT(errors));
    assert_string_equal(f->data.customers[0].name, "O'Brien & S\xc3\xb8n");
    assert_int_equal(f->data.customers[0].holds, DN_HOLD_DISPUTE | DN_HOLD_VULNERABLE);
    assert_int_equal(f->data.customers[0].opt_out, DN_OPTOUT_SMS);
    assert_int_equal(f->data.customers[0].age, 34);
    assert_string_equal(f->data.customers[1].name, "Quote \"Q\" and, comma");
    assert_string_equal(f->data.customers[2].external_id, "C8");
    assert_int_equal(f->data.customers[2].opt_out, DN_OPTOUT_EMAIL | DN_OPTOUT_VOICE);
    import_report_free(&rep);

    /* the guard's settings as ';'-separated lists (blackouts contain commas
     * and spaces, so the cell is quoted) */
    static const char settings[] =
        "external_id,name,third_party,consent,blackout\n"
        "G1,Gil,email,voice;sms,\"mon-fri 15:00-17:00;sat,sun 00:00-24:00\"\n"
        "G2,Gia,,,weekdays 15:00-17:00\n";
    static const expected_error settings_errors[] = { { 3, "blackout", "invalid" } };
    dn_store s2;
    fake_store *g = fake_new(&s2);
    import_report_init(&rep);
    assert_int_equal(import_csv_buffer(&s2, DN_RECORD_CUSTOMER, settings, sizeof settings - 1,
                                       NOW, &rep, &err), 0);
    check_report(&rep, 1, 0, 0, 1, settings_errors, COUNT(settings_errors));
    assert_int_equal(g->data.customers[0].third_party, DN_OPTOUT_EMAIL);
    assert_int_equal(g->data.customers[0].consent, DN_OPTOUT_VOICE | DN_OPTOUT_SMS);
    assert_int_equal(g->data.customers[0].n_blackout, 2);
    assert_int_equal(g->data.customers[0].blackout[0].weekdays, 0x3e);
    assert_int_equal(g->data.customers[0].blackout[1].weekdays, 0x41);
    assert_int_equal(g->data.customers[0].blackout[1].to, 1440);
    import_report_free(&rep);
    free(g);

    static const char invoices[] =
        "external_id,customer_id,currency,amount_minor,due\n"
        "I1,C1,EUR,10000,2026-02-01\n"
        "I2,C1,EUR,100.50,\n"
        "I3,C1,EUR,\"unterminated\n";
    static const expected_error invoice_errors[] = {
        { 3, "amount_minor", "invalid" },
        { 4, "", "invalid" },
    };
    import_report_init(&rep);
    assert_int_equal(import_csv_buffer(&s, DN_RECORD_INVOICE, invoices, sizeof invoices - 1, NOW,
                                       &rep, &err), 0);
    check_report(&rep, 1, 0, 0, 2, invoice_errors, COUNT(invoice_errors));
    import_report_free(&rep);
    free(f);
}

static void test_csv_header(void **state)
{
    static const struct {
        dn_record_type type;
        const char *csv;
        const char *field;
    } rows[] = {
        { DN_RECORD_CUSTOMER, "external_id,name,sex\nC1,A,f\n", "sex" },
        { DN_RECORD_CUSTOMER, "external_id,name,name\nC1,A,B\n", "name" },
        { DN_RECORD_INVOICE, "external_id,customer_id,paid_minor\n", "paid_minor" },
        { DN_RECORD_PAYMENT, "", "" },
        { DN_RECORD_PAYMENT, "\"external_id", "" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_store s;
        fake_store *f = fake_new(&s);
        dn_import_report rep;
        dn_err err;
        dn_err_clear(&err);
        import_report_init(&rep);
        print_message("row %zu\n", i);
        assert_int_equal(import_csv_buffer(&s, rows[i].type, rows[i].csv, strlen(rows[i].csv),
                                           NOW, &rep, &err), -EINVAL);
        assert_string_equal(err.field, rows[i].field);
        assert_int_equal(f->data.n_customers, 0);
        import_report_free(&rep);
        free(f);
    }
}

typedef struct progress_log {
    int calls;
    long last_done;
    long long last_bytes, total;
} progress_log;

static void record_progress(void *arg, long done, long long bytes, long long total)
{
    progress_log *log = arg;
    log->calls++;
    log->last_done = done;
    log->last_bytes = bytes;
    log->total = total;
}

/* 10001 rejected lines: one progress call at 10000 and one at the end;
 * the errors list stops at 1000 while the count stays exact. */
static void test_stream_progress_and_error_cap(void **state)
{
    static const char line[] = "{\"type\":\"customer\",\"name\":\"no id\"}\n";
    FILE *in = tmpfile();
    assert_non_null(in);
    for (int i = 0; i < 10001; i++)
        fputs(line, in);
    fputs("{\"type\":\"customer\",\"external_id\":\"C1\",\"name\":\"last\"}", in);
    long long size = ftell(in);
    rewind(in);
    dn_store s;
    fake_store *f = fake_new(&s);
    dn_import_report rep;
    progress_log log = { 0 };
    import_report_init(&rep);
    assert_int_equal(import_ndjson_stream(&s, in, NOW, &rep, record_progress, &log), 0);
    fclose(in);
    assert_int_equal(rep.rejected, 10001);
    assert_int_equal(rep.created, 1);
    assert_int_equal(rep.n_errors, DN_IMPORT_ERRORS_MAX);
    assert_int_equal(rep.errors[999].line, 1000);
    assert_string_equal(rep.errors[999].field, "external_id");
    assert_string_equal(rep.errors[999].code, "required");
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.last_done, 10002);
    assert_int_equal(log.last_bytes, size);
    assert_int_equal(log.total, size);
    import_report_free(&rep);
    free(f);
}

/* Single records: the checks import_write_record adds before the store,
 * and the two write modes: a create (POST) is idempotent or a conflict
 * naming the field, an upsert (bulk import, PUT) updates. The clock is NOW
 * (2026-03-01): paid_on up to 2026-03-02 is accepted. */
static void test_write_record_checks(void **state)
{
#define C DN_WRITE_CREATE
#define U DN_WRITE_UPSERT
    static const struct {
        const char *json;
        dn_record_type type;
        dn_write_mode mode;
        int rc;
        const char *field;              /* for a failure */
        dn_upsert_outcome outcome;      /* for a success */
    } rows[] = {
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"a@x.lv\"}", DN_RECORD_CUSTOMER, C, 0,
          NULL, DN_UPSERT_CREATED },
        { "{\"external_id\":\"C2\",\"name\":\"B\"}", DN_RECORD_CUSTOMER, U, 0, NULL,
          DN_UPSERT_CREATED },
        /* create again: the same → SAME; a field left out keeps its stored value → SAME */
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"a@x.lv\"}", DN_RECORD_CUSTOMER, C, 0,
          NULL, DN_UPSERT_SAME },
        { "{\"external_id\":\"C1\",\"name\":\"A\"}", DN_RECORD_CUSTOMER, C, 0, NULL,
          DN_UPSERT_SAME },
        /* create with other content: a conflict naming the field, nothing written */
        { "{\"external_id\":\"C1\",\"name\":\"Other\"}", DN_RECORD_CUSTOMER, C, -EEXIST, "name",
          0 },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":null}", DN_RECORD_CUSTOMER, C,
          -EEXIST, "email", 0 },
        /* an upsert of the same change updates */
        { "{\"external_id\":\"C1\",\"name\":\"Other\"}", DN_RECORD_CUSTOMER, U, 0, NULL,
          DN_UPSERT_UPDATED },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "100}", DN_RECORD_INVOICE, C, 0, NULL, DN_UPSERT_CREATED },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "100}", DN_RECORD_INVOICE, C, 0, NULL, DN_UPSERT_SAME },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "100,\"status\":\"disputed\"}", DN_RECORD_INVOICE, C, -EEXIST, "status", 0 },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C2\",\"currency\":\"EUR\",\"amount_minor\":"
          "100}", DN_RECORD_INVOICE, U, -EEXIST, "customer_id", 0 },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"USD\",\"amount_minor\":"
          "100}", DN_RECORD_INVOICE, U, -EEXIST, "currency", 0 },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "101}", DN_RECORD_INVOICE, U, -EEXIST, "amount_minor", 0 },
        { "{\"external_id\":\"I2\",\"customer_id\":\"C3\",\"currency\":\"EUR\",\"amount_minor\":"
          "1}", DN_RECORD_INVOICE, U, -ENOENT, "customer_id", 0 },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C2\",\"invoice_id\":\"I1\",\"currency\":"
          "\"EUR\",\"amount_minor\":1,\"paid_on\":\"2026-02-03\"}", DN_RECORD_PAYMENT, C, -EINVAL,
          "invoice_id", 0 },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"invoice_id\":\"I9\",\"currency\":"
          "\"EUR\",\"amount_minor\":1,\"paid_on\":\"2026-02-03\"}", DN_RECORD_PAYMENT, C, -ENOENT,
          "invoice_id", 0 },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C9\",\"currency\":"
          "\"EUR\",\"amount_minor\":1,\"paid_on\":\"2026-02-03\"}", DN_RECORD_PAYMENT, C, -ENOENT,
          "customer_id", 0 },
        /* a payment from the future has not happened: today + 1 is the last day */
        { "{\"external_id\":\"P2\",\"customer_id\":\"C1\",\"currency\":"
          "\"EUR\",\"amount_minor\":1,\"paid_on\":\"2099-03-01\"}", DN_RECORD_PAYMENT, C, -EINVAL,
          "paid_on", 0 },
        { "{\"external_id\":\"P2\",\"customer_id\":\"C1\",\"currency\":"
          "\"EUR\",\"amount_minor\":1,\"paid_on\":\"2026-03-03\"}", DN_RECORD_PAYMENT, U, -EINVAL,
          "paid_on", 0 },
        { "{\"external_id\":\"P2\",\"customer_id\":\"C1\",\"currency\":"
          "\"EUR\",\"amount_minor\":1,\"paid_on\":\"2026-03-02\"}", DN_RECORD_PAYMENT, C, 0, NULL,
          DN_UPSERT_CREATED },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"invoice_id\":\"I1\",\"currency\":"
          "\"EUR\",\"amount_minor\":1,\"paid_on\":\"2026-02-03\"}", DN_RECORD_PAYMENT, C, 0, NULL,
          DN_UPSERT_CREATED },
    };
    dn_store s;
    fake_store *f = fake_new(&s);
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_record rec;
        dn_upsert_outcome outcome = (dn_upsert_outcome)-1;
        dn_err err;
        dn_err_clear(&err);
        print_message("row %zu: %s\n", i, rows[i].json);
        json_t *v = json_loads(rows[i].json, 0, NULL);
        assert_non_null(v);
        assert_int_equal(json_to_record(rows[i].type, v, &rec, &err), 0);
        json_decref(v);
        assert_int_equal(import_write_record(&s, &rec, rows[i].mode, NOW, &outcome, &err),
                         rows[i].rc);
        if (rows[i].rc)
            assert_string_equal(err.field, rows[i].field);
        else
            assert_int_equal(outcome, rows[i].outcome);
    }
    assert_string_equal(f->data.customers[0].name, "Other");
    assert_string_equal(f->data.customers[0].email, "a@x.lv");   /* left out: kept */
    assert_int_equal(f->data.invoices[0].amount_minor, 100);
    assert_string_equal(f->data.invoices[0].currency, "EUR");
    assert_int_equal(f->data.invoices[0].status, DN_INV_OPEN);
    assert_int_equal(f->data.n_payments, 2);
    free(f);
#undef C
#undef U
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndjson_mixed),
        cmocka_unit_test(test_chunk_retry),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_header),
        cmocka_unit_test(test_stream_progress_and_error_cap),
        cmocka_unit_test(test_write_record_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
