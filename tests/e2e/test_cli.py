"""The command line (docs/design.md "Command-line contract"; issue 2 item 3): --help everywhere,
exit 2 with `storegate: <problem>` on stderr for bad arguments, non-zero for runtime failures;
setup:install's files; config:set/show/check; admin:user:create; sampledata:deploy; serve's
argument checks; and what the server writes to its logs (never secrets)."""

import os
import re
import secrets

import pytest

import storedb
from harness import ADMIN_EMAIL, free_port, run_cli
from sgtest import (
    TOKEN_PATH,
    is_mode_0600,
    key_files,
    secret_forms,
)

COMMANDS = {
    "setup:install": ["--base-url", "--admin-user", "--admin-password", "--admin-email",
                      "--admin-firstname", "--admin-lastname", "--db-url"],
    "setup:upgrade": [],
    "serve": ["--listen", "--threads", "--tls-cert", "--tls-key", "--trusted-proxies"],
    "config:set": ["--scope", "--scope-code"],
    "config:show": [],
    "config:check": [],
    "admin:user:create": ["--admin-user", "--admin-password", "--admin-email",
                          "--admin-firstname", "--admin-lastname"],
    "sampledata:deploy": ["--products"],
    "store:view:create": ["--code", "--name", "--group-id", "--sort-order", "--inactive"],
}
STORE_VIEWS = "/rest/V1/store/storeViews"


def assert_usage_error(cp, code=2):
    assert cp.returncode == code, (
        f"expected exit {code}, got {cp.returncode}\nstdout: {cp.stdout}\nstderr: {cp.stderr}")
    assert re.search(r"^storegate: \S", cp.stderr, re.M), f"no `storegate: <problem>`: {cp.stderr!r}"


def assert_refused(cp):
    """A runtime failure: non-zero exit and a message on stderr (its format is not specified)."""
    assert cp.returncode != 0, f"accepted:\nstdout: {cp.stdout}\nstderr: {cp.stderr}"
    assert cp.stderr.strip(), "refused without a message on stderr"


@pytest.fixture(scope="module")
def installed(module_server_factory):
    """An installed var dir with no server running on it."""
    return module_server_factory.create(start=False)


# --- help and argument errors -----------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help(scratch, command):
    # --help needs no installed store and creates nothing.
    cp = run_cli(["--var-dir", scratch / "none", command, "--help"], cwd=scratch)
    assert cp.returncode == 0, cp.stderr
    out = cp.stdout
    assert "usage" in out.lower(), out
    assert command in out, out
    missing = [opt for opt in COMMANDS[command] if opt not in out]
    assert not missing, f"{command} --help does not mention {missing}:\n{out}"
    assert not (scratch / "none").exists(), "--help created the var dir"


def test_top_level_help_lists_every_command(scratch):
    cp = run_cli(["--help"], cwd=scratch)
    assert cp.returncode == 0, cp.stderr
    missing = [c for c in COMMANDS if c not in cp.stdout]
    assert not missing, f"storegate --help does not list {missing}:\n{cp.stdout}"
    assert "--var-dir" in cp.stdout


def test_unknown_command(scratch):
    cp = run_cli(["nosuch:command"], cwd=scratch)
    assert_usage_error(cp)
    assert "nosuch:command" in cp.stderr
    assert not (scratch / "var").exists()


@pytest.mark.parametrize("command", ["config:show", "setup:upgrade", "config:check",
                                     "sampledata:deploy", "serve"])
def test_unknown_option(installed, command):
    cp = installed.cli(command, "--frobnicate", timeout=10)
    assert_usage_error(cp)
    assert "--frobnicate" in cp.stderr


@pytest.mark.parametrize("command", ["config:show", "setup:upgrade", "serve"])
def test_commands_need_an_installed_store(scratch, command):
    args = [command] + (["--listen", f"127.0.0.1:{free_port()}"] if command == "serve" else [])
    cp = run_cli(["--var-dir", scratch / "var", *args], cwd=scratch, timeout=10)
    assert_refused(cp)


