/* json_codec.c — JSON <-> dn_customer / dn_invoice / dn_payment with the
 * validation every entry point shares (see json_codec.h for the rules). */
#include "json_codec.h"
#include "tz.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

const char *const dn_record_type_names[3] = {
    [DN_RECORD_CUSTOMER] = "customer",
    [DN_RECORD_INVOICE] = "invoice",
    [DN_RECORD_PAYMENT] = "payment",
};

typedef struct field_spec {
    const char   *name;
    dn_field_kind kind;
} field_spec;

static const field_spec customer_fields[] = {
    { "external_id", DN_FIELD_STRING }, { "name", DN_FIELD_STRING },
    { "language", DN_FIELD_STRING },    { "timezone", DN_FIELD_STRING },
    { "country", DN_FIELD_STRING },     { "email", DN_FIELD_STRING },
    { "phone", DN_FIELD_STRING },       { "chat", DN_FIELD_STRING },
    { "age", DN_FIELD_INTEGER },        { "holds", DN_FIELD_LIST },
    { "hold_until", DN_FIELD_STRING },  { "opt_out", DN_FIELD_LIST },
    { "opt_out_confirmed", DN_FIELD_LIST }, { "third_party", DN_FIELD_LIST },
    { "consent", DN_FIELD_LIST },       { "blackout", DN_FIELD_LIST },
    { "undeliverable", DN_FIELD_LIST },
};
static const field_spec invoice_fields[] = {
    { "external_id", DN_FIELD_STRING },  { "customer_id", DN_FIELD_STRING },
    { "currency", DN_FIELD_STRING },     { "amount_minor", DN_FIELD_INTEGER },
    { "issued", DN_FIELD_STRING },       { "due", DN_FIELD_STRING },
    { "status", DN_FIELD_STRING },
};
static const field_spec payment_fields[] = {
    { "external_id", DN_FIELD_STRING }, { "customer_id", DN_FIELD_STRING },
    { "invoice_id", DN_FIELD_STRING },  { "currency", DN_FIELD_STRING },
    { "amount_minor", DN_FIELD_INTEGER }, { "paid_on", DN_FIELD_STRING },
    { "kind", DN_FIELD_STRING },
};

typedef struct record_fields {
    const field_spec *specs;
    size_t            n;
} record_fields;

static const record_fields fields_by_type[3] = {
    [DN_RECORD_CUSTOMER] = { customer_fields, sizeof customer_fields / sizeof customer_fields[0] },
    [DN_RECORD_INVOICE] = { invoice_fields, sizeof invoice_fields / sizeof invoice_fields[0] },
    [DN_RECORD_PAYMENT] = { payment_fields, sizeof payment_fields / sizeof payment_fields[0] },
};

/* Names of the hold and opt-out bits, in the order of their bits. */
static const char *const hold_names[] = {
    "dispute", "bankruptcy", "deceased", "cease_contact", "vulnerable", "pause",
    "breathing_space",
};
static const char *const opt_out_names[] = { "sms", "email", "voice", "chat" };

int json_codec_record_type_parse(const char *s, dn_record_type *out)
{
    for (int i = 0; s && i < 3; i++) {
        if (strcmp(s, dn_record_type_names[i]) == 0) {
            *out = (dn_record_type)i;
            return 0;
        }
    }
    return -EINVAL;
}

dn_field_kind json_codec_field_kind(dn_record_type type, const char *field)
{
    if ((unsigned)type > DN_RECORD_PAYMENT || !field)
        return DN_FIELD_UNKNOWN;
    const record_fields *rf = &fields_by_type[type];
    for (size_t i = 0; i < rf->n; i++)
        if (strcmp(rf->specs[i].name, field) == 0)
            return rf->specs[i].kind;
    return DN_FIELD_UNKNOWN;
}

const char *json_codec_error_code(int code)
{
    switch (code) {
    case -ENODATA: return "required";
    case -E2BIG:   return "too_long";
    default:       return "invalid";
    }
}

/* Checks obj is an object whose keys all belong to the record type. */
static int check_object(dn_record_type type, const json_t *obj, dn_err *err)
{
    if (!json_is_object(obj))
        return dn_err_set(err, -EINVAL, "", "a %s must be a JSON object",
                          dn_record_type_names[type]);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        (void)value;
        if (json_codec_field_kind(type, key) == DN_FIELD_UNKNOWN)
            return dn_err_set(err, -EINVAL, key, "\"%.60s\" is not a field of a %s", key,
                              dn_record_type_names[type]);
    }
    return 0;
}

