"""The integration token exchange (issue 3; reference §3, §4.1-§4.7 and the observed table): the
activation POST to the Callback URL, /oauth/token/request and /oauth/token/access driven by
requests-oauthlib for both HMAC-SHA256 (Magento 2.4 clients) and HMAC-SHA1 (2.1 clients), and every
error of §4.3 with Magento 2.4's status and exact oauth_problem text.

Deliberate departures from Magento that these tests hold storegate to (issue 3): timestamps must be
within +-oauth/timestamp_window of the server's clock (Magento accepts any past timestamp), and a
request whose signature fails does not use up its nonce (Magento stores the nonce first)."""

import threading
import time
import urllib.parse

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_PLAINTEXT, SIGNATURE_TYPE_QUERY
from requests_oauthlib import OAuth1

from oauthtest import (
    ACCESS_TOKEN_PATH,
    CALLBACK_FIELDS,
    FORM_CT,
    METHODS,
    MSG_EXPIRED,
    MSG_KEY_LENGTH,
    MSG_NO_CONSUMER,
    MSG_NO_TOKEN,
    MSG_NONCE,
    MSG_NONCE_USED,
    MSG_NOT_VERIFIER,
    MSG_REQUEST_OTHER,
    MSG_SIG_METHOD,
    MSG_SIGNATURE,
    MSG_TOKEN_LENGTH,
    MSG_TOKEN_USED,
    MSG_VERIFIER_LENGTH,
    MSG_VERIFIER_MISMATCH,
    MSG_VERSION,
    REQUEST_TOKEN_PATH,
    REQUIRED_ACCESS,
    REQUIRED_REQUEST,
    STORE_VIEWS,
    TOKEN_RE,
    CallbackReceiver,
    Creds,
    activate,
    assert_problem,
    consumer_id,
    create_integration,
    fetch_access_token,
    fetch_request_token,
    fill,
    magento_signed_header,
    manual_integration,
    missing_problem,
    nonce,
    now,
    send,
    show,
    start_handshake,
    token_pair,
)
from sgtest import STORE_ENDPOINTS, assert_response, body_json


@pytest.fixture(scope="module")
def srv(module_server_factory):
    """A private store for this module (the shared one is left alone)."""
    return module_server_factory.create()


@pytest.fixture(params=METHODS)
def method(request):
    return request.param


def request_url(creds):
    return creds.base_url + REQUEST_TOKEN_PATH.lstrip("/")


def access_url(creds):
    return creds.base_url + ACCESS_TOKEN_PATH.lstrip("/")


def post_request_token(creds, method, **kw):
    """POST /oauth/token/request signed by oauthlib with the consumer secret only."""
    auth = OAuth1(creds.consumer_key, creds.consumer_secret, signature_method=method, **kw)
    return send("POST", request_url(creds), auth=auth)


def post_access_token(creds, method, **kw):
    """POST /oauth/token/access signed by oauthlib with the request token and the verifier."""
    args = dict(client_key=creds.consumer_key, client_secret=creds.consumer_secret,
                resource_owner_key=creds.token, resource_owner_secret=creds.token_secret,
                verifier=creds.verifier, signature_method=method)
    args.update(kw)
    return send("POST", access_url(creds), auth=OAuth1(**args))


def with_request_token(srv, receiver, method):
    """Activation POST done and a request token fetched: Creds hold the request token."""
    return fetch_request_token(start_handshake(srv, receiver), method)


# --- 1. happy path --------------------------------------------------------------------------------


