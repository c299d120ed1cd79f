#!/usr/bin/env bash
# Release build of the npm package into pkg/: cargo (wasm32) -> wasm-bindgen (--target web)
# -> unused exports dropped, wasm-opt -Oz and names shortened (scripts/shrink.mjs) -> the QR
# module beside it (scripts/shrink-qr.mjs) -> the JS minified with rolldown -> the hand-written entries, types and package files; then the server
# entry (the same crate with `server`, for Node, its wasm inlined) and the stylesheet.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=pkg
WASM=target/wasm32-unknown-unknown/release/gopay_widget.wasm

# A panic's location (file, line) is never shown to anyone: -Zlocation-detail=none leaves the
# file names and line tables out of the wasm (measured: -1.7 KB brotli). It is an unstable
# flag of the stable compiler, enabled by RUSTC_BOOTSTRAP for this build only. Any path left
# is shortened so the build machine's layout does not ship.
CARGO_HOME_DIR=${CARGO_HOME:-$HOME/.cargo}
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Zlocation-detail=none --remap-path-prefix=$CARGO_HOME_DIR/registry/src=/crates --remap-path-prefix=$PWD=/gopay-widget"
# Linked with --emit-relocs: the module keeps its symbol table and relocations, from which
# scripts/shrink.mjs learns which statics only dead code refers to (wasm-bindgen and the
# optimiser drop them; the code is the same as without).
# The function table starts at TABLE_BASE instead of 1. scripts/table-prune.mjs keeps an entry
# whose index appears anywhere as a constant or a word of memory, and small numbers (1 to 300)
# are everywhere; far from them, more of the entries nothing calls are seen as such (111 of
# 289 pruned instead of 61 of 299 at first: -947 B brotli). Which base is best moves with the
# code, by some 100 B either way (measured: 8009 +69 B, 12007 +383 B, 30011 -18 B, 50021
# +83 B against 20011). The cost is an engine's table of some 20,300 slots, mostly empty.
TABLE_BASE=20011
cargo rustc --release --target wasm32-unknown-unknown -p gopay-widget --lib -- \
  -C link-arg=--emit-relocs -C link-arg=--table-base=$TABLE_BASE
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
# The names stay for scripts/shrink.mjs, which finds the panic paths by them; wasm-opt strips
# them after (KEEP_NAMES=1 keeps them in the shipped wasm, for a profiler: much larger).
wasm-bindgen --target web --no-typescript --keep-debug --out-dir "$OUT.tmp" --out-name gopay_widget_wasm "$WASM"
# The linked module, names and all, for the size breakdown by crate (scripts/bench/crates.sh);
# without its linking and relocation sections, which would count as bytes of the module. (As
# linked in linked.wasm, for a profiling build: KEEP_NAMES=1 node scripts/shrink.mjs DIR NAME
# target/unshrunk/linked.wasm.)
mkdir -p target/unshrunk
node --input-type=module -e "import fs from 'node:fs';
  import { isLinkingSection, withoutCustomSections } from '$PWD/scripts/data-prune.mjs';
  fs.writeFileSync('target/unshrunk/gopay_widget.wasm',
    withoutCustomSections(fs.readFileSync('$WASM'), isLinkingSection));"
cp "$WASM" target/unshrunk/linked.wasm
# Drop unused exports and dead statics, wasm-opt -Oz, shorten import/export names (see the script).
node scripts/shrink.mjs "$OUT.tmp" gopay_widget_wasm "$WASM"
# The QR module (crates/qr-module): the widget's QR encoder alone, which the browser build
# draws with (src/core/qr/mod.rs's `draw`); linked the same way, for the same pruning.
cargo rustc --release --target wasm32-unknown-unknown -p gopay-widget-qr --lib -- \
  -C link-arg=--emit-relocs -C link-arg=--table-base=$TABLE_BASE
