/*
 * test_json_codec.c — decoding and validating customers, invoices and
 * payments from JSON, encoding them back, and the nesting-depth scan.
 * Every row is JSON text written by hand with the result the API contract
 * (the task's record formats) demands: the errno and the field named.
 * Limits come from model.h: ids hold 63 bytes, names 255, time zones 63.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_codec.h"

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

typedef struct decode_row {
    const char *json;
    int         rc;
    const char *field;      /* when rc != 0 */
} decode_row;

static json_t *load(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    if (!v)
        fail_msg("test JSON does not parse: %s (%s)", text, jerr.text);
    return v;
}

/* "x" repeated n times inside a JSON string value, for length limits. */
static char *repeat_json(const char *prefix, char ch, size_t n, const char *suffix)
{
    size_t len = strlen(prefix) + n + strlen(suffix) + 1;
    char *out = malloc(len);
    assert_non_null(out);
    strcpy(out, prefix);
    memset(out + strlen(prefix), ch, n);
    strcpy(out + strlen(prefix) + n, suffix);
    return out;
}

static void run_rows(dn_record_type type, const decode_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dn_record rec;
        dn_err err;
        dn_err_clear(&err);
        print_message("row %zu: %s\n", i, rows[i].json);
        json_t *v = load(rows[i].json);
        int rc = json_to_record(type, v, &rec, &err);
        json_decref(v);
        assert_int_equal(rc, rows[i].rc);
        if (rows[i].rc != 0)
            assert_string_equal(err.field, rows[i].field);
    }
}

static void test_customer_validation(void **state)
{
    static const decode_row rows[] = {
        { "{\"external_id\":\"C1\",\"name\":\"Anna Ozola\"}", 0, NULL },
        { "{\"external_id\":\"C1\",\"name\":\"Anna\",\"language\":\"lv\",\"timezone\":"
          "\"Europe/Riga\",\"country\":\"LV\",\"email\":\"anna@example.lv\",\"phone\":"
          "\"+37120000001\",\"chat\":\"@anna\",\"age\":34,\"holds\":[\"dispute\",\"bankruptcy\","
          "\"deceased\",\"cease_contact\",\"vulnerable\",\"pause\",\"breathing_space\"],"
          "\"hold_until\":\"2026-05-01\",\"opt_out\":[\"sms\",\"email\",\"voice\",\"chat\"]}",
          0, NULL },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"timezone\":\"America/Argentina/Buenos_Aires\"}",
          0, NULL },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"timezone\":\"Etc/GMT+3\"}", 0, NULL },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":null,\"phone\":\"\",\"age\":null}", 0,
          NULL },
        /* required fields */
        { "{\"name\":\"Anna\"}", -ENODATA, "external_id" },
        { "{\"external_id\":\"C1\"}", -ENODATA, "name" },
        { "{\"external_id\":\"\",\"name\":\"A\"}", -ENODATA, "external_id" },
        { "{\"external_id\":null,\"name\":\"A\"}", -ENODATA, "external_id" },
        /* types */
        { "{\"external_id\":1,\"name\":\"A\"}", -EINVAL, "external_id" },
        { "{\"external_id\":\"C1\",\"name\":[\"A\"]}", -EINVAL, "name" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"age\":\"34\"}", -EINVAL, "age" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"age\":34.5}", -EINVAL, "age" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"age\":-1}", -EINVAL, "age" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"age\":151}", -EINVAL, "age" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"holds\":\"dispute\"}", -EINVAL, "holds" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"holds\":[\"jail\"]}", -EINVAL, "holds" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"holds\":[1]}", -EINVAL, "holds" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"opt_out\":[\"fax\"]}", -EINVAL, "opt_out" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"hold_until\":\"2026-02-30\"}", -EINVAL,
          "hold_until" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"hold_until\":\"01.05.2026\"}", -EINVAL,
          "hold_until" },
        /* shapes */
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"language\":\"LV\"}", -EINVAL, "language" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"language\":\"l\"}", -EINVAL, "language" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"language\":\"latv\"}", -EINVAL, "language" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"country\":\"lv\"}", -EINVAL, "country" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"country\":\"LVA\"}", -E2BIG, "country" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"timezone\":\"Europe Riga\"}", -EINVAL,
          "timezone" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"timezone\":\"../etc/passwd\"}", -EINVAL,
          "timezone" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"phone\":\"37120000001\"}", -EINVAL, "phone" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"phone\":\"+3712\"}", -EINVAL, "phone" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"phone\":\"+1234567890123456\"}", -EINVAL,
          "phone" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"phone\":\"+371 2000 0001\"}", -EINVAL,
          "phone" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"anna.example.lv\"}", -EINVAL,
          "email" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"a@b@c\"}", -EINVAL, "email" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"@example.lv\"}", -EINVAL, "email" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"anna@\"}", -EINVAL, "email" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"an na@example.lv\"}", -EINVAL,
          "email" },
        { "{\"external_id\":\"C1\",\"name\":\"A\\u0001B\"}", -EINVAL, "name" },
        { "{\"external_id\":\"C\\nl\",\"name\":\"A\"}", -EINVAL, "external_id" },
        /* the guard's settings: per-channel bits and blackout text forms */
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"third_party\":[\"email\"],"
          "\"consent\":[\"voice\",\"sms\"],\"opt_out_confirmed\":[]}", 0, NULL },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"third_party\":[\"letter\"]}", -EINVAL,
          "third_party" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"consent\":\"sms\"}", -EINVAL,
          "consent" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"mon-fri 15:00-17:00\","
          "\"sat,sun 00:00-24:00\",\"all 00:00-14:00 voice\",\"fri-mon 20:00-21:00 sms,chat\"]}",
          0, NULL },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"all 00:00-01:00\","
          "\"all 00:00-01:00\",\"all 00:00-01:00\",\"all 00:00-01:00\",\"all 00:00-01:00\"]}",
          -EINVAL, "blackout" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"mon-fri 17:00-15:00\"]}",
          -EINVAL, "blackout" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"weekdays 15:00-17:00\"]}",
          -EINVAL, "blackout" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"mon 9:00-17:00\"]}",
          -EINVAL, "blackout" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"mon 09:00-24:01\"]}",
          -EINVAL, "blackout" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"mon, 09:00-10:00\"]}",
          -EINVAL, "blackout" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"mon 09:00-10:00 fax\"]}",
          -EINVAL, "blackout" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":[\"mon 09:00-10:00 sms,\"]}",
          -EINVAL, "blackout" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"blackout\":\"mon 09:00-10:00\"}",
          -EINVAL, "blackout" },
        /* unknown keys */
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"sex\":\"f\"}", -EINVAL, "sex" },
        { "[\"C1\"]", -EINVAL, "" },
    };
    run_rows(DN_RECORD_CUSTOMER, rows, COUNT(rows));
}

