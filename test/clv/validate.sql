/*
 * test/clv/validate.sql: validation of the probabilistic CLV functions on
 * the CDNOW data (../shared/data/cdnow, loaded by load_cdnow.sql) and by
 * simulation.  Run by `make test-clv`; every check prints "ok" or stops the
 * run with an error.
 */
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET extra_float_digits = 0;

CREATE OR REPLACE FUNCTION pg_temp.check(what text, ok boolean) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'validation failed: %', what;
    END IF;
    RETURN 'ok: ' || what;
END $$;

-- 1. rfm reproduces the published calibration summary (weeks, as of
-- 1997-09-30) for all 2,357 customers: frequency exactly, recency and T to
-- the file's 2 decimals, monetary rounded to 2 decimals equal to zbar.
CREATE TEMP TABLE cdnow_rfm AS
SELECT sample_id AS id, (rfm(purchased_on, amount, date '1997-09-30', '7 days')).*
FROM cdnow_tx WHERE purchased_on <= date '1997-09-30'
GROUP BY sample_id;
SELECT pg_temp.check('rfm: 2,357 customers', (SELECT count(*) FROM cdnow_rfm) = 2357);
SELECT pg_temp.check('rfm: frequency, recency, T equal cdnow_customers_summary.csv for all customers',
    (SELECT count(*) FROM cdnow_rfm r JOIN cdnow_summary s USING (id)
     WHERE r.frequency = s.frequency AND round(r.recency::numeric, 2) = s.recency::numeric
       AND round(r.age::numeric, 2) = s.t::numeric) = 2357);
SELECT pg_temp.check('rfm: monetary equals zbar of cdnow_customers_summary_with_transactions.csv for all customers',
    (SELECT count(*) FROM cdnow_rfm r JOIN cdnow_zbar z USING (id)
     WHERE round(r.monetary, 2) = z.zbar AND r.frequency = z.x) = 2357);
SELECT pg_temp.check('rfm: mean monetary (to the cent) of the 946 repeat buyers is $35.0786',
    (SELECT count(*) = 946 AND round(avg(round(monetary, 2)), 4) = 35.0786 FROM cdnow_rfm WHERE frequency > 0));
