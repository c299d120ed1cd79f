#!/usr/bin/env bash
# Fuzzes the pure core with cargo-fuzz on the nightly toolchain (the shipped build stays
# on stable). Each target runs for a bounded time, then executions and crashes are printed.
#   scripts/fuzz.sh            every target for FUZZ_SECONDS (default 60) each
#   scripts/fuzz.sh --merge    then keep what added coverage in fuzz/corpus/<target>/
# FUZZ_TARGETS="machine urls" picks targets. New inputs collect in fuzz/target/corpus/;
# crashing inputs are written to fuzz/artifacts/<target>/. The harness of every target is
# tests/support/fuzz_harness.rs, and `cargo test` replays fuzz/corpus/ through it on stable.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-charge status urls machine qris}
MERGE=0
[ "${1:-}" = "--merge" ] && MERGE=1

if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain (for fuzzing only)"
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  say "installing cargo-fuzz (takes a few minutes, once)"
  cargo install cargo-fuzz --locked
fi

# The core is safe Rust: the targets look for panics and broken promises, so the
# sanitizers are left out (several times more executions per second).
FUZZ=(cargo +nightly fuzz run --sanitizer none)

say "building the fuzz targets"
cargo +nightly fuzz build --sanitizer none

declare -A EXECS CRASHES
failed=0
for t in $TARGETS; do
  say "fuzzing $t for ${SECONDS_EACH}s"
  mkdir -p "target/corpus/$t" "artifacts/$t"
  before=$(find "artifacts/$t" -type f | sort)
  log="target/fuzz-$t.log"
  "${FUZZ[@]}" "$t" "target/corpus/$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -print_final_stats=1 >"$log" 2>&1 || failed=1
  EXECS[$t]=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  new=$(comm -13 <(echo "$before") <(find "artifacts/$t" -type f | sort) | grep -c . || true)
  CRASHES[$t]=$new
  if [ "$new" -gt 0 ]; then
    grep -m1 -A3 "panicked at" "$log" || true
    comm -13 <(echo "$before") <(find "artifacts/$t" -type f | sort)
  fi
  if [ "$MERGE" = 1 ]; then
    # Only the inputs that add edge coverage join the corpus kept in the repository
    # (hit counts ignored, up to 1 KB each), so the stable replay stays quick.
    "${FUZZ[@]}" "$t" "corpus/$t" "target/corpus/$t" -- -merge=1 -use_counters=0 -max_len=1024 >"target/merge-$t.log" 2>&1
  fi
done

printf '\n%-8s %8s %14s %8s %8s\n' target seconds executions crashes corpus
for t in $TARGETS; do
  printf '%-8s %8s %14s %8s %8s\n' "$t" "$SECONDS_EACH" "${EXECS[$t]:-?}" "${CRASHES[$t]}" \
    "$(find "corpus/$t" -type f | wc -l)"
done
exit $failed
