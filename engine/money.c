/*
 * money.c — ISO 4217 minor-unit exponents, strict parsing of decimal amount
 * strings into integer minor units, and per-language formatting of amounts
 * and calendar dates. No floating point anywhere: an amount is an int64 of
 * minor units from the moment it is parsed until it is printed.
 */
#include "money.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Active ISO 4217 codes and their minor units, from the ISO 4217 list
 * (table A.1), sorted by code so lookups can bisect. */
typedef struct currency_entry {
    char code[4];
    int  exponent;
} currency_entry;

static const currency_entry currencies[] = {
    { "AED", 2 }, { "ARS", 2 }, { "AUD", 2 }, { "AZN", 2 }, { "BAM", 2 },
    { "BGN", 2 }, { "BHD", 3 }, { "BIF", 0 }, { "BRL", 2 }, { "BYN", 2 },
    { "CAD", 2 }, { "CHF", 2 }, { "CLF", 4 }, { "CLP", 0 }, { "CNY", 2 },
    { "COP", 2 }, { "CZK", 2 }, { "DJF", 0 }, { "DKK", 2 }, { "EGP", 2 },
    { "EUR", 2 }, { "GBP", 2 }, { "GEL", 2 }, { "GNF", 0 }, { "HKD", 2 },
    { "HUF", 2 }, { "IDR", 2 }, { "ILS", 2 }, { "INR", 2 }, { "IQD", 3 },
    { "ISK", 0 }, { "JOD", 3 }, { "JPY", 0 }, { "KMF", 0 }, { "KRW", 0 },
    { "KWD", 3 }, { "KZT", 2 }, { "LYD", 3 }, { "MDL", 2 }, { "MXN", 2 },
    { "MYR", 2 }, { "NOK", 2 }, { "NZD", 2 }, { "OMR", 3 }, { "PHP", 2 },
    { "PKR", 2 }, { "PLN", 2 }, { "PYG", 0 }, { "QAR", 2 }, { "RON", 2 },
    { "RSD", 2 }, { "RUB", 2 }, { "RWF", 0 }, { "SAR", 2 }, { "SEK", 2 },
    { "SGD", 2 }, { "THB", 2 }, { "TND", 3 }, { "TRY", 2 }, { "TWD", 2 },
    { "UAH", 2 }, { "UGX", 0 }, { "USD", 2 }, { "UYI", 0 }, { "UYW", 4 },
    { "UZS", 2 }, { "VND", 0 }, { "VUV", 0 }, { "XAF", 0 }, { "XOF", 0 },
    { "XPF", 0 }, { "ZAR", 2 },
};

/* Symbols we print instead of the code. Every other currency is written
 * with its ISO code ("12,50 CHF", "CHF 12.50"). */
typedef struct currency_symbol {
    char        code[4];
    const char *symbol;
} currency_symbol;

static const currency_symbol symbols[] = {
    { "EUR", "\xe2\x82\xac" },   /* € */
    { "GBP", "\xc2\xa3" },       /* £ */
    { "JPY", "\xc2\xa5" },       /* ¥ */
    { "USD", "$" },
};

#define NO_BREAK_SPACE "\xc2\xa0"

/* The languages we format for; everything else is formatted as English. */
typedef enum money_language { LANGUAGE_EN, LANGUAGE_LV, LANGUAGE_RU } money_language;

/* Maps "lv", "lv-LV", "LV_lv"... to a language; NULL or unknown → English. */
static money_language language_of(const char *language)
{
    static const struct { const char *tag; money_language value; } tags[] = {
        { "lv", LANGUAGE_LV }, { "ru", LANGUAGE_RU }, { "en", LANGUAGE_EN },
    };
    if (!language)
        return LANGUAGE_EN;
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        char next = language[0] && language[1] ? language[2] : 'x';
        if (strncasecmp(language, tags[i].tag, 2) == 0 &&
            (next == '\0' || next == '-' || next == '_'))
            return tags[i].value;
    }
    return LANGUAGE_EN;
}

/* Returns the table entry for an upper-case three-letter code, or NULL. */
static const currency_entry *currency_find(const char *code)
{
    if (!code || strlen(code) != 3)
        return NULL;
    size_t low = 0, high = sizeof currencies / sizeof currencies[0];
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(code, currencies[middle].code);
        if (order == 0)
            return &currencies[middle];
        if (order < 0)
            high = middle;
        else
            low = middle + 1;
    }
    return NULL;
}

int money_exponent(const char *currency)
{
    const currency_entry *entry = currency_find(currency);
    return entry ? entry->exponent : -1;
}

/*
 * Accepts exactly: one or more ASCII digits, optionally followed by '.' and
 * one to exponent digits. Everything else (sign, spaces, comma, exponent
 * notation, a bare '.', more decimals than the currency has — even zeros)
 * is -EINVAL with err->field "amount" (or "currency" for an unknown code).
 * *minor is written only on success.
 */
