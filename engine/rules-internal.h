/*
 * rules-internal.h — what rules.c, rules_sandbox.c and rules_facts.c share:
 * the loaded form of a rule set, the sandbox (allocator with a memory cap,
 * instruction budget and wall-clock watchdog, read-only globals, the `dn`
 * helpers) and the read-only facts `c` and `ctx` the rules are given.
 * Not part of the public interface; engine code uses rules.h only.
 */
#ifndef DN_RULES_INTERNAL_H
#define DN_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>

#include "model.h"
#include "rules.h"
#include "tz.h"

#define RULES_MAX_FILES      256
#define RULES_FILE_MAX       (1024 * 1024)   /* one rule file, bytes */
#define RULES_MAX_LANGUAGES  8
#define RULES_MAX_SEGMENTS   64
#define RULES_MAX_STEPS      128             /* per ladder */
#define RULES_TEXT_MAX       (64 * 1024)     /* input cap of the text helpers */
#define RULES_JSON_DEPTH     64
#define RULES_WHERE_MAX      128
#define RULES_NAMES          40              /* names a decision compares by address */
#define RULES_TEMPLATES_SEEN 256             /* a power of two */
#define RULES_FACTS_FIELDS   64              /* fields of c, its records and ctx */

/* ---- sandbox ---- */

/* One per lua_State; it is the allocator's opaque pointer, so every thread
 * of the state (coroutines included) reaches it through lua_getallocf().
 * It must outlive lua_close() (the allocator runs during close).
 *
 * Rules run without a hook; the watchdog (rules_sandbox.c) arms the count
 * hook on a call that runs past SANDBOX_GRACE_MS. The fields marked
 * "atomic" are shared with the watchdog thread or with the signal handler
 * that arms the hook on the evaluating thread; those marked "watchdog" are
 * the watchdog's own, under its lock. */
typedef struct rules_sandbox {
    size_t used, cap;          /* bytes held by the state, and the cap */
    bool   out_of_memory;      /* an allocation was refused since the last arm */
    bool   over_cap;           /* past the cap, within the slack: the hook raises at
                                  the next instruction, where the rule's line is known */
    lua_State *main;           /* the state itself, once open (NULL while its libraries
                                  open: the allocator arms no hook then) */
    long   budget, spent;      /* instructions allowed / used since the hook was armed */
    int    hook_step;          /* instructions between hook calls */
    int    wall_ms;
    bool   blown;              /* budget or deadline exceeded: keep raising */
    char   blown_msg[96];
    bool   frozen;             /* globals read-only (after loading) */
    char   where[RULES_WHERE_MAX];  /* first rules-file position of the last error */
    const char *entry_where;   /* position of the rule function being called */
    const struct rules_view *facts_view;  /* the facts `c` and `ctx` read, or NULL */
    int    facts_customer_ref, facts_context_ref;  /* registry: `c` and `ctx` */
    int    facts_data_ref;     /* registry: the table c reads through first */
    int    facts_tables_ref;   /* registry: the records' data tables, c's parts, names */
    bool   facts_persona_set;  /* c.persona holds the last classify() answer */
    /* the fields written before each decision, and how they are chosen
     * (rules_facts.c, "filling the data tables") */
    uint64_t facts_fill;       /* bit per field: written */
    bool     facts_filling;    /* writing facts_fill (else counting reads) */
    int      facts_decisions;  /* decisions so far in this stretch */
    uint32_t facts_reads[RULES_FACTS_FIELDS];  /* reads that reached C while counting */
    const struct facts_keys *facts_keys;  /* the field names by address (rules_facts.c) */

    int    nesting;            /* sandbox_pcall calls under way on this state */
    _Atomic(lua_State *) running;       /* atomic: the thread running Lua now */
    _Atomic uint64_t call;              /* atomic: bumped as each rule call starts */
    _Atomic uint64_t armed_call;        /* atomic: the call the hook is armed for */
    _Atomic uint64_t arm_request;       /* atomic: the call the watchdog asks to arm */
    _Atomic int64_t  arm_deadline_ns;   /* atomic: that call's deadline (monotonic) */
    bool      watched;         /* watchdog: inside sandbox_pcall on `thread` */
    pthread_t thread;          /* watchdog: the thread evaluating */
    uint64_t  seen_call;       /* watchdog: the call seen at the last look */
    int64_t   seen_since_ns;   /* watchdog: when it was first seen */
    uint64_t  requested_call;  /* watchdog: the last call it asked to arm */
    struct rules_sandbox *watch_prev, *watch_next;  /* watchdog: its list */
} rules_sandbox;

