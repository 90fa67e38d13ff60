"""Several stateless nodes on one PostgreSQL behind nginx (issue 5 item 3, and item 4's kill -9).

One store is installed into a fresh PostgreSQL database; three `storegate serve` processes share its
var dir (env.ini, install key, database) on ports of their own, and Debian's nginx balances them
round-robin on another loopback port (`proxy_set_header Host $http_host`, so a signature computed
for the nginx address verifies on every node; `X-Upstream` tells which node answered). Only with
STOREGATE_TEST_PG_URL set (`make test-pg`; alone: `bash scripts/test-pg.sh -k multinode`).

Proved here: a signed request replayed to another node is refused; deleting or reauthorizing an
integration is enforced on every node at once; guest access switched with config:set is seen by
every node within a second; the authentication lock counts failures across nodes; a handshake split
over two nodes works; usage counters are summed across nodes; 50 signed requests through nginx all
pass and each one's replay is refused whichever node gets it; a node killed with SIGKILL loses no
acknowledged write; a customer token revoked through one node is refused on every node at once; an
edit of an integration's resources through one node's admin API takes effect on the next request on
the others; a request whose body is still arriving when its node gets SIGTERM completes (200) and
the node exits 0."""

import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

import storedb
from harness import Server, free_port
from oauthtest import (
    MSG_NONCE_USED,
    STORE_VIEWS,
    consumer_id,
    fetch_access_token,
    fetch_request_token,
    manual_integration,
    prepare,
    send,
    send_prepared,
    show,
    start_handshake,
    unique_name,
)
from sgtest import (
    CUSTOMER_ME_PATH,
    CUSTOMER_REVOKE_PATH,
    MSG_BAD_CREDENTIALS,
    NOT_AUTHORIZED_BODY,
    STORE_RESOURCE,
    TOKEN_PATH,
    assert_response,
    body_json,
    create_customer,
    customer_token,
    not_authorized,
    request_head,
)

pytestmark = pytest.mark.skipif(not storedb.ON_POSTGRESQL,
                                reason="needs STOREGATE_TEST_PG_URL (make test-pg)")

NGINX = "/usr/sbin/nginx"
NODES = 3
METHOD = "HMAC-SHA256"
ADMIN_API = "/admin/api"
ALLOW_INSECURE = "webapi/webapisecurity/allow_insecure"
CONFIG_VISIBLE_WITHIN = 1.0
USAGE_VISIBLE_WITHIN = 5.0  # each node flushes its usage counters every 2 s
BAD_CREDENTIALS = {"message": MSG_BAD_CREDENTIALS}


def nonce_used(cid):
    return {"message": MSG_NONCE_USED, "parameters": [str(cid)]}


# --- nginx ------------------------------------------------------------------------------------------


