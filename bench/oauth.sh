#!/usr/bin/env bash
# Benchmark: GET /rest/V1/store/storeViews authenticated three ways (OAuth 1.0a signature, an
# integration's access token as Bearer, an admin Bearer token) against nginx serving the very same
# bytes from a file, in the same run on the same machine. See bench/README.md.
#
# It installs a throw-away store in a temp dir, starts `storegate serve --threads 2`, takes an admin
# token, switches oauth/consumer/enable_integration_as_bearer on, creates and activates an
# integration without endpoint (its consumer key/secret and access token/secret), captures the
# storeViews body, and starts its own nginx (worker_processes 2, access_log off, same Content-Type)
# serving those bytes. Then it runs wrk alternately: nginx, signed, integration Bearer, admin Bearer,
# ROUNDS times, and keeps the best round of each.
#
# Signed requests come from a pool of Authorization headers that bench/oauth_sign.py pre-signs with
# oauthlib (HMAC-SHA256, a fresh nonce each, the current timestamp) right before each signed round;
# bench/oauth.lua hands every wrk thread its own slice and uses each header once. The pool is
# sized from a short calibration run (POOL_FACTOR x the signed rate x DURATION) so that it is larger
# than what a round can send; a round that runs out is signed again with a pool twice the size.
# Every answer must be 2xx (a replayed nonce's fast 401 is not throughput): any other status fails
# the run. Prints requests/s, latency p50/p99 and the ratios to nginx, and writes the same report to
# bench/out/oauth.txt.
#
# Environment: STOREGATE_BIN (default build/release/storegate), DURATION seconds per round (10),
# ROUNDS (2), CALIBRATE seconds of the calibration run (2), POOL_FACTOR (2), POOL_MAX headers per
# pool (2000000; also limited to a quarter of the available memory), SIGN_METHOD (HMAC-SHA256 or
# HMAC-SHA1), SG_PORT and NGINX_PORT (default: free loopback ports), NGINX (default: nginx on PATH
# or /usr/sbin/nginx), TMPDIR (where the temp dir, hence the SQLite database, lives; default /tmp).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${STOREGATE_BIN:-$root/build/release/storegate}
duration=${DURATION:-10}
rounds=${ROUNDS:-2}
calibrate=${CALIBRATE:-2}
pool_factor=${POOL_FACTOR:-2}
pool_max=${POOL_MAX:-2000000}
sign_method=${SIGN_METHOD:-HMAC-SHA256}
nginx_bin=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
python=/usr/bin/python3
wrk_threads=2
wrk_conns=${CONNECTIONS:-16}
sg_threads=2
out_file=$root/bench/out/oauth.txt
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

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_is_free() { # PORT: binds it without SO_REUSEPORT, so a storegate listening there counts too
    "$python" -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
sg_port=${SG_PORT:-$(free_port)}
nginx_port=${NGINX_PORT:-$(free_port)}
[ "$sg_port" != "$nginx_port" ] || nginx_port=$(free_port)
# storegate listens with SO_REUSEPORT: a second storegate on a taken port starts without complaint
# and the kernel splits the connections between the two. So the port must be free beforehand, and
# ours alone afterwards (checked below).
port_is_free "$sg_port" || die "port $sg_port is in use"
port_is_free "$nginx_port" || die "port $nginx_port is in use"

# Everything lives in one temp dir. Every process this script starts runs in its own process group
# (setsid), in the background, and is waited for; the trap stops each group however we leave.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/storegate-bench-oauth.XXXXXX")
groups=()
cleanup() {
    local pid
    for pid in ${groups[@]+"${groups[@]}"}; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in ${groups[@]+"${groups[@]}"}; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
    # Done: forget it, so that cleanup never signals a group id the system may have handed on.
    local left=()
    for pid in "${groups[@]}"; do
        [ "$pid" = "$spawned" ] || left+=("$pid")
    done
    groups=(${left[@]+"${left[@]}"})
    return "$rc"
}

sg() { # storegate command-line call on the bench's store
    "$bin" --var-dir "$tmp/var" "$@"
}

# --- storegate -------------------------------------------------------------------------------------
password=$(head -c 18 /dev/urandom | base64 | tr -dc A-Za-z0-9)
password=${password:0:14}x7 # letters and digits, as Magento's password rule wants
sg setup:install --base-url "http://127.0.0.1:$sg_port/" \
    --admin-user admin --admin-password "$password" --admin-email admin@example.com \
    --admin-firstname Bench --admin-lastname Admin >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; die "setup:install failed"; }

