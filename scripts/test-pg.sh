#!/usr/bin/env bash
# `make test-pg`: the whole end-to-end suite with every store in PostgreSQL (issue 5 item 2).
#
# Creates a throwaway cluster (initdb into a fresh temp folder, trust authentication, superuser
# `sg`), run by an unprivileged user (PostgreSQL refuses root: as root the cluster runs as
# $SG_PG_USER, default `postgres`; otherwise as the caller), listening on a free port of 127.0.0.1
# with its unix socket in the temp folder and fsync on. Exports
# STOREGATE_TEST_PG_URL=postgresql://sg@127.0.0.1:PORT/ (the harness gives every installation a
# database of its own there, tests/e2e/storedb.py) and runs `pytest -q tests/e2e` with any extra
# arguments given to this script (e.g. -k oauth, -x). The cluster is stopped and its folder removed
# whatever happens (STOREGATE_KEEP_TMP=1 keeps the folder, with the server's log). Exits with
# pytest's status.
#
#   STOREGATE_BIN   the binary under test (default build/release/storegate, as `make e2e`)
#   SG_PG_BIN       PostgreSQL's bin folder (default: the newest /usr/lib/postgresql/*/bin)
#   SG_PG_USER      who runs the cluster when this script runs as root (default postgres)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=/usr/bin/python3
export STOREGATE_BIN=${STOREGATE_BIN:-$PWD/build/release/storegate}

pg_bin=${SG_PG_BIN:-}
if [ -z "$pg_bin" ]; then
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
for tool in initdb pg_ctl postgres; do
    if [ ! -x "$pg_bin/$tool" ]; then
        echo "test-pg: $tool not found in '${pg_bin:-/usr/lib/postgresql/*/bin}'" \
            "(make deps installs Debian's postgresql)" >&2
        exit 1
    fi
done

if [ "$(id -u)" -eq 0 ]; then
    pg_user=${SG_PG_USER:-postgres}
    id "$pg_user" >/dev/null 2>&1 || {
        echo "test-pg: no user '$pg_user' to run PostgreSQL (it refuses root); set SG_PG_USER" >&2
        exit 1
    }
else
    pg_user=$(id -un)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/storegate-pg.XXXXXX")
chmod 0700 "$tmp"
[ "$(id -un)" = "$pg_user" ] || chown "$pg_user:" "$tmp"
data=$tmp/data
log=$tmp/postgresql.log

# Run a PostgreSQL tool as the cluster's user, from the temp folder (a cwd it may read).
as_pg() {
    if [ "$(id -un)" = "$pg_user" ]; then
        (cd "$tmp" && "$@")
    else
        (cd "$tmp" && runuser -u "$pg_user" -- "$@")
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -f "$data/postmaster.pid" ]; then # also after a start that timed out
        as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_pg "$pg_bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    if [ "${STOREGATE_KEEP_TMP:-}" = 1 ]; then
        echo "test-pg: kept $tmp (server log: $log)" >&2
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if ! as_pg "$pg_bin/initdb" -D "$data" -U sg -A trust -E UTF8 --locale=C.UTF-8 \
    >"$tmp/initdb.log" 2>&1; then
    cat "$tmp/initdb.log" >&2
    echo "test-pg: initdb failed" >&2
    exit 1
fi
# Loopback TCP only, the unix socket beside the data, durability as in production (fsync,
# synchronous commit, full-page writes), and room for the many servers a session runs at once.
cat >>"$data/postgresql.conf" <<EOF

# scripts/test-pg.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmp'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 300
log_min_messages = warning
log_checkpoints = off
log_line_prefix = '%m [%p] %d '
EOF

# A free port, then start; another process may take the port in between: try again.
free_port='import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
started=false
for attempt in 1 2 3 4 5; do
    port=$("$PYTHON" -c "$free_port")
    if as_pg "$pg_bin/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "-p $port" start >/dev/null; then
        started=true
        break
    fi
    echo "test-pg: PostgreSQL did not start on port $port (attempt $attempt)" >&2
done
if ! $started; then
    tail -n 40 "$log" >&2 || true
    exit 1
fi

export STOREGATE_TEST_PG_URL="postgresql://sg@127.0.0.1:$port/"
# The fault tests stop and start the cluster with these (tests/e2e/test_pg_faults.py).
for action in stop start; do
    {
        echo '#!/bin/sh'
        if [ "$action" = stop ]; then
            echo "cd '$tmp' && exec $( [ "$(id -un)" = "$pg_user" ] || echo "runuser -u $pg_user --") '$pg_bin/pg_ctl' -D '$data' -m fast -w -t 30 stop"
        else
            echo "cd '$tmp' && exec $( [ "$(id -un)" = "$pg_user" ] || echo "runuser -u $pg_user --") '$pg_bin/pg_ctl' -D '$data' -l '$log' -w -t 60 -o '-p $port' start"
        fi
    } >"$tmp/pg-$action.sh"
    chmod 0755 "$tmp/pg-$action.sh"
done
export STOREGATE_TEST_PG_STOP="$tmp/pg-stop.sh" STOREGATE_TEST_PG_START="$tmp/pg-start.sh"
version=$("$pg_bin/postgres" --version | sed 's/^postgres (PostgreSQL)/PostgreSQL/')
echo "test-pg: $version on 127.0.0.1:$port (cluster in $tmp, run by $pg_user);" \
    "STOREGATE_TEST_PG_URL=$STOREGATE_TEST_PG_URL"

rc=0
"$PYTHON" -m pytest -q tests/e2e "$@" || rc=$?
if [ "$rc" -ne 0 ] && grep -qE '(ERROR|FATAL|PANIC):' "$log" 2>/dev/null; then
    echo "test-pg: errors in the PostgreSQL server log (last 30; tests provoke some on purpose," \
        "e.g. duplicate keys):" >&2
    grep -E '(ERROR|FATAL|PANIC):' "$log" | tail -n 30 >&2
fi
exit "$rc"
