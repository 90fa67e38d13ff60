/* Unit tests for src/db: opening, migrations, prepared statements and their cache, $N placeholders,
 * errors, transactions, change detection between connections and fault injection. Every test
 * gets a fresh SQLite file in its own temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/log.h"
#include "db/db.h"
#include "db/migrate.h"

#include "testutil.h"

struct fixture {
    char dir[64];
    char url[128];
    struct db *db;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    tmpdir_make(f.dir);
    db_url_in(f.url, f.dir, "test.db");
    if (db_open(f.url, true, &f.db) != ERR_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    db_fault_set(0);
    db_close(f->db);
    tmpdir_remove(f->dir);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    /* Injected faults log warnings; errors (the bad SQL below) still show. */
    log_setup(LOG_ERROR, NULL);
    return 0;
}

static const char sql_create_t[] =
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, note TEXT)";
static const char sql_insert_t[] = "INSERT INTO t (id, name, note) VALUES ($1, $2, $3)";
static const char sql_count_t[] = "SELECT COUNT(*) FROM t";

static void insert_row(struct db *db, int64_t id, const char *name, enum err want)
{
    struct db_stmt *st;
    int64_t changes = -1;
    assert_int_equal(db_prepare(db, sql_insert_t, &st), ERR_OK);
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, str_c(name));
    db_bind_null(st, 3);
    assert_int_equal(db_run(st, &changes), want);
    assert_int_equal(changes, want == ERR_OK ? 1 : 0);
}

static void test_open(void **state)
{
    struct fixture *f = *state;
    char url[160];
    struct db *db = (struct db *)1;

    assert_string_equal(db_engine(f->db), "sqlite");
    assert_int_equal(db_ping(f->db), ERR_OK);

    /* Without create, a missing file is ERR_NOT_FOUND and nothing is made. */
    snprintf(url, sizeof(url), "sqlite:%s/missing.db", f->dir);
    assert_int_equal(db_open(url, false, &db), ERR_NOT_FOUND);
    assert_null(db);
    /* PostgreSQL is a driver: a server that is not there is "unavailable", not a bad URL. */
    assert_int_equal(db_open("postgresql://127.0.0.1:1/x", true, &db), ERR_UNAVAILABLE);
    assert_null(db);
    assert_int_equal(db_open("sqlite:", false, &db), ERR_CONFIG);
    assert_null(db);
    assert_int_equal(db_open("mysql:x", false, &db), ERR_CONFIG);

    /* An existing file opens without create. */
    assert_int_equal(db_open(f->url, false, &db), ERR_OK);
    assert_int_equal(db_ping(db), ERR_OK);
    db_close(db);
    db_close(NULL);

    /* A folder that does not exist cannot hold the file. */
    snprintf(url, sizeof(url), "sqlite:%s/no/such/dir/x.db", f->dir);
    assert_int_not_equal(db_open(url, true, &db), ERR_OK);
    assert_null(db);
}

