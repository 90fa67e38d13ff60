/* Unit tests for src/config: deployment settings (defaults, var/env.ini, the environment) and the
 * store configuration (validation, writes, the cache and its scope fallback). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/settings.h"
#include "config/store_config.h"
#include "core/log.h"
#include "db/db.h"

#include "testutil.h"

/* Every setting's environment variable, so the caller's environment cannot leak into a test. */
static const char *const setting_env[] = {
#define SG_SETTING_ENV(name, kind, def, min, max, flags, help) "STOREGATE_" #name,
    SG_SETTINGS(SG_SETTING_ENV)
#undef SG_SETTING_ENV
};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof(setting_env) / sizeof(setting_env[0]); i++) {
        char name[128];
        size_t n = 0;
        for (const char *p = setting_env[i]; *p && n < sizeof(name) - 1; p++)
            name[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        name[n] = '\0';
        unsetenv(name);
    }
}

struct fixture {
    char dir[64];
    char ini[128];
    struct settings s;
    char err[1024];
    /* released by teardown, also when a test fails half-way */
    struct db *db, *db2;
    struct store_config *cfg;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    clear_env();
    tmpdir_make(f.dir);
    snprintf(f.ini, sizeof(f.ini), "%s/env.ini", f.dir);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    db_fault_set(0);
    store_config_free(f->cfg);
    db_close(f->db2);
    db_close(f->db);
    clear_env();
    tmpdir_remove(f->dir);
    return 0;
}

static void write_ini(struct fixture *f, const char *text)
{
    write_file(f->ini, text, strlen(text));
}

/* --- settings -------------------------------------------------------------------------------- */

