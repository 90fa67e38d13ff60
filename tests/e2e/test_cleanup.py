"""Background cleanup (issue 3 item 7; docs/design.md "Threads"): every `cleanup_interval` seconds
(env STOREGATE_CLEANUP_INTERVAL) a thread of its own deletes expired admin and customer tokens
(oauth_token user_type 2/3 with expires_at <> 0 and <= now), integration request tokens older than
`oauth/cleanup/expiration_period` minutes (default 120) and nonces older than
now - `oauth/timestamp_window` (default 600) - 60 s; never in the request path. Rows are written
behind the server's back (storedb: SQLite or PostgreSQL; schema: src/db/migrations/*.sql) and
watched go."""

import hashlib
import re
import secrets
import time

import pytest

from oauthtest import consumer_id, db_exec, db_query, manual_integration
from sgtest import (
    CUSTOMER_ME_PATH,
    assert_response,
    create_customer,
    customer_token,
    not_authorized,
    wait_until,
)

STORE_VIEWS = "/rest/V1/store/storeViews"
CLEANUP_WAIT = 3.5  # the interval is 1 s; allow one cleanup turn plus scheduling slack


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory.create(serve_env={"STOREGATE_CLEANUP_INTERVAL": "1"})


@pytest.fixture(scope="module")
def ids(srv):
    """(admin id, customer id, consumer id) to hang the inserted rows on."""
    admin = db_query(srv, "SELECT user_id FROM admin_user WHERE username_key = ?",
                     (srv.admin_user.lower(),))
    assert admin, "install admin not found in admin_user"
    customer = create_customer(srv, f"clean.{secrets.token_hex(4)}@example.com", "Clean-1xyzw")
    creds = manual_integration(srv)
    return admin[0][0], customer["id"], consumer_id(srv, creds.integration_id)


def now():
    return int(time.time())


def insert_token(srv, user_type, kind="access", created_at=None, expires_at=0, admin_id=None,
                 customer_id=None, consumer=None):
    """One oauth_token row; returns its token column value (the unique key to look it up)."""
    token = secrets.token_hex(32) if user_type in (2, 3) else secrets.token_hex(16)
    db_exec(srv, "INSERT INTO oauth_token (consumer_id, admin_id, customer_id, type, token,"
                 " user_type, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (consumer, admin_id, customer_id, kind, token, user_type,
             now() if created_at is None else created_at, expires_at))
    return token


def insert_nonce(srv, consumer, timestamp):
    nonce = secrets.token_hex(16)
    db_exec(srv, "INSERT INTO oauth_nonce (nonce, consumer_id, timestamp) VALUES (?, ?, ?)",
            (nonce, consumer, timestamp))
    return nonce


def present_tokens(srv, tokens):
    marks = ",".join("?" * len(tokens))
    return {r[0] for r in db_query(srv, f"SELECT token FROM oauth_token WHERE token IN ({marks})",
                                   tuple(tokens))}


def present_nonces(srv, nonces):
    marks = ",".join("?" * len(nonces))
    return {r[0] for r in db_query(srv, f"SELECT nonce FROM oauth_nonce WHERE nonce IN ({marks})",
                                   tuple(nonces))}


def wait_gone(srv, tokens=(), nonces=()):
    tokens, nonces = list(tokens), list(nonces)

    def left():
        return (present_tokens(srv, tokens) if tokens else set()) | (
            present_nonces(srv, nonces) if nonces else set())

    wait_until(lambda: not left(), timeout=CLEANUP_WAIT, interval=0.1,
               what="the cleanup to delete the stale rows", detail=lambda: sorted(left()))


def test_interval_comes_from_the_environment(srv):
    cp = srv.cli_ok("config:check", env={"STOREGATE_CLEANUP_INTERVAL": "1"})
    assert re.search(r"^cleanup_interval\s*=\s*1\s*$", cp.stdout, re.M), cp.stdout


