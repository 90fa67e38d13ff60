"""OAuth-signed REST calls (issue 3; reference §4.2-§4.5, §5.3, §5.5, §5.6, Appendix A and the
observed table): requests-oauthlib (RFC 5849) and a hand-written Magento-style signer, both for
HMAC-SHA256 and HMAC-SHA1; replay protection (on every thread, after a restart); the provider's
errors as Magento 2.4 JSON; Custom resource access; signature diagnostics; the integration token as
Bearer; and an access log free of secrets.

Integrations here are manual ones (no Callback URL: Active with an access token at once) unless a
test needs the token exchange."""

import functools
import hashlib
import re
import secrets
import signal
import threading
import urllib.parse

import pytest
from oauthlib.oauth1 import SIGNATURE_PLAINTEXT, SIGNATURE_TYPE_QUERY
from requests_oauthlib import OAuth1

from oauthtest import (
    METHODS,
    MSG_KEY_LENGTH,
    MSG_NO_CONSUMER,
    MSG_NO_TOKEN,
    MSG_NONCE,
    MSG_NONCE_USED,
    MSG_NOT_ACCESS,
    MSG_REQUIRED,
    MSG_REVOKED,
    MSG_SIG_METHOD,
    MSG_SIGNATURE,
    MSG_TOKEN_LENGTH,
    MSG_TOKEN_OTHER,
    REQUEST_TOKEN_PATH,
    STORE_VIEWS,
    Creds,
    activate,
    assert_problem,
    consumer_id,
    db_exec,
    db_query,
    fetch_access_token,
    fetch_request_token,
    full_handshake,
    header_params,
    hmac_sign,
    magento_base_string,
    magento_query_params,
    magento_signed_header,
    manual_integration,
    nonce,
    now,
    prepare,
    rfc_base_string,
    send,
    send_prepared,
    show,
    start_handshake,
    strnatcmp,
    token_pair,
)
import storedb
from sgtest import (
    MSG_MULTIPLE_INPUT,
    NOT_AUTHORIZED_BODY,
    STORE_ENDPOINTS,
    assert_response,
    bearer,
    body_json,
)

STORE_CONFIGS = "/rest/V1/store/storeConfigs"


@pytest.fixture(scope="module")
def srv(module_server_factory):
    """A private store for this module (the shared one is left alone)."""
    return module_server_factory.create()


@pytest.fixture(params=METHODS)
def method(request):
    return request.param


@pytest.fixture
def creds(srv):
    """A fresh Active integration with All resources and its access token."""
    return manual_integration(srv)


def get(srv, path, creds, method, **kw):
    """A GET signed by requests-oauthlib; kw: params, headers, and OAuth1 options (nonce, ...)."""
    req_kw = {k: kw.pop(k) for k in ("params", "headers") if k in kw}
    return send("GET", srv.url(path), auth=creds.auth(method, **kw), **req_kw)


def header_text(prep):
    h = prep.headers["Authorization"]
    return h.decode() if isinstance(h, bytes) else h


def flip(s):
    """The same string with its first character changed."""
    return ("0" if s[0] != "0" else "1") + s[1:]


def error(message, *params):
    return {"message": message, "parameters": list(params)} if params else {"message": message}


# --- the hand-written signer against the reference's vectors (no server) ------------------------


def test_magento_signer_reproduces_appendix_a():
    """The test's own Magento-style signer against the reference's vectors A1-A3."""
    c = Creds(None, "k0n5umerk3y000000000000000000001", "c0n5umer5ecret000000000000000001",
              "acce55t0ken00000000000000000001a", "acce55t0ken5ecret000000000000001")
    a1 = {"oauth_consumer_key": c.consumer_key, "oauth_nonce": "n0nce0001",
          "oauth_signature_method": "HMAC-SHA256", "oauth_timestamp": "1500000000",
          "oauth_version": "1.0"}
    base = magento_base_string("POST", "https://shop.example.com/oauth/token/request", a1)
    assert base == (
        "POST&https%3A%2F%2Fshop.example.com%2Foauth%2Ftoken%2Frequest&oauth_consumer_key%3D"
        "k0n5umerk3y000000000000000000001%26oauth_nonce%3Dn0nce0001%26oauth_signature_method%3D"
        "HMAC-SHA256"
        "%26oauth_timestamp%3D1500000000%26oauth_version%3D1.0")
    assert hmac_sign(base, "HMAC-SHA256", c.consumer_secret) == (
        "16anGeRDVJb1hBbzNucyYSfGlAdCTw3b1aq66jxf3tA=")

    url = ("https://Shop.Example.com:443/rest/default/V1/products?searchCriteria[filter_groups][0]"
           "[filters][0][field]=sku&searchCriteria[filter_groups][0][filters][0][value]=24-MB%25&"
           "searchCriteria[filter_groups][0][filters][0][condition_type]=like&"
           "searchCriteria[pageSize]=10")
    a2 = dict(a1, oauth_nonce="n0nce0002", oauth_token=c.token)
    a2.update(magento_query_params(urllib.parse.urlsplit(url).query))
    base = magento_base_string("GET", url, a2)
    sc = "searchCriteria%255Bfilter_groups%255D%255B0%255D%255Bfilters%255D%255B0%255D%255B"
    assert base == (
        "GET&https%3A%2F%2Fshop.example.com%2Frest%2Fdefault%2FV1%2Fproducts&oauth_consumer_key%3D"
        "k0n5umerk3y000000000000000000001%26oauth_nonce%3Dn0nce0002%26oauth_signature_method%3D"
        "HMAC-SHA256%26oauth_timestamp%3D1500000000%26oauth_token%3D"
        "acce55t0ken00000000000000000001a"
        f"%26oauth_version%3D1.0%26{sc}condition_type%255D%3Dlike%26{sc}field%255D%3Dsku%26{sc}"
        "value%255D%3D24-MB%2525%26searchCriteria%255BpageSize%255D%3D10")
    assert hmac_sign(base, "HMAC-SHA256", c.consumer_secret, c.token_secret) == (
        "KcYonbKW2H5IFMuhmYSLWm4NLdlPRS2xlVsG7RpQmQo=")
    # The reference's HMAC-SHA1 value is the same base string under SHA-1.
    assert hmac_sign(base, "HMAC-SHA1", c.consumer_secret, c.token_secret) == (
        "HnaMnx8aUH6o83an4wVsi/W3fjY=")

    # A3: natural order of the encoded keys, unlike RFC 5849's byte order.
    keys = ["a%5B10%5D", "a%5B2%5D", "a%5B1%5D"]
    assert sorted(keys, key=functools.cmp_to_key(strnatcmp)) == ["a%5B1%5D", "a%5B2%5D",
                                                                "a%5B10%5D"]
    assert sorted(keys) == ["a%5B1%5D", "a%5B10%5D", "a%5B2%5D"]