def test_activation_posts_the_four_fields_in_magentos_order(srv, callback_receiver):
    created = create_integration(srv, endpoint=callback_receiver.url,
                                 identity_link_url="https://partner.example.com/login")
    assert created["status"] == "Inactive", created
    act = activate(srv, created["id"])

    cb = act["callback"]
    assert cb["url"] == callback_receiver.url, cb
    assert cb["http_status"] == 200, cb
    assert isinstance(cb["latency_ms"], int) and 0 <= cb["latency_ms"] < 5000, cb
    assert cb["body_excerpt"] == "ok", cb

    assert len(callback_receiver.posts) == 1, callback_receiver.posts
    post = callback_receiver.posts[0]
    assert post["path"] == "/magento/callback", post
    assert post["headers"].get("content-type", "").startswith(FORM_CT), post["headers"]
    names = [k for k, _ in post["fields"]]
    assert names == list(CALLBACK_FIELDS), f"fields {names}, expected {list(CALLBACK_FIELDS)}"
    fields = dict(post["fields"])
    info = show(srv, created["id"])
    assert fields["oauth_consumer_key"] == info["consumer_key"]
    assert fields["oauth_consumer_secret"] == info["consumer_secret"]
    for k in ("oauth_consumer_key", "oauth_consumer_secret", "oauth_verifier"):
        assert TOKEN_RE.fullmatch(fields[k]), (k, fields[k])
    assert fields["store_base_url"] == srv.base_url, fields["store_base_url"]
    assert fields["store_base_url"].endswith("/"), fields["store_base_url"]
    # Not Active until the third party finishes the exchange; no access token yet.
    assert info["status"] == "Inactive", info
    assert info["access_token"] is None and info["access_token_secret"] is None, info


def test_handshake_then_signed_calls(srv, callback_receiver, method):
    creds = start_handshake(srv, callback_receiver)
    assert creds.base_url == srv.base_url

    # fetch_request_token / fetch_access_token of requests-oauthlib (raw answers: the next test).
    req = fetch_request_token(creds, method)
    assert TOKEN_RE.fullmatch(req.token) and TOKEN_RE.fullmatch(req.token_secret), vars(req)
    assert show(srv, creds.integration_id)["status"] == "Inactive"

    acc = fetch_access_token(req, method)
    assert TOKEN_RE.fullmatch(acc.token) and TOKEN_RE.fullmatch(acc.token_secret), vars(acc)
    assert acc.token != req.token and acc.token_secret != req.token_secret

    info = show(srv, creds.integration_id)
    assert info["status"] == "Active", info
    assert info["access_token"] == acc.token, info
    assert info["access_token_secret"] == acc.token_secret, info

    for name in STORE_ENDPOINTS:
        r = send("GET", srv.url(f"/rest/V1/store/{name}"), auth=acc.auth(method))
        assert r.status_code == 200, (name, r.status_code, r.text[:300])
        assert isinstance(body_json(r), list), (name, r.text[:300])

    r = send("GET", srv.url("/rest/V1/store/storeConfigs"), auth=acc.auth(method),
             params={"storeCodes[]": "default"})
    assert r.status_code == 200, r.text
    assert [c["code"] for c in body_json(r)] == ["default"], r.text


def test_token_answers_are_text_html_form_pairs(srv, callback_receiver, method):
    """Raw answers (§4.1): 200, text/html; charset=UTF-8,
    `oauth_token=<32>&oauth_token_secret=<32>`; the endpoints answer any method (GET for the request
    token, PUT for the access token here)."""
    creds = start_handshake(srv, callback_receiver)
    tok, sec = token_pair(send("GET", request_url(creds),
                               auth=OAuth1(creds.consumer_key, creds.consumer_secret,
                                           signature_method=method)))
    req = creds.with_token(tok, sec)
    r = send("PUT", access_url(req),
             auth=OAuth1(req.consumer_key, req.consumer_secret, req.token, req.token_secret,
                         verifier=req.verifier, signature_method=method))
    tok2, sec2 = token_pair(r)
    assert (tok2, sec2) != (tok, sec)
    assert show(srv, creds.integration_id)["status"] == "Active"


