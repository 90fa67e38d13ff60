#!/usr/bin/env bash
# Benchmark: PUT /rest/V1/products/:sku with a full product body (name, price, status, weight,
# custom attributes, stock item, website and category links), admin Bearer token, wrk -t2 -c16,
# over a 10,000-product catalog, each request saving another product. A save is answered only
# after its transaction committed (SQLite synchronous=FULL, WAL), so the figure is acknowledged,
# durable saves per second. Any non-2xx answer fails the run. Writes bench/out/product_put.txt.
# Environment: STOREGATE_BIN, DURATION (10), ROUNDS (2), SG_PORT, PRODUCTS (10000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${STOREGATE_BIN:-$root/build/release/storegate}
duration=${DURATION:-10}
rounds=${ROUNDS:-2}
products=${PRODUCTS:-10000}
out_file=$root/bench/out/product_put.txt
die() {
    echo "bench: $*" >&2
    exit 1
}
[ -x "$bin" ] || die "$bin is not built (run make)"
command -v wrk >/dev/null || die "wrk not found (run make deps)"
port=${SG_PORT:-$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
tmp=$(mktemp -d /tmp/storegate-bench.XXXXXX)
pid=
cleanup() {
    [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

password=$(head -c 18 /dev/urandom | base64 | tr -dc A-Za-z0-9)
password=${password:0:14}x7
"$bin" --var-dir "$tmp/var" setup:install --base-url "http://127.0.0.1:$port/" --admin-user admin \
    --admin-password "$password" --admin-email admin@example.com >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; die "setup:install failed"; }
"$bin" --var-dir "$tmp/var" sampledata:deploy --products "$products" >"$tmp/sample.log" 2>&1 ||
    { cat "$tmp/sample.log" >&2; die "sampledata:deploy failed"; }
"$bin" --var-dir "$tmp/var" serve --listen "127.0.0.1:$port" --threads 2 --access-log off \
    >"$tmp/storegate.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/health" && break
    sleep 0.1
done
token=$(curl -sS -f -X POST -H 'Content-Type: application/json' \
    --data "{\"username\":\"admin\",\"password\":\"$password\"}" \
    "http://127.0.0.1:$port/rest/V1/integration/admin/token" | tr -d '"') || die "no admin token"

cat >"$tmp/put.lua" <<EOF2
-- Each request saves the next product of the catalog with a full body.
counts = {}
local threads = {}
local n = 0
local products = $products
function setup(thread)
    table.insert(threads, thread)
    thread:set("id", #threads)
end
function init(args)
    n = id * 1000003
end
function request()
    n = n + 1
    local sku = string.format("SG-%06d", n % products + 1)
    local body = '{"product":{"sku":"' .. sku .. '","name":"Product ' .. n .. ' Blue Backpack",'
        .. '"attribute_set_id":4,"price":' .. (n % 200 + 5) .. '.5,"status":1,"visibility":4,'
        .. '"type_id":"simple","weight":1.25,"extension_attributes":{"website_ids":[1],'
        .. '"category_links":[{"position":0,"category_id":"3"}],"stock_item":{"qty":'
        .. (n % 90) .. ',"is_in_stock":true}},"custom_attributes":['
        .. '{"attribute_code":"description","value":"A backpack for every day"},'
        .. '{"attribute_code":"url_key","value":"product-' .. n .. '"},'
        .. '{"attribute_code":"meta_title","value":"Backpack ' .. n .. '"}]}}'
    return wrk.format("PUT", "/rest/V1/products/" .. sku, {
        ["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
    local non2xx = 0
    for _, thread in ipairs(threads) do
        for status, c in pairs(thread:get("counts") or {}) do
            io.write(string.format("bench: status %d %d\n", status, c))
            if status < 200 or status > 299 then non2xx = non2xx + c end
        end
    end
    io.write(string.format("bench: rps %.1f\n", summary.requests / (summary.duration / 1e6)))
    io.write(string.format("bench: p50_us %d\n", latency:percentile(50)))
    io.write(string.format("bench: p99_us %d\n", latency:percentile(99)))
    io.write(string.format("bench: non2xx %d\n", non2xx))
end
EOF2

best=0
for round in $(seq "$rounds"); do
    wrk -t2 -c16 -d"${duration}s" -s "$tmp/put.lua" "http://127.0.0.1:$port/" >"$tmp/r$round.txt" 2>&1 ||
        { cat "$tmp/r$round.txt" >&2; die "wrk failed"; }
    bad=$(awk '$1 == "bench:" && $2 == "non2xx" { print $3 }' "$tmp/r$round.txt")
    [ "$bad" = 0 ] || { cat "$tmp/r$round.txt" >&2; tail -5 "$tmp/storegate.log" >&2; die "$bad non-2xx answers"; }
done
{
    echo "storegate bench: PUT /rest/V1/products/:sku, full body, admin Bearer, $products products"
    echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git -C "$root" rev-parse --short HEAD)"
    echo "machine: $(nproc) cores; wrk -t2 -c16 -d${duration}s, $rounds rounds; storegate --threads 2"
    for round in $(seq "$rounds"); do
        f=$tmp/r$round.txt
        printf 'round %s: %s saves/s  p50 %s us  p99 %s us\n' "$round" \
            "$(awk '$2 == "rps" { print $3 }' "$f")" "$(awk '$2 == "p50_us" { print $3 }' "$f")" \
            "$(awk '$2 == "p99_us" { print $3 }' "$f")"
    done
} | tee "$out_file"
