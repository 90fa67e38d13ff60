/* SQLite driver: WAL journal, a busy timeout instead of immediate SQLITE_BUSY, foreign keys on,
 * prepared statements cached per connection by SQL address, $N placeholders rewritten to ?N. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "db/driver.h"

/* Statement cache: a power of two of slots, 8 probes; a statement that finds no slot uses one of
 * the spare slots (prepared again next time). */
#define STMT_SLOTS 512
#define SPARE_SLOTS 8

struct sqlite_stmt {
    struct db_stmt base; /* first: db.c dispatches through it */
    const char *key;     /* caller's SQL address */
    sqlite3_stmt *st;
    int bind_rc;
};

struct sqlite_db {
    struct db base; /* first */
    sqlite3 *h;
    struct sqlite_stmt slots[STMT_SLOTS];
    struct sqlite_stmt spare[SPARE_SLOTS]; /* for statements beyond the cache */
    int64_t data_version;
};

#define DB(d) ((struct sqlite_db *)(d))
#define ST(s) ((struct sqlite_stmt *)(s))

static enum err map_rc(struct sqlite_db *db, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return ERR_OK;
    case SQLITE_CONSTRAINT:
        return ERR_DB_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        log_warn("database busy: \"%s\"", sqlite3_errmsg(db->h));
        return ERR_DB_BUSY;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FULL:
        log_error("database unavailable: \"%s\"", sqlite3_errmsg(db->h));
        return ERR_UNAVAILABLE;
    default:
        log_error("database error: \"%s\"", sqlite3_errmsg(db->h));
        return ERR_DB;
    }
}

static const struct db_ops sqlite_ops;

enum err sqlite_open(const char *url, bool create, struct db **out)
{
    *out = NULL;
    const char *path = url + 7; /* "sqlite:" */
    if (!create) {
        struct stat sb;
        if (stat(path, &sb) != 0)
            return ERR_NOT_FOUND;
    }
    struct sqlite_db *db = calloc(1, sizeof(*db));
    if (!db)
        return ERR_DB;
    db->base.ops = &sqlite_ops;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
    if (rc != SQLITE_OK) {
        log_error("cannot open database \"%s\": %s", path, db->h ? sqlite3_errmsg(db->h) : "");
        sqlite3_close(db->h);
        free(db);
        return ERR_UNAVAILABLE;
    }
    sqlite3_busy_timeout(db->h, 5000);
    sqlite3_extended_result_codes(db->h, 1);
    /* WAL: readers never block the writer; synchronous=FULL so a commit survives power loss
     * (acknowledged writes are never lost; the nonce journal beside the file keeps the same
     * promise for nonces). */
    const char *setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                        "PRAGMA temp_store=MEMORY;";
    rc = sqlite3_exec(db->h, setup, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        enum err e = map_rc(db, rc);
        sqlite3_close(db->h);
        free(db);
        return e == ERR_OK ? ERR_DB : e;
    }
    db->data_version = -1;
    *out = &db->base;
    return ERR_OK;
}

static void sq_close(struct db *d)
{
    struct sqlite_db *db = DB(d);
    for (size_t i = 0; i < STMT_SLOTS; i++)
        sqlite3_finalize(db->slots[i].st);
    for (size_t i = 0; i < SPARE_SLOTS; i++)
        sqlite3_finalize(db->spare[i].st);
    sqlite3_close(db->h);
    free(db);
}

static enum err sq_exec(struct db *d, const char *sql)
{
    struct sqlite_db *db = DB(d);
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        log_error("sql script failed: %s", msg ? msg : sqlite3_errmsg(db->h));
    sqlite3_free(msg);
    return rc == SQLITE_OK ? ERR_OK : map_rc(db, rc);
}

/* $N -> ?N outside quoted literals; SQLite would otherwise number "$1" by first appearance. */
static char *rewrite_placeholders(const char *sql)
{
    size_t len = strlen(sql);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    char quote = 0;
    for (size_t i = 0; i <= len; i++) {
        char c = sql[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            c = '?';
        }
        out[i] = c;
    }
    return out;
}

