"""Integrations end to end (issue 4; reference §1-§3, §9 and the observed table), with the example
third-party application (examples/third-party-app/app.py) as the third party, run as a subprocess:

* create (command line and admin JSON API), activate from the admin API: the app receives the four
  fields in Magento's order; the identity link carries oauth_consumer_key and success_call_back
  (with '&' when the Identity Link URL already has a query); following it with `requests` (GET the
  form, POST the demo login) makes the app run the token exchange and redirect to
  success_call_back; the integration is Active; the app lists store views with a signed GET;
* the tokens endpoint, scoped access (Custom resources, edits effective at once), reauthorize,
  delete, test-callback, the activation log, usage counters;
* a Callback URL that is down, slow (past oauth/consumer/post_timeout), redirecting or answering 500;
* bad inputs to every admin API endpoint and integration command, and non-admin callers.

storegate's deliberate differences from Magento held here (issue 4): the credentials are POSTed
whenever a Callback URL is set; an Identity Link URL with a query gets '&'; non-2xx answers count as
delivered but carry a warning."""

import html.parser
import json
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1

from harness import HTTP_TIMEOUT, REPO, free_port
from oauthtest import CALLBACK_FIELDS, TOKEN_RE, CallbackReceiver, cli_json, unique_name
from sgtest import JSON_CT, MSG_DECODING, MSG_NOT_AUTHORIZED, assert_response, body_json

APP = REPO / "examples" / "third-party-app" / "app.py"
DEMO_USER = "merchant@example.com"
DEMO_PASSWORD = "demo-password"

ADMIN_API = "/admin/api"
INTEGRATIONS_RESOURCE = "Magento_Integration::integrations"
STORE_RESOURCE = "Magento_Backend::store"
STORE_VIEWS = "/rest/V1/store/storeViews"

MSG_NO_INTEGRATION = 'The integration with ID "%1" doesn\'t exist.'
MSG_NAME_EXISTS = 'The integration with name "%1" exists.'
MSG_POST_FAILED = 'The attempt to post data to the Callback URL "%1" failed: %2'
MSG_FIELD_NOT_SUPPORTED = '"%fieldName" is not supported. Correct the field name and try again.'
MSG_NO_TOKEN = "Specified token does not exist"
TIME_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
UNKNOWN_ID = "987654"

APP_START_TIMEOUT = 10.0


def not_authorized(resource):
    return {"message": MSG_NOT_AUTHORIZED, "parameters": {"resources": resource}}


def rendered(body):
    """A Magento error's message with its parameters filled in (what a client displays)."""
    msg, params = body["message"], body.get("parameters")
    if isinstance(params, dict):
        for k, v in params.items():
            msg = msg.replace("%" + k, str(v))
    elif isinstance(params, list):
        for i, v in enumerate(params, 1):
            msg = msg.replace("%" + str(i), str(v))
    return msg


def assert_magento_error(resp, status, pattern=None):
    """A JSON error in Magento's shape: the status, JSON content type, a message whose every
    placeholder has a parameter (and parameters only with placeholders); `pattern` is searched in
    the rendered message. Returns the body."""
    where = f"{resp.request.method} {resp.request.path_url}"
    assert resp.status_code == status, (
        f"{where}: expected HTTP {status}, got {resp.status_code}: {resp.content[:400]!r}")
    assert resp.headers.get("Content-Type") == JSON_CT, (where, resp.headers.get("Content-Type"))
    body = body_json(resp)
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], (
        where, body)
    assert set(body) <= {"message", "parameters", "errors", "trace"}, (where, body)
    holders = re.findall(r"%([A-Za-z0-9]+)", body["message"])
    params = body.get("parameters")
    if holders:
        assert isinstance(params, (list, dict)), f"{where}: placeholders without parameters {body}"
        keys = ([str(i) for i in range(1, len(params) + 1)] if isinstance(params, list)
                else list(params))
        for h in holders:
            assert h in keys, f"{where}: placeholder %{h} has no parameter: {body}"
    else:
        assert params is None, f"{where}: parameters without placeholders: {body}"
    if pattern:
        assert re.search(pattern, rendered(body)), (
            f"{where}: {rendered(body)!r} does not match {pattern!r}")
    return body


# --- the example application as a subprocess --------------------------------------------------------


