"""The product answer cache (src/catalog/cache.h): each worker keeps the JSON of the products it
served, stamped with the catalog version; every write path that changes a product's answer moves
the version, so no worker ever serves an answer older than a save acknowledged before the GET was
sent. Each check first fills the caches of both worker threads (several GETs, each on a fresh
connection), then writes through one path, then reads again on fresh connections."""

import json

import pytest

from catalogtest import product_body
from oauthtest import manual_integration, send
from sgtest import body_json

SHA256 = "HMAC-SHA256"
READS = 8  # fresh connections: both worker threads answer some of them


@pytest.fixture(scope="module")
def shop(module_server_factory):
    srv = module_server_factory.create(threads=2)
    token = srv.token()
    for i, sku in enumerate(("PC-01", "PC-02", "PC-03", "PC-04")):
        r = srv.request("POST", "/rest/V1/products", token=token,
                        json=product_body(sku, f"Cached {i}", 10.0 + i, 1, 1.0, None, None,
                                          qty=50))
        assert r.status_code == 200, r.text
    return srv, token


def reads(shop, sku, path="/rest/V1/products/"):
    srv, token = shop
    out = []
    for _ in range(READS):
        r = srv.request("GET", path + sku, token=token)
        out.append((r.status_code, body_json(r)))
    return out


def warm(shop, sku, path="/rest/V1/products/"):
    for status, _ in reads(shop, sku, path):
        assert status == 200


def test_product_save_is_seen_by_every_worker(shop):
    srv, token = shop
    warm(shop, "PC-01")
    r = srv.request("PUT", "/rest/V1/products/PC-01", token=token,
                    json={"product": {"name": "Renamed", "price": 99.5}})
    assert r.status_code == 200, r.text
    for status, p in reads(shop, "PC-01"):
        assert status == 200 and p["name"] == "Renamed" and p["price"] == 99.5


def test_stock_save_is_seen_by_every_worker(shop):
    srv, token = shop
    warm(shop, "PC-02")
    r = srv.request("PUT", "/rest/V1/products/PC-02/stockItems/1", token=token,
                    json={"stockItem": {"qty": 7, "is_in_stock": True}})
    assert r.status_code == 200, r.text
    for _, p in reads(shop, "PC-02"):
        assert p["extension_attributes"]["stock_item"]["qty"] == 7


def test_store_view_value_is_kept_apart(shop):
    srv, token = shop
    warm(shop, "PC-03", "/rest/default/V1/products/")
    warm(shop, "PC-03", "/rest/all/V1/products/")
    r = srv.request("PUT", "/rest/default/V1/products/PC-03", token=token,
                    json={"product": {"name": "Store view name"}})
    assert r.status_code == 200, r.text
    for _, p in reads(shop, "PC-03", "/rest/default/V1/products/"):
        assert p["name"] == "Store view name"
    for _, p in reads(shop, "PC-03", "/rest/all/V1/products/"):
        assert p["name"] == "Cached 2"


def test_category_delete_drops_the_links(shop):
    srv, token = shop
    r = srv.request("POST", "/rest/V1/categories", token=token,
                    json={"category": {"name": "Cache test", "parent_id": 2, "is_active": True}})
    assert r.status_code == 200, r.text
    cid = body_json(r)["id"]
    r = srv.request("PUT", "/rest/V1/products/PC-04", token=token, json={"product": {
        "extension_attributes": {"category_links": [{"position": 1,
                                                     "category_id": str(cid)}]}}})
    assert r.status_code == 200, r.text
    for _, p in reads(shop, "PC-04"):
        assert p["extension_attributes"]["category_links"] == [
            {"position": 1, "category_id": str(cid)}]
    r = srv.request("DELETE", f"/rest/V1/categories/{cid}", token=token)
    assert r.status_code == 200, r.text
    for _, p in reads(shop, "PC-04"):
        assert "category_links" not in p["extension_attributes"]


def test_orders_move_the_stock_from_another_process(shop):
    srv, token = shop
    warm(shop, "PC-01")
    before = reads(shop, "PC-01")[0][1]["extension_attributes"]["stock_item"]["qty"]
    cp = srv.cli_ok("sales:order:create", "--sku", "PC-01", "--qty", "3", "--email",
                    "cache@example.com", "--json")
    order = json.loads(cp.stdout)
    for _, p in reads(shop, "PC-01"):
        assert p["extension_attributes"]["stock_item"]["qty"] == before - 3
    r = srv.request("POST", f"/rest/V1/orders/{order['entity_id']}/cancel", token=token)
    assert r.status_code == 200 and body_json(r) is True, r.text
    for _, p in reads(shop, "PC-01"):
        assert p["extension_attributes"]["stock_item"]["qty"] == before


def test_stock_item_stays_behind_its_resource(shop):
    srv, _ = shop
    warm(shop, "PC-02")  # the admin's answer (with stock_item) is cached
    creds = manual_integration(srv, resources=["Magento_Catalog::products"])
    for _ in range(READS):
        r = send("GET", srv.url("/rest/V1/products/PC-02"), auth=creds.auth(SHA256))
        assert r.status_code == 200
        assert "stock_item" not in body_json(r)["extension_attributes"]


def test_fields_apply_to_a_cached_answer(shop):
    srv, token = shop
    warm(shop, "PC-02")
    for _ in range(READS):
        r = srv.request("GET", "/rest/V1/products/PC-02?fields=sku,price", token=token)
        assert body_json(r) == {"sku": "PC-02", "price": 11}


def test_delete_is_seen_by_every_worker(shop):
    srv, token = shop
    r = srv.request("POST", "/rest/V1/products", token=token,
                    json=product_body("PC-GONE", "Gone soon", 1.0, 1, None, None, None))
    assert r.status_code == 200, r.text
    warm(shop, "PC-GONE")
    r = srv.request("DELETE", "/rest/V1/products/PC-GONE", token=token)
    assert r.status_code == 200, r.text
    for status, _ in reads(shop, "PC-GONE"):
        assert status == 404
