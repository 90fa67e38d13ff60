#!/usr/bin/env bash
# Benchmark (issue 5 item 7): GET /rest/V1/store/storeViews, admin Bearer and OAuth-signed, against
#   (a) two `storegate serve --threads 1` nodes on one PostgreSQL store, behind Debian's nginx as a
#       round-robin load balancer (keepalive upstream, Host passed through),
#   (b) one `storegate serve --threads 2` node on a SQLite store,
#   (c) nginx serving the very same bytes from a file (the reference of bench/storeviews.sh),
# in one run on loopback. See bench/README.md ("multinode.sh").
#
# It starts a throwaway PostgreSQL cluster as scripts/test-pg.sh does (initdb into a temp folder,
# trust authentication, superuser `sg`, run by $SG_PG_USER when root, loopback TCP on a free port,
# fsync/synchronous_commit on), creates one database and installs a store into it
# (setup:install --db-url postgresql://...), starts two nodes on that store (same --var-dir,
# different ports) and the balancer; installs a second store on SQLite and starts one node on it;
# starts the nginx reference. Then, ROUNDS times: nginx, PG admin Bearer, PG signed, SQLite admin
# Bearer, SQLite signed (wrk -t2 -c16 -dDURATION each), and keeps the best round of each.
# Signed requests come from pools pre-signed with bench/oauth_sign.py right before each signed round,
# each header used once by bench/oauth.lua; the pool is POOL_FACTOR x the fastest Bearer rate seen on
# that target x DURATION (a signed request is never cheaper than a Bearer one); a round that runs
# out is signed again with a pool twice the size (once). Every counted answer must be 2xx, or the
# run fails. Prints requests/s, p50/p99 and the ratios to nginx; writes bench/out/multinode.txt.
# Everything (servers, balancer, wrk, signer: each its own process group; the cluster; the temp
# folder) is stopped and removed on exit, also on Ctrl-C or failure.
#
# Environment: STOREGATE_BIN (default build/release/storegate), DURATION seconds per round (10),
# ROUNDS (2), POOL_FACTOR (2), POOL_MAX (2000000), SIGN_METHOD (HMAC-SHA256 or HMAC-SHA1),
# NGINX (nginx on PATH or /usr/sbin/nginx), SG_PG_BIN (newest /usr/lib/postgresql/*/bin),
# SG_PG_USER (who runs the cluster when root; postgres), TMPDIR (/tmp).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${STOREGATE_BIN:-$root/build/release/storegate}
duration=${DURATION:-10}
rounds=${ROUNDS:-2}
pool_factor=${POOL_FACTOR:-2}
pool_max=${POOL_MAX:-2000000}
sign_method=${SIGN_METHOD:-HMAC-SHA256}
nginx_bin=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
python=/usr/bin/python3
wrk_threads=2
wrk_conns=16
out_file=$root/bench/out/multinode.txt
lua=$root/bench/oauth.lua
signer=$root/bench/oauth_sign.py
path=/rest/V1/store/storeViews

die() {
    echo "bench: $*" >&2
    exit 1
}
note() {
    echo "bench: $*" >&2
}
[ -x "$bin" ] || die "$bin is not built (run make)"
[ -x "$nginx_bin" ] || die "nginx not found (run make deps)"
for tool in wrk curl setsid; do
    command -v "$tool" >/dev/null || die "$tool not found (run make deps)"
done
"$python" -c 'import oauthlib' 2>/dev/null || die "$python has no oauthlib (apt-get install python3-oauthlib)"
for f in "$lua" "$signer"; do
    [ -r "$f" ] || die "$f is missing"
done
case $sign_method in HMAC-SHA256 | HMAC-SHA1) ;; *) die "SIGN_METHOD must be HMAC-SHA256 or HMAC-SHA1" ;; esac

pg_bin=${SG_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}
for tool in initdb pg_ctl postgres psql; do
    [ -x "$pg_bin/$tool" ] || die "$tool not found in '${pg_bin:-/usr/lib/postgresql/*/bin}' (make deps installs Debian's postgresql)"
