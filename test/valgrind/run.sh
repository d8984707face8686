#!/usr/bin/env bash
# test/valgrind/run.sh: `make test-valgrind`.
#
# cprof built with -O1 -g (a copy of the sources in a temporary directory,
# so the normal build is untouched), a throwaway cluster whose postmaster
# runs under valgrind memcheck (--trace-children=yes; backends and parallel
# workers are forked, so they are checked too), and the pg_regress suite,
# or the subset in VALGRIND_TESTS, run against it; then
# test/valgrind/exercise.sql, small versions of what the long tests left out
# do (the concentration family, the client_profit roll-up, parallel plans,
# window frames).  Fails on any memcheck error whose stack passes through
# cprof (a frame in cprof.so), on a regression difference, or on a
# backend that dies.  Errors of PostgreSQL itself that come from running a
# server built without USE_VALGRIND (uninitialised padding written to
# disk or sockets, and the like) are suppressed by test/valgrind/postgres.supp;
# other errors outside cprof are counted and reported but do not fail.
#
# Default subset: every test but 12_client_profit_rollup, 20_pareto,
# 21_pareto_large, 32_cohort_simulation and 52_allocate_large, which run 3
# to 17 s each natively on large generated data (30 to 50 times that under
# valgrind);
# exercise.sql covers their functions on small data.  VALGRIND_TESTS=all
# runs everything (about 40 minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
if ! command -v valgrind >/dev/null; then
	echo "valgrind: installing valgrind"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends valgrind >/dev/null ||
		{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends valgrind >/dev/null; }
fi
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bindir=$("$PG_CONFIG" --bindir)

