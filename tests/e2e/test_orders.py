"""Orders, invoices and shipments (issue 6 item 6; reference §5.5, §5.6, §8.6): the
`sales:order:create` command (a checkout's order: stock taken, flat-rate shipping, totals),
GET /V1/orders/:id and /V1/orders, comments, cancel, hold, unhold, POST /V1/order/:orderId/invoice
and /ship with tracking numbers, GET /V1/invoices and /V1/shipments (and by id), sample orders of
`sampledata:deploy`, Magento 2.4's granular ACL resources checked with integrations."""

import json
import secrets

import pytest

from catalogtest import sc
from oauthtest import manual_integration, send
from sgtest import (
    MSG_FIELD_NOT_SUPPORTED,
    MSG_REQUIRED,
    assert_json_error,
    assert_response,
    body_json,
    not_authorized,
)

MSG_MISSING = "The entity that was requested doesn't exist. Verify the entity and try again."
MSG_TYPE = 'The "%value" value\'s type is invalid. The "%type" type was expected. Verify and try again.'
MSG_NO_INVOICE = ("Invoice Document Validation Error(s):\n"
                  "The order does not allow an invoice to be created.")
MSG_NO_SHIPMENT = ("Shipment Document Validation Error(s):\n"
                   "The order does not allow a shipment to be created.")
METHOD = "HMAC-SHA256"
ORDER_TAIL = ["items", "billing_address", "payment", "status_histories", "extension_attributes"]


@pytest.fixture(scope="module")
def shop(module_server_factory):
    """A private server with 20 sample products (no sample orders) and an admin token."""
    srv = module_server_factory.create(pre_serve=[("sampledata:deploy", "--products", "20",
                                                   "--orders", "0")])
    srv.admin = srv.token()
    return srv


def place(srv, sku="SG-000004", qty=2, email=None, extra=()):
    email = email or f"guest.{secrets.token_hex(4)}@example.com"
    cp = srv.cli_ok("sales:order:create", "--sku", sku, "--qty", str(qty), "--email", email,
                    "--json", *extra)
    return json.loads(cp.stdout)


def stock(srv, sku):
    r = srv.get(f"/rest/V1/stockItems/{sku}", token=srv.admin)
    assert r.status_code == 200, r.text
    return body_json(r)["qty"]


def api(srv, method, path, body=None):
    kw = {"json": body} if body is not None else {}
    return srv.request(method, "/rest/V1" + path, token=srv.admin, **kw)


def order(srv, oid):
    r = api(srv, "GET", f"/orders/{oid}")
    assert r.status_code == 200, r.text
    return body_json(r)


# --- placing orders ------------------------------------------------------------------------------


def test_place_a_guest_order(shop):
    before = stock(shop, "SG-000005")
    price = body_json(shop.get("/rest/V1/products/SG-000005", token=shop.admin))["price"]
    o = place(shop, "SG-000005", 3, "walk.in@example.com", ("--firstname", "Walk",
                                                             "--lastname", "In"))
    assert isinstance(o["entity_id"], int) and len(o["increment_id"]) == 9
    assert o["increment_id"].isdigit()
    assert (o["state"], o["status"]) == ("new", "pending")
    assert o["subtotal"] == price * 3 and o["shipping_amount"] == 15
    assert o["grand_total"] == price * 3 + 15 and o["total_due"] == o["grand_total"]
    assert o["total_qty_ordered"] == 3 and o["customer_is_guest"] == 1
    assert "customer_id" not in o and o["customer_group_id"] == 0
    assert (o["customer_firstname"], o["customer_lastname"]) == ("Walk", "In")
    assert list(o)[-5:] == ORDER_TAIL
    scalars = list(o)[:-5]
    assert scalars == sorted(scalars), "OrderInterface's getters come in alphabetical order"
    [item] = o["items"]
    assert item["sku"] == "SG-000005" and item["qty_ordered"] == 3 and item["price"] == price
    assert item["row_total"] == price * 3 and item["product_type"] == "simple"
    assert o["billing_address"]["address_type"] == "billing"
    assert o["payment"]["method"] == "checkmo"
    assert o["payment"]["amount_ordered"] == o["grand_total"]
    assignment = o["extension_attributes"]["shipping_assignments"][0]
    assert assignment["shipping"]["method"] == "flatrate_flatrate"
    assert assignment["shipping"]["address"]["address_type"] == "shipping"
    assert assignment["items"] == o["items"]
    assert stock(shop, "SG-000005") == before - 3
    # the API answers the same JSON the command printed
    assert_response(api(shop, "GET", f"/orders/{o['entity_id']}"), 200, o)


