/* Unit tests for src/query/: the searchCriteria parser (keys, limits, type errors), the SQL
 * builder (conditions, placeholders, sorting, paging) and echo, and the `fields` filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "query/fields.h"
#include "query/search.h"

#include "testutil.h"

/* clang-format off */
static const struct sc_field fields[] = {
    {"id", "t.id", SC_INT, 0, NULL, NULL, NULL},
    {"name", "t.name", SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},
    {"price", "t.price", SC_FLOAT, 0, NULL, NULL, NULL},
    {"created_at", "t.created_at", SC_DATETIME, 0, NULL, NULL, NULL},
    {"title", "t.title", SC_TEXT, 0, "{{sqlite:t.id IN (SELECT rowid FROM f WHERE f.title LIKE ?)}}",
     "t.id IN (SELECT rowid FROM f WHERE f.title MATCH ?)", "SELECT COUNT(*) FROM f WHERE f.title MATCH ?"},
    {"group_id", "t.id IN (SELECT l.t_id FROM l WHERE l.group_id IN (?))", SC_INT, SC_LINK | SC_NOSORT,
     NULL, NULL, "SELECT COUNT(*) FROM l WHERE l.group_id = ?"},
};
/* clang-format on */
static const struct sc_entity entity = {fields, sizeof(fields) / sizeof(fields[0]), "t.id", NULL};

struct built {
    struct search_criteria sc;
    struct search_sql ss;
    struct query_error qe;
    enum err e;
};

static struct built build(struct arena *a, const char *query)
{
    struct built b;
    memset(&b, 0, sizeof(b));
    b.e = search_parse(a, str_c(query), &b.sc, &b.qe);
    if (!b.e)
        b.e = search_build(&entity, &b.sc, 7, a, &b.ss, &b.qe);
    return b;
}

#define G "searchCriteria[filterGroups]"

static void test_conditions(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    struct built b =
        build(a, G "[0][filters][0][field]=name&" G "[0][filters][0][value]=a%25&" G
                   "[0][filters][0][conditionType]=like&" G "[0][filters][1][field]=id&" G
                   "[0][filters][1][value]=1,2,3&" G "[0][filters][1][condition_type]=in&" G
                   "[1][filters][0][field]=price&" G "[1][filters][0][value]=9.5&" G
                   "[1][filters][0][conditionType]=gteq");
    assert_int_equal(b.e, ERR_OK);
    assert_string_equal(b.ss.where, " WHERE ((t.name @ILIKE@ $1) OR (t.id IN ($2, $3, $4)))"
                                    " AND ((t.price >= $5))");
    assert_int_equal(b.ss.nvalues, 5);
    assert_slice(b.ss.values[0], "a%");
    assert_slice(b.ss.values[3], "3");
    assert_string_equal(b.ss.order, " ORDER BY t.id ASC");
    assert_true(b.ss.unlimited);
    /* null ignores the value; finset escapes the pattern; a date becomes Unix seconds */
    b = build(a, G "[0][filters][0][field]=name&" G "[0][filters][0][conditionType]=null&" G
                   "[1][filters][0][field]=name&" G "[1][filters][0][value]=5%25_&" G
                   "[1][filters][0][conditionType]=finset&" G "[2][filters][0][field]=created_at&" G
                   "[2][filters][0][value]=2024-01-02+03:04:05&" G
                   "[2][filters][0][conditionType]=to");
    assert_int_equal(b.e, ERR_OK);
    assert_string_equal(b.ss.where, " WHERE ((t.name IS NULL)) AND (((',' || t.name || ',') @ILIKE@"
                                    " $1 ESCAPE '\\')) AND ((t.created_at <= $2))");
    assert_slice(b.ss.values[0], "%,5\\%\\_,%");
    assert_slice(b.ss.values[1], "1704164645");
    /* an index-friendly form for a leading wildcard only */
    b = build(a, G "[0][filters][0][field]=title&" G "[0][filters][0][value]=%25x%25&" G
                   "[0][filters][0][conditionType]=like");
    assert_string_equal(b.ss.where, " WHERE (({{sqlite:t.id IN (SELECT rowid FROM f WHERE"
                                    " f.title LIKE $1)}}))");
    b = build(a, G "[0][filters][0][field]=title&" G "[0][filters][0][value]=x%25&" G
                   "[0][filters][0][conditionType]=like");
    assert_string_equal(b.ss.where, " WHERE ((t.title @ILIKE@ $1))");
    arena_free(a);
}

/* A SC_LINK field: eq/in name members of any value, neq/nin of none; a single eq or in value
 * alone gets the link table's count; other conditions, bad values and sorting are refused. */
