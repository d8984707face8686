#!/usr/bin/env bash
# test/cluster/citus.sh [ENTRIES]: `make test-citus`, cprof on a real Citus
# cluster (a coordinator and two workers on loopback, started and stopped here).
#
# The deterministic ledger of test/ledger.sql (ENTRIES entries, 20,000 by
# default, one client per 10 entries) and the tables of test/cluster/data.sql
# are loaded on the coordinator, copied to T_local (plain local tables on the
# coordinator) and distributed by client_id.  Then, for every cprof aggregate
# and overload with a bounded state (the list is checked against the catalog),
# each grouping (client_id, another column, none) is run on the distributed
# table and compared, as text, with the same query on the local copy:
#   pushdown  GROUP BY client_id: the whole aggregate runs on the workers
#             (EXPLAIN VERBOSE: the task query holds the call and the GROUP BY),
#             one row per group shipped
#   default   other groupings and none, Citus's defaults: the right result,
#             whatever the plan (a row-gather for an aggregate Citus cannot split)
#   split     the same with citus.coordinator_aggregation_strategy = 'disabled':
#             the right result, worker_partial_agg in EXPLAIN VERBOSE, and at
#             most one partial state per group and shard shipped
# The concentration family is checked in the nested per-client form: an inner
# client_profit per client pushed down, the outer function on the coordinator,
# one row per client shipped, as a subquery (default strategy) and as a
# MATERIALIZED CTE (strategy disabled too).
#
# Rows shipped to the coordinator are measured on the workers with
# pg_stat_statements (rows returned by the shard queries).  Never EXPLAIN
# ANALYZE: on Citus 13.2.2 it fails for a split custom aggregate (upstream
# issue 4043).
#
# Prints a PASS/FAIL table; checks listed in XFAIL_SPLIT below are expected to
# fail.  Exits non-zero on any FAIL or XPASS.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
entries=${1:-20000}
shards=4

# -------------------------------------------------------------------------
# XFAIL: split checks expected to fail until the aggregate gets a concrete
# state type (Citus cannot split an aggregate whose STYPE is internal:
# "unsupported aggregate function").  Every bounded-state aggregate has one
# now, so the list is empty; keep the mechanism for the next aggregate: list
# a check here until its state type lands.  A listed check that passes is an
# XPASS and fails the run, so the list cannot go stale.
XFAIL_SPLIT=()
# -------------------------------------------------------------------------

source "$here/checks.sh"
# Control: an aggregate with a concrete state type (numeric, combined by
# numeric_add) must be split today, proving the split checks can pass.
CONTROL='control_sum(numeric)|facts|control_sum(amount)|segment|'
source "$here/lib.sh"
bash "$top/test/deps.sh"
bash "$here/citus_build.sh"
cluster_init
install_cprof
work=$CLUSTER_DIR/results
mkdir -p "$work"

conf=("shared_preload_libraries = 'citus,pg_stat_statements'"
	"citus.node_conninfo = 'sslmode=disable'"
	"citus.shard_count = $shards")
for n in coord w1 w2; do node_start "$n" "${conf[@]}"; done
for n in w1 w2; do nsql "$n" -c "CREATE EXTENSION citus"; done
nsql coord -c "CREATE EXTENSION citus" \
	-c "SELECT citus_set_coordinator_host('127.0.0.1', $(node_port coord))" \
	-c "SELECT citus_add_node('127.0.0.1', $(node_port w1))" \
	-c "SELECT citus_add_node('127.0.0.1', $(node_port w2))" >/dev/null
# CREATE EXTENSION on the coordinator propagates to the workers
nsql coord -c "CREATE EXTENSION cprof" -c "CREATE EXTENSION pg_stat_statements"
for n in w1 w2; do
	[ "$(nsql "$n" -At -c "SELECT extversion FROM pg_extension WHERE extname = 'cprof'")" = \
		"$(nsql coord -At -c "SELECT extversion FROM pg_extension WHERE extname = 'cprof'")" ] || {
		echo "citus: cprof was not propagated to worker $n" >&2
		exit 1
	}
done
echo "citus: $(nsql coord -At -c "SELECT citus_version()" | sed 's/ on .*//'), coordinator and 2 workers" \
	"on ports $(node_port coord), $(node_port w1), $(node_port w2); $shards shards per table"

