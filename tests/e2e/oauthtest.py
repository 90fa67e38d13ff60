"""OAuth 1.0a helpers for the end-to-end tests (reference §3, §4, §5.3; issue 3).

* Magento 2.4's provider messages and the token endpoints' `oauth_problem=...` answers.
* `CallbackReceiver`: a threaded http.server on a free port that records the credentials POST an
  integration's activation sends to its Callback URL (conftest.py turns it into a fixture).
* Integrations through the command line (`integration:create/activate/show`) and the token
  exchange driven by requests-oauthlib, the independent client.
* A second, hand-written signer that signs the way Magento's own clients do (reference §4.4 and
  Appendix A: natural sort of the encoded keys, the query's `+` signed literally), built with
  hmac/hashlib only, so that it shares nothing with oauthlib nor with the server.
* Small readers of the server's database (storedb: SQLite or PostgreSQL) for facts the API does
  not expose (consumer ids) and for states the command line cannot produce (a revoked token).
"""

import base64
import functools
import hashlib
import hmac
import http.server
import json
import re
import secrets
import threading
import time
import urllib.parse

import requests
from oauthlib.oauth1.rfc5849 import signature as rfc_signature
from oauthlib.oauth1.rfc5849 import utils as rfc_utils
from requests_oauthlib import OAuth1, OAuth1Session

from harness import HTTP_TIMEOUT
from storedb import db_exec, db_query  # noqa: F401 - re-exported for the tests

METHODS = ("HMAC-SHA256", "HMAC-SHA1")

REQUEST_TOKEN_PATH = "/oauth/token/request"
ACCESS_TOKEN_PATH = "/oauth/token/access"
STORE_VIEWS = "/rest/V1/store/storeViews"
HTML_CT = "text/html; charset=UTF-8"
FORM_CT = "application/x-www-form-urlencoded"

# The activation POST (reference §3.1 and the observed table): these fields, in this order.
CALLBACK_FIELDS = ("oauth_consumer_key", "oauth_consumer_secret", "store_base_url",
                   "oauth_verifier")

TOKEN_RE = re.compile(r"[0-9a-z]{32}")

# --- Magento 2.4 wording of the provider (reference §4.3, §4.5, observed table) -------------------

MSG_VERSION = 'The "%1" Oauth version isn\'t supported.'
MSG_REQUIRED = '"%fieldName" is required. Enter and try again.'
MSG_TOKEN_LENGTH = "The token length is invalid. Check the length and try again."
MSG_SIG_METHOD = "Signature method %1 is not supported"
MSG_KEY_LENGTH = "Consumer key is not the correct length"
MSG_NO_CONSUMER = "A consumer having the specified key does not exist"
MSG_NONCE = "An error occurred validating the nonce"
MSG_NONCE_USED = "The nonce is already being used by the consumer with ID %1"
MSG_EXPIRED = "Consumer key has expired"
MSG_SIGNATURE = "The signature is invalid. Verify and try again."
MSG_NOT_VERIFIER = "Cannot create request token because consumer token is not a verifier token"
MSG_NO_TOKEN = "Specified token does not exist"
MSG_REQUEST_OTHER = "Request token is not associated with the specified consumer"
MSG_TOKEN_USED = "Token is already being used"
MSG_VERIFIER_LENGTH = "Verifier is not the correct length"
MSG_VERIFIER_MISMATCH = "Token verifier and verifier token do not match"
MSG_TOKEN_OTHER = "Token is not associated with the specified consumer"
MSG_NOT_ACCESS = "Token is not an access token"
MSG_REVOKED = "Access token has been revoked"

REQUIRED_REQUEST = ("oauth_consumer_key", "oauth_signature", "oauth_signature_method",
                    "oauth_nonce", "oauth_timestamp")
REQUIRED_RESOURCE = REQUIRED_REQUEST + ("oauth_token",)
REQUIRED_ACCESS = REQUIRED_RESOURCE + ("oauth_verifier",)


def fill(message, *values):
    """A Magento phrase with its placeholders (%1, %fieldName, ...) replaced in order."""
    it = iter(values)
    return re.sub(r"%[A-Za-z0-9]+", lambda m: str(next(it)), message)


def missing_problem(fields):
    """oauth_problem of a request missing `fields` (§4.1: OauthInputException's aggregated
    message). Magento's AbstractAggregateException keeps a single error as the exception's own
    message, so one missing field keeps its final '.'; several are joined by ", " without it."""
    msgs = [fill(MSG_REQUIRED, f) for f in fields]
    if len(msgs) == 1:
        return msgs[0]
    return ", ".join(m.rstrip(".") for m in msgs)


def php_urlencode(s):
    """PHP urlencode (what http_build_query uses): space as '+', all but [A-Za-z0-9_.-] escaped."""
    return urllib.parse.quote_plus(s, safe="").replace("~", "%7E")


