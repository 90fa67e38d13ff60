#!/usr/bin/env bash
# Benchmarks of issue 6 (see bench/README.md), each beside nginx serving the same bytes:
#   1. GET /rest/V1/products/:sku with an admin Bearer token (1,000-product catalog);
#   2. filtered, sorted, paged lists with exact total_count over SIZES catalogs:
#      (a) name like 'Product 12%' and status eq 1, sort by price ASC, pageSize 20;
#      (b) name like '%blue%', pageSize 20;
#   3. PUT /rest/V1/products/:sku with a full product body (bench/product_put.sh; no nginx
#      reference, a static server does not save).
# Environment: SIZES (default "10000 100000 1000000"), DURATION, ROUNDS, STOREGATE_BIN as for
# bench/storeviews.sh; SKIP_PUT=1 leaves out 3. Reports land in bench/out/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sizes=${SIZES:-"10000 100000 1000000"}

f='searchCriteria[filterGroups]'
list_a="/rest/V1/products?${f}[0][filters][0][field]=name&${f}[0][filters][0][value]=Product%2012%25"
list_a+="&${f}[0][filters][0][conditionType]=like&${f}[1][filters][0][field]=status"
list_a+="&${f}[1][filters][0][value]=1&searchCriteria[sortOrders][0][field]=price"
list_a+="&searchCriteria[sortOrders][0][direction]=ASC&searchCriteria[pageSize]=20"
list_b="/rest/V1/products?${f}[0][filters][0][field]=name&${f}[0][filters][0][value]=%25blue%25"
list_b+="&${f}[0][filters][0][conditionType]=like&searchCriteria[pageSize]=20"

BENCH_NAME=product_get PRODUCTS=1000 BENCH_PATH=/rest/V1/products/SG-000042 "$here/storeviews.sh"
for n in $sizes; do
    BENCH_NAME=list_a_$n PRODUCTS=$n BENCH_PATH=$list_a "$here/storeviews.sh"
    BENCH_NAME=list_b_$n PRODUCTS=$n BENCH_PATH=$list_b "$here/storeviews.sh"
done
[ "${SKIP_PUT:-}" = 1 ] || "$here/product_put.sh"
