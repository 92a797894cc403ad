#!/usr/bin/env bash
# The hydrate bundle ships to every reader: it must not carry server-only crates. Panic locations
# name each crate's source path, so a server crate compiled into the wasm shows up by name.
set -euo pipefail
cd "$(dirname "$0")/.."
# The file name carries a content hash (hash-files in Cargo.toml) unless hashing is off.
WASM=""
for f in target/site/pkg/shelfwise.wasm target/site/pkg/shelfwise.*.wasm; do
  [ -e "$f" ] || continue
  if [ -z "$WASM" ] || [ "$f" -nt "$WASM" ]; then WASM=$f; fi
done
[ -n "$WASM" ] && [ -f "$WASM" ] || { echo "no target/site/pkg/shelfwise*.wasm: run cargo leptos build --release first" >&2; exit 1; }
found=$(strings "$WASM" | grep -oE "/(sled|sprs|argon2|faer|rayon|tokio|axum|postcard|fst|csv)-[0-9]+\.[0-9]+|/engine/src/" | sort -u || true)
if [ -n "$found" ]; then
  echo "error: server-only code in the wasm bundle:" >&2
  echo "$found" >&2
  exit 1
fi
raw=$(stat -c %s "$WASM")
gz=$(gzip -9 -c "$WASM" | wc -c)
echo "wasm bundle: $raw bytes raw, $gz bytes gzip; no server-only crates"
