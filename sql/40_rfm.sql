-- 40_rfm: the rfm aggregate (the per-client summary of the CLV models).
SET extra_float_digits = 0;

-- Client 1: purchases on 2024-01-01 (two rows: 10.00 + 5.50), 2024-01-08
-- (20.00) and 2024-01-22 (two rows: 4.25 + 0.75); as_of 2024-01-29, unit a
-- week.  By hand: 3 purchase days, frequency 2; recency = 21 days = 3 weeks;
-- age = 28 days = 4 weeks; monetary = (20.00 + 5.00) / 2 = 12.50.
-- Client 2: one day only (two rows): frequency 0, recency 0, monetary 0,
-- age = (2024-01-29 - 2024-01-15) / 7 = 2.
-- Client 3: rows in reverse date order, so the first day arrives last:
-- 2024-01-28 (7.00), 2024-01-10 (3.00), 2024-01-03 (100.00): frequency 2,
-- recency 25/7, age 26/7, monetary (7 + 3) / 2 = 5.
CREATE TABLE rfm_tx (client int, seq int, purchased_on date, amount numeric);
INSERT INTO rfm_tx VALUES
  (1, 1, '2024-01-01', 10.00), (1, 2, '2024-01-01', 5.50), (1, 3, '2024-01-08', 20.00),
  (1, 4, '2024-01-22', 4.25), (1, 5, '2024-01-22', 0.75),
  (2, 1, '2024-01-15', 1.10), (2, 2, '2024-01-15', 2.205),
  (3, 1, '2024-01-28', 7.00), (3, 2, '2024-01-10', 3.00), (3, 3, '2024-01-03', 100.00),
  (4, 1, NULL, 1.00), (4, 2, '2024-01-05', NULL);

SELECT client, (rfm(purchased_on, amount, date '2024-01-29', '7 days' ORDER BY seq)).*
FROM rfm_tx GROUP BY client ORDER BY client;
SELECT client, (r).recency = 25 / 7.0 AS recency_ok, (r).age = 26 / 7.0 AS age_ok
FROM (SELECT client, rfm(purchased_on, amount, date '2024-01-29', '7 days') AS r
      FROM rfm_tx WHERE client = 3 GROUP BY client) s;

-- unit in days, and in months (30.4375 days, as extract(epoch) counts them)
SELECT (rfm(purchased_on, amount, date '2024-01-29', '1 day')).*
FROM rfm_tx WHERE client = 1;
SELECT (r).recency = 21 / 30.4375 AS recency_ok, (r).age = 28 / 30.4375 AS age_ok
FROM (SELECT rfm(purchased_on, amount, date '2024-01-29', '1 month') AS r FROM rfm_tx WHERE client = 1) s;

-- zero rows, all-NULL rows: NULL, as sum() gives
SELECT rfm(purchased_on, amount, date '2024-01-29', '7 days') IS NULL AS is_null FROM rfm_tx WHERE false;
SELECT rfm(purchased_on, amount, date '2024-01-29', '7 days') IS NULL AS is_null FROM rfm_tx WHERE client = 4;

-- timestamptz: days are calendar days in the session time zone.  The two
-- purchases are 2024-01-01 23:30 and 2024-01-02 00:30 in UTC (two days,
-- frequency 1), but the same day 2024-01-01 in New York (frequency 0).
CREATE TABLE rfm_ts (client int, purchased_at timestamptz, amount numeric);
INSERT INTO rfm_ts VALUES (1, '2024-01-01 23:30:00+00', 10), (1, '2024-01-02 00:30:00+00', 30);
SET TimeZone = 'UTC';
SELECT (rfm(purchased_at, amount, timestamptz '2024-01-15 12:00:00+00', '1 day')).* FROM rfm_ts;
SET TimeZone = 'America/New_York';
SELECT (rfm(purchased_at, amount, timestamptz '2024-01-15 12:00:00+00', '1 day')).* FROM rfm_ts;
RESET TimeZone;

-- errors
SELECT rfm(purchased_on, amount, date '2024-01-20', '7 days') FROM rfm_tx WHERE client = 1;
SELECT rfm(purchased_at, amount, timestamptz '2024-01-02 00:00:00+00', '1 day') FROM rfm_ts;
SELECT rfm(purchased_on, amount, date '2024-01-29', '0 days') FROM rfm_tx WHERE client = 1;
SELECT rfm(purchased_on, amount, date '2024-01-29', '-7 days') FROM rfm_tx WHERE client = 1;
SELECT rfm(purchased_on, amount, NULL::date, '7 days') FROM rfm_tx WHERE client = 1;
SELECT rfm(purchased_on, amount, date '2024-01-29', NULL) FROM rfm_tx WHERE client = 1;
SELECT rfm(purchased_on, amount, date '2024-01-29' + seq, '7 days') FROM rfm_tx WHERE client = 1;
SELECT rfm(purchased_on, amount, date '2024-01-29', make_interval(days => 6 + seq)) FROM rfm_tx WHERE client = 1;
SELECT rfm(d, 'NaN'::numeric, date '2024-01-29', '7 days') FROM (VALUES (date '2024-01-01')) v(d);
SELECT rfm(d, 'Infinity'::numeric, date '2024-01-29', '7 days') FROM (VALUES (date '2024-01-01')) v(d);
SELECT rfm(d, 1, date '2024-01-29', '7 days') FROM (VALUES (date '-infinity')) v(d);

