"""Products and inventory (reference §5.2, §5.6, §6, §8.1, observed table; issue 6 items 1, 2, 8,
9, 10): Magento's product JSON, create/update/delete with Magento's input rules, store-view
scoped values, stock_item behind its ACL resource, the guest switch, `fields`, and the inventory
routes. ACL refusals use integrations with Custom resources signed by requests-oauthlib."""

import pytest

from catalogtest import product_body, seed
from oauthtest import manual_integration, send
from sgtest import (
    MSG_REQUIRED,
    assert_response,
    body_json,
    not_authorized,
    wait_until,
)

MSG_NO_PRODUCT = "The product that was requested doesn't exist. Verify the product and try again."
MSG_NOT_SUPPORTED = '"%fieldName" is not supported. Correct the field name and try again.'
PRODUCT_KEYS = ["id", "sku", "name", "attribute_set_id", "price", "status", "visibility",
                "type_id", "created_at", "updated_at", "weight", "extension_attributes",
                "product_links", "options", "media_gallery_entries", "tier_prices",
                "custom_attributes"]
STOCK_KEYS = ["item_id", "product_id", "stock_id", "qty", "is_in_stock", "is_qty_decimal",
              "show_default_notification_message", "use_config_min_qty", "min_qty",
              "use_config_min_sale_qty", "min_sale_qty", "use_config_max_sale_qty",
              "max_sale_qty", "use_config_backorders", "backorders",
              "use_config_notify_stock_qty", "notify_stock_qty", "use_config_qty_increments",
              "qty_increments", "use_config_enable_qty_inc", "enable_qty_increments",
              "use_config_manage_stock", "manage_stock", "is_decimal_divided",
              "stock_status_changed_auto"]
SHA256 = "HMAC-SHA256"


@pytest.fixture(scope="module")
def cat(module_server_factory):
    srv = module_server_factory.create()
    token = srv.token()
    seed(srv, token)
    return srv, token


def req(cat, method, path, **kw):
    srv, token = cat
    return srv.request(method, path, token=token, **kw)


def test_get_product_shape(cat):
    r = req(cat, "GET", "/rest/V1/products/CT-01")
    assert r.status_code == 200
    p = body_json(r)
    assert list(p) == PRODUCT_KEYS
    assert p["sku"] == "CT-01" and p["name"] == "Blue Duffle Bag"
    assert isinstance(p["id"], int) and p["attribute_set_id"] == 4
    assert p["price"] == 45 and p["weight"] == 2.5 and p["status"] == 1
    assert p["visibility"] == 4 and p["type_id"] == "simple"
    assert len(p["created_at"]) == 19 and p["created_at"][10] == " "
    ext = p["extension_attributes"]
    assert ext["website_ids"] == [1]
    # qty 0 is below notify_stock_qty 1: Magento records when the item ran low
    assert list(ext["stock_item"]) == STOCK_KEYS[:23] + ["low_stock_date"] + STOCK_KEYS[23:]
    assert ext["stock_item"]["qty"] == 0 and ext["stock_item"]["is_in_stock"] is False
    assert p["custom_attributes"] == [
        {"attribute_code": "description", "value": "A roomy blue bag"},
        {"attribute_code": "color", "value": "49"},
        {"attribute_code": "url_key", "value": "ct-01"}]
    assert p["product_links"] == [] and p["options"] == [] and p["tier_prices"] == []


def test_missing_product(cat):
    for method in ("GET", "DELETE"):
        assert_response(req(cat, method, "/rest/V1/products/NOPE"), 404,
                        {"message": MSG_NO_PRODUCT})
    assert_response(req(cat, "GET", "/rest/V1/stockItems/NOPE"), 404, {"message": MSG_NO_PRODUCT})


def test_weight_omitted_when_null(cat):
    p = body_json(req(cat, "GET", "/rest/V1/products/CT-03"))
    assert "weight" not in p


