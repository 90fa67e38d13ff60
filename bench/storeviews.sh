#!/usr/bin/env bash
# Benchmark: GET /rest/V1/store/storeViews with an admin Bearer token, against nginx serving the very
# same bytes from a file, in the same run on the same machine. See bench/README.md.
#
# It installs a throw-away store in a temp dir, starts `storegate serve --threads 2`, takes an admin
# token, captures the storeViews body once, writes it to a file that its own nginx (worker_processes 2,
# access_log off, same Content-Type) serves, then runs wrk alternately: nginx, storegate, nginx,
# storegate, and keeps the best round of each. A wrk Lua script counts response statuses; any
# non-2xx answer from either server fails the run. Prints requests/s, the ratio storegate/nginx and
# latency p50/p99, and writes the same report to bench/out/storeviews.txt.
#
# Environment: STOREGATE_BIN (default build/release/storegate), DURATION seconds per round (10),
# ROUNDS (2), SG_PORT and NGINX_PORT (default: free loopback ports), NGINX (default: nginx on PATH
# or /usr/sbin/nginx). Other GETs reuse this script (bench/products.sh): BENCH_PATH (the request
# target, query included; nginx serves the captured bytes at its path part), PRODUCTS (a catalog
# made by sampledata:deploy --products N before serving; default none), BENCH_NAME (the report's
# name, default storeviews).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${STOREGATE_BIN:-$root/build/release/storegate}
duration=${DURATION:-10}
rounds=${ROUNDS:-2}
nginx_bin=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
wrk_threads=2
wrk_conns=16
sg_threads=2
bench_name=${BENCH_NAME:-storeviews}
out_file=$root/bench/out/$bench_name.txt
path=${BENCH_PATH:-/rest/V1/store/storeViews}
npath=${path%%\?*} # where nginx serves the same bytes
products=${PRODUCTS:-0}

die() {
    echo "bench: $*" >&2
    exit 1
}
[ -x "$bin" ] || die "$bin is not built (run make)"
[ -x "$nginx_bin" ] || die "nginx not found (run make deps)"
for tool in wrk curl; do
    command -v "$tool" >/dev/null || die "$tool not found (run make deps)"
done

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
sg_port=${SG_PORT:-$(free_port)}
nginx_port=${NGINX_PORT:-$(free_port)}
[ "$sg_port" != "$nginx_port" ] || nginx_port=$(free_port)

# Everything lives in one temp dir; the trap stops both servers and removes it however we leave.
tmp=$(mktemp -d /tmp/storegate-bench.XXXXXX)
pids=()
cleanup() {
    local pid
    for pid in ${pids[@]+"${pids[@]}"}; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in ${pids[@]+"${pids[@]}"}; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- storegate -------------------------------------------------------------------------------------
password=$(head -c 18 /dev/urandom | base64 | tr -dc A-Za-z0-9)
password=${password:0:14}x7 # letters and digits, as Magento's password rule wants
"$bin" --var-dir "$tmp/var" setup:install --base-url "http://127.0.0.1:$sg_port/" \
    --admin-user admin --admin-password "$password" --admin-email admin@example.com \
    --admin-firstname Bench --admin-lastname Admin >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; die "setup:install failed"; }
