-- 21_pareto_large: the concentration family on groups large enough to use
-- several chunks of the value store (1.5 million values) and long runs of
-- ties, checked against closed forms; parallel partial states of 750,000
-- values each must give the serial results.
SET extra_float_digits = 0;
CREATE FUNCTION pg_temp.close(a double precision, b numeric) RETURNS boolean LANGUAGE sql AS $$
    SELECT abs(a::numeric - b) <= 1e-12 * abs(b) $$;

-- values 0.01, 0.02, ..., 15000.00 (i / 100 for i = 1 .. n, n = 1,500,000):
--   S = n (n + 1) / 200; the k largest sum to k (2n - k + 1) / 200
--   pareto_share(0.2): k = 300,000: 300000 * 2700001 / (n (n + 1)) = 0.36 - 0.16 / (n + 1)
--   top_share(10) = (10 n - 45) * 2 / (n (n + 1))
--   gini of 1 .. n = (n - 1) / (3 n); hhi = sum i^2 / (sum i)^2 = 2 (2n + 1) / (3 n (n + 1))
CREATE TABLE seq AS SELECT i, (i / 100.0)::numeric(10, 2) AS v FROM generate_series(1, 1500000) i;
ANALYZE seq;
CREATE TEMP TABLE seq_serial AS
SELECT pareto_share(v, 0.2) AS s20, top_share(v, 10) AS t10, gini(v) AS g, hhi(v) AS h,
       pareto_fraction(v, 0.5) AS f50, pareto_curve(v, 100) AS c100, pareto_curve(v, 5) AS c5
FROM seq;
SELECT pg_temp.close(s20, 0.36 - 0.16 / 1500001.0) AS share_ok,
       pg_temp.close(t10, (10 * 1500000 - 45) * 2 / (1500000 * 1500001.0)) AS top10_ok,
       pg_temp.close(g, 1499999 / 4500000.0) AS gini_ok,
       pg_temp.close(h, 2 * 3000001 / (3 * 1500000 * 1500001.0)) AS hhi_ok,
       pg_temp.close(c100[21], 0.36 - 0.16 / 1500001.0) AND pg_temp.close(c5[2], 0.36 - 0.16 / 1500001.0)
         AS curves_ok
FROM seq_serial;
-- pareto_fraction is the inverse of pareto_share
SELECT pg_temp.close(pareto_share(v, (SELECT f50 FROM seq_serial)), 0.5) AS fraction_inverts_share FROM seq;
\i test/parallel_plans.sql
SELECT s.s20 = p.s20 AND s.t10 = p.t10 AND s.g = p.g AND s.f50 = p.f50 AND s.c100 = p.c100 AND s.c5 = p.c5
         AS parallel_result_equals_serial,
       abs(s.h - p.h) <= 1e-15 * s.h AS hhi_equal
FROM seq_serial s,
     (SELECT pareto_share(v, 0.2) AS s20, top_share(v, 10) AS t10, gini(v) AS g, hhi(v) AS h,
             pareto_fraction(v, 0.5) AS f50, pareto_curve(v, 100) AS c100, pareto_curve(v, 5) AS c5
      FROM seq) p;
RESET ALL;
SET extra_float_digits = 0;

-- three values 0, 1, 2, 100,000 times each (n = 300,000, S = 300,000):
--   pareto_share(0.2) = 60,000 twos / S = 0.4; top_share(100000) = 2/3
--   pareto_fraction(0.8): 240,000 = 100,000 twos + 40,000 ones: f = 140000 / 300000
--   gini: mean absolute difference 8/9 over twice the mean 1: 4/9
--   shares at 0.1, 1/3, 0.5: 30,000 twos = 0.2; 100,000 twos = 2/3;
--   100,000 twos and 50,000 ones = 250,000 / S = 5/6
--   classes: the values larger than 2, 1, 0 hold 0, 200,000 and 300,000:
--   A below 240,000, B below 285,000: 2 and 1 are A, 0 is C
SELECT pareto_share(v, 0.2) AS s20, pg_temp.close(top_share(v, 100000), 2 / 3.0) AS top_ok,
       pg_temp.close(pareto_fraction(v, 0.8), 14 / 30.0) AS fraction_ok,
       pg_temp.close(gini(v), 4 / 9.0) AS gini_ok,
       pareto_share(v, '{0, 0.1, 0.3333333333333333, 0.5, 1}'::float8[]) AS shares
FROM (SELECT i % 3 FROM generate_series(1, 300000) i) t(v);
SELECT c, count(*) FROM (SELECT pareto_class(i % 3) OVER () AS c FROM generate_series(1, 300000) i) s
GROUP BY c ORDER BY c;
