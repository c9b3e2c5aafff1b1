/*
 * store_mariadb.h — what the MariaDB backend offers besides its dn_store_ops
 * table (declared in store.h): the DSN parser, shared with the tools and the
 * tests that need to reach the same server (creating a test database,
 * migrate-store).
 *
 * DSN: mariadb://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?KEY=VALUE&...]
 *   USER and PASSWORD may hold %XX escapes (an '@' or ':' in a password);
 *   keys: socket=PATH (a Unix socket instead of TCP), connect_timeout,
 *   read_timeout, write_timeout (seconds, 1..3600; defaults 5, 30, 30).
 */
#ifndef DN_STORE_MARIADB_H
#define DN_STORE_MARIADB_H

#include "common.h"

typedef struct dn_mariadb_dsn {
    char     user[81];
    char     password[129];
    char     host[256];
    unsigned port;                 /* 0 = the connector's default (3306) */
    char     database[65];         /* letters, digits, '_' and '$' only */
    char     socket[108];          /* "" = TCP */
    unsigned connect_timeout, read_timeout, write_timeout;
} dn_mariadb_dsn;

/* Connects to d's server and database with d's timeouts, utf8mb4, and the
 * session the store relies on (STRICT_ALL_TABLES, READ COMMITTED, UTC).
 * Returns the connection (close with mysql_close) or NULL with err filled
 * (-EIO, field "dsn"). */
struct st_mysql;
struct st_mysql *dn_mariadb_connect(const dn_mariadb_dsn *d, dn_err *err);

/* Writes dsn with its password replaced by "***" (for logs and messages). */
void dn_mariadb_dsn_redact(const char *dsn, char *out, size_t size);

/* Parses dsn into out. -EINVAL with err->field "dsn" and the part that is
 * wrong; nothing is connected. */
int dn_mariadb_dsn_parse(const char *dsn, dn_mariadb_dsn *out, dn_err *err);

#endif
