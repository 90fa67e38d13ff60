"""The customer resource (issue 6 item 5; reference §5.2, §5.5, §5.6, §8.5): POST /V1/customers
(anonymous account creation with Magento's password rules), GET/PUT/DELETE
/V1/customers/:customerId, GET /V1/customers/search, addresses in the customer JSON,
GET /V1/customers/addresses/:addressId, default billing/shipping addresses (by id and for `me`),
POST /V1/customers/isEmailAvailable; ACL as Magento 2.4 (Magento_Customer::customer, ::manage,
::delete, self, anonymous) checked with integrations holding Custom resources."""

import secrets

import pytest

from catalogtest import sc
from oauthtest import manual_integration, send
from sgtest import (
    CUSTOMER_ME_PATH,
    MSG_CUSTOMER_EXISTS,
    MSG_FIELD_NOT_SUPPORTED,
    MSG_MULTIPLE_INPUT,
    MSG_REQUIRED,
    assert_json_error,
    assert_response,
    body_json,
    customer_token,
    not_authorized,
)

CUSTOMERS = "/rest/V1/customers"
MSG_NO_SUCH = "No such entity with %fieldName = %fieldValue"
MSG_TYPE = 'The "%value" value\'s type is invalid. The "%type" type was expected. Verify and try again.'
PASSWORD = "Secret-pass-1"
METHOD = "HMAC-SHA256"
CUSTOMER_KEYS = ["id", "group_id", "default_billing", "default_shipping", "created_at",
                 "updated_at", "created_in", "dob", "email", "firstname", "lastname", "middlename",
                 "prefix", "suffix", "gender", "store_id", "taxvat", "website_id", "addresses",
                 "disable_auto_group_change", "extension_attributes"]
ADDRESS_KEYS = ["id", "customer_id", "region", "region_id", "country_id", "street", "company",
                "telephone", "fax", "postcode", "city", "firstname", "lastname", "middlename",
                "prefix", "suffix", "vat_id", "default_shipping", "default_billing"]


def email():
    return f"c.{secrets.token_hex(5)}@example.com"


def address(**kw):
    a = {"firstname": "Jane", "lastname": "Doe", "street": ["1 Main St", "Apt 2"],
         "city": "Austin", "country_id": "US", "postcode": "78701", "telephone": "555-0100",
         "region": {"region_code": "TX", "region": "Texas", "region_id": 57}}
    a.update(kw)
    return a


def no_such(field, value):
    return {"message": MSG_NO_SUCH, "parameters": {"fieldName": field, "fieldValue": value}}


def register(srv, customer, password=PASSWORD, token=None, prefix=CUSTOMERS):
    body = {"customer": customer}
    if password is not None:
        body["password"] = password
    return srv.post(prefix, json=body, token=token)


def new_customer(srv, **kw):
    c = {"email": email(), "firstname": "Jane", "lastname": "Doe"}
    c.update(kw)
    r = register(srv, c)
    assert r.status_code == 200, r.text
    return body_json(r)


# --- account creation ----------------------------------------------------------------------------


def test_register_with_addresses(server, admin_token):
    e = email()
    r = register(server, {"email": e, "firstname": "Jane", "lastname": "Doe", "dob": "1990-04-05",
                          "gender": 2, "middlename": "Q", "taxvat": "DE123",
                          "addresses": [address(default_billing=True),
                                        address(street=["9 Side Rd"], city="Dallas",
                                                default_shipping=True)]})
    created = body_json(r)
    assert r.status_code == 200, created
    assert [k for k in CUSTOMER_KEYS if k in created] == list(created), "getter order"
    assert created["email"] == e and created["group_id"] == 1
    assert created["website_id"] == 1 and created["store_id"] == 1
    assert created["created_in"] == "Default Store View"
    assert created["dob"] == "1990-04-05" and created["gender"] == 2
    billing, shipping = created["addresses"]
    assert [k for k in ADDRESS_KEYS if k in billing] == list(billing), "getter order"
    assert created["default_billing"] == str(billing["id"])
    assert created["default_shipping"] == str(shipping["id"])
    assert billing["default_billing"] is True and billing["default_shipping"] is False
    assert shipping["default_shipping"] is True and shipping["city"] == "Dallas"
    assert billing["region"] == {"region_code": "TX", "region": "Texas", "region_id": 57}
    assert billing["street"] == ["1 Main St", "Apt 2"] and billing["customer_id"] == created["id"]
    # the admin reads the same JSON, and the customer can sign in with the password
    assert_response(server.get(f"{CUSTOMERS}/{created['id']}", token=admin_token), 200, created)
    tok = customer_token(server, e, PASSWORD)
    assert_response(server.get(CUSTOMER_ME_PATH, token=tok), 200, created)


