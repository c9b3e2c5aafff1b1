/*
 * guard-internal.h — the layout of a jurisdiction profile, for guard.c, its
 * JSON loader and the tests that build variants of a profile. Everything
 * else treats dn_guard_profile as opaque (guard.h). docs/compliance.md
 * describes each field for operators.
 */
#ifndef DN_GUARD_INTERNAL_H
#define DN_GUARD_INTERNAL_H

#include "guard.h"

/* The channels the guard knows; decisions name them by their strings. */
typedef enum dn_guard_channel {
    DN_GCH_SMS, DN_GCH_EMAIL, DN_GCH_VOICE, DN_GCH_CHAT, DN_GCH_LETTER, DN_GCH_AGENT,
    DN_GCH_CRM,
    DN_GCH_COUNT
} dn_guard_channel;

/* Call outcomes, as bits of dn_guard_profile.counted_outcomes. PENDING is a
 * call with no outcome yet (planned, sending, in doubt). */
enum {
    DN_OUTCOME_PENDING            = 1 << 0,
    DN_OUTCOME_BUSY               = 1 << 1,
    DN_OUTCOME_NO_ANSWER          = 1 << 2,
    DN_OUTCOME_VOICEMAIL          = 1 << 3,
    DN_OUTCOME_RINGLESS_VOICEMAIL = 1 << 4,
    DN_OUTCOME_CONVERSATION       = 1 << 5,
    DN_OUTCOME_NOT_IN_SERVICE     = 1 << 6,
    DN_OUTCOME_OTHER              = 1 << 7,
};

#define DN_GUARD_ZONES 12

/* Local minutes of day [from, to); from >= to means no contact that day. */
typedef struct dn_guard_window {
    int from, to;
} dn_guard_window;

typedef struct dn_guard_channel_limits {
    int  per_day;             /* messages on this channel per local day; 0 = no limit */
    int  per_week;            /* per 7 consecutive local days; 0 = no limit */
    bool consent_required;    /* only with the customer's consent bit */
} dn_guard_channel_limits;

struct dn_guard_profile {
    char name[32];
    char country[3];                        /* holiday calendar; "" = the customer's */
    dn_guard_window window[7];              /* by weekday, 0 = Sunday */
    bool holidays_forbidden;
    int  call_attempts_per_debt_7d;         /* 0 = no limit */
    int  call_attempts_per_customer_7d;     /* harassment cap across debts; 0 = none */
    int  conversation_cooldown_days;        /* conversation day is day 1; 0 = none */
    unsigned counted_outcomes;              /* DN_OUTCOME_* that are attempts */
    dn_guard_channel_limits channel[DN_GCH_COUNT];
    int  contacts_per_week;                 /* all channels; 0 = no budget */
    int  min_spacing_minutes;               /* between any two contacts */
    bool notice_required;                   /* formal messages need the notice */
    unsigned notice_channels;               /* bits (1 << dn_guard_channel) */
    int  notice_deemed_received_days;       /* notice received this many days after posting */
    int  objection_days;                    /* from receipt; escalation waits */
    int  reminders_before_notice;           /* informative reminders allowed before it */
    int  defer_search_days;                 /* how far DEFER looks for a free slot */
    char zones[DN_GUARD_ZONES][DN_TZ_MAX];  /* the jurisdiction's zones (unknown customer zone) */
    int  n_zones;
};

#endif
