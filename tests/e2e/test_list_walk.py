"""Product pages sorted by price whose filters match many products walk the price index in order
(src/query/search.h, SC_WALK; on SQLite) instead of reading and sorting every match. Whichever
plan the server picks, every page must be exactly the slice of the full ordering (price, then id)
and total_count the number of matches: checked against an ordering computed here, over filters of
every kind on the plain columns, both directions, ties in price, many page sizes and pages."""

import pytest

from catalogtest import sc
from sgtest import body_json

COUNT = 48


@pytest.fixture(scope="module")
def shop(module_server_factory):
    srv = module_server_factory.create()
    token = srv.token()
    rows = []
    for i in range(COUNT):
        sku = f"WK-{i:02d}"
        name = ("Walk Tee " if i % 3 else "walk hoodie ") + str(i)
        price = float(5 + (i * 7) % 11)  # eleven prices: many ties
        status = 2 if i % 5 == 0 else 1
        weight = None if i % 4 == 0 else 1.0 + i % 3
        body = {"product": {"sku": sku, "name": name, "price": price, "status": status,
                            "attribute_set_id": 4, "type_id": "simple", "visibility": 4}}
        if weight is not None:
            body["product"]["weight"] = weight
        r = srv.request("POST", "/rest/V1/products", token=token, json=body)
        assert r.status_code == 200, r.text
        p = body_json(r)
        rows.append({"id": p["id"], "sku": sku, "name": name, "price": price, "status": status,
                     "weight": weight})
    return srv, token, rows


FILTERS = [
    ("status eq 1", [[("status", "1", "eq")]], lambda r: r["status"] == 1),
    ("name like walk%", [[("name", "walk%", "like")]], lambda r: r["name"].lower().startswith("walk")),
    ("name like Walk Tee% and status 1",
     [[("name", "Walk Tee%", "like")], [("status", "1", None)]],
     lambda r: r["name"].startswith("Walk Tee") and r["status"] == 1),
    ("status in 1,2 and price gt 6", [[("status", "1,2", "in")], [("price", "6", "gt")]],
     lambda r: r["price"] > 6),
    ("sku neq WK-03 or status eq 2", [[("sku", "WK-03", "neq"), ("status", "2", "eq")]],
     lambda r: r["sku"] != "WK-03" or r["status"] == 2),
    ("weight notnull", [[("weight", None, "notnull")]], lambda r: r["weight"] is not None),
    ("price lteq 12 and sku like WK-%", [[("price", "12", "lteq")], [("sku", "WK-%", "like")]],
     lambda r: r["price"] <= 12),
    ("status eq '1' as text", [[("status", "1", "eq")], [("price", "5", "gteq")]],
     lambda r: r["status"] == 1 and r["price"] >= 5),
]


@pytest.mark.parametrize("label,filters,match", FILTERS, ids=[f[0] for f in FILTERS])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_every_page_is_the_exact_slice(shop, label, filters, match, direction):
    srv, token, rows = shop
    matches = [r for r in rows if match(r)]
    # ORDER BY price <direction>, then the id ascending (the tie-breaker that keeps paging stable)
    ordered = sorted(matches, key=lambda r: r["id"])
    ordered.sort(key=lambda r: r["price"], reverse=direction == "DESC")
    want = [r["sku"] for r in ordered]
    for size in (1, 2, 3, 7, 20):
        pages = (len(want) + size - 1) // size
        for page in range(1, pages + 2):
            q = sc(filters, sorts=[("price", direction)], page_size=size, current_page=page)
            r = srv.request("GET", "/rest/V1/products?" + q, token=token)
            assert r.status_code == 200, r.text
            body = body_json(r)
            assert body["total_count"] == len(want), (label, body["total_count"])
            got = [p["sku"] for p in body["items"]]
            assert got == want[(page - 1) * size:page * size], (label, direction, size, page)
