/* import.c — per-record checks and writes, and the NDJSON / CSV bulk
 * importers built on them (see import.h for the contract). */
#include "import.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- reports ---- */

void import_report_init(dn_import_report *rep)
{
    memset(rep, 0, sizeof *rep);
}

void import_report_free(dn_import_report *rep)
{
    free(rep->errors);
    import_report_init(rep);
}

/* Counts one rejected row and keeps its error while there is room. */
static int report_reject(dn_import_report *rep, long line, const char *field, const char *code,
                         const char *message)
{
    rep->rejected++;
    if (rep->n_errors >= DN_IMPORT_ERRORS_MAX)
        return 0;
    if (rep->n_errors == rep->errors_capacity) {
        int capacity = rep->errors_capacity ? rep->errors_capacity * 2 : 16;
        if (capacity > DN_IMPORT_ERRORS_MAX)
            capacity = DN_IMPORT_ERRORS_MAX;
        dn_import_error *grown = realloc(rep->errors, (size_t)capacity * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        rep->errors = grown;
        rep->errors_capacity = capacity;
    }
    dn_import_error *e = &rep->errors[rep->n_errors++];
    e->line = line;
    dn_strlcpy(e->field, field ? field : "", sizeof e->field);
    dn_strlcpy(e->code, code, sizeof e->code);
    dn_strlcpy(e->message, message, sizeof e->message);
    return 0;
}

static void report_accept(dn_import_report *rep, dn_upsert_outcome outcome)
{
    rep->accepted++;
    if (outcome == DN_UPSERT_CREATED)
        rep->created++;
    else if (outcome == DN_UPSERT_UPDATED)
        rep->updated++;
    else
        rep->unchanged++;
}

json_t *import_report_json(const dn_import_report *rep)
{
    json_t *errors = json_array();
    json_t *out = NULL;
    if (!errors)
        goto fail;
    for (int i = 0; i < rep->n_errors; i++) {
        const dn_import_error *e = &rep->errors[i];
        json_t *item = json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)e->line, "field",
                                 e->field, "code", e->code, "message", e->message);
        if (!item || json_array_append_new(errors, item) < 0)
            goto fail;
    }
    out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "accepted", (json_int_t)rep->accepted,
                    "created", (json_int_t)rep->created, "updated", (json_int_t)rep->updated,
                    "unchanged", (json_int_t)rep->unchanged, "rejected",
                    (json_int_t)rep->rejected, "errors", errors);
fail:
    json_decref(errors);
    return out;
}

/* ---- one record ---- */

static int check_invoice(dn_store *s, const dn_invoice *inv, dn_err *err)
{
    dn_customer customer;
    dn_invoice existing;
    int rc = s->ops->get_customer(s->ctx, inv->customer_external_id, &customer, err);
    if (rc == -ENOENT)
        return dn_err_set(err, -ENOENT, "customer_id", "customer \"%.64s\" does not exist",
                          inv->customer_external_id);
    if (rc < 0)
        return rc;
    rc = s->ops->get_invoice(s->ctx, inv->external_id, &existing, err);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    if (strcmp(existing.customer_external_id, inv->customer_external_id) != 0)
        return dn_err_set(err, -EEXIST, "customer_id",
                          "invoice \"%.64s\" already belongs to customer \"%.64s\"",
                          inv->external_id, existing.customer_external_id);
    if (strcmp(existing.currency, inv->currency) != 0)
        return dn_err_set(err, -EEXIST, "currency",
                          "invoice \"%.64s\" already exists in %s; currency cannot change",
                          inv->external_id, existing.currency);
    if (existing.amount_minor != inv->amount_minor)
        return dn_err_set(err, -EEXIST, "amount_minor",
                          "invoice \"%.64s\" already exists with amount_minor %lld; the amount "
                          "cannot change", inv->external_id, (long long)existing.amount_minor);
    return 0;
}

