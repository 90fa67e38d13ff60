"""The store's database for the end-to-end tests, on either engine.

By default every server the harness installs keeps its store in SQLite (var/storegate.db). When
STOREGATE_TEST_PG_URL names a PostgreSQL server (postgresql://USER@HOST:PORT/, as
scripts/test-pg.sh exports it), every installation gets a fresh database of its own on it
(`create_database`, CREATE DATABASE sg_<random>), passed to setup:install as --db-url; the
databases are dropped when the session ends (`drop_databases`). The URL's database, if it names
one, is where CREATE/DROP DATABASE are issued from (default: postgres).

Tests that read or write a store's tables behind the server's back use `db_query`/`db_exec` with
one SQL text for both engines, '?' as the placeholder (rewritten to psycopg2's '%s' on
PostgreSQL). psycopg2 is imported only when PostgreSQL is in use."""

import os
import secrets
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

PG_URL = os.environ.get("STOREGATE_TEST_PG_URL") or None
ON_POSTGRESQL = PG_URL is not None
ENGINE = "postgresql" if ON_POSTGRESQL else "sqlite"


def sqlite_only(why):
    """Marks a test that only makes sense when the store is an SQLite file: skipped on
    PostgreSQL with `why` as the reason."""
    return pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite only: " + why)


_PG_SCHEMES = ("postgresql://", "postgres://")
_created = []  # names of the databases this session created


def _psycopg2():
    import psycopg2  # Debian's python3-psycopg2; only PostgreSQL runs need it

    return psycopg2


def _url_with_db(url, name):
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def _admin_connection():
    name = urllib.parse.urlsplit(PG_URL).path.lstrip("/") or "postgres"
    con = _psycopg2().connect(_url_with_db(PG_URL, name))
    con.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
    return con


def create_database():
    """A fresh, empty PostgreSQL database for one installation; returns its URL."""
    assert ON_POSTGRESQL, "create_database() needs STOREGATE_TEST_PG_URL"
    name = "sg_" + secrets.token_hex(8)
    con = _admin_connection()
    try:
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        con.close()
    _created.append(name)
    return _url_with_db(PG_URL, name)


def install_args():
    """setup:install's --db-url for a new installation: on PostgreSQL a fresh database of its
    own; nothing on SQLite (the default storegate.db in var/)."""
    return ["--db-url", create_database()] if ON_POSTGRESQL else []


def drop_databases():
    """Drop every database this session created (FORCE: a server killed by a test may have left
    a backend behind for a moment). Returns the problems, as strings."""
    if not _created:
        return []
    problems = []
    con = _admin_connection()
    try:
        with con.cursor() as cur:
            while _created:
                name = _created.pop()
                try:
                    cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except Exception as e:  # noqa: BLE001 - report and go on with the others
                    problems.append(f"DROP DATABASE {name}: {e}")
    finally:
        con.close()
    return problems


def created_databases():
    return list(_created)


# --- one server's database ------------------------------------------------------------------------


def db_url(server):
    """The database URL the server uses: env.ini's db_url (written only when it is not the
    default), else sqlite:<var>/storegate.db."""
    env_ini = Path(server.var_dir) / "env.ini"
    try:
        lines = env_ini.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        name, sep, value = line.partition("=")
        if sep and name.strip() == "db_url" and value.strip():
            return value.strip()
    return f"sqlite:{Path(server.var_dir) / 'storegate.db'}"


def is_postgresql(url):
    return url.startswith(_PG_SCHEMES)


def _pg_sql(sql):
    """sqlite3's '?' placeholders as psycopg2's '%s' (and a literal '%' as '%%'), outside quoted
    literals and identifiers."""
    out, quote = [], None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        if ch == "%":
            out.append("%%")
            continue
        out.append(ch)
    return "".join(out)


def db_query(server, sql, args=()):
    """Rows (tuples) of a read-only query on the server's database."""
    url = db_url(server)
    if is_postgresql(url):
        con = _psycopg2().connect(url)
        try:
            con.set_session(readonly=True, autocommit=True)
            with con.cursor() as cur:
                cur.execute(_pg_sql(sql), tuple(args))
                return [tuple(r) for r in cur.fetchall()]
        finally:
            con.close()
    con = sqlite3.connect(f"file:{url[len('sqlite:'):]}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, tuple(args)).fetchall()
    finally:
        con.close()


def db_exec(server, sql, args=()):
    """A write behind the server's back (committed), for states the command line cannot make;
    returns the number of rows changed."""
    url = db_url(server)
    if is_postgresql(url):
        con = _psycopg2().connect(url)
        try:
            with con, con.cursor() as cur:
                cur.execute(_pg_sql(sql), tuple(args))
                return cur.rowcount
        finally:
            con.close()
    con = sqlite3.connect(url[len("sqlite:"):], timeout=10)
    try:
        with con:
            return con.execute(sql, tuple(args)).rowcount
    finally:
        con.close()


def db_dump(server):
    """Every row of every table as text (PostgreSQL), for "nothing is stored in clear" checks;
    None for SQLite, whose file under var/ is read as it is."""
    url = db_url(server)
    if not is_postgresql(url):
        return None
    con = _psycopg2().connect(url)
    try:
        con.set_session(readonly=True, autocommit=True)
        with con.cursor() as cur:
            cur.execute("SELECT table_name FROM information_schema.tables"
                        " WHERE table_schema = 'public' ORDER BY table_name")
            tables = [r[0] for r in cur.fetchall()]
            lines = []
            for t in tables:
                cur.execute(f'SELECT t::text FROM "{t}" t')
                lines += [f"{t} {r[0]}" for r in cur.fetchall()]
            return "\n".join(lines).encode()
    finally:
        con.close()


def stored_data(server):
    """{where: bytes} of everything the store keeps: each file under var/ and, on PostgreSQL, a
    text dump of its database (keyed by the database URL)."""
    from sgtest import read_tree

    out = {str(p): data for p, data in read_tree(server.var_dir).items()}
    dump = db_dump(server)
    if dump is not None:
        out[db_url(server)] = dump
    return out
