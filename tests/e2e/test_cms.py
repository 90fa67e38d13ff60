"""CMS pages and blocks (issue 6 item 4; reference §5.2, §5.6, §6, §8.3 and the observed table):
GET/POST/PUT/DELETE /rest/V1/cmsPage and /rest/V1/cmsBlock with Magento's field names (`active`,
never `is_active`), wrapper keys `page`/`block`, Magento 2.4's messages and parameter types, the
identifier rules, store assignment from the URL, the Magento_Cms::save_design rule, ACL with
integrations holding Custom resources, and the guest switch for the two GETs by id."""

import secrets

import pytest

from oauthtest import db_query, manual_integration, send
from sgtest import (
    MSG_DECODING,
    MSG_FIELD_NOT_SUPPORTED,
    MSG_NO_ROUTE,
    MSG_REQUIRED,
    assert_json_error,
    assert_response,
    body_json,
    not_authorized,
    wait_until,
)

PAGE = "/rest/V1/cmsPage"
BLOCK = "/rest/V1/cmsBlock"
MSG_PAGE_MISSING = 'The CMS page with the "%1" ID doesn\'t exist.'
MSG_BLOCK_MISSING = 'The CMS block with the "%1" ID doesn\'t exist.'
MSG_PAGE_SAVE = "Could not save the page: %1"
MSG_URL_KEY_TAKEN = "URL key for specified store already exists."
MSG_BLOCK_TAKEN = "A block identifier with the same properties already exists in the selected store."
MSG_PAGE_KEY_SYMBOLS = ("The page URL key can't use capital letters or disallowed symbols. "
                        "Remove the letters and symbols and try again.")
MSG_PAGE_KEY_NUMBERS = "The page URL key can't use only numbers. Add letters or words and try again."
MSG_LAYOUT = "Custom layout update text cannot be changed, only removed"
MSG_SELF_BLOCK = "Make sure that static block content does not reference the block itself."
MSG_TYPE = 'The "%value" value\'s type is invalid. The "%type" type was expected. Verify and try again.'
MSG_TOO_LONG = '"%fieldName" is longer than %max characters.'

PAGE_KEYS = ["id", "identifier", "title", "page_layout", "meta_title", "meta_keywords",
             "meta_description", "content_heading", "content", "creation_time", "update_time",
             "sort_order", "layout_update_xml", "custom_theme", "custom_root_template",
             "custom_layout_update_xml", "custom_theme_from", "custom_theme_to", "active"]
BLOCK_KEYS = ["id", "identifier", "title", "content", "creation_time", "update_time", "active"]


def ident(prefix="page"):
    return f"{prefix}-{secrets.token_hex(4)}"


def page_missing(ref):
    return {"message": MSG_PAGE_MISSING, "parameters": [ref]}


def block_missing(ref):
    return {"message": MSG_BLOCK_MISSING, "parameters": [str(ref)]}


def page_refused(reason):
    return {"message": MSG_PAGE_SAVE, "parameters": [reason]}


class Admin:
    """Admin-token calls on one server."""

    def __init__(self, srv, token):
        self.srv, self.token = srv, token

    def get(self, path, **kw):
        return self.srv.get(path, token=self.token, **kw)

    def post(self, path, body, **kw):
        return self.srv.post(path, token=self.token, json=body, **kw)

    def put(self, path, body, **kw):
        return self.srv.request("PUT", path, token=self.token, json=body, **kw)

    def delete(self, path, **kw):
        return self.srv.request("DELETE", path, token=self.token, **kw)

    def new_page(self, prefix=PAGE, **fields):
        body = {"identifier": ident(), "title": "A page", "content": "<p>hello</p>"}
        body.update(fields)
        r = self.post(prefix, {"page": body})
        assert r.status_code == 200, r.text
        return body_json(r)

    def new_block(self, prefix=BLOCK, **fields):
        body = {"identifier": ident("block"), "title": "A block", "content": "<p>b</p>"}
        body.update(fields)
        r = self.post(prefix, {"block": body})
        assert r.status_code == 200, r.text
        return body_json(r)


@pytest.fixture(scope="module")
def admin(server, admin_token):
    return Admin(server, admin_token)


def page_stores(srv, page_id):
    return sorted(r[0] for r in db_query(
        srv, "SELECT store_id FROM cms_page_store WHERE page_id = ?", (page_id,)))


