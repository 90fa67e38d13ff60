"""A shared pool of database connections (issue 5 item 1: "one connection per worker thread,
configurable pool size for deployments with more threads"): `serve --db-pool-size N` with more
worker threads than N. Every kind of request that touches the database (Bearer reads, signed
requests that wait for their nonce's group commit, an activation whose callback POST runs on the
blocking pool and comes back, token issue) must work while the workers take turns on the pool, and
the database must see only N connections from the workers. Runs on SQLite and, under make
test-pg, on PostgreSQL, where the connections are counted in pg_stat_activity."""

import concurrent.futures
import os
import re
from pathlib import Path

import pytest

from oauthtest import (
    METHODS,
    STORE_VIEWS,
    CallbackReceiver,
    full_handshake,
    manual_integration,
    prepare,
    send,
    send_prepared,
)
from storedb import db_query, db_url, is_postgresql

THREADS = 4
POOL = 1


def _worker_connections(server):
    """Database connections the server process holds, besides its cleanup thread's and its
    catalog writer's own (nonces go through the workers' leased connections on PostgreSQL and to
    the nonce journal, not the database file, on SQLite)."""
    url = db_url(server)
    if is_postgresql(url):
        rows = db_query(server, "SELECT count(*) FROM pg_stat_activity"
                                " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return rows[0][0] - 2
    # SQLite: each connection holds its own descriptor of the database file.
    db_file = os.path.realpath(url[len("sqlite:"):])
    fd_dir = Path(f"/proc/{server.proc.pid}/fd")
    n = 0
    for fd in fd_dir.iterdir():
        try:
            if os.path.realpath(fd) == db_file:
                n += 1
        except OSError:
            pass
    return n - 2


@pytest.fixture(scope="module")
def pooled(module_server_factory):
    return module_server_factory.create(threads=THREADS, serve_args=("--db-pool-size", str(POOL)))


def test_start_up_says_the_workers_share_the_pool(pooled):
    assert f"database connections: {POOL}, shared by {THREADS} worker threads" in pooled.stderr_text()


def test_the_workers_hold_only_the_pool_s_connections(pooled):
    # warm every worker thread up first: before, they may not have touched the database at all
    token = pooled.token()
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        codes = list(ex.map(lambda _: pooled.get(STORE_VIEWS, token=token).status_code, range(64)))
    assert codes == [200] * 64
    assert _worker_connections(pooled) == POOL


def test_concurrent_bearer_reads_and_token_requests_all_succeed(pooled):
    token = pooled.token()

    def one(i):
        if i % 8 == 0:
            r = pooled.post("/rest/V1/integration/admin/token",
                            json={"username": pooled.admin_user, "password": pooled.admin_password})
            return r.status_code, re.fullmatch(r'"[0-9a-z]{32}"', r.text) is not None
        r = pooled.get(STORE_VIEWS, token=token)
        return r.status_code, isinstance(r.json(), list) and len(r.json()) >= 1

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        results = list(ex.map(one, range(200)))
    assert results == [(200, True)] * 200


@pytest.mark.parametrize("method", METHODS)
def test_concurrent_signed_requests_wait_for_their_nonces_without_holding_a_connection(
        pooled, method):
    creds = manual_integration(pooled)
    url = pooled.url(STORE_VIEWS)

    def one(_):
        return send("GET", url, auth=creds.auth(method)).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        codes = list(ex.map(one, range(96)))
    assert codes == [200] * 96
    # and a replay of an accepted nonce is still refused with the pool in between
    prep = prepare("GET", url, auth=creds.auth(method))
    assert send_prepared(prep).status_code == 200
    assert send_prepared(prep).status_code == 401


def test_a_handshake_with_a_deferred_callback_post_works_on_the_pool(pooled):
    receiver = CallbackReceiver()
    try:
        creds = full_handshake(pooled, receiver, METHODS[0])
    finally:
        receiver.close()
    r = send("GET", pooled.url(STORE_VIEWS), auth=creds.auth(METHODS[0]))
    assert r.status_code == 200, r.text


def test_a_pool_as_large_as_the_worker_count_means_one_connection_each(server_factory):
    srv = server_factory.create(threads=2, serve_args=("--db-pool-size", "8"))
    token = srv.token()
    assert srv.get(STORE_VIEWS, token=token).status_code == 200
    assert "shared by" not in srv.stderr_text()


@pytest.mark.parametrize("value", ["-1", "1025", "many"])
def test_a_bad_pool_size_is_refused_before_serving(server_factory, value):
    srv = server_factory.create(start=False)
    cp = srv.cli("serve", "--db-pool-size", value, "--listen", "127.0.0.1:1")
    assert cp.returncode != 0
    assert "db_pool_size" in (cp.stderr + cp.stdout), cp.stderr
