/*
 * rules.h — the analysts' Lua rule set: loading, checking, deciding,
 * rendering and rule tests. A dn_ruleset is immutable once loaded and
 * reference-counted: the server swaps one pointer on reload and a pass that
 * started with a set keeps it until the pass ends (no pass mixes versions).
 * Not thread-safe: one set is used from one thread at a time. Different
 * sets may be used on different threads at once (the server builds and
 * tests a reload on a worker thread while the loop decides with the live
 * set): sets share no state, only the limits rules_set_limits fixed at
 * start-up.
 *
 * Layout of a rules directory (the rules guide, docs/rules-guide.md, is the
 * analyst-facing description):
 *   rules.lua            settings + ordered segment list with match()
 *   personas.lua         classify(c) -> "friendly"|"businessman"|"invisible"|"fighter"
 *   segments/NAME.lua    { describe, hours, ladder = {...}, decide = fn? }
 *   templates/LANG.lua   { [template] = { [channel] = { [tone] = text | {subject, body} } } }
 *   tests/NAME.lua        rule tests: fixture + time -> expected decision
 */
#ifndef DN_RULES_H
#define DN_RULES_H

#include <stdio.h>

#include "model.h"

typedef struct dn_ruleset dn_ruleset;

/* A list of problems found while loading/checking, each "file:line: msg". */
typedef struct dn_rule_errors {
    int  n;
    char items[64][400];
} dn_rule_errors;

/* Loads dir, compiles every file in a fresh sandboxed state and checks every
 * reference (unknown channel, template, tone, language, missing template for
 * a (language, channel, tone) a ladder can reach). On any problem returns
 * -EINVAL with all of them in errs and *out untouched. The version is the
 * first 16 hex digits of a SHA-256 over the files' names and contents. */
int  rules_load(const char *dir, dn_ruleset **out, dn_rule_errors *errs);
void rules_retain(dn_ruleset *rs);
void rules_release(dn_ruleset *rs);          /* frees at zero */
const char *rules_version(const dn_ruleset *rs);
const char *rules_dir(const dn_ruleset *rs);
/* Files of the set and their digests: [{"file":..,"sha256":..}] (new ref). */
struct json_t *rules_files_json(const dn_ruleset *rs);

/* The segment of a decision made without running any rule: the customer
 * has no open invoice with anything unpaid (action none). */
#define DN_SEGMENT_NOTHING_OWED "(nothing owed)"

/* Decides for one customer at `now`. Never fails the caller: a rule error,
 * timeout or out-of-memory yields action DN_ACT_ERROR with reason and
 * where = "file:line". A customer with nothing owed gets action none in
 * segment DN_SEGMENT_NOTHING_OWED, no rule called. Returns 0, or -ENOMEM
 * only if the host itself is out of memory. */
int  rules_decide(dn_ruleset *rs, const dn_facts *f, dn_time now, dn_decision *out);
/* Decides for n customers at `now`: out[i] is what rules_decide would give
 * for facts[i], one customer's error failing only that customer. One entry
 * into the Lua state serves the whole batch (a limit blown rebuilds the
 * state and goes on with the next customer), which saves a protected call
 * per customer. Returns 0, or -ENOMEM only if the host itself is out of
 * memory. */
int  rules_decide_batch(dn_ruleset *rs, const dn_facts *facts, int n, dn_time now,
                        dn_decision *out);

/* Renders the decision's template for the customer. subject may be "" for
 * channels without one; *body is malloc'd and owned by the caller. */
int  rules_render(dn_ruleset *rs, const dn_decision *d, const dn_facts *f, dn_time now,
                  char *subject, size_t subject_size, char **body, dn_err *err);

/* Runs the analysts' rule tests in DIR/tests; prints one line per failure
 * and a final "N passed, M failed" to report. A test whose decision is a
 * contact also renders its message (a message that cannot be rendered
 * fails the test); a failing rule is named by its file:line. Returns 0 if
 * all passed. */
int  rules_run_tests(dn_ruleset *rs, FILE *report, int *passed, int *failed);

/* Limits of the sandbox (defaults in rules.c; the config may lower them).
 * A call runs unhooked until the watchdog arms it, 1-2 ms after it started
 * (rules_sandbox.c); the budget counts from then, the time from when the
 * watchdog first saw the call running. */
typedef struct dn_rule_limits {
    long   instructions;     /* per call (match, classify, when, decide), from arming */
    size_t memory_bytes;     /* per Lua state */
    int    wall_ms;          /* per call, from when the watchdog first saw it */
} dn_rule_limits;
void rules_set_limits(const dn_rule_limits *l);

#endif
