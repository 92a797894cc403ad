# The two commands: `make run` and `make test`. Both install what is missing, both idempotent.
SHELL := /bin/bash
# tools/node_modules/.bin first: cargo-leptos must find wasm-opt 132 there (scripts/setup.sh).
export PATH := $(CURDIR)/tools/node_modules/.bin:$(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export SHELFWISE_BX_DIR := $(CURDIR)/data/raw
# CI builds everything once in a fresh clone: incremental caches would only cost disk (gigabytes
# of it on a machine whose disk the clone shares).
ifdef CI
export CARGO_INCREMENTAL := 0
endif

.PHONY: run test setup setup-test data build check deploy-check unit spark e2e

## Set up what running needs (first run only), fetch and import the data, build, and serve on
## http://127.0.0.1:3000
run: setup data build
	./scripts/import.sh data
	./target/release/shelfwise --data-dir data serve --addr 127.0.0.1:3000 --site-root target/site

## Formatting, clippy, deployment checks, unit and integration tests, the Spark ALS check, then
## the Playwright journeys
test: setup setup-test data check deploy-check unit spark build e2e

# What building and running need: the patched reactive_graph, the wasm32 target, cargo-leptos,
# wasm-bindgen and wasm-opt 132.
setup:
	./scripts/setup.sh

# What only the tests need: Chromium and Playwright, Java and PySpark.
setup-test:
	./scripts/setup-test.sh

data:
	./scripts/fetch-data.sh

build:
	cargo leptos build --release --precompress

# vendor.sh --check: vendor/reactive_graph is exactly crates.io's crate plus vendor/reactive_graph.patch.
check:
	./scripts/vendor.sh --check
	cargo fmt --all -- --check
	cargo clippy -p engine -p app -p shelfwise -p test-support --all-targets --features app/ssr -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# The deployment files: hadolint, shellcheck, systemd-analyze, caddy validate, a dry run of the
# EC2 user-data in a scratch root (tools from PyPI into target/, once).
deploy-check:
	./scripts/check-deploy.sh

# SHELFWISE_REQUIRE_DATA: the real-data tests fail instead of skipping when the data is missing.
unit:
	SHELFWISE_REQUIRE_DATA=1 cargo test -p engine -p app -p shelfwise -p test-support --features app/ssr

# ALS trained on Spark MLlib in local mode on Book-Crossing: the engine loads its factors, folds
# held-out readers in, and its NDCG@10 must be within 10 % of the engine's own ALS (docs/spark.md).
spark: setup setup-test data
	./scripts/spark-check.sh

e2e: setup-test build
	./scripts/check-wasm.sh
	./scripts/import.sh target/e2e-data
	cd end2end && npx playwright test