def block_stores(srv, block_id):
    return sorted(r[0] for r in db_query(
        srv, "SELECT store_id FROM cms_block_store WHERE block_id = ?", (block_id,)))


# --- pages: reading ------------------------------------------------------------------------------


def test_default_pages_of_a_fresh_install(admin):
    r = admin.get(f"{PAGE}/2")
    assert_response(r, 200, {
        "id": 2, "identifier": "home", "title": "Home page", "page_layout": "1column",
        "content_heading": "Home Page", "content": "<p>CMS homepage content goes here.</p>",
        "sort_order": "0", "active": True})
    ids = [body_json(admin.get(f"{PAGE}/{i}"))["identifier"] for i in (1, 2, 3, 4)]
    assert ids == ["no-route", "home", "enable-cookies", "privacy-policy-cookie-restriction-mode"]


def test_page_by_identifier(admin):
    # Magento's getById loads by identifier when the value is not numeric.
    by_id = body_json(admin.get(f"{PAGE}/2"))
    assert_response(admin.get(f"{PAGE}/home"), 200, by_id)


@pytest.mark.parametrize("ref,param", [("999999", 999999), ("no-such-page", "no-such-page"),
                                       ("1%27%20OR%201%3D1", "1' OR 1=1")])
def test_missing_page(admin, ref, param):
    # Observed on 2.4.7: a numeric page id comes back as an integer parameter.
    assert_response(admin.get(f"{PAGE}/{ref}"), 404, page_missing(param))


@pytest.mark.parametrize("ref,param", [("999999", "999999"), ("nope", "nope")])
def test_missing_block(admin, ref, param):
    # ... and a block id as a string.
    assert_response(admin.get(f"{BLOCK}/{ref}"), 404, block_missing(param))


# --- pages: writing ------------------------------------------------------------------------------


def test_create_page_and_read_it_back(admin):
    key = ident()
    r = admin.post(PAGE, {"page": {
        "identifier": key, "title": "About us", "content": "<h1>About</h1>",
        "meta_title": "About", "meta_keywords": "a,b", "meta_description": "d",
        "content_heading": "Heading", "sort_order": 7, "active": False,
        "custom_root_template": "1column"}})
    created = body_json(r)
    assert r.status_code == 200, created
    assert isinstance(created["id"], int) and created["id"] > 4
    assert list(created) == [k for k in PAGE_KEYS if k in created], "keys in getter order"
    assert created["sort_order"] == "7" and created["active"] is False
    assert created["creation_time"] == created["update_time"]
    expected = dict(created)
    for k, v in {"identifier": key, "title": "About us", "content": "<h1>About</h1>",
                 "meta_title": "About", "meta_keywords": "a,b", "meta_description": "d",
                 "content_heading": "Heading", "custom_root_template": "1column"}.items():
        assert created[k] == v, k
    assert_response(admin.get(f"{PAGE}/{created['id']}"), 200, expected)
    assert_response(admin.get(f"{PAGE}/{key}"), 200, expected)


def test_camel_case_keys_and_php_casts(admin):
    created = admin.new_page(metaTitle="Camel", contentHeading=12, sortOrder="3", active="1")
    assert created["meta_title"] == "Camel"
    assert created["content_heading"] == "12"  # a number cast to the declared string
    assert created["sort_order"] == "3" and created["active"] is True


def test_is_active_is_not_a_field(admin):
    # The interface's key is `active` (isActive()); is_active has no accessor (observed table).
    r = admin.post(PAGE, {"page": {"identifier": ident(), "title": "x", "is_active": True}})
    assert_response(r, 400, {"message": MSG_FIELD_NOT_SUPPORTED,
                             "parameters": {"fieldName": "IsActive"}})


@pytest.mark.parametrize("key,camel", [("colour", "Colour"), ("page_id", "PageId"),
                                       ("custom_attributes", "CustomAttributes")])
def test_unknown_page_field(admin, key, camel):
    r = admin.post(PAGE, {"page": {"identifier": ident(), "title": "x", key: 1}})
    assert_response(r, 400, {"message": MSG_FIELD_NOT_SUPPORTED,
                             "parameters": {"fieldName": camel}})


