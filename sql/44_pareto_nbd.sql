-- 44_pareto_nbd: the Pareto/NBD fit, its predictions and clv().
SET extra_float_digits = 0;

-- 300 client histories (test/clv/simulate.sql)
\i test/clv/simulate.sql
CREATE TABLE pn_hist AS
SELECT client AS i, frequency, recency, age
FROM pg_temp.clv_simulate(300, 0.5, 6, 0.8, 2.5, 6, 4, 15, 52, 5);

-- The log-likelihood in the 2F1 form of Fader & Hardie's note on the
-- Pareto/NBD (equation 11 and its case split on alpha >= beta), with the
-- series summed in 80-digit numeric: independent of cprof's quadrature.
CREATE FUNCTION pg_temp.f21(a numeric, b numeric, c numeric, z numeric) RETURNS numeric
LANGUAGE sql AS $$
WITH RECURSIVE s(k, term) AS (
    SELECT 0, 1::numeric(1000, 80)
    UNION ALL
    SELECT k + 1, round(term * (a + k) * (b + k) / ((c + k) * (k + 1)) * z, 80)::numeric(1000, 80) FROM s
    WHERE k < 20000 AND abs(term) > 1e-40)
SELECT sum(term) FROM s $$;
-- the same in double precision (its terms are positive: accurate to ~1e-13),
-- fast enough for the maximum check
CREATE FUNCTION pg_temp.f21(a float8, b float8, c float8, z float8) RETURNS float8
LANGUAGE sql AS $$
WITH RECURSIVE s(k, term) AS (
    SELECT 0, 1::float8
    UNION ALL
    SELECT k + 1, term * (a + k) * (b + k) / ((c + k) * (k + 1)) * z FROM s
    WHERE k < 20000 AND abs(term) > 1e-18)
SELECT sum(term) FROM s $$;
CREATE FUNCTION pg_temp.f21x(exact boolean, a float8, b float8, c float8, z float8) RETURNS float8
LANGUAGE sql AS $$
SELECT CASE WHEN exact THEN pg_temp.f21(a::numeric, b::numeric, c::numeric, z::numeric)::float8
            ELSE pg_temp.f21(a, b, c, z) END $$;
-- A0 of the note, and the two parts of the likelihood after G(r+x) alpha^r beta^s / G(r)
CREATE FUNCTION pg_temp.a0(r float8, al float8, s float8, be float8, x float8, tx float8, bigt float8, exact boolean DEFAULT true) RETURNS float8
LANGUAGE sql AS $$
SELECT pg_temp.f21x(exact, r + s + x, CASE WHEN al >= be THEN s + 1 ELSE r + x END, r + s + x + 1,
                    abs(al - be) / (greatest(al, be) + tx)) * exp(-(r + s + x) * ln(greatest(al, be) + tx))
     - pg_temp.f21x(exact, r + s + x, CASE WHEN al >= be THEN s + 1 ELSE r + x END, r + s + x + 1,
                    abs(al - be) / (greatest(al, be) + bigt)) * exp(-(r + s + x) * ln(greatest(al, be) + bigt)) $$;
CREATE FUNCTION pg_temp.pn_ll(r float8, al float8, s float8, be float8, exact boolean DEFAULT true) RETURNS float8
LANGUAGE sql AS $$
SELECT sum((SELECT coalesce(sum(ln(r + j)), 0) FROM generate_series(0, frequency::int - 1) j)
           + r * ln(al) + s * ln(be)
           + ln(exp(-(r + frequency) * ln(al + age) - s * ln(be + age))
                + s / (r + s + frequency) * pg_temp.a0(r, al, s, be, frequency, recency, age, exact)))
FROM pn_hist $$;
CREATE FUNCTION pg_temp.pn_p_alive(r float8, al float8, s float8, be float8, x float8, tx float8, bigt float8) RETURNS float8
LANGUAGE sql AS $$
SELECT 1 / (1 + s / (r + s + x) * exp((r + x) * ln(al + bigt) + s * ln(be + bigt)) * pg_temp.a0(r, al, s, be, x, tx, bigt)) $$;