def test_register_without_password(server):
    r = register(server, {"email": email(), "firstname": "A", "lastname": "B"}, password=None)
    created = body_json(r)
    assert r.status_code == 200, created
    r = server.post("/rest/V1/integration/customer/token",
                    json={"username": created["email"], "password": PASSWORD})
    assert r.status_code == 401


def test_register_duplicate_email(server):
    created = new_customer(server)
    r = register(server, {"email": created["email"].upper(), "firstname": "A", "lastname": "B"})
    assert_response(r, 400, {"message": MSG_CUSTOMER_EXISTS})


@pytest.mark.parametrize("password,message,params", [
    ("Ab1-", "The password needs at least %1 characters. Create a new password and try again.",
     [8]),
    ("alllowercase", "Minimum of different classes of characters in password is %1. Classes of "
     "characters: Lower Case, Upper Case, Digits, Special Characters.", [3]),
    (" Leading-space1", "The password can't begin or end with a space. Verify the password and "
     "try again.", None),
    ("Aa1-" * 70, "Please enter a password with at most %1 characters.", [256]),
])
def test_register_password_rules(server, password, message, params):
    r = register(server, {"email": email(), "firstname": "A", "lastname": "B"}, password)
    expected = {"message": message}
    if params is not None:
        expected["parameters"] = params
    assert_response(r, 400, expected)


def test_register_password_same_as_email(server):
    e = "Same-As-Email1@example.com"
    r = register(server, {"email": e, "firstname": "A", "lastname": "B"}, e)
    assert_response(r, 400, {"message": "The password can't be the same as the email address. "
                                        "Create a new password and try again."})


def test_register_required_fields(server):
    r = register(server, {"email": email(), "firstname": "A"})
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "lastname"}})
    r = register(server, {"firstname": ""})
    body = assert_json_error(r, 400)
    assert body["message"] == MSG_MULTIPLE_INPUT
    assert [e["parameters"]["fieldName"] for e in body["errors"]] == [
        "email", "firstname", "lastname"]
    r = register(server, {"email": email(), "firstname": "A", "lastname": "B",
                          "addresses": [{"firstname": "A"}]})
    body = assert_json_error(r, 400)
    assert [e["parameters"]["fieldName"] for e in body["errors"]] == [
        "lastname", "street", "city", "telephone", "postcode", "country_id"]


def test_register_bad_values(server):
    r = register(server, {"email": "not-an-email", "firstname": "A", "lastname": "B"})
    assert_json_error(r, 400)
    r = register(server, {"email": email(), "firstname": "A", "lastname": "B",
                          "addresses": [address(country_id="Narnia")]})
    assert_response(r, 400, {"message": 'Invalid value of "%value" provided for the %fieldName '
                                        'field.',
                             "parameters": {"fieldName": "countryId", "value": "Narnia"}})
    r = register(server, {"email": email(), "firstname": ["A"], "lastname": "B"})
    body = assert_json_error(r, 400)
    assert body["message"] == MSG_TYPE and body["parameters"]["type"] == "string"
    r = register(server, {"email": email(), "firstname": "F" * 256, "lastname": "B"})
    assert_json_error(r, 400)
    r = register(server, {"email": email(), "firstname": "A", "lastname": "B", "is_active": 1})
    assert_response(r, 400, {"message": MSG_FIELD_NOT_SUPPORTED,
                             "parameters": {"fieldName": "IsActive"}})
    r = server.post(CUSTOMERS, json={"firstname": "unwrapped"})
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "customer"}})


