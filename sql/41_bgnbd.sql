-- 41_bgnbd: hyp2f1, the BG/NBD fit and its predictions.
SET extra_float_digits = 0;

-- hyp2f1 against closed forms (A&S 15.1.3, 15.1.8, 15.1.6): every relative
-- error below 1e-10
SELECT z,
       abs(hyp2f1(1, 1, 2, z) / (-ln(1 - z) / z) - 1) < 1e-10 AS log_form,
       abs(hyp2f1(0.7, 2.5, 2.5, z) / (1 - z) ^ (-0.7) - 1) < 1e-10 AS power_form,
       abs(hyp2f1(0.5, 0.5, 1.5, z) / (asin(sqrt(z)) / sqrt(z)) - 1) < 1e-10 AS asin_form
FROM unnest(ARRAY[0.001, 0.1, 0.5, 0.9, 0.99, 0.999]::float8[]) z ORDER BY z;
SELECT hyp2f1(1, 1, 2, 0) AS at_zero, hyp2f1(3, 0, 2, 0.5) AS b_zero;
-- and against the same series summed in plain SQL numeric with 80 digits,
-- on the parameters of the BG/NBD expectations (heavy buyers: large a, b, c)
CREATE FUNCTION pg_temp.f21(a numeric, b numeric, c numeric, z numeric, terms int) RETURNS numeric
LANGUAGE sql AS $$
WITH RECURSIVE s(k, term) AS (
    SELECT 0, 1::numeric(1000, 80)
    UNION ALL
    SELECT k + 1, round(term * (a + k) * (b + k) / ((c + k) * (k + 1)) * z, 80)::numeric(1000, 80) FROM s WHERE k < terms)
SELECT sum(term) FROM s $$;
SELECT a, b, c, z,
       abs(hyp2f1(a, b, c, z) / pg_temp.f21(a::numeric, b::numeric, c::numeric, z::numeric, 3000)::float8 - 1) < 1e-10 AS series_ok
FROM (VALUES (1.976, -0.207, 2.219, 0.474), (1.976, -0.207, 302.219, 0.9), (300.24, 302.4, 303.2, 0.47),
             (0.5, 0.25, 1.75, 0.95), (25.3, 0.8, 26.1, 0.3)) v(a, b, c, z)
ORDER BY a, b;
SELECT hyp2f1(1, 1, 2, 1);
SELECT hyp2f1(1, 1, -2, 0.5);
SELECT hyp2f1('NaN', 1, 2, 0.5);

-- 1,000 client histories simulated from the BG/NBD model (r, alpha, a, b)
-- = (0.5, 6, 0.8, 2.5), ages 26 to 52 weeks (test/clv/simulate.sql)
\i test/clv/simulate.sql
CREATE TABLE bg_hist AS
SELECT client AS i, frequency, recency, age
FROM pg_temp.clv_simulate(1000, 0.5, 6, 0.8, 2.5, 6, 4, 15, 52, 1);
SELECT count(*), sum(frequency), count(*) FILTER (WHERE frequency > 0) AS repeat_buyers FROM bg_hist;

-- The log-likelihood of equation (6) of Fader, Hardie & Lee (2005), in
-- plain SQL, with the gamma and beta function ratios as finite products
-- (x is a whole number): an independent check of the fit.
CREATE FUNCTION pg_temp.bg_ll(r float8, alpha float8, a float8, b float8) RETURNS float8
LANGUAGE sql AS $$
SELECT sum(ln(
         exp(lg + r * ln(alpha) - (r + frequency) * ln(alpha + age) + lb1)
         + CASE WHEN frequency > 0
                THEN exp(lg + r * ln(alpha) - (r + frequency) * ln(alpha + recency)
                         + ln(a / (a + b + frequency - 1)) + lb2) ELSE 0 END))
FROM (SELECT frequency, recency, age,
             (SELECT coalesce(sum(ln(r + j)), 0) FROM generate_series(0, frequency::int - 1) j) AS lg,
             (SELECT coalesce(sum(ln((b + j) / (a + b + j))), 0) FROM generate_series(0, frequency::int - 1) j) AS lb1,
             (SELECT coalesce(sum(ln((b + j) / (a + b + j))), 0) FROM generate_series(0, frequency::int - 2) j) AS lb2
      FROM bg_hist) h $$;

