"""Categories (reference §8.2, observed table; issue 6 item 3): the tree with rootCategoryId and
depth, one category, the list with searchCriteria, products of a category, create / update /
move / delete with Magento's messages, the shared URL-key namespace, ACL and the guest switch."""

import pytest

from catalogtest import sc, seed
from oauthtest import manual_integration, send
from sgtest import MSG_REQUIRED, assert_response, body_json, not_authorized, wait_until

RES = "Magento_Catalog::categories"
NO_SUCH = "No such entity with %fieldName = %fieldValue"


@pytest.fixture(scope="module")
def cat(module_server_factory):
    srv = module_server_factory.create()
    token = srv.token()
    seed(srv, token)
    return srv, token


def req(cat, method, path, **kw):
    srv, token = cat
    return srv.request(method, path, token=token, **kw)


def create(cat, name, parent=2, **extra):
    body = {"category": {"name": name, "parent_id": parent, **extra}}
    r = req(cat, "POST", "/rest/V1/categories", json=body)
    assert r.status_code == 200, r.text
    return body_json(r)


def test_default_tree(cat):
    t = body_json(req(cat, "GET", "/rest/V1/categories"))
    assert t["id"] == 2 and t["parent_id"] == 1 and t["name"] == "Default Category"
    assert list(t) == ["id", "parent_id", "name", "is_active", "position", "level",
                       "product_count", "children_data"]
    assert t["level"] == 1 and t["is_active"] is True


def test_create_get_update_move_delete(cat):
    gear = create(cat, "Gear")
    assert gear["parent_id"] == 2 and gear["level"] == 2
    assert gear["path"] == f"1/2/{gear['id']}" and gear["include_in_menu"] is True
    assert list(gear)[:6] == ["id", "parent_id", "name", "is_active", "position", "level"]
    bags = create(cat, "Bags", parent=gear["id"],
                  custom_attributes=[{"attribute_code": "url_key", "value": "bags"}])
    assert bags["level"] == 3 and bags["path"] == f"{gear['path']}/{bags['id']}"
    assert {"attribute_code": "url_key", "value": "bags"} in bags["custom_attributes"]
    got = body_json(req(cat, "GET", f"/rest/V1/categories/{gear['id']}"))
    assert got["children"] == str(bags["id"])
    # tree with a root and a depth
    t = body_json(req(cat, "GET", f"/rest/V1/categories?rootCategoryId={gear['id']}&depth=1"))
    assert t["id"] == gear["id"] and [c["id"] for c in t["children_data"]] == [bags["id"]]
    t0 = body_json(req(cat, "GET", f"/rest/V1/categories?rootCategoryId={gear['id']}&depth=0"))
    assert t0["children_data"] == []
    # update keeps what is not sent
    r = req(cat, "PUT", f"/rest/V1/categories/{bags['id']}",
            json={"category": {"name": "Bags & Packs", "is_active": False}})
    assert r.status_code == 200, r.text
    u = body_json(r)
    assert u["name"] == "Bags & Packs" and u["is_active"] is False and u["level"] == 3
    # move under the default category: path and level follow, also for the subtree
    sub = create(cat, "Duffles", parent=bags["id"])
    r = req(cat, "PUT", f"/rest/V1/categories/{bags['id']}/move", json={"parentId": 2})
    assert r.status_code == 200 and body_json(r) is True
    moved = body_json(req(cat, "GET", f"/rest/V1/categories/{bags['id']}"))
    assert moved["parent_id"] == 2 and moved["level"] == 2 and moved["path"] == f"1/2/{bags['id']}"
    s2 = body_json(req(cat, "GET", f"/rest/V1/categories/{sub['id']}"))
    assert s2["path"] == f"1/2/{bags['id']}/{sub['id']}" and s2["level"] == 3
    # a parent cannot move below its own child
    r = req(cat, "PUT", f"/rest/V1/categories/{bags['id']}/move", json={"parentId": sub["id"]})
    assert_response(r, 400, {"message": "Operation do not allow to move a parent category to any"
                                        " of children category"})
    r = req(cat, "PUT", f"/rest/V1/categories/{bags['id']}/move", json={})
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "parentId"}})
    # delete takes the subtree
    r = req(cat, "DELETE", f"/rest/V1/categories/{bags['id']}")
    assert r.status_code == 200 and body_json(r) is True
    for cid in (bags["id"], sub["id"]):
        assert_response(req(cat, "GET", f"/rest/V1/categories/{cid}"), 404,
                        {"message": NO_SUCH, "parameters": {"fieldName": "id", "fieldValue": cid}})


