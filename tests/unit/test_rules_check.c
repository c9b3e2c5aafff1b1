/*
 * test_rules_check.c — what check-rules and test-rules report, one row per
 * case: a small valid rule set written into a temporary folder, one file
 * replaced per row, and the errors (check-rules) or the report lines
 * (test-rules) expected. Every expected message and file:line is worked
 * out by hand from the row's files (line numbers counted in the texts
 * below).
 *
 * Rows cover: fields rendered later and therefore checked at load (the pay
 * link, _opt_out), `describe` being optional, one error per step for a
 * template missing from several languages or channels, and test-rules
 * naming the rule's line for a limit hit inside a rule.
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

#include "rules.h"

/* ---- the base rule set ---- */

static const char base_rules[] =
    "return {\n"                                                               /* 1 */
    "  name = \"Check fixture\",\n"                                            /* 2 */
    "  default_language = \"en\",\n"                                           /* 3 */
    "  languages = { \"en\", \"lv\" },\n"                                      /* 4 */
    "  company = { name = \"Test Co\",\n"                                      /* 5 */
    "              pay_link = \"https://pay.test/c/{customer_id}\" },\n"       /* 6 */
    "  segments = {\n"                                                         /* 7 */
    "    { name = \"standard\", match = function(c) return true end },\n"      /* 8 */
    "  },\n"
    "}\n";

static const char base_personas[] =
    "return { classify = function(c) return \"friendly\" end }\n";

static const char base_segment[] =
    "return {\n"                                                               /* 1 */
    "  describe = \"Everyone\",\n"                                             /* 2 */
    "  ladder = {\n"                                                           /* 3 */
    "    { day = 1, channel = \"sms\", template = \"overdue\", tone = \"friendly\",\n" /* 4 */
    "      fallback = { \"email\" } },\n"                                      /* 5 */
    "  },\n"
    "}\n";

static const char base_en[] =
    "return {\n"                                                               /* 1 */
    "  _opt_out = \"Reply STOP.\",\n"                                          /* 2 */
    "  overdue = {\n"                                                          /* 3 */
    "    sms = { friendly = \"{amount} is overdue. {pay_link} {opt_out}\" },\n"
    "    email = { friendly = { subject = \"Overdue\", body = \"{amount}. {pay_link}\" } },\n"
    "  },\n"
    "}\n";

static const char base_lv[] =
    "return {\n"
    "  _opt_out = \"Atbildiet STOP.\",\n"
    "  overdue = {\n"
    "    sms = { friendly = \"{amount} kavēts. {pay_link} {opt_out}\" },\n"
    "    email = { friendly = { subject = \"Kavēts\", body = \"{amount}. {pay_link}\" } },\n"
    "  },\n"
    "}\n";

/* A test that the base set passes: day 1 of a bill due 2026-03-01. */
static const char base_test[] =
    "return {\n"
    "  { name = \"day 1: the SMS\", now = \"2026-03-02T10:00:00Z\",\n"
    "    customer = { id = \"T1\", name = \"Anna Ozola\", language = \"en\",\n"
    "                 timezone = \"Europe/Riga\", phone = \"+37120000001\",\n"
    "                 invoices = { { id = \"I1\", amount = 4500, due = \"2026-03-01\" } } },\n"
    "    expect = { action = \"contact\", day = 1, channel = \"sms\" } },\n"
    "}\n";

typedef struct rule_file {
    const char *path;
    const char *text;
} rule_file;

static const rule_file base_files[] = {
    { "rules.lua", base_rules },
    { "personas.lua", base_personas },
    { "segments/standard.lua", base_segment },
    { "templates/en.lua", base_en },
    { "templates/lv.lua", base_lv },
    { "tests/base.lua", base_test },
};
#define BASE_FILES (sizeof base_files / sizeof base_files[0])

/* Writes the base set with `replaced` (NULL text: the file left out) into a
 * new temporary folder, named in dir. */
