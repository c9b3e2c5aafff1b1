/*
 * test_tz.c — time zones against Debian tzdata. Every expected offset below
 * was printed by `zdump -v -c <from>,<to> <zone>` (Debian tzdata 2026f) and is
 * written here literally; a synthetic zone checks the POSIX footer's Jn and
 * n rule forms with values worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tz.h"

static dn_time T(const char *s)
{
    dn_time t;
    assert_int_equal(dn_time_parse(s, &t), 0);
    return t;
}

static dn_date D(const char *s)
{
    dn_date d;
    assert_int_equal(dn_date_parse(s, &d), 0);
    return d;
}

/* ---- offsets and local dates at given instants ---- */

typedef struct offset_row {
    const char *zone;
    const char *utc;
    int offset;              /* zdump gmtoff */
    const char *local_date;  /* zdump's local date */
    int local_minute;
} offset_row;

static const offset_row offset_rows[] = {
    /* Europe/Riga: DST starts 2026-03-29 01:00 UT (02:59:59 EET -> 04:00 EEST) */
    { "Europe/Riga", "2026-03-29T00:59:59Z", 7200, "2026-03-29", 2 * 60 + 59 },
    { "Europe/Riga", "2026-03-29T01:00:00Z", 10800, "2026-03-29", 4 * 60 },
    /* and ends 2026-10-25 01:00 UT (03:59:59 EEST -> 03:00 EET) */
    { "Europe/Riga", "2026-10-25T00:59:59Z", 10800, "2026-10-25", 3 * 60 + 59 },
    { "Europe/Riga", "2026-10-25T01:00:00Z", 7200, "2026-10-25", 3 * 60 },
    /* America/New_York: 2026-03-08 07:00 UT (01:59:59 EST -> 03:00 EDT) */
    { "America/New_York", "2026-03-08T06:59:59Z", -18000, "2026-03-08", 1 * 60 + 59 },
    { "America/New_York", "2026-03-08T07:00:00Z", -14400, "2026-03-08", 3 * 60 },
    /* 2026-11-01 06:00 UT (01:59:59 EDT -> 01:00 EST) */
    { "America/New_York", "2026-11-01T05:59:59Z", -14400, "2026-11-01", 1 * 60 + 59 },
    { "America/New_York", "2026-11-01T06:00:00Z", -18000, "2026-11-01", 1 * 60 },
    /* America/Los_Angeles: 2026-03-08 10:00 UT (PST -> PDT) */
    { "America/Los_Angeles", "2026-03-08T09:59:59Z", -28800, "2026-03-08", 1 * 60 + 59 },
    { "America/Los_Angeles", "2026-03-08T10:00:00Z", -25200, "2026-03-08", 3 * 60 },
    { "America/Los_Angeles", "2026-03-31T12:00:00Z", -25200, "2026-03-31", 5 * 60 },
    /* Pacific/Auckland: NZDT ends 2026-04-04 14:00 UT (Sun 02:59:59 -> 02:00) */
    { "Pacific/Auckland", "2026-03-31T12:00:00Z", 46800, "2026-04-01", 1 * 60 },
    { "Pacific/Auckland", "2026-04-04T13:59:59Z", 46800, "2026-04-05", 2 * 60 + 59 },
    { "Pacific/Auckland", "2026-04-04T14:00:00Z", 43200, "2026-04-05", 2 * 60 },
    { "Pacific/Auckland", "2026-09-26T14:00:00Z", 46800, "2026-09-27", 3 * 60 },
    /* past 2037: the TZif footer rule answers */
    { "Europe/Riga", "2040-03-25T00:59:59Z", 7200, "2040-03-25", 2 * 60 + 59 },
    { "Europe/Riga", "2040-03-25T01:00:00Z", 10800, "2040-03-25", 4 * 60 },
    { "Europe/Riga", "2040-07-01T12:00:00Z", 10800, "2040-07-01", 15 * 60 },
    { "Europe/Riga", "2040-10-28T01:00:00Z", 7200, "2040-10-28", 3 * 60 },
    { "Pacific/Auckland", "2040-03-31T13:59:59Z", 46800, "2040-04-01", 2 * 60 + 59 },
    { "Pacific/Auckland", "2040-03-31T14:00:00Z", 43200, "2040-04-01", 2 * 60 },
    { "Pacific/Auckland", "2040-09-29T14:00:00Z", 46800, "2040-09-30", 3 * 60 },
    { "Europe/Riga", "2199-10-27T00:59:59Z", 10800, "2199-10-27", 3 * 60 + 59 },
    { "Europe/Riga", "2199-10-27T01:00:00Z", 7200, "2199-10-27", 3 * 60 },
    { "UTC", "2026-06-01T12:34:56Z", 0, "2026-06-01", 12 * 60 + 34 },
};