def test_create_update_delete(cat):
    body = product_body("NEW-1", "New Thing", 9.5, 1, None, "desc", None, qty=4)
    body["product"]["extension_attributes"]["category_links"] = [
        {"position": 2, "category_id": "2"}]
    body["product"]["tier_prices"] = [{"customer_group_id": 1, "qty": 5, "value": 8.5}]
    body["product"]["media_gallery_entries"] = [
        {"media_type": "image", "label": "Front", "position": 1, "disabled": False,
         "types": ["image", "thumbnail"], "file": "/n/e/new-1.jpg"}]
    r = req(cat, "POST", "/rest/V1/products", json=body)
    assert r.status_code == 200, r.text
    p = body_json(r)
    assert p["sku"] == "NEW-1" and p["price"] == 9.5
    assert p["extension_attributes"]["category_links"] == [{"position": 2, "category_id": "2"}]
    assert p["extension_attributes"]["stock_item"]["qty"] == 4
    assert p["tier_prices"] == [{"customer_group_id": 1, "qty": 5, "value": 8.5,
                                 "extension_attributes": {"website_id": 0}}]
    m = p["media_gallery_entries"]
    assert len(m) == 1 and isinstance(m[0]["id"], int)
    assert {k: v for k, v in m[0].items() if k != "id"} == {
        "media_type": "image", "label": "Front", "position": 1, "disabled": False,
        "types": ["image", "thumbnail"], "file": "/n/e/new-1.jpg"}
    assert {"attribute_code": "category_ids", "value": ["2"]} in p["custom_attributes"]
    # PUT: partial update; the path SKU wins over the body's
    r = req(cat, "PUT", "/rest/V1/products/NEW-1",
            json={"product": {"sku": "OTHER", "price": "12.25", "status": 2}})
    assert r.status_code == 200, r.text
    q = body_json(r)
    assert q["sku"] == "NEW-1" and q["price"] == 12.25 and q["status"] == 2
    assert q["name"] == "New Thing" and q["id"] == p["id"]
    assert_response(req(cat, "GET", "/rest/V1/products/OTHER"), 404, {"message": MSG_NO_PRODUCT})
    # camelCase keys
    r = req(cat, "PUT", "/rest/V1/products/NEW-1",
            json={"product": {"typeId": "virtual", "attributeSetId": 4,
                              "customAttributes": [{"attributeCode": "meta_title",
                                                    "value": "MT"}]}})
    assert r.status_code == 200, r.text
    q = body_json(r)
    assert q["type_id"] == "virtual"
    assert {"attribute_code": "meta_title", "value": "MT"} in q["custom_attributes"]
    # DELETE answers true, then 404
    r = req(cat, "DELETE", "/rest/V1/products/NEW-1")
    assert r.status_code == 200 and body_json(r) is True
    assert_response(req(cat, "DELETE", "/rest/V1/products/NEW-1"), 404,
                    {"message": MSG_NO_PRODUCT})


def test_put_creates_a_missing_product(cat):
    r = req(cat, "PUT", "/rest/V1/products/PUT-NEW",
            json={"product": {"name": "Made by PUT", "price": 3}})
    assert r.status_code == 200, r.text
    assert body_json(r)["sku"] == "PUT-NEW"
    assert body_json(req(cat, "GET", "/rest/V1/products/PUT-NEW"))["name"] == "Made by PUT"


@pytest.mark.parametrize("body,status,expected", [
    ({"sku": "X"}, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "product"}}),
    ({"product": {"name": "n", "price": 1}}, 400,
     {"message": MSG_REQUIRED, "parameters": {"fieldName": "sku"}}),
    ({"product": {"sku": "BAD-1", "price": 1}}, 400,
     {"message": 'The "%1" attribute value is empty. Set the attribute and try again.',
      "parameters": ["name"]}),
    ({"product": {"sku": "BAD-1", "name": "n", "price": 1, "is_active": 1}}, 400,
     {"message": MSG_NOT_SUPPORTED, "parameters": {"fieldName": "IsActive"}}),
    ({"product": {"sku": "BAD-1", "name": "n", "price": 1,
                  "extension_attributes": {"foo_bar": 1}}}, 400,
     {"message": MSG_NOT_SUPPORTED, "parameters": {"fieldName": "FooBar"}}),
    ({"product": {"sku": "BAD-1", "name": "n", "price": "abc"}}, 400,
     {"message": 'Error occurred during "price" processing. The "abc" value\'s type is invalid.'
                 ' The "float" type was expected. Verify and try again.'}),
    ({"product": {"sku": "BAD-1", "name": "n", "price": 1, "status": [1]}}, 400,
     {"message": 'Error occurred during "status" processing. The "Array" value\'s type is'
                 ' invalid. The "int" type was expected. Verify and try again.'}),
    ({"product": {"sku": "S" * 65, "name": "n", "price": 1}}, 400,
     {"message": "SKU length should be 64 characters maximum."}),
    ({"product": {"sku": "BAD-1", "name": "n", "price": 1,
                  "custom_attributes": [{"value": "x"}]}}, 400,
     {"message": "A custom attribute is specified without an attribute code."}),
    ({"product": {"sku": "BAD-1", "name": "n", "price": 1, "attribute_set_id": 99}}, 404,
     {"message": "No such entity with %fieldName = %fieldValue",
      "parameters": {"fieldName": "attributeSetId", "fieldValue": 99}}),
    ({"product": {"sku": "BAD-1", "name": "n", "price": 1, "media_gallery_entries": [
        {"file": "/b/a/bad.png", "content": {"base64_encoded_data": "iVBORw0KGgo=",
                                             "type": "image/png", "name": "bad.png"}}]}}, 400,
     {"message": "The image content must be valid base64 encoded data."}),
    ({"product": {"sku": "BAD-1", "name": "n", "price": 1, "status": 7}}, 400,
     {"message": 'Invalid attribute value for "%1": %2', "parameters": ["status", 7]}),
])
def test_save_errors(cat, body, status, expected):
    assert_response(req(cat, "POST", "/rest/V1/products", json=body), status, expected)
    # nothing half-saved
    assert req(cat, "GET", "/rest/V1/products/BAD-1").status_code == 404