static void write_set(char dir[64], const rule_file *replaced, size_t n_replaced)
{
    static const char *const subdirs[] = { "segments", "templates", "tests" };
    char path[256];
    snprintf(dir, 64, "/tmp/dn-rules-check-XXXXXX");
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]);
        assert_int_equal(mkdir(path, 0700), 0);
    }
    for (size_t i = 0; i < BASE_FILES; i++) {
        const char *text = base_files[i].text;
        for (size_t k = 0; k < n_replaced; k++)
            if (strcmp(replaced[k].path, base_files[i].path) == 0)
                text = replaced[k].text;
        if (!text)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, base_files[i].path);
        FILE *out = fopen(path, "w");
        assert_non_null(out);
        assert_int_equal(fputs(text, out) >= 0, 1);
        fclose(out);
    }
}

static void remove_set(const char *dir)
{
    static const char *const subdirs[] = { "segments", "templates", "tests" };
    char path[256];
    for (size_t i = 0; i < BASE_FILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, base_files[i].path);
        unlink(path);
    }
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]);
        rmdir(path);
    }
    rmdir(dir);
}

/* ---- check-rules ---- */

typedef struct check_row {
    const char *name;
    rule_file   replaced;        /* one file of the base set, replaced */
    int         n_errors;        /* exactly this many; 0: the set loads */
    const char *errors[3];       /* each the whole text of one error item */
} check_row;

static const check_row check_rows[] = {
    { "the base set loads", { "rules.lua", base_rules }, 0, { NULL } },

    /* describe: optional (rules guide section 5), text when given */
    { "a segment without describe loads", { "segments/standard.lua",
      "return {\n  ladder = {\n    { day = 1, channel = \"sms\", template = \"overdue\", "
      "tone = \"friendly\" },\n  },\n}\n" }, 0, { NULL } },
    { "describe that is not text", { "segments/standard.lua",
      "return {\n  describe = 7,\n  ladder = {\n    { day = 1, channel = \"sms\", "
      "template = \"overdue\", tone = \"friendly\" },\n  },\n}\n" }, 1,
      { "segments/standard.lua:2: field 'describe' must be a string" } },

    /* the pay link is rendered into every message with {pay_link}: checked at load */
    { "pay link with {name}", { "rules.lua",
      "return {\n  name = \"x\",\n  default_language = \"en\",\n  languages = { \"en\", \"lv\" },\n"
      "  company = { name = \"Test Co\",\n"
      "              pay_link = \"https://pay.test/c/{name}\" },\n"
      "  segments = {\n    { name = \"standard\", match = function(c) return true end },\n"
      "  },\n}\n" }, 1,
      { "rules.lua:6: company.pay_link may contain only {customer_id}, not {name}" } },
    { "pay link with a typo", { "rules.lua",
      "return {\n  name = \"x\",\n  default_language = \"en\",\n  languages = { \"en\", \"lv\" },\n"
      "  company = { name = \"Test Co\",\n"
      "              pay_link = \"https://pay.test/c/{customr_id}\" },\n"
      "  segments = {\n    { name = \"standard\", match = function(c) return true end },\n"
      "  },\n}\n" }, 1,
      { "rules.lua:6: company.pay_link may contain only {customer_id}, not {customr_id}" } },
    /* "https://pay.test/c/" is 19 bytes: the brace is at offset 19 */
    { "pay link with an unclosed brace", { "rules.lua",
      "return {\n  name = \"x\",\n  default_language = \"en\",\n  languages = { \"en\", \"lv\" },\n"
      "  company = { name = \"Test Co\",\n"
      "              pay_link = \"https://pay.test/c/{customer_id\" },\n"
      "  segments = {\n    { name = \"standard\", match = function(c) return true end },\n"
      "  },\n}\n" }, 1,
      { "rules.lua:6: company.pay_link: '{' at offset 19 is never closed (write {{ for a "
        "literal brace)" } },
    /* _opt_out is inserted as written: a brace would reach the customer */
    { "_opt_out with a variable", { "templates/en.lua",
      "return {\n  _opt_out = \"Reply STOP, {first_name}.\",\n  overdue = {\n"
      "    sms = { friendly = \"{amount}. {opt_out}\" },\n"
      "    email = { friendly = { subject = \"Overdue\", body = \"{amount}.\" } },\n  },\n}\n" },
      1, { "templates/en.lua:2: _opt_out is inserted into texts as written: it cannot hold "
           "'{' (no {variables} in it)" } },

    /* a template missing from both languages: one error for the step,
     * naming its channels and both files */
    { "unknown template, two languages, a fallback", { "segments/standard.lua",
      "return {\n  ladder = {\n    { day = 1, channel = \"sms\", template = \"overdeu\", "
      "tone = \"friendly\",\n      fallback = { \"email\" } },\n  },\n}\n" }, 1,
      { "segments/standard.lua:3: unknown template 'overdeu' (channel sms, fallback email; "
        "not in templates/en.lua, templates/lv.lua)" } },
    /* a fallback channel without a text in either language: one error */
    { "fallback without a text in two languages", { "segments/standard.lua",
      "return {\n  ladder = {\n    { day = 1, channel = \"sms\", template = \"overdue\", "
      "tone = \"friendly\",\n      fallback = { \"chat\", \"email\" } },\n  },\n}\n" }, 1,
      { "segments/standard.lua:3: template 'overdue' has no chat/friendly text in "
        "templates/en.lua, templates/lv.lua" } },
    /* the text missing in one language only names that one */
    { "text missing in one language", { "templates/lv.lua",
      "return {\n  _opt_out = \"STOP\",\n  overdue = {\n"
      "    sms = { friendly = \"{amount}. {opt_out}\" },\n  },\n}\n" }, 1,
      { "segments/standard.lua:4: template 'overdue' has no email/friendly text in "
        "templates/lv.lua" } },
};

