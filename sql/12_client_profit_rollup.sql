-- 12_client_profit_rollup: re-aggregation of profit values, moving windows,
-- parallel and partitionwise aggregation.  Each check compares cprof with
-- a recomputation from the raw rows and prints a boolean or a count of
-- differing rows.

CREATE TABLE ledger AS
SELECT i AS entry_id,
       1 + (i * 7) % 23 AS client_id,
       date '2023-01-01' + (i * 37) % 730 AS booked_on,
       (ARRAY['revenue', 'revenue', 'revenue', 'discount', 'cogs', 'service', 'sales', 'commission',
              'quality', 'acquisition', 'bad_debt', 'referral'])[1 + (i * 5) % 12] AS kind,
       (CASE WHEN i % 17 = 0 THEN -1 ELSE 1 END
        * ((i * 7919) % 100000) / power(10, 1 + i % 3))::numeric AS amount
FROM generate_series(1, 12000) i;
ANALYZE ledger;

-- Monthly P&L per client, as a materialized view a nightly job refreshes
CREATE MATERIALIZED VIEW monthly_profit AS
SELECT client_id, date_trunc('month', booked_on)::date AS month,
       client_profit(amount, kind) AS p
FROM ledger GROUP BY client_id, date_trunc('month', booked_on);
REFRESH MATERIALIZED VIEW monthly_profit;

-- yearly roll-up from the monthly results equals the yearly result from the
-- raw ledger: every field, margin and entries included, and the text form
-- (so display scales too)
WITH rolled AS (
    SELECT client_id, date_trunc('year', month)::date AS year, client_profit(p) AS p
    FROM monthly_profit GROUP BY 1, 2),
direct AS (
    SELECT client_id, date_trunc('year', booked_on)::date AS year, client_profit(amount, kind) AS p
    FROM ledger GROUP BY 1, 2)
SELECT count(*) AS client_years,
       count(*) FILTER (WHERE r.p::text IS DISTINCT FROM d.p::text) AS differing
FROM rolled r FULL JOIN direct d USING (client_id, year);
-- the company total, rolled up from client-months, with (x).* expansion
SELECT (client_profit(p)).* FROM monthly_profit;
SELECT (client_profit(amount, kind)).* FROM ledger;
-- NULL profit values (empty groups) are skipped; none at all gives NULL
SELECT client_profit(p) IS NULL AS all_null FROM (VALUES (NULL::profit), (NULL)) v(p);
SELECT (client_profit(p)).entries
FROM (SELECT p FROM monthly_profit UNION ALL SELECT NULL) s;

-- Moving windows: the trailing 12 entries of each client, computed with the
-- inverse transition function, against each frame recomputed from scratch
CREATE TABLE frames AS
SELECT l.entry_id, l.client_id, l.booked_on,
       client_profit(amount, kind) OVER w AS p,
       client_profit(amount, CASE WHEN kind = 'revenue' THEN 0 ELSE amount END) OVER w AS net,
       client_profit(amount::float8, CASE WHEN kind = 'revenue' THEN 0 ELSE amount::float8 END) OVER w AS net_f,
       client_profit((amount * 10)::bigint, kind) OVER w AS p_int
FROM ledger l
WINDOW w AS (PARTITION BY client_id ORDER BY booked_on, entry_id ROWS 11 PRECEDING);
CREATE TABLE recomputed AS
SELECT l.entry_id, x.*
FROM ledger l
CROSS JOIN LATERAL (
    SELECT client_profit(amount, kind) AS p,
           client_profit(amount, CASE WHEN kind = 'revenue' THEN 0 ELSE amount END) AS net,
           client_profit(amount::float8, CASE WHEN kind = 'revenue' THEN 0 ELSE amount::float8 END) AS net_f,
           client_profit((amount * 10)::bigint, kind) AS p_int
    FROM (SELECT * FROM ledger f
          WHERE f.client_id = l.client_id AND (f.booked_on, f.entry_id) <= (l.booked_on, l.entry_id)
          ORDER BY f.booked_on DESC, f.entry_id DESC LIMIT 12) frame) x;
SELECT count(*) AS frames,
       count(*) FILTER (WHERE f.p::text IS DISTINCT FROM r.p::text) AS ledger_differs,
       count(*) FILTER (WHERE f.net::text IS DISTINCT FROM r.net::text) AS net_differs,
       count(*) FILTER (WHERE abs(f.net_f - r.net_f) > 1e-9 * greatest(1, abs(r.net_f))) AS float_differs,
       count(*) FILTER (WHERE f.p_int::text IS DISTINCT FROM r.p_int::text) AS integer_differs
