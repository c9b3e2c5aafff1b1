/*
 * guard.c — the compliance guard: jurisdiction profiles as data, and the
 * verdict for one planned contact.
 *
 * A verdict is computed in three parts:
 *   1. "not at all" checks, in a fixed order (holds, vulnerability,
 *      opt-out, third party, consent, disputes, nothing owed, the formal
 *      notice) — each REFUSEs;
 *   2. one scan of the contact history that yields every counter (calls per
 *      debt and per customer per local day, channel and budget counts,
 *      conversations, spacing), each turned into a "not before" instant;
 *   3. a forward search from the latest "not before" through local windows,
 *      holidays, blackouts and preferred hours in every candidate zone.
 * Counters only fall as time passes with no new contact, so the first
 * instant of part 3 also satisfies part 2: it is the earliest lawful one.
 * Days are the customer's local calendar days (the first candidate zone);
 * "7 days" means the local day of the contact and the six before it.
 */
#include "guard-internal.h"

#include "calendar.h"
#include "location.h"
#include "tz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECONDS_PER_DAY 86400
#define SEARCH_STEPS_MAX 512

const char *const dn_verdict_names[] = { "allow", "defer", "refuse" };

static const char *const channel_names[DN_GCH_COUNT] = {
    "sms", "email", "voice", "chat", "letter", "agent", "crm"
};

/* ---- built-in profiles (the numbers are documented in docs/compliance.md) ---- */

#define HM(h, m) ((h) * 60 + (m))
#define EVERY_DAY(f, t) { { f, t }, { f, t }, { f, t }, { f, t }, { f, t }, { f, t }, { f, t } }
#define COUNT_ATTEMPTS (DN_OUTCOME_PENDING | DN_OUTCOME_NO_ANSWER | DN_OUTCOME_VOICEMAIL | \
                        DN_OUTCOME_RINGLESS_VOICEMAIL | DN_OUTCOME_CONVERSATION |        \
                        DN_OUTCOME_OTHER)

static const dn_guard_profile builtin_us = {
    .name = "US", .country = "US",
    .window = EVERY_DAY(HM(8, 0), HM(21, 0)),
    .holidays_forbidden = false,
    .call_attempts_per_debt_7d = 7,
    .call_attempts_per_customer_7d = 14,
    .conversation_cooldown_days = 7,
    .counted_outcomes = COUNT_ATTEMPTS,
    .channel = {
        [DN_GCH_SMS] = { 1, 3, false }, [DN_GCH_EMAIL] = { 1, 3, false },
        [DN_GCH_CHAT] = { 1, 3, false }, [DN_GCH_LETTER] = { 1, 2, false },
    },
    .contacts_per_week = 0,
    .min_spacing_minutes = 60,
    .defer_search_days = 14,
    .zones = { "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
               "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu" },
    .n_zones = 7,
};

static const dn_guard_profile builtin_lv = {
    .name = "LV", .country = "LV",
    .window = { { 0, 0 }, { HM(8, 0), HM(20, 0) }, { HM(8, 0), HM(20, 0) },
                { HM(8, 0), HM(20, 0) }, { HM(8, 0), HM(20, 0) }, { HM(8, 0), HM(20, 0) },
                { HM(9, 0), HM(18, 0) } },
    .holidays_forbidden = true,
    .call_attempts_per_debt_7d = 3,
    .call_attempts_per_customer_7d = 5,
    .conversation_cooldown_days = 2,
    .counted_outcomes = COUNT_ATTEMPTS,
    .channel = {
        [DN_GCH_SMS] = { 1, 2, false }, [DN_GCH_EMAIL] = { 1, 2, false },
        [DN_GCH_VOICE] = { 1, 0, false }, [DN_GCH_CHAT] = { 1, 2, false },
        [DN_GCH_AGENT] = { 1, 0, false },
    },
    .contacts_per_week = 5,
    .min_spacing_minutes = 240,
    .notice_required = true,
    .notice_channels = 1u << DN_GCH_LETTER,
    .notice_deemed_received_days = 7,
    .objection_days = 21,
    .reminders_before_notice = 1,
    .defer_search_days = 14,
    .zones = { "Europe/Riga" },
    .n_zones = 1,
};

static const dn_guard_profile builtin_ee = {
    .name = "EE", .country = "EE",
    .window = { { 0, 0 }, { HM(8, 0), HM(20, 0) }, { HM(8, 0), HM(20, 0) },
                { HM(8, 0), HM(20, 0) }, { HM(8, 0), HM(20, 0) }, { HM(8, 0), HM(20, 0) },
                { HM(9, 0), HM(18, 0) } },
    .holidays_forbidden = true,
    .call_attempts_per_debt_7d = 3,
    .call_attempts_per_customer_7d = 5,
    .conversation_cooldown_days = 2,
    .counted_outcomes = COUNT_ATTEMPTS,
    .channel = {
        [DN_GCH_SMS] = { 1, 2, false }, [DN_GCH_EMAIL] = { 1, 2, false },
        [DN_GCH_VOICE] = { 1, 0, false }, [DN_GCH_CHAT] = { 1, 2, false },
        [DN_GCH_AGENT] = { 1, 0, false },
    },
    .contacts_per_week = 5,
    .min_spacing_minutes = 240,
    .defer_search_days = 14,
    .zones = { "Europe/Tallinn" },
    .n_zones = 1,
};

static const dn_guard_profile builtin_uk = {
    .name = "UK", .country = "UK",
    .window = { { 0, 0 }, { HM(8, 0), HM(21, 0) }, { HM(8, 0), HM(21, 0) },
                { HM(8, 0), HM(21, 0) }, { HM(8, 0), HM(21, 0) }, { HM(8, 0), HM(21, 0) },
                { HM(8, 0), HM(21, 0) } },
    .holidays_forbidden = true,
    .call_attempts_per_debt_7d = 3,
    .call_attempts_per_customer_7d = 5,
    .conversation_cooldown_days = 2,
    .counted_outcomes = COUNT_ATTEMPTS,
    .channel = {
        [DN_GCH_SMS] = { 1, 3, false }, [DN_GCH_EMAIL] = { 1, 3, false },
        [DN_GCH_VOICE] = { 1, 0, false }, [DN_GCH_CHAT] = { 1, 3, false },
        [DN_GCH_AGENT] = { 1, 0, false },
    },
    .contacts_per_week = 7,
    .min_spacing_minutes = 180,
    .defer_search_days = 14,
    .zones = { "Europe/London" },
    .n_zones = 1,
};

