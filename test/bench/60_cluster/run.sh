#!/usr/bin/env bash
# test/bench/60_cluster/run.sh N: `make bench-citus BENCH_N=N`, cprof through
# Citus on this one machine (a coordinator and two workers on loopback,
# started and stopped here; indicative only: the three nodes share the
# machine's cores).  Its own target rather than a section of `make bench`,
# which runs in a single server: Citus needs shared_preload_libraries and three
# nodes.
#
# The ledger of test/ledger.sql (N entries, with each client's segment) is
# distributed by client_id over 32 shards.  For the segment P&L and the company
# waterfall it times, with Citus's defaults (median of 3 runs, output
# discarded):
#   cprof       client_profit(amount, kind) grouped by segment / ungrouped
#   plain       the plain SQL: one FILTERed sum per kind and the waterfall
#               (sum() is split by Citus: partial sums on the workers)
#   roll-up     client_profit per client on the workers, client_profit(profit)
#               on the coordinator (the two-phase form)
# and counts the rows the workers ship to the coordinator for each
# (pg_stat_statements on the workers: rows returned by the shard queries).
# The results of all three forms are checked equal (margin as the correctly
# rounded quotient) before timing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
n=${1:-10000000}

source "$top/test/cluster/lib.sh"
bash "$top/test/deps.sh"
bash "$top/test/cluster/citus_build.sh"
cluster_init
install_cprof

conf=("shared_preload_libraries = 'citus,pg_stat_statements'"
	"citus.node_conninfo = 'sslmode=disable'"
	"shared_buffers = ${CPROF_SHARED_BUFFERS:-1GB}"
	"work_mem = '64MB'")
for node in coord w1 w2; do node_start "$node" "${conf[@]}"; done
for node in w1 w2; do nsql "$node" -c "CREATE EXTENSION citus"; done
nsql coord -c "CREATE EXTENSION citus" \
	-c "SELECT citus_set_coordinator_host('127.0.0.1', $(node_port coord))" \
	-c "SELECT citus_add_node('127.0.0.1', $(node_port w1))" \
	-c "SELECT citus_add_node('127.0.0.1', $(node_port w2))" >/dev/null
nsql coord -c "CREATE EXTENSION cprof" -c "CREATE EXTENSION pg_stat_statements"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "bench-citus: $n ledger entries; $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
	"$(nsql coord -At -c "SELECT citus_version()" | sed 's/ on .*//'), coordinator + 2 workers on this machine, 32 shards, jit off"
echo "bench-citus: generating and distributing the ledger ..."
start=$SECONDS
(cd "$top/test" && PGOPTIONS="-c citus.enable_ddl_propagation=off -c client_min_messages=error" \
	nsql coord -v entries="$n" -f ledger.sql >/dev/null)
nsql coord -q <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE ledger AS SELECT l.client_id, c.segment, l.kind, l.amount FROM cprof_demo.ledger l JOIN cprof_demo.clients c USING (client_id);
DROP SCHEMA cprof_demo CASCADE;
SELECT create_distributed_table('ledger', 'client_id');
SELECT truncate_local_data_after_distributing_table('ledger');
VACUUM ANALYZE ledger;
SQL
echo "bench-citus: $((SECONDS - start)) s"

