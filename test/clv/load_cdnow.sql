/*
 * test/clv/load_cdnow.sql: the CDNOW tables for scripts that name them
 * unqualified (test/clv/validate.sql, the benchmark's CLV section).  Loads
 * them with the one CDNOW loader, test/cdnow/load.sql (into the schema
 * cprof_demo; the folder is the environment variable CPROF_CDNOW, else
 * test/data/cdnow), and puts cprof_demo first on the session's search_path.
 */
\ir ../cdnow/load.sql
SET search_path = cprof_demo, public;
