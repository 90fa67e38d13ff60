#!/usr/bin/python3
"""An example third-party application for storegate (and Magento 2) integrations.

It plays the part of the "third party" a shop administrator links to their store:

  1. Callback URL (POST /callback): when the admin clicks Activate, the store POSTs
     oauth_consumer_key, oauth_consumer_secret, store_base_url and oauth_verifier here.
     We keep them (in memory, and in the --state file if one is given).
  2. Identity Link URL (GET /login?oauth_consumer_key=..&success_call_back=..): the admin's
     browser opens this page; the merchant signs in to *our* service (a demo account here).
     POST /login checks the account, runs the OAuth 1.0a token exchange against the store,
     then redirects the browser to success_call_back, which tells the store's admin page
     that we are done.
  3. Token exchange: POST {store_base_url}oauth/token/request (signed with the consumer
     secret), then POST {store_base_url}oauth/token/access (with the verifier). The store marks
     the integration Active when the second call succeeds. With --auto-exchange we do this
     right after the Callback POST, without waiting for the login (for headless setups).
  4. Using the API: GET /store-views (or /products) here makes a signed GET to the store's
     REST API with the access token and shows the result.

Run it with Debian's Python (python3-requests-oauthlib):

    /usr/bin/python3 app.py --port 8765 --state /tmp/third-party-state.json

Only the standard library and requests-oauthlib are used. See README.md for a walkthrough.
"""

import argparse
import html
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1, OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied

log = logging.getLogger("third-party-app")

# The four fields of the activation POST, in the order the store sends them.
CALLBACK_FIELDS = ("oauth_consumer_key", "oauth_consumer_secret", "store_base_url",
                   "oauth_verifier")

# Our own (the third party's) user accounts. A real service has a user database; the point here
# is only that the merchant proves who they are before we link their store to their account.
DEMO_ACCOUNTS = {"merchant@example.com": "demo-password"}

STORE_TIMEOUT = 10  # seconds for each call to the store
# Magento 2.4.4+ refuses HMAC-SHA1; storegate accepts both. SHA256 works everywhere that matters.
SIGNATURE_METHOD = SIGNATURE_HMAC_SHA256