def test_errors(cat):
    assert_response(req(cat, "GET", "/rest/V1/categories/999"), 404,
                    {"message": NO_SUCH, "parameters": {"fieldName": "id", "fieldValue": 999}})
    assert_response(req(cat, "DELETE", "/rest/V1/categories/999"), 404,
                    {"message": NO_SUCH, "parameters": {"fieldName": "id", "fieldValue": 999}})
    r = req(cat, "GET", "/rest/V1/categories/abc")
    assert r.status_code == 400
    r = req(cat, "POST", "/rest/V1/categories", json={"name": "x"})
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "category"}})
    r = req(cat, "POST", "/rest/V1/categories", json={"category": {"parent_id": 2}})
    assert_response(r, 400, {"message": 'The "%1" attribute value is empty. Set the attribute and'
                                        ' try again.', "parameters": ["Name"]})
    r = req(cat, "POST", "/rest/V1/categories", json={"category": {"name": "x", "is_acive": 1}})
    assert_response(r, 400, {"message": '"%fieldName" is not supported. Correct the field name and'
                                        ' try again.', "parameters": {"fieldName": "IsAcive"}})
    r = req(cat, "POST", "/rest/V1/categories", json={"category": {"name": "x", "parent_id": 777}})
    assert_response(r, 404, {"message": NO_SUCH, "parameters": {"fieldName": "id",
                                                                "fieldValue": 777}})
    r = req(cat, "DELETE", "/rest/V1/categories/2")
    assert_response(r, 400, {"message": "Cannot delete category with id %1", "parameters": [2]})


def test_url_keys_shared_with_products(cat):
    # CT-01's url_key is "ct-01" (catalogtest.seed)
    r = req(cat, "POST", "/rest/V1/categories", json={"category": {
        "name": "Clash", "custom_attributes": [{"attribute_code": "url_key", "value": "ct-01"}]}})
    assert_response(r, 400, {"message": "URL key for specified store already exists."})


def test_products_of_a_category_and_list(cat):
    c = create(cat, "Featured")
    r = req(cat, "PUT", "/rest/V1/products/CT-02", json={"product": {
        "extension_attributes": {"category_links": [{"position": 3, "category_id": str(c["id"])}]}}})
    assert r.status_code == 200, r.text
    got = body_json(req(cat, "GET", f"/rest/V1/categories/{c['id']}/products"))
    assert got == [{"sku": "CT-02", "position": 3, "category_id": str(c["id"])}]
    t = body_json(req(cat, "GET", f"/rest/V1/categories?rootCategoryId={c['id']}"))
    assert t["product_count"] == 1
    body = body_json(req(cat, "GET", "/rest/V1/categories/list?" + sc(
        filters=[[("name", "feat%", "like")]], page_size=5)))
    assert [i["id"] for i in body["items"]] == [c["id"]] and body["total_count"] == 1
    assert body["items"][0]["name"] == "Featured"
    r = req(cat, "GET", "/rest/V1/categories/list?" + sc(filters=[[("sku", "x", "eq")]]))
    assert_response(r, 400, {"message": "Invalid attribute name: %1", "parameters": ["sku"]})


@pytest.mark.parametrize("query", ["searchCriteria[pageSize]=50", "searchCriteria=",
                                   "searchCriteria[pageSize]=1&searchCriteria[currentPage]=1"])
def test_an_unfiltered_list_leaves_out_the_invisible_root(cat, query):
    """Every category but Root Catalog (id 1), paged or streamed, with an exact count."""
    body = body_json(req(cat, "GET", "/rest/V1/categories/list?" + query))
    tree = body_json(req(cat, "GET", "/rest/V1/categories"))

    def count(node):
        return 1 + sum(count(c) for c in node.get("children_data", []))

    assert body["total_count"] == count(tree)
    ids = [i["id"] for i in body["items"]]
    assert 1 not in ids and ids and ids[0] == 2


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/rest/V1/categories", None),
    ("GET", "/rest/V1/categories/2", None),
    ("GET", "/rest/V1/categories/2/products", None),
    ("GET", "/rest/V1/categories/list?searchCriteria=", None),
    ("POST", "/rest/V1/categories", {"category": {"name": "acl"}}),
    ("PUT", "/rest/V1/categories/2", {"category": {"name": "Default Category"}}),
    ("DELETE", "/rest/V1/categories/999", None),
    ("PUT", "/rest/V1/categories/999/move", {"parentId": 2}),
])
def test_acl(cat, method, path, body):
    srv, _ = cat
    creds = manual_integration(srv, resources=["Magento_Catalog::products"])
    r = send(method, srv.url(path), auth=creds.auth("HMAC-SHA256"), json=body)
    assert_response(r, 401, not_authorized(RES))
    assert_response(srv.request(method, path, json=body), 401, not_authorized(RES))
    ok = manual_integration(srv, resources=[RES])
    r = send(method, srv.url(path), auth=ok.auth("HMAC-SHA256"), json=body)
    assert r.status_code in (200, 404), r.text


