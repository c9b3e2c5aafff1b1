/*
 * test_location.c — the zones a customer may be in (engine/location.c).
 *
 * 1. Phone numbers alone, one row per case, the zones written by hand from
 *    the sources: the US time zone boundaries of 49 CFR Part 71 (Florida
 *    west of the Apalachicola River, western Kentucky and Tennessee, the
 *    Michigan counties bordering Wisconsin, south-western Indiana, the
 *    western parts of the Dakotas, Nebraska and Kansas, the Idaho
 *    panhandle, Malheur County in Oregon, El Paso), Arizona's year-round
 *    standard time with the Navajo Nation's daylight saving time, the
 *    Aleutians west of 169°30′ W, the Canadian provinces' time acts
 *    (Saskatchewan with Lloydminster and Creighton, British Columbia's East
 *    Kootenay and Peace River, Labrador, the Magdalen Islands, north-western
 *    Ontario, Yukon, Nunavut) and the ITU-T E.164 list of calling codes.
 *    Country zones are the tz database's zone.tab lines for the country.
 * 2. Signals together (Regulation F: convenient in every possible
 *    location): where they agree the customer is where they agree; where
 *    they conflict, every zone a disagreeing signal points at counts.
 * 3. Country codes known to the tz database's iso3166.tab.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "location-internal.h"

#define MAX_WANT 34

typedef struct location_row {
    const char *name;
    const char *timezone, *country, *phone;
    const char *want[MAX_WANT];     /* the zones, any order; NULL-terminated */
    bool conflict;
} location_row;

#define NY "America/New_York"
#define CHI "America/Chicago"
#define DEN "America/Denver"
#define PHX "America/Phoenix"
#define LA "America/Los_Angeles"
#define ANC "America/Anchorage"
#define ADAK "America/Adak"
#define HNL "Pacific/Honolulu"
#define US_ALL NY, CHI, DEN, PHX, LA, ANC, ADAK, HNL
#define CA_ALL "America/St_Johns", "America/Halifax", "America/Toronto", "America/Winnipeg", \
               "America/Regina", "America/Edmonton", "America/Vancouver", "America/Whitehorse"
#define UK_ALL "Europe/London", "Europe/Guernsey", "Europe/Isle_of_Man", "Europe/Jersey"