static void test_check_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof check_rows / sizeof check_rows[0]; i++) {
        const check_row *row = &check_rows[i];
        char dir[64];
        dn_rule_errors errs;
        dn_ruleset *rs = NULL;
        write_set(dir, &row->replaced, 1);
        int rc = rules_load(dir, &rs, &errs);
        remove_set(dir);
        if (row->n_errors == 0) {
            if (rc != 0)
                fail_msg("%s: refused: %s", row->name, errs.n ? errs.items[0] : "?");
            rules_release(rs);
            continue;
        }
        if (rc != -EINVAL || errs.n != row->n_errors) {
            for (int k = 0; k < errs.n; k++)
                print_message("  %s\n", errs.items[k]);
            fail_msg("%s: rc %d with %d error(s), expected %d", row->name, rc, errs.n,
                     row->n_errors);
        }
        for (int k = 0; k < row->n_errors; k++)
            if (strcmp(errs.items[k], row->errors[k]) != 0)
                fail_msg("%s: error %d is\n  '%s', expected\n  '%s'", row->name, k,
                         errs.items[k], row->errors[k]);
    }
}

/* ---- test-rules ---- */

typedef struct tests_row {
    const char *name;
    rule_file   replaced[2];
    int         passed, failed;
    const char *lines[2];        /* substrings of the report, NULL = none */
} tests_row;

/* A segment whose `when` (line 11 of the step) calls helpers that blow a
 * limit on their own lines: the loop on line 3, the table grown on line 7. */
static const char limit_segment[] =
    "local function spin(c)\n"                                                 /* 1 */
    "  local n = 0\n"                                                          /* 2 */
    "  while true do n = n + 1 end\n"                                          /* 3 */
    "end\n"                                                                    /* 4 */
    "local function hoard(c)\n"                                                /* 5 */
    "  local t = {}\n"                                                         /* 6 */
    "  while true do t[#t + 1] = string.rep('x', 1000000) .. #t end\n"         /* 7 */
    "end\n"                                                                    /* 8 */
    "return {\n"                                                               /* 9 */
    "  ladder = {\n"                                                           /* 10 */
    "    { day = 1, channel = \"sms\", template = \"overdue\", tone = \"friendly\",\n"
    "      when = function(c) if c.id == \"SPIN\" then return spin(c) end\n"
    "                         return hoard(c) end },\n"
    "  },\n"
    "}\n";

