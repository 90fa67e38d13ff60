"""searchCriteria on GET /V1/products (reference §7.1-7.2, observed table; issue 6 item 7): every
condition type, OR within a group and AND across groups, sorting, Magento 2.4 paging, the echoed
search_criteria, total_count, the input limits, and hostile input. The catalog is created through
the API (catalogtest.CATALOG), so every expected answer is computed here from that table."""

import re
import urllib.parse

import pytest

from catalogtest import CATALOG, SKUS, listing, sc, seed, skus
from sgtest import MSG_REQUIRED, assert_response, body_json

BY_SKU = {c[0]: c for c in CATALOG}
MSG_INVALID_FIELD = "Invalid attribute name: %1"
MSG_SORT = ("The sort order has to be specified as ASC for ascending order or DESC for "
            "descending order.")
MSG_NOT_SUPPORTED = '"%fieldName" is not supported. Correct the field name and try again.'


@pytest.fixture(scope="module")
def cat(module_server_factory):
    srv = module_server_factory.create()
    token = srv.token()
    seed(srv, token)
    return srv, token


def run(cat, **kw):
    srv, token = cat
    r, body = listing(srv, token, sc(**kw))
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return body


def where(pred):
    return [c[0] for c in CATALOG if pred(c)]


def test_missing_search_criteria_is_required(cat):
    srv, token = cat
    r = srv.get("/rest/V1/products", token=token)
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "searchCriteria"}})


@pytest.mark.parametrize("q", ["searchCriteria=", "searchCriteria=all", "searchCriteria"])
def test_scalar_search_criteria_means_every_row(cat, q):
    srv, token = cat
    r, body = listing(srv, token, q)
    assert r.status_code == 200
    assert skus(body) == SKUS
    assert body["total_count"] == len(CATALOG)
    assert body["search_criteria"] == {"filter_groups": []}
    assert list(body) == ["items", "search_criteria", "total_count"]


COND_CASES = [
    ("eq", "sku", "CT-03", lambda c: c[0] == "CT-03"),
    ("neq", "sku", "CT-03", lambda c: c[0] != "CT-03"),
    ("like", "name", "%hoodie%", lambda c: "hoodie" in c[1].lower()),
    ("like", "name", "BLUE%", lambda c: c[1].lower().startswith("blue")),
    ("like", "name", "product 12%", lambda c: c[1].lower().startswith("product 12")),
    ("like", "name", "%HOOD%", lambda c: "hood" in c[1].lower()),
    ("like", "name", "%o_die", lambda c: re.search(r"o.die$", c[1].lower()) is not None),
    ("like", "name", "%ie", lambda c: c[1].lower().endswith("ie")),
    ("like", "name", "%ee%", lambda c: "ee" in c[1].lower()),
    ("nlike", "name", "%bag%", lambda c: "bag" not in c[1].lower()),
    ("in", "sku", "CT-01,CT-05,CT-99", lambda c: c[0] in ("CT-01", "CT-05")),
    ("nin", "sku", "CT-01,CT-05", lambda c: c[0] not in ("CT-01", "CT-05")),
    ("null", "weight", "", lambda c: c[4] is None),
    ("notnull", "weight", "", lambda c: c[4] is not None),
    ("gt", "price", "55", lambda c: c[2] > 55),
    ("lt", "price", "20", lambda c: c[2] < 20),
    ("gteq", "price", "55", lambda c: c[2] >= 55),
    ("lteq", "price", "20", lambda c: c[2] <= 20),
    ("moreq", "price", "89.99", lambda c: c[2] >= 89.99),
    ("from", "price", "60", lambda c: c[2] >= 60),
    ("to", "price", "25", lambda c: c[2] <= 25),
    ("finset", "color", "49", lambda c: c[6] == "49"),
    ("nfinset", "color", "49", lambda c: c[6] is not None and c[6] != "49"),
    ("seq", "description", "", lambda c: c[5] is None),
    ("sneq", "description", "", lambda c: c[5] is not None),
    ("eq", "status", "2", lambda c: c[3] == 2),
    ("in", "status", "1", lambda c: c[3] == 1),
    ("like", "description", "%blue%", lambda c: c[5] is not None and "blue" in c[5].lower()),
    ("like", "price", "5%", lambda c: str(c[2]).startswith("5")),
    ("bogus", "sku", "CT-04", lambda c: c[0] == "CT-04"),  # Magento: unknown condition = eq
]