class Nginx:
    """Debian's nginx in the foreground with a config of its own: one worker, round-robin over
    `ports`, on a free loopback port."""

    def __init__(self, root, ports):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self.error_log = self.root / "error.log"
        upstream = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "\n".join(f"    {d}_temp_path {self.root / d};"
                         for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = f"""{user}daemon off;
worker_processes 1;
pid {self.root / 'nginx.pid'};
error_log {self.error_log} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
{temp}
    upstream storegate {{
{upstream}
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            proxy_pass http://storegate;
            proxy_set_header Host $http_host;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""
        self.conf = self.root / "nginx.conf"
        self.conf.write_text(conf)
        self._err = open(self.root / "nginx.stderr", "ab")
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.root), "-c", str(self.conf), "-e", str(self.error_log)],
            stdin=subprocess.DEVNULL, stdout=self._err, stderr=self._err)
        deadline = time.monotonic() + 10
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._err.close()
                pytest.fail(f"nginx exited {self.proc.returncode} at start\n{self.logs()}")
            try:
                r = requests.get(self.url("/health"), timeout=1)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}"
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.05)
        self.proc.kill()
        self.proc.wait()
        self._err.close()
        pytest.fail(f"nginx did not proxy GET /health within 10 s (last: {last})\n{self.logs()}")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def logs(self):
        out = []
        for p in (self.root / "nginx.stderr", self.error_log):
            try:
                out.append(f"--- {p.name} ---\n{p.read_text(errors='replace')[-4000:]}")
            except FileNotFoundError:
                pass
        return "\n".join(out)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful shutdown
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._err.close()
        return code


# --- the cluster ------------------------------------------------------------------------------------


class Cluster:
    def __init__(self, nodes, lb):
        self.nodes = nodes
        self.lb = lb
        self._admin_token = None

    @property
    def a(self):
        return self.nodes[0]

    @property
    def b(self):
        return self.nodes[1]

    @property
    def c(self):
        return self.nodes[2]

    def admin_token(self):
        if self._admin_token is None:
            self._admin_token = self.a.token()
        return self._admin_token

    def admin(self, node, method, path, body=None):
        kw = {"json": body} if body is not None else {}
        return node.request(method, ADMIN_API + path, token=self.admin_token(), **kw)

    def admin_ok(self, node, method, path, body=None):
        r = self.admin(node, method, path, body)
        assert r.status_code == 200, f"{method} {path} on {node.base_url}: {r.status_code} {r.text}"
        return body_json(r)


@pytest.fixture(scope="module")
def cluster(session_root):
    if not (os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)):
        pytest.skip(f"{NGINX} not installed")
    root = Path(tempfile.mkdtemp(prefix="multinode-", dir=session_root))
    first = Server(root / "node0")
    first.install(["--db-url", storedb.create_database()])
    nodes = [first]
    for i in range(1, NODES):
        n = Server(root / f"node{i}", admin_password=first.admin_password)
        n.var_dir = first.var_dir  # the same env.ini, install key and database
        nodes.append(n)
    lb = None
    try:
        for n in nodes:
            n.start()
        lb = Nginx(root / "nginx", [n.port for n in nodes])
        yield Cluster(nodes, lb)
    finally:
        problems = []
        if lb is not None:
            code = lb.stop()
            if code != 0:
                problems.append(f"nginx exited {code}\n{lb.logs()}")
        for n in nodes:
            if n.proc is None or not n.running():
                if n.proc is not None and n.exit_code is None:
                    problems.append(f"node died during the tests (exit {n.proc.returncode})\n"
                                    f"{n.logs()}")
                continue
            code = n.stop()
            if code != 0:
                problems.append(f"node did not exit 0 on SIGTERM (got {code})\n{n.logs()}")
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)


# --- helpers ----------------------------------------------------------------------------------------


def signed_get(url, creds, path=STORE_VIEWS):
    return send("GET", url.rstrip("/") + path, auth=creds.auth(METHOD))


def to_node(prep, node):
    """The very same request (headers, Host included) delivered to `node`, as a proxy would."""
    p = prep.copy()
    u = urllib.parse.urlsplit(p.url)
    p.headers["Host"] = u.netloc
    p.url = node.url(u.path + (f"?{u.query}" if u.query else ""))
    return send_prepared(p)


def upstream_port(resp):
    up = resp.headers.get("X-Upstream", "")
    return int(up.rsplit(":", 1)[1]) if ":" in up else None


# --- 1. replay to another node ----------------------------------------------------------------------


def test_replay_to_another_node_is_refused(cluster):
    creds = manual_integration(cluster.a)
    cid = consumer_id(cluster.a, creds.integration_id)
    prep = prepare("GET", cluster.a.url(STORE_VIEWS), auth=creds.auth(METHOD))
    r = send_prepared(prep)
    assert r.status_code == 200, (r.status_code, r.text)
    assert isinstance(body_json(r), list)
    assert_response(to_node(prep, cluster.b), 401, nonce_used(cid))
    assert_response(to_node(prep, cluster.c), 401, nonce_used(cid))
    assert_response(send_prepared(prep), 401, nonce_used(cid))


# --- 2. delete and reauthorize are enforced on every node at once -----------------------------------


def test_delete_and_reauthorize_are_seen_by_every_node_at_once(cluster):
    a, b, c = cluster.nodes
    gone = manual_integration(a)
    for n in cluster.nodes:  # every node has seen (and may cache) the consumer and token
        assert signed_get(n.base_url, gone).status_code == 200
    assert cluster.admin_ok(a, "DELETE", f"/integrations/{gone.integration_id}") is True
    r = signed_get(b.base_url, gone)
    assert r.status_code == 401, (r.status_code, r.text)
    assert signed_get(c.base_url, gone).status_code == 401
    r = cluster.admin(c, "GET", f"/integrations/{gone.integration_id}")
    assert r.status_code == 404, (r.status_code, r.text)

    old = manual_integration(a)
    for n in cluster.nodes:
        assert signed_get(n.base_url, old).status_code == 200
    act = cluster.admin_ok(b, "POST", f"/integrations/{old.integration_id}/reauthorize",
                           {"success_call_back": b.base_url + "admin/integration/loginSuccess"})
    r = signed_get(c.base_url, old)
    assert r.status_code == 401, (r.status_code, r.text)
    assert signed_get(a.base_url, old).status_code == 401
    # No Callback URL: the new access token is issued at once, and works on every node.
    tokens = act.get("tokens")
    assert tokens and tokens["access_token"] != old.token, act
    fresh = old.with_token(tokens["access_token"], tokens["access_token_secret"])
    for n in cluster.nodes:
        assert signed_get(n.base_url, fresh).status_code == 200


def test_product_save_is_seen_by_every_node_at_once(cluster):
    """Each node caches product answers under the catalog version it read from the database."""
    token = cluster.admin_token()
    a, b, c = cluster.nodes
    body = {"product": {"sku": "MN-CACHE", "name": "First", "price": 5, "attribute_set_id": 4,
                        "type_id": "simple"}}
    r = a.request("POST", "/rest/V1/products", token=token, json=body)
    assert r.status_code == 200, r.text
    for _ in range(4):
        for n in cluster.nodes:
            assert body_json(n.request("GET", "/rest/V1/products/MN-CACHE", token=token))[
                "name"] == "First"
    r = b.request("PUT", "/rest/V1/products/MN-CACHE", token=token,
                  json={"product": {"name": "Second"}})
    assert r.status_code == 200, r.text
    for _ in range(4):
        for n in (a, c, b):
            p = body_json(n.request("GET", "/rest/V1/products/MN-CACHE", token=token))
            assert p["name"] == "Second", n.base_url
    assert c.request("DELETE", "/rest/V1/products/MN-CACHE", token=token).status_code == 200
    for n in cluster.nodes:
        assert n.request("GET", "/rest/V1/products/MN-CACHE", token=token).status_code == 404


# --- 3. guest access switched on the command line, seen by every node within a second --------------


def _all_nodes_answer(cluster, status, within):
    """Poll every node (fresh connections, so that all worker threads are asked) until each answers
    `status` four times in a row; returns the seconds it took per node."""
    t0 = time.monotonic()
    took = {}
    seen = {n.port: [] for n in cluster.nodes}
    while len(took) < len(cluster.nodes) and time.monotonic() - t0 < within + 2:
        for n in cluster.nodes:
            if n.port in took:
                continue
            codes = [n.get(STORE_VIEWS).status_code for _ in range(4)]
            seen[n.port].append(codes)
            if all(s == status for s in codes):
                took[n.port] = time.monotonic() - t0
        time.sleep(0.01)
    late = {p: took.get(p) for p in seen if took.get(p) is None or took[p] >= within}
    assert not late, (f"nodes not answering {status} within {within} s: {late}; "
                      f"statuses seen: {seen}")
    return took


def test_guest_access_is_seen_by_every_node_within_a_second(cluster):
    for n in cluster.nodes:
        assert_response(n.get(STORE_VIEWS), 401, NOT_AUTHORIZED_BODY)
    try:
        cluster.a.cli_ok("config:set", ALLOW_INSECURE, "1")
        _all_nodes_answer(cluster, 200, CONFIG_VISIBLE_WITHIN)
    finally:
        cluster.a.cli_ok("config:set", ALLOW_INSECURE, "0")
    _all_nodes_answer(cluster, 401, CONFIG_VISIBLE_WITHIN)
    assert_response(cluster.c.get(STORE_VIEWS), 401, NOT_AUTHORIZED_BODY)


# --- 4. the authentication lock counts failures across nodes ----------------------------------------


def test_authentication_lock_counts_failures_across_nodes(cluster):
    name, password = "mn" + secrets.token_hex(4), "Lock-1" + secrets.token_hex(8)
    cluster.a.cli_ok("admin:user:create", "--admin-user", name, "--admin-password", password,
                     "--admin-email", f"{name}@example.com", "--admin-firstname", "Multi",
                     "--admin-lastname", "Node")
    assert cluster.c.token(name, password)
    for i in range(6):  # two wrong passwords per node: no node alone sees 6
        n = cluster.nodes[i % NODES]
        r = n.post(TOKEN_PATH, json={"username": name, "password": "Wrong-1" + secrets.token_hex(4)})
        assert_response(r, 401, BAD_CREDENTIALS)
    for n in cluster.nodes:
        r = n.post(TOKEN_PATH, json={"username": name, "password": password})
        assert_response(r, 401, BAD_CREDENTIALS)
    cluster.b.cli_ok("admin:user:unlock", name)
    for n in cluster.nodes:
        assert n.token(name, password)


# --- 5. a handshake split over two nodes ------------------------------------------------------------


def test_handshake_request_token_on_one_node_access_token_on_another(cluster, callback_receiver):
    a, b, c = cluster.nodes
    creds = start_handshake(a, callback_receiver)
    creds.base_url = a.base_url
    req = fetch_request_token(creds, METHOD)
    req.base_url = b.base_url
    acc = fetch_access_token(req, METHOD)
    assert acc.token and acc.token != req.token
    assert show(a, creds.integration_id)["status"] == "Active"
    assert cluster.admin_ok(c, "GET", f"/integrations/{creds.integration_id}")["status"] == 1
    for n in cluster.nodes:
        assert signed_get(n.base_url, acc).status_code == 200


# --- 6. usage counters are summed across nodes ------------------------------------------------------


def test_usage_counters_are_summed_across_nodes(cluster):
    creds = manual_integration(cluster.a)
    n_requests = 12
    ports = []
    for _ in range(n_requests):
        r = signed_get(cluster.lb.base_url, creds)
        assert r.status_code == 200, (r.status_code, r.text)
        ports.append(upstream_port(r))
    assert set(ports) == {n.port for n in cluster.nodes}, f"nginx did not spread them: {ports}"
    t0 = time.monotonic()
    while True:
        it = cluster.admin_ok(cluster.b, "GET", f"/integrations/{creds.integration_id}")
        assert it["request_count"] <= n_requests, it
        if it["request_count"] == n_requests and it["last_used_at"]:
            break
        assert time.monotonic() - t0 < USAGE_VISIBLE_WITHIN, (
            f"request_count {it['request_count']} after {USAGE_VISIBLE_WITHIN} s, "
            f"expected {n_requests}: {it}")
        time.sleep(0.1)
    time.sleep(2.2)  # one more flush period: nothing is counted twice
    again = cluster.admin_ok(cluster.c, "GET", f"/integrations/{creds.integration_id}")
    assert again["request_count"] == n_requests, again


# --- 7. fifty signed requests through nginx, every replay refused ------------------------------------


def test_fifty_signed_requests_through_nginx_and_their_replays(cluster):
    creds = manual_integration(cluster.a)
    cid = consumer_id(cluster.a, creds.integration_id)
    preps = [prepare("GET", cluster.lb.url(STORE_VIEWS), auth=creds.auth(METHOD))
             for _ in range(50)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send_prepared, preps))
    bad = [(r.status_code, r.text[:200]) for r in answers if r.status_code != 200]
    assert not bad, bad
    ports = {upstream_port(r) for r in answers}
    assert ports == {n.port for n in cluster.nodes}, ports
    for i in (0, 17, 49):
        for _ in range(NODES):  # through nginx: round-robin hands it to each node in turn
            assert_response(send_prepared(preps[i]), 401, nonce_used(cid))
        for n in cluster.nodes:  # and to each node directly, Host kept
            assert_response(to_node(preps[i], n), 401, nonce_used(cid))
    with ThreadPoolExecutor(max_workers=6) as pool:
        replays = list(pool.map(send_prepared, preps))
    assert [r.status_code for r in replays] == [401] * 50


# --- 8. kill -9 loses no acknowledged write ----------------------------------------------------------


def test_kill_9_loses_no_acknowledged_write(cluster):
    a, b, c = cluster.nodes
    creds = manual_integration(b)
    cid = consumer_id(b, creds.integration_id)
    token = cluster.admin_token()
    name = unique_name("kill")
    r = a.request("POST", ADMIN_API + "/integrations", token=token,
                  json={"name": name, "all_resources": True})
    assert r.status_code == 200, (r.status_code, r.text)
    iid = body_json(r)["integration"]["id"]
    prep = prepare("GET", a.url(STORE_VIEWS), auth=creds.auth(METHOD))
    r = send_prepared(prep)
    assert r.status_code == 200, (r.status_code, r.text)
    a.proc.send_signal(signal.SIGKILL)  # right after the acknowledgements
    a.signalled = signal.SIGKILL
    assert a.wait() == -signal.SIGKILL
    try:
        got = cluster.admin_ok(b, "GET", f"/integrations/{iid}")
        assert got["name"] == name, got
        assert_response(to_node(prep, b), 401, nonce_used(cid))
        assert_response(to_node(prep, c), 401, nonce_used(cid))
        # The cluster keeps serving through nginx without the dead node.
        for _ in range(NODES):
            assert signed_get(cluster.lb.base_url, creds).status_code == 200
    finally:
        a.proc = None
        a.exit_code = None
        a.signalled = None
        a.start()
    assert signed_get(a.base_url, creds).status_code == 200


# --- 9. a revoked customer token is refused on every node at once -----------------------------------


def test_customer_token_revoked_on_one_node_is_refused_on_every_node_at_once(cluster):
    a, b, c = cluster.nodes
    email, password = f"mn{secrets.token_hex(4)}@example.com", "Cust-1" + secrets.token_hex(8)
    cust = create_customer(a, email, password, "Multi", "Node")
    token = customer_token(a, email, password)
    for n in (b, a, c):  # every node has seen (and may cache) the token
        r = n.get(CUSTOMER_ME_PATH, token=token)
        assert r.status_code == 200, (n.base_url, r.status_code, r.text)
        assert body_json(r)["id"] == cust["id"], r.text
    r = c.post(CUSTOMER_REVOKE_PATH, token=token)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.content == b"true", r.content
    for n in (a, b, c):  # at once: no waiting
        assert_response(n.get(CUSTOMER_ME_PATH, token=token), 401, not_authorized("self"))
    # A new sign-in works on every node.
    fresh = customer_token(b, email, password)
    for n in cluster.nodes:
        assert n.get(CUSTOMER_ME_PATH, token=fresh).status_code == 200


# --- 10. an edit of an integration's resources takes effect on the next request on every node -------


def test_resource_edit_on_one_node_takes_effect_on_the_next_request_on_the_others(cluster):
    a, b, c = cluster.nodes
    creds = manual_integration(a, resources=[STORE_RESOURCE])
    iid = creds.integration_id
    name = cluster.admin_ok(a, "GET", f"/integrations/{iid}")["name"]
    for n in cluster.nodes:  # every node has seen (and may cache) the consumer, token and ACL
        r = signed_get(n.base_url, creds)
        assert r.status_code == 200, (n.base_url, r.status_code, r.text)

    edited = cluster.admin_ok(a, "PUT", f"/integrations/{iid}",
                              {"name": name, "resources": ["Magento_Cms::page"]})["integration"]
    assert edited["resources"] == ["Magento_Cms::page"], edited
    for n in (b, c, a):
        assert_response(signed_get(n.base_url, creds), 401, not_authorized(STORE_RESOURCE))

    edited = cluster.admin_ok(a, "PUT", f"/integrations/{iid}",
                              {"name": name, "resources": [STORE_RESOURCE]})["integration"]
    assert edited["resources"] == [STORE_RESOURCE], edited
    for n in (b, c, a):
        r = signed_get(n.base_url, creds)
        assert r.status_code == 200, (n.base_url, r.status_code, r.text)
        assert isinstance(body_json(r), list)


# --- 11. SIGTERM lets a request whose body is still arriving finish, on PostgreSQL ---------------------


def test_sigterm_lets_an_in_flight_request_finish_on_postgresql(cluster):
    """On a fourth node of the same store (not behind nginx), so the cluster keeps its three."""
    a = cluster.a
    extra = Server(a.root.parent / f"node-sigterm-{secrets.token_hex(3)}",
                   admin_password=a.admin_password)
    extra.var_dir = a.var_dir
    extra.start()
    try:
        body = json.dumps({"username": extra.admin_user,
                           "password": extra.admin_password}).encode()
        head = request_head("POST", TOKEN_PATH, [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            ("Connection", "close")])
        sock = socket.create_connection(("127.0.0.1", extra.port), timeout=10)
        try:
            half = len(body) // 2
            sock.sendall(head + body[:half])
            time.sleep(0.3)  # the node has the request line and headers: the request is in flight
            extra.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            sock.sendall(body[half:])
            data = b""
            while True:
                got = sock.recv(65536)
                if not got:
                    break
                data += got
        finally:
            sock.close()
        assert data.startswith(b"HTTP/1.1 200"), (
            f"the request in flight at SIGTERM got no 200 (connection closed?): {data[:300]!r}\n"
            f"{extra.logs()}")
        token = json.loads(data.split(b"\r\n\r\n", 1)[1].decode())
        assert isinstance(token, str) and len(token) >= 32, token
        assert extra.wait() == 0, extra.logs()
        # The token it issued while stopping was committed: it works on the other nodes.
        for n in cluster.nodes:
            assert n.get(STORE_VIEWS, token=token).status_code == 200
    finally:
        if extra.running():
            extra.stop()