static const location_row rows[] = {
    /* 1. phone numbers */
    { "212 Manhattan", "", "", "+12125550100", { NY }, false },
    { "850 Florida panhandle: Eastern and Central", "", "", "+18505550100", { NY, CHI }, false },
    { "448 overlays 850", "", "", "+14485550100", { NY, CHI }, false },
    { "305 Miami", "", "", "+13055550100", { NY }, false },
    { "270 Kentucky: Central, and Eastern around Elizabethtown", "", "", "+12705550100",
      { CHI, NY }, false },
    { "502 Louisville", "", "", "+15025550100", { NY }, false },
    { "423 East Tennessee, with Central counties", "", "", "+14235550100", { NY, CHI }, false },
    { "615 Nashville", "", "", "+16155550100", { CHI }, false },
    { "906 Upper Peninsula: four counties on Central", "", "", "+19065550100", { NY, CHI }, false },
    { "313 Detroit", "", "", "+13135550100", { NY }, false },
    { "812 south-western Indiana: Evansville Central", "", "", "+18125550100", { NY, CHI }, false },
    { "317 Indianapolis", "", "", "+13175550100", { NY }, false },
    { "701 North Dakota: the south-west on Mountain", "", "", "+17015550100", { CHI, DEN }, false },
    { "605 South Dakota: west river on Mountain", "", "", "+16055550100", { CHI, DEN }, false },
    { "308 western Nebraska", "", "", "+13085550100", { CHI, DEN }, false },
    { "785 Kansas: Sherman and Wallace counties on Mountain", "", "", "+17855550100",
      { CHI, DEN }, false },
    { "316 Wichita", "", "", "+13165550100", { CHI }, false },
    { "915 El Paso: Mountain", "", "", "+19155550100", { DEN }, false },
    { "214 Dallas", "", "", "+12145550100", { CHI }, false },
    { "208 Idaho: the panhandle on Pacific", "", "", "+12085550100", { DEN, LA }, false },
    { "541 Oregon: Malheur County on Mountain", "", "", "+15415550100", { LA, DEN }, false },
    { "503 Portland", "", "", "+15035550100", { LA }, false },
    { "602 Phoenix: standard time all year", "", "", "+16025550100", { PHX }, false },
    { "928 northern Arizona: the Navajo Nation keeps DST", "", "", "+19285550100",
      { PHX, DEN }, false },
    { "907 Alaska and the western Aleutians", "", "", "+19075550100", { ANC, ADAK }, false },
    { "808 Hawaii", "", "", "+18085550100", { HNL }, false },
    { "213 Los Angeles", "", "", "+12135550100", { LA }, false },
    { "416 Toronto", "", "", "+14165550100", { "America/Toronto" }, false },
    { "807 north-western Ontario: Eastern and Central", "", "", "+18075550100",
      { "America/Toronto", "America/Winnipeg" }, false },
    { "418 eastern Quebec and the Magdalen Islands", "", "", "+14185550100",
      { "America/Toronto", "America/Halifax" }, false },
    { "204 Manitoba", "", "", "+12045550100", { "America/Winnipeg" }, false },
    { "306 Saskatchewan, Lloydminster and Creighton", "", "", "+13065550100",
      { "America/Regina", "America/Edmonton", "America/Winnipeg" }, false },
    { "403 Alberta", "", "", "+14035550100", { "America/Edmonton" }, false },
    { "604 Vancouver", "", "", "+16045550100", { "America/Vancouver" }, false },
    { "250 British Columbia: East Kootenay, Peace River", "", "", "+12505550100",
      { "America/Vancouver", "America/Edmonton", "America/Dawson_Creek" }, false },
    { "902 Nova Scotia and Prince Edward Island", "", "", "+19025550100",
      { "America/Halifax" }, false },
    { "709 Newfoundland and Labrador", "", "", "+17095550100",
      { "America/St_Johns", "America/Halifax" }, false },
    { "867 Yukon, Northwest Territories, Nunavut", "", "", "+18675550100",
      { "America/Whitehorse", "America/Edmonton", "America/Winnipeg", "America/Toronto" }, false },
    { "787 Puerto Rico", "", "", "+17875550100", { "America/Puerto_Rico" }, false },
    { "671 Guam", "", "", "+16715550100", { "Pacific/Guam" }, false },
    { "876 Jamaica", "", "", "+18765550100", { "America/Jamaica" }, false },
    { "toll-free 800 names no place", "", "", "+18005550100", { NULL }, false },
    { "personal communications 500 names no place", "", "", "+15005550100", { NULL }, false },
    { "an area code not in the table: anywhere in the US or Canada", "", "",
      "+19995550100", { US_ALL, CA_ALL }, false },
    { "a NANP number too short says nothing", "", "", "+1212555", { NULL }, false },
    { "+371 Latvia", "", "", "+37120000001", { "Europe/Riga" }, false },
    { "+372 Estonia", "", "", "+3725000000", { "Europe/Tallinn" }, false },
    { "+44 the UK and the Crown Dependencies", "", "", "+447700900000", { UK_ALL }, false },
    { "+49 Germany", "", "", "+4930123456", { "Europe/Berlin", "Europe/Busingen" }, false },
    { "+358 Finland and Åland", "", "", "+358401234567",
      { "Europe/Helsinki", "Europe/Mariehamn" }, false },
    { "+800 international freephone names no place", "", "", "+80012345678", { NULL }, false },
    { "no leading +: national format, says nothing", "", "", "37120000001", { NULL }, false },
    { "no phone", "", "", "", { NULL }, false },
    /* 2. signals together */
    { "zone and area code agree", NY, "US", "+12125550100", { NY }, false },
    { "Chicago zone, New York mobile: both", CHI, "US", "+12125550100", { CHI, NY }, true },
    { "Chicago zone, 850 phone (Eastern or Central): Chicago", CHI, "US", "+18505550100",
      { CHI }, false },
    { "Riga zone, New York phone", "Europe/Riga", "LV", "+12125550100",
      { "Europe/Riga", NY }, true },
    { "Riga zone, Latvian phone", "Europe/Riga", "LV", "+37120000001", { "Europe/Riga" }, false },
    { "Riga zone, British phone", "Europe/Riga", "LV", "+447700900000",
      { "Europe/Riga", UK_ALL }, true },
    { "zone.tab puts Detroit in the US", "America/Detroit", "US", "", { "America/Detroit" }, false },
    { "a zone in another country than the customer's", "Europe/Riga", "US", "",
      { "Europe/Riga", US_ALL }, true },
    { "a link zone.tab does not list: conservative", "US/Eastern", "US", "",
      { "US/Eastern", US_ALL }, true },
    { "a zone the database lacks says nothing", "Mars/Olympus_Mons", "LV", "",
      { "Europe/Riga" }, false },
    { "country only: every zone of it", "", "US", "", { US_ALL }, false },
    { "Canada", "", "CA", "", { CA_ALL }, false },
    { "UK is GB", "", "UK", "", { "Europe/London" }, false },
    { "a country zone.tab lacks says nothing", "", "XX", "", { NULL }, false },
    { "country and area code agree", "", "US", "+12125550100", { NY }, false },
    { "country and an unknown area code agree on the US", "", "US", "+19995550100",
      { US_ALL }, false },
    { "Latvian customer, unknown NANP area code", "", "LV", "+19995550100",
      { "Europe/Riga", US_ALL, CA_ALL }, true },
    { "toll-free phone beside a zone: the zone", NY, "US", "+18005550100", { NY }, false },
};