class App:
    """examples/third-party-app/app.py on a free port (--port 0; the port is read from its
    `listening on` line), with its --state file in `root`."""

    def __init__(self, root, auto_exchange=False):
        self.root = Path(root)
        tag = "auto" if auto_exchange else "login"
        self.state_path = self.root / f"app-{tag}-state.json"
        self.stderr_path = self.root / f"app-{tag}.stderr"
        self._err = open(self.stderr_path, "wb")
        cmd = [sys.executable, str(APP), "--port", "0", "--state", str(self.state_path)]
        if auto_exchange:
            cmd.append("--auto-exchange")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._err, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], APP_START_TIMEOUT)
        line = self.proc.stdout.readline() if ready else ""
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"the example app did not start: {line!r}\n{self.logs()}")
        self.port = int(m.group(1))
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path):
        return self.base + path

    def get(self, path, **kw):
        kw.setdefault("timeout", HTTP_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        return requests.get(self.url(path), **kw)

    def links(self):
        r = self.get("/status")
        assert r.status_code == 200, (r.status_code, r.text)
        return {rec["consumer_key"]: rec for rec in r.json()["links"]}

    def link(self, key):
        rec = self.links().get(key)
        assert rec is not None, f"the app has no record of consumer key {key}\n{self.logs()}"
        return rec

    def state(self, key):
        """The app's stored record (secrets included) from its --state file."""
        return json.loads(self.state_path.read_text())["links"][key]

    def logs(self):
        try:
            return "--- example app stderr ---\n" + self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc.stdout.close()
        self._err.close()
        return code


# --- the admin JSON API -----------------------------------------------------------------------------


class AdminApi:
    def __init__(self, srv):
        self.srv = srv
        self.token = srv.token()

    def call(self, method, path, body=None, raw=None, token=None, headers=None):
        """`body` is sent as JSON; `raw` (str) as is with Content-Type application/json."""
        kw = {}
        h = dict(headers or {})
        if raw is not None:
            h["Content-Type"] = "application/json"
            kw["data"] = raw.encode()
        elif body is not None:
            kw["json"] = body
        return self.srv.request(method, ADMIN_API + path, token=self.token if token is None
                                else token or None, headers=h, **kw)

    def ok(self, method, path, body=None):
        r = self.call(method, path, body)
        assert r.status_code == 200, f"{method} {path}: HTTP {r.status_code} {r.text[:500]}"
        assert r.headers.get("Content-Type") == JSON_CT, r.headers
        return body_json(r)

    def get(self, iid):
        return self.ok("GET", f"/integrations/{iid}")

    def create(self, **fields):
        fields.setdefault("name", unique_name("app"))
        return self.ok("POST", "/integrations", fields)

    def activate(self, iid, verb="activate", success_call_back=None):
        return self.ok("POST", f"/integrations/{iid}/{verb}",
                       {"success_call_back": success_call_back or success_url(self.srv)})

    def tokens(self, iid):
        return self.ok("GET", f"/integrations/{iid}/tokens")

    def log(self, iid):
        return self.ok("GET", f"/integrations/{iid}/log")


def success_url(srv):
    """What the admin panel passes as success_call_back (a query, so that encoding shows)."""
    return srv.base_url + "admin/integration/loginSuccessCallback?popup=1"


# --- a browser on the identity link -----------------------------------------------------------------


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""),
                               "method": a.get("method", "get").lower(), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def sign_in(identity_link, user=DEMO_USER, password=DEMO_PASSWORD):
    """What the admin's popup does: GET the identity link, fill in the login form as a browser
    would (its hidden fields kept), POST it. Returns (form page, answer to the POST)."""
    with requests.Session() as s:
        page = s.get(identity_link, timeout=HTTP_TIMEOUT)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        assert page.headers["Content-Type"].startswith("text/html"), page.headers
        parser = FormParser()
        parser.feed(page.text)
        assert len(parser.forms) == 1 and parser.forms[0]["method"] == "post", parser.forms
        form = parser.forms[0]
        fields = dict(form["fields"], username=user, password=password)
        answer = s.post(urllib.parse.urljoin(identity_link, form["action"]), data=fields,
                        timeout=HTTP_TIMEOUT, allow_redirects=False)
        return page, answer


def signed(srv, method, path, tokens, **kw):
    """A request signed by requests-oauthlib with an integration's four credentials."""
    auth = OAuth1(tokens["consumer_key"], tokens["consumer_secret"], tokens["access_token"],
                  tokens["access_token_secret"], signature_method="HMAC-SHA256")
    kw.setdefault("timeout", HTTP_TIMEOUT)
    return requests.request(method, srv.url(path), auth=auth, allow_redirects=False, **kw)


def events(log):
    """Event names, oldest first (the log answers newest first)."""
    return [e["event"] for e in reversed(log)]


def is_subsequence(needles, haystack):
    it = iter(haystack)
    return all(any(n == h for h in it) for n in needles)


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory.create()


@pytest.fixture(scope="module")
def admin(srv):
    return AdminApi(srv)


@pytest.fixture(scope="module")
def app(module_server_factory):
    a = App(module_server_factory.root)
    yield a
    assert a.close() == 0, f"the example app did not exit 0 on SIGTERM\n{a.logs()}"


@pytest.fixture(scope="module")
def auto_app(module_server_factory):
    a = App(module_server_factory.root, auto_exchange=True)
    yield a
    assert a.close() == 0, f"the example app did not exit 0 on SIGTERM\n{a.logs()}"


def create_for(admin, app, **fields):
    """An integration whose Callback URL and Identity Link URL are the example app's."""
    fields.setdefault("email", "partner@example.com")
    fields.setdefault("endpoint", app.url("/callback"))
    fields.setdefault("identity_link_url", app.url("/login"))
    if "resources" not in fields:
        fields.setdefault("all_resources", True)
    return admin.create(**fields)["integration"]


def link(admin, app, **fields):
    """Create, activate, sign in through the identity link: returns (integration id, tokens)."""
    iid = create_for(admin, app, **fields)["id"]
    act = admin.activate(iid)
    _, answer = sign_in(act["identity_link"])
    assert answer.status_code == 303, (answer.status_code, answer.text[:500], app.logs())
    assert admin.get(iid)["status"] == 1
    return iid, admin.tokens(iid)


# --- the whole flow ---------------------------------------------------------------------------------


