#!/usr/bin/env bash
# Install what building and testing Shelfwise needs, skipping whatever is already there.
# Versions and traps: see docs/TOOLCHAIN.md (cargo-leptos 0.3.10 offline, wasm-bindgen 0.2.129
# to match the crate, wasm-opt 132 from npm because Debian's breaks hydration).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

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

if ! command -v chromium >/dev/null 2>&1; then
  say "installing Debian's Chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# Playwright and wasm-opt (binaryen 132) come from npm, pinned by end2end/package-lock.json.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing Playwright and wasm-opt from npm"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
