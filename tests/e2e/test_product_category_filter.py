"""GET /V1/products filtered by category_id (issue 6 items 1 and 7): Magento's
ProductCategoryFilter over the category-product links. eq and in (a comma-separated list) keep
the products linked to any of the categories, neq and nin those linked to none of them; other
condition types are refused with Magento's message. The filter combines with other filters (AND
across groups, OR within a group), paging and total_count. The catalog and its links are made
through the API, so every expected answer is computed here."""

import pytest

from catalogtest import CATALOG, SKUS, listing, sc, seed, skus
from sgtest import assert_response

MSG_CONDITION = 'The "%1" condition type is not supported for the "%2" field.'
MSG_TYPE = 'The "%value" value\'s type is invalid. The "%type" type was expected. Verify and try again.'
MSG_INVALID_FIELD = "Invalid attribute name: %1"
BY_SKU = {c[0]: c for c in CATALOG}

# category name -> SKUs linked to it (CT-12 in none)
LINKS = {
    "Bags": ["CT-01", "CT-02", "CT-11"],
    "Outdoor": ["CT-01", "CT-03", "CT-05", "CT-06", "CT-11"],
    "Apparel": ["CT-05", "CT-06", "CT-07", "CT-08", "CT-09"],
    "Empty": [],
}


@pytest.fixture(scope="module")
def cat(module_server_factory):
    srv = module_server_factory.create()
    token = srv.token()
    seed(srv, token)
    ids = {}
    for name in LINKS:
        r = srv.request("POST", "/rest/V1/categories", token=token,
                        json={"category": {"name": name, "parent_id": 2, "is_active": True}})
        assert r.status_code == 200, r.text
        ids[name] = r.json()["id"]
    for sku in SKUS:
        links = [{"position": i, "category_id": str(ids[name])}
                 for i, name in enumerate(n for n in LINKS if sku in LINKS[n])]
        r = srv.request("PUT", f"/rest/V1/products/{sku}", token=token,
                        json={"product": {"extension_attributes": {"category_links": links}}})
        assert r.status_code == 200, r.text
    return srv, token, ids


def run(cat, **kw):
    srv, token, _ = cat
    r, body = listing(srv, token, sc(**kw))
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return body


def linked(*names):
    return [s for s in SKUS if any(s in LINKS[n] for n in names)]


def cid(cat, *names):
    return ",".join(str(cat[2][n]) for n in names)


@pytest.mark.parametrize("name", list(LINKS))
def test_eq_and_default_condition(cat, name):
    for cond in ("eq", None):
        body = run(cat, filters=[[("category_id", cid(cat, name), cond)]])
        assert skus(body) == LINKS[name]
        assert body["total_count"] == len(LINKS[name])


def test_in_list_is_a_union_without_duplicates(cat):
    body = run(cat, filters=[[("category_id", cid(cat, "Bags", "Outdoor"), "in")]])
    assert skus(body) == linked("Bags", "Outdoor")
    assert body["total_count"] == len(linked("Bags", "Outdoor"))
    # spaces around the items, one item, the snake_case keys
    body = run(cat, filters=[[("category_id", " " + cid(cat, "Apparel") + " , " + cid(cat, "Empty"),
                               "in")]], snake=True)
    assert skus(body) == LINKS["Apparel"]


def test_neq_and_nin_keep_the_products_outside(cat):
    body = run(cat, filters=[[("category_id", cid(cat, "Bags"), "neq")]])
    assert skus(body) == [s for s in SKUS if s not in LINKS["Bags"]]
    body = run(cat, filters=[[("category_id", cid(cat, "Bags", "Apparel"), "nin")]])
    expected = [s for s in SKUS if s not in linked("Bags", "Apparel")]
    assert skus(body) == expected and "CT-12" in expected
    assert body["total_count"] == len(expected)


def test_unknown_category_gives_an_empty_list(cat):
    body = run(cat, filters=[[("category_id", "987654", "eq")]])
    assert body["items"] == [] and body["total_count"] == 0
    body = run(cat, filters=[[("category_id", "987654,987655", "in")]], page_size=5)
    assert body["items"] == [] and body["total_count"] == 0
    # the search criteria are echoed as sent
    assert body["search_criteria"]["filter_groups"] == [
        {"filters": [{"field": "category_id", "value": "987654,987655", "condition_type": "in"}]}]


def test_combined_with_other_filters_across_groups(cat):
    # in Outdoor AND status 1 AND price >= 40
    body = run(cat, filters=[[("category_id", cid(cat, "Outdoor"), "eq")],
                             [("status", "1", "eq")], [("price", "40", "gteq")]])
    expected = [s for s in LINKS["Outdoor"] if BY_SKU[s][3] == 1 and BY_SKU[s][2] >= 40]
    assert skus(body) == expected and expected
    assert body["total_count"] == len(expected)
    # name like + category, sorted by price descending
    body = run(cat, filters=[[("name", "%bag%", "like")], [("category_id", cid(cat, "Outdoor"), "in")]],
               sorts=[("price", "DESC")])
    expected = sorted((s for s in LINKS["Outdoor"] if "bag" in BY_SKU[s][1].lower()),
                      key=lambda s: -BY_SKU[s][2])
    assert skus(body) == expected and expected


