-- 20_pareto: pareto_share and the concentration family (docs/domain.md section 2).
-- Hand-computed examples first, then every function against plain SQL on
-- generated data (positive, whale-shaped and negative totals, with ties),
-- then edge cases, errors, and parallel / partitionwise equality.
SET extra_float_digits = 0;

-- Five clients 10, 5, 3, 1, 1: S = 20; cumulative 10, 15, 18, 19, 20.
--   pareto_share(0.2): t = 1             -> 10 / 20 = 0.5
--   pareto_share(0.3): t = 1.5           -> (10 + 0.5 * 5) / 20 = 0.625
--   pareto_share(0.5): t = 2.5           -> (15 + 0.5 * 3) / 20 = 0.825
--   pareto_fraction(0.8): 0.8 * 20 = 16 is crossed in client 3 (15 -> 18):
--                          t = 2 + (16 - 15) / 3 = 7/3, f = 7/15 = 0.466667
--   gini: ascending 1, 1, 3, 5, 10: sum (2i - n - 1) x_i = -4 - 2 + 0 + 10 + 40
--         = 44, / (n S = 100) = 0.44
--   hhi: (100 + 25 + 9 + 1 + 1) / 400 = 0.34
--   top_share(2) = 15 / 20 = 0.75
--   pareto_curve(4): t = 1.25, 2.5, 3.75: 11.25/20, 16.5/20, 18.75/20
CREATE TABLE five (v integer);
INSERT INTO five VALUES (10), (5), (3), (1), (1);
SELECT pareto_share(v, 0.2) AS s20, pareto_share(v, 0.3) AS s30, pareto_share(v, 0.5) AS s50,
       pareto_share(v) AS default_s20,
       pareto_fraction(v, 0.8) AS f80, pareto_fraction(v) AS default_f80,
       abs(pareto_fraction(v, 0.8) - 7.0 / 15) < 1e-15 AS f80_is_7_15,
       gini(v), hhi(v), top_share(v, 2) AS top2
FROM five;
SELECT pareto_curve(v, 4) AS curve4, pareto_share(v, '{0, 0.2, 0.3, 0.5, 1}'::float8[]) AS shares
FROM five;
-- the three input types give the same numbers
SELECT pareto_share(v::numeric, 0.3) = pareto_share(v::float8, 0.3) AS share_types,
       gini(v::numeric) = gini(v::float8) AND gini(v::float8) = gini(v) AS gini_types,
       pareto_fraction(v::numeric, 0.8) = pareto_fraction(v::float8, 0.8) AS fraction_types,
       hhi(v::numeric) = hhi(v) AS hhi_types,
       top_share(v::numeric, 2) = top_share(v::float8, 2) AS top_types
FROM five;
-- ABC classes, shares counted from the largest: values strictly larger than
-- 10, 5, 3, 1, 1 hold 0, 10, 15, 18, 18 of 20.  (0.8, 0.95): A below 16,
-- B below 19: A A A B B.  (0.5, 0.9): A below 10, B below 18: A B B C C.
-- The two 1s are tied and always share a class.
SELECT v, pareto_class(v) OVER () AS default_class,
       pareto_class(v::numeric, 0.5, 0.9) OVER () AS class_50_90
FROM five ORDER BY v DESC;