def test_duplicate_page_identifier(admin):
    first = admin.new_page()
    r = admin.post(PAGE, {"page": {"identifier": first["identifier"], "title": "again"}})
    assert_response(r, 400, page_refused(MSG_URL_KEY_TAKEN))
    # the default pages live on all store views, so their keys are taken everywhere
    r = admin.post("/rest/all/V1/cmsPage", {"page": {"identifier": "home", "title": "again"}})
    assert_response(r, 400, page_refused(MSG_URL_KEY_TAKEN))


@pytest.mark.parametrize("identifier,reason", [
    ("About-Us", MSG_PAGE_KEY_SYMBOLS), ("a b", MSG_PAGE_KEY_SYMBOLS), ("x", MSG_PAGE_KEY_SYMBOLS),
    ("-abc", MSG_PAGE_KEY_SYMBOLS), ("a.b.c", MSG_PAGE_KEY_SYMBOLS), ("", MSG_PAGE_KEY_SYMBOLS),
    ("é-page", MSG_PAGE_KEY_SYMBOLS), ("'; DROP TABLE cms_page; --", MSG_PAGE_KEY_SYMBOLS),
    ("12345", MSG_PAGE_KEY_NUMBERS)])
def test_page_identifier_rules(admin, identifier, reason):
    r = admin.post(PAGE, {"page": {"identifier": identifier, "title": "t"}})
    assert_response(r, 400, page_refused(reason))


def test_page_identifier_forms_magento_accepts(admin):
    for key in (ident() + "/sub_page", ident() + ".html", "9" + ident()):
        assert admin.new_page(identifier=key)["identifier"] == key


def test_missing_identifier(admin):
    r = admin.post(PAGE, {"page": {"title": "no key"}})
    assert_response(r, 400, page_refused(MSG_PAGE_KEY_SYMBOLS))


@pytest.mark.parametrize("path,wrapper", [(PAGE, "page"), (BLOCK, "block")])
@pytest.mark.parametrize("body", [{}, {"title": "unwrapped"}, {"page_": {}}, None])
def test_body_without_its_wrapper(admin, path, wrapper, body):
    # Magento answers 500 here; storegate names the missing parameter.
    r = admin.post(path, body) if body is not None else admin.srv.post(
        path, token=admin.token, data="null", headers={"Content-Type": "application/json"})
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": wrapper}})


def test_wrapper_of_the_wrong_type(admin):
    r = admin.post(PAGE, {"page": "about-us"})
    body = assert_json_error(r, 400)
    assert body["message"] == MSG_TYPE and body["parameters"]["value"] == "about-us"


@pytest.mark.parametrize("field,value,typ", [
    ("title", ["a"], "string"), ("content", {"x": 1}, "string"), ("active", "maybe", "bool"),
    ("active", 7, "bool"), ("sort_order", "first", "int"), ("id", "seven", "int")])
def test_type_errors(admin, field, value, typ):
    page = {"identifier": ident(), "title": "t", field: value}
    r = admin.post(PAGE, {"page": page})
    body = assert_json_error(r, 400)
    assert body["message"] == MSG_TYPE, body
    assert body["parameters"]["type"] == typ, body


def test_over_long_values_are_refused_not_truncated(admin):
    r = admin.post(PAGE, {"page": {"identifier": ident(), "title": "t" * 256}})
    assert_response(r, 400, {"message": MSG_TOO_LONG,
                             "parameters": {"fieldName": "title", "max": 255}})
    r = admin.post(PAGE, {"page": {"identifier": "a" * 101, "title": "t"}})
    assert_response(r, 400, {"message": MSG_TOO_LONG,
                             "parameters": {"fieldName": "identifier", "max": 100}})


def test_bad_json_and_content_type(admin):
    r = admin.srv.post(PAGE, token=admin.token, data=b'{"page": {',
                       headers={"Content-Type": "application/json"})
    assert_response(r, 400, {"message": MSG_DECODING})
    r = admin.srv.post(PAGE, token=admin.token, data=b'{"page": {"identifier": "\xff\xfe"}}',
                       headers={"Content-Type": "application/json"})
    assert_response(r, 400, {"message": MSG_DECODING})


def test_deeply_nested_value(admin):
    deep = "[" * 5000 + "]" * 5000
    data = ('{"page": {"identifier": "deep-x", "title": ' + deep + '}}').encode()
    r = admin.srv.post(PAGE, token=admin.token, data=data,
                       headers={"Content-Type": "application/json"})
    assert_json_error(r, 400)
    assert admin.get(f"{PAGE}/1").status_code == 200  # still serving


