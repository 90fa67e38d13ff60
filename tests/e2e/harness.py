"""The process side of the end-to-end harness: where the binary is, running its commands, and one
installed store with its `serve` process (`Server`). conftest.py turns these into fixtures.

The binary comes from $STOREGATE_BIN (default <repo>/build/release/storegate). Every server gets its
own directory holding var/, a cwd/ (so that a default ./var never lands in the repository) and the
files that receive serve's stdout and stderr. With STOREGATE_TEST_PG_URL set, every installation
also gets a fresh PostgreSQL database of its own (storedb.py), unless the test names one itself."""

import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

import sgtest
import storedb

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / "build" / "release" / "storegate"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
CLI_TIMEOUT = 60.0
HTTP_TIMEOUT = 10.0

ADMIN_USER = "admin"
ADMIN_EMAIL = "admin@example.com"

# Every server created in this session; a failing test's report shows the stderr of those it used.
_ALL_SERVERS = []


def storegate_bin():
    return Path(os.environ.get("STOREGATE_BIN", str(DEFAULT_BIN))).resolve()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def random_password():
    # Letters and digits, as Magento's admin password rules require.
    return "Sg1-" + secrets.token_hex(12)


def cli_env(extra=None):
    env = dict(os.environ)
    env.pop("STOREGATE_VAR_DIR", None)  # tests always say which var dir they mean
    env.setdefault("LC_ALL", "C.UTF-8")
    if extra:
        env.update(extra)
    return env


def run_cli(args, cwd, env=None, timeout=CLI_TIMEOUT, input=None):
    """Run `storegate ARGS...` (no --var-dir added); returns a text CompletedProcess."""
    cmd = [str(storegate_bin())] + [str(a) for a in args]
    try:
        return subprocess.run(
            cmd,
            cwd=str(cwd),
            env=cli_env(env),
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"`{' '.join(cmd)}` did not finish within {timeout}s; stderr: {e.stderr!r}")


def describe(cp):
    return (
        f"`{' '.join(str(a) for a in cp.args)}` exited {cp.returncode}\n"
        f"--- stdout ---\n{cp.stdout}\n--- stderr ---\n{cp.stderr}"
    )


