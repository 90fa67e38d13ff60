"""Customer accounts and tokens (issue 3 item 5; reference §5.3-§5.6, §8.5, the observed table):
POST /rest/V1/integration/customer/token, GET/PUT /rest/V1/customers/me (resource "self"),
POST /rest/V1/integration/customer/revoke-customer-token, the customer token lifetime, and the
`customer:create` command. Every wrong-password attempt uses a customer of its own, so that the
authentication lock (6 failures) never gets in the way; settings are changed only on a private
server."""

import calendar
import hashlib
import re
import secrets
import time

import pytest

from oauthtest import db_exec, db_query
from sgtest import (
    CUSTOMER_ME_PATH,
    CUSTOMER_REVOKE_PATH,
    CUSTOMER_TOKEN_PATH,
    MSG_BAD_CREDENTIALS,
    MSG_CUSTOMER_EXISTS,
    MSG_FIELD_NOT_SUPPORTED,
    MSG_MULTIPLE_INPUT,
    MSG_REQUIRED,
    NOT_AUTHORIZED_BODY,
    STORE_ENDPOINTS,
    assert_json_error,
    assert_response,
    body_json,
    create_customer,
    customer_token,
    not_authorized,
)
from storedb import stored_data

BAD_CREDENTIALS = {"message": MSG_BAD_CREDENTIALS}
SELF_REFUSED = not_authorized("self")
DATETIME_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def required(field):
    return {"message": MSG_REQUIRED, "parameters": {"fieldName": field}}


def new_email(prefix="cust"):
    return f"{prefix}.{secrets.token_hex(5)}@example.com"


def new_password():
    return "Cust-1" + secrets.token_hex(8)


class Customer:
    def __init__(self, server, firstname="Jane", lastname="Doe"):
        self.email = new_email()
        self.password = new_password()
        self.firstname = firstname
        self.lastname = lastname
        self.id = create_customer(server, self.email, self.password, firstname, lastname)["id"]

    def token(self, server):
        return customer_token(server, self.email, self.password)


@pytest.fixture
def customer(server):
    """A fresh customer on the shared server."""
    return Customer(server)


@pytest.fixture(scope="module")
def module_customer(server):
    """A customer shared by the read-only tests of this module."""
    return Customer(server, "Module", "Reader")


@pytest.fixture(scope="module")
def module_customer_token(server, module_customer):
    return module_customer.token(server)


def post_token(server, body, prefix="/rest"):
    return server.post(prefix + CUSTOMER_TOKEN_PATH[len("/rest"):], json=body)