def test_guest_switch(server_factory):
    srv = server_factory.create()
    srv.cli_ok("config:set", "webapi/webapisecurity/allow_insecure", "1")
    wait_until(lambda: srv.get("/rest/V1/categories").status_code == 200, 5.0, what="guest")
    assert srv.get("/rest/V1/categories/2").status_code == 200
    assert srv.get("/rest/V1/categories/2/products").status_code == 200
    assert_response(srv.get("/rest/V1/categories/list?searchCriteria="), 401, not_authorized(RES))
    r = srv.request("POST", "/rest/V1/categories", json={"category": {"name": "g"}})
    assert_response(r, 401, not_authorized(RES))


# --- the sample catalog's tree (sampledata:deploy) ----------------------------------------------


@pytest.fixture(scope="module")
def sample(module_server_factory):
    srv = module_server_factory.create(start=False)
    cp = srv.cli_ok("sampledata:deploy", "--products", "5000", "--orders", "0", timeout=120)
    srv.deploy_stdout = cp.stdout
    srv.start()
    return srv, srv.token()


def walk(node, depth=0):
    yield node, depth
    for c in node["children_data"]:
        yield from walk(c, depth + 1)


def test_sample_catalog_tree_scales_with_the_catalog(sample):
    """Departments, subcategories, leaves: about one leaf per 250 products (5,000 -> 20), products
    in one or two leaves only."""
    tree = body_json(req(sample, "GET", "/rest/V1/categories"))
    assert tree["id"] == 2
    departments = tree["children_data"]
    assert len(departments) >= 2
    leaves = []
    for dep in departments:
        assert dep["level"] == 2 and dep["product_count"] == 0 and len(dep["children_data"]) >= 2
        for sub in dep["children_data"]:
            assert sub["level"] == 3 and sub["product_count"] == 0
            assert len(sub["children_data"]) >= 2
            for leaf in sub["children_data"]:
                assert leaf["level"] == 4 and leaf["children_data"] == []
                assert leaf["product_count"] > 0
                leaves.append(leaf)
        names = [s["name"] for s in dep["children_data"]]
        assert len(set(names)) == len(names)
    assert 5000 // 500 <= len(leaves) <= 5000 // 100
    assert f"5000 products in {len(leaves)} leaf categories" in sample[0].deploy_stdout
    # every product is in one leaf, every third in a second one
    assert sum(leaf["product_count"] for leaf in leaves) == 5000 + 5000 // 3
    leaf_ids = {leaf["id"] for leaf in leaves}
    for n in range(1, 7):
        p = body_json(req(sample, "GET", f"/rest/V1/products/SG-{n:06d}"))
        links = {int(link["category_id"]) for link in p["extension_attributes"]["category_links"]}
        assert len(links) == (2 if n % 3 == 0 else 1) and links <= leaf_ids, (n, links)
    # a leaf lists its products; every category has its own URL key
    got = body_json(req(sample, "GET", f"/rest/V1/categories/{leaves[0]['id']}/products"))
    assert len(got) == leaves[0]["product_count"]
    body = body_json(req(sample, "GET", "/rest/V1/categories/list?searchCriteria[pageSize]=0"))
    assert body["total_count"] == sum(1 for _ in walk(tree))
    keys = [dict((a["attribute_code"], a["value"]) for a in c.get("custom_attributes", []))
            .get("url_key") for c in body["items"] if c["id"] != 2]
    assert None not in keys and len(set(keys)) == len(keys)


def test_a_second_deploy_fills_the_same_tree(sample):
    srv, _ = sample
    before = body_json(req(sample, "GET", "/rest/V1/categories/list?searchCriteria[pageSize]=0"))
    srv.cli_ok("sampledata:deploy", "--products", "30", "--orders", "0", timeout=60)
    after = body_json(req(sample, "GET", "/rest/V1/categories/list?searchCriteria[pageSize]=0"))
    assert after["total_count"] == before["total_count"]
    p = body_json(req(sample, "GET", "/rest/V1/products/SG-005004"))
    assert len(p["extension_attributes"]["category_links"]) == 2
