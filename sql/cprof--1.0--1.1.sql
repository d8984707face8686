/* sql/cprof--1.0--1.1.sql */
\echo Use "ALTER EXTENSION cprof UPDATE TO '1.1'" to load this file. \quit

/*
 * Upgrade of an installed cprof 1.0 to 1.1.  Everything here must leave the
 * catalog exactly as sql/cprof--1.1.sql creates it (test 02_upgrade compares
 * the two).  Objects users' views may depend on are replaced in place
 * (CREATE OR REPLACE), never dropped; new objects use plain CREATE.
 */

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