def test_place_a_customer_order(shop):
    email = f"buyer.{secrets.token_hex(4)}@example.com"
    r = shop.post("/rest/V1/customers", json={"customer": {
        "email": email, "firstname": "Bea", "lastname": "Buyer",
        "addresses": [{"firstname": "Bea", "lastname": "Buyer", "street": ["5 Elm St"],
                       "city": "Boston", "country_id": "US", "postcode": "02101",
                       "telephone": "555-0199", "default_billing": True,
                       "default_shipping": True}]}})
    customer = body_json(r)
    assert r.status_code == 200, customer
    o = place(shop, "SG-000006", 1, email.upper())
    assert o["customer_id"] == customer["id"] and o["customer_is_guest"] == 0
    assert o["customer_group_id"] == 1 and o["customer_firstname"] == "Bea"
    assert o["billing_address"]["street"] == ["5 Elm St"]
    assert o["billing_address"]["customer_address_id"] == customer["addresses"][0]["id"]
    assert o["billing_address"]["city"] == "Boston"


def test_increment_ids_follow_each_other(shop):
    a, b = place(shop), place(shop)
    assert int(b["increment_id"]) == int(a["increment_id"]) + 1


@pytest.mark.parametrize("args,message", [
    (("--sku", "NO-SUCH-SKU", "--qty", "1", "--email", "x@example.com"), "doesn't exist"),
    (("--sku", "SG-000007", "--qty", "100000", "--email", "x@example.com"),
     "The requested qty is not available"),
])
def test_place_refused(shop, args, message):
    before = stock(shop, "SG-000007")
    cp = shop.cli("sales:order:create", *args)
    assert cp.returncode == 1 and message in cp.stderr, cp.stderr
    assert stock(shop, "SG-000007") == before


@pytest.mark.parametrize("args", [
    ("--sku", "SG-000001", "--qty", "0", "--email", "x@example.com"),
    ("--sku", "SG-000001", "--qty", "two", "--email", "x@example.com"),
    ("--sku", "SG-000001", "--email", "not-an-email"),
    ("--qty", "1", "--email", "x@example.com"),
])
def test_place_bad_arguments(shop, args):
    cp = shop.cli("sales:order:create", *args)
    assert cp.returncode == 2, cp.stderr


def test_sold_out_product_is_refused(shop):
    left = int(stock(shop, "SG-000010"))
    if left > 0:
        place(shop, "SG-000010", left)
    assert stock(shop, "SG-000010") == 0
    r = shop.get("/rest/V1/stockItems/SG-000010", token=shop.admin)
    assert body_json(r)["is_in_stock"] is False
    cp = shop.cli("sales:order:create", "--sku", "SG-000010", "--qty", "1", "--email",
                  "late@example.com")
    assert cp.returncode == 1 and "The requested qty is not available" in cp.stderr


# --- reading -------------------------------------------------------------------------------------


def test_missing_and_malformed_ids(shop):
    for path in ("/orders/987654", "/invoices/987654", "/shipment/987654",
                 "/orders/987654/comments"):
        assert_response(api(shop, "GET", path), 404, {"message": MSG_MISSING})
    for method, path in (("POST", "/orders/987654/cancel"), ("POST", "/orders/987654/hold"),
                         ("POST", "/orders/987654/unhold"), ("POST", "/order/987654/invoice"),
                         ("POST", "/order/987654/ship")):
        assert_response(api(shop, method, path, {}), 404, {"message": MSG_MISSING})
    assert_response(api(shop, "GET", "/orders/1%20OR%201=1"), 400,
                    {"message": MSG_TYPE, "parameters": {"value": "1 OR 1=1", "type": "int"}})


