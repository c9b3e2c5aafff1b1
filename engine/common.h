/*
 * common.h — the project-wide conventions every module uses.
 *
 * Errors: a function that can fail returns int: 0 on success or a negative
 * errno value (-EINVAL bad input, -ENOENT not found, -EEXIST conflict,
 * -ENOMEM, -EIO storage/network, -ETIMEDOUT, -E2BIG too large, -EBUSY).
 * When the caller passes a dn_err, the callee also fills it with what failed
 * and where (a field name, or "file:line" for rules). dn_err_set() returns
 * its code so a failure path reads `return dn_err_set(err, -EINVAL, ...)`.
 *
 * Time: dn_time is seconds since the Unix epoch, UTC. Calendar dates are
 * dn_date, days since 1970-01-01 (proleptic Gregorian); DN_NO_DATE stands
 * for "no date" (an invoice without a due date) and is never 1970.
 */
#ifndef DN_COMMON_H
#define DN_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t dn_time;
typedef int32_t dn_date;
#define DN_NO_DATE INT32_MIN
/* The years dn_date_parse and dn_time_parse accept (error messages name them). */
#define DN_TIME_YEAR_MIN 1900
#define DN_TIME_YEAR_MAX 2200

typedef struct dn_err {
    int  code;        /* negative errno; 0 while nothing failed */
    char field[96];   /* offending field or "file:line"; "" if none */
    char msg[400];    /* one precise sentence for a person */
} dn_err;

/* Fills err (if not NULL) and returns code. field may be NULL. */
int dn_err_set(dn_err *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void dn_err_clear(dn_err *err);

/* Bounded copy: always NUL-terminates, returns false if src was cut. */
bool dn_strlcpy(char *dst, const char *src, size_t size);

/* ---- logging: one line per event, "ts level module: message" on stderr ---- */
typedef enum dn_log_level { DN_LOG_DEBUG, DN_LOG_INFO, DN_LOG_WARN, DN_LOG_ERROR } dn_log_level;
void dn_log_set_level(dn_log_level level);
void dn_log(dn_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Masks a phone number or e-mail address for logs ("+3712****89",
 * "a***@example.com"); out always NUL-terminated. */
void dn_mask_address(const char *addr, char *out, size_t size);

/* ---- calendar dates ---- */
dn_date dn_date_from_ymd(int y, int m, int d);
void    dn_date_to_ymd(dn_date day, int *y, int *m, int *d);
int     dn_date_weekday(dn_date day);                 /* 0 = Sunday .. 6 */
/* Parses exactly "YYYY-MM-DD" (a real calendar day of the years
 * DN_TIME_YEAR_MIN..DN_TIME_YEAR_MAX); -EINVAL otherwise. */
int     dn_date_parse(const char *s, dn_date *out);
/* Writes "YYYY-MM-DD" (11 bytes with NUL) or "" for DN_NO_DATE. */
void    dn_date_format(dn_date day, char out[11]);
/* Parses RFC 3339 "YYYY-MM-DDTHH:MM:SSZ" or with "+HH:MM" offset, or a bare
 * date (midnight UTC); -EINVAL otherwise. */
int     dn_time_parse(const char *s, dn_time *out);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL). */
void    dn_time_format(dn_time t, char out[21]);
dn_time dn_now(void);

#endif