# --- setup:install / setup:upgrade ------------------------------------------------------------------


def test_install_layout(installed):
    var = installed.var_dir
    assert (var / "env.ini").is_file()
    if storedb.ON_POSTGRESQL:
        # The store is in its PostgreSQL database, named in env.ini (0600: a URL may carry a
        # password); no SQLite file is made beside it.
        assert not (var / "storegate.db").exists(), sorted(p.name for p in var.iterdir())
        assert storedb.is_postgresql(storedb.db_url(installed)), (var / "env.ini").read_text()
        assert is_mode_0600(var / "env.ini"), oct(os.stat(var / "env.ini").st_mode & 0o777)
    else:
        assert (var / "storegate.db").is_file(), sorted(p.name for p in var.iterdir())
    keys = key_files(var)
    assert keys, f"no key file under {var}: {sorted(str(p) for p in var.rglob('*'))}"
    for k in keys:
        assert is_mode_0600(k), f"{k} has mode {oct(os.stat(k).st_mode & 0o777)}, expected 0600"
    env_ini = (var / "env.ini").read_text()
    assert installed.admin_password not in env_ini


def test_install_twice_refuses(installed):
    var = installed.var_dir
    before = {p: p.read_bytes() for p in [var / "env.ini", *key_files(var)]}
    cp = installed.cli("setup:install", "--base-url", "http://127.0.0.1:1/",
                       "--admin-user", "other", "--admin-password", "Other-Pass-123",
                       "--admin-email", "other@example.com")
    assert_refused(cp)
    assert re.search(r"install", cp.stderr, re.I), cp.stderr
    after = {p: p.read_bytes() for p in before}
    assert after == before, "a refused setup:install changed env.ini or the key file"


def test_install_refuses_a_database_that_holds_a_store(installed, scratch):
    # Another var dir, pointed at the database of an installed store (its SQLite file, or its
    # PostgreSQL database): refused, and that store is left as it was.
    url = storedb.db_url(installed)
    admins = storedb.db_query(installed, "SELECT username FROM admin_user ORDER BY user_id")
    var = scratch / "var"
    cp = run_cli(["--var-dir", var, "setup:install", "--base-url", "http://127.0.0.1:1/",
                  "--admin-user", "intruder", "--admin-password", "Intruder-Pass-123",
                  "--admin-email", "intruder@example.com", "--db-url", url], cwd=scratch)
    assert_refused(cp)
    assert not (var / "env.ini").exists(), "a refused setup:install wrote env.ini"
    assert storedb.db_query(installed, "SELECT username FROM admin_user ORDER BY user_id") == admins
    assert installed.cli_ok("config:show", "web/unsecure/base_url").stdout.strip() == (
        installed.base_url)


def test_install_without_password_prints_a_working_one(server_factory):
    srv = server_factory.create(install=False, start=False)
    cp = srv.cli("setup:install", "--base-url", srv.base_url, "--admin-user", "admin",
                 "--admin-email", ADMIN_EMAIL, *srv.db_args())
    assert cp.returncode == 0, cp.stderr
    lines = [ln for ln in (cp.stdout + cp.stderr).splitlines() if "password" in ln.lower()]
    assert lines, f"setup:install printed no password:\n{cp.stdout}\n{cp.stderr}"
    candidates = []
    for ln in lines:
        m = re.search(r"password\W*[:=]\s*[`'\"]?([^\s`'\"]+)", ln, re.I)
        candidates += [m.group(1)] if m else []
        candidates.append(ln.split()[-1].strip("`'\""))
    candidates = list(dict.fromkeys(candidates))[:4]
    srv.start()
    for c in candidates:
        r = srv.post(TOKEN_PATH, json={"username": "admin", "password": c})
        if r.status_code == 200:
            break
    else:
        pytest.fail(f"none of the printed passwords {candidates} works for admin")
    assert (cp.stdout + cp.stderr).count(c) == 1, "the generated password is printed more than once"
    # The random password is printed once, and is not stored (var/, the database).
    for path, data in storedb.stored_data(srv).items():
        assert c.encode() not in data, f"the generated admin password is stored in clear in {path}"


