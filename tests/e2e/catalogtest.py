"""Helpers for the catalog tests: a small, fully known catalog created through the REST API, and
searchCriteria query builders (PHP bracket notation, reference §7.1)."""

import urllib.parse

from sgtest import body_json

# (sku, name, price, status, weight or None, description or None, color or None)
CATALOG = [
    ("CT-01", "Blue Duffle Bag", 45.0, 1, 2.5, "A roomy blue bag", "49"),
    ("CT-02", "Red Duffle Bag", 32.5, 1, 2.0, None, "58"),
    ("CT-03", "Blue Water Bottle", 7.0, 2, None, "Keeps water cold", "49"),
    ("CT-04", "Yoga Mat", 20.0, 1, 1.2, "Non-slip, 100% natural", None),
    ("CT-05", "Trail Running Shoe", 89.99, 1, 0.9, None, "58"),
    ("CT-06", "Summit Jacket", 120.0, 2, 1.8, "Wind_proof shell", None),
    ("CT-07", "Product 12 Tee", 15.0, 1, 0.3, None, None),
    ("CT-08", "Product 120 Hoodie", 55.0, 1, 0.8, "O'Brien's favourite", "49"),
    ("CT-09", "product 1250 short", 25.0, 1, None, None, None),
    ("CT-10", "Classic Watch", 150.0, 1, 0.2, None, "60"),
    ("CT-11", "Light Backpack", 60.0, 1, 1.0, "blue straps", None),
    ("CT-12", "Urban Hoodie", 55.0, 2, 0.9, None, "58"),
]
SKUS = [c[0] for c in CATALOG]


def product_body(sku, name, price, status, weight, description, color, qty=10):
    p = {"sku": sku, "name": name, "price": price, "status": status, "type_id": "simple",
         "attribute_set_id": 4, "visibility": 4,
         "extension_attributes": {"stock_item": {"qty": qty, "is_in_stock": qty > 0}}}
    if weight is not None:
        p["weight"] = weight
    ca = []
    if description is not None:
        ca.append({"attribute_code": "description", "value": description})
    if color is not None:
        ca.append({"attribute_code": "color", "value": color})
    ca.append({"attribute_code": "url_key", "value": sku.lower()})
    p["custom_attributes"] = ca
    return {"product": p}


def seed(srv, token):
    for i, row in enumerate(CATALOG):
        r = srv.request("POST", "/rest/V1/products", token=token,
                        json=product_body(*row, qty=i * 3))
        assert r.status_code == 200, (row[0], r.status_code, r.text[:500])


def sc(filters=(), sorts=(), page_size=None, current_page=None, snake=False, extra=()):
    """searchCriteria query pairs. filters: list of groups, each a list of (field, value, cond)
    where value or cond may be None (left out)."""
    fg = "filter_groups" if snake else "filterGroups"
    ct = "condition_type" if snake else "conditionType"
    pairs = []
    for g, group in enumerate(filters):
        for f, (field, value, cond) in enumerate(group):
            base = f"searchCriteria[{fg}][{g}][filters][{f}]"
            if field is not None:
                pairs.append((base + "[field]", field))
            if value is not None:
                pairs.append((base + "[value]", value))
            if cond is not None:
                pairs.append((base + f"[{ct}]", cond))
    for i, (field, direction) in enumerate(sorts):
        so = "sort_orders" if snake else "sortOrders"
        pairs.append((f"searchCriteria[{so}][{i}][field]", field))
        if direction is not None:
            pairs.append((f"searchCriteria[{so}][{i}][direction]", direction))
    if page_size is not None:
        pairs.append(("searchCriteria[page_size]" if snake else "searchCriteria[pageSize]",
                      str(page_size)))
    if current_page is not None:
        pairs.append(("searchCriteria[current_page]" if snake else "searchCriteria[currentPage]",
                      str(current_page)))
    if not pairs:
        pairs.append(("searchCriteria", ""))
    pairs.extend(extra)
    return urllib.parse.urlencode(pairs)


def listing(srv, token, query, path="/rest/V1/products"):
    r = srv.get(f"{path}?{query}", token=token)
    return r, (body_json(r) if r.headers.get("content-type", "").startswith("application/json")
               else None)


def skus(body):
    return [it["sku"] for it in body["items"]]
