/*
 * test/cdnow/load.sql: loads the CDNOW data set (test/data/cdnow, see the
 * README there) into the schema cprof_demo:
 *
 *   cdnow_master(customer_id, purchased_on, cds, amount)             69,659 purchases, 23,570 customers
 *   cdnow_tx(customer_id, sample_id, purchased_on, cds, amount)      the 1/10 sample: 6,919 purchases
 *   cdnow_summary(id, frequency, recency, t)                         the published calibration summary
 *   cdnow_zbar(id, x, t_x, t, zbar)                                  the same plus mean repeat spend
 *
 * The one CDNOW loader: `make test-cdnow`, `make test-clv`, `make bench`,
 * `make test-docs` and the demo cluster all use it.  psql reads the files
 * (\copy), so no superuser is needed.  The folder is the psql variable
 * cdnow_dir, else the environment variable CPROF_CDNOW, else
 * test/data/cdnow relative to the current directory (the top of the
 * repository).  Re-runnable: it creates the schema if missing and replaces
 * only its own four tables in it.  It stops with an error if the files do
 * not hold what test/data/cdnow/README.md says.
 */
\set ON_ERROR_STOP on
SET client_min_messages = warning;

\if :{?cdnow_dir}
\else
\getenv cdnow_dir CPROF_CDNOW
\if :{?cdnow_dir}
\else
\set cdnow_dir test/data/cdnow
\endif
\endif
-- \copy takes its arguments verbatim (no psql variables), so the folder
-- reaches the commands below through the environment.
\setenv CPROF_CDNOW :cdnow_dir

-- one transaction: a failure leaves the tables as they were
BEGIN;
CREATE SCHEMA IF NOT EXISTS cprof_demo;
DROP TABLE IF EXISTS cprof_demo.cdnow_master, cprof_demo.cdnow_tx,
    cprof_demo.cdnow_summary, cprof_demo.cdnow_zbar;
CREATE TABLE cprof_demo.cdnow_master (customer_id int, purchased_on date, cds int, amount numeric(10,2));
CREATE TABLE cprof_demo.cdnow_tx (customer_id int, sample_id int, purchased_on date, cds int, amount numeric(10,2));
CREATE TABLE cprof_demo.cdnow_summary (id int, frequency int, recency double precision, t double precision);
CREATE TABLE cprof_demo.cdnow_zbar (id int, x int, t_x double precision, t double precision, zbar numeric);

-- The two logs have space-padded columns and CRLF line endings: sed turns
-- them into CSV (dates as YYYYMMDD, which date input accepts).
\copy cprof_demo.cdnow_master FROM PROGRAM 'sed -e "s/\r$//" -e "s/^ *//" -e "s/ *$//" -e "s/  */,/g" "$CPROF_CDNOW/CDNOW_master.txt"' WITH (FORMAT csv, HEADER)
\copy cprof_demo.cdnow_tx FROM PROGRAM 'sed -e "s/\r$//" -e "s/^ *//" -e "s/ *$//" -e "s/  */,/g" "$CPROF_CDNOW/CDNOW_sample.txt"' WITH (FORMAT csv)
\copy cprof_demo.cdnow_summary FROM PROGRAM 'cat "$CPROF_CDNOW/cdnow_customers_summary.csv"' WITH (FORMAT csv, HEADER)
\copy cprof_demo.cdnow_zbar FROM PROGRAM 'tr -d "\r" < "$CPROF_CDNOW/cdnow_customers_summary_with_transactions.csv"' WITH (FORMAT csv, HEADER)

COMMENT ON TABLE cprof_demo.cdnow_master IS 'CDNOW (Fader & Hardie): every purchase of the 23,570 customers of 1997Q1, to 1998-06-30';
COMMENT ON TABLE cprof_demo.cdnow_tx IS 'CDNOW (Fader & Hardie): the purchases of the 1/10 sample of the papers (2,357 customers)';
COMMENT ON TABLE cprof_demo.cdnow_summary IS 'CDNOW (Fader & Hardie): published calibration summary in weeks to 1997-09-30 (BG/NBD, Pareto/NBD)';
COMMENT ON TABLE cprof_demo.cdnow_zbar IS 'CDNOW (Fader & Hardie): calibration summary with mean repeat spend zbar (Gamma-Gamma)';

-- the facts test/data/cdnow/README.md states
DO $$
DECLARE
    got text;
BEGIN
    SELECT concat_ws(' ',
        (SELECT format('master: %s rows, %s customers, $%s, %s CDs;', count(*), count(DISTINCT customer_id), sum(amount), sum(cds))
         FROM cprof_demo.cdnow_master),
        (SELECT format('sample: %s rows, %s customers, $%s;', count(*), count(DISTINCT sample_id), sum(amount))
         FROM cprof_demo.cdnow_tx),
        (SELECT format('summary: %s rows, frequency %s;', count(*), sum(frequency)) FROM cprof_demo.cdnow_summary),
        (SELECT format('zbar: %s rows, %s repeat buyers.', count(*), count(*) FILTER (WHERE x > 0)) FROM cprof_demo.cdnow_zbar))
    INTO got;
    IF got IS DISTINCT FROM 'master: 69659 rows, 23570 customers, $2500315.63, 167881 CDs;'
                            ' sample: 6919 rows, 2357 customers, $244091.94;'
                            ' summary: 2357 rows, frequency 2457;'
                            ' zbar: 2357 rows, 946 repeat buyers.' THEN
        RAISE EXCEPTION 'the CDNOW files do not hold what test/data/cdnow/README.md says'
            USING DETAIL = 'Loaded ' || got;
    END IF;
END $$;

COMMIT;
ANALYZE cprof_demo.cdnow_master, cprof_demo.cdnow_tx, cprof_demo.cdnow_summary, cprof_demo.cdnow_zbar;
RESET client_min_messages;
