"""Helpers shared by the end-to-end tests: Magento's literal messages, a type-strict JSON comparison,
a raw HTTP/1.1 client for the cases `requests` cannot express (oversized or half-sent bodies, HEAD
bodies), and small polling utilities. Kept out of conftest.py so that test files can import it."""

import base64
import json
import os
import select
import socket
import time
from pathlib import Path

# --- Magento 2.4 wording (reference §5.4, §5.6, observed table) -------------------------------------

MSG_BAD_CREDENTIALS = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
MSG_REQUIRED = '"%fieldName" is required. Enter and try again.'
MSG_MULTIPLE_INPUT = "One or more input exceptions have occurred."
MSG_NOT_AUTHORIZED = "The consumer isn't authorized to access %resources."
MSG_NO_ROUTE = "Request does not match any route."
MSG_METHOD_NOT_SUPPORTED = "The %1 HTTP method is not supported."
MSG_BAD_REQUEST_PATH = "Specified request cannot be processed."
MSG_DECODING = "Decoding error."
MSG_CT_EMPTY = "Content-Type header is empty."
MSG_CT_INVALID = "Content-Type header is invalid."
MSG_CT_CHARSET = "UTF-8 is the only supported charset."
MSG_CT_UNKNOWN = "Server cannot understand Content-Type HTTP header media type %1"

JSON_CT = "application/json; charset=utf-8"

STORE_RESOURCE = "Magento_Backend::store"
STORE_ENDPOINTS = ("storeViews", "storeGroups", "websites", "storeConfigs")

NOT_AUTHORIZED_BODY = {"message": MSG_NOT_AUTHORIZED, "parameters": {"resources": STORE_RESOURCE}}

TOKEN_PATH = "/rest/V1/integration/admin/token"

# Customers (reference §5.4, §8.5; issue 3 item 5).
CUSTOMER_TOKEN_PATH = "/rest/V1/integration/customer/token"
CUSTOMER_REVOKE_PATH = "/rest/V1/integration/customer/revoke-customer-token"
CUSTOMER_ME_PATH = "/rest/V1/customers/me"
MSG_FIELD_NOT_SUPPORTED = '"%fieldName" is not supported. Correct the field name and try again.'
MSG_CUSTOMER_EXISTS = (
    "A customer with the same email address already exists in an associated website."
)


def not_authorized(resource):
    """The ACL refusal body naming `resource` (reference §5.5, observed table)."""
    return {"message": MSG_NOT_AUTHORIZED, "parameters": {"resources": resource}}


def create_customer(server, email, password, firstname="Jane", lastname="Doe", website_id=None):
    """`customer:create --json` on a Server; returns the printed JSON ({"id", "email"})."""
    args = ["customer:create", "--email", email, "--firstname", firstname,
            "--lastname", lastname, "--password", password, "--json"]
    if website_id is not None:
        args += ["--website-id", str(website_id)]
    cp = server.cli_ok(*args)
    try:
        out = json.loads(cp.stdout)
    except ValueError:
        raise AssertionError(f"customer:create --json printed no JSON: {cp.stdout!r}") from None
    assert isinstance(out.get("id"), int), out
    return out


def customer_token(server, email, password):
    """A customer token; fails unless HTTP 200 with a JSON string."""
    r = server.post(CUSTOMER_TOKEN_PATH, json={"username": email, "password": password})
    assert r.status_code == 200, f"customer token: HTTP {r.status_code} {r.text[:300]!r}"
    tok = body_json(r)
    assert isinstance(tok, str) and tok, f"customer token is not a JSON string: {r.text[:300]!r}"
    return tok


def bearer(token):
    return {"Authorization": "Bearer " + token}


# --- type-strict JSON comparison ------------------------------------------------------------------


def _kind(v):
    # bool is a subclass of int in Python; JSON `true` and `1` must not compare equal.
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if v is None:
        return "null"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def json_diff(actual, expected, path="$"):
    """First difference between two decoded JSON values (types included), or None."""
    ka, ke = _kind(actual), _kind(expected)
    if ka != ke:
        return f"{path}: expected {ke} {expected!r}, got {ka} {actual!r}"
    if ka == "object":
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        if missing or extra:
            return f"{path}: missing keys {missing}, unexpected keys {extra} (got {actual!r})"
        for k in expected:
            d = json_diff(actual[k], expected[k], f"{path}.{k}")
            if d:
                return d
        return None
    if ka == "array":
        if len(actual) != len(expected):
            return f"{path}: expected {len(expected)} items, got {len(actual)}: {actual!r}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            d = json_diff(a, e, f"{path}[{i}]")
            if d:
                return d
        return None
    if actual != expected:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None


def assert_json(actual, expected):
    d = json_diff(actual, expected)
    assert d is None, d


def body_json(resp):
    """Decode a `requests` response body as JSON, failing with the raw text if it is not JSON."""
    try:
        return json.loads(resp.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise AssertionError(
            f"{resp.request.method} {resp.request.url} -> {resp.status_code}: body is not JSON "
            f"({e}): {resp.content[:500]!r}"
        ) from None


def assert_response(resp, status, body):
    """Status, Content-Type and exact (type-strict) JSON body of a `requests` response."""
    where = f"{resp.request.method} {resp.request.path_url}"
    assert resp.status_code == status, (
        f"{where}: expected HTTP {status}, got {resp.status_code}: {resp.content[:500]!r}"
    )
    assert resp.headers.get("Content-Type") == JSON_CT, (
        f"{where}: Content-Type {resp.headers.get('Content-Type')!r}, expected {JSON_CT!r}"
    )
    d = json_diff(body_json(resp), body)
    assert d is None, f"{where}: {d}"


def assert_json_error(resp, status):
    """A JSON error in Magento's shape with the given status; returns the decoded body."""
    where = f"{resp.request.method} {resp.request.path_url}"
    assert resp.status_code == status, (
        f"{where}: expected HTTP {status}, got {resp.status_code}: {resp.content[:500]!r}"
    )
    assert resp.headers.get("Content-Type") == JSON_CT, (
        f"{where}: Content-Type {resp.headers.get('Content-Type')!r}, expected {JSON_CT!r}"
    )
    body = body_json(resp)
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], (
        f"{where}: error body lacks a message: {body!r}"
    )
    return body


