/*
 * test_sms.c — SMS coding, units and parts (3GPP TS 23.038), every case of
 * /work/shared/cases/sms-encoding.md as a row, plus transliteration to
 * GSM-7. Texts are built from up to three pieces, each repeated, so a row
 * like "158 × a + €" stays one line. UTF-8 of non-ASCII letters is written
 * literally in this UTF-8 source file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sms.h"

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

typedef struct text_piece {
    const char *text;
    int repeat;
} text_piece;

/* Concatenates the pieces (each repeated) into a malloc'd string. */
static char *build_text(const text_piece pieces[3])
{
    size_t length = 0;
    for (int i = 0; i < 3; i++)
        if (pieces[i].text)
            length += strlen(pieces[i].text) * (size_t)pieces[i].repeat;
    char *text = malloc(length + 1);
    assert_non_null(text);
    size_t used = 0;
    for (int i = 0; i < 3; i++) {
        for (int r = 0; pieces[i].text && r < pieces[i].repeat; r++) {
            size_t n = strlen(pieces[i].text);
            memcpy(text + used, pieces[i].text, n);
            used += n;
        }
    }
    text[used] = '\0';
    return text;
}

static void test_analyse(void **state)
{
    static const struct {
        const char *label;
        text_piece pieces[3];
        dn_sms_coding coding;
        int units;
        int parts;
    } rows[] = {
        /* the cases file, in its order */
        { "case 1", { { "Labdien! Jusu parads ir 45,00 EUR.", 1 } }, DN_SMS_GSM7, 34, 1 },
        { "case 2", { { "Labdien! Jūsu parāds ir 45,00 EUR.", 1 } }, DN_SMS_UCS2, 34, 1 },
        { "case 3", { { "Здравствуйте! Ваш долг 100 евро.", 1 } }, DN_SMS_UCS2, 32, 1 },
        { "case 4: 160 a", { { "a", 160 } }, DN_SMS_GSM7, 160, 1 },
        { "case 4: 161 a", { { "a", 161 } }, DN_SMS_GSM7, 161, 2 },
        { "case 4: 306 a", { { "a", 306 } }, DN_SMS_GSM7, 306, 2 },
        { "case 4: 307 a", { { "a", 307 } }, DN_SMS_GSM7, 307, 3 },
        { "case 5: 158 a + euro", { { "a", 158 }, { "€", 1 } }, DN_SMS_GSM7, 160, 1 },
        { "case 5: 159 a + euro", { { "a", 159 }, { "€", 1 } }, DN_SMS_GSM7, 161, 2 },
        { "case 6", { { "[{}]", 1 } }, DN_SMS_GSM7, 8, 1 },
        { "case 7: 70 a-macron", { { "ā", 70 } }, DN_SMS_UCS2, 70, 1 },
        { "case 7: 71 a-macron", { { "ā", 71 } }, DN_SMS_UCS2, 71, 2 },
        { "case 7: 134 zhe", { { "ж", 134 } }, DN_SMS_UCS2, 134, 2 },
        { "case 7: 135 zhe", { { "ж", 135 } }, DN_SMS_UCS2, 135, 3 },
        /* letters the cases file names */
        { "in GSM-7", { { "É Ç Ä ä à", 1 } }, DN_SMS_GSM7, 9, 1 },
        { "c-cedilla", { { "ç", 1 } }, DN_SMS_UCS2, 1, 1 },
        { "e-circumflex", { { "ê", 1 } }, DN_SMS_UCS2, 1, 1 },
        { "Latvian letter", { { "š", 1 } }, DN_SMS_UCS2, 1, 1 },
        { "emoji", { { "a😀", 1 } }, DN_SMS_UCS2, 3, 1 },
        /* the whole default alphabet, written out from the 3GPP table
         * (0x1B, the escape, left out): 127 characters, one septet each */
        { "basic table",
          { { "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
              "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
              1 } },
          DN_SMS_GSM7, 127, 1 },
        /* the extension table: form feed ^ { } \ [ ~ ] | € */
        { "extension table", { { "\f^{}\\[~]|€", 1 } }, DN_SMS_GSM7, 20, 1 },
        { "backtick", { { "`", 1 } }, DN_SMS_UCS2, 1, 1 },
        { "tab", { { "a\tb", 1 } }, DN_SMS_UCS2, 3, 1 },
        { "empty", { { "", 1 } }, DN_SMS_GSM7, 0, 1 },
        /* an escape pair never straddles two parts: 152 a fill part 1 to
         * 152, € (2) does not fit in 153, so part 2 holds € + 151 a = 153
         * and the last a makes part 3 (ceil(306 / 153) would say 2) */
        { "escape at boundary", { { "a", 152 }, { "€", 1 }, { "a", 152 } }, DN_SMS_GSM7, 306, 3 },
        { "escape inside part", { { "a", 153 }, { "€", 1 }, { "a", 151 } }, DN_SMS_GSM7, 306, 2 },
        /* same for a surrogate pair in UCS-2: 66 + 2 would be 68 > 67 */
        { "pair at boundary", { { "ā", 66 }, { "😀", 1 }, { "ā", 66 } }, DN_SMS_UCS2, 134, 3 },
        { "pair inside part", { { "ā", 67 }, { "😀", 1 }, { "ā", 65 } }, DN_SMS_UCS2, 134, 2 },
        { "71 units of emoji", { { "😀", 35 }, { "a", 1 } }, DN_SMS_UCS2, 71, 2 },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].label);
        char *text = build_text(rows[i].pieces);
        dn_sms_info info = { 0 };
        int rc = sms_analyse(text, &info);
        free(text);
        assert_int_equal(rc, 0);
        assert_int_equal(info.coding, rows[i].coding);
        assert_int_equal(info.units, rows[i].units);
        assert_int_equal(info.parts, rows[i].parts);
    }
}