spawn "$tmp/storegate.log" "$bin" --var-dir "$tmp/var" serve --listen "127.0.0.1:$sg_port" \
    --threads "$sg_threads"
sg_pid=$spawned

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
wait_http "http://127.0.0.1:$sg_port/health" "$sg_pid" storegate ||
    { tail -n 20 "$tmp/storegate.log" >&2; exit 1; }
if command -v ss >/dev/null; then
    others=$(ss -Hltnp "( sport = :$sg_port )" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u |
        grep -vx "$sg_pid" || true)
    [ -z "$others" ] || die "another process (pid $others) also listens on port $sg_port"
fi

token_json=$(curl -sS -f -X POST -H 'Content-Type: application/json' \
    --data "{\"username\":\"admin\",\"password\":\"$password\"}" \
    "http://127.0.0.1:$sg_port/rest/V1/integration/admin/token") || die "admin token request failed"
admin_token=$("$python" -c 'import json, sys; print(json.loads(sys.argv[1]))' "$token_json")
[ -n "$admin_token" ] || die "empty admin token"

# The integration: no endpoint, so activation makes its access token at once. Its credentials stay
# in a file only the signer reads.
sg config:set oauth/consumer/enable_integration_as_bearer 1 >"$tmp/config.log" 2>&1 ||
    { cat "$tmp/config.log" >&2; die "config:set failed"; }
sg integration:create --name bench --all-resources --json >"$tmp/integration.json" 2>"$tmp/integration.log" ||
    { cat "$tmp/integration.log" >&2; die "integration:create failed"; }
