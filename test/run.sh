#!/usr/bin/env bash
# test/run.sh MODE [ARGS]: the driver behind `make test`, `make demo`,
# `make bench` and `make test-cdnow`.
#
# Each mode installs the Debian packages that are missing (test/deps.sh),
# builds cprof, and runs against a throwaway cluster made by pg_virtualenv
# (temporary directory, loopback only, destroyed on exit).  Every mode
# installs the extension into ./tmp_install and points the cluster at it
# with Debian's extension_destdir setting, so none of them writes to the
# system's PostgreSQL directories.
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD
mode=${1:?usage: test/run.sh test|demo|bench|cdnow|clv|docs|clients|fuzz|statefuzz|cancel|valgrind [args]}
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

# check_cdnow: the CDNOW files are the ones test/data/cdnow/README.md
# describes (the loader also checks their row counts and totals).
check_cdnow() {
	(cd test/data/cdnow && sha256sum --quiet -c SHA256SUMS) || {
		echo "cprof: test/data/cdnow does not match its SHA256SUMS" >&2
		exit 1
	}
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
		# the report, then the pictures (CPROF_PICTURES, docs/img when
		# not set) drawn with gnuplot from the data the report wrote
		bash test/deps.sh gnuplot:gnuplot-nox
		pictures=${CPROF_PICTURES:-$top/docs/img}
		work=$(mktemp -d)
		trap 'rm -rf "$work"' EXIT
		chmod 755 "$work"
		in_cluster psql -X -q -v ON_ERROR_STOP=1 -v picture_dir="$work" -f test/demo.sql
		mkdir -p "$pictures"
		for picture in whale_curve waterfall; do
			gnuplot -e "datafile='$work/$picture.csv'; outfile='$pictures/$picture.svg'" \
				"test/pictures/$picture.gp"
		done
		echo "pictures: $pictures/whale_curve.svg, $pictures/waterfall.svg"
		;;
	bench)
		n=${1:-10000000}
		# the CLV section loads CDNOW through test/clv/load_cdnow.sql
		export CPROF_CDNOW=${CPROF_CDNOW:-$top/test/data/cdnow}
		CPROF_SHARED_BUFFERS=2GB in_cluster \
			bash test/bench/bench.sh "$n"
		;;
	cdnow)
		# the CDNOW purchase logs (test/data/cdnow), loaded by psql
		check_cdnow
		in_cluster psql -X -q -v ON_ERROR_STOP=1 \
			-f test/cdnow/load.sql -f test/cdnow/cdnow.sql
		;;
	clv)
		# the CLV validation on CDNOW and on simulated clients
		check_cdnow
		in_cluster psql -X -q -v ON_ERROR_STOP=1 \
			-c "CREATE EXTENSION cprof" -f test/clv/load_cdnow.sql -f test/clv/validate.sql
		;;
	docs)
		# the SQL examples of the README and docs/*.md (or the pages
		# given) against the output they show
		bash test/deps.sh /usr/bin/python3:python3
		in_cluster /usr/bin/python3 test/docs/check_docs.py "$@"
		;;
	clients)
		# cprof's results read through psycopg 3 and node-postgres
		bash test/deps.sh /usr/bin/python3:python3 \
			/usr/lib/python3/dist-packages/psycopg/__init__.py:python3-psycopg \
			node:nodejs npm:npm
		in_cluster bash test/clients/run.sh
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
