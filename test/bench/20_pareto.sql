/*
 * test/bench/20_pareto.sql: the concentration family against the plain SQL
 * an analyst would write (window functions over the values ranked largest
 * first; the classical Gini formula over ascending ranks; a CASE over the
 * running share for the ABC classes) and against the floor, a bare
 * sum(value) over the same rows (for pareto_class, which returns a row per
 * client, the floor is sum(value) OVER () over the same rows).
 *
 * Two tables of one value per client:
 *   cv_ledger  revenue per client from the ledger (N/10 clients)
 *   cv_direct  10x as many clients, values drawn directly with the
 *              ledger's generator (the same hashint8 Pareto sizes), since a
 *              ledger of that size would be too big to generate here.
 * Results are compared rounded to 10 decimals (double precision against
 * exact numeric).  Serial plans (max_parallel_workers_per_gather = 0) so
 * that the window queries and the aggregates run the same way, and
 * work_mem = 256MB so that the plain queries sort in memory.
 */
SET client_min_messages = warning;
SET work_mem = '256MB';

DROP TABLE IF EXISTS cv_ledger;
CREATE TABLE cv_ledger AS
SELECT client_id, coalesce(sum(amount) FILTER (WHERE kind = 'revenue'), 0) AS value
FROM ledger GROUP BY client_id;
VACUUM ANALYZE cv_ledger;

DROP TABLE IF EXISTS cv_direct;
CREATE TABLE cv_direct AS
SELECT c AS client_id,
       round((least((((hashint8(c * 1000003 + 1)::bigint + 2147483648) + 0.5) / 4294967296.0) ^ (-1 / 1.08), 5000)
              * 300 * (0.5 + ((hashint8(c * 1000003 + 2)::bigint + 2147483648) + 0.5) / 4294967296.0))::numeric, 2) AS value
FROM generate_series(1::bigint, 10 * (SELECT count(*) FROM cv_ledger)) AS c;
VACUUM ANALYZE cv_direct;

