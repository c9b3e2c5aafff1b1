/*
 * calendar.c — public holidays computed from their rules (fixed dates,
 * Easter-relative days, "n-th weekday of the month", weekend substitutes),
 * so any year works without a table to maintain. One year's list per
 * country is cached per thread; one-off days live in a small array set up
 * at configuration time.
 */
#include "calendar.h"

#include <stdlib.h>
#include <string.h>

#define YEAR_HOLIDAYS_MAX 32

typedef struct holiday {
    dn_date     day;
    const char *name;
} holiday;

typedef struct year_list {
    int     year;                 /* 0 until built */
    int     n;
    holiday items[YEAR_HOLIDAYS_MAX];
} year_list;

typedef enum country_id { COUNTRY_LV, COUNTRY_EE, COUNTRY_UK, COUNTRY_US, COUNTRY_COUNT } country_id;

typedef struct added_holiday {
    char    country[3];
    dn_date day;
    char    name[DN_HOLIDAY_NAME_MAX];
} added_holiday;

static _Thread_local year_list year_cache[COUNTRY_COUNT];
static added_holiday *added;
static size_t n_added, cap_added;

static int country_index(const char *country)
{
    if (!country)
        return -1;
    if (strcmp(country, "LV") == 0)
        return COUNTRY_LV;
    if (strcmp(country, "EE") == 0)
        return COUNTRY_EE;
    if (strcmp(country, "UK") == 0 || strcmp(country, "GB") == 0)
        return COUNTRY_UK;
    if (strcmp(country, "US") == 0)
        return COUNTRY_US;
    return -1;
}

/* Easter Sunday (Gregorian) by the anonymous algorithm published by Meeus
 * ("Astronomical Algorithms"), also known as Jones/Butcher. */
static dn_date easter_sunday(int year)
{
    int a = year % 19, b = year / 100, c = year % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return dn_date_from_ymd(year, month, day);
}

/* The n-th (1-based) `weekday` of a month; n = -1 for the last one. */
static dn_date nth_weekday(int year, int month, int weekday, int n)
{
    if (n > 0) {
        dn_date first = dn_date_from_ymd(year, month, 1);
        return first + (weekday - dn_date_weekday(first) + 7) % 7 + 7 * (n - 1);
    }
    dn_date last = dn_date_from_ymd(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) - 1;
    return last - (dn_date_weekday(last) - weekday + 7) % 7;
}

static bool is_weekend(dn_date day)
{
    int w = dn_date_weekday(day);
    return w == 0 || w == 6;
}

static void add(year_list *l, dn_date day, const char *name)
{
    if (l->n < YEAR_HOLIDAYS_MAX)
        l->items[l->n++] = (holiday){ day, name };
}

static bool listed(const year_list *l, dn_date day)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].day == day)
            return true;
    return false;
}

/* Latvia, law "Par svētku, atceres un atzīmējamām dienām" (On Public
 * Holidays, Commemoration Days and Celebration Days), article 1: the
 * public holidays (svētku dienas), including the two that always fall on
 * a Sunday — Mother's Day (Mātes diena, the second Sunday of May) and
 * Pentecost (Vasarsvētki, Easter + 49 days) — which matter to a profile
 * that allows Sundays. Article 2: when 4 May or 18 November falls on a
 * Saturday or Sunday, the next working day (Monday) is a day off. The
 * closing day of the Song and Dance Festival and other days declared by
 * the Saeima come from configuration (one-off days). */
