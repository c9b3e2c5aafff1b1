/*
 * guard.h — the compliance guard. Pure C, no rule can override it. It is
 * asked twice: when a decision becomes a planned contact, and right before
 * the contact is sent. Its verdict is stored with the decision/contact.
 *
 * Counting is done from the facts' contact history (all instances write the
 * same store), the way the profile's law counts: per debt or per customer,
 * attempts vs conversations, which outcomes count.
 */
#ifndef DN_GUARD_H
#define DN_GUARD_H

#include "model.h"

typedef enum dn_verdict_kind { DN_GUARD_ALLOW, DN_GUARD_DEFER, DN_GUARD_REFUSE } dn_verdict_kind;

typedef struct dn_verdict {
    dn_verdict_kind kind;
    dn_time defer_until;          /* for DEFER: the earliest allowed time */
    char    code[32];             /* machine code: quiet_hours, holiday, cap_calls_7d, hold_dispute, opted_out,
                                     nothing_owed, ... (docs/compliance.md) */
    char    reason[200];          /* for a person */
    const char *zone;             /* for a time-of-day code (quiet_hours, weekend, holiday,
                                     blackout): the candidate zone whose local time blocks
                                     (borrowed from the tz cache); NULL otherwise */
    int     unsent;               /* for a cap or spacing code: how many of the contacts
                                     behind it are planned but not sent yet (0: all made) */
} dn_verdict;

typedef struct dn_guard_profile dn_guard_profile;   /* see guard.c; loaded from config */

/* The built-in profile for a jurisdiction ("LV", "US", "UK", "EE", "default"), or NULL. */
const dn_guard_profile *guard_profile_builtin(const char *country);

/* A profile from configuration: a JSON object whose optional "base" names
 * the built-in profile it starts from (default "default") and whose other
 * members override single fields (docs/compliance.md lists them). Unknown
 * members and out-of-range values are errors naming the member. On success
 * *out is a new profile the caller frees with guard_profile_free. */
struct json_t;
int guard_profile_from_json(struct json_t *obj, dn_guard_profile **out, dn_err *err);
void guard_profile_free(dn_guard_profile *p);

/* The verdict for contacting f->customer through d->channel at `at`.
 * Never allocates and reads no file after a zone's first use. Holds,
 * opt-outs and other "not at all" reasons REFUSE; time of day, holidays,
 * blackouts and frequency caps DEFER to the earliest instant that passes
 * every check (searched up to the profile's defer_search_days), or REFUSE
 * with the blocking code when there is none. d->contact_id is never
 * counted against itself. */
void guard_check(const dn_guard_profile *p, const dn_facts *f, const dn_decision *d,
                 dn_time at, dn_verdict *out);

/* The zones whose local time counts for customer c under p, in the
 * guard's order (the first one counts the local days), each with the
 * signals that point at it: every zone the customer's time zone, country
 * and phone number point at (location.h), else the profile's zones
 * (source DN_LOC_PROFILE). out->n is 0 when nothing is known. */
struct dn_location;
void guard_candidate_zones(const dn_guard_profile *p, const dn_customer *c,
                           struct dn_location *out);
/* The profile's name ("LV", "US", ...). */
const char *guard_profile_name(const dn_guard_profile *p);
/* The country whose holidays the profile forbids contact on ("" = the
 * customer's own), or NULL when it allows contact on holidays. */
const char *guard_profile_holiday_country(const dn_guard_profile *p);

extern const char *const dn_verdict_names[];   /* "allow", "defer", "refuse" */

#endif