static void test_offsets(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof offset_rows / sizeof offset_rows[0]; i++) {
        const offset_row *r = &offset_rows[i];
        dn_err err;
        dn_err_clear(&err);
        const dn_tz *z = tz_get(r->zone, &err);
        if (!z)
            fail_msg("row %zu: %s not loaded: %s", i, r->zone, err.msg);
        assert_string_equal(tz_name(z), r->zone);
        int off = tz_offset(z, T(r->utc));
        if (off != r->offset)
            fail_msg("row %zu: %s at %s: offset %d, want %d", i, r->zone, r->utc, off, r->offset);
        int minute = -1;
        dn_date day = tz_local_date(z, T(r->utc), &minute);
        if (day != D(r->local_date) || minute != r->local_minute)
            fail_msg("row %zu: %s at %s: local day/minute %d/%d, want %s %d", i, r->zone,
                     r->utc, day, minute, r->local_date, r->local_minute);
    }
}

/* ---- local time to UTC, including skipped and repeated local times ---- */

typedef struct local_row {
    const char *zone;
    const char *local_date;
    int minute;
    const char *utc;
} local_row;

static const local_row local_rows[] = {
    { "Europe/Riga", "2026-03-29", 8 * 60, "2026-03-29T05:00:00Z" },    /* EEST +3 */
    { "Europe/Riga", "2026-10-25", 8 * 60, "2026-10-25T06:00:00Z" },    /* EET +2 */
    { "Europe/Riga", "2026-03-28", 8 * 60, "2026-03-28T06:00:00Z" },
    /* 03:30 does not exist on 2026-03-29: the jump itself (04:00 EEST) */
    { "Europe/Riga", "2026-03-29", 3 * 60 + 30, "2026-03-29T01:00:00Z" },
    /* 03:30 happens twice on 2026-10-25: the first (EEST) */
    { "Europe/Riga", "2026-10-25", 3 * 60 + 30, "2026-10-25T00:30:00Z" },
    { "America/New_York", "2026-03-08", 2 * 60 + 30, "2026-03-08T07:00:00Z" },
    { "America/New_York", "2026-11-01", 1 * 60 + 30, "2026-11-01T05:30:00Z" },
    { "America/New_York", "2026-03-08", 8 * 60, "2026-03-08T12:00:00Z" },
    { "America/New_York", "2026-11-01", 8 * 60, "2026-11-01T13:00:00Z" },
    { "Pacific/Auckland", "2026-04-05", 2 * 60 + 30, "2026-04-04T13:30:00Z" },
    { "America/Los_Angeles", "2026-03-08", 2 * 60, "2026-03-08T10:00:00Z" },
    /* minute 1440 is the next day's midnight */
    { "Europe/Riga", "2040-07-01", 1440, "2040-07-01T21:00:00Z" },
};

static void test_local_to_utc(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof local_rows / sizeof local_rows[0]; i++) {
        const local_row *r = &local_rows[i];
        const dn_tz *z = tz_get(r->zone, NULL);
        assert_non_null(z);
        dn_time got = tz_local_to_utc(z, D(r->local_date), r->minute);
        if (got != T(r->utc)) {
            char s[21];
            dn_time_format(got, s);
            fail_msg("row %zu: %s %s minute %d: %s, want %s", i, r->zone, r->local_date,
                     r->minute, s, r->utc);
        }
    }
}