static int check_payment(dn_store *s, const dn_payment *p, dn_err *err)
{
    dn_customer customer;
    dn_invoice invoice;
    int rc = s->ops->get_customer(s->ctx, p->customer_external_id, &customer, err);
    if (rc == -ENOENT)
        return dn_err_set(err, -ENOENT, "customer_id", "customer \"%.64s\" does not exist",
                          p->customer_external_id);
    if (rc < 0 || !p->invoice_external_id[0])
        return rc;
    rc = s->ops->get_invoice(s->ctx, p->invoice_external_id, &invoice, err);
    if (rc == -ENOENT)
        return dn_err_set(err, -ENOENT, "invoice_id", "invoice \"%.64s\" does not exist",
                          p->invoice_external_id);
    if (rc < 0)
        return rc;
    if (strcmp(invoice.customer_external_id, p->customer_external_id) != 0)
        return dn_err_set(err, -EINVAL, "invoice_id",
                          "invoice \"%.64s\" belongs to another customer", p->invoice_external_id);
    if (strcmp(invoice.currency, p->currency) != 0)
        return dn_err_set(err, -EINVAL, "currency", "invoice \"%.64s\" is in %s, not %s",
                          p->invoice_external_id, invoice.currency, p->currency);
    return 0;
}

/* Over an existing customer or invoice, the optional fields rec left out
 * take their stored values (see dn_record.absent), and stored (may be
 * NULL) receives the stored record: 1. A new record keeps its defaults: 0.
 * Payments are never merged: 0. */
static int merge_stored(dn_store *s, dn_record *rec, dn_record *stored, dn_err *err)
{
    dn_record have = { .type = rec->type };
    int rc;
    if (rec->type == DN_RECORD_CUSTOMER)
        rc = s->ops->get_customer(s->ctx, rec->as.customer.external_id, &have.as.customer, err);
    else if (rec->type == DN_RECORD_INVOICE)
        rc = s->ops->get_invoice(s->ctx, rec->as.invoice.external_id, &have.as.invoice, err);
    else
        return 0;
    if (rc == -ENOENT) {
        dn_err_clear(err);
        return 0;
    }
    if (rc < 0)
        return rc;
    record_keep_absent(rec, &have);
    if (stored)
        *stored = have;
    return 1;
}

/* A payment dated after the engine's today (plus one day for the payer's
 * time zone) has not happened: refused before anything is allocated. */
static int check_paid_on(const dn_payment *p, dn_time now, dn_err *err)
{
    dn_date today = (dn_date)(now >= 0 ? now / 86400 : (now - 86399) / 86400);
    if (p->paid_on <= today + DN_IMPORT_PAID_ON_SLACK_DAYS)
        return 0;
    char paid_on[11], latest[11];
    dn_date_format(p->paid_on, paid_on);
    dn_date_format(today + DN_IMPORT_PAID_ON_SLACK_DAYS, latest);
    return dn_err_set(err, -EINVAL, "paid_on", "paid_on %s is in the future: the latest day "
                      "accepted is %s (today, UTC, plus one day for time zones)", paid_on,
                      latest);
}

/* For a create: the record is new (0), or the same as the stored one once
 * the fields it left out take their stored values (*same set, nothing to
 * write), else -EEXIST naming the first field that differs. Compared in
 * the records' JSON form (json_codec.h), so every field counts, without
 * the store's bookkeeping (an invoice's paid_minor). */
