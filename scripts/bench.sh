#!/usr/bin/env bash
# Prints the project's figures: shipped bytes (raw, gzip -9, brotli -q 11), the wasm by crate, the QR SVG size
# against the smallest run-length path, the lifecycle simulation, the status load run, the
# shop's slow-client and crash runs (scripts/bench-hardening.sh), and last
# the browser bench (scripts/bench/pages.mjs): pages on loopback, the same pages and the demo
# shop's payment page loaded as a mid-range phone, and Lighthouse's mobile audit, against the
# qrcode package and a static floor; one table at the end with a PASS/FAIL per budget. Exits 0
# when a budget is missed: it reports (make test never runs it; it runs scripts/size-check.mjs).
#   SKIP_LOAD=1 skips the status load run and the slow-client and crash runs; BENCH_LOADS,
#   BENCH_PHONE_LOADS, BENCH_MOUNTS, BENCH_LIGHTHOUSE_RUNS set the browser bench's repetitions
#   (see scripts/bench/pages.mjs).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."

echo "== Shipped files (pkg/)"
printf '%-32s %10s %10s %10s\n' file raw gzip brotli
total_raw=0; total_gz=0; total_br=0
for f in pkg/index.js pkg/pure.js pkg/gopay_widget_wasm_bg.wasm pkg/*.css; do
  raw=$(wc -c < "$f"); gz=$(gzip -9 -c < "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-32s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '%-32s %10d %10d %10d\n' "total" "$total_raw" "$total_gz" "$total_br"
echo "(the brotli budget is checked in the browser table at the end, on what a page fetches;"
echo " make test holds the total to the size budget in README.md, scripts/size-check.mjs)"
echo

echo "== npm package (npm pack pkg/)"
pack_dir=$(mktemp -d)
tgz=$(npm pack ./pkg --pack-destination "$pack_dir" --silent --loglevel=error | tail -n 1)
files=0; pkg_br=0
for f in pkg/*; do case "$f" in *.br|*.gz) continue ;; esac; files=$((files + 1)); pkg_br=$((pkg_br + $(brotli -q 11 -c "$f" | wc -c))); done
printf '%-32s %10d bytes (the .tgz npm publishes)\n' "$tgz" "$(wc -c < "$pack_dir/$tgz")"
printf '%-32s %10d bytes brotli (%d files, types and docs included)\n\n' "whole package" "$pkg_br" "$files"
rm -rf "$pack_dir"

scripts/bench/crates.sh
echo

echo "== QR SVG size"
cargo run -q --profile native --example qr_size

if [ -f examples/lifecycle_bench.rs ]; then
  echo; echo "== Lifecycle simulation"
  cargo run -q --profile native --example lifecycle_bench
fi

if [ -x scripts/bench-load.sh ] && [ "${SKIP_LOAD:-}" != 1 ]; then
  echo; echo "== Status endpoint load"
  scripts/bench-load.sh
fi

if [ -x scripts/bench-hardening.sh ] && [ "${SKIP_LOAD:-}" != 1 ]; then
  echo; echo "== Shop: slow clients, and a SIGKILL in the middle of a burst of orders"
  scripts/bench-hardening.sh
fi

echo; echo "== Browser: loopback, a phone and Lighthouse, against the qrcode package and a static floor"
node scripts/bench/pages.mjs