# --- comments, hold, unhold, cancel --------------------------------------------------------------


def test_comments(shop):
    o = place(shop)
    oid = o["entity_id"]
    r = api(shop, "POST", f"/orders/{oid}/comments", {"statusHistory": {
        "comment": "Called the customer", "is_customer_notified": 0, "isVisibleOnFront": 1}})
    assert_response(r, 200, True)
    api(shop, "POST", f"/orders/{oid}/comments", {"statusHistory": {"comment": "Second"}})
    histories = order(shop, oid)["status_histories"]
    assert [h["comment"] for h in histories] == ["Second", "Called the customer"]
    first = histories[1]
    assert first["status"] == "pending" and first["is_visible_on_front"] == 1
    assert first["is_customer_notified"] == 0 and first["entity_name"] == "order"
    assert first["parent_id"] == oid
    assert histories[0]["is_customer_notified"] is None
    r = api(shop, "GET", f"/orders/{oid}/comments")
    assert_response(r, 200, {"items": histories, "total_count": 2})
    assert_response(api(shop, "POST", f"/orders/{oid}/comments", {}), 400,
                    {"message": MSG_REQUIRED, "parameters": {"fieldName": "statusHistory"}})
    r = api(shop, "POST", f"/orders/{oid}/comments", {"statusHistory": {"comment": "x",
                                                                        "colour": "red"}})
    assert_response(r, 400, {"message": MSG_FIELD_NOT_SUPPORTED,
                             "parameters": {"fieldName": "Colour"}})


def test_hold_and_unhold(shop):
    oid = place(shop)["entity_id"]
    assert_response(api(shop, "POST", f"/orders/{oid}/unhold"), 400,
                    {"message": "You cannot remove the hold."})
    assert_response(api(shop, "POST", f"/orders/{oid}/hold"), 200, True)
    o = order(shop, oid)
    assert (o["state"], o["status"]) == ("holded", "holded")
    assert_response(api(shop, "POST", f"/orders/{oid}/hold"), 400,
                    {"message": "A hold action is not available."})
    # a held order can be neither invoiced, shipped nor cancelled
    assert_response(api(shop, "POST", f"/order/{oid}/invoice", {}), 400,
                    {"message": MSG_NO_INVOICE})
    assert_response(api(shop, "POST", f"/order/{oid}/ship", {}), 400, {"message": MSG_NO_SHIPMENT})
    assert_response(api(shop, "POST", f"/orders/{oid}/cancel"), 200, False)
    assert_response(api(shop, "POST", f"/orders/{oid}/unhold"), 200, True)
    o = order(shop, oid)
    assert (o["state"], o["status"]) == ("new", "pending")


def test_cancel_returns_the_stock(shop):
    before = stock(shop, "SG-000008")
    o = place(shop, "SG-000008", 4)
    assert stock(shop, "SG-000008") == before - 4
    assert_response(api(shop, "POST", f"/orders/{o['entity_id']}/cancel"), 200, True)
    after = order(shop, o["entity_id"])
    assert (after["state"], after["status"]) == ("canceled", "canceled")
    assert after["items"][0]["qty_canceled"] == 4
    assert after["total_canceled"] == o["grand_total"] and after["total_due"] == 0
    assert stock(shop, "SG-000008") == before
    # a cancelled order cannot be cancelled again, nor held, invoiced or shipped
    assert_response(api(shop, "POST", f"/orders/{o['entity_id']}/cancel"), 200, False)
    assert_response(api(shop, "POST", f"/orders/{o['entity_id']}/hold"), 400,
                    {"message": "A hold action is not available."})
    assert_response(api(shop, "POST", f"/order/{o['entity_id']}/invoice", {}), 400,
                    {"message": MSG_NO_INVOICE})


# --- invoices and shipments ----------------------------------------------------------------------


