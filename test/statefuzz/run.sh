#!/usr/bin/env bash
# test/statefuzz/run.sh: the state fuzzer behind `make test-statefuzz`.
# Runs inside the throwaway cluster of test/run.sh (PG* variables set,
# cprof in ./tmp_install).
#
#  1. builds the test-only module test/statefuzz/statefuzz.c with its own
#     PGXS Makefile and installs it into ./tmp_install only (the cluster's
#     extension_destdir); it is never part of cprof's install;
#  2. test/statefuzz/setup.sql makes the cases from the catalog (see there);
#  3. serial pass: every case, its states deserialized and combined by
#     cprof's functions in order, then cprof's final function;
#  4. parallel pass (parallel_setup_cost = 0, parallel_tuple_cost = 0,
#     min_parallel_table_scan_size = 0, max_parallel_workers_per_gather = 2,
#     parallel_leader_participation = off): a sample of the one-state cases
#     (every 'own' case, every STATEFUZZ_EVERY-th of the others) through a
#     Partial Aggregate in a worker and the Finalize Aggregate in the leader,
#     which calls cprof's deserialize, combine and final functions; its
#     result must equal the serial pass's;
#  5. report: cases, results, errors by SQLSTATE, crashes, late
#     cancellations, internal errors; test/statefuzz/known.txt lists the
#     failures known on main.
# Fails on a crash, a lost connection or a late cancellation not listed in
# known.txt, on a serial/parallel difference, and with STATEFUZZ_STRICT=1 on
# any of them and on internal errors (XX000).
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
# shellcheck source=test/fuzz/lib.sh
source test/fuzz/lib.sh

every=${STATEFUZZ_EVERY:-40}
strict=${STATEFUZZ_STRICT:-0}
export HOSTILE_TIMEOUT_MS=${STATEFUZZ_TIMEOUT_MS:-1000}
out=${STATEFUZZ_OUT:-$top/results/statefuzz}
rm -rf "$out"
mkdir -p "$out"

make -s -C test/statefuzz PG_CONFIG="$PG_CONFIG" >/dev/null
make -s -C test/statefuzz PG_CONFIG="$PG_CONFIG" install DESTDIR="$top/tmp_install" >/dev/null

export PGDATABASE=statefuzz
createdb statefuzz
t0=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -v control="${STATEFUZZ_CONTROL:-1}" -f test/statefuzz/setup.sql

# the statement of a case: its states through the chain's fuzz aggregate,
# printing the md5 of the result's text ('null' for NULL)
case_sql() {
	local table=$1 order=$2
	cat <<EOF
SELECT format(E'-- case %s %s\n%s;\n\\\\echo R %s :SQLSTATE :LAST_ERROR_MESSAGE', f.id, f.chain,
       format('SELECT coalesce(md5(sf.fz_%s(%s%s)::text), %L) FROM $table WHERE case_id = %s',
              f.chain,
              CASE WHEN c.internal_state THEN 'b'
                   WHEN f.via = 'bytes' THEN format('sf.recv(b, NULL::%s)', c.entry::regtype)
                   ELSE format('t::%s', c.entry::regtype) END,
              '$order', 'null', f.id),
       f.id)
FROM sf.fcase f JOIN sf.chain c ON c.id = f.chain
EOF
}

# 3. serial pass
{ case_sql sf.fbytes ' ORDER BY pos'; echo "ORDER BY f.id;"; } |
	psql -X -q -At -v ON_ERROR_STOP=1 -f - >"$out/serial.sql"
echo "statefuzz: serial pass, $(grep -c '^-- case ' "$out/serial.sql") cases, statement_timeout ${HOSTILE_TIMEOUT_MS} ms"
status=0
hostile_run_cases "$out/serial.sql" "$out/serial.tsv" "SET client_min_messages = error;" 3 || status=1
t1=$(date +%s)

# 4. parallel pass: one real row per case and 20 NULL rows (skipped by the
# transition function) so that the planner splits the aggregate
parallel_gucs="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;"
psql -X -q -v ON_ERROR_STOP=1 <<EOF
CREATE TABLE sf.pbytes AS
SELECT f.id AS case_id, CASE WHEN g = 0 THEN x.b END AS b, CASE WHEN g = 0 THEN x.t END AS t
FROM sf.fcase f JOIN sf.fbytes x ON x.case_id = f.id, generate_series(0, 20) g
WHERE f.single AND (f.kind = 'own' OR f.id % $every = 0);
ANALYZE sf.pbytes;
EOF
# every chain's plan must be a partial aggregation under a Gather
{ case_sql sf.pbytes ''; echo "WHERE f.id IN (SELECT min(case_id) FROM sf.pbytes p JOIN sf.fcase g ON g.id = p.case_id GROUP BY g.chain) ORDER BY f.id;"; } |
	psql -X -q -At -v ON_ERROR_STOP=1 -f - | grep -v '^\\echo' | grep -v '^-- case' |
	sed 's/^/EXPLAIN (COSTS OFF) /' >"$out/explain.sql"
plans=$({ echo "$parallel_gucs"; cat "$out/explain.sql"; } | psql -X -q -At -v ON_ERROR_STOP=1 -f -)
chains=$(grep -c . "$out/explain.sql")
partial=$(grep -c 'Partial Aggregate' <<<"$plans" || true)
if [ "$partial" -ne "$chains" ]; then
	echo "statefuzz: only $partial of $chains chains get a partial aggregation plan:" >&2
	echo "$plans" >&2
	status=1
fi
{ case_sql sf.pbytes ''; echo "WHERE f.id IN (SELECT case_id FROM sf.pbytes) ORDER BY f.id;"; } |
	psql -X -q -At -v ON_ERROR_STOP=1 -f - >"$out/parallel.sql"
echo "statefuzz: parallel pass, $(grep -c '^-- case ' "$out/parallel.sql") cases ($partial of $chains chains checked to plan Gather + Partial Aggregate)"
hostile_run_cases "$out/parallel.sql" "$out/parallel.tsv" "SET client_min_messages = error; $parallel_gucs" 3 || status=1
t2=$(date +%s)

# 5. report
awk '!/^#/ && NF >= 2 { print $1 "\t" $2 }' test/statefuzz/known.txt >"$out/known.tsv"
(cd "$out" && psql -X -q -v ON_ERROR_STOP=1 -v strict="$strict" \
	-v late="$((HOSTILE_TIMEOUT_MS + ${HOSTILE_LATE_MS:-2000}))" \
	-v serial_s="$((t1 - t0))" -v parallel_s="$((t2 - t1))" \
	-f "$top/test/statefuzz/report.sql") | tee "$out/report.txt"
grep -q '^statefuzz: FAILED' "$out/report.txt" && status=1
if [ "$status" -ne 0 ]; then
	echo "statefuzz: FAILED (cases and results in $out)" >&2
fi
exit "$status"
