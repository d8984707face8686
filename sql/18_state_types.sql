-- 18_state_types: the state types of client_profit, hhi, cohort_ltv and rfm
-- (cprof_client_profit_state, cprof_hhi_state, cprof_cohort_ltv_state,
-- cprof_rfm_state).  Their text form is exact and says what the state
-- holds; a state survives text and binary COPY unchanged, and so does the
-- aggregate's result computed from it; the transition, combine and final
-- functions can be called directly (they are pure functions there); and a
-- state made on one node and finished on another (as Citus does: text
-- out, text in, combine, final) gives the same result as one aggregate.
SET extra_float_digits = 0;	-- the text form must not depend on it

-- An aggregate without a final function returns its state: the states of
-- small inputs, by hand.
CREATE SCHEMA st;
CREATE AGGREGATE st.ledger_state(numeric, text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state);
CREATE AGGREGATE st.ledger_state(double precision, text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state);
CREATE AGGREGATE st.net_state(numeric, numeric) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state);
CREATE AGGREGATE st.net_state(double precision, double precision) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state);
CREATE AGGREGATE st.net_state(integer, integer) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state);
CREATE AGGREGATE st.rollup_state(profit) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state);
CREATE AGGREGATE st.hhi_state(double precision) (
    SFUNC = cprof_hhi_trans, STYPE = cprof_hhi_state);
CREATE AGGREGATE st.hhi_state(numeric) (
    SFUNC = cprof_hhi_trans, STYPE = cprof_hhi_state);
CREATE AGGREGATE st.cohort_state(numeric, double precision, boolean) (
    SFUNC = cprof_cohort_ltv_trans, STYPE = cprof_cohort_ltv_state);
CREATE AGGREGATE st.cohort_state(numeric, double precision, boolean, double precision) (
    SFUNC = cprof_cohort_ltv_trans, STYPE = cprof_cohort_ltv_state);
CREATE AGGREGATE st.rfm_state(date, numeric, date, interval) (
    SFUNC = cprof_rfm_trans, STYPE = cprof_rfm_state);
CREATE AGGREGATE st.rfm_state(timestamptz, numeric, timestamptz, interval) (
    SFUNC = cprof_rfm_trans, STYPE = cprof_rfm_state);

-- client_profit: rows, entries, then each line as total/values at the
-- total's display scale (100.00 + 5.5 = 105.50, two values at scale 2);
-- service and sales both go to cost_to_serve; a reversal is a negative
-- amount.
SELECT st.ledger_state(a, k)
FROM (VALUES (100.00, 'revenue'), (5.5, 'revenue'), (40, 'cogs'), (3, 'service'),
             (2.25, 'sales'), (-1.00, 'revenue')) t(a, k);
-- double precision: each line a sum and its compensation (0.1 + 0.2 is
-- 0.30000000000000004 in binary; the compensation keeps the lost bits)
SELECT st.ledger_state(a, k)
FROM (VALUES (0.1::float8, 'revenue'), (0.2, 'revenue'), (1e20, 'cogs'), (1, 'cogs')) t(a, k);
-- revenue minus cost: one line, two values a row (a NULL counts as 0 and is
-- not a value)
SELECT st.net_state(r, c) FROM (VALUES (100.00, 40.0), (10, NULL), (NULL, NULL)) t(r, c);
SELECT st.net_state(r, c) FROM (VALUES (100::float8, 40::float8)) t(r, c);
SELECT st.net_state(r, c) FROM (VALUES (100, 40), (7, 0)) t(r, c);
-- NaN and infinities are counted (/NaN/+Infinity/-Infinity), not added; an
-- amount of 45 digits is exact
SELECT st.ledger_state(a, k)
FROM (VALUES (100.00, 'revenue'), ('NaN', 'revenue'), ('Infinity', 'cogs'),
             (123456789012345678901234567890123456789012345, 'referral')) t(a, k);
-- the roll-up: entries is the sum of the values' entries
SELECT st.rollup_state(p)
FROM (SELECT client_profit(a, k) AS p FROM (VALUES (100.00, 'revenue'), (40, 'cogs')) t(a, k)
      UNION ALL SELECT ROW(10, 0, 0, 10, 0, 10, 0, 0, 10, 0, 10, 1, 5)::profit) s;
