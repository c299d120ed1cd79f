#!/usr/bin/env bash
# Installs what a new machine lacks. Idempotent: each step checks before it installs.
#   scripts/setup.sh          build tools (wasm32 target, wasm-bindgen CLI, npm tools)
#   scripts/setup.sh --test   the above plus the browser and tools the tests use (PostgreSQL
#                             among them), and the official Midtrans Python SDK in
#                             target/sdk-venv
#   scripts/setup.sh --frameworks   the above plus the framework apps' packages (tests/frameworks)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The wasm-bindgen CLI must be exactly the version the crate pins.
WB_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (takes a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm development tools"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--frameworks" ]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v chromedriver >/dev/null || need+=(chromium-driver)
  command -v zbarimg >/dev/null || need+=(zbar-tools)
  command -v brotli >/dev/null || need+=(brotli)
  command -v php >/dev/null || need+=(php-cli)
  # The throwaway cluster the shop's PostgreSQL tests run against (scripts/with-postgres.sh).
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
  if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]} from Debian"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi

  # The official Python SDK that tests/sdk drives, in a virtualenv of its own (target/ is
  # ignored), installed again only when its pinned requirements change.
  SDK_VENV=target/sdk-venv
  if [ ! -f "$SDK_VENV/installed" ] || [ tests/sdk/requirements.txt -nt "$SDK_VENV/installed" ]; then
    say "installing the Midtrans Python SDK into $SDK_VENV"
    rm -rf "$SDK_VENV"
    if python3 -m venv "$SDK_VENV" 2>/dev/null; then
      "$SDK_VENV/bin/python" -m pip install -q --disable-pip-version-check -r tests/sdk/requirements.txt
    else
      # A Python without ensurepip (Debian's without python3-venv): the system pip fills it.
      rm -rf "$SDK_VENV"
      python3 -m venv --without-pip "$SDK_VENV"
      python3 -m pip --python "$SDK_VENV/bin/python" install -q --disable-pip-version-check \
        -r tests/sdk/requirements.txt
    fi
    touch "$SDK_VENV/installed"
  fi
fi

# The framework apps share one npm workspace and lockfile: installed again only when it changed.
if [ "${1:-}" = "--frameworks" ]; then
  lock=tests/frameworks/package-lock.json
  if [ ! -f tests/frameworks/node_modules/.package-lock.json ] || [ "$lock" -nt tests/frameworks/node_modules/.package-lock.json ]; then
    say "installing the framework apps' packages (tests/frameworks)"
    (cd tests/frameworks && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  fi
fi
