/* sql/cprof--1.0--1.1.sql */
\echo Use "ALTER EXTENSION cprof UPDATE TO '1.1'" to load this file. \quit

/*
 * Upgrade of an installed cprof 1.0 to 1.1.  Everything here must leave the
 * catalog exactly as sql/cprof--1.1.sql creates it (test 02_upgrade compares
 * the two).  Objects users' views may depend on are replaced in place
 * (CREATE OR REPLACE), never dropped; new objects use plain CREATE.
 * As cprof is trusted, this script follows the rules at the top of
 * sql/cprof--1.1.sql: OR REPLACE only for objects cprof 1.0 already owns.
 */

/*
 * ---------------------------------------------------------------------------
 * client_profit: margin is NULL unless revenue is positive; the roll-up
 * checks derived fields against the lines
 * ---------------------------------------------------------------------------
 */
COMMENT ON TYPE profit IS 'customer P&L waterfall: revenue - discount - cogs = gross_profit; - cost_to_serve = contribution; - acquisition - bad_debt = net_profit; + referral = total_value; margin = net_profit / revenue, NULL unless revenue > 0';
COMMENT ON AGGREGATE client_profit(profit) IS 're-aggregates profit values exactly, as if the raw ledger rows had been aggregated (derived fields are checked against the lines)';

/*
 * ---------------------------------------------------------------------------
 * State types of client_profit, hhi, cohort_ltv and rfm: each aggregate
 * gets a base type as STYPE instead of internal, so that Citus can split
 * it between workers and coordinator (src/state.c).  The types and their
 * support functions are new; the aggregates are replaced in place, so
 * users' views and materialized views that use them survive; then the 1.0
 * support functions of STYPE internal, which nothing uses any more, are
 * dropped.
 * ---------------------------------------------------------------------------
 */
