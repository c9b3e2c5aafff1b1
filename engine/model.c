/* model.c — the spellings of the domain enums and the UTF-8 check that every
 * store backend applies to text before writing it. */
#include "model.h"

#include <string.h>

const char *const dn_invoice_status_names[DN_INV_STATUS_COUNT] = {
    [DN_INV_DRAFT] = "draft",       [DN_INV_OPEN] = "open",
    [DN_INV_DISPUTED] = "disputed", [DN_INV_ON_HOLD] = "on_hold",
    [DN_INV_PAID] = "paid",         [DN_INV_CREDITED] = "credited",
    [DN_INV_WRITTEN_OFF] = "written_off",
};

/* Maps the storage/API spelling to the enum; -EINVAL for anything else
 * (including NULL), *out untouched then. */
int dn_invoice_status_parse(const char *s, dn_invoice_status *out)
{
    if (!s)
        return -EINVAL;
    for (int i = 0; i < DN_INV_STATUS_COUNT; i++) {
        if (strcmp(s, dn_invoice_status_names[i]) == 0) {
            *out = (dn_invoice_status)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *const dn_purpose_names[DN_PURPOSE_COUNT] = {
    [DN_PURPOSE_REMINDER] = "reminder",     [DN_PURPOSE_NOTICE] = "notice",
    [DN_PURPOSE_FORMAL] = "formal",         [DN_PURPOSE_ESCALATION] = "escalation",
    [DN_PURPOSE_OPTOUT_CONFIRM] = "optout_confirm", [DN_PURPOSE_PREVENTION] = "prevention",
};

int dn_purpose_parse(const char *s, dn_purpose *out)
{
    for (int i = 0; s && i < DN_PURPOSE_COUNT; i++) {
        if (strcmp(s, dn_purpose_names[i]) == 0) {
            *out = (dn_purpose)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *const dn_action_names[] = {
    [DN_ACT_NONE] = "none",   [DN_ACT_WAIT] = "wait", [DN_ACT_CONTACT] = "contact",
    [DN_ACT_SKIP] = "skip",   [DN_ACT_ERROR] = "error",
};

/* Walks the string once (RFC 3629): each lead byte fixes the sequence length
 * and the allowed range of the second byte, which excludes overlong forms,
 * UTF-16 surrogates (U+D800..U+DFFF) and code points above U+10FFFF. */
bool dn_utf8_valid(const char *s)
{
    if (!s)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        int continuation;
        unsigned char low = 0x80, high = 0xBF;   /* range of the second byte */
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            continuation = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            continuation = 2;
            if (c == 0xE0)
                low = 0xA0;                  /* overlong below U+0800 */
            else if (c == 0xED)
                high = 0x9F;                 /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            continuation = 3;
            if (c == 0xF0)
                low = 0x90;                  /* overlong below U+10000 */
            else if (c == 0xF4)
                high = 0x8F;                 /* above U+10FFFF */
        } else {
            return false;                    /* stray continuation, C0, C1, F5.. */
        }
        p++;
        if (*p < low || *p > high)
            return false;
        p++;
        for (int i = 1; i < continuation; i++, p++)
            if (*p < 0x80 || *p > 0xBF)
                return false;
    }
    return true;
}
