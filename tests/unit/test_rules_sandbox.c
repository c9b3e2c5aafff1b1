/*
 * test_rules_sandbox.c — every case of /work/shared/cases/lua-sandbox.md as
 * a table row: hostile rule code (loops inside pcall, xpcall handlers and
 * coroutines, memory bombs, leftover loaders, native helpers with edge
 * values) must fail alone. Each hostile customer gets DN_ACT_ERROR with a
 * reason and a "file:line" where; right after it the same rule set must
 * still decide a normal customer correctly. Rule files that are binary
 * chunks or blow a limit while loading are refused with file:line.
 *
 * The hostile code runs as the name of the customer "EVAL" through
 * tests/fixtures/rules-sandbox/segments/probe.lua.
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

#include <lauxlib.h>
#include <lua.h>

#include "rules.h"

#define FIXTURE DN_SOURCE_DIR "/tests/fixtures/rules-sandbox"

static dn_time at(const char *text)
{
    dn_time t = 0;
    assert_int_equal(dn_time_parse(text, &t), 0);
    return t;
}

/* A customer with one open 12.50 EUR invoice due 2026-03-01. */
static void customer(dn_facts *f, const char *id, const char *name)
{
    memset(f, 0, sizeof *f);
    dn_strlcpy(f->customer.external_id, id, sizeof f->customer.external_id);
    dn_strlcpy(f->customer.name, name, sizeof f->customer.name);
    dn_strlcpy(f->customer.language, "en", sizeof f->customer.language);
    dn_strlcpy(f->customer.timezone, "Europe/Riga", sizeof f->customer.timezone);
    dn_strlcpy(f->customer.phone, "+37120000001", sizeof f->customer.phone);
    f->customer.hold_until = DN_NO_DATE;
    f->stage_day = INT32_MIN;
    f->promise_due = DN_NO_DATE;
    f->case_anchor_due = DN_NO_DATE;
    f->n_invoices = 1;
    dn_strlcpy(f->invoices[0].external_id, "I1", sizeof f->invoices[0].external_id);
    dn_strlcpy(f->invoices[0].currency, "EUR", sizeof f->invoices[0].currency);
    f->invoices[0].amount_minor = 1250;
    f->invoices[0].issued = DN_NO_DATE;
    assert_int_equal(dn_date_parse("2026-03-01", &f->invoices[0].due), 0);
    f->invoices[0].status = DN_INV_OPEN;
}

/* The normal customer after every hostile one: day 0 → the only step. */
static void assert_normal_customer_decides(dn_ruleset *rs, const char *after)
{
    dn_facts *f = calloc(1, sizeof *f);
    dn_decision d;
    assert_non_null(f);
    customer(f, "N1", "Anna Ozola");
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    if (d.action != DN_ACT_CONTACT || strcmp(d.template_name, "notice") != 0 || d.step_day != 0)
        fail_msg("after '%s' the normal customer got %s (%s)", after, dn_action_names[d.action],
                 d.reason);
    free(f);
}

typedef struct hostile_row {
    const char *name;
    const char *code;           /* Lua run with c as its argument */
    dn_action   action;         /* ERROR, or CONTACT when the code returns true */
    const char *reason;         /* substring of the reason for ERROR rows */
} hostile_row;

