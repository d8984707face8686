-- 19_crafted_states: aggregate states that are corrupt, or valid but of
-- another form of the same family, never crash a transition, combine or
-- final function, nor give a wrong number: every way into a state checks
-- every invariant, and the functions check the form of the state they get.
--
-- Part 1, the concentration family (STYPE internal): serialized states fed
-- to its deserialize functions.  How a superuser feeds bytes to a
-- deserialize function: an aggregate whose transition function is
-- string_agg(bytea, bytea)'s (its state collects the input bytes) and whose
-- serialize function is string_agg's final function (so a partial state
-- serializes to exactly those bytes), with cprof's deserialize, combine and
-- final functions.  In a partial aggregation (here partitionwise: each
-- partition of crafted.feed is aggregated alone, and the serialized partial
-- states are deserialized and combined) the bytes of a row reach cprof's
-- deserialize function; the NULL rows around them are skipped, and give
-- the partition a NULL partial state.  The bytes to mutate come from
-- aggregates whose final function is cprof's serialize function.
-- crafted.run() checks the plan first: without partial aggregation, the
-- final function would get string_agg's state.
--
-- Part 2, the state types of client_profit, hhi, cohort_ltv, rfm, the model
-- fits and idle_capacity: any user can write a state in the type's text
-- form (its input function) or binary form (its receive function, through
-- COPY) and hand it to the support functions, called directly or through
-- an aggregate of their own.

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

-- Aggregates that give a state's bytes.
CREATE AGGREGATE crafted.top_share_bytes(float8, bigint) (
    SFUNC = cprof_top_share_trans, STYPE = internal, FINALFUNC = cprof_pareto_serialize);
CREATE AGGREGATE crafted.share_bytes(float8, float8) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, FINALFUNC = cprof_pareto_serialize);
CREATE AGGREGATE crafted.shares_bytes(float8, float8[]) (
    SFUNC = cprof_pareto_share_trans, STYPE = internal, FINALFUNC = cprof_pareto_serialize);
CREATE AGGREGATE crafted.curve_bytes(float8, integer) (
    SFUNC = cprof_pareto_curve_trans, STYPE = internal, FINALFUNC = cprof_pareto_serialize);

-- The states: values 5, 3, 2 for the concentration family; revenue 100 and
-- cost 40 for client_profit; three cohort clients; three purchase days.
-- The states: values 5, 3, 2.
CREATE TABLE crafted.state AS
SELECT (SELECT crafted.top_share_bytes(v, 2) FROM (VALUES (5::float8), (3), (2)) t(v)) AS top_share,
       (SELECT crafted.share_bytes(v, 0.5) FROM (VALUES (5::float8), (3), (2)) t(v)) AS share,
       (SELECT crafted.shares_bytes(v, '[0:1]={0.5,1}') FROM (VALUES (5::float8), (3), (2)) t(v)) AS shares,
       (SELECT crafted.curve_bytes(v, 2) FROM (VALUES (5::float8), (3), (2)) t(v)) AS curve;

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


-- ===========================================================================
-- Part 2: the state types of client_profit, hhi, cohort_ltv, rfm, the model
-- fits and idle_capacity.
-- ===========================================================================
RESET enable_partitionwise_aggregate;
RESET max_parallel_workers_per_gather;