CREATE TABLE bg_fit AS SELECT (bgnbd_fit(frequency, recency, age)).* FROM bg_hist;
SELECT clients, converged, r > 0 AND alpha > 0 AND a > 0 AND b > 0 AS positive FROM bg_fit;
-- the reported log-likelihood is equation (6) at the reported parameters
SELECT abs(log_likelihood / pg_temp.bg_ll(r, alpha, a, b) - 1) < 1e-12 AS log_likelihood_ok FROM bg_fit;
-- and it is a maximum: moving any parameter by 0.1% either way lowers it
SELECT bool_and(pg_temp.bg_ll(r * (1 + d1), alpha * (1 + d2), a * (1 + d3), b * (1 + d4)) < log_likelihood) AS is_maximum
FROM bg_fit,
     (VALUES (0.001, 0, 0, 0), (-0.001, 0, 0, 0), (0, 0.001, 0, 0), (0, -0.001, 0, 0),
             (0, 0, 0.001, 0), (0, 0, -0.001, 0), (0, 0, 0, 0.001), (0, 0, 0, -0.001),
             (0.001, 0.001, 0, 0), (-0.001, -0.001, 0, 0), (0, 0, 0.001, 0.001), (0, 0, -0.001, -0.001)) v(d1, d2, d3, d4);
-- identical histories are grouped, so duplicating every client changes
-- nothing but the counts: the same parameters, twice the log-likelihood
SELECT abs(d.r / f.r - 1) < 1e-7 AND abs(d.alpha / f.alpha - 1) < 1e-7 AND abs(d.a / f.a - 1) < 1e-7
       AND abs(d.b / f.b - 1) < 1e-7 AND abs(d.log_likelihood / (2 * f.log_likelihood) - 1) < 1e-12
       AND d.clients = 2000 AS duplicated_ok
FROM bg_fit f, (SELECT (bgnbd_fit(frequency, recency, age)).* FROM (SELECT * FROM bg_hist UNION ALL SELECT * FROM bg_hist) u) d;

-- NULLs are skipped; no rows gives NULL
SELECT (bgnbd_fit(frequency, recency, age)).clients FROM
  (SELECT frequency, recency, age FROM bg_hist UNION ALL VALUES (NULL, 1, 2), (1, NULL, 2), (1, 1, NULL)) u;
SELECT bgnbd_fit(frequency, recency, age) IS NULL AS is_null FROM bg_hist WHERE false;
-- invalid histories
SELECT bgnbd_fit(-1, 0, 10);
SELECT bgnbd_fit(1.5, 2, 10);
SELECT bgnbd_fit(1, -2, 10);
SELECT bgnbd_fit(1, 12, 10);
SELECT bgnbd_fit(0, 2, 10);
SELECT bgnbd_fit(1, 2, 'Infinity');
SELECT bgnbd_fit(1, 'NaN', 10);

