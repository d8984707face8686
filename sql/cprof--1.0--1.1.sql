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
-- leaves unallocated, exactly; negative when usage exceeds capacity.
CREATE FUNCTION cprof_idle_capacity_trans(internal, numeric, numeric, numeric) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_trans(internal, numeric, numeric, numeric) IS 'internal: transition function of idle_capacity(numeric, numeric, numeric)';
CREATE FUNCTION cprof_idle_capacity_trans(internal, numeric, numeric, numeric, numeric) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_trans(internal, numeric, numeric, numeric, numeric) IS 'internal: transition function of idle_capacity(numeric, numeric, numeric, numeric)';
CREATE FUNCTION cprof_idle_capacity_trans(internal, numeric, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_trans(internal, numeric, double precision, double precision) IS 'internal: transition function of idle_capacity(numeric, double precision, double precision)';
CREATE FUNCTION cprof_idle_capacity_trans(internal, numeric, double precision, double precision, numeric) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_trans(internal, numeric, double precision, double precision, numeric) IS 'internal: transition function of idle_capacity(numeric, double precision, double precision, numeric)';
CREATE FUNCTION cprof_idle_capacity_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_combine(internal, internal) IS 'internal: combine function of idle_capacity()';
CREATE FUNCTION cprof_idle_capacity_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_serialize(internal) IS 'internal: serialize function of idle_capacity()';
CREATE FUNCTION cprof_idle_capacity_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_deserialize(bytea, internal) IS 'internal: deserialize function of idle_capacity()';
CREATE FUNCTION cprof_idle_capacity_final(internal) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_idle_capacity_final(internal) IS 'internal: final function of idle_capacity()';
CREATE AGGREGATE idle_capacity(amount numeric, usage numeric, capacity numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_idle_capacity_final,
    COMBINEFUNC = cprof_idle_capacity_combine,
    SERIALFUNC = cprof_idle_capacity_serialize, DESERIALFUNC = cprof_idle_capacity_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE idle_capacity(numeric, numeric, numeric) IS 'amount - the parts allocate_capacity(amount, usage, capacity) gives over the same rows: the cost of unused capacity, exactly; negative when usage exceeds capacity';
CREATE AGGREGATE idle_capacity(amount numeric, usage numeric, capacity numeric, unit numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_idle_capacity_final,
    COMBINEFUNC = cprof_idle_capacity_combine,
    SERIALFUNC = cprof_idle_capacity_serialize, DESERIALFUNC = cprof_idle_capacity_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE idle_capacity(numeric, numeric, numeric, numeric) IS 'amount - the parts allocate_capacity(amount, usage, capacity, unit) gives over the same rows, exactly; negative when usage exceeds capacity';
CREATE AGGREGATE idle_capacity(amount numeric, usage double precision, capacity double precision) (
    SFUNC = cprof_idle_capacity_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_idle_capacity_final,
    COMBINEFUNC = cprof_idle_capacity_combine,
    SERIALFUNC = cprof_idle_capacity_serialize, DESERIALFUNC = cprof_idle_capacity_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE idle_capacity(numeric, double precision, double precision) IS 'amount - the parts allocate_capacity(amount, usage, capacity) gives over the same rows: the cost of unused capacity, exactly; negative when usage exceeds capacity';
CREATE AGGREGATE idle_capacity(amount numeric, usage double precision, capacity double precision, unit numeric) (
    SFUNC = cprof_idle_capacity_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_idle_capacity_final,
    COMBINEFUNC = cprof_idle_capacity_combine,
    SERIALFUNC = cprof_idle_capacity_serialize, DESERIALFUNC = cprof_idle_capacity_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE idle_capacity(numeric, double precision, double precision, numeric) IS 'amount - the parts allocate_capacity(amount, usage, capacity, unit) gives over the same rows, exactly; negative when usage exceeds capacity';
