"""Categories by store view (reference §5.1, §8.2; Magento 2.4's CategoryRepository): the
store-scoped attributes (name, is_active, include_in_menu, description, meta_*, url_key, ...) are
read and written for the URL's store view and fall back to the default scope (store 0); global
ones (is_anchor) always go to the default scope. /rest/all reads and writes the default scope;
/rest/V1 is the default store view, for reads and, as in Magento, for writes. The tree, the list
and one category answer with the store view's values."""

import pytest

from catalogtest import sc
from oauthtest import manual_integration, send
from sgtest import assert_response, body_json, not_authorized, wait_until

RES = "Magento_Catalog::categories"
NO_SUCH = "No such entity with %fieldName = %fieldValue"


@pytest.fixture(scope="module")
def shop(module_server_factory):
    srv = module_server_factory.create(pre_serve=[
        ("store:view:create", "--code", "fr", "--name", "French"),
        ("store:view:create", "--code", "de", "--name", "German")])
    srv.admin = srv.token()
    views = {v["code"]: v["id"] for v in body_json(
        srv.get("/rest/V1/store/storeViews", token=srv.admin))}
    srv.store_ids = views
    return srv


def call(srv, method, path, **kw):
    return srv.request(method, path, token=srv.admin, **kw)


def get(srv, path):
    r = call(srv, "GET", path)
    assert r.status_code == 200, (path, r.text)
    return body_json(r)


def custom(cat):
    return {a["attribute_code"]: a["value"] for a in cat.get("custom_attributes", [])}


def new_category(srv, name, prefix="/rest/all", **extra):
    r = call(srv, "POST", f"{prefix}/V1/categories",
             json={"category": {"name": name, "parent_id": 2, **extra}})
    assert r.status_code == 200, r.text
    return body_json(r)


def test_a_store_view_value_is_read_there_and_elsewhere_the_default(shop):
    c = new_category(shop, "Shoes", custom_attributes=[
        {"attribute_code": "description", "value": "Shoes for everyone"},
        {"attribute_code": "url_key", "value": "shoes-sv"}])
    cid = c["id"]
    r = call(shop, "PUT", f"/rest/fr/V1/categories/{cid}", json={"category": {
        "name": "Chaussures", "is_active": False, "include_in_menu": False,
        "custom_attributes": [
            {"attribute_code": "description", "value": "Des chaussures"},
            {"attribute_code": "meta_title", "value": "Chaussures | Boutique"}]}})
    assert r.status_code == 200, r.text
    saved = body_json(r)
    # the answer is the category as the French store view sees it
    assert saved["name"] == "Chaussures" and saved["is_active"] is False
    assert saved["include_in_menu"] is False
    fr = get(shop, f"/rest/fr/V1/categories/{cid}")
    assert fr == saved
    assert custom(fr) == {"description": "Des chaussures", "meta_title": "Chaussures | Boutique",
                          "url_key": "shoes-sv"}  # url_key not sent: the default shows through
    # every other scope keeps the default values
    for prefix in ("/rest/de", "/rest/all", "/rest", "/rest/default"):
        other = get(shop, f"{prefix}/V1/categories/{cid}")
        assert other["name"] == "Shoes" and other["is_active"] is True, prefix
        assert other["include_in_menu"] is True, prefix
        assert custom(other) == {"description": "Shoes for everyone", "url_key": "shoes-sv"}, prefix
        # the entity's own columns are the same in every scope
        for key in ("id", "parent_id", "path", "level", "position", "children"):
            assert other[key] == fr[key], (prefix, key)
    # ?storeId (CategoryRepositoryInterface::get(categoryId, storeId)) picks the store to read
    fr_id = shop.store_ids["fr"]
    assert get(shop, f"/rest/all/V1/categories/{cid}?storeId={fr_id}")["name"] == "Chaussures"
    assert get(shop, f"/rest/fr/V1/categories/{cid}?storeId=0")["name"] == "Shoes"


def test_rest_v1_writes_the_default_store_view_and_all_the_default_scope(shop):
    cid = new_category(shop, "Outlet")["id"]
    # /rest/V1 is the default store view (Magento: /rest/V1 == /rest/default)
    r = call(shop, "PUT", f"/rest/V1/categories/{cid}", json={"category": {"name": "Sale"}})
    assert r.status_code == 200 and body_json(r)["name"] == "Sale", r.text
    assert get(shop, f"/rest/default/V1/categories/{cid}")["name"] == "Sale"
    for prefix in ("/rest/all", "/rest/fr", "/rest/de"):
        assert get(shop, f"{prefix}/V1/categories/{cid}")["name"] == "Outlet", prefix
    # /rest/all changes the default: every store view without its own value follows
    r = call(shop, "PUT", f"/rest/all/V1/categories/{cid}",
             json={"category": {"name": "Clearance", "is_active": False}})
    assert r.status_code == 200 and body_json(r)["name"] == "Clearance", r.text
    for prefix in ("/rest/all", "/rest/fr", "/rest/de"):
        got = get(shop, f"{prefix}/V1/categories/{cid}")
        assert got["name"] == "Clearance" and got["is_active"] is False, prefix
    # the default store view keeps its own name and follows the default for the rest
    own = get(shop, f"/rest/V1/categories/{cid}")
    assert own["name"] == "Sale" and own["is_active"] is False


