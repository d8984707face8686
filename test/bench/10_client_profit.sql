/*
 * test/bench/10_client_profit.sql: client_profit against the plain SQL an
 * analyst would write (one FILTERed sum per kind and the waterfall, or
 * sum(revenue) - sum(cost)), and against the floor, a bare
 * sum(amount) GROUP BY client_id.  Both plan shapes (hash aggregation, and
 * sort plus group aggregation with enable_hashagg = off), with 0 and 2
 * parallel workers.  With 2 workers allowed, each query runs in the plan the
 * planner picks for it (cprof's combine function costs what a partial state
 * costs, so it picks a parallel plan only when that pays).
 *
 * And every client_profit aggregate against cprof 1.0 (bench_versus_10,
 * lib.sql) in the same four plan shapes: the ledger of numeric, double
 * precision and bigint amounts, revenue minus cost, and the roll-up over
 * monthly P&Ls (whose check of the derived fields 1.0 did not have).
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

-- The plain SQL: test/plain_pnl.sql (the regression test checks cprof
-- against the same query)
\ir ../plain_pnl.sql

-- monthly P&Ls per client, the input of the roll-up (and the same values
-- as cprof 1.0's profit type, when it is loaded)
DROP TABLE IF EXISTS monthly, monthly10;
CREATE TABLE monthly AS
SELECT client_id, date_trunc('month', booked_on)::date AS month, client_profit(amount, kind) AS p
FROM ledger GROUP BY 1, 2;
VACUUM ANALYZE monthly;
SELECT to_regnamespace('cprof10') IS NOT NULL AS have_cprof10 \gset
\if :have_cprof10
CREATE TABLE monthly10 AS SELECT client_id, month, p::text::cprof10.profit AS p FROM monthly;
VACUUM ANALYZE monthly10;
\endif

-- The result of a query giving (key, p profit) with 1.0's margin rule
-- undone: 1.1's margin is NULL unless revenue > 0 (1.0 divided by any
-- revenue but 0); every other field must be the same to the last digit.
CREATE OR REPLACE FUNCTION pg_temp.pnl_check(query text) RETURNS text LANGUAGE sql AS $f$
SELECT format($q$SELECT k, (p).revenue, (p).discount, (p).cogs, (p).gross_profit, (p).cost_to_serve,
                        (p).contribution, (p).acquisition, (p).bad_debt, (p).net_profit, (p).referral,
                        (p).total_value, CASE WHEN (p).revenue > 0 THEN (p).margin END, (p).entries
                 FROM (%s) s(k, p)$q$, query)
$f$;

CREATE OR REPLACE FUNCTION pg_temp.run(shape text, workers int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('enable_hashagg', (shape = 'hash')::text, false);
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, false);
    PERFORM bench_compare('client_profit', 'client_profit(amount, kind) numeric',
        'SELECT client_id, (client_profit(amount, kind)).* FROM ledger GROUP BY client_id',
        pg_temp.plain_pnl('ledger', 'amount'),
        'SELECT client_id, sum(amount) FROM ledger GROUP BY client_id',
        check_equal => false);
    PERFORM bench_compare('client_profit', 'client_profit(amount, kind) double',
        'SELECT client_id, (client_profit(amount_f, kind)).* FROM ledger GROUP BY client_id',
        pg_temp.plain_pnl('ledger', 'amount_f'),
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
    PERFORM bench_versus_10('client_profit', 'client_profit(amount, kind) numeric',
        'SELECT client_id, ({s}client_profit(amount, kind)).* FROM ledger GROUP BY client_id',
        pg_temp.pnl_check('SELECT client_id, {s}client_profit(amount, kind) FROM ledger GROUP BY client_id'));
    PERFORM bench_versus_10('client_profit', 'client_profit(amount, kind) double',
        'SELECT client_id, ({s}client_profit(amount_f, kind)).* FROM ledger GROUP BY client_id',
        pg_temp.pnl_check('SELECT client_id, {s}client_profit(amount_f, kind) FROM ledger GROUP BY client_id'));
    PERFORM bench_versus_10('client_profit', 'client_profit(amount, kind) bigint',
        'SELECT client_id, ({s}client_profit((amount * 100)::bigint, kind)).* FROM ledger GROUP BY client_id',
        pg_temp.pnl_check('SELECT client_id, {s}client_profit((amount * 100)::bigint, kind) FROM ledger GROUP BY client_id'));
    PERFORM bench_versus_10('client_profit', 'client_profit(revenue, cost) numeric',
        'SELECT client_id, {s}client_profit(revenue, cost) FROM pnl GROUP BY client_id');
    PERFORM bench_versus_10('client_profit', 'client_profit(revenue, cost) double',
        'SELECT client_id, {s}client_profit(revenue_f, cost_f) FROM pnl GROUP BY client_id');
    PERFORM bench_versus_10('client_profit', 'client_profit(amount, kind) by kind',
        'SELECT kind, ({s}client_profit(amount, kind)).* FROM ledger GROUP BY kind',
        pg_temp.pnl_check('SELECT kind, {s}client_profit(amount, kind) FROM ledger GROUP BY kind'));
    PERFORM bench_versus_10('client_profit', 'client_profit(profit), monthly to client',
        'SELECT client_id, ({s}client_profit(p)).* FROM monthly{v} GROUP BY client_id',
        pg_temp.pnl_check('SELECT client_id, {s}client_profit(p) FROM monthly{v} GROUP BY client_id'));
END $$;

-- cprof's P&L equals the plain SQL's, every field of every client
DO $$
DECLARE
    same boolean;
BEGIN
    EXECUTE format('SELECT NOT EXISTS ((%1$s) EXCEPT ALL (%2$s)) AND NOT EXISTS ((%2$s) EXCEPT ALL (%1$s))',
                   'SELECT client_id, (client_profit(amount, kind)).* FROM ledger GROUP BY client_id',
                   pg_temp.plain_pnl('ledger', 'amount', exact => true)) INTO same;
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
