/*
 * test/clv/load_cdnow.sql: loads the CDNOW files of ../shared/data/cdnow
 * (the environment variable CPROF_CDNOW names that directory) into
 *   cdnow_tx(customer_id, sample_id, purchased_on, cds, amount)  the 6,919 transactions
 *   cdnow_summary(id, frequency, recency, t)                     the published calibration summary
 *   cdnow_zbar(id, x, t_x, t, zbar)                              the same plus mean repeat spend
 */
SET client_min_messages = warning;
DROP TABLE IF EXISTS cdnow_tx, cdnow_summary, cdnow_zbar;
CREATE TABLE cdnow_tx (customer_id int, sample_id int, purchased_on date, cds int, amount numeric(10,2));
CREATE TABLE cdnow_summary (id int, frequency int, recency double precision, t double precision);
CREATE TABLE cdnow_zbar (id int, x int, t_x double precision, t double precision, zbar numeric);
\copy cdnow_tx FROM PROGRAM 'sed -e "s/\r$//" -e "s/^ *//" -e "s/ *$//" -e "s/  */,/g" "$CPROF_CDNOW/CDNOW_sample.txt"' WITH (FORMAT csv)
\copy cdnow_summary FROM PROGRAM 'cat "$CPROF_CDNOW/cdnow_customers_summary.csv"' WITH (FORMAT csv, HEADER)
\copy cdnow_zbar FROM PROGRAM 'tr -d "\r" < "$CPROF_CDNOW/cdnow_customers_summary_with_transactions.csv"' WITH (FORMAT csv, HEADER)
ANALYZE cdnow_tx, cdnow_summary, cdnow_zbar;