CREATE TABLE pn_fit AS SELECT (pareto_nbd_fit(frequency, recency, age)).* FROM pn_hist;
SELECT clients, converged FROM pn_fit;
SELECT abs(log_likelihood / pg_temp.pn_ll(r, alpha, s, beta) - 1) < 1e-11 AS log_likelihood_ok FROM pn_fit;
SELECT bool_and(pg_temp.pn_ll(r * (1 + d1), alpha * (1 + d2), s * (1 + d3), beta * (1 + d4), false) < log_likelihood) AS is_maximum
FROM pn_fit,
     (VALUES (0.001, 0, 0, 0), (-0.001, 0, 0, 0), (0, 0.001, 0, 0), (0, -0.001, 0, 0),
             (0, 0, 0.001, 0), (0, 0, -0.001, 0), (0, 0, 0, 0.001), (0, 0, 0, -0.001)) v(d1, d2, d3, d4);

-- NULLs skipped, no rows gives NULL, invalid histories
SELECT (pareto_nbd_fit(frequency, recency, age)).clients FROM
  (SELECT frequency, recency, age FROM pn_hist UNION ALL VALUES (NULL, 1, 2), (1, NULL, 2)) u;
SELECT pareto_nbd_fit(frequency, recency, age) IS NULL AS is_null FROM pn_hist WHERE false;
SELECT pareto_nbd_fit(1, 12, 10);
SELECT pareto_nbd_fit(0, 2, 10);

-- predictions against the note's formulas in plain SQL, on both sides of
-- alpha = beta, for light and heavy buyers
SELECT al, be, x, tx, bigt,
       abs(pareto_nbd_p_alive(ROW(0.55, al, 0.61, be, NULL, NULL, NULL)::pareto_nbd, x, tx, bigt)
           / pg_temp.pn_p_alive(0.55, al, 0.61, be, x, tx, bigt) - 1) < 1e-10 AS p_alive_ok,
       abs(pareto_nbd_expected_purchases(ROW(0.55, al, 0.61, be, NULL, NULL, NULL)::pareto_nbd, 39, x, tx, bigt)
           / ((0.55 + x) * (be + bigt) / ((al + bigt) * (0.61 - 1)) * (1 - ((be + bigt) / (be + bigt + 39)) ^ (0.61 - 1))
              * pg_temp.pn_p_alive(0.55, al, 0.61, be, x, tx, bigt)) - 1) < 1e-10 AS expected_ok
FROM (VALUES (10.58, 11.67), (11.67, 10.58), (2.0, 30.0), (30.0, 2.0)) m(al, be),
     (VALUES (0, 0, 38.86), (2, 30.43, 38.86), (26, 30.86, 31), (40, 5, 38.86)) h(x, tx, bigt)
ORDER BY al, be, x;
-- the BTYD walkthrough's example (Pareto/NBD on CDNOW, (r, alpha, s, beta)
-- = (0.5534, 10.5802, 0.6061, 11.6562)): P(alive | x = 26, t_x = 30.86,
-- T = 31) = 0.9979
SELECT round(pareto_nbd_p_alive(ROW(0.5534, 10.5802, 0.6061, 11.6562, NULL, NULL, NULL)::pareto_nbd, 26, 30.86, 31)::numeric, 4) AS p_alive;
-- a new client: r beta / (alpha (s - 1)) (1 - (beta / (beta + t))^(s - 1)), by hand for
-- (r, alpha, s, beta) = (0.5, 10, 2, 12), t = 12: 0.5 * 12 / 10 * (1 - 1/2) = 0.3
SELECT pareto_nbd_expected_purchases(ROW(0.5, 10, 2, 12, NULL, NULL, NULL)::pareto_nbd, 12) AS new_client;
-- s = 1 is no 0/0: between the values at s = 1 -+ 1e-6
SELECT pareto_nbd_expected_purchases(ROW(0.55, 10.58, 1, 11.67, NULL, NULL, NULL)::pareto_nbd, 39, 2, 30.43, 38.86)
       BETWEEN least(lo, hi) AND greatest(lo, hi) AS continuous_at_s_1
FROM (SELECT pareto_nbd_expected_purchases(ROW(0.55, 10.58, 1 - 1e-6, 11.67, NULL, NULL, NULL)::pareto_nbd, 39, 2, 30.43, 38.86) AS lo,
             pareto_nbd_expected_purchases(ROW(0.55, 10.58, 1 + 1e-6, 11.67, NULL, NULL, NULL)::pareto_nbd, 39, 2, 30.43, 38.86) AS hi) s;
