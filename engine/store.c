/* store.c — picks the storage backend from a DSN, frees what the store
 * hands out, and holds what the modules need around it (store_modules.h).
 * Backend code lives in store_<backend>.c. */
#include "store.h"
#include "store_modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dsn: "sqlite:PATH", a plain file path (SQLite), or "mariadb://..."
 * (MariaDB; store_mariadb.h). schema_root is the folder holding one migration
 * folder per backend (schema_root/sqlite/NNN_name.sql, schema_root/mariadb/...). On success s->ops and
 * s->ctx are set and the caller closes with dn_store_close; on failure s is
 * left empty ({NULL, NULL}). */
int dn_store_open(dn_store *s, const char *dsn, const char *schema_root, dn_err *err)
{
    static const char sqlite_prefix[] = "sqlite:";
    static const char mariadb_prefix[] = "mariadb://";
    s->ops = NULL;
    s->ctx = NULL;
    if (!dsn || !*dsn)
        return dn_err_set(err, -EINVAL, "dsn", "the store DSN is empty");
    if (!schema_root || !*schema_root)
        return dn_err_set(err, -EINVAL, "schema_root", "the schema folder is not set");
    if (strncmp(dsn, mariadb_prefix, sizeof mariadb_prefix - 1) == 0) {
        void *ctx = NULL;
        int rc = dn_store_mariadb.open(&ctx, dsn, schema_root, err);
        if (rc < 0)
            return rc;
        s->ops = &dn_store_mariadb;
        s->ctx = ctx;
        return 0;
    }
    const char *path = dsn;
    if (strncmp(dsn, sqlite_prefix, sizeof sqlite_prefix - 1) == 0)
        path = dsn + sizeof sqlite_prefix - 1;
    if (!*path)
        return dn_err_set(err, -EINVAL, "dsn", "the SQLite DSN names no file");
    void *ctx = NULL;
    int rc = dn_store_sqlite.open(&ctx, path, schema_root, err);
    if (rc < 0)
        return rc;
    s->ops = &dn_store_sqlite;
    s->ctx = ctx;
    return 0;
}

/* Closes an open store; safe on an empty or already closed one. */
void dn_store_close(dn_store *s)
{
    if (!s || !s->ops)
        return;
    s->ops->close(s->ctx);
    s->ops = NULL;
    s->ctx = NULL;
}

/* Frees the bodies and the array from claim_outbox; items may be NULL. */
void dn_outbox_items_free(dn_outbox_item *items, int n)
{
    if (!items)
        return;
    for (int i = 0; i < n; i++)
        free(items[i].body);
    free(items);
}

int dn_store_finish(dn_store *s, int rc, dn_err *err)
{
    if (rc == 0)
        return s->ops->commit(s->ctx, err);
    s->ops->rollback(s->ctx);
    return rc;
}

/* Frees the payloads and the array from webhook_claim; list may be NULL. */
void dn_webhook_deliveries_free(dn_webhook_delivery *list, int n)
{
    if (!list)
        return;
    for (int i = 0; i < n; i++)
        free(list[i].payload);
    free(list);
}

void dn_store_times_as_text(json_t *obj, const char *const *keys, int per_second)
{
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        json_int_t t = json_is_integer(v) ? json_integer_value(v) : 0;
        char text[21];
        if (t > 0)
            dn_time_format((dn_time)(t / per_second), text);
        json_object_set_new(obj, keys[i], t > 0 ? json_string(text) : json_null());
    }
}
