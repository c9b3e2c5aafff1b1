/* store.c — picks the storage backend from a DSN and frees what the store
 * hands out. Backend code lives in store_<backend>.c. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of dsn's URI scheme including its ':' ("foo:" of "foo:bar",
 * RFC 3986: a letter, then letters, digits, '+', '-', '.'), 0 when it has
 * none: a plain path ("var/x.db", "./a:b", "/srv/a:b") starts otherwise. */
static size_t dsn_scheme_length(const char *dsn)
{
    size_t n = 0;
    if (!((dsn[0] >= 'a' && dsn[0] <= 'z') || (dsn[0] >= 'A' && dsn[0] <= 'Z')))
        return 0;
    while ((dsn[n] >= 'a' && dsn[n] <= 'z') || (dsn[n] >= 'A' && dsn[n] <= 'Z') ||
           (dsn[n] >= '0' && dsn[n] <= '9') || dsn[n] == '+' || dsn[n] == '-' || dsn[n] == '.')
        n++;
    return dsn[n] == ':' ? n + 1 : 0;
}

/* dsn: "sqlite:PATH", a plain file path (SQLite), or "mariadb://..."
 * (MariaDB; store_mariadb.h); anything else that starts with a URI scheme
 * ("foo:bar", "mysql://…") is refused (-EINVAL, field "dsn") rather than
 * taken for a file name. schema_root is the folder holding one migration
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
    size_t scheme = dsn_scheme_length(dsn);
    if (strncmp(dsn, sqlite_prefix, sizeof sqlite_prefix - 1) == 0)
        path = dsn + sizeof sqlite_prefix - 1;
    else if (scheme)
        return dn_err_set(err, -EINVAL, "dsn", "unknown store DSN scheme \"%.*s\": use "
                          "sqlite:PATH or mariadb://USER:PASSWORD@HOST/DATABASE", (int)scheme,
                          dsn);
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

bool dn_decision_has_step(const dn_decision *d)
{
    return d->action == DN_ACT_CONTACT || d->action == DN_ACT_SKIP;
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
