/*
 * test/bench/40_clv.sql: the probabilistic CLV functions.
 *   - rfm over the whole ledger (N entries of N/10 clients) beside the plain
 *     SQL that computes the same summary and the floor, a bare
 *     sum(amount) GROUP BY client_id (hash aggregation, no workers, and 2
 *     workers); target: rfm at most 1.5 x the floor;
 *   - bgnbd_fit and gamma_gamma_fit on the CDNOW summary (test/data/cdnow;
 *     target bgnbd_fit < 50 ms) and on
 *     1,000,000 clients simulated from the models (target bgnbd_fit < 10 s),
 *     each beside the floor, a count() of the same rows;
 *   - pareto_nbd_fit on CDNOW, on the first 100,000 simulated clients
 *     (target: a few seconds) and on all 1,000,000 (target < 30 s), and,
 *     for scale, clv_simulate of 1,000,000 clients with pareto_nbd_fit over
 *     them in one query (one run; most of it is the SQL simulator);
 *   - the fit that ran for minutes in 1.0: pareto_nbd_fit over clients 1 to
 *     150 and 153, and over all, of clv_simulate(20000, 0.8, 8, 1.2, 4, 6,
 *     4, 15, 52, 1) (its likelihood rises toward a limit: it ends not
 *     converged, with a WARNING; target: well under a second);
 *   - clv for the 1,000,000 simulated clients (target < 5 s);
 *   - the delay between a cancel (statement_timeout) and the end of a
 *     1,000,000-client fit (target < 1 s).
 * The fits and clv have no plain-SQL equivalent: their plain_ms is empty.
 */
SET client_min_messages = warning;

