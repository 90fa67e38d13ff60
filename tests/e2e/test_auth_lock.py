"""The authentication lock of the admin and customer token services (issue 3 item 6; reference
§1.5, §5.4, §10.1): `oauth/authentication_lock/max_failures_count` (default 6) consecutive
failures lock the name for `oauth/authentication_lock/timeout` seconds (default 1800); the locked
answer is the bad-credentials 401; the lock expires by time in the request path (Magento needs its
cron); `storegate admin:user:unlock USER` clears it. Every test signs in with accounts of its own
on a private server, and settings changed on it are put back."""

import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from oauthtest import db_query
from sgtest import (
    CUSTOMER_TOKEN_PATH,
    MSG_BAD_CREDENTIALS,
    TOKEN_PATH,
    assert_response,
    body_json,
    create_customer,
)

BAD_CREDENTIALS = {"message": MSG_BAD_CREDENTIALS}
STORE_VIEWS = "/rest/V1/store/storeViews"
MAX_PATH = "oauth/authentication_lock/max_failures_count"
TIMEOUT_PATH = "oauth/authentication_lock/timeout"
LOG_ADMIN, LOG_CUSTOMER = 3, 2  # oauth_token_request_log.user_type (Magento's RequestThrottler)


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory.create()


@pytest.fixture
def setting(srv):
    """setting(path, value): config:set on the running server, put back to its default after."""
    changed = []

    def set_(path, value):
        srv.cli_ok("config:set", path, str(value))
        changed.append(path)

    yield set_
    defaults = {MAX_PATH: "6", TIMEOUT_PATH: "1800"}
    for path in reversed(changed):
        srv.cli_ok("config:set", path, defaults[path])


def new_password():
    return "Lock-1" + secrets.token_hex(8)


def new_admin(srv, name=None):
    name = name or "lock" + secrets.token_hex(4)
    password = new_password()
    srv.cli_ok("admin:user:create", "--admin-user", name, "--admin-password", password,
               "--admin-email", f"{secrets.token_hex(4)}@example.com",
               "--admin-firstname", "Lock", "--admin-lastname", "Test")
    return name, password


def new_customer(srv, email=None):
    email = email or f"lock.{secrets.token_hex(5)}@example.com"
    password = new_password()
    create_customer(srv, email, password)
    return email, password


def attempt(srv, name, password, path=TOKEN_PATH):
    return srv.post(path, json={"username": name, "password": password})


