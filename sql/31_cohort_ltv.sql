-- 31_cohort_ltv: cohort_ltv(profit, tenure, churned [, discount]), the
-- lifetime value of a cohort estimated from right-censored tenures.
--
-- lambda = churned / exposure (exposure = total tenure), retention =
-- exp(-lambda), churn_rate = 1 - retention, expected_tenure = 1 / churn_rate,
-- margin = total profit / exposure, ltv = margin / (churn_rate + discount).

-- by hand: 3 clients (the NULL row is skipped), 2 churned, exposure 10,
--   lambda = 0.2, retention = exp(-0.2) = 0.818730753077981...,
--   churn_rate = 0.181269246922018..., expected_tenure = 5.51665556612699...,
--   margin = 60.5 / 10 = 6.05, ltv = 6.05 / 0.181269246922018 = 33.3757661750683
SELECT (cohort_ltv(profit, tenure, churned)).*
FROM (VALUES (10.0, 2.0, true), (30.0, 4.0, false), (20.5, 4.0, true),
             (NULL, 1, true), (5.0, NULL, true), (5.0, 1, NULL)) v(profit, tenure, churned);
-- with discount 0.05: 6.05 / (0.181269246922018 + 0.05) = 6.05 / 0.231269246922018
--   = 26.1599848683729
SELECT (cohort_ltv(profit, tenure, churned, 0.05)).ltv
FROM (VALUES (10.0, 2.0, true), (30.0, 4.0, false), (20.5, 4.0, true)) v(profit, tenure, churned);

-- no churned client: churn 0, retention 1, expected tenure and the
-- undiscounted ltv unbounded (NULL); with a discount, ltv = margin / discount:
--   margin = 40 / 6 = 6.66666666666667, ltv = 6.6666... / 0.01 = 666.666666666667
SELECT (cohort_ltv(profit, tenure, churned)).*
FROM (VALUES (10.0, 2.0, false), (30.0, 4.0, false)) v(profit, tenure, churned);
SELECT (cohort_ltv(profit, tenure, churned, 0.01)).*
FROM (VALUES (10.0, 2.0, false), (30.0, 4.0, false)) v(profit, tenure, churned);

-- total tenure 0: everything but the counts is NULL
SELECT (cohort_ltv(profit, tenure, churned)).*
FROM (VALUES (10.0, 0, true), (30.0, 0, false)) v(profit, tenure, churned);

-- no row, or only NULL rows: NULL, as sum() gives
SELECT cohort_ltv(profit, tenure, churned) IS NULL AS no_rows
FROM (VALUES (10.0, 1.0, true)) v(profit, tenure, churned) WHERE false;
SELECT cohort_ltv(profit, tenure, churned, NULL) IS NULL AS null_discount,
       cohort_ltv(NULL, tenure, churned) IS NULL AS null_profit
FROM (VALUES (10.0, 1.0, true)) v(profit, tenure, churned);

-- one row; integer arguments resolve (profit numeric, tenure double precision):
--   lambda = 1 / 4, churn_rate = 1 - exp(-0.25) = 0.221199216928595,
--   margin = 100 / 4 = 25, ltv = 25 / 0.221199216928595 = 113.020291604695
SELECT (cohort_ltv(100, 4, true)).*;

-- negative profit (an unprofitable cohort) gives a negative value:
--   margin = -12.5 / 5 = -2.5, lambda = 1 / 5,
--   ltv = -2.5 / 0.181269246922018 = -13.7916389153175
SELECT (cohort_ltv(profit, tenure, churned)).margin,
       (cohort_ltv(profit, tenure, churned)).ltv,
       abs((cohort_ltv(profit, tenure, churned)).ltv - (-2.5 / (1 - exp(-0.2)))::numeric)
           <= 1e-13 AS ltv_matches
FROM (VALUES (-20.0, 2.5, true), (7.5, 2.5, false)) v(profit, tenure, churned);

-- a NaN or infinite profit propagates to margin and ltv, as in sum(numeric)
SELECT (cohort_ltv(profit, 2, true)).margin AS margin, (cohort_ltv(profit, 2, true)).ltv AS ltv
FROM (VALUES ('NaN'::numeric), (1.0)) v(profit);
SELECT (cohort_ltv(profit, 2, true)).margin AS margin, (cohort_ltv(profit, 2, true)).ltv AS ltv
FROM (VALUES ('Infinity'::numeric), (1.0)) v(profit);

-- profit is summed exactly (numeric): 1000 rows of 0.001 sum to 1 exactly,
-- over an exposure of 1000 periods: margin 0.001
SELECT (cohort_ltv(0.001, 1, i % 2 = 0)).margin
FROM generate_series(1, 1000) AS i;