static void test_link_field(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    struct built b = build(a, G "[0][filters][0][field]=group_id&" G "[0][filters][0][value]=4");
    assert_int_equal(b.e, ERR_OK);
    assert_string_equal(b.ss.where, " WHERE ((t.id IN (SELECT l.t_id FROM l WHERE l.group_id IN"
                                    " ($1))))");
    assert_string_equal(b.ss.count_sql, "SELECT COUNT(*) FROM l WHERE l.group_id = $1");
    b = build(a, G "[0][filters][0][field]=group_id&" G "[0][filters][0][value]=4,+5&" G
                   "[0][filters][0][conditionType]=in");
    assert_int_equal(b.e, ERR_OK);
    assert_string_equal(b.ss.where, " WHERE ((t.id IN (SELECT l.t_id FROM l WHERE l.group_id IN"
                                    " ($1, $2))))");
    assert_slice(b.ss.values[1], "5");
    assert_null(b.ss.count_sql); /* a product in both groups counts once: the general count */
    b = build(a, G "[0][filters][0][field]=group_id&" G "[0][filters][0][value]=4&" G
                   "[0][filters][0][conditionType]=in");
    assert_non_null(b.ss.count_sql);
    b = build(a, G "[0][filters][0][field]=group_id&" G "[0][filters][0][value]=4&" G
                   "[0][filters][0][conditionType]=neq&" G "[0][filters][1][field]=id&" G
                   "[0][filters][1][value]=1&" G "[1][filters][0][field]=group_id&" G
                   "[1][filters][0][value]=6,7&" G "[1][filters][0][conditionType]=nin");
    assert_int_equal(b.e, ERR_OK);
    assert_string_equal(b.ss.where,
                        " WHERE ((NOT t.id IN (SELECT l.t_id FROM l WHERE l.group_id IN ($1)))"
                        " OR (t.id = $2)) AND ((NOT t.id IN (SELECT l.t_id FROM l WHERE"
                        " l.group_id IN ($3, $4))))");
    assert_null(b.ss.count_sql);
    b = build(a, G "[0][filters][0][field]=group_id&" G "[0][filters][0][value]=4&" G
                   "[0][filters][0][conditionType]=gt");
    assert_int_equal(b.e, ERR_SEARCH_CONDITION);
    json_decref(b.qe.params);
    b = build(a, G "[0][filters][0][field]=group_id&" G "[0][filters][0][value]=4,5");
    assert_int_equal(b.e, ERR_INVALID_TYPE); /* eq takes one value */
    json_decref(b.qe.params);
    b = build(a, G "[0][filters][0][field]=group_id&" G "[0][filters][0][value]=4);--&" G
                   "[0][filters][0][conditionType]=in");
    assert_int_equal(b.e, ERR_INVALID_TYPE);
    json_decref(b.qe.params);
    b = build(a, "searchCriteria[sortOrders][0][field]=group_id");
    assert_int_equal(b.e, ERR_SEARCH_FIELD);
    json_decref(b.qe.params);
    arena_free(a);
}

static void test_sort_and_paging(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    struct built b = build(a, "searchCriteria[sortOrders][0][field]=name&searchCriteria[sortOrders]"
                              "[1][field]=price&searchCriteria[sortOrders][1][direction]=asc&"
                              "searchCriteria[pageSize]=10&searchCriteria[currentPage]=3");
    assert_int_equal(b.e, ERR_OK);
    assert_string_equal(b.ss.order, " ORDER BY (t.name IS NULL) ASC, t.name DESC, t.price ASC,"
                                    " t.id ASC");
    assert_string_equal(b.ss.limit, " LIMIT 10 OFFSET 20");
    b = build(a, "searchCriteria[pageSize]=10&searchCriteria[currentPage]=-4");
    assert_string_equal(b.ss.limit, " LIMIT 10 OFFSET 0");
    b = build(a, "searchCriteria[pageSize]=9223372036854775807&searchCriteria[currentPage]=3");
    assert_true(b.ss.past_end);
    b = build(
        a, "searchCriteria[sortOrders][0][field]=id&searchCriteria[sortOrders][0][direction]=UP");
    assert_int_equal(b.e, ERR_SORT_DIRECTION);
    arena_free(a);
}

