"""The Web API pipeline: routing, methods, request decoding, error shape, size caps, /health and
graceful shutdown (reference §5.1, §5.2, §5.6 and the observed table; docs/design.md "HTTP
contract")."""

import json
import signal
import socket
import time

import pytest

from sgtest import (
    JSON_CT,
    MSG_BAD_REQUEST_PATH,
    MSG_CT_CHARSET,
    MSG_CT_EMPTY,
    MSG_CT_INVALID,
    MSG_CT_UNKNOWN,
    MSG_DECODING,
    MSG_METHOD_NOT_SUPPORTED,
    MSG_NO_ROUTE,
    TOKEN_PATH,
    assert_response,
    body_json,
    request_head,
)

NO_ROUTE = {"message": MSG_NO_ROUTE}
DECODING = {"message": MSG_DECODING}
STORE_VIEWS = "/rest/V1/store/storeViews"
MiB = 1024 * 1024
KiB = 1024


def not_supported(method):
    return {"message": MSG_METHOD_NOT_SUPPORTED, "parameters": [method]}


def creds(server):
    return json.dumps({"username": server.admin_user, "password": server.admin_password}).encode()


# --- routing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/rest/V1/nosuch/route",
        "/rest/V1/store",
        "/rest/V1/store/storeViews/extra",
        "/rest/V1/store/storeviews",  # path segments are case-sensitive
        "/rest/default/V1/nosuch",
        "/rest/all/V1/nosuch",
        # Magento hands any /V<digits>/ path to the synchronous processor (SynchronousRequestMatcher
        # `^/V\d+`), so another version is routed, finds nothing, and is a 404, not a 400.
        "/rest/V2/store/storeViews",
    ],
)
@pytest.mark.parametrize("as_admin", [True, False], ids=["admin", "anonymous"])
def test_unknown_route(server, admin_token, path, as_admin):
    r = server.get(path, token=admin_token if as_admin else None)
    assert_response(r, 404, NO_ROUTE)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_store_route_with_another_verb(server, admin_token, method):
    r = server.request(method, STORE_VIEWS, token=admin_token, json={})
    assert_response(r, 404, NO_ROUTE)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_token_route_with_another_verb(server, method):
    kw = {} if method in ("GET", "DELETE") else {"json": {"username": "a", "password": "b"}}
    assert_response(server.request(method, TOKEN_PATH, **kw), 404, NO_ROUTE)


