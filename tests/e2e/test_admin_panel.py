"""The admin panel's server side (issue: admin panel): the static pages and their security headers,
sign-in with the session cookie, the form key (CSRF), sign-out and the idle timeout, the lock-out
keyed on the account, the current-password confirmation, roles limiting tokens and sessions, and
the configuration, users and roles admin API. Every test module gets its own store so that
lock-outs and configuration changes never reach the shared server."""

import hashlib
import re

import pytest

from sgtest import MSG_BAD_CREDENTIALS, MSG_REQUIRED, body_json, not_authorized
from storedb import db_exec, db_query

SESSION = "/admin/api/session"
COOKIE = "storegate_admin"
FORM_KEY_MSG = "Invalid Form Key. Please refresh the page."
STORE_VIEWS = "/rest/V1/store/storeViews"
GUEST = "webapi/webapisecurity/allow_insecure"


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory.create()


def sign_in(srv, username=None, password=None, headers=None):
    """POST /admin/api/session -> (response, cookie value or None)."""
    r = srv.post(SESSION, headers=headers, json={
        "username": username if username is not None else srv.admin_user,
        "password": password if password is not None else srv.admin_password,
    })
    m = re.search(COOKIE + r"=([a-z0-9]*)", r.headers.get("set-cookie", ""))
    return r, (m.group(1) if m else None)


class Panel:
    """A signed-in panel session: its cookie and form key on every request."""

    def __init__(self, srv, username=None, password=None):
        r, self.cookie = sign_in(srv, username, password)
        assert r.status_code == 200, r.text
        self.srv = srv
        self.form_key = body_json(r)["form_key"]
        self.me = body_json(r)

    def request(self, method, path, form_key=True, **kw):
        h = dict(kw.pop("headers", {}))
        h["Cookie"] = f"{COOKIE}={self.cookie}"
        if form_key and method != "GET":
            h["X-Form-Key"] = self.form_key
        return self.srv.request(method, path, headers=h, **kw)


def security_headers(r):
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"


# --- pages ----------------------------------------------------------------------------------------


def test_pages_are_served_from_the_binary_with_security_headers(srv):
    for path, ctype in (("/admin/", "text/html"), ("/admin/login", "text/html"),
                        ("/admin/js/app.js", "text/javascript"), ("/admin/css/admin.css", "text/css")):
        r = srv.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith(ctype), path
        security_headers(r)
    page = srv.get("/admin/").text
    assert "<script>" not in page and "style=" not in page  # nothing inline, as the CSP demands
    r = srv.get("/admin")
    assert r.status_code == 302 and r.headers["location"] == "/admin/"
    r = srv.get("/admin/nothing-here.js")
    assert r.status_code == 404
    assert body_json(r) == {"message": "Request does not match any route."}
    security_headers(srv.get("/admin/integrations/success"))
    # the admin API's answers carry them too, and are never cached
    r = srv.get("/admin/api/dashboard")
    security_headers(r)
    assert r.headers["cache-control"] == "no-store"


# --- sign-in, cookie, sign-out --------------------------------------------------------------------


def test_sign_in_sets_a_strict_http_only_cookie_and_names_are_case_insensitive(srv):
    r, cookie = sign_in(srv, username=srv.admin_user.upper())
    assert r.status_code == 200, r.text
    sc = r.headers["set-cookie"]
    assert "HttpOnly" in sc and "SameSite=Strict" in sc and "Path=/admin" in sc
    assert "Secure" not in sc  # plain http here; https adds Secure
    assert re.fullmatch(r"[a-z0-9]{32}", cookie)
    me = body_json(r)
    assert re.fullmatch(r"[0-9a-f]{64}", me["form_key"])
    assert me["user"]["username"] == srv.admin_user
    assert me["user"]["role"] == "Administrators" and me["resource_access"] == "all"
    # the token is stored only as its SHA-256
    rows = db_query(srv, "SELECT token_hash FROM admin_session")
    assert (hashlib.sha256(cookie.encode()).hexdigest(),) in rows
    assert all(cookie not in row[0] for row in rows)


