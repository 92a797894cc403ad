#!/usr/bin/env bash
# Load test of the release server on the real catalog: 64 connections for 60 s, as four oha
# runs side by side (oha takes one URL or body per run), 16 connections each:
#   home    GET  /                              the popular-books page, rendered on the server
#   search  POST /api/search_books              one query, the autocomplete's server function
#   book    GET  /book/ISBN                     200 popular books, URLs picked at random
#   rate    POST /api/rate_book                 4 runs x 4 connections, one pre-made anonymous
#                                               session each (every write is flushed to disk)
# Prints and writes to bench/results/load-DATE.txt: per class and overall requests/s, p50,
# p99, errors (non-2xx answers and connection errors; requests oha cuts off at the end of the
# run are not counted), and the server's peak RSS (VmHWM).
#   usage: bench/load.sh [DATA_DIR]     (default target/load-data: imported once from
#          $SHELFWISE_BX_DIR, default data/raw, by scripts/import.sh)
#   env:   DURATION (60s), CONNECTIONS_PER_CLASS (16), PORT (3300), SHELFWISE_BIN, SITE_ROOT
# Not part of `make test`: it needs a quiet machine to mean anything.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR=${1:-target/load-data}
DURATION=${DURATION:-60s}
PER_CLASS=${CONNECTIONS_PER_CLASS:-16}
PORT=${PORT:-3300}
BIN=${SHELFWISE_BIN:-target/release/shelfwise}
SITE_ROOT=${SITE_ROOT:-target/site}
URL="http://127.0.0.1:$PORT"
export PATH="$HOME/.cargo/bin:$PATH"

[ -x "$BIN" ] || { echo "no $BIN: run cargo leptos build --release first" >&2; exit 1; }
if ! command -v oha >/dev/null; then
  echo "==> installing oha (once, a few minutes)"
  cargo install oha --locked
fi
./scripts/import.sh "$DATA_DIR"

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$BIN" --data-dir "$DATA_DIR" --log-level warn serve --addr "127.0.0.1:$PORT" --site-root "$SITE_ROOT" \
  2> "$work/server.log" &
server_pid=$!
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "$URL/readyz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS -o /dev/null "$URL/readyz"

form='application/x-www-form-urlencoded'
# The books: the first pages of the popular list (the pages readers open most).
for page in 1 2 3 4 5 6 7 8 9 10; do
  curl -fsS -X POST -H "Content-Type: $form" --data "page=$page" "$URL/api/popular_books"
  echo
done | python3 -c '
import json, sys
seen = []
for line in sys.stdin:
    if line.strip():
        seen += [b["isbn"] for b in json.loads(line)["books"]]
for isbn in seen[:200]:
    print(f"'"$URL"'/book/{isbn}")
' > "$work/book-urls.txt"
[ -s "$work/book-urls.txt" ] || { echo "no books from /api/popular_books" >&2; exit 1; }
first_isbn=$(head -n1 "$work/book-urls.txt" | sed 's#.*/book/##')

# Anonymous sessions: a first rating without a cookie makes one.
cookies=()
for _ in 1 2 3 4; do
  c=$(curl -fsS -o /dev/null -D - -X POST -H "Content-Type: $form" \
        --data "isbn=$first_isbn&stars=4" "$URL/api/rate_book" \
      | sed -n 's/^[Ss]et-[Cc]ookie: \(shelfwise_session=[0-9a-f]*\).*/\1/p' | tr -d '\r')
  [ -n "$c" ] || { echo "no session cookie from rate_book" >&2; exit 1; }
  cookies+=("$c")
done

echo "==> $DURATION, $((PER_CLASS * 4)) connections: home, search, book, rate ($PER_CLASS each)"
oha_run() { oha --no-tui --output-format json -z "$DURATION" "$@"; }
oha_run -c "$PER_CLASS" "$URL/" > "$work/home.json" &
p1=$!
oha_run -c "$PER_CLASS" -m POST -T "$form" -d 'query=harry+potter&limit=8' "$URL/api/search_books" \
  > "$work/search.json" &
