#!/usr/bin/env bash
# One benchmark run, same split, same machine: Shelfwise's models, then the open baselines
# (implicit's ALS, BPR and item-cosine, numpy EASE) on the split Shelfwise wrote, then
# Shelfwise's recommendations re-scored by the Python metric code.
#
#   bench/run.sh [DATA_DIR] [OUT_DIR]
#
# Needs python3 (>= 3.9) and network access to PyPI the first time (creates .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-data/raw}
OUT=${2:-target/bench}
mkdir -p "$OUT"

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet implicit numpy scipy threadpoolctl
fi

cargo build --release -p engine --example recs_eval
echo "== Shelfwise (train + eval; writes the split and hybrid recommendations)" >&2
/usr/bin/time -v target/release/examples/recs_eval --data "$DATA" \
    --split-out "$OUT/split" --recs-out "$OUT/shelfwise-recs.csv" --model hybrid \
    ${SHELFWISE_ARGS:-} >"$OUT/shelfwise.txt" 2>"$OUT/shelfwise.log"
grep -E "Maximum resident|Elapsed" "$OUT/shelfwise.log" >&2 || true

echo "== peers (implicit, numpy EASE) on the same split" >&2
/usr/bin/time -v .venv/bin/python bench/peers.py "$OUT/split" \
    --als-factors 128 --als-alpha 5 10 --als-reg 0.01 \
    --ease-lambda 50 200 --ease-min 8 \
    --recs "shelfwise-hybrid=$OUT/shelfwise-recs.csv" \
    ${PEERS_ARGS:-} >"$OUT/peers.txt" 2>"$OUT/peers.log"
grep -E "Maximum resident|Elapsed" "$OUT/peers.log" >&2 || true

echo "--- Shelfwise"
cat "$OUT/shelfwise.txt"
echo "--- peers"
cat "$OUT/peers.txt"
