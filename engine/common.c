/* common.c — errors, logging, address masking and calendar arithmetic. */
#include "common.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

int dn_err_set(dn_err *err, int code, const char *field, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        dn_strlcpy(err->field, field ? field : "", sizeof err->field);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void dn_err_clear(dn_err *err)
{
    if (err) {
        err->code = 0;
        err->field[0] = '\0';
        err->msg[0] = '\0';
    }
}

bool dn_strlcpy(char *dst, const char *src, size_t size)
{
    if (size == 0)
        return false;
    size_t n = strlen(src);
    bool fits = n < size;
    if (!fits)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return fits;
}

static dn_log_level log_threshold = DN_LOG_INFO;

void dn_log_set_level(dn_log_level level) { log_threshold = level; }

void dn_log(dn_log_level level, const char *module, const char *fmt, ...)
{
    static const char *const names[] = { "debug", "info", "warn", "error" };
    if (level < log_threshold)
        return;
    char ts[21];
    dn_time_format(dn_now(), ts);
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* one event per line: newlines inside a message are flattened */
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "%s %-5s %s: %s\n", ts, names[level], module, line);
}

void dn_mask_address(const char *addr, char *out, size_t size)
{
    if (!addr || !*addr) {
        dn_strlcpy(out, "", size);
        return;
    }
    const char *at = strchr(addr, '@');
    char buf[128];
    if (at) {
        /* keep the first character of the local part and the domain */
        snprintf(buf, sizeof buf, "%c***%.100s", addr[0], at);
    } else {
        size_t n = strlen(addr);
        if (n <= 6)
            snprintf(buf, sizeof buf, "****");
        else
            snprintf(buf, sizeof buf, "%.5s****%s", addr, addr + n - 2);
    }
    dn_strlcpy(out, buf, size);
}

/* Days from civil date, after H. Hinnant's public-domain algorithm
 * description ("chrono-compatible low-level date algorithms"). */
dn_date dn_date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (dn_date)(era * 146097 + (int)doe - 719468);
}

void dn_date_to_ymd(dn_date day, int *y, int *m, int *d)
{
    int z = day + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)yoe + era * 400 + (mm <= 2);
    *m = (int)mm;
    *d = (int)dd;
}

int dn_date_weekday(dn_date day)
{
    /* 1970-01-01 was a Thursday (4) */
    int w = (int)((day % 7 + 7 + 4) % 7);
    return w;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

static int parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (parse_digits(s, 4, y) || s[4] != '-' || parse_digits(s + 5, 2, m) ||
        s[7] != '-' || parse_digits(s + 8, 2, d))
        return -EINVAL;
    if (*y < DN_TIME_YEAR_MIN || *y > DN_TIME_YEAR_MAX || *m < 1 || *m > 12 || *d < 1 ||
        *d > days_in_month(*y, *m))
        return -EINVAL;
    return 0;
}

int dn_date_parse(const char *s, dn_date *out)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || parse_ymd(s, &y, &m, &d))
        return -EINVAL;
    *out = dn_date_from_ymd(y, m, d);
    return 0;
}

void dn_date_format(dn_date day, char out[11])
{
    if (day == DN_NO_DATE) {
        out[0] = '\0';
        return;
    }
    int y, m, d;
    dn_date_to_ymd(day, &y, &m, &d);
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, m, d);
    dn_strlcpy(out, tmp, 11);
}

int dn_time_parse(const char *s, dn_time *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!s)
        return -EINVAL;
    size_t n = strlen(s);
    if (n < 10 || parse_ymd(s, &y, &mo, &d))
        return -EINVAL;
    dn_time t = (dn_time)dn_date_from_ymd(y, mo, d) * 86400;
    if (n == 10) {
        *out = t;
        return 0;
    }
    if ((s[10] != 'T' && s[10] != ' ') || n < 19 || parse_digits(s + 11, 2, &h) ||
        s[13] != ':' || parse_digits(s + 14, 2, &mi) || s[16] != ':' ||
        parse_digits(s + 17, 2, &sec) || h > 23 || mi > 59 || sec > 60)
        return -EINVAL;
    t += h * 3600 + mi * 60 + sec;
    const char *z = s + 19;
    if (*z == '.') {                  /* fractional seconds are ignored */
        z++;
        while (*z >= '0' && *z <= '9')
            z++;
    }
    if (strcmp(z, "Z") == 0 || strcmp(z, "z") == 0) {
        *out = t;
        return 0;
    }
    int oh, om;
    if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && !parse_digits(z + 1, 2, &oh) &&
        z[3] == ':' && !parse_digits(z + 4, 2, &om) && oh <= 23 && om <= 59) {
        int off = oh * 3600 + om * 60;
        *out = z[0] == '+' ? t - off : t + off;
        return 0;
    }
    return -EINVAL;
}

void dn_time_format(dn_time t, char out[21])
{
    dn_date day = (dn_date)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
    int secs = (int)(t - (dn_time)day * 86400);
    int y, m, d;
    dn_date_to_ymd(day, &y, &m, &d);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, m, d, secs / 3600,
             secs / 60 % 60, secs % 60);
    dn_strlcpy(out, tmp, 21);
}

dn_time dn_now(void)
{
    return (dn_time)time(NULL);
}