def test_register_group_needs_manage(server, admin_token):
    # Magento 2.4: only a caller allowed Magento_Customer::manage may choose the group
    body = {"email": email(), "firstname": "A", "lastname": "B", "group_id": 2}
    assert_response(register(server, body), 401, not_authorized("Magento_Customer::manage"))
    r = register(server, body, token=admin_token)
    assert r.status_code == 200 and body_json(r)["group_id"] == 2, r.text
    r = register(server, dict(body, email=email(), group_id=77), token=admin_token)
    assert_response(r, 400, {"message": "The specified customer group id does not exist."})


def test_register_under_a_store_code(server):
    r = register(server, {"email": email(), "firstname": "A", "lastname": "B"},
                 prefix="/rest/default/V1/customers")
    assert r.status_code == 200 and body_json(r)["store_id"] == 1


def test_is_email_available(server):
    taken = new_customer(server)["email"]
    path = f"{CUSTOMERS}/isEmailAvailable"
    assert_response(server.post(path, json={"customerEmail": taken}), 200, False)
    assert_response(server.post(path, json={"customerEmail": taken.upper(), "websiteId": 1}),
                    200, False)
    assert_response(server.post(path, json={"customerEmail": email()}), 200, True)
    assert_response(server.post(path, json={}), 400,
                    {"message": MSG_REQUIRED, "parameters": {"fieldName": "customerEmail"}})


# --- the admin's routes --------------------------------------------------------------------------


def test_get_missing_and_malformed(server, admin_token):
    assert_response(server.get(f"{CUSTOMERS}/987654", token=admin_token), 404,
                    no_such("customerId", 987654))
    assert_response(server.get(f"{CUSTOMERS}/abc", token=admin_token), 400,
                    {"message": MSG_TYPE, "parameters": {"value": "abc", "type": "int"}})
    assert_response(server.get(f"{CUSTOMERS}/addresses/987654", token=admin_token), 404,
                    no_such("addressId", 987654))


def test_update_merges_and_replaces_addresses(server, admin_token):
    created = new_customer(server, addresses=[address(default_billing=True, default_shipping=True)])
    cid, aid = created["id"], created["addresses"][0]["id"]
    path = f"{CUSTOMERS}/{cid}"
    # the path id wins over the body's
    r = server.request("PUT", path, token=admin_token,
                       json={"customer": {"id": 1, "lastname": "Smith", "group_id": 3}})
    updated = body_json(r)
    assert r.status_code == 200, updated
    assert updated["id"] == cid and updated["lastname"] == "Smith" and updated["group_id"] == 3
    assert updated["firstname"] == "Jane" and updated["addresses"] == created["addresses"]
    # an address with a known id is changed in place; a new one is added
    r = server.request("PUT", path, token=admin_token, json={"customer": {"addresses": [
        {"id": aid, "city": "Houston"}, address(city="El Paso", default_shipping=True)]}})
    updated = body_json(r)
    assert r.status_code == 200, updated
    first, second = updated["addresses"]
    assert first["id"] == aid and first["city"] == "Houston" and first["street"] == [
        "1 Main St", "Apt 2"]
    assert updated["default_billing"] == str(aid)
    assert updated["default_shipping"] == str(second["id"])
    assert_response(server.get(f"{CUSTOMERS}/addresses/{second['id']}", token=admin_token), 200,
                    second)
    assert_response(server.get(f"{CUSTOMERS}/{cid}/billingAddress", token=admin_token), 200, first)
    assert_response(server.get(f"{CUSTOMERS}/{cid}/shippingAddress", token=admin_token), 200,
                    second)
    # an empty list removes them all, and the defaults with them
    r = server.request("PUT", path, token=admin_token, json={"customer": {"addresses": []}})
    updated = body_json(r)
    assert updated["addresses"] == [] and "default_billing" not in updated
    assert_response(server.get(f"{CUSTOMERS}/addresses/{aid}", token=admin_token), 404,
                    no_such("addressId", aid))
    assert_response(server.get(f"{CUSTOMERS}/{cid}/billingAddress", token=admin_token), 200, None)