(
    umask 077
    sg integration:activate bench --json >"$tmp/credentials.json" 2>"$tmp/integration.log"
) || { cat "$tmp/integration.log" >&2; die "integration:activate failed"; }
int_token=$("$python" -c '
import json, sys
c = json.load(open(sys.argv[1]))
for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
    if len(c.get(k) or "") != 32:
        sys.exit("bench: integration:activate gave no " + k)
print(c["access_token"])' "$tmp/credentials.json") || die "no integration credentials"
window=$(sg config:show oauth/timestamp_window 2>/dev/null || echo 600)
[[ $window =~ ^[0-9]+$ ]] || window=600

# The exact bytes (and Content-Type) that storegate answers; nginx will serve the same.
www=$tmp/www
mkdir -p "$www${path%/*}"
body=$www$path
url=http://127.0.0.1:$sg_port$path
status=$(curl -sS -o "$body" -D "$tmp/headers.txt" -w '%{http_code}' \
    -H "Authorization: Bearer $admin_token" "$url")
[ "$status" = 200 ] || die "GET $path answered $status: $(head -c 300 "$body")"
content_type=$(sed -n 's/^[Cc]ontent-[Tt]ype:[[:space:]]*\(.*\)\r$/\1/p' "$tmp/headers.txt" | head -n 1)
content_type=${content_type:-application/json}
body_bytes=$(wc -c <"$body")

# The other two ways in must answer the same bytes, or they would not measure the same work.
check_same() { # NAME AUTHORIZATION-VALUE
    local got=$tmp/check-$1 code
    code=$(curl -sS -o "$got" -w '%{http_code}' -H "Authorization: $2" "$url")
    [ "$code" = 200 ] || die "$1: GET $path answered $code: $(head -c 300 "$got")"
    cmp -s "$body" "$got" || die "$1: GET $path answered other bytes than with the admin token"
}
check_same integration-bearer "Bearer $int_token"
run "$tmp/sign-check.log" "$python" "$signer" --url "$url" --credentials "$tmp/credentials.json" \
    --count 1 --slices 1 --method "$sign_method" --out "$tmp/check-pool" ||
    { cat "$tmp/sign-check.log" >&2; die "signing failed"; }
check_same signed "$(head -n 1 "$tmp/check-pool.1")"

# --- nginx -----------------------------------------------------------------------------------------
nginx_reference "$tmp" "$www" "$body" "$content_type" "$nginx_port" "$path" bench/oauth.sh
spawn "$tmp/nginx/stdout.log" "$nginx_bin" -p "$tmp/nginx/" -e "$tmp/nginx/error.log" \
    -c "$tmp/nginx/nginx.conf"
nginx_pid=$spawned
wait_http "http://127.0.0.1:$nginx_port$path" "$nginx_pid" nginx ||
    { cat "$tmp/nginx/error.log" >&2; exit 1; }
curl -sS -f -o "$tmp/nginx-body" "http://127.0.0.1:$nginx_port$path" || die "nginx GET failed"
cmp -s "$body" "$tmp/nginx-body" || die "nginx does not serve the same bytes as storegate"

# --- wrk -------------------------------------------------------------------------------------------
figure() { # FILE KEY
    awk -v k="$2" '$1 == "bench:" && $2 == k { print $3 }' "$1"
}
run_wrk() { # FILE SECONDS URL [wrk args...]: one wrk run, its output (with "bench:" figures) in FILE
    local file=$1 seconds=$2 target=$3
    shift 3
    run "$file" wrk -t"$wrk_threads" -c"$wrk_conns" -d"${seconds}s" -s "$lua" "$target" "$@" ||
        { cat "$file" >&2; die "wrk failed"; }
    [ -n "$(figure "$file" rps)" ] || { cat "$file" >&2; die "no figures in $(basename "$file")"; }
    # Every answer must be 2xx, or the figures measure errors (a replayed nonce's 401), not the
    # endpoint.
    local n
    n=$(figure "$file" non2xx)
    [ "$n" -eq 0 ] || { grep '^bench: status' "$file" >&2; die "$(basename "$file" .txt): $n non-2xx responses"; }
    kill -0 "$sg_pid" 2>/dev/null || die "storegate died during the run"
    kill -0 "$nginx_pid" 2>/dev/null || die "nginx died during the run"
}

# Pool size limit: about 750 bytes a header in all (the file in the page cache, wrk's copy, the
# signer's nonce set); at most a quarter of the available memory, and at most POOL_MAX.
mem_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
pool_cap=$(awk -v m="${mem_kb:-0}" -v p="$pool_max" 'BEGIN { c = int(m * 1024 / 4 / 750); print (c < p ? c : p) }')
[ "$pool_cap" -ge 1000 ] || die "not enough memory for a pool of signed headers"

# sign PREFIX COUNT: a fresh pool in PREFIX.1 .. PREFIX.<wrk threads>; its stats in PREFIX.json
sign() {
    local prefix=$1 count=$2 oldest now
    run "$prefix.json" "$python" "$signer" --url "$url" --credentials "$tmp/credentials.json" \
        --count "$count" --slices "$wrk_threads" --method "$sign_method" --out "$prefix" ||
        { cat "$prefix.json" >&2; die "signing failed"; }
    oldest=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["oldest_timestamp"])' "$prefix.json")
    now=$(date +%s)
    # The server refuses timestamps outside +-window: the oldest header must still be good at the
    # end of the round, with a margin.
    [ $((now + duration + 30 - oldest)) -lt "$window" ] ||
        die "signing $count headers took $((now - oldest)) s, too close to the ${window} s timestamp window (lower POOL_MAX or DURATION)"
}
pool_for() { # RATE SECONDS: POOL_FACTOR x RATE x SECONDS, plus what is in flight, within the cap
    awk -v r="$1" -v s="$2" -v f="$pool_factor" -v c="$pool_cap" -v k="$wrk_conns" \
        'BEGIN { n = int(f * r * s) + 4 * k; if (n > c) n = c; print n }'
}
max_of() {
    printf '%s\n' "$@" | sort -g -r | head -n 1
}
pool_log=$tmp/pools.txt
: >"$pool_log"
log_pool() { # ROUND COUNT WRK-FILE SIGNER-JSON: one line of the report's pool table
    printf '%s %s %s %s %s\n' "$1" "$2" "$(figure "$3" pool_used)" "$(figure "$3" pool_exhausted)" \
        "$("$python" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["seconds"], d["per_second"])' "$4")" >>"$pool_log"
}

# signed_round ROUND: signs a pool sized from the fastest signed rate seen so far and runs; if a
# slice runs out, signs a pool twice the size and runs again (once).
signed_round() {
    local round=$1 attempt count rate file prefix
    # shellcheck disable=SC2046 # one rate per word
    rate=$(max_of "$cal_rps" $(for f in "$tmp"/signed-[0-9]*.txt; do [ -e "$f" ] && figure "$f" rps; done))
    count=$(pool_for "$rate" "$duration")
    for attempt in 1 2; do
        prefix=$tmp/pool-$round-$attempt
        note "round $round: signing $count headers ($sign_method)"
        sign "$prefix" "$count"
        file=$tmp/try-signed-$round-$attempt.txt
        note "round $round: signed (${duration}s)"
        run_wrk "$file" "$duration" "$url" -- "$prefix" "$wrk_threads"
        log_pool "$round" "$count" "$file" "$prefix.json"
        rm -f "$prefix".[0-9]* # the pool is spent; free the disk and page cache
        if [ "$(figure "$file" pool_exhausted)" -eq 0 ]; then
            cp "$file" "$tmp/signed-$round.txt"
            return 0
        fi
        note "round $round: the pool of $count ran out; signing a larger one"
        [ "$count" -lt "$pool_cap" ] || die "the pool ran out at its cap of $pool_cap headers (raise POOL_MAX)"
        count=$(awk -v n="$count" -v c="$pool_cap" 'BEGIN { n *= 2; print (n > c ? c : n) }')
    done
    die "round $round: the signed pool ran out twice"
}