static void test_analyse_invalid(void **state)
{
    static const struct {
        const char *label;
        const char *text;
    } rows[] = {
        { "NULL", NULL },
        { "truncated two-byte", "a\xc3" },
        { "truncated three-byte", "\xe2\x82" },
        { "overlong slash", "\xc0\xaf" },
        { "overlong three-byte", "\xe0\x80\xaf" },
        { "surrogate", "\xed\xa0\x80" },
        { "above U+10FFFF", "\xf4\x90\x80\x80" },
        { "invalid byte", "\xff" },
        { "lone continuation", "\x80" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].label);
        dn_sms_info info = { DN_SMS_GSM7, -7, -7 };
        assert_int_equal(sms_analyse(rows[i].text, &info), -EINVAL);
        assert_int_equal(info.units, -7);
    }
}

static void test_transliterate(void **state)
{
    static const struct {
        const char *input;
        const char *expected;
    } rows[] = {
        /* case 8 */
        { "Jūsu parāds", "Jusu parads" },
        { "ĀČĒĢĪĶĻŅŠŪŽ āčēģīķļņšūž", "ACEGIKLNSUZ acegiklnsuz" },
        { "Labdien! Jūsu parāds ir 45,00 EUR.", "Labdien! Jusu parads ir 45,00 EUR." },
        /* Russian, ICAO Doc 9303 */
        { "Здравствуйте! Ваш долг 100 евро.", "Zdravstvuite! Vash dolg 100 evro." },
        { "щука Щ ъ ь ю я ё Ж Х Ц Ч ы э", "shchuka Shch ie  iu ia e Zh Kh Ts Ch y e" },
        { "Юрий Щербаков", "Iurii Shcherbakov" },
        /* Lithuanian and Estonian; ä ö ü Ä Ö Ü are GSM-7 and stay */
        { "ąčęėįšųūž ĄĘĖĮŲ", "aceeisuuz AEEIU" },
        { "õÕäöüÄÖÜšž", "oOäöüÄÖÜsz" },
        /* typography */
        { "„Labdien“ – ‘x’ — … «y»", "\"Labdien\" - 'x' - ... \"y\"" },
        { "1\xc2\xa0" "234,50\xc2\xa0€", "1 234,50 €" },
        { "a\tb`c", "a b'c" },
        /* already GSM-7, including the extension table */
        { "É Ç Ä ä à é ñ Δ [{}] € ^~|\\", "É Ç Ä ä à é ñ Δ [{}] € ^~|\\" },
        { "ç ê", "c e" },
        /* nothing to map to */
        { "😀 中", "? ?" },
        { "", "" },
        /* the expansion bound the header states: 6 bytes in, 12 out */
        { "щщщ", "shchshchshch" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].input);
        size_t size = 2 * strlen(rows[i].input) + 1;
        char *out = malloc(size);
        assert_non_null(out);
        int rc = sms_transliterate(rows[i].input, out, size);
        assert_int_equal(rc, 0);
        assert_string_equal(out, rows[i].expected);
        dn_sms_info info;
        assert_int_equal(sms_analyse(out, &info), 0);
        assert_int_equal(info.coding, DN_SMS_GSM7);
        free(out);
    }
}

static void test_transliterate_errors(void **state)
{
    static const struct {
        const char *input;
        size_t size;
        int rc;
        const char *expected;   /* what out holds afterwards */
    } rows[] = {
        { "Jūsu", 4, -E2BIG, "Jus" },
        { "Jūsu", 5, 0, "Jusu" },
        { "ж", 2, -E2BIG, "" },
        { "abc", 0, -E2BIG, NULL },
        { "ab\xff", 8, -EINVAL, "ab" },
        { NULL, 8, -EINVAL, NULL },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu\n", i);
        char out[8] = "unset";
        assert_int_equal(sms_transliterate(rows[i].input, out, rows[i].size), rows[i].rc);
        if (rows[i].expected)
            assert_string_equal(out, rows[i].expected);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyse),
        cmocka_unit_test(test_analyse_invalid),
        cmocka_unit_test(test_transliterate),
        cmocka_unit_test(test_transliterate_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