static void build_lv(year_list *l, int y)
{
    dn_date easter = easter_sunday(y);
    dn_date may4 = dn_date_from_ymd(y, 5, 4), nov18 = dn_date_from_ymd(y, 11, 18);
    add(l, dn_date_from_ymd(y, 1, 1), "New Year's Day");
    add(l, easter - 2, "Good Friday");
    add(l, easter, "Easter Sunday");
    add(l, easter + 1, "Easter Monday");
    add(l, dn_date_from_ymd(y, 5, 1), "Labour Day");
    add(l, may4, "Restoration of Independence Day");
    if (is_weekend(may4))
        add(l, may4 + (dn_date_weekday(may4) == 6 ? 2 : 1),
            "Restoration of Independence Day (moved)");
    add(l, nth_weekday(y, 5, 0, 2), "Mother's Day");
    add(l, easter + 49, "Pentecost");
    add(l, dn_date_from_ymd(y, 6, 23), "Ligo Day");
    add(l, dn_date_from_ymd(y, 6, 24), "Midsummer Day");
    add(l, nov18, "Proclamation Day");
    if (is_weekend(nov18))
        add(l, nov18 + (dn_date_weekday(nov18) == 6 ? 2 : 1), "Proclamation Day (moved)");
    add(l, dn_date_from_ymd(y, 12, 24), "Christmas Eve");
    add(l, dn_date_from_ymd(y, 12, 25), "Christmas Day");
    add(l, dn_date_from_ymd(y, 12, 26), "Second Day of Christmas");
    add(l, dn_date_from_ymd(y, 12, 31), "New Year's Eve");
}

/* Estonia, Public Holidays and Days of National Importance Act; no
 * substitute days. */
static void build_ee(year_list *l, int y)
{
    dn_date easter = easter_sunday(y);
    add(l, dn_date_from_ymd(y, 1, 1), "New Year's Day");
    add(l, dn_date_from_ymd(y, 2, 24), "Independence Day");
    add(l, easter - 2, "Good Friday");
    add(l, easter, "Easter Sunday");
    add(l, dn_date_from_ymd(y, 5, 1), "Spring Day");
    add(l, easter + 49, "Pentecost");
    add(l, dn_date_from_ymd(y, 6, 23), "Victory Day");
    add(l, dn_date_from_ymd(y, 6, 24), "Midsummer Day");
    add(l, dn_date_from_ymd(y, 8, 20), "Day of Restoration of Independence");
    add(l, dn_date_from_ymd(y, 12, 24), "Christmas Eve");
    add(l, dn_date_from_ymd(y, 12, 25), "Christmas Day");
    add(l, dn_date_from_ymd(y, 12, 26), "Boxing Day");
}

/* England and Wales bank holidays. A holiday on a weekend gets the next
 * weekday that is not already a holiday (so Christmas on Saturday gives
 * Monday 27 and Tuesday 28); the weekend day itself stays listed, as
 * nobody should be chased on Christmas Day. One-off moves (early May 2020,
 * spring 2022) come from configuration. */
static void build_uk(year_list *l, int y)
{
    dn_date easter = easter_sunday(y);
    const dn_date fixed[3] = { dn_date_from_ymd(y, 1, 1), dn_date_from_ymd(y, 12, 25),
                               dn_date_from_ymd(y, 12, 26) };
    static const char *const fixed_names[3] = { "New Year's Day", "Christmas Day",
                                                "Boxing Day" };
    static const char *const substitute_names[3] = { "New Year's Day (substitute day)",
                                                     "Christmas Day (substitute day)",
                                                     "Boxing Day (substitute day)" };
    add(l, easter - 2, "Good Friday");
    add(l, easter + 1, "Easter Monday");
    add(l, nth_weekday(y, 5, 1, 1), "Early May bank holiday");
    add(l, nth_weekday(y, 5, 1, -1), "Spring bank holiday");
    add(l, nth_weekday(y, 8, 1, -1), "Summer bank holiday");
    for (int i = 0; i < 3; i++)
        add(l, fixed[i], fixed_names[i]);
    for (int i = 0; i < 3; i++) {
        if (!is_weekend(fixed[i]))
            continue;
        dn_date sub = fixed[i] + 1;
        while (is_weekend(sub) || listed(l, sub))
            sub++;
        add(l, sub, substitute_names[i]);
    }
}

/* US federal holidays (5 U.S.C. 6103) with the observed day: Saturday ones
 * on the Friday before, Sunday ones on the Monday after. Only days inside
 * year y are listed, so New Year's Day of y+1 observed on 31 December y is
 * added here. */
