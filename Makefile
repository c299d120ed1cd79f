# One entry point for the README, CI and the benches.
#   make demo    set up, build, and run the demo shop + local Midtrans simulator
#   make test    set up and run every check and test
#   make build   write the npm package to pkg/
#   make bench   print size and speed figures
#   make fuzz    fuzz the core for a bounded time (nightly, cargo-fuzz)
SHELL := /bin/bash
.DEFAULT_GOAL := help
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 120

.PHONY: help setup setup-test build demo test lint test-native test-sdk test-wasm test-browser size-check bench fuzz fuzz-merge fmt clean

help:
	@echo "make demo   - set up, build and run the demo shop with the local Midtrans simulator"
	@echo "make test   - set up and run all checks and tests"
	@echo "make build  - build the npm package into pkg/"
	@echo "make bench  - print size and speed figures"
	@echo "make fuzz   - run each fuzz target FUZZ_SECONDS (60) and print executions and crashes"

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

build: setup
	@scripts/build.sh

demo: build
	@cargo build -p gopay-demo -p gopay-simulator
	@scripts/demo.sh

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p gopay-widget --target wasm32-unknown-unknown --lib --test web -- -D warnings
	node_modules/.bin/biome check --error-on-warnings

test-native:
	cargo test --workspace

# The official Midtrans SDKs (npm midtrans-client, PyPI midtransclient) against the simulator.
test-sdk: setup-test
	cargo build -p gopay-simulator
	node --test tests/sdk/
	target/sdk-venv/bin/python -m unittest discover -s tests/sdk -v

test-wasm:
	cargo test -p gopay-widget --target wasm32-unknown-unknown --test web

test-browser: build
	node --test --test-concurrency=2 tests/browser/

# The shipped files' brotli total against the budget stated in README.md (pkg/ as built).
size-check:
	node scripts/size-check.mjs

test: setup-test
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-native
	@$(MAKE) --no-print-directory test-sdk
	@$(MAKE) --no-print-directory test-wasm
	@$(MAKE) --no-print-directory test-browser
	@$(MAKE) --no-print-directory size-check
	@echo "make test: all checks passed"

# The browser bench needs what the tests need (Chromium, zbarimg, brotli).
bench: setup-test build
	@scripts/bench.sh

# Each target FUZZ_SECONDS (default 60); fuzz-merge also keeps new coverage in fuzz/corpus/.
fuzz:
	@scripts/fuzz.sh

fuzz-merge:
	@scripts/fuzz.sh --merge

fmt:
	cargo fmt --all
	node_modules/.bin/biome check --write --linter-enabled=false

clean:
	cargo clean
	rm -rf pkg node_modules artifacts
