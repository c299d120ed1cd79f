# One entry point for the README, CI and the benches.
#   make demo    set up, build, and run the demo shop + local Midtrans simulator
#   make test    set up and run every check and test
#   make test-frameworks   the framework apps (Next.js, React Router, Vite, Nuxt, SvelteKit, PHP)
#   make build   write the npm package to pkg/
#   make bench   print size and speed figures
#   make fuzz    fuzz the core for a bounded time (nightly, cargo-fuzz)
SHELL := /bin/bash
.DEFAULT_GOAL := help
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 120

.PHONY: help setup setup-test build demo test lint test-native test-postgres test-sdk test-wasm test-browser test-frameworks size-check bench fuzz fuzz-merge fmt clean

help:
	@echo "make demo   - set up, build and run the demo shop with the local Midtrans simulator"
	@echo "make test   - set up and run all checks and tests"
	@echo "make test-frameworks - the framework apps: Next.js, React Router, Vite, Nuxt, SvelteKit, PHP"
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
	cargo clippy -p gopay-widget --target wasm32-unknown-unknown --lib --features server -- -D warnings
	node_modules/.bin/biome check --error-on-warnings
	node_modules/.bin/tsc -p js/tsconfig.json

test-native:
	cargo test --workspace

# The shop's storage and HTTP tests again, and its several-instance tests, on a throwaway
# PostgreSQL cluster (started and stopped around them, also when they fail).
test-postgres: setup-test
	scripts/with-postgres.sh cargo test -p gopay-demo

# The official Midtrans SDKs (npm midtrans-client, PyPI midtransclient) against the simulator.
test-sdk: setup-test
	cargo build -p gopay-simulator
	node --test tests/sdk/
	target/sdk-venv/bin/python -m unittest discover -s tests/sdk -v

test-wasm:
	cargo test -p gopay-widget --target wasm32-unknown-unknown --test web

test-browser: build
	node --test --test-concurrency=2 tests/browser/

# Next.js (pages, a route handler, a static prerender, the edge runtime), React Router 7, Vite
# (+ React, and server-rendered with no framework), Nuxt, SvelteKit and a PHP page, each with the
# packed tarball installed (tests/frameworks/, one npm workspace and lockfile); the table at the
# end is what they observed.
test-frameworks: build
	@scripts/setup.sh --frameworks
	@node tests/frameworks/install-package.mjs
	@rm -rf artifacts/frameworks
	@status=0; node --test --test-concurrency=2 tests/frameworks/*.test.mjs || status=$$?; \
	  node tests/frameworks/table.mjs; exit $$status

# The shipped files' brotli total against the budget stated in README.md (pkg/ as built).
size-check:
	node scripts/size-check.mjs

test: setup-test
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-native
	@$(MAKE) --no-print-directory test-postgres
	@$(MAKE) --no-print-directory test-sdk
	@$(MAKE) --no-print-directory test-wasm
	@$(MAKE) --no-print-directory test-browser
	@$(MAKE) --no-print-directory test-frameworks
	@$(MAKE) --no-print-directory size-check
	@echo "make test: all checks passed"

# The browser bench needs what the tests need (Chromium, zbarimg, brotli); the shop's scaling
# run (SQLite against one and three instances on PostgreSQL) needs PostgreSQL.
bench: setup-test build
	@scripts/bench.sh
	@if [ "$${SKIP_LOAD:-}" != 1 ]; then echo; echo "== The shop on SQLite and on PostgreSQL, one and three instances"; scripts/bench-scale.sh; fi

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
	rm -rf pkg node_modules artifacts tests/frameworks/node_modules
