/*
 * test_money.c — ISO 4217 exponents, amount parsing and per-language money
 * and date formatting. Expected values come from the ISO 4217 list (minor
 * units) and hand-written locale strings; U+00A0 (no-break space) is
 * written as "\xc2\xa0" and € as "\xe2\x82\xac". A hex escape must end its
 * string literal ("1\xc2\xa0" "234") or the next digits would join it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "money.h"

#define NBSP "\xc2\xa0"
#define EURO "\xe2\x82\xac"
#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

static void test_exponent(void **state)
{
    static const struct {
        const char *code;
        int exponent;
    } rows[] = {
        { "EUR", 2 }, { "USD", 2 }, { "GBP", 2 }, { "TWD", 2 }, { "CHF", 2 },
        { "SEK", 2 }, { "RUB", 2 }, { "JPY", 0 }, { "KRW", 0 }, { "ISK", 0 },
        { "CLP", 0 }, { "VND", 0 }, { "BHD", 3 }, { "KWD", 3 }, { "JOD", 3 },
        { "OMR", 3 }, { "TND", 3 }, { "CLF", 4 }, { "UYW", 4 }, { "AED", 2 },
        { "ZAR", 2 },
        /* not active ISO 4217 codes, or not spelled as one */
        { "HRK", -1 }, { "LVL", -1 }, { "eur", -1 }, { "EURO", -1 }, { "EU", -1 },
        { "", -1 },    { NULL, -1 },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].code ? rows[i].code : "(null)");
        assert_int_equal(money_exponent(rows[i].code), rows[i].exponent);
    }
}

static void test_parse(void **state)
{
    static const struct {
        const char *text;
        const char *currency;
        int rc;
        int64_t minor;              /* when rc == 0 */
        const char *field;          /* when rc != 0 */
        const char *message_part;   /* when rc != 0: must occur in err.msg */
    } rows[] = {
        { "12.50", "EUR", 0, 1250, NULL, NULL },
        { "12", "EUR", 0, 1200, NULL, NULL },
        { "12.5", "EUR", 0, 1250, NULL, NULL },
        { "0", "EUR", 0, 0, NULL, NULL },
        { "0.01", "EUR", 0, 1, NULL, NULL },
        { "007.10", "EUR", 0, 710, NULL, NULL },
        { "1500", "JPY", 0, 1500, NULL, NULL },
        { "1.234", "BHD", 0, 1234, NULL, NULL },
        { "1.2345", "CLF", 0, 12345, NULL, NULL },
        { "92233720368547758.07", "EUR", 0, INT64_MAX, NULL, NULL },
        { "9223372036854775807", "JPY", 0, INT64_MAX, NULL, NULL },
        { "12.505", "EUR", -EINVAL, 0, "amount", "EUR allows (2)" },
        { "12.500", "EUR", -EINVAL, 0, "amount", "EUR allows (2)" },
        { "1.5", "JPY", -EINVAL, 0, "amount", "JPY allows (0)" },
        { "1.2345", "BHD", -EINVAL, 0, "amount", "BHD allows (3)" },
        { "-3.1", "EUR", -EINVAL, 0, "amount", "negative" },
        { "", "EUR", -EINVAL, 0, "amount", "empty" },
        { NULL, "EUR", -EINVAL, 0, "amount", "empty" },
        { "1e3", "EUR", -EINVAL, 0, "amount", "'e' at offset 1" },
        { " 12", "EUR", -EINVAL, 0, "amount", "must start with a digit" },
        { "12 ", "EUR", -EINVAL, 0, "amount", "' ' at offset 2" },
        { "12,50", "EUR", -EINVAL, 0, "amount", "',' at offset 2" },
        { "+12", "EUR", -EINVAL, 0, "amount", "must start with a digit" },
        { ".5", "EUR", -EINVAL, 0, "amount", "must start with a digit" },
        { "12.", "EUR", -EINVAL, 0, "amount", "without digits" },
        { "12.5.1", "EUR", -EINVAL, 0, "amount", "'.' at offset 4" },
        { "92233720368547758.08", "EUR", -EINVAL, 0, "amount", "does not fit" },
        { "92233720368547759", "EUR", -EINVAL, 0, "amount", "does not fit" },
        { "9223372036854775808", "JPY", -EINVAL, 0, "amount", "does not fit" },
        { "99999999999999999999999", "EUR", -EINVAL, 0, "amount", "does not fit" },
        { "12.50", "XYZ", -EINVAL, 0, "currency", "XYZ" },
        { "12.50", NULL, -EINVAL, 0, "currency", "unknown" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: \"%s\" %s\n", i, rows[i].text ? rows[i].text : "(null)",
                      rows[i].currency ? rows[i].currency : "(null)");
        int64_t minor = -42;
        dn_err err;
        dn_err_clear(&err);
        int rc = money_parse(rows[i].text, rows[i].currency, &minor, &err);
        assert_int_equal(rc, rows[i].rc);
        if (rc == 0) {
            assert_true(minor == rows[i].minor);
        } else {
            assert_true(minor == -42);
            assert_int_equal(err.code, rows[i].rc);
            assert_string_equal(err.field, rows[i].field);
            assert_non_null(strstr(err.msg, rows[i].message_part));
        }
    }
}