def test_or_within_a_group(cat):
    # in Bags OR sku CT-12 (a product in no category)
    body = run(cat, filters=[[("category_id", cid(cat, "Bags"), "eq"), ("sku", "CT-12", "eq")]])
    assert skus(body) == sorted(LINKS["Bags"] + ["CT-12"])
    # two category filters in one group: either category
    body = run(cat, filters=[[("category_id", cid(cat, "Bags"), "eq"),
                              ("category_id", cid(cat, "Apparel"), "eq")]])
    assert skus(body) == linked("Bags", "Apparel")
    # and a category filter in each of two groups: both categories
    body = run(cat, filters=[[("category_id", cid(cat, "Outdoor"), "eq")],
                             [("category_id", cid(cat, "Apparel"), "eq")]])
    assert skus(body) == [s for s in LINKS["Outdoor"] if s in LINKS["Apparel"]]


def test_paging_and_total_count(cat):
    expected = linked("Outdoor", "Apparel")
    assert len(expected) == 8
    seen = []
    for page in (1, 2, 3):
        body = run(cat, filters=[[("category_id", cid(cat, "Outdoor", "Apparel"), "in")]],
                   sorts=[("price", "ASC")], page_size=3, current_page=page)
        assert body["total_count"] == len(expected)
        assert len(body["items"]) == (3 if page < 3 else 2)
        seen += skus(body)
    assert seen == sorted(expected, key=lambda s: (BY_SKU[s][2], SKUS.index(s)))
    body = run(cat, filters=[[("category_id", cid(cat, "Outdoor", "Apparel"), "in")]],
               page_size=3, current_page=4)
    assert body["items"] == [] and body["total_count"] == len(expected)


def test_items_carry_their_category_links(cat):
    srv, token, ids = cat
    r, body = listing(srv, token, sc(filters=[[("category_id", cid(cat, "Bags"), "eq")]],
                                     extra=[("fields", "items[sku,extension_attributes[category_links]]")]))
    assert r.status_code == 200, r.text
    for item in body["items"]:
        linked_ids = {l["category_id"] for l in item["extension_attributes"]["category_links"]}
        assert str(ids["Bags"]) in linked_ids


@pytest.mark.parametrize("cond", ["like", "gt", "lteq", "from", "null", "notnull", "finset"])
def test_other_condition_types_are_refused(cat, cond):
    srv, token, _ = cat
    r, _ = listing(srv, token, sc(filters=[[("category_id", cid(cat, "Bags"), cond)]]))
    assert_response(r, 400, {"message": MSG_CONDITION, "parameters": [cond, "category_id"]})


@pytest.mark.parametrize("cond, value, bad", [
    ("eq", "abc", "abc"), ("eq", "3,4", "3,4"), ("in", "3,,4", ""), ("in", "3,x", "x"),
    ("nin", "1 OR 1=1", "1 OR 1=1"), ("eq", "", ""),
])
def test_values_must_be_category_ids(cat, cond, value, bad):
    srv, token, _ = cat
    r, _ = listing(srv, token, sc(filters=[[("category_id", value, cond)]]))
    assert_response(r, 400, {"message": MSG_TYPE, "parameters": {"value": bad, "type": "int"}})


def test_category_id_is_not_a_sort_field(cat):
    srv, token, _ = cat
    r, _ = listing(srv, token, sc(sorts=[("category_id", "ASC")]))
    assert_response(r, 400, {"message": MSG_INVALID_FIELD, "parameters": ["category_id"]})


def test_store_view_scope_filters_the_same(cat):
    srv, token, _ = cat
    r, body = listing(srv, token, sc(filters=[[("category_id", cid(cat, "Apparel"), "eq")]]),
                      path="/rest/default/V1/products")
    assert r.status_code == 200, r.text
    assert skus(body) == LINKS["Apparel"]


def test_deleting_a_link_or_category_updates_the_answer(cat):
    srv, token, ids = cat
    # a throwaway category with one product, then the category deleted
    r = srv.request("POST", "/rest/V1/categories", token=token,
                    json={"category": {"name": "Temp", "parent_id": 2}})
    temp = r.json()["id"]
    r = srv.request("PUT", "/rest/V1/products/CT-12", token=token, json={"product": {
        "extension_attributes": {"category_links": [{"position": 0, "category_id": str(temp)}]}}})
    assert r.status_code == 200, r.text
    assert skus(run(cat, filters=[[("category_id", str(temp), "eq")]])) == ["CT-12"]
    assert srv.request("DELETE", f"/rest/V1/categories/{temp}", token=token).status_code == 200
    body = run(cat, filters=[[("category_id", str(temp), "eq")]])
    assert body["items"] == [] and body["total_count"] == 0
    r = srv.request("PUT", "/rest/V1/products/CT-12", token=token, json={"product": {
        "extension_attributes": {"category_links": []}}})
    assert r.status_code == 200, r.text
    assert "CT-12" in skus(run(cat, filters=[[("category_id", cid(cat, "Bags"), "nin")]]))


def test_count_follows_product_deletes(cat):
    srv, token, ids = cat
    body = {"product": {"sku": "CT-TMP", "name": "Temporary Bag", "price": 1, "attribute_set_id": 4,
                        "type_id": "simple", "extension_attributes": {
                            "category_links": [{"position": 0, "category_id": str(ids["Bags"])}]}}}
    r = srv.request("POST", "/rest/V1/products", token=token, json=body)
    assert r.status_code == 200, r.text
    got = run(cat, filters=[[("category_id", cid(cat, "Bags"), "eq")]], page_size=1)
    assert got["total_count"] == len(LINKS["Bags"]) + 1
    assert srv.request("DELETE", "/rest/V1/products/CT-TMP", token=token).status_code == 200
    got = run(cat, filters=[[("category_id", cid(cat, "Bags"), "eq")]], page_size=1)
    assert got["total_count"] == len(LINKS["Bags"])
    assert skus(got) == LINKS["Bags"][:1]