static int check_create(dn_store *s, dn_record *rec, bool *same, dn_err *err)
{
    dn_record stored;
    const char *id = rec->type == DN_RECORD_CUSTOMER ? rec->as.customer.external_id
                                                     : rec->as.invoice.external_id;
    *same = false;
    int rc = merge_stored(s, rec, &stored, err);
    if (rc <= 0)
        return rc;
    json_t *given = rec->type == DN_RECORD_CUSTOMER ? customer_to_json(&rec->as.customer)
                                                    : invoice_to_json(&rec->as.invoice);
    json_t *have = rec->type == DN_RECORD_CUSTOMER ? customer_to_json(&stored.as.customer)
                                                   : invoice_to_json(&stored.as.invoice);
    const char *key, *differs = NULL;
    json_t *value;
    rc = given && have ? 0 : dn_err_set(err, -ENOMEM, "", "out of memory");
    if (rc == 0) {
        json_object_foreach(given, key, value) {
            if (strcmp(key, "paid_minor") != 0 && !json_equal(value, json_object_get(have, key))) {
                differs = key;
                break;
            }
        }
        if (differs)
            rc = dn_err_set(err, -EEXIST, differs, "%s \"%.64s\" exists with another %s; a "
                            "POST creates (PUT or PATCH /v1/%ss/{id} updates)",
                            dn_record_type_names[rec->type], id, differs,
                            dn_record_type_names[rec->type]);
        else
            *same = true;
    }
    json_decref(given);
    json_decref(have);
    return rc;
}

int import_write_record(dn_store *s, const dn_record *rec, dn_write_mode mode, dn_time now,
                        dn_upsert_outcome *outcome, dn_err *err)
{
    /* the store may write ids into what it is given: hand it a copy */
    dn_record copy = *rec;
    int rc;
    if (mode == DN_WRITE_CREATE && rec->type != DN_RECORD_PAYMENT) {
        bool same;
        if ((rc = check_create(s, &copy, &same, err)) < 0)
            return rc;
        if (same) {
            *outcome = DN_UPSERT_SAME;
            return 0;
        }
    } else if (rec->absent && (rc = merge_stored(s, &copy, NULL, err)) < 0) {
        return rc;
    }
    switch (rec->type) {
    case DN_RECORD_CUSTOMER:
        return s->ops->upsert_customer(s->ctx, &copy.as.customer, outcome, err);
    case DN_RECORD_INVOICE:
        if ((rc = check_invoice(s, &copy.as.invoice, err)) < 0)
            return rc;
        return s->ops->upsert_invoice(s->ctx, &copy.as.invoice, outcome, err);
    case DN_RECORD_PAYMENT:
        if ((rc = check_paid_on(&copy.as.payment, now, err)) < 0 ||
            (rc = check_payment(s, &copy.as.payment, err)) < 0)
            return rc;
        return s->ops->add_payment(s->ctx, &copy.as.payment, outcome, err);
    }
    return dn_err_set(err, -EINVAL, "type", "unknown record type");
}

/* ---- bulk: rows gathered into chunks ---- */

/* A row waiting for its chunk to be written. Rows that failed to decode wait
 * too, so errors come out in input order. */
typedef struct pending_row {
    long        line;
    bool        decoded;
    dn_record   record;
    int         rc;
    dn_upsert_outcome outcome;
    char        code[24];
    dn_err      err;
} pending_row;

typedef struct importer {
    dn_store          *store;
    dn_time            now;      /* the engine's clock (payments may not be later) */
    dn_import_report  *report;
    pending_row       *rows;     /* DN_IMPORT_CHUNK_ROWS of them */
    int                n_rows;
    long               done;     /* rows settled or pending */
} importer;

static int importer_init(importer *imp, dn_store *s, dn_time now, dn_import_report *rep)
{
    imp->store = s;
    imp->now = now;
    imp->report = rep;
    imp->n_rows = 0;
    imp->done = 0;
    imp->rows = calloc(DN_IMPORT_CHUNK_ROWS, sizeof *imp->rows);
    return imp->rows ? 0 : -ENOMEM;
}

static void importer_free(importer *imp)
{
    free(imp->rows);
    imp->rows = NULL;
}

/* Whether a write failure concerns the row itself (rejected, the
 * transaction goes on) rather than the store (the chunk is retried row by
 * row). */
static bool row_level_error(int rc)
{
    return rc == -EINVAL || rc == -EEXIST || rc == -ENOENT || rc == -E2BIG || rc == -ENODATA;
}

static const char *write_error_code(int rc)
{
    switch (rc) {
    case -EEXIST: return "conflict";
    case -ENOENT: return "unknown_reference";
    case -EINVAL: case -E2BIG: case -ENODATA: return json_codec_error_code(rc);
    default: return "store_error";
    }
}