-- bench_alone(section, label, query, floor_query): record a timing without
-- a plain-SQL counterpart
CREATE OR REPLACE FUNCTION pg_temp.bench_alone(section text, label text, query text, floor_query text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench_result (section, label, plan, workers, cprof_ms, plain_ms, floor_ms)
    VALUES (section, label,
            CASE WHEN current_setting('enable_hashagg')::boolean THEN 'hash' ELSE 'sort' END,
            current_setting('max_parallel_workers_per_gather')::int,
            bench_time(query), NULL, bench_time(floor_query));
    RAISE NOTICE 'bench % done', label;
END $$;

\o /dev/null
-- rfm beside the plain SQL summary (day totals, then the first day's
-- total by a window) and the floor
CREATE OR REPLACE FUNCTION pg_temp.run_rfm(workers int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, false);
    PERFORM bench_compare('clv', 'rfm(booked_on, amount, as_of, ''7 days'')',
        $q$SELECT client_id, (r).frequency, (r).recency, (r).age, (r).monetary, (r).first_purchase, (r).last_purchase
           FROM (SELECT client_id, rfm(booked_on, amount, date '2025-12-31', '7 days') AS r
                 FROM ledger GROUP BY client_id) s$q$,
        $q$SELECT client_id, count(*)::int - 1, (max(day) - min(day)) / 7.0::float8,
                  (date '2025-12-31' - min(day)) / 7.0::float8,
                  CASE WHEN count(*) > 1
                       THEN (sum(total) - sum(total) FILTER (WHERE rn = 1)) / (count(*) - 1) ELSE 0 END,
                  min(day), max(day)
           FROM (SELECT client_id, booked_on AS day, sum(amount) AS total,
                        row_number() OVER (PARTITION BY client_id ORDER BY booked_on) AS rn
                 FROM ledger GROUP BY client_id, booked_on) d
           GROUP BY client_id$q$,
        'SELECT client_id, sum(amount) FROM ledger GROUP BY client_id',
        check_equal => workers = 0);
END $$;
SET enable_hashagg = on;
SELECT pg_temp.run_rfm(0);
SELECT pg_temp.run_rfm(2);
SET max_parallel_workers_per_gather = 0;

-- CDNOW (test/data/cdnow, or the folder CPROF_CDNOW names)
\i ../clv/load_cdnow.sql
SELECT pg_temp.bench_alone('clv', 'bgnbd_fit on CDNOW (2,357 clients)',
    'SELECT bgnbd_fit(frequency, recency, t) FROM cdnow_summary', 'SELECT count(t) FROM cdnow_summary')
WHERE EXISTS (SELECT FROM cdnow_summary);
SELECT pg_temp.bench_alone('clv', 'gamma_gamma_fit on CDNOW (946 clients)',
    'SELECT gamma_gamma_fit(x, zbar) FROM cdnow_zbar', 'SELECT count(zbar) FROM cdnow_zbar')
WHERE EXISTS (SELECT FROM cdnow_zbar);

-- 1,000,000 simulated clients (continuous times: every history distinct,
-- the worst case for the grouping of identical histories)
\i ../clv/simulate.sql
DROP TABLE IF EXISTS clv_sim;
CREATE TABLE clv_sim AS
SELECT * FROM pg_temp.clv_simulate(1000000, 0.8, 8, 1.2, 4, 6, 4, 15, 104, 11);
VACUUM ANALYZE clv_sim;
SELECT pg_temp.bench_alone('clv', 'bgnbd_fit on 1,000,000 simulated clients',
    'SELECT bgnbd_fit(frequency, recency, age) FROM clv_sim', 'SELECT count(age) FROM clv_sim');
SELECT pg_temp.bench_alone('clv', 'gamma_gamma_fit on 1,000,000 simulated clients',
    'SELECT gamma_gamma_fit(frequency, monetary) FROM clv_sim', 'SELECT count(monetary) FROM clv_sim');
SELECT pg_temp.bench_alone('clv', 'pareto_nbd_fit on CDNOW (2,357 clients)',
    'SELECT pareto_nbd_fit(frequency, recency, t) FROM cdnow_summary', 'SELECT count(t) FROM cdnow_summary')
WHERE EXISTS (SELECT FROM cdnow_summary);
SELECT pg_temp.bench_alone('clv', 'pareto_nbd_fit on 100,000 simulated clients',
    'SELECT pareto_nbd_fit(frequency, recency, age) FROM clv_sim WHERE client <= 100000',
    'SELECT count(age) FROM clv_sim WHERE client <= 100000');
INSERT INTO bench_result (section, label, plan, workers, cprof_ms, plain_ms, floor_ms)
SELECT 'clv', 'pareto_nbd_fit on 1,000,000 simulated clients (one run)', 'hash', 0,
       bench_time('SELECT pareto_nbd_fit(frequency, recency, age) FROM clv_sim', 1), NULL,
       bench_time('SELECT count(age) FROM clv_sim', 1);
INSERT INTO bench_result (section, label, plan, workers, cprof_ms, plain_ms, floor_ms)
SELECT 'clv', 'clv_simulate 1,000,000 clients + pareto_nbd_fit (one run)', 'hash', 0,
       bench_time('SELECT pareto_nbd_fit(frequency, recency, age) FROM pg_temp.clv_simulate(1000000, 0.8, 8, 1.2, 4, 6, 4, 15, 104, 11)', 1),
       NULL,
       bench_time('SELECT count(age) FROM pg_temp.clv_simulate(1000000, 0.8, 8, 1.2, 4, 6, 4, 15, 104, 11)', 1);
DROP TABLE IF EXISTS clv_runaway;
CREATE TABLE clv_runaway AS SELECT * FROM pg_temp.clv_simulate(20000, 0.8, 8, 1.2, 4, 6, 4, 15, 52, 1);
SELECT pg_temp.bench_alone('clv', 'pareto_nbd_fit, clv_simulate(20000, ...) clients 1-150 and 153',
    'SELECT pareto_nbd_fit(frequency, recency, age) FROM clv_runaway WHERE client <= 150 OR client = 153',
    'SELECT count(age) FROM clv_runaway WHERE client <= 150 OR client = 153');
SELECT pg_temp.bench_alone('clv', 'pareto_nbd_fit, clv_simulate(20000, ...) all 20,000 clients',
    'SELECT pareto_nbd_fit(frequency, recency, age) FROM clv_runaway', 'SELECT count(age) FROM clv_runaway');
DROP TABLE clv_runaway;
DROP TABLE IF EXISTS clv_models;
CREATE TABLE clv_models AS
SELECT (SELECT bgnbd_fit(frequency, recency, age) FROM clv_sim) AS b,
       (SELECT gamma_gamma_fit(frequency, monetary) FROM clv_sim) AS g;
SELECT pg_temp.bench_alone('clv', 'clv(12 months) for 1,000,000 clients',
    'SELECT client, clv(b, g, frequency, recency, age, monetary, 12, 0.01, 4.345) FROM clv_sim, clv_models',
    'SELECT client, frequency + recency + age + monetary FROM clv_sim, clv_models');
SELECT pg_temp.bench_alone('clv', 'bgnbd_p_alive for 1,000,000 clients',
    'SELECT client, bgnbd_p_alive(b, frequency, recency, age) FROM clv_sim, clv_models',
    'SELECT client, frequency + recency + age + monetary FROM clv_sim, clv_models');

-- cancellation: statement_timeout of 300 ms on a 1,000,000-client fit; the
-- delay is the time past 300 ms until the error arrives (cprof_ms column)
DROP TABLE IF EXISTS clv_cancel;
CREATE TABLE clv_cancel AS SELECT clock_timestamp() AS t0;
SET statement_timeout = '300ms';
\set ON_ERROR_STOP off
SELECT bgnbd_fit(frequency, recency, age) FROM clv_sim;
\set ON_ERROR_STOP on
RESET statement_timeout;
INSERT INTO bench_result (section, label, plan, workers, cprof_ms, plain_ms, floor_ms)
SELECT 'clv', 'cancel delay of bgnbd_fit on 1,000,000 clients', 'hash', 0,
       extract(epoch FROM clock_timestamp() - t0) * 1000 - 300, NULL, NULL
FROM clv_cancel;
\o