def test_update_errors(server, admin_token):
    a, b = new_customer(server), new_customer(server)
    r = server.request("PUT", f"{CUSTOMERS}/{a['id']}", token=admin_token,
                       json={"customer": {"email": b["email"]}})
    assert_response(r, 400, {"message": MSG_CUSTOMER_EXISTS})
    r = server.request("PUT", f"{CUSTOMERS}/987654", token=admin_token,
                       json={"customer": {"lastname": "x"}})
    assert_response(r, 404, no_such("customerId", 987654))
    r = server.request("PUT", f"{CUSTOMERS}/{a['id']}", token=admin_token,
                       json={"customer": {"firstname": ""}})
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "firstname"}})
    r = server.request("PUT", f"{CUSTOMERS}/{a['id']}", token=admin_token,
                       json={"customer": {"addresses": "none"}})
    assert_json_error(r, 400)


def test_delete(server, admin_token):
    created = new_customer(server, addresses=[address()])
    tok_owner = new_customer(server)
    path = f"{CUSTOMERS}/{created['id']}"
    assert_response(server.request("DELETE", path, token=admin_token), 200, True)
    assert_response(server.get(path, token=admin_token), 404, no_such("customerId", created["id"]))
    assert_response(server.request("DELETE", path, token=admin_token), 404,
                    no_such("customerId", created["id"]))
    aid = created["addresses"][0]["id"]
    assert server.get(f"{CUSTOMERS}/addresses/{aid}", token=admin_token).status_code == 404
    assert server.get(f"{CUSTOMERS}/{tok_owner['id']}", token=admin_token).status_code == 200


def test_deleted_customer_token_stops_working(server, admin_token):
    e = email()
    created = body_json(register(server, {"email": e, "firstname": "A", "lastname": "B"}))
    tok = customer_token(server, e, PASSWORD)
    assert server.get(CUSTOMER_ME_PATH, token=tok).status_code == 200
    server.request("DELETE", f"{CUSTOMERS}/{created['id']}", token=admin_token)
    assert_response(server.get(CUSTOMER_ME_PATH, token=tok), 401, not_authorized("self"))


# --- me ------------------------------------------------------------------------------------------


def test_me_default_addresses_and_forced_scope(server):
    e = email()
    created = body_json(register(server, {"email": e, "firstname": "A", "lastname": "B",
                                          "addresses": [address(default_billing=True)]}))
    tok = customer_token(server, e, PASSWORD)
    assert_response(server.get(f"{CUSTOMER_ME_PATH}/billingAddress", token=tok), 200,
                    created["addresses"][0])
    assert_response(server.get(f"{CUSTOMER_ME_PATH}/shippingAddress", token=tok), 200, None)
    # a customer cannot move themself into another group (Magento 2.4 forces it on /me)
    r = server.request("PUT", CUSTOMER_ME_PATH, token=tok,
                       json={"customer": {"group_id": 3, "website_id": 9, "lastname": "C"}})
    body = body_json(r)
    assert r.status_code == 200, body
    assert body["group_id"] == 1 and body["website_id"] == 1 and body["lastname"] == "C"
    r = server.request("PUT", CUSTOMER_ME_PATH, token=tok, json={"customer": {
        "addresses": created["addresses"] + [address(city="Waco", default_shipping=True)]}})
    body = body_json(r)
    assert r.status_code == 200 and len(body["addresses"]) == 2, body
    assert_response(server.get(f"{CUSTOMER_ME_PATH}/shippingAddress", token=tok), 200,
                    body["addresses"][1])


