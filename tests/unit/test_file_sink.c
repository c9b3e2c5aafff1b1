/*
 * test_file_sink.c — the channel registry and the "file" driver: config
 * validation, one file per message with the documented name and header
 * block, overwrite on a repeated idempotency key, and -EIO through done()
 * when the outbox cannot be created. Works in a fresh mkdtemp directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"

extern const dn_channel_driver dn_channel_file;

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* What done() reported, for the test to inspect. */
typedef struct completion {
    int     calls;
    int64_t contact_id;
    int     rc;
    char    provider_id[320];
    char    detail[512];
} completion;

static void record_done(void *arg, int64_t contact_id, int rc, const char *provider_id,
                        const char *detail)
{
    completion *c = arg;
    c->calls++;
    c->contact_id = contact_id;
    c->rc = rc;
    snprintf(c->provider_id, sizeof c->provider_id, "%s", provider_id ? provider_id : "(null)");
    snprintf(c->detail, sizeof c->detail, "%s", detail ? detail : "(null)");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reads a whole small file into out (NUL-terminated); asserts it exists. */
static void read_file(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    fclose(f);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_registry(void **state)
{
    static const struct {
        const char *name;
        const dn_channel_driver *expected;
    } rows[] = {
        { "file", &dn_channel_file },
        { "FILE", NULL },
        { "files", NULL },
        { "", NULL },
        { NULL, NULL },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].name ? rows[i].name : "(null)");
        assert_ptr_equal(channel_driver_find(rows[i].name), rows[i].expected);
    }
}

static void test_init_config(void **state)
{
    static const struct {
        const char *config_json;   /* NULL: no config at all */
        int rc;
        const char *field;
    } rows[] = {
        { "{\"dir\": \"/tmp/outbox\"}", 0, "" },
        { "{\"dir\": \"/tmp/outbox\", \"fsync\": true}", 0, "" },
        { "{\"dir\": \"/tmp/outbox\", \"fsync\": false}", 0, "" },
        { NULL, -EINVAL, "dir" },
        { "{}", -EINVAL, "dir" },
        { "[\"/tmp/outbox\"]", -EINVAL, "dir" },
        { "{\"dir\": \"\"}", -EINVAL, "dir" },
        { "{\"dir\": 5}", -EINVAL, "dir" },
        { "{\"dir\": \"/tmp/outbox\", \"fsync\": \"yes\"}", -EINVAL, "fsync" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].config_json ? rows[i].config_json : "(null)");
        json_t *config = rows[i].config_json ? json_loads(rows[i].config_json, 0, NULL) : NULL;
        assert_true(config || !rows[i].config_json);
        void *ctx = (void *)&ctx;
        dn_err err;
        dn_err_clear(&err);
        int rc = dn_channel_file.init(&ctx, NULL, config, &err);
        assert_int_equal(rc, rows[i].rc);
        assert_string_equal(err.field, rows[i].field);
        if (rc == 0) {
            assert_non_null(ctx);
            dn_channel_file.close(ctx);
        } else {
            assert_null(ctx);
        }
        json_decref(config);
    }
}

