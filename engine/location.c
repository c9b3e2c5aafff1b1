/*
 * location.c — the zones a customer may be in (location.h): each signal
 * becomes a set of zones, the sets are intersected where they agree and
 * united where they conflict.
 *
 * A signal is either a list of zones (the stored zone; a NANP area code)
 * or a list of countries standing for all of their zones (the customer's
 * country; a calling code). Intersecting a zone with a country keeps the
 * zone when zone.tab puts it in that country, so America/Detroit agrees
 * with "US" without the US's 29 zone names being compared. A country's
 * zones are enumerated only when they are the answer: the US and Canada
 * as one zone per distinct local time (location_data.c), any other
 * country as zone.tab lists it.
 */
#include "location-internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGNALS_MAX  3
#define ZONE_TAB_MAX 640       /* zone.tab has about 450 lines */

/* ---- the tz database's country tables, read once ---- */

typedef struct zone_tab_entry {
    char country[3];
    char zone[64];             /* an IANA name (tz.c keeps them shorter) */
} zone_tab_entry;

typedef struct country_tables {
    bool           known[26][26];              /* iso3166.tab */
    zone_tab_entry entry[ZONE_TAB_MAX];         /* zone.tab, sorted by country */
    int            n_entries;
    uint16_t       first[26][26], count[26][26];
    const dn_tz   *nanp[NANP_ZONE_NAMES];       /* nanp_zone_names resolved */
    int16_t        calling[1000];               /* code -> calling_codes index + 1 */
} country_tables;