static void test_customer_lengths(void **state)
{
    static const struct {
        const char *prefix, *suffix;
        size_t n;
        int rc;
        const char *field;
    } rows[] = {
        { "{\"name\":\"A\",\"external_id\":\"", "\"}", 63, 0, NULL },
        { "{\"name\":\"A\",\"external_id\":\"", "\"}", 64, -E2BIG, "external_id" },
        { "{\"external_id\":\"C1\",\"name\":\"", "\"}", 255, 0, NULL },
        { "{\"external_id\":\"C1\",\"name\":\"", "\"}", 256, -E2BIG, "name" },
        /* 63 bytes fit, but no zone of the tz database is named "xxx…": refused
         * as invalid, not as too long */
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"timezone\":\"", "\"}", 63, -EINVAL, "timezone" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"timezone\":\"", "\"}", 64, -E2BIG, "timezone" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"chat\":\"", "\"}", 256, -E2BIG, "chat" },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"a@", "\"}", 253, 0, NULL },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"a@", "\"}", 254, -E2BIG, "email" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_customer c;
        dn_err err;
        dn_err_clear(&err);
        char *text = repeat_json(rows[i].prefix, 'x', rows[i].n, rows[i].suffix);
        print_message("row %zu: %zu bytes\n", i, rows[i].n);
        json_t *v = load(text);
        free(text);
        int rc = json_to_customer(v, &c, &err);
        json_decref(v);
        assert_int_equal(rc, rows[i].rc);
        if (rc)
            assert_string_equal(err.field, rows[i].field);
    }
}