-- Whale curve: profits 10, 6, 4, -2, -8, S = 10; cumulative 10, 16, 20, 18, 10.
--   L(0.2) = 1, L(0.4) = 1.6, L(0.6) = 2, L(0.8) = 1.8, L(0.5) = (16 + 0.5*4)/10 = 1.8
--   pareto_fraction(1.5): 15 crossed in client 2 (10 -> 16): t = 1 + 5/6, f = 11/30
--   pareto_fraction(2): reached exactly at client 3: f = 0.6; 2.1 is never reached
--   gini: ascending -8, -2, 4, 6, 10: 32 + 4 + 0 + 12 + 40 = 88, / 50 = 1.76
--   hhi: (100 + 36 + 16 + 4 + 64) / 100 = 2.2
--   classes: larger values hold 0, 10, 16, 20, 18: A below 8 and B below 9.5:
--   A C C C C (the top client alone makes all of the profit)
CREATE TABLE whale (v numeric);
INSERT INTO whale VALUES (10), (6), (4), (-2), (-8);
SELECT pareto_share(v, '{0.2, 0.4, 0.5, 0.6, 0.8, 1}'::float8[]) AS shares,
       abs(pareto_fraction(v, 1.5) - 11.0 / 30) < 1e-15 AS f150_is_11_30,
       pareto_fraction(v, 2) AS f200, pareto_fraction(v, 2.1) AS f210_never,
       pareto_fraction(v, 0.5) AS f50, gini(v), hhi(v)
FROM whale;
SELECT v, pareto_class(v) OVER () FROM whale ORDER BY v DESC;

-- Negative total: 3, -1, -4, S = -2; cumulative 3, 2, -2, so L = -1.5, -1, 1.
--   pareto_share(0.5): t = 1.5: (3 + 0.5 * -1) / -2 = -1.25
--   pareto_fraction(0.5): L rises from -1 to 1 over client 3:
--                          t = 2 + (0.5 + 1) / 2 = 2.75, f = 11/12
--   pareto_fraction(1) = 1; a share above 1 is never reached
--   gini: ascending -4, -1, 3: 8 + 0 + 6 = 14, / (3 * -2) = -2.333333
SELECT pareto_share(v, 0.5) AS s50, abs(pareto_fraction(v, 0.5) - 11.0 / 12) < 1e-15 AS f50_is_11_12,
       pareto_fraction(v, 1) AS f100, pareto_fraction(v, 1.01) AS f101_never, gini(v)
FROM (VALUES (3), (-1), (-4)) t(v);
SELECT v, pareto_class(v, 0.5, 0.9) OVER () FROM (VALUES (3), (-1), (-4)) t(v) ORDER BY v DESC;

-- Edge cases: no rows, only NULLs, a total of 0 give NULL
SELECT pareto_share(v) AS share, pareto_fraction(v) AS fraction, gini(v), hhi(v),
       top_share(v, 1) AS top, pareto_curve(v, 2) AS curve,
       pareto_share(v, '{0.5}'::float8[]) AS shares
FROM (SELECT 1::numeric WHERE false) t(v);
SELECT pareto_share(v) AS share, pareto_fraction(v) AS fraction, gini(v), hhi(v),
       top_share(v, 1) AS top, pareto_curve(v, 2) AS curve
FROM (VALUES (NULL::float8), (NULL)) t(v);
SELECT pareto_share(v) AS share, pareto_fraction(v) AS fraction, gini(v), hhi(v),
       top_share(v, 1) AS top, pareto_curve(v, 2) AS curve
FROM (VALUES (5), (-5), (NULL)) t(v);
SELECT v, pareto_class(v) OVER () FROM (VALUES (5), (-5), (NULL)) t(v) ORDER BY v;
-- one client: it holds everything; L(f) = f over the single client
SELECT pareto_share(v, 0.2) AS s20, pareto_fraction(v, 0.8) AS f80, gini(v), hhi(v),
       top_share(v, 5) AS top5, pareto_curve(v, 2) AS curve
FROM (VALUES (42.5)) t(v);
-- all equal values: L(f) = f, Gini 0, HHI 1/n
SELECT pareto_share(v, '{0, 0.13, 0.2, 0.5, 0.99, 1}'::float8[]) AS shares,
       pareto_fraction(v, 0.8) AS f80, gini(v), hhi(v) * 1000 AS hhi_times_n,
       top_share(v, 250) AS top250