static void write_row(importer *imp, pending_row *row)
{
    dn_err_clear(&row->err);
    row->rc = import_write_record(imp->store, &row->record, DN_WRITE_UPSERT, imp->now,
                                  &row->outcome, &row->err);
    if (row->rc < 0)
        dn_strlcpy(row->code, write_error_code(row->rc), sizeof row->code);
}

/* Writes the decoded rows of the chunk (in one transaction when the store
 * offers them, else one by one) and moves every row into the report. */
static int importer_flush(importer *imp)
{
    const dn_store_ops *ops = imp->store->ops;
    bool written = false;
    int rc = 0;
    if (ops->begin && ops->commit && ops->rollback && ops->begin(imp->store->ctx, NULL) == 0) {
        bool broken = false;
        for (int i = 0; i < imp->n_rows && !broken; i++) {
            if (!imp->rows[i].decoded)
                continue;
            write_row(imp, &imp->rows[i]);
            broken = imp->rows[i].rc < 0 && !row_level_error(imp->rows[i].rc);
        }
        if (!broken && ops->commit(imp->store->ctx, NULL) == 0)
            written = true;
        else
            ops->rollback(imp->store->ctx);
    }
    for (int i = 0; !written && i < imp->n_rows; i++)
        if (imp->rows[i].decoded)
            write_row(imp, &imp->rows[i]);
    for (int i = 0; i < imp->n_rows; i++) {
        pending_row *row = &imp->rows[i];
        if (row->decoded && row->rc == 0)
            report_accept(imp->report, row->outcome);
        else if (report_reject(imp->report, row->line, row->err.field, row->code,
                               row->err.msg) < 0)
            rc = -ENOMEM;
    }
    imp->n_rows = 0;
    return rc;
}

/* Takes the next free pending row, flushing a full chunk first. */
static int importer_next_row(importer *imp, long line, pending_row **out)
{
    int rc = 0;
    if (imp->n_rows == DN_IMPORT_CHUNK_ROWS)
        rc = importer_flush(imp);
    pending_row *row = &imp->rows[imp->n_rows++];
    memset(row, 0, sizeof *row);
    row->line = line;
    imp->done++;
    *out = row;
    return rc;
}

