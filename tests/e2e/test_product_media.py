"""Product images (reference §8.1 media_gallery_entries; issue 6 item 1): base64 `content` on
product save and Magento's media gallery routes (/V1/products/:sku/media...), files stored under
var/media/catalog/product/<c1>/<c2>/<name> as Magento's pub/media, served at their URLs, image
roles written to the product's image attributes, Magento's messages for every bad input, and the
routes' ACL resource. ACL refusals use integrations with Custom resources signed by
requests-oauthlib."""

import base64
import concurrent.futures
import os
import struct
import zlib

import pytest

from catalogtest import product_body, seed
from oauthtest import manual_integration, send
from sgtest import (
    MSG_REQUIRED,
    assert_response,
    body_json,
    not_authorized,
    request_head,
    wait_until,
)

SHA256 = "HMAC-SHA256"
MSG_NO_PRODUCT = "The product that was requested doesn't exist. Verify the product and try again."
MSG_BASE64 = "The image content must be valid base64 encoded data."
MSG_MIME = "The image MIME type is not valid or not supported."
MSG_NAME = "Provided image name contains forbidden characters."
MSG_CONTENT = "The image content is invalid. Verify the content and try again."
MSG_NO_IMAGE_ID = "No image with the provided ID was found. Verify the ID and try again."
MSG_TOO_BIG = "The image is larger than the limit of %1 bytes."
MSG_EXT = "The image type for the file is invalid. Enter the correct image type and try again."
MAX_BYTES = 4 * 1024 * 1024
ROLES = ["image", "small_image", "thumbnail", "swatch_image"]