p2=$!
oha_run -c "$PER_CLASS" --urls-from-file "$work/book-urls.txt" > "$work/book.json" &
p3=$!
rate_pids=()
per_cookie=$(( PER_CLASS / 4 )); [ "$per_cookie" -ge 1 ] || per_cookie=1
for i in 0 1 2 3; do
  isbn=$(sed -n "$((i + 1))p" "$work/book-urls.txt" | sed 's#.*/book/##')
  oha_run -c "$per_cookie" -m POST -T "$form" -H "Cookie: ${cookies[$i]}" \
    -d "isbn=$isbn&stars=$((i + 2))" "$URL/api/rate_book" > "$work/rate$i.json" &
  rate_pids+=($!)
done
wait "$p1" "$p2" "$p3" "${rate_pids[@]}"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")

mkdir -p bench/results
out="bench/results/load-$(date +%Y-%m-%d).txt"
python3 - "$work" "$rss_kb" "$DURATION" "$PER_CLASS" "$(nproc)" "$(git rev-parse --short HEAD 2>/dev/null || echo -)" <<'PY' | tee "$out"
import json, sys, os
work, rss_kb, duration, per_class, cores, commit = sys.argv[1:]

def load(name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)

classes = {
    "home    GET /": ["home.json"],
    "search  POST /api/search_books": ["search.json"],
    "book    GET /book/ISBN": ["book.json"],
    "rate    POST /api/rate_book": [f"rate{i}.json" for i in range(4)],
}

def status_counts(run):
    return {int(k): v for k, v in run.get("statusCodeDistribution", {}).items()}

def latencies(run):
    # oha's JSON has percentiles, not raw samples: per class, the runs are combined by
    # weighting each run's percentile with its request count (exact for one run, close for
    # the four identical rating runs).
    return run["latencyPercentiles"]

rows, total_rps, total_ok, total_err, all_runs = [], 0.0, 0, 0, []
for label, files in classes.items():
    runs = [load(f) for f in files]
    all_runs += runs
    rps = sum(r["summary"]["requestsPerSec"] for r in runs)
    codes = {}
    for r in runs:
        for k, v in status_counts(r).items():
            codes[k] = codes.get(k, 0) + v
    ok = sum(v for k, v in codes.items() if 200 <= k < 300)
    bad = sum(v for k, v in codes.items() if not 200 <= k < 300)
    # Requests still in flight when the duration ends are cut off by oha itself
    # ("aborted due to deadline"): not the server's errors.
    conn_errors = sum(v for r in runs for k, v in r.get("errorDistribution", {}).items()
                      if "deadline" not in k)
    n = [sum(status_counts(r).values()) or 1 for r in runs]
    p50 = sum(latencies(r)["p50"] * w for r, w in zip(runs, n)) / sum(n)
    p99 = sum(latencies(r)["p99"] * w for r, w in zip(runs, n)) / sum(n)
    rows.append((label, rps, p50 * 1e3, p99 * 1e3, ok, bad + conn_errors, codes))
    total_rps += rps
    total_ok += ok
    total_err += bad + conn_errors

print(f"Shelfwise load test, {duration}, {int(per_class) * 4} connections ({per_class} per class), "
      f"{cores} cores (shared), commit {commit}")
print(f"{'class':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'2xx':>9} {'errors':>7}")
for label, rps, p50, p99, ok, err, codes in rows:
    print(f"{label:34} {rps:9.1f} {p50:8.2f} {p99:8.2f} {ok:9d} {err:7d}")
# Overall percentiles: the classes' percentiles weighted by their request counts.
w = [r[4] + r[5] or 1 for r in rows]
p50 = sum(r[2] * x for r, x in zip(rows, w)) / sum(w)
p99 = max(r[3] for r in rows)
print(f"{'overall':34} {total_rps:9.1f} {p50:8.2f} {p99:8.2f} {total_ok:9d} {total_err:7d}")
print("(overall p50: request-weighted mean of the class p50s; overall p99: the worst class p99)")
for label, *_, codes in rows:
    print(f"status codes, {label.split()[0]}: {dict(sorted(codes.items()))}")
print(f"server peak RSS (VmHWM): {int(rss_kb) / 1024:.0f} MiB")
PY
echo "written to $out"
