#!/usr/bin/env bash
# test/cluster/fdw.sh [ENTRIES]: `make test-fdw`, cprof over postgres_fdw
# shards (a coordinator and two shard clusters of plain PostgreSQL on loopback,
# started and stopped here).
#
# The tables of test/cluster/data.sql (ENTRIES ledger entries, 20,000 by
# default) are kept on the coordinator as T_local, and hash-partitioned by
# client_id (modulus 2) over foreign tables: partition 0 on shard s1, 1 on s2.
# Two sets of foreign servers reach the same shard tables:
#   public.T   servers created with extensions 'cprof': cprof calls may be
#              shipped to the shards
#   plain.T    servers without it: the negative control
# Every query runs with enable_partitionwise_aggregate = on and is compared,
# as text, with the same query on T_local.  Checks:
#   pushdown   GROUP BY client_id, for every bounded-state aggregate: the whole
#              aggregate runs on the shards (the Remote SQL holds the cprof call),
#              one row per group shipped
#   control    the same on plain.T: aggregated on the coordinator, every row
#              shipped, the Remote SQL without the call
#   local      other groupings and none: aggregated on the coordinator (PostgreSQL
#              15's postgres_fdw ships no partial aggregates), every row shipped
#   nested     the concentration family over an inner per-client client_profit:
#              one row per client shipped
#   two-phase  client_profit(amount, kind) per shard (or per client), then
#              client_profit(profit) on the coordinator: the exact company and
#              segment waterfalls from 2 (or one per client) shipped rows
# The servers' fdw_tuple_cost is 0.2 (a row over the network costs about 20
# local tuples) rather than 0.01: with the default, the planner often prefers
# shipping rows to a remote aggregate that ships fewer.
# Rows shipped are the rows of the Foreign Scan nodes in EXPLAIN (ANALYZE,
# VERBOSE) (which is fine here: no Citus).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
entries=${1:-20000}
tables=(facts monthly purchases histories)

source "$here/checks.sh"
source "$here/lib.sh"
bash "$top/test/deps.sh"
cluster_init
install_cprof
work=$CLUSTER_DIR/results
mkdir -p "$work"

for n in coord s1 s2; do node_start "$n"; done
for n in s1 s2; do nsql "$n" -c "CREATE EXTENSION cprof"; done
nsql coord -c "CREATE EXTENSION cprof" -c "CREATE EXTENSION postgres_fdw"
echo "fdw: coordinator and 2 shards on ports $(node_port coord), $(node_port s1), $(node_port s2)"
check_catalog coord

echo "fdw: loading $entries ledger entries"
(cd "$top/test" && PGOPTIONS="-c client_min_messages=error" \
	nsql coord -v entries="$entries" -f ledger.sql -f cluster/data.sql >/dev/null)
for t in "${tables[@]}"; do
	nsql coord -c "ALTER TABLE $t RENAME TO ${t}_local"
	ddl=$(nsql coord -At -c "SELECT format('CREATE TABLE %I (%s)', '$t',
		string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum))
		FROM pg_attribute WHERE attrelid = '${t}_local'::regclass AND attnum > 0 AND NOT attisdropped")
	for n in s1 s2; do nsql "$n" -c "$ddl"; done
done
nsql coord >/dev/null <<EOF
SET client_min_messages = warning;
CREATE SCHEMA plain;
DO \$\$
DECLARE
    s int;
    t text;
BEGIN
    FOREACH s IN ARRAY '{1,2}'::int[] LOOP
        EXECUTE format('CREATE SERVER shard%s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L,
                            extensions %L, async_capable %L, fetch_size %L, batch_size %L, fdw_tuple_cost %L)',
                       s, '127.0.0.1', CASE s WHEN 1 THEN '$(node_port s1)' ELSE '$(node_port s2)' END, 'cprof',
                       'cprof', 'true', '10000', '1000', '0.2');
        EXECUTE format('CREATE SERVER shard%s_plain FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L,
                            async_capable %L, fetch_size %L, fdw_tuple_cost %L)',
                       s, '127.0.0.1', CASE s WHEN 1 THEN '$(node_port s1)' ELSE '$(node_port s2)' END, 'cprof',
                       'true', '10000', '0.2');
        EXECUTE format('CREATE USER MAPPING FOR postgres SERVER shard%s OPTIONS (user %L)', s, 'postgres');
        EXECUTE format('CREATE USER MAPPING FOR postgres SERVER shard%s_plain OPTIONS (user %L)', s, 'postgres');
    END LOOP;
    FOREACH t IN ARRAY '{$(IFS=,; echo "${tables[*]}")}'::text[] LOOP
        EXECUTE format('CREATE TABLE public.%I (LIKE %I) PARTITION BY HASH (client_id)', t, t || '_local');
        EXECUTE format('CREATE TABLE plain.%I (LIKE %I) PARTITION BY HASH (client_id)', t, t || '_local');
        FOREACH s IN ARRAY '{0,1}'::int[] LOOP
            EXECUTE format('CREATE FOREIGN TABLE public.%I PARTITION OF public.%I FOR VALUES WITH (MODULUS 2, REMAINDER %s)
                                SERVER shard%s OPTIONS (schema_name %L, table_name %L)',
                           t || '_p' || s, t, s, s + 1, 'public', t);
            EXECUTE format('CREATE FOREIGN TABLE plain.%I PARTITION OF plain.%I FOR VALUES WITH (MODULUS 2, REMAINDER %s)
                                SERVER shard%s_plain OPTIONS (schema_name %L, table_name %L)',
                           t || '_p' || s, t, s, s + 1, 'public', t);
        END LOOP;
        -- routed through the foreign partitions into the shards
        EXECUTE format('INSERT INTO public.%I SELECT * FROM %I', t, t || '_local');
    END LOOP;
