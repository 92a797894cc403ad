#!/usr/bin/env bash
# Install what building and running Shelfwise needs, skipping whatever is already there; what
# only the tests need (Chromium, Playwright) is scripts/setup-test.sh's.
# Versions and traps: see docs/TOOLCHAIN.md (cargo-leptos 0.3.10 offline, wasm-bindgen 0.2.129
# to match the crate, wasm-opt 132 from npm because Debian's breaks hydration).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# First: no cargo command resolves the workspace without the patched reactive_graph
# (vendor/README.md). Silent when it is already in place.
./scripts/vendor.sh

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos 0.3.10" ]; then
  say "installing cargo-leptos 0.3.10 (about 11 minutes, once)"
  cargo install --locked cargo-leptos@0.3.10 --features no_downloads
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen 0.2.129" ]; then
  say "installing wasm-bindgen-cli 0.2.129 (about 2 minutes, once)"
  cargo install --locked wasm-bindgen-cli@0.2.129
fi

# wasm-opt (binaryen 132) comes from npm, pinned by tools/package-lock.json (nothing else in it);
# the Makefile puts tools/node_modules/.bin first on PATH. Never Debian's binaryen.
if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup.sh: npm is needed for wasm-opt 132 (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
  say "installing wasm-opt 132 from npm"
  (cd tools && npm ci --no-audit --no-fund)
fi
