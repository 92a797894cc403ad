#!/usr/bin/env bash
# Server-side search latency over HTTP: 1,000 real queries (catalog titles as typed, with a typo,
# and cut mid-word) sent to the search server function of a running release server by wrk
# (Debian package `wrk`): 20 s on one connection (the latency one reader sees), then 20 s on
# eight (throughput when readers overlap). Prints wrk's latency distributions.
#   usage: bench/search_http.sh [http://127.0.0.1:3000]
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:-http://127.0.0.1:3000}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
[ -s bench/queries.txt ] || cargo run --release -q -p engine --example search_bench -- --write-queries bench/queries.txt
echo "== one connection"
wrk -t1 -c1 -d20s --latency -s bench/search_http.lua "$URL"
echo "== eight connections"
wrk -t2 -c8 -d20s --latency -s bench/search_http.lua "$URL"
