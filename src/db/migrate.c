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

/* A migration counts as applied when its own version is recorded, not when a higher one is:
 * branches developed side by side may land their migrations out of numbering order, and a store
 * that already has the later one must still receive the earlier. */
static enum err is_applied(struct db *db, int version, bool *applied)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db, "SELECT 1 FROM schema_migrations WHERE version = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, version);
        e = db_next(st, &row);
    }
    if (!e)
        db_done(st);
    *applied = row;
    return e;
}

enum err db_migrations_pending(struct db *db, int *pending)
{
    enum err e = ensure_table(db);
    *pending = 0;
    for (size_t i = 0; !e && i < db_migrations_count; i++) {
        bool done;
        e = is_applied(db, db_migrations[i].version, &done);
        if (!e && !done)
            (*pending)++;
    }
    return e;
}

enum err db_migrate(struct db *db, int *applied)
{
    int count = 0;
    enum err e = ensure_table(db);
    for (size_t i = 0; !e && i < db_migrations_count; i++) {
        const struct migration *m = &db_migrations[i];
        bool done;
        e = is_applied(db, m->version, &done);
        if (e)
            break;
        if (done)
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
