#!/usr/bin/env bash
# Where the wasm's bytes are, by crate: the browser module of the last `make build` as
# wasm-bindgen leaves it (names kept; before pkg/'s metadce and wasm-opt, which strip them),
# measured by twiggy (each function's own bytes) and summed by the crate its name starts in.
# The shares carry over to the shipped module only roughly: wasm-opt shrinks code more than
# data, and inlines across crates.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f target/unshrunk/gopay_widget.wasm ] || { echo "run make build first" >&2; exit 1; }
TWIGGY_VERSION=0.8.0
if [ "$(twiggy --version 2>/dev/null | awk '{print $2}')" != "$TWIGGY_VERSION" ]; then
  printf '\033[1m==> installing twiggy %s (a minute, once)\033[0m\n' "$TWIGGY_VERSION"
  cargo install twiggy --version "$TWIGGY_VERSION" --locked
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --no-typescript --keep-debug --out-dir "$tmp" --out-name w \
  target/unshrunk/gopay_widget.wasm
twiggy top -n 1000000 -f csv "$tmp/w_bg.wasm" > "$tmp/top.csv"
node scripts/bench/crates.mjs "$tmp/top.csv" "$(brotli -q 11 -c pkg/gopay_widget_wasm_bg.wasm | wc -c)"