# --- 1. signed calls that work ------------------------------------------------------------------


def test_store_endpoints(srv, creds, method):
    for name in STORE_ENDPOINTS:
        r = get(srv, f"/rest/V1/store/{name}", creds, method)
        assert r.status_code == 200, (name, r.status_code, r.text[:300])
        assert isinstance(body_json(r), list), (name, r.text[:300])


def test_store_code_in_the_path(srv, creds, method):
    for path in ("/rest/default/V1/store/storeViews", "/rest/all/V1/store/websites"):
        r = get(srv, path, creds, method)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])


def test_bracketed_query_parameter(srv, creds, method):
    """storeCodes[]=default, percent-encoded by requests and sent raw; the filter applies."""
    r = get(srv, STORE_CONFIGS, creds, method, params={"storeCodes[]": "default"})
    assert "storeCodes%5B%5D=default" in r.request.url, r.request.url
    assert r.status_code == 200, r.text
    assert [c["code"] for c in body_json(r)] == ["default"], r.text
    r = send("GET", srv.url(STORE_CONFIGS + "?storeCodes[]=default"), auth=creds.auth(method))
    assert r.status_code == 200, r.text
    assert [c["code"] for c in body_json(r)] == ["default"], r.text


@pytest.mark.parametrize("params", [
    {"q": "a b"},
    {"q": "a+b", "r": "1+1=2"},
    {"q": "é ü 中文 🙂"},
    {"q": "!*'();:@&=+$,/?#[]%~"},
    {"é key": "v", "a&b": "c=d", "sp ace+plus": "x"},
    {"empty": "", "storeCodes[]": "default"},
], ids=["space", "plus", "utf8", "reserved", "keys", "empty"])
def test_query_values_are_signed_the_rfc_way(srv, creds, method, params):
    """oauthlib encodes per RFC 5849 (requests sends spaces as '+', which then means a space)."""
    r = get(srv, STORE_VIEWS, creds, method, params=params)
    assert r.status_code == 200, (r.request.url, r.status_code, r.text[:300])


def test_repeated_and_valueless_query_parameters(srv, creds, method):
    r = get(srv, STORE_VIEWS, creds, method, params=[("a", "1"), ("a", "2"), ("b", "")])
    assert r.status_code == 200, (r.request.url, r.text[:300])


MAGENTO_QUERY = "a%5B1%5D=x&a%5B2%5D=y&a%5B10%5D=z&q=a+b&k=%2B%20"


def test_magento_style_signature(srv, creds, method):
    """Signed as Magento's clients sign (§4.4, Appendix A): natural order a[1], a[2], a[10] and
    the query's '+' as a literal '+'. Neither matches RFC 5849 here, so this passes only through
    the server's Magento variant."""
    url = srv.url(STORE_VIEWS + "?" + MAGENTO_QUERY)
    header = magento_signed_header("GET", url, creds, method)
    r = send("GET", url, headers={"Authorization": header})
    assert r.status_code == 200, r.text
    # The same request signed the RFC way (oauthlib) works as well.
    r = send("GET", url, auth=creds.auth(method))
    assert r.status_code == 200, r.text


def test_magento_style_query_parsing(srv, creds, method):
    """Magento's variant of the query (§4.2 step 4): the last of repeated names wins, pairs without
    '=' or with two are not signed, '%2F' and '+' as sent."""
    url = srv.url(STORE_VIEWS + "?a=1&a=2&flag&x=a=b&b=%2Fc+d&c%5Bx%5D%5B10%5D=1&c%5Bx%5D%5B9%5D=2")
    header = magento_signed_header("GET", url, creds, method)
    r = send("GET", url, headers={"Authorization": header})
    assert r.status_code == 200, r.text