@pytest.mark.parametrize("method", ["PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", [STORE_VIEWS, "/rest/V1/nosuch/route", TOKEN_PATH])
def test_unsupported_method(server, admin_token, method, path):
    r = server.request(method, path, token=admin_token)
    assert_response(r, 405, not_supported(method))


def test_head_is_405_without_a_body(server, admin_token):
    resp = server.raw(request_head("HEAD", STORE_VIEWS, [
        ("Authorization", "Bearer " + admin_token), ("Connection", "close")]), head_request=True)
    assert resp.status == 405, resp
    assert resp.body == b"", f"HEAD response carried a body: {resp.body[:200]!r}"


def test_trailing_slash_is_accepted(server, admin_token):
    plain = server.get(STORE_VIEWS, token=admin_token)
    slash = server.get(STORE_VIEWS + "/", token=admin_token)
    assert plain.status_code == 200
    assert_response(slash, 200, body_json(plain))


def test_trailing_slash_on_post_route(server):
    r = server.post(TOKEN_PATH + "/",
                    json={"username": server.admin_user, "password": server.admin_password})
    assert r.status_code == 200, r.text
    assert isinstance(body_json(r), str)


def test_query_string_does_not_change_the_route(server, admin_token):
    r = server.get(STORE_VIEWS + "?foo=bar&x[]=1", token=admin_token)
    assert r.status_code == 200, r.text


def test_lowercase_version_is_a_bad_request(server):
    assert_response(server.get("/rest/v1/store/storeViews"), 400, {"message":
                                                                   MSG_BAD_REQUEST_PATH})


# --- request decoding -------------------------------------------------------------------------------


def post_token_raw(server, body, content_type="application/json"):
    headers = {} if content_type is None else {"Content-Type": content_type}
    return server.post(TOKEN_PATH, data=body, headers=headers)


@pytest.mark.parametrize(
    "body",
    [
        b'{"username": "admin", "password": ',
        b'{"username": "admin" "password": "x"}',
        b"{'username': 'admin', 'password': 'x'}",
        b'{"username": "admin", "password": "x"} trailing',
        b'{"username": "\xff\xfe", "password": "x"}',
        b"\xef\xbb\xbf" + b'{"username": "admin", "password": "x"}',
        b"not json at all",
    ],
    ids=["truncated", "missing-comma", "single-quotes", "trailing-garbage", "invalid-utf8",
         "utf8-bom", "text"],
)
def test_malformed_json(server, body):
    assert_response(post_token_raw(server, body), 400, DECODING)


def test_bom_before_valid_credentials(server):
    assert_response(post_token_raw(server, b"\xef\xbb\xbf" + creds(server)), 400, DECODING)


def test_missing_content_type_with_a_body(server):
    assert_response(post_token_raw(server, creds(server), content_type=None), 400,
                    {"message": MSG_CT_EMPTY})


@pytest.mark.parametrize("ct", ["application/json; foo=bar", "application/json; charset",
                                "application json", ";charset=utf-8"])
def test_invalid_content_type(server, ct):
    assert_response(post_token_raw(server, creds(server), ct), 400, {"message": MSG_CT_INVALID})


@pytest.mark.parametrize("ct", ["application/json; charset=latin1",
                                "application/json; charset=iso-8859-1"])
def test_non_utf8_charset(server, ct):
    assert_response(post_token_raw(server, creds(server), ct), 400, {"message": MSG_CT_CHARSET})


@pytest.mark.parametrize("ct", ["text/plain", "application/x-www-form-urlencoded"])
def test_unknown_media_type(server, ct):
    assert_response(post_token_raw(server, creds(server), ct), 400,
                    {"message": MSG_CT_UNKNOWN, "parameters": [ct]})


@pytest.mark.parametrize("ct", ["application/json", "application/json; charset=utf-8",
                                "application/json;charset=UTF-8"])
def test_accepted_content_types(server, ct):
    r = post_token_raw(server, creds(server), ct)
    assert r.status_code == 200, (ct, r.status_code, r.text)
    assert isinstance(body_json(r), str)


# --- response format --------------------------------------------------------------------------------


def test_health(server):
    assert_response(server.get("/health"), 200, {"status": "ok", "database": "ok"})


@pytest.mark.parametrize(
    "method,path,auth,status",
    [
        ("GET", STORE_VIEWS, True, 200),
        ("GET", STORE_VIEWS, False, 401),
        ("GET", "/rest/V1/nosuch", True, 404),
        ("PATCH", STORE_VIEWS, True, 405),
        ("GET", "/rest/nosuch/V1/store/storeViews", True, 400),
    ],
)
def test_responses_are_utf8_json(server, admin_token, method, path, auth, status):
    r = server.request(method, path, token=admin_token if auth else None)
    assert r.status_code == status, r.text
    assert r.headers.get("Content-Type") == JSON_CT
    body_json(r)


def test_error_without_placeholders_has_no_parameters(server):
    r = server.get("/rest/V1/nosuch")
    assert "parameters" not in body_json(r)
    assert "trace" not in body_json(r)


# --- size caps ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limits_server(module_server_factory):
    return module_server_factory.create()


def assert_still_serving(srv):
    assert_response(srv.get("/health"), 200, {"status": "ok", "database": "ok"})
    assert srv.token()


def raw_json_error(resp, status):
    assert resp.status == status, resp
    assert resp.headers.get("content-type") == JSON_CT, resp.headers
    body = resp.json()
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], body
    return body


def body_chunks(total, size=64 * KiB):
    block = b" " * size
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield block[:n]
        sent += n