def png(w=2, h=3, seed_byte=0):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    raw = b"".join(b"\x00" + bytes([seed_byte, y, 0]) * w for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
# a baseline JPEG's header up to its frame (1x1), then end of image
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffc0000b080001000101011100ffd9")


def content(data, mime="image/png", name="front.png"):
    c = {"base64_encoded_data": base64.b64encode(data).decode(), "type": mime}
    if name is not None:
        c["name"] = name
    return c


@pytest.fixture(scope="module")
def cat(module_server_factory):
    srv = module_server_factory.create()
    token = srv.token()
    seed(srv, token)
    return srv, token


def req(cat, method, path, **kw):
    srv, token = cat
    return srv.request(method, path, token=token, **kw)


def media_dir(srv):
    return srv.var_dir / "media" / "catalog" / "product"


def stored_files(srv):
    root = media_dir(srv)
    if not root.exists():
        return set()
    return {"/" + str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def fetch(srv, file):
    """The file at its public URL, anonymously."""
    return srv.request("GET", "/media/catalog/product" + file)


def new_product(cat, sku, **extra):
    body = product_body(sku, f"Product {sku}", 10, 1, None, None, None)
    body["product"].update(extra)
    r = req(cat, "POST", "/rest/V1/products", json=body)
    assert r.status_code == 200, r.text[:500]
    return body_json(r)


def custom(p, code):
    for a in p.get("custom_attributes", []):
        if a["attribute_code"] == code:
            return a["value"]
    return None


def test_upload_with_product_save_and_serve(cat):
    srv, _ = cat
    data = png(seed_byte=1)
    p = new_product(cat, "IMG-1", media_gallery_entries=[
        {"media_type": "image", "label": "Front", "position": 1, "disabled": False,
         "types": ["image", "thumbnail"], "content": content(data, name="Front View.png")}])
    m = p["media_gallery_entries"]
    assert len(m) == 1 and isinstance(m[0]["id"], int)
    # Magento's shape: the stored file's path, no content echoed back
    assert {k: v for k, v in m[0].items() if k != "id"} == {
        "media_type": "image", "label": "Front", "position": 1, "disabled": False,
        "types": ["image", "thumbnail"], "file": "/F/r/Front_View.png"}
    # the roles are the product's image attributes
    assert custom(p, "image") == "/F/r/Front_View.png"
    assert custom(p, "thumbnail") == "/F/r/Front_View.png"
    assert custom(p, "small_image") is None and custom(p, "swatch_image") is None
    # on disk where Magento keeps it (under var/ instead of pub/), byte for byte
    assert (media_dir(srv) / "F" / "r" / "Front_View.png").read_bytes() == data
    # served anonymously at its URL, byte-identical, with cache validators
    r = fetch(srv, "/F/r/Front_View.png")
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["Content-Length"] == str(len(data))
    assert r.headers["Cache-Control"] == "public, max-age=31536000"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["ETag"] and r.headers["Last-Modified"].endswith(" GMT")
    r2 = srv.request("GET", "/media/catalog/product/F/r/Front_View.png",
                     headers={"If-None-Match": r.headers["ETag"]})
    assert r2.status_code == 304 and r2.content == b""
    h = srv.request("HEAD", "/media/catalog/product/F/r/Front_View.png")
    assert h.status_code == 200 and h.content == b""
    assert h.headers["Content-Length"] == str(len(data))
    # the GET of the product shows the same
    g = body_json(req(cat, "GET", "/rest/V1/products/IMG-1"))
    assert g["media_gallery_entries"] == m


def test_name_clash_gets_a_suffix_and_each_type_is_served(cat):
    srv, _ = cat
    files = []
    for i, (data, mime, name, ext) in enumerate([
            (png(seed_byte=2), "image/png", "clash.png", "png"),
            (png(seed_byte=3), "image/png", "clash.png", "png"),
            (png(seed_byte=4), "image/png", "clash.png", "png"),
            (GIF, "image/gif", "anim", "gif"),
            (JPEG, "image/jpeg", "photo.jpeg", "jpeg")]):
        p = new_product(cat, f"CLASH-{i}", media_gallery_entries=[
            {"media_type": "image", "position": 0, "disabled": False, "types": [],
             "content": content(data, mime, name)}])
        f = p["media_gallery_entries"][0]["file"]
        files.append(f)
        r = fetch(srv, f)
        assert r.status_code == 200 and r.content == data
        assert r.headers["Content-Type"] == mime
        assert f.endswith("." + ext)
    assert files[:3] == ["/c/l/clash.png", "/c/l/clash_1.png", "/c/l/clash_2.png"]
    assert files[3] == "/a/n/anim.gif"  # the extension from the type when the name has none
    assert files[4] == "/p/h/photo.jpeg"


def test_media_routes(cat):
    srv, _ = cat
    new_product(cat, "MR-1")
    # the first image takes every role when it names none (GalleryManagement::create)
    r = req(cat, "POST", "/rest/V1/products/MR-1/media", json={"entry": {
        "media_type": "image", "label": "One", "position": 1, "disabled": False,
        "content": content(png(seed_byte=5), name="mr-one.png")}})
    assert r.status_code == 200, r.text
    first = body_json(r)
    assert isinstance(first, str) and first.isdigit()  # Magento hands the id over as a string
    r = req(cat, "POST", "/rest/V1/products/MR-1/media", json={"entry": {
        "mediaType": "image", "label": "Two", "position": 2, "disabled": True,
        "types": ["thumbnail"], "content": content(GIF, "image/gif", "mr-two.gif")}})
    assert r.status_code == 200, r.text
    second = body_json(r)
    lst = body_json(req(cat, "GET", "/rest/V1/products/MR-1/media"))
    assert [e["id"] for e in lst] == [int(first), int(second)]
    assert lst[0] == {"id": int(first), "media_type": "image", "label": "One", "position": 1,
                      "disabled": False, "types": ["image", "small_image", "swatch_image"],
                      "file": "/m/r/mr-one.png"}
    assert lst[1]["types"] == ["thumbnail"] and lst[1]["disabled"] is True
    assert body_json(req(cat, "GET", f"/rest/V1/products/MR-1/media/{second}")) == lst[1]
    p = body_json(req(cat, "GET", "/rest/V1/products/MR-1"))
    assert p["media_gallery_entries"] == lst
    assert custom(p, "image") == "/m/r/mr-one.png"
    assert custom(p, "thumbnail") == "/m/r/mr-two.gif"
    # PUT: metadata in place; the roles it takes leave the other entries
    r = req(cat, "PUT", f"/rest/V1/products/MR-1/media/{second}", json={"entry": {
        "label": "Second", "types": ["image", "thumbnail"]}})
    assert r.status_code == 200 and body_json(r) is True, r.text
    lst = body_json(req(cat, "GET", "/rest/V1/products/MR-1/media"))
    assert lst[0]["types"] == ["small_image", "swatch_image"]
    assert lst[1]["label"] == "Second" and lst[1]["types"] == ["image", "thumbnail"]
    assert lst[1]["position"] == 2 and lst[1]["file"] == "/m/r/mr-two.gif"
    p = body_json(req(cat, "GET", "/rest/V1/products/MR-1"))
    assert custom(p, "image") == "/m/r/mr-two.gif"
    assert custom(p, "small_image") == "/m/r/mr-one.png"
    # PUT with content replaces the image: the old file goes once nothing uses it
    new_data = png(seed_byte=6)
    r = req(cat, "PUT", f"/rest/V1/products/MR-1/media/{second}", json={"entry": {
        "id": int(second), "content": content(new_data, name="mr-three.png")}})
    assert r.status_code == 200 and body_json(r) is True, r.text
    e = body_json(req(cat, "GET", f"/rest/V1/products/MR-1/media/{second}"))
    assert e["file"] == "/m/r/mr-three.png" and e["label"] == "Second"
    assert fetch(srv, "/m/r/mr-three.png").content == new_data
    assert fetch(srv, "/m/r/mr-two.gif").status_code == 404
    assert "/m/r/mr-two.gif" not in stored_files(srv)
    # DELETE: true, the entry and its file are gone, its roles cleared
    r = req(cat, "DELETE", f"/rest/V1/products/MR-1/media/{second}")
    assert r.status_code == 200 and body_json(r) is True
    assert_response(req(cat, "GET", f"/rest/V1/products/MR-1/media/{second}"), 404,
                    {"message": "The image doesn't exist. Verify and try again."})
    assert fetch(srv, "/m/r/mr-three.png").status_code == 404
    assert "/m/r/mr-three.png" not in stored_files(srv)
    p = body_json(req(cat, "GET", "/rest/V1/products/MR-1"))
    assert [x["id"] for x in p["media_gallery_entries"]] == [int(first)]
    assert custom(p, "image") is None and custom(p, "thumbnail") is None
    assert custom(p, "small_image") == "/m/r/mr-one.png"
    # the same routes under a store code
    assert req(cat, "GET", "/rest/default/V1/products/MR-1/media").status_code == 200


def test_product_save_keeps_ids_and_deletes_left_out_entries(cat):
    srv, _ = cat
    p = new_product(cat, "KEEP-1", media_gallery_entries=[
        {"label": "a", "position": 1, "types": ["image"],
         "content": content(png(seed_byte=7), name="keep-a.png")},
        {"label": "b", "position": 2, "types": [],
         "content": content(png(seed_byte=8), name="keep-b.png")}])
    a, b = p["media_gallery_entries"]
    # the list sent back with a change keeps the ids; one left out is deleted with its file
    a2 = dict(a, label="A!", types=["image", "small_image"])
    r = req(cat, "PUT", "/rest/V1/products/KEEP-1",
            json={"product": {"media_gallery_entries": [a2]}})
    assert r.status_code == 200, r.text
    q = body_json(r)
    assert q["media_gallery_entries"] == [a2]
    assert custom(q, "small_image") == a["file"]
    assert fetch(srv, b["file"]).status_code == 404
    assert b["file"] not in stored_files(srv) and a["file"] in stored_files(srv)
    # a PUT without media_gallery_entries leaves the gallery alone
    r = req(cat, "PUT", "/rest/V1/products/KEEP-1", json={"product": {"price": 11}})
    assert body_json(r)["media_gallery_entries"] == [a2]
    # an empty list empties it
    r = req(cat, "PUT", "/rest/V1/products/KEEP-1",
            json={"product": {"media_gallery_entries": []}})
    q = body_json(r)
    assert q["media_gallery_entries"] == [] and custom(q, "image") is None
    assert a["file"] not in stored_files(srv)


def test_file_shared_by_two_entries_stays_until_the_last_goes(cat):
    srv, _ = cat
    p = new_product(cat, "SHARE-1", media_gallery_entries=[
        {"types": [], "content": content(png(seed_byte=9), name="shared.png")}])
    f = p["media_gallery_entries"][0]["file"]
    new_product(cat, "SHARE-2", media_gallery_entries=[{"types": [], "file": f}])
    req(cat, "PUT", "/rest/V1/products/SHARE-1", json={"product": {"media_gallery_entries": []}})
    assert fetch(srv, f).status_code == 200
    req(cat, "PUT", "/rest/V1/products/SHARE-2", json={"product": {"media_gallery_entries": []}})
    assert fetch(srv, f).status_code == 404


BIG = b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_BYTES - 7)


@pytest.mark.parametrize("entry,status,expected", [
    ({"content": {"base64_encoded_data": "!!!not base64", "type": "image/png",
                  "name": "x.png"}}, 400, {"message": MSG_BASE64}),
    ({"content": {"base64_encoded_data": "iVBORw0KGgo=x", "type": "image/png",
                  "name": "x.png"}}, 400, {"message": MSG_BASE64}),
    ({"content": {"base64_encoded_data": "", "type": "image/png", "name": "x.png"}}, 400,
     {"message": MSG_BASE64}),
    ({"content": {"type": "image/png", "name": "x.png"}}, 400, {"message": MSG_BASE64}),
    ({"content": content(b"this is plain text, not an image")}, 400, {"message": MSG_BASE64}),
    ({"content": content(b"\x89PNG\r\n\x1a\n\x00\x00")}, 400, {"message": MSG_BASE64}),
    ({"content": content(png(), mime="image/jpeg")}, 400, {"message": MSG_MIME}),
    ({"content": content(png(), mime="image/jpg")}, 400, {"message": MSG_MIME}),
    ({"content": content(b"BM" + b"\x00" * 40, mime="image/bmp")}, 400, {"message": MSG_MIME}),
    ({"content": {k: v for k, v in content(png()).items() if k != "type"}}, 400,
     {"message": MSG_MIME}),
    ({"content": content(png(), name=None)}, 400, {"message": MSG_NAME}),
    ({"content": content(png(), name="")}, 400, {"message": MSG_NAME}),
    ({"content": content(png(), name="../../etc/x.png")}, 400, {"message": MSG_NAME}),
    ({"content": content(png(), name="a\\b.png")}, 400, {"message": MSG_NAME}),
    ({"content": content(png(), name="x.php")}, 400, {"message": MSG_EXT}),
    ({"content": content(png(), name="x" * 91 + ".png")}, 400,
     {"message": "Filename is too long; must be %1 characters or less", "parameters": [90]}),
    ({"content": content(BIG + b"\x00")}, 400, {"message": MSG_TOO_BIG, "parameters": [MAX_BYTES]}),
    ({"label": "no content"}, 400, {"message": MSG_CONTENT}),
    ({"content": content(png()), "colour": "red"}, 400,
     {"message": '"%fieldName" is not supported. Correct the field name and try again.',
      "parameters": {"fieldName": "Colour"}}),
    ({"content": dict(content(png()), extra=1)}, 400,
     {"message": '"%fieldName" is not supported. Correct the field name and try again.',
      "parameters": {"fieldName": "Extra"}}),
    ({"content": "iVBORw0KGgo="}, 400,
     {"message": 'Error occurred during "content" processing. The "iVBORw0KGgo=" value\'s type'
                 ' is invalid. The "object" type was expected. Verify and try again.'}),
])
def test_bad_uploads(cat, entry, status, expected):
    srv, _ = cat
    before = stored_files(srv)
    # through the media route ...
    r = req(cat, "POST", "/rest/V1/products/CT-01/media", json={"entry": entry})
    assert_response(r, status, expected)
    # ... and through a product save, which then saves nothing
    r = req(cat, "POST", "/rest/V1/products", json={"product": {
        "sku": "BAD-IMG", "name": "n", "price": 1, "media_gallery_entries": [entry]}})
    assert_response(r, status, expected)
    assert req(cat, "GET", "/rest/V1/products/BAD-IMG").status_code == 404
    assert body_json(req(cat, "GET", "/rest/V1/products/CT-01/media")) == []
    assert stored_files(srv) == before


def test_failed_save_leaves_no_file(cat):
    srv, _ = cat
    before = stored_files(srv)
    # the first image is valid and written, the second is refused: the save and the file go
    r = req(cat, "POST", "/rest/V1/products", json={"product": {
        "sku": "ORPHAN-1", "name": "n", "price": 1, "media_gallery_entries": [
            {"types": ["image"], "content": content(png(seed_byte=10), name="orphan.png")},
            {"types": [], "content": content(png(), mime="image/gif", name="second.gif")}]}})
    assert_response(r, 400, {"message": MSG_MIME})
    assert req(cat, "GET", "/rest/V1/products/ORPHAN-1").status_code == 404
    assert stored_files(srv) == before
    assert fetch(srv, "/o/r/orphan.png").status_code == 404
    # refused after the first image was written (an id that is not the product's, with neither
    # content nor file): the transaction rolls back and the written file is removed
    r = req(cat, "POST", "/rest/V1/products", json={"product": {
        "sku": "ORPHAN-2", "name": "n", "price": 1, "media_gallery_entries": [
            {"types": ["image"], "content": content(png(seed_byte=11), name="orphan2.png")},
            {"id": 999999, "label": "ghost"}]}})
    assert_response(r, 400, {"message": MSG_CONTENT})
    assert req(cat, "GET", "/rest/V1/products/ORPHAN-2").status_code == 404
    assert stored_files(srv) == before
    # the same on an update of an existing product: nothing is left either
    r = req(cat, "PUT", "/rest/V1/products/CT-04", json={"product": {"media_gallery_entries": [
        {"types": [], "content": content(png(seed_byte=12), name="orphan3.png")},
        {"id": 999998}]}})
    assert_response(r, 400, {"message": MSG_CONTENT})
    assert stored_files(srv) == before
    assert body_json(req(cat, "GET", "/rest/V1/products/CT-04"))["media_gallery_entries"] == []


def test_concurrent_saves_keep_exactly_the_accepted_files(cat):
    """Saves queued together share one transaction: when one is refused after others wrote their
    images, the batch runs again; each accepted save keeps exactly its file, no refused one
    leaves any."""
    srv, _ = cat
    before = stored_files(srv)

    def save(i):
        entries = [{"types": ["image"], "content": content(png(seed_byte=40 + i),
                                                           name=f"batch-{i}.png")}]
        if i % 2:
            entries.append({"id": 999990 + i})  # refused after the image was written
        return req(cat, "POST", "/rest/V1/products", json={"product": {
            "sku": f"BATCH-{i}", "name": "n", "price": 1, "media_gallery_entries": entries}})

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(save, range(8)))
    kept = set()
    for i, r in enumerate(answers):
        if i % 2:
            assert_response(r, 400, {"message": MSG_CONTENT})
            continue
        assert r.status_code == 200, r.text[:300]
        f = body_json(r)["media_gallery_entries"][0]["file"]
        assert f == f"/b/a/batch-{i}.png"
        assert fetch(srv, f).content == png(seed_byte=40 + i)
        kept.add(f)
    assert stored_files(srv) == before | kept