def test_admin_api_flow_with_the_example_app(srv, admin, app):
    name = unique_name("partner")
    saved = admin.create(name=name, email="partner@example.com", endpoint=app.url("/callback"),
                         identity_link_url=app.url("/login"), resources=[STORE_RESOURCE])
    it = saved["integration"]
    iid = it["id"]
    assert saved["message"] == f"The integration '{name}' has been saved.", saved
    # http:// Callback URL: accepted, with Magento's recommendation as a warning
    assert len(saved["warnings"]) == 1 and "https" in saved["warnings"][0], saved
    assert isinstance(iid, int) and iid > 0, it
    for k, v in {"name": name, "email": "partner@example.com", "endpoint": app.url("/callback"),
                 "identity_link_url": app.url("/login"), "status": 0, "status_label": "Inactive",
                 "setup_type": 0, "resource_access": "custom", "resources": [STORE_RESOURCE],
                 "insecure": True, "last_used_at": None, "request_count": 0}.items():
        assert it[k] == v, (k, it)
    assert TIME_RE.fullmatch(it["created_at"]) and TIME_RE.fullmatch(it["updated_at"]), it
    assert iid in [i["id"] for i in admin.ok("GET", "/integrations")]
    before = admin.tokens(iid)
    assert TOKEN_RE.fullmatch(before["consumer_key"]), before
    assert before["access_token"] is None and before["access_token_secret"] is None, before

    # Activate: the credentials go to the app's Callback URL, in Magento's order.
    act = admin.activate(iid)
    assert act["message"] == f"Integration '{name}' has been sent for activation.", act
    cb = act["callback"]
    assert cb["url"] == app.url("/callback") and cb["delivered"] is True, cb
    assert cb["http_status"] == 200 and cb["error"] is None and cb["warning"] is None, cb
    assert isinstance(cb["latency_ms"], int) and 0 <= cb["latency_ms"] < 5000, cb
    assert act["tokens"] is None, act
    assert act["integration"]["status"] == 0, act
    rec = app.link(before["consumer_key"])
    assert rec["received_fields"] == list(CALLBACK_FIELDS), rec
    assert rec["store_base_url"] == srv.base_url, rec
    assert rec["exchange"] == "pending" and rec["linked"] is False, rec

    # The identity link: the Identity Link URL with exactly the two parameters.
    url, _, query = act["identity_link"].partition("?")
    assert url == app.url("/login"), act["identity_link"]
    assert urllib.parse.parse_qsl(query, keep_blank_values=True) == [
        ("oauth_consumer_key", before["consumer_key"]),
        ("success_call_back", success_url(srv))], act["identity_link"]
    assert admin.get(iid)["status"] == 0  # waiting for the third party

    # The admin's popup: the app's login form, the demo account, back to success_call_back.
    page, answer = sign_in(act["identity_link"])
    assert srv.base_url in page.text  # the app names the store it is linking
    assert answer.status_code == 303, (answer.status_code, answer.text[:500], app.logs())
    assert answer.headers["Location"] == success_url(srv), answer.headers
    now = admin.get(iid)
    assert now["status"] == 1 and now["status_label"] == "Active", now
    rec = app.link(before["consumer_key"])
    assert rec["linked"] is True and rec["exchange"] == "done" and rec["merchant"] == DEMO_USER

    # The app uses the store's API with its access token.
    r = app.get("/store-views")
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["store"] == srv.base_url
    assert {v["code"] for v in r.json()["store_views"]} >= {"admin", "default"}, r.json()

    # The tokens endpoint shows the four values the app holds.
    tokens = admin.tokens(iid)
    assert set(tokens) == {"consumer_key", "consumer_secret", "access_token",
                           "access_token_secret"}, tokens
    for k, v in tokens.items():
        assert isinstance(v, str) and TOKEN_RE.fullmatch(v), (k, tokens)
    assert tokens["consumer_key"] == before["consumer_key"]
    assert tokens["consumer_secret"] == before["consumer_secret"]
    held = app.state(tokens["consumer_key"])
    for k, held_k in (("consumer_secret", "consumer_secret"), ("access_token", "access_token"),
                      ("access_token_secret", "access_token_secret")):
        assert held[held_k] == tokens[k], k
    assert os.stat(app.state_path).st_mode & 0o777 == 0o600  # the app's file holds secrets
    assert signed(srv, "GET", STORE_VIEWS, tokens).status_code == 200

    # The activation log, newest first, with times and the acting admin.
    log = admin.log(iid)
    for e in log:
        assert set(e) == {"at", "event", "detail", "admin"} and TIME_RE.fullmatch(e["at"]), e
    assert log[0]["event"] == "tokens viewed" and log[0]["admin"] == srv.admin_user, log
    want = ["created", "saved", "tokens viewed", "credentials posted", "request token issued",
            "access token issued", "tokens viewed"]
    assert is_subsequence(want, events(log)), events(log)
    posted = next(e for e in log if e["event"] == "credentials posted")
    assert posted["admin"] == srv.admin_user and "HTTP 200" in posted["detail"], posted
    assert app.url("/callback") in posted["detail"], posted


def test_cli_created_integration_and_identity_link_with_a_query(srv, admin, app):
    name = unique_name("cli")
    identity = app.url("/login?partner=acme&lang=en")
    cp = srv.cli_ok("integration:create", "--name", name, "--email", "ops@example.com",
                    "--endpoint", app.url("/callback"), "--identity-link-url", identity,
                    "--resource", STORE_RESOURCE, "--json")
    created = json.loads(cp.stdout)
    assert "https" in cp.stderr, cp.stderr  # the http:// Callback URL warning
    assert created["status"] == "Inactive" and created["identity_link_url"] == identity, created
    iid = created["id"]
    assert admin.get(iid)["name"] == name

    act = admin.activate(iid)
    key = admin.tokens(iid)["consumer_key"]
    # storegate departs from Magento here: '&' after a URL that has a query, not a second '?'
    assert act["identity_link"].startswith(identity + "&"), act["identity_link"]
    query = urllib.parse.urlsplit(act["identity_link"]).query
    assert urllib.parse.parse_qsl(query) == [
        ("partner", "acme"), ("lang", "en"), ("oauth_consumer_key", key),
        ("success_call_back", success_url(srv))], act["identity_link"]
    assert app.link(key)["received_fields"] == list(CALLBACK_FIELDS)

    _, answer = sign_in(act["identity_link"])
    assert answer.status_code == 303 and answer.headers["Location"] == success_url(srv), (
        answer.status_code, answer.text[:300], app.logs())
    shown = cli_json(srv, "integration:show", name)
    assert shown["status"] == "Active", shown
    tokens = admin.tokens(iid)
    for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        assert shown[k] == tokens[k], k
    listed = {i["id"]: i for i in cli_json(srv, "integration:list")}
    assert listed[iid]["status"] == "Active", listed[iid]
    r = app.get("/store-views", params={"store": key})
    assert r.status_code == 200, (r.status_code, r.text)


def test_auto_exchange_without_the_login(srv, admin, auto_app):
    it = create_for(admin, auto_app)
    act = admin.activate(it["id"])
    key = admin.tokens(it["id"])["consumer_key"]
    deadline = time.monotonic() + 5
    while admin.get(it["id"])["status"] != 1:
        assert time.monotonic() < deadline, (auto_app.link(key), auto_app.logs())
        time.sleep(0.05)
    rec = auto_app.link(key)
    assert rec["linked"] and rec["exchange"] == "done" and rec["merchant"] is None, rec
    r = auto_app.get("/store-views", params={"store": key})
    assert r.status_code == 200, (r.status_code, r.text)
    # The popup still works: the merchant signs in, the app has nothing left to exchange.
    _, answer = sign_in(act["identity_link"])
    assert answer.status_code == 303 and answer.headers["Location"] == success_url(srv)
    assert auto_app.link(key)["merchant"] == DEMO_USER


