"""GET /swagger (issue 6 item 11; reference section 11): Swagger UI served by storegate from the
files embedded in the binary at build time: the page and its initializer (web/swagger) and the
npm package swagger-ui-dist (node_modules/swagger-ui-dist, pinned in package-lock.json). Content
types, the security headers (a strict CSP without inline script, nosniff, no framing), ETag
revalidation, HEAD, 404 for anything not embedded, and no way out of the table (traversal). The
page itself, Authorize and "Try it out" run in a real browser: tests/browser/swagger.test.js."""

import re
from pathlib import Path

import pytest

from sgtest import assert_response, raw_http, request_head

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "node_modules" / "swagger-ui-dist"
WEB = REPO / "web" / "swagger"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
NO_ROUTE = {"message": "Request does not match any route."}

FILES = [
    # (URL, file it must be byte for byte, content type)
    ("/swagger/swagger-ui-bundle.js", DIST / "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    ("/swagger/swagger-ui.css", DIST / "swagger-ui.css", "text/css; charset=utf-8"),
    ("/swagger/favicon-32x32.png", DIST / "favicon-32x32.png", "image/png"),
    ("/swagger/favicon-16x16.png", DIST / "favicon-16x16.png", "image/png"),
    ("/swagger/LICENSE", DIST / "LICENSE", "text/plain; charset=utf-8"),
    ("/swagger/NOTICE", DIST / "NOTICE", "text/plain; charset=utf-8"),
    ("/swagger/storegate-swagger.js", WEB / "storegate-swagger.js", "text/javascript; charset=utf-8"),
    ("/swagger/storegate-swagger.css", WEB / "storegate-swagger.css", "text/css; charset=utf-8"),
    ("/swagger/index.html", WEB / "index.html", "text/html; charset=utf-8"),
]


def assert_security_headers(r):
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"


@pytest.fixture(scope="module", autouse=True)
def dist_installed():
    if not (DIST / "swagger-ui-bundle.js").is_file():
        pytest.fail("node_modules/swagger-ui-dist is missing: run `make deps` and rebuild",
                    pytrace=False)


@pytest.mark.parametrize("path", ["/swagger", "/swagger/", "/swagger?store=default",
                                  "/swagger/?store=all&x=1"])
def test_the_page(server, path):
    r = server.get(path)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert_security_headers(r)
    assert r.headers["cache-control"] == "no-cache"
    assert re.fullmatch(r'"[0-9a-f]{20}"', r.headers["etag"])
    assert r.content == (WEB / "index.html").read_bytes()


def test_the_page_has_no_inline_script_or_handler(server):
    html = server.get("/swagger").text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in scripts] == [
        "/swagger/swagger-ui-bundle.js", "/swagger/storegate-swagger.js"]
    assert all(body.strip() == "" for _, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html), "no inline event handler"
    assert "style=" not in html
    # every file the page names is served
    for ref in re.findall(r'(?:src|href)="(/swagger/[^"]+)"', html):
        assert server.get(ref).status_code == 200, ref


def test_the_initializer_points_at_the_stores_description(server):
    js = server.get("/swagger/storegate-swagger.js").text
    assert "/rest/${store}/schema" in js and "services=all" in js
    assert "validatorUrl: null" in js
    # the description it loads, anonymously: Swagger 2.0 of the anonymous routes
    r = server.get("/rest/all/schema?services=all")
    assert r.status_code == 200
    doc = r.json()
    assert doc["swagger"] == "2.0" and doc["basePath"] == "/rest/all"
    assert "/V1/integration/admin/token" in doc["paths"]


@pytest.mark.parametrize("url, path, ctype", FILES)
def test_files_byte_for_byte_with_their_types(server, url, path, ctype):
    r = server.get(url)
    assert r.status_code == 200, url
    assert r.headers["content-type"] == ctype
    assert r.content == path.read_bytes()
    assert int(r.headers["content-length"]) == path.stat().st_size
    assert_security_headers(r)
    assert r.headers["cache-control"] == "no-cache"


def test_head_gives_the_headers_only(server):
    size = (DIST / "swagger-ui-bundle.js").stat().st_size
    r = raw_http(server.port, request_head("HEAD", "/swagger/swagger-ui-bundle.js",
                                           [("Connection", "close")]), head_request=True)
    assert r.status == 200
    assert r.headers["content-length"] == str(size)
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.body == b""


def test_etag_revalidation(server):
    r = server.get("/swagger/swagger-ui.css")
    etag = r.headers["etag"]
    assert server.get("/swagger/swagger-ui.css").headers["etag"] == etag, "stable"
    assert server.get("/swagger/swagger-ui-bundle.js").headers["etag"] != etag, "per file"
    for inm in (etag, f"W/{etag}", f'"0000", {etag}', "*"):
        r = raw_http(server.port, request_head("GET", "/swagger/swagger-ui.css",
                                               [("If-None-Match", inm), ("Connection", "close")]))
        assert (r.status, r.reason) == (304, "Not Modified"), inm
        assert r.headers["etag"] == etag
        assert "content-length" not in r.headers and r.body == b""
        assert r.headers["x-content-type-options"] == "nosniff"
    r = server.get("/swagger/swagger-ui.css", headers={"If-None-Match": '"0123456789abcdef0123"'})
    assert r.status_code == 200 and len(r.content) > 1000
    # the connection carries on after a 304
    r = raw_http(server.port, [request_head("GET", "/swagger/NOTICE", [("If-None-Match", "*")]),
                               request_head("GET", "/swagger/NOTICE", [("Connection", "close")])])
    assert r.status == 304


@pytest.mark.parametrize("path", [
    "/swagger/nothing.js", "/swagger/swagger-ui-bundle.js.map", "/swagger/swagger-initializer.js",
    "/swagger/index.js", "/swagger/package.json", "/swagger/INDEX.HTML", "/swagger/index.html/",
    "/swagger/swagger-ui.css?", "/swagger//index.html",
])
def test_anything_not_embedded_is_a_404(server, path):
    r = server.get(path)
    if path.endswith("?"):  # requests drops an empty query: the file itself
        assert r.status_code == 200
        return
    assert_response(r, 404, NO_ROUTE)
    assert_security_headers(r)


@pytest.mark.parametrize("target", [
    "/swagger/../swagger/index.html", "/swagger/../../etc/passwd", "/swagger/%2e%2e/%2e%2e/etc/passwd",
    "/swagger/..%2f..%2fetc%2fpasswd", "/swagger/%2Fetc%2Fpasswd", "/swagger/..\\..\\etc\\passwd",
    "/swagger/index.html%00", "/swagger/%00", "/swagger/../CMakeLists.txt",
    "/swagger/../../node_modules/swagger-ui-dist/package.json", "/swagger/./index.html",
])
def test_no_traversal(server, target):
    r = raw_http(server.port, request_head("GET", target, [("Connection", "close")]))
    assert r.status == 404, (target, r)
    assert r.json() == NO_ROUTE
    assert b"root:" not in r.body


def test_other_paths_and_methods_are_not_the_page(server):
    for path in ("/swaggerx", "/Swagger", "/swagger-ui.css", "/swagger.json"):
        assert_response(server.get(path), 404, NO_ROUTE)
    for method in ("POST", "PUT", "DELETE"):
        r = server.request(method, "/swagger")
        assert r.status_code == 404, method
        assert r.json() == NO_ROUTE
        assert_security_headers(r)
