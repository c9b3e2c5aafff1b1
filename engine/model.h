/*
 * model.h — the domain types shared by the store, the rules runtime, the
 * guard, the pass and the API. Types only; no functions (see store.h,
 * rules.h, guard.h). All strings are NUL-terminated UTF-8 in fixed buffers
 * so a batch of facts is one allocation; money is integer minor units of an
 * ISO 4217 currency and amounts of different currencies are never added.
 */
#ifndef DN_MODEL_H
#define DN_MODEL_H

#include "common.h"

#define DN_ID_MAX       64    /* external ids */
/* The largest amount one invoice or payment may carry, in minor units
 * (10^15: ten trillion euros). Sums of any realistic number of them stay far
 * from INT64_MAX; balances are still added with overflow checks. */
#define DN_AMOUNT_MAX   INT64_C(1000000000000000)
#define DN_NAME_MAX     256
#define DN_ADDR_MAX     256   /* an e-mail address, phone or chat handle */
#define DN_TZ_MAX       64
#define DN_LANG_MAX     8
#define DN_TOKEN_MAX    48    /* channel, template, tone, segment, persona */
#define DN_REASON_MAX   320
#define DN_VERSION_MAX  20    /* rule set version: 16 hex digits of its hash */

/* ---- invoices ---- */
typedef enum dn_invoice_status {
    DN_INV_DRAFT, DN_INV_OPEN, DN_INV_DISPUTED, DN_INV_ON_HOLD,
    DN_INV_PAID, DN_INV_CREDITED, DN_INV_WRITTEN_OFF,
    DN_INV_STATUS_COUNT
} dn_invoice_status;
/* API/storage spelling: "draft", "open", "disputed", "on_hold", "paid",
 * "credited", "written_off". */
extern const char *const dn_invoice_status_names[DN_INV_STATUS_COUNT];
int dn_invoice_status_parse(const char *s, dn_invoice_status *out);

/* True when s (NUL-terminated) is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF. The store rejects other text. */
bool dn_utf8_valid(const char *s);

/* Why s cannot be an external id (customer, invoice, payment), or NULL when
 * it can: it must be non-empty, valid UTF-8 without control characters
 * (C0, DEL, C1) and must not start or end with white space (ASCII space,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000,
 * U+FEFF), so " C1 " is never a second customer "C1". The reason is a
 * phrase to follow the field name ("must not start or end with white
 * space"). */
const char *dn_external_id_problem(const char *s);

/* ---- customer holds (bit set) ---- */
enum {
    DN_HOLD_DISPUTE       = 1 << 0,  /* customer-level dispute */
    DN_HOLD_BANKRUPTCY    = 1 << 1,
    DN_HOLD_DECEASED      = 1 << 2,
    DN_HOLD_CEASE_CONTACT = 1 << 3,
    DN_HOLD_VULNERABLE    = 1 << 4,  /* agent contact only, gentle tone */
    DN_HOLD_PAUSE         = 1 << 5,  /* manual pause until hold_until */
    DN_HOLD_BREATHING     = 1 << 6,  /* breathing space until hold_until */
};

enum { DN_OPTOUT_SMS = 1, DN_OPTOUT_EMAIL = 2, DN_OPTOUT_VOICE = 4, DN_OPTOUT_CHAT = 8 };

/* A customer-set time when nobody may contact them, in their local time:
 * minutes [from, to) on the weekdays in `weekdays` (bit 0 = Sunday .. bit
 * 6 = Saturday), for the channels in `channels` (DN_OPTOUT_* bits; voice
 * covers agent calls; 0 = every channel). "No calls before 14:00" is
 * { 0x7f, 0, 840, DN_OPTOUT_VOICE }. */
typedef struct dn_blackout {
    unsigned weekdays;
    int      from, to;
    unsigned channels;
} dn_blackout;
#define DN_CUSTOMER_BLACKOUTS 4

/* The text form of a blackout, as the API, the importer and the store
 * spell it: "<days> <HH:MM>-<HH:MM>[ <channels>]". <days> is a comma list
 * of weekday names (mon..sun) or ranges ("mon-fri"), or "all"; the end
 * may be "24:00"; <channels> is a comma list of sms, email, voice, chat
 * (voice covers agent calls), or "all" (the default). Examples:
 * "mon-fri 15:00-17:00", "sat,sun 00:00-24:00", "all 00:00-14:00 voice". */