def test_the_apps_login_refuses_a_wrong_password_and_unknown_stores(srv, admin, app):
    it = create_for(admin, app)
    act = admin.activate(it["id"])
    _, answer = sign_in(act["identity_link"], password="not-the-password")
    assert answer.status_code == 401 and "Wrong email or password" in answer.text
    assert admin.get(it["id"])["status"] == 0  # nothing exchanged
    r = requests.get(app.url("/login"), params={"oauth_consumer_key": "x" * 32,
                                                "success_call_back": success_url(srv)},
                     timeout=HTTP_TIMEOUT)
    assert r.status_code == 400 and "not received credentials" in r.text, r.text
    r = requests.get(act["identity_link"].replace("success_call_back=", "success_call_back=x"),
                     timeout=HTTP_TIMEOUT)
    assert r.status_code == 400 and "success_call_back" in r.text, r.text


# --- scoped access, edits, reauthorize, delete ------------------------------------------------------


def test_custom_resources_and_edits(srv, admin, app):
    name = unique_name("scoped")
    iid, tokens = link(admin, app, name=name, resources=["Magento_Catalog::products"])
    key = tokens["consumer_key"]
    # Denied: Magento's 401 naming the missing resource, through the app and directly.
    r = app.get("/store-views", params={"store": key})
    assert r.status_code == 502 and r.json()["store_status"] == 401, r.text
    assert STORE_RESOURCE in r.json()["error"], r.text
    assert_response(signed(srv, "GET", STORE_VIEWS, tokens), 401, not_authorized(STORE_RESOURCE))
    # An integration, even one with every resource, is no admin.
    assert_response(signed(srv, "GET", ADMIN_API + "/integrations", tokens), 401,
                    not_authorized(INTEGRATIONS_RESOURCE))

    # An edit of the resources takes effect on the next request, tokens unchanged.
    body = {"name": name, "email": "partner@example.com", "endpoint": app.url("/callback"),
            "identity_link_url": app.url("/login"),
            "resources": ["Magento_Catalog::products", STORE_RESOURCE]}
    edited = admin.ok("PUT", f"/integrations/{iid}", body)["integration"]
    assert edited["resources"] == sorted(body["resources"]) and edited["status"] == 1, edited
    r = app.get("/store-views", params={"store": key})
    assert r.status_code == 200, (r.status_code, r.text)
    assert admin.tokens(iid) == tokens
    body["resources"] = ["Magento_Catalog::products"]
    admin.ok("PUT", f"/integrations/{iid}", body)
    assert_response(signed(srv, "GET", STORE_VIEWS, tokens), 401, not_authorized(STORE_RESOURCE))
    assert "saved" in events(admin.log(iid))


def test_reauthorize(srv, admin, app):
    iid = create_for(admin, app, resources=[STORE_RESOURCE])["id"]
    act = admin.activate(iid)
    key = admin.tokens(iid)["consumer_key"]
    first_verifier = app.state(key)["verifier"]
    assert sign_in(act["identity_link"])[1].status_code == 303, app.logs()
    old = admin.tokens(iid)
    act = admin.activate(iid, verb="reauthorize")
    assert act["message"].endswith("has been sent for re-authorization."), act
    assert act["callback"]["delivered"] is True and act["integration"]["status"] == 0, act
    # The old access token fails at once, everywhere.
    assert_response(signed(srv, "GET", STORE_VIEWS, old), 401, {"message": MSG_NO_TOKEN})
    r = app.get("/store-views", params={"store": key})
    assert r.status_code == 502 and r.json()["store_status"] == 401, r.text
    # The app got the same consumer, a new verifier.
    again = app.state(key)
    assert again["consumer_secret"] == old["consumer_secret"], again
    assert TOKEN_RE.fullmatch(again["verifier"]) and again["verifier"] != first_verifier, again
    assert app.link(key)["exchange"] == "pending"
    # A new handshake works.
    _, answer = sign_in(act["identity_link"])
    assert answer.status_code == 303, (answer.text[:300], app.logs())
    assert admin.get(iid)["status"] == 1
    new = admin.tokens(iid)
    assert new["consumer_key"] == key and new["access_token"] != old["access_token"], new
    assert app.get("/store-views", params={"store": key}).status_code == 200
    assert_response(signed(srv, "GET", STORE_VIEWS, old), 401, {"message": MSG_NO_TOKEN})
    assert is_subsequence(["access token issued", "credentials posted", "access token issued"],
                          events(admin.log(iid)))


def test_delete(srv, admin, app):
    iid, tokens = link(admin, app)
    assert signed(srv, "GET", STORE_VIEWS, tokens).status_code == 200
    r = admin.call("DELETE", f"/integrations/{iid}")
    assert r.status_code == 200 and body_json(r) is True, (r.status_code, r.text)
    # Signed requests fail at once.
    assert_magento_error(signed(srv, "GET", STORE_VIEWS, tokens), 401)
    r = app.get("/store-views", params={"store": tokens["consumer_key"]})
    assert r.status_code == 502 and r.json()["store_status"] == 401, r.text
    gone = {"message": MSG_NO_INTEGRATION, "parameters": [str(iid)]}
    assert_response(admin.call("GET", f"/integrations/{iid}"), 404, gone)
    assert_response(admin.call("DELETE", f"/integrations/{iid}"), 404, gone)
    assert_response(admin.call("GET", f"/integrations/{iid}/tokens"), 404, gone)
    assert_response(admin.call("GET", f"/integrations/{iid}/log"), 404, gone)
    assert iid not in [i["id"] for i in admin.ok("GET", "/integrations")]
    cp = srv.cli("integration:show", str(iid))
    assert cp.returncode == 1 and "no integration" in cp.stderr, cp.stderr


