-- 11_client_profit_ledger: client_profit(amount, kind), the P&L waterfall.

-- A small ledger computed by hand:
--   revenue 1000.00 + 250.50 - 50.50 (a refund) = 1200.00
--   discount 100, cogs 400.25            gross_profit = 1200.00 - 100 - 400.25 = 699.75
--   service 50 + sales 30 + commission 20.5 + quality 9.5 = cost_to_serve 110.0
--                                        contribution = 699.75 - 110.0 = 589.75
--   acquisition 75, bad_debt 14.75       net_profit = 589.75 - 75 - 14.75 = 500.00
--   referral 40                          total_value = 540.00
--   margin = 500 / 1200 = 0.4166666666666667; entries = 12 (the NULL amount is skipped)
CREATE TABLE hand_ledger (client text, kind text, amount numeric);
INSERT INTO hand_ledger VALUES
    ('acme', 'revenue', 1000.00), ('acme', 'Revenue', 250.50), ('acme', ' revenue ', -50.50),
    ('acme', 'discount', 100), ('acme', 'COGS', 400.25), ('acme', 'service', 50),
    ('acme', 'sales', 30), ('acme', 'commission', 20.5), ('acme', 'quality', 9.5),
    ('acme', 'acquisition', 75), ('acme', 'Bad_Debt', 14.75), ('acme', 'referral', 40),
    ('acme', 'unknown kinds are not looked at when the amount is NULL', NULL);
SELECT (client_profit(amount, kind)).* FROM hand_ledger;
-- the same through every amount type: double precision, integer types
SELECT (client_profit(amount::float8, kind)).* FROM hand_ledger;
-- rounded to integers: revenue 1000 + 251 - 51 = 1200, cogs 400,
-- cost_to_serve 50 + 30 + 21 + 10 = 111, bad_debt 15,
-- net_profit 1200 - 100 - 400 - 111 - 75 - 15 = 499, margin 499 / 1200
SELECT (client_profit(round(amount)::bigint, kind)).* FROM hand_ledger;
SELECT (client_profit(round(amount)::integer, kind)).revenue,
       (client_profit(round(amount)::smallint, kind)).net_profit
FROM hand_ledger;
-- the result is an ordinary composite: fields by name, and row_to_json
SELECT row_to_json(client_profit(amount, kind)) FROM hand_ledger;

-- zero revenue: margin is undefined (NULL), the rest is computed
SELECT (client_profit(amount, kind)).*
FROM (VALUES (25.00, 'service'), (10, 'referral')) v(amount, kind);
-- revenue that cancels to zero: still NULL margin
SELECT (client_profit(amount, kind)).margin IS NULL AS margin_null
FROM (VALUES (25.00, 'revenue'), (-25, 'revenue')) v(amount, kind);
-- no rows, and only NULL amounts: NULL, as sum() gives
SELECT client_profit(amount, kind) IS NULL AS no_rows FROM hand_ledger WHERE false;
SELECT client_profit(NULL::numeric, kind) IS NULL AS null_amounts FROM hand_ledger;
-- NaN and Infinity amounts flow through the waterfall as numeric arithmetic does
SELECT (client_profit(amount, kind)).*
FROM (VALUES ('Infinity'::numeric, 'revenue'), (10, 'cogs')) v(amount, kind);
SELECT (client_profit(amount, kind)).*
FROM (VALUES ('Infinity'::numeric, 'revenue'), ('Infinity', 'cogs')) v(amount, kind);
SELECT (client_profit(amount, kind)).net_profit
FROM (VALUES ('NaN'::numeric, 'referral'), (10, 'revenue')) v(amount, kind);

-- errors: an unknown kind, a NULL kind next to an amount
SELECT client_profit(amount, kind) FROM (VALUES (1.0, 'revenu')) v(amount, kind);
SELECT client_profit(amount, kind) FROM (VALUES (1.0, 'revenue'), (2.0, NULL)) v(amount, kind);
SELECT client_profit(1::float8, '');

-- A generated ledger: 6,000 entries over 37 clients, every kind, mixed
-- scales, reversals.  Every field checked against plain SQL.
CREATE TABLE gen_ledger AS
SELECT i AS entry_id,
       1 + i % 37 AS client_id,
       date '2023-01-01' + (i % 730) AS booked_on,
       (ARRAY['revenue', 'discount', 'cogs', 'service', 'sales', 'commission',
              'quality', 'acquisition', 'bad_debt', 'referral'])[1 + (i * 7) % 10] AS kind,
       (CASE WHEN i % 13 = 0 THEN -1 ELSE 1 END
        * ((i * 7919) % 100000) / power(10, 2 + i % 2))::numeric AS amount