echo "citus: loading $entries ledger entries"
(cd "$top/test" && PGOPTIONS="-c citus.enable_ddl_propagation=off -c client_min_messages=error" \
	nsql coord -v entries="$entries" -f ledger.sql -f cluster/data.sql >/dev/null)
nsql coord >/dev/null <<'EOF'
SET client_min_messages = warning;
CREATE AGGREGATE control_sum(numeric) (SFUNC = numeric_add, STYPE = numeric, COMBINEFUNC = numeric_add,
                                       INITCOND = '0', PARALLEL = SAFE);
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY '{facts,monthly,purchases,histories}'::text[] LOOP
        EXECUTE format('CREATE TABLE %I AS TABLE %I', t || '_local', t);
        PERFORM create_distributed_table(t, 'client_id', colocate_with => CASE WHEN t = 'facts' THEN 'default' ELSE 'facts' END);
        PERFORM truncate_local_data_after_distributing_table(t);
    END LOOP;
END $$;
EOF

check_catalog coord

cluster_pause

# shipped_reset / shipped TABLE: rows returned to the coordinator by the
# queries on TABLE's shards, summed over both workers
shipped_reset() {
	for n in w1 w2; do nsql "$n" -At -c "SELECT pg_stat_statements_reset()" >/dev/null; done
}
shipped() {
	local total=0 n r
	for n in w1 w2; do
		r=$(nsql "$n" -At -c "SELECT coalesce(sum(rows), 0) FROM pg_stat_statements
			WHERE query ~ '\m$1_[0-9]+\M' AND query !~* '^\s*explain'")
		total=$((total + r))
	done
	echo "$total"
}

# run OUT STRATEGY QUERY: run QUERY on the coordinator into OUT (stdout) and
# OUT.err; STRATEGY empty or 'disabled'
run() {
	local out=$1 strategy=$2 query=$3 set=
	# warnings are not failures: a fit per client (one history) warns that
	# it does not converge, on the cluster as on the local table
	set="SET client_min_messages = error;"
	[ -n "$strategy" ] && set="$set SET citus.coordinator_aggregation_strategy = '$strategy';"
	nsql coord -At -F'|' -c "$set" -c "$query" >"$out" 2>"$out.err" || true
}

passed=0
failed=0
xfailed=0
xpassed=0
fmt='%-72s %-9s %-9s %-6s %9s  %s\n'
report=$work/report
printf "$fmt" check grouping mode result shipped note >"$report"

# record LABEL GROUPING MODE OK SHIPPED NOTE XFAIL
record() {
	local label=$1 grouping=$2 mode=$3 ok=$4 rows=$5 note=$6 xfail=$7 result
	if [ "$ok" = 1 ] && [ "$xfail" = 1 ]; then
		result=XPASS xpassed=$((xpassed + 1)) note="listed in XFAIL_SPLIT but passes: remove it from the list"
	elif [ "$ok" = 1 ]; then
		result=PASS passed=$((passed + 1))
	elif [ "$xfail" = 1 ]; then
		result=XFAIL xfailed=$((xfailed + 1))
	else
		result=FAIL failed=$((failed + 1))
	fi
	printf "$fmt" "$label" "$grouping" "$mode" "$result" "$rows" "$note" | tee -a "$report"
}

# compare DIST LOCAL: empty when equal, else a note
compare() {
	if [ -s "$1.err" ]; then
		head -n 1 "$1.err" | sed 's/^psql:[^ ]* //'
	elif [ -s "$2.err" ]; then
		echo "the local query failed: $(head -n 1 "$2.err")"
	elif ! cmp -s "$1" "$2"; then
		echo "differs from the local table ($(diff "$1" "$2" | grep -c '^<') of $(wc -l <"$2") rows)"
	elif [ ! -s "$2" ]; then
		echo "no rows"
	fi
}

# check_split LABEL TABLE CALL OTHER FILTER
check_split() {
	local label=$1 table=$2 call=$3 other=$4 filter=$5 g q ql note rows groups xfail=0 ok plan
	for x in "${XFAIL_SPLIT[@]}"; do [ "$x" = "$label" ] && xfail=1; done
	for g in client_id "$other" none; do
		local where=
		[ "$g" = client_id ] && [ -n "$filter" ] && where="WHERE $filter"
		if [ "$g" = none ]; then
			q="SELECT ($call)::text FROM $table $where"
			ql="SELECT ($call)::text FROM ${table}_local $where"
		else
			q="SELECT $g, ($call)::text FROM $table $where GROUP BY $g ORDER BY $g"
			ql="SELECT $g, ($call)::text FROM ${table}_local $where GROUP BY $g ORDER BY $g"
		fi
		run "$work/local" "" "$ql"
		groups=$(wc -l <"$work/local")
		if [ "$g" = client_id ]; then
			# pushed down whole: one row per client from the workers
			shipped_reset
			run "$work/dist" "" "$q"
			rows=$(shipped "$table")
			note=$(compare "$work/dist" "$work/local")
			plan=$(nsql coord -c "EXPLAIN (VERBOSE) $q" 2>&1)
			if [ -z "$note" ] && ! grep -q "Query: SELECT .*public\.${call%%(*}(.* GROUP BY .*client_id" <<<"$plan"; then
				note="EXPLAIN: the task query does not run ${call%%(*} grouped by client_id"
			elif [ -z "$note" ] && [ "$rows" -ne "$groups" ]; then
				note="$rows rows shipped for $groups groups"
			fi
			ok=0
			[ -z "$note" ] && ok=1 note="pushed down whole; groups: $groups"
			record "$label" "$g" pushdown "$ok" "$rows" "$note" 0
			continue
		fi
		# Citus's defaults: right result whatever the plan
		shipped_reset
		run "$work/dist" "" "$q"
		rows=$(shipped "$table")
		note=$(compare "$work/dist" "$work/local")
		ok=0
		[ -z "$note" ] && ok=1 note="groups: $groups"
		record "$label" "$g" default "$ok" "$rows" "$note" 0
		# split between workers and coordinator
		shipped_reset
		run "$work/dist" disabled "$q"
		rows=$(shipped "$table")
		note=$(compare "$work/dist" "$work/local")
		if [ -z "$note" ]; then
			plan=$(nsql coord -c "SET citus.coordinator_aggregation_strategy = 'disabled'" \
				-c "EXPLAIN (VERBOSE) $q" 2>&1)
			if ! grep -q worker_partial_agg <<<"$plan"; then
				note="EXPLAIN: no worker_partial_agg"
			elif [ "$rows" -gt $((groups * shards)) ]; then
				note="$rows rows shipped, more than one state per group and shard"
			fi
		fi
		ok=0
		[ -z "$note" ] && ok=1 note="worker_partial_agg; groups: $groups"
		record "$label" "$g" split "$ok" "$rows" "$note" "$xfail"
	done
}

# check_nested LABEL CALL TYPE: the per-client subquery and CTE forms
check_nested() {
	local label=$1 call=$2 type=$3 v inner form q ql note rows clients ok plan strategy
	case "$type" in
		numeric) v=v ;;
		integer) v='round(v)::integer' ;;
		*) v="v::$type" ;;
	esac
	call=${call//%v/$v}
	inner="SELECT client_id, (client_profit(amount, kind)).net_profit AS v FROM facts GROUP BY client_id"
	for form in subquery cte; do
		local outer="SELECT $call FROM per_client"
		[[ $call == *OVER* ]] && outer="SELECT client_id, $call FROM per_client ORDER BY client_id"
		if [ "$form" = subquery ]; then
			q=${outer/FROM per_client/FROM ($inner) per_client}
			strategy=
		else
			q="WITH per_client AS MATERIALIZED ($inner) $outer"
			strategy=disabled
		fi
		ql=${q//FROM facts/FROM facts_local}
		run "$work/local" "" "$ql"
		clients=$(nsql coord -At -c "SELECT count(DISTINCT client_id) FROM facts_local")
		shipped_reset
		run "$work/dist" "$strategy" "$q"
		rows=$(shipped facts)
		note=$(compare "$work/dist" "$work/local")
		if [ -z "$note" ]; then
			plan=$(nsql coord -c "${strategy:+SET citus.coordinator_aggregation_strategy = '$strategy';}" \
				-c "EXPLAIN (VERBOSE) $q" 2>&1)
			if ! grep -q "Query: SELECT .*public\.client_profit(.* GROUP BY .*client_id" <<<"$plan"; then
				note="EXPLAIN: the inner client_profit is not pushed down"
			elif [ "$rows" -ne "$clients" ]; then
				note="$rows rows shipped for $clients clients"
			fi
		fi
		ok=0
		[ -z "$note" ] && ok=1 note="one row per client${strategy:+ (strategy disabled)}"
		record "$label" nested "$form" "$ok" "$rows" "$note" 0
	done
}

echo
cat "$report"
while IFS='|' read -r label table call other filter; do
	check_split "$label" "$table" "$call" "$other" "$filter"
done <<<"$SPLIT_CHECKS
$CONTROL"
for type in numeric 'double precision' integer; do
	while IFS='|' read -r label call; do
		check_nested "${label//%t/$type}" "$call" "$type"
	done <<<"$NESTED_CALLS"
done
while IFS='|' read -r label call; do
	check_nested "$label" "$call" numeric
done <<<"$WINDOW_CALLS"

# rfm(timestamptz, ...) takes days in the TimeZone of the session that runs
# its transition function: on Citus, the workers' (pushed down or split).
# A TimeZone set on the coordinator only does not reach them (the negative
# control: the result differs from the local one); set for the transaction
# with citus.propagate_set_commands = 'local', it does; and the date overload
# over (ts AT TIME ZONE ...)::date does not depend on the setting at all.
check_timezone() {
	local tz=Pacific/Kiritimati q ql note ok
	q="SELECT segment, rfm(booked_at, amount, timestamptz '2025-12-31 23:00+00', interval '7 days')::text
	   FROM purchases GROUP BY segment ORDER BY segment"
	ql=${q//FROM purchases/FROM purchases_local}
	nsql coord -At -F'|' -c "SET timezone = '$tz'" -c "$ql" >"$work/local" 2>"$work/local.err" || true
	# the coordinator only: the workers keep UTC
	nsql coord -At -F'|' -c "SET timezone = '$tz'" -c "$q" >"$work/dist" 2>"$work/dist.err" || true
	ok=0 note="the coordinator's TimeZone alone gave the local result"
	if [ ! -s "$work/dist.err" ] && [ -s "$work/dist" ] && ! cmp -s "$work/dist" "$work/local"; then
		ok=1 note="differs from the local result, as it must: the workers take days in their own TimeZone"
	fi
	record "rfm(timestamptz), TimeZone set on the coordinator only" segment negative "$ok" - "$note" 0
	# set for the transaction and propagated
	nsql coord -At -F'|' -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" \
		-c "SET LOCAL timezone = '$tz'" -c "$q" -c "COMMIT" >"$work/dist" 2>"$work/dist.err" || true
	note=$(compare "$work/dist" "$work/local")
	ok=0
	[ -z "$note" ] && ok=1 note="SET LOCAL with citus.propagate_set_commands = 'local': the local result"
	record "rfm(timestamptz), TimeZone propagated (SET LOCAL)" segment split "$ok" - "$note" 0
	# the date overload over days taken explicitly
	q="SELECT segment, rfm((booked_at AT TIME ZONE '$tz')::date, amount, date '2026-01-01', interval '7 days')::text
	   FROM purchases GROUP BY segment ORDER BY segment"
	nsql coord -At -F'|' -c "$q" >"$work/dist" 2>"$work/dist.err" || true
	note=$(compare "$work/dist" "$work/local")
	ok=0
	[ -z "$note" ] && ok=1 note="days taken explicitly: the local result, whatever the TimeZone"
	record "rfm(date) over (booked_at AT TIME ZONE ...)::date" segment split "$ok" - "$note" 0
}
check_timezone

echo
echo "citus: rows shipped = rows returned by the shard queries on the workers (pg_stat_statements);" \
	"$(nsql coord -At -c "SELECT count(*) FROM facts_local") facts rows," \
	"$(nsql coord -At -c "SELECT count(DISTINCT client_id) FROM facts_local") clients"
echo "citus: expected failures (XFAIL, split checks of aggregates without a concrete state type yet): $xfailed"
[ "$xpassed" -gt 0 ] && echo "citus: XPASS: $xpassed checks listed in XFAIL_SPLIT pass; remove them from the list" >&2
if [ "$failed" -gt 0 ] || [ "$xpassed" -gt 0 ]; then
	echo "citus: $passed passed, $((failed + xpassed)) failed"
	exit 1
fi
echo "citus: $passed passed, 0 failed"