def test_cli_reauthorize_test_callback_and_delete(srv, admin, app):
    iid, old = link(admin, app)
    key = old["consumer_key"]
    tested = cli_json(srv, "integration:test-callback", str(iid))
    assert tested["delivered"] is True and tested["http_status"] == 200, tested
    rehearsal = app.state(key)["verifier"]  # a throw-away verifier
    assert signed(srv, "GET", STORE_VIEWS, old).status_code == 200  # a rehearsal revokes nothing
    re_ = cli_json(srv, "integration:reauthorize", str(iid))
    assert re_["status"] == "Inactive" and re_["access_token"] is None, re_
    assert_response(signed(srv, "GET", STORE_VIEWS, old), 401, {"message": MSG_NO_TOKEN})
    fresh = app.state(key)["verifier"]
    assert TOKEN_RE.fullmatch(fresh) and fresh != rehearsal
    cp = srv.cli_ok("integration:delete", str(iid))
    assert "has been deleted" in cp.stdout, cp.stdout
    assert_response(admin.call("GET", f"/integrations/{iid}"), 404,
                    {"message": MSG_NO_INTEGRATION, "parameters": [str(iid)]})


# --- the Callback URL misbehaving -------------------------------------------------------------------


def test_callback_down(srv, admin):
    url = f"http://127.0.0.1:{free_port()}/callback"  # nothing listens there
    it = admin.create(endpoint=url, identity_link_url="https://partner.example.com/login",
                      all_resources=True)["integration"]
    r = admin.call("POST", f"/integrations/{it['id']}/activate", {})
    body = assert_magento_error(r, 400)
    assert body["message"] == MSG_POST_FAILED, body
    assert isinstance(body["parameters"], list) and len(body["parameters"]) == 2, body
    assert body["parameters"][0] == url and body["parameters"][1].strip(), body
    log = admin.log(it["id"])
    assert log[0]["event"] == "credentials post failed", log
    assert url in log[0]["detail"] and log[0]["admin"] == srv.admin_user, log[0]
    assert admin.get(it["id"])["status"] == 0
    assert admin.tokens(it["id"])["access_token"] is None
    # test-callback reports the failure instead of refusing
    t = admin.ok("POST", f"/integrations/{it['id']}/test-callback")
    assert t["delivered"] is False and t["http_status"] == 0 and t["error"], t
    # the command line says the same
    cp = srv.cli("integration:activate", str(it["id"]))
    assert cp.returncode == 1 and url in cp.stderr and "failed" in cp.stderr, cp.stderr


def test_callback_slow_times_out_and_blocks_nothing(srv, admin):
    receiver = CallbackReceiver(delay=3.0)
    try:
        srv.cli_ok("config:set", "oauth/consumer/post_timeout", "1")
        it = admin.create(endpoint=receiver.url, all_resources=True)["integration"]
        result = {}

        def activate():
            t0 = time.monotonic()
            result["r"] = admin.call("POST", f"/integrations/{it['id']}/activate", {})
            result["elapsed"] = time.monotonic() - t0

        th = threading.Thread(target=activate)
        th.start()
        receiver.wait(1)
        # while the POST waits on the blocking pool, the API answers at once
        t0 = time.monotonic()
        assert admin.call("GET", "/integrations").status_code == 200
        assert time.monotonic() - t0 < 0.5
        th.join(10)
        body = assert_magento_error(result["r"], 400)
        assert body["message"] == MSG_POST_FAILED and body["parameters"][0] == receiver.url, body
        assert re.search(r"time(d)? ?out", body["parameters"][1], re.I), body
        assert result["elapsed"] < 2.5, result["elapsed"]  # post_timeout 1, not the default 5
        log = admin.log(it["id"])
        assert log[0]["event"] == "credentials post failed", log
    finally:
        srv.cli_ok("config:set", "oauth/consumer/post_timeout", "5")
        receiver.close()


def test_callback_redirect_is_delivered_with_a_warning(srv, admin):
    target = CallbackReceiver()
    receiver = CallbackReceiver(status=302, body=b"moved", headers=[("Location", target.url)])
    try:
        it = admin.create(endpoint=receiver.url, all_resources=True)["integration"]
        cb = admin.activate(it["id"])["callback"]
        assert cb["delivered"] is True and cb["http_status"] == 302, cb
        assert cb["error"] is None and isinstance(cb["warning"], str) and cb["warning"], cb
        assert len(receiver.posts) == 1
        assert target.posts == []  # oauth/consumer/post_maxredirects is 0: not followed
        log = admin.log(it["id"])
        assert log[0]["event"] == "credentials posted" and "302" in log[0]["detail"], log[0]
    finally:
        receiver.close()
        target.close()


def test_callback_answering_500_is_delivered_with_a_warning(srv, admin):
    receiver = CallbackReceiver(status=500, body=b"boom: database down")
    try:
        it = admin.create(endpoint=receiver.url, all_resources=True)["integration"]
        act = admin.activate(it["id"])
        cb = act["callback"]
        assert cb["delivered"] is True and cb["http_status"] == 500, cb
        assert cb["body_excerpt"] == "boom: database down", cb
        assert isinstance(cb["warning"], str) and cb["warning"] and cb["error"] is None, cb
        assert act["integration"]["status"] == 0  # as in Magento: the third party may still finish
        t = admin.ok("POST", f"/integrations/{it['id']}/test-callback")
        assert t["http_status"] == 500 and t["warning"], t
    finally:
        receiver.close()