# --- token endpoint answers -----------------------------------------------------------------------


def where(resp):
    return f"{resp.request.method} {resp.request.path_url}"


def token_pair(resp):
    """The success body `oauth_token=<32>&oauth_token_secret=<32>` served as text/html."""
    assert resp.status_code == 200, f"{where(resp)}: HTTP {resp.status_code} {resp.text[:300]!r}"
    assert resp.headers.get("Content-Type") == HTML_CT, (
        f"{where(resp)}: Content-Type {resp.headers.get('Content-Type')!r}, expected {HTML_CT!r}")
    m = re.fullmatch(r"oauth_token=([0-9a-z]{32})&oauth_token_secret=([0-9a-z]{32})", resp.text)
    assert m, f"{where(resp)}: unexpected body {resp.text!r}"
    return m.group(1), m.group(2)


def assert_problem(resp, status, message):
    """A token endpoint error: the status, text/html, and exactly `oauth_problem=<message>` encoded
    as PHP's http_build_query does."""
    body = resp.content.decode("utf-8", "replace")
    assert resp.status_code == status, (
        f"{where(resp)}: expected HTTP {status}, got {resp.status_code}: {body[:400]!r}")
    assert resp.headers.get("Content-Type") == HTML_CT, (
        f"{where(resp)}: Content-Type {resp.headers.get('Content-Type')!r}, expected {HTML_CT!r}")
    got = urllib.parse.parse_qs(body, keep_blank_values=True)
    assert list(got) == ["oauth_problem"] and len(got["oauth_problem"]) == 1, (
        f"{where(resp)}: body is not one oauth_problem: {body[:400]!r}")
    assert got["oauth_problem"][0] == message, (
        f"{where(resp)}: oauth_problem {got['oauth_problem'][0]!r}, expected {message!r}")
    assert body == "oauth_problem=" + php_urlencode(message), (
        f"{where(resp)}: not http_build_query's encoding: {body!r}")
    assert "WWW-Authenticate" not in resp.headers


# --- the Callback URL side ------------------------------------------------------------------------


class CallbackReceiver:
    """A threaded HTTP server on a free port that records every POST (the activation's credentials)
    and answers `status` with `body` (and extra `headers`, e.g. a Location), after `delay` seconds
    (a slow third party). `posts` holds dicts: path, headers, raw (bytes), fields (list of
    (name, value) pairs in the order sent)."""

    def __init__(self, status=200, body=b"ok", delay=0.0, headers=()):
        self.status = status
        self.body = body
        self.delay = delay
        self.headers = list(headers)
        self.posts = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                post = {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "raw": raw,
                    "fields": urllib.parse.parse_qsl(raw.decode("utf-8", "replace"),
                                                     keep_blank_values=True),
                }
                with receiver._cond:
                    receiver.posts.append(post)
                    receiver._cond.notify_all()
                if receiver.delay:
                    time.sleep(receiver.delay)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(receiver.body)))
                    for name, value in receiver.headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(receiver.body)
                except OSError:  # the client gave up waiting (a timeout test)
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/magento/callback"
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def wait(self, count=1, timeout=5.0):
        """The `count`-th POST (1-based), waiting for it if needed."""
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.posts) >= count, timeout)
            assert ok, f"the Callback URL got {len(self.posts)} POSTs, expected {count}"
            return self.posts[count - 1]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# --- integrations through the command line --------------------------------------------------------


def unique_name(prefix="it"):
    return f"{prefix}-{secrets.token_hex(5)}"


def cli_json(server, *args):
    cp = server.cli_ok(*args, "--json")
    try:
        return json.loads(cp.stdout)
    except ValueError:
        raise AssertionError(f"`{' '.join(map(str, args))} --json` printed no JSON: "
                             f"{cp.stdout!r}") from None


def create_integration(server, name=None, endpoint=None, identity_link_url=None, resources=None):
    """`integration:create`; resources None means --all-resources. Returns the printed JSON."""
    args = ["integration:create", "--name", name or unique_name()]
    if endpoint:
        args += ["--endpoint", endpoint]
    if identity_link_url:
        args += ["--identity-link-url", identity_link_url]
    if resources is None:
        args.append("--all-resources")
    else:
        for r in resources:
            args += ["--resource", r]
    return cli_json(server, *args)


def activate(server, ident):
    return cli_json(server, "integration:activate", str(ident))


def show(server, ident):
    return cli_json(server, "integration:show", str(ident))


