#!/usr/bin/env bash
# Install what only the tests need, on top of scripts/setup.sh's (`make test` runs both), skipping
# whatever is already there: Debian's Chromium and Playwright, pinned by end2end/package-lock.json,
# which drives it (docs/TOOLCHAIN.md: Playwright's own browser downloads fail here).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! command -v chromium >/dev/null 2>&1; then
  say "installing Debian's Chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# end2end's lock also holds binaryen; the wasm-opt the build uses is tools/'s (scripts/setup.sh),
# first on the Makefile's PATH.
if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing Playwright from npm"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# The Spark check (scripts/spark-check.sh): a headless Java from Debian, and PySpark pinned from
# PyPI into its own venv. 3.5 is the line EMR 7 runs, and it runs on Java 17.
if ! command -v java >/dev/null 2>&1; then
  say "installing Debian's Java for Spark"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi

SPARK_VENV=target/spark-venv
SPARK_PINS="pyspark==3.5.7 numpy==1.26.4"
if [ "$(cat "$SPARK_VENV/.installed" 2>/dev/null)" != "$SPARK_PINS" ]; then
  say "installing PySpark into $SPARK_VENV"
  python3 -m venv "$SPARK_VENV"
  # shellcheck disable=SC2086 # the pins are words
  "$SPARK_VENV/bin/pip" install --quiet --disable-pip-version-check $SPARK_PINS
  echo "$SPARK_PINS" > "$SPARK_VENV/.installed"
fi
