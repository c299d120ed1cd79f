#!/usr/bin/env bash
# The shop under hostile clients and a crash, on loopback, with the optimised builds and the
# shop's default limits (scripts/bench/slow-clients.mjs runs the first three parts):
#   1. slow clients: 500 connections trickling a request's headers a byte every 5 s and 1,000
#      idle ones, from 20 addresses: connections held over time, how soon a fresh client is
#      answered meanwhile, and how many the shop's header-read timeout closed;
#   2. slow readers: 100 clients each pipelining 40 requests for the widget's wasm and never
#      reading: how many are still connected after 5, 10, 20 and 70 s, the bytes queued in
#      kernel buffers for them, and when the write timeout let them go;
#   3. one address's connections: 127.0.0.2 keeps 4,000 idle connections open (each re-opened
#      as soon as it is closed) while a fresh client on 127.0.0.3 sends 200 requests, one every
#      25 ms, each on a new connection: how many the address holds, the fresh client's
#      p50/p99/max;
#   4. SIGKILL mid-burst: BURST orders created CONCURRENCY at a time, the shop killed with
#      SIGKILL once KILL_AFTER charges exist at Midtrans (the simulator), then restarted: how
#      many orders were left without their charge, how many the start-up reconciled, and how
#      many orders Midtrans holds that the shop still answers 404 for (orphans).
# Part 2 watches for 70 s; the others take well under a minute each. Needs pkg/ (make build).
#
# Settings (environment): SLOW=500 IDLE=1000 TRICKLE_MS=5000 WATCH_S=20 READERS=100
#   PIPELINE=40 ATTACK=4000 FRESH=200 FRESH_EVERY_MS=25 (see slow-clients.mjs) BURST=400 CONCURRENCY=40
#   KILL_AFTER=60 BENCH_SHOP_PORT=18090 BENCH_SIM_PORT=18091 CARGO_TARGET_DIR
set -euo pipefail
cd "$(dirname "$0")/.."

BURST=${BURST:-400}
CONCURRENCY=${CONCURRENCY:-40}
KILL_AFTER=${KILL_AFTER:-60}
SHOP_PORT=${BENCH_SHOP_PORT:-18090}
SIM_PORT=${BENCH_SIM_PORT:-18091}
TARGET=${CARGO_TARGET_DIR:-target}
SHOP="http://127.0.0.1:$SHOP_PORT"
SIM="http://127.0.0.1:$SIM_PORT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
command -v curl >/dev/null || { echo "bench-hardening: curl is needed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench-hardening: python3 is needed (sqlite3)" >&2; exit 1; }
[ -f pkg/gopay_widget_wasm_bg.wasm ] || { echo "bench-hardening: no pkg/ yet: run make build" >&2; exit 1; }
# Part 3's node holds ATTACK sockets at once, and the shop up to its 2,000 connections.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((${ATTACK:-4000} + 2500)) ]; then
  echo "bench-hardening: open-file limit $(ulimit -n) is below $((${ATTACK:-4000} + 2500))" >&2
  exit 1
fi

say "building the shop and the simulator (optimised)"
cargo build --profile native -q -p gopay-demo -p gopay-simulator

