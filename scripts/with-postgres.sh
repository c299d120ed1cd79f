#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: initdb on a temporary data directory,
# the server on a free loopback port, TEST_DATABASE_URL (postgres://postgres@127.0.0.1:PORT/postgres)
# exported to the command, and the cluster stopped and removed when the command ends, whether it
# passed or not. Exits with the command's status.
#   scripts/with-postgres.sh cargo test -p gopay-demo
# The server refuses to run as root: as root it runs as the `postgres` user (Debian's package
# creates it). PG_DURABLE=1 keeps PostgreSQL's durable defaults (fsync, synchronous commit), for
# figures; without it the cluster skips them, as nothing in it needs to survive a crash.
# Needs Debian's postgresql package (scripts/setup.sh --test installs it).
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

bindir=""
for dir in /usr/lib/postgresql/*/bin; do
  [ -x "$dir/initdb" ] && bindir=$dir   # the glob sorts; the newest version wins
done
if [ -z "$bindir" ]; then
  initdb_path=$(command -v initdb || true)
  [ -n "$initdb_path" ] || { echo "with-postgres: no PostgreSQL server (run scripts/setup.sh --test)" >&2; exit 1; }
  bindir=$(dirname "$(readlink -f "$initdb_path")")
fi

as_server=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "with-postgres: no postgres user to run the server as" >&2; exit 1; }
  as_server=(runuser -u postgres --)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/shop-postgres.XXXXXX")
[ ${#as_server[@]} -eq 0 ] || chown postgres: "$work"
data="$work/data"
log="$work/server.log"

stop() {
  if [ -f "$data/postmaster.pid" ]; then
    "${as_server[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"${as_server[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-sync >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }

settings="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$work -c max_connections=300"
if [ "${PG_DURABLE:-}" != 1 ]; then
  settings+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
if ! "${as_server[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -o "$settings" -w -t 30 start >/dev/null; then
  cat "$log" >&2
  exit 1
fi

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
status=0
"$@" || status=$?
exit "$status"