def test_body_decoding_errors(cat):
    srv, token = cat
    r = srv.request("POST", "/rest/V1/products", token=token, data=b'{"product": ',
                    headers={"Content-Type": "application/json"})
    assert_response(r, 400, {"message": "Decoding error."})
    r = srv.request("POST", "/rest/V1/products", token=token, data=b'"\xff"',
                    headers={"Content-Type": "application/json"})
    assert_response(r, 400, {"message": "Decoding error."})


def test_store_view_scope(cat):
    srv, token = cat
    srv.cli_ok("store:view:create", "--code", "fr", "--name", "French")
    wait_until(lambda: srv.get("/rest/fr/V1/products/CT-02", token=token).status_code == 200,
               5.0, what="store view fr")
    r = srv.request("PUT", "/rest/fr/V1/products/CT-02", token=token, json={"product": {
        "name": "Sac rouge", "custom_attributes": [{"attribute_code": "description",
                                                    "value": "Un sac"}]}})
    assert r.status_code == 200, r.text
    assert body_json(r)["name"] == "Sac rouge"
    fr = body_json(srv.get("/rest/fr/V1/products/CT-02", token=token))
    assert fr["name"] == "Sac rouge"
    assert {"attribute_code": "description", "value": "Un sac"} in fr["custom_attributes"]
    for prefix in ("/rest/all", "/rest/default", "/rest"):
        p = body_json(srv.get(f"{prefix}/V1/products/CT-02", token=token))
        assert p["name"] == "Red Duffle Bag", prefix
        assert all(a["attribute_code"] != "description" for a in p["custom_attributes"])
    # lists and filters see the store's value
    q = ("searchCriteria[filterGroups][0][filters][0][field]=name&searchCriteria[filterGroups][0]"
         "[filters][0][value]=sac%25&searchCriteria[filterGroups][0][filters][0][conditionType]=like")
    assert body_json(srv.get(f"/rest/fr/V1/products?{q}", token=token))["total_count"] == 1
    assert body_json(srv.get(f"/rest/V1/products?{q}", token=token))["total_count"] == 0


def test_store_view_number_filters(cat):
    """status and visibility set for a store view filter and sort as numbers there (the values
    are stored as text; a bare comparison with the bound text would never match on SQLite)."""
    srv, token = cat
    r = srv.request("POST", "/rest/V1/products", token=token, json=product_body(
        "SVF-1", "Store view flags", 7, 1, None, None, None))
    assert r.status_code == 200, r.text
    r = srv.request("PUT", "/rest/default/V1/products/SVF-1", token=token,
                    json={"product": {"status": 2, "visibility": 1}})
    assert r.status_code == 200, r.text

    def found(prefix, field, value, cond="eq"):
        q = (f"searchCriteria[filterGroups][0][filters][0][field]={field}"
             f"&searchCriteria[filterGroups][0][filters][0][value]={value}"
             f"&searchCriteria[filterGroups][0][filters][0][conditionType]={cond}"
             "&searchCriteria[filterGroups][1][filters][0][field]=sku"
             "&searchCriteria[filterGroups][1][filters][0][value]=SVF-1")
        d = body_json(srv.get(f"{prefix}/V1/products?{q}", token=token))
        assert d["total_count"] == len(d["items"])
        return [(i["status"], i["visibility"]) for i in d["items"]]

    # the store view's values
    assert found("/rest/default", "status", "2") == [(2, 1)]
    assert found("/rest/default", "status", "1") == []
    assert found("/rest/default", "visibility", "1") == [(2, 1)]
    assert found("/rest/default", "visibility", "1,4", "in") == [(2, 1)]
    assert found("/rest/default", "visibility", "2", "gt") == []
    assert found("/rest/default", "status", "1", "neq") == [(2, 1)]
    # the defaults elsewhere
    assert found("/rest/all", "status", "1") == [(1, 4)]
    assert found("/rest/all", "status", "2") == []
    assert found("/rest/all", "visibility", "2", "gt") == [(1, 4)]
    # a product without store-view values filters by its defaults in the store view
    assert body_json(srv.get(
        "/rest/default/V1/products?searchCriteria[filterGroups][0][filters][0][field]=sku"
        "&searchCriteria[filterGroups][0][filters][0][value]=CT-01"
        "&searchCriteria[filterGroups][1][filters][0][field]=status"
        "&searchCriteria[filterGroups][1][filters][0][value]=1", token=token))["total_count"] == 1


