"""POST /rest/V1/integration/admin/token and the admin Bearer token (reference §5.3, §5.4, §5.6;
docs/design.md "HTTP contract"). Wrong-password attempts use a dedicated user, so that the
authentication lock (6 failures per user name) can never lock out the install admin."""

import secrets

import pytest

from sgtest import (
    MSG_BAD_CREDENTIALS,
    MSG_MULTIPLE_INPUT,
    MSG_REQUIRED,
    NOT_AUTHORIZED_BODY,
    TOKEN_PATH,
    assert_json_error,
    assert_response,
    body_json,
)
from storedb import stored_data

STORE_VIEWS = "/rest/V1/store/storeViews"
BAD_CREDENTIALS = {"message": MSG_BAD_CREDENTIALS}


def required(field):
    return {"message": MSG_REQUIRED, "parameters": {"fieldName": field}}


BOTH_REQUIRED = {
    "message": MSG_MULTIPLE_INPUT,
    "errors": [required("username"), required("password")],
}


@pytest.fixture(scope="module")
def victim(server):
    """A second admin user for wrong-password attempts: (user name, password)."""
    name = "victim" + secrets.token_hex(4)
    password = "Vict1m-" + secrets.token_hex(8)
    server.cli_ok(
        "admin:user:create",
        "--admin-user", name,
        "--admin-password", password,
        "--admin-email", f"{name}@example.com",
        "--admin-firstname", "Vic",
        "--admin-lastname", "Tim",
    )
    return name, password


def post_token(server, body):
    return server.post(TOKEN_PATH, json=body)


# --- success ----------------------------------------------------------------------------------------


def test_good_credentials_return_a_json_string_token(server):
    r = post_token(server, {"username": server.admin_user, "password": server.admin_password})
    assert r.status_code == 200, r.text
    assert r.headers.get("Content-Type") == "application/json; charset=utf-8"
    assert r.content.startswith(b'"') and r.content.endswith(b'"'), r.content
    token = body_json(r)
    assert isinstance(token, str)
    assert len(token) >= 32, token
    assert token.isprintable() and " " not in token, repr(token)


def test_every_call_issues_a_new_token(server):
    a = server.token()
    b = server.token()
    assert a != b


def test_user_name_is_case_insensitive(server):
    token = server.token(username=server.admin_user.upper())
    r = server.get(STORE_VIEWS, token=token)
    assert r.status_code == 200, r.text


def test_token_works_as_bearer(server, admin_token):
    r = server.get(STORE_VIEWS, token=admin_token)
    assert r.status_code == 200, r.text
    assert isinstance(body_json(r), list)


def test_bearer_scheme_name_is_case_insensitive(server, admin_token):
    r = server.get(STORE_VIEWS, headers={"Authorization": "bearer " + admin_token})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("prefix", ["/rest/default", "/rest/all"])
def test_token_route_under_a_store_code(server, prefix):
    r = server.post(
        prefix + "/V1/integration/admin/token",
        json={"username": server.admin_user, "password": server.admin_password},
    )
    assert r.status_code == 200, r.text
    assert isinstance(body_json(r), str)


def test_new_user_gets_a_token(server, victim):
    name, password = victim
    token = server.token(name, password)
    assert server.get(STORE_VIEWS, token=token).status_code == 200


# --- bad credentials --------------------------------------------------------------------------------


def test_wrong_password(server, victim):
    name, _ = victim
    r = post_token(server, {"username": name, "password": "Wrong-" + secrets.token_hex(6)})
    assert_response(r, 401, BAD_CREDENTIALS)


def test_password_is_case_sensitive(server, victim):
    name, password = victim
    r = post_token(server, {"username": name, "password": password.swapcase()})
    assert_response(r, 401, BAD_CREDENTIALS)


def test_unknown_user(server):
    r = post_token(server, {"username": "nobody" + secrets.token_hex(4), "password": "Whatever1"})
    assert_response(r, 401, BAD_CREDENTIALS)


