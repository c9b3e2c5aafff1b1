/*
 * migrate_store.c — copies an SQLite store into an empty MariaDB database.
 *
 * The two schemas mirror each other column for column (schema/sqlite and
 * schema/mariadb), so each table is copied with "SELECT * ... ORDER BY" on
 * the source and one prepared INSERT naming the same columns on the
 * destination, keeping every id. Tables go in foreign-key order, all in one
 * destination transaction: a refused row rolls everything back. Every
 * table of the schema is copied: the channel modules' too.
 */
#include "migrate_store.h"

#include <mysql.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_mariadb.h"

#define COLUMNS_MAX 40
#define SQL_MAX     4096

/* Copy order: a table comes after every table it refers to. */
static const struct { const char *name, *order; } tables[DN_MIGRATE_TABLES] = {
    { "customers", "id" },  { "invoices", "id" },  { "payments", "id" },
    { "payment_allocations", "id" },  { "cases", "id" },  { "promises", "id" },
    { "decisions", "id" },  { "contacts", "id" },  { "events", "id" },
    /* in load order: MariaDB numbers rulesets.load_order as they arrive */
    { "rulesets", "rowid" },
    { "agent_tasks", "id" },
    /* after events: the destination's trigger makes deliveries for the
     * endpoints that exist when an event is inserted, and these are the
     * source's own */
    { "webhook_endpoints", "name" },  { "webhook_deliveries", "id" },
    { "inbound_seen", "id" },
};

/* Our own schema's column names: lower-case letters, digits, '_'. */
static bool plain_name(const char *name)
{
    if (!name || !*name)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return false;
    return true;
}

/* One integer from a fixed query on the destination. */
static int dst_count(MYSQL *db, const char *sql, long long *out, dn_err *err)
{
    if (mysql_query(db, sql))
        return dn_err_set(err, -EIO, "dst", "%s: %s", sql, mysql_error(db));
    MYSQL_RES *res = mysql_store_result(db);
    if (!res)
        return dn_err_set(err, -EIO, "dst", "%s: %s", sql, mysql_error(db));
    MYSQL_ROW row = mysql_fetch_row(res);
    *out = row && row[0] ? strtoll(row[0], NULL, 10) : 0;
    mysql_free_result(res);
    return 0;
}

/* The column a MariaDB error message names ("... column 'x' at row 1" or
 * "... column `db`.`table`.`x` at row 1"); "" when none. */
static void message_column(const char *msg, char *out, size_t size)
{
    out[0] = '\0';
    const char *at = strstr(msg, "column ");
    if (!at)
        return;
    at += 7;
    char quote = *at;
    if (quote != '\'' && quote != '`')
        return;
    const char *end = strstr(at, " at row");
    if (!end)
        end = at + strlen(at);
    const char *close = end - 1;
    if (close <= at || *close != quote)
        return;
    const char *open = close - 1;
    while (open > at && *open != quote)
        open--;
    size_t n = (size_t)(close - open - 1);
    if (n >= size)
        n = size - 1;
    memcpy(out, open + 1, n);
    out[n] = '\0';
}

