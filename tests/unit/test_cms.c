/* Unit tests for src/cms and src/sales on a freshly migrated database: Magento's page identifier
 * rules, merging a request onto a stored row, the design-field switch, per-store identifier
 * uniqueness, and an order's life (placing with stock taken, invoice, ship, cancel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "cms/cms.h"
#include "core/arena.h"
#include "core/buf.h"
#include "sales/sales.h"

#include "testutil.h"

struct fixture {
    char dir[64];
    struct db *db;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    tmpdir_make(f.dir);
    f.db = db_open_migrated(f.dir);
    *state = &f;
    return f.db ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    db_close(f->db);
    tmpdir_remove(f->dir);
    return 0;
}

static enum err validate_identifier(const char *identifier, const char **message)
{
    json_t *row = json_pack("{s:s,s:s}", "identifier", identifier, "title", "t");
    struct cms_problem p;
    enum err e = cms_validate(CMS_PAGE, row, NULL, &p);
    *message = p.message;
    json_decref(row);
    return e;
}

static void test_page_identifier_rules(void **state)
{
    (void)state;
    static const char *const good[] = {"about-us", "a1", "sub/page_2", "page.html", "9lives"};
    static const char *const bad[] = {"About", "a", "-x", "a b", "a.b.c", "x.", "", "é-x"};
    const char *msg;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (validate_identifier(good[i], &msg) != ERR_OK)
            fail_msg("\"%s\" refused: %s", good[i], msg);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(validate_identifier(bad[i], &msg), ERR_INVALID);
        assert_non_null(strstr(msg, "capital letters"));
    }
    assert_int_equal(validate_identifier("2024", &msg), ERR_INVALID);
    assert_non_null(strstr(msg, "only numbers"));
}

static void test_apply_merges_and_refuses(void **state)
{
    (void)state;
    json_t *row = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)7, "identifier", "x-page",
                            "title", "Old", "active", 1);
    json_t *in = json_pack("{s:s,s:i,s:s,s:s}", "title", "New", "sortOrder", 4, "pageLayout",
                           "1column", "store_id", "0");
    int64_t stores[CMS_MAX_STORES];
    size_t n;
    struct cms_problem p;
    assert_int_equal(cms_apply(CMS_PAGE, row, in, false, stores, &n, &p), ERR_OK);
    assert_string_equal(json_string_value(json_object_get(row, "title")), "New");
    assert_string_equal(json_string_value(json_object_get(row, "sort_order")), "4");
    assert_null(json_object_get(row, "page_layout")); /* design field without save_design */
    assert_int_equal(n, 1);
    assert_int_equal(stores[0], 0);
    json_decref(in);
    in = json_pack("{s:b}", "is_active", 0);
    assert_int_equal(cms_apply(CMS_PAGE, row, in, true, stores, &n, &p), ERR_FIELD_NOT_SUPPORTED);
    assert_string_equal(p.key, "is_active");
    json_decref(in);
    in = json_pack("{s:[s]}", "title", "x");
    assert_int_equal(cms_apply(CMS_BLOCK, row, in, true, stores, &n, &p), ERR_INVALID_TYPE);
    json_decref(in);
    json_decref(row);
}

static void test_identifier_unique_per_store(void **state)
{
    struct fixture *f = *state;
    int64_t one = 1, two = 2, all = 0;
    json_t *a = json_pack("{s:s,s:s}", "identifier", "promo", "title", "A");
    json_t *b = json_pack("{s:s,s:s}", "identifier", "PROMO", "title", "B");
    assert_int_equal(cms_save(f->db, CMS_BLOCK, a, &one, 1), ERR_OK);
    assert_int_equal(cms_save(f->db, CMS_BLOCK, b, &one, 1), ERR_EXISTS);
    assert_int_equal(cms_save(f->db, CMS_BLOCK, b, &all, 1), ERR_EXISTS);
    assert_int_equal(cms_save(f->db, CMS_BLOCK, b, &two, 1), ERR_OK);
    /* saving a row again under its own identifier is no clash */
    assert_int_equal(cms_save(f->db, CMS_BLOCK, a, &one, 1), ERR_OK);
    json_t *got;
    assert_int_equal(cms_load(f->db, CMS_BLOCK, str_c("promo"), &got), ERR_OK);
    assert_int_equal(json_integer_value(json_object_get(got, "id")),
                     json_integer_value(json_object_get(a, "id")));
    json_decref(got);
    assert_int_equal(cms_load(f->db, CMS_PAGE, str_c("987654"), &got), ERR_NOT_FOUND);
    json_decref(a);
    json_decref(b);
}