def test_wrappers_and_missing_things(cat):
    new_product(cat, "MISS-1")
    entry = {"types": [], "content": content(png(), name="m.png")}
    assert_response(req(cat, "POST", "/rest/V1/products/MISS-1/media", json={"e": entry}), 400,
                    {"message": MSG_REQUIRED, "parameters": {"fieldName": "entry"}})
    assert_response(req(cat, "PUT", "/rest/V1/products/MISS-1/media/1", json={}), 400,
                    {"message": MSG_REQUIRED, "parameters": {"fieldName": "entry"}})
    # unknown product
    assert_response(req(cat, "POST", "/rest/V1/products/NOPE/media", json={"entry": entry}), 404,
                    {"message": MSG_NO_PRODUCT})
    assert_response(req(cat, "GET", "/rest/V1/products/NOPE/media"), 404,
                    {"message": MSG_NO_PRODUCT})
    assert_response(req(cat, "GET", "/rest/V1/products/NOPE/media/1"), 404,
                    {"message": "The product doesn't exist. Verify and try again."})
    assert_response(req(cat, "PUT", "/rest/V1/products/NOPE/media/1", json={"entry": {}}), 404,
                    {"message": MSG_NO_PRODUCT})
    assert_response(req(cat, "DELETE", "/rest/V1/products/NOPE/media/1"), 404,
                    {"message": MSG_NO_PRODUCT})
    # unknown entry, or one of another product
    other = body_json(req(cat, "POST", "/rest/V1/products/CT-02/media", json={"entry": entry}))
    for eid in ("999999", other):
        assert_response(req(cat, "GET", f"/rest/V1/products/MISS-1/media/{eid}"), 404,
                        {"message": "The image doesn't exist. Verify and try again."})
        assert_response(req(cat, "PUT", f"/rest/V1/products/MISS-1/media/{eid}",
                            json={"entry": {"label": "x"}}), 404, {"message": MSG_NO_IMAGE_ID})
        assert_response(req(cat, "DELETE", f"/rest/V1/products/MISS-1/media/{eid}"), 404,
                        {"message": MSG_NO_IMAGE_ID})
    assert_response(req(cat, "GET", "/rest/V1/products/MISS-1/media/abc"), 404,
                    {"message": "The image doesn't exist. Verify and try again."})
    assert_response(req(cat, "DELETE", "/rest/V1/products/MISS-1/media/abc"), 400,
                    {"message": 'The "%value" value\'s type is invalid. The "%type" type was'
                                ' expected. Verify and try again.',
                     "parameters": {"value": "abc", "type": "int"}})
    assert req(cat, "DELETE", f"/rest/V1/products/CT-02/media/{other}").status_code == 200