FROM (SELECT 7 FROM generate_series(1, 1000)) t(v);
-- fractions 0 and 1, top_share(0) and beyond n
SELECT pareto_share(v, 0) AS s0, pareto_share(v, 1) AS s100, pareto_fraction(v, 0) AS f0,
       top_share(v, 0) AS top0, top_share(v, 1000) AS top_all
FROM five;
-- NULL values are ignored
SELECT pareto_share(v, 0.3) = (SELECT pareto_share(v, 0.3) FROM five) AS nulls_ignored
FROM (SELECT v FROM five UNION ALL SELECT NULL) t;

-- Errors: NaN and infinite values (22023, naming the value)
\set VERBOSITY default
SELECT pareto_share(v) FROM (VALUES (1::float8), ('NaN')) t(v);
SELECT gini(v) FROM (VALUES (1::numeric), ('Infinity')) t(v);
SELECT hhi(v) FROM (VALUES ('-Infinity'::float8)) t(v);
SELECT v, pareto_class(v) OVER () FROM (VALUES (1::float8), ('NaN')) t(v);
-- a numeric value beyond the range of double precision (22003)
SELECT pareto_share(v) FROM (VALUES (1e400::numeric)) t(v);
-- values whose sums or squares pass the range of double precision: the
-- answers are scale-free (two equal values: Gini 0, the top 80% of the
-- total takes 80% of the clients; one client: HHI 1)
SELECT gini(v) FROM (VALUES (1e308::float8), (1e308)) t(v);
SELECT pareto_fraction(v) FROM (VALUES (1e308::float8), (1e308)) t(v);
SELECT hhi(v) FROM (VALUES (1e200::float8)) t(v);
-- parameters out of range, NaN, NULL, or varying within a group
SELECT pareto_share(v, 1.5) FROM five;
SELECT pareto_share(v, -0.1) FROM five;
SELECT pareto_share(v, 'NaN') FROM five;
SELECT pareto_share(v, NULL::float8) FROM five;
SELECT pareto_share(v, '{0.1, 2}'::float8[]) FROM five;
SELECT pareto_share(v, '{0.1, NULL}'::float8[]) FROM five;
SELECT pareto_fraction(v, -1) FROM five;
SELECT pareto_fraction(v, 'Infinity') FROM five;
SELECT pareto_curve(v, 0) FROM five;
SELECT top_share(v, -1) FROM five;
SELECT pareto_share(v, v / 100.0) FROM five;
SELECT pareto_fraction(v, v / 100.0) FROM five;
SELECT top_share(v, v) FROM five;
SELECT pareto_share(v, ARRAY[v / 100.0]) FROM five;
SELECT pareto_class(v, 0.9, 0.8) OVER () FROM five;
SELECT pareto_class(v, 0, 0.8) OVER () FROM five;
SELECT pareto_class(v, v / 100.0, 0.9) OVER () FROM five;
\set VERBOSITY terse

-- Generated data: three groups of 1,200 clients with Pareto-sized values
-- (integers, so with many ties): group 0 all positive, group 1 profits
-- with a loss-making tail (whale curve), group 2 a negative total.
CREATE FUNCTION pg_temp.u(i bigint, salt int) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((hashint8(i * 1000003 + salt)::bigint + 2147483648) + 0.5) / 4294967296.0;
CREATE TABLE pv AS
SELECT i AS id, (i % 3)::int AS grp,
       CASE WHEN i % 7 = 3 THEN NULL
            WHEN i % 3 = 0 THEN round(least(pg_temp.u(i, 1) ^ (-1 / 1.16), 2000) * 10)
            WHEN i % 3 = 1 THEN round(least(pg_temp.u(i, 1) ^ (-1 / 1.16), 2000) * 10
                                      - 25 * pg_temp.u(i, 2) ^ 3)
            ELSE round(least(pg_temp.u(i, 1) ^ (-1 / 1.16), 2000) * 10) - 60
       END::numeric AS v