END \$\$;

-- fdw_explain(query): rows shipped by the shards (the Foreign Scan nodes'
-- actual rows) and their Remote SQL
CREATE FUNCTION fdw_explain(query text, execute boolean, OUT shipped bigint, OUT remote text) LANGUAGE plpgsql AS \$\$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE format('EXPLAIN (ANALYZE %s, VERBOSE, FORMAT JSON) %s', CASE WHEN execute THEN 'on' ELSE 'off' END, query) INTO plan;
    SELECT CASE WHEN execute THEN coalesce(sum((n ->> 'Actual Rows')::bigint * (n ->> 'Actual Loops')::bigint), 0) END,
           string_agg(n ->> 'Remote SQL', E'\n')
    INTO shipped, remote
    FROM jsonb_path_query(plan, 'strict \$.**') AS n
    WHERE jsonb_typeof(n) = 'object' AND n ->> 'Node Type' = 'Foreign Scan';
END \$\$;
EOF
for n in s1 s2; do nsql "$n" -c "ANALYZE"; done
for t in "${tables[@]}"; do
	nsql coord -c "ANALYZE ${t}_local, $t, plain.$t"
done
for n in s1 s2; do
	echo "fdw: shard $n holds $(nsql "$n" -At -c "SELECT count(*) FROM facts") facts rows," \
		"$(nsql "$n" -At -c "SELECT count(DISTINCT client_id) FROM facts") clients"
done

cluster_pause

# run OUT QUERY: QUERY's rows into OUT, errors into OUT.err (warnings are
# not failures: a fit per client, one history, warns that it does not
# converge, on the shards as on the local table)
run() {
	nsql coord -At -F'|' -c "SET enable_partitionwise_aggregate = on; SET client_min_messages = error" \
		-c "$2" >"$1" 2>"$1.err" || true
}
# explain QUERY [ANALYZE]: "SHIPPED|REMOTE SQL" on one line
explain() {
	nsql coord -At -F'|' -c "SET enable_partitionwise_aggregate = on" \
		-c "SELECT coalesce(shipped::text, '-'), replace(remote, E'\n', ' ; ') FROM fdw_explain(\$q\$$1\$q\$, ${2:-true})"
}
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

passed=0
failed=0
fmt='%-72s %-9s %-10s %-6s %8s  %s\n'
printf "$fmt" check grouping mode result shipped note
# record LABEL GROUPING MODE NOTE ROWS: PASS when NOTE is empty
record() {
	if [ -z "$4" ]; then
		passed=$((passed + 1))
		printf "$fmt" "$1" "$2" "$3" PASS "$5" "${6:-}"
	else
		failed=$((failed + 1))
		printf "$fmt" "$1" "$2" "$3" FAIL "$5" "$4"
	fi
}

