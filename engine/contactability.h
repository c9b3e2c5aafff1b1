/*
 * contactability.h — when may we contact one customer, per channel, over
 * the next days: the windows in which the compliance guard would allow one
 * contact, and every stretch in which it would not, with the guard's
 * reason code. GET /v1/customers/{id}/contactability answers with it.
 */
#ifndef DN_CONTACTABILITY_H
#define DN_CONTACTABILITY_H

#include <jansson.h>

#include "guard.h"

#define DN_CONTACTABILITY_DAYS_MAX 31

/* Asks the guard about one informative reminder (purpose "reminder", tone
 * "gentle", the whole balance) on each channel (sms, email, voice, chat,
 * letter, agent) from `now` for `days` days (1..DN_CONTACTABILITY_DAYS_MAX),
 * as if nothing else were sent meanwhile. Windows and blocks are half-open
 * [from, to) RFC 3339 UTC instants at whole minutes (but `now`); each block
 * carries the guard's first reason at its start, and adjacent minutes with
 * the same code make one block. On success *out is a new object:
 *   {"profile", "zones": [..], "zone_signals": {"<zone>": ["timezone", ...]},
 *    "unsent": [{"id", "channel", "at", "state"}], "from", "to",
 *    "channels": {"sms": {"now": {"verdict", "code", "reason", "next_allowed"},
 *                         "windows": [{"from", "to", "opened_by", "closed_by"}],
 *                         "blocks": [{"from", "to", "code", "reason", "zone",
 *                                     "unsent"}]}, ...}}
 * zones are every zone the customer may be in (guard_candidate_zones);
 * unsent lists the contacts counted although not sent yet; a block's zone
 * is the one whose local time blocks (time-of-day codes), its unsent how
 * many of the contacts behind a cap are not sent yet (left out when 0); a
 * window's opened_by / closed_by name the zones of the blocks around it.
 * Returns 0, -EINVAL for days out of range, -ENOMEM. */
int contactability_json(const dn_guard_profile *p, const dn_facts *f, dn_time now, int days,
                        json_t **out, dn_err *err);

#endif
