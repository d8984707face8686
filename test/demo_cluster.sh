#!/usr/bin/env bash
# test/demo_cluster.sh start|psql|stop|status: the demo cluster behind
# `make demo-start`, `make demo-psql` and `make demo-stop`.
#
# A PostgreSQL 15 cluster of its own in ./demo-cluster (CPROF_DEMO_DIR),
# kept between runs: database "cprof", superuser "cprof", cprof installed
# (from ./demo-cluster/install, through Debian's extension_destdir setting:
# nothing is written to the system's PostgreSQL directories), the demo
# ledger and the CDNOW data loaded into the schema cprof_demo, and the
# database's search_path set to "cprof_demo, public" so that the examples
# of the documentation run as printed.
#
# It listens on 127.0.0.1 only, on a free port chosen the first time, and on
# a Unix socket inside ./demo-cluster that only its owner can use (trust
# authentication there); TCP connections need the password in
# ./demo-cluster/password (SCRAM).  As root, the cluster runs as the user
# postgres, who must be able to reach the repository's folder.
#
# start reuses a running cluster and restarts a stopped one (rebuilding and
# reinstalling cprof first, so the cluster always runs the checkout's code);
# `make demo-stop` stops it; `rm -rf demo-cluster` (once stopped) deletes it.
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD
action=${1:?usage: test/demo_cluster.sh start|psql|stop|status}
dir=${CPROF_DEMO_DIR:-$top/demo-cluster}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
data=$dir/data

# as_owner CMD...: run CMD as the cluster's owner (postgres when we are root).
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pgbin() {
	echo "$("$PG_CONFIG" --bindir)/$1"
}

running() {
	[ -f "$data/PG_VERSION" ] && as_owner "$(pgbin pg_ctl)" -D "$data" status >/dev/null 2>&1
}

port() {
	cat "$dir/port"
}

# the connection string of the Unix socket (no password: trust, owner only)
conninfo() {
	echo "host=$dir port=$(port) user=cprof dbname=cprof"
}

# a free TCP port on the loopback interface
free_port() {
	perl -MIO::Socket::INET -e \
		'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport, "\n"'
}

say_how() {
	cat <<EOF
cprof demo cluster in $dir, running on port $(port):
  make demo-psql                       opens psql on it (database cprof, search_path cprof_demo, public)
  psql "$(conninfo)"
  psql "host=127.0.0.1 port=$(port) user=cprof dbname=cprof"   password in $dir/password
  make demo-stop                       stops it (the data stays for the next make demo-start)
EOF
}

start() {
	bash test/deps.sh
	make -s PG_CONFIG="$PG_CONFIG" >/dev/null
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "cprof: the user postgres is missing (install postgresql-15)" >&2
		exit 1
	fi
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
		chmod 700 "$dir"
		if ! runuser -u postgres -- test -x "$dir"; then
			echo "cprof: the user postgres cannot reach $dir; put the repository where postgres can" \
				"read it, or set CPROF_DEMO_DIR to such a folder" >&2
			exit 1
		fi
	else
		chmod 700 "$dir"
	fi

	if ! running; then
		# (re)install cprof where the cluster looks for it: the checkout's
		# build, every time the cluster starts
		rm -rf "$dir/install"
		make -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$dir/install" >/dev/null
		chmod -R a+rX "$dir/install"
	fi

	if [ ! -f "$data/PG_VERSION" ]; then
		echo "cprof: creating the demo cluster in $dir ..."
		umask 077
		head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
		[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/password"
		as_owner "$(pgbin initdb)" -D "$data" -U cprof -E UTF8 --locale=C.UTF-8 \
			--auth-local=trust --auth-host=scram-sha-256 --pwfile="$dir/password" >/dev/null
		umask 022
		free_port >"$dir/port"
		as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# cprof demo cluster (test/demo_cluster.sh)
listen_addresses = '127.0.0.1'
port = $(port)
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
extension_destdir = '$dir/install'
max_parallel_workers_per_gather = 2
EOF
		fresh=1
	fi

	if ! running; then
		# the port chosen earlier may have been taken since
		if ! perl -MIO::Socket::INET -e \
			'exit !IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => $ARGV[0], ReuseAddr => 1)' \
			"$(port)" 2>/dev/null; then
			free_port >"$dir/port"
			as_owner sed -i "s/^port = .*/port = $(port)/" "$data/postgresql.conf"
		fi
		as_owner "$(pgbin pg_ctl)" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null
	fi

	if [ "${fresh:-0}" = 1 ] || ! psql -X -q -At "$(conninfo)" -c "SELECT 1 FROM pg_namespace WHERE nspname = 'cprof_demo'" 2>/dev/null | grep -q 1; then
		echo "cprof: loading the demo data (ledger of 200,000 entries, CDNOW) ..."
		psql -X -q "host=$dir port=$(port) user=cprof dbname=postgres" \
			-c "SELECT 1 FROM pg_database WHERE datname = 'cprof'" -At | grep -q 1 ||
			psql -X -q "host=$dir port=$(port) user=cprof dbname=postgres" -c "CREATE DATABASE cprof"
		psql -X -q -v ON_ERROR_STOP=1 "$(conninfo)" \
			-c "CREATE EXTENSION IF NOT EXISTS cprof SCHEMA public" \
			-v entries=200000 -f test/ledger.sql \
			-f test/cdnow/load.sql \
			-c "ALTER DATABASE cprof SET search_path = cprof_demo, public"
	else
		psql -X -q -v ON_ERROR_STOP=1 "$(conninfo)" \
			-c "SET client_min_messages = warning" -c "ALTER EXTENSION cprof UPDATE"
	fi
	say_how
}

case "$action" in
	start)
		start
		;;
	psql)
		running || start >/dev/null
		exec psql "$(conninfo)"
		;;
	stop)
		if running; then
			as_owner "$(pgbin pg_ctl)" -D "$data" -w stop -m fast >/dev/null
			echo "cprof: demo cluster stopped (its data stays in $dir; make demo-start starts it again)"
		else
			echo "cprof: no demo cluster running in $dir"
		fi
		;;
	status)
		if running; then say_how; else echo "cprof: no demo cluster running in $dir"; fi
		;;
	*)
		echo "test/demo_cluster.sh: unknown action '$action'" >&2
		exit 2
		;;
esac
