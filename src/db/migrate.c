/* Migration runner (see migrate.h). */
#include "db/migrate.h"

#include <stdlib.h>

#include "core/clock.h"
#include "core/log.h"

static enum err ensure_table(struct db *db)
{
    return db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                       " applied_at BIGINT NOT NULL)");
}

static enum err current_version(struct db *db, int *version)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &st);
    if (!e)
        e = db_next(st, &row);
    if (!e && row)
        *version = (int)db_col_i64(st, 0);
    if (!e)
        db_done(st);
    return e;
}

enum err db_migrations_pending(struct db *db, int *pending)
{
    int version = 0;
    enum err e = ensure_table(db);
    if (!e)
        e = current_version(db, &version);
    if (e)
        return e;
    *pending = 0;
    for (size_t i = 0; i < db_migrations_count; i++)
        if (db_migrations[i].version > version)
            (*pending)++;
    return ERR_OK;
}

enum err db_migrate(struct db *db, int *applied)
{
    int version = 0, count = 0;
    enum err e = ensure_table(db);
    if (!e)
        e = current_version(db, &version);
    for (size_t i = 0; !e && i < db_migrations_count; i++) {
        const struct migration *m = &db_migrations[i];
        if (m->version <= version)
            continue;
        char *sql = db_dialect_expand(db, m->sql);
        if (!sql)
            return ERR_DB;
        e = db_begin(db);
        if (!e)
            e = db_exec(db, sql);
        free(sql);
        if (!e) {
            struct db_stmt *st;
            e = db_prepare(db,
                           "INSERT INTO schema_migrations (version, name, applied_at)"
                           " VALUES ($1, $2, $3)",
                           &st);
            if (!e) {
                db_bind_i64(st, 1, m->version);
                db_bind_text(st, 2, str_c(m->name));
                db_bind_i64(st, 3, clock_now());
                e = db_run(st, NULL);
            }
        }
        if (!e)
            e = db_commit(db);
        if (e) {
            db_rollback(db);
            log_error("migration \"%s\" failed", m->name);
            break;
        }
        log_info("applied migration \"%s\"", m->name);
        count++;
    }
    if (applied)
        *applied = count;
    return e;
}