/* Queues a row that could not be decoded. */
static int importer_reject(importer *imp, long line, const char *field, const char *code,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int importer_reject(importer *imp, long line, const char *field, const char *code,
                           const char *fmt, ...)
{
    pending_row *row;
    int rc = importer_next_row(imp, line, &row);
    row->rc = -EINVAL;
    dn_strlcpy(row->code, code, sizeof row->code);
    dn_strlcpy(row->err.field, field ? field : "", sizeof row->err.field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(row->err.msg, sizeof row->err.msg, fmt, ap);
    va_end(ap);
    return rc;
}

/* Decodes obj (borrowed) as a record of type and queues it. */
static int importer_add_json(importer *imp, long line, dn_record_type type, const json_t *obj)
{
    pending_row *row;
    int rc = importer_next_row(imp, line, &row);
    int decode_rc = json_to_record(type, obj, &row->record, &row->err);
    if (decode_rc < 0) {
        row->rc = decode_rc;
        dn_strlcpy(row->code, json_codec_error_code(decode_rc), sizeof row->code);
    } else {
        row->decoded = true;
    }
    return rc;
}

/* ---- NDJSON ---- */

static bool is_blank(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return false;
    return true;
}

/* One NDJSON line (without its '\n'). */
static int ndjson_line(importer *imp, long line, const char *text, size_t len, int max_depth)
{
    json_error_t jerr;
    dn_record_type type;
    int rc;
    if (len && text[len - 1] == '\r')
        len--;
    if (is_blank(text, len))
        return 0;
    if (json_codec_too_deep(text, len, max_depth))
        return importer_reject(imp, line, "", "too_deep", "the record nests deeper than %d levels",
                               max_depth);
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj)
        return importer_reject(imp, line, "", "malformed_json", "column %d: %s", jerr.column,
                               jerr.text);
    const json_t *type_value = json_object_get(obj, "type");
    if (!json_is_object(obj))
        rc = importer_reject(imp, line, "", "invalid", "the line must be a JSON object");
    else if (!type_value)
        rc = importer_reject(imp, line, "type", "required",
                             "type is required: customer, invoice or payment");
    else if (!json_is_string(type_value) ||
             json_codec_record_type_parse(json_string_value(type_value), &type) < 0)
        rc = importer_reject(imp, line, "type", "invalid",
                             "type must be \"customer\", \"invoice\" or \"payment\"");
    else {
        json_object_del(obj, "type");
        rc = importer_add_json(imp, line, type, obj);
    }
    json_decref(obj);
    return rc;
}

int import_ndjson_buffer(dn_store *s, const char *buf, size_t len, int max_depth, dn_time now,
                         dn_import_report *rep, dn_err *err)
{
    importer imp;
    int rc = importer_init(&imp, s, now, rep);
    if (rc < 0)
        return dn_err_set(err, rc, "", "out of memory");
    size_t pos = 0;
    long line = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len && rc == 0) {
        const char *start = buf + pos;
        const char *newline = memchr(start, '\n', len - pos);
        size_t n = newline ? (size_t)(newline - start) : len - pos;
        line++;
        if (n > DN_IMPORT_LINE_MAX)
            rc = importer_reject(&imp, line, "", "too_long", "the line is longer than %d bytes",
                                 DN_IMPORT_LINE_MAX);
        else
            rc = ndjson_line(&imp, line, start, n, max_depth);
        pos += n + (newline ? 1 : 0);
    }
    if (rc == 0)
        rc = importer_flush(&imp);
    importer_free(&imp);
    return rc < 0 ? dn_err_set(err, rc, "", "out of memory while importing") : 0;
}

int import_ndjson_stream(dn_store *s, FILE *in, dn_time now, dn_import_report *rep,
                         dn_import_progress_fn progress, void *arg)
{
    importer imp;
    struct stat st;
    long long total = fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size
                                                                          : -1;
    long long bytes = 0;
    long line = 0;
    long next_progress = DN_IMPORT_PROGRESS_ROWS;
    size_t n = 0;
    bool too_long = false;
    char *text = malloc(DN_IMPORT_LINE_MAX + 1);
    int rc = importer_init(&imp, s, now, rep);
    if (!text || rc < 0) {
        rc = -ENOMEM;
        goto done;
    }
    for (;;) {
        int ch = getc_unlocked(in);
        if (ch != EOF)
            bytes++;
        if (ch != EOF && ch != '\n') {
            if (n < DN_IMPORT_LINE_MAX)
                text[n++] = (char)ch;
            else
                too_long = true;
            continue;
        }
        if (ch == EOF && n == 0 && !too_long)
            break;
        line++;
        size_t skip = line == 1 && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        rc = too_long ? importer_reject(&imp, line, "", "too_long",
                                        "the line is longer than %d bytes", DN_IMPORT_LINE_MAX)
                      : ndjson_line(&imp, line, text + skip, n - skip, DN_IMPORT_MAX_DEPTH);
        if (rc < 0)
            goto done;
        n = 0;
        too_long = false;
        if (progress && imp.done >= next_progress) {
            progress(arg, imp.done, bytes, total);
            next_progress = imp.done + DN_IMPORT_PROGRESS_ROWS;
        }
        if (ch == EOF)
            break;
    }
    if (ferror(in))
        rc = -EIO;
    if (rc == 0)
        rc = importer_flush(&imp);
    if (rc == 0 && progress)
        progress(arg, imp.done, bytes, total);
done:
    importer_free(&imp);
    free(text);
    return rc;
}

/* ---- CSV ---- */

#define CSV_MAX_COLUMNS 32