static const char limit_tests[] =
    "return {\n"
    "  { name = \"spins\", now = \"2026-03-02T10:00:00Z\",\n"
    "    customer = { id = \"SPIN\", name = \"A\", timezone = \"Europe/Riga\",\n"
    "                 invoices = { { id = \"I1\", amount = 100, due = \"2026-03-01\" } } },\n"
    "    expect = { action = \"contact\" } },\n"
    "  { name = \"hoards\", now = \"2026-03-02T10:00:00Z\",\n"
    "    customer = { id = \"HOARD\", name = \"A\", timezone = \"Europe/Riga\",\n"
    "                 invoices = { { id = \"I1\", amount = 100, due = \"2026-03-01\" } } },\n"
    "    expect = { action = \"contact\" } },\n"
    "}\n";

/* A contact whose message cannot be rendered (the fixture's bill is in a
 * currency money.c does not know): the decision alone would pass, the
 * test must not. */
static const char unrenderable_test[] =
    "return {\n"
    "  { name = \"day 1 in XQQ\", now = \"2026-03-02T10:00:00Z\",\n"
    "    customer = { id = \"T1\", name = \"Anna Ozola\", language = \"en\",\n"
    "                 timezone = \"Europe/Riga\", phone = \"+37120000001\",\n"
    "                 invoices = { { id = \"I1\", currency = \"XQQ\", amount = 4500,\n"
    "                                due = \"2026-03-01\" } } },\n"
    "    expect = { action = \"contact\", day = 1, channel = \"sms\" } },\n"
    "}\n";

static const tests_row tests_rows[] = {
    { "the base test passes", { { "tests/base.lua", base_test } }, 1, 0, { "1 passed, 0 failed" } },
    { "endless loop: the rule's line, not only the test's",
      { { "segments/standard.lua", limit_segment }, { "tests/base.lua", limit_tests } }, 0, 2,
      { "FAIL spins: expected action contact got error (tests/base.lua:2) — error at "
        "segments/standard.lua:3: instruction limit exceeded",
        /* the memory error names the allocating line 7, not the step's line 11 */
        "FAIL hoards: expected action contact got error (tests/base.lua:6) — error at "
        "segments/standard.lua:7: memory limit exceeded" } },
    { "a contact whose message cannot be rendered fails its test",
      { { "tests/base.lua", unrenderable_test } }, 0, 1,
      { "FAIL day 1 in XQQ: its en/overdue/sms/friendly message cannot be rendered "
        "(segments/standard.lua:4): template variable \"amount\" could not be read "
        "(tests/base.lua:2)", NULL } },
};

static void test_rule_tests_report(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof tests_rows / sizeof tests_rows[0]; i++) {
        const tests_row *row = &tests_rows[i];
        char dir[64], report[4096] = "";
        dn_rule_errors errs;
        dn_ruleset *rs = NULL;
        int passed = -1, failed = -1;
        write_set(dir, row->replaced, row->replaced[1].path ? 2 : 1);
        int rc = rules_load(dir, &rs, &errs);
        remove_set(dir);
        if (rc != 0)
            fail_msg("%s: refused: %s", row->name, errs.n ? errs.items[0] : "?");
        FILE *out = fmemopen(report, sizeof report, "w");
        assert_non_null(out);
        rules_run_tests(rs, out, &passed, &failed);
        fclose(out);
        rules_release(rs);
        if (passed != row->passed || failed != row->failed)
            fail_msg("%s: %d passed, %d failed, expected %d and %d:\n%s", row->name, passed,
                     failed, row->passed, row->failed, report);
        for (size_t k = 0; k < 2; k++)
            if (row->lines[k] && !strstr(report, row->lines[k]))
                fail_msg("%s: the report lacks\n  '%s'\nit is:\n%s", row->name, row->lines[k],
                         report);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_rules),
        cmocka_unit_test(test_rule_tests_report),
    };
    dn_log_set_level(DN_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