static void test_errors(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    struct built b = build(a, "searchCriteria[pageSize]=abc");
    assert_int_equal(b.e, ERR_INVALID_TYPE);
    assert_string_equal(b.qe.message, "Error occurred during \"pageSize\" processing. The \"abc\""
                                      " value's type is invalid. The \"int\" type was expected."
                                      " Verify and try again.");
    b = build(a, G "[0][filters][0][field]=nope");
    assert_int_equal(b.e, ERR_SEARCH_FIELD);
    json_decref(b.qe.params);
    b = build(a, "searchCriteria[bogus_key]=1");
    assert_int_equal(b.e, ERR_FIELD_NOT_SUPPORTED);
    assert_string_equal(json_string_value(json_object_get(b.qe.params, "fieldName")), "BogusKey");
    json_decref(b.qe.params);
    b = build(a, G "[0][filters][0][field]=id&" G "[0][filters][0][value]=x");
    assert_int_equal(b.e, ERR_INVALID_TYPE);
    json_decref(b.qe.params);
    b = build(a, "searchCriteria[a][b][c][d][e][f][g]=1");
    assert_int_equal(b.e, ERR_SEARCH_SYNTAX);
    json_decref(b.qe.params);
    b = build(a, G "[0][filters][0][field]=name&" G "[0][filters][0][value]=%C3%28");
    assert_int_equal(b.e, ERR_BAD_ENCODING);
    /* the searchCriteria parameter must be there at all */
    b = build(a, "other=1");
    assert_int_equal(b.e, ERR_OK);
    assert_false(b.sc.present);
    struct search_criteria sc;
    struct query_error qe;
    assert_int_equal(search_parse(a, STR_LIT("searchCriteria[pageSize]=301"), &sc, &qe), ERR_OK);
    assert_int_equal(search_limit(&sc, true, 20, 300, &qe), ERR_PAGE_SIZE_MAX);
    json_decref(qe.params);
    assert_int_equal(search_parse(a, STR_LIT("searchCriteria="), &sc, &qe), ERR_OK);
    assert_int_equal(search_limit(&sc, true, 20, 300, &qe), ERR_OK);
    assert_int_equal(sc.page_size, 20);
    arena_free(a);
}

static void test_echo(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    struct built b = build(a, "search_criteria[filter_groups][0][filters][0][field]=name&"
                              "search_criteria[filter_groups][0][filters][0][value]=%22q%22&"
                              "search_criteria[sort_orders][0][field]=id&"
                              "search_criteria[current_page]=2");
    assert_int_equal(b.e, ERR_OK);
    struct buf out;
    buf_init(&out, a, 64);
    search_echo(&b.sc, &out);
    assert_slice(buf_str(&out), "{\"filter_groups\":[{\"filters\":[{\"field\":\"name\",\"value\":"
                                "\"\\\"q\\\"\",\"condition_type\":\"eq\"}]}],\"sort_orders\":"
                                "[{\"field\":\"id\"}],\"current_page\":2}");
    arena_free(a);
}

static const char *filtered(struct arena *a, const char *spec, const char *json)
{
    struct fields_node *root;
    if (!fields_parse(a, str_c(spec), &root))
        return "[]";
    struct buf out;
    buf_init(&out, a, 64);
    if (!fields_filter(root, str_c(json), &out))
        return "(invalid)";
    return buf_cstr(&out);
}

static void test_fields(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    const char *doc = "{\"items\":[{\"sku\":\"a\",\"x\":{\"y\":1,\"z\":[2]},\"custom_attributes\":"
                      "[{\"attribute_code\":\"c1\",\"value\":\"v\"},{\"attribute_code\":\"c2\","
                      "\"value\":\"w\"}]}],\"total_count\":1}";
    assert_string_equal(filtered(a, "total_count", doc), "{\"total_count\":1}");
    assert_string_equal(filtered(a, "items[sku,x[z]],total_count", doc),
                        "{\"items\":[{\"sku\":\"a\",\"x\":{\"z\":[2]}}],\"total_count\":1}");
    assert_string_equal(filtered(a, "items[custom_attributes[c2]]", doc),
                        "{\"items\":[{\"custom_attributes\":[{\"attribute_code\":\"c2\","
                        "\"value\":\"w\"}]}]}");
    assert_string_equal(filtered(a, "nothing", doc), "{}");
    assert_string_equal(filtered(a, "items[", doc), "[]");
    assert_string_equal(filtered(a, "items]", doc), "[]");
    assert_string_equal(filtered(a, "a b", doc), "[]");
    assert_string_equal(filtered(a, "", doc), "[]");
    assert_string_equal(filtered(a, "a,,b", doc), "[]");
    assert_string_equal(filtered(a, "id", "[{\"id\":1,\"n\":2},{\"id\":3}]"),
                        "[{\"id\":1},{\"id\":3}]");
    assert_string_equal(filtered(a, "id", "{\"id\":1,"), "(invalid)");
    struct str spec;
    assert_true(fields_param(a, STR_LIT("a=1&fields=items%5Bsku%5D&fields=total_count"), &spec));
    assert_slice(spec, "total_count");
    assert_false(fields_param(a, STR_LIT("fieldsx=1"), &spec));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_link_field),
        cmocka_unit_test(test_sort_and_paging),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
