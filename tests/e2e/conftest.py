"""End-to-end harness fixtures: the real `storegate` binary against a fresh var/ on a free port.

One shared server is installed and started per session (`server`, with `admin_token`); tests that
change settings or need a private store get their own through `server_factory` (stopped when the
test ends) or `module_server_factory` (stopped when the module ends); `Server.restart()` serves the
same var dir again. `callback_receiver` stands in for an integration's Callback URL. Teardown sends
SIGTERM and requires exit code 0. The tail of serve's stderr of every server a failing test could
have used is attached to the failure report. Set STOREGATE_KEEP_TMP=1 to keep the var dirs (and
the PostgreSQL databases).

With STOREGATE_TEST_PG_URL=postgresql://USER@HOST:PORT/ every installation gets a database of its
own on that PostgreSQL server (storedb.py), all dropped at the end of the session; `make test-pg`
(scripts/test-pg.sh) runs the suite so against a throwaway cluster.

Run with Debian's interpreter: /usr/bin/python3 -m pytest tests/e2e
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

import storedb
from harness import _ALL_SERVERS, ServerFactory, storegate_bin


def pytest_report_header(config):
    where = f" at {storedb.PG_URL}" if storedb.ON_POSTGRESQL else ""
    return f"storegate stores: {storedb.ENGINE}{where}"


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sg_bin():
    path = storegate_bin()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"storegate binary not found at {path}; build it (make) or set STOREGATE_BIN",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session", autouse=True)
def pg_databases():
    """On PostgreSQL: drops the session's databases once every server is stopped (autouse and
    session-scoped, so set up first and torn down last)."""
    yield
    if storedb.ON_POSTGRESQL and os.environ.get("STOREGATE_KEEP_TMP") != "1":
        problems = storedb.drop_databases()
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def session_root(sg_bin):
    root = Path(tempfile.mkdtemp(prefix="storegate-e2e-"))
    yield root
    if os.environ.get("STOREGATE_KEEP_TMP") != "1":
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def server(session_root):
    """The shared server. Tests must not change its settings (use server_factory for that)."""
    factory = ServerFactory(session_root / "shared")
    factory.root.mkdir()
    srv = factory.create()
    yield srv
    factory.close()


@pytest.fixture(scope="session")
def admin_token(server):
    return server.token()


@pytest.fixture
def server_factory(session_root):
    root = Path(tempfile.mkdtemp(prefix="fn-", dir=session_root))
    factory = ServerFactory(root)
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def module_server_factory(session_root):
    root = Path(tempfile.mkdtemp(prefix="mod-", dir=session_root))
    factory = ServerFactory(root)
    yield factory
    factory.close()


@pytest.fixture
def scratch(session_root):
    """A fresh empty directory for CLI-only tests (no server)."""
    return Path(tempfile.mkdtemp(prefix="scratch-", dir=session_root))


@pytest.fixture
def callback_receiver():
    """An integration's Callback URL: a threaded HTTP server on a free port recording each POSTed
    form (oauthtest.CallbackReceiver; `.url`, `.posts`, `.wait(n)`), answering 200 "ok"."""
    from oauthtest import CallbackReceiver  # here, so that only OAuth tests need requests-oauthlib

    receiver = CallbackReceiver()
    yield receiver
    receiver.close()


# --- failure reports carry the server's stderr ----------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item._sg_first_new = len(_ALL_SERVERS)
    item._sg_running = [s for s in _ALL_SERVERS if s.running()]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    # Setup and teardown failures of the harness already carry the server's logs in their message.
    if not rep.failed or rep.when != "call":
        return
    first_new = getattr(item, "_sg_first_new", len(_ALL_SERVERS))
    used = list(getattr(item, "_sg_running", []))
    used += [s for s in _ALL_SERVERS[first_new:] if s not in used]  # created during the test
    for s in used[-4:]:
        rep.sections.append((f"storegate {s.base_url}", s.logs()))