-- a client almost surely gone: tiny, not NaN
SELECT pareto_nbd_p_alive(ROW(0.55, 10.58, 0.61, 11.67, NULL, NULL, NULL)::pareto_nbd, 30, 2, 38.86) BETWEEN 0 AND 1e-9 AS tiny,
       pareto_nbd_p_alive(ROW(0.55, 10.58, 0.61, 11.67, NULL, NULL, NULL)::pareto_nbd, 1e5, 1, 1e5) AS gone;
SELECT pareto_nbd_expected_purchases(ROW(0.55, 10.58, 0.61, 11.67, NULL, NULL, NULL)::pareto_nbd, -1);
SELECT pareto_nbd_p_alive(ROW(0.55, 0, 0.61, 11.67, NULL, NULL, NULL)::pareto_nbd, 1, 1, 2);

-- clv with a Pareto/NBD model: the discounted monthly increments, in SQL
SELECT abs(clv(m, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)
           / (SELECT sum((pareto_nbd_expected_purchases(m, i * 4.345, 2, 30.43, 38.86)
                          - pareto_nbd_expected_purchases(m, (i - 1) * 4.345, 2, 30.43, 38.86)) / 1.01 ^ i)
                     * gamma_gamma_expected_value(g, 2, 22.35)
              FROM generate_series(1, 12) i) - 1) < 1e-12 AS clv_ok
FROM (SELECT ROW(0.553, 10.578, 0.606, 11.669, NULL, NULL, NULL)::pareto_nbd AS m,
             ROW(6.25, 3.74, 15.44, NULL, NULL, NULL)::gamma_gamma AS g) s;
-- and over 150 months, asked of the model in chunks
SELECT abs(clv(m, g, 2, 30.43, 38.86, 22.35, 150, 0.01, 4.345)
           / (SELECT sum((pareto_nbd_expected_purchases(m, i * 4.345, 2, 30.43, 38.86)
                          - pareto_nbd_expected_purchases(m, (i - 1) * 4.345, 2, 30.43, 38.86)) / 1.01 ^ i)
                     * gamma_gamma_expected_value(g, 2, 22.35)
              FROM generate_series(1, 150) i) - 1) < 1e-12 AS clv_150_ok
FROM (SELECT ROW(0.553, 10.578, 0.606, 11.669, NULL, NULL, NULL)::pareto_nbd AS m,
             ROW(6.25, 3.74, 15.44, NULL, NULL, NULL)::gamma_gamma AS g) s;

-- The fit that ran for minutes in 1.0: clients 1 to 150 and 153 of
-- clv_simulate(20000, 0.8, 8, 1.2, 4, 6, 4, 15, 52, 1).  Its likelihood
-- rises as s and beta grow together (every client the same dropout rate),
-- where an evaluation now costs a bounded amount per history; it ends, not
-- converged, with a WARNING.
SET statement_timeout = '60s';
CREATE TABLE pn_runaway AS
SELECT frequency, recency, age FROM pg_temp.clv_simulate(153, 0.8, 8, 1.2, 4, 6, 4, 15, 52, 1) WHERE client <= 150 OR client = 153;
CREATE TABLE pn_runaway_fit AS SELECT (pareto_nbd_fit(frequency, recency, age)).* FROM pn_runaway;
RESET statement_timeout;
SELECT clients, converged, s > 1e6 AND beta > 1e6 AS s_and_beta_large FROM pn_runaway_fit;
-- Its log-likelihood is that of the limit model, where every client has
-- the dropout rate mu = s / beta (the difference is of order mu t^2 / beta,
-- below 1e-10 here), computed independently in plain SQL:
--   ln L = sum ln(r+j), j < x,  - x ln alpha
--          + ln[(1 + T/alpha)^-(r+x) exp(-mu T) + mu * integral from t_x to T of (1 + t/alpha)^-(r+x) exp(-mu t) dt],
-- the integral by Simpson's rule on 400 intervals.
CREATE FUNCTION pg_temp.pn_limit_ll(r float8, al float8, mu float8) RETURNS float8
LANGUAGE sql AS $$
SELECT sum((SELECT coalesce(sum(ln(r + j)), 0) FROM generate_series(0, frequency::int - 1) j) - frequency * ln(al)
           + ln(exp(-(r + frequency) * ln(1 + age / al) - mu * age)
                + mu * (SELECT (age - recency) / 1200
                               * sum(CASE WHEN k IN (0, 400) THEN 1 WHEN k % 2 = 1 THEN 4 ELSE 2 END
                                     * exp(-(r + frequency) * ln(1 + (recency + (age - recency) * k / 400.0) / al)
                                           - mu * (recency + (age - recency) * k / 400.0)))
                        FROM generate_series(0, 400) k)))