static void test_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const location_row *r = &rows[i];
        dn_location loc;
        location_of_customer(r->timezone, r->country, r->phone, &loc);
        int want = 0;
        while (want < MAX_WANT && r->want[want])
            want++;
        bool same = loc.n == want && !loc.overflow;
        for (int w = 0; same && w < want; w++) {
            bool found = false;
            for (int g = 0; g < loc.n; g++)
                found |= strcmp(tz_name(loc.zone[g]), r->want[w]) == 0;
            same = found;
        }
        if (!same || loc.conflict != r->conflict) {
            char got[1024] = "";
            for (int g = 0; g < loc.n; g++)
                snprintf(got + strlen(got), sizeof got - strlen(got), " %s",
                         tz_name(loc.zone[g]));
            fail_msg("row %zu \"%s\": got%s (conflict %d), want %d zones (conflict %d)", i,
                     r->name, got, loc.conflict, want, r->conflict);
        }
        /* the stored zone is first: the guard counts local days in it */
        if (r->timezone[0] && want && strcmp(r->timezone, "Mars/Olympus_Mons") != 0)
            assert_string_equal(tz_name(loc.zone[0]), r->timezone);
    }
}

/* Which signal points where: contactability shows it. */
static void test_sources(void **state)
{
    (void)state;
    dn_location loc;
    location_of_customer(CHI, "US", "+12125550100", &loc);
    assert_int_equal(loc.n, 2);
    char names[64];
    location_source_names(loc.source[0], names, sizeof names);
    assert_string_equal(names, "timezone,country");
    location_source_names(loc.source[1], names, sizeof names);
    assert_string_equal(names, "country,phone");
    location_source_names(DN_LOC_PROFILE, names, sizeof names);
    assert_string_equal(names, "profile");
    /* a Tokyo zone, a Russian or Kazakh phone (33 zones) and a Brazilian
     * country (16) point at more zones than a verdict checks */
    location_of_customer("Asia/Tokyo", "BR", "+79161234567", &loc);
    assert_true(loc.overflow);
    assert_int_equal(loc.n, DN_LOCATION_ZONES);
}

/* Every zone the tables name is in the tz database. */
static void test_tables_load(void **state)
{
    (void)state;
    int areas = 0;
    for (int code = 0; code < 1000; code++) {
        const nanp_area *a = &nanp_areas[code];
        if (!a->country[0])
            continue;
        areas++;
        assert_true(code >= 200);
        assert_false(nanp_non_geographic(code));
        for (int z = 0; z < NANP_AREA_ZONES && a->zone[z]; z++)
            if (!tz_get(nanp_zone_names[a->zone[z]], NULL))
                fail_msg("area code %d: zone %s unknown", code, nanp_zone_names[a->zone[z]]);
    }
    assert_true(areas > 440);
    for (size_t i = 1; i < n_calling_codes; i++)
        assert_true(calling_codes[i - 1].code < calling_codes[i].code);
}

typedef struct country_row {
    const char *code;
    bool known;
} country_row;

static const country_row country_rows[] = {
    { "LV", true }, { "US", true }, { "GB", true }, { "UK", true }, { "DE", true },
    { "AX", true }, { "XX", false }, { "ZZ", false }, { "lv", false }, { "LVA", false },
    { "L", false }, { "", false }, { NULL, false },
};

static void test_country_known(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof country_rows / sizeof country_rows[0]; i++)
        if (location_country_known(country_rows[i].code) != country_rows[i].known)
            fail_msg("row %zu: %s, want %d", i,
                     country_rows[i].code ? country_rows[i].code : "(null)",
                     country_rows[i].known);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_tables_load),
        cmocka_unit_test(test_country_known),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_cache_clear();
    return rc;
}
