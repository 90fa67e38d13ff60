"""The admin panel's sessions on several nodes sharing one PostgreSQL (make test-pg): a session
made on one node works on the others (with its form key), a sign-out on one node ends it on every
node at once, the panel lock-out counts failures across nodes, and a role change through one node
limits the admin's next request on the others. Uses test_multinode's three-node cluster."""

import re
import secrets

import pytest

import storedb
from sgtest import body_json, not_authorized
from test_multinode import cluster  # noqa: F401 (the fixture)

pytestmark = pytest.mark.skipif(not storedb.ON_POSTGRESQL,
                                reason="several nodes need PostgreSQL (make test-pg)")

SESSION = "/admin/api/session"


def sign_in(node, username, password):
    r = node.post(SESSION, json={"username": username, "password": password})
    m = re.search(r"storegate_admin=([a-z0-9]*)", r.headers.get("set-cookie", ""))
    return r, (m.group(1) if m else None)


def cookie_headers(cookie, form_key=None):
    h = {"Cookie": f"storegate_admin={cookie}"}
    if form_key:
        h["X-Form-Key"] = form_key
    return h


def test_a_session_is_shared_by_every_node_and_ends_everywhere(cluster):  # noqa: F811
    a, b, c = cluster.nodes
    r, cookie = sign_in(a, a.admin_user, a.admin_password)
    assert r.status_code == 200, r.text
    form_key = body_json(r)["form_key"]
    for n in (b, c, a):
        assert n.get("/admin/api/dashboard", headers=cookie_headers(cookie)).status_code == 200
    # a state-changing request on another node, with the form key the first node gave
    r = b.request("PUT", "/admin/api/config", headers=cookie_headers(cookie, form_key),
                  json={"values": {"oauth/consumer/post_timeout": "6"}})
    assert r.status_code == 200, r.text
    r = c.request("PUT", "/admin/api/config", headers=cookie_headers(cookie),
                  json={"values": {"oauth/consumer/post_timeout": "5"}})
    assert r.status_code == 403
    assert c.request("DELETE", SESSION, headers=cookie_headers(cookie, form_key)).status_code == 200
    for n in (a, b, c):  # at once: no waiting
        r = n.get("/admin/api/dashboard", headers=cookie_headers(cookie))
        assert r.status_code == 401
        assert body_json(r) == not_authorized("Magento_Backend::dashboard")
    b.request("PUT", "/admin/api/config", token=b.token(),
              json={"values": {"oauth/consumer/post_timeout": "5"}})


def test_panel_lockout_counts_failures_across_nodes(cluster):  # noqa: F811
    a, b, c = cluster.nodes
    name, password = "mnpanel" + secrets.token_hex(3), "Mn-pass1" + secrets.token_hex(4)
    a.cli_ok("admin:user:create", "--admin-user", name, "--admin-password", password,
             "--admin-email", f"{name}@example.com")
    for i in range(6):  # admin/security/lockout_failures = 6, spread over the nodes
        node = cluster.nodes[i % 3]
        assert sign_in(node, name.upper() if i % 2 else name, f"wrong-{i}-pass")[0].status_code == 401
    for n in (a, b, c):
        r, cookie = sign_in(n, name, password)
        assert r.status_code == 401 and cookie is None
    a.cli_ok("admin:user:unlock", name)
    assert sign_in(c, name, password)[0].status_code == 200


def test_a_role_change_on_one_node_limits_the_next_request_on_the_others(cluster):  # noqa: F811
    a, b, c = cluster.nodes
    role = "MN readers " + secrets.token_hex(3)
    name, password = "mnrole" + secrets.token_hex(3), "Mn-pass1" + secrets.token_hex(4)
    a.cli_ok("admin:user:create", "--admin-user", name, "--admin-password", password,
             "--admin-email", f"{name}@example.com")
    r, cookie = sign_in(b, name, password)
    assert r.status_code == 200
    assert c.get("/admin/api/integrations", headers=cookie_headers(cookie)).status_code == 200
    tok = a.token()
    r = a.request("POST", "/admin/api/roles", token=tok,
                  json={"name": role, "resources": ["Magento_Backend::dashboard"]})
    assert r.status_code == 200, r.text
    role_id = body_json(r)["role"]["id"]
    users = body_json(a.get("/admin/api/users", token=tok))
    uid = next(u["id"] for u in users if u["username"] == name)
    assert a.request("PUT", f"/admin/api/users/{uid}", token=tok,
                     json={"role_id": role_id}).status_code == 200
    for n in (b, c):
        r = n.get("/admin/api/integrations", headers=cookie_headers(cookie))
        assert r.status_code == 401
        assert body_json(r) == not_authorized("Magento_Integration::integrations")
        assert n.get("/admin/api/dashboard", headers=cookie_headers(cookie)).status_code == 200
