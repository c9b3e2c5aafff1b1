/*
 * test_calendar.c — public holidays against tables written by hand from a
 * wall calendar and the official lists (Latvian law on public holidays,
 * gov.uk bank holidays for England and Wales, OPM federal holidays, the
 * Estonian Public Holidays Act). Each full-year table is checked day by
 * day, so an extra holiday fails as surely as a missing one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "calendar.h"

static dn_date D(const char *s)
{
    dn_date d;
    assert_int_equal(dn_date_parse(s, &d), 0);
    return d;
}

typedef struct year_table {
    const char *country;
    int year;
    const char *days[20];    /* every holiday of the year, NULL-terminated */
} year_table;

static const year_table year_tables[] = {
    /* Latvia: law "Par svētku, atceres un atzīmējamām dienām", article 1
     * (New Year 1 Jan; Good Friday, Easter Sunday and Monday; 1 May; 4 May;
     * Mother's Day, the second Sunday of May; Pentecost; Līgo 23 June;
     * Jāņi 24 June; 18 November; 24, 25, 26 and 31 December) and article 2
     * (4 May or 18 November on a Saturday or Sunday: the next Monday off).
     * Dates from a wall calendar: Easter 2026 = 5 April, so Pentecost =
     * 24 May; 1 May 2026 is a Friday, so Mother's Day = 10 May; 4 May is a
     * Monday, 18 November a Wednesday. */
    { "LV", 2026, { "2026-01-01", "2026-04-03", "2026-04-05", "2026-04-06", "2026-05-01",
                    "2026-05-04", "2026-05-10", "2026-05-24", "2026-06-23", "2026-06-24",
                    "2026-11-18", "2026-12-24", "2026-12-25", "2026-12-26", "2026-12-31",
                    NULL } },
    /* Easter 2027 = 28 March, Pentecost 16 May; 1 May is a Saturday, so
     * Mother's Day = 9 May; 4 May Tuesday, 18 November Thursday */
    { "LV", 2027, { "2027-01-01", "2027-03-26", "2027-03-28", "2027-03-29", "2027-05-01",
                    "2027-05-04", "2027-05-09", "2027-05-16", "2027-06-23", "2027-06-24",
                    "2027-11-18", "2027-12-24", "2027-12-25", "2027-12-26", "2027-12-31",
                    NULL } },
    /* 2023: 18 November was a Saturday -> Monday 20 November too; Easter
     * 9 April (Pentecost 28 May), Mother's Day 14 May */
    { "LV", 2023, { "2023-01-01", "2023-04-07", "2023-04-09", "2023-04-10", "2023-05-01",
                    "2023-05-04", "2023-05-14", "2023-05-28", "2023-06-23", "2023-06-24",
                    "2023-11-18", "2023-11-20", "2023-12-24", "2023-12-25", "2023-12-26",
                    "2023-12-31", NULL } },
    /* 2024: 4 May Saturday -> Monday 6 May; Easter 31 March (Pentecost
     * 19 May), Mother's Day 12 May */
    { "LV", 2024, { "2024-01-01", "2024-03-29", "2024-03-31", "2024-04-01", "2024-05-01",
                    "2024-05-04", "2024-05-06", "2024-05-12", "2024-05-19", "2024-06-23",
                    "2024-06-24", "2024-11-18", "2024-12-24", "2024-12-25", "2024-12-26",
                    "2024-12-31", NULL } },
    /* 2025: 4 May Sunday -> Monday 5 May; Easter 20 April (Pentecost
     * 8 June), Mother's Day 11 May */
    { "LV", 2025, { "2025-01-01", "2025-04-18", "2025-04-20", "2025-04-21", "2025-05-01",
                    "2025-05-04", "2025-05-05", "2025-05-11", "2025-06-08", "2025-06-23",
                    "2025-06-24", "2025-11-18", "2025-12-24", "2025-12-25", "2025-12-26",
                    "2025-12-31", NULL } },
    /* England and Wales: 26 December 2026 is a Saturday -> Monday 28. The
     * day itself stays a holiday too (the guard must not call on Boxing
     * Day because its bank holiday moved). */
    { "UK", 2026, { "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
                    "2026-08-31", "2026-12-25", "2026-12-26", "2026-12-28", NULL } },
    /* 25 and 26 December 2027 are Saturday and Sunday -> 27 and 28 */
    { "UK", 2027, { "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
                    "2027-08-30", "2027-12-25", "2027-12-26", "2027-12-27", "2027-12-28",
                    NULL } },
    /* US federal 2026 (OPM): 4 July is a Saturday, observed Friday 3 July */
    { "US", 2026, { "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19",
                    "2026-07-03", "2026-07-04", "2026-09-07", "2026-10-12", "2026-11-11",
                    "2026-11-26", "2026-12-25", NULL } },
    /* US 2021: New Year's Day 2022 (Saturday) is observed on 31 December
     * 2021; 25 December 2021 Saturday -> 24 December; Juneteenth's first
     * year, 19 June a Saturday -> 18 June */
    { "US", 2021, { "2021-01-01", "2021-01-18", "2021-02-15", "2021-05-31", "2021-06-18",
                    "2021-06-19", "2021-07-04", "2021-07-05", "2021-09-06", "2021-10-11",
                    "2021-11-11", "2021-11-25", "2021-12-24", "2021-12-25", "2021-12-31",
                    NULL } },
    /* Estonia 2026: Pentecost = Easter + 49 = 24 May */
    { "EE", 2026, { "2026-01-01", "2026-02-24", "2026-04-03", "2026-04-05", "2026-05-01",
                    "2026-05-24", "2026-06-23", "2026-06-24", "2026-08-20", "2026-12-24",
                    "2026-12-25", "2026-12-26", NULL } },
};

