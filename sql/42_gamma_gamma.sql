-- 42_gamma_gamma: the Gamma-Gamma spend model.
SET extra_float_digits = 0;

-- 1,000 clients simulated with spend parameters (p, q, v) = (6, 4, 15)
-- (test/clv/simulate.sql)
\i test/clv/simulate.sql
CREATE TABLE gg_hist AS
SELECT client AS i, frequency, monetary
FROM pg_temp.clv_simulate(1000, 1, 4, 1.2, 4, 6, 4, 15, 52, 3);
SELECT count(*), count(*) FILTER (WHERE frequency > 0) AS repeat_buyers,
       round(avg(monetary) FILTER (WHERE frequency > 0)::numeric, 2) AS mean_spend FROM gg_hist;

-- ln Gamma by Stirling's series after shifting the argument past 15, in
-- plain SQL (PostgreSQL 15 has no lgamma): an independent implementation
CREATE FUNCTION pg_temp.lgam(z float8) RETURNS float8 LANGUAGE sql AS $$
SELECT (w - 0.5) * ln(w) - w + 0.5 * ln(2 * pi())
       + 1 / (12 * w) - 1 / (360 * w ^ 3) + 1 / (1260 * w ^ 5) - 1 / (1680 * w ^ 7)
       - (SELECT coalesce(sum(ln(z + k)), 0) FROM generate_series(0, n - 1) k)
FROM (SELECT greatest(0, 16 - floor(z))::int AS n) s, LATERAL (SELECT z + n AS w) t $$;
SELECT abs(pg_temp.lgam(0.5) - ln(sqrt(pi()))) < 1e-13 AS half, abs(pg_temp.lgam(10) - ln(362880)) < 1e-12 AS ten;
-- the log-likelihood of the note's equation (3), summed in plain SQL
CREATE FUNCTION pg_temp.gg_ll(p float8, q float8, v float8) RETURNS float8 LANGUAGE sql AS $$
SELECT sum(pg_temp.lgam(p * frequency + q) - pg_temp.lgam(p * frequency) - pg_temp.lgam(q) + q * ln(v)
           + (p * frequency - 1) * ln(monetary) + p * frequency * ln(frequency)
           - (p * frequency + q) * ln(frequency * monetary + v))
FROM gg_hist WHERE frequency > 0 $$;

CREATE TABLE gg_fit AS SELECT (gamma_gamma_fit(frequency, monetary)).* FROM gg_hist;
SELECT clients, converged FROM gg_fit;
SELECT abs(log_likelihood / pg_temp.gg_ll(p, q, v) - 1) < 1e-12 AS log_likelihood_ok FROM gg_fit;
SELECT bool_and(pg_temp.gg_ll(p * (1 + d1), q * (1 + d2), v * (1 + d3)) < log_likelihood) AS is_maximum
FROM gg_fit, (VALUES (0.001, 0, 0), (-0.001, 0, 0), (0, 0.001, 0), (0, -0.001, 0), (0, 0, 0.001), (0, 0, -0.001),
                     (0.001, 0.001, 0.001), (-0.001, -0.001, -0.001)) v(d1, d2, d3);

-- frequency 0 rows and NULLs are skipped; no rows gives NULL
SELECT (gamma_gamma_fit(frequency, monetary)).clients FROM
  (SELECT frequency, monetary FROM gg_hist UNION ALL VALUES (NULL, 1), (1, NULL), (0, 0)) u;
SELECT gamma_gamma_fit(frequency, monetary) IS NULL AS is_null FROM gg_hist WHERE frequency = 0;
SELECT gamma_gamma_fit(2, 0);
SELECT gamma_gamma_fit(2, -5);
SELECT gamma_gamma_fit(-1, 5);
SELECT gamma_gamma_fit(2, 'Infinity');

-- expected value by hand, (p, q, v) = (6, 4, 15):
--   x = 2, m = 20:  p (v + x m) / (p x + q - 1) = 6 * 55 / 15 = 22
--   x = 0:          p v / (q - 1) = 90 / 3 = 30
--   x = 100, m = 7: 6 * 715 / 603 = 7.114427860696517
SELECT gamma_gamma_expected_value(ROW(6, 4, 15, NULL, NULL, NULL)::gamma_gamma, 2, 20) AS x2,
       gamma_gamma_expected_value(ROW(6, 4, 15, NULL, NULL, NULL)::gamma_gamma, 0, 0) AS x0,
       abs(gamma_gamma_expected_value(ROW(6, 4, 15, NULL, NULL, NULL)::gamma_gamma, 100, 7) - 4290 / 603.0) < 1e-12 AS x100;
-- the CDNOW values of the lifetimes documentation, (p, q, v) = (6.248802,
-- 3.744588, 15.447748): 24.658619, 18.911489, 35.170981
SELECT round(gamma_gamma_expected_value(g, 2, 22.35)::numeric, 4) AS c1,
       round(gamma_gamma_expected_value(g, 1, 11.77)::numeric, 4) AS c2,
       round(gamma_gamma_expected_value(g, 0, 0)::numeric, 4) AS c3