@pytest.mark.parametrize("target", [
    "/media/catalog/product/../../storegate.db",
    "/media/catalog/product/../../../etc/passwd",
    "/media/catalog/product/%2e%2e/%2e%2e/storegate.db",
    "/media/catalog/product/..%2f..%2fstoregate.db",
    "/media/catalog/product/F/r/./Front_View.png",
    "/media/catalog/product//F/r/Front_View.png",
    "/media/catalog/product/F/r/Front_View.png%00.txt",
    "/media/catalog/product/F/r/Front_View.png\x00",
    "/media/catalog/product/F/r/nothing.png",
    "/media/catalog/product/F/r",
    "/media/catalog/product/",
    "/media/catalog/product/link/passwd",
    "/media/catalog/product/l/i/link.png",
])
def test_file_url_refuses_traversal(cat, target):
    srv, _ = cat
    root = media_dir(srv)
    if not (root / "link").exists():
        root.mkdir(parents=True, exist_ok=True)
        os.symlink("/etc", root / "link")
        (root / "l" / "i").mkdir(parents=True, exist_ok=True)
        os.symlink(srv.var_dir / "storegate.db", root / "l" / "i" / "link.png")
    r = srv.raw(request_head("GET", target, headers=[("Connection", "close")]))
    assert b"SQLite" not in r.body and b"root:" not in r.body
    if "\x00" in target and r.status == 400:
        return  # the HTTP parser refuses a NUL byte in the request line before any handler
    # 404 in Magento's error shape
    assert r.status == 404, r
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    body = r.json()
    assert body["message"] in ("The requested record does not exist.",
                               "Request does not match any route."), body
    assert b"SQLite" not in r.body and b"root:" not in r.body


