/* Unit tests for src/store: store codes, creating store views, the per-thread structure cache and
 * the JSON of the Magento_Store endpoints on a freshly migrated database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "config/store_config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "store/store.h"

#include "testutil.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
    char dir[64];
    struct db *db, *db2;
    struct store_config *cfg;
    struct store_cache *cache;
    struct arena *a;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    tmpdir_make(f.dir);
    f.db = db_open_migrated(f.dir);
    f.cache = store_cache_new();
    f.a = arena_new(0);
    *state = &f;
    return f.cache ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    db_fault_set(0);
    store_cache_free(f->cache);
    store_config_free(f->cfg);
    db_close(f->db2);
    arena_free(f->a);
    db_close(f->db);
    tmpdir_remove(f->dir);
    return 0;
}

static const char *views_json(struct fixture *f)
{
    struct buf b;
    buf_init(&b, f->a, 0);
    store_json_views(f->cache, &b);
    return buf_cstr(&b);
}

static void test_code_valid(void **state)
{
    (void)state;
    char err[512];
    static const char *const good[] = {
        "default", "fr", "b2b_store", "x1", "a", "abcdefghijklmnopqrstuvwxyz012345" /* 32 */};
    for (size_t i = 0; i < N_ELEMS(good); i++)
        if (!store_code_valid(good[i], err, sizeof(err)))
            fail_msg("\"%s\" refused: %s", good[i], err);

    static const char *const bad[] = {"",
                                      "Default",
                                      "FR",
                                      "frB",
                                      "1store",
                                      "_store",
                                      "store-1",
                                      "store.en",
                                      "store view",
                                      "caf\xc3\xa9",
                                      "st/re",
                                      "V1",
                                      "abcdefghijklmnopqrstuvwxyz0123456" /* 33 */};
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        err[0] = '\0';
        if (store_code_valid(bad[i], err, sizeof(err)))
            fail_msg("\"%s\" accepted", bad[i]);
        assert_non_null(strstr(err, "is invalid"));
    }
    assert_false(store_code_valid("Default", err, sizeof(err)));
    assert_string_equal(err, "The store code \"Default\" is invalid: use at most 32 letters (a-z), "
                             "numbers (0-9) or underscores (_), starting with a letter.");

    /* Codes the URL scheme /rest/<code>/V1/ gives another meaning. */
    static const char *const reserved[] = {"all", "admin", "rest", "schema"};
    for (size_t i = 0; i < N_ELEMS(reserved); i++) {
        if (store_code_valid(reserved[i], err, sizeof(err)))
            fail_msg("\"%s\" accepted", reserved[i]);
        assert_non_null(strstr(err, "is reserved"));
    }
    assert_false(store_code_valid("all", err, sizeof(err)));
    assert_string_equal(err, "The store code \"all\" is reserved.");
    assert_true(store_code_valid("all2", err, sizeof(err)));
    assert_true(store_code_valid("administrator", err, sizeof(err)));
}