-- the order of the rows does not change the summary: one client with
-- 5,000 distinct purchase days, 12,000 rows (each day two or three times),
-- aggregated in five orders, newest first among them, against plain SQL
CREATE TABLE rfm_order AS
SELECT k, date '2000-01-01' + (k * 7919 % 5000) AS day, (k % 97) + 0.5 AS amount
FROM generate_series(1, 12000) k;
SELECT o.name, (o.r).frequency = p.frequency AS frequency_ok, (o.r).recency = p.recency AS recency_ok,
       (o.r).age = p.age AS age_ok, (o.r).monetary = p.monetary AS monetary_ok,
       (o.r).first_purchase = p.first_day AND (o.r).last_purchase = p.last_day AS days_ok
FROM (VALUES
        ('rows in k order', (SELECT rfm(day, amount, date '2020-01-01', '7 days' ORDER BY k) FROM rfm_order)),
        ('newest first', (SELECT rfm(day, amount, date '2020-01-01', '7 days' ORDER BY day DESC, k) FROM rfm_order)),
        ('oldest first', (SELECT rfm(day, amount, date '2020-01-01', '7 days' ORDER BY day, k) FROM rfm_order)),
        ('rows in reverse k order', (SELECT rfm(day, amount, date '2020-01-01', '7 days' ORDER BY k DESC) FROM rfm_order)),
        ('scattered', (SELECT rfm(day, amount, date '2020-01-01', '7 days' ORDER BY hashint4(k)) FROM rfm_order))
     ) o(name, r),
     (SELECT count(DISTINCT day)::int - 1 AS frequency,
             (max(day) - min(day)) / 7.0::float8 AS recency,
             (date '2020-01-01' - min(day)) / 7.0::float8 AS age,
             (sum(amount) - sum(amount) FILTER (WHERE day = (SELECT min(day) FROM rfm_order)))
                 / (count(DISTINCT day) - 1) AS monetary,
             min(day) AS first_day, max(day) AS last_day
      FROM rfm_order) p;

-- any split of the rows gives the same summary: 6,000 clients, 60,000
-- rows with repeated days, aggregated serially, with parallel workers and
-- partitionwise (the partitions split each client's rows by row number)
CREATE TABLE rfm_big AS
SELECT i, 1 + i % 6000 AS client,
       date '2024-01-01' + (abs(hashint8(i)) % 200)::int AS purchased_on,
       round((abs(hashint8(i + 7)) % 100000) / 100.0, 2) AS amount
FROM generate_series(1, 60000) i;
CREATE TABLE rfm_serial AS
SELECT client, rfm(purchased_on, amount, date '2024-07-31', '7 days') AS r FROM rfm_big GROUP BY client;
-- plain SQL computing the same summary
SELECT count(*) AS clients,
       bool_and((s.r).frequency = p.frequency AND (s.r).recency = p.recency
                AND (s.r).age = p.age AND (s.r).monetary = p.monetary
                AND (s.r).first_purchase = p.first_day AND (s.r).last_purchase = p.last_day) AS same_as_plain_sql
FROM rfm_serial s JOIN (
    SELECT client, count(*)::int - 1 AS frequency,
           (max(day) - min(day)) / 7.0::float8 AS recency,
           (date '2024-07-31' - min(day)) / 7.0::float8 AS age,
           CASE WHEN count(*) > 1
                THEN (sum(total) - sum(total) FILTER (WHERE rn = 1)) / (count(*) - 1) ELSE 0 END AS monetary,
           min(day) AS first_day, max(day) AS last_day
    FROM (SELECT client, purchased_on AS day, sum(amount) AS total,
                 row_number() OVER (PARTITION BY client ORDER BY purchased_on) AS rn
          FROM rfm_big GROUP BY client, purchased_on) d
    GROUP BY client) p ON p.client = s.client;

\i test/parallel_plans.sql
SET enable_hashagg = off;
SELECT count(*) = 6000 AND bool_and(p.r = s.r) AS parallel_result_equals_serial
FROM (SELECT client, rfm(purchased_on, amount, date '2024-07-31', '7 days') AS r FROM rfm_big GROUP BY client) p
JOIN rfm_serial s USING (client);
-- one group over everything, split between workers
SELECT (SELECT rfm(purchased_on, amount, date '2024-07-31', '7 days') FROM rfm_big)
     = (SELECT rfm(purchased_on, amount, date '2024-07-31', '7 days' ORDER BY i) FROM rfm_big)
       AS parallel_result_equals_serial;
RESET enable_hashagg;

CREATE TABLE rfm_part (i int, client int, purchased_on date, amount numeric) PARTITION BY HASH (i);
CREATE TABLE rfm_part_0 PARTITION OF rfm_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE rfm_part_1 PARTITION OF rfm_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE rfm_part_2 PARTITION OF rfm_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO rfm_part SELECT * FROM rfm_big;
ANALYZE rfm_part;
SET enable_partitionwise_aggregate = on;
SELECT (SELECT rfm(purchased_on, amount, date '2024-07-31', '7 days') FROM rfm_part)
     = (SELECT rfm(purchased_on, amount, date '2024-07-31', '7 days' ORDER BY i) FROM rfm_big)
       AS partitionwise_result_equals_serial;
SELECT count(*) = 6000 AND bool_and(p.r = s.r) AS partitionwise_result_equals_serial
FROM (SELECT client, rfm(purchased_on, amount, date '2024-07-31', '7 days') AS r FROM rfm_part GROUP BY client) p
JOIN rfm_serial s USING (client);
RESET ALL;
DROP TABLE rfm_tx, rfm_ts, rfm_order, rfm_big, rfm_serial, rfm_part;