if [ "$products" -gt 0 ]; then
    echo "bench: sampledata:deploy --products $products" >&2
    start_s=$(date +%s.%N)
    "$bin" --var-dir "$tmp/var" sampledata:deploy --products "$products" >"$tmp/sampledata.log" 2>&1 ||
        { cat "$tmp/sampledata.log" >&2; die "sampledata:deploy failed"; }
    deploy_s=$(awk -v a="$start_s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    echo "bench: $products products deployed in ${deploy_s}s" >&2
fi

"$bin" --var-dir "$tmp/var" serve --listen "127.0.0.1:$sg_port" --threads "$sg_threads" \
    >"$tmp/storegate.log" 2>&1 &
sg_pid=$!
pids+=("$sg_pid")

wait_http() { # URL PID NAME: until URL answers (0), or the process dies or 10 s pass (1)
    local i
    for i in $(seq 100); do
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

token_json=$(curl -sS -f -X POST -H 'Content-Type: application/json' \
    --data "{\"username\":\"admin\",\"password\":\"$password\"}" \
    "http://127.0.0.1:$sg_port/rest/V1/integration/admin/token") || die "admin token request failed"
token=$(/usr/bin/python3 -c 'import json, sys; print(json.loads(sys.argv[1]))' "$token_json")
[ -n "$token" ] || die "empty admin token"

# The exact bytes (and Content-Type) that storegate answers; nginx will serve the same.
www=$tmp/www
mkdir -p "$www${npath%/*}"
body=$www$npath
status=$(curl -gsS -o "$body" -D "$tmp/headers.txt" -w '%{http_code}' \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$sg_port$path")
[ "$status" = 200 ] || die "GET $path answered $status: $(head -c 300 "$body")"
content_type=$(sed -n 's/^[Cc]ontent-[Tt]ype:[[:space:]]*\(.*\)\r$/\1/p' "$tmp/headers.txt" | head -n 1)
content_type=${content_type:-application/json}
body_bytes=$(wc -c <"$body")

# --- nginx -----------------------------------------------------------------------------------------
nginx_reference "$tmp" "$www" "$body" "$content_type" "$nginx_port" "$npath" bench/storeviews.sh
"$nginx_bin" -p "$tmp/nginx/" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" \
    >"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
pids+=("$nginx_pid")
wait_http "http://127.0.0.1:$nginx_port$npath" "$nginx_pid" nginx ||
    { cat "$tmp/nginx/error.log" >&2; exit 1; }
curl -sS -f -o "$tmp/nginx-body" "http://127.0.0.1:$nginx_port$npath" || die "nginx GET failed"
cmp -s "$body" "$tmp/nginx-body" || die "nginx does not serve the same bytes as storegate"

# --- wrk -------------------------------------------------------------------------------------------
# Counts statuses in every wrk thread and sums them in done(); one "bench:" line per figure.
cat >"$tmp/status.lua" <<'EOF'
-- `counts` is global: done() reads each thread's copy with thread:get().
counts = {}
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("counts") or {}) do
            total[status] = (total[status] or 0) + n
        end
    end
    local non2xx = 0
    for status, n in pairs(total) do
        io.write(string.format("bench: status %d %d\n", status, n))
        if status < 200 or status > 299 then
            non2xx = non2xx + n
        end
    end
    local e = summary.errors
    io.write(string.format("bench: requests %d\n", summary.requests))
    io.write(string.format("bench: rps %.1f\n", summary.requests / (summary.duration / 1e6)))
    io.write(string.format("bench: p50_us %d\n", latency:percentile(50)))
    io.write(string.format("bench: p99_us %d\n", latency:percentile(99)))
    io.write(string.format("bench: non2xx %d\n", non2xx))
    io.write(string.format("bench: socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
end
EOF

run_wrk() { # NAME ROUND URL [wrk args...]: runs one round, leaves its figures in $tmp/NAME-ROUND.txt
    local name=$1 round=$2 url=$3
    shift 3
    wrk -t"$wrk_threads" -c"$wrk_conns" -d"${duration}s" -s "$tmp/status.lua" "$@" "$url" \
        >"$tmp/$name-$round.txt" 2>&1 || { cat "$tmp/$name-$round.txt" >&2; die "wrk failed"; }
    kill -0 "$sg_pid" 2>/dev/null || die "storegate died during the run"
    kill -0 "$nginx_pid" 2>/dev/null || die "nginx died during the run"
}
figure() { # FILE KEY
    awk -v k="$2" '$1 == "bench:" && $2 == k { print $3 }' "$1"
}

for round in $(seq "$rounds"); do
    echo "bench: round $round/$rounds: nginx, then storegate (${duration}s each)" >&2
    run_wrk nginx "$round" "http://127.0.0.1:$nginx_port$npath"
    run_wrk storegate "$round" "http://127.0.0.1:$sg_port$path" -H "Authorization: Bearer $token"
done

# Every round of both must be all 2xx, or the figures measure errors, not the endpoint.
for f in "$tmp"/nginx-*.txt "$tmp"/storegate-*.txt; do
    n=$(figure "$f" non2xx)
    [ -n "$n" ] || { cat "$f" >&2; die "no figures in $(basename "$f")"; }
    [ "$n" -eq 0 ] || { cat "$f" >&2; die "$(basename "$f" .txt): $n non-2xx responses"; }
done

best() { # NAME: the round file with the most requests/s
    local f
    for f in "$tmp/$1"-*.txt; do
        echo "$(figure "$f" rps) $f"
    done | sort -g -r | head -n 1 | cut -d' ' -f2-
}
nginx_best=$(best nginx)
sg_best=$(best storegate)
nginx_rps=$(figure "$nginx_best" rps)
sg_rps=$(figure "$sg_best" rps)
ratio=$(awk -v a="$sg_rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f", a / b }')

report() {
    echo "storegate bench: GET $path (admin Bearer token) vs nginx serving the same bytes"
    [ "$products" -eq 0 ] || echo "catalog:   $products products (sampledata:deploy in ${deploy_s}s)"
    echo "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "commit:    $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)$(
        [ -z "$(git -C "$root" status --porcelain 2>/dev/null)" ] || echo ' (dirty tree)')"
    echo "binary:    $bin"
    echo "machine:   $(nproc) cores, $(uname -sr); $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
    echo "load:      wrk -t$wrk_threads -c$wrk_conns -d${duration}s, $rounds rounds each, alternating; best round kept"
    echo "servers:   storegate --threads $sg_threads; nginx worker_processes 2, access_log off"
    echo "body:      $body_bytes bytes, Content-Type: $content_type"
    echo
    printf '%-10s %-6s %12s %10s %10s %10s %8s\n' server round requests/s p50_us p99_us requests errors
    local f name round
    for round in $(seq "$rounds"); do
        for name in nginx storegate; do
            f=$tmp/$name-$round.txt
            printf '%-10s %-6s %12s %10s %10s %10s %8s\n' "$name" "$round" "$(figure "$f" rps)" \
                "$(figure "$f" p50_us)" "$(figure "$f" p99_us)" "$(figure "$f" requests)" \
                "$(figure "$f" socket_errors)"
        done
    done
    echo
    printf 'nginx:      %10s requests/s  p50 %s us  p99 %s us\n' "$nginx_rps" \
        "$(figure "$nginx_best" p50_us)" "$(figure "$nginx_best" p99_us)"
    printf 'storegate:  %10s requests/s  p50 %s us  p99 %s us\n' "$sg_rps" \
        "$(figure "$sg_best" p50_us)" "$(figure "$sg_best" p99_us)"
    echo "ratio storegate/nginx: $ratio"
}
mkdir -p "$(dirname "$out_file")"
report | tee "$out_file"