def test_host_header_is_signed(srv, creds, method):
    """The signed URL is built from the Host header as sent: case folded, default port dropped,
    any other port kept (§4.2, §4.4 step 4)."""
    cases = [
        ("Shop.Example.COM:80", "http://shop.example.com" + STORE_VIEWS, 200),
        ("shop.example.com", "http://shop.example.com:80" + STORE_VIEWS, 200),
        ("shop.example.com:8080", "http://shop.example.com:8080" + STORE_VIEWS, 200),
        ("shop.example.com:8080", "http://shop.example.com" + STORE_VIEWS, 401),
        ("shop.example.com", "https://shop.example.com" + STORE_VIEWS, 401),
    ]
    for host, signed_url, status in cases:
        prep = prepare("GET", signed_url, auth=creds.auth(method))
        prep.url = srv.url(STORE_VIEWS)
        prep.headers["Host"] = host
        r = send_prepared(prep)
        if status == 200:
            assert r.status_code == 200, (host, signed_url, r.text)
        else:
            assert_response(r, 401, error(MSG_SIGNATURE))
        # The Magento-style signer agrees.
        header = magento_signed_header("GET", signed_url, creds, method)
        r = send("GET", srv.url(STORE_VIEWS), headers={"Authorization": header, "Host": host})
        assert r.status_code == status, (host, signed_url, r.text)


def test_forwarded_proto_from_a_trusted_proxy(server_factory, method):
    """Behind a TLS-terminating proxy the client signs an https URL (§4.2, offloader header)."""
    srv = server_factory.create(serve_args=("--trusted-proxies", "127.0.0.1/32"))
    creds = manual_integration(srv)
    prep = prepare("GET", "https://shop.example.com" + STORE_VIEWS, auth=creds.auth(method))
    prep.url = srv.url(STORE_VIEWS)
    prep.headers["Host"] = "shop.example.com"
    prep.headers["X-Forwarded-Proto"] = "https"
    r = send_prepared(prep)
    assert r.status_code == 200, r.text


def test_unencoded_signature_in_the_header(srv, creds, method):
    """Magento rawurldecodes header values: a Base64 signature sent without percent-encoding (a
    literal '+' and '/') still matches; a '+' is not a space there."""
    url = srv.url(STORE_VIEWS)
    for _ in range(200):
        header = magento_signed_header("GET", url, creds, method)
        if "%2B" in header:
            break
    else:
        pytest.skip("no signature with a '+' in 200 tries")
    raw = re.sub(r'oauth_signature="([^"]+)"',
                 lambda m: f'oauth_signature="{urllib.parse.unquote(m.group(1))}"', header)
    assert "+" in raw
    r = send("GET", url, headers={"Authorization": raw})
    assert r.status_code == 200, (raw, r.text)


def test_unquoted_and_spaced_header_values(srv, creds, method):
    url = srv.url(STORE_VIEWS)
    header = magento_signed_header("GET", url, creds, method)
    unquoted = header.replace('"', "")
    r = send("GET", url, headers={"Authorization": unquoted})
    assert r.status_code == 200, (unquoted, r.text)
    header = magento_signed_header("GET", url, creds, method)
    spaced = header.replace(",", " ,  ")
    r = send("GET", url, headers={"Authorization": spaced})
    assert r.status_code == 200, (spaced, r.text)


def test_magento_style_signature_on_the_token_endpoint(srv, callback_receiver, method):
    creds = start_handshake(srv, callback_receiver)
    url = creds.base_url + REQUEST_TOKEN_PATH.lstrip("/") + "?" + MAGENTO_QUERY
    header = magento_signed_header("POST", url, creds, method)
    r = send("POST", url, headers={"Authorization": header})
    assert r.status_code == 200, r.text


def test_header_variants(srv, creds, method):
    """The scheme name is case-insensitive, realm is ignored, oauth_version is optional."""
    url = srv.url(STORE_VIEWS)
    for scheme in ("oauth", "OAUTH"):
        header = magento_signed_header("GET", url, creds, method, scheme=scheme)
        r = send("GET", url, headers={"Authorization": header})
        assert r.status_code == 200, (scheme, r.text)
    r = send("GET", url, auth=creds.auth(method, realm="Magento"))
    assert 'realm="Magento"' in header_text(r.request)
    assert r.status_code == 200, r.text
    header = magento_signed_header("GET", url, creds, method, version=None)
    assert "oauth_version" not in header
    r = send("GET", url, headers={"Authorization": header})
    assert r.status_code == 200, r.text


def test_oauth_parameters_in_the_query_leave_a_guest(srv, creds, method):
    r = get(srv, STORE_VIEWS, creds, method, signature_type=SIGNATURE_TYPE_QUERY)
    assert "Authorization" not in r.request.headers
    assert_response(r, 401, NOT_AUTHORIZED_BODY)


# --- 3. replay protection ------------------------------------------------------------------------


def test_replayed_request(srv, creds, method):
    prep = prepare("GET", srv.url(STORE_VIEWS), auth=creds.auth(method))
    r = send_prepared(prep)
    assert r.status_code == 200, r.text
    r = send_prepared(prep)
    cid = consumer_id(srv, creds.integration_id)
    assert_response(r, 401, error(MSG_NONCE_USED, str(cid)))
    # The same nonce on another endpoint, with another timestamp, is still a replay.
    used = header_params(prep)["oauth_nonce"]
    r = get(srv, "/rest/V1/store/websites", creds, method, nonce=used,
            timestamp=str(now() - 5))
    assert_response(r, 401, error(MSG_NONCE_USED, str(cid)))


