-- 22_concentration_scale: the concentration family is scale-free (every
-- answer is unchanged when all values are multiplied by the same positive
-- number), at every magnitude double precision holds; the sign of zero;
-- numeric values double precision cannot hold; array results with their
-- bounds, serially and in parallel.

-- HHI of one client is 1 however small or large its value; 1e-200, 1e-200,
-- 2e-200 are shares 1/4, 1/4, 1/2: HHI = 1/16 + 1/16 + 1/4 = 0.375
SELECT hhi(v) AS one_tiny FROM (VALUES (1e-170::float8)) t(v);
SELECT hhi(v) AS three_tiny FROM (VALUES (1e-200::float8), (1e-200), (2e-200)) t(v);
SELECT hhi(v) AS one_huge FROM (VALUES (1e200::float8)) t(v);
SELECT hhi(v) AS three_huge FROM (VALUES (1e300::float8), (1e300), (2e300)) t(v);
-- the smallest subnormal values: two equal clients, 1/2
SELECT hhi(v) AS subnormal FROM (VALUES (5e-324::float8), (5e-324)) t(v);
-- numeric and integer input
SELECT hhi(v) AS numeric_tiny FROM (VALUES (1e-300::numeric), (1e-300), (2e-300)) t(v);

-- Every function of the family at 19 scales, from the smallest subnormal
-- to the largest double: values 5, 3, 2 times 2^k (exact).  By hand, with
-- S = 10 and the values sorted descending:
--   hhi = (25 + 9 + 4) / 100 = 0.38
--   gini = sum((2i - n - 1) x_i) / (n S), x ascending = (-4 + 0 + 10) / 30 = 0.2
--   top_share(1) = 5 / 10 = 0.5, top_share(2) = 0.8
--   pareto_share(1/3) = 0.5, pareto_share(0.5) = (5 + 0.5 * 3) / 10 = 0.65
--   pareto_fraction(0.8) = 2/3, pareto_fraction(0.65) = 0.5
--   pareto_curve(2) = {0, 0.65, 1}; pareto_curve(20): L(j/20), 1.5 rows
--   per point, checked against the k = 0 curve
--   pareto_class: 5 is A (its predecessors hold 0 < 0.8), 3 is A (5 < 8),
--   2 is B (8 >= 8 but < 9.5)
CREATE TABLE cs_scales AS
SELECT k, x * power(2::float8, k) AS v, x
FROM unnest(ARRAY[-1074, -1073, -1070, -1022, -1000, -700, -600, -401, -400, -200, 0,
                  200, 399, 400, 401, 600, 1000, 1020, 1021]) k,
     (VALUES (5::float8), (3), (2)) x(x);
-- the values are exact: v / 2^k gives x back
SELECT count(*) AS values, count(*) FILTER (WHERE v / power(2::float8, k) <> x) AS inexact
FROM cs_scales;
CREATE TABLE cs_scale_results AS
SELECT k, hhi(v) AS hhi, gini(v) AS gini, top_share(v, 1) AS top1, top_share(v, 2) AS top2,
       pareto_share(v, 1 / 3.0) AS s33, pareto_share(v, 0.5) AS s50,
       pareto_share(v, '{0.2, 0.5, 0.9}'::float8[]) AS shares,
       pareto_fraction(v, 0.8) AS f80, pareto_fraction(v, 0.65) AS f65,
       pareto_curve(v, 2) AS curve2, pareto_curve(v, 20) AS curve20
FROM cs_scales GROUP BY k;
SELECT count(*) AS scales,
       count(*) FILTER (WHERE hhi = 0.38) AS hhi_038,
       count(*) FILTER (WHERE abs(gini - 0.2) <= 1e-16) AS gini_02,
       count(*) FILTER (WHERE top1 = 0.5 AND top2 = 0.8) AS top_share_ok,
       count(*) FILTER (WHERE s33 = 0.5 AND s50 = 0.65) AS pareto_share_ok,
       count(*) FILTER (WHERE abs(f80 - 2 / 3.0) <= 1e-15 AND f65 = 0.5) AS pareto_fraction_ok,
       count(*) FILTER (WHERE curve2 = '{0, 0.65, 1}') AS curve_ok