def test_null_returns_to_the_default_and_global_attributes_stay_global(shop):
    cid = new_category(shop, "Lamps", custom_attributes=[
        {"attribute_code": "description", "value": "Light"}])["id"]
    r = call(shop, "PUT", f"/rest/de/V1/categories/{cid}", json={"category": {
        "custom_attributes": [{"attribute_code": "description", "value": "Licht"},
                              {"attribute_code": "is_anchor", "value": "0"}]}})
    assert r.status_code == 200, r.text
    assert custom(body_json(r))["description"] == "Licht"
    # is_anchor is global in Magento: written through a store view, every scope has it
    for prefix in ("/rest/all", "/rest/fr", "/rest/de"):
        assert custom(get(shop, f"{prefix}/V1/categories/{cid}"))["is_anchor"] == "0", prefix
    # null removes the store view's own value: the default shows again
    r = call(shop, "PUT", f"/rest/de/V1/categories/{cid}", json={"category": {
        "custom_attributes": [{"attribute_code": "description", "value": None}]}})
    assert r.status_code == 200, r.text
    assert custom(body_json(r))["description"] == "Light"
    assert custom(get(shop, f"/rest/all/V1/categories/{cid}"))["description"] == "Light"


def test_created_through_a_store_view(shop):
    c = new_category(shop, "Sacs", prefix="/rest/fr", custom_attributes=[
        {"attribute_code": "description", "value": "Des sacs"}])
    cid = c["id"]
    assert c["name"] == "Sacs" and custom(c)["description"] == "Des sacs"
    # the entity exists everywhere with the given name as its default; the description, a
    # store-view attribute that is not required, belongs to the French store view only (Magento)
    base = get(shop, f"/rest/all/V1/categories/{cid}")
    assert base["name"] == "Sacs" and "description" not in custom(base)
    assert get(shop, f"/rest/de/V1/categories/{cid}")["name"] == "Sacs"
    # Magento writes the required attributes to the store view too: a new default name does not
    # reach the French store view
    r = call(shop, "PUT", f"/rest/all/V1/categories/{cid}", json={"category": {"name": "Bags"}})
    assert r.status_code == 200, r.text
    assert get(shop, f"/rest/de/V1/categories/{cid}")["name"] == "Bags"
    assert get(shop, f"/rest/fr/V1/categories/{cid}")["name"] == "Sacs"


def test_tree_and_list_under_a_store_code(shop):
    parent = new_category(shop, "Garden")
    child = body_json(call(shop, "POST", "/rest/all/V1/categories", json={"category": {
        "name": "Tools", "parent_id": parent["id"]}}))
    for cid, name in ((parent["id"], "Jardin"), (child["id"], "Outils")):
        r = call(shop, "PUT", f"/rest/fr/V1/categories/{cid}",
                 json={"category": {"name": name, "is_active": False}})
        assert r.status_code == 200, r.text
    t = get(shop, f"/rest/fr/V1/categories?rootCategoryId={parent['id']}")
    assert t["name"] == "Jardin" and t["is_active"] is False
    assert [(c["name"], c["is_active"]) for c in t["children_data"]] == [("Outils", False)]
    t = get(shop, f"/rest/de/V1/categories?rootCategoryId={parent['id']}")
    assert t["name"] == "Garden" and t["children_data"][0]["name"] == "Tools"
    # the whole tree of the store view's root shows the store view's names
    full = get(shop, "/rest/fr/V1/categories")

    def names(node):
        return [node["name"]] + [n for c in node["children_data"] for n in names(c)]

    assert "Jardin" in names(full) and "Garden" not in names(full)
    assert "Garden" in names(get(shop, "/rest/V1/categories"))
    # the list filters and sorts on the store view's values and answers with them
    q = sc(filters=[[("name", "jard%", "like")]], page_size=10)
    body = get(shop, "/rest/fr/V1/categories/list?" + q)
    assert body["total_count"] == 1 and body["items"][0]["name"] == "Jardin"
    assert get(shop, "/rest/de/V1/categories/list?" + q)["total_count"] == 0
    assert get(shop, "/rest/all/V1/categories/list?" + q)["total_count"] == 0
    q = sc(filters=[[("id", f"{parent['id']},{child['id']}", "in")], [("is_active", "0", "eq")]],
           sorts=[("name", "ASC")])
    fr = get(shop, "/rest/fr/V1/categories/list?" + q)
    assert [i["name"] for i in fr["items"]] == ["Jardin", "Outils"]
    assert get(shop, "/rest/de/V1/categories/list?" + q)["items"] == []
    # streamed (no page size) answers carry the store view's values too
    q = sc(filters=[[("id", f"{parent['id']},{child['id']}", "in")]], sorts=[("name", "DESC")])
    assert [i["name"] for i in get(shop, "/rest/fr/V1/categories/list?" + q)["items"]] == [
        "Outils", "Jardin"]
    # url_key is a list field, with the store view's value first
    r = call(shop, "PUT", f"/rest/fr/V1/categories/{child['id']}", json={"category": {
        "custom_attributes": [{"attribute_code": "url_key", "value": "outils-fr"}]}})
    assert r.status_code == 200, r.text
    q = sc(filters=[[("url_key", "outils-fr", "eq")]])
    assert [i["id"] for i in get(shop, "/rest/fr/V1/categories/list?" + q)["items"]] == [
        child["id"]]
    assert get(shop, "/rest/de/V1/categories/list?" + q)["total_count"] == 0
    # the products of a category are the same under every store code
    assert get(shop, f"/rest/fr/V1/categories/{child['id']}/products") == []