def test_nonces_are_per_consumer(srv, method):
    a, b = manual_integration(srv), manual_integration(srv)
    n = nonce()
    assert get(srv, STORE_VIEWS, a, method, nonce=n).status_code == 200
    assert get(srv, STORE_VIEWS, b, method, nonce=n).status_code == 200


def test_failed_signature_does_not_use_up_the_nonce(srv, creds, method):
    n, ts = nonce(), str(now())
    r = get(srv, STORE_VIEWS, creds, method, nonce=n, timestamp=ts,
            resource_owner_secret=flip(creds.token_secret))
    assert_response(r, 401, error(MSG_SIGNATURE))
    r = get(srv, STORE_VIEWS, creds, method, nonce=n, timestamp=ts)
    assert r.status_code == 200, r.text
    # Other refusals before the signature check do not use it up either.
    n = nonce()
    r = get(srv, STORE_VIEWS, creds, method, nonce=n, timestamp=str(now() + 3600))
    assert_response(r, 401, error(MSG_NONCE))
    assert get(srv, STORE_VIEWS, creds, method, nonce=n).status_code == 200


def test_nonce_is_refused_after_a_restart(server_factory, method):
    srv = server_factory.create()
    creds = manual_integration(srv)
    prep = prepare("GET", srv.url(STORE_VIEWS), auth=creds.auth(method))
    r = send_prepared(prep)
    assert r.status_code == 200, r.text
    srv.restart()
    r = send_prepared(prep)
    cid = consumer_id(srv, creds.integration_id)
    assert_response(r, 401, error(MSG_NONCE_USED, str(cid)))
    assert get(srv, STORE_VIEWS, creds, method).status_code == 200


@pytest.mark.parametrize("serve_env", [{}, {"STOREGATE_NONCE_LEASE": "0"},
                                       {"STOREGATE_NONCE_SYNC": "0"}],
                         ids=["leases", "nonce_lease_0", "nonce_sync_0"])