FROM cs_scale_results;
-- and bit for bit the k = 0 results at every scale
SELECT count(*) FILTER (WHERE (r.hhi, r.gini, r.top1, r.top2, r.s33, r.s50, r.shares, r.f80, r.f65,
                               r.curve2, r.curve20)::text
                              IS DISTINCT FROM
                              (z.hhi, z.gini, z.top1, z.top2, z.s33, z.s50, z.shares, z.f80, z.f65,
                               z.curve2, z.curve20)::text) AS scales_differing_from_k0
FROM cs_scale_results r, cs_scale_results z WHERE z.k = 0;
SELECT k, string_agg(c, '' ORDER BY v DESC) AS classes
FROM (SELECT k, v, pareto_class(v) OVER (PARTITION BY k) AS c FROM cs_scales) s
GROUP BY k HAVING string_agg(c, '' ORDER BY v DESC) <> 'AAB' ORDER BY k;
SELECT DISTINCT string_agg(c, '' ORDER BY v DESC) AS classes_at_every_scale
FROM (SELECT k, v, pareto_class(v) OVER (PARTITION BY k) AS c FROM cs_scales) s GROUP BY k;

-- The same with a loss-making client (the whale curve): 9, 4, -3 times 2^k,
-- S = 10: top_share(1) = 0.9, top_share(2) = 1.3; gini: x ascending -3, 4,
-- 9 with coefficients 2i - n - 1 = -2, 0, 2: (6 + 0 + 18) / (3 * 10) = 0.8
CREATE TABLE cs_whale_results AS
SELECT k, hhi(v) AS hhi, gini(v) AS gini, top_share(v, 1) AS top1, top_share(v, 2) AS top2,
       pareto_share(v, 0.5) AS s50, pareto_fraction(v, 1.2) AS f120, pareto_curve(v, 30) AS curve30
FROM (SELECT k, x * power(2::float8, k) AS v
      FROM unnest(ARRAY[-1070, -1000, -600, 0, 600, 1000, 1020]) k,
           (VALUES (9::float8), (4), (-3)) x(x)) s
GROUP BY k;
SELECT count(*) AS scales,
       count(*) FILTER (WHERE abs(gini - 0.8) <= 1e-15 AND top1 = 0.9 AND top2 = 1.3) AS hand_values,
       count(*) FILTER (WHERE (r.hhi, r.gini, r.s50, r.f120, r.curve30)::text
                              = (SELECT (z.hhi, z.gini, z.s50, z.f120, z.curve30)::text
                                 FROM cs_whale_results z WHERE z.k = 0)) AS same_as_k0
FROM cs_whale_results r;
-- hhi with a negative value: (81 + 16 + 9) / 100 = 1.06
SELECT hhi FROM cs_whale_results WHERE k = 0;

-- Values whose sum passes 1.8e308: three of 1e308 and 3e307 give the
-- shares of 10, 10, 10, 3 (S = 33): top_share(1) = 10/33, gini = (3 (-3) +
-- 10 (-1 + 1 + 3)) / (4 * 33) = 21 / 132
SELECT abs(top_share(v, 1) - 10 / 33.0) < 1e-15 AS top_share_ok,
       abs(gini(v) - 21 / 132.0) < 1e-15 AS gini_ok,
       abs(hhi(v) - 309 / 1089.0) < 1e-15 AS hhi_ok
FROM (VALUES (1e308::float8), (1e308), (1e308), (3e307)) t(v);

-- The sign of zero: one negative value has Gini 0, not -0; a share that
-- is 0 of a negative total is 0
SELECT gini(v)::text AS gini_one_negative FROM (VALUES (-5)) t(v);
SELECT gini(v)::text AS gini_one_negative_float FROM (VALUES (-5::float8)) t(v);
SELECT pareto_share(v, 0.5)::text AS zero_share FROM (VALUES (0), (-5)) t(v);
SELECT (pareto_curve(v, 4))::text AS curve_negative FROM (VALUES (0), (0), (-5), (-5)) t(v);
SELECT pareto_share(v, '{0.5}'::float8[])::text AS zero_shares FROM (VALUES (0), (-5)) t(v);