FROM frames f JOIN recomputed r USING (entry_id);

-- trailing twelve months per client from the monthly view (the roll-up
-- aggregate as a moving window), against a join over the raw ledger
SELECT count(*) AS client_months,
       count(*) FILTER (WHERE t.ttm::text IS DISTINCT FROM d.ttm::text) AS differing
FROM (SELECT client_id, month,
             client_profit(p) OVER (PARTITION BY client_id ORDER BY month
                                    RANGE BETWEEN '11 months' PRECEDING AND CURRENT ROW) AS ttm
      FROM monthly_profit) t
JOIN (SELECT m.client_id, m.month, client_profit(l.amount, l.kind) AS ttm
      FROM monthly_profit m
      JOIN ledger l ON l.client_id = m.client_id
                   AND l.booked_on >= m.month - interval '11 months'
                   AND l.booked_on < m.month + interval '1 month'
      GROUP BY m.client_id, m.month) d USING (client_id, month);

-- A frame whose only value at the largest display scale leaves: the inverse
-- cannot lower the scale, so the frame is recomputed (same as sum()).
SELECT x, client_profit(x, 0) OVER w AS cprof, sum(x) OVER w AS plain
FROM (VALUES (1, 1.5), (2, 2.125), (3, 3), (4, 4.25), (5, 5)) v(i, x)
WINDOW w AS (ORDER BY i ROWS 1 PRECEDING)
ORDER BY i;

-- Serial results, kept to compare the parallel and partitionwise runs with
CREATE TABLE serial AS
SELECT client_id, client_profit(amount, kind)::text AS p,
       client_profit(amount, amount / 3)::text AS net,
       client_profit(amount::float8, (amount / 3)::float8) AS net_f,
       client_profit((amount * 10)::int, kind)::text AS p_int
FROM ledger GROUP BY client_id;

\i test/parallel_plans.sql
SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.p IS DISTINCT FROM x.p OR s.net IS DISTINCT FROM x.net
                        OR s.net_f IS DISTINCT FROM x.net_f OR s.p_int IS DISTINCT FROM x.p_int) AS parallel_differs
FROM serial s
FULL JOIN (SELECT client_id, client_profit(amount, kind)::text AS p,
                  client_profit(amount, amount / 3)::text AS net,
                  client_profit(amount::float8, (amount / 3)::float8) AS net_f,
                  client_profit((amount * 10)::int, kind)::text AS p_int
           FROM ledger GROUP BY client_id) x USING (client_id);
SET enable_hashagg = off;
SELECT count(*) FILTER (WHERE s.p IS DISTINCT FROM x.p) AS parallel_sorted_differs
FROM serial s
FULL JOIN (SELECT client_id, client_profit(amount, kind)::text AS p
           FROM ledger GROUP BY client_id) x USING (client_id);
RESET enable_hashagg;
-- the whole table in one group, and the roll-up in parallel
SELECT client_profit(amount, kind)::text = (SELECT client_profit(p)::text FROM monthly_profit) AS parallel_total_equals_rollup
FROM ledger;

-- Partitionwise aggregation: GROUP BY a column that is not the partition
-- key aggregates each partition partially and combines the states
CREATE TABLE pledger (LIKE ledger) PARTITION BY HASH (entry_id);
CREATE TABLE pledger_0 PARTITION OF pledger FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE pledger_1 PARTITION OF pledger FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE pledger_2 PARTITION OF pledger FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE pledger_3 PARTITION OF pledger FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO pledger SELECT * FROM ledger;
ANALYZE pledger;
SET enable_partitionwise_aggregate = on;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.p IS DISTINCT FROM x.p OR s.net IS DISTINCT FROM x.net
                        OR s.net_f IS DISTINCT FROM x.net_f OR s.p_int IS DISTINCT FROM x.p_int) AS partitionwise_differs
FROM serial s
FULL JOIN (SELECT client_id, client_profit(amount, kind)::text AS p,
                  client_profit(amount, amount / 3)::text AS net,
                  client_profit(amount::float8, (amount / 3)::float8) AS net_f,
                  client_profit((amount * 10)::int, kind)::text AS p_int
           FROM pledger GROUP BY client_id) x USING (client_id);
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FILTER (WHERE s.p IS DISTINCT FROM x.p) AS partitionwise_serial_differs
FROM serial s
FULL JOIN (SELECT client_id, client_profit(amount, kind)::text AS p
           FROM pledger GROUP BY client_id) x USING (client_id);
RESET ALL;