def test_fields_on_single_answers(cat):
    r = req(cat, "GET", "/rest/V1/products/CT-01?fields=sku,price,extension_attributes[stock_item"
                        "[qty,is_in_stock]],custom_attributes[url_key,color]")
    assert body_json(r) == {"sku": "CT-01", "price": 45, "extension_attributes": {
        "stock_item": {"qty": 0, "is_in_stock": False}}, "custom_attributes": [
        {"attribute_code": "color", "value": "49"},
        {"attribute_code": "url_key", "value": "ct-01"}]}
    for bad in ("sku,", "sku name", "sku[", "sku]", "", "sku;id", "a[b[c]"):
        r = req(cat, "GET", "/rest/V1/products/CT-01", params={"fields": bad})
        assert r.status_code == 200 and body_json(r) == [], bad
    r = req(cat, "GET", "/rest/V1/products/CT-01?fields=nothing_here")
    assert body_json(r) == {}
    r = req(cat, "GET", "/rest/V1/store/storeViews?fields=code")
    assert body_json(r) == [{"code": "admin"}, {"code": "default"}] or all(
        list(v) == ["code"] for v in body_json(r))
    # fields on a POST answer; never on errors
    r = req(cat, "PUT", "/rest/V1/products/CT-12?fields=sku,status",
            json={"product": {"status": 1}})
    assert body_json(r) == {"sku": "CT-12", "status": 1}
    r = req(cat, "GET", "/rest/V1/products/NOPE?fields=sku")
    assert_response(r, 404, {"message": MSG_NO_PRODUCT})
    r = req(cat, "DELETE", "/rest/V1/products/PUT-NEW?fields=sku")
    assert r.status_code in (200, 404) and r.text in ("true", '{"message":"' + MSG_NO_PRODUCT + '"}')
    deep = "a[" * 40 + "b" + "]" * 40
    assert body_json(req(cat, "GET", f"/rest/V1/products/CT-01?fields={deep}")) == []


def test_types_attribute_sets_and_attributes(cat):
    r = req(cat, "GET", "/rest/V1/products/types")
    assert {"name": "simple", "label": "Simple Product"} in body_json(r)
    r = req(cat, "GET", "/rest/V1/products/attributes/name")
    a = body_json(r)
    assert a["attribute_code"] == "name" and a["attribute_id"] == 73
    assert a["default_frontend_label"] == "Product Name" and a["is_required"] is True
    assert a["frontend_input"] == "text" and a["scope"] == "store"
    r = req(cat, "GET", "/rest/V1/products/attributes/nope")
    assert_response(r, 404, {
        "message": "The attribute with a \"%fieldName\" attributeCode doesn't exist. Verify the "
                   "attribute and try again.",
        "parameters": {"fieldName": "attribute_code", "fieldValue": "nope"}})