@pytest.mark.parametrize("cond,field,value,pred", COND_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in COND_CASES])
def test_condition_types(cat, cond, field, value, pred):
    body = run(cat, filters=[[(field, value, cond)]], sorts=[("sku", "ASC")])
    want = where(pred)
    assert skus(body) == want
    assert body["total_count"] == len(want)
    assert body["search_criteria"]["filter_groups"] == [
        {"filters": [{"field": field, "value": value, "condition_type": cond}]}]


def test_like_wildcards_are_literal_when_escaped(cat):
    # MySQL's backslash escape: 100\% matches the text "100%" only
    body = run(cat, filters=[[("description", "%100\\%%", "like")]])
    assert skus(body) == ["CT-04"]
    body = run(cat, filters=[[("description", "%wind\\_proof%", "like")]])
    assert skus(body) == ["CT-06"]
    body = run(cat, filters=[[("description", "%o'brien%", "like")]])
    assert skus(body) == ["CT-08"]


def test_default_condition_is_eq_and_echoed(cat):
    body = run(cat, filters=[[("sku", "CT-07", None)]])
    assert skus(body) == ["CT-07"]
    assert body["search_criteria"]["filter_groups"][0]["filters"][0] == {
        "field": "sku", "value": "CT-07", "condition_type": "eq"}


def test_or_within_group_and_across_groups(cat):
    body = run(cat, filters=[[("name", "%bag%", "like"), ("name", "%hoodie%", "like")],
                             [("status", "1", "eq")]], sorts=[("sku", "ASC")])
    want = where(lambda c: ("bag" in c[1].lower() or "hoodie" in c[1].lower()) and c[3] == 1)
    assert skus(body) == want
    assert body["total_count"] == len(want)


def test_snake_case_keys(cat):
    body = run(cat, filters=[[("price", "50", "gt")]], sorts=[("price", "ASC")], page_size=3,
               current_page=1, snake=True)
    want = sorted(where(lambda c: c[2] > 50), key=lambda s: (BY_SKU[s][2], s))[:3]
    assert skus(body) == want
    assert body["search_criteria"]["page_size"] == 3
    assert body["search_criteria"]["current_page"] == 1


@pytest.mark.parametrize("direction", ["ASC", "asc", "DESC", "desc", None])
def test_sort_directions(cat, direction):
    body = run(cat, sorts=[("price", direction)])
    desc = direction is None or direction.upper() == "DESC"  # no direction sorts descending
    # ties keep the id order
    want = sorted(SKUS, key=lambda s: (-BY_SKU[s][2] if desc else BY_SKU[s][2], s))
    assert skus(body) == want
    echo = {"field": "price"} if direction is None else {"field": "price", "direction": direction}
    assert body["search_criteria"]["sort_orders"] == [echo]


def test_two_sort_orders_and_nullable_sort(cat):
    body = run(cat, sorts=[("status", "DESC"), ("name", "ASC")])
    want = sorted(SKUS, key=lambda s: (-BY_SKU[s][3], BY_SKU[s][1].lower()))
    got = skus(body)
    assert [BY_SKU[s][3] for s in got] == [BY_SKU[s][3] for s in want]
    # MySQL order for NULLs: first ascending, last descending
    asc = skus(run(cat, sorts=[("weight", "ASC")]))
    assert [BY_SKU[s][4] for s in asc[:2]] == [None, None]
    desc = skus(run(cat, sorts=[("weight", "DESC")]))
    assert [BY_SKU[s][4] for s in desc[-2:]] == [None, None]


