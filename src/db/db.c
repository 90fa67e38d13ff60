/* The database interface's engine-independent part: choosing the driver by URL, dispatching each
 * call to it, fault injection, and the dialect-macro expansion the drivers share. */
#include "db/db.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/driver.h"

static atomic_long fault_at;
static atomic_long prepare_calls;

void db_fault_set(long nth)
{
    atomic_store(&fault_at, nth);
    atomic_store(&prepare_calls, 0);
}

bool db_fault_hit(void)
{
    static atomic_int env_read;
    if (!atomic_exchange(&env_read, 1)) {
        const char *e = getenv("STOREGATE_FAIL_DB_CALL");
        if (e && *e)
            atomic_store(&fault_at, strtol(e, NULL, 10));
    }
    long at = atomic_load(&fault_at);
    if (at <= 0)
        return false;
    return atomic_fetch_add(&prepare_calls, 1) + 1 == at;
}

enum err db_open(const char *url, bool create, struct db **out)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) == 0 && url[7])
        return sqlite_open(url, create, out);
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return pg_open(url, create, out);
    return ERR_CONFIG;
}

bool db_url_file(const char *url, char *path, size_t len)
{
    if (strncmp(url, "sqlite:", 7) != 0 || !url[7] || strlen(url + 7) >= len)
        return false;
    memcpy(path, url + 7, strlen(url + 7) + 1);
    return true;
}

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

enum err db_exec(struct db *db, const char *sql)
{
    return db->ops->exec(db, sql);
}

enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    if (db_fault_hit()) {
        log_warn("database call failed by fault injection");
        return ERR_DB;
    }
    return db->ops->prepare(db, sql, out);
}

enum err db_query(struct db *db, const char *sql, bool stream, struct db_stmt **out)
{
    *out = NULL;
    if (db_fault_hit()) {
        log_warn("database call failed by fault injection");
        return ERR_DB;
    }
    return db->ops->query(db, sql, stream, out);
}

void db_query_free(struct db_stmt *st)
{
    if (st)
        st->db->ops->query_free(st);
}

void db_bind_i64(struct db_stmt *st, int idx, int64_t v)
{
    st->db->ops->bind_i64(st, idx, v);
}

void db_bind_text(struct db_stmt *st, int idx, struct str v)
{
    st->db->ops->bind_text(st, idx, v);
}

void db_bind_null(struct db_stmt *st, int idx)
{
    st->db->ops->bind_null(st, idx);
}

void db_bind_id(struct db_stmt *st, int idx, int64_t id)
{
    if (id)
        db_bind_i64(st, idx, id);
    else
        db_bind_null(st, idx);
}

enum err db_next(struct db_stmt *st, bool *row)
{
    return st->db->ops->next(st, row);
}

enum err db_run(struct db_stmt *st, int64_t *changes)
{
    return st->db->ops->run(st, changes);
}

void db_done(struct db_stmt *st)
{
    st->db->ops->done(st);
}

int64_t db_col_i64(struct db_stmt *st, int col)
{
    return st->db->ops->col_i64(st, col);
}

double db_col_double(struct db_stmt *st, int col)
{
    return st->db->ops->col_double(st, col);
}

struct str db_col_text(struct db_stmt *st, int col)
{
    return st->db->ops->col_text(st, col);
}

bool db_col_null(struct db_stmt *st, int col)
{
    return st->db->ops->col_null(st, col);
}

int db_col_count(struct db_stmt *st)
{
    return st->db->ops->col_count(st);
}

const char *db_col_name(struct db_stmt *st, int col)
{
    return st->db->ops->col_name(st, col);
}

enum err db_identity_sync(struct db *db, const char *table, const char *column)
{
    return db->ops->identity_sync(db, table, column);
}

enum err db_begin(struct db *db)
{
    return db->ops->begin(db);
}

enum err db_commit(struct db *db)
{
    return db->ops->commit(db);
}

void db_rollback(struct db *db)
{
    db->ops->rollback(db);
}

enum err db_read_begin(struct db *db)
{
    return db->ops->read_begin(db);
}

void db_read_end(struct db *db)
{
    db->ops->read_end(db);
}

bool db_changed(struct db *db)
{
    return db->ops->changed(db);
}

int64_t db_writes(struct db *db)
{
    return db->ops->writes(db);
}

void db_notify(struct db *db)
{
    db->ops->notify(db);
}

enum err db_ping(struct db *db)
{
    return db->ops->ping(db);
}

const char *db_errmsg(struct db *db)
{
    return db->ops->errmsg(db);
}

const char *db_engine(const struct db *db)
{
    return db->ops->name;
}

char *db_dialect_expand(const struct db *db, const char *sql)
{
    return db->ops->dialect_expand(db, sql);
}

char *db_expand_macro(const char *sql, const char *repl)
{
    return db_expand_named(sql, "@AUTO_ID@", repl);
}

char *db_expand_named(const char *sql, const char *macro, const char *repl)
{
    size_t n = 0, rl = strlen(repl), ml = strlen(macro);
    for (const char *p = sql; (p = strstr(p, macro)); p += ml)
        n++;
    size_t len = strlen(sql) + n * rl + 1;
    char *out = malloc(len), *w = out;
    if (!out)
        return NULL;
    for (const char *p = sql;;) {
        const char *hit = strstr(p, macro);
        size_t chunk = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(w, p, chunk);
        w += chunk;
        if (!hit)
            break;
        memcpy(w, repl, rl);
        w += rl;
        p = hit + ml;
    }
    *w = '\0';
    return out;
}

/* Keeps the parts of sql written for this engine: "{{sqlite:...}}" and "{{postgresql:...}}"
 * (no nesting; the text inside is plain SQL). Statements and migrations stay one text for both
 * engines while a few parts (an index type, a search extension) differ. */
char *db_engine_sections(const char *sql, const char *engine)
{
    size_t len = strlen(sql), el = strlen(engine);
    char *out = malloc(len + 1), *w = out;
    if (!out)
        return NULL;
    const char *p = sql;
    for (;;) {
        const char *open = strstr(p, "{{");
        const char *colon = open ? strchr(open, ':') : NULL;
        const char *close = colon ? strstr(colon, "}}") : NULL;
        if (!open || !colon || !close) {
            size_t n = strlen(p);
            memcpy(w, p, n);
            w += n;
            break;
        }
        memcpy(w, p, (size_t)(open - p));
        w += open - p;
        size_t tl = (size_t)(colon - open - 2);
        if (tl == el && memcmp(open + 2, engine, el) == 0) {
            memcpy(w, colon + 1, (size_t)(close - colon - 1));
            w += close - colon - 1;
        }
        p = close + 2;
    }
    *w = '\0';
    return out;
}
