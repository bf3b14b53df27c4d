#!/usr/bin/env bash
# postgres-test.sh — a throwaway PostgreSQL server for the meta tests.
#
#   eval "$(scripts/postgres-test.sh start DIR)"   # prints export OUTPOST_TEST_POSTGRES_DSN=...
#   go test ./internal/meta/...
#   scripts/postgres-test.sh stop DIR
#
# start installs Debian's postgresql package if initdb/pg_ctl are missing,
# creates a cluster in DIR/data owned by the postgres user (the server
# refuses to run as root), listening only on 127.0.0.1 on a free port, with
# trust authentication for local connections, and creates database
# "outpost_test". Everything the server writes stays in DIR; stop removes
# nothing but the running server (rm -rf DIR afterwards if you like).
# Only the export line goes to stdout; progress goes to stderr.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
data=$dir/data
log=$dir/postgres.log

find_bin() {
	local name=$1 p
	if p=$(command -v "$name" 2>/dev/null); then echo "$p"; return 0; fi
	for p in /usr/lib/postgresql/*/bin/"$name"; do
		[ -x "$p" ] && { echo "$p"; return 0; }
	done
	return 1
}

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	if ! find_bin initdb >/dev/null || ! find_bin pg_ctl >/dev/null; then
		echo "installing postgresql…" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update >&2
		apt-get install -y postgresql >&2
	fi
	initdb=$(find_bin initdb)
	pg_ctl=$(find_bin pg_ctl)
	psql=$(find_bin psql)
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
		chown postgres "$dir"
	fi
	if [ -f "$data/postmaster.pid" ] && as_pg "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
		port=$(cat "$dir/port")
	else
		if [ ! -f "$data/PG_VERSION" ]; then
			as_pg "$initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >&2
		fi
		port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
		echo "$port" >"$dir/port"
		chown postgres "$dir/port" 2>/dev/null || true
		# Unix socket in DIR too, so nothing is written to /var/run.
		as_pg "$pg_ctl" -D "$data" -l "$log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >&2
	fi
	"$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'outpost_test'" | grep -q 1 ||
		"$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE outpost_test" >&2
	echo "export OUTPOST_TEST_POSTGRES_DSN='postgres://postgres@127.0.0.1:$port/outpost_test?sslmode=disable'"
	;;
stop)
	pg_ctl=$(find_bin pg_ctl) || { echo "pg_ctl not found" >&2; exit 1; }
	if [ -f "$data/postmaster.pid" ]; then
		as_pg "$pg_ctl" -D "$data" -m fast -w stop >&2
	else
		echo "no server running in $data" >&2
	fi
	;;
*)
	usage
	;;
esac