@storedb.sqlite_only("installs into an SQLite file named by --db-url sqlite:PATH")
def test_install_with_db_url(server_factory, scratch):
    db = scratch / "elsewhere" / "shop.db"
    db.parent.mkdir()
    srv = server_factory.create(install_args=("--db-url", f"sqlite:{db}"), start=False)
    assert db.is_file()
    assert not (srv.var_dir / "storegate.db").exists()
    srv.cli_ok("config:set", "general/locale/code", "en_GB")
    assert srv.cli_ok("config:show", "general/locale/code").stdout.strip() == "en_GB"
    assert "sqlite:" + str(db) in srv.cli_ok("config:check").stdout


def test_install_rejects_bad_arguments(scratch):
    for args in (
        ["--base-url", "not a url", "--admin-user", "a", "--admin-password", "Passw0rd-1",
         "--admin-email", ADMIN_EMAIL],
        ["--base-url", "http://127.0.0.1:8080/", "--admin-user", "a",
         "--admin-password", "Passw0rd-1", "--admin-email", ADMIN_EMAIL, "--db-url", "mysql:x"],
        ["--base-url"],
    ):
        var = scratch / secrets.token_hex(4)
        cp = run_cli(["--var-dir", var, "setup:install", *args], cwd=scratch)
        assert_usage_error(cp)
        assert not (var / "env.ini").exists(), args


def test_setup_upgrade(installed):
    assert installed.cli("setup:upgrade").returncode == 0
    assert installed.cli("setup:upgrade").returncode == 0  # nothing pending: still fine


# --- global --var-dir -------------------------------------------------------------------------------


def test_var_dir_from_environment_and_after_the_command(installed, scratch):
    installed.cli_ok("config:set", "general/locale/code", "de_DE")
    env = {"STOREGATE_VAR_DIR": str(installed.var_dir)}
    cp = run_cli(["config:show", "general/locale/code"], cwd=scratch, env=env)
    assert (cp.returncode, cp.stdout.strip()) == (0, "de_DE"), cp.stderr
    cp = run_cli(["config:show", "general/locale/code", "--var-dir", installed.var_dir],
                 cwd=scratch)
    assert (cp.returncode, cp.stdout.strip()) == (0, "de_DE"), cp.stderr


def test_default_var_dir_is_dot_var(scratch):
    cp = run_cli(["setup:install", "--base-url", "http://127.0.0.1:8080/", "--admin-user",
                  "admin", "--admin-password", "Passw0rd-" + secrets.token_hex(4),
                  "--admin-email", ADMIN_EMAIL, *storedb.install_args()], cwd=scratch)
    assert cp.returncode == 0, cp.stderr
    assert (scratch / "var" / "env.ini").is_file()
    if not storedb.ON_POSTGRESQL:
        assert (scratch / "var" / "storegate.db").is_file()
    cp = run_cli(["config:set", "general/locale/code", "pt_BR"], cwd=scratch)
    assert cp.returncode == 0, cp.stderr
    cp = run_cli(["config:show", "general/locale/code"], cwd=scratch)
    assert (cp.returncode, cp.stdout.strip()) == (0, "pt_BR"), cp.stderr