/* Creates a sandboxed state whose allocator is capped at sb->cap (which the
 * caller sets, with budget and wall_ms) and puts it under the watchdog.
 * NULL if the host is out of memory or the watchdog cannot start. */
lua_State *sandbox_open(rules_sandbox *sb);
/* Takes the state off the watchdog, then closes it; sb may be freed after. */
void sandbox_close(lua_State *L, rules_sandbox *sb);
/* Makes globals read-only: any later assignment to a global is an error. */
void sandbox_freeze(lua_State *L);
/* Compiles text (text mode only: binary chunks are refused) under
 * chunkname "@relpath" with the sandbox environment. Pushes the function, or
 * the error message; returns the Lua status. Never raises. */
int  sandbox_load(lua_State *L, const char *relpath, const char *text, size_t len);
/* Starts one rule call: a fresh budget, not armed (the watchdog arms it if
 * it runs past the grace period); entry_where names the called function
 * for errors that carry no position (out of memory). */
void sandbox_arm(lua_State *L, rules_sandbox *sb, const char *entry_where);
/* Calls a rule function inside protected code: like lua_call, with a fresh
 * budget, and raises if the budget was blown or memory ran out even when
 * the rule caught the error itself. */
void sandbox_call(lua_State *L, rules_sandbox *sb, int nargs, int nresults,
                  const char *entry_where);
/* The host's one protected path: calls the function below nargs arguments
 * with a message handler that records the first rules-file position.
 * Returns 0 with nresults pushed, or a negative errno with nothing pushed:
 * -ETIMEDOUT (instruction or time limit), -ENOMEM (memory cap), -EINVAL
 * (rule error); err->msg has the message and err->field the "file:line".
 * The caller must have checked stack space for one more slot. */
int  sandbox_pcall(lua_State *L, rules_sandbox *sb, int nargs, int nresults, dn_err *err);

/* ---- loaded rule set ---- */

typedef struct rules_file {
    char   path[256];          /* relative to the rules directory */
    char  *text;
    size_t len;
    unsigned char sha256[32];
} rules_file;

typedef struct rules_step {
    int  day, line, index;     /* index: 1-based position in the ladder */
    char channel[16];
    char template_name[DN_TOKEN_MAX];
    char tone[16];
    char voice[32];
    char language[DN_LANG_MAX];   /* "" = no override */
    char fallback[4][16];
    int  n_fallback;
    int  hours_from, hours_to;    /* minutes, -1 = the segment's */
    bool transliterate;
    dn_purpose purpose;           /* default: prevention before the due date, else reminder */
    int  when_ref;                /* LUA_NOREF when the step has no `when` */
    char where[RULES_WHERE_MAX];
} rules_step;

typedef struct rules_segment {
    char name[DN_TOKEN_MAX];
    char file[160];
    int  match_ref, decide_ref;   /* decide_ref LUA_NOREF if absent */
    char match_where[RULES_WHERE_MAX], decide_where[RULES_WHERE_MAX];
    char ladder_where[RULES_WHERE_MAX];
    int  hours_from, hours_to;
    rules_step *steps;
    int  n_steps;
    int *order;                   /* step indexes by day descending, file order */
} rules_segment;

/* Everything derived from running the files in one lua_State; rebuilt
 * from the in-memory files after a timeout or out-of-memory. */