def test_unknown_user_with_the_admin_password(server):
    r = post_token(server, {"username": "nobody" + secrets.token_hex(4),
                            "password": server.admin_password})
    assert_response(r, 401, BAD_CREDENTIALS)


def test_no_401_carries_www_authenticate(server, victim):
    r = post_token(server, {"username": victim[0], "password": "Wrong-" + secrets.token_hex(6)})
    assert r.status_code == 401
    assert "WWW-Authenticate" not in r.headers


# --- missing or malformed fields --------------------------------------------------------------------


def test_missing_username(server):
    assert_response(post_token(server, {"password": "Secret123"}), 400, required("username"))


def test_missing_password(server):
    assert_response(post_token(server, {"username": "admin"}), 400, required("password"))


def test_missing_both(server):
    assert_response(post_token(server, {}), 400, BOTH_REQUIRED)


def test_empty_username(server):
    assert_response(post_token(server, {"username": "", "password": "Secret123"}), 400,
                    required("username"))


def test_empty_password(server):
    assert_response(post_token(server, {"username": "admin", "password": ""}), 400,
                    required("password"))


def test_empty_both(server):
    assert_response(post_token(server, {"username": "", "password": ""}), 400, BOTH_REQUIRED)


def test_null_username(server):
    assert_response(post_token(server, {"username": None, "password": "Secret123"}), 400,
                    required("username"))


@pytest.mark.parametrize(
    "body",
    [
        {"username": ["admin"], "password": "Secret123"},
        {"username": {"name": "admin"}, "password": "Secret123"},
        {"username": "admin", "password": ["Secret123"]},
        {"username": "admin", "password": {"p": "Secret123"}},
    ],
    ids=["username-array", "username-object", "password-array", "password-object"],
)
def test_non_string_values(server, body):
    assert_json_error(post_token(server, body), 400)


@pytest.mark.parametrize("body", [b'"admin"', b"[]", b"42", b"null"],
                         ids=["string", "array", "number", "null"])
def test_body_that_is_not_an_object_is_a_client_error(server, body):
    r = server.post(TOKEN_PATH, data=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert isinstance(body_json(r).get("message"), str)


# --- tokens that do not authenticate ----------------------------------------------------------------


def test_tampered_token_is_not_authorized(server, admin_token):
    last = admin_token[-1]
    tampered = admin_token[:-1] + ("A" if last != "A" else "B")
    assert_response(server.get(STORE_VIEWS, token=tampered), 401, NOT_AUTHORIZED_BODY)


def test_unknown_token_is_not_authorized(server):
    assert_response(server.get(STORE_VIEWS, token=secrets.token_hex(16)), 401,
                    NOT_AUTHORIZED_BODY)


def test_truncated_token_is_not_authorized(server, admin_token):
    assert_response(server.get(STORE_VIEWS, token=admin_token[:-4]), 401, NOT_AUTHORIZED_BODY)


def test_token_with_extra_space_is_not_authorized(server, admin_token):
    # Magento splits the header on single spaces and needs exactly two pieces.
    r = server.get(STORE_VIEWS, headers={"Authorization": "Bearer  " + admin_token})
    assert_response(r, 401, NOT_AUTHORIZED_BODY)


def test_token_in_another_scheme_is_not_authorized(server, admin_token):
    r = server.get(STORE_VIEWS, headers={"Authorization": "Basic " + admin_token})
    assert_response(r, 401, NOT_AUTHORIZED_BODY)


def test_password_is_not_a_token(server):
    assert_response(server.get(STORE_VIEWS, token=server.admin_password), 401,
                    NOT_AUTHORIZED_BODY)


# --- storage ----------------------------------------------------------------------------------------


def test_tokens_and_passwords_are_not_stored_in_clear(server):
    token = server.token()
    password = server.admin_password.encode()
    for path, data in stored_data(server).items():
        assert token.encode() not in data, f"the bearer token is stored in clear in {path}"
        assert password not in data, f"the admin password is stored in clear in {path}"