done
if [ "$(id -u)" -eq 0 ]; then
    pg_user=${SG_PG_USER:-postgres}
    id "$pg_user" >/dev/null 2>&1 || die "no user '$pg_user' to run PostgreSQL (it refuses root); set SG_PG_USER"
else
    pg_user=$(id -un)
fi

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_is_free() { # PORT: binds it without SO_REUSEPORT, so a storegate listening there counts too
    "$python" -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
declare -A used_ports=()
new_port() { # a free loopback port not handed out before in this run; in $port
    local p
    while :; do
        p=$(free_port)
        [ -z "${used_ports[$p]:-}" ] && port_is_free "$p" && break
    done
    used_ports[$p]=1
    port=$p
}

# Everything lives in one temp dir; the cluster in $tmp/pg (owned by the cluster's user). Every
# process but the cluster (pg_ctl daemonizes it) runs in its own process group (setsid); the trap
# stops each group and the cluster however we leave.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/storegate-bench-multinode.XXXXXX")
chmod 755 "$tmp"
pgdir=$tmp/pg
data=$pgdir/data
mkdir -m 0700 "$pgdir"
[ "$(id -un)" = "$pg_user" ] || chown "$pg_user:" "$pgdir"
as_pg() { # a PostgreSQL tool as the cluster's user, from a cwd it may read
    if [ "$(id -un)" = "$pg_user" ]; then
        (cd "$pgdir" && "$@")
    else
        (cd "$pgdir" && runuser -u "$pg_user" -- "$@")
    fi
}
groups=()
cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM HUP
    for pid in ${groups[@]+"${groups[@]}"}; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in ${groups[@]+"${groups[@]}"}; do
        wait "$pid" 2>/dev/null || true
    done
    if [ -f "$data/postmaster.pid" ]; then
        as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_pg "$pg_bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

spawn() { # OUTFILE CMD...: starts CMD in its own process group; its pid (= group id) in $spawned
    local out=$1
    shift
    setsid "$@" >"$out" 2>&1 &
    spawned=$!
    groups+=("$spawned")
}
run() { # OUTFILE CMD...: runs CMD in its own process group and waits; returns its status
    local out=$1 rc=0 pid
    shift
    spawn "$out" "$@"
    wait "$spawned" || rc=$?
    local left=()
    for pid in "${groups[@]}"; do
        [ "$pid" = "$spawned" ] || left+=("$pid")
    done
    groups=(${left[@]+"${left[@]}"})
    return "$rc"
}
wait_http() { # URL PID NAME: until URL answers (0), or the process dies or 10 s pass (1)
    local _
    for _ in $(seq 100); do
        curl -s -o /dev/null "$1" && return 0
        if ! kill -0 "$2" 2>/dev/null; then
            echo "bench: $3 exited at start-up" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "bench: $3 did not answer $1 within 10 s" >&2
    return 1
}
only_listener() { # PORT PID: nobody but PID listens on PORT (storegate uses SO_REUSEPORT)
    command -v ss >/dev/null || return 0
    local others
    others=$(ss -Hltnp "( sport = :$1 )" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | grep -vx "$2" || true)
    [ -z "$others" ] || die "another process (pid $others) also listens on port $1"
}

# --- PostgreSQL ------------------------------------------------------------------------------------
as_pg "$pg_bin/initdb" -D "$data" -U sg -A trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; die "initdb failed"; }
cat >>"$data/postgresql.conf" <<EOF2

# bench/multinode.sh (as scripts/test-pg.sh): loopback only, durability as in production
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pgdir'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 100
log_min_messages = warning
log_checkpoints = off
EOF2
started=false
for attempt in 1 2 3 4 5; do
    new_port
    pg_port=$port
    if as_pg "$pg_bin/pg_ctl" -D "$data" -l "$pgdir/postgresql.log" -w -t 60 -o "-p $pg_port" start >/dev/null; then
        started=true
        break
    fi
    note "PostgreSQL did not start on port $pg_port (attempt $attempt)"
done
$started || { tail -n 40 "$pgdir/postgresql.log" >&2 || true; die "PostgreSQL did not start"; }
pg_version=$("$pg_bin/postgres" --version | sed 's/^postgres (PostgreSQL)/PostgreSQL/')
"$pg_bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U sg -d postgres -c 'CREATE DATABASE storegate_bench' ||
    die "CREATE DATABASE failed"