FROM generate_series(1, 3600) i;
SELECT grp, count(v) AS n, count(DISTINCT v) AS distinct_values, sum(v) AS total,
       count(*) FILTER (WHERE v < 0) AS negatives
FROM pv GROUP BY grp ORDER BY grp;

-- Plain SQL: the running sum over values ranked largest first.
CREATE TEMP VIEW ranked AS
SELECT grp, v, row_number() OVER w AS rn,
       sum(v) OVER (w ROWS UNBOUNDED PRECEDING) AS cum,
       count(*) OVER (PARTITION BY grp) AS n, sum(v) OVER (PARTITION BY grp) AS s
FROM pv WHERE v IS NOT NULL
WINDOW w AS (PARTITION BY grp ORDER BY v DESC);
-- L(f) by the definition: (C_k + (t - k) v_{k+1}) / S, t = f n, k = floor(t)
CREATE FUNCTION pg_temp.plain_share(g int, f numeric) RETURNS numeric LANGUAGE sql AS $$
    SELECT (coalesce(sum(v) FILTER (WHERE rn <= floor(f * n)), 0)
            + (f * max(n) - floor(f * max(n))) * coalesce(max(v) FILTER (WHERE rn = floor(f * n) + 1), 0))
           / max(s)
    FROM ranked WHERE grp = g $$;
-- smallest f with L(f) >= share: the first client whose running share
-- reaches it, interpolated within that client
CREATE FUNCTION pg_temp.plain_fraction(g int, share numeric) RETURNS numeric LANGUAGE sql AS $$
    SELECT (rn - 1 + (share * s - (cum - v)) / nullif(v, 0)) / n
    FROM ranked WHERE grp = g AND cum / s >= share ORDER BY rn LIMIT 1 $$;
CREATE FUNCTION pg_temp.close(a double precision, b numeric) RETURNS boolean LANGUAGE sql AS $$
    SELECT abs(a::numeric - b) <= 1e-12 * greatest(1, abs(b)) $$;

WITH f(f) AS (VALUES (0.01), (0.05), (0.1), (0.2), (0.333), (0.5), (0.9), (0.999))
SELECT grp, f, pg_temp.close(share, pg_temp.plain_share(grp, f)) AS share_ok
FROM (SELECT grp, f, pareto_share(v, f::float8) AS share FROM pv CROSS JOIN f GROUP BY grp, f) s
ORDER BY grp, f;
-- the array form and the curve give the scalar form's numbers
SELECT grp, shares = ARRAY[s01, s20, s50, s90] AS array_ok,
       abs(curve[2] - s10) < 1e-14 AND abs(curve[3] - s20) < 1e-14 AND abs(curve[6] - s50) < 1e-14
       AND abs(curve[10] - s90) < 1e-14 AND curve[1] = 0 AND curve[11] = 1 AS curve_ok
FROM (SELECT grp, pareto_share(v, '{0.01, 0.2, 0.5, 0.9}'::float8[]) AS shares, pareto_curve(v, 10) AS curve,
             pareto_share(v, 0.01) AS s01, pareto_share(v, 0.1) AS s10, pareto_share(v, 0.2) AS s20,
             pareto_share(v, 0.5) AS s50, pareto_share(v, 0.9) AS s90
      FROM pv GROUP BY grp) x
ORDER BY grp;
-- the curve against plain SQL at every point of a 40-point curve
SELECT grp, bool_and(pg_temp.close(c.l, pg_temp.plain_share(grp, (c.j - 1) / 40.0))) AS curve_ok
FROM (SELECT grp, pareto_curve(v, 40) AS curve FROM pv GROUP BY grp) s,
     unnest(curve) WITH ORDINALITY AS c(l, j)
GROUP BY grp ORDER BY grp;
WITH s(share) AS (VALUES (0.05), (0.5), (0.8), (0.95), (1.0), (1.01), (1.2))
SELECT grp, share, coalesce(pg_temp.close(f, pg_temp.plain_fraction(grp, share)),
                            f IS NULL AND pg_temp.plain_fraction(grp, share) IS NULL) AS fraction_ok,
       pg_temp.plain_fraction(grp, share) IS NULL AS never_reached_by_plain_sql
