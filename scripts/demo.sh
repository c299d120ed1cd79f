#!/usr/bin/env bash
# Runs the demo: the shop on 127.0.0.1:8080 and, unless a real Midtrans sandbox key is given,
# the local Midtrans simulator on 127.0.0.1:8081. Ctrl-C stops both.
#   EXPIRY_SECONDS=60 make demo                       short expiry, to watch a payment expire
#   MIDTRANS_SERVER_KEY=SB-Mid-server-... make demo   the real Midtrans sandbox instead
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=target/debug
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -n "${MIDTRANS_SERVER_KEY:-}" ] && [ -z "${MIDTRANS_BASE_URL:-}" ]; then
  echo "Using the real Midtrans sandbox (MIDTRANS_SERVER_KEY is set)."
else
  "$BIN/gopay-simulator" & pids+=($!)
fi
"$BIN/gopay-demo" "$@" & pids+=($!)
sleep 1
cat <<MSG

  Shop:       ${SHOP_PUBLIC_URL:-http://127.0.0.1:8080}/
  Samples:    ${SHOP_PUBLIC_URL:-http://127.0.0.1:8080}/samples.html
  Simulator:  http://127.0.0.1:8081/   (the "phone": pay, deny or expire a transaction)

  Buy something in the shop, then pay it in the simulator. Ctrl-C stops the demo.

MSG
wait -n "${pids[@]}"