def test_inventory_routes(cat):
    r = req(cat, "GET", "/rest/V1/stockItems/CT-05")
    item = body_json(r)
    assert list(item) == STOCK_KEYS and item["qty"] == 12
    r = req(cat, "PUT", f"/rest/V1/products/CT-05/stockItems/{item['item_id']}",
            json={"stockItem": {"qty": 0.5, "is_in_stock": False, "notify_stock_qty": 1}})
    assert r.status_code == 200, r.text
    assert body_json(r) == item["item_id"]
    after = body_json(req(cat, "GET", "/rest/V1/stockItems/CT-05"))
    assert after["qty"] == 0.5 and after["is_in_stock"] is False
    assert "low_stock_date" in after
    st = body_json(req(cat, "GET", "/rest/V1/stockStatuses/CT-05"))
    assert st["product_id"] == item["product_id"] and st["qty"] == 0.5
    assert st["stock_status"] == 0 and st["stock_item"]["qty"] == 0.5
    r = req(cat, "PUT", "/rest/V1/products/CT-05/stockItems/1", json={"stockItem": {"foo": 1}})
    assert_response(r, 400, {"message": MSG_NOT_SUPPORTED, "parameters": {"fieldName": "Foo"}})
    r = req(cat, "PUT", "/rest/V1/products/CT-05/stockItems/1", json={"stockItem": {"qty": "x"}})
    assert r.status_code == 400
    r = req(cat, "PUT", "/rest/V1/products/NOPE/stockItems/1", json={"stockItem": {"qty": 1}})
    assert_response(r, 404, {"message": MSG_NO_PRODUCT})
    r = req(cat, "PUT", "/rest/V1/products/CT-05/stockItems/1", json={"qty": 1})
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "stockItem"}})
    low = body_json(req(cat, "GET", "/rest/V1/stockItems/lowStock?scopeId=0&qty=4&pageSize=10"))
    assert low["total_count"] == len(low["items"]) and low["total_count"] >= 2
    assert all(i["qty"] < 4 for i in low["items"])
    r = req(cat, "GET", "/rest/V1/stockItems/lowStock")
    assert_response(r, 400, {"message": "One or more input exceptions have occurred.", "errors": [
        {"message": MSG_REQUIRED, "parameters": {"fieldName": "scopeId"}},
        {"message": MSG_REQUIRED, "parameters": {"fieldName": "qty"}}]})


ROUTES = [
    ("GET", "/rest/V1/products/CT-01", None, "Magento_Catalog::products"),
    ("GET", "/rest/V1/products?searchCriteria=", None, "Magento_Catalog::products"),
    ("GET", "/rest/V1/products/types", None, "Magento_Catalog::products"),
    ("PUT", "/rest/V1/products/CT-01", {"product": {"price": 45}}, "Magento_Catalog::products"),
    ("POST", "/rest/V1/products", {"product": {"sku": "Z", "name": "Z", "price": 1}},
     "Magento_Catalog::products"),
    ("DELETE", "/rest/V1/products/ZZZ", None, "Magento_Catalog::products"),
    ("GET", "/rest/V1/products/attributes/name", None, "Magento_Catalog::attributes_attributes"),
    ("GET", "/rest/V1/products/attribute-sets/sets/list?searchCriteria=", None,
     "Magento_Catalog::sets"),
    ("GET", "/rest/V1/stockItems/CT-01", None, "Magento_CatalogInventory::cataloginventory"),
    ("PUT", "/rest/V1/products/CT-01/stockItems/1", {"stockItem": {"qty": 1}},
     "Magento_CatalogInventory::cataloginventory"),
    ("GET", "/rest/V1/stockStatuses/CT-01", None, "Magento_Catalog::catalog_inventory"),
    ("GET", "/rest/V1/stockItems/lowStock?scopeId=0&qty=1", None,
     "Magento_CatalogInventory::cataloginventory"),
]


@pytest.mark.parametrize("method,path,body,resource", ROUTES)
def test_acl_each_route(cat, method, path, body, resource):
    srv, _ = cat
    # an integration without the resource: 401 naming it; a guest too
    creds = manual_integration(srv, resources=["Magento_Backend::store"])
    r = send(method, srv.url(path), auth=creds.auth(SHA256), json=body)
    assert_response(r, 401, not_authorized(resource))
    r = srv.request(method, path, json=body)
    assert_response(r, 401, not_authorized(resource))
    granted = manual_integration(srv, resources=[resource])
    r = send(method, srv.url(path), auth=granted.auth(SHA256), json=body)
    assert r.status_code in (200, 404), (r.status_code, r.text[:300])


def test_stock_item_needs_its_resource(cat):
    srv, _ = cat
    products_only = manual_integration(srv, resources=["Magento_Catalog::products"])
    r = send("GET", srv.url("/rest/V1/products/CT-01"), auth=products_only.auth(SHA256))
    assert r.status_code == 200
    assert "stock_item" not in body_json(r)["extension_attributes"]
    both = manual_integration(srv, resources=["Magento_Catalog::products",
                                              "Magento_CatalogInventory::cataloginventory"])
    r = send("GET", srv.url("/rest/V1/products/CT-01"), auth=both.auth(SHA256))
    assert "stock_item" in body_json(r)["extension_attributes"]


