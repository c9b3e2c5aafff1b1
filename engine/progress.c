/* progress.c — terminal progress for imports and passes. */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

static double elapsed(const struct timespec *from, const struct timespec *to)
{
    return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

void progress_start(dn_progress *p, const char *what, const char *unit)
{
    p->what = what;
    p->unit = unit;
    clock_gettime(CLOCK_MONOTONIC, &p->started);
    p->last_draw = p->started;
    p->last_decile = -1;
    p->tty = isatty(STDERR_FILENO);
}

void progress_update(dn_progress *p, long done, long total)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double t = elapsed(&p->started, &now);
    double rate = t > 0 ? (double)done / t : 0;
    int decile = total > 0 ? (int)(done * 10 / total) : -1;
    if (p->tty) {
        if (elapsed(&p->last_draw, &now) < 0.2 && done != total)
            return;
        p->last_draw = now;
        if (total > 0 && rate > 0)
            fprintf(stderr, "\r%s: %ld/%ld %s (%.0f%%), %.0f %s/s, %.0fs left   ", p->what,
                    done, total, p->unit, 100.0 * (double)done / (double)total, rate, p->unit,
                    (double)(total - done) / rate);
        else
            fprintf(stderr, "\r%s: %ld %s, %.0f %s/s   ", p->what, done, p->unit, rate,
                    p->unit);
    } else if (decile != p->last_decile && decile >= 0) {
        p->last_decile = decile;
        fprintf(stderr, "%s: %ld/%ld %s, %.0f %s/s\n", p->what, done, total, p->unit, rate,
                p->unit);
    }
}

double progress_finish(dn_progress *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (p->tty)
        fputc('\n', stderr);
    return elapsed(&p->started, &now);
}
