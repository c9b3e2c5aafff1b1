/*
 * progress.h — progress of long CLI jobs on a terminal: done/total, rate and
 * time left, redrawn in place at most 5 times a second; on a non-terminal,
 * one line per 10% so logs stay readable.
 */
#ifndef DN_PROGRESS_H
#define DN_PROGRESS_H

#include <time.h>

typedef struct dn_progress {
    const char *what;            /* "import", "pass" */
    const char *unit;            /* "rows", "customers" */
    struct timespec started, last_draw;
    int last_decile;
    int tty;
} dn_progress;

void progress_start(dn_progress *p, const char *what, const char *unit);
void progress_update(dn_progress *p, long done, long total);
/* Seconds since start. */
double progress_finish(dn_progress *p);

#endif