static const hostile_row hostile_rows[] = {
    /* leftover loaders and process access: nil (an error to read) or harmless */
    { "package", "return package", DN_ACT_ERROR, "undefined global 'package'" },
    { "require", "return require('os')", DN_ACT_ERROR, "undefined global 'require'" },
    { "dofile", "return dofile('/etc/passwd')", DN_ACT_ERROR, "undefined global 'dofile'" },
    { "loadfile", "return loadfile('/etc/passwd')", DN_ACT_ERROR, "undefined global 'loadfile'" },
    { "loadstring", "return loadstring('return 1')", DN_ACT_ERROR,
      "undefined global 'loadstring'" },
    { "debug", "return debug.getinfo(1)", DN_ACT_ERROR, "undefined global 'debug'" },
    { "collectgarbage", "return collectgarbage('count')", DN_ACT_ERROR,
      "undefined global 'collectgarbage'" },
    { "io", "return io.open('/etc/passwd')", DN_ACT_ERROR, "undefined global 'io'" },
    { "os keeps only time, date, clock",
      "return os.execute == nil and os.getenv == nil and os.exit == nil and os.remove == nil "
      "and os.time() > 0 and os.clock() >= 0",
      DN_ACT_CONTACT, NULL },
    { "string.dump is gone", "return string.dump == nil", DN_ACT_CONTACT, NULL },
    { "load of a binary string fails",
      "local f, e = load('\\27LuaT\\0\\25\\147\\r\\n') return f == nil and e:find('binary') ~= nil",
      DN_ACT_CONTACT, NULL },
    { "load ignores a caller's environment", "return load('return dn', 'x', 't', {})() ~= nil",
      DN_ACT_CONTACT, NULL },
    { "string metatable protected", "return getmetatable('') == 'protected'", DN_ACT_CONTACT,
      NULL },
    { "rawset removed", "rawset(_G, 'x', 1) return true", DN_ACT_ERROR,
      "undefined global 'rawset'" },
    { "globals read-only", "x = 1 return true", DN_ACT_ERROR, "read-only" },
    { "_G read-only", "_G.print = nil return true", DN_ACT_ERROR, "read-only" },
    { "library tables read-only", "string.upper = nil return true", DN_ACT_ERROR, "read-only" },
    { "facts read-only", "local c = ... c.name = 'x' return true", DN_ACT_ERROR, "read-only" },
    { "nested facts read-only", "local c = ... c.holds.vulnerable = true return true",
      DN_ACT_ERROR, "read-only" },
    /* time limit that pcall, xpcall and coroutines cannot swallow */
    { "loop inside pcall, then loop again",
      "pcall(function() while true do end end) while true do end", DN_ACT_ERROR,
      "instruction limit exceeded" },
    { "pcall around a loop, forever",
      "while true do pcall(function() while true do end end) end", DN_ACT_ERROR,
      "instruction limit exceeded" },
    { "xpcall handler that loops",
      "xpcall(function() error('x') end, function() while true do end end) return true",
      DN_ACT_ERROR, "instruction limit exceeded" },
    { "loop inside a coroutine",
      "local co = coroutine.create(function() while true do end end) coroutine.resume(co) "
      "return true",
      DN_ACT_ERROR, "instruction limit exceeded" },
    { "loop inside coroutine.wrap under pcall",
      "pcall(coroutine.wrap(function() while true do end end)) return true", DN_ACT_ERROR,
      "instruction limit exceeded" },
    { "__gc finalizer refused",
      "setmetatable({}, {__gc = function() while true do end end}) return true", DN_ACT_ERROR,
      "__gc metamethods are not allowed" },
    { "__close handler that loops",
      "do local x <close> = setmetatable({}, {__close = function() while true do end end}) end "
      "return true",
      DN_ACT_ERROR, "instruction limit exceeded" },
    { "xpcall still calls its handler", "return select(2, xpcall(error, function(m) return m == "
      "'boom' end, 'boom'))", DN_ACT_CONTACT, NULL },
    /* memory bombs */
    { "string doubled towards 1 GB", "local s = 'x' while true do s = s .. s end", DN_ACT_ERROR,
      "memory limit exceeded" },
    { "table filled without bound",
      "local t = {} while true do t[#t + 1] = string.rep('x', 1000000) .. #t end", DN_ACT_ERROR,
      "memory limit exceeded" },
    { "out of memory caught by pcall", "pcall(string.rep, 'x', 1 << 30) return true",
      DN_ACT_ERROR, "memory limit exceeded" },
    { "300 MB string", "return #string.rep('a', 300 * 1024 * 1024) > 0", DN_ACT_ERROR,
      "memory limit exceeded" },
    /* pattern matches: one C call the instruction hook cannot interrupt, so
     * a worst case over SANDBOX_PATTERN_STEPS is refused up front */
    { "balance item on a long text", "return string.find(string.rep('a', 100000), '%bac')",
      DN_ACT_ERROR, "could run too long" },
    { "long literal pattern", "return string.find(string.rep('a', 300000), "
      "string.rep('a', 20000) .. '.b')", DN_ACT_ERROR, "could run too long" },
    { "back-reference", "return string.find(string.rep('a', 100000), '(a+)%1b')", DN_ACT_ERROR,
      "could run too long" },
    { "four lazy repetitions", "return string.match(string.rep('a', 5000), 'a-a-a-a-b')",
      DN_ACT_ERROR, "could run too long" },
    { "refused fast, as an error pcall can see",
      "local ok, e = pcall(string.gsub, string.rep('(', 50000), '%b()', '') "
      "return not ok and e:find('could run too long') ~= nil", DN_ACT_CONTACT, NULL },
    { "ordinary patterns still work",
      "return ('UCI-123'):match('^UCI%-(%d+)$') == '123' and "
      "select(2, string.gsub(string.rep('ab', 5000), 'a', 'x')) == 5000 and "
      "('(x(y))z'):match('%b()') == '(x(y))'", DN_ACT_CONTACT, NULL },
    /* native helpers: large inputs and deep tables */
    { "64 KiB text is allowed", "return #dn.translit(string.rep('a', 65536)) == 65536",
      DN_ACT_CONTACT, NULL },
    { "text over 64 KiB refused", "return dn.translit(string.rep('a', 65537))", DN_ACT_ERROR,
      "too long" },
    { "sms_info over 64 KiB refused", "return dn.sms_info(string.rep('a', 65537))", DN_ACT_ERROR,
      "too long" },
    { "table nested 10 000 deep",
      "local t = {} for i = 1, 10000 do t = {t} end return dn.json(t)", DN_ACT_ERROR,
      "nested deeper than 64" },
    { "table that contains itself", "local t = {} t.t = t return dn.json(t)", DN_ACT_ERROR,
      "nested deeper than 64" },
    { "json of a function", "return dn.json(print)", DN_ACT_ERROR, "no JSON form" },
    { "money with math.mininteger", "return dn.money(math.mininteger, 'EUR', 'en')",
      DN_ACT_ERROR, "must not be negative" },
    { "money with an unknown currency", "return dn.money(100, 'XXZ', 'en')", DN_ACT_ERROR,
      "cannot format" },
    { "date that is not a calendar day", "return dn.date('2026-02-30', 'en')", DN_ACT_ERROR,
      "not a date" },
    /* helpers working normally (expected values from the rules guide) */
    { "dn.json sorted and compact",
      "return dn.json({b = {true, 'x'}, a = 1}) == '{\"a\":1,\"b\":[true,\"x\"]}'",
      DN_ACT_CONTACT, NULL },
    { "dn.days_between", "return dn.days_between('2026-03-01', '2026-03-31') == 30",
      DN_ACT_CONTACT, NULL },
    { "dn.money in English", "return dn.money(1250, 'EUR', 'en') == '€12.50'", DN_ACT_CONTACT,
      NULL },
};

