/* SQLite driver: WAL journal, a busy timeout instead of immediate SQLITE_BUSY, foreign keys on,
 * prepared statements cached per connection by SQL address, $N placeholders rewritten to ?N. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "db/db.h"
#include "db/driver.h"

/* Statement cache: a power of two of slots, 8 probes; a statement that finds no slot uses one of
 * the spare slots (prepared again next time). */
#define STMT_SLOTS 512
#define SPARE_SLOTS 8

struct db_stmt {
    const char *key; /* caller's SQL address */
    sqlite3_stmt *st;
    struct db *db;
    int bind_rc;
};

struct db {
    sqlite3 *h;
    struct db_stmt slots[STMT_SLOTS];
    struct db_stmt spare[SPARE_SLOTS]; /* for statements beyond the cache */
    int64_t data_version;
};

static enum err map_rc(struct db *db, int rc)
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

enum err db_open(const char *url, bool create, struct db **out)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) != 0)
        return ERR_CONFIG;
    const char *path = url + 7;
    if (!create) {
        struct stat sb;
        if (stat(path, &sb) != 0)
            return ERR_NOT_FOUND;
    }
    struct db *db = calloc(1, sizeof(*db));
    if (!db)
        return ERR_DB;
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
     * (acknowledged writes are never lost, a promise the nonce store relies on). */
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
    *out = db;
    return ERR_OK;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < STMT_SLOTS; i++)
        sqlite3_finalize(db->slots[i].st);
    for (size_t i = 0; i < SPARE_SLOTS; i++)
        sqlite3_finalize(db->spare[i].st);
    sqlite3_close(db->h);
    free(db);
}

enum err db_exec(struct db *db, const char *sql)
{
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

enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    if (db_fault_hit()) {
        log_warn("database call failed by fault injection");
        return ERR_DB;
    }
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15u;
    size_t idx = (size_t)(h >> 40) & (STMT_SLOTS - 1);
    struct db_stmt *s = NULL;
    for (size_t probe = 0; probe < 8; probe++) {
        struct db_stmt *cand = &db->slots[(idx + probe) & (STMT_SLOTS - 1)];
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
        s->db = db;
    }
    s->bind_rc = SQLITE_OK;
    *out = s;
    return ERR_OK;
}

static void bind_check(struct db_stmt *st, int rc)
{
    if (rc != SQLITE_OK && st->bind_rc == SQLITE_OK)
        st->bind_rc = rc;
}

void db_bind_i64(struct db_stmt *st, int idx, int64_t v)
{
    bind_check(st, sqlite3_bind_int64(st->st, idx, v));
}

void db_bind_text(struct db_stmt *st, int idx, struct str v)
{
    bind_check(st, sqlite3_bind_text(st->st, idx, v.p ? v.p : "", (int)v.len, SQLITE_TRANSIENT));
}

void db_bind_null(struct db_stmt *st, int idx)
{
    bind_check(st, sqlite3_bind_null(st->st, idx));
}

enum err db_next(struct db_stmt *st, bool *row)
{
    *row = false;
    if (st->bind_rc != SQLITE_OK) {
        enum err e = map_rc(st->db, st->bind_rc);
        sqlite3_reset(st->st);
        return e;
    }
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW) {
        *row = true;
        return ERR_OK;
    }
    enum err e = rc == SQLITE_DONE ? ERR_OK : map_rc(st->db, rc);
    sqlite3_reset(st->st);
    return e;
}

enum err db_run(struct db_stmt *st, int64_t *changes)
{
    bool row;
    enum err e;
    do {
        e = db_next(st, &row);
    } while (e == ERR_OK && row);
    if (changes)
        *changes = e == ERR_OK ? sqlite3_changes64(st->db->h) : 0;
    return e;
}

void db_done(struct db_stmt *st)
{
    sqlite3_reset(st->st);
}

int64_t db_col_i64(struct db_stmt *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

double db_col_double(struct db_stmt *st, int col)
{
    return sqlite3_column_double(st->st, col);
}

struct str db_col_text(struct db_stmt *st, int col)
{
    const unsigned char *p = sqlite3_column_text(st->st, col);
    int n = sqlite3_column_bytes(st->st, col);
    return p ? (struct str){(const char *)p, (size_t)n} : (struct str){"", 0};
}

bool db_col_null(struct db_stmt *st, int col)
{
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

enum err db_begin(struct db *db)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "BEGIN IMMEDIATE", &st);
    return e ? e : db_run(st, NULL);
}

enum err db_commit(struct db *db)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "COMMIT", &st);
    if (!e)
        e = db_run(st, NULL);
    if (e)
        db_rollback(db);
    return e;
}

enum err db_read_begin(struct db *db)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "BEGIN DEFERRED", &st);
    return e ? e : db_run(st, NULL);
}

void db_read_end(struct db *db)
{
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
}

void db_rollback(struct db *db)
{
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

bool db_changed(struct db *db)
{
    /* PRAGMA data_version (not the file-control value, which moves only when a read transaction
     * starts) changes whenever another connection committed. */
    struct db_stmt *st;
    bool row = false;
    if (db_prepare(db, "PRAGMA data_version", &st) != ERR_OK)
        return true;
    if (db_next(st, &row) != ERR_OK || !row)
        return true;
    int64_t v = db_col_i64(st, 0);
    db_done(st);
    if (v == db->data_version)
        return false;
    db->data_version = v;
    return true;
}

enum err db_ping(struct db *db)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "SELECT 1", &st);
    if (e)
        return e;
    bool row;
    e = db_next(st, &row);
    db_done(st);
    return e;
}

const char *db_errmsg(struct db *db)
{
    return sqlite3_errmsg(db->h);
}

const char *db_engine(const struct db *db)
{
    (void)db;
    return "sqlite";
}

char *db_dialect_expand(const struct db *db, const char *sql)
{
    (void)db;
    static const char macro[] = "@AUTO_ID@";
    static const char repl[] = "INTEGER PRIMARY KEY AUTOINCREMENT";
    size_t n = 0;
    for (const char *p = sql; (p = strstr(p, macro)); p += sizeof(macro) - 1)
        n++;
    size_t len = strlen(sql) + n * (sizeof(repl) - sizeof(macro)) + 1;
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
        memcpy(w, repl, sizeof(repl) - 1);
        w += sizeof(repl) - 1;
        p = hit + sizeof(macro) - 1;
    }
    *w = '\0';
    return out;
}
