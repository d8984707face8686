#!/usr/bin/env bash
# test/cancel/run.sh: `make test-cancel`.  Runs inside the throwaway cluster
# of test/run.sh (PG* variables set, cprof in ./tmp_install).
#
# The longest calls of cprof must stop within a second of their
# statement_timeout: each one runs with one or more timeouts that fall
# while cprof's code runs (the data is made in the query by
# generate_series arithmetic, no files), and the delay is the statement's
# elapsed time (psql's \timing) minus the timeout.  A call that finishes
# before its timeout is reported with its time and measures nothing.
#   fits         bgnbd_fit, pareto_nbd_fit, gamma_gamma_fit over 1,000,000
#                client histories (about 140,000 distinct)
#   concentration gini, pareto_share, pareto_fraction, top_share, hhi and
#                pareto_curve(v, 1000) over CANCEL_VALUES values (default
#                20,000,000) in one statement, timed once without a timeout;
#                the timeouts fall at 60, 72, 84 and 95% of that time, in
#                the final functions (selection, sorting), which run after
#                the scan (also timed alone with count(), for comparison)
#   pareto_curve with 10,000,000 points over 2,000,000 values
#   clv          a 100,000-month horizon (BG/NBD and Pareto/NBD)
#   hyp2f1       near z = 1, where the series needs millions of terms: one
#                call, and 2000 calls in one statement
# Fails when a delay exceeds CANCEL_MAX_DELAY_MS (default 1000), or a
# backend dies; a call that ends with another error is reported (it
# measured nothing) but does not fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
# shellcheck source=test/fuzz/lib.sh
source test/fuzz/lib.sh

values=${CANCEL_VALUES:-20000000}
max_delay=${CANCEL_MAX_DELAY_MS:-1000}
out=${CANCEL_OUT:-$top/results/cancel}
rm -rf "$out"
mkdir -p "$out"
createdb cancel
export PGDATABASE=cancel
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION cprof"

histories="SELECT (i % 13)::float8 AS f, CASE WHEN i % 13 = 0 THEN 0 ELSE ((i::bigint * 7919) % 3000) / 100.0 END::float8 AS r, (30 + i % 11)::float8 AS a, (10 + ((i::bigint * 31) % 9000) / 100.0)::float8 AS m FROM generate_series(1, 1000000) i"
vals="SELECT (((i::bigint * 2654435761) % 1000003) - 100000)::float8 AS v FROM generate_series(1, $values) i"
bg="ROW(0.243, 4.414, 0.793, 2.426, -9582.4, 2357, true)::bgnbd"
pn="ROW(0.553, 10.58, 0.606, 11.67, -9595.0, 2357, true)::pareto_nbd"
gg="ROW(6.25, 3.74, 15.44, -4000, 946, true)::gamma_gamma"

# the concentration statement once without a timeout: its timeouts are
# placed in the last 40% of that time, where the final functions run
# (selection, sorting; the scan and the transitions come first)
conc="SELECT gini(v), pareto_share(v, 0.2), pareto_fraction(v, 0.8), top_share(v, 1000), hhi(v), pareto_curve(v, 1000) IS NOT NULL FROM ($vals) s"
scan_ms=$( { echo '\timing on'; echo "SELECT count(v) FROM ($vals) s;"; } |
	psql -X -q -At -f - | awk '$1 == "Time:" { print int($2) }')
full_ms=$( { echo '\timing on'; echo "$conc;"; } |
	psql -X -q -At -v ON_ERROR_STOP=1 -f - | awk '$1 == "Time:" { print int($2) }')
echo "cancel: $values generated values: the scan alone takes $scan_ms ms, the concentration statement $full_ms ms"

# label|timeout ms|query, one line per run
{
	for t in 1500 4000; do
		echo "bgnbd_fit, 1e6 histories|$t|SELECT bgnbd_fit(f, r, a) FROM ($histories) h"
		echo "pareto_nbd_fit, 1e6 histories|$t|SELECT pareto_nbd_fit(f, r, a) FROM ($histories) h"
		echo "gamma_gamma_fit, 1e6 histories|$t|SELECT gamma_gamma_fit(f + 1, m) FROM ($histories) h"
	done
	for pct in 60 72 84 95; do
		echo "concentration family, $values values|$((full_ms * pct / 100))|$conc"
	done
	for t in 400 700; do
		echo "pareto_curve, 1e7 points over 2e6 values|$t|SELECT pareto_curve(v, 10000000) IS NOT NULL FROM (SELECT ((i::bigint * 2654435761) % 1000003)::float8 AS v FROM generate_series(1, 2000000) i) s"
	done
	for t in 1000 3000; do
		echo "clv BG/NBD, 100000 months|$t|SELECT clv($bg, $gg, 2, 30.43, 38.86, 35, 100000, 0.01, 4.345)"
		echo "clv Pareto/NBD, 100000 months|$t|SELECT clv($pn, $gg, 2, 30.43, 38.86, 35, 100000, 0.01, 4.345)"
	done
	echo "hyp2f1 near z = 1, 2000 calls|1000|SELECT count(hyp2f1(1, 1, 2, 0.999995 - i * 1e-12)) FROM generate_series(1, 2000) i"
	echo "hyp2f1 one call near z = 1|1000|SELECT hyp2f1(0.5, 0.5, 1.5, 0.999995)"
} >"$out/runs.txt"

awk -F'|' '{ printf "-- case %d %d\nSET statement_timeout = %d; %s;\n\\echo R %d :SQLSTATE :LAST_ERROR_MESSAGE\n", NR, NR, $2, $3, NR }' \
	"$out/runs.txt" >"$out/cancel.sql"
status=0
HOSTILE_TIMEOUT_MS=600000 hostile_run_cases "$out/cancel.sql" "$out/cancel.tsv" "SET client_min_messages = error;" 1 900 || status=1

echo
printf '%-44s %9s %9s %9s  %s\n' "call" "timeout" "elapsed" "delay" "outcome"
awk -F'\t' -v max="$max_delay" -v report="$out/summary.txt" '
	FNR == NR { split($0, f, "|"); label[FNR] = f[1]; to[FNR] = f[2]; next }
	{
		id = $1; st = $2; ms = $3 + 0
		if (st == "57014") {
			d = ms - to[id]; outcome = "stopped by the timeout"; n++
			if (d > worst) worst = d
			if (d > max) { outcome = "LATE"; bad++ }
			printf "%-44s %7d ms %7d ms %7d ms  %s\n", label[id], to[id], ms, d, outcome
		} else if (st == "00000") {
			printf "%-44s %7d ms %7d ms %9s  %s\n", label[id], to[id], ms, "-", "finished before the timeout"
			done++
		} else if (st == "CRASH" || st == "LOST" || st == "SKIP") {
			printf "%-44s %7d ms %9s %9s  %s\n", label[id], to[id], "-", "-", "FAILED: " st " " $4
			bad++
		} else {
			printf "%-44s %7d ms %7d ms %9s  %s\n", label[id], to[id], ms, "-", "ended with error " st ": " substr($4, 1, 50)
			errors++
		}
	}
	END {
		printf "cancel: %d runs stopped by their statement_timeout, worst delay %d ms (limit %d ms); %d finished first; %d ended with another error; %d failed\n",
			n, worst, max, done, errors + 0, bad + 0 > report
		exit (bad > 0)
	}' "$out/runs.txt" "$out/cancel.tsv" || status=1
cat "$out/summary.txt"
if [ "$status" -ne 0 ]; then
	echo "cancel: FAILED (details in $out)" >&2
fi
exit "$status"