static void check_hostile(dn_ruleset *rs, const char *name, const char *code, dn_action action,
                          const char *reason)
{
    dn_facts *f = calloc(1, sizeof *f);
    dn_decision d;
    assert_non_null(f);
    customer(f, "EVAL", "");
    assert_true(dn_strlcpy(f->customer.name, code, sizeof f->customer.name));
    assert_int_equal(rules_decide(rs, f, at("2026-03-01T10:00:00Z"), &d), 0);
    if (d.action != action)
        fail_msg("%s: expected %s got %s (%s)", name, dn_action_names[action],
                 dn_action_names[d.action], d.reason);
    if (action == DN_ACT_ERROR) {
        if (!strstr(d.reason, reason))
            fail_msg("%s: reason '%s' lacks '%s'", name, d.reason, reason);
        /* the where names the rules file and a line */
        if (strncmp(d.where, "segments/probe.lua:", 19) != 0 || atoi(d.where + 19) <= 0)
            fail_msg("%s: where '%s' is not segments/probe.lua:LINE", name, d.where);
        assert_string_equal(d.persona, "friendly");
        assert_string_equal(d.segment, "probe");
    }
    free(f);
    assert_normal_customer_decides(rs, name);
}

static void test_hostile_rules(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    (void)state;
    if (rules_load(FIXTURE, &rs, &errs) != 0)
        fail_msg("fixture refused: %s", errs.n ? errs.items[0] : "?");
    for (size_t i = 0; i < sizeof hostile_rows / sizeof hostile_rows[0]; i++)
        check_hostile(rs, hostile_rows[i].name, hostile_rows[i].code, hostile_rows[i].action,
                      hostile_rows[i].reason);
    rules_release(rs);
}