/* Copies the string at key into dst (size bytes). Absent, null or "" give
 * dst = "" and return 0 for an optional field, -ENODATA for a required one.
 * Rejects non-strings, embedded NUL, invalid UTF-8, control characters and
 * values that do not fit. */
static int get_string(const json_t *obj, const char *key, char *dst, size_t size,
                      bool required, dn_err *err)
{
    dst[0] = '\0';
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        if (required)
            return dn_err_set(err, -ENODATA, key, "%s is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return dn_err_set(err, -EINVAL, key, "%s must be a string", key);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len || !dn_utf8_valid(s))
        return dn_err_set(err, -EINVAL, key, "%s must be valid UTF-8 text without NUL", key);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return dn_err_set(err, -EINVAL, key, "%s must not contain control characters",
                              key);
    }
    if (len >= size)
        return dn_err_set(err, -E2BIG, key, "%s is %zu bytes long; at most %zu are allowed",
                          key, len, size - 1);
    memcpy(dst, s, len + 1);
    return 0;
}

/* An external id at key (get_string's rules) that dn_external_id_problem
 * accepts: " C1 " is refused naming the field, never a second "C1". */
static int get_id(const json_t *obj, const char *key, char *dst, size_t size, bool required,
                  dn_err *err)
{
    int rc = get_string(obj, key, dst, size, required, err);
    if (rc < 0 || !dst[0])
        return rc;
    const char *problem = dn_external_id_problem(dst);
    if (problem)
        return dn_err_set(err, -EINVAL, key, "%s %s", key, problem);
    return 0;
}

/* Reads an optional or required JSON integer at key. *present tells which. */
static int get_integer(const json_t *obj, const char *key, bool required, json_int_t *out,
                       bool *present, dn_err *err)
{
    *present = false;
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return dn_err_set(err, -ENODATA, key, "%s is required", key);
        return 0;
    }
    if (!json_is_integer(v))
        return dn_err_set(err, -EINVAL, key, "%s must be a JSON integer (not %s)", key,
                          json_is_real(v) ? "a fractional number"
                          : json_is_string(v) ? "a string" : "this type");
    *out = json_integer_value(v);
    *present = true;
    return 0;
}

static int get_date(const json_t *obj, const char *key, bool required, dn_date *out,
                    dn_err *err)
{
    char text[16];
    *out = DN_NO_DATE;
    int rc = get_string(obj, key, text, sizeof text, required, err);
    if (rc == -E2BIG)
        return dn_err_set(err, -EINVAL, key, "%s must be a date YYYY-MM-DD", key);
    if (rc < 0 || !text[0])
        return rc;
    if (dn_date_parse(text, out) < 0)
        return dn_err_set(err, -EINVAL, key, "%s \"%s\" is not a date YYYY-MM-DD", key, text);
    return 0;
}

/* Reads an optional array of names into a bit set (bit i = names[i]). */
static int get_flag_list(const json_t *obj, const char *key, const char *const *names,
                         size_t n_names, unsigned *out, dn_err *err)
{
    *out = 0;
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return dn_err_set(err, -EINVAL, key, "%s must be an array of strings", key);
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
        if (!json_is_string(item))
            return dn_err_set(err, -EINVAL, key, "%s[%zu] must be a string", key, i);
        const char *s = json_string_value(item);
        size_t bit = 0;
        while (bit < n_names && strcmp(names[bit], s) != 0)
            bit++;
        if (bit == n_names)
            return dn_err_set(err, -EINVAL, key, "%s[%zu] \"%.40s\" is not a known value", key,
                              i, s);
        *out |= 1u << bit;
    }
    return 0;
}

static bool all_chars_in(const char *s, const char *extra, bool letters, bool digits)
{
    for (; *s; s++) {
        char ch = *s;
        bool ok = (letters && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) ||
                  (digits && ch >= '0' && ch <= '9') || (ch && strchr(extra, ch));
        if (!ok)
            return false;
    }
    return true;
}