static void test_full_years(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof year_tables / sizeof year_tables[0]; i++) {
        const year_table *t = &year_tables[i];
        dn_date first = dn_date_from_ymd(t->year, 1, 1);
        dn_date end = dn_date_from_ymd(t->year + 1, 1, 1);
        for (dn_date day = first; day < end; day++) {
            bool want = false;
            for (int j = 0; t->days[j]; j++)
                if (D(t->days[j]) == day)
                    want = true;
            const char *name = NULL;
            bool got = calendar_is_holiday(t->country, day, &name);
            if (got != want) {
                char s[11];
                dn_date_format(day, s);
                fail_msg("%s %d: %s holiday=%d, want %d", t->country, t->year, s, got, want);
            }
            if (got)
                assert_true(name && *name);
        }
    }
}

typedef struct day_row {
    const char *country;
    const char *day;
    bool holiday;
} day_row;

static const day_row day_rows[] = {
    { "LV", "2029-11-19", true },   /* 18 November 2029 is a Sunday */
    { "LV", "2029-05-07", false },  /* 4 May 2029 is a Friday: nothing moves */
    { "LV", "2008-05-11", true },   /* Pentecost and Mother's Day on one Sunday */
    { "LV", "2026-05-25", false },  /* Whit Monday is no holiday in Latvia */
    { "LV", "2038-04-25", true },   /* Easter 2038, the latest possible */
    { "LV", "2008-03-23", true },   /* Easter 2008, nearly the earliest */
    { "LV", "2000-04-23", true },
    { "UK", "2022-01-03", true },   /* 1 January 2022 was a Saturday */
    { "GB", "2023-01-02", true },   /* 1 January 2023 a Sunday; GB is UK */
    { "US", "2022-12-26", true },   /* Christmas 2022 on a Sunday */
    { "US", "2020-06-19", false },  /* Juneteenth only from 2021 */
    { "SE", "2026-01-01", false },  /* no calendar for Sweden */
    { "", "2026-01-01", false },
    { NULL, "2026-01-01", false },
};

static void test_days(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof day_rows / sizeof day_rows[0]; i++) {
        const day_row *r = &day_rows[i];
        if (calendar_is_holiday(r->country, D(r->day), NULL) != r->holiday)
            fail_msg("row %zu: %s %s, want %d", i, r->country ? r->country : "(null)", r->day,
                     r->holiday);
    }
    assert_false(calendar_is_holiday("LV", DN_NO_DATE, NULL));
}

typedef struct add_row {
    const char *country;
    const char *day;          /* NULL: DN_NO_DATE */
    const char *name;
    int rc;
} add_row;

static const add_row add_rows[] = {
    { "LV", "2023-05-29", "Ice hockey bronze medal day", 0 },
    { "UK", "2020-05-08", "Early May bank holiday (VE Day)", 0 },
    { "LV", "2023-05-29", "again", -EEXIST },
    { "lv", "2023-05-30", "lower case", -EINVAL },
    { "LVA", "2023-05-30", "three letters", -EINVAL },
    { NULL, "2023-05-30", "no country", -EINVAL },
    { "LV", NULL, "no date", -EINVAL },
    { "LV", "2023-05-30", "", -EINVAL },
};

static void test_added(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof add_rows / sizeof add_rows[0]; i++) {
        const add_row *r = &add_rows[i];
        int rc = calendar_add_holiday(r->country, r->day ? D(r->day) : DN_NO_DATE, r->name);
        if (rc != r->rc)
            fail_msg("row %zu: rc %d, want %d", i, rc, r->rc);
    }
    const char *name = NULL;
    assert_true(calendar_is_holiday("LV", D("2023-05-29"), &name));
    assert_string_equal(name, "Ice hockey bronze medal day");
    assert_true(calendar_is_holiday("UK", D("2020-05-08"), NULL));
    assert_false(calendar_is_holiday("EE", D("2023-05-29"), NULL));
    calendar_clear_added();
    assert_false(calendar_is_holiday("LV", D("2023-05-29"), NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_years),
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_added),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