# one_check LABEL GROUPING MODE QUERY LOCAL_QUERY WANT_CALL WANT_ROWS [PLAN_QUERY]:
# equal results; the Remote SQL holds WANT_CALL (or, when WANT_CALL starts
# with !, not); WANT_ROWS rows shipped (when not empty).  With PLAN_QUERY, the
# Remote SQL is that of PLAN_QUERY's plan (EXPLAIN VERBOSE, not run).
one_check() {
	local label=$1 grouping=$2 mode=$3 q=$4 ql=$5 call=$6 want=$7 planq=${8:-} note e rows remote
	run "$work/local" "$ql"
	run "$work/fdw" "$q"
	note=$(compare "$work/fdw" "$work/local")
	if [ -n "$planq" ]; then
		e=$(explain "$planq" false)
		want=-
	else
		e=$(explain "$q")
	fi
	rows=${e%%|*}
	remote=${e#*|}
	if [ -z "$note" ]; then
		if [[ $call == !* ]]; then
			grep -q "public\.${call#!}(" <<<"$remote" && note="the Remote SQL runs ${call#!}"
		else
			grep -q "public\.$call(" <<<"$remote" || note="the Remote SQL does not run $call: $remote"
		fi
	fi
	[ -z "$note" ] && [ -n "$want" ] && [ "$rows" != "$want" ] && note="$rows rows shipped, expected $want"
	record "$label" "$grouping" "$mode" "$note" "$rows" "$(wc -l <"$work/local") result rows${planq:+; Remote SQL of the plan without the WHERE clause}"
}

count() {
	nsql coord -At -c "$1"
}

while IFS='|' read -r label table call other filter; do
	name=${call%%(*}
	for g in client_id "$other" none; do
		where=
		[ "$g" = client_id ] && [ -n "$filter" ] && where="WHERE $filter"
		if [ "$g" = none ]; then
			q="SELECT ($call)::text FROM $table $where"
		else
			q="SELECT $g, ($call)::text FROM $table $where GROUP BY $g ORDER BY $g"
		fi
		ql=${q/FROM $table/FROM ${table}_local}
		all=$(count "SELECT count(*) FROM ${table}_local $where")
		if [ "$g" = client_id ]; then
			# A WHERE clause leaves a few rows, which the planner rightly
			# aggregates on the coordinator: the pushdown is then shown by
			# the plan of the whole table's query (not run: it is slow).
			planq=
			[ -n "$where" ] && planq=${q/ $where/}
			groups=$(count "SELECT count(DISTINCT client_id) FROM ${table}_local $where")
			one_check "$label" "$g" pushdown "$q" "$ql" "$name" "$groups" "$planq"
			one_check "$label" "$g" control "${q/FROM $table/FROM plain.$table}" "$ql" "!$name" "$all" \
				"${planq/FROM $table/FROM plain.$table}"
		else
			one_check "$label" "$g" local "$q" "$ql" "!$name" "$all"
		fi
	done
done <<<"$SPLIT_CHECKS"

clients=$(count "SELECT count(DISTINCT client_id) FROM facts_local")
inner="SELECT client_id, segment, (client_profit(amount, kind)).net_profit AS v FROM facts GROUP BY client_id, segment"
for type in numeric 'double precision' integer; do
	case "$type" in
		numeric) v=v ;;
		integer) v='round(v)::integer' ;;
		*) v="v::$type" ;;
	esac
	while IFS='|' read -r label call; do
		call=${call//%v/$v}
		if [[ $call == *OVER* ]]; then
			q="SELECT client_id, $call FROM ($inner) per_client ORDER BY client_id"
		else
			q="SELECT $call FROM ($inner) per_client"
		fi
		one_check "${label//%t/$type}" nested per-client "$q" "${q/FROM facts/FROM facts_local}" client_profit "$clients"
	done <<<"$NESTED_CALLS"
done
while IFS='|' read -r label call; do
	call=${call//%v/v}
	q="SELECT client_id, $call FROM ($inner) per_client ORDER BY client_id"
	one_check "$label" nested per-client "$q" "${q/FROM facts/FROM facts_local}" client_profit "$clients"
done <<<"$WINDOW_CALLS"

# the two-phase roll-ups: per shard (the foreign partitions themselves), per
# client, per client and segment; against one aggregate over the local rows
one_check 'client_profit(profit) company waterfall' none per-shard \
	"SELECT client_profit(p)::text FROM (SELECT client_profit(amount, kind) AS p FROM facts_p0
	 UNION ALL SELECT client_profit(amount, kind) FROM facts_p1) s" \
	"SELECT client_profit(amount, kind)::text FROM facts_local" client_profit 2
one_check 'client_profit(profit) company waterfall' none per-client \
	"SELECT client_profit(p)::text FROM (SELECT client_id, client_profit(amount, kind) AS p FROM facts GROUP BY client_id) s" \
	"SELECT client_profit(amount, kind)::text FROM facts_local" client_profit "$clients"
one_check 'client_profit(profit) segment waterfall' segment per-client \
	"SELECT segment, client_profit(p)::text FROM (SELECT client_id, segment, client_profit(amount, kind) AS p
	 FROM facts GROUP BY client_id, segment) s GROUP BY segment ORDER BY segment" \
	"SELECT segment, client_profit(amount, kind)::text FROM facts_local GROUP BY segment ORDER BY segment" \
	client_profit "$clients"
# what the roll-up saves: the one-step aggregate ships every row
one_check 'client_profit(amount, kind) company waterfall' none one-step \
	"SELECT client_profit(amount, kind)::text FROM facts" \
	"SELECT client_profit(amount, kind)::text FROM facts_local" '!client_profit' \
	"$(count "SELECT count(*) FROM facts_local")"

echo
echo "fdw: shipped = rows of the Foreign Scan nodes (EXPLAIN ANALYZE); $(count "SELECT count(*) FROM facts_local")" \
	"facts rows, $clients clients"
echo "fdw: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