def test_form_body_parameters_are_signed(srv, callback_receiver, method):
    """A form-encoded body's parameters are part of the signature (§4.2 step 3), here with a space,
    a '+' and UTF-8 in the values."""
    creds = start_handshake(srv, callback_receiver)
    auth = OAuth1(creds.consumer_key, creds.consumer_secret, signature_method=method)
    body = {"note": "a b+c é/&=", "empty": ""}
    token_pair(send("POST", request_url(creds), auth=auth, data=body,
                    headers={"Content-Type": FORM_CT}))


def test_callback_reply_is_ignored(srv, method):
    """Any HTTP answer of the Callback URL counts as delivered (§3.1); the exchange works."""
    receiver = CallbackReceiver(status=503, body=b"down for maintenance")
    try:
        creds = start_handshake(srv, receiver)
        acc = fetch_access_token(fetch_request_token(creds, method), method)
        assert show(srv, creds.integration_id)["status"] == "Active"
        r = send("GET", srv.url(STORE_VIEWS), auth=acc.auth(method))
        assert r.status_code == 200, r.text
    finally:
        receiver.close()


# --- 2. errors of §4.3 ----------------------------------------------------------------------------


@pytest.mark.parametrize("http_method", ["POST", "GET"])
def test_no_authorization_header_lists_every_missing_field(srv, http_method):
    r = send(http_method, srv.url(REQUEST_TOKEN_PATH))
    assert_problem(r, 400, missing_problem(REQUIRED_REQUEST))
    r = send(http_method, srv.url(ACCESS_TOKEN_PATH))
    assert_problem(r, 400, missing_problem(REQUIRED_ACCESS))


def test_missing_problem_text_is_magentos():
    """The aggregated text, spelled out once (the helper above builds it)."""
    assert missing_problem(REQUIRED_REQUEST) == (
        '"oauth_consumer_key" is required. Enter and try again, '
        '"oauth_signature" is required. Enter and try again, '
        '"oauth_signature_method" is required. Enter and try again, '
        '"oauth_nonce" is required. Enter and try again, '
        '"oauth_timestamp" is required. Enter and try again')


def test_non_oauth_authorization_header_is_like_none(srv):
    for value in ("Bearer abc", "Basic dXNlcjpwYXNz"):
        r = send("POST", srv.url(REQUEST_TOKEN_PATH), headers={"Authorization": value})
        assert_problem(r, 400, missing_problem(REQUIRED_REQUEST))


def test_oauth_parameters_in_the_query_are_ignored(srv, callback_receiver, method):
    """Only the Authorization header carries protocol parameters (§4.2 step 1)."""
    creds = start_handshake(srv, callback_receiver)
    auth = OAuth1(creds.consumer_key, creds.consumer_secret, signature_method=method,
                  signature_type=SIGNATURE_TYPE_QUERY)
    r = send("POST", request_url(creds), auth=auth)
    assert_problem(r, 400, missing_problem(REQUIRED_REQUEST))


def test_some_fields_missing(srv, callback_receiver, method):
    """Only the missing ones are named; one missing field keeps its final '.' (Magento's aggregate
    exception promotes a single error to its own message)."""
    req = with_request_token(srv, callback_receiver, method)
    header = magento_signed_header("POST", access_url(req), req, method)  # no oauth_verifier
    r = send("POST", access_url(req), headers={"Authorization": header})
    assert_problem(r, 400, '"oauth_verifier" is required. Enter and try again.')

    header = 'OAuth oauth_consumer_key="%s",oauth_signature_method="%s"' % (req.consumer_key,
                                                                           method)
    r = send("POST", request_url(req), headers={"Authorization": header})
    assert_problem(r, 400, missing_problem(["oauth_signature", "oauth_nonce", "oauth_timestamp"]))
    # Empty values count as present (isset).
    header = ('OAuth oauth_consumer_key="",oauth_signature="",oauth_signature_method="",'
              'oauth_nonce="",oauth_timestamp=""')
    r = send("POST", request_url(req), headers={"Authorization": header})
    assert_problem(r, 400, fill(MSG_SIG_METHOD, ""))


