/* Unit tests for src/webapi/route.c: the route table compiled from routes.def, the router
 * (literal segments, trailing slash, wrong verb, case) and the verb parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "webapi/api.h"
#include "webapi/schema.h"

#include "testutil.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The arena match() decodes variables into, made by group_setup. */
static struct arena *match_arena;

static int group_setup(void **state)
{
    (void)state;
    char err[256] = "";
    if (!route_table_init(err, sizeof(err))) {
        print_error("route_table_init: %s\n", err);
        return -1;
    }
    match_arena = arena_new(0);
    return 0;
}

/* The routes of src/webapi/routes.def, written out again: a route that disappears or changes
 * verb, path or handler fails here. */
/* clang-format off */
static const struct {
    enum http_verb verb;
    const char *path, *handler;
} expected[] = {
    {VERB_GET,  "/V1/store/storeViews",   "store_views"},
    {VERB_GET,  "/V1/store/storeGroups",  "store_groups"},
    {VERB_GET,  "/V1/store/websites",     "store_websites"},
    {VERB_GET,  "/V1/store/storeConfigs", "store_configs"},
    {VERB_POST, "/V1/integration/admin/token",    "admin_token"},
    {VERB_POST, "/V1/integration/customer/token", "customer_token"},
    {VERB_POST, "/V1/integration/customer/revoke-customer-token", "customer_revoke"},
    {VERB_GET,  "/V1/customers/me", "customer_me"},
    {VERB_PUT,  "/V1/customers/me", "customer_me_save"},
    {VERB_GET,    "/V1/products",                 "products_list"},
    {VERB_GET,    "/V1/products/types",           "product_types"},
    {VERB_GET,    "/V1/products/attribute-sets/sets/list", "attribute_sets_list"},
    {VERB_GET,    "/V1/products/attributes/:attributeCode", "product_attribute"},
    {VERB_GET,    "/V1/products/:sku",            "product_get"},
    {VERB_POST,   "/V1/products",                 "product_create"},
    {VERB_PUT,    "/V1/products/:sku",            "product_update"},
    {VERB_DELETE, "/V1/products/:sku",            "product_remove"},
    {VERB_GET,    "/V1/products/:sku/media",      "product_media_list"},
    {VERB_GET,    "/V1/products/:sku/media/:entryId", "product_media_get"},
    {VERB_POST,   "/V1/products/:sku/media",      "product_media_create"},
    {VERB_PUT,    "/V1/products/:sku/media/:entryId", "product_media_update"},
    {VERB_DELETE, "/V1/products/:sku/media/:entryId", "product_media_remove"},
    {VERB_GET,    "/V1/stockItems/lowStock",      "stock_low"},
    {VERB_GET,    "/V1/stockItems/:productSku",   "stock_item_get"},
    {VERB_PUT,    "/V1/products/:productSku/stockItems/:itemId", "stock_item_update"},
    {VERB_GET,    "/V1/stockStatuses/:productSku", "stock_status_get"},
    {VERB_GET,    "/V1/categories",               "categories_tree"},
    {VERB_GET,    "/V1/categories/list",          "categories_list"},
    {VERB_GET,    "/V1/categories/:categoryId",   "category_get"},
    {VERB_GET,    "/V1/categories/:categoryId/products", "category_products"},
    {VERB_POST,   "/V1/categories",               "category_create"},
    {VERB_PUT,    "/V1/categories/:id",           "category_update"},
    {VERB_DELETE, "/V1/categories/:categoryId",   "category_remove"},
    {VERB_PUT,    "/V1/categories/:categoryId/move", "category_move"},
};
/* clang-format on */

static const struct route *match(enum http_verb verb, const char *path, bool *known)
{
    struct str vars[ROUTE_MAX_VARS];
    arena_reset(match_arena);
    return route_match(verb, str_c(path), match_arena, vars, known);
}

static void test_table_init(void **state)
{
    (void)state;
    char err[256] = "";
    /* Initialising again is harmless. */
    assert_true(route_table_init(err, sizeof(err)));
    size_t n = 0;
    const struct route *r = route_table(&n);
    assert_non_null(r);
    assert_true(n >= N_ELEMS(expected));
    for (size_t i = 0; i < n; i++) {
        assert_non_null(r[i].handler);
        assert_true(r[i].nsegs >= 2);
        assert_true(r[i].nresources >= 1);
        /* REST routes live under /V1/, the admin JSON API under /admin/api/ (R_ADMIN) */
        if (r[i].flags & R_ADMIN) {
            assert_slice(r[i].segs[0], "admin");
            assert_slice(r[i].segs[1], "api");
        } else {
            assert_slice(r[i].segs[0], "V1");
        }
        assert_true(r[i].verb != VERB_OTHER);
    }
}

