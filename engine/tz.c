/*
 * tz.c — IANA time zones from TZif files (RFC 8536), without touching the
 * process's TZ or the C library's localtime.
 *
 * A zone is its transition table (the 64-bit section of a version 2+ file,
 * the 32-bit one for a version 1 file) plus the POSIX TZ footer rule, which
 * answers every instant after the last transition ("slim" files stop their
 * table early and rely on the footer; "fat" ones run to 2037). Zones are
 * loaded on first use and kept in a small open-addressing table guarded by
 * a mutex; unknown names are remembered too, so a customer with a bogus zone
 * costs one file probe, not one per verdict.
 */
#include "tz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_NAME_MAX      64
#define TZ_CACHE_SLOTS   256           /* power of two */
#define TZ_FILE_MAX      (1 << 20)     /* no real TZif file comes near 1 MiB */
#define TZ_DEFAULT_DIR   "/usr/share/zoneinfo"
#define SECONDS_PER_DAY  86400

/* One end of the daylight-saving period in a POSIX TZ rule. */
typedef struct tz_rule {
    char    kind;       /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' (month.week.day) */
    int     day;        /* for J and N */
    int     month, week, weekday;   /* for M */
    int32_t time;       /* seconds after local midnight, may be negative or > 24 h */
} tz_rule;

typedef struct tz_footer {
    bool    present;
    bool    has_dst;
    int32_t std_offset, dst_offset;  /* seconds east of UTC */
    tz_rule start, end;              /* start in standard time, end in DST */
} tz_footer;

struct dn_tz {
    char     name[TZ_NAME_MAX];
    char     country[3];             /* ISO 3166 code of the zone in zone.tab, "" if none */
    int      n_transitions;
    int64_t *transitions;            /* ascending UTC instants */
    int32_t *transition_offset;      /* offset in effect from transitions[i] on */
    int32_t  initial_offset;         /* before the first transition: type 0 */
    tz_footer footer;
};

typedef struct tz_slot {
    bool  used;
    char  name[TZ_NAME_MAX];
    dn_tz *zone;                     /* NULL: known to be unknown */
} tz_slot;

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static tz_slot tz_cache[TZ_CACHE_SLOTS];
static int tz_cached;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- POSIX TZ footer ---- */

/* Parses "[+-]hh[:mm[:ss]]" with hh up to 167 (RFC 8536 extension). */
static const char *parse_hms(const char *s, int32_t *out)
{
    int sign = 1;
    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
    }
    int part[3] = { 0, 0, 0 };
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*s != ':')
                break;
            s++;
        }
        if (*s < '0' || *s > '9')
            return NULL;
        int v = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 3) {
            v = v * 10 + (*s - '0');
            s++;
            digits++;
        }
        part[i] = v;
    }
    if (part[0] > 167 || part[1] > 59 || part[2] > 59)
        return NULL;
    *out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return s;
}