static void us_fixed(year_list *l, int y, dn_date day, const char *name, const char *observed)
{
    int wd = dn_date_weekday(day);
    int dy, dm, dd;
    dn_date obs = wd == 6 ? day - 1 : wd == 0 ? day + 1 : day;
    dn_date_to_ymd(day, &dy, &dm, &dd);
    if (dy == y)
        add(l, day, name);
    dn_date_to_ymd(obs, &dy, &dm, &dd);
    if (obs != day && dy == y)
        add(l, obs, observed);
}

static void build_us(year_list *l, int y)
{
    us_fixed(l, y, dn_date_from_ymd(y, 1, 1), "New Year's Day", "New Year's Day (observed)");
    us_fixed(l, y, dn_date_from_ymd(y + 1, 1, 1), "New Year's Day", "New Year's Day (observed)");
    add(l, nth_weekday(y, 1, 1, 3), "Birthday of Martin Luther King, Jr.");
    add(l, nth_weekday(y, 2, 1, 3), "Washington's Birthday");
    add(l, nth_weekday(y, 5, 1, -1), "Memorial Day");
    if (y >= 2021)
        us_fixed(l, y, dn_date_from_ymd(y, 6, 19), "Juneteenth National Independence Day",
                 "Juneteenth National Independence Day (observed)");
    us_fixed(l, y, dn_date_from_ymd(y, 7, 4), "Independence Day", "Independence Day (observed)");
    add(l, nth_weekday(y, 9, 1, 1), "Labor Day");
    add(l, nth_weekday(y, 10, 1, 2), "Columbus Day");
    us_fixed(l, y, dn_date_from_ymd(y, 11, 11), "Veterans Day", "Veterans Day (observed)");
    add(l, nth_weekday(y, 11, 4, 4), "Thanksgiving Day");
    us_fixed(l, y, dn_date_from_ymd(y, 12, 25), "Christmas Day", "Christmas Day (observed)");
}

static const year_list *year_holidays(int country, int year)
{
    year_list *l = &year_cache[country];
    if (l->year == year)
        return l;
    l->n = 0;
    switch (country) {
    case COUNTRY_LV: build_lv(l, year); break;
    case COUNTRY_EE: build_ee(l, year); break;
    case COUNTRY_UK: build_uk(l, year); break;
    default:         build_us(l, year); break;
    }
    l->year = year;
    return l;
}

bool calendar_is_holiday(const char *country, dn_date day, const char **name)
{
    if (!country || day == DN_NO_DATE)
        return false;
    for (size_t i = 0; i < n_added; i++) {
        if (added[i].day == day && strcmp(added[i].country, country) == 0) {
            if (name)
                *name = added[i].name;
            return true;
        }
    }
    int c = country_index(country);
    if (c < 0)
        return false;
    int y, m, d;
    dn_date_to_ymd(day, &y, &m, &d);
    const year_list *l = year_holidays(c, y);
    for (int i = 0; i < l->n; i++) {
        if (l->items[i].day == day) {
            if (name)
                *name = l->items[i].name;
            return true;
        }
    }
    return false;
}

bool calendar_builtin(const char *country)
{
    return country_index(country) >= 0;
}

int calendar_add_holiday(const char *country, dn_date day, const char *name)
{
    if (!country || strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' ||
        country[1] < 'A' || country[1] > 'Z' || day == DN_NO_DATE || !name || !*name)
        return -EINVAL;
    for (size_t i = 0; i < n_added; i++)
        if (added[i].day == day && strcmp(added[i].country, country) == 0)
            return -EEXIST;
    if (n_added == cap_added) {
        size_t cap = cap_added ? cap_added * 2 : 16;
        added_holiday *grown = realloc(added, cap * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        added = grown;
        cap_added = cap;
    }
    added_holiday *h = &added[n_added++];
    dn_strlcpy(h->country, country, sizeof h->country);
    h->day = day;
    dn_strlcpy(h->name, name, sizeof h->name);
    return 0;
}

void calendar_clear_added(void)
{
    free(added);
    added = NULL;
    n_added = cap_added = 0;
}