def test_me_address_routes_need_a_customer(server, admin_token):
    for which in ("billingAddress", "shippingAddress"):
        assert_response(server.get(f"{CUSTOMER_ME_PATH}/{which}"), 401, not_authorized("self"))
        assert_response(server.get(f"{CUSTOMER_ME_PATH}/{which}", token=admin_token), 401,
                        not_authorized("self"))


# --- ACL -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reader(server):
    return manual_integration(server, resources=["Magento_Customer::customer"])


@pytest.fixture(scope="module")
def target(server):
    return new_customer(server, addresses=[address()])


@pytest.mark.parametrize("method,path,body,resource", [
    ("PUT", "/{id}", {"customer": {"lastname": "X"}}, "Magento_Customer::manage"),
    ("DELETE", "/{id}", None, "Magento_Customer::delete"),
    ("GET", "/addresses/{aid}", None, "Magento_Customer::manage"),
    ("GET", "/{id}/billingAddress", None, "Magento_Customer::manage"),
])
def test_reader_is_refused_writes(server, reader, target, method, path, body, resource):
    url = server.url(CUSTOMERS + path.format(id=target["id"], aid=target["addresses"][0]["id"]))
    r = send(method, url, auth=reader.auth(METHOD), json=body)
    assert_response(r, 401, not_authorized(resource))


def test_reader_may_read(server, reader, target, admin_token):
    r = send("GET", server.url(f"{CUSTOMERS}/{target['id']}"), auth=reader.auth(METHOD))
    assert_response(r, 200, body_json(server.get(f"{CUSTOMERS}/{target['id']}",
                                                 token=admin_token)))
    r = send("GET", server.url(f"{CUSTOMERS}/search?searchCriteria="), auth=reader.auth(METHOD))
    assert r.status_code == 200 and body_json(r)["total_count"] >= 1


def test_without_customer_resource(server, target):
    cms = manual_integration(server, resources=["Magento_Cms::page"])
    for path in (f"/{target['id']}", "/search?searchCriteria="):
        r = send("GET", server.url(CUSTOMERS + path), auth=cms.auth(METHOD))
        assert_response(r, 401, not_authorized("Magento_Customer::customer"))


def test_anonymous_and_customer_callers(server, target):
    assert_response(server.get(f"{CUSTOMERS}/{target['id']}"), 401,
                    not_authorized("Magento_Customer::customer"))
    e = email()
    register(server, {"email": e, "firstname": "A", "lastname": "B"})
    tok = customer_token(server, e, PASSWORD)
    assert_response(server.get(f"{CUSTOMERS}/{target['id']}", token=tok), 401,
                    not_authorized("Magento_Customer::customer"))
    assert_response(server.request("DELETE", f"{CUSTOMERS}/{target['id']}", token=tok), 401,
                    not_authorized("Magento_Customer::delete"))


def test_manager_may_write(server, target):
    manager = manual_integration(server, resources=["Magento_Customer::customer",
                                                    "Magento_Customer::manage",
                                                    "Magento_Customer::delete"])
    other = new_customer(server)
    r = send("PUT", server.url(f"{CUSTOMERS}/{other['id']}"), auth=manager.auth(METHOD),
             json={"customer": {"prefix": "Dr"}})
    assert r.status_code == 200 and body_json(r)["prefix"] == "Dr", r.text
    r = send("DELETE", server.url(f"{CUSTOMERS}/{other['id']}"), auth=manager.auth(METHOD))
    assert_response(r, 200, True)


# --- search --------------------------------------------------------------------------------------


def test_search(server, admin_token):
    tag = secrets.token_hex(4)
    made = [new_customer(server, email=f"s{i}.{tag}@example.org", lastname=f"Z{tag}{i}",
                         addresses=[address()] if i == 1 else [])
            for i in range(3)]
    q = sc([[("email", f"%.{tag}@example.org", "like")]], [("lastname", "DESC")], page_size=2)
    r = server.get(f"{CUSTOMERS}/search?{q}", token=admin_token)
    body = body_json(r)
    assert r.status_code == 200, body
    assert body["total_count"] == 3
    assert [c["id"] for c in body["items"]] == [made[2]["id"], made[1]["id"]]
    assert body["items"][1] == body_json(server.get(f"{CUSTOMERS}/{made[1]['id']}",
                                                    token=admin_token))
    q = sc([[("email", f"%.{tag}@example.org", "like")], [("group_id", "1", "eq")]],
           extra=[("fields", "items[email],total_count")])
    body = body_json(server.get(f"{CUSTOMERS}/search?{q}", token=admin_token))
    assert body["total_count"] == 3 and list(body["items"][0]) == ["email"]