# The reference pool: spent headers of the first calibration pool (at most 100 000 a thread), sent
# over and over to nginx (oauth.lua's cycle mode), which ignores them. wrk then does for nginx the
# very same work per request as for the signed runs (its Lua request() costs it about a quarter of
# its static rate on this machine), which a pool signed for nginx's rate would take minutes to sign.
keep_reference_pool() { # PREFIX
    local k
    [ -e "$tmp/nginx-pool.1" ] && return 0
    for k in $(seq "$wrk_threads"); do
        head -n 100000 "$1.$k" >"$tmp/nginx-pool.$k"
    done
}

# Calibration: a short signed run whose rate sizes the pools. Its first pool covers a quarter of
# nginx's rate; when a slice runs out, it doubles, up to 1.2 x nginx's rate (storegate is not
# expected to answer signed requests faster than nginx serves a file).
calibrate_signed() {
    local nginx_rps count top attempt=1 file
    nginx_rps=$(figure "$tmp/nginx-1.txt" rps)
    count=$(pool_for "$(awk -v r="$nginx_rps" -v f="$pool_factor" 'BEGIN { print r / 4 / f }')" "$calibrate")
    top=$(pool_for "$(awk -v r="$nginx_rps" -v f="$pool_factor" 'BEGIN { print r * 1.2 / f }')" "$calibrate")
    while :; do
        note "calibration: signing $count headers"
        sign "$tmp/pool-cal-$attempt" "$count"
        note "calibration: signed (${calibrate}s)"
        file=$tmp/try-calibrate-$attempt.txt
        run_wrk "$file" "$calibrate" "$url" -- "$tmp/pool-cal-$attempt" "$wrk_threads"
        log_pool calibration "$count" "$file" "$tmp/pool-cal-$attempt.json"
        keep_reference_pool "$tmp/pool-cal-$attempt"
        rm -f "$tmp/pool-cal-$attempt".[0-9]*
        cal_rps=$(figure "$file" rps)
        [ "$(figure "$file" pool_exhausted)" -gt 0 ] || break
        if [ "$count" -ge "$top" ]; then
            cal_rps=$nginx_rps # ran out even so: assume the upper bound
            break
        fi
        count=$(awk -v n="$count" -v t="$top" 'BEGIN { n *= 2; print (n > t ? t : n) }')
        attempt=$((attempt + 1))
    done
    note "calibration: $cal_rps signed requests/s"
}

for round in $(seq "$rounds"); do
    note "round $round/$rounds: nginx (${duration}s)"
    run_wrk "$tmp/nginx-$round.txt" "$duration" "http://127.0.0.1:$nginx_port$path"
    if [ "$round" = 1 ]; then
        calibrate_signed
    fi
    note "round $round/$rounds: nginx, same Lua pool as the signed runs (${duration}s)"
    rm -f "$tmp"/nginx-pool.ready.*
    run_wrk "$tmp/nginx-pool-$round.txt" "$duration" "http://127.0.0.1:$nginx_port$path" -- \
        "$tmp/nginx-pool" "$wrk_threads" cycle
    signed_round "$round"
    note "round $round/$rounds: integration Bearer (${duration}s)"
    run_wrk "$tmp/int-bearer-$round.txt" "$duration" "$url" -H "Authorization: Bearer $int_token"
    note "round $round/$rounds: admin Bearer (${duration}s)"
    run_wrk "$tmp/admin-bearer-$round.txt" "$duration" "$url" -H "Authorization: Bearer $admin_token"
done

names=(nginx nginx-pool signed int-bearer admin-bearer)
# storegate stops here (SIGTERM, as a service manager stops it), so that its nonce journal logs its
# own counters for the whole run: nonces a sync, the wait from submission to sync, a sync's time.
kill -TERM -- "-$sg_pid" 2>/dev/null || true
wait "$sg_pid" 2>/dev/null || true
left=()
for pid in "${groups[@]}"; do
    [ "$pid" = "$sg_pid" ] || left+=("$pid")