static enum err sq_prepare(struct db *d, const char *sql, struct db_stmt **out)
{
    struct sqlite_db *db = DB(d);
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15u;
    size_t idx = (size_t)(h >> 40) & (STMT_SLOTS - 1);
    struct sqlite_stmt *s = NULL;
    for (size_t probe = 0; probe < 8; probe++) {
        struct sqlite_stmt *cand = &db->slots[(idx + probe) & (STMT_SLOTS - 1)];
        if (cand->key == sql || cand->key == NULL) {
            s = cand;
            break;
        }
    }
    if (!s) {
        /* Beyond the cache: a spare slot whose statement is not in the middle of its rows
         * (finalizing a statement still being read would hand its reader another's rows). */
        for (size_t i = 0; i < SPARE_SLOTS && !s; i++)
            if (db->spare[i].key == sql || !db->spare[i].st || !sqlite3_stmt_busy(db->spare[i].st))
                s = &db->spare[i];
        if (!s) {
            log_error("sql: more than %d uncached statements in use at once", SPARE_SLOTS);
            return ERR_DB;
        }
        if (s->key != sql) {
            sqlite3_finalize(s->st);
            s->st = NULL;
            s->key = NULL;
        }
    }
    if (s->key == sql && s->st) {
        sqlite3_reset(s->st);
        sqlite3_clear_bindings(s->st);
    } else {
        char *text = rewrite_placeholders(sql);
        if (!text)
            return ERR_DB;
        int rc = sqlite3_prepare_v3(db->h, text, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
        free(text);
        if (rc != SQLITE_OK) {
            log_error("sql prepare failed: %s", sqlite3_errmsg(db->h));
            s->st = NULL;
            return map_rc(db, rc);
        }
        s->key = sql;
        s->base.db = d;
    }
    s->bind_rc = SQLITE_OK;
    *out = &s->base;
    return ERR_OK;
}

/* An owned, uncached statement (db_query): SQLite steps rows lazily anyway, so streaming needs
 * nothing more. */
static enum err sq_query(struct db *d, const char *sql, bool stream, struct db_stmt **out)
{
    (void)stream;
    struct sqlite_db *db = DB(d);
    char *own = db_engine_sections(sql, "sqlite");
    char *expanded = own ? db_expand_named(own, "@ILIKE@", "LIKE") : NULL;
    free(own);
    char *text = expanded ? rewrite_placeholders(expanded) : NULL;
    free(expanded);
    struct sqlite_stmt *s = calloc(1, sizeof(*s));
    if (!text || !s) {
        free(text);
        free(s);
        return ERR_DB;
    }
    int rc = sqlite3_prepare_v2(db->h, text, -1, &s->st, NULL);
    free(text);
    if (rc != SQLITE_OK) {
        log_error("sql prepare failed: %s", sqlite3_errmsg(db->h));
        free(s);
        return map_rc(db, rc);
    }
    s->base.db = d;
    s->bind_rc = SQLITE_OK;
    *out = &s->base;
    return ERR_OK;
}

static void sq_query_free(struct db_stmt *st)
{
    sqlite3_finalize(ST(st)->st);
    free(ST(st));
}

static void bind_check(struct sqlite_stmt *st, int rc)
{
    if (rc != SQLITE_OK && st->bind_rc == SQLITE_OK)
        st->bind_rc = rc;
}

static void sq_bind_i64(struct db_stmt *s, int idx, int64_t v)
{
    bind_check(ST(s), sqlite3_bind_int64(ST(s)->st, idx, v));
}

static void sq_bind_text(struct db_stmt *s, int idx, struct str v)
{
    bind_check(ST(s),
               sqlite3_bind_text(ST(s)->st, idx, v.p ? v.p : "", (int)v.len, SQLITE_TRANSIENT));
}

static void sq_bind_null(struct db_stmt *s, int idx)
{
    bind_check(ST(s), sqlite3_bind_null(ST(s)->st, idx));
}

static enum err sq_next(struct db_stmt *s, bool *row)
{
    struct sqlite_stmt *st = ST(s);
    *row = false;
    if (st->bind_rc != SQLITE_OK) {
        enum err e = map_rc(DB(s->db), st->bind_rc);
        sqlite3_reset(st->st);
        return e;
    }
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW) {
        *row = true;
        return ERR_OK;
    }
    enum err e = rc == SQLITE_DONE ? ERR_OK : map_rc(DB(s->db), rc);
    sqlite3_reset(st->st);
    return e;
}

static enum err sq_run(struct db_stmt *s, int64_t *changes)
{
    bool row;
    enum err e;
    do {
        e = sq_next(s, &row);
    } while (e == ERR_OK && row);
    if (changes)
        *changes = e == ERR_OK ? sqlite3_changes64(DB(s->db)->h) : 0;
    return e;
}

