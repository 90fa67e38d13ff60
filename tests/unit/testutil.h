/* Helpers shared by the unit tests: a private temporary folder per test (removed with everything in
 * it), small files written into it, a freshly migrated SQLite database, and slice assertions that
 * print both sides. Include after <cmocka.h>. Everything is static inline so a test file that
 * uses only part of it still builds under -Werror. */
#ifndef SG_TESTS_TESTUTIL_H
#define SG_TESTS_TESTUTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"

/* A slice equals a C string; on failure both are printed. */
#define assert_slice(got, want)                                                                    \
    do {                                                                                           \
        struct str got_ = (got);                                                                   \
        const char *want_ = (want);                                                                \
        if (!str_eq_c(got_, want_))                                                                \
            fail_msg("slice \"%.*s\" (%zu bytes) != \"%s\"", STR_FMT(got_), got_.len, want_);      \
    } while (0)

/* A slice equals len bytes at want (which may hold NULs or invalid UTF-8). */
#define assert_slice_n(got, want, want_len)                                                        \
    do {                                                                                           \
        struct str got_ = (got);                                                                   \
        assert_int_equal(got_.len, (want_len));                                                    \
        if (got_.len)                                                                              \
            assert_memory_equal(got_.p, (want), got_.len);                                         \
    } while (0)

static inline int testutil_rm_one(const char *path, const struct stat *sb, int flag,
                                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Creates an empty private folder; dir must hold 64 bytes. */
static inline void tmpdir_make(char *dir)
{
    snprintf(dir, 64, "/tmp/sg-unit-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp failed");
}

/* Removes the folder and everything in it. */
static inline void tmpdir_remove(const char *dir)
{
    if (dir && dir[0])
        nftw(dir, testutil_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s", path);
    if (len && fwrite(data, 1, len, f) != len)
        fail_msg("short write to %s", path);
    fclose(f);
}

/* The database URL of <dir>/name (url must hold 128 bytes). */
static inline void db_url_in(char *url, const char *dir, const char *name)
{
    snprintf(url, 128, "sqlite:%s/%s", dir, name);
}

/* Opens (creating) <dir>/test.db and applies every migration. */
static inline struct db *db_open_migrated(const char *dir)
{
    char url[128];
    struct db *db = NULL;
    int applied = -1;
    db_url_in(url, dir, "test.db");
    assert_int_equal(db_open(url, true, &db), ERR_OK);
    assert_non_null(db);
    assert_int_equal(db_migrate(db, &applied), ERR_OK);
    assert_int_equal(applied, (int)db_migrations_count);
    return db;
}

/* The single integer a query returns (the SQL must be a literal: statements are cached by
 * address). */
static inline int64_t query_i64(struct db *db, const char *sql)
{
    struct db_stmt *st;
    bool row = false;
    assert_int_equal(db_prepare(db, sql, &st), ERR_OK);
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_true(row);
    int64_t v = db_col_i64(st, 0);
    db_done(st);
    return v;
}

#endif
