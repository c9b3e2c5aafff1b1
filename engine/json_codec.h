/*
 * json_codec.h — the one place where customers, invoices and payments are
 * turned from JSON into model.h structs (with precise validation) and back.
 * The HTTP API, the NDJSON/CSV importer and the CLI all decode through here,
 * so a record is valid or invalid the same way everywhere.
 *
 * Decoding rules shared by every record type:
 *   - the input must be a JSON object; an unknown key is an error naming it;
 *   - null, and "" for optional strings, mean "absent";
 *   - strings must be valid UTF-8 without control characters and fit the
 *     fixed buffers of model.h: a value that is too long is rejected, never
 *     truncated;
 *   - integers must be JSON integers (12.0 is a real, not an integer);
 *   - external ids (external_id, customer_id, invoice_id) must also pass
 *     dn_external_id_problem (model.h): no white space at either end.
 * On failure the decoder returns a negative errno and fills err->field with
 * the JSON key and err->msg with one sentence:
 *   -ENODATA  a required field is missing        (code "required")
 *   -E2BIG    a string does not fit              (code "too_long")
 *   -EINVAL   wrong type, shape or value         (code "invalid")
 * json_codec_error_code() gives those codes as strings for API replies.
 */
#ifndef DN_JSON_CODEC_H
#define DN_JSON_CODEC_H

#include <jansson.h>

#include "model.h"

typedef enum dn_record_type {
    DN_RECORD_CUSTOMER, DN_RECORD_INVOICE, DN_RECORD_PAYMENT
} dn_record_type;

/* "customer", "invoice", "payment". */
extern const char *const dn_record_type_names[3];
/* Parses a record type name; -EINVAL if s is none of them. */
int json_codec_record_type_parse(const char *s, dn_record_type *out);

/* One record of any type, as the importer carries it. */
typedef struct dn_record {
    dn_record_type type;
    /* Optional fields the JSON left out (bit i = record_optional_keys[type][i]).
     * Writing over an existing record keeps their stored values, so a
     * re-sent record never clears an opt-out, a hold or a dispute it did
     * not mention; an explicit null clears. */
    uint32_t absent;
    union {
        dn_customer customer;
        dn_invoice  invoice;
        dn_payment  payment;
    } as;
} dn_record;

/* How a field is spelled in JSON; the CSV importer uses it to convert
 * cells (all text) into JSON values before decoding. */
typedef enum dn_field_kind {
    DN_FIELD_UNKNOWN,   /* not a field of that record type */
    DN_FIELD_STRING,
    DN_FIELD_INTEGER,
    DN_FIELD_LIST       /* array of strings; ";"-separated in CSV */
} dn_field_kind;
dn_field_kind json_codec_field_kind(dn_record_type type, const char *field);

/* Decoders. obj is borrowed. On success *out is fully written (id 0, every
 * absent field at its default: language "lv", status "open", no due date,
 * is_credit_note false). On failure *out is unspecified. */
int json_to_customer(const json_t *obj, dn_customer *out, dn_err *err);
int json_to_invoice(const json_t *obj, dn_invoice *out, dn_err *err);
int json_to_payment(const json_t *obj, dn_payment *out, dn_err *err);
/* Decodes by type into rec (rec->type is set). */
int json_to_record(dn_record_type type, const json_t *obj, dn_record *rec, dn_err *err);
/* Copies into rec, from stored (the same record as the store has it), every
 * optional field that rec->absent marks as left out. A customer's
 * "undeliverable" marks (a hard bounce's) are kept that way too, except
 * for the channels whose address rec changes: a new address is tried. */
void record_keep_absent(dn_record *rec, const dn_record *stored);

/* Encoders: a new object (caller owns; NULL only when out of memory) whose
 * shape the matching decoder accepts back, except the read-only invoice key
 * "paid_minor". Absent optional values are encoded as null. */
json_t *customer_to_json(const dn_customer *c);
json_t *invoice_to_json(const dn_invoice *inv);
json_t *payment_to_json(const dn_payment *p);

/* True if the JSON text nests arrays/objects deeper than max_depth (a
 * top-level object is depth 1). Scans the raw text without parsing, so it
 * is safe to call before json_loadb on hostile input; jansson's own limit
 * (JSON_PARSER_MAX_DEPTH, 2048) is fixed at its compile time and far above
 * what any record needs. Brackets inside strings are not counted. */
bool json_codec_too_deep(const char *text, size_t len, int max_depth);

/* "required", "too_long" or "invalid" for a decoder's negative errno. */
const char *json_codec_error_code(int code);

#endif