#define DN_BLACKOUT_TEXT_MAX 80
/* Parses one blackout; -EINVAL (out untouched) for anything malformed,
 * including an empty day set or from >= to. */
int  dn_blackout_parse(const char *s, dn_blackout *out);
/* Writes the canonical text form (days mon..sun, ranges not folded). */
void dn_blackout_format(const dn_blackout *b, char out[DN_BLACKOUT_TEXT_MAX]);

/* A customer as the API and the importer write it. */
typedef struct dn_customer {
    int64_t id;                       /* store id; 0 before insert */
    char    external_id[DN_ID_MAX];
    char    name[DN_NAME_MAX];
    char    language[DN_LANG_MAX];    /* "lv", "ru", "en", ... */
    char    timezone[DN_TZ_MAX];      /* IANA zone, "" if unknown */
    char    country[3];               /* ISO 3166 alpha-2 */
    char    email[DN_ADDR_MAX];       /* "" if none */
    char    phone[32];                /* E.164 "+371...", "" if none */
    char    chat[DN_ADDR_MAX];        /* chat handle, "" if none */
    int     age;                      /* years, 0 if unknown */
    unsigned holds;                   /* DN_HOLD_* */
    dn_date hold_until;               /* for PAUSE/BREATHING, else DN_NO_DATE */
    unsigned opt_out;                 /* bit per channel: 1 sms, 2 email, 4 voice, 8 chat */
    /* guard inputs (bits as DN_OPTOUT_*; zero = none) */
    unsigned opt_out_confirmed;       /* channels whose opt-out confirmation went out */
    unsigned third_party;             /* channels whose contact point is not the debtor's
                                         (a relative's phone, a shared e-mail) */
    unsigned consent;                 /* channels the customer consented to */
    unsigned undeliverable;           /* channels whose current address failed for good
                                         (a hard bounce); the pass treats it as missing.
                                         Cleared when that address changes (json_codec.h) */
    dn_blackout blackout[DN_CUSTOMER_BLACKOUTS];  /* customer-set "never then" */
    int     n_blackout;
} dn_customer;

typedef struct dn_invoice {
    int64_t id;
    char    external_id[DN_ID_MAX];
    char    customer_external_id[DN_ID_MAX];
    char    currency[4];
    int64_t amount_minor;             /* > 0 */
    int64_t paid_minor;               /* allocated payments + credits, 0..amount */
    dn_date issued;                   /* DN_NO_DATE if unknown */
    dn_date due;                      /* DN_NO_DATE if none */
    dn_invoice_status status;
} dn_invoice;

typedef struct dn_payment {
    int64_t id;
    char    external_id[DN_ID_MAX];
    char    customer_external_id[DN_ID_MAX];
    char    invoice_external_id[DN_ID_MAX]; /* "" = allocate oldest due first */
    char    currency[4];
    int64_t amount_minor;             /* > 0 */
    dn_date paid_on;
    bool    is_credit_note;           /* a credit note reduces like a payment */
} dn_payment;

/* ---- facts: what the rules and the guard see of one customer ---- */
#define DN_FACT_INVOICES  16   /* the oldest unpaid ones */
#define DN_FACT_CONTACTS  64   /* most recent first, last 35 days */
#define DN_FACT_BALANCES  4

typedef struct dn_fact_invoice {
    char    external_id[DN_ID_MAX];
    char    currency[4];
    int64_t amount_minor, paid_minor;
    dn_date issued, due;
    dn_invoice_status status;
} dn_fact_invoice;

/* What a contact is for, as the guard's notice and opt-out rules see it. */
typedef enum dn_purpose {
    DN_PURPOSE_REMINDER,       /* an informative reminder (the default) */
    DN_PURPOSE_NOTICE,         /* the formal written notice itself (LV: a letter) */
    DN_PURPOSE_FORMAL,         /* a formal collection message; needs the notice first */
    DN_PURPOSE_ESCALATION,     /* a step past the notice stage; waits out the objection period */
    DN_PURPOSE_OPTOUT_CONFIRM, /* the one confirmation after an opt-out */
    DN_PURPOSE_PREVENTION,     /* before the due date: not about a late payment */
    DN_PURPOSE_COUNT
} dn_purpose;
/* Rules and storage spelling: "reminder", "notice", "formal", "escalation",
 * "optout_confirm", "prevention". */