/* Every native helper with every edge value of the case file: a Lua error
 * each time, except dn.json, which encodes exact integers up to 2^53 - 1. */
static const char *const edge_values[] = { "-2147483648", "-1", "2^31", "2^53",
                                           "0/0", "1/0", "-1/0" };
static const struct {
    const char *before, *after; /* the call around the value */
    dn_action   action[7];      /* per edge value */
} edge_rows[] = {
    { "return dn.money(", ", 'EUR', 'en')", { DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                            DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                            DN_ACT_ERROR } },
    { "return dn.money(100, ", ", 'en')", { DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                          DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                          DN_ACT_ERROR } },
    { "return dn.date(", ", 'en')", { DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                    DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR } },
    { "return dn.days_between('2026-01-01', ", ")", { DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                                    DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                                    DN_ACT_ERROR } },
    { "return dn.translit(", ")", { DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                  DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR } },
    { "return dn.sms_info(", ")", { DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR,
                                  DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR } },
    { "return dn.json(", ")", { DN_ACT_CONTACT, DN_ACT_CONTACT, DN_ACT_CONTACT, DN_ACT_ERROR,
                              DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_ERROR } },
};

static void test_helper_edge_values(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    (void)state;
    assert_int_equal(rules_load(FIXTURE, &rs, &errs), 0);
    for (size_t r = 0; r < sizeof edge_rows / sizeof edge_rows[0]; r++) {
        for (size_t v = 0; v < sizeof edge_values / sizeof edge_values[0]; v++) {
            char code[200];
            snprintf(code, sizeof code, "%s%s%s", edge_rows[r].before, edge_values[v],
                     edge_rows[r].after);
            check_hostile(rs, code, code, edge_rows[r].action[v], "dn.");
        }
    }
    rules_release(rs);
}

/* ---- a batch: one customer's failure is that customer's alone ---- */

#define BATCH_MAX 5
/* In a row's code: the normal customer of assert_normal_customer_decides,
 * and one who owes nothing (decided without the rules). */
#define NORMAL    NULL
static const char paid_marker[] = "(owes nothing)";
#define PAID      paid_marker

typedef struct batch_row {
    const char *name;
    int         n;
    const char *code[BATCH_MAX];     /* NORMAL, PAID or Lua code run as the customer "EVAL" */
    dn_action   action[BATCH_MAX];
    const char *reason[BATCH_MAX];   /* substring of the reason of ERROR and NONE decisions */
} batch_row;

