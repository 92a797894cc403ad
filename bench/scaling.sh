#!/usr/bin/env bash
# What each model costs as the data grows: synthetic Book-Crossing-shaped data at several
# multiples of its size (engine/examples/synth_data.rs), then, per size and per model, one
# process of engine/examples/scale_bench.rs (training time, peak RSS, model file, load time,
# fold-in p50/p99) under /usr/bin/time -v; one table and a log-log plot with the 24 GB line
# (bench/scaling_plot.py). docs/scaling.md says what the synthetic data keeps and what not.
#
#   bench/scaling.sh [DATA_DIR] [WORK_DIR] [OUT_PREFIX]
#
# Knobs: SCALES (default "1 4 16"; "real" is the real files themselves), MODELS (default every
# model; `hybrid-reranked` is the hybrid trained as `shelfwise train` does by default, with
# the blend tuned and the reranker trained on a validation split first), REQUESTS (fold-in requests per model, default 500), EASE_BUDGET_MB (EASE's memory
# budget, default the engine's), SEED (default 1), CARGO_TARGET_DIR. The generated files are
# written under WORK_DIR (16x is about 1.1 GB) and never belong in the repository. Rows already
# in WORK_DIR/rows.tsv are kept (a rerun measures only the missing ones), so a size that did not
# finish can be run later on its own. Needs python3 and PyPI the first time (numpy and
# matplotlib in .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-data/raw}
WORK=${2:-target/scaling}
OUT=${3:-bench/results/scaling-$(date -u +%F)}
SCALES=${SCALES:-1 4 16}
MODELS=${MODELS:-popularity content item-knn als ease hybrid}
REQUESTS=${REQUESTS:-500}
SEED=${SEED:-1}
TARGET=${CARGO_TARGET_DIR:-target}
mkdir -p "$WORK"

cargo build --release -p engine --example synth_data --example scale_bench
SYNTH="$TARGET/release/examples/synth_data"
BENCH="$TARGET/release/examples/scale_bench"
BUDGET=()
if [ -n "${EASE_BUDGET_MB:-}" ]; then
    BUDGET=(--ease-budget-mb "$EASE_BUDGET_MB")
fi

ROWS="$WORK/rows.tsv"
[ -f "$ROWS" ] || "$BENCH" --header >"$ROWS"
{
    echo "# $(date -u '+%F %T') UTC, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, commit $(git rev-parse --short HEAD)"
    echo "# data: $SYNTH --data $DATA --scale S --seed $SEED --out $WORK/xS --check"
    echo "# each row: /usr/bin/time -v $BENCH --data DIR --model M --label xS --requests $REQUESTS ${BUDGET[*]}"
} >"$WORK/commands.txt"

for s in $SCALES; do
    if [ "$s" = real ]; then
        dir=$DATA
    else
        dir="$WORK/x$s"
        if [ ! -f "$dir/BX-Book-Ratings.csv" ]; then
            echo "== generating x$s" >&2
            "$SYNTH" --data "$DATA" --scale "$s" --seed "$SEED" --out "$dir" --check >"$WORK/synth-x$s.txt"
        fi
    fi
    label=$([ "$s" = real ] && echo real || echo "x$s")
    for m in $MODELS; do
        if awk -F'\t' -v l="$label" -v m="$m" '$1 == l && $2 == m {found = 1} END {exit !found}' "$ROWS"; then
            continue
        fi
        echo "== $label $m" >&2
        log="$WORK/log-$label-$m.txt"
        args=(--model "$m")
        [ "$m" = hybrid-reranked ] && args=(--model hybrid --rerank)
        if /usr/bin/time -v "$BENCH" --data "$dir" "${args[@]}" --label "$label" \
            --requests "$REQUESTS" --model-file "$WORK/model.bin" "${BUDGET[@]}" \
            >"$WORK/row.tmp" 2>"$log"; then
            cat "$WORK/row.tmp" >>"$ROWS"
        else
            echo "   failed: see $log" >&2
        fi
        grep -E "Maximum resident|Elapsed" "$log" >&2 || true
        rm -f "$WORK/model.bin" "$WORK/row.tmp"
    done
done

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -c "import numpy, matplotlib" 2>/dev/null || .venv/bin/pip install --quiet numpy matplotlib
.venv/bin/python bench/scaling_plot.py "$ROWS" --logs "$WORK" --commands "$WORK/commands.txt" \
    --table "$OUT.txt" --svg "$OUT.svg"
echo "table: $OUT.txt, plot: $OUT.svg" >&2