static country_tables tables;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static int letter_index(const char *code, int *a, int *b)
{
    if (!code || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' || code[2])
        return -EINVAL;
    *a = code[0] - 'A';
    *b = code[1] - 'A';
    return 0;
}

static void collect_zone(const char *country, const char *zone, void *arg)
{
    (void)arg;
    if (tables.n_entries >= ZONE_TAB_MAX)
        return;
    zone_tab_entry *e = &tables.entry[tables.n_entries++];
    dn_strlcpy(e->country, country, sizeof e->country);
    dn_strlcpy(e->zone, zone, sizeof e->zone);
}

static int by_country(const void *a, const void *b)
{
    const zone_tab_entry *x = a, *y = b;
    int c = strcmp(x->country, y->country);
    return c ? c : strcmp(x->zone, y->zone);
}

static void read_iso3166(void)
{
    const char *dir = getenv("TZDIR");
    char path[512], line[256];
    snprintf(path, sizeof path, "%s/iso3166.tab", dir && *dir ? dir : "/usr/share/zoneinfo");
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    /* "CC<TAB>Country name"; '#' starts a comment line */
    while (fgets(line, sizeof line, fp)) {
        int a, b;
        char code[3] = { line[0], line[1], '\0' };
        if (line[0] != '#' && line[2] == '\t' && letter_index(code, &a, &b) == 0)
            tables.known[a][b] = true;
    }
    fclose(fp);
}

static void load_tables(void)
{
    read_iso3166();
    tz_each_zone_tab(collect_zone, NULL);
    qsort(tables.entry, (size_t)tables.n_entries, sizeof tables.entry[0], by_country);
    for (int i = tables.n_entries - 1; i >= 0; i--) {
        int a, b;
        if (letter_index(tables.entry[i].country, &a, &b) == 0) {
            tables.first[a][b] = (uint16_t)i;
            tables.count[a][b]++;
        }
    }
    for (int i = 1; i < NANP_ZONE_NAMES; i++)
        if (nanp_zone_names[i])
            tables.nanp[i] = tz_get(nanp_zone_names[i], NULL);
    for (size_t i = 0; i < n_calling_codes; i++)
        tables.calling[calling_codes[i].code] = (int16_t)(i + 1);
}

static const country_tables *country_data(void)
{
    pthread_once(&tables_once, load_tables);
    return &tables;
}

bool location_country_known(const char *code)
{
    int a, b;
    if (code && strcmp(code, "UK") == 0)
        return true;
    return letter_index(code, &a, &b) == 0 && country_data()->known[a][b];
}

/* ---- signals ---- */

typedef struct signal {
    unsigned     source;                   /* DN_LOC_* */
    bool         countrywide;              /* any zone of countries[], else zone[] */
    const dn_tz *zone[NANP_AREA_ZONES];
    int          n_zones;
    char         countries[4][3];
    int          n_countries;
} signal;

static bool same_country(const char *a, const char *b)
{
    return a[0] && a[0] == b[0] && a[1] == b[1];
}

static void copy_country(char to[3], const char *from)
{
    to[0] = from[0];
    to[1] = from[1];
    to[2] = '\0';
}

static bool has_country(const signal *s, const char *country)
{
    for (int i = 0; i < s->n_countries; i++)
        if (same_country(country, s->countries[i]))
            return true;
    return false;
}

/* Adds a country that has zones to stand for ("UK" is GB). */
static void add_country(const country_tables *t, signal *s, const char *country)
{
    int a, b;
    if (country[0] == 'U' && country[1] == 'K' && !country[2])
        country = "GB";
    if (letter_index(country, &a, &b) || t->count[a][b] == 0 || s->n_countries == 4 ||
        has_country(s, country))
        return;
    copy_country(s->countries[s->n_countries++], country);
}

static bool signal_empty(const signal *s)
{
    return s->countrywide ? s->n_countries == 0 : s->n_zones == 0;
}

/* agree ∩ b, in place. */
static void narrow(signal *agree, const signal *b)
{
    agree->source |= b->source;
    int kept = 0;
    if (agree->countrywide && b->countrywide) {
        for (int i = 0; i < agree->n_countries; i++)
            if (has_country(b, agree->countries[i]))
                copy_country(agree->countries[kept++], agree->countries[i]);
        agree->n_countries = kept;
        return;
    }
    if (agree->countrywide) {
        /* the zones of b inside agree's countries */
        for (int i = 0; i < b->n_zones; i++)
            if (has_country(agree, tz_country(b->zone[i])))
                agree->zone[kept++] = b->zone[i];
        agree->countrywide = false;
        agree->n_zones = kept;
        return;
    }
    for (int i = 0; i < agree->n_zones; i++) {
        bool keep = false;
        if (b->countrywide) {
            keep = has_country(b, tz_country(agree->zone[i]));
        } else {
            for (int j = 0; j < b->n_zones && !keep; j++)
                keep = agree->zone[i] == b->zone[j];
        }
        if (keep)
            agree->zone[kept++] = agree->zone[i];
    }
    agree->n_zones = kept;
}

/* The NANP part of a phone number after "+1": its area code's zones, or
 * nothing for a non-geographic code, or "the US or Canada" for an area
 * code the table does not know (a new overlay: as wide as it may be). */
static void nanp_signal(const country_tables *t, const char *digits, signal *s)
{
    for (int i = 0; i < 10; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return;
    int code = (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
    const nanp_area *area = &nanp_areas[code];
    if (area->country[0]) {
        for (int i = 0; i < NANP_AREA_ZONES && area->zone[i]; i++)
            if (t->nanp[area->zone[i]])
                s->zone[s->n_zones++] = t->nanp[area->zone[i]];
        return;
    }
    if (nanp_non_geographic(code))
        return;
    s->countrywide = true;
    add_country(t, s, "US");
    add_country(t, s, "CA");
}

static const calling_code *calling_code_of(const country_tables *t, const char *digits)
{
    int value = 0;
    /* calling codes are prefix-free: the first 1, 2 or 3 digits */
    for (int len = 1; len <= 3 && digits[len - 1] >= '0' && digits[len - 1] <= '9'; len++) {
        value = value * 10 + (digits[len - 1] - '0');
        if (t->calling[value])
            return &calling_codes[t->calling[value] - 1];
    }
    return NULL;
}

static void signal_init(signal *s, unsigned source, bool countrywide)
{
    s->source = source;
    s->countrywide = countrywide;
    s->n_zones = s->n_countries = 0;
}

static void phone_signal(const country_tables *t, const char *phone, signal *s)
{
    signal_init(s, DN_LOC_PHONE, false);
    if (!phone || phone[0] != '+')
        return;
    if (phone[1] == '1') {
        nanp_signal(t, phone + 2, s);
        return;
    }
    const calling_code *cc = calling_code_of(t, phone + 1);
    if (!cc)
        return;
    s->countrywide = true;
    for (int i = 0; i < 4 && cc->countries[i][0]; i++)
        add_country(t, s, cc->countries[i]);
}

/* ---- the result ---- */

static void result_add(dn_location *out, const dn_tz *z, unsigned source)
{
    if (!z)
        return;
    for (int i = 0; i < out->n; i++) {
        if (out->zone[i] == z) {
            out->source[i] |= source;
            return;
        }
    }
    if (out->n == DN_LOCATION_ZONES) {
        out->overflow = true;
        return;
    }
    out->zone[out->n] = z;
    out->source[out->n++] = source;
}

static void result_add_countries(const country_tables *t, dn_location *out, const signal *s)
{
    for (int i = 0; i < s->n_countries; i++) {
        const char *c = s->countries[i];
        const uint8_t *nanp = strcmp(c, "US") == 0   ? nanp_us_zones
                              : strcmp(c, "CA") == 0 ? nanp_ca_zones
                                                     : NULL;
        if (nanp) {
            for (int k = 0; k < NANP_COUNTRY_ZONES; k++)
                result_add(out, t->nanp[nanp[k]], s->source);
            continue;
        }
        int a, b;
        if (letter_index(c, &a, &b))
            continue;
        for (int k = 0; k < t->count[a][b]; k++)
            result_add(out, tz_get(t->entry[t->first[a][b] + k].zone, NULL), s->source);
    }
}

/* The groups of up to three signals, largest first (bit i = signal i). */
static const unsigned char groups_by_size[] = { 7, 3, 5, 6, 1, 2, 4 };

void location_of_customer(const char *timezone, const char *country, const char *phone,
                          dn_location *out)
{
    const country_tables *t = country_data();
    signal sig[SIGNALS_MAX];
    int n = 0;
    out->n = 0;
    out->conflict = out->overflow = false;

    const dn_tz *own = timezone && timezone[0] ? tz_get(timezone, NULL) : NULL;
    if (own) {
        signal_init(&sig[n], DN_LOC_TIMEZONE, false);
        sig[n].zone[0] = own;
        sig[n++].n_zones = 1;
    }
    phone_signal(t, phone, &sig[n]);
    if (!signal_empty(&sig[n]))
        n++;
    if (country && country[0]) {
        signal_init(&sig[n], DN_LOC_COUNTRY, true);
        add_country(t, &sig[n], country);
        if (!signal_empty(&sig[n]))
            n++;
    }

    /* the largest groups of signals that agree, each adding where it
     * agrees; when all agree (the usual case) the first group is the only */
    unsigned accepted[SIGNALS_MAX];
    int n_accepted = 0;
    for (size_t g = 0; g < sizeof groups_by_size && n_accepted < SIGNALS_MAX; g++) {
        unsigned mask = groups_by_size[g];
        if (mask >> n)
            continue;                   /* names a signal this customer lacks */
        bool covered = false;
        for (int i = 0; i < n_accepted && !covered; i++)
            covered = (mask & accepted[i]) == mask;
        if (covered)
            continue;
        int first = __builtin_ctz(mask);
        signal agree = sig[first];
        for (int i = first + 1; i < n && !signal_empty(&agree); i++)
            if (mask & (1u << i))
                narrow(&agree, &sig[i]);
        if (signal_empty(&agree))
            continue;
        accepted[n_accepted++] = mask;
        if (agree.countrywide) {
            result_add_countries(t, out, &agree);
        } else {
            for (int i = 0; i < agree.n_zones; i++)
                result_add(out, agree.zone[i], agree.source);
        }
        if (mask == (1u << n) - 1)
            break;                      /* all agree: every smaller group is covered */
    }
    out->conflict = n_accepted > 1;
    /* the stored zone first: the guard counts local days in it */
    for (int i = 1; own && i < out->n; i++) {
        if (out->zone[i] == own) {
            unsigned source = out->source[i];
            memmove(&out->zone[1], &out->zone[0], (size_t)i * sizeof out->zone[0]);
            memmove(&out->source[1], &out->source[0], (size_t)i * sizeof out->source[0]);
            out->zone[0] = own;
            out->source[0] = source;
            break;
        }
    }
}

void location_source_names(unsigned source, char *out, size_t size)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        { DN_LOC_TIMEZONE, "timezone" }, { DN_LOC_COUNTRY, "country" },
        { DN_LOC_PHONE, "phone" }, { DN_LOC_PROFILE, "profile" },
    };
    size_t used = 0;
    if (size)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(source & names[i].bit))
            continue;
        int w = snprintf(out + used, size > used ? size - used : 0, "%s%s", used ? "," : "",
                         names[i].name);
        if (w > 0)
            used += (size_t)w;
    }
}
