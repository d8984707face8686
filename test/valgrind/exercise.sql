-- test/valgrind/exercise.sql: what the regression tests left out of the
-- valgrind run do, on small data (test/valgrind/run.sh runs it under
-- memcheck after the regression subset).  Only memcheck's verdict counts:
-- the results are not compared.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS cprof CASCADE;
CREATE EXTENSION cprof;

CREATE TABLE vg AS
SELECT i, i % 7 AS grp,
       CASE WHEN i % 11 = 0 THEN NULL ELSE ((i * 37) % 101 - 30)::numeric + 0.25 END AS vn,
       CASE WHEN i % 13 = 0 THEN NULL ELSE ((i * 37) % 101 - 30)::float8 / 3 END AS vf,
       CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 37) % 101 - 30 END AS vi,
       (ARRAY['revenue', 'discount', 'cogs', 'service', 'sales', 'commission', 'quality',
              'acquisition', 'bad_debt', 'referral'])[1 + i % 10] AS kind
FROM generate_series(1, 3000) i;
ANALYZE vg;

-- the concentration family, serially, with every value type
SELECT grp, pareto_share(vn), pareto_share(vf, 0.3), pareto_share(vi, ARRAY[0.1, 0.5, 0.9]),
       pareto_fraction(vn), pareto_fraction(vf, 0.5), pareto_curve(vi, 7), pareto_curve(vf, 400),
       gini(vn), gini(vf), gini(vi), top_share(vn, 3), top_share(vf, 1000), hhi(vn), hhi(vf), hhi(vi)
FROM vg GROUP BY grp ORDER BY grp;
SELECT pareto_share(vn, '[0:1]={0.1,0.5}'::float8[]), pareto_curve(vn, 5000) IS NOT NULL FROM vg;
SELECT grp, i, pareto_class(vn) OVER w, pareto_class(vf, 0.5, 0.9) OVER w, pareto_class(vi) OVER w
FROM vg WINDOW w AS (PARTITION BY grp) ORDER BY grp, i LIMIT 50;

-- the same through parallel workers (serialize, deserialize, combine)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT grp, pareto_share(vn), pareto_share(vi, ARRAY[0.1, 0.5]), pareto_fraction(vf, 0.5),
       pareto_curve(vn, 9), gini(vf), top_share(vi, 2), hhi(vn),
       client_profit(vn, kind), client_profit(vf, kind), client_profit(vn, vn / 2)
FROM vg GROUP BY grp ORDER BY grp;
SELECT pareto_share(vf), gini(vi), hhi(vf), client_profit(vi, kind) FROM vg;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- partitionwise aggregation: partial states of each partition combined
CREATE TABLE vgp (grp int, v numeric, kind text) PARTITION BY LIST (grp);
CREATE TABLE vgp0 PARTITION OF vgp FOR VALUES IN (0, 1, 2);
CREATE TABLE vgp1 PARTITION OF vgp FOR VALUES IN (3, 4, 5, 6);
INSERT INTO vgp SELECT grp, vn, kind FROM vg;
ANALYZE vgp;
SET enable_partitionwise_aggregate = on;
SELECT kind, pareto_share(v), gini(v), client_profit(v, kind) FROM vgp GROUP BY kind ORDER BY kind;
RESET enable_partitionwise_aggregate;

-- client_profit: the roll-up, moving windows (inverse transitions), hash
-- and sorted grouping
CREATE TABLE vgprofit AS
SELECT grp, client_profit(vn, kind) AS p, client_profit(vf, kind) AS pf FROM vg GROUP BY grp, i % 5;
SELECT grp, client_profit(p), client_profit(pf) FROM vgprofit GROUP BY grp ORDER BY grp;
SELECT i, client_profit(coalesce(vn, 0), kind) OVER w, client_profit(vf, kind) OVER w,
       client_profit(coalesce(vi, 0), vi) OVER w, client_profit(coalesce(vn, 0), vn) OVER w
FROM vg WINDOW w AS (ORDER BY i ROWS 5 PRECEDING) ORDER BY i LIMIT 40;
SET enable_hashagg = off;
SELECT grp, client_profit(vi::bigint, kind), client_profit(vi::smallint, vi::smallint) FROM vg GROUP BY grp ORDER BY grp;
RESET enable_hashagg;

-- cohort_ltv, and the predictions of the models (their fits run in
-- 41_bgnbd, 42_gamma_gamma and 44_pareto_nbd)
SELECT grp, cohort_ltv(vn, (i % 12)::float8, i % 3 = 0), cohort_ltv(vn, (i % 12)::float8, i % 3 = 0, 0.01)
FROM vg GROUP BY grp ORDER BY grp;
SELECT bgnbd_p_alive(ROW(0.243, 4.414, 0.793, 2.426, 0, 1, true)::bgnbd, 2, 20, 30),
       pareto_nbd_p_alive(ROW(0.553, 10.58, 0.606, 11.67, 0, 1, true)::pareto_nbd, 2, 20, 30),
       clv(ROW(0.243, 4.414, 0.793, 2.426, 0, 1, true)::bgnbd, ROW(6.25, 3.74, 15.44, 0, 1, true)::gamma_gamma,
           2, 20, 30, 35, 24, 0.01, 4.345),
       hyp2f1(1, 1, 2, 0.9), hyp2f1(2.5, 1, 3.5, -0.9);