@pytest.mark.parametrize("version", ["2.0", "1.0a", "1"])
def test_wrong_oauth_version(srv, callback_receiver, version):
    creds = start_handshake(srv, callback_receiver)
    header = magento_signed_header("POST", request_url(creds), creds, "HMAC-SHA256",
                                   version=version)
    r = send("POST", request_url(creds), headers={"Authorization": header})
    assert_problem(r, 400, fill(MSG_VERSION, version))
    # The version is checked before the required fields.
    r = send("POST", request_url(creds),
             headers={"Authorization": f'OAuth oauth_version="{version}"'})
    assert_problem(r, 400, fill(MSG_VERSION, version))


def test_oauth_version_is_optional(srv, callback_receiver, method):
    creds = start_handshake(srv, callback_receiver)
    header = magento_signed_header("POST", request_url(creds), creds, method, version=None)
    token_pair(send("POST", request_url(creds), headers={"Authorization": header}))


@pytest.mark.parametrize("token", ["short", "x" * 31, "x" * 33])
def test_token_of_wrong_length(srv, callback_receiver, method, token):
    creds = start_handshake(srv, callback_receiver)
    bad = creds.with_token(token, "s" * 32)
    r = post_access_token(bad, method)
    assert_problem(r, 400, MSG_TOKEN_LENGTH)
    # Also in the request-token step, where a token is optional but checked if present.
    r = send("POST", request_url(creds),
             auth=OAuth1(creds.consumer_key, creds.consumer_secret, token, "s" * 32,
                         signature_method=method))
    assert_problem(r, 400, MSG_TOKEN_LENGTH)


@pytest.mark.parametrize("sig_method", ["PLAINTEXT", "RSA-SHA1", "HMAC-MD5", "hmac-sha256"])
def test_unsupported_signature_method(srv, callback_receiver, sig_method):
    creds = start_handshake(srv, callback_receiver)
    if sig_method == "PLAINTEXT":
        auth = OAuth1(creds.consumer_key, creds.consumer_secret,
                      signature_method=SIGNATURE_PLAINTEXT)
        r = send("POST", request_url(creds), auth=auth)
    else:
        p = {"oauth_consumer_key": creds.consumer_key, "oauth_nonce": nonce(),
             "oauth_signature_method": sig_method, "oauth_timestamp": str(now()),
             "oauth_version": "1.0", "oauth_signature": "c2lnbmF0dXJl"}
        header = "OAuth " + ",".join(f'{k}="{v}"' for k, v in p.items())
        r = send("POST", request_url(creds), headers={"Authorization": header})
    assert_problem(r, 400, fill(MSG_SIG_METHOD, sig_method))
    # The same on the access endpoint.
    if sig_method == "PLAINTEXT":
        auth = OAuth1(creds.consumer_key, creds.consumer_secret, "t" * 32, "s" * 32,
                      verifier=creds.verifier, signature_method=SIGNATURE_PLAINTEXT)
        r = send("POST", access_url(creds), auth=auth)
        assert_problem(r, 400, fill(MSG_SIG_METHOD, sig_method))
    # The refused attempt did not spoil the handshake.
    fetch_access_token(fetch_request_token(creds, "HMAC-SHA256"), "HMAC-SHA256")


@pytest.mark.parametrize("key", ["short", "k" * 31, "k" * 33])
def test_consumer_key_of_wrong_length(srv, method, key):
    creds = Creds(None, key, "c" * 32, base_url=srv.base_url)
    assert_problem(post_request_token(creds, method), 401, MSG_KEY_LENGTH)
    req = creds.with_token("t" * 32, "s" * 32)
    req.verifier = "v" * 32
    assert_problem(post_access_token(req, method), 401, MSG_KEY_LENGTH)


def test_unknown_consumer(srv, method):
    creds = Creds(None, "0" * 32, "c" * 32, base_url=srv.base_url)
    assert_problem(post_request_token(creds, method), 401, MSG_NO_CONSUMER)
    req = creds.with_token("t" * 32, "s" * 32)
    req.verifier = "v" * 32
    assert_problem(post_access_token(req, method), 401, MSG_NO_CONSUMER)


