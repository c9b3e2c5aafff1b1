/* store_ext.c — helpers for modules with tables of their own (store_ext.h). */
#include "store_ext.h"

#include <stdlib.h>
#include <string.h>

sqlite3 *store_ext_db(const dn_store *store, const char *what, dn_err *err)
{
    sqlite3 *db = store_sqlite_db(store);
    if (!db)
        dn_err_set(err, -ENOTSUP, "store", "%s needs the SQLite store (this one is %s)", what,
                   store && store->ops ? store->ops->name : "not open");
    return db;
}

int store_ext_fail(sqlite3 *db, int rc, const char *what, dn_err *err)
{
    int code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = -EBUSY;
        break;
    case SQLITE_CONSTRAINT:
        code = (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) ? -EEXIST
                                                                                      : -EINVAL;
        break;
    case SQLITE_NOMEM:
        code = -ENOMEM;
        break;
    default:
        code = -EIO;
        break;
    }
    return dn_err_set(err, code, NULL, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

int store_ext_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *what,
                      dn_err *err)
{
    *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return store_ext_fail(db, rc, what, err);
    }
    return 0;
}

int store_ext_run(sqlite3 *db, sqlite3_stmt *st, const char *what, dn_err *err)
{
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = store_ext_fail(db, rc, what, err);
    sqlite3_finalize(st);
    return result;
}

static int exec_simple(sqlite3 *db, const char *sql, const char *what, dn_err *err)
{
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db, sql, &st, what, err);
    return rc ? rc : store_ext_run(db, st, what, err);
}

int store_ext_begin(sqlite3 *db, dn_ext_tx *tx, dn_err *err)
{
    tx->db = db;
    tx->savepoint = !sqlite3_get_autocommit(db);
    tx->active = false;
    int rc = exec_simple(db, tx->savepoint ? "SAVEPOINT dn_ext" : "BEGIN IMMEDIATE", "begin",
                         err);
    if (rc == 0)
        tx->active = true;
    return rc;
}

int store_ext_commit(dn_ext_tx *tx, dn_err *err)
{
    if (!tx->active)
        return dn_err_set(err, -EINVAL, NULL, "commit without a transaction");
    int rc = exec_simple(tx->db, tx->savepoint ? "RELEASE dn_ext" : "COMMIT", "commit", err);
    if (rc)
        store_ext_abort(tx);
    tx->active = false;
    return rc;
}

void store_ext_abort(dn_ext_tx *tx)
{
    if (!tx->active)
        return;
    tx->active = false;
    if (tx->savepoint) {
        exec_simple(tx->db, "ROLLBACK TO dn_ext", "rollback", NULL);
        exec_simple(tx->db, "RELEASE dn_ext", "release", NULL);
    } else if (!sqlite3_get_autocommit(tx->db)) {
        exec_simple(tx->db, "ROLLBACK", "rollback", NULL);
    }
}

void store_ext_column_text(sqlite3_stmt *st, int i, char *dst, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    dn_strlcpy(dst, t ? (const char *)t : "", size);
}

int store_ext_customer_id(sqlite3 *db, const char *external_id, const char *field,
                          int64_t *id, char *language, size_t language_size, dn_err *err)
{
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db, "SELECT id, language FROM customers WHERE external_id = ?1",
                               &st, "customer lookup", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (language)
            store_ext_column_text(st, 1, language, language_size);
    } else if (step == SQLITE_DONE) {
        rc = dn_err_set(err, -ENOENT, field, "no customer %s", external_id);
    } else {
        rc = store_ext_fail(db, step, "customer lookup", err);
    }
    sqlite3_finalize(st);
    return rc;
}

int store_ext_event(sqlite3 *db, int64_t customer_id, const char *kind, json_t *payload,
                    dn_time at, int64_t *event_id, dn_err *err)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    if (payload && !text)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory encoding an event");
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               "INSERT INTO events (customer_id, at, kind, payload) "
                               "VALUES (?1, ?2, ?3, ?4)",
                               &st, "append event", err);
    if (rc == 0) {
        if (customer_id)
            sqlite3_bind_int64(st, 1, customer_id);
        else
            sqlite3_bind_null(st, 1);
        sqlite3_bind_int64(st, 2, at);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, text ? text : "{}", -1, SQLITE_STATIC);
        rc = store_ext_run(db, st, "append event", err);
        if (rc == 0 && event_id)
            *event_id = sqlite3_last_insert_rowid(db);
    }
    free(text);
    return rc;
}

int store_ext_due(sqlite3 *db, int64_t customer_id, dn_time at, dn_err *err)
{
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db, "UPDATE customers SET next_evaluation_at = ?2 WHERE id = ?1",
                               &st, "make the customer due", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, at);
    return store_ext_run(db, st, "make the customer due", err);
}