static void test_fresh_database_json(void **state)
{
    struct fixture *f = *state;
    struct buf b;
    assert_int_equal(store_cache_sync(f->cache, f->db, true), ERR_OK);

    assert_string_equal(views_json(f),
                        "[{\"id\":0,\"code\":\"admin\",\"name\":\"Admin\",\"website_id\":0,"
                        "\"store_group_id\":0,\"is_active\":1},"
                        "{\"id\":1,\"code\":\"default\",\"name\":\"Default Store View\","
                        "\"website_id\":1,\"store_group_id\":1,\"is_active\":1}]");

    buf_init(&b, f->a, 0);
    store_json_groups(f->cache, &b);
    assert_string_equal(buf_cstr(&b),
                        "[{\"id\":0,\"website_id\":0,\"root_category_id\":0,\"default_store_id\":0,"
                        "\"name\":\"Default\",\"code\":\"default\"},"
                        "{\"id\":1,\"website_id\":1,\"root_category_id\":2,\"default_store_id\":1,"
                        "\"name\":\"Main Website Store\",\"code\":\"main_website_store\"}]");

    buf_init(&b, f->a, 0);
    store_json_websites(f->cache, &b);
    assert_string_equal(buf_cstr(&b),
                        "[{\"id\":0,\"code\":\"admin\",\"name\":\"Admin\",\"default_group_id\":0},"
                        "{\"id\":1,\"code\":\"base\",\"name\":\"Main Website\","
                        "\"default_group_id\":1}]");

    struct store_config *cfg = f->cfg = store_config_new();
    assert_int_equal(store_config_sync(cfg, f->db, true), ERR_OK);
    buf_init(&b, f->a, 0);
    store_json_configs(f->cache, cfg, "http://127.0.0.1:8080/", NULL, 0, &b);
#define BASE "http:\\/\\/127.0.0.1:8080\\/"
    assert_string_equal(buf_cstr(&b),
                        "[{\"id\":1,\"code\":\"default\",\"website_id\":1,\"locale\":\"en_US\","
                        "\"base_currency_code\":\"USD\",\"default_display_currency_code\":\"USD\","
                        "\"timezone\":\"UTC\",\"weight_unit\":\"lbs\","
                        "\"base_url\":\"" BASE "\",\"base_link_url\":\"" BASE "\","
                        "\"base_static_url\":\"" BASE "static\\/\","
                        "\"base_media_url\":\"" BASE "media\\/\","
                        "\"secure_base_url\":\"" BASE "\",\"secure_base_link_url\":\"" BASE "\","
                        "\"secure_base_static_url\":\"" BASE "static\\/\","
                        "\"secure_base_media_url\":\"" BASE "media\\/\"}]");
#undef BASE

    /* storeCodes filter: a code that is not there gives an empty list. */
    struct str codes[] = {STR_LIT("nope")};
    buf_init(&b, f->a, 0);
    store_json_configs(f->cache, cfg, "http://x/", codes, 1, &b);
    assert_string_equal(buf_cstr(&b), "[]");
}

static void test_lookups(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_cache_sync(f->cache, f->db, true), ERR_OK);
    const struct store_view *v = store_default_view(f->cache);
    assert_non_null(v);
    assert_int_equal(v->id, 1);
    assert_string_equal(v->code, "default");
    assert_ptr_equal(store_find_code(f->cache, STR_LIT("default")), v);
    /* admin is not reachable by code (Magento's path processor skips it) but is by id. */
    assert_null(store_find_code(f->cache, STR_LIT("admin")));
    assert_non_null(store_find_id(f->cache, 0));
    assert_null(store_find_code(f->cache, STR_LIT("Default")));
    assert_null(store_find_code(f->cache, STR_LIT("defaul")));
    assert_null(store_find_code(f->cache, STR_NULL));
    assert_null(store_find_id(f->cache, 2));
}

static void test_view_create(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_cache_sync(f->cache, f->db, db_changed(f->db)), ERR_OK);
    assert_null(store_find_code(f->cache, STR_LIT("fr")));

    int64_t id = 0;
    assert_int_equal(store_view_create(f->db, "fr", "French \"FR\"/EU", 1, 5, false, &id), ERR_OK);
    assert_int_equal(id, 2);
    assert_int_equal(query_i64(f->db, "SELECT version FROM cache_version WHERE name = 'store'"), 2);

    /* The cache re-reads when told the database changed and the version moved. */
    assert_int_equal(store_cache_sync(f->cache, f->db, true), ERR_OK);
    const struct store_view *v = store_find_code(f->cache, STR_LIT("fr"));
    assert_non_null(v);
    assert_int_equal(v->id, 2);
    assert_int_equal(v->website_id, 1);
    assert_int_equal(v->group_id, 1);
    assert_int_equal(v->sort_order, 5);
    assert_false(v->active);
    assert_string_equal(v->name, "French \"FR\"/EU");
    assert_ptr_equal(store_find_id(f->cache, 2), v);
    assert_string_equal(views_json(f),
                        "[{\"id\":0,\"code\":\"admin\",\"name\":\"Admin\",\"website_id\":0,"
                        "\"store_group_id\":0,\"is_active\":1},"
                        "{\"id\":1,\"code\":\"default\",\"name\":\"Default Store View\","
                        "\"website_id\":1,\"store_group_id\":1,\"is_active\":1},"
                        "{\"id\":2,\"code\":\"fr\",\"name\":\"French \\\"FR\\\"\\/EU\","
                        "\"website_id\":1,\"store_group_id\":1,\"is_active\":0}]");

    /* A second view gets the next id; id may be NULL. */
    assert_int_equal(store_view_create(f->db, "de", "German", 1, 0, true, NULL), ERR_OK);
    assert_int_equal(query_i64(f->db, "SELECT MAX(store_id) FROM store"), 3);

    /* Taken code, unknown group, the admin group: refused, and nothing left half done. */
    assert_int_equal(store_view_create(f->db, "fr", "Again", 1, 0, true, &id), ERR_EXISTS);
    assert_int_equal(store_view_create(f->db, "default", "Again", 1, 0, true, &id), ERR_EXISTS);
    assert_int_equal(store_view_create(f->db, "it", "Italian", 99, 0, true, &id), ERR_NOT_FOUND);
    assert_int_equal(store_view_create(f->db, "it", "Italian", 0, 0, true, &id), ERR_NOT_FOUND);
    assert_int_equal(query_i64(f->db, "SELECT COUNT(*) FROM store"), 4);
    assert_int_equal(query_i64(f->db, "SELECT version FROM cache_version WHERE name = 'store'"), 3);
    assert_int_equal(db_begin(f->db), ERR_OK); /* no transaction left open */
    db_rollback(f->db);
}

