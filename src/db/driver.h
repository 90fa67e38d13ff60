/* Private to the db module: the driver interface. A driver's connection and statement structs
 * begin with struct db and struct db_stmt, so db.c can dispatch every call to the driver's ops;
 * business code sees only db.h. */
#ifndef SG_DB_DRIVER_H
#define SG_DB_DRIVER_H

#include <stdbool.h>

#include "db/db.h"

struct db_ops {
    const char *name;
    void (*close)(struct db *db);
    enum err (*exec)(struct db *db, const char *sql);
    enum err (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
    enum err (*query)(struct db *db, const char *sql, bool stream, struct db_stmt **out);
    void (*query_free)(struct db_stmt *st);
    void (*bind_i64)(struct db_stmt *st, int idx, int64_t v);
    void (*bind_text)(struct db_stmt *st, int idx, struct str v);
    void (*bind_null)(struct db_stmt *st, int idx);
    enum err (*next)(struct db_stmt *st, bool *row);
    enum err (*run)(struct db_stmt *st, int64_t *changes);
    void (*done)(struct db_stmt *st);
    int64_t (*col_i64)(struct db_stmt *st, int col);
    double (*col_double)(struct db_stmt *st, int col);
    struct str (*col_text)(struct db_stmt *st, int col);
    bool (*col_null)(struct db_stmt *st, int col);
    int (*col_count)(struct db_stmt *st);
    const char *(*col_name)(struct db_stmt *st, int col);
    enum err (*identity_sync)(struct db *db, const char *table, const char *column);
    enum err (*begin)(struct db *db);
    enum err (*commit)(struct db *db);
    void (*rollback)(struct db *db);
    enum err (*read_begin)(struct db *db);
    void (*read_end)(struct db *db);
    bool (*changed)(struct db *db);
    int64_t (*writes)(struct db *db);
    void (*notify)(struct db *db);
    enum err (*ping)(struct db *db);
    const char *(*errmsg)(struct db *db);
    char *(*dialect_expand)(const struct db *db, const char *sql);
};

struct db {
    const struct db_ops *ops;
};

struct db_stmt {
    struct db *db;
};

/* True when the fault-injection switch says this db_prepare() must fail. */
bool db_fault_hit(void);

enum err sqlite_open(const char *url, bool create, struct db **out);
enum err pg_open(const char *url, bool create, struct db **out);

/* Replaces every @AUTO_ID@ in sql with repl (malloc'ed result). */
char *db_expand_macro(const char *sql, const char *repl);
/* Keeps only this engine's "{{engine:...}}" sections (malloc'ed result). */
char *db_engine_sections(const char *sql, const char *engine);
/* Replaces every occurrence of macro (e.g. "@ILIKE@") in sql with repl (malloc'ed result). */
char *db_expand_named(const char *sql, const char *macro, const char *repl);

#endif
