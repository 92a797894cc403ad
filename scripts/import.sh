#!/usr/bin/env bash
# Import the Book-Crossing files of $SHELFWISE_BX_DIR (default: data/raw) into the store under
# $1 (default: data) and train the recommendation models on it, once: stamps record the
# checksums of the files and of the binary, so re-running is instant unless either changed.
# (Importing is idempotent, so a new binary re-importing over the same store is safe; the model
# file's format follows the engine, hence the binary's sum.)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR=${1:-data}
RAW=${SHELFWISE_BX_DIR:-data/raw}
stamp="$DATA_DIR/store/.imported-book-crossing"
sums=$(cat "$RAW"/BX-*.csv target/release/shelfwise | md5sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sums" ]; then
  echo "==> importing Book-Crossing into $DATA_DIR/store"
  target/release/shelfwise --data-dir "$DATA_DIR" import book-crossing "$RAW"
  echo "$sums" > "$stamp"
fi
model_stamp="$DATA_DIR/.trained"
if [ ! -f "$DATA_DIR/model.bin" ] || [ ! -f "$model_stamp" ] || [ "$(cat "$model_stamp")" != "$sums" ]; then
  echo "==> training the recommendation models into $DATA_DIR/model.bin"
  target/release/shelfwise --data-dir "$DATA_DIR" train
  echo "$sums" > "$model_stamp"
fi
