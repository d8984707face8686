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