FROM (SELECT grp, share, pareto_fraction(v, share::float8) AS f FROM pv CROSS JOIN s GROUP BY grp, share) x
ORDER BY grp, share;
-- Gini against its definition as the mean absolute difference:
-- sum over all pairs |x_i - x_j| / (2 n S)
SELECT grp, pg_temp.close(g.gini, p.gini) AS gini_ok, round(p.gini, 6) AS gini_by_definition
FROM (SELECT a.grp, sum(abs(a.v - b.v)) / (2 * max(t.n) * max(t.s)) AS gini
      FROM pv a JOIN pv b USING (grp)
      JOIN (SELECT grp, count(v) AS n, sum(v) AS s FROM pv GROUP BY grp) t USING (grp)
      GROUP BY a.grp) p
JOIN (SELECT grp, gini(v) FROM pv GROUP BY grp) g USING (grp)
ORDER BY grp;
SELECT grp, pg_temp.close(h.hhi, p.hhi) AS hhi_ok,
       pg_temp.close(h.top10, p.top10) AS top10_ok, pg_temp.close(h.top1, p.top1) AS top1_ok
FROM (SELECT grp, hhi(v), top_share(v, 10) AS top10, top_share(v, 1) AS top1 FROM pv GROUP BY grp) h
JOIN (SELECT grp, sum((v / s) ^ 2) AS hhi,
             sum(v) FILTER (WHERE rn <= 10) / max(s) AS top10,
             sum(v) FILTER (WHERE rn = 1) / max(s) AS top1
      FROM ranked GROUP BY grp) p USING (grp)
ORDER BY grp;
-- ABC classes against the plain CASE over the running share: the values
-- strictly larger than v hold (cumulative sum with peers) - v * (peers)
SELECT grp, count(*) AS rows, count(*) FILTER (WHERE c = p) AS same_class,
       count(*) FILTER (WHERE c = 'A') AS a, count(*) FILTER (WHERE c = 'B') AS b,
       count(*) FILTER (WHERE c = 'C') AS c
FROM (SELECT grp, v, pareto_class(v) OVER (PARTITION BY grp) AS c,
             CASE WHEN v IS NULL THEN NULL
                  WHEN (sum(v) OVER w - v * (count(v) OVER w - rank() OVER w + 1)) / sum(v) OVER (PARTITION BY grp) < 0.8 THEN 'A'
                  WHEN (sum(v) OVER w - v * (count(v) OVER w - rank() OVER w + 1)) / sum(v) OVER (PARTITION BY grp) < 0.95 THEN 'B'
                  ELSE 'C' END AS p
      FROM pv WHERE v IS NOT NULL
      WINDOW w AS (PARTITION BY grp ORDER BY v DESC)) s
GROUP BY grp ORDER BY grp;
-- tied values always share a class
SELECT count(*) AS tie_groups_with_two_classes
FROM (SELECT grp, v FROM (SELECT grp, v, pareto_class(v, 0.5, 0.7) OVER (PARTITION BY grp) AS c FROM pv) s
      GROUP BY grp, v HAVING count(DISTINCT c) > 1) x;

-- Used as window aggregates and with GROUP BY, hashed or sorted
SELECT DISTINCT grp, pareto_share(v) OVER (PARTITION BY grp) = pg_temp.plain_share(grp, 0.2)::float8
       OR pg_temp.close(pareto_share(v) OVER (PARTITION BY grp), pg_temp.plain_share(grp, 0.2)) AS window_ok
FROM pv ORDER BY grp;
CREATE TEMP TABLE by_hash AS
SELECT grp, pareto_share(v) AS s, pareto_fraction(v) AS f, gini(v) AS g, hhi(v) AS h,
       top_share(v, 3) AS t, pareto_curve(v, 5) AS c, pareto_share(v, '{0.1,0.5}'::float8[]) AS a
