#!/usr/bin/env bash
# One request at a time: the latency of the two catalog list queries of bench/products.sh over
# catalogs of SIZES products (default "10000 100000 1000000"), N sequential requests each on one
# keep-alive connection (default 200), after 20 warm-up requests. Prints p50/p90/max in ms and
# the total_count. This is the figure the issue's p50 targets are about when read as a lone
# request; bench/products.sh gives the same queries under wrk -c16 (with queueing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${STOREGATE_BIN:-$root/build/release/storegate}
sizes=${SIZES:-"10000 100000 1000000"}
n=${N:-200}
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tmp=$(mktemp -d /tmp/storegate-bench.XXXXXX)
pid=
cleanup() {
    [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
f='searchCriteria[filterGroups]'
a="/rest/V1/products?${f}[0][filters][0][field]=name&${f}[0][filters][0][value]=Product%2012%25"
a+="&${f}[0][filters][0][conditionType]=like&${f}[1][filters][0][field]=status"
a+="&${f}[1][filters][0][value]=1&searchCriteria[sortOrders][0][field]=price"
a+="&searchCriteria[sortOrders][0][direction]=ASC&searchCriteria[pageSize]=20"
b="/rest/V1/products?${f}[0][filters][0][field]=name&${f}[0][filters][0][value]=%25blue%25"
b+="&${f}[0][filters][0][conditionType]=like&searchCriteria[pageSize]=20"
for size in $sizes; do
    rm -rf "$tmp/var"
    "$bin" --var-dir "$tmp/var" setup:install --base-url "http://127.0.0.1:$port/" \
        --admin-user admin --admin-password 'Bench1234x7' --admin-email a@example.com >/dev/null 2>&1
    start=$(date +%s.%N)
    "$bin" --var-dir "$tmp/var" sampledata:deploy --products "$size" >/dev/null 2>&1
    took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    "$bin" --var-dir "$tmp/var" serve --listen "127.0.0.1:$port" --threads 2 --access-log off \
        >"$tmp/serve.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
    /usr/bin/python3 - "$port" "$n" "$size" "$took" "$a" "$b" <<'EOF2'
import http.client, json, sys, time
port, n, size, took, qa, qb = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
c = http.client.HTTPConnection("127.0.0.1", int(port))
c.request("POST", "/rest/V1/integration/admin/token", json.dumps(
    {"username": "admin", "password": "Bench1234x7"}), {"Content-Type": "application/json"})
token = json.loads(c.getresponse().read())
h = {"Authorization": "Bearer " + token}
for name, q in (("a: Product 12% + status, by price", qa), ("b: %blue%", qb)):
    times, total = [], None
    for i in range(n + 20):
        s = time.perf_counter()
        c.request("GET", q, headers=h)
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit(f"HTTP {r.status}: {body[:200]!r}")
        if i >= 20:
            times.append((time.perf_counter() - s) * 1000)
        total = json.loads(body)["total_count"]
    times.sort()
    print(f"{size:>8} products (deployed in {took}s)  {name:36} total_count {total:>7}  "
          f"p50 {times[len(times) // 2]:6.2f} ms  p90 {times[len(times) * 9 // 10]:6.2f} ms  "
          f"max {times[-1]:6.2f} ms")
# (a) again, each request with another prefix ('Product 20%' .. 'Product 99%', each about 1.1 %
# of the catalog): no worker has counted it before, so every total_count is counted afresh.
times, totals = [], []
for k in range(20, 100):
    q = qa.replace("Product%2012%25", f"Product%20{k}%25")
    s = time.perf_counter()
    c.request("GET", q, headers=h)
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"HTTP {r.status}: {body[:200]!r}")
    times.append((time.perf_counter() - s) * 1000)
    totals.append(json.loads(body)["total_count"])
times.sort()
print(f"{size:>8} products (deployed in {took}s)  {'a, a new prefix each time (uncounted)':36} "
      f"total_count ~{sum(totals) // len(totals):>6}  "
      f"p50 {times[len(times) // 2]:6.2f} ms  p90 {times[len(times) * 9 // 10]:6.2f} ms  "
      f"max {times[-1]:6.2f} ms")
EOF2
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
done