node scripts/shrink-qr.mjs target/wasm32-unknown-unknown/release/gopay_widget_qr.wasm "$OUT.tmp/gopay_widget_qr.wasm"
# The server entry (gopay-widget/server, for Node): the same crate built with `server`, which
# renders the first paint to HTML. Never fetched by a browser, so it is only -Oz'd.
# Same flags and target dir as above: only the crates the feature changes are built again, and
# both variants stay cached. (The browser's wasm was read by wasm-bindgen above already.)
cargo build --release --target wasm32-unknown-unknown -p gopay-widget --lib --features server
wasm-bindgen --target web --no-typescript --out-dir "$OUT.tmp" --out-name gopay_widget_server "$WASM"
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers -o "$OUT.tmp/gopay_widget_server_bg.wasm" "$OUT.tmp/gopay_widget_server_bg.wasm"
# The server's wasm inlined as base64 in a module, and the entry, its glue and that module
# bundled into one server.js: Node compiles it synchronously, with no file to read and no asset
# for a framework's bundler to copy.
node -e 'const fs = require("node:fs"); const dir = process.argv[1];
  const wasm = fs.readFileSync(`${dir}/gopay_widget_server_bg.wasm`).toString("base64");
  fs.writeFileSync(`${dir}/gopay_widget_server_wasm.js`,
    `// The server build of the widget (wasm), base64.\nexport default "${wasm}";\n`);' "$OUT.tmp"
cp js/server.js "$OUT.tmp/server-entry.js"
node_modules/.bin/rolldown "$OUT.tmp/server-entry.js" --format esm --file "$OUT.tmp/server.js" >/dev/null
rm "$OUT.tmp/server-entry.js" "$OUT.tmp/gopay_widget_server.js" "$OUT.tmp/gopay_widget_server_wasm.js" \
  "$OUT.tmp/gopay_widget_server_bg.wasm"
# What edge runtimes, workers and browser bundles get for gopay-widget/server.
cp js/server-unavailable.js js/server.d.ts "$OUT.tmp/"
# The stylesheet, from the text the server inlines: as a file, for pages that link it, and as
# a module of pure.js, whose script adopts it in every widget's shadow root (the browser build
# leaves it out).
node --input-type=module -e "import fs from 'node:fs';
  import { stylesheet } from '$PWD/$OUT.tmp/server.js';
  fs.writeFileSync('$OUT.tmp/gopay-widget.css', stylesheet());
  fs.writeFileSync('$OUT.tmp/widget-css.js', 'export default ' + JSON.stringify(stylesheet()) + ';\n');"
# The browser entries, minified: pure.js is mount() and define() with the glue bundled in (one
# module, no waterfall to the glue); index.js imports it and adds define() and the observer, so
# both entries share one module and one wasm instance. The wasm stays a separate file, found
# through new URL(..., import.meta.url).
cp js/pure.js "$OUT.tmp/pure-entry.js"
node_modules/.bin/rolldown "$OUT.tmp/pure-entry.js" --format esm --minify --file "$OUT.tmp/pure.js" >/dev/null
node_modules/.bin/rolldown js/index.js --external ./pure.js --format esm --minify --file "$OUT.tmp/index.js" >/dev/null
rm "$OUT.tmp/pure-entry.js"
rm "$OUT.tmp/gopay_widget_wasm.js" "$OUT.tmp/widget-css.js"
cp js/index.d.ts js/pure.d.ts js/package.json js/README.md "$OUT.tmp/"
# The framework components (plain ES modules, no JSX) and their types, which also type the
# element in each framework's markup.
cp js/react.js js/react.d.ts js/vue.js js/vue.d.ts js/svelte.js js/svelte.d.ts "$OUT.tmp/"
cp LICENSE "$OUT.tmp/"
# Precompressed copies of the browser files, for servers that send them as they are; the demo
# shop's own static files (www/) too, which it sends the same way.
node scripts/precompress.mjs "$OUT.tmp"
node scripts/precompress.mjs www
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "pkg/ written:"; ls -l "$OUT" | tail -n +2