# the plain SQL of the waterfall over the sums s (exact: margin as the
# correctly rounded quotient, as client_profit returns it)
waterfall() {
	local margin_cast=${2:-}
	cat <<SQL
SELECT $1 revenue, discount, cogs, revenue - discount - cogs AS gross_profit, cost_to_serve,
       revenue - discount - cogs - cost_to_serve AS contribution, acquisition, bad_debt,
       revenue - discount - cogs - cost_to_serve - acquisition - bad_debt AS net_profit, referral,
       revenue - discount - cogs - cost_to_serve - acquisition - bad_debt + referral AS total_value,
       CASE WHEN revenue <> 0
            THEN ((revenue - discount - cogs - cost_to_serve - acquisition - bad_debt)$margin_cast / revenue)::double precision
       END AS margin, entries
FROM (SELECT $1
             coalesce(sum(amount) FILTER (WHERE kind = 'revenue'), 0) AS revenue,
             coalesce(sum(amount) FILTER (WHERE kind = 'discount'), 0) AS discount,
             coalesce(sum(amount) FILTER (WHERE kind = 'cogs'), 0) AS cogs,
             coalesce(sum(amount) FILTER (WHERE kind IN ('service', 'sales', 'commission', 'quality')), 0) AS cost_to_serve,
             coalesce(sum(amount) FILTER (WHERE kind = 'acquisition'), 0) AS acquisition,
             coalesce(sum(amount) FILTER (WHERE kind = 'bad_debt'), 0) AS bad_debt,
             coalesce(sum(amount) FILTER (WHERE kind = 'referral'), 0) AS referral,
             count(amount) AS entries
      FROM ledger ${3:-}) s
SQL
}
declare -A Q
Q[segment.cprof]="SELECT segment, (client_profit(amount, kind)).* FROM ledger GROUP BY segment ORDER BY segment"
Q[segment.plain]="$(waterfall 'segment,' '' 'GROUP BY segment') ORDER BY segment"
Q[segment.exact]="$(waterfall 'segment,' '::numeric(1000, 40)' 'GROUP BY segment') ORDER BY segment"
Q[segment.rollup]="SELECT segment, (client_profit(p)).* FROM (SELECT client_id, segment, client_profit(amount, kind) AS p
                   FROM ledger GROUP BY client_id, segment) s GROUP BY segment ORDER BY segment"
Q[company.cprof]="SELECT (client_profit(amount, kind)).* FROM ledger"
Q[company.plain]="$(waterfall '' '')"
Q[company.exact]="$(waterfall '' '::numeric(1000, 40)')"
Q[company.rollup]="SELECT (client_profit(p)).* FROM (SELECT client_id, client_profit(amount, kind) AS p FROM ledger GROUP BY client_id) s"

# rows the workers returned for the shard queries of QUERY
shipped() {
	local total=0 node r
	for node in w1 w2; do nsql "$node" -At -c "SELECT pg_stat_statements_reset()" >/dev/null; done
	nsql coord -c "$1" >/dev/null
	for node in w1 w2; do
		r=$(nsql "$node" -At -c "SELECT coalesce(sum(rows), 0) FROM pg_stat_statements WHERE query ~ '\mledger_[0-9]+\M'")
		total=$((total + r))
	done
	echo "$total"
}
# median of 3 runs, ms
timed() {
	local t=() i
	for i in 1 2 3; do
		t+=("$(PGOPTIONS="-c jit=off" nsql coord -c '\timing on' -c '\o /dev/null' -c "$1" |
			sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')")
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}

fmt='%-16s %12.0f %12.0f %12.0f %11s %14s %14s %14s\n'
printf "${fmt//.0f/s}" query 'cprof ms' 'plain ms' 'roll-up ms' cprof/plain 'cprof rows' 'plain rows' 'roll-up rows'
for what in segment company; do
	for form in cprof rollup; do
		if ! diff <(nsql coord -At -c "${Q[$what.$form]}") <(nsql coord -At -c "${Q[$what.exact]}") >/dev/null; then
			echo "bench-citus: $what: the $form form and the plain SQL differ" >&2
			exit 1
		fi
	done
	c=$(timed "${Q[$what.cprof]}")
	p=$(timed "${Q[$what.plain]}")
	r=$(timed "${Q[$what.rollup]}")
	printf "$fmt" "$what P&L" "$c" "$p" "$r" "$(awk -v c="$c" -v p="$p" 'BEGIN { printf "%.2f", c / p }')" \
		"$(shipped "${Q[$what.cprof]}")" "$(shipped "${Q[$what.plain]}")" "$(shipped "${Q[$what.rollup]}")"
done
echo "bench-citus: rows = rows the workers return to the coordinator (pg_stat_statements); Citus defaults" \
	"(an aggregate it cannot split is a row-gather)"
