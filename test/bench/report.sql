-- test/bench/report.sql: the table `make bench` prints.
\pset footer off
SELECT section, label AS query, plan, workers,
       round(cprof_ms::numeric, 0) AS cprof_ms,
       round(plain_ms::numeric, 0) AS plain_ms,
       round(floor_ms::numeric, 0) AS floor_ms,
       round((plain_ms / cprof_ms)::numeric, 2) AS speedup_vs_plain,
       round((cprof_ms / floor_ms)::numeric, 2) AS x_floor
FROM bench_result
WHERE v10_ms IS NULL
ORDER BY seq;
-- this build against cprof 1.0, the same query (bench_versus_10)
SELECT section, label AS query, plan, workers,
       round(cprof_ms::numeric, 0) AS cprof_ms,
       round(v10_ms::numeric, 0) AS v10_ms,
       round((cprof_ms / v10_ms)::numeric, 2) AS x_v10
FROM bench_result
WHERE v10_ms IS NOT NULL
ORDER BY seq;