class Creds:
    """What a third party holds: consumer key/secret, then a token and its secret."""

    def __init__(self, integration_id, consumer_key, consumer_secret, token=None,
                 token_secret=None, verifier=None, base_url=None):
        self.integration_id = integration_id
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.token = token
        self.token_secret = token_secret
        self.verifier = verifier
        self.base_url = base_url

    def auth(self, method, **kw):
        """requests-oauthlib OAuth1 signing with these credentials (kw: nonce, timestamp, realm,
        verifier, signature_type, or overrides of the secrets)."""
        args = dict(client_key=self.consumer_key, client_secret=self.consumer_secret,
                    resource_owner_key=self.token, resource_owner_secret=self.token_secret,
                    signature_method=method)
        args.update(kw)
        return OAuth1(**args)

    def with_token(self, token, token_secret):
        return Creds(self.integration_id, self.consumer_key, self.consumer_secret, token,
                     token_secret, self.verifier, self.base_url)


def manual_integration(server, resources=None):
    """An integration without Callback URL, activated: Active with its access token at once."""
    created = create_integration(server, resources=resources)
    act = activate(server, created["id"])
    assert act["status"] == "Active", act
    for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        assert isinstance(act.get(k), str) and TOKEN_RE.fullmatch(act[k]), (k, act)
    return Creds(act["id"], act["consumer_key"], act["consumer_secret"], act["access_token"],
                 act["access_token_secret"], base_url=server.base_url)


def start_handshake(server, receiver, resources=None):
    """Create an integration with a Callback URL (and an Identity Link URL, so that Magento's admin
    would POST too), activate it and return the credentials the Callback URL received."""
    created = create_integration(server, endpoint=receiver.url,
                                 identity_link_url=f"http://127.0.0.1:{receiver.port}/login",
                                 resources=resources)
    before = len(receiver.posts)
    act = activate(server, created["id"])
    assert act["callback"]["http_status"] == receiver.status, act
    fields = dict(receiver.wait(before + 1)["fields"])
    return Creds(created["id"], fields["oauth_consumer_key"], fields["oauth_consumer_secret"],
                 verifier=fields["oauth_verifier"], base_url=fields["store_base_url"])


def fetch_request_token(creds, method):
    s = OAuth1Session(creds.consumer_key, client_secret=creds.consumer_secret,
                      signature_method=method)
    tok = s.fetch_request_token(creds.base_url + "oauth/token/request", timeout=HTTP_TIMEOUT)
    return creds.with_token(tok["oauth_token"], tok["oauth_token_secret"])


def fetch_access_token(creds, method):
    s = OAuth1Session(creds.consumer_key, client_secret=creds.consumer_secret,
                      resource_owner_key=creds.token, resource_owner_secret=creds.token_secret,
                      verifier=creds.verifier, signature_method=method)
    tok = s.fetch_access_token(creds.base_url + "oauth/token/access", timeout=HTTP_TIMEOUT)
    return creds.with_token(tok["oauth_token"], tok["oauth_token_secret"])


def full_handshake(server, receiver, method, resources=None):
    """Activation POST, request token, access token: the returned Creds hold the access token."""
    creds = start_handshake(server, receiver, resources)
    return fetch_access_token(fetch_request_token(creds, method), method)


# --- sending signed requests ----------------------------------------------------------------------


def send(method, url, auth=None, headers=None, **kw):
    """One request on a fresh connection."""
    kw.setdefault("timeout", HTTP_TIMEOUT)
    kw.setdefault("allow_redirects", False)
    with requests.Session() as s:
        return s.request(method, url, auth=auth, headers=headers, **kw)


def prepare(method, url, auth=None, headers=None, **kw):
    """A signed PreparedRequest, to be sent (again) with `send_prepared`."""
    return requests.Request(method, url, auth=auth, headers=headers, **kw).prepare()


def send_prepared(prep):
    with requests.Session() as s:
        return s.send(prep.copy(), timeout=HTTP_TIMEOUT, allow_redirects=False)


def header_params(prep_or_header):
    h = prep_or_header
    if not isinstance(h, str):
        h = h.headers["Authorization"]
        h = h.decode() if isinstance(h, bytes) else h
    return dict(rfc_utils.parse_authorization_header(h))


def rfc_base_string(prep):
    """The RFC 5849 base string of a request signed in its Authorization header, per oauthlib."""
    url = prep.url
    query = urllib.parse.urlsplit(url).query
    body = prep.body if isinstance(prep.body, str) else (prep.body.decode() if prep.body else None)
    ct = prep.headers.get("Content-Type", "")
    auth = prep.headers["Authorization"]
    params = rfc_signature.collect_parameters(
        uri_query=query,
        body=body if body and ct.startswith(FORM_CT) else None,
        headers={"Authorization": auth.decode() if isinstance(auth, bytes) else auth},
        exclude_oauth_signature=True)
    return rfc_signature.signature_base_string(
        prep.method, rfc_signature.base_string_uri(url),
        rfc_signature.normalize_parameters(params))


def nonce():
    return secrets.token_hex(16)


def now():
    return int(time.time())


# --- Magento's way of signing (reference §4.2, §4.4, Appendix A), independent of oauthlib ---------


