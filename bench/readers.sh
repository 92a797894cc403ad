#!/usr/bin/env bash
# Readers' write paths and the signed-in home page, against a running release server with the
# Book-Crossing store (wrk, Debian package `wrk`):
#   1. log-in latency (argon2id, 19 MiB, t=2, p=1), one connection, 20 s;
#   2. rating write latency including the flush to disk, one connection, 20 s;
#   3. ratings per second from 32 concurrent clients (32 readers), 20 s;
#   4. the server-rendered home page of a signed-in reader with ratings ("For you",
#      "Because you liked", popular), 32 concurrent clients for 30 s, then 8 and 1 for 15 s.
# Prints one line per run: requests, errors, throughput, p50, p99.
#   usage: bench/readers.sh [http://127.0.0.1:3000]
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:-http://127.0.0.1:3000}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
# A server just started answers pages before its model has loaded (popular books instead of
# "For you", with the load competing for the cores): measure the server readers get.
for _ in $(seq 1 120); do curl -sf -o /dev/null "$URL/readyz" && break; sleep 1; done
curl -sf -o /dev/null "$URL/readyz" || { echo "$URL/readyz is not ready after 2 minutes" >&2; exit 1; }
name="bench$(date +%s)"
export USER_NAME=$name

# A thousand real ISBNs of the catalog, from the search bench's popular books.
curl -sf -X POST "$URL/api/popular_books" -d page=1 >/dev/null
: > bench/.isbns
for p in $(seq 1 40); do
  curl -sf -X POST "$URL/api/popular_books" -d "page=$p" | grep -o '"isbn":"[0-9X]*"' | cut -d'"' -f4 >> bench/.isbns
done

cookie_of() { grep -io 'shelfwise_session=[0-9a-f]*' | head -1 | cut -d= -f2; }

# The bench account (its session rates five books so its home page is personal).
curl -sf -D - -o /dev/null -X POST "$URL/api/signup" -d "username=$name&password=bench+passphrase+here" | cookie_of > bench/.sessions
for isbn in $(head -5 bench/.isbns); do
  curl -sf -o /dev/null -X POST "$URL/api/rate_book" -H "Cookie: shelfwise_session=$(head -1 bench/.sessions)" -d "isbn=$isbn&stars=5"
done

echo "== log-in latency, one connection"
MODE=login wrk -t1 -c1 -d20s -s bench/readers.lua "$URL"
echo "== rating write latency (acknowledged after the flush), one connection"
MODE=rate wrk -t1 -c1 -d20s -s bench/readers.lua "$URL"

# 32 anonymous readers, one session each.
home=$(head -1 bench/.sessions)
: > bench/.sessions
for i in $(seq 1 32); do
  curl -sf -D - -o /dev/null -X POST "$URL/api/rate_book" -d "isbn=$(sed -n "${i}p" bench/.isbns)&stars=4" | cookie_of >> bench/.sessions
done
echo "== ratings per second, 32 concurrent clients"
MODE=rate wrk -t2 -c32 -d20s -s bench/readers.lua "$URL"

echo "$home" > bench/.sessions
echo "== signed-in home page, 32 concurrent clients"
MODE=home wrk -t2 -c32 -d30s -s bench/readers.lua "$URL"
# Fewer clients: where the latency goal holds on this machine, and one page's own cost.
for c in 8 1; do
  echo "== signed-in home page, $c concurrent clients"
  MODE=home wrk -t1 -c$c -d15s -s bench/readers.lua "$URL"
done
rm -f bench/.sessions bench/.isbns
