#!/usr/bin/env bash
# test/bench/instructions.sh [N]: the instructions
# each state-type aggregate of this build executes against its cprof 1.0
# self (test/bench/build_cprof10.sh), counted by valgrind's callgrind.
#
# Wall-clock timings on a machine shared with other work move by 10-20%
# between runs (docs/performance.md), too much to see a 5% difference; an
# instruction count does not move at all.  It does not see cache misses, so
# it complements `make bench`, which times the same queries, rather than
# replacing it.
#
# A throwaway cluster (initdb in a temporary directory, never started: each
# query runs in a single-user backend) holds the ledger of test/ledger.sql
# with N entries (100,000 by default), cprof (./tmp_install, as `make test`
# installs it) and cprof 1.0 as the schema cprof10.  Each query runs twice,
# with {s} replaced by '' and by 'cprof10.' ({v}: '' and '10', for the
# roll-up's table of 1.0's profit type), counting the instructions of the
# executor (standard_ExecutorRun) only; the hash plans with work_mem = 64MB
# (no spill), and the sort plans with enable_hashagg = off.  Prints the
# instructions and their ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
n=${1:-100000}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=$("$PG_CONFIG" --bindir)

bash test/deps.sh valgrind:valgrind
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
rm -rf "$top/tmp_install"
make -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$top/tmp_install" >/dev/null
cprof10_sql=$(bash test/bench/build_cprof10.sh)

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-instructions.XXXXXX")
chmod 755 "$work"
[ "$(id -u)" -eq 0 ] && chown postgres: "$work"
pid=
cleanup() {
	[ -n "$pid" ] && as_pg "$PGBIN/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# the data, loaded through a server on a Unix socket only, then stopped
as_pg "$PGBIN/initdb" -D "$work/data" -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
extension_destdir = '$top/tmp_install'
fsync = off
jit = off
work_mem = '64MB'
max_parallel_workers_per_gather = 0
EOF
as_pg "$PGBIN/pg_ctl" -D "$work/data" -l "$work/log" -w start >/dev/null
pid=started
psql="$PGBIN/psql -X -q -v ON_ERROR_STOP=1 -h $work -U postgres"
$psql -d postgres -c "CREATE DATABASE bench" >/dev/null
(cd test && PGOPTIONS="-c search_path=cprof_demo,public -c client_min_messages=warning" \
	$psql -d bench -v entries="$n" -f ledger.sql >/dev/null)
$psql -d bench -c "CREATE EXTENSION cprof" -c "CREATE SCHEMA cprof10" \
	-c "SET search_path = cprof10" -f "$cprof10_sql" >/dev/null
$psql -d bench >/dev/null <<'SQL'
SET search_path = cprof_demo, public;
SET client_min_messages = warning;
CREATE TABLE monthly AS
SELECT client_id, date_trunc('month', booked_on)::date AS month, client_profit(amount, kind) AS p
FROM ledger GROUP BY 1, 2;
CREATE TABLE monthly10 AS SELECT client_id, month, p::text::cprof10.profit AS p FROM monthly;
CREATE TABLE pnl AS
SELECT client_id,
       CASE WHEN kind IN ('revenue', 'referral') THEN amount ELSE 0 END AS revenue,
       CASE WHEN kind IN ('revenue', 'referral') THEN 0 ELSE amount END AS cost,
       CASE WHEN kind IN ('revenue', 'referral') THEN amount_f ELSE 0 END AS revenue_f,
       CASE WHEN kind IN ('revenue', 'referral') THEN 0 ELSE amount_f END AS cost_f
FROM ledger;
CREATE TABLE cohort_input AS
SELECT c.client_id, date_trunc('month', c.acquired_on)::date AS cohort,
       sum(l.amount) AS profit,
       ((coalesce(c.churned_on, date '2025-12-31') - c.acquired_on) / 30.4375)::float8 AS tenure,
       c.churned_on IS NOT NULL AS churned
FROM clients c JOIN ledger l USING (client_id)
GROUP BY c.client_id, c.acquired_on, c.churned_on;
VACUUM ANALYZE;
SQL
as_pg "$PGBIN/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
pid=

# count QUERY SETTINGS: instructions of the executor for the query
count() {
	local out=$work/callgrind.out
	rm -f "$out"
	# cprof's library first (cprof10.so binds its own calls to itself)
	printf '%s\n' "SET search_path = cprof_demo, public" "SELECT expected_tenure(0.5::float8)" \
		"SELECT cprof10.expected_tenure(0.5::float8)" "SELECT count(s) FROM ($1) s" |
		as_pg valgrind --tool=callgrind --callgrind-out-file="$out" \
			--toggle-collect=standard_ExecutorRun \
			"$PGBIN/postgres" --single -D "$work/data" $2 bench >/dev/null 2>&1
	callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}'
}

printf '%-52s %-4s %14s %14s %8s\n' query plan instructions "1.0" x_1.0
while IFS='|' read -r label q; do
	for plan in hash sort; do
		set=
		[ "$plan" = sort ] && set="-c enable_hashagg=off"
		new=$(count "$(sed -e "s/{s}//g; s/{v}//g" <<<"$q")" "$set")
		old=$(count "$(sed -e "s/{s}/cprof10./g; s/{v}/10/g" <<<"$q")" "$set")
		printf '%-52s %-4s %14d %14d %8.3f\n' "$label" "$plan" "$new" "$old" \
			"$(awk -v a="$new" -v b="$old" 'BEGIN {print a / b}')"
	done
done <<'EOF'
client_profit(amount, kind) numeric|SELECT client_id, ({s}client_profit(amount, kind)).* FROM ledger GROUP BY client_id
client_profit(amount, kind) double|SELECT client_id, ({s}client_profit(amount_f, kind)).* FROM ledger GROUP BY client_id
client_profit(amount, kind) bigint|SELECT client_id, ({s}client_profit((amount * 100)::bigint, kind)).* FROM ledger GROUP BY client_id
client_profit(revenue, cost) numeric|SELECT client_id, {s}client_profit(revenue, cost) FROM pnl GROUP BY client_id
client_profit(revenue, cost) double|SELECT client_id, {s}client_profit(revenue_f, cost_f) FROM pnl GROUP BY client_id
client_profit(profit), monthly to client|SELECT client_id, ({s}client_profit(p)).* FROM monthly{v} GROUP BY client_id
hhi(amount) numeric, 1000 groups|SELECT client_id % 1000, {s}hhi(amount) FROM ledger GROUP BY 1
hhi(amount) double, 1000 groups|SELECT client_id % 1000, {s}hhi(amount_f) FROM ledger GROUP BY 1
cohort_ltv(profit, tenure, churned, 0.01) by cohort|SELECT cohort, {s}cohort_ltv(profit, tenure, churned, 0.01) FROM cohort_input GROUP BY cohort
rfm(booked_on, amount, as_of, '7 days') per client|SELECT client_id, {s}rfm(booked_on, amount, date '2025-12-31', '7 days') FROM ledger WHERE kind = 'revenue' GROUP BY client_id
EOF