pg_url=postgresql://sg@127.0.0.1:$pg_port/storegate_bench

# --- ports -----------------------------------------------------------------------------------------
new_port; node1_port=$port
new_port; node2_port=$port
new_port; lb_port=$port
new_port; sq_port=$port
new_port; nginx_port=$port

# --- the two stores --------------------------------------------------------------------------------
# install NAME BASE-URL [setup:install options...]: a store in $tmp/NAME-var, admin `admin`; the
# admin password in $password
install_store() {
    local name=$1 base=$2
    shift 2
    password=$(head -c 18 /dev/urandom | base64 | tr -dc A-Za-z0-9)
    password=${password:0:14}x7 # letters and digits, as Magento's password rule wants
    "$bin" --var-dir "$tmp/$name-var" setup:install --base-url "$base" \
        --admin-user admin --admin-password "$password" --admin-email admin@example.com \
        --admin-firstname Bench --admin-lastname Admin "$@" >"$tmp/$name-install.log" 2>&1 ||
        { cat "$tmp/$name-install.log" >&2; die "$name: setup:install failed"; }
    "$bin" --var-dir "$tmp/$name-var" config:set oauth/consumer/enable_integration_as_bearer 1 \
        >"$tmp/$name-config.log" 2>&1 || { cat "$tmp/$name-config.log" >&2; die "$name: config:set failed"; }
    "$bin" --var-dir "$tmp/$name-var" integration:create --name bench --all-resources --json \
        >"$tmp/$name-integration.json" 2>"$tmp/$name-integration.log" ||
        { cat "$tmp/$name-integration.log" >&2; die "$name: integration:create failed"; }
    (
        umask 077
        "$bin" --var-dir "$tmp/$name-var" integration:activate bench --json \
            >"$tmp/$name-credentials.json" 2>"$tmp/$name-integration.log"
    ) || { cat "$tmp/$name-integration.log" >&2; die "$name: integration:activate failed"; }
}
install_store pg "http://127.0.0.1:$lb_port/" --db-url "$pg_url"
pg_password=$password
install_store sqlite "http://127.0.0.1:$sq_port/"
sq_password=$password

# --- storegate nodes -------------------------------------------------------------------------------
spawn "$tmp/node1.log" "$bin" --var-dir "$tmp/pg-var" serve --listen "127.0.0.1:$node1_port" --threads 1
node1_pid=$spawned
spawn "$tmp/node2.log" "$bin" --var-dir "$tmp/pg-var" serve --listen "127.0.0.1:$node2_port" --threads 1
node2_pid=$spawned
spawn "$tmp/sqlite-node.log" "$bin" --var-dir "$tmp/sqlite-var" serve --listen "127.0.0.1:$sq_port" --threads 2
sq_pid=$spawned
wait_http "http://127.0.0.1:$node1_port/health" "$node1_pid" "PG node 1" || { tail -n 20 "$tmp/node1.log" >&2; exit 1; }
wait_http "http://127.0.0.1:$node2_port/health" "$node2_pid" "PG node 2" || { tail -n 20 "$tmp/node2.log" >&2; exit 1; }
wait_http "http://127.0.0.1:$sq_port/health" "$sq_pid" "SQLite node" || { tail -n 20 "$tmp/sqlite-node.log" >&2; exit 1; }
only_listener "$node1_port" "$node1_pid"
only_listener "$node2_port" "$node2_pid"
only_listener "$sq_port" "$sq_pid"