-- Predictions with the published CDNOW parameters (r, alpha, a, b) =
-- (0.243, 4.414, 0.793, 2.426), against the paper's formulas summed in
-- plain SQL numeric: P(alive) (Fader, Hardie & Lee's note on P(alive)) and
-- the conditional expectation (equation 10) with the untransformed 2F1
-- series, for light and heavy buyers and a client almost surely gone.
CREATE TABLE bg_model AS SELECT ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd AS m;
CREATE FUNCTION pg_temp.p_alive(r numeric, al numeric, a numeric, b numeric, x numeric, tx numeric, bigt numeric) RETURNS numeric
LANGUAGE sql AS $$
SELECT CASE WHEN x = 0 THEN 1 ELSE 1 / (1 + a / (b + x - 1) * exp((r + x) * ln((al + bigt) / (al + tx)))) END $$;
CREATE FUNCTION pg_temp.expected(r numeric, al numeric, a numeric, b numeric, t numeric, x numeric, tx numeric, bigt numeric) RETURNS numeric
LANGUAGE sql AS $$
SELECT (a + b + x - 1) / (a - 1)
       * (1 - exp((r + x) * ln((al + bigt) / (al + bigt + t)))
              * pg_temp.f21(r + x, b + x, a + b + x - 1, round(t / (al + bigt + t), 80), 4000))
       * pg_temp.p_alive(r, al, a, b, x, tx, bigt) $$;
SELECT x, tx, bigt, t,
       abs(bgnbd_p_alive(m, x, tx, bigt) / pg_temp.p_alive(0.243, 4.414, 0.793, 2.426, x::numeric, tx::numeric, bigt::numeric)::float8 - 1) < 1e-10 AS p_alive_ok,
       abs(bgnbd_expected_purchases(m, t, x, tx, bigt)
           / pg_temp.expected(0.243, 4.414, 0.793, 2.426, t::numeric, x::numeric, tx::numeric, bigt::numeric)::float8 - 1) < 1e-10 AS expected_ok
FROM bg_model,
     (VALUES (0, 0, 38.86, 39), (2, 30.43, 38.86, 39), (1, 1.71, 38.86, 1), (7, 35, 36, 52), (26, 30.86, 31, 39),
             (150, 38, 38.86, 39), (40, 2, 38.86, 39), (0, 0, 5, 0.5)) v(x, tx, bigt, t)
ORDER BY x, tx;
-- the paper's worked example: a customer with 2 repeat purchases, the last
-- at 30.43 weeks, observed for 38.86 weeks, is expected to make 1.226
-- purchases in the next 39 weeks; P(alive) and E[X(39)] of a new client by
-- the unconditional formula (equation 9) in plain SQL
SELECT round(bgnbd_expected_purchases(m, 39, 2, 30.43, 38.86)::numeric, 3) AS expected_39,
       abs(bgnbd_expected_purchases(m, 39)
           / ((0.793 + 2.426 - 1) / (0.793 - 1)
              * (1 - (4.414 / (4.414 + 39)) ^ 0.243 * pg_temp.f21(0.243, 2.426, 0.793 + 2.426 - 1, round(39 / 43.414, 80), 4000)))::float8
           - 1) < 1e-10 AS new_client_ok
FROM bg_model;
-- a heavy buyer gone long ago: P(alive) ~ 1e-11, no NaN, not negative
SELECT bgnbd_p_alive(m, 25, 10, 38.86) BETWEEN 1e-12 AND 1e-10 AS tiny,
       abs(bgnbd_p_alive(m, 25, 10, 38.86) / pg_temp.p_alive(0.243, 4.414, 0.793, 2.426, 25, 10, 38.86)::float8 - 1) < 1e-10 AS p_alive_ok,
       abs(bgnbd_expected_purchases(m, 39, 25, 10, 38.86) / pg_temp.expected(0.243, 4.414, 0.793, 2.426, 39, 25, 10, 38.86)::float8 - 1) < 1e-10 AS expected_ok,
       bgnbd_p_alive(m, 1e6, 1, 1e6) AS gone
FROM bg_model;
-- a = 1 is no 0/0: the value lies between those at a = 1 -+ 1e-6
SELECT bgnbd_expected_purchases(ROW(0.243, 4.414, 1, 2.426, NULL, NULL, NULL)::bgnbd, 39, 2, 30.43, 38.86)
       BETWEEN least(lo, hi) AND greatest(lo, hi) AND abs(lo - hi) < 1e-5 AS continuous_at_a_1
FROM (SELECT bgnbd_expected_purchases(ROW(0.243, 4.414, 1 - 1e-6, 2.426, NULL, NULL, NULL)::bgnbd, 39, 2, 30.43, 38.86) AS lo,
             bgnbd_expected_purchases(ROW(0.243, 4.414, 1 + 1e-6, 2.426, NULL, NULL, NULL)::bgnbd, 39, 2, 30.43, 38.86) AS hi) s;
SELECT bgnbd_expected_purchases(m, 0, 2, 30.43, 38.86) AS zero_horizon, bgnbd_p_alive(m, NULL, 1, 2) AS null_is_null FROM bg_model;
SELECT bgnbd_expected_purchases(m, -1, 2, 30.43, 38.86) FROM bg_model;
SELECT bgnbd_p_alive(m, 2, 40, 38.86) FROM bg_model;
SELECT bgnbd_p_alive(ROW(0.243, -4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd, 2, 30, 38.86);
SELECT bgnbd_p_alive(ROW(NULL, 4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd, 2, 30, 38.86);

-- any split of the rows gives the same fit, bit for bit
CREATE TABLE bg_big AS SELECT (i % 1000) + 1 AS j, i FROM generate_series(1, 20000) i;
CREATE TABLE bg_rows AS SELECT b.i, h.frequency, h.recency, h.age + (b.i % 7) AS age FROM bg_big b JOIN bg_hist h ON h.i = b.j;
CREATE TABLE bg_serial AS SELECT bgnbd_fit(frequency, recency, age ORDER BY i) AS f FROM bg_rows;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT (SELECT bgnbd_fit(frequency, recency, age) FROM bg_rows) = f AS parallel_result_equals_serial,
       (f).converged, (f).clients
FROM bg_serial;
CREATE TABLE bg_part (i int, frequency float8, recency float8, age float8) PARTITION BY HASH (i);
CREATE TABLE bg_part_0 PARTITION OF bg_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE bg_part_1 PARTITION OF bg_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE bg_part_2 PARTITION OF bg_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO bg_part SELECT * FROM bg_rows;
ANALYZE bg_part;
SET enable_partitionwise_aggregate = on;
SELECT (SELECT bgnbd_fit(frequency, recency, age) FROM bg_part) = f AS partitionwise_result_equals_serial FROM bg_serial;
-- grouped: one fit per segment
SELECT count(*) AS segments, bool_and(p.f = s.f) AS partitionwise_result_equals_serial
FROM (SELECT i % 2 AS seg, bgnbd_fit(frequency, recency, age) AS f FROM bg_part GROUP BY 1) p
JOIN (SELECT i % 2 AS seg, bgnbd_fit(frequency, recency, age ORDER BY i) AS f FROM bg_rows GROUP BY 1) s USING (seg);
RESET ALL;
DROP TABLE bg_hist, bg_fit, bg_model, bg_big, bg_rows, bg_serial, bg_part;
