# test/cluster/checks.sh: the lists of functions the cluster tests check,
# sourced by citus.sh and fdw.sh.  Both scripts compare these lists with the
# catalog, so a new cprof aggregate or overload must be added here.

# The bounded-state aggregates: label (the regprocedure), table, call, the
# other grouping column, and a WHERE clause for the client_id grouping only
# (a fit per client is slow, about 2 s for pareto_nbd_fit, and a few say as
# much as all).
SPLIT_CHECKS=$(cat <<'EOF'
client_profit(numeric,numeric)|facts|client_profit(revenue, cost)|segment|
client_profit(double precision,double precision)|facts|client_profit(revenue_f, cost_f)|segment|
client_profit(smallint,smallint)|facts|client_profit(revenue_i2, cost_i2)|segment|
client_profit(integer,integer)|facts|client_profit(revenue_i4, cost_i4)|segment|
client_profit(bigint,bigint)|facts|client_profit(revenue_i8, cost_i8)|segment|
client_profit(numeric,text)|facts|client_profit(amount, kind)|segment|
client_profit(double precision,text)|facts|client_profit(amount_f, kind)|segment|
client_profit(smallint,text)|facts|client_profit(amount_i2, kind)|segment|
client_profit(integer,text)|facts|client_profit(amount_i4, kind)|segment|
client_profit(bigint,text)|facts|client_profit(amount_i8, kind)|segment|
client_profit(profit)|monthly|client_profit(p)|month|
cohort_ltv(numeric,double precision,boolean)|histories|cohort_ltv(profit, tenure, churned)|cohort|
cohort_ltv(numeric,double precision,boolean,double precision)|histories|cohort_ltv(profit, tenure, churned, 0.01)|cohort|
hhi(numeric)|facts|hhi(amount)|segment|
hhi(double precision)|facts|hhi(amount_f)|segment|
hhi(integer)|facts|hhi(amount_i4)|segment|
idle_capacity(numeric,numeric,numeric)|facts|idle_capacity(250000.00, abs(amount), 1000000)|segment|
idle_capacity(numeric,numeric,numeric,numeric)|facts|idle_capacity(250000.00, abs(amount), 1000000, 0.05)|segment|
idle_capacity(numeric,double precision,double precision)|facts|idle_capacity(250000.00, abs(amount_f), 1000000)|segment|
idle_capacity(numeric,double precision,double precision,numeric)|facts|idle_capacity(250000.00, abs(amount_f), 1000000, 1)|segment|
rfm(date,numeric,date,interval)|purchases|rfm(booked_on, amount, date '2025-12-31', interval '1 day')|segment|
rfm(timestamp with time zone,numeric,timestamp with time zone,interval)|purchases|rfm(booked_at, amount, timestamptz '2025-12-31 23:00+00', interval '7 days')|segment|
bgnbd_fit(double precision,double precision,double precision)|histories|bgnbd_fit(frequency, recency, age)|cohort|client_id <= 20
pareto_nbd_fit(double precision,double precision,double precision)|histories|pareto_nbd_fit(frequency, recency, age)|cohort|client_id <= 2
gamma_gamma_fit(double precision,double precision)|histories|gamma_gamma_fit(frequency, monetary)|cohort|client_id <= 20
EOF
)
# The concentration family, nested: %v is the per-client value, %t its type.
NESTED_CALLS=$(cat <<'EOF'
pareto_share(%t)|pareto_share(%v)
pareto_share(%t,double precision)|pareto_share(%v, 0.5)
pareto_share(%t,double precision[])|pareto_share(%v, '{0.1,0.2,0.5}'::double precision[])
pareto_fraction(%t)|pareto_fraction(%v)
pareto_fraction(%t,double precision)|pareto_fraction(%v, 0.9)
pareto_curve(%t,integer)|pareto_curve(%v, 10)
gini(%t)|gini(%v)
top_share(%t,bigint)|top_share(%v, 10)
pareto_class(%t)|pareto_class(%v) OVER ()
pareto_class(%t,double precision,double precision)|pareto_class(%v, 0.5, 0.9) OVER ()
EOF
)

# The allocation window functions, over the same per-client rows (%v is the
# client's net profit, numeric): the pool is the whole per-client result.
WINDOW_CALLS=$(cat <<'EOF'
allocate(numeric,numeric)|allocate(100000.00, abs(%v)) OVER (ORDER BY client_id)
allocate(numeric,numeric,numeric)|allocate(100000.00, abs(%v), 0.05) OVER (ORDER BY client_id)
allocate(numeric,double precision)|allocate(100000.00, abs(%v)::double precision) OVER (ORDER BY client_id)
allocate(numeric,double precision,numeric)|allocate(100000.00, abs(%v)::double precision, 1) OVER (ORDER BY client_id)
allocate(numeric,integer)|allocate(100000.00, round(abs(%v))::integer) OVER (ORDER BY client_id)
allocate(numeric,integer,numeric)|allocate(100000.00, round(abs(%v))::integer, 0.05) OVER (ORDER BY client_id)
allocate(numeric,bigint)|allocate(100000.00, round(abs(%v))::bigint) OVER (ORDER BY client_id)
allocate(numeric,bigint,numeric)|allocate(100000.00, round(abs(%v))::bigint, 1) OVER (ORDER BY client_id)
allocate(double precision,double precision)|allocate(100000.0::double precision, abs(%v)::double precision) OVER (ORDER BY client_id)
allocate(double precision,double precision,numeric)|allocate(100000.0::double precision, abs(%v)::double precision, 0.05) OVER (ORDER BY client_id)
allocate_capacity(numeric,numeric,numeric)|allocate_capacity(100000.00, abs(%v), 10000000) OVER (ORDER BY client_id)
allocate_capacity(numeric,numeric,numeric,numeric)|allocate_capacity(100000.00, abs(%v), 10000000, 0.05) OVER (ORDER BY client_id)
allocate_capacity(numeric,double precision,double precision)|allocate_capacity(100000.00, abs(%v)::double precision, 10000000) OVER (ORDER BY client_id)
allocate_capacity(numeric,double precision,double precision,numeric)|allocate_capacity(100000.00, abs(%v)::double precision, 10000000, 1) OVER (ORDER BY client_id)
allocate_capacity(double precision,double precision,double precision)|allocate_capacity(100000.0::double precision, abs(%v)::double precision, 10000000) OVER (ORDER BY client_id)
allocate_capacity(double precision,double precision,double precision,numeric)|allocate_capacity(100000.0::double precision, abs(%v)::double precision, 10000000, 0.05) OVER (ORDER BY client_id)
EOF
)


# check_catalog NODE: the bounded-state aggregates and concentration functions
# of the cprof installed on NODE are exactly the ones listed above
check_catalog() {
	local catalog listed t
	catalog=$(nsql "$1" -At <<'EOF' | LC_ALL=C sort
SELECT p.oid::regprocedure::text
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cprof'
WHERE p.prokind IN ('a', 'w');
EOF
)
	listed=$( { cut -d'|' -f1 <<<"$SPLIT_CHECKS"
		for t in numeric 'double precision' integer; do cut -d'|' -f1 <<<"$NESTED_CALLS" | sed "s/%t/$t/"; done
		cut -d'|' -f1 <<<"$WINDOW_CALLS"
		} | LC_ALL=C sort)
	if [ "$catalog" != "$listed" ]; then
		echo "cluster: the checks do not cover exactly cprof's aggregates and window functions" \
			"(< in the catalog, > in test/cluster/checks.sh):" >&2
		diff <(echo "$catalog") <(echo "$listed") >&2 || true
		return 1
	fi
}