def test_bad_sort_direction(cat):
    srv, token = cat
    r, _ = listing(srv, token, sc(sorts=[("price", "UP")]))
    assert_response(r, 400, {"message": MSG_SORT})


def test_paging(cat):
    body = run(cat, sorts=[("sku", "ASC")], page_size=5, current_page=2)
    assert skus(body) == SKUS[5:10]
    assert body["total_count"] == len(CATALOG)
    last = run(cat, sorts=[("sku", "ASC")], page_size=5, current_page=3)
    assert skus(last) == SKUS[10:]
    # Magento 2.4: a page past the end is empty and keeps total_count
    past = run(cat, sorts=[("sku", "ASC")], page_size=5, current_page=4)
    assert past["items"] == [] and past["total_count"] == len(CATALOG)
    assert past["search_criteria"] == {"filter_groups": [], "sort_orders": [
        {"field": "sku", "direction": "ASC"}], "page_size": 5, "current_page": 4}
    # currentPage 0 (or negative) is page 1, echoed as sent
    zero = run(cat, sorts=[("sku", "ASC")], page_size=5, current_page=0)
    assert skus(zero) == SKUS[:5] and zero["search_criteria"]["current_page"] == 0
    neg = run(cat, sorts=[("sku", "ASC")], page_size=5, current_page=-3)
    assert skus(neg) == SKUS[:5]
    # pageSize 0 means no limit
    every = run(cat, page_size=0, current_page=3)
    assert skus(every) == SKUS


def test_huge_page_numbers(cat):
    body = run(cat, page_size=9223372036854775807, current_page=2)
    assert body["items"] == [] and body["total_count"] == len(CATALOG)
    body = run(cat, page_size=300, current_page=9223372036854775807)
    assert body["items"] == []
    body = run(cat, page_size=9223372036854775807)
    assert skus(body) == SKUS


@pytest.mark.parametrize("key,value", [
    ("pageSize", "abc"), ("currentPage", "1.5"), ("page_size", "99999999999999999999"),
    ("pageSize", ""),
])
def test_page_type_errors(cat, key, value):
    srv, token = cat
    r = srv.get(f"/rest/V1/products?searchCriteria[{key}]={urllib.parse.quote(value)}",
                token=token)
    assert_response(r, 400, {"message": f'Error occurred during "{key}" processing. The "{value}"'
                             ' value\'s type is invalid. The "int" type was expected. Verify and'
                             ' try again.'})


def test_unknown_filter_field_is_a_clear_400(cat):
    srv, token = cat
    for field in ("nope", "entity_id; DROP TABLE catalog_product", "p.sku", "name)"):
        r, body = listing(srv, token, sc(filters=[[(field, "1", "eq")]]))
        assert_response(r, 400, {"message": MSG_INVALID_FIELD, "parameters": [field]})
        assert "SELECT" not in r.text and "catalog_product " not in r.text
    r, body = listing(srv, token, sc(sorts=[("nope", "ASC")]))
    assert_response(r, 400, {"message": MSG_INVALID_FIELD, "parameters": ["nope"]})
    # still serving, and the table is there
    assert run(cat)["total_count"] == len(CATALOG)


def test_filter_without_field(cat):
    srv, token = cat
    r, _ = listing(srv, token, sc(filters=[[(None, "1", "eq")]]))
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "field"}})


@pytest.mark.parametrize("key,name", [
    ("searchCriteria[foo]", "Foo"),
    ("searchCriteria[filterGroups][0][filters][0][is_active]", "IsActive"),
    ("searchCriteria[sortOrders][0][order]", "Order"),
    ("searchCriteria[filter_groups][0][items][0][field]", "Items"),
])
def test_unknown_keys(cat, key, name):
    srv, token = cat
    r = srv.get(f"/rest/V1/products?{urllib.parse.quote(key)}=1", token=token)
    assert_response(r, 400, {"message": MSG_NOT_SUPPORTED, "parameters": {"fieldName": name}})


