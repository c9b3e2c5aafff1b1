/*
 * location-internal.h — the data tables of location_data.c, for location.c
 * and its tests. Everything else asks location.h.
 */
#ifndef DN_LOCATION_INTERNAL_H
#define DN_LOCATION_INTERNAL_H

#include "location.h"

#include <stddef.h>
#include <stdint.h>

#define NANP_ZONE_NAMES    48   /* room in nanp_zone_names; index 0 is "none" */
#define NANP_AREA_ZONES    4
#define NANP_COUNTRY_ZONES 8

/* One NANP area code: the country it is in ("" = not a geographic area
 * code we know) and the zones it covers (indexes into nanp_zone_names,
 * 0 = none). */
typedef struct nanp_area {
    char    country[3];
    uint8_t zone[NANP_AREA_ZONES];
} nanp_area;

extern const nanp_area nanp_areas[1000];                /* by area code */
extern const char *const nanp_zone_names[NANP_ZONE_NAMES];
extern const uint8_t nanp_us_zones[NANP_COUNTRY_ZONES]; /* the US, one zone per local time */
extern const uint8_t nanp_ca_zones[NANP_COUNTRY_ZONES]; /* Canada, likewise */
/* Toll-free, personal-communication and other codes that name no place. */
bool nanp_non_geographic(int area_code);

/* One country calling code and the countries it serves (at most 4). */
typedef struct calling_code {
    uint16_t code;
    char     countries[4][3];
} calling_code;

extern const calling_code calling_codes[];              /* ascending by code */
extern const size_t n_calling_codes;

#endif