extern const char *const dn_purpose_names[DN_PURPOSE_COUNT];
int dn_purpose_parse(const char *s, dn_purpose *out);

typedef struct dn_fact_contact {
    int64_t id;
    dn_time at;                       /* when it was handed to its channel; the planned
                                         time while not sent yet */
    char    channel[16];
    char    state[16];                /* planned, sending, sent, delivered, failed,
                                         answered, replied, cancelled, in_doubt */
    char    outcome[24];              /* call outcome: busy, no_answer, voicemail,
                                         conversation, not_in_service, "" */
    char    template_name[DN_TOKEN_MAX];
    int     step_day;
    int64_t case_id;
    char    debt_ref[DN_ID_MAX];      /* the debt (account) it was about; "" = the whole balance */
    dn_purpose purpose;
} dn_fact_contact;

typedef struct dn_facts {
    dn_customer customer;
    char    persona[16];              /* "" until classified */
    /* balances of unpaid, remindable invoices, one per currency */
    struct { char currency[4]; int64_t amount_minor; } balance[DN_FACT_BALANCES];
    int     n_balance;
    dn_fact_invoice invoices[DN_FACT_INVOICES];
    int     n_invoices;
    /* case: one episode of owing overdue money; case_id 0 if none open */
    int64_t case_id;
    dn_date case_anchor_due;          /* due date the stage counts from */
    int     stage_day;                /* last ladder day done in the case; INT32_MIN if none */
    /* promises and replies */
    int     promises_kept, promises_broken;
    bool    promise_pending;
    dn_date promise_due;              /* DN_NO_DATE if none pending */
    int     replies;                  /* inbound replies in the last 90 days */
    int     disputes;                 /* disputes ever raised */
    /* payment habits */
    int     payments_count;
    int     avg_days_late;            /* over paid invoices with a due date */
    dn_fact_contact contacts[DN_FACT_CONTACTS];
    int     n_contacts;
    /* formal written notice (LV) */
    bool    notice_posted;            /* false: no notice sent in this case */
    dn_date notice_posted_on;         /* posting date when notice_posted */
    dn_time notice_posted_at;         /* the instant it was posted, 0 if unknown; the guard
                                         counts the legal periods from its local date in the
                                         customer's zone (else from notice_posted_on) */
    bool    debt_acknowledged;        /* debtor agreed to the debt: no objection wait */
    /* informative reminders of the open case however old (contacts[] holds
     * only the last weeks): every one not cancelled (nor failed with no
     * outcome), including a contact being re-checked before sending, which
     * the re-checker subtracts */
    int     case_reminders;
} dn_facts;

/* ---- decisions ---- */
typedef enum dn_action {
    DN_ACT_NONE,      /* nothing owed / nothing to do */
    DN_ACT_WAIT,      /* owed, but not now (the rule said wait) */
    DN_ACT_CONTACT,   /* plan a contact */
    DN_ACT_SKIP,      /* could not contact (no address, hold, guard refusal) */
    DN_ACT_ERROR,     /* the rule failed for this customer */
} dn_action;
extern const char *const dn_action_names[];

typedef struct dn_decision {
    dn_action action;
    char    ruleset_version[DN_VERSION_MAX];
    char    segment[DN_TOKEN_MAX];
    char    persona[16];
    int     step_day;                 /* ladder day; meaningful for CONTACT */
    int     step_index;               /* 1-based position in the ladder, 0 if none */
    char    channel[16];              /* sms, email, voice, chat, letter, crm, agent */
    char    fallback[4][16];
    int     n_fallback;
    char    template_name[DN_TOKEN_MAX];
    char    tone[16];                 /* friendly, neutral, firm, urgent, gentle */
    char    voice[32];
    char    language[DN_LANG_MAX];
    int     hours_from, hours_to;     /* preferred local minutes of day; -1 if unset */
    bool    transliterate;            /* SMS: fold to GSM-7 */
    int     wait_days;                /* WAIT: whole days until the next step can fire
                                         (0 = unknown: look again tomorrow) */
    char    where[128];               /* file:line of the step or decide() */
    char    reason[DN_REASON_MAX];    /* why, for a person */
    char    debt_ref[DN_ID_MAX];      /* the debt it is about; "" = the whole balance */
    dn_purpose purpose;
    int64_t contact_id;               /* the outbox row being re-checked; 0 when planning
                                         (the guard never counts it against itself) */
} dn_decision;

#endif
