/* model.c — the spellings of the domain enums and the UTF-8 check that every
 * store backend applies to text before writing it. */
#include "model.h"

#include <stdio.h>
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

/* The code point of the UTF-8 sequence at p (already validated). */
static unsigned utf8_code_point(const unsigned char *p)
{
    if (p[0] < 0x80)
        return p[0];
    if (p[0] < 0xE0)
        return (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    if (p[0] < 0xF0)
        return (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12 |
           (unsigned)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
}

/* Unicode White_Space (and the BOM, which shows as nothing). */
static bool white_space(unsigned cp)
{
    return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

const char *dn_external_id_problem(const char *s)
{
    if (!s || !s[0])
        return "must not be empty";
    if (!dn_utf8_valid(s))
        return "must be valid UTF-8";
    const unsigned char *p = (const unsigned char *)s, *last = p;
    for (; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;                         /* inside a sequence */
        unsigned cp = utf8_code_point(p);
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
            return "must not contain control characters";
        last = p;
    }
    if (white_space(utf8_code_point((const unsigned char *)s)) ||
        white_space(utf8_code_point(last)))
        return "must not start or end with white space";
    return NULL;
}

/* ---- blackout text form (model.h) ---- */

static const char *const blackout_days[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
static const char *const blackout_channels[4] = { "sms", "email", "voice", "chat" };

static int blackout_day(const char *s, size_t n)
{
    for (int i = 0; i < 7; i++)
        if (n == 3 && strncmp(s, blackout_days[i], 3) == 0)
            return i;
    return -1;
}

/* "HH:MM" (00:00..24:00) at s, exactly 5 bytes. */
static int blackout_minute(const char *s)
{
    if (s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' ||
        s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -1;
    int v = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
    return v <= 1440 ? v : -1;
}

int dn_blackout_parse(const char *s, dn_blackout *out)
{
    if (!s || strlen(s) >= DN_BLACKOUT_TEXT_MAX)
        return -EINVAL;
    const char *sp = strchr(s, ' ');
    if (!sp)
        return -EINVAL;
    unsigned days = 0;
    if (sp - s == 3 && strncmp(s, "all", 3) == 0) {
        days = 0x7f;
    } else {
        const char *p = s;
        while (p < sp) {
            const char *end = memchr(p, ',', (size_t)(sp - p));
            if (!end)
                end = sp;
            int a = -1, b = -1;
            if (end - p == 3) {
                a = b = blackout_day(p, 3);
            } else if (end - p == 7 && p[3] == '-') {
                a = blackout_day(p, 3);
                b = blackout_day(p + 4, 3);
            }
            if (a < 0 || b < 0)
                return -EINVAL;
            /* a range runs forward through the week: "fri-mon" = fri,sat,sun,mon */
            for (int d = a;; d = (d + 1) % 7) {
                days |= 1u << d;
                if (d == b)
                    break;
            }
            p = end == sp ? sp : end + 1;
            if (end != sp && p == sp)
                return -EINVAL;                 /* trailing comma */
        }
    }
    const char *t = sp + 1;
    if (strlen(t) < 11 || t[5] != '-' || (t[11] != '\0' && t[11] != ' '))
        return -EINVAL;
    int from = blackout_minute(t), to = blackout_minute(t + 6);
    if (from < 0 || to < 0 || from >= to)
        return -EINVAL;
    unsigned channels = 0;
    if (t[11] == ' ') {
        const char *p = t + 12;
        if (strcmp(p, "all") != 0) {
            while (*p) {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                int found = -1;
                for (int i = 0; i < 4; i++)
                    if (strlen(blackout_channels[i]) == n && strncmp(p, blackout_channels[i], n) == 0)
                        found = i;
                if (found < 0)
                    return -EINVAL;
                channels |= 1u << found;
                if (!end)
                    break;
                p = end + 1;
                if (!*p)
                    return -EINVAL;
            }
        }
    }
    *out = (dn_blackout){ days, from, to, channels };
    return 0;
}

void dn_blackout_format(const dn_blackout *b, char out[DN_BLACKOUT_TEXT_MAX])
{
    size_t n = 0;
    out[0] = '\0';
    if ((b->weekdays & 0x7f) == 0x7f) {
        n = (size_t)snprintf(out, DN_BLACKOUT_TEXT_MAX, "all");
    } else {
        for (int k = 1; k <= 7; k++) {          /* Monday first */
            int d = k % 7;
            if (b->weekdays & (1u << d))
                n += (size_t)snprintf(out + n, DN_BLACKOUT_TEXT_MAX - n, "%s%s", n ? "," : "",
                                      blackout_days[d]);
        }
    }
    n += (size_t)snprintf(out + n, DN_BLACKOUT_TEXT_MAX - n, " %02d:%02d-%02d:%02d",
                          b->from / 60, b->from % 60, b->to / 60, b->to % 60);
    if (b->channels & 0xf) {
        bool first = true;
        for (int i = 0; i < 4 && n < DN_BLACKOUT_TEXT_MAX; i++) {
            if (!(b->channels & (1u << i)))
                continue;
            n += (size_t)snprintf(out + n, DN_BLACKOUT_TEXT_MAX - n, "%s%s", first ? " " : ",",
                                  blackout_channels[i]);
            first = false;
        }
    }
}