static int check_language(const char *s, dn_err *err)
{
    size_t n = strlen(s);
    bool ok = n >= 2 && n <= 3;
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] >= 'a' && s[i] <= 'z';
    if (!ok)
        return dn_err_set(err, -EINVAL, "language",
                          "language \"%.20s\" must be 2 or 3 lowercase letters (ISO 639)", s);
    return 0;
}

static int check_country(const char *s, dn_err *err)
{
    if (!s[0])
        return 0;
    if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
        return dn_err_set(err, -EINVAL, "country",
                          "country must be 2 uppercase letters (ISO 3166 alpha-2)");
    return 0;
}

static int check_timezone(const char *s, dn_err *err)
{
    if (!s[0])
        return 0;
    if (!all_chars_in(s, "_+-/", true, true) || s[0] == '/' || strstr(s, ".."))
        return dn_err_set(err, -EINVAL, "timezone",
                          "timezone \"%.64s\" is not an IANA zone name (letters, digits, _ + - /)",
                          s);
    dn_err tz_err;
    dn_err_clear(&tz_err);
    if (!tz_get(s, &tz_err))
        return dn_err_set(err, -EINVAL, "timezone",
                          "timezone \"%.64s\" is not in the system's time zone database", s);
    return 0;
}

static int check_phone(const char *s, dn_err *err)
{
    if (!s[0])
        return 0;
    size_t digits = strlen(s) - 1;
    if (s[0] != '+' || digits < 8 || digits > 15 || !all_chars_in(s + 1, "", false, true))
        return dn_err_set(err, -EINVAL, "phone",
                          "phone must be E.164: + followed by 8 to 15 digits");
    return 0;
}

static int check_email(const char *s, dn_err *err)
{
    if (!s[0])
        return 0;
    const char *at = strchr(s, '@');
    bool ok = at && at != s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " \t");
    if (!ok)
        return dn_err_set(err, -EINVAL, "email",
                          "email must have one @ with text on both sides and no spaces");
    return 0;
}

/* Reads the required currency into out[4]: three letters that money.h
 * knows as an active ISO 4217 code. */
static int get_currency(const json_t *obj, char out[4], dn_err *err)
{
    char text[16];
    int rc = get_string(obj, "currency", text, sizeof text, true, err);
    if (rc == -ENODATA || (rc < 0 && rc != -E2BIG))
        return rc;
    if (rc == -E2BIG || strlen(text) != 3 || !all_chars_in(text, "", true, false) ||
        money_exponent(text) < 0)
        return dn_err_set(err, -EINVAL, "currency", "\"%.8s\" is not a known ISO 4217 currency",
                          rc == -E2BIG ? "(too long)" : text);
    memcpy(out, text, 4);
    return 0;
}

static int get_amount(const json_t *obj, int64_t *out, dn_err *err)
{
    json_int_t v = 0;
    bool present;
    int rc = get_integer(obj, "amount_minor", true, &v, &present, err);
    if (rc < 0)
        return rc;
    if (v <= 0)
        return dn_err_set(err, -EINVAL, "amount_minor",
                          "amount_minor must be greater than zero (minor units)");
    if (v > DN_AMOUNT_MAX)
        return dn_err_set(err, -EINVAL, "amount_minor",
                          "amount_minor must be at most %lld (minor units)",
                          (long long)DN_AMOUNT_MAX);
    *out = (int64_t)v;
    return 0;
}

/* Reads the optional "blackout" array of text forms (model.h) into c. */
static int get_blackouts(const json_t *obj, dn_customer *c, dn_err *err)
{
    const json_t *v = json_object_get(obj, "blackout");
    c->n_blackout = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return dn_err_set(err, -EINVAL, "blackout", "blackout must be an array of strings");
    if (json_array_size(v) > DN_CUSTOMER_BLACKOUTS)
        return dn_err_set(err, -EINVAL, "blackout", "at most %d blackouts per customer",
                          DN_CUSTOMER_BLACKOUTS);
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
        if (!json_is_string(item) ||
            dn_blackout_parse(json_string_value(item), &c->blackout[c->n_blackout]) < 0)
            return dn_err_set(err, -EINVAL, "blackout",
                              "blackout[%zu] must be \"<days> HH:MM-HH:MM [channels]\", "
                              "e.g. \"mon-fri 15:00-17:00\" or \"all 00:00-14:00 voice\"", i);
        c->n_blackout++;
    }
    return 0;
}