static const batch_row batch_rows[] = {
    { "a rule error between two normal customers", 3, { NORMAL, "error('boom')", NORMAL },
      { DN_ACT_CONTACT, DN_ACT_ERROR, DN_ACT_CONTACT }, { NULL, "boom", NULL } },
    { "an endless loop rebuilds the state and the batch goes on", 4,
      { NORMAL, "while true do end", NORMAL, NORMAL },
      { DN_ACT_CONTACT, DN_ACT_ERROR, DN_ACT_CONTACT, DN_ACT_CONTACT },
      { NULL, "instruction limit exceeded", NULL, NULL } },
    { "a loop inside pcall, then another, first in the batch", 2,
      { "pcall(function() while true do end end) while true do end", NORMAL },
      { DN_ACT_ERROR, DN_ACT_CONTACT }, { "instruction limit exceeded", NULL } },
    { "a memory bomb last", 3, { NORMAL, NORMAL, "local s = 'x' while true do s = s .. s end" },
      { DN_ACT_CONTACT, DN_ACT_CONTACT, DN_ACT_ERROR }, { NULL, NULL, "memory limit exceeded" } },
    { "two failures in a row and a customer who owes nothing", 5,
      { "error('first')", "while true do end", PAID, "error('third')", NORMAL },
      { DN_ACT_ERROR, DN_ACT_ERROR, DN_ACT_NONE, DN_ACT_ERROR, DN_ACT_CONTACT },
      { "first", "instruction limit exceeded", "nothing owed", "third", NULL } },
};

static void test_batch_failures_stay_alone(void **state)
{
    dn_rule_errors errs;
    dn_ruleset *rs = NULL;
    dn_facts *facts = calloc(BATCH_MAX, sizeof *facts);
    dn_decision decisions[BATCH_MAX];
    (void)state;
    assert_non_null(facts);
    assert_int_equal(rules_load(FIXTURE, &rs, &errs), 0);
    for (size_t r = 0; r < sizeof batch_rows / sizeof batch_rows[0]; r++) {
        const batch_row *row = &batch_rows[r];
        for (int i = 0; i < row->n; i++) {
            const char *code = row->code[i];
            customer(&facts[i], code && code != PAID ? "EVAL" : "N1",
                     code && code != PAID ? code : "Anna Ozola");
            if (code == PAID)
                facts[i].invoices[0].paid_minor = facts[i].invoices[0].amount_minor;
        }
        assert_int_equal(rules_decide_batch(rs, facts, row->n, at("2026-03-01T10:00:00Z"),
                                            decisions), 0);
        for (int i = 0; i < row->n; i++) {
            const dn_decision *d = &decisions[i];
            if (d->action != row->action[i])
                fail_msg("%s, customer %d: expected %s got %s (%s)", row->name, i + 1,
                         dn_action_names[row->action[i]], dn_action_names[d->action], d->reason);
            if (row->reason[i] && !strstr(d->reason, row->reason[i]))
                fail_msg("%s, customer %d: reason '%s' lacks '%s'", row->name, i + 1, d->reason,
                         row->reason[i]);
            if (d->action == DN_ACT_ERROR &&
                (strncmp(d->where, "segments/probe.lua:", 19) != 0 || atoi(d->where + 19) <= 0))
                fail_msg("%s, customer %d: where '%s' is not segments/probe.lua:LINE", row->name,
                         i + 1, d->where);
            if (d->action == DN_ACT_CONTACT &&
                (strcmp(d->template_name, "notice") != 0 || d->step_day != 0 ||
                 strcmp(d->persona, "friendly") != 0))
                fail_msg("%s, customer %d: contact %s day %d persona %s", row->name, i + 1,
                         d->template_name, d->step_day, d->persona);
        }
    }
    rules_release(rs);
    free(facts);
}

/* ---- rule files refused at load ---- */

typedef struct buffer {
    char  *data;
    size_t len;
} buffer;

static int dump_writer(lua_State *L, const void *p, size_t size, void *ud)
{
    buffer *b = ud;
    (void)L;
    char *grown = realloc(b->data, b->len + size);
    if (!grown)
        return 1;
    memcpy(grown + b->len, p, size);
    b->data = grown;
    b->len += size;
    return 0;
}

static void write_file(const char *dir, const char *rel, const char *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(data, 1, len, out), len);
    fclose(out);
}

