/*
 * migrate_store.h — `dunningd migrate-store`: copies an SQLite store into an
 * empty MariaDB database, row for row with the same ids, in one
 * transaction (all or nothing).
 */
#ifndef DN_MIGRATE_STORE_H
#define DN_MIGRATE_STORE_H

#include "common.h"

#define DN_MIGRATE_TABLES 14

typedef struct dn_migrate_stats {
    const char *table[DN_MIGRATE_TABLES];   /* static names, in copy order */
    long long   rows[DN_MIGRATE_TABLES];    /* rows copied per table */
    int         n_tables;
} dn_migrate_stats;

/* Copies every table of the SQLite store at src_dsn ("sqlite:PATH" or a
 * path; opened read-only, never changed) into the MariaDB database of
 * dst_dsn, whose schema is created or upgraded first from
 * schema_root/mariadb. Both schemas must be at the same version (-EINVAL
 * naming "src" when the source is older: run `dunningd migrate` on it
 * first). The destination must hold no rows (-EEXIST naming the table).
 * A row the destination refuses stops the copy and nothing is kept
 * (err names the table, the row id and the column). Row counts are
 * checked after the commit. */
int dn_migrate_store(const char *src_dsn, const char *dst_dsn, const char *schema_root,
                     dn_migrate_stats *stats, dn_err *err);

#endif
