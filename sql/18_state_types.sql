-- 18_state_types: the state types of client_profit, hhi, cohort_ltv, rfm,
-- the model fits and idle_capacity (cprof_client_profit_state,
-- cprof_hhi_state, cprof_cohort_ltv_state, cprof_rfm_state,
-- cprof_history_state, cprof_idle_capacity_state).  Their text form is exact and says what the state
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
CREATE AGGREGATE st.purchase_state(double precision, double precision, double precision) (
    SFUNC = cprof_history_trans, STYPE = cprof_history_state);
CREATE AGGREGATE st.spend_state(double precision, double precision) (
    SFUNC = cprof_gamma_gamma_fit_trans, STYPE = cprof_history_state);
CREATE AGGREGATE st.idle_state(numeric, numeric, numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = cprof_idle_capacity_state);
CREATE AGGREGATE st.idle_state(numeric, numeric, numeric, numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = cprof_idle_capacity_state);
CREATE AGGREGATE st.idle_state(numeric, double precision, double precision) (
    SFUNC = cprof_idle_capacity_trans, STYPE = cprof_idle_capacity_state);
CREATE AGGREGATE st.idle_state(numeric, double precision, double precision, numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = cprof_idle_capacity_state);

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
-- the model fits: the distinct histories, sorted, each with its number of
-- clients (frequency/recency/age/count); rows in any order, a repeated
-- history counted, -0 stored as 0, a row with a NULL skipped
SELECT st.purchase_state(x, r, a)
FROM (VALUES (3::float8, 7.25::float8, 10::float8), (1, 2.5, 10), (0, -0.0, 10), (1, 2.5, 10),
             (0, 0, 10), (NULL, 1, 10), (1, 2.5, 9.5)) v(x, r, a);
-- gamma_gamma_fit: frequency/monetary/count; frequency 0 is skipped
SELECT st.spend_state(x, m) FROM (VALUES (2::float8, 12.5::float8), (0, 0), (3, 40), (2, 12.5)) v(x, m);
SELECT st.spend_state(x, m) AS only_frequency_0 FROM (VALUES (0::float8, 0::float8)) v(x, m);
-- doubles in their shortest exact form: 0.1 + 0.2 and 1/3 read back bit
-- for bit
SELECT st.purchase_state(1, 0.1::float8 + 0.2, 1 / 3::float8 + 1);
-- idle_capacity: rows, rows without an amount, the pool, the exact sum of
-- the usages as total/values at its display scale (1.5 + 2 = 3.5, one value
-- at scale 1; a NULL usage is no value); a double precision capacity in its
-- shortest form, double precision usages by their decimal value (0.1 + 0.2
-- = 0.3); a pool whose amount is NULL
SELECT st.idle_state(a, u, c) FROM (VALUES (250000.00, 1.5, 1000000), (250000.00, 2, 1000000), (250000.00, NULL, 1000000)) v(a, u, c);
SELECT st.idle_state(250000.00, 1.5, 1000000, 0.05);
SELECT st.idle_state(250000.00, 1.5::float8, 1e6::float8);
SELECT st.idle_state(250000.00, u, 160.5::float8, 1) FROM (VALUES (0.1::float8), (0.2)) v(u);
SELECT st.idle_state(NULL::numeric, u, 160.5::float8, 1) FROM (VALUES (0.1::float8), (0.2)) v(u);

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
              FROM (VALUES (date '4713-01-01 BC', 1.5), ('0044-03-15 BC', 2)) v(d, a)) x(s)
UNION ALL SELECT 'history', s::text FROM (
    SELECT st.purchase_state(x, r, a) FROM (VALUES (3::float8, 7.25::float8, 10::float8), (1, 2.5, 10), (0, 0, 10), (1, 2.5, 10)) v(x, r, a)
    UNION ALL SELECT st.purchase_state(1, 0.1::float8 + 0.2, 1 / 3::float8 + 1)
    UNION ALL SELECT st.purchase_state(g % 7, (g % 7) * 1e-300, 1e300) FROM generate_series(1, 50) g
    UNION ALL SELECT st.spend_state(x, m) FROM (VALUES (2::float8, 12.5::float8), (3, 40), (1e9, 5e-324)) v(x, m)) x(s)