int json_to_customer(const json_t *obj, dn_customer *out, dn_err *err)
{
    int rc;
    json_int_t age = 0;
    bool has_age;
    memset(out, 0, sizeof *out);
    if ((rc = check_object(DN_RECORD_CUSTOMER, obj, err)) < 0 ||
        (rc = get_id(obj, "external_id", out->external_id, sizeof out->external_id, true,
                     err)) < 0 ||
        (rc = get_string(obj, "name", out->name, sizeof out->name, true, err)) < 0 ||
        (rc = get_string(obj, "language", out->language, sizeof out->language, false, err)) < 0 ||
        (rc = get_string(obj, "timezone", out->timezone, sizeof out->timezone, false, err)) < 0 ||
        (rc = get_string(obj, "country", out->country, sizeof out->country, false, err)) < 0 ||
        (rc = get_string(obj, "email", out->email, sizeof out->email, false, err)) < 0 ||
        (rc = get_string(obj, "phone", out->phone, sizeof out->phone, false, err)) < 0 ||
        (rc = get_string(obj, "chat", out->chat, sizeof out->chat, false, err)) < 0 ||
        (rc = get_integer(obj, "age", false, &age, &has_age, err)) < 0 ||
        (rc = get_flag_list(obj, "holds", hold_names, sizeof hold_names / sizeof hold_names[0],
                            &out->holds, err)) < 0 ||
        (rc = get_date(obj, "hold_until", false, &out->hold_until, err)) < 0 ||
        (rc = get_flag_list(obj, "opt_out", opt_out_names,
                            sizeof opt_out_names / sizeof opt_out_names[0], &out->opt_out,
                            err)) < 0 ||
        (rc = get_flag_list(obj, "opt_out_confirmed", opt_out_names,
                            sizeof opt_out_names / sizeof opt_out_names[0],
                            &out->opt_out_confirmed, err)) < 0 ||
        (rc = get_flag_list(obj, "third_party", opt_out_names,
                            sizeof opt_out_names / sizeof opt_out_names[0], &out->third_party,
                            err)) < 0 ||
        (rc = get_flag_list(obj, "consent", opt_out_names,
                            sizeof opt_out_names / sizeof opt_out_names[0], &out->consent,
                            err)) < 0 ||
        (rc = get_flag_list(obj, "undeliverable", opt_out_names,
                            sizeof opt_out_names / sizeof opt_out_names[0], &out->undeliverable,
                            err)) < 0 ||
        (rc = get_blackouts(obj, out, err)) < 0)
        return rc;
    if (!out->language[0])
        dn_strlcpy(out->language, "lv", sizeof out->language);
    if ((rc = check_language(out->language, err)) < 0 ||
        (rc = check_timezone(out->timezone, err)) < 0 ||
        (rc = check_country(out->country, err)) < 0 ||
        (rc = check_email(out->email, err)) < 0 || (rc = check_phone(out->phone, err)) < 0)
        return rc;
    if (has_age && (age < 0 || age > 150))
        return dn_err_set(err, -EINVAL, "age", "age must be between 0 and 150");
    out->age = (int)age;
    return 0;
}

int json_to_invoice(const json_t *obj, dn_invoice *out, dn_err *err)
{
    int rc;
    char status[16];
    memset(out, 0, sizeof *out);
    out->status = DN_INV_OPEN;
    if ((rc = check_object(DN_RECORD_INVOICE, obj, err)) < 0 ||
        (rc = get_id(obj, "external_id", out->external_id, sizeof out->external_id, true,
                     err)) < 0 ||
        (rc = get_id(obj, "customer_id", out->customer_external_id,
                     sizeof out->customer_external_id, true, err)) < 0 ||
        (rc = get_currency(obj, out->currency, err)) < 0 ||
        (rc = get_amount(obj, &out->amount_minor, err)) < 0 ||
        (rc = get_date(obj, "issued", false, &out->issued, err)) < 0 ||
        (rc = get_date(obj, "due", false, &out->due, err)) < 0)
        return rc;
    rc = get_string(obj, "status", status, sizeof status, false, err);
    if (rc == -E2BIG || (rc == 0 && status[0] && dn_invoice_status_parse(status, &out->status) < 0))
        return dn_err_set(err, -EINVAL, "status",
                          "status must be one of draft, open, disputed, on_hold, paid, "
                          "credited, written_off");
    if (rc < 0)
        return rc;
    if (out->due != DN_NO_DATE && out->issued != DN_NO_DATE && out->due < out->issued)
        return dn_err_set(err, -EINVAL, "due", "due must not be before issued");
    return 0;
}

