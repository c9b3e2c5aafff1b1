/*
 * store_ext.h — small shared helpers for the modules that keep tables of
 * their own next to the core store (agent queue, inbound replies, CRM
 * webhooks): a transaction that nests inside the caller's, one-shot
 * prepared statements, the customer lookups and the writes those modules
 * share (an event, "due now").
 *
 * They work on the SQLite backend only (store_sqlite_db); with another
 * backend every entry point returns -ENOTSUP naming the feature. All SQL
 * is prepared with bound parameters; no SQL text is built from data.
 * Every function returns 0 or a negative errno with err filled.
 */
#ifndef DN_STORE_EXT_H
#define DN_STORE_EXT_H

#include <jansson.h>
#include <sqlite3.h>

#include "store.h"

/* Defined in store_sqlite.c: the connection, or NULL for another backend. */
sqlite3 *store_sqlite_db(const dn_store *store);

/* The connection for feature `what`, or NULL with err = -ENOTSUP. */
sqlite3 *store_ext_db(const dn_store *store, const char *what, dn_err *err);

/* A write unit: BEGIN IMMEDIATE when no transaction is open, else a
 * savepoint inside the caller's. commit or abort exactly once. */
typedef struct dn_ext_tx {
    sqlite3 *db;
    bool     savepoint;
    bool     active;
} dn_ext_tx;
int  store_ext_begin(sqlite3 *db, dn_ext_tx *tx, dn_err *err);
int  store_ext_commit(dn_ext_tx *tx, dn_err *err);
void store_ext_abort(dn_ext_tx *tx);

/* Prepares sql (caller finalizes); what names the operation in errors. */
int  store_ext_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *what,
                       dn_err *err);
/* Maps a SQLite result code to our convention (-EBUSY, -EEXIST, -EINVAL,
 * -EIO) with what and SQLite's message in err. */
int  store_ext_fail(sqlite3 *db, int rc, const char *what, dn_err *err);
/* Steps a statement that must finish without rows wanted; finalizes it. */
int  store_ext_run(sqlite3 *db, sqlite3_stmt *st, const char *what, dn_err *err);

/* A customer's store id and (optionally) language by external id;
 * -ENOENT (field) when unknown. language may be NULL. */
int  store_ext_customer_id(sqlite3 *db, const char *external_id, const char *field,
                           int64_t *id, char *language, size_t language_size, dn_err *err);
/* Appends an event (payload borrowed, may be NULL = {}) and sets
 * *event_id (may be NULL). */
int  store_ext_event(sqlite3 *db, int64_t customer_id, const char *kind, json_t *payload,
                     dn_time at, int64_t *event_id, dn_err *err);
/* Makes the customer due for evaluation at `at` (events make it now). */
int  store_ext_due(sqlite3 *db, int64_t customer_id, dn_time at, dn_err *err);
/* Copies column i as text into dst (NULL reads ""). */
void store_ext_column_text(sqlite3_stmt *st, int i, char *dst, size_t size);

#endif
