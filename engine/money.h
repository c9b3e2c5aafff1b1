/*
 * money.h — ISO 4217 currencies and locale-correct formatting of integer
 * minor units. Amounts are int64 minor units; nothing here uses floats.
 */
#ifndef DN_MONEY_H
#define DN_MONEY_H

#include "common.h"

/* Minor-unit exponent of an ISO 4217 code (EUR 2, JPY 0, BHD 3), or -1 if
 * the code is not a known active currency. */
int  money_exponent(const char *currency);
/* Parses a decimal amount string ("12.50", "12", "-3.1" → -EINVAL for
 * negatives) into minor units of currency; too many decimals → -EINVAL. */
int  money_parse(const char *text, const char *currency, int64_t *minor, dn_err *err);
/* Formats for a language: lv "12,50 €", ru "12,50 €", en "€12.50",
 * thousands grouped (lv/ru with a no-break space, en with a comma).
 * Returns -EINVAL for an unknown currency, -E2BIG if out is too small. */
int  money_format(int64_t minor, const char *currency, const char *language, char *out,
                  size_t size);
/* Formats a date for a language: lv "31.03.2026.", ru "31.03.2026", en "31 March 2026". */
int  date_format_local(dn_date day, const char *language, char *out, size_t size);

#endif