FROM pn_runaway $$;
SELECT abs(log_likelihood / pg_temp.pn_limit_ll(r, alpha, s / beta) - 1) < 1e-8 AS limit_log_likelihood_ok FROM pn_runaway_fit;
DROP TABLE pn_runaway, pn_runaway_fit;

-- Predictions at the limits: s = beta = 1e300 (dropout rate 1 for all): a
-- new client buys r / alpha (1 - exp(-t)) in t; s = 1e-300 (no dropout):
-- r t / alpha.  And over a grid of extreme models: P(alive) in [0, 1], the
-- expectation at least 0 and at most (r+x) t / (alpha+T).
SELECT abs(pareto_nbd_expected_purchases(ROW(0.5, 2, 1e300, 1e300, NULL, NULL, NULL)::pareto_nbd, 3) / (0.25 * (1 - exp(-3))) - 1) < 1e-12 AS same_dropout,
       abs(pareto_nbd_expected_purchases(ROW(0.5, 2, 1e-300, 1, NULL, NULL, NULL)::pareto_nbd, 3) / 0.75 - 1) < 1e-12 AS no_dropout;
CREATE FUNCTION pg_temp.try_pn(m pareto_nbd, t float8, x float8, tx float8, bigt float8) RETURNS float8
LANGUAGE plpgsql AS $$
BEGIN
    RETURN pareto_nbd_expected_purchases(m, t, x, tx, bigt);
EXCEPTION WHEN numeric_value_out_of_range THEN
    RETURN NULL;
END $$;
CREATE TEMP TABLE pn_grid AS
SELECT *, ln(r + x) + ln(t) - ln(al + bigt) AS ln_bound,
       pg_temp.try_pn(ROW(r, al, s, be, NULL, NULL, NULL)::pareto_nbd, t, x, tx, bigt) AS e,
       pareto_nbd_p_alive(ROW(r, al, s, be, NULL, NULL, NULL)::pareto_nbd, x, tx, bigt) AS p
FROM unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) r,
     unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) al,
     unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) s,
     unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) be,
     (VALUES (0, 0, 0), (1000, 29, 30)) h(x, tx, bigt),
     (VALUES (1e3)) th(t);
SELECT count(*) AS cases,
       count(*) FILTER (WHERE NOT p BETWEEN 0 AND 1) AS p_alive_out_of_range,
       count(*) FILTER (WHERE e IS NULL AND ln_bound < ln(1e300)) AS errors_below_bound,
       count(*) FILTER (WHERE e < 0 OR (e > 0 AND ln(e) > ln_bound + 1e-12)) AS wrong_values
FROM pn_grid;

-- any split of the rows gives the same fit, bit for bit
CREATE TABLE pn_rows AS SELECT b.i, h.frequency, h.recency, h.age + (b.i % 2) AS age
FROM generate_series(1, 3000) b(i) JOIN pn_hist h ON h.i = (b.i % 300) + 1;
CREATE TABLE pn_serial AS SELECT pareto_nbd_fit(frequency, recency, age ORDER BY i) AS f FROM pn_rows;
\i test/parallel_plans.sql
SELECT (SELECT pareto_nbd_fit(frequency, recency, age) FROM pn_rows) = f AS parallel_result_equals_serial,
       (f).converged, (f).clients
FROM pn_serial;
CREATE TABLE pn_part (i int, frequency float8, recency float8, age float8) PARTITION BY HASH (i);
CREATE TABLE pn_part_0 PARTITION OF pn_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE pn_part_1 PARTITION OF pn_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE pn_part_2 PARTITION OF pn_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO pn_part SELECT * FROM pn_rows;
ANALYZE pn_part;
SET enable_partitionwise_aggregate = on;
SELECT (SELECT pareto_nbd_fit(frequency, recency, age) FROM pn_part) = f AS partitionwise_result_equals_serial FROM pn_serial;
RESET ALL;
DROP TABLE pn_hist, pn_fit, pn_rows, pn_serial, pn_part;