-- a row with a NULL amount still makes the (empty) state
SELECT st.ledger_state(NULL::numeric, 'revenue');
-- hhi: n values, the sums of v / 2^exponent and of their squares; 5, 3, 2
-- are below 2^3: 5/8 + 3/8 + 2/8 = 1.25, 25/64 + 9/64 + 4/64 = 0.59375
SELECT st.hhi_state(v) FROM (VALUES (5::float8), (3), (2)) t(v);
SELECT st.hhi_state(v) FROM (VALUES (0::float8), (0)) t(v);
SELECT st.hhi_state(v) FROM (VALUES (1e300::numeric), (-1e-300)) t(v);
-- cohort_ltv: clients, churned, the sum of the tenures, the profit; the
-- 4-argument form keeps the discount
SELECT st.cohort_state(p, t, c)
FROM (VALUES (10.0, 2.0::float8, true), (5.0, 1.0, false), (1.0, 1.0, true)) v(p, t, c);
SELECT st.cohort_state(p, t, c, 0.01)
FROM (VALUES (10.0, 2.0::float8, true), (5.0, 1.0, false)) v(p, t, c);
-- rfm: as_of, the unit (months/days/microseconds), the total and the first
-- day's spend, the distinct days as the first and the gaps (purchases on
-- 2024-01-01, -10 twice, -02-01: 9 and 22 days apart)
SELECT st.rfm_state(d, a, date '2024-03-01', '1 day')
FROM (VALUES (date '2024-01-10', 20.00), ('2024-01-01', 10.00), ('2024-02-01', 40.00), ('2024-01-10', 5)) v(d, a);
SELECT st.rfm_state(d, a, timestamptz '2024-03-01 12:00+00', '7 days 12:00')
FROM (VALUES (timestamptz '2024-01-01 10:00+00', 1.5)) v(d, a);
SELECT st.rfm_state(d, a, date '0001-01-01 BC', '1 mon')
FROM (VALUES (date '4713-01-01 BC', 1.5), ('0044-03-15 BC', 2)) v(d, a);

-- Every state above reads back as itself (text out, in, out).
CREATE TABLE st.states (family text, s text);
INSERT INTO st.states
SELECT 'client_profit', s::text FROM (
    SELECT st.ledger_state(a, k) FROM (VALUES (100.00, 'revenue'), (5.5, 'revenue'), (40, 'cogs'), (-1.00, 'revenue')) t(a, k)
    UNION ALL SELECT st.ledger_state(a, k) FROM (VALUES (0.1::float8, 'revenue'), (0.2, 'revenue'), (1e20, 'cogs'), (1, 'cogs')) t(a, k)
    UNION ALL SELECT st.net_state(r, c) FROM (VALUES (100.00, 40.0), (10, NULL)) t(r, c)
    UNION ALL SELECT st.net_state(r, c) FROM (VALUES (100::float8, 40::float8), ('NaN', '-Infinity')) t(r, c)
    UNION ALL SELECT st.ledger_state(a, k) FROM (VALUES (100.00, 'revenue'), ('NaN', 'revenue'), ('Infinity', 'cogs'),
                                                  (123456789012345678901234567890123456789012345, 'referral')) t(a, k)
    UNION ALL SELECT st.ledger_state(NULL::numeric, 'revenue')) x(s)
UNION ALL SELECT 'hhi', s::text FROM (
    SELECT st.hhi_state(v) FROM (VALUES (5::float8), (3), (2)) t(v)
    UNION ALL SELECT st.hhi_state(v) FROM (VALUES (0::float8)) t(v)
    UNION ALL SELECT st.hhi_state(v) FROM (VALUES (1e300::numeric), (-1e-300)) t(v)) x(s)
UNION ALL SELECT 'cohort_ltv', s::text FROM (
    SELECT st.cohort_state(p, t, c) FROM (VALUES (10.0, 2.0::float8, true), (5.0, 1.0, false)) v(p, t, c)
    UNION ALL SELECT st.cohort_state(p, t, c, -0.5) FROM (VALUES (1e-30, 1e-300::float8, true)) v(p, t, c)) x(s)
UNION ALL SELECT 'rfm', s::text FROM (
    SELECT st.rfm_state(d, 1.00, date '2024-03-01', '1 day') FROM generate_series(date '2023-01-01', '2024-02-28', '3 days') d
    UNION ALL SELECT st.rfm_state(d, a, date '0001-01-01 BC', '1 mon')
              FROM (VALUES (date '4713-01-01 BC', 1.5), ('0044-03-15 BC', 2)) v(d, a)) x(s);