/* ---- names ---- */

typedef struct name_row {
    const char *name;
    bool ok;
} name_row;

static const name_row name_rows[] = {
    { "Europe/Riga", true },
    { "America/Argentina/Buenos_Aires", true },
    { "Etc/GMT+5", true },
    { "", false },
    { "../../etc/passwd", false },
    { "Europe/../Europe/Riga", false },
    { "/usr/share/zoneinfo/Europe/Riga", false },
    { "Europe/Riga ", false },
    { "Europe/Ri;ga", false },
    { "Mars/Olympus_Mons", false },
    { "Europe", false },        /* a directory, not a TZif file */
    { "zone.tab", false },      /* a file, but not TZif */
    { "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
};

static void test_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof name_rows / sizeof name_rows[0]; i++) {
        dn_err err;
        dn_err_clear(&err);
        const dn_tz *z = tz_get(name_rows[i].name, &err);
        if ((z != NULL) != name_rows[i].ok)
            fail_msg("row %zu: '%s' loaded=%d", i, name_rows[i].name, z != NULL);
        if (!z)
            assert_int_equal(err.code, -ENOENT);
        /* a second lookup answers from the cache with the same zone */
        assert_ptr_equal(tz_get(name_rows[i].name, NULL), z);
    }
}

/* ---- POSIX footer forms, on a zone written for the test ---- */

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A version 2 TZif file with no transitions, one type (+2) and `footer`. */
static void write_footer_zone(const char *path, const char *footer)
{
    unsigned char block[44 + 6 + 4];
    memset(block, 0, sizeof block);
    memcpy(block, "TZif2", 5);
    put32(block + 36, 1);        /* typecnt */
    put32(block + 40, 4);        /* charcnt */
    put32(block + 44, 7200);     /* utoff */
    memcpy(block + 50, "AAA", 4);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(block, 1, sizeof block, fp), sizeof block);
    assert_int_equal(fwrite(block, 1, sizeof block, fp), sizeof block);
    fprintf(fp, "\n%s\n", footer);
    assert_int_equal(fclose(fp), 0);
}

typedef struct footer_row {
    const char *zone;        /* file name in the test directory */
    const char *utc;
    int offset;
} footer_row;

/* "Test/Julian" is AAA-2BBB,J60/2,J300/3: DST from 1 March 02:00 (+2)
 * = 00:00 UT (J60 is 1 March in every year, 29 February never counted) to
 * day 300 = 27 October 03:00 (+3) = 00:00 UT. "Test/Zero" is
 * AAA-2BBB,59/2,299/3: zero-based day 59 is 1 March in 2026 but 29 February
 * in 2028. "Test/Fixed" has no DST. */
static const footer_row footer_rows[] = {
    { "Test/Julian", "2026-02-28T23:59:59Z", 7200 },
    { "Test/Julian", "2026-03-01T00:00:00Z", 10800 },
    { "Test/Julian", "2026-10-26T23:59:59Z", 10800 },
    { "Test/Julian", "2026-10-27T00:00:00Z", 7200 },
    { "Test/Julian", "2028-02-29T12:00:00Z", 7200 },
    { "Test/Julian", "2028-03-01T00:00:00Z", 10800 },
    { "Test/Zero", "2026-02-28T23:59:59Z", 7200 },
    { "Test/Zero", "2026-03-01T00:00:00Z", 10800 },
    { "Test/Zero", "2028-02-28T23:59:59Z", 7200 },
    { "Test/Zero", "2028-02-29T00:00:00Z", 10800 },
    { "Test/Fixed", "2026-07-01T00:00:00Z", -12600 },
};