def test_errors_under_a_store_code(shop):
    assert_response(call(shop, "GET", "/rest/xx/V1/categories/2"), 400,
                    {"message": "Specified request cannot be processed."})
    assert_response(call(shop, "PUT", "/rest/fr/V1/categories/999",
                         json={"category": {"name": "x"}}), 404,
                    {"message": NO_SUCH, "parameters": {"fieldName": "id", "fieldValue": 999}})
    assert_response(call(shop, "GET", "/rest/fr/V1/categories/999"), 404,
                    {"message": NO_SUCH, "parameters": {"fieldName": "id", "fieldValue": 999}})
    r = call(shop, "PUT", "/rest/fr/V1/categories/2", json={"category": {"name": ""}})
    assert_response(r, 400, {"message": 'The "%1" attribute value is empty. Set the attribute and'
                                        ' try again.', "parameters": ["Name"]})
    r = call(shop, "PUT", "/rest/fr/V1/categories/2", json={"category": {"nom": "x"}})
    assert_response(r, 400, {"message": '"%fieldName" is not supported. Correct the field name and'
                                        ' try again.', "parameters": {"fieldName": "Nom"}})
    r = call(shop, "GET", "/rest/fr/V1/categories/2?storeId=abc")
    assert r.status_code == 400 and "int" in body_json(r)["message"]
    r = call(shop, "PUT", "/rest/fr/V1/categories/2", json={"category": {
        "custom_attributes": [{"attribute_code": "description"}]}})
    assert_response(r, 400, {"message": 'Value is not set for attribute code "%1"',
                             "parameters": ["description"]})
    # nothing of the refused saves was kept
    assert get(shop, "/rest/fr/V1/categories/2")["name"] == "Default Category"


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/rest/fr/V1/categories", None),
    ("GET", "/rest/fr/V1/categories/2", None),
    ("GET", "/rest/fr/V1/categories/list?searchCriteria=", None),
    ("GET", "/rest/all/V1/categories/2/products", None),
    ("PUT", "/rest/fr/V1/categories/2", {"category": {"name": "Default Category"}}),
    ("POST", "/rest/de/V1/categories", {"category": {"name": "acl"}}),
])
def test_acl_is_the_same_under_a_store_code(shop, method, path, body):
    creds = manual_integration(shop, resources=["Magento_Catalog::products"])
    r = send(method, shop.url(path), auth=creds.auth("HMAC-SHA256"), json=body)
    assert_response(r, 401, not_authorized(RES))
    assert_response(shop.request(method, path, json=body), 401, not_authorized(RES))
    ok = manual_integration(shop, resources=[RES])
    r = send(method, shop.url(path), auth=ok.auth("HMAC-SHA256"), json=body)
    assert r.status_code == 200, r.text


def test_guest_reads_a_store_view_when_allowed(server_factory):
    srv = server_factory.create(pre_serve=[("store:view:create", "--code", "fr", "--name", "F")])
    token = srv.token()
    r = srv.request("PUT", "/rest/fr/V1/categories/2", token=token,
                    json={"category": {"name": "Catalogue"}})
    assert r.status_code == 200, r.text
    assert_response(srv.get("/rest/fr/V1/categories/2"), 401, not_authorized(RES))
    srv.cli_ok("config:set", "webapi/webapisecurity/allow_insecure", "1")
    wait_until(lambda: srv.get("/rest/fr/V1/categories/2").status_code == 200, 5.0, what="guest")
    assert body_json(srv.get("/rest/fr/V1/categories/2"))["name"] == "Catalogue"
    assert body_json(srv.get("/rest/fr/V1/categories"))["name"] == "Catalogue"
    assert body_json(srv.get("/rest/V1/categories"))["name"] == "Default Category"