static void test_migrate(void **state)
{
    struct fixture *f = *state;
    int pending = -1, applied = -1;

    assert_true(db_migrations_count >= 3);
    for (size_t i = 1; i < db_migrations_count; i++)
        assert_true(db_migrations[i].version > db_migrations[i - 1].version);

    assert_int_equal(db_migrations_pending(f->db, &pending), ERR_OK);
    assert_int_equal(pending, (int)db_migrations_count);
    assert_int_equal(db_migrate(f->db, &applied), ERR_OK);
    assert_int_equal(applied, (int)db_migrations_count);
    assert_int_equal(db_migrations_pending(f->db, &pending), ERR_OK);
    assert_int_equal(pending, 0);

    /* A second run applies nothing. */
    assert_int_equal(db_migrate(f->db, &applied), ERR_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(db_migrate(f->db, NULL), ERR_OK);

    assert_int_equal(query_i64(f->db, "SELECT COUNT(*) FROM schema_migrations"),
                     (int64_t)db_migrations_count);
    assert_int_equal(query_i64(f->db, "SELECT MAX(version) FROM schema_migrations"),
                     db_migrations[db_migrations_count - 1].version);
    /* The seed rows of 0001 are there. */
    assert_int_equal(query_i64(f->db, "SELECT COUNT(*) FROM store"), 2);
    assert_int_equal(query_i64(f->db, "SELECT version FROM cache_version WHERE name = 'config'"),
                     1);

    /* Another connection sees the schema current. */
    struct db *db2;
    assert_int_equal(db_open(f->url, false, &db2), ERR_OK);
    assert_int_equal(db_migrations_pending(db2, &pending), ERR_OK);
    assert_int_equal(pending, 0);
    db_close(db2);
}

static void test_dialect_expand(void **state)
{
    struct fixture *f = *state;
    char *s = db_dialect_expand(f->db, "CREATE TABLE x (id @AUTO_ID@, y @AUTO_ID@)");
    assert_string_equal(s, "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, y INTEGER "
                           "PRIMARY KEY AUTOINCREMENT)");
    free(s);
    s = db_dialect_expand(f->db, "SELECT 1");
    assert_string_equal(s, "SELECT 1");
    free(s);
}

static void test_statements(void **state)
{
    struct fixture *f = *state;
    struct db_stmt *st, *st2;
    bool row;

    assert_int_equal(db_exec(f->db, sql_create_t), ERR_OK);

    /* The same SQL text gives the same cached statement, reset and with bindings cleared. */
    assert_int_equal(db_prepare(f->db, sql_insert_t, &st), ERR_OK);
    db_bind_i64(st, 1, 1);
    db_bind_text(st, 2, STR_LIT("one"));
    db_bind_text(st, 3, str_n("note-xyz", 4));
    assert_int_equal(db_run(st, NULL), ERR_OK);
    assert_int_equal(db_prepare(f->db, sql_insert_t, &st2), ERR_OK);
    assert_ptr_equal(st, st2);
    db_bind_i64(st2, 1, 2);
    db_bind_text(st2, 2, STR_LIT("two"));
    /* $3 not bound this time: it must be NULL, not "note" left from the first run */
    assert_int_equal(db_run(st2, NULL), ERR_OK);
    insert_row(f->db, 3, "three", ERR_OK);
    assert_int_equal(query_i64(f->db, sql_count_t), 3);

    static const char sel[] = "SELECT id, name, note FROM t WHERE id >= $1 ORDER BY id";
    assert_int_equal(db_prepare(f->db, sel, &st), ERR_OK);
    db_bind_i64(st, 1, 1);
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_true(row);
    assert_int_equal(db_col_i64(st, 0), 1);
    assert_slice(db_col_text(st, 1), "one");
    assert_slice(db_col_text(st, 2), "note");
    assert_false(db_col_null(st, 2));
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_true(row);
    assert_int_equal(db_col_i64(st, 0), 2);
    assert_true(db_col_null(st, 2));
    assert_slice(db_col_text(st, 2), ""); /* NULL reads as empty text */
    /* Abandoned half-way, then prepared again: starts from the first row. */
    assert_int_equal(db_prepare(f->db, sel, &st2), ERR_OK);
    assert_ptr_equal(st, st2);
    db_bind_i64(st2, 1, 2);
    int n = 0;
    while (db_next(st2, &row) == ERR_OK && row)
        n++;
    assert_int_equal(n, 2);
    assert_false(row);

    /* Placeholders are numbered by N, not by order of appearance, and not inside literals. */
    static const char order[] = "SELECT $2, $1, '$1', $2 + $2";
    assert_int_equal(db_prepare(f->db, order, &st), ERR_OK);
    db_bind_i64(st, 1, 10);
    db_bind_i64(st, 2, 20);
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_true(row);
    assert_int_equal(db_col_i64(st, 0), 20);
    assert_int_equal(db_col_i64(st, 1), 10);
    assert_slice(db_col_text(st, 2), "$1");
    assert_int_equal(db_col_i64(st, 3), 40);
    assert_int_equal(db_col_double(st, 3), 40.0);
    db_done(st);
    assert_int_equal(db_exec(f->db, "CREATE TABLE \"$1\" (v); INSERT INTO \"$1\" VALUES (5)"),
                     ERR_OK);
    static const char quoted[] = "SELECT v + $1 FROM \"$1\"";
    assert_int_equal(db_prepare(f->db, quoted, &st), ERR_OK);
    db_bind_i64(st, 1, 2);
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_true(row);
    assert_int_equal(db_col_i64(st, 0), 7);
    db_done(st);

    /* Text with a NUL and non-ASCII bytes is stored and read back byte for byte. */
    static const char echo[] = "SELECT $1, length(CAST($1 AS BLOB))";
    assert_int_equal(db_prepare(f->db, echo, &st), ERR_OK);
    db_bind_text(st, 1, str_n("a\0b\xc3\xa9", 5));
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_slice_n(db_col_text(st, 0), "a\0b\xc3\xa9", 5);
    assert_int_equal(db_col_i64(st, 1), 5);
    db_done(st);

    /* A bind to a parameter that does not exist is reported by the run. */
    static const char one[] = "SELECT $1";
    assert_int_equal(db_prepare(f->db, one, &st), ERR_OK);
    db_bind_i64(st, 5, 1);
    assert_int_not_equal(db_next(st, &row), ERR_OK);
    assert_false(row);
    /* ... and is not sticky across prepares. */
    assert_int_equal(db_prepare(f->db, one, &st), ERR_OK);
    db_bind_i64(st, 1, 7);
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_int_equal(db_col_i64(st, 0), 7);
    db_done(st);

    /* Bad SQL. */
    assert_int_equal(db_prepare(f->db, "SELEKT nonsense", &st), ERR_DB);
    assert_int_equal(db_exec(f->db, "CREATE TABLE"), ERR_DB);
    assert_non_null(db_errmsg(f->db));
}

static void test_many_statements(void **state)
{
    struct fixture *f = *state;
    /* More distinct statements than the cache has slots: each still works, even interleaved. */
    enum { N = 300 };
    static char sqls[N][32];
    for (int i = 0; i < N; i++)
        snprintf(sqls[i], sizeof(sqls[i]), "SELECT %d + $1", i);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++) {
            struct db_stmt *st;
            bool row;
            assert_int_equal(db_prepare(f->db, sqls[i], &st), ERR_OK);
            db_bind_i64(st, 1, round);
            assert_int_equal(db_next(st, &row), ERR_OK);
            assert_true(row);
            assert_int_equal(db_col_i64(st, 0), i + round);
            db_done(st);
        }
}

