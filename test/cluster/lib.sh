# test/cluster/lib.sh: start and stop throwaway PostgreSQL nodes for the
# cluster tests (`make test-citus`, `make test-fdw`, `make bench-citus`).
# Source it, then:
#   cluster_init                  temporary directory, cleanup trap
#   node_start NAME [CONF...]     initdb and start a node on a free loopback port;
#                                 CONF lines are appended to postgresql.conf
#   node_port NAME                its port
#   nsql NAME [PSQL ARGS...]      psql to database "cprof" on that node
#   install_cprof                 build cprof and install it into ./tmp_install
#
# Every node listens on 127.0.0.1 only, on a port found free, with its Unix
# socket in the temporary directory, and runs as the postgres user (PostgreSQL
# refuses root).  The EXIT trap stops every node this script started (by its
# data directory, so by its own postmaster pid) and removes the directory, on
# success, failure or interrupt.
#
# cprof is installed once, into ./tmp_install (make install DESTDIR=...), and
# every node finds it through Debian's extension_destdir setting, as `make
# test` does: nothing of cprof goes into the system's directories.  Citus, in
# contrast, must be in the server's own directories (test/cluster/citus_build.sh).

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=$("$PG_CONFIG" --bindir)
top=${top:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
declare -A NODE_PORT=()
declare -a NODE_DIRS=()
CLUSTER_DIR=

# as_pg CMD...: run CMD as the postgres user (directly when we are not root)
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

cluster_cleanup() {
	local status=$? d
	trap - EXIT INT TERM
	for d in "${NODE_DIRS[@]}"; do
		[ -f "$d/postmaster.pid" ] || continue
		as_pg "$PGBIN/pg_ctl" -D "$d" -m fast -w -t 30 stop >/dev/null 2>&1 ||
			as_pg "$PGBIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
	done
	if [ "$status" -ne 0 ] && [ -n "$CLUSTER_DIR" ]; then
		# the servers' logs tell why a node failed
		for d in "${NODE_DIRS[@]}"; do
			[ -f "$d.log" ] && { echo "--- last lines of $(basename "$d").log"; tail -n 15 "$d.log"; } >&2
		done
	fi
	[ -n "$CLUSTER_DIR" ] && [ -z "${CPROF_KEEP_CLUSTER:-}" ] && rm -rf "$CLUSTER_DIR"
	exit "$status"
}

cluster_init() {
	CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cprof-cluster.XXXXXX")
	chmod 755 "$CLUSTER_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$CLUSTER_DIR"
	trap cluster_cleanup EXIT
	trap 'exit 130' INT TERM
}

# port_free PORT: nothing listens on 127.0.0.1:PORT
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

node_start() {
	local name=$1 d port try
	shift
	d=$CLUSTER_DIR/$name
	as_pg "$PGBIN/initdb" -D "$d" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$d.initdb.log" 2>&1 || {
		cat "$d.initdb.log" >&2
		return 1
	}
	NODE_DIRS+=("$d")
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$CLUSTER_DIR'"
		echo "extension_destdir = '$top/tmp_install'"
		echo "timezone = 'UTC'"
		echo "fsync = off"
		echo "synchronous_commit = off"
		echo "full_page_writes = off"
		echo "max_worker_processes = 16"
		echo "max_parallel_workers_per_gather = 0"
		echo "jit = off"
		for line in "$@"; do echo "$line"; done
	} >>"$d/postgresql.conf"
	# a port found free can be taken before the server binds it: retry
	for try in 1 2 3 4 5; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_free "$port" || continue
		if as_pg "$PGBIN/pg_ctl" -D "$d" -l "$d.log" -o "-p $port" -w -t 60 start >/dev/null; then
			NODE_PORT[$name]=$port
			as_pg "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
				-c "CREATE DATABASE cprof" >/dev/null
			return 0
		fi
	done
	echo "cluster: node $name did not start" >&2
	return 1
}

node_port() {
	echo "${NODE_PORT[$1]}"
}

nsql() {
	local name=$1
	shift
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${NODE_PORT[$name]}" -U postgres -d cprof "$@"
}

install_cprof() {
	make -s -C "$top" PG_CONFIG="$PG_CONFIG" >/dev/null
	rm -rf "$top/tmp_install"
	make -s -C "$top" PG_CONFIG="$PG_CONFIG" install DESTDIR="$top/tmp_install" >/dev/null
}

# cluster_pause: with CPROF_CLUSTER_PAUSE=SECONDS, print how to reach the
# nodes and wait that long before the checks (to look around by hand)
cluster_pause() {
	[ -n "${CPROF_CLUSTER_PAUSE:-}" ] || return 0
	local n
	for n in "${!NODE_PORT[@]}"; do
		echo "cluster: $n: psql -h 127.0.0.1 -p ${NODE_PORT[$n]} -U postgres cprof"
	done
	sleep "$CPROF_CLUSTER_PAUSE"
}