SELECT family, count(*) AS states,
       bool_and(CASE family WHEN 'client_profit' THEN s::cprof_client_profit_state::text
                            WHEN 'hhi' THEN s::cprof_hhi_state::text
                            WHEN 'cohort_ltv' THEN s::cprof_cohort_ltv_state::text
                            ELSE s::cprof_rfm_state::text END = s) AS text_round_trip
FROM st.states GROUP BY family ORDER BY family;

-- The support functions called directly are pure: a state in, a new
-- state out, the argument unchanged.
CREATE TABLE st.one (s cprof_client_profit_state);
INSERT INTO st.one VALUES ('1 waterfall rows=1 entries=1 revenue=100/1 discount=0/0 cogs=0/0 cost_to_serve=0/0 acquisition=0/0 bad_debt=0/0 referral=0/0');
SELECT cprof_client_profit_trans(s, 40, 'cogs') AS after_a_row, s AS unchanged FROM st.one;
SELECT (cprof_client_profit_final(cprof_client_profit_combine(s, s))).net_profit AS combined_twice, s AS unchanged FROM st.one;
SELECT cprof_client_profit_minv(s, 100, 'revenue') AS last_value_at_its_scale FROM st.one;
SELECT cprof_client_profit_minv(cprof_client_profit_trans(s, 100, 'revenue'), 100, 'revenue') AS removed FROM st.one;
SELECT cprof_client_profit_trans(NULL, 1.5, 'cogs') AS first_row,
       cprof_client_profit_trans(NULL, NULL::numeric, 'cogs') AS skipped_row;
SELECT cprof_hhi_final(cprof_hhi_combine(cprof_hhi_trans(NULL, 3.0), cprof_hhi_trans(NULL, 4::float8))) AS hhi_of_3_and_4,
       25 / 49::float8 AS by_hand;

-- A generated ledger of 200 clients: the per-client states of every
-- aggregate, kept in tables, survive text and binary COPY (tdigest's copy
-- test), and the results computed from the reloaded states equal the
-- aggregates' own, to the last digit.
CREATE TABLE st.ledger AS
SELECT c AS client_id,
       (ARRAY['revenue', 'discount', 'cogs', 'service', 'sales', 'commission', 'quality', 'acquisition', 'bad_debt', 'referral'])[1 + (c * 7 + e) % 10] AS kind,
       round(((c * 7919 + e * 104729) % 100000) / 100.0 - 50, (c + e) % 3) AS amount,
       date '2024-01-01' + ((c * 31 + e * 17) % 400) AS day
FROM generate_series(1, 200) c, generate_series(1, 30) e;
CREATE TABLE st.src AS
SELECT client_id,
       st.ledger_state(amount, kind) AS ledger,
       st.ledger_state(amount::float8 / 3, kind) AS ledger_f,
       st.net_state(amount, amount / 7) AS net,
       st.net_state(amount::float8, amount::float8 / 7) AS net_f,
       st.hhi_state(amount) AS hhi,
       st.cohort_state(amount, (client_id % 13)::float8, client_id % 3 = 0, 0.02) AS cohort,
       st.rfm_state(day, amount, date '2025-12-31', '7 days') AS rfm
FROM st.ledger GROUP BY client_id;
CREATE TABLE st.dst_text (LIKE st.src);
CREATE TABLE st.dst_binary (LIKE st.src);
DO $$
DECLARE
    stem text := current_setting('data_directory') || '/cprof_states_' || pg_backend_pid();
BEGIN
    EXECUTE format('COPY st.src TO %L', stem || '.txt');
    EXECUTE format('COPY st.src TO %L (FORMAT binary)', stem || '.bin');
    EXECUTE format('COPY st.dst_text FROM %L', stem || '.txt');
    EXECUTE format('COPY st.dst_binary FROM %L (FORMAT binary)', stem || '.bin');