static void test_match_expected_routes(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(expected); i++) {
        bool known = true;
        const struct route *r = match(expected[i].verb, expected[i].path, &known);
        if (!r)
            fail_msg("no route for %s", expected[i].path);
        assert_string_equal(r->handler_name, expected[i].handler);
        assert_string_equal(r->template_, expected[i].path);
        assert_int_equal(r->verb, expected[i].verb);
    }
    /* Resources and flags of a few. */
    bool known;
    const struct route *r = match(VERB_GET, "/V1/store/storeViews", &known);
    assert_int_equal(r->nresources, 1);
    assert_slice(r->resources[0], "Magento_Backend::store");
    assert_false(r->anonymous);
    assert_true(r->flags & R_GUEST);
    r = match(VERB_POST, "/V1/integration/admin/token", &known);
    assert_true(r->anonymous);
    assert_true(r->flags & R_BODY);
    r = match(VERB_GET, "/V1/customers/me", &known);
    assert_slice(r->resources[0], "self");
    /* catalog: literal segments win over :sku; Magento 2.4's resources; the guest list */
    r = match(VERB_GET, "/V1/products/types", &known);
    assert_string_equal(r->handler_name, "product_types");
    r = match(VERB_GET, "/V1/products/SOME-SKU", &known);
    assert_string_equal(r->handler_name, "product_get");
    assert_slice(r->resources[0], "Magento_Catalog::products");
    assert_true(r->flags & R_GUEST);
    r = match(VERB_PUT, "/V1/products/SOME-SKU", &known);
    assert_false(r->flags & R_GUEST);
    assert_true(r->flags & R_BODY);
    r = match(VERB_GET, "/V1/stockItems/lowStock", &known);
    assert_string_equal(r->handler_name, "stock_low");
    assert_slice(r->resources[0], "Magento_CatalogInventory::cataloginventory");
    r = match(VERB_GET, "/V1/stockStatuses/X", &known);
    assert_slice(r->resources[0], "Magento_Catalog::catalog_inventory");
    assert_true(r->flags & R_GUEST);
}

/* Every route of the table (whatever routes.def holds now) is found by its own template, with
 * each variable segment replaced by a value. */
static void test_match_every_route(void **state)
{
    (void)state;
    size_t n = 0;
    const struct route *table = route_table(&n);
    for (size_t i = 0; i < n; i++) {
        const struct route *want = &table[i];
        char path[512];
        size_t len = 0;
        for (int s = 0; s < want->nsegs; s++) {
            struct str seg = want->segs[s];
            if (seg.p[0] == ':')
                seg = STR_LIT("some%20value");
            len += (size_t)snprintf(path + len, sizeof(path) - len, "/%.*s", STR_FMT(seg));
        }
        bool known = false;
        struct arena *a = arena_new(0);
        struct str vars[ROUTE_MAX_VARS];
        const struct route *r = route_match(want->verb, str_n(path, len), a, vars, &known);
        if (r != want)
            fail_msg("%s did not match its own route", path);
        for (int s = 0, v = 0; s < want->nsegs; s++)
            if (want->segs[s].p[0] == ':')
                assert_slice(vars[v++], "some value");
        /* with a trailing slash too */
        path[len] = '/';
        r = route_match(want->verb, str_n(path, len + 1), a, vars, &known);
        if (r != want)
            fail_msg("%s/ did not match its own route", path);
        arena_free(a);
    }
}

static void test_trailing_slash(void **state)
{
    (void)state;
    bool known;
    const struct route *r = match(VERB_GET, "/V1/store/storeViews/", &known);
    assert_non_null(r);
    assert_string_equal(r->handler_name, "store_views");
    r = match(VERB_PUT, "/V1/customers/me/", &known);
    assert_non_null(r);
    assert_string_equal(r->handler_name, "customer_me_save");
    /* One trailing slash, not two, and no empty segments inside. */
    assert_null(match(VERB_GET, "/V1/store/storeViews//", &known));
    assert_false(known);
    assert_null(match(VERB_GET, "/V1/store//storeViews", &known));
    assert_null(match(VERB_GET, "//V1/store/storeViews", &known));
}

static void test_wrong_verb(void **state)
{
    (void)state;
    bool known = false;
    assert_null(match(VERB_DELETE, "/V1/store/storeViews", &known));
    assert_true(known);
    known = false;
    assert_null(match(VERB_POST, "/V1/store/storeViews/", &known));
    assert_true(known);
    known = false;
    assert_null(match(VERB_GET, "/V1/integration/admin/token", &known));
    assert_true(known);
    known = false;
    assert_null(match(VERB_POST, "/V1/customers/me", &known)); /* GET and PUT exist */
    assert_true(known);
    known = false;
    assert_null(match(VERB_OTHER, "/V1/customers/me", &known));
    assert_true(known);
    /* The right verb of a path with several verbs clears nothing it should not. */
    known = true;
    const struct route *r = match(VERB_GET, "/V1/customers/me", &known);
    assert_non_null(r);
    assert_string_equal(r->handler_name, "customer_me");
}