/* One parsed CSV record: cells unescaped into text, NUL after each. */
typedef struct csv_record {
    char   *text;               /* DN_IMPORT_LINE_MAX + CSV_MAX_COLUMNS bytes */
    size_t  used;
    size_t  start[CSV_MAX_COLUMNS];
    size_t  length[CSV_MAX_COLUMNS];
    int     n;                  /* cells seen (may exceed CSV_MAX_COLUMNS) */
    bool    too_long;
} csv_record;

static void csv_put(csv_record *r, char ch)
{
    if (r->used < DN_IMPORT_LINE_MAX)
        r->text[r->used++] = ch;
    else
        r->too_long = true;
}

static void csv_end_cell(csv_record *r, size_t cell_start)
{
    if (r->n < CSV_MAX_COLUMNS) {
        r->start[r->n] = cell_start;
        r->length[r->n] = r->used - cell_start;
    }
    if (r->n < CSV_MAX_COLUMNS)
        r->text[r->used++] = '\0';  /* room for these is reserved past DN_IMPORT_LINE_MAX */
    r->n++;
}

/* Parses the record starting at *pos, counting newlines into *line.
 * Returns 0, or -EINVAL for an unterminated quote or text after a closing
 * quote (then the input cannot be followed any further). */
static int csv_next(const char *buf, size_t len, size_t *pos, long *line, csv_record *r)
{
    size_t p = *pos;
    r->used = 0;
    r->n = 0;
    r->too_long = false;
    for (;;) {
        size_t cell_start = r->used;
        if (p < len && buf[p] == '"') {
            p++;
            for (;;) {
                if (p >= len)
                    return -EINVAL;
                if (buf[p] == '"' && p + 1 < len && buf[p + 1] == '"') {
                    csv_put(r, '"');
                    p += 2;
                } else if (buf[p] == '"') {
                    p++;
                    break;
                } else {
                    if (buf[p] == '\n')
                        (*line)++;
                    csv_put(r, buf[p++]);
                }
            }
            if (p < len && buf[p] != ',' && buf[p] != '\n' &&
                !(buf[p] == '\r' && (p + 1 == len || buf[p + 1] == '\n')))
                return -EINVAL;
        } else {
            while (p < len && buf[p] != ',' && buf[p] != '\n' &&
                   !(buf[p] == '\r' && (p + 1 == len || buf[p + 1] == '\n')))
                csv_put(r, buf[p++]);
        }
        csv_end_cell(r, cell_start);
        if (p < len && buf[p] == ',') {
            p++;
            continue;
        }
        if (p < len && buf[p] == '\r')
            p++;
        if (p < len && buf[p] == '\n') {
            p++;
            (*line)++;
        }
        *pos = p;
        return 0;
    }
}

/* Converts one cell to the JSON value of its field, or NULL with err set. */
static json_t *csv_cell_value(dn_field_kind kind, const char *field, const char *text,
                              size_t len, dn_err *err)
{
    if (kind == DN_FIELD_INTEGER) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        bool digits_only = len > 0 && len <= 19;
        for (size_t i = (text[0] == '-') ? 1 : 0; digits_only && i < len; i++)
            digits_only = text[i] >= '0' && text[i] <= '9';
        if (!digits_only || errno || *end) {
            dn_err_set(err, -EINVAL, field, "%s must be an integer (\"%.40s\")", field, text);
            return NULL;
        }
        return json_integer(v);
    }
    if (kind == DN_FIELD_LIST) {
        json_t *list = json_array();
        const char *item = text;
        while (list && item <= text + len) {
            const char *semicolon = memchr(item, ';', (size_t)(text + len - item));
            size_t n = semicolon ? (size_t)(semicolon - item) : (size_t)(text + len - item);
            if (n > 0 && json_array_append_new(list, json_stringn(item, n)) < 0) {
                json_decref(list);
                dn_err_set(err, -EINVAL, field, "%s must be valid UTF-8", field);
                return NULL;
            }
            item += n + 1;
        }
        return list;
    }
    json_t *s = json_stringn(text, len);
    if (!s)
        dn_err_set(err, -EINVAL, field, "%s must be valid UTF-8 text", field);
    return s;
}