def test_search_errors(server, admin_token):
    assert_response(server.get(f"{CUSTOMERS}/search", token=admin_token), 400,
                    {"message": MSG_REQUIRED, "parameters": {"fieldName": "searchCriteria"}})
    q = sc([[("password_hash", "x", None)]])
    assert_response(server.get(f"{CUSTOMERS}/search?{q}", token=admin_token), 400,
                    {"message": "Invalid attribute name: %1", "parameters": ["password_hash"]})
    q = sc([[("email", "x' OR 1=1 --", None)]])
    r = server.get(f"{CUSTOMERS}/search?{q}", token=admin_token)
    assert r.status_code == 200 and body_json(r)["total_count"] == 0


# --- me/password and address deletion ------------------------------------------------------------


def test_me_password(server):
    e = email()
    register(server, {"email": e, "firstname": "A", "lastname": "B"})
    tok = customer_token(server, e, PASSWORD)
    path = f"{CUSTOMER_ME_PATH}/password"
    r = server.request("PUT", path, token=tok, json={"currentPassword": "Wrong-pass-1",
                                                     "newPassword": "Other-pass-2"})
    assert_response(r, 401, {"message": "The password doesn't match this account. Verify the "
                                        "password and try again."})
    r = server.request("PUT", path, token=tok, json={"currentPassword": PASSWORD,
                                                     "newPassword": "short"})
    assert_response(r, 400, {"message": "The password needs at least %1 characters. Create a new "
                                        "password and try again.", "parameters": [8]})
    r = server.request("PUT", path, token=tok, json={})
    body = assert_json_error(r, 400)
    assert [x["parameters"]["fieldName"] for x in body["errors"]] == ["currentPassword",
                                                                     "newPassword"]
    r = server.request("PUT", path, token=tok, json={"currentPassword": PASSWORD,
                                                     "newPassword": "Other-pass-2"})
    assert_response(r, 200, True)
    r = server.post("/rest/V1/integration/customer/token", json={"username": e,
                                                                "password": PASSWORD})
    assert r.status_code == 401
    assert customer_token(server, e, "Other-pass-2")
    assert_response(server.request("PUT", path, json={"currentPassword": "x", "newPassword": "y"}),
                    401, not_authorized("self"))


def test_delete_address(server, admin_token):
    created = new_customer(server, addresses=[address(default_billing=True), address(city="Waco")])
    first, second = created["addresses"]
    assert_response(server.request("DELETE", f"/rest/V1/addresses/{first['id']}",
                                   token=admin_token), 200, True)
    after = body_json(server.get(f"{CUSTOMERS}/{created['id']}", token=admin_token))
    assert [a["id"] for a in after["addresses"]] == [second["id"]]
    assert "default_billing" not in after
    assert_response(server.request("DELETE", f"/rest/V1/addresses/{first['id']}",
                                   token=admin_token), 404, no_such("addressId", first["id"]))
    assert_response(server.request("DELETE", f"/rest/V1/addresses/{second['id']}"), 401,
                    not_authorized("Magento_Customer::manage"))


@pytest.mark.parametrize("ref,status", [("0", 404), ("-5", 404), ("%FF", 400), ("1.5", 400),
                                        ("12345678901234567890", 400)])
def test_hostile_customer_ids(server, admin_token, ref, status):
    r = server.get(f"{CUSTOMERS}/{ref}", token=admin_token)
    body = assert_json_error(r, status)
    assert body["message"] == (MSG_NO_SUCH if status == 404 else MSG_TYPE)