-- Against the same estimates in plain SQL, by segment, with and without
-- discount, on a deterministic table (hashint8 draws, no random()).
CREATE TEMP TABLE cohort AS
SELECT i AS client_id,
       (ARRAY['Consumer', 'SMB', 'Mid-market', 'Enterprise', 'Loyal'])[1 + i % 5] AS segment,
       round((hashint8(i * 7 + 1) % 100000) / 100.0, 2) AS profit,
       (abs(hashint8(i * 7 + 2)) % 96) / 4.0 AS tenure,
       CASE WHEN i % 5 = 4 THEN false ELSE abs(hashint8(i * 7 + 3)) % 3 = 0 END AS churned
FROM generate_series(1, 5000) AS i;
-- some rows the aggregate skips
INSERT INTO cohort VALUES (5001, 'SMB', NULL, 3, true), (5002, 'SMB', 1.00, NULL, true),
                          (5003, 'SMB', 1.00, 3, NULL);

CREATE TEMP VIEW cohort_plain AS
SELECT segment, clients, churned, exposure,
       1 - exp(-churned / exposure) AS churn_rate,
       exp(-churned / exposure) AS retention,
       CASE WHEN churned > 0 THEN 1 / (1 - exp(-churned / exposure)) END AS expected_tenure,
       profit / exposure::numeric AS margin,
       CASE WHEN churned > 0 THEN profit / exposure::numeric / (1 - exp(-churned / exposure))::numeric END AS ltv,
       profit / exposure::numeric / (1.01 - exp(-churned / exposure))::numeric AS ltv_discounted
FROM (SELECT segment, count(*) AS clients, count(*) FILTER (WHERE churned) AS churned,
             sum(tenure) AS exposure, sum(profit) AS profit
      FROM cohort
      WHERE profit IS NOT NULL AND tenure IS NOT NULL AND churned IS NOT NULL
      GROUP BY segment) s;

SELECT p.segment, c.clients, c.churned, c.exposure,
       c.clients = p.clients AND c.churned = p.churned AND c.exposure = p.exposure AS counts_ok,
       abs(c.churn_rate - p.churn_rate) <= 1e-14 * p.churn_rate
           OR (c.churn_rate = 0 AND p.churn_rate = 0) AS churn_ok,
       abs(c.retention - p.retention) <= 1e-15 AS retention_ok,
       abs(c.expected_tenure - p.expected_tenure) <= 1e-13 * p.expected_tenure
           OR (c.expected_tenure IS NULL AND p.expected_tenure IS NULL) AS tenure_ok,
       abs(c.margin - p.margin) <= 6e-15 * abs(p.margin) AS margin_ok,
       abs(c.ltv - p.ltv) <= 1e-13 * abs(p.ltv)
           OR (c.ltv IS NULL AND p.ltv IS NULL) AS ltv_ok,
       abs(d.ltv - p.ltv_discounted) <= 1e-13 * abs(p.ltv_discounted) AS discounted_ok,
       c.ltv IS NULL AS unbounded
FROM cohort_plain p
JOIN (SELECT segment, (cohort_ltv(profit, tenure, churned)).* FROM cohort GROUP BY segment) c USING (segment)
JOIN (SELECT segment, (cohort_ltv(profit, tenure, churned, 0.01)).* FROM cohort GROUP BY segment) d USING (segment)
ORDER BY p.segment;

-- ltv is the scalar ltv() of the cohort's margin and retention
SELECT segment,
       abs((c).ltv - ltv((c).margin, (c).retention)) <= 1e-13 * abs((c).ltv) AS same_as_scalar
FROM (SELECT segment, cohort_ltv(profit, tenure, churned) AS c
      FROM cohort WHERE segment <> 'Loyal' GROUP BY segment) s
ORDER BY segment;

-- as a window function (the final function runs once per row and must not
-- change the state): the running estimate equals the grouped estimate of
-- each prefix
SELECT count(*) AS rows, bool_and(w.v = g.v) AS window_equals_prefix
FROM (SELECT client_id, cohort_ltv(profit, tenure, churned, 0.01) OVER (ORDER BY client_id) AS v
      FROM cohort WHERE client_id <= 200) w
JOIN LATERAL (SELECT cohort_ltv(profit, tenure, churned, 0.01) AS v
              FROM cohort WHERE client_id <= w.client_id) g ON true;