static const char *parse_abbreviation(const char *s)
{
    if (*s == '<') {
        const char *close = strchr(s, '>');
        return close && close - s >= 2 ? close + 1 : NULL;
    }
    const char *p = s;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

static const char *parse_int(const char *s, int lo, int hi, int *out)
{
    if (*s < '0' || *s > '9')
        return NULL;
    int v = 0;
    while (*s >= '0' && *s <= '9' && v <= hi) {
        v = v * 10 + (*s - '0');
        s++;
    }
    if (v < lo || v > hi)
        return NULL;
    *out = v;
    return s;
}

static const char *parse_rule(const char *s, tz_rule *r)
{
    r->time = 2 * 3600;
    if (*s == 'M') {
        r->kind = 'M';
        if (!(s = parse_int(s + 1, 1, 12, &r->month)) || *s++ != '.' ||
            !(s = parse_int(s, 1, 5, &r->week)) || *s++ != '.' ||
            !(s = parse_int(s, 0, 6, &r->weekday)))
            return NULL;
    } else if (*s == 'J') {
        r->kind = 'J';
        if (!(s = parse_int(s + 1, 1, 365, &r->day)))
            return NULL;
    } else {
        r->kind = 'N';
        if (!(s = parse_int(s, 0, 365, &r->day)))
            return NULL;
    }
    if (*s == '/' && !(s = parse_hms(s + 1, &r->time)))
        return NULL;
    return s;
}

/* Parses a POSIX TZ string such as "EET-2EEST,M3.5.0/3,M10.5.0/4" or
 * "<+03>-3". Returns 0, or -EINVAL for anything malformed. */
static int parse_footer(const char *s, tz_footer *f)
{
    memset(f, 0, sizeof *f);
    int32_t v;
    if (!(s = parse_abbreviation(s)) || !(s = parse_hms(s, &v)))
        return -EINVAL;
    f->std_offset = -v;
    f->present = true;
    if (*s == '\0')
        return 0;
    if (!(s = parse_abbreviation(s)))
        return -EINVAL;
    f->has_dst = true;
    f->dst_offset = f->std_offset + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, &v)))
            return -EINVAL;
        f->dst_offset = -v;
    }
    if (*s == '\0') {
        /* POSIX leaves the default rule to the implementation; tzcode uses
         * the US rule. */
        parse_rule("M3.2.0", &f->start);
        parse_rule("M11.1.0", &f->end);
        return 0;
    }
    if (*s++ != ',' || !(s = parse_rule(s, &f->start)) || *s++ != ',' ||
        !(s = parse_rule(s, &f->end)) || *s != '\0')
        return -EINVAL;
    return 0;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static dn_date rule_date(const tz_rule *r, int year)
{
    dn_date jan1 = dn_date_from_ymd(year, 1, 1);
    if (r->kind == 'J')
        return jan1 + r->day - 1 + (is_leap(year) && r->day >= 60 ? 1 : 0);
    if (r->kind == 'N')
        return jan1 + r->day;
    dn_date first = dn_date_from_ymd(year, r->month, 1);
    int next_month_year = r->month == 12 ? year + 1 : year;
    int next_month = r->month == 12 ? 1 : r->month + 1;
    dn_date month_end = dn_date_from_ymd(next_month_year, next_month, 1);
    dn_date day = first + (r->weekday - dn_date_weekday(first) + 7) % 7 + 7 * (r->week - 1);
    while (day >= month_end)
        day -= 7;
    return day;
}

static int32_t footer_offset(const tz_footer *f, dn_time t)
{
    if (!f->has_dst)
        return f->std_offset;
    int y, m, d;
    dn_date_to_ymd((dn_date)floor_div(t + f->std_offset, SECONDS_PER_DAY), &y, &m, &d);
    dn_time start = (dn_time)rule_date(&f->start, y) * SECONDS_PER_DAY + f->start.time -
                    f->std_offset;
    dn_time end = (dn_time)rule_date(&f->end, y) * SECONDS_PER_DAY + f->end.time -
                  f->dst_offset;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? f->dst_offset : f->std_offset;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static int read_header(const unsigned char *p, size_t avail, tzif_counts *c, char *version)
{
    if (avail < 44 || memcmp(p, "TZif", 4) != 0)
        return -EINVAL;
    *version = (char)p[4];
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    if (c->type == 0 || c->type > 256 || c->time > 100000 || c->leap > 10000 ||
        c->chars > 10000 || c->isut > c->type || c->isstd > c->type)
        return -EINVAL;
    return 0;
}

static size_t block_size(const tzif_counts *c, size_t time_size)
{
    return c->time * time_size + c->time + c->type * 6 + c->chars +
           c->leap * (time_size + 4) + c->isstd + c->isut;
}

static void zone_free(dn_tz *z)
{
    if (!z)
        return;
    free(z->transitions);
    free(z->transition_offset);
    free(z);
}

/* Builds a zone from the bytes of a TZif file. Returns 0 and *out (owned by
 * the caller, freed with zone_free) or -EINVAL / -ENOMEM. */
static int zone_parse(const char *name, const unsigned char *buf, size_t size, dn_tz **out)
{
    int rc = -EINVAL;
    dn_tz *z = NULL;
    tzif_counts c;
    char version;
    if (read_header(buf, size, &c, &version))
        goto fail;
    const unsigned char *p = buf + 44;
    size_t time_size = 4;
    if (version >= '2') {
        size_t v1 = block_size(&c, 4);
        if (size < 44 + v1 + 44)
            goto fail;
        p = buf + 44 + v1;
        if (read_header(p, size - (size_t)(p - buf), &c, &version))
            goto fail;
        p += 44;
        time_size = 8;
    }
    size_t need = block_size(&c, time_size);
    if ((size_t)(buf + size - p) < need)
        goto fail;
    z = calloc(1, sizeof *z);
    if (!z) {
        rc = -ENOMEM;
        goto fail;
    }
    dn_strlcpy(z->name, name, sizeof z->name);
    if (c.time) {
        z->transitions = malloc(c.time * sizeof *z->transitions);
        z->transition_offset = malloc(c.time * sizeof *z->transition_offset);
        if (!z->transitions || !z->transition_offset) {
            rc = -ENOMEM;
            goto fail;
        }
    }
    const unsigned char *times = p;
    const unsigned char *indices = times + c.time * time_size;
    const unsigned char *types = indices + c.time;
    for (uint32_t i = 0; i < c.time; i++) {
        int64_t t = time_size == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
        if (i > 0 && t <= z->transitions[i - 1])
            goto fail;
        if (indices[i] >= c.type)
            goto fail;
        z->transitions[i] = t;
        z->transition_offset[i] = (int32_t)be32(types + indices[i] * 6);
    }
    z->n_transitions = (int)c.time;
    z->initial_offset = (int32_t)be32(types);
    if (time_size == 8) {
        const unsigned char *footer = p + need;
        const unsigned char *end = buf + size;
        if (footer < end && *footer == '\n') {
            const unsigned char *close = memchr(footer + 1, '\n', (size_t)(end - footer - 1));
            char text[128];
            size_t len = close ? (size_t)(close - footer - 1) : 0;
            if (close && len > 0 && len < sizeof text) {
                memcpy(text, footer + 1, len);
                text[len] = '\0';
                if (parse_footer(text, &z->footer))
                    goto fail;
            }
        }
    }
    *out = z;
    return 0;
fail:
    zone_free(z);
    return rc;
}

static bool name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= TZ_NAME_MAX || name[0] == '/' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++) {
        char ch = *p;
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '+' || ch == '-' || ch == '/'))
            return false;
    }
    return true;
}

