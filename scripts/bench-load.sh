#!/usr/bin/env bash
# Load on the shop's status endpoint: 1,000 concurrent widgets polling, on loopback.
#
# Starts the simulator and the shop (optimised builds) on their own ports with a fresh database,
# creates orders (half of them paid, half left pending so the rate-limited Midtrans refresh is
# exercised), then runs wrk twice with 1,000 connections rotating over the orders:
#   1. "widgets": each connection waits about 2 s between polls, as a widget does (all 1,000
#      first polls go out at once, as when every widget mounts together);
#   2. "saturation": no pause, to find the shop's ceiling.
# Prints p50/p99 latency, throughput and errors (socket errors and non-2xx answers).
#
# Settings (environment): CONNECTIONS=1000 WIDGETS_DURATION=30s DURATION=10s ORDERS=50 THREADS=2
#   BENCH_SHOP_PORT=18080 BENCH_SIM_PORT=18081 CARGO_TARGET_DIR (default target)
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-1000}
DURATION=${DURATION:-10s}
WIDGETS_DURATION=${WIDGETS_DURATION:-30s}
ORDERS=${ORDERS:-50}
THREADS=${THREADS:-2}
SHOP_PORT=${BENCH_SHOP_PORT:-18080}
SIM_PORT=${BENCH_SIM_PORT:-18081}
TARGET=${CARGO_TARGET_DIR:-target}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! command -v wrk >/dev/null; then
  say "installing wrk from Debian"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
command -v curl >/dev/null || { echo "bench-load: curl is needed" >&2; exit 1; }

# Each connection is a socket on both ends.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((CONNECTIONS + 200)) ]; then
  echo "bench-load: open-file limit $(ulimit -n) is below $((CONNECTIONS + 200))" >&2
  exit 1
fi

say "building the shop and the simulator (optimised)"
cargo build --profile native -q -p gopay-demo -p gopay-simulator

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SHOP="http://127.0.0.1:$SHOP_PORT"
SIM="http://127.0.0.1:$SIM_PORT"
SIMULATOR_ADDR="127.0.0.1:$SIM_PORT" SIMULATOR_NOTIFY_URL="$SHOP/api/midtrans/notification" \
  "$TARGET/native/gopay-simulator" >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
# The orders and all of wrk's connections come from one address: lift the per-client order
# limit and connection cap.
SHOP_ADDR="127.0.0.1:$SHOP_PORT" MIDTRANS_BASE_URL="$SIM" SHOP_DB="$WORK/shop.db" \
  SHOP_ORDER_BURST=100000 SHOP_ORDERS_PER_MINUTE=100000 SHOP_MAX_CONNECTIONS_PER_CLIENT=100000 \
  "$TARGET/native/gopay-demo" >"$WORK/shop.log" 2>&1 &
PIDS+=($!)

for _ in $(seq 100); do
  curl -fs "$SHOP/api/config" >/dev/null 2>&1 && curl -fs "$SIM/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "$SHOP/api/config" >/dev/null || { cat "$WORK"/*.log >&2; exit 1; }

say "creating $ORDERS orders"
IDS=()
for i in $(seq "$ORDERS"); do
  device=desktop; [ $((i % 2)) -eq 0 ] && device=phone
  body=$(curl -fs -X POST "$SHOP/api/orders" -H 'Content-Type: application/json' \
    -d "{\"items\":[{\"id\":\"batik-tote\",\"qty\":1}],\"device\":\"$device\"}")
  id=$(printf '%s' "$body" | sed -n 's/.*"order_id":"\([^"]*\)".*/\1/p')
  [ -n "$id" ] || { echo "bench-load: no order id in: $body" >&2; exit 1; }
  IDS+=("$id")
  # Pay every other order; the rest stay pending and are refreshed from Midtrans.
  if [ $((i % 2)) -eq 1 ]; then
    curl -fs -X POST "$SIM/simulator/transactions/$id/pay" >/dev/null
  fi
done

{
  echo "local ids = {"
  for id in "${IDS[@]}"; do echo "  \"$id\","; done
  echo "}"
  cat <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/orders/" .. ids[(n % #ids) + 1] .. "/status")
end
-- A widget polls about every 2 s; jitter spreads the connections out.
if os.getenv("BENCH_PAUSE") == "1" then
  delay = function() return math.random(1500, 2500) end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "socket_errors=%d non_2xx=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
} >"$WORK/status.lua"

run() {
  local name=$1 pause=$2 duration=$3
  say "$name: $CONNECTIONS connections, $duration, $THREADS wrk threads"
  BENCH_PAUSE=$pause wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s \
    -s "$WORK/status.lua" "$SHOP" >"$WORK/$name.out" 2>&1 || { cat "$WORK/$name.out"; exit 1; }
  grep -E 'Socket errors|Non-2xx' "$WORK/$name.out" || true
  local result
  result=$(grep '^RESULT' "$WORK/$name.out")
  RESULTS+=("$name ${result#RESULT }")
}

stat() { curl -fs "$SIM/simulator/stats" | sed -n 's/.*"status_calls":\([0-9]*\).*/\1/p'; }

RESULTS=()
calls_before=$(stat)
run widgets 1 "$WIDGETS_DURATION"
run saturation 0 "$DURATION"
calls=$(( $(stat) - calls_before ))

say "results (shop status endpoint, loopback, $(nproc) cores)"
for line in "${RESULTS[@]}"; do echo "  $line"; done
echo "  Midtrans status calls made by the shop during both runs: $calls" \
  "(pending orders: $((ORDERS / 2)); at most one call per order per 2 s)"
echo "  (optimised "native" profile of the workspace; p50/p99 are of answered requests, in ms)"