FROM (SELECT ROW(6.248802, 3.744588, 15.447748, NULL, NULL, NULL)::gamma_gamma AS g) s;
SELECT gamma_gamma_expected_value(ROW(6, 0.5, 15, NULL, NULL, NULL)::gamma_gamma, 0, 0);
SELECT gamma_gamma_expected_value(ROW(6, 0, 15, NULL, NULL, NULL)::gamma_gamma, 1, 10);
SELECT gamma_gamma_expected_value(ROW(6, 4, 15, NULL, NULL, NULL)::gamma_gamma, 1, 0);

-- The expected value without overflow or cancellation where it is
-- representable: p = 1e308 with p v = 1e8 (a client's own mean, 10, weighs
-- all: 10 + 1e8 / 2e308 = 10); p x + q - 1 small: p (v + x m) / (p x + q - 1)
-- = 1e-10 * 25 / (2e-10 + (q - 1)), with q - 1 taken in float8 (exact there)
-- from the double nearest 1 - 1e-11; and never negative
-- over a grid of extreme models (an error only for q <= 1 - p x, 22023, or
-- a value beyond double precision, 22003)
SELECT gamma_gamma_expected_value(ROW(1e308, 2, 1e-300, NULL, NULL, NULL)::gamma_gamma, 2, 10) = 10 AS own_mean,
       abs(gamma_gamma_expected_value(ROW(1e-10, 1 - 1e-11, 5, NULL, NULL, NULL)::gamma_gamma, 2, 10)
           / (1e-10 * 25 / (2e-10 + ((1 - 1e-11)::float8 - 1)::numeric)) - 1) < 1e-12 AS small_denominator;
CREATE FUNCTION pg_temp.try_value(g gamma_gamma, x float8, m float8) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN gamma_gamma_expected_value(g, x, m)::text;
EXCEPTION WHEN invalid_parameter_value OR numeric_value_out_of_range THEN
    RETURN SQLSTATE;
END $$;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE v = '22023') AS q_too_small,
       count(*) FILTER (WHERE v = '22003') AS out_of_range,
       count(*) FILTER (WHERE v NOT IN ('22023', '22003') AND NOT v::float8 >= 0) AS negative_or_nan,
       count(*) FILTER (WHERE v = '22023' AND p * x + q > 1.0000001) AS wrongly_refused,
       -- 22003 only where the value, in numeric, is beyond double precision
       count(*) FILTER (WHERE v = '22003' AND exact < 1.7e308) AS wrongly_out_of_range
FROM (SELECT p, q, x, pg_temp.try_value(ROW(p, q, v, NULL, NULL, NULL)::gamma_gamma, x, m) AS v,
             CASE WHEN p::numeric * x + q::numeric - 1 > 0
                  THEN p::numeric * (v::numeric + x * m::numeric) / (p::numeric * x + q::numeric - 1) END AS exact
      FROM unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) p,
           unnest(ARRAY[1e-300, 0.5, 1 + 1e-12, 2, 1e300]::float8[]) q,
           unnest(ARRAY[1e-300, 1, 1e300]::float8[]) v,
           (VALUES (0, 0), (1, 1e-300), (3, 25), (1000, 1e300)) h(x, m)) s;

-- A fit that does not converge says so: spends that vary across clients but
-- not with their number of transactions (the same spread for 1 and for 7
-- transactions: no variation between a client's transactions) run p to
-- infinity, where each client's expected value is its own mean spend.
CREATE TABLE gg_flat AS SELECT 1 + i % 7 AS frequency, 100 / (0.5 + (i * 7919 % 1000) / 1000.0) AS monetary
FROM generate_series(1, 500) i;
SELECT p > 1e6 AS p_large, converged,
       abs(gamma_gamma_expected_value(ROW(p, q, v, NULL, NULL, NULL)::gamma_gamma, 3, 80) / 80 - 1) < 1e-6 AS own_mean
FROM (SELECT (gamma_gamma_fit(frequency, monetary)).* FROM gg_flat) f;
DROP TABLE gg_flat;

-- any split of the rows gives the same fit, bit for bit
CREATE TABLE gg_rows AS SELECT b.i, h.frequency, h.monetary * (1 + (b.i % 5) / 10.0) AS monetary
FROM generate_series(1, 20000) b(i) JOIN gg_hist h ON h.i = (b.i % 1000) + 1;
CREATE TABLE gg_serial AS SELECT gamma_gamma_fit(frequency, monetary ORDER BY i) AS f FROM gg_rows;
\i test/parallel_plans.sql
SELECT (SELECT gamma_gamma_fit(frequency, monetary) FROM gg_rows) = f AS parallel_result_equals_serial,
       (f).converged, (f).clients
FROM gg_serial;
CREATE TABLE gg_part (i int, frequency float8, monetary float8) PARTITION BY HASH (i);
CREATE TABLE gg_part_0 PARTITION OF gg_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE gg_part_1 PARTITION OF gg_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE gg_part_2 PARTITION OF gg_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO gg_part SELECT * FROM gg_rows;
ANALYZE gg_part;
SET enable_partitionwise_aggregate = on;
SELECT (SELECT gamma_gamma_fit(frequency, monetary) FROM gg_part) = f AS partitionwise_result_equals_serial FROM gg_serial;
RESET ALL;
DROP TABLE gg_hist, gg_fit, gg_rows, gg_serial, gg_part;