def test_update_merges_and_forces_the_path_id(admin):
    page = admin.new_page(meta_title="kept", sort_order=2)
    other = admin.new_page()
    # the body's id is overridden by the path's (Magento's PUT id override)
    r = admin.put(f"{PAGE}/{page['id']}", {"page": {"id": other["id"], "title": "New title",
                                                    "active": False}})
    updated = body_json(r)
    assert r.status_code == 200, updated
    assert updated["id"] == page["id"]
    assert updated["title"] == "New title" and updated["active"] is False
    assert updated["meta_title"] == "kept" and updated["sort_order"] == "2"
    assert updated["identifier"] == page["identifier"]
    assert updated["creation_time"] == page["creation_time"]
    assert body_json(admin.get(f"{PAGE}/{other['id']}"))["title"] == other["title"]
    # null removes an optional value
    r = admin.put(f"{PAGE}/{page['id']}", {"page": {"meta_title": None}})
    assert "meta_title" not in body_json(r)


def test_update_to_a_taken_identifier(admin):
    a, b = admin.new_page(), admin.new_page()
    r = admin.put(f"{PAGE}/{b['id']}", {"page": {"identifier": a["identifier"]}})
    assert_response(r, 400, page_refused(MSG_URL_KEY_TAKEN))
    # saving a page under its own identifier is fine
    r = admin.put(f"{PAGE}/{a['id']}", {"page": {"identifier": a["identifier"], "title": "z"}})
    assert r.status_code == 200, r.text


def test_post_with_an_id_updates_that_page(admin):
    page = admin.new_page()
    r = admin.post(PAGE, {"page": {"id": page["id"], "title": "via POST"}})
    assert r.status_code == 200 and body_json(r)["id"] == page["id"]
    assert body_json(admin.get(f"{PAGE}/{page['id']}"))["title"] == "via POST"


@pytest.mark.parametrize("path,body,expected", [
    (f"{PAGE}/987654", {"page": {"title": "x"}}, page_missing(987654)),
    (f"{BLOCK}/987654", {"block": {"title": "x"}}, block_missing(987654)),
])
def test_update_of_a_missing_row(admin, path, body, expected):
    assert_response(admin.put(path, body), 404, expected)


def test_update_with_a_non_numeric_path_id(admin):
    r = admin.put(f"{PAGE}/about", {"page": {"title": "x"}})
    body = assert_json_error(r, 400)
    assert body == {"message": MSG_TYPE, "parameters": {"value": "about", "type": "int"}}


def test_layout_update_xml_cannot_be_set(admin):
    r = admin.post(PAGE, {"page": {"identifier": ident(), "title": "t",
                                   "layout_update_xml": "<referenceBlock name='x'/>"}})
    assert_response(r, 400, page_refused(MSG_LAYOUT))
    page = admin.new_page()
    r = admin.put(f"{PAGE}/{page['id']}", {"page": {"custom_layout_update_xml": "<x/>"}})
    assert_response(r, 400, page_refused(MSG_LAYOUT))
    # an empty value (removal) is accepted
    r = admin.put(f"{PAGE}/{page['id']}", {"page": {"custom_layout_update_xml": ""}})
    assert r.status_code == 200, r.text


def test_design_fields_for_an_admin(admin):
    page = admin.new_page(page_layout="2columns-left", custom_theme="Magento/luma",
                          custom_theme_from="2026-01-02", custom_theme_to="2026-02-03 10:00:00")
    assert page["page_layout"] == "2columns-left" and page["custom_theme"] == "Magento/luma"
    assert page["custom_theme_from"] == "2026-01-02" and page["custom_theme_to"] == "2026-02-03"
    r = admin.post(PAGE, {"page": {"identifier": ident(), "title": "t",
                                   "custom_theme_from": "02/01/2026"}})
    body = assert_json_error(r, 400)
    assert body["message"] == MSG_PAGE_SAVE


def test_delete_page(admin):
    page = admin.new_page()
    path = f"{PAGE}/{page['id']}"
    assert_response(admin.delete(path), 200, True)
    assert_response(admin.get(path), 404, page_missing(page["id"]))
    assert_response(admin.delete(path), 404, page_missing(page["id"]))
    # by identifier, as getById allows
    other = admin.new_page()
    assert_response(admin.delete(f"{PAGE}/{other['identifier']}"), 200, True)
    assert admin.get(f"{PAGE}/{other['id']}").status_code == 404