-- GROUP BY with sort and hash aggregation give the same result
SET enable_hashagg = off;
CREATE TEMP TABLE by_sort AS SELECT segment, cohort_ltv(profit, tenure, churned, 0.02) AS v FROM cohort GROUP BY segment;
RESET enable_hashagg;
SET enable_sort = off;
CREATE TEMP TABLE by_hash AS SELECT segment, cohort_ltv(profit, tenure, churned, 0.02) AS v FROM cohort GROUP BY segment;
RESET enable_sort;
SELECT count(*) AS groups, bool_and(h.v = s.v) AS sort_equals_hash
FROM by_sort s JOIN by_hash h USING (segment);

-- errors (22023): negative, NaN or infinite tenure; bad discount; a
-- discount that changes within a group
SELECT cohort_ltv(profit, tenure, churned)
FROM (VALUES (10.0, 2.0, true), (5.0, -1.5, false)) v(profit, tenure, churned);
SELECT cohort_ltv(10.0, 'NaN', true);
SELECT cohort_ltv(10.0, 'Infinity', false);
SELECT cohort_ltv(10.0, 1, true, -1);
SELECT cohort_ltv(10.0, 1, true, 'NaN');
-- a total profit beyond the range of double precision: margin and ltv
-- are linear in it (one client, tenure 1, churned: margin 1e400, ltv =
-- margin / (1 - exp(-1)), to 15 significant digits)
SELECT (c).margin = 1e400 AS margin_exact,
       (c).ltv = round(1e400 / (1 - exp(-1::numeric)), -386) AS ltv_15_digits
FROM (SELECT cohort_ltv(1e400, 1, true) AS c) s;
-- a margin out of proportion with the exposure (22003)
SELECT cohort_ltv(10, 1e-320, true);
SELECT cohort_ltv(profit, tenure, churned, discount)
FROM (VALUES (10.0, 2.0, true, 0.1), (5.0, 1.0, false, 0.2)) v(profit, tenure, churned, discount);
\set VERBOSITY sqlstate
SELECT cohort_ltv(10.0, -1, true);
SELECT cohort_ltv(10.0, 1, true, -1);
\set VERBOSITY default

-- Parallel and partitionwise aggregation give the serial result, for any
-- split of the rows (tenures are multiples of 1/4, so the exposure sums are
-- exact in any order and the comparison can be exact).
CREATE TABLE cohort_part (client_id int, segment text, profit numeric, tenure float8, churned boolean)
    PARTITION BY HASH (client_id);
CREATE TABLE cohort_part_0 PARTITION OF cohort_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE cohort_part_1 PARTITION OF cohort_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE cohort_part_2 PARTITION OF cohort_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO cohort_part
SELECT i, (ARRAY['Consumer', 'SMB', 'Mid-market', 'Enterprise', 'Loyal'])[1 + i % 5],
       round((hashint8(i * 11 + 1) % 100000) / 100.0, 2),
       (abs(hashint8(i * 11 + 2)) % 96) / 4.0,
       CASE WHEN i % 5 = 4 THEN false ELSE abs(hashint8(i * 11 + 3)) % 3 = 0 END
FROM generate_series(1, 60000) AS i;
ANALYZE cohort_part;

CREATE TEMP TABLE serial_result AS
SELECT segment, cohort_ltv(profit, tenure, churned) AS v, cohort_ltv(profit, tenure, churned, 0.01) AS vd
FROM cohort_part GROUP BY segment;
CREATE TEMP TABLE serial_total AS
SELECT cohort_ltv(profit, tenure, churned, 0.01) AS vd FROM cohort_part;

\i test/parallel_plans.sql
SET enable_partitionwise_aggregate = on;
SELECT s.segment, p.v = s.v AND p.vd = s.vd AS parallel_result_equals_serial_result
FROM serial_result s
JOIN (SELECT segment, cohort_ltv(profit, tenure, churned) AS v, cohort_ltv(profit, tenure, churned, 0.01) AS vd
      FROM cohort_part GROUP BY segment) p USING (segment)
ORDER BY s.segment;
SELECT (SELECT cohort_ltv(profit, tenure, churned, 0.01) FROM cohort_part) = vd
    AS parallel_total_equals_serial_total
FROM serial_total;
-- partial aggregation per partition, then combined: a discount that
-- differs between partitions is still caught (which value a worker sees
-- first depends on the plan, so only the SQLSTATE is shown)
\set VERBOSITY sqlstate
SELECT cohort_ltv(profit, tenure, churned, CASE WHEN client_id = 1 THEN 0.5 ELSE 0.01 END)
FROM cohort_part;
\set VERBOSITY default
\i test/parallel_plans_off.sql
RESET enable_partitionwise_aggregate;
DROP TABLE cohort_part;
