"""storegate db:migrate --to: a SQLite store copied into an empty PostgreSQL database keeps
working there, with its existing tokens; a non-empty target is refused. Needs PostgreSQL (make
test-pg); bad arguments are checked on both engines."""
import json

import pytest
import requests
from requests_oauthlib import OAuth1

import storedb


def test_db_migrate_bad_arguments(server_factory):
    srv = server_factory.create(start=False)
    for args, why in ((("db:migrate",), "--to"), (("db:migrate", "--to", "mysql://x/y"), "not a"),
                      (("db:migrate", "--to"), "needs a value")):
        cp = srv.cli(*args)
        assert cp.returncode == 2, (args, cp.stdout, cp.stderr)
        assert why in cp.stderr, (args, cp.stderr)


@pytest.mark.skipif(not storedb.ON_POSTGRESQL, reason="needs PostgreSQL (make test-pg)")
def test_sqlite_store_moves_to_postgresql_and_keeps_its_tokens(server_factory, tmp_path):
    # a SQLite store with an active integration, a customer and some sample data
    srv = server_factory.create(start=False, install_args=["--db-url", f"sqlite:{tmp_path}/s.db"])
    srv.cli_ok("integration:create", "--name", "ERP", "--all-resources")
    srv.cli_ok("integration:activate", "ERP")
    srv.cli_ok("customer:create", "--email", "c@example.com", "--firstname", "C",
               "--lastname", "D", "--password", "Secret123!")
    srv.cli_ok("sampledata:deploy", "--products", "30")
    before = json.loads(srv.cli_ok("integration:show", "ERP", "--json").stdout)

    target = storedb.create_database()
    cp = srv.cli_ok("db:migrate", "--to", target)
    assert "Copied" in cp.stdout
    # a second copy into the same (now non-empty) database is refused, nothing touched
    again = srv.cli("db:migrate", "--to", target)
    assert again.returncode == 1 and "not empty" in again.stderr, again.stderr

    env_ini = srv.var_dir / "env.ini"
    env_ini.write_text(env_ini.read_text() + f"\ndb_url = {target}\n")
    after = json.loads(srv.cli_ok("integration:show", "ERP", "--json").stdout)
    assert after == before  # same key, secret and tokens, decrypted with the same install key

    srv.start()
    auth = OAuth1(after["consumer_key"], after["consumer_secret"], after["access_token"],
                  after["access_token_secret"], signature_method="HMAC-SHA256")
    r = requests.get(srv.base_url + "rest/V1/store/storeViews", auth=auth, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(srv.base_url + "rest/V1/integration/customer/token",
                      json={"username": "c@example.com", "password": "Secret123!"}, timeout=10)
    assert r.status_code == 200, r.text
    # ids continue after the copied ones
    srv.cli_ok("integration:create", "--name", "After", "--all-resources")
    listed = json.loads(srv.cli_ok("integration:list", "--json").stdout)
    assert [i["name"] for i in listed] == ["ERP", "After"]
    assert listed[1]["id"] > listed[0]["id"]
    assert storedb.db_query(srv, "SELECT COUNT(*) FROM catalog_product")[0][0] == 30