static void test_customer_defaults_and_bits(void **state)
{
    dn_customer c;
    dn_err err;
    json_t *v = load("{\"external_id\":\"C7\",\"name\":\"Zo\\u00eb\\u2013Ltd\",\"holds\":"
                     "[\"vulnerable\",\"pause\"],\"hold_until\":\"2026-05-01\","
                     "\"opt_out\":[\"voice\"]}");
    assert_int_equal(json_to_customer(v, &c, &err), 0);
    json_decref(v);
    assert_string_equal(c.language, "lv");
    assert_string_equal(c.name, "Zo\xc3\xab\xe2\x80\x93Ltd");
    assert_int_equal(c.holds, DN_HOLD_VULNERABLE | DN_HOLD_PAUSE);
    assert_int_equal(c.opt_out, DN_OPTOUT_VOICE);
    /* 2026-05-01 is day 20574 since 1970-01-01 (56 years incl. 14 leap days + 120) */
    assert_int_equal(c.hold_until, 20574);
    assert_int_equal(c.age, 0);
    assert_string_equal(c.country, "");

    /* compliance case 8's blackout and case 16's "no calls before 14:00" */
    v = load("{\"external_id\":\"C8\",\"name\":\"B\",\"blackout\":[\"mon-fri 15:00-17:00\","
             "\"sat,sun 00:00-24:00\",\"all 00:00-14:00 voice\",\"fri-mon 20:00-21:00 sms,chat\"],"
             "\"third_party\":[\"email\"],\"consent\":[\"voice\",\"sms\"]}");
    assert_int_equal(json_to_customer(v, &c, &err), 0);
    json_decref(v);
    assert_int_equal(c.n_blackout, 4);
    assert_int_equal(c.blackout[0].weekdays, 0x3e);         /* Monday..Friday */
    assert_int_equal(c.blackout[0].from, 900);
    assert_int_equal(c.blackout[0].to, 1020);
    assert_int_equal(c.blackout[0].channels, 0);
    assert_int_equal(c.blackout[1].weekdays, 0x41);         /* Sunday, Saturday */
    assert_int_equal(c.blackout[1].to, 1440);
    assert_int_equal(c.blackout[2].weekdays, 0x7f);
    assert_int_equal(c.blackout[2].to, 840);
    assert_int_equal(c.blackout[2].channels, DN_OPTOUT_VOICE);
    assert_int_equal(c.blackout[3].weekdays, 0x63);         /* Fri, Sat, Sun, Mon */
    assert_int_equal(c.blackout[3].channels, DN_OPTOUT_SMS | DN_OPTOUT_CHAT);
    assert_int_equal(c.third_party, DN_OPTOUT_EMAIL);
    assert_int_equal(c.consent, DN_OPTOUT_VOICE | DN_OPTOUT_SMS);
    json_t *out = customer_to_json(&c);
    json_t *b = json_object_get(out, "blackout");
    assert_int_equal(json_array_size(b), 4);
    assert_string_equal(json_string_value(json_array_get(b, 0)), "mon,tue,wed,thu,fri 15:00-17:00");
    assert_string_equal(json_string_value(json_array_get(b, 1)), "sat,sun 00:00-24:00");
    assert_string_equal(json_string_value(json_array_get(b, 2)), "all 00:00-14:00 voice");
    assert_string_equal(json_string_value(json_array_get(b, 3)), "mon,fri,sat,sun 20:00-21:00 sms,chat");
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "third_party"), 0)),
                        "email");
    json_decref(out);
}

/* A hard bounce's mark ("undeliverable") survives a re-sent customer that
 * leaves it out, except on the channels whose address the re-send changes;
 * given explicitly, the sender's value wins. Stored: e-mail and SMS/voice
 * marked (bits 2 | 1 | 4), anna@example.lv, +37120000001, chat 4242. */