def test_sign_in_errors(srv):
    r, cookie = sign_in(srv, password="wrong-password-1")
    assert r.status_code == 401 and cookie is None
    assert body_json(r) == {"message": MSG_BAD_CREDENTIALS}
    r = srv.post(SESSION, json={"username": "admin"})
    assert r.status_code == 400
    assert body_json(r) == {"message": MSG_REQUIRED, "parameters": {"fieldName": "password"}}
    # a sign-in posted from another site is refused (login CSRF)
    r, cookie = sign_in(srv, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and cookie is None
    assert body_json(r) == {"message": FORM_KEY_MSG}
    r, cookie = sign_in(srv, headers={"Origin": srv.base_url.rstrip("/")})
    assert r.status_code == 200 and cookie


def test_sign_out_ends_the_session_on_the_server(srv):
    p = Panel(srv)
    assert p.request("GET", SESSION).status_code == 200
    r = p.request("DELETE", SESSION)
    assert r.status_code == 200
    assert "Max-Age=0" in r.headers["set-cookie"]
    r = p.request("GET", "/admin/api/dashboard")
    assert r.status_code == 401
    assert body_json(r) == not_authorized("Magento_Backend::dashboard")


def test_idle_timeout(srv):
    p = Panel(srv)
    lifetime = p.me["session_lifetime"]
    assert lifetime == 900  # admin/security/session_lifetime's default
    digest = hashlib.sha256(p.cookie.encode()).hexdigest()
    db_exec(srv, "UPDATE admin_session SET last_seen_at = last_seen_at - ? WHERE token_hash = ?",
            (lifetime - 30, digest))
    assert p.request("GET", "/admin/api/dashboard").status_code == 200  # still inside; refreshed
    db_exec(srv, "UPDATE admin_session SET last_seen_at = last_seen_at - ? WHERE token_hash = ?",
            (lifetime + 1, digest))
    assert p.request("GET", "/admin/api/dashboard").status_code == 401
    assert db_query(srv, "SELECT COUNT(*) FROM admin_session WHERE token_hash = ?", (digest,)) == [(0,)]


# --- CSRF -----------------------------------------------------------------------------------------


def test_state_changing_requests_need_the_form_key(srv):
    p = Panel(srv)
    body = {"values": {GUEST: "1"}}
    for headers in ({}, {"X-Form-Key": "0" * 64}, {"X-Form-Key": p.form_key[:-1]}):
        r = p.request("PUT", "/admin/api/config", form_key=False, headers=headers, json=body)
        assert r.status_code == 403, r.text
        assert body_json(r) == {"message": FORM_KEY_MSG}
    assert srv.cli_ok("config:show", GUEST).stdout.strip() == "0"
    assert p.request("DELETE", SESSION, form_key=False).status_code == 403
    r = p.request("POST", "/admin/api/integrations", form_key=False, json={"name": "x"})
    assert r.status_code == 403
    # reads need none; bearer callers are not cookie-based and need none either
    assert p.request("GET", "/admin/api/config").status_code == 200
    tok = srv.token()
    r = srv.request("PUT", "/admin/api/config", token=tok, json={"values": {GUEST: "0"}})
    assert r.status_code == 200, r.text


# --- lock-out -------------------------------------------------------------------------------------


def test_lockout_is_keyed_on_the_account_case_insensitively(srv):
    name, password = "locky", "Locky-pass1"
    srv.cli_ok("admin:user:create", "--admin-user", name, "--admin-password", password,
               "--admin-email", "locky@example.com")
    srv.cli_ok("config:set", "admin/security/lockout_failures", "3")
    try:
        for who in ("locky", "LOCKY", "Locky"):
            r, _ = sign_in(srv, who, "not-the-password-1")
            assert r.status_code == 401
        r, cookie = sign_in(srv, name, password)
        assert r.status_code == 401 and cookie is None, "locked: the right password is refused"
        assert body_json(r) == {"message": MSG_BAD_CREDENTIALS}
        # another account is not affected
        assert sign_in(srv)[0].status_code == 200
        assert "Unlocked admin user locky" in srv.cli_ok("admin:user:unlock", name).stdout
        assert sign_in(srv, name, password)[0].status_code == 200
    finally:
        srv.cli_ok("config:set", "admin/security/lockout_failures", "6")


def test_wrong_confirmation_passwords_lock_and_sign_out(srv):
    name, password = "confirmer", "Confirm-pass1"
    srv.cli_ok("admin:user:create", "--admin-user", name, "--admin-password", password,
               "--admin-email", "confirmer@example.com")
    srv.cli_ok("config:set", "admin/security/lockout_failures", "2")
    try:
        p = Panel(srv, name, password)
        r = p.request("POST", "/admin/api/integrations", json={"name": "Needs a password"})
        assert r.status_code == 400
        assert body_json(r) == {"message": MSG_REQUIRED,
                                "parameters": {"fieldName": "current_password"}}
        r = p.request("POST", "/admin/api/integrations",
                      json={"name": "Confirmed", "current_password": "wrong-pass-1"})
        assert r.status_code == 400
        assert body_json(r) == {"message": "You have entered an invalid password for current user."}
        r = p.request("POST", "/admin/api/integrations",
                      json={"name": "Confirmed", "current_password": "wrong-pass-2"})
        assert r.status_code == 401
        assert body_json(r) == {"message": "Your account is temporarily disabled."}
        assert p.request("GET", SESSION).status_code == 401  # signed out everywhere
        assert sign_in(srv, name, password)[0].status_code == 401  # and locked
        srv.cli_ok("admin:user:unlock", name)
        p = Panel(srv, name, password)
        r = p.request("POST", "/admin/api/integrations",
                      json={"name": "Confirmed", "current_password": password})
        assert r.status_code == 200, r.text
        assert body_json(r)["message"] == "The integration 'Confirmed' has been saved."
    finally:
        srv.cli_ok("config:set", "admin/security/lockout_failures", "6")


# --- roles ----------------------------------------------------------------------------------------


def test_roles_limit_tokens_and_sessions(srv):
    srv.cli_ok("admin:role:create", "--name", "Dashboard only", "--resource",
               "Magento_Backend::dashboard")
    srv.cli_ok("admin:role:create", "--name", "Store reader", "--resource", "Magento_Backend::store")
    cp = srv.cli("admin:role:create", "--name", "dashboard ONLY", "--all-resources")
    assert cp.returncode == 1 and "already taken" in cp.stderr
    cp = srv.cli("admin:role:create", "--name", "Bad", "--resource", "Magento_Nope::nope")
    assert cp.returncode == 2 and "not in the ACL tree" in cp.stderr
    cp = srv.cli("admin:user:create", "--admin-user", "x1", "--admin-password", "Xx-pass1",
                 "--admin-email", "x1@example.com", "--role", "No such role")
    assert cp.returncode == 1 and "no admin role" in cp.stderr
    for user, role in (("dash", "Dashboard only"), ("reader", "Store reader")):
        srv.cli_ok("admin:user:create", "--admin-user", user, "--admin-password", "Role-pass1",
                   "--admin-email", f"{user}@example.com", "--role", role)

    # a role without Magento_Backend::store (standing in for Catalog, whose product routes are not
    # served yet) is refused on the store routes; one with it is served
    r = srv.get(STORE_VIEWS, token=srv.token("dash", "Role-pass1"))
    assert r.status_code == 401
    assert body_json(r) == not_authorized("Magento_Backend::store")
    assert srv.get(STORE_VIEWS, token=srv.token("reader", "Role-pass1")).status_code == 200
    r = srv.get("/admin/api/integrations", token=srv.token("reader", "Role-pass1"))
    assert body_json(r) == not_authorized("Magento_Integration::integrations")
    # the session is limited the same way
    p = Panel(srv, "dash", "Role-pass1")
    assert p.me["resource_access"] == "custom" and p.me["resources"] == ["Magento_Backend::dashboard"]
    assert p.request("GET", "/admin/api/dashboard").status_code == 200
    r = p.request("GET", "/admin/api/integrations")
    assert r.status_code == 401
    assert body_json(r) == not_authorized("Magento_Integration::integrations")
    assert p.request("GET", "/admin/api/config").status_code == 401
    # the install admin keeps Administrators (All)
    assert srv.get(STORE_VIEWS, token=srv.token()).status_code == 200


def test_roles_and_users_admin_api(srv):
    tok = srv.token()
    r = srv.request("POST", "/admin/api/roles", token=tok,
                    json={"name": "Integrators", "resources": ["Magento_Integration::integrations"]})
    assert r.status_code == 200, r.text
    role = body_json(r)["role"]
    assert role["resource_access"] == "custom" and role["users"] == 0
    assert role["resources"] == ["Magento_Integration::integrations"]
    r = srv.request("POST", "/admin/api/roles", token=tok, json={"name": "INTEGRATORS"})
    assert r.status_code == 400
    assert body_json(r) == {"message": 'A role with the name "%1" already exists.',
                            "parameters": ["INTEGRATORS"]}
    r = srv.request("POST", "/admin/api/roles", token=tok, json={"name": "x", "resources": [3]})
    assert r.status_code == 400
    r = srv.request("POST", "/admin/api/roles", token=tok, json={"name": "x", "colour": "red"})
    assert r.status_code == 400 and body_json(r)["parameters"] == {"fieldName": "Colour"}

    r = srv.request("POST", "/admin/api/users", token=tok, json={
        "username": "integrator", "password": "Integr-pass1", "email": "i@example.com",
        "role_id": role["id"]})
    assert r.status_code == 200, r.text
    user = body_json(r)["user"]
    assert user["role"] == "Integrators" and user["is_active"] is True
    r = srv.request("POST", "/admin/api/users", token=tok, json={
        "username": "Integrator", "password": "Integr-pass1", "email": "i@example.com"})
    assert r.status_code == 400
    r = srv.request("POST", "/admin/api/users", token=tok, json={
        "username": "weak", "password": "short", "email": "w@example.com"})
    assert body_json(r) == {"message": "Your password must be at least 7 characters."}
    itok = srv.token("integrator", "Integr-pass1")
    assert srv.get("/admin/api/integrations", token=itok).status_code == 200
    assert srv.get("/admin/api/roles", token=itok).status_code == 401

    r = srv.request("DELETE", f"/admin/api/roles/{role['id']}", token=tok)
    assert r.status_code == 400
    assert "assigned to users" in body_json(r)["message"]
    # disabling the user ends its tokens' use at once
    r = srv.request("PUT", f"/admin/api/users/{user['id']}", token=tok, json={"is_active": False})
    assert r.status_code == 200 and body_json(r)["user"]["is_active"] is False
    assert srv.get("/admin/api/integrations", token=itok).status_code == 401
    assert srv.request("DELETE", f"/admin/api/users/{user['id']}", token=tok).status_code == 200
    assert srv.request("DELETE", f"/admin/api/roles/{role['id']}", token=tok).status_code == 200
    r = srv.get(f"/admin/api/roles/{role['id']}", token=tok)
    assert r.status_code == 404
    # no one deletes their own account
    me = body_json(srv.get(SESSION, token=tok))["user"]
    r = srv.request("DELETE", f"/admin/api/users/{me['id']}", token=tok)
    assert body_json(r) == {"message": "You cannot delete your own account."}
    users = body_json(srv.get("/admin/api/users", token=tok))
    assert [u["role"] for u in users if u["username"] == srv.admin_user] == ["Administrators"]


# --- configuration --------------------------------------------------------------------------------


def test_configuration_api_takes_effect_at_once(srv):
    p = Panel(srv)
    values = body_json(p.request("GET", "/admin/api/config"))["values"]
    assert values[GUEST] == "0" and values["oauth/consumer/post_timeout"] == "5"
    assert values["oauth/signature_methods"] == "HMAC-SHA1,HMAC-SHA256"
    assert srv.get(STORE_VIEWS).status_code == 401
    r = p.request("PUT", "/admin/api/config", json={"values": {GUEST: "1"}})
    assert r.status_code == 200, r.text
    assert body_json(r)["message"] == "You saved the configuration."
    for _ in range(4):  # every worker thread sees it on its next request
        assert srv.get(STORE_VIEWS).status_code == 200
    r = p.request("PUT", "/admin/api/config", json={"values": {GUEST: False}})
    assert r.status_code == 200
    assert srv.get(STORE_VIEWS).status_code == 401
    # bad values change nothing, and say why
    r = p.request("PUT", "/admin/api/config", json={"values": {
        "oauth/consumer/post_timeout": "7", "oauth/timestamp_window": "0"}})
    assert r.status_code == 400
    assert "oauth/timestamp_window" in body_json(r)["message"]
    assert srv.cli_ok("config:show", "oauth/consumer/post_timeout").stdout.strip() == "5"
    r = p.request("PUT", "/admin/api/config", json={"values": {"oauth/signature_methods": "PLAINTEXT"}})
    assert r.status_code == 400
    r = p.request("PUT", "/admin/api/config", json={"values": {"web/secure/base_url": "x"}})
    assert r.status_code == 400
    assert body_json(r) == {"message": 'The "%1" path doesn\'t exist. Verify and try again.',
                            "parameters": ["web/secure/base_url"]}
    r = p.request("PUT", "/admin/api/config", json={"values": {
        "oauth/signature_methods": "HMAC-SHA256", "oauth/consumer/enable_integration_as_bearer": "1"}})
    assert r.status_code == 200
    assert srv.cli_ok("config:show", "oauth/signature_methods").stdout.strip() == "HMAC-SHA256"
    p.request("PUT", "/admin/api/config", json={"values": {
        "oauth/signature_methods": "HMAC-SHA1,HMAC-SHA256",
        "oauth/consumer/enable_integration_as_bearer": "0"}})


def test_dashboard_counts(srv):
    d = body_json(Panel(srv).request("GET", "/admin/api/dashboard"))
    assert d["websites"] == 1 and d["store_views"] == 1
    assert d["admin_users"] >= 1
    assert d["integrations"] == d["integrations_active"] + d["integrations_inactive"] + d["integrations_reset"]
    assert d["allow_insecure"] in (True, False)


def test_cookie_is_secure_under_https(server_factory):
    """Behind a trusted TLS-terminating proxy (X-Forwarded-Proto: https) the cookie gets Secure."""
    srv = server_factory.create(serve_args=("--trusted-proxies", "127.0.0.1/32"))
    r, cookie = sign_in(srv, headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 200 and cookie
    assert "; Secure" in r.headers["set-cookie"]
    r, cookie = sign_in(srv)
    assert r.status_code == 200 and "Secure" not in r.headers["set-cookie"]


@pytest.mark.parametrize("endpoint,step", [
    ("http://storegate-test.invalid/callback", "DNS lookup failed: "),
    ("http://127.0.0.1:{closed}/callback", "connection refused or unreachable: "),
    # TLS spoken to a plain-HTTP server (the store itself)
    ("https://127.0.0.1:{port}/callback", "TLS handshake or certificate check failed: "),
])
def test_callback_failures_name_the_failing_step(srv, endpoint, step):
    from harness import free_port

    tok = srv.token()
    url = endpoint.format(closed=free_port(), port=srv.port)
    r = srv.request("POST", "/admin/api/integrations", token=tok,
                    json={"name": "Step " + step.split(":")[0], "endpoint": url})
    assert r.status_code == 200, r.text
    iid = body_json(r)["integration"]["id"]
    r = srv.request("POST", f"/admin/api/integrations/{iid}/test-callback", token=tok)
    assert r.status_code == 200, r.text
    cb = body_json(r)
    assert cb["delivered"] is False and cb["error"].startswith(step), cb
    r = srv.request("POST", f"/admin/api/integrations/{iid}/activate", token=tok)
    assert r.status_code == 400
    err = body_json(r)
    assert err["message"] == 'The attempt to post data to the Callback URL "%1" failed: %2'
    assert err["parameters"][0] == url and err["parameters"][1].startswith(step)
    srv.request("DELETE", f"/admin/api/integrations/{iid}", token=tok)