int json_to_payment(const json_t *obj, dn_payment *out, dn_err *err)
{
    int rc;
    char kind[16];
    memset(out, 0, sizeof *out);
    if ((rc = check_object(DN_RECORD_PAYMENT, obj, err)) < 0 ||
        (rc = get_id(obj, "external_id", out->external_id, sizeof out->external_id, true,
                     err)) < 0 ||
        (rc = get_id(obj, "customer_id", out->customer_external_id,
                     sizeof out->customer_external_id, true, err)) < 0 ||
        (rc = get_id(obj, "invoice_id", out->invoice_external_id,
                     sizeof out->invoice_external_id, false, err)) < 0 ||
        (rc = get_currency(obj, out->currency, err)) < 0 ||
        (rc = get_amount(obj, &out->amount_minor, err)) < 0 ||
        (rc = get_date(obj, "paid_on", true, &out->paid_on, err)) < 0)
        return rc;
    rc = get_string(obj, "kind", kind, sizeof kind, false, err);
    if (rc == -E2BIG || (rc == 0 && kind[0] && strcmp(kind, "payment") != 0 &&
                         strcmp(kind, "credit_note") != 0))
        return dn_err_set(err, -EINVAL, "kind", "kind must be \"payment\" or \"credit_note\"");
    if (rc < 0)
        return rc;
    out->is_credit_note = strcmp(kind, "credit_note") == 0;
    return 0;
}

/* The optional fields of each record type that an update keeps when left
 * out; bit i of dn_record.absent is key i. Payments never change. */
static const char *const customer_optional[] = {
    "language", "timezone", "country", "email", "phone", "chat", "age", "holds", "hold_until",
    "opt_out", "opt_out_confirmed", "third_party", "consent", "blackout", "undeliverable", NULL,
};
static const char *const invoice_optional[] = { "issued", "due", "status", NULL };

static uint32_t absent_bits(const json_t *obj, const char *const *keys)
{
    uint32_t bits = 0;
    for (int i = 0; keys[i]; i++)
        if (!json_object_get(obj, keys[i]))
            bits |= UINT32_C(1) << i;
    return bits;
}

int json_to_record(dn_record_type type, const json_t *obj, dn_record *rec, dn_err *err)
{
    rec->type = type;
    rec->absent = 0;
    switch (type) {
    case DN_RECORD_CUSTOMER:
        rec->absent = absent_bits(obj, customer_optional);
        return json_to_customer(obj, &rec->as.customer, err);
    case DN_RECORD_INVOICE:
        rec->absent = absent_bits(obj, invoice_optional);
        return json_to_invoice(obj, &rec->as.invoice, err);
    case DN_RECORD_PAYMENT:
        return json_to_payment(obj, &rec->as.payment, err);
    }
    return dn_err_set(err, -EINVAL, "type", "unknown record type");
}

#define KEEP(bit, field) do { if (rec->absent & (UINT32_C(1) << (bit))) to->field = from->field; } while (0)
#define KEEP_TEXT(bit, field) do { if (rec->absent & (UINT32_C(1) << (bit))) \
        memcpy(to->field, from->field, sizeof to->field); } while (0)