# --- the balancer ----------------------------------------------------------------------------------
mkdir -p "$tmp/lb"
cat >"$tmp/lb/nginx.conf" <<EOF2
# Generated by bench/multinode.sh: round-robin over the two PostgreSQL nodes, keepalive upstream.
worker_processes 2;
daemon off;
pid $tmp/lb/nginx.pid;
error_log $tmp/lb/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    server_tokens off;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000000;
    client_body_temp_path $tmp/lb/body;
    proxy_temp_path $tmp/lb/proxy;
    fastcgi_temp_path $tmp/lb/fastcgi;
    uwsgi_temp_path $tmp/lb/uwsgi;
    scgi_temp_path $tmp/lb/scgi;
    upstream storegate {
        server 127.0.0.1:$node1_port;
        server 127.0.0.1:$node2_port;
        keepalive 32;
        keepalive_requests 100000000;
    }
    server {
        listen 127.0.0.1:$lb_port;
        location / {
            proxy_pass http://storegate;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
        }
    }
}
EOF2
spawn "$tmp/lb/stdout.log" "$nginx_bin" -p "$tmp/lb/" -e "$tmp/lb/error.log" -c "$tmp/lb/nginx.conf"
lb_pid=$spawned
wait_http "http://127.0.0.1:$lb_port/health" "$lb_pid" "nginx balancer" || { cat "$tmp/lb/error.log" >&2; exit 1; }

admin_token() { # URL PASSWORD
    local json
    json=$(curl -sS -f -X POST -H 'Content-Type: application/json' \
        --data "{\"username\":\"admin\",\"password\":\"$2\"}" "$1/rest/V1/integration/admin/token") ||
        die "admin token request to $1 failed"
    "$python" -c 'import json, sys; print(json.loads(sys.argv[1]))' "$json"
}
pg_base=http://127.0.0.1:$lb_port
sq_base=http://127.0.0.1:$sq_port
pg_token=$(admin_token "$pg_base" "$pg_password")
sq_token=$(admin_token "$sq_base" "$sq_password")
[ -n "$pg_token" ] && [ -n "$sq_token" ] || die "empty admin token"
window=$("$bin" --var-dir "$tmp/pg-var" config:show oauth/timestamp_window 2>/dev/null || echo 600)
[[ $window =~ ^[0-9]+$ ]] || window=600

# --- the bytes -------------------------------------------------------------------------------------
www=$tmp/www
mkdir -p "$www${path%/*}"
body=$www$path
status=$(curl -sS -o "$body" -D "$tmp/headers.txt" -w '%{http_code}' \
    -H "Authorization: Bearer $pg_token" "$pg_base$path")
[ "$status" = 200 ] || die "GET $path via the balancer answered $status: $(head -c 300 "$body")"
content_type=$(sed -n 's/^[Cc]ontent-[Tt]ype:[[:space:]]*\(.*\)\r$/\1/p' "$tmp/headers.txt" | head -n 1)
content_type=${content_type:-application/json}
body_bytes=$(wc -c <"$body")
check_same() { # NAME URL AUTHORIZATION-VALUE
    local got=$tmp/check-$1 code
    code=$(curl -sS -o "$got" -w '%{http_code}' -H "Authorization: $3" "$2")
    [ "$code" = 200 ] || die "$1: GET $2 answered $code: $(head -c 300 "$got")"
    cmp -s "$body" "$got" || die "$1: GET $2 answered other bytes than the balancer with the admin token"
}
sign_one() { # STORE URL: one signed header
    run "$tmp/sign-check-$1.log" "$python" "$signer" --url "$2" --credentials "$tmp/$1-credentials.json" \
        --count 1 --slices 1 --method "$sign_method" --out "$tmp/check-pool-$1" ||
        { cat "$tmp/sign-check-$1.log" >&2; die "signing failed"; }
    head -n 1 "$tmp/check-pool-$1.1"
}
check_same pg-node1 "http://127.0.0.1:$node1_port$path" "Bearer $pg_token"
check_same pg-node2 "http://127.0.0.1:$node2_port$path" "Bearer $pg_token"
check_same sqlite-bearer "$sq_base$path" "Bearer $sq_token"
# Two signed requests through the balancer, so that both nodes verify one.
check_same pg-signed-1 "$pg_base$path" "$(sign_one pg "$pg_base$path")"
check_same pg-signed-2 "$pg_base$path" "$(sign_one pg "$pg_base$path")"
check_same sqlite-signed "$sq_base$path" "$(sign_one sqlite "$sq_base$path")"