def test_invoice_and_ship_to_complete(shop):
    o = place(shop, "SG-000009", 3)
    oid, item = o["entity_id"], o["items"][0]
    price = item["price"]
    r = api(shop, "POST", f"/order/{oid}/invoice", {
        "capture": True, "items": [{"order_item_id": item["item_id"], "qty": 1}], "notify": False,
        "appendComment": True, "comment": {"comment": "First part", "is_visible_on_front": 1}})
    assert r.status_code == 200, r.text
    inv_id = body_json(r)
    assert isinstance(inv_id, str) and inv_id.isdigit()
    inv = body_json(api(shop, "GET", f"/invoices/{inv_id}"))
    assert inv["order_id"] == oid and inv["state"] == 2 and inv["total_qty"] == 1
    assert inv["subtotal"] == price and inv["shipping_amount"] == 15
    assert inv["grand_total"] == price + 15
    assert inv["items"][0]["order_item_id"] == item["item_id"] and inv["items"][0]["qty"] == 1
    assert inv["comments"][0]["comment"] == "First part"
    assert len(inv["increment_id"]) == 9
    mid = order(shop, oid)
    assert (mid["state"], mid["status"]) == ("processing", "processing")
    assert mid["total_paid"] == price + 15 and mid["items"][0]["qty_invoiced"] == 1
    # ship two with a tracking number
    r = api(shop, "POST", f"/order/{oid}/ship", {
        "items": [{"orderItemId": item["item_id"], "qty": 2}],
        "tracks": [{"track_number": "1Z999AA10123456784", "title": "United Parcel Service",
                    "carrier_code": "ups"}],
        "comment": {"comment": "Two in the first box"}})
    assert r.status_code == 200, r.text
    ship_id = body_json(r)
    shipment = body_json(api(shop, "GET", f"/shipment/{ship_id}"))
    assert shipment["order_id"] == oid and shipment["total_qty"] == 2
    assert shipment["tracks"][0]["track_number"] == "1Z999AA10123456784"
    assert shipment["tracks"][0]["carrier_code"] == "ups"
    assert shipment["comments"][0]["comment"] == "Two in the first box"
    # the rest: invoice and ship everything left
    assert api(shop, "POST", f"/order/{oid}/invoice", {}).status_code == 200
    assert api(shop, "POST", f"/order/{oid}/ship", {"tracks": [
        {"trackNumber": "9400100000000000000000", "title": "USPS",
         "carrierCode": "usps"}]}).status_code == 200
    done = order(shop, oid)
    assert (done["state"], done["status"]) == ("complete", "complete")
    assert done["total_paid"] == done["grand_total"] and done["total_due"] == 0
    assert done["items"][0]["qty_invoiced"] == 3 and done["items"][0]["qty_shipped"] == 3
    # nothing left
    assert_response(api(shop, "POST", f"/order/{oid}/invoice", {}), 400,
                    {"message": MSG_NO_INVOICE})
    assert_response(api(shop, "POST", f"/order/{oid}/ship", {}), 400, {"message": MSG_NO_SHIPMENT})
    assert_response(api(shop, "POST", f"/orders/{oid}/cancel"), 200, False)