static void test_undeliverable_kept_until_the_address_changes(void **state)
{
    static const struct {
        const char *json;
        unsigned expected;
    } rows[] = {
        { "{\"external_id\":\"C1\",\"name\":\"A\"}", 7 },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"anna@example.lv\"}", 7 },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"anna@new.lv\"}", 5 },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"phone\":\"+37120000002\"}", 2 },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":null}", 5 },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"chat\":\"@anna\"}", 7 },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"anna@new.lv\","
          "\"undeliverable\":[\"email\"]}", 2 },
        { "{\"external_id\":\"C1\",\"name\":\"A\",\"undeliverable\":[]}", 0 },
    };
    dn_record stored;
    dn_err err;
    json_t *v = load("{\"external_id\":\"C1\",\"name\":\"A\",\"email\":\"anna@example.lv\","
                     "\"phone\":\"+37120000001\",\"chat\":\"4242\","
                     "\"undeliverable\":[\"email\",\"sms\",\"voice\"]}");
    assert_int_equal(json_to_record(DN_RECORD_CUSTOMER, v, &stored, &err), 0);
    json_decref(v);
    assert_int_equal(stored.as.customer.undeliverable, 7);
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].json);
        dn_record rec;
        v = load(rows[i].json);
        assert_int_equal(json_to_record(DN_RECORD_CUSTOMER, v, &rec, &err), 0);
        json_decref(v);
        record_keep_absent(&rec, &stored);
        assert_int_equal(rec.as.customer.undeliverable, rows[i].expected);
    }
}

static void test_invoice_validation(void **state)
{
    static const decode_row rows[] = {
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "10000,\"issued\":\"2026-01-01\",\"due\":\"2026-02-01\",\"status\":\"open\"}", 0, NULL },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"JPY\",\"amount_minor\":1,"
          "\"due\":null}", 0, NULL },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":1,"
          "\"status\":\"written_off\"}", 0, NULL },
        /* amounts: JSON integers > 0 only */
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "100.5}", -EINVAL, "amount_minor" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "100.0}", -EINVAL, "amount_minor" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "\"100\"}", -EINVAL, "amount_minor" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "-5}", -EINVAL, "amount_minor" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":0}",
          -EINVAL, "amount_minor" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\"}", -ENODATA,
          "amount_minor" },
        /* currencies: known ISO 4217 only */
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"XYZ\",\"amount_minor\":1}",
          -EINVAL, "currency" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"eur\",\"amount_minor\":1}",
          -EINVAL, "currency" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EURO\",\"amount_minor\":1}",
          -EINVAL, "currency" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"LVL\",\"amount_minor\":1}",
          -EINVAL, "currency" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"amount_minor\":1}", -ENODATA,
          "currency" },
        /* dates and status */
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":1,"
          "\"due\":\"2026-13-01\"}", -EINVAL, "due" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":1,"
          "\"issued\":20260101}", -EINVAL, "issued" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":1,"
          "\"issued\":\"2026-02-02\",\"due\":\"2026-02-01\"}", -EINVAL, "due" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":1,"
          "\"status\":\"closed\"}", -EINVAL, "status" },
        { "{\"external_id\":\"I1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":1,"
          "\"paid_minor\":0}", -EINVAL, "paid_minor" },
        { "{\"external_id\":\"I1\",\"currency\":\"EUR\",\"amount_minor\":1}", -ENODATA,
          "customer_id" },
    };
    run_rows(DN_RECORD_INVOICE, rows, COUNT(rows));
}

static void test_payment_validation(void **state)
{
    static const decode_row rows[] = {
        { "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"invoice_id\":\"I1\",\"currency\":"
          "\"EUR\",\"amount_minor\":5000,\"paid_on\":\"2026-02-03\",\"kind\":\"payment\"}", 0,
          NULL },
        { "{\"external_id\":\"P2\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "5000,\"paid_on\":\"2026-02-03\",\"kind\":\"credit_note\"}", 0, NULL },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "5000}", -ENODATA, "paid_on" },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "-1,\"paid_on\":\"2026-02-03\"}", -EINVAL, "amount_minor" },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "1,\"paid_on\":\"2026-02-03\",\"kind\":\"refund\"}", -EINVAL, "kind" },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"currency\":\"ABC\",\"amount_minor\":"
          "1,\"paid_on\":\"2026-02-03\"}", -EINVAL, "currency" },
        { "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"currency\":\"EUR\",\"amount_minor\":"
          "1,\"paid_on\":\"2026-02-03\",\"type\":\"payment\"}", -EINVAL, "type" },
    };
    run_rows(DN_RECORD_PAYMENT, rows, COUNT(rows));
}

/* Encoding then decoding gives the same struct (names byte for byte). */
/* External ids: white space at either end (ASCII or Unicode) or a C1
 * control refused naming the field; white space inside is kept. */
