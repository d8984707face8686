/* sql/cprof--1.0.sql */
\echo Use "CREATE EXTENSION cprof" to load this file. \quit

/*
 * ---------------------------------------------------------------------------
 * client_profit: the customer P&L (DOMAIN.md section 1)
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
COMMENT ON TYPE profit IS 'customer P&L waterfall: revenue - discount - cogs = gross_profit; - cost_to_serve = contribution; - acquisition - bad_debt = net_profit; + referral = total_value; margin = net_profit / revenue';

-- Support functions shared by every client_profit aggregate.  The
-- transition and inverse functions are overloaded on the input types and
-- dispatch on them in C; none is strict (NULL arguments have meaning).
CREATE FUNCTION cprof_client_profit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_combine(internal, internal) IS 'internal: combine function of client_profit()';
CREATE FUNCTION cprof_client_profit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_serialize(internal) IS 'internal: serialize function of client_profit()';
CREATE FUNCTION cprof_client_profit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_deserialize(bytea, internal) IS 'internal: deserialize function of client_profit()';
CREATE FUNCTION cprof_client_profit_final(internal) RETURNS profit
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_final(internal) IS 'internal: final function of client_profit(amount, kind) and client_profit(profit)';
CREATE FUNCTION cprof_client_profit_numeric_final(internal) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_numeric_final(internal) IS 'internal: final function of client_profit(revenue, cost) for numeric and integer input';
CREATE FUNCTION cprof_client_profit_float8_final(internal) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_float8_final(internal) IS 'internal: final function of client_profit(revenue, cost) for double precision input';

-- client_profit(revenue, cost): total revenue minus total cost.
CREATE FUNCTION cprof_client_profit_trans(internal, numeric, numeric) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, numeric, numeric) IS 'internal: transition function of client_profit(numeric, numeric)';
CREATE FUNCTION cprof_client_profit_minv(internal, numeric, numeric) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, numeric, numeric) IS 'internal: inverse transition function of client_profit(numeric, numeric) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue numeric, cost numeric) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 96, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(numeric, numeric) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (exact numeric result)';
CREATE FUNCTION cprof_client_profit_trans(internal, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, double precision, double precision) IS 'internal: transition function of client_profit(double precision, double precision)';
CREATE FUNCTION cprof_client_profit_minv(internal, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, double precision, double precision) IS 'internal: inverse transition function of client_profit(double precision, double precision) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue double precision, cost double precision) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_client_profit_float8_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 96, MFINALFUNC = cprof_client_profit_float8_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(double precision, double precision) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (compensated double precision sum)';
CREATE FUNCTION cprof_client_profit_trans(internal, smallint, smallint) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, smallint, smallint) IS 'internal: transition function of client_profit(smallint, smallint)';
CREATE FUNCTION cprof_client_profit_minv(internal, smallint, smallint) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, smallint, smallint) IS 'internal: inverse transition function of client_profit(smallint, smallint) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue smallint, cost smallint) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 96, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(smallint, smallint) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (exact numeric result)';
CREATE FUNCTION cprof_client_profit_trans(internal, integer, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, integer, integer) IS 'internal: transition function of client_profit(integer, integer)';
CREATE FUNCTION cprof_client_profit_minv(internal, integer, integer) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, integer, integer) IS 'internal: inverse transition function of client_profit(integer, integer) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue integer, cost integer) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 96, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(integer, integer) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (exact numeric result)';
CREATE FUNCTION cprof_client_profit_trans(internal, bigint, bigint) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, bigint, bigint) IS 'internal: transition function of client_profit(bigint, bigint)';
CREATE FUNCTION cprof_client_profit_minv(internal, bigint, bigint) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, bigint, bigint) IS 'internal: inverse transition function of client_profit(bigint, bigint) (moving aggregate)';
CREATE AGGREGATE client_profit(revenue bigint, cost bigint) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = cprof_client_profit_numeric_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 96, MFINALFUNC = cprof_client_profit_numeric_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(bigint, bigint) IS 'profit of the group: sum(revenue) - sum(cost), a NULL argument counting as 0 (exact numeric result)';

-- client_profit(amount, kind): the waterfall from a ledger of categorized entries.
CREATE FUNCTION cprof_client_profit_trans(internal, numeric, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, numeric, text) IS 'internal: transition function of client_profit(numeric, text)';
CREATE FUNCTION cprof_client_profit_minv(internal, numeric, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, numeric, text) IS 'internal: inverse transition function of client_profit(numeric, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount numeric, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 512, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(numeric, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (exact)';
CREATE FUNCTION cprof_client_profit_trans(internal, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, double precision, text) IS 'internal: transition function of client_profit(double precision, text)';
CREATE FUNCTION cprof_client_profit_minv(internal, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, double precision, text) IS 'internal: inverse transition function of client_profit(double precision, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount double precision, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 512, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(double precision, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (double precision amounts summed with compensation)';
CREATE FUNCTION cprof_client_profit_trans(internal, smallint, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, smallint, text) IS 'internal: transition function of client_profit(smallint, text)';
CREATE FUNCTION cprof_client_profit_minv(internal, smallint, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, smallint, text) IS 'internal: inverse transition function of client_profit(smallint, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount smallint, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 512, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(smallint, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (exact)';
CREATE FUNCTION cprof_client_profit_trans(internal, integer, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, integer, text) IS 'internal: transition function of client_profit(integer, text)';
CREATE FUNCTION cprof_client_profit_minv(internal, integer, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, integer, text) IS 'internal: inverse transition function of client_profit(integer, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount integer, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 512, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(integer, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (exact)';
CREATE FUNCTION cprof_client_profit_trans(internal, bigint, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, bigint, text) IS 'internal: transition function of client_profit(bigint, text)';
CREATE FUNCTION cprof_client_profit_minv(internal, bigint, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, bigint, text) IS 'internal: inverse transition function of client_profit(bigint, text) (moving aggregate)';
CREATE AGGREGATE client_profit(amount bigint, kind text) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 512, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(bigint, text) IS 'customer P&L waterfall of a ledger: kind is one of revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt, referral (exact)';

-- client_profit(profit): re-aggregates profit values (monthly to yearly).
CREATE FUNCTION cprof_client_profit_trans(internal, profit) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_trans(internal, profit) IS 'internal: transition function of client_profit(profit)';
CREATE FUNCTION cprof_client_profit_minv(internal, profit) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_client_profit_minv(internal, profit) IS 'internal: inverse transition function of client_profit(profit) (moving aggregate)';
CREATE AGGREGATE client_profit(profit) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = cprof_client_profit_final,
    COMBINEFUNC = cprof_client_profit_combine,
    SERIALFUNC = cprof_client_profit_serialize, DESERIALFUNC = cprof_client_profit_deserialize,
    MSFUNC = cprof_client_profit_trans, MINVFUNC = cprof_client_profit_minv,
    MSTYPE = internal, MSSPACE = 512, MFINALFUNC = cprof_client_profit_final,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE client_profit(profit) IS 're-aggregates profit values exactly, as if the raw ledger rows had been aggregated';

/*
 * ---------------------------------------------------------------------------
 * Probabilistic CLV: rfm, BG/NBD, Gamma-Gamma (DOMAIN.md section 3)
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

CREATE FUNCTION cprof_rfm_trans(internal, date, numeric, date, interval) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_trans(internal, date, numeric, date, interval) IS 'internal: transition function of rfm(date, numeric, date, interval)';
-- STABLE: the calendar day of a timestamptz depends on the TimeZone setting.
CREATE FUNCTION cprof_rfm_trans(internal, timestamptz, numeric, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_trans(internal, timestamptz, numeric, timestamptz, interval) IS 'internal: transition function of rfm(timestamptz, numeric, timestamptz, interval); STABLE because days are taken in the session time zone';
CREATE FUNCTION cprof_rfm_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_combine(internal, internal) IS 'internal: combine function of rfm()';
CREATE FUNCTION cprof_rfm_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_serialize(internal) IS 'internal: serialize function of rfm()';
CREATE FUNCTION cprof_rfm_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_deserialize(bytea, internal) IS 'internal: deserialize function of rfm()';
CREATE FUNCTION cprof_rfm_final(internal) RETURNS rfm
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_rfm_final(internal) IS 'internal: final function of rfm()';
CREATE AGGREGATE rfm(purchased_at date, amount numeric, as_of date, unit interval) (
    SFUNC = cprof_rfm_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = cprof_rfm_final,
    COMBINEFUNC = cprof_rfm_combine,
    SERIALFUNC = cprof_rfm_serialize, DESERIALFUNC = cprof_rfm_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE rfm(date, numeric, date, interval) IS 'purchase summary of a client (frequency, recency, age, monetary) as of a day, times in multiples of unit';
CREATE AGGREGATE rfm(purchased_at timestamptz, amount numeric, as_of timestamptz, unit interval) (
    SFUNC = cprof_rfm_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = cprof_rfm_final,
    COMBINEFUNC = cprof_rfm_combine,
    SERIALFUNC = cprof_rfm_serialize, DESERIALFUNC = cprof_rfm_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE rfm(timestamptz, numeric, timestamptz, interval) IS 'purchase summary of a client (frequency, recency, age, monetary) as of a time, days taken in the session time zone, times in multiples of unit';

CREATE FUNCTION hyp2f1(a double precision, b double precision, c double precision, z double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hyp2f1(double precision, double precision, double precision, double precision) IS 'Gauss hypergeometric function 2F1(a, b; c; z) for -1 < z < 1, by its power series';

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

CREATE FUNCTION cprof_bgnbd_fit_trans(internal, double precision, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_bgnbd_fit_trans(internal, double precision, double precision, double precision) IS 'internal: transition function of bgnbd_fit()';
CREATE FUNCTION cprof_bgnbd_fit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_bgnbd_fit_combine(internal, internal) IS 'internal: combine function of bgnbd_fit()';
CREATE FUNCTION cprof_bgnbd_fit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_bgnbd_fit_serialize(internal) IS 'internal: serialize function of bgnbd_fit()';
CREATE FUNCTION cprof_bgnbd_fit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_bgnbd_fit_deserialize(bytea, internal) IS 'internal: deserialize function of bgnbd_fit()';
CREATE FUNCTION cprof_bgnbd_fit_final(internal) RETURNS bgnbd
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_bgnbd_fit_final(internal) IS 'internal: final function of bgnbd_fit(): the maximum-likelihood fit';
CREATE AGGREGATE bgnbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = cprof_bgnbd_fit_trans, STYPE = internal, SSPACE = 65536,
    FINALFUNC = cprof_bgnbd_fit_final,
    COMBINEFUNC = cprof_bgnbd_fit_combine,
    SERIALFUNC = cprof_bgnbd_fit_serialize, DESERIALFUNC = cprof_bgnbd_fit_deserialize,
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

CREATE FUNCTION cprof_gamma_gamma_fit_trans(internal, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_trans(internal, double precision, double precision) IS 'internal: transition function of gamma_gamma_fit()';
CREATE FUNCTION cprof_gamma_gamma_fit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_combine(internal, internal) IS 'internal: combine function of gamma_gamma_fit()';
CREATE FUNCTION cprof_gamma_gamma_fit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_serialize(internal) IS 'internal: serialize function of gamma_gamma_fit()';
CREATE FUNCTION cprof_gamma_gamma_fit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_deserialize(bytea, internal) IS 'internal: deserialize function of gamma_gamma_fit()';
CREATE FUNCTION cprof_gamma_gamma_fit_final(internal) RETURNS gamma_gamma
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_gamma_gamma_fit_final(internal) IS 'internal: final function of gamma_gamma_fit(): the maximum-likelihood fit';
CREATE AGGREGATE gamma_gamma_fit(frequency double precision, monetary double precision) (
    SFUNC = cprof_gamma_gamma_fit_trans, STYPE = internal, SSPACE = 65536,
    FINALFUNC = cprof_gamma_gamma_fit_final,
    COMBINEFUNC = cprof_gamma_gamma_fit_combine,
    SERIALFUNC = cprof_gamma_gamma_fit_serialize, DESERIALFUNC = cprof_gamma_gamma_fit_deserialize,
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
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
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

CREATE FUNCTION cprof_pareto_nbd_fit_trans(internal, double precision, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_nbd_fit_trans(internal, double precision, double precision, double precision) IS 'internal: transition function of pareto_nbd_fit()';
CREATE FUNCTION cprof_pareto_nbd_fit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_nbd_fit_combine(internal, internal) IS 'internal: combine function of pareto_nbd_fit()';
CREATE FUNCTION cprof_pareto_nbd_fit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_nbd_fit_serialize(internal) IS 'internal: serialize function of pareto_nbd_fit()';
CREATE FUNCTION cprof_pareto_nbd_fit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_nbd_fit_deserialize(bytea, internal) IS 'internal: deserialize function of pareto_nbd_fit()';
CREATE FUNCTION cprof_pareto_nbd_fit_final(internal) RETURNS pareto_nbd
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cprof_pareto_nbd_fit_final(internal) IS 'internal: final function of pareto_nbd_fit(): the maximum-likelihood fit';
CREATE AGGREGATE pareto_nbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = cprof_pareto_nbd_fit_trans, STYPE = internal, SSPACE = 65536,
    FINALFUNC = cprof_pareto_nbd_fit_final,
    COMBINEFUNC = cprof_pareto_nbd_fit_combine,
    SERIALFUNC = cprof_pareto_nbd_fit_serialize, DESERIALFUNC = cprof_pareto_nbd_fit_deserialize,
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
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(pareto_nbd, gamma_gamma, double precision, double precision, double precision, double precision, integer, double precision, double precision) IS 'customer lifetime value over the next months: expected purchases per month (Pareto/NBD) x expected value (Gamma-Gamma), month i discounted by (1 + monthly_discount)^i; units_per_month model time units make a month';