static const dn_guard_profile builtin_default = {
    .name = "default", .country = "",
    .window = { { 0, 0 }, { HM(9, 0), HM(19, 0) }, { HM(9, 0), HM(19, 0) },
                { HM(9, 0), HM(19, 0) }, { HM(9, 0), HM(19, 0) }, { HM(9, 0), HM(19, 0) },
                { 0, 0 } },
    .holidays_forbidden = true,
    .call_attempts_per_debt_7d = 3,
    .call_attempts_per_customer_7d = 3,
    .conversation_cooldown_days = 3,
    .counted_outcomes = COUNT_ATTEMPTS,
    .channel = {
        [DN_GCH_SMS] = { 1, 2, false }, [DN_GCH_EMAIL] = { 1, 2, false },
        [DN_GCH_VOICE] = { 1, 0, false }, [DN_GCH_CHAT] = { 1, 2, false },
        [DN_GCH_AGENT] = { 1, 0, false },
    },
    .contacts_per_week = 4,
    .min_spacing_minutes = 240,
    .defer_search_days = 14,
    .n_zones = 0,
};

const dn_guard_profile *guard_profile_builtin(const char *country)
{
    if (!country)
        return NULL;
    if (strcmp(country, "US") == 0)
        return &builtin_us;
    if (strcmp(country, "LV") == 0)
        return &builtin_lv;
    if (strcmp(country, "EE") == 0)
        return &builtin_ee;
    if (strcmp(country, "UK") == 0 || strcmp(country, "GB") == 0)
        return &builtin_uk;
    if (strcmp(country, "default") == 0)
        return &builtin_default;
    return NULL;
}

/* ---- small helpers ---- */

static int channel_index(const char *s)
{
    for (int i = 0; i < DN_GCH_COUNT; i++)
        if (s[0] == channel_names[i][0] && strcmp(s, channel_names[i]) == 0)
            return i;
    return -1;
}

/* The customer's DN_OPTOUT_* bit for a channel (0: no such bit). */
static unsigned channel_bit(int ch)
{
    switch (ch) {
    case DN_GCH_SMS:   return DN_OPTOUT_SMS;
    case DN_GCH_EMAIL: return DN_OPTOUT_EMAIL;
    case DN_GCH_VOICE:
    case DN_GCH_AGENT: return DN_OPTOUT_VOICE;
    case DN_GCH_CHAT:  return DN_OPTOUT_CHAT;
    default:           return 0;
    }
}

static bool is_call(int ch)
{
    return ch == DN_GCH_VOICE || ch == DN_GCH_AGENT;
}