-- The state of every client_profit aggregate: a base type, so that Citus
-- can split the aggregates (it moves states as text) (src/client_profit.c).
-- Costs: a combine function costs what a partial state costs in a parallel
-- plan (sorted, sent through the tuple queue, copied: about 100 operator
-- costs, measured), so that the planner picks a parallel plan only when
-- partial aggregation reduces the rows enough to pay for it; the final
-- functions that build a composite row (a dozen numerics) cost 20.
CREATE TYPE cprof_client_profit_state;
CREATE FUNCTION cprof_client_profit_state_in(cstring) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_state_in(cstring) IS 'input function of cprof_client_profit_state: the text form, every invariant checked';
CREATE FUNCTION cprof_client_profit_state_out(cprof_client_profit_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_state_out(cprof_client_profit_state) IS 'output function of cprof_client_profit_state: the text form, exact and portable';
CREATE FUNCTION cprof_client_profit_state_recv(internal) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_state_recv(internal) IS 'receive function of cprof_client_profit_state: the binary form, every invariant checked';
CREATE FUNCTION cprof_client_profit_state_send(cprof_client_profit_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_state_send(cprof_client_profit_state) IS 'send function of cprof_client_profit_state: the binary form, portable';
CREATE TYPE cprof_client_profit_state (
    INPUT = cprof_client_profit_state_in, OUTPUT = cprof_client_profit_state_out, RECEIVE = cprof_client_profit_state_recv, SEND = cprof_client_profit_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);
COMMENT ON TYPE cprof_client_profit_state IS 'state of client_profit(): rows, entries and the exact (or compensated double precision) sums of the waterfall''s lines, or of revenue minus cost; text form ''1 waterfall rows=2 entries=2 revenue=100/1 ...''';
CREATE FUNCTION cprof_client_profit_combine(cprof_client_profit_state, cprof_client_profit_state) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION cprof_client_profit_combine(cprof_client_profit_state, cprof_client_profit_state) IS 'internal: combine function of client_profit()';
CREATE FUNCTION cprof_client_profit_final(cprof_client_profit_state) RETURNS profit
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION cprof_client_profit_final(cprof_client_profit_state) IS 'internal: final function of client_profit(amount, kind) and client_profit(profit)';
CREATE FUNCTION cprof_client_profit_numeric_final(cprof_client_profit_state) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_numeric_final(cprof_client_profit_state) IS 'internal: final function of client_profit(revenue, cost) for numeric and integer input';
CREATE FUNCTION cprof_client_profit_float8_final(cprof_client_profit_state) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_float8_final(cprof_client_profit_state) IS 'internal: final function of client_profit(revenue, cost) for double precision input';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, numeric, numeric) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, numeric, numeric) IS 'internal: transition function of client_profit(numeric, numeric)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, numeric, numeric) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, numeric, numeric) IS 'internal: inverse transition function of client_profit(numeric, numeric) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, double precision, double precision) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, double precision, double precision) IS 'internal: transition function of client_profit(double precision, double precision)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, double precision, double precision) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, double precision, double precision) IS 'internal: inverse transition function of client_profit(double precision, double precision) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, smallint, smallint) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, smallint, smallint) IS 'internal: transition function of client_profit(smallint, smallint)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, smallint, smallint) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, smallint, smallint) IS 'internal: inverse transition function of client_profit(smallint, smallint) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, integer, integer) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, integer, integer) IS 'internal: transition function of client_profit(integer, integer)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, integer, integer) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, integer, integer) IS 'internal: inverse transition function of client_profit(integer, integer) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, bigint, bigint) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, bigint, bigint) IS 'internal: transition function of client_profit(bigint, bigint)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, bigint, bigint) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, bigint, bigint) IS 'internal: inverse transition function of client_profit(bigint, bigint) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, numeric, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, numeric, text) IS 'internal: transition function of client_profit(numeric, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, numeric, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, numeric, text) IS 'internal: inverse transition function of client_profit(numeric, text) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, double precision, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, double precision, text) IS 'internal: transition function of client_profit(double precision, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, double precision, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, double precision, text) IS 'internal: inverse transition function of client_profit(double precision, text) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, smallint, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, smallint, text) IS 'internal: transition function of client_profit(smallint, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, smallint, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, smallint, text) IS 'internal: inverse transition function of client_profit(smallint, text) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, integer, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, integer, text) IS 'internal: transition function of client_profit(integer, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, integer, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, integer, text) IS 'internal: inverse transition function of client_profit(integer, text) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, bigint, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, bigint, text) IS 'internal: transition function of client_profit(bigint, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, bigint, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, bigint, text) IS 'internal: inverse transition function of client_profit(bigint, text) (moving aggregate)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, profit) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_rollup' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, profit) IS 'internal: transition function of client_profit(profit)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, profit) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_rollup' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, profit) IS 'internal: inverse transition function of client_profit(profit) (moving aggregate)';
-- The state of hhi: a base type, so that Citus can split the aggregate
-- (src/hhi.c).
CREATE TYPE cprof_hhi_state;
CREATE FUNCTION cprof_hhi_state_in(cstring) RETURNS cprof_hhi_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_hhi_state_in(cstring) IS 'input function of cprof_hhi_state: the text form, every invariant checked';
CREATE FUNCTION cprof_hhi_state_out(cprof_hhi_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_hhi_state_out(cprof_hhi_state) IS 'output function of cprof_hhi_state: the text form, exact and portable';
CREATE FUNCTION cprof_hhi_state_recv(internal) RETURNS cprof_hhi_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_hhi_state_recv(internal) IS 'receive function of cprof_hhi_state: the binary form, every invariant checked';
CREATE FUNCTION cprof_hhi_state_send(cprof_hhi_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_hhi_state_send(cprof_hhi_state) IS 'send function of cprof_hhi_state: the binary form, portable';
CREATE TYPE cprof_hhi_state (
    INPUT = cprof_hhi_state_in, OUTPUT = cprof_hhi_state_out, RECEIVE = cprof_hhi_state_recv, SEND = cprof_hhi_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);
COMMENT ON TYPE cprof_hhi_state IS 'state of hhi(): the count of values and the compensated sums of the values and of their squares, scaled by a power of two; text form ''1 hhi n=3 exponent=3 sum=1.25/0 sumsq=0.59375/0''';
CREATE FUNCTION cprof_hhi_combine(cprof_hhi_state, cprof_hhi_state) RETURNS cprof_hhi_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION cprof_hhi_combine(cprof_hhi_state, cprof_hhi_state) IS 'internal: combine function of hhi(value)';
CREATE FUNCTION cprof_hhi_final(cprof_hhi_state) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_hhi_final(cprof_hhi_state) IS 'internal: final function of hhi(value)';
CREATE FUNCTION cprof_hhi_trans(cprof_hhi_state, numeric) RETURNS cprof_hhi_state
    AS 'MODULE_PATHNAME', 'cprof_hhi_trans_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_hhi_trans(cprof_hhi_state, numeric) IS 'internal: transition function of hhi(numeric)';
CREATE FUNCTION cprof_hhi_trans(cprof_hhi_state, double precision) RETURNS cprof_hhi_state
    AS 'MODULE_PATHNAME', 'cprof_hhi_trans_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_hhi_trans(cprof_hhi_state, double precision) IS 'internal: transition function of hhi(double precision)';
CREATE FUNCTION cprof_hhi_trans(cprof_hhi_state, integer) RETURNS cprof_hhi_state
    AS 'MODULE_PATHNAME', 'cprof_hhi_trans_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_hhi_trans(cprof_hhi_state, integer) IS 'internal: transition function of hhi(integer)';
-- The state of cohort_ltv: a base type, so that Citus can split the
-- aggregate (src/ltv.c).
CREATE TYPE cprof_cohort_ltv_state;
CREATE FUNCTION cprof_cohort_ltv_state_in(cstring) RETURNS cprof_cohort_ltv_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_cohort_ltv_state_in(cstring) IS 'input function of cprof_cohort_ltv_state: the text form, every invariant checked';
CREATE FUNCTION cprof_cohort_ltv_state_out(cprof_cohort_ltv_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_cohort_ltv_state_out(cprof_cohort_ltv_state) IS 'output function of cprof_cohort_ltv_state: the text form, exact and portable';
CREATE FUNCTION cprof_cohort_ltv_state_recv(internal) RETURNS cprof_cohort_ltv_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_cohort_ltv_state_recv(internal) IS 'receive function of cprof_cohort_ltv_state: the binary form, every invariant checked';
CREATE FUNCTION cprof_cohort_ltv_state_send(cprof_cohort_ltv_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_cohort_ltv_state_send(cprof_cohort_ltv_state) IS 'send function of cprof_cohort_ltv_state: the binary form, portable';
CREATE TYPE cprof_cohort_ltv_state (
    INPUT = cprof_cohort_ltv_state_in, OUTPUT = cprof_cohort_ltv_state_out, RECEIVE = cprof_cohort_ltv_state_recv, SEND = cprof_cohort_ltv_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);
COMMENT ON TYPE cprof_cohort_ltv_state IS 'state of cohort_ltv(): clients, churned clients, the compensated sum of the tenures, the exact sum of the profits, and the discount of the 4-argument form; text form ''1 cohort clients=3 churned=2 exposure=4/0 profit=16.0/2''';
CREATE FUNCTION cprof_cohort_ltv_trans(cprof_cohort_ltv_state, numeric, double precision, boolean) RETURNS cprof_cohort_ltv_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_cohort_ltv_trans(cprof_cohort_ltv_state, numeric, double precision, boolean) IS 'internal: transition function of cohort_ltv(numeric, double precision, boolean)';
CREATE FUNCTION cprof_cohort_ltv_trans(cprof_cohort_ltv_state, numeric, double precision, boolean, double precision) RETURNS cprof_cohort_ltv_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_cohort_ltv_trans(cprof_cohort_ltv_state, numeric, double precision, boolean, double precision) IS 'internal: transition function of cohort_ltv(numeric, double precision, boolean, double precision)';
CREATE FUNCTION cprof_cohort_ltv_combine(cprof_cohort_ltv_state, cprof_cohort_ltv_state) RETURNS cprof_cohort_ltv_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION cprof_cohort_ltv_combine(cprof_cohort_ltv_state, cprof_cohort_ltv_state) IS 'internal: combine function of cohort_ltv()';
CREATE FUNCTION cprof_cohort_ltv_final(cprof_cohort_ltv_state) RETURNS cohort_value
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION cprof_cohort_ltv_final(cprof_cohort_ltv_state) IS 'internal: final function of cohort_ltv()';
-- The state of rfm: a base type, so that Citus can split the aggregate
-- (src/rfm.c).
CREATE TYPE cprof_rfm_state;
CREATE FUNCTION cprof_rfm_state_in(cstring) RETURNS cprof_rfm_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_state_in(cstring) IS 'input function of cprof_rfm_state: the text form, every invariant checked';
CREATE FUNCTION cprof_rfm_state_out(cprof_rfm_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_state_out(cprof_rfm_state) IS 'output function of cprof_rfm_state: the text form, exact and portable';
CREATE FUNCTION cprof_rfm_state_recv(internal) RETURNS cprof_rfm_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_state_recv(internal) IS 'receive function of cprof_rfm_state: the binary form, every invariant checked';
CREATE FUNCTION cprof_rfm_state_send(cprof_rfm_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_state_send(cprof_rfm_state) IS 'send function of cprof_rfm_state: the binary form, portable';
CREATE TYPE cprof_rfm_state (
    INPUT = cprof_rfm_state_in, OUTPUT = cprof_rfm_state_out, RECEIVE = cprof_rfm_state_recv, SEND = cprof_rfm_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);
COMMENT ON TYPE cprof_rfm_state IS 'state of rfm(): rows, as_of, unit, the exact total and first-day spend, and the distinct purchase days; text form ''1 rfm rows=3 as_of=2024-03-01 unit=0/1/0 total=70.00/3 first_total=10.00/1 days=2024-01-01+9+22''';
CREATE FUNCTION cprof_rfm_trans(cprof_rfm_state, date, numeric, date, interval) RETURNS cprof_rfm_state
    AS 'MODULE_PATHNAME', 'cprof_rfm_trans_date' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_trans(cprof_rfm_state, date, numeric, date, interval) IS 'internal: transition function of rfm(date, numeric, date, interval)';
-- STABLE: the calendar day of a timestamptz depends on the TimeZone setting.
CREATE FUNCTION cprof_rfm_trans(cprof_rfm_state, timestamptz, numeric, timestamptz, interval) RETURNS cprof_rfm_state
    AS 'MODULE_PATHNAME', 'cprof_rfm_trans_timestamptz' LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_trans(cprof_rfm_state, timestamptz, numeric, timestamptz, interval) IS 'internal: transition function of rfm(timestamptz, numeric, timestamptz, interval); STABLE because days are taken in the session time zone';
CREATE FUNCTION cprof_rfm_combine(cprof_rfm_state, cprof_rfm_state) RETURNS cprof_rfm_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION cprof_rfm_combine(cprof_rfm_state, cprof_rfm_state) IS 'internal: combine function of rfm()';
CREATE FUNCTION cprof_rfm_final(cprof_rfm_state) RETURNS rfm
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION cprof_rfm_final(cprof_rfm_state) IS 'internal: final function of rfm()';

-- the aggregates, replaced in place
CREATE OR REPLACE AGGREGATE client_profit(revenue numeric, cost numeric) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 64,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 64, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(revenue double precision, cost double precision) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 72,
    FINALFUNC = cprof_client_profit_float8_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 72, MFINALFUNC = cprof_client_profit_float8_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(revenue smallint, cost smallint) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 64,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 64, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(revenue integer, cost integer) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 64,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 64, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(revenue bigint, cost bigint) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 64,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 64, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(amount numeric, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(amount double precision, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 312,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 312, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(amount smallint, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(amount integer, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(amount bigint, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE client_profit(profit) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE hhi(value numeric) (
    SFUNC = cprof_hhi_trans, STYPE = cprof_hhi_state, SSPACE = 104,
    FINALFUNC = cprof_hhi_final,
    COMBINEFUNC = cprof_hhi_combine,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE hhi(value double precision) (
    SFUNC = cprof_hhi_trans, STYPE = cprof_hhi_state, SSPACE = 104,
    FINALFUNC = cprof_hhi_final,
    COMBINEFUNC = cprof_hhi_combine,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE hhi(value integer) (
    SFUNC = cprof_hhi_trans, STYPE = cprof_hhi_state, SSPACE = 104,
    FINALFUNC = cprof_hhi_final,
    COMBINEFUNC = cprof_hhi_combine,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE cohort_ltv(profit numeric, tenure double precision, churned boolean) (
    SFUNC = cprof_cohort_ltv_trans, STYPE = cprof_cohort_ltv_state, SSPACE = 112,
    FINALFUNC = cprof_cohort_ltv_final,
    COMBINEFUNC = cprof_cohort_ltv_combine,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE cohort_ltv(profit numeric, tenure double precision, churned boolean, discount double precision) (
    SFUNC = cprof_cohort_ltv_trans, STYPE = cprof_cohort_ltv_state, SSPACE = 112,
    FINALFUNC = cprof_cohort_ltv_final,
    COMBINEFUNC = cprof_cohort_ltv_combine,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE rfm(purchased_at date, amount numeric, as_of date, unit interval) (
    SFUNC = cprof_rfm_trans, STYPE = cprof_rfm_state, SSPACE = 176,
    FINALFUNC = cprof_rfm_final,
    COMBINEFUNC = cprof_rfm_combine,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE rfm(purchased_at timestamptz, amount numeric, as_of timestamptz, unit interval) (
    SFUNC = cprof_rfm_trans, STYPE = cprof_rfm_state, SSPACE = 176,
    FINALFUNC = cprof_rfm_final,
    COMBINEFUNC = cprof_rfm_combine,
    PARALLEL = SAFE);

-- the 1.0 support functions of STYPE internal
DROP FUNCTION cprof_client_profit_combine(internal, internal);
DROP FUNCTION cprof_client_profit_serialize(internal);
DROP FUNCTION cprof_client_profit_deserialize(bytea, internal);
DROP FUNCTION cprof_client_profit_final(internal);
DROP FUNCTION cprof_client_profit_numeric_final(internal);
DROP FUNCTION cprof_client_profit_float8_final(internal);
DROP FUNCTION cprof_client_profit_trans(internal, numeric, numeric);
DROP FUNCTION cprof_client_profit_minv(internal, numeric, numeric);
DROP FUNCTION cprof_client_profit_trans(internal, double precision, double precision);
DROP FUNCTION cprof_client_profit_minv(internal, double precision, double precision);
DROP FUNCTION cprof_client_profit_trans(internal, smallint, smallint);
DROP FUNCTION cprof_client_profit_minv(internal, smallint, smallint);
DROP FUNCTION cprof_client_profit_trans(internal, integer, integer);
DROP FUNCTION cprof_client_profit_minv(internal, integer, integer);
DROP FUNCTION cprof_client_profit_trans(internal, bigint, bigint);
DROP FUNCTION cprof_client_profit_minv(internal, bigint, bigint);
DROP FUNCTION cprof_client_profit_trans(internal, numeric, text);
DROP FUNCTION cprof_client_profit_minv(internal, numeric, text);
DROP FUNCTION cprof_client_profit_trans(internal, double precision, text);
DROP FUNCTION cprof_client_profit_minv(internal, double precision, text);
DROP FUNCTION cprof_client_profit_trans(internal, smallint, text);
DROP FUNCTION cprof_client_profit_minv(internal, smallint, text);
DROP FUNCTION cprof_client_profit_trans(internal, integer, text);
DROP FUNCTION cprof_client_profit_minv(internal, integer, text);
DROP FUNCTION cprof_client_profit_trans(internal, bigint, text);
DROP FUNCTION cprof_client_profit_minv(internal, bigint, text);
DROP FUNCTION cprof_client_profit_trans(internal, profit);
DROP FUNCTION cprof_client_profit_minv(internal, profit);
DROP FUNCTION cprof_hhi_combine(internal, internal);
DROP FUNCTION cprof_hhi_serialize(internal);
DROP FUNCTION cprof_hhi_deserialize(bytea, internal);
DROP FUNCTION cprof_hhi_final(internal);
DROP FUNCTION cprof_hhi_trans(internal, numeric);
DROP FUNCTION cprof_hhi_trans(internal, double precision);
DROP FUNCTION cprof_hhi_trans(internal, integer);
DROP FUNCTION cprof_cohort_ltv_trans(internal, numeric, double precision, boolean);
DROP FUNCTION cprof_cohort_ltv_trans(internal, numeric, double precision, boolean, double precision);
DROP FUNCTION cprof_cohort_ltv_combine(internal, internal);
DROP FUNCTION cprof_cohort_ltv_serialize(internal);
DROP FUNCTION cprof_cohort_ltv_deserialize(bytea, internal);
DROP FUNCTION cprof_cohort_ltv_final(internal);
DROP FUNCTION cprof_rfm_trans(internal, date, numeric, date, interval);
DROP FUNCTION cprof_rfm_trans(internal, timestamptz, numeric, timestamptz, interval);
DROP FUNCTION cprof_rfm_combine(internal, internal);
DROP FUNCTION cprof_rfm_serialize(internal);
DROP FUNCTION cprof_rfm_deserialize(bytea, internal);
DROP FUNCTION cprof_rfm_final(internal);

/*
 * ---------------------------------------------------------------------------
 * State type of the model fits (bgnbd_fit, pareto_nbd_fit, gamma_gamma_fit):
 * a base type as STYPE instead of internal, so that Citus can split them
 * (src/history.c).  As for the state types above: the type and its support
 * functions are new, the aggregates are replaced in place (users' views
 * survive), then the 1.0 support functions of STYPE internal are dropped.
 * ---------------------------------------------------------------------------
 */
CREATE TYPE cprof_history_state;
CREATE FUNCTION cprof_history_state_in(cstring) RETURNS cprof_history_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_history_state_in(cstring) IS 'input function of cprof_history_state: the text form, every invariant checked';
CREATE FUNCTION cprof_history_state_out(cprof_history_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_history_state_out(cprof_history_state) IS 'output function of cprof_history_state: the text form, exact and portable';
CREATE FUNCTION cprof_history_state_recv(internal) RETURNS cprof_history_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_history_state_recv(internal) IS 'receive function of cprof_history_state: the binary form, every invariant checked';
CREATE FUNCTION cprof_history_state_send(cprof_history_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_history_state_send(cprof_history_state) IS 'send function of cprof_history_state: the binary form, portable';
CREATE TYPE cprof_history_state (
    INPUT = cprof_history_state_in, OUTPUT = cprof_history_state_out, RECEIVE = cprof_history_state_recv, SEND = cprof_history_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);
COMMENT ON TYPE cprof_history_state IS 'state of bgnbd_fit(), pareto_nbd_fit() and gamma_gamma_fit(): the distinct client histories, sorted, each with its number of clients; text form ''1 purchase clients=5 histories=0/0/10/2,1/2.5/10/3'' (frequency/recency/age/count) or ''1 spend clients=2 histories=2/12.5/1,3/40/1'' (frequency/monetary/count)';
CREATE FUNCTION cprof_history_trans(cprof_history_state, double precision, double precision, double precision) RETURNS cprof_history_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_history_trans(cprof_history_state, double precision, double precision, double precision) IS 'internal: transition function of bgnbd_fit() and pareto_nbd_fit()';
CREATE FUNCTION cprof_history_combine(cprof_history_state, cprof_history_state) RETURNS cprof_history_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION cprof_history_combine(cprof_history_state, cprof_history_state) IS 'internal: combine function of bgnbd_fit(), pareto_nbd_fit() and gamma_gamma_fit()';
CREATE FUNCTION cprof_bgnbd_fit_final(cprof_history_state) RETURNS bgnbd
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_bgnbd_fit_final(cprof_history_state) IS 'internal: final function of bgnbd_fit(): the maximum-likelihood fit';
CREATE FUNCTION cprof_gamma_gamma_fit_trans(cprof_history_state, double precision, double precision) RETURNS cprof_history_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_trans(cprof_history_state, double precision, double precision) IS 'internal: transition function of gamma_gamma_fit()';
CREATE FUNCTION cprof_gamma_gamma_fit_final(cprof_history_state) RETURNS gamma_gamma
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_final(cprof_history_state) IS 'internal: final function of gamma_gamma_fit(): the maximum-likelihood fit';
CREATE FUNCTION cprof_pareto_nbd_fit_final(cprof_history_state) RETURNS pareto_nbd
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_nbd_fit_final(cprof_history_state) IS 'internal: final function of pareto_nbd_fit(): the maximum-likelihood fit';

-- the aggregates, replaced in place
CREATE OR REPLACE AGGREGATE bgnbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = cprof_history_trans, STYPE = cprof_history_state, SSPACE = 65536,
    FINALFUNC = cprof_bgnbd_fit_final,
    COMBINEFUNC = cprof_history_combine,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE gamma_gamma_fit(frequency double precision, monetary double precision) (
    SFUNC = cprof_gamma_gamma_fit_trans, STYPE = cprof_history_state, SSPACE = 65536,
    FINALFUNC = cprof_gamma_gamma_fit_final,
    COMBINEFUNC = cprof_history_combine,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE pareto_nbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = cprof_history_trans, STYPE = cprof_history_state, SSPACE = 65536,
    FINALFUNC = cprof_pareto_nbd_fit_final,
    COMBINEFUNC = cprof_history_combine,
    PARALLEL = SAFE);

-- the 1.0 support functions of STYPE internal
DROP FUNCTION cprof_history_trans(internal, double precision, double precision, double precision);
DROP FUNCTION cprof_history_combine(internal, internal);
DROP FUNCTION cprof_history_serialize(internal);
DROP FUNCTION cprof_history_deserialize(bytea, internal);
DROP FUNCTION cprof_bgnbd_fit_final(internal);
DROP FUNCTION cprof_gamma_gamma_fit_trans(internal, double precision, double precision);
DROP FUNCTION cprof_gamma_gamma_fit_deserialize(bytea, internal);
DROP FUNCTION cprof_gamma_gamma_fit_final(internal);
DROP FUNCTION cprof_pareto_nbd_fit_final(internal);

/*
 * ---------------------------------------------------------------------------
 * Allocation: allocate, allocate_capacity, idle_capacity (docs/allocation.md)
 * ---------------------------------------------------------------------------
 */

-- allocate(amount, weight [, unit]): window function, largest-remainder
-- rounding.  One C function serves every overload (it reads the argument
-- types); not strict: a NULL weight gives a NULL part, NULL amounts and
-- parameters are checked in C.  A double precision amount takes double
-- precision weights only, so that an integer literal amount with numeric or
-- integer weights resolves to the exact numeric form.
CREATE FUNCTION allocate(amount numeric, weight numeric) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(numeric, numeric) IS 'window function: the row''s part of the partition''s amount in proportion to weight, rounded to the amount''s scale by the largest-remainder method so that the parts add up to the amount exactly; ties by the window''s ORDER BY';
CREATE FUNCTION allocate(amount numeric, weight numeric, unit numeric) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(numeric, numeric, numeric) IS 'window function: the row''s part of the partition''s amount in proportion to weight, in multiples of unit, by the largest-remainder method so that the parts add up to the amount exactly; ties by the window''s ORDER BY';
CREATE FUNCTION allocate(amount numeric, weight double precision) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(numeric, double precision) IS 'window function: the row''s part of the partition''s amount in proportion to weight (taken as weight::numeric), rounded to the amount''s scale by the largest-remainder method so that the parts add up to the amount exactly';
CREATE FUNCTION allocate(amount numeric, weight double precision, unit numeric) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(numeric, double precision, numeric) IS 'window function: the row''s part of the partition''s amount in proportion to weight (taken as weight::numeric), in multiples of unit, by the largest-remainder method so that the parts add up to the amount exactly';
CREATE FUNCTION allocate(amount numeric, weight integer) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(numeric, integer) IS 'window function: the row''s part of the partition''s amount in proportion to weight, rounded to the amount''s scale by the largest-remainder method so that the parts add up to the amount exactly';
CREATE FUNCTION allocate(amount numeric, weight integer, unit numeric) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(numeric, integer, numeric) IS 'window function: the row''s part of the partition''s amount in proportion to weight, in multiples of unit, by the largest-remainder method so that the parts add up to the amount exactly';
CREATE FUNCTION allocate(amount numeric, weight bigint) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(numeric, bigint) IS 'window function: the row''s part of the partition''s amount in proportion to weight, rounded to the amount''s scale by the largest-remainder method so that the parts add up to the amount exactly';
CREATE FUNCTION allocate(amount numeric, weight bigint, unit numeric) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(numeric, bigint, numeric) IS 'window function: the row''s part of the partition''s amount in proportion to weight, in multiples of unit, by the largest-remainder method so that the parts add up to the amount exactly';
CREATE FUNCTION allocate(amount double precision, weight double precision) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(double precision, double precision) IS 'window function: amount * weight / sum(weight) over the partition, unrounded, the residue of rounding added to the largest part so that the parts add up to the amount to the last bits';
CREATE FUNCTION allocate(amount double precision, weight double precision, unit numeric) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate(double precision, double precision, numeric) IS 'window function: the row''s part of the partition''s amount (taken as amount::numeric) in proportion to weight (weight::numeric), in multiples of unit, by the largest-remainder method';

-- allocate_capacity(amount, usage, capacity [, unit]): time-driven costing,
-- each row's usage at the rate amount / capacity; the parts add up to the
-- rounded total, the rest of the amount stays idle (idle_capacity).
CREATE FUNCTION allocate_capacity(amount numeric, usage numeric, capacity numeric) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate_capacity(numeric, numeric, numeric) IS 'window function: usage * amount / capacity (the row''s use at the capacity cost rate), rounded to the amount''s scale by the largest-remainder method so that the parts add up to the rounded sum(usage) * amount / capacity';
CREATE FUNCTION allocate_capacity(amount numeric, usage numeric, capacity numeric, unit numeric) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate_capacity(numeric, numeric, numeric, numeric) IS 'window function: usage * amount / capacity in multiples of unit, by the largest-remainder method so that the parts add up to sum(usage) * amount / capacity rounded to the unit';
CREATE FUNCTION allocate_capacity(amount numeric, usage double precision, capacity double precision) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate_capacity(numeric, double precision, double precision) IS 'window function: usage * amount / capacity (usage and capacity taken as ::numeric), rounded to the amount''s scale by the largest-remainder method so that the parts add up to the rounded sum(usage) * amount / capacity';
CREATE FUNCTION allocate_capacity(amount numeric, usage double precision, capacity double precision, unit numeric) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate_capacity(numeric, double precision, double precision, numeric) IS 'window function: usage * amount / capacity (usage and capacity taken as ::numeric) in multiples of unit, by the largest-remainder method so that the parts add up to the rounded total';
CREATE FUNCTION allocate_capacity(amount double precision, usage double precision, capacity double precision) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate_capacity(double precision, double precision, double precision) IS 'window function: amount * usage / capacity, unrounded, the residue of rounding added to the largest part so that the parts add up to amount * sum(usage) / capacity to the last bits';
CREATE FUNCTION allocate_capacity(amount double precision, usage double precision, capacity double precision, unit numeric) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION allocate_capacity(double precision, double precision, double precision, numeric) IS 'window function: usage * amount / capacity (all taken as ::numeric) in multiples of unit, by the largest-remainder method so that the parts add up to the rounded total';

-- idle_capacity(amount, usage, capacity [, unit]): what allocate_capacity
-- leaves unallocated, exactly; negative when usage exceeds capacity.  Its
-- state is a base type, so that Citus can split it (it moves states as
-- text); one form per overload, each with its own transition symbol.
CREATE TYPE cprof_idle_capacity_state;
CREATE FUNCTION cprof_idle_capacity_state_in(cstring) RETURNS cprof_idle_capacity_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_state_in(cstring) IS 'input function of cprof_idle_capacity_state: the text form, every invariant checked';
CREATE FUNCTION cprof_idle_capacity_state_out(cprof_idle_capacity_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_state_out(cprof_idle_capacity_state) IS 'output function of cprof_idle_capacity_state: the text form, exact and portable';
CREATE FUNCTION cprof_idle_capacity_state_recv(internal) RETURNS cprof_idle_capacity_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_state_recv(internal) IS 'receive function of cprof_idle_capacity_state: the binary form, every invariant checked';
CREATE FUNCTION cprof_idle_capacity_state_send(cprof_idle_capacity_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_state_send(cprof_idle_capacity_state) IS 'send function of cprof_idle_capacity_state: the binary form, portable';
CREATE TYPE cprof_idle_capacity_state (
    INPUT = cprof_idle_capacity_state_in, OUTPUT = cprof_idle_capacity_state_out, RECEIVE = cprof_idle_capacity_state_recv, SEND = cprof_idle_capacity_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);
COMMENT ON TYPE cprof_idle_capacity_state IS 'state of idle_capacity(): the rows with and without an amount, the pool (amount, capacity, unit) and the exact sum of the usages; text form ''1 numeric_unit rows=3 null_rows=0 amount=250000.00 capacity=1000000 unit=0.05 usage=1234.5/3''';
CREATE FUNCTION cprof_idle_capacity_trans(cprof_idle_capacity_state, numeric, numeric, numeric) RETURNS cprof_idle_capacity_state
    AS 'MODULE_PATHNAME', 'cprof_idle_capacity_trans_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_trans(cprof_idle_capacity_state, numeric, numeric, numeric) IS 'internal: transition function of idle_capacity(numeric, numeric, numeric)';
CREATE FUNCTION cprof_idle_capacity_trans(cprof_idle_capacity_state, numeric, numeric, numeric, numeric) RETURNS cprof_idle_capacity_state
    AS 'MODULE_PATHNAME', 'cprof_idle_capacity_trans_numeric_unit' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_trans(cprof_idle_capacity_state, numeric, numeric, numeric, numeric) IS 'internal: transition function of idle_capacity(numeric, numeric, numeric, numeric)';
CREATE FUNCTION cprof_idle_capacity_trans(cprof_idle_capacity_state, numeric, double precision, double precision) RETURNS cprof_idle_capacity_state
    AS 'MODULE_PATHNAME', 'cprof_idle_capacity_trans_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_trans(cprof_idle_capacity_state, numeric, double precision, double precision) IS 'internal: transition function of idle_capacity(numeric, double precision, double precision)';
CREATE FUNCTION cprof_idle_capacity_trans(cprof_idle_capacity_state, numeric, double precision, double precision, numeric) RETURNS cprof_idle_capacity_state
    AS 'MODULE_PATHNAME', 'cprof_idle_capacity_trans_float8_unit' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_trans(cprof_idle_capacity_state, numeric, double precision, double precision, numeric) IS 'internal: transition function of idle_capacity(numeric, double precision, double precision, numeric)';
CREATE FUNCTION cprof_idle_capacity_combine(cprof_idle_capacity_state, cprof_idle_capacity_state) RETURNS cprof_idle_capacity_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION cprof_idle_capacity_combine(cprof_idle_capacity_state, cprof_idle_capacity_state) IS 'internal: combine function of idle_capacity()';
CREATE FUNCTION cprof_idle_capacity_final(cprof_idle_capacity_state) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_final(cprof_idle_capacity_state) IS 'internal: final function of idle_capacity()';
CREATE AGGREGATE idle_capacity(amount numeric, usage numeric, capacity numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = cprof_idle_capacity_state, SSPACE = 160,
    FINALFUNC = cprof_idle_capacity_final,
    COMBINEFUNC = cprof_idle_capacity_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE idle_capacity(numeric, numeric, numeric) IS 'amount - the parts allocate_capacity(amount, usage, capacity) gives over the same rows: the cost of unused capacity, exactly; negative when usage exceeds capacity';
CREATE AGGREGATE idle_capacity(amount numeric, usage numeric, capacity numeric, unit numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = cprof_idle_capacity_state, SSPACE = 160,
    FINALFUNC = cprof_idle_capacity_final,
    COMBINEFUNC = cprof_idle_capacity_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE idle_capacity(numeric, numeric, numeric, numeric) IS 'amount - the parts allocate_capacity(amount, usage, capacity, unit) gives over the same rows, exactly; negative when usage exceeds capacity';
CREATE AGGREGATE idle_capacity(amount numeric, usage double precision, capacity double precision) (
    SFUNC = cprof_idle_capacity_trans, STYPE = cprof_idle_capacity_state, SSPACE = 160,
    FINALFUNC = cprof_idle_capacity_final,
    COMBINEFUNC = cprof_idle_capacity_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE idle_capacity(numeric, double precision, double precision) IS 'amount - the parts allocate_capacity(amount, usage, capacity) gives over the same rows: the cost of unused capacity, exactly; negative when usage exceeds capacity';
CREATE AGGREGATE idle_capacity(amount numeric, usage double precision, capacity double precision, unit numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = cprof_idle_capacity_state, SSPACE = 160,
    FINALFUNC = cprof_idle_capacity_final,
    COMBINEFUNC = cprof_idle_capacity_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE idle_capacity(numeric, double precision, double precision, numeric) IS 'amount - the parts allocate_capacity(amount, usage, capacity, unit) gives over the same rows, exactly; negative when usage exceeds capacity';

/*
 * ---------------------------------------------------------------------------
 * Probabilistic CLV: each clv() overload gets its own C symbol (1.0 chose the
 * model at run time by the name of the record's third field); hyp2f1 is
 * computed by transformations, not its power series alone.
 * ---------------------------------------------------------------------------
 */
CREATE OR REPLACE FUNCTION clv(purchases bgnbd, spend gamma_gamma, frequency double precision, recency double precision,
                               age double precision, monetary double precision, months integer,
                               monthly_discount double precision, units_per_month double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'clv_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION clv(purchases pareto_nbd, spend gamma_gamma, frequency double precision, recency double precision,
                               age double precision, monetary double precision, months integer,
                               monthly_discount double precision, units_per_month double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'clv_pareto_nbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hyp2f1(double precision, double precision, double precision, double precision) IS 'Gauss hypergeometric function 2F1(a, b; c; z) for -1 < z < 1, to 1e-10 relative (power series, Pfaff and Euler transformations, continuation toward z = 1); 22003 when out of range or not computable to that accuracy';