def test_sql_looking_values_are_just_values(cat):
    for v in ("' OR 1=1 --", "CT-01' OR '1'='1", "1; DELETE FROM catalog_product", "%' OR ''='"):
        body = run(cat, filters=[[("sku", v, "eq")]])
        assert body["items"] == [] and body["total_count"] == 0
        body = run(cat, filters=[[("name", v, "like")]])
        assert body["total_count"] == 0
    assert run(cat)["total_count"] == len(CATALOG)


def test_numeric_field_with_text_value(cat):
    srv, token = cat
    r, _ = listing(srv, token, sc(filters=[[("price", "abc", "gt")]]))
    assert_response(r, 400, {
        "message": 'The "%value" value\'s type is invalid. The "%type" type was expected. '
                   'Verify and try again.', "parameters": {"value": "abc", "type": "float"}})
    r, _ = listing(srv, token, sc(filters=[[("created_at", "yesterday", "gt")]]))
    assert r.status_code == 400


def test_dates(cat):
    body = run(cat, filters=[[("created_at", "2000-01-01 00:00:00", "gt")]])
    assert body["total_count"] == len(CATALOG)
    body = run(cat, filters=[[("updated_at", "2999-01-01", "from")]])
    assert body["total_count"] == 0


def test_unsupported_mysql_conditions(cat):
    srv, token = cat
    r, _ = listing(srv, token, sc(filters=[[("name", "^Blue", "regexp")]]))
    assert_response(r, 400, {
        "message": 'The "%1" condition type is not supported for the "%2" field.',
        "parameters": ["regexp", "name"]})


def test_deep_brackets_and_malformed_keys(cat):
    srv, token = cat
    deep = "searchCriteria" + "[a]" * 40
    r = srv.get(f"/rest/V1/products?{urllib.parse.quote(deep)}=1", token=token)
    assert r.status_code == 400 and r.json()["message"] == 'The "%1" query parameter is malformed.'
    r = srv.get("/rest/V1/products?" + urllib.parse.quote("searchCriteria[pageSize") + "=1",
                token=token)
    assert r.status_code == 400
    # an array where a string belongs
    r = srv.get("/rest/V1/products?" + urllib.parse.quote(
        "searchCriteria[filterGroups][0][filters][0][field][x]") + "=sku", token=token)
    assert r.status_code == 400 and "Array" in r.json()["message"]
    assert run(cat)["total_count"] == len(CATALOG)


def test_too_many_filters(cat):
    srv, token = cat
    pairs = [(f"searchCriteria[filterGroups][0][filters][{i}][field]", "sku") for i in range(70)]
    r = srv.get("/rest/V1/products?" + urllib.parse.urlencode(pairs), token=token)
    assert r.status_code == 400
    assert r.json()["message"] == "The search criteria ask for more than %1 %2."
    big_in = ",".join("x" for _ in range(1001))
    r, _ = listing(srv, token, sc(filters=[[("sku", big_in, "in")]]))
    assert_response(r, 400, {"message": "The search criteria ask for more than %1 %2.",
                             "parameters": [1000, "values"]})
    many = ",".join(["CT-02"] + [f"X{i}" for i in range(300)])
    assert skus(run(cat, filters=[[("sku", many, "in")]])) == ["CT-02"]


def test_invalid_utf8_value(cat):
    srv, token = cat
    r = srv.get("/rest/V1/products?searchCriteria[filterGroups][0][filters][0][field]=name"
                "&searchCriteria[filterGroups][0][filters][0][value]=%C3%28", token=token)
    assert r.status_code == 400
    assert r.json()["message"] == "The request URL is not valid UTF-8 or contains a NUL byte."