void record_keep_absent(dn_record *rec, const dn_record *stored)
{
    if (!rec->absent || rec->type != stored->type)
        return;
    if (rec->type == DN_RECORD_CUSTOMER) {
        dn_customer *to = &rec->as.customer;
        const dn_customer *from = &stored->as.customer;
        /* bits in the order of customer_optional */
        KEEP_TEXT(0, language);
        KEEP_TEXT(1, timezone);
        KEEP_TEXT(2, country);
        KEEP_TEXT(3, email);
        KEEP_TEXT(4, phone);
        KEEP_TEXT(5, chat);
        KEEP(6, age);
        KEEP(7, holds);
        KEEP(8, hold_until);
        KEEP(9, opt_out);
        KEEP(10, opt_out_confirmed);
        KEEP(11, third_party);
        KEEP(12, consent);
        if (rec->absent & (UINT32_C(1) << 13)) {
            memcpy(to->blackout, from->blackout, sizeof to->blackout);
            to->n_blackout = from->n_blackout;
        }
        if (rec->absent & (UINT32_C(1) << 14)) {
            /* kept, but a new address is worth a try: its channels' marks go */
            to->undeliverable = from->undeliverable;
            if (strcmp(to->email, from->email) != 0)
                to->undeliverable &= ~(unsigned)DN_OPTOUT_EMAIL;
            if (strcmp(to->phone, from->phone) != 0)
                to->undeliverable &= ~(unsigned)(DN_OPTOUT_SMS | DN_OPTOUT_VOICE);
            if (strcmp(to->chat, from->chat) != 0)
                to->undeliverable &= ~(unsigned)DN_OPTOUT_CHAT;
        }
    } else if (rec->type == DN_RECORD_INVOICE) {
        dn_invoice *to = &rec->as.invoice;
        const dn_invoice *from = &stored->as.invoice;
        KEEP(0, issued);
        KEEP(1, due);
        KEEP(2, status);
    }
}

#undef KEEP
#undef KEEP_TEXT

/* A string value, or null for "" (absent). */
static json_t *string_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static json_t *date_or_null(dn_date day)
{
    char text[11];
    if (day == DN_NO_DATE)
        return json_null();
    dn_date_format(day, text);
    return json_string(text);
}

static json_t *flag_list(unsigned bits, const char *const *names, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if (bits & (1u << i))
            json_array_append_new(list, json_string(names[i]));
    return list;
}

json_t *customer_to_json(const dn_customer *c)
{
    json_t *blackouts = json_array();
    for (int i = 0; blackouts && i < c->n_blackout && i < DN_CUSTOMER_BLACKOUTS; i++) {
        char text[DN_BLACKOUT_TEXT_MAX];
        dn_blackout_format(&c->blackout[i], text);
        json_array_append_new(blackouts, json_string(text));
    }
    const size_t n_opt = sizeof opt_out_names / sizeof opt_out_names[0];
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
                     "s:o, s:o, s:o}",
                     "external_id", c->external_id, "name", c->name, "language", c->language,
                     "timezone", string_or_null(c->timezone), "country",
                     string_or_null(c->country), "email", string_or_null(c->email), "phone",
                     string_or_null(c->phone), "chat", string_or_null(c->chat), "age",
                     c->age > 0 ? json_integer(c->age) : json_null(), "holds",
                     flag_list(c->holds, hold_names, sizeof hold_names / sizeof hold_names[0]),
                     "hold_until", date_or_null(c->hold_until), "opt_out",
                     flag_list(c->opt_out, opt_out_names, n_opt), "opt_out_confirmed",
                     flag_list(c->opt_out_confirmed, opt_out_names, n_opt), "third_party",
                     flag_list(c->third_party, opt_out_names, n_opt), "consent",
                     flag_list(c->consent, opt_out_names, n_opt), "blackout", blackouts,
                     "undeliverable", flag_list(c->undeliverable, opt_out_names, n_opt));
}

json_t *invoice_to_json(const dn_invoice *inv)
{
    const char *status = (unsigned)inv->status < DN_INV_STATUS_COUNT
                             ? dn_invoice_status_names[inv->status]
                             : "open";
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:s}", "external_id",
                     inv->external_id, "customer_id", inv->customer_external_id, "currency",
                     inv->currency, "amount_minor", (json_int_t)inv->amount_minor, "paid_minor",
                     (json_int_t)inv->paid_minor, "issued", date_or_null(inv->issued), "due",
                     date_or_null(inv->due), "status", status);
}

json_t *payment_to_json(const dn_payment *p)
{
    return json_pack("{s:s, s:s, s:o, s:s, s:I, s:o, s:s}", "external_id", p->external_id,
                     "customer_id", p->customer_external_id, "invoice_id",
                     string_or_null(p->invoice_external_id), "currency", p->currency,
                     "amount_minor", (json_int_t)p->amount_minor, "paid_on",
                     date_or_null(p->paid_on), "kind",
                     p->is_credit_note ? "credit_note" : "payment");
}

bool json_codec_too_deep(const char *text, size_t len, int max_depth)
{
    int depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > max_depth)
                return true;
        } else if ((ch == '}' || ch == ']') && depth > 0) {
            depth--;
        }
    }
    return false;
}