def test_cleanup_with_default_settings(srv, ids):
    admin_id, customer_id, consumer = ids
    # A real customer token, then made to expire.
    email, password = f"exp.{secrets.token_hex(4)}@example.com", "Clean-1xyzw"
    create_customer(srv, email, password)
    expired = customer_token(srv, email, password)
    expired_digest = hashlib.sha256(expired.encode()).hexdigest()
    assert srv.get(CUSTOMER_ME_PATH, token=expired).status_code == 200
    t = now()
    assert db_exec(srv, "UPDATE oauth_token SET expires_at = ? WHERE token = ?",
                   (t - 1, expired_digest)) == 1
    admin_token = srv.token()
    gone_tokens = [
        expired_digest,
        insert_token(srv, 2, admin_id=admin_id, created_at=t - 5 * 3600, expires_at=t - 3600),
        insert_token(srv, 2, admin_id=admin_id, created_at=t - 4 * 3600, expires_at=t - 1),
        insert_token(srv, 3, customer_id=customer_id, created_at=t - 7200, expires_at=t - 3600),
        insert_token(srv, 3, customer_id=customer_id, created_at=t - 3601, expires_at=t - 1),
        insert_token(srv, 1, "request", consumer=consumer, created_at=t - 121 * 60),
        insert_token(srv, 1, "request", consumer=consumer, created_at=t - 30 * 86400),
    ]
    kept_tokens = [
        insert_token(srv, 2, admin_id=admin_id, created_at=t, expires_at=t + 3600),
        insert_token(srv, 2, admin_id=admin_id, created_at=t - 400 * 86400, expires_at=0),
        insert_token(srv, 3, customer_id=customer_id, created_at=t, expires_at=t + 60),
        insert_token(srv, 3, customer_id=customer_id, created_at=t - 400 * 86400, expires_at=0),
        insert_token(srv, 1, "request", consumer=consumer, created_at=t - 110 * 60),
        insert_token(srv, 1, "request", consumer=consumer, created_at=t),
        # Only request tokens age out: verifier and access tokens of integrations stay.
        insert_token(srv, 1, "verifier", consumer=consumer, created_at=t - 30 * 86400),
        insert_token(srv, 1, "access", consumer=consumer, created_at=t - 30 * 86400),
    ]
    gone_nonces = [insert_nonce(srv, consumer, t - 600 - 120),
                   insert_nonce(srv, consumer, t - 86400)]
    kept_nonces = [insert_nonce(srv, consumer, t),
                   insert_nonce(srv, consumer, t - 600 - 30),  # outside the window, in the grace
                   insert_nonce(srv, consumer, t - 300)]

    # No request is made while waiting: the cleanup runs by itself.
    wait_gone(srv, gone_tokens, gone_nonces)
    assert present_tokens(srv, kept_tokens) == set(kept_tokens)
    assert present_nonces(srv, kept_nonces) == set(kept_nonces)
    # The install admin's real token (lifetime 4 h) survived and works.
    assert srv.get(STORE_VIEWS, token=admin_token).status_code == 200
    digest = hashlib.sha256(admin_token.encode()).hexdigest()
    assert present_tokens(srv, [digest]) == {digest}
    assert_response(srv.get(CUSTOMER_ME_PATH, token=expired), 401, not_authorized("self"))


def test_cleanup_follows_the_settings_of_the_running_server(srv, ids):
    _, _, consumer = ids
    srv.cli_ok("config:set", "oauth/cleanup/expiration_period", "5")
    srv.cli_ok("config:set", "oauth/timestamp_window", "100")
    try:
        t = now()
        gone_tokens = [insert_token(srv, 1, "request", consumer=consumer, created_at=t - 6 * 60)]
        kept_tokens = [insert_token(srv, 1, "request", consumer=consumer, created_at=t - 3 * 60)]
        gone_nonces = [insert_nonce(srv, consumer, t - 100 - 60 - 40)]
        kept_nonces = [insert_nonce(srv, consumer, t - 100 - 60 + 30),
                       insert_nonce(srv, consumer, t)]
        wait_gone(srv, gone_tokens, gone_nonces)
        assert present_tokens(srv, kept_tokens) == set(kept_tokens)
        assert present_nonces(srv, kept_nonces) == set(kept_nonces)
    finally:
        srv.cli_ok("config:set", "oauth/cleanup/expiration_period", "120")
        srv.cli_ok("config:set", "oauth/timestamp_window", "600")


def test_cleanup_survives_a_restart(srv, ids):
    admin_id, _, _ = ids
    srv.restart()  # the environment (interval 1 s) is kept
    token = insert_token(srv, 2, admin_id=admin_id, created_at=now() - 10, expires_at=now() - 1)
    wait_gone(srv, [token])


def test_not_in_the_request_path(server_factory):
    """With a cleanup far away, using an expired token is refused and deletes nothing."""
    quiet = server_factory.create(serve_env={"STOREGATE_CLEANUP_INTERVAL": "86400"})
    email, password = f"quiet.{secrets.token_hex(4)}@example.com", "Clean-1xyzw"
    create_customer(quiet, email, password)
    token = customer_token(quiet, email, password)
    digest = hashlib.sha256(token.encode()).hexdigest()
    db_exec(quiet, "UPDATE oauth_token SET expires_at = ? WHERE token = ?", (now() - 1, digest))
    admin = quiet.token()
    admin_digest = hashlib.sha256(admin.encode()).hexdigest()
    db_exec(quiet, "UPDATE oauth_token SET expires_at = ? WHERE token = ?",
            (now() - 1, admin_digest))
    for _ in range(3):
        assert_response(quiet.get(CUSTOMER_ME_PATH, token=token), 401, not_authorized("self"))
        assert quiet.get(STORE_VIEWS, token=admin).status_code == 401
    quiet.token()  # a sign-in does not sweep either
    assert present_tokens(quiet, [digest, admin_digest]) == {digest, admin_digest}