static void copy_fixture_file(const char *dir, const char *rel)
{
    char path[512], data[8192];
    snprintf(path, sizeof path, "%s/%s", FIXTURE, rel);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    size_t n = fread(data, 1, sizeof data, in);
    fclose(in);
    write_file(dir, rel, data, n);
}

static const char *const fixture_files[] = { "rules.lua", "personas.lua", "segments/probe.lua",
                                             "templates/en.lua" };

typedef struct load_row {
    const char *name;
    const char *file;           /* replaced in a copy of the fixture */
    const char *content;        /* NULL: a precompiled binary chunk */
    const char *error;          /* expected at the start of an error item */
    const char *message;        /* and somewhere in it */
} load_row;

static const load_row load_rows[] = {
    { "binary chunk file", "personas.lua", NULL, "personas.lua:1:", "binary chunk refused" },
    { "endless loop while loading", "personas.lua", "while true do end\n", "personas.lua:1:",
      "instruction limit exceeded" },
    { "memory bomb while loading", "personas.lua",
      "local s = 'x'\nwhile true do s = s .. s end\n", "personas.lua:", "memory limit exceeded" },
    { "syntax error", "segments/probe.lua", "return {\n  describe = 'x',\n  ladder = { { day = } },\n}\n",
      "segments/probe.lua:3:", "unexpected symbol" },
    { "loading code that calls load on a binary string", "personas.lua",
      "assert(load('\\27LuaT'))\nreturn { classify = function() return 'friendly' end }\n",
      "personas.lua:1:", "binary" },
};

static void test_files_refused_at_load(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof load_rows / sizeof load_rows[0]; i++) {
        const load_row *row = &load_rows[i];
        char dir[] = "/tmp/dn-rules-sandbox-XXXXXX", sub[600];
        dn_rule_errors errs;
        dn_ruleset *rs = NULL;
        buffer binary = { NULL, 0 };

        assert_non_null(mkdtemp(dir));
        snprintf(sub, sizeof sub, "%s/segments", dir);
        assert_int_equal(mkdir(sub, 0700), 0);
        snprintf(sub, sizeof sub, "%s/templates", dir);
        assert_int_equal(mkdir(sub, 0700), 0);
        for (size_t k = 0; k < 4; k++)
            copy_fixture_file(dir, fixture_files[k]);
        if (row->content) {
            write_file(dir, row->file, row->content, strlen(row->content));
        } else {
            lua_State *L = luaL_newstate();
            assert_int_equal(luaL_loadstring(L, "return { classify = function() return "
                                                "'friendly' end }"), LUA_OK);
            assert_int_equal(lua_dump(L, dump_writer, &binary, 0), 0);
            lua_close(L);
            write_file(dir, row->file, binary.data, binary.len);
            free(binary.data);
        }
        int rc = rules_load(dir, &rs, &errs);
        bool found = false;
        for (int k = 0; k < errs.n; k++)
            found = found || (strncmp(errs.items[k], row->error, strlen(row->error)) == 0 &&
                              strstr(errs.items[k], row->message));
        if (rc != -EINVAL || !found)
            fail_msg("%s: rc %d, %d errors, first '%s'", row->name, rc, errs.n,
                     errs.n ? errs.items[0] : "");
        assert_null(rs);
        for (size_t k = 0; k < 4; k++) {
            snprintf(sub, sizeof sub, "%s/%s", dir, fixture_files[k]);
            unlink(sub);
        }
        snprintf(sub, sizeof sub, "%s/segments", dir);
        rmdir(sub);
        snprintf(sub, sizeof sub, "%s/templates", dir);
        rmdir(sub);
        rmdir(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_rules),
        cmocka_unit_test(test_helper_edge_values),
        cmocka_unit_test(test_batch_failures_stay_alone),
        cmocka_unit_test(test_files_refused_at_load),
    };
    dn_log_set_level(DN_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