def test_invoice_and_ship_errors(shop):
    o = place(shop, "SG-000011", 2)
    oid, item_id = o["entity_id"], o["items"][0]["item_id"]
    r = api(shop, "POST", f"/order/{oid}/invoice", {"items": [{"order_item_id": 987654,
                                                               "qty": 1}]})
    body = assert_json_error(r, 400)
    assert "not part of the original order" in body["message"]
    r = api(shop, "POST", f"/order/{oid}/invoice", {"items": [{"order_item_id": item_id,
                                                               "qty": 5}]})
    body = assert_json_error(r, 400)
    assert body["message"].startswith("Invoice Document Validation Error(s):\n")
    r = api(shop, "POST", f"/order/{oid}/invoice", {"items": [{"order_item_id": item_id,
                                                               "qty": -1}]})
    assert_json_error(r, 400)
    r = api(shop, "POST", f"/order/{oid}/invoice", {"items": [{"order_item_id": item_id,
                                                               "qty": 0}]})
    body = assert_json_error(r, 400)
    assert "without products" in body["message"]
    r = api(shop, "POST", f"/order/{oid}/invoice", {"items": "all"})
    assert_json_error(r, 400)
    r = api(shop, "POST", f"/order/{oid}/invoice", {"items": [{"order_item_id": item_id,
                                                               "qty": 1, "price": 0}]})
    assert_response(r, 400, {"message": MSG_FIELD_NOT_SUPPORTED,
                             "parameters": {"fieldName": "Price"}})
    r = api(shop, "POST", f"/order/{oid}/ship", {"tracks": [{"title": "UPS",
                                                             "carrier_code": "ups"}]})
    assert_response(r, 400, {"message": "Shipment Document Validation Error(s):\n"
                                        "Please enter a tracking number."})
    r = api(shop, "POST", f"/order/{oid}/ship", {"tracks": [{"track_number": "1",
                                                             "title": "UPS"}]})
    assert_response(r, 400, {"message": MSG_REQUIRED,
                             "parameters": {"fieldName": "carrier_code"}})
    # nothing was written by the refused requests
    o2 = order(shop, oid)
    assert o2["items"][0]["qty_invoiced"] == 0 and o2["items"][0]["qty_shipped"] == 0
    assert o2["state"] == "new"


# --- lists ---------------------------------------------------------------------------------------


def test_order_list(shop):
    email = f"list.{secrets.token_hex(4)}@example.com"
    made = [place(shop, sku, qty, email) for sku, qty in
            (("SG-000012", 1), ("SG-000013", 2), ("SG-000014", 1))]
    q = sc([[("customer_email", email, "eq")]], [("grand_total", "DESC")], page_size=2)
    r = api(shop, "GET", f"/orders?{q}")
    body = body_json(r)
    assert r.status_code == 200, body
    assert body["total_count"] == 3 and len(body["items"]) == 2
    expected = sorted(made, key=lambda o: -o["grand_total"])
    assert [o["entity_id"] for o in body["items"]] == [o["entity_id"] for o in expected[:2]]
    assert body["items"][0] == order(shop, expected[0]["entity_id"])
    q = sc([[("customer_email", email, "eq")], [("status", "pending", None)]],
           extra=[("fields", "items[increment_id,status],total_count")])
    body = body_json(api(shop, "GET", f"/orders?{q}"))
    assert body["total_count"] == 3 and list(body["items"][0]) == ["increment_id", "status"]


def test_invoice_and_shipment_lists(shop):
    o = place(shop, "SG-000015", 1)
    oid = o["entity_id"]
    inv = body_json(api(shop, "POST", f"/order/{oid}/invoice", {}))
    ship = body_json(api(shop, "POST", f"/order/{oid}/ship", {"tracks": [
        {"track_number": "T1", "title": "DHL", "carrier_code": "dhl"}]}))
    body = body_json(api(shop, "GET", "/invoices?" + sc([[("order_id", str(oid), "eq")]])))
    assert body["total_count"] == 1 and body["items"][0]["entity_id"] == int(inv)
    assert body["items"][0] == body_json(api(shop, "GET", f"/invoices/{inv}"))
    body = body_json(api(shop, "GET", "/shipments?" + sc([[("order_id", str(oid), "eq")]])))
    assert body["total_count"] == 1 and body["items"][0]["entity_id"] == int(ship)
    assert body["items"][0]["tracks"][0]["track_number"] == "T1"


@pytest.mark.parametrize("path", ["/orders", "/invoices", "/shipments"])
def test_list_errors(shop, path):
    assert_response(api(shop, "GET", path), 400,
                    {"message": MSG_REQUIRED, "parameters": {"fieldName": "searchCriteria"}})
    q = sc([[("protect_code; --", "x", None)]])
    assert_response(api(shop, "GET", f"{path}?{q}"), 400,
                    {"message": "Invalid attribute name: %1", "parameters": ["protect_code; --"]})
    q = sc([[("increment_id", "' OR '1'='1", None)]])
    r = api(shop, "GET", f"{path}?{q}")
    assert r.status_code == 200 and body_json(r)["total_count"] == 0


