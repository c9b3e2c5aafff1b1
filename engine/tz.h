/*
 * tz.h — IANA time zones read from the system's tz database (TZif files
 * under /usr/share/zoneinfo, or $TZDIR), DST-correct, no fixed offsets.
 * Zones are loaded once and cached for the life of the process; the
 * returned pointer stays valid until tz_cache_clear().
 */
#ifndef DN_TZ_H
#define DN_TZ_H

#include "common.h"

typedef struct dn_tz dn_tz;

/* Finds (loading on first use) the zone by IANA name; NULL with -ENOENT in
 * err if unknown or malformed ("" and names with ".." are refused). */
const dn_tz *tz_get(const char *name, dn_err *err);
const char  *tz_name(const dn_tz *z);
/* The ISO 3166 code of the country the tz database's zone.tab places the
 * zone in ("US" for America/Detroit), "" for a zone it does not list (a
 * link such as US/Eastern, Etc/UTC). */
const char  *tz_country(const dn_tz *z);
/* Calls each(country, zone, arg) for every line of the tz database's
 * zone.tab (one zone per line with the country it is in). Returns 0, or
 * -ENOENT when the file cannot be read. */
int tz_each_zone_tab(void (*each)(const char *country, const char *zone, void *arg), void *arg);
/* UTC offset in seconds at instant t. */
int     tz_offset(const dn_tz *z, dn_time t);
/* Local calendar date and minute of day (0..1439) at instant t. */
dn_date tz_local_date(const dn_tz *z, dn_time t, int *minute_of_day);
/* The instant of local date `day` at local minute `minute`. A local time
 * skipped by a DST jump maps to the first valid instant after it; an
 * ambiguous one (repeated hour) to its first occurrence. */
dn_time tz_local_to_utc(const dn_tz *z, dn_date day, int minute);
/* Frees every zone: each pointer handed out becomes invalid, including
 * those location.c keeps, so only at exit (or in a test using no location). */
void    tz_cache_clear(void);

#endif
