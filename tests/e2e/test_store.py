"""Magento_Store read endpoints over a fresh install (reference §8.4, observed table; docs/design.md):
exact entities, field names and JSON types; store codes in URLs (§5.1); store:view:create; the
storeCodes[] filter; store configuration values read per store scope.

List order is not part of Magento's contract, so lists are compared sorted by id.
`extension_attributes` is part of Magento's data interfaces but has nothing in it for these
entities; it may be omitted, and when present it must be empty."""

from pathlib import Path

import pytest

from sgtest import (
    MSG_BAD_REQUEST_PATH,
    assert_json,
    assert_response,
    body_json,
)

WEBSITES = [
    {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
    {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
]
GROUPS = [
    {"id": 0, "website_id": 0, "root_category_id": 0, "default_store_id": 0,
     "name": "Default", "code": "default"},
    {"id": 1, "website_id": 1, "root_category_id": 2, "default_store_id": 1,
     "name": "Main Website Store", "code": "main_website_store"},
]
STORE_VIEWS = [
    {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0,
     "is_active": 1},
    {"id": 1, "code": "default", "name": "Default Store View", "website_id": 1,
     "store_group_id": 1, "is_active": 1},
]
STORE_CONFIG_KEYS = {
    "id", "code", "website_id", "locale", "base_currency_code", "default_display_currency_code",
    "timezone", "weight_unit", "base_url", "base_link_url", "base_static_url", "base_media_url",
    "secure_base_url", "secure_base_link_url", "secure_base_static_url", "secure_base_media_url",
}
BAD_PATH = {"message": MSG_BAD_REQUEST_PATH}


def strip_extension_attributes(items):
    out = []
    for item in items:
        assert isinstance(item, dict), item
        item = dict(item)
        if "extension_attributes" in item:
            ea = item.pop("extension_attributes")
            assert ea in ({}, []), f"unexpected extension_attributes {ea!r} in {item!r}"
        out.append(item)
    return out


def entities(resp):
    assert resp.status_code == 200, (resp.status_code, resp.text[:500])
    assert resp.headers.get("Content-Type") == "application/json; charset=utf-8"
    data = body_json(resp)
    assert isinstance(data, list), data
    return sorted(strip_extension_attributes(data), key=lambda e: e["id"])


def by_code(items):
    return {i["code"]: i for i in items}


def valid_timezone(name):
    return isinstance(name, str) and name and (
        name == "UTC" or (Path("/usr/share/zoneinfo") / name).is_file()
    )


def check_store_config(cfg, store_id, code, website_id, base_url, locale="en_US"):
    assert set(cfg) == STORE_CONFIG_KEYS, f"keys differ: {sorted(set(cfg) ^ STORE_CONFIG_KEYS)}"
    assert_json(
        {k: cfg[k] for k in ("id", "code", "website_id", "locale", "base_currency_code",
                             "default_display_currency_code", "weight_unit", "base_url",
                             "base_link_url", "secure_base_url", "secure_base_link_url",
                             "base_media_url", "secure_base_media_url")},
        {"id": store_id, "code": code, "website_id": website_id, "locale": locale,
         "base_currency_code": "USD", "default_display_currency_code": "USD",
         "weight_unit": "lbs", "base_url": base_url, "base_link_url": base_url,
         "secure_base_url": base_url, "secure_base_link_url": base_url,
         "base_media_url": base_url + "media/", "secure_base_media_url": base_url + "media/"},
    )
    assert valid_timezone(cfg["timezone"]), cfg["timezone"]
    for k in ("base_static_url", "secure_base_static_url"):
        assert isinstance(cfg[k], str) and cfg[k].startswith(base_url + "static/"), (k, cfg[k])
        assert cfg[k].endswith("/"), (k, cfg[k])


# --- fresh install, as admin ------------------------------------------------------------------------


def test_websites(server, admin_token):
    assert_json(entities(server.get("/rest/V1/store/websites", token=admin_token)), WEBSITES)


def test_store_groups(server, admin_token):
    assert_json(entities(server.get("/rest/V1/store/storeGroups", token=admin_token)), GROUPS)


def test_store_views(server, admin_token):
    assert_json(entities(server.get("/rest/V1/store/storeViews", token=admin_token)),
                STORE_VIEWS)


def test_store_configs(server, admin_token):
    configs = entities(server.get("/rest/V1/store/storeConfigs", token=admin_token))
    # Only real store views: the admin store (id 0) has no storefront configuration.
    assert [c["id"] for c in configs] == [1], configs
    check_store_config(configs[0], 1, "default", 1, server.base_url)


@pytest.mark.parametrize("query", ["storeCodes[]=default", "storeCodes%5B%5D=default",
                                   "storeCodes[0]=default"])
def test_store_configs_filter_by_code(server, admin_token, query):
    configs = entities(server.get("/rest/V1/store/storeConfigs?" + query, token=admin_token))
    assert [c["code"] for c in configs] == ["default"], configs


def test_store_configs_filter_unknown_code_is_empty(server, admin_token):
    r = server.get("/rest/V1/store/storeConfigs?storeCodes[]=nosuch", token=admin_token)
    assert_response(r, 200, [])


# --- store codes in the URL -------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["storeViews", "storeGroups", "websites", "storeConfigs"])
@pytest.mark.parametrize("prefix", ["/rest/default", "/rest/all"])
def test_store_code_prefixes_answer_the_same_data(server, admin_token, prefix, endpoint):
    plain = entities(server.get(f"/rest/V1/store/{endpoint}", token=admin_token))
    scoped = entities(server.get(f"{prefix}/V1/store/{endpoint}", token=admin_token))
    assert_json(scoped, plain)


@pytest.mark.parametrize(
    "path",
    [
        "/rest/nosuch/V1/store/storeViews",
        "/rest/v1/store/storeViews",
        "/rest/nosuch/V1/store/storeConfigs",
        "/rest/DEFAULT/V1/store/storeViews",
    ],
)
def test_unknown_store_code_or_lowercase_version(server, admin_token, path):
    assert_response(server.get(path, token=admin_token), 400, BAD_PATH)


def test_unknown_store_code_on_the_token_route(server):
    r = server.post("/rest/nosuch/V1/integration/admin/token",
                    json={"username": server.admin_user, "password": server.admin_password})
    assert_response(r, 400, BAD_PATH)


# --- store:view:create, store-scoped configuration --------------------------------------------------


@pytest.fixture(scope="module")
def fr_server(module_server_factory):
    """A store with two more store views, one inactive, and store-scoped settings for `fr`."""
    return module_server_factory.create(pre_serve=[
        ("store:view:create", "--code", "fr", "--name", "French"),
        ("store:view:create", "--code", "off", "--name", "Closed", "--inactive"),
        ("config:set", "--scope", "stores", "--scope-code", "fr", "general/locale/code", "fr_FR"),
        ("config:set", "--scope", "stores", "--scope-code", "fr", "general/locale/weight_unit",
         "kgs"),
        ("config:set", "--scope", "websites", "--scope-code", "base", "general/locale/timezone",
         "Europe/Paris"),
    ])


@pytest.fixture(scope="module")
def fr_token(fr_server):
    return fr_server.token()


def test_created_store_views_are_listed(fr_server, fr_token):
    views = by_code(entities(fr_server.get("/rest/V1/store/storeViews", token=fr_token)))
    assert sorted(views) == ["admin", "default", "fr", "off"], sorted(views)
    assert_json(views["fr"], {"id": views["fr"]["id"], "code": "fr", "name": "French",
                              "website_id": 1, "store_group_id": 1, "is_active": 1})
    assert views["fr"]["id"] not in (0, 1)
    assert_json(views["off"], {"id": views["off"]["id"], "code": "off", "name": "Closed",
                               "website_id": 1, "store_group_id": 1, "is_active": 0})
    assert_json(views["default"], STORE_VIEWS[1])
    assert_json(views["admin"], STORE_VIEWS[0])


def test_new_store_code_works_in_urls(fr_server, fr_token):
    plain = entities(fr_server.get("/rest/V1/store/storeViews", token=fr_token))
    scoped = entities(fr_server.get("/rest/fr/V1/store/storeViews", token=fr_token))
    assert_json(scoped, plain)
    assert "fr" in by_code(scoped)


def test_groups_and_websites_unchanged_by_new_views(fr_server, fr_token):
    assert_json(entities(fr_server.get("/rest/fr/V1/store/storeGroups", token=fr_token)), GROUPS)
    assert_json(entities(fr_server.get("/rest/fr/V1/store/websites", token=fr_token)), WEBSITES)


def test_store_configs_filter_new_code(fr_server, fr_token):
    configs = entities(fr_server.get("/rest/V1/store/storeConfigs?storeCodes[]=fr",
                                     token=fr_token))
    assert [c["code"] for c in configs] == ["fr"], configs
    cfg = configs[0]
    assert cfg["locale"] == "fr_FR"
    assert cfg["weight_unit"] == "kgs"
    assert cfg["timezone"] == "Europe/Paris"
    assert cfg["base_currency_code"] == "USD"
    assert cfg["website_id"] == 1
    assert cfg["base_url"] == fr_server.base_url


def test_store_configs_several_codes(fr_server, fr_token):
    configs = entities(fr_server.get(
        "/rest/V1/store/storeConfigs?storeCodes[]=default&storeCodes[]=fr", token=fr_token))
    assert sorted(c["code"] for c in configs) == ["default", "fr"], configs


def test_store_configs_all_store_views(fr_server, fr_token):
    configs = by_code(entities(fr_server.get("/rest/V1/store/storeConfigs", token=fr_token)))
    assert sorted(configs) == ["default", "fr", "off"], sorted(configs)
    # The default store view keeps the default-scope locale and weight unit, and sees the
    # website-scope time zone.
    d = configs["default"]
    assert (d["locale"], d["weight_unit"], d["timezone"]) == ("en_US", "lbs", "Europe/Paris"), d
    assert configs["off"]["locale"] == "en_US"


def test_store_view_create_refuses_bad_input(fr_server, fr_token):
    before = entities(fr_server.get("/rest/V1/store/storeViews", token=fr_token))
    for args in (
        ("--code", "fr", "--name", "Duplicate"),          # code taken
        ("--code", "Bad Code", "--name", "Bad"),          # not [a-z][a-z0-9_]*
        ("--code", "9lives", "--name", "Bad"),            # must start with a letter
        ("--code", "nogroup", "--name", "X", "--group-id", "99"),  # no such group
    ):
        cp = fr_server.cli("store:view:create", *args)
        assert cp.returncode != 0, f"store:view:create {args} was accepted: {cp.stdout}"
        assert "storegate:" in cp.stderr, cp.stderr
    cp = fr_server.cli("store:view:create", "--name", "No code")
    assert cp.returncode == 2, (cp.returncode, cp.stderr)
    after = entities(fr_server.get("/rest/V1/store/storeViews", token=fr_token))
    assert_json(after, before)