END $$;
SELECT count(*) AS clients,
       bool_and(s.ledger::text = t.ledger::text AND s.ledger::text = b.ledger::text
                AND s.ledger_f::text = t.ledger_f::text AND s.ledger_f::text = b.ledger_f::text
                AND s.net::text = t.net::text AND s.net::text = b.net::text
                AND s.net_f::text = t.net_f::text AND s.net_f::text = b.net_f::text
                AND s.hhi::text = t.hhi::text AND s.hhi::text = b.hhi::text
                AND s.cohort::text = t.cohort::text AND s.cohort::text = b.cohort::text
                AND s.rfm::text = t.rfm::text AND s.rfm::text = b.rfm::text) AS copy_round_trip,
       bool_and(cprof_client_profit_final(b.ledger)::text = p.ledger
                AND cprof_client_profit_final(b.ledger_f)::text = p.ledger_f
                AND cprof_client_profit_numeric_final(b.net)::text = p.net
                AND cprof_client_profit_float8_final(b.net_f)::text = p.net_f
                AND cprof_hhi_final(b.hhi)::text = p.hhi
                AND cprof_cohort_ltv_final(b.cohort)::text = p.cohort
                AND cprof_rfm_final(b.rfm)::text = p.rfm) AS same_results
FROM st.src s JOIN st.dst_text t USING (client_id) JOIN st.dst_binary b USING (client_id)
JOIN (SELECT client_id,
             client_profit(amount, kind)::text AS ledger,
             client_profit(amount::float8 / 3, kind)::text AS ledger_f,
             client_profit(amount, amount / 7)::text AS net,
             client_profit(amount::float8, amount::float8 / 7)::text AS net_f,
             hhi(amount)::text AS hhi,
             cohort_ltv(amount, (client_id % 13)::float8, client_id % 3 = 0, 0.02)::text AS cohort,
             rfm(day, amount, date '2025-12-31', '7 days')::text AS rfm
      FROM st.ledger GROUP BY client_id) p USING (client_id);

-- Split as Citus splits it: the states of 8 groups of clients, moved as
-- text, combined and finished, equal one aggregate over all rows.
CREATE AGGREGATE st.combine_profit(cprof_client_profit_state) (
    SFUNC = cprof_client_profit_combine, STYPE = cprof_client_profit_state,
    FINALFUNC = cprof_client_profit_final);
CREATE AGGREGATE st.combine_net(cprof_client_profit_state) (
    SFUNC = cprof_client_profit_combine, STYPE = cprof_client_profit_state,
    FINALFUNC = cprof_client_profit_numeric_final);
CREATE AGGREGATE st.combine_hhi(cprof_hhi_state) (
    SFUNC = cprof_hhi_combine, STYPE = cprof_hhi_state, FINALFUNC = cprof_hhi_final);
CREATE AGGREGATE st.combine_cohort(cprof_cohort_ltv_state) (
    SFUNC = cprof_cohort_ltv_combine, STYPE = cprof_cohort_ltv_state, FINALFUNC = cprof_cohort_ltv_final);
CREATE AGGREGATE st.combine_rfm(cprof_rfm_state) (
    SFUNC = cprof_rfm_combine, STYPE = cprof_rfm_state, FINALFUNC = cprof_rfm_final);
WITH parts AS (
    SELECT st.ledger_state(amount, kind)::text AS ledger, st.net_state(amount, amount / 7)::text AS net,
           st.hhi_state(amount)::text AS hhi,
           st.cohort_state(amount, (client_id % 13)::float8, client_id % 3 = 0)::text AS cohort,
           st.rfm_state(day, amount, date '2025-12-31', '7 days')::text AS rfm
    FROM st.ledger GROUP BY client_id % 8)
SELECT (SELECT st.combine_profit(ledger::cprof_client_profit_state)::text FROM parts)
           = (SELECT client_profit(amount, kind)::text FROM st.ledger) AS client_profit_split,
       (SELECT st.combine_net(net::cprof_client_profit_state)::text FROM parts)
           = (SELECT client_profit(amount, amount / 7)::text FROM st.ledger) AS net_split,
       (SELECT st.combine_hhi(hhi::cprof_hhi_state)::text FROM parts)
           = (SELECT hhi(amount)::text FROM st.ledger) AS hhi_split,
       (SELECT st.combine_cohort(cohort::cprof_cohort_ltv_state)::text FROM parts)
           = (SELECT cohort_ltv(amount, (client_id % 13)::float8, client_id % 3 = 0)::text FROM st.ledger) AS cohort_split,
       (SELECT st.combine_rfm(rfm::cprof_rfm_state)::text FROM parts)
           = (SELECT rfm(day, amount, date '2025-12-31', '7 days')::text FROM st.ledger) AS rfm_split;

RESET extra_float_digits;
SET client_min_messages = warning;
DROP SCHEMA st CASCADE;
RESET client_min_messages;