static void test_external_ids(void **state)
{
    static const struct {
        dn_record_type type;
        const char *json;
        int rc;
        const char *field;
        const char *message;   /* substring of err.msg for refusals */
    } rows[] = {
        { DN_RECORD_CUSTOMER, "{\"external_id\":\" C1 \",\"name\":\"A\"}", -EINVAL, "external_id",
          "external_id must not start or end with white space" },
        { DN_RECORD_CUSTOMER, "{\"external_id\":\"C1 \",\"name\":\"A\"}", -EINVAL, "external_id",
          "white space" },
        { DN_RECORD_CUSTOMER, "{\"external_id\":\"\\u00a0C1\",\"name\":\"A\"}", -EINVAL,
          "external_id", "white space" },
        { DN_RECORD_CUSTOMER, "{\"external_id\":\"C1\\u3000\",\"name\":\"A\"}", -EINVAL,
          "external_id", "white space" },
        { DN_RECORD_CUSTOMER, "{\"external_id\":\"C1\\ufeff\",\"name\":\"A\"}", -EINVAL,
          "external_id", "white space" },
        { DN_RECORD_CUSTOMER, "{\"external_id\":\"C1\\u0085\",\"name\":\"A\"}", -EINVAL,
          "external_id", "control characters" },
        { DN_RECORD_CUSTOMER, "{\"external_id\":\"C 1\",\"name\":\"A\"}", 0, NULL, NULL },
        { DN_RECORD_CUSTOMER, "{\"external_id\":\"C\\u00a01\",\"name\":\"A\"}", 0, NULL, NULL },
        { DN_RECORD_CUSTOMER, "{\"external_id\":\"Ābele-1\",\"name\":\" A \"}", 0, NULL, NULL },
        { DN_RECORD_INVOICE, "{\"external_id\":\"I1\",\"customer_id\":\" C1\",\"currency\":"
          "\"EUR\",\"amount_minor\":1}", -EINVAL, "customer_id", "customer_id must not start" },
        { DN_RECORD_INVOICE, "{\"external_id\":\"I1\\u2003\",\"customer_id\":\"C1\",\"currency\":"
          "\"EUR\",\"amount_minor\":1}", -EINVAL, "external_id", "white space" },
        { DN_RECORD_PAYMENT, "{\"external_id\":\"P1\",\"customer_id\":\"C1\",\"invoice_id\":"
          "\"I1 \",\"currency\":\"EUR\",\"amount_minor\":1,\"paid_on\":\"2026-01-01\"}", -EINVAL,
          "invoice_id", "invoice_id must not start or end with white space" },
        { DN_RECORD_PAYMENT, "{\"external_id\":\" P1\",\"customer_id\":\"C1\",\"currency\":"
          "\"EUR\",\"amount_minor\":1,\"paid_on\":\"2026-01-01\"}", -EINVAL, "external_id",
          "white space" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dn_record rec;
        dn_err err;
        dn_err_clear(&err);
        print_message("row %zu: %s\n", i, rows[i].json);
        json_t *v = load(rows[i].json);
        int rc = json_to_record(rows[i].type, v, &rec, &err);
        json_decref(v);
        assert_int_equal(rc, rows[i].rc);
        if (rc == 0)
            continue;
        assert_string_equal(err.field, rows[i].field);
        if (!strstr(err.msg, rows[i].message))
            fail_msg("row %zu: message '%s' lacks '%s'", i, err.msg, rows[i].message);
    }
}

static void test_round_trip(void **state)
{
    static const char *const names[] = {
        "O'Brien & S\xc3\xb8n", "Zo\xc3\xab\xe2\x80\x93Ltd", "\xe5\xbc\xa0\xe4\xbc\x9f",
        "Anna \xf0\x9f\x8c\xb7",
    };
    for (size_t i = 0; i < COUNT(names); i++) {
        dn_customer c = { 0 }, back;
        dn_err err;
        snprintf(c.external_id, sizeof c.external_id, "C%zu", i);
        dn_strlcpy(c.name, names[i], sizeof c.name);
        dn_strlcpy(c.language, "en", sizeof c.language);
        dn_strlcpy(c.phone, "+37120000001", sizeof c.phone);
        c.holds = DN_HOLD_DISPUTE | DN_HOLD_BREATHING;
        c.hold_until = 20574;
        c.opt_out = DN_OPTOUT_SMS | DN_OPTOUT_CHAT;
        c.age = 61;
        json_t *v = customer_to_json(&c);
        assert_non_null(v);
        assert_int_equal(json_to_customer(v, &back, &err), 0);
        json_decref(v);
        assert_memory_equal(&c, &back, sizeof c);
    }
    dn_invoice inv = { .status = DN_INV_DISPUTED, .amount_minor = 12345, .paid_minor = 45,
                       .issued = 20454, .due = DN_NO_DATE };
    strcpy(inv.external_id, "I1");
    strcpy(inv.customer_external_id, "C1");
    strcpy(inv.currency, "EUR");
    json_t *v = invoice_to_json(&inv);
    assert_int_equal(json_integer_value(json_object_get(v, "paid_minor")), 45);
    assert_true(json_is_null(json_object_get(v, "due")));
    assert_string_equal(json_string_value(json_object_get(v, "issued")), "2026-01-01");
    json_object_del(v, "paid_minor");
    dn_invoice back;
    assert_int_equal(json_to_invoice(v, &back, NULL), 0);
    json_decref(v);
    inv.paid_minor = 0;
    assert_memory_equal(&inv, &back, sizeof inv);

    dn_payment p = { .amount_minor = 5000, .paid_on = 20487, .is_credit_note = true };
    strcpy(p.external_id, "P1");
    strcpy(p.customer_external_id, "C1");
    strcpy(p.currency, "EUR");
    v = payment_to_json(&p);
    assert_string_equal(json_string_value(json_object_get(v, "kind")), "credit_note");
    assert_true(json_is_null(json_object_get(v, "invoice_id")));
    dn_payment pback;
    assert_int_equal(json_to_payment(v, &pback, NULL), 0);
    json_decref(v);
    assert_memory_equal(&p, &pback, sizeof p);
}

static void test_too_deep(void **state)
{
    static const struct {
        const char *text;
        int max_depth;
        bool too_deep;
    } rows[] = {
        { "{}", 1, false },
        { "{\"a\":{}}", 1, true },
        { "{\"a\":[1,{\"b\":2}]}", 3, false },
        { "{\"a\":[1,{\"b\":2}]}", 2, true },
        { "{\"a\":\"[[[[[[\"}", 1, false },          /* brackets inside a string */
        { "{\"a\":\"\\\"[[[[\"}", 1, false },        /* escaped quote does not end it */
        { "[[[]]][[]]", 3, false },                  /* depth returns to 0 in between */
        { "]]]][[", 1, true },                       /* stray closers do not go negative */
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].text);
        assert_int_equal(json_codec_too_deep(rows[i].text, strlen(rows[i].text),
                                             rows[i].max_depth),
                         rows[i].too_deep);
    }
}