static unsigned outcome_bit(const char *s)
{
    switch (s[0]) {
    case '\0': return DN_OUTCOME_PENDING;
    case 'b':  if (strcmp(s, "busy") == 0) return DN_OUTCOME_BUSY; break;
    case 'n':
        if (strcmp(s, "no_answer") == 0) return DN_OUTCOME_NO_ANSWER;
        if (strcmp(s, "not_in_service") == 0) return DN_OUTCOME_NOT_IN_SERVICE;
        break;
    case 'v':  if (strcmp(s, "voicemail") == 0) return DN_OUTCOME_VOICEMAIL; break;
    case 'r':  if (strcmp(s, "ringless_voicemail") == 0) return DN_OUTCOME_RINGLESS_VOICEMAIL; break;
    case 'c':  if (strcmp(s, "conversation") == 0) return DN_OUTCOME_CONVERSATION; break;
    default:   break;
    }
    return DN_OUTCOME_OTHER;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void verdict_set(dn_verdict *out, dn_verdict_kind kind, dn_time until, const char *code,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void verdict_set(dn_verdict *out, dn_verdict_kind kind, dn_time until, const char *code,
                        const char *fmt, ...)
{
    out->kind = kind;
    out->defer_until = until;
    out->zone = NULL;
    out->unsent = 0;
    dn_strlcpy(out->code, code, sizeof out->code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
}

/* ---- candidate zones ---- */

/* With nothing known of the customer: every zone of the profile's
 * jurisdiction, into an empty loc. */
static void profile_zones(const dn_guard_profile *p, dn_location *loc)
{
    loc->n = 0;
    loc->conflict = loc->overflow = false;
    for (int i = 0; i < p->n_zones; i++) {
        const dn_tz *z = tz_get(p->zones[i], NULL);
        for (int j = 0; z && j < loc->n; j++)
            if (loc->zone[j] == z)
                z = NULL;
        if (z) {
            loc->zone[loc->n] = z;
            loc->source[loc->n++] = DN_LOC_PROFILE;
        }
    }
}

/* Where the customers this thread asked about last may be, so that the
 * many verdicts about one customer (a contactability answer asks 60 000)
 * work it out once. A slot is chosen by the customer's address and used
 * only when the three fields the zones come from are the same (a buffer
 * reused for another customer misses). The profile's zones, used when
 * nothing is known, are not kept: a reloaded profile may differ. */
#define ZONE_MEMO_SLOTS 16

typedef struct zone_memo {
    const dn_customer *customer;
    char timezone[sizeof ((dn_customer *)0)->timezone];
    char country[sizeof ((dn_customer *)0)->country];
    char phone[sizeof ((dn_customer *)0)->phone];
    dn_location zones;
} zone_memo;

static _Thread_local zone_memo zone_memos[ZONE_MEMO_SLOTS];

/* Every zone the customer's signals point at (location.h); with none
 * known, the profile's (in *fallback). A time is convenient only if it is
 * convenient in all of them. */
static const dn_location *zones_of(const dn_guard_profile *p, const dn_customer *c,
                                   dn_location *fallback)
{
    zone_memo *m = &zone_memos[((uintptr_t)c / sizeof *c) % ZONE_MEMO_SLOTS];
    if (m->customer != c || strcmp(m->timezone, c->timezone) != 0 ||
        strcmp(m->phone, c->phone) != 0 || strcmp(m->country, c->country) != 0) {
        location_of_customer(c->timezone, c->country, c->phone, &m->zones);
        m->customer = c;
        memcpy(m->timezone, c->timezone, sizeof m->timezone);
        memcpy(m->country, c->country, sizeof m->country);
        memcpy(m->phone, c->phone, sizeof m->phone);
    }
    if (m->zones.n)
        return &m->zones;
    profile_zones(p, fallback);
    return fallback;
}

void guard_candidate_zones(const dn_guard_profile *p, const dn_customer *c, dn_location *out)
{
    location_of_customer(c->timezone, c->country, c->phone, out);
    if (out->n == 0)
        profile_zones(p, out);
}

const char *guard_profile_name(const dn_guard_profile *p)
{
    return p->name;
}

const char *guard_profile_holiday_country(const dn_guard_profile *p)
{
    return p->holidays_forbidden ? p->country : NULL;
}

/* ---- the time-of-day part ---- */

typedef struct check {
    const dn_guard_profile *p;
    const dn_facts *f;
    const dn_decision *d;
    int channel;
    unsigned bit;
    const char *holiday_country;
    const dn_location *zones;
} check;

/* What made an instant inconvenient, kept so the sentence for a person is
 * only written when the verdict needs it. */
typedef struct block {
    const char *code;
    const dn_tz *zone;
    int minute;
    const char *holiday;
} block;

static void block_describe(const block *b, char *why, size_t size)
{
    if (b->holiday)
        snprintf(why, size, "%02d:%02d is on a public holiday (%s) in %s", b->minute / 60,
                 b->minute % 60, b->holiday, tz_name(b->zone));
    else
        snprintf(why, size, "%02d:%02d local time in %s is outside the allowed %s",
                 b->minute / 60, b->minute % 60, tz_name(b->zone),
                 strcmp(b->code, "blackout") == 0 ? "hours set by the customer"
                                                  : "contact window");
}

/* Whether t is a convenient instant in every candidate zone. If not, *first
 * names the first reason and *next is an instant before which no instant
 * can be convenient (always > t). */
static bool time_blocked(const check *k, dn_time t, dn_time *next, block *first)
{
    const dn_guard_profile *p = k->p;
    const dn_customer *c = &k->f->customer;
    dn_time lower = t;
    bool blocked = false;
    for (int zi = 0; zi < k->zones->n; zi++) {
        const dn_tz *z = k->zones->zone[zi];
        int minute;
        dn_date day = tz_local_date(z, t, &minute);
        int wd = dn_date_weekday(day);
        dn_time zone_next = t;
        const char *zone_code = NULL;
        const char *holiday_name = NULL;
        if (p->holidays_forbidden && k->holiday_country[0] &&
            calendar_is_holiday(k->holiday_country, day, &holiday_name)) {
            zone_code = "holiday";
            zone_next = tz_local_to_utc(z, day + 1, 0);
        } else {
            dn_guard_window w = p->window[wd];
            int from = w.from, to = w.to;
            if (k->d->hours_from >= 0 && k->d->hours_to > k->d->hours_from) {
                /* the rule's preferred hours narrow the legal window */
                if (k->d->hours_from > from)
                    from = k->d->hours_from;
                if (k->d->hours_to < to)
                    to = k->d->hours_to;
            }
            if (w.from >= w.to) {
                zone_code = (wd == 0 || wd == 6) ? "weekend" : "quiet_hours";
                zone_next = tz_local_to_utc(z, day + 1, 0);
            } else if (minute < from && from < to) {
                zone_code = "quiet_hours";
                zone_next = tz_local_to_utc(z, day, from);
            } else if (minute < from || minute >= to) {
                zone_code = "quiet_hours";
                zone_next = tz_local_to_utc(z, day + 1, 0);
            }
            for (int b = 0; !zone_code && b < c->n_blackout && b < DN_CUSTOMER_BLACKOUTS; b++) {
                const dn_blackout *bo = &c->blackout[b];
                if (bo->channels && !(bo->channels & k->bit))
                    continue;
                if (!(bo->weekdays & (1u << wd)) || minute < bo->from || minute >= bo->to)
                    continue;
                zone_code = "blackout";
                zone_next = bo->to >= 1440 ? tz_local_to_utc(z, day + 1, 0)
                                           : tz_local_to_utc(z, day, bo->to);
            }
        }
        if (!zone_code)
            continue;
        if (!blocked)
            *first = (block){ zone_code, z, minute, holiday_name };
        blocked = true;
        if (zone_next > lower)
            lower = zone_next;
    }
    if (blocked)
        *next = lower > t ? lower : t + 60;
    return blocked;
}

/* ---- counters ---- */

/* Histograms over the local days D-6 .. D (index 0 = D-6), and how many
 * of the contacts counted in D-6 .. D are not sent yet (planned, being
 * sent, or in doubt): they take their place in every cap at their planned
 * time, so a second contact cannot be planned into the same room, but a
 * person is told they are only planned. */
typedef struct counters {
    int debt_calls[7], customer_calls[7], channel_week[7], all_week[7];
    int channel_today;
    int unsent_debt_calls, unsent_customer_calls, unsent_channel_week, unsent_all_week;
    int unsent_channel_today;
    dn_date last_conversation;     /* about this debt; DN_NO_DATE if none */
    dn_time spacing_until;         /* 0 if no contact is too close */
    bool spacing_unsent;           /* the contact that sets spacing_until is not sent yet */
    int reminders_in_case;
    bool confirmation_unsent;      /* another opt-out confirmation on this channel waits */
} counters;

/* Planned, being sent, or sent with no answer from the provider: not
 * (known to be) a contact made. */
static bool not_sent(const char *state)
{
    switch (state[0]) {
    case 'p': return strcmp(state, "planned") == 0;
    case 's': return state[3] == 'd' && strcmp(state, "sending") == 0;   /* not "sent" */
    case 'i': return strcmp(state, "in_doubt") == 0;
    default:  return false;
    }
}

static void count_history(const check *k, dn_time at, dn_date today, counters *n)
{
    const dn_facts *f = k->f;
    const dn_guard_profile *p = k->p;
    const dn_tz *z = k->zones->zone[0];
    memset(n, 0, sizeof *n);
    n->last_conversation = DN_NO_DATE;
    int reach_days = p->conversation_cooldown_days > 7 ? p->conversation_cooldown_days : 7;
    dn_time oldest = at - (dn_time)(reach_days + 1) * SECONDS_PER_DAY;
    /* one offset for the whole scan unless a DST change falls inside it */
    int offset = tz_offset(z, at);
    bool uniform = tz_offset(z, oldest) == offset && tz_offset(z, at + SECONDS_PER_DAY) == offset;
    dn_time spacing = (dn_time)p->min_spacing_minutes * 60;
    bool call = is_call(k->channel);
    int count = f->n_contacts < DN_FACT_CONTACTS ? f->n_contacts : DN_FACT_CONTACTS;
    /* the pre-notice reminder count is the only reason to look at old contacts */
    bool need_reminders = p->notice_required && !f->notice_posted && f->case_id != 0;
    for (int i = 0; i < count; i++) {
        const dn_fact_contact *c = &f->contacts[i];
        bool recent = c->at >= oldest;
        bool close = spacing && c->at > at - spacing && c->at < at + spacing;
        if (!recent && !close && !need_reminders && c->purpose != DN_PURPOSE_OPTOUT_CONFIRM)
            continue;
        if (k->d->contact_id && c->id == k->d->contact_id)
            continue;
        if ((c->state[0] == 'c' && strcmp(c->state, "cancelled") == 0) ||
            (c->state[0] == 'f' && c->outcome[0] == '\0' && strcmp(c->state, "failed") == 0))
            continue;
        int ch = channel_index(c->channel);
        if (ch == DN_GCH_CRM)
            continue;
        bool unsent = not_sent(c->state);
        if (c->purpose == DN_PURPOSE_OPTOUT_CONFIRM) {
            /* a sent one is on the customer (opt_out_confirmed) */
            if (ch == k->channel && unsent)
                n->confirmation_unsent = true;
            continue;
        }
        if (c->purpose == DN_PURPOSE_REMINDER && f->case_id != 0 && c->case_id == f->case_id)
            n->reminders_in_case++;
        if (close && c->at + spacing > n->spacing_until) {
            n->spacing_until = c->at + spacing;
            n->spacing_unsent = unsent;
        }
        if (!recent)
            continue;
        dn_date day = uniform ? (dn_date)floor_div(c->at + offset, SECONDS_PER_DAY)
                              : tz_local_date(z, c->at, NULL);
        if (day > today)
            continue;
        /* call counters matter only when the decision is a call */
        bool both_calls = call && is_call(ch);
        bool same_debt = both_calls && strcmp(c->debt_ref, k->d->debt_ref) == 0;
        if (same_debt && c->outcome[0] == 'c' && strcmp(c->outcome, "conversation") == 0 &&
            (n->last_conversation == DN_NO_DATE || day > n->last_conversation))
            n->last_conversation = day;
        if (day < today - 6)
            continue;
        int slot = day - (today - 6);
        n->all_week[slot]++;
        n->unsent_all_week += unsent;
        if (ch == k->channel) {
            n->channel_week[slot]++;
            n->unsent_channel_week += unsent;
            if (day == today) {
                n->channel_today++;
                n->unsent_channel_today += unsent;
            }
        }
        if (both_calls && (p->counted_outcomes & outcome_bit(c->outcome))) {
            n->customer_calls[slot]++;
            n->unsent_customer_calls += unsent;
            if (same_debt) {
                n->debt_calls[slot]++;
                n->unsent_debt_calls += unsent;
            }
        }
    }
}

/* With `hist` contacts over days D-6..D and a limit, the first local day on
 * which one more contact keeps the 7-day count within the limit (D when
 * there is room today). */
static dn_date free_day(const int hist[7], int limit, dn_date today, int *total_out)
{
    int total = 0;
    for (int i = 0; i < 7; i++)
        total += hist[i];
    *total_out = total;
    if (limit <= 0 || total < limit)
        return today;
    for (int j = 0; j < 7; j++) {
        total -= hist[j];
        if (total < limit)
            return today + 1 + j;
    }
    return today + 7;
}

/* The latest "not before" so far. Only its facts are kept; the sentence
 * for a person is written once, when the verdict needs it. */
typedef enum constraint_kind {
    LIMIT_CAP,              /* count/limit over 7 days, room again on `day` */
    LIMIT_DAY,              /* count/limit today */
    LIMIT_OBJECTION,        /* escalation from `day` */
    LIMIT_PROMISE,          /* promise due on `day` */
    LIMIT_CONVERSATION,     /* conversation on `day`, `limit` days */
    LIMIT_SPACING,          /* `limit` minutes */
} constraint_kind;

typedef struct constraint {
    dn_time not_before;
    const char *code;       /* NULL while nothing constrains */
    constraint_kind kind;
    const char *what;
    int count, limit;
    dn_date day;
    int unsent;             /* of `count`, contacts not sent yet */
} constraint;

static void constrain(constraint *cs, dn_time when, const char *code, constraint_kind kind,
                      const char *what, int count, int limit, dn_date day, int unsent)
{
    if (when <= cs->not_before)
        return;
    *cs = (constraint){ when, code, kind, what, count, limit, day, unsent };
}

static void constraint_describe(const constraint *cs, char *out, size_t size)
{
    char date[11], unsent[64] = "";
    dn_date_format(cs->day, date);
    if (cs->unsent)
        snprintf(unsent, sizeof unsent, " (%d of them planned, not sent yet)", cs->unsent);
    switch (cs->kind) {
    case LIMIT_CAP:
        snprintf(out, size, "%d %s in the last 7 days%s (limit %d); room again on %s",
                 cs->count, cs->what, unsent, cs->limit, date);
        break;
    case LIMIT_DAY:
        snprintf(out, size, "%d %s message(s) today%s (limit %d)", cs->count, cs->what,
                 unsent, cs->limit);
        break;
    case LIMIT_OBJECTION:
        snprintf(out, size, "the debtor may still object to the notice; escalation from %s",
                 date);
        break;
    case LIMIT_PROMISE:
        snprintf(out, size, "a promise to pay is pending until %s", date);
        break;
    case LIMIT_CONVERSATION:
        snprintf(out, size, "a telephone conversation about this debt on %s: no call for %d "
                 "days", date, cs->limit);
        break;
    case LIMIT_SPACING:
        snprintf(out, size, "another contact%s within %d minutes",
                 cs->unsent ? ", planned and not sent yet," : "", cs->limit);
        break;
    }
}

static void cap_check(const check *k, constraint *cs, const int hist[7], int unsent, int limit,
                      dn_date today, const char *code, const char *what)
{
    int total;
    dn_date day = free_day(hist, limit, today, &total);
    if (day != today)
        constrain(cs, tz_local_to_utc(k->zones->zone[0], day, 0), code, LIMIT_CAP, what, total,
                  limit, day, unsent);
}

/* ---- the "not at all" checks ---- */

static bool hold_active(const dn_customer *c, unsigned bit, dn_date today)
{
    if (!(c->holds & bit))
        return false;
    if (bit == DN_HOLD_PAUSE || bit == DN_HOLD_BREATHING)
        return c->hold_until == DN_NO_DATE || today < c->hold_until;
    return true;
}

static bool refuse_for_holds(const dn_customer *c, dn_date today, dn_verdict *out)
{
    static const struct { unsigned bit; const char *code; const char *what; } holds[] = {
        { DN_HOLD_DECEASED, "hold_deceased", "the customer is deceased" },
        { DN_HOLD_BANKRUPTCY, "hold_bankruptcy", "the customer is in bankruptcy" },
        { DN_HOLD_CEASE_CONTACT, "hold_cease_contact", "the customer asked us to stop contact" },
        { DN_HOLD_DISPUTE, "hold_dispute", "the customer disputes the debt" },
        { DN_HOLD_BREATHING, "hold_breathing_space", "a breathing-space moratorium is in force" },
        { DN_HOLD_PAUSE, "hold_pause", "contact is paused by hand" },
    };
    for (size_t i = 0; i < sizeof holds / sizeof holds[0]; i++) {
        if (!hold_active(c, holds[i].bit, today))
            continue;
        char until[11] = "";
        if ((holds[i].bit == DN_HOLD_PAUSE || holds[i].bit == DN_HOLD_BREATHING) &&
            c->hold_until != DN_NO_DATE)
            dn_date_format(c->hold_until, until);
        verdict_set(out, DN_GUARD_REFUSE, 0, holds[i].code, "%s%s%s", holds[i].what,
                    until[0] ? " until " : "", until);
        return true;
    }
    return false;
}

/* Disputes and balances: is there anything this contact may be about? */
static bool refuse_for_debt(const dn_facts *f, const dn_decision *d, dn_verdict *out)
{
    bool open = false, held = false;
    for (int i = 0; i < f->n_invoices && i < DN_FACT_INVOICES; i++) {
        const dn_fact_invoice *inv = &f->invoices[i];
        if (inv->paid_minor >= inv->amount_minor)
            continue;
        bool on_hold = inv->status == DN_INV_DISPUTED || inv->status == DN_INV_ON_HOLD;
        if (on_hold && d->debt_ref[0] && strcmp(inv->external_id, d->debt_ref) == 0) {
            verdict_set(out, DN_GUARD_REFUSE, 0, "hold_dispute",
                        "invoice %s is disputed or on hold", inv->external_id);
            return true;
        }
        if (inv->status == DN_INV_OPEN)
            open = true;
        else if (on_hold)
            held = true;
    }
    for (int i = 0; i < f->n_balance && i < DN_FACT_BALANCES; i++)
        if (f->balance[i].amount_minor > 0)
            open = true;
    if (open)
        return false;
    if (held)
        verdict_set(out, DN_GUARD_REFUSE, 0, "hold_dispute",
                    "every unpaid invoice is disputed or on hold");
    else
        verdict_set(out, DN_GUARD_REFUSE, 0, "nothing_owed", "nothing is owed");
    return true;
}

/* ---- the verdict ---- */

/* What the verdict's code rests on: the contacts not sent yet behind a
 * cap, or the zone whose local time blocks. */
static void verdict_blame(dn_verdict *out, const constraint *cs, const block *first)
{
    if (cs->code)
        out->unsent = cs->unsent;
    else if (first->zone)
        out->zone = tz_name(first->zone);
}

/* Whether an unpaid invoice of the facts was due before `today` (the
 * customer's local day). */
static bool overdue_on(const dn_facts *f, dn_date today)
{
    int n = f->n_invoices < DN_FACT_INVOICES ? f->n_invoices : DN_FACT_INVOICES;
    for (int i = 0; i < n; i++) {
        const dn_fact_invoice *inv = &f->invoices[i];
        if (inv->status == DN_INV_OPEN && inv->paid_minor < inv->amount_minor &&
            inv->due != DN_NO_DATE && inv->due < today)
            return true;
    }
    return false;
}

void guard_check(const dn_guard_profile *p, const dn_facts *f, const dn_decision *d,
                 dn_time at, dn_verdict *out)
{
    check k;
    counters n;
    constraint cs;
    const dn_customer *c = &f->customer;

    if (!p) {
        verdict_set(out, DN_GUARD_REFUSE, 0, "no_profile", "no compliance profile applies");
        return;
    }
    k.p = p;
    k.f = f;
    k.d = d;
    k.channel = channel_index(d->channel);
    if (k.channel < 0) {
        verdict_set(out, DN_GUARD_REFUSE, 0, "unknown_channel", "unknown channel '%.16s'",
                    d->channel);
        return;
    }
    if (k.channel == DN_GCH_CRM) {
        verdict_set(out, DN_GUARD_ALLOW, 0, "internal",
                    "a CRM event does not contact the customer");
        return;
    }
    k.bit = channel_bit(k.channel);
    k.holiday_country = p->country[0] ? p->country : c->country;
    dn_location fallback;
    k.zones = zones_of(p, c, &fallback);
    dn_date today = k.zones->n ? tz_local_date(k.zones->zone[0], at, NULL)
                              : (dn_date)floor_div(at, SECONDS_PER_DAY);

    if (refuse_for_holds(c, today, out))
        return;
    if (c->holds & DN_HOLD_VULNERABLE) {
        bool gentle = strcmp(d->tone, "gentle") == 0 || strcmp(d->tone, "friendly") == 0;
        if (k.channel != DN_GCH_AGENT || !gentle) {
            verdict_set(out, DN_GUARD_REFUSE, 0, "vulnerable_agent_only",
                        "a vulnerable customer is contacted only by an agent in a gentle "
                        "or friendly tone (asked: %.16s, %.16s)", d->channel, d->tone);
            return;
        }
    }
    bool confirmation = d->purpose == DN_PURPOSE_OPTOUT_CONFIRM;
    if (confirmation && !(c->opt_out & k.bit)) {
        verdict_set(out, DN_GUARD_REFUSE, 0, "not_opted_out",
                    "an opt-out confirmation needs an opt-out on %s", d->channel);
        return;
    }
    if (!confirmation && (c->opt_out & k.bit)) {
        verdict_set(out, DN_GUARD_REFUSE, 0, "opted_out", "the customer opted out of %s",
                    d->channel);
        return;
    }
    if (c->third_party & k.bit) {
        verdict_set(out, DN_GUARD_REFUSE, 0, "third_party",
                    "the %s contact point is not the debtor's: it would disclose the debt",
                    d->channel);
        return;
    }
    if (p->channel[k.channel].consent_required && !(c->consent & k.bit)) {
        verdict_set(out, DN_GUARD_REFUSE, 0, "no_consent",
                    "%s needs the customer's consent under profile %s", d->channel, p->name);
        return;
    }
    if (!confirmation && refuse_for_debt(f, d, out))
        return;
    if (k.zones->n == 0) {
        verdict_set(out, DN_GUARD_REFUSE, 0, "unknown_zone",
                    "neither the customer's time zone, country nor phone number is known, and "
                    "profile %s names no zones", p->name);
        return;
    }
    if (k.zones->overflow) {
        verdict_set(out, DN_GUARD_REFUSE, 0, "unknown_zone",
                    "the customer's time zone, country and phone number point at more than %d "
                    "time zones", DN_LOCATION_ZONES);
        return;
    }

    count_history(&k, at, today, &n);
    cs = (constraint){ .not_before = at };
    const dn_tz *home = k.zones->zone[0];

    if (confirmation) {
        if (c->opt_out_confirmed & k.bit) {
            verdict_set(out, DN_GUARD_REFUSE, 0, "opted_out",
                        "the one opt-out confirmation on %s was already sent", d->channel);
            return;
        }
        if (n.confirmation_unsent) {
            verdict_set(out, DN_GUARD_REFUSE, 0, "opted_out",
                        "the one opt-out confirmation on %s is already planned", d->channel);
            return;
        }
    } else {
        /* a "prevention" message to a customer already overdue is a reminder:
         * the label a rule gives never loosens the count */
        dn_purpose purpose = d->purpose;
        if (purpose == DN_PURPOSE_PREVENTION && overdue_on(f, today))
            purpose = DN_PURPOSE_REMINDER;
        if (p->notice_required) {
            bool formal = purpose == DN_PURPOSE_FORMAL || purpose == DN_PURPOSE_ESCALATION;
            if (purpose == DN_PURPOSE_NOTICE && !(p->notice_channels & (1u << k.channel))) {
                verdict_set(out, DN_GUARD_REFUSE, 0, "notice_channel",
                            "the formal notice cannot be sent by %s", d->channel);
                return;
            }
            if (!f->notice_posted && formal) {
                verdict_set(out, DN_GUARD_REFUSE, 0, "notice_required",
                            "a formal collection message needs the written notice first");
                return;
            }
            /* the recent history, or the store's count of the whole case */
            int reminders = n.reminders_in_case > f->case_reminders ? n.reminders_in_case
                                                                    : f->case_reminders;
            if (!f->notice_posted && purpose == DN_PURPOSE_REMINDER &&
                reminders >= p->reminders_before_notice) {
                verdict_set(out, DN_GUARD_REFUSE, 0, "notice_required",
                            "%d informative reminder(s) already sent; the written notice "
                            "comes next", reminders);
                return;
            }
            if (f->notice_posted && purpose == DN_PURPOSE_ESCALATION && !f->debt_acknowledged) {
                /* received on day posted+7; objections through received+21;
                 * escalation from the day after */
                dn_date posted = f->notice_posted_at
                                     ? tz_local_date(home, f->notice_posted_at, NULL)
                                     : f->notice_posted_on;
                dn_date open_day = posted + p->notice_deemed_received_days +
                                   p->objection_days + 1;
                constrain(&cs, tz_local_to_utc(home, open_day, 0), "objection_period",
                          LIMIT_OBJECTION, NULL, 0, 0, open_day, 0);
            }
        }
        if (f->promise_pending && f->promise_due != DN_NO_DATE && today <= f->promise_due) {
            constrain(&cs, tz_local_to_utc(home, f->promise_due + 1, 0), "promise_pending",
                      LIMIT_PROMISE, NULL, 0, 0, f->promise_due, 0);
        }
        const dn_guard_channel_limits *lim = &p->channel[k.channel];
        if (lim->per_day > 0 && n.channel_today >= lim->per_day)
            constrain(&cs, tz_local_to_utc(home, today + 1, 0), "cap_channel_day", LIMIT_DAY,
                      channel_names[k.channel], n.channel_today, lim->per_day, today + 1,
                      n.unsent_channel_today);
        cap_check(&k, &cs, n.channel_week, n.unsent_channel_week, lim->per_week, today,
                  "cap_channel_week", "messages on this channel");
        cap_check(&k, &cs, n.all_week, n.unsent_all_week, p->contacts_per_week, today,
                  "budget_week", "contacts");
        if (is_call(k.channel)) {
            cap_check(&k, &cs, n.debt_calls, n.unsent_debt_calls, p->call_attempts_per_debt_7d,
                      today, "cap_calls_7d", "call attempts about this debt");
            cap_check(&k, &cs, n.customer_calls, n.unsent_customer_calls,
                      p->call_attempts_per_customer_7d, today, "cap_customer_7d",
                      "call attempts to this customer");
            int cool = p->conversation_cooldown_days;
            if (cool > 0 && n.last_conversation != DN_NO_DATE &&
                today < n.last_conversation + cool) {
                constrain(&cs, tz_local_to_utc(home, n.last_conversation + cool, 0),
                          "conversation_cooldown", LIMIT_CONVERSATION, NULL, 0, cool,
                          n.last_conversation, 0);
            }
        }
        if (n.spacing_until > at)
            constrain(&cs, n.spacing_until, "spacing", LIMIT_SPACING, NULL, 0,
                      p->min_spacing_minutes, today, n.spacing_unsent);
    }

    /* the earliest convenient instant at or after every "not before" */
    dn_time t = cs.not_before;
    block first = { NULL, NULL, 0, NULL };
    bool timed = k.channel != DN_GCH_LETTER;
    dn_time limit = at + (dn_time)p->defer_search_days * SECONDS_PER_DAY;
    for (int step = 0; timed; step++) {
        dn_time next;
        block b;
        if (!time_blocked(&k, t, &next, &b))
            break;
        if (!first.code)
            first = b;
        if (next > limit || step >= SEARCH_STEPS_MAX) {
            char why[160];
            if (cs.code)
                constraint_describe(&cs, why, sizeof why);
            else
                block_describe(&first, why, sizeof why);
            verdict_set(out, DN_GUARD_REFUSE, 0, cs.code ? cs.code : first.code,
                        "%s; no convenient time within %d days after", why,
                        p->defer_search_days);
            verdict_blame(out, &cs, &first);
            return;
        }
        t = next;
    }
    if (t == at) {
        out->kind = DN_GUARD_ALLOW;
        out->defer_until = 0;
        out->zone = NULL;
        out->unsent = 0;
        memcpy(out->code, "ok", 3);
        memcpy(out->reason, "allowed", 8);
        return;
    }
    char why[160];
    if (cs.code)
        constraint_describe(&cs, why, sizeof why);
    else
        block_describe(&first, why, sizeof why);
    dn_date until_day = (dn_date)floor_div(t, SECONDS_PER_DAY);
    int y, mo, dd, secs = (int)(t - (dn_time)until_day * SECONDS_PER_DAY);
    dn_date_to_ymd(until_day, &y, &mo, &dd);
    verdict_set(out, DN_GUARD_DEFER, t, cs.code ? cs.code : first.code,
                "%s; next allowed %04d-%02d-%02dT%02d:%02d:%02dZ", why, y % 10000, mo, dd,
                secs / 3600, secs / 60 % 60, secs % 60);
    verdict_blame(out, &cs, &first);
}

/* ---- profiles from configuration ---- */

static int parse_hhmm(const char *s, int *out)
{
    if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
        s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -EINVAL;
    int v = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
    if (v > 1440)
        return -EINVAL;
    *out = v;
    return 0;
}

/* "HH:MM-HH:MM" (end may be "24:00") or JSON null / "none". */
static int parse_window(json_t *v, dn_guard_window *w)
{
    if (json_is_null(v) || (json_is_string(v) && strcmp(json_string_value(v), "none") == 0)) {
        w->from = w->to = 0;
        return 0;
    }
    if (!json_is_string(v))
        return -EINVAL;
    const char *s = json_string_value(v);
    char from[6], to[6];
    if (strlen(s) != 11 || s[5] != '-')
        return -EINVAL;
    memcpy(from, s, 5);
    from[5] = '\0';
    memcpy(to, s + 6, 5);
    to[5] = '\0';
    if (parse_hhmm(from, &w->from) || parse_hhmm(to, &w->to) || w->from >= w->to ||
        w->from >= 1440)
        return -EINVAL;
    return 0;
}

static int json_int_field(json_t *v, const char *field, int lo, int hi, int *out, dn_err *err)
{
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return dn_err_set(err, -EINVAL, field, "%s must be an integer from %d to %d", field,
                          lo, hi);
    *out = (int)json_integer_value(v);
    return 0;
}

static int json_bool_field(json_t *v, const char *field, bool *out, dn_err *err)
{
    if (!json_is_boolean(v))
        return dn_err_set(err, -EINVAL, field, "%s must be true or false", field);
    *out = json_is_true(v);
    return 0;
}

static int load_windows(json_t *obj, dn_guard_profile *p, dn_err *err)
{
    static const char *const days[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return dn_err_set(err, -EINVAL, "windows", "windows must be an object of weekdays");
    json_object_foreach(obj, key, v) {
        int wd = -1;
        for (int i = 0; i < 7; i++)
            if (strcmp(key, days[i]) == 0)
                wd = i;
        char field[64];
        snprintf(field, sizeof field, "windows.%.40s", key);
        if (wd < 0)
            return dn_err_set(err, -EINVAL, field, "unknown weekday '%.40s' (sun..sat)", key);
        if (parse_window(v, &p->window[wd]))
            return dn_err_set(err, -EINVAL, field,
                              "%s must be \"HH:MM-HH:MM\" with from before to, or null", field);
    }
    return 0;
}

static int load_channels(json_t *obj, dn_guard_profile *p, dn_err *err)
{
    const char *key, *lkey;
    json_t *v, *lv;
    if (!json_is_object(obj))
        return dn_err_set(err, -EINVAL, "channels", "channels must be an object");
    json_object_foreach(obj, key, v) {
        int ch = channel_index(key);
        char field[96];
        snprintf(field, sizeof field, "channels.%.40s", key);
        if (ch < 0 || !json_is_object(v))
            return dn_err_set(err, -EINVAL, field, "unknown channel or not an object");
        dn_guard_channel_limits *lim = &p->channel[ch];
        json_object_foreach(v, lkey, lv) {
            snprintf(field, sizeof field, "channels.%.40s.%.40s", key, lkey);
            int rc;
            if (strcmp(lkey, "per_day") == 0)
                rc = json_int_field(lv, field, 0, 1000, &lim->per_day, err);
            else if (strcmp(lkey, "per_week") == 0)
                rc = json_int_field(lv, field, 0, 1000, &lim->per_week, err);
            else if (strcmp(lkey, "consent_required") == 0)
                rc = json_bool_field(lv, field, &lim->consent_required, err);
            else
                rc = dn_err_set(err, -EINVAL, field, "unknown member %s", field);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int load_outcomes(json_t *arr, dn_guard_profile *p, dn_err *err)
{
    static const struct { const char *name; unsigned bit; } names[] = {
        { "pending", DN_OUTCOME_PENDING }, { "busy", DN_OUTCOME_BUSY },
        { "no_answer", DN_OUTCOME_NO_ANSWER }, { "voicemail", DN_OUTCOME_VOICEMAIL },
        { "ringless_voicemail", DN_OUTCOME_RINGLESS_VOICEMAIL },
        { "conversation", DN_OUTCOME_CONVERSATION },
        { "not_in_service", DN_OUTCOME_NOT_IN_SERVICE }, { "other", DN_OUTCOME_OTHER },
    };
    size_t i;
    json_t *v;
    if (!json_is_array(arr))
        return dn_err_set(err, -EINVAL, "counted_outcomes", "counted_outcomes must be an array");
    p->counted_outcomes = 0;
    json_array_foreach(arr, i, v) {
        unsigned bit = 0;
        for (size_t j = 0; json_is_string(v) && j < sizeof names / sizeof names[0]; j++)
            if (strcmp(json_string_value(v), names[j].name) == 0)
                bit = names[j].bit;
        if (!bit)
            return dn_err_set(err, -EINVAL, "counted_outcomes",
                              "counted_outcomes[%zu] is not a known call outcome", i);
        p->counted_outcomes |= bit;
    }
    return 0;
}

static int load_notice(json_t *obj, dn_guard_profile *p, dn_err *err)
{
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return dn_err_set(err, -EINVAL, "notice", "notice must be an object");
    json_object_foreach(obj, key, v) {
        char field[64];
        snprintf(field, sizeof field, "notice.%.40s", key);
        int rc = 0;
        if (strcmp(key, "required") == 0) {
            rc = json_bool_field(v, field, &p->notice_required, err);
        } else if (strcmp(key, "deemed_received_days") == 0) {
            rc = json_int_field(v, field, 0, 60, &p->notice_deemed_received_days, err);
        } else if (strcmp(key, "objection_days") == 0) {
            rc = json_int_field(v, field, 0, 120, &p->objection_days, err);
        } else if (strcmp(key, "reminders_before_notice") == 0) {
            rc = json_int_field(v, field, 0, 10, &p->reminders_before_notice, err);
        } else if (strcmp(key, "channels") == 0) {
            size_t i;
            json_t *e;
            if (!json_is_array(v))
                return dn_err_set(err, -EINVAL, field, "%s must be an array of channels", field);
            p->notice_channels = 0;
            json_array_foreach(v, i, e) {
                int ch = json_is_string(e) ? channel_index(json_string_value(e)) : -1;
                if (ch < 0)
                    return dn_err_set(err, -EINVAL, field, "%s[%zu] is not a channel", field, i);
                p->notice_channels |= 1u << ch;
            }
        } else {
            rc = dn_err_set(err, -EINVAL, field, "unknown member %s", field);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int load_zones(json_t *arr, dn_guard_profile *p, dn_err *err)
{
    size_t i;
    json_t *v;
    if (!json_is_array(arr) || json_array_size(arr) > DN_GUARD_ZONES)
        return dn_err_set(err, -EINVAL, "zones", "zones must be an array of at most %d names",
                          DN_GUARD_ZONES);
    p->n_zones = 0;
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v) || !tz_get(json_string_value(v), NULL))
            return dn_err_set(err, -EINVAL, "zones", "zones[%zu] is not a known time zone", i);
        dn_strlcpy(p->zones[p->n_zones++], json_string_value(v), DN_TZ_MAX);
    }
    return 0;
}

static int load_member(const char *key, json_t *v, dn_guard_profile *p, dn_err *err)
{
    static const struct { const char *name; size_t offset; int lo, hi; } ints[] = {
        { "call_attempts_per_debt_7d", offsetof(dn_guard_profile, call_attempts_per_debt_7d),
          0, 100 },
        { "call_attempts_per_customer_7d",
          offsetof(dn_guard_profile, call_attempts_per_customer_7d), 0, 1000 },
        { "conversation_cooldown_days", offsetof(dn_guard_profile, conversation_cooldown_days),
          0, 30 },
        { "contacts_per_week", offsetof(dn_guard_profile, contacts_per_week), 0, 1000 },
        { "min_spacing_minutes", offsetof(dn_guard_profile, min_spacing_minutes), 0, 10080 },
        { "defer_search_days", offsetof(dn_guard_profile, defer_search_days), 1, 60 },
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (strcmp(key, ints[i].name) == 0)
            return json_int_field(v, key, ints[i].lo, ints[i].hi,
                                  (int *)((char *)p + ints[i].offset), err);
    if (strcmp(key, "base") == 0)
        return 0;
    if (strcmp(key, "name") == 0) {
        if (!json_is_string(v) || !*json_string_value(v) ||
            !dn_strlcpy(p->name, json_string_value(v), sizeof p->name))
            return dn_err_set(err, -EINVAL, key, "name must be a string of 1 to %zu bytes",
                              sizeof p->name - 1);
        return 0;
    }
    if (strcmp(key, "country") == 0) {
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        if (!s || (s[0] && !location_country_known(s)))
            return dn_err_set(err, -EINVAL, key, "country must be \"\" (the customer's) or an "
                              "ISO 3166 country code such as LV, not \"%.20s\"", s ? s : "");
        dn_strlcpy(p->country, s, sizeof p->country);
        return 0;
    }
    if (strcmp(key, "holidays_forbidden") == 0)
        return json_bool_field(v, key, &p->holidays_forbidden, err);
    if (strcmp(key, "windows") == 0)
        return load_windows(v, p, err);
    if (strcmp(key, "channels") == 0)
        return load_channels(v, p, err);
    if (strcmp(key, "counted_outcomes") == 0)
        return load_outcomes(v, p, err);
    if (strcmp(key, "notice") == 0)
        return load_notice(v, p, err);
    if (strcmp(key, "zones") == 0)
        return load_zones(v, p, err);
    return dn_err_set(err, -EINVAL, key, "unknown profile member '%.60s'", key);
}

/* The figures the law fixes for a built-in profile's jurisdiction: a
 * configured profile built on it may be stricter, never looser
 * (docs/compliance.md, "law" in the table). */
static int check_law(const char *base, const dn_guard_profile *p, dn_err *err)
{
    static const char *const days[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
    if (strcmp(base, "US") == 0) {
        /* 12 CFR 1006.6(b)(1)(i): before 08:00 and after 21:00 are inconvenient */
        for (int wd = 0; wd < 7; wd++) {
            const dn_guard_window *w = &p->window[wd];
            char field[16];
            snprintf(field, sizeof field, "windows.%s", days[wd]);
            if (w->from < w->to && (w->from < HM(8, 0) || w->to > HM(21, 0)))
                return dn_err_set(err, -EINVAL, field, "%s: Regulation F forbids contact "
                                  "before 08:00 and after 21:00", field);
        }
        /* 1006.14(b)(2): 7 attempts in 7 days per debt; 7 days after a conversation */
        if (p->call_attempts_per_debt_7d < 1 || p->call_attempts_per_debt_7d > 7)
            return dn_err_set(err, -EINVAL, "call_attempts_per_debt_7d",
                              "Regulation F allows at most 7 call attempts per debt in 7 days");
        if (p->conversation_cooldown_days < 7)
            return dn_err_set(err, -EINVAL, "conversation_cooldown_days",
                              "Regulation F: no call about a debt for 7 days after a telephone "
                              "conversation about it");
        unsigned counted = DN_OUTCOME_NO_ANSWER | DN_OUTCOME_VOICEMAIL |
                           DN_OUTCOME_RINGLESS_VOICEMAIL | DN_OUTCOME_CONVERSATION |
                           DN_OUTCOME_PENDING;
        if ((p->counted_outcomes & counted) != counted)
            return dn_err_set(err, -EINVAL, "counted_outcomes",
                              "Regulation F counts unanswered, voicemail, ringless voicemail and "
                              "answered calls as attempts (and calls with no outcome yet)");
    } else if (strcmp(base, "LV") == 0) {
        /* Law on Extrajudicial Recovery of Debt: the written notice first,
         * deemed received on the 7th day, 21 days to object */
        if (!p->notice_required || !(p->notice_channels & (1u << DN_GCH_LETTER)))
            return dn_err_set(err, -EINVAL, "notice.required",
                              "Latvian law requires the written notice (a letter) before "
                              "collection");
        if (p->notice_deemed_received_days < 7 || p->objection_days < 21)
            return dn_err_set(err, -EINVAL, "notice.objection_days",
                              "Latvian law: the notice is received on the 7th day after posting "
                              "and the debtor has 21 days to object");
    }
    return 0;
}

int guard_profile_from_json(struct json_t *obj, dn_guard_profile **out, dn_err *err)
{
    int rc;
    dn_guard_profile *p = NULL;
    const char *key;
    json_t *v;
    *out = NULL;
    if (!json_is_object(obj)) {
        rc = dn_err_set(err, -EINVAL, "profile", "a guard profile must be a JSON object");
        goto fail;
    }
    json_t *base_v = json_object_get(obj, "base");
    const char *base_name = "default";
    if (base_v) {
        if (!json_is_string(base_v)) {
            rc = dn_err_set(err, -EINVAL, "base", "base must name a built-in profile");
            goto fail;
        }
        base_name = json_string_value(base_v);
    }
    const dn_guard_profile *base = guard_profile_builtin(base_name);
    if (!base) {
        rc = dn_err_set(err, -EINVAL, "base", "no built-in profile \"%.40s\" (LV, US, UK, EE, "
                        "default)", base_name);
        goto fail;
    }
    p = malloc(sizeof *p);
    if (!p) {
        rc = dn_err_set(err, -ENOMEM, "profile", "out of memory");
        goto fail;
    }
    *p = *base;
    json_object_foreach(obj, key, v) {
        rc = load_member(key, v, p, err);
        if (rc)
            goto fail;
    }
    /* the law of the base and of the country whose calendar it takes */
    rc = check_law(base_name, p, err);
    if (rc == 0 && p->country[0] && strcmp(p->country, base_name) != 0)
        rc = check_law(p->country, p, err);
    if (rc)
        goto fail;
    *out = p;
    return 0;
fail:
    free(p);
    return rc;
}

void guard_profile_free(dn_guard_profile *p)
{
    free(p);
}