def test_sample_orders(module_server_factory):
    srv = module_server_factory.create(pre_serve=[("sampledata:deploy", "--products", "12",
                                                   "--orders", "9")])
    token = srv.token()
    body = body_json(srv.get("/rest/V1/orders?searchCriteria=", token=token))
    assert body["total_count"] == 9
    # the sample shoppers are customers: their orders carry the account and its address
    assert all(o["customer_is_guest"] == 0 and "customer_id" in o for o in body["items"])
    assert body["items"][0]["billing_address"]["street"][0].endswith("Market Street")
    states = sorted(o["state"] for o in body["items"])
    assert states == ["complete"] * 3 + ["new"] * 3 + ["processing"] * 3
    assert body_json(srv.get("/rest/V1/invoices?searchCriteria=", token=token))["total_count"] == 6
    shipments = body_json(srv.get("/rest/V1/shipments?searchCriteria=", token=token))
    assert shipments["total_count"] == 3
    assert all(s["tracks"][0]["carrier_code"] == "ups" for s in shipments["items"])


def test_sample_customers_and_cms(module_server_factory):
    srv = module_server_factory.create(pre_serve=[("sampledata:deploy", "--products", "5",
                                                   "--orders", "0")])
    cp = srv.cli("sampledata:deploy", "--products", "0", "--orders", "0")
    assert cp.returncode == 0 and "0 customers" in cp.stdout, cp.stdout  # nothing twice
    token = srv.token()
    body = body_json(srv.get("/rest/V1/customers/search?searchCriteria=", token=token))
    assert body["total_count"] == 7
    shopper = body["items"][0]
    assert shopper["email"] == "shopper1@example.com" and len(shopper["addresses"]) == 1
    assert shopper["default_billing"] == str(shopper["addresses"][0]["id"])
    r = srv.post("/rest/V1/integration/customer/token",
                 json={"username": "shopper1@example.com", "password": "Shopper-pass-1"})
    assert r.status_code == 200, r.text
    assert body_json(srv.get("/rest/V1/cmsPage/about-us", token=token))["title"] == "About us"
    blocks = body_json(srv.get("/rest/V1/cmsBlock/search?searchCriteria=", token=token))
    assert sorted(b["identifier"] for b in blocks["items"]) == ["footer-links", "promo-banner"]


def test_sampledata_bad_order_count(shop):
    cp = shop.cli("sampledata:deploy", "--products", "0", "--orders", "many")
    assert cp.returncode == 2 and "--orders" in cp.stderr, cp.stderr


# --- ACL -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def viewer(shop):
    return manual_integration(shop, resources=["Magento_Sales::actions_view"])


@pytest.mark.parametrize("method,path,resource", [
    ("POST", "/orders/{id}/comments", "Magento_Sales::comment"),
    ("POST", "/orders/{id}/cancel", "Magento_Sales::cancel"),
    ("POST", "/orders/{id}/hold", "Magento_Sales::hold"),
    ("POST", "/orders/{id}/unhold", "Magento_Sales::unhold"),
    ("POST", "/order/{id}/invoice", "Magento_Sales::sales_invoice"),
    ("POST", "/order/{id}/ship", "Magento_Sales::ship"),
    ("GET", "/invoices?searchCriteria=", "Magento_Sales::sales_invoice"),
    ("GET", "/invoices/1", "Magento_Sales::sales_invoice"),
    ("GET", "/shipments?searchCriteria=", "Magento_Sales::shipment"),
    ("GET", "/shipment/1", "Magento_Sales::shipment"),
])
def test_viewer_is_refused_the_rest(shop, viewer, method, path, resource):
    oid = place(shop)["entity_id"]
    body = {"statusHistory": {"comment": "x"}} if "comments" in path else {}
    r = send(method, shop.url("/rest/V1" + path.format(id=oid)), auth=viewer.auth(METHOD),
             json=body if method == "POST" else None)
    assert_response(r, 401, not_authorized(resource))
    assert order(shop, oid)["state"] == "new"


