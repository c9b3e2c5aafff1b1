/*
 * sms.h — SMS encoding per 3GPP TS 23.038: GSM-7 (with the extension table
 * counted as two septets) or UCS-2 (characters outside the BMP as two
 * units), and the number of parts: GSM-7 160 / 153 per part, UCS-2 70 / 67.
 */
#ifndef DN_SMS_H
#define DN_SMS_H

#include "common.h"

typedef enum dn_sms_coding { DN_SMS_GSM7, DN_SMS_UCS2 } dn_sms_coding;

typedef struct dn_sms_info {
    dn_sms_coding coding;
    int units;                    /* septets (GSM-7) or UTF-16 code units */
    int parts;
} dn_sms_info;

/* Analyses UTF-8 text; -EINVAL if it is not valid UTF-8. */
int sms_analyse(const char *utf8, dn_sms_info *out);
/* Transliterates to GSM-7 where possible (ā→a, š→s, Cyrillic→Latin);
 * out is NUL-terminated; -E2BIG if it does not fit. The result can be
 * longer than the input (щ → "shch"): 2 * strlen(utf8) + 1 bytes always fit. */
int sms_transliterate(const char *utf8, char *out, size_t size);

#endif