-- numeric values double precision cannot hold: a magnitude past 1.8e308, or
-- not zero and below 4.9e-324 (which value::double precision rejects too,
-- rather than treating it as 0); a numeric zero at any scale is 0, and a
-- subnormal value is taken as double precision takes it
\set VERBOSITY default
SELECT pareto_share(v) FROM (VALUES (1e-1000::numeric)) t(v);
SELECT hhi(v) FROM (VALUES (1), (-1e-400::numeric)) t(v);
SELECT gini(v) FROM (VALUES (1e400::numeric)) t(v);
SELECT v, pareto_class(v) OVER () FROM (VALUES (1), (1e-1000::numeric)) t(v);
\set VERBOSITY sqlstate
SELECT (1e-1000::numeric)::float8 AS as_a_cast;
SELECT top_share(v, 1) FROM (VALUES (1e-1000::numeric)) t(v);
SELECT pareto_curve(v, 3) FROM (VALUES (1e400::numeric)) t(v);
\set VERBOSITY default
SELECT hhi(v) AS zero_with_scale FROM (VALUES (0.0000000000000000000000000000000000000000000000000000::numeric), (7)) t(v);
SELECT hhi(v) AS subnormal_numeric, pareto_share(v, 0.5) AS half
FROM (VALUES (1e-320::numeric), (1e-320)) t(v);

-- pareto_share(value, fractions) keeps the bounds of fractions, serially and
-- with parallel workers (whose states are serialized and combined)
CREATE TABLE cs_bounds AS SELECT i, (i * 7919 % 1000)::float8 AS v FROM generate_series(1, 30000) i;
ANALYZE cs_bounds;
CREATE TABLE cs_bound_serial AS
SELECT i % 3 AS g, pareto_share(v, '[0:1]={0.1,0.5}'::float8[]) AS zero_based,
       pareto_share(v, '[-2:0]={0.2,0.4,1}'::float8[]) AS negative_based,
       pareto_share(v, '{0.3}'::float8[]) AS one_based,
       pareto_share(v, '{}'::float8[]) AS empty
FROM cs_bounds GROUP BY i % 3;
SELECT g, array_lower(zero_based, 1) AS lb0, array_lower(negative_based, 1) AS lbm2,
       array_lower(one_based, 1) AS lb1, cardinality(empty) AS empty
FROM cs_bound_serial ORDER BY g;
\i test/parallel_plans.sql
SELECT count(*) AS groups,
       count(*) FILTER (WHERE (s.zero_based, s.negative_based, s.one_based, s.empty)::text
                              IS DISTINCT FROM (p.zero_based, p.negative_based, p.one_based, p.empty)::text)
           AS parallel_differs
FROM cs_bound_serial s
FULL JOIN (SELECT i % 3 AS g, pareto_share(v, '[0:1]={0.1,0.5}'::float8[]) AS zero_based,
                  pareto_share(v, '[-2:0]={0.2,0.4,1}'::float8[]) AS negative_based,
                  pareto_share(v, '{0.3}'::float8[]) AS one_based,
                  pareto_share(v, '{}'::float8[]) AS empty
           FROM cs_bounds GROUP BY i % 3) p USING (g);
RESET ALL;
SET max_parallel_workers_per_gather = 0;
-- the whole table in one group
CREATE TABLE cs_one_group_serial AS SELECT pareto_share(v, '[5:6]={0.1,0.5}'::float8[]) AS s FROM cs_bounds;
RESET ALL;
\i test/parallel_plans.sql
SELECT array_lower(s, 1) AS lb, array_upper(s, 1) AS ub,
       s::text = (SELECT s::text FROM cs_one_group_serial) AS parallel_equals_serial
FROM (SELECT pareto_share(v, '[5:6]={0.1,0.5}'::float8[]) AS s FROM cs_bounds) p;
RESET ALL;
-- fractions equal in value but with other bounds are another parameter
SELECT pareto_share(v, CASE WHEN i = 1 THEN '[0:0]={0.1}'::float8[] ELSE '{0.1}' END) FROM cs_bounds;
