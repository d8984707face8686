-- 32_cohort_simulation: cohort_ltv recovers a known churn and lifetime value
-- from simulated, right-censored data.
--
-- 200,000 clients, acquired uniformly over 60 months; each stays an
-- exponential lifetime whose hazard is -ln(0.95) per month, so that exactly
-- 5% of the clients present at the start of a month leave during it
-- (retention 0.95 per month); profit accrues at 20 per month on average
-- (each client's rate is 20 x a uniform factor in (0.5, 1.5)).  The data end
-- at month 60: a client still there has a censored tenure (60 - acquired)
-- and churned = false.  Draws are hashint8 of the client number and a salt
-- (no random()), so the data are the same on every machine.
--
-- True values: churn_rate 0.05, retention 0.95, expected_tenure
-- 1 / 0.05 = 20 months, margin 20, ltv 20 / 0.05 = 400 (no discount) and
-- 20 / (0.05 + 0.01) = 333.33 (discount 1% a month).  Expected precision:
-- about 138,000 clients churn, so lambda's relative standard error is
-- 1 / sqrt(138000) = 0.27%; every estimate must be within 2%.
CREATE TEMP TABLE sim AS
SELECT c,
       least(lifetime, 60 - acquired) AS tenure,
       lifetime < 60 - acquired AS churned,
       round((20 * (0.5 + u3) * least(lifetime, 60 - acquired))::numeric, 2) AS profit
FROM (
    SELECT c,
           60 * u1 AS acquired,
           -ln(u2) / -ln(0.95) AS lifetime,
           u3
    FROM (
        SELECT c,
               ((hashint8(c * 1000003 + 1)::bigint + 2147483648) + 0.5) / 4294967296.0 AS u1,
               ((hashint8(c * 1000003 + 2)::bigint + 2147483648) + 0.5) / 4294967296.0 AS u2,
               ((hashint8(c * 1000003 + 3)::bigint + 2147483648) + 0.5) / 4294967296.0 AS u3
        FROM generate_series(1::bigint, 200000) AS c
    ) draws
) s;

SELECT count(*) AS clients, count(*) FILTER (WHERE churned) AS churned,
       round(avg(tenure)::numeric, 2) AS mean_observed_tenure
FROM sim;

-- the estimates against the maximum-likelihood formulas in plain SQL
-- (lambda = churned / exposure; to 1e-10, the rounding of two different
-- sums of 200,000 tenures), then against the true values
SELECT abs(v.churn_rate / (1 - exp(-m.lambda)) - 1) < 1e-10 AS churn_rate_is_mle,
       abs(v.retention / exp(-m.lambda) - 1) < 1e-10 AS retention_is_mle,
       abs(v.expected_tenure * (1 - exp(-m.lambda)) - 1) < 1e-10 AS tenure_is_mle,
       abs(v.margin / (m.profit / m.exposure::numeric) - 1) < 1e-10 AS margin_is_mle,
       abs(v.ltv / (m.profit / m.exposure::numeric / (1 - exp(-m.lambda))::numeric) - 1) < 1e-10 AS ltv_is_mle,
       abs(d.ltv / (m.profit / m.exposure::numeric / ((1 - exp(-m.lambda)) + 0.01)::numeric) - 1) < 1e-10
         AS discounted_ltv_is_mle,
       abs(v.churn_rate / 0.05 - 1) < 0.02 AS churn_within_2pct,
       abs(v.retention / 0.95 - 1) < 0.02 AS retention_within_2pct,
       abs(v.expected_tenure / 20 - 1) < 0.02 AS tenure_within_2pct,
       abs(v.margin / 20 - 1) < 0.02 AS margin_within_2pct,
       abs(v.ltv / 400 - 1) < 0.02 AS ltv_within_2pct,
       abs(d.ltv / (20 / 0.06) - 1) < 0.02 AS discounted_ltv_within_2pct
FROM (SELECT (cohort_ltv(profit, tenure, churned)).* FROM sim) v,
     (SELECT (cohort_ltv(profit, tenure, churned, 0.01)).* FROM sim) d,
     (SELECT count(*) FILTER (WHERE churned) / sum(tenure) AS lambda, sum(tenure) AS exposure,
             sum(profit) AS profit FROM sim) m;

-- Naive estimates that ignore censoring are far off, which is the point of
-- the estimator: the share of clients that churned says nothing per month,
-- and 1 / (mean tenure of the churned clients) overstates churn, because
-- only the clients that left early could be seen leaving.
SELECT round((count(*) FILTER (WHERE churned))::numeric / count(*), 3) AS naive_churn_share,
       round((1 / avg(tenure) FILTER (WHERE churned))::numeric, 4) AS naive_churn_rate,
       abs(1 / avg(tenure) FILTER (WHERE churned) / 0.05 - 1) < 0.02 AS naive_within_2pct
FROM sim;