int money_parse(const char *text, const char *currency, int64_t *minor, dn_err *err)
{
    int exponent = money_exponent(currency);
    if (exponent < 0)
        return dn_err_set(err, -EINVAL, "currency", "unknown ISO 4217 currency \"%.8s\"",
                          currency ? currency : "(null)");
    if (!text || !*text)
        return dn_err_set(err, -EINVAL, "amount", "amount is empty");
    if (text[0] == '-')
        return dn_err_set(err, -EINVAL, "amount", "amount \"%.40s\" is negative", text);

    const char *p = text;
    uint64_t value = 0;
    int integer_digits = 0;
    /* INT64_MAX fits in uint64 with room for one more digit step check */
    const uint64_t limit = (uint64_t)INT64_MAX;
    for (; *p >= '0' && *p <= '9'; p++, integer_digits++) {
        if (value > (limit - (uint64_t)(*p - '0')) / 10)
            goto overflow;
        value = value * 10 + (uint64_t)(*p - '0');
    }
    if (integer_digits == 0)
        return dn_err_set(err, -EINVAL, "amount",
                          "amount \"%.40s\" must start with a digit (format 1234.56)", text);

    int decimals = 0;
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++) {
            decimals++;
            if (decimals > exponent)
                return dn_err_set(err, -EINVAL, "amount",
                                  "amount \"%.40s\" has more decimals than %s allows (%d)",
                                  text, currency, exponent);
            if (value > (limit - (uint64_t)(*p - '0')) / 10)
                goto overflow;
            value = value * 10 + (uint64_t)(*p - '0');
        }
        if (decimals == 0)
            return dn_err_set(err, -EINVAL, "amount",
                              "amount \"%.40s\" has a '.' without digits after it", text);
    }
    if (*p != '\0')
        return dn_err_set(err, -EINVAL, "amount",
                          "amount \"%.40s\" has an unexpected character '%c' at offset %td "
                          "(format 1234.56)",
                          text, *p, p - text);
    for (; decimals < exponent; decimals++) {
        if (value > limit / 10)
            goto overflow;
        value *= 10;
    }
    *minor = (int64_t)value;
    return 0;

overflow:
    return dn_err_set(err, -EINVAL, "amount",
                      "amount \"%.40s\" does not fit in 64-bit minor units of %s", text,
                      currency);
}

/* Writes the decimal digits of value into out with separator between
 * groups of three; out must hold 20 digits plus 6 separators plus NUL. */
static void format_grouped(uint64_t value, const char *separator, char *out, size_t size)
{
    char digits[21];
    int count = snprintf(digits, sizeof digits, "%llu", (unsigned long long)value);
    size_t used = 0;
    size_t separator_length = strlen(separator);
    for (int i = 0; i < count; i++) {
        if (i > 0 && (count - i) % 3 == 0) {
            if (used + separator_length < size) {
                memcpy(out + used, separator, separator_length);
                used += separator_length;
            }
        }
        if (used + 1 < size)
            out[used++] = digits[i];
    }
    out[used] = '\0';
}

/*
 * lv and ru: "-1 234,50 €" (no-break spaces); en: "-€1,234.50", and for a
 * currency without a symbol "CHF 1,234.50" (en) / "1 234,50 CHF" (lv, ru).
 * Zero-exponent currencies print no decimal part. Returns 0, -EINVAL for an
 * unknown currency, or -E2BIG when out is too small (out then holds a cut,
 * NUL-terminated string if size > 0).
 */
int money_format(int64_t minor, const char *currency, const char *language, char *out,
                 size_t size)
{
    int exponent = money_exponent(currency);
    if (exponent < 0)
        return -EINVAL;
    money_language lang = language_of(language);

    bool negative = minor < 0;
    /* -(INT64_MIN) overflows, so negate in unsigned arithmetic */
    uint64_t magnitude = negative ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < exponent; i++)
        scale *= 10;

    char integer[48];
    format_grouped(magnitude / scale, lang == LANGUAGE_EN ? "," : NO_BREAK_SPACE, integer,
                   sizeof integer);
    /* decimal separator and exactly exponent digits (exponents are 0..4) */
    char fraction[8] = "";
    if (exponent > 0) {
        uint64_t remainder = magnitude % scale;
        fraction[0] = lang == LANGUAGE_EN ? '.' : ',';
        for (int i = exponent; i >= 1; i--) {
            fraction[i] = (char)('0' + remainder % 10);
            remainder /= 10;
        }
        fraction[exponent + 1] = '\0';
    }

    const char *symbol = NULL;
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
        if (strcmp(symbols[i].code, currency) == 0)
            symbol = symbols[i].symbol;

    const char *sign = negative ? "-" : "";
    int written;
    if (lang != LANGUAGE_EN)
        written = snprintf(out, size, "%s%s%s" NO_BREAK_SPACE "%s", sign, integer, fraction,
                           symbol ? symbol : currency);
    else if (symbol)
        written = snprintf(out, size, "%s%s%s%s", sign, symbol, integer, fraction);
    else
        written = snprintf(out, size, "%s%s" NO_BREAK_SPACE "%s%s", sign, currency, integer,
                           fraction);
    if (written < 0 || (size_t)written >= size)
        return -E2BIG;
    return 0;
}

/*
 * lv "31.03.2026." (the Latvian ordinal dot after the year), ru "31.03.2026",
 * en "31 March 2026"; unknown language → en. Returns 0, -EINVAL for
 * DN_NO_DATE, -E2BIG when out is too small.
 */
int date_format_local(dn_date day, const char *language, char *out, size_t size)
{
    static const char *const month_names[12] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December",
    };
    if (day == DN_NO_DATE)
        return -EINVAL;
    int year, month, day_of_month;
    dn_date_to_ymd(day, &year, &month, &day_of_month);
    int written;
    switch (language_of(language)) {
    case LANGUAGE_LV:
        written = snprintf(out, size, "%02d.%02d.%04d.", day_of_month, month, year);
        break;
    case LANGUAGE_RU:
        written = snprintf(out, size, "%02d.%02d.%04d", day_of_month, month, year);
        break;
    default:
        written = snprintf(out, size, "%d %s %04d", day_of_month, month_names[month - 1], year);
        break;
    }
    if (written < 0 || (size_t)written >= size)
        return -E2BIG;
    return 0;
}