static double qty_of(struct db *db, int64_t product)
{
    struct db_stmt *st;
    bool row = false;
    assert_int_equal(
        db_prepare(db, "SELECT qty FROM cataloginventory_stock_item WHERE product_id = $1", &st),
        ERR_OK);
    db_bind_i64(st, 1, product);
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_true(row);
    double q = db_col_double(st, 0);
    db_done(st);
    return q;
}

static void test_order_life(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->db, "INSERT INTO catalog_product (sku, name, price, created_at,"
                                    " updated_at) VALUES ('T-1', 'Tee', 12.5, 0, 0)"),
                     ERR_OK);
    int64_t pid = query_i64(f->db, "SELECT entity_id FROM catalog_product WHERE sku = 'T-1'");
    char sql[160];
    snprintf(sql, sizeof(sql),
             "INSERT INTO cataloginventory_stock_item (product_id, qty, is_in_stock)"
             " VALUES (%lld, 5, 1)",
             (long long)pid);
    assert_int_equal(db_exec(f->db, sql), ERR_OK);
    struct sales_place in = {"T-1", 2, "g@example.com", "Gee", "Est", 0, NULL};
    int64_t oid = 0, doc = 0;
    char why[SALES_WHY];
    assert_int_equal(sales_order_place(f->db, &in, &oid, why), ERR_OK);
    assert_true(qty_of(f->db, pid) == 3);
    in.qty = 4; /* more than is left */
    assert_int_equal(sales_order_place(f->db, &in, &doc, why), ERR_INVALID);
    assert_string_equal(why, "The requested qty is not available");
    assert_true(qty_of(f->db, pid) == 3);

    struct arena *a = arena_new(0);
    struct buf out;
    buf_init(&out, a, 1024);
    assert_int_equal(sales_order_json(f->db, oid, &out), ERR_OK);
    json_t *o = json_loadb(out.p, out.len, 0, NULL);
    assert_non_null(o);
    assert_true(json_number_value(json_object_get(o, "grand_total")) == 25 + 2 * SALES_FLAT_RATE);
    json_decref(o);

    assert_int_equal(sales_order_hold(f->db, oid, why), ERR_OK);
    assert_int_equal(sales_invoice_create(f->db, oid, NULL, 0, NULL, 0, &doc, why), ERR_INVALID);
    assert_int_equal(sales_order_unhold(f->db, oid, why), ERR_OK);
    assert_int_equal(sales_invoice_create(f->db, oid, NULL, 0, "paid", 1, &doc, why), ERR_OK);
    struct sales_track t = {"1Z", "UPS", "ups", NULL};
    assert_int_equal(sales_ship_create(f->db, oid, NULL, 0, &t, 1, NULL, 0, &doc, why), ERR_OK);
    bool cancelled = true;
    assert_int_equal(sales_order_cancel(f->db, oid, &cancelled), ERR_OK);
    assert_false(cancelled); /* complete */
    struct db_stmt *st;
    bool row = false;
    assert_int_equal(db_prepare(f->db, "SELECT state FROM sales_order WHERE entity_id = $1", &st),
                     ERR_OK);
    db_bind_i64(st, 1, oid);
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_true(row);
    assert_slice(db_col_text(st, 0), "complete");
    db_done(st);

    /* a new order cancelled gives its stock back */
    in.qty = 1;
    assert_int_equal(sales_order_place(f->db, &in, &oid, why), ERR_OK);
    assert_true(qty_of(f->db, pid) == 2);
    assert_int_equal(sales_order_cancel(f->db, oid, &cancelled), ERR_OK);
    assert_true(cancelled);
    assert_true(qty_of(f->db, pid) == 3);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_identifier_rules),
        cmocka_unit_test(test_apply_merges_and_refuses),
        cmocka_unit_test_setup_teardown(test_identifier_unique_per_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_life, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