static void test_view_create_other_connection(void **state)
{
    struct fixture *f = *state;
    char url[128];
    struct db *db2;
    db_url_in(url, f->dir, "test.db");
    assert_int_equal(db_open(url, false, &f->db2), ERR_OK);
    db2 = f->db2;

    assert_int_equal(store_cache_sync(f->cache, f->db, db_changed(f->db)), ERR_OK);
    assert_false(db_changed(f->db));
    /* store:view:create runs in another process: the server's next request sees the view. */
    assert_int_equal(store_view_create(db2, "fr", "French", 1, 0, true, NULL), ERR_OK);
    assert_int_equal(store_cache_sync(f->cache, f->db, db_changed(f->db)), ERR_OK);
    assert_non_null(store_find_code(f->cache, STR_LIT("fr")));

    /* A quiet database costs no query: a fault on the next storage call is not hit. */
    bool changed = db_changed(f->db);
    assert_false(changed);
    db_fault_set(1);
    assert_int_equal(store_cache_sync(f->cache, f->db, changed), ERR_OK);
    db_fault_set(0);
}

static void test_view_create_faults(void **state)
{
    struct fixture *f = *state;
    /* Fail each storage call of store_view_create in turn. */
    for (long n = 1; n <= 6; n++) {
        db_fault_set(n);
        enum err e = store_view_create(f->db, "fr", "French", 1, 0, true, NULL);
        db_fault_set(0);
        if (e != ERR_DB)
            fail_msg("fault at call %ld: store_view_create returned %s", n, err_name(e));
        assert_int_equal(query_i64(f->db, "SELECT COUNT(*) FROM store"), 2);
        assert_int_equal(query_i64(f->db, "SELECT version FROM cache_version WHERE name = 'store'"),
                         1);
        assert_int_equal(db_begin(f->db), ERR_OK);
        db_rollback(f->db);
    }
    assert_int_equal(store_view_create(f->db, "fr", "French", 1, 0, true, NULL), ERR_OK);
}

/* A reload that fails part-way must not leave a cache the next request trusts (see
 * test_config.c's test_store_config_failed_reload for the same on the configuration). */
static void test_failed_reload(void **state)
{
    struct fixture *f = *state;
    char url[128];
    struct db *db2;
    db_url_in(url, f->dir, "test.db");
    assert_int_equal(db_open(url, false, &f->db2), ERR_OK);
    db2 = f->db2;
    assert_int_equal(store_cache_sync(f->cache, f->db, db_changed(f->db)), ERR_OK);
    assert_non_null(store_default_view(f->cache));

    /* Another process adds a view; this request's reload fails after the version row was read. */
    assert_int_equal(store_view_create(db2, "fr", "French", 1, 0, true, NULL), ERR_OK);
    bool changed = db_changed(f->db);
    assert_true(changed);
    db_fault_set(2);
    assert_int_equal(store_cache_sync(f->cache, f->db, changed), ERR_DB);
    db_fault_set(0);

    /* The next request (nothing committed since). */
    changed = db_changed(f->db);
    assert_false(changed);
    assert_int_equal(store_cache_sync(f->cache, f->db, changed), ERR_OK);
    assert_non_null(store_default_view(f->cache));
    assert_non_null(store_find_code(f->cache, STR_LIT("default")));
    assert_non_null(store_find_code(f->cache, STR_LIT("fr")));
}

int main(void)
{
    log_setup(LOG_ERROR, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_valid),
        cmocka_unit_test_setup_teardown(test_fresh_database_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_create_other_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_create_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_reload, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