def test_wrong_verbs(admin):
    assert_response(admin.get(PAGE), 404, {"message": MSG_NO_ROUTE})
    assert_response(admin.post(f"{PAGE}/1", {"page": {}}), 404, {"message": MSG_NO_ROUTE})
    assert_response(admin.put(PAGE, {"page": {}}), 404, {"message": MSG_NO_ROUTE})
    assert_response(admin.delete(BLOCK), 404, {"message": MSG_NO_ROUTE})


# --- store assignment ----------------------------------------------------------------------------


def test_page_store_comes_from_the_url(admin, server):
    default = admin.new_page()
    everywhere = admin.new_page(prefix="/rest/all/V1/cmsPage")
    assert page_stores(server, default["id"]) == [1]
    assert page_stores(server, everywhere["id"]) == [0]
    # a page on store view 1 and one on all store views cannot share a key
    r = admin.post("/rest/all/V1/cmsPage", {"page": {"identifier": default["identifier"],
                                                      "title": "t"}})
    assert_response(r, 400, page_refused(MSG_URL_KEY_TAKEN))


def test_store_id_in_the_body(admin, server):
    # storegate's addition (magento/magento2#20053): store_id, one id or a list
    page = admin.new_page(store_id=[0])
    assert page_stores(server, page["id"]) == [0]
    assert "store_id" not in page  # the response keeps Magento's shape
    r = admin.post(PAGE, {"page": {"identifier": ident(), "title": "t", "store_id": 4242}})
    assert_json_error(r, 400)
    r = admin.post(PAGE, {"page": {"identifier": ident(), "title": "t", "store_id": "x"}})
    assert_json_error(r, 400)


def test_same_key_on_different_store_views(module_server_factory):
    srv = module_server_factory.create(pre_serve=[("store:view:create", "--code", "fr",
                                                   "--name", "French")])
    api = Admin(srv, srv.token())
    a = api.new_page(identifier="shipping")
    b = api.new_page(prefix="/rest/fr/V1/cmsPage", identifier="shipping")
    assert page_stores(srv, a["id"]) == [1] and page_stores(srv, b["id"]) == [2]
    r = api.post("/rest/fr/V1/cmsPage", {"page": {"identifier": "shipping", "title": "t"}})
    assert_response(r, 400, page_refused(MSG_URL_KEY_TAKEN))
    x = api.new_block(identifier="promo")
    y = api.new_block(prefix="/rest/fr/V1/cmsBlock", identifier="promo")
    assert block_stores(srv, x["id"]) == [1] and block_stores(srv, y["id"]) == [2]
    r = api.post("/rest/all/V1/cmsBlock", {"block": {"identifier": "promo", "title": "t"}})
    assert_response(r, 400, {"message": MSG_BLOCK_TAKEN})


# --- blocks --------------------------------------------------------------------------------------


def test_block_lifecycle(admin, server):
    key = ident("block")
    r = admin.post(BLOCK, {"block": {"identifier": key, "title": "Footer", "content": "<p>f</p>"}})
    created = body_json(r)
    assert r.status_code == 200, created
    assert list(created) == BLOCK_KEYS
    assert created["active"] is True and created["identifier"] == key
    assert block_stores(server, created["id"]) == [1]
    path = f"{BLOCK}/{created['id']}"
    assert_response(admin.get(path), 200, created)
    assert_response(admin.get(f"{BLOCK}/{key}"), 200, created)
    r = admin.put(path, {"block": {"content": "new", "active": False}})
    updated = body_json(r)
    assert r.status_code == 200, updated
    assert updated["content"] == "new" and updated["active"] is False
    assert updated["title"] == "Footer"
    assert_response(admin.delete(path), 200, True)
    assert_response(admin.get(path), 404, block_missing(created["id"]))
    assert_response(admin.delete(path), 404, block_missing(created["id"]))


def test_duplicate_block_identifier(admin):
    block = admin.new_block()
    r = admin.post(BLOCK, {"block": {"identifier": block["identifier"], "title": "again"}})
    assert_response(r, 400, {"message": MSG_BLOCK_TAKEN})
    # MySQL compares identifiers without case, and "all store views" meets every store
    r = admin.post("/rest/all/V1/cmsBlock", {"block": {"identifier": block["identifier"].upper(),
                                                        "title": "again"}})
    assert_response(r, 400, {"message": MSG_BLOCK_TAKEN})