FROM pv GROUP BY grp;
SET enable_hashagg = off;
SELECT count(*) AS same_sorted
FROM (SELECT grp, pareto_share(v) AS s, pareto_fraction(v) AS f, gini(v) AS g, hhi(v) AS h,
             top_share(v, 3) AS t, pareto_curve(v, 5) AS c, pareto_share(v, '{0.1,0.5}'::float8[]) AS a
      FROM pv GROUP BY grp) x JOIN by_hash USING (grp, s, f, g, h, t, c, a);
RESET enable_hashagg;

-- Parallel and partitionwise aggregation give the serial results
CREATE TABLE pv_part (id bigint, grp int, v numeric) PARTITION BY HASH (id);
CREATE TABLE pv_part_0 PARTITION OF pv_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE pv_part_1 PARTITION OF pv_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE pv_part_2 PARTITION OF pv_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO pv_part SELECT id, grp, v FROM pv;
CREATE TABLE pv_big AS SELECT id, grp, v FROM pv, generate_series(1, 30) r;
ANALYZE pv_part; ANALYZE pv_big;
CREATE TEMP TABLE serial_result AS
SELECT grp, pareto_share(v) AS s, pareto_share(v, 0.05) AS s5, pareto_fraction(v, 0.5) AS f, gini(v) AS g,
       hhi(v) AS h, top_share(v, 3) AS t, pareto_curve(v, 5) AS c, pareto_share(v, '{0.1,0.5}'::float8[]) AS a
FROM pv_big GROUP BY grp;
\i test/parallel_plans.sql
SET enable_partitionwise_aggregate = on;
CREATE TEMP TABLE parallel_result AS
SELECT grp, pareto_share(v) AS s, pareto_share(v, 0.05) AS s5, pareto_fraction(v, 0.5) AS f, gini(v) AS g,
       hhi(v) AS h, top_share(v, 3) AS t, pareto_curve(v, 5) AS c, pareto_share(v, '{0.1,0.5}'::float8[]) AS a
FROM pv_big GROUP BY grp;
SELECT p.grp, p.s = r.s AND p.s5 = r.s5 AND p.f = r.f AND p.g = r.g AND p.t = r.t AND p.c = r.c AND p.a = r.a
       AS parallel_result_equals_serial, abs(p.h - r.h) <= 1e-15 * r.h AS hhi_equal
FROM parallel_result p JOIN serial_result r USING (grp) ORDER BY grp;
-- the whole table as one group: every worker contributes a partial state
SELECT pareto_share(v, 0.05) = (SELECT s5 FROM serial_result WHERE grp = 0) AS one_group_parallel_equals_serial
FROM pv_big WHERE grp = 0;
CREATE TEMP TABLE part_result AS
SELECT grp, pareto_share(v) AS s, pareto_fraction(v) AS f, gini(v) AS g, top_share(v, 3) AS t,
       pareto_curve(v, 5) AS c
FROM pv_part GROUP BY grp;
SELECT p.grp, p.s = r.s AND p.f = r.f AND p.g = r.g AND p.t = r.t AND p.c = r.c AS partitionwise_equals_serial
FROM part_result p
JOIN (SELECT grp, pareto_share(v) AS s, pareto_fraction(v) AS f, gini(v) AS g, top_share(v, 3) AS t,
             pareto_curve(v, 5) AS c FROM pv GROUP BY grp) r USING (grp)
ORDER BY grp;
-- partial aggregation per partition, combined above
SELECT pareto_share(v, 0.2) = (SELECT pareto_share(v, 0.2) FROM pv) AS partial_partitionwise_equals_serial,
       gini(v) = (SELECT gini(v) FROM pv) AS gini_equal
FROM pv_part;
RESET ALL;