/* Two statements that did not find a cache slot, used interleaved (a query run while the rows of
 * another are read): each must keep its own rows. */
static void test_uncached_statements_interleaved(void **state)
{
    struct fixture *f = *state;
    enum { N = 200 };
    static char fill[N][32];
    struct db_stmt *st, *outer, *inner;
    bool row;
    assert_int_equal(db_exec(f->db, "CREATE TABLE v (n); INSERT INTO v VALUES (1), (2), (3)"),
                     ERR_OK);
    for (int i = 0; i < N; i++) {
        snprintf(fill[i], sizeof(fill[i]), "SELECT %d", i);
        assert_int_equal(db_prepare(f->db, fill[i], &st), ERR_OK);
        db_done(st);
    }
    static const char outer_sql[] = "SELECT n FROM v ORDER BY n";
    static const char inner_sql[] = "SELECT 42";
    assert_int_equal(db_prepare(f->db, outer_sql, &outer), ERR_OK);
    assert_int_equal(db_next(outer, &row), ERR_OK);
    assert_true(row);
    assert_int_equal(db_col_i64(outer, 0), 1);
    assert_int_equal(db_prepare(f->db, inner_sql, &inner), ERR_OK);
    assert_int_equal(db_next(inner, &row), ERR_OK);
    assert_int_equal(db_col_i64(inner, 0), 42);
    db_done(inner);
    /* The outer loop goes on with its own second row. */
    assert_ptr_not_equal(outer, inner);
    assert_int_equal(db_next(outer, &row), ERR_OK);
    assert_true(row);
    assert_int_equal(db_col_i64(outer, 0), 2);
    db_done(outer);
}