UNION ALL SELECT 'idle_capacity', s::text FROM (
    SELECT st.idle_state(250000.00, u, 1000000, 0.05) FROM (VALUES (1.5), (2), (123456789012345678901234567890123456789012.5)) v(u)
    UNION ALL SELECT st.idle_state(-0.10, 1::float8, 1e-300::float8)
    UNION ALL SELECT st.idle_state(NULL::numeric, 1, 8)) x(s);
SELECT family, count(*) AS states,
       bool_and(CASE family WHEN 'client_profit' THEN s::cprof_client_profit_state::text
                            WHEN 'hhi' THEN s::cprof_hhi_state::text
                            WHEN 'cohort_ltv' THEN s::cprof_cohort_ltv_state::text
                            WHEN 'history' THEN s::cprof_history_state::text
                            WHEN 'idle_capacity' THEN s::cprof_idle_capacity_state::text
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
CREATE TABLE st.h (s cprof_history_state);
INSERT INTO st.h VALUES ('1 purchase clients=3 histories=0/0/10/2,1/2.5/10/1');
SELECT cprof_history_trans(s, 0, 0, 10) AS after_a_row, cprof_history_combine(s, s) AS combined, s AS unchanged FROM st.h;
SELECT cprof_idle_capacity_final(cprof_idle_capacity_combine(s, s)) AS idle_of_2_hours_of_8,
       round(100.00 - 100.00 * 2 / 8, 2) AS by_hand,
       cprof_idle_capacity_final(cprof_idle_capacity_trans(s, 100.00, 2::numeric, 8::numeric)) AS idle_of_3_hours_of_8,
       round(100.00 - 100.00 * 3 / 8, 2) AS by_hand, s AS unchanged
FROM (SELECT cprof_idle_capacity_trans(NULL, 100.00, 1::numeric, 8::numeric) AS s) x;

-- A generated ledger of 200 clients: the per-client states of every
-- aggregate, kept in tables, survive text and binary COPY (tdigest's copy
-- test), and the results computed from the reloaded states equal the
-- aggregates' own, to the last digit.
CREATE TABLE st.ledger AS
SELECT c AS client_id, e,
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
       st.rfm_state(day, amount, date '2025-12-31', '7 days') AS rfm,
       st.purchase_state((client_id * 3 + e) % 4, ((client_id * 3 + e) % 4) * 1.25, 5 + client_id % 7) AS purchase,
       st.spend_state(1 + e % 3, abs(amount)::float8 + 0.5) AS spend,
       st.idle_state(1000.00, abs(amount), 20000, 0.05) AS idle
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
-- (the per-client fits of the first 10 clients do not converge on 30 rows
-- of 4 distinct histories: their warnings are not the point here)
SET client_min_messages = error;
SELECT count(*) AS clients,
       bool_and(s.ledger::text = t.ledger::text AND s.ledger::text = b.ledger::text
                AND s.ledger_f::text = t.ledger_f::text AND s.ledger_f::text = b.ledger_f::text
                AND s.net::text = t.net::text AND s.net::text = b.net::text
                AND s.net_f::text = t.net_f::text AND s.net_f::text = b.net_f::text
                AND s.hhi::text = t.hhi::text AND s.hhi::text = b.hhi::text
                AND s.cohort::text = t.cohort::text AND s.cohort::text = b.cohort::text
                AND s.rfm::text = t.rfm::text AND s.rfm::text = b.rfm::text
                AND s.purchase::text = t.purchase::text AND s.purchase::text = b.purchase::text
                AND s.spend::text = t.spend::text AND s.spend::text = b.spend::text
                AND s.idle::text = t.idle::text AND s.idle::text = b.idle::text) AS copy_round_trip,
       bool_and(cprof_client_profit_final(b.ledger)::text = p.ledger
                AND cprof_client_profit_final(b.ledger_f)::text = p.ledger_f
                AND cprof_client_profit_numeric_final(b.net)::text = p.net
                AND cprof_client_profit_float8_final(b.net_f)::text = p.net_f
                AND cprof_hhi_final(b.hhi)::text = p.hhi
                AND cprof_cohort_ltv_final(b.cohort)::text = p.cohort
                AND cprof_rfm_final(b.rfm)::text = p.rfm
                AND cprof_idle_capacity_final(b.idle)::text = p.idle) AS same_results,
       bool_and(client_id > 10 OR (cprof_bgnbd_fit_final(b.purchase)::text = p.bgnbd
                                   AND cprof_gamma_gamma_fit_final(b.spend)::text = p.gamma_gamma)) AS same_fits
FROM st.src s JOIN st.dst_text t USING (client_id) JOIN st.dst_binary b USING (client_id)
JOIN (SELECT client_id,
             client_profit(amount, kind)::text AS ledger,
             client_profit(amount::float8 / 3, kind)::text AS ledger_f,
             client_profit(amount, amount / 7)::text AS net,
             client_profit(amount::float8, amount::float8 / 7)::text AS net_f,
             hhi(amount)::text AS hhi,
             cohort_ltv(amount, (client_id % 13)::float8, client_id % 3 = 0, 0.02)::text AS cohort,
             rfm(day, amount, date '2025-12-31', '7 days')::text AS rfm,
             idle_capacity(1000.00, abs(amount), 20000, 0.05)::text AS idle,
             CASE WHEN client_id <= 10 THEN bgnbd_fit((client_id * 3 + e) % 4, ((client_id * 3 + e) % 4) * 1.25, 5 + client_id % 7)::text END AS bgnbd,
             CASE WHEN client_id <= 10 THEN gamma_gamma_fit(1 + e % 3, abs(amount)::float8 + 0.5)::text END AS gamma_gamma
      FROM st.ledger GROUP BY client_id) p USING (client_id);
RESET client_min_messages;

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
CREATE AGGREGATE st.combine_bgnbd(cprof_history_state) (
    SFUNC = cprof_history_combine, STYPE = cprof_history_state, FINALFUNC = cprof_bgnbd_fit_final);
CREATE AGGREGATE st.combine_pareto_nbd(cprof_history_state) (
    SFUNC = cprof_history_combine, STYPE = cprof_history_state, FINALFUNC = cprof_pareto_nbd_fit_final);
CREATE AGGREGATE st.combine_gamma_gamma(cprof_history_state) (
    SFUNC = cprof_history_combine, STYPE = cprof_history_state, FINALFUNC = cprof_gamma_gamma_fit_final);
CREATE AGGREGATE st.combine_idle(cprof_idle_capacity_state) (
    SFUNC = cprof_idle_capacity_combine, STYPE = cprof_idle_capacity_state, FINALFUNC = cprof_idle_capacity_final);
WITH parts AS (
    SELECT st.ledger_state(amount, kind)::text AS ledger, st.net_state(amount, amount / 7)::text AS net,
           st.hhi_state(amount)::text AS hhi,
           st.cohort_state(amount, (client_id % 13)::float8, client_id % 3 = 0)::text AS cohort,
           st.rfm_state(day, amount, date '2025-12-31', '7 days')::text AS rfm,
           st.idle_state(1000.00, abs(amount), 20000)::text AS idle
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
           = (SELECT rfm(day, amount, date '2025-12-31', '7 days')::text FROM st.ledger) AS rfm_split,
       (SELECT st.combine_idle(idle::cprof_idle_capacity_state)::text FROM parts)
           = (SELECT idle_capacity(1000.00, abs(amount), 20000)::text FROM st.ledger) AS idle_capacity_split;

-- The model fits, split the same way over a population of 6000 clients
-- (rfm summaries of a generated purchase history): the fit from the 8
-- states moved as text is the fit over all rows, bit for bit.  (On these
-- generated summaries the purchase models run to their limit of one
-- dropout for every client: the warnings that say so are not the point
-- here, and are silenced down to the parallel comparison.)
SET client_min_messages = error;
CREATE TABLE st.clients AS
SELECT c, (c * 7) % 9 AS x, CASE WHEN (c * 7) % 9 = 0 THEN 0 ELSE 1 + (c * 13) % 25 END AS r, 30 + (c % 11) AS a,
       5 + (c * 17) % 40 + (c % 3) * 0.25 AS m
FROM generate_series(1, 6000) c;
WITH parts AS (
    SELECT st.purchase_state(x, r, a)::text AS purchase, st.spend_state(x, m)::text AS spend
    FROM st.clients GROUP BY c % 8)
SELECT (SELECT st.combine_bgnbd(purchase::cprof_history_state)::text FROM parts)
           = (SELECT bgnbd_fit(x, r, a)::text FROM st.clients) AS bgnbd_split,
       (SELECT st.combine_pareto_nbd(purchase::cprof_history_state)::text FROM parts)
           = (SELECT pareto_nbd_fit(x, r, a)::text FROM st.clients) AS pareto_nbd_split,
       (SELECT st.combine_gamma_gamma(spend::cprof_history_state)::text FROM parts)
           = (SELECT gamma_gamma_fit(x, m)::text FROM st.clients) AS gamma_gamma_split;

-- The same in parallel plans: every partial state goes through the tuple
-- queue to the leader's combine function; the results equal the serial
-- ones.
CREATE TABLE st.serial AS
SELECT bgnbd_fit(x, r, a)::text AS bgnbd, pareto_nbd_fit(x, r, a)::text AS pareto_nbd,
       gamma_gamma_fit(x, m)::text AS gamma_gamma,
       idle_capacity(5000.00, m, 200000)::text AS idle, idle_capacity(5000.00, m, 200000, 0.05)::text AS idle_unit,
       idle_capacity(5000.00, m::float8, 200000::float8)::text AS idle_f,
       idle_capacity(5000.00, m::float8, 200000::float8, 1)::text AS idle_f_unit
FROM st.clients;
ANALYZE st.clients;
\i test/parallel_plans.sql
CREATE FUNCTION st.plan_has(q text, pattern text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || line || ' ';
    END LOOP;
    RETURN plan LIKE pattern;
END $$;
SELECT st.plan_has('SELECT bgnbd_fit(x, r, a), idle_capacity(5000.00, m, 200000) FROM st.clients',
                   '%Gather%Partial Aggregate%') AS parallel_plan;
SELECT p.bgnbd = s.bgnbd AS bgnbd, p.pareto_nbd = s.pareto_nbd AS pareto_nbd, p.gamma_gamma = s.gamma_gamma AS gamma_gamma,
       p.idle = s.idle AND p.idle_unit = s.idle_unit AND p.idle_f = s.idle_f AND p.idle_f_unit = s.idle_f_unit AS idle_capacity
FROM st.serial s,
     (SELECT bgnbd_fit(x, r, a)::text AS bgnbd, pareto_nbd_fit(x, r, a)::text AS pareto_nbd,
             gamma_gamma_fit(x, m)::text AS gamma_gamma,
             idle_capacity(5000.00, m, 200000)::text AS idle, idle_capacity(5000.00, m, 200000, 0.05)::text AS idle_unit,
             idle_capacity(5000.00, m::float8, 200000::float8)::text AS idle_f,
             idle_capacity(5000.00, m::float8, 200000::float8, 1)::text AS idle_f_unit
      FROM st.clients) p;
\i test/parallel_plans_off.sql
RESET client_min_messages;

RESET extra_float_digits;
SET client_min_messages = warning;
DROP SCHEMA st CASCADE;
RESET client_min_messages;