WORK=$(mktemp -d)
SIM_PID=""; SHOP_PID=""
cleanup() {
  for pid in $SHOP_PID $SIM_PID; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_shop() {
  # A burst from one address is the point here, not the per-client order limit.
  SHOP_ADDR="127.0.0.1:$SHOP_PORT" MIDTRANS_BASE_URL="$SIM" SHOP_DB="$WORK/shop.db" \
    SHOP_ORDER_BURST=100000 SHOP_ORDERS_PER_MINUTE=100000 \
    "$TARGET/native/gopay-demo" >>"$WORK/shop.log" 2>&1 &
  SHOP_PID=$!
  for _ in $(seq 100); do
    curl -fs "$SHOP/api/config" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$WORK/shop.log" >&2; exit 1
}

SIMULATOR_ADDR="127.0.0.1:$SIM_PORT" SIMULATOR_NOTIFY_URL="$SHOP/api/midtrans/notification" \
  "$TARGET/native/gopay-simulator" >"$WORK/simulator.log" 2>&1 &
SIM_PID=$!
start_shop

say "slow clients (header-read timeout: the shop's default)"
node scripts/bench/slow-clients.mjs "$SHOP" headers

say "slow readers (write timeout: the shop's default)"
node scripts/bench/slow-clients.mjs "$SHOP" readers

say "one address's connections (per-client cap: the shop's default)"
node scripts/bench/slow-clients.mjs "$SHOP" address

say "SIGKILL mid-burst: $BURST orders, $CONCURRENCY at a time, kill after $KILL_AFTER charges"
transactions() { curl -fs "$SIM/simulator/stats" | sed -n 's/.*"transactions":\([0-9]*\).*/\1/p'; }
before=$(transactions)
order='{"items":[{"id":"batik-tote","qty":1}],"device":"desktop"}'
seq "$BURST" | xargs -P "$CONCURRENCY" -I{} curl -s -o /dev/null -m 10 -X POST "$SHOP/api/orders" \
  -H 'Content-Type: application/json' -d "$order" &
BURST_PID=$!
while [ $(( $(transactions) - before )) -lt "$KILL_AFTER" ]; do sleep 0.01; done
kill -KILL "$SHOP_PID"; wait "$SHOP_PID" 2>/dev/null || true; SHOP_PID=""
killed_at=$(( $(transactions) - before ))
wait "$BURST_PID" 2>/dev/null || true
sleep 0.5  # charges the simulator had received before the kill are answered by now

sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$WORK/shop.db" "$1"; }
# Open orders whose charge response was never stored: what the start-up reconciles.
unstored="charge IS NULL AND transaction_status IN ('created', 'pending')"
created=$(sql "SELECT count(*) FROM orders WHERE $unstored")
created_only=$(sql "SELECT count(*) FROM orders WHERE transaction_status = 'created'")
stored=$(sql "SELECT count(*) FROM orders")
# Of those, the ones Midtrans holds a live charge for.
curl -fs "$SIM/simulator/transactions" >"$WORK/at-midtrans.json"
python3 -c 'import json, sys
for t in json.load(open(sys.argv[1]))["transactions"]: print(t["order_id"])' "$WORK/at-midtrans.json" >"$WORK/at-midtrans.txt"
live_unstored=$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = open(sys.argv[2]).read().split()
print(sum(db.execute("SELECT count(*) FROM orders WHERE order_id = ? AND " + sys.argv[3], (i,)).fetchone()[0] for i in ids))' \
  "$WORK/shop.db" "$WORK/at-midtrans.txt" "$unstored")
echo "killed with $killed_at charges at Midtrans; $stored orders stored, $created of them open" \
  "without their charge stored ($created_only still 'created', the rest 'pending' from a" \
  "notification), $live_unstored of those with a live charge at Midtrans"

start_shop
started=$(date +%s.%N)
for _ in $(seq 300); do
  grep -q 'reconciled [0-9]* orders:' "$WORK/shop.log" && break
  sleep 0.1
done
line=$(grep -o 'reconciled [0-9]* orders:.*' "$WORK/shop.log" || echo "reconciled ? orders: (no summary within 30 s)")
took=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
orphans=0
while read -r id; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$SHOP/api/orders/$id/status")
  [ "$code" = 404 ] && orphans=$((orphans + 1))
done <"$WORK/at-midtrans.txt"
left=$(sql "SELECT count(*) FROM orders WHERE $unstored")
cancelled=$(curl -fs "$SIM/simulator/transactions" | python3 -c 'import json, sys
print(sum(t["transaction_status"] == "cancel" for t in json.load(sys.stdin)["transactions"]))')
echo "after the restart (${took} s): $line"
echo "open orders still without their charge: $left; orders Midtrans holds that the shop answers 404" \
  "for (orphans): $orphans; cancelled at Midtrans: $cancelled"
echo "RESULT killed_with_charges=$killed_at unstored=$created live_at_midtrans=$live_unstored" \
  "reconciled=$(echo "$line" | sed -n 's/^reconciled \([0-9]*\).*/\1/p') orphans_left=$orphans left_unstored=$left"