@pytest.fixture(scope="module")
def short_window_srv(module_server_factory):
    """A store whose handshake window is 2 s (oauth/consumer/expiration_period): long enough for a
    request made right after the activation whatever second boundary falls between them."""
    srv = module_server_factory.create()
    srv.cli_ok("config:set", "oauth/consumer/expiration_period", "2")
    return srv


def test_handshake_window_expires(short_window_srv, method):
    srv = short_window_srv
    receiver = CallbackReceiver()
    try:
        early = start_handshake(srv, receiver)
        late = start_handshake(srv, receiver)
        req = early.with_token(*token_pair(post_request_token(early, method)))
        time.sleep(2.1)
        assert_problem(post_request_token(late, method), 401, MSG_EXPIRED)
        # The window is checked in the request-token step only.
        token_pair(post_access_token(req, method))
        assert show(srv, early.integration_id)["status"] == "Active"
        # Activating again restarts the window (§4.6).
        activate(srv, late.integration_id)
        late.verifier = dict(receiver.posts[-1]["fields"])["oauth_verifier"]
        req = late.with_token(*token_pair(post_request_token(late, method)))
        token_pair(post_access_token(req, method))
    finally:
        receiver.close()


def test_manual_integration_cannot_use_the_request_endpoint(srv, method):
    """Without the activation POST the window never started: "Consumer key has expired" (observed
    table; Magento issues #10423, #12032, #13961)."""
    creds = manual_integration(srv)
    assert_problem(post_request_token(creds, method), 401, MSG_EXPIRED)


def test_never_activated_integration_has_no_window(srv, callback_receiver, method):
    created = create_integration(srv, endpoint=callback_receiver.url)
    info = show(srv, created["id"])
    creds = Creds(created["id"], info["consumer_key"], info["consumer_secret"],
                  base_url=srv.base_url)
    assert_problem(post_request_token(creds, method), 401, MSG_EXPIRED)
    assert callback_receiver.posts == []


def test_second_request_token_call_is_refused(srv, callback_receiver, method):
    creds = start_handshake(srv, callback_receiver)
    req = creds.with_token(*token_pair(post_request_token(creds, method)))
    assert_problem(post_request_token(creds, method), 401, MSG_NOT_VERIFIER)
    # The first request token still works; after the exchange the answer stays the same.
    token_pair(post_access_token(req, method))
    assert_problem(post_request_token(creds, method), 401, MSG_NOT_VERIFIER)


def test_wrong_verifier(srv, callback_receiver, method):
    req = with_request_token(srv, callback_receiver, method)
    good = req.verifier
    req.verifier = ("0" if good[0] != "0" else "1") + good[1:]
    assert_problem(post_access_token(req, method), 401, MSG_VERIFIER_MISMATCH)
    req.verifier = good[:31]
    assert_problem(post_access_token(req, method), 401, MSG_VERIFIER_LENGTH)
    req.verifier = good + "0"
    assert_problem(post_access_token(req, method), 401, MSG_VERIFIER_LENGTH)
    assert show(srv, req.integration_id)["status"] == "Inactive"
    # Failed attempts leave the request token usable.
    req.verifier = good
    token_pair(post_access_token(req, method))
    assert show(srv, req.integration_id)["status"] == "Active"


def test_request_token_is_used_once(srv, callback_receiver, method):
    """The exchange turns the row into an access token with a new value, so the old request token
    is unknown afterwards (Magento's Token::convertToAccess)."""
    req = with_request_token(srv, callback_receiver, method)
    acc = req.with_token(*token_pair(post_access_token(req, method)))
    assert_problem(post_access_token(req, method), 401, MSG_NO_TOKEN)
    # The access token is not a request token either.
    assert_problem(post_access_token(acc, method), 401, MSG_TOKEN_USED)
    # The integration's access token still works.
    r = send("GET", srv.url(STORE_VIEWS), auth=acc.auth(method))
    assert r.status_code == 200, r.text


