/* The database interface: one narrow API, two drivers (SQLite now, PostgreSQL later). Business code
 * writes portable SQL with $1..$n placeholders and never branches on the engine; every dialect
 * difference lives in a driver. A struct db is one connection, used by one thread at a time.
 *
 * Statements are prepared once per connection and cached by the address of their SQL text, so
 * pass string literals (or other text that lives as long as the connection). Bind calls cannot
 * fail on their own: a bad bind is reported by the next db_next()/db_run() (sticky error). */
#ifndef SG_DB_DB_H
#define SG_DB_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

struct db;
struct db_stmt;

/* Opens a connection. url: "sqlite:PATH" (PATH relative to the working directory) or
 * "postgresql://user:password@host:port/dbname?params" (libpq's URI). create: make the SQLite
 * file if missing (setup:install); otherwise a missing database is ERR_NOT_FOUND. */
enum err db_open(const char *url, bool create, struct db **out);
void db_close(struct db *db);
/* True when url names a database file on this machine (SQLite): its path is copied to path
 * (false as well if it does not fit). State that every process of such a store must share can
 * then live in files beside it; a database server (PostgreSQL) shares it through tables. */
bool db_url_file(const char *url, char *path, size_t len);
/* Runs SQL without parameters or results (migrations). */
enum err db_exec(struct db *db, const char *sql);
/* Gets the cached prepared statement for sql, reset and with its bindings cleared. */
enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out);
void db_bind_i64(struct db_stmt *st, int idx, int64_t v);
void db_bind_text(struct db_stmt *st, int idx, struct str v);
void db_bind_null(struct db_stmt *st, int idx);
/* An optional reference: NULL for 0, the id otherwise. */
void db_bind_id(struct db_stmt *st, int idx, int64_t id);
/* Advances to the next row: *row is true while one is available. On the last row (or error) the
 * statement is reset, so an abandoned loop must call db_done(). */
enum err db_next(struct db_stmt *st, bool *row);
/* A statement built at run time (searchCriteria lists): prepared for this one use and owned by
 * the caller, who frees it with db_query_free(). Unlike db_prepare() the text may live in a
 * request arena. "{{sqlite:...}}" and "{{postgresql:...}}" keep their text on that engine only
 * (as in migrations). "@ILIKE@" in sql is the engine's case-insensitive LIKE (Magento's MySQL LIKE
 * ignores case): SQLite's LIKE, PostgreSQL's ILIKE. stream: rows arrive from the engine one at a
 * time instead of all at once (PostgreSQL's single-row mode), for answers too big to hold; the
 * connection must then serve nothing else until the statement is freed. */
enum err db_query(struct db *db, const char *sql, bool stream, struct db_stmt **out);
void db_query_free(struct db_stmt *st);
/* Runs to completion (INSERT/UPDATE/DELETE); *changes (may be NULL) gets the rows affected. */
enum err db_run(struct db_stmt *st, int64_t *changes);
/* Resets a statement whose rows were not all read. */
void db_done(struct db_stmt *st);
int64_t db_col_i64(struct db_stmt *st, int col);
double db_col_double(struct db_stmt *st, int col);
/* Text of a column, valid until the next db_next()/db_done() on this statement. NULL -> empty. */
struct str db_col_text(struct db_stmt *st, int col);
bool db_col_null(struct db_stmt *st, int col);
/* Columns of the current row's statement (bulk copies). */
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int col);
/* After rows were inserted with explicit ids: the engine's id generator continues after them
 * (PostgreSQL sequences; SQLite needs nothing). */
enum err db_identity_sync(struct db *db, const char *table, const char *column);

/* Transactions. db_begin takes the write lock at once (SQLite: BEGIN IMMEDIATE), so a transaction
 * never fails half-way for lack of the lock. */
enum err db_begin(struct db *db);
enum err db_commit(struct db *db);
void db_rollback(struct db *db);
/* A read-only snapshot around several reads: one lock round trip instead of one per statement.
 * Never write inside one (a write would have to upgrade a possibly stale snapshot). */
enum err db_read_begin(struct db *db);
void db_read_end(struct db *db);
/* True if another connection may have committed since the previous call (cheap: SQLite's
 * data_version). Caches use it to decide when to look at their version rows. */
bool db_changed(struct db *db);
/* A count that moves whenever this connection changes rows (never moves back): with
 * db_changed(), a cache of rows sees every write, its own connection's included. */
int64_t db_writes(struct db *db);
/* Tells the other connections (and, with PostgreSQL, the other nodes) that cached data changed:
 * writers of cache_version call it inside their transaction (PostgreSQL delivers it at commit). */
void db_notify(struct db *db);
/* A round trip to the engine (health checks). */
enum err db_ping(struct db *db);
/* The engine's last error text for logs and the CLI (never includes bound values). */
const char *db_errmsg(struct db *db);
/* "sqlite" or "postgresql". */
const char *db_engine(const struct db *db);
/* Expands the migration dialect macros (@AUTO_ID@, "{{engine:...}}" sections) for this engine;
 * result is malloc'ed. */
char *db_dialect_expand(const struct db *db, const char *sql);

/* Fault injection for tests: when set (env STOREGATE_FAIL_DB_CALL=N), the Nth db_prepare() of
 * the process fails with ERR_DB. */
void db_fault_set(long nth);

#endif