static void test_field_kinds(void **state)
{
    static const struct {
        dn_record_type type;
        const char *field;
        dn_field_kind kind;
    } rows[] = {
        { DN_RECORD_CUSTOMER, "holds", DN_FIELD_LIST },
        { DN_RECORD_CUSTOMER, "opt_out", DN_FIELD_LIST },
        { DN_RECORD_CUSTOMER, "age", DN_FIELD_INTEGER },
        { DN_RECORD_CUSTOMER, "name", DN_FIELD_STRING },
        { DN_RECORD_CUSTOMER, "amount_minor", DN_FIELD_UNKNOWN },
        { DN_RECORD_INVOICE, "amount_minor", DN_FIELD_INTEGER },
        { DN_RECORD_INVOICE, "due", DN_FIELD_STRING },
        { DN_RECORD_INVOICE, "paid_minor", DN_FIELD_UNKNOWN },
        { DN_RECORD_PAYMENT, "kind", DN_FIELD_STRING },
        { DN_RECORD_PAYMENT, "type", DN_FIELD_UNKNOWN },
    };
    for (size_t i = 0; i < COUNT(rows); i++)
        assert_int_equal(json_codec_field_kind(rows[i].type, rows[i].field), rows[i].kind);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customer_validation),
        cmocka_unit_test(test_customer_lengths),
        cmocka_unit_test(test_customer_defaults_and_bits),
        cmocka_unit_test(test_undeliverable_kept_until_the_address_changes),
        cmocka_unit_test(test_invoice_validation),
        cmocka_unit_test(test_payment_validation),
        cmocka_unit_test(test_external_ids),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_field_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