typedef struct rules_runtime {
    lua_State     *L;
    rules_sandbox *sandbox;
    char default_language[DN_LANG_MAX];
    char languages[RULES_MAX_LANGUAGES][DN_LANG_MAX];
    int  n_languages;
    char company_name[DN_NAME_MAX];
    char pay_link[512];
    rules_segment *segments;
    int  n_segments;
    char segments_where[RULES_WHERE_MAX];
    int  classify_ref;
    char classify_where[RULES_WHERE_MAX];
    int  templates_ref;           /* { lang = templates table } */
    int  language_templates_ref[RULES_MAX_LANGUAGES];  /* templates table of languages[i] */
    /* The names a decision compares (result fields, channels, tones,
     * personas, actions) as Lua strings, kept alive by the table at
     * names_ref: Lua keeps one copy of each short string, so a string the
     * rules return is one of these names when it has the same address
     * (rules.c, name_index). */
    int  names_ref;
    const char *names[RULES_NAMES];
    /* Templates decide() returned that exist: the template name (a Lua
     * string kept alive by the table at templates_seen_ref, so no other
     * string can have its address) with the language, channel and tone it
     * was found for, in a slot chosen by all four (rules.c). */
    int  templates_seen_ref;
    struct {
        const char   *name;
        unsigned char language, channel, tone;
    } templates_seen[RULES_TEMPLATES_SEEN];
} rules_runtime;

struct dn_ruleset {
    int  refcount;
    char dir[512];
    char version[DN_VERSION_MAX];
    rules_file *files;
    int  n_files;
    rules_runtime *runtime;       /* NULL if a rebuild failed */
};

/* ---- facts ---- */

/* What the host derives from dn_facts before calling rules. */
typedef struct rules_view {
    const dn_facts *facts;
    int     anchor;               /* index of the anchor invoice, -1 if none */
    int     open_unpaid;          /* open invoices with something unpaid */
    bool    has_days;
    int     days_overdue;
    dn_time now;
    dn_date today;
    int     minute_of_day;
    int     weekday;              /* 1 = Monday .. 7 = Sunday */
    const char *version;
    const char *persona;          /* c.persona once classify() answered, else NULL */
} rules_view;

/* Fills view from facts at now in zone (facts_zone; NULL: UTC). */
void facts_view_init(rules_view *view, const dn_facts *facts, const dn_tz *zone,
                     dn_time now, const char *version);
/* The customer's zone for facts_view_init: their own, UTC when it is
 * unknown (NULL only when even UTC is missing: then the day is UTC's). */
const dn_tz *facts_zone(const dn_facts *facts);
/* Pushes five values: c's data table, the string "persona" and the table
 * of the other data tables (for facts_select and facts_set_persona), and
 * the two read-only tables the rules get, `c` and `ctx`. All are made once
 * per state and read the facts selected on access. Needs five free stack
 * slots. */
void facts_push(lua_State *L, rules_sandbox *sb);
/* Makes view the facts `c` and `ctx` read (sb->facts_view; the caller sets
 * it back to NULL when its decisions are over), with c.persona false until
 * facts_set_persona, and writes the fields the rules read often into the
 * data tables; data and tables are the indexes of facts_push's first and
 * third values. Protected code (a write may grow a table); needs four free
 * stack slots. */
void facts_select(lua_State *L, rules_sandbox *sb, const rules_view *view, int data,
                  int tables);
/* Makes the string at idx (classify's answer, already checked) c.persona
 * for the rest of the decision; data is the index of facts_push's first
 * value and view->persona points into the string. Does not allocate. */
void facts_set_persona(lua_State *L, rules_sandbox *sb, rules_view *view, int data, int idx);
/* Fills facts from a rule-test fixture table at index idx (protected code;
 * raises on a malformed fixture). */
void facts_from_fixture(lua_State *L, int idx, dn_facts *facts);
/* Makes `c`, `ctx` and their records for this state (sandbox_open). */
void facts_register(lua_State *L);

/* Bounded helpers shared by the files. */
int  rules_scan_list_lines(const char *text, size_t len, const char *key, int *key_line,
                           int *lines, int max);
int  rules_text_line(const char *text, size_t len, const char *needle);
int  rules_parse_hhmm(const char *s);

#endif
