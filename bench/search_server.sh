#!/usr/bin/env bash
# One release server's search as readers meet it: start it on a copy-free data folder, wait for
# /readyz, print its RSS, the catalog load line (with the search index's size), then wrk's
# latency for bench/search_http.lua on one connection and on eight (bench/search_http.sh),
# and the RSS after. Run it for two builds one after the other to compare them.
#   usage: bench/search_server.sh BINARY DATA_DIR [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1 DATA=$2 PORT=${3:-3190}
log=$(mktemp)
"$BIN" --data-dir "$DATA" serve --addr "127.0.0.1:$PORT" --site-root target/site >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.5; done
sleep 2
echo "binary $BIN ($("$BIN" --version 2>/dev/null || true))"
sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -o 'catalog loaded.*' || true
[ -d "$DATA/search" ] && echo "search index on disk: $(du -sk "$DATA/search" | cut -f1) KiB"
echo "RSS ready: $(grep VmRSS /proc/$pid/status | awk '{print $2}') KiB"
bench/search_http.sh "http://127.0.0.1:$PORT"
echo "RSS after: $(grep VmRSS /proc/$pid/status | awk '{print $2}') KiB, peak $(grep VmHWM /proc/$pid/status | awk '{print $2}') KiB"