/* Copies one table; *rows counts what was inserted. */
static int copy_table(sqlite3 *src, MYSQL *dst, const char *table, const char *order,
                      long long *rows, dn_err *err)
{
    char sql[SQL_MAX];
    sqlite3_stmt *read = NULL;
    MYSQL_STMT *write = NULL;
    int rc = 0;
    *rows = 0;
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY %s", table, order);
    if (sqlite3_prepare_v2(src, sql, -1, &read, NULL) != SQLITE_OK) {
        rc = dn_err_set(err, -EIO, "src", "%s: %s", table, sqlite3_errmsg(src));
        goto done;
    }
    int columns = sqlite3_column_count(read);
    if (columns < 1 || columns > COLUMNS_MAX) {
        rc = dn_err_set(err, -EINVAL, "src", "%s has %d columns", table, columns);
        goto done;
    }
    size_t used = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s (", table);
    for (int i = 0; i < columns; i++) {
        const char *name = sqlite3_column_name(read, i);
        if (!plain_name(name)) {
            rc = dn_err_set(err, -EINVAL, "src", "%s has an unexpected column name", table);
            goto done;
        }
        used += (size_t)snprintf(sql + used, sizeof sql - used, "%s`%s`", i ? ", " : "", name);
        if (used >= sizeof sql)
            break;
    }
    for (int i = 0; i < columns && used < sizeof sql; i++)
        used += (size_t)snprintf(sql + used, sizeof sql - used, i ? ", ?" : ") VALUES (?");
    if (used < sizeof sql)
        used += (size_t)snprintf(sql + used, sizeof sql - used, ")");
    if (used >= sizeof sql) {
        rc = dn_err_set(err, -E2BIG, "src", "%s: the insert statement is too long", table);
        goto done;
    }
    write = mysql_stmt_init(dst);
    if (!write || mysql_stmt_prepare(write, sql, (unsigned long)used)) {
        rc = dn_err_set(err, -EIO, "dst", "%s: %s", table,
                        write ? mysql_stmt_error(write) : "out of memory");
        goto done;
    }
    if (mysql_stmt_param_count(write) != (unsigned long)columns) {
        rc = dn_err_set(err, -EINVAL, "dst", "%s: the destination has other columns", table);
        goto done;
    }
    MYSQL_BIND bind[COLUMNS_MAX];
    long long ints[COLUMNS_MAX];
    double reals[COLUMNS_MAX];
    unsigned long lengths[COLUMNS_MAX];
    int step;
    while ((step = sqlite3_step(read)) == SQLITE_ROW) {
        memset(bind, 0, sizeof bind);
        for (int i = 0; i < columns; i++) {
            switch (sqlite3_column_type(read, i)) {
            case SQLITE_INTEGER:
                ints[i] = sqlite3_column_int64(read, i);
                bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
                bind[i].buffer = &ints[i];
                break;
            case SQLITE_FLOAT:
                reals[i] = sqlite3_column_double(read, i);
                bind[i].buffer_type = MYSQL_TYPE_DOUBLE;
                bind[i].buffer = &reals[i];
                break;
            case SQLITE_NULL:
                bind[i].buffer_type = MYSQL_TYPE_NULL;
                break;
            default: {
                const void *bytes = sqlite3_column_blob(read, i);
                lengths[i] = (unsigned long)sqlite3_column_bytes(read, i);
                bind[i].buffer_type = MYSQL_TYPE_STRING;
                bind[i].buffer = (void *)(bytes ? bytes : "");
                bind[i].buffer_length = lengths[i];
                bind[i].length = &lengths[i];
                break;
            }
            }
        }
        if (mysql_stmt_bind_param(write, bind) || mysql_stmt_execute(write)) {
            char column[64];
            message_column(mysql_stmt_error(write), column, sizeof column);
            char where[160];
            snprintf(where, sizeof where, "%s.%s", table, column[0] ? column : "?");
            rc = dn_err_set(err, -EINVAL, where, "%s row %s = %s refused: %s", table, order,
                            (const char *)sqlite3_column_text(read, 0), mysql_stmt_error(write));
            goto done;
        }
        (*rows)++;
    }
    if (step != SQLITE_DONE)
        rc = dn_err_set(err, -EIO, "src", "%s: %s", table, sqlite3_errmsg(src));
done:
    if (write)
        mysql_stmt_close(write);
    sqlite3_finalize(read);
    return rc;
}

/* The source's schema version (-EINVAL without a schema_version table). */
static int src_version(sqlite3 *src, int *version, dn_err *err)
{
    sqlite3_stmt *st = NULL;
    *version = 0;
    if (sqlite3_prepare_v2(src, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return dn_err_set(err, -EINVAL, "src", "the source is not a dunningd store: %s",
                          sqlite3_errmsg(src));
    }
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (step != SQLITE_ROW)
        return dn_err_set(err, -EIO, "src", "cannot read the schema version: %s",
                          sqlite3_errmsg(src));
    return 0;
}

int dn_migrate_store(const char *src_dsn, const char *dst_dsn, const char *schema_root,
                     dn_migrate_stats *stats, dn_err *err)
{
    sqlite3 *src = NULL;
    MYSQL *dst = NULL;
    dn_store store = { NULL, NULL };
    bool in_transaction = false;
    int rc = 0, version = 0, dst_version = 0;
    memset(stats, 0, sizeof *stats);

    const char *path = src_dsn;
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    if (!*path || strncmp(src_dsn, "mariadb://", 10) == 0)
        return dn_err_set(err, -EINVAL, "src", "the source must be an SQLite store (sqlite:PATH)");
    if (strncmp(dst_dsn, "mariadb://", 10) != 0)
        return dn_err_set(err, -EINVAL, "dst", "the destination must be a mariadb:// DSN");
    dn_mariadb_dsn d;
    rc = dn_mariadb_dsn_parse(dst_dsn, &d, err);
    if (rc < 0)
        return rc;

    if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = dn_err_set(err, -ENOENT, "src", "cannot open %s: %s", path,
                        src ? sqlite3_errmsg(src) : "out of memory");
        goto done;
    }
    sqlite3_busy_timeout(src, 5000);
    rc = src_version(src, &version, err);
    if (rc < 0)
        goto done;

    rc = dn_store_open(&store, dst_dsn, schema_root, err);
    if (rc < 0)
        goto done;
    rc = store.ops->schema_version(store.ctx, &dst_version, err);
    dn_store_close(&store);
    if (rc < 0)
        goto done;
    if (version != dst_version) {
        rc = dn_err_set(err, -EINVAL, "src", "the source is at schema version %d and the "
                        "destination at %d; run `dunningd migrate --store %s` first", version,
                        dst_version, src_dsn);
        goto done;
    }

    dst = dn_mariadb_connect(&d, err);
    if (!dst) {
        rc = -EIO;
        goto done;
    }
    for (int i = 0; i < DN_MIGRATE_TABLES; i++) {
        char sql[128];
        long long n = 0;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i].name);
        rc = dst_count(dst, sql, &n, err);
        if (rc < 0)
            goto done;
        if (n) {
            rc = dn_err_set(err, -EEXIST, tables[i].name, "the destination's %s holds %lld "
                            "rows; migrate-store copies into an empty database only",
                            tables[i].name, n);
            goto done;
        }
    }
    if (mysql_query(dst, "START TRANSACTION")) {
        rc = dn_err_set(err, -EIO, "dst", "start transaction: %s", mysql_error(dst));
        goto done;
    }
    in_transaction = true;
    for (int i = 0; i < DN_MIGRATE_TABLES; i++) {
        stats->table[i] = tables[i].name;
        stats->n_tables = i + 1;
        rc = copy_table(src, dst, tables[i].name, tables[i].order, &stats->rows[i], err);
        if (rc < 0)
            goto done;
    }
    if (mysql_query(dst, "COMMIT")) {
        rc = dn_err_set(err, -EIO, "dst", "commit: %s", mysql_error(dst));
        goto done;
    }
    in_transaction = false;
    for (int i = 0; i < DN_MIGRATE_TABLES; i++) {
        char sql[128];
        long long n = 0;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i].name);
        rc = dst_count(dst, sql, &n, err);
        if (rc < 0)
            goto done;
        if (n != stats->rows[i]) {
            rc = dn_err_set(err, -EIO, tables[i].name, "%s: %lld rows copied but %lld found",
                            tables[i].name, stats->rows[i], n);
            goto done;
        }
    }
done:
    if (dst && in_transaction)
        mysql_query(dst, "ROLLBACK");
    if (dst)
        mysql_close(dst);
    sqlite3_close(src);
    return rc;
}