-- try(q): the one value query q returns, as text, or the error's SQLSTATE
-- and message (with its detail)
CREATE FUNCTION crafted.try(q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
    detail text;
BEGIN
    EXECUTE q INTO result;
    RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(nullif(' (' || detail || ')', ' ()'), '');
END $$;
-- input(type, text): the text read as a value of the type, and written back
CREATE FUNCTION crafted.input(type regtype, t text) RETURNS text
LANGUAGE sql RETURN crafted.try(format('SELECT %L::%s::text', t, type));

-- client_profit: valid states of each form, then corrupt ones.
CREATE TABLE crafted.profit (name text, s text);
INSERT INTO crafted.profit VALUES
    ('waterfall', '1 waterfall rows=2 entries=2 revenue=100/1 discount=0/0 cogs=40/1 cost_to_serve=0/0 acquisition=0/0 bad_debt=0/0 referral=0/0'),
    ('waterfall_float8', '1 waterfall_float8 rows=2 entries=2 revenue=100/0 discount=0/0 cogs=40/0 cost_to_serve=0/0 acquisition=0/0 bad_debt=0/0 referral=0/0'),
    ('net', '1 net rows=1 entries=1 net=60/2'),
    ('net_float8', '1 net_float8 rows=1 entries=1 net=60/0');
SELECT name, crafted.input('cprof_client_profit_state', s) = s AS reads_back FROM crafted.profit ORDER BY name;
SELECT x.name, crafted.input('cprof_client_profit_state', x.t) AS result
FROM (VALUES
    ('version 2', '2 net rows=1 entries=1 net=60/2'),
    ('unknown form', '1 gross rows=1 entries=1 net=60/2'),
    ('negative rows', '1 net rows=-1 entries=-1 net=60/0'),
    ('rows past bigint', '1 net rows=9223372036854775808 entries=1 net=60/2'),
    ('entries other than rows', '1 net rows=1 entries=2 net=60/2'),
    ('more values than 2 a row', '1 net rows=1 entries=1 net=60/3'),
    ('a scale without a value', '1 net rows=1 entries=1 net=60.00/0'),
    ('negative count', '1 net rows=1 entries=1 net=60/-1'),
    ('negative NaN count', '1 net rows=1 entries=1 net=60/1/-1/0/0'),
    ('NaN as a total', '1 net rows=1 entries=1 net=NaN/0'),
    ('exponent notation', '1 net rows=1 entries=1 net=6e1/1'),
    ('two decimal points', '1 net rows=1 entries=1 net=6.0.0/1'),
    ('a key missing', '1 net rows=1 net=60/2'),
    ('keys out of order', '1 net entries=1 rows=1 net=60/2'),
    ('text after the end', '1 net rows=1 entries=1 net=60/2 x'),
    ('two spaces', '1 net  rows=1 entries=1 net=60/2'),
    ('empty', ''),
    ('infinite double', '1 net_float8 rows=1 entries=1 net=1e309/0'),
    ('NaN double', '1 net_float8 rows=1 entries=1 net=60/NaN'),
    ('sum and compensation overflow', '1 net_float8 rows=1 entries=1 net=1.7e308/1.7e308'),
    ('NaN counts above the rows', '1 net_float8 rows=1 entries=1 net=0/0/2/1/0'),
    ('40 decimal places (the slow part)', '1 net rows=1 entries=1 net=1.0000000000000000000000000000000000000001/1')
) x(name, t);
-- Each function given a valid state of another form: an error, never a
-- number read from the wrong place.
SELECT x.name, crafted.try(x.q) AS result
FROM (SELECT max(s) FILTER (WHERE name = 'waterfall') AS w, max(s) FILTER (WHERE name = 'waterfall_float8') AS wf,
             max(s) FILTER (WHERE name = 'net') AS n, max(s) FILTER (WHERE name = 'net_float8') AS nf
      FROM crafted.profit) p,
LATERAL (VALUES
    ('waterfall final, waterfall', format('SELECT (cprof_client_profit_final(%L)).net_profit', p.w)),
    ('waterfall final, waterfall_float8', format('SELECT (cprof_client_profit_final(%L)).net_profit', p.wf)),
    ('numeric final, net', format('SELECT cprof_client_profit_numeric_final(%L)', p.n)),
    ('float8 final, net_float8', format('SELECT cprof_client_profit_float8_final(%L)', p.nf)),
    ('waterfall final, net', format('SELECT cprof_client_profit_final(%L)', p.n)),
    ('numeric final, waterfall', format('SELECT cprof_client_profit_numeric_final(%L)', p.w)),
    ('numeric final, net_float8', format('SELECT cprof_client_profit_numeric_final(%L)', p.nf)),
    ('float8 final, net', format('SELECT cprof_client_profit_float8_final(%L)', p.n)),
    ('combine net and waterfall', format('SELECT cprof_client_profit_combine(%L, %L)', p.n, p.w)),
    ('combine waterfall and waterfall_float8', format('SELECT cprof_client_profit_combine(%L, %L)', p.w, p.wf)),
    ('ledger transition, net', format('SELECT cprof_client_profit_trans(%L, 1.0, ''revenue'')', p.n)),
    ('float8 ledger transition, waterfall', format('SELECT cprof_client_profit_trans(%L, 1.0::float8, ''revenue'')', p.w)),
    ('integer net transition, net_float8', format('SELECT cprof_client_profit_trans(%L, 1, 2)', p.nf)),
    ('roll-up transition, waterfall_float8', format('SELECT cprof_client_profit_trans(%L, NULL::profit)', p.wf)),
    ('inverse, net', format('SELECT cprof_client_profit_minv(%L, 1.0, ''revenue'')', p.n)),
    ('roll-up transition, waterfall', format('SELECT (cprof_client_profit_final(cprof_client_profit_trans(%L, ROW(10, 0, 0, 10, 0, 10, 0, 0, 10, 0, 10, 1, 1)::profit))).net_profit', p.w))
) x(name, q);

-- Through aggregates of one's own: a crafted first state (INITCOND) is
-- updated in place by the transition function, or rejected.
CREATE AGGREGATE crafted.ledger_from(numeric, text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, FINALFUNC = cprof_client_profit_final,
    INITCOND = '1 waterfall rows=2 entries=2 revenue=100/1 discount=0/0 cogs=40/1 cost_to_serve=0/0 acquisition=0/0 bad_debt=0/0 referral=0/0');
CREATE AGGREGATE crafted.ledger_from_net(numeric, text) (
    SFUNC = cprof_client_profit_trans, STYPE = cprof_client_profit_state, FINALFUNC = cprof_client_profit_final,
    INITCOND = '1 net rows=1 entries=1 net=60/2');
SELECT crafted.try('SELECT crafted.ledger_from(a, k)::text FROM (VALUES (5.50, ''revenue''), (1, ''cogs'')) t(a, k)') AS from_waterfall,
       crafted.try('SELECT crafted.ledger_from_net(a, k)::text FROM (VALUES (5.50, ''revenue'')) t(a, k)') AS from_net;
-- States of mixed forms combined in a parallel plan: the partial states
-- reach the leader through the tuple queue (with short varlena headers),
-- and the combine function takes them as they come.
CREATE AGGREGATE crafted.finish_waterfall(cprof_client_profit_state) (
    SFUNC = cprof_client_profit_combine, STYPE = cprof_client_profit_state,
    COMBINEFUNC = cprof_client_profit_combine, FINALFUNC = cprof_client_profit_final, PARALLEL = SAFE);
CREATE AGGREGATE crafted.finish_net(cprof_client_profit_state) (
    SFUNC = cprof_client_profit_combine, STYPE = cprof_client_profit_state,
    COMBINEFUNC = cprof_client_profit_combine, FINALFUNC = cprof_client_profit_numeric_final, PARALLEL = SAFE);
CREATE TABLE crafted.states AS
SELECT i, CASE WHEN i = 5000 THEN '1 waterfall rows=2 entries=2 revenue=100/1 discount=0/0 cogs=40/1 cost_to_serve=0/0 acquisition=0/0 bad_debt=0/0 referral=0/0'
               ELSE format('1 net rows=1 entries=1 net=%s/1', i) END::cprof_client_profit_state AS s
FROM generate_series(1, 10000) i;
ANALYZE crafted.states;
\i test/parallel_plans.sql
CREATE FUNCTION crafted.try_parallel(q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || line || ' ';
    END LOOP;
    IF plan NOT LIKE '%Partial Aggregate%' OR plan NOT LIKE '%Gather%' THEN
        RETURN 'not run: no parallel partial aggregation in ' || plan;
    END IF;
    RETURN crafted.try(q);
END $$;
SELECT crafted.try_parallel('SELECT crafted.finish_net(s)::text FROM crafted.states WHERE i <> 5000') AS net_states,
       (SELECT sum(i) FROM generate_series(1, 10000) i WHERE i <> 5000) AS by_hand,
       crafted.try_parallel('SELECT crafted.finish_waterfall(s)::text FROM crafted.states') AS mixed_forms;
\i test/parallel_plans_off.sql

-- hhi.  5, 3, 2 scaled by 2^-3: sum 1.25, squares 0.59375, hhi 38/100.
SELECT x.name, x.result
FROM (VALUES ('1 hhi n=3 exponent=3 sum=1.25/0 sumsq=0.59375/0')) h(s), LATERAL (VALUES
    ('as it is', crafted.try(format('SELECT cprof_hhi_final(%L)', h.s))),
    ('twice', crafted.try(format('SELECT cprof_hhi_final(cprof_hhi_combine(%L, %L))', h.s, h.s))),
    ('and the same at exponent 4', crafted.try(format('SELECT cprof_hhi_final(cprof_hhi_combine(%L, %L))', h.s,
        '1 hhi n=3 exponent=4 sum=0.625/0 sumsq=0.1484375/0'))),
    ('and 10', crafted.try(format('SELECT cprof_hhi_final(cprof_hhi_trans(%L, 10::float8))', h.s))),
    ('no value', crafted.try('SELECT cprof_hhi_final(''1 hhi n=0 exponent=none sum=0/0 sumsq=0/0'')')),
    ('negative count', crafted.input('cprof_hhi_state', '1 hhi n=-3 exponent=3 sum=1.25/0 sumsq=0.59375/0')),
    ('exponent 5000', crafted.input('cprof_hhi_state', '1 hhi n=3 exponent=5000 sum=1.25/0 sumsq=0.59375/0')),
    ('negative sum of squares', crafted.input('cprof_hhi_state', '1 hhi n=3 exponent=3 sum=1.25/0 sumsq=-0.5/0')),
    ('sum above the count', crafted.input('cprof_hhi_state', '1 hhi n=3 exponent=3 sum=4/0 sumsq=0.59375/0')),
    ('sums without a value', crafted.input('cprof_hhi_state', '1 hhi n=3 exponent=none sum=1.25/0 sumsq=0.59375/0')),
    ('a NaN counted', crafted.input('cprof_hhi_state', '1 hhi n=3 exponent=3 sum=1.25/0/1/0/0 sumsq=0.59375/0')),
    ('infinite sum', crafted.input('cprof_hhi_state', '1 hhi n=3 exponent=3 sum=Infinity/0 sumsq=0.59375/0'))
) x(name, result);

-- cohort_ltv.  Three clients (profits 10, 5, 1; tenures 2, 1, 1; two
-- churned): the state and the aggregate give the same estimates.
SELECT x.name, x.result
FROM (VALUES ('1 cohort clients=3 churned=2 exposure=4/0 profit=16.0/3',
              '1 cohort_discount clients=2 churned=1 exposure=3/0 profit=15.0/2 discount=0.01')) c(s, sd), LATERAL (VALUES
    ('as it is', crafted.try(format('SELECT cprof_cohort_ltv_final(%L) = (SELECT cohort_ltv(p, t, ch) FROM (VALUES (10.0, 2.0::float8, true), (5.0, 1.0, false), (1.0, 1.0, true)) v(p, t, ch))', c.s))),
    ('with a discount', crafted.try(format('SELECT cprof_cohort_ltv_final(%L) = (SELECT cohort_ltv(p, t, ch, 0.01) FROM (VALUES (10.0, 2.0::float8, true), (5.0, 1.0, false)) v(p, t, ch))', c.sd))),
    ('churned above clients', crafted.input('cprof_cohort_ltv_state', '1 cohort clients=3 churned=4 exposure=4/0 profit=16.0/3')),
    ('negative clients', crafted.input('cprof_cohort_ltv_state', '1 cohort clients=-1 churned=0 exposure=4/0 profit=16.0/0')),
    ('discount -2', crafted.input('cprof_cohort_ltv_state', '1 cohort_discount clients=2 churned=1 exposure=3/0 profit=15.0/2 discount=-2')),
    ('a discount without the form', crafted.input('cprof_cohort_ltv_state', '1 cohort clients=3 churned=2 exposure=4/0 profit=16.0/3 discount=0.01')),
    ('negative exposure', crafted.input('cprof_cohort_ltv_state', '1 cohort clients=3 churned=2 exposure=-4/0 profit=16.0/3')),
    ('an infinite tenure counted', crafted.input('cprof_cohort_ltv_state', '1 cohort clients=3 churned=2 exposure=4/0/0/1/0 profit=16.0/3')),
    ('a NaN profit counted', crafted.try('SELECT (cprof_cohort_ltv_final(''1 cohort clients=3 churned=2 exposure=4/0 profit=16.0/2/1/0/0'')).ltv')),
    ('more profits than clients', crafted.input('cprof_cohort_ltv_state', '1 cohort clients=3 churned=2 exposure=4/0 profit=16.0/4')),
    ('combine the two forms', crafted.try(format('SELECT cprof_cohort_ltv_combine(%L, %L)', c.s, c.sd))),
    ('3-argument transition, discount form', crafted.try(format('SELECT cprof_cohort_ltv_trans(%L, 1.0, 1.0::float8, true)', c.sd))),
    ('another discount', crafted.try(format('SELECT cprof_cohort_ltv_trans(%L, 1.0, 1.0::float8, true, 0.02)', c.sd)))
) x(name, result);

-- rfm.  Purchases of 10.00, 20.00 + 5 and 40.00 on 2024-01-01, -01-10 and
-- -02-01, as of 2024-03-01, in days: frequency 2, recency 31, age 60,
-- monetary (75 - 10) / 2 = 32.5 (the total less the first day's, per repeat day).
SELECT x.name, x.result
FROM (VALUES ('1 rfm rows=4 as_of=2024-03-01 unit=0/1/0 total=75.00/3 first_total=10.00/1 days=2024-01-01+9+22')) r(s), LATERAL (VALUES
    ('as it is', crafted.try(format('SELECT cprof_rfm_final(%L)', r.s))),
    ('twice', crafted.try(format('SELECT cprof_rfm_final(cprof_rfm_combine(%L, %L))', r.s, r.s))),
    ('and a later day', crafted.try(format('SELECT cprof_rfm_final(cprof_rfm_trans(%L, date ''2024-02-10'', 5.00, date ''2024-03-01'', ''1 day''))', r.s))),
    ('a day after as_of', crafted.try(format('SELECT cprof_rfm_trans(%L, date ''2024-03-10'', 5.00, date ''2024-03-01'', ''1 day'')', r.s))),
    ('another as_of', crafted.try(format('SELECT cprof_rfm_trans(%L, date ''2024-02-10'', 5.00, date ''2024-03-02'', ''1 day'')', r.s))),
    ('combine with another as_of', crafted.try(format('SELECT cprof_rfm_combine(%L, %L)', r.s, replace(r.s, 'as_of=2024-03-01', 'as_of=2024-03-02')))),
    ('a repeated day', crafted.input('cprof_rfm_state', replace(r.s, '+9+22', '+0+22'))),
    ('a day before the last', crafted.input('cprof_rfm_state', replace(r.s, '+9+22', '+9+-3'))),
    ('a day after as_of', crafted.input('cprof_rfm_state', replace(r.s, '+9+22', '+9+200'))),
    ('fewer rows than days', crafted.input('cprof_rfm_state', replace(r.s, 'rows=4', 'rows=2'))),
    ('rows without days', crafted.input('cprof_rfm_state', '1 rfm rows=1 as_of=2024-03-01 unit=0/1/0 total=0/0 first_total=0/0 days=')),
    ('no rows', crafted.input('cprof_rfm_state', '1 rfm rows=0 as_of=2024-03-01 unit=0/1/0 total=0/0 first_total=0/0 days=')),
    ('unit 0', crafted.input('cprof_rfm_state', replace(r.s, 'unit=0/1/0', 'unit=0/0/0'))),
    ('negative unit', crafted.input('cprof_rfm_state', replace(r.s, 'unit=0/1/0', 'unit=0/-1/0'))),
    ('unit past integer', crafted.input('cprof_rfm_state', replace(r.s, 'unit=0/1/0', 'unit=4294967296/1/0'))),
    ('February 30', crafted.input('cprof_rfm_state', replace(r.s, 'as_of=2024-03-01', 'as_of=2024-02-30'))),
    ('year 9999999', crafted.input('cprof_rfm_state', replace(r.s, 'as_of=2024-03-01', 'as_of=9999999-03-01'))),
    ('a NaN amount counted', crafted.input('cprof_rfm_state', replace(r.s, 'total=75.00/3', 'total=75.00/3/1/0/0'))),
    ('more first-day amounts than rows', crafted.input('cprof_rfm_state', replace(r.s, 'first_total=10.00/1', 'first_total=10.00/5')))
) x(name, result);

-- The model fits (cprof_history_state).  Purchase histories (frequency,
-- recency, age) of 5 clients, and the spend of 2: the states give the fits
-- of the same rows.  The fits' warnings (these few clients do not make a
-- model converge) are not the point here.
SET client_min_messages = error;
SELECT x.name, x.result
FROM (VALUES ('1 purchase clients=5 histories=0/0/10/2,1/2.5/10/2,3/7.25/10/1',
              '1 spend clients=3 histories=2/12.5/2,3/40/1')) h(p, s), LATERAL (VALUES
    ('bgnbd_fit', crafted.try(format('SELECT cprof_bgnbd_fit_final(%L)::text = (SELECT bgnbd_fit(x, r, a)::text FROM (VALUES (0, 0, 10), (0, 0, 10), (1, 2.5, 10), (1, 2.5, 10), (3, 7.25, 10)) v(x, r, a))', h.p))),
    ('pareto_nbd_fit', crafted.try(format('SELECT cprof_pareto_nbd_fit_final(%L)::text = (SELECT pareto_nbd_fit(x, r, a)::text FROM (VALUES (0, 0, 10), (0, 0, 10), (1, 2.5, 10), (1, 2.5, 10), (3, 7.25, 10)) v(x, r, a))', h.p))),
    ('gamma_gamma_fit', crafted.try(format('SELECT cprof_gamma_gamma_fit_final(%L)::text = (SELECT gamma_gamma_fit(x, m)::text FROM (VALUES (2, 12.5), (2, 12.5), (3, 40)) v(x, m))', h.s))),
    ('no clients', crafted.try('SELECT cprof_bgnbd_fit_final(''1 purchase clients=0 histories='')')),
    -- another form: an error, never a fit of the wrong histories
    ('bgnbd final, spend', crafted.try(format('SELECT cprof_bgnbd_fit_final(%L)', h.s))),
    ('pareto_nbd final, spend', crafted.try(format('SELECT cprof_pareto_nbd_fit_final(%L)', h.s))),
    ('gamma_gamma final, purchase', crafted.try(format('SELECT cprof_gamma_gamma_fit_final(%L)', h.p))),
    ('combine purchase and spend', crafted.try(format('SELECT cprof_history_combine(%L, %L)', h.p, h.s))),
    ('purchase transition, spend', crafted.try(format('SELECT cprof_history_trans(%L, 1, 1, 2)', h.s))),
    ('spend transition, purchase', crafted.try(format('SELECT cprof_gamma_gamma_fit_trans(%L, 1, 2)', h.p))),
    -- entries the transitions refuse: a fractional frequency (which the
    -- likelihoods cannot take), recency above age, recency without a
    -- repeat purchase, a frequency above 1e9, a negative or infinite value
    ('fractional frequency', crafted.input('cprof_history_state', replace(h.p, '1/2.5/10/2', '1.5/2.5/10/2'))),
    ('recency above age', crafted.input('cprof_history_state', replace(h.p, '3/7.25/10/1', '3/17.25/10/1'))),
    ('recency without a repeat', crafted.input('cprof_history_state', replace(h.p, '0/0/10/2', '0/1/10/2'))),
    ('frequency 2e9', crafted.input('cprof_history_state', replace(h.p, '3/7.25/10/1', '2000000000/7.25/10/1'))),
    ('negative recency', crafted.input('cprof_history_state', replace(h.p, '1/2.5/10/2', '1/-2.5/10/2'))),
    ('infinite age', crafted.input('cprof_history_state', replace(h.p, '3/7.25/10/1', '3/7.25/Infinity/1'))),
    ('age past double', crafted.input('cprof_history_state', replace(h.p, '3/7.25/10/1', '3/7.25/1e309/1'))),
    ('spend: frequency 0', crafted.input('cprof_history_state', replace(h.s, '2/12.5/2', '0/12.5/2'))),
    ('spend: monetary 0', crafted.input('cprof_history_state', replace(h.s, '2/12.5/2', '2/0/2'))),
    ('spend: fractional frequency', crafted.input('cprof_history_state', replace(h.s, '2/12.5/2', '2.5/12.5/2'))),
    ('spend: an age', crafted.input('cprof_history_state', replace(h.s, '2/12.5/2', '2/12.5/0/2'))),
    ('purchase without an age', crafted.input('cprof_history_state', replace(h.p, '3/7.25/10/1', '3/7.25/1'))),
    -- counts and order
    ('count 0', crafted.input('cprof_history_state', replace(h.p, '3/7.25/10/1', '3/7.25/10/0'))),
    ('negative count', crafted.input('cprof_history_state', '1 purchase clients=1 histories=0/0/10/2,1/2.5/10/-1')),
    ('counts above clients', crafted.input('cprof_history_state', replace(h.p, 'clients=5', 'clients=4'))),
    ('counts below clients', crafted.input('cprof_history_state', replace(h.p, 'clients=5', 'clients=6'))),
    ('counts past bigint', crafted.input('cprof_history_state', '1 purchase clients=9223372036854775807 histories=0/0/10/9223372036854775807,1/2.5/10/2')),
    ('out of order', crafted.input('cprof_history_state', '1 purchase clients=5 histories=1/2.5/10/2,0/0/10/2,3/7.25/10/1')),
    ('repeated', crafted.input('cprof_history_state', '1 purchase clients=5 histories=0/0/10/2,1/2.5/10/1,1/2.5/10/1,3/7.25/10/1')),
    ('zero and negative zero', crafted.input('cprof_history_state', '1 purchase clients=3 histories=0/-0/10/2,0/0/10/1')),
    ('negative zero reads as 0', crafted.input('cprof_history_state', '1 purchase clients=2 histories=-0/-0/10/2')),
    ('unknown form', crafted.input('cprof_history_state', replace(h.p, 'purchase', 'bgnbd'))),
    ('version 2', crafted.input('cprof_history_state', '2' || substr(h.p, 2))),
    ('a comma at the end', crafted.input('cprof_history_state', h.p || ','))
) x(name, result);
RESET client_min_messages;

-- idle_capacity (cprof_idle_capacity_state).  100.00 for 8 hours, 1 hour
-- used: idle 100.00 - 100.00 / 8 = 87.50; the state twice, 2 hours:
-- 75.00; the same pool in the other forms.
SELECT x.name, x.result
FROM (VALUES ('1 numeric rows=1 null_rows=0 amount=100.00 capacity=8 usage=1/1')) i(s), LATERAL (VALUES
    ('as it is', crafted.try(format('SELECT cprof_idle_capacity_final(%L)', i.s))),
    ('twice', crafted.try(format('SELECT cprof_idle_capacity_final(cprof_idle_capacity_combine(%L, %L))', i.s, i.s))),
    ('and another hour', crafted.try(format('SELECT cprof_idle_capacity_final(cprof_idle_capacity_trans(%L, 100.00, 1::numeric, 8::numeric))', i.s))),
    ('unit 0.3', crafted.try('SELECT cprof_idle_capacity_final(''1 numeric_unit rows=1 null_rows=0 amount=100.00 capacity=8 unit=0.3 usage=1/1'')')),
    ('capacity 8 as a double', crafted.try('SELECT cprof_idle_capacity_final(''1 float8 rows=1 null_rows=0 amount=100.00 capacity=8 usage=1/1'')')),
    ('amount NULL on every row', crafted.try('SELECT cprof_idle_capacity_final(''1 numeric rows=0 null_rows=3 usage=0/0'')')),
    -- another form: an error
    ('combine numeric and float8', crafted.try(format('SELECT cprof_idle_capacity_combine(%L, %L)', i.s, replace(i.s, '1 numeric', '1 float8')))),
    ('float8 transition, numeric', crafted.try(format('SELECT cprof_idle_capacity_trans(%L, 100.00, 1::float8, 8::float8)', i.s))),
    ('unit transition, numeric', crafted.try(format('SELECT cprof_idle_capacity_trans(%L, 100.00, 1::numeric, 8::numeric, 0.05)', i.s))),
    ('another amount', crafted.try(format('SELECT cprof_idle_capacity_combine(%L, %L)', i.s, replace(i.s, '100.00', '100.0')))),
    -- corrupt states
    ('rows with and without an amount', crafted.input('cprof_idle_capacity_state', replace(i.s, 'null_rows=0', 'null_rows=1'))),
    ('negative rows', crafted.input('cprof_idle_capacity_state', replace(i.s, 'rows=1 null', 'rows=-1 null'))),
    ('NaN amount', crafted.input('cprof_idle_capacity_state', replace(i.s, '100.00', 'NaN'))),
    ('capacity 0', crafted.input('cprof_idle_capacity_state', replace(i.s, 'capacity=8', 'capacity=0'))),
    ('negative capacity', crafted.input('cprof_idle_capacity_state', replace(i.s, 'capacity=8', 'capacity=-8'))),
    ('infinite double capacity', crafted.input('cprof_idle_capacity_state', replace(replace(i.s, 'capacity=8', 'capacity=1e309'), '1 numeric', '1 float8'))),
    ('unit 0', crafted.input('cprof_idle_capacity_state', replace(replace(i.s, '1 numeric', '1 numeric_unit'), 'capacity=8', 'capacity=8 unit=0'))),
    ('a unit without the form', crafted.input('cprof_idle_capacity_state', replace(i.s, 'capacity=8', 'capacity=8 unit=1'))),
    ('no unit in a unit form', crafted.input('cprof_idle_capacity_state', replace(i.s, '1 numeric', '1 numeric_unit'))),
    ('a pool without rows', crafted.input('cprof_idle_capacity_state', replace(i.s, 'rows=1 null', 'rows=0 null'))),
    ('negative usage', crafted.input('cprof_idle_capacity_state', replace(i.s, 'usage=1/1', 'usage=-1/1'))),
    ('more usages than rows', crafted.input('cprof_idle_capacity_state', replace(i.s, 'usage=1/1', 'usage=1.5/2'))),
    ('a NaN usage counted', crafted.input('cprof_idle_capacity_state', replace(i.s, 'usage=1/1', 'usage=1/1/1/0/0')))
) x(name, result);

-- Mutations: every character of each valid text deleted, replaced by 7 or
-- by -, or doubled; every byte of each valid binary form flipped (xor 255)
-- or the form cut short at it.  Each mutant is read by the input or
-- receive function (COPY BINARY from a file the server writes); what is
-- accepted reads back as itself and goes through the final function, a
-- combine with itself and a transition.  Counted by outcome: rejected
-- (with the SQLSTATE), or accepted and the functions' outcome.
CREATE TABLE crafted.valid (family text, type regtype, s text, final text, trans text);
INSERT INTO crafted.valid VALUES
    ('client_profit', 'cprof_client_profit_state', '1 waterfall rows=2 entries=2 revenue=100/1 discount=0/0 cogs=40.5/1 cost_to_serve=0/0 acquisition=0/0 bad_debt=0/0 referral=0/0',
     'cprof_client_profit_final(cprof_client_profit_combine(%1$s, %1$s))', 'cprof_client_profit_trans(%s, 1.0, ''cogs'')'),
    ('client_profit', 'cprof_client_profit_state', '1 net_float8 rows=1 entries=1 net=60.5/1e-15/1/0/0',
     'cprof_client_profit_float8_final(cprof_client_profit_combine(%1$s, %1$s))', 'cprof_client_profit_trans(%s, 1.0::float8, 2.0::float8)'),
    ('hhi', 'cprof_hhi_state', '1 hhi n=3 exponent=3 sum=1.25/0 sumsq=0.59375/0',
     'cprof_hhi_final(cprof_hhi_combine(%1$s, %1$s))', 'cprof_hhi_trans(%s, 100)'),
    ('cohort_ltv', 'cprof_cohort_ltv_state', '1 cohort_discount clients=2 churned=1 exposure=3/0 profit=15.0/2 discount=0.01',
     'cprof_cohort_ltv_final(cprof_cohort_ltv_combine(%1$s, %1$s))', 'cprof_cohort_ltv_trans(%s, 1.0, 1.0::float8, true, 0.01)'),
    ('rfm', 'cprof_rfm_state', '1 rfm rows=4 as_of=2024-03-01 unit=0/1/0 total=75.00/3 first_total=10.00/1 days=2024-01-01+9+22',
     'cprof_rfm_final(cprof_rfm_combine(%1$s, %1$s))', 'cprof_rfm_trans(%s, date ''2024-02-10'', 5.00, date ''2024-03-01'', ''1 day'')'),
    ('history', 'cprof_history_state', '1 purchase clients=5 histories=0/0/10/2,1/2.5/10/2,3/7.25/10/1',
     'cprof_bgnbd_fit_final(cprof_history_combine(%1$s, %1$s))', 'cprof_history_trans(%s, 2, 3.5, 10)'),
    ('history', 'cprof_history_state', '1 spend clients=3 histories=2/12.5/2,3/40/1',
     'cprof_gamma_gamma_fit_final(cprof_history_combine(%1$s, %1$s))', 'cprof_gamma_gamma_fit_trans(%s, 2, 20.5)'),
    ('idle_capacity', 'cprof_idle_capacity_state', '1 float8_unit rows=2 null_rows=0 amount=100.00 capacity=8.5 unit=0.05 usage=1.5/2',
     'cprof_idle_capacity_final(cprof_idle_capacity_combine(%1$s, %1$s))', 'cprof_idle_capacity_trans(%s, 100.00, 1::float8, 8.5::float8, 0.05)');
-- recv(type, bytes): the bytes read by the type's receive function (a
-- binary COPY file written by the server), as text
CREATE TABLE crafted.recv_cprof_client_profit_state (s cprof_client_profit_state);
CREATE TABLE crafted.recv_cprof_hhi_state (s cprof_hhi_state);
CREATE TABLE crafted.recv_cprof_cohort_ltv_state (s cprof_cohort_ltv_state);
CREATE TABLE crafted.recv_cprof_rfm_state (s cprof_rfm_state);
CREATE TABLE crafted.recv_cprof_history_state (s cprof_history_state);
CREATE TABLE crafted.recv_cprof_idle_capacity_state (s cprof_idle_capacity_state);
CREATE FUNCTION crafted.recv(type regtype, b bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    f text := current_setting('data_directory') || '/cprof_crafted_' || pg_backend_pid() || '.bin';
    lo oid;
    result text;
BEGIN
    lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || int4send(0) || int4send(0)
                        || int2send(1::int2) || int4send(length(b)) || b || int2send(-1::int2));
    PERFORM lo_export(lo, f);
    PERFORM lo_unlink(lo);
    EXECUTE format('TRUNCATE crafted.recv_%s', type);
    EXECUTE format('COPY crafted.recv_%s FROM %L (FORMAT binary)', type, f);
    EXECUTE format('SELECT s::text FROM crafted.recv_%s', type) INTO result;
    RETURN result;
END $$;
-- mutant(type, text or NULL, bytes or NULL, final, trans): the outcome of one mutant
CREATE FUNCTION crafted.mutant(type regtype, t text, b bytea, final text, trans text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s text;
    lit text;
    back text;
BEGIN
    BEGIN
        IF t IS NOT NULL THEN
            EXECUTE format('SELECT %L::%s::text', t, type) INTO s;
        ELSE
            s := crafted.recv(type, b);
        END IF;
    EXCEPTION WHEN OTHERS THEN
        RETURN 'rejected ' || SQLSTATE;
    END;
    lit := format('%L::%s', s, type);
    BEGIN
        EXECUTE format('SELECT %L::%s::text', s, type) INTO back;
    EXCEPTION WHEN OTHERS THEN
        RETURN 'accepted, does not read back: ' || SQLSTATE;
    END;
    IF back IS DISTINCT FROM s THEN
        RETURN 'accepted, reads back as another state';
    END IF;
    BEGIN
        EXECUTE 'SELECT (' || format(final, lit) || ')::text';
        EXECUTE 'SELECT ' || format(trans, lit);
        RETURN 'accepted, functions ok';
    EXCEPTION WHEN OTHERS THEN
        RETURN 'accepted, functions ' || SQLSTATE;
    END;
END $$;
SET client_min_messages = error;	-- the fits' warnings on 3 to 6 clients
WITH mutants AS (
    SELECT v.family, 'text' AS form, crafted.mutant(v.type, m.t, NULL, v.final, v.trans) AS outcome
    FROM crafted.valid v,
    LATERAL generate_series(1, length(v.s)) i,
    LATERAL (VALUES (overlay(v.s PLACING '' FROM i FOR 1)), (overlay(v.s PLACING '7' FROM i FOR 1)),
                    (overlay(v.s PLACING '-' FROM i FOR 1)), (overlay(v.s PLACING repeat(substr(v.s, i, 1), 2) FROM i FOR 1))) m(t)
    UNION ALL
    SELECT v.family, 'binary', crafted.mutant(v.type, NULL, m.b, v.final, v.trans)
    FROM crafted.valid v,
    LATERAL (SELECT CASE v.family WHEN 'client_profit' THEN cprof_client_profit_state_send(v.s::cprof_client_profit_state)
                                  WHEN 'hhi' THEN cprof_hhi_state_send(v.s::cprof_hhi_state)
                                  WHEN 'cohort_ltv' THEN cprof_cohort_ltv_state_send(v.s::cprof_cohort_ltv_state)
                                  WHEN 'history' THEN cprof_history_state_send(v.s::cprof_history_state)
                                  WHEN 'idle_capacity' THEN cprof_idle_capacity_state_send(v.s::cprof_idle_capacity_state)
                                  ELSE cprof_rfm_state_send(v.s::cprof_rfm_state) END AS b) sent,
    LATERAL generate_series(0, length(sent.b) - 1) i,
    LATERAL (VALUES (set_byte(sent.b, i, get_byte(sent.b, i) # 255)), (substr(sent.b, 1, i))) m(b)
)
SELECT family, form, outcome, count(*) FROM mutants GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
RESET client_min_messages;

-- The valid binary forms themselves read back, through COPY BINARY.
SELECT v.family, v.s,
       crafted.recv(v.type, CASE v.family WHEN 'client_profit' THEN cprof_client_profit_state_send(v.s::cprof_client_profit_state)
                                          WHEN 'hhi' THEN cprof_hhi_state_send(v.s::cprof_hhi_state)
                                          WHEN 'cohort_ltv' THEN cprof_cohort_ltv_state_send(v.s::cprof_cohort_ltv_state)
                                          WHEN 'history' THEN cprof_history_state_send(v.s::cprof_history_state)
                                          WHEN 'idle_capacity' THEN cprof_idle_capacity_state_send(v.s::cprof_idle_capacity_state)
                                          ELSE cprof_rfm_state_send(v.s::cprof_rfm_state) END) = v.s AS binary_reads_back
FROM crafted.valid v ORDER BY 1, 2;

-- Binary forms of the fits' state that break an invariant: 22P03.  The
-- first history of '1 purchase clients=1 histories=1/0.5/10/1' starts at
-- byte 19 (after the version, form, clients and count of histories).
SELECT x.name, crafted.try(format('SELECT crafted.recv(%L, %L)', 'cprof_history_state',
                                  overlay(b PLACING x.bytes FROM x.at))) AS result
FROM (SELECT cprof_history_state_send('1 purchase clients=1 histories=1/0.5/10/1') AS b) s, LATERAL (VALUES
    ('as it is', '\x'::bytea, 1),
    ('fractional frequency', float8send(1.5), 19),
    ('recency above age', float8send(11), 27),
    ('NaN age', float8send('NaN'), 35),
    ('count 0', '\x00'::bytea, 43),
    ('form 2', '\x02'::bytea, 2),
    ('a million histories announced', int8send(1000000), 11)
) x(name, bytes, at);

RESET ALL;
SET client_min_messages = warning;
DROP SCHEMA crafted CASCADE;
RESET client_min_messages;