static void test_send(void **state)
{
    static const char body_first[] = "Labdien! Jūsu parāds ir 12,50 €.\n";
    static const char body_second[] = "Labdien! Atgādinām: 12,50 €.";
    static const struct {
        dn_message message;
        const char *file_name;
        const char *content;
    } rows[] = {
        { { .contact_id = 42, .idem_key = "case:7/step:3", .channel = "sms",
            .address = "+37120000000", .language = "lv", .tone = "friendly", .voice = "",
            .template_name = "pre_due", .subject = "", .body = body_first },
          "42-sms-case_7_step_3.txt",
          "To: +37120000000\nChannel: sms\nLanguage: lv\nTone: friendly\nVoice: \n"
          "Template: pre_due\nIdempotency-Key: case:7/step:3\nSubject: \n\n"
          "Labdien! Jūsu parāds ir 12,50 €.\n" },
        /* the same key again: same file, new content, no second file */
        { { .contact_id = 42, .idem_key = "case:7/step:3", .channel = "sms",
            .address = "+37120000000", .language = "lv", .tone = "firm", .voice = "",
            .template_name = "second", .subject = "", .body = body_second },
          "42-sms-case_7_step_3.txt",
          "To: +37120000000\nChannel: sms\nLanguage: lv\nTone: firm\nVoice: \n"
          "Template: second\nIdempotency-Key: case:7/step:3\nSubject: \n\n"
          "Labdien! Atgādinām: 12,50 €." },
        /* line breaks in a header value cannot start a new header */
        { { .contact_id = 43, .idem_key = "k1", .channel = "email",
            .address = "anna@example.com", .language = "en", .tone = "neutral",
            .voice = "", .template_name = "overdue", .subject = "Overdue\r\nBcc: x",
            .body = "Dear Anna" },
          "43-email-k1.txt",
          "To: anna@example.com\nChannel: email\nLanguage: en\nTone: neutral\nVoice: \n"
          "Template: overdue\nIdempotency-Key: k1\nSubject: Overdue  Bcc: x\n\nDear Anna" },
        /* '/' never reaches the file name, so no path escapes the outbox */
        { { .contact_id = 44, .idem_key = "../../passwd", .channel = "../etc",
            .address = "x", .language = "ru", .tone = "t", .voice = "v",
            .template_name = "p", .subject = "s", .body = "" },
          "44-.._etc-.._.._passwd.txt",
          "To: x\nChannel: ../etc\nLanguage: ru\nTone: t\nVoice: v\nTemplate: p\n"
          "Idempotency-Key: ../../passwd\nSubject: s\n\n" },
        /* absent fields are written empty; an empty key is named "none" */
        { { .contact_id = 45, .idem_key = "", .channel = "sms", .body = "hi" },
          "45-sms-none.txt",
          "To: \nChannel: sms\nLanguage: \nTone: \nVoice: \nTemplate: \n"
          "Idempotency-Key: \nSubject: \n\nhi" },
    };
    char base[] = "/tmp/dn-test-file-sink-XXXXXX";
    assert_non_null(mkdtemp(base));
    char outbox[128];
    snprintf(outbox, sizeof outbox, "%s/a/b/outbox", base);   /* missing: mkdir -p */
    json_t *config = json_pack("{s:s}", "dir", outbox);
    assert_non_null(config);
    void *ctx = NULL;
    assert_int_equal(dn_channel_file.init(&ctx, NULL, config, NULL), 0);

    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].file_name);
        completion c = { 0 };
        dn_err err;
        dn_err_clear(&err);
        assert_int_equal(dn_channel_file.send(ctx, &rows[i].message, record_done, &c, &err), 0);
        assert_int_equal(c.calls, 1);
        assert_int_equal(c.rc, 0);
        assert_true(c.contact_id == rows[i].message.contact_id);
        char expected_id[320];
        snprintf(expected_id, sizeof expected_id, "file:%s", rows[i].file_name);
        assert_string_equal(c.provider_id, expected_id);
        assert_string_equal(c.detail, "(null)");
        char path[512], content[2048];
        snprintf(path, sizeof path, "%s/%s", outbox, rows[i].file_name);
        read_file(path, content, sizeof content);
        assert_string_equal(content, rows[i].content);
    }
    /* five sends, two with the same key: four files and no .tmp left */
    assert_int_equal(count_entries(outbox), 4);

    dn_channel_file.close(ctx);
    json_decref(config);
    remove_tree(base);
}

static void test_send_unwritable(void **state)
{
    char base[] = "/tmp/dn-test-file-sink-XXXXXX";
    assert_non_null(mkdtemp(base));
    /* a regular file where a directory should be: fails even for root */
    char blocker[128], outbox[160];
    snprintf(blocker, sizeof blocker, "%s/blocker", base);
    FILE *f = fopen(blocker, "w");
    assert_non_null(f);
    fclose(f);
    static const struct {
        const char *below_base;
        const char *detail_part;
    } rows[] = {
        { "blocker/outbox", "cannot create directory" },
        { "blocker", "cannot create directory" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].below_base);
        snprintf(outbox, sizeof outbox, "%s/%s", base, rows[i].below_base);
        json_t *config = json_pack("{s:s}", "dir", outbox);
        void *ctx = NULL;
        assert_int_equal(dn_channel_file.init(&ctx, NULL, config, NULL), 0);
        dn_message m = { .contact_id = 7, .idem_key = "k", .channel = "sms", .body = "x" };
        completion c = { 0 };
        assert_int_equal(dn_channel_file.send(ctx, &m, record_done, &c, NULL), 0);
        assert_int_equal(c.calls, 1);
        assert_int_equal(c.rc, -EIO);
        assert_true(c.contact_id == 7);
        assert_string_equal(c.provider_id, "(null)");
        assert_non_null(strstr(c.detail, rows[i].detail_part));
        assert_non_null(strstr(c.detail, base));
        dn_channel_file.close(ctx);
        json_decref(config);
    }
    remove_tree(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_init_config),
        cmocka_unit_test(test_send),
        cmocka_unit_test(test_send_unwritable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