# the default subset: every test but the large-data ones (a new test is in
# it unless it is added to this list)
skip=' 12_client_profit_rollup 20_pareto 21_pareto_large 32_cohort_simulation 52_allocate_large '
tests=${VALGRIND_TESTS:-subset}
if [ "$tests" = all ] || [ "$tests" = subset ]; then
	[ "$tests" = all ] && skip=' '
	tests=$(cd sql && ls ./*.sql | sed 's|^\./||; s|\.sql$||' | grep -v '^cprof--' | sort |
		while read -r t; do [[ "$skip" == *" $t "* ]] || printf '%s ' "$t"; done)
fi
out=${VALGRIND_OUT:-$top/results/valgrind}
rm -rf "$out"
mkdir -p "$out"

work=$(mktemp -d -t cprof-valgrind.XXXXXX)
pm_pid=
cleanup() {
	set +e
	if [ -n "$pm_pid" ] && kill -0 "$pm_pid" 2>/dev/null; then
		kill -INT "$pm_pid"
		for _ in $(seq 1 240); do kill -0 "$pm_pid" 2>/dev/null || break; sleep 0.5; done
		kill -0 "$pm_pid" 2>/dev/null && kill -KILL "$pm_pid"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# 1. build: -O1 -g, frame pointers for useful stacks
mkdir -p "$work/build"
cp -r Makefile cprof.control src sql expected test "$work/build/"
make -s -C "$work/build" PG_CONFIG="$PG_CONFIG" COPT="-O1 -g -fno-omit-frame-pointer" >/dev/null
make -s -C "$work/build" PG_CONFIG="$PG_CONFIG" install DESTDIR="$work/install" >/dev/null

# 2. a cluster owned by postgres, on a free loopback port
port=
for p in $(seq $((20000 + RANDOM % 20000)) 1 45000); do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "valgrind: no free port" >&2; exit 1; }
mkdir -p "$work/data" "$work/vglog"
chown -R postgres:postgres "$work/data" "$work/vglog"
chmod 755 "$work"
su postgres -s /bin/sh -c "$bindir/initdb -D $work/data -U postgres --auth=trust --no-sync >/dev/null"
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work/data'
extension_destdir = '$work/install'
shared_buffers = 32MB
max_connections = 20
fsync = off
autovacuum = off
max_worker_processes = 8
max_parallel_workers = 4
logging_collector = off
EOF

# 3. the postmaster under valgrind
supp=$top/test/valgrind/postgres.supp
su postgres -s /bin/sh -c "exec valgrind --tool=memcheck --trace-children=yes --error-limit=no \
	--leak-check=no --num-callers=40 --read-var-info=no --track-origins=${VALGRIND_ORIGINS:-no} \
	--suppressions=$supp --gen-suppressions=all --log-file=$work/vglog/%p.log \
	$bindir/postgres -D $work/data" >"$work/server.log" 2>&1 &
for _ in $(seq 1 300); do
	if [ -f "$work/data/postmaster.pid" ] && "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
		break
	fi
	sleep 1
done
pm_pid=$(head -n 1 "$work/data/postmaster.pid" 2>/dev/null || true)
"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" || { echo "valgrind: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
echo "valgrind: postmaster $pm_pid under memcheck on port $port; tests: $tests"

# 4. the regression tests, then the exercise script
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
t0=$(date +%s)
status=0
# (long steps run in the background, so that a signal stops them at once)
make -s -C "$work/build" PG_CONFIG="$PG_CONFIG" installcheck REGRESS="$tests" >"$out/regress.out" 2>&1 &
wait $! || status=1
grep -E '^(ok|not ok|test| +[0-9]+ +- )|\.\.\. (ok|FAILED)' "$out/regress.out" || true
if [ "$status" -ne 0 ]; then
	echo "valgrind: regression differences under valgrind:" >&2
	cat "$work/build/regression.diffs" >&2 2>/dev/null || cat "$out/regress.out" >&2
fi
t1=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -d contrib_regression -f test/valgrind/exercise.sql >"$out/exercise.out" 2>&1 &
wait $! || {
	echo "valgrind: exercise.sql failed:" >&2
	tail -20 "$out/exercise.out" >&2
	status=1
}
t2=$(date +%s)

# 5. stop the server, so that every process has written its log
kill -INT "$pm_pid"
for _ in $(seq 1 240); do kill -0 "$pm_pid" 2>/dev/null || break; sleep 0.5; done
pm_pid=
cp "$work/server.log" "$out/server.log"
cp -r "$work/vglog" "$out/"
if grep -qE 'terminated by signal|terminated by exception' "$out/server.log"; then
	echo "valgrind: a backend died:" >&2
	grep -A1 -E 'terminated by signal|terminated by exception' "$out/server.log" >&2
	status=1
fi

# 6. memcheck errors: each starts with "==pid== <what>" and lists its stack
# as "at"/"by" lines; a suppression follows it (--gen-suppressions=all)
# a frame is cprof's when it is in one of src/*.c (or cprof.so, without symbols)
frames="cprof\\.so|[( ]($(cd src && ls ./*.c | sed 's|^\./||; s|\.c$||' | paste -sd'|'))\\.c:[0-9]+"
awk -v cprof_out="$out/cprof_errors.txt" -v frames="$frames" '
	function flush() {
		if (err != "") {
			total++
			if (through) { cprof++; print err "\n" >> cprof_out }
			else { kind[first]++ }
		}
		err = ""; through = 0
	}
	/^==[0-9]+== [A-Z][a-z]/ && !/^==[0-9]+== (Memcheck|Copyright|Using|Command|Parent PID|HEAP|LEAK|ERROR SUMMARY|For a detailed|For lists|For counts|Use --|Rerun|All heap|in use|total heap|definitely|indirectly|possibly|still reachable|suppressed|To see)/ {
		flush(); err = $0; first = $0; sub(/^==[0-9]+== /, "", first); next
	}
	/^==[0-9]+== +(at|by) / && err != "" { err = err "\n" $0; if ($0 ~ frames) through = 1; next }
	/^==[0-9]+== *$/ { flush(); next }
	END {
		flush()
		printf "valgrind: %d memcheck errors, %d of them through cprof\n", total, cprof
		for (k in kind) printf "    outside cprof: %d x %s\n", kind[k], k
	}' "$out"/vglog/*.log | tee "$out/summary.txt"
cprof_errors=$(awk '/through cprof/ { print $5 }' "$out/summary.txt")
echo "valgrind: regression tests $((t1 - t0)) s, exercise.sql $((t2 - t1)) s under memcheck; logs in $out"
if [ "${cprof_errors:-0}" -gt 0 ]; then
	echo "valgrind: FAILED: memcheck errors through cprof:" >&2
	head -200 "$out/cprof_errors.txt" >&2
	status=1
fi
exit "$status"
