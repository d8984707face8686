/*
 * test/clv/simulate.sql: a deterministic simulator of the BG/NBD and
 * Gamma-Gamma models, shared by the regression tests (sql/41_bgnbd.sql
 * includes it) and the validation (test/clv/validate.sql).  No random():
 * every uniform draw is hashint8 of the client number, a salt and a draw
 * counter.
 *
 * pg_temp.clv_simulate(n, r, alpha, a, b, p, q, v, max_age, seed) returns n
 * clients (client, frequency, recency, age, monetary):
 *   - age T uniform in (max_age / 2, max_age];
 *   - lambda ~ Gamma(r, alpha) (rate alpha), dropout p ~ Beta(a, b);
 *   - purchases while alive form a Poisson process of rate lambda from the
 *     first purchase at time 0; after each repeat purchase the client dies
 *     with probability p (Fader, Hardie & Lee 2005, section 2);
 *   - each repeat purchase is worth Gamma(p, nu) with nu ~ Gamma(q, v), and
 *     monetary is the mean of the repeat purchases (Fader, Hardie & Lee,
 *     "RFM and CLV", 2005; Fader & Hardie's note on the Gamma-Gamma model).
 * Gamma variates use Marsaglia & Tsang's method (2000), with the
 * U^(1/shape) boost for shapes below 1; normals use Box-Muller.
 */
CREATE OR REPLACE FUNCTION pg_temp.clv_u(i bigint, k bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE
    RETURN ((hashint8(i * 1000003 + k * 7919)::bigint + 2147483648) + 0.5) / 4294967296.0;

CREATE OR REPLACE FUNCTION pg_temp.clv_simulate(n int, r float8, alpha float8, a float8, b float8,
                                                p float8, q float8, v float8, max_age float8, seed int)
RETURNS TABLE (client int, frequency float8, recency float8, age float8, monetary float8)
LANGUAGE plpgsql AS $$
DECLARE
    k bigint;
    -- one gamma(shape, 1) draw for client i, consuming draws from counter k
    lam float8; pdrop float8; nu float8; t float8; ga float8; gb float8; total float8;
    x int;
BEGIN
    FOR i IN 1..n LOOP
        k := seed::bigint * 1000000;
        age := max_age * (0.5 + 0.5 * pg_temp.clv_u(i, k)); k := k + 1;
        lam := pg_temp.clv_gamma(i, k, r) / alpha; k := k + 100;
        ga := pg_temp.clv_gamma(i, k, a); k := k + 100;
        gb := pg_temp.clv_gamma(i, k, b); k := k + 100;
        pdrop := ga / (ga + gb);
        nu := pg_temp.clv_gamma(i, k, q) / v; k := k + 100;
        t := 0; x := 0; recency := 0; total := 0;
        LOOP
            t := t - ln(pg_temp.clv_u(i, k)) / lam; k := k + 1;
            EXIT WHEN t > age;
            x := x + 1;
            recency := t;
            total := total + pg_temp.clv_gamma(i, k, p) / nu; k := k + 100;
            EXIT WHEN pg_temp.clv_u(i, k) < pdrop;
            k := k + 1;
        END LOOP;
        client := i;
        frequency := x;
        monetary := CASE WHEN x > 0 THEN total / x ELSE 0 END;
        RETURN NEXT;
    END LOOP;
END $$;

-- Gamma(shape, 1) by Marsaglia & Tsang, from draws k, k+1, ... of client i
CREATE OR REPLACE FUNCTION pg_temp.clv_gamma(i bigint, k bigint, shape float8) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    d float8 := greatest(shape, shape + 1 - (shape >= 1)::int) - 1.0 / 3;
    c float8 := 1 / sqrt(9 * d);
    z float8; vv float8; u float8;
    boost float8 := 1;
BEGIN
    IF shape < 1 THEN
        boost := pg_temp.clv_u(i, k) ^ (1 / shape);
        k := k + 1;
    END IF;
    LOOP
        z := sqrt(-2 * ln(pg_temp.clv_u(i, k))) * cos(2 * pi() * pg_temp.clv_u(i, k + 1));
        u := pg_temp.clv_u(i, k + 2);
        k := k + 3;
        vv := (1 + c * z) ^ 3;
        IF vv > 0 AND ln(u) < 0.5 * z * z + d - d * vv + d * ln(vv) THEN
            RETURN d * vv * boost;
        END IF;
    END LOOP;
END $$;