def test_unknown_or_foreign_request_token(srv, callback_receiver, method):
    a = with_request_token(srv, callback_receiver, method)
    b = with_request_token(srv, callback_receiver, method)
    unknown = a.with_token("u" * 32, "s" * 32)
    assert_problem(post_access_token(unknown, method), 401, MSG_NO_TOKEN)
    # b's request token presented by consumer a (signed with a's secret and b's token secret).
    foreign = a.with_token(b.token, b.token_secret)
    foreign.verifier = b.verifier
    assert_problem(post_access_token(foreign, method), 401, MSG_REQUEST_OTHER)
    token_pair(post_access_token(a, method))
    token_pair(post_access_token(b, method))


def test_tampered_parameters_and_wrong_secrets(srv, callback_receiver, method):
    creds = start_handshake(srv, callback_receiver)
    other_secret = ("0" if creds.consumer_secret[0] != "0" else "1") + creds.consumer_secret[1:]

    # Request-token step: wrong consumer secret; a query changed after signing.
    r = send("POST", request_url(creds),
             auth=OAuth1(creds.consumer_key, other_secret, signature_method=method))
    assert_problem(r, 401, MSG_SIGNATURE)
    prep = requests.Request("POST", request_url(creds) + "?x=1",
                            auth=OAuth1(creds.consumer_key, creds.consumer_secret,
                                        signature_method=method)).prepare()
    prep.url = request_url(creds) + "?x=2"
    with requests.Session() as s:
        assert_problem(s.send(prep, timeout=10), 401, MSG_SIGNATURE)
    r = send("POST", request_url(creds) + "?x=1",
             auth=OAuth1(creds.consumer_key, creds.consumer_secret, signature_method=method))
    req = creds.with_token(*token_pair(r))

    # Access step: tampered query, tampered header value, wrong secrets.
    auth = req.auth(method, verifier=req.verifier)
    prep = requests.Request("POST", access_url(req) + "?x=1", auth=auth).prepare()
    prep.url = access_url(req) + "?x=2"
    with requests.Session() as s:
        assert_problem(s.send(prep, timeout=10), 401, MSG_SIGNATURE)

    prep = requests.Request("POST", access_url(req), auth=req.auth(method, verifier=req.verifier)
                            ).prepare()
    h = prep.headers["Authorization"]
    h = h.decode() if isinstance(h, bytes) else h
    ts = [p for p in h.split(",") if "oauth_timestamp" in p][0]
    value = int(ts.split('"')[1])
    prep.headers["Authorization"] = h.replace(ts, ts.replace(str(value), str(value - 1)))
    with requests.Session() as s:
        assert_problem(s.send(prep, timeout=10), 401, MSG_SIGNATURE)

    assert_problem(post_access_token(req, method, client_secret=other_secret), 401, MSG_SIGNATURE)
    wrong_token_secret = ("0" if req.token_secret[0] != "0" else "1") + req.token_secret[1:]
    assert_problem(post_access_token(req, method, resource_owner_secret=wrong_token_secret), 401,
                   MSG_SIGNATURE)
    # Signed with the consumer secret only (as in the request step).
    assert_problem(post_access_token(req, method, resource_owner_secret=""), 401, MSG_SIGNATURE)
    assert show(srv, req.integration_id)["status"] == "Inactive"
    # None of this spoiled the handshake.
    token_pair(post_access_token(req, method))


@pytest.mark.parametrize("offset", [-700, 700, -3600 * 24])
def test_timestamps_outside_the_window(srv, callback_receiver, method, offset):
    """Stricter than Magento (issue 3 §4): outside +-oauth/timestamp_window (default 600 s) the
    answer is Magento's message for a bad timestamp."""
    creds = start_handshake(srv, callback_receiver)
    r = post_request_token(creds, method, timestamp=str(now() + offset))
    assert_problem(r, 401, MSG_NONCE)
    req = creds.with_token(*token_pair(post_request_token(creds, method)))
    assert_problem(post_access_token(req, method, timestamp=str(now() + offset)), 401, MSG_NONCE)
    token_pair(post_access_token(req, method))


