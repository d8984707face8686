-- 19_crafted_states: serialized aggregate states that are corrupt, or valid
-- but of another form of the same family, never crash a final or combine
-- function: the deserialize functions check every invariant, and the final
-- and combine functions check the form of the state they get.
--
-- How a superuser feeds bytes to a deserialize function: an aggregate whose
-- transition function is string_agg(bytea, bytea)'s (its state collects the
-- input bytes) and whose serialize function is string_agg's final function
-- (so a partial state serializes to exactly those bytes), with cprof's
-- deserialize, combine and final functions.  In a partial aggregation (here
-- partitionwise: each partition of crafted.feed is aggregated alone, and the
-- serialized partial states are deserialized and combined) the bytes of a
-- row reach cprof's deserialize function; the NULL rows around them are
-- skipped, and give the partition a NULL partial state.  The bytes to
-- mutate come from aggregates whose final function is cprof's serialize
-- function.  crafted.run() checks the plan first: without partial
-- aggregation, the final function would get string_agg's state.

CREATE SCHEMA crafted;
CREATE TABLE crafted.feed (p int, k int, b bytea) PARTITION BY LIST (p);
CREATE TABLE crafted.feed_1 PARTITION OF crafted.feed FOR VALUES IN (1);
CREATE TABLE crafted.feed_2 PARTITION OF crafted.feed FOR VALUES IN (2);
INSERT INTO crafted.feed SELECT p, 0, NULL FROM generate_series(1, 2) p, generate_series(1, 1000);
ANALYZE crafted.feed;