static const char *tz_dir(void)
{
    const char *dir = getenv("TZDIR");
    return dir && *dir ? dir : TZ_DEFAULT_DIR;
}

int tz_each_zone_tab(void (*each)(const char *country, const char *zone, void *arg), void *arg)
{
    char path[512], line[512];
    if (snprintf(path, sizeof path, "%s/zone.tab", tz_dir()) >= (int)sizeof path)
        return -ENOENT;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -ENOENT;
    /* "CC<TAB>coordinates<TAB>Zone[<TAB>comment]"; '#' starts a comment line */
    while (fgets(line, sizeof line, fp)) {
        char *save = NULL;
        if (line[0] == '#')
            continue;
        char *country = strtok_r(line, "\t\n", &save);
        char *coordinates = country ? strtok_r(NULL, "\t\n", &save) : NULL;
        char *zone = coordinates ? strtok_r(NULL, "\t\n", &save) : NULL;
        if (zone && strlen(country) == 2 && strlen(zone) < TZ_NAME_MAX)
            each(country, zone, arg);
    }
    fclose(fp);
    return 0;
}

static void match_country(const char *country, const char *zone, void *arg)
{
    dn_tz *z = arg;
    if (!z->country[0] && strcmp(zone, z->name) == 0)
        dn_strlcpy(z->country, country, sizeof z->country);
}

/* Reads and parses $TZDIR/name (or the system directory), and finds the
 * zone's country in zone.tab. */
static int zone_load(const char *name, dn_tz **out)
{
    int rc = -ENOENT;
    unsigned char *buf = NULL;
    FILE *fp = NULL;
    char path[512];
    if (snprintf(path, sizeof path, "%s/%s", tz_dir(), name) >= (int)sizeof path)
        goto done;
    fp = fopen(path, "rb");
    if (!fp)
        goto done;
    buf = malloc(TZ_FILE_MAX);
    if (!buf) {
        rc = -ENOMEM;
        goto done;
    }
    size_t size = fread(buf, 1, TZ_FILE_MAX, fp);
    if (size == 0 || size == TZ_FILE_MAX) {
        rc = -EINVAL;
        goto done;
    }
    rc = zone_parse(name, buf, size, out);
    if (rc == 0)
        tz_each_zone_tab(match_country, *out);   /* no zone.tab: no country */
done:
    if (fp)
        fclose(fp);
    free(buf);
    return rc;
}

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;               /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