# --- raw HTTP/1.1 ---------------------------------------------------------------------------------


class RawResponse:
    def __init__(self, status, reason, headers, body, raw):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-case name -> value (last wins)
        self.body = body
        self.raw = raw

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise AssertionError(f"body is not JSON ({e}): {self.body[:500]!r}") from None

    def __repr__(self):
        return f"<RawResponse {self.status} {self.headers!r} {self.body[:200]!r}>"


def _parse_response(data, head_request):
    """(RawResponse, complete?) from the bytes received so far, or (None, False)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, False
    head = data[:end].decode("latin-1")
    rest = data[end + 4 :]
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if head_request or status in (204, 304) or 100 <= status < 200:
        return RawResponse(status, reason, headers, rest, data), False
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body, pos = b"", 0
        while True:
            nl = rest.find(b"\r\n", pos)
            if nl < 0:
                return RawResponse(status, reason, headers, body, data), False
            size = int(rest[pos:nl].split(b";")[0], 16)
            if size == 0:
                return RawResponse(status, reason, headers, body, data), True
            if len(rest) < nl + 2 + size + 2:
                return RawResponse(status, reason, headers, body, data), False
            body += rest[nl + 2 : nl + 2 + size]
            pos = nl + 2 + size + 2
    if "content-length" in headers:
        n = int(headers["content-length"])
        return RawResponse(status, reason, headers, rest[:n], data), len(rest) >= n
    return RawResponse(status, reason, headers, rest, data), False


def raw_http(port, chunks, timeout=10.0, head_request=False, host="127.0.0.1"):
    """Send `chunks` (bytes or an iterable of bytes) on one fresh connection and read one response.

    Stops sending as soon as the server starts answering (an early 413 must not be lost to a reset),
    tolerates the server closing or resetting the connection once a response has arrived, and reads
    until the response is complete or the connection closes. For HEAD, everything after the header
    block up to the close is returned as `body`, so a stray body is visible: send `Connection: close`.
    """
    if isinstance(chunks, (bytes, bytearray)):
        chunks = [bytes(chunks)]
    deadline = time.monotonic() + timeout
    sock = socket.create_connection((host, port), timeout=timeout)
    data = b""
    try:
        for chunk in chunks:
            r, _, _ = select.select([sock], [], [], 0)
            if r:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                break
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                got = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not got:
                break
            data += got
            resp, complete = _parse_response(data, head_request)
            if complete:
                return resp
    finally:
        sock.close()
    resp, _ = _parse_response(data, head_request)
    if resp is None:
        raise AssertionError(f"no HTTP response within {timeout}s; received {data[:300]!r}")
    return resp


def request_head(method, target, headers=(), host="127.0.0.1"):
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# --- polling, files -------------------------------------------------------------------------------


def wait_until(predicate, timeout=5.0, interval=0.05, what="condition", detail=None):
    """Poll `predicate` until it returns a truthy value; return it, or fail after `timeout` s.
    `detail()`, if given, describes the last state in the failure message."""
    deadline = time.monotonic() + timeout
    polls = 0
    while True:
        last = predicate()
        polls += 1
        if last:
            return last
        if time.monotonic() >= deadline:
            info = detail() if detail else repr(last)
            raise AssertionError(
                f"timed out after {timeout}s ({polls} polls) waiting for {what}; last: {info}")
        time.sleep(interval)


def key_files(var_dir):
    """Files that hold the install key: any file under var/ whose name mentions 'key', and any
    existing file that env.ini names under a setting whose name mentions 'key'."""
    var = Path(var_dir)
    found = {p for p in var.rglob("*") if p.is_file() and "key" in p.name.lower()}
    env_ini = var / "env.ini"
    if env_ini.is_file():
        for line in env_ini.read_text(errors="replace").splitlines():
            name, sep, value = line.partition("=")
            if not sep or "key" not in name.lower():
                continue
            value = value.strip().strip('"').strip("'")
            if not value:
                continue
            p = Path(value) if os.path.isabs(value) else var / value
            if p.is_file():
                found.add(p)
    return sorted(found)


def secret_forms(data):
    """Text forms in which a key file's content could leak: raw text, hex, base64."""
    forms = set()
    text = data.strip()
    try:
        s = text.decode("ascii")
        if len(s) >= 16:
            forms.add(s)
            for decode in (bytes.fromhex, base64.b64decode):
                try:
                    raw = decode(s)
                    if len(raw) >= 16:
                        forms.add(raw.hex())
                        forms.add(base64.b64encode(raw).decode())
                except ValueError:
                    pass
    except UnicodeDecodeError:
        pass
    if len(data) >= 16:
        forms.add(data.hex())
        forms.add(base64.b64encode(data).decode())
    return forms


def read_tree(root, skip_suffixes=()):
    """{path: bytes} of every regular file under root."""
    out = {}
    for p in Path(root).rglob("*"):
        if p.is_file() and not any(str(p).endswith(s) for s in skip_suffixes):
            try:
                out[p] = p.read_bytes()
            except OSError:
                pass
    return out


def is_mode_0600(path):
    return (os.stat(path).st_mode & 0o777) == 0o600