-- run(agg, s1, s2): agg over the state s1 (partition 1) and s2 (partition 2,
-- if not NULL): the result as text, or the error's SQLSTATE and message
CREATE FUNCTION crafted.run(agg text, s1 bytea, s2 bytea DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    q text := format('SELECT %s(b, ''\x''::bytea)::text FROM crafted.feed GROUP BY k', agg);
    line text;
    plan text := '';
    result text;
    detail text;
BEGIN
    DELETE FROM crafted.feed WHERE b IS NOT NULL;
    INSERT INTO crafted.feed VALUES (1, 0, s1);
    IF s2 IS NOT NULL THEN
        INSERT INTO crafted.feed VALUES (2, 0, s2);
    END IF;
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || line || ' ';
    END LOOP;
    IF plan NOT LIKE '%Partial%Aggregate%' OR plan NOT LIKE '%Finalize%' THEN
        RETURN 'not run: no partial aggregation in ' || plan;
    END IF;
    EXECUTE q INTO result;
    RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(nullif(' (' || detail || ')', ' ()'), '');
END $$;
-- put(b, offset, bytes): b with bytes written at the 0-based offset
CREATE FUNCTION crafted.put(b bytea, "offset" int, bytes bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE RETURN overlay(b PLACING bytes FROM "offset" + 1);
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;

-- An aggregate to feed states to each final function.
CREATE AGGREGATE crafted.feed_share(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_pareto_deserialize, COMBINEFUNC = cprof_pareto_combine,
    FINALFUNC = cprof_pareto_share_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_shares(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_pareto_deserialize, COMBINEFUNC = cprof_pareto_combine,
    FINALFUNC = cprof_pareto_shares_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_fraction(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_pareto_deserialize, COMBINEFUNC = cprof_pareto_combine,
    FINALFUNC = cprof_pareto_fraction_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_curve(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_pareto_deserialize, COMBINEFUNC = cprof_pareto_combine,
    FINALFUNC = cprof_pareto_curve_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_gini(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_pareto_deserialize, COMBINEFUNC = cprof_pareto_combine,
    FINALFUNC = cprof_gini_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_top_share(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_pareto_deserialize, COMBINEFUNC = cprof_pareto_combine,
    FINALFUNC = cprof_top_share_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_hhi(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_hhi_deserialize, COMBINEFUNC = cprof_hhi_combine,
    FINALFUNC = cprof_hhi_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_profit(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_client_profit_deserialize, COMBINEFUNC = cprof_client_profit_combine,
    FINALFUNC = cprof_client_profit_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_profit_numeric(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_client_profit_deserialize, COMBINEFUNC = cprof_client_profit_combine,
    FINALFUNC = cprof_client_profit_numeric_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_profit_float8(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_client_profit_deserialize, COMBINEFUNC = cprof_client_profit_combine,
    FINALFUNC = cprof_client_profit_float8_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_cohort(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_cohort_ltv_deserialize, COMBINEFUNC = cprof_cohort_ltv_combine,
    FINALFUNC = cprof_cohort_ltv_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.feed_rfm(bytea, bytea) (
    SFUNC = bytea_string_agg_transfn, STYPE = internal, SERIALFUNC = bytea_string_agg_finalfn,
    DESERIALFUNC = cprof_rfm_deserialize, COMBINEFUNC = cprof_rfm_combine,
    FINALFUNC = cprof_rfm_final, PARALLEL = SAFE);

-- Aggregates that give a state's bytes.
CREATE AGGREGATE crafted.top_share_bytes(float8, bigint) (
    SFUNC = cprof_top_share_trans, STYPE = internal, FINALFUNC = cprof_pareto_serialize);
CREATE AGGREGATE crafted.share_bytes(float8, float8) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, FINALFUNC = cprof_pareto_serialize);
CREATE AGGREGATE crafted.shares_bytes(float8, float8[]) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, FINALFUNC = cprof_pareto_serialize);
CREATE AGGREGATE crafted.curve_bytes(float8, integer) (
    SFUNC = cprof_pareto_curve_trans, STYPE = internal, FINALFUNC = cprof_pareto_serialize);
CREATE AGGREGATE crafted.hhi_bytes(float8) (
    SFUNC = cprof_hhi_trans, STYPE = internal, FINALFUNC = cprof_hhi_serialize);
CREATE AGGREGATE crafted.net_bytes(numeric, numeric) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, FINALFUNC = cprof_client_profit_serialize);
CREATE AGGREGATE crafted.net_float8_bytes(float8, float8) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, FINALFUNC = cprof_client_profit_serialize);
CREATE AGGREGATE crafted.ledger_bytes(numeric, text) (
    SFUNC = cprof_client_profit_trans, STYPE = internal, FINALFUNC = cprof_client_profit_serialize);
CREATE AGGREGATE crafted.cohort_bytes(numeric, float8, boolean) (
    SFUNC = cprof_cohort_ltv_trans, STYPE = internal, FINALFUNC = cprof_cohort_ltv_serialize);
CREATE AGGREGATE crafted.rfm_bytes(date, numeric, date, interval) (
    SFUNC = cprof_rfm_trans, STYPE = internal, FINALFUNC = cprof_rfm_serialize);

-- The states: values 5, 3, 2 for the concentration family; revenue 100 and
-- cost 40 for client_profit; three cohort clients; three purchase days.
CREATE TABLE crafted.state AS
SELECT (SELECT crafted.top_share_bytes(v, 2) FROM (VALUES (5::float8), (3), (2)) t(v)) AS top_share,
       (SELECT crafted.share_bytes(v, 0.5) FROM (VALUES (5::float8), (3), (2)) t(v)) AS share,
       (SELECT crafted.shares_bytes(v, '[0:1]={0.5,1}') FROM (VALUES (5::float8), (3), (2)) t(v)) AS shares,
       (SELECT crafted.curve_bytes(v, 2) FROM (VALUES (5::float8), (3), (2)) t(v)) AS curve,
       (SELECT crafted.hhi_bytes(v) FROM (VALUES (5::float8), (3), (2)) t(v)) AS hhi,
       (SELECT crafted.net_bytes(100, 40)) AS net,
       (SELECT crafted.net_float8_bytes(100, 40)) AS net_float8,
       (SELECT crafted.ledger_bytes(a, k) FROM (VALUES (100, 'revenue'), (40, 'cogs')) t(a, k)) AS ledger,
       (SELECT crafted.cohort_bytes(p, t, c)
        FROM (VALUES (10.0, 2.0::float8, true), (5.0, 1.0, false), (1.0, 1.0, true)) v(p, t, c)) AS cohort,
       (SELECT crafted.rfm_bytes(d, 10.0, date '2024-03-01', '1 day')
        FROM (VALUES (date '2024-01-01'), ('2024-01-10'), ('2024-02-01')) v(d)) AS rfm;

-- The concentration family.  Layout: version, kind (0 none, 1 float, 2 int,
-- 3 array), has_param, fparam (float8), iparam (int8), number of fractions
-- (int4), their lower bound (int4), the fractions, n (int8), the values.
SELECT x.name, x.result
FROM crafted.state s, LATERAL (VALUES
    -- the states as they are: top_share(2) = 0.8, pareto_share(0.5) = 0.65,
    -- pareto_share('[0:1]={0.5,1}') = [0:1]={0.65,1}, curve {0,0.65,1}
    ('top_share', crafted.run('crafted.feed_top_share', s.top_share)),
    ('share', crafted.run('crafted.feed_share', s.share)),
    ('shares', crafted.run('crafted.feed_shares', s.shares)),
    ('curve', crafted.run('crafted.feed_curve', s.curve)),
    -- two states combined: 5, 3, 2 twice, top_share(2) = 10 / 20
    ('top_share twice', crafted.run('crafted.feed_top_share', s.top_share, s.top_share)),
    -- a negative iparam (n = -1): top_share_final used it as a count
    ('negative n', crafted.run('crafted.feed_top_share', crafted.put(s.top_share, 11, int8send(-1)))),
    -- the kind of an array state changed to 0 or 1: shares_final read
    -- fractions the combine function had not copied
    ('array kind 0', crafted.run('crafted.feed_shares', set_byte(s.shares, 1, 0))),
    ('array kind 1', crafted.run('crafted.feed_shares', set_byte(s.shares, 1, 1))),
    -- a valid state of another form: none, int, float
    ('gini state to shares_final', crafted.run('crafted.feed_shares',
        set_byte(set_byte(s.top_share, 1, 0), 2, 0))),
    ('top_share state to share_final', crafted.run('crafted.feed_share', s.top_share)),
    ('top_share state to fraction_final', crafted.run('crafted.feed_fraction', s.top_share)),
    ('array state to curve_final', crafted.run('crafted.feed_curve', s.shares)),
    ('array state to top_share_final', crafted.run('crafted.feed_top_share', s.shares)),
    ('array state to gini_final', crafted.run('crafted.feed_gini', s.shares)),
    -- combining states of two forms
    ('combine share and top_share', crafted.run('crafted.feed_top_share', s.top_share, s.share)),
    ('combine two fractions arrays', crafted.run('crafted.feed_shares', s.shares,
        crafted.put(s.shares, 23, int4send(1)))),
    -- parameters out of the final function's range: points 0 (a division
    -- by zero), 2^40 points, top_fraction 2, -1, NaN
    ('points 0', crafted.run('crafted.feed_curve', crafted.put(s.curve, 11, int8send(0)))),
    ('points 2^40', crafted.run('crafted.feed_curve', crafted.put(s.curve, 11, int8send(1099511627776)))),
    ('top_fraction 2', crafted.run('crafted.feed_share', crafted.put(s.share, 3, float8send(2)))),
    ('top_fraction -1', crafted.run('crafted.feed_share', crafted.put(s.share, 3, float8send(-1)))),
    ('top_fraction NaN', crafted.run('crafted.feed_share', crafted.put(s.share, 3, float8send('NaN')))),
    ('fraction 1.5', crafted.run('crafted.feed_shares', crafted.put(s.shares, 27, float8send(1.5)))),
    ('bounds overflow', crafted.run('crafted.feed_shares', crafted.put(s.shares, 23, int4send(2147483647)))),
    -- corrupt bytes
    ('kind 4', crafted.run('crafted.feed_top_share', set_byte(s.top_share, 1, 4))),
    ('has_param 2', crafted.run('crafted.feed_top_share', set_byte(s.top_share, 2, 2))),
    ('version 1', crafted.run('crafted.feed_top_share', set_byte(s.top_share, 0, 1))),
    ('truncated', crafted.run('crafted.feed_top_share', substr(s.top_share, 1, length(s.top_share) - 1))),
    ('trailing byte', crafted.run('crafted.feed_top_share', s.top_share || '\x00'::bytea)),
    ('n too large', crafted.run('crafted.feed_top_share', crafted.put(s.top_share, 27, int8send(4)))),
    ('value NaN', crafted.run('crafted.feed_top_share', crafted.put(s.top_share, 35, float8send('NaN')))),
    ('empty', crafted.run('crafted.feed_top_share', '\x'::bytea))
) x(name, result);

-- hhi.  Layout: version, n (int8), exponent (int4), the sum and the sum of
-- squares, each a flag byte, the sum and its compensation (float8).  5, 3,
-- 2 are stored as 5/8, 3/8, 2/8 (exponent 3): sum 1.25, squares 0.59375.
SELECT x.name, x.result
FROM crafted.state s, LATERAL (VALUES
    ('as it is', crafted.run('crafted.feed_hhi', s.hhi)),
    ('twice', crafted.run('crafted.feed_hhi', s.hhi, s.hhi)),
    ('at another exponent', crafted.run('crafted.feed_hhi', s.hhi,
        crafted.put(crafted.put(crafted.put(s.hhi, 9, int4send(4)), 14, float8send(0.625)), 31, float8send(0.1484375)))),
    ('negative count', crafted.run('crafted.feed_hhi', crafted.put(s.hhi, 1, int8send(-3)))),
    ('exponent 5000', crafted.run('crafted.feed_hhi', crafted.put(s.hhi, 9, int4send(5000)))),
    ('negative sum of squares', crafted.run('crafted.feed_hhi', crafted.put(s.hhi, 31, float8send(-0.5)))),
    ('sum above the count', crafted.run('crafted.feed_hhi', crafted.put(s.hhi, 14, float8send(4)))),
    ('infinite sum', crafted.run('crafted.feed_hhi', crafted.put(s.hhi, 14, float8send('Infinity')))),
    ('truncated', crafted.run('crafted.feed_hhi', substr(s.hhi, 1, 20)))
) x(name, result);

-- client_profit.  Layout: version, number of buckets (1, or 7 for the
-- waterfall), double precision flag, rows and entries (zigzag varints: 1 is
-- byte 2), then each bucket.  A revenue-minus-cost state given to the
-- waterfall's final function read 7 buckets from a state that has 1.
SELECT x.name, x.result
FROM crafted.state s, LATERAL (VALUES
    ('ledger as it is', crafted.run('crafted.feed_profit', s.ledger)),
    ('net as it is', crafted.run('crafted.feed_profit_numeric', s.net)),
    ('net float8 as it is', crafted.run('crafted.feed_profit_float8', s.net_float8)),
    ('ledger twice', crafted.run('crafted.feed_profit', s.ledger, s.ledger)),
    ('net state to the waterfall', crafted.run('crafted.feed_profit', s.net)),
    ('float8 net state to the waterfall', crafted.run('crafted.feed_profit', s.net_float8)),
    ('ledger state to the numeric final', crafted.run('crafted.feed_profit_numeric', s.ledger)),
    ('float8 state to the numeric final', crafted.run('crafted.feed_profit_numeric', s.net_float8)),
    ('numeric state to the float8 final', crafted.run('crafted.feed_profit_float8', s.net)),
    ('combine net and ledger', crafted.run('crafted.feed_profit_numeric', s.net, s.ledger)),
    ('combine numeric and float8', crafted.run('crafted.feed_profit_numeric', s.net, s.net_float8)),
    ('negative rows', crafted.run('crafted.feed_profit_numeric', set_byte(s.net, 3, 1))),
    ('entries other than rows', crafted.run('crafted.feed_profit_numeric', set_byte(s.net, 4, 4))),
    ('3 buckets', crafted.run('crafted.feed_profit', set_byte(s.net, 1, 3))),
    ('float flag 2', crafted.run('crafted.feed_profit', set_byte(s.ledger, 2, 2))),
    ('version 1', crafted.run('crafted.feed_profit', set_byte(s.ledger, 0, 1))),
    -- a slow sum that is NaN (NaN is counted, never summed)
    ('NaN slow sum', crafted.run('crafted.feed_profit_numeric',
        '\x020100020201000000'::bytea || int4send(length(numeric_send('NaN'))) || numeric_send('NaN'))),
    ('truncated', crafted.run('crafted.feed_profit', substr(s.ledger, 1, 12)))
) x(name, result);

-- cohort_ltv.  Layout: version, clients, churned (int8), discount flag,
-- discount (float8), the exposure (flag, sum, compensation), the profit.
SELECT x.name, x.result
FROM crafted.state s, LATERAL (VALUES
    ('as it is', crafted.run('crafted.feed_cohort', s.cohort)),
    ('twice', crafted.run('crafted.feed_cohort', s.cohort, s.cohort)),
    ('churned above clients', crafted.run('crafted.feed_cohort', crafted.put(s.cohort, 9, int8send(4)))),
    ('negative clients', crafted.run('crafted.feed_cohort', crafted.put(s.cohort, 1, int8send(-1)))),
    ('discount -2', crafted.run('crafted.feed_cohort',
        crafted.put(set_byte(s.cohort, 17, 1), 18, float8send(-2)))),
    ('negative exposure', crafted.run('crafted.feed_cohort', crafted.put(s.cohort, 27, float8send(-4))))
) x(name, result);

-- rfm.  Layout: version, rows (int8), the total and first-day spend, as_of
-- (int4), the unit (int8 time, int4 days, int4 months), the number of days
-- (int4) and the days (int4, ascending), last in the state.
SELECT x.name, x.result
FROM crafted.state s CROSS JOIN LATERAL (SELECT length(s.rfm) AS len) l, LATERAL (VALUES
    ('as it is', crafted.run('crafted.feed_rfm', s.rfm)),
    ('twice', crafted.run('crafted.feed_rfm', s.rfm, s.rfm)),
    ('days out of order', crafted.run('crafted.feed_rfm',
        crafted.put(crafted.put(s.rfm, l.len - 8, substr(s.rfm, l.len - 3, 4)), l.len - 4, substr(s.rfm, l.len - 7, 4)))),
    ('day after as_of', crafted.run('crafted.feed_rfm',
        crafted.put(s.rfm, l.len - 4, int4send((date '2024-03-02' - date '2000-01-01'))))),
    ('infinite day', crafted.run('crafted.feed_rfm', crafted.put(s.rfm, l.len - 4, int4send(2147483647)))),
    ('fewer rows than days', crafted.run('crafted.feed_rfm', crafted.put(s.rfm, 1, int8send(2)))),
    ('unit 0', crafted.run('crafted.feed_rfm', crafted.put(s.rfm, l.len - 32, '\x00000000000000000000000000000000')))
) x(name, result);

-- One reproduction through a parallel plan, as the issue found it: a valid
-- client_profit(numeric, numeric) state reaches the waterfall's final
-- function in the leader.
CREATE TABLE crafted.one (b bytea);
INSERT INTO crafted.one SELECT NULL FROM generate_series(1, 10000);
INSERT INTO crafted.one SELECT net FROM crafted.state;
ANALYZE crafted.one;
RESET ALL;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
CREATE FUNCTION crafted.run_parallel(agg text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    q text := format('SELECT %s(b, ''\x''::bytea)::text FROM crafted.one', agg);
    line text;
    plan text := '';
    result text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || line || ' ';
    END LOOP;
    IF plan NOT LIKE '%Partial Aggregate%' OR plan NOT LIKE '%Gather%' THEN
        RETURN 'not run: no parallel partial aggregation in ' || plan;
    END IF;
    EXECUTE q INTO result;
    RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT crafted.run_parallel('crafted.feed_profit_numeric') AS net_final,
       crafted.run_parallel('crafted.feed_profit') AS waterfall_final;
RESET ALL;
SET client_min_messages = warning;
DROP SCHEMA crafted CASCADE;
RESET client_min_messages;
