/*
 * test_guard.c — the compliance guard.
 *
 * 1. One table row per case of /work/shared/cases/compliance.md (cases 1-18)
 *    with the dates written there; times are written with the customer's
 *    UTC offset (checked with zdump), "refused" for a time-of-day or cap
 *    reason means DEFER to the instant given, for a hold REFUSE.
 * 2. A property test: random customers contacted greedily for a year, every
 *    allowed contact recorded, then an independent checker — written here
 *    from docs/compliance.md's profile tables, using tz.c but nothing of
 *    guard.c or calendar.c — verifies no contact broke a window, holiday,
 *    blackout, cap, spacing, cooldown, hold or opt-out.
 *    DN_GUARD_PROPERTY_CUSTOMERS sets the number of customers (10,000 by
 *    default, 3,000 under AddressSanitizer). With DN_GUARD_PROPERTY_LOG set,
 *    every customer and every allowed contact is also written to that file
 *    for the checker that shares no code with the engine at all
 *    (tests/property/check_guard_log.py, Python with zoneinfo and its own
 *    holiday table; the format is described there and at dump_customer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "guard-internal.h"
#include "tz.h"

static dn_time T(const char *s)
{
    dn_time t;
    if (dn_time_parse(s, &t))
        fail_msg("bad time in test: %s", s);
    return t;
}

static dn_date D(const char *s)
{
    dn_date d;
    if (dn_date_parse(s, &d))
        fail_msg("bad date in test: %s", s);
    return d;
}

/* ---- part 1: the cases ---- */

typedef struct past {
    const char *at;
    const char *channel;
    const char *outcome;
    const char *debt;
    dn_purpose purpose;
    const char *state;          /* NULL: "answered" for a call outcome, else "sent" */
} past;

#define HISTORY_MAX 24
#define WEEKDAYS (0x3e)         /* Monday..Friday */
#define WEEKEND  (0x41)         /* Sunday, Saturday */

typedef struct guard_row {
    const char *name;
    const char *profile;        /* built-in name, or a JSON object */
    const char *zone, *country;
    const char *phone;          /* E.164; its calling code names candidate zones */
    unsigned holds;
    const char *hold_until;
    unsigned opt_out, opt_out_confirmed, third_party;
    dn_blackout blackout[2];
    int n_blackout;
    bool disputed, paid;        /* the one invoice */
    bool notice_posted;
    const char *notice_on;
    const char *notice_at;      /* the posting instant, when known */
    bool acknowledged;
    const char *promise_due;
    int64_t case_id;
    int case_reminders;         /* the store's count for the whole case */
    past history[HISTORY_MAX];
    const char *channel, *debt, *tone;
    dn_purpose purpose;
    const char *at;
    dn_verdict_kind kind;
    const char *code;
    const char *until;          /* DEFER only */
    int unsent;                 /* contacts behind the code that are not sent yet */
    const char *blamed;         /* the zone a time-of-day code blames, NULL: not checked */
} guard_row;

#define NY "America/New_York"
#define CALL(t, o, d) { t, "voice", o, d, DN_PURPOSE_REMINDER }

/* Latvia with an 08:00-21:00 window every day and no holiday rule, for
 * the DST rows (both days are Sundays). */
#define LV_ALL_DAYS "{\"base\":\"LV\",\"holidays_forbidden\":false,\"windows\":{" \
    "\"sun\":\"08:00-21:00\",\"mon\":\"08:00-21:00\",\"tue\":\"08:00-21:00\","     \
    "\"wed\":\"08:00-21:00\",\"thu\":\"08:00-21:00\",\"fri\":\"08:00-21:00\","     \
    "\"sat\":\"08:00-21:00\"}}"

