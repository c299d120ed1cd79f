#!/usr/bin/env bash
# Release build of the npm package into pkg/: cargo (wasm32) -> wasm-bindgen (--target web)
# -> wasm-opt -Oz (binaryen from npm) -> the hand-written entry, types and package files.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=pkg
WASM=target/wasm32-unknown-unknown/release/gopay_widget.wasm

# Panic locations name source files: shorten the build machine's paths out of the shipped wasm.
CARGO_HOME_DIR=${CARGO_HOME:-$HOME/.cargo}
RUSTFLAGS="--remap-path-prefix=$CARGO_HOME_DIR/registry/src=/crates --remap-path-prefix=$PWD=/gopay-widget" \
  cargo build --release --target wasm32-unknown-unknown -p gopay-widget --lib
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
wasm-bindgen --target web --no-typescript --out-dir "$OUT.tmp" --out-name gopay_widget_wasm "$WASM"
# Features the Rust wasm32 target emits by default; wasm-opt must be told it may keep them.
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  -o "$OUT.tmp/gopay_widget_wasm_bg.wasm" "$OUT.tmp/gopay_widget_wasm_bg.wasm"
cp js/index.js js/index.d.ts js/package.json js/README.md "$OUT.tmp/"
cp LICENSE "$OUT.tmp/" 2>/dev/null || true
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "pkg/ written:"; ls -l "$OUT" | tail -n +2
