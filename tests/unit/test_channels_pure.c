/*
 * test_channels_pure.c — the pure parts of the channel modules, one row per
 * case: the agent queue's priority (values worked out by hand from the
 * formula in agent_queue.h), the classification and case folding of
 * inbound replies, and the webhook signature (expected digests computed
 * independently with Python's hmac module:
 *   hmac.new(secret, f"{t}.{body}".encode(), hashlib.sha256).hexdigest()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "agent_queue.h"
#include "replies.h"
#include "voice.h"
#include "webhooks.h"

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

static void test_agent_priority(void **state)
{
    static const struct {
        dn_task_inputs in;
        int expected;
    } rows[] = {
        { { 0, 0, 0, "", false }, 0 },
        { { 10000, 1, 0, "friendly", false }, 12 },            /* 10 + 2 */
        { { 250000, 1, 0, "friendly", false }, 252 },          /* 250 + 2 */
        { { 2000000, 1, 0, "friendly", false }, 502 },         /* capped 500 + 2 */
        { { 999, 0, 0, "", false }, 0 },                       /* under 10.00 */
        { { 0, 200, 0, "", false }, 360 },                     /* days capped */
        { { 0, 0, 1, "", false }, 100 },
        { { 0, 0, 5, "", false }, 300 },                       /* promises capped */
        { { 0, 0, 0, "invisible", false }, 80 },
        { { 0, 0, 0, "fighter", false }, 60 },
        { { 0, 0, 0, "businessman", false }, 20 },
        { { 0, 0, 0, "unknown", true }, 200 },
        { { 55500, 30, 2, "invisible", true }, 55 + 60 + 200 + 80 + 200 },
        { { -500, -3, -1, NULL, false }, 0 },                  /* negatives count 0 */
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        int got = agent_priority(&rows[i].in);
        if (got != rows[i].expected)
            fail_msg("row %zu: priority %d, expected %d", i, got, rows[i].expected);
    }
}

static void test_reply_classify(void **state)
{
    static const struct {
        const char *text;
        dn_reply_kind expected;
    } rows[] = {
        { "STOP", DN_REPLY_OPT_OUT },
        { "  stop!  ", DN_REPLY_OPT_OUT },
        { "Stop please", DN_REPLY_OPT_OUT },
        { "unsubscribe", DN_REPLY_OPT_OUT },
        { "BEIGT", DN_REPLY_OPT_OUT },
        { "Atteikties.", DN_REPLY_OPT_OUT },
        { "ATRAKSTĪTIES", DN_REPLY_OPT_OUT },
        { "PĀRTRAUKT", DN_REPLY_OPT_OUT },
        { "СТОП", DN_REPLY_OPT_OUT },
        { "стоп", DN_REPLY_OPT_OUT },
        { "Отписаться", DN_REPLY_OPT_OUT },
        { "1", DN_REPLY_PROMISE },
        { " 1. ", DN_REPLY_PROMISE },
        { "yes", DN_REPLY_PROMISE },
        { "YES!", DN_REPLY_PROMISE },
        { "Jā", DN_REPLY_PROMISE },
        { "JĀ", DN_REPLY_PROMISE },
        { "ja", DN_REPLY_PROMISE },
        { "Да", DN_REPLY_PROMISE },
        { "ДА", DN_REPLY_PROMISE },
        { "12", DN_REPLY_OTHER },
        { "yes but next month", DN_REPLY_OTHER },
        { "nestop", DN_REPLY_OTHER },
        { "Kad varēšu, samaksāšu", DN_REPLY_OTHER },
        { "", DN_REPLY_OTHER },
        { "   ", DN_REPLY_OTHER },
        { "\xff\xfe", DN_REPLY_OTHER },                        /* not UTF-8 */
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_reply_kind got = reply_classify(rows[i].text);
        if (got != rows[i].expected)
            fail_msg("row %zu (\"%s\"): %s, expected %s", i, rows[i].text, reply_kind_name(got),
                     reply_kind_name(rows[i].expected));
    }
}

