/*
 * location.h — where a customer may be, as time zones: what each location
 * signal says (the stored time zone, the country, the phone number's
 * country calling code and, inside the North American Numbering Plan, its
 * area code) and how the signals combine. The guard allows only times that
 * are convenient in every zone of the result (Regulation F, 12 CFR
 * 1006.6(b)(1)(i) and its official interpretation: where the information
 * about a consumer's location conflicts or is ambiguous, the time must be
 * convenient in every location it points at).
 *
 * How signals combine: each signal is a set of possible zones (a country
 * stands for all of its zones). When the signals agree (their sets
 * overlap), the customer is where they agree; when they conflict, every
 * largest group of signals that agrees contributes the zones it agrees on.
 * So a New York zone with a +1 212 phone is New York; a Chicago zone with a
 * +1 212 phone is Chicago and New York; a Riga zone with a +1 212 phone is
 * Riga and New York (no hour is convenient in both: the guard refuses).
 *
 * Country facts come from the tz database (zone.tab: each zone's country;
 * iso3166.tab: the country codes), calling codes and area codes from
 * location_data.c (its sources are named there). Everything is read once
 * and kept for the life of the process; lookups never allocate.
 */
#ifndef DN_LOCATION_H
#define DN_LOCATION_H

#include "tz.h"

/* At most this many candidate zones; a customer whose signals point at
 * more (a Russian calling code and a US country) is marked overflow. */
#define DN_LOCATION_ZONES 48

/* Which signals point at a zone (bits). */
enum {
    DN_LOC_TIMEZONE = 1 << 0,     /* the customer's stored time zone */
    DN_LOC_COUNTRY  = 1 << 1,     /* the customer's country */
    DN_LOC_PHONE    = 1 << 2,     /* the phone number (calling code, NANP area code) */
    DN_LOC_PROFILE  = 1 << 3,     /* nothing known: the guard profile's jurisdiction */
};

typedef struct dn_location {
    const dn_tz *zone[DN_LOCATION_ZONES];
    unsigned     source[DN_LOCATION_ZONES];   /* DN_LOC_* bits per zone */
    int          n;
    bool         conflict;        /* the signals disagree; zone[] is the union */
    bool         overflow;        /* more than DN_LOCATION_ZONES zones: incomplete */
} dn_location;

/* The zones a customer may be in, from every known signal: timezone (an
 * IANA name; "" or a name the tz database lacks says nothing), country
 * (ISO 3166 alpha-2, "UK" for GB; one without zones in zone.tab says
 * nothing) and phone (E.164 "+..."; anything else, a calling code with no
 * place such as +800, or a non-geographic NANP code such as toll-free 800
 * says nothing). The stored zone comes first when it is among the result.
 * out->n is 0 when nothing is known. */
void location_of_customer(const char *timezone, const char *country, const char *phone,
                          dn_location *out);

/* True for an ISO 3166-1 alpha-2 country code of the tz database's
 * iso3166.tab (and "UK", this project's alias of GB). */
bool location_country_known(const char *code);

/* The names of the DN_LOC_* bits in `source`, comma-separated
 * ("timezone,phone"), into out (always NUL-terminated). */
void location_source_names(unsigned source, char *out, size_t size);

#endif