done
groups=(${left[@]+"${left[@]}"})
journal=$(grep -o 'nonce journal: [0-9].*' "$tmp/storegate.log" | tail -n 2 || true)
nonces=$("$python" "$root/bench/nonce_count.py" "$tmp/var/storegate.db" 2>/dev/null || echo "?")

best() { # NAME: the round file with the most requests/s
    local f
    for f in "$tmp/$1"-[0-9]*.txt; do
        echo "$(figure "$f" rps) $f"
    done | sort -g -r | head -n 1 | cut -d' ' -f2-
}
declare -A best_file best_rps
for name in "${names[@]}"; do
    best_file[$name]=$(best "$name")
    best_rps[$name]=$(figure "${best_file[$name]}" rps)
done
ratio() { # NAME [REFERENCE]
    awk -v a="${best_rps[$1]}" -v b="${best_rps[${2:-nginx}]}" 'BEGIN { printf "%.2f", a / b }'
}
verdict() { # RATIO TARGET
    awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "met" : "NOT met") }'
}

report() {
    echo "storegate bench: GET $path, OAuth-signed / integration Bearer / admin Bearer, vs nginx serving the same bytes"
    echo "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "commit:    $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)$(
        [ -z "$(git -C "$root" status --porcelain 2>/dev/null)" ] || echo ' (dirty tree)')"
    echo "binary:    $bin"
    echo "machine:   $(nproc) cores, $(uname -sr); $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
    echo "load:      wrk -t$wrk_threads -c$wrk_conns -d${duration}s, $rounds rounds each, alternating; best round kept"
    echo "servers:   storegate --threads $sg_threads; nginx worker_processes 2, access_log off"
    echo "database:  SQLite (WAL, synchronous=FULL) on $(stat -f -c %T "$tmp") ($(df -P "$tmp" | awk 'NR == 2 { print $1 }')); nonce journal, nonce_sync=${STOREGATE_NONCE_SYNC:-1}, nonce_lease=${STOREGATE_NONCE_LEASE:-2}, nonce_writers=${STOREGATE_NONCE_WRITERS:-2}"
    echo "body:      $body_bytes bytes, Content-Type: $content_type"
    echo "signed:    oauthlib $("$python" -c 'import oauthlib; print(oauthlib.__version__)') $sign_method, one pre-signed header per request; calibration ${calibrate}s: $cal_rps requests/s"
    echo
    printf '%-13s %-6s %12s %10s %10s %10s %8s\n' server round requests/s p50_us p99_us requests errors
    local f name round
    for round in $(seq "$rounds"); do
        for name in "${names[@]}"; do
            f=$tmp/$name-$round.txt
            printf '%-13s %-6s %12s %10s %10s %10s %8s\n' "$name" "$round" "$(figure "$f" rps)" \
                "$(figure "$f" p50_us)" "$(figure "$f" p99_us)" "$(figure "$f" requests)" \
                "$(figure "$f" socket_errors)"
        done
    done
    echo
    printf '%-13s %-11s %10s %10s %8s %8s %10s\n' pool round headers used ran_out sign_s headers/s
    local r c u x s p
    while read -r r c u x s p; do
        printf '%-13s %-11s %10s %10s %8s %8s %10s\n' signed "$r" "$c" "$u" "$x" "$s" "$p"
    done <"$pool_log"
    echo "nonces stored at the end: $nonces"
    echo "${journal:-nonce journal: no counters logged}"
    echo
    for name in "${names[@]}"; do
        printf '%-14s %10s requests/s  p50 %s us  p99 %s us\n' "$name:" "${best_rps[$name]}" \
            "$(figure "${best_file[$name]}" p50_us)" "$(figure "${best_file[$name]}" p99_us)"
    done
    local rs ri ra
    rs=$(ratio signed)
    ri=$(ratio int-bearer)
    ra=$(ratio admin-bearer)
    echo "ratio signed/nginx:       $rs  (target >= 0.4: $(verdict "$rs" 0.4))"
    local rp
    rp=$(ratio signed nginx-pool)
    echo "ratio signed/nginx-pool:  $rp  (nginx driven by the same Lua pool: target >= 0.4: $(verdict "$rp" 0.4))"
    echo "ratio int-bearer/nginx:   $ri  (target >= 0.6: $(verdict "$ri" 0.6))"
    echo "ratio admin-bearer/nginx: $ra  (target >= 0.6: $(verdict "$ra" 0.6))"
}
mkdir -p "$(dirname "$out_file")"
report | tee "$out_file"