def test_viewer_reads_orders(shop, viewer):
    o = place(shop)
    r = send("GET", shop.url(f"/rest/V1/orders/{o['entity_id']}"), auth=viewer.auth(METHOD))
    assert_response(r, 200, order(shop, o["entity_id"]))
    r = send("GET", shop.url("/rest/V1/orders?searchCriteria[pageSize]=1"),
             auth=viewer.auth(METHOD))
    assert r.status_code == 200 and len(body_json(r)["items"]) == 1


def test_granular_resources_allow_their_operation(shop):
    shipper = manual_integration(shop, resources=["Magento_Sales::ship",
                                                  "Magento_Sales::sales_invoice",
                                                  "Magento_Sales::hold"])
    oid = place(shop)["entity_id"]
    r = send("POST", shop.url(f"/rest/V1/order/{oid}/invoice"), auth=shipper.auth(METHOD),
             json={})
    assert r.status_code == 200, r.text
    r = send("POST", shop.url(f"/rest/V1/order/{oid}/ship"), auth=shipper.auth(METHOD),
             json={"tracks": [{"track_number": "Z1", "title": "FedEx", "carrier_code": "fedex"}]})
    assert r.status_code == 200, r.text
    assert order(shop, oid)["state"] == "complete"
    r = send("GET", shop.url(f"/rest/V1/orders/{oid}"), auth=shipper.auth(METHOD))
    assert_response(r, 401, not_authorized("Magento_Sales::actions_view"))


def test_anonymous_and_customers_are_refused(shop):
    oid = place(shop)["entity_id"]
    assert_response(shop.get(f"/rest/V1/orders/{oid}"), 401,
                    not_authorized("Magento_Sales::actions_view"))
    assert_response(shop.post(f"/rest/V1/orders/{oid}/cancel"), 401,
                    not_authorized("Magento_Sales::cancel"))
    email = f"c.{secrets.token_hex(4)}@example.com"
    shop.post("/rest/V1/customers", json={"customer": {"email": email, "firstname": "A",
                                                       "lastname": "B"},
                                          "password": "Secret-pass-1"})
    tok = body_json(shop.post("/rest/V1/integration/customer/token",
                              json={"username": email, "password": "Secret-pass-1"}))
    assert_response(shop.get(f"/rest/V1/orders/{oid}", token=tok), 401,
                    not_authorized("Magento_Sales::actions_view"))


def test_fields_on_documents(shop):
    o = place(shop, "SG-000016", 1)
    oid = o["entity_id"]
    r = api(shop, "GET", f"/orders/{oid}?fields=entity_id,increment_id,items[sku,qty_ordered]")
    assert_response(r, 200, {"entity_id": oid, "increment_id": o["increment_id"],
                             "items": [{"sku": "SG-000016", "qty_ordered": 1}]})
    inv = body_json(api(shop, "POST", f"/order/{oid}/invoice", {}))
    r = api(shop, "GET", f"/invoices/{inv}?fields=order_id,items[qty]")
    assert_response(r, 200, {"order_id": oid, "items": [{"qty": 1}]})
    # Magento: a malformed spec empties the answer
    assert_response(api(shop, "GET", f"/orders/{oid}?fields=items[sku"), 200, [])


@pytest.mark.parametrize("ref,status,expected", [
    ("0", 400, {"message": "An ID is needed. Set the ID and try again."}),
    ("-1", 404, {"message": MSG_MISSING}),
    ("99999999999999999999", 400, {"message": MSG_TYPE,
                                   "parameters": {"value": "99999999999999999999",
                                                  "type": "int"}}),
    ("1e3", 400, {"message": MSG_TYPE, "parameters": {"value": "1e3", "type": "int"}}),
    ("%27%20OR%201%3D1", 400, {"message": MSG_TYPE, "parameters": {"value": "' OR 1=1",
                                                                   "type": "int"}}),
])
@pytest.mark.parametrize("path", ["/orders/{}", "/invoices/{}", "/shipment/{}"])
def test_hostile_ids(shop, path, ref, status, expected):
    assert_response(api(shop, "GET", path.format(ref)), status, expected)


def test_invalid_utf8_id(shop):
    r = api(shop, "GET", "/orders/%FF")
    body = assert_json_error(r, 400)
    assert body["message"] == MSG_TYPE