def test_relative_var_dir_works_from_another_directory(scratch):
    # A store installed with a relative --var-dir is found again through that directory's
    # absolute path from anywhere else: nothing in var/ may depend on the install's cwd.
    (scratch / "a").mkdir()
    (scratch / "b").mkdir()
    cp = run_cli(["--var-dir", "rel-var", "setup:install", "--base-url", "http://127.0.0.1:8080/",
                  "--admin-user", "admin", "--admin-password", "Passw0rd-" + secrets.token_hex(4),
                  "--admin-email", ADMIN_EMAIL, *storedb.install_args()], cwd=scratch / "a")
    assert cp.returncode == 0, cp.stderr
    var = scratch / "a" / "rel-var"
    cp = run_cli(["--var-dir", var, "config:set", "general/locale/code", "it_IT"],
                 cwd=scratch / "b")
    assert cp.returncode == 0, cp.stderr
    cp = run_cli(["--var-dir", var, "config:show", "general/locale/code"], cwd=scratch / "b")
    assert (cp.returncode, cp.stdout.strip()) == (0, "it_IT"), cp.stderr
    assert not (scratch / "b" / "rel-var").exists(), "a command created files outside --var-dir"


# --- config:set / config:show / config:check --------------------------------------------------------


def test_config_set_and_show(installed):
    installed.cli_ok("config:set", "general/locale/code", "en_GB")
    installed.cli_ok("config:set", "--scope", "websites", "--scope-code", "base",
                     "general/locale/code", "nl_NL")
    installed.cli_ok("config:set", "--scope", "stores", "--scope-code", "default",
                     "general/locale/code", "fr_FR")
    assert installed.cli_ok("config:show", "general/locale/code").stdout.strip() == "en_GB"
    lines = installed.cli_ok("config:show").stdout.splitlines()
    assert "general/locale/code - en_GB" in lines, lines
    installed.cli_ok("config:set", "general/locale/code", "en_US")  # overwrite, not duplicate
    assert installed.cli_ok("config:show", "general/locale/code").stdout.strip() == "en_US"


@pytest.mark.parametrize(
    "args",
    [
        ("--scope", "galaxy", "general/locale/code", "en_GB"),
        ("--scope", "websites", "general/locale/code", "en_GB"),   # scope code missing
        ("general/locale/code",),                                   # value missing
        (),
    ],
    ids=["bad-scope", "no-scope-code", "no-value", "nothing"],
)
def test_config_set_bad_arguments(installed, args):
    assert_usage_error(installed.cli("config:set", *args))


@pytest.mark.parametrize("scope", ["websites", "stores"])
def test_config_set_unknown_scope_code(installed, scope):
    assert_refused(installed.cli("config:set", "--scope", scope, "--scope-code", "nosuch",
                                 "general/locale/code", "en_GB"))


def test_config_check_masks_secrets(installed):
    cp = installed.cli("config:check")
    assert cp.returncode == 0, cp.stderr
    out = cp.stdout + cp.stderr
    assert storedb.db_url(installed) in out, out
    keys = key_files(installed.var_dir)
    assert keys
    for k in keys:
        for form in secret_forms(k.read_bytes()):
            assert form not in out, f"config:check shows the content of {k.name}"
    assert installed.admin_password not in out


# --- admin:user:create ------------------------------------------------------------------------------


def test_admin_user_create_then_token(server):
    name = "clerk" + secrets.token_hex(4)
    password = "Clerk-" + secrets.token_hex(8)
    server.cli_ok("admin:user:create", "--admin-user", name, "--admin-password", password,
                  "--admin-email", f"{name}@example.com", "--admin-firstname", "Cle",
                  "--admin-lastname", "Rk")
    token = server.token(name, password)
    assert server.get(STORE_VIEWS, token=token).status_code == 200
    assert server.token(name.upper(), password)
    # The same user name again (in any case) is refused.
    cp = server.cli("admin:user:create", "--admin-user", name.upper(), "--admin-password",
                    password, "--admin-email", f"other-{name}@example.com",
                    "--admin-firstname", "A", "--admin-lastname", "B")
    assert_refused(cp)


def test_admin_user_create_missing_user_name(installed):
    cp = installed.cli("admin:user:create", "--admin-password", "Passw0rd-1",
                       "--admin-email", "x@example.com", "--admin-firstname", "X",
                       "--admin-lastname", "Y")
    assert_usage_error(cp)