def token_row(server, token):
    """(customer_id, user_type, type, created_at, expires_at) of a bearer token, found by its
    SHA-256 (bearer tokens are stored only as hashes)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    rows = db_query(server, "SELECT customer_id, user_type, type, created_at, expires_at"
                            " FROM oauth_token WHERE token = ?", (digest,))
    assert len(rows) == 1, f"no single oauth_token row holds the SHA-256 of the token: {rows!r}"
    return rows[0]


# --- POST /V1/integration/customer/token ------------------------------------------------------------


def test_good_credentials_return_a_json_string_token(server, module_customer):
    r = post_token(server, {"username": module_customer.email,
                            "password": module_customer.password})
    assert r.status_code == 200, r.text
    assert r.headers.get("Content-Type") == "application/json; charset=utf-8"
    assert r.content.startswith(b'"') and r.content.endswith(b'"'), r.content
    token = body_json(r)
    assert isinstance(token, str) and len(token) >= 32, token
    assert token.isprintable() and " " not in token, repr(token)


def test_every_call_issues_a_new_token(server, module_customer):
    assert module_customer.token(server) != module_customer.token(server)


@pytest.mark.parametrize("transform", [str.upper, str.swapcase, str.title],
                         ids=["upper", "swapcase", "title"])
def test_email_in_another_case(server, module_customer, transform):
    token = customer_token(server, transform(module_customer.email), module_customer.password)
    r = server.get(CUSTOMER_ME_PATH, token=token)
    assert r.status_code == 200, r.text
    assert body_json(r)["id"] == module_customer.id


@pytest.mark.parametrize("prefix", ["/rest/default", "/rest/all"])
def test_token_route_under_a_store_code(server, module_customer, prefix):
    r = post_token(server, {"username": module_customer.email,
                            "password": module_customer.password}, prefix)
    assert r.status_code == 200, r.text
    assert isinstance(body_json(r), str)


def test_wrong_password(server, customer):
    wrong = "Wrong-1" + secrets.token_hex(4)
    r = post_token(server, {"username": customer.email, "password": wrong})
    assert_response(r, 401, BAD_CREDENTIALS)
    assert "WWW-Authenticate" not in r.headers


def test_password_is_case_sensitive(server, customer):
    r = post_token(server, {"username": customer.email, "password": customer.password.swapcase()})
    assert_response(r, 401, BAD_CREDENTIALS)


def test_unknown_email_gets_the_same_answer(server, customer):
    wrong = post_token(server, {"username": customer.email, "password": "Wrong-1xyz"})
    unknown = post_token(server, {"username": new_email("nobody"), "password": customer.password})
    assert_response(unknown, 401, BAD_CREDENTIALS)
    assert (unknown.status_code, unknown.content) == (wrong.status_code, wrong.content)


def test_admin_credentials_are_not_customer_credentials(server):
    r = post_token(server, {"username": server.admin_user, "password": server.admin_password})
    assert_response(r, 401, BAD_CREDENTIALS)


def test_missing_username(server):
    assert_response(post_token(server, {"password": "Secret123"}), 400, required("username"))


def test_missing_password(server, module_customer):
    assert_response(post_token(server, {"username": module_customer.email}), 400,
                    required("password"))


@pytest.mark.parametrize("body", [{}, {"username": "", "password": ""}], ids=["absent", "empty"])
def test_missing_both(server, body):
    assert_response(post_token(server, body), 400, {
        "message": MSG_MULTIPLE_INPUT,
        "errors": [required("username"), required("password")],
    })


def test_customer_token_is_stored_only_as_a_hash(server, module_customer):
    token = module_customer.token(server)
    customer_id, user_type, kind, _, _ = token_row(server, token)
    assert (customer_id, user_type, kind) == (module_customer.id, 3, "access")
    password = module_customer.password.encode()
    for path, data in stored_data(server).items():
        assert token.encode() not in data, f"the customer token is stored in clear in {path}"
        assert password not in data, f"the customer password is stored in clear in {path}"


# --- GET /V1/customers/me ---------------------------------------------------------------------------


def test_me_shape(server, module_customer, module_customer_token):
    r = server.get(CUSTOMER_ME_PATH, token=module_customer_token)
    assert r.status_code == 200, r.text
    body = body_json(r)
    for k in ("created_at", "updated_at"):
        assert isinstance(body.get(k), str) and DATETIME_RE.fullmatch(body[k]), (k, body)
    assert body["updated_at"] >= body["created_at"], body
    assert_response(r, 200, {
        "id": module_customer.id,
        "group_id": 1,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "created_in": "Default Store View",
        "email": module_customer.email,
        "firstname": "Module",
        "lastname": "Reader",
        "store_id": 1,
        "website_id": 1,
        "addresses": [],
        "disable_auto_group_change": 0,
        "extension_attributes": {"is_subscribed": False},
    })


def test_me_created_at_is_utc_now(server, customer):
    body = body_json(server.get(CUSTOMER_ME_PATH, token=customer.token(server)))
    created = calendar.timegm(time.strptime(body["created_at"], "%Y-%m-%d %H:%M:%S"))
    assert abs(created - time.time()) < 120, (body["created_at"], time.gmtime())


def test_me_under_a_store_code(server, module_customer, module_customer_token):
    r = server.get("/rest/default/V1/customers/me", token=module_customer_token)
    assert r.status_code == 200, r.text
    assert body_json(r)["id"] == module_customer.id


def test_anonymous_me_names_self(server):
    assert_response(server.get(CUSTOMER_ME_PATH), 401, SELF_REFUSED)


def test_admin_token_on_me_names_self(server, admin_token):
    assert_response(server.get(CUSTOMER_ME_PATH, token=admin_token), 401, SELF_REFUSED)


def test_admin_token_on_put_me_names_self(server, admin_token):
    r = server.request("PUT", CUSTOMER_ME_PATH, token=admin_token,
                       json={"customer": {"firstname": "Admin"}})
    assert_response(r, 401, SELF_REFUSED)


def test_unknown_token_on_me_names_self(server):
    assert_response(server.get(CUSTOMER_ME_PATH, token=secrets.token_hex(16)), 401, SELF_REFUSED)


@pytest.mark.parametrize("endpoint", STORE_ENDPOINTS)
def test_customer_token_on_store_endpoints(server, module_customer_token, endpoint):
    r = server.get(f"/rest/V1/store/{endpoint}", token=module_customer_token)
    assert_response(r, 401, NOT_AUTHORIZED_BODY)


# --- PUT /V1/customers/me ---------------------------------------------------------------------------


def put_me(server, token, body):
    return server.request("PUT", CUSTOMER_ME_PATH, token=token, json=body)


def test_put_me_changes_firstname(server, customer):
    token = customer.token(server)
    before = body_json(server.get(CUSTOMER_ME_PATH, token=token))
    r = put_me(server, token, {"customer": {"email": customer.email, "firstname": "Renamed",
                                            "lastname": customer.lastname}})
    assert r.status_code == 200, r.text
    after = body_json(r)
    expected = dict(before, firstname="Renamed", updated_at=after.get("updated_at"))
    assert_response(r, 200, expected)
    assert after["updated_at"] >= before["updated_at"]
    assert_response(server.get(CUSTOMER_ME_PATH, token=token), 200, after)


def test_put_me_with_only_the_changed_field(server, customer):
    token = customer.token(server)
    r = put_me(server, token, {"customer": {"lastname": "Changed"}})
    assert r.status_code == 200, r.text
    body = body_json(r)
    assert (body["email"], body["firstname"], body["lastname"]) == (
        customer.email, customer.firstname, "Changed")


def test_put_me_cannot_change_the_id(server, customer, module_customer):
    token = customer.token(server)
    r = put_me(server, token, {"customer": {"id": module_customer.id, "firstname": "Sneaky"}})
    if r.status_code == 200:
        assert body_json(r)["id"] == customer.id, r.text
    else:
        assert_json_error(r, 400)
    other = body_json(server.get(CUSTOMER_ME_PATH, token=module_customer.token(server)))
    assert other["firstname"] == "Module", other


def test_put_me_unknown_key_is_not_supported(server, customer):
    token = customer.token(server)
    r = put_me(server, token, {"customer": {"firstname": "X", "is_active": 0}})
    assert_response(r, 400, {"message": MSG_FIELD_NOT_SUPPORTED,
                             "parameters": {"fieldName": "IsActive"}})
    assert body_json(server.get(CUSTOMER_ME_PATH, token=token))["firstname"] == customer.firstname


def test_put_me_without_the_customer_wrapper(server, customer):
    token = customer.token(server)
    r = put_me(server, token, {"firstname": "Unwrapped"})
    assert_json_error(r, 400)
    assert body_json(server.get(CUSTOMER_ME_PATH, token=token))["firstname"] == customer.firstname


@pytest.mark.parametrize("case", [str, str.upper], ids=["same-case", "other-case"])
def test_put_me_email_of_another_customer(server, customer, module_customer, case):
    token = customer.token(server)
    r = put_me(server, token, {"customer": {"email": case(module_customer.email),
                                            "firstname": customer.firstname,
                                            "lastname": customer.lastname}})
    assert_response(r, 400, {"message": MSG_CUSTOMER_EXISTS})
    assert body_json(server.get(CUSTOMER_ME_PATH, token=token))["email"] == customer.email


def test_put_me_new_email_signs_in(server, customer):
    token = customer.token(server)
    email = new_email("moved")
    r = put_me(server, token, {"customer": {"email": email, "firstname": customer.firstname,
                                            "lastname": customer.lastname}})
    assert r.status_code == 200, r.text
    assert body_json(r)["email"] == email
    assert body_json(server.get(CUSTOMER_ME_PATH, token=customer_token(
        server, email, customer.password)))["id"] == customer.id


def test_put_me_invalid_email(server, customer):
    token = customer.token(server)
    r = put_me(server, token, {"customer": {"email": "not-an-email"}})
    assert_json_error(r, 400)
    assert body_json(server.get(CUSTOMER_ME_PATH, token=token))["email"] == customer.email


def test_put_me_name_of_255_characters(server, customer):
    token = customer.token(server)
    r = put_me(server, token, {"customer": {"lastname": "L" * 255}})
    assert r.status_code == 200, r.text
    assert body_json(r)["lastname"] == "L" * 255


@pytest.mark.parametrize("length", [256])
def test_put_me_too_long_name_is_refused_not_truncated(server, customer, length):
    # customer:create refuses names over 255 characters; PUT must not store a shortened name
    # behind a 200 (Magento refuses values over the attribute's 255-character limit with a 400).
    token = customer.token(server)
    r = put_me(server, token, {"customer": {"firstname": "F" * length}})
    stored = body_json(server.get(CUSTOMER_ME_PATH, token=token))["firstname"]
    assert r.status_code == 400, (
        f"HTTP {r.status_code}; a {length}-character firstname was stored as "
        f"{len(stored)} characters")
    assert_json_error(r, 400)
    assert stored == customer.firstname


def test_put_me_too_long_email_is_refused_not_truncated(server, customer):
    # 256 characters; cut to 254 it would still look valid ("x@aaa...a.c"), a different address.
    email = "x@" + "a" * 250 + ".com"
    token = customer.token(server)
    r = put_me(server, token, {"customer": {"email": email}})
    stored = body_json(server.get(CUSTOMER_ME_PATH, token=token))["email"]
    assert r.status_code == 400, (
        f"HTTP {r.status_code}; a {len(email)}-character email was stored as {stored!r} "
        f"({len(stored)} characters)")
    assert stored == customer.email


def test_anonymous_put_me_names_self(server):
    r = server.request("PUT", CUSTOMER_ME_PATH, json={"customer": {"firstname": "X"}})
    assert_response(r, 401, SELF_REFUSED)


# --- POST /V1/integration/customer/revoke-customer-token --------------------------------------------


def test_revoke(server, customer):
    other = Customer(server)
    token, other_token = customer.token(server), other.token(server)
    assert server.get(CUSTOMER_ME_PATH, token=token).status_code == 200
    r = server.post(CUSTOMER_REVOKE_PATH, token=token)
    assert r.status_code == 200, r.text
    assert r.content == b"true", r.content
    assert_response(server.get(CUSTOMER_ME_PATH, token=token), 401, SELF_REFUSED)
    assert_response(server.post(CUSTOMER_REVOKE_PATH, token=token), 401, SELF_REFUSED)
    r = server.get(CUSTOMER_ME_PATH, token=other_token)
    assert r.status_code == 200, r.text
    assert body_json(r)["id"] == other.id
    # A new sign-in works again.
    assert server.get(CUSTOMER_ME_PATH, token=customer.token(server)).status_code == 200


def test_revoke_ends_every_token_of_the_customer(server, customer):
    first, second = customer.token(server), customer.token(server)
    assert server.post(CUSTOMER_REVOKE_PATH, token=second).content == b"true"
    for token in (first, second):
        assert_response(server.get(CUSTOMER_ME_PATH, token=token), 401, SELF_REFUSED)


def test_anonymous_revoke_names_self(server):
    assert_response(server.post(CUSTOMER_REVOKE_PATH), 401, SELF_REFUSED)


def test_admin_revoke_names_self(server, admin_token):
    assert_response(server.post(CUSTOMER_REVOKE_PATH, token=admin_token), 401, SELF_REFUSED)
    assert server.get("/rest/V1/store/websites", token=admin_token).status_code == 200


# --- token lifetime (a private server: settings change) ---------------------------------------------


@pytest.fixture(scope="module")
def lifetime_server(module_server_factory):
    return module_server_factory.create()


def test_lifetime_one_hour_and_expiry(lifetime_server):
    srv = lifetime_server
    srv.cli_ok("config:set", "oauth/access_token_lifetime/customer", "1")
    c = Customer(srv)
    token = c.token(srv)
    customer_id, _, _, created_at, expires_at = token_row(srv, token)
    assert customer_id == c.id
    assert abs(created_at - time.time()) < 120, created_at
    assert expires_at == created_at + 3600, (created_at, expires_at)
    assert srv.get(CUSTOMER_ME_PATH, token=token).status_code == 200
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert db_exec(srv, "UPDATE oauth_token SET expires_at = ? WHERE token = ?",
                   (int(time.time()) - 5, digest)) == 1
    assert_response(srv.get(CUSTOMER_ME_PATH, token=token), 401, SELF_REFUSED)
    assert_response(srv.post(CUSTOMER_REVOKE_PATH, token=token), 401, SELF_REFUSED)
    # A new token of the same customer is not affected.
    assert srv.get(CUSTOMER_ME_PATH, token=c.token(srv)).status_code == 200


def test_lifetime_setting_in_hours(lifetime_server):
    srv = lifetime_server
    srv.cli_ok("config:set", "oauth/access_token_lifetime/customer", "3")
    try:
        c = Customer(srv)
        _, _, _, created_at, expires_at = token_row(srv, c.token(srv))
        assert expires_at == created_at + 3 * 3600, (created_at, expires_at)
    finally:
        srv.cli_ok("config:set", "oauth/access_token_lifetime/customer", "1")


def test_lifetime_zero_means_no_expiry(lifetime_server):
    srv = lifetime_server
    srv.cli_ok("config:set", "oauth/access_token_lifetime/customer", "0")
    try:
        c = Customer(srv)
        token = c.token(srv)
        _, _, _, _, expires_at = token_row(srv, token)
        assert expires_at == 0, expires_at
        # However old the token, it still works.
        digest = hashlib.sha256(token.encode()).hexdigest()
        db_exec(srv, "UPDATE oauth_token SET created_at = ? WHERE token = ?",
                (int(time.time()) - 400 * 86400, digest))
        r = srv.get(CUSTOMER_ME_PATH, token=token)
        assert r.status_code == 200, r.text
        assert body_json(r)["id"] == c.id
    finally:
        srv.cli_ok("config:set", "oauth/access_token_lifetime/customer", "1")


def test_customer_lifetime_does_not_change_admin_tokens(lifetime_server):
    srv = lifetime_server
    srv.cli_ok("config:set", "oauth/access_token_lifetime/customer", "1")
    token = srv.token()
    digest = hashlib.sha256(token.encode()).hexdigest()
    rows = db_query(srv, "SELECT user_type, created_at, expires_at FROM oauth_token"
                         " WHERE token = ?", (digest,))
    assert len(rows) == 1, rows
    user_type, created_at, expires_at = rows[0]
    assert user_type == 2
    assert expires_at == created_at + 4 * 3600, (created_at, expires_at)


# --- customer:create --------------------------------------------------------------------------------


def assert_refused(cp):
    assert cp.returncode != 0, f"accepted:\nstdout: {cp.stdout}\nstderr: {cp.stderr}"
    assert re.search(r"^storegate: \S", cp.stderr, re.M), (
        f"no `storegate: <problem>`: {cp.stderr!r}")


def customer_create_args(**over):
    args = {"email": new_email("cli"), "firstname": "Cli", "lastname": "User",
            "password": new_password()}
    args.update(over)
    out = ["customer:create"]
    for k, v in args.items():
        if v is not None:
            out += [f"--{k}", v]
    return out


def test_customer_create_prints_id_and_the_customer_signs_in(server):
    email, password = new_email("cli"), new_password()
    cp = server.cli_ok("customer:create", "--email", email, "--firstname", "Cli",
                       "--lastname", "User", "--password", password)
    assert email in cp.stdout, cp.stdout
    me = body_json(server.get(CUSTOMER_ME_PATH, token=customer_token(server, email, password)))
    assert (me["email"], me["firstname"], me["lastname"], me["website_id"]) == (
        email, "Cli", "User", 1)


@pytest.mark.parametrize("over", [
    {"email": "not-an-email"},
    {"email": "two@@example.com"},
    {"email": "no-domain@"},
    {"email": ""},
    {"password": "Sh0rt!"},
    {"password": "alllowercaseletters"},
    {"firstname": None},
    {"lastname": None},
    {"firstname": ""},
    {"lastname": "L" * 256},
    {"email": None},
    {"password": None},
], ids=["bad-email", "two-at", "no-domain", "empty-email", "short-password",
        "one-class-password", "no-firstname", "no-lastname", "empty-firstname", "long-lastname",
        "no-email",
        "no-password"])
def test_customer_create_bad_input(server, over):
    args = customer_create_args(**over)
    cp = server.cli(*args)
    assert_refused(cp)
    email = dict(zip(args[1::2], args[2::2])).get("--email")
    if email:
        assert not db_query(server, "SELECT 1 FROM customer_entity WHERE email = ?", (email,))


@pytest.mark.parametrize("case", [str, str.upper], ids=["same-case", "other-case"])
def test_customer_create_duplicate_email(server, module_customer, case):
    cp = server.cli(*customer_create_args(email=case(module_customer.email)))
    assert_refused(cp)
    assert cp.returncode == 1, cp
    assert MSG_CUSTOMER_EXISTS in cp.stderr, cp.stderr