static void test_constraint(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->db, sql_create_t), ERR_OK);
    insert_row(f->db, 1, "dup", ERR_OK);
    insert_row(f->db, 2, "dup", ERR_DB_CONSTRAINT);   /* UNIQUE */
    insert_row(f->db, 1, "other", ERR_DB_CONSTRAINT); /* PRIMARY KEY */

    struct db_stmt *st;
    assert_int_equal(db_prepare(f->db, sql_insert_t, &st), ERR_OK);
    db_bind_i64(st, 1, 3);
    db_bind_null(st, 2); /* NOT NULL */
    assert_int_equal(db_run(st, NULL), ERR_DB_CONSTRAINT);

    /* The connection is fine afterwards. */
    insert_row(f->db, 2, "two", ERR_OK);
    assert_int_equal(query_i64(f->db, sql_count_t), 2);

    /* Foreign keys are enforced. */
    int applied;
    assert_int_equal(db_migrate(f->db, &applied), ERR_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO store (store_id, code, website_id, group_id, name)"
                                    " VALUES (9, 'x', 77, 1, 'X')"),
                     ERR_DB_CONSTRAINT);
}

static void test_transactions(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->db, sql_create_t), ERR_OK);

    assert_int_equal(db_begin(f->db), ERR_OK);
    insert_row(f->db, 1, "rolled back", ERR_OK);
    insert_row(f->db, 2, "rolled back too", ERR_OK);
    assert_int_equal(query_i64(f->db, sql_count_t), 2); /* visible inside */
    db_rollback(f->db);
    assert_int_equal(query_i64(f->db, sql_count_t), 0);
    db_rollback(f->db); /* outside a transaction: a no-op */

    assert_int_equal(db_begin(f->db), ERR_OK);
    insert_row(f->db, 3, "kept", ERR_OK);
    assert_int_equal(db_commit(f->db), ERR_OK);
    assert_int_equal(query_i64(f->db, sql_count_t), 1);

    /* A commit is visible to another connection; an open transaction is not. */
    struct db *db2;
    assert_int_equal(db_open(f->url, false, &db2), ERR_OK);
    assert_int_equal(query_i64(db2, sql_count_t), 1);
    assert_int_equal(db_begin(f->db), ERR_OK);
    insert_row(f->db, 4, "pending", ERR_OK);
    assert_int_equal(query_i64(db2, sql_count_t), 1);
    db_rollback(f->db);
    assert_int_equal(query_i64(db2, sql_count_t), 1);
    assert_int_equal(query_i64(f->db, sql_count_t), 1);

    /* A failed statement inside a transaction leaves it to the caller to roll back. */
    assert_int_equal(db_begin(f->db), ERR_OK);
    insert_row(f->db, 5, "five", ERR_OK);
    insert_row(f->db, 6, "kept", ERR_DB_CONSTRAINT);
    db_rollback(f->db);
    assert_int_equal(query_i64(f->db, sql_count_t), 1);
    db_close(db2);

    /* BEGIN inside a transaction is an error, and the first transaction is intact. */
    assert_int_equal(db_begin(f->db), ERR_OK);
    assert_int_not_equal(db_begin(f->db), ERR_OK);
    insert_row(f->db, 7, "seven", ERR_OK);
    assert_int_equal(db_commit(f->db), ERR_OK);
    assert_int_equal(query_i64(f->db, sql_count_t), 2);
}

