#!/usr/bin/env bash
# One benchmark run, same split, same machine: Shelfwise's models, then the open peers on the
# split Shelfwise wrote (at ISBN and at work level), Shelfwise's lists re-scored by the Python
# metric code; then the same on the cold-start split (readers cut down to 1, 2, 3, 5 and 10
# training interactions), the peers reusing the settings chosen on the main split.
#
#   bench/run.sh [DATA_DIR] [OUT_DIR]
#
# Knobs: PEERS_GRID=full (the validation grid behind the published table; default quick: one
# or two settings per peer), COLD=0 (skip the cold-start half), SHELFWISE_ARGS / PEERS_ARGS
# (extra recs_eval / peers.py flags, e.g. PEERS_ARGS="--skip slim vae"), CARGO_TARGET_DIR.
# Needs python3 (>= 3.9) and network access to PyPI the first time (creates .venv); SANSA also
# needs SuiteSparse's headers (Debian: libsuitesparse-dev), else it is reported as failed.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-data/raw}
OUT=${2:-target/bench}
TARGET=${CARGO_TARGET_DIR:-target}
GRID=${PEERS_GRID:-quick}
mkdir -p "$OUT"

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet implicit numpy scipy threadpoolctl scikit-learn torch
    # scikit-sparse 0.5 wants SuiteSparse 7; Debian 12 ships 5.12, which 0.4.x builds against.
    .venv/bin/pip install --quiet "scikit-sparse<0.5" sansa || echo "sansa did not install" >&2
fi

cargo build --release -p engine --example recs_eval
EVAL="$TARGET/release/examples/recs_eval"

# Shelfwise's lists of every model, as NAME=FILE arguments for peers.py.
shelfwise_lists() {
    for m in popularity content item-knn als ease hybrid; do
        echo "--recs shelfwise-$m=$1/shelfwise-$m.csv"
    done
}

echo "== Shelfwise (train + eval; writes the split and every model's lists)" >&2
/usr/bin/time -v "$EVAL" --data "$DATA" --split-out "$OUT/split" --lists-out "$OUT/lists" \
    --recs-out "$OUT/shelfwise-recs.csv" --model hybrid \
    ${SHELFWISE_ARGS:-} >"$OUT/shelfwise.txt" 2>"$OUT/shelfwise.log"
grep -E "Maximum resident|Elapsed" "$OUT/shelfwise.log" >&2 || true

echo "== peers on the same split (grid $GRID, tuned on validation)" >&2
/usr/bin/time -v .venv/bin/python bench/peers.py "$OUT/split" --books "$DATA/BX-Books.csv" \
    --grid "$GRID" --params-out "$OUT/peer-params.json" $(shelfwise_lists "$OUT/lists") \
    ${PEERS_ARGS:-} >"$OUT/peers.txt" 2>"$OUT/peers.log"
grep -E "Maximum resident|Elapsed" "$OUT/peers.log" >&2 || true

if [ "${COLD:-1}" != 0 ]; then
    echo "== cold start: Shelfwise" >&2
    /usr/bin/time -v "$EVAL" --data "$DATA" --cold-start --split-out "$OUT/cold/split" \
        --lists-out "$OUT/cold/lists" \
        ${SHELFWISE_ARGS:-} >"$OUT/cold/shelfwise.txt" 2>"$OUT/cold/shelfwise.log"
    echo "== cold start: peers (settings of the main split)" >&2
    /usr/bin/time -v .venv/bin/python bench/peers.py "$OUT/cold/split" --books "$DATA/BX-Books.csv" \
        --buckets --params-in "$OUT/peer-params.json" $(shelfwise_lists "$OUT/cold/lists") \
        ${PEERS_ARGS:-} >"$OUT/cold/peers.txt" 2>"$OUT/cold/peers.log"
fi

echo "--- Shelfwise"
cat "$OUT/shelfwise.txt"
echo "--- peers"
cat "$OUT/peers.txt"
if [ "${COLD:-1}" != 0 ]; then
    echo "--- cold start: Shelfwise"
    cat "$OUT/cold/shelfwise.txt"
    echo "--- cold start: peers and Shelfwise's lists"
    cat "$OUT/cold/peers.txt"
fi
