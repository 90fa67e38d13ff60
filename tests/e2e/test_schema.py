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
    assert set(doc["paths"]) == TOKEN_PATHS
    assert [t["name"] for t in doc["tags"]] == ["integrationAdminTokenServiceV1",
                                                "integrationCustomerTokenServiceV1"]
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
    ids = operation_ids(doc)
    assert len(ids) == len(set(ids)), "operationIds must be unique"
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
    assert set(doc["paths"]) == TOKEN_PATHS | {"/V1/customers/me",
                                               "/V1/integration/customer/revoke-customer-token"}


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