static void test_changed(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->db, sql_create_t), ERR_OK);

    /* The first call knows nothing yet; then nothing moves while nobody writes. */
    assert_true(db_changed(f->db));
    assert_false(db_changed(f->db));
    assert_false(db_changed(f->db));
    (void)query_i64(f->db, sql_count_t);
    assert_false(db_changed(f->db));

    /* This connection's own commits do not count (callers invalidate their caches themselves). */
    insert_row(f->db, 1, "own", ERR_OK);
    assert_false(db_changed(f->db));

    /* Another connection's commit does, once. */
    struct db *db2;
    assert_int_equal(db_open(f->url, false, &db2), ERR_OK);
    insert_row(db2, 2, "other", ERR_OK);
    assert_true(db_changed(f->db));
    assert_false(db_changed(f->db));

    /* A rolled-back transaction of the other connection changes nothing. */
    assert_int_equal(db_begin(db2), ERR_OK);
    insert_row(db2, 3, "never", ERR_OK);
    db_rollback(db2);
    assert_false(db_changed(f->db));

    /* Several commits between two checks: one true. */
    insert_row(db2, 4, "four", ERR_OK);
    insert_row(db2, 5, "five", ERR_OK);
    assert_true(db_changed(f->db));
    assert_false(db_changed(f->db));
    db_close(db2);
}

static void test_fault_injection(void **state)
{
    struct fixture *f = *state;
    struct db_stmt *st;
    static const char a[] = "SELECT 1", b[] = "SELECT 2", c[] = "SELECT 3";

    /* The third db_prepare fails, the calls before and after succeed. */
    db_fault_set(3);
    assert_int_equal(db_prepare(f->db, a, &st), ERR_OK);
    assert_int_equal(db_prepare(f->db, b, &st), ERR_OK);
    assert_int_equal(db_prepare(f->db, c, &st), ERR_DB);
    assert_int_equal(db_prepare(f->db, c, &st), ERR_OK);
    for (int i = 0; i < 10; i++)
        assert_int_equal(db_prepare(f->db, a, &st), ERR_OK);

    /* A cached statement fails too when its turn comes; setting again restarts the count. */
    db_fault_set(1);
    assert_int_equal(db_ping(f->db), ERR_DB);
    assert_int_equal(db_ping(f->db), ERR_OK);
    db_fault_set(2);
    assert_int_equal(db_ping(f->db), ERR_OK);
    assert_int_equal(db_ping(f->db), ERR_DB);
    assert_int_equal(db_ping(f->db), ERR_OK);

    /* 0 switches it off. */
    db_fault_set(0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(db_ping(f->db), ERR_OK);
}

static void test_fault_in_migrate(void **state)
{
    struct fixture *f = *state;
    /* Fail each storage call of db_migrate in turn: every run ends in ERR_OK or a clean ERR_DB
     * (no transaction left open, nothing half applied), and a run without faults finishes. */
    for (long n = 1; n <= 12; n++) {
        int applied = -1, pending = -1;
        int before = 0;
        assert_int_equal(db_migrations_pending(f->db, &before), ERR_OK);
        db_fault_set(n);
        enum err e = db_migrate(f->db, &applied);
        db_fault_set(0);
        assert_true(e == ERR_OK || e == ERR_DB);
        assert_true(applied >= 0);
        assert_int_equal(db_migrations_pending(f->db, &pending), ERR_OK);
        assert_int_equal(pending, before - applied);
        assert_int_equal(query_i64(f->db, "SELECT COUNT(*) FROM schema_migrations"),
                         (int64_t)db_migrations_count - pending);
        /* no transaction was left open */
        assert_int_equal(db_begin(f->db), ERR_OK);
        db_rollback(f->db);
    }
    int applied = -1, pending = -1;
    assert_int_equal(db_migrate(f->db, &applied), ERR_OK);
    assert_int_equal(db_migrations_pending(f->db, &pending), ERR_OK);
    assert_int_equal(pending, 0);
    assert_int_equal(query_i64(f->db, "SELECT COUNT(*) FROM store"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dialect_expand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_statements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uncached_statements_interleaved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_injection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_in_migrate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