@pytest.mark.parametrize("field", ["identifier", "title"])
def test_block_required_fields(admin, field):
    block = {"identifier": ident("block"), "title": "t"}
    del block[field]
    assert_response(admin.post(BLOCK, {"block": block}), 400,
                    {"message": MSG_REQUIRED, "parameters": {"fieldName": field}})


def test_block_must_not_embed_itself(admin):
    block = admin.new_block()
    content = f'{{{{widget type="Magento\\Cms\\Block\\Widget\\Block" block_id="{block["id"]}"}}}}'
    r = admin.put(f"{BLOCK}/{block['id']}", {"block": {"content": content}})
    assert_response(r, 400, {"message": MSG_SELF_BLOCK})


def test_block_page_fields_are_not_block_fields(admin):
    r = admin.post(BLOCK, {"block": {"identifier": ident("b"), "title": "t", "meta_title": "x"}})
    assert_response(r, 400, {"message": MSG_FIELD_NOT_SUPPORTED,
                             "parameters": {"fieldName": "MetaTitle"}})


# --- ACL with integrations -----------------------------------------------------------------------

METHOD = "HMAC-SHA256"


def signed(srv, creds, method, path, **kw):
    return send(method, srv.url(path), auth=creds.auth(METHOD), **kw)


@pytest.fixture(scope="module")
def block_only(server):
    return manual_integration(server, resources=["Magento_Cms::block"])


@pytest.fixture(scope="module")
def page_only(server):
    return manual_integration(server, resources=["Magento_Cms::page"])


@pytest.mark.parametrize("method,path,body", [
    ("GET", f"{PAGE}/1", None), ("POST", PAGE, {"page": {"identifier": "acl-x", "title": "t"}}),
    ("PUT", f"{PAGE}/1", {"page": {"title": "t"}}), ("DELETE", f"{PAGE}/1", None)])
def test_page_routes_need_magento_cms_page(server, block_only, method, path, body):
    r = signed(server, block_only, method, path, json=body)
    assert_response(r, 401, not_authorized("Magento_Cms::page"))


@pytest.mark.parametrize("method,path,body", [
    ("GET", f"{BLOCK}/1", None), ("POST", BLOCK, {"block": {"identifier": "acl-x", "title": "t"}}),
    ("PUT", f"{BLOCK}/1", {"block": {"title": "t"}}), ("DELETE", f"{BLOCK}/1", None)])
def test_block_routes_need_magento_cms_block(server, page_only, method, path, body):
    r = signed(server, page_only, method, path, json=body)
    assert_response(r, 401, not_authorized("Magento_Cms::block"))


def test_integration_with_the_resource(server, block_only, page_only):
    r = signed(server, page_only, "GET", f"{PAGE}/2")
    assert r.status_code == 200 and body_json(r)["identifier"] == "home"
    key = ident("blk")
    r = signed(server, block_only, "POST", BLOCK, json={"block": {"identifier": key, "title": "t"}})
    assert r.status_code == 200, r.text
    block_id = body_json(r)["id"]
    r = signed(server, block_only, "DELETE", f"{BLOCK}/{block_id}")
    assert_response(r, 200, True)


def test_design_fields_need_save_design(server, page_only, admin):
    # Magento 2.3+: without Magento_Cms::save_design, design fields of a new page are dropped and
    # those of a stored page kept.
    key = ident()
    r = signed(server, page_only, "POST", PAGE, json={"page": {
        "identifier": key, "title": "t", "page_layout": "3columns", "custom_theme": "x/y"}})
    created = body_json(r)
    assert r.status_code == 200, created
    assert "page_layout" not in created and "custom_theme" not in created
    admin.put(f"{PAGE}/{created['id']}", {"page": {"page_layout": "1column"}})
    r = signed(server, page_only, "PUT", f"{PAGE}/{created['id']}",
               json={"page": {"page_layout": "empty", "title": "t2"}})
    assert r.status_code == 200, r.text
    assert body_json(r)["page_layout"] == "1column" and body_json(r)["title"] == "t2"
    designer = manual_integration(server, resources=["Magento_Cms::page", "Magento_Cms::save",
                                                     "Magento_Cms::save_design"])
    r = signed(server, designer, "PUT", f"{PAGE}/{created['id']}",
               json={"page": {"page_layout": "empty"}})
    assert r.status_code == 200 and body_json(r)["page_layout"] == "empty", r.text