static const guard_row rows[] = {
    /* 1. seven unanswered calls 04-01..04-07 allowed, an 8th refused, 04-08 allowed */
    { .name = "1: 7th call in 7 days allowed", .profile = "US", .zone = NY,
      .history = { CALL("2020-04-01T10:00:00-04:00", "voicemail", "card"),
                   CALL("2020-04-02T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-03T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-04T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-05T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-06T10:00:00-04:00", "no_answer", "card") },
      .channel = "voice", .debt = "card", .at = "2020-04-07T10:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "1: 8th call on 04-07 refused", .profile = "US", .zone = NY,
      .history = { CALL("2020-04-01T10:00:00-04:00", "voicemail", "card"),
                   CALL("2020-04-02T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-03T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-04T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-05T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-06T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-07T10:00:00-04:00", "no_answer", "card") },
      .channel = "voice", .debt = "card", .at = "2020-04-07T15:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "cap_calls_7d", .until = "2020-04-08T08:00:00-04:00" },
    { .name = "1: call on 04-08 allowed", .profile = "US", .zone = NY,
      .history = { CALL("2020-04-01T18:00:00-04:00", "voicemail", "card"),
                   CALL("2020-04-02T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-03T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-04T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-05T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-06T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-07T10:00:00-04:00", "no_answer", "card") },
      .channel = "voice", .debt = "card", .at = "2020-04-08T08:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* 2. mortgage: 04-01 one call, 04-02, 04-03, 04-06 two each: 04-07 is the 8th */
    { .name = "2: 8th call in 7 days refused", .profile = "US", .zone = NY,
      .history = { CALL("2020-04-01T10:00:00-04:00", "no_answer", "mortgage"),
                   CALL("2020-04-02T10:00:00-04:00", "no_answer", "mortgage"),
                   CALL("2020-04-02T15:00:00-04:00", "no_answer", "mortgage"),
                   CALL("2020-04-03T10:00:00-04:00", "no_answer", "mortgage"),
                   CALL("2020-04-03T15:00:00-04:00", "no_answer", "mortgage"),
                   CALL("2020-04-06T10:00:00-04:00", "no_answer", "mortgage"),
                   CALL("2020-04-06T15:00:00-04:00", "no_answer", "mortgage") },
      .channel = "voice", .debt = "mortgage", .at = "2020-04-07T10:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "cap_calls_7d", .until = "2020-04-08T08:00:00-04:00" },
    /* 3. conversation on 2020-08-13 (day 1): 08-19 refused, 08-20 allowed */
    { .name = "3: call 6 days after a conversation refused", .profile = "US", .zone = NY,
      .history = { CALL("2020-08-13T11:00:00-04:00", "conversation", "card") },
      .channel = "voice", .debt = "card", .at = "2020-08-19T10:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "conversation_cooldown",
      .until = "2020-08-20T08:00:00-04:00" },
    { .name = "3: call 7 days after a conversation allowed", .profile = "US", .zone = NY,
      .history = { CALL("2020-08-13T11:00:00-04:00", "conversation", "card") },
      .channel = "voice", .debt = "card", .at = "2020-08-20T10:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "3: a conversation about another debt does not block", .profile = "US",
      .zone = NY, .history = { CALL("2020-08-13T11:00:00-04:00", "conversation", "medical") },
      .channel = "voice", .debt = "card", .at = "2020-08-19T10:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "3: e-mail is not a call: no cooldown", .profile = "US", .zone = NY,
      .history = { CALL("2020-08-13T11:00:00-04:00", "conversation", "card") },
      .channel = "email", .debt = "card", .at = "2020-08-19T10:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* 4. busy and not-in-service do not count, no answer / voicemail /
     * ringless voicemail do, an SMS does not: 5 counted, 6th allowed */
    { .name = "4: busy, not in service and SMS are not attempts", .profile = "US", .zone = NY,
      .history = { CALL("2020-04-01T10:00:00-04:00", "busy", "card"),
                   CALL("2020-04-02T10:00:00-04:00", "not_in_service", "card"),
                   CALL("2020-04-03T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-04T10:00:00-04:00", "voicemail", "card"),
                   CALL("2020-04-05T10:00:00-04:00", "ringless_voicemail", "card"),
                   CALL("2020-04-06T10:00:00-04:00", "no_answer", "card"),
                   { "2020-04-06T12:00:00-04:00", "sms", "", "card", DN_PURPOSE_REMINDER },
                   CALL("2020-04-07T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-07T12:00:00-04:00", "busy", "card") },
      .channel = "voice", .debt = "card", .at = "2020-04-07T15:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "4: the counted ones reach 7", .profile = "US", .zone = NY,
      .history = { CALL("2020-04-01T10:00:00-04:00", "busy", "card"),
                   CALL("2020-04-02T10:00:00-04:00", "not_in_service", "card"),
                   CALL("2020-04-03T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-04T10:00:00-04:00", "voicemail", "card"),
                   CALL("2020-04-05T10:00:00-04:00", "ringless_voicemail", "card"),
                   CALL("2020-04-05T15:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-06T10:00:00-04:00", "no_answer", "card"),
                   CALL("2020-04-06T15:00:00-04:00", "voicemail", "card"),
                   CALL("2020-04-07T10:00:00-04:00", "no_answer", "card") },
      .channel = "voice", .debt = "card", .at = "2020-04-07T15:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "cap_calls_7d", .until = "2020-04-10T08:00:00-04:00" },
    /* 5. three debts, 7 calls each: each within its own limit; the
     * per-customer cap (14 in the US profile) still applies */
#define SEVEN(debt, hh)                                                          \
    CALL("2020-04-01T" hh ":00:00-04:00", "no_answer", debt),                    \
    CALL("2020-04-02T" hh ":00:00-04:00", "no_answer", debt),                    \
    CALL("2020-04-03T" hh ":00:00-04:00", "no_answer", debt),                    \
    CALL("2020-04-04T" hh ":00:00-04:00", "no_answer", debt),                    \
    CALL("2020-04-05T" hh ":00:00-04:00", "no_answer", debt),                    \
    CALL("2020-04-06T" hh ":00:00-04:00", "no_answer", debt),                    \
    CALL("2020-04-07T" hh ":00:00-04:00", "no_answer", debt)
    { .name = "5: 15th call to the customer hits the harassment cap", .profile = "US",
      .zone = NY, .history = { SEVEN("medical", "09"), SEVEN("card-a", "11") },
      .channel = "voice", .debt = "card-b", .at = "2020-04-07T15:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "cap_customer_7d", .until = "2020-04-08T08:00:00-04:00" },
    { .name = "5: with the cap configured to 21, each debt has its own 7",
      .profile = "{\"base\":\"US\",\"call_attempts_per_customer_7d\":21}", .zone = NY,
      .history = { SEVEN("medical", "09"), SEVEN("card-a", "11"),
                   CALL("2020-04-01T13:00:00-04:00", "no_answer", "card-b"),
                   CALL("2020-04-02T13:00:00-04:00", "no_answer", "card-b"),
                   CALL("2020-04-03T13:00:00-04:00", "no_answer", "card-b"),
                   CALL("2020-04-04T13:00:00-04:00", "no_answer", "card-b"),
                   CALL("2020-04-05T13:00:00-04:00", "no_answer", "card-b"),
                   CALL("2020-04-06T13:00:00-04:00", "no_answer", "card-b") },
      .channel = "voice", .debt = "card-b", .at = "2020-04-07T15:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "5: the 8th call about one debt is still refused",
      .profile = "{\"base\":\"US\",\"call_attempts_per_customer_7d\":21}", .zone = NY,
      .history = { SEVEN("medical", "09"), SEVEN("card-a", "11") },
      .channel = "voice", .debt = "card-a", .at = "2020-04-07T15:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "cap_calls_7d", .until = "2020-04-08T08:00:00-04:00" },
    /* 6. three student loans under one account number are one debt */
    { .name = "6: loans under one account count as one debt", .profile = "US", .zone = NY,
      .history = { SEVEN("loan-account-1", "10") },
      .channel = "voice", .debt = "loan-account-1", .at = "2020-04-07T15:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "cap_calls_7d", .until = "2020-04-08T08:00:00-04:00" },
    /* 7. New York: 07:59 refused, 08:00 allowed, 20:59 allowed, 21:01
     * refused; the window is [08:00, 21:00), so 21:00:00 is refused too */
    { .name = "7: 07:59 refused", .profile = "US", .zone = NY, .channel = "voice",
      .at = "2020-04-07T07:59:00-04:00", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2020-04-07T08:00:00-04:00" },
    { .name = "7: 08:00 allowed", .profile = "US", .zone = NY, .channel = "voice",
      .at = "2020-04-07T08:00:00-04:00", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "7: 20:59:59 allowed", .profile = "US", .zone = NY, .channel = "sms",
      .at = "2020-04-07T20:59:59-04:00", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "7: 21:00:00 refused", .profile = "US", .zone = NY, .channel = "sms",
      .at = "2020-04-07T21:00:00-04:00", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2020-04-08T08:00:00-04:00" },
    { .name = "7: 21:01 refused", .profile = "US", .zone = NY, .channel = "voice",
      .at = "2020-04-07T21:01:00-04:00", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2020-04-08T08:00:00-04:00" },
    /* locations conflict (zone unknown, country US): convenient everywhere
     * from 08:00 Honolulu (18:00 UT) to 21:00 New York (01:00 UT) */
    { .name = "7: unknown zone, US: 08:00 New York is 02:00 Honolulu", .profile = "US",
      .zone = "", .country = "US", .channel = "voice", .at = "2020-04-07T12:00:00Z",
      .kind = DN_GUARD_DEFER, .code = "quiet_hours", .until = "2020-04-07T18:00:00Z" },
    { .name = "7: unknown zone, US: 08:00 Honolulu allowed", .profile = "US", .zone = "",
      .country = "US", .channel = "voice", .at = "2020-04-07T18:00:00Z",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "7: unknown zone, US: 21:00 New York refused", .profile = "US", .zone = "",
      .country = "US", .channel = "voice", .at = "2020-04-08T01:00:00Z",
      .kind = DN_GUARD_DEFER, .code = "quiet_hours", .until = "2020-04-08T18:00:00Z" },
    { .name = "7: nothing known: the profile's zones", .profile = "US", .zone = "",
      .country = "", .channel = "voice", .at = "2020-04-07T12:00:00Z",
      .kind = DN_GUARD_DEFER, .code = "quiet_hours", .until = "2020-04-07T18:00:00Z" },
    { .name = "7: a zone the database lacks falls back to the country", .profile = "LV",
      .zone = "Mars/Olympus_Mons", .country = "LV", .channel = "sms",
      .at = "2026-05-05T07:59:00+03:00", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2026-05-05T08:00:00+03:00" },
    /* unknown zone and country: the phone number. 709 is Newfoundland and
     * Labrador (Newfoundland time, and Atlantic time in Labrador). zdump:
     * St John's is NDT (-2:30), Halifax ADT (-3) on 2020-04-07, so 21:00 in
     * St John's (23:30 UT) closes the window and 08:00 in Halifax (11:00
     * UT) opens it */
    { .name = "7: phone +1 709: Newfoundland's 21:00 ends the window", .profile = "US",
      .zone = "", .country = "", .phone = "+17095550100", .channel = "voice",
      .at = "2020-04-07T23:30:00Z", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2020-04-08T11:00:00Z", .blamed = "America/St_Johns" },
    { .name = "7: phone +1 709: 23:29 UT still allowed", .profile = "US", .zone = "",
      .country = "", .phone = "+17095550100", .channel = "voice",
      .at = "2020-04-07T23:29:00Z", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "7: phone +1 709: Halifax's 08:00 opens it", .profile = "US", .zone = "",
      .country = "", .phone = "+17095550100", .channel = "voice",
      .at = "2020-04-08T10:59:00Z", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2020-04-08T11:00:00Z", .blamed = "America/Halifax" },
    { .name = "7: phone +371: Riga", .profile = "LV", .zone = "", .country = "",
      .phone = "+37120000001", .channel = "sms", .at = "2026-05-05T07:59:00+03:00",
      .kind = DN_GUARD_DEFER, .code = "quiet_hours", .until = "2026-05-05T08:00:00+03:00" },
    /* Regulation F, locations in conflict (Supplement I, comment 6(b)(1)(i)):
     * convenient in every possible location. LV hours (Tue 08:00-20:00)
     * in Riga (EEST, 05:00-17:00 UT) and New York (EDT, 12:00-24:00 UT):
     * 12:00-17:00 UT is convenient in both */
    { .name = "7: country LV, New York phone: New York's 08:00 opens", .profile = "LV",
      .zone = "", .country = "LV", .phone = "+12125550100", .channel = "sms",
      .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2026-05-05T12:00:00Z", .blamed = NY },
    { .name = "7: Riga zone, New York phone: the zone does not hide the phone",
      .profile = "LV", .zone = "Europe/Riga", .country = "LV", .phone = "+12125550100",
      .channel = "sms", .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_DEFER,
      .code = "quiet_hours", .until = "2026-05-05T12:00:00Z", .blamed = NY },
    { .name = "7: Riga zone, New York phone: 12:00 UT allowed", .profile = "LV",
      .zone = "Europe/Riga", .country = "LV", .phone = "+12125550100", .channel = "sms",
      .at = "2026-05-05T12:00:00Z", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "7: Riga zone, New York phone: Riga's 20:00 closes", .profile = "LV",
      .zone = "Europe/Riga", .country = "LV", .phone = "+12125550100", .channel = "sms",
      .at = "2026-05-05T17:00:00Z", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2026-05-06T12:00:00Z", .blamed = "Europe/Riga" },
    /* Riga (EEST) and Honolulu (HST): LV hours Mon-Fri 08:00-20:00 meet
     * only from 05:00 to 06:00 UT (08:00 Riga is 19:00 the day before in
     * Honolulu). At 07:00 UT on Tuesday 5 May it is 21:00 on Monday 4 May
     * in Honolulu, a Latvian holiday there too: the profile's calendar
     * counts on every zone's own date */
    { .name = "7: Riga zone, Hawaiian phone: one common hour", .profile = "LV",
      .zone = "Europe/Riga", .country = "LV", .phone = "+18085550100", .channel = "sms",
      .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_DEFER, .code = "holiday",
      .until = "2026-05-06T05:00:00Z", .blamed = "Pacific/Honolulu" },
    /* an area code the table does not know: anywhere in the US or Canada,
     * New York's 21:00 (01:00 UT) comes before Honolulu's 08:00 (18:00 UT),
     * and Riga's window lies outside both: no hour at all */
    { .name = "7: Riga zone, unknown +1 area code: no common hour", .profile = "LV",
      .zone = "Europe/Riga", .country = "LV", .phone = "+19995550100", .channel = "sms",
      .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_REFUSE, .code = "quiet_hours" },
    { .name = "7: Riga zone, Latvian phone: Riga alone", .profile = "LV",
      .zone = "Europe/Riga", .country = "LV", .phone = "+37120000001", .channel = "sms",
      .at = "2026-05-05T08:00:00+03:00", .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* Chicago zone, New York mobile (CDT/EDT): 08:00 Chicago (13:00 UT) to
     * 21:00 New York (01:00 UT) */
    { .name = "7: Chicago zone, New York phone: 08:30 New York is 07:30 Chicago",
      .profile = "US", .zone = "America/Chicago", .country = "US", .phone = "+12125550100",
      .channel = "voice", .at = "2026-05-05T12:30:00Z", .kind = DN_GUARD_DEFER,
      .code = "quiet_hours", .until = "2026-05-05T13:00:00Z", .blamed = "America/Chicago" },
    { .name = "7: Chicago zone, New York phone: 21:00 New York", .profile = "US",
      .zone = "America/Chicago", .country = "US", .phone = "+12125550100", .channel = "voice",
      .at = "2026-05-06T01:00:00Z", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2026-05-06T13:00:00Z", .blamed = NY },
    /* 850 covers Eastern and Central Florida: with a Chicago zone the two
     * agree on Central, so 20:30 Chicago (21:30 New York) is allowed */
    { .name = "7: Chicago zone, 850 phone: the signals agree on Central", .profile = "US",
      .zone = "America/Chicago", .country = "US", .phone = "+18505550100",
      .channel = "voice", .at = "2026-05-06T01:30:00Z", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    { .name = "7: 850 phone alone: Eastern and Central", .profile = "US", .zone = "",
      .country = "US", .phone = "+18505550100", .channel = "voice",
      .at = "2026-05-06T01:30:00Z", .kind = DN_GUARD_DEFER, .code = "quiet_hours",
      .until = "2026-05-06T13:00:00Z", .blamed = NY },
    { .name = "7: a toll-free phone says nothing", .profile = "US", .zone = NY,
      .country = "US", .phone = "+18005550100", .channel = "voice",
      .at = "2026-05-06T00:30:00Z", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "7: more possible zones than a verdict checks", .profile = "default",
      .zone = "Asia/Tokyo", .country = "BR", .phone = "+79161234567", .channel = "sms",
      .at = "2026-05-05T10:00:00Z", .kind = DN_GUARD_REFUSE, .code = "unknown_zone" },
    { .name = "7: nothing known and no zones in the profile", .profile = "default",
      .zone = "", .country = "", .channel = "sms", .at = "2026-05-05T10:00:00Z",
      .kind = DN_GUARD_REFUSE, .code = "unknown_zone" },
    /* 8. blackout "weekdays never 15:00-17:00, never weekends" */
    { .name = "8: Wednesday 15:30 refused", .profile = "US", .zone = NY,
      .blackout = { { WEEKDAYS, 15 * 60, 17 * 60, 0 }, { WEEKEND, 0, 1440, 0 } },
      .n_blackout = 2, .channel = "voice", .at = "2020-04-08T15:30:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "blackout", .until = "2020-04-08T17:00:00-04:00" },
    { .name = "8: Saturday 10:00 refused", .profile = "US", .zone = NY,
      .blackout = { { WEEKDAYS, 15 * 60, 17 * 60, 0 }, { WEEKEND, 0, 1440, 0 } },
      .n_blackout = 2, .channel = "email", .at = "2020-04-11T10:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "blackout", .until = "2020-04-13T08:00:00-04:00" },
    { .name = "8: Wednesday 14:59 allowed", .profile = "US", .zone = NY,
      .blackout = { { WEEKDAYS, 15 * 60, 17 * 60, 0 }, { WEEKEND, 0, 1440, 0 } },
      .n_blackout = 2, .channel = "voice", .at = "2020-04-08T14:59:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* 9. after SMS STOP: one confirmation SMS; nothing else by SMS */
    { .name = "9: the confirmation SMS allowed", .profile = "US", .zone = NY,
      .opt_out = DN_OPTOUT_SMS, .channel = "sms", .purpose = DN_PURPOSE_OPTOUT_CONFIRM,
      .at = "2020-04-08T10:00:00-04:00", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "9: any other SMS refused", .profile = "US", .zone = NY,
      .opt_out = DN_OPTOUT_SMS, .channel = "sms", .at = "2020-04-08T10:00:00-04:00",
      .kind = DN_GUARD_REFUSE, .code = "opted_out" },
    { .name = "9: a second confirmation beside a planned one refused", .profile = "US",
      .zone = NY, .opt_out = DN_OPTOUT_SMS,
      .history = { { "2020-04-08T09:00:00-04:00", "sms", "", "", DN_PURPOSE_OPTOUT_CONFIRM,
                     "planned" } },
      .channel = "sms", .purpose = DN_PURPOSE_OPTOUT_CONFIRM,
      .at = "2020-04-08T10:00:00-04:00", .kind = DN_GUARD_REFUSE, .code = "opted_out" },
    { .name = "9: a confirmation already recorded on the customer", .profile = "US", .zone = NY,
      .opt_out = DN_OPTOUT_SMS, .opt_out_confirmed = DN_OPTOUT_SMS, .channel = "sms",
      .purpose = DN_PURPOSE_OPTOUT_CONFIRM, .at = "2020-04-08T10:00:00-04:00",
      .kind = DN_GUARD_REFUSE, .code = "opted_out" },
    { .name = "9: the confirmation on another channel does not count", .profile = "US",
      .zone = NY, .opt_out = DN_OPTOUT_SMS | DN_OPTOUT_CHAT,
      .opt_out_confirmed = DN_OPTOUT_CHAT, .channel = "sms",
      .purpose = DN_PURPOSE_OPTOUT_CONFIRM, .at = "2020-04-08T10:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "9: after the confirmation, any other SMS refused", .profile = "US", .zone = NY,
      .opt_out = DN_OPTOUT_SMS, .opt_out_confirmed = DN_OPTOUT_SMS, .channel = "sms",
      .at = "2020-04-08T10:00:00-04:00", .kind = DN_GUARD_REFUSE, .code = "opted_out" },
    { .name = "9: e-mail unaffected", .profile = "US", .zone = NY, .opt_out = DN_OPTOUT_SMS,
      .channel = "email", .at = "2020-04-08T10:00:00-04:00", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    { .name = "9: calls unaffected", .profile = "US", .zone = NY, .opt_out = DN_OPTOUT_SMS,
      .channel = "voice", .at = "2020-04-08T10:00:00-04:00", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    { .name = "9: calls refused once also opted out", .profile = "US", .zone = NY,
      .opt_out = DN_OPTOUT_SMS | DN_OPTOUT_VOICE, .channel = "agent", .tone = "neutral",
      .at = "2020-04-08T10:00:00-04:00", .kind = DN_GUARD_REFUSE, .code = "opted_out" },
    /* 10. Europe/Riga 08:00-21:00 across DST. zdump: +3 from 2026-03-29
     * 01:00 UT, +2 from 2026-10-25 01:00 UT, so the window opens at 05:00
     * UT and 06:00 UT. (compliance.md says "07:00 UTC vs 06:00 UTC", which
     * are the CET/CEST figures, not Riga's; the values here are zdump's.) */
    { .name = "10: 2026-03-29 04:59:59 UT (07:59:59 EEST)", .profile = LV_ALL_DAYS,
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-03-29T04:59:59Z",
      .kind = DN_GUARD_DEFER, .code = "quiet_hours", .until = "2026-03-29T05:00:00Z" },
    { .name = "10: 2026-03-29 05:00 UT (08:00 EEST)", .profile = LV_ALL_DAYS,
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-03-29T05:00:00Z",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "10: 2026-03-29 17:59 UT (20:59 EEST)", .profile = LV_ALL_DAYS,
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-03-29T17:59:00Z",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "10: 2026-03-29 18:00 UT (21:00 EEST)", .profile = LV_ALL_DAYS,
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-03-29T18:00:00Z",
      .kind = DN_GUARD_DEFER, .code = "quiet_hours", .until = "2026-03-30T05:00:00Z" },
    { .name = "10: 2026-10-25 05:59 UT (07:59 EET)", .profile = LV_ALL_DAYS,
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-10-25T05:59:00Z",
      .kind = DN_GUARD_DEFER, .code = "quiet_hours", .until = "2026-10-25T06:00:00Z" },
    { .name = "10: 2026-10-25 06:00 UT (08:00 EET)", .profile = LV_ALL_DAYS,
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-10-25T06:00:00Z",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "10: 2026-10-25 18:59 UT (20:59 EET)", .profile = LV_ALL_DAYS,
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-10-25T18:59:00Z",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "10: 2026-10-25 19:00 UT (21:00 EET)", .profile = LV_ALL_DAYS,
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-10-25T19:00:00Z",
      .kind = DN_GUARD_DEFER, .code = "quiet_hours", .until = "2026-10-26T06:00:00Z" },
    /* 11. New York: EDT (-4) from 2026-03-08 07:00 UT, EST (-5) from
     * 2026-11-01 06:00 UT */
    { .name = "11: 2026-03-08 11:59 UT (07:59 EDT)", .profile = "US", .zone = NY,
      .channel = "voice", .at = "2026-03-08T11:59:00Z", .kind = DN_GUARD_DEFER,
      .code = "quiet_hours", .until = "2026-03-08T12:00:00Z" },
    { .name = "11: 2026-03-08 12:00 UT (08:00 EDT)", .profile = "US", .zone = NY,
      .channel = "voice", .at = "2026-03-08T12:00:00Z", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "11: 2026-03-09 00:59 UT (20:59 EDT)", .profile = "US", .zone = NY,
      .channel = "voice", .at = "2026-03-09T00:59:00Z", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "11: 2026-03-09 01:00 UT (21:00 EDT)", .profile = "US", .zone = NY,
      .channel = "voice", .at = "2026-03-09T01:00:00Z", .kind = DN_GUARD_DEFER,
      .code = "quiet_hours", .until = "2026-03-09T12:00:00Z" },
    { .name = "11: 2026-11-01 12:59 UT (07:59 EST)", .profile = "US", .zone = NY,
      .channel = "voice", .at = "2026-11-01T12:59:00Z", .kind = DN_GUARD_DEFER,
      .code = "quiet_hours", .until = "2026-11-01T13:00:00Z" },
    { .name = "11: 2026-11-01 13:00 UT (08:00 EST)", .profile = "US", .zone = NY,
      .channel = "voice", .at = "2026-11-01T13:00:00Z", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "11: 2026-11-02 01:59 UT (20:59 EST)", .profile = "US", .zone = NY,
      .channel = "voice", .at = "2026-11-02T01:59:00Z", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "11: 2026-11-02 02:00 UT (21:00 EST)", .profile = "US", .zone = NY,
      .channel = "voice", .at = "2026-11-02T02:00:00Z", .kind = DN_GUARD_DEFER,
      .code = "quiet_hours", .until = "2026-11-02T13:00:00Z" },
    /* 12. Latvian holidays under the LV profile (Mon-Fri 08:00-20:00, Sat
     * 09:00-18:00, no Sundays): each deferred to the next lawful morning */
#define LV_HOLIDAY(day, off, next) \
    { .name = "12: holiday " day, .profile = "LV", .zone = "Europe/Riga", .channel = "sms", \
      .at = day "T10:00:00" off, .kind = DN_GUARD_DEFER, .code = "holiday", .until = next }
    LV_HOLIDAY("2026-01-01", "+02:00", "2026-01-02T08:00:00+02:00"),
    LV_HOLIDAY("2026-04-03", "+03:00", "2026-04-04T09:00:00+03:00"),   /* Good Friday */
    LV_HOLIDAY("2026-04-05", "+03:00", "2026-04-07T08:00:00+03:00"),   /* Easter, Easter Monday */
    LV_HOLIDAY("2026-04-06", "+03:00", "2026-04-07T08:00:00+03:00"),
    LV_HOLIDAY("2026-05-04", "+03:00", "2026-05-05T08:00:00+03:00"),
    LV_HOLIDAY("2026-06-23", "+03:00", "2026-06-25T08:00:00+03:00"),   /* Ligo, Jani */
    LV_HOLIDAY("2026-11-18", "+02:00", "2026-11-19T08:00:00+02:00"),
    LV_HOLIDAY("2026-12-24", "+02:00", "2026-12-28T08:00:00+02:00"),   /* 24-26, Sunday */
    LV_HOLIDAY("2026-12-31", "+02:00", "2027-01-02T09:00:00+02:00"),   /* 31, 1 Jan, Sat */
    LV_HOLIDAY("2027-03-26", "+02:00", "2027-03-27T09:00:00+02:00"),   /* Good Friday */
    LV_HOLIDAY("2027-03-29", "+03:00", "2027-03-30T08:00:00+03:00"),   /* Easter Monday */
    LV_HOLIDAY("2027-05-04", "+03:00", "2027-05-05T08:00:00+03:00"),
    LV_HOLIDAY("2027-06-24", "+03:00", "2027-06-25T08:00:00+03:00"),
    LV_HOLIDAY("2027-11-18", "+02:00", "2027-11-19T08:00:00+02:00"),
    LV_HOLIDAY("2023-11-20", "+02:00", "2023-11-21T08:00:00+02:00"),   /* 18 Nov was Saturday */
    LV_HOLIDAY("2024-05-06", "+03:00", "2024-05-07T08:00:00+03:00"),   /* 4 May was Saturday */
    { .name = "12: an ordinary Tuesday", .profile = "LV", .zone = "Europe/Riga",
      .channel = "sms", .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    { .name = "12: a Sunday", .profile = "LV", .zone = "Europe/Riga", .channel = "sms",
      .at = "2026-05-17T10:00:00+03:00", .kind = DN_GUARD_DEFER, .code = "weekend",
      .until = "2026-05-18T08:00:00+03:00" },
    /* Mother's Day (second Sunday of May) and Pentecost (Easter + 49) are
     * holidays by the law on public holidays: they matter once a profile
     * opens Sundays. 2026: 10 May and 24 May; Whit Monday is no holiday */
    { .name = "12: Mother's Day 2026 under a profile open on Sundays",
      .profile = "{\"base\":\"LV\",\"windows\":{\"sun\":\"09:00-18:00\"}}",
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-05-10T10:00:00+03:00",
      .kind = DN_GUARD_DEFER, .code = "holiday", .until = "2026-05-11T08:00:00+03:00",
      .blamed = "Europe/Riga" },
    { .name = "12: Pentecost 2026 under a profile open on Sundays",
      .profile = "{\"base\":\"LV\",\"windows\":{\"sun\":\"09:00-18:00\"}}",
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-05-24T10:00:00+03:00",
      .kind = DN_GUARD_DEFER, .code = "holiday", .until = "2026-05-25T08:00:00+03:00" },
    { .name = "12: Pentecost 2027 (16 May)",
      .profile = "{\"base\":\"LV\",\"windows\":{\"sun\":\"09:00-18:00\"}}",
      .zone = "Europe/Riga", .channel = "sms", .at = "2027-05-16T10:00:00+03:00",
      .kind = DN_GUARD_DEFER, .code = "holiday", .until = "2027-05-17T08:00:00+03:00" },
    { .name = "12: an ordinary Sunday under that profile",
      .profile = "{\"base\":\"LV\",\"windows\":{\"sun\":\"09:00-18:00\"}}",
      .zone = "Europe/Riga", .channel = "sms", .at = "2026-05-17T10:00:00+03:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* 13. Latvia: formal message before the written notice refused; one
     * informative reminder allowed */
    { .name = "13: formal message before the notice", .profile = "LV", .zone = "Europe/Riga",
      .case_id = 7, .channel = "sms", .purpose = DN_PURPOSE_FORMAL,
      .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_REFUSE, .code = "notice_required" },
    { .name = "13: one informative reminder", .profile = "LV", .zone = "Europe/Riga",
      .case_id = 7, .channel = "sms", .at = "2026-05-05T10:00:00+03:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "13: a second reminder before the notice", .profile = "LV",
      .zone = "Europe/Riga", .case_id = 7,
      .history = { { "2026-04-28T10:00:00+03:00", "email", "", "", DN_PURPOSE_REMINDER } },
      .channel = "sms", .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_REFUSE,
      .code = "notice_required" },
    /* the label is the rule's; the law looks at the debt: the invoice is
     * overdue (due 2020-02-01), so "prevention" is a second reminder */
    { .name = "13: a second reminder labelled prevention", .profile = "LV",
      .zone = "Europe/Riga", .case_id = 7,
      .history = { { "2026-04-28T10:00:00+03:00", "email", "", "", DN_PURPOSE_REMINDER } },
      .channel = "sms", .purpose = DN_PURPOSE_PREVENTION, .at = "2026-05-05T10:00:00+03:00",
      .kind = DN_GUARD_REFUSE, .code = "notice_required" },
    { .name = "13: the one reminder was sent before the history the facts hold",
      .profile = "LV", .zone = "Europe/Riga", .case_id = 7, .case_reminders = 1,
      .channel = "sms", .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_REFUSE,
      .code = "notice_required" },
    { .name = "13: the notice by letter", .profile = "LV", .zone = "Europe/Riga",
      .case_id = 7,
      .history = { { "2026-04-28T10:00:00+03:00", "email", "", "", DN_PURPOSE_REMINDER } },
      .channel = "letter", .purpose = DN_PURPOSE_NOTICE, .at = "2026-05-05T10:00:00+03:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "13: the notice cannot be an e-mail", .profile = "LV", .zone = "Europe/Riga",
      .case_id = 7, .channel = "email", .purpose = DN_PURPOSE_NOTICE,
      .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_REFUSE, .code = "notice_channel" },
    { .name = "13: formal message after the notice", .profile = "LV", .zone = "Europe/Riga",
      .case_id = 7, .notice_posted = true, .notice_on = "2026-04-20", .channel = "sms",
      .purpose = DN_PURPOSE_FORMAL, .at = "2026-05-05T10:00:00+03:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* 14. third-party disclosure */
    { .name = "14: a relative's phone", .profile = "LV", .zone = "Europe/Riga",
      .third_party = DN_OPTOUT_VOICE | DN_OPTOUT_SMS, .channel = "voice",
      .at = "2026-05-05T10:00:00+03:00", .kind = DN_GUARD_REFUSE, .code = "third_party" },
    { .name = "14: a shared e-mail", .profile = "US", .zone = NY,
      .third_party = DN_OPTOUT_EMAIL, .channel = "email", .at = "2026-05-05T10:00:00-04:00",
      .kind = DN_GUARD_REFUSE, .code = "third_party" },
    { .name = "14: the debtor's own phone beside a shared e-mail", .profile = "US", .zone = NY,
      .third_party = DN_OPTOUT_EMAIL, .channel = "sms", .at = "2026-05-05T10:00:00-04:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* 15. notice posted Monday 2026-02-02, deemed received on 02-09, 21
     * days to object (02-10..03-02): escalation from Tuesday 03-03 */
    { .name = "15: escalation inside the objection period", .profile = "LV",
      .zone = "Europe/Riga", .case_id = 7, .notice_posted = true, .notice_on = "2026-02-02",
      .channel = "letter", .purpose = DN_PURPOSE_ESCALATION, .at = "2026-03-02T10:00:00+02:00",
      .kind = DN_GUARD_DEFER, .code = "objection_period", .until = "2026-03-03T00:00:00+02:00" },
    { .name = "15: escalation by SMS waits for the window too", .profile = "LV",
      .zone = "Europe/Riga", .case_id = 7, .notice_posted = true, .notice_on = "2026-02-02",
      .channel = "sms", .purpose = DN_PURPOSE_ESCALATION, .at = "2026-02-27T10:00:00+02:00",
      .kind = DN_GUARD_DEFER, .code = "objection_period", .until = "2026-03-03T08:00:00+02:00" },
    { .name = "15: escalation after the objection period", .profile = "LV",
      .zone = "Europe/Riga", .case_id = 7, .notice_posted = true, .notice_on = "2026-02-02",
      .channel = "sms", .purpose = DN_PURPOSE_ESCALATION, .at = "2026-03-03T10:00:00+02:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* posted at 23:30 UT on 02-02, which is 01:30 on 02-03 in Riga: the
     * periods count from 02-03, escalation from Wednesday 03-04 */
    { .name = "15: the posting day is the customer's local day", .profile = "LV",
      .zone = "Europe/Riga", .case_id = 7, .notice_posted = true, .notice_on = "2026-02-02",
      .notice_at = "2026-02-02T23:30:00Z", .channel = "sms",
      .purpose = DN_PURPOSE_ESCALATION, .at = "2026-03-03T10:00:00+02:00",
      .kind = DN_GUARD_DEFER, .code = "objection_period", .until = "2026-03-04T08:00:00+02:00" },
    { .name = "15: the debtor agreed: no wait", .profile = "LV", .zone = "Europe/Riga",
      .case_id = 7, .notice_posted = true, .notice_on = "2026-02-02", .acknowledged = true,
      .channel = "sms", .purpose = DN_PURPOSE_ESCALATION, .at = "2026-02-27T10:00:00+02:00",
      .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "15: the debtor paid: nothing to escalate", .profile = "LV",
      .zone = "Europe/Riga", .case_id = 7, .notice_posted = true, .notice_on = "2026-02-02",
      .paid = true, .channel = "sms", .purpose = DN_PURPOSE_ESCALATION,
      .at = "2026-02-27T10:00:00+02:00", .kind = DN_GUARD_REFUSE, .code = "nothing_owed" },
    /* 16. UK: "no calls before 14:00" */
    { .name = "16: call at 10:00 refused", .profile = "UK", .zone = "Europe/London",
      .blackout = { { 0x7f, 0, 14 * 60, DN_OPTOUT_VOICE } }, .n_blackout = 1,
      .channel = "voice", .at = "2026-06-10T10:00:00+01:00", .kind = DN_GUARD_DEFER,
      .code = "blackout", .until = "2026-06-10T14:00:00+01:00" },
    { .name = "16: agent call at 10:00 refused", .profile = "UK", .zone = "Europe/London",
      .blackout = { { 0x7f, 0, 14 * 60, DN_OPTOUT_VOICE } }, .n_blackout = 1,
      .channel = "agent", .tone = "neutral", .at = "2026-06-10T10:00:00+01:00",
      .kind = DN_GUARD_DEFER, .code = "blackout", .until = "2026-06-10T14:00:00+01:00" },
    { .name = "16: a message at 15:00 allowed", .profile = "UK", .zone = "Europe/London",
      .blackout = { { 0x7f, 0, 14 * 60, DN_OPTOUT_VOICE } }, .n_blackout = 1,
      .channel = "sms", .at = "2026-06-10T15:00:00+01:00", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    { .name = "16: a message at 10:00 allowed", .profile = "UK", .zone = "Europe/London",
      .blackout = { { 0x7f, 0, 14 * 60, DN_OPTOUT_VOICE } }, .n_blackout = 1,
      .channel = "email", .at = "2026-06-10T10:00:00+01:00", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    /* 17. breathing space from day 0 = 2026-03-02 for 60 days: day 59 is
     * 2026-04-30, contact resumes on 2026-05-01 (hold_until) */
    { .name = "17: payment request on day 59", .profile = "UK", .zone = "Europe/London",
      .holds = DN_HOLD_BREATHING, .hold_until = "2026-05-01", .channel = "email",
      .at = "2026-04-30T10:00:00+01:00", .kind = DN_GUARD_REFUSE,
      .code = "hold_breathing_space" },
    { .name = "17: after the moratorium", .profile = "UK", .zone = "Europe/London",
      .holds = DN_HOLD_BREATHING, .hold_until = "2026-05-01", .channel = "email",
      .at = "2026-05-01T10:00:00+01:00", .kind = DN_GUARD_ALLOW, .code = "ok" },
    /* 18. holds */
    { .name = "18: disputed invoice", .profile = "US", .zone = NY, .disputed = true,
      .channel = "email", .at = "2026-06-10T10:00:00-04:00", .kind = DN_GUARD_REFUSE,
      .code = "hold_dispute" },
    { .name = "18: customer-level dispute", .profile = "US", .zone = NY,
      .holds = DN_HOLD_DISPUTE, .channel = "email", .at = "2026-06-10T10:00:00-04:00",
      .kind = DN_GUARD_REFUSE, .code = "hold_dispute" },
    { .name = "18: bankruptcy", .profile = "US", .zone = NY, .holds = DN_HOLD_BANKRUPTCY,
      .channel = "email", .at = "2026-06-10T10:00:00-04:00", .kind = DN_GUARD_REFUSE,
      .code = "hold_bankruptcy" },
    { .name = "18: deceased", .profile = "LV", .zone = "Europe/Riga",
      .holds = DN_HOLD_DECEASED, .channel = "letter", .at = "2026-06-10T10:00:00+03:00",
      .kind = DN_GUARD_REFUSE, .code = "hold_deceased" },
    { .name = "18: cease contact", .profile = "UK", .zone = "Europe/London",
      .holds = DN_HOLD_CEASE_CONTACT, .channel = "sms", .at = "2026-06-10T10:00:00+01:00",
      .kind = DN_GUARD_REFUSE, .code = "hold_cease_contact" },
    { .name = "18: manual pause until 2026-06-15", .profile = "US", .zone = NY,
      .holds = DN_HOLD_PAUSE, .hold_until = "2026-06-15", .channel = "sms",
      .at = "2026-06-14T10:00:00-04:00", .kind = DN_GUARD_REFUSE, .code = "hold_pause" },
    { .name = "18: pause over on 2026-06-15", .profile = "US", .zone = NY,
      .holds = DN_HOLD_PAUSE, .hold_until = "2026-06-15", .channel = "sms",
      .at = "2026-06-15T10:00:00-04:00", .kind = DN_GUARD_ALLOW, .code = "ok" },
    { .name = "18: dispute resolved: one message resumes", .profile = "US", .zone = NY,
      .channel = "sms", .at = "2026-06-10T10:00:00-04:00", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    { .name = "18: dispute resolved: not a burst", .profile = "US", .zone = NY,
      .history = { { "2026-06-10T09:00:00-04:00", "sms", "", "", DN_PURPOSE_REMINDER } },
      .channel = "sms", .at = "2026-06-10T10:30:00-04:00", .kind = DN_GUARD_DEFER,
      .code = "cap_channel_day", .until = "2026-06-11T08:00:00-04:00" },
    { .name = "18: not a burst on another channel either", .profile = "US", .zone = NY,
      .history = { { "2026-06-10T09:00:00-04:00", "sms", "", "", DN_PURPOSE_REMINDER } },
      .channel = "email", .at = "2026-06-10T09:30:00-04:00", .kind = DN_GUARD_DEFER,
      .code = "spacing", .until = "2026-06-10T10:00:00-04:00" },
    /* contacts planned but not sent yet take their room in the caps (a
     * second cannot be planned into it), and the verdict says so */
    { .name = "planned SMS this morning: a second today deferred", .profile = "US", .zone = NY,
      .history = { { "2026-06-10T09:00:00-04:00", "sms", "", "", DN_PURPOSE_REMINDER,
                     "planned" } },
      .channel = "sms", .at = "2026-06-10T10:30:00-04:00", .kind = DN_GUARD_DEFER,
      .code = "cap_channel_day", .until = "2026-06-11T08:00:00-04:00", .unsent = 1 },
    { .name = "planned SMS this afternoon counts today too", .profile = "US", .zone = NY,
      .history = { { "2026-06-10T15:00:00-04:00", "sms", "", "", DN_PURPOSE_REMINDER,
                     "planned" } },
      .channel = "sms", .at = "2026-06-10T10:30:00-04:00", .kind = DN_GUARD_DEFER,
      .code = "cap_channel_day", .until = "2026-06-11T08:00:00-04:00", .unsent = 1 },
    { .name = "an SMS in doubt counts, as not known to be sent", .profile = "US", .zone = NY,
      .history = { { "2026-06-10T09:00:00-04:00", "sms", "", "", DN_PURPOSE_REMINDER,
                     "in_doubt" } },
      .channel = "sms", .at = "2026-06-10T10:30:00-04:00", .kind = DN_GUARD_DEFER,
      .code = "cap_channel_day", .until = "2026-06-11T08:00:00-04:00", .unsent = 1 },
    { .name = "UK week cap: 2 sent and 1 planned", .profile = "UK", .zone = "Europe/London",
      .history = { { "2026-06-04T09:00:00+01:00", "sms", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-06T09:00:00+01:00", "sms", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-09T09:00:00+01:00", "sms", "", "", DN_PURPOSE_REMINDER,
                     "sending" } },
      .channel = "sms", .at = "2026-06-10T15:00:00+01:00", .kind = DN_GUARD_DEFER,
      .code = "cap_channel_week", .until = "2026-06-11T08:00:00+01:00", .unsent = 1 },
    { .name = "a planned e-mail half an hour ago: spacing", .profile = "US", .zone = NY,
      .history = { { "2026-06-10T09:00:00-04:00", "email", "", "", DN_PURPOSE_REMINDER,
                     "planned" } },
      .channel = "sms", .at = "2026-06-10T09:30:00-04:00", .kind = DN_GUARD_DEFER,
      .code = "spacing", .until = "2026-06-10T10:00:00-04:00", .unsent = 1 },
    { .name = "a cancelled SMS does not count", .profile = "US", .zone = NY,
      .history = { { "2026-06-10T09:00:00-04:00", "sms", "", "", DN_PURPOSE_REMINDER,
                     "cancelled" } },
      .channel = "sms", .at = "2026-06-10T10:30:00-04:00", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    { .name = "a planned call counts as an attempt", .profile = "LV", .zone = "Europe/Riga",
      .history = { { "2026-06-08T10:00:00+03:00", "voice", "no_answer", "", DN_PURPOSE_REMINDER },
                   { "2026-06-09T10:00:00+03:00", "voice", "voicemail", "", DN_PURPOSE_REMINDER },
                   { "2026-06-10T09:00:00+03:00", "voice", "", "", DN_PURPOSE_REMINDER,
                     "planned" } },
      .channel = "voice", .notice_posted = true, .notice_on = "2026-01-05", .case_id = 7,
      .purpose = DN_PURPOSE_FORMAL, .at = "2026-06-11T14:00:00+03:00", .kind = DN_GUARD_DEFER,
      .code = "cap_calls_7d", .until = "2026-06-15T08:00:00+03:00", .unsent = 1 },
    /* the rest of the guard's codes */
    { .name = "vulnerable: SMS refused", .profile = "UK", .zone = "Europe/London",
      .holds = DN_HOLD_VULNERABLE, .channel = "sms", .tone = "gentle",
      .at = "2026-06-10T10:00:00+01:00", .kind = DN_GUARD_REFUSE,
      .code = "vulnerable_agent_only" },
    { .name = "vulnerable: agent, firm tone refused", .profile = "UK", .zone = "Europe/London",
      .holds = DN_HOLD_VULNERABLE, .channel = "agent", .tone = "firm",
      .at = "2026-06-10T10:00:00+01:00", .kind = DN_GUARD_REFUSE,
      .code = "vulnerable_agent_only" },
    { .name = "vulnerable: agent, gentle tone allowed", .profile = "UK",
      .zone = "Europe/London", .holds = DN_HOLD_VULNERABLE, .channel = "agent",
      .tone = "gentle", .at = "2026-06-10T10:00:00+01:00", .kind = DN_GUARD_ALLOW,
      .code = "ok" },
    { .name = "promise pending until 2026-06-12", .profile = "US", .zone = NY,
      .promise_due = "2026-06-12", .channel = "sms", .at = "2026-06-10T10:00:00-04:00",
      .kind = DN_GUARD_DEFER, .code = "promise_pending", .until = "2026-06-13T08:00:00-04:00" },
    { .name = "unknown channel", .profile = "US", .zone = NY, .channel = "pigeon",
      .at = "2026-06-10T10:00:00-04:00", .kind = DN_GUARD_REFUSE, .code = "unknown_channel" },
    { .name = "consent required by configuration",
      .profile = "{\"base\":\"US\",\"channels\":{\"voice\":{\"consent_required\":true}}}",
      .zone = NY, .channel = "voice", .at = "2026-06-10T10:00:00-04:00",
      .kind = DN_GUARD_REFUSE, .code = "no_consent" },
    { .name = "UK: budget of 7 contacts a week", .profile = "UK", .zone = "Europe/London",
      .history = { { "2026-06-04T09:00:00+01:00", "email", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-04T15:00:00+01:00", "sms", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-05T09:00:00+01:00", "chat", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-06T09:00:00+01:00", "letter", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-08T09:00:00+01:00", "sms", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-09T09:00:00+01:00", "email", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-10T09:00:00+01:00", "chat", "", "", DN_PURPOSE_REMINDER } },
      .channel = "letter", .at = "2026-06-10T15:00:00+01:00", .kind = DN_GUARD_DEFER,
      .code = "budget_week", .until = "2026-06-11T00:00:00+01:00" },
    { .name = "UK: 3 SMS a week", .profile = "UK", .zone = "Europe/London",
      .history = { { "2026-06-04T09:00:00+01:00", "sms", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-06T09:00:00+01:00", "sms", "", "", DN_PURPOSE_REMINDER },
                   { "2026-06-09T09:00:00+01:00", "sms", "", "", DN_PURPOSE_REMINDER } },
      .channel = "sms", .at = "2026-06-10T15:00:00+01:00", .kind = DN_GUARD_DEFER,
      .code = "cap_channel_week", .until = "2026-06-11T08:00:00+01:00" },
    { .name = "UK: Sunday", .profile = "UK", .zone = "Europe/London", .channel = "sms",
      .at = "2026-06-14T10:00:00+01:00", .kind = DN_GUARD_DEFER, .code = "weekend",
      .until = "2026-06-15T08:00:00+01:00" },
    { .name = "UK: Boxing Day substitute (Monday 28 December)", .profile = "UK",
      .zone = "Europe/London", .channel = "sms", .at = "2026-12-28T10:00:00Z",
      .kind = DN_GUARD_DEFER, .code = "holiday", .until = "2026-12-29T08:00:00Z" },
    { .name = "no window in 14 days: refused", .profile = "US", .zone = NY,
      .blackout = { { 0x7f, 0, 1440, 0 } }, .n_blackout = 1, .channel = "sms",
      .at = "2026-06-10T10:00:00-04:00", .kind = DN_GUARD_REFUSE, .code = "blackout" },
};

static void build_facts(const guard_row *r, dn_facts *f)
{
    memset(f, 0, sizeof *f);
    dn_customer *c = &f->customer;
    c->id = 1;
    dn_strlcpy(c->external_id, "c-1", sizeof c->external_id);
    dn_strlcpy(c->timezone, r->zone ? r->zone : "", sizeof c->timezone);
    dn_strlcpy(c->country, r->country ? r->country : "", sizeof c->country);
    dn_strlcpy(c->phone, r->phone ? r->phone : "", sizeof c->phone);
    c->holds = r->holds;
    c->hold_until = r->hold_until ? D(r->hold_until) : DN_NO_DATE;
    c->opt_out = r->opt_out;
    c->opt_out_confirmed = r->opt_out_confirmed;
    c->third_party = r->third_party;
    c->n_blackout = r->n_blackout;
    memcpy(c->blackout, r->blackout, sizeof r->blackout);
    dn_fact_invoice *inv = &f->invoices[0];
    dn_strlcpy(inv->external_id, "inv-1", sizeof inv->external_id);
    dn_strlcpy(inv->currency, "EUR", sizeof inv->currency);
    inv->amount_minor = 10000;
    inv->paid_minor = r->paid ? 10000 : 0;
    inv->issued = D("2020-01-01");
    inv->due = D("2020-02-01");
    inv->status = r->paid ? DN_INV_PAID : r->disputed ? DN_INV_DISPUTED : DN_INV_OPEN;
    f->n_invoices = 1;
    if (!r->paid && !r->disputed) {
        dn_strlcpy(f->balance[0].currency, "EUR", sizeof f->balance[0].currency);
        f->balance[0].amount_minor = 10000;
        f->n_balance = 1;
    }
    f->case_id = r->case_id;
    f->case_reminders = r->case_reminders;
    f->stage_day = INT32_MIN;
    f->promise_due = DN_NO_DATE;
    if (r->promise_due) {
        f->promise_pending = true;
        f->promise_due = D(r->promise_due);
    }
    f->notice_posted = r->notice_posted;
    f->notice_posted_on = r->notice_on ? D(r->notice_on) : DN_NO_DATE;
    f->notice_posted_at = r->notice_at ? T(r->notice_at) : 0;
    f->debt_acknowledged = r->acknowledged;
    int n = 0;
    while (n < HISTORY_MAX && r->history[n].at)
        n++;
    for (int i = 0; i < n; i++) {       /* most recent first */
        const past *h = &r->history[n - 1 - i];
        dn_fact_contact *fc = &f->contacts[i];
        fc->id = 100 + i;
        fc->at = T(h->at);
        dn_strlcpy(fc->channel, h->channel, sizeof fc->channel);
        dn_strlcpy(fc->state, h->state ? h->state : h->outcome[0] ? "answered" : "sent",
                   sizeof fc->state);
        dn_strlcpy(fc->outcome, h->outcome, sizeof fc->outcome);
        dn_strlcpy(fc->debt_ref, h->debt ? h->debt : "", sizeof fc->debt_ref);
        fc->purpose = h->purpose;
        fc->case_id = r->case_id;
    }
    f->n_contacts = n;
}

static dn_guard_profile *profile_from_text(const char *text)
{
    json_error_t jerr;
    json_t *obj = json_loads(text, 0, &jerr);
    if (!obj)
        fail_msg("bad profile JSON in test: %s", jerr.text);
    dn_guard_profile *p = NULL;
    dn_err err;
    dn_err_clear(&err);
    if (guard_profile_from_json(obj, &p, &err))
        fail_msg("profile rejected: %s: %s", err.field, err.msg);
    json_decref(obj);
    return p;
}

static void test_cases(void **state)
{
    (void)state;
    static dn_facts f;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const guard_row *r = &rows[i];
        dn_guard_profile *owned = NULL;
        const dn_guard_profile *p;
        if (r->profile[0] == '{')
            p = owned = profile_from_text(r->profile);
        else
            p = guard_profile_builtin(r->profile);
        assert_non_null(p);
        build_facts(r, &f);
        dn_decision d;
        memset(&d, 0, sizeof d);
        d.action = DN_ACT_CONTACT;
        dn_strlcpy(d.channel, r->channel, sizeof d.channel);
        dn_strlcpy(d.tone, r->tone ? r->tone : "neutral", sizeof d.tone);
        dn_strlcpy(d.debt_ref, r->debt ? r->debt : "", sizeof d.debt_ref);
        d.purpose = r->purpose;
        d.hours_from = d.hours_to = -1;
        dn_verdict v;
        memset(&v, 0x5a, sizeof v);
        guard_check(p, &f, &d, T(r->at), &v);
        char got_until[21] = "", want_until[21] = "";
        if (v.kind == DN_GUARD_DEFER)
            dn_time_format(v.defer_until, got_until);
        if (r->until)
            dn_time_format(T(r->until), want_until);
        if (v.kind != r->kind || strcmp(v.code, r->code) != 0 ||
            strcmp(got_until, want_until) != 0 || v.unsent != r->unsent ||
            (r->blamed && (!v.zone || strcmp(v.zone, r->blamed) != 0)))
            fail_msg("row %zu \"%s\": got %s %s %s unsent %d zone %s (%s), want %s %s %s "
                     "unsent %d zone %s", i, r->name, dn_verdict_names[v.kind], v.code,
                     got_until, v.unsent, v.zone ? v.zone : "-", v.reason,
                     dn_verdict_names[r->kind], r->code, want_until, r->unsent,
                     r->blamed ? r->blamed : "-");
        assert_true(strlen(v.reason) > 0 && strlen(v.reason) < sizeof v.reason);
        guard_profile_free(owned);
    }
}

/* ---- profile loading ---- */

typedef struct json_row {
    const char *text;
    int rc;
    const char *field;      /* the member the error names */
} json_row;

static const json_row json_rows[] = {
    { "{\"base\":\"LV\",\"contacts_per_week\":3}", 0, "" },
    { "{}", 0, "" },
    { "{\"base\":\"XX\"}", -EINVAL, "base" },
    { "{\"base\":\"US\",\"contacts_per_wek\":3}", -EINVAL, "contacts_per_wek" },
    { "{\"contacts_per_week\":-1}", -EINVAL, "contacts_per_week" },
    { "{\"contacts_per_week\":\"3\"}", -EINVAL, "contacts_per_week" },
    { "{\"windows\":{\"mon\":\"21:00-08:00\"}}", -EINVAL, "windows.mon" },
    { "{\"windows\":{\"mon\":\"8:00-21:00\"}}", -EINVAL, "windows.mon" },
    { "{\"windows\":{\"holiday\":\"08:00-21:00\"}}", -EINVAL, "windows.holiday" },
    { "{\"windows\":{\"sun\":null,\"mon\":\"08:00-24:00\"}}", 0, "" },
    { "{\"channels\":{\"fax\":{\"per_day\":1}}}", -EINVAL, "channels.fax" },
    { "{\"channels\":{\"sms\":{\"per_hour\":1}}}", -EINVAL, "channels.sms.per_hour" },
    { "{\"counted_outcomes\":[\"no_answer\",\"hung_up\"]}", -EINVAL, "counted_outcomes" },
    { "{\"notice\":{\"required\":true,\"channels\":[\"letter\",\"email\"]}}", 0, "" },
    { "{\"notice\":{\"required\":\"yes\"}}", -EINVAL, "notice.required" },
    { "{\"zones\":[\"Europe/Riga\",\"Nowhere/Town\"]}", -EINVAL, "zones" },
    { "{\"defer_search_days\":0}", -EINVAL, "defer_search_days" },
    /* the calendar's country: "" (the customer's) or an ISO 3166 code */
    { "{\"country\":\"\"}", 0, "" },
    { "{\"country\":\"DE\"}", 0, "" },
    { "{\"country\":\"UK\"}", 0, "" },
    { "{\"country\":\"XX\"}", -EINVAL, "country" },
    { "{\"country\":\"lv\"}", -EINVAL, "country" },
    { "{\"country\":\"LVA\"}", -EINVAL, "country" },
    { "{\"country\":7}", -EINVAL, "country" },
    { "[1,2]", -EINVAL, "profile" },
    /* stricter than the law is fine, looser is refused */
    { "{\"base\":\"US\",\"windows\":{\"mon\":\"09:00-20:00\",\"sun\":null},"
      "\"call_attempts_per_debt_7d\":5,\"conversation_cooldown_days\":10}", 0, "" },
    { "{\"base\":\"US\",\"windows\":{\"mon\":\"07:59-21:00\"}}", -EINVAL, "windows.mon" },
    { "{\"base\":\"US\",\"windows\":{\"sat\":\"08:00-21:01\"}}", -EINVAL, "windows.sat" },
    { "{\"base\":\"US\",\"call_attempts_per_debt_7d\":8}", -EINVAL,
      "call_attempts_per_debt_7d" },
    { "{\"base\":\"US\",\"call_attempts_per_debt_7d\":0}", -EINVAL,
      "call_attempts_per_debt_7d" },
    { "{\"base\":\"US\",\"conversation_cooldown_days\":6}", -EINVAL,
      "conversation_cooldown_days" },
    { "{\"base\":\"US\",\"counted_outcomes\":[\"no_answer\",\"conversation\",\"pending\"]}",
      -EINVAL, "counted_outcomes" },
    { "{\"base\":\"LV\",\"notice\":{\"required\":false}}", -EINVAL, "notice.required" },
    { "{\"base\":\"LV\",\"notice\":{\"objection_days\":14}}", -EINVAL,
      "notice.objection_days" },
    { "{\"base\":\"LV\",\"notice\":{\"objection_days\":30}}", 0, "" },
    { "{\"base\":\"default\",\"country\":\"US\",\"zones\":[\"America/New_York\"]}", -EINVAL,
      "conversation_cooldown_days" },
};

static void test_profile_json(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof json_rows / sizeof json_rows[0]; i++) {
        json_t *obj = json_loads(json_rows[i].text, 0, NULL);
        assert_non_null(obj);
        dn_guard_profile *p = (dn_guard_profile *)1;
        dn_err err;
        dn_err_clear(&err);
        int rc = guard_profile_from_json(obj, &p, &err);
        if (rc != json_rows[i].rc || strcmp(err.field, json_rows[i].field) != 0)
            fail_msg("row %zu %s: rc %d field '%s' (%s)", i, json_rows[i].text, rc, err.field,
                     err.msg);
        if (rc == 0)
            assert_non_null(p);
        else
            assert_null(p);
        guard_profile_free(p);
        json_decref(obj);
    }
    /* an override changes one field and keeps the base's others */
    dn_guard_profile *p = profile_from_text("{\"base\":\"LV\",\"contacts_per_week\":3,"
                                            "\"windows\":{\"sat\":null}}");
    assert_int_equal(p->contacts_per_week, 3);
    assert_int_equal(p->window[6].from, 0);
    assert_int_equal(p->window[6].to, 0);
    assert_int_equal(p->window[1].from, 8 * 60);
    assert_int_equal(p->window[1].to, 20 * 60);
    assert_true(p->notice_required);
    assert_string_equal(p->country, "LV");
    guard_profile_free(p);
    assert_null(guard_profile_builtin("XX"));
    assert_ptr_equal(guard_profile_builtin("GB"), guard_profile_builtin("UK"));
    assert_string_equal(dn_verdict_names[DN_GUARD_DEFER], "defer");
}

/* ---- part 2: the property test ---- */

/* The independent statement of the built-in profiles (docs/compliance.md). */
typedef struct rulebook {
    const char *country;
    int window[7][2];                 /* Sunday first; {0,0} = none */
    bool holidays;
    const char *holiday_days[16];     /* 2026 and 1 January 2027 */
    int debt_calls, customer_calls, cooldown_days;
    int per_day[7], per_week[7];      /* sms email voice chat letter agent crm */
    int budget, spacing_minutes;
} rulebook;

static const rulebook rulebooks[] = {
    { "US", { { 480, 1260 }, { 480, 1260 }, { 480, 1260 }, { 480, 1260 }, { 480, 1260 },
              { 480, 1260 }, { 480, 1260 } },
      false, { NULL }, 7, 14, 7,
      { 1, 1, 0, 1, 1, 0, 0 }, { 3, 3, 0, 3, 2, 0, 0 }, 0, 60 },
    { "LV", { { 0, 0 }, { 480, 1200 }, { 480, 1200 }, { 480, 1200 }, { 480, 1200 },
              { 480, 1200 }, { 540, 1080 } },
      true, { "2026-01-01", "2026-04-03", "2026-04-05", "2026-04-06", "2026-05-01",
              "2026-05-04", "2026-06-23", "2026-06-24", "2026-11-18", "2026-12-24",
              "2026-12-25", "2026-12-26", "2026-12-31", "2027-01-01", NULL },
      3, 5, 2, { 1, 1, 1, 1, 0, 1, 0 }, { 2, 2, 0, 2, 0, 0, 0 }, 5, 240 },
    { "UK", { { 0, 0 }, { 480, 1260 }, { 480, 1260 }, { 480, 1260 }, { 480, 1260 },
              { 480, 1260 }, { 480, 1260 } },
      true, { "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
              "2026-08-31", "2026-12-25", "2026-12-26", "2026-12-28", "2027-01-01", NULL },
      3, 5, 2, { 1, 1, 1, 1, 0, 1, 0 }, { 3, 3, 0, 3, 0, 0, 0 }, 7, 180 },
};

static const char *const sim_channels[] = { "sms", "email", "voice", "chat", "letter", "agent" };
/* Phone numbers some customers have, and the zones they point at (from
 * the sources test_location.c names): in the customer's own zone or not.
 * Where the stored zone is not among them, the customer may be in either
 * place, and every contact must be convenient in all of them. */
static const struct { const char *number; const char *zones[2]; } sim_phones[] = {
    { "+12125550100", { "America/New_York" } },
    { "+12135550100", { "America/Los_Angeles" } },
    { "+18085550100", { "Pacific/Honolulu" } },
    { "+18505550100", { "America/New_York", "America/Chicago" } },
    { "+37120000001", { "Europe/Riga" } },
    { "+447700900000", { "Europe/London" } },
};
static const char *const us_zones[] = { "America/New_York", "America/Chicago", "America/Denver",
                                        "America/Phoenix", "America/Los_Angeles",
                                        "America/Anchorage", "Pacific/Honolulu" };

typedef struct logged {
    dn_time at;
    int channel;                      /* index into sim_channels */
    int debt;
    const char *outcome;
} logged;

#define LOG_MAX 8192

static uint64_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static unsigned channel_optout_bit(int ch)
{
    static const unsigned bits[] = { DN_OPTOUT_SMS, DN_OPTOUT_EMAIL, DN_OPTOUT_VOICE,
                                     DN_OPTOUT_CHAT, 0, DN_OPTOUT_VOICE };
    return bits[ch];
}

static bool is_call_channel(int ch)
{
    return ch == 2 || ch == 5;
}

static bool outcome_counts(const char *o)
{
    return strcmp(o, "busy") != 0 && strcmp(o, "not_in_service") != 0;
}

typedef struct sim_customer {
    const rulebook *rules;
    const dn_tz *zones[8];
    int n_zones;
    dn_facts facts;
} sim_customer;

static int violations;

static void violation(const char *what, const sim_customer *s, const logged *c)
{
    char when[21];
    dn_time_format(c->at, when);
    if (violations++ < 10)
        print_error("violation: %s: %s customer, %s at %s\n", what, s->rules->country,
                    sim_channels[c->channel], when);
}

/* Checks every logged contact of one customer against the rulebook. */
static void check_customer(const sim_customer *s, const logged *log, int n, dn_date hold_until)
{
    const rulebook *rb = s->rules;
    const dn_customer *cu = &s->facts.customer;
    for (int i = 0; i < n; i++) {
        const logged *c = &log[i];
        if (cu->holds & DN_HOLD_BANKRUPTCY)
            violation("contact during bankruptcy", s, c);
        if (cu->opt_out & channel_optout_bit(c->channel))
            violation("contact on an opted-out channel", s, c);
        if ((cu->holds & DN_HOLD_PAUSE) && tz_local_date(s->zones[0], c->at, NULL) < hold_until)
            violation("contact during a pause", s, c);
        for (int z = 0; z < s->n_zones; z++) {
            int minute;
            dn_date day = tz_local_date(s->zones[z], c->at, &minute);
            int wd = dn_date_weekday(day);
            if (c->channel == 4)
                continue;                   /* letters are not timed */
            if (minute < rb->window[wd][0] || minute >= rb->window[wd][1])
                violation("outside the window", s, c);
            for (int h = 0; rb->holidays && rb->holiday_days[h]; h++)
                if (D(rb->holiday_days[h]) == day)
                    violation("on a holiday", s, c);
            for (int b = 0; b < cu->n_blackout; b++) {
                const dn_blackout *bo = &cu->blackout[b];
                if ((bo->weekdays & (1u << wd)) && minute >= bo->from && minute < bo->to &&
                    (!bo->channels || (bo->channels & channel_optout_bit(c->channel))))
                    violation("inside a blackout", s, c);
            }
        }
        dn_date today = tz_local_date(s->zones[0], c->at, NULL);
        int week = 1, week_channel = 1, day_channel = 1, debt_calls = 1, customer_calls = 1;
        for (int j = i - 1; j >= 0; j--) {
            const logged *e = &log[j];
            if (c->at - e->at < (dn_time)rb->spacing_minutes * 60)
                violation("spacing", s, c);
            dn_date day = tz_local_date(s->zones[0], e->at, NULL);
            if (day < today - 7)
                break;
            if (is_call_channel(c->channel) && is_call_channel(e->channel) &&
                e->debt == c->debt && strcmp(e->outcome, "conversation") == 0 &&
                today < day + rb->cooldown_days)
                violation("call inside the conversation cooldown", s, c);
            if (day < today - 6)
                continue;
            week++;
            if (e->channel == c->channel) {
                week_channel++;
                if (day == today)
                    day_channel++;
            }
            if (is_call_channel(c->channel) && is_call_channel(e->channel) &&
                outcome_counts(e->outcome)) {
                customer_calls++;
                if (e->debt == c->debt)
                    debt_calls++;
            }
        }
        if (rb->budget && week > rb->budget)
            violation("weekly contact budget", s, c);
        if (rb->per_week[c->channel] && week_channel > rb->per_week[c->channel])
            violation("channel week cap", s, c);
        if (rb->per_day[c->channel] && day_channel > rb->per_day[c->channel])
            violation("channel day cap", s, c);
        if (is_call_channel(c->channel) && debt_calls > rb->debt_calls)
            violation("calls per debt in 7 days", s, c);
        if (is_call_channel(c->channel) && customer_calls > rb->customer_calls)
            violation("calls per customer in 7 days", s, c);
    }
}

/* Records an allowed contact in the facts the guard sees: most recent
 * first, the last 35 days, at most DN_FACT_CONTACTS. */
static void remember(dn_facts *f, const logged *c, int64_t id)
{
    int keep = f->n_contacts < DN_FACT_CONTACTS ? f->n_contacts : DN_FACT_CONTACTS - 1;
    while (keep > 0 && f->contacts[keep - 1].at < c->at - 35 * 86400)
        keep--;
    memmove(&f->contacts[1], &f->contacts[0], (size_t)keep * sizeof f->contacts[0]);
    dn_fact_contact *fc = &f->contacts[0];
    memset(fc, 0, sizeof *fc);
    fc->id = id;
    fc->at = c->at;
    dn_strlcpy(fc->channel, sim_channels[c->channel], sizeof fc->channel);
    dn_strlcpy(fc->state, "sent", sizeof fc->state);
    dn_strlcpy(fc->outcome, c->outcome, sizeof fc->outcome);
    snprintf(fc->debt_ref, sizeof fc->debt_ref, "debt-%d", c->debt);
    f->n_contacts = keep + 1;
}

/* One customer of the simulation, little-endian:
 *   'C', country[2], u8 zone length, zone bytes ("" = unknown), u8 phone
 *   length, phone bytes ("" = none), u32 holds,
 *   i32 hold_until (days since 1970-01-01, INT32_MIN = none), u32 opt_out,
 *   u8 n_blackout, n x (u8 weekdays, u16 from, u16 to, u8 channels),
 *   u32 n_contacts, n x (i64 at, u8 channel, u8 debt, u8 outcome)
 * with channel an index of sim_channels and outcome an index of
 * dump_outcomes. */
static const char *const dump_outcomes[] = { "", "no_answer", "voicemail", "busy",
                                             "not_in_service", "conversation",
                                             "ringless_voicemail" };

static void put(FILE *out, const void *p, size_t n)
{
    if (fwrite(p, 1, n, out) != n)
        fail_msg("cannot write the property log");
}

static void dump_customer(FILE *out, const sim_customer *s, const logged *log, int n)
{
    const dn_customer *cu = &s->facts.customer;
    uint8_t zl = (uint8_t)strlen(cu->timezone);
    uint32_t u;
    int32_t i;
    put(out, "C", 1);
    put(out, cu->country, 2);
    put(out, &zl, 1);
    put(out, cu->timezone, zl);
    uint8_t pl = (uint8_t)strlen(cu->phone);
    put(out, &pl, 1);
    put(out, cu->phone, pl);
    u = cu->holds;
    put(out, &u, 4);
    i = (int32_t)cu->hold_until;
    put(out, &i, 4);
    u = cu->opt_out;
    put(out, &u, 4);
    uint8_t nb = (uint8_t)cu->n_blackout;
    put(out, &nb, 1);
    for (int b = 0; b < cu->n_blackout; b++) {
        uint8_t wd = (uint8_t)cu->blackout[b].weekdays, ch = (uint8_t)cu->blackout[b].channels;
        uint16_t from = (uint16_t)cu->blackout[b].from, to = (uint16_t)cu->blackout[b].to;
        put(out, &wd, 1);
        put(out, &from, 2);
        put(out, &to, 2);
        put(out, &ch, 1);
    }
    u = (uint32_t)n;
    put(out, &u, 4);
    for (int k = 0; k < n; k++) {
        int64_t at = log[k].at;
        uint8_t rest[3] = { (uint8_t)log[k].channel, (uint8_t)log[k].debt, 0 };
        for (uint8_t o = 0; o < sizeof dump_outcomes / sizeof dump_outcomes[0]; o++)
            if (strcmp(log[k].outcome, dump_outcomes[o]) == 0)
                rest[2] = o;
        put(out, &at, 8);
        put(out, rest, 3);
    }
}

static void test_property(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    int customers = 3000;
#else
    int customers = 10000;
#endif
    const char *env = getenv("DN_GUARD_PROPERTY_CUSTOMERS");
    if (env && atoi(env) > 0)
        customers = atoi(env);
    static const char *const outcomes[] = { "no_answer", "no_answer", "voicemail", "busy",
                                            "not_in_service", "conversation",
                                            "ringless_voicemail", "no_answer" };
    static sim_customer s;
    static logged log[LOG_MAX];
    const char *dump_path = getenv("DN_GUARD_PROPERTY_LOG");
    FILE *dump = dump_path && *dump_path ? fopen(dump_path, "wb") : NULL;
    if (dump_path && *dump_path && !dump)
        fail_msg("cannot create %s", dump_path);
    rng_state = 20260101;
    long long verdicts = 0, contacts = 0;
    const dn_time year_start = T("2026-01-01T00:00:00Z"), year_end = T("2026-12-31T00:00:00Z");
    for (int ci = 0; ci < customers; ci++) {
        memset(&s, 0, sizeof s);
        s.rules = &rulebooks[rng() % 3];
        dn_customer *cu = &s.facts.customer;
        cu->id = ci + 1;
        dn_strlcpy(cu->country, s.rules->country, sizeof cu->country);
        if (strcmp(s.rules->country, "US") == 0) {
            int pick = (int)(rng() % 8);
            if (pick < 7) {
                dn_strlcpy(cu->timezone, us_zones[pick], sizeof cu->timezone);
                s.zones[s.n_zones++] = tz_get(us_zones[pick], NULL);
            } else {
                for (int z = 0; z < 7; z++)
                    s.zones[s.n_zones++] = tz_get(us_zones[z], NULL);
            }
        } else {
            const char *zone = strcmp(s.rules->country, "LV") == 0 ? "Europe/Riga"
                                                                   : "Europe/London";
            dn_strlcpy(cu->timezone, zone, sizeof cu->timezone);
            s.zones[s.n_zones++] = tz_get(zone, NULL);
        }
        if (cu->timezone[0] && rng() % 3 == 0) {
            int ph = (int)(rng() % (sizeof sim_phones / sizeof sim_phones[0]));
            dn_strlcpy(cu->phone, sim_phones[ph].number, sizeof cu->phone);
            bool agree = false;
            for (int z = 0; z < 2 && sim_phones[ph].zones[z]; z++)
                agree |= strcmp(sim_phones[ph].zones[z], cu->timezone) == 0;
            for (int z = 0; !agree && z < 2 && sim_phones[ph].zones[z]; z++)
                s.zones[s.n_zones++] = tz_get(sim_phones[ph].zones[z], NULL);
        }
        for (int z = 0; z < s.n_zones; z++)
            assert_non_null(s.zones[z]);
        uint32_t dice = rng() % 100;
        dn_date hold_until = DN_NO_DATE;
        if (dice < 4) {
            cu->holds = DN_HOLD_BANKRUPTCY;
        } else if (dice < 12) {
            cu->holds = DN_HOLD_PAUSE;
            hold_until = D("2026-01-01") + (dn_date)(rng() % 365);
        }
        cu->hold_until = hold_until;
        if (rng() % 10 == 0)
            cu->opt_out = 1u << (rng() % 4);
        if (rng() % 5 == 0) {
            dn_blackout *bo = &cu->blackout[cu->n_blackout++];
            bo->weekdays = rng() % 128;
            bo->from = (int)(rng() % 24) * 60;
            bo->to = bo->from + 60 * (1 + (int)(rng() % 4));
            static const unsigned kinds[] = { 0, DN_OPTOUT_VOICE, DN_OPTOUT_SMS };
            bo->channels = kinds[rng() % 3];
        }
        dn_facts *f = &s.facts;
        f->invoices[0].amount_minor = 5000;
        f->invoices[0].status = DN_INV_OPEN;
        f->n_invoices = 1;
        f->promise_due = DN_NO_DATE;
        f->notice_posted = true;                 /* LV: the notice went out before */
        f->notice_posted_on = D("2025-11-01");
        int debts = 1 + (int)(rng() % 3);
        int n = 0;
        dn_time t = year_start + (dn_time)(rng() % 3600);
        while (t < year_end) {
            dn_decision d;
            memset(&d, 0, sizeof d);
            d.action = DN_ACT_CONTACT;
            int ch = (int)(rng() % 6);
            int debt = (int)(rng() % (uint32_t)debts);
            dn_strlcpy(d.channel, sim_channels[ch], sizeof d.channel);
            dn_strlcpy(d.tone, "neutral", sizeof d.tone);
            snprintf(d.debt_ref, sizeof d.debt_ref, "debt-%d", debt);
            d.purpose = strcmp(s.rules->country, "LV") == 0 ? DN_PURPOSE_FORMAL
                                                             : DN_PURPOSE_REMINDER;
            d.hours_from = d.hours_to = -1;
            dn_verdict v;
            guard_check(guard_profile_builtin(s.rules->country), f, &d, t, &v);
            verdicts++;
            if (v.kind == DN_GUARD_ALLOW) {
                assert_true(n < LOG_MAX);
                logged *c = &log[n++];
                c->at = t;
                c->channel = ch;
                c->debt = debt;
                c->outcome = is_call_channel(ch) ? outcomes[rng() % 8] : "";
                remember(f, c, n);
                t += 3600;
            } else if (v.kind == DN_GUARD_DEFER) {
                if (v.defer_until <= t)
                    fail_msg("deferred to %lld, not after %lld", (long long)v.defer_until,
                             (long long)t);
                /* half the time ask again at the very instant given */
                t = rng() % 2 ? v.defer_until : t + 3600;
            } else {
                t += 86400;
            }
        }
        contacts += n;
        check_customer(&s, log, n, hold_until);
        if (dump)
            dump_customer(dump, &s, log, n);
    }
    if (dump && fclose(dump) != 0)
        fail_msg("cannot write %s", dump_path);
    print_message("property: %d customers, %lld verdicts, %lld contacts, %d violations\n",
                  customers, verdicts, contacts, violations);
    assert_int_equal(violations, 0);
    assert_true(contacts > customers);       /* the greedy rule did get through */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_profile_json),
        cmocka_unit_test(test_property),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_cache_clear();
    calendar_clear_added();
    return rc;
}
