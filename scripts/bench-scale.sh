#!/usr/bin/env bash
# The shop on one SQLite file against one and three instances on one PostgreSQL database, on
# loopback with the optimised builds: the status endpoint the widgets poll, and order creation
# (each order a charge at the local simulator), each loaded with wrk for DURATION.
#
# For each setup: a fresh store, the simulator, the instances; ORDERS orders (half paid, half left
# pending, so the rate-limited Midtrans refresh runs); then
#   1. status: CONNECTIONS connections polling without pause, rotating over the orders;
#   2. orders: ORDER_CONNECTIONS connections creating orders without pause.
# The load is the same in every setup: WRK_PROCS wrk processes of one thread each, their
# connections spread over the instances. Printed per run: requests/s (the processes' sum), p50 and
# p99 in ms (the worst process's), errors (socket errors and non-2xx), and on PostgreSQL the most
# connections the shops held at once (pg_stat_activity, sampled every 0.2 s).
#
# PostgreSQL is a throwaway cluster with its durable defaults (scripts/with-postgres.sh with
# PG_DURABLE=1), as the SQLite file syncs every commit. Everything (wrk, the simulator, the
# instances, the database) shares this machine's cores.
#
# Settings (environment): DURATION=10s CONNECTIONS=300 ORDER_CONNECTIONS=30 ORDERS=50 WRK_PROCS=3
#   POOL_SIZE=10 BENCH_SCALE_PORT=18100 CARGO_TARGET_DIR (default target)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  exec env PG_DURABLE=1 scripts/with-postgres.sh "$0" "$@"
fi

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-300}
ORDER_CONNECTIONS=${ORDER_CONNECTIONS:-30}
ORDERS=${ORDERS:-50}
WRK_PROCS=${WRK_PROCS:-3}
POOL_SIZE=${POOL_SIZE:-10}
BASE_PORT=${BENCH_SCALE_PORT:-18100}
SIM_PORT=$((BASE_PORT + 10))
TARGET=${CARGO_TARGET_DIR:-target}
SIM="http://127.0.0.1:$SIM_PORT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! command -v wrk >/dev/null; then
  say "installing wrk from Debian"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