def fail(srv, name, times, path=TOKEN_PATH):
    """`times` wrong passwords for `name`, each refused with the bad-credentials 401. They are
    sent two at a time (each costs an Argon2id check on the server); the count is the same."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(
            lambda _: attempt(srv, name, "Wrong-1" + secrets.token_hex(4), path), range(times)))
    for r in answers:
        assert_response(r, 401, BAD_CREDENTIALS)


def assert_signs_in(srv, name, password, path=TOKEN_PATH):
    r = attempt(srv, name, password, path)
    assert r.status_code == 200, f"{name}: HTTP {r.status_code} {r.text[:300]!r}"
    token = body_json(r)
    assert isinstance(token, str) and token, r.text
    return token


def assert_locked(srv, name, password, path=TOKEN_PATH):
    assert_response(attempt(srv, name, password, path), 401, BAD_CREDENTIALS)


def log_row(srv, name, user_type):
    rows = db_query(srv, "SELECT failures_count, lock_expires_at FROM oauth_token_request_log"
                         " WHERE lower(user_name) = lower(?) AND user_type = ?", (name, user_type))
    return rows[0] if rows else None


# --- admins -----------------------------------------------------------------------------------------


def test_six_failures_lock_the_admin(srv):
    name, password = new_admin(srv)
    earlier = assert_signs_in(srv, name, password)
    fail(srv, name, 6)
    assert_locked(srv, name, password)
    assert_locked(srv, name, password)  # and stays locked
    failures, expires = log_row(srv, name, LOG_ADMIN)
    assert failures >= 6, failures
    assert abs(expires - (time.time() + 1800)) < 60, expires
    # A token issued before the lock is not affected; other admins are not either.
    assert srv.get(STORE_VIEWS, token=earlier).status_code == 200
    assert_signs_in(srv, srv.admin_user, srv.admin_password)


def test_five_failures_do_not_lock(srv):
    name, password = new_admin(srv)
    fail(srv, name, 5)
    assert_signs_in(srv, name, password)


def test_a_success_resets_the_count(srv):
    name, password = new_admin(srv)
    fail(srv, name, 5)
    assert_signs_in(srv, name, password)
    assert log_row(srv, name, LOG_ADMIN) is None or log_row(srv, name, LOG_ADMIN)[0] == 0
    fail(srv, name, 5)
    assert_signs_in(srv, name, password)
    fail(srv, name, 6)
    assert_locked(srv, name, password)


def test_max_failures_count_on_a_running_server(srv, setting):
    setting(MAX_PATH, 3)
    name, password = new_admin(srv)
    fail(srv, name, 3)
    assert_locked(srv, name, password)
    other, other_password = new_admin(srv)
    fail(srv, other, 2)
    assert_signs_in(srv, other, other_password)


def test_user_name_case_variants_are_one_account(srv):
    name, password = new_admin(srv, "CaseLock" + secrets.token_hex(3))
    for variant in (name, name.upper(), name.lower(), name.swapcase(), name.upper(), name.lower()):
        fail(srv, variant, 1)
    for variant in (name, name.upper(), name.lower()):
        assert_locked(srv, variant, password)


def test_unlock(srv):
    name, password = new_admin(srv)
    fail(srv, name, 6)
    assert_locked(srv, name, password)
    cp = srv.cli_ok("admin:user:unlock", name.upper())  # user names match case-insensitively
    assert cp.stdout.strip(), "admin:user:unlock printed nothing"
    assert log_row(srv, name, LOG_ADMIN) is None
    assert_signs_in(srv, name, password)
    # Counting starts afresh: five more failures do not lock.
    fail(srv, name, 5)
    assert_signs_in(srv, name, password)


def test_unlock_of_a_user_that_is_not_locked(srv):
    name, _ = new_admin(srv)
    cp = srv.cli_ok("admin:user:unlock", name)
    assert cp.stdout.strip(), "admin:user:unlock printed nothing"


def test_unlock_of_an_unknown_user(srv):
    cp = srv.cli("admin:user:unlock", "nobody" + secrets.token_hex(4))
    assert cp.returncode != 0, f"accepted:\nstdout: {cp.stdout}\nstderr: {cp.stderr}"
    assert cp.stderr.strip(), "refused without a message on stderr"


def test_unlock_needs_a_user(srv):
    cp = srv.cli("admin:user:unlock")
    assert cp.returncode == 2, cp
    assert cp.stderr.startswith("storegate: "), cp.stderr


def test_lock_expires_by_time(srv, setting):
    setting(TIMEOUT_PATH, 2)
    a_name, a_password = new_admin(srv)
    b_name, b_password = new_admin(srv)
    c_email, c_password = new_customer(srv)
    expiries = []
    # Each lock is checked right after it is set: a 2 s lock may end while others are being set.
    for name, password, path, kind in ((a_name, a_password, TOKEN_PATH, LOG_ADMIN),
                                       (b_name, b_password, TOKEN_PATH, LOG_ADMIN),
                                       (c_email, c_password, CUSTOMER_TOKEN_PATH, LOG_CUSTOMER)):
        fail(srv, name, 6, path)
        assert_locked(srv, name, password, path)
        failures, expires = log_row(srv, name, kind)
        assert failures >= 6 and abs(expires - (time.time() + 2)) <= 2, (failures, expires)
        expiries.append(expires)
    # Sleep until every lock has expired (at most the 3 s of a 2 s timeout; seconds are whole).
    time.sleep(min(3.0, max(0.0, max(expiries) + 0.2 - time.time())))
    # No cron, no unlock: the request path itself sees that the lock has expired.
    assert_signs_in(srv, a_name, a_password)
    assert_signs_in(srv, c_email, c_password, CUSTOMER_TOKEN_PATH)
    # After an expired lock one more failure starts a new count instead of locking again.
    fail(srv, b_name, 1)
    assert_signs_in(srv, b_name, b_password)


# --- customers --------------------------------------------------------------------------------------


def test_customer_locks_after_six_failures(srv):
    email, password = new_customer(srv)
    fail(srv, email, 5, CUSTOMER_TOKEN_PATH)
    assert_signs_in(srv, email, password, CUSTOMER_TOKEN_PATH)  # a success resets the count
    fail(srv, email, 6, CUSTOMER_TOKEN_PATH)
    assert_locked(srv, email, password, CUSTOMER_TOKEN_PATH)
    assert_locked(srv, email.upper(), password, CUSTOMER_TOKEN_PATH)
    failures, _ = log_row(srv, email, LOG_CUSTOMER)
    assert failures >= 6, failures


def test_customer_email_case_variants_are_one_account(srv):
    email, password = new_customer(srv)
    for variant in (email, email.upper(), email.title(), email, email.upper(), email.swapcase()):
        fail(srv, variant, 1, CUSTOMER_TOKEN_PATH)
    assert_locked(srv, email, password, CUSTOMER_TOKEN_PATH)


def test_customer_max_failures_count_on_a_running_server(srv, setting):
    setting(MAX_PATH, 3)
    email, password = new_customer(srv)
    fail(srv, email, 3, CUSTOMER_TOKEN_PATH)
    assert_locked(srv, email, password, CUSTOMER_TOKEN_PATH)


def test_locked_customer_does_not_lock_the_admin_of_the_same_name(srv):
    email, c_password = new_customer(srv)
    _, a_password = new_admin(srv, email)
    fail(srv, email, 6, CUSTOMER_TOKEN_PATH)
    assert_locked(srv, email, c_password, CUSTOMER_TOKEN_PATH)
    assert_signs_in(srv, email, a_password)
    assert log_row(srv, email, LOG_ADMIN) is None


def test_locked_admin_does_not_lock_the_customer_of_the_same_name(srv):
    email, c_password = new_customer(srv)
    _, a_password = new_admin(srv, email)
    fail(srv, email, 6)
    assert_locked(srv, email, a_password)
    assert_signs_in(srv, email, c_password, CUSTOMER_TOKEN_PATH)
    assert log_row(srv, email, LOG_CUSTOMER) is None


def test_admin_failures_and_customer_failures_do_not_add_up(srv):
    email, c_password = new_customer(srv)
    _, a_password = new_admin(srv, email)
    fail(srv, email, 5)
    fail(srv, email, 5, CUSTOMER_TOKEN_PATH)
    assert_signs_in(srv, email, a_password)
    assert_signs_in(srv, email, c_password, CUSTOMER_TOKEN_PATH)


# --- a lock tells nothing about which names exist ---------------------------------------------------


def answer(resp):
    return resp.status_code, resp.headers.get("Content-Type"), resp.content


@pytest.mark.parametrize("path", [TOKEN_PATH, CUSTOMER_TOKEN_PATH], ids=["admin", "customer"])
def test_locked_known_and_unknown_names_answer_alike(srv, path):
    if path == TOKEN_PATH:
        known, password = new_admin(srv)
        unknown = "ghost" + secrets.token_hex(4)
    else:
        known, password = new_customer(srv)
        unknown = f"ghost.{secrets.token_hex(5)}@example.com"
    wrong = "Wrong-1" + secrets.token_hex(4)
    first_known = attempt(srv, known, wrong, path)
    first_unknown = attempt(srv, unknown, wrong, path)
    assert answer(first_known) == answer(first_unknown)
    fail(srv, known, 5, path)
    fail(srv, unknown, 5, path)
    locked = [
        attempt(srv, known, password, path),  # the right password
        attempt(srv, known, wrong, path),
        attempt(srv, unknown, password, path),
        attempt(srv, unknown, wrong, path),
    ]
    assert_response(locked[0], 401, BAD_CREDENTIALS)
    for r in locked:
        assert answer(r) == answer(first_known), (answer(r), answer(first_known))
        assert "WWW-Authenticate" not in r.headers