def test_body_of_exactly_8_mib_is_accepted(limits_server):
    srv = limits_server
    prefix = b'{"username": "nobody", "password": "Nothing123"}'
    body = prefix + b" " * (8 * MiB - len(prefix))
    assert len(body) == 8 * MiB
    r = srv.post(TOKEN_PATH, data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 401, (r.status_code, r.text[:300])


def test_body_over_8_mib_is_413(limits_server):
    srv = limits_server
    total = 8 * MiB + 1
    head = request_head("POST", TOKEN_PATH, [
        ("Content-Type", "application/json"), ("Content-Length", str(total)),
        ("Connection", "close")])
    resp = srv.raw([head, *body_chunks(total)], timeout=20)
    raw_json_error(resp, 413)
    assert_still_serving(srv)


def test_chunked_body_over_8_mib_is_413(limits_server):
    srv = limits_server
    head = request_head("POST", TOKEN_PATH, [
        ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"),
        ("Connection", "close")])

    def chunks():
        yield head
        for piece in body_chunks(9 * MiB):
            yield b"%x\r\n" % len(piece) + piece + b"\r\n"
        yield b"0\r\n\r\n"

    resp = srv.raw(chunks(), timeout=20)
    raw_json_error(resp, 413)
    assert_still_serving(srv)


def test_large_header_under_the_cap_is_accepted(limits_server):
    srv = limits_server
    token = srv.token()
    r = srv.get(STORE_VIEWS, token=token, headers={"X-Pad": "a" * (8 * KiB)})
    assert r.status_code == 200, r.status_code


def test_header_over_16_kib_is_431(limits_server):
    srv = limits_server
    head = request_head("GET", STORE_VIEWS, [("X-Pad", "a" * (17 * KiB)),
                                             ("Connection", "close")])
    raw_json_error(srv.raw(head), 431)
    assert_still_serving(srv)


def test_many_headers_over_16_kib_in_total_are_431(limits_server):
    srv = limits_server
    headers = [(f"X-Pad-{i}", "b" * 1000) for i in range(20)] + [("Connection", "close")]
    raw_json_error(srv.raw(request_head("GET", STORE_VIEWS, headers)), 431)
    assert_still_serving(srv)


def test_url_under_the_cap_is_accepted(limits_server):
    srv = limits_server
    token = srv.token()
    r = srv.get(STORE_VIEWS + "?pad=" + "a" * (4 * KiB), token=token)
    assert r.status_code == 200, r.status_code


@pytest.mark.parametrize("target", [STORE_VIEWS + "?pad=" + "a" * (9 * KiB),
                                    "/rest/V1/" + "a" * (9 * KiB)], ids=["query", "path"])
def test_url_over_8_kib_is_414(limits_server, target):
    srv = limits_server
    resp = srv.raw(request_head("GET", target, [("Connection", "close")]))
    raw_json_error(resp, 414)
    assert_still_serving(srv)


# --- graceful shutdown ------------------------------------------------------------------------------


def test_sigterm_lets_an_in_flight_request_finish(server_factory):
    srv = server_factory.create()
    body = json.dumps({"username": srv.admin_user, "password": srv.admin_password}).encode()
    head = request_head("POST", TOKEN_PATH, [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
        ("Connection", "close")])
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        sock.sendall(head + body[:10])
        time.sleep(0.3)  # the server has the request line and headers: the request is in flight
        srv.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        sock.sendall(body[10:])
        data = b""
        while True:
            got = sock.recv(65536)
            if not got:
                break
            data += got
    finally:
        sock.close()
    assert data.startswith(b"HTTP/1.1 200"), (
        f"the request in flight at SIGTERM got no 200 (connection closed?): {data[:300]!r}")
    token = json.loads(data.split(b"\r\n\r\n", 1)[1].decode())
    assert isinstance(token, str) and len(token) >= 32
    assert srv.wait() == 0, srv.logs()


def test_sigterm_lets_a_request_being_handled_finish(server_factory):
    srv = server_factory.create()
    body = json.dumps({"username": srv.admin_user, "password": srv.admin_password}).encode()
    head = request_head("POST", TOKEN_PATH, [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
        ("Connection", "close")])
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        sock.sendall(head + body)
        time.sleep(0.02)  # the server is now checking the password (Argon2id: tens of ms)
        srv.send_signal(signal.SIGTERM)
        data = b""
        while True:
            got = sock.recv(65536)
            if not got:
                break
            data += got
    finally:
        sock.close()
    assert data.startswith(b"HTTP/1.1 200"), data[:300]
    assert srv.wait() == 0, srv.logs()


def test_sigint_with_an_idle_keepalive_connection_exits_0(server_factory):
    srv = server_factory.create()
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        sock.sendall(request_head("GET", "/health"))
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        # The connection stays open and idle; shutdown must not wait for the client.
        srv.send_signal(signal.SIGINT)
        code = srv.wait(timeout=10)
    finally:
        sock.close()
    assert code == 0, f"exit code {code}\n{srv.logs()}"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()


def test_sigterm_under_load_exits_0(server_factory):
    srv = server_factory.create()
    token = srv.token()
    for _ in range(20):
        assert srv.get(STORE_VIEWS, token=token).status_code == 200
    assert srv.stop() == 0, srv.logs()


def test_unhandled_path_outside_rest(server):
    # Only /rest/..., /health (and later /oauth, /admin, /swagger) exist; anything else is a 404.
    r = server.get("/nosuch")
    assert r.status_code == 404, r.status_code

