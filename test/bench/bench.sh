#!/usr/bin/env bash
# test/bench/bench.sh N: the benchmark behind `make bench` (run by
# test/run.sh inside a throwaway cluster).  Generates the ledger with N
# entries, then runs every section test/bench/[0-9]*.sql in name order; each
# section records its timings with bench_compare() (test/bench/lib.sql) and
# the report at the end prints them all.  CPROF_BENCH_SECTIONS=GLOB (for
# example '10_*') runs only the matching sections.
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-10000000}
psql="psql -X -q -v ON_ERROR_STOP=1 -v entries=$n"
# JIT off: compiling a query's expressions costs a few hundred ms that grow
# with the number of output columns, not with the aggregate's work, and
# would blur the ratios at every size.
# The ledger lives in the schema cprof_demo (test/ledger.sql).
export PGOPTIONS="-c jit=off -c search_path=cprof_demo,public"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "cprof bench: $n ledger entries; $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
	"PostgreSQL $(psql -XAtc 'show server_version'), jit off"
$psql -c "CREATE EXTENSION IF NOT EXISTS cprof SCHEMA public" -f lib.sql
echo "generating the ledger ..."
$psql -f ../ledger.sql
# CPROF_BENCH_SECTIONS picks sections by glob, e.g. "10_*" for client_profit only
for section in ${CPROF_BENCH_SECTIONS:-[0-9]*}.sql; do
	echo "section $section ..."
	$psql -f "$section"
done
$psql -f report.sql