static void test_footer_forms(void **state)
{
    (void)state;
    char dir[] = "/tmp/dn_tz_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[64], path[96];
    snprintf(sub, sizeof sub, "%s/Test", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/Julian", sub);
    write_footer_zone(path, "AAA-2BBB,J60/2,J300/3");
    snprintf(path, sizeof path, "%s/Zero", sub);
    write_footer_zone(path, "AAA-2BBB,59/2,299/3");
    snprintf(path, sizeof path, "%s/Fixed", sub);
    write_footer_zone(path, "<-0330>3:30");

    tz_cache_clear();
    setenv("TZDIR", dir, 1);
    for (size_t i = 0; i < sizeof footer_rows / sizeof footer_rows[0]; i++) {
        const footer_row *r = &footer_rows[i];
        const dn_tz *z = tz_get(r->zone, NULL);
        if (!z)
            fail_msg("row %zu: %s not loaded", i, r->zone);
        int off = tz_offset(z, T(r->utc));
        if (off != r->offset)
            fail_msg("row %zu: %s at %s: %d, want %d", i, r->zone, r->utc, off, r->offset);
    }
    unsetenv("TZDIR");
    tz_cache_clear();
    const char *names[] = { "Julian", "Zero", "Fixed" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", sub, names[i]);
        unlink(path);
    }
    rmdir(sub);
    rmdir(dir);
}

/* Every transition `zdump -v` prints for 2026 and 2027 in the zones the
 * guard's cases use: on both sides of each, tz_offset and tz_local_date
 * agree with zdump's gmtoff and local time. zdump is the tz database's own
 * reference tool (Debian package libc-bin); without it the test is skipped. */
static void test_against_zdump(void **state)
{
    (void)state;
    static const char *const zones[] = { "Europe/Riga", "America/New_York", "Europe/London",
                                         "America/Chicago", "America/Denver", "America/Phoenix",
                                         "America/Los_Angeles", "America/Anchorage",
                                         "Pacific/Honolulu", "America/St_Johns",
                                         "Europe/Tallinn" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    if (access("/usr/bin/zdump", X_OK) != 0)
        skip();
    int checked = 0;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        const dn_tz *tz = tz_get(zones[z], NULL);
        assert_non_null(tz);
        char cmd[160];
        snprintf(cmd, sizeof cmd, "/usr/bin/zdump -v -c 2026,2028 %s", zones[z]);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char line[256];
        while (fgets(line, sizeof line, p)) {
            /* "Europe/Riga  Sun Mar 29 00:59:59 2026 UT = Sun Mar 29 02:59:59 2026 EET
             *  isdst=0 gmtoff=7200" */
            char name[64], wd1[4], mon1[4], wd2[4], mon2[4], abbr[16];
            int d1, h1, mi1, s1, y1, d2, h2, mi2, s2, y2, isdst, gmtoff;
            if (sscanf(line, "%63s %3s %3s %d %d:%d:%d %d UT = %3s %3s %d %d:%d:%d %d %15s "
                       "isdst=%d gmtoff=%d", name, wd1, mon1, &d1, &h1, &mi1, &s1, &y1, wd2,
                       mon2, &d2, &h2, &mi2, &s2, &y2, abbr, &isdst, &gmtoff) != 18)
                continue;           /* the NULL lines at the ends of time */
            int m1 = -1, m2 = -1;
            for (int m = 0; m < 12; m++) {
                if (strcmp(mon1, months[m]) == 0)
                    m1 = m + 1;
                if (strcmp(mon2, months[m]) == 0)
                    m2 = m + 1;
            }
            assert_true(m1 > 0 && m2 > 0);
            dn_time t = (dn_time)dn_date_from_ymd(y1, m1, d1) * 86400 + h1 * 3600 + mi1 * 60 + s1;
            int minute;
            dn_date local = tz_local_date(tz, t, &minute);
            if (tz_offset(tz, t) != gmtoff || local != dn_date_from_ymd(y2, m2, d2) ||
                minute != h2 * 60 + mi2)
                fail_msg("%s at %s: offset %d (zdump %d), local minute %d (zdump %02d:%02d)",
                         zones[z], line, tz_offset(tz, t), gmtoff, minute, h2, mi2);
            checked++;
        }
        pclose(p);
    }
    print_message("zdump: %d transition lines agree\n", checked);
    /* two lines per transition, two transitions a year in most zones */
    assert_true(checked >= 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_local_to_utc),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_footer_forms),
        cmocka_unit_test(test_against_zdump),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_cache_clear();
    return rc;
}