static void test_settings_defaults(void **state)
{
    struct fixture *f = *state;
    char want[256];
    assert_true(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_string_equal(f->s.var_dir, f->dir);
    snprintf(want, sizeof(want), "sqlite:%s/storegate.db", f->dir);
    assert_string_equal(f->s.db_url, want);
    snprintf(want, sizeof(want), "%s/storegate.key", f->dir);
    assert_string_equal(f->s.key_file, want);
    assert_string_equal(f->s.base_url, "http://127.0.0.1:8080/");
    assert_string_equal(f->s.listen, "127.0.0.1:8080");
    assert_int_equal(f->s.threads, 0);
    assert_int_equal(f->s.blocking_threads, 2);
    assert_int_equal(f->s.max_body_bytes, 8388608);
    assert_int_equal(f->s.max_header_bytes, 16384);
    assert_int_equal(f->s.max_url_bytes, 8192);
    assert_int_equal(f->s.shutdown_timeout, 10);
    assert_int_equal(f->s.cleanup_interval, 60);
    assert_string_equal(f->s.log_level, "info");
    assert_string_equal(f->s.access_log, "stderr");
    assert_string_equal(f->s.tls_cert, "");

    char path[256];
    settings_var_path(&f->s, "env.ini", path, sizeof(path));
    assert_string_equal(path, f->ini);

    /* A relative var dir stays relative. */
    assert_true(settings_load(&f->s, "var", f->err, sizeof(f->err)));
    assert_string_equal(f->s.db_url, "sqlite:var/storegate.db");
}

static void test_settings_ini(void **state)
{
    struct fixture *f = *state;
    write_ini(f, "# storegate deployment settings\n"
                 "; another comment\n"
                 "\n"
                 "[server]\n"
                 "threads = 4\n"
                 "  listen=0.0.0.0:9000  \n"
                 "base_url = \"https://shop.example/\"\r\n"
                 "\tmax_body_bytes\t=\t2048\n"
                 "db_url = sqlite:/elsewhere/shop.db\n"
                 "tls_cert =\n");
    assert_true(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_int_equal(f->s.threads, 4);
    assert_string_equal(f->s.listen, "0.0.0.0:9000");
    assert_string_equal(f->s.base_url, "https://shop.example/");
    assert_int_equal(f->s.max_body_bytes, 2048);
    assert_string_equal(f->s.db_url, "sqlite:/elsewhere/shop.db");
    assert_string_equal(f->s.tls_cert, "");
    /* untouched settings keep their defaults */
    assert_int_equal(f->s.blocking_threads, 2);

    /* An empty file is fine. */
    write_ini(f, "");
    assert_true(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_int_equal(f->s.threads, 0);
}

static void test_settings_env_override(void **state)
{
    struct fixture *f = *state;
    write_ini(f, "threads = 4\nlisten = 127.0.0.1:7000\n");
    setenv("STOREGATE_THREADS", "8", 1);
    setenv("STOREGATE_BASE_URL", "http://env.example/", 1);
    assert_true(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_int_equal(f->s.threads, 8);                  /* environment beats env.ini */
    assert_string_equal(f->s.listen, "127.0.0.1:7000"); /* env.ini beats the default */
    assert_string_equal(f->s.base_url, "http://env.example/");

    /* settings_set (the command-line flags) beats both. */
    assert_true(settings_set(&f->s, "threads", "16", f->err, sizeof(f->err)));
    assert_int_equal(f->s.threads, 16);

    /* A bad environment value is an error, not ignored. */
    setenv("STOREGATE_THREADS", "many", 1);
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_string_equal(f->err,
                        "setting \"threads\" must be an integer from 0 to 256, got \"many\"");
    setenv("STOREGATE_THREADS", "257", 1);
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_non_null(strstr(f->err, "\"threads\""));
    unsetenv("STOREGATE_THREADS");

    /* nonce_lease: 2 s by default, 0 (off) to 60 */
    assert_true(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_int_equal(f->s.nonce_lease, 2);
    setenv("STOREGATE_NONCE_LEASE", "0", 1);
    assert_true(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_int_equal(f->s.nonce_lease, 0);
    const char *bad[] = {"61", "-1", "2s", "", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setenv("STOREGATE_NONCE_LEASE", bad[i], 1);
        assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
        assert_non_null(strstr(f->err, "\"nonce_lease\" must be an integer from 0 to 60"));
    }
    unsetenv("STOREGATE_NONCE_LEASE");
}

static void test_settings_bad_values(void **state)
{
    struct fixture *f = *state;
    char want[512];

    write_ini(f, "listen = 127.0.0.1:1\nthreads = abc\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    snprintf(want, sizeof(want),
             "%s line 2: setting \"threads\" must be an integer from 0 to 256, got \"abc\"",
             f->ini);
    assert_string_equal(f->err, want);

    /* Bounds of the table. */
    write_ini(f, "max_url_bytes = 255\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_non_null(strstr(f->err, "from 256 to 65536"));
    write_ini(f, "max_url_bytes = 256\nmax_body_bytes = 1073741824\n");
    assert_true(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    write_ini(f, "blocking_threads = 0\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    write_ini(f, "threads = 99999999999999999999\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    write_ini(f, "threads = 4.5\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    write_ini(f, "threads =\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));

    /* A string longer than the field. */
    static char text[SETTINGS_STR_MAX + 64];
    memcpy(text, "base_url = ", 11);
    memset(text + 11, 'x', SETTINGS_STR_MAX);
    memcpy(text + 11 + SETTINGS_STR_MAX, "\n", 2);
    write_ini(f, text);
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_non_null(strstr(f->err, "too long"));

    assert_false(settings_set(&f->s, "threads", "-1", f->err, sizeof(f->err)));
    assert_false(settings_set(&f->s, "threads", " 1", f->err, sizeof(f->err)));
}

static void test_settings_unknown_and_syntax(void **state)
{
    struct fixture *f = *state;
    char want[512];

    write_ini(f, "threads = 2\nthreadz = 2\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    snprintf(want, sizeof(want), "%s line 2: unknown setting \"threadz\"", f->ini);
    assert_string_equal(f->err, want);

    /* var_dir is not a setting of the file (it is where the file is). */
    write_ini(f, "var_dir = /tmp\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));

    /* Keys are case-sensitive. */
    write_ini(f, "THREADS = 2\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));

    write_ini(f, "# ok\nthis line has no equals sign\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    snprintf(want, sizeof(want), "%s line 2: syntax error", f->ini);
    assert_string_equal(f->err, want);

    write_ini(f, "= value\n");
    assert_false(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));

    assert_false(settings_set(&f->s, "nope", "1", f->err, sizeof(f->err)));
    assert_string_equal(f->err, "unknown setting \"nope\"");
}

/* A comment is a comment however long its line: no part of it is read as a setting. */
static void test_settings_long_comment(void **state)
{
    struct fixture *f = *state;
    static char text[6000];
    size_t n = 0;
    text[n++] = '#';
    while (n < 5000)
        text[n++] = 'x';
    n += (size_t)snprintf(text + n, sizeof(text) - n, " threads = 9\nthreads = 3\n");
    write_file(f->ini, text, n);
    if (!settings_load(&f->s, f->dir, f->err, sizeof(f->err)))
        fail_msg("settings_load: %s", f->err);
    assert_int_equal(f->s.threads, 3);
}

static void test_settings_write_ini(void **state)
{
    struct fixture *f = *state;
    assert_true(settings_load(&f->s, f->dir, f->err, sizeof(f->err)));
    assert_true(
        settings_set(&f->s, "base_url", "https://written.example/", f->err, sizeof(f->err)));
    assert_true(settings_write_ini(&f->s, f->ini));

    /* What setup:install writes, settings_load reads back; the derived db_url is not written. */
    struct settings back;
    assert_true(settings_load(&back, f->dir, f->err, sizeof(f->err)));
    assert_string_equal(back.base_url, "https://written.example/");
    assert_string_equal(back.db_url, f->s.db_url);

    assert_true(settings_set(&f->s, "db_url", "sqlite:/srv/shop.db", f->err, sizeof(f->err)));
    assert_true(settings_write_ini(&f->s, f->ini));
    assert_true(settings_load(&back, f->dir, f->err, sizeof(f->err)));
    assert_string_equal(back.db_url, "sqlite:/srv/shop.db");
}

/* --- store configuration --------------------------------------------------------------------- */

static void test_store_config_validate(void **state)
{
    (void)state;
    char err[512];

    assert_false(store_config_known("no/such/path"));
    assert_true(store_config_known("webapi/webapisecurity/allow_insecure"));
    assert_false(store_config_validate("no/such/path", "1", SCOPE_DEFAULT, err, sizeof(err)));
    assert_string_equal(err, "The \"no/such/path\" path doesn't exist. Verify and try again.");

    /* Booleans: 0 or 1 only. */
    static const char ai[] = "webapi/webapisecurity/allow_insecure";
    assert_true(store_config_validate(ai, "0", SCOPE_DEFAULT, err, sizeof(err)));
    assert_true(store_config_validate(ai, "1", SCOPE_DEFAULT, err, sizeof(err)));
    static const char *const bad_bools[] = {"2", "yes", "true", "", " 1", "01", "-1"};
    for (size_t i = 0; i < sizeof(bad_bools) / sizeof(bad_bools[0]); i++)
        if (store_config_validate(ai, bad_bools[i], SCOPE_DEFAULT, err, sizeof(err)))
            fail_msg("\"%s\" accepted as a boolean", bad_bools[i]);
    assert_string_equal(err, "The \"webapi/webapisecurity/allow_insecure\" value must be 0 (No) "
                             "or 1 (Yes).");

    /* Integers within the path's bounds. */
    static const char mps[] = "webapi/validation/maximum_page_size";
    assert_true(store_config_validate(mps, "1", SCOPE_DEFAULT, err, sizeof(err)));
    assert_true(store_config_validate(mps, "1000000000", SCOPE_DEFAULT, err, sizeof(err)));
    assert_false(store_config_validate(mps, "0", SCOPE_DEFAULT, err, sizeof(err)));
    assert_string_equal(err, "The \"webapi/validation/maximum_page_size\" value must be a whole "
                             "number from 1 to 1000000000.");
    assert_false(store_config_validate(mps, "1000000001", SCOPE_DEFAULT, err, sizeof(err)));
    assert_false(store_config_validate(mps, "-5", SCOPE_DEFAULT, err, sizeof(err)));
    assert_false(store_config_validate(mps, "12abc", SCOPE_DEFAULT, err, sizeof(err)));
    assert_false(store_config_validate(mps, "", SCOPE_DEFAULT, err, sizeof(err)));
    assert_false(
        store_config_validate(mps, "99999999999999999999999", SCOPE_DEFAULT, err, sizeof(err)));
    static const char tw[] = "oauth/timestamp_window";
    assert_false(store_config_validate(tw, "0", SCOPE_DEFAULT, err, sizeof(err)));
    assert_true(store_config_validate(tw, "600", SCOPE_DEFAULT, err, sizeof(err)));
    static const char sl[] = "admin/security/session_lifetime";
    assert_false(store_config_validate(sl, "59", SCOPE_DEFAULT, err, sizeof(err)));
    assert_true(store_config_validate(sl, "60", SCOPE_DEFAULT, err, sizeof(err)));

    /* The signature method list. */
    static const char sm[] = "oauth/signature_methods";
    static const char *const good_lists[] = {"HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA256,HMAC-SHA1",
                                             "HMAC-SHA1, HMAC-SHA256", " HMAC-SHA1 "};
    for (size_t i = 0; i < sizeof(good_lists) / sizeof(good_lists[0]); i++)
        if (!store_config_validate(sm, good_lists[i], SCOPE_DEFAULT, err, sizeof(err)))
            fail_msg("\"%s\" refused: %s", good_lists[i], err);
    static const char *const bad_lists[] = {"",           "PLAINTEXT",  "HMAC-SHA1,",
                                            ",HMAC-SHA1", "hmac-sha1",  "HMAC-SHA1,,HMAC-SHA256",
                                            "RSA-SHA1",   "HMAC-SHA512"};
    for (size_t i = 0; i < sizeof(bad_lists) / sizeof(bad_lists[0]); i++)
        if (store_config_validate(sm, bad_lists[i], SCOPE_DEFAULT, err, sizeof(err)))
            fail_msg("\"%s\" accepted as a signature method list", bad_lists[i]);
    assert_string_equal(err, "The \"oauth/signature_methods\" value must be a comma-separated "
                             "list of HMAC-SHA1 and HMAC-SHA256.");

    /* Default-only paths are refused at the website and store scopes; others are not. */
    assert_false(store_config_validate(ai, "1", SCOPE_STORES, err, sizeof(err)));
    assert_string_equal(err, "The \"webapi/webapisecurity/allow_insecure\" path can be set only at "
                             "the default scope.");
    assert_false(store_config_validate(ai, "1", SCOPE_WEBSITES, err, sizeof(err)));
    assert_false(store_config_validate(sm, "HMAC-SHA1", SCOPE_STORES, err, sizeof(err)));
    assert_true(
        store_config_validate("general/locale/code", "fr_FR", SCOPE_STORES, err, sizeof(err)));
    assert_true(store_config_validate("oauth/consumer/enable_integration_as_bearer", "1",
                                      SCOPE_WEBSITES, err, sizeof(err)));
    assert_false(store_config_validate("oauth/consumer/enable_integration_as_bearer", "on",
                                       SCOPE_WEBSITES, err, sizeof(err)));

    /* Text values: anything up to 4096 bytes. */
    static char longtext[4098];
    memset(longtext, 'u', 4096);
    longtext[4096] = '\0';
    assert_true(
        store_config_validate("web/unsecure/base_url", longtext, SCOPE_STORES, err, sizeof(err)));
    longtext[4096] = 'u';
    longtext[4097] = '\0';
    assert_false(
        store_config_validate("web/unsecure/base_url", longtext, SCOPE_STORES, err, sizeof(err)));

    assert_string_equal(store_config_scope_name(SCOPE_DEFAULT), "default");
    assert_string_equal(store_config_scope_name(SCOPE_WEBSITES), "websites");
    assert_string_equal(store_config_scope_name(SCOPE_STORES), "stores");
}

static const char locale[] = "general/locale/code";

static void test_store_config_scopes(void **state)
{
    struct fixture *f = *state;
    struct db *db = f->db = db_open_migrated(f->dir);
    struct store_config *c = f->cfg = store_config_new();
    assert_non_null(c);

    /* Fresh database: built-in defaults everywhere. */
    assert_int_equal(store_config_sync(c, db, true), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "en_US");
    assert_string_equal(store_config_get(c, locale, 0), "en_US");
    assert_string_equal(store_config_get(c, locale, -1), "en_US");
    assert_string_equal(store_config_get(c, "general/locale/timezone", 1), "UTC");
    assert_null(store_config_get(c, "no/such/path", 1));
    assert_int_equal(store_config_get_int(c, "webapi/validation/maximum_page_size", 1), 300);
    assert_false(store_config_get_bool(c, "webapi/webapisecurity/allow_insecure", 1));

    /* default scope */
    assert_int_equal(store_config_set(db, locale, SCOPE_DEFAULT, 0, "fr_FR"), ERR_OK);
    /* The cache does not see this connection's own write until invalidated ... */
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "en_US");
    /* ... or until told the database changed (then it compares the version row). */
    assert_int_equal(store_config_sync(c, db, true), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "fr_FR");

    /* websites scope: website 1 holds store 1; admin (store 0) is on website 0. */
    assert_int_equal(store_config_set(db, locale, SCOPE_WEBSITES, 1, "de_DE"), ERR_OK);
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "de_DE");
    assert_string_equal(store_config_get(c, locale, 0), "fr_FR");
    assert_string_equal(store_config_get(c, locale, -1), "fr_FR");
    assert_string_equal(store_config_get(c, locale, 99), "fr_FR"); /* unknown store view */

    /* stores scope beats websites. */
    assert_int_equal(store_config_set(db, locale, SCOPE_STORES, 1, "nl_NL"), ERR_OK);
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "nl_NL");
    assert_string_equal(store_config_get(c, locale, 0), "fr_FR");

    /* Upsert: a second write to the same row replaces it. */
    assert_int_equal(store_config_set(db, locale, SCOPE_STORES, 1, "it_IT"), ERR_OK);
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "it_IT");
    assert_int_equal(query_i64(db, "SELECT COUNT(*) FROM core_config_data"), 3);

    /* A default-only path ignores rows at other scopes. */
    static const char ai[] = "webapi/webapisecurity/allow_insecure";
    assert_int_equal(store_config_set(db, ai, SCOPE_STORES, 1, "1"), ERR_OK);
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_false(store_config_get_bool(c, ai, 1));
    assert_int_equal(store_config_set(db, ai, SCOPE_DEFAULT, 0, "1"), ERR_OK);
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_true(store_config_get_bool(c, ai, 1));
    assert_true(store_config_get_bool(c, ai, -1));

    /* An unparsable integer falls back to the built-in default. */
    static const char mps[] = "webapi/validation/maximum_page_size";
    assert_int_equal(store_config_set(db, mps, SCOPE_DEFAULT, 0, " 50 "), ERR_OK);
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_int_equal(store_config_get_int(c, mps, 1), 50);
    assert_int_equal(store_config_set(db, mps, SCOPE_DEFAULT, 0, "lots"), ERR_OK);
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_int_equal(store_config_get_int(c, mps, 1), 300);

    /* An unknown path stored by hand is readable at default scope. */
    assert_int_equal(store_config_set(db, "custom/x/y", SCOPE_DEFAULT, 0, "v"), ERR_OK);
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_string_equal(store_config_get(c, "custom/x/y", 1), "v");

    store_config_free(NULL);
}

static void test_store_config_other_writer(void **state)
{
    struct fixture *f = *state;
    struct db *db = f->db = db_open_migrated(f->dir);
    char url[128];
    struct db *db2;
    db_url_in(url, f->dir, "test.db");
    assert_int_equal(db_open(url, false, &f->db2), ERR_OK);
    db2 = f->db2;

    struct store_config *c = f->cfg = store_config_new();
    assert_int_equal(store_config_sync(c, db, db_changed(db)), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "en_US");
    assert_false(db_changed(db));

    /* Another connection (another process in real life) writes: the next request sees it. */
    assert_int_equal(store_config_set(db2, locale, SCOPE_DEFAULT, 0, "es_ES"), ERR_OK);
    assert_int_equal(store_config_sync(c, db, db_changed(db)), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "es_ES");

    /* A commit that does not touch the configuration leaves the cache as it is. */
    assert_int_equal(db_exec(db2, "UPDATE cache_version SET version = version + 1"
                                  " WHERE name = 'store'"),
                     ERR_OK);
    assert_int_equal(store_config_sync(c, db, db_changed(db)), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "es_ES");

    /* Nothing changed: no query at all (an injected fault on the next call is not hit). */
    db_fault_set(1);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    /* A failing reload reports the error and the next sync recovers. */
    store_config_invalidate(c);
    assert_int_equal(store_config_sync(c, db, false), ERR_DB);
    db_fault_set(0);
    assert_int_equal(store_config_sync(c, db, false), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "es_ES");
}

/* A reload that fails part-way (SQLITE_BUSY, an I/O error; here an injected fault) must not leave
 * a cache that the next request trusts: db_changed() has already reported the change once, so
 * the next sync is called with changed == false. */
static void test_store_config_failed_reload(void **state)
{
    struct fixture *f = *state;
    struct db *db = f->db = db_open_migrated(f->dir);
    char url[128];
    struct db *db2;
    db_url_in(url, f->dir, "test.db");
    assert_int_equal(db_open(url, false, &f->db2), ERR_OK);
    db2 = f->db2;
    assert_int_equal(store_config_set(db2, locale, SCOPE_DEFAULT, 0, "fr_FR"), ERR_OK);
    assert_int_equal(store_config_set(db2, locale, SCOPE_WEBSITES, 1, "de_DE"), ERR_OK);

    struct store_config *c = f->cfg = store_config_new();
    assert_int_equal(store_config_sync(c, db, db_changed(db)), ERR_OK);
    assert_string_equal(store_config_get(c, locale, 1), "de_DE");

    /* Another process changes the configuration; this request's reload fails at its second
     * storage call (after the version row was read). */
    assert_int_equal(store_config_set(db2, locale, SCOPE_STORES, 1, "nl_NL"), ERR_OK);
    bool changed = db_changed(db);
    assert_true(changed);
    db_fault_set(2);
    assert_int_equal(store_config_sync(c, db, changed), ERR_DB);
    db_fault_set(0);

    /* The next request: nothing committed since, so changed is false. */
    changed = db_changed(db);
    assert_false(changed);
    assert_int_equal(store_config_sync(c, db, changed), ERR_OK);
    /* Either the new value or (at worst) the old one; never the built-in default. */
    assert_string_equal(store_config_get(c, locale, 1), "nl_NL");
    assert_string_equal(store_config_get(c, locale, -1), "fr_FR");
}

static void test_store_config_set_faults(void **state)
{
    struct fixture *f = *state;
    struct db *db = f->db = db_open_migrated(f->dir);
    /* Fail each storage call of store_config_set in turn: ERR_DB, nothing written, no transaction
     * left open, the version row unchanged. */
    for (long n = 1; n <= 4; n++) {
        db_fault_set(n);
        enum err e = store_config_set(db, locale, SCOPE_DEFAULT, 0, "xx_XX");
        db_fault_set(0);
        if (e != ERR_DB)
            fail_msg("fault at call %ld: store_config_set returned %s", n, err_name(e));
        assert_int_equal(query_i64(db, "SELECT COUNT(*) FROM core_config_data"), 0);
        assert_int_equal(query_i64(db, "SELECT version FROM cache_version WHERE name = 'config'"),
                         1);
        assert_int_equal(db_begin(db), ERR_OK);
        db_rollback(db);
    }
    assert_int_equal(store_config_set(db, locale, SCOPE_DEFAULT, 0, "xx_XX"), ERR_OK);
    assert_int_equal(query_i64(db, "SELECT version FROM cache_version WHERE name = 'config'"), 2);
}

static void test_store_config_print(void **state)
{
    struct fixture *f = *state;
    struct db *db = f->db = db_open_migrated(f->dir);
    assert_int_equal(store_config_set(db, locale, SCOPE_STORES, 1, "pt_BR"), ERR_OK);

    char path[128];
    snprintf(path, sizeof(path), "%s/out.txt", f->dir);
    FILE *out = fopen(path, "w+");
    assert_non_null(out);
    assert_int_equal(store_config_print(db, "oauth/timestamp_window", out), ERR_OK);
    assert_int_equal(store_config_print(db, "no/such/path", out), ERR_NOT_FOUND);
    assert_int_equal(store_config_print(db, NULL, out), ERR_OK);
    fflush(out);
    rewind(out);
    static char text[16384];
    size_t n = fread(text, 1, sizeof(text) - 1, out);
    text[n] = '\0';
    fclose(out);
    assert_memory_equal(text, "600\n", 4);
    assert_non_null(strstr(text, "\ngeneral/locale/code - en_US\n"));
    assert_non_null(strstr(text, "\ngeneral/locale/code [stores 1] - pt_BR\n"));
    assert_non_null(strstr(text, "\noauth/signature_methods - HMAC-SHA1,HMAC-SHA256\n"));
}

int main(void)
{
    log_setup(LOG_ERROR, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_settings_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_ini, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_env_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_unknown_and_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_long_comment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_write_ini, setup, teardown),
        cmocka_unit_test(test_store_config_validate),
        cmocka_unit_test_setup_teardown(test_store_config_scopes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_config_other_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_config_failed_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_config_set_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_config_print, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
