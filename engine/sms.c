/*
 * sms.c — how many units and parts an SMS costs, per 3GPP TS 23.038, and
 * transliteration of text to the GSM 7-bit default alphabet.
 *
 * Part counting packs characters into parts the way a careful gateway
 * splits a message: an extension-table character (escape + code, two
 * septets) and a UTF-16 surrogate pair are never split across two parts.
 * So parts can exceed ceil(units / 153) (or / 67) by one when such a
 * character would straddle a part boundary; for a plain text the two agree.
 */
#include "sms.h"

#include <string.h>

#define GSM7_SINGLE_LIMIT 160
#define GSM7_PART_LIMIT   153
#define UCS2_SINGLE_LIMIT 70
#define UCS2_PART_LIMIT   67

/* GSM 03.38 default alphabet, indexed by septet. Position 0x1B is the
 * escape to the extension table and maps to no character (0xFFFF). */
static const uint16_t gsm7_basic[128] = {
    /* 0x00 */ 0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,
    /* 0x08 */ 0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,
    /* 0x10 */ 0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
    /* 0x18 */ 0x03A3, 0x0398, 0x039E, 0xFFFF, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
    /* 0x20 */ 0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027,
    /* 0x28 */ 0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,
    /* 0x30 */ 0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
    /* 0x38 */ 0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,
    /* 0x40 */ 0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    /* 0x48 */ 0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,
    /* 0x50 */ 0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
    /* 0x58 */ 0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
    /* 0x60 */ 0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
    /* 0x68 */ 0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,
    /* 0x70 */ 0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    /* 0x78 */ 0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

/* Characters of the extension table (each sent as escape + code): form
 * feed ^ { } \ [ ~ ] | €. */
static const uint16_t gsm7_extension[] = {
    0x000C, 0x005E, 0x007B, 0x007D, 0x005C, 0x005B, 0x007E, 0x005D, 0x007C, 0x20AC,
};

/* Septets a code point costs in GSM-7: 1 (default alphabet), 2 (extension
 * table) or 0 (not representable). */
static int gsm7_septets(uint32_t code_point)
{
    for (size_t i = 0; i < sizeof gsm7_basic / sizeof gsm7_basic[0]; i++)
        if (gsm7_basic[i] == code_point)
            return 1;
    for (size_t i = 0; i < sizeof gsm7_extension / sizeof gsm7_extension[0]; i++)
        if (gsm7_extension[i] == code_point)
            return 2;
    return 0;
}

/*
 * Decodes one UTF-8 sequence at s. Returns its length in bytes (1..4) and
 * the code point in *code_point, or -EINVAL for a malformed, overlong,
 * truncated or surrogate sequence or one above U+10FFFF. s[0] must not be NUL.
 */
static int utf8_decode(const unsigned char *s, uint32_t *code_point)
{
    static const uint32_t minimum[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    int length;
    uint32_t value;
    if (s[0] < 0x80) {
        *code_point = s[0];
        return 1;
    } else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        length = 2;
        value = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        length = 3;
        value = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        length = 4;
        value = s[0] & 0x07;
    } else {
        return -EINVAL;
    }
    for (int i = 1; i < length; i++) {
        /* a NUL terminator fails this test, so we never read past it */
        if ((s[i] & 0xC0) != 0x80)
            return -EINVAL;
        value = (value << 6) | (s[i] & 0x3F);
    }
    if (value < minimum[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return -EINVAL;
    *code_point = value;
    return length;
}

/* Counts parts for a sequence of character costs: a character is never
 * split, so a part is closed when the next character does not fit. */
typedef struct part_packer {
    int part_limit;
    int parts;
    int fill;
} part_packer;

static void packer_add(part_packer *packer, int cost)
{
    if (packer->parts == 0 || packer->fill + cost > packer->part_limit) {
        packer->parts++;
        packer->fill = 0;
    }
    packer->fill += cost;
}

/*
 * Fills out for UTF-8 text: the coding (GSM-7 if every character is in the
 * default alphabet or extension table, else UCS-2), the units (septets or
 * UTF-16 code units) and the parts (1 for up to 160 / 70 units, else packed
 * into 153 / 67 unit parts; an empty text is 1 part). Returns 0, or -EINVAL
 * if utf8 is NULL or not valid UTF-8 (out then untouched).
 */
int sms_analyse(const char *utf8, dn_sms_info *out)
{
    if (!utf8)
        return -EINVAL;
    const unsigned char *s = (const unsigned char *)utf8;
    int septets = 0, utf16_units = 0;
    bool gsm7 = true;
    /* first pass: validate and decide the coding */
    for (size_t i = 0; s[i];) {
        uint32_t code_point;
        int length = utf8_decode(s + i, &code_point);
        if (length < 0)
            return -EINVAL;
        int cost = gsm7_septets(code_point);
        if (cost == 0)
            gsm7 = false;
        septets += cost;
        utf16_units += code_point >= 0x10000 ? 2 : 1;
        i += (size_t)length;
    }

    int units = gsm7 ? septets : utf16_units;
    int single_limit = gsm7 ? GSM7_SINGLE_LIMIT : UCS2_SINGLE_LIMIT;
    int parts = 1;
    if (units > single_limit) {
        /* second pass: pack whole characters into concatenated parts */
        part_packer packer = { gsm7 ? GSM7_PART_LIMIT : UCS2_PART_LIMIT, 0, 0 };
        for (size_t i = 0; s[i];) {
            uint32_t code_point;
            int length = utf8_decode(s + i, &code_point);
            packer_add(&packer, gsm7 ? gsm7_septets(code_point)
                                     : (code_point >= 0x10000 ? 2 : 1));
            i += (size_t)length;
        }
        parts = packer.parts;
    }
    out->coding = gsm7 ? DN_SMS_GSM7 : DN_SMS_UCS2;
    out->units = units;
    out->parts = parts;
    return 0;
}

/*
 * Transliteration table, sorted by code point. Latin letters with
 * diacritics lose them (Latvian, Lithuanian, Estonian, Polish, Czech and
 * the Latin-1 letters GSM-7 lacks). Cyrillic follows ICAO Doc 9303 (the
 * scheme of machine-readable passports: ж zh, х kh, ц ts, ч ch, ш sh,
 * щ shch, ъ ie, ы y, ь dropped, ю iu, я ia; ё and э e), with capitals
 * written as "Zh", "Shch". Typographic quotes, dashes, ellipsis and
 * special spaces become their ASCII counterparts.
 */
typedef struct transliteration {
    uint32_t    code_point;
    const char *ascii;
} transliteration;

static const transliteration transliterations[] = {
    { 0x0009, " " },  { 0x0060, "'" },  { 0x00A0, " " },  { 0x00AB, "\"" },
    { 0x00AD, "" },   { 0x00B4, "'" },  { 0x00BB, "\"" },
    { 0x00C0, "A" },  { 0x00C1, "A" },  { 0x00C2, "A" },  { 0x00C3, "A" },
    { 0x00C8, "E" },  { 0x00CA, "E" },  { 0x00CB, "E" },  { 0x00CC, "I" },
    { 0x00CD, "I" },  { 0x00CE, "I" },  { 0x00CF, "I" },  { 0x00D2, "O" },
    { 0x00D3, "O" },  { 0x00D4, "O" },  { 0x00D5, "O" },  { 0x00D9, "U" },
    { 0x00DA, "U" },  { 0x00DB, "U" },  { 0x00DD, "Y" },
    { 0x00E1, "a" },  { 0x00E2, "a" },  { 0x00E3, "a" },  { 0x00E7, "c" },
    { 0x00EA, "e" },  { 0x00EB, "e" },  { 0x00ED, "i" },  { 0x00EE, "i" },
    { 0x00EF, "i" },  { 0x00F3, "o" },  { 0x00F4, "o" },  { 0x00F5, "o" },
    { 0x00FA, "u" },  { 0x00FB, "u" },  { 0x00FD, "y" },  { 0x00FF, "y" },
    { 0x0100, "A" },  { 0x0101, "a" },  { 0x0104, "A" },  { 0x0105, "a" },
    { 0x0106, "C" },  { 0x0107, "c" },  { 0x010C, "C" },  { 0x010D, "c" },
    { 0x010E, "D" },  { 0x010F, "d" },  { 0x0112, "E" },  { 0x0113, "e" },
    { 0x0116, "E" },  { 0x0117, "e" },  { 0x0118, "E" },  { 0x0119, "e" },
    { 0x011A, "E" },  { 0x011B, "e" },  { 0x0122, "G" },  { 0x0123, "g" },
    { 0x012A, "I" },  { 0x012B, "i" },  { 0x012E, "I" },  { 0x012F, "i" },
    { 0x0136, "K" },  { 0x0137, "k" },  { 0x013B, "L" },  { 0x013C, "l" },
    { 0x0141, "L" },  { 0x0142, "l" },  { 0x0143, "N" },  { 0x0144, "n" },
    { 0x0145, "N" },  { 0x0146, "n" },  { 0x0147, "N" },  { 0x0148, "n" },
    { 0x0158, "R" },  { 0x0159, "r" },  { 0x015A, "S" },  { 0x015B, "s" },
    { 0x0160, "S" },  { 0x0161, "s" },  { 0x0164, "T" },  { 0x0165, "t" },
    { 0x016A, "U" },  { 0x016B, "u" },  { 0x016E, "U" },  { 0x016F, "u" },
    { 0x0172, "U" },  { 0x0173, "u" },  { 0x0179, "Z" },  { 0x017A, "z" },
    { 0x017B, "Z" },  { 0x017C, "z" },  { 0x017D, "Z" },  { 0x017E, "z" },
    { 0x0401, "E" },  { 0x0404, "Ie" }, { 0x0406, "I" },  { 0x0407, "I" },
    { 0x040E, "U" },
    { 0x0410, "A" },  { 0x0411, "B" },  { 0x0412, "V" },  { 0x0413, "G" },
    { 0x0414, "D" },  { 0x0415, "E" },  { 0x0416, "Zh" }, { 0x0417, "Z" },
    { 0x0418, "I" },  { 0x0419, "I" },  { 0x041A, "K" },  { 0x041B, "L" },
    { 0x041C, "M" },  { 0x041D, "N" },  { 0x041E, "O" },  { 0x041F, "P" },
    { 0x0420, "R" },  { 0x0421, "S" },  { 0x0422, "T" },  { 0x0423, "U" },
    { 0x0424, "F" },  { 0x0425, "Kh" }, { 0x0426, "Ts" }, { 0x0427, "Ch" },
    { 0x0428, "Sh" }, { 0x0429, "Shch" }, { 0x042A, "Ie" }, { 0x042B, "Y" },
    { 0x042C, "" },   { 0x042D, "E" },  { 0x042E, "Iu" }, { 0x042F, "Ia" },
    { 0x0430, "a" },  { 0x0431, "b" },  { 0x0432, "v" },  { 0x0433, "g" },
    { 0x0434, "d" },  { 0x0435, "e" },  { 0x0436, "zh" }, { 0x0437, "z" },
    { 0x0438, "i" },  { 0x0439, "i" },  { 0x043A, "k" },  { 0x043B, "l" },
    { 0x043C, "m" },  { 0x043D, "n" },  { 0x043E, "o" },  { 0x043F, "p" },
    { 0x0440, "r" },  { 0x0441, "s" },  { 0x0442, "t" },  { 0x0443, "u" },
    { 0x0444, "f" },  { 0x0445, "kh" }, { 0x0446, "ts" }, { 0x0447, "ch" },
    { 0x0448, "sh" }, { 0x0449, "shch" }, { 0x044A, "ie" }, { 0x044B, "y" },
    { 0x044C, "" },   { 0x044D, "e" },  { 0x044E, "iu" }, { 0x044F, "ia" },
    { 0x0451, "e" },  { 0x0454, "ie" }, { 0x0456, "i" },  { 0x0457, "i" },
    { 0x045E, "u" },
    { 0x2002, " " },  { 0x2003, " " },  { 0x2009, " " },  { 0x200B, "" },
    { 0x2010, "-" },  { 0x2011, "-" },  { 0x2012, "-" },  { 0x2013, "-" },
    { 0x2014, "-" },  { 0x2015, "-" },  { 0x2018, "'" },  { 0x2019, "'" },
    { 0x201A, "'" },  { 0x201B, "'" },  { 0x201C, "\"" }, { 0x201D, "\"" },
    { 0x201E, "\"" }, { 0x201F, "\"" }, { 0x2022, "*" },  { 0x2026, "..." },
    { 0x202F, " " },  { 0x2039, "'" },  { 0x203A, "'" },  { 0x2212, "-" },
};

/* Returns the ASCII replacement for code_point, or NULL if it has none. */
static const char *transliteration_of(uint32_t code_point)
{
    size_t low = 0, high = sizeof transliterations / sizeof transliterations[0];
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (transliterations[middle].code_point == code_point)
            return transliterations[middle].ascii;
        if (transliterations[middle].code_point < code_point)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

/*
 * Writes utf8 to out with every character that GSM-7 lacks replaced: by the
 * table above, or by '?' when the table has nothing. Characters already in
 * GSM-7 (including the extension table: € [ ] ...) are copied unchanged, so
 * the result always analyses as GSM-7. Returns 0; -EINVAL for NULL or
 * invalid UTF-8; -E2BIG when out is too small (out then holds the
 * characters that fitted, NUL-terminated, if size > 0).
 */
int sms_transliterate(const char *utf8, char *out, size_t size)
{
    if (!utf8 || !out)
        return -EINVAL;
    if (size == 0)
        return -E2BIG;
    const unsigned char *s = (const unsigned char *)utf8;
    size_t used = 0;
    int rc = 0;
    for (size_t i = 0; s[i];) {
        uint32_t code_point;
        int length = utf8_decode(s + i, &code_point);
        if (length < 0) {
            rc = -EINVAL;
            goto done;
        }
        const char *replacement;
        size_t replacement_length;
        if (gsm7_septets(code_point) > 0) {
            replacement = utf8 + i;
            replacement_length = (size_t)length;
        } else {
            replacement = transliteration_of(code_point);
            if (!replacement)
                replacement = "?";
            replacement_length = strlen(replacement);
        }
        if (used + replacement_length >= size) {
            rc = -E2BIG;
            goto done;
        }
        memcpy(out + used, replacement, replacement_length);
        used += replacement_length;
        i += (size_t)length;
    }
done:
    out[used] = '\0';
    return rc;
}
