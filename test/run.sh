#!/usr/bin/env bash
# test/run.sh MODE [ARGS]: the driver behind `make test`, `make demo`,
# `make bench` and `make test-cdnow`.
#
# Each mode installs the Debian packages that are missing (test/deps.sh),
# builds cprof, and runs against a throwaway cluster made by pg_virtualenv
# (temporary directory, loopback only, destroyed on exit).  The test and
# benchmark modes install the extension into ./tmp_install and point the
# cluster at it with Debian's extension_destdir setting, so they never touch
# the system's PostgreSQL directories; `make demo` installs it for real.
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD
mode=${1:?usage: test/run.sh test|demo|bench|cdnow [args]}
shift

bash test/deps.sh
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
make -s PG_CONFIG="$PG_CONFIG" >/dev/null

# in_cluster CMD...: run CMD with PG* variables pointing at a new cluster
# that sees the build in ./tmp_install.
in_cluster() {
	rm -rf "$top/tmp_install"
	make -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$top/tmp_install" >/dev/null
	pg_virtualenv -t \
		-o "listen_addresses=localhost" \
		-o "extension_destdir=$top/tmp_install" \
		-o "max_worker_processes=16" \
		-o "max_parallel_workers=8" \
		-o "shared_buffers=${CPROF_SHARED_BUFFERS:-128MB}" \
		"$@"
}

case "$mode" in
	test)
		rm -rf results regression.diffs regression.out
		status=0
		log=$(mktemp)
		in_cluster make -s PG_CONFIG="$PG_CONFIG" installcheck 2>&1 | tee "$log" || status=$?
		# a closing line CI can read: N passed, N failed
		passed=$(grep -c ' \.\.\. ok' "$log" || true)
		failed=$(grep -c ' \.\.\. FAILED' "$log" || true)
		rm -f "$log"
		if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
			[ -f regression.diffs ] && cat regression.diffs
			echo "cprof: regression tests FAILED" >&2
			echo "${passed:-0} passed, ${failed:-0} failed"
			exit 1
		fi
		echo "${passed} passed, ${failed} failed"
		;;
	demo)
		make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
		pg_virtualenv -t -o "listen_addresses=localhost" \
			psql -X -q -v ON_ERROR_STOP=1 -f test/demo.sql
		;;
	bench)
		n=${1:-10000000}
		CPROF_SHARED_BUFFERS=2GB in_cluster \
			bash test/bench/bench.sh "$n"
		;;
	cdnow)
		# the CDNOW purchase logs, next to the checkout (CI clones the
		# repository beside shared/); the server reads them, so the path
		# must be absolute
		data=$(cd "$top/../shared/data/cdnow" && pwd)
		in_cluster psql -X -q -v ON_ERROR_STOP=1 -v datadir="$data" \
			-f test/cdnow/cdnow.sql
		;;
	clv)
		# the CLV validation on CDNOW: needs ../shared/data beside the checkout
		export CPROF_CDNOW=${CPROF_CDNOW:-$top/../shared/data/cdnow}
		if [ ! -f "$CPROF_CDNOW/CDNOW_sample.txt" ]; then
			echo "cprof: CDNOW data not found in $CPROF_CDNOW" >&2
			exit 1
		fi
		in_cluster psql -X -q -v ON_ERROR_STOP=1 \
			-c "CREATE EXTENSION cprof" -f test/clv/load_cdnow.sql -f test/clv/validate.sql
		;;
	fuzz|statefuzz|cancel)
		# the hostile tests (test/fuzz, test/statefuzz, test/cancel)
		in_cluster bash "test/$mode/run.sh" "$@"
		;;
	valgrind)
		bash test/valgrind/run.sh "$@"
		;;
	*)
		echo "test/run.sh: unknown mode '$mode'" >&2
		exit 2
		;;
esac