def test_customer_token_is_refused(server):
    from sgtest import create_customer, customer_token

    email = f"cms.{secrets.token_hex(4)}@example.com"
    create_customer(server, email, "Cms-Pass-123")
    tok = customer_token(server, email, "Cms-Pass-123")
    assert_response(server.get(f"{PAGE}/1", token=tok), 401, not_authorized("Magento_Cms::page"))


# --- guest access --------------------------------------------------------------------------------


def test_anonymous_is_refused_by_default(server):
    assert_response(server.get(f"{PAGE}/1"), 401, not_authorized("Magento_Cms::page"))
    assert_response(server.get(f"{BLOCK}/1"), 401, not_authorized("Magento_Cms::block"))


def test_guest_switch_opens_only_the_gets_by_id(server_factory):
    srv = server_factory.create()
    api = Admin(srv, srv.token())
    block = api.new_block()
    srv.cli_ok("config:set", "webapi/webapisecurity/allow_insecure", "1")
    wait_until(lambda: srv.get(f"{PAGE}/2").status_code == 200, 5.0,
               what="anonymous GET cmsPage after allow_insecure=1")
    assert_response(srv.get(f"{BLOCK}/{block['id']}"), 200, block)
    assert body_json(srv.get(f"{PAGE}/home"))["id"] == 2
    # writes stay protected
    assert_response(srv.post(PAGE, json={"page": {"identifier": "g-x", "title": "t"}}), 401,
                    not_authorized("Magento_Cms::page"))
    assert_response(srv.request("PUT", f"{BLOCK}/{block['id']}", json={"block": {}}), 401,
                    not_authorized("Magento_Cms::block"))
    assert_response(srv.request("DELETE", f"{PAGE}/2"), 401, not_authorized("Magento_Cms::page"))
    srv.cli_ok("config:set", "webapi/webapisecurity/allow_insecure", "0")
    wait_until(lambda: srv.get(f"{PAGE}/2").status_code == 401, 5.0,
               what="anonymous GET cmsPage refused after allow_insecure=0")


# --- searchCriteria lists ------------------------------------------------------------------------

from catalogtest import sc  # noqa: E402  (the shared searchCriteria query builder)


@pytest.fixture(scope="module")
def cms_server(module_server_factory):
    """A private server with a known set of pages and blocks for the list tests."""
    srv = module_server_factory.create()
    api = Admin(srv, srv.token())
    for i, (key, title, active) in enumerate([("alpha-page", "Alpha", True),
                                              ("beta-page", "Beta", False),
                                              ("gamma-page", "Gamma", True)]):
        api.new_page(identifier=key, title=title, active=active, sort_order=i)
    api.new_page(prefix="/rest/all/V1/cmsPage", identifier="delta-page", title="Delta")
    for key, title in [("footer-links", "Footer"), ("header-promo", "Header")]:
        api.new_block(identifier=key, title=title)
    return api


def search(api, path, query):
    r = api.get(f"{path}/search?{query}")
    return r, body_json(r)


def test_page_search_filters_sorts_and_pages(cms_server):
    q = sc([[("identifier", "%-page", "like")]], [("title", "ASC")], page_size=2, current_page=2)
    r, body = search(cms_server, PAGE, q)
    assert r.status_code == 200, body
    assert [p["identifier"] for p in body["items"]] == ["delta-page", "gamma-page"]
    assert body["total_count"] == 4
    assert body["search_criteria"] == {
        "filter_groups": [{"filters": [{"field": "identifier", "value": "%-page",
                                        "condition_type": "like"}]}],
        "sort_orders": [{"field": "title", "direction": "ASC"}], "page_size": 2,
        "current_page": 2}
    # the items are the same JSON as GET by id
    full = body_json(cms_server.get(f"{PAGE}/{body['items'][0]['id']}"))
    assert body["items"][0] == full