ROUTES = [
    ("GET", "/rest/V1/products/CT-03/media", None),
    ("GET", "/rest/V1/products/CT-03/media/1", None),
    ("POST", "/rest/V1/products/CT-03/media",
     {"entry": {"types": [], "content": content(png(), name="acl.png")}}),
    ("PUT", "/rest/V1/products/CT-03/media/1", {"entry": {"label": "x"}}),
    ("DELETE", "/rest/V1/products/CT-03/media/1", None),
]


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_acl(cat, method, path, body):
    srv, _ = cat
    creds = manual_integration(srv, resources=["Magento_Backend::store"])
    r = send(method, srv.url(path), auth=creds.auth(SHA256), json=body)
    assert_response(r, 401, not_authorized("Magento_Catalog::products"))
    r = srv.request(method, path, json=body)
    assert_response(r, 401, not_authorized("Magento_Catalog::products"))
    granted = manual_integration(srv, resources=["Magento_Catalog::products"])
    r = send(method, srv.url(path), auth=granted.auth(SHA256), json=body)
    assert r.status_code in (200, 404), (r.status_code, r.text[:300])


def test_guest_access_opens_the_media_reads_only(server_factory):
    srv = server_factory.create()
    token = srv.token()
    seed(srv, token)
    r = srv.request("POST", "/rest/V1/products/CT-01/media", token=token, json={"entry": {
        "types": [], "content": content(png(), name="guest.png")}})
    eid = body_json(r)
    reads = ["/rest/V1/products/CT-01/media", f"/rest/V1/products/CT-01/media/{eid}"]
    for path in reads:
        assert_response(srv.get(path), 401, not_authorized("Magento_Catalog::products"))
    # the file itself is public whatever the setting, as Magento's pub/media
    assert srv.get("/media/catalog/product/g/u/guest.png").status_code == 200
    srv.cli_ok("config:set", "webapi/webapisecurity/allow_insecure", "1")
    wait_until(lambda: srv.get(reads[0]).status_code == 200, 5.0, what="guest access")
    for path in reads:
        assert srv.get(path).status_code == 200, path
    r = srv.request("DELETE", f"/rest/V1/products/CT-01/media/{eid}")
    assert_response(r, 401, not_authorized("Magento_Catalog::products"))
