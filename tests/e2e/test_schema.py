"""GET /rest[/<store>]/schema (issue 6 item 11; reference section 11): the Web API described as
Swagger 2.0, generated as Magento's generator does (tags per service, operationIds, path, query,
flattened and body parameters, documented responses, lower-case dash-separated definitions plus
Magento's error-response family), filtered to what the caller may use; ?services= selects
services; ?format=openapi3 gives the same as OpenAPI 3."""

import json
import re

import pytest

from oauthtest import STORE_VIEWS, manual_integration, send
from sgtest import create_customer, customer_token

INCORRECT = "Incorrect format of request URI or Requested services are missing."
TOKEN_PATHS = {"/V1/integration/admin/token", "/V1/integration/customer/token"}
# the other anonymous routes: creating a customer account and asking whether an email is taken
ACCOUNT_PATHS = {"/V1/customers", "/V1/customers/isEmailAvailable"}


def schema(server, path="/rest/default/schema?services=all", token=None, **kw):
    r = server.get(path, token=token, **kw)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def assert_refs_resolve(doc, prefix, defs):
    for ref in refs(doc):
        assert ref.startswith(prefix), ref
        assert ref[len(prefix):] in defs, f"{ref} has no definition"


def operation_ids(doc):
    return [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory.create()


def test_anonymous_caller_sees_only_anonymous_routes(srv):
    doc = schema(srv)
    assert doc["swagger"] == "2.0"
    assert doc["host"] == f"127.0.0.1:{srv.port}"
    assert doc["basePath"] == "/rest/default"
    assert doc["schemes"] == ["http"]
    assert set(doc["paths"]) == TOKEN_PATHS | ACCOUNT_PATHS
    assert set(doc["paths"]["/V1/customers"]) == {"post"}
    assert [t["name"] for t in doc["tags"]] == ["integrationAdminTokenServiceV1",
                                                "integrationCustomerTokenServiceV1",
                                                "customerAccountManagementV1"]
    # anonymous operations document no 401
    post = doc["paths"]["/V1/integration/admin/token"]["post"]
    assert "401" not in post["responses"] or post["responses"]["401"]["description"] == "401 Unauthorized"
    for name in ("error-response", "error-errors", "error-errors-item", "error-parameters",
                 "error-parameters-item"):
        assert name in doc["definitions"]
    assert doc["definitions"]["error-response"]["required"] == ["message"]
    assert "store-data-store-interface" not in doc["definitions"]


def test_token_service_is_described_as_magento_does(srv):
    post = schema(srv)["paths"]["/V1/integration/admin/token"]["post"]
    assert post["tags"] == ["integrationAdminTokenServiceV1"]
    assert post["operationId"] == "integrationAdminTokenServiceV1CreateAdminAccessTokenPost"
    assert post["parameters"] == [{
        "name": "integrationAdminTokenServiceV1CreateAdminAccessTokenPostBody",
        "in": "body",
        "schema": {"type": "object", "required": ["username", "password"],
                   "properties": {"username": {"type": "string"},
                                  "password": {"type": "string"}}},
    }]
    assert post["responses"]["200"] == {"description": "200 Success.",
                                        "schema": {"type": "string",
                                                   "description": "Token created"}}
    assert post["responses"]["400"]["description"] == "400 Bad Request"
    assert post["responses"]["default"] == {"description": "Unexpected error",
                                            "schema": {"$ref": "#/definitions/error-response"}}


def test_admin_sees_every_web_api_route_but_not_the_admin_json_api(srv):
    doc = schema(srv, token=srv.token())
    assert STORE_VIEWS.replace("/rest", "") in doc["paths"]
    assert {"/V1/store/storeGroups", "/V1/store/websites", "/V1/store/storeConfigs",
            "/V1/customers/me"} <= set(doc["paths"])
    assert not [p for p in doc["paths"] if p.startswith("/admin")]
    # operationIds are unique except where Magento's generator (service + method + verb) itself
    # repeats one: a /me route and the route of the same method taking the customer's id
    # (magento/magento2#8533)
    by_id = {}
    for path, ops in doc["paths"].items():
        for verb, op in ops.items():
            by_id.setdefault(op["operationId"], []).append(path)
    twins = {i: sorted(p) for i, p in by_id.items() if len(p) > 1}
    assert twins == {
        "customerCustomerRepositoryV1GetByIdGet": ["/V1/customers/me", "/V1/customers/{customerId}"],
        "customerCustomerRepositoryV1SavePut": ["/V1/customers/me", "/V1/customers/{customerId}"],
        "customerAccountManagementV1GetDefaultBillingAddressGet": [
            "/V1/customers/me/billingAddress", "/V1/customers/{customerId}/billingAddress"],
        "customerAccountManagementV1GetDefaultShippingAddressGet": [
            "/V1/customers/me/shippingAddress", "/V1/customers/{customerId}/shippingAddress"],
    }
    ids = operation_ids(doc)
    assert "storeStoreRepositoryV1GetListGet" in ids
    views = doc["paths"]["/V1/store/storeViews"]["get"]
    assert views["responses"]["200"]["schema"] == {
        "type": "array", "items": {"$ref": "#/definitions/store-data-store-interface"}}
    assert views["responses"]["401"] == {"description": "401 Unauthorized",
                                         "schema": {"$ref": "#/definitions/error-response"}}
    store = doc["definitions"]["store-data-store-interface"]
    assert store["type"] == "object"
    assert list(store["properties"]) == ["id", "code", "name", "website_id", "store_group_id",
                                         "is_active", "extension_attributes"]
    assert "extension_attributes" not in store["required"]
    assert_refs_resolve(doc, "#/definitions/", doc["definitions"])


def test_a_get_parameter_of_a_simple_array_type_is_one_query_parameter(srv):
    doc = schema(srv, token=srv.token())
    get = doc["paths"]["/V1/store/storeConfigs"]["get"]
    assert get["parameters"] == [{"name": "storeCodes", "in": "query", "type": "array",
                                  "items": {"type": "string"}, "required": False}]


def test_nested_types_pull_in_their_definitions(srv):
    doc = schema(srv, token=srv.token())
    me = doc["paths"]["/V1/customers/me"]
    assert me["put"]["parameters"][0]["schema"]["properties"]["customer"] == {
        "$ref": "#/definitions/customer-data-customer-interface"}
    cust = doc["definitions"]["customer-data-customer-interface"]
    assert cust["required"] == ["email", "firstname", "lastname"]
    assert cust["properties"]["addresses"] == {
        "type": "array", "description": "Customer addresses.",
        "items": {"$ref": "#/definitions/customer-data-address-interface"}}
    assert "customer-data-region-interface" in doc["definitions"]
    assert "framework-attribute-interface" in doc["definitions"]


def test_slashes_are_escaped_as_php_json_encode_does(srv):
    r = srv.get("/rest/default/schema?services=all")
    assert r.status_code == 200
    assert '"basePath":"\\/rest\\/default"' in r.text


def test_customer_sees_its_own_routes(srv):
    email = f"schema-{srv.port}@example.com"
    create_customer(srv, email, "Secret-pass-123")
    doc = schema(srv, token=customer_token(srv, email, "Secret-pass-123"))
    assert set(doc["paths"]) == TOKEN_PATHS | ACCOUNT_PATHS | {
        "/V1/customers/me", "/V1/integration/customer/revoke-customer-token",
        "/V1/customers/me/billingAddress", "/V1/customers/me/shippingAddress",
        "/V1/customers/me/password"}
    # the customer's id is forced from the token: no parameter for it
    assert "parameters" not in doc["paths"]["/V1/customers/me/billingAddress"]["get"]
    put = doc["paths"]["/V1/customers/me/password"]["put"]
    assert put["operationId"] == "customerAccountManagementV1ChangePasswordByIdPut"
    assert put["parameters"] == [{
        "name": "customerAccountManagementV1ChangePasswordByIdPutBody", "in": "body",
        "schema": {"type": "object", "required": ["currentPassword", "newPassword"],
                   "properties": {"currentPassword": {"type": "string"},
                                  "newPassword": {"type": "string"}}}}]


def test_integration_sees_the_routes_its_resources_allow(srv):
    creds = manual_integration(srv, resources=["Magento_Backend::store"])
    r = send("GET", srv.url("/rest/default/schema?services=all"), auth=creds.auth("HMAC-SHA256"))
    assert r.status_code == 200, r.text
    paths = set(r.json()["paths"])
    assert "/V1/store/storeViews" in paths
    assert "/V1/customers/me" not in paths
    # the same integration with Resource Access = All sees the customer routes too (self)
    creds_all = manual_integration(srv)
    r = send("GET", srv.url("/rest/default/schema"), auth=creds_all.auth("HMAC-SHA1"))
    assert "/V1/customers/me" in r.json()["paths"]


def test_services_selects_services(srv):
    doc = schema(srv, "/rest/default/schema?services=storeStoreRepositoryV1,storeGroupRepositoryV1",
                 token=srv.token())
    assert [t["name"] for t in doc["tags"]] == ["storeStoreRepositoryV1", "storeGroupRepositoryV1"]
    assert set(doc["paths"]) == {"/V1/store/storeViews", "/V1/store/storeGroups"}
    # an unknown (well-formed) service contributes nothing
    doc = schema(srv, "/rest/default/schema?services=noSuchServiceV1", token=srv.token())
    assert doc["paths"] == {} and doc["tags"] == []


@pytest.mark.parametrize("services", ["", "store", "storeStoreRepository", "a,", ",aV1",
                                      "storeStoreRepositoryV1;x", "all,storeV1", "1V", "storeV1x"])
def test_a_malformed_services_list_is_a_400(srv, services):
    r = srv.get(f"/rest/default/schema?services={services}")
    assert r.status_code == 400, r.text
    assert r.json()["message"] == INCORRECT


@pytest.mark.parametrize("path,base", [("/rest/schema", "/rest"),
                                       ("/rest/all/schema", "/rest/all"),
                                       ("/rest/default/schema", "/rest/default")])
def test_base_path_follows_the_url(srv, path, base):
    assert schema(srv, path)["basePath"] == base


def test_an_unknown_store_code_is_a_400(srv):
    r = srv.get("/rest/nosuchstore/schema")
    assert r.status_code == 400
    assert r.json()["message"] == "Specified request cannot be processed."


def test_guest_access_adds_the_guest_routes(server_factory):
    s = server_factory.create(pre_serve=[("config:set", "webapi/webapisecurity/allow_insecure", "1")])
    doc = schema(s)
    assert "/V1/store/storeViews" in doc["paths"]
    assert "/V1/customers/me" not in doc["paths"]


def test_openapi3(srv):
    doc = schema(srv, "/rest/default/schema?services=all&format=openapi3", token=srv.token())
    assert doc["openapi"].startswith("3.0")
    assert doc["servers"] == [{"url": f"http://127.0.0.1:{srv.port}/rest/default"}]
    assert "definitions" not in doc and "swagger" not in doc
    schemas = doc["components"]["schemas"]
    assert "store-data-store-interface" in schemas and "error-response" in schemas
    assert "#/definitions/" not in json.dumps(doc)
    assert_refs_resolve(doc, "#/components/schemas/", schemas)
    post = doc["paths"]["/V1/integration/admin/token"]["post"]
    assert "parameters" not in post
    assert post["requestBody"]["required"] is True
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["username", "password"]
    assert post["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "string"
    cfg = doc["paths"]["/V1/store/storeConfigs"]["get"]["parameters"][0]
    assert cfg == {"name": "storeCodes", "in": "query", "required": False,
                   "schema": {"type": "array", "items": {"type": "string"}}}


def test_an_unknown_format_is_a_400(srv):
    r = srv.get("/rest/default/schema?format=yaml")
    assert r.status_code == 400
    assert "yaml" in r.json()["message"] or r.json().get("parameters") == ["yaml"]


def test_only_get(srv):
    r = srv.post("/rest/default/schema", json={})
    assert r.status_code == 404


# --- the catalog, CMS, customer and sales services -------------------------------------------------

SEARCH_CRITERIA_QUERY = [
    ("searchCriteria[filterGroups][][filters][][field]", "string", "Field"),
    ("searchCriteria[filterGroups][][filters][][value]", "string", "Value"),
    ("searchCriteria[filterGroups][][filters][][conditionType]", "string", "Condition type"),
    ("searchCriteria[sortOrders][][field]", "string", "Sorting field."),
    ("searchCriteria[sortOrders][][direction]", "string", "Sorting direction."),
    ("searchCriteria[pageSize]", "integer", "Page size."),
    ("searchCriteria[currentPage]", "integer", "Current page."),
]
SERVICES = [
    "catalogProductRepositoryV1", "catalogProductTypeListV1", "catalogAttributeSetRepositoryV1",
    "catalogProductAttributeRepositoryV1", "catalogInventoryStockRegistryV1",
    "catalogCategoryManagementV1", "catalogCategoryListV1", "catalogCategoryRepositoryV1",
    "catalogCategoryLinkManagementV1", "customerAccountManagementV1", "customerAddressRepositoryV1",
    "cmsPageRepositoryV1", "cmsBlockRepositoryV1", "salesOrderRepositoryV1",
    "salesOrderManagementV1", "salesInvoiceOrderV1", "salesShipOrderV1", "salesInvoiceRepositoryV1",
    "salesShipmentRepositoryV1"]
MAIN_TYPES = [
    "catalog-data-product-interface", "catalog-data-product-extension-interface",
    "catalog-data-product-search-results-interface", "catalog-data-product-type-interface",
    "catalog-data-product-attribute-interface", "eav-data-attribute-set-search-results-interface",
    "catalog-inventory-data-stock-item-interface", "catalog-inventory-data-stock-status-interface",
    "catalog-inventory-data-stock-item-collection-interface", "catalog-data-category-interface",
    "catalog-data-category-tree-interface", "catalog-data-category-search-results-interface",
    "catalog-data-category-product-link-interface", "cms-data-page-interface",
    "cms-data-page-search-results-interface", "cms-data-block-interface",
    "cms-data-block-search-results-interface", "customer-data-customer-search-results-interface",
    "customer-data-address-interface", "sales-data-order-interface",
    "sales-data-order-item-interface", "sales-data-order-address-interface",
    "sales-data-order-payment-interface", "sales-data-order-status-history-interface",
    "sales-data-order-search-result-interface", "sales-data-order-extension-interface",
    "sales-data-shipping-assignment-interface", "sales-data-invoice-interface",
    "sales-data-invoice-item-interface", "sales-data-invoice-search-result-interface",
    "sales-data-invoice-item-creation-interface", "sales-data-shipment-interface",
    "sales-data-shipment-item-interface", "sales-data-shipment-track-interface",
    "sales-data-shipment-track-creation-interface", "sales-data-shipment-search-result-interface"]


@pytest.fixture(scope="module")
def admin_doc(srv):
    return schema(srv, token=srv.token())


def test_every_service_has_its_tag_and_every_main_type_its_definition(admin_doc):
    tags = [t["name"] for t in admin_doc["tags"]]
    assert len(tags) == len(set(tags))
    for svc in SERVICES:
        assert svc in tags
    for name in MAIN_TYPES:
        assert admin_doc["definitions"][name]["type"] == "object", name
    assert_refs_resolve(admin_doc, "#/definitions/", admin_doc["definitions"])


def test_a_list_flattens_search_criteria_into_query_parameters(admin_doc):
    get = admin_doc["paths"]["/V1/products"]["get"]
    assert get["operationId"] == "catalogProductRepositoryV1GetListGet"
    assert get["tags"] == ["catalogProductRepositoryV1"]
    assert get["description"] == "Get product list"
    assert [(p["name"], p["in"], p["type"], p["description"]) for p in get["parameters"]] == [
        (name, "query", t, d) for name, t, d in SEARCH_CRITERIA_QUERY]
    assert get["responses"]["200"]["schema"] == {
        "$ref": "#/definitions/catalog-data-product-search-results-interface"}
    results = admin_doc["definitions"]["catalog-data-product-search-results-interface"]
    assert list(results["properties"]) == ["items", "search_criteria", "total_count"]
    assert results["required"] == ["items", "search_criteria", "total_count"]
    assert results["properties"]["items"]["items"] == {
        "$ref": "#/definitions/catalog-data-product-interface"}
    # every searchCriteria list of the new services is flattened the same way
    for path in ("/V1/categories/list", "/V1/products/attribute-sets/sets/list",
                 "/V1/customers/search", "/V1/cmsPage/search", "/V1/cmsBlock/search",
                 "/V1/orders", "/V1/invoices", "/V1/shipments"):
        names = [p["name"] for p in admin_doc["paths"][path]["get"]["parameters"]]
        assert names == [n for n, _, _ in SEARCH_CRITERIA_QUERY], path


def test_saving_a_product_takes_a_product_body(admin_doc):
    post = admin_doc["paths"]["/V1/products"]["post"]
    assert post["operationId"] == "catalogProductRepositoryV1SavePost"
    assert post["parameters"] == [{
        "name": "catalogProductRepositoryV1SavePostBody", "in": "body",
        "schema": {"type": "object", "required": ["product"],
                   "properties": {"product": {"$ref": "#/definitions/catalog-data-product-interface"},
                                  "saveOptions": {"type": "boolean"}}}}]
    assert post["responses"]["400"]["description"] == "400 Bad Request"
    put = admin_doc["paths"]["/V1/products/{sku}"]["put"]
    assert put["operationId"] == "catalogProductRepositoryV1SavePut"
    assert put["parameters"][0] == {"name": "sku", "in": "path", "type": "string", "required": True}
    assert put["parameters"][1]["name"] == "catalogProductRepositoryV1SavePutBody"
    get = admin_doc["paths"]["/V1/products/{sku}"]["get"]
    assert [p["name"] for p in get["parameters"]] == ["sku", "editMode", "storeId", "forceReload"]
    product = admin_doc["definitions"]["catalog-data-product-interface"]
    assert product["required"] == ["sku"]
    assert product["properties"]["extension_attributes"] == {
        "$ref": "#/definitions/catalog-data-product-extension-interface"}
    ext = admin_doc["definitions"]["catalog-data-product-extension-interface"]
    assert list(ext["properties"]) == ["website_ids", "category_links", "stock_item"]
    assert "storegate" in ext["description"]


def test_bodies_and_path_parameters_of_the_content_services(admin_doc):
    paths = admin_doc["paths"]
    page = paths["/V1/cmsPage"]["post"]["parameters"][0]["schema"]
    assert page["properties"] == {"page": {"$ref": "#/definitions/cms-data-page-interface"}}
    block = paths["/V1/cmsBlock/{id}"]["put"]
    assert block["parameters"][0] == {"name": "id", "in": "path", "type": "string",
                                      "required": True}
    assert block["parameters"][1]["schema"]["required"] == ["block"]
    customer = paths["/V1/customers"]["post"]
    assert customer["operationId"] == "customerAccountManagementV1CreateAccountPost"
    assert list(customer["parameters"][0]["schema"]["properties"]) == [
        "customer", "password", "redirectUrl"]
    order = paths["/V1/orders/{id}"]["get"]
    assert order["operationId"] == "salesOrderRepositoryV1GetGet"
    assert order["parameters"] == [{"name": "id", "in": "path", "type": "integer",
                                    "required": True, "description": "The order ID."}]
    comment = paths["/V1/orders/{id}/comments"]["post"]
    assert comment["operationId"] == "salesOrderManagementV1AddCommentPost"
    assert comment["parameters"][1]["schema"]["properties"]["statusHistory"] == {
        "$ref": "#/definitions/sales-data-order-status-history-interface"}
    invoice = paths["/V1/order/{orderId}/invoice"]["post"]
    assert invoice["operationId"] == "salesInvoiceOrderV1ExecutePost"
    assert list(invoice["parameters"][1]["schema"]["properties"]) == [
        "capture", "items", "notify", "appendComment", "comment", "arguments"]
    ship = paths["/V1/order/{orderId}/ship"]["post"]
    assert ship["operationId"] == "salesShipOrderV1ExecutePost"
    assert ship["parameters"][1]["schema"]["properties"]["tracks"] == {
        "type": "array",
        "items": {"$ref": "#/definitions/sales-data-shipment-track-creation-interface"}}
    assert ship["responses"]["200"]["schema"] == {"type": "integer",
                                                  "description": "Id of created Shipment."}
    low = paths["/V1/stockItems/lowStock"]["get"]
    assert low["operationId"] == "catalogInventoryStockRegistryV1GetLowStockItemsGet"
    assert [(p["name"], p["type"], p["required"]) for p in low["parameters"]] == [
        ("scopeId", "integer", True), ("qty", "number", True), ("currentPage", "integer", False),
        ("pageSize", "integer", False)]
    tree = paths["/V1/categories"]["get"]
    assert tree["operationId"] == "catalogCategoryManagementV1GetTreeGet"
    order_def = admin_doc["definitions"]["sales-data-order-interface"]
    assert {"base_grand_total", "customer_email", "grand_total"} <= set(order_def["required"])
    assert order_def["properties"]["items"]["items"] == {
        "$ref": "#/definitions/sales-data-order-item-interface"}


def test_services_selects_the_new_services(srv):
    doc = schema(srv, "/rest/default/schema?services=cmsPageRepositoryV1,salesShipOrderV1",
                 token=srv.token())
    assert [t["name"] for t in doc["tags"]] == ["cmsPageRepositoryV1", "salesShipOrderV1"]
    assert set(doc["paths"]) == {"/V1/cmsPage/{pageId}", "/V1/cmsPage/search", "/V1/cmsPage",
                                 "/V1/cmsPage/{id}", "/V1/order/{orderId}/ship"}
    assert "catalog-data-product-interface" not in doc["definitions"]
    assert_refs_resolve(doc, "#/definitions/", doc["definitions"])


def test_openapi3_of_the_new_services(srv):
    doc = schema(srv, "/rest/default/schema?format=openapi3", token=srv.token())
    schemas = doc["components"]["schemas"]
    assert_refs_resolve(doc, "#/components/schemas/", schemas)
    post = doc["paths"]["/V1/cmsBlock"]["post"]
    assert post["requestBody"]["required"] is True
    assert post["requestBody"]["content"]["application/json"]["schema"]["properties"] == {
        "block": {"$ref": "#/components/schemas/cms-data-block-interface"}}


# --- the definitions against what the server sends --------------------------------------------

SIMPLE = {"integer": int, "number": (int, float), "boolean": bool, "string": str}


def check_against(defs, value, schema_node, where, problems):
    """Every field the server sends is a property of its definition, of the documented type, and
    every required property is there."""
    if value is None:
        return
    if "$ref" in schema_node:
        name = schema_node["$ref"].split("/")[-1]
        d = defs[name]
        if not isinstance(value, dict):
            problems.append(f"{where}: {name} expected, got {type(value).__name__}")
            return
        props = d.get("properties", {})
        for k, v in value.items():
            if k not in props:
                problems.append(f"{where}.{k}: not a property of {name}")
            else:
                check_against(defs, v, props[k], f"{where}.{k}", problems)
        for k in d.get("required", []):
            if k not in value:
                problems.append(f"{where}: required {name}.{k} missing")
        return
    t = schema_node["type"]
    if t == "array":
        if not isinstance(value, list):
            problems.append(f"{where}: array expected")
            return
        for i, v in enumerate(value):
            check_against(defs, v, schema_node["items"], f"{where}[{i}]", problems)
        return
    ok = isinstance(value, SIMPLE[t]) and not (t != "boolean" and isinstance(value, bool))
    # a multi-valued custom attribute (category_ids) has an array of strings, as in Magento
    if t == "string" and where.endswith(".value") and isinstance(value, list):
        ok = all(isinstance(v, str) for v in value)
    if not ok:
        problems.append(f"{where}: {t} expected, got {value!r}")


@pytest.fixture(scope="module")
def shop(module_server_factory):
    srv = module_server_factory.create(pre_serve=[("sampledata:deploy", "--products", "6",
                                                   "--orders", "6")])
    srv.admin = srv.token()
    return srv


def test_definitions_describe_what_the_server_sends(shop):
    doc = schema(shop, token=shop.admin)
    defs, paths = doc["definitions"], doc["paths"]
    sc = "searchCriteria[pageSize]=20"

    def fetch(url):
        r = shop.get("/rest/V1" + url, token=shop.admin)
        assert r.status_code == 200, (url, r.text)
        return r.json()

    orders = fetch("/orders?" + sc)["items"]
    invoices = fetch("/invoices?" + sc)["items"]
    shipments = fetch("/shipments?" + sc)["items"]
    customers = fetch("/customers/search?" + sc)["items"]
    assert orders and invoices and shipments and customers
    calls = [
        ("/V1/products", "/products?" + sc), ("/V1/products/{sku}", "/products/SG-000001"),
        ("/V1/products/types", "/products/types"),
        ("/V1/products/attribute-sets/sets/list", "/products/attribute-sets/sets/list?" + sc),
        ("/V1/products/attributes/{attributeCode}", "/products/attributes/name"),
        ("/V1/stockItems/{productSku}", "/stockItems/SG-000001"),
        ("/V1/stockItems/lowStock", "/stockItems/lowStock?scopeId=0&qty=1000"),
        ("/V1/stockStatuses/{productSku}", "/stockStatuses/SG-000001"),
        ("/V1/categories", "/categories"), ("/V1/categories/{categoryId}", "/categories/3"),
        ("/V1/categories/{categoryId}/products", "/categories/3/products"),
        ("/V1/customers/search", "/customers/search?" + sc),
        ("/V1/customers/{customerId}", f"/customers/{customers[0]['id']}"),
        ("/V1/customers/{customerId}/billingAddress",
         f"/customers/{customers[0]['id']}/billingAddress"),
        ("/V1/cmsPage/search", "/cmsPage/search?" + sc),
        ("/V1/cmsBlock/search", "/cmsBlock/search?" + sc),
        ("/V1/orders", "/orders?" + sc), ("/V1/invoices", "/invoices?" + sc),
        ("/V1/shipments", "/shipments?" + sc),
        ("/V1/orders/{id}/comments", f"/orders/{orders[0]['entity_id']}/comments"),
        ("/V1/invoices/{id}", f"/invoices/{invoices[0]['entity_id']}"),
        ("/V1/shipment/{id}", f"/shipment/{shipments[0]['entity_id']}"),
    ] + [("/V1/orders/{id}", f"/orders/{o['entity_id']}") for o in orders]
    problems = []
    for path, url in calls:
        check_against(defs, fetch(url), paths[path]["get"]["responses"]["200"]["schema"], url,
                      problems)
    assert problems == []