for tool in curl psql; do
  command -v "$tool" >/dev/null || { echo "bench-scale: $tool is needed" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

say "building the shop and the simulator (optimised)"
cargo build --profile native -q -p gopay-demo -p gopay-simulator

WORK=$(mktemp -d)
PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() { stop_all; rm -rf "$WORK"; }
trap cleanup EXIT

cat >"$WORK/status.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local n = math.random(1, #ids)
request = function()
  n = n + 1
  return wrk.format("GET", "/api/orders/" .. ids[(n % #ids) + 1] .. "/status")
end
LUA
cat >"$WORK/orders.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"items":[{"id":"batik-tote","qty":1}],"device":"desktop"}'
LUA
# Appended to both: one machine-readable line per wrk process.
cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %.3f %.3f %d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout + e.status))
end
LUA
cat "$WORK/report.lua" >>"$WORK/status.lua"
cat "$WORK/report.lua" >>"$WORK/orders.lua"

# setup NAME INSTANCES STORE: starts the simulator and INSTANCES shops on the store ("sqlite", or
# "postgres" for a new database), and creates the orders.
SHOPS=()
DB_URL=""
setup() {
  local name=$1 instances=$2 store=$3
  SHOPS=()
  DB_URL=""
  if [ "$store" = postgres ]; then
    psql -q "$TEST_DATABASE_URL" -c "CREATE DATABASE bench_${name//-/_}" >/dev/null
    DB_URL="${TEST_DATABASE_URL%/*}/bench_${name//-/_}"
  fi
  SIMULATOR_ADDR="127.0.0.1:$SIM_PORT" SIMULATOR_NOTIFY_URL="http://127.0.0.1:$BASE_PORT/api/midtrans/notification" \
    "$TARGET/native/gopay-simulator" >"$WORK/$name-simulator.log" 2>&1 &
  PIDS+=($!)
  for i in $(seq 0 $((instances - 1))); do
    local port=$((BASE_PORT + i))
    # All of wrk's connections and orders come from one address: lift the per-client limits.
    env SHOP_ADDR="127.0.0.1:$port" MIDTRANS_BASE_URL="$SIM" SHOP_DB="$WORK/$name.db" \
      ${DB_URL:+DATABASE_URL="$DB_URL"} SHOP_DB_POOL_SIZE="$POOL_SIZE" \
      SHOP_ORDER_BURST=1000000 SHOP_ORDERS_PER_MINUTE=1000000 SHOP_MAX_CONNECTIONS_PER_CLIENT=100000 \
      "$TARGET/native/gopay-demo" >"$WORK/$name-shop-$i.log" 2>&1 &
    PIDS+=($!)
    SHOPS+=("http://127.0.0.1:$port")
  done
  for shop in "${SHOPS[@]}" "$SIM"; do
    for _ in $(seq 100); do curl -fs -o /dev/null "$shop/" 2>/dev/null && break; sleep 0.1; done
  done
  : >"$WORK/ids"
  for i in $(seq "$ORDERS"); do
    local shop=${SHOPS[$((i % instances))]} body id
    body=$(curl -fs -X POST "$shop/api/orders" -H 'Content-Type: application/json' \
      -d '{"items":[{"id":"batik-tote","qty":1}],"device":"desktop"}')
    id=$(printf '%s' "$body" | sed -n 's/.*"order_id":"\([^"]*\)".*/\1/p')
    [ -n "$id" ] || { echo "bench-scale: no order id in: $body" >&2; exit 1; }
    echo "$id" >>"$WORK/ids"
    if [ $((i % 2)) -eq 1 ]; then curl -fs -X POST "$SIM/simulator/transactions/$id/pay" >/dev/null; fi
  done
}

# Most connections the shops held at once while the file "$WORK/sampling" exists.
sample_connections() {
  local most=0 now
  while [ -f "$WORK/sampling" ]; do
    now=$(psql -Atq "$TEST_DATABASE_URL" -c \
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gopay-demo'" 2>/dev/null || echo 0)
    if [ "$now" -gt "$most" ]; then most=$now; fi
    sleep 0.2
  done
  echo "$most" >"$WORK/connections"
}

# load NAME SCRIPT CONNECTIONS PATH: WRK_PROCS wrk processes, their connections spread over the
# shops.
RESULTS=()
load() {
  local name=$1 script=$2 connections=$3 path=$4
  local per=$(( (connections + WRK_PROCS - 1) / WRK_PROCS )) wrks=()
  local sampler=""
  if [ -n "$DB_URL" ]; then
    touch "$WORK/sampling"
    sample_connections &
    sampler=$!
  fi
  for p in $(seq 0 $((WRK_PROCS - 1))); do
    local shop=${SHOPS[$((p % ${#SHOPS[@]}))]}
    BENCH_IDS="$WORK/ids" wrk -t1 -c"$per" -d"$DURATION" --timeout 10s -s "$WORK/$script.lua" "$shop$path" \
      >"$WORK/$name-$p.out" 2>&1 &
    wrks+=($!)
  done
  for pid in "${wrks[@]}"; do wait "$pid"; done
  local most="-"
  if [ -n "$DB_URL" ]; then rm -f "$WORK/sampling"; wait "$sampler"; most=$(cat "$WORK/connections"); fi
  local line
  line=$(cat "$WORK/$name"-*.out | awk -v name="$name" -v db="$most" '
    /^RESULT/ { req += $2; rps += $2 / $3; if ($4 > p50) p50 = $4; if ($5 > p99) p99 = $5; err += $6; n++ }
    END { if (n == 0) { print name " no results"; exit }
          printf "%-26s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  db connections %s\n",
            name, rps, p50, p99, err, db }')
  echo "  $line"
  RESULTS+=("$line")
}

run_setup() {
  local name=$1 instances=$2 store=$3
  say "$name: $instances instance(s) on $store"
  setup "$name" "$instances" "$store"
  load "$name status" status "$CONNECTIONS" /
  load "$name orders" orders "$ORDER_CONNECTIONS" /api/orders
  stop_all
}

run_setup sqlite-1 1 sqlite
run_setup postgres-1 1 postgres
run_setup postgres-3 3 postgres

say "results ($(nproc) cores shared by wrk, the simulator, the shops and PostgreSQL; $DURATION each)"
for line in "${RESULTS[@]}"; do echo "  $line"; done
echo "  (status: $CONNECTIONS connections over $ORDERS orders; orders: $ORDER_CONNECTIONS connections;" \
  "$WRK_PROCS wrk processes; pool $POOL_SIZE connections per instance; p50/p99 of the worst process)"
