#!/usr/bin/env bash
# The ALS component trained on Spark MLlib in local mode, on Book-Crossing (`make spark`, run by
# `make test`; docs/spark.md): export the protocol split's training part, train it with
# spark/als.py, then load Spark's work factors into the engine, fold the held-out readers in,
# and fail unless Spark's NDCG@10 per work is within TOLERANCE of the engine's own ALS on the
# same split. Needs scripts/setup-test.sh's Java and target/spark-venv.
#
# Rank 64 and 10 iterations (not the engine's 128 and 15) keep it to a few minutes on two cores;
# both sides train with the same settings. SPARK_RANK, SPARK_ITERS, SPARK_REG, SPARK_TOLERANCE
# override them; SPARK_WORK is the scratch folder (default target/spark-check).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

RANK=${SPARK_RANK:-64}
ITERS=${SPARK_ITERS:-10}
REG=${SPARK_REG:-0.001}
TOLERANCE=${SPARK_TOLERANCE:-0.10}
PY=target/spark-venv/bin/python
WORK=${SPARK_WORK:-target/spark-check}

if [ ! -x "$PY" ] || ! command -v java >/dev/null 2>&1; then
  echo "FAIL spark: no Java or no $PY: run scripts/setup-test.sh (make setup-test)" >&2
  exit 1
fi
if [ ! -f data/raw/BX-Book-Ratings.csv ]; then
  echo "FAIL spark: no Book-Crossing in data/raw: run make data" >&2
  exit 1
fi

rm -rf "$WORK/export" "$WORK/factors"
mkdir -p "$WORK"
say "building the check (release)"
nice -n 10 cargo build --release --quiet -p engine --example spark_als
CHECK=${CARGO_TARGET_DIR:-target}/release/examples/spark_als

say "exporting the training part of Book-Crossing's protocol split"
nice -n 10 "$CHECK" export --data data/raw --out "$WORK/export"

say "training ALS on Spark, local[2] (rank $RANK, $ITERS iterations, regParam $REG)"
started=$(date +%s)
if ! nice -n 10 "$PY" spark/als.py "$WORK/export" "$WORK/factors" --master 'local[2]' \
  --driver-memory 4g --rank "$RANK" --max-iter "$ITERS" --reg-param "$REG" \
  >"$WORK/spark.log" 2>&1; then
  tail -n 40 "$WORK/spark.log" >&2
  echo "FAIL spark: the Spark job failed (log: $WORK/spark.log)" >&2
  exit 1
fi
grep '^trained on' "$WORK/spark.log" || true
echo "spark-submit wall clock, JVM start included: $(($(date +%s) - started)) s"

say "loading Spark's factors into the engine, against the engine's own ALS"
nice -n 10 "$CHECK" check --data data/raw --factors "$WORK/factors" --tolerance "$TOLERANCE"