def test_kill_9_loses_no_acknowledged_nonce(server_factory, method, serve_env):
    """Every nonce answered 200 is refused after SIGKILL and a restart, and a new request is served
    at once: it was recorded before its answer left (on SQLite: the nonce journal beside the
    database, written under a synced lease or synced by default, synced with nonce_lease 0, written
    with nonce_sync 0; on PostgreSQL: oauth_nonce, committed either way), and the page cache kept
    what was written (the same boot: no fence)."""
    srv = server_factory.create(serve_env=serve_env)
    creds = manual_integration(srv)
    preps = [prepare("GET", srv.url(STORE_VIEWS), auth=creds.auth(method)) for _ in range(40)]
    answers = [None] * len(preps)

    def send(i):
        answers[i] = send_prepared(preps[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(preps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [a.status_code for a in answers] == [200] * len(preps)
    srv.proc.send_signal(signal.SIGKILL)  # right after the acknowledgements
    srv.signalled = signal.SIGKILL
    assert srv.wait() == -signal.SIGKILL
    srv.proc = None
    srv.exit_code = None
    srv.signalled = None
    srv.start()
    cid = str(consumer_id(srv, creds.integration_id))
    for prep in preps:
        assert_response(send_prepared(prep), 401, error(MSG_NONCE_USED, cid))
    assert get(srv, STORE_VIEWS, creds, method).status_code == 200


def _move_leases_to_another_boot(srv):
    """What a reboot leaves behind: the nonce journal's leases (slots whose timestamp field is
    negative, src/oauth/nonce_journal.h) carry another boot id than the machine's. Returns how many
    were rewritten."""
    n = 0
    for seg in sorted(srv.var_dir.glob("storegate.db-nonces.*")):
        if not re.fullmatch(r"\d{6}", seg.suffix[1:]):
            continue
        data = bytearray(seg.read_bytes())
        assert data.startswith(b"storegate nonce journal, 512-byte blocks of 12 slots\n")
        for block in range(512, len(data) - 511, 512):
            for at in range(block, block + 12 * 40, 40):
                slot = data[at:at + 40]
                if (hashlib.blake2b(slot[:32], digest_size=16).digest()[:8] != slot[32:]
                        or int.from_bytes(slot[24:32], "little", signed=True) >= 0):
                    continue
                slot[0] ^= 0xFF
                slot[32:] = hashlib.blake2b(slot[:32], digest_size=16).digest()[:8]
                data[at:at + 40] = slot
                n += 1
        seg.write_bytes(data)
    return n


@storedb.sqlite_only("the nonce journal lies beside the SQLite file")
def test_fence_after_a_reboot(server_factory, method):
    """After a reboot of the machine (a power loss may have lost the nonces answered under a lease
    before they were synced), a consumer's timestamps up to the end of its last lease (nonce_lease
    2: its last request's + 2 s) are refused; a nonce read back is refused as a replay; later
    timestamps and other consumers are served."""
    srv = server_factory.create()
    creds, other = manual_integration(srv), manual_integration(srv)
    t0 = now()
    first = prepare("GET", srv.url(STORE_VIEWS), auth=creds.auth(method, timestamp=str(t0)))
    assert send_prepared(first).status_code == 200  # waits for its lease's sync: up to t0 + 2
    assert get(srv, STORE_VIEWS, creds, method, timestamp=str(t0)).status_code == 200
    assert srv.stop() == 0
    srv.proc = srv.exit_code = srv.signalled = None
    assert _move_leases_to_another_boot(srv) >= 1
    srv.start()
    cid = str(consumer_id(srv, creds.integration_id))
    assert_response(send_prepared(first), 401, error(MSG_NONCE_USED, cid))
    for ts in (t0, t0 + 1, t0 + 2):
        r = get(srv, STORE_VIEWS, creds, method, timestamp=str(ts))
        assert_response(r, 401, error(MSG_NONCE))
    assert get(srv, STORE_VIEWS, creds, method, timestamp=str(t0 + 3)).status_code == 200
    assert get(srv, STORE_VIEWS, other, method, timestamp=str(t0)).status_code == 200
    assert "leases of an earlier boot" in srv.logs()


def test_replay_across_threads(srv, creds, method):
    """The same signed request sent many times at once over separate connections (the server has
    two worker threads): exactly one 200, every other answer the replay 401."""
    prep = prepare("GET", srv.url(STORE_VIEWS), auth=creds.auth(method))
    n = 24
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        barrier.wait()
        try:
            results[i] = send_prepared(prep)
        except Exception as e:  # reported below
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    errors = [r for r in results if not hasattr(r, "status_code")]
    assert not errors, errors
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) == 1, codes
    cid = str(consumer_id(srv, creds.integration_id))
    for r in results:
        if r.status_code != 200:
            assert_response(r, 401, error(MSG_NONCE_USED, cid))


@pytest.mark.parametrize("offset", [-601 - 60, 601 + 60, -86400])
def test_timestamps_outside_the_window(srv, creds, method, offset):
    r = get(srv, STORE_VIEWS, creds, method, timestamp=str(now() + offset))
    assert_response(r, 401, error(MSG_NONCE))


def test_timestamps_inside_the_window(srv, creds, method):
    for offset in (-540, 540):
        r = get(srv, STORE_VIEWS, creds, method, timestamp=str(now() + offset))
        assert r.status_code == 200, (offset, r.text)


def test_timestamp_window_setting(server_factory, method):
    srv = server_factory.create(pre_serve=[("config:set", "oauth/timestamp_window", "30")])
    creds = manual_integration(srv)
    r = get(srv, STORE_VIEWS, creds, method, timestamp=str(now() - 120))
    assert_response(r, 401, error(MSG_NONCE))
    assert get(srv, STORE_VIEWS, creds, method, timestamp=str(now() - 10)).status_code == 200
    srv.cli_ok("config:set", "oauth/timestamp_window", "600")
    assert get(srv, STORE_VIEWS, creds, method, timestamp=str(now() - 120)).status_code == 200


# --- 4. errors of signed calls -------------------------------------------------------------------


def test_missing_fields(srv, creds, method):
    """A partial OAuth header: Magento 2.4's InputException JSON (one error, or the aggregate)."""
    url = srv.url(STORE_VIEWS)
    header = magento_signed_header("GET", url, creds.with_token(None, None), method)
    r = send("GET", url, headers={"Authorization": header})
    assert_response(r, 400, {"message": MSG_REQUIRED, "parameters": {"fieldName": "oauth_token"}})
    header = f'OAuth oauth_consumer_key="{creds.consumer_key}",oauth_token="{creds.token}"'
    r = send("GET", url, headers={"Authorization": header})
    assert_response(r, 400, {
        "message": MSG_MULTIPLE_INPUT,
        "errors": [{"message": MSG_REQUIRED, "parameters": {"fieldName": f}}
                   for f in ("oauth_signature", "oauth_signature_method", "oauth_nonce",
                             "oauth_timestamp")],
    })


def test_oauth_header_without_parameters_leaves_a_guest(srv):
    """Nothing extracted from the request (no OAuth parameter, no query): Magento's
    OauthUserContext returns no user, so the caller is a guest (§5.3) and meets the ACL's 401."""
    for header in ('OAuth realm="Magento"', "OAuth "):
        r = send("GET", srv.url(STORE_VIEWS), headers={"Authorization": header})
        assert_response(r, 401, NOT_AUTHORIZED_BODY)


def test_unsupported_signature_methods(srv, creds):
    r = get(srv, STORE_VIEWS, creds, SIGNATURE_PLAINTEXT)
    assert_response(r, 400, error(MSG_SIG_METHOD, "PLAINTEXT"))
    url = srv.url(STORE_VIEWS)
    header = magento_signed_header("GET", url, creds, "HMAC-SHA256").replace(
        'oauth_signature_method="HMAC-SHA256"', 'oauth_signature_method="RSA-SHA1"')
    r = send("GET", url, headers={"Authorization": header})
    assert_response(r, 400, error(MSG_SIG_METHOD, "RSA-SHA1"))


def test_consumer_and_token_errors(srv, creds, method):
    cases = [
        (creds.with_token("short", "s" * 32), 400, error(MSG_TOKEN_LENGTH)),
        (creds.with_token("u" * 32, "s" * 32), 401, error(MSG_NO_TOKEN)),
        (Creds(None, "k" * 31, "c" * 32, creds.token, creds.token_secret), 401,
         error(MSG_KEY_LENGTH)),
        (Creds(None, "0" * 32, "c" * 32, creds.token, creds.token_secret), 401,
         error(MSG_NO_CONSUMER)),
    ]
    for c, status, body in cases:
        r = get(srv, STORE_VIEWS, c, method)
        assert_response(r, status, body)


def test_token_of_another_consumer(srv, creds, method):
    other = manual_integration(srv)
    mixed = creds.with_token(other.token, other.token_secret)
    assert_response(get(srv, STORE_VIEWS, mixed, method), 401, error(MSG_TOKEN_OTHER))


def test_tampered_request_and_wrong_secrets(srv, creds, method):
    prep = prepare("GET", srv.url(STORE_VIEWS + "?storeCodes[]=default"),
                   auth=creds.auth(method))
    prep.url = srv.url(STORE_VIEWS + "?storeCodes[]=admin")
    assert_response(send_prepared(prep), 401, error(MSG_SIGNATURE))

    prep = prepare("GET", srv.url(STORE_VIEWS), auth=creds.auth(method))
    prep.url = srv.url("/rest/V1/store/websites")
    assert_response(send_prepared(prep), 401, error(MSG_SIGNATURE))

    for kw in ({"client_secret": flip(creds.consumer_secret)},
               {"resource_owner_secret": flip(creds.token_secret)},
               {"resource_owner_secret": ""}):
        assert_response(get(srv, STORE_VIEWS, creds, method, **kw), 401, error(MSG_SIGNATURE))

    # The signature of one method presented under the name of the other.
    other = METHODS[1] if method == METHODS[0] else METHODS[0]
    url = srv.url(STORE_VIEWS)
    header = magento_signed_header("GET", url, creds, method).replace(
        f'oauth_signature_method="{method}"', f'oauth_signature_method="{other}"')
    assert_response(send("GET", url, headers={"Authorization": header}), 401,
                    error(MSG_SIGNATURE))


def test_revoked_access_token(srv, creds, method):
    assert get(srv, STORE_VIEWS, creds, method).status_code == 200
    assert db_exec(srv, "UPDATE oauth_token SET revoked = 1 WHERE token = ?", (creds.token,)) == 1
    assert_response(get(srv, STORE_VIEWS, creds, method), 401, error(MSG_REVOKED))


def test_request_token_is_not_an_access_token(srv, callback_receiver, method):
    """Activated with a Callback URL, handshake not finished: the integration is not Active and its
    request token does not open the API."""
    req = fetch_request_token(start_handshake(srv, callback_receiver), method)
    assert show(srv, req.integration_id)["status"] == "Inactive"
    assert_response(get(srv, STORE_VIEWS, req, method), 401, error(MSG_NOT_ACCESS))


def test_inactive_integration_is_a_guest(srv, creds, method):
    """An access token whose integration is not Active: the caller is a guest (§4.3 end, §5.3)."""
    assert db_exec(srv, "UPDATE integration SET status = 0 WHERE integration_id = ?",
                   (creds.integration_id,)) == 1
    assert_response(get(srv, STORE_VIEWS, creds, method), 401, NOT_AUTHORIZED_BODY)


def test_reauthorize_manual_integration(srv, creds, method):
    assert get(srv, STORE_VIEWS, creds, method).status_code == 200
    again = activate(srv, creds.integration_id)
    assert again["access_token"] != creds.token
    assert again["consumer_key"] == creds.consumer_key
    assert again["consumer_secret"] == creds.consumer_secret
    assert_response(get(srv, STORE_VIEWS, creds, method), 401, error(MSG_NO_TOKEN))
    fresh = creds.with_token(again["access_token"], again["access_token_secret"])
    assert get(srv, STORE_VIEWS, fresh, method).status_code == 200


def test_reauthorize_with_token_exchange(srv, callback_receiver, method):
    acc = full_handshake(srv, callback_receiver, method)
    assert get(srv, STORE_VIEWS, acc, method).status_code == 200
    first = dict(callback_receiver.posts[-1]["fields"])
    activate(srv, acc.integration_id)
    second = dict(callback_receiver.posts[-1]["fields"])
    assert len(callback_receiver.posts) == 2
    assert second["oauth_consumer_key"] == first["oauth_consumer_key"]
    assert second["oauth_consumer_secret"] == first["oauth_consumer_secret"]
    assert second["oauth_verifier"] != first["oauth_verifier"]
    # The old access token fails at once; the integration waits for the new exchange.
    assert_response(get(srv, STORE_VIEWS, acc, method), 401, error(MSG_NO_TOKEN))
    assert show(srv, acc.integration_id)["status"] == "Inactive"
    creds = Creds(acc.integration_id, acc.consumer_key, acc.consumer_secret,
                  verifier=second["oauth_verifier"], base_url=second["store_base_url"])
    new = fetch_access_token(fetch_request_token(creds, method), method)
    assert show(srv, acc.integration_id)["status"] == "Active"
    assert get(srv, STORE_VIEWS, new, method).status_code == 200
    assert_response(get(srv, STORE_VIEWS, acc, method), 401, error(MSG_NO_TOKEN))


def test_custom_resources(srv, method):
    cms_only = manual_integration(srv, resources=["Magento_Cms::page"])
    for name in STORE_ENDPOINTS:
        r = get(srv, f"/rest/V1/store/{name}", cms_only, method)
        assert_response(r, 401, NOT_AUTHORIZED_BODY)
    store = manual_integration(srv, resources=["Magento_Backend::store"])
    for name in STORE_ENDPOINTS:
        r = get(srv, f"/rest/V1/store/{name}", store, method)
        assert r.status_code == 200, (name, r.text[:300])


def test_custom_resources_acl(srv, method):
    """The same check with the Custom grant written to the database directly, so that the server's
    ACL is tested even where the command line cannot grant a resource."""
    for granted, ok in ((["Magento_Cms::page"], False), (["Magento_Backend::store"], True),
                        ([], False)):
        c = manual_integration(srv)
        db_exec(srv, "UPDATE integration SET all_resources = 0 WHERE integration_id = ?",
                (c.integration_id,))
        for res in granted:
            db_exec(srv, "INSERT INTO integration_resource (integration_id, resource_id)"
                    " VALUES (?, ?)", (c.integration_id, res))
        for name in STORE_ENDPOINTS:
            r = get(srv, f"/rest/V1/store/{name}", c, method)
            if ok:
                assert r.status_code == 200, (granted, name, r.text[:300])
            else:
                assert_response(r, 401, NOT_AUTHORIZED_BODY)


def test_signature_diagnostics(srv, creds, method):
    params = {"storeCodes[]": "default", "q": "a b+c"}
    secrets_ = (creds.consumer_secret, creds.token_secret)

    def bad():
        return get(srv, STORE_CONFIGS, creds, method, params=params,
                   client_secret=flip(creds.consumer_secret))

    # Off by default: Magento's plain message.
    assert_response(bad(), 401, error(MSG_SIGNATURE))

    srv.cli_ok("integration:diagnostics", str(creds.integration_id), "on")
    (until,), = db_query(srv, "SELECT diagnostics_until FROM integration"
                              " WHERE integration_id = ?", (creds.integration_id,))
    assert now() + 3500 <= until <= now() + 3700, until  # on for an hour
    r = bad()
    assert r.status_code == 401, r.text
    body = body_json(r)
    assert set(body) == {"message", "parameters"}, body
    assert body["message"] == MSG_SIGNATURE, body
    p = body["parameters"]
    assert isinstance(p, dict) and set(p) == {"base_string_sha256", "signed_parameters"}, p
    assert re.fullmatch(r"[0-9a-f]{64}", p["base_string_sha256"]), p
    # The hash of the RFC 5849 base string, as oauthlib built it for this very request.
    expected = hashlib.sha256(rfc_base_string(r.request).encode()).hexdigest()
    assert p["base_string_sha256"] == expected, (p, rfc_base_string(r.request))
    names = p["signed_parameters"]
    if isinstance(names, str):
        names = names.split(",")
    assert isinstance(names, list) and all(isinstance(n, str) for n in names), p
    assert set(names) == {"oauth_consumer_key", "oauth_nonce", "oauth_signature_method",
                          "oauth_timestamp", "oauth_token", "oauth_version", "storeCodes[]", "q"}, p
    sent = header_text(r.request)
    signature = urllib.parse.unquote(re.search(r'oauth_signature="([^"]+)"', sent).group(1))
    for value in (*secrets_, creds.token, signature, urllib.parse.quote(signature, safe="")):
        assert value not in r.text, f"a secret or value leaked into the diagnostics: {r.text}"

    # Only signature failures carry diagnostics.
    r = get(srv, STORE_CONFIGS, creds, method, timestamp=str(now() - 7200))
    assert_response(r, 401, error(MSG_NONCE))

    srv.cli_ok("integration:diagnostics", str(creds.integration_id), "off")
    assert_response(bad(), 401, error(MSG_SIGNATURE))

    # Once the hour is over the switch is off by itself.
    srv.cli_ok("integration:diagnostics", str(creds.integration_id), "on")
    assert "parameters" in body_json(bad())
    db_exec(srv, "UPDATE integration SET diagnostics_until = ? WHERE integration_id = ?",
            (now() - 1, creds.integration_id))
    assert_response(bad(), 401, error(MSG_SIGNATURE))


def test_diagnostics_of_one_integration_only(srv, method):
    a, b = manual_integration(srv), manual_integration(srv)
    srv.cli_ok("integration:diagnostics", str(a.integration_id), "on")
    r = get(srv, STORE_VIEWS, b, method, client_secret=flip(b.consumer_secret))
    assert_response(r, 401, error(MSG_SIGNATURE))
    r = get(srv, STORE_VIEWS, a, method, client_secret=flip(a.consumer_secret))
    assert "parameters" in body_json(r), r.text


def test_signature_methods_setting(server_factory, callback_receiver):
    srv = server_factory.create(pre_serve=[("config:set", "oauth/signature_methods",
                                            "HMAC-SHA256")])
    creds = manual_integration(srv)
    assert_response(get(srv, STORE_VIEWS, creds, "HMAC-SHA1"), 400,
                    error(MSG_SIG_METHOD, "HMAC-SHA1"))
    assert get(srv, STORE_VIEWS, creds, "HMAC-SHA256").status_code == 200

    ex = start_handshake(srv, callback_receiver)
    r = send("POST", ex.base_url + REQUEST_TOKEN_PATH.lstrip("/"),
             auth=OAuth1(ex.consumer_key, ex.consumer_secret, signature_method="HMAC-SHA1"))
    assert_problem(r, 400, "Signature method HMAC-SHA1 is not supported")
    fetch_access_token(fetch_request_token(ex, "HMAC-SHA256"), "HMAC-SHA256")

    # Seen at once by the running server.
    srv.cli_ok("config:set", "oauth/signature_methods", "HMAC-SHA1,HMAC-SHA256")
    assert get(srv, STORE_VIEWS, creds, "HMAC-SHA1").status_code == 200


# --- 5. the integration's access token as a Bearer token -----------------------------------------


def test_integration_token_as_bearer(server_factory, method):
    srv = server_factory.create()
    creds = manual_integration(srv)
    r = srv.get(STORE_VIEWS, headers=bearer(creds.token))
    assert_response(r, 401, NOT_AUTHORIZED_BODY)
    srv.cli_ok("config:set", "oauth/consumer/enable_integration_as_bearer", "1")
    r = srv.get(STORE_VIEWS, headers=bearer(creds.token))
    assert r.status_code == 200, r.text
    # The token secret or a made-up token is no bearer token.
    assert_response(srv.get(STORE_VIEWS, headers=bearer(creds.token_secret)), 401,
                    NOT_AUTHORIZED_BODY)
    assert_response(srv.get(STORE_VIEWS, headers=bearer(secrets.token_hex(16))), 401,
                    NOT_AUTHORIZED_BODY)
    # Signed calls are unaffected; switching back off refuses the bearer at once.
    assert get(srv, STORE_VIEWS, creds, method).status_code == 200
    srv.cli_ok("config:set", "oauth/consumer/enable_integration_as_bearer", "0")
    assert_response(srv.get(STORE_VIEWS, headers=bearer(creds.token)), 401, NOT_AUTHORIZED_BODY)


def test_bearer_respects_custom_resources(server_factory):
    srv = server_factory.create(pre_serve=[
        ("config:set", "oauth/consumer/enable_integration_as_bearer", "1")])
    cms_only = manual_integration(srv, resources=["Magento_Cms::page"])
    assert_response(srv.get(STORE_VIEWS, headers=bearer(cms_only.token)), 401,
                    NOT_AUTHORIZED_BODY)


# --- 6. the access log -------------------------------------------------------------------------


def test_access_log_has_no_secrets(server_factory, callback_receiver):
    """The server's output (access log on stderr) never holds a consumer secret, a token secret, an
    access token or a signature, whatever the outcome of the request."""
    srv = server_factory.create()
    sent = []  # every Authorization header sent

    def remember(r, *args, **kwargs):
        sent.append(header_text(r.request))

    hooks = {"response": remember}
    secrets_ = set()
    for method in METHODS:
        ex = start_handshake(srv, callback_receiver)
        secrets_.add(ex.consumer_secret)
        request_url = ex.base_url + "oauth/token/request"
        access_url = ex.base_url + "oauth/token/access"
        r = send("POST", request_url, hooks=hooks,
                 auth=OAuth1(ex.consumer_key, flip(ex.consumer_secret), signature_method=method))
        assert r.status_code == 401, r.text
        tok, sec = token_pair(send("POST", request_url, hooks=hooks,
                                   auth=OAuth1(ex.consumer_key, ex.consumer_secret,
                                               signature_method=method)))
        secrets_.add(sec)
        r = send("POST", access_url, hooks=hooks,
                 auth=OAuth1(ex.consumer_key, ex.consumer_secret, tok, flip(sec),
                             verifier=ex.verifier, signature_method=method))
        assert r.status_code == 401, r.text
        acc = ex.with_token(*token_pair(send(
            "POST", access_url, hooks=hooks,
            auth=OAuth1(ex.consumer_key, ex.consumer_secret, tok, sec, verifier=ex.verifier,
                        signature_method=method))))
        secrets_ |= {acc.token, acc.token_secret}
        srv.cli_ok("integration:diagnostics", str(acc.integration_id), "on")
        for kw in ({}, {"client_secret": flip(acc.consumer_secret)}, {"nonce": "fixed"},
                   {"nonce": "fixed"}, {"timestamp": str(now() - 7200)}):
            r = send("GET", srv.url(STORE_CONFIGS + "?storeCodes[]=default"),
                     auth=acc.auth(method, **kw), hooks=hooks)
            assert r.status_code in (200, 401), r.text
        man = manual_integration(srv)
        secrets_ |= {man.consumer_secret, man.token, man.token_secret}
        r = send("GET", srv.url(STORE_VIEWS), auth=man.auth(method), hooks=hooks)
        assert r.status_code == 200, r.text
        r = srv.get(STORE_VIEWS, headers=bearer(man.token))
        assert r.status_code == 401, r.text
    signatures = set()
    for h in sent:
        m = re.search(r'oauth_signature="([^"]+)"', h)
        assert m, h
        signatures |= {m.group(1), urllib.parse.unquote(m.group(1))}
    assert len(sent) == 2 * 10, len(sent)

    # Stopped first, so that every buffered access-log line is out.
    assert srv.stop() == 0, srv.logs()
    log = srv.stderr_text() + srv.stdout_text()
    assert log.count(" access ") >= len(sent), log[-3000:]
    for value in secrets_ | signatures:
        assert value not in log, f"{value!r} appears in the server's output"