class Server:
    """One storegate installation (var dir) and, once started, its `serve` process."""

    def __init__(self, root, admin_user=ADMIN_USER, admin_password=None, admin_email=ADMIN_EMAIL):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.var_dir = self.root / "var"
        self.cwd = self.root / "cwd"  # so that a stray default ./var lands here, never in the repo
        self.cwd.mkdir(exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self.admin_user = admin_user
        self.admin_password = admin_password or random_password()
        self.admin_email = admin_email
        self.stdout_path = self.root / "serve.stdout"
        self.stderr_path = self.root / "serve.stderr"
        self.proc = None
        self.exit_code = None
        self.signalled = None  # the last signal a test sent to the process
        self.serve_env = None  # extra environment of `serve` (kept across restarts)
        _ALL_SERVERS.append(self)

    # --- command line ---------------------------------------------------------------------------

    def cli(self, *args, env=None, timeout=CLI_TIMEOUT, input=None):
        """`storegate --var-dir VAR ARGS...` -> CompletedProcess (text)."""
        return run_cli(["--var-dir", self.var_dir, *args], self.cwd, env, timeout, input)

    def cli_ok(self, *args, **kw):
        cp = self.cli(*args, **kw)
        assert cp.returncode == 0, describe(cp)
        return cp

    def db_args(self):
        """setup:install's --db-url for this installation: on PostgreSQL a fresh database of its
        own; nothing on SQLite (the default storegate.db in var/)."""
        return storedb.install_args()

    def install(self, extra_args=()):
        extra_args = list(extra_args)
        if not any(str(a).split("=", 1)[0] == "--db-url" for a in extra_args):
            extra_args += self.db_args()
        cp = self.cli(
            "setup:install",
            "--base-url", self.base_url,
            "--admin-user", self.admin_user,
            "--admin-password", self.admin_password,
            "--admin-email", self.admin_email,
            *extra_args,
        )
        if cp.returncode != 0:
            pytest.fail("setup:install failed\n" + describe(cp))
        return cp

    # --- process --------------------------------------------------------------------------------

    def start(self, threads=2, extra_args=(), env=None):
        """Run `serve` until GET /health answers 200. `env` adds environment variables (e.g.
        STOREGATE_CLEANUP_INTERVAL); they are kept for later restarts."""
        assert self.proc is None, "already started"
        if env is not None:
            self.serve_env = dict(env)
        cmd = [
            str(storegate_bin()), "--var-dir", str(self.var_dir), "serve",
            "--listen", f"127.0.0.1:{self.port}", "--threads", str(threads), *extra_args,
        ]
        self._out = open(self.stdout_path, "ab")
        self._err = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(
            cmd, cwd=str(self.cwd), env=cli_env(self.serve_env), stdin=subprocess.DEVNULL,
            stdout=self._out, stderr=self._err,
        )
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                self.exit_code = code
                self._close_files()
                pytest.fail(f"storegate serve exited with {code} before it was ready\n{self.logs()}")
            try:
                r = requests.get(self.url("/health"), timeout=1)
                if r.status_code == 200:
                    return self
                last = f"HTTP {r.status_code} {r.text[:200]!r}"
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.05)
        self.proc.kill()
        self.proc.wait()
        self._close_files()
        pytest.fail(
            f"storegate serve did not answer GET /health with 200 within {START_TIMEOUT}s "
            f"(last: {last})\n{self.logs()}"
        )

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def restart(self, threads=2, extra_args=(), env=None):
        """Stop with SIGTERM (which must exit 0), then serve the same var dir on the same port."""
        code = self.stop()
        assert code == 0, f"storegate serve exited {code} on SIGTERM before a restart\n{self.logs()}"
        self.proc = None
        self.exit_code = None
        self.signalled = None
        return self.start(threads=threads, extra_args=extra_args, env=env)

    def send_signal(self, sig):
        self.signalled = sig
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """Wait for the process to exit; returns its exit code, or None if it is still running."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.exit_code = code
        self._close_files()
        return code

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Send `sig` and wait; returns the exit code (kills and returns None on a hang)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.wait(timeout)
        if code is None:
            self.proc.kill()
            self.proc.wait()
            self._close_files()
            return None
        return code

    def _close_files(self):
        for f in (getattr(self, "_out", None), getattr(self, "_err", None)):
            if f and not f.closed:
                f.close()

    # --- logs -----------------------------------------------------------------------------------

    def stderr_text(self):
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stdout_text(self):
        try:
            return self.stdout_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def logs(self, tail=80):
        def last(text):
            lines = text.splitlines()
            return "\n".join(lines[-tail:])

        state = "running" if self.running() else f"exited {self.exit_code}"
        return (
            f"[storegate {self.base_url} var={self.var_dir} {state}]\n"
            f"--- serve stderr (last {tail} lines) ---\n{last(self.stderr_text())}\n"
            f"--- serve stdout (last {tail} lines) ---\n{last(self.stdout_text())}"
        )

    # --- HTTP -----------------------------------------------------------------------------------

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method, path, token=None, headers=None, **kw):
        """One request on a fresh connection (no pooling: some tests make the server close it)."""
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        kw.setdefault("timeout", HTTP_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        with requests.Session() as s:
            return s.request(method, self.url(path), headers=h, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def token(self, username=None, password=None):
        """Admin token for the given (default: install) credentials; fails unless HTTP 200."""
        r = self.post(
            sgtest.TOKEN_PATH,
            json={
                "username": username if username is not None else self.admin_user,
                "password": password if password is not None else self.admin_password,
            },
        )
        assert r.status_code == 200, f"admin token: HTTP {r.status_code} {r.text[:300]!r}"
        tok = sgtest.body_json(r)
        assert isinstance(tok, str), f"admin token is not a JSON string: {r.text[:300]!r}"
        return tok

    def raw(self, chunks, **kw):
        return sgtest.raw_http(self.port, chunks, **kw)


class ServerFactory:
    """Creates private servers; `close()` stops them and reports any non-zero exit."""

    def __init__(self, root):
        self.root = Path(root)
        self.servers = []

    def create(self, start=True, install=True, install_args=(), pre_serve=(), serve_args=(),
               threads=2, admin_password=None, serve_env=None):
        """A new installation; `pre_serve` is a list of CLI argument tuples run before `serve`;
        `serve_env` adds environment variables to the `serve` process."""
        srv = Server(tempfile.mkdtemp(prefix="srv-", dir=self.root), admin_password=admin_password)
        self.servers.append(srv)
        if install:
            srv.install(install_args)
        for args in pre_serve:
            srv.cli_ok(*args)
        if start:
            srv.start(threads=threads, extra_args=serve_args, env=serve_env)
        return srv

    def close(self):
        problems = []
        for srv in self.servers:
            if srv.proc is None:
                continue
            if srv.exit_code is not None:  # a test already stopped it and checked the code
                continue
            if not srv.running():
                code = srv.proc.returncode
                srv.exit_code = code
                srv._close_files()
                if srv.signalled is None:
                    problems.append(f"storegate serve died during the test (exit {code})\n{srv.logs()}")
                elif code != 0:
                    problems.append(f"storegate serve exited {code} after signal {srv.signalled}"
                                    f"\n{srv.logs()}")
                continue
            code = srv.stop()
            if code != 0:
                problems.append(
                    f"storegate serve did not exit 0 after SIGTERM (got {code})\n{srv.logs()}"
                )
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)