def test_unpaged_answer_is_streamed(cat):
    srv, token = cat
    r, body = listing(srv, token, sc(sorts=[("sku", "ASC")]))
    assert r.headers.get("transfer-encoding") == "chunked"
    assert skus(body) == SKUS and body["total_count"] == len(CATALOG)
    paged, pbody = listing(srv, token, sc(page_size=2))
    assert "content-length" in {k.lower() for k in paged.headers}
    # fields on a streamed answer
    r, body = listing(srv, token, sc(filters=[[("status", "2", "eq")]], extra=[
        ("fields", "total_count,items[sku,extension_attributes[stock_item[qty]]]")]))
    assert body == {"items": [{"sku": s, "extension_attributes": {"stock_item": {
        "qty": SKUS.index(s) * 3}}} for s in where(lambda c: c[3] == 2)], "total_count": 3}
    r, body = listing(srv, token, sc(extra=[("fields", "total_count")]))
    assert body == {"total_count": len(CATALOG)}
    r, body = listing(srv, token, sc(extra=[("fields", "items[sku")]))
    assert body == []


def test_input_limits(server_factory):
    srv = server_factory.create()
    token = srv.token()
    seed(srv, token)
    srv.cli_ok("config:set", "webapi/validation/input_limit_enabled", "1")
    srv.cli_ok("config:set", "webapi/validation/default_page_size", "5")
    srv.restart()
    r, _ = listing(srv, token, sc(page_size=301))
    assert_response(r, 400, {"message": "Maximum SearchCriteria pageSize is %max",
                             "parameters": {"max": 300}})
    r, body = listing(srv, token, sc(page_size=300))
    assert r.status_code == 200 and body["total_count"] == len(CATALOG)
    r, body = listing(srv, token, sc())
    assert len(body["items"]) == 5 and body["total_count"] == len(CATALOG)
    assert body["search_criteria"]["page_size"] == 5
    assert "content-length" in {k.lower() for k in r.headers}


def test_attribute_set_list(cat):
    srv, token = cat
    r, body = listing(srv, token, sc(), path="/rest/V1/products/attribute-sets/sets/list")
    assert r.status_code == 200
    assert body["items"] == [{"attribute_set_id": 4, "attribute_set_name": "Default",
                              "sort_order": 1, "entity_type_id": 4}]
    r, body = listing(srv, token, sc(filters=[[("attribute_set_name", "nothing", "eq")]],
                                     page_size=10),
                      path="/rest/V1/products/attribute-sets/sets/list")
    assert body["items"] == [] and body["total_count"] == 0
    r, body = listing(srv, token, sc(filters=[[("sku", "x", "eq")]]),
                      path="/rest/V1/products/attribute-sets/sets/list")
    assert_response(r, 400, {"message": MSG_INVALID_FIELD, "parameters": ["sku"]})


def test_name_search_follows_renames(server_factory):
    # the trigram index is kept in step with the products (insert, rename, delete)
    srv = server_factory.create()
    token = srv.token()
    seed(srv, token)
    q = sc(filters=[[("name", "%zebra%", "like")]])
    assert listing(srv, token, q)[1]["total_count"] == 0
    r = srv.request("PUT", "/rest/V1/products/CT-04", token=token,
                    json={"product": {"name": "Zebra Yoga Mat"}})
    assert r.status_code == 200, r.text
    assert skus(listing(srv, token, q)[1]) == ["CT-04"]
    assert listing(srv, token, sc(filters=[[("name", "%yoga m%", "like")]]))[1]["total_count"] == 1
    assert listing(srv, token, sc(filters=[[("name", "%Yoga Mat", "like")]]))[1]["total_count"] == 1
    assert srv.request("DELETE", "/rest/V1/products/CT-04", token=token).status_code == 200
    assert listing(srv, token, q)[1]["total_count"] == 0