static void test_unknown_paths(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "",
        "/",
        "V1/store/storeViews", /* no leading slash */
        "/V1",
        "/V1/",
        "/V1/store",
        "/V1/store/",
        "/V1/nope",
        "/V1/store/storeViews/extra",
        "/V1/store/storeViews/1",
        "/V2/store/storeViews",
        "/V1/store/storeViews?x=1", /* the query is not part of the path */
        "/V1/store/storeViews%2F",
        "/V1/store/store%56iews",               /* literals are matched undecoded */
        "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r", /* more segments than any route */
    };
    for (size_t i = 0; i < N_ELEMS(paths); i++) {
        bool known = true;
        if (match(VERB_GET, paths[i], &known))
            fail_msg("\"%s\" matched", paths[i]);
        if (known)
            fail_msg("\"%s\" is known", paths[i]);
    }
    /* A NUL inside the slice is not the end of the path. */
    bool known = true;
    struct arena *a = arena_new(0);
    struct str vars[ROUTE_MAX_VARS];
    assert_null(route_match(VERB_GET, str_n("/V1/store/storeViews\0x", 22), a, vars, &known));
    assert_false(known);
    /* ... and the slice length, not a NUL, ends it. */
    assert_non_null(route_match(VERB_GET, str_n("/V1/store/storeViewsXYZ", 20), a, vars, &known));
    arena_free(a);
}

static void test_case_sensitive(void **state)
{
    (void)state;
    /* (/V1/customers/Me is GET /V1/customers/:customerId with customerId "Me", as in Magento.) */
    static const char *const paths[] = {
        "/V1/store/storeviews", "/V1/store/STOREVIEWS", "/v1/store/storeViews",
        "/V1/Store/storeViews", "/V1/Customers/me",     "/V1/integration/Admin/token",
    };
    for (size_t i = 0; i < N_ELEMS(paths); i++) {
        bool known = true;
        if (match(VERB_GET, paths[i], &known) || match(VERB_POST, paths[i], &known))
            fail_msg("\"%s\" matched", paths[i]);
        assert_false(known);
    }
}

static void test_route_verb(void **state)
{
    (void)state;
    assert_int_equal(route_verb(STR_LIT("GET")), VERB_GET);
    assert_int_equal(route_verb(STR_LIT("POST")), VERB_POST);
    assert_int_equal(route_verb(STR_LIT("PUT")), VERB_PUT);
    assert_int_equal(route_verb(STR_LIT("DELETE")), VERB_DELETE);
    /* Methods are case-sensitive (RFC 9110 9.1); everything else is "other" (405). */
    static const char *const others[] = {"get",     "Get", "PATCH", "HEAD", "OPTIONS", "TRACE",
                                         "CONNECT", "",    "GET ",  "GETX", "DELET"};
    for (size_t i = 0; i < N_ELEMS(others); i++)
        if (route_verb(str_c(others[i])) != VERB_OTHER)
            fail_msg("\"%s\" is a verb", others[i]);
    assert_int_equal(route_verb(str_n("GETTER", 3)), VERB_GET);
    assert_int_equal(route_verb(STR_NULL), VERB_OTHER);
}

/* Every Web API route is described for GET /rest/<store>/schema (schema.json), and the
 * description names only existing routes and types (schema_init checks that). */
static void test_schema_describes_every_route(void **state)
{
    (void)state;
    char err[256] = "";
    if (!schema_init(err, sizeof(err)))
        fail_msg("schema_init: %s", err);
    const struct route *missing[16];
    size_t n = schema_undescribed(missing, N_ELEMS(missing));
    for (size_t i = 0; i < n && i < N_ELEMS(missing); i++)
        print_error("schema.json does not describe %s %s\n",
                    missing[i]->verb == VERB_GET    ? "GET"
                    : missing[i]->verb == VERB_POST ? "POST"
                    : missing[i]->verb == VERB_PUT  ? "PUT"
                                                    : "DELETE",
                    missing[i]->template_);
    assert_int_equal(n, 0);
    schema_free();
}

static int group_teardown(void **state)
{
    (void)state;
    arena_free(match_arena);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_init),
        cmocka_unit_test(test_match_expected_routes),
        cmocka_unit_test(test_match_every_route),
        cmocka_unit_test(test_trailing_slash),
        cmocka_unit_test(test_wrong_verb),
        cmocka_unit_test(test_unknown_paths),
        cmocka_unit_test(test_case_sensitive),
        cmocka_unit_test(test_route_verb),
        cmocka_unit_test(test_schema_describes_every_route),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