def test_test_callback_reports_and_disturbs_nothing(srv, admin, app):
    iid, tokens = link(admin, app)
    t0 = time.monotonic()
    r = admin.ok("POST", f"/integrations/{iid}/test-callback")
    elapsed_ms = (time.monotonic() - t0) * 1000
    assert set(r) == {"url", "delivered", "http_status", "latency_ms", "body_excerpt", "error",
                      "warning"}, r
    assert r["url"] == app.url("/callback") and r["delivered"] is True, r
    assert r["http_status"] == 200 and r["error"] is None and r["warning"] is None, r
    assert isinstance(r["latency_ms"], int) and 0 <= r["latency_ms"] <= elapsed_ms + 1, r
    # The rehearsal revokes nothing: the integration stays Active, the app stays linked.
    assert admin.get(iid)["status"] == 1
    assert admin.tokens(iid) == tokens
    assert app.get("/store-views", params={"store": tokens["consumer_key"]}).status_code == 200
    assert admin.log(iid)[1]["event"] == "test callback"  # [0] is the tokens view above
    # Nothing to test without a Callback URL.
    manual = admin.create(all_resources=True)["integration"]
    assert_magento_error(admin.call("POST", f"/integrations/{manual['id']}/test-callback"), 400,
                         "no Callback URL")


def test_manual_activation_shows_tokens_at_once(srv, admin):
    it = admin.create(all_resources=True)["integration"]
    act = admin.activate(it["id"])
    assert act["callback"] is None and act["identity_link"] is None, act
    assert act["integration"]["status"] == 1, act
    assert act["tokens"] == admin.tokens(it["id"]), act
    assert signed(srv, "GET", STORE_VIEWS, act["tokens"]).status_code == 200
    assert "activated" in events(admin.log(it["id"]))


# --- usage counters ---------------------------------------------------------------------------------


def test_usage_counters_grow_with_signed_calls(srv, admin, app):
    iid, tokens = link(admin, app)
    start = admin.get(iid)
    for _ in range(3):
        assert app.get("/store-views", params={"store": tokens["consumer_key"]}).status_code == 200
    deadline = time.monotonic() + 3.0
    while True:
        now = admin.get(iid)
        if now["request_count"] >= start["request_count"] + 3 and now["last_used_at"]:
            break
        assert time.monotonic() < deadline, (start, now)
        time.sleep(0.1)
    assert TIME_RE.fullmatch(now["last_used_at"]), now


def test_usage_counters_survive_a_restart(server_factory):
    srv = server_factory.create()
    admin = AdminApi(srv)
    it = admin.create(all_resources=True)["integration"]
    tokens = admin.activate(it["id"])["tokens"]
    for _ in range(4):
        assert signed(srv, "GET", STORE_VIEWS, tokens).status_code == 200
    srv.restart()
    after = AdminApi(srv).get(it["id"])
    assert after["request_count"] == 4 and after["last_used_at"], after


# --- bad inputs to the admin API --------------------------------------------------------------------


@pytest.fixture(scope="module")
def taken(admin):
    """Two existing integrations without a Callback URL: a name to collide with, an id to edit."""
    a = admin.create(name=unique_name("taken"), all_resources=True)["integration"]
    b = admin.create(name=unique_name("edited"), all_resources=True)["integration"]
    return a, b


LONG = "n" * 256

# (name, body or raw JSON text, status, pattern searched in the rendered message)
CREATE_CASES = [
    ("missing name", {"email": "a@example.com"}, 400, r"(?i)\"name\" is required"),
    ("empty name", {"name": ""}, 400, r"(?i)\"name\" is required"),
    ("name too long", {"name": LONG}, 400, r"255"),
    ("bad email", {"name": "@", "email": "not-an-email"}, 400, r"not-an-email.*valid email"),
    ("relative endpoint", {"name": "@", "endpoint": "/callback"}, 400,
     r"Callback URL \"/callback\".*absolute http\(s\)"),
    ("ftp endpoint", {"name": "@", "endpoint": "ftp://partner.example.com/cb"}, 400,
     r"Callback URL .*absolute http\(s\)"),
    ("relative identity link", {"name": "@", "identity_link_url": "login"}, 400,
     r"Identity Link URL .*absolute http\(s\)"),
    ("ftp identity link", {"name": "@", "identity_link_url": "ftp://partner.example.com/"}, 400,
     r"Identity Link URL .*absolute http\(s\)"),
    ("unknown resource", {"name": "@", "resources": ["Magento_Nope::nothing"]}, 400,
     r"Magento_Nope::nothing.*does not exist"),
    ("resources not a list", {"name": "@", "resources": STORE_RESOURCE}, 400, r"resources"),
    ("non-JSON body", "name=x", 400, r"^Decoding error\.$"),
    ("truncated JSON", '{"name": "x"', 400, r"^Decoding error\.$"),
    ("array body", "[]", 400, r"integration"),
    ("unknown key", {"name": "@", "colour": "red"}, 400, r"(?i)colour.*is not supported"),
]


def _fill(body, name):
    if isinstance(body, dict) and body.get("name") == "@":
        return dict(body, name=name)
    return body


def _send(admin, method, path, body):
    if isinstance(body, str):
        return admin.call(method, path, raw=body)
    return admin.call(method, path, body)


