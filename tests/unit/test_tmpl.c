/*
 * test_tmpl.c — {variable} templates: rendering, literal braces, syntax
 * errors with byte offsets, unknown variables, the 64 KiB output cap, and
 * tmpl_each_variable. Offsets are counted by hand in each row's comment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))
#define OUTPUT_CAP (64 * 1024)     /* the cap the module promises */

/* Variables the lookup knows. "big" is 40000 'x' (two of them pass the
 * cap), "exact" is exactly OUTPUT_CAP 'y', "broken" fails with -EIO. */
static int lookup(void *arg, const char *name, char *out, size_t size)
{
    static const struct {
        const char *name;
        const char *value;
    } variables[] = {
        { "name", "Anna" },
        { "amount", "12,50 \xe2\x82\xac" },
        { "due_date", "31.03.2026." },
        { "empty", "" },
        { "_x1", "underscore" },
        { "braces", "{name}" },
    };
    int *calls = arg;
    (*calls)++;
    if (strcmp(name, "broken") == 0)
        return -EIO;
    if (strcmp(name, "big") == 0 || strcmp(name, "exact") == 0) {
        size_t length = name[0] == 'b' ? 40000 : OUTPUT_CAP;
        if (length >= size)
            return -E2BIG;
        memset(out, name[0] == 'b' ? 'x' : 'y', length);
        out[length] = '\0';
        return 0;
    }
    for (size_t i = 0; i < COUNT(variables); i++) {
        if (strcmp(name, variables[i].name) == 0) {
            size_t length = strlen(variables[i].value);
            if (length >= size)
                return -E2BIG;
            memcpy(out, variables[i].value, length + 1);
            return 0;
        }
    }
    return -ENOENT;
}

static void test_render(void **state)
{
    static const struct {
        const char *source;
        int rc;
        const char *expected;      /* rc == 0: the output */
        const char *field;         /* rc != 0: err.field */
    } rows[] = {
        { "Labdien, {name}!", 0, "Labdien, Anna!", NULL },
        { "Summa {amount} līdz {due_date}", 0,
          "Summa 12,50 \xe2\x82\xac līdz 31.03.2026.", NULL },
        { "{name}{name}", 0, "AnnaAnna", NULL },
        { "{empty}x", 0, "x", NULL },
        { "{_x1}", 0, "underscore", NULL },
        { "", 0, "", NULL },
        { "no variables", 0, "no variables", NULL },
        { "{{name}}", 0, "{name}", NULL },
        { "{{{name}}}", 0, "{Anna}", NULL },
        { "a}}b{{", 0, "a}b{", NULL },
        /* a value is inserted verbatim, never expanded again */
        { "{braces}", 0, "{name}", NULL },
        /* 9 bytes "Labdien, " + 6 "{name}" + "! " → '{' at 17 */
        { "Labdien, {name}! {amount", -EINVAL, NULL, "offset 17" },
        /* "Total: " is 7 bytes */
        { "Total: {amount", -EINVAL, NULL, "offset 7" },
        /* ū is two bytes: J=0 ū=1,2 s=3 u=4 ' '=5 '{'=6 */
        { "Jūsu {x", -EINVAL, NULL, "offset 6" },
        { "Hello {Name}", -EINVAL, NULL, "offset 6" },
        { "x}", -EINVAL, NULL, "offset 1" },
        { "{}", -EINVAL, NULL, "offset 0" },
        { "{a b}", -EINVAL, NULL, "offset 0" },
        { "{1abc}", -EINVAL, NULL, "offset 0" },
        { "{name}}", -EINVAL, NULL, "offset 6" },
        { "{a{b}", -EINVAL, NULL, "offset 0" },
        { "{", -EINVAL, NULL, "offset 0" },
        { "Dear {unknown}", -ENOENT, NULL, "unknown" },
        { "{broken}", -EIO, NULL, "broken" },
        /* the cap: 40000 fits, 80000 does not; OUTPUT_CAP exactly fits */
        { "{big}{big}", -E2BIG, NULL, "template" },
        { "{exact}x", -E2BIG, NULL, "template" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].source);
        int calls = 0;
        char *out = (char *)"unset";
        dn_err err;
        dn_err_clear(&err);
        int rc = tmpl_render(rows[i].source, lookup, &calls, &out, &err);
        assert_int_equal(rc, rows[i].rc);
        if (rc == 0) {
            assert_non_null(out);
            assert_string_equal(out, rows[i].expected);
            free(out);
        } else {
            assert_null(out);
            assert_int_equal(err.code, rows[i].rc);
            assert_string_equal(err.field, rows[i].field);
        }
    }
}

/* Rendered lengths at the cap, checked by length rather than content. */
static void test_render_lengths(void **state)
{
    static const struct {
        const char *source;
        size_t length;
    } rows[] = {
        { "{big}", 40000 },
        { "{exact}", OUTPUT_CAP },
        { "{big}{name}", 40004 },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].source);
        int calls = 0;
        char *out = NULL;
        assert_int_equal(tmpl_render(rows[i].source, lookup, &calls, &out, NULL), 0);
        assert_int_equal(strlen(out), rows[i].length);
        free(out);
    }
}

static void test_render_arguments(void **state)
{
    int calls = 0;
    char *out = (char *)"unset";
    dn_err err;
    dn_err_clear(&err);
    assert_int_equal(tmpl_render(NULL, lookup, &calls, &out, &err), -EINVAL);
    assert_null(out);
    assert_int_equal(tmpl_render("x", NULL, &calls, &out, &err), -EINVAL);
    assert_int_equal(tmpl_render("x", lookup, &calls, NULL, &err), -EINVAL);
}

/* Collects names as "a,b,c"; returns 7 when it meets "stop". */
typedef struct collected {
    char names[256];
} collected;

static int collect(void *arg, const char *name)
{
    collected *c = arg;
    size_t used = strlen(c->names);
    snprintf(c->names + used, sizeof c->names - used, "%s%s", used ? "," : "", name);
    return strcmp(name, "stop") == 0 ? 7 : 0;
}

static void test_each_variable(void **state)
{
    /* 63 and 64 characters: the longest name allowed and one past it */
    static const char name63[] =
        "{abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefgh}";
    static const char name64[] =
        "{abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghi}";
    static const struct {
        const char *source;
        int rc;
        const char *names;
        const char *field;
    } rows[] = {
        { "Labdien, {name}! {amount} {name}", 0, "name,amount,name", "" },
        { "{{literal}} {x}", 0, "x", "" },
        { "nothing", 0, "", "" },
        { "{a}{stop}{b}", 7, "a,stop", "" },
        { "{a} {b", -EINVAL, "a", "offset 4" },
        { name63, 0, "abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefgh", "" },
        { name64, -EINVAL, "", "offset 0" },
        { NULL, -EINVAL, "", "template" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].source ? rows[i].source : "(null)");
        collected c = { "" };
        dn_err err;
        dn_err_clear(&err);
        assert_int_equal(tmpl_each_variable(rows[i].source, collect, &c, &err), rows[i].rc);
        assert_string_equal(c.names, rows[i].names);
        assert_string_equal(err.field, rows[i].field);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_lengths),
        cmocka_unit_test(test_render_arguments),
        cmocka_unit_test(test_each_variable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
