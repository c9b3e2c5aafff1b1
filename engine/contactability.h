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
 *   {"profile", "zones": [..], "from", "to",
 *    "channels": {"sms": {"now": {"verdict", "code", "reason", "next_allowed"},
 *                         "windows": [{"from", "to"}],
 *                         "blocks": [{"from", "to", "code", "reason"}]}, ...}}
 * Returns 0, -EINVAL for days out of range, -ENOMEM. */
int contactability_json(const dn_guard_profile *p, const dn_facts *f, dn_time now, int days,
                        json_t **out, dn_err *err);

#endif