@pytest.mark.parametrize("timestamp", ["0", "-5", "abc", "", "1e9"])
def test_malformed_timestamps(srv, callback_receiver, timestamp):
    creds = start_handshake(srv, callback_receiver)
    header = magento_signed_header("POST", request_url(creds), creds, "HMAC-SHA256",
                                   timestamp=timestamp)
    r = send("POST", request_url(creds), headers={"Authorization": header})
    assert_problem(r, 401, MSG_NONCE)


def test_timestamps_inside_the_window(srv, callback_receiver, method):
    creds = start_handshake(srv, callback_receiver)
    req = creds.with_token(*token_pair(post_request_token(creds, method,
                                                          timestamp=str(now() - 500))))
    token_pair(post_access_token(req, method, timestamp=str(now() + 500)))


def test_replayed_nonce_on_the_token_endpoints(srv, callback_receiver, method):
    """A nonce is unique per consumer across the request-token, access-token and REST uses."""
    creds = start_handshake(srv, callback_receiver)
    n = nonce()
    req = creds.with_token(*token_pair(post_request_token(creds, method, nonce=n)))
    cid = consumer_id(srv, creds.integration_id)
    assert_problem(post_access_token(req, method, nonce=n), 401, fill(MSG_NONCE_USED, cid))
    acc = req.with_token(*token_pair(post_access_token(req, method)))
    r = send("GET", srv.url(STORE_VIEWS), auth=acc.auth(method, nonce=n))
    assert_response(r, 401, {"message": MSG_NONCE_USED, "parameters": [str(cid)]})


def test_failed_signature_does_not_use_up_the_nonce(srv, callback_receiver, method):
    creds = start_handshake(srv, callback_receiver)
    n, ts = nonce(), str(now())
    r = send("POST", request_url(creds),
             auth=OAuth1(creds.consumer_key, "x" * 32, signature_method=method, nonce=n,
                         timestamp=ts))
    assert_problem(r, 401, MSG_SIGNATURE)
    req = creds.with_token(*token_pair(post_request_token(creds, method, nonce=n, timestamp=ts)))
    n2 = nonce()
    assert_problem(post_access_token(req, method, nonce=n2, resource_owner_secret="y" * 32), 401,
                   MSG_SIGNATURE)
    token_pair(post_access_token(req, method, nonce=n2))


def test_concurrent_exchanges_of_one_request_token(srv, callback_receiver, method):
    """Many access-token exchanges of the same request token at once (distinct nonces, separate
    connections, two worker threads): exactly one succeeds."""
    req = with_request_token(srv, callback_receiver, method)
    n = 16
    barrier = threading.Barrier(n)
    preps = [requests.Request("POST", access_url(req),
                              auth=req.auth(method, verifier=req.verifier)).prepare()
             for _ in range(n)]
    results = [None] * n

    def worker(i):
        barrier.wait()
        try:
            with requests.Session() as s:
                results[i] = s.send(preps[i], timeout=10)
        except Exception as e:  # reported below
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    errors = [r for r in results if not hasattr(r, "status_code")]
    assert not errors, errors
    winners = [r for r in results if r.status_code == 200]
    assert len(winners) == 1, [(r.status_code, r.text) for r in results]
    tok, _ = token_pair(winners[0])
    assert show(srv, req.integration_id)["access_token"] == tok
    for r in results:
        if r.status_code != 200:
            assert r.status_code == 401, r.text
            problem = urllib.parse.parse_qs(r.text)["oauth_problem"][0]
            assert problem in (MSG_NO_TOKEN, MSG_TOKEN_USED), problem