# --- nginx reference -------------------------------------------------------------------------------
nginx_reference "$tmp" "$www" "$body" "$content_type" "$nginx_port" "$path" bench/multinode.sh
spawn "$tmp/nginx/stdout.log" "$nginx_bin" -p "$tmp/nginx/" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf"
nginx_pid=$spawned
wait_http "http://127.0.0.1:$nginx_port$path" "$nginx_pid" nginx || { cat "$tmp/nginx/error.log" >&2; exit 1; }
curl -sS -f -o "$tmp/nginx-body" "http://127.0.0.1:$nginx_port$path" || die "nginx GET failed"
cmp -s "$body" "$tmp/nginx-body" || die "nginx does not serve the same bytes as storegate"

# --- wrk -------------------------------------------------------------------------------------------
figure() { # FILE KEY
    awk -v k="$2" '$1 == "bench:" && $2 == k { print $3 }' "$1"
}
access_lines() { # LOGFILE: requests a node logged (one access-log line each, to stderr)
    grep -c "$path" "$1" 2>/dev/null || true
}
# CPU accounting: clock ticks used by each process session (setsid: session id = our pid; pg_ctl
# also starts the postmaster in a session of its own) and by the whole machine, before and after
# each round, so the report can say where the CPU went per request. PostgreSQL: the postmaster and
# its children (the backends stay, the nodes keep their connections).
tick_hz=$(getconf CLK_TCK)
postmaster=$(head -n 1 "$data/postmaster.pid")
pg_ticks() {
    local pid sum=0 t
    for pid in "$postmaster" $(ps --ppid "$postmaster" -o pid= 2>/dev/null); do
        t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || continue
        sum=$((sum + ${t:-0}))
    done
    echo "$sum"
}
session_ticks() { # SID...: utime + stime of every process in these sessions
    local sid pid sum=0 t
    for sid in "$@"; do
        for pid in $(ps -s "$sid" -o pid= 2>/dev/null); do
            t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || continue
            sum=$((sum + ${t:-0}))
        done
    done
    echo "$sum"
}
cpu_snapshot() { # nodes balancer postgres sqlite-node nginx machine-busy
    echo "$(session_ticks "$node1_pid" "$node2_pid") $(session_ticks "$lb_pid") \
$(pg_ticks) $(session_ticks "$sq_pid") $(session_ticks "$nginx_pid") \
$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)"
}
run_wrk() { # FILE URL [wrk args...]
    local file=$1 target=$2 pid before after
    shift 2
    before=$(cpu_snapshot)
    run "$file" wrk -t"$wrk_threads" -c"$wrk_conns" -d"${duration}s" -s "$lua" "$target" "$@" ||
        { cat "$file" >&2; die "wrk failed"; }
    after=$(cpu_snapshot)
    [ -n "$(figure "$file" rps)" ] || { cat "$file" >&2; die "no figures in $(basename "$file")"; }
    # CPU microseconds per answered request: PG nodes, balancer, postgres, SQLite node, nginx, machine
    echo "bench: cpu_us $(awk -v b="$before" -v a="$after" -v n="$(figure "$file" requests)" -v hz="$tick_hz" '
        BEGIN { split(b, x, " "); split(a, y, " "); s = ""
                for (i = 1; i <= 6; i++) s = s (i > 1 ? "," : "") int((y[i] - x[i]) * 1e6 / hz / (n > 0 ? n : 1))
                print s }')" >>"$file"
    local n
    n=$(figure "$file" non2xx)
    [ "$n" -eq 0 ] || { grep '^bench: status' "$file" >&2; die "$(basename "$file" .txt): $n non-2xx responses"; }
    for pid in "$node1_pid" "$node2_pid" "$sq_pid" "$lb_pid" "$nginx_pid"; do
        kill -0 "$pid" 2>/dev/null || die "a server (pid $pid) died during the run"
    done
}
mem_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
pool_cap=$(awk -v m="${mem_kb:-0}" -v p="$pool_max" 'BEGIN { c = int(m * 1024 / 4 / 750); print (c < p ? c : p) }')
[ "$pool_cap" -ge 1000 ] || die "not enough memory for a pool of signed headers"
pool_log=$tmp/pools.txt
: >"$pool_log"
max_rps() { # NAME: the fastest round of NAME so far
    local f
    for f in "$tmp/$1"-[0-9]*.txt; do
        if [ -e "$f" ]; then figure "$f" rps; fi
    done | sort -g -r | head -n 1
}
# signed_round STORE NAME ROUND URL BEARER-NAME: a pool sized from the fastest Bearer round on the
# same target; if a slice runs out, a pool twice the size, once.
signed_round() {
    local store=$1 name=$2 round=$3 target=$4 rate count attempt prefix file oldest now
    # POOL_FACTOR x the fastest signed round on this target so far; before the first one, 1.25 x the
    # fastest Bearer round (a signed request costs at least what a Bearer one does).
    rate=$(max_rps "$name")
    local factor=$pool_factor
    if [ -z "$rate" ]; then
        rate=$(max_rps "$5")
        factor=1.25
    fi
    count=$(awk -v r="$rate" -v s="$duration" -v f="$factor" -v c="$pool_cap" -v k="$wrk_conns" \
        'BEGIN { n = int(f * r * s) + 4 * k; if (n > c) n = c; print n }')
    for attempt in 1 2; do
        prefix=$tmp/pool-$name-$round-$attempt
        note "round $round: $name: signing $count headers ($sign_method)"
        run "$prefix.json" "$python" "$signer" --url "$target" --credentials "$tmp/$store-credentials.json" \
            --count "$count" --slices "$wrk_threads" --method "$sign_method" --out "$prefix" ||
            { cat "$prefix.json" >&2; die "signing failed"; }
        oldest=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["oldest_timestamp"])' "$prefix.json")
        now=$(date +%s)
        [ $((now + duration + 30 - oldest)) -lt "$window" ] ||
            die "signing $count headers took $((now - oldest)) s, too close to the ${window} s timestamp window"
        note "round $round: $name (${duration}s)"
        file=$tmp/try-$name-$round-$attempt.txt
        run_wrk "$file" "$target" -- "$prefix" "$wrk_threads"
        printf '%s %s %s %s %s %s\n' "$name" "$round" "$count" "$(figure "$file" pool_used)" \
            "$(figure "$file" pool_exhausted)" \
            "$("$python" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["seconds"])' "$prefix.json")" >>"$pool_log"
        rm -f "$prefix".[0-9]* "$prefix".ready.*
        if [ "$(figure "$file" pool_exhausted)" -eq 0 ]; then
            cp "$file" "$tmp/$name-$round.txt"
            return 0
        fi
        note "round $round: $name: the pool of $count ran out; signing a larger one"
        [ "$count" -lt "$pool_cap" ] || die "the pool ran out at its cap of $pool_cap headers (raise POOL_MAX)"
        count=$(awk -v n="$count" -v c="$pool_cap" 'BEGIN { n *= 2; print (n > c ? c : n) }')
    done
    die "round $round: $name: the signed pool ran out twice"
}

