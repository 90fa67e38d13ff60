"""Anonymous access to the store endpoints and "Allow Anonymous Guest Access"
(webapi/webapisecurity/allow_insecure, reference §6; issue 2 item 7). The shared server keeps the
default (0); the switching test runs its own server and changes the setting with `config:set`
while it serves, which must take effect without a restart."""

import pytest

from sgtest import (
    NOT_AUTHORIZED_BODY,
    STORE_ENDPOINTS,
    assert_response,
    body_json,
    wait_until,
)

# How long a running server may take to see a config:set (the cache refresh bound).
CONFIG_VISIBLE_WITHIN = 5.0


@pytest.mark.parametrize("endpoint", STORE_ENDPOINTS)
@pytest.mark.parametrize("prefix", ["/rest", "/rest/default", "/rest/all"])
def test_anonymous_is_not_authorized_by_default(server, prefix, endpoint):
    r = server.get(f"{prefix}/V1/store/{endpoint}")
    assert_response(r, 401, NOT_AUTHORIZED_BODY)
    assert "WWW-Authenticate" not in r.headers


class Poll:
    """Anonymous GET of the four store endpoints, several times (each on a new connection, so the
    requests spread over the worker threads); remembers the statuses seen."""

    def __init__(self, srv, rounds=4):
        self.srv, self.rounds, self.seen = srv, rounds, []

    def all(self, status):
        self.seen = [self.srv.get(f"/rest/V1/store/{e}").status_code
                     for _ in range(self.rounds) for e in STORE_ENDPOINTS]
        return all(s == status for s in self.seen)

    def describe(self):
        return f"statuses {self.seen}"


def test_switching_guest_access_takes_effect_without_restart(server_factory):
    srv = server_factory.create()
    token = srv.token()
    admin_bodies = {}
    for e in STORE_ENDPOINTS:
        r = srv.get(f"/rest/V1/store/{e}", token=token)
        assert r.status_code == 200, (e, r.text)
        admin_bodies[e] = body_json(r)

    for e in STORE_ENDPOINTS:
        assert_response(srv.get(f"/rest/V1/store/{e}"), 401, NOT_AUTHORIZED_BODY)

    srv.cli_ok("config:set", "webapi/webapisecurity/allow_insecure", "1")
    assert srv.cli_ok("config:show", "webapi/webapisecurity/allow_insecure").stdout.strip() == "1"

    poll = Poll(srv)
    wait_until(lambda: poll.all(200), CONFIG_VISIBLE_WITHIN, detail=poll.describe,
               what="anonymous store endpoints to answer 200 after allow_insecure=1")
    for e in STORE_ENDPOINTS:
        # Guests see the same data as the admin, under every store code prefix.
        for prefix in ("/rest", "/rest/default", "/rest/all"):
            assert_response(srv.get(f"{prefix}/V1/store/{e}"), 200, admin_bodies[e])
        # An unknown Bearer token is a guest, so it is now let through too.
        assert srv.get(f"/rest/V1/store/{e}", token="0" * 32).status_code == 200
        # And the admin still is.
        assert srv.get(f"/rest/V1/store/{e}", token=token).status_code == 200

    shown = srv.cli_ok("config:show").stdout.splitlines()
    assert "webapi/webapisecurity/allow_insecure - 1" in shown, shown

    srv.cli_ok("config:set", "webapi/webapisecurity/allow_insecure", "0")
    assert srv.cli_ok("config:show", "webapi/webapisecurity/allow_insecure").stdout.strip() == "0"
    wait_until(lambda: poll.all(401), CONFIG_VISIBLE_WITHIN, detail=poll.describe,
               what="anonymous store endpoints to answer 401 after allow_insecure=0")
    for e in STORE_ENDPOINTS:
        assert_response(srv.get(f"/rest/V1/store/{e}"), 401, NOT_AUTHORIZED_BODY)
        assert srv.get(f"/rest/V1/store/{e}", token=token).status_code == 200


def test_guest_access_does_not_open_the_token_route_to_get(server_factory):
    # allow_insecure only opens the store GET routes; it adds no routes.
    srv = server_factory.create(pre_serve=[("config:set", "webapi/webapisecurity/allow_insecure",
                                            "1")])
    for e in STORE_ENDPOINTS:
        assert srv.get(f"/rest/V1/store/{e}").status_code == 200
    assert_response(srv.get("/rest/V1/integration/admin/token"), 404,
                    {"message": "Request does not match any route."})
    assert_response(srv.post("/rest/V1/store/storeViews", json={}), 404,
                    {"message": "Request does not match any route."})
