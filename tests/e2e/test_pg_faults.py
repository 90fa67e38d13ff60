"""PostgreSQL going away and coming back (make test-pg only): while it is stopped a node answers
503 with a clear JSON error at once (never hangs, never crashes), and it recovers by itself."""
import os
import subprocess
import time

import pytest
import requests

STOP = os.environ.get("STOREGATE_TEST_PG_STOP")
START = os.environ.get("STOREGATE_TEST_PG_START")

pytestmark = pytest.mark.skipif(not (STOP and START), reason="needs make test-pg's cluster")


def test_database_down_answers_503_and_recovers(server_factory):
    srv = server_factory.create()
    token = requests.post(srv.base_url + "rest/V1/integration/admin/token",
                          json={"username": srv.admin_user, "password": srv.admin_password},
                          timeout=10).json()
    auth = {"Authorization": f"Bearer {token}"}
    url = srv.base_url + "rest/V1/store/storeViews"
    assert requests.get(url, headers=auth, timeout=10).status_code == 200
    subprocess.run([STOP], check=True, capture_output=True, timeout=60)
    try:
        for _ in range(3):
            t0 = time.monotonic()
            r = requests.get(url, headers=auth, timeout=10)
            assert time.monotonic() - t0 < 5, "a node must not hang while the database is down"
            assert r.status_code == 503, r.text
            assert r.json() == {"message": "The store database is unavailable. Please try again later."}
        h = requests.get(srv.base_url + "health", timeout=10)
        assert h.status_code == 503 and h.json()["status"] == "unavailable"
    finally:
        subprocess.run([START], check=True, capture_output=True, timeout=90)
    deadline = time.monotonic() + 15
    while True:
        r = requests.get(url, headers=auth, timeout=10)
        if r.status_code == 200:
            break
        assert time.monotonic() < deadline, f"no recovery: {r.status_code} {r.text}"
        time.sleep(0.2)
    assert srv.running()
    assert requests.get(srv.base_url + "health", timeout=10).status_code == 200