n1_before=$(access_lines "$tmp/node1.log")
n2_before=$(access_lines "$tmp/node2.log")
for round in $(seq "$rounds"); do
    note "round $round/$rounds: nginx static (${duration}s)"
    run_wrk "$tmp/nginx-$round.txt" "http://127.0.0.1:$nginx_port$path"
    note "round $round/$rounds: 2 PG nodes, admin Bearer (${duration}s)"
    run_wrk "$tmp/pg-bearer-$round.txt" "$pg_base$path" -H "Authorization: Bearer $pg_token"
    signed_round pg pg-signed "$round" "$pg_base$path" pg-bearer
    note "round $round/$rounds: SQLite node, admin Bearer (${duration}s)"
    run_wrk "$tmp/sqlite-bearer-$round.txt" "$sq_base$path" -H "Authorization: Bearer $sq_token"
    signed_round sqlite sqlite-signed "$round" "$sq_base$path" sqlite-bearer
done
n1=$(($(access_lines "$tmp/node1.log") - n1_before))
n2=$(($(access_lines "$tmp/node2.log") - n2_before))

pg_nonces=$("$pg_bin/psql" -X -At -h 127.0.0.1 -p "$pg_port" -U sg -d storegate_bench \
    -c 'SELECT count(*) FROM oauth_nonce' 2>/dev/null || echo "?")
sq_nonces=$("$python" "$root/bench/nonce_count.py" "$tmp/sqlite-var/storegate.db" 2>/dev/null || echo "?")

