-- 43_clv: customer lifetime value from BG/NBD and Gamma-Gamma.
SET extra_float_digits = 0;
CREATE TABLE clv_models AS
SELECT ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd AS b,
       ROW(6.25, 3.74, 15.44, NULL, NULL, NULL)::gamma_gamma AS g;

-- one month, no discount: E[Y(u)] x E(M), u = 4.345 weeks
SELECT abs(clv(b, g, 2, 30.43, 38.86, 22.35, 1, 0, 4.345)
           / (bgnbd_expected_purchases(b, 4.345, 2, 30.43, 38.86) * gamma_gamma_expected_value(g, 2, 22.35)) - 1) < 1e-12 AS one_month
FROM clv_models;
-- twelve months at 1% a month: the discounted sum of the monthly
-- increments of the expected purchases, in plain SQL
SELECT x, tx, bigt, m,
       abs(clv(b, g, x, tx, bigt, m, 12, 0.01, 4.345)
           / (SELECT sum((bgnbd_expected_purchases(b, i * 4.345, x, tx, bigt)
                          - bgnbd_expected_purchases(b, (i - 1) * 4.345, x, tx, bigt)) / 1.01 ^ i)
              * gamma_gamma_expected_value(g, x, m)
              FROM generate_series(1, 12) i) - 1) < 1e-12 AS twelve_months
FROM clv_models, (VALUES (0, 0, 38.86, 0), (1, 1.71, 38.86, 11.77), (2, 30.43, 38.86, 22.35), (60, 38, 38.86, 40)) v(x, tx, bigt, m)
ORDER BY x;
-- the lifetimes documentation's CDNOW example (customer_lifetime_value with
-- time = 12 and discount_rate = 0.01 on the summary in weeks, with its
-- default freq 'D', i.e. 30 time units per month): 140.096211, 18.943467,
-- 38.180574 for customers 1, 2 and 3
SELECT round(clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 30)::numeric, 3) AS c1,
       round(clv(b, g, 1, 1.71, 38.86, 11.77, 12, 0.01, 30)::numeric, 3) AS c2,
       round(clv(b, g, 0, 0, 38.86, 0, 12, 0.01, 30)::numeric, 3) AS c3
FROM (SELECT ROW(0.242593, 4.413532, 0.792886, 2.425752, NULL, NULL, NULL)::bgnbd AS b,
             ROW(6.248802, 3.744588, 15.447748, NULL, NULL, NULL)::gamma_gamma AS g) s;
-- no horizon, a NULL argument
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 0, 0.01, 4.345) AS no_horizon,
       clv(b, g, 2, NULL, 38.86, 22.35, 12, 0.01, 4.345) AS null_is_null
FROM clv_models;
-- discounting lowers the value; a longer horizon raises it
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.02, 4.345) < clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS discount_lowers,
       clv(b, g, 2, 30.43, 38.86, 22.35, 24, 0.01, 4.345) > clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS horizon_raises
FROM clv_models;
-- bad arguments
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, -1, 0.01, 4.345) FROM clv_models;
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 12, -0.01, 4.345) FROM clv_models;
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 12, 'NaN', 4.345) FROM clv_models;
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 0) FROM clv_models;
SELECT clv(b, g, 2, 40, 38.86, 22.35, 12, 0.01, 4.345) FROM clv_models;
SELECT clv(b, g, 2, 30.43, 38.86, 0, 12, 0.01, 4.345) FROM clv_models;
SELECT clv(b, ROW(6.25, 0.9, 15.44, NULL, NULL, NULL)::gamma_gamma, 0, 0, 38.86, 0, 12, 0.01, 4.345) FROM clv_models;
DROP TABLE clv_models;
