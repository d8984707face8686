/*
 * test/cdnow/cdnow.sql: the concentration family on real data, the CDNOW
 * purchase logs of Fader & Hardie (test/data/cdnow, see the README there),
 * loaded by test/cdnow/load.sql into cprof_demo.cdnow_master (the full log)
 * and cprof_demo.cdnow_tx (the 1/10 sample).  Run by `make test-cdnow`
 * (test/run.sh cdnow) after the loader.
 *
 * For the full log (23,570 customers) and the 1/10 sample (2,357
 * customers) it computes each customer's total spend, then checks
 * pareto_share at 0.01, 0.05, 0.1, 0.2 and 0.5, pareto_fraction at 0.8,
 * gini and top_share(10) against plain-SQL computations in exact numeric
 * arithmetic.  Any mismatch (relative difference above 1e-12) raises an
 * error, so psql exits non-zero.  The sample's 20% is 471.4 customers, so
 * the interpolation rule of docs/concentration.md matters.
 */
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS cprof;

CREATE TEMP TABLE purchases AS
SELECT 'master' AS dataset, customer_id, purchased_on AS day, cds, amount AS dollars
FROM cprof_demo.cdnow_master
UNION ALL
SELECT 'sample', customer_id, purchased_on, cds, amount
FROM cprof_demo.cdnow_tx;

CREATE TEMP TABLE spend AS
SELECT dataset, customer_id, sum(dollars) AS spend FROM purchases GROUP BY dataset, customer_id;

-- Plain SQL in exact numeric: customers ranked by spend, largest first.
CREATE TEMP TABLE ranked AS
SELECT dataset, spend, row_number() OVER w AS rn,
       sum(spend) OVER (w ROWS UNBOUNDED PRECEDING) AS cum,
       count(*) OVER (PARTITION BY dataset) AS n, sum(spend) OVER (PARTITION BY dataset) AS total
FROM spend WINDOW w AS (PARTITION BY dataset ORDER BY spend DESC);

CREATE TEMP TABLE plain (dataset text, measure text, value numeric);
-- L(f) = (C_k + (t - k) v_{k+1}) / S with t = f n, k = floor(t)
INSERT INTO plain
SELECT dataset, 'pareto_share(' || f || ')',
       (coalesce(sum(spend) FILTER (WHERE rn <= floor(f * n)), 0)
        + (f * max(n) - floor(f * max(n))) * coalesce(max(spend) FILTER (WHERE rn = floor(f * n) + 1), 0))
       / max(total)
FROM ranked, (VALUES (0.01), (0.05), (0.1), (0.2), (0.5)) AS fr(f)
GROUP BY dataset, f;
-- smallest f with L(f) >= 0.8: the first customer whose running share
-- reaches 80%, interpolated within that customer
INSERT INTO plain
SELECT DISTINCT ON (dataset) dataset, 'pareto_fraction(0.8)',
       (rn - 1 + (0.8 * total - (cum - spend)) / nullif(spend, 0)) / n
FROM ranked WHERE cum >= 0.8 * total ORDER BY dataset, rn;
-- the classical Gini formula over ascending ranks
INSERT INTO plain
SELECT dataset, 'gini', 2 * sum(rn * spend) / (count(*) * sum(spend)) - (count(*) + 1)::numeric / count(*)
FROM (SELECT dataset, spend, row_number() OVER (PARTITION BY dataset ORDER BY spend) AS rn FROM spend) s
GROUP BY dataset;
-- and, for the sample, Gini as the mean absolute difference over all pairs
INSERT INTO plain
SELECT 'sample', 'gini (pairs)', sum(abs(a.spend - b.spend)) / (2 * max(t.n) * max(t.total))
FROM spend a JOIN spend b USING (dataset)
JOIN (SELECT dataset, count(*) AS n, sum(spend) AS total FROM spend GROUP BY dataset) t USING (dataset)
WHERE dataset = 'sample';
INSERT INTO plain
SELECT dataset, 'top_share(10)',
       (SELECT sum(spend) FROM (SELECT spend FROM spend s2 WHERE s2.dataset = s.dataset
                                ORDER BY spend DESC LIMIT 10) t) / sum(spend)
FROM spend s GROUP BY dataset;

CREATE TEMP TABLE cprof AS
SELECT dataset, m.measure, m.value
FROM (SELECT dataset,
             pareto_share(spend, '{0.01, 0.05, 0.1, 0.2, 0.5}'::float8[]) AS shares,
             pareto_fraction(spend, 0.8) AS f80, gini(spend) AS g, top_share(spend, 10) AS top10
      FROM spend GROUP BY dataset) s,
     LATERAL (VALUES ('pareto_share(0.01)', shares[1]), ('pareto_share(0.05)', shares[2]),
                     ('pareto_share(0.1)', shares[3]), ('pareto_share(0.2)', shares[4]),
                     ('pareto_share(0.5)', shares[5]), ('pareto_fraction(0.8)', f80),
                     ('gini', g), ('gini (pairs)', g), ('top_share(10)', top10)) AS m(measure, value);

\echo CDNOW: total spend per customer, cprof against plain SQL (exact numeric)
SELECT p.dataset, p.measure, round(c.value::numeric, 12) AS cprof, round(p.value, 12) AS plain_sql,
       abs(c.value::numeric - p.value) <= 1e-12 * abs(p.value) AS ok
FROM plain p JOIN cprof c USING (dataset, measure)
ORDER BY p.dataset, p.measure;

DO $$
DECLARE
    bad text;
    checked int;
BEGIN
    SELECT string_agg(format('%s %s: cprof %s, plain SQL %s', p.dataset, p.measure, c.value, p.value), '; '),
           count(*) FILTER (WHERE c.value IS NOT NULL AND p.value IS NOT NULL)
    INTO bad, checked
    FROM plain p LEFT JOIN cprof c USING (dataset, measure)
    WHERE c.value IS NULL OR p.value IS NULL OR abs(c.value::numeric - p.value) > 1e-12 * abs(p.value);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'CDNOW check failed: %', bad;
    END IF;
    IF (SELECT count(*) FROM plain) <> 17 THEN
        RAISE EXCEPTION 'CDNOW check: expected 17 comparisons, got %', (SELECT count(*) FROM plain);
    END IF;
END $$;
\echo CDNOW: all 17 comparisons passed