static void test_reply_fold(void **state)
{
    static const struct {
        const char *in, *expected;
        size_t size;
    } rows[] = {
        { "ĀČĒĢĪĶĻŅŠŪŽ", "āčēģīķļņšūž", 64 },
        { "ЁЖЩЯ АБВ", "ёжщя абв", 64 },
        { "Mixed Ā1", "mixed ā1", 64 },
        { "ĀĀ", "ā", 4 },            /* cut at a character boundary: 2 bytes + NUL fit */
        { "abc", "ab", 3 },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        char out[64];
        reply_fold(rows[i].in, out, rows[i].size);
        assert_string_equal(out, rows[i].expected);
    }
}

static void test_webhook_signature(void **state)
{
    static const struct {
        const char *secret;
        long long t;
        const char *body;
        const char *expected;
    } rows[] = {
        { "whsec-0123456789abcdef", 1780000000, "{\"id\":1}",
          "t=1780000000,v1=6f8983197aae34a14a0be0f2119a52d5b2a2cf892358eccf465009a0516670ea" },
        { "another-secret-key-42", 1700000000, "{\"text\":\"Jā, да\"}",
          "t=1700000000,v1=b2c4b2d0fa77a03421e977c09c321f6f47f08d233dcaff06fcac1fcf5bf695a6" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        char out[128];
        webhook_signature(rows[i].secret, rows[i].t, rows[i].body, strlen(rows[i].body), out,
                          sizeof out);
        assert_string_equal(out, rows[i].expected);
    }
}

static void test_voice_profiles_and_ssml(void **state)
{
    static const struct {
        const char *language, *tone, *voice, *gender;
        int rate, pitch;
    } rows[] = {
        { "lv", "friendly", "lv", "female", 100, 10 },
        { "lv", "firm", "lv", "male", 88, -10 },
        { "ru", "gentle", "ru", "female", 85, 5 },
        { "ru", "urgent", "ru", "male", 105, -5 },
        { "en", "neutral", "en", "male", 95, 0 },
        { "de", "firm", "en", "male", 88, -10 },        /* unknown language: English */
        { "lv", "sarcastic", "lv", "male", 95, 0 },     /* unknown tone: neutral */
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        dn_voice_profile p;
        voice_profile_default(rows[i].language, rows[i].tone, &p);
        assert_string_equal(p.voice, rows[i].voice);
        assert_string_equal(p.gender, rows[i].gender);
        assert_int_equal(p.rate, rows[i].rate);
        assert_int_equal(p.pitch, rows[i].pitch);
    }
    dn_voice_profile p;
    voice_profile_default("lv", "firm", &p);
    char out[512];
    assert_int_equal(voice_ssml("lv", &p, "A & B <c> \"d\"", "Press 1", out, sizeof out), 0);
    assert_string_equal(out, "<speak version=\"1.0\" xml:lang=\"lv\"><voice name=\"lv\" "
                             "gender=\"male\"><prosody rate=\"88%\" pitch=\"-10%\">A &amp; B "
                             "&lt;c&gt; &quot;d&quot;<break time=\"700ms\"/>Press 1</prosody>"
                             "</voice></speak>");
    assert_int_equal(voice_ssml("lv", &p, "too long for this", NULL, out, 60), -E2BIG);
    assert_string_equal(out, "");
    char prompt[256];
    voice_prompt("ru", 5, prompt, sizeof prompt);
    assert_string_equal(prompt, "Нажмите 1, чтобы пообещать оплатить в течение 5 дней. "
                                "Нажмите 2, чтобы поговорить с сотрудником.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_priority),
        cmocka_unit_test(test_reply_classify),
        cmocka_unit_test(test_reply_fold),
        cmocka_unit_test(test_webhook_signature),
        cmocka_unit_test(test_voice_profiles_and_ssml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
