/* Versioned schema migrations. Each file src/db/migrations/NNNN_name.sql is embedded in the binary
 * (cmake/embed_migrations.cmake) and applied once, in order, each in its own transaction, with
 * its version recorded in schema_migrations. The SQL is the portable subset SQLite and PostgreSQL
 * share, plus the @AUTO_ID@ macro that each driver expands. */
#ifndef SG_DB_MIGRATE_H
#define SG_DB_MIGRATE_H

#include <stddef.h>

#include "db/db.h"

struct migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct migration db_migrations[];
extern const size_t db_migrations_count;

/* Applies every pending migration; *applied (may be NULL) gets how many ran. */
enum err db_migrate(struct db *db, int *applied);
/* Number of migrations not yet applied (0 = schema current). */
enum err db_migrations_pending(struct db *db, int *pending);

#endif