def test_guest_access_switch(server_factory):
    srv = server_factory.create()
    token = srv.token()
    seed(srv, token)
    guest_routes = ["/rest/V1/products/CT-01", "/rest/V1/products?searchCriteria[pageSize]=1",
                    "/rest/V1/products/types", "/rest/V1/products/attributes/name",
                    "/rest/V1/products/attribute-sets/sets/list?searchCriteria=",
                    "/rest/V1/stockStatuses/CT-01"]
    for path in guest_routes:
        assert srv.get(path).status_code == 401, path
    srv.cli_ok("config:set", "webapi/webapisecurity/allow_insecure", "1")
    wait_until(lambda: srv.get(guest_routes[0]).status_code == 200, 5.0, what="guest access")
    for path in guest_routes:
        assert srv.get(path).status_code == 200, path
    p = body_json(srv.get("/rest/V1/products/CT-01"))
    assert "stock_item" not in p["extension_attributes"]
    # an admin's Bearer token still counts: the guarded extension attribute follows the caller
    p = body_json(srv.get("/rest/V1/products/CT-01", token=token))
    assert "stock_item" in p["extension_attributes"]
    p = body_json(srv.get("/rest/V1/products/CT-01", token="0" * 32))
    assert "stock_item" not in p["extension_attributes"]
    # writes and the stock items stay protected
    r = srv.request("PUT", "/rest/V1/products/CT-01", json={"product": {"price": 1}})
    assert_response(r, 401, not_authorized("Magento_Catalog::products"))
    assert_response(srv.get("/rest/V1/stockItems/CT-01"), 401,
                    not_authorized("Magento_CatalogInventory::cataloginventory"))


def test_refused_save_among_concurrent_saves(cat):
    """The catalog writer commits concurrent saves together: one refused by the database (a link
    to a category that does not exist) is answered alone, every other save of its batch lands."""
    from concurrent.futures import ThreadPoolExecutor

    def put(i):
        links = [{"position": 0, "category_id": "999999" if i % 4 == 0 else "2"}]
        body = {"product": {"name": f"Batch {i}",
                            "extension_attributes": {"category_links": links}}}
        return i, req(cat, "PUT", f"/rest/V1/products/CT-{i % 12 + 1:02d}", json=body)

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(put, range(12)))
        for i, r in results:
            if i % 4 == 0:
                assert r.status_code == 400, (i, r.status_code, r.text)
                assert body_json(r)["message"].startswith("Could not save product"), r.text
            else:
                assert r.status_code == 200, (i, r.status_code, r.text)
                assert body_json(r)["name"] == f"Batch {i}"
        for i, _ in results:
            if i % 4:
                p = body_json(req(cat, "GET", f"/rest/V1/products/CT-{i % 12 + 1:02d}"))
                assert p["name"] == f"Batch {i}"
                assert p["extension_attributes"]["category_links"] == [
                    {"position": 0, "category_id": "2"}]


def test_name_search_follows_renames_only(cat):
    """The trigram index of names (%text% searches) follows a rename, and a save that keeps the
    name (a price change) leaves the product findable by it."""
    from catalogtest import listing, sc

    def found(word):
        q = sc([[("name", f"%{word}%", "like")]], page_size=50)
        r, body = listing(cat[0], cat[1], q)
        assert r.status_code == 200, r.text
        return [p["sku"] for p in body["items"]]

    r = req(cat, "PUT", "/rest/V1/products/CT-10", json={"product": {"name": "Zanzibar Watch"}})
    assert r.status_code == 200, r.text
    assert found("zanzibar") == ["CT-10"] and "CT-10" not in found("Classic")
    r = req(cat, "PUT", "/rest/V1/products/CT-10", json={"product": {"price": 151}})
    assert r.status_code == 200, r.text
    assert found("Zanzibar") == ["CT-10"]
    r = req(cat, "PUT", "/rest/V1/products/CT-10",
            json={"product": {"name": "Zanzibar Watch", "price": 152}})
    assert r.status_code == 200, r.text
    assert found("zanzibar wat") == ["CT-10"]
    r = req(cat, "PUT", "/rest/V1/products/CT-10", json={"product": {"name": "Classic Watch"}})
    assert r.status_code == 200, r.text
    assert found("zanzibar") == [] and "CT-10" in found("classic")