# --- report ----------------------------------------------------------------------------------------
names=(nginx pg-bearer pg-signed sqlite-bearer sqlite-signed)
declare -A best_file best_rps
for name in "${names[@]}"; do
    best_file[$name]=$(for f in "$tmp/$name"-[0-9]*.txt; do echo "$(figure "$f" rps) $f"; done |
        sort -g -r | head -n 1 | cut -d' ' -f2-)
    best_rps[$name]=$(figure "${best_file[$name]}" rps)
done
ratio() { # A B
    awk -v a="${best_rps[$1]}" -v b="${best_rps[$2]}" 'BEGIN { printf "%.2f", a / b }'
}
report() {
    echo "storegate bench: GET $path, admin Bearer and OAuth-signed: 2 nodes on PostgreSQL behind nginx, 1 node on SQLite, nginx static"
    echo "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "commit:    $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)$(
        [ -z "$(git -C "$root" status --porcelain 2>/dev/null)" ] || echo ' (dirty tree)')"
    echo "binary:    $bin"
    echo "machine:   $(nproc) cores, $(uname -sr); $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
    echo "load:      wrk -t$wrk_threads -c$wrk_conns -d${duration}s, $rounds rounds each, alternating; best round kept"
    echo "pg:        2 x storegate --threads 1 (one --var-dir), nginx round robin (worker_processes 2, keepalive 32); $pg_version, fsync on, loopback TCP"
    echo "sqlite:    1 x storegate --threads 2; SQLite (WAL, synchronous=FULL) on $(stat -f -c %T "$tmp")"
    echo "reference: nginx static, worker_processes 2, access_log off"
    echo "body:      $body_bytes bytes, Content-Type: $content_type"
    echo "signed:    oauthlib $("$python" -c 'import oauthlib; print(oauthlib.__version__)') $sign_method, one pre-signed header per request"
    echo "balance:   node 1 answered $n1, node 2 answered $n2 of the PostgreSQL requests"
    echo "nonces:    PostgreSQL $pg_nonces, SQLite $sq_nonces stored at the end"
    echo
    echo "cpu_us:    CPU microseconds per request (all cores, from /proc): PG nodes, balancer,"
    echo "           postgres, SQLite node, nginx static, machine total (wrk included)"
    echo
    printf '%-14s %-6s %12s %8s %8s %9s %6s  %s\n' series round requests/s p50_us p99_us requests errors \
        cpu_us:nodes,lb,pg,sqlite,nginx,all
    local f name round
    for round in $(seq "$rounds"); do
        for name in "${names[@]}"; do
            f=$tmp/$name-$round.txt
            printf '%-14s %-6s %12s %8s %8s %9s %6s  %s\n' "$name" "$round" "$(figure "$f" rps)" \
                "$(figure "$f" p50_us)" "$(figure "$f" p99_us)" "$(figure "$f" requests)" \
                "$(figure "$f" socket_errors)" "$(figure "$f" cpu_us)"
        done
    done
    echo
    printf '%-14s %-6s %10s %10s %8s %8s\n' pool round headers used ran_out sign_s
    local a b c d e g
    while read -r a b c d e g; do
        printf '%-14s %-6s %10s %10s %8s %8s\n' "$a" "$b" "$c" "$d" "$e" "$g"
    done <"$pool_log"
    echo
    for name in "${names[@]}"; do
        printf '%-15s %10s requests/s  p50 %s us  p99 %s us\n' "$name:" "${best_rps[$name]}" \
            "$(figure "${best_file[$name]}" p50_us)" "$(figure "${best_file[$name]}" p99_us)"
    done
    for name in pg-bearer pg-signed sqlite-bearer sqlite-signed; do
        printf 'ratio %-20s %s\n' "$name/nginx:" "$(ratio "$name" nginx)"
    done
    printf 'ratio %-20s %s\n' "pg-bearer/sqlite:" "$(ratio pg-bearer sqlite-bearer)"
    printf 'ratio %-20s %s\n' "pg-signed/sqlite:" "$(ratio pg-signed sqlite-signed)"
}
mkdir -p "$(dirname "$out_file")"
report | tee "$out_file"
