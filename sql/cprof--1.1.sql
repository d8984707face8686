/* sql/cprof--1.1.sql */
\echo Use "CREATE EXTENSION cprof" to load this file. \quit

/*
 * cprof is a trusted extension: a database owner may run this script, which
 * then runs as the bootstrap superuser in a schema the owner chose, perhaps
 * one where others can create objects.  So every section follows these
 * rules (docs/install.md; test 03_install checks the catalog side):
 * plain CREATE of new objects, never OR REPLACE or IF NOT EXISTS; only
 * DDL, with constants as defaults; functions in C (a SQL or PL body is
 * parsed at run time with the caller's search_path, and a relocatable
 * extension cannot name its own schema in it: one is allowed only with
 * SET search_path = pg_catalog, pg_temp and no use of cprof's objects); no
 * SET search_path, DO blocks or queries; functions named with their exact
 * argument types wherever they are referred to.
 */

/*
 * ---------------------------------------------------------------------------
 * client_profit: the customer P&L (docs/domain.md section 1)
 * ---------------------------------------------------------------------------
 */

CREATE TYPE profit AS (
    revenue numeric,
    discount numeric,
    cogs numeric,
    gross_profit numeric,
    cost_to_serve numeric,
    contribution numeric,
    acquisition numeric,
    bad_debt numeric,
    net_profit numeric,
    referral numeric,
    total_value numeric,
    margin double precision,
    entries bigint
);
COMMENT ON TYPE profit IS 'customer P&L waterfall: revenue - discount - cogs = gross_profit; - cost_to_serve = contribution; - acquisition - bad_debt = net_profit; + referral = total_value; margin = net_profit / revenue, NULL unless revenue > 0';

-- Support functions shared by every client_profit aggregate.  The
-- transition and inverse functions are overloaded on the input types, one
-- C symbol each; none is strict (NULL arguments have meaning).
--
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

-- client_profit(revenue, cost): total revenue minus total cost.
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, numeric, numeric) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, numeric, numeric) IS 'internal: transition function of client_profit(numeric, numeric)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, numeric, numeric) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, numeric, numeric) IS 'internal: inverse transition function of client_profit(numeric, numeric) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue numeric, cost numeric) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 64,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 64, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(numeric, numeric) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (exact numeric result)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, double precision, double precision) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, double precision, double precision) IS 'internal: transition function of client_profit(double precision, double precision)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, double precision, double precision) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, double precision, double precision) IS 'internal: inverse transition function of client_profit(double precision, double precision) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue double precision, cost double precision) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 72,
    FINALFUNC = cprof_client_profit_float8_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 72, MFINALFUNC = cprof_client_profit_float8_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(double precision, double precision) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (compensated double precision sum)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, smallint, smallint) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, smallint, smallint) IS 'internal: transition function of client_profit(smallint, smallint)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, smallint, smallint) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, smallint, smallint) IS 'internal: inverse transition function of client_profit(smallint, smallint) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue smallint, cost smallint) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 64,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 64, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(smallint, smallint) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (exact numeric result)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, integer, integer) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, integer, integer) IS 'internal: transition function of client_profit(integer, integer)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, integer, integer) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, integer, integer) IS 'internal: inverse transition function of client_profit(integer, integer) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue integer, cost integer) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 64,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 64, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(integer, integer) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (exact numeric result)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, bigint, bigint) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_net_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, bigint, bigint) IS 'internal: transition function of client_profit(bigint, bigint)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, bigint, bigint) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_net_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, bigint, bigint) IS 'internal: inverse transition function of client_profit(bigint, bigint) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue bigint, cost bigint) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 64,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 64, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(bigint, bigint) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (exact numeric result)';