FROM generate_series(1, 6000) i;
-- more revenue, growing with the client number: low numbers lose money
INSERT INTO gen_ledger
SELECT 6000 + i, 1 + i % 37, date '2023-01-01' + (i % 730), 'revenue',
       round(((i * 104729) % 100000) * (i % 37) / 1500.0, 2)
FROM generate_series(1, 2000) i;

-- the plain SQL P&L (test/plain_pnl.sql, shared with the benchmark), with
-- the correctly rounded margin
\i test/plain_pnl.sql
SELECT pg_temp.plain_pnl('gen_ledger', 'amount', exact => true) AS plain_pnl_query \gset
CREATE VIEW plain_pnl AS :plain_pnl_query;

CREATE VIEW cprof_pnl AS
SELECT client_id, (client_profit(amount, kind)).* FROM gen_ledger GROUP BY client_id;

-- every field of every client equal (EXCEPT both ways: no row differs)
SELECT count(*) AS clients,
       (SELECT count(*) FROM (TABLE cprof_pnl EXCEPT TABLE plain_pnl) d) AS differing_rows,
       (SELECT count(*) FROM (TABLE plain_pnl EXCEPT TABLE cprof_pnl) d) AS missing_rows,
       count(*) FILTER (WHERE net_profit < 0) AS unprofitable
FROM cprof_pnl;
-- the display scale of each money field too (EXCEPT compares values)
SELECT bool_and(scale(c.revenue) = scale(p.revenue) AND scale(c.gross_profit) = scale(p.gross_profit)
                AND scale(c.net_profit) = scale(p.net_profit)
                AND scale(c.total_value) = scale(p.total_value)) AS same_scales
FROM cprof_pnl c JOIN plain_pnl p USING (client_id);
-- a few clients, to see the numbers
SELECT * FROM cprof_pnl WHERE client_id IN (1, 2, 3) ORDER BY client_id;

-- the same with GROUP BY done by sorting instead of hashing
SET enable_hashagg = off;
SELECT (SELECT count(*) FROM (TABLE cprof_pnl EXCEPT TABLE plain_pnl) d) AS differing_rows_sorted;
RESET enable_hashagg;

-- double precision amounts: compensated sums, then numeric; checked against
-- the exact numeric result (the amounts have at most 3 decimals, so the
-- compensated double sum rounds back to the exact one)
SELECT count(*) AS differing_float_rows
FROM (SELECT client_id, (client_profit(amount::float8, kind)).* FROM gen_ledger GROUP BY client_id
      EXCEPT
      SELECT * FROM plain_pnl) d;

-- integer amounts against plain SQL on the same integers
SELECT bool_and(c.net_profit = p.net) AS integer_amounts_match
FROM (SELECT client_id, (client_profit(trunc(amount)::int, kind)).net_profit
      FROM gen_ledger GROUP BY client_id) c
JOIN (SELECT client_id,
             sum(trunc(amount)) FILTER (WHERE kind = 'revenue')
             - coalesce(sum(trunc(amount)) FILTER (WHERE kind NOT IN ('revenue', 'referral')), 0) AS net
      FROM gen_ledger GROUP BY client_id) p USING (client_id);

-- double precision lines become numeric exactly as float8::numeric does
-- (15 significant digits): 200,000 values over 31 decades, 100,000 amounts
-- in cents, values that tie
-- at the 16th digit, decade boundaries, and the extremes
SELECT count(*) AS values_checked,
       count(*) FILTER (WHERE r::text <> x::numeric::text) AS differing
FROM (SELECT i, x, (client_profit(x, 'revenue')).revenue AS r
      FROM (SELECT i, ((i * 7919 % 1000003) / 1000.0 + i / 7.0) * power(10::float8, (i % 31) - 12)
            FROM generate_series(1, 200000) i
            UNION ALL
            -- money: cents up to a million, as doubles
            SELECT 300000 + i, ((i::bigint * 104729) % 100000000) / 100.0::float8
            FROM generate_series(1, 100000) i
            UNION ALL
            SELECT -o, v
            FROM unnest(ARRAY[0.1::float8 + 0.2, 1e15, 999999999999999.4, 999999999999999.5,
                              99999999999999.95, 1e21, 9.999999999999999e21, 1e22, 1.0000000000000002,
                              1e-7, 9.99999999999999e-8, 5e-324, 1.7976931348623157e308, -2.5,
                              -0.000123456789012345678, 123456789012345.5, 12345678901234.25,
                              0.30000000000000004, 2.675, 1.005]) WITH ORDINALITY AS u(v, o)
           ) s(i, x)
      GROUP BY i, x) g;