class StoreError(Exception):
    """A call to the store failed; `status` is the store's HTTP status (None: no answer)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


# --- what we remember about each store --------------------------------------------------------------


class Links:
    """One record per store link, keyed by the consumer key the store gave us.

    A record holds the credentials of the last activation POST and, once the exchange worked,
    the access token. A new POST for a known key (a reauthorization, or the admin's "test
    callback" rehearsal) replaces the consumer secret and verifier but keeps the access token
    until a new exchange succeeds: a rehearsal must not unlink a working store, and after a real
    reauthorization the old token fails on its own with a clear 401.

    Records are written to the state file (mode 0600: it holds secrets) after every change."""

    def __init__(self, path=None):
        self.path = path
        self.lock = threading.RLock()
        self.records = {}
        self.exchange_locks = {}  # consumer key -> Lock: one token exchange at a time per store
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.records = json.load(f).get("links", {})
            log.info("loaded %d store link(s) from %s", len(self.records), path)

    def save(self):
        if not self.path:
            return
        with self.lock:
            data = json.dumps({"links": self.records}, indent=2, sort_keys=True)
            folder = os.path.dirname(os.path.abspath(self.path))
            fd, tmp = tempfile.mkstemp(prefix=".state-", dir=folder)  # created with mode 0600
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(data + "\n")
                os.replace(tmp, self.path)  # atomic: a crash never leaves half a file
            except BaseException:
                os.unlink(tmp)
                raise

    def received(self, fields, order):
        key = fields["oauth_consumer_key"]
        with self.lock:
            rec = self.records.setdefault(key, {"consumer_key": key})
            rec.update({
                "consumer_secret": fields["oauth_consumer_secret"],
                "store_base_url": fields["store_base_url"],
                "verifier": fields["oauth_verifier"],
                "received_fields": order,  # names only, for troubleshooting
                "received_at": now_text(),
                "exchange": "pending",
                "exchange_error": None,
            })
            self.save()
            return dict(rec)

    def exchange_lock(self, key):
        with self.lock:
            return self.exchange_locks.setdefault(key, threading.Lock())

    def get(self, key):
        with self.lock:
            rec = self.records.get(key)
            return dict(rec) if rec else None

    def update(self, key, **changes):
        with self.lock:
            self.records[key].update(changes)
            self.save()
            return dict(self.records[key])

    def latest_linked(self):
        with self.lock:
            linked = [r for r in self.records.values() if r.get("access_token")]
            linked.sort(key=lambda r: r.get("linked_at", ""))
            return dict(linked[-1]) if linked else None

    def public(self):
        """What /status shows: no secrets."""
        with self.lock:
            return [{
                "consumer_key": r["consumer_key"],
                "store_base_url": r.get("store_base_url"),
                "received_fields": r.get("received_fields"),
                "received_at": r.get("received_at"),
                "exchange": r.get("exchange"),
                "exchange_error": r.get("exchange_error"),
                "linked": bool(r.get("access_token")),
                "linked_at": r.get("linked_at"),
                "merchant": r.get("merchant"),
            } for r in self.records.values()]


def now_text():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# --- talking to the store ---------------------------------------------------------------------------


def describe_store_error(resp):
    """A readable line from a store's error answer: Magento's JSON errors carry a message with
    %placeholders and their parameters; the token endpoints answer oauth_problem=..."""
    text = resp.text.strip()
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        msg = body["message"]
        params = body.get("parameters")
        if isinstance(params, dict):
            for name, value in params.items():
                msg = msg.replace("%" + name, str(value))
        elif isinstance(params, list):
            for i, value in enumerate(params, 1):
                msg = msg.replace("%" + str(i), str(value))
        return msg
    problem = urllib.parse.parse_qs(text).get("oauth_problem")
    if problem:
        return problem[0]
    return text[:200] or HTTPStatus(resp.status_code).phrase


def exchange_tokens(rec):
    """The OAuth 1.0a token exchange: returns (access_token, access_token_secret)."""
    base = rec["store_base_url"]
    if not base.endswith("/"):
        base += "/"
    step = "request token"
    try:
        # 1. request token, signed with the consumer key and secret only
        session = OAuth1Session(rec["consumer_key"], client_secret=rec["consumer_secret"],
                                signature_method=SIGNATURE_METHOD)
        request_token = session.fetch_request_token(base + "oauth/token/request",
                                                    timeout=STORE_TIMEOUT)
        # 2. access token, signed with the request token's secret and carrying the verifier
        step = "access token"
        session = OAuth1Session(rec["consumer_key"], client_secret=rec["consumer_secret"],
                                resource_owner_key=request_token["oauth_token"],
                                resource_owner_secret=request_token["oauth_token_secret"],
                                verifier=rec["verifier"], signature_method=SIGNATURE_METHOD)
        access = session.fetch_access_token(base + "oauth/token/access", timeout=STORE_TIMEOUT)
    except TokenRequestDenied as e:
        raise StoreError(f"the store refused the {step} call (HTTP {e.status_code}): "
                         f"{describe_store_error(e.response)}", e.status_code) from None
    except requests.RequestException as e:
        raise StoreError(f"cannot reach the store at {base} for the {step} call: {e}") from None
    except (KeyError, ValueError) as e:  # an answer without oauth_token/oauth_token_secret
        raise StoreError(f"the store's {step} answer is not a token pair: {e}") from None
    return access["oauth_token"], access["oauth_token_secret"]


def run_exchange(links, key, merchant=None):
    """Exchange for the record `key` and remember the outcome; raises StoreError on failure.
    A verifier is good for one exchange: when --auto-exchange and the merchant's sign-in meet,
    the second one finds the work done."""
    with links.exchange_lock(key):
        rec = links.get(key)
        if rec["exchange"] != "done":
            try:
                token, secret = exchange_tokens(rec)
            except StoreError as e:
                links.update(key, exchange="failed", exchange_error=str(e))
                log.warning("token exchange with %s failed: %s", rec["store_base_url"], e)
                raise
            links.update(key, access_token=token, access_token_secret=secret, exchange="done",
                         exchange_error=None, linked_at=now_text(), verifier=None)
            log.info("linked to the store %s (consumer key %s)", rec["store_base_url"], key)
        if merchant:
            links.update(key, merchant=merchant)


def store_get(rec, path, params=None):
    """A GET to the store's REST API signed with the access token; returns the decoded JSON."""
    base = rec["store_base_url"].rstrip("/") + "/"
    auth = OAuth1(rec["consumer_key"], client_secret=rec["consumer_secret"],
                  resource_owner_key=rec["access_token"],
                  resource_owner_secret=rec["access_token_secret"],
                  signature_method=SIGNATURE_METHOD)
    url = base + "rest/V1/" + path
    try:
        resp = requests.get(url, params=params, auth=auth, timeout=STORE_TIMEOUT,
                            headers={"Accept": "application/json"})
    except requests.RequestException as e:
        raise StoreError(f"cannot reach the store at {base}: {e}") from None
    if resp.status_code != 200:
        raise StoreError(f"GET {url} answered HTTP {resp.status_code}: "
                         f"{describe_store_error(resp)}", resp.status_code)
    try:
        return resp.json()
    except ValueError:
        raise StoreError(f"GET {url} did not answer JSON: {resp.text[:200]!r}") from None


# --- the web pages ----------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:30em;margin:2em auto}} .error{{color:#b00}}
label{{display:block;margin:.6em 0}} input[type=text],input[type=password]{{width:100%}}</style>
</head><body><h1>{title}</h1>{body}</body></html>
"""

LOGIN_FORM = """<p>Your store <strong>{store}</strong> wants to connect to Example Partner.
Sign in to your Example Partner account to link them.</p>
{error}
<form method="post" action="/login">
<input type="hidden" name="oauth_consumer_key" value="{key}">
<input type="hidden" name="success_call_back" value="{callback}">
<label>Email <input type="text" name="username" value="{username}"></label>
<label>Password <input type="password" name="password"></label>
<button type="submit">Sign in and link my store</button>
</form>
<p><small>Demo account: merchant@example.com / demo-password</small></p>
"""


def absolute_http_url(url):
    u = urllib.parse.urlsplit(url or "")
    return u.scheme in ("http", "https") and bool(u.netloc)


class Handler(BaseHTTPRequestHandler):
    server_version = "ExamplePartner/1.0"
    protocol_version = "HTTP/1.1"

    # set by make_server()
    links = None
    auto_exchange = False

    # -- plumbing --

    def log_message(self, fmt, *args):  # the query string carries no secret, but keep it short
        log.debug("%s %s", self.address_string(), fmt % args)

    def send_body(self, status, body, content_type, headers=()):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status, value):
        self.send_body(status, json.dumps(value, indent=2) + "\n", "application/json")

    def send_page(self, status, title, body):
        self.send_body(status, PAGE.format(title=html.escape(title), body=body),
                       "text/html; charset=utf-8")

    def read_form(self):
        """The request's form fields as (dict, list of names in the order sent)."""
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if ctype != "application/x-www-form-urlencoded":
            raise ValueError(f"expected an application/x-www-form-urlencoded body, "
                             f"got {ctype or 'no Content-Type'}")
        pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        return dict(pairs), [name for name, _ in pairs]

    def route(self):
        u = urllib.parse.urlsplit(self.path)
        return u.path.rstrip("/") or "/", dict(urllib.parse.parse_qsl(u.query))

    # -- dispatch --

    def do_GET(self):
        path, query = self.route()
        pages = {"/": self.home, "/status": self.status, "/login": self.login_form,
                 "/store-views": self.store_views, "/products": self.products}
        handler = pages.get(path)
        if handler is None:
            return self.send_json(404, {"error": f"no page {path}"})
        handler(query)

    def do_POST(self):
        path, query = self.route()
        if path == "/callback":
            return self.callback()
        if path == "/login":
            return self.login()
        self.send_json(404, {"error": f"nothing to POST at {path}"})

    # -- 1. the Callback URL --

    def callback(self):
        try:
            fields, order = self.read_form()
        except (ValueError, UnicodeDecodeError) as e:
            return self.send_json(400, {"error": f"cannot read the credentials: {e}"})
        missing = [f for f in CALLBACK_FIELDS if not fields.get(f)]
        if missing:
            return self.send_json(400, {"error": "missing field(s): " + ", ".join(missing)})
        if not absolute_http_url(fields["store_base_url"]):
            return self.send_json(400, {"error": "store_base_url is not an http(s) URL"})
        rec = self.links.received(fields, order)
        log.info("credentials received from %s (consumer key %s)", rec["store_base_url"],
                 rec["consumer_key"])
        # Answer at once: the store waits for this answer (oauth/consumer/post_timeout, 5 s by
        # default) and must not wait for our exchange, which calls the store back.
        self.send_json(200, {"received": True})
        if self.auto_exchange:
            threading.Thread(target=self.exchange_quietly, args=(rec["consumer_key"],),
                             daemon=True).start()

    def exchange_quietly(self, key):
        try:
            run_exchange(self.links, key)
        except StoreError:
            pass  # recorded in the link's exchange_error, shown by /status

    # -- 2. the Identity Link URL --

    def login_form(self, query, error="", username=""):
        key = query.get("oauth_consumer_key", "")
        callback = query.get("success_call_back", "")
        rec = self.links.get(key) if key else None
        problem = self.login_problem(key, callback, rec)
        if problem:
            return self.send_page(400, "Cannot link this store", f"<p class=error>"
                                  f"{html.escape(problem)}</p>")
        body = LOGIN_FORM.format(
            store=html.escape(rec["store_base_url"]), key=html.escape(key),
            callback=html.escape(callback), username=html.escape(username),
            error=f"<p class=error>{html.escape(error)}</p>" if error else "")
        self.send_page(401 if error else 200, "Link your store", body)

    @staticmethod
    def login_problem(key, callback, rec):
        if not key:
            return "The link has no oauth_consumer_key: open it from the store's admin."
        if rec is None:
            return ("We have not received credentials for this store (consumer key "
                    f"{key}). Ask the store admin to activate the integration again: the store "
                    "posts them to our Callback URL first.")
        if not absolute_http_url(callback):
            return "The link's success_call_back is missing or not an http(s) URL."
        return None

    def login(self):
        try:
            form, _ = self.read_form()
        except (ValueError, UnicodeDecodeError) as e:
            return self.send_page(400, "Cannot link this store",
                                  f"<p class=error>{html.escape(str(e))}</p>")
        key = form.get("oauth_consumer_key", "")
        callback = form.get("success_call_back", "")
        username = form.get("username", "").strip()
        rec = self.links.get(key) if key else None
        problem = self.login_problem(key, callback, rec)
        if problem:
            return self.send_page(400, "Cannot link this store",
                                  f"<p class=error>{html.escape(problem)}</p>")
        if DEMO_ACCOUNTS.get(username) != form.get("password"):
            return self.login_form({"oauth_consumer_key": key, "success_call_back": callback},
                                   error="Wrong email or password.", username=username)
        # Signed in. Exchange now (unless --auto-exchange already did it for these credentials).
        try:
            run_exchange(self.links, key, merchant=username)
        except StoreError as e:
            return self.send_page(
                502, "Linking failed",
                f"<p class=error>{html.escape(str(e))}</p><p>Ask the store admin to "
                "reauthorize the integration, then sign in again.</p>")
        # Done: send the browser back to the store's admin, which closes the popup.
        self.send_body(303, "", "text/plain", headers=[("Location", callback)])

    # -- 3. using the store's API --

    def linked_record(self, query):
        key = query.get("store")
        rec = self.links.get(key) if key else self.links.latest_linked()
        if rec is None or not rec.get("access_token"):
            self.send_json(409, {"error": "no store is linked yet: activate the integration "
                                          "in the store's admin and sign in here"})
            return None
        return rec

    def store_views(self, query):
        rec = self.linked_record(query)
        if rec is None:
            return
        try:
            views = store_get(rec, "store/storeViews")
        except StoreError as e:
            return self.send_json(502, {"error": str(e), "store_status": e.status})
        self.send_json(200, {"store": rec["store_base_url"], "store_views": views})

    def products(self, query):
        rec = self.linked_record(query)
        if rec is None:
            return
        params = {"searchCriteria[pageSize]": query.get("page_size", "20"),
                  "searchCriteria[currentPage]": query.get("page", "1")}
        try:
            found = store_get(rec, "products", params)
        except StoreError as e:
            return self.send_json(502, {"error": str(e), "store_status": e.status})
        self.send_json(200, {"store": rec["store_base_url"], "products": found.get("items", []),
                             "total_count": found.get("total_count")})

    # -- status --

    def status(self, query):
        self.send_json(200, {"links": self.links.public()})

    def home(self, query):
        rows = "".join(
            f"<li>{html.escape(r['store_base_url'] or '?')}: "
            f"{'linked' if r['linked'] else html.escape(r['exchange'] or 'pending')}"
            f"{' (' + html.escape(r['exchange_error']) + ')' if r['exchange_error'] else ''}</li>"
            for r in self.links.public())
        self.send_page(200, "Example Partner", f"<ul>{rows or '<li>no store yet</li>'}</ul>"
                       "<p><a href=/store-views>store views</a> · <a href=/products>products</a>"
                       " · <a href=/status>status (JSON)</a></p>")


def make_server(host, port, links, auto_exchange):
    handler = type("BoundHandler", (Handler,), {"links": links, "auto_exchange": auto_exchange})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv=None):
    p = argparse.ArgumentParser(description="Example third-party application for storegate / "
                                            "Magento 2 integrations.")
    p.add_argument("--port", type=int, default=8765,
                   help="port to listen on (0: any free port; the chosen one is printed)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--state", metavar="FILE",
                   help="JSON file where received credentials and tokens are kept (mode 0600)")
    p.add_argument("--auto-exchange", action="store_true",
                   help="run the token exchange right after the Callback POST (headless)")
    p.add_argument("--verbose", action="store_true", help="log every request")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s third-party-app %(levelname)s %(message)s")
    try:
        links = Links(args.state)
        links.save()  # fail now, not when the first store posts its credentials
    except (OSError, ValueError) as e:
        print(f"third-party-app: cannot use the state file {args.state}: {e}", file=sys.stderr)
        return 2
    try:
        server = make_server(args.host, args.port, links, args.auto_exchange)
    except OSError as e:
        print(f"third-party-app: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 2
    host, port = server.server_address[:2]
    print(f"third-party-app: listening on http://{host}:{port}/ "
          f"(Callback URL http://{host}:{port}/callback, "
          f"Identity Link URL http://{host}:{port}/login)", flush=True)
    # SIGTERM (a service manager, a test harness) stops like Ctrl-C: the state file is
    # always complete, since every change is written before it is acknowledged.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