def test_page_search_or_within_a_group_and_across_groups(cms_server):
    q = sc([[("identifier", "alpha-page", "eq"), ("identifier", "beta-page", "eq")],
            [("is_active", "1", None)]])
    r, body = search(cms_server, PAGE, q)
    assert [p["identifier"] for p in body["items"]] == ["alpha-page"], body
    q = sc([[("active", "0", "eq")]])
    r, body = search(cms_server, PAGE, q)
    assert [p["identifier"] for p in body["items"]] == ["beta-page"], body


def test_page_search_by_store(cms_server):
    r, body = search(cms_server, PAGE, sc([[("store_id", "0", "eq")]], [("id", "ASC")]))
    keys = [p["identifier"] for p in body["items"]]
    assert "delta-page" in keys and "home" in keys and "alpha-page" not in keys, keys
    r, body = search(cms_server, PAGE, sc([[("store_id", "1", "eq")]], [("id", "ASC")]))
    assert [p["identifier"] for p in body["items"]] == ["alpha-page", "beta-page", "gamma-page"]


def test_page_search_fields_filter(cms_server):
    q = sc([[("identifier", "gamma-page", None)]], extra=[("fields", "items[id,identifier]")])
    r, body = search(cms_server, PAGE, q)
    assert r.status_code == 200 and list(body) == ["items"], body
    assert list(body["items"][0]) == ["id", "identifier"]


def test_block_search(cms_server):
    r, body = search(cms_server, BLOCK, sc([[("title", "Head%", "like")]]))
    assert [b["identifier"] for b in body["items"]] == ["header-promo"], body
    assert list(body["items"][0]) == BLOCK_KEYS
    r, body = search(cms_server, BLOCK, sc())
    assert body["total_count"] == 2 and body["search_criteria"] == {"filter_groups": []}


@pytest.mark.parametrize("path", [PAGE, BLOCK])
def test_search_errors(cms_server, path):
    assert_response(cms_server.get(f"{path}/search"), 400,
                    {"message": MSG_REQUIRED, "parameters": {"fieldName": "searchCriteria"}})
    r = cms_server.get(f"{path}/search?" + sc([[("title); DROP TABLE cms_page; --", "x", None)]]))
    assert_response(r, 400, {"message": "Invalid attribute name: %1",
                             "parameters": ["title); DROP TABLE cms_page; --"]})
    r = cms_server.get(f"{path}/search?" + sc([[("id", "1 OR 1=1", None)]]))
    body = assert_json_error(r, 400)
    assert body["message"] == MSG_TYPE
    r = cms_server.get(f"{path}/search?" + sc([[("title", "' OR '1'='1", None)]]))
    assert r.status_code == 200 and body_json(r)["total_count"] == 0


def test_search_acl_and_guest(cms_server, server_factory):
    srv = cms_server.srv
    assert_response(srv.get(f"{PAGE}/search?searchCriteria="), 401,
                    not_authorized("Magento_Cms::page"))
    blocks = manual_integration(srv, resources=["Magento_Cms::block"])
    r = send("GET", srv.url(f"{PAGE}/search?searchCriteria="), auth=blocks.auth(METHOD))
    assert_response(r, 401, not_authorized("Magento_Cms::page"))
    r = send("GET", srv.url(f"{BLOCK}/search?searchCriteria="), auth=blocks.auth(METHOD))
    assert r.status_code == 200 and body_json(r)["total_count"] == 2
    # the guest switch does not open the lists (they are not in Magento's list)
    guest = server_factory.create(pre_serve=[("config:set",
                                              "webapi/webapisecurity/allow_insecure", "1")])
    assert guest.get(f"{PAGE}/1").status_code == 200
    assert_response(guest.get(f"{PAGE}/search?searchCriteria="), 401,
                    not_authorized("Magento_Cms::page"))
    assert_response(guest.get(f"{BLOCK}/search?searchCriteria="), 401,
                    not_authorized("Magento_Cms::block"))


def test_fields_on_a_page(admin):
    r = admin.get(f"{PAGE}/2?fields=id,identifier,active")
    assert_response(r, 200, {"id": 2, "identifier": "home", "active": True})


@pytest.mark.parametrize("path", [PAGE, BLOCK])
def test_invalid_utf8_and_nul_refs(admin, path):
    body = assert_json_error(admin.get(f"{path}/%FF%FE"), 404)
    assert body["message"] in (MSG_PAGE_MISSING, MSG_BLOCK_MISSING)
    assert admin.get(f"{path}/%00").status_code in (400, 404)
    assert admin.get(f"{PAGE}/1").status_code == 200