CREATE OR REPLACE FUNCTION pg_temp.run(tab text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    label text;
    ranked text;
BEGIN
    EXECUTE format('SELECT count(*) FROM %I', tab) INTO n;
    label := CASE WHEN n >= 1000000 THEN (n / 1000000) || 'M' ELSE (n / 1000) || 'k' END || ' clients';
    ranked := format($q$(SELECT value, row_number() OVER w AS rn,
                                sum(value) OVER (w ROWS UNBOUNDED PRECEDING) AS cum,
                                count(*) OVER () AS n, sum(value) OVER () AS total
                         FROM %I WINDOW w AS (ORDER BY value DESC)) r$q$, tab);
    PERFORM set_config('max_parallel_workers_per_gather', '0', false);

    PERFORM bench_compare('pareto', 'pareto_share(value, 0.2), ' || label,
        format('SELECT round(pareto_share(value, 0.2)::numeric, 10) FROM %I', tab),
        format($q$SELECT round(((coalesce(sum(value) FILTER (WHERE rn <= floor(0.2 * n)), 0)
                         + (0.2 * max(n) - floor(0.2 * max(n)))
                           * coalesce(max(value) FILTER (WHERE rn = floor(0.2 * n) + 1), 0)) / max(total)), 10)
                  FROM %s$q$, ranked),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM bench_compare('pareto', 'pareto_fraction(value, 0.8), ' || label,
        format('SELECT round(pareto_fraction(value, 0.8)::numeric, 10) FROM %I', tab),
        format($q$SELECT round((rn - 1 + (0.8 * total - (cum - value)) / value) / n, 10)
                  FROM %s WHERE cum >= 0.8 * total ORDER BY rn LIMIT 1$q$, ranked),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM bench_compare('pareto', 'top_share(value, 10), ' || label,
        format('SELECT round(top_share(value, 10)::numeric, 10) FROM %I', tab),
        format($q$SELECT round(sum(value) FILTER (WHERE rn <= 10) / max(total), 10) FROM %s$q$, ranked),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM bench_compare('pareto', 'top_share(value, 10) vs ORDER BY LIMIT, ' || label,
        format('SELECT round(top_share(value, 10)::numeric, 10) FROM %I', tab),
        format($q$SELECT round((SELECT sum(value) FROM (SELECT value FROM %1$I ORDER BY value DESC LIMIT 10) t)
                               / (SELECT sum(value) FROM %1$I), 10)$q$, tab),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM bench_compare('pareto', 'gini(value), ' || label,
        format('SELECT round(gini(value)::numeric, 10) FROM %I', tab),
        format($q$SELECT round(2 * sum(rn * value) / (count(*) * sum(value)) - (count(*) + 1)::numeric / count(*), 10)
                  FROM (SELECT value, row_number() OVER (ORDER BY value) AS rn FROM %I) s$q$, tab),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM bench_compare('pareto', 'pareto_curve(value, 100), ' || label,
        format($q$SELECT array_agg(round(l::numeric, 10) ORDER BY j)
                  FROM (SELECT pareto_curve(value, 100) AS c FROM %I) s, unnest(c) WITH ORDINALITY AS u(l, j)$q$, tab),
        format($q$SELECT ARRAY[0::numeric] || array_agg(round(cum / total, 10) ORDER BY rn)
                  FROM %s WHERE rn %% (n / 100) = 0$q$, ranked),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM bench_compare('pareto', 'hhi(value), ' || label,
        format('SELECT round(hhi(value)::numeric, 10) FROM %I', tab),
        format('SELECT round(sum(value * value) / (sum(value) * sum(value)), 10) FROM %I', tab),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM bench_compare('pareto', 'pareto_class(value) OVER (), ' || label,
        format('SELECT client_id, pareto_class(value) OVER () FROM %I', tab),
        format($q$SELECT client_id,
                         CASE WHEN (run - value * (cnt - rnk + 1)) < 0.8 * total THEN 'A'
                              WHEN (run - value * (cnt - rnk + 1)) < 0.95 * total THEN 'B'
                              ELSE 'C' END
                  FROM (SELECT client_id, value, sum(value) OVER w AS run, count(*) OVER w AS cnt,
                               rank() OVER w AS rnk, sum(value) OVER () AS total
                        FROM %I WINDOW w AS (ORDER BY value DESC)) s$q$, tab),
        format('SELECT client_id, sum(value) OVER () FROM %I', tab));

    -- the aggregates with 2 parallel workers (partial states serialized)
    PERFORM set_config('max_parallel_workers_per_gather', '2', false);
    PERFORM bench_compare('pareto', 'pareto_share(value, 0.2), 2 workers, ' || label,
        format('SELECT round(pareto_share(value, 0.2)::numeric, 10) FROM %I', tab),
        format($q$SELECT round(((coalesce(sum(value) FILTER (WHERE rn <= floor(0.2 * n)), 0)
                         + (0.2 * max(n) - floor(0.2 * max(n)))
                           * coalesce(max(value) FILTER (WHERE rn = floor(0.2 * n) + 1), 0)) / max(total)), 10)
                  FROM %s$q$, ranked),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM bench_compare('pareto', 'gini(value), 2 workers, ' || label,
        format('SELECT round(gini(value)::numeric, 10) FROM %I', tab),
        format($q$SELECT round(2 * sum(rn * value) / (count(*) * sum(value)) - (count(*) + 1)::numeric / count(*), 10)
                  FROM (SELECT value, row_number() OVER (ORDER BY value) AS rn FROM %I) s$q$, tab),
        format('SELECT sum(value) FROM %I', tab));
    PERFORM set_config('max_parallel_workers_per_gather', '0', false);
END $$;

-- hhi against cprof 1.0 (bench_versus_10, lib.sql), over one value per
-- client and grouped (1,000 groups of the ledger's amounts), in the four
-- plan shapes
CREATE OR REPLACE FUNCTION pg_temp.run_hhi(shape text, workers int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('enable_hashagg', (shape = 'hash')::text, false);
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, false);
    PERFORM bench_versus_10('pareto', 'hhi(value), one value per client',
        'SELECT {s}hhi(value) FROM cv_ledger');
    PERFORM bench_versus_10('pareto', 'hhi(amount) numeric, 1000 groups',
        'SELECT client_id % 1000, {s}hhi(amount) FROM ledger GROUP BY 1');
    PERFORM bench_versus_10('pareto', 'hhi(amount) double, 1000 groups',
        'SELECT client_id % 1000, {s}hhi(amount_f) FROM ledger GROUP BY 1');
END $$;

\o /dev/null
SELECT pg_temp.run('cv_ledger');
SELECT pg_temp.run('cv_direct');
SELECT pg_temp.run_hhi('hash', 0);
SELECT pg_temp.run_hhi('sort', 0);
SELECT pg_temp.run_hhi('hash', 2);
SELECT pg_temp.run_hhi('sort', 2);
\o
RESET enable_hashagg;
RESET max_parallel_workers_per_gather;
RESET work_mem;