@pytest.mark.parametrize("case", CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
def test_create_bad_input(admin, taken, case):
    _, body, status, pattern = case
    before = len(admin.ok("GET", "/integrations"))
    r = _send(admin, "POST", "/integrations", _fill(body, unique_name("bad")))
    assert_magento_error(r, status, pattern)
    assert len(admin.ok("GET", "/integrations")) == before  # nothing saved


def test_create_duplicate_name(admin, taken):
    name = taken[0]["name"]
    r = admin.call("POST", "/integrations", {"name": name, "all_resources": True})
    assert_response(r, 400, {"message": MSG_NAME_EXISTS, "parameters": [name]})


def test_require_https_callback(srv, admin):
    srv.cli_ok("config:set", "oauth/consumer/require_https_callback", "1")
    try:
        r = admin.call("POST", "/integrations",
                       {"name": unique_name("plain"), "endpoint": "http://partner.example.com/cb"})
        assert_magento_error(r, 400, r"https")
        cp = srv.cli("integration:create", "--name", unique_name("plain"), "--all-resources",
                     "--endpoint", "http://partner.example.com/cb")
        assert cp.returncode == 2 and "https" in cp.stderr, (cp.returncode, cp.stderr)
        saved = admin.create(endpoint="https://partner.example.com/cb", all_resources=True)
        assert saved["warnings"] == [] and saved["integration"]["insecure"] is False, saved
    finally:
        srv.cli_ok("config:set", "oauth/consumer/require_https_callback", "0")


def test_unknown_key_names_the_key(admin):
    r = admin.call("POST", "/integrations", {"name": unique_name("bad"), "colour": "red"})
    body = assert_magento_error(r, 400)
    assert body["message"] == MSG_FIELD_NOT_SUPPORTED, body
    # Magento names the key in CamelCase on its REST API; either spelling names it clearly
    assert body["parameters"]["fieldName"] in ("colour", "Colour"), body


@pytest.mark.parametrize("case", CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
def test_update_bad_input(admin, taken, case):
    _, body, status, pattern = case
    target = taken[1]
    r = _send(admin, "PUT", f"/integrations/{target['id']}", _fill(body, target["name"]))
    assert_magento_error(r, status, pattern)
    after = admin.get(target["id"])
    for k in ("name", "email", "endpoint", "identity_link_url", "resource_access", "resources"):
        assert after[k] == target[k], (k, after)  # unchanged


def test_update_duplicate_name_and_unknown_id(admin, taken):
    a, b = taken
    r = admin.call("PUT", f"/integrations/{b['id']}", {"name": a["name"], "all_resources": True})
    assert_response(r, 400, {"message": MSG_NAME_EXISTS, "parameters": [a["name"]]})
    r = admin.call("PUT", f"/integrations/{UNKNOWN_ID}", {"name": unique_name("x")})
    assert_response(r, 404, {"message": MSG_NO_INTEGRATION, "parameters": [UNKNOWN_ID]})


def id_path(template, ident):
    return template.format(ident)


ID_ROUTES = [
    ("GET", "/integrations/{}", None),
    ("PUT", "/integrations/{}", {"name": "whatever"}),
    ("DELETE", "/integrations/{}", None),
    ("POST", "/integrations/{}/activate", {}),
    ("POST", "/integrations/{}/reauthorize", {}),
    ("GET", "/integrations/{}/tokens", None),
    ("POST", "/integrations/{}/test-callback", None),
    ("GET", "/integrations/{}/log", None),
]


@pytest.mark.parametrize("method,path,body", ID_ROUTES, ids=[f"{m} {p}" for m, p, _ in ID_ROUTES])
def test_unknown_integration_id(admin, method, path, body):
    r = admin.call(method, id_path(path, UNKNOWN_ID), body)
    assert_response(r, 404, {"message": MSG_NO_INTEGRATION, "parameters": [UNKNOWN_ID]})
    for bad in ("abc", "0", "-3", "1x"):
        r = admin.call(method, id_path(path, bad), body)
        assert_magento_error(r, 404)


@pytest.mark.parametrize("verb", ["activate", "reauthorize"])
@pytest.mark.parametrize("raw", ["not json", '{"success_call_back": '],
                         ids=["text", "truncated"])
def test_activate_non_json_body_changes_nothing(admin, verb, raw):
    it = admin.create(all_resources=True)["integration"]
    tokens = admin.activate(it["id"])["tokens"]
    r = admin.call("POST", f"/integrations/{it['id']}/{verb}", raw=raw)
    assert_response(r, 400, {"message": MSG_DECODING})
    assert admin.tokens(it["id"]) == tokens  # not reauthorized by a bad request


def active_manual(admin):
    """An Active integration without a Callback URL, and its tokens."""
    it = admin.create(all_resources=True)["integration"]
    return it, admin.activate(it["id"])["tokens"]


def test_activate_unknown_body_key_is_refused_before_anything_changes(admin):
    """A mistyped activation request must be refused, as every other body of the API is, before
    the working tokens are revoked."""
    for verb in ("activate", "reauthorize"):
        it, tokens = active_manual(admin)
        r = admin.call("POST", f"/integrations/{it['id']}/{verb}",
                       {"success_callback": "https://admin.example.com/done"})
        assert_magento_error(r, 400, r"(?i)success_?callback.*is not supported")
        assert admin.tokens(it["id"]) == tokens, verb


def test_activate_bad_success_call_back_is_refused(admin):
    """success_call_back becomes the third party's redirect target: like every URL of the API it
    must be an absolute http(s) URL (a string), and a refusal must come before the tokens go."""
    accepted = []
    for value in ("ftp://admin.example.com/done", "/admin/done", "javascript:alert(1)", 5):
        it, tokens = active_manual(admin)
        r = admin.call("POST", f"/integrations/{it['id']}/activate", {"success_call_back": value})
        if r.status_code != 400:
            accepted.append((value, r.status_code, admin.tokens(it["id"]) == tokens))
            continue
        assert_magento_error(r, 400, r"(?i)success_call_back")
        assert admin.tokens(it["id"]) == tokens
    assert not accepted, ("accepted (value, status, tokens kept):", accepted)


def test_unknown_admin_routes(admin):
    assert_response(admin.call("GET", "/nothing-here"), 404,
                    {"message": "Request does not match any route."})
    assert_response(admin.call("PATCH", "/integrations"), 405,
                    {"message": "The %1 HTTP method is not supported.", "parameters": ["PATCH"]})
    assert_response(admin.call("POST", "/acl/tree", {}), 404,
                    {"message": "Request does not match any route."})


def test_acl_tree(admin):
    tree = admin.ok("GET", "/acl/tree")
    ids = {}

    def walk(nodes):
        for n in nodes:
            assert set(n) == {"id", "title", "children"}, n
            ids[n["id"]] = n["title"]
            walk(n["children"])

    walk(tree)
    assert ids[STORE_RESOURCE] == "All Stores"
    assert ids["Magento_Catalog::products"] == "Products"
    assert ids[INTEGRATIONS_RESOURCE] == "System Integrations"


# --- who may call the admin API ---------------------------------------------------------------------

ALL_ADMIN_ROUTES = [("GET", "/integrations", None), ("POST", "/integrations", {"name": "x"}),
                    ("GET", "/acl/tree", None)] + ID_ROUTES


@pytest.fixture(scope="module")
def outsiders(srv, admin):
    """Callers that are not admins: none, a customer, an integration (signed), a bad token."""
    email = f"c-{secrets.token_hex(4)}@example.com"
    password = "Cust-" + secrets.token_hex(6)
    srv.cli_ok("customer:create", "--email", email, "--firstname", "Jo", "--lastname", "Doe",
               "--password", password)
    r = srv.post("/rest/V1/integration/customer/token",
                 json={"username": email, "password": password})
    assert r.status_code == 200, r.text
    victim = admin.create(all_resources=True)["integration"]
    tokens = admin.activate(victim["id"])["tokens"]
    return {"customer": body_json(r), "tokens": tokens, "victim": victim}


@pytest.mark.parametrize("method,path,body", ALL_ADMIN_ROUTES,
                         ids=[f"{m} {p}" for m, p, _ in ALL_ADMIN_ROUTES])
def test_admin_api_refuses_non_admins(srv, admin, outsiders, method, path, body):
    vid = str(outsiders["victim"]["id"])
    full = ADMIN_API + id_path(path, vid)
    refused = not_authorized(INTEGRATIONS_RESOURCE)
    kw = {"json": body} if body is not None else {}
    assert_response(srv.request(method, full, **kw), 401, refused)
    assert_response(srv.request(method, full, token=outsiders["customer"], **kw), 401, refused)
    assert_response(srv.request(method, full, token="0" * 32, **kw), 401, refused)
    assert_response(signed(srv, method, full, outsiders["tokens"], **kw), 401, refused)
    # nothing happened to the integration
    assert admin.tokens(vid) == outsiders["tokens"]


def test_integration_bearer_token_is_no_admin(srv, admin, outsiders):
    srv.cli_ok("config:set", "oauth/consumer/enable_integration_as_bearer", "1")
    try:
        tok = outsiders["tokens"]["access_token"]
        assert srv.get(STORE_VIEWS, token=tok).status_code == 200  # the token works as Bearer
        assert_response(srv.get(ADMIN_API + "/integrations", token=tok), 401,
                        not_authorized(INTEGRATIONS_RESOURCE))
    finally:
        srv.cli_ok("config:set", "oauth/consumer/enable_integration_as_bearer", "0")


# --- bad inputs to the integration commands ---------------------------------------------------------

CREATE_ARGS = ["integration:create", "--all-resources"]
# (id, arguments, exit code, pattern on stderr)
CLI_CASES = [
    ("create: no --name", ["integration:create", "--all-resources"], 2, r"--name"),
    ("create: empty name", CREATE_ARGS + ["--name", ""], 2, r"(?i)name"),
    ("create: duplicate name", CREATE_ARGS + ["--name", "{taken}"], 1, r"exists"),
    ("create: bad email", CREATE_ARGS + ["--name", "{new}", "--email", "nobody"], 2,
     r"valid email"),
    ("create: relative endpoint", CREATE_ARGS + ["--name", "{new}", "--endpoint", "/cb"], 2,
     r"Callback URL.*absolute"),
    ("create: ftp endpoint",
     CREATE_ARGS + ["--name", "{new}", "--endpoint", "ftp://partner.example.com/"], 2,
     r"Callback URL.*absolute"),
    ("create: relative identity link",
     CREATE_ARGS + ["--name", "{new}", "--identity-link-url", "login.html"], 2,
     r"Identity Link URL.*absolute"),
    ("create: ftp identity link",
     CREATE_ARGS + ["--name", "{new}", "--identity-link-url", "ftp://partner.example.com/"], 2,
     r"Identity Link URL.*absolute"),
    ("create: unknown resource",
     ["integration:create", "--name", "{new}", "--resource", "Magento_Nope::nothing"], 2,
     r"Magento_Nope::nothing"),
    ("create: all and custom", CREATE_ARGS + ["--name", "{new}", "--resource", STORE_RESOURCE],
     2, r"exclude"),
    ("create: no resources", ["integration:create", "--name", "{new}"], 2, r"--all-resources"),
    ("create: unknown option", CREATE_ARGS + ["--name", "{new}", "--colour", "red"], 2,
     r"colour"),
    ("list: argument", ["integration:list", "extra"], 2, r"."),
    ("list: unknown option", ["integration:list", "--colour"], 2, r"colour"),
]
for cmd in ("integration:show", "integration:activate", "integration:reauthorize",
            "integration:delete", "integration:test-callback"):
    CLI_CASES += [
        (f"{cmd}: unknown id", [cmd, UNKNOWN_ID], 1, rf"no integration \"{UNKNOWN_ID}\""),
        (f"{cmd}: unknown name", [cmd, "no-such-integration"], 1,
         r"no integration \"no-such-integration\""),
        (f"{cmd}: no argument", [cmd], 2, r"."),
        (f"{cmd}: two arguments", [cmd, "1", "2"], 2, r"."),
    ]
CLI_CASES += [
    ("integration:diagnostics: bad mode", ["integration:diagnostics", "{taken}", "maybe"], 2,
     r"on or off"),
    ("integration:diagnostics: unknown id", ["integration:diagnostics", UNKNOWN_ID, "on"], 1,
     rf"no integration \"{UNKNOWN_ID}\""),
    ("integration:diagnostics: one argument", ["integration:diagnostics", "{taken}"], 2, r"."),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input(srv, admin, taken, case):
    _, args, code, pattern = case
    args = [a.replace("{taken}", taken[0]["name"]).replace("{new}", unique_name("cli-bad"))
            for a in args]
    before = admin.ok("GET", "/integrations")
    cp = srv.cli(*args)
    assert cp.returncode == code, (
        f"`{' '.join(args)}`: expected exit {code}, got {cp.returncode}\n"
        f"stdout: {cp.stdout}\nstderr: {cp.stderr}")
    assert re.search(r"^storegate: \S", cp.stderr, re.M), cp.stderr
    assert re.search(pattern, cp.stderr), (pattern, cp.stderr)
    assert cp.stdout == "", cp.stdout
    after = admin.ok("GET", "/integrations")
    assert [(i["id"], i["status"]) for i in after] == [(i["id"], i["status"]) for i in before]
