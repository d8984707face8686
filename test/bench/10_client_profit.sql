/*
 * test/bench/10_client_profit.sql: client_profit against the plain SQL an
 * analyst would write (one FILTERed sum per kind and the waterfall, or
 * sum(revenue) - sum(cost)), and against the floor, a bare
 * sum(amount) GROUP BY client_id.  Both plan shapes (hash aggregation, and
 * sort plus group aggregation with enable_hashagg = off), with 0 and 2
 * parallel workers.
 */
SET client_min_messages = warning;

-- client_profit(revenue, cost) reads one revenue and one cost per row
DROP TABLE IF EXISTS pnl;
CREATE TABLE pnl AS
SELECT client_id,
       CASE WHEN kind IN ('revenue', 'referral') THEN amount ELSE 0 END AS revenue,
       CASE WHEN kind IN ('revenue', 'referral') THEN 0 ELSE amount END AS cost,
       CASE WHEN kind IN ('revenue', 'referral') THEN amount_f ELSE 0 END AS revenue_f,
       CASE WHEN kind IN ('revenue', 'referral') THEN 0 ELSE amount_f END AS cost_f
FROM ledger;
VACUUM ANALYZE pnl;

-- The plain SQL: one FILTERed sum per kind and the waterfall.  margin is
-- written as an analyst would, net / revenue over a positive revenue (NULL
-- otherwise, the rule cprof follows); with exact => true it is the
-- correctly rounded quotient cprof returns (the quotient to 40 decimals,
-- then to double), for the equality check.
CREATE OR REPLACE FUNCTION pg_temp.plain_ledger(amount text, exact boolean DEFAULT false)
RETURNS text LANGUAGE sql AS $f$
SELECT format($q$
SELECT client_id, revenue, discount, cogs,
       revenue - discount - cogs AS gross_profit,
       cost_to_serve,
       revenue - discount - cogs - cost_to_serve AS contribution,
       acquisition, bad_debt,
       revenue - discount - cogs - cost_to_serve - acquisition - bad_debt AS net_profit,
       referral,
       revenue - discount - cogs - cost_to_serve - acquisition - bad_debt + referral AS total_value,
       CASE WHEN revenue > 0
            THEN ((revenue - discount - cogs - cost_to_serve - acquisition - bad_debt)%2$s / revenue)::double precision
       END AS margin,
       entries
FROM (SELECT client_id,
             coalesce(sum(%1$s) FILTER (WHERE kind = 'revenue'), 0) AS revenue,
             coalesce(sum(%1$s) FILTER (WHERE kind = 'discount'), 0) AS discount,
             coalesce(sum(%1$s) FILTER (WHERE kind = 'cogs'), 0) AS cogs,
             coalesce(sum(%1$s) FILTER (WHERE kind IN ('service', 'sales', 'commission', 'quality')), 0) AS cost_to_serve,
             coalesce(sum(%1$s) FILTER (WHERE kind = 'acquisition'), 0) AS acquisition,
             coalesce(sum(%1$s) FILTER (WHERE kind = 'bad_debt'), 0) AS bad_debt,
             coalesce(sum(%1$s) FILTER (WHERE kind = 'referral'), 0) AS referral,
             count(%1$s) AS entries
      FROM ledger GROUP BY client_id) s$q$, amount, CASE WHEN exact THEN '::numeric(1000, 40)' ELSE '' END)
$f$;

CREATE OR REPLACE FUNCTION pg_temp.run(shape text, workers int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('enable_hashagg', (shape = 'hash')::text, false);
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, false);
    PERFORM bench_compare('client_profit', 'client_profit(amount, kind) numeric',
        'SELECT client_id, (client_profit(amount, kind)).* FROM ledger GROUP BY client_id',
        pg_temp.plain_ledger('amount'),
        'SELECT client_id, sum(amount) FROM ledger GROUP BY client_id',
        check_equal => false);
    PERFORM bench_compare('client_profit', 'client_profit(amount, kind) double',
        'SELECT client_id, (client_profit(amount_f, kind)).* FROM ledger GROUP BY client_id',
        pg_temp.plain_ledger('amount_f'),
        'SELECT client_id, sum(amount_f) FROM ledger GROUP BY client_id',
        check_equal => false);
    PERFORM bench_compare('client_profit', 'client_profit(revenue, cost) numeric',
        'SELECT client_id, client_profit(revenue, cost) FROM pnl GROUP BY client_id',
        'SELECT client_id, sum(revenue) - sum(cost) FROM pnl GROUP BY client_id',
        'SELECT client_id, sum(revenue) FROM pnl GROUP BY client_id');
    PERFORM bench_compare('client_profit', 'client_profit(revenue, cost) double',
        'SELECT client_id, client_profit(revenue_f, cost_f) FROM pnl GROUP BY client_id',
        'SELECT client_id, sum(revenue_f) - sum(cost_f) FROM pnl GROUP BY client_id',
        'SELECT client_id, sum(revenue_f) FROM pnl GROUP BY client_id',
        check_equal => false);
END $$;

-- cprof's P&L equals the plain SQL's, every field of every client
DO $$
DECLARE
    same boolean;
BEGIN
    EXECUTE format('SELECT NOT EXISTS ((%1$s) EXCEPT ALL (%2$s)) AND NOT EXISTS ((%2$s) EXCEPT ALL (%1$s))',
                   'SELECT client_id, (client_profit(amount, kind)).* FROM ledger GROUP BY client_id',
                   pg_temp.plain_ledger('amount', exact => true)) INTO same;
    IF NOT same THEN
        RAISE EXCEPTION 'bench: client_profit(amount, kind) and the plain SQL differ';
    END IF;
END $$;

\o /dev/null
SELECT pg_temp.run('hash', 0);
SELECT pg_temp.run('sort', 0);
SELECT pg_temp.run('hash', 2);
SELECT pg_temp.run('sort', 2);
\o