-- client_profit(amount, kind): the waterfall from a ledger of categorized entries.
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, numeric, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, numeric, text) IS 'internal: transition function of client_profit(numeric, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, numeric, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_numeric' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, numeric, text) IS 'internal: inverse transition function of client_profit(numeric, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount numeric, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(numeric, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (exact)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, double precision, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, double precision, text) IS 'internal: transition function of client_profit(double precision, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, double precision, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_float8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, double precision, text) IS 'internal: inverse transition function of client_profit(double precision, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount double precision, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 312,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 312, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(double precision, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (double precision amounts summed with compensation)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, smallint, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, smallint, text) IS 'internal: transition function of client_profit(smallint, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, smallint, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, smallint, text) IS 'internal: inverse transition function of client_profit(smallint, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount smallint, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(smallint, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (exact)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, integer, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, integer, text) IS 'internal: transition function of client_profit(integer, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, integer, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, integer, text) IS 'internal: inverse transition function of client_profit(integer, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount integer, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(integer, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (exact)';
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, bigint, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_ledger_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, bigint, text) IS 'internal: transition function of client_profit(bigint, text)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, bigint, text) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_ledger_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, bigint, text) IS 'internal: inverse transition function of client_profit(bigint, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount bigint, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(bigint, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (exact)';

-- client_profit(profit): re-aggregates profit values (monthly to yearly).
CREATE FUNCTION cprof_client_profit_trans(cprof_client_profit_state, profit) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_trans_rollup' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(cprof_client_profit_state, profit) IS 'internal: transition function of client_profit(profit)';
CREATE FUNCTION cprof_client_profit_minv(cprof_client_profit_state, profit) RETURNS cprof_client_profit_state
    AS 'MODULE_PATHNAME', 'cprof_client_profit_minv_rollup' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(cprof_client_profit_state, profit) IS 'internal: inverse transition function of client_profit(profit) (moving aggregate)';
CREATE AGGREGATE client_profit(profit) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, SSPACE = 280,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = cprof_client_profit_state, MSSPACE = 280, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(profit) IS 're-aggregates profit values exactly, as if the raw ledger rows had been aggregated (derived fields are checked against the lines)';

/*
 * ---------------------------------------------------------------------------
 * Concentration: pareto_share and its family (docs/domain.md section 2)
 *
 * One value per client, NULLs ignored, results double precision.  numeric
 * values are converted to double precision as they are read (value::double
 * precision, correctly rounded), so the state keeps 8 bytes per value.
 * ---------------------------------------------------------------------------
 */

-- Support functions shared by every aggregate of the family but hhi.
CREATE FUNCTION cprof_pareto_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_combine(internal, internal) IS 'internal: combine function of the concentration aggregates (pareto_share, pareto_fraction, pareto_curve, gini, top_share)';
CREATE FUNCTION cprof_pareto_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_serialize(internal) IS 'internal: serialize function of the concentration aggregates (8 bytes per value, at most about 134 million values)';
CREATE FUNCTION cprof_pareto_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_deserialize(bytea, internal) IS 'internal: deserialize function of the concentration aggregates';
CREATE FUNCTION cprof_pareto_share_final(internal) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_share_final(internal) IS 'internal: final function of pareto_share(value [, top_fraction])';
CREATE FUNCTION cprof_pareto_shares_final(internal) RETURNS double precision[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_shares_final(internal) IS 'internal: final function of pareto_share(value, fractions)';
CREATE FUNCTION cprof_pareto_fraction_final(internal) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_fraction_final(internal) IS 'internal: final function of pareto_fraction(value [, share])';
CREATE FUNCTION cprof_pareto_curve_final(internal) RETURNS double precision[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_curve_final(internal) IS 'internal: final function of pareto_curve(value, points)';
CREATE FUNCTION cprof_gini_final(internal) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gini_final(internal) IS 'internal: final function of gini(value)';
CREATE FUNCTION cprof_top_share_final(internal) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_top_share_final(internal) IS 'internal: final function of top_share(value, n)';


-- numeric values
CREATE FUNCTION cprof_pareto_trans(internal, numeric) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_trans(internal, numeric) IS 'internal: transition function of pareto_share(numeric), pareto_fraction(numeric) and gini(numeric)';
CREATE FUNCTION cprof_pareto_share_trans(internal, numeric, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_share_trans(internal, numeric, double precision) IS 'internal: transition function of pareto_share(numeric, double precision)';
CREATE FUNCTION cprof_pareto_share_trans(internal, numeric, double precision[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_share_trans(internal, numeric, double precision[]) IS 'internal: transition function of pareto_share(numeric, double precision[])';
CREATE FUNCTION cprof_pareto_fraction_trans(internal, numeric, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_fraction_trans(internal, numeric, double precision) IS 'internal: transition function of pareto_fraction(numeric, double precision)';
CREATE FUNCTION cprof_pareto_curve_trans(internal, numeric, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_curve_trans(internal, numeric, integer) IS 'internal: transition function of pareto_curve(numeric, integer)';
CREATE FUNCTION cprof_top_share_trans(internal, numeric, bigint) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_top_share_trans(internal, numeric, bigint) IS 'internal: transition function of top_share(numeric, bigint)';
CREATE AGGREGATE pareto_share(value numeric) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(numeric) IS 'share of the total held by the largest 20% of the values (pareto_share(value, 0.2)); NULL for no value or a total of 0';
CREATE AGGREGATE pareto_share(value numeric, top_fraction double precision) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(numeric, double precision) IS 'L(top_fraction): share of the total held by the largest top_fraction of the values, linearly interpolated between values; above 1 when some values are negative';
CREATE AGGREGATE pareto_share(value numeric, fractions double precision[]) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_shares_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(numeric, double precision[]) IS 'pareto_share(value, f) for each fraction f of the array, in one pass';
CREATE AGGREGATE pareto_fraction(value numeric) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_fraction_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_fraction(numeric) IS 'smallest fraction of the values, largest first, that holds 80% of the total (pareto_fraction(value, 0.8))';
CREATE AGGREGATE pareto_fraction(value numeric, share double precision) (
    SFUNC = cprof_pareto_fraction_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_fraction_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_fraction(numeric, double precision) IS 'smallest fraction f of the values, largest first, with L(f) >= share (interpolated); NULL when L never reaches share';
CREATE AGGREGATE pareto_curve(value numeric, points integer) (
    SFUNC = cprof_pareto_curve_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_curve_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_curve(numeric, integer) IS 'the cumulative share curve L at 0, 1/points, ..., 1 (points + 1 numbers): the Lorenz or whale curve, largest values first';
CREATE AGGREGATE gini(value numeric) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_gini_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE gini(numeric) IS 'Gini coefficient 1 - 2A, A the area under the ascending Lorenz curve (trapezoids); 0 when all values are equal';
CREATE AGGREGATE top_share(value numeric, n bigint) (
    SFUNC = cprof_top_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_top_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE top_share(numeric, bigint) IS 'share of the total held by the n largest values';
CREATE FUNCTION pareto_class(value numeric) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION pareto_class(numeric) IS 'window function: ABC class of the row within its partition, pareto_class(value, 0.8, 0.95)';
CREATE FUNCTION pareto_class(value numeric, a_share double precision, b_share double precision) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION pareto_class(numeric, double precision, double precision) IS 'window function: A when the values larger than the row''s hold less than a_share of the partition''s total, else B when they hold less than b_share, else C; ties get the same class';

-- double precision values
CREATE FUNCTION cprof_pareto_trans(internal, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_trans(internal, double precision) IS 'internal: transition function of pareto_share(double precision), pareto_fraction(double precision) and gini(double precision)';
CREATE FUNCTION cprof_pareto_share_trans(internal, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_share_trans(internal, double precision, double precision) IS 'internal: transition function of pareto_share(double precision, double precision)';
CREATE FUNCTION cprof_pareto_share_trans(internal, double precision, double precision[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_share_trans(internal, double precision, double precision[]) IS 'internal: transition function of pareto_share(double precision, double precision[])';
CREATE FUNCTION cprof_pareto_fraction_trans(internal, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_fraction_trans(internal, double precision, double precision) IS 'internal: transition function of pareto_fraction(double precision, double precision)';
CREATE FUNCTION cprof_pareto_curve_trans(internal, double precision, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_curve_trans(internal, double precision, integer) IS 'internal: transition function of pareto_curve(double precision, integer)';
CREATE FUNCTION cprof_top_share_trans(internal, double precision, bigint) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_top_share_trans(internal, double precision, bigint) IS 'internal: transition function of top_share(double precision, bigint)';
CREATE AGGREGATE pareto_share(value double precision) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(double precision) IS 'share of the total held by the largest 20% of the values (pareto_share(value, 0.2)); NULL for no value or a total of 0';
CREATE AGGREGATE pareto_share(value double precision, top_fraction double precision) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(double precision, double precision) IS 'L(top_fraction): share of the total held by the largest top_fraction of the values, linearly interpolated between values; above 1 when some values are negative';
CREATE AGGREGATE pareto_share(value double precision, fractions double precision[]) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_shares_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(double precision, double precision[]) IS 'pareto_share(value, f) for each fraction f of the array, in one pass';
CREATE AGGREGATE pareto_fraction(value double precision) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_fraction_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_fraction(double precision) IS 'smallest fraction of the values, largest first, that holds 80% of the total (pareto_fraction(value, 0.8))';
CREATE AGGREGATE pareto_fraction(value double precision, share double precision) (
    SFUNC = cprof_pareto_fraction_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_fraction_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_fraction(double precision, double precision) IS 'smallest fraction f of the values, largest first, with L(f) >= share (interpolated); NULL when L never reaches share';
CREATE AGGREGATE pareto_curve(value double precision, points integer) (
    SFUNC = cprof_pareto_curve_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_curve_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_curve(double precision, integer) IS 'the cumulative share curve L at 0, 1/points, ..., 1 (points + 1 numbers): the Lorenz or whale curve, largest values first';
CREATE AGGREGATE gini(value double precision) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_gini_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE gini(double precision) IS 'Gini coefficient 1 - 2A, A the area under the ascending Lorenz curve (trapezoids); 0 when all values are equal';
CREATE AGGREGATE top_share(value double precision, n bigint) (
    SFUNC = cprof_top_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_top_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE top_share(double precision, bigint) IS 'share of the total held by the n largest values';
CREATE FUNCTION pareto_class(value double precision) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION pareto_class(double precision) IS 'window function: ABC class of the row within its partition, pareto_class(value, 0.8, 0.95)';
CREATE FUNCTION pareto_class(value double precision, a_share double precision, b_share double precision) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION pareto_class(double precision, double precision, double precision) IS 'window function: A when the values larger than the row''s hold less than a_share of the partition''s total, else B when they hold less than b_share, else C; ties get the same class';

-- integer values
CREATE FUNCTION cprof_pareto_trans(internal, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_trans(internal, integer) IS 'internal: transition function of pareto_share(integer), pareto_fraction(integer) and gini(integer)';
CREATE FUNCTION cprof_pareto_share_trans(internal, integer, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_share_trans(internal, integer, double precision) IS 'internal: transition function of pareto_share(integer, double precision)';
CREATE FUNCTION cprof_pareto_share_trans(internal, integer, double precision[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_share_trans(internal, integer, double precision[]) IS 'internal: transition function of pareto_share(integer, double precision[])';
CREATE FUNCTION cprof_pareto_fraction_trans(internal, integer, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_fraction_trans(internal, integer, double precision) IS 'internal: transition function of pareto_fraction(integer, double precision)';
CREATE FUNCTION cprof_pareto_curve_trans(internal, integer, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_curve_trans(internal, integer, integer) IS 'internal: transition function of pareto_curve(integer, integer)';
CREATE FUNCTION cprof_top_share_trans(internal, integer, bigint) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_top_share_trans(internal, integer, bigint) IS 'internal: transition function of top_share(integer, bigint)';
CREATE AGGREGATE pareto_share(value integer) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(integer) IS 'share of the total held by the largest 20% of the values (pareto_share(value, 0.2)); NULL for no value or a total of 0';
CREATE AGGREGATE pareto_share(value integer, top_fraction double precision) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(integer, double precision) IS 'L(top_fraction): share of the total held by the largest top_fraction of the values, linearly interpolated between values; above 1 when some values are negative';
CREATE AGGREGATE pareto_share(value integer, fractions double precision[]) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_shares_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_share(integer, double precision[]) IS 'pareto_share(value, f) for each fraction f of the array, in one pass';
CREATE AGGREGATE pareto_fraction(value integer) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_fraction_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_fraction(integer) IS 'smallest fraction of the values, largest first, that holds 80% of the total (pareto_fraction(value, 0.8))';
CREATE AGGREGATE pareto_fraction(value integer, share double precision) (
    SFUNC = cprof_pareto_fraction_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_fraction_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_fraction(integer, double precision) IS 'smallest fraction f of the values, largest first, with L(f) >= share (interpolated); NULL when L never reaches share';
CREATE AGGREGATE pareto_curve(value integer, points integer) (
    SFUNC = cprof_pareto_curve_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_pareto_curve_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_curve(integer, integer) IS 'the cumulative share curve L at 0, 1/points, ..., 1 (points + 1 numbers): the Lorenz or whale curve, largest values first';
CREATE AGGREGATE gini(value integer) (
    SFUNC = cprof_pareto_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_gini_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE gini(integer) IS 'Gini coefficient 1 - 2A, A the area under the ascending Lorenz curve (trapezoids); 0 when all values are equal';
CREATE AGGREGATE top_share(value integer, n bigint) (
    SFUNC = cprof_top_share_trans, STYPE = internal, SSPACE = 1024,
    FINALFUNC = cprof_top_share_final,
    COMBINEFUNC = cprof_pareto_combine,
    SERIALFUNC = cprof_pareto_serialize, DESERIALFUNC = cprof_pareto_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE top_share(integer, bigint) IS 'share of the total held by the n largest values';
CREATE FUNCTION pareto_class(value integer) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION pareto_class(integer) IS 'window function: ABC class of the row within its partition, pareto_class(value, 0.8, 0.95)';
CREATE FUNCTION pareto_class(value integer, a_share double precision, b_share double precision) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION pareto_class(integer, double precision, double precision) IS 'window function: A when the values larger than the row''s hold less than a_share of the partition''s total, else B when they hold less than b_share, else C; ties get the same class';

-- hhi(value): the Herfindahl-Hirschman index, whose state is three numbers
-- of a type of its own.
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
CREATE AGGREGATE hhi(value numeric) (
    SFUNC = cprof_hhi_trans, STYPE = cprof_hhi_state, SSPACE = 104,
    FINALFUNC = cprof_hhi_final,
    COMBINEFUNC = cprof_hhi_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE hhi(numeric) IS 'Herfindahl-Hirschman index: sum of the squared shares of the total, between 1/n and 1 for non-negative values';
CREATE AGGREGATE hhi(value double precision) (
    SFUNC = cprof_hhi_trans, STYPE = cprof_hhi_state, SSPACE = 104,
    FINALFUNC = cprof_hhi_final,
    COMBINEFUNC = cprof_hhi_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE hhi(double precision) IS 'Herfindahl-Hirschman index: sum of the squared shares of the total, between 1/n and 1 for non-negative values';
CREATE AGGREGATE hhi(value integer) (
    SFUNC = cprof_hhi_trans, STYPE = cprof_hhi_state, SSPACE = 104,
    FINALFUNC = cprof_hhi_final,
    COMBINEFUNC = cprof_hhi_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE hhi(integer) IS 'Herfindahl-Hirschman index: sum of the squared shares of the total, between 1/n and 1 for non-negative values';

/*
 * ---------------------------------------------------------------------------
 * Lifetime value: ltv, expected_tenure, cohort_ltv (docs/domain.md section 3)
 * ---------------------------------------------------------------------------
 */

-- ltv(margin, retention [, discount [, periods]]): closed forms of
-- sum over t = 1..periods of margin * retention^(t-1) / (1 + discount)^t.
-- One C function serves every overload; the result has the margin's type.
-- An integer margin resolves to the double precision overload (PostgreSQL's
-- preferred numeric type), as round(5) and sqrt(4) do.
CREATE FUNCTION ltv(margin numeric, retention double precision, discount double precision DEFAULT 0)
    RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(numeric, double precision, double precision) IS 'lifetime value over an unlimited horizon: margin / (1 + discount - retention), rounded to 15 significant digits';
CREATE FUNCTION ltv(margin numeric, retention double precision, discount double precision, periods integer)
    RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(numeric, double precision, double precision, integer) IS 'lifetime value over a horizon of periods: sum of margin * retention^(t-1) / (1 + discount)^t for t = 1..periods, rounded to 15 significant digits';
CREATE FUNCTION ltv(margin double precision, retention double precision, discount double precision DEFAULT 0)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(double precision, double precision, double precision) IS 'lifetime value over an unlimited horizon: margin / (1 + discount - retention)';
CREATE FUNCTION ltv(margin double precision, retention double precision, discount double precision, periods integer)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(double precision, double precision, double precision, integer) IS 'lifetime value over a horizon of periods: sum of margin * retention^(t-1) / (1 + discount)^t for t = 1..periods';

CREATE FUNCTION expected_tenure(retention double precision) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expected_tenure(double precision) IS 'expected number of periods a client stays, 1 / (1 - retention)';

-- cohort_ltv(profit, tenure, churned [, discount]): churn and lifetime value
-- of a cohort estimated from right-censored tenures (exponential lifetimes).
CREATE TYPE cohort_value AS (
    clients bigint,
    churned bigint,
    exposure double precision,
    churn_rate double precision,
    retention double precision,
    expected_tenure double precision,
    margin numeric,
    ltv numeric
);
COMMENT ON TYPE cohort_value IS 'cohort estimates: clients, churned, exposure = total tenure, retention = exp(-churned / exposure) per period, churn_rate = 1 - retention, expected_tenure = 1 / churn_rate, margin = profit / exposure, ltv = margin / (churn_rate + discount)';

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

CREATE AGGREGATE cohort_ltv(profit numeric, tenure double precision, churned boolean) (
    SFUNC = cprof_cohort_ltv_trans, STYPE = cprof_cohort_ltv_state, SSPACE = 112,
    FINALFUNC = cprof_cohort_ltv_final,
    COMBINEFUNC = cprof_cohort_ltv_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE cohort_ltv(numeric, double precision, boolean) IS 'churn and lifetime value of a cohort from one row per client (total profit, observed tenure in periods, churned), tenures right-censored; no discounting';
CREATE AGGREGATE cohort_ltv(profit numeric, tenure double precision, churned boolean, discount double precision) (
    SFUNC = cprof_cohort_ltv_trans, STYPE = cprof_cohort_ltv_state, SSPACE = 112,
    FINALFUNC = cprof_cohort_ltv_final,
    COMBINEFUNC = cprof_cohort_ltv_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE cohort_ltv(numeric, double precision, boolean, double precision) IS 'churn and lifetime value of a cohort from one row per client (total profit, observed tenure in periods, churned), tenures right-censored; discount per period, the same for every row of a group';

/*
 * ---------------------------------------------------------------------------
 * Probabilistic CLV: rfm, BG/NBD, Gamma-Gamma (docs/domain.md section 3)
 * ---------------------------------------------------------------------------
 */

CREATE TYPE rfm AS (
    frequency integer,
    recency double precision,
    age double precision,
    monetary numeric,
    first_purchase date,
    last_purchase date
);
COMMENT ON TYPE rfm IS 'per-client purchase summary: frequency = repeat purchase days, recency = first to last purchase day, age = first purchase day to as_of (in units), monetary = mean spend of the repeat purchase days';

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
CREATE AGGREGATE rfm(purchased_at date, amount numeric, as_of date, unit interval) (
    SFUNC = cprof_rfm_trans, STYPE = cprof_rfm_state, SSPACE = 176,
    FINALFUNC = cprof_rfm_final,
    COMBINEFUNC = cprof_rfm_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE rfm(date, numeric, date, interval) IS 'purchase summary of a client (frequency, recency, age, monetary) as of a day, times in multiples of unit';
CREATE AGGREGATE rfm(purchased_at timestamptz, amount numeric, as_of timestamptz, unit interval) (
    SFUNC = cprof_rfm_trans, STYPE = cprof_rfm_state, SSPACE = 176,
    FINALFUNC = cprof_rfm_final,
    COMBINEFUNC = cprof_rfm_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE rfm(timestamptz, numeric, timestamptz, interval) IS 'purchase summary of a client (frequency, recency, age, monetary) as of a time, days taken in the session time zone, times in multiples of unit';

CREATE FUNCTION hyp2f1(a double precision, b double precision, c double precision, z double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hyp2f1(double precision, double precision, double precision, double precision) IS 'Gauss hypergeometric function 2F1(a, b; c; z) for -1 < z < 1, to 1e-10 relative (power series, Pfaff and Euler transformations, continuation toward z = 1); 22003 when out of range or not computable to that accuracy';

-- BG/NBD (Fader, Hardie & Lee 2005)
CREATE TYPE bgnbd AS (
    r double precision,
    alpha double precision,
    a double precision,
    b double precision,
    log_likelihood double precision,
    clients bigint,
    converged boolean
);
COMMENT ON TYPE bgnbd IS 'fitted BG/NBD model: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b), with the log-likelihood of the fit, the number of clients and whether the optimizer converged';

-- The state of the model fits (src/history.c): a base type, so that Citus
-- can split them (it moves states as text).  One type for the three fits,
-- in two forms: 'purchase' (bgnbd_fit, pareto_nbd_fit) and 'spend'
-- (gamma_gamma_fit), each final function taking its own.
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
CREATE AGGREGATE bgnbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = cprof_history_trans, STYPE = cprof_history_state, SSPACE = 65536,
    FINALFUNC = cprof_bgnbd_fit_final,
    COMBINEFUNC = cprof_history_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE bgnbd_fit(double precision, double precision, double precision) IS 'maximum-likelihood fit of the BG/NBD model to client histories (frequency, recency, age as given by rfm())';

CREATE FUNCTION bgnbd_p_alive(model bgnbd, frequency double precision, recency double precision, age double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_p_alive(bgnbd, double precision, double precision, double precision) IS 'probability that a client with this history is still alive under a BG/NBD model';
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd, t double precision, frequency double precision, recency double precision, age double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd, double precision, double precision, double precision, double precision) IS 'expected purchases in the next t time units of a client with this history under a BG/NBD model';
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd, t double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd, double precision) IS 'expected purchases in the first t time units of a new client under a BG/NBD model';

-- Gamma-Gamma spend model (Fader, Hardie & Lee 2005)
CREATE TYPE gamma_gamma AS (
    p double precision,
    q double precision,
    v double precision,
    log_likelihood double precision,
    clients bigint,
    converged boolean
);
COMMENT ON TYPE gamma_gamma IS 'fitted Gamma-Gamma spend model: transaction value ~ Gamma(p, nu), nu ~ Gamma(q, v), with the log-likelihood of the fit, the number of clients and whether the optimizer converged';

CREATE FUNCTION cprof_gamma_gamma_fit_trans(cprof_history_state, double precision, double precision) RETURNS cprof_history_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_trans(cprof_history_state, double precision, double precision) IS 'internal: transition function of gamma_gamma_fit()';
CREATE FUNCTION cprof_gamma_gamma_fit_final(cprof_history_state) RETURNS gamma_gamma
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_final(cprof_history_state) IS 'internal: final function of gamma_gamma_fit(): the maximum-likelihood fit';
CREATE AGGREGATE gamma_gamma_fit(frequency double precision, monetary double precision) (
    SFUNC = cprof_gamma_gamma_fit_trans, STYPE = cprof_history_state, SSPACE = 65536,
    FINALFUNC = cprof_gamma_gamma_fit_final,
    COMBINEFUNC = cprof_history_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE gamma_gamma_fit(double precision, double precision) IS 'maximum-likelihood fit of the Gamma-Gamma spend model to the clients with frequency > 0 (frequency and monetary as given by rfm())';

CREATE FUNCTION gamma_gamma_expected_value(model gamma_gamma, frequency double precision, monetary double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gamma_gamma_expected_value(gamma_gamma, double precision, double precision) IS 'expected average transaction value of a client with this frequency and mean repeat spend under a Gamma-Gamma model';

-- CLV from a purchase model and a spend model
CREATE FUNCTION clv(purchases bgnbd, spend gamma_gamma, frequency double precision, recency double precision,
                    age double precision, monetary double precision, months integer,
                    monthly_discount double precision, units_per_month double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'clv_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(bgnbd, gamma_gamma, double precision, double precision, double precision, double precision, integer, double precision, double precision) IS 'customer lifetime value over the next months: expected purchases per month (BG/NBD) x expected value (Gamma-Gamma), month i discounted by (1 + monthly_discount)^i; units_per_month model time units make a month';

-- Pareto/NBD (Schmittlein, Morrison & Colombo 1987)
CREATE TYPE pareto_nbd AS (
    r double precision,
    alpha double precision,
    s double precision,
    beta double precision,
    log_likelihood double precision,
    clients bigint,
    converged boolean
);
COMMENT ON TYPE pareto_nbd IS 'fitted Pareto/NBD model: purchase rate ~ Gamma(r, alpha), dropout rate ~ Gamma(s, beta), with the log-likelihood of the fit, the number of clients and whether the optimizer converged';

CREATE FUNCTION cprof_pareto_nbd_fit_final(cprof_history_state) RETURNS pareto_nbd
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_nbd_fit_final(cprof_history_state) IS 'internal: final function of pareto_nbd_fit(): the maximum-likelihood fit';
CREATE AGGREGATE pareto_nbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = cprof_history_trans, STYPE = cprof_history_state, SSPACE = 65536,
    FINALFUNC = cprof_pareto_nbd_fit_final,
    COMBINEFUNC = cprof_history_combine,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE pareto_nbd_fit(double precision, double precision, double precision) IS 'maximum-likelihood fit of the Pareto/NBD model to client histories (frequency, recency, age as given by rfm())';

CREATE FUNCTION pareto_nbd_p_alive(model pareto_nbd, frequency double precision, recency double precision, age double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pareto_nbd_p_alive(pareto_nbd, double precision, double precision, double precision) IS 'probability that a client with this history is still alive under a Pareto/NBD model';
CREATE FUNCTION pareto_nbd_expected_purchases(model pareto_nbd, t double precision, frequency double precision, recency double precision, age double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pareto_nbd_expected_purchases(pareto_nbd, double precision, double precision, double precision, double precision) IS 'expected purchases in the next t time units of a client with this history under a Pareto/NBD model';
CREATE FUNCTION pareto_nbd_expected_purchases(model pareto_nbd, t double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pareto_nbd_expected_purchases(pareto_nbd, double precision) IS 'expected purchases in the first t time units of a new client under a Pareto/NBD model';
CREATE FUNCTION clv(purchases pareto_nbd, spend gamma_gamma, frequency double precision, recency double precision,
                    age double precision, monetary double precision, months integer,
                    monthly_discount double precision, units_per_month double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'clv_pareto_nbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(pareto_nbd, gamma_gamma, double precision, double precision, double precision, double precision, integer, double precision, double precision) IS 'customer lifetime value over the next months: expected purchases per month (Pareto/NBD) x expected value (Gamma-Gamma), month i discounted by (1 + monthly_discount)^i; units_per_month model time units make a month';

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