static void sq_done(struct db_stmt *s)
{
    sqlite3_reset(ST(s)->st);
}

static int64_t sq_col_i64(struct db_stmt *s, int col)
{
    return sqlite3_column_int64(ST(s)->st, col);
}

static double sq_col_double(struct db_stmt *s, int col)
{
    return sqlite3_column_double(ST(s)->st, col);
}

static struct str sq_col_text(struct db_stmt *s, int col)
{
    const unsigned char *p = sqlite3_column_text(ST(s)->st, col);
    int n = sqlite3_column_bytes(ST(s)->st, col);
    return p ? (struct str){(const char *)p, (size_t)n} : (struct str){"", 0};
}

static bool sq_col_null(struct db_stmt *s, int col)
{
    return sqlite3_column_type(ST(s)->st, col) == SQLITE_NULL;
}

static int sq_col_count(struct db_stmt *s)
{
    return sqlite3_column_count(ST(s)->st);
}

static const char *sq_col_name(struct db_stmt *s, int col)
{
    return sqlite3_column_name(ST(s)->st, col);
}

static enum err sq_identity_sync(struct db *d, const char *table, const char *column)
{
    (void)d; /* AUTOINCREMENT continues after the largest id by itself */
    (void)table;
    (void)column;
    return ERR_OK;
}

static enum err run_sql(struct db *d, const char *sql)
{
    struct db_stmt *st;
    enum err e = db_prepare(d, sql, &st);
    return e ? e : sq_run(st, NULL);
}

static void sq_rollback(struct db *d)
{
    if (!sqlite3_get_autocommit(DB(d)->h))
        sqlite3_exec(DB(d)->h, "ROLLBACK", NULL, NULL, NULL);
}

static enum err sq_begin(struct db *d)
{
    /* IMMEDIATE: the write lock now, so a transaction never fails half-way for lack of it */
    return run_sql(d, "BEGIN IMMEDIATE");
}

static enum err sq_commit(struct db *d)
{
    enum err e = run_sql(d, "COMMIT");
    if (e)
        sq_rollback(d);
    return e;
}

static enum err sq_read_begin(struct db *d)
{
    return run_sql(d, "BEGIN DEFERRED");
}

static void sq_read_end(struct db *d)
{
    /* prepared once (sqlite3_exec would parse "COMMIT" on every GET) */
    if (!sqlite3_get_autocommit(DB(d)->h) && run_sql(d, "COMMIT") != ERR_OK)
        sqlite3_exec(DB(d)->h, "ROLLBACK", NULL, NULL, NULL);
}

static bool sq_changed(struct db *d)
{
    /* PRAGMA data_version (not the file-control value, which moves only when a read transaction
     * starts) changes whenever another connection committed. */
    struct sqlite_db *db = DB(d);
    struct db_stmt *st;
    bool row = false;
    if (db_prepare(d, "PRAGMA data_version", &st) != ERR_OK)
        return true;
    if (sq_next(st, &row) != ERR_OK || !row)
        return true;
    int64_t v = sq_col_i64(st, 0);
    sq_done(st);
    if (v == db->data_version)
        return false;
    db->data_version = v;
    return true;
}

static int64_t sq_writes(struct db *d)
{
    return sqlite3_total_changes64(DB(d)->h);
}

static void sq_notify(struct db *d)
{
    (void)d; /* other connections see data_version move */
}

static enum err sq_ping(struct db *d)
{
    struct db_stmt *st;
    enum err e = db_prepare(d, "SELECT 1", &st);
    if (e)
        return e;
    bool row;
    e = sq_next(st, &row);
    sq_done(st);
    return e;
}

static const char *sq_errmsg(struct db *d)
{
    return sqlite3_errmsg(DB(d)->h);
}

static char *sq_dialect_expand(const struct db *d, const char *sql)
{
    (void)d;
    char *own = db_engine_sections(sql, "sqlite");
    char *out = own ? db_expand_macro(own, "INTEGER PRIMARY KEY AUTOINCREMENT") : NULL;
    free(own);
    return out;
}

static const struct db_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .query = sq_query,
    .query_free = sq_query_free,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .next = sq_next,
    .run = sq_run,
    .done = sq_done,
    .col_i64 = sq_col_i64,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_null = sq_col_null,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .identity_sync = sq_identity_sync,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .changed = sq_changed,
    .writes = sq_writes,
    .notify = sq_notify,
    .ping = sq_ping,
    .errmsg = sq_errmsg,
    .dialect_expand = sq_dialect_expand,
};
