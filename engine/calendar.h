/*
 * calendar.h — public holidays per country, for the guard's "no contact on
 * holidays" rule. Built-in: LV (Latvia), EE (Estonia), UK (England & Wales
 * bank holidays, "GB" accepted as an alias) and US (federal holidays with
 * their observed days). One-off days (a holiday declared by government, a
 * moved bank holiday) come from configuration through calendar_add_holiday.
 *
 * Lookups are cheap (a per-thread cache of one year per country) and never
 * allocate. Adding or clearing one-off days is a configuration-time act: it
 * must not run concurrently with lookups.
 */
#ifndef DN_CALENDAR_H
#define DN_CALENDAR_H

#include "common.h"

#define DN_HOLIDAY_NAME_MAX 48

/* True when `day` is a public holiday (or an observed/substitute day) in
 * `country`; *name (if name is not NULL) then points at a static English
 * name, or at the configured name for an added day. An unknown country has
 * no holidays except the ones added for it. */
bool calendar_is_holiday(const char *country, dn_date day, const char **name);

/* True when the country's holidays are computed here (LV, EE, UK/GB, US);
 * any other country has only the one-off days added for it. */
bool calendar_builtin(const char *country);

/* Adds a one-off holiday. Returns 0, -EINVAL for a bad country (not two
 * capital letters), empty name or DN_NO_DATE, -EEXIST if that day is already
 * added for that country, or -ENOMEM. The name is copied (cut to
 * DN_HOLIDAY_NAME_MAX - 1 bytes). */
int calendar_add_holiday(const char *country, dn_date day, const char *name);

/* Forgets every added day (before a configuration reload, and in tests). */
void calendar_clear_added(void);

#endif