static void test_format(void **state)
{
    static const struct {
        int64_t minor;
        const char *currency;
        const char *language;
        const char *expected;
    } rows[] = {
        { 123456, "EUR", "lv", "1" NBSP "234,56" NBSP EURO },
        { 123456, "EUR", "ru", "1" NBSP "234,56" NBSP EURO },
        { 123456, "EUR", "en", EURO "1,234.56" },
        { 1250, "EUR", "lv", "12,50" NBSP EURO },
        { 1250, "EUR", "en", EURO "12.50" },
        { 0, "EUR", "en", EURO "0.00" },
        { 5, "EUR", "lv", "0,05" NBSP EURO },
        { 99999, "EUR", "en", EURO "999.99" },
        { 100000, "EUR", "en", EURO "1,000.00" },
        { 123456789012, "EUR", "lv", "1" NBSP "234" NBSP "567" NBSP "890,12" NBSP EURO },
        { -1250, "EUR", "en", "-" EURO "12.50" },
        { -123456, "EUR", "lv", "-1" NBSP "234,56" NBSP EURO },
        { 1250, "USD", "en", "$12.50" },
        { 1250, "USD", "lv", "12,50" NBSP "$" },
        { 1250, "GBP", "en", "\xc2\xa3" "12.50" },
        { 1235, "JPY", "en", "\xc2\xa5" "1,235" },
        { 1235, "JPY", "ru", "1" NBSP "235" NBSP "\xc2\xa5" },
        { 1250, "CHF", "en", "CHF" NBSP "12.50" },
        { 1250, "CHF", "lv", "12,50" NBSP "CHF" },
        { 1234, "BHD", "en", "BHD" NBSP "1.234" },
        { 12345, "CLF", "lv", "1,2345" NBSP "CLF" },
        { 50000, "KRW", "en", "KRW" NBSP "50,000" },
        /* INT64_MIN's magnitude does not fit in int64 */
        { INT64_MIN, "EUR", "en", "-" EURO "92,233,720,368,547,758.08" },
        { INT64_MAX, "JPY", "en", "\xc2\xa5" "9,223,372,036,854,775,807" },
        { INT64_MIN, "JPY", "lv",
          "-9" NBSP "223" NBSP "372" NBSP "036" NBSP "854" NBSP "775" NBSP "808" NBSP "\xc2\xa5" },
        /* language tags: region suffixes and case, unknown → English */
        { 1250, "EUR", "lv-LV", "12,50" NBSP EURO },
        { 1250, "EUR", "LV", "12,50" NBSP EURO },
        { 1250, "EUR", "ru_RU", "12,50" NBSP EURO },
        { 1250, "EUR", "de", EURO "12.50" },
        { 1250, "EUR", "lva", EURO "12.50" },
        { 1250, "EUR", "", EURO "12.50" },
        { 1250, "EUR", NULL, EURO "12.50" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %lld %s %s\n", i, (long long)rows[i].minor, rows[i].currency,
                      rows[i].language ? rows[i].language : "(null)");
        char out[96];
        assert_int_equal(money_format(rows[i].minor, rows[i].currency, rows[i].language, out,
                                      sizeof out),
                         0);
        assert_string_equal(out, rows[i].expected);
    }
}

static void test_format_errors(void **state)
{
    static const struct {
        int64_t minor;
        const char *currency;
        size_t size;
        int rc;
    } rows[] = {
        { 1250, "XYZ", 64, -EINVAL },
        { 1250, NULL, 64, -EINVAL },
        /* en "€12.50" is 8 bytes: 3 for the euro sign, 5 for "12.50" */
        { 1250, "EUR", 8, -E2BIG },
        { 1250, "EUR", 9, 0 },
        { 1250, "EUR", 1, -E2BIG },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu\n", i);
        char out[64];
        assert_int_equal(money_format(rows[i].minor, rows[i].currency, "en", out, rows[i].size),
                         rows[i].rc);
    }
}

static void test_date(void **state)
{
    static const struct {
        int year, month, day;
        const char *language;
        const char *expected;
    } rows[] = {
        { 2026, 3, 31, "lv", "31.03.2026." },
        { 2026, 3, 31, "ru", "31.03.2026" },
        { 2026, 3, 31, "en", "31 March 2026" },
        { 2026, 1, 5, "lv", "05.01.2026." },
        { 2026, 1, 5, "en", "5 January 2026" },
        { 2024, 2, 29, "en", "29 February 2024" },
        { 2026, 12, 1, "ru", "01.12.2026" },
        { 1999, 9, 9, "en", "9 September 1999" },
        { 2026, 3, 31, "de", "31 March 2026" },
        { 2026, 3, 31, NULL, "31 March 2026" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].expected);
        char out[32];
        dn_date day = dn_date_from_ymd(rows[i].year, rows[i].month, rows[i].day);
        assert_int_equal(date_format_local(day, rows[i].language, out, sizeof out), 0);
        assert_string_equal(out, rows[i].expected);
    }
}

static void test_date_errors(void **state)
{
    static const struct {
        dn_date day;
        const char *language;
        size_t size;
        int rc;
    } rows[] = {
        { DN_NO_DATE, "lv", 32, -EINVAL },
        { DN_NO_DATE, "en", 32, -EINVAL },
        /* "31.03.2026." is 11 bytes and needs 12 with the NUL */
        { 20543, "lv", 11, -E2BIG },
        { 20543, "lv", 12, 0 },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu\n", i);
        char out[32];
        assert_int_equal(date_format_local(rows[i].day, rows[i].language, out, rows[i].size),
                         rows[i].rc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exponent),      cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format),        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_date),          cmocka_unit_test(test_date_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