const dn_tz *tz_get(const char *name, dn_err *err)
{
    if (!name) {
        dn_err_set(err, -ENOENT, "timezone", "no time zone name");
        return NULL;
    }
    dn_tz *found = NULL;
    int rc = 0;
    pthread_mutex_lock(&tz_lock);
    /* only valid names are ever stored, so a hit needs no validation */
    uint32_t i = name_hash(name) & (TZ_CACHE_SLOTS - 1);
    while (tz_cache[i].used && strcmp(tz_cache[i].name, name) != 0)
        i = (i + 1) & (TZ_CACHE_SLOTS - 1);
    if (tz_cache[i].used) {
        found = tz_cache[i].zone;
        rc = found ? 0 : -ENOENT;
    } else if (!name_valid(name)) {
        rc = -ENOENT;
    } else {
        rc = zone_load(name, &found);
        /* keep a quarter of the table free so probing stays short; a full
         * table still answers, it just stops remembering */
        if (tz_cached < TZ_CACHE_SLOTS * 3 / 4 && (rc == 0 || rc == -ENOENT || rc == -EINVAL)) {
            tz_cache[i].used = true;
            dn_strlcpy(tz_cache[i].name, name, sizeof tz_cache[i].name);
            tz_cache[i].zone = found;
            tz_cached++;
        } else if (found) {
            /* not cacheable: the pointer could never be released */
            zone_free(found);
            found = NULL;
            rc = -ENOMEM;
        }
    }
    pthread_mutex_unlock(&tz_lock);
    if (!found)
        dn_err_set(err, rc == -ENOMEM ? rc : -ENOENT, "timezone",
                   "time zone '%s' is unknown or its file is malformed", name);
    return found;
}

const char *tz_name(const dn_tz *z)
{
    return z->name;
}

const char *tz_country(const dn_tz *z)
{
    return z->country;
}

int tz_offset(const dn_tz *z, dn_time t)
{
    int n = z->n_transitions;
    if (n == 0)
        return z->footer.present ? footer_offset(&z->footer, t) : z->initial_offset;
    if (t < z->transitions[0])
        return z->initial_offset;
    if (t >= z->transitions[n - 1] && z->footer.present)
        return footer_offset(&z->footer, t);
    int lo = 0, hi = n - 1;          /* last transition <= t */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (z->transitions[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return z->transition_offset[lo];
}

dn_date tz_local_date(const dn_tz *z, dn_time t, int *minute_of_day)
{
    dn_time local = t + tz_offset(z, t);
    dn_date day = (dn_date)floor_div(local, SECONDS_PER_DAY);
    if (minute_of_day)
        *minute_of_day = (int)((local - (dn_time)day * SECONDS_PER_DAY) / 60);
    return day;
}

/* Offsets in use within a day on either side of a local time cover every
 * instant that could show it (real offsets stay within ±26 h). */
dn_time tz_local_to_utc(const dn_tz *z, dn_date day, int minute)
{
    dn_time local = (dn_time)day * SECONDS_PER_DAY + (dn_time)minute * 60;
    int early = tz_offset(z, local - SECONDS_PER_DAY);
    int late = tz_offset(z, local + SECONDS_PER_DAY);
    dn_time first = local - early, second = local - late;
    bool first_ok = tz_offset(z, first) == early;
    bool second_ok = tz_offset(z, second) == late;
    if (first_ok && second_ok)
        return first < second ? first : second;
    if (first_ok)
        return first;
    if (second_ok)
        return second;
    /* Skipped by a jump forward: the answer is the jump itself, the first
     * instant whose offset is the later one, between the two candidates. */
    dn_time lo = first < second ? first : second;
    dn_time hi = first < second ? second : first;
    while (lo < hi) {
        dn_time mid = lo + (hi - lo) / 2;
        if (tz_offset(z, mid) == late)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void tz_cache_clear(void)
{
    pthread_mutex_lock(&tz_lock);
    for (int i = 0; i < TZ_CACHE_SLOTS; i++) {
        if (tz_cache[i].used)
            zone_free(tz_cache[i].zone);
        memset(&tz_cache[i], 0, sizeof tz_cache[i]);
    }
    tz_cached = 0;
    pthread_mutex_unlock(&tz_lock);
}
