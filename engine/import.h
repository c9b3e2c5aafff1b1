/*
 * import.h — writing customers, invoices and payments into the store, one
 * record or many. The HTTP API (single records and POST /v1/import) and the
 * CLI (`dunningd import FILE`) both come through here, so a record is
 * checked and written the same way everywhere.
 *
 * Bulk imports synchronise (DN_WRITE_UPSERT below: an existing record is
 * updated to the row) and are per row: every row is decoded (json_codec.h), checked
 * and written on its own, and a bad row never blocks good ones. For speed
 * the good rows are written in chunks of DN_IMPORT_CHUNK_ROWS inside one
 * store transaction (begin/commit); if a chunk's transaction fails as a
 * whole, it is rolled back and its rows are written again one by one, so
 * the outcome of each row is the same as without chunking.
 *
 * Row numbers in errors are 1-based physical line numbers of the input (for
 * CSV: the line a record starts on; the header is line 1).
 */
#ifndef DN_IMPORT_H
#define DN_IMPORT_H

#include <stdio.h>

#include <jansson.h>

#include "json_codec.h"
#include "store.h"

#define DN_IMPORT_ERRORS_MAX    1000          /* errors kept in a report; the count stays exact */
#define DN_IMPORT_CHUNK_ROWS    256           /* rows per store transaction */
#define DN_IMPORT_PROGRESS_ROWS 10000         /* rows between progress callbacks */
#define DN_IMPORT_LINE_MAX      (1024 * 1024) /* longest accepted NDJSON line / CSV record */
#define DN_IMPORT_MAX_DEPTH     32            /* JSON nesting allowed in one NDJSON line */
#define DN_IMPORT_PAID_ON_SLACK_DAYS 1        /* paid_on may be this many days after today (UTC) */

/* One rejected row. code: "required", "too_long", "invalid" (json_codec.h),
 * "malformed_json", "too_deep", "conflict" (same external id, other
 * content), "unknown_reference" (customer or invoice not found),
 * "store_error". */
typedef struct dn_import_error {
    long line;
    char field[96];                           /* "" when no single field is at fault */
    char code[24];
    char message[400];
} dn_import_error;

/* accepted = created + updated + unchanged; rejected counts every bad row
 * even when errors[] is full. errors is owned by the report. */
typedef struct dn_import_report {
    long accepted, created, updated, unchanged, rejected;
    dn_import_error *errors;
    int  n_errors;
    int  errors_capacity;
} dn_import_report;

void import_report_init(dn_import_report *rep);
void import_report_free(dn_import_report *rep);
/* {"accepted":n,"created":n,"updated":n,"unchanged":n,"rejected":n,
 *  "errors":[{"line":7,"field":"amount_minor","code":"invalid","message":".."}]}
 * as a new object (caller owns), or NULL when out of memory. */
json_t *import_report_json(const dn_import_report *rep);

/* Called every DN_IMPORT_PROGRESS_ROWS rows and once at the end: rows done
 * (accepted + rejected), bytes read so far, and the input's total size in
 * bytes, or -1 when it is not a regular file. */
typedef void (*dn_import_progress_fn)(void *arg, long done, long long bytes_read,
                                      long long total_bytes);

/* How one record is written. UPSERT (the bulk import, a PUT or PATCH):
 * an existing customer or invoice is updated to the record, the fields it
 * left out keeping their stored values. CREATE (a POST): idempotent by
 * external id — new → created, the same content again → DN_UPSERT_SAME with
 * nothing written, other content → -EEXIST naming the first field that
 * differs, nothing written. Payments are always created (the store's
 * add_payment is create-only). */
typedef enum dn_write_mode { DN_WRITE_UPSERT, DN_WRITE_CREATE } dn_write_mode;

/* Checks one decoded record against the store and writes it:
 *   invoice  — its customer must exist (-ENOENT, field customer_id); an
 *              existing invoice keeps its customer, currency and amount
 *              (-EEXIST naming the field that differs);
 *   payment  — paid_on no later than the UTC date of now plus
 *              DN_IMPORT_PAID_ON_SLACK_DAYS (-EINVAL, field paid_on: a
 *              payment from the future has not happened); its customer must
 *              exist; a named invoice must exist (-ENOENT, field
 *              invoice_id), belong to that customer and have the same
 *              currency (-EINVAL);
 * then calls the store's upsert (whose -EEXIST/-EINVAL pass through). now
 * is the engine's clock. rec is not modified. Returns 0 with *outcome set,
 * or a negative errno with err filled. */
int import_write_record(dn_store *s, const dn_record *rec, dn_write_mode mode, dn_time now,
                        dn_upsert_outcome *outcome, dn_err *err);

/* Imports NDJSON from in: one record per line with "type" =
 * "customer" | "invoice" | "payment"; blank lines are skipped. progress may
 * be NULL. Returns 0 when the whole input was read (rows may still have
 * been rejected: see rep), -EIO on a read error, -ENOMEM. rep must have
 * been initialised; it is added to. */
int import_ndjson_stream(dn_store *s, FILE *in, dn_time now, dn_import_report *rep,
                         dn_import_progress_fn progress, void *arg);

/* The same for NDJSON already in memory (the API's request body). Lines
 * nesting deeper than max_depth are rejected with code "too_deep". */
int import_ndjson_buffer(dn_store *s, const char *buf, size_t len, int max_depth, dn_time now,
                         dn_import_report *rep, dn_err *err);

/* Imports CSV (RFC 4180: "," separated, "..." quoting with "" for a quote,
 * LF or CRLF line ends, an optional UTF-8 BOM) of one record type. The
 * first row names the fields (json_codec.h); list fields (holds, opt_out)
 * are ";"-separated inside one cell; an empty cell is an absent value.
 * A header naming an unknown or repeated field fails the whole import with
 * -EINVAL (err->field = that column). An unterminated quote ends the import
 * at that record, which is reported as a rejected row. */
int import_csv_buffer(dn_store *s, dn_record_type type, const char *buf, size_t len,
                      dn_time now, dn_import_report *rep, dn_err *err);

#endif