/* Builds the JSON object of one data row and queues it. */
static int csv_row(importer *imp, dn_record_type type, const csv_record *header,
                   const csv_record *r, long line)
{
    dn_err err;
    dn_err_clear(&err);
    if (r->too_long)
        return importer_reject(imp, line, "", "too_long", "the record is longer than %d bytes",
                               DN_IMPORT_LINE_MAX);
    if (r->n != header->n)
        return importer_reject(imp, line, "", "invalid", "the row has %d cells; the header has %d",
                               r->n, header->n);
    json_t *obj = json_object();
    if (!obj)
        return -ENOMEM;
    int rc = 0;
    for (int i = 0; i < r->n; i++) {
        if (r->length[i] == 0)
            continue;
        const char *field = header->text + header->start[i];
        json_t *value = csv_cell_value(json_codec_field_kind(type, field), field,
                                       r->text + r->start[i], r->length[i], &err);
        if (!value) {
            rc = importer_reject(imp, line, err.field, "invalid", "%s", err.msg);
            goto done;
        }
        json_object_set_new(obj, field, value);
    }
    rc = importer_add_json(imp, line, type, obj);
done:
    json_decref(obj);
    return rc;
}

/* Checks the header: every column a known field of type, none twice. */
static int csv_check_header(dn_record_type type, const csv_record *header, dn_err *err)
{
    if (header->too_long || header->n > CSV_MAX_COLUMNS)
        return dn_err_set(err, -EINVAL, "", "the CSV header is too long");
    for (int i = 0; i < header->n; i++) {
        const char *name = header->text + header->start[i];
        if (json_codec_field_kind(type, name) == DN_FIELD_UNKNOWN)
            return dn_err_set(err, -EINVAL, name, "column \"%.60s\" is not a field of a %s",
                              name, dn_record_type_names[type]);
        for (int j = 0; j < i; j++)
            if (strcmp(name, header->text + header->start[j]) == 0)
                return dn_err_set(err, -EINVAL, name, "column \"%.60s\" appears twice", name);
    }
    return 0;
}

int import_csv_buffer(dn_store *s, dn_record_type type, const char *buf, size_t len,
                      dn_time now, dn_import_report *rep, dn_err *err)
{
    importer imp = { 0 };
    csv_record header = { 0 }, row = { 0 };
    size_t pos = 0;
    long line = 1;
    int rc = importer_init(&imp, s, now, rep);
    header.text = malloc(DN_IMPORT_LINE_MAX + CSV_MAX_COLUMNS + 1);
    row.text = malloc(DN_IMPORT_LINE_MAX + CSV_MAX_COLUMNS + 1);
    if (rc < 0 || !header.text || !row.text) {
        rc = dn_err_set(err, -ENOMEM, "", "out of memory");
        goto done;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    if (pos >= len) {
        rc = dn_err_set(err, -EINVAL, "", "the CSV has no header row");
        goto done;
    }
    if (csv_next(buf, len, &pos, &line, &header) < 0) {
        rc = dn_err_set(err, -EINVAL, "", "the CSV header has an unterminated quote");
        goto done;
    }
    if ((rc = csv_check_header(type, &header, err)) < 0)
        goto done;
    while (pos < len && rc == 0) {
        long start_line = line;
        if (csv_next(buf, len, &pos, &line, &row) < 0) {
            rc = importer_reject(&imp, start_line, "", "invalid",
                                 "unterminated quote or text after a closing quote; the rest of "
                                 "the input was not read");
            break;
        }
        if (row.n == 1 && row.length[0] == 0)
            continue;                 /* blank line */
        rc = csv_row(&imp, type, &header, &row, start_line);
    }
    if (rc == 0)
        rc = importer_flush(&imp);
    if (rc < 0)
        dn_err_set(err, rc, "", "out of memory while importing");
done:
    importer_free(&imp);
    free(header.text);
    free(row.text);
    return rc;
}
