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