def rawurlencode(s):
    """PHP rawurlencode: RFC 3986, only [A-Za-z0-9_.~-] left as is."""
    return urllib.parse.quote(s, safe="")


def strnatcmp(a, b):
    """PHP strnatcmp for the keys at hand: runs of digits compare by value, other bytes by code."""
    i = j = 0
    while True:
        if i >= len(a) or j >= len(b):
            return (i < len(a)) - (j < len(b))
        ca, cb = a[i], b[j]
        if ca.isdigit() and cb.isdigit():
            ei, ej = i, j
            while ei < len(a) and a[ei].isdigit():
                ei += 1
            while ej < len(b) and b[ej].isdigit():
                ej += 1
            ra, rb = a[i:ei], b[j:ej]
            if ca == "0" or cb == "0":  # PHP compares runs with leading zeros left-aligned
                c = (ra > rb) - (ra < rb)
            else:
                c = (int(ra) > int(rb)) - (int(ra) < int(rb))
            if c:
                return c
            i, j = ei, ej
            continue
        if ca != cb:
            return -1 if ca < cb else 1
        i += 1
        j += 1


_PROTOCOL_PARAM = re.compile(r"oauth_[a-z_-]+")


def magento_query_params(query):
    """§4.2 step 4: split on '&' and '=', exactly one '=', rawurldecode (no '+' -> space),
    non-oauth names only; the last of repeated names wins."""
    out = {}
    for pair in query.split("&") if query else []:
        parts = pair.split("=")
        if len(parts) == 2 and not _PROTOCOL_PARAM.search(parts[0]):
            out[urllib.parse.unquote(parts[0])] = urllib.parse.unquote(parts[1])
    return out


def magento_base_url(url):
    u = urllib.parse.urlsplit(url)
    scheme = u.scheme.lower()
    host = (u.hostname or "").lower()
    port = u.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{u.path}"


def magento_base_string(http_method, url, params):
    """§4.4: encode keys and values, sort by the encoded key with strnatcmp, join, then
    METHOD & enc(base URL) & enc(parameters)."""
    pairs = [(rawurlencode(k), rawurlencode(v)) for k, v in params.items()
             if k != "oauth_signature"]
    pairs.sort(key=functools.cmp_to_key(lambda x, y: strnatcmp(x[0], y[0])))
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join((http_method.upper(), rawurlencode(magento_base_url(url)),
                     rawurlencode(normalized)))


def hmac_sign(base_string, method, consumer_secret, token_secret=""):
    digest = {"HMAC-SHA256": hashlib.sha256, "HMAC-SHA1": hashlib.sha1}[method]
    key = f"{rawurlencode(consumer_secret)}&{rawurlencode(token_secret or '')}"
    mac = hmac.new(key.encode(), base_string.encode(), digest).digest()
    return base64.b64encode(mac).decode()


def oauth_header(params, scheme="OAuth"):
    """An Authorization header from protocol parameters (values rawurlencoded, quoted)."""
    return scheme + " " + ",".join(f'{k}="{rawurlencode(v)}"' for k, v in params.items())


def magento_oauth_params(creds, method, nonce_=None, timestamp=None, version="1.0",
                         verifier=None, token=True):
    p = {"oauth_consumer_key": creds.consumer_key, "oauth_nonce": nonce_ or nonce(),
         "oauth_signature_method": method,
         "oauth_timestamp": str(now() if timestamp is None else timestamp)}
    if version is not None:
        p["oauth_version"] = version
    if token and creds.token:
        p["oauth_token"] = creds.token
    if verifier:
        p["oauth_verifier"] = verifier
    return p


def magento_signed_header(http_method, url, creds, method, scheme="OAuth", consumer_secret=None,
                          token_secret=None, **kw):
    """Authorization header signed the way Magento does: the URL's query parsed per §4.2 and sorted
    naturally per §4.4. `url` must be the exact URL sent (scheme, Host with port, raw query)."""
    p = magento_oauth_params(creds, method, **kw)
    signed = dict(p)
    signed.update(magento_query_params(urllib.parse.urlsplit(url).query))
    base = magento_base_string(http_method, url, signed)
    p["oauth_signature"] = hmac_sign(
        base, method, creds.consumer_secret if consumer_secret is None else consumer_secret,
        (creds.token_secret or "") if token_secret is None else token_secret)
    return oauth_header(p, scheme)


# --- the server's database ------------------------------------------------------------------------
# db_query/db_exec come from storedb (one SQL text for SQLite and PostgreSQL) and stay importable
# from here.


def consumer_id(server, integration_id):
    rows = db_query(server, "SELECT consumer_id FROM integration WHERE integration_id = ?",
                    (int(integration_id),))
    assert rows and rows[0][0] is not None, f"integration {integration_id} has no consumer"
    return rows[0][0]