# --- sampledata:deploy ------------------------------------------------------------------------------


def test_sampledata_deploy(server_factory):
    srv = server_factory.create(start=False)
    cp = srv.cli("sampledata:deploy", "--products", "50", timeout=30)
    assert cp.returncode == 0, cp.stderr
    # stdout is a pipe here: no progress bar (no carriage returns, no terminal escapes).
    assert "\r" not in cp.stdout and "\x1b" not in cp.stdout, repr(cp.stdout[:300])


@pytest.mark.parametrize("value", ["abc", "-5", ""])
def test_sampledata_deploy_bad_count(installed, value):
    assert_usage_error(installed.cli("sampledata:deploy", "--products", value))


# --- serve arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--listen", "nonsense"),
        ("--listen", "127.0.0.1"),
        ("--listen", "127.0.0.1:99999"),
        ("--listen", "127.0.0.1:abc"),
        ("--threads", "0"),
        ("--threads", "-1"),
        ("--threads", "two"),
    ],
)
def test_serve_bad_arguments(installed, args):
    extra = () if args[0] == "--listen" else ("--listen", f"127.0.0.1:{free_port()}")
    cp = installed.cli("serve", *args, *extra, timeout=10)
    assert_usage_error(cp)


def test_serve_announces_its_address(server):
    text = server.stdout_text() + server.stderr_text()
    assert f"storegate: listening on http://127.0.0.1:{server.port}/" in text, text[-2000:]


# --- logs never carry secrets -----------------------------------------------------------------------


def test_access_log_has_one_line_per_request_and_no_secrets(server_factory):
    srv = server_factory.create()
    wrong = "Wr0ng-" + secrets.token_hex(8)
    token = srv.token()
    assert srv.post(TOKEN_PATH, json={"username": "admin", "password": wrong}).status_code == 401
    assert srv.get(STORE_VIEWS, token=token).status_code == 200
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert srv.get(STORE_VIEWS, token=tampered).status_code == 401
    signature = "S1gnature" + secrets.token_hex(8)
    oauth = (f'OAuth oauth_consumer_key="{secrets.token_hex(16)}", oauth_nonce="n1", '
             f'oauth_signature_method="HMAC-SHA256", oauth_timestamp="1", '
             f'oauth_signature="{signature}"')
    assert srv.get(STORE_VIEWS, headers={"Authorization": oauth}).status_code in (400, 401)
    probe = "probe-" + secrets.token_hex(6)
    for _ in range(3):
        assert srv.get(f"/rest/V1/{probe}").status_code == 404

    assert srv.stop() == 0, srv.logs()

    sources = {"serve stderr": srv.stderr_text(), "serve stdout": srv.stdout_text()}
    for where, data in storedb.stored_data(srv).items():  # var/ and, on PostgreSQL, the database
        sources[where] = data.decode("latin-1")

    secrets_used = {
        "admin password": srv.admin_password,
        "wrong password": wrong,
        "bearer token": token,
        "tampered bearer token": tampered,
        "OAuth signature": signature,
    }
    for where, text in sources.items():
        for what, value in secrets_used.items():
            assert value not in text, f"{what} found in {where}"

    logs = {w: t for w, t in sources.items()
            if not w.endswith((".db", ".db-wal", ".db-shm")) and not storedb.is_postgresql(w)}
    with_probe = {w: [ln for ln in t.splitlines() if probe in ln] for w, t in logs.items()}
    with_probe = {w: lines for w, lines in with_probe.items() if lines}
    assert with_probe, "no access-log line for the probe requests (stderr or var/ log files)"
    for where, lines in with_probe.items():
        assert len(lines) == 3, f"{where}: expected one access-log line per request: {lines}"
        for ln in lines:
            assert "GET" in ln and "404" in ln, ln
